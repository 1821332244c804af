//! The typed claims model: round trips (property tests) and one test per
//! rejection, each asserting the exact error variant and path.

use ciborium::value::Value;
use mtattest::claims::keys::{self, detection};
use mtattest::claims::*;
use mtattest::{ClaimsError, Error, Limits};
use mtattest_testkit::example_phone;
use proptest::prelude::*;

mod common;

use common::strategies;

const IAT: i64 = 1_790_000_000; // 2026-09-21
const NONCE: [u8; 16] = *b"rp-challenge-16b";

// ---------------------------------------------------------------- helpers

fn int(n: i64) -> Value {
    Value::Integer(n.into())
}

fn text(s: &str) -> Value {
    Value::Text(s.into())
}

fn phone() -> ClaimsSet {
    example_phone(IAT, NONCE)
}

fn map_mut(v: &mut Value) -> &mut Vec<(Value, Value)> {
    match v {
        Value::Map(m) => m,
        other => panic!("not a map: {other:?}"),
    }
}

fn entry<'a>(v: &'a mut Value, key: &Value) -> &'a mut Value {
    map_mut(v)
        .iter_mut()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("no entry {key:?}"))
}

/// Sets (replacing or adding) `key` in the map `v`.
fn set(v: &mut Value, key: Value, new: Value) {
    let m = map_mut(v);
    match m.iter_mut().find(|(k, _)| *k == key) {
        Some((_, old)) => *old = new,
        None => m.push((key, new)),
    }
}

fn remove(v: &mut Value, key: &Value) {
    let m = map_mut(v);
    let before = m.len();
    m.retain(|(k, _)| k != key);
    assert_eq!(m.len(), before - 1, "no entry {key:?} to remove");
}

fn layer<'a>(v: &'a mut Value, name: &str) -> &'a mut Value {
    entry(entry(v, &int(keys::SUBMODS)), &text(name))
}

/// The phone's claims map with `key` in layer `name` set to `new`.
fn with_layer_claim(name: &str, key: i64, new: Value) -> Value {
    let mut v = phone().to_value();
    set(layer(&mut v, name), int(key), new);
    v
}

/// The phone's claims map with top-level `key` set to `new`.
fn with_top_claim(key: i64, new: Value) -> Value {
    let mut v = phone().to_value();
    set(&mut v, int(key), new);
    v
}

/// Decodes `v` both as a value and as CBOR bytes; both must fail the same way.
fn reject(v: &Value) -> ClaimsError {
    let from_value = ClaimsSet::from_value(v).expect_err("accepted");
    let bytes = mtattest::cbor::encode(v);
    match ClaimsSet::from_cbor(&bytes, &Limits::DEFAULT) {
        Err(Error::Claims(e)) => assert_eq!(e, from_value),
        other => panic!("from_cbor gave {other:?}, from_value {from_value:?}"),
    }
    from_value
}

#[track_caller]
fn assert_wrong_type(v: &Value, path: &str, expected: &str) {
    let err = reject(v);
    assert_eq!(err.code(), "claims.wrong-type");
    match err {
        ClaimsError::WrongType {
            path: p,
            expected: e,
        } => assert_eq!((p.as_str(), e), (path, expected)),
        other => panic!("expected WrongType at {path}, got {other:?}"),
    }
}

#[track_caller]
fn assert_invalid(v: &Value, path: &str) -> String {
    match reject(v) {
        ClaimsError::InvalidValue { path: p, reason } => {
            assert_eq!(p, path, "reason: {reason}");
            reason
        }
        other => panic!("expected InvalidValue at {path}, got {other:?}"),
    }
}

#[track_caller]
fn assert_missing(v: &Value, path: &str) {
    let err = reject(v);
    assert_eq!(err.code(), "claims.missing");
    assert_eq!(err, ClaimsError::Missing { path: path.into() });
}

// ------------------------------------------------------- the example phone

#[test]
fn example_phone_is_complete_and_round_trips() {
    let claims = phone();
    let bytes = claims.to_cbor();
    let back = ClaimsSet::from_cbor(&bytes, &Limits::DEFAULT).unwrap();
    assert_eq!(back, claims);
    assert_eq!(back.to_cbor(), bytes);
    assert!(bytes.len() < Limits::DEFAULT.max_token_size);

    assert_eq!(claims.iat, IAT);
    assert_eq!(claims.nonce.as_ref().map(Nonce::as_bytes), Some(&NONCE[..]));
    assert!(claims.exp.is_some() && claims.cti.is_some());
    assert!(claims.ueid.is_some() && claims.hwmodel.is_some() && claims.oemid.is_some());
    assert!(claims.cnf.is_some());
    assert_eq!(claims.intuse, Some(IntendedUse::Generic));
    assert!(claims.unknown_claims().is_empty());

    let chip = claims.chip.as_ref().unwrap();
    assert_eq!(chip.evidence_source, EvidenceSource::Hardware);
    assert_eq!(chip.key_security_level, Some(KeySecurityLevel::StrongBox));
    assert_eq!(
        chip.security_lifecycle.unwrap().phase(),
        LifecyclePhase::Secured
    );

    let boot = claims.boot.as_ref().unwrap();
    assert_eq!(boot.verified_boot_state, Some(VerifiedBootState::Verified));
    assert_eq!(boot.bootloader_locked, Some(true));
    assert_eq!(boot.measurements.len(), 2);

    let os = claims.os.as_ref().unwrap();
    for level in [
        os.os_patch_level,
        os.vendor_patch_level,
        boot.boot_patch_level,
    ] {
        let level = level.expect("patch level set");
        assert!(!level.is_older_than(90, IAT), "{level}");
        assert!(level.age_days(IAT) >= 0, "{level}");
    }
    assert_eq!(
        os.detection(detection::KERNEL_INTEGRITY),
        Some(MeasResult::Success)
    );

    let app = claims.app.as_ref().unwrap();
    assert_eq!(app.app_signers.len(), 1);
    assert_eq!(
        app.detection(detection::APP_INTEGRITY),
        Some(MeasResult::Success)
    );

    let runtime = claims.runtime.as_ref().unwrap();
    for name in [
        detection::ROOT,
        detection::HOOKING,
        detection::DEBUGGER,
        detection::EMULATOR,
        detection::SCREEN_CAPTURE,
        detection::OVERLAY,
        detection::REMOTE_CONTROL,
        detection::MALWARE_SCAN,
    ] {
        assert_eq!(runtime.detection(name), Some(MeasResult::Success), "{name}");
    }
    assert_eq!(runtime.malware, Some(Malware::None));
    for l in Layer::ALL {
        assert!(claims.evidence_source(l).is_some(), "{l}");
    }
}

