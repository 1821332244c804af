//! The producer's encoding of a claims set: written straight from the typed
//! claims to core deterministic CBOR, with the CBOR limits of spec §8.1
//! checked on what is written and the submodule depth on the typed claims
//! (spec §8.4).
//!
//! [`ClaimsSet::to_value`] encoded with [`crate::cbor::encode`] is the
//! reference: this writer produces the same bytes for every claims set
//! (`core/tests/producer_encoding.rs`), without building a CBOR tree and
//! without sorting. The keys a map defines are fixed integers (or, in
//! `submods`, the layers' names), so each map's defined entries are listed
//! below in their deterministic order (RFC 8949 §4.2.1: by encoded key,
//! which puts 4 before 256 and both before -80000, and -80000 before
//! -80010); unknown claims, kept in that order too
//! ([`UnknownClaims`]), are merged in at their places.

use alloc::collections::btree_map;
use core::iter::Peekable;

use ciborium::value::Value;

use super::boot::Measurement;
use super::chip::Dloa;
use super::de::Path;
use super::names::Layer;
use super::unknown::{ClaimKey, UnknownClaims};
use super::{
    keys, AppLayer, BootLayer, ChipLayer, ClaimsSet, Confirmation, Digest, MeasurementResults,
    NetworkLayer, OemId, OsLayer, PrivacyEvents, RuntimeLayer, Version,
};
use crate::cbor::Writer;
use crate::error::{CborError, ClaimsError, Error};
use crate::limits::Limits;

type Written = Result<(), CborError>;

/// The payload of `claims`: its deterministic encoding, refused with the
/// code a verifier would give if it breaks a CBOR limit (`cbor.too-deep`,
/// `cbor.too-many-items`, `cbor.map-too-large`, at the first item where
/// the verifier's scan meets it) or the submodule depth
/// (`claims.submods-too-deep`, checked only when the CBOR limits hold, as
/// a verifier checks it after its scan).
pub(crate) fn payload(claims: &ClaimsSet, limits: &Limits) -> Result<alloc::vec::Vec<u8>, Error> {
    let mut w = Writer::new(*limits);
    write_claims_set(&mut w, claims)?;
    check_submod_depth(claims, limits.max_submod_depth)?;
    Ok(w.into_bytes())
}

