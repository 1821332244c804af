//! The relying party's side: configure a verifier once (trust anchors,
//! revocation data, options, policy, bulletins), then verify and appraise
//! tokens into result handles.

use std::ffi::{c_char, CStr, CString};
use std::sync::OnceLock;

use mtattest::appraisal::{
    AttestationResult, Bulletin, EarProfile, Freshness, Policy, PolicyDocument,
};
use mtattest::claims::ClaimsSet;
use mtattest::crypto::Algorithm;
use mtattest::error::ChainError;
use mtattest::trust::{ChainOptions, ChainVerifier, Revocation, StatusList, TrustAnchors};
use mtattest::verifier::{KeySource, Verifier};
use mtattest::UnixTime;

use crate::boundary::{
    self, borrow, borrow_mut, bytes, c_str, into_handle, optional_bytes, text, write_out, Failure,
    Opaque, Outcome,
};
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

/// The EAR form of a MTATTEST_EAR_PROFILE_* value; any other is refused.
pub(crate) fn ear_profile(value: u32) -> Result<EarProfile, Failure> {
    match value {
        MTATTEST_EAR_PROFILE_VERAISON_2023 => Ok(EarProfile::Veraison2023),
        MTATTEST_EAR_PROFILE_IETF_DRAFT_04 => Ok(EarProfile::IetfDraft04),
        other => Err(Failure::invalid(format!(
            "EAR profile {other} is unknown (known: MTATTEST_EAR_PROFILE_VERAISON_2023 0, \
             MTATTEST_EAR_PROFILE_IETF_DRAFT_04 1)"
        ))),
    }
}

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

/// Collects a verifier's configuration: trust anchors (at least one),
/// revocation data, options, the policy and bulletins. Made by
/// mtattest_verifier_builder_new(), freed by
/// mtattest_verifier_builder_free(). Not for use by two threads at once.
pub struct mtattest_verifier_builder {
    _private: [u8; 0],
}

/// What a builder holds.
pub(crate) struct BuilderState {
    anchors: TrustAnchors,
    revocation: Revocation,
    chain_options: ChainOptions,
    algorithms: Vec<Algorithm>,
    freshness: Freshness,
    policy: Option<Policy>,
    bulletin: Option<Bulletin>,
    ear_profile: EarProfile,
}

impl Opaque for mtattest_verifier_builder {
    type Inner = BuilderState;
    const MAGIC: u64 = 0x6d74_6174_625f_6c64; // "mtatb_ld"
    const NAME: &'static str = "mtattest_verifier_builder";
}

/// A configured verifier: verifies and appraises tokens. Made by
/// mtattest_verifier_builder_build(), freed by mtattest_verifier_free().
/// mtattest_verify() may be called on one verifier from several threads at
/// once; the verifier keeps one in-memory replay cache for all of them.
pub struct mtattest_verifier {
    _private: [u8; 0],
}

