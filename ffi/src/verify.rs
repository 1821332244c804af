//! The relying party's side: verify and appraise tokens with a verifier
//! (configured by the builder, `builder.rs`) into result handles
//! (`result.rs`).

use mtattest::crypto::Algorithm;
use mtattest::verifier::Verifier;
use mtattest::UnixTime;

use crate::boundary::{self, borrow, bytes, into_handle, write_out, Failure, Opaque};
use crate::error::mtattest_result;
use crate::result::{mtattest_verify_result, ResultState};

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

// One verifier serves many threads (its replay cache and chain cache lock
// internally); keep that true.
const _: fn() = || {
    fn sync<T: Sync + Send>() {}
    sync::<VerifierState>();
    // Accessors may run on several threads at once.
    sync::<ResultState>();
};

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
                let android_json = verified.android().map(|e| {
                    let json = mtattest::android::evidence_json(e);
                    serde_json::to_string_pretty(&json).unwrap_or_else(|_| json.to_string())
                });
                let result = ResultState::verified(
                    status,
                    &message,
                    ear,
                    state.verifier.ear_profile(),
                    android_json,
                    verified.into_claims(),
                );
                (result, Ok(()))
            }
            Err(e) => {
                let failure = Failure::from(&e);
                let result = ResultState::rejected(&failure, e.code());
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

#[cfg(test)]
mod tests {
    use super::*;

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
