//! JSON → CBOR: reading the JSON form of a claims set (spec §12) into the
//! CBOR claims set that `ClaimsSet::from_value` then checks.

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use ciborium::value::{Integer, Value as Cbor};
use serde_json::{Map, Value as Json};

use super::super::de::{self, Path};
use super::super::names::{part, Layer, Scope};
use super::super::{ClaimKey, MeasResult};
use super::form::{codes, form_of, Codes, Form};
use super::{
    ARRAY, BSTR, CBOR, HEX, INTEGER, KEY, KEY_CBOR, LABEL, OBJECT, PRIVACY_COUNTERS, STRING,
    UNKNOWN,
};
use crate::encoding::{from_hex, label_text, LABEL_HEX};
use crate::error::ClaimsError;
use crate::limits::Limits;

/// The CBOR claims set (top level or a layer) of a JSON object.
pub(super) fn claims_from_json(
    scope: Scope,
    members: &Map<String, Json>,
    path: &Path<'_>,
) -> Result<Cbor, ClaimsError> {
    let mut entries = Vec::with_capacity(members.len());
    for (name, v) in members {
        let p = path.field(name);
        if name == UNKNOWN {
            unknown_from_json(scope, v, &p, &mut entries)?;
            continue;
        }
        let form = scope.key_of(name).and_then(|k| Some((k, form_of(k)?)));
        let Some((key, form)) = form else {
            let what = match scope {
                Scope::Layer(layer) => format!("a claim of the {layer} layer"),
                _ => String::from("a top-level claim"),
            };
            return Err(de::invalid(
                &p,
                format!(
                    "is not {what} of this profile (claims it does not define go in \"{UNKNOWN}\")"
                ),
            ));
        };
        entries.push((Cbor::Integer(key.into()), value_from_json(form, v, &p)?));
    }
    Ok(Cbor::Map(entries))
}

/// Appends the claims of an `"unknown"` list to `entries`.
fn unknown_from_json(
    scope: Scope,
    list: &Json,
    path: &Path<'_>,
    entries: &mut Vec<(Cbor, Cbor)>,
) -> Result<(), ClaimsError> {
    let Json::Array(items) = list else {
        return Err(de::wrong_type(
            path,
            "an array of {\"key\", \"cbor\"} objects",
        ));
    };
    let mut seen: Vec<ClaimKey> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let p = path.index(i);
        let m = members(item, &p, &[KEY, KEY_CBOR, CBOR], "an unknown-claim entry")?;
        let key = match (m.get(KEY), m.get(KEY_CBOR)) {
            (Some(k), None) => {
                let kp = p.field(KEY);
                match k {
                    Json::String(t) => ClaimKey::Text(t.clone()),
                    Json::Number(_) => ClaimKey::Int(json_int(k, &kp)?),
                    _ => return Err(de::wrong_type(&kp, "an integer or a string")),
                }
            }
            (None, Some(k)) => {
                let kp = p.field(KEY_CBOR);
                match cbor_from_hex(k, &kp)? {
                    Cbor::Integer(n) if i128::from(n) < i128::from(i64::MIN) => {
                        ClaimKey::Int(n.into())
                    }
                    _ => {
                        return Err(de::invalid(
                            &kp,
                            "is only for integer keys below -2^63; write others as \"key\"",
                        ))
                    }
                }
            }
            (None, None) => return Err(de::missing(&p.field(KEY))),
            (Some(_), Some(_)) => {
                return Err(de::invalid(
                    &p.field(KEY_CBOR),
                    "an entry has \"key\" or \"key-cbor\", not both",
                ))
            }
        };
        let kp = p.field(if m.contains_key(KEY) { KEY } else { KEY_CBOR });
        match (&key, scope) {
            (ClaimKey::Int(_), Scope::Submods) => {
                return Err(de::wrong_type(&kp, "a string (a submodule name)"));
            }
            (ClaimKey::Text(t), Scope::Submods) if Layer::from_name(t).is_some() => {
                return Err(de::invalid(
                    &kp,
                    format!("is a layer; write it as \"{t}\" in \"submods\""),
                ));
            }
            (ClaimKey::Int(_), _) => {
                if let Some(name) = key.as_i64().and_then(|k| scope.name_of(k)) {
                    return Err(de::invalid(
                        &kp,
                        format!("is the key of the claim {name}; write it as \"{name}\""),
                    ));
                }
            }
            (ClaimKey::Text(_), _) => {}
        }
        if seen.contains(&key) {
            return Err(de::invalid(&kp, "repeats the key of an earlier entry"));
        }
        let value = match m.get(CBOR) {
            Some(v) => cbor_from_hex(v, &p.field(CBOR))?,
            None => return Err(de::missing(&p.field(CBOR))),
        };
        let Some(key_value) = key.to_value() else {
            return Err(de::invalid(&kp, "is outside the CBOR integer range"));
        };
        entries.push((key_value, value));
        seen.push(key);
    }
    Ok(())
}

