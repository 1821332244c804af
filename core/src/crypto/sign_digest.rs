//! Signers that sign a digest rather than a message: most secure elements
//! and HSMs take the hash, not the bytes.

use alloc::vec::Vec;

use super::{Algorithm, Digests, Signer};
use crate::error::CryptoError;

/// Something that signs the digest of a message (a secure element, an HSM
/// behind an `extern "C"` function): the producer computes the digest.
pub trait DigestSigner {
    /// The algorithm the signer's key uses.
    fn algorithm(&self) -> Algorithm;

    /// Signs `digest` (SHA-384 of the message for ES384, SHA-256 for ES256)
    /// and returns the signature in the COSE form, `r ‖ s`.
    fn sign_digest(&self, digest: &[u8]) -> Result<Vec<u8>, CryptoError>;
}

/// A [`Signer`] made of a [`DigestSigner`] and the digests to hash with
/// (e.g. [`Sha2`](super::Sha2), or the device's hash engine): all a producer
/// needs, in a build without any crypto provider.
///
/// ```
/// # #[cfg(feature = "rustcrypto")] {
/// use mtattest::crypto::{
///     Algorithm, CryptoProvider, DigestSigner, RustCrypto, Sha2, SignDigest, Signer,
///     SoftwareSigner,
/// };
/// use mtattest::error::CryptoError;
///
/// /// Stands in for a secure element that signs SHA-384 digests.
/// struct SecureElement(p384::ecdsa::SigningKey);
///
/// impl DigestSigner for SecureElement {
///     fn algorithm(&self) -> Algorithm {
///         Algorithm::Es384
///     }
///     fn sign_digest(&self, digest: &[u8]) -> Result<Vec<u8>, CryptoError> {
///         use p384::ecdsa::signature::hazmat::PrehashSigner as _;
///         let sig: p384::ecdsa::Signature = self.0.sign_prehash(digest).map_err(|e| {
///             CryptoError::SigningFailed { reason: e.to_string() }
///         })?;
///         Ok(sig.to_bytes().to_vec())
///     }
/// }
///
/// let secret = [7u8; 48];
/// let element = SecureElement(p384::ecdsa::SigningKey::from_slice(&secret).unwrap());
/// let signer = SignDigest::new(element, Sha2);
/// let signature = signer.sign(b"to be signed").unwrap();
/// let key = SoftwareSigner::from_secret_bytes(Algorithm::Es384, &secret).unwrap().public_key();
/// assert!(RustCrypto.verify_raw_signature(Algorithm::Es384, &key, b"to be signed", &signature));
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct SignDigest<S, D> {
    signer: S,
    digests: D,
}

impl<S: DigestSigner, D: Digests> SignDigest<S, D> {
    /// `signer`, fed with digests made by `digests`.
    pub fn new(signer: S, digests: D) -> SignDigest<S, D> {
        SignDigest { signer, digests }
    }
}

impl<S: DigestSigner, D: Digests> Signer for SignDigest<S, D> {
    fn algorithm(&self) -> Algorithm {
        self.signer.algorithm()
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let digest = self.signer.algorithm().digest(&self.digests, message);
        self.signer.sign_digest(&digest)
    }
}
