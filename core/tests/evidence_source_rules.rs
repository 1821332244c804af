//! A rule on `submods.<layer>.evidence-source` compares the layer's
//! effective source (spec §11.4, §14.1 rule 1), like `min-source` does: a
//! software-held key, an unknown key protection or an untrusted boot cannot
//! be talked up by a layer declaring a stronger source.

use mtattest::appraisal::{Failure, Policy, Status};
use mtattest::claims::{ClaimsSet, EvidenceSource, KeySecurityLevel};
use mtattest::crypto::{Algorithm, SoftwareSigner};
use mtattest::token::issue;
use mtattest::verifier::{KeySource, Verifier};
use mtattest::UnixTime;
use mtattest_testkit::example_phone;

const NOW: i64 = 1_790_000_000;

/// (status, failure of the one rule if it failed, its `seen`).
fn appraise(claims: &ClaimsSet, rule: &str) -> (Status, Option<Failure>, Option<String>) {
    let key = SoftwareSigner::from_secret_bytes(Algorithm::Es384, &[0x29; 48]).unwrap();
    let policy = Policy::from_json(
        format!(
            r#"{{"id": "source", "rules": [{{"id": "r", {rule}, "on-fail": "contraindicated"}}]}}"#
        )
        .as_bytes(),
    )
    .unwrap();
    let verifier = Verifier::builder(KeySource::Key(key.public_key())).build();
    let (_, result) = verifier
        .verify_and_appraise(
            &issue(claims, &key).unwrap(),
            None,
            &policy,
            UnixTime::from_secs(NOW),
        )
        .unwrap();
    let reason = result.reasons.first();
    (
        result.status,
        reason.map(|r| r.failure),
        reason.and_then(|r| r.seen.clone()),
    )
}

fn phone() -> ClaimsSet {
    example_phone(NOW - 10, b"challenge-0001".to_vec())
}

const BOOT_HARDWARE: &str = r#""claim": "submods.boot.evidence-source", "at-least": "hardware""#;

#[test]
fn the_example_phone_passes_on_its_declared_sources() {
    // Chip hardware with a StrongBox key, boot hardware, verified and locked.
    for rule in [
        BOOT_HARDWARE,
        r#""claim": "submods.chip.evidence-source", "equals": "hardware""#,
        r#""claim": "submods.os.evidence-source", "at-least": "kernel""#,
        r#""claim": "submods.os.evidence-source", "none-of": ["software"]"#,
    ] {
        assert_eq!(
            appraise(&phone(), rule),
            (Status::Affirming, None, None),
            "{rule}"
        );
    }
}

#[test]
fn a_software_key_makes_every_layer_software() {
    let mut c = phone();
    c.chip.as_mut().unwrap().key_security_level = Some(KeySecurityLevel::Software);
    let weak = |seen: &str| {
        (
            Status::Contraindicated,
            Some(Failure::Mismatch),
            Some(seen.to_string()),
        )
    };
    assert_eq!(
        appraise(&c, BOOT_HARDWARE),
        weak("software (declared hardware)")
    );
    assert_eq!(
        appraise(
            &c,
            r#""claim": "submods.chip.evidence-source", "equals": "hardware""#
        ),
        weak("software (declared hardware)")
    );
    assert_eq!(
        appraise(
            &c,
            r#""claim": "submods.os.evidence-source", "one-of": ["kernel", "hardware"]"#
        ),
        weak("software (declared kernel)")
    );
    // What it is credited with is what a rule sees.
    assert_eq!(
        appraise(
            &c,
            r#""claim": "submods.boot.evidence-source", "equals": "software""#
        ),
        (Status::Affirming, None, None)
    );
}

#[test]
fn without_a_chip_layer_the_key_protection_is_unknown() {
    let mut c = phone();
    c.chip = None;
    assert_eq!(
        appraise(&c, BOOT_HARDWARE),
        (
            Status::Contraindicated,
            Some(Failure::Mismatch),
            Some("software (declared hardware)".into())
        )
    );
}

#[test]
fn a_chip_layer_that_is_not_hardware_sourced_cannot_vouch_for_the_key() {
    let mut c = phone();
    c.chip.as_mut().unwrap().evidence_source = EvidenceSource::Software;
    assert_eq!(appraise(&c, BOOT_HARDWARE).0, Status::Contraindicated);
}

#[test]
fn kernel_counts_as_kernel_only_after_a_trusted_boot() {
    let mut c = phone();
    c.boot.as_mut().unwrap().bootloader_locked = Some(false);
    assert_eq!(
        appraise(
            &c,
            r#""claim": "submods.os.evidence-source", "at-least": "kernel""#
        ),
        (
            Status::Contraindicated,
            Some(Failure::Mismatch),
            Some("software (declared kernel)".into())
        )
    );
}
