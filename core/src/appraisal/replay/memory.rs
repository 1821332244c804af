//! The in-process replay cache: identifiers in hash sets bucketed by their
//! deadline, dropped a bucket at a time by a clock that a single wrong
//! verification time cannot move (spec §11.2.1).

use std::collections::hash_map::RandomState;
use std::collections::{BTreeMap, HashSet};
use std::sync::Mutex;
use std::vec::Vec;

use super::{
    bucket_secs, replay_capacity, ReplayCache, ReplayId, CLOCK_CONFIRMATION_SECS, CLOCK_STEP_SECS,
    DEFAULT_ACCEPTANCE_WINDOW_SECS, DEFAULT_REPLAY_PEAK_RATE,
};
use crate::appraisal::error::ReplayError;
use crate::time::UnixTime;

/// The bytes of a [`ReplayId`] the cache keeps: its first 128 bits. Two
/// different identifiers that agree on them make the second token a false
/// `replay.seen`, never a replay accepted; among `n` live identifiers that
/// happens with probability below `n² / 2¹²⁹` (about 2⁻⁸⁵ for 4 million),
/// and a device that wanted to block another's token would need a second
/// preimage of 128 bits of SHA-384.
const KEY_LEN: usize = 16;

type Key = [u8; KEY_LEN];

fn key(id: &ReplayId) -> Key {
    let mut key = [0; KEY_LEN];
    key.copy_from_slice(&id.as_bytes()[..KEY_LEN]);
    key
}

/// A bounded in-memory replay cache.
///
/// **Sizing.** Build it with [`MemoryReplayCache::for_peak_rate`] for the
/// highest token rate the verifier must sustain and the acceptance window
/// of its freshness settings
/// ([`acceptance_window_secs`](super::acceptance_window_secs)); the
/// [`Default`] (what a [`Verifier`](crate::verifier::Verifier) gets) is
/// sized for [`DEFAULT_REPLAY_PEAK_RATE`] tokens/s and the default
/// window. Memory grows with the identifiers actually held, at about 20 to
/// 40 bytes each (measured by `core/benches/replay.rs`), up to the
/// capacity: about 150 MB for 5 000 tokens/s.
///
/// **Fail closed.** A token whose identifiers are present is refused
/// (`replay.seen`). When the cache holds its capacity a new token is
/// refused (`replay.cache-full`) rather than an identifier forgotten
/// early. A token whose deadline the cache may already have passed and
/// forgotten — the verification time went back — is refused
/// (`replay.clock-regressed`). A poisoned lock reports
/// `replay.store-unavailable`.
///
/// **Expiry** (spec §11.2.1). Identifiers are kept in buckets by their
/// deadline (`live_until`), each a sixteenth of the acceptance window
/// wide, and a bucket is dropped whole once it ended more than
/// [`CLOCK_STEP_SECS`] before the cache's clock. That clock follows the
/// verification times passed in, but only in steps of at most
/// [`CLOCK_STEP_SECS`]; a larger jump, forward or back, is followed only
/// once calls keep coming from there for [`CLOCK_CONFIRMATION_SECS`] of
/// their own time. So a single call with a far-future `now` drops nothing,
/// and a `now` that went back never makes an identifier forgettable before
/// its deadline as that `now` sees it.
///
/// All work per call is bounded: one hash lookup per identifier and live
/// bucket, and dropping a bucket frees one allocation.
///
/// ```
/// use mtattest::appraisal::{MemoryReplayCache, ReplayCache, ReplayId, ReplayIdKind};
/// use mtattest::crypto::{Algorithm, RustCrypto, SoftwareSigner};
/// use mtattest::UnixTime;
///
/// let device = SoftwareSigner::from_secret_bytes(Algorithm::Es384, &[7; 48])?.public_key();
/// let id = |n: u8| ReplayId::new(ReplayIdKind::Cti, &device, &[n], &RustCrypto);
/// // Room for two identifiers.
/// let cache = MemoryReplayCache::new(2);
/// let now = UnixTime(1000);
/// assert!(cache.check_and_insert(&[id(1)], UnixTime(1100), now).is_ok());
/// assert_eq!(cache.check_and_insert(&[id(1)], UnixTime(1100), now).unwrap_err().code(), "replay.seen");
/// assert!(cache.check_and_insert(&[id(2)], UnixTime(1100), now).is_ok());
/// // Full of live entries: a new token is refused, the old ones stay.
/// assert_eq!(cache.check_and_insert(&[id(3)], UnixTime(1100), now).unwrap_err().code(), "replay.cache-full");
/// // A verification time far ahead drops nothing...
/// assert_eq!(cache.check_and_insert(&[id(3)], UnixTime(9_000_000), UnixTime(9_000_000)).unwrap_err().code(), "replay.cache-full");
/// assert_eq!(cache.check_and_insert(&[id(1)], UnixTime(1100), UnixTime(1001)).unwrap_err().code(), "replay.seen");
/// // ...while time passing in steps does, once the deadline is well past.
/// let mut t = 1001;
/// while cache.len() > 0 {
///     t += 5;
///     cache.check_and_insert(&[], UnixTime(t), UnixTime(t))?;
/// }
/// assert!(t > 1100 + 10);
/// assert!(cache.check_and_insert(&[id(3)], UnixTime(t + 100), UnixTime(t)).is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct MemoryReplayCache {
    capacity: usize,
    bucket_secs: i64,
    state: Mutex<State>,
}

