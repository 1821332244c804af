//! The attestation result: its verdict, per-layer outcomes, trustworthiness
//! vectors and reasons, independent of how it is serialised.

use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use super::super::policy::Action;
use crate::claims::{EvidenceSource, Layer};

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

    pub(super) fn from_name(name: &str) -> Option<Status> {
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

    pub(super) fn from_name(name: &str) -> Option<Component> {
        Component::ALL.into_iter().find(|c| c.name() == name)
    }

    pub(super) fn from_key(key: i128) -> Option<Component> {
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
#[non_exhaustive]
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

    pub(super) fn from_name(name: &str) -> Option<Failure> {
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

impl core::fmt::Display for Failure {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

/// One line for a log: the status it gives, the claim, what was seen and
/// what the rule requires, then the rule, the kind of failure and, where
/// they apply, the advisory and the evidence sources.
///
/// `warning submods.os.os-patch-level: seen 2024-01-01, required >=
/// 2025-06-01 (rule os-patch-fresh, mismatch)`
impl core::fmt::Display for Reason {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{} {}: seen ", self.status, self.claim)?;
        match &self.seen {
            Some(seen) => f.write_str(seen)?,
            None => f.write_str("(absent)")?,
        }
        write!(
            f,
            ", required {} (rule {}, {}",
            self.required, self.rule, self.failure
        )?;
        if let Some(advisory) = &self.advisory {
            write!(f, ", advisory {advisory}")?;
        }
        match (self.evidence_source, self.effective_source) {
            (Some(declared), Some(effective)) if declared != effective => write!(
                f,
                ", source {} counted as {}",
                declared.name(),
                effective.name()
            )?,
            (Some(declared), _) => write!(f, ", source {}", declared.name())?,
            _ => {}
        }
        if let Some(min) = self.min_source {
            write!(f, ", min source {}", min.name())?;
        }
        f.write_str(")")
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
    pub attested: Vec<crate::appraisal::attested::Attested>,
}

impl AttestationResult {
    /// Whether the relying party may let the request through: the policy's
    /// action for this verdict is `allow`. `step-up` and `deny` are not
    /// allowed, nor is a result with no verdict (its action is always
    /// `deny`, spec §11.3).
    pub fn is_allowed(&self) -> bool {
        self.action == Action::Allow
    }

    /// The result of a layer, if it was appraised.
    pub fn layer(&self, layer: Layer) -> Option<&LayerResult> {
        self.layers.iter().find(|l| l.layer == layer)
    }

    /// The reasons about claims of `layer` (`None`: top-level claims).
    pub fn reasons_for(&self, layer: Option<Layer>) -> impl Iterator<Item = &Reason> {
        self.reasons.iter().filter(move |r| r.layer() == layer)
    }
}
