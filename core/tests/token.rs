//! Envelope rules. Every negative token here is correctly signed and differs
//! from an accepted one in one respect only, so each test fails if the check
//! it targets is removed. Tokens are assembled with ciborium directly, not
//! with the crate's builder, so the builder is checked independently too.

use ciborium::value::Value;
use mtattest::crypto::{Algorithm, PublicKey, RustCrypto, Signer, SoftwareSigner};
use mtattest::token::{DecodeOptions, HeaderPlacement, Token, TokenBuilder};
use mtattest::{CryptoError, Error, Limits};
use mtattest_testkit::example_phone;

const IAT: i64 = 1_790_000_000;
const NONCE: &[u8] = b"challenge-0123456789";

fn p384() -> SoftwareSigner {
    SoftwareSigner::from_secret_bytes(Algorithm::Es384, &[0x11; 48]).unwrap()
}

fn p256() -> SoftwareSigner {
    SoftwareSigner::from_secret_bytes(Algorithm::Es256, &[0x22; 32]).unwrap()
}

fn ser(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::ser::into_writer(v, &mut out).unwrap();
    out
}

fn int(i: i64) -> Value {
    Value::Integer(i.into())
}

fn claims_payload() -> Vec<u8> {
    example_phone(IAT, NONCE.to_vec()).to_cbor()
}

fn es384() -> (Value, Value) {
    (int(1), int(-35))
}

/// A Sign1 over `payload` with the given header maps, signed by `signer`,
/// wrapped by `wrap` (e.g. tag 18).
fn raw_token_with(
    protected: Option<Vec<u8>>,
    unprotected: Value,
    payload: Option<Vec<u8>>,
    signer: &dyn Signer,
    wrap: impl Fn(Value) -> Value,
) -> Vec<u8> {
    let protected = protected.unwrap_or_default();
    let signed_payload = payload.clone().unwrap_or_default();
    let tbs = ser(&Value::Array(vec![
        Value::Text("Signature1".into()),
        Value::Bytes(protected.clone()),
        Value::Bytes(vec![]),
        Value::Bytes(signed_payload),
    ]));
    let signature = signer.sign(&tbs).unwrap();
    ser(&wrap(Value::Array(vec![
        Value::Bytes(protected),
        unprotected,
        payload.map_or(Value::Null, Value::Bytes),
        Value::Bytes(signature),
    ])))
}

fn tag18(v: Value) -> Value {
    Value::Tag(18, Box::new(v))
}

fn raw_token(protected: Vec<(Value, Value)>, unprotected: Vec<(Value, Value)>) -> Vec<u8> {
    let protected = (!protected.is_empty()).then(|| ser(&Value::Map(protected)));
    raw_token_with(
        protected,
        Value::Map(unprotected),
        Some(claims_payload()),
        &p384(),
        tag18,
    )
}

fn decode(bytes: &[u8]) -> Result<Token, Error> {
    Token::decode(bytes, &DecodeOptions::default())
}

fn verify(bytes: &[u8], key: &PublicKey) -> Result<mtattest::claims::ClaimsSet, Error> {
    decode(bytes)?.verified_claims(key, &RustCrypto)
}

fn code(r: Result<impl std::fmt::Debug, Error>) -> &'static str {
    r.expect_err("must be rejected").code()
}

#[test]
fn baseline_raw_token_verifies() {
    let token = raw_token(vec![es384()], vec![]);
    let claims = verify(&token, &p384().public_key()).expect("baseline verifies");
    assert_eq!(claims, example_phone(IAT, NONCE.to_vec()));
}

#[test]
fn builder_token_round_trips_for_both_algorithms() {
    let claims = example_phone(IAT, NONCE.to_vec());
    for signer in [p384(), p256()] {
        let bytes = TokenBuilder::new()
            .kid(b"k1".to_vec())
            .sign(&claims, &signer)
            .unwrap();
        let token = decode(&bytes).unwrap();
        assert_eq!(token.algorithm(), signer.algorithm());
        assert_eq!(token.kid(), Some(&b"k1"[..]));
        assert_eq!(
            token
                .verified_claims(&signer.public_key(), &RustCrypto)
                .unwrap(),
            claims
        );
    }
}

