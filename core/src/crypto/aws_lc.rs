//! The `aws-lc-rs` crypto provider (feature `aws-lc`): about five times
//! faster P-384 verification than the pure-Rust one, for servers. Needs
//! `std` and a C compiler; not for `no_std` or WASM builds.

use alloc::vec::Vec;

use aws_lc_rs::digest;
use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::signature::{self, ParsedPublicKey, UnparsedPublicKey};
use der::Decode as _;

use super::{Algorithm, CryptoProvider, Curve, Digests, HashAlgorithm, PublicKey, RsaPublicKey};

/// The provider backed by AWS-LC through `aws-lc-rs`; the default provider
/// of every build that has it.
///
/// ```
/// use mtattest::crypto::{Algorithm, AwsLc, CryptoProvider, Digests, RustCrypto, Signer, SoftwareSigner};
///
/// let signer = SoftwareSigner::from_secret_bytes(Algorithm::Es384, &[7u8; 48]).unwrap();
/// let signature = signer.sign(b"message").unwrap();
/// let key = signer.public_key();
/// assert!(AwsLc.verify_raw_signature(Algorithm::Es384, &key, b"message", &signature));
/// assert!(!AwsLc.verify_raw_signature(Algorithm::Es384, &key, b"massage", &signature));
/// assert_eq!(AwsLc.sha384(b"abc"), RustCrypto.sha384(b"abc"));
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct AwsLc;

impl Digests for AwsLc {
    fn sha256(&self, data: &[u8]) -> [u8; 32] {
        fixed(digest::digest(&digest::SHA256, data).as_ref())
    }

    fn sha384(&self, data: &[u8]) -> [u8; 48] {
        fixed(digest::digest(&digest::SHA384, data).as_ref())
    }
}

/// The digest's bytes in an array of its size (the digest functions above
/// always produce exactly `N`).
fn fixed<const N: usize>(bytes: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    for (o, b) in out.iter_mut().zip(bytes) {
        *o = *b;
    }
    out
}

fn verification(curve: Curve) -> &'static signature::EcdsaVerificationAlgorithm {
    match curve {
        Curve::P384 => &signature::ECDSA_P384_SHA384_FIXED,
        Curve::P256 => &signature::ECDSA_P256_SHA256_FIXED,
    }
}

impl CryptoProvider for AwsLc {
    fn verify_raw_signature(
        &self,
        alg: Algorithm,
        key: &PublicKey,
        message: &[u8],
        sig: &[u8],
    ) -> bool {
        if key.curve() != alg.curve() || sig.len() != alg.signature_len() {
            return false;
        }
        UnparsedPublicKey::new(verification(alg.curve()), key.uncompressed())
            .verify(message, sig)
            .is_ok()
    }

    fn uncompressed_point(&self, curve: Curve, sec1: &[u8]) -> Option<Vec<u8>> {
        // aws-lc-rs also takes a SubjectPublicKeyInfo here: only SEC1 points
        // are keys of this interface.
        if !matches!(sec1.first(), Some(0x02..=0x04)) {
            return None;
        }
        // aws-lc-rs parses a point (and checks it is on the curve) but
        // hands it back only inside a SubjectPublicKeyInfo, which it writes
        // with the point uncompressed.
        let parsed = ParsedPublicKey::new(verification(curve), sec1).ok()?;
        let spki_der = parsed.as_der().ok()?;
        let spki = spki::SubjectPublicKeyInfoRef::from_der(spki_der.as_ref()).ok()?;
        spki.subject_public_key.as_bytes().map(<[u8]>::to_vec)
    }

    fn verify_rsa_pkcs1_sha256(
        &self,
        key: &RsaPublicKey,
        message: &[u8],
        signature: &[u8],
    ) -> bool {
        if signature.len() != key.modulus().len() {
            return false;
        }
        signature::RsaPublicKeyComponents {
            n: key.modulus(),
            e: key.exponent(),
        }
        .verify(&signature::RSA_PKCS1_2048_8192_SHA256, message, signature)
        .is_ok()
    }

    fn verify_ecdsa_der(
        &self,
        key: &PublicKey,
        hash: HashAlgorithm,
        message: &[u8],
        der_signature: &[u8],
    ) -> bool {
        let algorithm = match (key.curve(), hash) {
            (Curve::P384, HashAlgorithm::Sha384) => &signature::ECDSA_P384_SHA384_ASN1,
            (Curve::P384, HashAlgorithm::Sha256) => &signature::ECDSA_P384_SHA256_ASN1,
            (Curve::P256, HashAlgorithm::Sha256) => &signature::ECDSA_P256_SHA256_ASN1,
            (Curve::P256, HashAlgorithm::Sha384) => &signature::ECDSA_P256_SHA384_ASN1,
        };
        UnparsedPublicKey::new(algorithm, key.uncompressed())
            .verify(message, der_signature)
            .is_ok()
    }
}
