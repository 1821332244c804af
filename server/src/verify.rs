//! From a token and the nonce it must carry to an attestation result: the
//! library verifies (every rule is there), the store completes the replay
//! step, the library appraises. The service adds nothing to the rules; it
//! only makes sure no verdict leaves without the store's answer.

use std::time::Instant;

use mtattest::appraisal::AttestationResult;
use mtattest::UnixTime;

use crate::app::App;
use crate::config::Loaded;
use crate::metrics;
use crate::problem::Problem;
use crate::store::{ReplayClaim, Store};

/// Which API asked (a metrics label).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// The Veraison challenge-response API.
    Veraison,
    /// The native API.
    Native,
}

impl Api {
    fn name(self) -> &'static str {
        match self {
            Api::Veraison => "veraison",
            Api::Native => "native",
        }
    }
}

/// Verifies `token` against `nonce` at this instance's time, checks it
/// against the store's replay identifiers, and appraises it under the
/// policy called `policy` (the default policy when `None`).
pub async fn verify_and_appraise<S: Store>(
    app: &App<S>,
    loaded: &Loaded,
    api: Api,
    token: &[u8],
    nonce: &[u8],
    policy: Option<&str>,
) -> Result<AttestationResult, Problem> {
    let started = Instant::now();
    let now = UnixTime::now();
    let outcome = async {
        let verifier = &loaded.verifier;
        let library = |e: mtattest::Error| Problem::from_library(&e);
        let pending = verifier
            .verify_deferring_replay(token, Some(nonce), now)
            .map_err(library)?;
        let answer = app
            .store
            .claim_replay(&ReplayClaim {
                partition: pending.partition(),
                ids: pending.ids(),
                live_until: pending.live_until(),
                now,
            })
            .await;
        if answer
            .as_ref()
            .is_err_and(|e| e.code() == "replay.store-unavailable")
        {
            metrics::store_error("claim-replay");
        }
        let verified = pending.complete(answer).map_err(library)?;
        verifier
            .appraise_with(&verified, policy, now)
            .map_err(library)
    }
    .await;
    let elapsed = started.elapsed();
    match &outcome {
        Ok(result) => metrics::verification(api.name(), result.status.name(), "", elapsed),
        Err(p) => {
            let status = if p.status().is_server_error() {
                "unavailable"
            } else {
                "refused"
            };
            metrics::verification(api.name(), status, p.code(), elapsed);
        }
    }
    tracing::info!(
        api = api.name(),
        outcome = match &outcome {
            Ok(r) => r.status.name(),
            Err(_) => "refused",
        },
        code = outcome.as_ref().err().map(|p| p.code()).unwrap_or(""),
        micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
        "verification"
    );
    outcome
}