#[test]
fn builder_is_deterministic() {
    let claims = example_phone(IAT, NONCE.to_vec());
    let a = TokenBuilder::new().sign(&claims, &p384()).unwrap();
    let b = TokenBuilder::new().sign(&claims, &p384()).unwrap();
    assert_eq!(a, b, "RFC 6979 signatures regenerate byte for byte");
}

#[test]
fn oversized_token_is_refused_before_parsing() {
    let token = raw_token(vec![es384()], vec![]);
    let tight = DecodeOptions {
        limits: Limits {
            max_token_size: token.len() - 1,
            ..Limits::DEFAULT
        },
        ..DecodeOptions::default()
    };
    let err = Token::decode(&token, &tight).unwrap_err();
    assert_eq!(err.code(), "token.too-large");
    let exact = DecodeOptions {
        limits: Limits {
            max_token_size: token.len(),
            ..Limits::DEFAULT
        },
        ..DecodeOptions::default()
    };
    assert!(Token::decode(&token, &exact).is_ok());
}

#[test]
fn trailing_bytes_are_refused() {
    let mut token = raw_token(vec![es384()], vec![]);
    token.push(0x00);
    assert_eq!(code(decode(&token)), "cbor.trailing-bytes");
}

#[test]
fn tags_are_enforced() {
    let untagged = raw_token_with(
        Some(ser(&Value::Map(vec![es384()]))),
        Value::Map(vec![]),
        Some(claims_payload()),
        &p384(),
        |v| v,
    );
    assert_eq!(code(decode(&untagged)), "token.untagged");

    let wrong = raw_token_with(
        Some(ser(&Value::Map(vec![es384()]))),
        Value::Map(vec![]),
        Some(claims_payload()),
        &p384(),
        |v| Value::Tag(98, Box::new(v)),
    );
    assert_eq!(code(decode(&wrong)), "token.wrong-tag");

    let cwt = raw_token_with(
        Some(ser(&Value::Map(vec![es384()]))),
        Value::Map(vec![]),
        Some(claims_payload()),
        &p384(),
        |v| Value::Tag(61, Box::new(tag18(v))),
    );
    let token = decode(&cwt).expect("CWT-wrapped token accepted");
    assert!(token.is_cwt_tagged());
    assert!(token
        .verified_claims(&p384().public_key(), &RustCrypto)
        .is_ok());

    let cwt_untagged = raw_token_with(
        Some(ser(&Value::Map(vec![es384()]))),
        Value::Map(vec![]),
        Some(claims_payload()),
        &p384(),
        |v| Value::Tag(61, Box::new(v)),
    );
    assert_eq!(code(decode(&cwt_untagged)), "token.untagged");

    let cwt_wrong = raw_token_with(
        Some(ser(&Value::Map(vec![es384()]))),
        Value::Map(vec![]),
        Some(claims_payload()),
        &p384(),
        |v| Value::Tag(61, Box::new(Value::Tag(17, Box::new(v)))),
    );
    assert_eq!(code(decode(&cwt_wrong)), "token.wrong-tag");
}

#[test]
fn alg_must_be_protected() {
    let both = raw_token(vec![es384()], vec![es384()]);
    assert_eq!(code(decode(&both)), "token.alg-unprotected");
    let only_unprotected = raw_token(vec![], vec![es384()]);
    assert_eq!(code(decode(&only_unprotected)), "token.alg-unprotected");
}

#[test]
fn alg_must_be_present() {
    let none = raw_token(vec![(int(4), Value::Bytes(b"kid".to_vec()))], vec![]);
    assert_eq!(code(decode(&none)), "token.alg-missing");
    let empty_protected = raw_token(vec![], vec![]);
    assert_eq!(code(decode(&empty_protected)), "token.alg-missing");
}

