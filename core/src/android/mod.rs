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

pub use chain::{verify_attestation_chain, AndroidAttestation, AttestationRules};
pub use error::AndroidError;
pub use json::key_description_json;
pub use key_description::{
    origin_name, tag, verified_boot_state_name, AttestationApplicationId, AuthValue,
    AuthorizationList, KeyDescription, RootOfTrust, SecurityLevel, KEY_DESCRIPTION_OID,
};
pub use roots::{google_anchors, google_roots, GoogleRoot};
