//! `mtattest inspect`: decode a token WITHOUT verifying it and show its
//! headers, certificates, claims per layer and CBOR diagnostic notation.
//!
//! Nothing here checks a signature, a chain or freshness; everything shown
//! is labelled unverified. The reading is the core's
//! ([`mtattest::inspect`]: lenient, with the strict decoder's verdict
//! beside it); this module only formats it as text or JSON.

use std::path::PathBuf;

use ciborium::value::Value;
use mtattest::claims::{render_text, ClaimsSet};
use mtattest::crypto::Algorithm;
use mtattest::inspect::{bucket_name, inspect, Inspection, LABEL_ALG, LABEL_CRIT, LABEL_KID};
use serde_json::json;

use crate::input;
use crate::verify::{EXIT_AFFIRMING, EXIT_INVALID};
use mtattest::diag;
use mtattest::encoding::{to_hex, TokenEncoding};

/// Arguments of `mtattest inspect`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Exit codes:
  0  the token is well-formed (envelope and claims decode); NOT verified
  1  usage, input or I/O error
  4  the token is not well-formed; what could be decoded is still shown")]
pub struct InspectArgs {
    /// The token: a file, or - for stdin; raw CBOR, hex or base64 (detected).
    #[arg(value_name = "TOKEN")]
    pub token: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

const BANNER: &str = "UNVERIFIED: decoded without checking the signature, the certificate chain, \
freshness or any policy. Nothing below is authenticated; use `mtattest verify` to trust it.";

/// Runs `inspect`; returns the exit code.
pub fn run(args: &InspectArgs) -> Result<u8, String> {
    let (encoding, bytes) = input::read_token(&args.token)?;
    let view = inspect(&bytes);
    if args.json {
        outln!("{}", ordered_pretty(&to_json(encoding, &view)));
    } else {
        out!("{}", to_text(encoding, &view));
    }
    Ok(if view.well_formed() {
        EXIT_AFFIRMING
    } else {
        EXIT_INVALID
    })
}

fn tags_text(tags: &[u64]) -> String {
    let names: Vec<String> = tags
        .iter()
        .map(|t| match t {
            61 => "61 (CWT)".to_string(),
            18 => "18 (COSE_Sign1)".to_string(),
            t => format!("{t} (unexpected)"),
        })
        .collect();
    if names.is_empty() {
        "none (untagged)".to_string()
    } else {
        names.join(" > ")
    }
}

fn alg_text(v: &Value) -> String {
    let profile_alg = v
        .as_integer()
        .and_then(|i| i64::try_from(i).ok())
        .and_then(Algorithm::from_cose_id);
    match profile_alg {
        Some(a) => format!("{} ({})", a.name(), a.cose_id()),
        None => format!(
            "{} (not allowed by this profile)",
            diag::render_compact(v, &diag::Limits::DEFAULT)
        ),
    }
}

fn diag_of(value: Option<&Value>) -> Option<String> {
    value.map(|v| diag::render(v, &diag::Limits::DEFAULT))
}

fn to_text(encoding: TokenEncoding, view: &Inspection) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(out, "{BANNER}\n");
    let _ = writeln!(
        out,
        "token: {} bytes, read as {}",
        view.size,
        encoding.name()
    );
    if view.top.is_some() {
        let _ = writeln!(out, "tags: {}", tags_text(&view.tags));
    }
    if view.well_formed() {
        let _ = writeln!(
            out,
            "decoding: well-formed (envelope and claims follow the profile)"
        );
    } else {
        let _ = writeln!(out, "decoding: NOT well-formed");
    }
    for p in &view.problems {
        let code = p.code.map(|c| format!(" [{c}]")).unwrap_or_default();
        let _ = writeln!(out, "  {}: {}{code}", p.stage.name(), p.message);
    }
    if view.top.is_none() {
        return out;
    }

