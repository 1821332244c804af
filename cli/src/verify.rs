//! `mtattest verify`: verify a token against trust anchors, appraise it
//! under a policy, print the attestation result (EAR) and exit with a code
//! that says the verdict.
//!
//! The flags only translate: they fill a [`VerifierConfig`] (over the one
//! `--config` loads, flag by flag), and the library checks it. So the
//! command refuses exactly what the C ABI and the WASM bindings refuse,
//! with the same codes (`tests/config-matrix/`).

use std::path::{Path, PathBuf};

use mtattest::appraisal::{Action, AttestationResult, Status};
use mtattest::config::{
    challenge_from_hex, AndroidConfig, ConfigError, DerSource, JsonSource, PolicyConfig, Text,
    VerifierConfig,
};
use mtattest::encoding::to_hex;
use mtattest::verifier::{KeyCheck, Verified, Verifier};
use mtattest::UnixTime;

use crate::input::{self, lib_error};

/// Exit code: the result is affirming.
pub const EXIT_AFFIRMING: u8 = 0;
/// Exit code: the result is warning.
pub const EXIT_WARNING: u8 = 2;
/// Exit code: the result is contraindicated.
pub const EXIT_CONTRAINDICATED: u8 = 3;
/// Exit code: the token was rejected.
pub const EXIT_INVALID: u8 = 4;
/// Exit code: the token is valid but no rule or advisory gave a verdict
/// (status none).
pub const EXIT_NONE: u8 = 5;

/// The name the `--policy` flag's policy has in the configuration.
const POLICY_FLAG: &str = "--policy";

/// Arguments of `mtattest verify`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXIT_CODES_HELP, after_help = EXIT_CODES_HELP)]
pub struct VerifyArgs {
    /// The token: a file, or - for stdin; raw CBOR, hex or base64 (detected).
    #[arg(value_name = "TOKEN")]
    pub token: PathBuf,
    /// A verifier configuration, TOML (.toml) or JSON (.json); see
    /// docs/configuration.md. The flags below override its members.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Trust anchors (manufacturer roots): a PEM bundle, or one DER
    /// certificate. Repeat to trust several files. Required, here or in
    /// --config.
    #[arg(long, value_name = "ROOTS.pem")]
    pub anchors: Vec<PathBuf>,
    /// The challenge the relying party issued (lowercase hex); the token's eat-nonce
    /// must equal it. Empty or not hex: a usage error; not 8..64 bytes: the
    /// token is invalid (freshness.nonce-length).
    #[arg(long, value_name = "HEX")]
    pub nonce: Option<String>,
    /// The appraisal policy: a preset (payment, byod, content, iot) or a policy
    /// file (.json or .toml). Without it (and without a default policy in
    /// --config) the token is verified but nothing is appraised (status
    /// none).
    #[arg(long, value_name = "PRESET|FILE")]
    pub policy: Option<String>,
    /// The relying party's app signer digest (lowercase hex); every phone preset
    /// (payment, byod, content) needs one, iot takes none.
    /// Repeatable. Added to the --policy file's app-signers.
    #[arg(long = "app-signer", value_name = "HEX")]
    pub app_signers: Vec<String>,
    /// A vulnerability bulletin (JSON feed) to appraise against.
    #[arg(long, value_name = "FILE")]
    pub bulletins: Option<PathBuf>,
    /// Verification time: epoch seconds or RFC 3339 (2026-01-01T00:00:00Z).
    /// Default: now.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// A CRL (PEM or DER) of a CA on the chain. Repeatable.
    #[arg(long, value_name = "FILE")]
    pub crl: Vec<PathBuf>,
    /// A revocation status list (JSON, Android attestation status list form).
    #[arg(long = "status-list", value_name = "FILE")]
    pub status_list: Option<PathBuf>,
    /// Also trust Google's hardware attestation roots, under the Android
    /// profile (spec §17.3): tokens signed by Android attested keys.
    #[arg(long = "google-roots")]
    pub google_roots: bool,
    /// Also trust these anchors (PEM or DER) under the Android profile
    /// (spec §17.3.2), e.g. a test PKI's. Repeatable.
    #[arg(long = "android-anchors", value_name = "FILE")]
    pub android_anchors: Vec<PathBuf>,
    /// The lowest Android security level accepted: tee (default) or
    /// strongbox (spec §17.4).
    #[arg(long = "android-min-security-level", value_name = "LEVEL")]
    pub android_min_security_level: Option<String>,
    /// Enrolled-key mode (spec §17.6): the challenge (hex) issued when the
    /// device's Android key was enrolled, which its attestation must carry.
    #[arg(long = "enrolment-challenge", value_name = "HEX")]
    pub enrolment_challenge: Option<String>,
    /// Maximum token age in seconds (default 300). The clock skew is still
    /// allowed on top of it: --max-age 0 accepts a token up to
    /// --clock-skew seconds old.
    #[arg(long = "max-age", value_name = "SECS")]
    pub max_age: Option<u32>,
    /// Accepted clock skew in seconds (default 60).
    #[arg(long = "clock-skew", value_name = "SECS")]
    pub clock_skew: Option<u32>,
    /// Allow only these signature algorithms: ES384, ES256 (repeatable;
    /// default both).
    #[arg(long = "alg", value_name = "ALG")]
    pub algs: Vec<String>,
    /// Refuse a token whose x5chain is in the unprotected header.
    #[arg(long = "require-protected-x5chain")]
    pub require_protected_x5chain: bool,
    /// Refuse to verify without --nonce.
    #[arg(long = "require-nonce")]
    pub require_nonce: bool,
    /// The crypto provider: rustcrypto, or aws-lc in builds with the aws-lc
    /// feature (a default feature, and then the default provider).
    #[arg(long, value_name = "NAME")]
    pub crypto: Option<String>,
    /// Print one JSON document instead of text: status, action, policy and
    /// a flat reasons array (rule, claim, seen, required, status, …), the
    /// EAR ("ear"), the verified claims ("claims", spec §12) and the
    /// Android attestation ("android") when there is one. A rejected token
    /// prints status "invalid", action "deny", no reasons and {"error":
    /// {"code", "message"}}; a refused configuration or a usage error prints
    /// only the error (code null for a mistake without a library code).
    #[arg(long)]
    pub json: bool,
    /// Also print the verified claims, layer by layer (text output).
    #[arg(long, conflicts_with = "json")]
    pub claims: bool,
    /// The form of the EAR printed by --json: veraison-2023 (profile
    /// tag:github.com,2023:veraison/ear, the default) or ietf-draft-04
    /// (draft-ietf-rats-ear-04, profile tag:ietf.org,2026:rats/ear#04).
    #[arg(long = "ear-profile", value_name = "FORM", requires = "json")]
    pub ear_profile: Option<String>,
}

