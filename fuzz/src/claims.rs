//! A fuzz-local mirror of the claims model's inputs, with `Arbitrary`
//! derived, so the structure-aware target explores valid claims sets rather
//! than bytes the decoder refuses at once. [`ClaimsInput::build`] goes
//! through the public builders and setters; inputs a constructor refuses
//! (a nonce of the wrong size, say) give `None` and are skipped.

use std::collections::BTreeMap;

use arbitrary::Arbitrary;
use ciborium::value::Value;
use mtattest::claims::keys::{self, detection};
use mtattest::claims::*;

/// How deep an arbitrary unknown value may nest (keeps the encoded claims
/// set within the profile's CBOR depth, so only the round trip is tested).
const VALUE_DEPTH: usize = 4;

/// Picks an element of `all` by an arbitrary index.
fn pick<T: Copy>(all: &[T], i: u8) -> T {
    all[usize::from(i) % all.len()]
}

/// A CBOR value the profile's decoder accepts.
#[derive(Arbitrary, Debug, Clone)]
pub enum AValue {
    Int(i64),
    UInt(u64),
    /// A negative integer below `i64::MIN`: -1 - (2^63 + n).
    BigNeg(u64),
    Bytes(Vec<u8>),
    Text(String),
    Bool(bool),
    Null,
    Float(f64),
    Array(Vec<AValue>),
    Map(Vec<(AKey, AValue)>),
    Tag(u64, Box<AValue>),
}

/// A map key: integer or text.
#[derive(Arbitrary, Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum AKey {
    Int(i64),
    Text(String),
}

impl AKey {
    fn to_value(&self) -> Value {
        match self {
            AKey::Int(n) => Value::Integer((*n).into()),
            AKey::Text(t) => Value::Text(t.clone()),
        }
    }
}

impl AValue {
    /// The value, with nesting cut at [`VALUE_DEPTH`], map keys made
    /// unique and NaN replaced (NaN never equals itself, so no round trip
    /// could be checked by equality).
    pub fn to_value(&self) -> Value {
        self.at(0)
    }

    fn at(&self, depth: usize) -> Value {
        let nested = depth < VALUE_DEPTH;
        match self {
            AValue::Int(n) => Value::Integer((*n).into()),
            AValue::UInt(n) => Value::Integer((*n).into()),
            AValue::BigNeg(n) => {
                let v = -1 - (i128::from(i64::MAX) + 1 + i128::from(*n));
                ciborium::value::Integer::try_from(v)
                    .map(Value::Integer)
                    .unwrap_or(Value::Null)
            }
            AValue::Bytes(b) => Value::Bytes(b.clone()),
            AValue::Text(t) => Value::Text(t.clone()),
            AValue::Bool(b) => Value::Bool(*b),
            AValue::Null => Value::Null,
            AValue::Float(f) if f.is_nan() => Value::Null,
            AValue::Float(f) => Value::Float(*f),
            AValue::Array(items) if nested => {
                Value::Array(items.iter().map(|v| v.at(depth + 1)).collect())
            }
            AValue::Map(entries) if nested => {
                let unique: BTreeMap<&AKey, &AValue> =
                    entries.iter().map(|(k, v)| (k, v)).collect();
                Value::Map(
                    unique
                        .into_iter()
                        .map(|(k, v)| (k.to_value(), v.at(depth + 1)))
                        .collect(),
                )
            }
            AValue::Tag(tag, inner) if nested => Value::Tag(*tag, Box::new(inner.at(depth + 1))),
            AValue::Array(_) | AValue::Map(_) | AValue::Tag(..) => Value::Null,
        }
    }
}

/// An unknown-claim key, biased to the profile's own key ranges.
#[derive(Arbitrary, Debug, Clone)]
pub enum AClaimKey {
    Int(i64),
    UInt(u64),
    /// Near the profile's private keys (-80110..=-79990).
    Private(u8),
    /// Near the registered EAT keys (0..300).
    Registered(u16),
    /// Beyond 64 bits: -2^64 + n.
    Huge(u64),
    Text(String),
}

