//! One text form for bytes, times and certificate lists across the library
//! (`mtattest::encoding`, issue 13 §4): every reader of hex takes the same
//! digits (lowercase only, one spelling per value: spec §12.3.1), and every
//! reader of a certificate list splits it the same way.

use mtattest::appraisal::Policy;
use mtattest::encoding::{certificate_list, from_hex, pem_blocks, to_hex};
use mtattest::trust::TrustAnchors;
use serde_json::json;

const SIGNER: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";

fn policy_code(json: serde_json::Value) -> &'static str {
    Policy::from_json(json.to_string().as_bytes())
        .err()
        .map_or("ok", |e| e.code())
}

#[test]
fn policy_values_take_lowercase_hex_digits_and_nothing_else() {
    let digest_rule = |value: &str| {
        json!({"id": "p", "rules": [{"id": "r", "claim": "submods.app.app-signers",
            "one-of": [value], "on-fail": "warning"}]})
    };
    assert_eq!(policy_code(digest_rule(SIGNER)), "ok");
    for bad in [
        SIGNER.to_uppercase(),
        format!("0x{SIGNER}"),
        format!(" {SIGNER}"),
        format!("{SIGNER}0"),
        "".to_string(),
    ] {
        assert_eq!(
            policy_code(digest_rule(&bad)),
            "policy.bad-value",
            "{bad:?}"
        );
    }
    let ueid_rule = |value: &str| {
        json!({"id": "p", "rules": [{"id": "r", "claim": "ueid", "equals": value,
            "on-fail": "warning"}]})
    };
    assert_eq!(policy_code(ueid_rule("01ab")), "ok");
    assert_eq!(policy_code(ueid_rule("01AB")), "policy.bad-value");
    assert_eq!(policy_code(ueid_rule("0x01ab")), "policy.bad-value");
}

#[test]
fn hex_writes_and_reads_lowercase_only() {
    assert_eq!(to_hex(&[0xab, 0x01]), "ab01");
    assert_eq!(from_hex("ab01").unwrap(), [0xab, 0x01]);
    assert!(from_hex("AB01").is_err());
    assert!(from_hex("aB01").is_err());
    assert!(from_hex("0xab").is_err());
}

#[test]
fn anchors_and_certificate_lists_read_a_bundle_alike() {
    let root = include_str!("../../test-vectors/anchors/root.pem");
    let other = include_str!("../../test-vectors/anchors/other-root.pem");
    // Text around the blocks (as `openssl x509 -text` leaves it) is
    // ignored by both.
    let bundle = format!("# roots\nsubject=CN=x\n{root}\ntrailing words\n{other}");
    let listed = certificate_list(bundle.as_bytes()).unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(pem_blocks(&bundle, "CERTIFICATE").unwrap(), listed);
    let mut anchors = TrustAnchors::new();
    assert_eq!(anchors.add_pem(bundle.as_bytes()).unwrap(), 2);
    assert_eq!(anchors.iter_der().collect::<Vec<_>>(), listed);
    // The same bundle as DER, back to back.
    assert_eq!(certificate_list(&listed.concat()).unwrap(), listed);

    // A block that is not a certificate is refused by both.
    let key = "-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n";
    let mixed = format!("{root}{key}");
    assert_eq!(
        certificate_list(mixed.as_bytes()).unwrap_err().item,
        Some(1)
    );
    let err = TrustAnchors::new().add_pem(mixed.as_bytes()).unwrap_err();
    assert_eq!(err.code(), "chain.bad-anchor");
    for nothing in ["", " \n", "no PEM here"] {
        assert!(certificate_list(nothing.as_bytes()).is_err(), "{nothing:?}");
        let err = TrustAnchors::new().add_pem(nothing.as_bytes()).unwrap_err();
        assert_eq!(err.code(), "chain.bad-anchor", "{nothing:?}");
    }
}
