//! Claims as policies see them: paths resolved against the names table,
//! typed values read from a claims set, policy values parsed for a claim.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cmp::Ordering;

use crate::claims::names::{self, part, Layer, Scope};
use crate::claims::{
    ClaimsSet, Connection, DebugStatus, EvidenceSource, Installer, IntendedUse, KeySecurityLevel,
    LifecyclePhase, Malware, MeasResult, OemId, PatchLevel, StorageEncryption, VerifiedBootState,
    WifiSecurity,
};

use super::policy::{LabelHex, PolicyValue};
use crate::encoding::{from_hex, label_text, to_hex};

/// A claim value set as policies use it: names, codes and whether the
/// codes are ordered (so `at-least` / `at-most` apply).
#[derive(Debug)]
pub(crate) struct EnumSet {
    pub parse: fn(&str) -> Option<u64>,
    pub render: fn(u64) -> Option<&'static str>,
    pub names: fn() -> Vec<&'static str>,
    pub ordered: bool,
}

macro_rules! enum_set {
    ($name:ident, $t:ty, $ordered:expr) => {
        static $name: EnumSet = EnumSet {
            parse: |s| <$t>::from_name(s).map(|v| v.code()),
            render: |c| <$t>::from_code(c).map(|v| v.name()),
            names: || <$t>::ALL.iter().map(|v| v.name()).collect(),
            ordered: $ordered,
        };
    };
}

enum_set!(KEY_LEVEL, KeySecurityLevel, true);
enum_set!(SOURCE, EvidenceSource, true);
enum_set!(DBGSTAT, DebugStatus, true);
enum_set!(STORAGE, StorageEncryption, true);
enum_set!(MALWARE, Malware, true);
enum_set!(BOOT_STATE, VerifiedBootState, false);
enum_set!(INSTALLER, Installer, false);
enum_set!(INTUSE, IntendedUse, false);
enum_set!(MEASRES, MeasResult, false);
enum_set!(CONNECTION, Connection, false);
enum_set!(WIFI_SECURITY, WifiSecurity, false);

const PHASES: [LifecyclePhase; 7] = [
    LifecyclePhase::Unknown,
    LifecyclePhase::AssemblyAndTest,
    LifecyclePhase::PsaRotProvisioning,
    LifecyclePhase::Secured,
    LifecyclePhase::NonPsaRotDebug,
    LifecyclePhase::RecoverablePsaRotDebug,
    LifecyclePhase::Decommissioned,
];

static LIFECYCLE: EnumSet = EnumSet {
    parse: |s| {
        PHASES
            .iter()
            .find(|p| p.name() == s)
            .map(|p| u64::from(p.high_byte()))
    },
    render: |c| {
        u8::try_from(c)
            .ok()
            .and_then(LifecyclePhase::from_high_byte)
            .map(LifecyclePhase::name)
    },
    names: || PHASES.iter().map(|p| p.name()).collect(),
    ordered: false,
};

/// The type of a claim, as far as policies are concerned.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    /// A value set (enum).
    Enum(&'static EnumSet),
    /// A boolean.
    Bool,
    /// A patch level (date).
    Patch,
    /// An unsigned integer.
    Uint,
    /// A time (`iat`): only its age can be tested.
    Time,
    /// Text.
    Text,
    /// Bytes written in policies as text (`hwmodel`).
    TextBytes,
    /// Bytes written in policies as hex (`ueid`, digests).
    HexBytes,
    /// A list of digests written as hex (`app-signers`).
    Digests,
    /// `oemid`: a PEN (integer) or hex bytes.
    OemId,
    /// `eat_nonce`: presence, and whether the verifier compared it.
    Nonce,
}

impl Kind {
    pub(crate) fn ordered(self) -> bool {
        match self {
            Kind::Enum(set) => set.ordered,
            Kind::Patch | Kind::Uint => true,
            _ => false,
        }
    }

    pub(crate) fn comparable(self) -> bool {
        !matches!(self, Kind::Time | Kind::Nonce)
    }
}

/// A claim value read from a claims set or given in a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Val {
    Code(u64),
    Bool(bool),
    Patch(PatchLevel),
    Uint(u64),
    Time(i64),
    Text(String),
    Bytes(Vec<u8>),
    Digests(Vec<Vec<u8>>),
    Present,
}

