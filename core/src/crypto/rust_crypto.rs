//! The pure-Rust provider and software signer (feature `rustcrypto`):
//! RustCrypto `p384`, `p256` and `sha2`, `no_std`, WASM-ready. The only
//! module of the library that does curve arithmetic.

use alloc::vec::Vec;

use p256::elliptic_curve::sec1::ToEncodedPoint as _;

use super::{
    Algorithm, CryptoProvider, Curve, Digests, HashAlgorithm, PublicKey, RsaPublicKey, Sha2, Signer,
};
use crate::error::CryptoError;

/// The pure-Rust provider (RustCrypto `p384`, `p256`, `sha2`): `no_std`,
/// WASM-ready.
#[derive(Debug, Clone, Copy, Default)]
pub struct RustCrypto;

impl Digests for RustCrypto {
    fn sha256(&self, data: &[u8]) -> [u8; 32] {
        Sha2.sha256(data)
    }

    fn sha384(&self, data: &[u8]) -> [u8; 48] {
        Sha2.sha384(data)
    }
}

impl CryptoProvider for RustCrypto {
    fn verify_raw_signature(
        &self,
        alg: Algorithm,
        key: &PublicKey,
        message: &[u8],
        signature: &[u8],
    ) -> bool {
        use p256::ecdsa::signature::Verifier as _;
        if key.curve() != alg.curve() {
            return false;
        }
        match alg {
            Algorithm::Es384 => {
                let (Ok(vk), Ok(sig)) = (
                    p384::ecdsa::VerifyingKey::from_sec1_bytes(key.uncompressed()),
                    p384::ecdsa::Signature::from_slice(signature),
                ) else {
                    return false;
                };
                vk.verify(message, &sig).is_ok()
            }
            Algorithm::Es256 => {
                let (Ok(vk), Ok(sig)) = (
                    p256::ecdsa::VerifyingKey::from_sec1_bytes(key.uncompressed()),
                    p256::ecdsa::Signature::from_slice(signature),
                ) else {
                    return false;
                };
                vk.verify(message, &sig).is_ok()
            }
        }
    }

    fn uncompressed_point(&self, curve: Curve, sec1: &[u8]) -> Option<Vec<u8>> {
        match curve {
            Curve::P384 => p384::PublicKey::from_sec1_bytes(sec1)
                .ok()
                .map(|k| k.to_encoded_point(false).as_bytes().to_vec()),
            Curve::P256 => p256::PublicKey::from_sec1_bytes(sec1)
                .ok()
                .map(|k| k.to_encoded_point(false).as_bytes().to_vec()),
        }
    }

    fn verify_rsa_pkcs1_sha256(
        &self,
        key: &RsaPublicKey,
        message: &[u8],
        signature: &[u8],
    ) -> bool {
        use rsa::signature::Verifier as _;
        if signature.len() != key.modulus().len() {
            return false;
        }
        let Ok(public) = rsa::RsaPublicKey::new(
            rsa::BigUint::from_bytes_be(key.modulus()),
            rsa::BigUint::from_bytes_be(key.exponent()),
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
        let digest: Vec<u8> = match hash {
            HashAlgorithm::Sha256 => Sha2.sha256(message).to_vec(),
            HashAlgorithm::Sha384 => Sha2.sha384(message).to_vec(),
        };
        match key.curve() {
            Curve::P384 => {
                let (Ok(vk), Ok(sig)) = (
                    p384::ecdsa::VerifyingKey::from_sec1_bytes(key.uncompressed()),
                    p384::ecdsa::Signature::from_der(der_signature),
                ) else {
                    return false;
                };
                vk.verify_prehash(&digest, &sig).is_ok()
            }
            Curve::P256 => {
                let (Ok(vk), Ok(sig)) = (
                    p256::ecdsa::VerifyingKey::from_sec1_bytes(key.uncompressed()),
                    p256::ecdsa::Signature::from_der(der_signature),
                ) else {
                    return false;
                };
                vk.verify_prehash(&digest, &sig).is_ok()
            }
        }
    }
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
            SoftwareKey::P384(k) => PublicKey::from_known_point(
                Curve::P384,
                k.verifying_key()
                    .to_encoded_point(false)
                    .as_bytes()
                    .to_vec(),
            ),
            SoftwareKey::P256(k) => PublicKey::from_known_point(
                Curve::P256,
                k.verifying_key()
                    .to_encoded_point(false)
                    .as_bytes()
                    .to_vec(),
            ),
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
