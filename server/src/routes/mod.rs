//! The HTTP surface: the Veraison challenge-response API and discovery, the
//! native API, and the operations endpoints, behind one stack of layers —
//! request ids, tracing, a caught panic answered 500, the request time
//! limit, and response counting. Handlers only translate between HTTP and
//! the library; every problem is `application/problem+json`.

mod native;
mod ops;
mod veraison;

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::app::App;
use crate::metrics;
use crate::problem::{Problem, ServerCode};
use crate::store::Store;

/// The request id header, set when the client sent none and echoed back.
pub const REQUEST_ID: &str = "x-request-id";

/// Every path the service serves, as its router spells them.
pub const PATHS: [&str; 8] = [
    veraison::NEW_SESSION,
    veraison::SESSION,
    veraison::DISCOVERY,
    native::CHALLENGE,
    native::VERIFY,
    ops::HEALTHZ,
    ops::READYZ,
    ops::METRICS,
];

/// The service's routes, without the layers.
pub fn routes<S: Store>() -> Router<Arc<App<S>>> {
    Router::new()
        .merge(veraison::routes())
        .merge(native::routes())
        .merge(ops::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
}

/// The service: its routes and every layer, on `app`.
pub fn service<S: Store>(app: Arc<App<S>>) -> Router {
    with_layers(routes(), app)
}

/// `routes` with the service's layers, on `app` (tests add routes of
/// their own to check the layers).
pub fn with_layers<S: Store>(routes: Router<Arc<App<S>>>, app: Arc<App<S>>) -> Router {
    let request_id = HeaderName::from_static(REQUEST_ID);
    let layers = ServiceBuilder::new()
        .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request<Body>| {
                    let id = request
                        .headers()
                        .get(REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("");
                    tracing::info_span!(
                        "request",
                        request_id = %id,
                        method = %request.method(),
                        path = %request.uri().path(),
                    )
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::new(request_id))
        .layer(middleware::from_fn(count_responses))
        .layer(CatchPanicLayer::custom(panicked))
        .layer(middleware::from_fn_with_state(app.clone(), time_limit::<S>));
    routes.layer(layers).with_state(app)
}

async fn not_found() -> Problem {
    Problem::new(ServerCode::NotFound, "no such endpoint")
}

async fn method_not_allowed() -> Problem {
    Problem::new(
        ServerCode::MethodNotAllowed,
        "this endpoint does not take this method",
    )
}

fn panicked(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked; answered 500");
    Problem::new(
        ServerCode::Internal,
        "the request failed inside the service; nothing was decided",
    )
    .into_response()
}

async fn count_responses(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    metrics::response(response.status().as_u16());
    response
}

/// Answers 503 when a request takes longer than the configured limit
/// (reading the body included).
async fn time_limit<S: Store>(
    State(app): State<Arc<App<S>>>,
    request: Request,
    next: Next,
) -> Response {
    let limit = app.config().settings().request_timeout;
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => Problem::new(
            ServerCode::Timeout,
            format!(
                "the request took longer than {} s; nothing was decided",
                limit.as_secs()
            ),
        )
        .into_response(),
    }
}

/// Reads a request body of at most `limit` bytes: 413 beyond, 400 when
/// empty.
pub async fn read_body(body: Body, limit: usize) -> Result<Vec<u8>, Problem> {
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|e| {
        let too_large = std::error::Error::source(&e)
            .is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
        if too_large {
            Problem::new(
                ServerCode::BodyTooLarge,
                format!("the body is larger than {limit} bytes"),
            )
        } else {
            Problem::new(
                ServerCode::EmptyBody,
                format!("the body could not be read: {e}"),
            )
        }
    })?;
    if bytes.is_empty() {
        return Err(Problem::new(
            ServerCode::EmptyBody,
            "the request has no body",
        ));
    }
    Ok(bytes.to_vec())
}

/// The query's parameters, each at most once and each one of `known`.
pub fn query_params(
    query: Option<&str>,
    known: &[&str],
) -> Result<std::collections::BTreeMap<String, String>, Problem> {
    let mut params = std::collections::BTreeMap::new();
    for (name, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        if !known.contains(&name.as_ref()) {
            return Err(Problem::new(
                ServerCode::BadQuery,
                format!(
                    "unknown query parameter {name:?}; known: {}",
                    known.join(", ")
                ),
            ));
        }
        if params.insert(name.to_string(), value.to_string()).is_some() {
            return Err(Problem::new(
                ServerCode::BadQuery,
                format!("query parameter {name:?} given twice"),
            ));
        }
    }
    Ok(params)
}

/// A JSON response of `media_type`.
pub fn json_response(status: StatusCode, media_type: &str, body: &serde_json::Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    if let Ok(v) = HeaderValue::from_str(media_type) {
        response.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    response
}