/// The members of a JSON object, refusing names not in `allowed`.
fn members<'j>(
    v: &'j Json,
    path: &Path<'_>,
    allowed: &[&str],
    what: &str,
) -> Result<&'j Map<String, Json>, ClaimsError> {
    let Json::Object(m) = v else {
        return Err(de::wrong_type(path, OBJECT));
    };
    if let Some(name) = m.keys().find(|n| !allowed.contains(&n.as_str())) {
        let allowed = allowed
            .iter()
            .map(|a| format!("\"{a}\""))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(de::invalid(
            &path.field(name),
            format!("is not a member of {what} (members: {allowed})"),
        ));
    }
    Ok(m)
}

/// A required member.
fn required<'j>(
    m: &'j Map<String, Json>,
    name: &'static str,
    path: &Path<'_>,
) -> Result<&'j Json, ClaimsError> {
    m.get(name).ok_or_else(|| de::missing(&path.field(name)))
}

fn json_int(v: &Json, path: &Path<'_>) -> Result<i128, ClaimsError> {
    let Json::Number(n) = v else {
        return Err(de::wrong_type(path, INTEGER));
    };
    if let Some(u) = n.as_u64() {
        Ok(u.into())
    } else if let Some(i) = n.as_i64() {
        Ok(i.into())
    } else {
        Err(de::wrong_type(path, INTEGER))
    }
}

fn integer(v: &Json, path: &Path<'_>) -> Result<Cbor, ClaimsError> {
    let n = json_int(v, path)?;
    Integer::try_from(n)
        .map(Cbor::Integer)
        .map_err(|_| de::invalid(path, "is out of range"))
}

fn text(v: &Json, path: &Path<'_>) -> Result<Cbor, ClaimsError> {
    match v {
        Json::String(t) => Ok(Cbor::Text(t.clone())),
        _ => Err(de::wrong_type(path, STRING)),
    }
}

fn hex_bytes(v: &Json, path: &Path<'_>) -> Result<Vec<u8>, ClaimsError> {
    let Json::String(t) = v else {
        return Err(de::wrong_type(path, HEX));
    };
    // One spelling a value (spec §12): the one hex rule, lowercase only.
    if t.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(de::invalid(
            path,
            "is not a lowercase hex string of whole bytes",
        ));
    }
    from_hex(t).map_err(|_| de::invalid(path, "is not a lowercase hex string of whole bytes"))
}

fn bytes(v: &Json, path: &Path<'_>) -> Result<Cbor, ClaimsError> {
    hex_bytes(v, path).map(Cbor::Bytes)
}

/// A label (`hwmodel`, spec §12.3): text for bytes that are text, else
/// `{"hex": …}`; the hex form of bytes that are text, and text the hex
/// form must carry (a control character), are refused, so that each value
/// has one spelling.
fn label(v: &Json, path: &Path<'_>) -> Result<Cbor, ClaimsError> {
    match v {
        Json::String(t) => {
            if label_text(t.as_bytes()).is_none() {
                return Err(de::invalid(
                    path,
                    "contains a control character: write such bytes as {\"hex\": …}",
                ));
            }
            Ok(Cbor::Bytes(t.as_bytes().to_vec()))
        }
        Json::Object(_) => {
            let m = members(v, path, &[LABEL_HEX], "a label in hex")?;
            let p = path.field(LABEL_HEX);
            let b = hex_bytes(required(m, LABEL_HEX, path)?, &p)?;
            if label_text(&b).is_some() {
                return Err(de::invalid(
                    &p,
                    "is text (UTF-8 without control characters): write it as a string",
                ));
            }
            Ok(Cbor::Bytes(b))
        }
        _ => Err(de::wrong_type(path, LABEL)),
    }
}

/// A CBOR data item given as hex; strict CBOR within the default limits.
fn cbor_from_hex(v: &Json, path: &Path<'_>) -> Result<Cbor, ClaimsError> {
    let raw = hex_bytes(v, path)?;
    crate::cbor::decode_strict(&raw, &Limits::DEFAULT)
        .map_err(|e| de::invalid(path, format!("is not acceptable CBOR: {e} ({})", e.code())))
}

