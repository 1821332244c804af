//! The crypto provider interface and its pure-Rust default.
//!
//! Token code never calls a curve library directly: it asks a
//! [`CryptoProvider`] to verify and a [`Signer`] to sign, so a faster server
//! backend, a TEE, an HSM or Android Keystore plug in without touching it.
//! Signatures cross this interface in the COSE form: raw `r ‖ s`, each
//! left-padded to the curve size (RFC 9053 §2.1).

use alloc::vec::Vec;

use crate::error::CryptoError;

#[cfg(feature = "aws-lc")]
mod aws_lc;
#[cfg(feature = "aws-lc")]
pub use aws_lc::AwsLc;

/// A COSE signature algorithm this profile allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Algorithm {
    /// ECDSA on P-384 with SHA-384 (COSE -35). Mandatory to implement.
    Es384,
    /// ECDSA on P-256 with SHA-256 (COSE -7), for keys that only exist on
    /// P-256 secure elements.
    Es256,
}

impl Algorithm {
    /// Every algorithm of the profile, strongest first.
    pub const ALL: [Algorithm; 2] = [Algorithm::Es384, Algorithm::Es256];

    /// The COSE algorithm identifier.
    pub fn cose_id(self) -> i64 {
        match self {
            Algorithm::Es384 => -35,
            Algorithm::Es256 => -7,
        }
    }

    /// The algorithm with COSE identifier `id`, if the profile allows it.
    pub fn from_cose_id(id: i64) -> Option<Algorithm> {
        Algorithm::ALL.into_iter().find(|a| a.cose_id() == id)
    }

    /// The COSE name, e.g. `ES384`.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Es384 => "ES384",
            Algorithm::Es256 => "ES256",
        }
    }

    /// The curve of the algorithm's keys.
    pub fn curve(self) -> Curve {
        match self {
            Algorithm::Es384 => Curve::P384,
            Algorithm::Es256 => Curve::P256,
        }
    }

    /// Length of a signature in the COSE form (`r ‖ s`).
    pub fn signature_len(self) -> usize {
        2 * self.curve().scalar_len()
    }
}

/// An elliptic curve of the profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Curve {
    /// NIST P-384 (secp384r1).
    P384,
    /// NIST P-256 (secp256r1).
    P256,
}

impl Curve {
    /// The curve's name, e.g. `P-384`.
    pub fn name(self) -> &'static str {
        match self {
            Curve::P384 => "P-384",
            Curve::P256 => "P-256",
        }
    }

    fn scalar_len(self) -> usize {
        match self {
            Curve::P384 => 48,
            Curve::P256 => 32,
        }
    }
}

/// A public verification key: a curve and its SEC1-encoded point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    curve: Curve,
    sec1: Vec<u8>,
}

impl PublicKey {
    /// A key from its SEC1 encoding (compressed or uncompressed), checked to be
    /// a valid point on `curve`.
    pub fn from_sec1(curve: Curve, sec1: &[u8]) -> Result<PublicKey, CryptoError> {
        let valid = match curve {
            Curve::P384 => p384::PublicKey::from_sec1_bytes(sec1).is_ok(),
            Curve::P256 => p256::PublicKey::from_sec1_bytes(sec1).is_ok(),
        };
        if !valid {
            return Err(CryptoError::InvalidKey {
                curve: curve.name(),
            });
        }
        Ok(PublicKey {
            curve,
            sec1: sec1.to_vec(),
        })
    }

    /// The key's curve.
    pub fn curve(&self) -> Curve {
        self.curve
    }

    /// The SEC1 encoding the key was made from.
    pub fn sec1(&self) -> &[u8] {
        &self.sec1
    }
}

/// An RSA public key, as certificates of Android attestation chains carry
/// it (spec §17.3): the modulus is 2048 to 4096 bits, the public exponent
/// odd and between 3 and 2^32 − 1. Tokens are never signed with RSA; such a
/// key only ever verifies a certificate's signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RsaPublicKey {
    modulus: Vec<u8>,
    exponent: Vec<u8>,
}

impl RsaPublicKey {
    /// Smallest modulus accepted, in bits.
    pub const MIN_BITS: usize = 2048;
    /// Largest modulus accepted, in bits.
    pub const MAX_BITS: usize = 4096;

