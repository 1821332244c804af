//! The claims set: top-level claims, the six layers, encode and decode.

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use ciborium::value::Value;
use coset::CoseKey;

use super::de::{self, Path};
use super::keys;
use super::names::{Layer, Scope};
use super::unknown::{ClaimKey, UnknownClaim, UnknownClaims};
use super::{
    AppLayer, BootLayer, ChipLayer, Confirmation, Cti, EvidenceSource, HwModel, IntendedUse,
    NetworkLayer, Nonce, OemId, OsLayer, RuntimeLayer, Ueid,
};
use crate::error::ClaimsError;
use crate::limits::Limits;

/// An mtattest claims set (the payload of a token).
///
/// `eat_profile` is not a field: it is always [`keys::PROFILE_V1`], written on
/// encode and required on decode. Optional claims are `None` when absent.
/// Claims the profile does not define are kept in [`ClaimsSet::unknown`] (and
/// per layer), so that decoding and re-encoding loses nothing.
///
/// Build one with [`ClaimsSet::builder`]; see the [module](super) example.
#[derive(Clone, Debug, PartialEq)]
pub struct ClaimsSet {
    /// `iat` (6): issued at, epoch seconds (required).
    pub iat: i64,
    /// `eat_nonce` (10): the relying party's challenge.
    pub nonce: Option<Nonce>,
    /// `exp` (4): expiry, epoch seconds.
    pub exp: Option<i64>,
    /// `nbf` (5): not before, epoch seconds.
    pub nbf: Option<i64>,
    /// `cti` (7): token identifier, for replay caches.
    pub cti: Option<Cti>,
    /// `ueid` (256): device identifier.
    pub ueid: Option<Ueid>,
    /// `oemid` (258): manufacturer.
    pub oemid: Option<OemId>,
    /// `hwmodel` (259): hardware model.
    pub hwmodel: Option<HwModel>,
    /// `cnf` (8): a key held by the device, bound to this token.
    pub cnf: Option<Confirmation>,
    /// `intuse` (275): intended use.
    pub intuse: Option<IntendedUse>,
    /// `submods.chip`: hardware security features.
    pub chip: Option<ChipLayer>,
    /// `submods.boot`: boot and update integrity.
    pub boot: Option<BootLayer>,
    /// `submods.os`: operating system.
    pub os: Option<OsLayer>,
    /// `submods.app`: the calling application.
    pub app: Option<AppLayer>,
    /// `submods.runtime`: runtime risk detections.
    pub runtime: Option<RuntimeLayer>,
    /// `submods.network`: communication connections.
    pub network: Option<NetworkLayer>,
    unknown: UnknownClaims,
    unknown_submods: UnknownClaims,
}

/// Builds a [`ClaimsSet`]; start with [`ClaimsSet::builder`].
#[derive(Clone, Debug)]
pub struct ClaimsSetBuilder {
    set: ClaimsSet,
}

impl ClaimsSet {
    /// The profile this model encodes and accepts.
    pub const PROFILE: &'static str = keys::PROFILE_V1;

    /// A claims set with only `iat`.
    pub fn new(iat: i64) -> Self {
        ClaimsSet {
            iat,
            nonce: None,
            exp: None,
            nbf: None,
            cti: None,
            ueid: None,
            oemid: None,
            hwmodel: None,
            cnf: None,
            intuse: None,
            chip: None,
            boot: None,
            os: None,
            app: None,
            runtime: None,
            network: None,
            unknown: UnknownClaims::default(),
            unknown_submods: UnknownClaims::default(),
        }
    }

    /// Starts a builder; `iat` (epoch seconds) is required.
    pub fn builder(iat: i64) -> ClaimsSetBuilder {
        ClaimsSetBuilder {
            set: ClaimsSet::new(iat),
        }
    }

    /// The evidence source of `layer`, if the layer is present.
    pub fn evidence_source(&self, layer: Layer) -> Option<EvidenceSource> {
        match layer {
            Layer::Chip => self.chip.as_ref().map(|l| l.evidence_source),
            Layer::Boot => self.boot.as_ref().map(|l| l.evidence_source),
            Layer::Os => self.os.as_ref().map(|l| l.evidence_source),
            Layer::App => self.app.as_ref().map(|l| l.evidence_source),
            Layer::Runtime => self.runtime.as_ref().map(|l| l.evidence_source),
            Layer::Network => self.network.as_ref().map(|l| l.evidence_source),
        }
    }

