//! Tokens signed by an Android attested key (spec §17), on the synthetic
//! Android PKI of [`crate::android`]: the attested values and their
//! binding to the claims (§17.5), the challenge modes (§17.6), the
//! attestation rules (§17.4), revocation through the status list (§17.8),
//! and the relaxed checks of the Android profile, which hold only under an
//! Android anchor (§17.3.1).
//!
//! A case trusts the Android root under the Android profile through the
//! manifest's `android-anchors`; the same tokens under the root as a plain
//! anchor (`anchors`) meet the strict profile.

use alloc::format;
use alloc::string::ToString;
use alloc::vec;
use alloc::vec::Vec;

use super::fixtures::{challenge, derive, phone, DAY, TIME};
use super::manifest::{AttestedRef, CaseOptions};
use super::{anchors, appraisal_files, revocation, CaseSpec, Gen};
use crate::android::{key_description_extension, AndroidTestPki, AttestedDevice};
use crate::pki::{CertSpec, ExtensionSpec};
use mtattest::android::SecurityLevel;
use mtattest::claims::{ClaimsSet, Digest, EvidenceSource, PatchLevel};
use mtattest::error::Error;

/// The attester of a StrongBox attestation (§17.5).
const BY_STRONGBOX: &str = "android-key-attestation:STRONG_BOX";
/// The attester of a TEE attestation.
const BY_TEE: &str = "android-key-attestation:TRUSTED_ENVIRONMENT";

/// The example phone, every layer declaring itself software-sourced, with
/// the values [`AttestedDevice::strongbox`] states: only the attestation
/// can make them hardware.
fn agreeing_claims() -> ClaimsSet {
    let mut claims = phone();
    if let Some(chip) = claims.chip.as_mut() {
        chip.evidence_source = EvidenceSource::Software;
    }
    if let Some(boot) = claims.boot.as_mut() {
        boot.evidence_source = EvidenceSource::Software;
        boot.boot_key_digest = Some(Digest::from([0x11; 32]));
        boot.boot_image_digest = Some(Digest::from([0x22; 32]));
        boot.boot_patch_level = PatchLevel::new(20_260_105).ok();
    }
    if let Some(os) = claims.os.as_mut() {
        os.evidence_source = EvidenceSource::Software;
        os.os_patch_level = PatchLevel::new(20_260_101).ok();
        os.vendor_patch_level = PatchLevel::new(20_260_105).ok();
    }
    if let Some(app) = claims.app.as_mut() {
        app.app_signers = vec![Digest::from([0x33; 32])];
    }
    claims
}

/// The ten comparisons of §17.5 for [`AttestedDevice::strongbox`] (or a
/// TEE attestation of the same device), written out from the
/// KeyDescription: every one `token`, except those listed in `other`.
fn attested(by: &'static str, other: &[(&'static str, &'static str)]) -> Vec<AttestedRef> {
    let level = if by == BY_TEE { "tee" } else { "strongbox" };
    [
        ("submods.chip.key-security-level", level),
        ("submods.boot.verified-boot-state", "verified"),
        ("submods.boot.bootloader-locked", "true"),
        (
            "submods.boot.boot-key-digest",
            "1111111111111111111111111111111111111111111111111111111111111111",
        ),
        (
            "submods.boot.boot-image-digest",
            "2222222222222222222222222222222222222222222222222222222222222222",
        ),
        ("submods.boot.boot-patch-level", "2026-01-05"),
        ("submods.os.os-patch-level", "2026-01"),
        ("submods.os.vendor-patch-level", "2026-01-05"),
        ("submods.app.app-id", "com.example.wallet"),
        (
            "submods.app.app-signers",
            "3333333333333333333333333333333333333333333333333333333333333333",
        ),
    ]
    .into_iter()
    .map(|(claim, value)| AttestedRef {
        claim,
        value,
        by,
        token: other
            .iter()
            .find(|(c, _)| *c == claim)
            .map_or("agrees", |(_, t)| t),
    })
    .collect()
}

/// The Android PKI with a leaf attesting `device`.
fn pki_for(device: &AttestedDevice) -> Result<AndroidTestPki, Error> {
    AndroidTestPki::new(device)
}

