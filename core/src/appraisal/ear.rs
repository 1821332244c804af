//! The attestation result, in the shape of an EAT Attestation Result (EAR,
//! draft-ietf-rats-ear) with an AR4SI trustworthiness vector: JSON and CBOR
//! serialisations, COSE_Sign1 signing and verification, in either form of
//! [`EarProfile`] (profile `tag:github.com,2023:veraison/ear` by default, or
//! `tag:ietf.org,2026:rats/ear#04`).
//!
//! The EAR has one submodule per appraised layer (`chip`, `boot`, `os`,
//! `app`, `runtime`) and one named `device` for the terminal as a whole:
//! its status and vector summarise every layer (so it is never better than
//! the worst layer), and it carries the reasons about top-level claims.
//! The overall status is repeated at the top level (`ear.status`, or
//! `ear_status` in draft-04). Each
//! reason sits in the submodule of the layer its claim belongs to.
//! `spec/appraisal.md` gives every label.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use base64::Engine as _;
use ciborium::value::Value;
use serde::{Deserialize, Serialize};

use super::ear_profile::EarProfile;
use super::error::EarError;
use super::policy::Action;
use crate::claims::{EvidenceSource, Layer, Nonce};
use crate::crypto::{CryptoProvider, PublicKey, Signer};
use crate::error::Error;
use crate::limits::Limits;
use crate::token::{DecodeOptions, Token, TokenBuilder};

/// The name of the submodule that describes the whole terminal.
pub const DEVICE_SUBMOD: &str = "device";

/// CBOR and JSON labels of the EAR. Unsuffixed: the Veraison 2023 form (and
/// the labels both forms share); suffixed `_04`: draft-ietf-rats-ear-04.
pub mod labels {
    /// `eat_profile` (CBOR 265).
    pub const PROFILE: (&str, i64) = ("eat_profile", 265);
    /// `iat` (CBOR 6): when the appraisal was made.
    pub const IAT: (&str, i64) = ("iat", 6);
    /// `eat_nonce` (CBOR 10): the token's nonce, base64url in JSON.
    pub const NONCE: (&str, i64) = ("eat_nonce", 10);
    /// `submods` (CBOR 266).
    pub const SUBMODS: (&str, i64) = ("submods", 266);
    /// `ear.status` (CBOR 1000): in every submodule, and overall at the top.
    pub const STATUS: (&str, i64) = ("ear.status", 1000);
    /// `ear.trustworthiness-vector` (CBOR 1001).
    pub const TRUST_VECTOR: (&str, i64) = ("ear.trustworthiness-vector", 1001);
    /// `ear.appraisal-policy-id` (CBOR 1003).
    pub const POLICY_ID: (&str, i64) = ("ear.appraisal-policy-id", 1003);
    /// `ear.verifier-id` (CBOR 1004): `{developer (0), build (1)}`.
    pub const VERIFIER_ID: (&str, i64) = ("ear.verifier-id", 1004);
    /// draft-04 `ear_status` (CBOR 1000).
    pub const STATUS_04: (&str, i64) = ("ear_status", 1000);
    /// draft-04 `ear_trustworthiness_vector` (CBOR 1001).
    pub const TRUST_VECTOR_04: (&str, i64) = ("ear_trustworthiness_vector", 1001);
    /// draft-04 `ear_appraisal_policy_ids` (CBOR 1003): an array of text.
    pub const POLICY_IDS_04: (&str, i64) = ("ear_appraisal_policy_ids", 1003);
    /// draft-04 `ear_verifier_id` (CBOR 1004): `{developer (0), build (1)}`.
    pub const VERIFIER_ID_04: (&str, i64) = ("ear_verifier_id", 1004);
    /// `exp` (CBOR 4): never produced; refused in a draft-04 result.
    pub const EXP: (&str, i64) = ("exp", 4);
    /// mtattest extension (both forms): the relying party's action for the
    /// status; a `$$ear-extension` member in draft-04.
    pub const ACTION: (&str, i64) = ("mtattest.action", -80100);
    /// mtattest extension (both forms): the reasons of a submodule; a
    /// `$$ear-appraisal-extension` member in draft-04.
    pub const REASONS: (&str, i64) = ("mtattest.reasons", -80101);
}

