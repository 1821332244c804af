//! Tokens signed by an Android attested key (spec §17), on the synthetic
//! Android PKI (the real chains' private keys are unknown): the binding of
//! every claim the KeyDescription states, the challenge modes, the attacks
//! Google's verifier refuses, revocation, and the relaxed checks that hold
//! only under an Android anchor.

use mtattest::android::{AndroidSettings, AttestationRules, ChallengeMode, SecurityLevel};
use mtattest::appraisal::{Failure, Policy, Preset, Status};
use mtattest::claims::{
    ClaimsSet, Digest, EvidenceSource, KeySecurityLevel, PatchLevel, VerifiedBootState,
};
use mtattest::trust::{ChainVerifier, Revocation, Status as RevStatus, StatusList, TrustAnchors};
use mtattest::verifier::{KeySource, Verifier};
use mtattest::UnixTime;
use mtattest_testkit::android::{AndroidTestPki, AttestedDevice};
use mtattest_testkit::example_phone;
use mtattest_testkit::pki::{CertSpec, Deviation};

const NOW: i64 = 1_767_400_000; // 2026-01-03
const NONCE: &[u8] = b"per-token-challenge-0001";

/// Claims that agree with [`AttestedDevice::strongbox`], every layer
/// declaring itself software-sourced.
fn agreeing_claims(nonce: &[u8]) -> ClaimsSet {
    let mut c = example_phone(NOW - 10, nonce.to_vec());
    let chip = c.chip.as_mut().unwrap();
    chip.evidence_source = EvidenceSource::Software;
    chip.key_security_level = Some(KeySecurityLevel::StrongBox);
    let boot = c.boot.as_mut().unwrap();
    boot.evidence_source = EvidenceSource::Software;
    boot.verified_boot_state = Some(VerifiedBootState::Verified);
    boot.bootloader_locked = Some(true);
    boot.boot_key_digest = Some(Digest::from([0x11; 32]));
    boot.boot_image_digest = Some(Digest::from([0x22; 32]));
    boot.boot_patch_level = Some(PatchLevel::new(20_260_105).unwrap());
    let os = c.os.as_mut().unwrap();
    os.evidence_source = EvidenceSource::Software;
    os.os_patch_level = Some(PatchLevel::new(20_260_101).unwrap());
    os.vendor_patch_level = Some(PatchLevel::new(20_260_105).unwrap());
    let app = c.app.as_mut().unwrap();
    app.app_id = Some("com.example.wallet".into());
    app.app_signers = vec![Digest::from([0x33; 32])];
    c
}

fn verifier(pki: &AndroidTestPki, settings: AndroidSettings) -> Verifier {
    Verifier::builder(KeySource::chain(ChainVerifier::new(pki.anchors().unwrap())))
        .android(settings)
        .build()
}

fn at() -> UnixTime {
    UnixTime::from_secs(NOW)
}

