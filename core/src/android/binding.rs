//! The claims ↔ KeyDescription binding (spec §17.5): for every claim the
//! KeyDescription also states, whether the token agrees.
//!
//! - **Agreement**: the value's effective source is hardware (attested),
//!   whatever its layer declares ([`Binding::corroborates`]).
//! - **Disagreement**: a contraindicated reason naming both values.
//! - **Omitted**: the token does not carry the claim; the attested value is
//!   reported as attested.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::chain::AndroidAttestation;
use super::key_description::{tag, AuthValue, SecurityLevel};
use crate::claims::{ClaimsSet, KeySecurityLevel, PatchLevel, VerifiedBootState};

/// How the token's claim compares with the attested value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Comparison {
    /// Equal under §17.5.
    Agrees,
    /// Different: the token contradicts the hardware.
    Disagrees,
    /// The token does not carry the claim.
    Omitted,
}

impl Comparison {
    /// `agrees`, `disagrees` or `omitted`.
    pub fn name(self) -> &'static str {
        match self {
            Comparison::Agrees => "agrees",
            Comparison::Disagrees => "disagrees",
            Comparison::Omitted => "omitted",
        }
    }
}

/// One claim the attestation states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestedClaim {
    /// The claim path, e.g. `submods.boot.verified-boot-state`.
    pub claim: &'static str,
    /// The attested value, in the claim's notation (as policies and
    /// reasons write it).
    pub attested: String,
    /// The token's value in the same notation, if the token has the claim.
    pub token: Option<String>,
    /// The comparison.
    pub comparison: Comparison,
}

/// The binding of a claims set to an Android attestation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// Who attested: `android-key-attestation` and the security level,
    /// e.g. `android-key-attestation:STRONG_BOX`.
    pub attester: String,
    /// Every claim the attestation states, in the order of §17.5.
    pub claims: Vec<AttestedClaim>,
}

impl Binding {
    /// Whether the token's value of `claim` agrees with the attestation: its
    /// effective source is hardware (§17.5).
    pub fn corroborates(&self, claim: &str) -> bool {
        self.claims
            .iter()
            .any(|c| c.claim == claim && c.comparison == Comparison::Agrees)
    }

    /// The claims the token contradicts.
    pub fn disagreements(&self) -> impl Iterator<Item = &AttestedClaim> {
        self.claims
            .iter()
            .filter(|c| c.comparison == Comparison::Disagrees)
    }
}

/// The claim value of an Android security level.
pub fn level_claim(level: SecurityLevel) -> KeySecurityLevel {
    match level {
        SecurityLevel::Software => KeySecurityLevel::Software,
        SecurityLevel::TrustedEnvironment => KeySecurityLevel::Tee,
        SecurityLevel::StrongBox => KeySecurityLevel::StrongBox,
    }
}

/// An attested patch level (§17.5): YYYYMMDD, or YYYYMM (month only).
fn attested_patch(value: Option<&AuthValue>) -> Option<PatchLevel> {
    let AuthValue::Int(v) = value? else {
        return None;
    };
    let v = u32::try_from(*v).ok()?;
    match v {
        100_000..=999_999 => PatchLevel::from_yyyymm(v).ok(),
        _ => PatchLevel::new(v).ok(),
    }
}

/// A token patch level against an attested one: equal, or, when the
/// attested level names only its month, in the same month.
fn patch_agrees(token: PatchLevel, attested: PatchLevel) -> bool {
    if attested.day() == 0 {
        token.year() == attested.year() && token.month() == attested.month()
    } else {
        token == attested
    }
}

struct Builder {
    claims: Vec<AttestedClaim>,
}

impl Builder {
    fn add(&mut self, claim: &'static str, attested: String, token: Option<String>, agrees: bool) {
        let comparison = match (&token, agrees) {
            (None, _) => Comparison::Omitted,
            (Some(_), true) => Comparison::Agrees,
            (Some(_), false) => Comparison::Disagrees,
        };
        self.claims.push(AttestedClaim {
            claim,
            attested,
            token,
            comparison,
        });
    }
}

