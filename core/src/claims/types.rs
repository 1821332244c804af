//! Value types shared by several claims.

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use ciborium::value::Value;
use coset::{AsCborValue, CoseKey};

use super::de::{self, Path};
use super::names::part;
use super::unknown::canonicalize;
use crate::error::ClaimsError;

code_enum! {
    /// Where a layer's values come from. Appraisal weighs values by it:
    /// `Hardware > Kernel > Software`.
    #[derive(PartialOrd, Ord)]
    pub enum EvidenceSource {
        /// Observed by the OS or an app; forgeable on a rooted device.
        Software = 0 => "software",
        /// Measured or enforced by the kernel.
        Kernel = 1 => "kernel",
        /// Measured by ROM, bootloader or TEE.
        Hardware = 2 => "hardware",
    }
}

code_enum! {
    /// `intuse` (275): what the token is for (RFC 9711 §4.3.3).
    pub enum IntendedUse {
        /// General use.
        Generic = 1 => "generic",
        /// Registration of the device with a service.
        Registration = 2 => "registration",
        /// Provisioning of keys or secrets.
        Provisioning = 3 => "provisioning",
        /// Certificate issuance (a CSR).
        Csr = 4 => "csr",
        /// Proof of possession of a key.
        Pop = 5 => "pop",
    }
}

macro_rules! bytes_claim {
    ($(#[$meta:meta])* $name:ident, $claim:literal, $min:literal, $max:literal) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub struct $name(Vec<u8>);

        impl $name {
            #[doc = concat!("Smallest accepted size in bytes.")]
            pub const MIN_LEN: usize = $min;
            #[doc = concat!("Largest accepted size in bytes.")]
            pub const MAX_LEN: usize = $max;

            #[doc = concat!("Checks the size (", stringify!($min), "..=", stringify!($max), " bytes).")]
            pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Self, ClaimsError> {
                Self::checked(bytes.into(), &Path::ROOT.field($claim))
            }

            /// The bytes.
            pub fn as_bytes(&self) -> &[u8] {
                &self.0
            }

            /// The bytes, by value.
            pub fn into_bytes(self) -> Vec<u8> {
                self.0
            }

            fn checked(bytes: Vec<u8>, path: &Path<'_>) -> Result<Self, ClaimsError> {
                if !($min..=$max).contains(&bytes.len()) {
                    return Err(de::invalid(
                        path,
                        de::length_refusal(bytes.len(), $min, $max),
                    ));
                }
                Ok($name(bytes))
            }

            pub(crate) fn decode(value: &Value, path: &Path<'_>) -> Result<Self, ClaimsError> {
                Self::checked(de::bytes(value, path)?.to_vec(), path)
            }

            pub(crate) fn to_value(&self) -> Value {
                Value::Bytes(self.0.clone())
            }
        }

        impl From<$name> for Vec<u8> {
            fn from(value: $name) -> Vec<u8> {
                value.0
            }
        }

        impl AsRef<[u8]> for $name {
            fn as_ref(&self) -> &[u8] {
                &self.0
            }
        }
    };
}

bytes_claim! {
    /// `eat_nonce` (10): the relying party's challenge, 8..=64 bytes.
    ///
    /// Only the single-`bstr` form is accepted; the EAT array-of-nonces form is
    /// the wrong type.
    Nonce, "eat-nonce", 8, 64
}

impl Nonce {
    pub(crate) fn decode_claim(value: &Value, path: &Path<'_>) -> Result<Self, ClaimsError> {
        // RFC 9711's array of nonces is an array where this profile has a
        // byte string: the wrong type (spec §6.1 rule 3), named as such.
        if let Value::Array(_) = value {
            return Err(de::wrong_type(
                path,
                "bstr (one nonce; the array form of RFC 9711 is not used)",
            ));
        }
        Self::decode(value, path)
    }
}

bytes_claim! {
    /// `ueid` (256): the device identifier, 7..=33 bytes (RFC 9711 §4.2.1).
    /// Prefer a per-relying-party pseudonym.
    Ueid, "ueid", 7, 33
}

bytes_claim! {
    /// `hwmodel` (259): the hardware model, 1..=32 bytes (RFC 9711 §4.2.4).
    HwModel, "hwmodel", 1, 32
}

bytes_claim! {
    /// `cti` (7): the token identifier, 1..=64 bytes; should be 16 random bytes.
    Cti, "cti", 1, 64
}

bytes_claim! {
    /// A digest, 16..=64 bytes (SHA-256 or stronger recommended): the boot key
    /// and boot image digests and the app signer digests.
    Digest, "digest", 16, 64
}

impl From<[u8; 32]> for Digest {
    /// A SHA-256 (or other 256-bit) digest.
    fn from(digest: [u8; 32]) -> Self {
        Digest(digest.to_vec())
    }
}

impl From<[u8; 48]> for Digest {
    /// A SHA-384 digest.
    fn from(digest: [u8; 48]) -> Self {
        Digest(digest.to_vec())
    }
}

impl From<[u8; 64]> for Digest {
    /// A SHA-512 digest.
    fn from(digest: [u8; 64]) -> Self {
        Digest(digest.to_vec())
    }
}

/// `oemid` (258): the manufacturer (RFC 9711 §4.2.3).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum OemId {
    /// A random 16-byte manufacturer identifier.
    Random([u8; 16]),
    /// An IEEE OUI / MA-L, 3 bytes.
    Ieee([u8; 3]),
    /// An IANA Private Enterprise Number (the profile types it `int`).
    Pen(i64),
}

