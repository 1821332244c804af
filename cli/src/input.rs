//! Reading the CLI's inputs: a path or `-` for stdin, tokens as raw CBOR,
//! hex or base64 (detected), PEM bundles, keys, hex arguments and times.
//!
//! Every failure is one line that names the input (`--anchors roots.pem: no
//! PEM certificate found`); nothing here panics on bad input.

use std::io::Read as _;
use std::path::Path;

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use mtattest::crypto::{Algorithm, SoftwareSigner};

/// Inputs larger than this are refused before they are read further (a
/// token is at most 16 KiB; PEM bundles, policies and CRLs are small).
pub const MAX_INPUT: u64 = 4 << 20;

/// A library error as the CLI shows it: the message and its stable code.
pub fn lib_error(e: &mtattest::Error) -> String {
    format!("{} [{}]", one_line(&e.to_string()), e.code())
}

/// A message on one line: the lines of a multi-line message (a parser's
/// report with a source excerpt) joined by "; ", excerpt lines dropped.
pub fn one_line(message: &str) -> String {
    let excerpt = |l: &str| {
        let t = l.trim();
        t.is_empty()
            || t.starts_with('|')
            || t.chars().all(|c| c == '^' || c == ' ')
            || t.split_once(" |")
                .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
    };
    let parts: Vec<&str> = message
        .lines()
        .filter(|l| !excerpt(l))
        .map(str::trim)
        .collect();
    if parts.is_empty() {
        message.trim().to_string()
    } else {
        parts.join("; ")
    }
}

/// Reads a file, or stdin for `-`. `what` names the input in errors
/// (`--anchors`, `token`).
pub fn read(what: &str, path: &Path) -> Result<Vec<u8>, String> {
    let label = display(what, path);
    let mut bytes = Vec::new();
    let result = if path.as_os_str() == "-" {
        std::io::stdin()
            .lock()
            .take(MAX_INPUT + 1)
            .read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(MAX_INPUT + 1).read_to_end(&mut bytes))
    };
    result.map_err(|e| format!("{label}: {}", io_reason(&e)))?;
    if bytes.len() as u64 > MAX_INPUT {
        return Err(format!(
            "{label}: larger than the input limit of {MAX_INPUT} bytes"
        ));
    }
    Ok(bytes)
}

/// Reads a file that must be UTF-8 text.
pub fn read_text(what: &str, path: &Path) -> Result<String, String> {
    let bytes = read(what, path)?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "{}: not UTF-8 text (invalid byte at offset {})",
            display(what, path),
            e.utf8_error().valid_up_to()
        )
    })
}

/// `--anchors roots.pem`, `token (stdin)`.
pub fn display(what: &str, path: &Path) -> String {
    if path.as_os_str() == "-" {
        format!("{what} (stdin)")
    } else {
        format!("{what} {}", path.display())
    }
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => {
            // "Is a directory (os error 21)" and the like: keep the words.
            let text = e.to_string();
            match text.find(" (os error") {
                Some(at) => text[..at].to_string(),
                None => text,
            }
        }
    }
}

/// How a token was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Raw CBOR bytes.
    Raw,
    /// Hex text.
    Hex,
    /// Base64 text (standard or URL-safe, padded or not).
    Base64,
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Raw => "raw CBOR",
            Encoding::Hex => "hex",
            Encoding::Base64 => "base64",
        }
    }
}