    /// Top-level claims the profile does not define.
    pub fn unknown(&self) -> &UnknownClaims {
        &self.unknown
    }

    /// Adds a top-level claim the profile does not define, returning the value
    /// it replaces.
    ///
    /// Fails with [`ClaimsError::InvalidValue`] if `key` is a top-level claim
    /// of the profile (set the typed field instead) or `value` holds a map with
    /// duplicate keys.
    pub fn insert_unknown(
        &mut self,
        key: impl Into<ClaimKey>,
        value: Value,
    ) -> Result<Option<Value>, ClaimsError> {
        self.unknown.insert_checked(Scope::Top, key.into(), value)
    }

    /// Removes an unknown top-level claim, returning its value.
    pub fn remove_unknown(&mut self, key: &ClaimKey) -> Option<Value> {
        self.unknown.remove(key)
    }

    /// Submodules other than the six layers, with their values as received
    /// (a claims-set map, a nested token, or a detached digest).
    pub fn unknown_submodules(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.unknown_submods.iter().filter_map(|(k, v)| match k {
            ClaimKey::Text(name) => Some((name.as_str(), v)),
            ClaimKey::Int(_) => None,
        })
    }

    /// Adds a submodule other than the six layers, returning the value it
    /// replaces. Fails if `name` is a layer's name.
    pub fn insert_unknown_submodule(
        &mut self,
        name: impl Into<String>,
        value: Value,
    ) -> Result<Option<Value>, ClaimsError> {
        self.unknown_submods
            .insert_checked(Scope::Submods, ClaimKey::Text(name.into()), value)
    }

    /// The submodules other than the six layers, keyed by name.
    pub(crate) fn unknown_submods(&self) -> &UnknownClaims {
        &self.unknown_submods
    }

    /// Removes an unknown submodule, returning its value.
    pub fn remove_unknown_submodule(&mut self, name: &str) -> Option<Value> {
        self.unknown_submods.remove(&ClaimKey::Text(name.into()))
    }

    /// Every unknown claim (spec §6.12) with its path and value: top-level
    /// claims, submodules other than the layers, each layer's unknown claims,
    /// privacy-event counters of later revisions, `measres` groups of other
    /// measurement systems, and mtattest results a layer does not define.
    pub fn unknown_claims(&self) -> Vec<UnknownClaim> {
        let mut out = Vec::new();
        self.unknown.report(Scope::Top, Scope::Top.path(), &mut out);
        self.unknown_submods
            .report(Scope::Submods, Scope::Submods.path(), &mut out);
        if let Some(l) = &self.chip {
            l.report_unknown(&mut out);
        }
        if let Some(l) = &self.boot {
            l.report_unknown(&mut out);
        }
        if let Some(l) = &self.os {
            l.report_unknown(&mut out);
        }
        if let Some(l) = &self.app {
            l.report_unknown(&mut out);
        }
        if let Some(l) = &self.runtime {
            l.report_unknown(&mut out);
        }
        if let Some(l) = &self.network {
            l.report_unknown(&mut out);
        }
        out
    }

    /// Encodes the claims set as a CBOR map (entries in deterministic order).
    pub fn to_value(&self) -> Value {
        let mut m = vec![
            (
                Value::Integer(keys::PROFILE.into()),
                Value::Text(Self::PROFILE.into()),
            ),
            (
                Value::Integer(keys::IAT.into()),
                Value::Integer(self.iat.into()),
            ),
        ];
        let mut put = |key: i64, v: Value| m.push((Value::Integer(key.into()), v));
        if let Some(x) = &self.nonce {
            put(keys::NONCE, x.to_value());
        }
        if let Some(x) = self.exp {
            put(keys::EXP, Value::Integer(x.into()));
        }
        if let Some(x) = self.nbf {
            put(keys::NBF, Value::Integer(x.into()));
        }
        if let Some(x) = &self.cti {
            put(keys::CTI, x.to_value());
        }
        if let Some(x) = &self.ueid {
            put(keys::UEID, x.to_value());
        }
        if let Some(x) = &self.oemid {
            put(keys::OEMID, x.to_value());
        }
        if let Some(x) = &self.hwmodel {
            put(keys::HWMODEL, x.to_value());
        }
        if let Some(x) = &self.cnf {
            put(keys::CNF, x.to_value());
        }
        if let Some(x) = self.intuse {
            put(keys::INTUSE, de::code_value(x));
        }
        let mut submods = Vec::new();
        let mut layer = |layer: Layer, v: Option<Value>| {
            if let Some(v) = v {
                submods.push((Value::Text(layer.name().into()), v));
            }
        };
        layer(Layer::Chip, self.chip.as_ref().map(ChipLayer::to_value));
        layer(Layer::Boot, self.boot.as_ref().map(BootLayer::to_value));
        layer(Layer::Os, self.os.as_ref().map(OsLayer::to_value));
        layer(Layer::App, self.app.as_ref().map(AppLayer::to_value));
        layer(
            Layer::Runtime,
            self.runtime.as_ref().map(RuntimeLayer::to_value),
        );
        layer(
            Layer::Network,
            self.network.as_ref().map(NetworkLayer::to_value),
        );
        self.unknown_submods.write(&mut submods);
        if !submods.is_empty() {
            put(keys::SUBMODS, super::sorted_map(submods));
        }
        self.unknown.write(&mut m);
        super::sorted_map(m)
    }

