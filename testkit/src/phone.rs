//! A realistic example claims set, for demos, tests and test vectors.

use alloc::vec::Vec;

use coset::{iana, CoseKeyBuilder};
use sha2::{Digest, Sha256};

use mtattest::claims::keys::detection;
use mtattest::claims::{
    AppLayer, BootLayer, ChipLayer, ClaimsSet, Confirmation, Cti, DebugStatus, Dloa,
    EvidenceSource, HwModel, Installer, IntendedUse, KeySecurityLevel, Malware, MeasResult,
    NetworkLayer, Nonce, OemId, OsLayer, PatchLevel, PrivacyEvents, RuntimeLayer,
    SecurityLifecycle, StorageEncryption, Ueid, VerifiedBootState, Version, WifiSecurity,
};

const DAY: i64 = 86_400;

/// The x coordinate of the P-256 base point (a valid public key, for show).
const P256_GX: [u8; 32] = [
    0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5, 0x63, 0xa4, 0x40, 0xf2,
    0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0, 0xf4, 0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2, 0x96,
];
/// The y coordinate of the P-256 base point.
const P256_GY: [u8; 32] = [
    0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a, 0x7f, 0x9b, 0x8e, 0xe7, 0xeb, 0x4a, 0x7c, 0x0f, 0x9e, 0x16,
    0x2b, 0xce, 0x33, 0x57, 0x6b, 0x31, 0x5e, 0xce, 0xcb, 0xb6, 0x40, 0x68, 0x37, 0xbf, 0x51, 0xf5,
];

/// IANA Private Enterprise Number 32473, reserved for documentation (RFC 5612).
const EXAMPLE_PEN: i64 = 32473;

/// The CoAP content format used for the example boot measurements: 65000 lies
/// in the experimental range, as no registered format means "a bare digest".
pub const EXAMPLE_DIGEST_FORMAT: u16 = 65000;

fn digest(label: &str) -> [u8; 32] {
    Sha256::digest(label.as_bytes()).into()
}

