//! A bounded cache of validated chains (std only: it needs a `Mutex`).
//!
//! Key: SHA-384 over the verifier's configuration fingerprint (anchors,
//! revocation data, options) and the chain's DER certificates, each length
//! prefixed. So a cached result is only ever reused for the same bytes under
//! the same trust configuration; changing anchors or revocation data changes
//! every key.
//!
//! Value: the [`ValidatedChain`] — leaf key and the window
//! `[valid_from, valid_until]` in which every time-dependent fact used
//! (certificate validity, CRL `thisUpdate` / `nextUpdate` + grace) holds. A
//! hit outside its window is dropped and the chain is validated afresh, so
//! the caller sees the specific error (`chain.expired`, `chain.crl-stale`…).
//!
//! Eviction: at most `capacity` entries. Inserting into a full cache first
//! drops every entry whose window has ended at the insertion time; if none
//! has, it drops the least recently used entry (recency counted by lookups
//! and insertions). Failures are never cached.

use std::collections::HashMap;
use std::sync::Mutex;

use super::ValidatedChain;
use crate::time::UnixTime;

/// Counters of a [`ChainCache`].
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

struct Entry {
    chain: ValidatedChain,
    last_used: u64,
}

struct Inner {
    map: HashMap<[u8; 48], Entry>,
    tick: u64,
    stats: CacheStats,
}

/// A thread-safe, bounded cache of validated chains, used through `&self`.
pub struct ChainCache {
    inner: Mutex<Inner>,
    capacity: usize,
}

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
        let capacity = capacity.max(1);
        ChainCache {
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

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // The map stays consistent even if a holder panicked mid-way (no
        // code path between lock and unlock can leave it half-updated).
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The validated chain for `key` if it holds at `now`.
    pub(crate) fn get(&self, key: &[u8; 48], now: UnixTime) -> Option<ValidatedChain> {
        let mut inner = self.lock();
        inner.tick += 1;
        let tick = inner.tick;
        let found = match inner.map.get_mut(key) {
            Some(entry) if entry.chain.holds_at(now) => {
                entry.last_used = tick;
                Some(entry.chain.clone())
            }
            Some(_) => {
                inner.map.remove(key);
                inner.stats.expired += 1;
                None
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

    /// Stores a freshly validated chain.
    pub(crate) fn insert(&self, key: [u8; 48], chain: ValidatedChain, now: UnixTime) {
        let mut inner = self.lock();
        inner.tick += 1;
        let tick = inner.tick;
        if !inner.map.contains_key(&key) && inner.map.len() >= self.capacity {
            let before = inner.map.len();
            inner.map.retain(|_, e| e.chain.valid_until() >= now);
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
                chain,
                last_used: tick,
            },
        );
        inner.stats.len = inner.map.len();
    }

    /// The counters.
    pub fn stats(&self) -> CacheStats {
        self.lock().stats
    }

    /// Drops every entry (counters are kept).
    pub fn clear(&self) {
        let mut inner = self.lock();
        inner.map.clear();
        inner.stats.len = 0;
    }
}
