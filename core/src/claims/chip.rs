//! The `chip` layer: hardware security features.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use ciborium::value::Value;

use super::de::{self, Path};
use super::keys;
use super::names::{part, Layer, Scope};
use super::types::{EvidenceSource, Version};
use super::unknown::UnknownClaim;
use super::unknown::UnknownClaims;
use crate::error::ClaimsError;

code_enum! {
    /// Where keys are held (Android `SecurityLevel`); higher is stronger.
    #[derive(PartialOrd, Ord)]
    pub enum KeySecurityLevel {
        /// In software.
        Software = 0 => "software",
        /// In a trusted execution environment.
        Tee = 1 => "tee",
        /// In a secure element (Android StrongBox).
        StrongBox = 2 => "strongbox",
    }
}

code_enum! {
    /// `dbgstat` (263): debug status (RFC 9711 §4.2.9).
    pub enum DebugStatus {
        /// Debug is enabled.
        Enabled = 0 => "enabled",
        /// Debug is disabled now but may be re-enabled.
        Disabled = 1 => "disabled",
        /// Debug has been disabled since boot.
        DisabledSinceBoot = 2 => "disabled-since-boot",
        /// Debug is permanently disabled for this entity.
        DisabledPermanently = 3 => "disabled-permanently",
        /// Debug is permanently disabled for this entity and all below it.
        DisabledFullyAndPermanently = 4 => "disabled-fully-and-permanently",
    }
}

/// The phase of a PSA security lifecycle (RFC 9783 §4.3.1), the high byte of
/// its encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LifecyclePhase {
    /// `0x00xx`: unknown.
    Unknown,
    /// `0x10xx`: assembly and test.
    AssemblyAndTest,
    /// `0x20xx`: PSA RoT provisioning.
    PsaRotProvisioning,
    /// `0x30xx`: secured (the normal state of a fielded device).
    Secured,
    /// `0x40xx`: non-PSA RoT debug.
    NonPsaRotDebug,
    /// `0x50xx`: recoverable PSA RoT debug.
    RecoverablePsaRotDebug,
    /// `0x60xx`: decommissioned.
    Decommissioned,
}

impl LifecyclePhase {
    /// The high byte that encodes this phase.
    pub const fn high_byte(self) -> u8 {
        match self {
            LifecyclePhase::Unknown => 0x00,
            LifecyclePhase::AssemblyAndTest => 0x10,
            LifecyclePhase::PsaRotProvisioning => 0x20,
            LifecyclePhase::Secured => 0x30,
            LifecyclePhase::NonPsaRotDebug => 0x40,
            LifecyclePhase::RecoverablePsaRotDebug => 0x50,
            LifecyclePhase::Decommissioned => 0x60,
        }
    }

    /// The phase whose encoding has high byte `byte`.
    pub const fn from_high_byte(byte: u8) -> Option<Self> {
        Some(match byte {
            0x00 => LifecyclePhase::Unknown,
            0x10 => LifecyclePhase::AssemblyAndTest,
            0x20 => LifecyclePhase::PsaRotProvisioning,
            0x30 => LifecyclePhase::Secured,
            0x40 => LifecyclePhase::NonPsaRotDebug,
            0x50 => LifecyclePhase::RecoverablePsaRotDebug,
            0x60 => LifecyclePhase::Decommissioned,
            _ => return None,
        })
    }

    /// The kebab-case name.
    pub const fn name(self) -> &'static str {
        match self {
            LifecyclePhase::Unknown => "unknown",
            LifecyclePhase::AssemblyAndTest => "assembly-and-test",
            LifecyclePhase::PsaRotProvisioning => "psa-rot-provisioning",
            LifecyclePhase::Secured => "secured",
            LifecyclePhase::NonPsaRotDebug => "non-psa-rot-debug",
            LifecyclePhase::RecoverablePsaRotDebug => "recoverable-psa-rot-debug",
            LifecyclePhase::Decommissioned => "decommissioned",
        }
    }
}

/// A PSA security lifecycle value (RFC 9783 §4.3.1): a 16-bit value whose high
/// byte is the [`LifecyclePhase`] and whose low byte is implementation defined.
///
/// The raw value is kept so that it re-encodes unchanged. Only values whose
/// high byte names a phase are valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SecurityLifecycle(u16);

impl SecurityLifecycle {
    /// `0x3000`: secured.
    pub const SECURED: SecurityLifecycle = SecurityLifecycle(0x3000);

    /// A lifecycle value from its 16-bit encoding.
    pub fn new(raw: u16) -> Result<Self, ClaimsError> {
        Self::checked(raw, &Path::ROOT.field("security-lifecycle"))
    }

