//! The network layer through issue → verify → appraise (spec §11.3.3): the
//! presets' network rules, their reasons (rule, claim, seen, required,
//! component) and what a token without the layer gets. Expected values are
//! written from the spec's preset table.

use mtattest::appraisal::{
    Action, AttestationResult, Component, Failure, Policy, Preset, Reason, Status,
};
use mtattest::claims::{ClaimsSet, MeasResult};
use mtattest::crypto::{Algorithm, SoftwareSigner};
use mtattest::token::issue;
use mtattest::verifier::{KeySource, Verifier};
use mtattest::UnixTime;
use mtattest_testkit::{example_phone, intercepted_phone};

const NOW: i64 = 1_790_000_000;
const CHALLENGE: &[u8] = b"relying-party-challenge-0042";

fn device_key() -> SoftwareSigner {
    SoftwareSigner::from_secret_bytes(Algorithm::Es384, &[0x17; 48]).expect("key")
}

fn app_signer() -> Vec<u8> {
    let phone = example_phone(NOW, CHALLENGE.to_vec());
    phone.app.expect("app").app_signers[0].as_bytes().to_vec()
}

fn appraise(claims: &ClaimsSet, preset: Preset) -> AttestationResult {
    let policy = Policy::preset(preset, &[app_signer()]).expect("preset");
    appraise_with(claims, &policy)
}

fn appraise_with(claims: &ClaimsSet, policy: &Policy) -> AttestationResult {
    let token = issue(claims, &device_key()).expect("issued");
    Verifier::builder(KeySource::Key(device_key().public_key()))
        .build()
        .verify_and_appraise(&token, Some(CHALLENGE), policy, UnixTime(NOW))
        .expect("verified")
        .1
}

/// A reason as (rule, claim, failure, seen, required, status).
type ReasonRow<'a> = (&'a str, &'a str, Failure, Option<&'a str>, &'a str, Status);

fn reasons(r: &AttestationResult) -> Vec<ReasonRow<'_>> {
    r.reasons
        .iter()
        .map(|x: &Reason| {
            (
                x.rule.as_str(),
                x.claim.as_str(),
                x.failure,
                x.seen.as_deref(),
                x.required.as_str(),
                x.status,
            )
        })
        .collect()
}

fn intercepted() -> ClaimsSet {
    intercepted_phone(NOW, CHALLENGE.to_vec())
}

#[test]
fn the_healthy_phone_is_affirmed_by_every_preset() {
    let phone = example_phone(NOW, CHALLENGE.to_vec());
    for preset in [Preset::Payment, Preset::Byod, Preset::Content] {
        let r = appraise(&phone, preset);
        assert_eq!(r.status, Status::Affirming, "{preset:?}: {:?}", r.reasons);
    }
}

#[test]
fn payment_contraindicates_interception_and_warns_of_proxy_and_user_cas() {
    let r = appraise(&intercepted(), Preset::Payment);
    assert_eq!(r.status, Status::Contraindicated);
    assert_eq!(
        reasons(&r),
        [
            (
                "no-tls-interception",
                "submods.network.measres.tls-interception",
                Failure::Mismatch,
                Some("fail"),
                "success",
                Status::Contraindicated,
            ),
            (
                "no-proxy",
                "submods.network.proxy",
                Failure::Mismatch,
                Some("true"),
                "false",
                Status::Warning,
            ),
            (
                "no-user-ca",
                "submods.network.user-ca-certificates",
                Failure::Mismatch,
                Some("1"),
                "<= 0",
                Status::Warning,
            ),
        ]
    );
    let components: Vec<_> = r.reasons.iter().map(|x| x.component).collect();
    assert_eq!(
        components,
        [
            Some(Component::RuntimeOpaque),
            Some(Component::Configuration),
            Some(Component::Configuration),
        ]
    );
}

#[test]
fn byod_holds_only_interception_against_the_phone() {
    let r = appraise(&intercepted(), Preset::Byod);
    assert_eq!(r.status, Status::Contraindicated);
    let rules: Vec<_> = r.reasons.iter().map(|x| x.rule.as_str()).collect();
    assert_eq!(rules, ["no-tls-interception"]);
}

#[test]
fn content_denies_interception_and_warns_of_a_vpn() {
    let r = appraise(&intercepted(), Preset::Content);
    assert_eq!(r.status, Status::Contraindicated);
    let rules: Vec<_> = r.reasons.iter().map(|x| x.rule.as_str()).collect();
    assert_eq!(rules, ["no-tls-interception"]);

    let mut on_vpn = example_phone(NOW, CHALLENGE.to_vec());
    on_vpn.network.as_mut().expect("network").vpn = Some(true);
    let r = appraise(&on_vpn, Preset::Content);
    assert_eq!(r.status, Status::Warning);
    assert_eq!(
        reasons(&r),
        [(
            "no-vpn",
            "submods.network.vpn",
            Failure::Mismatch,
            Some("true"),
            "false",
            Status::Warning,
        )]
    );
}

