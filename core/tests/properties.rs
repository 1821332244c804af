//! Robustness properties of verification (issue: fuzzing and hardening):
//!
//! - flipping any single byte of a valid token, or truncating it anywhere,
//!   never yields a verified token and never panics: exhaustively over every
//!   position (three bit patterns) for a token under a configured key, and
//!   over sampled positions and patterns for a token with an x5chain
//!   validated to the test root;
//! - re-encoding never changes signed bytes: a decoded token's
//!   Sig_structure is byte for byte the one its signer signed, and its
//!   payload is the bytes sent, also when the payload or the protected
//!   header uses non-preferred CBOR (which the decoder accepts and
//!   signatures cover as sent).

mod common;

use std::sync::Mutex;

use ciborium::value::Value;
use mtattest::claims::ClaimsSet;
use mtattest::crypto::{Algorithm, RustCrypto, Signer, SoftwareSigner};
use mtattest::token::{DecodeOptions, Token, TokenBuilder};
use mtattest::verifier::{KeySource, Verifier};
use mtattest::CryptoError;
use mtattest::UnixTime;
use mtattest_testkit::example_phone;
use proptest::prelude::*;

const IAT: i64 = 1_790_000_000;
const NONCE: &[u8] = b"properties-challenge";

fn now() -> UnixTime {
    UnixTime::from_secs(IAT + 1)
}

fn device_key() -> SoftwareSigner {
    SoftwareSigner::from_secret_bytes(Algorithm::Es384, &[0x5e; 48]).unwrap()
}

/// A verifier of tokens under the device key, without replay cache (each
/// mutant is judged on its own). With `fast`, the fastest provider
/// compiled in: the exhaustive test verifies a few thousand signatures, and
/// aws-lc-rs is optimised even in test builds (both providers pass the same
/// Wycheproof vectors, tests/corpora.rs).
fn key_verifier(fast: bool) -> Verifier {
    let builder =
        Verifier::builder(KeySource::Key(device_key().public_key())).without_replay_cache();
    #[cfg(feature = "aws-lc")]
    if fast {
        return builder.crypto(mtattest::crypto::AwsLc).build();
    }
    let _ = fast;
    builder.build()
}

fn verifies(verifier: &Verifier, token: &[u8]) -> bool {
    verifier.verify(token, Some(NONCE), now()).is_ok()
}

#[test]
fn every_single_byte_flip_of_a_token_is_refused() {
    let token = TokenBuilder::new()
        .kid(b"device-7".to_vec())
        .sign(&example_phone(IAT, NONCE.to_vec()), &device_key())
        .unwrap();
    let verifier = key_verifier(true);
    assert!(verifies(&verifier, &token), "the unmodified token verifies");
    // Three bit patterns with aws-lc-rs; the lowest bit alone with the
    // pure-Rust provider, whose unoptimised generic code is slower.
    let patterns: &[u8] = if cfg!(feature = "aws-lc") {
        &[0x01, 0x80, 0xff]
    } else {
        &[0x01]
    };
    let mut refused = 0;
    for position in 0..token.len() {
        for &pattern in patterns {
            let mut mutant = token.clone();
            mutant[position] ^= pattern;
            assert!(
                !verifies(&verifier, &mutant),
                "flipping byte {position} with {pattern:#04x} still verifies"
            );
            refused += 1;
        }
    }
    assert_eq!(refused, patterns.len() * token.len());
}

#[test]
fn every_truncation_of_a_token_is_refused() {
    let token = TokenBuilder::new()
        .sign(&example_phone(IAT, NONCE.to_vec()), &device_key())
        .unwrap();
    let verifier = key_verifier(false);
    for len in 0..token.len() {
        let err = verifier
            .verify(&token[..len], Some(NONCE), now())
            .unwrap_err();
        // A prefix is never a whole CBOR item: refused by the strict scan.
        assert!(err.code().starts_with("cbor."), "{len}: {}", err.code());
    }
    assert!(verifies(&verifier, &token));
}
mod chain {
    use super::*;
    use mtattest::token::HeaderPlacement;
    use mtattest::trust::{ChainVerifier, TrustAnchors};
    use mtattest_testkit::pki::TestPki;
    use std::sync::OnceLock;

    struct Fixture {
        tokens: [Vec<u8>; 2],
        verifier: Verifier,
    }

