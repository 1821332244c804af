//! Producers stay within the limits they require (spec §7.1, §8.1):
//! `TokenBuilder::sign` and `token::issue` refuse, with the limit's own
//! code and before the signer is asked, every token a verifier would refuse
//! for a limit — and only those: around each boundary the producer's answer
//! is the verifier's answer for the same claims signed without the checks.

use std::sync::atomic::{AtomicUsize, Ordering};

use ciborium::value::Value;
use mtattest::claims::ClaimsSet;
use mtattest::crypto::{Algorithm, Signer, SoftwareSigner};
use mtattest::token::{issue, HeaderPlacement, TokenBuilder};
use mtattest::verifier::{KeySource, Verifier};
use mtattest::CryptoError;
use mtattest::UnixTime;
use mtattest_testkit::example_phone;

const IAT: i64 = 1_790_000_000;
const NONCE: &[u8] = b"producer-limits-challenge";

fn key() -> SoftwareSigner {
    SoftwareSigner::from_secret_bytes(Algorithm::Es384, &[0x45; 48]).unwrap()
}

/// A signer that counts how often it is asked.
struct Counting(SoftwareSigner, AtomicUsize);

impl Signer for Counting {
    fn algorithm(&self) -> Algorithm {
        self.0.algorithm()
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, CryptoError> {
        self.1.fetch_add(1, Ordering::SeqCst);
        self.0.sign(message)
    }
}

/// The producer's answer: "ok", or the code it refused with, having asked
/// the signer nothing.
fn produce(builder: &TokenBuilder, claims: &ClaimsSet) -> &'static str {
    let signer = Counting(key(), AtomicUsize::new(0));
    match builder.sign(claims, &signer) {
        Ok(_) => {
            assert_eq!(signer.1.load(Ordering::SeqCst), 1);
            "ok"
        }
        Err(e) => {
            assert_eq!(signer.1.load(Ordering::SeqCst), 0, "signed, then refused");
            e.code()
        }
    }
}

/// The verifier's answer for the same claims signed without the checks.
fn verify(claims: &ClaimsSet) -> &'static str {
    let token = TokenBuilder::new()
        .sign_payload(claims.to_cbor(), &key())
        .unwrap();
    let verifier = Verifier::builder(KeySource::Key(key().public_key()))
        .without_replay_cache()
        .build();
    match verifier.verify(&token, Some(NONCE), UnixTime(IAT)) {
        Ok(_) => "ok",
        Err(e) => e.code(),
    }
}

fn phone() -> ClaimsSet {
    example_phone(IAT, NONCE.to_vec())
}

fn int(n: i64) -> Value {
    Value::Integer(n.into())
}

/// For every `n` in `range`, the producer refuses `claims(n)` exactly when
/// the verifier refuses it, with the same code; both answers occur, the
/// refusal being `code`.
fn agree(range: std::ops::RangeInclusive<usize>, code: &str, claims: impl Fn(usize) -> ClaimsSet) {
    let mut seen = Vec::new();
    for n in range {
        let c = claims(n);
        let produced = produce(&TokenBuilder::new(), &c);
        assert_eq!(produced, verify(&c), "n = {n}");
        if !seen.contains(&produced) {
            seen.push(produced);
        }
    }
    assert_eq!(seen, ["ok", code]);
}

#[test]
fn token_size() {
    // A padding byte string that brings the token to 16 384 bytes, then
    // past it (the token is 1 159 bytes plus the padding, for a padding of
    // 256 bytes or more: n = 15 225 is the last that fits).
    agree(15_210..=15_240, "token.too-large", |n| {
        let mut c = phone();
        c.insert_unknown("padding", Value::Bytes(vec![0; n]))
            .unwrap();
        c
    });
    // The issue's 22 KB token.
    let mut c = phone();
    c.insert_unknown("padding", Value::Bytes(vec![0; 22_000]))
        .unwrap();
    assert_eq!(produce(&TokenBuilder::new(), &c), "token.too-large");
    assert_eq!(issue(&c, &key()).unwrap_err().code(), "token.too-large");
}

#[test]
fn the_chain_counts_towards_the_token_size() {
    // Six certificates of 3 000 bytes are within the chain limits, but not
    // within the token's.
    let chain = vec![vec![0x30; 3_000]; 6];
    for placement in [HeaderPlacement::Protected, HeaderPlacement::Unprotected] {
        let builder = TokenBuilder::new().x5chain(chain.clone(), placement);
        assert_eq!(produce(&builder, &phone()), "token.too-large");
        let builder = TokenBuilder::new().x5chain(chain[..5].to_vec(), placement);
        assert_eq!(produce(&builder, &phone()), "ok");
    }
}

#[test]
fn map_entries() {
    // The claims set's own map: 128 entries, then 129 (the issue's 151 too).
    let with = |entries: usize| {
        let mut c = phone();
        let mut n = 0;
        while c.to_value().as_map().map_or(0, Vec::len) < entries {
            c.insert_unknown(format!("extra-{n}"), int(n as i64))
                .unwrap();
            n += 1;
        }
        c
    };
    agree(126..=130, "cbor.map-too-large", with);
    assert_eq!(
        produce(&TokenBuilder::new(), &with(151)),
        "cbor.map-too-large"
    );
    // A map inside an unknown claim.
    let mut c = phone();
    let inner = (0..129).map(|i| (int(i), int(i))).collect();
    c.insert_unknown("big-map", Value::Map(inner)).unwrap();
    assert_eq!(produce(&TokenBuilder::new(), &c), "cbor.map-too-large");
}

#[test]
fn data_items() {
    agree(3_850..=3_950, "cbor.too-many-items", |n| {
        let mut c = phone();
        c.insert_unknown("many", Value::Array(vec![int(0); n]))
            .unwrap();
        c
    });
}

#[test]
fn nesting_depth() {
    let nested = |depth: usize| {
        let mut v = int(0);
        for _ in 0..depth {
            v = Value::Array(vec![v]);
        }
        v
    };
    agree(13..=17, "cbor.too-deep", |n| {
        let mut c = phone();
        c.insert_unknown("deep", nested(n)).unwrap();
        c
    });
}

#[test]
fn submodule_depth() {
    // An unknown submodule whose own submodules nest `depth` deep in all.
    agree(2..=6, "claims.submods-too-deep", |depth| {
        let mut inner = Value::Map(vec![(int(-75_000), int(1))]);
        for level in (2..=depth).rev() {
            inner = Value::Map(vec![(
                int(266),
                Value::Map(vec![(Value::Text(format!("sub{level}")), inner)]),
            )]);
        }
        let mut c = phone();
        c.insert_unknown_submodule("vendor", inner).unwrap();
        c
    });
}

#[test]
fn chain_length_and_certificate_size() {
    let with = |chain: Vec<Vec<u8>>| {
        produce(
            &TokenBuilder::new().x5chain(chain, HeaderPlacement::Protected),
            &phone(),
        )
    };
    assert_eq!(with(vec![vec![0x30; 100]; 6]), "ok");
    assert_eq!(with(vec![vec![0x30; 100]; 7]), "chain.too-long");
    // The issue's chain of eight.
    assert_eq!(with(vec![vec![0x30; 100]; 8]), "chain.too-long");
    assert_eq!(with(vec![vec![0x30; 8_192]]), "ok");
    assert_eq!(
        with(vec![vec![0x30; 100], vec![0x30; 8_193]]),
        "chain.cert-too-large"
    );
    assert_eq!(with(Vec::new()), "chain.empty");
}
