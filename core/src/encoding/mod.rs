//! The text forms of bytes and times, read and written the same way by
//! every part of the library and by every front end (CLI, C ABI, WASM):
//!
//! - hex ([`to_hex`], [`from_hex`]): bytes as lowercase hex digits, written
//!   and read the same way everywhere — nothing else (no uppercase, no
//!   `0x`, no whitespace);
//! - labels ([`label_text`]): bytes that are usually text (`hwmodel`) as
//!   that text, or `{"hex": …}` when they are not text;
//! - RFC 3339 ([`format_rfc3339`], [`parse_rfc3339`], [`parse_time`]):
//!   times as RFC 3339 date-times, and a time as a person writes it (epoch
//!   seconds or RFC 3339);
//! - certificate lists ([`certificate_list`], [`pem_blocks`], [`is_pem`]):
//!   a PEM bundle, or DER certificates one after the other;
//! - token text ([`decode_token_text`]): a token as it arrives — raw CBOR,
//!   hex or base64.
//!
//! A failure is an [`EncodingError`] saying what is wrong; it has no code of
//! its own, because what a malformed text means depends on where it came
//! from (a configuration value is `config.bad-value`, a claim in JSON
//! `claims.invalid-value`, an anchor `chain.bad-anchor`): each caller wraps
//! it in its own error.

mod certificates;
mod hex;
mod label;
mod rfc3339;
mod token_text;

use alloc::string::String;

pub use certificates::{certificate_list, is_pem, pem_blocks};
pub use hex::{from_hex, to_hex};
pub use label::{label_text, LABEL_HEX};
pub use rfc3339::{format_rfc3339, parse_rfc3339, parse_time};
pub use token_text::{decode_token_text, TokenEncoding};

/// Why a text could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct EncodingError {
    /// The item the error is about, counting from 0, where the text holds
    /// several (the certificates of a list, the blocks of a PEM text).
    pub item: Option<usize>,
    /// What is wrong, for people.
    pub reason: String,
}

impl EncodingError {
    pub(crate) fn new(reason: impl Into<String>) -> EncodingError {
        EncodingError {
            item: None,
            reason: reason.into(),
        }
    }

    pub(crate) fn at(item: usize, reason: impl Into<String>) -> EncodingError {
        EncodingError {
            item: Some(item),
            reason: reason.into(),
        }
    }
}
