//! Attestation results: EAR shape, JSON and CBOR round trips, COSE_Sign1
//! signing and verification, and refusal of tampered or malformed results.

mod common;

use std::collections::BTreeSet;

use ciborium::value::Value;
use mtattest::appraisal::{AttestationResult, Component, EarProfile, Status, EAR_PROFILE};
use mtattest::claims::Layer;
use mtattest::crypto::{Algorithm, RustCrypto, SoftwareSigner};
use mtattest::UnixTime;
use mtattest_testkit::demo;

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

// ---- both forms: Veraison 2023 and draft-ietf-rats-ear-04 ----

/// The draft-04 profile, written out here rather than taken from the crate.
const DRAFT_04: &str = "tag:ietf.org,2026:rats/ear#04";

fn every_result() -> Vec<(String, AttestationResult)> {
    common::ear_results::every_result(NOW)
}

#[test]
fn both_forms_round_trip_for_every_preset() {
    let key = ear_key();
    for (tag, r) in every_result() {
        // The default methods are the Veraison 2023 form.
        assert_eq!(r.to_json(), r.to_json_as(EarProfile::Veraison2023), "{tag}");
        assert_eq!(r.to_cbor(), r.to_cbor_as(EarProfile::Veraison2023), "{tag}");
        for p in EarProfile::ALL {
            let json = r.to_json_as(p);
            let back = AttestationResult::from_json(json.as_bytes()).unwrap();
            assert_eq!(back, r, "{tag} {p} JSON");
            assert_eq!(back.to_json_as(p), json, "{tag} {p} JSON re-encoding");
            let compact = r.to_json_value_as(p).to_string();
            assert_eq!(AttestationResult::from_json(compact.as_bytes()).unwrap(), r);

            let cbor = r.to_cbor_as(p);
            let back = AttestationResult::from_cbor(&cbor).unwrap();
            assert_eq!(back, r, "{tag} {p} CBOR");
            assert_eq!(back.to_cbor_as(p), cbor, "{tag} {p} CBOR re-encoding");
            assert_eq!(mtattest::cbor::encode(&r.to_cbor_value_as(p)), cbor);

            let signed = r.sign_as(p, &key).unwrap();
            assert_eq!(signed.first(), Some(&0xd2), "COSE_Sign1 tag 18");
            let back =
                AttestationResult::verify_signed(&signed, &key.public_key(), &RustCrypto).unwrap();
            assert_eq!(back, r, "{tag} {p} signed");
        }
        // The two forms differ.
        assert_ne!(
            r.to_cbor_as(EarProfile::Veraison2023),
            r.to_cbor_as(EarProfile::IetfDraft04)
        );
    }
}

#[test]
fn a_signed_draft_04_result_is_checked() {
    let r = results().compromised;
    let key = ear_key();
    let signed = r.sign_as(EarProfile::IetfDraft04, &key).unwrap();
    let other = SoftwareSigner::from_secret_bytes(Algorithm::Es384, &[0x34; 48]).unwrap();
    let err =
        AttestationResult::verify_signed(&signed, &other.public_key(), &RustCrypto).unwrap_err();
    assert_eq!(err.code(), "token.bad-signature");
    let at = signed.windows(4).position(|w| w == b"deny").unwrap();
    let mut tampered = signed.clone();
    tampered[at..at + 4].copy_from_slice(b"allo");
    let err =
        AttestationResult::verify_signed(&tampered, &key.public_key(), &RustCrypto).unwrap_err();
    assert_eq!(err.code(), "token.bad-signature");
}

fn keys(v: &serde_json::Value) -> BTreeSet<&str> {
    v.as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect()
}