/// A realistic, healthy Android-like phone with every layer and most claims
/// set, issued at `iat` (epoch seconds) for the challenge `nonce`.
///
/// `nonce` is taken as bytes (a [`Nonce`] converts too); one outside the
/// 8..=64 bytes `eat_nonce` allows is left out rather than panicking, so check
/// it first with [`Nonce::new`] if it comes from outside.
///
/// - top level: `exp` = `iat` + 300 s (none if that is past `i64::MAX`), `cti`, a random-type `ueid`, `oemid`
///   (the documentation PEN 32473), `hwmodel`, a P-256 `cnf` key (the curve's
///   base point, so not a secret anyone holds), `intuse` generic;
/// - `chip` (hardware): StrongBox keys, hardware root of trust, PSA lifecycle
///   secured, debug permanently disabled, `hwversion`, one `dloas` entry;
/// - `boot` (hardware): verified, locked, key and vbmeta digests, `oemboot`,
///   boot patch level, rollback index 3 enforced, two measurements,
///   `bootcount`, `uptime`;
/// - `os` (kernel): Android 16, OS and vendor patch levels, SELinux enforcing,
///   hardware-key storage encryption, screen lock on, developer options and
///   USB debugging off, `kernel-integrity` success;
/// - `app` (software): `com.example.wallet` 4021 from the store, one signer,
///   one background privacy event, `app-integrity` success;
/// - `runtime` (software): malware none, velocity 3, and every runtime
///   detection of [`keys::detection`](mtattest::claims::keys::detection) `success`;
/// - `network` (software): WPA3 Wi-Fi, no proxy, no VPN, private DNS on, no
///   user CA certificates, `tls-interception` and `dns-tampering` success.
///
/// Patch levels follow `iat`: the OS level is the 1st and the vendor and boot
/// levels the 5th of the month 20 days before `iat`, so the phone passes a
/// "patch at most 90 days old" policy at `iat`. (For an `iat` before February
/// 1970 or after 9999 the patch levels are left out.) No unknown claims.
pub fn example_phone(iat: i64, nonce: impl Into<Vec<u8>>) -> ClaimsSet {
    let patch_month = PatchLevel::from_unix_time(iat.saturating_sub(20 * DAY));
    let patch =
        |day: u32| patch_month.and_then(|p| PatchLevel::from_ymd(p.year(), p.month(), day).ok());

    let chip = ChipLayer::builder(EvidenceSource::Hardware)
        .key_security_level(KeySecurityLevel::StrongBox)
        .hw_root_of_trust(true)
        .security_lifecycle(SecurityLifecycle::SECURED)
        .dbgstat(DebugStatus::DisabledPermanently)
        .hwversion(Version::new("EVT3-rev2"))
        .dloa(Dloa {
            registrar: "https://globalplatform.org".into(),
            platform_label: "GP-TEE-CERT-EXAMPLE-0042".into(),
            application_label: None,
        })
        .build();

    let mut boot = BootLayer::builder(EvidenceSource::Hardware)
        .verified_boot_state(VerifiedBootState::Verified)
        .bootloader_locked(true)
        .boot_key_digest(digest("example OEM verified-boot key"))
        .boot_image_digest(digest("example vbmeta image"))
        .oemboot(true)
        .rollback_index(3)
        .rollback_enforced(true)
        .measurement(EXAMPLE_DIGEST_FORMAT, digest("example bootloader"))
        .measurement(EXAMPLE_DIGEST_FORMAT, digest("example kernel"))
        .bootcount(42)
        .uptime(3 * 3600 + 17 * 60)
        .build();
    boot.boot_patch_level = patch(5);

    let mut os = OsLayer::builder(EvidenceSource::Kernel)
        .swname("Android")
        .swversion(Version::with_scheme("16", 1))
        .mac_enforcing(true)
        .storage_encryption(StorageEncryption::HardwareKey)
        .screen_lock(true)
        .developer_options(false)
        .usb_debugging(false)
        .detection(detection::KERNEL_INTEGRITY, MeasResult::Success)
        .build();
    os.os_patch_level = patch(1);
    os.vendor_patch_level = patch(5);

    let app = AppLayer::builder(EvidenceSource::Software)
        .app_id("com.example.wallet")
        .app_version(4021)
        .app_signer(digest("example app signing certificate"))
        .installer(Installer::Store)
        .privacy_events(PrivacyEvents::counts(0, 0, 1))
        .detection(detection::APP_INTEGRITY, MeasResult::Success)
        .build();

    let mut runtime = RuntimeLayer::builder(EvidenceSource::Software)
        .malware(Malware::None)
        .attestation_velocity(3)
        .build();
    for name in [
        detection::ROOT,
        detection::HOOKING,
        detection::DEBUGGER,
        detection::EMULATOR,
        detection::SCREEN_CAPTURE,
        detection::OVERLAY,
        detection::REMOTE_CONTROL,
        detection::MALWARE_SCAN,
    ] {
        runtime.set_detection(name, MeasResult::Success);
    }

    let network = NetworkLayer::builder(EvidenceSource::Software)
        .wifi(WifiSecurity::Wpa3)
        .proxy(false)
        .vpn(false)
        .private_dns(true)
        .user_ca_certificates(0)
        .detection(detection::TLS_INTERCEPTION, MeasResult::Success)
        .detection(detection::DNS_TAMPERING, MeasResult::Success)
        .build();

    let mut ueid = Vec::with_capacity(17);
    ueid.push(0x01); // RAND type
    ueid.extend_from_slice(digest("example device").get(..16).unwrap_or_default());

    let key = CoseKeyBuilder::new_ec2_pub_key(
        iana::EllipticCurve::P_256,
        P256_GX.to_vec(),
        P256_GY.to_vec(),
    )
    .algorithm(iana::Algorithm::ES256)
    .build();

    let mut set = ClaimsSet::builder(iat)
        .oemid(OemId::Pen(EXAMPLE_PEN))
        .intuse(IntendedUse::Generic)
        .chip(chip)
        .boot(boot)
        .os(os)
        .app(app)
        .runtime(runtime)
        .network(network)
        .build();
    // exp must be later than iat (spec §6.2): none within 300 s of the end
    // of time.
    set.exp = iat.checked_add(300);
    set.nonce = Nonce::new(nonce).ok();
    set.cti = Cti::new(digest("example token").get(..16).unwrap_or_default()).ok();
    set.ueid = Ueid::new(ueid).ok();
    set.hwmodel = HwModel::new("MT-Phone 7 Pro").ok();
    set.cnf = Confirmation::new(key).ok();
    set
}

/// The example phone on an intercepted open network: open Wi-Fi, an HTTP
/// proxy configured, one user-installed CA certificate trusted, private DNS
/// off, and a man-in-the-middle certificate seen on a pinned connection
/// (`tls-interception` fail); DNS was not tampered with. Every other claim
/// is the healthy [`example_phone`]'s.
pub fn intercepted_phone(iat: i64, nonce: impl Into<Vec<u8>>) -> ClaimsSet {
    let mut set = example_phone(iat, nonce);
    set.network = Some(
        NetworkLayer::builder(EvidenceSource::Software)
            .wifi(WifiSecurity::Open)
            .proxy(true)
            .vpn(false)
            .private_dns(false)
            .user_ca_certificates(1)
            .detection(detection::TLS_INTERCEPTION, MeasResult::Fail)
            .detection(detection::DNS_TAMPERING, MeasResult::Success)
            .build(),
    );
    set
}