#[test]
fn an_attested_token_verifies_and_its_values_count_as_hardware() {
    let pki = AndroidTestPki::new(&AttestedDevice::strongbox(NONCE)).unwrap();
    let token = pki.token(&agreeing_claims(NONCE)).unwrap();
    let v = verifier(&pki, AndroidSettings::default());
    let verified = v.verify(&token, Some(NONCE), at()).unwrap();
    let evidence = verified.android().expect("Android evidence");
    assert_eq!(
        evidence.attestation.security_level(),
        SecurityLevel::StrongBox
    );
    assert_eq!(
        evidence.binding.attester,
        "android-key-attestation:STRONG_BOX"
    );
    let agreed: Vec<&str> = evidence.binding.claims.iter().map(|c| c.claim).collect();
    assert_eq!(
        agreed,
        [
            "submods.chip.key-security-level",
            "submods.boot.verified-boot-state",
            "submods.boot.bootloader-locked",
            "submods.boot.boot-key-digest",
            "submods.boot.boot-image-digest",
            "submods.boot.boot-patch-level",
            "submods.os.os-patch-level",
            "submods.os.vendor-patch-level",
            "submods.app.app-id",
            "submods.app.app-signers",
        ]
    );
    assert!(evidence.binding.disagreements().next().is_none());

    // Every layer declares software, yet the payment preset's
    // hardware-minimum rules on attested values pass.
    let policy = Policy::preset(Preset::Payment, &[[0x33; 32]]).unwrap();
    let result = v.appraise(&verified, &policy, at());
    let weak: Vec<&str> = result
        .reasons
        .iter()
        .filter(|r| r.failure == Failure::WeakSource)
        .map(|r| r.claim.as_str())
        .collect();
    assert!(weak.is_empty(), "{weak:?}");
    assert_eq!(result.attested.len(), 10);
    assert!(result.attested.iter().all(|a| a.token == "agrees"));
    assert!(result
        .attested
        .iter()
        .all(|a| a.by == "android-key-attestation:STRONG_BOX"));
    // The EAR carries them.
    let json = result.to_json_value();
    let attested = &json["submods"]["device"]["mtattest.attested"];
    assert_eq!(attested.as_array().unwrap().len(), 10);
    assert_eq!(
        attested[1],
        serde_json::json!({"claim": "submods.boot.verified-boot-state", "value": "verified",
            "by": "android-key-attestation:STRONG_BOX", "token": "agrees"})
    );
    let back = mtattest::appraisal::AttestationResult::from_json_value(&json).unwrap();
    assert_eq!(back, result);
    let cbor = mtattest::appraisal::AttestationResult::from_cbor(&result.to_cbor()).unwrap();
    assert_eq!(cbor, result);
}

#[test]
fn the_same_token_without_attestation_is_weak() {
    // The control: the same software-declared claims under a plain anchor
    // (no Android profile) fail the hardware minimums.
    let pki = AndroidTestPki::new(&AttestedDevice::strongbox(NONCE)).unwrap();
    let mut anchors = TrustAnchors::new();
    anchors
        .add_der_with_profile(
            &pki.root.der,
            mtattest::trust::Profile::STRICT.relax(
                mtattest::trust::Check::AuthorityKeyIdentifier,
                mtattest::trust::Position::Leaf,
            ),
        )
        .unwrap();
    let v = Verifier::builder(KeySource::chain(ChainVerifier::new(anchors))).build();
    let token = pki.token(&agreeing_claims(NONCE)).unwrap();
    let verified = v.verify(&token, Some(NONCE), at()).unwrap();
    assert!(verified.android().is_none());
    let policy = Policy::preset(Preset::Payment, &[[0x33; 32]]).unwrap();
    let result = v.appraise(&verified, &policy, at());
    assert!(result
        .reasons
        .iter()
        .any(|r| r.failure == Failure::WeakSource));
    assert!(result.attested.is_empty());
}

