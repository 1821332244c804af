//! The outcome of a verification as a C handle: status, error, message,
//! and for a verified token the attestation result (EAR) and the claims,
//! serialised on first request and lent until the result is freed.

use std::ffi::{c_char, CStr, CString};
use std::sync::OnceLock;

use mtattest::appraisal::{AttestationResult, EarProfile};
use mtattest::claims::ClaimsSet;

use crate::boundary::{self, borrow, write_out, Failure, Opaque, Outcome};
use crate::error::mtattest_result;
use crate::reasons::LentReason;
use crate::verify::mtattest_status;

/// The outcome of one mtattest_verify() call: the status, for a rejected
/// token the error, for a valid one the attestation result (EAR) and the
/// verified claims. Freed by mtattest_verify_result_free(); everything its
/// accessors lend stays valid until then.
pub struct mtattest_verify_result {
    _private: [u8; 0],
}

/// What a result holds.
pub(crate) struct ResultState {
    status: mtattest_status,
    error: mtattest_result,
    code: CString,
    message: CString,
    /// What a verified token has; `None` for a rejected one.
    pub(crate) verified: Option<VerifiedOutputs>,
}

/// A verified token's result and claims. Their serialisations are made on
/// first request (about 60 µs for all three, against 170–800 µs for the
/// verification itself), then kept: what an accessor lends stays valid
/// until the result is freed.
pub(crate) struct VerifiedOutputs {
    ear: AttestationResult,
    ear_profile: EarProfile,
    claims: ClaimsSet,
    ear_json: OnceLock<CString>,
    ear_cbor: OnceLock<Vec<u8>>,
    claims_json: OnceLock<CString>,
    /// The Android attestation behind the token, as JSON (spec §17).
    android_json: Option<CString>,
    /// The appraisal's reasons as C strings, made on first request.
    reasons: OnceLock<Vec<LentReason>>,
}

impl VerifiedOutputs {
    fn ear_json(&self) -> &CString {
        self.ear_json
            .get_or_init(|| boundary::c_text(&self.ear.to_json_as(self.ear_profile)))
    }

    fn ear_cbor(&self) -> &[u8] {
        self.ear_cbor
            .get_or_init(|| self.ear.to_cbor_as(self.ear_profile))
    }

    fn claims_json(&self) -> &CString {
        self.claims_json.get_or_init(|| {
            let claims = self.claims.to_json();
            let text = serde_json::to_string_pretty(&claims).unwrap_or_else(|_| claims.to_string());
            boundary::c_text(&text)
        })
    }

    /// The attestation result the accessors read.
    pub(crate) fn ear(&self) -> &AttestationResult {
        &self.ear
    }

    /// The reasons of the attestation result, in its order.
    pub(crate) fn reasons(&self) -> &[LentReason] {
        self.reasons
            .get_or_init(|| self.ear.reasons.iter().map(LentReason::new).collect())
    }
}

impl Opaque for mtattest_verify_result {
    type Inner = ResultState;
    const MAGIC: u64 = 0x6d74_6174_7265_736c; // "mtatresl"
    const NAME: &'static str = "mtattest_verify_result";
}

impl ResultState {
    /// The result of a verified token.
    pub(crate) fn verified(
        status: mtattest_status,
        message: &str,
        ear: AttestationResult,
        ear_profile: EarProfile,
        android_json: Option<String>,
        claims: ClaimsSet,
    ) -> ResultState {
        ResultState {
            status,
            error: mtattest_result::MTATTEST_OK,
            code: CString::default(),
            message: boundary::c_text(message),
            verified: Some(VerifiedOutputs {
                ear,
                ear_profile,
                claims,
                ear_json: OnceLock::new(),
                ear_cbor: OnceLock::new(),
                claims_json: OnceLock::new(),
                android_json: android_json.map(|json| boundary::c_text(&json)),
                reasons: OnceLock::new(),
            }),
        }
    }

    /// The result of a rejected token: its failure, and the core's own
    /// code, even one this build has no number for.
    pub(crate) fn rejected(failure: &Failure, code: &str) -> ResultState {
        ResultState {
            status: mtattest_status::MTATTEST_STATUS_INVALID,
            error: failure.code,
            code: boundary::c_text(code),
            message: boundary::c_text(&failure.message),
            verified: None,
        }
    }
}