    /// The value of `phase` with implementation-defined low byte `low`.
    pub const fn from_phase(phase: LifecyclePhase, low: u8) -> Self {
        SecurityLifecycle(((phase.high_byte() as u16) << 8) | low as u16)
    }

    /// The 16-bit encoding.
    pub const fn raw(self) -> u16 {
        self.0
    }

    /// The lifecycle phase.
    pub const fn phase(self) -> LifecyclePhase {
        match LifecyclePhase::from_high_byte((self.0 >> 8) as u8) {
            Some(phase) => phase,
            // Unreachable: construction checks the high byte.
            None => LifecyclePhase::Unknown,
        }
    }

    fn checked(raw: u16, path: &Path<'_>) -> Result<Self, ClaimsError> {
        match LifecyclePhase::from_high_byte((raw >> 8) as u8) {
            Some(_) => Ok(SecurityLifecycle(raw)),
            None => Err(de::invalid(
                path,
                format!("{raw:#06x} is not in a PSA lifecycle range (0x00xx, 0x10xx .. 0x60xx)"),
            )),
        }
    }

    fn decode(value: &Value, path: &Path<'_>) -> Result<Self, ClaimsError> {
        Self::checked(de::uint(value, path)?, path)
    }
}

/// A certification reference in `dloas` (269, RFC 9711 §4.2.14).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Dloa {
    /// The registrar, a URI (e.g. `https://globalplatform.org`).
    pub registrar: String,
    /// The platform label assigned by the registrar.
    pub platform_label: String,
    /// The application label, if the certificate covers an application.
    pub application_label: Option<String>,
}

impl Dloa {
    fn decode(value: &Value, path: &Path<'_>) -> Result<Self, ClaimsError> {
        let items = de::array_len(value, path, 2, 3)?;
        let field = |i: usize, name: &str| -> Result<Option<String>, ClaimsError> {
            items
                .get(i)
                .map(|v| de::text(v, &path.field(name)).map(String::from))
                .transpose()
        };
        Ok(Dloa {
            registrar: field(0, part::REGISTRAR)?
                .ok_or_else(|| de::missing(&path.field(part::REGISTRAR)))?,
            platform_label: field(1, part::PLATFORM_LABEL)?
                .ok_or_else(|| de::missing(&path.field(part::PLATFORM_LABEL)))?,
            application_label: field(2, part::APPLICATION_LABEL)?,
        })
    }

    fn to_value(&self) -> Value {
        let mut items = alloc::vec![
            Value::Text(self.registrar.clone()),
            Value::Text(self.platform_label.clone()),
        ];
        if let Some(app) = &self.application_label {
            items.push(Value::Text(app.clone()));
        }
        Value::Array(items)
    }
}

/// The `chip` layer: hardware security features.
#[derive(Clone, Debug, PartialEq)]
pub struct ChipLayer {
    /// Where these values come from (required).
    pub evidence_source: EvidenceSource,
    /// Where keys are held.
    pub key_security_level: Option<KeySecurityLevel>,
    /// Whether a hardware root of trust is present.
    pub hw_root_of_trust: Option<bool>,
    /// PSA security lifecycle.
    pub security_lifecycle: Option<SecurityLifecycle>,
    /// `dbgstat` (263).
    pub dbgstat: Option<DebugStatus>,
    /// `hwversion` (260).
    pub hwversion: Option<Version>,
    /// `dloas` (269): certification references; empty means absent.
    pub dloas: Vec<Dloa>,
    unknown: UnknownClaims,
}

/// Builds a [`ChipLayer`]; start with [`ChipLayer::builder`].
#[derive(Clone, Debug)]
pub struct ChipLayerBuilder {
    layer: ChipLayer,
}

layer_common!(ChipLayer, ChipLayerBuilder, Layer::Chip);

impl ChipLayer {
    /// A layer with only its evidence source.
    pub fn new(evidence_source: EvidenceSource) -> Self {
        ChipLayer {
            evidence_source,
            key_security_level: None,
            hw_root_of_trust: None,
            security_lifecycle: None,
            dbgstat: None,
            hwversion: None,
            dloas: Vec::new(),
            unknown: UnknownClaims::default(),
        }
    }

    pub(crate) fn report_unknown(&self, out: &mut Vec<UnknownClaim>) {
        self.report_claims(out);
    }