/// A leaf that also carries key identifiers: with it, a chain differs from
/// the strict profile in one check only.
fn leaf_with_key_ids(device: &AttestedDevice) -> CertSpec {
    CertSpec {
        key_identifiers: true,
        deviations: Vec::new(),
        ..AndroidTestPki::leaf_spec(&device.key_description())
    }
}

/// A case trusting the Android root under the Android profile.
fn android(case: CaseSpec) -> CaseSpec {
    case.android_anchors(anchors::ANDROID_ROOT)
}

pub(super) fn valid_cases(gen: &mut Gen) -> Result<(), Error> {
    let device = AttestedDevice::strongbox(&challenge());
    let pki = pki_for(&device)?;
    let claims = agreeing_claims();

    gen.add(
        android(CaseSpec::valid(
            "valid-android-attested",
            "A token signed by a StrongBox-attested key (per-token challenge: the attestation \
             challenge is the nonce). Every layer declares software, yet each of the ten claims \
             the KeyDescription states agrees, so each counts as hardware (attested): the policy \
             requiring a StrongBox attestation and a hardware-sourced locked bootloader affirms.",
            pki.token(&claims)?,
            &claims,
        ))
        .attested(attested(BY_STRONGBOX, &[]))
        .appraise(
            appraisal_files::ANDROID_STRONGBOX,
            None,
            "affirming",
            "allow",
            &[],
        ),
    )?;

    let mut omitting = claims.clone();
    if let Some(boot) = omitting.boot.as_mut() {
        boot.boot_image_digest = None;
    }
    if let Some(os) = omitting.os.as_mut() {
        os.vendor_patch_level = None;
    }
    gen.add(
        android(CaseSpec::valid(
            "valid-android-attested-omitted",
            "As valid-android-attested, but the token omits boot-image-digest and \
             vendor-patch-level, which the KeyDescription states: reported as attested \
             (omitted).",
            pki.token(&omitting)?,
            &omitting,
        ))
        .attested(attested(
            BY_STRONGBOX,
            &[
                ("submods.boot.boot-image-digest", "omitted"),
                ("submods.os.vendor-patch-level", "omitted"),
            ],
        )),
    )?;

    let mut contradicting = claims.clone();
    if let Some(os) = contradicting.os.as_mut() {
        os.os_patch_level = PatchLevel::new(20_260_201).ok();
    }
    gen.add(
        android(CaseSpec::valid(
            "valid-android-binding-disagreement",
            "The token claims OS patch level 2026-02-01; the KeyDescription attests 2026-01 \
             (YYYYMM). A token that contradicts its own hardware is contraindicated whatever \
             the policy says (rule android-attestation, mismatch).",
            pki.token(&contradicting)?,
            &contradicting,
        ))
        .attested(attested(
            BY_STRONGBOX,
            &[("submods.os.os-patch-level", "disagrees")],
        ))
        .appraise(
            appraisal_files::ANDROID_STRONGBOX,
            None,
            "contraindicated",
            "deny",
            &[(
                "android-attestation",
                "submods.os.os-patch-level",
                "mismatch",
                None,
            )],
        ),
    )?;

    let enrolment = derive("android enrolment challenge");
    let enrolled_pki = pki_for(&AttestedDevice::strongbox(&enrolment))?;
    gen.add(
        android(CaseSpec::valid(
            "valid-android-enrolled-key",
            "Enrolled-key mode: the attestation challenge is the one the relying party issued \
             at enrolment (enrolment-challenge), not the token's nonce, which still gives \
             freshness.",
            enrolled_pki.token(&claims)?,
            &claims,
        ))
        .enrolled(&enrolment)
        .attested(attested(BY_STRONGBOX, &[])),
    )?;

    let mut tee_device = device.clone();
    tee_device.security_level = SecurityLevel::TrustedEnvironment;
    let tee_pki = pki_for(&tee_device)?;
    let mut tee_claims = claims.clone();
    if let Some(chip) = tee_claims.chip.as_mut() {
        chip.key_security_level = Some(mtattest::claims::KeySecurityLevel::Tee);
    }
    gen.add(
        android(CaseSpec::valid(
            "valid-android-tee-under-strongbox-policy",
            "A TEE attestation verifies (the verifier's minimum is TEE), but the policy \
             requires StrongBox: contraindicated (rule android-attestation, mismatch).",
            tee_pki.token(&tee_claims)?,
            &tee_claims,
        ))
        .attested(attested(BY_TEE, &[]))
        .appraise(
            appraisal_files::ANDROID_STRONGBOX,
            None,
            "contraindicated",
            "deny",
            &[(
                "android-attestation",
                "android-attestation",
                "mismatch",
                None,
            )],
        ),
    )?;

    let plain_phone = phone();
    gen.add(
        CaseSpec::valid(
            "valid-android-policy-without-attestation",
            "The example phone's token from the standard test PKI: no Android attestation \
             behind it, under a policy that requires one (rule android-attestation, missing).",
            super::valid::token(
                &gen.pki.chain(),
                plain_phone.to_cbor(),
                &gen.pki.device.signer()?,
            )?,
            &plain_phone,
        )
        .appraise(
            appraisal_files::ANDROID_STRONGBOX,
            None,
            "contraindicated",
            "deny",
            &[(
                "android-attestation",
                "android-attestation",
                "missing",
                None,
            )],
        ),
    )?;

    // The first relaxed chain is valid-android-attested's.
    for chain in relaxed(&device, &claims)?.into_iter().skip(1) {
        gen.add(
            android(CaseSpec::valid(
                chain.valid_id,
                format!(
                    "{}: relaxed under the Android anchor (spec §17.3.1).",
                    chain.what
                ),
                chain.token,
                &claims,
            ))
            .attested(attested(BY_STRONGBOX, &[])),
        )?;
    }
    Ok(())
}

