//! `mtattest inspect`: decode a token WITHOUT verifying it and show its
//! headers, certificates, claims per layer and CBOR diagnostic notation.
//!
//! Nothing here checks a signature, a chain or freshness; everything shown
//! is labelled unverified. The structure is read leniently (so a token that
//! breaks a rule can still be looked at) and the strict decoder's verdict
//! is reported beside it.

use std::path::PathBuf;

use ciborium::value::Value;
use mtattest::claims::{render_text, ClaimsSet};
use mtattest::token::{DecodeOptions, Token};
use mtattest::Limits;
use serde_json::json;

use crate::input::{self, Encoding};
use crate::verify::{EXIT_AFFIRMING, EXIT_INVALID};
use mtattest::diag;

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

/// A problem found while decoding.
struct Problem {
    stage: &'static str,
    code: Option<&'static str>,
    message: String,
}

/// A header parameter's value and the bucket it came from.
struct Param<'a> {
    bucket: &'static str,
    value: &'a Value,
}

/// What could be read of the token.
#[derive(Default)]
struct Decoded<'a> {
    tags: Vec<u64>,
    protected_bytes: Option<&'a [u8]>,
    protected: Option<Value>,
    unprotected: Option<&'a Value>,
    payload: Option<&'a [u8]>,
    payload_value: Option<Value>,
    signature: Option<&'a [u8]>,
}