    fn fixture() -> &'static Fixture {
        static F: OnceLock<Fixture> = OnceLock::new();
        F.get_or_init(|| {
            let pki = TestPki::standard().unwrap();
            let claims = example_phone(IAT, NONCE.to_vec());
            let tokens = [
                pki.token(&claims, HeaderPlacement::Protected).unwrap(),
                pki.token(&claims, HeaderPlacement::Unprotected).unwrap(),
            ];
            let mut anchors = TrustAnchors::new();
            anchors.add_der(&pki.root.der).unwrap();
            let verifier = Verifier::builder(KeySource::chain(ChainVerifier::new(anchors)))
                .without_replay_cache()
                .build();
            for t in &tokens {
                assert!(verifies(&verifier, t), "the unmodified token verifies");
            }
            Fixture { tokens, verifier }
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(192))]

        /// Sampled: every verification validates the chain (two ECDSA
        /// verifications with the pure-Rust provider) before the token's.
        #[test]
        fn a_single_byte_flip_of_a_chain_token_is_refused(
            which in 0usize..2,
            position in any::<proptest::sample::Index>(),
            pattern in 1u8..=255,
        ) {
            let f = fixture();
            let token = &f.tokens[which];
            let mut mutant = token.clone();
            let at = position.index(mutant.len());
            mutant[at] ^= pattern;
            prop_assert!(
                !verifies(&f.verifier, &mutant),
                "flipping byte {} with {:#04x} still verifies", at, pattern
            );
        }

        #[test]
        fn a_truncated_chain_token_is_refused(
            which in 0usize..2,
            cut in any::<proptest::sample::Index>(),
        ) {
            let f = fixture();
            let token = &f.tokens[which];
            let len = cut.index(token.len());
            prop_assert!(!verifies(&f.verifier, &token[..len]));
        }
    }
}

// ---- signed bytes ----

/// Signs with a software key and remembers what it was asked to sign.
struct RecordingSigner {
    key: SoftwareSigner,
    signed: Mutex<Vec<Vec<u8>>>,
}

impl RecordingSigner {
    fn new() -> RecordingSigner {
        RecordingSigner {
            key: device_key(),
            signed: Mutex::new(Vec::new()),
        }
    }

    fn last(&self) -> Vec<u8> {
        self.signed.lock().unwrap().last().cloned().unwrap()
    }
}

impl Signer for RecordingSigner {
    fn algorithm(&self) -> Algorithm {
        self.key.algorithm()
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, CryptoError> {
        self.signed.lock().unwrap().push(message.to_vec());
        self.key.sign(message)
    }
}

/// How a head is written: the preferred (shortest) width or a wider one.
#[derive(Clone, Copy, Debug)]
enum Width {
    Preferred,
    Wider(u8),
}

/// Writes `value` as CBOR, choosing each head's width (and whether maps
/// keep their order or are reversed) from `choices`, cycled. With every
/// choice `Preferred` and no reversal this is the deterministic encoding of
/// an already-sorted value.
struct Writer<'a> {
    out: Vec<u8>,
    choices: &'a [(Width, bool)],
    next: usize,
}

impl Writer<'_> {
    fn choice(&mut self) -> (Width, bool) {
        if self.choices.is_empty() {
            return (Width::Preferred, false);
        }
        let c = self.choices[self.next % self.choices.len()];
        self.next += 1;
        c
    }

    fn head(&mut self, major: u8, arg: u64) {
        let (width, _) = self.choice();
        let min = match arg {
            0..=23 => 0,
            24..=0xff => 1,
            0x100..=0xffff => 2,
            0x1_0000..=0xffff_ffff => 3,
            _ => 4,
        };
        let level = match width {
            Width::Preferred => min,
            Width::Wider(extra) => (min + 1 + extra % 4).min(4),
        };
        let m = major << 5;
        match level {
            0 => self.out.push(m | arg as u8),
            1 => self.out.extend([m | 24, arg as u8]),
            2 => {
                self.out.push(m | 25);
                self.out.extend((arg as u16).to_be_bytes());
            }
            3 => {
                self.out.push(m | 26);
                self.out.extend((arg as u32).to_be_bytes());
            }
            _ => {
                self.out.push(m | 27);
                self.out.extend(arg.to_be_bytes());
            }
        }
    }

    fn value(&mut self, v: &Value) {
        match v {
            Value::Integer(i) => {
                let n = i128::from(*i);
                if n >= 0 {
                    self.head(0, n as u64);
                } else {
                    self.head(1, (-1 - n) as u64);
                }
            }
            Value::Bytes(b) => {
                self.head(2, b.len() as u64);
                self.out.extend(b);
            }
            Value::Text(t) => {
                self.head(3, t.len() as u64);
                self.out.extend(t.as_bytes());
            }
            Value::Array(items) => {
                self.head(4, items.len() as u64);
                for item in items {
                    self.value(item);
                }
            }
            Value::Map(entries) => {
                let (_, reverse) = self.choice();
                self.head(5, entries.len() as u64);
                let mut order: Vec<&(Value, Value)> = entries.iter().collect();
                if reverse {
                    order.reverse();
                }
                for (k, v) in order {
                    self.value(k);
                    self.value(v);
                }
            }
            Value::Tag(tag, inner) => {
                self.head(6, *tag);
                self.value(inner);
            }
            Value::Bool(b) => self.out.push(if *b { 0xf5 } else { 0xf4 }),
            Value::Null => self.out.push(0xf6),
            Value::Float(f) => {
                // Always as a double: preferred only when no shorter form
                // holds the value.
                self.out.push(0xfb);
                self.out.extend(f.to_bits().to_be_bytes());
            }
            other => panic!("not written by this test: {other:?}"),
        }
    }
}

