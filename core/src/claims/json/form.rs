//! The form each claim's value takes in JSON, shared by the encoder, the
//! decoder and the text rendering.

use alloc::string::String;
use alloc::vec::Vec;

use super::super::de::Code;
use super::super::{
    keys, Connection, DebugStatus, EvidenceSource, Installer, IntendedUse, KeySecurityLevel,
    Malware, StorageEncryption, VerifiedBootState, WifiSecurity,
};

/// A value set: its codes and names (from `code_enum!`).
#[derive(Clone, Copy)]
pub(crate) struct Codes {
    name: fn(u64) -> Option<&'static str>,
    pub(super) code: fn(&str) -> Option<u64>,
    pub(super) all: fn() -> String,
}

pub(super) fn code_name<T: Code>(code: u64) -> Option<&'static str> {
    T::from_code(code).map(T::name)
}

pub(super) fn name_code<T: Code>(name: &str) -> Option<u64> {
    T::all().iter().find(|v| v.name() == name).map(|v| v.code())
}

pub(super) fn all_names<T: Code>() -> String {
    let names: Vec<&str> = T::all().iter().map(|v| v.name()).collect();
    names.join(", ")
}

pub(super) fn codes<T: Code>() -> Codes {
    Codes {
        name: code_name::<T>,
        code: name_code::<T>,
        all: all_names::<T>,
    }
}

impl Codes {
    /// The name of `code`.
    pub(crate) fn name(&self, code: u64) -> Option<&'static str> {
        (self.name)(code)
    }
}

/// How a defined claim's value looks in JSON.
#[derive(Clone, Copy)]
pub(crate) enum Form {
    /// An integer (`int` or `uint`).
    Int,
    /// Epoch seconds, an integer.
    Time,
    /// A duration in seconds, an integer.
    Seconds,
    /// A patch level `YYYYMMDD`, an integer.
    PatchLevel,
    /// A PSA security lifecycle, an integer.
    Lifecycle,
    /// A boolean.
    Bool,
    /// A string.
    Text,
    /// A byte string, as hex.
    Bytes,
    /// A byte string that is usually text (`hwmodel`): the text, or
    /// `{"hex": …}` when the bytes are not text (spec §12.3).
    Label,
    /// A value of a value set, by name.
    Code(Codes),
    /// `hwversion` / `swversion`: `{"version": tstr, ? "scheme": int}`.
    Version,
    /// `dloas`: `[+ {"registrar", "platform-label", ? "application-label"}]`.
    Dloas,
    /// `measurements`: `[+ {"content-type": uint, "content": hex}]`.
    Measurements,
    /// `app-signers`: `[+ hex]`.
    Digests,
    /// `oemid`: an integer (PEN) or hex (IEEE OUI / random).
    OemId,
    /// `cnf`: `{"cose-key": hex CBOR}` or `{"kid": hex}`.
    Cnf,
    /// `privacy-events`: counters by name, others by decimal key.
    PrivacyEvents,
    /// `measres`: `[+ {"system", "results": [+ {"result-for", "result"}]}]`.
    Measres,
    /// `submods`: the layers by name, other submodules under `"unknown"`.
    Submods,
}

/// The form of the claim with `key` (keys are unique across scopes, so the
/// key alone decides); `None` for a key no scope defines.
pub(crate) fn form_of(key: i64) -> Option<Form> {
    use keys::*;
    Some(match key {
        IAT | EXP | NBF => Form::Time,
        UPTIME => Form::Seconds,
        ROLLBACK_INDEX | BOOTCOUNT | APP_VERSION | ATTESTATION_VELOCITY | USER_CA_CERTIFICATES => {
            Form::Int
        }
        BOOT_PATCH_LEVEL | OS_PATCH_LEVEL | VENDOR_PATCH_LEVEL => Form::PatchLevel,
        SECURITY_LIFECYCLE => Form::Lifecycle,
        HW_ROOT_OF_TRUST | BOOTLOADER_LOCKED | OEMBOOT | ROLLBACK_ENFORCED | MAC_ENFORCING
        | SCREEN_LOCK | DEVELOPER_OPTIONS | USB_DEBUGGING | PROXY | VPN | PRIVATE_DNS => Form::Bool,
        PROFILE | SWNAME | APP_ID => Form::Text,
        NONCE | CTI | UEID | BOOT_KEY_DIGEST | BOOT_IMAGE_DIGEST => Form::Bytes,
        HWMODEL => Form::Label,
        INTUSE => Form::Code(codes::<IntendedUse>()),
        EVIDENCE_SOURCE => Form::Code(codes::<EvidenceSource>()),
        KEY_SECURITY_LEVEL => Form::Code(codes::<KeySecurityLevel>()),
        DBGSTAT => Form::Code(codes::<DebugStatus>()),
        VERIFIED_BOOT_STATE => Form::Code(codes::<VerifiedBootState>()),
        STORAGE_ENCRYPTION => Form::Code(codes::<StorageEncryption>()),
        INSTALLER => Form::Code(codes::<Installer>()),
        MALWARE => Form::Code(codes::<Malware>()),
        CONNECTION => Form::Code(codes::<Connection>()),
        WIFI_SECURITY => Form::Code(codes::<WifiSecurity>()),
        HWVERSION | SWVERSION => Form::Version,
        DLOAS => Form::Dloas,
        MEASUREMENTS => Form::Measurements,
        APP_SIGNERS => Form::Digests,
        OEMID => Form::OemId,
        CNF => Form::Cnf,
        PRIVACY_EVENTS => Form::PrivacyEvents,
        MEASRES => Form::Measres,
        SUBMODS => Form::Submods,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::super::UNKNOWN;
    use super::*;
    use crate::claims::names::{self, Layer, Scope};

    #[test]
    fn every_defined_claim_has_a_form() {
        let scopes = [Scope::Top]
            .into_iter()
            .chain(Layer::ALL.into_iter().map(Scope::Layer));
        for scope in scopes {
            for c in scope.claims() {
                assert!(form_of(c.key).is_some(), "{scope:?} {}", c.name);
            }
        }
        assert!(names::TOP_LEVEL.iter().all(|c| c.name != UNKNOWN));
    }
}
