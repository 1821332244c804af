//! The claims of an IoT sensor: chip and boot layers, no app layer, built
//! with the library's public builders.

use mtattest::claims::{
    BootLayer, ChipLayer, ClaimsSet, DebugStatus, EvidenceSource, KeySecurityLevel, OemId,
    SecurityLifecycle, VerifiedBootState, Version,
};

/// The device's clock when it signs (2026-01-01T00:00:00Z): QEMU's board
/// has no real-time clock, so the firmware carries its time, and the host
/// verifies with `--at` this value.
pub const ISSUED_AT: i64 = 1_767_225_600;
/// The relying party's challenge (a fixed one: the emulated device has no
/// channel to receive it); the host verifies with `--nonce` this value.
pub const NONCE: [u8; 16] = *b"mtattest-fw-0001";
/// How long the token is good for, in seconds.
const LIFETIME: i64 = 300;
/// IANA Private Enterprise Number reserved for documentation (RFC 5612).
const EXAMPLE_PEN: i64 = 32473;
/// A vendor measurement format (private use).
const FIRMWARE_DIGEST_FORMAT: u16 = 65000;

/// Fixed stand-ins for what the boot ROM measured (SHA-256 sized).
const BOOT_KEY_DIGEST: [u8; 32] = [0x11; 32];
const BOOT_IMAGE_DIGEST: [u8; 32] = [0x22; 32];
const APPLICATION_IMAGE_DIGEST: [u8; 32] = [0x33; 32];
/// The device's UEID: type 0x01 (RAND), 16 bytes.
const UEID: [u8; 17] = [
    0x01, 0x4d, 0x54, 0x2d, 0x53, 0x45, 0x4e, 0x53, 0x4f, 0x52, 0x2d, 0x30, 0x30, 0x30, 0x30, 0x37,
    0x31,
];

/// The device's claims at [`ISSUED_AT`] for the challenge [`NONCE`].
pub fn iot_device() -> ClaimsSet {
    let chip = ChipLayer::builder(EvidenceSource::Hardware)
        .key_security_level(KeySecurityLevel::StrongBox)
        .hw_root_of_trust(true)
        .security_lifecycle(SecurityLifecycle::SECURED)
        .dbgstat(DebugStatus::DisabledPermanently)
        .hwversion(Version::new("M4F-rev3"))
        .build();
    let boot = BootLayer::builder(EvidenceSource::Hardware)
        .verified_boot_state(VerifiedBootState::Verified)
        .bootloader_locked(true)
        .boot_key_digest(BOOT_KEY_DIGEST)
        .boot_image_digest(BOOT_IMAGE_DIGEST)
        .rollback_index(7)
        .rollback_enforced(true)
        .measurement(FIRMWARE_DIGEST_FORMAT, APPLICATION_IMAGE_DIGEST)
        .bootcount(12)
        .uptime(3600)
        .build();
    let mut claims = ClaimsSet::builder(ISSUED_AT)
        .oemid(OemId::Pen(EXAMPLE_PEN))
        .exp(ISSUED_AT + LIFETIME)
        .chip(chip)
        .boot(boot)
        .build();
    // Each of these is valid by construction (lengths in range).
    claims.nonce = mtattest::claims::Nonce::new(NONCE).ok();
    claims.ueid = mtattest::claims::Ueid::new(UEID).ok();
    claims.hwmodel = mtattest::claims::HwModel::new("MT-Sensor 1").ok();
    claims
}