fn non_preferred(value: &Value, choices: &[(Width, bool)]) -> Vec<u8> {
    let mut w = Writer {
        out: Vec::new(),
        choices,
        next: 0,
    };
    w.value(value);
    w.out
}

fn width() -> impl Strategy<Value = (Width, bool)> {
    (
        prop_oneof![Just(Width::Preferred), any::<u8>().prop_map(Width::Wider)],
        any::<bool>(),
    )
}

/// Checks a token signed over `payload`: the decoded token's payload and
/// Sig_structure are exactly what was sent and signed, the signature holds,
/// and its claims are `claims`.
fn check_signed_bytes(payload: Vec<u8>, claims: &ClaimsSet) -> Result<(), TestCaseError> {
    let signer = RecordingSigner::new();
    let token = TokenBuilder::new()
        .sign_payload(payload.clone(), &signer)
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    let decoded = Token::decode(&token, &DecodeOptions::default())
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(decoded.payload(), payload.as_slice());
    prop_assert_eq!(decoded.to_be_signed(), signer.last());
    let verified = decoded
        .verified_claims(&device_key().public_key(), &RustCrypto)
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(&verified, claims);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Any valid claims set, its payload encoded with random head widths and
    /// map orders: the signature covers the bytes as sent, decoding keeps
    /// them, and the claims are the same as from the preferred encoding.
    #[test]
    fn signed_bytes_survive_decoding_in_any_encoding(
        claims in common::strategies::claims_set(),
        choices in proptest::collection::vec(width(), 0..16),
    ) {
        let payload = non_preferred(&claims.to_value(), &choices);
        if choices.is_empty() {
            prop_assert_eq!(&payload, &claims.to_cbor());
        }
        check_signed_bytes(payload, &claims)?;
    }
}

#[test]
fn signed_bytes_of_the_example_phone_in_non_preferred_encodings() {
    let claims = example_phone(IAT, NONCE.to_vec());
    let wide = [(Width::Wider(3), true)];
    let payload = non_preferred(&claims.to_value(), &wide);
    assert_ne!(payload, claims.to_cbor());
    assert!(payload.len() > claims.to_cbor().len());
    check_signed_bytes(payload, &claims).unwrap();
    // Re-encoding the decoded claims gives the preferred encoding, but the
    // token's signed bytes are still the ones sent.
    let preferred = non_preferred(&claims.to_value(), &[]);
    assert_eq!(preferred, claims.to_cbor());
}

/// A protected header in non-preferred CBOR (`alg` -35 with a two-byte
/// argument), signed over its bytes as sent: the Sig_structure of the
/// decoded token uses those bytes, not a re-encoding.
#[test]
fn a_non_preferred_protected_header_is_signed_as_sent() {
    let protected = vec![0xa1, 0x01, 0x39, 0x00, 0x22];
    let payload = example_phone(IAT, NONCE.to_vec()).to_cbor();
    let bstr = |b: &[u8]| {
        let mut w = Writer {
            out: Vec::new(),
            choices: &[],
            next: 0,
        };
        w.head(2, b.len() as u64);
        w.out.extend(b);
        w.out
    };
    let mut tbs = vec![0x84, 0x6a];
    tbs.extend(b"Signature1");
    tbs.extend(bstr(&protected));
    tbs.extend(bstr(&[]));
    tbs.extend(bstr(&payload));
    let signature = device_key().sign(&tbs).unwrap();
    let mut token = vec![0xd2, 0x84];
    token.extend(bstr(&protected));
    token.push(0xa0);
    token.extend(bstr(&payload));
    token.extend(bstr(&signature));

    let decoded = Token::decode(&token, &DecodeOptions::default()).unwrap();
    assert_eq!(decoded.algorithm(), Algorithm::Es384);
    assert_eq!(decoded.to_be_signed(), tbs);
    assert_eq!(decoded.payload(), payload.as_slice());
    decoded
        .verified_claims(&device_key().public_key(), &RustCrypto)
        .unwrap();
}
