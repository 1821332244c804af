//! The KeyDescription extension (OID 1.3.6.1.4.1.11129.2.1.17, spec §17.2):
//! strict DER, every attestation version from 3 on, both authorization
//! lists.
//!
//! Decoding uses `der` 0.8, whose context-specific tags go up to the
//! schema's [724] (`der` 0.7, under `x509-cert` 0.2, stops at 30); its
//! derive macros name the crate `::der`, which in this crate is 0.7, so the
//! structures are read with its typed decoders one element at a time. That
//! also lets each authorization-list rule have its own code: tags out of
//! order or repeated (`android.tags-not-ascending`), a tag the schema does
//! not define (`android.unknown-tag`), a value of the wrong type
//! (`android.malformed`), outside its set (`android.bad-value`).
//!
//! Known deviations, handled deliberately (§17.2.2): the elements of a
//! `SET OF` are accepted in any order (they are read as a set, and
//! Keymaster implementations do not all sort them), but never repeated.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use der08::asn1::{AnyRef, Null, OctetString, SetOfVec};
use der08::{Decode, Header, Reader, SliceReader, Tag, Tagged};

use super::error::AndroidError;

/// The extension's OID.
pub const KEY_DESCRIPTION_OID: &str = "1.3.6.1.4.1.11129.2.1.17";

/// Where the key is held and the attestation made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SecurityLevel {
    /// Android's software Keystore.
    Software,
    /// A Trusted Execution Environment.
    TrustedEnvironment,
    /// A discrete secure element (StrongBox).
    StrongBox,
}

impl SecurityLevel {
    /// The schema's name, e.g. `TRUSTED_ENVIRONMENT`.
    pub fn name(self) -> &'static str {
        match self {
            SecurityLevel::Software => "SOFTWARE",
            SecurityLevel::TrustedEnvironment => "TRUSTED_ENVIRONMENT",
            SecurityLevel::StrongBox => "STRONG_BOX",
        }
    }

    fn from_code(code: u32) -> Option<SecurityLevel> {
        match code {
            0 => Some(SecurityLevel::Software),
            1 => Some(SecurityLevel::TrustedEnvironment),
            2 => Some(SecurityLevel::StrongBox),
            _ => None,
        }
    }

    /// The schema's code.
    pub fn code(self) -> u32 {
        match self {
            SecurityLevel::Software => 0,
            SecurityLevel::TrustedEnvironment => 1,
            SecurityLevel::StrongBox => 2,
        }
    }
}

/// The RootOfTrust of an authorization list (tag 704).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootOfTrust {
    /// The key that verified the boot (its digest on current devices).
    pub verified_boot_key: Vec<u8>,
    /// Whether the bootloader is locked.
    pub device_locked: bool,
    /// VERIFIED 0, SELF_SIGNED 1, UNVERIFIED 2, FAILED 3.
    pub verified_boot_state: u32,
    /// The digest of the verified boot data (attestation version 3 on).
    pub verified_boot_hash: Option<Vec<u8>>,
}

/// The name of a verified boot state code.
pub fn verified_boot_state_name(code: u32) -> &'static str {
    match code {
        0 => "VERIFIED",
        1 => "SELF_SIGNED",
        2 => "UNVERIFIED",
        _ => "FAILED",
    }
}

/// The calling app (tag 709).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestationApplicationId {
    /// Package names (UTF-8) and version codes, in DER order.
    pub packages: Vec<(String, i128)>,
    /// Digests of the app's signing certificates, in DER order.
    pub signatures: Vec<Vec<u8>>,
}

/// An authorization-list value, by the type the schema gives its tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthValue {
    /// `INTEGER`.
    Int(i128),
    /// `SET OF INTEGER`, in ascending order.
    IntSet(Vec<i128>),
    /// `NULL`: the property holds.
    Flag,
    /// `OCTET STRING` holding bytes.
    Bytes(Vec<u8>),
    /// `OCTET STRING` holding UTF-8 text.
    Text(String),
    /// Tag 704.
    RootOfTrust(RootOfTrust),
    /// Tag 709.
    ApplicationId(AttestationApplicationId),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    IntSet,
    Flag,
    Bytes,
    Text,
    RootOfTrust,
    ApplicationId,
}