/// A map key: an integer the profile defines, or a layer's name.
#[derive(Clone, Copy)]
enum Key {
    Int(i64),
    Text(&'static str),
}

impl Key {
    fn rank(self) -> (u8, u128, &'static [u8]) {
        match self {
            Key::Int(n) => int_rank(n.into()),
            Key::Text(t) => (3, t.len() as u128, t.as_bytes()),
        }
    }
}

/// The order of an integer key's encoding (as [`ClaimKey`] orders).
fn int_rank(n: i128) -> (u8, u128, &'static [u8]) {
    if n >= 0 {
        (0, n.unsigned_abs(), &[])
    } else {
        (1, (!n).unsigned_abs(), &[])
    }
}

/// The value of a defined claim.
enum Field<'a> {
    Uint(u64),
    Int(i64),
    Bool(bool),
    Bytes(&'a [u8]),
    Text(&'a str),
    Version(&'a Version),
    Cnf(&'a Confirmation),
    Dloas(&'a [Dloa]),
    Measurements(&'a [Measurement]),
    Digests(&'a [Digest]),
    Measres(&'a MeasurementResults),
    PrivacyEvents(&'a PrivacyEvents),
    Submods(&'a ClaimsSet),
    Chip(&'a ChipLayer),
    Boot(&'a BootLayer),
    Os(&'a OsLayer),
    App(&'a AppLayer),
    Runtime(&'a RuntimeLayer),
    Network(&'a NetworkLayer),
}

fn code<T: super::de::Code>(value: Option<T>) -> Option<Field<'static>> {
    value.map(|v| Field::Uint(v.code()))
}

fn uint(value: Option<u64>) -> Option<Field<'static>> {
    value.map(Field::Uint)
}

fn boolean(value: Option<bool>) -> Option<Field<'static>> {
    value.map(Field::Bool)
}

fn patch(value: Option<super::PatchLevel>) -> Option<Field<'static>> {
    value.map(|p| Field::Uint(p.value().into()))
}

fn bytes(value: Option<&[u8]>) -> Option<Field<'_>> {
    value.map(Field::Bytes)
}

fn digest(value: &Option<Digest>) -> Option<Field<'_>> {
    value.as_ref().map(|d| Field::Bytes(d.as_bytes()))
}

fn measres(value: &MeasurementResults) -> Option<Field<'_>> {
    (!value.is_empty()).then_some(Field::Measres(value))
}

/// A map of `defined` entries (listed in deterministic order; `None` for
/// an absent claim) and the `unknown` claims merged in at their places.
fn write_map(
    w: &mut Writer,
    defined: &[(Key, Option<Field<'_>>)],
    unknown: &UnknownClaims,
) -> Written {
    let present = defined.iter().filter(|(_, field)| field.is_some()).count();
    w.map(present + unknown.len())?;
    let mut pending = unknown.entries().peekable();
    for (key, field) in defined {
        let Some(field) = field else { continue };
        write_unknown_before(w, &mut pending, key.rank())?;
        match *key {
            Key::Int(n) => w.int(n)?,
            Key::Text(t) => w.text(t)?,
        }
        write_field(w, field)?;
    }
    write_unknown_before(w, &mut pending, (u8::MAX, 0, &[]))?;
    w.end();
    Ok(())
}

/// Writes the unknown claims whose keys come before `rank`.
fn write_unknown_before(
    w: &mut Writer,
    pending: &mut Peekable<btree_map::Iter<'_, ClaimKey, Value>>,
    rank: (u8, u128, &[u8]),
) -> Written {
    while let Some((key, value)) = pending.next_if(|(key, _)| key.sort_key() < rank) {
        match key {
            // Within CBOR's range: insertion refuses any other, and a
            // decoded key is a CBOR integer.
            ClaimKey::Int(n) => w.integer(*n)?,
            ClaimKey::Text(t) => w.text(t)?,
        }
        w.value(value)?;
    }
    Ok(())
}

fn write_field(w: &mut Writer, field: &Field<'_>) -> Written {
    match *field {
        Field::Uint(n) => w.uint(n),
        Field::Int(n) => w.int(n),
        Field::Bool(b) => w.bool(b),
        Field::Bytes(b) => w.bytes(b),
        Field::Text(t) => w.text(t),
        Field::Version(v) => {
            w.array(1 + usize::from(v.scheme.is_some()))?;
            w.text(&v.version)?;
            if let Some(scheme) = v.scheme {
                w.int(scheme)?;
            }
            w.end();
            Ok(())
        }
        Field::Cnf(cnf) => {
            w.map(1)?;
            match (cnf.cose_key_value(), cnf.kid()) {
                (Some(key), _) => {
                    w.uint(1)?;
                    w.value(key)?;
                }
                (None, kid) => {
                    w.uint(3)?;
                    w.bytes(kid.unwrap_or_default())?;
                }
            }
            w.end();
            Ok(())
        }
        Field::Dloas(dloas) => {
            w.array(dloas.len())?;
            for dloa in dloas {
                w.array(2 + usize::from(dloa.application_label.is_some()))?;
                w.text(&dloa.registrar)?;
                w.text(&dloa.platform_label)?;
                if let Some(label) = &dloa.application_label {
                    w.text(label)?;
                }
                w.end();
            }
            w.end();
            Ok(())
        }
        Field::Measurements(measurements) => {
            w.array(measurements.len())?;
            for m in measurements {
                w.array(2)?;
                w.uint(m.content_type.into())?;
                w.bytes(&m.content)?;
                w.end();
            }
            w.end();
            Ok(())
        }
        Field::Digests(digests) => {
            w.array(digests.len())?;
            for digest in digests {
                w.bytes(digest.as_bytes())?;
            }
            w.end();
            Ok(())
        }
        Field::Measres(results) => {
            w.array(results.groups().len())?;
            for group in results.groups() {
                w.array(2)?;
                w.text(group.system())?;
                w.array(group.results().count())?;
                for (result_for, result) in group.results() {
                    w.array(2)?;
                    match result_for {
                        super::ResultFor::Text(t) => w.text(t)?,
                        super::ResultFor::Bytes(b) => w.bytes(b)?,
                    }
                    w.uint(result.code())?;
                    w.end();
                }
                w.end();
                w.end();
            }
            w.end();
            Ok(())
        }
        Field::PrivacyEvents(events) => write_privacy_events(w, events),
        Field::Submods(claims) => write_submods(w, claims),
        Field::Chip(l) => write_chip(w, l),
        Field::Boot(l) => write_boot(w, l),
        Field::Os(l) => write_os(w, l),
        Field::App(l) => write_app(w, l),
        Field::Runtime(l) => write_runtime(w, l),
        Field::Network(l) => write_network(w, l),
    }
}

fn write_claims_set(w: &mut Writer, c: &ClaimsSet) -> Written {
    let oemid = c.oemid.as_ref().map(|oemid| match oemid {
        OemId::Random(b) => Field::Bytes(b),
        OemId::Ieee(b) => Field::Bytes(b),
        OemId::Pen(n) => Field::Int(*n),
    });
    let has_submods = c.chip.is_some()
        || c.boot.is_some()
        || c.os.is_some()
        || c.app.is_some()
        || c.runtime.is_some()
        || c.network.is_some()
        || !c.unknown_submods().is_empty();
    write_map(
        w,
        &[
            (Key::Int(keys::EXP), c.exp.map(Field::Int)),
            (Key::Int(keys::NBF), c.nbf.map(Field::Int)),
            (Key::Int(keys::IAT), Some(Field::Int(c.iat))),
            (
                Key::Int(keys::CTI),
                bytes(c.cti.as_ref().map(|x| x.as_bytes())),
            ),
            (Key::Int(keys::CNF), c.cnf.as_ref().map(Field::Cnf)),
            (
                Key::Int(keys::NONCE),
                bytes(c.nonce.as_ref().map(|x| x.as_bytes())),
            ),
            (
                Key::Int(keys::UEID),
                bytes(c.ueid.as_ref().map(|x| x.as_bytes())),
            ),
            (Key::Int(keys::OEMID), oemid),
            (
                Key::Int(keys::HWMODEL),
                bytes(c.hwmodel.as_ref().map(|x| x.as_bytes())),
            ),
            (
                Key::Int(keys::PROFILE),
                Some(Field::Text(ClaimsSet::PROFILE)),
            ),
            (
                Key::Int(keys::SUBMODS),
                has_submods.then_some(Field::Submods(c)),
            ),
            (Key::Int(keys::INTUSE), code(c.intuse)),
        ],
        c.unknown(),
    )
}

fn write_submods(w: &mut Writer, c: &ClaimsSet) -> Written {
    write_map(
        w,
        &[
            (Key::Text(keys::layer::OS), c.os.as_ref().map(Field::Os)),
            (Key::Text(keys::layer::APP), c.app.as_ref().map(Field::App)),
            (
                Key::Text(keys::layer::BOOT),
                c.boot.as_ref().map(Field::Boot),
            ),
            (
                Key::Text(keys::layer::CHIP),
                c.chip.as_ref().map(Field::Chip),
            ),
            (
                Key::Text(keys::layer::NETWORK),
                c.network.as_ref().map(Field::Network),
            ),
            (
                Key::Text(keys::layer::RUNTIME),
                c.runtime.as_ref().map(Field::Runtime),
            ),
        ],
        c.unknown_submods(),
    )
}

fn evidence_source(source: super::EvidenceSource) -> Option<Field<'static>> {
    Some(Field::Uint(source.code()))
}

fn write_chip(w: &mut Writer, l: &ChipLayer) -> Written {
    write_map(
        w,
        &[
            (
                Key::Int(keys::HWVERSION),
                l.hwversion.as_ref().map(Field::Version),
            ),
            (Key::Int(keys::DBGSTAT), code(l.dbgstat)),
            (
                Key::Int(keys::DLOAS),
                (!l.dloas.is_empty()).then_some(Field::Dloas(&l.dloas)),
            ),
            (
                Key::Int(keys::EVIDENCE_SOURCE),
                evidence_source(l.evidence_source),
            ),
            (
                Key::Int(keys::KEY_SECURITY_LEVEL),
                code(l.key_security_level),
            ),
            (
                Key::Int(keys::HW_ROOT_OF_TRUST),
                boolean(l.hw_root_of_trust),
            ),
            (
                Key::Int(keys::SECURITY_LIFECYCLE),
                l.security_lifecycle.map(|x| Field::Uint(x.raw().into())),
            ),
        ],
        l.unknown(),
    )
}

fn write_boot(w: &mut Writer, l: &BootLayer) -> Written {
    write_map(
        w,
        &[
            (Key::Int(keys::UPTIME), uint(l.uptime)),
            (Key::Int(keys::OEMBOOT), boolean(l.oemboot)),
            (Key::Int(keys::BOOTCOUNT), uint(l.bootcount)),
            (
                Key::Int(keys::MEASUREMENTS),
                (!l.measurements.is_empty()).then_some(Field::Measurements(&l.measurements)),
            ),
            (
                Key::Int(keys::EVIDENCE_SOURCE),
                evidence_source(l.evidence_source),
            ),
            (
                Key::Int(keys::VERIFIED_BOOT_STATE),
                code(l.verified_boot_state),
            ),
            (
                Key::Int(keys::BOOTLOADER_LOCKED),
                boolean(l.bootloader_locked),
            ),
            (Key::Int(keys::BOOT_KEY_DIGEST), digest(&l.boot_key_digest)),
            (
                Key::Int(keys::BOOT_IMAGE_DIGEST),
                digest(&l.boot_image_digest),
            ),
            (Key::Int(keys::BOOT_PATCH_LEVEL), patch(l.boot_patch_level)),
            (Key::Int(keys::ROLLBACK_INDEX), uint(l.rollback_index)),
            (
                Key::Int(keys::ROLLBACK_ENFORCED),
                boolean(l.rollback_enforced),
            ),
        ],
        l.unknown(),
    )
}

fn write_os(w: &mut Writer, l: &OsLayer) -> Written {
    write_map(
        w,
        &[
            (Key::Int(keys::SWNAME), l.swname.as_deref().map(Field::Text)),
            (
                Key::Int(keys::SWVERSION),
                l.swversion.as_ref().map(Field::Version),
            ),
            (Key::Int(keys::MEASRES), measres(&l.measres)),
            (
                Key::Int(keys::EVIDENCE_SOURCE),
                evidence_source(l.evidence_source),
            ),
            (Key::Int(keys::OS_PATCH_LEVEL), patch(l.os_patch_level)),
            (
                Key::Int(keys::VENDOR_PATCH_LEVEL),
                patch(l.vendor_patch_level),
            ),
            (Key::Int(keys::MAC_ENFORCING), boolean(l.mac_enforcing)),
            (
                Key::Int(keys::STORAGE_ENCRYPTION),
                code(l.storage_encryption),
            ),
            (Key::Int(keys::SCREEN_LOCK), boolean(l.screen_lock)),
            (
                Key::Int(keys::DEVELOPER_OPTIONS),
                boolean(l.developer_options),
            ),
            (Key::Int(keys::USB_DEBUGGING), boolean(l.usb_debugging)),
        ],
        l.unknown(),
    )
}

fn write_app(w: &mut Writer, l: &AppLayer) -> Written {
    write_map(
        w,
        &[
            (Key::Int(keys::MEASRES), measres(&l.measres)),
            (
                Key::Int(keys::EVIDENCE_SOURCE),
                evidence_source(l.evidence_source),
            ),
            (Key::Int(keys::APP_ID), l.app_id.as_deref().map(Field::Text)),
            (Key::Int(keys::APP_VERSION), uint(l.app_version)),
            (
                Key::Int(keys::APP_SIGNERS),
                (!l.app_signers.is_empty()).then_some(Field::Digests(&l.app_signers)),
            ),
            (Key::Int(keys::INSTALLER), code(l.installer)),
            (
                Key::Int(keys::PRIVACY_EVENTS),
                l.privacy_events.as_ref().map(Field::PrivacyEvents),
            ),
        ],
        l.unknown(),
    )
}

fn write_runtime(w: &mut Writer, l: &RuntimeLayer) -> Written {
    write_map(
        w,
        &[
            (Key::Int(keys::MEASRES), measres(&l.measres)),
            (
                Key::Int(keys::EVIDENCE_SOURCE),
                evidence_source(l.evidence_source),
            ),
            (Key::Int(keys::MALWARE), code(l.malware)),
            (
                Key::Int(keys::ATTESTATION_VELOCITY),
                uint(l.attestation_velocity),
            ),
        ],
        l.unknown(),
    )
}

fn write_network(w: &mut Writer, l: &NetworkLayer) -> Written {
    write_map(
        w,
        &[
            (Key::Int(keys::MEASRES), measres(&l.measres)),
            (
                Key::Int(keys::EVIDENCE_SOURCE),
                evidence_source(l.evidence_source),
            ),
            (Key::Int(keys::CONNECTION), code(l.connection)),
            (Key::Int(keys::WIFI_SECURITY), code(l.wifi_security)),
            (Key::Int(keys::PROXY), boolean(l.proxy)),
            (Key::Int(keys::VPN), boolean(l.vpn)),
            (Key::Int(keys::PRIVATE_DNS), boolean(l.private_dns)),
            (
                Key::Int(keys::USER_CA_CERTIFICATES),
                uint(l.user_ca_certificates),
            ),
        ],
        l.unknown(),
    )
}

/// The counters 1..=3 and the others (never 1..=3), by key: the others'
/// key 0 first, then 1..=3, then the rest.
fn write_privacy_events(w: &mut Writer, events: &PrivacyEvents) -> Written {
    let known = [
        (1u64, events.out_of_scope),
        (2, events.over_frequency),
        (3, events.background),
    ];
    let len = known.iter().filter(|(_, count)| count.is_some()).count() + events.other().count();
    w.map(len)?;
    let mut other = events.other().peekable();
    for (key, count) in known {
        while let Some((k, c)) = other.next_if(|(k, _)| *k < key) {
            w.uint(k)?;
            w.uint(c)?;
        }
        if let Some(count) = count {
            w.uint(key)?;
            w.uint(count)?;
        }
    }
    for (k, c) in other {
        w.uint(k)?;
        w.uint(c)?;
    }
    w.end();
    Ok(())
}

/// The submodule depth (spec §8.1) on the typed claims, in the order a
/// verifier walks the encoded `submods` map (its entries in deterministic
/// order): the layers are at depth 1; what can nest deeper is an unknown
/// submodule, or a `submods` claim among a layer's unknown claims.
fn check_submod_depth(c: &ClaimsSet, max: usize) -> Result<(), ClaimsError> {
    let root = Path::ROOT;
    let here = root.field(super::names::SUBMODS);
    let layers: [(Layer, Option<&UnknownClaims>); 6] = [
        (Layer::Os, c.os.as_ref().map(OsLayer::unknown)),
        (Layer::App, c.app.as_ref().map(AppLayer::unknown)),
        (Layer::Boot, c.boot.as_ref().map(BootLayer::unknown)),
        (Layer::Chip, c.chip.as_ref().map(ChipLayer::unknown)),
        (
            Layer::Network,
            c.network.as_ref().map(NetworkLayer::unknown),
        ),
        (
            Layer::Runtime,
            c.runtime.as_ref().map(RuntimeLayer::unknown),
        ),
    ];
    let mut pending = c.unknown_submods().entries().peekable();
    let mut check_unknown = |rank: (u8, u128, &[u8])| {
        while let Some((key, value)) = pending.next_if(|(key, _)| key.sort_key() < rank) {
            super::nesting::check_submodule(value, &here.key(key), 0, max)?;
        }
        Ok::<(), ClaimsError>(())
    };
    for (layer, unknown) in layers {
        let name = layer.name();
        check_unknown((3, name.len() as u128, name.as_bytes()))?;
        if let Some(unknown) = unknown {
            let submods = unknown.get(&ClaimKey::Int(keys::SUBMODS.into()));
            super::nesting::check_layer(submods, &here.field(name), max)?;
        }
    }
    check_unknown((u8::MAX, 0, &[]))
}
