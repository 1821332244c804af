//! Attestation results: EAR shape, JSON and CBOR round trips, COSE_Sign1
//! signing and verification, and refusal of tampered or malformed results.

use ciborium::value::Value;
use mtattest::appraisal::{demo, AttestationResult, Component, Status, EAR_PROFILE};
use mtattest::claims::Layer;
use mtattest::crypto::{Algorithm, RustCrypto, SoftwareSigner};
use mtattest::UnixTime;

const NOW: i64 = 1_790_000_000;

fn results() -> demo::DemoResults {
    demo::run(UnixTime(NOW)).unwrap()
}

fn ear_key() -> SoftwareSigner {
    SoftwareSigner::from_secret_bytes(Algorithm::Es384, &[0x33; 48]).unwrap()
}

#[test]
fn json_has_the_ear_shape() {
    let r = results().compromised;
    let v: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
    assert_eq!(v["eat_profile"], EAR_PROFILE);
    assert_eq!(v["iat"], NOW);
    assert_eq!(v["ear.status"], "contraindicated");
    assert_eq!(v["mtattest.action"], "deny");
    assert_eq!(v["ear.verifier-id"]["developer"], "mtattest");
    assert_eq!(v["eat_nonce"], "ZGVtby1jaGFsbGVuZ2Utcm9vdGVk"); // base64url of the challenge
    let device = &v["submods"]["device"];
    assert_eq!(device["ear.status"], "contraindicated");
    assert_eq!(device["ear.appraisal-policy-id"], "payment");
    assert_eq!(device["ear.trustworthiness-vector"]["executables"], 96);
    let boot = &v["submods"]["boot"];
    assert_eq!(boot["ear.status"], "contraindicated");
    let reasons = boot["mtattest.reasons"].as_array().unwrap();
    assert_eq!(reasons[0]["claim"], "submods.boot.verified-boot-state");
    assert_eq!(reasons[0]["seen"], "unverified");
    assert_eq!(reasons[0]["required"], "verified");
    assert_eq!(reasons[0]["evidence-source"], "hardware");
    // Layers with nothing wrong carry no reasons.
    assert!(v["submods"]["chip"].get("mtattest.reasons").is_none());
    assert_eq!(v["submods"]["chip"]["ear.status"], "affirming");
}

#[test]
fn cbor_uses_the_ear_integer_labels() {
    let r = results().compromised;
    let v: Value = ciborium::de::from_reader(r.to_cbor().as_slice()).unwrap();
    let Value::Map(top) = v else {
        panic!("not a map")
    };
    let get = |m: &[(Value, Value)], k: i64| {
        m.iter()
            .find(|(key, _)| key.as_integer().map(i128::from) == Some(k.into()))
            .map(|(_, v)| v.clone())
    };
    assert_eq!(get(&top, 265), Some(Value::Text(EAR_PROFILE.into())));
    assert_eq!(get(&top, 6), Some(Value::Integer(NOW.into())));
    assert_eq!(get(&top, 1000), Some(Value::Integer(96.into())));
    assert!(matches!(get(&top, 10), Some(Value::Bytes(_))));
    let Some(Value::Map(vid)) = get(&top, 1004) else {
        panic!("no verifier id")
    };
    assert_eq!(get(&vid, 0), Some(Value::Text("mtattest".into())));
    let Some(Value::Map(submods)) = get(&top, 266) else {
        panic!("no submods")
    };
    let runtime = submods
        .iter()
        .find(|(k, _)| *k == Value::Text("runtime".into()))
        .map(|(_, v)| v.clone());
    let Some(Value::Map(runtime)) = runtime else {
        panic!("no runtime")
    };
    assert_eq!(get(&runtime, 1000), Some(Value::Integer(96.into())));
    let Some(Value::Map(tv)) = get(&runtime, 1001) else {
        panic!("no vector")
    };
    // executables (2) contraindicated by root.
    assert_eq!(get(&tv, 2), Some(Value::Integer(96.into())));
    assert_eq!(get(&runtime, 1003), Some(Value::Text("payment".into())));
}