/// The exit-code table, shown by `mtattest verify --help`.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  affirming: every rule of the policy passed
  1  usage, configuration, input or I/O error: nothing was verified (one
     line on stderr, ending with the stable code when there is one, e.g.
     [config.empty] for an empty --nonce; with --json also
     {\"error\": {\"code\", \"message\"}} on stdout); also a stdout closed
     before everything was written (`| head -1`), quietly, with no message
  2  warning: the token is valid; a rule or an advisory says warning
  3  contraindicated: the token is valid; a rule or an advisory says
     contraindicated
  4  invalid token: rejected (envelope, signature, chain, claims, nonce,
     freshness; a --nonce outside 8..64 bytes is freshness.nonce-length);
     the stable error code is printed
  5  none: the token is valid but no rule or advisory gave a verdict (no
     --policy, or one without rules, and no counted advisory); action deny
Without --policy, or with a policy without rules, the action is always deny.";

/// Why `verify` could not run.
enum SetupError {
    /// The library refused the configuration or the call: a code.
    Library(mtattest::Error),
    /// A command-line or input mistake without a library code.
    Usage(String),
}

impl From<mtattest::Error> for SetupError {
    fn from(e: mtattest::Error) -> SetupError {
        SetupError::Library(e)
    }
}

/// Everything `verify` is configured with, loaded and checked up front.
struct Setup {
    verifier: Verifier,
    nonce: Option<Vec<u8>>,
    enrolment: Option<Vec<u8>>,
    now: UnixTime,
}

/// Runs `verify`; returns the exit code, or the one-line message of a
/// usage, configuration or input error (exit 1).
pub fn run(args: &VerifyArgs) -> Result<u8, String> {
    let setup = match setup(args) {
        Ok(setup) => setup,
        Err(SetupError::Library(e)) => return refused(args, &e),
        Err(SetupError::Usage(message)) => return Err(usage_error(args, message)),
    };
    let (_, token) =
        input::read_token(&args.token).map_err(|message| usage_error(args, message))?;
    let verified = match setup.verifier.verify_with_enrolment(
        &token,
        setup.nonce.as_deref(),
        setup.enrolment.as_deref(),
        setup.now,
    ) {
        Ok(v) => v,
        Err(e @ mtattest::Error::Config(_)) => return refused(args, &e),
        Err(e) => {
            if args.json {
                outln!("{}", pretty(&rejected_json(&e)));
            } else {
                outln!("INVALID  token rejected: {}", lib_error(&e));
            }
            return Ok(EXIT_INVALID);
        }
    };
    let result = match setup.verifier.appraise_with(&verified, None, setup.now) {
        Ok(result) => result,
        Err(e) => return refused(args, &e),
    };
    if args.json {
        let document = json_document(&result, &verified, setup.verifier.ear_profile());
        outln!("{}", pretty(&document));
    } else {
        out!("{}", human(&result, &verified));
        if args.claims {
            out!(
                "verified claims:\n{}",
                mtattest::claims::render_text(verified.claims())
            );
        }
    }
    Ok(match result.status {
        Status::Affirming => EXIT_AFFIRMING,
        Status::Warning => EXIT_WARNING,
        Status::Contraindicated => EXIT_CONTRAINDICATED,
        Status::None => EXIT_NONE,
    })
}

/// A configuration or call the library refused: nothing was verified
/// (exit 1), with the code on stderr and, with --json, on stdout.
fn refused(args: &VerifyArgs, e: &mtattest::Error) -> Result<u8, String> {
    if args.json {
        outln!("{}", pretty(&error_json(e)));
    }
    let hint = match e {
        mtattest::Error::Config(ConfigError::Unreadable { field, .. })
            if field.starts_with(&format!("policies.{POLICY_FLAG}.")) =>
        {
            " (and not a preset: payment, byod, content, iot)"
        }
        _ => "",
    };
    Err(format!("{}{hint}", lib_error(e)))
}

fn error_json(e: &mtattest::Error) -> serde_json::Value {
    serde_json::json!({"error": {"code": e.code(), "message": e.to_string()}})
}

/// A token that failed verification: the flat summary a script reads for
/// every token (`status` invalid, `action` deny, no reasons: there is no
/// attestation result to give reasons, spec §11.3.2), and the error. The C
/// ABI and the page report the same action for it.
fn rejected_json(e: &mtattest::Error) -> serde_json::Value {
    let mut document = error_json(e);
    document["status"] = "invalid".into();
    document["action"] = Action::FOR_REJECTED_TOKEN.name().into();
    document["reasons"] = serde_json::Value::Array(Vec::new());
    document
}

/// A usage or input error (exit 1): with `--json`, also the error object on
/// stdout; the message for stderr.
fn usage_error(args: &VerifyArgs, message: String) -> String {
    if args.json {
        outln!("{}", pretty(&usage_error_json(&message)));
    }
    message
}

/// The `--json` error object of a mistake without a library code (a
/// command-line mistake, an unreadable token): its code is null, since
/// spec §13 lists every code an implementation may report and these are
/// not rejections of a token.
pub fn usage_error_json(message: &str) -> serde_json::Value {
    serde_json::json!({"error": {"code": null, "message": message}})
}

/// What `verify --json` prints for a valid token: one document with a flat
/// summary for scripts (`status`, `action`, `policy`, `reasons`: `jq
/// '.reasons[]'`), the EAR in the chosen profile, the verified claims in
/// the JSON form of spec §12, and the Android attestation behind the token
/// when there is one (spec §17).
fn json_document(
    result: &AttestationResult,
    verified: &Verified,
    profile: mtattest::appraisal::EarProfile,
) -> serde_json::Value {
    let mut document = serde_json::json!({
        "status": result.status.name(),
        "action": result.action.name(),
        "policy": result.policy_id,
        "reasons": result.reasons.iter().map(reason_json).collect::<Vec<_>>(),
        "ear": result.to_json_value_as(profile),
        "claims": verified.claims().to_json(),
    });
    if let (Some(android), Some(map)) = (verified.android(), document.as_object_mut()) {
        map.insert("android".into(), mtattest::android::evidence_json(android));
    }
    document
}

/// One reason, flat: every field of the core's `Reason` by the names the
/// EAR uses for them (spec §11.6), `seen` null when the claim is absent;
/// the optional fields only when set.
fn reason_json(reason: &mtattest::appraisal::Reason) -> serde_json::Value {
    let mut json = serde_json::json!({
        "rule": reason.rule,
        "claim": reason.claim,
        "seen": reason.seen,
        "required": reason.required,
        "status": reason.status.name(),
        "failure": reason.failure.name(),
    });
    if let Some(map) = json.as_object_mut() {
        let optional = [
            ("evidence-source", reason.evidence_source.map(|s| s.name())),
            (
                "effective-source",
                reason.effective_source.map(|s| s.name()),
            ),
            ("min-source", reason.min_source.map(|s| s.name())),
            ("component", reason.component.map(|c| c.name())),
            ("advisory", reason.advisory.as_deref()),
        ];
        for (key, value) in optional {
            if let Some(value) = value {
                map.insert(key.into(), value.into());
            }
        }
    }
    json
}

fn pretty(json: &serde_json::Value) -> String {
    serde_json::to_string_pretty(json).unwrap_or_else(|_| json.to_string())
}

fn setup(args: &VerifyArgs) -> Result<Setup, SetupError> {
    if !args.app_signers.is_empty() && args.policy.is_none() {
        return Err(SetupError::Usage("--app-signer needs --policy".into()));
    }
    let mut config = match &args.config {
        Some(path) => VerifierConfig::load(path)?,
        None => VerifierConfig::default(),
    };
    let mut flags = flags_config(args);
    // Flag paths are the caller's, relative to the working directory.
    flags.resolve_files(Path::new(""))?;
    config.overlay(flags);
    let verifier = config.build()?;
    let nonce = args.nonce.as_deref().map(challenge_from_hex).transpose()?;
    let enrolment = args
        .enrolment_challenge
        .as_deref()
        .map(challenge_from_hex)
        .transpose()?;
    let now = match &args.at {
        Some(t) => UnixTime::from_secs(input::time_arg(t).map_err(SetupError::Usage)?),
        None => UnixTime::now(),
    };
    Ok(Setup {
        verifier,
        nonce,
        enrolment,
        now,
    })
}

fn file(path: &Path) -> Text {
    Text::new(path.to_string_lossy())
}

/// The configuration the flags describe, values exactly as given.
fn flags_config(args: &VerifyArgs) -> VerifierConfig {
    let files = |paths: &[PathBuf]| {
        (!paths.is_empty()).then(|| paths.iter().map(|p| DerSource::File(file(p))).collect())
    };
    let policy = args.policy.as_deref().map(|name| {
        let mut policy = PolicyConfig::preset_or_file(name);
        if !args.app_signers.is_empty() {
            policy.app_signers = Some(args.app_signers.iter().map(|s| s.as_str().into()).collect());
        }
        [(POLICY_FLAG.to_string(), policy)].into()
    });
    VerifierConfig {
        anchors: files(&args.anchors),
        crls: files(&args.crl),
        status_list: args
            .status_list
            .as_deref()
            .map(|p| JsonSource::File(file(p))),
        require_protected_x5chain: args.require_protected_x5chain.then_some(true),
        allowed_algorithms: (!args.algs.is_empty())
            .then(|| args.algs.iter().map(|a| a.as_str().into()).collect()),
        max_age_secs: args.max_age,
        clock_skew_secs: args.clock_skew,
        require_nonce: args.require_nonce.then_some(true),
        default_policy: policy.as_ref().map(|_| POLICY_FLAG.into()),
        policies: policy,
        bulletins: args.bulletins.as_deref().map(|p| JsonSource::File(file(p))),
        ear_profile: args.ear_profile.as_deref().map(Text::from),
        crypto: args.crypto.as_deref().map(Text::from),
        android: (args.google_roots
            || args.enrolment_challenge.is_some()
            || !args.android_anchors.is_empty()
            || args.android_min_security_level.is_some())
        .then(|| AndroidConfig {
            anchors: files(&args.android_anchors),
            google_roots: args.google_roots.then_some(true),
            challenge: args.enrolment_challenge.as_ref().map(|_| "enrolled".into()),
            min_security_level: args.android_min_security_level.as_deref().map(Text::from),
        }),
        ..VerifierConfig::default()
    }
}

/// The text form: the verdict first, then what was verified, the layers
/// and one line per reason.
fn human(result: &AttestationResult, verified: &Verified) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let verdict = match result.status {
        Status::None => "NONE (nothing appraised)".to_string(),
        s => s.name().to_uppercase(),
    };
    let _ = writeln!(
        out,
        "{verdict}  action: {}  policy: {}",
        result.action.name(),
        result.policy_id
    );
    let key = match verified.key() {
        KeyCheck::Configured => "the configured key".to_string(),
        KeyCheck::Chain(chain) => format!(
            "x5chain validated to trust anchor #{} ({} certificates in the path, leaf serial {})",
            chain.anchor_index(),
            chain.path_len(),
            chain.leaf_serial()
        ),
        other => format!("{other:?}"),
    };
    let claims = verified.claims();
    let _ = writeln!(
        out,
        "token: valid {} signature, {key}",
        verified.algorithm().name()
    );
    let _ = writeln!(
        out,
        "freshness: iat {}, nonce {}, checked at {}",
        crate::input::time_text(claims.iat),
        match (&claims.nonce, verified.nonce_checked()) {
            (Some(nonce), true) => format!("{} matches the challenge", to_hex(nonce.as_bytes())),
            (Some(nonce), false) =>
                format!("{} not checked (no --nonce)", to_hex(nonce.as_bytes())),
            (None, _) => "none".to_string(),
        },
        crate::input::time_text(verified.verified_at().secs())
    );
    if let Some(android) = verified.android() {
        let _ = writeln!(out, "android attestation: {}", android.binding.attester);
        for (label, value) in
            mtattest::android::key_description_summary(&android.attestation.key_description)
        {
            let _ = writeln!(out, "  {label}: {value}");
        }
        let proved: Vec<&str> = android
            .binding
            .claims
            .iter()
            .filter(|c| c.comparison == mtattest::android::Comparison::Agrees)
            .map(|c| c.claim)
            .collect();
        let _ = writeln!(
            out,
            "  proved: {}",
            if proved.is_empty() {
                "nothing".to_string()
            } else {
                proved.join(", ")
            }
        );
        for c in &android.binding.claims {
            if c.comparison != mtattest::android::Comparison::Agrees {
                let _ = writeln!(
                    out,
                    "  {} {}: attested {}{}",
                    c.comparison.name(),
                    c.claim,
                    c.attested,
                    c.token
                        .as_deref()
                        .map(|t| format!(", token {t}"))
                        .unwrap_or_default()
                );
            }
        }
    }
    if !result.layers.is_empty() {
        let layers: Vec<String> = result
            .layers
            .iter()
            .map(|l| format!("{} {}", l.layer.name(), l.status.name()))
            .collect();
        let _ = writeln!(out, "layers: {}", layers.join(", "));
    }
    if result.reasons.is_empty() {
        if result.status != Status::None {
            let _ = writeln!(out, "reasons: none (every rule passed)");
        }
        return out;
    }
    let _ = writeln!(out, "reasons ({}):", result.reasons.len());
    for r in &result.reasons {
        let seen = r.seen.as_deref().unwrap_or("(absent)");
        let mut notes = vec![format!("rule {}", r.rule), r.failure.name().to_string()];
        if let Some(a) = &r.advisory {
            notes.push(format!("advisory {a}"));
        }
        if let (Some(declared), Some(effective)) = (r.evidence_source, r.effective_source) {
            if declared == effective {
                notes.push(format!("source {}", declared.name()));
            } else {
                notes.push(format!(
                    "source {} counted as {}",
                    declared.name(),
                    effective.name()
                ));
            }
        }
        if let Some(min) = r.min_source {
            notes.push(format!("min source {}", min.name()));
        }
        let _ = writeln!(
            out,
            "  {:<16}{}  seen: {seen}  required: {}  ({})",
            r.status.name(),
            r.claim,
            r.required,
            notes.join(", ")
        );
    }
    out
}