impl OemId {
    pub(crate) fn decode(value: &Value, path: &Path<'_>) -> Result<Self, ClaimsError> {
        match value {
            Value::Bytes(b) => {
                if let Ok(a) = <[u8; 16]>::try_from(b.as_slice()) {
                    Ok(OemId::Random(a))
                } else if let Ok(a) = <[u8; 3]>::try_from(b.as_slice()) {
                    Ok(OemId::Ieee(a))
                } else {
                    Err(de::invalid(
                        path,
                        format!("is {} bytes; 3 (IEEE) or 16 (random) required", b.len()),
                    ))
                }
            }
            Value::Integer(_) => Ok(OemId::Pen(de::i64_(value, path)?)),
            _ => Err(de::wrong_type(path, "bstr or int")),
        }
    }

    pub(crate) fn to_value(&self) -> Value {
        match self {
            OemId::Random(b) => Value::Bytes(b.to_vec()),
            OemId::Ieee(b) => Value::Bytes(b.to_vec()),
            OemId::Pen(n) => Value::Integer((*n).into()),
        }
    }
}

/// `hwversion` (260) / `swversion` (271): `[version, ?scheme]` (RFC 9711 §4.2.5).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Version {
    /// The version text.
    pub version: String,
    /// The CoSWID version scheme (e.g. 1 multipartnumeric, 16384 semver).
    pub scheme: Option<i64>,
}

impl Version {
    /// A version without a scheme.
    pub fn new(version: impl Into<String>) -> Self {
        Version {
            version: version.into(),
            scheme: None,
        }
    }

    /// A version with a CoSWID version scheme.
    pub fn with_scheme(version: impl Into<String>, scheme: i64) -> Self {
        Version {
            version: version.into(),
            scheme: Some(scheme),
        }
    }

    pub(crate) fn decode(value: &Value, path: &Path<'_>) -> Result<Self, ClaimsError> {
        let items = de::array_len(value, path, 1, 2)?;
        let version = match items.first() {
            Some(v) => de::text(v, &path.field(part::VERSION))?.into(),
            None => return Err(de::missing(&path.field(part::VERSION))),
        };
        let scheme = match items.get(1) {
            Some(s) => Some(de::i64_(s, &path.field(part::SCHEME))?),
            None => None,
        };
        Ok(Version { version, scheme })
    }

    pub(crate) fn to_value(&self) -> Value {
        let mut items = vec![Value::Text(self.version.clone())];
        if let Some(scheme) = self.scheme {
            items.push(Value::Integer(scheme.into()));
        }
        Value::Array(items)
    }
}

/// `cnf` (8): the confirmation key (RFC 8747) — a `COSE_Key` (method 1), or
/// the identifier of a key the relying party already knows (method 3). Binds
/// e.g. an app or session key held in the TEE to the token.
///
/// A `COSE_Key` is kept in a normal form (its parameters in
/// deterministic-encoding order), so a decoded key equals the key it was built
/// from.
#[derive(Clone, Debug, PartialEq)]
pub struct Confirmation(Cnf);

#[derive(Clone, Debug, PartialEq)]
enum Cnf {
    Key { key: CoseKey, value: Value },
    Kid(Vec<u8>),
}

const CNF_KEY: i128 = 1;
const CNF_KID: i128 = 3;

impl Confirmation {
    /// A `COSE_Key` confirmation. Fails if the key cannot be encoded
    /// (duplicate parameters, no `kty`) or does not decode again (e.g. an
    /// empty `kid`), or holds a map with duplicate keys.
    pub fn new(key: CoseKey) -> Result<Self, ClaimsError> {
        let root = Path::ROOT.field("cnf");
        Self::normalise(key, &root.field(part::COSE_KEY))
    }

