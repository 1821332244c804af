//! The JSON serialisation of the EAR, in either form (spec §11.6).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use base64::Engine as _;

use super::super::policy::Action;
use super::rules::{
    assemble, check_size, check_tv, checked_nonce, exp_refused, non_empty_reasons, not_ours,
    policy_id, profile_of, reason_fields, reason_from_fields, Part, PolicyField,
};
use super::{
    labels, malformed, AttestationResult, Component, EarProfile, Reason, Status, TrustVector,
    VerifierId, DEVICE_SUBMOD,
};
use crate::error::Error;

type JsonMap = serde_json::Map<String, serde_json::Value>;

/// `eat_nonce` in JSON: base64url without padding.
fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
}

impl AttestationResult {
    /// The EAR as a JSON value, in the Veraison 2023 form.
    pub fn to_json_value(&self) -> serde_json::Value {
        self.to_json_value_as(EarProfile::Veraison2023)
    }

    /// The EAR as a JSON value, in the form of `profile`.
    pub fn to_json_value_as(&self, profile: EarProfile) -> serde_json::Value {
        use serde_json::Value as J;
        let appraisal = |status: Status, tv: &TrustVector, reasons: Vec<&Reason>| {
            let mut m = JsonMap::new();
            m.insert(profile.status_label().0.into(), J::from(status.name()));
            if profile == EarProfile::Veraison2023 || !tv.is_empty() {
                m.insert(profile.trust_vector_label().0.into(), tv_json(tv));
            }
            let policy = match profile {
                EarProfile::Veraison2023 => J::from(self.policy_id.as_str()),
                EarProfile::IetfDraft04 => J::Array(alloc::vec![J::from(self.policy_id.as_str())]),
            };
            m.insert(profile.policy_label().0.into(), policy);
            put_reasons_json(&mut m, reasons.into_iter());
            J::Object(m)
        };
        let mut submods = JsonMap::new();
        let mut device = appraisal(
            self.status,
            &self.trust_vector,
            self.reasons_for(None).collect(),
        );
        if let (J::Object(m), false) = (&mut device, self.attested.is_empty()) {
            m.insert(
                crate::appraisal::attested::ATTESTED.0.into(),
                crate::appraisal::attested::to_json(&self.attested),
            );
        }
        submods.insert(DEVICE_SUBMOD.into(), device);
        for l in &self.layers {
            submods.insert(
                l.layer.name().into(),
                appraisal(
                    l.status,
                    &l.trust_vector,
                    self.reasons_for(Some(l.layer)).collect(),
                ),
            );
        }
        let mut top = JsonMap::new();
        top.insert(labels::PROFILE.0.into(), J::from(profile.profile()));
        top.insert(labels::IAT.0.into(), J::from(self.iat));
        let mut vid = JsonMap::new();
        vid.insert(
            "developer".into(),
            J::from(self.verifier_id.developer.as_str()),
        );
        vid.insert("build".into(), J::from(self.verifier_id.build.as_str()));
        top.insert(profile.verifier_id_label().0.into(), J::Object(vid));
        if let Some(n) = &self.nonce {
            top.insert(labels::NONCE.0.into(), J::from(b64().encode(n)));
        }
        top.insert(profile.status_label().0.into(), J::from(self.status.name()));
        top.insert(labels::ACTION.0.into(), J::from(self.action.name()));
        top.insert(labels::SUBMODS.0.into(), J::Object(submods));
        J::Object(top)
    }

    /// The EAR as pretty-printed JSON, in the Veraison 2023 form.
    pub fn to_json(&self) -> String {
        self.to_json_as(EarProfile::Veraison2023)
    }

    /// The EAR as pretty-printed JSON, in the form of `profile`.
    pub fn to_json_as(&self, profile: EarProfile) -> String {
        serde_json::to_string_pretty(&self.to_json_value_as(profile)).unwrap_or_default()
    }