/// Each claim the KeyDescription states, changed in the token: a
/// contraindicated reason names both values.
#[test]
fn every_disagreement_is_contraindicated_and_names_both_values() {
    let pki = AndroidTestPki::new(&AttestedDevice::strongbox(NONCE)).unwrap();
    let v = verifier(&pki, AndroidSettings::default());
    type Change = fn(&mut ClaimsSet);
    let cases: [(&str, Change, &str, &str); 10] = [
        (
            "submods.chip.key-security-level",
            |c| c.chip.as_mut().unwrap().key_security_level = Some(KeySecurityLevel::Tee),
            "tee",
            "strongbox",
        ),
        (
            "submods.boot.verified-boot-state",
            |c| c.boot.as_mut().unwrap().verified_boot_state = Some(VerifiedBootState::SelfSigned),
            "self-signed",
            "verified",
        ),
        (
            "submods.boot.bootloader-locked",
            |c| c.boot.as_mut().unwrap().bootloader_locked = Some(false),
            "false",
            "true",
        ),
        (
            "submods.boot.boot-key-digest",
            |c| c.boot.as_mut().unwrap().boot_key_digest = Some(Digest::from([0x12; 32])),
            &"12".repeat(32),
            &"11".repeat(32),
        ),
        (
            "submods.boot.boot-image-digest",
            |c| c.boot.as_mut().unwrap().boot_image_digest = Some(Digest::from([0x23; 32])),
            &"23".repeat(32),
            &"22".repeat(32),
        ),
        (
            "submods.boot.boot-patch-level",
            |c| {
                c.boot.as_mut().unwrap().boot_patch_level =
                    Some(PatchLevel::new(20_260_201).unwrap())
            },
            "2026-02-01",
            "2026-01-05",
        ),
        (
            "submods.os.os-patch-level",
            |c| c.os.as_mut().unwrap().os_patch_level = Some(PatchLevel::new(20_251_201).unwrap()),
            "2025-12-01",
            "2026-01",
        ),
        (
            "submods.os.vendor-patch-level",
            |c| {
                c.os.as_mut().unwrap().vendor_patch_level =
                    Some(PatchLevel::new(20_260_106).unwrap())
            },
            "2026-01-06",
            "2026-01-05",
        ),
        (
            "submods.app.app-id",
            |c| c.app.as_mut().unwrap().app_id = Some("com.evil.wallet".into()),
            "com.evil.wallet",
            "com.example.wallet",
        ),
        (
            "submods.app.app-signers",
            |c| {
                c.app
                    .as_mut()
                    .unwrap()
                    .app_signers
                    .push(Digest::from([0x44; 32]))
            },
            "",
            "",
        ),
    ];
    for (i, (claim, change, seen, attested)) in cases.into_iter().enumerate() {
        let mut claims = agreeing_claims(NONCE);
        claims.cti = None;
        change(&mut claims);
        let nonce = format!("per-token-challenge-{i:04}");
        let pki = AndroidTestPki::new(&AttestedDevice::strongbox(nonce.as_bytes())).unwrap();
        claims.nonce = Some(mtattest::claims::Nonce::new(nonce.as_bytes().to_vec()).unwrap());
        let token = pki.token(&claims).unwrap();
        let verified = v.verify(&token, Some(nonce.as_bytes()), at()).unwrap();
        let result = v.appraise(&verified, &Policy::none(), at());
        let reasons: Vec<_> = result
            .reasons
            .iter()
            .filter(|r| r.rule == "android-attestation")
            .collect();
        assert_eq!(reasons.len(), 1, "{claim}: {reasons:?}");
        let r = reasons[0];
        assert_eq!(r.claim, claim);
        assert_eq!(r.status, Status::Contraindicated);
        assert_eq!(r.failure, Failure::Mismatch);
        if !seen.is_empty() {
            assert_eq!(r.seen.as_deref(), Some(seen), "{claim}");
            assert_eq!(
                r.required,
                format!("{attested} (attested by android-key-attestation:STRONG_BOX)"),
                "{claim}"
            );
        }
        assert_eq!(result.status, Status::Contraindicated, "{claim}");
    }
}

#[test]
fn omitted_claims_are_reported_as_attested() {
    let pki = AndroidTestPki::new(&AttestedDevice::strongbox(NONCE)).unwrap();
    let mut claims = agreeing_claims(NONCE);
    claims.boot.as_mut().unwrap().boot_patch_level = None;
    claims.os = None;
    let token = pki.token(&claims).unwrap();
    let v = verifier(&pki, AndroidSettings::default());
    let verified = v.verify(&token, Some(NONCE), at()).unwrap();
    let result = v.appraise(&verified, &Policy::none(), at());
    let omitted: Vec<(&str, &str)> = result
        .attested
        .iter()
        .filter(|a| a.token == "omitted")
        .map(|a| (a.claim.as_str(), a.value.as_str()))
        .collect();
    assert_eq!(
        omitted,
        [
            ("submods.boot.boot-patch-level", "2026-01-05"),
            ("submods.os.os-patch-level", "2026-01"),
            ("submods.os.vendor-patch-level", "2026-01-05"),
        ]
    );
    assert!(result
        .reasons
        .iter()
        .all(|r| r.rule != "android-attestation"));
}

