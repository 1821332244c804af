//! The relying party's side: verify and appraise tokens with a verifier
//! (configured by the builder, `builder.rs`) into result handles.

use std::ffi::{c_char, CStr, CString};
use std::sync::OnceLock;

use mtattest::appraisal::{AttestationResult, EarProfile};
use mtattest::claims::ClaimsSet;
use mtattest::crypto::Algorithm;
use mtattest::verifier::Verifier;
use mtattest::UnixTime;

use crate::boundary::{self, borrow, bytes, into_handle, write_out, Failure, Opaque, Outcome};
use crate::error::mtattest_result;

/// Algorithm bit (and identifier): ECDSA P-384 with SHA-384 (COSE ES384).
pub const MTATTEST_ALG_ES384: u32 = 1;
/// Algorithm bit (and identifier): ECDSA P-256 with SHA-256 (COSE ES256).
pub const MTATTEST_ALG_ES256: u32 = 2;

/// The largest token a verifier accepts (spec section 8), in bytes: a
/// buffer of this size always holds a token that can verify.
pub const MTATTEST_MAX_TOKEN_SIZE: usize = 16384;

/// EAR form (spec/appraisal.md section 11.6): the Veraison 2023 form,
/// profile "tag:github.com,2023:veraison/ear", labels "ear.status" and so
/// on. The default.
pub const MTATTEST_EAR_PROFILE_VERAISON_2023: u32 = 0;
/// EAR form (spec/appraisal.md section 11.6): the IETF working-group form
/// of draft-ietf-rats-ear-04, profile "tag:ietf.org,2026:rats/ear#04",
/// labels "ear_status" and so on.
pub const MTATTEST_EAR_PROFILE_IETF_DRAFT_04: u32 = 1;

/// The algorithms of a bit set; an unknown bit or an empty set is refused.
pub(crate) fn algorithms(mask: u32) -> Result<Vec<Algorithm>, Failure> {
    let known = MTATTEST_ALG_ES384 | MTATTEST_ALG_ES256;
    if mask & !known != 0 {
        return Err(Failure::invalid(format!(
            "algorithm set 0x{mask:x} has unknown bits (known: MTATTEST_ALG_ES384 0x1, MTATTEST_ALG_ES256 0x2)"
        )));
    }
    let mut out = Vec::new();
    if mask & MTATTEST_ALG_ES384 != 0 {
        out.push(Algorithm::Es384);
    }
    if mask & MTATTEST_ALG_ES256 != 0 {
        out.push(Algorithm::Es256);
    }
    if out.is_empty() {
        return Err(Failure::invalid("the algorithm set is empty"));
    }
    Ok(out)
}

/// The verdict of a verification.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mtattest_status {
    /// The token was rejected (see the result's error code). Zero, so a
    /// zeroed status never reads as acceptance.
    MTATTEST_STATUS_INVALID = 0,
    /// The token is valid but no rule or bulletin advisory gave a verdict
    /// (no policy loaded, or one without rules, and no advisory that
    /// counts). The action is then deny.
    MTATTEST_STATUS_NONE = 1,
    /// The token is valid and every rule of the policy passed.
    MTATTEST_STATUS_AFFIRMING = 2,
    /// The token is valid; a rule whose failure means "warning" failed,
    /// or a bulletin advisory that counts as a warning applies.
    MTATTEST_STATUS_WARNING = 3,
    /// The token is valid; a rule whose failure means "contraindicated"
    /// failed, or a bulletin advisory that contraindicates applies.
    MTATTEST_STATUS_CONTRAINDICATED = 4,
}

impl From<mtattest::appraisal::Status> for mtattest_status {
    fn from(s: mtattest::appraisal::Status) -> mtattest_status {
        use mtattest::appraisal::Status;
        match s {
            Status::None => mtattest_status::MTATTEST_STATUS_NONE,
            Status::Affirming => mtattest_status::MTATTEST_STATUS_AFFIRMING,
            Status::Warning => mtattest_status::MTATTEST_STATUS_WARNING,
            Status::Contraindicated => mtattest_status::MTATTEST_STATUS_CONTRAINDICATED,
        }
    }
}

/// A configured verifier: verifies and appraises tokens. Made by
/// mtattest_verifier_builder_build(), freed by mtattest_verifier_free().
/// mtattest_verify() may be called on one verifier from several threads at
/// once; the verifier keeps one in-memory replay cache for all of them.
pub struct mtattest_verifier {
    _private: [u8; 0],
}

/// What a verifier holds: the verifier, with its policies and EAR form.
pub(crate) struct VerifierState {
    verifier: Verifier,
}