/// Everything behind the lock.
#[derive(Default)]
struct State {
    /// The cache's clock: the verification time it follows (`None` before
    /// the first call).
    clock: Option<i64>,
    /// Out-of-step calls since the last in-step one, if they are
    /// consistent with each other.
    jump: Option<Jump>,
    /// Identifiers by bucket: bucket `b` holds deadlines in
    /// `b × width ..= b × width + width - 1`.
    buckets: BTreeMap<i64, HashSet<Key, RandomState>>,
    /// Identifiers held, over all buckets.
    len: usize,
    /// The last second of the latest bucket dropped: a token acceptable
    /// until then or earlier may have been seen and forgotten.
    forgotten_through: Option<i64>,
    /// One SipHash key for every bucket's set.
    hasher: RandomState,
}

/// A run of calls whose verification times are all more than the clock
/// step away from the cache's clock: the clock has perhaps jumped.
#[derive(Clone, Copy)]
struct Jump {
    first: i64,
    latest: i64,
}

impl State {
    /// Moves the clock for a call at `now` (spec §11.2.1) and drops the
    /// buckets it has left behind.
    fn observe(&mut self, now: i64, bucket_secs: i64) {
        let step = i128::from(CLOCK_STEP_SECS);
        let Some(clock) = self.clock else {
            self.clock = Some(now);
            return;
        };
        if (i128::from(now) - i128::from(clock)).abs() <= step {
            self.clock = Some(clock.max(now));
            self.jump = None;
        } else {
            match &mut self.jump {
                // Calls from the far side keep coming, and not from
                // further back than a step: follow them once they have
                // lasted long enough.
                Some(jump) if i128::from(now) >= i128::from(jump.latest) - step => {
                    jump.latest = jump.latest.max(now);
                    if i128::from(now) - i128::from(jump.first)
                        < i128::from(CLOCK_CONFIRMATION_SECS)
                    {
                        return;
                    }
                    self.clock = Some(now);
                    self.jump = None;
                }
                _ => {
                    self.jump = Some(Jump {
                        first: now,
                        latest: now,
                    });
                    return;
                }
            }
        }
        self.drop_buckets(bucket_secs);
    }