/// One tag of the schema: its number, its member name in the JSON form
/// (§17.2.3) and its type.
struct TagDef {
    number: u32,
    name: &'static str,
    kind: Kind,
}

const fn def(number: u32, name: &'static str, kind: Kind) -> TagDef {
    TagDef { number, name, kind }
}

/// Every tag the KeyDescription schema defines in attestation versions 3
/// (Keymaster 4) to 400 (KeyMint 4), ascending, with `rollbackResistant`
/// (703) of the earlier Keymaster schemas.
const TAGS: [TagDef; 44] = [
    def(1, "purposes", Kind::IntSet),
    def(2, "algorithms", Kind::Int),
    def(3, "keySize", Kind::Int),
    def(4, "blockModes", Kind::IntSet),
    def(5, "digests", Kind::IntSet),
    def(6, "paddings", Kind::IntSet),
    def(10, "ecCurve", Kind::Int),
    def(200, "rsaPublicExponent", Kind::Int),
    def(203, "rsaOaepMgfDigests", Kind::IntSet),
    def(303, "rollbackResistance", Kind::Flag),
    def(305, "earlyBootOnly", Kind::Flag),
    def(400, "activeDateTime", Kind::Int),
    def(401, "originationExpireDateTime", Kind::Int),
    def(402, "usageExpireDateTime", Kind::Int),
    def(405, "usageCountLimit", Kind::Int),
    def(503, "noAuthRequired", Kind::Flag),
    def(504, "userAuthType", Kind::Int),
    def(505, "authTimeout", Kind::Int),
    def(506, "allowWhileOnBody", Kind::Flag),
    def(507, "trustedUserPresenceRequired", Kind::Flag),
    def(508, "trustedConfirmationRequired", Kind::Flag),
    def(509, "unlockedDeviceRequired", Kind::Flag),
    def(600, "allApplications", Kind::Flag),
    def(601, "applicationId", Kind::Bytes),
    def(701, "creationDateTime", Kind::Int),
    def(702, "origin", Kind::Int),
    def(703, "rollbackResistant", Kind::Flag),
    def(704, "rootOfTrust", Kind::RootOfTrust),
    def(705, "osVersion", Kind::Int),
    def(706, "osPatchLevel", Kind::Int),
    def(709, "attestationApplicationId", Kind::ApplicationId),
    def(710, "attestationIdBrand", Kind::Text),
    def(711, "attestationIdDevice", Kind::Text),
    def(712, "attestationIdProduct", Kind::Text),
    def(713, "attestationIdSerial", Kind::Text),
    def(714, "attestationIdImei", Kind::Text),
    def(715, "attestationIdMeid", Kind::Text),
    def(716, "attestationIdManufacturer", Kind::Text),
    def(717, "attestationIdModel", Kind::Text),
    def(718, "vendorPatchLevel", Kind::Int),
    def(719, "bootPatchLevel", Kind::Int),
    def(720, "deviceUniqueAttestation", Kind::Flag),
    def(723, "attestationIdSecondImei", Kind::Text),
    def(724, "moduleHash", Kind::Bytes),
];

/// Tag numbers the binding and the checks read.
pub mod tag {
    /// `origin` (702).
    pub const ORIGIN: u32 = 702;
    /// `rootOfTrust` (704).
    pub const ROOT_OF_TRUST: u32 = 704;
    /// `osVersion` (705).
    pub const OS_VERSION: u32 = 705;
    /// `osPatchLevel` (706), YYYYMM.
    pub const OS_PATCH_LEVEL: u32 = 706;
    /// `attestationApplicationId` (709).
    pub const ATTESTATION_APPLICATION_ID: u32 = 709;
    /// `vendorPatchLevel` (718), YYYYMMDD.
    pub const VENDOR_PATCH_LEVEL: u32 = 718;
    /// `bootPatchLevel` (719), YYYYMMDD.
    pub const BOOT_PATCH_LEVEL: u32 = 719;
}

