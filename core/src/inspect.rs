//! The lenient, unverified view of a token, for people looking at one
//! (`mtattest inspect`, the browser page's Inspect).
//!
//! [`inspect`] never fails and never panics: it reads whatever it can of
//! untrusted bytes and lists what it could not in [`Inspection::problems`].
//! Nothing here checks a signature, a chain or freshness; everything it
//! returns is UNVERIFIED and must be shown as such (spec §9: a decoder may
//! offer the claims of a token whose signature it has not checked, for
//! inspection only, and must label them unverified).
//!
//! Two readings are made of the same bytes:
//!
//! - a **lenient** one, which also reads CBOR this profile refuses
//!   (indefinite lengths, duplicate keys, unsorted maps), so that a token
//!   breaking a rule can still be looked at: the envelope's tags and
//!   items, the protected header and the payload decoded, the header
//!   parameters and the certificates of the x5chain (each summarised with
//!   [`certificate_summary`], or the reason it does not parse). Each item
//!   is read as the strict CBOR decoder reads it (tags as tags, bignums
//!   included; `undefined` distinct from null) when §7.2 allows it, and
//!   with ciborium otherwise;
//! - the **strict** one of a verifier ([`Token::decode`] with the default
//!   options, then [`Token::unverified_claims`]), whose verdict is
//!   [`Inspection::strict`] and defines [`Inspection::well_formed`].
//!
//! The work is bounded: input larger than [`MAX_INSPECT_SIZE`] is not
//! decoded leniently (a problem says so; the strict decoder refuses it as
//! `token.too-large`), ciborium's recursion limit (256) bounds the nesting,
//! at most [`MAX_TAGS`] tags are unwrapped and at most [`MAX_CERTIFICATES`]
//! certificates are parsed. Render the decoded values with
//! [`crate::diag`], whose output is bounded too.
//!
//! Needs only `alloc`.
//!
//! ```
//! use mtattest::inspect::{inspect, Stage};
//!
//! // Not a token at all: nothing decodes, and it says why.
//! let view = inspect(b"\xff");
//! assert!(!view.well_formed());
//! assert!(view.top.is_none());
//! assert_eq!(view.problems[0].stage, Stage::Cbor);
//!
//! // An untagged COSE_Sign1 array: the lenient reading shows its parts,
//! // the strict decoder refuses it with its stable code.
//! let view = inspect(&[0x84, 0x43, 0xa1, 0x01, 0x26, 0xa0, 0x40, 0x40]);
//! assert_eq!(view.protected_bytes.as_deref(), Some(&[0xa1, 0x01, 0x26][..]));
//! assert_eq!(view.algorithm_label(), Some(-7));
//! assert!(view.problems.iter().any(|p| p.code == Some("token.untagged")));
//! assert!(!view.well_formed());
//! ```

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use ciborium::value::Value;

use crate::claims::ClaimsSet;
use crate::token::{DecodeOptions, HeaderPlacement, Token};
use crate::{Error, Limits};

/// Largest input [`inspect`] decodes leniently, in bytes (1 MiB). Larger
/// input is reported as a [`Stage::Cbor`] problem and only the strict
/// decoder's verdict is given (which refuses anything above
/// [`Limits::max_token_size`] anyway).
pub const MAX_INSPECT_SIZE: usize = 1024 * 1024;

/// Most tags unwrapped around the COSE_Sign1 array before giving up (a
/// token has at most two: 61 then 18).
pub const MAX_TAGS: usize = 8;

/// Most x5chain certificates parsed and summarised; the count of
/// [`X5Chain::count`] is still the whole chain's.
pub const MAX_CERTIFICATES: usize = 16;

/// The COSE header label of `alg`.
pub const LABEL_ALG: i64 = 1;
/// The COSE header label of `crit`.
pub const LABEL_CRIT: i64 = 2;
/// The COSE header label of `kid`.
pub const LABEL_KID: i64 = 4;
/// The COSE header label of `x5chain`.
pub const LABEL_X5CHAIN: i64 = 33;

/// Where a problem was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The bytes are not one CBOR item (or too many to decode).
    Cbor,
    /// The CBOR item is not shaped like a COSE_Sign1, or a part of it
    /// (protected header, payload) is not CBOR.
    Structure,
    /// The strict decoder refused the envelope.
    Envelope,
    /// The envelope decodes strictly but its claims do not.
    Claims,
}