    /// Drops every bucket that ended more than a clock step before the
    /// clock.
    fn drop_buckets(&mut self, bucket_secs: i64) {
        let Some(clock) = self.clock else {
            return;
        };
        let horizon = i128::from(clock) - i128::from(CLOCK_STEP_SECS);
        while let Some(entry) = self.buckets.first_entry() {
            let last_second = bucket_last_second(*entry.key(), bucket_secs);
            if i128::from(last_second) >= horizon {
                break;
            }
            self.len = self.len.saturating_sub(entry.remove().len());
            self.forgotten_through = Some(
                self.forgotten_through
                    .map_or(last_second, |f| f.max(last_second)),
            );
        }
    }

    fn contains(&self, key: &Key) -> bool {
        self.buckets.values().any(|bucket| bucket.contains(key))
    }
}

/// The last second of bucket `bucket` (clamped to the range of `i64`).
fn bucket_last_second(bucket: i64, bucket_secs: i64) -> i64 {
    let last = i128::from(bucket) * i128::from(bucket_secs) + i128::from(bucket_secs) - 1;
    i64::try_from(last).unwrap_or(i64::MAX)
}

impl MemoryReplayCache {
    /// A cache holding at most `capacity` identifiers (a token uses one or
    /// two), with the buckets of the default acceptance window. Prefer
    /// [`MemoryReplayCache::for_peak_rate`].
    pub fn new(capacity: usize) -> MemoryReplayCache {
        MemoryReplayCache::with_buckets(capacity, DEFAULT_ACCEPTANCE_WINDOW_SECS)
    }

    /// A cache that never refuses a token for lack of room while tokens
    /// arrive at no more than `tokens_per_second`, each acceptable for at
    /// most `acceptance_window_secs` after it is verified: for a
    /// [`Verifier`](crate::verifier::Verifier), its freshness settings'
    /// [`acceptance_window_secs`](super::acceptance_window_secs) (420 s by
    /// default). Its capacity is
    /// [`replay_capacity`](super::replay_capacity)`(tokens_per_second,
    /// acceptance_window_secs)` identifiers; memory is taken only as they
    /// arrive.
    ///
    /// ```
    /// use mtattest::appraisal::{acceptance_window_secs, Freshness, MemoryReplayCache};
    ///
    /// // 20 000 tokens/s (four cores with aws-lc), tokens up to 10 minutes old.
    /// let freshness = Freshness { max_age_secs: 600, clock_skew_secs: 60 };
    /// let cache = MemoryReplayCache::for_peak_rate(20_000, acceptance_window_secs(&freshness));
    /// assert_eq!(cache.capacity(), 2 * 20_000 * (720 + 45 + 10 + 60));
    /// ```
    pub fn for_peak_rate(tokens_per_second: u32, acceptance_window_secs: u32) -> MemoryReplayCache {
        MemoryReplayCache::with_buckets(
            replay_capacity(tokens_per_second, acceptance_window_secs),
            acceptance_window_secs,
        )
    }

    fn with_buckets(capacity: usize, acceptance_window_secs: u32) -> MemoryReplayCache {
        MemoryReplayCache {
            capacity,
            bucket_secs: i64::from(bucket_secs(acceptance_window_secs)),
            state: Mutex::new(State::default()),
        }
    }

    /// The capacity, in identifiers.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Identifiers currently held (live, or past their deadline but not
    /// yet dropped).
    pub fn len(&self) -> usize {
        self.state.lock().map_or(0, |s| s.len)
    }

    /// Whether the cache holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Default for MemoryReplayCache {
    /// Sized for [`DEFAULT_REPLAY_PEAK_RATE`] tokens/s and the default
    /// freshness settings.
    fn default() -> Self {
        MemoryReplayCache::for_peak_rate(DEFAULT_REPLAY_PEAK_RATE, DEFAULT_ACCEPTANCE_WINDOW_SECS)
    }
}

impl core::fmt::Debug for MemoryReplayCache {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("MemoryReplayCache")
            .field("capacity", &self.capacity)
            .field("bucket_secs", &self.bucket_secs)
            .field("len", &self.len())
            .finish()
    }
}

