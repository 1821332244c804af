//! External corpora: Wycheproof ECDSA P-384 (P1363 form) and the COSE WG
//! Sign1 examples, read from `../shared/corpora` beside the project root.

use std::path::PathBuf;

use base64::Engine as _;
use mtattest::crypto::{Algorithm, CryptoProvider, Curve, PublicKey, RustCrypto};
use mtattest::token::{DecodeOptions, Token};
use serde_json::Value;

fn corpora() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpora")
}

fn load(rel: &str) -> Value {
    let path = corpora().join(rel);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("corpus file {} must exist: {e}", path.display()));
    serde_json::from_str(&text).expect("corpus JSON")
}

fn hex(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().expect("hex string")).expect("valid hex")
}

/// Every crypto provider compiled in: the pure-Rust default, and aws-lc-rs
/// with the `aws-lc` feature.
fn providers() -> Vec<(&'static str, Box<dyn CryptoProvider>)> {
    #[allow(unused_mut)]
    let mut all: Vec<(&'static str, Box<dyn CryptoProvider>)> =
        vec![("RustCrypto", Box::new(RustCrypto))];
    #[cfg(feature = "aws-lc")]
    all.push(("AwsLc", Box::new(mtattest::crypto::AwsLc)));
    all
}

/// Every case of the P1363 file: valid ones verify, invalid ones do not.
/// The file has no "acceptable" cases; were one added, the test fails so the
/// decision is made explicitly rather than by default.
/// Run over every provider compiled in.
#[test]
fn wycheproof_p384_p1363_every_case() {
    let doc = load("wycheproof-p384/ecdsa_secp384r1_sha384_p1363_test.json");
    for (name, provider) in providers() {
        let (mut valid, mut invalid) = (0, 0);
        for group in doc["testGroups"].as_array().expect("groups") {
            let key_bytes = hex(&group["publicKey"]["uncompressed"]);
            let key = PublicKey::from_sec1(Curve::P384, &key_bytes);
            for case in group["tests"].as_array().expect("tests") {
                let id = &case["tcId"];
                let accepted = match &key {
                    Ok(key) => provider.verify(
                        Algorithm::Es384,
                        key,
                        &hex(&case["msg"]),
                        &hex(&case["sig"]),
                    ),
                    Err(_) => false,
                };
                match case["result"].as_str() {
                    Some("valid") => {
                        assert!(accepted, "{name}: tcId {id} is valid but was rejected");
                        valid += 1;
                    }
                    Some("invalid") => {
                        assert!(!accepted, "{name}: tcId {id} is invalid but was accepted");
                        invalid += 1;
                    }
                    other => {
                        panic!("{name}: tcId {id}: result {other:?} needs an explicit decision")
                    }
                }
            }
        }
        assert_eq!(
            (valid, invalid),
            (193, 87),
            "{name}: the whole file was run"
        );
    }
}

fn jwk_key(jwk: &Value) -> PublicKey {
    let b64 = |field: &str| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(jwk[field].as_str().expect("jwk field"))
            .expect("base64url")
    };
    let curve = match jwk["crv"].as_str() {
        Some("P-384") => Curve::P384,
        Some("P-256") => Curve::P256,
        other => panic!("unexpected curve {other:?}"),
    };
    let mut sec1 = vec![0x04];
    sec1.extend(b64("x"));
    sec1.extend(b64("y"));
    PublicKey::from_sec1(curve, &sec1).expect("example key is valid")
}

/// Decodes and verifies a COSE WG example with the token layer, returning the
/// error code on rejection.
fn run_example(rel: &str) -> (Value, Result<Token, &'static str>) {
    let doc = load(rel);
    let bytes = hex(&doc["output"]["cbor"]);
    let key = jwk_key(&doc["input"]["sign0"]["key"]);
    let outcome = Token::decode(&bytes, &DecodeOptions::default())
        .and_then(|t| t.verify_signature(&key, &RustCrypto).map(|()| t))
        .map_err(|e| e.code());
    (doc, outcome)
}

#[test]
fn cose_wg_ecdsa_sig_02_es384_sign1_verifies() {
    let (doc, outcome) = run_example("cose-wg-examples/ecdsa-examples/ecdsa-sig-02.json");
    let token = outcome.expect("ES384 Sign1 example verifies");
    assert_eq!(token.algorithm(), Algorithm::Es384);
    assert_eq!(token.payload(), b"This is the content.");
    assert_eq!(
        token.to_be_signed(),
        hex(&doc["intermediates"]["ToBeSign_hex"])
    );
}

#[test]
fn cose_wg_sign1_fail_cases_are_rejected_for_the_right_reason() {
    let expected = [
        ("sign-fail-01.json", "token.wrong-tag"),       // tag 998
        ("sign-fail-02.json", "token.bad-signature"),   // signature altered
        ("sign-fail-03.json", "token.alg-not-allowed"), // alg changed to -999
        ("sign-fail-04.json", "token.alg-not-allowed"), // alg changed to text "unknown"
        ("sign-fail-06.json", "token.bad-signature"),   // protected attribute added
        ("sign-fail-07.json", "token.bad-signature"),   // protected attribute removed
    ];
    for (file, code) in expected {
        let (doc, outcome) = run_example(&format!("cose-wg-examples/sign1-tests/{file}"));
        assert_eq!(doc["fail"], Value::Bool(true), "{file} is a failure case");
        assert_eq!(outcome.err(), Some(code), "{file}");
    }
}

/// The three "pass" cases use COSE features this profile forbids on purpose;
/// each is rejected with its own code, and each is shown to be a genuine
/// signature so the rejection is the profile's rule, not a crypto fault.
#[test]
fn cose_wg_sign1_pass_cases_rejected_on_purpose() {
    // sign-pass-01: alg only in the unprotected header (empty protected header).
    let (_, outcome) = run_example("cose-wg-examples/sign1-tests/sign-pass-01.json");
    assert_eq!(outcome.err(), Some("token.alg-unprotected"));

    // sign-pass-02: signed with external AAD; the profile has none.
    let (doc, outcome) = run_example("cose-wg-examples/sign1-tests/sign-pass-02.json");
    assert_eq!(outcome.err(), Some("token.bad-signature"));
    let key = jwk_key(&doc["input"]["sign0"]["key"]);
    let bytes = hex(&doc["output"]["cbor"]);
    let signature = &bytes[bytes.len() - 64..];
    let tbs = hex(&doc["intermediates"]["ToBeSign_hex"]);
    assert!(
        RustCrypto.verify(Algorithm::Es256, &key, &tbs, signature),
        "valid with its AAD"
    );

    // sign-pass-03: the COSE_Sign1 tag removed.
    let (_, outcome) = run_example("cose-wg-examples/sign1-tests/sign-pass-03.json");
    assert_eq!(outcome.err(), Some("token.untagged"));
}
