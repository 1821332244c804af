//! The typed claims model of the mtattest profile.
//!
//! A [`ClaimsSet`] holds the top-level identity and freshness claims and, in
//! `submods`, up to five typed layers: [`ChipLayer`], [`BootLayer`],
//! [`OsLayer`], [`AppLayer`], [`RuntimeLayer`] and [`NetworkLayer`]. Every layer states its
//! [`EvidenceSource`]; detections are [`MeasResult`]s in the layer's `measres`
//! claim (read them with e.g. [`RuntimeLayer::detection`]).
//!
//! Decoding ([`ClaimsSet::from_cbor`], [`ClaimsSet::from_value`]) checks every
//! claim's type and value set and reports the first violation with a readable
//! path (`submods.boot.verified-boot-state`); claims the profile does not define
//! are kept, re-encoded unchanged and listed by [`ClaimsSet::unknown_claims`].
//! Encoding ([`ClaimsSet::to_cbor`]) is deterministic, so decoding and
//! re-encoding a token this crate produced gives the same bytes.
//!
//! Claim names (for paths, JSON and messages) are in [`names`]. The JSON form
//! of a claims set ([`ClaimsSet::to_json`], [`ClaimsSet::from_json`],
//! `spec/claims-json.md`) is the one form claims take outside CBOR;
//! [`render_text`] shows them to people.
//!
//! # Example
//!
//! ```
//! use mtattest::claims::*;
//! use mtattest::Limits;
//!
//! # fn main() -> Result<(), mtattest::Error> {
//! let claims = ClaimsSet::builder(1_767_225_600) // 2026-01-01T00:00:00Z
//!     .nonce([0x5a; 32])?
//!     .exp(1_767_225_900)
//!     .ueid([0x01, 0x8c, 0x3e, 0x4d, 0x1f, 0x22, 0x7a, 0x90, 0x11])?
//!     .intuse(IntendedUse::Generic)
//!     .chip(
//!         ChipLayer::builder(EvidenceSource::Hardware)
//!             .key_security_level(KeySecurityLevel::StrongBox)
//!             .hw_root_of_trust(true)
//!             .security_lifecycle(SecurityLifecycle::SECURED)
//!             .dbgstat(DebugStatus::DisabledPermanently)
//!             .build(),
//!     )
//!     .boot(
//!         BootLayer::builder(EvidenceSource::Hardware)
//!             .verified_boot_state(VerifiedBootState::Verified)
//!             .bootloader_locked(true)
//!             .boot_patch_level(PatchLevel::new(20251205)?)
//!             .build(),
//!     )
//!     .os(
//!         OsLayer::builder(EvidenceSource::Kernel)
//!             .swname("Android")
//!             .swversion(Version::with_scheme("16", 1))
//!             .os_patch_level(PatchLevel::from_yyyymm(202512)?)
//!             .storage_encryption(StorageEncryption::HardwareKey)
//!             .detection(keys::detection::KERNEL_INTEGRITY, MeasResult::Success)
//!             .build(),
//!     )
//!     .app(
//!         AppLayer::builder(EvidenceSource::Software)
//!             .app_id("com.example.wallet")
//!             .app_version(4021)
//!             .app_signer([0xab; 32]) // a SHA-256 digest
//!             .installer(Installer::Store)
//!             .build(),
//!     )
//!     .runtime(
//!         RuntimeLayer::builder(EvidenceSource::Software)
//!             .detection(keys::detection::ROOT, MeasResult::Success)
//!             .detection(keys::detection::EMULATOR, MeasResult::NotRun)
//!             .malware(Malware::None)
//!             .build(),
//!     )
//!     .build();
//!
//! let bytes = claims.to_cbor();
//! let decoded = ClaimsSet::from_cbor(&bytes, &Limits::DEFAULT)?;
//! assert_eq!(decoded, claims);
//! assert_eq!(decoded.to_cbor(), bytes);
//!
//! let runtime = decoded.runtime.as_ref().unwrap();
//! assert_eq!(runtime.detection(keys::detection::ROOT), Some(MeasResult::Success));
//! assert_eq!(runtime.detection(keys::detection::EMULATOR), Some(MeasResult::NotRun));
//! assert_eq!(runtime.detection(keys::detection::HOOKING), None); // not reported
//! assert!(decoded.unknown_claims().is_empty());
//! # Ok(())
//! # }
//! ```

#[macro_use]
mod macros;

mod app;
mod boot;
mod chip;
pub(crate) mod de;
pub(crate) mod encode;
mod json;
mod measres;
mod nesting;
mod network;
mod os;
mod patch;
mod runtime;
mod set;
mod text;
mod types;
mod unknown;

pub mod keys;
pub mod names;

pub use app::{AppLayer, AppLayerBuilder, Installer, PrivacyEvents};
pub use boot::{BootLayer, BootLayerBuilder, Measurement, VerifiedBootState};
pub use chip::{
    ChipLayer, ChipLayerBuilder, DebugStatus, Dloa, KeySecurityLevel, LifecyclePhase,
    SecurityLifecycle,
};
pub use measres::{MeasResult, MeasurementGroup, MeasurementResults, ResultFor};
pub use names::{Layer, Scope};
pub use network::{Connection, NetworkLayer, NetworkLayerBuilder, WifiSecurity};
pub use os::{OsLayer, OsLayerBuilder, StorageEncryption};
pub use patch::PatchLevel;
pub use runtime::{Malware, RuntimeLayer, RuntimeLayerBuilder};
pub use set::{ClaimsSet, ClaimsSetBuilder};
pub use text::{render_text, ClaimsText, ClaimsTextGroup};
pub use types::{
    Confirmation, Cti, Digest, EvidenceSource, HwModel, IntendedUse, Nonce, OemId, Ueid, Version,
};
pub use unknown::{ClaimKey, UnknownClaim, UnknownClaims};

use alloc::vec::Vec;
use ciborium::value::Value;

/// The integer key and name of `key` if `scope` defines it.
fn known(scope: Scope, key: &ClaimKey) -> Option<(i64, &'static str)> {
    let k = key.as_i64()?;
    scope.name_of(k).map(|name| (k, name))
}

/// A map with its entries in deterministic order. The entries' values must
/// already be in deterministic form.
fn sorted_map(entries: Vec<(Value, Value)>) -> Value {
    let order = crate::cbor::in_deterministic_order(&entries);
    let mut slots: Vec<Option<(Value, Value)>> = entries.into_iter().map(Some).collect();
    Value::Map(
        order
            .into_iter()
            .filter_map(|(_, position)| slots.get_mut(position).and_then(Option::take))
            .collect(),
    )
}
