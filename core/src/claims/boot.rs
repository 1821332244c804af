//! The `boot` layer: boot and update integrity (X.1129 boot and update phases).

use alloc::vec;
use alloc::vec::Vec;

use ciborium::value::Value;

use super::de::{self, Path};
use super::keys;
use super::names::{part, Layer, Scope};
use super::patch::PatchLevel;
use super::types::{Digest, EvidenceSource};
use super::unknown::UnknownClaim;
use super::unknown::UnknownClaims;
use crate::error::ClaimsError;

code_enum! {
    /// The verified-boot state (Android `RootOfTrust.verifiedBootState`).
    pub enum VerifiedBootState {
        /// The boot chain verified under the OEM's key.
        Verified = 0 => "verified",
        /// The boot chain verified under a user-installed key.
        SelfSigned = 1 => "self-signed",
        /// The boot chain was not verified (unlocked bootloader).
        Unverified = 2 => "unverified",
        /// Verification failed.
        Failed = 3 => "failed",
    }
}

/// One entry of `measurements` (273, RFC 9711 §4.2.16): a measurement in a
/// given CoAP content format, e.g. a component digest.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Measurement {
    /// The CoAP content format of `content`.
    pub content_type: u16,
    /// The measurement, in that format.
    pub content: Vec<u8>,
}

impl Measurement {
    fn decode(value: &Value, path: &Path<'_>) -> Result<Self, ClaimsError> {
        match de::array_len(value, path, 2, 2)? {
            [t, c] => Ok(Measurement {
                content_type: de::uint(t, &path.field(part::CONTENT_TYPE))?,
                content: de::bytes(c, &path.field(part::CONTENT))?.to_vec(),
            }),
            _ => Err(de::invalid(path, "has the wrong number of elements")),
        }
    }

    fn to_value(&self) -> Value {
        Value::Array(vec![
            Value::Integer(self.content_type.into()),
            Value::Bytes(self.content.clone()),
        ])
    }
}

/// The `boot` layer: boot and update integrity.
#[derive(Clone, Debug, PartialEq)]
pub struct BootLayer {
    /// Where these values come from (required).
    pub evidence_source: EvidenceSource,
    /// The verified-boot state.
    pub verified_boot_state: Option<VerifiedBootState>,
    /// Whether the bootloader is locked.
    pub bootloader_locked: Option<bool>,
    /// Digest of the key that verified the boot chain.
    pub boot_key_digest: Option<Digest>,
    /// Digest of the booted image (vbmeta).
    pub boot_image_digest: Option<Digest>,
    /// `oemboot` (262): the device booted OEM-authorised software.
    pub oemboot: Option<bool>,
    /// Boot patch level.
    pub boot_patch_level: Option<PatchLevel>,
    /// Anti-rollback index.
    pub rollback_index: Option<u64>,
    /// Whether anti-rollback is enforced.
    pub rollback_enforced: Option<bool>,
    /// `measurements` (273); empty means absent.
    pub measurements: Vec<Measurement>,
    /// `bootcount` (267).
    pub bootcount: Option<u64>,
    /// `uptime` (261), seconds since boot.
    pub uptime: Option<u64>,
    unknown: UnknownClaims,
}

/// Builds a [`BootLayer`]; start with [`BootLayer::builder`].
#[derive(Clone, Debug)]
pub struct BootLayerBuilder {
    layer: BootLayer,
}

layer_common!(BootLayer, BootLayerBuilder, Layer::Boot);

impl BootLayer {
    /// A layer with only its evidence source.
    pub fn new(evidence_source: EvidenceSource) -> Self {
        BootLayer {
            evidence_source,
            verified_boot_state: None,
            bootloader_locked: None,
            boot_key_digest: None,
            boot_image_digest: None,
            oemboot: None,
            boot_patch_level: None,
            rollback_index: None,
            rollback_enforced: None,
            measurements: Vec::new(),
            bootcount: None,
            uptime: None,
            unknown: UnknownClaims::default(),
        }
    }

    pub(crate) fn report_unknown(&self, out: &mut Vec<UnknownClaim>) {
        self.report_claims(out);
    }

