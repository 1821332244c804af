//! One reading of the producer's payload: `TokenBuilder::sign` writes the
//! claims straight from the typed claims to CBOR (no CBOR tree, no sort),
//! and what it writes is, byte for byte, the normative encoding
//! `ClaimsSet::to_cbor` (the claims' `to_value` tree in core deterministic
//! encoding), which the verifier's strict decoder reads back as the same
//! claims. When the claims break a limit, the producer's refusal is the
//! verifier's reading of the reference encoding: same code, same path.

mod common;

use ciborium::value::Value;
use common::{strategies, submodule_chain};
use mtattest::claims::{
    AppLayer, BootLayer, ChipLayer, ClaimsSet, EvidenceSource, NetworkLayer, OsLayer, RuntimeLayer,
};
use mtattest::crypto::{Algorithm, SoftwareSigner};
use mtattest::token::{DecodeOptions, Token, TokenBuilder};
use mtattest::{Error, Limits};
use proptest::prelude::*;

fn signer() -> SoftwareSigner {
    SoftwareSigner::from_secret_bytes(Algorithm::Es256, &[0x3d; 32]).unwrap()
}

/// The payload the producer signed into its token.
fn produced_payload(claims: &ClaimsSet) -> Result<Vec<u8>, Error> {
    let token = TokenBuilder::new().sign(claims, &signer())?;
    let token = Token::decode(&token, &DecodeOptions::default()).unwrap();
    Ok(token.payload().to_vec())
}

/// The reference, and what a verifier makes of it: the tree encoded in
/// deterministic CBOR, read by the strict decoder under the default limits.
fn reference(claims: &ClaimsSet) -> (Vec<u8>, Result<ClaimsSet, (&'static str, String)>) {
    let bytes = mtattest::cbor::encode(&claims.to_value());
    let read =
        ClaimsSet::from_cbor(&bytes, &Limits::DEFAULT).map_err(|e| (e.code(), e.to_string()));
    (bytes, read)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_direct_payload_is_the_reference_encoding(claims in strategies::claims_set()) {
        let (expected, read) = reference(&claims);
        let payload = produced_payload(&claims).map_err(|e| {
            TestCaseError::fail(format!("refused valid claims: {} ({e})", e.code()))
        })?;
        prop_assert_eq!(&payload, &expected);
        prop_assert_eq!(&payload, &claims.to_cbor());
        prop_assert_eq!(read, Ok(claims));
    }
}

/// Unknown submodules named around the layers' names, so that they sort
/// before, between and after them (by length, then bytes).
const NAMES: [&str; 8] = [
    "a", "os", "pp", "app", "bootx", "chipz", "aaaaaaa", "runtimez",
];

fn every_layer(iat: i64) -> ClaimsSet {
    let source = EvidenceSource::Software;
    ClaimsSet::builder(iat)
        .chip(ChipLayer::new(source))
        .boot(BootLayer::new(source))
        .os(OsLayer::new(source))
        .app(AppLayer::new(source))
        .runtime(RuntimeLayer::new(source))
        .network(NetworkLayer::new(source))
        .build()
}

#[test]
fn unknown_submodules_sort_among_the_layers() {
    let mut claims = every_layer(1_767_225_600);
    for (i, name) in NAMES.iter().enumerate() {
        if *name != "os" && *name != "app" {
            claims
                .insert_unknown_submodule(*name, Value::Integer((i as i64).into()))
                .unwrap();
        }
    }
    let (expected, read) = reference(&claims);
    assert_eq!(produced_payload(&claims).unwrap(), expected);
    assert_eq!(read, Ok(claims));
}

/// The submodule depth is checked on the typed claims: in an unknown
/// submodule and in a `submods` claim among a layer's unknown claims, each
/// refused where the verifier refuses the reference encoding (code and
/// path, the first in `submods` order when several are too deep).
#[test]
fn the_submodule_depth_is_refused_where_a_verifier_refuses_it() {
    let layered =
        |depth: usize| Value::Map(vec![(Value::Text("inner".into()), submodule_chain(depth))]);
    let mut too_deep = 0;
    for depth in 1..=6 {
        for case in 0..4 {
            let mut claims = every_layer(1_767_225_600);
            match case {
                0 => {
                    claims
                        .insert_unknown_submodule("zzzzzzzzz", submodule_chain(depth))
                        .unwrap();
                }
                1 => {
                    let mut chip = ChipLayer::new(EvidenceSource::Hardware);
                    chip.insert_unknown(266, layered(depth)).unwrap();
                    claims.chip = Some(chip);
                }
                2 => {
                    let mut network = NetworkLayer::new(EvidenceSource::Hardware);
                    network.insert_unknown(266, layered(depth)).unwrap();
                    claims.network = Some(network);
                    claims
                        .insert_unknown_submodule("a", submodule_chain(depth))
                        .unwrap();
                }
                _ => {
                    let mut os = OsLayer::new(EvidenceSource::Kernel);
                    os.insert_unknown(266, layered(depth + 1)).unwrap();
                    claims.os = Some(os);
                    claims
                        .insert_unknown_submodule("boot1", submodule_chain(depth))
                        .unwrap();
                }
            }
            let (expected, read) = reference(&claims);
            let produced = produced_payload(&claims).map_err(|e| (e.code(), e.to_string()));
            match read {
                Ok(read) => {
                    assert_eq!(read, claims);
                    assert_eq!(produced, Ok(expected), "depth {depth}, case {case}");
                }
                Err(refusal) => {
                    too_deep += usize::from(refusal.0 == "claims.submods-too-deep");
                    assert_eq!(produced, Err(refusal), "depth {depth}, case {case}");
                }
            }
        }
    }
    assert!(too_deep >= 8, "every case reaches the submodule limit");
}

/// The CBOR limits are counted as the payload is written, inside a layer
/// as at the top: the producer's code and offset are the verifier's.
#[test]
fn limits_inside_a_layer_are_refused_where_a_verifier_refuses_them() {
    let wide = |entries: usize| {
        Value::Map(
            (0..entries)
                .map(|i| (Value::Integer((i as i64).into()), Value::Null))
                .collect(),
        )
    };
    let deep = |depth: usize| (0..depth).fold(Value::Null, |inner, _| Value::Array(vec![inner]));
    let cases: Vec<(i64, Value)> = vec![
        (-1, wide(128)),
        (-1, wide(129)),
        (-90_000, deep(12)),
        (-90_000, deep(13)),
        (-90_000, deep(14)),
        (7, Value::Array(vec![Value::Null; 4_070])),
        (7, Value::Array(vec![Value::Null; 4_090])),
        (7, Value::Array(vec![Value::Null; 4_100])),
    ];
    let mut refused = 0;
    for (key, value) in cases {
        let mut claims = every_layer(1_767_225_600);
        let mut boot = BootLayer::new(EvidenceSource::Hardware);
        boot.insert_unknown(key, value).unwrap();
        claims.boot = Some(boot);
        let (expected, read) = reference(&claims);
        let produced = produced_payload(&claims).map_err(|e| (e.code(), e.to_string()));
        match read {
            Ok(_) => assert_eq!(produced, Ok(expected)),
            Err(refusal) => {
                refused += 1;
                assert_eq!(produced, Err(refusal));
            }
        }
    }
    assert!(refused >= 3, "the cases reach every limit");
}
