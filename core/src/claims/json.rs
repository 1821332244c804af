//! The JSON form of a claims set (`spec/claims-json.md`).
//!
//! The one form claims take outside CBOR: the CLI's `--claims` input and
//! `--json` output, the conformance-vector manifest, the WASM bindings and the
//! FFI. It is lossless: [`ClaimsSet::from_json`] of [`ClaimsSet::to_json`] is
//! the same claims set, unknown claims included.
//!
//! - Members are the kebab-case claim names of [`names`](super::names); the
//!   layers are members of `"submods"`.
//! - Integers (times, counters, patch levels `YYYYMMDD`, the PSA lifecycle)
//!   are JSON integers; booleans are JSON booleans; text is a JSON string;
//!   byte strings are lowercase hex strings; value-set claims are their names
//!   (`"verified"`, `"strongbox"`).
//! - Structured claims are objects whose members are the part names of
//!   [`names::part`](super::names::part) (`swversion`: `{"version", "scheme"}`,
//!   `measres`: `[{"system", "results": [{"result-for", "result"}]}]`, ...), so
//!   error paths read the same in CBOR and in JSON.
//! - Claims this revision does not define are listed, in every claims set and
//!   in `"submods"`, under `"unknown"`: `[{"key": -70001, "cbor": "<hex>"}]`,
//!   the value as the hex of its deterministic CBOR encoding.
//!
//! Decoding converts the JSON to the CBOR claims set and checks it with
//! [`ClaimsSet::from_value`], so every rule of the profile applies and errors
//! have the same variants and paths (`submods.boot.verified-boot-state`).
//! Member names that are neither claims nor parts (typos) are refused with
//! [`ClaimsError::InvalidValue`] at their path.

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use ciborium::value::{Integer, Value as Cbor};
use serde_json::{Map, Number, Value as Json};

use super::de::{self, Code, Path};
use super::names::{part, Layer, Scope};
use super::{
    keys, ClaimKey, ClaimsSet, DebugStatus, EvidenceSource, Installer, IntendedUse,
    KeySecurityLevel, Malware, MeasResult, StorageEncryption, VerifiedBootState,
};
use crate::error::ClaimsError;
use crate::limits::Limits;

/// The member that lists a claims set's unknown claims (and, in `submods`,
/// the unknown submodules).
pub(crate) const UNKNOWN: &str = "unknown";
/// Unknown-claim entry: the key, a JSON integer or string.
const KEY: &str = "key";
/// Unknown-claim entry: an integer key beyond 64 bits, as hex CBOR.
const KEY_CBOR: &str = "key-cbor";
/// Unknown-claim entry, and `cnf`: a CBOR data item as hex.
const CBOR: &str = "cbor";
/// `result-for` given as a byte string: `{"bstr": "<hex>"}`.
const BSTR: &str = "bstr";

const HEX: &str = "a lowercase hex string";
const INTEGER: &str = "an integer";
const OBJECT: &str = "an object";
const ARRAY: &str = "an array";
const STRING: &str = "a string";

// ------------------------------------------------------------------ forms

/// A value set: its codes and names (from `code_enum!`).
#[derive(Clone, Copy)]
pub(crate) struct Codes {
    name: fn(u64) -> Option<&'static str>,
    code: fn(&str) -> Option<u64>,
    all: fn() -> String,
}

fn code_name<T: Code>(code: u64) -> Option<&'static str> {
    T::from_code(code).map(T::name)
}

fn name_code<T: Code>(name: &str) -> Option<u64> {
    T::all().iter().find(|v| v.name() == name).map(|v| v.code())
}

fn all_names<T: Code>() -> String {
    let names: Vec<&str> = T::all().iter().map(|v| v.name()).collect();
    names.join(", ")
}

fn codes<T: Code>() -> Codes {
    Codes {
        name: code_name::<T>,
        code: name_code::<T>,
        all: all_names::<T>,
    }
}

impl Codes {
    /// The name of `code`.
    pub(crate) fn name(&self, code: u64) -> Option<&'static str> {
        (self.name)(code)
    }
}

