//! The relying party's configuration from C: the builder's setters fill a
//! [`VerifierConfig`] member by member, and
//! mtattest_verifier_from_config_json() takes a whole one. Either way the
//! core checks it ([`VerifierConfig::check_contents`] after every setter,
//! [`VerifierConfig::build`] when built), so C refuses exactly what the
//! CLI and the WASM bindings refuse, with the same codes.

use std::ffi::{c_char, CStr};

use mtattest::config::{
    ConfigError, DerSource, JsonSource, PolicyConfig, ReplayConfig, Text, VerifierConfig,
};
use mtattest::encoding::is_pem;
use mtattest::encoding::to_hex;
use mtattest::error::ChainError;

use crate::boundary::{
    self, borrow, borrow_mut, bytes, certificates, into_handle, utf8, write_out, Failure, Opaque,
    Outcome,
};
use crate::error::mtattest_result;
use crate::verify::{
    mtattest_verifier, VerifierState, MTATTEST_ALG_ES256, MTATTEST_ALG_ES384,
    MTATTEST_EAR_PROFILE_IETF_DRAFT_04, MTATTEST_EAR_PROFILE_VERAISON_2023,
};

/// The name of the policy the builder's policy setters configure.
const POLICY: &str = "policy";

/// Collects a verifier's configuration: trust anchors (at least one),
/// revocation data, options, the policy and bulletins. Made by
/// mtattest_verifier_builder_new(), freed by
/// mtattest_verifier_builder_free(). Not for use by two threads at once.
pub struct mtattest_verifier_builder {
    _private: [u8; 0],
}

/// What a builder holds: the configuration so far, every value of it
/// checked.
pub(crate) struct BuilderState {
    config: VerifierConfig,
}

impl Opaque for mtattest_verifier_builder {
    type Inner = BuilderState;
    const MAGIC: u64 = 0x6d74_6174_625f_6c64; // "mtatb_ld"
    const NAME: &'static str = "mtattest_verifier_builder";
}

/// The algorithm names of a bit set of MTATTEST_ALG_*; an unknown bit is
/// `config.bad-value`. An empty set is an empty list, which the
/// configuration refuses (`config.empty`), never "every algorithm".
pub(crate) fn algorithm_names(mask: u32) -> Result<Vec<Text>, Failure> {
    let known = MTATTEST_ALG_ES384 | MTATTEST_ALG_ES256;
    if mask & !known != 0 {
        return Err(mtattest::Error::from(ConfigError::BadValue {
            field: "allowed-algorithms".into(),
            reason: format!(
                "algorithm set 0x{mask:x} has unknown bits (known: MTATTEST_ALG_ES384 0x1, \
                 MTATTEST_ALG_ES256 0x2)"
            ),
        })
        .into());
    }
    let mut out = Vec::new();
    if mask & MTATTEST_ALG_ES384 != 0 {
        out.push("ES384".into());
    }
    if mask & MTATTEST_ALG_ES256 != 0 {
        out.push("ES256".into());
    }
    Ok(out)
}

/// The EAR form name of a MTATTEST_EAR_PROFILE_* value; any other is
/// `config.bad-value`.
pub(crate) fn ear_profile_name(value: u32) -> Result<&'static str, Failure> {
    match value {
        MTATTEST_EAR_PROFILE_VERAISON_2023 => Ok("veraison-2023"),
        MTATTEST_EAR_PROFILE_IETF_DRAFT_04 => Ok("ietf-draft-04"),
        other => Err(mtattest::Error::from(ConfigError::BadValue {
            field: "ear-profile".into(),
            reason: format!(
                "EAR profile {other} is unknown (known: MTATTEST_EAR_PROFILE_VERAISON_2023 0, \
                 MTATTEST_EAR_PROFILE_IETF_DRAFT_04 1)"
            ),
        })
        .into()),
    }
}