/// Reads a result.
///
/// # Safety
///
/// `result` must be NULL or a live result.
pub(crate) unsafe fn with_result(
    result: *const mtattest_verify_result,
    read: impl FnOnce(&ResultState) -> Outcome,
) -> mtattest_result {
    boundary::guard(|| {
        // SAFETY: forwarded from the caller.
        let state = unsafe { borrow::<mtattest_verify_result>(result, "result") }?;
        read(state)
    })
}

/// Writes the result's status to `*out_status`:
/// MTATTEST_STATUS_INVALID for a rejected token, otherwise the
/// appraisal's (none, affirming, warning, contraindicated).
///
/// # Safety
///
/// `result` must be NULL or a live result; `out_status` NULL or valid for
/// writing an mtattest_status.
#[no_mangle]
pub unsafe extern "C" fn mtattest_verify_result_status(
    result: *const mtattest_verify_result,
    out_status: *mut mtattest_status,
) -> mtattest_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        with_result(result, |state| {
            write_out(out_status, state.status, "out_status")
        })
    }
}

/// Writes the error of a rejected token to `*out_error` (what
/// mtattest_verify returned), MTATTEST_OK for a valid one.
///
/// # Safety
///
/// `result` must be NULL or a live result; `out_error` NULL or valid for
/// writing an mtattest_result.
#[no_mangle]
pub unsafe extern "C" fn mtattest_verify_result_error(
    result: *const mtattest_verify_result,
    out_error: *mut mtattest_result,
) -> mtattest_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        with_result(result, |state| {
            write_out(out_error, state.error, "out_error")
        })
    }
}

/// Lends the stable dotted error code of a rejected token
/// ("chain.expired"), or "" for a valid one, as a NUL-terminated string
/// valid until the result is freed.
///
/// # Safety
///
/// `result` must be NULL or a live result; `out_code` NULL or valid for
/// writing a pointer.
#[no_mangle]
pub unsafe extern "C" fn mtattest_verify_result_error_code(
    result: *const mtattest_verify_result,
    out_code: *mut *const c_char,
) -> mtattest_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        with_result(result, |state| {
            write_out(out_code, state.code.as_ptr(), "out_code")
        })
    }
}

/// Lends a readable one-line message: why the token was rejected, or a
/// summary of the verdict. NUL-terminated, valid until the result is
/// freed; `*out_len` (if `out_len` is not NULL) receives its length
/// without the NUL.
///
/// # Safety
///
/// `result` must be NULL or a live result; `out_message` NULL or valid for
/// writing a pointer; `out_len` NULL or valid for writing a size_t.
#[no_mangle]
pub unsafe extern "C" fn mtattest_verify_result_message(
    result: *const mtattest_verify_result,
    out_message: *mut *const c_char,
    out_len: *mut usize,
) -> mtattest_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        with_result(result, |state| {
            lend_text(&state.message, out_message, out_len)
        })
    }
}

/// Lends text: pointer, and the length if asked for.
///
/// # Safety
///
/// `out` NULL or valid for writing a pointer; `out_len` NULL or valid for
/// writing a size_t.
pub(crate) unsafe fn lend_text(
    text: &CStr,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> Outcome {
    if out.is_null() {
        return Err(Failure::null("the output pointer"));
    }
    if !out_len.is_null() {
        // SAFETY: non-NULL and valid for writes per the caller.
        unsafe { write_out(out_len, text.to_bytes().len(), "out_len") }?;
    }
    // SAFETY: non-NULL and valid for writes per the caller.
    unsafe { write_out(out, text.as_ptr(), "the output pointer") }
}

pub(crate) fn not_available(what: &str) -> Failure {
    Failure::new(
        mtattest_result::MTATTEST_ERR_NOT_AVAILABLE,
        format!("the token was rejected, so the result has no {what}"),
    )
}

/// Lends the attestation result (EAR, spec section 11.6), in the form
/// chosen with mtattest_verifier_builder_set_ear_profile (default: Veraison
/// 2023), as pretty JSON text: NUL-terminated, valid until the result is
/// freed; `*out_len` (if `out_len` is not NULL) receives its length without
/// the NUL. A rejected token has none (MTATTEST_ERR_NOT_AVAILABLE).
///
/// # Safety
///
/// As for mtattest_verify_result_message.
#[no_mangle]
pub unsafe extern "C" fn mtattest_verify_result_ear_json(
    result: *const mtattest_verify_result,
    out_json: *mut *const c_char,
    out_len: *mut usize,
) -> mtattest_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        with_result(result, |state| match &state.verified {
            Some(v) => lend_text(v.ear_json(), out_json, out_len),
            None => Err(not_available("EAR")),
        })
    }
}