#[test]
fn example_phone_writes_the_profile_and_is_deterministic() {
    let v = phone().to_value();
    let m = match &v {
        Value::Map(m) => m,
        _ => panic!(),
    };
    assert!(m.contains(&(int(keys::PROFILE), text(keys::PROFILE_V1))));
    assert_eq!(phone().to_cbor(), phone().to_cbor());
    // to_value is already in deterministic order.
    let bytes = mtattest::cbor::encode(&v);
    let mut reencoded = Vec::new();
    ciborium::ser::into_writer(&v, &mut reencoded).unwrap();
    assert_eq!(reencoded, bytes);
}

#[test]
fn example_phone_without_a_valid_nonce_leaves_it_out() {
    assert_eq!(example_phone(IAT, [0u8; 7]).nonce, None);
    assert!(example_phone(IAT, [0u8; 8]).nonce.is_some());
}

// ----------------------------------------------------------- behaviours

#[test]
fn orderings_follow_strength() {
    assert!(EvidenceSource::Hardware > EvidenceSource::Kernel);
    assert!(EvidenceSource::Kernel > EvidenceSource::Software);
    assert!(KeySecurityLevel::StrongBox > KeySecurityLevel::Tee);
    assert!(KeySecurityLevel::Tee > KeySecurityLevel::Software);
    assert!(StorageEncryption::HardwareKey > StorageEncryption::SoftwareKey);
    assert!(StorageEncryption::SoftwareKey > StorageEncryption::None);
    assert!(Malware::High > Malware::Medium);
}

#[test]
fn value_names_and_codes() {
    assert_eq!(MeasResult::NotRun.name(), "not-run");
    assert_eq!(MeasResult::from_code(3), Some(MeasResult::NotRun));
    assert_eq!(MeasResult::from_code(0), None);
    assert_eq!(
        DebugStatus::from_name("disabled-fully-and-permanently").map(|d| d.code()),
        Some(4)
    );
    assert_eq!(Installer::OemStore.code(), 1);
    assert_eq!(IntendedUse::Pop.code(), 5);
}

#[test]
fn unreported_detection_is_none_not_success() {
    let layer = RuntimeLayer::builder(EvidenceSource::Software)
        .detection(detection::ROOT, MeasResult::NotRun)
        .build();
    assert_eq!(layer.detection(detection::ROOT), Some(MeasResult::NotRun));
    assert_ne!(layer.detection(detection::ROOT), Some(MeasResult::Success));
    assert_eq!(layer.detection(detection::HOOKING), None);
}

#[test]
fn other_measurement_systems_are_kept() {
    let mut claims = phone();
    let runtime = claims.runtime.as_mut().unwrap();
    runtime
        .measres
        .set("psa", ResultFor::Bytes(vec![0xde, 0xad]), MeasResult::Fail);
    runtime
        .measres
        .set("vendor-scan", "root".into(), MeasResult::Fail);
    let back = ClaimsSet::from_cbor(&claims.to_cbor(), &Limits::DEFAULT).unwrap();
    let rt = back.runtime.as_ref().unwrap();
    assert_eq!(rt.measres.groups().len(), 3);
    assert_eq!(
        rt.measres.get("psa", &ResultFor::Bytes(vec![0xde, 0xad])),
        Some(MeasResult::Fail)
    );
    // The vendor's "root" result does not change the mtattest detection.
    assert_eq!(rt.detection(detection::ROOT), Some(MeasResult::Success));
    assert_eq!(back, claims);
}

#[test]
fn unknown_claims_are_preserved_and_reported() {
    let mut claims = phone();
    claims.insert_unknown(-90000, text("top")).unwrap();
    claims
        .insert_unknown("vendor-x", Value::Array(vec![int(1), Value::Null]))
        .unwrap();
    claims
        .insert_unknown_submodule("tee", Value::Map(vec![(int(1), Value::Bool(true))]))
        .unwrap();
    let chip = claims.chip.as_mut().unwrap();
    chip.insert_unknown(-90019, int(7)).unwrap();
    let runtime = claims.runtime.as_mut().unwrap();
    // iat is not a runtime claim: unknown there.
    runtime.insert_unknown(keys::IAT, int(5)).unwrap();
    let app = claims.app.as_mut().unwrap();
    app.privacy_events
        .as_mut()
        .unwrap()
        .insert_other(9, 4)
        .unwrap();
    app.measres
        .push_group(
            "vendor-scan",
            vec![(ResultFor::from("x"), MeasResult::Fail)],
        )
        .unwrap();
    // A name the os layer does not define, in the mtattest group.
    let os = claims.os.as_mut().unwrap();
    os.set_detection(detection::ROOT, MeasResult::Success);

    let bytes = claims.to_cbor();
    let back = ClaimsSet::from_cbor(&bytes, &Limits::DEFAULT).unwrap();
    assert_eq!(back, claims);
    assert_eq!(back.to_cbor(), bytes);

    let report = back.unknown_claims();
    let paths: Vec<&str> = report.iter().map(|u| u.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "-90000",
            "vendor-x",
            "submods.tee",
            "submods.chip.-90019",
            "submods.os.measres[0].results[1]",
            "submods.app.measres[1]",
            "submods.app.privacy-events.9",
            "submods.runtime.6",
        ]
    );
    assert_eq!(report[1].scope, Scope::Top);
    assert_eq!(report[1].value, Value::Array(vec![int(1), Value::Null]));
    assert_eq!(report[2].scope, Scope::Submods);
    assert_eq!(report[3].scope, Scope::Layer(Layer::Chip));
    assert_eq!(report[3].value, int(7));
    assert_eq!(report[4].value, Value::Array(vec![text("root"), int(1)]));
    assert_eq!(report[6].value, int(4));
    assert_eq!(
        back.unknown_submodules().collect::<Vec<_>>(),
        [("tee", &Value::Map(vec![(int(1), Value::Bool(true))]))]
    );
    let chip = back.chip.as_ref().unwrap();
    assert_eq!(chip.unknown().get(&ClaimKey::Int(-90019)), Some(&int(7)));
}

