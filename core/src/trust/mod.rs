//! Trust: from a token's x5chain (COSE header 33, RFC 9360) to a key the
//! verifier can rely on.
//!
//! A relying party never knows a device's key in advance. The device sends
//! its attestation key's certificate chain in the token; [`ChainVerifier`]
//! proves that the chain leads to a manufacturer root it trusts
//! ([`TrustAnchors`]) at a time the caller supplies, that nothing on it is
//! revoked ([`Revocation`]), and only then verifies the token's signature
//! under the leaf certificate's key. Every refusal is a specific
//! [`ChainError`] naming the certificate and the reason.
//!
//! Validation follows RFC 5280 §6.1 for what attestation needs (see *Path
//! validation* below); it fails closed: anything it does not understand is
//! refused. Keys are P-384 or P-256; a P-384 issuer must
//! sign with ecdsa-with-SHA384 and a P-256 issuer with ecdsa-with-SHA256.
//!
//! # Path validation
//! The chain is taken in x5chain order (leaf first, each certificate issued
//! by the next); it is never reordered. The root may be included or
//! omitted. The first certificate after the leaf that is a trust anchor ends
//! the path; otherwise the last one must be issued by an anchor. Every
//! certificate must be strict DER (`cert`). Every certificate of the path,
//! the anchor included, must follow the certificate profile: the named
//! checks of [`profile`] (version 3, serial number, names, time encoding,
//! key identifiers, basicConstraints, keyUsage, no name or policy
//! constraints, extKeyUsage, no unknown critical extension, validity). Per
//! link: name chaining by the rules of RFC 5280 §7.1 (and authority/subject
//! key identifiers), the issuer is a CA within its pathLenConstraint whose
//! keyUsage allows keyCertSign, the signature verifies; the leaf must allow
//! digitalSignature when keyUsage is present; no certificate may repeat.
//!
//! # Caching
//! With `std`, a verifier may hold caches ([`ChainVerifier::with_cache`]):
//! a chain seen before (same bytes, same trust configuration) costs one
//! SHA-384 and the token signature verify, while the cached result's time
//! window holds; a new chain whose intermediates were seen before costs
//! its leaf's signature and the token's, the intermediates' signatures
//! (and the CRLs') being answered from a cache of verified links, while
//! every other check of the path runs (see [`ChainCache`] and spec §10.6).

mod anchors;
#[cfg(feature = "std")]
mod cache;
pub(crate) mod cert;
mod error;
mod links;
mod name;
pub(crate) mod path;
pub mod profile;
mod revocation;

use alloc::string::String;
use alloc::vec::Vec;

pub use anchors::TrustAnchors;
#[cfg(feature = "std")]
pub use cache::{CacheStats, ChainCache};
pub use error::ChainError;
pub use profile::{Check, Position, Profile};
pub use revocation::{Revocation, Status, StatusEntry, StatusList, StatusListAge};

use crate::claims::ClaimsSet;
use crate::crypto::{CryptoProvider, Digests, PublicKey};
use crate::error::Error;
use crate::time::UnixTime;
use crate::token::{HeaderPlacement, Token};

/// Limits and policy of chain validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainOptions {
    /// Most certificates accepted in an x5chain (`chain.too-long` beyond).
    pub max_chain_len: usize,
    /// Largest DER certificate accepted in a chain, in bytes
    /// (`chain.cert-too-large` beyond), checked before any certificate is
    /// parsed.
    pub max_cert_size: usize,
    /// Seconds a CRL is still accepted after its `nextUpdate`. Zero (the
    /// default) refuses a CRL the moment it is stale.
    pub crl_grace_secs: u32,
    /// Refuse a token whose x5chain is in the unprotected header
    /// (`chain.unprotected`). Off by default: the chain is authenticated by
    /// the path to an anchor and the token signature by the leaf key either
    /// way; a profile that must bind the chain into the signed bytes (so it
    /// cannot be swapped for another chain to the same key) turns it on.
    pub require_protected_x5chain: bool,
}

impl ChainOptions {
    /// The defaults: at most 6 certificates of at most 8 KiB each, no CRL
    /// grace, x5chain accepted in either header.
    pub const DEFAULT: ChainOptions = ChainOptions {
        max_chain_len: 6,
        max_cert_size: 8 * 1024,
        crl_grace_secs: 0,
        require_protected_x5chain: false,
    };