/// An AR4SI trustworthiness tier, the EAR `ear.status`. Ordered from no
/// assertion to the worst: the overall status is the maximum.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// No assertion (nothing was appraised).
    #[default]
    None,
    /// Every appraised rule passed.
    Affirming,
    /// A rule whose failure means "warning" failed.
    Warning,
    /// A rule whose failure means "contraindicated" failed.
    Contraindicated,
}

impl Status {
    /// The AR4SI code: 0, 2, 32 or 96.
    pub const fn code(self) -> i8 {
        match self {
            Status::None => 0,
            Status::Affirming => 2,
            Status::Warning => 32,
            Status::Contraindicated => 96,
        }
    }

    /// The status of an AR4SI code's tier (`None` for codes outside any).
    pub fn from_code(code: i64) -> Option<Status> {
        Some(match code {
            -1..=1 => Status::None,
            2..=31 | -32..=-2 => Status::Affirming,
            32..=95 | -96..=-33 => Status::Warning,
            96..=127 | -128..=-97 => Status::Contraindicated,
            _ => return None,
        })
    }

    /// The name: `none`, `affirming`, `warning` or `contraindicated`.
    pub const fn name(self) -> &'static str {
        match self {
            Status::None => "none",
            Status::Affirming => "affirming",
            Status::Warning => "warning",
            Status::Contraindicated => "contraindicated",
        }
    }

    fn from_name(name: &str) -> Option<Status> {
        [
            Status::None,
            Status::Affirming,
            Status::Warning,
            Status::Contraindicated,
        ]
        .into_iter()
        .find(|s| s.name() == name)
    }
}

impl core::fmt::Display for Status {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

/// An AR4SI trustworthiness claim (a component of the vector).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Component {
    /// The attesting environment's identity (CBOR 0).
    InstanceIdentity,
    /// Configuration, including known vulnerabilities (CBOR 1).
    Configuration,
    /// Executables loaded at boot and run time (CBOR 2).
    Executables,
    /// Files found on the device (CBOR 3).
    FileSystem,
    /// Hardware and firmware (CBOR 4).
    Hardware,
    /// Whether memory is opaque to other parties at run time (CBOR 5).
    RuntimeOpaque,
    /// Whether persistent secrets are encrypted (CBOR 6).
    StorageOpaque,
    /// Data sourced from other systems (CBOR 7).
    SourcedData,
}

impl Component {
    /// All components, in CBOR key order.
    pub const ALL: [Component; 8] = [
        Component::InstanceIdentity,
        Component::Configuration,
        Component::Executables,
        Component::FileSystem,
        Component::Hardware,
        Component::RuntimeOpaque,
        Component::StorageOpaque,
        Component::SourcedData,
    ];

    /// The CBOR key (0..=7).
    pub const fn key(self) -> u8 {
        self as u8
    }

    /// The JSON name, e.g. `file-system`.
    pub const fn name(self) -> &'static str {
        match self {
            Component::InstanceIdentity => "instance-identity",
            Component::Configuration => "configuration",
            Component::Executables => "executables",
            Component::FileSystem => "file-system",
            Component::Hardware => "hardware",
            Component::RuntimeOpaque => "runtime-opaque",
            Component::StorageOpaque => "storage-opaque",
            Component::SourcedData => "sourced-data",
        }
    }

    fn from_name(name: &str) -> Option<Component> {
        Component::ALL.into_iter().find(|c| c.name() == name)
    }

    fn from_key(key: i128) -> Option<Component> {
        Component::ALL
            .into_iter()
            .find(|c| i128::from(c.key()) == key)
    }

    /// The AR4SI value this crate assigns for `status` on this component:
    /// 2 when affirming; for a warning 33 on `executables` ("not
    /// recognised"), -33 on `instance-identity` (which has no standard
    /// warning) and 32 elsewhere; 96 when contraindicated; 0 for none.
    pub const fn value_for(self, status: Status) -> i8 {
        match (status, self) {
            (Status::None, _) => 0,
            (Status::Affirming, _) => 2,
            (Status::Warning, Component::Executables) => 33,
            (Status::Warning, Component::InstanceIdentity) => -33,
            (Status::Warning, _) => 32,
            (Status::Contraindicated, _) => 96,
        }
    }
}

