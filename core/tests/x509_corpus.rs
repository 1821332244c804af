//! The COSE WG x509 examples (`../shared/corpora/cose-wg-examples/x509-examples/`):
//! a P-256 CA (`ca.der`, self-signed, ecdsa-with-SHA256) and Alice's
//! end-entity certificate issued by it (`alice.der`), both valid from
//! 2020-12-02 to 2053-10-10, plus COSE_Sign messages carrying them in
//! x5chain / x5bag. The messages are COSE_Sign (multi-signer), which this
//! profile does not decode; their x5chain values are checked as chains.
//!
//! Both certificates were made with GnuTLS's certtool, which writes
//! keyUsage as a two-byte BIT STRING with trailing zero bits (`03 03 07 06
//! 00`, `03 03 07 80 00`); DER removes trailing zero bits of a named bit
//! list (X.690 §11.2.2). The strict profile refuses them
//! (`chain.malformed`, spec §10.4.1); everything else about them follows
//! the profile, which the other tests show under a profile that relaxes
//! exactly that check ([`Check::ExtensionEncoding`]) for these anchors.

use std::path::PathBuf;

use mtattest::crypto::{Curve, RustCrypto};
use mtattest::trust::{ChainError, ChainVerifier, Check, Position, Profile, TrustAnchors};
use mtattest::{Error, UnixTime};
use serde_json::Value;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpora/cose-wg-examples/x509-examples")
}

fn read(name: &str) -> Vec<u8> {
    let path = dir().join(name);
    std::fs::read(&path)
        .unwrap_or_else(|e| panic!("corpus file {} must exist: {e}", path.display()))
}

fn json(name: &str) -> Value {
    serde_json::from_slice(&read(name)).expect("corpus JSON")
}

/// 2026-09-21.
const NOW: UnixTime = UnixTime::from_secs(1_790_000_000);

/// The strict profile, except that keyUsage may carry trailing zero bits.
fn gnutls_key_usage() -> Profile {
    Profile::STRICT
        .relax(Check::ExtensionEncoding, Position::Anchor)
        .relax(Check::ExtensionEncoding, Position::Leaf)
}

fn anchors_with(name: &str, profile: Profile) -> TrustAnchors {
    let mut anchors = TrustAnchors::new();
    anchors
        .add_der_with_profile(&read(name), profile)
        .expect("the certificate parses");
    anchors
}

fn ca_verifier() -> ChainVerifier {
    ChainVerifier::new(anchors_with("ca.der", gnutls_key_usage()))
}

#[test]
fn the_strict_profile_refuses_their_key_usage_encoding() {
    let strict = ChainVerifier::new(anchors_with("ca.der", Profile::STRICT));
    let err = code(strict.validate_chain(&[read("alice.der")], NOW, &RustCrypto));
    assert!(
        matches!(&err, ChainError::Malformed { index: 1, reason } if reason.contains("2.5.29.15")),
        "{err:?}"
    );
    // The anchor passes once its own keyUsage is tolerated; Alice's is next.
    let anchor_only = Profile::STRICT.relax(Check::ExtensionEncoding, Position::Anchor);
    let err = code(
        ChainVerifier::new(anchors_with("ca.der", anchor_only)).validate_chain(
            &[read("alice.der")],
            NOW,
            &RustCrypto,
        ),
    );
    assert!(
        matches!(&err, ChainError::Malformed { index: 0, reason } if reason.contains("2.5.29.15")),
        "{err:?}"
    );
}

fn code(result: Result<impl std::fmt::Debug, Error>) -> ChainError {
    match result {
        Err(Error::Chain(e)) => e,
        other => panic!("expected a chain error, got {other:?}"),
    }
}

#[test]
fn pem_and_der_forms_agree_and_parse() {
    for name in ["ca", "alice"] {
        let mut from_pem = TrustAnchors::new();
        assert_eq!(from_pem.add_pem(&read(&format!("{name}.crt"))).unwrap(), 1);
        let der = read(&format!("{name}.der"));
        assert_eq!(from_pem.iter_der().next(), Some(der.as_slice()), "{name}");
    }
}

