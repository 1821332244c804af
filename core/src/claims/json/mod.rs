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
//!
//! `form` says what form each claim's value takes; `encode` writes the JSON
//! of a CBOR claims set, `decode` reads it back into CBOR, over the strict
//! JSON parser of `strict`.

mod decode;
mod encode;
mod form;
mod strict;

use alloc::format;

use serde_json::Value as Json;

use super::de::{self, Path};
use super::names::{part, Scope};
use super::{keys, ClaimsSet};
use crate::error::ClaimsError;
use decode::claims_from_json;
use encode::claims_to_json;
pub(crate) use form::{form_of, Form};
use strict::StrictJson;

/// The member that lists a claims set's unknown claims (and, in `submods`,
/// the unknown submodules).
pub(crate) const UNKNOWN: &str = "unknown";
/// Unknown-claim entry: the key, a JSON integer or string.
pub(super) const KEY: &str = "key";
/// Unknown-claim entry: an integer key beyond 64 bits, as hex CBOR.
pub(super) const KEY_CBOR: &str = "key-cbor";
/// Unknown-claim entry, and `cnf`: a CBOR data item as hex.
pub(super) const CBOR: &str = "cbor";
/// `result-for` given as a byte string: `{"bstr": "<hex>"}`.
pub(super) const BSTR: &str = "bstr";

pub(super) const HEX: &str = "a lowercase hex string";
pub(super) const INTEGER: &str = "an integer";
pub(super) const OBJECT: &str = "an object";
pub(super) const ARRAY: &str = "an array";
pub(super) const STRING: &str = "a string";
pub(super) const LABEL: &str = "a string or {\"hex\": …}";

/// The names of the `privacy-events` counters of this revision.
pub(super) const PRIVACY_COUNTERS: [(u64, &str); 3] = [
    (1, part::OUT_OF_SCOPE),
    (2, part::OVER_FREQUENCY),
    (3, part::BACKGROUND),
];

// ------------------------------------------------------------ public API

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
