//! External corpora for CWT and EAT (`../shared/corpora/rfc8392-cwt`,
//! `../shared/corpora/rfc9711-eat-examples`): the RFC 8392 appendix A
//! tokens and claims set, and the RFC 9711 appendix A claims sets and
//! tokens, run through the token and claims layers.
//!
//! Neither RFC's examples are mtattest tokens: they carry no `eat_profile`
//! of this profile (and often no `iat`), so the claims layer refuses them as
//! sent (`claims.missing`). To show that it nevertheless reads every EAT
//! claim without loss, each claims set is also decoded with this profile's
//! `eat_profile` (and an `iat` where it has none) added: every other claim
//! is then a defined claim or an unknown claim, and re-encoding gives back
//! exactly the (deterministically encoded) input.

use std::path::PathBuf;

use ciborium::value::Value;
use mtattest::claims::{keys, ClaimsSet};
use mtattest::crypto::{Algorithm, Curve, PublicKey, RustCrypto};
use mtattest::token::{DecodeOptions, Token};
use mtattest::{cbor, Limits};

fn corpus(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpora")
        .join(rel)
}

fn read_text(rel: &str) -> String {
    let path = corpus(rel);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("corpus file {} must exist: {e}", path.display()))
}

fn read_hex(rel: &str) -> Vec<u8> {
    hex::decode(read_text(rel).trim()).expect("corpus hex")
}

fn int(n: i64) -> Value {
    Value::Integer(n.into())
}

fn decode(bytes: &[u8]) -> Result<Token, &'static str> {
    Token::decode(bytes, &DecodeOptions::default()).map_err(|e| e.code())
}

/// The claims set `claims` (a map) with this profile's `eat_profile`, and
/// an `iat` if it has none, as deterministic CBOR.
fn under_this_profile(claims: &Value) -> Vec<u8> {
    let Value::Map(entries) = claims else {
        panic!("a claims set is a map");
    };
    let mut entries = entries.clone();
    entries.retain(|(k, _)| *k != int(keys::PROFILE));
    entries.push((int(keys::PROFILE), Value::Text(keys::PROFILE_V1.into())));
    if !entries.iter().any(|(k, _)| *k == int(keys::IAT)) {
        entries.push((int(keys::IAT), int(1_700_000_000)));
    }
    cbor::encode(&Value::Map(entries))
}

/// Decodes `claims` (a CBOR map) with the profile added and checks that
/// nothing is lost: the re-encoding is the input, and the JSON form reads
/// back to the same claims set.
fn decodes_without_loss(name: &str, claims: &Value) -> ClaimsSet {
    let bytes = under_this_profile(claims);
    let set = ClaimsSet::from_cbor(&bytes, &Limits::DEFAULT)
        .unwrap_or_else(|e| panic!("{name}: {} ({e})", e.code()));
    assert_eq!(set.to_cbor(), bytes, "{name}: re-encoding loses nothing");
    let json = set.to_json();
    assert_eq!(
        ClaimsSet::from_json(&json).unwrap_or_else(|e| panic!("{name}: JSON: {e}")),
        set,
        "{name}: JSON round trip"
    );
    set
}

// ------------------------------------------------------------- RFC 8392

/// The ES256 key of RFC 8392 A.2.3 (COSE_Key: -2 x, -3 y).
fn rfc8392_key() -> PublicKey {
    let key: Value =
        ciborium::de::from_reader(read_hex("rfc8392-cwt/A.2.3_ecdsa_p256_cose_key.hex").as_slice())
            .expect("COSE_Key");
    let Value::Map(entries) = key else {
        panic!("COSE_Key is a map");
    };
    let coordinate = |label: i64| -> Vec<u8> {
        match entries.iter().find(|(k, _)| *k == int(label)) {
            Some((_, Value::Bytes(b))) => b.clone(),
            _ => panic!("COSE_Key has no coordinate {label}"),
        }
    };
    let mut sec1 = vec![0x04];
    sec1.extend(coordinate(-2));
    sec1.extend(coordinate(-3));
    PublicKey::from_sec1(Curve::P256, &sec1, &RustCrypto).expect("A.2.3 is a valid P-256 key")
}

