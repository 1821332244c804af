//! The claims of an IoT sensor: chip and boot layers, no app layer, built
//! from the library's public typed claims.

use mtattest::claims::{
    BootLayer, ChipLayer, ClaimsSet, DebugStatus, EvidenceSource, KeySecurityLevel, Measurement,
    OemId, SecurityLifecycle, VerifiedBootState, Version,
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
///
/// Set field by field rather than through the builders, whose calls move
/// the whole layer each time (0.5 KB more code at `opt-level = "z"`); the
/// values are the same typed claims.
pub fn iot_device() -> ClaimsSet {
    let mut chip = ChipLayer::new(EvidenceSource::Hardware);
    chip.key_security_level = Some(KeySecurityLevel::StrongBox);
    chip.hw_root_of_trust = Some(true);
    chip.security_lifecycle = Some(SecurityLifecycle::SECURED);
    chip.dbgstat = Some(DebugStatus::DisabledPermanently);
    chip.hwversion = Some(Version::new("M4F-rev3"));
    let mut boot = BootLayer::new(EvidenceSource::Hardware);
    boot.verified_boot_state = Some(VerifiedBootState::Verified);
    boot.bootloader_locked = Some(true);
    boot.boot_key_digest = Some(BOOT_KEY_DIGEST.into());
    boot.boot_image_digest = Some(BOOT_IMAGE_DIGEST.into());
    boot.rollback_index = Some(7);
    boot.rollback_enforced = Some(true);
    boot.measurements = alloc::vec![Measurement {
        content_type: FIRMWARE_DIGEST_FORMAT,
        content: APPLICATION_IMAGE_DIGEST.to_vec(),
    }];
    boot.bootcount = Some(12);
    boot.uptime = Some(3600);
    let mut claims = ClaimsSet::new(ISSUED_AT);
    claims.oemid = Some(OemId::Pen(EXAMPLE_PEN));
    claims.exp = Some(ISSUED_AT + LIFETIME);
    claims.chip = Some(chip);
    claims.boot = Some(boot);
    // Each of these is valid by construction (lengths in range).
    claims.nonce = mtattest::claims::Nonce::new(NONCE).ok();
    claims.ueid = mtattest::claims::Ueid::new(UEID).ok();
    claims.hwmodel = mtattest::claims::HwModel::new("MT-Sensor 1").ok();
    claims
}