fn array<'j>(v: &'j Json, path: &Path<'_>) -> Result<&'j [Json], ClaimsError> {
    match v {
        Json::Array(items) => Ok(items),
        _ => Err(de::wrong_type(path, ARRAY)),
    }
}

/// Converts each element of an array.
fn each(
    v: &Json,
    path: &Path<'_>,
    mut f: impl FnMut(&Json, &Path<'_>) -> Result<Cbor, ClaimsError>,
) -> Result<Cbor, ClaimsError> {
    array(v, path)?
        .iter()
        .enumerate()
        .map(|(i, item)| f(item, &path.index(i)))
        .collect::<Result<Vec<_>, _>>()
        .map(Cbor::Array)
}

fn code(codes: &Codes, v: &Json, path: &Path<'_>) -> Result<Cbor, ClaimsError> {
    let Json::String(name) = v else {
        return Err(de::wrong_type(path, "a string (a value name)"));
    };
    match (codes.code)(name) {
        Some(c) => Ok(Cbor::Integer(c.into())),
        None => Err(de::invalid(
            path,
            format!("{name:?} is not one of {}", (codes.all)()),
        )),
    }
}

fn value_from_json(form: Form, v: &Json, path: &Path<'_>) -> Result<Cbor, ClaimsError> {
    match form {
        Form::Int | Form::Time | Form::Seconds | Form::PatchLevel | Form::Lifecycle => {
            integer(v, path)
        }
        Form::Bool => match v {
            Json::Bool(b) => Ok(Cbor::Bool(*b)),
            _ => Err(de::wrong_type(path, "a boolean")),
        },
        Form::Text => text(v, path),
        Form::Bytes => bytes(v, path),
        Form::Label => label(v, path),
        Form::Code(codes) => code(&codes, v, path),
        Form::Version => {
            let m = members(v, path, &[part::VERSION, part::SCHEME], "a version")?;
            let mut items = alloc::vec![text(
                required(m, part::VERSION, path)?,
                &path.field(part::VERSION)
            )?];
            if let Some(scheme) = m.get(part::SCHEME) {
                items.push(integer(scheme, &path.field(part::SCHEME))?);
            }
            Ok(Cbor::Array(items))
        }
        Form::Dloas => each(v, path, |dloa, p| {
            const PARTS: [&str; 3] = [
                part::REGISTRAR,
                part::PLATFORM_LABEL,
                part::APPLICATION_LABEL,
            ];
            let m = members(dloa, p, &PARTS, "a dloas entry")?;
            let mut items = alloc::vec![
                text(required(m, part::REGISTRAR, p)?, &p.field(part::REGISTRAR))?,
                text(
                    required(m, part::PLATFORM_LABEL, p)?,
                    &p.field(part::PLATFORM_LABEL)
                )?,
            ];
            if let Some(app) = m.get(part::APPLICATION_LABEL) {
                items.push(text(app, &p.field(part::APPLICATION_LABEL))?);
            }
            Ok(Cbor::Array(items))
        }),
        Form::Measurements => each(v, path, |item, p| {
            let parts = [part::CONTENT_TYPE, part::CONTENT];
            let m = members(item, p, &parts, "a measurement")?;
            Ok(Cbor::Array(alloc::vec![
                integer(
                    required(m, part::CONTENT_TYPE, p)?,
                    &p.field(part::CONTENT_TYPE)
                )?,
                bytes(required(m, part::CONTENT, p)?, &p.field(part::CONTENT))?,
            ]))
        }),
        Form::Digests => each(v, path, bytes),
        Form::OemId => match v {
            Json::Number(_) => integer(v, path),
            Json::String(_) => bytes(v, path),
            _ => Err(de::wrong_type(
                path,
                "an integer (PEN) or a lowercase hex string",
            )),
        },
        Form::Cnf => {
            let m = members(v, path, &[part::COSE_KEY, part::KID], "cnf")?;
            let (method, value) = match (m.get(part::COSE_KEY), m.get(part::KID)) {
                (Some(key), None) => (1u8, cbor_from_hex(key, &path.field(part::COSE_KEY))?),
                (None, Some(kid)) => (3, bytes(kid, &path.field(part::KID))?),
                // The member count is part of the value set, as in CBOR.
                _ => {
                    return Err(de::invalid(
                        path,
                        "needs exactly one member, \"cose-key\" or \"kid\"",
                    ))
                }
            };
            Ok(Cbor::Map(alloc::vec![(
                Cbor::Integer(method.into()),
                value
            )]))
        }
        Form::PrivacyEvents => {
            let Json::Object(m) = v else {
                return Err(de::wrong_type(path, OBJECT));
            };
            let mut entries = Vec::with_capacity(m.len());
            for (name, count) in m {
                let p = path.field(name);
                let key = match PRIVACY_COUNTERS.iter().find(|(_, n)| n == name) {
                    Some((k, _)) => *k,
                    None => other_counter_key(name).ok_or_else(|| {
                        de::invalid(
                            &p,
                            "is not a counter: \"out-of-scope\", \"over-frequency\", \
                             \"background\" or the decimal key of a later revision's counter",
                        )
                    })?,
                };
                entries.push((Cbor::Integer(key.into()), integer(count, &p)?));
            }
            Ok(Cbor::Map(entries))
        }
        Form::Measres => each(v, path, |group, gp| {
            let m = members(group, gp, &[part::SYSTEM, part::RESULTS], "a measres group")?;
            let system = text(required(m, part::SYSTEM, gp)?, &gp.field(part::SYSTEM))?;
            let rp = gp.field(part::RESULTS);
            let results = each(required(m, part::RESULTS, gp)?, &rp, |r, ip| {
                let parts = [part::RESULT_FOR, part::RESULT];
                let m = members(r, ip, &parts, "a measres result")?;
                let fp = ip.field(part::RESULT_FOR);
                let result_for = match required(m, part::RESULT_FOR, ip)? {
                    Json::String(t) => Cbor::Text(t.clone()),
                    f @ Json::Object(_) => {
                        let b = members(f, &fp, &[BSTR], "a bstr result-for")?;
                        bytes(required(b, BSTR, &fp)?, &fp.field(BSTR))?
                    }
                    _ => return Err(de::wrong_type(&fp, "a string or {\"bstr\": lowercase hex}")),
                };
                let result = code(
                    &codes::<MeasResult>(),
                    required(m, part::RESULT, ip)?,
                    &ip.field(part::RESULT),
                )?;
                Ok(Cbor::Array(alloc::vec![result_for, result]))
            })?;
            Ok(Cbor::Array(alloc::vec![system, results]))
        }),
        Form::Submods => {
            let Json::Object(m) = v else {
                return Err(de::wrong_type(path, OBJECT));
            };
            let mut entries = Vec::with_capacity(m.len());
            for (name, layer) in m {
                let p = path.field(name);
                if name == UNKNOWN {
                    unknown_from_json(Scope::Submods, layer, &p, &mut entries)?;
                    continue;
                }
                let Some(l) = Layer::from_name(name) else {
                    return Err(de::invalid(
                        &p,
                        format!(
                            "is not a layer (chip, boot, os, app, runtime, network); other \
                             submodules go in \"{UNKNOWN}\""
                        ),
                    ));
                };
                let Json::Object(claims) = layer else {
                    return Err(de::wrong_type(&p, OBJECT));
                };
                entries.push((
                    Cbor::Text(name.to_owned()),
                    claims_from_json(Scope::Layer(l), claims, &p)?,
                ));
            }
            Ok(Cbor::Map(entries))
        }
    }
}

/// The key of a later revision's privacy counter: a canonical decimal
/// (no sign, no leading zero) other than 1, 2 and 3, which have names. Key
/// 0 is a later revision's counter like 4 (the CBOR form accepts any
/// unsigned key), so it has a JSON form too.
fn other_counter_key(name: &str) -> Option<u64> {
    let canonical = !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_digit())
        && !(name.len() > 1 && name.starts_with('0'));
    let key: u64 = name.parse().ok().filter(|_| canonical)?;
    (!(1..=3).contains(&key)).then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_lowercase_digits_of_whole_bytes() {
        let path = Path::ROOT;
        let read = |t: &str| hex_bytes(&Json::String(t.into()), &path);
        assert_eq!(read("005aff").unwrap(), [0x00, 0x5a, 0xff]);
        assert_eq!(read("").unwrap(), Vec::<u8>::new());
        for bad in ["0", "5A", "zz", "0x00", " 00"] {
            assert_eq!(
                read(bad).unwrap_err().code(),
                "claims.invalid-value",
                "{bad}"
            );
        }
    }

    #[test]
    fn other_counter_keys_are_canonical_decimals_but_the_named_ones() {
        assert_eq!(other_counter_key("4"), Some(4));
        assert_eq!(other_counter_key("0"), Some(0));
        assert_eq!(other_counter_key("18446744073709551615"), Some(u64::MAX));
        for bad in [
            "",
            "3",
            "2",
            "1",
            "00",
            "04",
            "+4",
            "-4",
            "4.0",
            "18446744073709551616",
            "x",
        ] {
            assert_eq!(other_counter_key(bad), None, "{bad}");
        }
    }
}
