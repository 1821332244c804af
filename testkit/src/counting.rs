//! A crypto provider that counts the signature verifications it makes:
//! tests of the chain and link caches assert how many a verification cost.

use std::sync::atomic::{AtomicUsize, Ordering};

use mtattest::crypto::{Algorithm, CryptoProvider, Curve, Digests, PublicKey, RustCrypto};

/// RustCrypto, counting its signature verifications.
#[derive(Debug, Default)]
pub struct CountingProvider {
    verifies: AtomicUsize,
}

impl CountingProvider {
    /// The verifications made so far.
    pub fn count(&self) -> usize {
        self.verifies.load(Ordering::SeqCst)
    }

    /// The verifications made so far, and the count reset to zero.
    pub fn take(&self) -> usize {
        self.verifies.swap(0, Ordering::SeqCst)
    }
}

impl Digests for CountingProvider {
    fn sha256(&self, data: &[u8]) -> [u8; 32] {
        RustCrypto.sha256(data)
    }
    fn sha384(&self, data: &[u8]) -> [u8; 48] {
        RustCrypto.sha384(data)
    }
}

impl CryptoProvider for CountingProvider {
    fn verify_raw_signature(
        &self,
        alg: Algorithm,
        key: &PublicKey,
        message: &[u8],
        signature: &[u8],
    ) -> bool {
        self.verifies.fetch_add(1, Ordering::SeqCst);
        RustCrypto.verify_raw_signature(alg, key, message, signature)
    }
    fn uncompressed_point(&self, curve: Curve, sec1: &[u8]) -> Option<Vec<u8>> {
        RustCrypto.uncompressed_point(curve, sec1)
    }
}
