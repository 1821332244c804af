//! The kebab-case names of the claims, per scope.
//!
//! One table serves error paths (`submods.boot.verified-boot-state`), the JSON
//! rendering and the CLI. It is also the list of claims each scope *defines*:
//! any other key found there is an unknown claim, preserved and reported.

use super::keys;

/// A claim's integer key and its kebab-case name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClaimName {
    /// The integer key (see [`keys`]).
    pub key: i64,
    /// The kebab-case name.
    pub name: &'static str,
}

const fn n(key: i64, name: &'static str) -> ClaimName {
    ClaimName { key, name }
}

/// Name of the `submods` claim, the first segment of every layer path.
pub const SUBMODS: &str = "submods";

/// Claims defined at the top level of the claims set.
pub const TOP_LEVEL: &[ClaimName] = &[
    n(keys::EXP, "exp"),
    n(keys::NBF, "nbf"),
    n(keys::IAT, "iat"),
    n(keys::CTI, "cti"),
    n(keys::CNF, "cnf"),
    n(keys::NONCE, "eat-nonce"),
    n(keys::UEID, "ueid"),
    n(keys::OEMID, "oemid"),
    n(keys::HWMODEL, "hwmodel"),
    n(keys::PROFILE, "eat-profile"),
    n(keys::SUBMODS, SUBMODS),
    n(keys::INTUSE, "intuse"),
];

/// Claims defined in the `chip` layer.
pub const CHIP: &[ClaimName] = &[
    n(keys::EVIDENCE_SOURCE, "evidence-source"),
    n(keys::KEY_SECURITY_LEVEL, "key-security-level"),
    n(keys::HW_ROOT_OF_TRUST, "hw-root-of-trust"),
    n(keys::SECURITY_LIFECYCLE, "security-lifecycle"),
    n(keys::DBGSTAT, "dbgstat"),
    n(keys::HWVERSION, "hwversion"),
    n(keys::DLOAS, "dloas"),
];

/// Claims defined in the `boot` layer.
pub const BOOT: &[ClaimName] = &[
    n(keys::EVIDENCE_SOURCE, "evidence-source"),
    n(keys::VERIFIED_BOOT_STATE, "verified-boot-state"),
    n(keys::BOOTLOADER_LOCKED, "bootloader-locked"),
    n(keys::BOOT_KEY_DIGEST, "boot-key-digest"),
    n(keys::BOOT_IMAGE_DIGEST, "boot-image-digest"),
    n(keys::OEMBOOT, "oemboot"),
    n(keys::BOOT_PATCH_LEVEL, "boot-patch-level"),
    n(keys::ROLLBACK_INDEX, "rollback-index"),
    n(keys::ROLLBACK_ENFORCED, "rollback-enforced"),
    n(keys::MEASUREMENTS, "measurements"),
    n(keys::BOOTCOUNT, "bootcount"),
    n(keys::UPTIME, "uptime"),
];

/// Claims defined in the `os` layer.
pub const OS: &[ClaimName] = &[
    n(keys::EVIDENCE_SOURCE, "evidence-source"),
    n(keys::SWNAME, "swname"),
    n(keys::SWVERSION, "swversion"),
    n(keys::OS_PATCH_LEVEL, "os-patch-level"),
    n(keys::VENDOR_PATCH_LEVEL, "vendor-patch-level"),
    n(keys::MAC_ENFORCING, "mac-enforcing"),
    n(keys::STORAGE_ENCRYPTION, "storage-encryption"),
    n(keys::SCREEN_LOCK, "screen-lock"),
    n(keys::DEVELOPER_OPTIONS, "developer-options"),
    n(keys::USB_DEBUGGING, "usb-debugging"),
    n(keys::MEASRES, "measres"),
];

/// Claims defined in the `app` layer.
pub const APP: &[ClaimName] = &[
    n(keys::EVIDENCE_SOURCE, "evidence-source"),
    n(keys::APP_ID, "app-id"),
    n(keys::APP_VERSION, "app-version"),
    n(keys::APP_SIGNERS, "app-signers"),
    n(keys::INSTALLER, "installer"),
    n(keys::PRIVACY_EVENTS, "privacy-events"),
    n(keys::MEASRES, "measres"),
];