#[test]
fn draft_04_json_has_exactly_the_drafts_labels() {
    // Written out from draft-ietf-rats-ear-04 (cddl/ear.cddl,
    // cddl/ear-appraisal.cddl, cddl/ar4si.cddl), plus the mtattest
    // extensions.
    let top_allowed: BTreeSet<&str> = [
        "eat_profile",
        "iat",
        "ear_verifier_id",
        "eat_nonce",
        "ear_status",
        "submods",
        "mtattest.action",
    ]
    .into();
    let sub_allowed: BTreeSet<&str> = [
        "ear_status",
        "ear_trustworthiness_vector",
        "ear_appraisal_policy_ids",
        "mtattest.reasons",
    ]
    .into();
    let tiers = ["none", "affirming", "warning", "contraindicated"];
    let components: BTreeSet<&str> = [
        "instance-identity",
        "configuration",
        "executables",
        "file-system",
        "hardware",
        "runtime-opaque",
        "storage-opaque",
        "sourced-data",
    ]
    .into();
    let mut saw_vector = false;
    let mut saw_no_vector = false;
    let mut saw_reasons = false;
    for (tag, r) in every_result() {
        let text = r.to_json_as(EarProfile::IetfDraft04);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(keys(&v), top_allowed, "{tag}");
        assert_eq!(v["eat_profile"], DRAFT_04);
        assert_eq!(v["iat"], NOW);
        assert_eq!(keys(&v["ear_verifier_id"]), ["build", "developer"].into());
        assert!(v["ear_verifier_id"]["developer"].is_string());
        assert!(v["ear_verifier_id"]["build"].is_string());
        assert!(tiers.contains(&v["ear_status"].as_str().unwrap()));
        assert!(v["eat_nonce"].is_string());
        let submods = v["submods"].as_object().unwrap();
        assert!(submods.contains_key("device"), "{tag}");
        for (name, sub) in submods {
            let k = keys(sub);
            assert!(k.is_subset(&sub_allowed), "{tag} {name}: {k:?}");
            assert!(tiers.contains(&sub["ear_status"].as_str().unwrap()));
            let ids = sub["ear_appraisal_policy_ids"]
                .as_array()
                .unwrap_or_else(|| panic!("{tag} {name}: policy ids are not an array"));
            assert_eq!(ids.len(), 1);
            assert!(ids.iter().all(serde_json::Value::is_string));
            assert_eq!(ids[0], tag.split('/').nth(1).unwrap());
            match sub.get("ear_trustworthiness_vector") {
                // The draft's vector is non-empty: an empty one is left out.
                None => saw_no_vector = true,
                Some(tv) => {
                    saw_vector = true;
                    let tv = tv.as_object().unwrap();
                    assert!(!tv.is_empty(), "{tag} {name}");
                    for (c, value) in tv {
                        assert!(components.contains(c.as_str()), "{c}");
                        let n = value.as_i64().unwrap();
                        assert!((-128..=127).contains(&n));
                    }
                }
            }
            saw_reasons |= sub.get("mtattest.reasons").is_some();
        }
        // No Veraison 2023 label anywhere.
        assert!(!text.contains("\"ear."), "{tag}");
    }
    assert!(saw_vector && saw_no_vector && saw_reasons);
}

fn cbor_get(m: &[(Value, Value)], k: i64) -> Option<Value> {
    m.iter()
        .find(|(key, _)| key.as_integer().map(i128::from) == Some(k.into()))
        .map(|(_, v)| v.clone())
}

fn cbor_top(bytes: &[u8]) -> Vec<(Value, Value)> {
    match ciborium::de::from_reader(bytes).unwrap() {
        Value::Map(m) => m,
        _ => panic!("not a map"),
    }
}

#[test]
fn draft_04_cbor_uses_the_drafts_keys_and_an_array_of_policy_ids() {
    let r = results().compromised;
    let top = cbor_top(&r.to_cbor_as(EarProfile::IetfDraft04));
    let top_keys: BTreeSet<i128> = top
        .iter()
        .map(|(k, _)| i128::from(k.as_integer().unwrap()))
        .collect();
    assert_eq!(top_keys, [-80100, 6, 10, 265, 266, 1000, 1004].into());
    assert_eq!(cbor_get(&top, 265), Some(Value::Text(DRAFT_04.into())));
    assert_eq!(cbor_get(&top, 1000), Some(Value::Integer(96.into())));
    let Some(Value::Map(submods)) = cbor_get(&top, 266) else {
        panic!("no submods")
    };
    for (name, sub) in &submods {
        let Value::Map(sub) = sub else {
            panic!("{name:?}")
        };
        assert_eq!(
            cbor_get(sub, 1003),
            Some(Value::Array(vec![Value::Text("payment".into())])),
            "{name:?}"
        );
        let status = cbor_get(sub, 1000).and_then(|s| s.as_integer()).unwrap();
        assert!([0, 2, 32, 96].contains(&i128::from(status)));
    }
}

