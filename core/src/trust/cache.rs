//! Bounded caches of validation results (std only: they need a `Mutex`):
//! whole validated chains ([`ChainCache`]) and verified links
//! ([`LinkCache`]).
//!
//! Keys are SHA-384 digests that include the verifier's configuration
//! fingerprint (anchors with their profiles, revocation data, options), so
//! a cached result is only ever reused for the same bytes under the same
//! trust configuration; changing anchors or revocation data changes every
//! key.
//!
//! * [`ChainCache`]: key over the fingerprint and the chain's DER
//!   certificates, each length prefixed; value the [`ValidatedChain`] (leaf
//!   key and the window `[valid_from, valid_until]` in which every
//!   time-dependent fact used holds: certificate validity, CRL `thisUpdate`
//!   / `nextUpdate` + grace). A hit skips path validation.
//! * [`LinkCache`]: key over the fingerprint, an issuer certificate's DER
//!   and what it signed (a certificate's DER, or a CRL of the
//!   configuration); value the window both are valid in. A hit stands for
//!   one fact only, that the signature verifies under the issuer's key; the
//!   rest of the path is checked every time (spec §10.6).
//!
//! A hit outside its window is dropped and the work done afresh, so the
//! caller sees the specific error (`chain.expired`, `chain.crl-stale`…).
//!
//! Eviction: at most `capacity` entries. Inserting into a full cache first
//! drops every entry whose window has ended at the insertion time; if none
//! has, it drops the least recently used entry (recency counted by lookups
//! and insertions). Failures are never cached.

use std::collections::HashMap;
use std::sync::Mutex;

use super::ValidatedChain;
use crate::time::UnixTime;

/// Counters of a [`ChainCache`] (or of a verifier's link cache).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Lookups answered from the cache.
    pub hits: u64,
    /// Lookups that found nothing usable (including expired entries).
    pub misses: u64,
    /// Entries found but outside their validity window, and dropped.
    pub expired: u64,
    /// Entries dropped to make room.
    pub evictions: u64,
    /// Entries held now.
    pub len: usize,
    /// The most entries held.
    pub capacity: usize,
}

/// A cached value and the window `[from, until]` (inclusive) in which it
/// holds.
trait Windowed: Clone {
    fn window(&self) -> (i64, i64);
}

impl Windowed for ValidatedChain {
    fn window(&self) -> (i64, i64) {
        (self.valid_from().secs(), self.valid_until().secs())
    }
}

/// The window of a verified link: when both of its ends are valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LinkWindow {
    pub(crate) from: i64,
    pub(crate) until: i64,
}

impl Windowed for LinkWindow {
    fn window(&self) -> (i64, i64) {
        (self.from, self.until)
    }
}

struct Entry<V> {
    value: V,
    last_used: u64,
}

struct Inner<V> {
    map: HashMap<[u8; 48], Entry<V>>,
    tick: u64,
    stats: CacheStats,
}

/// The bounded, thread-safe map both caches are.
struct Bounded<V> {
    inner: Mutex<Inner<V>>,
    capacity: usize,
}

impl<V: Windowed> Bounded<V> {
    fn new(capacity: usize) -> Bounded<V> {
        let capacity = capacity.max(1);
        Bounded {
            inner: Mutex::new(Inner {
                map: HashMap::with_capacity(capacity),
                tick: 0,
                stats: CacheStats {
                    capacity,
                    ..CacheStats::default()
                },
            }),
            capacity,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner<V>> {
        // The map stays consistent even if a holder panicked mid-way (no
        // code path between lock and unlock can leave it half-updated).
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn get(&self, key: &[u8; 48], now: UnixTime) -> Option<V> {
        let mut inner = self.lock();
        inner.tick += 1;
        let tick = inner.tick;
        let found = match inner.map.get_mut(key) {
            Some(entry) => {
                let (from, until) = entry.value.window();
                if from <= now.secs() && now.secs() <= until {
                    entry.last_used = tick;
                    Some(entry.value.clone())
                } else {
                    inner.map.remove(key);
                    inner.stats.expired += 1;
                    None
                }
            }
            None => None,
        };
        match found {
            Some(_) => inner.stats.hits += 1,
            None => inner.stats.misses += 1,
        }
        inner.stats.len = inner.map.len();
        found
    }

    fn insert(&self, key: [u8; 48], value: V, now: UnixTime) {
        let mut inner = self.lock();
        inner.tick += 1;
        let tick = inner.tick;
        if !inner.map.contains_key(&key) && inner.map.len() >= self.capacity {
            let before = inner.map.len();
            inner.map.retain(|_, e| e.value.window().1 >= now.secs());
            let mut dropped = before - inner.map.len();
            if inner.map.len() >= self.capacity {
                let oldest = inner
                    .map
                    .iter()
                    .min_by_key(|(_, e)| e.last_used)
                    .map(|(k, _)| *k);
                if let Some(oldest) = oldest {
                    inner.map.remove(&oldest);
                    dropped += 1;
                }
            }
            inner.stats.evictions += dropped as u64;
        }
        inner.map.insert(
            key,
            Entry {
                value,
                last_used: tick,
            },
        );
        inner.stats.len = inner.map.len();
    }

    fn stats(&self) -> CacheStats {
        self.lock().stats
    }

    fn clear(&self) {
        let mut inner = self.lock();
        inner.map.clear();
        inner.stats.len = 0;
    }
}

/// A thread-safe, bounded cache of validated chains, used through `&self`.
pub struct ChainCache(Bounded<ValidatedChain>);

impl core::fmt::Debug for ChainCache {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ChainCache")
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

impl ChainCache {
    /// A cache holding at most `capacity` chains (at least one).
    pub fn new(capacity: usize) -> ChainCache {
        ChainCache(Bounded::new(capacity))
    }

    /// The validated chain for `key` if it holds at `now`.
    pub(crate) fn get(&self, key: &[u8; 48], now: UnixTime) -> Option<ValidatedChain> {
        self.0.get(key, now)
    }

    /// Stores a freshly validated chain.
    pub(crate) fn insert(&self, key: [u8; 48], chain: ValidatedChain, now: UnixTime) {
        self.0.insert(key, chain, now)
    }

    /// The counters.
    pub fn stats(&self) -> CacheStats {
        self.0.stats()
    }

    /// Drops every entry (counters are kept).
    pub fn clear(&self) {
        self.0.clear()
    }
}

/// A thread-safe, bounded cache of verified links: issuer certificate →
/// signed certificate or CRL.
pub(crate) struct LinkCache(Bounded<LinkWindow>);

impl core::fmt::Debug for LinkCache {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("LinkCache")
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

impl LinkCache {
    /// A cache holding at most `capacity` links (at least one).
    pub(crate) fn new(capacity: usize) -> LinkCache {
        LinkCache(Bounded::new(capacity))
    }

    /// Whether the link `key` was verified and its window holds at `now`.
    pub(crate) fn holds(&self, key: &[u8; 48], now: UnixTime) -> bool {
        self.0.get(key, now).is_some()
    }

    /// Records a link whose signature verified.
    pub(crate) fn insert(&self, key: [u8; 48], window: LinkWindow, now: UnixTime) {
        self.0.insert(key, window, now)
    }

    /// The counters.
    pub(crate) fn stats(&self) -> CacheStats {
        self.0.stats()
    }
}