/// Claims defined in the `runtime` layer.
pub const RUNTIME: &[ClaimName] = &[
    n(keys::EVIDENCE_SOURCE, "evidence-source"),
    n(keys::MALWARE, "malware"),
    n(keys::ATTESTATION_VELOCITY, "attestation-velocity"),
    n(keys::MEASRES, "measres"),
];

/// Claims defined in the `network` layer.
pub const NETWORK: &[ClaimName] = &[
    n(keys::EVIDENCE_SOURCE, "evidence-source"),
    n(keys::CONNECTION, "connection"),
    n(keys::WIFI_SECURITY, "wifi-security"),
    n(keys::PROXY, "proxy"),
    n(keys::VPN, "vpn"),
    n(keys::PRIVATE_DNS, "private-dns"),
    n(keys::USER_CA_CERTIFICATES, "user-ca-certificates"),
    n(keys::MEASRES, "measres"),
];

/// Names of the parts of structured claims, used as path segments below the
/// claim's own name (e.g. `submods.app.privacy-events.background`).
pub mod part {
    /// `cnf`: the COSE_Key confirmation method (key 1).
    pub const COSE_KEY: &str = "cose-key";
    /// `cnf`: the key-identifier confirmation method (key 3).
    pub const KID: &str = "kid";
    /// `cnf.cose-key`: the key type (label 1), which every COSE_Key has.
    pub const KTY: &str = "kty";
    /// `hwversion` / `swversion`: the version text.
    pub const VERSION: &str = "version";
    /// `hwversion` / `swversion`: the version scheme.
    pub const SCHEME: &str = "scheme";
    /// `dloas`: the registrar URI.
    pub const REGISTRAR: &str = "registrar";
    /// `dloas`: the platform label.
    pub const PLATFORM_LABEL: &str = "platform-label";
    /// `dloas`: the application label.
    pub const APPLICATION_LABEL: &str = "application-label";
    /// `measurements`: the CoAP content format.
    pub const CONTENT_TYPE: &str = "content-type";
    /// `measurements`: the measurement itself.
    pub const CONTENT: &str = "content";
    /// `measres`: the measurement system of a group.
    pub const SYSTEM: &str = "system";
    /// `measres`: the results of a group.
    pub const RESULTS: &str = "results";
    /// `measres`: what a result is for.
    pub const RESULT_FOR: &str = "result-for";
    /// `measres`: the result code.
    pub const RESULT: &str = "result";
    /// `privacy-events` key 1: calls outside the declared scope.
    pub const OUT_OF_SCOPE: &str = "out-of-scope";
    /// `privacy-events` key 2: calls above the allowed frequency.
    pub const OVER_FREQUENCY: &str = "over-frequency";
    /// `privacy-events` key 3: calls made from the background.
    pub const BACKGROUND: &str = "background";
}

/// The six layers, each a submodule of the claims set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Layer {
    /// Hardware security features.
    Chip,
    /// Boot and update integrity.
    Boot,
    /// Operating system / framework.
    Os,
    /// The calling application.
    App,
    /// Runtime risk detections.
    Runtime,
    /// Communication connections.
    Network,
}

impl Layer {
    /// All layers, bottom up.
    pub const ALL: [Layer; 6] = [
        Layer::Chip,
        Layer::Boot,
        Layer::Os,
        Layer::App,
        Layer::Runtime,
        Layer::Network,
    ];