pub(super) fn invalid_cases(gen: &mut Gen) -> Result<(), Error> {
    let device = AttestedDevice::strongbox(&challenge());
    let pki = pki_for(&device)?;
    let claims = agreeing_claims();
    for chain in relaxed(&device, &claims)? {
        gen.add(
            CaseSpec::invalid(
                chain.invalid_id,
                format!(
                    "{}: valid under the Android anchor ({}), but refused by the strict \
                     profile under the same root as a plain anchor.",
                    chain.what, chain.valid_id
                ),
                chain.token,
                chain.strict_code,
            )
            .anchors(anchors::ANDROID_ROOT),
        )?;
    }
    refused_cases(gen, &device, &pki, &claims)
}

/// A chain that departs from the strict profile in one check that the
/// Android profile relaxes (spec §17.3.1).
struct Relaxed {
    valid_id: &'static str,
    invalid_id: &'static str,
    what: &'static str,
    token: Vec<u8>,
    strict_code: &'static str,
}

/// The relaxed chains: each valid under the Android anchor and refused,
/// with the relaxed check's code, under the same root as a plain anchor.
fn relaxed(device: &AttestedDevice, claims: &ClaimsSet) -> Result<Vec<Relaxed>, Error> {
    let mut all = vec![Relaxed {
        valid_id: "valid-android-attested",
        invalid_id: "invalid-android-strict-no-authority-key-id",
        what: "The Android chain, its leaf without authorityKeyIdentifier as Keymaster writes it",
        token: AndroidTestPki::new(device)?.token(claims)?,
        strict_code: "chain.authority-key-id",
    }];
    type Bend = fn(&mut CertSpec, &mut CertSpec);
    let bends: [(&'static str, &'static str, &'static str, Bend, &'static str); 3] = [
        (
            "valid-android-relaxed-intermediate-not-ca",
            "invalid-android-strict-intermediate-not-ca",
            "The attestation intermediate has basicConstraints cA FALSE (and keyCertSign), as \
             at least one maker's does",
            |intermediate, _| intermediate.basic_constraints = Some((false, None)),
            "chain.not-ca",
        ),
        (
            "valid-android-relaxed-leaf-expired",
            "invalid-android-strict-leaf-expired",
            "The attested leaf's notAfter, set by the device, is a day before the \
             verification time",
            |_, leaf| leaf.not_after = TIME - DAY,
            "chain.expired",
        ),
        (
            "valid-android-relaxed-leaf-key-usage-not-der",
            "invalid-android-strict-leaf-key-usage-not-der",
            "The attested leaf's keyUsage (digitalSignature) is written with seven trailing \
             zero bits (03 02 00 80; DER is 03 02 07 80), as some Keymaster versions write it",
            |_, leaf| {
                leaf.key_usage = None;
                leaf.extra_extensions.push(ExtensionSpec {
                    oid: "2.5.29.15".to_string(),
                    critical: true,
                    value: vec![0x03, 0x02, 0x00, 0x80],
                });
            },
            "chain.malformed",
        ),
    ];
    for (valid_id, invalid_id, what, bend, strict_code) in bends {
        let mut intermediate = AndroidTestPki::intermediate_spec();
        let mut leaf = leaf_with_key_ids(device);
        bend(&mut intermediate, &mut leaf);
        let pki = AndroidTestPki::from_specs(AndroidTestPki::root_spec(), intermediate, leaf)?;
        all.push(Relaxed {
            valid_id,
            invalid_id,
            what,
            token: pki.token(claims)?,
            strict_code,
        });
    }
    Ok(all)
}