/// A configuration value given as bytes: NULL is refused, but a length of
/// 0 is passed on as an empty value for the configuration to refuse
/// (`config.empty`, as everywhere else).
///
/// # Safety
///
/// `ptr` must be NULL or point to `len` readable bytes valid for `'a`.
unsafe fn value_bytes<'a>(ptr: *const u8, len: usize, what: &str) -> Result<&'a [u8], Failure> {
    if ptr.is_null() {
        return Err(Failure::null(what));
    }
    if len == 0 {
        return Ok(&[]);
    }
    // SAFETY: forwarded from the caller.
    unsafe { bytes(ptr, len, what) }
}

/// A configuration value given as UTF-8 text (pointer, length); as
/// [`value_bytes`].
///
/// # Safety
///
/// As for [`value_bytes`].
unsafe fn value_text<'a>(ptr: *const c_char, len: usize, what: &str) -> Result<&'a str, Failure> {
    // SAFETY: forwarded from the caller; c_char and u8 have one layout.
    let raw = unsafe { value_bytes(ptr.cast::<u8>(), len, what) }?;
    utf8(raw, what)
}

/// A configuration value given as a NUL-terminated string; "" is passed on
/// (`config.empty`).
///
/// # Safety
///
/// `ptr` must be NULL or point to a NUL-terminated string valid for `'a`.
unsafe fn value_c_str<'a>(ptr: *const c_char, what: &str) -> Result<&'a str, Failure> {
    if ptr.is_null() {
        return Err(Failure::null(what));
    }
    // SAFETY: non-NULL, and the caller guarantees a NUL-terminated string.
    let raw = unsafe { CStr::from_ptr(ptr) }.to_bytes();
    utf8(raw, what)
}

/// PEM text as is, or DER items (one or more, one after the other) as hex.
fn der_sources(
    data: &[u8],
    what: &str,
    bad: &dyn Fn(usize, String) -> mtattest::Error,
) -> Result<Vec<DerSource>, Failure> {
    if data.is_empty() {
        return Ok(vec![DerSource::Der(Text::default())]);
    }
    if is_pem(data) {
        return Ok(vec![DerSource::Pem(utf8(data, what)?.into())]);
    }
    Ok(certificates(data, what, bad)?
        .iter()
        .map(|der| DerSource::der(der))
        .collect())
}

/// Makes a verifier builder with the defaults: no anchors yet, no
/// revocation data, ES384 and ES256 allowed, tokens up to 300 s old with
/// 60 s clock skew, x5chain accepted in either header, no policy (results
/// have status MTATTEST_STATUS_NONE unless a bulletin advisory counts, and
/// action deny whatever the status), no bulletins, the EAR in the Veraison
/// 2023 form, a chain cache of 1024 chains and a replay cache
/// sized for 1000 tokens per second, the aws-lc crypto provider in builds
/// that have it (else RustCrypto). These are the defaults of the
/// configuration format (docs/configuration.md).
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
            config: VerifierConfig::default(),
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

/// Runs a setter on a builder: the change is made to a copy of the
/// configuration, which the core checks; only a configuration that passes
/// replaces the builder's, so a refused call changes nothing.
///
/// # Safety
///
/// `builder` must be NULL or a live builder used by no one else meanwhile.
unsafe fn with_builder(
    builder: *mut mtattest_verifier_builder,
    set: impl FnOnce(&mut VerifierConfig) -> Outcome,
) -> mtattest_result {
    boundary::guard(|| {
        // SAFETY: forwarded from the caller.
        let state = unsafe { borrow_mut(builder, "builder") }?;
        let mut next = state.config.clone();
        set(&mut next)?;
        next.check_contents()?;
        state.config = next;
        Ok(())
    })
}

/// Trusts the certificates in `data`: a PEM bundle, or one or more DER
/// certificates one after the other. Fails with MTATTEST_CHAIN_BAD_ANCHOR
/// (nothing from `data` is added) if one is unusable or already trusted,
/// MTATTEST_CONFIG_EMPTY if `len` is 0. May be called several times (e.g.
/// a manufacturer's old and new root).
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
        with_builder(builder, |config| {
            let data = value_bytes(data, len, "anchors")?;
            let anchors = config.anchors.get_or_insert_with(Vec::new);
            let first = anchors.len();
            let bad = |i: usize, reason: String| -> mtattest::Error {
                ChainError::BadAnchor {
                    index: first + i,
                    reason,
                }
                .into()
            };
            anchors.extend(der_sources(data, "the anchors PEM", &bad)?);
            Ok(())
        })
    }
}

