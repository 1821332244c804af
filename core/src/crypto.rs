//! The crypto boundary: every signature check, key check and digest the
//! library needs goes through the traits of this module.
//!
//! Token code never calls a curve or hash library directly: it asks a
//! [`CryptoProvider`] to check a key, verify a signature or hash, and a
//! [`Signer`] to sign, so a faster server backend, a TEE, an HSM or Android
//! Keystore plug in without touching it, and a build compiles only the
//! backends it names:
//!
//! | feature | gives | compiles |
//! |---|---|---|
//! | `rustcrypto` (default) | [`RustCrypto`], [`SoftwareSigner`], [`Sha2`] | RustCrypto `p384`, `p256`, `sha2` |
//! | `aws-lc` | [`AwsLc`] (the default provider where built) | `aws-lc-rs` |
//! | `sha2` | [`Sha2`] only | `sha2`, no curve |
//! | none | the traits only: a producer with a hardware [`Signer`] | no crypto at all |
//!
//! Signatures cross this interface in the COSE form: raw `r ‖ s`, each
//! left-padded to the curve size (RFC 9053 §2.1). Certificates and CRLs
//! carry the DER form, which [`ecdsa_signature_from_der`] converts (with
//! `der`, so no provider needs to).

use alloc::vec::Vec;

use crate::error::CryptoError;

#[cfg(feature = "aws-lc")]
mod aws_lc;
mod der_signature;
#[cfg(feature = "rustcrypto")]
mod rust_crypto;
#[cfg(feature = "sha2")]
mod sha2_digests;
mod sign_digest;

#[cfg(feature = "aws-lc")]
pub use aws_lc::AwsLc;
pub use der_signature::ecdsa_signature_from_der;
#[cfg(feature = "rustcrypto")]
pub use rust_crypto::{RustCrypto, SoftwareSigner};
#[cfg(feature = "sha2")]
pub use sha2_digests::Sha2;
pub use sign_digest::{DigestSigner, SignDigest};

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

    /// The digest of `message` by the algorithm's hash (SHA-384 for ES384,
    /// SHA-256 for ES256): what a [`DigestSigner`] signs.
    pub fn digest<D: Digests + ?Sized>(self, digests: &D, message: &[u8]) -> Vec<u8> {
        match self {
            Algorithm::Es384 => digests.sha384(message).to_vec(),
            Algorithm::Es256 => digests.sha256(message).to_vec(),
        }
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

    /// Length in bytes of a scalar or a field element (a coordinate).
    pub fn scalar_len(self) -> usize {
        match self {
            Curve::P384 => 48,
            Curve::P256 => 32,
        }
    }
}

/// A public verification key: a curve and a point on it, checked by a
/// [`CryptoProvider`] when the key was made.
///
/// The key keeps the SEC1 encoding it was made from
/// ([`sec1`](Self::sec1)) and its normal form, the uncompressed encoding
/// ([`uncompressed`](Self::uncompressed)): one key has one normal form
/// whichever encoding a certificate or a configuration gave (RFC 5480
/// allows both), which is what replay identifiers hash (spec §11.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    curve: Curve,
    sec1: Vec<u8>,
    uncompressed: Vec<u8>,
}

impl PublicKey {
    /// A key from its SEC1 encoding on `curve`: uncompressed
    /// (`04 ‖ x ‖ y`) or compressed (`02`/`03 ‖ x`), nothing else (RFC 5480
    /// §2.2), checked by `crypto` to be a point of the curve other than the
    /// identity. Fails with `crypto.invalid-key`.
    ///
    /// ```
    /// # #[cfg(feature = "rustcrypto")] {
    /// use mtattest::crypto::{Algorithm, Curve, PublicKey, RustCrypto, SoftwareSigner};
    ///
    /// let signer = SoftwareSigner::from_secret_bytes(Algorithm::Es256, &[7; 32]).unwrap();
    /// let key = signer.public_key();
    /// let again = PublicKey::from_sec1(Curve::P256, key.sec1(), &RustCrypto).unwrap();
    /// assert_eq!(again, key);
    /// let mut off_curve = key.sec1().to_vec();
    /// off_curve[64] ^= 1;
    /// let err = PublicKey::from_sec1(Curve::P256, &off_curve, &RustCrypto).unwrap_err();
    /// assert_eq!(err.code(), "crypto.invalid-key");
    /// # }
    /// ```
    pub fn from_sec1(
        curve: Curve,
        sec1: &[u8],
        crypto: &dyn CryptoProvider,
    ) -> Result<PublicKey, CryptoError> {
        let invalid = CryptoError::InvalidKey {
            curve: curve.name(),
        };
        let n = curve.scalar_len();
        let x = sec1_x(curve, sec1).ok_or(invalid.clone())?;
        let uncompressed = crypto
            .uncompressed_point(curve, sec1)
            .ok_or(invalid.clone())?;
        // The provider must return this very point: same x, and the same y
        // (or, for a compressed input, a y of the parity it names). A
        // provider that answers anything else is refused, not trusted.
        let same_point = match (sec1.first(), uncompressed.as_slice()) {
            (Some(0x04), _) => uncompressed == sec1,
            (Some(&tag), [0x04, rest @ ..]) if rest.len() == 2 * n => {
                rest.get(..n) == Some(x) && rest.last().map(|y| 0x02 | (y & 1)) == Some(tag)
            }
            _ => false,
        };
        if !same_point {
            return Err(invalid);
        }
        Ok(PublicKey {
            curve,
            sec1: sec1.to_vec(),
            uncompressed,
        })
    }

