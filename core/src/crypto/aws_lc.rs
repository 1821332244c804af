//! The `aws-lc-rs` crypto provider (feature `aws-lc`): about three times
//! faster P-384 verification than the pure-Rust default, for servers. Needs
//! `std` and a C compiler; not for `no_std` or WASM builds.

use aws_lc_rs::digest;
use aws_lc_rs::signature::{self, UnparsedPublicKey};

use super::{Algorithm, CryptoProvider, Curve, HashAlgorithm, PublicKey, RsaPublicKey};

/// The provider backed by AWS-LC through `aws-lc-rs`.
///
/// ```
/// use mtattest::crypto::{Algorithm, AwsLc, CryptoProvider, RustCrypto, Signer, SoftwareSigner};
///
/// let signer = SoftwareSigner::from_secret_bytes(Algorithm::Es384, &[7u8; 48]).unwrap();
/// let signature = signer.sign(b"message").unwrap();
/// let key = signer.public_key();
/// assert!(AwsLc.verify(Algorithm::Es384, &key, b"message", &signature));
/// assert!(!AwsLc.verify(Algorithm::Es384, &key, b"massage", &signature));
/// assert_eq!(AwsLc.sha384(b"abc"), RustCrypto.sha384(b"abc"));
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct AwsLc;

impl CryptoProvider for AwsLc {
    fn verify(&self, alg: Algorithm, key: &PublicKey, message: &[u8], sig: &[u8]) -> bool {
        if key.curve() != alg.curve() || sig.len() != alg.signature_len() {
            return false;
        }
        let algorithm = match alg {
            Algorithm::Es384 => &signature::ECDSA_P384_SHA384_FIXED,
            Algorithm::Es256 => &signature::ECDSA_P256_SHA256_FIXED,
        };
        UnparsedPublicKey::new(algorithm, key.sec1())
            .verify(message, sig)
            .is_ok()
    }

    fn sha384(&self, data: &[u8]) -> [u8; 48] {
        let mut out = [0u8; 48];
        let d = digest::digest(&digest::SHA384, data);
        for (o, b) in out.iter_mut().zip(d.as_ref()) {
            *o = *b;
        }
        out
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
        UnparsedPublicKey::new(algorithm, key.sec1())
            .verify(message, der_signature)
            .is_ok()
    }
}
