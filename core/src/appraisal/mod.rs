//! Appraisal: from a verified claims set to an explained verdict.
//!
//! Verification ([`crate::Verifier::verify`]) says a token is genuine,
//! fresh ([`Freshness`]) and not replayed ([`ReplayCache`]). Appraisal
//! ([`crate::Verifier::appraise`]) says whether the device may do *this* —
//! pay, open the enterprise mail, watch content — under a relying party's
//! [`Policy`] and an optional vulnerability [`Bulletin`], and exactly why
//! not: an [`AttestationResult`] in EAR shape with an AR4SI trustworthiness
//! vector, a status per layer and a [`Reason`] for every rule that did not
//! pass.
//!
//! # How a policy is applied
//!
//! Every rule is evaluated; none short-circuits. A rule that passes
//! affirms its trustworthiness claim; one that fails gives its severity
//! (warning or contraindicated) to that claim, to its layer and to the
//! whole result, and adds a reason. A bulletin advisory that matches and
//! that the policy counts does the same. The overall status is the worst of
//! the outcomes actually produced, so it is never better than any layer;
//! when nothing produced one (a policy without rules, and no counted
//! advisory) it is `none`. "No known vulnerability" never affirms a device
//! by itself, and a policy without rules always denies (spec §11.3.2).
//!
//! # Evidence-source weighting (spec §14.1)
//!
//! A layer's *effective* source ([`effective_source`]) is what appraisal
//! credits it with:
//! 1. it is at most `software` unless the `chip` layer is
//!    hardware-sourced and reports a key security level of at least `tee`
//!    (the attestation key's protection caps every layer);
//! 2. `kernel` counts as `kernel` only if the `boot` layer is (effectively)
//!    hardware-sourced and shows `verified` with the bootloader locked;
//!    otherwise as `software`.
//!
//! A rule with `min-source` turns a passing value from a weaker layer into
//! a `weak-source` failure. A failing value counts from any source.

mod attested;
mod bulletin;
mod claim;
mod ear;
mod error;
mod freshness;
mod policy;
mod presets;
mod replay;

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

pub use attested::Attested;
pub use bulletin::{
    match_key, Advisory, AdvisoryMatch, Bulletin, PatchClaim, PatchRange, Software,
};
pub use ear::{
    labels, AttestationResult, Component, EarProfile, Failure, LayerResult, Reason, Status,
    TrustVector, VerifierId, DEVICE_SUBMOD, EAR_PROFILE, EAR_PROFILE_DRAFT_04,
};
pub use error::{EarError, FreshnessError, PolicyError, ReplayError};
pub use freshness::Freshness;
pub use policy::{
    Action, Actions, ActionsDocument, AdvisorySeverity, BulletinSettings, LabelHex, Policy,
    PolicyDocument, PolicyValue, Rule, RuleDocument, Severity,
};
pub use presets::Preset;
#[cfg(feature = "std")]
pub use replay::MemoryReplayCache;
pub use replay::{
    acceptance_window_secs, replay_capacity, ReplayCache, ReplayId, ReplayIdKind, ReplayPartition,
    CLOCK_CONFIRMATION_SECS, CLOCK_STEP_SECS, DEFAULT_ACCEPTANCE_WINDOW_SECS,
    DEFAULT_REPLAY_PEAK_RATE, IDS_PER_TOKEN,
};

use crate::android::{AndroidEvidence, Binding, Comparison};
use crate::claims::{
    ClaimsSet, EvidenceSource, KeySecurityLevel, Layer, PatchLevel, VerifiedBootState,
};
use crate::time::UnixTime;
use claim::Val;
use policy::Check;

const DAY: i64 = 86_400;

/// The evidence source appraisal credits `layer` with (see the module
/// documentation), or `None` if the layer is absent.
///
/// ```
/// use mtattest::appraisal::effective_source;
/// use mtattest::claims::{
///     BootLayer, ChipLayer, ClaimsSet, EvidenceSource, KeySecurityLevel, Layer, OsLayer,
///     VerifiedBootState,
/// };
///
/// let mut phone = ClaimsSet::builder(1_790_000_000)
///     .chip(ChipLayer::builder(EvidenceSource::Hardware)
///         .key_security_level(KeySecurityLevel::StrongBox)
///         .build())
///     .boot(BootLayer::builder(EvidenceSource::Hardware)
///         .verified_boot_state(VerifiedBootState::Verified)
///         .bootloader_locked(true)
///         .build())
///     .os(OsLayer::builder(EvidenceSource::Kernel).build())
///     .build();
/// assert_eq!(effective_source(&phone, Layer::Os), Some(EvidenceSource::Kernel));
/// // With the bootloader unlocked the kernel's word counts for no more than software.
/// phone.boot.as_mut().unwrap().bootloader_locked = Some(false);
/// assert_eq!(effective_source(&phone, Layer::Os), Some(EvidenceSource::Software));
/// ```
pub fn effective_source(claims: &ClaimsSet, layer: Layer) -> Option<EvidenceSource> {
    effective_source_with(claims, layer, None)
}