/// The result of decoding `v` (JSON) as an EAR: its error's code and text.
fn json_refusal(v: &serde_json::Value) -> (String, String) {
    let err = AttestationResult::from_json(v.to_string().as_bytes()).unwrap_err();
    (err.code().to_string(), err.to_string())
}

fn assert_malformed(refusal: (String, String), needles: &[&str]) {
    assert_eq!(refusal.0, "ear.malformed", "{}", refusal.1);
    for n in needles {
        assert!(refusal.1.contains(n), "{:?} lacks {n:?}", refusal.1);
    }
}

#[test]
fn labels_of_the_other_form_are_refused() {
    let r = results().compromised;
    let veraison = r.to_json_value_as(EarProfile::Veraison2023);
    let draft = r.to_json_value_as(EarProfile::IetfDraft04);

    // A draft-04 label added to a Veraison 2023 submodule.
    let mut v = veraison.clone();
    v["submods"]["boot"]["ear_status"] = "affirming".into();
    assert_malformed(
        json_refusal(&v),
        &["submodule boot", "\"ear_status\"", "ietf-draft-04 form"],
    );
    // ... and at the top level.
    let mut v = veraison.clone();
    v["ear_verifier_id"] = veraison["ear.verifier-id"].clone();
    assert_malformed(
        json_refusal(&v),
        &["the top level", "\"ear_verifier_id\"", "ietf-draft-04 form"],
    );
    // A Veraison 2023 label in a draft-04 submodule, replacing its own.
    let mut v = draft.clone();
    let device = v["submods"]["device"].as_object_mut().unwrap();
    device.remove("ear_appraisal_policy_ids");
    device.insert("ear.appraisal-policy-id".into(), "payment".into());
    assert_malformed(
        json_refusal(&v),
        &[
            "submodule device",
            "\"ear.appraisal-policy-id\"",
            "veraison-2023 form",
        ],
    );
    // ... and at the top level.
    let mut v = draft.clone();
    v["ear.status"] = "contraindicated".into();
    assert_malformed(
        json_refusal(&v),
        &["the top level", "\"ear.status\"", "veraison-2023 form"],
    );
    // Draft-04 labels under the Veraison 2023 profile, and the reverse.
    let mut v = draft.clone();
    v["eat_profile"] = EAR_PROFILE.into();
    assert_malformed(json_refusal(&v), &["ietf-draft-04 form"]);
    let mut v = veraison.clone();
    v["eat_profile"] = DRAFT_04.into();
    assert_malformed(json_refusal(&v), &["veraison-2023 form"]);

    // The policy's shape: an array in the 2023 form, one text in draft-04.
    let mut v = veraison.clone();
    v["submods"]["os"]["ear.appraisal-policy-id"] = serde_json::json!(["payment"]);
    assert_malformed(json_refusal(&v), &["ear.appraisal-policy-id is an array"]);
    let mut v = draft.clone();
    v["submods"]["os"]["ear_appraisal_policy_ids"] = "payment".into();
    assert_malformed(json_refusal(&v), &["ear_appraisal_policy_ids is one text"]);
}