/// An AR4SI trustworthiness vector: a value per component, or none.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TrustVector([Option<i8>; 8]);

impl TrustVector {
    /// An empty vector (no claims).
    pub const fn new() -> TrustVector {
        TrustVector([None; 8])
    }

    /// The value of `component`, if asserted.
    pub fn get(&self, component: Component) -> Option<i8> {
        self.0.get(usize::from(component.key())).copied().flatten()
    }

    /// Sets `component` to `value`.
    pub fn set(&mut self, component: Component, value: i8) {
        if let Some(slot) = self.0.get_mut(usize::from(component.key())) {
            *slot = Some(value);
        }
    }

    /// Raises `component` to `value` if `value` is in a worse tier than the
    /// current one (AR4SI §"Assigning a Trustworthiness Claim value": the
    /// worst tier wins; within a tier the first value stays).
    pub fn raise(&mut self, component: Component, value: i8) {
        let tier = |v: i8| Status::from_code(i64::from(v)).unwrap_or(Status::None);
        match self.get(component) {
            Some(old) if tier(old) >= tier(value) => {}
            _ => self.set(component, value),
        }
    }

    /// The asserted components and their values, in CBOR key order.
    pub fn iter(&self) -> impl Iterator<Item = (Component, i8)> + '_ {
        Component::ALL
            .into_iter()
            .filter_map(|c| self.get(c).map(|v| (c, v)))
    }

    /// Whether no component is asserted.
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(Option::is_none)
    }

    /// The worst tier among the asserted values (`None` if empty).
    pub fn worst(&self) -> Status {
        self.iter()
            .filter_map(|(_, v)| Status::from_code(i64::from(v)))
            .max()
            .unwrap_or(Status::None)
    }
}

/// How a rule failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Failure {
    /// The claim's value does not satisfy the rule.
    Mismatch,
    /// The claim is absent (an absent claim never passes).
    Missing,
    /// The value satisfies the rule, but its layer's effective evidence
    /// source is below the rule's minimum (spec §14.1): good news from a
    /// source that could have forged it.
    WeakSource,
    /// The device matches a vulnerability advisory.
    Vulnerable,
}

impl Failure {
    /// The name, e.g. `weak-source`.
    pub const fn name(self) -> &'static str {
        match self {
            Failure::Mismatch => "mismatch",
            Failure::Missing => "missing",
            Failure::WeakSource => "weak-source",
            Failure::Vulnerable => "vulnerable",
        }
    }

    fn from_name(name: &str) -> Option<Failure> {
        [
            Failure::Mismatch,
            Failure::Missing,
            Failure::WeakSource,
            Failure::Vulnerable,
        ]
        .into_iter()
        .find(|f| f.name() == name)
    }
}