/// What §17.4 and §17.8 refuse.
fn refused_cases(
    gen: &mut Gen,
    device: &AttestedDevice,
    pki: &AndroidTestPki,
    claims: &ClaimsSet,
) -> Result<(), Error> {
    let mut fake = device.clone();
    fake.verified_boot_state = 0;
    fake.verified_boot_key = vec![0x99; 32];
    let (chain, key) = pki.extended(&fake.key_description())?;
    gen.add(android(CaseSpec::invalid(
        "invalid-android-extended-chain",
        "A certificate signed by the attested key, carrying a KeyDescription of its own, in \
         front of the real chain, and the token signed by its key: only the leaf may carry a \
         KeyDescription.",
        pki.token_with_chain(claims, chain, &key)?,
        "android.key-description-misplaced",
    )))?;

    let kd = device.key_description();
    let mut intermediate = AndroidTestPki::intermediate_spec();
    intermediate
        .extra_extensions
        .push(key_description_extension(&kd));
    let in_intermediate = AndroidTestPki::from_specs(
        AndroidTestPki::root_spec(),
        intermediate,
        AndroidTestPki::leaf_spec(&kd),
    )?;
    gen.add(android(CaseSpec::invalid(
        "invalid-android-key-description-in-intermediate",
        "The attestation intermediate carries a KeyDescription too.",
        in_intermediate.token(claims)?,
        "android.key-description-misplaced",
    )))?;

    let mut bare_leaf = AndroidTestPki::leaf_spec(&kd);
    bare_leaf.extra_extensions.clear();
    let bare = AndroidTestPki::from_specs(
        AndroidTestPki::root_spec(),
        AndroidTestPki::intermediate_spec(),
        bare_leaf,
    )?;
    gen.add(android(CaseSpec::invalid(
        "invalid-android-key-description-missing",
        "The chain ends at the Android anchor but its leaf has no KeyDescription.",
        bare.token(claims)?,
        "android.key-description-missing",
    )))?;

    let mut trailing = key_description_extension(&kd);
    trailing.value.push(0);
    let mut trailing_leaf = AndroidTestPki::leaf_spec(&kd);
    trailing_leaf.extra_extensions = vec![trailing];
    let malformed = AndroidTestPki::from_specs(
        AndroidTestPki::root_spec(),
        AndroidTestPki::intermediate_spec(),
        trailing_leaf,
    )?;
    gen.add(android(CaseSpec::invalid(
        "invalid-android-key-description-trailing-bytes",
        "The KeyDescription extension's value has a byte after the KeyDescription.",
        malformed.token(claims)?,
        "android.malformed",
    )))?;

    let other = pki_for(&AttestedDevice::strongbox(&derive("another challenge")))?;
    gen.add(android(CaseSpec::invalid(
        "invalid-android-challenge-mismatch",
        "Per-token mode: the attestation challenge is not the token's nonce.",
        other.token(claims)?,
        "android.challenge-mismatch",
    )))?;
    gen.add(
        android(CaseSpec::invalid(
            "invalid-android-enrolled-challenge-mismatch",
            "Enrolled-key mode: the attestation challenge is the token's nonce, not the \
             enrolment challenge the relying party passes in.",
            pki.token(claims)?,
            "android.challenge-mismatch",
        ))
        .enrolled(&derive("android enrolment challenge")),
    )?;

    let mut software = device.clone();
    software.security_level = SecurityLevel::Software;
    gen.add(android(CaseSpec::invalid(
        "invalid-android-software-security-level",
        "The attestation and the key are at security level SOFTWARE: what software attests \
         proves nothing about the device.",
        pki_for(&software)?.token(claims)?,
        "android.software-security-level",
    )))?;

    let mut tee = device.clone();
    tee.security_level = SecurityLevel::TrustedEnvironment;
    gen.add(
        android(CaseSpec::invalid(
            "invalid-android-tee-under-strongbox-minimum",
            "A TEE attestation, and this verifier accepts StrongBox only.",
            pki_for(&tee)?.token(claims)?,
            "android.security-level-too-low",
        ))
        .options(CaseOptions {
            android_min_security_level: Some("strongbox"),
            ..CaseOptions::default()
        }),
    )?;

    let mut imported = device.clone();
    imported.origin = 2;
    gen.add(android(CaseSpec::invalid(
        "invalid-android-origin-imported",
        "The key's origin is IMPORTED, not GENERATED: its attestation says nothing about \
         where the key was made.",
        pki_for(&imported)?.token(claims)?,
        "android.origin-not-generated",
    )))?;

    let token = pki.token(claims)?;
    gen.add(
        android(CaseSpec::invalid(
            "invalid-android-intermediate-revoked",
            "The status list (Google's format) lists the attestation intermediate as REVOKED.",
            token.clone(),
            "chain.revoked",
        ))
        .status_list(revocation::STATUS_ANDROID_INTERMEDIATE_REVOKED),
    )?;
    gen.add(
        android(CaseSpec::invalid(
            "invalid-android-leaf-suspended",
            "The status list lists the attested leaf as SUSPENDED (refused by default).",
            token,
            "chain.suspended",
        ))
        .status_list(revocation::STATUS_ANDROID_LEAF_SUSPENDED),
    )?;
    Ok(())
}