#[test]
fn the_policy_shape_of_the_other_form_is_refused_in_cbor() {
    let r = results().compromised;
    let set_policy = |p: EarProfile, policy: Value| {
        let Value::Map(mut top) = r.to_cbor_value_as(p) else {
            panic!()
        };
        for (k, v) in top.iter_mut() {
            if k.as_integer().map(i128::from) == Some(266) {
                let Value::Map(subs) = v else { panic!() };
                for (_, sub) in subs.iter_mut() {
                    let Value::Map(sub) = sub else { panic!() };
                    for (k, v) in sub.iter_mut() {
                        if k.as_integer().map(i128::from) == Some(1003) {
                            *v = policy.clone();
                        }
                    }
                }
            }
        }
        let err =
            AttestationResult::from_cbor(&mtattest::cbor::encode(&Value::Map(top))).unwrap_err();
        (err.code().to_string(), err.to_string())
    };
    let text = Value::Text("payment".into());
    assert_malformed(
        set_policy(EarProfile::Veraison2023, Value::Array(vec![text.clone()])),
        &["ear.appraisal-policy-id is an array", "ietf-draft-04 form"],
    );
    assert_malformed(
        set_policy(EarProfile::IetfDraft04, text.clone()),
        &["ear_appraisal_policy_ids is one text", "veraison-2023 form"],
    );
    assert_malformed(
        set_policy(EarProfile::IetfDraft04, Value::Array(vec![])),
        &["ear_appraisal_policy_ids is empty"],
    );
    assert_malformed(
        set_policy(
            EarProfile::IetfDraft04,
            Value::Array(vec![text.clone(), Value::Text("byod".into())]),
        ),
        &["names 2 policies"],
    );
    assert_malformed(
        set_policy(
            EarProfile::IetfDraft04,
            Value::Array(vec![Value::Integer(1.into())]),
        ),
        &["ear_appraisal_policy_ids is not"],
    );
    assert_malformed(
        set_policy(EarProfile::IetfDraft04, Value::Integer(1.into())),
        &["ear_appraisal_policy_ids is not"],
    );
}

#[test]
fn draft_04_specific_refusals() {
    let r = results().compromised;
    let draft = r.to_json_value_as(EarProfile::IetfDraft04);

    // Several policies, or none.
    let mut v = draft.clone();
    v["submods"]["device"]["ear_appraisal_policy_ids"] = serde_json::json!(["payment", "byod"]);
    assert_malformed(json_refusal(&v), &["names 2 policies"]);
    let mut v = draft.clone();
    v["submods"]["device"]["ear_appraisal_policy_ids"] = serde_json::json!([]);
    assert_malformed(json_refusal(&v), &["ear_appraisal_policy_ids is empty"]);
    let mut v = draft.clone();
    v["submods"]["device"]
        .as_object_mut()
        .unwrap()
        .remove("ear_appraisal_policy_ids");
    assert_malformed(json_refusal(&v), &["ear_appraisal_policy_ids is missing"]);

    // The draft's vector is non-empty; ours leaves an empty one out.
    let mut v = draft.clone();
    v["submods"]["chip"]["ear_trustworthiness_vector"] = serde_json::json!({});
    assert_malformed(json_refusal(&v), &["ear_trustworthiness_vector is empty"]);
    // (The 2023 form writes empty vectors, and accepts them.)
    let mut v = r.to_json_value_as(EarProfile::Veraison2023);
    v["submods"]["chip"]["ear.trustworthiness-vector"] = serde_json::json!({});
    assert!(AttestationResult::from_json(v.to_string().as_bytes()).is_ok());

    // exp: an mtattest result has no expiry.
    let mut v = draft.clone();
    v["exp"] = (NOW + 60).into();
    assert_malformed(json_refusal(&v), &["exp is not supported"]);
    let Value::Map(mut top) = r.to_cbor_value_as(EarProfile::IetfDraft04) else {
        panic!()
    };
    top.push((Value::Integer(4.into()), Value::Integer((NOW + 60).into())));
    let err = AttestationResult::from_cbor(&mtattest::cbor::encode(&Value::Map(top))).unwrap_err();
    assert_eq!(err.code(), "ear.malformed");
    assert!(err.to_string().contains("exp is not supported"), "{err}");

    // The top-level status and the verifier id are required, under their
    // draft-04 names.
    let mut v = draft.clone();
    v.as_object_mut().unwrap().remove("ear_status");
    assert_malformed(json_refusal(&v), &["ear_status is missing"]);
    let mut v = draft.clone();
    v.as_object_mut().unwrap().remove("ear_verifier_id");
    assert_malformed(json_refusal(&v), &["ear_verifier_id is missing"]);
    let mut v = draft.clone();
    v["submods"]["boot"]["ear_status"] = "fine".into();
    assert_malformed(json_refusal(&v), &["ear_status is missing or unknown"]);
    // The consistency rules hold in draft-04 too.
    let mut v = draft.clone();
    v["ear_status"] = "affirming".into();
    assert_malformed(json_refusal(&v), &["differs from the device"]);
}

