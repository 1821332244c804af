//! Test tooling of mtattest, kept out of the library so that no production
//! build carries it (issue 13 §3):
//!
//! - [`pki`]: a deterministic test PKI (root → OEM intermediate → device
//!   attestation key) whose private keys are derived from seeds in this
//!   source, so they are known to everyone: never trust it anywhere real;
//! - [`android`]: a synthetic Android-shaped PKI whose attested leaf
//!   carries whatever KeyDescription a test says (spec §17);
//! - [`example_phone`]: a realistic, healthy claims set, and
//!   [`intercepted_phone`], the same phone on an intercepted open network;
//! - [`example_camera`]: an IoT camera without apps (the `iot` preset);
//! - [`demo`]: the healthy and the compromised phone of `mtattest demo`;
//! - [`vectors`]: the conformance-vector generator (`spec/vectors.md`),
//!   which writes `test-vectors/` byte for byte.
//!
//! The crate uses only mtattest's public API. Tokens that must carry a
//! fault are assembled from raw COSE parts ([`vectors`]' `Sign1`) and
//! signed with the library's public [`Signer`](mtattest::crypto::Signer),
//! so the library needs no "sign anything" entry point of its own.
//!
//! Depend on it from tests, benchmarks and developer tools only (as a
//! dev-dependency, or an optional dependency behind a feature that is off
//! by default, as the CLI's `testkit` feature is).
#![deny(missing_docs)]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod android;
mod camera;
pub mod counting;
pub mod demo;
mod phone;
pub mod pki;
pub mod vectors;

pub use camera::example_camera;
pub use phone::{example_phone, intercepted_phone, EXAMPLE_DIGEST_FORMAT};