/// The effective source of `layer` given the Android evidence (§17.5): a
/// key security level of at least `tee` that the attestation corroborates
/// lifts the key's ceiling, and a verified boot state and a locked
/// bootloader it corroborates make the boot layer trusted, whatever the
/// layers declare.
pub(crate) fn effective_source_with(
    claims: &ClaimsSet,
    layer: Layer,
    binding: Option<&Binding>,
) -> Option<EvidenceSource> {
    let declared = claims.evidence_source(layer)?;
    let ceiling = key_ceiling(claims, binding);
    let capped = declared.min(ceiling);
    if capped == EvidenceSource::Kernel && !boot_trusted(claims, binding) {
        return Some(EvidenceSource::Software);
    }
    Some(capped)
}

fn corroborated(binding: Option<&Binding>, claim: &str) -> bool {
    binding.is_some_and(|b| b.corroborates(claim))
}

fn key_ceiling(claims: &ClaimsSet, binding: Option<&Binding>) -> EvidenceSource {
    let level = claims.chip.as_ref().and_then(|c| c.key_security_level);
    let source = claims.chip.as_ref().map(|c| c.evidence_source);
    let hardware_level = source == Some(EvidenceSource::Hardware)
        || corroborated(binding, "submods.chip.key-security-level");
    if hardware_level && level.is_some_and(|k| k >= KeySecurityLevel::Tee) {
        EvidenceSource::Hardware
    } else {
        EvidenceSource::Software
    }
}

fn boot_trusted(claims: &ClaimsSet, binding: Option<&Binding>) -> bool {
    let Some(boot) = &claims.boot else {
        return false;
    };
    let shows_trusted = boot.verified_boot_state == Some(VerifiedBootState::Verified)
        && boot.bootloader_locked == Some(true);
    let attested = corroborated(binding, "submods.boot.verified-boot-state")
        && corroborated(binding, "submods.boot.bootloader-locked");
    shows_trusted
        && (attested
            || boot.evidence_source.min(key_ceiling(claims, binding)) == EvidenceSource::Hardware)
}

/// What appraisal knows beyond the claims.
pub(crate) struct Context<'a> {
    /// Whether the verifier compared `eat_nonce` with its challenge.
    pub nonce_checked: bool,
    /// The vulnerability feed, if configured.
    pub bulletin: Option<&'a Bulletin>,
    /// Who appraises.
    pub verifier_id: &'a VerifierId,
    /// The Android evidence behind the token, if any (§17).
    pub android: Option<&'a AndroidEvidence>,
}

/// Applies `policy` (and the bulletin) to `claims` at `now`.
pub(crate) fn appraise(
    claims: &ClaimsSet,
    policy: &Policy,
    ctx: &Context<'_>,
    now: UnixTime,
) -> AttestationResult {
    let mut acc = Accumulator::default();
    for rule in policy.rules() {
        match evaluate(rule, claims, ctx, now) {
            None => acc.outcome(rule.layer(), rule.component(), Status::Affirming),
            Some(reason) => acc.fail(reason),
        }
    }
    let binding = ctx.android.map(|a| &a.binding);
    if let Some(required) = policy.android_requirement() {
        match android_requirement(required, ctx.android) {
            None => acc.outcome(None, Some(Component::Hardware), Status::Affirming),
            Some(reason) => acc.fail(reason),
        }
    }
    if let Some(b) = binding {
        for d in b.disagreements() {
            acc.fail(disagreement(claims, b, d));
        }
    }
    if let Some(feed) = ctx.bulletin {
        let settings = policy.bulletin_settings();
        let matches = feed.affecting(claims);
        for m in &matches {
            let Some(status) = settings.status_for(m.advisory.severity) else {
                continue;
            };
            let layer = ear::layer_of(m.claim);
            acc.fail(Reason {
                rule: "bulletin".into(),
                claim: m.claim.into(),
                failure: if m.seen.is_some() {
                    Failure::Vulnerable
                } else {
                    Failure::Missing
                },
                seen: m.seen.clone(),
                required: m.required.clone(),
                evidence_source: layer.and_then(|l| claims.evidence_source(l)),
                effective_source: layer.and_then(|l| effective_source(claims, l)),
                min_source: None,
                status,
                component: Some(Component::Configuration),
                advisory: Some(m.advisory.id.clone()),
            });
        }
        // AR4SI configuration 3 ("no known vulnerabilities") is true only
        // when no advisory matched at all (one the policy ignores is still
        // known), and it is an affirming-tier claim: it is added only to a
        // verdict that rules already gave, never on its own, so that a
        // status derived from the vector cannot read better than none.
        if matches.is_empty() && acc.status != Status::None {
            acc.device.raise(Component::Configuration, 3);
        }
    }
    acc.reasons.sort_by_key(Reason::layer);
    let layers = Layer::ALL
        .into_iter()
        .filter_map(|l| {
            acc.layers
                .iter()
                .find(|(layer, _, _)| *layer == l)
                .map(|(layer, status, tv)| LayerResult {
                    layer: *layer,
                    status: *status,
                    trust_vector: *tv,
                })
        })
        .collect();
    AttestationResult {
        status: acc.status,
        trust_vector: acc.device,
        layers,
        reasons: acc.reasons,
        policy_id: policy.id().into(),
        action: policy.actions().for_status(acc.status),
        verifier_id: ctx.verifier_id.clone(),
        nonce: claims.nonce.as_ref().map(|n| n.as_bytes().to_vec()),
        iat: now.secs(),
        attested: binding.map(attested_values).unwrap_or_default(),
    }
}