    let _ = writeln!(out, "\nheaders (unverified)");
    match view.param(LABEL_ALG) {
        Some(p) => {
            let _ = writeln!(
                out,
                "  alg: {}, {}",
                alg_text(p.value),
                bucket_name(p.bucket)
            );
        }
        None => {
            let _ = writeln!(out, "  alg: (none)");
        }
    }
    match view.param(LABEL_KID) {
        Some(p) => {
            let kid = match p.value {
                Value::Bytes(b) => format!("h'{}'", to_hex(b)),
                v => diag::render_compact(v, &diag::Limits::DEFAULT),
            };
            let _ = writeln!(out, "  kid: {kid}, {}", bucket_name(p.bucket));
        }
        None => {
            let _ = writeln!(out, "  kid: (none)");
        }
    }
    if let Some(p) = view.param(LABEL_CRIT) {
        let _ = writeln!(
            out,
            "  crit: {}, {}",
            diag::render_compact(p.value, &diag::Limits::DEFAULT),
            bucket_name(p.bucket)
        );
    }
    match &view.x5chain {
        Some(chain) => {
            let _ = writeln!(
                out,
                "  x5chain: {}, {} certificate(s)",
                bucket_name(chain.bucket),
                chain.count
            );
        }
        None => {
            let _ = writeln!(out, "  x5chain: (none)");
        }
    }
    if let Some(p) = &view.payload {
        let _ = writeln!(out, "  payload: {} bytes", p.len());
    }
    if let Some(len) = view.signature_len {
        let _ = writeln!(out, "  signature: {len} bytes");
    }

    if let Some(chain) = &view.x5chain {
        let _ = writeln!(out, "\ncertificates (x5chain, leaf first; unverified)");
        for (i, cert) in chain.certificates.iter().enumerate() {
            match &cert.summary {
                Ok(c) => {
                    let _ = writeln!(out, "  [{i}] subject: {}", c.subject);
                    let _ = writeln!(out, "      issuer:  {}", c.issuer);
                    let _ = writeln!(out, "      serial:  {}", c.serial);
                    let _ = writeln!(
                        out,
                        "      valid:   {} to {}",
                        crate::input::time_text(c.not_before),
                        crate::input::time_text(c.not_after)
                    );
                    let _ = writeln!(out, "      key:     {}", c.key);
                    match &c.key_description {
                        Some(Ok(kd)) => {
                            let _ = writeln!(out, "      Android KeyDescription (unverified):");
                            for (label, value) in mtattest::android::key_description_summary(kd) {
                                let _ = writeln!(out, "        {label}: {value}");
                            }
                        }
                        Some(Err(e)) => {
                            let _ = writeln!(out, "      Android KeyDescription: malformed ({e})");
                        }
                        None => {}
                    }
                }
                Err(e) => {
                    let _ = writeln!(out, "  [{i}] not a certificate ({e}), {} bytes", cert.size);
                }
            }
        }
        if chain.count > chain.certificates.len() {
            let _ = writeln!(
                out,
                "  ... {} more not shown",
                chain.count - chain.certificates.len()
            );
        }
    }

    let _ = writeln!(out, "\nclaims (unverified)");
    match &view.claims {
        Some(c) => {
            for line in render_text(c).lines() {
                let _ = writeln!(out, "  {line}");
            }
        }
        None => {
            let _ = writeln!(
                out,
                "  (the payload is not a valid claims set; see the diagnostic notation below)"
            );
        }
    }

    let _ = writeln!(out, "\nCBOR diagnostic notation: token");
    if let Some(t) = diag_of(view.top.as_ref()) {
        let _ = writeln!(out, "{t}");
    }
    if let Some(h) = diag_of(view.protected.as_ref()) {
        let _ = writeln!(out, "\nCBOR diagnostic notation: protected header");
        let _ = writeln!(out, "{h}");
    }
    if let Some(p) = diag_of(view.payload_value.as_ref()) {
        let _ = writeln!(out, "\nCBOR diagnostic notation: payload");
        let _ = writeln!(out, "{p}");
    }
    out
}