/// How a defined claim's value looks in JSON.
#[derive(Clone, Copy)]
pub(crate) enum Form {
    /// An integer (`int` or `uint`).
    Int,
    /// Epoch seconds, an integer.
    Time,
    /// A duration in seconds, an integer.
    Seconds,
    /// A patch level `YYYYMMDD`, an integer.
    PatchLevel,
    /// A PSA security lifecycle, an integer.
    Lifecycle,
    /// A boolean.
    Bool,
    /// A string.
    Text,
    /// A byte string, as hex.
    Bytes,
    /// A byte string that is usually printable (`hwmodel`), as hex.
    Label,
    /// A value of a value set, by name.
    Code(Codes),
    /// `hwversion` / `swversion`: `{"version": tstr, ? "scheme": int}`.
    Version,
    /// `dloas`: `[+ {"registrar", "platform-label", ? "application-label"}]`.
    Dloas,
    /// `measurements`: `[+ {"content-type": uint, "content": hex}]`.
    Measurements,
    /// `app-signers`: `[+ hex]`.
    Digests,
    /// `oemid`: an integer (PEN) or hex (IEEE OUI / random).
    OemId,
    /// `cnf`: `{"cose-key": hex CBOR}` or `{"kid": hex}`.
    Cnf,
    /// `privacy-events`: counters by name, others by decimal key.
    PrivacyEvents,
    /// `measres`: `[+ {"system", "results": [+ {"result-for", "result"}]}]`.
    Measres,
    /// `submods`: the layers by name, other submodules under `"unknown"`.
    Submods,
}

/// The form of the claim with `key` (keys are unique across scopes, so the
/// key alone decides); `None` for a key no scope defines.
pub(crate) fn form_of(key: i64) -> Option<Form> {
    use keys::*;
    Some(match key {
        IAT | EXP | NBF => Form::Time,
        UPTIME => Form::Seconds,
        ROLLBACK_INDEX | BOOTCOUNT | APP_VERSION | ATTESTATION_VELOCITY => Form::Int,
        BOOT_PATCH_LEVEL | OS_PATCH_LEVEL | VENDOR_PATCH_LEVEL => Form::PatchLevel,
        SECURITY_LIFECYCLE => Form::Lifecycle,
        HW_ROOT_OF_TRUST | BOOTLOADER_LOCKED | OEMBOOT | ROLLBACK_ENFORCED | MAC_ENFORCING
        | SCREEN_LOCK | DEVELOPER_OPTIONS | USB_DEBUGGING => Form::Bool,
        PROFILE | SWNAME | APP_ID => Form::Text,
        NONCE | CTI | UEID | BOOT_KEY_DIGEST | BOOT_IMAGE_DIGEST => Form::Bytes,
        HWMODEL => Form::Label,
        INTUSE => Form::Code(codes::<IntendedUse>()),
        EVIDENCE_SOURCE => Form::Code(codes::<EvidenceSource>()),
        KEY_SECURITY_LEVEL => Form::Code(codes::<KeySecurityLevel>()),
        DBGSTAT => Form::Code(codes::<DebugStatus>()),
        VERIFIED_BOOT_STATE => Form::Code(codes::<VerifiedBootState>()),
        STORAGE_ENCRYPTION => Form::Code(codes::<StorageEncryption>()),
        INSTALLER => Form::Code(codes::<Installer>()),
        MALWARE => Form::Code(codes::<Malware>()),
        HWVERSION | SWVERSION => Form::Version,
        DLOAS => Form::Dloas,
        MEASUREMENTS => Form::Measurements,
        APP_SIGNERS => Form::Digests,
        OEMID => Form::OemId,
        CNF => Form::Cnf,
        PRIVACY_EVENTS => Form::PrivacyEvents,
        MEASRES => Form::Measres,
        SUBMODS => Form::Submods,
        _ => return None,
    })
}

// ------------------------------------------------------------------- hex

/// Lowercase hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    let digit = |d: u8| char::from_digit(u32::from(d), 16).unwrap_or('0');
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(digit(b >> 4));
        out.push(digit(b & 0x0f));
    }
    out
}

fn unhex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

