//! The `iot` preset (spec §11.3.3) through issue → verify → appraise with
//! the test kit's IoT camera: a device with no app and no runtime layer.
//! Expected verdicts are written from the spec's preset table.

use mtattest::appraisal::{
    Action, AttestationResult, Failure, Policy, PolicyDocument, Preset, Status,
};
use mtattest::claims::{ClaimsSet, DebugStatus, VerifiedBootState};
use mtattest::crypto::{Algorithm, SoftwareSigner};
use mtattest::token::issue;
use mtattest::verifier::{KeySource, Verifier};
use mtattest::UnixTime;
use mtattest_testkit::example_camera;

const NOW: i64 = 1_790_000_000;
const CHALLENGE: &[u8] = b"relying-party-challenge-0042";
const SIGNER: [u8; 32] = [0xab; 32];

fn device_key() -> SoftwareSigner {
    SoftwareSigner::from_secret_bytes(Algorithm::Es384, &[0x17; 48]).expect("key")
}

fn camera() -> ClaimsSet {
    example_camera(NOW - 30, CHALLENGE.to_vec())
}

fn appraise(claims: &ClaimsSet, policy: &Policy) -> AttestationResult {
    let token = issue(claims, &device_key()).expect("issued");
    Verifier::builder(KeySource::Key(device_key().public_key()))
        .build()
        .verify_and_appraise(&token, Some(CHALLENGE), policy, UnixTime(NOW))
        .expect("verified")
        .1
}

fn iot() -> Policy {
    Policy::preset(Preset::Iot, &[] as &[[u8; 32]]).expect("iot needs no app signer")
}

fn failing(r: &AttestationResult) -> Vec<(&str, Failure, Status)> {
    r.reasons
        .iter()
        .map(|x| (x.rule.as_str(), x.failure, x.status))
        .collect()
}

#[test]
fn the_camera_passes_iot() {
    let r = appraise(&camera(), &iot());
    assert_eq!(r.status, Status::Affirming, "{:?}", r.reasons);
    assert_eq!(r.action, Action::Allow);
    assert!(r.reasons.is_empty(), "{:?}", r.reasons);
}

#[test]
fn the_camera_fails_every_phone_preset() {
    for preset in [Preset::Payment, Preset::Byod, Preset::Content] {
        let r = appraise(
            &camera(),
            &Policy::preset(preset, &[SIGNER]).expect("preset"),
        );
        assert_ne!(r.status, Status::Affirming, "{preset:?}");
        assert!(
            failing(&r).contains(&("app-signer", Failure::Missing, Status::Contraindicated)),
            "{preset:?}: {:?}",
            r.reasons
        );
    }
    let r = appraise(
        &camera(),
        &Policy::preset(Preset::Payment, &[SIGNER]).expect("payment"),
    );
    assert_eq!(
        (r.status, r.action),
        (Status::Contraindicated, Action::Deny)
    );
    assert!(failing(&r).contains(&("no-root", Failure::Missing, Status::Contraindicated)));
}

#[test]
fn iot_takes_no_app_signers() {
    let err = Policy::preset(Preset::Iot, &[SIGNER]).unwrap_err();
    assert_eq!(err.code(), "policy.syntax");
    assert_eq!(Preset::from_name("iot"), Some(Preset::Iot));
    let doc = PolicyDocument::from_json(br#"{"id": "cams", "extends": "iot"}"#).expect("doc");
    assert_eq!(Policy::from_document(doc).expect("policy").id(), "cams");
}

#[test]
fn iot_contraindicates_a_missing_identity_unverified_boot_and_debug() {
    let mut anonymous = camera();
    anonymous.ueid = None;
    let r = appraise(&anonymous, &iot());
    assert_eq!(
        (r.status, r.action),
        (Status::Contraindicated, Action::Deny)
    );
    assert_eq!(
        failing(&r),
        [("device-identity", Failure::Missing, Status::Contraindicated)]
    );

    let mut unverified = camera();
    if let Some(boot) = unverified.boot.as_mut() {
        boot.verified_boot_state = Some(VerifiedBootState::Unverified);
    }
    let r = appraise(&unverified, &iot());
    assert_eq!(
        failing(&r),
        [("boot-verified", Failure::Mismatch, Status::Contraindicated)]
    );

    let mut debuggable = camera();
    if let Some(chip) = debuggable.chip.as_mut() {
        chip.dbgstat = Some(DebugStatus::Enabled);
    }
    let r = appraise(&debuggable, &iot());
    assert_eq!(
        failing(&r),
        [("debug-disabled", Failure::Mismatch, Status::Contraindicated)]
    );
}

#[test]
fn iot_steps_up_a_camera_that_did_not_check_for_interception() {
    let mut unchecked = camera();
    unchecked.network = None;
    let r = appraise(&unchecked, &iot());
    assert_eq!((r.status, r.action), (Status::Warning, Action::StepUp));
    assert_eq!(
        failing(&r),
        [("no-tls-interception", Failure::Missing, Status::Warning)]
    );
}