#[test]
fn alg_must_be_allowed() {
    for alg in [int(-36), int(-8), int(0), Value::Text("ES384".into())] {
        let token = raw_token(vec![(int(1), alg.clone())], vec![]);
        assert_eq!(code(decode(&token)), "token.alg-not-allowed", "alg {alg:?}");
    }
    // ES256 is in the profile but this verifier allows only ES384.
    let claims = example_phone(IAT, NONCE.to_vec());
    let es256 = TokenBuilder::new().sign(&claims, &p256()).unwrap();
    let only_es384 = DecodeOptions {
        allowed_algorithms: vec![Algorithm::Es384],
        ..DecodeOptions::default()
    };
    assert_eq!(
        Token::decode(&es256, &only_es384).unwrap_err().code(),
        "token.alg-not-allowed"
    );
    assert!(Token::decode(&es256, &DecodeOptions::default()).is_ok());
}

#[test]
fn critical_headers_must_be_understood() {
    let unknown = raw_token(
        vec![
            es384(),
            (int(2), Value::Array(vec![int(99)])),
            (int(99), int(1)),
        ],
        vec![],
    );
    assert_eq!(code(decode(&unknown)), "token.unknown-critical-header");
    let text = raw_token(
        vec![
            es384(),
            (int(2), Value::Array(vec![Value::Text("x".into())])),
            (Value::Text("x".into()), int(1)),
        ],
        vec![],
    );
    assert_eq!(code(decode(&text)), "token.unknown-critical-header");
    // Understood and present: accepted.
    let kid = raw_token(
        vec![
            es384(),
            (int(2), Value::Array(vec![int(4)])),
            (int(4), Value::Bytes(b"k".to_vec())),
        ],
        vec![],
    );
    assert!(verify(&kid, &p384().public_key()).is_ok());
}

#[test]
fn a_label_may_not_appear_in_both_headers() {
    let kid = |k: &[u8]| (int(4), Value::Bytes(k.to_vec()));
    let both = raw_token(vec![es384(), kid(b"a")], vec![kid(b"b")]);
    assert_eq!(code(decode(&both)), "token.header-in-both-buckets");
    let private = raw_token(
        vec![es384(), (int(-70000), int(1))],
        vec![(int(-70000), int(1))],
    );
    assert_eq!(code(decode(&private)), "token.header-in-both-buckets");
    let split = raw_token(vec![es384(), kid(b"a")], vec![(int(-70000), int(1))]);
    assert!(decode(&split).is_ok());
}

#[test]
fn crit_may_list_itself() {
    let token = raw_token(
        vec![es384(), (int(2), Value::Array(vec![int(2), int(1)]))],
        vec![],
    );
    assert!(verify(&token, &p384().public_key()).is_ok());
}

#[test]
fn crit_must_be_protected_and_name_present_labels() {
    let absent = raw_token(vec![es384(), (int(2), Value::Array(vec![int(33)]))], vec![]);
    assert_eq!(code(decode(&absent)), "token.crit-malformed");
    let unprotected = raw_token(vec![es384()], vec![(int(2), Value::Array(vec![int(1)]))]);
    assert_eq!(code(decode(&unprotected)), "token.crit-malformed");
}

#[test]
fn detached_payload_is_refused() {
    let token = raw_token_with(
        Some(ser(&Value::Map(vec![es384()]))),
        Value::Map(vec![]),
        None,
        &p384(),
        tag18,
    );
    assert_eq!(code(decode(&token)), "token.detached-payload");
}

#[test]
fn tampering_breaks_the_signature() {
    let good = raw_token(vec![es384()], vec![]);
    let key = p384().public_key();
    // Last byte is in the signature.
    let mut sig = good.clone();
    *sig.last_mut().unwrap() ^= 1;
    assert_eq!(code(verify(&sig, &key)), "token.bad-signature");
    // Change one byte of the claims payload (same length, still valid CBOR):
    // the profile URI is text inside the payload.
    let needle = b"mtattest.dev";
    let pos = good
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap();
    let mut payload = good.clone();
    payload[pos] = b'M';
    assert_eq!(code(verify(&payload, &key)), "token.bad-signature");
    // Another key.
    assert_eq!(
        code(verify(
            &good,
            &SoftwareSigner::from_secret_bytes(Algorithm::Es384, &[0x33; 48])
                .unwrap()
                .public_key()
        )),
        "token.bad-signature"
    );
}

