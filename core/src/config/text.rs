//! Text values of a configuration, and the one reading of a challenge
//! given as hex.

use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use super::ConfigError;
use crate::error::Error;

/// A text value of a [`VerifierConfig`](super::VerifierConfig) exactly as
/// written. It is only read through the validation of
/// [`VerifierConfig::build`](super::VerifierConfig::build), which refuses
/// an empty or whitespace-only text (`config.empty`) instead of reading it
/// as "absent"; nothing is trimmed.
#[derive(Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Text(String);

impl Text {
    /// A text value.
    pub fn new(text: impl Into<String>) -> Text {
        Text(text.into())
    }

    /// The text as written, unchecked (for display and serialisation).
    pub fn as_written(&self) -> &str {
        &self.0
    }

    /// The text, refused as `config.empty` (naming `field`) when it is
    /// empty or only whitespace.
    pub(crate) fn checked(&self, field: &str) -> Result<&str, ConfigError> {
        if is_blank(&self.0) {
            return Err(ConfigError::empty(field));
        }
        Ok(&self.0)
    }
}

impl core::fmt::Debug for Text {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Debug::fmt(&self.0, f)
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Text {
        Text::new(text)
    }
}

impl From<String> for Text {
    fn from(text: String) -> Text {
        Text(text)
    }
}

pub(crate) fn is_blank(text: &str) -> bool {
    text.chars().all(char::is_whitespace)
}

/// Lowercase hex digits (an even number, nothing else: no uppercase, no
/// prefix, no whitespace) to bytes; `config.bad-value` naming `field` otherwise.
pub(crate) fn hex_bytes(field: &str, text: &str) -> Result<Vec<u8>, ConfigError> {
    crate::encoding::from_hex(text).map_err(|e| ConfigError::bad(field, e.reason))
}

/// The relying party's challenge written as hex, as every front end takes
/// it (`--nonce`, the WASM `nonce`): its bytes, or `config.empty` for an
/// empty or whitespace-only text (never "no challenge") and
/// `config.bad-value` for anything but lowercase hex digits (an even
/// number; no uppercase, no prefix, no whitespace).
///
/// The length is not checked here: a challenge outside 8..=64 bytes is
/// refused by verification itself (`freshness.nonce-length`, spec §9 step
/// 11), the same for every front end, the C ABI included, which takes the
/// challenge as bytes.
///
/// ```
/// use mtattest::config::challenge_from_hex;
///
/// assert_eq!(challenge_from_hex("00ff00ff").unwrap(), [0, 255, 0, 255]);
/// assert_eq!(challenge_from_hex("00FF").unwrap_err().code(), "config.bad-value");
/// assert_eq!(challenge_from_hex("").unwrap_err().code(), "config.empty");
/// assert_eq!(challenge_from_hex("  ").unwrap_err().code(), "config.empty");
/// assert_eq!(challenge_from_hex("0x00").unwrap_err().code(), "config.bad-value");
/// assert_eq!(challenge_from_hex("abc").unwrap_err().code(), "config.bad-value");
/// // Any length: verification refuses this one with freshness.nonce-length.
/// assert_eq!(challenge_from_hex("0011").unwrap().len(), 2);
/// ```
pub fn challenge_from_hex(text: &str) -> Result<Vec<u8>, Error> {
    if is_blank(text) {
        return Err(ConfigError::empty("nonce").into());
    }
    Ok(hex_bytes("nonce", text)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_texts_are_empty_not_absent() {
        for blank in ["", " ", "\t\n", "\u{a0}"] {
            let e = Text::from(blank).checked("x").unwrap_err();
            assert_eq!(e.code(), "config.empty", "{blank:?}");
        }
        assert_eq!(Text::from(" a ").checked("x").unwrap(), " a ");
    }

    #[test]
    fn hex_is_digits_only() {
        assert_eq!(hex_bytes("f", "0aff").unwrap(), [0x0a, 0xff]);
        for bad in ["0", "0g", "0a ff", " 0aff", "0x0a", "0a\n", "0aFf"] {
            assert_eq!(
                hex_bytes("f", bad).unwrap_err().code(),
                "config.bad-value",
                "{bad:?}"
            );
        }
    }
}