/// Why a rule (or an advisory) did not pass.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Reason {
    /// The rule's id (`bulletin` for an advisory).
    pub rule: String,
    /// The claim's path, e.g. `submods.boot.bootloader-locked`.
    pub claim: String,
    /// How it failed.
    pub failure: Failure,
    /// The value seen, as text; `None` when the claim is absent.
    pub seen: Option<String>,
    /// What the rule requires, as text (e.g. `>= tee`).
    pub required: String,
    /// The evidence source the claim's layer declares (`None` for
    /// top-level claims).
    pub evidence_source: Option<EvidenceSource>,
    /// The source appraisal credited the layer with after weighing
    /// (spec §14.1); may be lower than the declared one.
    pub effective_source: Option<EvidenceSource>,
    /// The rule's minimum source, if it has one.
    pub min_source: Option<EvidenceSource>,
    /// The status this failure gives (warning or contraindicated).
    pub status: Status,
    /// The trustworthiness claim it lowers, if any.
    pub component: Option<Component>,
    /// The advisory id, for a vulnerability.
    pub advisory: Option<String>,
}

impl Reason {
    /// The layer the claim belongs to (`None` for a top-level claim).
    pub fn layer(&self) -> Option<Layer> {
        layer_of(&self.claim)
    }
}

pub(crate) fn layer_of(path: &str) -> Option<Layer> {
    let rest = path.strip_prefix("submods.")?;
    let name = rest.split('.').next()?;
    Layer::from_name(name)
}

/// The appraised outcome of one layer.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LayerResult {
    /// The layer.
    pub layer: Layer,
    /// Its status: the worst of its rules.
    pub status: Status,
    /// The trustworthiness claims its rules speak to.
    pub trust_vector: TrustVector,
}

/// Who produced the result (`ear.verifier-id`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct VerifierId {
    /// The organisation responsible for the verifier.
    pub developer: String,
    /// The software build.
    pub build: String,
}

impl VerifierId {
    /// A verifier identity.
    pub fn new(developer: impl Into<String>, build: impl Into<String>) -> VerifierId {
        VerifierId {
            developer: developer.into(),
            build: build.into(),
        }
    }
}

impl Default for VerifierId {
    /// `mtattest` and this crate's version.
    fn default() -> Self {
        VerifierId::new("mtattest", concat!("mtattest ", env!("CARGO_PKG_VERSION")))
    }
}

/// An attestation result: the overall verdict, per-layer outcomes, and a
/// reason for every rule that did not pass.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttestationResult {
    /// The overall status: the worst of every layer and top-level rule.
    pub status: Status,
    /// The whole terminal's trustworthiness vector.
    pub trust_vector: TrustVector,
    /// The appraised layers, bottom up.
    pub layers: Vec<LayerResult>,
    /// Every failed rule, top-level claims first, then by layer, in policy
    /// order within each.
    pub reasons: Vec<Reason>,
    /// The policy's id.
    pub policy_id: String,
    /// What the policy says the relying party should do.
    pub action: Action,
    /// Who appraised.
    pub verifier_id: VerifierId,
    /// The token's nonce.
    pub nonce: Option<Vec<u8>>,
    /// When the appraisal was made, epoch seconds.
    pub iat: i64,
    /// The claim values secure hardware attested (spec §17.5), reported in
    /// the `device` submodule as `mtattest.attested`.
    pub attested: Vec<super::attested::Attested>,
}

type JsonMap = serde_json::Map<String, serde_json::Value>;

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
}

fn malformed(reason: impl Into<String>) -> Error {
    EarError::Malformed {
        reason: reason.into(),
    }
    .into()
}

impl AttestationResult {
    /// The result of a layer, if it was appraised.
    pub fn layer(&self, layer: Layer) -> Option<&LayerResult> {
        self.layers.iter().find(|l| l.layer == layer)
    }

    /// The reasons about claims of `layer` (`None`: top-level claims).
    pub fn reasons_for(&self, layer: Option<Layer>) -> impl Iterator<Item = &Reason> {
        self.reasons.iter().filter(move |r| r.layer() == layer)
    }

