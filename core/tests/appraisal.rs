//! Appraisal end to end: tokens issued for a healthy phone and for phones
//! with one defect each go through one configured verifier and each preset;
//! every defect must give exactly its expected status and reasons.

use mtattest::appraisal::{Action, AttestationResult, Bulletin, Failure, Policy, Preset, Status};
use mtattest::claims::keys::detection;
use mtattest::claims::{ClaimsSet, Digest, EvidenceSource, Layer, MeasResult, PatchLevel};
use mtattest::crypto::{Algorithm, SoftwareSigner};
use mtattest::token::issue;
use mtattest::verifier::{KeySource, Verifier};
use mtattest::UnixTime;
use mtattest_testkit::example_phone;

/// 2026-09-21T...Z.
const NOW: i64 = 1_790_000_000;
const DAY: i64 = 86_400;
const CHALLENGE: &[u8] = b"relying-party-challenge-0042";

fn device_key() -> SoftwareSigner {
    SoftwareSigner::from_secret_bytes(Algorithm::Es384, &[0x17; 48]).unwrap()
}

fn healthy() -> ClaimsSet {
    example_phone(NOW, CHALLENGE.to_vec())
}

/// The relying party's app signer: the one the example phone reports.
fn app_signer() -> Vec<u8> {
    healthy().app.unwrap().app_signers[0].as_bytes().to_vec()
}

fn policy(preset: Preset) -> Policy {
    if preset.pins_app() {
        Policy::preset(preset, &[app_signer()]).unwrap()
    } else {
        Policy::preset(preset, &[] as &[Vec<u8>]).unwrap()
    }
}

fn verifier(bulletin: Option<Bulletin>) -> Verifier {
    let mut b = Verifier::builder(KeySource::Key(device_key().public_key()));
    if let Some(feed) = bulletin {
        b = b.bulletin(feed);
    }
    b.build()
}

fn appraise_with(
    claims: &ClaimsSet,
    policy: &Policy,
    bulletin: Option<Bulletin>,
) -> AttestationResult {
    let token = issue(claims, &device_key()).unwrap();
    verifier(bulletin)
        .verify_and_appraise(&token, Some(CHALLENGE), policy, UnixTime(NOW))
        .unwrap()
        .1
}

/// Overall status is the worst of every layer and reason, never better.
fn assert_consistent(r: &AttestationResult) {
    let worst_layer = r
        .layers
        .iter()
        .map(|l| l.status)
        .max()
        .unwrap_or(Status::None);
    let worst_reason = r
        .reasons
        .iter()
        .map(|x| x.status)
        .max()
        .unwrap_or(Status::None);
    assert!(r.status >= worst_layer, "{r:?}");
    assert!(r.status >= worst_reason, "{r:?}");
    if !r.reasons.is_empty() {
        assert_eq!(r.status, worst_reason);
    }
    for l in &r.layers {
        let worst_in_layer = r
            .reasons_for(Some(l.layer))
            .map(|x| x.status)
            .max()
            .unwrap_or(Status::Affirming);
        assert_eq!(l.status, worst_in_layer, "{:?}", l.layer);
    }
}

#[derive(Debug, Clone, Copy)]
struct Expected {
    rule: &'static str,
    claim: &'static str,
    failure: Failure,
    seen: Option<&'static str>,
}

fn check(r: &AttestationResult, status: Status, expected: &[Expected], label: &str) {
    assert_consistent(r);
    assert_eq!(r.status, status, "{label}: {:#?}", r.reasons);
    let got: Vec<(&str, &str, Failure, Option<&str>, Status)> = r
        .reasons
        .iter()
        .map(|x| {
            (
                x.rule.as_str(),
                x.claim.as_str(),
                x.failure,
                x.seen.as_deref(),
                x.status,
            )
        })
        .collect();
    let want: Vec<(&str, &str, Failure, Option<&str>, Status)> = expected
        .iter()
        .map(|e| (e.rule, e.claim, e.failure, e.seen, status))
        .collect();
    assert_eq!(got, want, "{label}");
}