    pub(crate) fn decode(value: &Value, path: &Path<'_>) -> Result<Self, ClaimsError> {
        let scope = Scope::Layer(Layer::Chip);
        let mut evidence_source = None;
        let mut layer = ChipLayer::new(EvidenceSource::Software);
        let mut dloas = None;
        for (key, v) in de::claims_map(value, path)? {
            let Some((k, name)) = super::known(scope, &key) else {
                layer.unknown.insert_decoded(key, v, path)?;
                continue;
            };
            let p = path.field(name);
            match k {
                keys::EVIDENCE_SOURCE => de::put(&mut evidence_source, de::code(v, &p)?, &p)?,
                keys::KEY_SECURITY_LEVEL => {
                    de::put(&mut layer.key_security_level, de::code(v, &p)?, &p)?
                }
                keys::HW_ROOT_OF_TRUST => {
                    de::put(&mut layer.hw_root_of_trust, de::bool_(v, &p)?, &p)?
                }
                keys::SECURITY_LIFECYCLE => de::put(
                    &mut layer.security_lifecycle,
                    SecurityLifecycle::decode(v, &p)?,
                    &p,
                )?,
                keys::DBGSTAT => de::put(&mut layer.dbgstat, de::code(v, &p)?, &p)?,
                keys::HWVERSION => de::put(&mut layer.hwversion, Version::decode(v, &p)?, &p)?,
                keys::DLOAS => {
                    let items = de::nonempty_array(v, &p)?;
                    let list = items
                        .iter()
                        .enumerate()
                        .map(|(i, item)| Dloa::decode(item, &p.index(i)))
                        .collect::<Result<Vec<_>, _>>()?;
                    de::put(&mut dloas, list, &p)?
                }
                _ => layer.unknown.insert_decoded(key, v, path)?,
            }
        }
        layer.evidence_source =
            evidence_source.ok_or_else(|| de::missing(&path.field("evidence-source")))?;
        layer.dloas = dloas.unwrap_or_default();
        Ok(layer)
    }

    /// Encodes this layer as a claims-set map.
    pub fn to_value(&self) -> Value {
        let mut m = alloc::vec![(
            Value::Integer(keys::EVIDENCE_SOURCE.into()),
            de::code_value(self.evidence_source),
        )];
        let mut put = |key: i64, v: Value| m.push((Value::Integer(key.into()), v));
        if let Some(x) = self.key_security_level {
            put(keys::KEY_SECURITY_LEVEL, de::code_value(x));
        }
        if let Some(x) = self.hw_root_of_trust {
            put(keys::HW_ROOT_OF_TRUST, Value::Bool(x));
        }
        if let Some(x) = self.security_lifecycle {
            put(keys::SECURITY_LIFECYCLE, Value::Integer(x.raw().into()));
        }
        if let Some(x) = self.dbgstat {
            put(keys::DBGSTAT, de::code_value(x));
        }
        if let Some(x) = &self.hwversion {
            put(keys::HWVERSION, x.to_value());
        }
        if !self.dloas.is_empty() {
            put(
                keys::DLOAS,
                Value::Array(self.dloas.iter().map(Dloa::to_value).collect()),
            );
        }
        self.unknown.write(&mut m);
        super::sorted_map(m)
    }
}

impl ChipLayerBuilder {
    /// Sets where keys are held.
    pub fn key_security_level(mut self, level: KeySecurityLevel) -> Self {
        self.layer.key_security_level = Some(level);
        self
    }

    /// Sets whether a hardware root of trust is present.
    pub fn hw_root_of_trust(mut self, present: bool) -> Self {
        self.layer.hw_root_of_trust = Some(present);
        self
    }

    /// Sets the PSA security lifecycle.
    pub fn security_lifecycle(mut self, lifecycle: SecurityLifecycle) -> Self {
        self.layer.security_lifecycle = Some(lifecycle);
        self
    }

    /// Sets `dbgstat`.
    pub fn dbgstat(mut self, status: DebugStatus) -> Self {
        self.layer.dbgstat = Some(status);
        self
    }

    /// Sets `hwversion`.
    pub fn hwversion(mut self, version: Version) -> Self {
        self.layer.hwversion = Some(version);
        self
    }

    /// Appends a certification reference to `dloas`.
    pub fn dloa(mut self, dloa: Dloa) -> Self {
        self.layer.dloas.push(dloa);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle_phases() {
        assert_eq!(SecurityLifecycle::SECURED.phase(), LifecyclePhase::Secured);
        assert_eq!(
            SecurityLifecycle::new(0x60ff).unwrap().phase(),
            LifecyclePhase::Decommissioned
        );
        assert_eq!(
            SecurityLifecycle::new(0x0012).unwrap().phase(),
            LifecyclePhase::Unknown
        );
        for bad in [0x0100, 0x2100, 0x7000, 0xffff] {
            assert_eq!(
                SecurityLifecycle::new(bad).unwrap_err().code(),
                "claims.invalid-value"
            );
        }
        let v = SecurityLifecycle::from_phase(LifecyclePhase::NonPsaRotDebug, 0x05);
        assert_eq!(v.raw(), 0x4005);
    }
}
