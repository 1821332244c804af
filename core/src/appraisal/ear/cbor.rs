//! The CBOR serialisation of the EAR, in either form (spec §11.6).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use ciborium::value::Value;

use super::super::policy::Action;
use super::rules::{
    assemble, check_size, check_tv, checked_nonce, exp_refused, non_empty_reasons, not_ours,
    policy_id, profile_of, reason_fields, reason_from_fields, Part, PolicyField, EAR_LIMITS,
};
use super::{
    labels, malformed, AttestationResult, Component, EarProfile, Reason, Status, TrustVector,
    VerifierId, DEVICE_SUBMOD,
};
use crate::error::Error;

impl AttestationResult {
    // ---- CBOR ----

    /// The EAR as a CBOR value, in the Veraison 2023 form.
    pub fn to_cbor_value(&self) -> Value {
        self.to_cbor_value_as(EarProfile::Veraison2023)
    }

    /// The EAR as a CBOR value, in the form of `profile`.
    pub fn to_cbor_value_as(&self, profile: EarProfile) -> Value {
        let int = |k: i64| Value::Integer(k.into());
        let mut submods = Vec::new();
        let appraisal = |status: Status, tv: &TrustVector, reasons: Vec<&Reason>| {
            let mut m = alloc::vec![(int(profile.status_label().1), int(i64::from(status.code())))];
            if profile == EarProfile::Veraison2023 || !tv.is_empty() {
                m.push((int(profile.trust_vector_label().1), tv_cbor(tv)));
            }
            let policy = match profile {
                EarProfile::Veraison2023 => Value::Text(self.policy_id.clone()),
                EarProfile::IetfDraft04 => {
                    Value::Array(alloc::vec![Value::Text(self.policy_id.clone())])
                }
            };
            m.push((int(profile.policy_label().1), policy));
            if !reasons.is_empty() {
                m.push((
                    int(labels::REASONS.1),
                    Value::Array(reasons.into_iter().map(reason_cbor).collect()),
                ));
            }
            Value::Map(m)
        };
        let mut device = appraisal(
            self.status,
            &self.trust_vector,
            self.reasons_for(None).collect(),
        );
        if let (Value::Map(m), false) = (&mut device, self.attested.is_empty()) {
            m.push((
                int(crate::appraisal::attested::ATTESTED.1),
                crate::appraisal::attested::to_cbor(&self.attested),
            ));
        }
        submods.push((Value::Text(DEVICE_SUBMOD.into()), device));
        for l in &self.layers {
            submods.push((
                Value::Text(l.layer.name().into()),
                appraisal(
                    l.status,
                    &l.trust_vector,
                    self.reasons_for(Some(l.layer)).collect(),
                ),
            ));
        }
        let mut top = alloc::vec![
            (
                int(labels::PROFILE.1),
                Value::Text(profile.profile().into())
            ),
            (int(labels::IAT.1), int(self.iat)),
            (
                int(profile.verifier_id_label().1),
                Value::Map(alloc::vec![
                    (int(0), Value::Text(self.verifier_id.developer.clone())),
                    (int(1), Value::Text(self.verifier_id.build.clone())),
                ]),
            ),
            (
                int(profile.status_label().1),
                int(i64::from(self.status.code()))
            ),
            (
                int(labels::ACTION.1),
                Value::Text(self.action.name().into())
            ),
            (int(labels::SUBMODS.1), Value::Map(submods)),
        ];
        if let Some(n) = &self.nonce {
            top.push((int(labels::NONCE.1), Value::Bytes(n.clone())));
        }
        Value::Map(top)
    }

    /// The EAR in deterministic CBOR, in the Veraison 2023 form.
    pub fn to_cbor(&self) -> Vec<u8> {
        self.to_cbor_as(EarProfile::Veraison2023)
    }

    /// The EAR in deterministic CBOR, in the form of `profile`.
    pub fn to_cbor_as(&self, profile: EarProfile) -> Vec<u8> {
        crate::cbor::encode(&self.to_cbor_value_as(profile))
    }