/// Origins (tag 702).
const ORIGINS: [&str; 5] = [
    "GENERATED",
    "DERIVED",
    "IMPORTED",
    "RESERVED",
    "SECURELY_IMPORTED",
];

/// The name of an origin code, if the schema defines it.
pub fn origin_name(code: i128) -> Option<&'static str> {
    usize::try_from(code)
        .ok()
        .and_then(|i| ORIGINS.get(i).copied())
}

/// An authorization list: tag number → value, in tag order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthorizationList {
    entries: BTreeMap<u32, AuthValue>,
}

impl AuthorizationList {
    /// The value of `tag`, if present.
    pub fn get(&self, tag: u32) -> Option<&AuthValue> {
        self.entries.get(&tag)
    }

    /// Every entry, in tag order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &AuthValue)> {
        self.entries.iter().map(|(t, v)| (*t, v))
    }

    /// An `INTEGER` entry.
    pub fn int(&self, tag: u32) -> Option<i128> {
        match self.entries.get(&tag) {
            Some(AuthValue::Int(v)) => Some(*v),
            _ => None,
        }
    }

    /// The RootOfTrust, if present.
    pub fn root_of_trust(&self) -> Option<&RootOfTrust> {
        match self.entries.get(&tag::ROOT_OF_TRUST) {
            Some(AuthValue::RootOfTrust(r)) => Some(r),
            _ => None,
        }
    }

    /// The attestation application id, if present.
    pub fn application_id(&self) -> Option<&AttestationApplicationId> {
        match self.entries.get(&tag::ATTESTATION_APPLICATION_ID) {
            Some(AuthValue::ApplicationId(a)) => Some(a),
            _ => None,
        }
    }

    /// The JSON member name of `tag` (§17.2.3).
    pub fn name_of(tag: u32) -> Option<&'static str> {
        TAGS.iter().find(|d| d.number == tag).map(|d| d.name)
    }

    /// Adds an entry (for building test attestations). Refuses a tag the
    /// schema does not define or a value of another type than its tag's.
    pub fn insert(&mut self, tag: u32, value: AuthValue) -> Result<(), AndroidError> {
        let def = TAGS
            .iter()
            .find(|d| d.number == tag)
            .ok_or(AndroidError::UnknownTag { list: "list", tag })?;
        let fits = matches!(
            (def.kind, &value),
            (Kind::Int, AuthValue::Int(_))
                | (Kind::IntSet, AuthValue::IntSet(_))
                | (Kind::Flag, AuthValue::Flag)
                | (Kind::Bytes, AuthValue::Bytes(_))
                | (Kind::Text, AuthValue::Text(_))
                | (Kind::RootOfTrust, AuthValue::RootOfTrust(_))
                | (Kind::ApplicationId, AuthValue::ApplicationId(_))
        );
        if !fits {
            return Err(AndroidError::BadValue {
                path: def.name.to_string(),
                reason: "a value of another type than the tag's".into(),
            });
        }
        self.entries.insert(tag, value);
        Ok(())
    }
}

/// A parsed KeyDescription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyDescription {
    /// The attestation version (3, 4, 100, 200, 300, 400, …).
    pub attestation_version: i128,
    /// Where the attestation was made.
    pub attestation_security_level: SecurityLevel,
    /// The Keymaster / KeyMint version.
    pub keymint_version: i128,
    /// Where the key is held.
    pub keymint_security_level: SecurityLevel,
    /// The challenge the app passed to `setAttestationChallenge`.
    pub attestation_challenge: Vec<u8>,
    /// The unique id (empty unless requested by a system app).
    pub unique_id: Vec<u8>,
    /// Properties enforced by Android's software.
    pub software_enforced: AuthorizationList,
    /// Properties enforced by the secure hardware.
    pub hardware_enforced: AuthorizationList,
}

fn malformed(path: &str, e: impl core::fmt::Display) -> AndroidError {
    AndroidError::Malformed {
        path: path.to_string(),
        reason: e.to_string(),
    }
}