    /// A key from an uncompressed point that the caller's own curve
    /// arithmetic produced (a signer's public key).
    #[cfg(feature = "rustcrypto")]
    pub(crate) fn from_known_point(curve: Curve, uncompressed: Vec<u8>) -> PublicKey {
        PublicKey {
            curve,
            sec1: uncompressed.clone(),
            uncompressed,
        }
    }

    /// The key's curve.
    pub fn curve(&self) -> Curve {
        self.curve
    }

    /// The SEC1 encoding the key was made from.
    pub fn sec1(&self) -> &[u8] {
        &self.sec1
    }

    /// The key's normal form: its uncompressed SEC1 encoding,
    /// `04 ‖ x ‖ y`.
    pub fn uncompressed(&self) -> &[u8] {
        &self.uncompressed
    }
}

/// The x coordinate of a SEC1 point of `curve` in one of the forms RFC 5480
/// §2.2 allows, uncompressed (`04 ‖ x ‖ y`) or compressed (`02`/`03 ‖ x`),
/// with the curve's lengths; `None` for anything else (the identity, the
/// hybrid and compact forms, another length).
pub(crate) fn sec1_x(curve: Curve, sec1: &[u8]) -> Option<&[u8]> {
    let n = curve.scalar_len();
    match sec1 {
        [0x04, rest @ ..] if rest.len() == 2 * n => rest.get(..n),
        [0x02 | 0x03, x @ ..] if x.len() == n => Some(x),
        _ => None,
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
        use pkcs1::der::Decode as _;
        let invalid = CryptoError::InvalidKey { curve: "RSA" };
        let key = pkcs1::RsaPublicKey::from_der(der).map_err(|_| invalid.clone())?;
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

/// A hash function of certificate signatures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashAlgorithm {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
}

/// SHA-2 digests: what a verifier hashes (replay identifiers, cache keys,
/// configuration fingerprints) and what a [`DigestSigner`]'s messages are
/// hashed with.
pub trait Digests: Send + Sync {
    /// SHA-256 of `data`.
    fn sha256(&self, data: &[u8]) -> [u8; 32];

    /// SHA-384 of `data`.
    fn sha384(&self, data: &[u8]) -> [u8; 48];
}

/// Signature verification, key checks and hashing, as a verifier needs
/// them.
///
/// Two providers must give the same answer for the same input: a token
/// one verifier accepts, another must accept too (spec §1.1, one reading).
/// The library makes sure of everything that is not arithmetic (the
/// encodings it hands over are checked before a provider sees them); a
/// provider answers only the mathematical question.
pub trait CryptoProvider: Digests {
    /// Checks `signature` (COSE form, `r ‖ s`) over `message` under `key` with
    /// `alg`. Returns `false` for any signature that does not verify,
    /// including one of the wrong length or with `r` or `s` outside
    /// `1..n`; never panics.
    fn verify_raw_signature(
        &self,
        alg: Algorithm,
        key: &PublicKey,
        message: &[u8],
        signature: &[u8],
    ) -> bool;

    /// The uncompressed encoding (`04 ‖ x ‖ y`) of the point `sec1`
    /// encodes on `curve` (uncompressed or compressed SEC1), or `None` if
    /// it encodes no point of the curve or the identity. Called through
    /// [`PublicKey::from_sec1`], which checks the encoding's form first and
    /// the answer after.
    fn uncompressed_point(&self, curve: Curve, sec1: &[u8]) -> Option<Vec<u8>>;

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

/// The names of the providers a configuration can name (`crypto`), in
/// order of preference: `aws-lc`, then `rustcrypto`.
pub const PROVIDER_NAMES: [&str; 2] = ["aws-lc", "rustcrypto"];

/// The provider called `name` (one of [`PROVIDER_NAMES`]) if this build has
/// it.
pub fn provider_by_name(name: &str) -> Option<alloc::boxed::Box<dyn CryptoProvider>> {
    match name {
        #[cfg(feature = "aws-lc")]
        "aws-lc" => Some(alloc::boxed::Box::new(AwsLc)),
        #[cfg(feature = "rustcrypto")]
        "rustcrypto" => Some(alloc::boxed::Box::new(RustCrypto)),
        _ => None,
    }
}

/// The name of the provider a verifier uses unless told otherwise: the
/// first of [`PROVIDER_NAMES`] this build has (`aws-lc` wherever it is
/// built), or `None` in a build with no provider (a producer-only
/// firmware), whose verifiers refuse every token (`config.unavailable`)
/// until given one.
pub const fn default_provider_name() -> Option<&'static str> {
    if cfg!(feature = "aws-lc") {
        Some("aws-lc")
    } else if cfg!(feature = "rustcrypto") {
        Some("rustcrypto")
    } else {
        None
    }
}

/// Something that signs a token's to-be-signed bytes: a software key, a TEE,
/// an HSM, Android Keystore. A signer that signs digests rather than
/// messages (most secure elements) is one through [`SignDigest`].
pub trait Signer {
    /// The algorithm the signer's key uses.
    fn algorithm(&self) -> Algorithm;

    /// Signs `message` (hashing it with the algorithm's hash) and returns the
    /// signature in the COSE form, `r ‖ s`.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, CryptoError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A provider that decodes nothing itself: it answers with a fixed
    /// point, to show that `from_sec1` refuses an answer for another point.
    struct Answers(Option<Vec<u8>>);

    impl Digests for Answers {
        fn sha256(&self, _: &[u8]) -> [u8; 32] {
            [0; 32]
        }
        fn sha384(&self, _: &[u8]) -> [u8; 48] {
            [0; 48]
        }
    }

    impl CryptoProvider for Answers {
        fn verify_raw_signature(&self, _: Algorithm, _: &PublicKey, _: &[u8], _: &[u8]) -> bool {
            false
        }
        fn uncompressed_point(&self, _: Curve, _: &[u8]) -> Option<Vec<u8>> {
            self.0.clone()
        }
    }

    fn point(tag: u8, x: u8, y: u8) -> Vec<u8> {
        let mut p = alloc::vec![tag];
        p.extend([x; 32]);
        if tag == 0x04 {
            p.extend([y; 32]);
        }
        p
    }

    #[test]
    fn from_sec1_refuses_other_forms_before_asking_the_provider() {
        let yes = Answers(Some(point(0x04, 1, 2)));
        let bad = |sec1: &[u8]| PublicKey::from_sec1(Curve::P256, sec1, &yes).unwrap_err();
        // The identity, a hybrid point (0x06/0x07), the compact form
        // (0x05), an SPKI, wrong lengths: none reaches the provider.
        for sec1 in [
            alloc::vec![0x00],
            point(0x06, 1, 2),
            point(0x05, 1, 2),
            {
                let mut p = point(0x04, 1, 2);
                p.push(0);
                p
            },
            point(0x04, 1, 2)[..64].to_vec(),
            point(0x02, 1, 0)[..32].to_vec(),
            alloc::vec![0x30, 0x59],
            Vec::new(),
        ] {
            assert_eq!(bad(&sec1).code(), "crypto.invalid-key", "{sec1:02x?}");
        }
        // The wrong curve's length.
        let p384 = Answers(Some(point(0x04, 1, 2)));
        assert!(PublicKey::from_sec1(Curve::P384, &point(0x04, 1, 2), &p384).is_err());
        assert!(PublicKey::from_sec1(Curve::P256, &point(0x04, 1, 2), &yes).is_ok());
    }

    #[test]
    fn from_sec1_refuses_a_provider_answer_for_another_point() {
        let key = point(0x04, 1, 2); // y ends in an even byte
        let ok = Answers(Some(key.clone()));
        assert!(PublicKey::from_sec1(Curve::P256, &key, &ok).is_ok());
        let compressed = point(0x02, 1, 0);
        let from_compressed = PublicKey::from_sec1(Curve::P256, &compressed, &ok).unwrap();
        assert_eq!(from_compressed.uncompressed(), key.as_slice());
        assert_eq!(from_compressed.sec1(), compressed.as_slice());
        // Odd parity named, even y returned; another x; another y; no point.
        for (sec1, answer) in [
            (point(0x03, 1, 0), Some(key.clone())),
            (point(0x02, 9, 0), Some(key.clone())),
            (key.clone(), Some(point(0x04, 1, 4))),
            (key.clone(), Some(point(0x04, 1, 2)[..33].to_vec())),
            (key.clone(), None),
        ] {
            let err = PublicKey::from_sec1(Curve::P256, &sec1, &Answers(answer)).unwrap_err();
            assert_eq!(err.code(), "crypto.invalid-key");
        }
    }
}
