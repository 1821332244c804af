//! The values a result reports as attested (spec §11.6, §17.5): in the
//! `device` submodule, `mtattest.attested` (CBOR -80102), an array of maps
//! with the text members `claim`, `value`, `by` and `token` (`agrees`,
//! `disagrees` or `omitted`), left out when empty.

use alloc::string::String;
use alloc::vec::Vec;

use ciborium::Value;

use super::error::EarError;
use crate::error::Error;

/// The label of the member (JSON name, CBOR key).
pub const ATTESTED: (&str, i64) = ("mtattest.attested", -80102);

/// A claim value the hardware attested, and how the token's compares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attested {
    /// The claim path, e.g. `submods.boot.verified-boot-state`.
    pub claim: String,
    /// The attested value, in the claim's notation.
    pub value: String,
    /// The attester, e.g. `android-key-attestation:STRONG_BOX`.
    pub by: String,
    /// `agrees`, `disagrees` or `omitted`.
    pub token: String,
}

const TOKEN_VALUES: [&str; 3] = ["agrees", "disagrees", "omitted"];

fn fields(a: &Attested) -> [(&'static str, &str); 4] {
    [
        ("claim", a.claim.as_str()),
        ("value", a.value.as_str()),
        ("by", a.by.as_str()),
        ("token", a.token.as_str()),
    ]
}

fn malformed(reason: &str) -> Error {
    EarError::Malformed {
        reason: alloc::format!("mtattest.attested: {reason}"),
    }
    .into()
}

fn from_fields(pairs: Vec<(String, String)>) -> Result<Attested, Error> {
    let mut out = Attested {
        claim: String::new(),
        value: String::new(),
        by: String::new(),
        token: String::new(),
    };
    let mut seen = Vec::new();
    for (k, v) in pairs {
        if seen.contains(&k) {
            return Err(malformed("a member repeats"));
        }
        let slot = match k.as_str() {
            "claim" => &mut out.claim,
            "value" => &mut out.value,
            "by" => &mut out.by,
            "token" => &mut out.token,
            _ => return Err(malformed("an unknown member")),
        };
        *slot = v;
        seen.push(k);
    }
    if seen.len() != 4 || !TOKEN_VALUES.contains(&out.token.as_str()) {
        return Err(malformed(
            "an entry needs claim, value, by and token (agrees, disagrees, omitted)",
        ));
    }
    Ok(out)
}

/// The JSON array.
pub(crate) fn to_json(items: &[Attested]) -> serde_json::Value {
    serde_json::Value::Array(
        items
            .iter()
            .map(|a| {
                let mut m = serde_json::Map::new();
                for (k, v) in fields(a) {
                    m.insert(k.into(), serde_json::Value::from(v));
                }
                serde_json::Value::Object(m)
            })
            .collect(),
    )
}

/// Reads the JSON array (present means non-empty).
pub(crate) fn from_json(v: &serde_json::Value) -> Result<Vec<Attested>, Error> {
    let items = v.as_array().ok_or_else(|| malformed("not an array"))?;
    if items.is_empty() {
        return Err(malformed("an empty array (the member is left out instead)"));
    }
    items
        .iter()
        .map(|item| {
            let m = item
                .as_object()
                .ok_or_else(|| malformed("an entry is not an object"))?;
            let pairs = m
                .iter()
                .map(|(k, v)| {
                    v.as_str()
                        .map(|s| (k.clone(), String::from(s)))
                        .ok_or_else(|| malformed("a member is not text"))
                })
                .collect::<Result<Vec<_>, _>>()?;
            from_fields(pairs)
        })
        .collect()
}

/// The CBOR array.
pub(crate) fn to_cbor(items: &[Attested]) -> Value {
    Value::Array(
        items
            .iter()
            .map(|a| {
                Value::Map(
                    fields(a)
                        .into_iter()
                        .map(|(k, v)| (Value::Text(k.into()), Value::Text(v.into())))
                        .collect(),
                )
            })
            .collect(),
    )
}

/// Reads the CBOR array (present means non-empty).
pub(crate) fn from_cbor(v: &Value) -> Result<Vec<Attested>, Error> {
    let Value::Array(items) = v else {
        return Err(malformed("not an array"));
    };
    if items.is_empty() {
        return Err(malformed("an empty array (the member is left out instead)"));
    }
    items
        .iter()
        .map(|item| {
            let Value::Map(m) = item else {
                return Err(malformed("an entry is not a map"));
            };
            let pairs = m
                .iter()
                .map(|(k, v)| match (k, v) {
                    (Value::Text(k), Value::Text(v)) => Ok((k.clone(), v.clone())),
                    _ => Err(malformed("a member is not text")),
                })
                .collect::<Result<Vec<_>, _>>()?;
            from_fields(pairs)
        })
        .collect()
}
