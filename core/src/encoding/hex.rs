//! Bytes as hex: one rule everywhere (spec §12.3). Written and read as
//! lowercase digits, two a byte, and nothing else — no uppercase, no `0x`
//! prefix, no whitespace, no separators — in claims JSON, policies,
//! configurations, command-line flags and bindings alike, so a value has
//! one spelling wherever it is written.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::EncodingError;

/// Lowercase hex, two digits a byte.
///
/// ```
/// assert_eq!(mtattest::encoding::to_hex(&[0x00, 0x5a, 0xff]), "005aff");
/// ```
pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len().saturating_mul(2));
    for b in bytes {
        for nibble in [b >> 4, b & 0x0f] {
            out.push(char::from(DIGITS[usize::from(nibble)]));
        }
    }
    out
}

/// The bytes of lowercase hex digits (an even number, nothing else). The
/// empty text is zero bytes; whether that is allowed is the caller's rule.
///
/// ```
/// use mtattest::encoding::from_hex;
///
/// assert_eq!(from_hex("005aff").unwrap(), [0x00, 0x5a, 0xff]);
/// assert!(from_hex("005aFF").is_err());
/// assert!(from_hex("0x00").is_err());
/// assert!(from_hex("00 5a").is_err());
/// assert!(from_hex("abc").is_err());
/// ```
pub fn from_hex(text: &str) -> Result<Vec<u8>, EncodingError> {
    if let Some(c) = text.chars().find(|c| c.is_ascii_uppercase()) {
        return Err(EncodingError::new(format!(
            "not lowercase hex: {c:?} is uppercase (hex is written in lowercase)"
        )));
    }
    if let Some(c) = text.chars().find(|c| !c.is_ascii_hexdigit()) {
        return Err(EncodingError::new(format!(
            "not hex: {c:?} is not a hex digit"
        )));
    }
    if text.len() % 2 == 1 {
        return Err(EncodingError::new(format!(
            "not hex: an odd number of digits ({})",
            text.len()
        )));
    }
    text.as_bytes()
        .chunks_exact(2)
        .map(|pair| {
            let value = |d: u8| char::from(d).to_digit(16);
            match pair {
                [hi, lo] => match (value(*hi), value(*lo)) {
                    // Two hex digits make at most 0xff.
                    (Some(hi), Some(lo)) => u8::try_from(hi << 4 | lo).ok(),
                    _ => None,
                },
                _ => None,
            }
            .ok_or_else(|| EncodingError::new("not hex"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_one_rule() {
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(from_hex(&to_hex(&all)).unwrap(), all);
        assert_eq!(from_hex("").unwrap(), Vec::<u8>::new());
        for bad in [
            "0", "5", "zz", "0x00", "0X00", " 00", "00 ", "0 0", "+0", "٠٠", "g0", "AB", "aB", "0A",
        ] {
            assert!(from_hex(bad).is_err(), "{bad:?}");
        }
    }
}