    /// A key-identifier confirmation (`{3: kid}`).
    pub fn from_kid(kid: impl Into<Vec<u8>>) -> Self {
        Confirmation(Cnf::Kid(kid.into()))
    }

    /// The `COSE_Key`, for a key confirmation.
    pub fn key(&self) -> Option<&CoseKey> {
        match &self.0 {
            Cnf::Key { key, .. } => Some(key),
            Cnf::Kid(_) => None,
        }
    }

    /// The key identifier, for a key-identifier confirmation.
    pub fn kid(&self) -> Option<&[u8]> {
        match &self.0 {
            Cnf::Key { .. } => None,
            Cnf::Kid(kid) => Some(kid),
        }
    }

    /// The `COSE_Key` as encoded (its normal form), for a key confirmation.
    pub(crate) fn cose_key_value(&self) -> Option<&Value> {
        match &self.0 {
            Cnf::Key { value, .. } => Some(value),
            Cnf::Kid(_) => None,
        }
    }

    fn normalise(key: CoseKey, path: &Path<'_>) -> Result<Self, ClaimsError> {
        let mut value = key
            .to_cbor_value()
            .map_err(|e| de::invalid(path, format!("not an encodable COSE_Key: {e}")))?;
        if !canonicalize(&mut value) {
            return Err(de::invalid(path, "contains a map with duplicate keys"));
        }
        let key = CoseKey::from_cbor_value(value.clone())
            .map_err(|e| de::invalid(path, format!("not a valid COSE_Key: {e}")))?;
        Ok(Confirmation(Cnf::Key { key, value }))
    }

    /// Spec §6.1 rule 3 applied to `cnf`: a value that is not a map, a key
    /// that is not an integer, or a member of the wrong type is the wrong
    /// type; a map without exactly one member, or with a key other than 1
    /// and 3, is an invalid value.
    pub(crate) fn decode(value: &Value, path: &Path<'_>) -> Result<Self, ClaimsError> {
        const EXPECTED: &str = "a map {1: COSE_Key} or {3: bstr}";
        let entries = de::map(value, path).map_err(|_| de::wrong_type(path, EXPECTED))?;
        let [(key, member)] = entries else {
            return Err(de::invalid(
                path,
                format!(
                    "has {} members; exactly one, 1 (COSE_Key) or 3 (kid), is required",
                    entries.len()
                ),
            ));
        };
        let Value::Integer(key) = key else {
            return Err(de::wrong_type(path, EXPECTED));
        };
        match i128::from(*key) {
            CNF_KEY => {
                let key_path = path.field(part::COSE_KEY);
                check_cose_key_shape(member, &key_path)?;
                let key = CoseKey::from_cbor_value(member.clone())
                    .map_err(|e| de::invalid(&key_path, format!("not a valid COSE_Key: {e}")))?;
                Self::normalise(key, &key_path)
            }
            CNF_KID => Ok(Confirmation::from_kid(de::bytes(
                member,
                &path.field(part::KID),
            )?)),
            other => Err(de::invalid(
                path,
                format!("has the member {other}; 1 (COSE_Key) or 3 (kid) is required"),
            )),
        }
    }

    pub(crate) fn to_value(&self) -> Value {
        let (method, value): (u8, Value) = match &self.0 {
            Cnf::Key { value, .. } => (1, value.clone()),
            Cnf::Kid(kid) => (3, Value::Bytes(kid.clone())),
        };
        Value::Map(vec![(Value::Integer(method.into()), value)])
    }
}

/// The CDDL shape of a COSE_Key: a map with int / tstr labels and a `kty` (1)
/// that is a tstr or an int. A COSE_Key without `kty` lacks a required member
/// (`claims.missing`); what coset refuses beyond that is an invalid value.
fn check_cose_key_shape(key: &Value, path: &Path<'_>) -> Result<(), ClaimsError> {
    const EXPECTED: &str = "a COSE_Key map with kty (1) and int / tstr labels";
    let entries = de::map(key, path).map_err(|_| de::wrong_type(path, EXPECTED))?;
    let mut kty = false;
    for (label, v) in entries {
        match label {
            Value::Integer(i) if i128::from(*i) == 1 => {
                kty = matches!(v, Value::Integer(_) | Value::Text(_));
                if !kty {
                    return Err(de::wrong_type(&path.field(part::KTY), "tstr or int"));
                }
            }
            Value::Integer(_) | Value::Text(_) => {}
            _ => return Err(de::wrong_type(path, EXPECTED)),
        }
    }
    if !kty {
        return Err(de::missing(&path.field(part::KTY)));
    }
    Ok(())
}