#[test]
fn alice_chains_to_the_ca_with_or_without_it_in_the_chain() {
    let verifier = ca_verifier();
    let alice = read("alice.der");
    let chain = verifier
        .validate_chain(std::slice::from_ref(&alice), NOW, &RustCrypto)
        .unwrap();
    assert_eq!(chain.leaf_key().curve(), Curve::P256);
    assert_eq!(chain.path_len(), 2);
    assert_eq!(chain.valid_from().secs(), 1_606_930_045); // 2020-12-02T17:27:25Z
    let with_ca = verifier
        .validate_chain(&[alice, read("ca.der")], NOW, &RustCrypto)
        .unwrap();
    assert_eq!(with_ca.leaf_key(), chain.leaf_key());
}

#[test]
fn the_leaf_key_is_the_signers_key_of_the_examples() {
    let chain = ca_verifier()
        .validate_chain(&[read("alice.der")], NOW, &RustCrypto)
        .unwrap();
    let doc = json("signed-03.json");
    let key = &doc["input"]["sign"]["signers"][0]["key"];
    let mut sec1 = vec![0x04];
    sec1.extend(hex::decode(key["x_hex"].as_str().unwrap()).unwrap());
    sec1.extend(hex::decode(key["y_hex"].as_str().unwrap()).unwrap());
    assert_eq!(chain.leaf_key().sec1(), sec1.as_slice());
}

#[test]
fn x5chain_values_of_the_signed_examples_validate() {
    let verifier = ca_verifier();
    // signed-03: a single certificate as a bare bstr; signed-04: an array.
    for (file, len) in [("signed-03.json", 1), ("signed-04.json", 2)] {
        let doc = json(file);
        let value = &doc["input"]["sign"]["signers"][0]["unprotected"]["x5chain"];
        let chain: Vec<Vec<u8>> = match value {
            Value::String(h) => vec![hex::decode(h).unwrap()],
            Value::Array(items) => items
                .iter()
                .map(|h| hex::decode(h.as_str().unwrap()).unwrap())
                .collect(),
            other => panic!("{file}: unexpected x5chain {other}"),
        };
        assert_eq!(chain.len(), len, "{file}");
        assert_eq!(chain[0], read("alice.der"), "{file}: leaf first");
        assert!(
            verifier.validate_chain(&chain, NOW, &RustCrypto).is_ok(),
            "{file}"
        );
    }
}

#[test]
fn where_they_should_not_chain() {
    let verifier = ca_verifier();
    // The CA as a leaf: self-signed, it has no authorityKeyIdentifier, which
    // only a trust anchor may omit; and its keyUsage (keyCertSign, cRLSign)
    // does not allow signing tokens.
    let err = code(verifier.validate_chain(&[read("ca.der")], NOW, &RustCrypto));
    assert_eq!(err.code(), "chain.authority-key-id");
    let without_aki = gnutls_key_usage().relax(Check::AuthorityKeyIdentifier, Position::Leaf);
    let err = code(
        ChainVerifier::new(anchors_with("ca.der", without_aki)).validate_chain(
            &[read("ca.der")],
            NOW,
            &RustCrypto,
        ),
    );
    assert_eq!(err.code(), "chain.key-usage");
    // Alice is no CA: trusting her does not make her certificate an issuer,
    // and the CA's certificate is not issued by her.
    let anchors = anchors_with("alice.der", gnutls_key_usage());
    let err = code(ChainVerifier::new(anchors).validate_chain(&[read("ca.der")], NOW, &RustCrypto));
    assert_eq!(err.code(), "chain.no-anchor");
    // Before the certificates were issued, and after they expire.
    let err = code(verifier.validate_chain(
        &[read("alice.der")],
        UnixTime::from_secs(1_600_000_000),
        &RustCrypto,
    ));
    assert_eq!(err.code(), "chain.not-yet-valid");
    let err = code(verifier.validate_chain(
        &[read("alice.der")],
        UnixTime::from_secs(2_700_000_000),
        &RustCrypto,
    ));
    assert_eq!(err.code(), "chain.expired");
    // Order matters: x5chain is leaf first, and the CA is not issued by Alice.
    let err = code(verifier.validate_chain(&[read("ca.der"), read("alice.der")], NOW, &RustCrypto));
    assert_eq!(
        err,
        ChainError::NameMismatch {
            index: 0,
            reason: "issuer name differs from the next certificate's subject"
        }
    );
}
