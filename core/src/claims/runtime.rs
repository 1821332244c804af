//! The `runtime` layer: risk detections.
//!
//! The detections themselves (root, hooking, debugger, emulator, screen
//! capture, overlay, remote control, malware scan) are `measres` results named
//! in [`keys::detection`]; this layer adds the malware finding and the
//! attestation velocity.

use alloc::vec;
use alloc::vec::Vec;

use ciborium::value::Value;

use super::de::{self, Path};
use super::keys;
use super::names::{Layer, Scope};
use super::types::EvidenceSource;
use super::unknown::{UnknownClaim, UnknownClaims};
use super::MeasurementResults;
use crate::error::ClaimsError;

code_enum! {
    /// The worst malware a scan found; higher is worse. Whether the scan ran
    /// is the `malware-scan` detection.
    #[derive(PartialOrd, Ord)]
    pub enum Malware {
        /// None found.
        None = 0 => "none",
        /// Medium-risk malware found.
        Medium = 1 => "medium",
        /// High-risk malware found.
        High = 2 => "high",
    }
}

/// The `runtime` layer: risk detections.
#[derive(Clone, Debug, PartialEq)]
pub struct RuntimeLayer {
    /// Where these values come from (required; usually software).
    pub evidence_source: EvidenceSource,
    /// The malware finding.
    pub malware: Option<Malware>,
    /// Tokens this device produced in the last 24 hours.
    pub attestation_velocity: Option<u64>,
    /// `measres` (274): detection results; empty means absent.
    pub measres: MeasurementResults,
    unknown: UnknownClaims,
}

/// Builds a [`RuntimeLayer`]; start with [`RuntimeLayer::builder`].
#[derive(Clone, Debug)]
pub struct RuntimeLayerBuilder {
    layer: RuntimeLayer,
}

layer_common!(RuntimeLayer, RuntimeLayerBuilder, Layer::Runtime);
layer_detections!(RuntimeLayer, RuntimeLayerBuilder, Layer::Runtime);

impl RuntimeLayer {
    /// A layer with only its evidence source.
    pub fn new(evidence_source: EvidenceSource) -> Self {
        RuntimeLayer {
            evidence_source,
            malware: None,
            attestation_velocity: None,
            measres: MeasurementResults::new(),
            unknown: UnknownClaims::default(),
        }
    }

    pub(crate) fn report_unknown(&self, out: &mut Vec<UnknownClaim>) {
        self.report_claims(out);
        self.report_measres(out);
    }

    pub(crate) fn decode(value: &Value, path: &Path<'_>) -> Result<Self, ClaimsError> {
        let scope = Scope::Layer(Layer::Runtime);
        let mut evidence_source = None;
        let mut layer = RuntimeLayer::new(EvidenceSource::Software);
        let mut measres = None;
        for (key, v) in de::claims_map(value, path)? {
            let Some((k, name)) = super::known(scope, &key) else {
                layer.unknown.insert_decoded(key, v, path)?;
                continue;
            };
            let p = path.field(name);
            match k {
                keys::EVIDENCE_SOURCE => de::put(&mut evidence_source, de::code(v, &p)?, &p)?,
                keys::MALWARE => de::put(&mut layer.malware, de::code(v, &p)?, &p)?,
                keys::ATTESTATION_VELOCITY => {
                    de::put(&mut layer.attestation_velocity, de::uint(v, &p)?, &p)?
                }
                keys::MEASRES => de::put(&mut measres, MeasurementResults::decode(v, &p)?, &p)?,
                _ => layer.unknown.insert_decoded(key, v, path)?,
            }
        }
        layer.evidence_source =
            evidence_source.ok_or_else(|| de::missing(&path.field("evidence-source")))?;
        layer.measres = measres.unwrap_or_default();
        Ok(layer)
    }

    /// Encodes this layer as a claims-set map.
    pub fn to_value(&self) -> Value {
        let mut m = vec![(
            Value::Integer(keys::EVIDENCE_SOURCE.into()),
            de::code_value(self.evidence_source),
        )];
        let mut put = |key: i64, v: Value| m.push((Value::Integer(key.into()), v));
        if let Some(x) = self.malware {
            put(keys::MALWARE, de::code_value(x));
        }
        if let Some(x) = self.attestation_velocity {
            put(keys::ATTESTATION_VELOCITY, Value::Integer(x.into()));
        }
        if !self.measres.is_empty() {
            put(keys::MEASRES, self.measres.to_value());
        }
        self.unknown.write(&mut m);
        super::sorted_map(m)
    }
}

impl RuntimeLayerBuilder {
    /// Sets the malware finding.
    pub fn malware(mut self, malware: Malware) -> Self {
        self.layer.malware = Some(malware);
        self
    }

    /// Sets the attestation velocity.
    pub fn attestation_velocity(mut self, tokens_last_24h: u64) -> Self {
        self.layer.attestation_velocity = Some(tokens_last_24h);
        self
    }
}
