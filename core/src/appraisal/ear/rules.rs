//! What both serialisations share: a reason's fields, and the rules every
//! decoding applies whatever the serialisation (size, limits, the form,
//! the device submodule, nonce length, vector presence, policy shape, and
//! how the submodules assemble into one result).

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::super::error::EarError;
use super::super::policy::Action;
use super::{
    malformed, AttestationResult, Component, EarProfile, Failure, LayerResult, Reason, Status,
    TrustVector, VerifierId, DEVICE_SUBMOD,
};
use crate::claims::{EvidenceSource, Layer, Nonce};
use crate::error::Error;
use crate::limits::Limits;

/// Limits for decoding EARs: a result with many reasons is larger than a
/// token.
pub(super) const EAR_LIMITS: Limits = Limits {
    max_token_size: crate::limits::MAX_EAR_SIZE,
    max_depth: 16,
    max_items: 16 * 1024,
    max_map_entries: 128,
    max_submod_depth: Limits::DEFAULT.max_submod_depth,
};

/// Refuses an EAR larger than [`crate::limits::MAX_EAR_SIZE`] before parsing.
pub(super) fn check_size(bytes: &[u8]) -> Result<(), EarError> {
    if bytes.len() > crate::limits::MAX_EAR_SIZE {
        return Err(EarError::TooLarge {
            size: bytes.len(),
            max: crate::limits::MAX_EAR_SIZE,
        });
    }
    Ok(())
}

/// One submodule as decoded, before the submodules are assembled.
pub(super) struct Part {
    pub(super) name: String,
    pub(super) status: Status,
    pub(super) tv: TrustVector,
    pub(super) policy_id: String,
    pub(super) reasons: Vec<Reason>,
    pub(super) attested: Vec<crate::appraisal::attested::Attested>,
}

pub(super) fn assemble(
    status: Status,
    action: Action,
    verifier_id: VerifierId,
    nonce: Option<Vec<u8>>,
    iat: i64,
    parts: Vec<Part>,
) -> Result<AttestationResult, Error> {
    let mut device = None;
    let mut by_layer = BTreeMap::new();
    let mut policy = None;
    for p in parts {
        if *policy.get_or_insert_with(|| p.policy_id.clone()) != p.policy_id {
            return Err(malformed("submodules name different policies"));
        }
        let layer = if p.name == DEVICE_SUBMOD {
            None
        } else {
            Some(
                Layer::from_name(&p.name)
                    .ok_or_else(|| malformed(format!("unknown submodule {:?}", p.name)))?,
            )
        };
        if layer.is_some() && !p.attested.is_empty() {
            return Err(malformed(format!(
                "submodule {} holds mtattest.attested, which only the device submodule may",
                p.name
            )));
        }
        if p.reasons.iter().any(|r| r.layer() != layer) {
            return Err(malformed(format!(
                "submodule {} holds a reason about another layer",
                p.name
            )));
        }
        match layer {
            None => device = Some(p),
            Some(l) => {
                by_layer.insert(l, p);
            }
        }
    }
    let device = device.ok_or_else(|| malformed("the device submodule is missing"))?;
    if device.status != status {
        return Err(malformed("ear.status differs from the device submodule's"));
    }
    if by_layer.values().any(|p| p.status > status) {
        return Err(malformed("a layer is worse than the overall status"));
    }
    let mut reasons = device.reasons;
    let attested = device.attested;
    let mut layers = Vec::new();
    for (layer, p) in by_layer {
        layers.push(LayerResult {
            layer,
            status: p.status,
            trust_vector: p.tv,
        });
        reasons.extend(p.reasons);
    }
    Ok(AttestationResult {
        status,
        trust_vector: device.tv,
        layers,
        reasons,
        policy_id: device.policy_id,
        action,
        verifier_id,
        nonce,
        iat,
        attested,
    })
}

/// The form of `eat_profile`, or `ear.wrong-profile`.
pub(super) fn profile_of(profile: String) -> Result<EarProfile, Error> {
    EarProfile::from_profile(&profile)
        .ok_or_else(|| EarError::WrongProfile { found: profile }.into())
}

/// The nonce echoed from the token, which §6.2 bounds to 8..=64 bytes.
pub(super) fn checked_nonce(nonce: Vec<u8>) -> Result<Vec<u8>, Error> {
    if (Nonce::MIN_LEN..=Nonce::MAX_LEN).contains(&nonce.len()) {
        Ok(nonce)
    } else {
        Err(malformed(format!(
            "eat_nonce is {} bytes; a token's nonce is {}..={}",
            nonce.len(),
            Nonce::MIN_LEN,
            Nonce::MAX_LEN
        )))
    }
}

/// `mtattest.reasons` is left out when there are none (§11.6), so an empty
/// array is not one of ours.
pub(super) fn non_empty_reasons<T>(items: &[T]) -> Result<&[T], Error> {
    if items.is_empty() {
        Err(malformed(
            "mtattest.reasons is empty (it is left out when there are none)",
        ))
    } else {
        Ok(items)
    }
}

/// An EAR without the `device` submodule is not one this crate produced:
/// it carries no verdict for the whole terminal and no action.
pub(super) fn not_ours() -> Error {
    malformed("not an mtattest result: the device submodule is missing")
}

/// `exp` in a draft-04 result: an mtattest result has no expiry, and one
/// that claims to expire cannot be decoded without losing that claim.
pub(super) fn exp_refused() -> Error {
    malformed("exp is not supported: an mtattest result has no expiry")
}

