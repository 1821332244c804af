//! Prometheus metrics: verifications by outcome and error code, their
//! latency, store errors, live sessions, configuration reloads and HTTP
//! responses. Recorded with the `metrics` facade; exposed at `/metrics` by
//! `metrics-exporter-prometheus` (no listener of its own).

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Verifications, by `api`, `status` (an EAR status, or `refused` /
/// `unavailable`) and `code` (the error code of a refusal).
pub const VERIFICATIONS: &str = "mtattest_verifications_total";
/// Verification latency in seconds, by `api`: from the token to the
/// verdict, replay step included.
pub const VERIFICATION_SECONDS: &str = "mtattest_verification_duration_seconds";
/// Store operations that got no answer, by `op`.
pub const STORE_ERRORS: &str = "mtattest_store_errors_total";
/// Sessions live: held by the memory store, or created by this instance
/// and not yet expired with Redis (sum over instances).
pub const SESSIONS_LIVE: &str = "mtattest_sessions_live";
/// Configuration reloads, by `result` (`applied`, `refused`).
pub const RELOADS: &str = "mtattest_config_reloads_total";
/// HTTP responses, by `status`.
pub const RESPONSES: &str = "mtattest_http_responses_total";

/// Installs the process-wide recorder; `None` if one is installed already
/// (a second service in the same process records into the first's).
pub fn install() -> Option<PrometheusHandle> {
    let buckets = [
        0.000_25, 0.000_5, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
    ];
    PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Full(VERIFICATION_SECONDS.to_string()), &buckets)
        .ok()?
        .install_recorder()
        .ok()
}

/// Records one verification.
pub fn verification(api: &'static str, status: &'static str, code: &str, elapsed: Duration) {
    metrics::counter!(VERIFICATIONS, "api" => api, "status" => status, "code" => code.to_string())
        .increment(1);
    metrics::histogram!(VERIFICATION_SECONDS, "api" => api).record(elapsed.as_secs_f64());
}

/// Records a store operation that got no answer.
pub fn store_error(op: &'static str) {
    metrics::counter!(STORE_ERRORS, "op" => op).increment(1);
}

/// Records a reload attempt.
pub fn reload(applied: bool) {
    let result = if applied { "applied" } else { "refused" };
    metrics::counter!(RELOADS, "result" => result).increment(1);
}

/// Records a response.
pub fn response(status: u16) {
    metrics::counter!(RESPONSES, "status" => status.to_string()).increment(1);
}

/// Sessions this instance created, by the second they expire: their count
/// is the live sessions a shared store holds for this instance (it cannot
/// count its keys cheaply).
#[derive(Default)]
pub struct SessionCounter {
    by_expiry: Mutex<BTreeMap<i64, u64>>,
}

impl SessionCounter {
    /// Counts a session expiring at `expires_at_secs`.
    pub fn created(&self, expires_at_secs: i64) {
        if let Ok(mut m) = self.by_expiry.lock() {
            *m.entry(expires_at_secs).or_default() += 1;
        }
    }

    /// The sessions not expired at `now_secs`.
    pub fn live(&self, now_secs: i64) -> u64 {
        let Ok(mut m) = self.by_expiry.lock() else {
            return 0;
        };
        let live = m.split_off(&(now_secs + 1));
        *m = live;
        m.values().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_count_until_they_expire() {
        let c = SessionCounter::default();
        c.created(100);
        c.created(100);
        c.created(160);
        assert_eq!(c.live(99), 3);
        assert_eq!(c.live(100), 1);
        assert_eq!(c.live(161), 0);
    }
}