/// Lends the attestation result (EAR), in the form chosen with
/// mtattest_verifier_builder_set_ear_profile, encoded as CBOR: `*out_cbor`
/// points to `*out_len` bytes, valid until the result is freed. A rejected
/// token has none (MTATTEST_ERR_NOT_AVAILABLE).
///
/// # Safety
///
/// `result` must be NULL or a live result; `out_cbor` NULL or valid for
/// writing a pointer; `out_len` NULL or valid for writing a size_t.
#[no_mangle]
pub unsafe extern "C" fn mtattest_verify_result_ear_cbor(
    result: *const mtattest_verify_result,
    out_cbor: *mut *const u8,
    out_len: *mut usize,
) -> mtattest_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        with_result(result, |state| {
            let Some(cbor) = state.verified.as_ref().map(VerifiedOutputs::ear_cbor) else {
                return Err(not_available("EAR"));
            };
            if out_cbor.is_null() {
                return Err(Failure::null("out_cbor"));
            }
            write_out(out_len, cbor.len(), "out_len")?;
            write_out(out_cbor, cbor.as_ptr(), "out_cbor")
        })
    }
}

/// Lends the verified claims in their JSON form (spec/claims-json.md) as
/// pretty JSON text: NUL-terminated, valid until the result is freed;
/// `*out_len` (if `out_len` is not NULL) receives its length without the
/// NUL. A rejected token has none (MTATTEST_ERR_NOT_AVAILABLE): claims
/// that did not verify are never handed out.
///
/// # Safety
///
/// As for mtattest_verify_result_message.
#[no_mangle]
pub unsafe extern "C" fn mtattest_verify_result_claims_json(
    result: *const mtattest_verify_result,
    out_json: *mut *const c_char,
    out_len: *mut usize,
) -> mtattest_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        with_result(result, |state| match &state.verified {
            Some(v) => lend_text(v.claims_json(), out_json, out_len),
            None => Err(not_available("claims")),
        })
    }
}

/// Lends the Android Key Attestation behind a verified token (spec §17)
/// as pretty JSON text: `attester`, `securityLevel`, `leafSerial`,
/// `keyDescription` (§17.2.3) and `claims` (what it proved, contradicted or
/// adds, §17.5); NUL-terminated, valid until the result is freed;
/// `*out_len` (if not NULL) receives its length without the NUL. A rejected
/// token, or one whose chain does not end at an Android anchor, has none
/// (MTATTEST_ERR_NOT_AVAILABLE).
///
/// # Safety
///
/// As for mtattest_verify_result_message.
#[no_mangle]
pub unsafe extern "C" fn mtattest_verify_result_android_json(
    result: *const mtattest_verify_result,
    out_json: *mut *const c_char,
    out_len: *mut usize,
) -> mtattest_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        with_result(result, |state| {
            match state
                .verified
                .as_ref()
                .and_then(|v| v.android_json.as_ref())
            {
                Some(json) => lend_text(json, out_json, out_len),
                None => Err(not_available("android attestation")),
            }
        })
    }
}

/// Frees a result and everything its accessors lent. NULL is ignored.
///
/// # Safety
///
/// `result` must be NULL or a result not used again.
#[no_mangle]
pub unsafe extern "C" fn mtattest_verify_result_free(result: *mut mtattest_verify_result) {
    // SAFETY: forwarded from the caller.
    boundary::guard_pure((), || unsafe { boundary::free(result) });
}
