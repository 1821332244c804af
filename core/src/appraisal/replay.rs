//! Replay protection: a verified token's identifiers are remembered until
//! the token could no longer be accepted anyway, and a token seen twice is
//! refused.
//!
//! [`ReplayCache`] is the interface: one fallible, atomic check-and-insert,
//! so a shared store (several servers) fits behind it and a store that
//! cannot answer rejects the token (`replay.store-unavailable`) instead of
//! letting it through. [`MemoryReplayCache`] (with `std`) is the bounded
//! in-process default.

use alloc::vec::Vec;

use sha2::Digest as _;

use super::error::ReplayError;
use crate::time::UnixTime;

/// One identifier of a token in a replay cache: SHA-384 over a domain
/// label, the verification key and the value, so identifiers of different
/// kinds or of different signers never collide, and a device cannot block
/// another device's token by reusing its `cti`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReplayId([u8; 48]);

/// What a [`ReplayId`] was derived from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
    /// The identifier of `value` (of `kind`) for a token signed by the key
    /// whose SEC1 encoding is `signer`.
    pub fn new(kind: ReplayIdKind, signer: &[u8], value: &[u8]) -> ReplayId {
        let label: &[u8] = match kind {
            ReplayIdKind::Cti => b"cti",
            ReplayIdKind::Nonce => b"nonce",
            ReplayIdKind::Payload => b"payload",
        };
        let mut h = sha2::Sha384::new();
        h.update(b"mtattest replay id v1\0");
        for part in [label, signer, value] {
            h.update((part.len() as u64).to_be_bytes());
            h.update(part);
        }
        ReplayId(h.finalize().into())
    }

    /// The 48 identifier bytes (a store's key).
    pub fn as_bytes(&self) -> &[u8; 48] {
        &self.0
    }

    /// The identifiers of a token: its `cti` and its nonce when present,
    /// otherwise the digest of its signed payload.
    pub fn for_token(
        signer: &[u8],
        cti: Option<&[u8]>,
        nonce: Option<&[u8]>,
        payload: &[u8],
    ) -> Vec<ReplayId> {
        let mut ids = Vec::with_capacity(2);
        if let Some(cti) = cti {
            ids.push(ReplayId::new(ReplayIdKind::Cti, signer, cti));
        }
        if let Some(nonce) = nonce {
            ids.push(ReplayId::new(ReplayIdKind::Nonce, signer, nonce));
        }
        if ids.is_empty() {
            let digest = sha2::Sha384::digest(payload);
            ids.push(ReplayId::new(ReplayIdKind::Payload, signer, &digest));
        }
        ids
    }
}

/// A store of the identifiers of tokens already accepted.
///
/// `check_and_insert` must be atomic: if any of `ids` is present and live
/// it returns [`ReplayError::Seen`] and inserts nothing; otherwise it
/// records all of them as live until `live_until` (inclusive) and returns
/// `Ok`. An implementation that cannot decide returns an error, never `Ok`.
pub trait ReplayCache: Send + Sync {
    /// Checks that none of `ids` was seen, then remembers all of them until
    /// `live_until`. `now` is the verification time (for eviction).
    fn check_and_insert(
        &self,
        ids: &[ReplayId],
        live_until: UnixTime,
        now: UnixTime,
    ) -> Result<(), ReplayError>;
}

#[cfg(feature = "std")]
pub use memory::MemoryReplayCache;

#[cfg(feature = "std")]
mod memory {
    use alloc::collections::{BTreeMap, BTreeSet};
    use std::sync::Mutex;

    use super::{ReplayCache, ReplayId};
    use crate::appraisal::error::ReplayError;
    use crate::time::UnixTime;

