//! `mtattest verify`: verify a token against trust anchors, appraise it
//! under a policy, print the attestation result (EAR) and exit with a code
//! that says the verdict.

use std::path::{Path, PathBuf};

use mtattest::appraisal::{AttestationResult, Bulletin, EarProfile, Policy, Preset, Status};
use mtattest::crypto::Algorithm;
use mtattest::trust::{ChainOptions, ChainVerifier, Revocation, StatusList, TrustAnchors};
use mtattest::verifier::{KeyCheck, KeySource, Verified, Verifier};
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

/// Arguments of `mtattest verify`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXIT_CODES_HELP, after_help = EXIT_CODES_HELP)]
pub struct VerifyArgs {
    /// The token: a file, or - for stdin; raw CBOR, hex or base64 (detected).
    #[arg(value_name = "TOKEN")]
    pub token: PathBuf,
    /// Trust anchors (manufacturer roots): a PEM bundle, or one DER
    /// certificate. Repeat to trust several files.
    #[arg(long, value_name = "ROOTS.pem", required = true)]
    pub anchors: Vec<PathBuf>,
    /// The challenge the relying party issued (8..64 bytes, hex); the token's
    /// eat-nonce must equal it.
    #[arg(long, value_name = "HEX")]
    pub nonce: Option<String>,
    /// The appraisal policy: a preset (payment, byod, content) or a policy
    /// file (.json or .toml). Without it the token is verified but nothing
    /// is appraised (status none).
    #[arg(long, value_name = "PRESET|FILE")]
    pub policy: Option<String>,
    /// The relying party's app signer digest (hex); every preset needs one.
    /// Repeatable. Added to a policy file's app-signers.
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
    /// Maximum token age in seconds (default 300), plus 60 s clock skew.
    #[arg(long = "max-age", value_name = "SECS")]
    pub max_age: Option<u32>,
    /// Allow only these signature algorithms (repeatable; default both).
    #[arg(long = "alg", value_enum, value_name = "ALG")]
    pub algs: Vec<Alg>,
    /// Refuse a token whose x5chain is in the unprotected header.
    #[arg(long = "require-protected-x5chain")]
    pub require_protected_x5chain: bool,
    /// Print the EAR as JSON (or {"error": {"code", "message"}} for a
    /// rejected token) instead of text.
    #[arg(long)]
    pub json: bool,
    /// The form of the EAR printed by --json: veraison-2023 (profile
    /// tag:github.com,2023:veraison/ear, the default) or ietf-draft-04
    /// (draft-ietf-rats-ear-04, profile tag:ietf.org,2026:rats/ear#04).
    #[arg(
        long = "ear-profile",
        value_enum,
        value_name = "FORM",
        requires = "json"
    )]
    pub ear_profile: Option<EarForm>,
}

/// The EAR form `--ear-profile` selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EarForm {
    /// `tag:github.com,2023:veraison/ear` (the default).
    #[value(name = "veraison-2023")]
    Veraison2023,
    /// `tag:ietf.org,2026:rats/ear#04` (draft-ietf-rats-ear-04).
    #[value(name = "ietf-draft-04")]
    IetfDraft04,
}

impl EarForm {
    /// The library's profile.
    pub fn profile(self) -> EarProfile {
        match self {
            EarForm::Veraison2023 => EarProfile::Veraison2023,
            EarForm::IetfDraft04 => EarProfile::IetfDraft04,
        }
    }
}

/// A signature algorithm of the profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Alg {
    /// ECDSA P-384 with SHA-384.
    #[value(name = "ES384")]
    Es384,
    /// ECDSA P-256 with SHA-256.
    #[value(name = "ES256")]
    Es256,
}

/// The exit-code table, shown by `mtattest verify --help`.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  affirming: every rule of the policy passed
  1  usage, input or I/O error: nothing was verified (one line on stderr)
  2  warning: the token is valid; a rule or an advisory says warning
  3  contraindicated: the token is valid; a rule or an advisory says
     contraindicated
  4  invalid token: rejected (envelope, signature, chain, claims, nonce,
     freshness); the stable error code is printed
  5  none: the token is valid but no rule or advisory gave a verdict (no
     --policy, or one without rules, and no counted advisory); action deny