#[test]
fn an_interception_check_not_run_is_not_clean() {
    let mut phone = example_phone(NOW, CHALLENGE.to_vec());
    phone
        .network
        .as_mut()
        .expect("network")
        .set_detection("tls-interception", MeasResult::NotRun);
    let r = appraise(&phone, Preset::Payment);
    assert_eq!(r.status, Status::Contraindicated);
    assert_eq!(
        reasons(&r),
        [(
            "no-tls-interception",
            "submods.network.measres.tls-interception",
            Failure::Mismatch,
            Some("not-run"),
            "success",
            Status::Contraindicated,
        )]
    );
}

#[test]
fn a_token_without_the_network_layer_fails_the_network_rules_as_missing() {
    // Not reported is never affirmed, but it is not a finding either: the
    // interception rule's `on-missing` is warning (spec §11.3.3), so the
    // payment preset steps the device up instead of denying it.
    let mut phone = example_phone(NOW, CHALLENGE.to_vec());
    phone.network = None;
    let r = appraise(&phone, Preset::Payment);
    assert_eq!(r.status, Status::Warning);
    assert_eq!(r.action, Action::StepUp);
    let got: Vec<_> = r
        .reasons
        .iter()
        .map(|x| (x.rule.as_str(), x.failure, x.seen.as_deref(), x.status))
        .collect();
    assert_eq!(
        got,
        [
            (
                "no-tls-interception",
                Failure::Missing,
                None,
                Status::Warning
            ),
            ("no-proxy", Failure::Missing, None, Status::Warning),
            ("no-user-ca", Failure::Missing, None, Status::Warning),
        ]
    );
}

#[test]
fn policies_can_name_every_network_claim() {
    let doc = r#"{
      "id": "network-all",
      "rules": [
        { "id": "c", "claim": "submods.network.connection", "one-of": ["cellular", "wifi"], "on-fail": "warning" },
        { "id": "w", "claim": "submods.network.wifi-security", "none-of": ["open", "wep"], "on-fail": "warning" },
        { "id": "p", "claim": "submods.network.proxy", "equals": false, "on-fail": "warning" },
        { "id": "v", "claim": "submods.network.vpn", "equals": false, "on-fail": "warning" },
        { "id": "d", "claim": "submods.network.private-dns", "equals": true, "on-fail": "warning" },
        { "id": "u", "claim": "submods.network.user-ca-certificates", "at-most": 0, "on-fail": "warning" },
        { "id": "t", "claim": "submods.network.measres.tls-interception", "equals": "success", "on-fail": "contraindicated" },
        { "id": "n", "claim": "submods.network.measres.dns-tampering", "equals": "success", "on-fail": "contraindicated" }
      ],
      "actions": { "affirming": "allow", "warning": "step-up", "contraindicated": "deny", "none": "deny" }
    }"#;
    let policy = Policy::from_json(doc.as_bytes()).expect("a valid policy");
    let r = appraise_with(&intercepted(), &policy);
    let failed: Vec<_> = r
        .reasons
        .iter()
        .map(|x| (x.rule.as_str(), x.seen.as_deref()))
        .collect();
    assert_eq!(
        failed,
        [
            ("w", Some("open")),
            ("p", Some("true")),
            ("d", Some("false")),
            ("u", Some("1")),
            ("t", Some("fail")),
        ]
    );
    // A value outside a set is refused when the policy loads.
    let bad = doc.replace("[\"open\", \"wep\"]", "[\"wpa4\"]");
    assert_eq!(
        Policy::from_json(bad.as_bytes())
            .expect_err("loaded")
            .code(),
        "policy.bad-value"
    );
}

#[test]
fn on_missing_sets_the_status_of_an_absent_claim_only() {
    let doc = |on_missing: &str| {
        format!(
            r#"{{"id": "interception", "rules": [
              {{ "id": "t", "claim": "submods.network.measres.tls-interception",
                 "equals": "success", "on-fail": "contraindicated"{on_missing} }}]}}"#
        )
    };
    let status = |policy: &str, claims: &ClaimsSet| {
        let policy = Policy::from_json(policy.as_bytes()).expect("policy");
        let r = appraise_with(claims, &policy);
        r.reasons.first().map(|r| (r.failure, r.status))
    };
    let mut absent = example_phone(NOW, CHALLENGE.to_vec());
    absent.network = None;
    let seen = intercepted();
    let with = doc(r#", "on-missing": "warning""#);
    assert_eq!(
        status(&with, &absent),
        Some((Failure::Missing, Status::Warning))
    );
    assert_eq!(
        status(&with, &seen),
        Some((Failure::Mismatch, Status::Contraindicated))
    );
    // Without it, absence counts as much as a finding.
    let without = doc("");
    assert_eq!(
        status(&without, &absent),
        Some((Failure::Missing, Status::Contraindicated))
    );
    // It is a severity: nothing else (in particular nothing that passes).
    for bad in [
        r#", "on-missing": "ignore""#,
        r#", "on-missing": "affirming""#,
    ] {
        assert!(Policy::from_json(doc(bad).as_bytes()).is_err(), "{bad}");
    }
}
