//! The `os` layer: operating system / framework.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use ciborium::value::Value;

use super::de::{self, Path};
use super::keys;
use super::names::{Layer, Scope};
use super::patch::PatchLevel;
use super::types::{EvidenceSource, Version};
use super::unknown::{UnknownClaim, UnknownClaims};
use super::MeasurementResults;
use crate::error::ClaimsError;

code_enum! {
    /// How user data is encrypted at rest (AR4SI `storage-opaque`); higher is
    /// stronger.
    #[derive(PartialOrd, Ord)]
    pub enum StorageEncryption {
        /// Not encrypted.
        None = 0 => "none",
        /// Encrypted under a key held in software.
        SoftwareKey = 1 => "software-key",
        /// Encrypted under a hardware-bound key.
        HardwareKey = 2 => "hardware-key",
    }
}

/// The `os` layer: operating system / framework.
#[derive(Clone, Debug, PartialEq)]
pub struct OsLayer {
    /// Where these values come from (required).
    pub evidence_source: EvidenceSource,
    /// `swname` (270), e.g. `Android`.
    pub swname: Option<String>,
    /// `swversion` (271).
    pub swversion: Option<Version>,
    /// OS security patch level.
    pub os_patch_level: Option<PatchLevel>,
    /// Vendor patch level.
    pub vendor_patch_level: Option<PatchLevel>,
    /// Whether mandatory access control (SELinux) is enforcing.
    pub mac_enforcing: Option<bool>,
    /// Storage encryption.
    pub storage_encryption: Option<StorageEncryption>,
    /// Whether a secure screen lock is configured.
    pub screen_lock: Option<bool>,
    /// Whether developer options are enabled.
    pub developer_options: Option<bool>,
    /// Whether USB debugging is enabled.
    pub usb_debugging: Option<bool>,
    /// `measres` (274): detection results (e.g. `kernel-integrity`); empty
    /// means absent.
    pub measres: MeasurementResults,
    unknown: UnknownClaims,
}

/// Builds an [`OsLayer`]; start with [`OsLayer::builder`].
#[derive(Clone, Debug)]
pub struct OsLayerBuilder {
    layer: OsLayer,
}

layer_common!(OsLayer, OsLayerBuilder, Layer::Os);
layer_detections!(OsLayer, OsLayerBuilder, Layer::Os);

impl OsLayer {
    /// A layer with only its evidence source.
    pub fn new(evidence_source: EvidenceSource) -> Self {
        OsLayer {
            evidence_source,
            swname: None,
            swversion: None,
            os_patch_level: None,
            vendor_patch_level: None,
            mac_enforcing: None,
            storage_encryption: None,
            screen_lock: None,
            developer_options: None,
            usb_debugging: None,
            measres: MeasurementResults::new(),
            unknown: UnknownClaims::default(),
        }
    }

    pub(crate) fn report_unknown(&self, out: &mut Vec<UnknownClaim>) {
        self.report_claims(out);
        self.report_measres(out);
    }