#[test]
fn unknown_claims_received_are_kept_where_producers_may_not_put_them() {
    // A later revision's key in the reserved block, measres in chip (not
    // defined there, so unknown whatever it holds), a key beyond 64 bits, and
    // repeated groups of another system with repeated names.
    let mut v = phone().to_value();
    set(layer(&mut v, "boot"), int(-80027), text("future"));
    let odd_measres = Value::Array(vec![Value::Array(vec![
        text("mtattest"),
        Value::Array(vec![Value::Array(vec![text("root"), int(9)])]),
    ])]);
    set(
        layer(&mut v, "chip"),
        int(keys::MEASRES),
        odd_measres.clone(),
    );
    set(&mut v, Value::Integer(u64::MAX.into()), int(1));
    let other = |r: i64| {
        Value::Array(vec![
            text("psa"),
            Value::Array(vec![
                Value::Array(vec![text("a"), int(r)]),
                Value::Array(vec![text("a"), int(1)]),
            ]),
        ])
    };
    let runtime_measres = Value::Array(vec![other(2), other(3)]);
    set(
        layer(&mut v, "runtime"),
        int(keys::MEASRES),
        runtime_measres,
    );
    let claims = ClaimsSet::from_value(&v).unwrap();
    let bytes = claims.to_cbor();
    assert_eq!(bytes, mtattest::cbor::encode(&v));
    let back = ClaimsSet::from_cbor(&bytes, &Limits::DEFAULT).unwrap();
    assert_eq!(back, claims);

    let paths: Vec<String> = claims
        .unknown_claims()
        .into_iter()
        .map(|u| u.path)
        .collect();
    assert_eq!(
        paths,
        [
            "18446744073709551615",
            "submods.chip.274",
            "submods.boot.-80027",
            "submods.runtime.measres[0]",
            "submods.runtime.measres[1]",
        ]
    );
    let chip = claims.chip.as_ref().unwrap();
    let key = ClaimKey::Int(keys::MEASRES.into());
    assert_eq!(chip.unknown().get(&key), Some(&odd_measres));
    let runtime = claims.runtime.as_ref().unwrap();
    assert_eq!(runtime.detection(detection::ROOT), None);
    assert_eq!(
        runtime.measres.get("psa", &ResultFor::from("a")),
        Some(MeasResult::Fail)
    );
}

#[test]
fn unknown_claims_in_received_order_reencode_deterministically() {
    // A producer that sorts nothing: unknown map inside an unknown claim.
    let mut v = phone().to_value();
    set(
        &mut v,
        int(-90001),
        Value::Map(vec![(text("zz"), int(1)), (int(3), int(2))]),
    );
    map_mut(&mut v).reverse();
    let claims = ClaimsSet::from_value(&v).unwrap();
    let canonical = claims.to_cbor();
    assert_eq!(canonical, mtattest::cbor::encode(&v));
    let again = ClaimsSet::from_cbor(&canonical, &Limits::DEFAULT).unwrap();
    assert_eq!(again, claims);
    assert_eq!(again.to_cbor(), canonical);
}

#[test]
fn defined_keys_cannot_be_inserted_as_unknown() {
    let mut claims = phone();
    let err = claims.insert_unknown(keys::IAT, int(1)).unwrap_err();
    assert_eq!(
        err,
        ClaimsError::InvalidValue {
            path: "6".into(),
            reason: "is defined by the profile; set the typed claim instead".into()
        }
    );
    let chip = claims.chip.as_mut().unwrap();
    let err = chip
        .insert_unknown(keys::KEY_SECURITY_LEVEL, int(2))
        .unwrap_err();
    assert_eq!(err.code(), "claims.invalid-value");
    assert!(
        matches!(err, ClaimsError::InvalidValue { ref path, .. } if path == "submods.chip.-80010")
    );
    let err = claims.insert_unknown_submodule("boot", Value::Null);
    assert!(err.is_err());
    // The reserved block is closed to producers, at every position.
    let err = claims.insert_unknown(-80020, int(1)).unwrap_err();
    assert!(matches!(err, ClaimsError::InvalidValue { ref path, .. } if path == "-80020"));
    let os = claims.os.as_mut().unwrap();
    assert!(os.insert_unknown(-80099, int(1)).is_err());
    assert!(claims
        .insert_unknown(ClaimKey::Int(1 << 70), int(1))
        .is_err());
    let dup = Value::Map(vec![(int(1), int(1)), (int(1), int(2))]);
    assert!(claims.insert_unknown(-90000, dup).is_err());
    assert!(claims.unknown_claims().is_empty());
    claims.insert_unknown(-80100, int(1)).unwrap();
    assert_eq!(claims.remove_unknown(&ClaimKey::Int(-80100)), Some(int(1)));
    let mut events = PrivacyEvents::new();
    assert!(events.insert_other(2, 1).is_err());
}

#[test]
fn nonce_bounds() {
    for len in [8, 64] {
        let v = with_top_claim(keys::NONCE, Value::Bytes(vec![1; len]));
        let claims = ClaimsSet::from_value(&v).unwrap();
        assert_eq!(claims.nonce.unwrap().as_bytes().len(), len);
    }
    assert!(Nonce::new(vec![0; 7]).is_err());
    assert!(Nonce::new(vec![0; 65]).is_err());
    assert!(ClaimsSet::builder(IAT).nonce([0; 65]).is_err());
}