#[test]
fn every_preset_affirms_a_healthy_phone() {
    for preset in Preset::ALL {
        let r = appraise_with(&healthy(), &policy(preset), None);
        check(&r, Status::Affirming, &[], preset.name());
        assert_eq!(r.action, Action::Allow);
        assert_eq!(r.policy_id, preset.name());
        assert_eq!(r.nonce.as_deref(), Some(CHALLENGE));
        // Every layer the preset looks at is there and affirming.
        for layer in [
            Layer::Chip,
            Layer::Boot,
            Layer::Os,
            Layer::App,
            Layer::Runtime,
        ] {
            if policy(preset)
                .rules()
                .iter()
                .any(|rule| rule.layer() == Some(layer))
            {
                assert_eq!(r.layer(layer).map(|l| l.status), Some(Status::Affirming));
            }
        }
    }
}

fn unlocked_bootloader(c: &mut ClaimsSet) {
    c.boot.as_mut().unwrap().bootloader_locked = Some(false);
}

fn stale_patch(c: &mut ClaimsSet) {
    c.os.as_mut().unwrap().os_patch_level = PatchLevel::from_unix_time(NOW - 400 * DAY);
}

fn root_detected(c: &mut ClaimsSet) {
    c.runtime
        .as_mut()
        .unwrap()
        .set_detection(detection::ROOT, MeasResult::Fail);
}

fn root_check_not_run(c: &mut ClaimsSet) {
    c.runtime
        .as_mut()
        .unwrap()
        .set_detection(detection::ROOT, MeasResult::NotRun);
}

fn software_boot_evidence(c: &mut ClaimsSet) {
    c.boot.as_mut().unwrap().evidence_source = EvidenceSource::Software;
}

const OTHER_SIGNER: [u8; 32] = [0x5a; 32];

fn unknown_app_signer(c: &mut ClaimsSet) {
    c.app.as_mut().unwrap().app_signers = vec![Digest::from(OTHER_SIGNER)];
}

fn stale_patch_text() -> String {
    let p = PatchLevel::from_unix_time(NOW - 400 * DAY).unwrap();
    format!("{p} (400 days old)")
}

#[test]
fn single_defects_give_exactly_their_reasons() {
    use Failure::*;
    const C: Status = Status::Contraindicated;
    const W: Status = Status::Warning;
    let stale = stale_patch_text();
    let stale: &'static str = Box::leak(stale.into_boxed_str());
    let other_signer: &'static str = Box::leak(
        OTHER_SIGNER
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
            .into_boxed_str(),
    );
    let locked = Expected {
        rule: "bootloader-locked",
        claim: "submods.boot.bootloader-locked",
        failure: Mismatch,
        seen: Some("false"),
    };
    let patch = Expected {
        rule: "os-patch",
        claim: "submods.os.os-patch-level",
        failure: Mismatch,
        seen: Some(stale),
    };
    let root = |seen| Expected {
        rule: "no-root",
        claim: "submods.runtime.measres.root",
        failure: Mismatch,
        seen: Some(seen),
    };
    let weak_boot = [
        Expected {
            rule: "boot-verified",
            claim: "submods.boot.verified-boot-state",
            failure: WeakSource,
            seen: Some("verified"),
        },
        Expected {
            rule: "bootloader-locked",
            claim: "submods.boot.bootloader-locked",
            failure: WeakSource,
            seen: Some("true"),
        },
    ];
    let signer = Expected {
        rule: "app-signer",
        claim: "submods.app.app-signers",
        failure: Mismatch,
        seen: Some(other_signer),
    };

    type Defect = fn(&mut ClaimsSet);
    // (defect, [payment, byod, content] expected status, expected reasons)
    let cases: Vec<(&str, Defect, [Status; 3], Vec<Expected>)> = vec![
        (
            "unlocked bootloader",
            unlocked_bootloader,
            [C, C, W],
            vec![locked],
        ),
        ("stale patch", stale_patch, [W, W, W], vec![patch]),
        (
            "root detected",
            root_detected,
            [C, C, C],
            vec![root("fail")],
        ),
        (
            "root check not run",
            root_check_not_run,
            [C, C, C],
            vec![root("not-run")],
        ),
        (
            "software boot evidence",
            software_boot_evidence,
            [C, C, W],
            weak_boot.to_vec(),
        ),
        (
            "unknown app signer",
            unknown_app_signer,
            [C, C, C],
            vec![signer],
        ),
    ];
    for (name, defect, statuses, reasons) in cases {
        for (preset, status) in Preset::ALL.into_iter().zip(statuses) {
            let mut claims = healthy();
            defect(&mut claims);
            let r = appraise_with(&claims, &policy(preset), None);
            check(&r, status, &reasons, &format!("{name} / {}", preset.name()));
            let action = policy(preset).actions().for_status(status);
            assert_eq!(r.action, action, "{name} / {}", preset.name());
        }
    }
}

