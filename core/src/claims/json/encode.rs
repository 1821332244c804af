//! CBOR → JSON: the JSON form of a claims set (spec §12).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use ciborium::value::Value as Cbor;
use serde_json::{Map, Number, Value as Json};

use super::super::names::{part, Layer, Scope};
use super::super::{ClaimKey, MeasResult};
use super::form::{codes, form_of, Codes, Form};
use super::{BSTR, CBOR, KEY, KEY_CBOR, PRIVACY_COUNTERS, UNKNOWN};
use crate::encoding::{label_text, to_hex, LABEL_HEX};

fn number(n: i128) -> Option<Json> {
    if let Ok(u) = u64::try_from(n) {
        Some(Json::Number(Number::from(u)))
    } else {
        i64::try_from(n).ok().map(|i| Json::Number(Number::from(i)))
    }
}

fn cbor_int(v: &Cbor) -> Option<i128> {
    match v {
        Cbor::Integer(i) => Some(i128::from(*i)),
        _ => None,
    }
}

fn cbor_bytes(v: &Cbor) -> Option<Json> {
    match v {
        Cbor::Bytes(b) => Some(Json::String(to_hex(b))),
        _ => None,
    }
}

fn cbor_text(v: &Cbor) -> Option<Json> {
    match v {
        Cbor::Text(t) => Some(Json::String(t.clone())),
        _ => None,
    }
}

fn cbor_code(codes: &Codes, v: &Cbor) -> Option<Json> {
    let code = u64::try_from(cbor_int(v)?).ok()?;
    codes.name(code).map(|n| Json::String(n.into()))
}

fn cbor_items(v: &Cbor) -> Option<&[Cbor]> {
    match v {
        Cbor::Array(items) => Some(items),
        _ => None,
    }
}

fn object<const N: usize>(members: [(&str, Option<Json>); N]) -> Json {
    let mut m = Map::new();
    for (name, value) in members {
        if let Some(value) = value {
            m.insert(name.into(), value);
        }
    }
    Json::Object(m)
}

/// The JSON of a claims set (the top level or a layer): defined claims by
/// name, the others under `"unknown"`.
pub(super) fn claims_to_json(scope: Scope, value: &Cbor) -> Json {
    let mut members = Map::new();
    let mut unknown = Vec::new();
    let entries = match value {
        Cbor::Map(entries) => entries.as_slice(),
        _ => &[],
    };
    for (k, v) in entries {
        let Some(key) = claim_key(k) else { continue };
        let defined = key
            .as_i64()
            .and_then(|k| Some((scope.name_of(k)?, form_of(k)?)));
        // A defined claim always converts; should one not, it is kept as an
        // unknown entry (which `from_json` then refuses) rather than dropped.
        match defined.and_then(|(name, form)| Some((name, value_to_json(form, v)?))) {
            Some((name, json)) => {
                members.insert(name.into(), json);
            }
            None => unknown.push(unknown_entry(&key, v)),
        }
    }
    if !unknown.is_empty() {
        members.insert(UNKNOWN.into(), Json::Array(unknown));
    }
    Json::Object(members)
}

fn claim_key(k: &Cbor) -> Option<ClaimKey> {
    match k {
        Cbor::Integer(i) => Some(ClaimKey::Int(i128::from(*i))),
        Cbor::Text(t) => Some(ClaimKey::Text(t.clone())),
        _ => None,
    }
}

fn unknown_entry(key: &ClaimKey, value: &Cbor) -> Json {
    let key = match key {
        ClaimKey::Int(n) => match number(*n) {
            Some(n) => (KEY, n),
            None => (
                KEY_CBOR,
                Json::String(to_hex(
                    &key.to_value()
                        .map(|k| crate::cbor::encode(&k))
                        .unwrap_or_default(),
                )),
            ),
        },
        ClaimKey::Text(t) => (KEY, Json::String(t.clone())),
    };
    let cbor = Json::String(to_hex(&crate::cbor::encode(value)));
    let mut m = Map::new();
    m.insert(key.0.into(), key.1);
    m.insert(CBOR.into(), cbor);
    Json::Object(m)
}

