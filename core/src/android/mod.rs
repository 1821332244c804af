//! Android Key Attestation as the evidence behind a token (spec §17).
//!
//! On an Android phone the app that builds a token cannot vouch for boot
//! state, bootloader lock or patch level; the phone's TEE or StrongBox can,
//! in the KeyDescription extension of the certificate of a key it
//! generated, chained to Google's attestation roots. When a token's signing
//! key is such a key, its x5chain is that attestation chain: this module
//! reads the KeyDescription ([`KeyDescription`]), validates the chain under
//! the Android profile ([`Profile::android`](crate::trust::Profile::android),
//! anchored at [`google_roots`]) with the attestation rules on top
//! ([`verify_attestation_chain`]), and compares the claims with what the
//! hardware stated ([`binding`]).

pub mod binding;
mod chain;
mod error;
mod json;
mod key_description;
mod roots;

pub(crate) use chain::{check_placement, read_key_description};
pub use chain::{verify_attestation_chain, AndroidAttestation, AttestationRules};

/// Which challenge an attested key's KeyDescription must carry (spec §17.6).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ChallengeMode {
    /// A key per token: the attestation challenge equals the token's
    /// `eat_nonce`.
    #[default]
    PerToken,
    /// A key enrolled once: the attestation challenge equals the challenge
    /// the relying party issued at enrolment, which each verification call
    /// passes in; the token's `eat_nonce` gives freshness.
    Enrolled,
}

impl ChallengeMode {
    /// `per-token` or `enrolled`.
    pub fn name(self) -> &'static str {
        match self {
            ChallengeMode::PerToken => "per-token",
            ChallengeMode::Enrolled => "enrolled",
        }
    }

    /// The mode named `name`.
    pub fn from_name(name: &str) -> Option<ChallengeMode> {
        [ChallengeMode::PerToken, ChallengeMode::Enrolled]
            .into_iter()
            .find(|m| m.name() == name)
    }
}

/// How a verifier treats tokens whose x5chain ends at an Android anchor.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AndroidSettings {
    /// The challenge mode.
    pub challenge: ChallengeMode,
    /// What the attestation must show.
    pub rules: AttestationRules,
}

/// The Android evidence behind a verified token: the attestation and its
/// binding to the token's claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AndroidEvidence {
    /// The validated attestation.
    pub attestation: AndroidAttestation,
    /// The claims it corroborates, contradicts or adds.
    pub binding: Binding,
}
pub use binding::{bind, AttestedClaim, Binding, Comparison};
pub use error::AndroidError;
pub use json::{evidence_json, key_description_json, key_description_summary};
pub use key_description::{
    origin_name, tag, verified_boot_state_name, AttestationApplicationId, AuthValue,
    AuthorizationList, KeyDescription, RootOfTrust, SecurityLevel, KEY_DESCRIPTION_OID,
};
pub use roots::{google_anchors, google_roots, GoogleRoot};