fn patch_of(c: &ClaimsSet) -> PatchLevel {
    c.os.as_ref().unwrap().os_patch_level.unwrap()
}

fn feed(severity: &str, before: &str) -> Bulletin {
    Bulletin::from_json(
        format!(
            r#"{{"feed": "test", "advisories": [
              {{"id": "MSA-TEST-1", "severity": "{severity}", "models": ["MT-Phone 7 Pro"],
                "patch-level": {{"claim": "os-patch-level", "before": {before}}}}},
              {{"id": "MSA-TEST-2", "severity": "critical", "models": ["Another Phone"]}}
            ]}}"#
        )
        .as_bytes(),
    )
    .unwrap()
}

#[test]
fn vulnerable_firmware_per_bulletin() {
    let p = patch_of(&healthy());
    // Fixed the day after the phone's patch level: the phone is affected.
    let affected_before = format!("{:04}{:02}{:02}", p.year(), p.month(), p.day() + 1);
    let seen: &'static str = Box::leak(format!("{p}").into_boxed_str());
    for preset in Preset::ALL {
        let r = appraise_with(
            &healthy(),
            &policy(preset),
            Some(feed("high", &affected_before)),
        );
        check(
            &r,
            Status::Contraindicated,
            &[Expected {
                rule: "bulletin",
                claim: "submods.os.os-patch-level",
                failure: Failure::Vulnerable,
                seen: Some(seen),
            }],
            preset.name(),
        );
        let reason = &r.reasons[0];
        assert_eq!(reason.advisory.as_deref(), Some("MSA-TEST-1"));
        assert_eq!(
            reason.component,
            Some(mtattest::appraisal::Component::Configuration)
        );
        assert_eq!(
            r.trust_vector
                .get(mtattest::appraisal::Component::Configuration),
            Some(96)
        );
        assert_eq!(
            r.layer(Layer::Os).map(|l| l.status),
            Some(Status::Contraindicated)
        );

        // A medium advisory only warns.
        let r = appraise_with(
            &healthy(),
            &policy(preset),
            Some(feed("medium", &affected_before)),
        );
        assert_eq!(r.status, Status::Warning);
        assert_eq!(r.reasons.len(), 1);
        assert_eq!(
            r.trust_vector
                .get(mtattest::appraisal::Component::Configuration),
            Some(32)
        );

        // Patched on the fix date: not affected, configuration affirmed.
        // A month-only level is before the month's first day.
        let fixed_on = format!("{:04}{:02}{:02}", p.year(), p.month(), p.day().max(1));
        let r = appraise_with(&healthy(), &policy(preset), Some(feed("high", &fixed_on)));
        check(&r, Status::Affirming, &[], preset.name());
    }
}

#[test]
fn software_only_chip_caps_every_layer() {
    // The key's protection is the ceiling: a software-sourced chip layer makes
    // the hardware-sourced boot layer count as software too.
    let mut claims = healthy();
    claims.chip.as_mut().unwrap().evidence_source = EvidenceSource::Software;
    let r = appraise_with(&claims, &policy(Preset::Payment), None);
    let rules: Vec<(&str, Failure)> = r
        .reasons
        .iter()
        .map(|x| (x.rule.as_str(), x.failure))
        .collect();
    assert_eq!(
        rules,
        [
            ("key-level", Failure::WeakSource),
            ("boot-verified", Failure::WeakSource),
            ("bootloader-locked", Failure::WeakSource),
        ]
    );
    let boot = &r.reasons[1];
    assert_eq!(boot.evidence_source, Some(EvidenceSource::Hardware));
    assert_eq!(boot.effective_source, Some(EvidenceSource::Software));
    assert_eq!(boot.min_source, Some(EvidenceSource::Hardware));
}

#[test]
fn a_tee_key_level_passes_at_least_tee_and_software_does_not() {
    let mut tee = healthy();
    tee.chip.as_mut().unwrap().key_security_level = Some(mtattest::claims::KeySecurityLevel::Tee);
    assert_eq!(
        appraise_with(&tee, &policy(Preset::Payment), None).status,
        Status::Affirming
    );
    let mut soft = healthy();
    soft.chip.as_mut().unwrap().key_security_level =
        Some(mtattest::claims::KeySecurityLevel::Software);
    let r = appraise_with(&soft, &policy(Preset::Payment), None);
    assert_eq!(r.status, Status::Contraindicated);
    let first = &r.reasons[0];
    assert_eq!(
        (first.rule.as_str(), first.failure),
        ("key-level", Failure::Mismatch)
    );
    assert_eq!(first.required, ">= tee");
}

