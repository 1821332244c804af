//! The relying party's expected app signers bind to a policy as bytes
//! (issue 13 §4, spec §11.3): `PolicyDocument::bind_app_signers`, never an
//! edit of the policy's text, whichever front end takes them.

use mtattest::appraisal::{Policy, PolicyDocument, Preset};
use mtattest::config::VerifierConfig;
use mtattest::encoding::from_hex;
use serde_json::json;

const SIGNER: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";

fn config_code(json: serde_json::Value) -> &'static str {
    match VerifierConfig::from_json(json.to_string().as_bytes()) {
        Err(e) => e.code(),
        Ok(config) => config.build().err().map_or("ok", |e| e.code()),
    }
}

#[test]
fn configuration_app_signers_are_hex_of_the_configuration() {
    let with = |signer: &str| {
        json!({"anchors": [{"pem": include_str!("../../test-vectors/anchors/root.pem")}],
               "policies": {"pay": {"preset": "payment", "app-signers": [signer]}}})
    };
    assert_eq!(config_code(with(SIGNER)), "ok");
    // One spelling per value (spec §12.3.1): hex is lowercase.
    assert_eq!(
        config_code(with(&SIGNER.to_uppercase())),
        "config.bad-value"
    );
    assert_eq!(
        config_code(with(&format!("0x{SIGNER}"))),
        "config.bad-value"
    );
    assert_eq!(config_code(with("zz")), "config.bad-value");
    // Hex, but not a digest: the policy's rule on digests says so.
    assert_eq!(config_code(with("00")), "policy.bad-value");
}

#[test]
fn app_signers_bind_to_a_document_as_bytes() {
    let signer = from_hex(SIGNER).unwrap();
    let mut doc = PolicyDocument::from_json(br#"{"id": "acme", "extends": "byod"}"#).unwrap();
    assert_eq!(
        Policy::from_document(doc.clone()).unwrap_err().code(),
        "policy.missing-parameter"
    );
    doc.bind_app_signers(&[&signer]);
    assert_eq!(doc.app_signers, [SIGNER]);
    assert_eq!(Policy::from_document(doc).unwrap().id(), "acme");
    // The same as the preset with the signer.
    assert_eq!(
        Policy::preset(Preset::Byod, &[&signer]).unwrap().id(),
        "byod"
    );
    // Nothing to bind them to is refused, as the document's own member is.
    let mut none = PolicyDocument::from_json(br#"{"id": "p"}"#).unwrap();
    none.bind_app_signers(&[&signer]);
    assert_eq!(
        Policy::from_document(none).unwrap_err().code(),
        "policy.syntax"
    );
}