/// The bytes of a lowercase hex string.
fn unhex(text: &str) -> Option<Vec<u8>> {
    let digits = text.as_bytes();
    if digits.len() % 2 != 0 {
        return None;
    }
    digits
        .chunks_exact(2)
        .map(|pair| match pair {
            [hi, lo] => Some(unhex_digit(*hi)? << 4 | unhex_digit(*lo)?),
            _ => None,
        })
        .collect()
}

// ---------------------------------------------------------- CBOR -> JSON

impl ClaimsSet {
    /// The JSON form of this claims set (`spec/claims-json.md`).
    ///
    /// ```
    /// use mtattest::claims::keys::detection;
    /// use mtattest::claims::{
    ///     BootLayer, ClaimsSet, EvidenceSource, MeasResult, OsLayer, PatchLevel, RuntimeLayer,
    ///     VerifiedBootState,
    /// };
    ///
    /// let mut runtime = RuntimeLayer::builder(EvidenceSource::Software).build();
    /// runtime.set_detection(detection::ROOT, MeasResult::Success);
    /// let claims = ClaimsSet::builder(1_767_225_600)
    ///     .nonce([0x5a; 32]).unwrap()
    ///     .boot(BootLayer::builder(EvidenceSource::Hardware)
    ///         .verified_boot_state(VerifiedBootState::Verified)
    ///         .build())
    ///     .os(OsLayer::builder(EvidenceSource::Kernel)
    ///         .os_patch_level(PatchLevel::from_ymd(2025, 12, 1).unwrap())
    ///         .build())
    ///     .runtime(runtime)
    ///     .build();
    /// let json = claims.to_json();
    /// assert_eq!(json["iat"], 1_767_225_600);
    /// assert_eq!(json["submods"]["boot"]["verified-boot-state"], "verified");
    /// assert_eq!(json["submods"]["os"]["os-patch-level"], 20251201);
    /// assert_eq!(
    ///     json["submods"]["runtime"]["measres"][0]["results"][0],
    ///     serde_json::json!({"result-for": "root", "result": "success"})
    /// );
    /// assert_eq!(ClaimsSet::from_json(&json), Ok(claims));
    ///
    /// // A typo is named by its path.
    /// let mut bad = json.clone();
    /// bad["submods"]["boot"]["verfied-boot-state"] = "verified".into();
    /// let err = ClaimsSet::from_json(&bad).unwrap_err();
    /// assert_eq!(err.code(), "claims.invalid-value");
    /// assert!(err.to_string().contains("submods.boot.verfied-boot-state"));
    /// ```
    pub fn to_json(&self) -> Json {
        claims_to_json(Scope::Top, &self.to_value())
    }

    /// Reads a claims set from its JSON form (`spec/claims-json.md`) and
    /// checks it as [`ClaimsSet::from_value`] checks CBOR.
    ///
    /// Fails with [`ClaimsError::NotAMap`] if `json` is not an object,
    /// [`ClaimsError::WrongProfile`] if `eat-profile` names another profile,
    /// [`ClaimsError::WrongType`] for a value of the wrong JSON type,
    /// [`ClaimsError::InvalidValue`] for a value outside its value set, a
    /// member name that is not a claim or part there (a typo), malformed hex or
    /// CBOR in hex, or an unknown-claim entry that uses a defined key, and
    /// [`ClaimsError::Missing`] for an absent required claim or part. Paths are
    /// those of the CBOR checks (`submods.boot.verified-boot-state`), with
    /// `unknown[i]` for entries of the unknown-claim lists.
    pub fn from_json(json: &Json) -> Result<Self, ClaimsError> {
        let Json::Object(members) = json else {
            return Err(ClaimsError::NotAMap);
        };
        // As in CBOR, the profile is checked before anything else, so that
        // claims of another profile are reported as such.
        let profile = Path::ROOT.field("eat-profile");
        match members.get("eat-profile") {
            Some(Json::String(p)) if p == keys::PROFILE_V1 => {}
            Some(Json::String(p)) => return Err(ClaimsError::WrongProfile { found: p.clone() }),
            Some(_) => return Err(de::wrong_type(&profile, STRING)),
            None => return Err(de::missing(&profile)),
        }
        let value = claims_from_json(Scope::Top, members, &Path::ROOT)?;
        ClaimsSet::from_value(&value)
    }