impl Stage {
    /// The stage's name: `cbor`, `structure`, `envelope` or `claims`.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Cbor => "cbor",
            Stage::Structure => "structure",
            Stage::Envelope => "envelope",
            Stage::Claims => "claims",
        }
    }
}

/// Something that did not decode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where.
    pub stage: Stage,
    /// The stable error code (spec §13) when the strict decoder reported
    /// it; `None` for what only the lenient reading found.
    pub code: Option<&'static str>,
    /// What, for people.
    pub message: String,
}

impl Problem {
    fn lenient(stage: Stage, message: String) -> Problem {
        Problem {
            stage,
            code: None,
            message,
        }
    }

    fn strict(stage: Stage, e: &Error) -> Problem {
        Problem {
            stage,
            code: Some(e.code()),
            message: e.to_string(),
        }
    }
}

/// The name of a header bucket: `protected` or `unprotected`.
pub fn bucket_name(bucket: HeaderPlacement) -> &'static str {
    match bucket {
        HeaderPlacement::Protected => "protected",
        HeaderPlacement::Unprotected => "unprotected",
    }
}

/// A header parameter as read leniently, and the bucket it came from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Param<'a> {
    /// The bucket (the protected one is searched first).
    pub bucket: HeaderPlacement,
    /// The parameter's value, whatever its type.
    pub value: &'a Value,
}

/// What one certificate says, for display only: nothing here is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertSummary {
    /// The subject name (RFC 4514 string).
    pub subject: String,
    /// The issuer name (RFC 4514 string).
    pub issuer: String,
    /// The serial number in lowercase hex, without leading zeros (`0` for
    /// zero).
    pub serial: String,
    /// notBefore, seconds since the epoch.
    pub not_before: i64,
    /// notAfter, seconds since the epoch (saturated at `i64::MAX`).
    pub not_after: i64,
    /// The key: `EC P-384`, `EC P-256`, else the algorithm OID (and the
    /// curve OID after ` / `).
    pub key: String,
    /// The Android KeyDescription the certificate carries (spec §17.2), or
    /// why it does not parse (with its code), unverified.
    pub key_description: Option<Result<crate::android::KeyDescription, String>>,
}

/// One certificate of the x5chain: its size and summary, or why it does
/// not parse as X.509.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertEntry {
    /// The DER's length in bytes.
    pub size: usize,
    /// The summary, or the parser's error message.
    pub summary: Result<CertSummary, String>,
}

/// The x5chain header parameter as read leniently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct X5Chain {
    /// The bucket that carried it.
    pub bucket: HeaderPlacement,
    /// How many certificates (byte strings) it holds: one for a single
    /// byte string, the byte strings of an array (other items are
    /// skipped), none for anything else.
    pub count: usize,
    /// The first [`MAX_CERTIFICATES`] of them, leaf first.
    pub certificates: Vec<CertEntry>,
}

/// What could be read of a token, unverified.
#[derive(Debug, Clone)]
pub struct Inspection {
    /// The input's size in bytes.
    pub size: usize,
    /// The whole input as one CBOR item (lenient reading); `None` if it is
    /// not CBOR or larger than [`MAX_INSPECT_SIZE`].
    pub top: Option<Value>,
    /// The tags around the COSE_Sign1 array, outermost first (at most
    /// [`MAX_TAGS`] + 1).
    pub tags: Vec<u64>,
    /// The protected header's bytes (when the first item is a byte string).
    pub protected_bytes: Option<Vec<u8>>,
    /// The protected header decoded (an empty map for empty bytes).
    pub protected: Option<Value>,
    /// The unprotected header (when the second item is a map).
    pub unprotected: Option<Value>,
    /// The payload's bytes (when the third item is a byte string).
    pub payload: Option<Vec<u8>>,
    /// The payload decoded.
    pub payload_value: Option<Value>,
    /// The signature's length (when the fourth item is a byte string).
    pub signature_len: Option<usize>,
    /// The x5chain, when either header has one.
    pub x5chain: Option<X5Chain>,
    /// The strict decoder's verdict on the envelope ([`Token::decode`]
    /// with [`DecodeOptions::default`]).
    pub strict: Result<Token, Error>,
    /// The claims, unverified: the strict token's, or — when the strict
    /// decoder refused the envelope — the payload's own, if it decodes as
    /// a claims set.
    pub claims: Option<ClaimsSet>,
    /// What did not decode, in the order found.
    pub problems: Vec<Problem>,
}

