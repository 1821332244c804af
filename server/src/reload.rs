//! Reloading the configuration: the file and every file it names are read
//! again every `reload-interval-secs` and on SIGHUP. A configuration that
//! reads and builds in full replaces the old one whole; one that does not
//! is refused with a log line and the old one keeps serving.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::app::App;
use crate::config::{restart_only_differences, Source};
use crate::metrics;
use crate::store::Store;

/// What a reload did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reload {
    /// The files say what is in force already.
    Unchanged,
    /// A new configuration is in force.
    Applied,
    /// The files do not make a configuration; the old one stays. Carries
    /// the error code.
    Refused(String),
}

/// Reads and builds the configuration at `path` and, if it is new and
/// good, puts it in force.
pub fn reload<S: Store>(app: &App<S>, path: &Path) -> Reload {
    let current = app.config();
    let refused = |e: mtattest::Error| {
        tracing::error!(
            code = e.code(),
            error = %e,
            path = %path.display(),
            "configuration refused; the previous one keeps serving"
        );
        metrics::reload(false);
        Reload::Refused(e.code().to_string())
    };
    let source = match Source::read(path) {
        Ok(s) => s,
        Err(e) => return refused(e),
    };
    if source == current.source {
        return Reload::Unchanged;
    }
    let restart_only = restart_only_differences(current.settings(), source.settings());
    let loaded = match source.build() {
        Ok(l) => l,
        Err(e) => return refused(e),
    };
    if !restart_only.is_empty() {
        tracing::warn!(
            members = ?restart_only,
            "these members take effect at the next start; the rest is applied now"
        );
    }
    app.swap_config(loaded);
    metrics::reload(true);
    tracing::info!(path = %path.display(), "configuration reloaded");
    Reload::Applied
}

/// Reloads on SIGHUP and every reload interval, until the process ends.
pub async fn watch<S: Store>(app: Arc<App<S>>) {
    let Some(path) = app.config_path.clone() else {
        return;
    };
    #[cfg(unix)]
    let mut hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok();
    loop {
        let interval = app.config().settings().reload_interval;
        let wait = if interval.is_zero() {
            Duration::from_secs(86_400)
        } else {
            interval
        };
        #[cfg(unix)]
        {
            let hup = async {
                match hangup.as_mut() {
                    Some(h) => h.recv().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = hup => tracing::info!("SIGHUP: reloading the configuration"),
                () = tokio::time::sleep(wait) => {
                    if interval.is_zero() {
                        continue;
                    }
                }
            }
        }
        #[cfg(not(unix))]
        tokio::time::sleep(wait).await;
        let worker = app.clone();
        let path = path.clone();
        // Reading files and parsing keys: off the request threads.
        let _ = tokio::task::spawn_blocking(move || reload(&worker, &path)).await;
    }
}