    // ---- JSON ----

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
                super::attested::ATTESTED.0.into(),
                super::attested::to_json(&self.attested),
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
            let attested = match m.get(super::attested::ATTESTED.0) {
                None => Vec::new(),
                Some(a) => super::attested::from_json(a)?,
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
                int(super::attested::ATTESTED.1),
                super::attested::to_cbor(&self.attested),
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
            let attested = match cbor_get(m, super::attested::ATTESTED.1) {
                None => Vec::new(),
                Some(a) => super::attested::from_cbor(a)?,
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

    // ---- COSE ----

    /// Signs the CBOR EAR (Veraison 2023 form) as a COSE_Sign1 (tag 18)
    /// with `signer` (ES384 for a P-384 key), so a gateway can forward it to
    /// back ends.
    pub fn sign(&self, signer: &dyn Signer) -> Result<Vec<u8>, Error> {
        self.sign_as(EarProfile::Veraison2023, signer)
    }

    /// Signs the CBOR EAR in the form of `profile` as a COSE_Sign1, like
    /// [`AttestationResult::sign`].
    ///
    /// ```
    /// use mtattest::appraisal::{
    ///     Action, AttestationResult, EarProfile, Status, TrustVector, VerifierId,
    /// };
    /// use mtattest::crypto::{Algorithm, RustCrypto, SoftwareSigner};
    ///
    /// let result = AttestationResult {
    ///     status: Status::Affirming,
    ///     trust_vector: TrustVector::new(),
    ///     layers: Vec::new(),
    ///     reasons: Vec::new(),
    ///     policy_id: "payment".into(),
    ///     action: Action::Allow,
    ///     verifier_id: VerifierId::default(),
    ///     nonce: None,
    ///     iat: 1_790_000_000,
    ///     attested: Vec::new(),
    /// };
    /// // The draft-04 form: `ear_` labels and an array of policy ids.
    /// let json = result.to_json_value_as(EarProfile::IetfDraft04);
    /// assert_eq!(json["eat_profile"], "tag:ietf.org,2026:rats/ear#04");
    /// assert_eq!(json["submods"]["device"]["ear_appraisal_policy_ids"][0], "payment");
    /// let text = result.to_json_as(EarProfile::IetfDraft04);
    /// assert_eq!(AttestationResult::from_json(text.as_bytes()).unwrap(), result);
    ///
    /// let cbor = result.to_cbor_as(EarProfile::IetfDraft04);
    /// assert_eq!(AttestationResult::from_cbor(&cbor).unwrap(), result);
    ///
    /// let key = SoftwareSigner::from_secret_bytes(Algorithm::Es384, &[9; 48]).unwrap();
    /// let signed = result.sign_as(EarProfile::IetfDraft04, &key).unwrap();
    /// let back = AttestationResult::verify_signed(&signed, &key.public_key(), &RustCrypto).unwrap();
    /// assert_eq!(back, result);
    /// ```
    pub fn sign_as(&self, profile: EarProfile, signer: &dyn Signer) -> Result<Vec<u8>, Error> {
        TokenBuilder::new().sign_payload(self.to_cbor_as(profile), signer)
    }

    /// Checks a signed EAR's envelope and signature under `key` and decodes
    /// it, in either form. A tampered or re-signed result fails with
    /// `token.bad-signature`.
    ///
    /// ```
    /// use mtattest::appraisal::{Action, AttestationResult, Status, TrustVector, VerifierId};
    /// use mtattest::crypto::{Algorithm, RustCrypto, SoftwareSigner};
    ///
    /// let result = AttestationResult {
    ///     status: Status::Affirming,
    ///     trust_vector: TrustVector::new(),
    ///     layers: Vec::new(),
    ///     reasons: Vec::new(),
    ///     policy_id: "payment".into(),
    ///     action: Action::Allow,
    ///     verifier_id: VerifierId::default(),
    ///     nonce: None,
    ///     iat: 1_790_000_000,
    ///     attested: Vec::new(),
    /// };
    /// let key = SoftwareSigner::from_secret_bytes(Algorithm::Es384, &[9; 48]).unwrap();
    /// let signed = result.sign(&key).unwrap();
    /// let back = AttestationResult::verify_signed(&signed, &key.public_key(), &RustCrypto).unwrap();
    /// assert_eq!(back, result);
    /// ```
    pub fn verify_signed(
        bytes: &[u8],
        key: &PublicKey,
        crypto: &dyn CryptoProvider,
    ) -> Result<AttestationResult, Error> {
        let options = DecodeOptions {
            limits: EAR_LIMITS,
            ..DecodeOptions::default()
        };
        check_size(bytes)?;
        let token = Token::decode(bytes, &options)?;
        token.verify_signature(key, crypto)?;
        AttestationResult::from_cbor(token.payload())
    }
}

/// Limits for decoding EARs: a result with many reasons is larger than a
/// token.
const EAR_LIMITS: Limits = Limits {
    max_token_size: crate::limits::MAX_EAR_SIZE,
    max_depth: 16,
    max_items: 16 * 1024,
    max_map_entries: 128,
    max_submod_depth: Limits::DEFAULT.max_submod_depth,
};

/// Refuses an EAR larger than [`crate::limits::MAX_EAR_SIZE`] before parsing.
fn check_size(bytes: &[u8]) -> Result<(), EarError> {
    if bytes.len() > crate::limits::MAX_EAR_SIZE {
        return Err(EarError::TooLarge {
            size: bytes.len(),
            max: crate::limits::MAX_EAR_SIZE,
        });
    }
    Ok(())
}

struct Part {
    name: String,
    status: Status,
    tv: TrustVector,
    policy_id: String,
    reasons: Vec<Reason>,
    attested: Vec<super::attested::Attested>,
}

fn assemble(
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

// ---- JSON helpers ----

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

/// The form of `eat_profile`, or `ear.wrong-profile`.
fn profile_of(profile: String) -> Result<EarProfile, Error> {
    EarProfile::from_profile(&profile)
        .ok_or_else(|| EarError::WrongProfile { found: profile }.into())
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

/// The nonce echoed from the token, which §6.2 bounds to 8..=64 bytes.
fn checked_nonce(nonce: Vec<u8>) -> Result<Vec<u8>, Error> {
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
fn non_empty_reasons<T>(items: &[T]) -> Result<&[T], Error> {
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
fn not_ours() -> Error {
    malformed("not an mtattest result: the device submodule is missing")
}

/// `exp` in a draft-04 result: an mtattest result has no expiry, and one
/// that claims to expire cannot be decoded without losing that claim.
fn exp_refused() -> Error {
    malformed("exp is not supported: an mtattest result has no expiry")
}

/// Refuses an empty vector where the form requires a non-empty one
/// (draft-04 uses the AR4SI `non-empty` vector and leaves it out instead).
fn check_tv(p: EarProfile, present: bool, tv: TrustVector) -> Result<TrustVector, Error> {
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
enum PolicyField {
    Missing,
    Text(String),
    Texts(Vec<String>),
    Other,
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

/// The policy id: one text in the 2023 form, an array of exactly one text
/// in draft-04 (an mtattest result is appraised under one policy). The
/// other form's shape is refused, saying so.
fn policy_id(p: EarProfile, field: PolicyField) -> Result<String, Error> {
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

fn put_reasons_json<'a>(m: &mut JsonMap, reasons: impl Iterator<Item = &'a Reason>) {
    let list: Vec<serde_json::Value> = reasons.map(reason_json).collect();
    if !list.is_empty() {
        m.insert(labels::REASONS.0.into(), serde_json::Value::Array(list));
    }
}

/// The fields of a reason, as `(name, text value)`; absent ones left out.
fn reason_fields(r: &Reason) -> Vec<(&'static str, String)> {
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

fn reason_from_fields(
    get: &dyn Fn(&str) -> Result<Option<String>, Error>,
) -> Result<Reason, Error> {
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
    reason_from_fields(&|k| match m.get(k) {
        None => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(malformed(format!("reason field {k} is not text"))),
    })
}

// ---- CBOR helpers ----

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
    reason_from_fields(&|k| match m
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
