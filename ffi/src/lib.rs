//! The C ABI of mtattest: relying parties (C/C++ verification servers)
//! verify and appraise tokens, devices (firmware) produce them, with a
//! TEE or HSM signing through a callback.
//!
//! The header `include/mtattest.h` is generated from this crate by
//! cbindgen (a test fails when the committed header is out of date); the
//! doc comments here are the header's. The conventions, shared by every
//! function:
//!
//! - **Result codes.** Every function returns an [`mtattest_result`]
//!   ([`mtattest_result::MTATTEST_OK`] is 0), except the free functions
//!   (which return nothing) and the pure look-ups [`mtattest_version`] and
//!   [`mtattest_result_code`]. Codes from 100 up map one to one to the
//!   stable dotted codes of the core ([`mtattest::Error::code`], spec §13),
//!   from a single table ([`error`]); codes below 100 are the C API's own.
//! - **Messages.** [`mtattest_last_error`] copies a readable message about
//!   the most recent call on the calling thread if it failed.
//! - **Handles** are opaque pointers, created by `_new`/`_build` functions
//!   and released by a NULL-safe `_free`. A handle of the wrong kind is
//!   refused with `MTATTEST_ERR_INVALID_HANDLE`.
//! - **Inputs** are (pointer, length) pairs. A required input that is NULL
//!   gives `MTATTEST_ERR_NULL_POINTER`, one of length 0
//!   `MTATTEST_ERR_ZERO_LENGTH`; an optional input is absent as (NULL, 0).
//!   Text must be UTF-8 (`MTATTEST_ERR_INVALID_UTF8`). Configuration values
//!   (the builder's setters, the challenge) are the exception: an empty
//!   one is `MTATTEST_CONFIG_EMPTY`, the configuration's code.
//! - **Configuration** ([`builder`]): the builder fills a
//!   [`mtattest::config::VerifierConfig`], and
//!   [`mtattest_verifier_from_config_json`] and
//!   [`mtattest_verifier_from_config_toml`] take a whole one; the core
//!   checks it, so C refuses what the CLI and WASM refuse, with the same
//!   codes.
//! - **Outputs** into caller buffers use the size query: `*out_len` always
//!   receives the size needed, and a buffer that is NULL (with capacity 0)
//!   or too small gives `MTATTEST_ERR_BUFFER_TOO_SMALL`. Results that live
//!   in a handle are lent as pointers valid until the handle is freed. The
//!   library never hands out memory the caller must free itself.
//! - **Panics** never cross the boundary: every entry point runs behind
//!   [`std::panic::catch_unwind`] and reports `MTATTEST_ERR_PANIC` (the
//!   library must be built with `panic = "unwind"`, the default).
//!
//! `unsafe` code exists only in this crate, each block with the argument
//! for its soundness.
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(missing_docs)]
#![allow(non_camel_case_types)]

mod boundary;
pub mod builder;
pub mod error;
pub mod produce;
pub mod reasons;
pub mod result;
pub mod verify;

pub use builder::{
    mtattest_default_crypto_provider, mtattest_verifier_builder,
    mtattest_verifier_builder_add_anchors, mtattest_verifier_builder_add_crl,
    mtattest_verifier_builder_build, mtattest_verifier_builder_free, mtattest_verifier_builder_new,
    mtattest_verifier_builder_set_algorithms, mtattest_verifier_builder_set_android_json,
    mtattest_verifier_builder_set_bulletins, mtattest_verifier_builder_set_chain_cache_size,
    mtattest_verifier_builder_set_crypto_provider, mtattest_verifier_builder_set_ear_profile,
    mtattest_verifier_builder_set_freshness, mtattest_verifier_builder_set_policy_json,
    mtattest_verifier_builder_set_policy_preset, mtattest_verifier_builder_set_policy_toml,
    mtattest_verifier_builder_set_replay_peak_rate, mtattest_verifier_builder_set_require_nonce,
    mtattest_verifier_builder_set_require_protected_x5chain,
    mtattest_verifier_builder_set_status_list, mtattest_verifier_from_config_json,
    mtattest_verifier_from_config_toml,
};
pub use error::{mtattest_last_error, mtattest_result, mtattest_result_code, mtattest_version};
pub use produce::{
    mtattest_issue, mtattest_sign_callback, mtattest_signer, mtattest_signer_free,
    mtattest_signer_new_callback, mtattest_signer_new_p384, mtattest_signer_new_pkcs8_pem,
    mtattest_signer_sign, MTATTEST_ISSUE_CWT_TAG, MTATTEST_ISSUE_X5CHAIN_UNPROTECTED,
};
pub use reasons::{
    mtattest_action, mtattest_evidence_source, mtattest_verify_result_action,
    mtattest_verify_result_reason_advisory, mtattest_verify_result_reason_claim,
    mtattest_verify_result_reason_count, mtattest_verify_result_reason_effective_source,
    mtattest_verify_result_reason_evidence_source, mtattest_verify_result_reason_failure,
    mtattest_verify_result_reason_required, mtattest_verify_result_reason_rule,
    mtattest_verify_result_reason_seen, mtattest_verify_result_reason_status,
};
pub use result::{
    mtattest_verify_result, mtattest_verify_result_android_json,
    mtattest_verify_result_claims_json, mtattest_verify_result_ear_cbor,
    mtattest_verify_result_ear_json, mtattest_verify_result_error,
    mtattest_verify_result_error_code, mtattest_verify_result_free, mtattest_verify_result_message,
    mtattest_verify_result_status,
};
pub use verify::{
    mtattest_status, mtattest_verifier, mtattest_verifier_free, mtattest_verify,
    mtattest_verify_enrolled, MTATTEST_ALG_ES256, MTATTEST_ALG_ES384,
    MTATTEST_EAR_PROFILE_IETF_DRAFT_04, MTATTEST_EAR_PROFILE_VERAISON_2023,
    MTATTEST_MAX_TOKEN_SIZE,
};
