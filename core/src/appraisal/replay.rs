//! Replay protection: a verified token's identifiers are remembered until
//! the token could no longer be accepted anyway, and a token seen twice is
//! refused.
//!
//! [`ReplayCache`] is the interface: one fallible, atomic check-and-insert,
//! so a shared store (several servers) fits behind it and a store that
//! cannot answer rejects the token (`replay.store-unavailable`) instead of
//! letting it through. [`MemoryReplayCache`] (with `std`) is the bounded
//! in-process default, sized by the peak token rate it must sustain
//! ([`replay_capacity`]).

use alloc::vec::Vec;

use super::error::ReplayError;
use super::freshness::Freshness;
use crate::crypto::{Digests, PublicKey};
use crate::time::UnixTime;

#[cfg(feature = "std")]
mod memory;
#[cfg(feature = "std")]
pub use memory::MemoryReplayCache;

/// One identifier of a token in a replay cache: SHA-384 over a domain
/// label, the verification key and the value, so identifiers of different
/// kinds or of different signers never collide, and a device cannot block
/// another device's token by reusing its `cti`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReplayId([u8; 48]);

/// What a [`ReplayId`] was derived from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReplayIdKind {
    /// The token's `cti`.
    Cti,
    /// The token's `eat_nonce`.
    Nonce,
    /// The token's signed payload (used only when it has neither `cti` nor
    /// nonce; the signature itself is malleable and is never used).
    Payload,
}

impl ReplayId {
    /// The identifier of `value` (of `kind`) for a token signed by `signer`,
    /// hashed by `digests` (the verifier's crypto provider).
    ///
    /// The key enters in its uncompressed SEC1 form whatever form the
    /// certificate or the configuration gave it in
    /// ([`PublicKey::uncompressed`]), so one key always yields one
    /// identifier (spec §11.2).
    pub fn new<D: Digests + ?Sized>(
        kind: ReplayIdKind,
        signer: &PublicKey,
        value: &[u8],
        digests: &D,
    ) -> ReplayId {
        ReplayId::derive(kind, signer.uncompressed(), value, digests)
    }

    fn derive<D: Digests + ?Sized>(
        kind: ReplayIdKind,
        signer_sec1: &[u8],
        value: &[u8],
        digests: &D,
    ) -> ReplayId {
        let label: &[u8] = match kind {
            ReplayIdKind::Cti => b"cti",
            ReplayIdKind::Nonce => b"nonce",
            ReplayIdKind::Payload => b"payload",
        };
        const DOMAIN: &[u8] = b"mtattest replay id v1\0";
        let parts = [label, signer_sec1, value];
        let mut data =
            Vec::with_capacity(DOMAIN.len() + parts.iter().map(|p| p.len() + 8).sum::<usize>());
        data.extend_from_slice(DOMAIN);
        for part in parts {
            data.extend_from_slice(&(part.len() as u64).to_be_bytes());
            data.extend_from_slice(part);
        }
        ReplayId(digests.sha384(&data))
    }

    /// The 48 identifier bytes (a store's key).
    pub fn as_bytes(&self) -> &[u8; 48] {
        &self.0
    }

    /// The identifiers of a token signed by `signer`: its `cti` and its
    /// nonce when present, otherwise the digest of its signed payload.
    pub fn for_token<D: Digests + ?Sized>(
        signer: &PublicKey,
        cti: Option<&[u8]>,
        nonce: Option<&[u8]>,
        payload: &[u8],
        digests: &D,
    ) -> Vec<ReplayId> {
        // A certificate may carry the key compressed (RFC 5480); hashing
        // the bytes as given would let one token verify once per encoding.
        let signer = signer.uncompressed();
        let mut ids = Vec::with_capacity(2);
        if let Some(cti) = cti {
            ids.push(ReplayId::derive(ReplayIdKind::Cti, signer, cti, digests));
        }
        if let Some(nonce) = nonce {
            ids.push(ReplayId::derive(
                ReplayIdKind::Nonce,
                signer,
                nonce,
                digests,
            ));
        }
        if ids.is_empty() {
            let digest = digests.sha384(payload);
            ids.push(ReplayId::derive(
                ReplayIdKind::Payload,
                signer,
                &digest,
                digests,
            ));
        }
        ids
    }
}