#[test]
fn per_token_mode_compares_the_challenge_with_eat_nonce() {
    let pki = AndroidTestPki::new(&AttestedDevice::strongbox(b"another-challenge-0001")).unwrap();
    let token = pki.token(&agreeing_claims(NONCE)).unwrap();
    let v = verifier(&pki, AndroidSettings::default());
    let err = v.verify(&token, Some(NONCE), at()).unwrap_err();
    assert_eq!(err.code(), "android.challenge-mismatch");
}

#[test]
fn enrolled_mode_compares_the_challenge_with_the_enrolment_one() {
    let enrolment = b"enrolment-challenge-7";
    let pki = AndroidTestPki::new(&AttestedDevice::strongbox(enrolment)).unwrap();
    let settings = AndroidSettings {
        challenge: ChallengeMode::Enrolled,
        ..AndroidSettings::default()
    };
    let v = verifier(&pki, settings);
    let token = pki.token(&agreeing_claims(NONCE)).unwrap();
    // The call must carry the enrolment challenge.
    let err = v.verify(&token, Some(NONCE), at()).unwrap_err();
    assert_eq!(err.code(), "config.enrolment-challenge-required");
    let err = v
        .verify_with_enrolment(&token, Some(NONCE), Some(b""), at())
        .unwrap_err();
    assert_eq!(err.code(), "config.empty");
    let err = v
        .verify_with_enrolment(&token, Some(NONCE), Some(b"enrolment-challenge-8"), at())
        .unwrap_err();
    assert_eq!(err.code(), "android.challenge-mismatch");
    // The eat_nonce still gives freshness.
    let err = v
        .verify_with_enrolment(&token, Some(b"another-nonce-000"), Some(enrolment), at())
        .unwrap_err();
    assert_eq!(err.code(), "freshness.nonce-mismatch");
    let verified = v
        .verify_with_enrolment(&token, Some(NONCE), Some(enrolment), at())
        .unwrap();
    assert!(verified.android().is_some());
}

#[test]
fn a_chain_extended_below_the_attested_key_is_refused() {
    let device = AttestedDevice::strongbox(NONCE);
    let pki = AndroidTestPki::new(&device).unwrap();
    // The attacker holds the attested key's signing capability and makes a
    // certificate with a KeyDescription of its own, claiming more.
    let mut fake = device.clone();
    fake.verified_boot_key = vec![0x99; 32];
    let (chain, key) = pki.extended(&fake.key_description()).unwrap();
    let token = pki
        .token_with_chain(&agreeing_claims(NONCE), chain, &key)
        .unwrap();
    let err = verifier(&pki, AndroidSettings::default())
        .verify(&token, Some(NONCE), at())
        .unwrap_err();
    assert_eq!(err.code(), "android.key-description-misplaced");
}

#[test]
fn a_key_description_in_an_intermediate_is_refused() {
    let device = AttestedDevice::strongbox(NONCE);
    let kd = device.key_description();
    let mut intermediate = AndroidTestPki::intermediate_spec();
    intermediate
        .extra_extensions
        .push(mtattest_testkit::android::key_description_extension(&kd));
    let pki = AndroidTestPki::from_specs(
        AndroidTestPki::root_spec(),
        intermediate,
        AndroidTestPki::leaf_spec(&kd),
    )
    .unwrap();
    let token = pki.token(&agreeing_claims(NONCE)).unwrap();
    let err = verifier(&pki, AndroidSettings::default())
        .verify(&token, Some(NONCE), at())
        .unwrap_err();
    assert_eq!(err.code(), "android.key-description-misplaced");
}

#[test]
fn a_leaf_without_key_description_is_refused() {
    let device = AttestedDevice::strongbox(NONCE);
    let mut leaf = AndroidTestPki::leaf_spec(&device.key_description());
    leaf.extra_extensions.clear();
    let pki = AndroidTestPki::from_specs(
        AndroidTestPki::root_spec(),
        AndroidTestPki::intermediate_spec(),
        leaf,
    )
    .unwrap();
    let token = pki.token(&agreeing_claims(NONCE)).unwrap();
    let err = verifier(&pki, AndroidSettings::default())
        .verify(&token, Some(NONCE), at())
        .unwrap_err();
    assert_eq!(err.code(), "android.key-description-missing");
}

