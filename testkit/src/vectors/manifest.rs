//! The manifest (`manifest.json`): what each vector is and what a verifier
//! must make of it. The schema is specified in `spec/vectors.md`; field
//! order here is the order in the file.

use alloc::string::String;
use alloc::vec::Vec;

use serde::Serialize;

/// The value of the manifest's `schema` member.
pub const SCHEMA: &str = "mtattest-test-vectors/1";

/// The revision of the specification (spec §5.2) whose rules the cases
/// follow; a new revision that changes what a verifier must make of a
/// token bumps it.
pub const SPEC_REVISION: u32 = 5;

/// The whole manifest.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Manifest {
    /// [`SCHEMA`].
    pub schema: &'static str,
    /// The EAT profile the vectors are for.
    pub profile: &'static str,
    /// [`SPEC_REVISION`].
    pub revision: u32,
    /// What the set is, in a sentence.
    pub description: &'static str,
    /// How the files were made.
    pub generator: &'static str,
    /// The verifier configuration every case uses unless its `options` say
    /// otherwise.
    pub verifier: VerifierSettings,
    /// The cases, valid ones first.
    pub cases: Vec<Case>,
}

/// The configuration of the verifier the cases are written for.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct VerifierSettings {
    /// Algorithms allowed (COSE names).
    pub allowed_algorithms: Vec<&'static str>,
    /// Largest accepted token age, seconds after `iat`.
    pub max_age_secs: u32,
    /// Accepted clock difference, seconds.
    pub clock_skew_secs: u32,
    /// Whether x5chain must be in the protected header.
    pub require_protected_x5chain: bool,
    /// Most certificates in an x5chain.
    pub max_chain_len: usize,
    /// Largest certificate in an x5chain, bytes.
    pub max_cert_size: usize,
    /// Seconds a CRL is still accepted after its `nextUpdate`.
    pub crl_grace_secs: u32,
    /// Whether a replay cache is kept across the submissions of one case.
    pub replay_cache: bool,
    /// The decoding limits.
    pub limits: LimitSettings,
}

/// The decoding limits of spec §8.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct LimitSettings {
    /// Largest token, bytes.
    pub max_token_size: usize,
    /// Deepest CBOR nesting.
    pub max_depth: usize,
    /// Most CBOR data items in one decoded item.
    pub max_items: usize,
    /// Most entries in one map.
    pub max_map_entries: usize,
    /// Deepest nesting of submodules.
    pub max_submod_depth: usize,
}

/// One test case.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Case {
    /// Unique, stable identifier (`valid-…` or `invalid-…`).
    pub id: String,
    /// What the case shows and, for an invalid one, its single fault.
    pub description: String,
    /// The token, raw CBOR, relative to the manifest.
    pub token: String,
    /// Tokens the same verifier accepts first, in order (replay cases).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub submitted_before: Vec<String>,
    /// PEM bundle of trust anchors.
    pub anchors: String,
    /// PEM bundle of further trust anchors under the Android profile
    /// (spec §17.3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub android_anchors: Option<String>,
    /// A DER CRL to check the chain against.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crl: Option<String>,
    /// A JSON status list to check the chain against.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_list: Option<String>,
    /// The verification time, seconds since the epoch (UTC).
    pub time: i64,
    /// The relying party's challenge (lowercase hex), or null if it issued none.
    pub nonce: Option<String>,
    /// The challenge the relying party issued when it enrolled the
    /// device's key (lowercase hex), passed to every verification call of
    /// the case (spec §17.6).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enrolment_challenge: Option<String>,
    /// The policy document to appraise with, or null for verification only.
    pub policy: Option<String>,
    /// The vulnerability bulletin the appraiser consults.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bulletin: Option<String>,
    /// Settings that differ from the manifest's `verifier`.
    #[serde(skip_serializing_if = "CaseOptions::is_empty")]
    pub options: CaseOptions,
    /// The outcome.
    pub expected: Expected,
}

/// Per-case departures from the default verifier settings.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct CaseOptions {
    /// Only these algorithms are allowed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_algorithms: Option<Vec<&'static str>>,
    /// x5chain must be protected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub require_protected_x5chain: Option<bool>,
    /// The Android challenge mode, `per-token` (default) or `enrolled`
    /// (spec §17.6).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub android_challenge: Option<&'static str>,
    /// The lowest accepted Android security level, `tee` (default) or
    /// `strongbox` (spec §17.4).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub android_min_security_level: Option<&'static str>,
}

impl CaseOptions {
    fn is_empty(&self) -> bool {
        self.allowed_algorithms.is_none()
            && self.require_protected_x5chain.is_none()
            && self.android_challenge.is_none()
            && self.android_min_security_level.is_none()
    }
}

/// What verifying (and appraising) the token gives.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum Expected {
    /// The token verifies.
    Valid {
        /// The verified claims, in the JSON form of `spec/claims-json.md`.
        claims: serde_json::Value,
        /// The appraisal under the case's policy (absent without a policy).
        #[serde(skip_serializing_if = "Option::is_none")]
        appraisal: Option<Appraisal>,
        /// The claims an Android attestation states and how the token
        /// compares (spec §17.5); present exactly when the token's chain
        /// ends at an Android anchor.
        #[serde(skip_serializing_if = "Option::is_none")]
        attested: Option<Vec<AttestedRef>>,
    },
    /// The token is refused.
    Invalid {
        /// The stable error code.
        error: &'static str,
    },
}

/// The expected appraisal result.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Appraisal {
    /// `ear.status`: `affirming`, `warning`, `contraindicated` or `none`.
    pub status: &'static str,
    /// The policy's action for that status.
    pub action: &'static str,
    /// Every rule or advisory that did not pass (order not significant).
    pub reasons: Vec<ReasonRef>,
}

/// One failed rule or matching advisory.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct ReasonRef {
    /// The rule id (`bulletin` for an advisory).
    pub rule: &'static str,
    /// The claim path.
    pub claim: &'static str,
    /// `mismatch`, `missing`, `weak-source` or `vulnerable`.
    pub failure: &'static str,
    /// The advisory id, for a bulletin reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advisory: Option<&'static str>,
}

/// One claim an Android attestation states (spec §17.5), as the EAR's
/// `mtattest.attested` lists it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct AttestedRef {
    /// The claim path.
    pub claim: &'static str,
    /// The attested value, in the claim's notation.
    pub value: &'static str,
    /// The attester: `android-key-attestation:` and the security level.
    pub by: &'static str,
    /// `agrees`, `disagrees` or `omitted`.
    pub token: &'static str,
}