Without --policy, or with a policy without rules, the action is always deny.";

/// Everything `verify` is configured with, loaded and checked up front.
struct Setup {
    verifier: Verifier,
    policy: Policy,
    nonce: Option<Vec<u8>>,
    now: UnixTime,
}

/// Runs `verify`; returns the exit code, or the one-line message of a
/// usage/input error (exit 1).
pub fn run(args: &VerifyArgs) -> Result<u8, String> {
    let setup = setup(args)?;
    let (_, token) = input::read_token(&args.token)?;
    let verified = match setup
        .verifier
        .verify(&token, setup.nonce.as_deref(), setup.now)
    {
        Ok(v) => v,
        Err(e) => {
            if args.json {
                let json = serde_json::json!({
                    "error": {"code": e.code(), "message": e.to_string()}
                });
                println!("{}", pretty(&json));
            } else {
                println!("INVALID  token rejected: {}", lib_error(&e));
            }
            return Ok(EXIT_INVALID);
        }
    };
    let result = setup.verifier.appraise(&verified, &setup.policy, setup.now);
    if args.json {
        let profile = args
            .ear_profile
            .map_or_else(EarProfile::default, EarForm::profile);
        println!("{}", result.to_json_as(profile));
    } else {
        print!("{}", human(&result, &verified));
    }
    Ok(match result.status {
        Status::Affirming => EXIT_AFFIRMING,
        Status::Warning => EXIT_WARNING,
        Status::Contraindicated => EXIT_CONTRAINDICATED,
        Status::None => EXIT_NONE,
    })
}

fn pretty(json: &serde_json::Value) -> String {
    serde_json::to_string_pretty(json).unwrap_or_else(|_| json.to_string())
}

fn setup(args: &VerifyArgs) -> Result<Setup, String> {
    let mut anchors = TrustAnchors::new();
    for path in &args.anchors {
        for der in input::certificates("--anchors", path)? {
            anchors
                .add_der(&der)
                .map_err(|e| format!("{}: {}", input::display("--anchors", path), lib_error(&e)))?;
        }
    }
    let mut revocation = Revocation::new();
    for path in &args.crl {
        let der = input::pem_or_der("--crl", path, "X509 CRL")?;
        revocation
            .add_crl_der(&der)
            .map_err(|e| format!("{}: {}", input::display("--crl", path), lib_error(&e)))?;
    }
    if let Some(path) = &args.status_list {
        let bytes = input::read("--status-list", path)?;
        let list = StatusList::from_json(&bytes).map_err(|e| {
            format!(
                "{}: {}",
                input::display("--status-list", path),
                lib_error(&e)
            )
        })?;
        revocation.set_status_list(list);
    }
    let options = ChainOptions {
        require_protected_x5chain: args.require_protected_x5chain,
        ..ChainOptions::DEFAULT
    };
    let chains = ChainVerifier::new(anchors)
        .with_revocation(revocation)
        .with_options(options);
    let mut builder = Verifier::builder(KeySource::chain(chains));
    if !args.algs.is_empty() {
        let algs: Vec<Algorithm> = args
            .algs
            .iter()
            .map(|a| match a {
                Alg::Es384 => Algorithm::Es384,
                Alg::Es256 => Algorithm::Es256,
            })
            .collect();
        builder = builder.allowed_algorithms(&algs);
    }
    if let Some(path) = &args.bulletins {
        let bytes = input::read("--bulletins", path)?;
        let bulletin = Bulletin::from_json(&bytes)
            .map_err(|e| format!("{}: {}", input::display("--bulletins", path), lib_error(&e)))?;
        builder = builder.bulletin(bulletin);
    }
    if let Some(secs) = args.max_age {
        builder = builder.max_token_age(secs);
    }
    let signers = args
        .app_signers
        .iter()
        .map(|s| input::hex_arg("--app-signer", s))
        .collect::<Result<Vec<_>, _>>()?;
    let policy = load_policy(args.policy.as_deref(), &signers)?;
    let nonce = args
        .nonce
        .as_deref()
        .map(|n| input::nonce_arg(n, "freshness.nonce-length"))
        .transpose()?;
    let now = match &args.at {
        Some(t) => UnixTime::from_secs(input::time_arg(t)?),
        None => UnixTime::now(),
    };
    Ok(Setup {
        verifier: builder.build(),
        policy,
        nonce,
        now,
    })
}