#[test]
fn software_attestation_is_refused_under_a_hardware_requirement() {
    let mut device = AttestedDevice::strongbox(NONCE);
    device.security_level = SecurityLevel::Software;
    let pki = AndroidTestPki::new(&device).unwrap();
    let token = pki.token(&agreeing_claims(NONCE)).unwrap();
    let err = verifier(&pki, AndroidSettings::default())
        .verify(&token, Some(NONCE), at())
        .unwrap_err();
    assert_eq!(err.code(), "android.software-security-level");
    // StrongBox required, TEE given.
    device.security_level = SecurityLevel::TrustedEnvironment;
    let pki = AndroidTestPki::new(&device).unwrap();
    let token = pki.token(&agreeing_claims(NONCE)).unwrap();
    let strongbox = AndroidSettings {
        rules: AttestationRules {
            min_security_level: SecurityLevel::StrongBox,
            ..AttestationRules::default()
        },
        ..AndroidSettings::default()
    };
    let err = verifier(&pki, strongbox)
        .verify(&token, Some(NONCE), at())
        .unwrap_err();
    assert_eq!(err.code(), "android.security-level-too-low");
}

#[test]
fn an_imported_key_is_refused() {
    let mut device = AttestedDevice::strongbox(NONCE);
    device.origin = 2; // IMPORTED
    let pki = AndroidTestPki::new(&device).unwrap();
    let token = pki.token(&agreeing_claims(NONCE)).unwrap();
    let err = verifier(&pki, AndroidSettings::default())
        .verify(&token, Some(NONCE), at())
        .unwrap_err();
    assert_eq!(err.code(), "android.origin-not-generated");
    assert!(err.to_string().contains("IMPORTED"));
}

#[test]
fn a_policy_can_require_an_attestation_and_a_level() {
    let pki = AndroidTestPki::new(&AttestedDevice::strongbox(NONCE)).unwrap();
    let v = verifier(&pki, AndroidSettings::default());
    let token = pki.token(&agreeing_claims(NONCE)).unwrap();
    let verified = v.verify(&token, Some(NONCE), at()).unwrap();
    let strongbox = Policy::from_json(
        br#"{"id": "sb", "require-android-attestation": "strongbox",
             "rules": [{"id": "locked", "claim": "submods.boot.bootloader-locked",
                        "equals": true, "min-source": "hardware", "on-fail": "contraindicated"}]}"#,
    )
    .unwrap();
    let result = v.appraise(&verified, &strongbox, at());
    assert_eq!(result.status, Status::Affirming, "{:?}", result.reasons);

    // Without an attestation behind the token: contraindicated, missing.
    let plain = mtattest_testkit::pki::TestPki::standard().unwrap();
    let mut anchors = TrustAnchors::new();
    anchors.add_der(&plain.root.der).unwrap();
    let pv = Verifier::builder(KeySource::chain(ChainVerifier::new(anchors))).build();
    let claims = example_phone(NOW - 10, NONCE.to_vec());
    let token = plain
        .token(&claims, mtattest::token::HeaderPlacement::Protected)
        .unwrap();
    let verified = pv.verify(&token, Some(NONCE), at()).unwrap();
    let result = pv.appraise(&verified, &strongbox, at());
    let r = result
        .reasons
        .iter()
        .find(|r| r.rule == "android-attestation")
        .unwrap();
    assert_eq!(
        (r.failure, r.status),
        (Failure::Missing, Status::Contraindicated)
    );

    // A TEE attestation under a StrongBox requirement: mismatch.
    let mut device = AttestedDevice::strongbox(NONCE);
    device.security_level = SecurityLevel::TrustedEnvironment;
    let pki = AndroidTestPki::new(&device).unwrap();
    let v = verifier(&pki, AndroidSettings::default());
    let mut claims = agreeing_claims(NONCE);
    claims.chip.as_mut().unwrap().key_security_level = Some(KeySecurityLevel::Tee);
    let token = pki.token(&claims).unwrap();
    let verified = v.verify(&token, Some(NONCE), at()).unwrap();
    let result = v.appraise(&verified, &strongbox, at());
    let r = result
        .reasons
        .iter()
        .find(|r| r.rule == "android-attestation")
        .unwrap();
    assert_eq!(
        (r.failure, r.seen.as_deref()),
        (Failure::Mismatch, Some("tee"))
    );

    let err = Policy::from_json(br#"{"id": "x", "require-android-attestation": "software"}"#)
        .unwrap_err();
    assert_eq!(err.code(), "policy.bad-value");
}