fn value_to_json(form: Form, v: &Cbor) -> Option<Json> {
    match form {
        Form::Int | Form::Time | Form::Seconds | Form::PatchLevel | Form::Lifecycle => {
            number(cbor_int(v)?)
        }
        Form::Bool => match v {
            Cbor::Bool(b) => Some(Json::Bool(*b)),
            _ => None,
        },
        Form::Text => cbor_text(v),
        Form::Bytes => cbor_bytes(v),
        Form::Label => match v {
            Cbor::Bytes(b) => Some(match label_text(b) {
                Some(text) => Json::String(text.into()),
                None => object([(LABEL_HEX, Some(Json::String(to_hex(b))))]),
            }),
            _ => None,
        },
        Form::Code(codes) => cbor_code(&codes, v),
        Form::Version => match cbor_items(v)? {
            [version] => Some(object([(part::VERSION, Some(cbor_text(version)?))])),
            [version, scheme] => Some(object([
                (part::VERSION, Some(cbor_text(version)?)),
                (part::SCHEME, Some(number(cbor_int(scheme)?)?)),
            ])),
            _ => None,
        },
        Form::Dloas => cbor_items(v)?
            .iter()
            .map(|dloa| match cbor_items(dloa)? {
                [r, p, rest @ ..] => Some(object([
                    (part::REGISTRAR, Some(cbor_text(r)?)),
                    (part::PLATFORM_LABEL, Some(cbor_text(p)?)),
                    (
                        part::APPLICATION_LABEL,
                        match rest {
                            [] => None,
                            [a] => Some(cbor_text(a)?),
                            _ => return None,
                        },
                    ),
                ])),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
            .map(Json::Array),
        Form::Measurements => cbor_items(v)?
            .iter()
            .map(|m| match cbor_items(m)? {
                [t, c] => Some(object([
                    (part::CONTENT_TYPE, Some(number(cbor_int(t)?)?)),
                    (part::CONTENT, Some(cbor_bytes(c)?)),
                ])),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
            .map(Json::Array),
        Form::Digests => cbor_items(v)?
            .iter()
            .map(cbor_bytes)
            .collect::<Option<Vec<_>>>()
            .map(Json::Array),
        Form::OemId => match v {
            Cbor::Integer(_) => number(cbor_int(v)?),
            _ => cbor_bytes(v),
        },
        Form::Cnf => match v {
            Cbor::Map(entries) => match entries.as_slice() {
                [(method, value)] => match cbor_int(method)? {
                    1 => Some(object([(
                        part::COSE_KEY,
                        Some(Json::String(to_hex(&crate::cbor::encode(value)))),
                    )])),
                    3 => Some(object([(part::KID, Some(cbor_bytes(value)?))])),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        },
        Form::PrivacyEvents => {
            let Cbor::Map(entries) = v else { return None };
            let mut m = Map::new();
            for (k, count) in entries {
                let key = u64::try_from(cbor_int(k)?).ok()?;
                let name = match privacy_counter_name(key) {
                    Some(name) => String::from(name),
                    None => format!("{key}"),
                };
                m.insert(name, number(cbor_int(count)?)?);
            }
            Some(Json::Object(m))
        }
        Form::Measres => cbor_items(v)?
            .iter()
            .map(|group| match cbor_items(group)? {
                [system, results] => {
                    let results = cbor_items(results)?
                        .iter()
                        .map(|r| match cbor_items(r)? {
                            [f, result] => Some(object([
                                (
                                    part::RESULT_FOR,
                                    Some(match f {
                                        Cbor::Text(t) => Json::String(t.clone()),
                                        _ => object([(BSTR, Some(cbor_bytes(f)?))]),
                                    }),
                                ),
                                (
                                    part::RESULT,
                                    Some(cbor_code(&codes::<MeasResult>(), result)?),
                                ),
                            ])),
                            _ => None,
                        })
                        .collect::<Option<Vec<_>>>()?;
                    Some(object([
                        (part::SYSTEM, Some(cbor_text(system)?)),
                        (part::RESULTS, Some(Json::Array(results))),
                    ]))
                }
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
            .map(Json::Array),
        Form::Submods => {
            let Cbor::Map(entries) = v else { return None };
            let mut m = Map::new();
            let mut unknown = Vec::new();
            for (k, layer) in entries {
                match k {
                    Cbor::Text(name) => match Layer::from_name(name) {
                        Some(l) => {
                            m.insert(name.clone(), claims_to_json(Scope::Layer(l), layer));
                        }
                        None => unknown.push(unknown_entry(&ClaimKey::Text(name.clone()), layer)),
                    },
                    _ => return None,
                }
            }
            if !unknown.is_empty() {
                m.insert(UNKNOWN.into(), Json::Array(unknown));
            }
            Some(Json::Object(m))
        }
    }
}

fn privacy_counter_name(key: u64) -> Option<&'static str> {
    PRIVACY_COUNTERS
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, n)| *n)
}
