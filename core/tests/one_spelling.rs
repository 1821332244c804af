//! The relying party's documents have one spelling: a struct is a JSON
//! object or a TOML table, never the array of its fields in order (which
//! serde's derived readers also accept). Each case pairs the refused array
//! form with the accepted object form of the same document, so the test
//! fails if either reading changes.

use mtattest::appraisal::{Bulletin, Policy};
use mtattest::config::VerifierConfig;
use mtattest::trust::StatusList;

fn code(result: Result<impl std::fmt::Debug, mtattest::Error>) -> &'static str {
    result.expect_err("the array form is refused").code()
}

#[test]
fn a_policy_is_an_object() {
    assert!(Policy::from_json(br#"{"id": "positional-id"}"#).is_ok());
    assert_eq!(
        code(Policy::from_json(br#"["positional-id"]"#)),
        "policy.syntax"
    );
}

#[test]
fn a_policy_rule_is_an_object() {
    let object = br#"{"id": "p", "rules": [{"id": "r", "claim": "submods.boot.bootloader-locked",
        "equals": true, "on-fail": "contraindicated"}]}"#;
    assert!(Policy::from_json(object).is_ok());
    // id, claim, equals, then the other nine checks absent, then on-fail.
    let array = br#"{"id": "p", "rules": [["r", "submods.boot.bootloader-locked", true,
        null, null, null, null, null, null, null, null, null, "contraindicated"]]}"#;
    assert_eq!(code(Policy::from_json(array)), "policy.syntax");
}

#[test]
fn a_toml_policy_is_tables() {
    assert!(Policy::from_toml("id = \"p\"\n").is_ok());
    let array = "id = \"p\"\nrules = [[\"r\", \"submods.boot.bootloader-locked\", true, \
        [], [], \"x\", \"x\", 1, 1, true, true, \"software\", \"contraindicated\"]]\n";
    assert_eq!(code(Policy::from_toml(array)), "policy.syntax");
}

#[test]
fn a_bulletin_is_an_object() {
    assert!(Bulletin::from_json(br#"{"advisories": []}"#).is_ok());
    assert_eq!(
        code(Bulletin::from_json(br#"[null, null, []]"#)),
        "bulletin.syntax"
    );
}

#[test]
fn a_status_list_is_an_object() {
    assert!(StatusList::from_json(br#"{"entries": {}}"#).is_ok());
    assert_eq!(
        code(StatusList::from_json(br#"[{}]"#)),
        "chain.bad-revocation-data"
    );
}

#[test]
fn a_verifier_configuration_is_tables() {
    assert!(VerifierConfig::from_json(br#"{"limits": {}}"#).is_ok());
    assert_eq!(
        code(VerifierConfig::from_json(br#"{"limits": [8192]}"#)),
        "config.syntax"
    );
    assert_eq!(
        code(VerifierConfig::from_toml("limits = [8192]\n")),
        "config.syntax"
    );
}