fn bad_value(path: &str, reason: impl Into<String>) -> AndroidError {
    AndroidError::BadValue {
        path: path.to_string(),
        reason: reason.into(),
    }
}

/// Reads one DER data item of type `T` that is the whole of `bytes`.
fn read<'a, T: Decode<'a, Error = der08::Error>>(
    bytes: &'a [u8],
    path: &str,
) -> Result<T, AndroidError> {
    T::from_der(bytes).map_err(|e| malformed(path, e))
}

fn read_enumerated(bytes: &[u8], path: &str) -> Result<u32, AndroidError> {
    let any: AnyRef<'_> = read(bytes, path)?;
    if any.tag() != Tag::Enumerated {
        return Err(malformed(
            path,
            format!("expected ENUMERATED, found {}", any.tag()),
        ));
    }
    AnyRef::new(Tag::Integer, any.value())
        .and_then(|int| int.decode_as::<u32>())
        .map_err(|e| malformed(path, e))
}

fn read_security_level(bytes: &[u8], path: &str) -> Result<SecurityLevel, AndroidError> {
    let code = read_enumerated(bytes, path)?;
    SecurityLevel::from_code(code)
        .ok_or_else(|| bad_value(path, format!("security level {code} is not defined")))
}

/// The elements of a SEQUENCE (its content, TLV by TLV).
fn elements<'a>(bytes: &'a [u8], path: &str) -> Result<Vec<(Header, &'a [u8])>, AndroidError> {
    let any: AnyRef<'a> = read(bytes, path)?;
    if any.tag() != Tag::Sequence {
        return Err(malformed(
            path,
            format!("expected SEQUENCE, found {}", any.tag()),
        ));
    }
    tlvs(any.value(), path)
}

/// The TLVs of `content`, each with its header and its whole encoding.
fn tlvs<'a>(content: &'a [u8], path: &str) -> Result<Vec<(Header, &'a [u8])>, AndroidError> {
    let mut reader = SliceReader::new(content).map_err(|e| malformed(path, e))?;
    let mut out = Vec::new();
    while !reader.is_finished() {
        let start = reader.position();
        let header = Header::decode(&mut reader).map_err(|e| malformed(path, e))?;
        reader
            .read_slice(header.length())
            .map_err(|e| malformed(path, e))?;
        let end = reader.position();
        let (Ok(from), Ok(to)) = (usize::try_from(start), usize::try_from(end)) else {
            return Err(malformed(path, "length out of range"));
        };
        let whole = content
            .get(from..to)
            .ok_or_else(|| malformed(path, "length out of range"))?;
        out.push((header, whole));
    }
    Ok(out)
}

/// The content of a TLV (what follows its header).
fn content_of<'a>(whole: &'a [u8], header: &Header, path: &str) -> Result<&'a [u8], AndroidError> {
    let len = usize::try_from(header.length()).map_err(|e| malformed(path, e))?;
    whole
        .len()
        .checked_sub(len)
        .and_then(|start| whole.get(start..))
        .ok_or_else(|| malformed(path, "length out of range"))
}

impl KeyDescription {
    /// Parses the extension's value (the content of its OCTET STRING).
    pub fn from_der(der: &[u8]) -> Result<KeyDescription, AndroidError> {
        let fields = elements(der, "KeyDescription")?;
        let [version, att_level, km_version, km_level, challenge, unique_id, sw, hw] =
            fields.as_slice()
        else {
            return Err(malformed(
                "KeyDescription",
                format!("{} elements, expected 8", fields.len()),
            ));
        };
        let attestation_version: i128 = read(version.1, "attestationVersion")?;
        if attestation_version < 1 {
            return Err(bad_value(
                "attestationVersion",
                format!("version {attestation_version} is not an attestation version"),
            ));
        }
        Ok(KeyDescription {
            attestation_version,
            attestation_security_level: read_security_level(
                att_level.1,
                "attestationSecurityLevel",
            )?,
            keymint_version: read(km_version.1, "keyMintVersion")?,
            keymint_security_level: read_security_level(km_level.1, "keyMintSecurityLevel")?,
            attestation_challenge: read::<OctetString>(challenge.1, "attestationChallenge")?
                .as_bytes()
                .to_vec(),
            unique_id: read::<OctetString>(unique_id.1, "uniqueId")?
                .as_bytes()
                .to_vec(),
            software_enforced: read_list(sw.1, "softwareEnforced")?,
            hardware_enforced: read_list(hw.1, "hardwareEnforced")?,
        })
    }
}