/// Refuses an empty vector where the form requires a non-empty one
/// (draft-04 uses the AR4SI `non-empty` vector and leaves it out instead).
pub(super) fn check_tv(
    p: EarProfile,
    present: bool,
    tv: TrustVector,
) -> Result<TrustVector, Error> {
    if p == EarProfile::Veraison2023 && !present {
        return Err(malformed(format!(
            "a submodule has no {} (the {p} form always carries it, empty or not)",
            p.trust_vector_label().0
        )));
    }
    if p == EarProfile::IetfDraft04 && present && tv.is_empty() {
        return Err(malformed(format!(
            "{} is empty (the {p} form leaves an empty vector out)",
            p.trust_vector_label().0
        )));
    }
    Ok(tv)
}

/// The appraisal policy member, whichever its shape.
pub(super) enum PolicyField {
    Missing,
    Text(String),
    Texts(Vec<String>),
    Other,
}

/// The policy id: one text in the 2023 form, an array of exactly one text
/// in draft-04 (an mtattest result is appraised under one policy). The
/// other form's shape is refused, saying so.
pub(super) fn policy_id(p: EarProfile, field: PolicyField) -> Result<String, Error> {
    let label = p.policy_label().0;
    match (p, field) {
        (EarProfile::Veraison2023, PolicyField::Text(t)) => Ok(t),
        (EarProfile::IetfDraft04, PolicyField::Texts(list)) => {
            match <[String; 1]>::try_from(list) {
                Ok([one]) => Ok(one),
                Err(list) if list.is_empty() => Err(malformed(format!("{label} is empty"))),
                Err(list) => Err(malformed(format!(
                    "{label} names {} policies; an mtattest result names one",
                    list.len()
                ))),
            }
        }
        (EarProfile::Veraison2023, PolicyField::Texts(_)) => Err(malformed(format!(
            "{label} is an array of text, the {} form's {}, in a {p} result",
            p.other(),
            p.other().policy_label().0
        ))),
        (EarProfile::IetfDraft04, PolicyField::Text(_)) => Err(malformed(format!(
            "{label} is one text, the {} form's {}, in a {p} result",
            p.other(),
            p.other().policy_label().0
        ))),
        (_, PolicyField::Missing) => Err(malformed(format!("{label} is missing"))),
        (_, _) => Err(malformed(format!("{label} is not of the {p} form's type"))),
    }
}

/// The fields of a reason, as `(name, text value)`; absent ones left out.
pub(super) fn reason_fields(r: &Reason) -> Vec<(&'static str, String)> {
    let mut f = alloc::vec![
        ("rule", r.rule.clone()),
        ("claim", r.claim.clone()),
        ("failure", r.failure.name().to_string()),
    ];
    if let Some(s) = &r.seen {
        f.push(("seen", s.clone()));
    }
    f.push(("required", r.required.clone()));
    let src = |s: &Option<EvidenceSource>| s.map(|s| s.name().to_string());
    for (k, v) in [
        ("evidence-source", src(&r.evidence_source)),
        ("effective-source", src(&r.effective_source)),
        ("min-source", src(&r.min_source)),
    ] {
        if let Some(v) = v {
            f.push((k, v));
        }
    }
    f.push(("status", r.status.name().to_string()));
    if let Some(c) = r.component {
        f.push(("component", c.name().to_string()));
    }
    if let Some(a) = &r.advisory {
        f.push(("advisory", a.clone()));
    }
    f
}

/// The members a reason may have: ear.cddl's `reason` is a closed map, so
/// a decoder refuses any other member rather than dropping it (a reader
/// that kept it would read another result from the same bytes).
const REASON_MEMBERS: [&str; 11] = [
    "rule",
    "claim",
    "failure",
    "required",
    "status",
    "seen",
    "evidence-source",
    "effective-source",
    "min-source",
    "component",
    "advisory",
];

/// A reason from its members: `keys` are the member names as written (None
/// for a key that is not text), `get` reads one member's text.
pub(super) fn reason_from_fields<'k>(
    keys: impl Iterator<Item = Option<&'k str>>,
    get: &dyn Fn(&str) -> Result<Option<String>, Error>,
) -> Result<Reason, Error> {
    for key in keys {
        match key {
            Some(k) if REASON_MEMBERS.contains(&k) => {}
            Some(k) => return Err(malformed(format!("a reason has an unknown member {k:?}"))),
            None => return Err(malformed("a reason has a member whose key is not text")),
        }
    }
    let need = |k: &str| get(k)?.ok_or_else(|| malformed(format!("a reason has no {k}")));
    let source = |k: &str| -> Result<Option<EvidenceSource>, Error> {
        get(k)?
            .map(|s| {
                EvidenceSource::from_name(&s)
                    .ok_or_else(|| malformed(format!("{k} {s:?} is not an evidence source")))
            })
            .transpose()
    };
    Ok(Reason {
        rule: need("rule")?,
        claim: need("claim")?,
        failure: Failure::from_name(&need("failure")?)
            .ok_or_else(|| malformed("unknown failure"))?,
        seen: get("seen")?,
        required: need("required")?,
        evidence_source: source("evidence-source")?,
        effective_source: source("effective-source")?,
        min_source: source("min-source")?,
        status: match Status::from_name(&need("status")?) {
            Some(s @ (Status::Warning | Status::Contraindicated)) => s,
            Some(s) => {
                return Err(malformed(format!(
                    "a reason's status is {s}: only a warning or contraindicated rule is a reason"
                )))
            }
            None => return Err(malformed("unknown reason status")),
        },
        component: get("component")?
            .map(|c| Component::from_name(&c).ok_or_else(|| malformed("unknown component")))
            .transpose()?,
        advisory: get("advisory")?,
    })
}