/// RFC 8392 A.3, and the COSE WG's copy of it (empty unprotected header,
/// same signature): both verify with the A.2.3 key, and the payload is
/// the A.1 claims set.
#[test]
fn rfc8392_a3_es256_cwt_verifies_with_its_key() {
    let key = rfc8392_key();
    let a1 = read_hex("rfc8392-cwt/A.1_claims_set.hex");
    let rfc = read_hex("rfc8392-cwt/A.3_signed_cwt_es256.hex");
    let doc: serde_json::Value =
        serde_json::from_str(&read_text("rfc8392-cwt/cose-wg-json/A_3.json")).expect("JSON");
    let cose_wg = hex::decode(doc["output"]["cbor"].as_str().expect("cbor")).expect("hex");
    for (name, bytes) in [("RFC 8392 A.3", rfc), ("cose-wg CWT/A_3", cose_wg)] {
        let token = decode(&bytes).unwrap_or_else(|code| panic!("{name}: {code}"));
        assert_eq!(token.algorithm(), Algorithm::Es256, "{name}");
        token
            .verify_signature(&key, &RustCrypto)
            .unwrap_or_else(|e| panic!("{name}: {}", e.code()));
        assert_eq!(token.payload(), a1.as_slice(), "{name}: the A.1 claims");
        // Not an mtattest claims set: refused on purpose by the claims layer.
        assert_eq!(
            token
                .verified_claims(&key, &RustCrypto)
                .map_err(|e| e.code())
                .err(),
            Some("claims.missing"),
            "{name}"
        );
    }
}

/// The MACed and encrypted CWTs are refused on purpose: the profile signs
/// with COSE_Sign1 only.
#[test]
fn rfc8392_maced_and_encrypted_cwts_are_refused() {
    for (file, what) in [
        ("A.4_maced_cwt_hs256_64.hex", "61(17(COSE_Mac0))"),
        ("A.5_encrypted_cwt_aes_ccm.hex", "16(COSE_Encrypt0)"),
        ("A.6_nested_cwt_encrypt_of_sign.hex", "16(COSE_Encrypt0)"),
        ("A.7_maced_cwt_float_date.hex", "17(COSE_Mac0)"),
    ] {
        let bytes = read_hex(&format!("rfc8392-cwt/{file}"));
        assert_eq!(
            decode(&bytes).err(),
            Some("token.wrong-tag"),
            "{file}: {what}"
        );
    }
}

/// The A.1 claims set (iss, sub, aud, exp, nbf, iat, cti): refused as sent
/// (no `eat_profile`), read without loss under this profile, with iss, sub
/// and aud as unknown claims.
#[test]
fn rfc8392_a1_claims_decode_without_loss() {
    let bytes = read_hex("rfc8392-cwt/A.1_claims_set.hex");
    assert_eq!(
        ClaimsSet::from_cbor(&bytes, &Limits::DEFAULT)
            .map_err(|e| e.code())
            .err(),
        Some("claims.missing")
    );
    let value: Value = ciborium::de::from_reader(bytes.as_slice()).expect("CBOR");
    let set = decodes_without_loss("A.1", &value);
    assert_eq!(set.iat, 1_443_944_944);
    assert_eq!(set.exp, Some(1_444_064_944));
    assert_eq!(set.nbf, Some(1_443_944_944));
    assert_eq!(
        set.cti.as_ref().map(|c| c.as_bytes()),
        Some(&[0x0b, 0x71][..])
    );
    assert_eq!(set.unknown_claims().len(), 3, "iss, sub, aud");
}

// ------------------------------------------------------------- RFC 9711

/// A reader for the subset of CBOR extended diagnostic notation (RFC 8610
/// appendix G) the RFC 9711 examples use: maps, arrays, integers, text
/// (with `\"` and `\\`), `h'...'` byte strings spread over lines, tags,
/// `true`/`false`/`null` and `/ comments /`. Anything else panics.
mod edn {
    use ciborium::value::{Integer, Value};