/// The WG's own example (cddl/examples/ear-json-1.diag and ear-cbor-1.diag
/// of draft-ietf-rats-ear): a `PSA` submodule, no `device` submodule, no
/// mtattest extensions.
fn wg_example_json() -> serde_json::Value {
    serde_json::json!({
        "eat_profile": "tag:ietf.org,2026:rats/ear#04",
        "iat": 1666529184,
        "ear_verifier_id": {
            "developer": "https://veraison-project.org",
            "build": "vts 0.0.1"
        },
        "ear_raw_evidence": "NzQ3MjY5NzM2NTYzNzQK",
        "submods": {
            "PSA": {
                "ear_status": "contraindicated",
                "ear_trustworthiness_vector": {
                    "instance-identity": 2,
                    "executables": 96,
                    "hardware": 2
                },
                "ear_appraisal_policy_ids":
                    [ "https://veraison.example/policy/1/60a0068d" ]
            }
        }
    })
}

#[test]
fn the_wg_example_is_a_draft_04_ear_but_not_an_mtattest_result() {
    // Refused: it has no verdict for the whole terminal and no action, and
    // decoding must not invent them.
    assert_malformed(
        json_refusal(&wg_example_json()),
        &["not an mtattest result", "device submodule is missing"],
    );
    let int = |k: i64| Value::Integer(k.into());
    let cbor = Value::Map(vec![
        (int(265), Value::Text(DRAFT_04.into())),
        (int(6), int(1666529184)),
        (
            int(1004),
            Value::Map(vec![
                (int(0), Value::Text("https://veraison-project.org".into())),
                (int(1), Value::Text("vts 0.0.1".into())),
            ]),
        ),
        (int(1002), Value::Bytes(b"lifeboatman".to_vec())),
        (
            int(266),
            Value::Map(vec![(
                Value::Text("PSA".into()),
                Value::Map(vec![
                    (int(1000), int(96)),
                    (
                        int(1001),
                        Value::Map(vec![(int(0), int(2)), (int(2), int(96)), (int(4), int(2))]),
                    ),
                    (
                        int(1003),
                        Value::Array(vec![Value::Text(
                            "https://veraison.example/policy/1/60a0068d".into(),
                        )]),
                    ),
                ]),
            )]),
        ),
    ]);
    let err = AttestationResult::from_cbor(&mtattest::cbor::encode(&cbor)).unwrap_err();
    assert_eq!(err.code(), "ear.malformed");
    assert!(
        err.to_string().contains("device submodule is missing"),
        "{err}"
    );

    // With the PSA submodule renamed `device`, what is still missing is our
    // extension: the action.
    let mut v = wg_example_json();
    let submods = v["submods"].as_object_mut().unwrap();
    let psa = submods.remove("PSA").unwrap();
    submods.insert("device".into(), psa);
    v["ear_status"] = "contraindicated".into();
    assert_malformed(json_refusal(&v), &["mtattest.action is missing"]);
    // With the action too, the WG's shape decodes (the extra
    // ear_raw_evidence is ignored), so the refusals above are about what
    // the example lacks, not about its labels.
    v["mtattest.action"] = "deny".into();
    let back = AttestationResult::from_json(v.to_string().as_bytes()).unwrap();
    assert_eq!(back.status, Status::Contraindicated);
    assert_eq!(back.policy_id, "https://veraison.example/policy/1/60a0068d");
    assert_eq!(back.trust_vector.get(Component::Executables), Some(96));
    assert_eq!(back.verifier_id.build, "vts 0.0.1");
}