impl AClaimKey {
    fn key(&self) -> ClaimKey {
        match self {
            AClaimKey::Int(n) => ClaimKey::from(*n),
            AClaimKey::UInt(n) => ClaimKey::from(*n),
            AClaimKey::Private(n) => ClaimKey::from(-80110 + i64::from(*n % 121)),
            AClaimKey::Registered(n) => ClaimKey::from(i64::from(*n % 300)),
            AClaimKey::Huge(n) => ClaimKey::Int(-(1i128 << 64) + i128::from(*n)),
            AClaimKey::Text(t) => ClaimKey::Text(t.clone()),
        }
    }
}

type Unknowns = Vec<(AClaimKey, AValue)>;

/// Inserts unknown claims; a key the scope defines is refused, which is
/// fine (the claim is simply not added).
fn insert_unknowns(
    unknowns: &Unknowns,
    mut insert: impl FnMut(ClaimKey, Value) -> Result<Option<Value>, mtattest::ClaimsError>,
) {
    for (k, v) in unknowns {
        let _ = insert(k.key(), v.to_value());
    }
}

#[derive(Arbitrary, Debug, Clone)]
pub struct AVersion {
    version: String,
    scheme: Option<i64>,
}

impl AVersion {
    fn build(&self) -> Version {
        Version {
            version: self.version.clone(),
            scheme: self.scheme,
        }
    }
}

#[derive(Arbitrary, Debug, Clone)]
pub struct APatch {
    year: u16,
    month: u8,
    day: u8,
}

impl APatch {
    fn build(&self) -> Option<PatchLevel> {
        PatchLevel::from_ymd(
            1970 + u32::from(self.year) % 8030,
            1 + u32::from(self.month) % 12,
            u32::from(self.day) % 32,
        )
        .ok()
    }
}

fn digest(bytes: &[u8]) -> Option<Digest> {
    Digest::new(bytes.to_vec()).ok()
}

#[derive(Arbitrary, Debug, Clone)]
pub enum AResultFor {
    Detection(u8),
    Text(String),
    Bytes(Vec<u8>),
}

impl AResultFor {
    fn build(&self) -> ResultFor {
        const NAMES: [&str; 8] = [
            detection::ROOT,
            detection::HOOKING,
            detection::DEBUGGER,
            detection::EMULATOR,
            detection::KERNEL_INTEGRITY,
            detection::APP_INTEGRITY,
            detection::TLS_INTERCEPTION,
            detection::DNS_TAMPERING,
        ];
        match self {
            AResultFor::Detection(i) => ResultFor::from(pick(&NAMES, *i)),
            AResultFor::Text(t) => ResultFor::Text(t.clone()),
            AResultFor::Bytes(b) => ResultFor::Bytes(b.clone()),
        }
    }
}

#[derive(Arbitrary, Debug, Clone)]
pub enum ASystem {
    Mtattest,
    Psa,
    Other(String),
}

impl ASystem {
    fn name(&self) -> String {
        match self {
            ASystem::Mtattest => keys::MEASRES_SYSTEM.to_string(),
            ASystem::Psa => "psa".to_string(),
            ASystem::Other(s) => s.clone(),
        }
    }
}

#[derive(Arbitrary, Debug, Clone)]
pub struct AMeasres {
    set: Vec<(ASystem, AResultFor, u8)>,
    groups: Vec<(ASystem, Vec<(AResultFor, u8)>)>,
}

impl AMeasres {
    fn build(&self) -> MeasurementResults {
        let mut m = MeasurementResults::new();
        for (system, result_for, result) in &self.set {
            m.set(
                &system.name(),
                result_for.build(),
                pick(MeasResult::ALL, *result),
            );
        }
        for (system, results) in &self.groups {
            let results = results
                .iter()
                .map(|(f, r)| (f.build(), pick(MeasResult::ALL, *r)))
                .collect();
            // Refused for the mtattest system when it would repeat; fine.
            let _ = m.push_group(system.name(), results);
        }
        m
    }
}

#[derive(Arbitrary, Debug, Clone)]
pub struct AChip {
    source: u8,
    key_security_level: Option<u8>,
    hw_root_of_trust: Option<bool>,
    lifecycle: Option<(u8, u8)>,
    dbgstat: Option<u8>,
    hwversion: Option<AVersion>,
    dloas: Vec<(String, String, Option<String>)>,
    unknowns: Unknowns,
}