#[test]
fn revoked_and_suspended_certificates_are_refused() {
    let pki = AndroidTestPki::new(&AttestedDevice::strongbox(NONCE)).unwrap();
    let token = pki.token(&agreeing_claims(NONCE)).unwrap();
    for (serial, status, code) in [
        ("a002", RevStatus::Revoked, "chain.revoked"),
        ("a002", RevStatus::Suspended, "chain.suspended"),
        ("1", RevStatus::Revoked, "chain.revoked"),
        ("1", RevStatus::Suspended, "chain.suspended"),
    ] {
        let mut list = StatusList::new();
        list.insert(serial, status, "KEY_COMPROMISE").unwrap();
        let mut revocation = Revocation::new();
        revocation.set_status_list(list);
        let chains = ChainVerifier::new(pki.anchors().unwrap()).with_revocation(revocation);
        let v = Verifier::builder(KeySource::chain(chains)).build();
        let err = v.verify(&token, Some(NONCE), at()).unwrap_err();
        assert_eq!(err.code(), code, "{serial} {status:?}");
    }
}

/// The relaxed checks of the Android profile hold only under an Android
/// anchor: the same chains are refused under the strict profile with the
/// relaxed check's code.
#[test]
fn relaxed_checks_are_accepted_only_under_android_anchors() {
    let device = AttestedDevice::strongbox(NONCE);
    let kd = device.key_description();
    let expired_leaf = CertSpec {
        not_after: NOW - 86_400,
        ..AndroidTestPki::leaf_spec(&kd)
    };
    let non_ca_intermediate = CertSpec {
        basic_constraints: Some((false, None)),
        ..AndroidTestPki::intermediate_spec()
    };
    let cases: [(&str, CertSpec, CertSpec, &str); 3] = [
        (
            "no AKI in the leaf",
            AndroidTestPki::intermediate_spec(),
            AndroidTestPki::leaf_spec(&kd),
            "chain.authority-key-id",
        ),
        (
            "leaf past its device-set notAfter",
            AndroidTestPki::intermediate_spec(),
            expired_leaf,
            "chain.expired",
        ),
        (
            "intermediate with cA FALSE",
            non_ca_intermediate,
            AndroidTestPki::leaf_spec(&kd),
            "chain.not-ca",
        ),
    ];
    for (what, intermediate, leaf, strict_code) in cases {
        let pki =
            AndroidTestPki::from_specs(AndroidTestPki::root_spec(), intermediate, leaf).unwrap();
        let token = pki.token(&agreeing_claims(NONCE)).unwrap();
        verifier(&pki, AndroidSettings::default())
            .verify(&token, Some(NONCE), at())
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        // Strict, but for the leaf's missing authorityKeyIdentifier in the
        // cases about another check.
        let profile = if strict_code == "chain.authority-key-id" {
            mtattest::trust::Profile::STRICT
        } else {
            mtattest::trust::Profile::STRICT.relax(
                mtattest::trust::Check::AuthorityKeyIdentifier,
                mtattest::trust::Position::Leaf,
            )
        };
        let mut strict = TrustAnchors::new();
        strict.add_der_with_profile(&pki.root.der, profile).unwrap();
        let v = Verifier::builder(KeySource::chain(ChainVerifier::new(strict))).build();
        let err = v.verify(&token, Some(NONCE), at()).unwrap_err();
        assert_eq!(err.code(), strict_code, "{what}");
    }
    let _ = Deviation::NoAuthorityKeyId;
}