fn read_list(bytes: &[u8], list: &'static str) -> Result<AuthorizationList, AndroidError> {
    let mut out = AuthorizationList::default();
    let mut previous: Option<u32> = None;
    for (header, whole) in elements(bytes, list)? {
        let number = match header.tag() {
            Tag::ContextSpecific {
                constructed: true,
                number,
            } => number.0,
            other => {
                return Err(malformed(
                    list,
                    format!("expected an EXPLICIT context-specific tag, found {other}"),
                ))
            }
        };
        if let Some(prev) = previous {
            if number <= prev {
                return Err(AndroidError::TagsNotAscending {
                    list,
                    previous: prev,
                    tag: number,
                });
            }
        }
        previous = Some(number);
        let def = TAGS
            .iter()
            .find(|d| d.number == number)
            .ok_or(AndroidError::UnknownTag { list, tag: number })?;
        let path = format!("{list}.{}", def.name);
        let inner = content_of(whole, &header, &path)?;
        out.entries
            .insert(number, read_value(def.kind, inner, &path)?);
    }
    Ok(out)
}

fn read_value(kind: Kind, inner: &[u8], path: &str) -> Result<AuthValue, AndroidError> {
    Ok(match kind {
        Kind::Int => AuthValue::Int(read(inner, path)?),
        Kind::IntSet => AuthValue::IntSet(read_int_set(inner, path)?),
        Kind::Flag => {
            read::<Null>(inner, path)?;
            AuthValue::Flag
        }
        Kind::Bytes => AuthValue::Bytes(read::<OctetString>(inner, path)?.as_bytes().to_vec()),
        Kind::Text => AuthValue::Text(utf8(read::<OctetString>(inner, path)?.as_bytes(), path)?),
        Kind::RootOfTrust => AuthValue::RootOfTrust(read_root_of_trust(inner, path)?),
        Kind::ApplicationId => {
            let octets = read::<OctetString>(inner, path)?;
            AuthValue::ApplicationId(read_application_id(octets.as_bytes(), path)?)
        }
    })
}

fn utf8(bytes: &[u8], path: &str) -> Result<String, AndroidError> {
    core::str::from_utf8(bytes)
        .map(ToString::to_string)
        .map_err(|_| bad_value(path, "not UTF-8 text"))
}

/// A `SET OF INTEGER`: any order (§17.2.2), no repeats.
fn read_int_set(inner: &[u8], path: &str) -> Result<Vec<i128>, AndroidError> {
    let set: SetOfVec<i128> = read(inner, path)?;
    let values: Vec<i128> = set.into_vec();
    if values.windows(2).any(|w| matches!(w, [a, b] if a == b)) {
        return Err(malformed(path, "a SET OF repeats a value"));
    }
    Ok(values)
}

fn read_root_of_trust(inner: &[u8], path: &str) -> Result<RootOfTrust, AndroidError> {
    let fields = elements(inner, path)?;
    let (key, locked, state, hash) = match fields.as_slice() {
        [key, locked, state] => (key, locked, state, None),
        [key, locked, state, hash] => (key, locked, state, Some(hash)),
        other => {
            return Err(malformed(
                path,
                format!("{} elements, expected 3 or 4", other.len()),
            ))
        }
    };
    let state_path = format!("{path}.verifiedBootState");
    let verified_boot_state = read_enumerated(state.1, &state_path)?;
    if verified_boot_state > 3 {
        return Err(bad_value(
            &state_path,
            format!("verified boot state {verified_boot_state} is not defined"),
        ));
    }
    Ok(RootOfTrust {
        verified_boot_key: read::<OctetString>(key.1, &format!("{path}.verifiedBootKey"))?
            .as_bytes()
            .to_vec(),
        device_locked: read::<bool>(locked.1, &format!("{path}.deviceLocked"))?,
        verified_boot_state,
        verified_boot_hash: match hash {
            Some(h) => Some(
                read::<OctetString>(h.1, &format!("{path}.verifiedBootHash"))?
                    .as_bytes()
                    .to_vec(),
            ),
            None => None,
        },
    })
}