#[test]
fn patch_level_normalisation_from_android() {
    let p = PatchLevel::from_yyyymm(202603).unwrap();
    assert_eq!(p.value(), 20260300);
    let mut claims = phone();
    claims.os.as_mut().unwrap().os_patch_level = Some(p);
    let back = ClaimsSet::from_cbor(&claims.to_cbor(), &Limits::DEFAULT).unwrap();
    assert_eq!(back.os.unwrap().os_patch_level, Some(p));
}

#[test]
fn minimal_claims_set() {
    let claims = ClaimsSet::new(0);
    let back = ClaimsSet::from_cbor(&claims.to_cbor(), &Limits::DEFAULT).unwrap();
    assert_eq!(back, claims);
    // {265: profile, 6: 0} and nothing else.
    let v = claims.to_value();
    assert_eq!(
        v,
        Value::Map(vec![(int(6), int(0)), (int(265), text(keys::PROFILE_V1))])
    );
}

// ------------------------------------------------------------- rejections

#[test]
fn rejects_a_non_map() {
    assert_eq!(reject(&Value::Array(vec![])), ClaimsError::NotAMap);
    assert_eq!(reject(&int(1)), ClaimsError::NotAMap);
}

#[test]
fn rejects_missing_iat() {
    let mut v = phone().to_value();
    remove(&mut v, &int(keys::IAT));
    assert_missing(&v, "iat");
}

#[test]
fn rejects_missing_evidence_source_in_every_layer() {
    for l in Layer::ALL {
        let mut v = phone().to_value();
        remove(layer(&mut v, l.name()), &int(keys::EVIDENCE_SOURCE));
        assert_missing(&v, &format!("submods.{l}.evidence-source"));
    }
}

#[test]
fn rejects_missing_profile() {
    let mut v = phone().to_value();
    remove(&mut v, &int(keys::PROFILE));
    assert_missing(&v, "eat-profile");
}

#[test]
fn rejects_wrong_profile() {
    let v = with_top_claim(keys::PROFILE, text("tag:mtattest.dev,2026:eat/v2"));
    assert_eq!(
        reject(&v),
        ClaimsError::WrongProfile {
            found: "tag:mtattest.dev,2026:eat/v2".into()
        }
    );
    assert_eq!(reject(&v).code(), "claims.wrong-profile");

    let oid = with_top_claim(keys::PROFILE, Value::Bytes(vec![0x2b, 0x06, 0x01]));
    assert_eq!(
        reject(&oid),
        ClaimsError::WrongProfile {
            found: "oid:2b0601".into()
        }
    );

    assert_wrong_type(
        &with_top_claim(keys::PROFILE, int(1)),
        "eat-profile",
        "tstr (URI) or bstr (OID)",
    );
}

#[test]
fn wrong_profile_wins_over_other_errors() {
    let mut v = with_top_claim(keys::PROFILE, text("urn:other"));
    set(&mut v, int(keys::IAT), text("yesterday"));
    map_mut(&mut v).reverse(); // iat would be met first
    assert_eq!(
        reject(&v),
        ClaimsError::WrongProfile {
            found: "urn:other".into()
        }
    );
}

#[test]
fn rejects_nonce_too_short() {
    let reason = assert_invalid(
        &with_top_claim(keys::NONCE, Value::Bytes(vec![0; 7])),
        "eat-nonce",
    );
    assert!(reason.contains("7 bytes"), "{reason}");
}

#[test]
fn rejects_nonce_too_long() {
    assert_invalid(
        &with_top_claim(keys::NONCE, Value::Bytes(vec![0; 65])),
        "eat-nonce",
    );
}

#[test]
fn rejects_nonce_array_form() {
    // An array where the profile has a byte string: the wrong type (§6.1 rule 3).
    let arr = Value::Array(vec![Value::Bytes(vec![0; 16]), Value::Bytes(vec![1; 16])]);
    assert_wrong_type(
        &with_top_claim(keys::NONCE, arr),
        "eat-nonce",
        "bstr (one nonce; the array form of RFC 9711 is not used)",
    );
}

#[test]
fn rejects_wrong_types_at_the_top_level() {
    let cases: &[(i64, Value, &str, &str)] = &[
        (keys::IAT, text("now"), "iat", "int"),
        (keys::EXP, Value::Float(1.5), "exp", "int"),
        (keys::NBF, Value::Null, "nbf", "int"),
        (keys::NONCE, text("abcdefgh"), "eat-nonce", "bstr"),
        (keys::CTI, int(1), "cti", "bstr"),
        (keys::UEID, text("x"), "ueid", "bstr"),
        (keys::HWMODEL, int(1), "hwmodel", "bstr"),
        (keys::OEMID, text("acme"), "oemid", "bstr or int"),
        (keys::INTUSE, text("generic"), "intuse", "uint"),
        (keys::SUBMODS, Value::Array(vec![]), "submods", "map"),
        // A tagged epoch date is not a plain int.
        (keys::IAT, Value::Tag(1, Box::new(int(IAT))), "iat", "int"),
    ];
    for (key, value, path, expected) in cases {
        assert_wrong_type(&with_top_claim(*key, value.clone()), path, expected);
    }
}

