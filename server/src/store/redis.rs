//! The shared store: Redis (6.2 or later), for any number of instances.
//!
//! Keys are namespaced by the configured prefix and hash-tagged for Redis
//! Cluster, so everything one atomic operation touches lives on one shard:
//!
//! | key | holds | expires |
//! |---|---|---|
//! | `P:session:{ID}` | the session (hash) | at its expiry (`PEXPIREAT`) |
//! | `P:challenge:{HEX}` | a native challenge | at its expiry (`SET … NX PXAT`) |
//! | `P:replay:{PARTITION}:ID16` | a replay identifier (first 16 bytes) | deadline + margin, by Redis's clock |
//!
//! Each decision is one server-side step: a session is claimed by a Lua
//! script that moves it from `waiting` to `processing` only if it is
//! waiting; a challenge is consumed by `DEL` (1 for exactly one caller);
//! a token's replay identifiers — all in the signer's partition — are
//! checked and inserted by one script (spec §11.2.2). Every call is bounded
//! by the store timeout; no answer is an error, never a "yes".

use std::collections::HashMap;
use std::time::Duration;

use mtattest::appraisal::ReplayError;
use mtattest::encoding::to_hex;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{AsyncCommands as _, Script};

use super::{Claim, ReplayClaim, Store, StoreError, UnixMillis};
use crate::session::{Evidence, Session, SessionError, SessionId, SessionOutcome, SessionStatus};

/// Creates a session hash unless the key exists, and sets its expiry.
const CREATE_SESSION: &str = r"
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIREAT', KEYS[1], ARGV[1])
return 1
";

/// Returns the session as it is and, if it is waiting, marks it
/// processing: of concurrent callers exactly one sees `waiting`.
const CLAIM_SESSION: &str = r"
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {} end
local all = redis.call('HGETALL', KEYS[1])
if status == 'waiting' then redis.call('HSET', KEYS[1], 'status', 'processing') end
return all
";

/// Records the final state of a session still processing (its expiry is
/// kept: HSET does not touch it).
const FINISH_SESSION: &str = r"
if redis.call('HGET', KEYS[1], 'status') ~= 'processing' then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
";

/// The replay step of spec §11.2.2. ARGV: the verifier's time (ms), the
/// margin (ms), the expiry (ms, by Redis's clock).
const CLAIM_REPLAY: &str = r"
for i = 1, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then return 'seen' end
end
local t = redis.call('TIME')
local store_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if tonumber(ARGV[1]) < store_ms - tonumber(ARGV[2]) then
  return 'regressed:' .. tostring(store_ms)
end
for i = 1, #KEYS do
  redis.call('SET', KEYS[i], '1', 'PXAT', ARGV[3])
end
return 'ok'
";

/// The Redis store.
pub struct RedisStore {
    connection: ConnectionManager,
    prefix: String,
    timeout: Duration,
    margin: Duration,
    create_session: Script,
    claim_session: Script,
    finish_session: Script,
    claim_replay: Script,
}

fn store_error(e: impl std::fmt::Display) -> StoreError {
    StoreError::new(format!("redis: {e}"))
}

impl RedisStore {
    /// A store on the Redis at `url`, its keys under `prefix`. It connects
    /// lazily and reconnects by itself; each operation waits at most
    /// `timeout`. `margin` is the replay clock margin (spec §11.2.2).
    pub fn new(
        url: &str,
        prefix: &str,
        timeout: Duration,
        margin: Duration,
    ) -> Result<RedisStore, StoreError> {
        let client = redis::Client::open(url).map_err(store_error)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout))
            .set_number_of_retries(1)
            .set_min_delay(Duration::from_millis(50))
            .set_max_delay(Duration::from_millis(500));
        let connection =
            ConnectionManager::new_lazy_with_config(client, config).map_err(store_error)?;
        Ok(RedisStore {
            connection,
            prefix: prefix.to_string(),
            timeout,
            margin,
            create_session: Script::new(CREATE_SESSION),
            claim_session: Script::new(CLAIM_SESSION),
            finish_session: Script::new(FINISH_SESSION),
            claim_replay: Script::new(CLAIM_REPLAY),
        })
    }

    fn session_key(&self, id: &SessionId) -> String {
        format!("{}:session:{{{id}}}", self.prefix)
    }

    fn challenge_key(&self, nonce: &[u8]) -> String {
        format!("{}:challenge:{{{}}}", self.prefix, to_hex(nonce))
    }

    /// Runs `op` on a connection, bounded by the timeout.
    async fn run<T, F, Fut>(&self, op: F) -> Result<T, StoreError>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: std::future::Future<Output = redis::RedisResult<T>>,
    {
        match tokio::time::timeout(self.timeout, op(self.connection.clone())).await {
            Ok(result) => result.map_err(store_error),
            Err(_) => Err(StoreError::new(format!(
                "redis did not answer within {} ms",
                self.timeout.as_millis()
            ))),
        }
    }
}