/// The policy's `require-android-attestation` (§11.3, §17.7).
fn android_requirement(min: KeySecurityLevel, android: Option<&AndroidEvidence>) -> Option<Reason> {
    let required = format!("an Android Key Attestation at {} or above", min.name());
    let reason = |failure, seen| Reason {
        rule: "android-attestation".into(),
        claim: "android-attestation".into(),
        failure,
        seen,
        required: required.clone(),
        evidence_source: None,
        effective_source: None,
        min_source: None,
        status: Status::Contraindicated,
        component: Some(Component::Hardware),
        advisory: None,
    };
    let Some(evidence) = android else {
        return Some(reason(Failure::Missing, None));
    };
    let level = crate::android::binding::level_claim(evidence.attestation.security_level());
    (level < min).then(|| reason(Failure::Mismatch, Some(level.name().into())))
}

/// A claim the token states otherwise than the hardware (§17.5).
fn disagreement(
    claims: &ClaimsSet,
    binding: &Binding,
    d: &crate::android::AttestedClaim,
) -> Reason {
    let layer = ear::layer_of(d.claim);
    Reason {
        rule: "android-attestation".into(),
        claim: d.claim.into(),
        failure: Failure::Mismatch,
        seen: d.token.clone(),
        required: format!("{} (attested by {})", d.attested, binding.attester),
        evidence_source: layer.and_then(|l| claims.evidence_source(l)),
        effective_source: layer.and_then(|l| effective_source_with(claims, l, Some(binding))),
        min_source: None,
        status: Status::Contraindicated,
        component: claim::resolve(d.claim)
            .ok()
            .and_then(|c| policy::default_component(&c)),
        advisory: None,
    }
}

fn attested_values(binding: &Binding) -> Vec<Attested> {
    binding
        .claims
        .iter()
        .map(|c| Attested {
            claim: c.claim.into(),
            value: c.attested.clone(),
            by: binding.attester.clone(),
            token: match c.comparison {
                Comparison::Agrees => "agrees",
                Comparison::Disagrees => "disagrees",
                Comparison::Omitted => "omitted",
            }
            .into(),
        })
        .collect()
}

#[derive(Default)]
struct Accumulator {
    status: Status,
    device: TrustVector,
    layers: Vec<(Layer, Status, TrustVector)>,
    reasons: Vec<Reason>,
}

impl Accumulator {
    fn outcome(&mut self, layer: Option<Layer>, component: Option<Component>, status: Status) {
        self.status = self.status.max(status);
        if let Some(c) = component {
            self.device.raise(c, c.value_for(status));
        }
        if let Some(layer) = layer {
            let at = match self.layers.iter().position(|(l, _, _)| *l == layer) {
                Some(at) => at,
                None => {
                    self.layers.push((layer, Status::None, TrustVector::new()));
                    self.layers.len() - 1
                }
            };
            if let Some((_, s, tv)) = self.layers.get_mut(at) {
                *s = (*s).max(status);
                if let Some(c) = component {
                    tv.raise(c, c.value_for(status));
                }
            }
        }
    }

    fn fail(&mut self, reason: Reason) {
        self.outcome(reason.layer(), reason.component, reason.status);
        self.reasons.push(reason);
    }
}

