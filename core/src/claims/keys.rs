//! Integer claim keys of the mtattest profile.
//!
//! Standard EAT/CWT keys are reused where one fits; the claims EAT lacks use keys
//! in the CWT private-use range, block `-80000 ..= -80099` (clear of the `-75000`
//! block that older PSA tokens used). `spec/mtattest.md` is normative; this
//! module mirrors its table.

/// The `eat_profile` value that identifies version 1 of this profile.
pub const PROFILE_V1: &str = "tag:mtattest.dev,2026:eat/v1";

// --- Standard CWT / EAT claims (RFC 8392, RFC 9711) ---
/// `exp`: expiry, epoch seconds.
pub const EXP: i64 = 4;
/// `nbf`: not before, epoch seconds.
pub const NBF: i64 = 5;
/// `iat`: issued at, epoch seconds.
pub const IAT: i64 = 6;
/// `cti`: token identifier.
pub const CTI: i64 = 7;
/// `cnf`: confirmation (proof-of-possession) key.
pub const CNF: i64 = 8;
/// `eat_nonce`: the relying party's challenge.
pub const NONCE: i64 = 10;
/// `ueid`: device identifier.
pub const UEID: i64 = 256;
/// `oemid`: manufacturer.
pub const OEMID: i64 = 258;
/// `hwmodel`: hardware model.
pub const HWMODEL: i64 = 259;
/// `hwversion`: hardware version.
pub const HWVERSION: i64 = 260;
/// `uptime`: seconds since boot.
pub const UPTIME: i64 = 261;
/// `oemboot`: the device booted OEM-authorised software.
pub const OEMBOOT: i64 = 262;
/// `dbgstat`: debug status.
pub const DBGSTAT: i64 = 263;
/// `eat_profile`.
pub const PROFILE: i64 = 265;
/// `submods`: the per-layer submodules.
pub const SUBMODS: i64 = 266;
/// `bootcount`.
pub const BOOTCOUNT: i64 = 267;
/// `dloas`: certification references.
pub const DLOAS: i64 = 269;
/// `swname`.
pub const SWNAME: i64 = 270;
/// `swversion`.
pub const SWVERSION: i64 = 271;
/// `measurements`.
pub const MEASUREMENTS: i64 = 273;
/// `measres`: measurement (detection) results.
pub const MEASRES: i64 = 274;
/// `intuse`: intended use.
pub const INTUSE: i64 = 275;

// --- mtattest private claims ---
/// Evidence source of a layer's values (every layer).
pub const EVIDENCE_SOURCE: i64 = -80000;

/// chip: key security level.
pub const KEY_SECURITY_LEVEL: i64 = -80010;
/// chip: hardware root of trust present.
pub const HW_ROOT_OF_TRUST: i64 = -80011;
/// chip: PSA security lifecycle.
pub const SECURITY_LIFECYCLE: i64 = -80012;

/// boot: verified boot state.
pub const VERIFIED_BOOT_STATE: i64 = -80020;
/// boot: bootloader locked.
pub const BOOTLOADER_LOCKED: i64 = -80021;
/// boot: digest of the key that verified the boot chain.
pub const BOOT_KEY_DIGEST: i64 = -80022;
/// boot: digest of the booted image (vbmeta).
pub const BOOT_IMAGE_DIGEST: i64 = -80023;
/// boot: boot patch level, YYYYMMDD.
pub const BOOT_PATCH_LEVEL: i64 = -80024;
/// boot: anti-rollback index.
pub const ROLLBACK_INDEX: i64 = -80025;
/// boot: anti-rollback enforced.
pub const ROLLBACK_ENFORCED: i64 = -80026;

/// os: OS security patch level, YYYYMMDD.
pub const OS_PATCH_LEVEL: i64 = -80040;
/// os: vendor patch level, YYYYMMDD.
pub const VENDOR_PATCH_LEVEL: i64 = -80041;
/// os: mandatory access control (SELinux) enforcing.
pub const MAC_ENFORCING: i64 = -80042;
/// os: storage encryption.
pub const STORAGE_ENCRYPTION: i64 = -80043;
/// os: secure screen lock configured.
pub const SCREEN_LOCK: i64 = -80044;
/// os: developer options enabled.
pub const DEVELOPER_OPTIONS: i64 = -80045;
/// os: USB debugging enabled.
pub const USB_DEBUGGING: i64 = -80046;

/// app: package / bundle identifier.
pub const APP_ID: i64 = -80060;
/// app: version code.
pub const APP_VERSION: i64 = -80061;
/// app: signer certificate digests.
pub const APP_SIGNERS: i64 = -80062;
/// app: installer source.
pub const INSTALLER: i64 = -80063;
/// app: sensitive-API privacy events.
pub const PRIVACY_EVENTS: i64 = -80064;

/// runtime: malware found.
pub const MALWARE: i64 = -80080;
/// runtime: tokens this device produced in the last 24 hours.
pub const ATTESTATION_VELOCITY: i64 = -80081;

/// network: the active transport.
pub const CONNECTION: i64 = -80090;
/// network: the Wi-Fi link's security (only with connection wifi).
pub const WIFI_SECURITY: i64 = -80091;
/// network: an HTTP(S) proxy is configured for the app's traffic.
pub const PROXY: i64 = -80092;
/// network: a VPN is active.
pub const VPN: i64 = -80093;
/// network: encrypted DNS is configured.
pub const PRIVATE_DNS: i64 = -80094;
/// network: user-installed CA certificates the app's TLS stack trusts.
pub const USER_CA_CERTIFICATES: i64 = -80095;

/// Submodule names of the six layers.
pub mod layer {
    /// Hardware security features.
    pub const CHIP: &str = "chip";
    /// Boot and update integrity.
    pub const BOOT: &str = "boot";
    /// Operating system / framework.
    pub const OS: &str = "os";
    /// The calling application.
    pub const APP: &str = "app";
    /// Runtime risk detections.
    pub const RUNTIME: &str = "runtime";
    /// Communication connections.
    pub const NETWORK: &str = "network";
}

/// The `measres` measurement-system name under which mtattest detections are reported.
pub const MEASRES_SYSTEM: &str = "mtattest";

/// `result-for` names of the detections mtattest defines (in `measres`).
pub mod detection {
    /// os: kernel integrity protection active and intact.
    pub const KERNEL_INTEGRITY: &str = "kernel-integrity";
    /// app: the app is not repackaged / tampered.
    pub const APP_INTEGRITY: &str = "app-integrity";
    /// runtime: no root / jailbreak.
    pub const ROOT: &str = "root";
    /// runtime: no hooking framework (Xposed, Frida, injection).
    pub const HOOKING: &str = "hooking";
    /// runtime: no debugger attached.
    pub const DEBUGGER: &str = "debugger";
    /// runtime: not an emulator / virtual device.
    pub const EMULATOR: &str = "emulator";
    /// runtime: no screen capture active.
    pub const SCREEN_CAPTURE: &str = "screen-capture";
    /// runtime: no overlay active.
    pub const OVERLAY: &str = "overlay";
    /// runtime: no remote control active.
    pub const REMOTE_CONTROL: &str = "remote-control";
    /// runtime: malware scan ran (its finding is the `malware` claim).
    pub const MALWARE_SCAN: &str = "malware-scan";
    /// network: no man-in-the-middle certificate seen on a pinned connection.
    pub const TLS_INTERCEPTION: &str = "tls-interception";
    /// network: no DNS tampering seen.
    pub const DNS_TAMPERING: &str = "dns-tampering";
}
