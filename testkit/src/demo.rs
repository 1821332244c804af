//! The appraisal half of `mtattest demo`: a healthy and a compromised phone,
//! each issuing a token that a relying party verifies and appraises under
//! the `payment` preset with a vulnerability bulletin.

use alloc::vec::Vec;

use crate::example_phone;
use mtattest::appraisal::{AttestationResult, Bulletin, Policy, Preset};
use mtattest::claims::{ClaimsSet, MeasResult, PatchLevel, VerifiedBootState};
use mtattest::crypto::{Algorithm, SoftwareSigner};
use mtattest::error::Error;
use mtattest::time::UnixTime;
use mtattest::token::issue;
use mtattest::verifier::{KeySource, Verifier};

/// The demo's vulnerability feed: one high-severity advisory for the
/// example model's OS patch levels before 2025-01-01.
pub const DEMO_BULLETIN: &str = r#"{
  "feed": "demo", "version": "1",
  "advisories": [
    { "id": "MSA-DEMO-0001", "severity": "high",
      "summary": "TEE driver privilege escalation (demo advisory)",
      "models": ["MT-Phone 7 Pro"],
      "patch-level": { "claim": "os-patch-level", "before": 20250101 } }
  ]
}"#;

/// Both verdicts of the demo.
#[derive(Debug, Clone)]
pub struct DemoResults {
    /// The healthy phone's result (affirming).
    pub healthy: AttestationResult,
    /// The compromised phone's result (contraindicated, with reasons).
    pub compromised: AttestationResult,
}

/// The compromised phone: bootloader unlocked (boot unverified), root
/// detected, hooking check not run, OS patch level from 2024-03 (stale and
/// covered by the demo advisory).
pub fn compromised_phone(iat: i64, nonce: impl Into<Vec<u8>>) -> ClaimsSet {
    let mut c = example_phone(iat, nonce);
    if let Some(boot) = c.boot.as_mut() {
        boot.bootloader_locked = Some(false);
        boot.verified_boot_state = Some(VerifiedBootState::Unverified);
    }
    if let Some(os) = c.os.as_mut() {
        os.os_patch_level = PatchLevel::from_ymd(2024, 3, 1).ok();
    }
    if let Some(rt) = c.runtime.as_mut() {
        rt.set_detection(mtattest::claims::keys::detection::ROOT, MeasResult::Fail);
        rt.set_detection(
            mtattest::claims::keys::detection::HOOKING,
            MeasResult::NotRun,
        );
    }
    c
}

/// Runs the demo at `now`: each phone signs a token for a fresh challenge
/// with a throw-away key; one configured verifier (that key, the demo
/// bulletin) verifies and appraises both under `payment`.
///
/// ```
/// use mtattest::appraisal::Status;
/// use mtattest_testkit::demo;
/// use mtattest::UnixTime;
///
/// let results = demo::run(UnixTime::from_secs(1_790_000_000)).unwrap();
/// assert_eq!(results.healthy.status, Status::Affirming);
/// assert_eq!(results.compromised.status, Status::Contraindicated);
/// ```
pub fn run(now: UnixTime) -> Result<DemoResults, Error> {
    let key = SoftwareSigner::from_secret_bytes(Algorithm::Es384, &[0x42; 48])?;
    let verifier = Verifier::builder(KeySource::Key(key.public_key()))
        .bulletin(Bulletin::from_json(DEMO_BULLETIN.as_bytes())?)
        .build();
    let healthy_claims = example_phone(now.secs(), b"demo-challenge-healthy".to_vec());
    let signers: Vec<Vec<u8>> = healthy_claims
        .app
        .as_ref()
        .map(|a| {
            a.app_signers
                .iter()
                .map(|d| d.as_bytes().to_vec())
                .collect()
        })
        .unwrap_or_default();
    let policy = Policy::preset(Preset::Payment, &signers)?;
    let mut compromised_claims = compromised_phone(now.secs(), b"demo-challenge-rooted".to_vec());
    // A distinct token id, as a real device would send.
    compromised_claims.cti = mtattest::claims::Cti::new(*b"demo-token-rooted").ok();

    let (_, healthy) = verifier.verify_and_appraise(
        &issue(&healthy_claims, &key)?,
        Some(b"demo-challenge-healthy"),
        &policy,
        now,
    )?;
    let (_, compromised) = verifier.verify_and_appraise(
        &issue(&compromised_claims, &key)?,
        Some(b"demo-challenge-rooted"),
        &policy,
        now,
    )?;
    Ok(DemoResults {
        healthy,
        compromised,
    })
}