    /// A key from the DER of a PKCS#1 `RSAPublicKey` (RFC 8017 §A.1.1), the
    /// content of a certificate's subjectPublicKey for `rsaEncryption`.
    /// Fails with `crypto.invalid-key` outside the sizes above.
    pub fn from_pkcs1_der(der: &[u8]) -> Result<RsaPublicKey, CryptoError> {
        use rsa::pkcs1::der::Decode as _;
        let invalid = CryptoError::InvalidKey { curve: "RSA" };
        let key = rsa::pkcs1::RsaPublicKey::from_der(der).map_err(|_| invalid.clone())?;
        let modulus = key.modulus.as_bytes();
        let exponent = key.public_exponent.as_bytes();
        let bits = bit_length(modulus);
        let e = exponent.iter().try_fold(0u64, |acc, b| {
            acc.checked_mul(256).map(|a| a | u64::from(*b))
        });
        let exponent_ok = matches!(e, Some(e) if e >= 3 && e <= u64::from(u32::MAX) && e % 2 == 1);
        if !(Self::MIN_BITS..=Self::MAX_BITS).contains(&bits) || !exponent_ok {
            return Err(invalid);
        }
        Ok(RsaPublicKey {
            modulus: modulus.to_vec(),
            exponent: exponent.to_vec(),
        })
    }

    /// The modulus, big-endian, without leading zeros.
    pub fn modulus(&self) -> &[u8] {
        &self.modulus
    }

    /// The public exponent, big-endian, without leading zeros.
    pub fn exponent(&self) -> &[u8] {
        &self.exponent
    }

    /// The size of the modulus in bits.
    pub fn bits(&self) -> usize {
        bit_length(&self.modulus)
    }
}

fn bit_length(big_endian: &[u8]) -> usize {
    let mut bytes = big_endian.iter().skip_while(|b| **b == 0);
    match bytes.next() {
        Some(first) => 8 * bytes.count() + (8 - first.leading_zeros() as usize),
        None => 0,
    }
}

/// Signature verification and hashing, as a verifier needs them.
pub trait CryptoProvider: Send + Sync {
    /// Checks `signature` (COSE form, `r ‖ s`) over `message` under `key` with
    /// `alg`. Returns `false` for any signature that does not verify,
    /// including one of the wrong length; never panics.
    fn verify(&self, alg: Algorithm, key: &PublicKey, message: &[u8], signature: &[u8]) -> bool;

    /// SHA-384 of `data`.
    fn sha384(&self, data: &[u8]) -> [u8; 48];

    /// Checks an RSASSA-PKCS1-v1_5 signature with SHA-256 (RFC 8017 §8.2,
    /// `sha256WithRSAEncryption`) over `message` under `key`: how the
    /// certificates of Android attestation chains are signed (spec §17.3).
    /// The signature must be exactly as long as the modulus. Returns
    /// `false` for anything that does not verify; never panics.
    ///
    /// The default refuses every signature: a provider that does not
    /// implement it validates no chain with an RSA certificate in it,
    /// which fails closed.
    fn verify_rsa_pkcs1_sha256(
        &self,
        key: &RsaPublicKey,
        message: &[u8],
        signature: &[u8],
    ) -> bool {
        let _ = (key, message, signature);
        false
    }

    /// Checks an ECDSA signature (DER `Ecdsa-Sig-Value`) over `message`
    /// hashed with `hash`, under `key` on either curve: the pairings of a
    /// curve with the other curve's hash (P-384 with SHA-256, P-256 with
    /// SHA-384) that certificates of Android chains use (spec §17.3).
    /// Returns `false` for anything that does not verify; never panics.
    ///
    /// The default refuses every signature (fails closed).
    fn verify_ecdsa_der(
        &self,
        key: &PublicKey,
        hash: HashAlgorithm,
        message: &[u8],
        der_signature: &[u8],
    ) -> bool {
        let _ = (key, hash, message, der_signature);
        false
    }
}

/// A hash function of certificate signatures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashAlgorithm {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
}

/// The pure-Rust provider (RustCrypto `p384`, `p256`, `sha2`): `no_std`, WASM-ready.
#[derive(Debug, Clone, Copy, Default)]
pub struct RustCrypto;

impl CryptoProvider for RustCrypto {
    fn verify(&self, alg: Algorithm, key: &PublicKey, message: &[u8], signature: &[u8]) -> bool {
        use p256::ecdsa::signature::Verifier as _;
        if key.curve != alg.curve() {
            return false;
        }
        match alg {
            Algorithm::Es384 => {
                let (Ok(vk), Ok(sig)) = (
                    p384::ecdsa::VerifyingKey::from_sec1_bytes(&key.sec1),
                    p384::ecdsa::Signature::from_slice(signature),
                ) else {
                    return false;
                };
                vk.verify(message, &sig).is_ok()
            }
            Algorithm::Es256 => {
                let (Ok(vk), Ok(sig)) = (
                    p256::ecdsa::VerifyingKey::from_sec1_bytes(&key.sec1),
                    p256::ecdsa::Signature::from_slice(signature),
                ) else {
                    return false;
                };
                vk.verify(message, &sig).is_ok()
            }
        }
    }

    fn sha384(&self, data: &[u8]) -> [u8; 48] {
        use sha2::Digest as _;
        sha2::Sha384::digest(data).into()
    }