    /// Encodes the claims set in deterministic CBOR.
    pub fn to_cbor(&self) -> Vec<u8> {
        crate::cbor::encode(&self.to_value())
    }

    /// Decodes and checks a claims set from CBOR bytes: strict CBOR within
    /// `limits` (see [`crate::cbor::decode_strict`]), the submodule depth
    /// limit ([`Limits::max_submod_depth`], `claims.submods-too-deep`), then
    /// [`ClaimsSet::from_value`].
    pub fn from_cbor(bytes: &[u8], limits: &Limits) -> Result<Self, crate::Error> {
        let value = crate::cbor::decode_strict(bytes, limits)?;
        super::nesting::check_submod_depth(&value, limits.max_submod_depth)?;
        Ok(Self::from_value(&value)?)
    }

    /// Decodes and checks a claims set.
    ///
    /// Fails with [`ClaimsError::NotAMap`] if `value` is not a map,
    /// [`ClaimsError::Missing`] for an absent `eat-profile`, `iat` or layer
    /// `evidence-source`, [`ClaimsError::WrongProfile`] for another profile,
    /// and otherwise with [`ClaimsError::WrongType`] or
    /// [`ClaimsError::InvalidValue`] for the first claim (in map order) that
    /// breaks the profile, or for an `exp` that is not later than `iat` and
    /// `nbf`.
    pub fn from_value(value: &Value) -> Result<Self, ClaimsError> {
        let Value::Map(entries) = value else {
            return Err(ClaimsError::NotAMap);
        };
        check_profile(entries)?;

        let root = Path::ROOT;
        let mut set = ClaimsSet::new(0);
        let mut iat = None;
        let mut profile_seen = None;
        let mut submods_seen = None;
        for (key, v) in de::claims_map(value, &root)? {
            let Some((k, name)) = super::known(Scope::Top, &key) else {
                set.unknown.insert_decoded(key, v, &root)?;
                continue;
            };
            let p = root.field(name);
            match k {
                // Checked above; only a duplicate remains to refuse.
                keys::PROFILE => de::put(&mut profile_seen, (), &p)?,
                keys::IAT => de::put(&mut iat, de::i64_(v, &p)?, &p)?,
                keys::NONCE => de::put(&mut set.nonce, Nonce::decode_claim(v, &p)?, &p)?,
                keys::EXP => de::put(&mut set.exp, de::i64_(v, &p)?, &p)?,
                keys::NBF => de::put(&mut set.nbf, de::i64_(v, &p)?, &p)?,
                keys::CTI => de::put(&mut set.cti, Cti::decode(v, &p)?, &p)?,
                keys::UEID => de::put(&mut set.ueid, Ueid::decode(v, &p)?, &p)?,
                keys::OEMID => de::put(&mut set.oemid, OemId::decode(v, &p)?, &p)?,
                keys::HWMODEL => de::put(&mut set.hwmodel, HwModel::decode(v, &p)?, &p)?,
                keys::CNF => de::put(&mut set.cnf, Confirmation::decode(v, &p)?, &p)?,
                keys::INTUSE => de::put(&mut set.intuse, de::code(v, &p)?, &p)?,
                keys::SUBMODS => {
                    de::put(&mut submods_seen, (), &p)?;
                    set.decode_submods(v, &p)?;
                }
                _ => set.unknown.insert_decoded(key, v, &root)?,
            }
        }
        set.iat = iat.ok_or_else(|| de::missing(&root.field("iat")))?;
        set.check_exp()?;
        Ok(set)
    }