/// Adds a CRL (PEM "X509 CRL" or DER) of a CA on the chains. Fails with
/// MTATTEST_CHAIN_BAD_REVOCATION_DATA if it is malformed (its signature is
/// checked when a chain reaches its issuer), MTATTEST_CONFIG_EMPTY if `len`
/// is 0. May be called several times.
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
        with_builder(builder, |config| {
            let data = value_bytes(data, len, "crl")?;
            let source = if data.is_empty() {
                DerSource::Der(Text::default())
            } else if is_pem(data) {
                DerSource::Pem(utf8(data, "the CRL PEM")?.into())
            } else {
                DerSource::der(data)
            };
            config.crls.get_or_insert_with(Vec::new).push(source);
            Ok(())
        })
    }
}

/// Sets the revocation status list (JSON, the Android attestation status
/// list form), replacing an earlier one. Fails with
/// MTATTEST_CHAIN_BAD_REVOCATION_DATA if it is malformed,
/// MTATTEST_CONFIG_EMPTY if it is empty or only whitespace (never "no
/// status list").
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
        with_builder(builder, |config| {
            let json = value_text(json.cast::<c_char>(), len, "status list")?;
            config.status_list = Some(JsonSource::Json(json.into()));
            Ok(())
        })
    }
}

/// Allows only the algorithms in `mask`, a bit set of MTATTEST_ALG_ES384
/// and MTATTEST_ALG_ES256 (default: both). An empty set gives
/// MTATTEST_CONFIG_EMPTY (never "every algorithm"), an unknown bit
/// MTATTEST_CONFIG_BAD_VALUE.
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
        with_builder(builder, |config| {
            config.allowed_algorithms = Some(algorithm_names(mask)?);
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
        with_builder(builder, |config| {
            config.max_age_secs = Some(max_age_secs);
            config.clock_skew_secs = Some(clock_skew_secs);
            Ok(())
        })
    }
}

/// With `required` true, mtattest_verify() refuses a call without a
/// challenge (MTATTEST_CONFIG_NONCE_REQUIRED, no result). Default: false.
///
/// # Safety
///
/// `builder` must be NULL or a live builder used by no one else meanwhile.
#[no_mangle]
pub unsafe extern "C" fn mtattest_verifier_builder_set_require_nonce(
    builder: *mut mtattest_verifier_builder,
    required: bool,
) -> mtattest_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        with_builder(builder, |config| {
            config.require_nonce = Some(required);
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
        with_builder(builder, |config| {
            config.require_protected_x5chain = Some(required);
            Ok(())
        })
    }
}

/// Chooses the crypto provider by name: "rustcrypto", or "aws-lc" in
/// builds with the aws-lc feature (MTATTEST_CONFIG_UNAVAILABLE otherwise).
/// Default: aws-lc where built, else rustcrypto. An unknown name gives
/// MTATTEST_CONFIG_BAD_VALUE, "" MTATTEST_CONFIG_EMPTY.
///
/// # Safety
///
/// `builder` must be NULL or a live builder used by no one else meanwhile;
/// `name` NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn mtattest_verifier_builder_set_crypto_provider(
    builder: *mut mtattest_verifier_builder,
    name: *const c_char,
) -> mtattest_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        with_builder(builder, |config| {
            config.crypto = Some(value_c_str(name, "the provider name")?.into());
            Ok(())
        })
    }
}

/// The name of the crypto provider a verifier uses unless
/// mtattest_verifier_builder_set_crypto_provider() says otherwise, as a
/// static NUL-terminated string that is never freed: "aws-lc" in a library
/// built with the aws-lc feature (a default feature of this crate), else
/// "rustcrypto". A pure look-up: it returns no result code and leaves the
/// last error as it is.
#[no_mangle]
pub extern "C" fn mtattest_default_crypto_provider() -> *const c_char {
    match mtattest::crypto::default_provider_name() {
        Some("aws-lc") => c"aws-lc".as_ptr(),
        Some("rustcrypto") => c"rustcrypto".as_ptr(),
        _ => std::ptr::null(),
    }
}