    /// The layer's submodule name (see [`keys::layer`]).
    pub const fn name(self) -> &'static str {
        match self {
            Layer::Chip => keys::layer::CHIP,
            Layer::Boot => keys::layer::BOOT,
            Layer::Os => keys::layer::OS,
            Layer::App => keys::layer::APP,
            Layer::Runtime => keys::layer::RUNTIME,
            Layer::Network => keys::layer::NETWORK,
        }
    }

    /// The layer whose submodule name is `name`.
    pub fn from_name(name: &str) -> Option<Layer> {
        Layer::ALL.into_iter().find(|l| l.name() == name)
    }

    /// The mtattest detections (`measres` result-for names under
    /// [`keys::MEASRES_SYSTEM`]) this layer defines; others found in the layer
    /// are unknown results.
    pub const fn detections(self) -> &'static [&'static str] {
        use keys::detection::*;
        match self {
            Layer::Chip | Layer::Boot => &[],
            Layer::Os => &[KERNEL_INTEGRITY],
            Layer::App => &[APP_INTEGRITY],
            Layer::Runtime => &[
                ROOT,
                HOOKING,
                DEBUGGER,
                EMULATOR,
                SCREEN_CAPTURE,
                OVERLAY,
                REMOTE_CONTROL,
                MALWARE_SCAN,
            ],
            Layer::Network => &[TLS_INTERCEPTION, DNS_TAMPERING],
        }
    }

    /// The claims this layer defines.
    pub const fn claims(self) -> &'static [ClaimName] {
        match self {
            Layer::Chip => CHIP,
            Layer::Boot => BOOT,
            Layer::Os => OS,
            Layer::App => APP,
            Layer::Runtime => RUNTIME,
            Layer::Network => NETWORK,
        }
    }
}

impl core::fmt::Display for Layer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

/// Where in the claims set a claim sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// The top level of the claims set.
    Top,
    /// The `submods` map itself (its keys are submodule names).
    Submods,
    /// The claims set of one layer.
    Layer(Layer),
}

impl Scope {
    /// The integer-keyed claims this scope defines (none for [`Scope::Submods`],
    /// whose entries are named by [`Layer::name`]).
    pub const fn claims(self) -> &'static [ClaimName] {
        match self {
            Scope::Top => TOP_LEVEL,
            Scope::Submods => &[],
            Scope::Layer(layer) => layer.claims(),
        }
    }

    /// The name of the claim with `key` in this scope, if the scope defines it.
    pub fn name_of(self, key: i64) -> Option<&'static str> {
        self.claims().iter().find(|c| c.key == key).map(|c| c.name)
    }

    /// The key of the claim named `name` in this scope, if the scope defines it.
    pub fn key_of(self, name: &str) -> Option<i64> {
        self.claims().iter().find(|c| c.name == name).map(|c| c.key)
    }

    /// The path of this scope as used in error messages: empty for the top
    /// level, `submods`, or `submods.<layer>`.
    pub fn path(self) -> &'static str {
        match self {
            Scope::Top => "",
            Scope::Submods => SUBMODS,
            Scope::Layer(Layer::Chip) => "submods.chip",
            Scope::Layer(Layer::Boot) => "submods.boot",
            Scope::Layer(Layer::Os) => "submods.os",
            Scope::Layer(Layer::App) => "submods.app",
            Scope::Layer(Layer::Runtime) => "submods.runtime",
            Scope::Layer(Layer::Network) => "submods.network",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::collections::BTreeSet;

    #[test]
    fn names_and_keys_are_unique_per_scope() {
        let scopes = [Scope::Top]
            .into_iter()
            .chain(Layer::ALL.into_iter().map(Scope::Layer));
        for scope in scopes {
            let claims = scope.claims();
            let keys: BTreeSet<i64> = claims.iter().map(|c| c.key).collect();
            let names: BTreeSet<&str> = claims.iter().map(|c| c.name).collect();
            assert_eq!(keys.len(), claims.len(), "{scope:?}");
            assert_eq!(names.len(), claims.len(), "{scope:?}");
            for c in claims {
                assert_eq!(scope.name_of(c.key), Some(c.name));
                assert_eq!(scope.key_of(c.name), Some(c.key));
                assert!(c.name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'));
            }
        }
    }

    #[test]
    fn scope_paths_match_layer_names() {
        for layer in Layer::ALL {
            assert_eq!(
                Scope::Layer(layer).path(),
                alloc::format!("submods.{}", layer.name())
            );
            assert_eq!(Layer::from_name(layer.name()), Some(layer));
        }
    }
}
