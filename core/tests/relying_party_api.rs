//! The relying party's side of the API as issue 13 §6 asks for it: anchors
//! from PEM, a verdict that says whether to allow, the verified claims with
//! the result, texts for logs, and a fresh challenge. Expected texts are
//! written here by hand, from the spec's names.

use mtattest::appraisal::{Action, Failure, Policy, Preset, Reason, Status};
use mtattest::claims::{ClaimsSet, EvidenceSource, PatchLevel};
use mtattest::crypto::{Algorithm, SoftwareSigner};
use mtattest::token::issue;
use mtattest::trust::TrustAnchors;
use mtattest::verifier::{KeySource, Verifier, CHALLENGE_LEN};
use mtattest::UnixTime;
use mtattest_testkit::example_phone;

/// 2026-09-21.
const NOW: i64 = 1_790_000_000;
const DAY: i64 = 86_400;

fn device_key() -> SoftwareSigner {
    SoftwareSigner::from_secret_bytes(Algorithm::Es384, &[0x29; 48]).unwrap()
}

fn phone(challenge: &[u8]) -> ClaimsSet {
    let mut claims = example_phone(NOW, challenge.to_vec());
    // A token id of its own per challenge, so the replay cache tells them
    // apart.
    claims.cti = mtattest::claims::Cti::new(challenge.to_vec()).ok();
    claims
}

fn signer_of(claims: &ClaimsSet) -> Vec<u8> {
    claims.app.as_ref().unwrap().app_signers[0]
        .as_bytes()
        .to_vec()
}

#[test]
fn status_action_and_failure_display_their_spec_names() {
    let shown: Vec<String> = [
        Status::None,
        Status::Affirming,
        Status::Warning,
        Status::Contraindicated,
    ]
    .iter()
    .map(ToString::to_string)
    .collect();
    assert_eq!(shown, ["none", "affirming", "warning", "contraindicated"]);
    let shown: Vec<String> = [Action::Allow, Action::StepUp, Action::Deny]
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(shown, ["allow", "step-up", "deny"]);
    assert_eq!(Failure::WeakSource.to_string(), "weak-source");
}

#[test]
fn a_reason_is_one_line_for_a_log() {
    let mut reason = Reason {
        rule: "os-patch-fresh".into(),
        claim: "submods.os.os-patch-level".into(),
        failure: Failure::Mismatch,
        seen: Some("2024-01-01".into()),
        required: ">= 2025-06-01".into(),
        evidence_source: None,
        effective_source: None,
        min_source: None,
        status: Status::Warning,
        component: None,
        advisory: None,
    };
    assert_eq!(
        reason.to_string(),
        "warning submods.os.os-patch-level: seen 2024-01-01, required >= 2025-06-01 \
         (rule os-patch-fresh, mismatch)"
    );
    reason.seen = None;
    reason.failure = Failure::Missing;
    reason.status = Status::Contraindicated;
    reason.evidence_source = Some(EvidenceSource::Software);
    reason.effective_source = Some(EvidenceSource::Software);
    reason.min_source = Some(EvidenceSource::Hardware);
    assert_eq!(
        reason.to_string(),
        "contraindicated submods.os.os-patch-level: seen (absent), required >= 2025-06-01 \
         (rule os-patch-fresh, missing, source software, min source hardware)"
    );
    reason.failure = Failure::Vulnerable;
    reason.advisory = Some("MTA-2026-0001".into());
    reason.evidence_source = Some(EvidenceSource::Hardware);
    reason.min_source = None;
    assert_eq!(
        reason.to_string(),
        "contraindicated submods.os.os-patch-level: seen (absent), required >= 2025-06-01 \
         (rule os-patch-fresh, vulnerable, advisory MTA-2026-0001, \
         source hardware counted as software)"
    );
}