#[test]
fn key_must_match_the_algorithm() {
    let good = raw_token(vec![es384()], vec![]);
    assert_eq!(
        code(verify(&good, &p256().public_key())),
        "token.key-algorithm-mismatch"
    );
}

#[test]
fn duplicate_header_keys_are_refused() {
    let dup_unprotected = raw_token(
        vec![es384()],
        vec![
            (int(4), Value::Bytes(vec![1])),
            (int(4), Value::Bytes(vec![2])),
        ],
    );
    assert_eq!(code(decode(&dup_unprotected)), "cbor.duplicate-key");
    // Protected header {1: -35, 1 (non-preferred, 0x18 0x01): -35}.
    let protected = vec![0xa2, 0x01, 0x38, 0x22, 0x18, 0x01, 0x38, 0x22];
    let token = raw_token_with(
        Some(protected),
        Value::Map(vec![]),
        Some(claims_payload()),
        &p384(),
        tag18,
    );
    assert_eq!(code(decode(&token)), "cbor.duplicate-key");
}

#[test]
fn structural_limits_are_enforced() {
    let mut deep = int(0);
    for _ in 0..20 {
        deep = Value::Array(vec![deep]);
    }
    assert_eq!(
        code(decode(&raw_token(vec![es384()], vec![(int(-70000), deep)]))),
        "cbor.too-deep"
    );

    let many = Value::Array(vec![int(0); 5000]);
    assert_eq!(
        code(decode(&raw_token(vec![es384()], vec![(int(-70000), many)]))),
        "cbor.too-many-items"
    );

    let wide = Value::Map((0..200).map(|i| (int(i), int(0))).collect());
    assert_eq!(
        code(decode(&raw_token(vec![es384()], vec![(int(-70000), wide)]))),
        "cbor.map-too-large"
    );
}

#[test]
fn malformed_cbor_is_refused() {
    let good = raw_token(vec![es384()], vec![]);
    assert_eq!(code(decode(&good[..good.len() - 1])), "cbor.truncated");
    // Indefinite-length unprotected map: d2 84 <prot> bf ff ...
    let prot = ser(&Value::Map(vec![es384()]));
    let mut indefinite = vec![0xd2, 0x84];
    indefinite.extend(ser(&Value::Bytes(prot)));
    indefinite.extend([0xbf, 0xff]);
    indefinite.extend(ser(&Value::Bytes(claims_payload())));
    indefinite.extend(ser(&Value::Bytes(vec![0; 96])));
    assert_eq!(code(decode(&indefinite)), "cbor.indefinite-length");
    // Invalid UTF-8 in a text header value.
    let mut bad_text = good.clone();
    let tok = raw_token(vec![es384()], vec![(int(-70000), Value::Text("ab".into()))]);
    let pos = tok
        .windows(3)
        .position(|w| w == [0x62, b'a', b'b'])
        .unwrap();
    bad_text.clone_from(&tok);
    bad_text[pos + 1] = 0xff;
    assert_eq!(code(decode(&bad_text)), "cbor.malformed");
}

#[test]
fn non_sign1_structures_are_malformed() {
    let three = ser(&tag18(Value::Array(vec![
        Value::Bytes(vec![]),
        Value::Map(vec![]),
        Value::Bytes(vec![]),
    ])));
    assert_eq!(code(decode(&three)), "token.malformed");
    let map = ser(&tag18(Value::Map(vec![])));
    assert_eq!(code(decode(&map)), "token.malformed");
}