/// What a verifier holds.
pub(crate) struct VerifierState {
    verifier: Verifier,
    policy: Policy,
    ear_profile: EarProfile,
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

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Makes a verifier builder with the defaults: no anchors yet, no
/// revocation data, ES384 and ES256 allowed, tokens up to 300 s old with
/// 60 s clock skew, x5chain accepted in either header, no policy (results
/// have status MTATTEST_STATUS_NONE unless a bulletin advisory counts, and
/// action deny whatever the status), no bulletins, the EAR in the
/// Veraison 2023 form.
///
/// # Safety
///
/// `out` must be NULL or valid for writing a pointer.
#[no_mangle]
pub unsafe extern "C" fn mtattest_verifier_builder_new(
    out: *mut *mut mtattest_verifier_builder,
) -> mtattest_result {
    boundary::guard(|| {
        if out.is_null() {
            return Err(Failure::null("out"));
        }
        let state = BuilderState {
            anchors: TrustAnchors::new(),
            revocation: Revocation::new(),
            chain_options: ChainOptions::DEFAULT,
            algorithms: Algorithm::ALL.to_vec(),
            freshness: Freshness::DEFAULT,
            policy: None,
            bulletin: None,
            ear_profile: EarProfile::default(),
        };
        // SAFETY: `out` is non-NULL and valid for writes per the caller.
        unsafe { write_out(out, into_handle(state), "out") }
    })
}

/// Frees a verifier builder. NULL is ignored.
///
/// # Safety
///
/// `builder` must be NULL or a builder not used again.
#[no_mangle]
pub unsafe extern "C" fn mtattest_verifier_builder_free(builder: *mut mtattest_verifier_builder) {
    // SAFETY: forwarded from the caller.
    boundary::guard_pure((), || unsafe { boundary::free(builder) });
}

/// Runs a setter on a builder.
///
/// # Safety
///
/// `builder` must be NULL or a live builder used by no one else meanwhile.
unsafe fn with_builder(
    builder: *mut mtattest_verifier_builder,
    set: impl FnOnce(&mut BuilderState) -> Outcome,
) -> mtattest_result {
    boundary::guard(|| {
        // SAFETY: forwarded from the caller.
        let state = unsafe { borrow_mut(builder, "builder") }?;
        set(state)
    })
}

/// Trusts the certificates in `data`: a PEM bundle, or one or more DER
/// certificates one after the other. Fails with MTATTEST_CHAIN_BAD_ANCHOR
/// (nothing from `data` is added) if one is unusable or already trusted.
/// May be called several times (e.g. a manufacturer's old and new root).
///
/// # Safety
///
/// `builder` must be NULL or a live builder used by no one else meanwhile;
/// `data` must be NULL or point to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn mtattest_verifier_builder_add_anchors(
    builder: *mut mtattest_verifier_builder,
    data: *const u8,
    len: usize,
) -> mtattest_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        with_builder(builder, |state| {
            let data = bytes(data, len, "anchors")?;
            let first = state.anchors.len();
            let bad = |i: usize, reason: String| -> mtattest::Error {
                ChainError::BadAnchor {
                    index: first + i,
                    reason,
                }
                .into()
            };
            let ders = certificates(data, &bad)?;
            let mut anchors = state.anchors.clone();
            for der in &ders {
                anchors.add_der(der)?;
            }
            state.anchors = anchors;
            Ok(())
        })
    }
}

/// Adds a CRL (PEM "X509 CRL" or DER) of a CA on the chains. Fails with
/// MTATTEST_CHAIN_BAD_REVOCATION_DATA if it is malformed; its signature is
/// checked when a chain reaches its issuer. May be called several times.
///
/// # Safety
///
/// As for mtattest_verifier_builder_add_anchors.
#[no_mangle]
pub unsafe extern "C" fn mtattest_verifier_builder_add_crl(
    builder: *mut mtattest_verifier_builder,
    data: *const u8,
    len: usize,
) -> mtattest_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        with_builder(builder, |state| {
            let data = bytes(data, len, "crl")?;
            let bad = |reason: String| -> Failure {
                mtattest::Error::from(ChainError::BadRevocationData { reason }).into()
            };
            let der = if contains(data, b"-----BEGIN") {
                let start = data
                    .windows(10)
                    .position(|w| w == b"-----BEGIN")
                    .unwrap_or(0);
                let (label, der) = der::pem::decode_vec(&data[start..])
                    .map_err(|e| bad(format!("bad PEM ({e})")))?;
                if label != "X509 CRL" {
                    return Err(bad(format!(
                        "PEM block is {label:?}, expected \"X509 CRL\""
                    )));
                }
                der
            } else {
                data.to_vec()
            };
            state.revocation.add_crl_der(&der)?;
            Ok(())
        })
    }
}

/// Sets the revocation status list (JSON, the Android attestation status
/// list form), replacing an earlier one. Fails with
/// MTATTEST_CHAIN_BAD_REVOCATION_DATA if it is malformed.
///
/// # Safety
///
/// As for mtattest_verifier_builder_add_anchors.
#[no_mangle]
pub unsafe extern "C" fn mtattest_verifier_builder_set_status_list(
    builder: *mut mtattest_verifier_builder,
    json: *const u8,
    len: usize,
) -> mtattest_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        with_builder(builder, |state| {
            let json = bytes(json, len, "status list")?;
            let list = StatusList::from_json(json)?;
            state.revocation.set_status_list(list);
            Ok(())
        })
    }
}

/// Allows only the algorithms in `mask`, a bit set of MTATTEST_ALG_ES384
/// and MTATTEST_ALG_ES256 (default: both). An empty set or an unknown bit
/// gives MTATTEST_ERR_INVALID_ARGUMENT.
///
/// # Safety
///
/// `builder` must be NULL or a live builder used by no one else meanwhile.
#[no_mangle]
pub unsafe extern "C" fn mtattest_verifier_builder_set_algorithms(
    builder: *mut mtattest_verifier_builder,
    mask: u32,
) -> mtattest_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        with_builder(builder, |state| {
            state.algorithms = algorithms(mask)?;
            Ok(())
        })
    }
}