    pub(crate) fn decode(value: &Value, path: &Path<'_>) -> Result<Self, ClaimsError> {
        let scope = Scope::Layer(Layer::Os);
        let mut evidence_source = None;
        let mut layer = OsLayer::new(EvidenceSource::Software);
        let mut measres = None;
        for (key, v) in de::claims_map(value, path)? {
            let Some((k, name)) = super::known(scope, &key) else {
                layer.unknown.insert_decoded(key, v, path)?;
                continue;
            };
            let p = path.field(name);
            let l = &mut layer;
            match k {
                keys::EVIDENCE_SOURCE => de::put(&mut evidence_source, de::code(v, &p)?, &p)?,
                keys::SWNAME => de::put(&mut l.swname, de::text(v, &p)?.into(), &p)?,
                keys::SWVERSION => de::put(&mut l.swversion, Version::decode(v, &p)?, &p)?,
                keys::OS_PATCH_LEVEL => {
                    de::put(&mut l.os_patch_level, PatchLevel::decode(v, &p)?, &p)?
                }
                keys::VENDOR_PATCH_LEVEL => {
                    de::put(&mut l.vendor_patch_level, PatchLevel::decode(v, &p)?, &p)?
                }
                keys::MAC_ENFORCING => de::put(&mut l.mac_enforcing, de::bool_(v, &p)?, &p)?,
                keys::STORAGE_ENCRYPTION => {
                    de::put(&mut l.storage_encryption, de::code(v, &p)?, &p)?
                }
                keys::SCREEN_LOCK => de::put(&mut l.screen_lock, de::bool_(v, &p)?, &p)?,
                keys::DEVELOPER_OPTIONS => {
                    de::put(&mut l.developer_options, de::bool_(v, &p)?, &p)?
                }
                keys::USB_DEBUGGING => de::put(&mut l.usb_debugging, de::bool_(v, &p)?, &p)?,
                keys::MEASRES => de::put(&mut measres, MeasurementResults::decode(v, &p)?, &p)?,
                _ => l.unknown.insert_decoded(key, v, path)?,
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
        if let Some(x) = &self.swname {
            put(keys::SWNAME, Value::Text(x.clone()));
        }
        if let Some(x) = &self.swversion {
            put(keys::SWVERSION, x.to_value());
        }
        if let Some(x) = self.os_patch_level {
            put(keys::OS_PATCH_LEVEL, x.to_value());
        }
        if let Some(x) = self.vendor_patch_level {
            put(keys::VENDOR_PATCH_LEVEL, x.to_value());
        }
        if let Some(x) = self.mac_enforcing {
            put(keys::MAC_ENFORCING, Value::Bool(x));
        }
        if let Some(x) = self.storage_encryption {
            put(keys::STORAGE_ENCRYPTION, de::code_value(x));
        }
        if let Some(x) = self.screen_lock {
            put(keys::SCREEN_LOCK, Value::Bool(x));
        }
        if let Some(x) = self.developer_options {
            put(keys::DEVELOPER_OPTIONS, Value::Bool(x));
        }
        if let Some(x) = self.usb_debugging {
            put(keys::USB_DEBUGGING, Value::Bool(x));
        }
        if !self.measres.is_empty() {
            put(keys::MEASRES, self.measres.to_value());
        }
        self.unknown.write(&mut m);
        super::sorted_map(m)
    }
}

impl OsLayerBuilder {
    /// Sets `swname`.
    pub fn swname(mut self, name: impl Into<String>) -> Self {
        self.layer.swname = Some(name.into());
        self
    }

    /// Sets `swversion`.
    pub fn swversion(mut self, version: Version) -> Self {
        self.layer.swversion = Some(version);
        self
    }

    /// Sets the OS security patch level.
    pub fn os_patch_level(mut self, level: PatchLevel) -> Self {
        self.layer.os_patch_level = Some(level);
        self
    }

    /// Sets the vendor patch level.
    pub fn vendor_patch_level(mut self, level: PatchLevel) -> Self {
        self.layer.vendor_patch_level = Some(level);
        self
    }

    /// Sets whether mandatory access control is enforcing.
    pub fn mac_enforcing(mut self, enforcing: bool) -> Self {
        self.layer.mac_enforcing = Some(enforcing);
        self
    }

    /// Sets the storage encryption.
    pub fn storage_encryption(mut self, encryption: StorageEncryption) -> Self {
        self.layer.storage_encryption = Some(encryption);
        self
    }

    /// Sets whether a secure screen lock is configured.
    pub fn screen_lock(mut self, configured: bool) -> Self {
        self.layer.screen_lock = Some(configured);
        self
    }

    /// Sets whether developer options are enabled.
    pub fn developer_options(mut self, enabled: bool) -> Self {
        self.layer.developer_options = Some(enabled);
        self
    }

    /// Sets whether USB debugging is enabled.
    pub fn usb_debugging(mut self, enabled: bool) -> Self {
        self.layer.usb_debugging = Some(enabled);
        self
    }
}
