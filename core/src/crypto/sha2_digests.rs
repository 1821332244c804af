//! SHA-256 and SHA-384 in pure Rust (feature `sha2`, part of `rustcrypto`),
//! without any curve arithmetic.

use sha2::Digest as _;

use super::Digests;

/// The RustCrypto `sha2` digests: for a build without a crypto provider
/// whose signer signs digests ([`SignDigest`](super::SignDigest)), and for
/// the [`RustCrypto`](super::RustCrypto) provider.
///
/// ```
/// use mtattest::crypto::{Digests, Sha2};
///
/// // FIPS 180-2 appendix D.1, "abc".
/// assert_eq!(
///     Sha2.sha384(b"abc")[..8],
///     [0xcb, 0x00, 0x75, 0x3f, 0x45, 0xa3, 0x5e, 0x8b]
/// );
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Sha2;

impl Digests for Sha2 {
    fn sha256(&self, data: &[u8]) -> [u8; 32] {
        sha2::Sha256::digest(data).into()
    }

    fn sha384(&self, data: &[u8]) -> [u8; 48] {
        sha2::Sha384::digest(data).into()
    }
}