fn read_application_id(der: &[u8], path: &str) -> Result<AttestationApplicationId, AndroidError> {
    let fields = elements(der, path)?;
    let [packages, signatures] = fields.as_slice() else {
        return Err(malformed(
            path,
            format!("{} elements, expected 2", fields.len()),
        ));
    };
    let set_members = |item: &(Header, &[u8]), what: &str| -> Result<Vec<Vec<u8>>, AndroidError> {
        let p = format!("{path}.{what}");
        if item.0.tag() != Tag::Set {
            return Err(malformed(
                &p,
                format!("expected SET, found {}", item.0.tag()),
            ));
        }
        let content = content_of(item.1, &item.0, &p)?;
        let members: Vec<Vec<u8>> = tlvs(content, &p)?
            .into_iter()
            .map(|(_, whole)| whole.to_vec())
            .collect();
        let mut sorted = members.clone();
        sorted.sort();
        if sorted.windows(2).any(|w| matches!(w, [a, b] if a == b)) {
            return Err(malformed(&p, "a SET OF repeats a value"));
        }
        Ok(sorted)
    };
    let mut out = AttestationApplicationId {
        packages: Vec::new(),
        signatures: Vec::new(),
    };
    for member in set_members(packages, "packages")? {
        let p = format!("{path}.packages");
        let parts = elements(&member, &p)?;
        let [name, version] = parts.as_slice() else {
            return Err(malformed(
                &p,
                format!("{} elements, expected 2", parts.len()),
            ));
        };
        let name = utf8(read::<OctetString>(name.1, &p)?.as_bytes(), &p)?;
        out.packages.push((name, read(version.1, &p)?));
    }
    for member in set_members(signatures, "signatures")? {
        let p = format!("{path}.signatures");
        out.signatures
            .push(read::<OctetString>(&member, &p)?.as_bytes().to_vec());
    }
    Ok(out)
}

/// DER encoding, for synthetic attestations (tests, conformance vectors,
/// the test PKI): the exact inverse of [`KeyDescription::from_der`].
mod encode {
    use alloc::vec::Vec;

    use der08::asn1::{Null, OctetString, SetOfVec};
    use der08::{Encode, Header, Length, Tag, TagNumber};

    use super::{
        AttestationApplicationId, AuthValue, AuthorizationList, KeyDescription, RootOfTrust,
    };

    fn tlv(tag: Tag, content: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let len = u32::try_from(content.len())
            .ok()
            .and_then(|l| Length::new(l).into());
        if let Some(len) = len {
            let _ = Header::new(tag, len).encode_to_vec(&mut out);
        }
        out.extend_from_slice(content);
        out
    }

    fn der<T: Encode>(value: &T) -> Vec<u8> {
        value.to_der().unwrap_or_default()
    }

    fn octets(bytes: &[u8]) -> Vec<u8> {
        OctetString::new(bytes).map(|o| der(&o)).unwrap_or_default()
    }

    fn enumerated(code: u32) -> Vec<u8> {
        let int = der(&code);
        let mut out = int;
        if let Some(first) = out.first_mut() {
            *first = 0x0a;
        }
        out
    }

    fn sequence(parts: &[Vec<u8>]) -> Vec<u8> {
        tlv(Tag::Sequence, &parts.concat())
    }

    fn set(mut parts: Vec<Vec<u8>>) -> Vec<u8> {
        parts.sort();
        tlv(Tag::Set, &parts.concat())
    }