impl Inspection {
    /// The strict envelope decodes and its claims decode: the token
    /// follows the profile (which says nothing of its signature, chain or
    /// freshness). When true, `Token::decode` with the default options
    /// accepts the input.
    pub fn well_formed(&self) -> bool {
        // When the envelope is refused, `claims` may still hold the
        // payload's own; only the strict token's count.
        self.strict.is_ok() && self.claims.is_some()
    }

    /// A header parameter by label, from the protected header if it is
    /// there, else from the unprotected one.
    pub fn param(&self, label: i64) -> Option<Param<'_>> {
        find(self.protected.as_ref(), label)
            .map(|value| Param {
                bucket: HeaderPlacement::Protected,
                value,
            })
            .or_else(|| {
                find(self.unprotected.as_ref(), label).map(|value| Param {
                    bucket: HeaderPlacement::Unprotected,
                    value,
                })
            })
    }

    /// The `alg` parameter's value when it is an integer that fits an
    /// `i64` (a COSE algorithm label: -35 for ES384, -7 for ES256).
    pub fn algorithm_label(&self) -> Option<i64> {
        self.param(LABEL_ALG)
            .and_then(|p| p.value.as_integer())
            .and_then(|i| i64::try_from(i).ok())
    }

    /// The strictly decoded token, if the envelope follows the profile.
    pub fn token(&self) -> Option<&Token> {
        self.strict.as_ref().ok()
    }
}

fn find(map: Option<&Value>, label: i64) -> Option<&Value> {
    match map {
        Some(Value::Map(entries)) => entries
            .iter()
            .find(|(k, _)| {
                k.as_integer()
                    .is_some_and(|i| i128::from(i) == i128::from(label))
            })
            .map(|(_, v)| v),
        _ => None,
    }
}

/// Reads `bytes` leniently and strictly; never fails, never panics. See
/// the [module docs](self).
pub fn inspect(bytes: &[u8]) -> Inspection {
    let mut problems = Vec::new();
    let top = if bytes.len() > MAX_INSPECT_SIZE {
        problems.push(Problem::lenient(
            Stage::Cbor,
            format!(
                "not decoded: {} bytes, more than the {MAX_INSPECT_SIZE} bytes inspect reads",
                bytes.len()
            ),
        ));
        None
    } else {
        match decode(bytes) {
            Ok(v) => Some(v),
            Err(e) => {
                problems.push(Problem::lenient(Stage::Cbor, format!("not CBOR: {e}")));
                None
            }
        }
    };
    let mut view = Inspection {
        size: bytes.len(),
        top: None,
        tags: Vec::new(),
        protected_bytes: None,
        protected: None,
        unprotected: None,
        payload: None,
        payload_value: None,
        signature_len: None,
        x5chain: None,
        strict: Token::decode(bytes, &DecodeOptions::default()),
        claims: None,
        problems: Vec::new(),
    };
    if let Some(top) = &top {
        read_structure(top, &mut view, &mut problems);
    }
    view.top = top;
    view.x5chain = x5chain(&view);
    // The strict decoder's verdict on the envelope, then on the claims.
    match &view.strict {
        Ok(token) => match token.unverified_claims() {
            Ok(c) => view.claims = Some(c),
            Err(e) => problems.push(Problem::strict(Stage::Claims, &e)),
        },
        Err(e) => {
            problems.push(Problem::strict(Stage::Envelope, e));
            // Show the claims anyway if the payload decodes on its own.
            view.claims = view
                .payload
                .as_deref()
                .and_then(|p| ClaimsSet::from_cbor(p, &Limits::DEFAULT).ok());
        }
    }
    view.problems = problems;
    view
}

/// One CBOR item (trailing bytes are ignored, as the strict decoder reports
/// them): read as the strict decoder reads it (tags kept as tags, bignums
/// included, and `undefined` distinct from null) when it is well-formed
/// by §7.2, else leniently with `ciborium`.
fn decode(bytes: &[u8]) -> Result<Value, String> {
    let strict = crate::cbor::scan(bytes, &READ_LIMITS)
        .ok()
        .and_then(|end| bytes.get(..end))
        .and_then(|item| crate::cbor::decode_strict(item, &READ_LIMITS).ok());
    match strict {
        Some(value) => Ok(value),
        None => ciborium::de::from_reader::<Value, _>(bytes).map_err(|e| cbor_error(&e)),
    }
}

