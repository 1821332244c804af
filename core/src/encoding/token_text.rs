//! A token as it arrives in a file, on stdin or pasted into a form: raw
//! CBOR, hex or base64.

use alloc::format;
use alloc::vec::Vec;

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;

use super::{from_hex, EncodingError};

/// How a token was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenEncoding {
    /// Raw CBOR bytes.
    Raw,
    /// Hex text.
    Hex,
    /// Base64 text (standard or URL-safe, padded or not).
    Base64,
}

impl TokenEncoding {
    /// `raw CBOR`, `hex` or `base64`.
    pub const fn name(self) -> &'static str {
        match self {
            TokenEncoding::Raw => "raw CBOR",
            TokenEncoding::Hex => "hex",
            TokenEncoding::Base64 => "base64",
        }
    }
}

/// The token bytes of `input` and how they were written.
///
/// Input that is not entirely printable ASCII and whitespace is raw CBOR (a
/// token starts with a tag byte, 0xd2 or 0xd8). Otherwise whitespace
/// anywhere is dropped (tokens are pasted with line breaks); text of hex
/// digits only is hex (either case, optionally after `0x`); anything else
/// must be base64, standard or URL-safe, with or without padding. Empty
/// input, or input that decodes to nothing, is an error.
///
/// ```
/// use mtattest::encoding::{decode_token_text, TokenEncoding};
///
/// let raw = [0xd2, 0x84, 0x43, 0xa1];
/// assert_eq!(decode_token_text(&raw).unwrap(), (TokenEncoding::Raw, raw.to_vec()));
/// assert_eq!(decode_token_text(b"D2 84\n43 a1").unwrap(), (TokenEncoding::Hex, raw.to_vec()));
/// assert_eq!(decode_token_text(b"0oRDoQ").unwrap(), (TokenEncoding::Base64, raw.to_vec()));
/// assert!(decode_token_text(b" \n").is_err());
/// ```
pub fn decode_token_text(input: &[u8]) -> Result<(TokenEncoding, Vec<u8>), EncodingError> {
    let is_text = input
        .iter()
        .all(|&b| b.is_ascii_graphic() || b.is_ascii_whitespace());
    if !is_text {
        return Ok((TokenEncoding::Raw, input.to_vec()));
    }
    let compact: Vec<u8> = input
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let empty = || EncodingError::new("empty (expected a token as raw CBOR, hex or base64)");
    if compact.is_empty() {
        return Err(empty());
    }
    let hex_part = compact
        .strip_prefix(b"0x")
        .or_else(|| compact.strip_prefix(b"0X"))
        .unwrap_or(&compact);
    if !hex_part.is_empty() && hex_part.iter().all(u8::is_ascii_hexdigit) {
        // All ASCII hex digits, so UTF-8.
        // A token pasted as text is a transport form, not a value written
        // by hand (spec §12.3's hex rule is for values): dumps of either
        // case are read.
        let text = core::str::from_utf8(hex_part)
            .unwrap_or_default()
            .to_ascii_lowercase();
        return from_hex(&text).map(|b| (TokenEncoding::Hex, b));
    }
    let alphabet = if compact.iter().any(|&b| b == b'-' || b == b'_') {
        base64::alphabet::URL_SAFE
    } else {
        base64::alphabet::STANDARD
    };
    let engine = GeneralPurpose::new(
        &alphabet,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    match engine.decode(&compact) {
        Ok(b) if !b.is_empty() => Ok((TokenEncoding::Base64, b)),
        Ok(_) => Err(empty()),
        Err(e) => {
            let first = compact
                .iter()
                .find(|&&b| !(b.is_ascii_alphanumeric() || b"+/-_=".contains(&b)));
            Err(EncodingError::new(match first {
                Some(&c) => format!(
                    "not raw CBOR, hex or base64 (unexpected character {:?})",
                    char::from(c)
                ),
                None => format!("bad base64: {e}"),
            }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(text: &[u8]) -> Result<(TokenEncoding, Vec<u8>), alloc::string::String> {
        decode_token_text(text).map_err(|e| e.reason)
    }

    #[test]
    fn forms() {
        let raw = [0xd2, 0x84, 0x43, 0xa1, 0x01, 0x38];
        assert_eq!(decode(&raw).unwrap(), (TokenEncoding::Raw, raw.to_vec()));
        for hex in [
            &b" d28443a10138\n"[..],
            b"D2 84 43 A1\n01 38",
            b"0xd28443a10138",
        ] {
            assert_eq!(decode(hex).unwrap(), (TokenEncoding::Hex, raw.to_vec()));
        }
        for b64 in ["0oRDoQE4", "0oRD\noQE4\n"] {
            assert_eq!(
                decode(b64.as_bytes()).unwrap(),
                (TokenEncoding::Base64, raw.to_vec())
            );
        }
        for b64 in ["0oRDoQ==", "0oRDoQ"] {
            assert_eq!(decode(b64.as_bytes()).unwrap().1, raw[..4]);
        }
        // 0xfb 0xff: '+' and '/' in standard base64, '-' and '_' URL-safe.
        assert_eq!(decode(b"+/8").unwrap().1, [0xfb, 0xff]);
        assert_eq!(decode(b"-_8").unwrap().1, [0xfb, 0xff]);
        assert_eq!(decode(b"-_8=").unwrap().1, [0xfb, 0xff]);
    }

    #[test]
    fn errors() {
        assert!(decode(b"d28").unwrap_err().contains("odd number"));
        assert!(decode(b"  \n").unwrap_err().contains("empty"));
        assert!(decode(b"==").unwrap_err().contains("base64"));
        assert!(decode(b"not a token!")
            .unwrap_err()
            .contains("unexpected character '!'"));
        assert!(decode(b"abc=def").unwrap_err().contains("base64"));
    }
}