/// The replay partition of a token's signer: the first 16 bytes of
/// SHA-384 over a domain label and the key in its uncompressed SEC1 form,
/// hashed by `digests` (the verifier's crypto provider).
///
/// Every identifier of a token is derived from the key that verified it
/// ([`ReplayId::for_token`]), so two tokens can only share an identifier
/// if they share a signer. A store spread over shards (Redis Cluster) may
/// therefore place all the identifiers of one signer on one shard, named by
/// this value, and still check and insert a token's identifiers in one
/// atomic step (spec §11.2.2). One key in either SEC1 form gives one
/// partition ([`PublicKey::uncompressed`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReplayPartition([u8; 16]);

impl ReplayPartition {
    /// The partition of the tokens signed by `signer`, hashed by `digests`.
    pub fn of<D: Digests + ?Sized>(signer: &PublicKey, digests: &D) -> ReplayPartition {
        const DOMAIN: &[u8] = b"mtattest replay partition v1\0";
        // A certificate may carry the key compressed (RFC 5480): one key
        // in either form must name one partition.
        let key = signer.uncompressed();
        let mut data = Vec::with_capacity(DOMAIN.len() + key.len());
        data.extend_from_slice(DOMAIN);
        data.extend_from_slice(key);
        let digest = digests.sha384(&data);
        let mut bytes = [0; 16];
        bytes.copy_from_slice(&digest[..16]);
        ReplayPartition(bytes)
    }

    /// The 16 bytes (a store's shard key).
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }
}

/// A store of the identifiers of tokens already accepted.
///
/// `check_and_insert` must be atomic: if any of `ids` is present it
/// returns [`ReplayError::Seen`] and inserts nothing; otherwise it records
/// all of them, to be kept at least until `live_until` (the token's
/// accept-until instant, inclusive), and returns `Ok`. An implementation
/// that cannot decide returns an error, never `Ok`.
///
/// `now` is the caller's verification time and may jump forward and back:
/// a store must not forget an identifier because of one `now` far in the
/// future, nor answer `Ok` for a token it may have forgotten because `now`
/// went back (spec §11.2). A store that expires entries by its own clock
/// (a time to live of `live_until - now`, e.g. Redis `SET key NX PX ttl`)
/// is immune to the first and must add the largest backward step of the
/// verifier's clock it tolerates to the time to live for the second.
pub trait ReplayCache: Send + Sync {
    /// Checks that none of `ids` was seen, then remembers all of them until
    /// `live_until`. `now` is the verification time.
    fn check_and_insert(
        &self,
        ids: &[ReplayId],
        live_until: UnixTime,
        now: UnixTime,
    ) -> Result<(), ReplayError>;
}

/// Identifiers a token puts in a replay cache at most: its `cti` and its
/// nonce.
pub const IDS_PER_TOKEN: u32 = 2;

/// The peak rate, in tokens per second, that the default in-memory cache
/// of a [`Verifier`](crate::verifier::Verifier) sustains: one core's rate
/// with the fastest crypto provider (aws-lc, about 4 600 tokens/s).
pub const DEFAULT_REPLAY_PEAK_RATE: u32 = 5_000;

/// The acceptance window of the default freshness settings (see
/// [`acceptance_window_secs`]): 300 + 2 × 60 = 420 s.
pub const DEFAULT_ACCEPTANCE_WINDOW_SECS: u32 = acceptance_window_secs(&Freshness::DEFAULT);

/// The longest a token stays acceptable after it is first verified under
/// `freshness`, in seconds: `max_age + 2 × skew` (its `iat` may be up to
/// `skew` ahead of the verifier's clock and it is accepted until
/// `iat + max_age + skew`). The `acceptance_window_secs` to size a replay
/// cache with.
pub const fn acceptance_window_secs(freshness: &Freshness) -> u32 {
    freshness
        .max_age_secs
        .saturating_add(freshness.clock_skew_secs.saturating_mul(2))
}