impl<'a> Decoded<'a> {
    fn param(&'a self, label: i64) -> Option<Param<'a>> {
        let find = |map: Option<&'a Value>| -> Option<&'a Value> {
            match map {
                Some(Value::Map(entries)) => entries
                    .iter()
                    .find(|(k, _)| {
                        k.as_integer()
                            .is_some_and(|i| i128::from(i) == label.into())
                    })
                    .map(|(_, v)| v),
                _ => None,
            }
        };
        find(self.protected.as_ref())
            .map(|value| Param {
                bucket: "protected",
                value,
            })
            .or_else(|| {
                find(self.unprotected).map(|value| Param {
                    bucket: "unprotected",
                    value,
                })
            })
    }

    fn x5chain(&'a self) -> Option<(&'static str, Vec<&'a [u8]>)> {
        let p = self.param(33)?;
        let certs = match p.value {
            Value::Bytes(b) => vec![b.as_slice()],
            Value::Array(items) => items
                .iter()
                .filter_map(|i| match i {
                    Value::Bytes(b) => Some(b.as_slice()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        Some((p.bucket, certs))
    }
}

/// Runs `inspect`; returns the exit code.
pub fn run(args: &InspectArgs) -> Result<u8, String> {
    let (encoding, bytes) = input::read_token(&args.token)?;
    let mut problems = Vec::new();
    let top: Option<Value> = match ciborium::de::from_reader::<Value, _>(bytes.as_slice()) {
        Ok(v) => Some(v),
        Err(e) => {
            problems.push(Problem {
                stage: "cbor",
                code: None,
                message: format!("not CBOR: {}", cbor_error(&e)),
            });
            None
        }
    };
    let mut decoded = Decoded::default();
    if let Some(top) = &top {
        read_structure(top, &mut decoded, &mut problems);
    }
    // The strict decoder's verdict on the envelope, then on the claims.
    let strict = Token::decode(&bytes, &DecodeOptions::default());
    let claims = match &strict {
        Ok(token) => match token.unverified_claims() {
            Ok(c) => Some(c),
            Err(e) => {
                problems.push(problem("claims", &e));
                None
            }
        },
        Err(e) => {
            problems.push(problem("envelope", e));
            // Show the claims anyway if the payload decodes on its own.
            decoded
                .payload
                .and_then(|p| ClaimsSet::from_cbor(p, &Limits::DEFAULT).ok())
        }
    };
    let well_formed = strict.is_ok() && claims.is_some();
    if args.json {
        println!(
            "{}",
            ordered_pretty(&to_json(
                encoding,
                &bytes,
                top.as_ref(),
                &decoded,
                claims.as_ref(),
                &problems,
                well_formed
            ))
        );
    } else {
        print!(
            "{}",
            to_text(
                encoding,
                &bytes,
                top.as_ref(),
                &decoded,
                claims.as_ref(),
                &problems,
                well_formed
            )
        );
    }
    Ok(if well_formed {
        EXIT_AFFIRMING
    } else {
        EXIT_INVALID
    })
}

fn cbor_error<T: std::fmt::Debug>(e: &ciborium::de::Error<T>) -> String {
    use ciborium::de::Error;
    match e {
        Error::Io(_) => "the input ends inside an item".to_string(),
        Error::Syntax(at) => format!("syntax error at offset {at}"),
        Error::Semantic(Some(at), msg) => format!("{msg} at offset {at}"),
        Error::Semantic(None, msg) => msg.clone(),
        Error::RecursionLimitExceeded => "nested too deeply".to_string(),
    }
}

fn problem(stage: &'static str, e: &mtattest::Error) -> Problem {
    Problem {
        stage,
        code: Some(e.code()),
        message: e.to_string(),
    }
}

fn read_structure<'a>(top: &'a Value, out: &mut Decoded<'a>, problems: &mut Vec<Problem>) {
    let mut v = top;
    while let Value::Tag(tag, inner) = v {
        out.tags.push(*tag);
        v = inner;
        if out.tags.len() > 8 {
            break;
        }
    }
    let Value::Array(items) = v else {
        problems.push(Problem {
            stage: "structure",
            code: None,
            message: "not a COSE_Sign1 array".to_string(),
        });
        return;
    };
    if items.len() != 4 {
        problems.push(Problem {
            stage: "structure",
            code: None,
            message: format!("COSE_Sign1 has {} items, not 4", items.len()),
        });
    }
    if let Some(Value::Bytes(p)) = items.first() {
        out.protected_bytes = Some(p);
        if p.is_empty() {
            out.protected = Some(Value::Map(Vec::new()));
        } else {
            match ciborium::de::from_reader::<Value, _>(p.as_slice()) {
                Ok(h) => out.protected = Some(h),
                Err(e) => problems.push(Problem {
                    stage: "structure",
                    code: None,
                    message: format!("protected header is not CBOR: {}", cbor_error(&e)),
                }),
            }
        }
    }
    out.unprotected = items.get(1).filter(|u| matches!(u, Value::Map(_)));
    if let Some(Value::Bytes(p)) = items.get(2) {
        out.payload = Some(p);
        match ciborium::de::from_reader::<Value, _>(p.as_slice()) {
            Ok(h) => out.payload_value = Some(h),
            Err(e) => problems.push(Problem {
                stage: "structure",
                code: None,
                message: format!("payload is not CBOR: {}", cbor_error(&e)),
            }),
        }
    }
    if let Some(Value::Bytes(s)) = items.get(3) {
        out.signature = Some(s);
    }
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
    match v.as_integer().map(i128::from) {
        Some(-35) => "ES384 (-35)".to_string(),
        Some(-7) => "ES256 (-7)".to_string(),
        _ => format!(
            "{} (not allowed by this profile)",
            diag::render_compact(v, &diag::Limits::DEFAULT)
        ),
    }
}

/// What one certificate says, for display only.
struct CertInfo {
    subject: String,
    issuer: String,
    serial: String,
    not_before: i64,
    not_after: i64,
    key: String,
}

fn cert_info(der_bytes: &[u8]) -> Result<CertInfo, String> {
    use der::Decode as _;
    let cert = x509_cert::Certificate::from_der(der_bytes).map_err(|e| format!("{e}"))?;
    let tbs = &cert.tbs_certificate;
    let serial = hex::encode(tbs.serial_number.as_bytes());
    let serial = serial.trim_start_matches('0');
    let secs = |t: &x509_cert::time::Time| {
        i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX)
    };
    let spki = &tbs.subject_public_key_info;
    let curve = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<der::asn1::ObjectIdentifier>().ok());
    let key = match curve.map(|c| c.to_string()).as_deref() {
        Some("1.3.132.0.34") => "EC P-384".to_string(),
        Some("1.2.840.10045.3.1.7") => "EC P-256".to_string(),
        Some(other) => format!("{} / {other}", spki.algorithm.oid),
        None => spki.algorithm.oid.to_string(),
    };
    Ok(CertInfo {
        subject: tbs.subject.to_string(),
        issuer: tbs.issuer.to_string(),
        serial: if serial.is_empty() { "0" } else { serial }.to_string(),
        not_before: secs(&tbs.validity.not_before),
        not_after: secs(&tbs.validity.not_after),
        key,
    })
}

fn diag_of(value: Option<&Value>) -> Option<String> {
    value.map(|v| diag::render(v, &diag::Limits::DEFAULT))
}

#[allow(clippy::too_many_arguments)]
fn to_text(
    encoding: Encoding,
    bytes: &[u8],
    top: Option<&Value>,
    d: &Decoded<'_>,
    claims: Option<&ClaimsSet>,
    problems: &[Problem],
    well_formed: bool,
) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(out, "{BANNER}\n");
    let _ = writeln!(
        out,
        "token: {} bytes, read as {}",
        bytes.len(),
        encoding.name()
    );
    if top.is_some() {
        let _ = writeln!(out, "tags: {}", tags_text(&d.tags));
    }
    if well_formed {
        let _ = writeln!(
            out,
            "decoding: well-formed (envelope and claims follow the profile)"
        );
    } else {
        let _ = writeln!(out, "decoding: NOT well-formed");
    }
    for p in problems {
        let code = p.code.map(|c| format!(" [{c}]")).unwrap_or_default();
        let _ = writeln!(out, "  {}: {}{code}", p.stage, p.message);
    }
    if top.is_none() {
        return out;
    }

    let _ = writeln!(out, "\nheaders (unverified)");
    match d.param(1) {
        Some(p) => {
            let _ = writeln!(out, "  alg: {}, {}", alg_text(p.value), p.bucket);
        }
        None => {
            let _ = writeln!(out, "  alg: (none)");
        }
    }
    match d.param(4) {
        Some(p) => {
            let kid = match p.value {
                Value::Bytes(b) => format!("h'{}'", hex::encode(b)),
                v => diag::render_compact(v, &diag::Limits::DEFAULT),
            };
            let _ = writeln!(out, "  kid: {kid}, {}", p.bucket);
        }
        None => {
            let _ = writeln!(out, "  kid: (none)");
        }
    }
    if let Some(p) = d.param(2) {
        let _ = writeln!(
            out,
            "  crit: {}, {}",
            diag::render_compact(p.value, &diag::Limits::DEFAULT),
            p.bucket
        );
    }
    let chain = d.x5chain();
    match &chain {
        Some((bucket, certs)) => {
            let _ = writeln!(out, "  x5chain: {bucket}, {} certificate(s)", certs.len());
        }
        None => {
            let _ = writeln!(out, "  x5chain: (none)");
        }
    }
    if let Some(p) = d.payload {
        let _ = writeln!(out, "  payload: {} bytes", p.len());
    }
    if let Some(s) = d.signature {
        let _ = writeln!(out, "  signature: {} bytes", s.len());
    }

    if let Some((_, certs)) = &chain {
        let _ = writeln!(out, "\ncertificates (x5chain, leaf first; unverified)");
        for (i, der_bytes) in certs.iter().enumerate() {
            match cert_info(der_bytes) {
                Ok(c) => {
                    let _ = writeln!(out, "  [{i}] subject: {}", c.subject);
                    let _ = writeln!(out, "      issuer:  {}", c.issuer);
                    let _ = writeln!(out, "      serial:  {}", c.serial);
                    let _ = writeln!(
                        out,
                        "      valid:   {} to {}",
                        crate::time::format(c.not_before),
                        crate::time::format(c.not_after)
                    );
                    let _ = writeln!(out, "      key:     {}", c.key);
                }
                Err(e) => {
                    let _ = writeln!(
                        out,
                        "  [{i}] not a certificate ({e}), {} bytes",
                        der_bytes.len()
                    );
                }
            }
        }
    }

    let _ = writeln!(out, "\nclaims (unverified)");
    match claims {
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
    if let Some(t) = diag_of(top) {
        let _ = writeln!(out, "{t}");
    }
    if let Some(h) = diag_of(d.protected.as_ref()) {
        let _ = writeln!(out, "\nCBOR diagnostic notation: protected header");
        let _ = writeln!(out, "{h}");
    }
    if let Some(p) = diag_of(d.payload_value.as_ref()) {
        let _ = writeln!(out, "\nCBOR diagnostic notation: payload");
        let _ = writeln!(out, "{p}");
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn to_json(
    encoding: Encoding,
    bytes: &[u8],
    top: Option<&Value>,
    d: &Decoded<'_>,
    claims: Option<&ClaimsSet>,
    problems: &[Problem],
    well_formed: bool,
) -> Vec<(&'static str, serde_json::Value)> {
    let param = |label: i64| {
        d.param(label).map(|p| {
            json!({
                "bucket": p.bucket,
                "diagnostic": diag::render_compact(p.value, &diag::Limits::DEFAULT),
            })
        })
    };
    let alg = d.param(1).map(|p| {
        json!({
            "bucket": p.bucket,
            "value": p.value.as_integer().map(i128::from).and_then(|i| i64::try_from(i).ok()),
            "name": match p.value.as_integer().map(i128::from) {
                Some(-35) => Some("ES384"),
                Some(-7) => Some("ES256"),
                _ => None,
            },
        })
    });
    let kid = d.param(4).map(|p| match p.value {
        Value::Bytes(b) => json!({"bucket": p.bucket, "hex": hex::encode(b)}),
        v => json!({
            "bucket": p.bucket,
            "diagnostic": diag::render_compact(v, &diag::Limits::DEFAULT),
        }),
    });
    let chain = d.x5chain();
    let certificates: Vec<serde_json::Value> = chain
        .as_ref()
        .map(|(_, certs)| {
            certs
                .iter()
                .map(|der_bytes| match cert_info(der_bytes) {
                    Ok(c) => json!({
                        "subject": c.subject,
                        "issuer": c.issuer,
                        "serial": c.serial,
                        "not-before": crate::time::format(c.not_before),
                        "not-after": crate::time::format(c.not_after),
                        "key": c.key,
                    }),
                    Err(e) => json!({"error": e, "size": der_bytes.len()}),
                })
                .collect()
        })
        .unwrap_or_default();
    let problems: Vec<serde_json::Value> = problems
        .iter()
        .map(|p| json!({"stage": p.stage, "code": p.code, "message": p.message}))
        .collect();
    vec![
        ("unverified", json!(true)),
        ("note", json!(BANNER)),
        ("size", json!(bytes.len())),
        (
            "encoding",
            json!(match encoding {
                Encoding::Raw => "raw",
                Encoding::Hex => "hex",
                Encoding::Base64 => "base64",
            }),
        ),
        ("well-formed", json!(well_formed)),
        ("problems", json!(problems)),
        ("tags", json!(top.map(|_| d.tags.clone()))),
        (
            "headers",
            json!({
                "alg": alg,
                "kid": kid,
                "crit": param(2),
                "x5chain": chain.as_ref().map(|(bucket, certs)| json!({
                    "bucket": bucket,
                    "count": certs.len(),
                })),
            }),
        ),
        ("protected-size", json!(d.protected_bytes.map(<[u8]>::len))),
        ("payload-size", json!(d.payload.map(<[u8]>::len))),
        ("signature-size", json!(d.signature.map(<[u8]>::len))),
        ("certificates", json!(certificates)),
        ("claims", json!(claims.map(ClaimsSet::to_json))),
        (
            "diagnostic",
            json!({
                "token": diag_of(top),
                "protected": diag_of(d.protected.as_ref()),
                "payload": diag_of(d.payload_value.as_ref()),
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
