//! A challenge-response session of the Veraison API: its identifier, nonce,
//! expiry, state, and once evidence was posted, the evidence and the result.
//! The JSON form is the one Veraison's clients read (the reference's
//! SOURCE.txt): `status` always present, the nonce in standard base64,
//! `expiry` in RFC 3339 with a time zone, `result` a JWT string.

use base64::Engine as _;
use mtattest::encoding::format_rfc3339;
use mtattest::UnixTime;
use serde_json::{json, Map, Value};

use crate::store::UnixMillis;

/// A session identifier: a random (version 4) UUID, written and accepted
/// only in its canonical form (lowercase, hyphenated), so one session has
/// one spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId(uuid::Uuid);

impl SessionId {
    /// A new random identifier.
    pub fn random() -> SessionId {
        SessionId(uuid::Uuid::new_v4())
    }

    /// The identifier written as `text`, if `text` is one in canonical
    /// form.
    pub fn parse(text: &str) -> Option<SessionId> {
        let id = uuid::Uuid::try_parse(text).ok()?;
        let canonical = id.hyphenated().to_string();
        (canonical == text).then_some(SessionId(id))
    }
}

impl std::fmt::Display for SessionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0.hyphenated())
    }
}

/// The session's state (`waiting` → `processing` → `complete` | `failed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionStatus {
    /// Created; evidence may be posted.
    Waiting,
    /// Evidence was posted and is being verified.
    Processing,
    /// Verified and appraised: the result is there.
    Complete,
    /// The evidence was refused: the error is there.
    Failed,
}

impl SessionStatus {
    /// The name on the wire.
    pub fn name(self) -> &'static str {
        match self {
            SessionStatus::Waiting => "waiting",
            SessionStatus::Processing => "processing",
            SessionStatus::Complete => "complete",
            SessionStatus::Failed => "failed",
        }
    }

    /// The state called `name`.
    pub fn from_name(name: &str) -> Option<SessionStatus> {
        [
            SessionStatus::Waiting,
            SessionStatus::Processing,
            SessionStatus::Complete,
            SessionStatus::Failed,
        ]
        .into_iter()
        .find(|s| s.name() == name)
    }
}

/// Evidence as posted: its media type and bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    /// The Content-Type it was posted with.
    pub media_type: String,
    /// The body.
    pub value: Vec<u8>,
}

/// Why the evidence of a failed session was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionError {
    /// The mtattest error code.
    pub code: String,
    /// The explanation.
    pub detail: String,
}

/// A session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Its identifier.
    pub id: SessionId,
    /// The challenge: the only nonce a token posted to it may carry.
    pub nonce: Vec<u8>,
    /// When it expires and may be forgotten.
    pub expires_at: UnixMillis,
    /// Its state.
    pub status: SessionStatus,
    /// The evidence, once posted.
    pub evidence: Option<Evidence>,
    /// The EAR as a signed JWT, once complete.
    pub result: Option<String>,
    /// Why the evidence was refused, once failed.
    pub error: Option<SessionError>,
}

/// How a claimed session ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionOutcome {
    /// Verified and appraised.
    Complete {
        /// The evidence.
        evidence: Evidence,
        /// The EAR JWT.
        result: String,
    },
    /// Refused.
    Failed {
        /// The evidence.
        evidence: Evidence,
        /// Why.
        error: SessionError,
    },
}

impl Session {
    /// A new `waiting` session for `nonce`, expiring at `expires_at`.
    pub fn new(nonce: Vec<u8>, expires_at: UnixMillis) -> Session {
        Session {
            id: SessionId::random(),
            nonce,
            expires_at,
            status: SessionStatus::Waiting,
            evidence: None,
            result: None,
            error: None,
        }
    }

    /// The session once `outcome` is applied.
    pub fn finished(mut self, outcome: &SessionOutcome) -> Session {
        match outcome {
            SessionOutcome::Complete { evidence, result } => {
                self.status = SessionStatus::Complete;
                self.evidence = Some(evidence.clone());
                self.result = Some(result.clone());
            }
            SessionOutcome::Failed { evidence, error } => {
                self.status = SessionStatus::Failed;
                self.evidence = Some(evidence.clone());
                self.error = Some(error.clone());
            }
        }
        self
    }

    /// The session's JSON (media type
    /// `application/vnd.veraison.challenge-response-session+json`), with
    /// `accept` the evidence media types the service takes.
    pub fn to_json(&self, accept: &[&str]) -> Value {
        let b64 = base64::engine::general_purpose::STANDARD;
        let mut m = Map::new();
        m.insert("nonce".into(), b64.encode(&self.nonce).into());
        m.insert("expiry".into(), rfc3339(self.expires_at).into());
        m.insert("accept".into(), json!(accept));
        m.insert("status".into(), self.status.name().into());
        if let Some(e) = &self.evidence {
            m.insert(
                "evidence".into(),
                json!({"type": e.media_type, "value": b64.encode(&e.value)}),
            );
        }
        if let Some(r) = &self.result {
            m.insert("result".into(), r.as_str().into());
        }
        if let Some(e) = &self.error {
            m.insert("error".into(), json!({"code": e.code, "detail": e.detail}));
        }
        Value::Object(m)
    }
}

/// `at` in RFC 3339, UTC, with milliseconds (`2030-10-12T07:20:50.520Z`):
/// the library's one RFC 3339 writer (`mtattest::encoding`) for the
/// seconds. Times before 1970 are written as 1970, times past 9999 (which
/// RFC 3339 cannot write) as its last millisecond.
pub fn rfc3339(at: UnixMillis) -> String {
    let at = at.max(0);
    let (secs, millis) = (at.div_euclid(1000), at.rem_euclid(1000));
    match format_rfc3339(UnixTime::from_secs(secs)) {
        Some(seconds) => format!("{}.{millis:03}Z", seconds.trim_end_matches('Z')),
        None => "9999-12-31T23:59:59.999Z".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_spelling_per_session_id() {
        let id = SessionId::random();
        let text = id.to_string();
        assert_eq!(SessionId::parse(&text), Some(id));
        assert_eq!(SessionId::parse(&text.to_uppercase()), None);
        assert_eq!(SessionId::parse(&text.replace('-', "")), None);
        assert_eq!(SessionId::parse(&format!("{{{text}}}")), None);
        assert_eq!(SessionId::parse("1234567890"), None);
        assert_eq!(SessionId::parse(""), None);
    }

    #[test]
    fn the_json_veraison_clients_read() {
        let mut s = Session::new(vec![0xfb; 9], 1_900_000_000_520);
        let j = s.to_json(&["application/eat+cwt"]);
        // Standard alphabet: 0xfb 0xfb 0xfb is "+/v7".
        assert_eq!(j["nonce"], "+/v7+/v7+/v7");
        assert_eq!(j["expiry"], "2030-03-17T17:46:40.520Z");
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_767_225_600_007), "2026-01-01T00:00:00.007Z");
        assert_eq!(rfc3339(-5), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(i64::MAX), "9999-12-31T23:59:59.999Z");
        assert_eq!(j["status"], "waiting");
        assert_eq!(j["accept"][0], "application/eat+cwt");
        assert!(j.get("result").is_none());
        s = s.finished(&SessionOutcome::Complete {
            evidence: Evidence {
                media_type: "application/eat+cwt".into(),
                value: vec![0xd2, 0x84],
            },
            result: "a.b.c".into(),
        });
        let j = s.to_json(&[]);
        assert_eq!(j["status"], "complete");
        assert_eq!(j["evidence"]["value"], "0oQ=");
        assert_eq!(j["result"], "a.b.c");
    }
}
