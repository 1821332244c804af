//! Nonces: drawn from the operating system's generator, written in standard
//! base64, and read in any base64 flavour a client may send (standard or
//! URL-safe alphabet, padded or not), as Veraison's clients of different
//! ages do.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::{alphabet, Engine as _};
use rand_core::{OsRng, RngCore as _};

use crate::problem::{Problem, ServerCode};

/// Nonce lengths the service issues and accepts, in bytes (spec §11.1).
pub const NONCE_LEN: std::ops::RangeInclusive<usize> = 8..=64;

/// The nonce length when the client asks for none.
pub const DEFAULT_NONCE_LEN: usize = 32;

fn engine(alphabet: &alphabet::Alphabet) -> GeneralPurpose {
    GeneralPurpose::new(
        alphabet,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    )
}

/// Decodes base64 in either alphabet, padded or not. A text that mixes the
/// two alphabets, has non-zero trailing bits or wrong padding is refused,
/// so one text has one reading. A space stands for `+` (a `+` sent
/// unescaped in a query string arrives as a space).
pub fn decode_base64_any(text: &str) -> Option<Vec<u8>> {
    let text = text.replace(' ', "+");
    let standard = text.contains(['+', '/']);
    let url_safe = text.contains(['-', '_']);
    let alphabet = match (standard, url_safe) {
        (true, true) => return None,
        (_, true) => &alphabet::URL_SAFE,
        _ => &alphabet::STANDARD,
    };
    engine(alphabet).decode(text).ok()
}

/// Reads a nonce given as base64 (`field` names it in the problem): 8 to 64
/// bytes.
pub fn parse_nonce(field: &str, text: &str) -> Result<Vec<u8>, Problem> {
    let bytes = decode_base64_any(text).ok_or_else(|| {
        Problem::new(
            ServerCode::BadNonce,
            format!("{field} is not base64 (standard or URL-safe alphabet, padded or not)"),
        )
    })?;
    if !NONCE_LEN.contains(&bytes.len()) {
        return Err(Problem::new(
            ServerCode::BadNonce,
            format!(
                "{field} decodes to {} bytes; a nonce has 8 to 64",
                bytes.len()
            ),
        ));
    }
    Ok(bytes)
}

/// Reads a `nonceSize`: a decimal integer in 8..=64.
pub fn parse_nonce_size(text: &str) -> Result<usize, Problem> {
    let size = text
        .parse::<usize>()
        .ok()
        .filter(|n| NONCE_LEN.contains(n) && !text.starts_with('+'));
    size.ok_or_else(|| {
        Problem::new(
            ServerCode::BadNonceSize,
            format!("nonceSize {text:?} is not an integer from 8 to 64"),
        )
    })
}

/// `len` random bytes from the operating system, or the store-like failure
/// to answer with when it has none.
pub fn random_nonce(len: usize) -> Result<Vec<u8>, Problem> {
    let mut bytes = vec![0; len];
    OsRng.try_fill_bytes(&mut bytes).map_err(|e| {
        Problem::new(
            ServerCode::Internal,
            format!("the system's random generator failed: {e}"),
        )
    })?;
    Ok(bytes)
}

/// Standard base64 with padding: what the service writes.
pub fn encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_flavour_reads_the_same_bytes() {
        let bytes = vec![0xfb, 0xff, 0xbf, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06];
        for text in [
            "+/+/AQIDBAUG",
            "-_-_AQIDBAUG",
            "+ /+/AQIDBAUG".replace(' ', "").as_str(),
            " /+/AQIDBAUG",
        ] {
            assert_eq!(decode_base64_any(text), Some(bytes.clone()), "{text}");
        }
        let odd = vec![1, 2, 3, 4, 5, 6, 7, 8];
        assert_eq!(decode_base64_any("AQIDBAUGBwg="), Some(odd.clone()));
        assert_eq!(decode_base64_any("AQIDBAUGBwg"), Some(odd));
        // Mixed alphabets, bad padding, non-canonical trailing bits.
        assert_eq!(decode_base64_any("+_AQIDBAUGBwg"), None);
        assert_eq!(decode_base64_any("AQIDBAUGBwg=="), None);
        assert_eq!(decode_base64_any("AQIDBAUGBwh="), None);
        assert_eq!(decode_base64_any("AQID*AUGBwg="), None);
    }

    #[test]
    fn nonce_rules() {
        assert_eq!(
            parse_nonce("nonce", "AQIDBAUGBw").unwrap_err().code(),
            "server.bad-nonce"
        );
        assert_eq!(parse_nonce("nonce", "AQIDBAUGBwg").unwrap().len(), 8);
        assert_eq!(parse_nonce("nonce", &encode(&[7; 64])).unwrap().len(), 64);
        assert!(parse_nonce("nonce", &encode(&[7; 65])).is_err());
        assert!(parse_nonce("nonce", "").is_err());
        for ok in ["8", "32", "64"] {
            assert!(parse_nonce_size(ok).is_ok(), "{ok}");
        }
        for bad in ["7", "65", "", "+8", "-8", "08x", "3.2", "32 "] {
            assert_eq!(
                parse_nonce_size(bad).unwrap_err().code(),
                "server.bad-nonce-size",
                "{bad}"
            );
        }
        assert_eq!(random_nonce(32).unwrap().len(), 32);
        assert_ne!(random_nonce(32).unwrap(), random_nonce(32).unwrap());
    }
}