#[test]
fn json_and_cbor_round_trip() {
    for r in [results().healthy, results().compromised] {
        assert_eq!(
            AttestationResult::from_json(r.to_json().as_bytes()).unwrap(),
            r
        );
        let cbor = r.to_cbor();
        let back = AttestationResult::from_cbor(&cbor).unwrap();
        assert_eq!(back, r);
        assert_eq!(back.to_cbor(), cbor, "deterministic encoding");
    }
}

#[test]
fn status_is_never_better_than_the_worst_layer() {
    let r = results().compromised;
    for l in &r.layers {
        assert!(r.status >= l.status);
    }
    assert_eq!(
        r.layer(Layer::Chip).map(|l| l.status),
        Some(Status::Affirming)
    );
    assert_eq!(
        r.layer(Layer::Os).map(|l| l.status),
        Some(Status::Contraindicated)
    );
    assert_eq!(r.trust_vector.worst(), Status::Contraindicated);
    assert_eq!(r.trust_vector.get(Component::Configuration), Some(96));
}

#[test]
fn signed_ear_round_trips_and_its_signature_is_checked() {
    let r = results().compromised;
    let key = ear_key();
    let signed = r.sign(&key).unwrap();
    assert_eq!(signed.first(), Some(&0xd2), "COSE_Sign1 tag 18");
    let back = AttestationResult::verify_signed(&signed, &key.public_key(), &RustCrypto).unwrap();
    assert_eq!(back, r);

    // Another key's signature is refused.
    let other = SoftwareSigner::from_secret_bytes(Algorithm::Es384, &[0x34; 48]).unwrap();
    let err =
        AttestationResult::verify_signed(&signed, &other.public_key(), &RustCrypto).unwrap_err();
    assert_eq!(err.code(), "token.bad-signature");

    // Tampering with the payload: "deny" -> "allo" (same length, still valid CBOR).
    let at = signed
        .windows(4)
        .position(|w| w == b"deny")
        .expect("action in payload");
    let mut tampered = signed.clone();
    tampered[at..at + 4].copy_from_slice(b"allo");
    let err =
        AttestationResult::verify_signed(&tampered, &key.public_key(), &RustCrypto).unwrap_err();
    assert_eq!(err.code(), "token.bad-signature");

    // Tampering with the signature.
    let mut tampered = signed.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    let err =
        AttestationResult::verify_signed(&tampered, &key.public_key(), &RustCrypto).unwrap_err();
    assert_eq!(err.code(), "token.bad-signature");
}

#[test]
fn malformed_results_are_refused() {
    let r = results().compromised;
    let mut v: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();

    let mut wrong_profile = v.clone();
    wrong_profile["eat_profile"] = "tag:example.com,2020:other".into();
    let err = AttestationResult::from_json(wrong_profile.to_string().as_bytes()).unwrap_err();
    assert_eq!(err.code(), "ear.wrong-profile");

    // The overall status may not claim better than the device submodule.
    let mut better = v.clone();
    better["ear.status"] = "affirming".into();
    let err = AttestationResult::from_json(better.to_string().as_bytes()).unwrap_err();
    assert_eq!(err.code(), "ear.malformed");

    // A layer may not be worse than the overall status.
    let mut layer_worse = results().healthy.to_json_value();
    layer_worse["submods"]["boot"]["ear.status"] = "warning".into();
    let err = AttestationResult::from_json(layer_worse.to_string().as_bytes()).unwrap_err();
    assert_eq!(err.code(), "ear.malformed");

    // A reason filed under the wrong layer.
    let moved = v["submods"]["boot"]["mtattest.reasons"].clone();
    v["submods"]["chip"]["mtattest.reasons"] = moved;
    let err = AttestationResult::from_json(v.to_string().as_bytes()).unwrap_err();
    assert_eq!(err.code(), "ear.malformed");

    for bad in [&b"[]"[..], b"{}", b"not json"] {
        assert_eq!(
            AttestationResult::from_json(bad).unwrap_err().code(),
            "ear.malformed"
        );
    }
    // CBOR that is not an EAR map.
    assert_eq!(
        AttestationResult::from_cbor(&[0x80]).unwrap_err().code(),
        "ear.malformed"
    );
    // Trailing bytes are refused by the strict decoder.
    let mut cbor = r.to_cbor();
    cbor.push(0);
    assert_eq!(
        AttestationResult::from_cbor(&cbor).unwrap_err().code(),
        "cbor.trailing-bytes"
    );
}