#[test]
fn rejects_wrong_types_in_layers() {
    use keys::*;
    let cases: &[(&str, i64, Value, &str, &str)] = &[
        (
            "chip",
            EVIDENCE_SOURCE,
            text("hardware"),
            "submods.chip.evidence-source",
            "uint",
        ),
        (
            "chip",
            HW_ROOT_OF_TRUST,
            int(1),
            "submods.chip.hw-root-of-trust",
            "bool",
        ),
        (
            "chip",
            SECURITY_LIFECYCLE,
            text("secured"),
            "submods.chip.security-lifecycle",
            "uint",
        ),
        (
            "chip",
            HWVERSION,
            text("1.0"),
            "submods.chip.hwversion",
            "array",
        ),
        ("chip", DLOAS, text("x"), "submods.chip.dloas", "array"),
        (
            "boot",
            VERIFIED_BOOT_STATE,
            text("verified"),
            "submods.boot.verified-boot-state",
            "uint",
        ),
        (
            "boot",
            BOOT_KEY_DIGEST,
            text("ab"),
            "submods.boot.boot-key-digest",
            "bstr",
        ),
        (
            "boot",
            BOOTLOADER_LOCKED,
            Value::Null,
            "submods.boot.bootloader-locked",
            "bool",
        ),
        (
            "boot",
            BOOT_PATCH_LEVEL,
            text("2026-01-05"),
            "submods.boot.boot-patch-level",
            "uint",
        ),
        (
            "os",
            SWNAME,
            Value::Bytes(b"Android".to_vec()),
            "submods.os.swname",
            "tstr",
        ),
        ("os", SCREEN_LOCK, int(1), "submods.os.screen-lock", "bool"),
        (
            "os",
            STORAGE_ENCRYPTION,
            Value::Float(2.0),
            "submods.os.storage-encryption",
            "uint",
        ),
        (
            "app",
            APP_SIGNERS,
            Value::Bytes(vec![1; 32]),
            "submods.app.app-signers",
            "array",
        ),
        (
            "app",
            APP_VERSION,
            text("4.0.21"),
            "submods.app.app-version",
            "uint",
        ),
        (
            "app",
            PRIVACY_EVENTS,
            Value::Array(vec![]),
            "submods.app.privacy-events",
            "map",
        ),
        (
            "runtime",
            MALWARE,
            Value::Bool(false),
            "submods.runtime.malware",
            "uint",
        ),
        (
            "runtime",
            MEASRES,
            Value::Map(vec![]),
            "submods.runtime.measres",
            "array",
        ),
    ];
    for (l, key, value, path, expected) in cases {
        assert_wrong_type(&with_layer_claim(l, *key, value.clone()), path, expected);
    }
}

#[test]
fn rejects_wrong_types_inside_structured_claims() {
    use keys::*;
    let signers = Value::Array(vec![Value::Bytes(vec![1; 32]), text("x")]);
    let cases: &[(&str, i64, Value, &str, &str)] = &[
        (
            "chip",
            HWVERSION,
            Value::Array(vec![int(1)]),
            "submods.chip.hwversion.version",
            "tstr",
        ),
        (
            "os",
            SWVERSION,
            Value::Array(vec![text("16"), text("semver")]),
            "submods.os.swversion.scheme",
            "int",
        ),
        (
            "app",
            APP_SIGNERS,
            signers,
            "submods.app.app-signers[1]",
            "bstr",
        ),
        (
            "boot",
            MEASUREMENTS,
            Value::Array(vec![Value::Array(vec![int(1), text("digest")])]),
            "submods.boot.measurements[0].content",
            "bstr",
        ),
        (
            "boot",
            MEASUREMENTS,
            Value::Array(vec![Value::Array(vec![
                text("cbor"),
                Value::Bytes(vec![1]),
            ])]),
            "submods.boot.measurements[0].content-type",
            "uint",
        ),
        (
            "chip",
            DLOAS,
            Value::Array(vec![Value::Array(vec![text("https://x"), int(1)])]),
            "submods.chip.dloas[0].platform-label",
            "tstr",
        ),
        (
            "runtime",
            MEASRES,
            Value::Array(vec![Value::Array(vec![
                text("mtattest"),
                Value::Array(vec![Value::Array(vec![int(1), int(1)])]),
            ])]),
            "submods.runtime.measres[0].results[0].result-for",
            "tstr or bstr",
        ),
        (
            "os",
            MEASRES,
            Value::Array(vec![Value::Array(vec![int(7), Value::Array(vec![])])]),
            "submods.os.measres[0].system",
            "tstr",
        ),
        (
            "app",
            PRIVACY_EVENTS,
            Value::Map(vec![(int(1), int(0)), (int(2), text("x"))]),
            "submods.app.privacy-events.over-frequency",
            "uint",
        ),
        (
            "app",
            PRIVACY_EVENTS,
            Value::Map(vec![(int(7), Value::Bool(true))]),
            "submods.app.privacy-events.7",
            "uint",
        ),
        (
            "app",
            PRIVACY_EVENTS,
            Value::Map(vec![(text("camera"), int(1))]),
            "submods.app.privacy-events",
            "a map of uint => uint",
        ),
    ];
    for (l, key, value, path, expected) in cases {
        assert_wrong_type(&with_layer_claim(l, *key, value.clone()), path, expected);
    }
}

#[test]
fn rejects_a_layer_that_is_not_a_map() {
    let mut v = phone().to_value();
    *layer(&mut v, "os") = Value::Array(vec![]);
    assert_wrong_type(&v, "submods.os", "map");
}

#[test]
fn rejects_bad_keys() {
    let mut v = phone().to_value();
    set(layer(&mut v, "chip"), Value::Bytes(vec![1]), int(1));
    assert_wrong_type(&v, "submods.chip", "a map whose keys are int or tstr");

    let mut v = phone().to_value();
    set(&mut v, Value::Bool(true), int(1));
    assert_wrong_type(&v, "claims-set", "a map whose keys are int or tstr");

    let mut v = phone().to_value();
    set(
        entry(&mut v, &int(keys::SUBMODS)),
        int(1),
        Value::Map(vec![]),
    );
    assert_wrong_type(&v, "submods", "a map whose keys are tstr");
}

#[test]
fn rejects_bad_patch_levels() {
    use keys::*;
    let cases: &[(&str, i64, i64, &str)] = &[
        ("os", OS_PATCH_LEVEL, 20261301, "submods.os.os-patch-level"), // month 13
        ("os", OS_PATCH_LEVEL, 20260001, "submods.os.os-patch-level"), // month 0
        (
            "os",
            VENDOR_PATCH_LEVEL,
            20260132,
            "submods.os.vendor-patch-level",
        ), // day 32
        (
            "boot",
            BOOT_PATCH_LEVEL,
            202601,
            "submods.boot.boot-patch-level",
        ), // YYYYMM
        (
            "boot",
            BOOT_PATCH_LEVEL,
            19691231,
            "submods.boot.boot-patch-level",
        ), // before 1970
        ("boot", BOOT_PATCH_LEVEL, 0, "submods.boot.boot-patch-level"),
        ("os", OS_PATCH_LEVEL, 1 << 40, "submods.os.os-patch-level"), // beyond u32
    ];
    for (l, key, value, path) in cases {
        assert_invalid(&with_layer_claim(l, *key, int(*value)), path);
    }
}

