//! The JSON form of a KeyDescription (spec §17.2.3): the member names and
//! value notation of the decoded references of the Android corpus, so a
//! KeyDescription can be compared with one by a plain JSON comparison.
//!
//! Integers are decimal strings; byte strings are base64 with padding;
//! enumerations are the schema's names; `NULL` tags are `true`; sets of
//! integers are arrays of decimal strings.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use base64::Engine as _;
use serde_json::{Map, Value};

use super::key_description::{
    origin_name, tag, verified_boot_state_name, AuthValue, AuthorizationList, KeyDescription,
};

fn b64(bytes: &[u8]) -> Value {
    Value::String(base64::engine::general_purpose::STANDARD.encode(bytes))
}

fn int(v: i128) -> Value {
    Value::String(v.to_string())
}

/// The KeyDescription as JSON.
pub fn key_description_json(kd: &KeyDescription) -> Value {
    let mut out = Map::new();
    out.insert("attestationVersion".into(), int(kd.attestation_version));
    out.insert(
        "attestationSecurityLevel".into(),
        Value::String(kd.attestation_security_level.name().into()),
    );
    out.insert("keyMintVersion".into(), int(kd.keymint_version));
    out.insert(
        "keyMintSecurityLevel".into(),
        Value::String(kd.keymint_security_level.name().into()),
    );
    out.insert(
        "attestationChallenge".into(),
        b64(&kd.attestation_challenge),
    );
    out.insert("uniqueId".into(), b64(&kd.unique_id));
    out.insert("softwareEnforced".into(), list_json(&kd.software_enforced));
    out.insert("hardwareEnforced".into(), list_json(&kd.hardware_enforced));
    Value::Object(out)
}

fn list_json(list: &AuthorizationList) -> Value {
    let mut out = Map::new();
    for (number, value) in list.iter() {
        let Some(name) = AuthorizationList::name_of(number) else {
            continue;
        };
        let json = match value {
            AuthValue::Int(v) if number == tag::ORIGIN => match origin_name(*v) {
                Some(name) => Value::String(name.into()),
                None => int(*v),
            },
            AuthValue::Int(v) => int(*v),
            AuthValue::IntSet(vs) => Value::Array(vs.iter().map(|v| int(*v)).collect()),
            AuthValue::Flag => Value::Bool(true),
            AuthValue::Bytes(b) => b64(b),
            AuthValue::Text(t) => Value::String(t.clone()),
            AuthValue::RootOfTrust(r) => {
                let mut m = Map::new();
                m.insert("verifiedBootKey".into(), b64(&r.verified_boot_key));
                m.insert("deviceLocked".into(), Value::Bool(r.device_locked));
                m.insert(
                    "verifiedBootState".into(),
                    Value::String(verified_boot_state_name(r.verified_boot_state).into()),
                );
                if let Some(hash) = &r.verified_boot_hash {
                    m.insert("verifiedBootHash".into(), b64(hash));
                }
                Value::Object(m)
            }
            AuthValue::ApplicationId(a) => {
                let packages: Vec<Value> = a
                    .packages
                    .iter()
                    .map(|(name, version)| {
                        let mut m = Map::new();
                        m.insert("name".into(), Value::String(name.clone()));
                        m.insert("version".into(), int(*version));
                        Value::Object(m)
                    })
                    .collect();
                let mut m = Map::new();
                m.insert("packages".into(), Value::Array(packages));
                m.insert(
                    "signatures".into(),
                    Value::Array(a.signatures.iter().map(|s| b64(s)).collect()),
                );
                Value::Object(m)
            }
        };
        out.insert(String::from(name), json);
    }
    Value::Object(out)
}

/// The attestation in a few lines for people (`verify` and `inspect`):
/// security levels, RootOfTrust, patch levels, the app.
pub fn key_description_summary(kd: &KeyDescription) -> Vec<(&'static str, String)> {
    let hw = &kd.hardware_enforced;
    let mut out = alloc::vec![(
        "security level",
        alloc::format!(
            "attestation {}, key {} (attestation version {})",
            kd.attestation_security_level.name(),
            kd.keymint_security_level.name(),
            kd.attestation_version
        ),
    )];
    if let Some(r) = hw.root_of_trust() {
        out.push((
            "root of trust",
            alloc::format!(
                "{}, bootloader {}, boot key {}{}",
                verified_boot_state_name(r.verified_boot_state),
                if r.device_locked {
                    "locked"
                } else {
                    "unlocked"
                },
                crate::encoding::to_hex(&r.verified_boot_key),
                r.verified_boot_hash
                    .as_ref()
                    .map(|h| alloc::format!(", vbmeta {}", crate::encoding::to_hex(h)))
                    .unwrap_or_default()
            ),
        ));
    }
    let patches: Vec<String> = [
        ("os", tag::OS_PATCH_LEVEL),
        ("vendor", tag::VENDOR_PATCH_LEVEL),
        ("boot", tag::BOOT_PATCH_LEVEL),
    ]
    .into_iter()
    .filter_map(|(name, t)| hw.int(t).map(|v| alloc::format!("{name} {v}")))
    .collect();
    if !patches.is_empty() {
        out.push(("patch levels", patches.join(", ")));
    }
    let app = kd
        .software_enforced
        .application_id()
        .or_else(|| hw.application_id());
    if let Some(app) = app {
        let names: Vec<&str> = app.packages.iter().map(|(n, _)| n.as_str()).collect();
        let signers: Vec<String> = app
            .signatures
            .iter()
            .map(|b| crate::encoding::to_hex(b))
            .collect();
        out.push((
            "app",
            alloc::format!("{} (signers {})", names.join(", "), signers.join(", ")),
        ));
    }
    out
}

/// The Android evidence behind a verified token as JSON, for the C and
/// WebAssembly results: `attester`, `securityLevel`, `leafSerial`,
/// `keyDescription` (§17.2.3) and `claims`, one `{claim, attested, token?,
/// comparison}` per claim the attestation states (§17.5).
pub fn evidence_json(e: &super::AndroidEvidence) -> Value {
    let claims: Vec<Value> = e
        .binding
        .claims
        .iter()
        .map(|c| {
            let mut m = Map::new();
            m.insert("claim".into(), Value::String(c.claim.into()));
            m.insert("attested".into(), Value::String(c.attested.clone()));
            if let Some(t) = &c.token {
                m.insert("token".into(), Value::String(t.clone()));
            }
            m.insert(
                "comparison".into(),
                Value::String(c.comparison.name().into()),
            );
            Value::Object(m)
        })
        .collect();
    let mut out = Map::new();
    out.insert("attester".into(), Value::String(e.binding.attester.clone()));
    out.insert(
        "securityLevel".into(),
        Value::String(e.attestation.security_level().name().into()),
    );
    out.insert(
        "leafSerial".into(),
        Value::String(e.attestation.leaf_serial.clone()),
    );
    out.insert(
        "keyDescription".into(),
        key_description_json(&e.attestation.key_description),
    );
    out.insert("claims".into(), Value::Array(claims));
    Value::Object(out)
}
