//! Where the service keeps what must outlive one request: challenge-response
//! sessions, the challenges of the native API, and the replay identifiers of
//! accepted tokens. One trait, two stores: [`MemoryStore`] (one process,
//! nothing else installed) and [`RedisStore`] (many processes sharing one
//! Redis).
//!
//! Every operation that decides something is atomic in the store itself:
//! a session is claimed for evidence once (waiting → processing), a
//! challenge is consumed once, and a token's replay identifiers are checked
//! and inserted all or nothing. A store that cannot answer returns an error,
//! and the caller answers 503 without a verdict.

mod memory;
mod redis;

use std::future::Future;

use mtattest::appraisal::{ReplayError, ReplayId, ReplayPartition};
use mtattest::UnixTime;

pub use self::memory::MemoryStore;
pub use self::redis::RedisStore;
use crate::session::{Session, SessionId, SessionOutcome};

/// The store could not answer (unreachable, timed out, a reply it cannot
/// read). Never a "no".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError {
    /// What failed, for the log and the problem detail.
    pub reason: String,
}

impl StoreError {
    /// A failure described by `reason`.
    pub fn new(reason: impl Into<String>) -> StoreError {
        StoreError {
            reason: reason.into(),
        }
    }
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "store unavailable: {}", self.reason)
    }
}

/// The answer to a claim of a session for evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// No such session (never created, deleted, or expired).
    NotFound,
    /// The session has left `waiting` already: evidence was posted to it
    /// before. Carries the session as it is.
    AlreadyUsed(Session),
    /// The session was `waiting` and is now `processing`; this caller alone
    /// completes it. Carries the session as it was claimed.
    Claimed(Session),
}

/// A token's replay identifiers to check and insert atomically (spec
/// §11.2, §11.2.2).
#[derive(Debug, Clone)]
pub struct ReplayClaim<'a> {
    /// The signer's partition: every identifier belongs to it.
    pub partition: ReplayPartition,
    /// The identifiers.
    pub ids: &'a [ReplayId],
    /// Their deadline: the token's accept-until instant.
    pub live_until: UnixTime,
    /// The verification time (this instance's clock).
    pub now: UnixTime,
}

/// Milliseconds since the Unix epoch, the stores' unit of time.
pub type UnixMillis = i64;

/// A store of sessions, challenges and replay identifiers. Each method is
/// one atomic operation in the store; an error means "could not answer".
pub trait Store: Send + Sync + 'static {
    /// Records a new session (status `waiting`), to expire at its expiry.
    fn create_session(
        &self,
        session: &Session,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The session `id`, if it exists and has not expired.
    fn session(
        &self,
        id: &SessionId,
    ) -> impl Future<Output = Result<Option<Session>, StoreError>> + Send;

    /// Moves the session from `waiting` to `processing`, atomically: of any
    /// number of concurrent claims, from any instance, one is
    /// [`Claim::Claimed`].
    fn claim_session(
        &self,
        id: &SessionId,
    ) -> impl Future<Output = Result<Claim, StoreError>> + Send;

    /// Records the final state of a claimed session (complete or failed),
    /// keeping its expiry. A session deleted or expired meanwhile stays
    /// gone.
    fn finish_session(
        &self,
        id: &SessionId,
        outcome: &SessionOutcome,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Deletes the session; `false` if there was none.
    fn delete_session(
        &self,
        id: &SessionId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Records a challenge of the native API, usable once until
    /// `expires_at`. `false` if the same challenge is already recorded.
    fn create_challenge(
        &self,
        nonce: &[u8],
        expires_at: UnixMillis,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Consumes a challenge: `true` for the one caller that finds it issued,
    /// unexpired and unused; `false` for every other.
    fn consume_challenge(
        &self,
        nonce: &[u8],
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Checks and inserts a token's replay identifiers (spec §11.2): all
    /// absent → inserted, `Ok`; any present → `replay.seen`, nothing
    /// inserted; a store that cannot answer → `replay.store-unavailable`.
    fn claim_replay(
        &self,
        claim: &ReplayClaim<'_>,
    ) -> impl Future<Output = Result<(), ReplayError>> + Send;

    /// Whether the store answers (readiness).
    fn ping(&self) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The sessions held, when the store can count them cheaply (the
    /// memory store); `None` for a shared store.
    fn sessions_held(&self) -> Option<usize>;
}

/// The current time in milliseconds since the epoch (this instance's
/// clock).
pub fn now_millis() -> UnixMillis {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