    /// Whether the chain length and certificate size limits are at most the
    /// specification's, as a conforming verifier's must be (spec §8.1).
    /// CRL grace and `require_protected_x5chain` are the verifier's choice
    /// and do not count.
    ///
    /// ```
    /// use mtattest::trust::ChainOptions;
    ///
    /// assert!(ChainOptions::DEFAULT.is_within_profile());
    /// let longer = ChainOptions { max_chain_len: 8, ..ChainOptions::DEFAULT };
    /// assert!(!longer.is_within_profile());
    /// ```
    pub const fn is_within_profile(&self) -> bool {
        self.max_chain_len <= ChainOptions::DEFAULT.max_chain_len
            && self.max_cert_size <= ChainOptions::DEFAULT.max_cert_size
    }
}

impl Default for ChainOptions {
    fn default() -> Self {
        ChainOptions::DEFAULT
    }
}

/// A chain that passed validation: the leaf key, the anchor it leads to,
/// and the window in which that result holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidatedChain {
    leaf_key: PublicKey,
    leaf_serial: String,
    anchor_index: usize,
    path_len: usize,
    valid_from: i64,
    valid_until: i64,
}

impl ValidatedChain {
    /// The leaf certificate's key: the token's verification key.
    pub fn leaf_key(&self) -> &PublicKey {
        &self.leaf_key
    }

    /// The leaf certificate's serial number, lowercase hex without leading
    /// zeros.
    pub fn leaf_serial(&self) -> &str {
        &self.leaf_serial
    }

    /// Which trust anchor the path ends at (its position in [`TrustAnchors`]).
    pub fn anchor_index(&self) -> usize {
        self.anchor_index
    }

    /// Certificates in the validated path, the anchor included.
    pub fn path_len(&self) -> usize {
        self.path_len
    }

    /// The latest `notBefore` (or CRL `thisUpdate`) on the path.
    pub fn valid_from(&self) -> UnixTime {
        UnixTime(self.valid_from)
    }

    /// The earliest `notAfter` (or CRL `nextUpdate` plus grace) on the path.
    pub fn valid_until(&self) -> UnixTime {
        UnixTime(self.valid_until)
    }

    /// Whether the result still holds at `now`.
    pub fn holds_at(&self, now: UnixTime) -> bool {
        self.valid_from <= now.secs() && now.secs() <= self.valid_until
    }
}

/// Validates x5chains against trust anchors and revocation data, and
/// verifies tokens under the validated leaf key.
///
/// ```
/// # fn main() -> Result<(), mtattest::Error> {
/// use mtattest::crypto::RustCrypto;
/// use mtattest::token::{DecodeOptions, HeaderPlacement, Token};
/// use mtattest::trust::{ChainVerifier, TrustAnchors};
/// use mtattest::UnixTime;
/// // Test tooling: a deterministic PKI and a healthy phone's claims.
/// use mtattest_testkit::{example_phone, pki::TestPki};
///
/// let pki = TestPki::standard()?;
/// let now = UnixTime::from_secs(1_790_000_000);
/// let claims = example_phone(now.secs(), b"challenge".to_vec());
/// let bytes = pki.token(&claims, HeaderPlacement::Protected)?;
///
/// // The verifier trusts the root only.
/// let mut anchors = TrustAnchors::new();
/// anchors.add_der(&pki.root.der)?;
/// let verifier = ChainVerifier::new(anchors).with_cache(1024);
///
/// let token = Token::decode(&bytes, &DecodeOptions::default())?;
/// let (chain, verified) = verifier.verify_chain_and_signature(&token, now, &RustCrypto)?;
/// assert_eq!(verified, claims);
/// assert_eq!(chain.path_len(), 3);
///
/// // Ten years later the device certificate has expired.
/// let later = UnixTime::from_secs(now.secs() + 20 * 365 * 86_400);
/// let err = verifier.verify_chain_and_signature(&token, later, &RustCrypto).unwrap_err();
/// assert_eq!(err.code(), "chain.expired");
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct ChainVerifier {
    anchors: TrustAnchors,
    revocation: Revocation,
    options: ChainOptions,
    /// [`ChainVerifier::fingerprint`], computed with the first provider
    /// that needs it (the cache keys), and forgotten when the
    /// configuration changes.
    #[cfg(feature = "std")]
    fingerprint: std::sync::OnceLock<[u8; 48]>,
    #[cfg(feature = "std")]
    cache: Option<ChainCache>,
    #[cfg(feature = "std")]
    links: Option<cache::LinkCache>,
}