/// Compares `claims` with `attestation` (spec §17.5).
pub fn bind(claims: &ClaimsSet, attestation: &AndroidAttestation) -> Binding {
    let mut b = Builder { claims: Vec::new() };
    let level = attestation.security_level();
    let kd = &attestation.key_description;
    let hw = &kd.hardware_enforced;

    let attested_level = level_claim(level);
    let token_level = claims.chip.as_ref().and_then(|c| c.key_security_level);
    b.add(
        "submods.chip.key-security-level",
        attested_level.name().into(),
        token_level.map(|l| l.name().into()),
        token_level == Some(attested_level),
    );

    let boot = claims.boot.as_ref();
    let rot = hw.root_of_trust();
    if let Some(rot) = rot {
        if let Some(state) = VerifiedBootState::from_code(u64::from(rot.verified_boot_state)) {
            let token = boot.and_then(|l| l.verified_boot_state);
            b.add(
                "submods.boot.verified-boot-state",
                state.name().into(),
                token.map(|s| s.name().into()),
                token == Some(state),
            );
        }
        let token = boot.and_then(|l| l.bootloader_locked);
        b.add(
            "submods.boot.bootloader-locked",
            rot.device_locked.to_string(),
            token.map(|t| t.to_string()),
            token == Some(rot.device_locked),
        );
        let token = boot.and_then(|l| l.boot_key_digest.as_ref());
        b.add(
            "submods.boot.boot-key-digest",
            crate::encoding::to_hex(&rot.verified_boot_key),
            token.map(|d| crate::encoding::to_hex(d.as_bytes())),
            token.is_some_and(|d| d.as_bytes() == rot.verified_boot_key.as_slice()),
        );
        if let Some(hash) = &rot.verified_boot_hash {
            let token = boot.and_then(|l| l.boot_image_digest.as_ref());
            b.add(
                "submods.boot.boot-image-digest",
                crate::encoding::to_hex(hash),
                token.map(|d| crate::encoding::to_hex(d.as_bytes())),
                token.is_some_and(|d| d.as_bytes() == hash.as_slice()),
            );
        }
    }
    let os = claims.os.as_ref();
    let patches: [(&'static str, u32, Option<PatchLevel>); 3] = [
        (
            "submods.boot.boot-patch-level",
            tag::BOOT_PATCH_LEVEL,
            boot.and_then(|l| l.boot_patch_level),
        ),
        (
            "submods.os.os-patch-level",
            tag::OS_PATCH_LEVEL,
            os.and_then(|l| l.os_patch_level),
        ),
        (
            "submods.os.vendor-patch-level",
            tag::VENDOR_PATCH_LEVEL,
            os.and_then(|l| l.vendor_patch_level),
        ),
    ];
    for (claim, t, token) in patches {
        if let Some(attested) = attested_patch(hw.get(t)) {
            b.add(
                claim,
                attested.to_string(),
                token.map(|p| p.to_string()),
                token.is_some_and(|p| patch_agrees(p, attested)),
            );
        }
    }

    // The app is named by Android's Keystore service (softwareEnforced):
    // the hardware vouches for it only when the OS that wrote it booted
    // verified under a locked bootloader (§17.5).
    let os_trusted = rot.is_some_and(|r| r.verified_boot_state == 0 && r.device_locked);
    let app_id = kd
        .software_enforced
        .application_id()
        .or_else(|| hw.application_id());
    if let (Some(app_id), true) = (app_id, os_trusted) {
        let app = claims.app.as_ref();
        if !app_id.packages.is_empty() {
            let names: Vec<&str> = app_id.packages.iter().map(|(n, _)| n.as_str()).collect();
            let token = app.and_then(|a| a.app_id.as_deref());
            b.add(
                "submods.app.app-id",
                names.join(", "),
                token.map(ToString::to_string),
                token.is_some_and(|t| names.contains(&t)),
            );
        }
        if !app_id.signatures.is_empty() {
            let mut attested: Vec<String> = app_id
                .signatures
                .iter()
                .map(|b| crate::encoding::to_hex(b))
                .collect();
            attested.sort();
            let token = app.filter(|a| !a.app_signers.is_empty()).map(|a| {
                let mut t: Vec<String> = a
                    .app_signers
                    .iter()
                    .map(|d| crate::encoding::to_hex(d.as_bytes()))
                    .collect();
                t.sort();
                t.dedup();
                t
            });
            let agrees = token.as_ref() == Some(&attested);
            b.add(
                "submods.app.app-signers",
                attested.join(", "),
                token.map(|t| t.join(", ")),
                agrees,
            );
        }
    }
    Binding {
        attester: format!("android-key-attestation:{}", level.name()),
        claims: b.claims,
    }
}