    fn root_of_trust(r: &RootOfTrust) -> Vec<u8> {
        let mut parts = alloc::vec![
            octets(&r.verified_boot_key),
            der(&r.device_locked),
            enumerated(r.verified_boot_state),
        ];
        if let Some(hash) = &r.verified_boot_hash {
            parts.push(octets(hash));
        }
        sequence(&parts)
    }

    fn application_id(a: &AttestationApplicationId) -> Vec<u8> {
        let packages = a
            .packages
            .iter()
            .map(|(name, version)| sequence(&[octets(name.as_bytes()), der(version)]))
            .collect();
        let signatures = a.signatures.iter().map(|s| octets(s)).collect();
        octets(&sequence(&[set(packages), set(signatures)]))
    }

    fn list(l: &AuthorizationList) -> Vec<u8> {
        let mut parts = Vec::new();
        for (number, value) in l.iter() {
            let inner = match value {
                AuthValue::Int(v) => der(v),
                AuthValue::IntSet(vs) => SetOfVec::try_from(vs.clone())
                    .map(|s| der(&s))
                    .unwrap_or_default(),
                AuthValue::Flag => der(&Null),
                AuthValue::Bytes(b) => octets(b),
                AuthValue::Text(t) => octets(t.as_bytes()),
                AuthValue::RootOfTrust(r) => root_of_trust(r),
                AuthValue::ApplicationId(a) => application_id(a),
            };
            let tag = Tag::ContextSpecific {
                constructed: true,
                number: TagNumber(number),
            };
            parts.push(tlv(tag, &inner));
        }
        sequence(&parts)
    }

    impl KeyDescription {
        /// The DER encoding of the KeyDescription (the extension's value).
        pub fn to_der(&self) -> Vec<u8> {
            sequence(&[
                der(&self.attestation_version),
                enumerated(self.attestation_security_level.code()),
                der(&self.keymint_version),
                enumerated(self.keymint_security_level.code()),
                octets(&self.attestation_challenge),
                octets(&self.unique_id),
                list(&self.software_enforced),
                list(&self.hardware_enforced),
            ])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn sample() -> KeyDescription {
        let mut hw = AuthorizationList::default();
        hw.insert(1, AuthValue::IntSet(vec![2, 3])).unwrap();
        hw.insert(2, AuthValue::Int(3)).unwrap();
        hw.insert(
            704,
            AuthValue::RootOfTrust(RootOfTrust {
                verified_boot_key: vec![1; 32],
                device_locked: true,
                verified_boot_state: 0,
                verified_boot_hash: Some(vec![2; 32]),
            }),
        )
        .unwrap();
        hw.insert(702, AuthValue::Int(0)).unwrap();
        hw.insert(706, AuthValue::Int(202_601)).unwrap();
        hw.insert(724, AuthValue::Bytes(vec![9; 32])).unwrap();
        let mut sw = AuthorizationList::default();
        sw.insert(
            709,
            AuthValue::ApplicationId(AttestationApplicationId {
                packages: vec![("com.example.pay".into(), 42)],
                signatures: vec![vec![7; 32]],
            }),
        )
        .unwrap();
        KeyDescription {
            attestation_version: 400,
            attestation_security_level: SecurityLevel::StrongBox,
            keymint_version: 400,
            keymint_security_level: SecurityLevel::StrongBox,
            attestation_challenge: b"challenge".to_vec(),
            unique_id: Vec::new(),
            software_enforced: sw,
            hardware_enforced: hw,
        }
    }

    #[test]
    fn encoding_and_decoding_are_inverse() {
        let kd = sample();
        let der = kd.to_der();
        assert_eq!(KeyDescription::from_der(&der).unwrap(), kd);
    }

    #[test]
    fn high_tags_are_written_in_the_multi_byte_form() {
        let der = sample().to_der();
        // [724] EXPLICIT, constructed context-specific: bf 85 54.
        assert!(der.windows(3).any(|w| w == [0xbf, 0x85, 0x54]));
    }
}
