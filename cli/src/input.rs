//! Reading the CLI's inputs: a path or `-` for stdin, tokens, certificate
//! lists, keys, hex arguments and times. The text forms themselves (hex,
//! RFC 3339, PEM and DER lists, token text) are the library's
//! (`mtattest::encoding`), as in every front end.
//!
//! Every failure is one line that names the input (`--anchors roots.pem: no
//! PEM certificate found`); nothing here panics on bad input.

use std::io::Read as _;
use std::path::Path;

use mtattest::crypto::{Algorithm, SoftwareSigner};
use mtattest::encoding::{
    certificate_list, decode_token_text, from_hex, parse_time, TokenEncoding,
};
use mtattest::UnixTime;

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

/// Reads a token from a path or stdin and decodes its text form (raw
/// CBOR, hex or base64: `mtattest::encoding::decode_token_text`).
pub fn read_token(path: &Path) -> Result<(TokenEncoding, Vec<u8>), String> {
    let bytes = read("token", path)?;
    decode_token_text(&bytes).map_err(|e| format!("{}: {e}", display("token", path)))
}

/// Decodes a hex command-line value by the library's one hex rule
/// (lowercase digits, nothing else); empty is refused.
pub fn hex_arg(flag: &str, value: &str) -> Result<Vec<u8>, String> {
    if value.is_empty() {
        return Err(format!("{flag}: empty (expected hex)"));
    }
    from_hex(value).map_err(|e| format!("{flag} {value:?}: {e}"))
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

/// The DER certificates of a list, in order: a PEM bundle or DER
/// certificates one after the other (`mtattest::encoding::certificate_list`).
pub fn certificates(what: &str, path: &Path) -> Result<Vec<Vec<u8>>, String> {
    let bytes = read(what, path)?;
    certificate_list(&bytes).map_err(|e| format!("{}: {e}", display(what, path)))
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
    parse_time(value)
        .map(|t| t.secs())
        .map_err(|e| format!("--at {value:?}: {e}"))
}

/// Epoch seconds as the CLI shows them: RFC 3339 in UTC, or plain seconds
/// where RFC 3339 has no form (years outside 0000..=9999).
pub fn time_text(secs: i64) -> String {
    UnixTime(secs).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(hex_arg("--x", "0aff").unwrap(), vec![0x0a, 0xff]);
        assert!(hex_arg("--x", "0aFF").unwrap_err().contains("lowercase"));
        assert!(hex_arg("--x", "abc").unwrap_err().contains("odd"));
        assert!(hex_arg("--x", "zz").unwrap_err().contains("not hex"));
        assert!(hex_arg("--x", "").unwrap_err().contains("empty"));
        assert!(hex_arg("--x", "0x0a").unwrap_err().contains("not hex"));
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
        assert_eq!(time_text(1_767_225_600), "2026-01-01T00:00:00Z");
        assert_eq!(time_text(i64::MAX), "9223372036854775807 s");
    }
}
