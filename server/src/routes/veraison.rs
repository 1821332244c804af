//! The Veraison challenge-response API v1 and its discovery document, as
//! Veraison's own clients use them (the reference's SOURCE.txt).
//!
//! Evidence is accepted exactly once per session: the first POST claims
//! the session atomically in the store (waiting → processing), from
//! whichever instance; every later POST is answered 409
//! (`server.session-used`), whatever the first one's outcome.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::json;

use super::{json_response, query_params, read_body};
use crate::app::App;
use crate::media::{self, EVIDENCE_TYPES, SESSION_JSON};
use crate::nonce;
use crate::problem::{Problem, ServerCode};
use crate::session::{Evidence, Session, SessionError, SessionId, SessionOutcome};
use crate::store::{now_millis, Claim, Store};
use crate::verify::{verify_and_appraise, Api};

/// Where sessions are created.
pub const NEW_SESSION: &str = "/challenge-response/v1/newSession";
/// The session resources.
pub const SESSION_PREFIX: &str = "/challenge-response/v1/session/";
/// The session route.
pub const SESSION: &str = "/challenge-response/v1/session/{id}";
/// The discovery document.
pub const DISCOVERY: &str = "/.well-known/veraison/verification";

/// The session JSON's media types, the Veraison one first.
const SESSION_TYPES: [&str; 2] = [SESSION_JSON, "application/json"];

pub fn routes<S: Store>() -> Router<Arc<App<S>>> {
    Router::new()
        .route(NEW_SESSION, post(new_session::<S>))
        .route(
            SESSION,
            get(get_session::<S>)
                .post(post_evidence::<S>)
                .delete(delete_session::<S>),
        )
        .route(DISCOVERY, get(discovery::<S>))
}

fn session_response(status: StatusCode, media_type: &str, session: &Session) -> Response {
    json_response(status, media_type, &session.to_json(&EVIDENCE_TYPES))
}

fn parse_id(text: &str) -> Result<SessionId, Problem> {
    SessionId::parse(text).ok_or_else(|| {
        Problem::new(
            ServerCode::BadSessionId,
            format!("{text:?} is not a session id (a UUID, lowercase, hyphenated)"),
        )
    })
}

fn not_found(id: &SessionId) -> Problem {
    Problem::new(
        ServerCode::SessionNotFound,
        format!("no session {id}: never created, deleted, or expired"),
    )
}