    pub fn parse(text: &str) -> Value {
        let mut p = Parser {
            s: text.as_bytes(),
            i: 0,
        };
        let v = p.value();
        p.skip();
        assert_eq!(p.i, p.s.len(), "trailing text at {}", p.i);
        v
    }

    struct Parser<'a> {
        s: &'a [u8],
        i: usize,
    }

    impl Parser<'_> {
        fn peek(&self) -> u8 {
            *self.s.get(self.i).unwrap_or(&0)
        }

        fn skip(&mut self) {
            loop {
                while self.peek().is_ascii_whitespace() {
                    self.i += 1;
                }
                if self.peek() != b'/' {
                    return;
                }
                self.i += 1;
                while self.peek() != b'/' {
                    assert!(self.i < self.s.len(), "unterminated comment");
                    self.i += 1;
                }
                self.i += 1;
            }
        }

        fn expect(&mut self, c: u8) {
            self.skip();
            assert_eq!(self.peek() as char, c as char, "at {}", self.i);
            self.i += 1;
        }

        /// After an item: `,` then more, or the closing `end`.
        fn more(&mut self, end: u8) -> bool {
            self.skip();
            match self.peek() {
                b',' => {
                    self.i += 1;
                    self.skip();
                    self.peek() != end
                }
                c if c == end => false,
                c => panic!("unexpected {:?} at {}", c as char, self.i),
            }
        }

        fn value(&mut self) -> Value {
            self.skip();
            match self.peek() {
                b'{' => {
                    self.i += 1;
                    let mut entries = Vec::new();
                    self.skip();
                    if self.peek() != b'}' {
                        loop {
                            let k = self.value();
                            self.expect(b':');
                            let v = self.value();
                            entries.push((k, v));
                            if !self.more(b'}') {
                                break;
                            }
                        }
                    }
                    self.expect(b'}');
                    Value::Map(entries)
                }
                b'[' => {
                    self.i += 1;
                    let mut items = Vec::new();
                    self.skip();
                    if self.peek() != b']' {
                        loop {
                            items.push(self.value());
                            if !self.more(b']') {
                                break;
                            }
                        }
                    }
                    self.expect(b']');
                    Value::Array(items)
                }
                b'"' => {
                    self.i += 1;
                    let mut out = Vec::new();
                    loop {
                        match self.peek() {
                            b'"' => break,
                            b'\\' => {
                                self.i += 1;
                                out.push(self.peek());
                            }
                            0 => panic!("unterminated text"),
                            c => out.push(c),
                        }
                        self.i += 1;
                    }
                    self.i += 1;
                    Value::Text(String::from_utf8(out).expect("UTF-8"))
                }
                b'h' if self.s.get(self.i + 1) == Some(&b'\'') => {
                    self.i += 2;
                    let mut digits = String::new();
                    while self.peek() != b'\'' {
                        assert!(self.i < self.s.len(), "unterminated h''");
                        if !self.peek().is_ascii_whitespace() {
                            digits.push(self.peek() as char);
                        }
                        self.i += 1;
                    }
                    self.i += 1;
                    Value::Bytes(hex::decode(digits).expect("hex in h''"))
                }
                b't' => self.word("true", Value::Bool(true)),
                b'f' => self.word("false", Value::Bool(false)),
                b'n' => self.word("null", Value::Null),
                c if c == b'-' || c.is_ascii_digit() => {
                    let start = self.i;
                    self.i += 1;
                    while self.peek().is_ascii_digit() {
                        self.i += 1;
                    }
                    let text = std::str::from_utf8(&self.s[start..self.i]).expect("ASCII");
                    let n: i128 = text.parse().expect("an integer");
                    self.skip();
                    if self.peek() == b'(' {
                        self.i += 1;
                        let inner = self.value();
                        self.expect(b')');
                        Value::Tag(u64::try_from(n).expect("tag number"), Box::new(inner))
                    } else {
                        Value::Integer(Integer::try_from(n).expect("CBOR integer"))
                    }
                }
                c => panic!("unexpected {:?} at {}", c as char, self.i),
            }
        }

        fn word(&mut self, word: &str, value: Value) -> Value {
            assert!(
                self.s[self.i..].starts_with(word.as_bytes()),
                "at {}",
                self.i
            );
            self.i += word.len();
            value
        }
    }
}