/// A preset by name, else a policy file; `signers` fill its app-signer rule.
fn load_policy(policy: Option<&str>, signers: &[Vec<u8>]) -> Result<Policy, String> {
    let Some(name) = policy else {
        if !signers.is_empty() {
            return Err("--app-signer needs --policy".to_string());
        }
        return Policy::from_json(br#"{"id": "none"}"#).map_err(|e| lib_error(&e));
    };
    if let Some(preset) = Preset::from_name(name) {
        return Policy::preset(preset, signers).map_err(|e| {
            let hint = if e.code() == "policy.missing-parameter" {
                " (give the relying party's app signer digest with --app-signer HEX)"
            } else {
                ""
            };
            format!("--policy {name}: {}{hint}", lib_error(&e))
        });
    }
    let path = Path::new(name);
    let label = input::display("--policy", path);
    let text = input::read_text("--policy", path).map_err(|e| {
        if path.extension().is_none() && !path.exists() {
            format!("{e} (and not a preset: payment, byod, content)")
        } else {
            e
        }
    })?;
    let hex_signers: Vec<String> = signers.iter().map(hex::encode).collect();
    let is_toml = match path.extension().and_then(|e| e.to_str()) {
        Some(ext) if ext.eq_ignore_ascii_case("toml") => true,
        Some(ext) if ext.eq_ignore_ascii_case("json") => false,
        _ => !text.trim_start().starts_with('{'),
    };
    let loaded = if is_toml {
        let text = if hex_signers.is_empty() {
            text
        } else {
            add_signers_toml(&text, &hex_signers).map_err(|e| format!("{label}: {e}"))?
        };
        Policy::from_toml(&text)
    } else {
        let text = if hex_signers.is_empty() {
            text
        } else {
            add_signers_json(&text, &hex_signers).map_err(|e| format!("{label}: {e}"))?
        };
        Policy::from_json(text.as_bytes())
    };
    loaded.map_err(|e| format!("{label}: {}", lib_error(&e)))
}

fn add_signers_json(text: &str, signers: &[String]) -> Result<String, String> {
    let mut doc: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| format!("policy document is not valid JSON: {e} [policy.syntax]"))?;
    let obj = doc
        .as_object_mut()
        .ok_or("policy document is not a JSON object [policy.syntax]")?;
    let list = obj
        .entry("app-signers")
        .or_insert_with(|| serde_json::Value::Array(Vec::new()));
    let arr = list
        .as_array_mut()
        .ok_or("app-signers is not an array [policy.syntax]")?;
    arr.extend(signers.iter().cloned().map(serde_json::Value::from));
    Ok(doc.to_string())
}

fn add_signers_toml(text: &str, signers: &[String]) -> Result<String, String> {
    let mut doc: toml::Table = text
        .parse()
        .map_err(|e| format!("policy document is not valid TOML: {e} [policy.syntax]"))?;
    let list = doc
        .entry("app-signers")
        .or_insert_with(|| toml::Value::Array(Vec::new()));
    let arr = list
        .as_array_mut()
        .ok_or("app-signers is not an array [policy.syntax]")?;
    arr.extend(signers.iter().cloned().map(toml::Value::from));
    toml::to_string(&doc).map_err(|e| format!("{e}"))
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
        crate::time::format(claims.iat),
        if verified.nonce_checked() {
            "matches the challenge"
        } else {
            "not checked (no --nonce)"
        },
        crate::time::format(verified.verified_at().secs())
    );
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