    /// Decodes an EAR from JSON produced by [`AttestationResult::to_json`]
    /// or [`AttestationResult::to_json_as`], in either form.
    pub fn from_json(bytes: &[u8]) -> Result<AttestationResult, Error> {
        check_size(bytes)?;
        let v: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| malformed(format!("not JSON: {e}")))?;
        Self::from_json_value(&v)
    }

    /// Decodes an EAR from a JSON value, in either form: the form is chosen
    /// by `eat_profile`, and a label of the other form is refused.
    pub fn from_json_value(v: &serde_json::Value) -> Result<AttestationResult, Error> {
        let top = v
            .as_object()
            .ok_or_else(|| malformed("not a JSON object"))?;
        let text = |m: &JsonMap, k: &str| -> Result<String, Error> {
            m.get(k)
                .and_then(|v| v.as_str())
                .map(String::from)
                .ok_or_else(|| malformed(format!("{k} is missing or not text")))
        };
        let p = profile_of(text(top, labels::PROFILE.0)?)?;
        let submods = top
            .get(labels::SUBMODS.0)
            .and_then(|v| v.as_object())
            .ok_or_else(|| malformed("submods is missing"))?;
        // Spec §11.6: not ours is said before anything else is read, as
        // for CBOR.
        if !submods.contains_key(DEVICE_SUBMOD) {
            return Err(not_ours());
        }
        check_json_labels(p, top, "the top level")?;
        for (name, sub) in submods {
            if let Some(m) = sub.as_object() {
                check_json_labels(p, m, &format!("submodule {name}"))?;
            }
        }
        if p == EarProfile::IetfDraft04 && top.contains_key(labels::EXP.0) {
            return Err(exp_refused());
        }
        let iat = top
            .get(labels::IAT.0)
            .and_then(|v| v.as_i64())
            .ok_or_else(|| malformed("iat is missing or not an integer"))?;
        let vid_label = p.verifier_id_label().0;
        let vid = top
            .get(vid_label)
            .and_then(|v| v.as_object())
            .ok_or_else(|| malformed(format!("{vid_label} is missing")))?;
        let verifier_id = VerifierId::new(text(vid, "developer")?, text(vid, "build")?);
        let nonce = match top.get(labels::NONCE.0) {
            None => None,
            Some(n) => Some(
                n.as_str()
                    .and_then(|s| b64().decode(s).ok())
                    .ok_or_else(|| malformed("eat_nonce is not base64url"))
                    .and_then(checked_nonce)?,
            ),
        };
        let status = json_status(p, top.get(p.status_label().0))?;
        let action = Action::from_name(&text(top, labels::ACTION.0)?)
            .ok_or_else(|| malformed("unknown mtattest.action"))?;
        let mut parts = Vec::new();
        for (name, sub) in submods {
            let m = sub
                .as_object()
                .ok_or_else(|| malformed(format!("submodule {name} is not an object")))?;
            let reasons = match m.get(labels::REASONS.0) {
                None => Vec::new(),
                Some(r) => non_empty_reasons(
                    r.as_array()
                        .ok_or_else(|| malformed("mtattest.reasons is not an array"))?,
                )?
                .iter()
                .map(reason_from_json)
                .collect::<Result<Vec<_>, _>>()?,
            };
            let tv = m.get(p.trust_vector_label().0);
            let attested = match m.get(crate::appraisal::attested::ATTESTED.0) {
                None => Vec::new(),
                Some(a) => crate::appraisal::attested::from_json(a)?,
            };
            parts.push(Part {
                name: name.clone(),
                status: json_status(p, m.get(p.status_label().0))?,
                tv: check_tv(p, tv.is_some(), tv_from_json(tv)?)?,
                policy_id: policy_id(p, policy_field_json(m.get(p.policy_label().0)))?,
                reasons,
                attested,
            });
        }
        assemble(status, action, verifier_id, nonce, iat, parts)
    }
}

fn tv_json(tv: &TrustVector) -> serde_json::Value {
    let mut m = JsonMap::new();
    for (c, v) in tv.iter() {
        m.insert(c.name().into(), serde_json::Value::from(v));
    }
    serde_json::Value::Object(m)
}

fn tv_from_json(v: Option<&serde_json::Value>) -> Result<TrustVector, Error> {
    let mut tv = TrustVector::new();
    let Some(v) = v else { return Ok(tv) };
    let m = v
        .as_object()
        .ok_or_else(|| malformed("the trustworthiness vector is not an object"))?;
    for (k, v) in m {
        let c = Component::from_name(k)
            .ok_or_else(|| malformed(format!("unknown trustworthiness claim {k:?}")))?;
        let value = v
            .as_i64()
            .and_then(|n| i8::try_from(n).ok())
            .ok_or_else(|| malformed(format!("{k} is not an AR4SI value")))?;
        tv.set(c, value);
    }
    Ok(tv)
}

fn json_status(p: EarProfile, v: Option<&serde_json::Value>) -> Result<Status, Error> {
    v.and_then(|v| v.as_str())
        .and_then(Status::from_name)
        .ok_or_else(|| malformed(format!("{} is missing or unknown", p.status_label().0)))
}

/// Refuses a JSON label of the other form (its prefix is `ear.` in the 2023
/// form, `ear_` in draft-04) among the members of `m`.
fn check_json_labels(p: EarProfile, m: &JsonMap, place: &str) -> Result<(), Error> {
    let other = p.other();
    match m.keys().find(|k| k.starts_with(other.label_prefix())) {
        None => Ok(()),
        Some(k) => Err(malformed(format!(
            "{place} has {k:?}, a label of the {other} form, in a {p} result (eat_profile {})",
            p.profile()
        ))),
    }
}

fn policy_field_json(v: Option<&serde_json::Value>) -> PolicyField {
    match v {
        None => PolicyField::Missing,
        Some(serde_json::Value::String(s)) => PolicyField::Text(s.clone()),
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .map(|i| i.as_str().map(String::from))
            .collect::<Option<Vec<_>>>()
            .map_or(PolicyField::Other, PolicyField::Texts),
        Some(_) => PolicyField::Other,
    }
}

fn put_reasons_json<'a>(m: &mut JsonMap, reasons: impl Iterator<Item = &'a Reason>) {
    let list: Vec<serde_json::Value> = reasons.map(reason_json).collect();
    if !list.is_empty() {
        m.insert(labels::REASONS.0.into(), serde_json::Value::Array(list));
    }
}

fn reason_json(r: &Reason) -> serde_json::Value {
    let mut m = JsonMap::new();
    for (k, v) in reason_fields(r) {
        m.insert(k.into(), serde_json::Value::from(v));
    }
    serde_json::Value::Object(m)
}

fn reason_from_json(v: &serde_json::Value) -> Result<Reason, Error> {
    let m = v
        .as_object()
        .ok_or_else(|| malformed("a reason is not an object"))?;
    reason_from_fields(m.keys().map(|k| Some(k.as_str())), &|k| match m.get(k) {
        None => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(malformed(format!("reason field {k} is not text"))),
    })
}
