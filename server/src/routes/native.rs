//! The native API, for gateways that hold the challenge themselves: ask
//! for a challenge, hand it to the device, then submit the device's token
//! with it. A challenge is this service's and is consumed by the first
//! verification that names it, whatever its outcome.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde::Deserialize;
use serde_json::json;

use super::{json_response, query_params, read_body};
use crate::app::App;
use crate::media::{self, EvidenceForm, EVIDENCE_TYPES};
use crate::nonce;
use crate::problem::{Problem, ServerCode};
use crate::session::rfc3339;
use crate::store::{now_millis, Store};
use crate::verify::{verify_and_appraise, Api};

/// Where challenges are issued.
pub const CHALLENGE: &str = "/v1/challenge";
/// Where tokens are verified.
pub const VERIFY: &str = "/v1/verify";

const JSON: &str = "application/json";

pub fn routes<S: Store>() -> Router<Arc<App<S>>> {
    Router::new()
        .route(CHALLENGE, post(challenge::<S>))
        .route(VERIFY, post(verify::<S>))
}

/// `POST /v1/challenge[?nonceSize=N]`: a new challenge, usable once.
async fn challenge<S: Store>(
    State(app): State<Arc<App<S>>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    media::negotiate(&headers, &[JSON])?;
    let params = query_params(query.as_deref(), &["nonceSize"])?;
    let size = match params.get("nonceSize") {
        Some(s) => nonce::parse_nonce_size(s)?,
        None => nonce::DEFAULT_NONCE_LEN,
    };
    let lifetime = app.config().settings().challenge_lifetime;
    let expires_at = now_millis().saturating_add(i64::try_from(lifetime.as_millis()).unwrap_or(0));
    // A collision of random nonces is not expected; one more draw covers it.
    for _ in 0..2 {
        let nonce = nonce::random_nonce(size)?;
        let created = app
            .store
            .create_challenge(&nonce, expires_at)
            .await
            .map_err(|e| {
                crate::metrics::store_error("create-challenge");
                Problem::store(&e)
            })?;
        if created {
            let body = json!({"nonce": nonce::encode(&nonce), "expires": rfc3339(expires_at)});
            return Ok(json_response(StatusCode::OK, JSON, &body));
        }
    }
    Err(Problem::new(
        ServerCode::Internal,
        "the random generator repeated itself",
    ))
}

/// The JSON request of `/v1/verify`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VerifyRequest {
    /// The token, base64 (either alphabet, padded or not).
    token: String,
    /// The challenge from `/v1/challenge`, base64.
    nonce: String,
    /// The policy's name (default: the configured default policy).
    #[serde(default)]
    policy: Option<String>,
}

/// What `/v1/verify` answers with, by `Accept`.
const RESULT_TYPES: [&str; 3] = [JSON, "application/eat+jwt", "application/eat+cwt"];

/// `POST /v1/verify`: the token (JSON `{token, nonce, policy}`, or the raw
/// token with `?nonce=…&policy=…`) → the EAR as JSON, JWT or COSE by
/// `Accept`.
async fn verify<S: Store>(
    State(app): State<Arc<App<S>>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    let answer_as = media::negotiate(&headers, &RESULT_TYPES)?;
    let config = app.config();
    let content_type = media::content_type(&headers);
    let is_json = content_type
        .and_then(|t| t.parse::<mime::Mime>().ok())
        .is_some_and(|m| m.essence_str() == JSON);
    let form = content_type.and_then(media::evidence_form);
    let mut accepted = vec![JSON];
    accepted.extend(EVIDENCE_TYPES);
    let (token, nonce, policy) = if is_json {
        let limit = config.max_token_size().div_ceil(3) * 4 + 1024;
        let body = read_body(body, limit).await?;
        let request: VerifyRequest = serde_json::from_slice(&body).map_err(|e| {
            Problem::new(
                ServerCode::BadJson,
                format!("expected {{\"token\", \"nonce\", \"policy\"?}}: {e}"),
            )
        })?;
        query_params(query.as_deref(), &[])?;
        let token = nonce::decode_base64_any(&request.token).ok_or_else(|| {
            Problem::new(
                ServerCode::BadTokenEncoding,
                "token is not base64 (standard or URL-safe alphabet, padded or not)",
            )
        })?;
        let nonce = nonce::parse_nonce("nonce", &request.nonce)?;
        (token, nonce, request.policy)
    } else {
        let form: EvidenceForm = form.ok_or_else(|| media::unsupported(content_type, &accepted))?;
        let params = query_params(query.as_deref(), &["nonce", "policy"])?;
        let body = read_body(
            body,
            super::veraison::body_limit(form, config.max_token_size()),
        )
        .await?;
        let token = media::unwrap_evidence(form, &body)?;
        let nonce = params.get("nonce").ok_or_else(|| {
            Problem::new(ServerCode::BadNonce, "the nonce query parameter is missing")
        })?;
        let nonce = nonce::parse_nonce("nonce", nonce)?;
        (token, nonce, params.get("policy").cloned())
    };
    if token.is_empty() {
        return Err(Problem::new(ServerCode::EmptyBody, "the token is empty"));
    }
    // An unknown policy is the caller's mistake: refused before the
    // challenge is used up.
    if let Some(name) = &policy {
        config
            .verifier
            .policy(name)
            .map_err(|e| Problem::from_library(&e))?;
    }
    let consumed = app.store.consume_challenge(&nonce).await.map_err(|e| {
        crate::metrics::store_error("consume-challenge");
        Problem::store(&e)
    })?;
    if !consumed {
        return Err(Problem::new(
            ServerCode::UnknownChallenge,
            "the nonce was not issued by this service, was used already, or expired",
        ));
    }
    let result = verify_and_appraise(
        &app,
        &config,
        Api::Native,
        &token,
        &nonce,
        policy.as_deref(),
    )
    .await?;
    let profile = config.verifier.ear_profile();
    let library = |e: mtattest::Error| Problem::from_library(&e);
    let profiled = |base: &str| format!("{base}; eat_profile=\"{}\"", profile.profile());
    Ok(match answer_as {
        0 => json_response(StatusCode::OK, JSON, &result.to_json_value_as(profile)),
        1 => typed(
            profiled("application/eat+jwt"),
            config
                .ear
                .sign_jwt(&result, profile)
                .map_err(library)?
                .into_bytes(),
        ),
        _ => typed(
            profiled("application/eat+cwt"),
            config.ear.sign_cwt(&result, profile).map_err(library)?,
        ),
    })
}

fn typed(media_type: String, body: Vec<u8>) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    if let Ok(v) = HeaderValue::from_str(&media_type) {
        response.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    response
}