const RFC9711_CLAIMS_SETS: [&str; 9] = [
    "minimal",
    "simple",
    "submods",
    "valid_hw_block",
    "valid_hw_block2",
    "valid_iot",
    "valid_key_store",
    "valid_submods",
    "valid_tee",
];

/// The diagnostic reader reproduces the corpus's own CBOR of the example
/// tokens byte for byte, so the claims sets below are read faithfully.
#[test]
fn the_diagnostic_reader_agrees_with_the_corpus_hex() {
    for (diag, hex) in [
        ("valid_cwt", "valid_cwt.cbor.hex"),
        ("valid_deb", "valid_deb.cbor.hex"),
    ] {
        let value = edn::parse(&read_text(&format!(
            "rfc9711-eat-examples/Example-Tokens/{diag}.diag"
        )));
        assert_eq!(
            cbor::encode(&value),
            read_hex(&format!("rfc9711-eat-examples/derived-hex/{hex}")),
            "{diag}"
        );
    }
}

/// Every RFC 9711 example claims set: well-formed under the strict decoder;
/// refused as sent (no `eat_profile` of this profile); read without loss
/// under this profile.
#[test]
fn rfc9711_claims_sets_decode_without_loss() {
    let mut unknown = 0;
    for name in RFC9711_CLAIMS_SETS {
        let value = edn::parse(&read_text(&format!(
            "rfc9711-eat-examples/Example-Payloads/{name}.diag"
        )));
        let bytes = cbor::encode(&value);
        let strict = cbor::decode_strict(&bytes, &Limits::DEFAULT).expect(name);
        assert_eq!(cbor::encode(&strict), bytes, "{name}: strict CBOR");
        assert_eq!(
            ClaimsSet::from_cbor(&bytes, &Limits::DEFAULT)
                .map_err(|e| e.code())
                .err(),
            Some("claims.missing"),
            "{name}: no eat_profile of this profile"
        );
        unknown += decodes_without_loss(name, &value).unknown_claims().len();
    }
    assert!(
        unknown > 0,
        "the examples' claims are kept as unknown claims"
    );
}

/// The CoSWID documents the examples embed are well-formed CBOR for the
/// strict decoder (tag 1398229316 and all).
#[test]
fn rfc9711_coswids_are_well_formed() {
    for name in ["hlos", "iot-sw", "key-store", "tee-coswid"] {
        let value = edn::parse(&read_text(&format!(
            "rfc9711-eat-examples/Example-Payloads/coswid/{name}.diag"
        )));
        let bytes = cbor::encode(&value);
        let strict = cbor::decode_strict(&bytes, &Limits::DEFAULT).expect(name);
        assert_eq!(cbor::encode(&strict), bytes, "{name}");
    }
}

/// The example CWT (61(18(...)), ES256) passes the envelope rules; no key
/// is published, so its signature cannot be checked, and its claims are
/// not this profile's. The detached EAT bundle (tag 602) is refused on
/// purpose; the CWT inside it passes the envelope rules.
#[test]
fn rfc9711_example_tokens() {
    let cwt = read_hex("rfc9711-eat-examples/derived-hex/valid_cwt.cbor.hex");
    let token = decode(&cwt).expect("the example CWT's envelope is valid");
    assert!(token.is_cwt_tagged());
    assert_eq!(token.algorithm(), Algorithm::Es256);
    assert_eq!(
        token.unverified_claims().map_err(|e| e.code()).err(),
        Some("claims.missing")
    );

    let bundle = read_hex("rfc9711-eat-examples/derived-hex/valid_deb.cbor.hex");
    assert_eq!(decode(&bundle).err(), Some("token.wrong-tag"));
    let main = read_hex("rfc9711-eat-examples/derived-hex/valid_deb_main_cwt.cbor.hex");
    let token = decode(&main).expect("the bundle's CWT envelope is valid");
    assert!(token.is_cwt_tagged());
}