impl VerifierState {
    pub(crate) fn new(verifier: Verifier) -> VerifierState {
        VerifierState { verifier }
    }
}

impl Opaque for mtattest_verifier {
    type Inner = VerifierState;
    const MAGIC: u64 = 0x6d74_6174_7665_7269; // "mtatveri"
    const NAME: &'static str = "mtattest_verifier";
}

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
    verified: Option<VerifiedOutputs>,
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
}

impl Opaque for mtattest_verify_result {
    type Inner = ResultState;
    const MAGIC: u64 = 0x6d74_6174_7265_736c; // "mtatresl"
    const NAME: &'static str = "mtattest_verify_result";
}

// One verifier serves many threads (its replay cache and chain cache lock
// internally); keep that true.
const _: fn() = || {
    fn sync<T: Sync + Send>() {}
    sync::<VerifierState>();
    // Accessors may run on several threads at once.
    sync::<ResultState>();
};

/// A certificate list: a PEM bundle (detected by "-----BEGIN"), or one or
/// more DER certificates one after the other. Returns the DER of each, as
/// given (PEM blocks decoded, not re-encoded). `bad` builds the error for
/// the certificate at an index.
pub(crate) fn certificates(
    data: &[u8],
    bad: &dyn Fn(usize, String) -> mtattest::Error,
) -> Result<Vec<Vec<u8>>, Failure> {
    let mut out = Vec::new();
    if contains(data, b"-----BEGIN") {
        let text = std::str::from_utf8(data).map_err(|e| {
            Failure::new(
                mtattest_result::MTATTEST_ERR_INVALID_UTF8,
                format!("the PEM text is not UTF-8: {e}"),
            )
        })?;
        let mut rest = text;
        while let Some(start) = rest.find("-----BEGIN ") {
            let block = &rest[start..];
            let label = block["-----BEGIN ".len()..]
                .split("-----")
                .next()
                .unwrap_or_default();
            if label != "CERTIFICATE" {
                return Err(bad(
                    out.len(),
                    format!("PEM block is {label:?}, expected \"CERTIFICATE\""),
                )
                .into());
            }
            let end_marker = "-----END CERTIFICATE-----";
            let Some(end) = block.find(end_marker) else {
                return Err(bad(out.len(), "a PEM block does not end".into()).into());
            };
            let end = end + end_marker.len();
            let (_, der) = der::pem::decode_vec(&block.as_bytes()[..end])
                .map_err(|e| bad(out.len(), format!("bad PEM ({e})")))?;
            out.push(der);
            rest = &block[end..];
        }
    } else {
        let mut rest = data;
        while !rest.is_empty() {
            let len = der_len(rest).ok_or_else(|| {
                bad(
                    out.len(),
                    "not a DER certificate (nor a PEM bundle)".to_string(),
                )
            })?;
            let (cert, tail) = rest.split_at(len);
            out.push(cert.to_vec());
            rest = tail;
        }
    }
    if out.is_empty() {
        return Err(bad(0, "no certificate found".to_string()).into());
    }
    Ok(out)
}

/// The length of the DER SEQUENCE at the start of `data` (header
/// included), if it is one that fits.
fn der_len(data: &[u8]) -> Option<usize> {
    let (&tag, rest) = data.split_first()?;
    if tag != 0x30 {
        return None;
    }
    let (&first, rest) = rest.split_first()?;
    let (content, header) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (len, 2 + n)
    };
    let total = header.checked_add(content)?;
    (total <= data.len()).then_some(total)
}

pub(crate) fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Frees a verifier. NULL is ignored.
///
/// # Safety
///
/// `verifier` must be NULL or a verifier not used again (and not in use
/// by another thread).
#[no_mangle]
pub unsafe extern "C" fn mtattest_verifier_free(verifier: *mut mtattest_verifier) {
    // SAFETY: forwarded from the caller.
    boundary::guard_pure((), || unsafe { boundary::free(verifier) });
}

