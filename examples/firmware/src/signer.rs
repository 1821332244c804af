//! The device's signer.
//!
//! (b), the default: a [`DigestSigner`] backed by the secure element's
//! `extern "C"` entry point, fed SHA-384 digests by the library's pure-Rust
//! `Sha2`. A real device links the element's driver; this firmware links
//! the stub of `se_stub.rs`.
//!
//! (a), feature `software-signer`: the library's software P-384 signer,
//! holding the device key in RAM.

use mtattest::crypto::Signer;

#[cfg(not(feature = "software-signer"))]
pub use element::device_signer;
#[cfg(feature = "software-signer")]
pub use software::device_signer;

#[cfg(not(feature = "software-signer"))]
mod element {
    use super::*;
    use alloc::vec::Vec;
    use mtattest::crypto::{Algorithm, DigestSigner, Sha2, SignDigest};
    use mtattest::error::CryptoError;

    extern "C" {
        /// The secure element's signing call (docs/firmware.md): signs the
        /// `digest_len`-byte `digest` with the attestation key (P-384) and
        /// writes `r ‖ s` (96 bytes) to `signature`, which has room for
        /// `signature_capacity` bytes. Returns the signature's length, or a
        /// negative number if it could not sign.
        fn mtattest_se_sign_digest(
            digest: *const u8,
            digest_len: usize,
            signature: *mut u8,
            signature_capacity: usize,
        ) -> i32;
    }

    /// The secure element, seen through its C entry point.
    pub struct SecureElement;

    impl DigestSigner for SecureElement {
        fn algorithm(&self) -> Algorithm {
            Algorithm::Es384
        }

        fn sign_digest(&self, digest: &[u8]) -> Result<Vec<u8>, CryptoError> {
            let mut signature = alloc::vec![0u8; Algorithm::Es384.signature_len()];
            // SAFETY: both pointers come from live slices with their
            // lengths; the element writes at most `signature.len()` bytes.
            let written = unsafe {
                mtattest_se_sign_digest(
                    digest.as_ptr(),
                    digest.len(),
                    signature.as_mut_ptr(),
                    signature.len(),
                )
            };
            match usize::try_from(written) {
                Ok(len) if len <= signature.len() => {
                    // A short signature is the library's to refuse
                    // (crypto.signature-length).
                    signature.truncate(len);
                    Ok(signature)
                }
                _ => Err(CryptoError::SigningFailed {
                    reason: alloc::string::String::from("secure element refused"),
                }),
            }
        }
    }

    /// The element with the library's SHA-384 in front of it.
    pub fn device_signer() -> Result<impl Signer, mtattest::Error> {
        Ok(SignDigest::new(SecureElement, Sha2))
    }
}

#[cfg(feature = "software-signer")]
mod software {
    use super::*;
    use mtattest::crypto::{Algorithm, SoftwareSigner};

    /// The device's private scalar (pki/generate).
    static DEVICE_KEY: &[u8; 48] = include_bytes!("../pki/device.key.bin");

    /// The software signer with the device key.
    pub fn device_signer() -> Result<impl Signer, mtattest::Error> {
        Ok(SoftwareSigner::from_secret_bytes(
            Algorithm::Es384,
            DEVICE_KEY,
        )?)
    }
}