    /// A bounded in-memory replay cache.
    ///
    /// **Eviction rule:** an entry is kept while it is live (until the
    /// instant its token stops being acceptable, see
    /// [`Freshness::accept_until`](crate::appraisal::Freshness::accept_until))
    /// and may be dropped only after that. When an insertion would exceed
    /// the capacity, expired entries are dropped first; if the cache is
    /// still full of live entries the new token is refused with
    /// `replay.cache-full` — a live entry is never forgotten, so a replay
    /// is never let through because of memory pressure. Size the capacity
    /// for the peak rate times the acceptance window (e.g. 1000 tokens/s ×
    /// 360 s).
    ///
    /// Entries already seen are refused whatever the capacity. All work is
    /// bounded: an insertion costs O(log n) plus the expired entries it
    /// drops. A poisoned lock reports `replay.store-unavailable`.
    ///
    /// ```
    /// use mtattest::appraisal::{MemoryReplayCache, ReplayCache, ReplayId, ReplayIdKind};
    /// use mtattest::UnixTime;
    ///
    /// let cache = MemoryReplayCache::new(2);
    /// let id = |n: u8| ReplayId::new(ReplayIdKind::Cti, b"key", &[n]);
    /// let now = UnixTime(1000);
    /// assert!(cache.check_and_insert(&[id(1)], UnixTime(1100), now).is_ok());
    /// assert_eq!(cache.check_and_insert(&[id(1)], UnixTime(1100), now).unwrap_err().code(), "replay.seen");
    /// assert!(cache.check_and_insert(&[id(2)], UnixTime(1100), now).is_ok());
    /// // Full of live entries: a new token is refused, the old ones stay.
    /// assert_eq!(cache.check_and_insert(&[id(3)], UnixTime(1100), now).unwrap_err().code(), "replay.cache-full");
    /// assert_eq!(cache.check_and_insert(&[id(1)], UnixTime(1100), now).unwrap_err().code(), "replay.seen");
    /// // Once they expired, room is made.
    /// assert!(cache.check_and_insert(&[id(3)], UnixTime(1300), UnixTime(1101)).is_ok());
    /// ```
    #[derive(Debug)]
    pub struct MemoryReplayCache {
        capacity: usize,
        inner: Mutex<Inner>,
    }

    #[derive(Debug, Default)]
    struct Inner {
        live_until: BTreeMap<ReplayId, i64>,
        by_expiry: BTreeSet<(i64, ReplayId)>,
    }

    impl Inner {
        fn evict_expired(&mut self, now: i64) {
            while let Some(&(until, id)) = self.by_expiry.first() {
                if until >= now {
                    break;
                }
                self.by_expiry.remove(&(until, id));
                self.live_until.remove(&id);
            }
        }
    }

    impl MemoryReplayCache {
        /// A cache holding at most `capacity` identifiers (a token uses one
        /// or two).
        pub fn new(capacity: usize) -> MemoryReplayCache {
            MemoryReplayCache {
                capacity,
                inner: Mutex::new(Inner::default()),
            }
        }

        /// The capacity.
        pub fn capacity(&self) -> usize {
            self.capacity
        }

        /// Identifiers currently held (live or not yet evicted).
        pub fn len(&self) -> usize {
            self.inner.lock().map_or(0, |i| i.live_until.len())
        }

        /// Whether the cache holds nothing.
        pub fn is_empty(&self) -> bool {
            self.len() == 0
        }
    }

    impl ReplayCache for MemoryReplayCache {
        fn check_and_insert(
            &self,
            ids: &[ReplayId],
            live_until: UnixTime,
            now: UnixTime,
        ) -> Result<(), ReplayError> {
            let mut inner = self
                .inner
                .lock()
                .map_err(|_| ReplayError::StoreUnavailable {
                    reason: "replay cache lock poisoned".into(),
                })?;
            let seen = ids.iter().any(|id| {
                inner
                    .live_until
                    .get(id)
                    .is_some_and(|&until| until >= now.secs())
            });
            if seen {
                return Err(ReplayError::Seen);
            }
            let new = ids
                .iter()
                .filter(|id| !inner.live_until.contains_key(id))
                .count();
            if inner.live_until.len().saturating_add(new) > self.capacity {
                inner.evict_expired(now.secs());
                let new = ids
                    .iter()
                    .filter(|id| !inner.live_until.contains_key(id))
                    .count();
                if inner.live_until.len().saturating_add(new) > self.capacity {
                    return Err(ReplayError::CacheFull {
                        capacity: self.capacity,
                    });
                }
            }
            for id in ids {
                if let Some(old) = inner.live_until.insert(*id, live_until.secs()) {
                    inner.by_expiry.remove(&(old, *id));
                }
                inner.by_expiry.insert((live_until.secs(), *id));
            }
            Ok(())
        }
    }
}

