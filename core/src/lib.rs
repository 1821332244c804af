//! mtattest: attestation of the security state of mobile and IoT terminals.
#![no_std]
#![deny(missing_docs)]
#![forbid(unsafe_code)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

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
pub use verifier::{Verified, Verifier};