impl Val {
    /// Order of two values of an ordered kind.
    pub(crate) fn order(&self, other: &Val) -> Option<Ordering> {
        match (self, other) {
            (Val::Code(a), Val::Code(b)) => Some(a.cmp(b)),
            (Val::Patch(a), Val::Patch(b)) => Some(a.cmp(b)),
            (Val::Uint(a), Val::Uint(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }
}

/// A claim a rule refers to, resolved when the policy is loaded.
#[derive(Debug, Clone)]
pub(crate) struct ClaimRef {
    /// The canonical path, e.g. `submods.runtime.measres.root`.
    pub path: String,
    /// The layer, or `None` for a top-level claim.
    pub layer: Option<Layer>,
    /// The claim's name in its scope.
    pub name: &'static str,
    /// The detection or privacy counter below `measres` / `privacy-events`.
    pub sub: Option<&'static str>,
    /// Its type.
    pub kind: Kind,
}

/// Why a path does not resolve.
pub(crate) enum Unresolved {
    Unknown,
    NotAppraisable,
}

/// Resolves a claim path of the names table.
pub(crate) fn resolve(path: &str) -> Result<ClaimRef, Unresolved> {
    let segments: Vec<&str> = path.split('.').collect();
    let (layer, name, sub) = match segments.as_slice() {
        [top] => {
            let name = static_name(Scope::Top, top).ok_or(Unresolved::Unknown)?;
            (None, name, None)
        }
        [submods, layer, rest @ ..] if *submods == names::SUBMODS => {
            let layer = Layer::from_name(layer).ok_or(Unresolved::Unknown)?;
            let (claim, sub) = match rest {
                [claim] => (*claim, None),
                [claim, sub] => (*claim, Some(*sub)),
                _ => return Err(Unresolved::Unknown),
            };
            let name = static_name(Scope::Layer(layer), claim).ok_or(Unresolved::Unknown)?;
            let sub = match (name, sub) {
                (_, None) => None,
                ("measres", Some(d)) => Some(
                    layer
                        .detections()
                        .iter()
                        .copied()
                        .find(|x| *x == d)
                        .ok_or(Unresolved::Unknown)?,
                ),
                ("privacy-events", Some(c)) => Some(
                    [part::OUT_OF_SCOPE, part::OVER_FREQUENCY, part::BACKGROUND]
                        .into_iter()
                        .find(|x| *x == c)
                        .ok_or(Unresolved::Unknown)?,
                ),
                _ => return Err(Unresolved::Unknown),
            };
            (Some(layer), name, sub)
        }
        _ => return Err(Unresolved::Unknown),
    };
    let kind = kind_of(layer, name, sub).ok_or(Unresolved::NotAppraisable)?;
    Ok(ClaimRef {
        path: path.to_string(),
        layer,
        name,
        sub,
        kind,
    })
}

fn static_name(scope: Scope, name: &str) -> Option<&'static str> {
    scope
        .claims()
        .iter()
        .find(|c| c.name == name)
        .map(|c| c.name)
}

fn kind_of(layer: Option<Layer>, name: &str, sub: Option<&str>) -> Option<Kind> {
    Some(match (layer, name, sub) {
        (_, "evidence-source", None) if layer.is_some() => Kind::Enum(&SOURCE),
        (None, "iat", None) => Kind::Time,
        (None, "eat-nonce", None) => Kind::Nonce,
        (None, "ueid", None) => Kind::HexBytes,
        (None, "oemid", None) => Kind::OemId,
        (None, "hwmodel", None) => Kind::TextBytes,
        (None, "intuse", None) => Kind::Enum(&INTUSE),
        (Some(Layer::Chip), "key-security-level", None) => Kind::Enum(&KEY_LEVEL),
        (Some(Layer::Chip), "hw-root-of-trust", None) => Kind::Bool,
        (Some(Layer::Chip), "security-lifecycle", None) => Kind::Enum(&LIFECYCLE),
        (Some(Layer::Chip), "dbgstat", None) => Kind::Enum(&DBGSTAT),
        (Some(Layer::Chip), "hwversion", None) => Kind::Text,
        (Some(Layer::Boot), "verified-boot-state", None) => Kind::Enum(&BOOT_STATE),
        (Some(Layer::Boot), "bootloader-locked" | "oemboot" | "rollback-enforced", None) => {
            Kind::Bool
        }
        (Some(Layer::Boot), "boot-key-digest" | "boot-image-digest", None) => Kind::HexBytes,
        (Some(Layer::Boot), "boot-patch-level", None) => Kind::Patch,
        (Some(Layer::Boot), "rollback-index" | "bootcount" | "uptime", None) => Kind::Uint,
        (Some(Layer::Os), "swname", None) => Kind::Text,
        (Some(Layer::Os), "swversion", None) => Kind::Text,
        (Some(Layer::Os), "os-patch-level" | "vendor-patch-level", None) => Kind::Patch,
        (
            Some(Layer::Os),
            "mac-enforcing" | "screen-lock" | "developer-options" | "usb-debugging",
            None,
        ) => Kind::Bool,
        (Some(Layer::Os), "storage-encryption", None) => Kind::Enum(&STORAGE),
        (Some(Layer::App), "app-id", None) => Kind::Text,
        (Some(Layer::App), "app-version", None) => Kind::Uint,
        (Some(Layer::App), "app-signers", None) => Kind::Digests,
        (Some(Layer::App), "installer", None) => Kind::Enum(&INSTALLER),
        (Some(Layer::App), "privacy-events", Some(_)) => Kind::Uint,
        (Some(Layer::Runtime), "malware", None) => Kind::Enum(&MALWARE),
        (Some(Layer::Runtime), "attestation-velocity", None) => Kind::Uint,
        (Some(Layer::Network), "connection", None) => Kind::Enum(&CONNECTION),
        (Some(Layer::Network), "wifi-security", None) => Kind::Enum(&WIFI_SECURITY),
        (Some(Layer::Network), "proxy" | "vpn" | "private-dns", None) => Kind::Bool,
        (Some(Layer::Network), "user-ca-certificates", None) => Kind::Uint,
        (Some(_), "measres", Some(_)) => Kind::Enum(&MEASRES),
        _ => return None,
    })
}

/// Reads the claim `r` refers to from `claims`; `None` when absent.
pub(crate) fn extract(claims: &ClaimsSet, r: &ClaimRef) -> Option<Val> {
    let code = |c: u64| Some(Val::Code(c));
    match (r.layer, r.name) {
        (None, "iat") => Some(Val::Time(claims.iat)),
        (None, "eat-nonce") => claims.nonce.as_ref().map(|_| Val::Present),
        (None, "ueid") => claims
            .ueid
            .as_ref()
            .map(|u| Val::Bytes(u.as_bytes().to_vec())),
        (None, "oemid") => claims.oemid.as_ref().map(|o| Val::Text(oemid_text(o))),
        (None, "hwmodel") => claims
            .hwmodel
            .as_ref()
            .map(|m| Val::Bytes(m.as_bytes().to_vec())),
        (None, "intuse") => claims.intuse.and_then(|v| code(v.code())),
        // The source appraisal credits the layer with (spec §11.4, §14.1
        // rule 1), not the one it declares: a rule on the source must not
        // let a software-held key vouch for "hardware".
        (Some(layer), "evidence-source") => {
            super::effective_source(claims, layer).and_then(|s| code(s.code()))
        }
        (Some(Layer::Chip), name) => {
            let l = claims.chip.as_ref()?;
            match name {
                "key-security-level" => l.key_security_level.and_then(|v| code(v.code())),
                "hw-root-of-trust" => l.hw_root_of_trust.map(Val::Bool),
                "security-lifecycle" => l
                    .security_lifecycle
                    .and_then(|v| code(u64::from(v.phase().high_byte()))),
                "dbgstat" => l.dbgstat.and_then(|v| code(v.code())),
                "hwversion" => l.hwversion.as_ref().map(|v| Val::Text(v.version.clone())),
                _ => None,
            }
        }
        (Some(Layer::Boot), name) => {
            let l = claims.boot.as_ref()?;
            match name {
                "verified-boot-state" => l.verified_boot_state.and_then(|v| code(v.code())),
                "bootloader-locked" => l.bootloader_locked.map(Val::Bool),
                "oemboot" => l.oemboot.map(Val::Bool),
                "rollback-enforced" => l.rollback_enforced.map(Val::Bool),
                "boot-key-digest" => l
                    .boot_key_digest
                    .as_ref()
                    .map(|d| Val::Bytes(d.as_bytes().to_vec())),
                "boot-image-digest" => l
                    .boot_image_digest
                    .as_ref()
                    .map(|d| Val::Bytes(d.as_bytes().to_vec())),
                "boot-patch-level" => l.boot_patch_level.map(Val::Patch),
                "rollback-index" => l.rollback_index.map(Val::Uint),
                "bootcount" => l.bootcount.map(Val::Uint),
                "uptime" => l.uptime.map(Val::Uint),
                _ => None,
            }
        }
        (Some(Layer::Os), name) => {
            let l = claims.os.as_ref()?;
            match name {
                "swname" => l.swname.clone().map(Val::Text),
                "swversion" => l.swversion.as_ref().map(|v| Val::Text(v.version.clone())),
                "os-patch-level" => l.os_patch_level.map(Val::Patch),
                "vendor-patch-level" => l.vendor_patch_level.map(Val::Patch),
                "mac-enforcing" => l.mac_enforcing.map(Val::Bool),
                "screen-lock" => l.screen_lock.map(Val::Bool),
                "developer-options" => l.developer_options.map(Val::Bool),
                "usb-debugging" => l.usb_debugging.map(Val::Bool),
                "storage-encryption" => l.storage_encryption.and_then(|v| code(v.code())),
                "measres" => r
                    .sub
                    .and_then(|d| l.detection(d))
                    .and_then(|v| code(v.code())),
                _ => None,
            }
        }
        (Some(Layer::App), name) => {
            let l = claims.app.as_ref()?;
            match name {
                "app-id" => l.app_id.clone().map(Val::Text),
                "app-version" => l.app_version.map(Val::Uint),
                "app-signers" if !l.app_signers.is_empty() => Some(Val::Digests(
                    l.app_signers
                        .iter()
                        .map(|d| d.as_bytes().to_vec())
                        .collect(),
                )),
                "installer" => l.installer.and_then(|v| code(v.code())),
                "privacy-events" => {
                    let e = l.privacy_events.as_ref()?;
                    match r.sub? {
                        part::OUT_OF_SCOPE => e.out_of_scope,
                        part::OVER_FREQUENCY => e.over_frequency,
                        part::BACKGROUND => e.background,
                        _ => None,
                    }
                    .map(Val::Uint)
                }
                "measres" => r
                    .sub
                    .and_then(|d| l.detection(d))
                    .and_then(|v| code(v.code())),
                _ => None,
            }
        }
        (Some(Layer::Runtime), name) => {
            let l = claims.runtime.as_ref()?;
            match name {
                "malware" => l.malware.and_then(|v| code(v.code())),
                "attestation-velocity" => l.attestation_velocity.map(Val::Uint),
                "measres" => r
                    .sub
                    .and_then(|d| l.detection(d))
                    .and_then(|v| code(v.code())),
                _ => None,
            }
        }
        (Some(Layer::Network), name) => {
            let l = claims.network.as_ref()?;
            match name {
                "connection" => l.connection.and_then(|v| code(v.code())),
                "wifi-security" => l.wifi_security.and_then(|v| code(v.code())),
                "proxy" => l.proxy.map(Val::Bool),
                "vpn" => l.vpn.map(Val::Bool),
                "private-dns" => l.private_dns.map(Val::Bool),
                "user-ca-certificates" => l.user_ca_certificates.map(Val::Uint),
                "measres" => r
                    .sub
                    .and_then(|d| l.detection(d))
                    .and_then(|v| code(v.code())),
                _ => None,
            }
        }
        _ => None,
    }
}

fn oemid_text(o: &OemId) -> String {
    match o {
        OemId::Pen(n) => format!("{n}"),
        OemId::Ieee(b) => to_hex(b),
        OemId::Random(b) => to_hex(b),
    }
}

/// Parses a policy value for a claim of `kind`.
pub(crate) fn parse(kind: Kind, v: &PolicyValue) -> Result<Val, String> {
    match (kind, v) {
        (Kind::Enum(set), PolicyValue::Text(s)) => (set.parse)(s).map(Val::Code).ok_or_else(|| {
            format!(
                "{s:?} is not in the value set ({})",
                (set.names)().join(", ")
            )
        }),
        (Kind::Enum(set), _) => Err(format!(
            "expected one of the names {}",
            (set.names)().join(", ")
        )),
        (Kind::Bool, PolicyValue::Bool(b)) => Ok(Val::Bool(*b)),
        (Kind::Bool, _) => Err("expected true or false".into()),
        (Kind::Patch, PolicyValue::Int(n)) => patch_level(*n).map(Val::Patch),
        (Kind::Patch, _) => Err(PATCH_FORM.into()),
        (Kind::Uint, PolicyValue::Int(n)) => u64::try_from(*n)
            .map(Val::Uint)
            .map_err(|_| format!("{n} is negative")),
        (Kind::Uint, _) => Err("expected a non-negative integer".into()),
        (Kind::Text, PolicyValue::Text(s)) => Ok(Val::Text(s.clone())),
        (Kind::Text, _) => Err("expected a string".into()),
        (Kind::TextBytes, PolicyValue::Text(s)) => match label_text(s.as_bytes()) {
            Some(_) => Ok(Val::Bytes(s.as_bytes().to_vec())),
            None => Err(format!(
                "{s:?} contains a control character: write such bytes as {{\"hex\": …}}"
            )),
        },
        (Kind::TextBytes, PolicyValue::LabelHex(LabelHex { hex })) => {
            let b = policy_hex(hex)?;
            match label_text(&b) {
                Some(text) => Err(format!(
                    "{{\"hex\": {hex:?}}} is the text {text:?}: write it as a string"
                )),
                None => Ok(Val::Bytes(b)),
            }
        }
        (Kind::TextBytes, _) => Err("expected a string or {\"hex\": …}".into()),
        (Kind::HexBytes, PolicyValue::Text(s)) => policy_hex(s).map(Val::Bytes),
        (Kind::HexBytes, _) => Err("expected a hex string".into()),
        (Kind::Digests, PolicyValue::Text(s)) => {
            let d = policy_hex(s)?;
            if !(16..=64).contains(&d.len()) {
                return Err(format!("a digest is 16..=64 bytes, not {}", d.len()));
            }
            Ok(Val::Digests(alloc::vec![d]))
        }
        (Kind::Digests, _) => Err("expected a hex digest".into()),
        (Kind::OemId, PolicyValue::Int(n)) => Ok(Val::Text(format!("{n}"))),
        (Kind::OemId, PolicyValue::Text(s)) => {
            let b = policy_hex(s)?;
            if b.len() != 3 && b.len() != 16 {
                return Err("a byte oemid is 3 (IEEE) or 16 (random) bytes".into());
            }
            Ok(Val::Text(to_hex(&b)))
        }
        (Kind::OemId, _) => Err("expected a PEN (integer) or hex bytes".into()),
        (Kind::Time | Kind::Nonce, _) => Err("this claim takes no value".into()),
    }
}

/// How a patch level is written everywhere (spec §12.3).
const PATCH_FORM: &str = "expected a patch level as the integer YYYYMMDD (day 00: month only)";

/// A patch level written as the integer `YYYYMMDD` (day `00` for a month),
/// the one notation of claims JSON, policies and bulletins (spec §12.3).
pub(crate) fn patch_level(n: i64) -> Result<PatchLevel, String> {
    u32::try_from(n)
        .ok()
        .and_then(|n| PatchLevel::new(n).ok())
        .ok_or_else(|| format!("{n} is not a YYYYMMDD patch level"))
}

/// How a value of `kind` is shown in reasons.
pub(crate) fn render(kind: Kind, v: &Val) -> String {
    match (kind, v) {
        (Kind::Enum(set), Val::Code(c)) => (set.render)(*c)
            .map(String::from)
            .unwrap_or_else(|| format!("{c}")),
        (_, Val::Bool(b)) => format!("{b}"),
        (_, Val::Patch(p)) => format!("{p}"),
        (_, Val::Uint(n)) => format!("{n}"),
        (_, Val::Time(t)) => format!("{t}"),
        (_, Val::Text(t)) => t.clone(),
        (Kind::TextBytes, Val::Bytes(b)) => match label_text(b) {
            Some(t) => t.to_string(),
            None => format!("{{\"hex\": \"{}\"}}", to_hex(b)),
        },
        (_, Val::Bytes(b)) => to_hex(b),
        (_, Val::Digests(list)) => list
            .iter()
            .map(|d| to_hex(d))
            .collect::<Vec<_>>()
            .join(", "),
        (_, Val::Present) => "present".into(),
        (_, Val::Code(c)) => format!("{c}"),
    }
}

/// A byte value of a policy: hex by the one rule of `encoding::hex`
/// (lowercase digits, nothing else), and not empty.
fn policy_hex(s: &str) -> Result<Vec<u8>, String> {
    match from_hex(s) {
        Ok(b) if b.is_empty() => Err("empty: expected hex bytes".into()),
        Ok(b) => Ok(b),
        Err(e) => Err(format!("{s:?}: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_every_documented_form() {
        for ok in [
            "hwmodel",
            "eat-nonce",
            "iat",
            "submods.chip.key-security-level",
            "submods.boot.evidence-source",
            "submods.runtime.measres.root",
            "submods.os.measres.kernel-integrity",
            "submods.app.privacy-events.background",
        ] {
            assert!(resolve(ok).is_ok(), "{ok}");
        }
        for unknown in [
            "",
            "hw-model",
            "submods.gpu.x",
            "submods.chip.verified-boot-state",
            "submods.runtime.measres.kernel-integrity",
            "submods.os.os-patch-level.day",
            "submods.app.privacy-events.foreground",
        ] {
            assert!(
                matches!(resolve(unknown), Err(Unresolved::Unknown)),
                "{unknown}"
            );
        }
        for not in [
            "cnf",
            "submods",
            "exp",
            "cti",
            "submods.boot.measurements",
            "submods.chip.dloas",
            "submods.runtime.measres",
        ] {
            assert!(
                matches!(resolve(not), Err(Unresolved::NotAppraisable)),
                "{not}"
            );
        }
    }

    #[test]
    fn patch_values_are_the_integer_form_only() {
        let patch = |v: PolicyValue| parse(Kind::Patch, &v);
        assert_eq!(
            patch(20260105.into()).unwrap(),
            Val::Patch(PatchLevel::new(20260105).unwrap())
        );
        assert_eq!(
            patch(20260100.into()).unwrap(),
            Val::Patch(PatchLevel::new(20260100).unwrap())
        );
        for bad in [20261301, 2026010, -20260101, 202601050] {
            assert!(patch(bad.into()).is_err(), "{bad}");
        }
        for bad in ["2026-01-05", "2026-01", "20260105"] {
            assert!(patch(bad.into()).is_err(), "{bad}");
        }
    }

    #[test]
    fn labels_have_one_notation() {
        let label = |v: PolicyValue| parse(Kind::TextBytes, &v);
        assert_eq!(
            label("CamCo C1".into()).unwrap(),
            Val::Bytes(b"CamCo C1".to_vec())
        );
        let hex = |h: &str| PolicyValue::LabelHex(LabelHex { hex: h.into() });
        assert_eq!(
            label(hex("fffe")).unwrap(),
            Val::Bytes(alloc::vec![0xff, 0xfe])
        );
        // The hex form of text, text with a control character, uppercase hex.
        for bad in [hex("4142"), hex(""), "a\nb".into(), hex("FFFE")] {
            assert!(label(bad.clone()).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn policy_hex_is_the_one_hex_rule_and_not_empty() {
        assert_eq!(policy_hex("00abff").unwrap(), [0x00, 0xab, 0xff]);
        for bad in ["", "abc", "zz", "0x00", "00 ab", "00aBff"] {
            assert!(policy_hex(bad).is_err(), "{bad:?}");
        }
    }
}
