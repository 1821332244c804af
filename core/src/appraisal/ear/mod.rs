//! The attestation result, in the shape of an EAT Attestation Result (EAR,
//! draft-ietf-rats-ear) with an AR4SI trustworthiness vector: JSON and CBOR
//! serialisations, COSE_Sign1 signing and verification, in either form of
//! [`EarProfile`] (profile `tag:github.com,2023:veraison/ear` by default, or
//! `tag:ietf.org,2026:rats/ear#04`).
//!
//! The EAR has one submodule per appraised layer (`chip`, `boot`, `os`,
//! `app`, `runtime`) and one named `device` for the terminal as a whole:
//! its status and vector summarise every layer (so it is never better than
//! the worst layer), and it carries the reasons about top-level claims.
//! The overall status is repeated at the top level (`ear.status`, or
//! `ear_status` in draft-04). Each
//! reason sits in the submodule of the layer its claim belongs to.
//! `spec/appraisal.md` gives every label.
//!
//! One idea a file: `model` the result itself; `profile` the two forms and
//! their label tables; `json` and `cbor` the two serialisations; `rules`
//! what every decoding refuses, whatever the serialisation; `signed` the
//! COSE_Sign1 around the CBOR form.

mod cbor;
mod json;
mod model;
mod profile;
mod rules;
mod signed;

use alloc::string::String;

pub(crate) use model::layer_of;
pub use model::{
    AttestationResult, Component, Failure, LayerResult, Reason, Status, TrustVector, VerifierId,
};
pub use profile::{labels, EarProfile, EAR_PROFILE, EAR_PROFILE_DRAFT_04};

use super::error::EarError;
use crate::error::Error;

/// The name of the submodule that describes the whole terminal.
pub const DEVICE_SUBMOD: &str = "device";

/// `ear.malformed`, saying why.
fn malformed(reason: impl Into<String>) -> Error {
    EarError::Malformed {
        reason: reason.into(),
    }
    .into()
}