impl AChip {
    fn build(&self) -> ChipLayer {
        let mut b = ChipLayer::builder(pick(EvidenceSource::ALL, self.source));
        if let Some(k) = self.key_security_level {
            b = b.key_security_level(pick(KeySecurityLevel::ALL, k));
        }
        if let Some(r) = self.hw_root_of_trust {
            b = b.hw_root_of_trust(r);
        }
        if let Some(lc) = self.lifecycle.and_then(|(hi, lo)| {
            SecurityLifecycle::new(u16::from_be_bytes([(hi % 7) << 4, lo])).ok()
        }) {
            b = b.security_lifecycle(lc);
        }
        if let Some(d) = self.dbgstat {
            b = b.dbgstat(pick(DebugStatus::ALL, d));
        }
        if let Some(v) = &self.hwversion {
            b = b.hwversion(v.build());
        }
        for (registrar, platform_label, application_label) in &self.dloas {
            b = b.dloa(Dloa {
                registrar: registrar.clone(),
                platform_label: platform_label.clone(),
                application_label: application_label.clone(),
            });
        }
        let mut l = b.build();
        insert_unknowns(&self.unknowns, |k, v| l.insert_unknown(k, v));
        l
    }
}

#[derive(Arbitrary, Debug, Clone)]
pub struct ABoot {
    source: u8,
    verified_boot_state: Option<u8>,
    bootloader_locked: Option<bool>,
    boot_key_digest: Option<Vec<u8>>,
    boot_image_digest: Option<Vec<u8>>,
    oemboot: Option<bool>,
    boot_patch_level: Option<APatch>,
    rollback_index: Option<u64>,
    rollback_enforced: Option<bool>,
    measurements: Vec<(u16, Vec<u8>)>,
    bootcount: Option<u64>,
    uptime: Option<u64>,
    unknowns: Unknowns,
}

impl ABoot {
    fn build(&self) -> BootLayer {
        let mut b = BootLayer::builder(pick(EvidenceSource::ALL, self.source));
        if let Some(s) = self.verified_boot_state {
            b = b.verified_boot_state(pick(VerifiedBootState::ALL, s));
        }
        if let Some(x) = self.bootloader_locked {
            b = b.bootloader_locked(x);
        }
        if let Some(d) = self.boot_key_digest.as_deref().and_then(digest) {
            b = b.boot_key_digest(d);
        }
        if let Some(d) = self.boot_image_digest.as_deref().and_then(digest) {
            b = b.boot_image_digest(d);
        }
        if let Some(x) = self.oemboot {
            b = b.oemboot(x);
        }
        if let Some(p) = self.boot_patch_level.as_ref().and_then(APatch::build) {
            b = b.boot_patch_level(p);
        }
        if let Some(x) = self.rollback_index {
            b = b.rollback_index(x);
        }
        if let Some(x) = self.rollback_enforced {
            b = b.rollback_enforced(x);
        }
        for (t, c) in &self.measurements {
            b = b.measurement(*t, c.clone());
        }
        if let Some(x) = self.bootcount {
            b = b.bootcount(x);
        }
        if let Some(x) = self.uptime {
            b = b.uptime(x);
        }
        let mut l = b.build();
        insert_unknowns(&self.unknowns, |k, v| l.insert_unknown(k, v));
        l
    }
}

#[derive(Arbitrary, Debug, Clone)]
pub struct AOs {
    source: u8,
    swname: Option<String>,
    swversion: Option<AVersion>,
    os_patch_level: Option<APatch>,
    vendor_patch_level: Option<APatch>,
    mac_enforcing: Option<bool>,
    storage_encryption: Option<u8>,
    screen_lock: Option<bool>,
    developer_options: Option<bool>,
    usb_debugging: Option<bool>,
    measres: AMeasres,
    unknowns: Unknowns,
}

