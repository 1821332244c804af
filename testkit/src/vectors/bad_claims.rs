//! Invalid claims sets in genuine tokens: each claims set is the example
//! phone's with one claim of the wrong type, outside its value set, or
//! missing, correctly signed under a valid chain.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use ciborium::value::Value;

use super::envelope::layer_mut;
use super::fixtures::{phone, IAT};
use super::sign1::int;
use super::valid::token;
use super::{CaseSpec, Gen};
use mtattest::cbor;
use mtattest::claims::keys;
use mtattest::error::Error;

/// The example phone's claims set as a CBOR value.
pub(super) fn phone_value() -> Value {
    phone().to_value()
}

/// Replaces (or adds) the top-level claim `key`.
pub(super) fn set(claims: &mut Value, key: i64, value: Value) {
    if let Value::Map(entries) = claims {
        entries.retain(|(k, _)| *k != int(key));
        entries.push((int(key), value));
    }
}

/// Removes the top-level claim `key`.
fn remove(claims: &mut Value, key: i64) {
    if let Value::Map(entries) = claims {
        entries.retain(|(k, _)| *k != int(key));
    }
}

/// Replaces (or adds) `key` in `layer`.
pub(super) fn set_in(claims: &mut Value, layer: &str, key: i64, value: Value) {
    if let Some(entries) = layer_mut(claims, layer) {
        entries.retain(|(k, _)| *k != int(key));
        entries.push((int(key), value));
    }
}

/// A measres claim with one `mtattest` group of `results`.
fn measres(results: Vec<(&str, i64)>) -> Value {
    Value::Array(vec![Value::Array(vec![
        Value::Text(keys::MEASRES_SYSTEM.into()),
        Value::Array(
            results
                .into_iter()
                .map(|(name, result)| Value::Array(vec![Value::Text(name.into()), int(result)]))
                .collect(),
        ),
    ])])
}