    pub(crate) fn decode(value: &Value, path: &Path<'_>) -> Result<Self, ClaimsError> {
        let scope = Scope::Layer(Layer::Boot);
        let mut evidence_source = None;
        let mut layer = BootLayer::new(EvidenceSource::Software);
        let mut measurements = None;
        for (key, v) in de::claims_map(value, path)? {
            let Some((k, name)) = super::known(scope, &key) else {
                layer.unknown.insert_decoded(key, v, path)?;
                continue;
            };
            let p = path.field(name);
            let l = &mut layer;
            match k {
                keys::EVIDENCE_SOURCE => de::put(&mut evidence_source, de::code(v, &p)?, &p)?,
                keys::VERIFIED_BOOT_STATE => {
                    de::put(&mut l.verified_boot_state, de::code(v, &p)?, &p)?
                }
                keys::BOOTLOADER_LOCKED => {
                    de::put(&mut l.bootloader_locked, de::bool_(v, &p)?, &p)?
                }
                keys::BOOT_KEY_DIGEST => {
                    de::put(&mut l.boot_key_digest, Digest::decode(v, &p)?, &p)?
                }
                keys::BOOT_IMAGE_DIGEST => {
                    de::put(&mut l.boot_image_digest, Digest::decode(v, &p)?, &p)?
                }
                keys::OEMBOOT => de::put(&mut l.oemboot, de::bool_(v, &p)?, &p)?,
                keys::BOOT_PATCH_LEVEL => {
                    de::put(&mut l.boot_patch_level, PatchLevel::decode(v, &p)?, &p)?
                }
                keys::ROLLBACK_INDEX => de::put(&mut l.rollback_index, de::uint(v, &p)?, &p)?,
                keys::ROLLBACK_ENFORCED => {
                    de::put(&mut l.rollback_enforced, de::bool_(v, &p)?, &p)?
                }
                keys::MEASUREMENTS => {
                    let list = de::nonempty_array(v, &p)?
                        .iter()
                        .enumerate()
                        .map(|(i, item)| Measurement::decode(item, &p.index(i)))
                        .collect::<Result<Vec<_>, _>>()?;
                    de::put(&mut measurements, list, &p)?
                }
                keys::BOOTCOUNT => de::put(&mut l.bootcount, de::uint(v, &p)?, &p)?,
                keys::UPTIME => de::put(&mut l.uptime, de::uint(v, &p)?, &p)?,
                _ => l.unknown.insert_decoded(key, v, path)?,
            }
        }
        layer.evidence_source =
            evidence_source.ok_or_else(|| de::missing(&path.field("evidence-source")))?;
        layer.measurements = measurements.unwrap_or_default();
        Ok(layer)
    }

    /// Encodes this layer as a claims-set map.
    pub fn to_value(&self) -> Value {
        let mut m = vec![(
            Value::Integer(keys::EVIDENCE_SOURCE.into()),
            de::code_value(self.evidence_source),
        )];
        let mut put = |key: i64, v: Value| m.push((Value::Integer(key.into()), v));
        if let Some(x) = self.verified_boot_state {
            put(keys::VERIFIED_BOOT_STATE, de::code_value(x));
        }
        if let Some(x) = self.bootloader_locked {
            put(keys::BOOTLOADER_LOCKED, Value::Bool(x));
        }
        if let Some(x) = &self.boot_key_digest {
            put(keys::BOOT_KEY_DIGEST, x.to_value());
        }
        if let Some(x) = &self.boot_image_digest {
            put(keys::BOOT_IMAGE_DIGEST, x.to_value());
        }
        if let Some(x) = self.oemboot {
            put(keys::OEMBOOT, Value::Bool(x));
        }
        if let Some(x) = self.boot_patch_level {
            put(keys::BOOT_PATCH_LEVEL, x.to_value());
        }
        if let Some(x) = self.rollback_index {
            put(keys::ROLLBACK_INDEX, Value::Integer(x.into()));
        }
        if let Some(x) = self.rollback_enforced {
            put(keys::ROLLBACK_ENFORCED, Value::Bool(x));
        }
        if !self.measurements.is_empty() {
            put(
                keys::MEASUREMENTS,
                Value::Array(
                    self.measurements
                        .iter()
                        .map(Measurement::to_value)
                        .collect(),
                ),
            );
        }
        if let Some(x) = self.bootcount {
            put(keys::BOOTCOUNT, Value::Integer(x.into()));
        }
        if let Some(x) = self.uptime {
            put(keys::UPTIME, Value::Integer(x.into()));
        }
        self.unknown.write(&mut m);
        super::sorted_map(m)
    }
}

impl BootLayerBuilder {
    /// Sets the verified-boot state.
    pub fn verified_boot_state(mut self, state: VerifiedBootState) -> Self {
        self.layer.verified_boot_state = Some(state);
        self
    }

    /// Sets whether the bootloader is locked.
    pub fn bootloader_locked(mut self, locked: bool) -> Self {
        self.layer.bootloader_locked = Some(locked);
        self
    }

    /// Sets the digest of the key that verified the boot chain.
    pub fn boot_key_digest(mut self, digest: impl Into<Digest>) -> Self {
        self.layer.boot_key_digest = Some(digest.into());
        self
    }

    /// Sets the digest of the booted image.
    pub fn boot_image_digest(mut self, digest: impl Into<Digest>) -> Self {
        self.layer.boot_image_digest = Some(digest.into());
        self
    }

    /// Sets `oemboot`.
    pub fn oemboot(mut self, oemboot: bool) -> Self {
        self.layer.oemboot = Some(oemboot);
        self
    }

    /// Sets the boot patch level.
    pub fn boot_patch_level(mut self, level: PatchLevel) -> Self {
        self.layer.boot_patch_level = Some(level);
        self
    }

    /// Sets the anti-rollback index.
    pub fn rollback_index(mut self, index: u64) -> Self {
        self.layer.rollback_index = Some(index);
        self
    }

    /// Sets whether anti-rollback is enforced.
    pub fn rollback_enforced(mut self, enforced: bool) -> Self {
        self.layer.rollback_enforced = Some(enforced);
        self
    }

    /// Appends a measurement.
    pub fn measurement(mut self, content_type: u16, content: impl Into<Vec<u8>>) -> Self {
        self.layer.measurements.push(Measurement {
            content_type,
            content: content.into(),
        });
        self
    }

    /// Sets `bootcount`.
    pub fn bootcount(mut self, count: u64) -> Self {
        self.layer.bootcount = Some(count);
        self
    }

    /// Sets `uptime`, in seconds.
    pub fn uptime(mut self, seconds: u64) -> Self {
        self.layer.uptime = Some(seconds);
        self
    }
}