#[test]
fn x5chain_forms() {
    let cert_a = vec![0x30, 0x01, 0xaa];
    let cert_b = vec![0x30, 0x01, 0xbb];
    let single = raw_token(
        vec![es384(), (int(33), Value::Bytes(cert_a.clone()))],
        vec![],
    );
    assert_eq!(
        decode(&single).unwrap().x5chain(),
        Some((HeaderPlacement::Protected, &[cert_a.clone()][..]))
    );

    let array = raw_token(
        vec![es384()],
        vec![(
            int(33),
            Value::Array(vec![
                Value::Bytes(cert_a.clone()),
                Value::Bytes(cert_b.clone()),
            ]),
        )],
    );
    assert_eq!(
        decode(&array).unwrap().x5chain(),
        Some((
            HeaderPlacement::Unprotected,
            &[cert_a.clone(), cert_b.clone()][..]
        ))
    );

    for bad in [int(1), Value::Array(vec![]), Value::Array(vec![int(1)])] {
        let token = raw_token(vec![es384(), (int(33), bad.clone())], vec![]);
        assert_eq!(code(decode(&token)), "token.malformed", "{bad:?}");
    }
    let both = raw_token(
        vec![es384(), (int(33), Value::Bytes(cert_a.clone()))],
        vec![(int(33), Value::Bytes(cert_b.clone()))],
    );
    assert_eq!(code(decode(&both)), "token.header-in-both-buckets");

    // The builder emits a single certificate as a bare bstr, several as an array.
    let claims = example_phone(IAT, NONCE.to_vec());
    for (chain, placement) in [
        (vec![cert_a.clone()], HeaderPlacement::Protected),
        (vec![cert_a, cert_b], HeaderPlacement::Unprotected),
    ] {
        let bytes = TokenBuilder::new()
            .x5chain(chain.clone(), placement)
            .sign(&claims, &p384())
            .unwrap();
        let token = decode(&bytes).unwrap();
        assert_eq!(token.x5chain(), Some((placement, chain.as_slice())));
        assert!(token
            .verified_claims(&p384().public_key(), &RustCrypto)
            .is_ok());
    }
}

struct BrokenSigner(Result<Vec<u8>, CryptoError>);

impl Signer for BrokenSigner {
    fn algorithm(&self) -> Algorithm {
        Algorithm::Es384
    }
    fn sign(&self, _: &[u8]) -> Result<Vec<u8>, CryptoError> {
        self.0.clone()
    }
}

#[test]
fn signer_failures_are_reported() {
    let claims = example_phone(IAT, NONCE.to_vec());
    let short = BrokenSigner(Ok(vec![0; 64]));
    assert_eq!(
        TokenBuilder::new()
            .sign(&claims, &short)
            .unwrap_err()
            .code(),
        "crypto.signature-length"
    );
    let refused = BrokenSigner(Err(CryptoError::SigningFailed {
        reason: "TEE busy".into(),
    }));
    assert_eq!(
        TokenBuilder::new()
            .sign(&claims, &refused)
            .unwrap_err()
            .code(),
        "crypto.signing-failed"
    );
}

#[test]
fn claims_are_checked_after_the_signature() {
    let signer = p384();
    let not_a_claims_set = TokenBuilder::new()
        .sign_payload(ser(&int(5)), &signer)
        .unwrap();
    let token = decode(&not_a_claims_set).unwrap();
    assert!(token
        .verify_signature(&signer.public_key(), &RustCrypto)
        .is_ok());
    assert_eq!(
        code(token.verified_claims(&signer.public_key(), &RustCrypto)),
        "claims.not-a-map"
    );
    // Duplicate keys inside the signed payload: {6: 1, 6: 2}.
    let dup = TokenBuilder::new()
        .sign_payload(vec![0xa2, 0x06, 0x01, 0x06, 0x02], &signer)
        .unwrap();
    assert_eq!(
        code(verify(&dup, &signer.public_key())),
        "cbor.duplicate-key"
    );
    // The same payload under a wrong key fails on the signature first.
    let other = SoftwareSigner::from_secret_bytes(Algorithm::Es384, &[0x44; 48]).unwrap();
    assert_eq!(
        code(verify(&dup, &other.public_key())),
        "token.bad-signature"
    );
}