pub(super) fn cases(gen: &mut Gen) -> Result<(), Error> {
    let chain = gen.pki.chain();
    let device = gen.pki.device.signer()?;
    let add = |gen: &mut Gen,
               id: &'static str,
               description: &str,
               claims: Value,
               code: &'static str,
               nonce: bool|
     -> Result<(), Error> {
        let spec = CaseSpec::invalid(
            id,
            String::from(description),
            token(&chain, cbor::encode(&claims), &device)?,
            code,
        );
        gen.add(if nonce { spec } else { spec.nonce(None) })
    };

    let array = Value::Array(vec![Value::Text(keys::PROFILE_V1.into()), int(IAT)]);
    add(
        gen,
        "invalid-claims-not-a-map",
        "The payload is an array [profile, iat], not a map.",
        array,
        "claims.not-a-map",
        true,
    )?;

    let mut c = phone_value();
    set(&mut c, keys::IAT, Value::Text(alloc::format!("{IAT}")));
    add(
        gen,
        "invalid-claims-iat-text",
        "iat is a text string of the right number.",
        c,
        "claims.wrong-type",
        true,
    )?;

    let mut c = phone_value();
    set(&mut c, keys::IAT, Value::Tag(1, int(IAT).into()));
    add(
        gen,
        "invalid-claims-iat-tagged",
        "iat is tagged 1 (epoch date/time); defined claims are never tagged.",
        c,
        "claims.wrong-type",
        true,
    )?;

    let mut c = phone_value();
    set(&mut c, keys::IAT, Value::Float(IAT as f64));
    add(
        gen,
        "invalid-claims-iat-float",
        "iat is a floating-point number of the right value.",
        c,
        "claims.wrong-type",
        true,
    )?;

    let mut c = phone_value();
    set_in(
        &mut c,
        keys::layer::CHIP,
        keys::EVIDENCE_SOURCE,
        Value::Text("hardware".into()),
    );
    add(
        gen,
        "invalid-claims-evidence-source-text",
        "The chip layer's evidence-source is the text \"hardware\" instead of 2.",
        c,
        "claims.wrong-type",
        true,
    )?;

    let mut c = phone_value();
    set_in(&mut c, keys::layer::BOOT, keys::BOOTLOADER_LOCKED, int(1));
    add(
        gen,
        "invalid-claims-bool-as-int",
        "bootloader-locked is the integer 1 instead of true.",
        c,
        "claims.wrong-type",
        true,
    )?;

    let mut c = phone_value();
    if let Value::Map(entries) = &mut c {
        for (k, v) in entries.iter_mut() {
            if *k == int(keys::SUBMODS) {
                if let Value::Map(layers) = v {
                    for (name, layer) in layers.iter_mut() {
                        if *name == Value::Text(keys::layer::CHIP.into()) {
                            *layer = Value::Array(vec![int(keys::EVIDENCE_SOURCE), int(2)]);
                        }
                    }
                }
            }
        }
    }
    add(
        gen,
        "invalid-claims-layer-not-map",
        "The chip layer is an array instead of a map.",
        c,
        "claims.wrong-type",
        true,
    )?;

    let mut c = phone_value();
    set_in(&mut c, keys::layer::BOOT, keys::VERIFIED_BOOT_STATE, int(9));
    add(
        gen,
        "invalid-claims-verified-boot-state-9",
        "verified-boot-state is 9, outside 0..3.",
        c,
        "claims.invalid-value",
        true,
    )?;

    let mut c = phone_value();
    set(&mut c, keys::NONCE, Value::Bytes(vec![0x5a; 4]));
    add(
        gen,
        "invalid-claims-nonce-too-short",
        "eat_nonce is 4 bytes (8..64 allowed); no challenge is configured.",
        c,
        "claims.invalid-value",
        false,
    )?;

    let mut c = phone_value();
    set_in(&mut c, keys::layer::OS, keys::OS_PATCH_LEVEL, int(202_609));
    add(
        gen,
        "invalid-claims-patch-level-yyyymm",
        "os-patch-level is 202609 (Android's YYYYMM, not normalised to YYYYMM00).",
        c,
        "claims.invalid-value",
        true,
    )?;

    let mut c = phone_value();
    set(&mut c, keys::SUBMODS, Value::Map(Vec::new()));
    add(
        gen,
        "invalid-claims-submods-empty",
        "submods is an empty map.",
        c,
        "claims.invalid-value",
        true,
    )?;

    let mut c = phone_value();
    set_in(
        &mut c,
        keys::layer::APP,
        keys::PRIVACY_EVENTS,
        Value::Map(vec![(int(1), int(0)), (int(-1), int(3))]),
    );
    add(
        gen,
        "invalid-claims-privacy-counter-key-negative",
        "privacy-events has a counter under key -1: counter keys are unsigned, so no revision can define it.",
        c,
        "claims.invalid-value",
        true,
    )?;

    let mut c = phone_value();
    set_in(
        &mut c,
        keys::layer::RUNTIME,
        keys::MEASRES,
        measres(vec![("root", 5)]),
    );
    add(
        gen,
        "invalid-claims-measres-result-5",
        "A runtime detection result is 5 (results are 1..4).",
        c,
        "claims.invalid-value",
        true,
    )?;

    let mut c = phone_value();
    set_in(
        &mut c,
        keys::layer::RUNTIME,
        keys::MEASRES,
        measres(vec![("root", 1), ("root", 2)]),
    );
    add(
        gen,
        "invalid-claims-measres-duplicate-result",
        "The runtime mtattest group reports root twice (success, then fail).",
        c,
        "claims.invalid-value",
        true,
    )?;

    // vendor (depth 1) > tee (2) > ta (3) > applet (4) > plugin (5).
    let mut nested = Value::Map(vec![(int(keys::SWNAME), Value::Text("plugin".into()))]);
    for name in ["plugin", "applet", "ta", "tee"] {
        nested = Value::Map(vec![(
            int(keys::SUBMODS),
            Value::Map(vec![(Value::Text(name.into()), nested)]),
        )]);
    }
    let mut c = phone_value();
    if let Value::Map(entries) = &mut c {
        for (k, v) in entries.iter_mut() {
            if *k == int(keys::SUBMODS) {
                if let Value::Map(layers) = v {
                    layers.push((Value::Text("vendor".into()), nested.clone()));
                }
            }
        }
    }
    add(
        gen,
        "invalid-claims-submods-too-deep",
        "An unknown submodule \"vendor\" nests submodules tee > ta > applet > plugin: the last \
         is at depth 5 (limit 4).",
        c,
        "claims.submods-too-deep",
        true,
    )?;

    let mut c = phone_value();
    remove(&mut c, keys::IAT);
    add(
        gen,
        "invalid-claims-missing-iat",
        "The claims set has no iat.",
        c,
        "claims.missing",
        true,
    )?;

    let mut c = phone_value();
    if let Some(boot) = layer_mut(&mut c, keys::layer::BOOT) {
        boot.retain(|(k, _)| *k != int(keys::EVIDENCE_SOURCE));
    }
    add(
        gen,
        "invalid-claims-missing-evidence-source",
        "The boot layer has no evidence-source.",
        c,
        "claims.missing",
        true,
    )?;

    let mut c = phone_value();
    remove(&mut c, keys::PROFILE);
    add(
        gen,
        "invalid-claims-missing-profile",
        "The claims set has no eat_profile.",
        c,
        "claims.missing",
        true,
    )?;

    let mut c = phone_value();
    set(
        &mut c,
        keys::PROFILE,
        Value::Text("tag:mtattest.dev,2026:eat/v2".into()),
    );
    add(
        gen,
        "invalid-claims-wrong-profile-version",
        "eat_profile names major version 2 of the profile.",
        c,
        "claims.wrong-profile",
        true,
    )?;

    let mut c = phone_value();
    set(
        &mut c,
        keys::PROFILE,
        Value::Tag(111, Value::Bytes(vec![0x2b, 0x06, 0x01, 0x04, 0x01]).into()),
    );
    add(
        gen,
        "invalid-claims-profile-oid",
        "eat_profile is an OID (tag 111) instead of this profile's URI.",
        c,
        "claims.wrong-profile",
        true,
    )?;
    Ok(())
}