#[test]
fn rejects_enum_values_out_of_range() {
    use keys::*;
    let cases: &[(&str, i64, i64, &str)] = &[
        ("chip", EVIDENCE_SOURCE, 3, "submods.chip.evidence-source"),
        (
            "chip",
            KEY_SECURITY_LEVEL,
            3,
            "submods.chip.key-security-level",
        ),
        ("chip", DBGSTAT, 5, "submods.chip.dbgstat"),
        (
            "boot",
            VERIFIED_BOOT_STATE,
            4,
            "submods.boot.verified-boot-state",
        ),
        ("os", STORAGE_ENCRYPTION, 3, "submods.os.storage-encryption"),
        ("app", INSTALLER, 4, "submods.app.installer"),
        ("runtime", MALWARE, 3, "submods.runtime.malware"),
        ("runtime", MALWARE, i64::MAX, "submods.runtime.malware"),
    ];
    for (l, key, value, path) in cases {
        let reason = assert_invalid(&with_layer_claim(l, *key, int(*value)), path);
        assert!(reason.contains(&value.to_string()), "{reason}");
    }
    let reason = assert_invalid(&with_top_claim(keys::INTUSE, int(0)), "intuse");
    assert!(reason.contains("1 (generic)"), "{reason}");
    assert_invalid(&with_top_claim(keys::INTUSE, int(6)), "intuse");
}

fn measres_with_result(result: i64) -> Value {
    Value::Array(vec![Value::Array(vec![
        text(keys::MEASRES_SYSTEM),
        Value::Array(vec![
            Value::Array(vec![text(detection::ROOT), int(1)]),
            Value::Array(vec![text(detection::HOOKING), int(result)]),
        ]),
    ])])
}

#[test]
fn rejects_measres_result_zero() {
    let v = with_layer_claim("runtime", keys::MEASRES, measres_with_result(0));
    assert_invalid(&v, "submods.runtime.measres[0].results[1].result");
}

#[test]
fn rejects_measres_result_five() {
    let v = with_layer_claim("os", keys::MEASRES, measres_with_result(5));
    let reason = assert_invalid(&v, "submods.os.measres[0].results[1].result");
    assert!(reason.contains("3 (not-run)"), "{reason}");
}

#[test]
fn accepts_every_measres_result() {
    for (code, expected) in [
        (1, MeasResult::Success),
        (2, MeasResult::Fail),
        (3, MeasResult::NotRun),
        (4, MeasResult::Absent),
    ] {
        let v = with_layer_claim("runtime", keys::MEASRES, measres_with_result(code));
        let claims = ClaimsSet::from_value(&v).unwrap();
        assert_eq!(
            claims.runtime.unwrap().detection(detection::HOOKING),
            Some(expected)
        );
    }
}

#[test]
fn rejects_malformed_measres() {
    let empty = Value::Array(vec![]);
    let v = with_layer_claim("runtime", keys::MEASRES, empty);
    assert_invalid(&v, "submods.runtime.measres");

    let group =
        |system: &str, results: Vec<Value>| Value::Array(vec![text(system), Value::Array(results)]);
    let item = |name: &str, r: i64| Value::Array(vec![text(name), int(r)]);

    // Another system's group must not be empty either (CDDL `+`).
    let no_results = Value::Array(vec![group("psa", vec![])]);
    let v = with_layer_claim("runtime", keys::MEASRES, no_results);
    assert_invalid(&v, "submods.runtime.measres[0].results");

    let dup_for = Value::Array(vec![group(
        "mtattest",
        vec![item("root", 1), item("root", 2)],
    )]);
    let v = with_layer_claim("runtime", keys::MEASRES, dup_for);
    assert_invalid(&v, "submods.runtime.measres[0].results[1].result-for");

    let dup_group = Value::Array(vec![
        group("mtattest", vec![item("root", 1)]),
        group("vendor", vec![item("root", 2)]),
        group("mtattest", vec![item("hooking", 1)]),
    ]);
    let v = with_layer_claim("app", keys::MEASRES, dup_group);
    assert_invalid(&v, "submods.app.measres[2].system");

    let three = Value::Array(vec![Value::Array(vec![text("root"), int(1), int(1)])]);
    let bad_len = Value::Array(vec![group("mtattest", vec![]), three]);
    let bad_len = match bad_len {
        Value::Array(mut parts) => Value::Array(vec![Value::Array(vec![
            text("mtattest"),
            parts.pop().unwrap(),
        ])]),
        _ => unreachable!(),
    };
    let v = with_layer_claim("runtime", keys::MEASRES, bad_len);
    assert_invalid(&v, "submods.runtime.measres[0].results[0]");

    // Results of other systems are checked too.
    let bad_other = Value::Array(vec![group("psa", vec![item("x", 0)])]);
    let v = with_layer_claim("os", keys::MEASRES, bad_other);
    assert_invalid(&v, "submods.os.measres[0].results[0].result");
}

#[test]
fn rejects_integers_that_do_not_fit() {
    let too_big = Value::Integer(u64::MAX.into());
    assert_invalid(&with_top_claim(keys::IAT, too_big.clone()), "iat");
    assert_invalid(&with_top_claim(keys::OEMID, too_big), "oemid");
    let content = Value::Array(vec![Value::Array(vec![int(65536), Value::Bytes(vec![1])])]);
    let v = with_layer_claim("boot", keys::MEASUREMENTS, content);
    assert_invalid(&v, "submods.boot.measurements[0].content-type");
    let v = with_layer_claim("chip", keys::SECURITY_LIFECYCLE, int(0x1_0000));
    assert_invalid(&v, "submods.chip.security-lifecycle");
    // oemid is an int in this profile: a negative PEN is not refused.
    let v = with_top_claim(keys::OEMID, int(-5));
    assert_eq!(
        ClaimsSet::from_value(&v).unwrap().oemid,
        Some(OemId::Pen(-5))
    );
}