/// The sample status list of the corpus loads, and a certificate carrying
/// a serial it lists is refused: REVOKED and SUSPENDED alike; with
/// SUSPENDED accepted by configuration, only REVOKED is.
#[test]
fn the_sample_status_list_refuses_what_it_lists() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "../../shared/corpora/android-keyattestation/legacy-google-android-key-attestation/status.json",
    );
    let list = StatusList::from_json(&std::fs::read(path).unwrap()).unwrap();
    assert_eq!(list.len(), 5);
    let device = AttestedDevice::strongbox(NONCE);
    for (serial_hex, code, accepted_if_suspended_ok) in [
        ("6681152659205225093", "chain.revoked", false),
        ("cc66e9a93713b6e643b26c15879786f7", "chain.suspended", true),
    ] {
        let mut octets = hex::decode(format!(
            "{:0>width$}",
            serial_hex,
            width = serial_hex.len() + serial_hex.len() % 2
        ))
        .unwrap();
        if octets[0] >= 0x80 {
            octets.insert(0, 0); // a positive INTEGER
        }
        let intermediate = CertSpec {
            deviations: vec![Deviation::SerialOctets(octets)],
            ..AndroidTestPki::intermediate_spec()
        };
        let pki = AndroidTestPki::from_specs(
            AndroidTestPki::root_spec(),
            intermediate,
            AndroidTestPki::leaf_spec(&device.key_description()),
        )
        .unwrap();
        let token = pki.token(&agreeing_claims(NONCE)).unwrap();
        for accept_suspended in [false, true] {
            let mut revocation = Revocation::new();
            revocation.set_status_list(list.clone());
            revocation.set_accept_suspended(accept_suspended);
            let chains = ChainVerifier::new(pki.anchors().unwrap()).with_revocation(revocation);
            let v = Verifier::builder(KeySource::chain(chains)).build();
            let result = v.verify(&token, Some(NONCE), at());
            if accept_suspended && accepted_if_suspended_ok {
                result.unwrap();
            } else {
                assert_eq!(result.unwrap_err().code(), code, "{serial_hex}");
            }
        }
    }
}

/// A status list past its maximum age gives no status: every path is
/// refused until it is refreshed or a grace covers it.
#[test]
fn a_stale_status_list_is_refused() {
    use mtattest::trust::StatusListAge;
    let pki = AndroidTestPki::new(&AttestedDevice::strongbox(NONCE)).unwrap();
    let token = pki.token(&agreeing_claims(NONCE)).unwrap();
    let mut list = StatusList::new();
    list.insert("ffff", RevStatus::Revoked, "KEY_COMPROMISE")
        .unwrap();
    for (fetched_at, grace, ok) in [
        (NOW - 3600, 0, true),
        (NOW - 86_401, 0, false),
        (NOW - 86_401, 10, true),
        (NOW + 60, 0, false),
    ] {
        let mut revocation = Revocation::new();
        revocation.set_status_list(list.clone());
        revocation.set_status_list_age(StatusListAge {
            fetched_at,
            max_age_secs: StatusListAge::DEFAULT_MAX_AGE_SECS,
            grace_secs: grace,
        });
        let chains = ChainVerifier::new(pki.anchors().unwrap()).with_revocation(revocation);
        let v = Verifier::builder(KeySource::chain(chains)).build();
        match v.verify(&token, Some(NONCE), at()) {
            Ok(_) => assert!(ok, "{fetched_at} {grace}"),
            Err(e) => {
                assert!(!ok, "{fetched_at} {grace}: {e}");
                assert_eq!(e.code(), "chain.status-list-stale");
            }
        }
    }
}