    /// Decodes an EAR from CBOR produced by [`AttestationResult::to_cbor`]
    /// or [`AttestationResult::to_cbor_as`], in either form: the form is
    /// chosen by `eat_profile`, and the other form's policy shape is refused.
    pub fn from_cbor(bytes: &[u8]) -> Result<AttestationResult, Error> {
        check_size(bytes)?;
        let v = crate::cbor::decode_strict(bytes, &EAR_LIMITS)?;
        let top = cbor_map(&v, "the EAR")?;
        let p = profile_of(cbor_text(top, labels::PROFILE)?)?;
        let submods = cbor_map(
            cbor_get(top, labels::SUBMODS.1).ok_or_else(|| malformed("submods is missing"))?,
            "submods",
        )?;
        if !submods
            .iter()
            .any(|(k, _)| matches!(k, Value::Text(t) if t == DEVICE_SUBMOD))
        {
            return Err(not_ours());
        }
        if p == EarProfile::IetfDraft04 && cbor_get(top, labels::EXP.1).is_some() {
            return Err(exp_refused());
        }
        let iat = cbor_int(top, labels::IAT)?;
        let vid_label = p.verifier_id_label();
        let vid = cbor_map(
            cbor_get(top, vid_label.1)
                .ok_or_else(|| malformed(format!("{} is missing", vid_label.0)))?,
            vid_label.0,
        )?;
        let verifier_id = VerifierId::new(
            cbor_text(vid, ("developer", 0))?,
            cbor_text(vid, ("build", 1))?,
        );
        let nonce = match cbor_get(top, labels::NONCE.1) {
            None => None,
            Some(Value::Bytes(b)) => Some(checked_nonce(b.clone())?),
            Some(_) => return Err(malformed("eat_nonce is not a byte string")),
        };
        let status = cbor_status(p, top)?;
        let action = Action::from_name(&cbor_text(top, labels::ACTION)?)
            .ok_or_else(|| malformed("unknown mtattest.action"))?;
        let mut parts = Vec::new();
        for (k, sub) in submods {
            let Value::Text(name) = k else {
                return Err(malformed("a submodule name is not text"));
            };
            let m = cbor_map(sub, "a submodule")?;
            let reasons = match cbor_get(m, labels::REASONS.1) {
                None => Vec::new(),
                Some(Value::Array(items)) => non_empty_reasons(items)?
                    .iter()
                    .map(reason_from_cbor)
                    .collect::<Result<Vec<_>, _>>()?,
                Some(_) => return Err(malformed("mtattest.reasons is not an array")),
            };
            let tv = cbor_get(m, p.trust_vector_label().1);
            let attested = match cbor_get(m, crate::appraisal::attested::ATTESTED.1) {
                None => Vec::new(),
                Some(a) => crate::appraisal::attested::from_cbor(a)?,
            };
            parts.push(Part {
                name: name.clone(),
                status: cbor_status(p, m)?,
                tv: check_tv(p, tv.is_some(), tv_from_cbor(tv)?)?,
                policy_id: policy_id(p, policy_field_cbor(cbor_get(m, p.policy_label().1)))?,
                reasons,
                attested,
            });
        }
        assemble(status, action, verifier_id, nonce, iat, parts)
    }
}

fn policy_field_cbor(v: Option<&Value>) -> PolicyField {
    match v {
        None => PolicyField::Missing,
        Some(Value::Text(s)) => PolicyField::Text(s.clone()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| match i {
                Value::Text(t) => Some(t.clone()),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
            .map_or(PolicyField::Other, PolicyField::Texts),
        Some(_) => PolicyField::Other,
    }
}

fn tv_cbor(tv: &TrustVector) -> Value {
    Value::Map(
        tv.iter()
            .map(|(c, v)| (Value::Integer(c.key().into()), Value::Integer(v.into())))
            .collect(),
    )
}

fn tv_from_cbor(v: Option<&Value>) -> Result<TrustVector, Error> {
    let mut tv = TrustVector::new();
    let Some(v) = v else { return Ok(tv) };
    for (k, v) in cbor_map(v, "the trustworthiness vector")? {
        let c = k
            .as_integer()
            .and_then(|k| Component::from_key(i128::from(k)))
            .ok_or_else(|| malformed("unknown trustworthiness claim key"))?;
        let value = v
            .as_integer()
            .and_then(|n| i8::try_from(i128::from(n)).ok())
            .ok_or_else(|| malformed("a trustworthiness value is not an AR4SI value"))?;
        tv.set(c, value);
    }
    Ok(tv)
}

fn reason_cbor(r: &Reason) -> Value {
    Value::Map(
        reason_fields(r)
            .into_iter()
            .map(|(k, v)| (Value::Text(k.into()), Value::Text(v)))
            .collect(),
    )
}

fn reason_from_cbor(v: &Value) -> Result<Reason, Error> {
    let m = cbor_map(v, "a reason")?;
    let keys = m.iter().map(|(k, _)| match k {
        Value::Text(t) => Some(t.as_str()),
        _ => None,
    });
    reason_from_fields(keys, &|k| match m
        .iter()
        .find(|(key, _)| matches!(key, Value::Text(t) if t == k))
    {
        None => Ok(None),
        Some((_, Value::Text(s))) => Ok(Some(s.clone())),
        Some(_) => Err(malformed(format!("reason field {k} is not text"))),
    })
}

fn cbor_map<'a>(v: &'a Value, what: &str) -> Result<&'a [(Value, Value)], Error> {
    match v {
        Value::Map(m) => Ok(m),
        _ => Err(malformed(format!("{what} is not a map"))),
    }
}

fn cbor_get(m: &[(Value, Value)], key: i64) -> Option<&Value> {
    m.iter()
        .find(|(k, _)| {
            k.as_integer()
                .is_some_and(|k| i128::from(k) == i128::from(key))
        })
        .map(|(_, v)| v)
}

fn cbor_text(m: &[(Value, Value)], label: (&str, i64)) -> Result<String, Error> {
    match cbor_get(m, label.1) {
        Some(Value::Text(t)) => Ok(t.clone()),
        _ => Err(malformed(format!("{} is missing or not text", label.0))),
    }
}

fn cbor_int(m: &[(Value, Value)], label: (&str, i64)) -> Result<i64, Error> {
    cbor_get(m, label.1)
        .and_then(|v| v.as_integer())
        .and_then(|i| i64::try_from(i).ok())
        .ok_or_else(|| malformed(format!("{} is missing or not an integer", label.0)))
}

fn cbor_status(p: EarProfile, m: &[(Value, Value)]) -> Result<Status, Error> {
    let label = p.status_label();
    let code = cbor_int(m, label)?;
    match Status::from_code(code) {
        Some(s) if s.code() == i8::try_from(code).unwrap_or(i8::MIN) => Ok(s),
        _ => Err(malformed(format!("{} {code} is not a tier code", label.0))),
    }
}