#[test]
fn rejects_security_lifecycle_outside_the_psa_ranges() {
    assert_invalid(
        &with_layer_claim("chip", keys::SECURITY_LIFECYCLE, int(0x7000)),
        "submods.chip.security-lifecycle",
    );
    let v = with_layer_claim("chip", keys::SECURITY_LIFECYCLE, int(0x4005));
    let chip = ClaimsSet::from_value(&v).unwrap().chip.unwrap();
    let lifecycle = chip.security_lifecycle.unwrap();
    assert_eq!(lifecycle.raw(), 0x4005);
    assert_eq!(lifecycle.phase(), LifecyclePhase::NonPsaRotDebug);
}

#[test]
fn rejects_bad_sizes() {
    let top: &[(i64, usize, &str)] = &[
        (keys::UEID, 6, "ueid"),
        (keys::UEID, 34, "ueid"),
        (keys::HWMODEL, 0, "hwmodel"),
        (keys::HWMODEL, 33, "hwmodel"),
        (keys::CTI, 0, "cti"),
        (keys::CTI, 65, "cti"),
        (keys::OEMID, 5, "oemid"),
    ];
    for (key, len, path) in top {
        assert_invalid(&with_top_claim(*key, Value::Bytes(vec![1; *len])), path);
    }
    let digests: &[(&str, i64, Value, &str)] = &[
        (
            "boot",
            keys::BOOT_KEY_DIGEST,
            Value::Bytes(vec![1; 15]),
            "submods.boot.boot-key-digest",
        ),
        (
            "boot",
            keys::BOOT_IMAGE_DIGEST,
            Value::Bytes(vec![1; 65]),
            "submods.boot.boot-image-digest",
        ),
        (
            "app",
            keys::APP_SIGNERS,
            Value::Array(vec![Value::Bytes(vec![1; 32]), Value::Bytes(vec![1; 8])]),
            "submods.app.app-signers[1]",
        ),
        (
            "chip",
            keys::HWVERSION,
            Value::Array(vec![]),
            "submods.chip.hwversion",
        ),
        (
            "chip",
            keys::HWVERSION,
            Value::Array(vec![text("1"), int(1), int(2)]),
            "submods.chip.hwversion",
        ),
        (
            "app",
            keys::APP_SIGNERS,
            Value::Array(vec![]),
            "submods.app.app-signers",
        ),
        (
            "boot",
            keys::MEASUREMENTS,
            Value::Array(vec![]),
            "submods.boot.measurements",
        ),
        (
            "chip",
            keys::DLOAS,
            Value::Array(vec![]),
            "submods.chip.dloas",
        ),
        (
            "chip",
            keys::DLOAS,
            Value::Array(vec![Value::Array(vec![text("https://x")])]),
            "submods.chip.dloas[0]",
        ),
    ];
    for (l, key, value, path) in digests {
        assert_invalid(&with_layer_claim(l, *key, value.clone()), path);
    }
    for len in [16, 64] {
        let v = with_layer_claim("boot", keys::BOOT_KEY_DIGEST, Value::Bytes(vec![2; len]));
        let boot = ClaimsSet::from_value(&v).unwrap().boot.unwrap();
        assert_eq!(boot.boot_key_digest.unwrap().as_bytes().len(), len);
    }
}

#[test]
fn rejects_empty_submods() {
    assert_invalid(
        &with_top_claim(keys::SUBMODS, Value::Map(vec![])),
        "submods",
    );
}

#[test]
fn privacy_events_are_optional_counters() {
    // Any subset of the counters; an absent one is "not monitored".
    let v = with_layer_claim(
        "app",
        keys::PRIVACY_EVENTS,
        Value::Map(vec![(int(1), int(0)), (int(2), int(5))]),
    );
    let app = ClaimsSet::from_value(&v).unwrap().app.unwrap();
    let events = app.privacy_events.unwrap();
    assert_eq!(
        (
            events.out_of_scope,
            events.over_frequency,
            events.background
        ),
        (Some(0), Some(5), None)
    );
    // Later revisions' counters are kept and reported.
    let v = with_layer_claim(
        "app",
        keys::PRIVACY_EVENTS,
        Value::Map(vec![(int(3), int(0)), (int(4), int(2))]),
    );
    let claims = ClaimsSet::from_value(&v).unwrap();
    let events = claims.app.as_ref().unwrap().privacy_events.clone().unwrap();
    assert_eq!(events.other().collect::<Vec<_>>(), [(4, 2)]);
    let report = claims.unknown_claims();
    assert_eq!(report.len(), 1);
    assert_eq!(report[0].path, "submods.app.privacy-events.4");
    assert_eq!(claims.to_cbor(), mtattest::cbor::encode(&v));
    // An empty map is valid: nothing monitored.
    let v = with_layer_claim("app", keys::PRIVACY_EVENTS, Value::Map(vec![]));
    let app = ClaimsSet::from_value(&v).unwrap().app.unwrap();
    assert_eq!(app.privacy_events, Some(PrivacyEvents::new()));
}

#[test]
fn a_negative_privacy_counter_key_is_an_invalid_value() {
    // Spec §6.8: an integer key, so not a type error, but outside the
    // unsigned key space later revisions can extend.
    for key in [-1, i64::MIN] {
        let v = with_layer_claim(
            "app",
            keys::PRIVACY_EVENTS,
            Value::Map(vec![(int(1), int(0)), (int(key), int(1))]),
        );
        let reason = assert_invalid(&v, &format!("submods.app.privacy-events.{key}"));
        assert!(reason.contains("unsigned"), "{reason}");
    }
}

