//! Operations: liveness, readiness (the store answers) and metrics.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::json;

use super::json_response;
use crate::app::App;
use crate::metrics::SESSIONS_LIVE;
use crate::problem::Problem;
use crate::store::{now_millis, Store};

/// Liveness.
pub const HEALTHZ: &str = "/healthz";
/// Readiness.
pub const READYZ: &str = "/readyz";
/// Prometheus exposition.
pub const METRICS: &str = "/metrics";

pub fn routes<S: Store>() -> Router<Arc<App<S>>> {
    Router::new()
        .route(HEALTHZ, get(healthz))
        .route(READYZ, get(readyz::<S>))
        .route(METRICS, get(metrics::<S>))
}

/// The process serves.
async fn healthz() -> Response {
    json_response(StatusCode::OK, "application/json", &json!({"status": "ok"}))
}

/// The process serves and its store answers: 200, else 503.
async fn readyz<S: Store>(State(app): State<Arc<App<S>>>) -> Response {
    match app.check_store().await {
        Ok(()) => json_response(
            StatusCode::OK,
            "application/json",
            &json!({"status": "ready"}),
        ),
        Err(e) => Problem::store(&e).into_response(),
    }
}

/// The Prometheus exposition.
async fn metrics<S: Store>(State(app): State<Arc<App<S>>>) -> Response {
    let live = app.sessions_live(now_millis().div_euclid(1000));
    ::metrics::gauge!(SESSIONS_LIVE).set(live as f64);
    let text = app.metrics.as_ref().map(|h| h.render()).unwrap_or_default();
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        text,
    )
        .into_response()
}