/// Evaluates one rule: `None` if it passes, otherwise why not.
fn evaluate(rule: &Rule, claims: &ClaimsSet, ctx: &Context<'_>, now: UnixTime) -> Option<Reason> {
    let kind = rule.claim.kind;
    let value = claim::extract(claims, &rule.claim);
    let layer = rule.layer();
    let binding = ctx.android.map(|a| &a.binding);
    let declared = layer.and_then(|l| claims.evidence_source(l));
    // A value the hardware attested counts as hardware-sourced (§17.5).
    let effective = if corroborated(binding, rule.claim()) {
        Some(EvidenceSource::Hardware)
    } else {
        layer.and_then(|l| effective_source_with(claims, l, binding))
    };
    let reason = |failure: Failure, seen: Option<String>| Reason {
        rule: rule.id().into(),
        claim: rule.claim().into(),
        status: match failure {
            Failure::Missing => rule.severity_when_missing().status(),
            _ => rule.severity().status(),
        },
        failure,
        seen,
        required: required_text(rule, now),
        evidence_source: declared,
        effective_source: effective,
        min_source: rule.min_source(),
        component: rule.component(),
        advisory: None,
    };
    let Some(v) = value else {
        return Some(reason(Failure::Missing, None));
    };
    let mut seen = seen_text(kind, &v, now);
    if rule.claim.name == "evidence-source" && declared != effective {
        if let Some(d) = declared {
            seen = format!("{seen} (declared {})", d.name());
        }
    }
    let passes = match &rule.check {
        Check::Verified => ctx.nonce_checked,
        check => satisfies(check, &v, now),
    };
    if !passes {
        let seen = match rule.check {
            Check::Verified => "not compared with a challenge".into(),
            _ => seen,
        };
        return Some(reason(Failure::Mismatch, Some(seen)));
    }
    match (rule.min_source(), effective) {
        (Some(min), Some(eff)) if eff < min => Some(reason(Failure::WeakSource, Some(seen))),
        (Some(_), None) => Some(reason(Failure::WeakSource, Some(seen))),
        _ => None,
    }
}

fn satisfies(check: &Check, v: &Val, now: UnixTime) -> bool {
    use core::cmp::Ordering;
    let digests = |x: &Val| match x {
        Val::Digests(d) => Some(d.clone()),
        _ => None,
    };
    match check {
        Check::Equals(x) => match (digests(v), digests(x)) {
            (Some(mut have), Some(mut want)) => {
                have.sort();
                have.dedup();
                want.sort();
                want.dedup();
                have == want
            }
            _ => v == x,
        },
        Check::OneOf(xs) => match (digests(v), xs.first().and_then(digests)) {
            (Some(have), Some(allowed)) => {
                !have.is_empty() && have.iter().all(|d| allowed.contains(d))
            }
            _ => xs.contains(v),
        },
        Check::NoneOf(xs) => match (digests(v), xs.first().and_then(digests)) {
            (Some(have), Some(banned)) => !have.iter().any(|d| banned.contains(d)),
            _ => !xs.contains(v),
        },
        Check::AtLeast(x) => v.order(x).is_some_and(|o| o != Ordering::Less),
        Check::AtMost(x) => v.order(x).is_some_and(|o| o != Ordering::Greater),
        Check::MaxAgeDays(n) => match v {
            Val::Patch(p) => !p.is_older_than(*n, now.secs()),
            _ => false,
        },
        Check::MaxAgeSecs(n) => match v {
            Val::Time(t) => i128::from(now.secs()) - i128::from(*t) <= i128::from(*n),
            _ => false,
        },
        Check::Present => true,
        Check::Verified => false,
    }
}

fn seen_text(kind: claim::Kind, v: &Val, now: UnixTime) -> String {
    match v {
        Val::Patch(p) => format!("{p} ({} days old)", p.age_days(now.secs())),
        Val::Time(t) => format!("{t} ({} s old)", i128::from(now.secs()) - i128::from(*t)),
        _ => claim::render(kind, v),
    }
}

fn required_text(rule: &Rule, now: UnixTime) -> String {
    let kind = rule.claim.kind;
    let list = |xs: &[Val]| {
        xs.iter()
            .map(|x| claim::render(kind, x))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match &rule.check {
        Check::Equals(x) => claim::render(kind, x),
        Check::OneOf(xs) => format!("one of: {}", list(xs)),
        Check::NoneOf(xs) => format!("none of: {}", list(xs)),
        Check::AtLeast(x) => format!(">= {}", claim::render(kind, x)),
        Check::AtMost(x) => format!("<= {}", claim::render(kind, x)),
        Check::MaxAgeDays(n) => {
            let day = now.secs().div_euclid(DAY).saturating_sub(i64::from(*n));
            match PatchLevel::from_unix_time(day.saturating_mul(DAY)) {
                Some(cutoff) => format!("at most {n} days old (on or after {cutoff})"),
                None => format!("at most {n} days old"),
            }
        }
        Check::MaxAgeSecs(n) => format!(
            "at most {n} s old (issued at or after {})",
            now.secs().saturating_sub(i64::from(*n))
        ),
        Check::Present => "present".into(),
        Check::Verified => "matches the relying party's challenge".into(),
    }
}