/// Sets the largest accepted token age (seconds after its iat; default
/// 300) and the accepted clock difference between device and verifier
/// (seconds; default 60).
///
/// # Safety
///
/// `builder` must be NULL or a live builder used by no one else meanwhile.
#[no_mangle]
pub unsafe extern "C" fn mtattest_verifier_builder_set_freshness(
    builder: *mut mtattest_verifier_builder,
    max_age_secs: u32,
    clock_skew_secs: u32,
) -> mtattest_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        with_builder(builder, |state| {
            state.freshness = Freshness {
                max_age_secs,
                clock_skew_secs,
            };
            Ok(())
        })
    }
}

/// With `required` true, refuses tokens whose x5chain is in the
/// unprotected header (MTATTEST_CHAIN_UNPROTECTED). Default: false.
///
/// # Safety
///
/// `builder` must be NULL or a live builder used by no one else meanwhile.
#[no_mangle]
pub unsafe extern "C" fn mtattest_verifier_builder_set_require_protected_x5chain(
    builder: *mut mtattest_verifier_builder,
    required: bool,
) -> mtattest_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        with_builder(builder, |state| {
            state.chain_options.require_protected_x5chain = required;
            Ok(())
        })
    }
}

/// Chooses the form of the attestation result (EAR) that the results of
/// the verifiers built from this builder lend
/// (mtattest_verify_result_ear_json, mtattest_verify_result_ear_cbor):
/// MTATTEST_EAR_PROFILE_VERAISON_2023 (the default) or
/// MTATTEST_EAR_PROFILE_IETF_DRAFT_04 (spec/appraisal.md section 11.6).
/// Any other value gives MTATTEST_ERR_INVALID_ARGUMENT and changes
/// nothing.
///
/// # Safety
///
/// `builder` must be NULL or a live builder used by no one else meanwhile.
#[no_mangle]
pub unsafe extern "C" fn mtattest_verifier_builder_set_ear_profile(
    builder: *mut mtattest_verifier_builder,
    profile: u32,
) -> mtattest_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        with_builder(builder, |state| {
            state.ear_profile = ear_profile(profile)?;
            Ok(())
        })
    }
}

/// Sets the appraisal policy to a built-in preset ("payment", "byod" or
/// "content"), with the relying party's app signer digests, which every
/// preset pins: `app_signer_count` digests of `app_signer_len` bytes each
/// (16 to 64; 32 for SHA-256), one after the other at `app_signers`.
/// Replaces an earlier policy. An unknown name gives
/// MTATTEST_POLICY_UNKNOWN_PRESET, no digests
/// MTATTEST_POLICY_MISSING_PARAMETER.
///
/// # Safety
///
/// `builder` must be NULL or a live builder used by no one else meanwhile;
/// `name` NULL or a NUL-terminated string; `app_signers` NULL or
/// `app_signer_len * app_signer_count` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn mtattest_verifier_builder_set_policy_preset(
    builder: *mut mtattest_verifier_builder,
    name: *const c_char,
    app_signers: *const u8,
    app_signer_len: usize,
    app_signer_count: usize,
) -> mtattest_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        with_builder(builder, |state| {
            let name = c_str(name, "the preset name")?;
            let signers: Vec<&[u8]> = if app_signer_count == 0 {
                Vec::new()
            } else {
                let total = app_signer_len
                    .checked_mul(app_signer_count)
                    .ok_or_else(|| {
                        Failure::invalid("app_signer_len * app_signer_count overflows")
                    })?;
                bytes(app_signers, total, "app_signers")?
                    .chunks(app_signer_len)
                    .collect()
            };
            let hex: Vec<String> = signers
                .iter()
                .map(|d| d.iter().map(|b| format!("{b:02x}")).collect())
                .collect();
            let doc = PolicyDocument {
                extends: Some(name.to_string()),
                app_signers: hex,
                ..PolicyDocument::default()
            };
            let policy = Policy::from_document(doc).map_err(mtattest::Error::from)?;
            state.policy = Some(policy);
            Ok(())
        })
    }
}

/// Sets the appraisal policy from a JSON policy document
/// (spec/appraisal.md), replacing an earlier one. Fails with the
/// document's MTATTEST_POLICY_* code.
///
/// # Safety
///
/// `builder` must be NULL or a live builder used by no one else meanwhile;
/// `json` NULL or `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn mtattest_verifier_builder_set_policy_json(
    builder: *mut mtattest_verifier_builder,
    json: *const c_char,
    len: usize,
) -> mtattest_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        with_builder(builder, |state| {
            let json = text(json, len, "policy JSON")?;
            state.policy = Some(Policy::from_json(json.as_bytes())?);
            Ok(())
        })
    }
}