/// Sets how many validated chains the verifier caches (default 1024; a
/// device's chain is then validated once per validity window, not per
/// token). 0 gives MTATTEST_CONFIG_BAD_VALUE.
///
/// # Safety
///
/// `builder` must be NULL or a live builder used by no one else meanwhile.
#[no_mangle]
pub unsafe extern "C" fn mtattest_verifier_builder_set_chain_cache_size(
    builder: *mut mtattest_verifier_builder,
    chains: usize,
) -> mtattest_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        with_builder(builder, |config| {
            config.chain_cache_size = Some(chains);
            Ok(())
        })
    }
}

/// Sizes the replay cache for `tokens_per_second` accepted tokens per
/// second at peak (default 5000): a full cache refuses tokens
/// (MTATTEST_REPLAY_CACHE_FULL) rather than forget one. 0 gives
/// MTATTEST_CONFIG_BAD_VALUE.
///
/// # Safety
///
/// `builder` must be NULL or a live builder used by no one else meanwhile.
#[no_mangle]
pub unsafe extern "C" fn mtattest_verifier_builder_set_replay_peak_rate(
    builder: *mut mtattest_verifier_builder,
    tokens_per_second: u32,
) -> mtattest_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        with_builder(builder, |config| {
            config.replay = Some(ReplayConfig {
                peak_rate: Some(tokens_per_second),
            });
            Ok(())
        })
    }
}

/// Chooses the form of the attestation result (EAR) that the results of
/// the verifiers built from this builder lend
/// (mtattest_verify_result_ear_json, mtattest_verify_result_ear_cbor):
/// MTATTEST_EAR_PROFILE_VERAISON_2023 (the default) or
/// MTATTEST_EAR_PROFILE_IETF_DRAFT_04 (spec/appraisal.md section 11.6).
/// Any other value gives MTATTEST_CONFIG_BAD_VALUE and changes nothing.
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
        with_builder(builder, |config| {
            config.ear_profile = Some(ear_profile_name(profile)?.into());
            Ok(())
        })
    }
}

/// Makes `policy` the builder's one policy (and the default), replacing an
/// earlier one.
fn set_policy(config: &mut VerifierConfig, policy: PolicyConfig) {
    config.policies = Some([(POLICY.to_string(), policy)].into());
    config.default_policy = Some(POLICY.into());
}

/// Sets the appraisal policy to a built-in preset ("payment", "byod",
/// "content" or "iot"), with the relying party's app signer digests, which
/// the phone presets pin and "iot" takes none of: `app_signer_count`
/// digests of `app_signer_len` bytes each (16 to 64; 32 for SHA-256), one
/// after the other at `app_signers`. Replaces an earlier policy. An
/// unknown name gives MTATTEST_POLICY_UNKNOWN_PRESET, ""
/// MTATTEST_CONFIG_EMPTY, no digests for a phone preset
/// MTATTEST_POLICY_MISSING_PARAMETER, digests for "iot"
/// MTATTEST_POLICY_SYNTAX, digests of length 0 MTATTEST_CONFIG_EMPTY.
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
        with_builder(builder, |config| {
            let name = value_c_str(name, "the preset name")?;
            let signers: Option<Vec<Text>> = match (app_signer_count, app_signer_len) {
                (0, _) => None,
                (count, 0) => Some(vec![Text::default(); count]),
                (count, len) => {
                    let total = len.checked_mul(count).ok_or_else(|| {
                        Failure::invalid("app_signer_len * app_signer_count overflows")
                    })?;
                    let data = bytes(app_signers, total, "app_signers")?;
                    Some(data.chunks(len).map(|d| Text::new(to_hex(d))).collect())
                }
            };
            let mut policy = PolicyConfig::preset(name);
            policy.app_signers = signers;
            set_policy(config, policy);
            Ok(())
        })
    }
}