fn cbor_refusal(v: &Value) -> (String, String) {
    let mut bytes = Vec::new();
    ciborium::ser::into_writer(v, &mut bytes).unwrap();
    let e = AttestationResult::from_cbor(&bytes).unwrap_err();
    (e.code().to_string(), e.to_string())
}

fn cbor_value(r: &AttestationResult, p: EarProfile) -> Value {
    ciborium::de::from_reader(r.to_cbor_as(p).as_slice()).unwrap()
}

/// The value under `key` in a CBOR map.
fn cbor_entry(v: &mut Value, key: Value) -> &mut Value {
    let Value::Map(m) = v else {
        panic!("not a map")
    };
    &mut m
        .iter_mut()
        .find(|(k, _)| *k == key)
        .expect("no such key")
        .1
}

/// The `mtattest.reasons` of the first submodule of a JSON result that has
/// any.
fn first_json_reasons(result: &mut serde_json::Value) -> &mut serde_json::Value {
    result["submods"]
        .as_object_mut()
        .expect("submods is an object")
        .values_mut()
        .find_map(|s| s.get_mut("mtattest.reasons"))
        .expect("a submodule with reasons")
}

/// The reasons (-80101) of the first submodule of a CBOR result that has
/// any.
fn first_cbor_reasons(result: &mut Value) -> &mut Value {
    let Value::Map(submods) = cbor_entry(result, Value::Integer(266.into())) else {
        panic!("submods is not a map")
    };
    submods
        .iter_mut()
        .find_map(|(_, sub)| match sub {
            Value::Map(m) => m
                .iter_mut()
                .find(|(k, _)| *k == Value::Integer((-80101).into()))
                .map(|(_, v)| v),
            _ => None,
        })
        .expect("a submodule with reasons")
}

fn cbor_remove(v: &mut Value, key: Value) {
    let Value::Map(m) = v else {
        panic!("not a map")
    };
    let before = m.len();
    m.retain(|(k, _)| *k != key);
    assert_eq!(m.len(), before - 1, "nothing removed");
}

/// Spec §11.6: the Veraison 2023 form always carries a vector, empty or
/// not; the draft-04 form leaves an empty one out.
#[test]
fn a_veraison_2023_submodule_without_a_vector_is_refused() {
    let r = results().healthy;
    let mut v = r.to_json_value_as(EarProfile::Veraison2023);
    v["submods"]["os"]
        .as_object_mut()
        .unwrap()
        .remove("ear.trustworthiness-vector")
        .unwrap();
    assert_malformed(json_refusal(&v), &["ear.trustworthiness-vector", "always"]);

    let mut c = cbor_value(&r, EarProfile::Veraison2023);
    let os = cbor_entry(
        cbor_entry(&mut c, Value::Integer(266.into())),
        Value::Text("os".into()),
    );
    cbor_remove(os, Value::Integer(1001.into()));
    assert_malformed(cbor_refusal(&c), &["ear.trustworthiness-vector", "always"]);

    // The draft-04 form may leave it out.
    let mut d = r.to_json_value_as(EarProfile::IetfDraft04);
    d["submods"]["os"]
        .as_object_mut()
        .unwrap()
        .remove("ear_trustworthiness_vector");
    AttestationResult::from_json(d.to_string().as_bytes()).unwrap();
}

/// "not an mtattest result" is said first, in JSON as in CBOR, even when
/// the result also mixes the forms' labels.
#[test]
fn a_result_without_a_device_submodule_is_refused_before_anything_else() {
    let r = results().compromised;
    let mut v = r.to_json_value_as(EarProfile::Veraison2023);
    let submods = v["submods"].as_object_mut().unwrap();
    submods.remove("device").unwrap();
    submods["os"]["ear_status"] = "warning".into();
    assert_malformed(json_refusal(&v), &["not an mtattest result"]);
}