#[test]
fn cnf_forms() {
    const SHAPE: &str = "a map {1: COSE_Key} or {3: bstr}";
    const KEY: &str = "a COSE_Key map with kty (1) and int / tstr labels";
    // The kid form is accepted.
    let kid = Value::Map(vec![(int(3), Value::Bytes(vec![1, 2, 3]))]);
    let claims = ClaimsSet::from_value(&with_top_claim(keys::CNF, kid)).unwrap();
    let cnf = claims.cnf.as_ref().unwrap();
    assert_eq!(cnf.kid(), Some(&[1u8, 2, 3][..]));
    assert!(cnf.key().is_none());
    let back = ClaimsSet::from_cbor(&claims.to_cbor(), &Limits::DEFAULT).unwrap();
    assert_eq!(back, claims);
    // Not a map, or a key that is not an integer: the wrong type. The
    // number of members and the method are the value (§6.1 rule 3; the
    // invalid-value cases are in claim_values.rs).
    for cnf in [
        Value::Bytes(vec![3]),
        Value::Map(vec![(text("kid"), Value::Bytes(vec![1]))]),
    ] {
        assert_wrong_type(&with_top_claim(keys::CNF, cnf), "cnf", SHAPE);
    }
    let kid_text = Value::Map(vec![(int(3), text("k1"))]);
    assert_wrong_type(&with_top_claim(keys::CNF, kid_text), "cnf.kid", "bstr");
    let no_kty = Value::Map(vec![(int(1), Value::Map(vec![(int(3), int(-7))]))]);
    assert_missing(&with_top_claim(keys::CNF, no_kty), "cnf.cose-key.kty");
    let not_a_key = Value::Map(vec![(int(1), Value::Bytes(vec![4; 65]))]);
    assert_wrong_type(&with_top_claim(keys::CNF, not_a_key), "cnf.cose-key", KEY);
    let kty_bytes = Value::Map(vec![(
        int(1),
        Value::Map(vec![(int(1), Value::Bytes(vec![2]))]),
    )]);
    let v = with_top_claim(keys::CNF, kty_bytes);
    assert_wrong_type(&v, "cnf.cose-key.kty", "tstr or int");
    // Right shape, but coset refuses it (an empty kid): an invalid value.
    let empty_kid = Value::Map(vec![(
        int(1),
        Value::Map(vec![(int(1), int(2)), (int(2), Value::Bytes(vec![]))]),
    )]);
    assert_invalid(&with_top_claim(keys::CNF, empty_kid), "cnf.cose-key");
}

#[test]
fn rejects_duplicate_claims_in_hand_built_values() {
    let mut v = phone().to_value();
    map_mut(&mut v).push((int(keys::IAT), int(IAT)));
    // As CBOR, decode_strict refuses this before the claims are looked at.
    assert_eq!(
        ClaimsSet::from_value(&v),
        Err(ClaimsError::InvalidValue {
            path: "iat".into(),
            reason: "duplicate claim".into()
        })
    );
    let bytes = mtattest::cbor::encode(&v);
    let err = ClaimsSet::from_cbor(&bytes, &Limits::DEFAULT).unwrap_err();
    assert_eq!(err.code(), "cbor.duplicate-key");
}

#[test]
fn cbor_level_rejections_come_first() {
    let mut bytes = phone().to_cbor();
    bytes.push(0x00);
    let err = ClaimsSet::from_cbor(&bytes, &Limits::DEFAULT).unwrap_err();
    assert_eq!(err.code(), "cbor.trailing-bytes");

    // {6: 1, 6: 2}
    let err = ClaimsSet::from_cbor(&[0xa2, 0x06, 0x01, 0x06, 0x02], &Limits::DEFAULT).unwrap_err();
    assert_eq!(err.code(), "cbor.duplicate-key");
}

#[test]
fn builder_rejects_bad_values() {
    assert_eq!(
        ClaimsSet::builder(IAT).nonce([0; 4]).unwrap_err().code(),
        "claims.invalid-value"
    );
    assert!(ClaimsSet::builder(IAT).ueid([0; 40]).is_err());
    assert!(ClaimsSet::builder(IAT).hwmodel([0; 33]).is_err());
    assert!(ClaimsSet::builder(IAT).cti([]).is_err());
    assert!(Digest::new([0; 15]).is_err());
    assert!(Cti::new([0; 16]).is_ok());
    assert!(ClaimsSet::builder(IAT)
        .cnf(coset::CoseKey::default())
        .is_err());
    assert!(ChipLayer::builder(EvidenceSource::Hardware)
        .unknown(keys::DBGSTAT, int(1))
        .is_err());
    assert!(ClaimsSet::builder(IAT)
        .unknown_submodule("app", Value::Null)
        .is_err());
}

// ------------------------------------------------------- property tests

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn round_trip_is_lossless_and_byte_stable(claims in strategies::claims_set()) {
        let bytes = claims.to_cbor();
        let back = ClaimsSet::from_cbor(&bytes, &Limits::DEFAULT)
            .map_err(|e| TestCaseError::fail(format!("{e} ({})", e.code())))?;
        prop_assert_eq!(&back, &claims);
        prop_assert_eq!(back.to_cbor(), bytes);
        let direct = ClaimsSet::from_value(&claims.to_value());
        prop_assert_eq!(direct.as_ref(), Ok(&claims));
        prop_assert_eq!(back.unknown_claims().len(), claims.unknown_claims().len());
    }

    #[test]
    fn patch_level_days_are_monotonic(a in strategies::patch_level(), b in strategies::patch_level()) {
        // Month-only levels count as the 1st, so compare with day 0 as 1.
        let norm = |p: PatchLevel| (p.year(), p.month(), p.day().max(1));
        if norm(a) < norm(b) {
            prop_assert!(a.days_since_epoch() <= b.days_since_epoch());
        }
        let t = a.days_since_epoch() * 86_400;
        prop_assert_eq!(a.age_days(t), 0);
    }

    #[test]
    fn decoding_arbitrary_values_never_panics(v in strategies::value()) {
        let _ = ClaimsSet::from_value(&v);
        let _ = ClaimsSet::from_cbor(&mtattest::cbor::encode(&v), &Limits::DEFAULT);
    }

    #[test]
    fn decoding_mutated_phones_never_panics(
        layer_name in strategies::code(&["chip", "boot", "os", "app", "runtime"][..]),
        key in -80100i64..=-79990,
        value in strategies::value(),
    ) {
        let v = with_layer_claim(layer_name, key, value);
        if let Ok(claims) = ClaimsSet::from_value(&v) {
            // Whatever is accepted re-encodes to something accepted again.
            let again = ClaimsSet::from_cbor(&claims.to_cbor(), &Limits::DEFAULT).unwrap();
            prop_assert_eq!(again, claims);
        }
    }
}
