//! The service's state shared by every request: the store, the current
//! configuration (swapped whole on reload), the metrics handle and the
//! store's last known health.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use arc_swap::ArcSwap;
use metrics_exporter_prometheus::PrometheusHandle;

use crate::config::Loaded;
use crate::metrics::SessionCounter;
use crate::store::Store;

/// Everything a request handler needs.
pub struct App<S> {
    /// The store.
    pub store: S,
    /// The configuration in force. A request takes it once
    /// ([`App::config`]) and keeps that one to the end.
    current: ArcSwap<Loaded>,
    /// The configuration file, for reloads (`None`: not reloadable).
    pub config_path: Option<PathBuf>,
    /// The metrics exposition, if this service installed the recorder.
    pub metrics: Option<PrometheusHandle>,
    /// Sessions created by this instance, for the live-sessions gauge.
    pub sessions: SessionCounter,
    /// Whether the store answered the last health check.
    store_healthy: AtomicBool,
}

impl<S: Store> App<S> {
    /// The state for `store` and the configuration `loaded`.
    pub fn new(
        store: S,
        loaded: Loaded,
        config_path: Option<PathBuf>,
        metrics: Option<PrometheusHandle>,
    ) -> Arc<App<S>> {
        Arc::new(App {
            store,
            current: ArcSwap::from_pointee(loaded),
            config_path,
            metrics,
            sessions: SessionCounter::default(),
            store_healthy: AtomicBool::new(false),
        })
    }

    /// The configuration in force.
    pub fn config(&self) -> Arc<Loaded> {
        self.current.load_full()
    }

    /// Puts a new configuration in force; requests already running keep the
    /// one they took.
    pub fn swap_config(&self, loaded: Loaded) {
        self.current.store(Arc::new(loaded));
    }

    /// Whether the store answered the last health check.
    pub fn store_healthy(&self) -> bool {
        self.store_healthy.load(Ordering::Relaxed)
    }

    /// Checks the store now and remembers the answer.
    pub async fn check_store(&self) -> Result<(), crate::store::StoreError> {
        let answer = self.store.ping().await;
        self.store_healthy.store(answer.is_ok(), Ordering::Relaxed);
        answer
    }

    /// The live sessions: the store's count, or this instance's estimate.
    pub fn sessions_live(&self, now_secs: i64) -> u64 {
        match self.store.sessions_held() {
            Some(n) => u64::try_from(n).unwrap_or(u64::MAX),
            None => self.sessions.live(now_secs),
        }
    }
}