impl AOs {
    fn build(&self) -> OsLayer {
        let mut l = OsLayer::new(pick(EvidenceSource::ALL, self.source));
        l.swname = self.swname.clone();
        l.swversion = self.swversion.as_ref().map(AVersion::build);
        l.os_patch_level = self.os_patch_level.as_ref().and_then(APatch::build);
        l.vendor_patch_level = self.vendor_patch_level.as_ref().and_then(APatch::build);
        l.mac_enforcing = self.mac_enforcing;
        l.storage_encryption = self
            .storage_encryption
            .map(|e| pick(StorageEncryption::ALL, e));
        l.screen_lock = self.screen_lock;
        l.developer_options = self.developer_options;
        l.usb_debugging = self.usb_debugging;
        l.measres = self.measres.build();
        insert_unknowns(&self.unknowns, |k, v| l.insert_unknown(k, v));
        l
    }
}

#[derive(Arbitrary, Debug, Clone)]
pub struct APrivacy {
    out_of_scope: Option<u64>,
    over_frequency: Option<u64>,
    background: Option<u64>,
    other: Vec<(u64, u64)>,
}

#[derive(Arbitrary, Debug, Clone)]
pub struct AApp {
    source: u8,
    app_id: Option<String>,
    app_version: Option<u64>,
    app_signers: Vec<Vec<u8>>,
    installer: Option<u8>,
    privacy_events: Option<APrivacy>,
    measres: AMeasres,
    unknowns: Unknowns,
}

impl AApp {
    fn build(&self) -> AppLayer {
        let mut l = AppLayer::new(pick(EvidenceSource::ALL, self.source));
        l.app_id = self.app_id.clone();
        l.app_version = self.app_version;
        l.app_signers = self.app_signers.iter().filter_map(|d| digest(d)).collect();
        l.installer = self.installer.map(|i| pick(Installer::ALL, i));
        l.privacy_events = self.privacy_events.as_ref().map(|p| {
            let mut e = PrivacyEvents::new();
            e.out_of_scope = p.out_of_scope;
            e.over_frequency = p.over_frequency;
            e.background = p.background;
            for (k, v) in &p.other {
                // Keys 1..=3 are the fields: refused, fine.
                let _ = e.insert_other(*k, *v);
            }
            e
        });
        l.measres = self.measres.build();
        insert_unknowns(&self.unknowns, |k, v| l.insert_unknown(k, v));
        l
    }
}

#[derive(Arbitrary, Debug, Clone)]
pub struct ARuntime {
    source: u8,
    malware: Option<u8>,
    attestation_velocity: Option<u64>,
    measres: AMeasres,
    unknowns: Unknowns,
}

impl ARuntime {
    fn build(&self) -> RuntimeLayer {
        let mut l = RuntimeLayer::new(pick(EvidenceSource::ALL, self.source));
        l.malware = self.malware.map(|m| pick(Malware::ALL, m));
        l.attestation_velocity = self.attestation_velocity;
        l.measres = self.measres.build();
        insert_unknowns(&self.unknowns, |k, v| l.insert_unknown(k, v));
        l
    }
}

#[derive(Arbitrary, Debug, Clone)]
pub struct ANetwork {
    source: u8,
    connection: Option<u8>,
    wifi_security: Option<u8>,
    proxy: Option<bool>,
    vpn: Option<bool>,
    private_dns: Option<bool>,
    user_ca_certificates: Option<u64>,
    measres: AMeasres,
    unknowns: Unknowns,
}

impl ANetwork {
    /// Through the builder, which sets `wifi-security` only with
    /// `connection` wifi (spec §6.9a).
    fn build(&self) -> NetworkLayer {
        let mut b = NetworkLayer::builder(pick(EvidenceSource::ALL, self.source));
        if let Some(c) = self.connection {
            b = b.connection(pick(Connection::ALL, c));
        }
        if let (Some(s), Some(Connection::Wifi)) = (
            self.wifi_security,
            self.connection.map(|c| pick(Connection::ALL, c)),
        ) {
            b = b.wifi(pick(WifiSecurity::ALL, s));
        }
        if let Some(x) = self.proxy {
            b = b.proxy(x);
        }
        if let Some(x) = self.vpn {
            b = b.vpn(x);
        }
        if let Some(x) = self.private_dns {
            b = b.private_dns(x);
        }
        if let Some(x) = self.user_ca_certificates {
            b = b.user_ca_certificates(x);
        }
        let mut l = b.build();
        l.measres = self.measres.build();
        insert_unknowns(&self.unknowns, |k, v| l.insert_unknown(k, v));
        l
    }
}

