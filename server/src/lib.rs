//! mtattest-server: a relying-party verification service.
//!
//! It issues challenges, verifies mtattest tokens, appraises them and
//! returns signed attestation results, over the Veraison challenge-response
//! API v1 (so Veraison's clients work unchanged) and a small native API. It
//! runs as one process with the embedded store, or as many stateless
//! instances sharing Redis. Every verification rule is the library's; the
//! service translates HTTP to the library and back, keeps sessions,
//! challenges and replay identifiers in the store, and never gives a
//! verdict the store did not confirm.
//!
//! `server/README.md` describes running it; `server/openapi.yaml` is the
//! API.

#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod app;
pub mod config;
pub mod demo;
pub mod ear_jwt;
pub mod media;
pub mod metrics;
pub mod nonce;
pub mod problem;
pub mod reload;
pub mod routes;
pub mod session;
pub mod store;
pub mod verify;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use metrics_exporter_prometheus::PrometheusHandle;
use mtattest::appraisal::{acceptance_window_secs, MemoryReplayCache, DEFAULT_REPLAY_PEAK_RATE};
use tokio::net::TcpListener;

use crate::app::App;
use crate::config::{Loaded, StoreChoice};
use crate::store::{MemoryStore, RedisStore, Store};

/// Loads the configuration at `config_path`, listens on `listen` (or the
/// configured address) and serves until SIGTERM or SIGINT, finishing the
/// requests in flight.
pub async fn run(
    config_path: &Path,
    listen: Option<SocketAddr>,
    metrics: Option<PrometheusHandle>,
) -> Result<(), String> {
    let loaded = config::load(config_path).map_err(|e| format!("{}: {e}", e.code()))?;
    let addr = listen.unwrap_or(loaded.settings().listen);
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| format!("listening on {addr}: {e}"))?;
    let local = listener
        .local_addr()
        .map_err(|e| format!("listening on {addr}: {e}"))?;
    let path = Some(config_path.to_path_buf());
    let settings = loaded.settings().clone();
    match &settings.store {
        StoreChoice::Memory => {
            let store = MemoryStore::new(memory_replay_cache(&loaded));
            serve(
                App::new(store, loaded, path, metrics),
                listener,
                local,
                "memory",
            )
            .await
        }
        StoreChoice::Redis(url) => {
            let store = RedisStore::new(
                url,
                &settings.store_prefix,
                settings.store_timeout,
                settings.replay_clock_margin,
            )
            .map_err(|e| e.to_string())?;
            serve(
                App::new(store, loaded, path, metrics),
                listener,
                local,
                "redis",
            )
            .await
        }
    }
}

/// The memory store's replay cache, sized by the configuration's
/// `replay.peak-rate` and freshness (spec §11.2.1).
fn memory_replay_cache(loaded: &Loaded) -> MemoryReplayCache {
    let peak = loaded
        .source_verifier_config()
        .replay
        .and_then(|r| r.peak_rate)
        .unwrap_or(DEFAULT_REPLAY_PEAK_RATE);
    let window = acceptance_window_secs(&loaded.verifier.freshness());
    MemoryReplayCache::for_peak_rate(peak, window)
}

/// Serves `app` on `listener` until SIGTERM or SIGINT.
pub async fn serve<S: Store>(
    app: Arc<App<S>>,
    listener: TcpListener,
    local: SocketAddr,
    store: &'static str,
) -> Result<(), String> {
    let _ = app.check_store().await;
    let health = tokio::spawn(watch_store(app.clone()));
    let reloads = tokio::spawn(reload::watch(app.clone()));
    let upkeep = app.metrics.clone().map(|handle| {
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(5)).await;
                handle.run_upkeep();
            }
        })
    });
    tracing::info!(addr = %local, store, "listening");
    let served = axum::serve(listener, routes::service(app))
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| format!("serving: {e}"));
    health.abort();
    reloads.abort();
    if let Some(u) = upkeep {
        u.abort();
    }
    tracing::info!("stopped");
    served
}

/// Checks the store every second, for discovery's `service-state`.
async fn watch_store<S: Store>(app: Arc<App<S>>) {
    loop {
        let was = app.store_healthy();
        let now = app.check_store().await;
        match (&now, was) {
            (Err(e), true) => tracing::error!(error = %e, "the store stopped answering"),
            (Ok(()), false) => tracing::info!("the store answers"),
            _ => {}
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// SIGTERM or SIGINT (Ctrl-C).
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing the requests in flight");
}
