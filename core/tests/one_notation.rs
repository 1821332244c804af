//! One notation per value kind (spec §12.3.1): bytes in lowercase hex,
//! patch levels as the integer YYYYMMDD, labels (`hwmodel`) as text or
//! `{"hex": …}` for bytes that are not text — in claims JSON, policies,
//! bulletins and configuration alike, each value with exactly one spelling.
//! Expected forms are written from the spec.

use mtattest::appraisal::{Bulletin, Policy};
use mtattest::claims::{ClaimsSet, HwModel};
use mtattest::config::challenge_from_hex;
use mtattest_testkit::example_camera;
use serde_json::json;

const IAT: i64 = 1_790_000_000;

fn camera_with_model(model: &[u8]) -> ClaimsSet {
    let mut c = example_camera(IAT, b"challenge-0042".to_vec());
    c.hwmodel = Some(HwModel::new(model.to_vec()).expect("a model"));
    c
}

fn claims_code(j: serde_json::Value) -> &'static str {
    ClaimsSet::from_json(&j).err().map_or("ok", |e| e.code())
}

#[test]
fn a_label_is_its_text_or_hex_when_not_text() {
    let text = camera_with_model(b"CamCo C1");
    let j = text.to_json();
    assert_eq!(j["hwmodel"], "CamCo C1");
    assert_eq!(ClaimsSet::from_json(&j).unwrap(), text);

    for (bytes, hex) in [
        (&b"\xff\xfe\x01"[..], "fffe01"),          // not UTF-8
        (&b"CamCo\x00C1"[..], "43616d436f004331"), // UTF-8 with a control character
        (&b"C1\xc2\x85"[..], "4331c285"),          // U+0085, a C1 control
    ] {
        let claims = camera_with_model(bytes);
        let j = claims.to_json();
        assert_eq!(j["hwmodel"], json!({"hex": hex}), "{bytes:?}");
        assert_eq!(ClaimsSet::from_json(&j).unwrap(), claims, "{bytes:?}");
    }
}

#[test]
fn a_label_has_one_spelling() {
    let base = camera_with_model(b"CamCo C1").to_json();
    let with = |v: serde_json::Value| {
        let mut j = base.clone();
        j["hwmodel"] = v;
        claims_code(j)
    };
    // The hex form of text, of the empty text, and text the hex form must carry.
    assert_eq!(
        with(json!({"hex": "43616d436f204331"})),
        "claims.invalid-value"
    );
    assert_eq!(with(json!({"hex": ""})), "claims.invalid-value");
    assert_eq!(with(json!("CamCo\u{0}C1")), "claims.invalid-value");
    assert_eq!(with(json!("CamCo\tC1")), "claims.invalid-value");
    // The old form (hex in a string) is now the text it spells.
    assert_eq!(with(json!("43616d436f204331")), "ok");
    // Malformed hex forms.
    assert_eq!(with(json!({"hex": "FFFE"})), "claims.invalid-value");
    assert_eq!(
        with(json!({"hex": "fffe", "text": "x"})),
        "claims.invalid-value"
    );
    assert_eq!(with(json!({})), "claims.missing");
    assert_eq!(with(json!(7)), "claims.wrong-type");
    assert_eq!(with(json!({"hex": "fffe"})), "ok");
}

fn policy_code(rule: serde_json::Value) -> &'static str {
    let doc = json!({"id": "p", "rules": [rule]});
    Policy::from_json(doc.to_string().as_bytes())
        .err()
        .map_or("ok", |e| e.code())
}

#[test]
fn policy_values_use_the_claims_notation() {
    let patch = |v: serde_json::Value| {
        policy_code(json!({"id": "r", "claim": "submods.os.os-patch-level",
            "at-least": v, "on-fail": "warning"}))
    };
    assert_eq!(patch(json!(20260101)), "ok");
    assert_eq!(patch(json!(20260100)), "ok");
    assert_eq!(patch(json!("2026-01-01")), "policy.bad-value");
    assert_eq!(patch(json!("2026-01")), "policy.bad-value");
    assert_eq!(patch(json!("20260101")), "policy.bad-value");
    assert_eq!(patch(json!(20261301)), "policy.bad-value");

    let model = |v: serde_json::Value| {
        policy_code(json!({"id": "r", "claim": "hwmodel", "equals": v, "on-fail": "warning"}))
    };
    assert_eq!(model(json!("CamCo C1")), "ok");
    assert_eq!(model(json!({"hex": "fffe01"})), "ok");
    assert_eq!(
        model(json!({"hex": "43616d436f204331"})),
        "policy.bad-value"
    );
    assert_eq!(model(json!({"hex": "FFFE01"})), "policy.bad-value");
    assert_eq!(model(json!("Cam\nCo")), "policy.bad-value");
    // The hex form is for labels only: bytes kinds are plain hex.
    assert_eq!(
        policy_code(
            json!({"id": "r", "claim": "ueid", "equals": {"hex": "01ab"},
            "on-fail": "warning"})
        ),
        "policy.bad-value"
    );
}

#[test]
fn a_policy_matches_a_label_in_its_hex_form() {
    use mtattest::appraisal::Status;
    use mtattest::crypto::{Algorithm, SoftwareSigner};
    use mtattest::token::issue;
    use mtattest::verifier::{KeySource, Verifier};
    use mtattest::UnixTime;

    let key = SoftwareSigner::from_secret_bytes(Algorithm::Es384, &[0x17; 48]).unwrap();
    let claims = camera_with_model(b"\xff\xfe\x01");
    let token = issue(&claims, &key).unwrap();
    let status = |model: serde_json::Value| {
        // A verifier each: its replay cache would refuse the token again.
        let verifier = Verifier::builder(KeySource::Key(key.public_key())).build();
        let doc = json!({"id": "p", "rules": [{"id": "model", "claim": "hwmodel",
            "equals": model, "on-fail": "contraindicated"}]});
        let policy = Policy::from_json(doc.to_string().as_bytes()).unwrap();
        verifier
            .verify_and_appraise(&token, Some(b"challenge-0042"), &policy, UnixTime(IAT + 10))
            .unwrap()
            .1
            .status
    };
    assert_eq!(status(json!({"hex": "fffe01"})), Status::Affirming);
    assert_eq!(status(json!({"hex": "fffe02"})), Status::Contraindicated);
}

#[test]
fn bulletin_patch_levels_are_integers() {
    let feed = |before: serde_json::Value| {
        let doc = json!({"advisories": [{"id": "A", "severity": "high",
            "patch-level": {"before": before}}]});
        Bulletin::from_json(doc.to_string().as_bytes())
            .err()
            .map_or("ok", |e| e.code())
    };
    assert_eq!(feed(json!(20260301)), "ok");
    assert_eq!(feed(json!(20260300)), "ok");
    assert_eq!(feed(json!("2026-03-01")), "bulletin.syntax");
    assert_eq!(feed(json!(20261301)), "bulletin.bad-range");
}

#[test]
fn configuration_hex_is_lowercase() {
    assert_eq!(challenge_from_hex("00ff00ff").unwrap(), [0, 255, 0, 255]);
    assert_eq!(
        challenge_from_hex("00FF00FF").unwrap_err().code(),
        "config.bad-value"
    );
}