impl ChainVerifier {
    /// A verifier trusting `anchors`, with no revocation data, default
    /// options and no cache.
    pub fn new(anchors: TrustAnchors) -> ChainVerifier {
        ChainVerifier {
            anchors,
            revocation: Revocation::new(),
            options: ChainOptions::DEFAULT,
            #[cfg(feature = "std")]
            fingerprint: std::sync::OnceLock::new(),
            #[cfg(feature = "std")]
            cache: None,
            #[cfg(feature = "std")]
            links: None,
        }
    }

    /// Checks paths against `revocation` too.
    pub fn with_revocation(mut self, revocation: Revocation) -> ChainVerifier {
        self.revocation = revocation;
        self.configuration_changed();
        self
    }

    /// Uses `options` instead of the defaults.
    pub fn with_options(mut self, options: ChainOptions) -> ChainVerifier {
        self.options = options;
        self.configuration_changed();
        self
    }

    fn configuration_changed(&mut self) {
        #[cfg(feature = "std")]
        {
            self.fingerprint = std::sync::OnceLock::new();
        }
    }

    /// Caches up to `capacity` validated chains and up to `capacity`
    /// verified links: signatures of intermediates and CRLs (see
    /// [`ChainCache`]).
    #[cfg(feature = "std")]
    pub fn with_cache(mut self, capacity: usize) -> ChainVerifier {
        self.cache = Some(ChainCache::new(capacity));
        self.links = Some(cache::LinkCache::new(capacity));
        self
    }

    /// Drops the caches: every chain and link is validated anew.
    #[cfg(feature = "std")]
    pub fn without_cache(mut self) -> ChainVerifier {
        self.cache = None;
        self.links = None;
        self
    }

    /// The chain cache's counters, if the verifier has caches.
    #[cfg(feature = "std")]
    pub fn cache_stats(&self) -> Option<CacheStats> {
        self.cache.as_ref().map(ChainCache::stats)
    }

    /// The link cache's counters, if the verifier has caches: a hit is a
    /// signature of an intermediate or a CRL not verified again.
    #[cfg(feature = "std")]
    pub fn link_cache_stats(&self) -> Option<CacheStats> {
        self.links.as_ref().map(cache::LinkCache::stats)
    }

    /// The trust anchors.
    pub fn anchors(&self) -> &TrustAnchors {
        &self.anchors
    }

    /// A SHA-384 fingerprint (by `digests`) of everything validation
    /// depends on besides the chain and the time: anchors with their
    /// profiles, revocation data and options. Two verifiers with equal
    /// fingerprints give equal results.
    pub fn fingerprint<D: Digests + ?Sized>(&self, digests: &D) -> [u8; 48] {
        #[cfg(feature = "std")]
        {
            *self
                .fingerprint
                .get_or_init(|| digests.sha384(&self.configuration()))
        }
        #[cfg(not(feature = "std"))]
        {
            digests.sha384(&self.configuration())
        }
    }

    /// The canonical bytes [`fingerprint`](Self::fingerprint) hashes.
    fn configuration(&self) -> Vec<u8> {
        let mut data = Vec::new();
        data.extend_from_slice(b"mtattest trust configuration v1\0");
        data.extend_from_slice(&(self.anchors.len() as u64).to_be_bytes());
        for (der, profile) in self.anchors.iter_der().zip(self.anchors.iter_profiles()) {
            data.extend_from_slice(&(der.len() as u64).to_be_bytes());
            data.extend_from_slice(der);
            profile.fingerprint_into(&mut data);
        }
        self.revocation.fingerprint_into(&mut data);
        let o = self.options;
        data.extend_from_slice(&(o.max_chain_len as u64).to_be_bytes());
        data.extend_from_slice(&(o.max_cert_size as u64).to_be_bytes());
        data.extend_from_slice(&o.crl_grace_secs.to_be_bytes());
        data.push(u8::from(o.require_protected_x5chain));
        data
    }