    /// The one rule between top-level claims that a builder can break
    /// (spec §6.2): `exp`, when present, is later than `iat` and `nbf`.
    /// Producers check it before signing, as decoding does. (The rule
    /// within the network layer, §6.9a, is checked when the signed payload
    /// is decoded, as every layer's values are.)
    pub(crate) fn check_exp(&self) -> Result<(), ClaimsError> {
        check_exp(self.exp, self.iat, self.nbf, &Path::ROOT.field("exp"))
    }

    /// The rules between claims that the typed claims cannot hold by
    /// construction (`exp` after `iat` and `nbf`, §6.2; `wifi-security` only
    /// with `connection` wifi, §6.9a): what the producer checks instead of
    /// decoding its payload back (§8.4).
    pub(crate) fn check_relations(&self) -> Result<(), ClaimsError> {
        self.check_exp()?;
        if let Some(network) = &self.network {
            let path = Path::ROOT.field("submods");
            network.check_wifi_security(&path.field(Layer::Network.name()))?;
        }
        Ok(())
    }

    fn decode_submods(&mut self, value: &Value, path: &Path<'_>) -> Result<(), ClaimsError> {
        let entries = de::map(value, path)?;
        if entries.is_empty() {
            return Err(de::invalid(path, "must not be empty"));
        }
        for (k, v) in entries {
            let Value::Text(name) = k else {
                return Err(de::wrong_type(path, "a map whose keys are tstr"));
            };
            let p = path.field(name);
            match Layer::from_name(name) {
                Some(Layer::Chip) => de::put(&mut self.chip, ChipLayer::decode(v, &p)?, &p)?,
                Some(Layer::Boot) => de::put(&mut self.boot, BootLayer::decode(v, &p)?, &p)?,
                Some(Layer::Os) => de::put(&mut self.os, OsLayer::decode(v, &p)?, &p)?,
                Some(Layer::App) => de::put(&mut self.app, AppLayer::decode(v, &p)?, &p)?,
                Some(Layer::Runtime) => {
                    de::put(&mut self.runtime, RuntimeLayer::decode(v, &p)?, &p)?
                }
                Some(Layer::Network) => {
                    de::put(&mut self.network, NetworkLayer::decode(v, &p)?, &p)?
                }
                None => {
                    self.unknown_submods
                        .insert_decoded(ClaimKey::Text(name.clone()), v, path)?
                }
            }
        }
        Ok(())
    }
}

/// Spec §6.2: a token whose `exp` is not later than its `iat` and its `nbf`
/// expired before it was issued or before it became valid. Refused whatever
/// the verification time, so that every verifier reads it the same way.
fn check_exp(
    exp: Option<i64>,
    iat: i64,
    nbf: Option<i64>,
    path: &Path<'_>,
) -> Result<(), ClaimsError> {
    let Some(exp) = exp else {
        return Ok(());
    };
    let bound = match nbf {
        _ if exp <= iat => ("iat", iat),
        Some(nbf) if exp <= nbf => ("nbf", nbf),
        _ => return Ok(()),
    };
    // "{exp} is not later than {name} ({bound})", without `core::fmt`: a
    // producer checks this before signing (docs/firmware.md).
    let mut reason = String::new();
    de::push_decimal(&mut reason, exp.into());
    reason.push_str(" is not later than ");
    reason.push_str(bound.0);
    reason.push_str(" (");
    de::push_decimal(&mut reason, bound.1.into());
    reason.push(')');
    Err(de::invalid(path, reason))
}

/// Checks `eat_profile` before anything else, so that a token of another
/// profile is reported as such rather than by its first odd claim.
fn check_profile(entries: &[(Value, Value)]) -> Result<(), ClaimsError> {
    let path = Path::ROOT.field("eat-profile");
    let profile = entries.iter().find_map(|(k, v)| match k {
        Value::Integer(i) if i128::from(*i) == i128::from(keys::PROFILE) => Some(v),
        _ => None,
    });
    let oid = |b: &[u8]| format!("oid:{}", crate::encoding::to_hex(b));
    match profile {
        None => Err(de::missing(&path)),
        Some(Value::Text(t)) if t == keys::PROFILE_V1 => Ok(()),
        Some(Value::Text(t)) => Err(ClaimsError::WrongProfile { found: t.clone() }),
        Some(Value::Bytes(b)) => Err(ClaimsError::WrongProfile { found: oid(b) }),
        Some(Value::Tag(111, inner)) => match inner.as_ref() {
            Value::Bytes(b) => Err(ClaimsError::WrongProfile { found: oid(b) }),
            _ => Err(de::wrong_type(&path, "tstr (URI) or bstr (OID)")),
        },
        Some(_) => Err(de::wrong_type(&path, "tstr (URI) or bstr (OID)")),
    }
}