/// The Android root (PEM), the status lists and the policy the cases use.
pub(super) fn files(put: &mut dyn FnMut(&str, Vec<u8>)) -> Result<(), Error> {
    let pki = AndroidTestPki::new(&AttestedDevice::strongbox(&challenge()))?;
    put(
        anchors::ANDROID_ROOT,
        der::pem::encode_string("CERTIFICATE", der::pem::LineEnding::LF, &pki.root.der)
            .unwrap_or_default()
            .into_bytes(),
    );
    put(
        revocation::STATUS_ANDROID_INTERMEDIATE_REVOKED,
        super::fixtures::status_list(pki.intermediate.spec.serial, "REVOKED", "CA_COMPROMISE"),
    );
    put(
        revocation::STATUS_ANDROID_LEAF_SUSPENDED,
        super::fixtures::status_list(pki.leaf.spec.serial, "SUSPENDED", "SUPERSEDED"),
    );
    put(
        appraisal_files::ANDROID_STRONGBOX,
        POLICY_ANDROID_STRONGBOX.as_bytes().to_vec(),
    );
    Ok(())
}

/// A policy requiring a StrongBox attestation and a locked bootloader
/// stated by hardware (spec §17.7).
const POLICY_ANDROID_STRONGBOX: &str = r#"{
  "id": "vectors-android-strongbox",
  "description": "An Android StrongBox attestation behind the token, and a locked bootloader stated by hardware.",
  "require-android-attestation": "strongbox",
  "rules": [
    { "id": "bootloader-locked", "claim": "submods.boot.bootloader-locked",
      "equals": true, "min-source": "hardware", "on-fail": "contraindicated" }
  ]
}
"#;
