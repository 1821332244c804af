//! The embedded store: everything in this process, for one instance.
//! Sessions and challenges sit in maps behind a mutex with an index by
//! expiry, so expired entries are dropped in order as time passes; replay
//! identifiers go to the library's in-memory cache (spec §11.2.1).

use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, MutexGuard};

use mtattest::appraisal::{MemoryReplayCache, ReplayCache as _, ReplayError};

use super::{now_millis, Claim, ReplayClaim, Store, StoreError, UnixMillis};
use crate::session::{Session, SessionId, SessionOutcome, SessionStatus};

/// Sessions, challenges and their expiry index.
#[derive(Default)]
struct Maps {
    sessions: HashMap<SessionId, Session>,
    challenges: HashMap<Vec<u8>, UnixMillis>,
    /// (expiry, session) pairs, earliest first.
    session_expiry: BTreeSet<(UnixMillis, SessionId)>,
    /// (expiry, challenge) pairs, earliest first.
    challenge_expiry: BTreeSet<(UnixMillis, Vec<u8>)>,
}

impl Maps {
    /// Drops everything that expired at or before `now`.
    fn expire(&mut self, now: UnixMillis) {
        while let Some((at, id)) = self.session_expiry.first().cloned() {
            if at > now {
                break;
            }
            self.session_expiry.pop_first();
            if self.sessions.get(&id).is_some_and(|s| s.expires_at == at) {
                self.sessions.remove(&id);
            }
        }
        while let Some((at, nonce)) = self.challenge_expiry.first().cloned() {
            if at > now {
                break;
            }
            self.challenge_expiry.pop_first();
            if self.challenges.get(&nonce) == Some(&at) {
                self.challenges.remove(&nonce);
            }
        }
    }
}

/// The in-process store.
pub struct MemoryStore {
    maps: Mutex<Maps>,
    replay: MemoryReplayCache,
}

impl MemoryStore {
    /// A store whose replay cache is `replay` (sized for the service's
    /// peak rate and freshness).
    pub fn new(replay: MemoryReplayCache) -> MemoryStore {
        MemoryStore {
            maps: Mutex::new(Maps::default()),
            replay,
        }
    }

    /// The maps, with everything expired dropped. A poisoned lock (a panic
    /// while it was held) is a store that cannot answer.
    fn maps(&self) -> Result<MutexGuard<'_, Maps>, StoreError> {
        let mut maps = self
            .maps
            .lock()
            .map_err(|_| StoreError::new("the memory store's lock is poisoned"))?;
        maps.expire(now_millis());
        Ok(maps)
    }
}

impl Store for MemoryStore {
    async fn create_session(&self, session: &Session) -> Result<(), StoreError> {
        let mut maps = self.maps()?;
        if maps.sessions.contains_key(&session.id) {
            return Err(StoreError::new("session id collision"));
        }
        maps.session_expiry.insert((session.expires_at, session.id));
        maps.sessions.insert(session.id, session.clone());
        Ok(())
    }

    async fn session(&self, id: &SessionId) -> Result<Option<Session>, StoreError> {
        Ok(self.maps()?.sessions.get(id).cloned())
    }

    async fn claim_session(&self, id: &SessionId) -> Result<Claim, StoreError> {
        let mut maps = self.maps()?;
        let Some(session) = maps.sessions.get_mut(id) else {
            return Ok(Claim::NotFound);
        };
        if session.status != SessionStatus::Waiting {
            return Ok(Claim::AlreadyUsed(session.clone()));
        }
        let claimed = session.clone();
        session.status = SessionStatus::Processing;
        Ok(Claim::Claimed(claimed))
    }

    async fn finish_session(
        &self,
        id: &SessionId,
        outcome: &SessionOutcome,
    ) -> Result<(), StoreError> {
        let mut maps = self.maps()?;
        if let Some(session) = maps.sessions.get_mut(id) {
            if session.status == SessionStatus::Processing {
                *session = session.clone().finished(outcome);
            }
        }
        Ok(())
    }

    async fn delete_session(&self, id: &SessionId) -> Result<bool, StoreError> {
        let mut maps = self.maps()?;
        match maps.sessions.remove(id) {
            Some(s) => {
                maps.session_expiry.remove(&(s.expires_at, s.id));
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn create_challenge(
        &self,
        nonce: &[u8],
        expires_at: UnixMillis,
    ) -> Result<bool, StoreError> {
        let mut maps = self.maps()?;
        if maps.challenges.contains_key(nonce) {
            return Ok(false);
        }
        maps.challenges.insert(nonce.to_vec(), expires_at);
        maps.challenge_expiry.insert((expires_at, nonce.to_vec()));
        Ok(true)
    }

    async fn consume_challenge(&self, nonce: &[u8]) -> Result<bool, StoreError> {
        let mut maps = self.maps()?;
        match maps.challenges.remove(nonce) {
            Some(at) => {
                maps.challenge_expiry.remove(&(at, nonce.to_vec()));
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn claim_replay(&self, claim: &ReplayClaim<'_>) -> Result<(), ReplayError> {
        self.replay
            .check_and_insert(claim.ids, claim.live_until, claim.now)
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.maps().map(drop)
    }

    fn sessions_held(&self) -> Option<usize> {
        self.maps().ok().map(|m| m.sessions.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> MemoryStore {
        MemoryStore::new(MemoryReplayCache::new(100))
    }

    fn block<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn a_session_is_claimed_once_and_expires() {
        block(async {
            let s = store();
            let session = Session::new(vec![1; 8], now_millis() + 60_000);
            s.create_session(&session).await.unwrap();
            assert_eq!(
                s.claim_session(&session.id).await.unwrap(),
                Claim::Claimed(session.clone())
            );
            assert!(matches!(
                s.claim_session(&session.id).await.unwrap(),
                Claim::AlreadyUsed(u) if u.status == SessionStatus::Processing
            ));
            assert!(s.delete_session(&session.id).await.unwrap());
            assert_eq!(s.claim_session(&session.id).await.unwrap(), Claim::NotFound);
            assert!(!s.delete_session(&session.id).await.unwrap());

            let expired = Session::new(vec![2; 8], now_millis() - 1);
            s.create_session(&expired).await.unwrap();
            assert_eq!(s.session(&expired.id).await.unwrap(), None);
            assert_eq!(s.claim_session(&expired.id).await.unwrap(), Claim::NotFound);
            assert_eq!(s.sessions_held(), Some(0));
        });
    }

    #[test]
    fn a_challenge_is_consumed_once_and_expires() {
        block(async {
            let s = store();
            assert!(s
                .create_challenge(b"12345678", now_millis() + 60_000)
                .await
                .unwrap());
            assert!(!s
                .create_challenge(b"12345678", now_millis() + 60_000)
                .await
                .unwrap());
            assert!(s.consume_challenge(b"12345678").await.unwrap());
            assert!(!s.consume_challenge(b"12345678").await.unwrap());
            assert!(s
                .create_challenge(b"87654321", now_millis() - 1)
                .await
                .unwrap());
            assert!(!s.consume_challenge(b"87654321").await.unwrap());
            assert!(!s.consume_challenge(b"never issued").await.unwrap());
        });
    }
}