#[test]
fn only_an_allow_action_is_allowed() {
    let key = device_key();
    let verifier = Verifier::builder(KeySource::Key(key.public_key())).build();
    let now = UnixTime::from_secs(NOW);
    let healthy = phone(b"challenge-healthy");
    let signer = signer_of(&healthy);
    let payment = Policy::preset(Preset::Payment, &[&signer]).unwrap();
    let content = Policy::preset(Preset::Content, &[&signer]).unwrap();
    let verdict = |claims: &ClaimsSet, policy: &Policy| {
        let token = issue(claims, &key).unwrap();
        let nonce = claims.nonce.as_ref().unwrap().as_bytes().to_vec();
        verifier
            .verify_and_appraise(&token, Some(&nonce), policy, now)
            .unwrap()
            .1
    };

    let affirming = verdict(&healthy, &payment);
    assert_eq!(
        (affirming.status, affirming.action),
        (Status::Affirming, Action::Allow)
    );
    assert!(affirming.is_allowed());

    let mut stale = phone(b"challenge-stale-patch");
    stale.os.as_mut().unwrap().os_patch_level = PatchLevel::from_unix_time(NOW - 400 * DAY);
    let step_up = verdict(&stale, &payment);
    assert_eq!(
        (step_up.status, step_up.action),
        (Status::Warning, Action::StepUp)
    );
    assert!(!step_up.is_allowed());
    // The same warning under a policy whose action for it is allow.
    let mut stale_again = phone(b"challenge-stale-again");
    stale_again.os = stale.os.clone();
    let warning_allowed = verdict(&stale_again, &content);
    assert_eq!(
        (warning_allowed.status, warning_allowed.action),
        (Status::Warning, Action::Allow)
    );
    assert!(warning_allowed.is_allowed());

    let mut unlocked = phone(b"challenge-unlocked");
    unlocked.boot.as_mut().unwrap().bootloader_locked = Some(false);
    let denied = verdict(&unlocked, &payment);
    assert_eq!(
        (denied.status, denied.action),
        (Status::Contraindicated, Action::Deny)
    );
    assert!(!denied.is_allowed());

    // No rule gave a verdict: never allowed.
    let empty = Policy::from_json(br#"{"id": "no-rules"}"#).unwrap();
    let nothing = verdict(&phone(b"challenge-no-rules"), &empty);
    assert_eq!(
        (nothing.status, nothing.action),
        (Status::None, Action::Deny)
    );
    assert!(!nothing.is_allowed());
}

#[test]
fn verify_and_appraise_returns_the_verified_claims_with_the_result() {
    let key = device_key();
    let verifier = Verifier::builder(KeySource::Key(key.public_key())).build();
    let claims = phone(b"challenge-claims-back");
    let policy = Policy::preset(Preset::Payment, &[signer_of(&claims)]).unwrap();
    let (verified, result) = verifier
        .verify_and_appraise(
            &issue(&claims, &key).unwrap(),
            Some(b"challenge-claims-back"),
            &policy,
            UnixTime::from_secs(NOW),
        )
        .unwrap();
    assert_eq!(verified.claims(), &claims);
    assert!(verified.nonce_checked());
    assert_eq!(result.status, Status::Affirming);
}

#[test]
fn anchors_from_pem() {
    let root = include_bytes!("../../test-vectors/anchors/root.pem");
    let other = include_bytes!("../../test-vectors/anchors/other-root.pem");
    assert_eq!(TrustAnchors::from_pem(root).unwrap().len(), 1);
    assert_eq!(
        TrustAnchors::from_pem(&[&root[..], &other[..]].concat())
            .unwrap()
            .len(),
        2
    );
    for nothing in [&b""[..], b"  \n", b"no PEM here"] {
        let err = TrustAnchors::from_pem(nothing).unwrap_err();
        assert_eq!(err.code(), "chain.bad-anchor", "{nothing:?}");
    }
    // The same anchor twice is trusted once (spec §10.3).
    let twice = [&root[..], &root[..]].concat();
    assert_eq!(TrustAnchors::from_pem(&twice).unwrap().len(), 1);
}

#[test]
fn challenges_are_fresh_and_of_a_length_the_profile_takes() {
    let challenges: Vec<[u8; CHALLENGE_LEN]> = (0..16)
        .map(|_| mtattest::new_challenge().unwrap())
        .collect();
    assert!((8..=64).contains(&CHALLENGE_LEN));
    for (i, a) in challenges.iter().enumerate() {
        for b in &challenges[i + 1..] {
            assert_ne!(a, b);
        }
    }
}