/// Verifies a token at `unix_time` (seconds since 1970, the caller's
/// clock) and appraises it under the verifier's policy (and bulletins):
/// the envelope and claims, the x5chain to the trust anchors with
/// revocation, the signature, freshness against `nonce` (the challenge
/// the relying party issued; NULL and 0 when it issued none) and the
/// replay cache.
///
/// Returns MTATTEST_OK for a valid token (its status says the verdict:
/// affirming, warning, contraindicated, or none without a policy), or the
/// token's stable error code (e.g. MTATTEST_CHAIN_EXPIRED) for a rejected
/// one. In both cases `*out_result` receives a result to free with
/// mtattest_verify_result_free(). A challenge of 1 to 7 or more than 64
/// bytes rejects the token this way (MTATTEST_FRESHNESS_NONCE_LENGTH, status
/// MTATTEST_STATUS_INVALID), as in the CLI and the WASM bindings.
///
/// For any other failure (a NULL or bad argument: nothing was verified)
/// `*out_result` is set to NULL: among them a non-NULL `nonce` of length 0
/// (MTATTEST_CONFIG_EMPTY: an empty challenge is never "no challenge") and
/// no challenge for a verifier that requires one
/// (MTATTEST_CONFIG_NONCE_REQUIRED). So
/// `if (mtattest_verify(...) != MTATTEST_OK)` rejects every token that is
/// not valid, and freeing `*out_result` is always right.
///
/// Arguments are checked before anything is verified, so a bad call never
/// consumes a token in the replay cache.
///
/// # Safety
///
/// `verifier` must be NULL or a live verifier; `token` NULL or `token_len`
/// readable bytes; `nonce` NULL or `nonce_len` readable bytes;
/// `out_result` NULL or valid for writing a pointer.
#[no_mangle]
pub unsafe extern "C" fn mtattest_verify(
    verifier: *const mtattest_verifier,
    token: *const u8,
    token_len: usize,
    nonce: *const u8,
    nonce_len: usize,
    unix_time: i64,
    out_result: *mut *mut mtattest_verify_result,
) -> mtattest_result {
    // SAFETY: forwarded from the caller; no enrolment challenge.
    unsafe {
        mtattest_verify_enrolled(
            verifier,
            token,
            token_len,
            nonce,
            nonce_len,
            std::ptr::null(),
            0,
            unix_time,
            out_result,
        )
    }
}

/// As mtattest_verify(), for a verifier in Android enrolled-key mode
/// (spec §17.6): `enrolment` is the challenge the relying party issued
/// when it enrolled the device's key, which the key's attestation must
/// carry (NULL and 0 for none: in enrolled-key mode the call is then
/// refused with MTATTEST_CONFIG_ENROLMENT_CHALLENGE_REQUIRED; a non-NULL
/// pointer with length 0 with MTATTEST_CONFIG_EMPTY).
///
/// # Safety
///
/// As for mtattest_verify(); `enrolment` NULL or `enrolment_len` readable
/// bytes.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn mtattest_verify_enrolled(
    verifier: *const mtattest_verifier,
    token: *const u8,
    token_len: usize,
    nonce: *const u8,
    nonce_len: usize,
    enrolment: *const u8,
    enrolment_len: usize,
    unix_time: i64,
    out_result: *mut *mut mtattest_verify_result,
) -> mtattest_result {
    boundary::guard(|| {
        // SAFETY: valid for writes per the caller (NULL is refused inside).
        unsafe { write_out(out_result, std::ptr::null_mut(), "out_result") }?;
        // SAFETY: forwarded from the caller.
        let state = unsafe { borrow(verifier, "verifier") }?;
        // SAFETY: forwarded from the caller.
        let token = unsafe { bytes(token, token_len, "token") }?;
        // SAFETY: forwarded from the caller.
        let nonce = unsafe { challenge(nonce, nonce_len) }?;
        // SAFETY: forwarded from the caller.
        let enrolment = unsafe { challenge(enrolment, enrolment_len) }?;
        let now = UnixTime::from_secs(unix_time);
        let (result, outcome) = match state
            .verifier
            .verify_with_enrolment(token, nonce, enrolment, now)
        {
            // The call itself was refused: no result, as for any bad argument.
            Err(e @ mtattest::Error::Config(_)) => return Err(Failure::from(&e)),
            Ok(verified) => {
                let ear = state.verifier.appraise_with(&verified, None, now)?;
                let status = mtattest_status::from(ear.status);
                let message = format!(
                    "token verified; appraisal status {} under policy {:?} ({} reasons)",
                    ear.status.name(),
                    ear.policy_id,
                    ear.reasons.len()
                );
                let result = ResultState {
                    status,
                    error: mtattest_result::MTATTEST_OK,
                    code: CString::default(),
                    message: boundary::c_text(&message),
                    verified: Some(VerifiedOutputs {
                        ear,
                        ear_profile: state.verifier.ear_profile(),
                        android_json: verified.android().map(|e| {
                            let json = mtattest::android::evidence_json(e);
                            boundary::c_text(
                                &serde_json::to_string_pretty(&json)
                                    .unwrap_or_else(|_| json.to_string()),
                            )
                        }),
                        claims: verified.into_claims(),
                        ear_json: OnceLock::new(),
                        ear_cbor: OnceLock::new(),
                        claims_json: OnceLock::new(),
                    }),
                };
                (result, Ok(()))
            }
            Err(e) => {
                let failure = Failure::from(&e);
                let result = ResultState {
                    status: mtattest_status::MTATTEST_STATUS_INVALID,
                    error: failure.code,
                    // The core's own code, even one this build has no
                    // number for.
                    code: boundary::c_text(e.code()),
                    message: boundary::c_text(&failure.message),
                    verified: None,
                };
                (result, Err(failure))
            }
        };
        let handle = into_handle::<mtattest_verify_result>(result);
        // SAFETY: checked non-NULL above; valid for writes per the caller.
        unsafe { write_out(out_result, handle, "out_result") }?;
        outcome
    })
}

