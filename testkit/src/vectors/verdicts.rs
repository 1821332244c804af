//! Valid tokens appraised where the verdict must come from rules and
//! counted advisories only (spec §11.3.2, §11.5): a policy without rules, a
//! bulletin that does not apply or that the policy ignores, advisories that
//! name the model in another spelling or that a device without `hwmodel`
//! cannot escape, and a rule on a layer's evidence source, which compares
//! the effective source (§11.4).

use super::appraisal_files::{
    BOOT_EVIDENCE_HARDWARE, MODEL_HIGH, MODEL_LOW, MODEL_MEDIUM, MODEL_SPELLING, NO_MATCH,
    NO_RULES, PAYMENT, PAYMENT_ADVISORIES_FROM_MEDIUM,
};
use super::fixtures::{challenge, phone, IAT};
use super::valid::token;
use super::{CaseSpec, Gen};
use crate::demo::compromised_phone;
use mtattest::claims::{ClaimsSet, KeySecurityLevel};
use mtattest::error::Error;

/// (rule, claim, failure, advisory) of one expected reason.
type ReasonSpec = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
);

pub(super) fn cases(gen: &mut Gen) -> Result<(), Error> {
    no_rules(gen)?;
    model_matching(gen)?;
    evidence_source_rule(gen)?;
    Ok(())
}

fn add(
    gen: &mut Gen,
    id: &'static str,
    description: &str,
    claims: &ClaimsSet,
    (policy, bulletin): (&'static str, Option<&'static str>),
    (status, action): (&'static str, &'static str),
    reasons: &[ReasonSpec],
) -> Result<(), Error> {
    let pki = gen.pki.clone();
    let device = pki.device.signer()?;
    gen.add(
        CaseSpec::valid(
            id,
            description,
            token(&pki.chain(), claims.to_cbor(), &device)?,
            claims,
        )
        .appraise(policy, bulletin, status, action, reasons),
    )
}

/// A compromised phone under a policy without rules: no verdict unless an
/// advisory counts, and never anything but deny.
fn no_rules(gen: &mut Gen) -> Result<(), Error> {
    let compromised = compromised_phone(IAT, challenge());
    let intro =
        "A compromised phone (bootloader unlocked, boot unverified, root detected) under a \
                 policy without rules whose advisories count from medium up";
    add(
        gen,
        "valid-appraisal-no-rules-no-advisory-none",
        &alloc::format!(
            "{intro}, with a bulletin none of whose advisories applies: no rule and no advisory \
             gave a verdict, so the status is none and the action deny. No known vulnerability \
             never affirms a device by itself."
        ),
        &compromised,
        (NO_RULES, Some(NO_MATCH)),
        ("none", "deny"),
        &[],
    )?;
    add(
        gen,
        "valid-appraisal-no-rules-ignored-advisory-none",
        &alloc::format!(
            "{intro}, with a low advisory for its model, below the policy's warning-at: the \
             advisory does not count, so the status is none and the action deny."
        ),
        &compromised,
        (NO_RULES, Some(MODEL_LOW)),
        ("none", "deny"),
        &[],
    )?;
    add(
        gen,
        "valid-appraisal-no-rules-advisory-warning-deny",
        &alloc::format!(
            "{intro}, with a medium advisory for its model: it warns, and a policy without rules \
             denies whatever the status (finding a vulnerability must not make the action more \
             lenient than finding none)."
        ),
        &compromised,
        (NO_RULES, Some(MODEL_MEDIUM)),
        ("warning", "deny"),
        &[(
            "bulletin",
            "hwmodel",
            "vulnerable",
            Some("MSA-VECTORS-0202"),
        )],
    )?;
    add(
        gen,
        "valid-appraisal-no-rules-advisory-contraindicated",
        &alloc::format!("{intro}, with a high advisory for its model: contraindicated."),
        &compromised,
        (NO_RULES, Some(MODEL_HIGH)),
        ("contraindicated", "deny"),
        &[(
            "bulletin",
            "hwmodel",
            "vulnerable",
            Some("MSA-VECTORS-0203"),
        )],
    )?;
    add(
        gen,
        "valid-appraisal-ignored-advisory-affirming",
        "The example phone under the payment preset with advisories counted from medium up, and \
         a low advisory for its model: ignored, so the rules' affirming verdict stands.",
        &phone(),
        (PAYMENT_ADVISORIES_FROM_MEDIUM, Some(MODEL_LOW)),
        ("affirming", "allow"),
        &[],
    )
}

/// Model names compared by their match key; a device that reports no model
/// cannot escape an advisory restricted to models.
fn model_matching(gen: &mut Gen) -> Result<(), Error> {
    add(
        gen,
        "valid-appraisal-bulletin-model-spelling",
        "The example phone (hwmodel \"MT-Phone 7 Pro\") under the payment policy, with a high \
         advisory whose model is written \" mt-phone<NO-BREAK SPACE>7  PRO \": after NFKC, \
         white-space collapsing and case folding it is the phone's model, so it applies.",
        &phone(),
        (PAYMENT, Some(MODEL_SPELLING)),
        ("contraindicated", "deny"),
        &[(
            "bulletin",
            "hwmodel",
            "vulnerable",
            Some("MSA-VECTORS-0204"),
        )],
    )?;
    let mut anonymous = phone();
    anonymous.hwmodel = None;
    add(
        gen,
        "valid-appraisal-bulletin-no-hwmodel",
        "The example phone without hwmodel under the payment policy, with a high advisory for \
         the model MT-Phone 7 Pro: nothing shows the phone is another model, so the advisory \
         applies with failure missing.",
        &anonymous,
        (PAYMENT, Some(MODEL_HIGH)),
        ("contraindicated", "deny"),
        &[("bulletin", "hwmodel", "missing", Some("MSA-VECTORS-0203"))],
    )
}

/// A rule on `submods.boot.evidence-source` compares the effective source.
fn evidence_source_rule(gen: &mut Gen) -> Result<(), Error> {
    add(
        gen,
        "valid-appraisal-evidence-source-rule-affirming",
        "The example phone (chip hardware-sourced with a StrongBox key, boot hardware-sourced) \
         under one rule: boot evidence source at least hardware. Affirming.",
        &phone(),
        (BOOT_EVIDENCE_HARDWARE, None),
        ("affirming", "allow"),
        &[],
    )?;
    let boot_rule: &[ReasonSpec] = &[(
        "boot-hardware",
        "submods.boot.evidence-source",
        "mismatch",
        None,
    )];
    let mut software_key = phone();
    if let Some(chip) = software_key.chip.as_mut() {
        chip.key_security_level = Some(KeySecurityLevel::Software);
    }
    add(
        gen,
        "valid-appraisal-evidence-source-rule-software-key",
        "As valid-appraisal-evidence-source-rule-affirming, but the chip reports a \
         software-held attestation key: every layer counts as software whatever it declares, so \
         the boot layer's declared hardware source does not satisfy the rule.",
        &software_key,
        (BOOT_EVIDENCE_HARDWARE, None),
        ("contraindicated", "deny"),
        boot_rule,
    )?;
    let mut no_chip = phone();
    no_chip.chip = None;
    add(
        gen,
        "valid-appraisal-evidence-source-rule-no-chip",
        "As valid-appraisal-evidence-source-rule-affirming, but without a chip layer: the key's \
         protection is unknown, so every layer counts as software and the rule fails.",
        &no_chip,
        (BOOT_EVIDENCE_HARDWARE, None),
        ("contraindicated", "deny"),
        boot_rule,
    )
}
