//! The crypto boundary (spec §10.2, issue #13.5): a key is a SEC1 point in
//! one of the two forms RFC 5480 allows and on its curve, whichever
//! provider checks it; anchors are checked when a configuration is built;
//! a producer needs only a signer and a hash.

use der::asn1::{BitString, ObjectIdentifier};
use der::{Any, Encode as _};
use mtattest::config::VerifierConfig;
use mtattest::crypto::{
    self, Algorithm, CryptoProvider, DigestSigner, RustCrypto, Sha2, SignDigest, Signer,
    SoftwareSigner,
};
use mtattest::error::CryptoError;
use mtattest::token::{issue, DecodeOptions, Token};
use mtattest::trust::{ChainError, ChainVerifier, TrustAnchors};
use mtattest::verifier::{KeySource, Verifier};
use mtattest::{Error, UnixTime};
use mtattest_testkit::example_phone;
use mtattest_testkit::pki::{CertSpec, TestPki};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

/// 2026-09-21, inside every default validity period.
const NOW: i64 = 1_790_000_000;

fn providers() -> Vec<(&'static str, Box<dyn CryptoProvider>)> {
    #[allow(unused_mut)]
    let mut all: Vec<(&'static str, Box<dyn CryptoProvider>)> =
        vec![("RustCrypto", Box::new(RustCrypto))];
    #[cfg(feature = "aws-lc")]
    all.push(("AwsLc", Box::new(mtattest::crypto::AwsLc)));
    all
}

/// A P-384 SubjectPublicKeyInfo holding `point` as its key bits.
fn p384_spki(point: &[u8]) -> Vec<u8> {
    let ec_public_key = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
    let secp384r1 = ObjectIdentifier::new_unwrap("1.3.132.0.34");
    SubjectPublicKeyInfoOwned {
        algorithm: AlgorithmIdentifierOwned {
            oid: ec_public_key,
            parameters: Some(Any::encode_from(&secp384r1).unwrap()),
        },
        subject_public_key: BitString::from_bytes(point).unwrap(),
    }
    .to_der()
    .unwrap()
}

/// The device key of the standard test PKI as a SEC1 point with `tag`
/// (`04`: x and y; otherwise x only).
fn device_point(tag: u8) -> Vec<u8> {
    let key = TestPki::standard().unwrap().device.public_key().unwrap();
    let uncompressed = key.uncompressed();
    let mut point = vec![tag];
    point.extend(&uncompressed[1..49]);
    if matches!(tag, 0x04 | 0x06 | 0x07) {
        point.extend(&uncompressed[49..]);
    }
    point
}

fn pki_with_spki(position: &str, spki: Vec<u8>) -> TestPki {
    let (mut r, mut i, mut d) = (
        CertSpec::root(),
        CertSpec::intermediate(),
        CertSpec::device(),
    );
    match position {
        "root" => r.spki_override = Some(spki),
        "intermediate" => i.spki_override = Some(spki),
        _ => d.spki_override = Some(spki),
    }
    TestPki::from_specs(r, i, d).unwrap()
}

fn root_anchor(pki: &TestPki) -> TrustAnchors {
    let mut anchors = TrustAnchors::new();
    anchors.add_der(&pki.root.der).unwrap();
    anchors
}

fn chain_error(result: Result<impl std::fmt::Debug, Error>) -> ChainError {
    match result {
        Err(Error::Chain(e)) => e,
        other => panic!("expected a chain error, got {other:?}"),
    }
}

/// The device key in every SEC1 form RFC 5480 does not allow: compact
/// (`05`, which the RustCrypto curves decode), hybrid (`06`, `07`), and the
/// identity. Each is malformed, with every provider, whose answer is never
/// asked for.
#[test]
fn only_the_forms_rfc_5480_allows_are_keys() {
    let odd = device_point(0x04).last().copied().unwrap() & 1;
    for point in [
        device_point(0x05),
        device_point(0x06 | odd),
        device_point(0x07 - odd),
        vec![0x00],
    ] {
        let pki = pki_with_spki("device", p384_spki(&point));
        for (name, crypto) in providers() {
            let err = chain_error(ChainVerifier::new(root_anchor(&pki)).validate_chain(
                &pki.chain(),
                UnixTime::from_secs(NOW),
                crypto.as_ref(),
            ));
            assert!(
                matches!(&err, ChainError::Malformed { index: 0, reason } if reason.contains("point")),
                "{name} {:02x}: {err:?}",
                point[0]
            );
        }
        // As an anchor it is refused when it is added.
        let root = pki_with_spki("root", p384_spki(&point)).root;
        let err = TrustAnchors::new().add_der(&root.der).unwrap_err();
        assert_eq!(err.code(), "chain.bad-anchor", "{:02x}", point[0]);
    }
    // The allowed forms are keys, and one key.
    for tag in [0x04, 0x02 | (device_point(0x04)[96] & 1)] {
        let pki = pki_with_spki("device", p384_spki(&device_point(tag)));
        for (name, crypto) in providers() {
            let chain = ChainVerifier::new(root_anchor(&pki))
                .validate_chain(&pki.chain(), UnixTime::from_secs(NOW), crypto.as_ref())
                .unwrap_or_else(|e| panic!("{name} {tag:02x}: {e}"));
            assert_eq!(chain.leaf_key().uncompressed(), device_point(0x04));
        }
    }
}

/// An anchor whose point is not on the curve: adding it needs no
/// provider and succeeds; a configuration refuses it (`chain.bad-anchor`),
/// with the provider it names; through the low-level API it issues
/// nothing.
#[test]
fn an_anchor_off_its_curve_is_refused_when_the_verifier_is_configured() {
    let mut off_curve = device_point(0x04);
    off_curve[96] ^= 1;
    let pki = pki_with_spki("root", p384_spki(&off_curve));
    let anchors = root_anchor(&pki);
    for (name, crypto) in providers() {
        assert_eq!(
            anchors.check_keys(crypto.as_ref()).unwrap_err().code(),
            "chain.bad-anchor",
            "{name}"
        );
        let err = chain_error(ChainVerifier::new(anchors.clone()).validate_chain(
            &pki.chain(),
            UnixTime::from_secs(NOW),
            crypto.as_ref(),
        ));
        assert!(
            matches!(err, ChainError::NoAnchor { index: 1 }),
            "{name}: {err:?}"
        );
    }
    for provider in ["rustcrypto", "aws-lc"] {
        if crypto::provider_by_name(provider).is_none() {
            continue;
        }
        let config = serde_json::json!({
            "anchors": [{"der": hex::encode(&pki.root.der)}],
            "crypto": provider,
        });
        let err = VerifierConfig::from_json(config.to_string().as_bytes())
            .unwrap()
            .build()
            .unwrap_err();
        assert_eq!(err.code(), "chain.bad-anchor", "{provider}");
    }
    // The same anchor with its real key is fine.
    let pki = TestPki::standard().unwrap();
    let config = serde_json::json!({"anchors": [{"der": hex::encode(&pki.root.der)}]});
    assert!(VerifierConfig::from_json(config.to_string().as_bytes())
        .unwrap()
        .build()
        .is_ok());
}

/// An intermediate off its curve is malformed where it stands, with every
/// provider (the leaf's signature is never checked under it).
#[test]
fn an_intermediate_off_its_curve_is_malformed() {
    let mut off_curve = device_point(0x04);
    off_curve[96] ^= 1;
    let pki = pki_with_spki("intermediate", p384_spki(&off_curve));
    for (name, crypto) in providers() {
        let err = chain_error(ChainVerifier::new(root_anchor(&pki)).validate_chain(
            &pki.chain(),
            UnixTime::from_secs(NOW),
            crypto.as_ref(),
        ));
        assert!(
            matches!(&err, ChainError::Malformed { index: 1, reason } if reason.contains("point")),
            "{name}: {err:?}"
        );
    }
}

/// Stands in for a secure element that signs digests (RustCrypto's
/// prehash signing, RFC 6979).
struct SecureElement {
    alg: Algorithm,
    secret: Vec<u8>,
}

impl DigestSigner for SecureElement {
    fn algorithm(&self) -> Algorithm {
        self.alg
    }

    fn sign_digest(&self, digest: &[u8]) -> Result<Vec<u8>, CryptoError> {
        use p384::ecdsa::signature::hazmat::PrehashSigner as _;
        let failed = |e: p384::ecdsa::Error| CryptoError::SigningFailed {
            reason: e.to_string(),
        };
        Ok(match self.alg {
            Algorithm::Es384 => {
                let key = p384::ecdsa::SigningKey::from_slice(&self.secret).map_err(failed)?;
                let sig: p384::ecdsa::Signature = key.sign_prehash(digest).map_err(failed)?;
                sig.to_bytes().to_vec()
            }
            Algorithm::Es256 => {
                let key = p256::ecdsa::SigningKey::from_slice(&self.secret).map_err(failed)?;
                let sig: p256::ecdsa::Signature = key.sign_prehash(digest).map_err(failed)?;
                sig.to_bytes().to_vec()
            }
        })
    }
}

/// A producer with a digest-signing element and a hash issues tokens that
/// every provider verifies, byte for byte the tokens of a software signer
/// with the same key (both RFC 6979).
#[test]
fn a_digest_signer_and_a_hash_make_a_producer() {
    let now = UnixTime::from_secs(NOW);
    for alg in Algorithm::ALL {
        let secret = vec![0x5a; alg.curve().scalar_len()];
        let element = SignDigest::new(
            SecureElement {
                alg,
                secret: secret.clone(),
            },
            Sha2,
        );
        let software = SoftwareSigner::from_secret_bytes(alg, &secret).unwrap();
        let claims = example_phone(NOW, b"challenge".to_vec());
        let token = issue(&claims, &element).unwrap();
        assert_eq!(token, issue(&claims, &software).unwrap(), "{alg:?}");
        assert_eq!(element.algorithm(), alg);
        for (name, crypto) in providers() {
            let decoded = Token::decode(&token, &DecodeOptions::default()).unwrap();
            assert_eq!(
                decoded
                    .verified_claims(&software.public_key(), crypto.as_ref())
                    .unwrap(),
                claims,
                "{name} {alg:?}"
            );
        }
        let verifier = Verifier::builder(KeySource::Key(software.public_key())).build();
        assert!(verifier.verify(&token, Some(b"challenge"), now).is_ok());
    }
}

/// The default provider is aws-lc wherever the build has it.
#[test]
fn the_default_provider_is_aws_lc_where_built() {
    let expected = if cfg!(feature = "aws-lc") {
        "aws-lc"
    } else {
        "rustcrypto"
    };
    assert_eq!(crypto::default_provider_name(), Some(expected));
    assert!(crypto::provider_by_name(expected).is_some());
    assert!(crypto::provider_by_name("openssl").is_none());
}