/// Sets the appraisal policy from a JSON policy document
/// (spec/appraisal.md), replacing an earlier one. Fails with the
/// document's MTATTEST_POLICY_* code, MTATTEST_CONFIG_EMPTY if it is empty
/// or only whitespace.
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
        with_builder(builder, |config| {
            let json = value_text(json, len, "policy JSON")?;
            set_policy(
                config,
                PolicyConfig {
                    json: Some(json.into()),
                    ..PolicyConfig::default()
                },
            );
            Ok(())
        })
    }
}

/// Sets the appraisal policy from a TOML policy document (the same
/// document as mtattest_verifier_builder_set_policy_json, spec §11.3, in
/// TOML, as the CLI reads `.toml` policy files), replacing an earlier one.
/// A TOML syntax error, an unknown key or a value of the wrong type is
/// MTATTEST_POLICY_SYNTAX, the message naming the line and column (and the
/// key); the document's other faults its MTATTEST_POLICY_* code;
/// MTATTEST_CONFIG_EMPTY if it is empty or only whitespace;
/// MTATTEST_ERR_INVALID_UTF8 if it is not UTF-8.
///
/// # Safety
///
/// `builder` must be NULL or a live builder used by no one else meanwhile;
/// `toml` NULL or `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn mtattest_verifier_builder_set_policy_toml(
    builder: *mut mtattest_verifier_builder,
    toml: *const c_char,
    len: usize,
) -> mtattest_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        with_builder(builder, |config| {
            let toml = value_text(toml, len, "policy TOML")?;
            set_policy(
                config,
                PolicyConfig {
                    toml: Some(toml.into()),
                    ..PolicyConfig::default()
                },
            );
            Ok(())
        })
    }
}

/// Sets the Android Key Attestation settings (spec §17): `json` is the
/// configuration's `android` object (`anchors`, `google-roots`,
/// `challenge`, `min-security-level`; docs/configuration.md), replacing
/// earlier settings. Fails with MTATTEST_CONFIG_SYNTAX if it is not such an
/// object, MTATTEST_CONFIG_EMPTY if it is empty or only whitespace; its
/// values are checked by mtattest_verifier_builder_build.
///
/// # Safety
///
/// As for mtattest_verifier_builder_set_policy_json.
#[no_mangle]
pub unsafe extern "C" fn mtattest_verifier_builder_set_android_json(
    builder: *mut mtattest_verifier_builder,
    json: *const c_char,
    len: usize,
) -> mtattest_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        with_builder(builder, |config| {
            let json = value_text(json, len, "android JSON")?;
            config.android = Some(mtattest::config::AndroidConfig::from_json(json.as_bytes())?);
            Ok(())
        })
    }
}

/// Sets the vulnerability bulletin feed (JSON) consulted when appraising,
/// replacing an earlier one. Fails with the feed's MTATTEST_BULLETIN_*
/// code, MTATTEST_CONFIG_EMPTY if it is empty or only whitespace (never
/// "no feed").
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
        with_builder(builder, |config| {
            let json = value_text(json, len, "bulletin JSON")?;
            config.bulletins = Some(JsonSource::Json(json.into()));
            Ok(())
        })
    }
}

/// Builds a verifier from `config` into `*out`.
///
/// # Safety
///
/// `out` must be non-NULL and valid for writing a pointer.
unsafe fn build_into(config: &VerifierConfig, out: *mut *mut mtattest_verifier) -> Outcome {
    let verifier = config.build()?;
    let handle = into_handle::<mtattest_verifier>(VerifierState::new(verifier));
    // SAFETY: `out` is non-NULL and valid for writes per the caller.
    unsafe { write_out(out, handle, "out") }
}

/// Builds a verifier from the builder's configuration into `*out`. The
/// builder is not consumed: free it with mtattest_verifier_builder_free(),
/// or build more verifiers from it (each has its own replay cache and
/// chain cache). Fails with MTATTEST_CONFIG_NO_ANCHORS if no anchor was
/// added.
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
        // SAFETY: `out` was checked non-NULL; valid for writes per the caller.
        unsafe { build_into(&state.config, out) }
    })
}