#[test]
fn absent_claims_and_layers_fail_closed() {
    let mut claims = healthy();
    claims.runtime = None;
    let r = appraise_with(&claims, &policy(Preset::Payment), None);
    assert_eq!(r.status, Status::Contraindicated);
    let runtime: Vec<(&str, Failure, Option<&str>)> = r
        .reasons_for(Some(Layer::Runtime))
        .map(|x| (x.rule.as_str(), x.failure, x.seen.as_deref()))
        .collect();
    assert_eq!(
        runtime,
        [
            ("no-root", Failure::Missing, None),
            ("no-hooking", Failure::Missing, None),
            ("no-debugger", Failure::Missing, None),
            ("no-emulator", Failure::Missing, None),
            ("no-malware", Failure::Missing, None),
        ]
    );
    assert_eq!(
        r.layer(Layer::Runtime).map(|l| l.status),
        Some(Status::Contraindicated)
    );
}

#[test]
fn nonce_bound_policy_needs_a_checked_nonce() {
    let token = issue(&healthy(), &device_key()).unwrap();
    let v = verifier(None);
    // Verified without a challenge: the payment preset refuses the result.
    let r = v
        .verify_and_appraise(&token, None, &policy(Preset::Payment), UnixTime(NOW))
        .unwrap()
        .1;
    assert_eq!(r.status, Status::Contraindicated);
    assert_eq!(r.reasons.len(), 1);
    assert_eq!(r.reasons[0].rule, "nonce-bound");
    assert_eq!(r.reasons[0].layer(), None);
    // Content access does not require a nonce. (A new token: the first
    // one's cti is in the replay cache now.)
    let mut other = example_phone(NOW, b"other-challenge".to_vec());
    other.cti = Some(mtattest::claims::Cti::new(*b"another token id").unwrap());
    let token = issue(&other, &device_key()).unwrap();
    let r = v
        .verify_and_appraise(&token, None, &policy(Preset::Content), UnixTime(NOW))
        .unwrap()
        .1;
    assert_eq!(r.status, Status::Affirming);
}

#[test]
fn token_age_rule_is_judged_at_appraisal_time() {
    let token = issue(&healthy(), &device_key()).unwrap();
    let v = Verifier::builder(KeySource::Key(device_key().public_key()))
        .max_token_age(3600)
        .build();
    let verified = v
        .verify(&token, Some(CHALLENGE), UnixTime(NOW + 200))
        .unwrap();
    let payment = policy(Preset::Payment);
    assert_eq!(
        v.appraise(&verified, &payment, UnixTime(NOW + 300)).status,
        Status::Affirming
    );
    let late = v.appraise(&verified, &payment, UnixTime(NOW + 301));
    assert_eq!(late.status, Status::Contraindicated);
    assert_eq!(late.reasons[0].rule, "fresh");
    assert_eq!(
        late.reasons[0].seen.as_deref(),
        Some("1790000000 (301 s old)")
    );
}

