//! mtattest: attestation of the security state of mobile and IoT terminals.
//!
//! A device signs claims about its security state (boot, OS, runtime,
//! app, chip) as an EAT token — CBOR in COSE_Sign1, ES384 or ES256, with
//! its certificate chain in `x5chain` (`spec/mtattest.md`). A relying party
//! verifies the token (chain to its trust anchors, signature, claims,
//! freshness against its challenge, replay), appraises the claims against a
//! policy, and gets a verdict with the reasons for it.
//!
//! # Relying party: configure once, then verify each token
//!
//! ```
//! use mtattest::config::VerifierConfig;
//! use mtattest::UnixTime;
//! # use mtattest::token::HeaderPlacement;
//! # use mtattest_testkit::{example_phone, pki::TestPki};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let pki = TestPki::standard()?;
//! # let roots_pem = pki.root.pem();
//! // Once, at start-up: trust anchors, the policy and the rules of the
//! // service (a server reads the same from a file: `VerifierConfig::load`).
//! let config = VerifierConfig::from_toml(&format!(
//!     r#"
//!     require-nonce = true
//!     default-policy = "payment"
//!     anchors = [{{ pem = """{roots_pem}""" }}]
//!
//!     [policies.payment]
//!     preset = "payment"
//!     app-signers = ["4cfb7423dafebc728227283ce04b8eb77f132ecbbd4eaa1e0bd9a7366dcde4b7"]
//!     "#
//! ))?;
//! let verifier = config.build()?;
//!
//! // Per attestation: a fresh challenge for the device ...
//! let challenge = mtattest::new_challenge()?;
//! // (here a fixed time; a service passes `UnixTime::now()`)
//! let now = UnixTime::from_secs(1_790_000_000);
//! # let token = pki.token(&example_phone(now.secs(), challenge.to_vec()), HeaderPlacement::Protected)?;
//!
//! // ... and the token it sends back: verified, then appraised.
//! let allowed = match verifier.verify(&token, Some(&challenge), now) {
//!     Err(rejected) => {
//!         // Not genuine, not fresh, or replayed: a stable code says which.
//!         eprintln!("rejected [{}]: {rejected}", rejected.code());
//!         false
//!     }
//!     Ok(verified) => {
//!         let result = verifier.appraise_with(&verified, None, now)?;
//!         for reason in &result.reasons {
//!             eprintln!("{reason}");
//!         }
//!         println!("{} ({}): {}", result.status, result.policy_id, result.action);
//!         result.is_allowed()
//!     }
//! };
//! assert!(allowed);
//! # Ok(())
//! # }
//! ```
//!
//! [`Verifier::verify_and_appraise`] does both steps under one policy and
//! returns the verified claims with the result; [`Verifier::verify`] alone
//! gives the claims for a relying party with its own rules.
//!
//! # Device: sign the measured claims
//!
//! ```
//! use mtattest::claims::ClaimsSet;
//! use mtattest::token::{HeaderPlacement, TokenBuilder};
//! # use mtattest_testkit::pki::TestPki;
//!
//! # fn main() -> Result<(), mtattest::Error> {
//! # let pki = TestPki::standard()?;
//! # let device_key = pki.device.signer()?;
//! # let chain = pki.chain();
//! # let challenge = b"challenge from the relying party".to_vec();
//! // `device_key` is any `mtattest::crypto::Signer` (a TEE, an HSM, or a
//! // `SoftwareSigner`); `chain` its certificate, then the intermediates.
//! let claims = ClaimsSet::builder(1_790_000_000) // iat, the device's clock
//!     .nonce(challenge)?
//!     .build();
//! let token = TokenBuilder::new()
//!     .x5chain(chain, HeaderPlacement::Protected)
//!     .sign(&claims, &device_key)?;
//! # assert!(!token.is_empty());
//! # Ok(())
//! # }
//! ```
//!
//! A real device fills the layers (`boot`, `os`, `runtime`, `app`, `chip`)
//! with their builders, which refuse values the profile does not allow;
//! `sign` keeps the token within the profile's limits (spec §8.1).
#![no_std]
#![deny(missing_docs)]
#![forbid(unsafe_code)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod android;
pub mod appraisal;
pub mod cbor;
pub mod claims;
pub mod config;
pub mod crypto;
pub mod diag;
pub mod encoding;
pub mod error;
pub mod inspect;
pub mod limits;
mod serde_strict;
pub mod time;
pub mod token;
pub mod trust;
pub mod verifier;

pub use error::{CborError, ChainError, ClaimsError, CryptoError, Error, TokenError};
pub use limits::Limits;
pub use time::UnixTime;
#[cfg(all(
    feature = "std",
    not(all(target_arch = "wasm32", target_os = "unknown"))
))]
pub use verifier::new_challenge;
pub use verifier::{Verified, Verifier};