/// Decodes token bytes written as raw CBOR, hex or base64.
///
/// Input that is not entirely printable ASCII (and whitespace) is raw CBOR
/// (a token starts with the tag byte 0xd2 or 0xd8). Otherwise whitespace
/// anywhere is dropped; text made only of hex digits is hex (an optional
/// `0x` prefix is allowed); anything else must be base64, standard or
/// URL-safe, with or without padding.
pub fn decode_token_text(bytes: &[u8]) -> Result<(Encoding, Vec<u8>), String> {
    let is_text = bytes
        .iter()
        .all(|&b| b.is_ascii_graphic() || b.is_ascii_whitespace());
    if !is_text {
        return Ok((Encoding::Raw, bytes.to_vec()));
    }
    let compact: Vec<u8> = bytes
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    if compact.is_empty() {
        return Err("empty (expected a token as raw CBOR, hex or base64)".to_string());
    }
    let hex_part = compact
        .strip_prefix(b"0x")
        .or_else(|| compact.strip_prefix(b"0X"))
        .unwrap_or(&compact);
    if !hex_part.is_empty() && hex_part.iter().all(u8::is_ascii_hexdigit) {
        if hex_part.len() % 2 == 1 {
            return Err(format!(
                "bad hex: odd number of hex digits ({})",
                hex_part.len()
            ));
        }
        return hex::decode(hex_part)
            .map(|b| (Encoding::Hex, b))
            .map_err(|e| format!("bad hex: {e}"));
    }
    let url_safe = compact.iter().any(|&b| b == b'-' || b == b'_');
    let alphabet = if url_safe {
        base64::alphabet::URL_SAFE
    } else {
        base64::alphabet::STANDARD
    };
    let engine = GeneralPurpose::new(
        &alphabet,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    match engine.decode(&compact) {
        Ok(b) if !b.is_empty() => Ok((Encoding::Base64, b)),
        Ok(_) => Err("empty (expected a token as raw CBOR, hex or base64)".to_string()),
        Err(e) => {
            let first = compact
                .iter()
                .find(|&&b| !(b.is_ascii_alphanumeric() || b"+/-_=".contains(&b)));
            Err(match first {
                Some(&c) => format!(
                    "not raw CBOR, hex or base64 (unexpected character {:?})",
                    c as char
                ),
                None => format!("bad base64: {e}"),
            })
        }
    }
}

/// Reads a token from a path or stdin and decodes its text form.
pub fn read_token(path: &Path) -> Result<(Encoding, Vec<u8>), String> {
    let bytes = read("token", path)?;
    decode_token_text(&bytes).map_err(|e| format!("{}: {e}", display("token", path)))
}

/// Decodes a hex command-line value (`--nonce`, `--app-signer`).
pub fn hex_arg(flag: &str, value: &str) -> Result<Vec<u8>, String> {
    let v = value.trim();
    let v = v
        .strip_prefix("0x")
        .or_else(|| v.strip_prefix("0X"))
        .unwrap_or(v);
    if v.is_empty() {
        return Err(format!("{flag}: empty (expected hex)"));
    }
    if let Some(c) = v.chars().find(|c| !c.is_ascii_hexdigit()) {
        return Err(format!("{flag} {value:?}: not hex (unexpected {c:?})"));
    }
    if v.len() % 2 == 1 {
        return Err(format!("{flag} {value:?}: odd number of hex digits"));
    }
    hex::decode(v).map_err(|e| format!("{flag} {value:?}: not hex ({e})"))
}

/// A challenge nonce from `--nonce HEX`, 8..=64 bytes as the profile
/// requires; `code` is the library's code for a nonce of the wrong length
/// in this use.
pub fn nonce_arg(value: &str, code: &str) -> Result<Vec<u8>, String> {
    let bytes = hex_arg("--nonce", value)?;
    if !(8..=64).contains(&bytes.len()) {
        return Err(format!(
            "--nonce: {} bytes; a nonce is 8..64 bytes [{code}]",
            bytes.len()
        ));
    }
    Ok(bytes)
}

/// The DER certificates of a PEM bundle, in file order. A file that is
/// not PEM is read as one DER certificate.
pub fn certificates(what: &str, path: &Path) -> Result<Vec<Vec<u8>>, String> {
    let label = display(what, path);
    let bytes = read(what, path)?;
    if !contains(&bytes, b"-----BEGIN") {
        return match <x509_cert::Certificate as der::Decode>::from_der(&bytes) {
            Ok(_) => Ok(vec![bytes]),
            Err(_) => Err(format!("{label}: no PEM certificate found")),
        };
    }
    let certs = x509_cert::Certificate::load_pem_chain(&bytes)
        .map_err(|e| format!("{label}: not a PEM certificate bundle ({e})"))?;
    if certs.is_empty() {
        return Err(format!("{label}: no PEM certificate found"));
    }
    certs
        .iter()
        .map(|c| der::Encode::to_der(c).map_err(|e| format!("{label}: {e}")))
        .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A signer from a PKCS #8 private key (PEM `PRIVATE KEY` or DER) on
/// P-384 (ES384) or P-256 (ES256), as `mtattest pki` writes them.
pub fn signer(path: &Path) -> Result<SoftwareSigner, String> {
    use p256::pkcs8::DecodePrivateKey as _;
    let label = display("--key", path);
    let bytes = read("--key", path)?;
    let secret = if contains(&bytes, b"-----BEGIN") {
        let text = std::str::from_utf8(&bytes).map_err(|_| format!("{label}: PEM is not text"))?;
        let text = text.trim();
        if text.contains("ENCRYPTED PRIVATE KEY") {
            return Err(format!(
                "{label}: the key is encrypted; give an unencrypted PKCS#8 key"
            ));
        }
        if !text.contains("-----BEGIN PRIVATE KEY-----") {
            return Err(format!(
                "{label}: expected a PKCS#8 \"PRIVATE KEY\" PEM (convert with `openssl pkcs8 -topk8 -nocrypt`)"
            ));
        }
        match p384::SecretKey::from_pkcs8_pem(text) {
            Ok(k) => (Algorithm::Es384, k.to_bytes().to_vec()),
            Err(e384) => match p256::SecretKey::from_pkcs8_pem(text) {
                Ok(k) => (Algorithm::Es256, k.to_bytes().to_vec()),
                Err(_) => {
                    return Err(format!(
                        "{label}: not a P-384 or P-256 PKCS#8 private key ({e384})"
                    ))
                }
            },
        }
    } else {
        match p384::SecretKey::from_pkcs8_der(&bytes) {
            Ok(k) => (Algorithm::Es384, k.to_bytes().to_vec()),
            Err(e384) => match p256::SecretKey::from_pkcs8_der(&bytes) {
                Ok(k) => (Algorithm::Es256, k.to_bytes().to_vec()),
                Err(_) => {
                    return Err(format!(
                        "{label}: not a PKCS#8 private key, PEM or DER, on P-384 or P-256 ({e384})"
                    ))
                }
            },
        }
    };
    SoftwareSigner::from_secret_bytes(secret.0, &secret.1).map_err(|e| format!("{label}: {e}"))
}

/// A time from `--at`: epoch seconds, or RFC 3339 (`2026-01-01T00:00:00Z`,
/// fractions dropped, any offset).
pub fn time_arg(value: &str) -> Result<i64, String> {
    let v = value.trim();
    let digits = v.strip_prefix('-').unwrap_or(v);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return v
            .parse::<i64>()
            .map_err(|_| format!("--at {value:?}: out of range"));
    }
    crate::time::parse_rfc3339(v).map_err(|e| {
        format!(
            "--at {value:?}: {e} (expected epoch seconds or RFC 3339 such as 2026-01-01T00:00:00Z)"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_text_forms() {
        let raw = [0xd2, 0x84, 0x43, 0xa1, 0x01, 0x38];
        assert_eq!(
            decode_token_text(&raw).unwrap(),
            (Encoding::Raw, raw.to_vec())
        );
        assert_eq!(
            decode_token_text(b" d28443a10138\n").unwrap(),
            (Encoding::Hex, raw.to_vec())
        );
        assert_eq!(
            decode_token_text(b"D2 84 43 A1\n01 38").unwrap(),
            (Encoding::Hex, raw.to_vec())
        );
        for b64 in ["0oRDoQE4", "0oRD\noQE4\n"] {
            assert_eq!(
                decode_token_text(b64.as_bytes()).unwrap(),
                (Encoding::Base64, raw.to_vec())
            );
        }
        for b64 in ["0oRDoQ==", "0oRDoQ"] {
            assert_eq!(decode_token_text(b64.as_bytes()).unwrap().1, raw[..4]);
        }
        // 0xfb 0xff: '+' and '/' in standard base64, '-' and '_' URL-safe.
        assert_eq!(decode_token_text(b"+/8").unwrap().1, vec![0xfb, 0xff]);
        assert_eq!(decode_token_text(b"-_8").unwrap().1, vec![0xfb, 0xff]);
        assert_eq!(decode_token_text(b"-_8=").unwrap().1, vec![0xfb, 0xff]);
    }

    #[test]
    fn token_text_errors() {
        assert!(decode_token_text(b"d28")
            .unwrap_err()
            .contains("odd number"));
        assert!(decode_token_text(b"  \n").unwrap_err().contains("empty"));
        assert!(decode_token_text(b"not a token!")
            .unwrap_err()
            .contains("unexpected character '!'"));
        assert!(decode_token_text(b"abc=def")
            .unwrap_err()
            .contains("base64"));
    }

    #[test]
    fn messages_fit_one_line() {
        let toml = "TOML parse error at line 1, column 15\n  |\n1 | id = [unclosed\n  |               ^\ninvalid array\nexpected `]`\n";
        assert_eq!(
            one_line(toml),
            "TOML parse error at line 1, column 15; invalid array; expected `]`"
        );
        assert_eq!(one_line("plain"), "plain");
    }

    #[test]
    fn hex_args() {
        assert_eq!(hex_arg("--x", "0aFF").unwrap(), vec![0x0a, 0xff]);
        assert!(hex_arg("--x", "abc").unwrap_err().contains("odd"));
        assert!(hex_arg("--x", "zz").unwrap_err().contains("not hex"));
        assert_eq!(
            nonce_arg("0011", "c.d").unwrap_err(),
            "--nonce: 2 bytes; a nonce is 8..64 bytes [c.d]"
        );
        assert_eq!(nonce_arg(&"5a".repeat(8), "c.d").unwrap(), vec![0x5a; 8]);
    }

    #[test]
    fn times() {
        assert_eq!(time_arg("1767225600").unwrap(), 1_767_225_600);
        assert_eq!(time_arg("2026-01-01T00:00:00Z").unwrap(), 1_767_225_600);
        assert!(time_arg("yesterday").unwrap_err().starts_with("--at"));
    }
}
