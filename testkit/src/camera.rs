//! An IoT camera: a device without apps, for the `iot` preset (spec
//! §11.3.3).

use alloc::vec::Vec;

use sha2::{Digest, Sha256};

use mtattest::claims::keys::detection;
use mtattest::claims::{
    BootLayer, ChipLayer, ClaimsSet, Connection, Cti, DebugStatus, EvidenceSource, HwModel,
    IntendedUse, KeySecurityLevel, MeasResult, NetworkLayer, Nonce, OemId, OsLayer, PatchLevel,
    SecurityLifecycle, Ueid, VerifiedBootState, Version,
};

use crate::EXAMPLE_DIGEST_FORMAT;

const DAY: i64 = 86_400;

/// IANA Private Enterprise Number 32473, reserved for documentation (RFC 5612).
const EXAMPLE_PEN: i64 = 32473;

fn digest(label: &str) -> [u8; 32] {
    Sha256::digest(label.as_bytes()).into()
}

/// A healthy, cheap IoT camera ("CamCo C1"), issued at `iat` (epoch
/// seconds) for the challenge `nonce` (left out unless 8..=64 bytes).
///
/// Unlike [`example_phone`](crate::example_phone) it has no `app` and no
/// `runtime` layer, a TEE rather than StrongBox, and a Linux OS that
/// reports no screen lock, storage encryption or developer settings:
///
/// - top level: `exp` = `iat` + 3600 s, `cti`, a random-type `ueid`,
///   `oemid` (the documentation PEN 32473), `hwmodel` `CamCo C1`, `intuse`
///   generic, no `cnf`;
/// - `chip` (hardware): TEE keys, hardware root of trust, PSA lifecycle
///   secured, debug permanently disabled, `hwversion` `C1-rev4`;
/// - `boot` (hardware): verified, locked, key and image digests, one
///   measurement, rollback index 7 enforced;
/// - `os` (kernel): `CamOS` 5.2, OS patch level the 1st of the month 40 days
///   before `iat`;
/// - `network` (software): wired Ethernet, no proxy, no VPN, no user CA
///   certificates, `tls-interception` success.
pub fn example_camera(iat: i64, nonce: impl Into<Vec<u8>>) -> ClaimsSet {
    let chip = ChipLayer::builder(EvidenceSource::Hardware)
        .key_security_level(KeySecurityLevel::Tee)
        .hw_root_of_trust(true)
        .security_lifecycle(SecurityLifecycle::SECURED)
        .dbgstat(DebugStatus::DisabledPermanently)
        .hwversion(Version::new("C1-rev4"))
        .build();

    let boot = BootLayer::builder(EvidenceSource::Hardware)
        .verified_boot_state(VerifiedBootState::Verified)
        .bootloader_locked(true)
        .boot_key_digest(digest("example camera boot key"))
        .boot_image_digest(digest("example camera firmware image"))
        .rollback_index(7)
        .rollback_enforced(true)
        .measurement(EXAMPLE_DIGEST_FORMAT, digest("example camera firmware"))
        .build();

    let mut os = OsLayer::builder(EvidenceSource::Kernel)
        .swname("CamOS")
        .swversion(Version::new("5.2"))
        .build();
    os.os_patch_level = PatchLevel::from_unix_time(iat.saturating_sub(40 * DAY))
        .and_then(|p| PatchLevel::from_ymd(p.year(), p.month(), 1).ok());

    let network = NetworkLayer::builder(EvidenceSource::Software)
        .connection(Connection::Ethernet)
        .proxy(false)
        .vpn(false)
        .user_ca_certificates(0)
        .detection(detection::TLS_INTERCEPTION, MeasResult::Success)
        .build();

    let mut ueid = Vec::with_capacity(17);
    ueid.push(0x01); // RAND type
    ueid.extend_from_slice(digest("example camera").get(..16).unwrap_or_default());

    let mut set = ClaimsSet::builder(iat)
        .oemid(OemId::Pen(EXAMPLE_PEN))
        .intuse(IntendedUse::Generic)
        .chip(chip)
        .boot(boot)
        .os(os)
        .network(network)
        .build();
    set.exp = iat.checked_add(3600);
    set.nonce = Nonce::new(nonce).ok();
    set.cti = Cti::new(digest("example camera token").get(..16).unwrap_or_default()).ok();
    set.ueid = Ueid::new(ueid).ok();
    set.hwmodel = HwModel::new("CamCo C1").ok();
    set
}