/// `POST newSession?nonce=…|nonceSize=…`: 201 with the session.
async fn new_session<S: Store>(
    State(app): State<Arc<App<S>>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let media_type = SESSION_TYPES[media::negotiate(&headers, &SESSION_TYPES)?];
    let params = query_params(query.as_deref(), &["nonce", "nonceSize"])?;
    let nonce = match (params.get("nonce"), params.get("nonceSize")) {
        (Some(_), Some(_)) => {
            return Err(Problem::new(
                ServerCode::NonceAndSize,
                "give nonce or nonceSize, not both",
            ))
        }
        (Some(n), None) => nonce::parse_nonce("nonce", n)?,
        (None, Some(size)) => nonce::random_nonce(nonce::parse_nonce_size(size)?)?,
        (None, None) => nonce::random_nonce(nonce::DEFAULT_NONCE_LEN)?,
    };
    let config = app.config();
    let lifetime = config.settings().session_lifetime;
    let expires_at = now_millis().saturating_add(i64::try_from(lifetime.as_millis()).unwrap_or(0));
    let session = Session::new(nonce, expires_at);
    app.store.create_session(&session).await.map_err(|e| {
        crate::metrics::store_error("create-session");
        Problem::store(&e)
    })?;
    app.sessions.created(expires_at.div_euclid(1000));
    let mut response = session_response(StatusCode::CREATED, media_type, &session);
    if let Ok(location) = HeaderValue::from_str(&format!("{SESSION_PREFIX}{}", session.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// `GET session/{id}`: 200 with the session, 404 if there is none.
async fn get_session<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let media_type = SESSION_TYPES[media::negotiate(&headers, &SESSION_TYPES)?];
    let session = app.store.session(&id).await.map_err(|e| {
        crate::metrics::store_error("get-session");
        Problem::store(&e)
    })?;
    let session = session.ok_or_else(|| not_found(&id))?;
    Ok(session_response(StatusCode::OK, media_type, &session))
}

/// `DELETE session/{id}`: 204, 404 if there is none.
async fn delete_session<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    let id = parse_id(&id)?;
    let deleted = app.store.delete_session(&id).await.map_err(|e| {
        crate::metrics::store_error("delete-session");
        Problem::store(&e)
    })?;
    if deleted {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(not_found(&id))
    }
}

/// `POST session/{id}` with the evidence: 200 with the session complete
/// and the EAR JWT as `result`.
///
/// The request is checked before the session is touched (id, Accept,
/// Content-Type, body), so a malformed request does not use up the
/// session; then the session is claimed, and from there the evidence's
/// fate is the session's: complete, or failed with the refusal's code.
async fn post_evidence<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let media_type = SESSION_TYPES[media::negotiate(&headers, &SESSION_TYPES)?];
    let content_type = media::content_type(&headers);
    let form = content_type
        .and_then(media::evidence_form)
        .ok_or_else(|| media::unsupported(content_type, &EVIDENCE_TYPES))?;
    let config = app.config();
    let body = read_body(body, body_limit(form, config.max_token_size())).await?;
    let token = media::unwrap_evidence(form, &body)?;
    let evidence = Evidence {
        media_type: content_type.unwrap_or_default().to_string(),
        value: body,
    };

    let session = match app.store.claim_session(&id).await {
        Err(e) => {
            crate::metrics::store_error("claim-session");
            return Err(Problem::store(&e));
        }
        Ok(Claim::NotFound) => return Err(not_found(&id)),
        Ok(Claim::AlreadyUsed(s)) => {
            return Err(Problem::new(
                ServerCode::SessionUsed,
                format!(
                    "evidence was already submitted to session {id} (now {}); evidence is accepted once per session",
                    s.status.name()
                ),
            ))
        }
        Ok(Claim::Claimed(s)) => s,
    };

    let verdict =
        verify_and_appraise(&app, &config, Api::Veraison, &token, &session.nonce, None).await;
    let signed = verdict.and_then(|result| {
        config
            .ear
            .sign_jwt(&result, config.verifier.ear_profile())
            .map_err(|e| Problem::from_library(&e))
    });
    let outcome = match &signed {
        Ok(jwt) => SessionOutcome::Complete {
            evidence,
            result: jwt.clone(),
        },
        Err(problem) => SessionOutcome::Failed {
            evidence,
            error: SessionError {
                code: problem.code().to_string(),
                detail: problem.detail().to_string(),
            },
        },
    };
    let finished = app.store.finish_session(&id, &outcome).await;
    if let Err(e) = &finished {
        crate::metrics::store_error("finish-session");
        tracing::warn!(session = %id, error = %e, "the session's outcome was not recorded");
    }
    // A refusal is answered as such; a result only once it is recorded.
    signed?;
    finished.map_err(|e| Problem::store(&e))?;
    Ok(session_response(
        StatusCode::OK,
        media_type,
        &session.finished(&outcome),
    ))
}

/// The largest body that can carry a token of `max_token` bytes in `form`.
pub fn body_limit(form: media::EvidenceForm, max_token: usize) -> usize {
    match form {
        media::EvidenceForm::Token => max_token,
        // base64url of the token and the type, in a JSON array.
        media::EvidenceForm::CmwJson => max_token.div_ceil(3) * 4 + 256,
        // The type, the byte string's head, the array's.
        media::EvidenceForm::CmwCbor => max_token + 256,
    }
}

/// `GET /.well-known/veraison/verification`: the discovery document.
async fn discovery<S: Store>(
    State(app): State<Arc<App<S>>>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let offers = [media::DISCOVERY_JSON, "application/json"];
    let media_type = offers[media::negotiate(&headers, &offers)?];
    let config = app.config();
    let state = if app.store_healthy() { "READY" } else { "DOWN" };
    let body = json!({
        "ear-verification-key": config.ear.verification_jwk(),
        "media-types": EVIDENCE_TYPES,
        "version": concat!("mtattest-server ", env!("CARGO_PKG_VERSION")),
        "service-state": state,
        "api-endpoints": {
            "newChallengeResponseSession": NEW_SESSION,
            "nativeChallenge": super::native::CHALLENGE,
            "nativeVerify": super::native::VERIFY,
        },
        "ear-verification-keys": config.ear.jwk_set(),
    });
    Ok(json_response(StatusCode::OK, media_type, &body).into_response())
}