impl ClaimsSetBuilder {
    /// Sets `eat_nonce`; fails unless it is 8..=64 bytes.
    pub fn nonce(mut self, nonce: impl Into<Vec<u8>>) -> Result<Self, ClaimsError> {
        self.set.nonce = Some(Nonce::new(nonce)?);
        Ok(self)
    }

    /// Sets `exp`, epoch seconds. It must be later than `iat` and `nbf`:
    /// decoding refuses a claims set whose `exp` is not (spec §6.2).
    pub fn exp(mut self, exp: i64) -> Self {
        self.set.exp = Some(exp);
        self
    }

    /// Sets `nbf`, epoch seconds.
    pub fn nbf(mut self, nbf: i64) -> Self {
        self.set.nbf = Some(nbf);
        self
    }

    /// Sets `cti`; fails unless it is 1..=64 bytes.
    pub fn cti(mut self, cti: impl Into<Vec<u8>>) -> Result<Self, ClaimsError> {
        self.set.cti = Some(Cti::new(cti)?);
        Ok(self)
    }

    /// Sets `ueid`; fails unless it is 7..=33 bytes.
    pub fn ueid(mut self, ueid: impl Into<Vec<u8>>) -> Result<Self, ClaimsError> {
        self.set.ueid = Some(Ueid::new(ueid)?);
        Ok(self)
    }

    /// Sets `oemid`.
    pub fn oemid(mut self, oemid: OemId) -> Self {
        self.set.oemid = Some(oemid);
        self
    }

    /// Sets `hwmodel`; fails unless it is 1..=32 bytes.
    pub fn hwmodel(mut self, model: impl Into<Vec<u8>>) -> Result<Self, ClaimsError> {
        self.set.hwmodel = Some(HwModel::new(model)?);
        Ok(self)
    }

    /// Sets `cnf` to the `COSE_Key` `key`; see [`Confirmation::new`].
    pub fn cnf(mut self, key: CoseKey) -> Result<Self, ClaimsError> {
        self.set.cnf = Some(Confirmation::new(key)?);
        Ok(self)
    }

    /// Sets `cnf` to the key identifier `kid`.
    pub fn cnf_kid(mut self, kid: impl Into<Vec<u8>>) -> Self {
        self.set.cnf = Some(Confirmation::from_kid(kid));
        self
    }

    /// Sets `intuse`.
    pub fn intuse(mut self, intuse: IntendedUse) -> Self {
        self.set.intuse = Some(intuse);
        self
    }

    /// Sets the `chip` layer.
    pub fn chip(mut self, layer: ChipLayer) -> Self {
        self.set.chip = Some(layer);
        self
    }

    /// Sets the `boot` layer.
    pub fn boot(mut self, layer: BootLayer) -> Self {
        self.set.boot = Some(layer);
        self
    }

    /// Sets the `os` layer.
    pub fn os(mut self, layer: OsLayer) -> Self {
        self.set.os = Some(layer);
        self
    }

    /// Sets the `app` layer.
    pub fn app(mut self, layer: AppLayer) -> Self {
        self.set.app = Some(layer);
        self
    }

    /// Sets the `network` layer.
    pub fn network(mut self, layer: NetworkLayer) -> Self {
        self.set.network = Some(layer);
        self
    }

    /// Sets the `runtime` layer.
    pub fn runtime(mut self, layer: RuntimeLayer) -> Self {
        self.set.runtime = Some(layer);
        self
    }

    /// Adds a top-level claim the profile does not define; see
    /// [`ClaimsSet::insert_unknown`].
    pub fn unknown(mut self, key: impl Into<ClaimKey>, value: Value) -> Result<Self, ClaimsError> {
        self.set.insert_unknown(key, value)?;
        Ok(self)
    }

    /// Adds a submodule other than the six layers; see
    /// [`ClaimsSet::insert_unknown_submodule`].
    pub fn unknown_submodule(
        mut self,
        name: impl Into<String>,
        value: Value,
    ) -> Result<Self, ClaimsError> {
        self.set.insert_unknown_submodule(name, value)?;
        Ok(self)
    }

    /// Finishes the claims set.
    pub fn build(self) -> ClaimsSet {
        self.set
    }
}