/// Identifiers a [`MemoryReplayCache`] must be able to hold so that it
/// never refuses a token (`replay.cache-full`) while tokens arrive at no
/// more than `tokens_per_second`, each acceptable for at most
/// `acceptance_window_secs` after it is verified:
///
/// `2 × tokens_per_second × (acceptance_window_secs + W + 10 + 60)`
///
/// with `W` the cache's bucket width (`⌈acceptance_window_secs / 16⌉`, at
/// least 1), 10 s the clock step and 60 s the clock confirmation of spec
/// §11.2.1: an identifier stays until its bucket has ended 10 s ago, and a
/// forward jump of the clock stops eviction for up to 60 s. Saturates at
/// `usize::MAX`.
pub const fn replay_capacity(tokens_per_second: u32, acceptance_window_secs: u32) -> usize {
    let retention = acceptance_window_secs as u128
        + bucket_secs(acceptance_window_secs) as u128
        + CLOCK_STEP_SECS as u128
        + CLOCK_CONFIRMATION_SECS as u128;
    let ids = IDS_PER_TOKEN as u128 * tokens_per_second as u128 * retention;
    if ids > usize::MAX as u128 {
        usize::MAX
    } else {
        ids as usize
    }
}

/// Width of the expiry buckets of a cache sized for `acceptance_window_secs`:
/// a sixteenth of the window (at least 1 s), so an identifier is kept at
/// most about 6 % longer than it must be.
const fn bucket_secs(acceptance_window_secs: u32) -> u32 {
    let width = acceptance_window_secs.div_ceil(16);
    if width == 0 {
        1
    } else {
        width
    }
}

/// The largest step of the verification time, either way, that a
/// [`MemoryReplayCache`] follows at once (spec §11.2.1).
pub const CLOCK_STEP_SECS: u32 = 10;

/// How long (in the callers' own times) a jump of the verification time
/// larger than [`CLOCK_STEP_SECS`] must persist before a
/// [`MemoryReplayCache`] follows it (spec §11.2.1).
pub const CLOCK_CONFIRMATION_SECS: u32 = 60;

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(feature = "rustcrypto")]
    use crate::crypto::{Algorithm, RustCrypto, SoftwareSigner};

    #[cfg(feature = "rustcrypto")]
    fn key(seed: u8) -> PublicKey {
        SoftwareSigner::from_secret_bytes(Algorithm::Es384, &[seed; 48])
            .unwrap()
            .public_key()
    }

    #[cfg(feature = "rustcrypto")]
    #[test]
    fn ids_are_domain_separated() {
        let c = &RustCrypto;
        let k = key(1);
        let a = ReplayId::new(ReplayIdKind::Cti, &k, b"v", c);
        assert_ne!(a, ReplayId::new(ReplayIdKind::Nonce, &k, b"v", c));
        assert_ne!(a, ReplayId::new(ReplayIdKind::Cti, &key(2), b"v", c));
        assert_ne!(
            ReplayId::derive(ReplayIdKind::Cti, b"kv", b"", c),
            ReplayId::derive(ReplayIdKind::Cti, b"k", b"v", c)
        );
        assert_eq!(
            ReplayId::for_token(&k, Some(b"c"), Some(b"n"), b"p", c).len(),
            2
        );
        assert_eq!(ReplayId::for_token(&k, None, None, b"p", c).len(), 1);
    }

    #[test]
    fn sizing() {
        // The default window: 300 s of age and 60 s of skew either way.
        assert_eq!(DEFAULT_ACCEPTANCE_WINDOW_SECS, 420);
        assert_eq!(bucket_secs(420), 27);
        assert_eq!(bucket_secs(16), 1);
        assert_eq!(bucket_secs(0), 1);
        // 2 ids × 5 000 tokens/s × (420 + 27 + 10 + 60) s.
        assert_eq!(replay_capacity(5_000, 420), 5_170_000);
        assert_eq!(replay_capacity(0, 420), 0);
        assert_eq!(
            replay_capacity(u32::MAX, u32::MAX),
            usize::try_from(2 * u128::from(u32::MAX) * (u128::from(u32::MAX) + 268_435_456 + 70))
                .unwrap_or(usize::MAX)
        );
    }
}