/// Builds a verifier from a whole configuration in its JSON form
/// (docs/configuration.md: "anchors", "crls", "status-list",
/// "allowed-algorithms", "max-age-secs", "policies", "crypto", ...) into
/// `*out`. The document holds data only: a `{"file": ...}` entry gives
/// MTATTEST_CONFIG_UNAVAILABLE (this library reads no files). Fails with
/// the configuration's code: MTATTEST_CONFIG_SYNTAX for a malformed
/// document or an unknown member, MTATTEST_CONFIG_EMPTY for an empty value,
/// MTATTEST_CONFIG_NO_ANCHORS without anchors, and the loaders' codes
/// (MTATTEST_CHAIN_BAD_ANCHOR, MTATTEST_POLICY_*, ...).
///
/// # Safety
///
/// `json` must be NULL or point to `len` readable bytes; `out` NULL or
/// valid for writing a pointer.
#[no_mangle]
pub unsafe extern "C" fn mtattest_verifier_from_config_json(
    json: *const c_char,
    len: usize,
    out: *mut *mut mtattest_verifier,
) -> mtattest_result {
    boundary::guard(|| {
        if out.is_null() {
            return Err(Failure::null("out"));
        }
        // SAFETY: forwarded from the caller.
        let json = unsafe { value_bytes(json.cast::<u8>(), len, "configuration JSON") }?;
        let config = VerifierConfig::from_json(json)?;
        // SAFETY: `out` was checked non-NULL; valid for writes per the caller.
        unsafe { build_into(&config, out) }
    })
}

/// Builds a verifier from a whole configuration in its TOML form (the
/// same document as mtattest_verifier_from_config_json, docs/configuration.md,
/// as the CLI reads a `--config` file ending in `.toml`) into `*out`. A
/// TOML syntax error, an unknown key or a value of the wrong type is
/// MTATTEST_CONFIG_SYNTAX, the message naming the line and column (and the
/// key); otherwise as mtattest_verifier_from_config_json (data only, the
/// configuration's and the loaders' codes); MTATTEST_ERR_INVALID_UTF8 if
/// the text is not UTF-8.
///
/// # Safety
///
/// `toml` must be NULL or point to `len` readable bytes; `out` NULL or
/// valid for writing a pointer.
#[no_mangle]
pub unsafe extern "C" fn mtattest_verifier_from_config_toml(
    toml: *const c_char,
    len: usize,
    out: *mut *mut mtattest_verifier,
) -> mtattest_result {
    boundary::guard(|| {
        if out.is_null() {
            return Err(Failure::null("out"));
        }
        // SAFETY: forwarded from the caller.
        let toml = unsafe { value_text(toml, len, "configuration TOML") }?;
        let config = VerifierConfig::from_toml(toml)?;
        // SAFETY: `out` was checked non-NULL; valid for writes per the caller.
        unsafe { build_into(&config, out) }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ear_profiles() {
        assert_eq!(
            ear_profile_name(MTATTEST_EAR_PROFILE_VERAISON_2023).unwrap(),
            "veraison-2023"
        );
        assert_eq!(
            ear_profile_name(MTATTEST_EAR_PROFILE_IETF_DRAFT_04).unwrap(),
            "ietf-draft-04"
        );
        for bad in [2, 3, u32::MAX] {
            let e = ear_profile_name(bad).unwrap_err();
            assert_eq!(e.code, mtattest_result::MTATTEST_CONFIG_BAD_VALUE);
            assert!(e.message.contains("EAR profile"), "{}", e.message);
        }
    }

    #[test]
    fn algorithm_sets() {
        let names = |mask| {
            algorithm_names(mask)
                .unwrap()
                .iter()
                .map(|t| t.as_written().to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(1), ["ES384"]);
        assert_eq!(names(3), ["ES384", "ES256"]);
        // Empty stays empty: the configuration refuses it.
        assert!(names(0).is_empty());
        assert_eq!(
            algorithm_names(4).unwrap_err().code,
            mtattest_result::MTATTEST_CONFIG_BAD_VALUE
        );
    }
}
