//! The producer never emits a token the strict decoder refuses (spec §8.4),
//! although it no longer reads its payload back: every token
//! `TokenBuilder::sign` emits for generated claims decodes, under the
//! default limits, to those claims; and for claims at and beyond the
//! limits, the producer refuses exactly when a verifier refuses the same
//! claims signed without any check, with the verifier's code (in the order
//! of §8.4 when more than one limit is exceeded).
//!
//! (Debug builds of the library also assert the read-back inside `sign`;
//! these tests state the guarantee on their own, release builds included:
//! `cargo test --release -p mtattest --test producer_reading`.)

mod common;

use ciborium::value::Value;
use common::{strategies, submodule_chain};
use mtattest::claims::ClaimsSet;
use mtattest::crypto::{Algorithm, RustCrypto, SoftwareSigner};
use mtattest::token::{DecodeOptions, HeaderPlacement, Token, TokenBuilder};
use mtattest::Limits;
use proptest::prelude::*;

fn signer(alg: Algorithm) -> SoftwareSigner {
    let secret = [0x2c; 48];
    SoftwareSigner::from_secret_bytes(alg, &secret[..alg.signature_len() / 2]).unwrap()
}

/// The builders a producer may use: with or without `kid`, the CWT tag and
/// a chain in either header.
fn builder() -> impl Strategy<Value = TokenBuilder> {
    (
        proptest::collection::vec(any::<u8>(), 0..4),
        any::<bool>(),
        proptest::option::of((
            proptest::collection::vec(proptest::collection::vec(any::<u8>(), 1..40), 1..=6),
            any::<bool>(),
        )),
    )
        .prop_map(|(kid, cwt_tag, chain)| {
            let mut builder = TokenBuilder::new().kid(kid).cwt_tag(cwt_tag);
            if let Some((chain, protected)) = chain {
                let placement = if protected {
                    HeaderPlacement::Protected
                } else {
                    HeaderPlacement::Unprotected
                };
                builder = builder.x5chain(chain, placement);
            }
            builder
        })
}

/// What a verifier reads from `token`: the envelope, the signature under the
/// producer's key, then the claims under the default limits.
fn verifier_reading(token: &[u8], alg: Algorithm) -> Result<ClaimsSet, &'static str> {
    let token = Token::decode(token, &DecodeOptions::default()).map_err(|e| e.code())?;
    token
        .verified_claims(&signer(alg).public_key(), &RustCrypto)
        .map_err(|e| e.code())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn every_token_the_builder_emits_reads_back_as_its_claims(
        claims in strategies::claims_set(),
        builder in builder(),
        es256 in any::<bool>(),
    ) {
        let alg = if es256 { Algorithm::Es256 } else { Algorithm::Es384 };
        let token = builder.sign(&claims, &signer(alg)).map_err(|e| {
            TestCaseError::fail(format!("refused valid claims: {} ({e})", e.code()))
        })?;
        prop_assert_eq!(verifier_reading(&token, alg), Ok(claims.clone()));
        let decoded = Token::decode(&token, &DecodeOptions::default()).unwrap();
        prop_assert_eq!(
            ClaimsSet::from_cbor(decoded.payload(), &Limits::DEFAULT).map_err(|e| e.code()),
            Ok(claims)
        );
    }
}

/// An unknown claim's value `depth` arrays deep.
fn nested(depth: usize) -> Value {
    (0..depth).fold(Value::Integer(0.into()), |inner, _| {
        Value::Array(vec![inner])
    })
}

/// A map of `entries` integer keys.
fn wide_map(entries: usize) -> Value {
    Value::Map(
        (0..entries)
            .map(|i| (Value::Integer((i as i64).into()), Value::Null))
            .collect(),
    )
}

/// Claims pushed towards the limits of §8.1: nesting depth, items, entries
/// of one map, submodule depth, and the token's size.
fn claims_near_the_limits() -> impl Strategy<Value = ClaimsSet> {
    (
        strategies::claims_set(),
        proptest::option::of(0usize..=20),
        proptest::option::of(3_900usize..=4_200),
        proptest::option::of(120usize..=135),
        proptest::option::of(1usize..=6),
        proptest::option::of(15_500usize..=17_000),
    )
        .prop_map(|(mut claims, depth, items, entries, submods, padding)| {
            if let Some(depth) = depth {
                claims.insert_unknown("deep", nested(depth)).unwrap();
            }
            if let Some(items) = items {
                let array = Value::Array(vec![Value::Null; items]);
                claims.insert_unknown("many", array).unwrap();
            }
            if let Some(entries) = entries {
                claims.insert_unknown("wide", wide_map(entries)).unwrap();
            }
            if let Some(depth) = submods {
                claims
                    .insert_unknown_submodule("nested", submodule_chain(depth))
                    .unwrap();
            }
            if let Some(padding) = padding {
                claims
                    .insert_unknown("padding", Value::Bytes(vec![0; padding]))
                    .unwrap();
            }
            claims
        })
}

/// One case: the producer's answer against the verifier's.
fn producer_and_verifier_agree(
    claims: ClaimsSet,
    builder: TokenBuilder,
) -> Result<(), TestCaseError> {
    let alg = Algorithm::Es384;
    let produced = builder.sign(&claims, &signer(alg));
    let unchecked = builder
        .sign_payload(claims.to_cbor(), &signer(alg))
        .unwrap();
    let verifier = verifier_reading(&unchecked, alg);
    match (&produced, &verifier) {
        (Ok(token), Ok(read)) => {
            prop_assert_eq!(token, &unchecked);
            prop_assert_eq!(read, &claims);
        }
        // §8.4 checks the payload (step 2) before the token's size
        // (step 3), where a verifier meets the size first (§9 step 1):
        // a token over both is refused for its payload.
        (Err(refusal), Err("token.too-large")) => prop_assert!(
            matches!(
                refusal.code(),
                "token.too-large"
                    | "cbor.too-deep"
                    | "cbor.too-many-items"
                    | "cbor.map-too-large"
                    | "claims.submods-too-deep"
            ),
            "{}",
            refusal.code()
        ),
        (Err(refusal), Err(code)) => prop_assert_eq!(refusal.code(), *code),
        _ => prop_assert!(
            false,
            "producer {:?}, verifier {:?}",
            produced.as_ref().map(|_| "ok").map_err(|e| e.code()),
            verifier.as_ref().map(|_| "ok")
        ),
    }
    Ok(())
}

/// Claims built near the limits make deep generator and shrinker frames in
/// unoptimised builds, so the runner gets a thread with room for them.
#[test]
fn the_producer_refuses_what_a_verifier_refuses_with_its_code() {
    let runner = std::thread::Builder::new()
        .stack_size(64 * 1024 * 1024)
        .spawn(|| {
            let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(64));
            runner
                .run(
                    &(claims_near_the_limits(), builder()),
                    |(claims, builder)| producer_and_verifier_agree(claims, builder),
                )
                .map_err(|failure| failure.to_string())
        })
        .unwrap();
    if let Err(failure) = runner.join().unwrap() {
        panic!("{failure}");
    }
}