/// A session as hash fields.
fn session_fields(session: &Session) -> Vec<(&'static str, Vec<u8>)> {
    let mut fields = vec![
        ("nonce", session.nonce.clone()),
        ("expires", session.expires_at.to_string().into_bytes()),
        ("status", session.status.name().as_bytes().to_vec()),
    ];
    if let Some(e) = &session.evidence {
        fields.push(("evidence-type", e.media_type.clone().into_bytes()));
        fields.push(("evidence", e.value.clone()));
    }
    if let Some(r) = &session.result {
        fields.push(("result", r.clone().into_bytes()));
    }
    if let Some(e) = &session.error {
        fields.push(("error-code", e.code.clone().into_bytes()));
        fields.push(("error-detail", e.detail.clone().into_bytes()));
    }
    fields
}

/// The session of `id` from its hash fields; `None` for an empty hash.
fn session_from(
    id: SessionId,
    mut h: HashMap<String, Vec<u8>>,
) -> Result<Option<Session>, StoreError> {
    if h.is_empty() {
        return Ok(None);
    }
    let corrupt = |what: &str| StoreError::new(format!("session {id}: unreadable {what}"));
    let text = |v: Vec<u8>| String::from_utf8(v).ok();
    let nonce = h.remove("nonce").ok_or_else(|| corrupt("nonce"))?;
    let expires_at = h
        .remove("expires")
        .and_then(text)
        .and_then(|t| t.parse::<UnixMillis>().ok())
        .ok_or_else(|| corrupt("expiry"))?;
    let status = h
        .remove("status")
        .and_then(text)
        .and_then(|t| SessionStatus::from_name(&t))
        .ok_or_else(|| corrupt("status"))?;
    let evidence = match (
        h.remove("evidence-type").and_then(text),
        h.remove("evidence"),
    ) {
        (Some(media_type), Some(value)) => Some(Evidence { media_type, value }),
        _ => None,
    };
    let result = h.remove("result").and_then(text);
    let error = match (
        h.remove("error-code").and_then(text),
        h.remove("error-detail").and_then(text),
    ) {
        (Some(code), Some(detail)) => Some(SessionError { code, detail }),
        _ => None,
    };
    Ok(Some(Session {
        id,
        nonce,
        expires_at,
        status,
        evidence,
        result,
        error,
    }))
}

/// The expiry of a replay identifier, in Redis-clock ms: the end of the
/// deadline's second plus the margin (clamped far beyond any real time).
fn replay_expiry_ms(live_until_secs: i64, margin: Duration) -> i64 {
    const LATEST: i64 = 1 << 52;
    live_until_secs
        .checked_add(1)
        .and_then(|s| s.checked_mul(1000))
        .and_then(|ms| ms.checked_add(i64::try_from(margin.as_millis()).ok()?))
        .map_or(LATEST, |ms| ms.min(LATEST))
}

impl Store for RedisStore {
    async fn create_session(&self, session: &Session) -> Result<(), StoreError> {
        let key = self.session_key(&session.id);
        let mut invocation = self.create_session.key(key);
        invocation.arg(session.expires_at);
        for (name, value) in session_fields(session) {
            invocation.arg(name).arg(value);
        }
        let created: i64 = self
            .run(|mut c| async move { invocation.invoke_async(&mut c).await })
            .await?;
        if created == 1 {
            Ok(())
        } else {
            Err(StoreError::new("session id collision"))
        }
    }

    async fn session(&self, id: &SessionId) -> Result<Option<Session>, StoreError> {
        let key = self.session_key(id);
        let h: HashMap<String, Vec<u8>> = self
            .run(|mut c| async move { c.hgetall(key).await })
            .await?;
        session_from(*id, h)
    }

    async fn claim_session(&self, id: &SessionId) -> Result<Claim, StoreError> {
        let invocation = self.claim_session.key(self.session_key(id));
        let h: HashMap<String, Vec<u8>> = self
            .run(|mut c| async move { invocation.invoke_async(&mut c).await })
            .await?;
        Ok(match session_from(*id, h)? {
            None => Claim::NotFound,
            Some(s) if s.status == SessionStatus::Waiting => Claim::Claimed(s),
            Some(s) => Claim::AlreadyUsed(s),
        })
    }