#[derive(Arbitrary, Debug, Clone)]
pub enum ACnf {
    Ec2 {
        x: [u8; 32],
        y: [u8; 32],
        kid: Option<Vec<u8>>,
        with_alg: bool,
    },
    Kid(Vec<u8>),
}

#[derive(Arbitrary, Debug, Clone)]
pub enum AOemId {
    Random([u8; 16]),
    Ieee([u8; 3]),
    Pen(i64),
}

/// The inputs of a whole claims set.
#[derive(Arbitrary, Debug, Clone)]
pub struct ClaimsInput {
    iat: i64,
    nonce: Option<Vec<u8>>,
    exp: Option<i64>,
    nbf: Option<i64>,
    cti: Option<Vec<u8>>,
    ueid: Option<Vec<u8>>,
    oemid: Option<AOemId>,
    hwmodel: Option<Vec<u8>>,
    cnf: Option<ACnf>,
    intuse: Option<u8>,
    chip: Option<AChip>,
    boot: Option<ABoot>,
    os: Option<AOs>,
    app: Option<AApp>,
    runtime: Option<ARuntime>,
    network: Option<ANetwork>,
    unknowns: Unknowns,
    submodules: Vec<(String, AValue)>,
}

impl ClaimsInput {
    /// The claims set, built through the public API; `None` if a
    /// constructor refuses a value (the input is skipped, not a finding).
    pub fn build(&self) -> Option<ClaimsSet> {
        let mut b = ClaimsSet::builder(self.iat);
        if let Some(n) = &self.nonce {
            b = b.nonce(n.clone()).ok()?;
        }
        if let Some(x) = self.exp {
            // exp must be later than iat and nbf (spec §6.2); the profile
            // refuses anything else, so there is nothing to round-trip.
            if x <= self.iat || self.nbf.is_some_and(|nbf| x <= nbf) {
                return None;
            }
            b = b.exp(x);
        }
        if let Some(x) = self.nbf {
            b = b.nbf(x);
        }
        if let Some(x) = &self.cti {
            b = b.cti(x.clone()).ok()?;
        }
        if let Some(x) = &self.ueid {
            b = b.ueid(x.clone()).ok()?;
        }
        if let Some(x) = &self.oemid {
            b = b.oemid(match x {
                AOemId::Random(r) => OemId::Random(*r),
                AOemId::Ieee(r) => OemId::Ieee(*r),
                AOemId::Pen(n) => OemId::Pen(*n),
            });
        }
        if let Some(x) = &self.hwmodel {
            b = b.hwmodel(x.clone()).ok()?;
        }
        match &self.cnf {
            None => {}
            Some(ACnf::Kid(kid)) => b = b.cnf_kid(kid.clone()),
            Some(ACnf::Ec2 {
                x,
                y,
                kid,
                with_alg,
            }) => {
                let mut k = coset::CoseKeyBuilder::new_ec2_pub_key(
                    coset::iana::EllipticCurve::P_256,
                    x.to_vec(),
                    y.to_vec(),
                );
                if let Some(kid) = kid {
                    k = k.key_id(kid.clone());
                }
                if *with_alg {
                    k = k.algorithm(coset::iana::Algorithm::ES256);
                }
                b = b.cnf(k.build()).ok()?;
            }
        }
        if let Some(x) = self.intuse {
            b = b.intuse(pick(IntendedUse::ALL, x));
        }
        if let Some(l) = &self.chip {
            b = b.chip(l.build());
        }
        if let Some(l) = &self.boot {
            b = b.boot(l.build());
        }
        if let Some(l) = &self.os {
            b = b.os(l.build());
        }
        if let Some(l) = &self.app {
            b = b.app(l.build());
        }
        if let Some(l) = &self.runtime {
            b = b.runtime(l.build());
        }
        if let Some(l) = &self.network {
            b = b.network(l.build());
        }
        let mut s = b.build();
        insert_unknowns(&self.unknowns, |k, v| s.insert_unknown(k, v));
        for (name, value) in &self.submodules {
            // A layer's name is refused (set the layer instead); fine.
            let _ = s.insert_unknown_submodule(name.clone(), value.to_value());
        }
        Some(s)
    }
}