    /// Parses JSON text and reads the claims set with [`ClaimsSet::from_json`].
    ///
    /// Fails with [`ClaimsError::InvalidJson`] if `text` is not JSON or an
    /// object in it repeats a member name (which a plain JSON parser would
    /// silently resolve to the last one).
    pub fn from_json_str(text: &str) -> Result<Self, ClaimsError> {
        let StrictJson(json) =
            serde_json::from_str(text).map_err(|e| ClaimsError::InvalidJson {
                reason: format!("{e}"),
            })?;
        Self::from_json(&json)
    }
}

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
        Cbor::Bytes(b) => Some(Json::String(hex(b))),
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
fn claims_to_json(scope: Scope, value: &Cbor) -> Json {
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
                Json::String(hex(&key
                    .to_value()
                    .map(|k| crate::cbor::encode(&k))
                    .unwrap_or_default())),
            ),
        },
        ClaimKey::Text(t) => (KEY, Json::String(t.clone())),
    };
    let cbor = Json::String(hex(&crate::cbor::encode(value)));
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
        Form::Bytes | Form::Label => cbor_bytes(v),
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
                        Some(Json::String(hex(&crate::cbor::encode(value)))),
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

/// The names of the `privacy-events` counters of this revision.
const PRIVACY_COUNTERS: [(u64, &str); 3] = [
    (1, part::OUT_OF_SCOPE),
    (2, part::OVER_FREQUENCY),
    (3, part::BACKGROUND),
];

fn privacy_counter_name(key: u64) -> Option<&'static str> {
    PRIVACY_COUNTERS
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, n)| *n)
}

// ---------------------------------------------------------- JSON -> CBOR

/// The CBOR claims set (top level or a layer) of a JSON object.
fn claims_from_json(
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
    unhex(t).ok_or_else(|| de::invalid(path, "is not a lowercase hex string of whole bytes"))
}

fn bytes(v: &Json, path: &Path<'_>) -> Result<Cbor, ClaimsError> {
    hex_bytes(v, path).map(Cbor::Bytes)
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
        Form::Bytes | Form::Label => bytes(v, path),
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
                            "is not a layer (chip, boot, os, app, runtime); other \
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

// --------------------------------------------------- strict JSON parsing

/// A JSON value whose objects have no repeated member names.
struct StrictJson(Json);

impl<'de> serde::Deserialize<'de> for StrictJson {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor).map(StrictJson)
    }
}

struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Json, E> {
        Ok(Json::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Json, E> {
        Ok(Json::Number(n.into()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Json, E> {
        Ok(Json::Number(n.into()))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Json, E> {
        Ok(Number::from_f64(n).map_or(Json::Null, Json::Number))
    }

    fn visit_str<E>(self, s: &str) -> Result<Json, E> {
        Ok(Json::String(s.into()))
    }

    fn visit_string<E>(self, s: String) -> Result<Json, E> {
        Ok(Json::String(s))
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Json, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(StrictJson(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut members = Map::new();
        while let Some(name) = map.next_key::<String>()? {
            let StrictJson(value) = map.next_value()?;
            if members.contains_key(&name) {
                return Err(serde::de::Error::custom(format!(
                    "member {name:?} appears twice in one object"
                )));
            }
            members.insert(name, value);
        }
        Ok(Json::Object(members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::names;

    #[test]
    fn every_defined_claim_has_a_form() {
        let scopes = [Scope::Top]
            .into_iter()
            .chain(Layer::ALL.into_iter().map(Scope::Layer));
        for scope in scopes {
            for c in scope.claims() {
                assert!(form_of(c.key).is_some(), "{scope:?} {}", c.name);
            }
        }
        assert!(names::TOP_LEVEL.iter().all(|c| c.name != UNKNOWN));
    }

    #[test]
    fn hex_round_trip() {
        assert_eq!(hex(&[0x00, 0x5a, 0xff]), "005aff");
        assert_eq!(unhex("005aff"), Some(alloc::vec![0x00, 0x5a, 0xff]));
        assert_eq!(unhex(""), Some(alloc::vec![]));
        for bad in ["0", "5A", "zz", "0x00", " 00"] {
            assert_eq!(unhex(bad), None, "{bad}");
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