/// Sets the vulnerability bulletin feed (JSON) consulted when appraising,
/// replacing an earlier one. Fails with the feed's MTATTEST_BULLETIN_*
/// code.
///
/// # Safety
///
/// As for mtattest_verifier_builder_set_policy_json.
#[no_mangle]
pub unsafe extern "C" fn mtattest_verifier_builder_set_bulletins(
    builder: *mut mtattest_verifier_builder,
    json: *const c_char,
    len: usize,
) -> mtattest_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        with_builder(builder, |state| {
            let json = text(json, len, "bulletin JSON")?;
            state.bulletin = Some(Bulletin::from_json(json.as_bytes())?);
            Ok(())
        })
    }
}

/// The policy used when none is set: no rules, so status none.
fn no_policy() -> Result<Policy, Failure> {
    Ok(Policy::from_json(br#"{"id": "none"}"#)?)
}

/// Builds a verifier from the builder's configuration into `*out`. The
/// builder is not consumed: free it with mtattest_verifier_builder_free(),
/// or build more verifiers from it (each has its own replay cache). Fails
/// with MTATTEST_ERR_NO_TRUST_ANCHORS if no anchor was added.
///
/// # Safety
///
/// `builder` must be NULL or a live builder not mutated meanwhile; `out`
/// NULL or valid for writing a pointer.
#[no_mangle]
pub unsafe extern "C" fn mtattest_verifier_builder_build(
    builder: *const mtattest_verifier_builder,
    out: *mut *mut mtattest_verifier,
) -> mtattest_result {
    boundary::guard(|| {
        if out.is_null() {
            return Err(Failure::null("out"));
        }
        // SAFETY: forwarded from the caller.
        let state = unsafe { borrow(builder, "builder") }?;
        if state.anchors.is_empty() {
            return Err(Failure::new(
                mtattest_result::MTATTEST_ERR_NO_TRUST_ANCHORS,
                "no trust anchors were added: no token could verify",
            ));
        }
        let chains = ChainVerifier::new(state.anchors.clone())
            .with_revocation(state.revocation.clone())
            .with_options(state.chain_options);
        let mut verifier = Verifier::builder(KeySource::chain(chains))
            .allowed_algorithms(&state.algorithms)
            .freshness(state.freshness);
        if let Some(bulletin) = &state.bulletin {
            verifier = verifier.bulletin(bulletin.clone());
        }
        let policy = match &state.policy {
            Some(p) => p.clone(),
            None => no_policy()?,
        };
        let handle = into_handle::<mtattest_verifier>(VerifierState {
            verifier: verifier.build(),
            policy,
            ear_profile: state.ear_profile,
        });
        // SAFETY: `out` is non-NULL and valid for writes per the caller.
        unsafe { write_out(out, handle, "out") }
    })
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
/// mtattest_verify_result_free(). For any other failure (a NULL or bad
/// argument: nothing was verified) `*out_result` is set to NULL. So
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
    boundary::guard(|| {
        // SAFETY: valid for writes per the caller (NULL is refused inside).
        unsafe { write_out(out_result, std::ptr::null_mut(), "out_result") }?;
        // SAFETY: forwarded from the caller.
        let state = unsafe { borrow(verifier, "verifier") }?;
        // SAFETY: forwarded from the caller.
        let token = unsafe { bytes(token, token_len, "token") }?;
        // SAFETY: forwarded from the caller.
        let nonce = unsafe { optional_bytes(nonce, nonce_len, "nonce") }?;
        let now = UnixTime::from_secs(unix_time);
        let (result, outcome) = match state.verifier.verify(token, nonce, now) {
            Ok(verified) => {
                let ear = state.verifier.appraise(&verified, &state.policy, now);
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
                        ear_profile: state.ear_profile,
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

    #[test]
    fn ear_profiles() {
        assert_eq!(
            ear_profile(MTATTEST_EAR_PROFILE_VERAISON_2023).unwrap(),
            EarProfile::Veraison2023
        );
        assert_eq!(
            ear_profile(MTATTEST_EAR_PROFILE_IETF_DRAFT_04).unwrap(),
            EarProfile::IetfDraft04
        );
        for bad in [2, 3, u32::MAX] {
            let e = ear_profile(bad).unwrap_err();
            assert_eq!(e.code, mtattest_result::MTATTEST_ERR_INVALID_ARGUMENT);
            assert!(e.message.contains("EAR profile"), "{}", e.message);
        }
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