    async fn finish_session(
        &self,
        id: &SessionId,
        outcome: &SessionOutcome,
    ) -> Result<(), StoreError> {
        // Only the fields the outcome sets; the claim script read the rest.
        let mut finished = Session::new(Vec::new(), 0).finished(outcome);
        finished.id = *id;
        let mut invocation = self.finish_session.key(self.session_key(id));
        for (name, value) in session_fields(&finished) {
            if !matches!(name, "nonce" | "expires") {
                invocation.arg(name).arg(value);
            }
        }
        let _: i64 = self
            .run(|mut c| async move { invocation.invoke_async(&mut c).await })
            .await?;
        Ok(())
    }

    async fn delete_session(&self, id: &SessionId) -> Result<bool, StoreError> {
        let key = self.session_key(id);
        let n: i64 = self.run(|mut c| async move { c.del(key).await }).await?;
        Ok(n == 1)
    }

    async fn create_challenge(
        &self,
        nonce: &[u8],
        expires_at: UnixMillis,
    ) -> Result<bool, StoreError> {
        let key = self.challenge_key(nonce);
        let set: Option<String> = self
            .run(|mut c| async move {
                redis::cmd("SET")
                    .arg(key)
                    .arg(1)
                    .arg("NX")
                    .arg("PXAT")
                    .arg(expires_at)
                    .query_async(&mut c)
                    .await
            })
            .await?;
        Ok(set.is_some())
    }

    async fn consume_challenge(&self, nonce: &[u8]) -> Result<bool, StoreError> {
        let key = self.challenge_key(nonce);
        let n: i64 = self.run(|mut c| async move { c.del(key).await }).await?;
        Ok(n == 1)
    }

    async fn claim_replay(&self, claim: &ReplayClaim<'_>) -> Result<(), ReplayError> {
        let partition = to_hex(claim.partition.as_bytes());
        let mut invocation = self.claim_replay.prepare_invoke();
        for id in claim.ids {
            let id16 = to_hex(&id.as_bytes()[..16]);
            invocation.key(format!("{}:replay:{{{partition}}}:{id16}", self.prefix));
        }
        // The last millisecond of the verification second: the check of
        // spec §11.2.2 needs only that the token is acceptable at it.
        let now_ms = claim.now.secs().saturating_mul(1000).saturating_add(999);
        let margin_ms = i64::try_from(self.margin.as_millis()).unwrap_or(i64::MAX);
        invocation
            .arg(now_ms)
            .arg(margin_ms)
            .arg(replay_expiry_ms(claim.live_until.secs(), self.margin));
        let answer: String = self
            .run(|mut c| async move { invocation.invoke_async(&mut c).await })
            .await
            .map_err(|e| ReplayError::StoreUnavailable { reason: e.reason })?;
        match answer.as_str() {
            "ok" => Ok(()),
            "seen" => Err(ReplayError::Seen),
            other => match other.strip_prefix("regressed:").map(str::parse::<i64>) {
                Some(Ok(store_ms)) => Err(ReplayError::ClockRegressed {
                    live_until: claim.live_until.secs(),
                    forgotten_through: (store_ms - margin_ms).div_euclid(1000),
                }),
                _ => Err(ReplayError::StoreUnavailable {
                    reason: format!("redis: unexpected replay answer {other:?}"),
                }),
            },
        }
    }

    async fn ping(&self) -> Result<(), StoreError> {
        let pong: String = self
            .run(|mut c| async move { redis::cmd("PING").query_async(&mut c).await })
            .await?;
        if pong == "PONG" {
            Ok(())
        } else {
            Err(StoreError::new(format!("redis: PING answered {pong:?}")))
        }
    }

    fn sessions_held(&self) -> Option<usize> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replay_expiry_is_the_deadlines_end_plus_the_margin() {
        let m = Duration::from_secs(60);
        assert_eq!(replay_expiry_ms(1_000, m), 1_001_000 + 60_000);
        assert_eq!(replay_expiry_ms(i64::MAX, m), 1 << 52);
        assert_eq!(replay_expiry_ms(i64::MAX / 1000, m), 1 << 52);
    }

    #[test]
    fn a_session_round_trips_through_its_fields() {
        let mut s = Session::new(vec![0, 255, 7, 7, 7, 7, 7, 7], 1_900_000_000_000);
        s = s.finished(&SessionOutcome::Failed {
            evidence: Evidence {
                media_type: "application/eat+cwt".into(),
                value: vec![0xd2, 0x00, 0xff],
            },
            error: SessionError {
                code: "token.bad-signature".into(),
                detail: "signature does not verify".into(),
            },
        });
        let h = session_fields(&s)
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        assert_eq!(session_from(s.id, h).unwrap(), Some(s.clone()));
        assert_eq!(session_from(s.id, HashMap::new()).unwrap(), None);
    }
}