#[test]
fn overridden_preset_changes_behaviour() {
    let signer: String = app_signer().iter().map(|b| format!("{b:02x}")).collect();
    let strict = Policy::from_json(
        format!(
            r#"{{"extends": "payment", "id": "acme-pay", "app-signers": ["{signer}"],
                "remove-rules": ["no-emulator"],
                "rules": [
                  {{"id": "os-patch", "claim": "submods.os.os-patch-level",
                    "max-age-days": 10, "on-fail": "contraindicated"}},
                  {{"id": "model", "claim": "hwmodel", "one-of": ["MT-Phone 8"],
                    "on-fail": "warning"}}
                ],
                "actions": {{"warning": "deny"}}}}"#
        )
        .as_bytes(),
    )
    .unwrap();
    assert_eq!(strict.id(), "acme-pay");
    assert!(strict.rule("no-emulator").is_none());
    // The replaced rule keeps its place.
    let ids: Vec<&str> = strict.rules().iter().map(|r| r.id()).collect();
    let payment = policy(Preset::Payment);
    let preset_ids: Vec<&str> = payment.rules().iter().map(|r| r.id()).collect();
    assert_eq!(
        ids.iter().position(|i| *i == "os-patch"),
        preset_ids.iter().position(|i| *i == "os-patch")
    );
    assert_eq!(ids.last(), Some(&"model"));

    // The example phone's OS patch is 20 days old: fine for the preset,
    // contraindicated under the override; its model is not allowed.
    let mut emulator = healthy();
    emulator
        .runtime
        .as_mut()
        .unwrap()
        .set_detection(detection::EMULATOR, MeasResult::Fail);
    let r = appraise_with(&emulator, &strict, None);
    let rules: Vec<&str> = r.reasons.iter().map(|x| x.rule.as_str()).collect();
    assert_eq!(rules, ["model", "os-patch"]);
    assert_eq!(r.reasons_for(None).count(), 1);
    assert_eq!(r.status, Status::Contraindicated);
    assert_eq!(
        appraise_with(&healthy(), &policy(Preset::Payment), None).status,
        Status::Affirming
    );

    // Warning now denies.
    let lenient = Policy::from_json(
        format!(
            r#"{{"extends": "byod", "app-signers": ["{signer}"],
                "actions": {{"warning": "deny"}}}}"#
        )
        .as_bytes(),
    )
    .unwrap();
    let mut stale = healthy();
    stale_patch(&mut stale);
    let r = appraise_with(&stale, &lenient, None);
    assert_eq!((r.status, r.action), (Status::Warning, Action::Deny));
}

#[test]
fn json_and_toml_documents_load_to_the_same_policy() {
    let signer: String = app_signer().iter().map(|b| format!("{b:02x}")).collect();
    let json = format!(
        r#"{{"extends": "content", "id": "movies", "app-signers": ["{signer}"],
            "rules": [{{"id": "storage", "claim": "submods.os.storage-encryption",
                        "at-least": "hardware-key", "on-fail": "warning",
                        "component": "storage-opaque"}}],
            "bulletin": {{"contraindicated-at": "critical", "warning-at": "medium"}}}}"#
    );
    let toml = format!(
        r#"
        extends = "content"
        id = "movies"
        app-signers = ["{signer}"]
        bulletin = {{ contraindicated-at = "critical", warning-at = "medium" }}

        [[rules]]
        id = "storage"
        claim = "submods.os.storage-encryption"
        at-least = "hardware-key"
        on-fail = "warning"
        component = "storage-opaque"
        "#
    );
    let a = Policy::from_json(json.as_bytes()).unwrap();
    let b = Policy::from_toml(&toml).unwrap();
    assert_eq!(a.to_json(), b.to_json());
    // The self-contained form loads back to the same policy.
    let c = Policy::from_json(a.to_json().as_bytes()).unwrap();
    assert_eq!(c.to_json(), a.to_json());
    // Bulletin settings apply: a high advisory only warns under this policy.
    let p = patch_of(&healthy());
    let before = format!("{:04}{:02}{:02}", p.year(), p.month(), p.day() + 1);
    let r = appraise_with(&healthy(), &a, Some(feed("high", &before)));
    assert_eq!(r.status, Status::Warning);
}

#[test]
fn allowed_models_rule() {
    let signer: String = app_signer().iter().map(|b| format!("{b:02x}")).collect();
    let doc = |models: &str| {
        Policy::from_json(
            format!(
                r#"{{"id": "fleet", "app-signers": ["{signer}"], "rules": [
                    {{"id": "app-signer", "claim": "submods.app.app-signers", "one-of": [], "on-fail": "contraindicated"}},
                    {{"id": "model", "claim": "hwmodel", "one-of": {models}, "on-fail": "contraindicated"}}]}}"#
            )
            .as_bytes(),
        )
        .unwrap()
    };
    let ok = appraise_with(
        &healthy(),
        &doc(r#"["MT-Phone 6", "MT-Phone 7 Pro"]"#),
        None,
    );
    assert_eq!(ok.status, Status::Affirming);
    let no = appraise_with(&healthy(), &doc(r#"["MT-Phone 6"]"#), None);
    assert_eq!(no.status, Status::Contraindicated);
    let reason = &no.reasons[0];
    assert_eq!(
        (
            reason.claim.as_str(),
            reason.seen.as_deref(),
            reason.required.as_str()
        ),
        ("hwmodel", Some("MT-Phone 7 Pro"), "one of: MT-Phone 6")
    );
    assert_eq!(reason.evidence_source, None);
}
