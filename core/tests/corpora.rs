//! External corpora: Wycheproof ECDSA P-384 (P1363 form) and the COSE WG
//! Sign1 examples, read from `../shared/corpora` beside the project root.

use std::path::PathBuf;

use base64::Engine as _;
use mtattest::crypto::{
    ecdsa_signature_from_der, Algorithm, CryptoProvider, Curve, PublicKey, RustCrypto,
};
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
            let key = PublicKey::from_sec1(Curve::P384, &key_bytes, provider.as_ref());
            for case in group["tests"].as_array().expect("tests") {
                let id = &case["tcId"];
                let accepted = match &key {
                    Ok(key) => provider.verify_raw_signature(
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
    PublicKey::from_sec1(curve, &sec1, &RustCrypto).expect("example key is valid")
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
        RustCrypto.verify_raw_signature(Algorithm::Es256, &key, &tbs, signature),
        "valid with its AAD"
    );

    // sign-pass-03: the COSE_Sign1 tag removed.
    let (_, outcome) = run_example("cose-wg-examples/sign1-tests/sign-pass-03.json");
    assert_eq!(outcome.err(), Some("token.untagged"));
}

/// Every case of the DER file: the `Ecdsa-Sig-Value` is converted to the
/// raw `r || s` form the way the trust layer does for certificate
/// signatures (`ecdsa_signature_from_der`, strict DER; anything it refuses
/// does not verify), then verified. Valid ones verify, invalid ones do not, over
/// every provider compiled in.
#[test]
fn wycheproof_p384_der_every_case() {
    let doc = load("wycheproof-p384/ecdsa_secp384r1_sha384_test.json");
    for (name, provider) in providers() {
        let (mut valid, mut invalid) = (0, 0);
        for group in doc["testGroups"].as_array().expect("groups") {
            let key_bytes = hex(&group["publicKey"]["uncompressed"]);
            let key = PublicKey::from_sec1(Curve::P384, &key_bytes, provider.as_ref());
            for case in group["tests"].as_array().expect("tests") {
                let id = &case["tcId"];
                let raw = ecdsa_signature_from_der(Algorithm::Es384, &hex(&case["sig"]));
                let accepted = match (&key, raw) {
                    (Ok(key), Some(raw)) => provider.verify_raw_signature(
                        Algorithm::Es384,
                        key,
                        &hex(&case["msg"]),
                        &raw,
                    ),
                    _ => false,
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
            (194, 310),
            "{name}: the whole file was run"
        );
    }
}

/// Every COSE WG example, by what the profile makes of it. COSE_Sign1
/// messages with ES256 or ES384 verify (and their to-be-signed bytes equal
/// the example's); ES512 ones are refused because the profile has no ES512;
/// the sign1 fail and pass-with-mutation cases are checked above. COSE_Sign
/// (multi-signer) messages are refused as envelopes (the profile is
/// COSE_Sign1 only), and each ES256/ES384 signature in them is shown
/// genuine with the signature layer, so the refusal is the profile's rule.
#[test]
fn cose_wg_every_example() {
    let mut files = Vec::new();
    for dir in [
        "CWT",
        "RFC8152",
        "ecdsa-examples",
        "sign-tests",
        "sign1-tests",
        "x509-examples",
    ] {
        let path = corpora().join("cose-wg-examples").join(dir);
        for entry in std::fs::read_dir(&path).expect("corpus directory") {
            let name = entry
                .expect("entry")
                .file_name()
                .into_string()
                .expect("utf-8");
            if name.ends_with(".json") {
                files.push(format!("cose-wg-examples/{dir}/{name}"));
            }
        }
    }
    files.sort();
    let (mut verified, mut refused_alg, mut sign1_tests, mut cose_sign) = (0, 0, 0, 0);
    let mut signatures_checked = 0;
    for rel in &files {
        let doc = load(rel);
        let bytes = hex(&doc["output"]["cbor"]);
        let decoded = Token::decode(&bytes, &DecodeOptions::default());
        if rel.contains("/sign1-tests/") {
            sign1_tests += 1; // each has its own test above
            continue;
        }
        if let Some(sign0) = doc["input"].get("sign0") {
            let alg = sign0["protected"]["alg"].as_str().expect("alg");
            match alg {
                "ES256" | "ES384" => {
                    let token = decoded.unwrap_or_else(|e| panic!("{rel}: {}", e.code()));
                    let key = signer_key(&sign0["key"]);
                    token
                        .verify_signature(&key, &RustCrypto)
                        .unwrap_or_else(|e| panic!("{rel}: {}", e.code()));
                    assert_eq!(
                        token.to_be_signed(),
                        hex(&doc["intermediates"]["ToBeSign_hex"]),
                        "{rel}"
                    );
                    verified += 1;
                }
                _ => {
                    assert_eq!(
                        decoded.err().map(|e| e.code()),
                        Some("token.alg-not-allowed"),
                        "{rel}"
                    );
                    refused_alg += 1;
                }
            }
            continue;
        }
        // COSE_Sign: tag 98 (or, for the mutation cases, tag 998 or none).
        let expected = match rel.rsplit('/').next() {
            Some("sign-pass-03.json") => "token.untagged",
            _ => "token.wrong-tag",
        };
        assert_eq!(decoded.err().map(|e| e.code()), Some(expected), "{rel}");
        cose_sign += 1;
        if doc["fail"] == Value::Bool(true) {
            continue;
        }
        signatures_checked += cose_sign_signatures(rel, &doc, &bytes);
    }
    assert_eq!(files.len(), 38, "every example was looked at");
    assert_eq!(
        (verified, refused_alg, sign1_tests, cose_sign),
        (4, 2, 9, 23),
        "ES256/ES384 Sign1 verified, ES512 Sign1 refused, sign1 tests, COSE_Sign refused"
    );
    assert_eq!(
        signatures_checked, 15,
        "ES256/ES384 signatures in COSE_Sign"
    );
}

/// Verifies each ES256/ES384 signer of a COSE_Sign example over the
/// `Sig_structure` computed from the message (RFC 9052 §4.4, with the
/// signer's external AAD), which must equal the example's; returns how
/// many were checked.
fn cose_sign_signatures(rel: &str, doc: &Value, bytes: &[u8]) -> usize {
    use ciborium::value::Value as Cbor;
    let message: Cbor = ciborium::de::from_reader(bytes).expect("CBOR");
    let items = match message {
        Cbor::Tag(_, inner) => match *inner {
            Cbor::Array(items) => items,
            _ => panic!("{rel}: not an array"),
        },
        Cbor::Array(items) => items,
        _ => panic!("{rel}: not a COSE_Sign"),
    };
    let (Some(Cbor::Bytes(body_protected)), Some(payload), Some(Cbor::Array(signatures))) =
        (items.first(), items.get(2), items.get(3))
    else {
        panic!("{rel}: not a COSE_Sign");
    };
    // sign-pass-01 sends an empty protected map as h'A0' and signed it as
    // the zero-length string RFC 9052 §3 prescribes for "no parameters".
    let body_protected = if body_protected.as_slice() == [0xa0] {
        Vec::new()
    } else {
        body_protected.clone()
    };
    let mut checked = 0;
    let signers = doc["input"]["sign"]["signers"].as_array().expect("signers");
    for (i, (signer, signature)) in signers.iter().zip(signatures).enumerate() {
        let alg = match signer["protected"]["alg"].as_str() {
            Some("ES256") => Algorithm::Es256,
            Some("ES384") => Algorithm::Es384,
            _ => continue,
        };
        let external = signer
            .get("external")
            .or_else(|| doc["input"]["sign"].get("external"))
            .map(hex)
            .unwrap_or_default();
        let Cbor::Array(parts) = signature else {
            panic!("{rel}: signer {i} is not an array");
        };
        let (Some(Cbor::Bytes(sign_protected)), Some(Cbor::Bytes(sig))) =
            (parts.first(), parts.get(2))
        else {
            panic!("{rel}: signer {i} is malformed");
        };
        let tbs = mtattest::cbor::encode(&Cbor::Array(vec![
            Cbor::Text("Signature".into()),
            Cbor::Bytes(body_protected.clone()),
            Cbor::Bytes(sign_protected.clone()),
            Cbor::Bytes(external.clone()),
            payload.clone(),
        ]));
        assert_eq!(
            tbs,
            hex(&doc["intermediates"]["signers"][i]["ToBeSign_hex"]),
            "{rel}: signer {i}"
        );
        let key = signer_key(&signer["key"]);
        assert!(
            RustCrypto.verify_raw_signature(alg, &key, &tbs, sig),
            "{rel}: signer {i} verifies"
        );
        checked += 1;
    }
    checked
}

/// A signer's public key: a JWK (base64url `x`, `y`) or, in the x509
/// examples, hex `x_hex`, `y_hex`.
fn signer_key(key: &Value) -> PublicKey {
    if key.get("x_hex").is_none() {
        return jwk_key(key);
    }
    let curve = match key["crv"].as_str() {
        Some("P-384") => Curve::P384,
        _ => Curve::P256,
    };
    let mut sec1 = vec![0x04];
    sec1.extend(hex(&key["x_hex"]));
    sec1.extend(hex(&key["y_hex"]));
    PublicKey::from_sec1(curve, &sec1, &RustCrypto).expect("example key is valid")
}