/// The challenge argument: absent as (NULL, 0); a non-NULL pointer with
/// length 0 is an empty challenge, which the verifier refuses
/// (`config.empty`), never "no challenge".
///
/// # Safety
///
/// `ptr` must be NULL or point to `len` readable bytes valid for `'a`.
unsafe fn challenge<'a>(ptr: *const u8, len: usize) -> Result<Option<&'a [u8]>, Failure> {
    match (ptr.is_null(), len) {
        (true, 0) => Ok(None),
        (true, _) => Err(Failure::null(&format!("nonce (length {len})"))),
        (false, 0) => Ok(Some(&[])),
        // SAFETY: forwarded from the caller.
        (false, _) => unsafe { bytes(ptr, len, "nonce") }.map(Some),
    }
}

/// Reads a result.
///
/// # Safety
///
/// `result` must be NULL or a live result.
unsafe fn with_result(
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
unsafe fn lend_text(text: &CStr, out: *mut *const c_char, out_len: *mut usize) -> Outcome {
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

fn not_available(what: &str) -> Failure {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_lengths() {
        assert_eq!(der_len(&[0x30, 0x00]), Some(2));
        assert_eq!(der_len(&[0x30, 0x01, 0xff, 0x00]), Some(3));
        assert_eq!(der_len(&[0x30, 0x81, 0x01, 0xff]), Some(4));
        assert_eq!(der_len(&[0x30, 0x82, 0x00, 0x01, 0xff]), Some(5));
        assert_eq!(der_len(&[0x30, 0x05, 0x00]), None);
        assert_eq!(der_len(&[0x31, 0x00]), None);
        assert_eq!(der_len(&[0x30, 0x80]), None);
        assert_eq!(der_len(&[0x30, 0x85, 1, 1, 1, 1, 1]), None);
        assert_eq!(der_len(&[]), None);
    }

    /// A verifier built by the C builder keeps a chain cache and a link
    /// cache (1024 entries each unless sized; spec §10.6).
    #[test]
    fn built_verifiers_cache_chains_and_links() {
        use crate::builder::*;
        const OK: mtattest_result = mtattest_result::MTATTEST_OK;
        let pki = mtattest_testkit::pki::TestPki::standard().unwrap();
        let capacities = |size: Option<usize>| {
            let mut builder = std::ptr::null_mut();
            let mut verifier = std::ptr::null_mut();
            // SAFETY: every pointer is a live handle or a local to write to;
            // the root's DER outlives the call.
            unsafe {
                assert_eq!(mtattest_verifier_builder_new(&mut builder), OK);
                let root = &pki.root.der;
                assert_eq!(
                    mtattest_verifier_builder_add_anchors(builder, root.as_ptr(), root.len()),
                    OK
                );
                if let Some(size) = size {
                    assert_eq!(
                        mtattest_verifier_builder_set_chain_cache_size(builder, size),
                        OK
                    );
                }
                assert_eq!(mtattest_verifier_builder_build(builder, &mut verifier), OK);
                let state = borrow(verifier.cast_const(), "verifier").unwrap();
                let chains = state.verifier.chain_cache_stats().map(|s| s.capacity);
                let links = state.verifier.link_cache_stats().map(|s| s.capacity);
                mtattest_verifier_free(verifier);
                mtattest_verifier_builder_free(builder);
                (chains, links)
            }
        };
        assert_eq!(capacities(None), (Some(1024), Some(1024)));
        assert_eq!(capacities(Some(7)), (Some(7), Some(7)));
    }

    #[test]
    fn algorithm_sets() {
        assert_eq!(algorithms(1).unwrap(), vec![Algorithm::Es384]);
        assert_eq!(algorithms(3).unwrap().len(), 2);
        assert_eq!(
            algorithms(0).unwrap_err().code,
            mtattest_result::MTATTEST_ERR_INVALID_ARGUMENT
        );
        assert_eq!(
            algorithms(4).unwrap_err().code,
            mtattest_result::MTATTEST_ERR_INVALID_ARGUMENT
        );
    }
}