impl ReplayCache for MemoryReplayCache {
    fn check_and_insert(
        &self,
        ids: &[ReplayId],
        live_until: UnixTime,
        now: UnixTime,
    ) -> Result<(), ReplayError> {
        let mut state = self
            .state
            .lock()
            .map_err(|_| ReplayError::StoreUnavailable {
                reason: "replay cache lock poisoned".into(),
            })?;
        state.observe(now.secs(), self.bucket_secs);
        let mut keys: Vec<Key> = ids.iter().map(key).collect();
        if keys.iter().any(|k| state.contains(k)) {
            return Err(ReplayError::Seen);
        }
        if keys.is_empty() {
            return Ok(());
        }
        if let Some(forgotten_through) = state.forgotten_through {
            if live_until.secs() <= forgotten_through {
                return Err(ReplayError::ClockRegressed {
                    live_until: live_until.secs(),
                    forgotten_through,
                });
            }
        }
        keys.sort_unstable();
        keys.dedup();
        if state.len.saturating_add(keys.len()) > self.capacity {
            return Err(ReplayError::CacheFull {
                capacity: self.capacity,
            });
        }
        let bucket = live_until.secs().div_euclid(self.bucket_secs);
        let hasher = state.hasher.clone();
        let set = state
            .buckets
            .entry(bucket)
            .or_insert_with(|| HashSet::with_hasher(hasher));
        set.extend(keys.iter().copied());
        state.len += keys.len();
        Ok(())
    }
}

#[cfg(all(test, feature = "rustcrypto"))]
mod tests {
    use super::*;
    use crate::crypto::{Algorithm, RustCrypto, SoftwareSigner};

    fn id(n: u32) -> ReplayId {
        let device = SoftwareSigner::from_secret_bytes(Algorithm::Es384, &[3; 48])
            .unwrap()
            .public_key();
        ReplayId::new(
            super::super::ReplayIdKind::Cti,
            &device,
            &n.to_be_bytes(),
            &RustCrypto,
        )
    }

    #[test]
    fn buckets_cover_their_seconds() {
        assert_eq!(bucket_last_second(0, 27), 26);
        assert_eq!(1000_i64.div_euclid(27), 37);
        assert_eq!(bucket_last_second(37, 27), 1025);
        assert_eq!((-1_i64).div_euclid(27), -1);
        assert_eq!(bucket_last_second(-1, 27), -1);
        assert_eq!(bucket_last_second(i64::MAX.div_euclid(27), 27), i64::MAX);
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
        // The same id twice in one call counts once.
        cache
            .check_and_insert(&[id(3), id(3)], UnixTime(100), now)
            .unwrap();
        assert_eq!(cache.len(), 3);
    }

    #[test]
    fn zero_capacity_refuses_everything() {
        let cache = MemoryReplayCache::new(0);
        assert_eq!(
            cache.check_and_insert(&[id(1)], UnixTime(1), UnixTime(0)),
            Err(ReplayError::CacheFull { capacity: 0 })
        );
    }

    #[test]
    fn extreme_times_neither_overflow_nor_forget() {
        let cache = MemoryReplayCache::new(10);
        for now in [i64::MIN, i64::MAX, 0, i64::MIN, i64::MAX] {
            let _ = cache.check_and_insert(&[], UnixTime(now), UnixTime(now));
        }
        cache
            .check_and_insert(&[id(1)], UnixTime(i64::MAX), UnixTime(i64::MAX))
            .unwrap();
        cache
            .check_and_insert(&[id(2)], UnixTime(i64::MIN), UnixTime(i64::MIN))
            .unwrap();
        assert_eq!(
            cache.check_and_insert(&[id(1)], UnixTime(i64::MAX), UnixTime(0)),
            Err(ReplayError::Seen)
        );
    }
}