    /// Validates a chain (DER certificates, leaf first) at `now`, using and
    /// filling the cache if there is one.
    pub fn validate_chain<C: AsRef<[u8]>>(
        &self,
        chain: &[C],
        now: UnixTime,
        crypto: &dyn CryptoProvider,
    ) -> Result<ValidatedChain, Error> {
        #[cfg(feature = "std")]
        if let Some(cache) = &self.cache {
            let key = self.cache_key(chain, crypto);
            if let Some(hit) = cache.get(&key, now) {
                return Ok(hit);
            }
            let validated = self.validate_uncached(chain, now, crypto)?;
            cache.insert(key, validated.clone(), now);
            return Ok(validated);
        }
        self.validate_uncached(chain, now, crypto)
    }

    /// Validates a chain whose leaf key may be of any kind the certificate
    /// profile parses (an Android attestation of an RSA key), without the
    /// cache.
    pub(crate) fn validate_path<C: AsRef<[u8]>>(
        &self,
        chain: &[C],
        now: UnixTime,
        crypto: &dyn CryptoProvider,
    ) -> Result<path::ValidatedPath, Error> {
        Ok(path::validate_path(
            chain,
            &self.anchors,
            &self.revocation,
            &self.options,
            now,
            &self.links(now, crypto),
        )?)
    }

    /// The chain options.
    pub fn options(&self) -> &ChainOptions {
        &self.options
    }

    fn validate_uncached<C: AsRef<[u8]>>(
        &self,
        chain: &[C],
        now: UnixTime,
        crypto: &dyn CryptoProvider,
    ) -> Result<ValidatedChain, Error> {
        Ok(path::validate(
            chain,
            &self.anchors,
            &self.revocation,
            &self.options,
            now,
            &self.links(now, crypto),
        )?)
    }

    /// The signature checks of one validation: through the link cache when
    /// the verifier keeps one.
    fn links<'a>(&'a self, now: UnixTime, crypto: &'a dyn CryptoProvider) -> links::Links<'a> {
        #[cfg(feature = "std")]
        if let Some(cache) = &self.links {
            return links::Links::cached(crypto, now, cache, self.fingerprint(crypto));
        }
        links::Links::uncached(crypto, now)
    }

    #[cfg(feature = "std")]
    fn cache_key<C: AsRef<[u8]>>(&self, chain: &[C], crypto: &dyn CryptoProvider) -> [u8; 48] {
        let total: usize = chain.iter().map(|c| c.as_ref().len() + 8).sum();
        let fingerprint = self.fingerprint(crypto);
        let mut data = Vec::with_capacity(fingerprint.len() + 8 + total);
        data.extend_from_slice(&fingerprint);
        data.extend_from_slice(&(chain.len() as u64).to_be_bytes());
        for der in chain {
            let der = der.as_ref();
            data.extend_from_slice(&(der.len() as u64).to_be_bytes());
            data.extend_from_slice(der);
        }
        crypto.sha384(&data)
    }

    /// Validates the token's x5chain at `now`, then verifies the token's
    /// signature under the leaf key and decodes its claims.
    ///
    /// Fails with `chain.missing` if the token has no x5chain,
    /// `chain.unprotected` if the options require it protected and it is
    /// not, any other `chain.*` code for the path, and the token layer's
    /// codes (e.g. `token.bad-signature`, `token.key-algorithm-mismatch`)
    /// for the signature.
    pub fn verify_chain_and_signature(
        &self,
        token: &Token,
        now: UnixTime,
        crypto: &dyn CryptoProvider,
    ) -> Result<(ValidatedChain, ClaimsSet), Error> {
        let (placement, chain) = token.x5chain().ok_or(ChainError::Missing)?;
        if self.options.require_protected_x5chain && placement != HeaderPlacement::Protected {
            return Err(ChainError::Unprotected.into());
        }
        let validated = self.validate_chain(chain, now, crypto)?;
        let claims = token.verified_claims(validated.leaf_key(), crypto)?;
        Ok((validated, claims))
    }
}