/// The strict reading's limits here: only those of the lenient one
/// (`ciborium`'s nesting limit; the size is bounded by [`MAX_INSPECT_SIZE`]).
const READ_LIMITS: Limits = Limits {
    max_token_size: MAX_INSPECT_SIZE,
    max_depth: 256,
    max_items: usize::MAX,
    max_map_entries: usize::MAX,
    max_submod_depth: usize::MAX,
};

fn cbor_error<T: core::fmt::Debug>(e: &ciborium::de::Error<T>) -> String {
    use ciborium::de::Error;
    match e {
        Error::Io(_) => "the input ends inside an item".to_string(),
        Error::Syntax(at) => format!("syntax error at offset {at}"),
        Error::Semantic(Some(at), msg) => format!("{msg} at offset {at}"),
        Error::Semantic(None, msg) => msg.clone(),
        Error::RecursionLimitExceeded => "nested too deeply".to_string(),
    }
}

fn read_structure(top: &Value, out: &mut Inspection, problems: &mut Vec<Problem>) {
    let mut v = top;
    while let Value::Tag(tag, inner) = v {
        if crate::cbor::is_undefined(v) {
            break;
        }
        out.tags.push(*tag);
        v = inner;
        if out.tags.len() > MAX_TAGS {
            break;
        }
    }
    let Value::Array(items) = v else {
        problems.push(Problem::lenient(
            Stage::Structure,
            "not a COSE_Sign1 array".to_string(),
        ));
        return;
    };
    if items.len() != 4 {
        problems.push(Problem::lenient(
            Stage::Structure,
            format!("COSE_Sign1 has {} items, not 4", items.len()),
        ));
    }
    if let Some(Value::Bytes(p)) = items.first() {
        out.protected_bytes = Some(p.clone());
        if p.is_empty() {
            out.protected = Some(Value::Map(Vec::new()));
        } else {
            match decode(p) {
                Ok(h) => out.protected = Some(h),
                Err(e) => problems.push(Problem::lenient(
                    Stage::Structure,
                    format!("protected header is not CBOR: {e}"),
                )),
            }
        }
    }
    out.unprotected = items.get(1).filter(|u| matches!(u, Value::Map(_))).cloned();
    if let Some(Value::Bytes(p)) = items.get(2) {
        out.payload = Some(p.clone());
        match decode(p) {
            Ok(h) => out.payload_value = Some(h),
            Err(e) => problems.push(Problem::lenient(
                Stage::Structure,
                format!("payload is not CBOR: {e}"),
            )),
        }
    }
    if let Some(Value::Bytes(s)) = items.get(3) {
        out.signature_len = Some(s.len());
    }
}

fn x5chain(view: &Inspection) -> Option<X5Chain> {
    let p = view.param(LABEL_X5CHAIN)?;
    let ders: Vec<&[u8]> = match p.value {
        Value::Bytes(b) => alloc::vec![b.as_slice()],
        Value::Array(items) => items
            .iter()
            .filter_map(|i| match i {
                Value::Bytes(b) => Some(b.as_slice()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    Some(X5Chain {
        bucket: p.bucket,
        count: ders.len(),
        certificates: ders
            .iter()
            .take(MAX_CERTIFICATES)
            .map(|der| CertEntry {
                size: der.len(),
                summary: certificate_summary(der),
            })
            .collect(),
    })
}

/// Summarises one DER certificate for display (nothing is checked: not
/// the signature, not the validity, not the extensions); the error is the
/// X.509 parser's message.
pub fn certificate_summary(der_bytes: &[u8]) -> Result<CertSummary, String> {
    use der::Decode as _;
    let cert = x509_cert::Certificate::from_der(der_bytes).map_err(|e| format!("{e}"))?;
    let tbs = &cert.tbs_certificate;
    let serial = crate::encoding::to_hex(tbs.serial_number.as_bytes());
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
    Ok(CertSummary {
        subject: tbs.subject.to_string(),
        issuer: tbs.issuer.to_string(),
        serial: if serial.is_empty() { "0" } else { serial }.to_string(),
        not_before: secs(&tbs.validity.not_before),
        not_after: secs(&tbs.validity.not_after),
        key,
        key_description: tbs
            .extensions
            .iter()
            .flatten()
            .find(|e| e.extn_id.to_string() == crate::android::KEY_DESCRIPTION_OID)
            .map(|e| {
                crate::android::KeyDescription::from_der(e.extn_value.as_bytes())
                    .map_err(|err| format!("{err} [{}]", err.code()))
            }),
    })
}