fn to_json(encoding: TokenEncoding, view: &Inspection) -> Vec<(&'static str, serde_json::Value)> {
    let param = |label: i64| {
        view.param(label).map(|p| {
            json!({
                "bucket": bucket_name(p.bucket),
                "diagnostic": diag::render_compact(p.value, &diag::Limits::DEFAULT),
            })
        })
    };
    let alg = view.param(LABEL_ALG).map(|p| {
        json!({
            "bucket": bucket_name(p.bucket),
            "value": view.algorithm_label(),
            "name": view
                .algorithm_label()
                .and_then(Algorithm::from_cose_id)
                .map(Algorithm::name),
        })
    });
    let kid = view.param(LABEL_KID).map(|p| match p.value {
        Value::Bytes(b) => json!({"bucket": bucket_name(p.bucket), "hex": to_hex(b)}),
        v => json!({
            "bucket": bucket_name(p.bucket),
            "diagnostic": diag::render_compact(v, &diag::Limits::DEFAULT),
        }),
    });
    let certificates: Vec<serde_json::Value> = view
        .x5chain
        .as_ref()
        .map(|chain| {
            chain
                .certificates
                .iter()
                .map(|cert| match &cert.summary {
                    Ok(c) => {
                        let mut m = json!({
                            "subject": c.subject,
                            "issuer": c.issuer,
                            "serial": c.serial,
                            "not-before": crate::input::time_text(c.not_before),
                            "not-after": crate::input::time_text(c.not_after),
                            "key": c.key,
                        });
                        if let (Some(kd), Some(obj)) = (&c.key_description, m.as_object_mut()) {
                            obj.insert(
                                "key-description".into(),
                                match kd {
                                    Ok(kd) => mtattest::android::key_description_json(kd),
                                    Err(e) => json!({"error": e}),
                                },
                            );
                        }
                        m
                    }
                    Err(e) => json!({"error": e, "size": cert.size}),
                })
                .collect()
        })
        .unwrap_or_default();
    let problems: Vec<serde_json::Value> = view
        .problems
        .iter()
        .map(|p| json!({"stage": p.stage.name(), "code": p.code, "message": p.message}))
        .collect();
    vec![
        ("unverified", json!(true)),
        ("note", json!(BANNER)),
        ("size", json!(view.size)),
        (
            "encoding",
            json!(match encoding {
                TokenEncoding::Raw => "raw",
                TokenEncoding::Hex => "hex",
                TokenEncoding::Base64 => "base64",
            }),
        ),
        ("well-formed", json!(view.well_formed())),
        ("problems", json!(problems)),
        ("tags", json!(view.top.as_ref().map(|_| &view.tags))),
        (
            "headers",
            json!({
                "alg": alg,
                "kid": kid,
                "crit": param(LABEL_CRIT),
                "x5chain": view.x5chain.as_ref().map(|chain| json!({
                    "bucket": bucket_name(chain.bucket),
                    "count": chain.count,
                })),
            }),
        ),
        (
            "protected-size",
            json!(view.protected_bytes.as_ref().map(Vec::len)),
        ),
        ("payload-size", json!(view.payload.as_ref().map(Vec::len))),
        ("signature-size", json!(view.signature_len)),
        ("certificates", json!(certificates)),
        (
            "claims",
            json!(view.claims.as_ref().map(ClaimsSet::to_json)),
        ),
        (
            "diagnostic",
            json!({
                "token": diag_of(view.top.as_ref()),
                "protected": diag_of(view.protected.as_ref()),
                "payload": diag_of(view.payload_value.as_ref()),
            }),
        ),
    ]
}

/// A JSON object with its members in the given order (so `unverified`
/// comes first), pretty-printed.
fn ordered_pretty(members: &[(&str, serde_json::Value)]) -> String {
    let mut out = String::from("{\n");
    for (i, (key, value)) in members.iter().enumerate() {
        // Strings in JSON never hold a raw newline, so this only indents.
        let value = serde_json::to_string_pretty(value)
            .unwrap_or_else(|_| "null".to_string())
            .replace('\n', "\n  ");
        out.push_str(&format!("  {}: {value}", serde_json::Value::from(*key)));
        if i + 1 < members.len() {
            out.push(',');
        }
        out.push('\n');
    }
    out.push('}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::lib_error;
    use mtattest::token::{DecodeOptions, Token};

    #[test]
    fn ordered_json_keeps_the_order_and_parses() {
        let text = ordered_pretty(&[
            ("unverified", json!(true)),
            ("b", json!({"x": [1, 2], "y": "a\nb"})),
            ("a", json!(null)),
        ]);
        assert!(text.starts_with("{\n  \"unverified\": true,\n  \"b\": {\n    \"x\""));
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["b"]["y"], "a\nb");
        assert_eq!(back["a"], serde_json::Value::Null);
    }

    #[test]
    fn lib_errors_carry_their_code() {
        let e = Token::decode(&[0x01], &DecodeOptions::default()).unwrap_err();
        assert!(lib_error(&e).ends_with("[token.untagged]"));
    }
}