#[cfg(all(test, feature = "std"))]
mod tests {
    use super::*;

    fn id(n: u32) -> ReplayId {
        ReplayId::new(ReplayIdKind::Cti, b"signer", &n.to_be_bytes())
    }

    #[test]
    fn ids_are_domain_separated() {
        let a = ReplayId::new(ReplayIdKind::Cti, b"k", b"v");
        assert_ne!(a, ReplayId::new(ReplayIdKind::Nonce, b"k", b"v"));
        assert_ne!(a, ReplayId::new(ReplayIdKind::Cti, b"k2", b"v"));
        assert_ne!(
            ReplayId::new(ReplayIdKind::Cti, b"kv", b""),
            ReplayId::new(ReplayIdKind::Cti, b"k", b"v")
        );
        assert_eq!(
            ReplayId::for_token(b"k", Some(b"c"), Some(b"n"), b"p").len(),
            2
        );
        assert_eq!(ReplayId::for_token(b"k", None, None, b"p").len(), 1);
    }

    #[test]
    fn bounded_and_never_forgets_live_entries() {
        let cache = MemoryReplayCache::new(100);
        let now = UnixTime(10_000);
        for n in 0..100 {
            cache
                .check_and_insert(&[id(n)], UnixTime(10_000 + i64::from(n)), now)
                .unwrap();
        }
        // Well past capacity: every new token is refused, never a panic,
        // and every live one is still recognised.
        for n in 100..1_000 {
            assert_eq!(
                cache.check_and_insert(&[id(n)], UnixTime(20_000), now),
                Err(ReplayError::CacheFull { capacity: 100 })
            );
        }
        for n in 0..100 {
            assert_eq!(
                cache.check_and_insert(&[id(n)], UnixTime(20_000), now),
                Err(ReplayError::Seen)
            );
        }
        assert_eq!(cache.len(), 100);
        // Later, the first 50 have expired (live until 10_000..=10_049):
        // exactly that much room is made; the others are still refused.
        let later = UnixTime(10_050);
        for n in 1_000..1_050 {
            cache
                .check_and_insert(&[id(n)], UnixTime(30_000), later)
                .unwrap();
        }
        assert_eq!(
            cache.check_and_insert(&[id(2_000)], UnixTime(30_000), later),
            Err(ReplayError::CacheFull { capacity: 100 })
        );
        for n in 50..100 {
            assert_eq!(
                cache.check_and_insert(&[id(n)], UnixTime(30_000), later),
                Err(ReplayError::Seen)
            );
        }
        assert_eq!(cache.len(), 100);
    }

    #[test]
    fn multi_id_insert_is_atomic() {
        let cache = MemoryReplayCache::new(10);
        let now = UnixTime(0);
        cache
            .check_and_insert(&[id(1)], UnixTime(100), now)
            .unwrap();
        // One of two ids seen: refused, and the other is not recorded.
        assert_eq!(
            cache.check_and_insert(&[id(2), id(1)], UnixTime(100), now),
            Err(ReplayError::Seen)
        );
        cache
            .check_and_insert(&[id(2)], UnixTime(100), now)
            .unwrap();
    }

    #[test]
    fn zero_capacity_refuses_everything() {
        let cache = MemoryReplayCache::new(0);
        assert_eq!(
            cache.check_and_insert(&[id(1)], UnixTime(1), UnixTime(0)),
            Err(ReplayError::CacheFull { capacity: 0 })
        );
    }
}