    fn verify_rsa_pkcs1_sha256(
        &self,
        key: &RsaPublicKey,
        message: &[u8],
        signature: &[u8],
    ) -> bool {
        use rsa::signature::Verifier as _;
        if signature.len() != key.modulus.len() {
            return false;
        }
        let Ok(public) = rsa::RsaPublicKey::new(
            rsa::BigUint::from_bytes_be(&key.modulus),
            rsa::BigUint::from_bytes_be(&key.exponent),
        ) else {
            return false;
        };
        let Ok(sig) = rsa::pkcs1v15::Signature::try_from(signature) else {
            return false;
        };
        rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(public)
            .verify(message, &sig)
            .is_ok()
    }

    fn verify_ecdsa_der(
        &self,
        key: &PublicKey,
        hash: HashAlgorithm,
        message: &[u8],
        der_signature: &[u8],
    ) -> bool {
        use p256::ecdsa::signature::hazmat::PrehashVerifier as _;
        use sha2::Digest as _;
        let digest: Vec<u8> = match hash {
            HashAlgorithm::Sha256 => sha2::Sha256::digest(message).to_vec(),
            HashAlgorithm::Sha384 => sha2::Sha384::digest(message).to_vec(),
        };
        match key.curve {
            Curve::P384 => {
                let (Ok(vk), Ok(sig)) = (
                    p384::ecdsa::VerifyingKey::from_sec1_bytes(&key.sec1),
                    p384::ecdsa::Signature::from_der(der_signature),
                ) else {
                    return false;
                };
                vk.verify_prehash(&digest, &sig).is_ok()
            }
            Curve::P256 => {
                let (Ok(vk), Ok(sig)) = (
                    p256::ecdsa::VerifyingKey::from_sec1_bytes(&key.sec1),
                    p256::ecdsa::Signature::from_der(der_signature),
                ) else {
                    return false;
                };
                vk.verify_prehash(&digest, &sig).is_ok()
            }
        }
    }
}

/// Something that signs a token's to-be-signed bytes: a software key, a TEE,
/// an HSM, Android Keystore.
pub trait Signer {
    /// The algorithm the signer's key uses.
    fn algorithm(&self) -> Algorithm;

    /// Signs `message` (hashing it with the algorithm's hash) and returns the
    /// signature in the COSE form, `r ‖ s`.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, CryptoError>;
}

/// A software ECDSA key. Signatures are deterministic (RFC 6979), so tokens
/// and conformance vectors regenerate byte for byte.
pub struct SoftwareSigner {
    key: SoftwareKey,
}

enum SoftwareKey {
    P384(p384::ecdsa::SigningKey),
    P256(p256::ecdsa::SigningKey),
}

impl SoftwareSigner {
    /// A signer for `alg` from the private scalar's big-endian bytes.
    pub fn from_secret_bytes(alg: Algorithm, secret: &[u8]) -> Result<SoftwareSigner, CryptoError> {
        let invalid = CryptoError::InvalidKey {
            curve: alg.curve().name(),
        };
        let key = match alg {
            Algorithm::Es384 => {
                SoftwareKey::P384(p384::ecdsa::SigningKey::from_slice(secret).map_err(|_| invalid)?)
            }
            Algorithm::Es256 => {
                SoftwareKey::P256(p256::ecdsa::SigningKey::from_slice(secret).map_err(|_| invalid)?)
            }
        };
        Ok(SoftwareSigner { key })
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        match &self.key {
            SoftwareKey::P384(k) => PublicKey {
                curve: Curve::P384,
                sec1: k
                    .verifying_key()
                    .to_encoded_point(false)
                    .as_bytes()
                    .to_vec(),
            },
            SoftwareKey::P256(k) => PublicKey {
                curve: Curve::P256,
                sec1: k
                    .verifying_key()
                    .to_encoded_point(false)
                    .as_bytes()
                    .to_vec(),
            },
        }
    }
}

impl core::fmt::Debug for SoftwareSigner {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SoftwareSigner")
            .field("algorithm", &self.algorithm())
            .finish_non_exhaustive()
    }
}

impl Signer for SoftwareSigner {
    fn algorithm(&self) -> Algorithm {
        match self.key {
            SoftwareKey::P384(_) => Algorithm::Es384,
            SoftwareKey::P256(_) => Algorithm::Es256,
        }
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, CryptoError> {
        use p256::ecdsa::signature::Signer as _;
        Ok(match &self.key {
            SoftwareKey::P384(k) => {
                let sig: p384::ecdsa::Signature = k.sign(message);
                sig.to_bytes().to_vec()
            }
            SoftwareKey::P256(k) => {
                let sig: p256::ecdsa::Signature = k.sign(message);
                sig.to_bytes().to_vec()
            }
        })
    }
}