#[test]
fn an_empty_reasons_array_is_refused() {
    let r = results().compromised;
    for p in [EarProfile::Veraison2023, EarProfile::IetfDraft04] {
        let mut v = r.to_json_value_as(p);
        *first_json_reasons(&mut v) = serde_json::json!([]);
        assert_malformed(json_refusal(&v), &["mtattest.reasons is empty"]);

        let mut c = cbor_value(&r, p);
        *first_cbor_reasons(&mut c) = Value::Array(vec![]);
        assert_malformed(cbor_refusal(&c), &["mtattest.reasons is empty"]);
    }
}

#[test]
fn an_echoed_nonce_outside_8_to_64_bytes_is_refused() {
    let r = results().compromised;
    for (len, ok) in [(7, false), (8, true), (64, true), (65, false)] {
        let mut c = cbor_value(&r, EarProfile::Veraison2023);
        *cbor_entry(&mut c, Value::Integer(10.into())) = Value::Bytes(vec![0x4e; len]);
        let mut bytes = Vec::new();
        ciborium::ser::into_writer(&c, &mut bytes).unwrap();
        match AttestationResult::from_cbor(&bytes) {
            Ok(_) => assert!(ok, "{len} bytes accepted"),
            Err(e) => {
                assert!(!ok, "{len} bytes refused: {e}");
                assert_malformed(
                    (e.code().to_string(), e.to_string()),
                    &["eat_nonce", "8..=64"],
                );
            }
        }
        // The same in JSON, base64url without padding.
        let mut v = r.to_json_value_as(EarProfile::Veraison2023);
        use base64::Engine as _;
        v["eat_nonce"] = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(vec![0x4e; len])
            .into();
        let decoded = AttestationResult::from_json(v.to_string().as_bytes());
        assert_eq!(decoded.is_ok(), ok, "{len} bytes in JSON: {decoded:?}");
    }
}

#[test]
fn a_reason_that_is_not_a_warning_or_contraindication_is_refused() {
    let r = results().compromised;
    let v = r.to_json_value_as(EarProfile::Veraison2023);
    let layer = v["submods"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(_, s)| s.get("mtattest.reasons").is_some())
        .map(|(name, _)| name.clone())
        .unwrap();
    for (status, ok) in [
        ("none", false),
        ("affirming", false),
        ("warning", true),
        ("contraindicated", true),
    ] {
        let mut w = v.clone();
        w["submods"][&layer]["mtattest.reasons"][0]["status"] = status.into();
        match AttestationResult::from_json(w.to_string().as_bytes()) {
            Err(e) => {
                assert!(!ok, "{status}: {e}");
                assert_malformed(
                    (e.code().to_string(), e.to_string()),
                    &["reason's status", status],
                );
            }
            // A warning reason under a contraindicated layer may break
            // another rule; only the reason-status rule is under test.
            Ok(_) => assert!(ok, "{status} accepted"),
        }
    }
}

/// ear.cddl's `reason` is a closed map: a member it does not name (or a
/// CBOR key that is not text) is refused, in JSON and in CBOR, in both forms.
#[test]
fn a_reason_with_a_member_the_cddl_does_not_name_is_refused() {
    let r = results().compromised;
    for p in [EarProfile::Veraison2023, EarProfile::IetfDraft04] {
        let mut v = r.to_json_value_as(p);
        first_json_reasons(&mut v)[0]["severity"] = "high".into();
        assert_malformed(
            json_refusal(&v),
            &["a reason has an unknown member", "severity"],
        );

        for extra in [Value::Text("severity".into()), Value::Integer(7.into())] {
            let mut c = cbor_value(&r, p);
            let Value::Array(items) = first_cbor_reasons(&mut c) else {
                panic!("reasons is not an array")
            };
            let Some(Value::Map(first)) = items.first_mut() else {
                panic!("the first reason is not a map")
            };
            first.push((extra.clone(), Value::Text("high".into())));
            let needle = if extra.is_text() {
                "unknown member"
            } else {
                "key is not text"
            };
            assert_malformed(cbor_refusal(&c), &["a reason has", needle]);
        }
    }
}
