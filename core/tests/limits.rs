//! The published limits (spec/limits.md, `mtattest::limits`): every input
//! just over a limit is refused with that limit's own error code, and every
//! input exactly at the limit is not refused for it.

use ciborium::value::Value;
use mtattest::appraisal::{AttestationResult, Bulletin, Policy};
use mtattest::cbor;
use mtattest::claims::ClaimsSet;
use mtattest::crypto::{Algorithm, RustCrypto, SoftwareSigner};
use mtattest::limits::{MAX_BULLETIN_SIZE, MAX_EAR_SIZE, MAX_POLICY_SIZE};
use mtattest::token::{issue, DecodeOptions, Token, TokenBuilder};
use mtattest::trust::{ChainOptions, ChainVerifier, TrustAnchors};
use mtattest::verifier::{KeySource, Verifier};
use mtattest::{Limits, UnixTime};
use mtattest_testkit::example_phone;

const IAT: i64 = 1_790_000_000;
const NONCE: &[u8] = b"limits-test-nonce";

fn key() -> SoftwareSigner {
    SoftwareSigner::from_secret_bytes(Algorithm::Es384, &[0x44; 48]).unwrap()
}

fn verifier() -> Verifier {
    Verifier::builder(KeySource::Key(key().public_key())).build()
}

/// A token over `claims` signed without the producer's limit checks
/// (`TokenBuilder::sign` refuses what these tests need the verifier to see).
fn unchecked(claims: &ClaimsSet) -> Vec<u8> {
    TokenBuilder::new()
        .sign_payload(claims.to_cbor(), &key())
        .unwrap()
}

fn verify_code(token: &[u8]) -> &'static str {
    match verifier().verify(token, Some(NONCE), UnixTime::from_secs(IAT)) {
        Ok(_) => "ok",
        Err(e) => e.code(),
    }
}

fn int(n: i64) -> Value {
    Value::Integer(n.into())
}

/// A CBOR array nested `depth` deep around `0`.
fn nested_arrays(depth: usize) -> Value {
    (0..depth).fold(int(0), |inner, _| Value::Array(vec![inner]))
}

#[test]
fn the_default_limits_are_the_published_ones() {
    let l = Limits::DEFAULT;
    assert_eq!(l.max_token_size, 16_384);
    assert_eq!(l.max_depth, 16);
    assert_eq!(l.max_items, 4_096);
    assert_eq!(l.max_map_entries, 128);
    assert_eq!(l.max_submod_depth, 4);
    let c = ChainOptions::DEFAULT;
    assert_eq!(c.max_chain_len, 6);
    assert_eq!(c.max_cert_size, 8_192);
    assert_eq!(MAX_POLICY_SIZE, 65_536);
    assert_eq!(MAX_BULLETIN_SIZE, 1_048_576);
    assert_eq!(MAX_EAR_SIZE, 65_536);
}

#[test]
fn only_limits_no_looser_than_the_profile_are_within_it() {
    assert!(Limits::DEFAULT.is_within_profile());
    assert!(ChainOptions::DEFAULT.is_within_profile());
    // Each limit loosened by one on its own takes the set outside.
    let d = Limits::DEFAULT;
    for looser in [
        Limits {
            max_token_size: d.max_token_size + 1,
            ..d
        },
        Limits {
            max_depth: d.max_depth + 1,
            ..d
        },
        Limits {
            max_items: d.max_items + 1,
            ..d
        },
        Limits {
            max_map_entries: d.max_map_entries + 1,
            ..d
        },
        Limits {
            max_submod_depth: d.max_submod_depth + 1,
            ..d
        },
    ] {
        assert!(!looser.is_within_profile(), "{looser:?}");
    }
    let tighter = Limits {
        max_token_size: 1,
        max_depth: 1,
        max_items: 1,
        max_map_entries: 1,
        max_submod_depth: 1,
    };
    assert!(tighter.is_within_profile());
    let c = ChainOptions::DEFAULT;
    for looser in [
        ChainOptions {
            max_chain_len: c.max_chain_len + 1,
            ..c
        },
        ChainOptions {
            max_cert_size: c.max_cert_size + 1,
            ..c
        },
    ] {
        assert!(!looser.is_within_profile(), "{looser:?}");
    }
    // The verifier's own choices do not count against the profile.
    let choices = ChainOptions {
        crl_grace_secs: 86_400,
        require_protected_x5chain: true,
        max_chain_len: 2,
        ..c
    };
    assert!(choices.is_within_profile());
}

// ---- token size ----

#[test]
fn token_size_is_checked_before_parsing() {
    // Not even CBOR: the size alone decides.
    let junk = vec![0xff; Limits::DEFAULT.max_token_size + 1];
    assert_eq!(verify_code(&junk), "token.too-large");
    let err = Token::decode(&junk, &DecodeOptions::default()).unwrap_err();
    assert_eq!(err.code(), "token.too-large");
    // At the limit the parser runs (and finds the junk).
    let at = vec![0xff; Limits::DEFAULT.max_token_size];
    assert_eq!(verify_code(&at), "cbor.malformed");
}

#[test]
fn a_genuine_token_over_the_size_limit_is_refused() {
    let mut claims = example_phone(IAT, NONCE.to_vec());
    claims
        .insert_unknown("padding", Value::Bytes(vec![0; 16_384]))
        .unwrap();
    let token = unchecked(&claims);
    assert!(token.len() > 16_384);
    assert_eq!(verify_code(&token), "token.too-large");
}

// ---- CBOR nesting, items, map entries ----

#[test]
fn nesting_depth_of_the_payload() {
    let signer = key();
    let payload = |depth| {
        let mut claims = example_phone(IAT, NONCE.to_vec()).to_value();
        if let Value::Map(entries) = &mut claims {
            entries.push((Value::Text("deep".into()), nested_arrays(depth)));
        }
        cbor::encode(&claims)
    };
    // The claims map is level 1, so 15 arrays inside it reach level 16.
    let ok = TokenBuilder::new()
        .sign_payload(payload(15), &signer)
        .unwrap();
    assert_eq!(verify_code(&ok), "ok");
    let deep = TokenBuilder::new()
        .sign_payload(payload(16), &signer)
        .unwrap();
    assert_eq!(verify_code(&deep), "cbor.too-deep");
}

#[test]
fn nesting_depth_of_the_envelope() {
    // tag 18 [ h'', { 99: [[[...]]] }, h'', h'' ]: tag, array, map, then the
    // nested arrays.
    let token = |depth| {
        cbor::encode(&Value::Tag(
            18,
            Box::new(Value::Array(vec![
                Value::Bytes(vec![]),
                Value::Map(vec![(int(99), nested_arrays(depth))]),
                Value::Bytes(vec![]),
                Value::Bytes(vec![]),
            ])),
        ))
    };
    assert_ne!(verify_code(&token(13)), "cbor.too-deep");
    assert_eq!(verify_code(&token(14)), "cbor.too-deep");
}

#[test]
fn data_items() {
    let at = cbor::encode(&Value::Array(vec![int(0); 4_095]));
    assert!(cbor::decode_strict(&at, &Limits::DEFAULT).is_ok());
    let over = cbor::encode(&Value::Array(vec![int(0); 4_096]));
    let err = cbor::decode_strict(&over, &Limits::DEFAULT).unwrap_err();
    assert_eq!(err.code(), "cbor.too-many-items");

    // In a token: an unknown claim with 4 096 items.
    let mut claims = example_phone(IAT, NONCE.to_vec());
    claims
        .insert_unknown("many", Value::Array(vec![int(0); 4_096]))
        .unwrap();
    let token = unchecked(&claims);
    assert_eq!(verify_code(&token), "cbor.too-many-items");
}

#[test]
fn map_entries_are_checked_on_the_declared_count() {
    let claims_with = |extra: i64| {
        let mut claims = example_phone(IAT, NONCE.to_vec());
        let mut n = 0;
        while claims.to_value().as_map().map_or(0, Vec::len) < 128 + extra as usize {
            claims.insert_unknown(format!("extra-{n}"), int(n)).unwrap();
            n += 1;
        }
        unchecked(&claims)
    };
    assert_eq!(verify_code(&claims_with(0)), "ok");
    assert_eq!(verify_code(&claims_with(1)), "cbor.map-too-large");
    // A map head declaring 2^32 entries with nothing after it: refused on the
    // count, not after trying to read (or allocate for) the entries.
    let err = cbor::decode_strict(&[0xba, 0xff, 0xff, 0xff, 0xff], &Limits::DEFAULT).unwrap_err();
    assert_eq!(err.code(), "cbor.map-too-large");
}

// ---- submodule depth ----

/// `example_phone` with an unknown submodule `vendor` holding submodules
/// nested so that the deepest is at submodule depth `depth` (the layers are
/// at depth 1).
fn with_nested_submods(depth: usize) -> ClaimsSet {
    let mut inner = Value::Map(vec![(int(-75000), int(1))]);
    for level in (2..=depth).rev() {
        inner = Value::Map(vec![(
            int(266),
            Value::Map(vec![(Value::Text(format!("sub{level}")), inner)]),
        )]);
    }
    let mut claims = example_phone(IAT, NONCE.to_vec());
    claims.insert_unknown_submodule("vendor", inner).unwrap();
    claims
}

#[test]
fn submodule_depth() {
    let at = issue(&with_nested_submods(4), &key()).unwrap();
    assert_eq!(verify_code(&at), "ok");
    let over = unchecked(&with_nested_submods(5));
    assert_eq!(verify_code(&over), "claims.submods-too-deep");

    let bytes = with_nested_submods(5).to_cbor();
    let err = ClaimsSet::from_cbor(&bytes, &Limits::DEFAULT).unwrap_err();
    assert_eq!(err.code(), "claims.submods-too-deep");
    assert_eq!(
        err.to_string(),
        "submodule submods.vendor.submods.sub2.submods.sub3.submods.sub4.submods.sub5 \
         is nested deeper than 4"
    );
    // A verifier may tighten the limit: no nesting below the layers at all.
    let tight = Limits {
        max_submod_depth: 1,
        ..Limits::DEFAULT
    };
    let bytes = with_nested_submods(2).to_cbor();
    let err = ClaimsSet::from_cbor(&bytes, &tight).unwrap_err();
    assert_eq!(err.code(), "claims.submods-too-deep");
    let layers_only = example_phone(IAT, NONCE.to_vec()).to_cbor();
    assert!(ClaimsSet::from_cbor(&layers_only, &tight).is_ok());
}

// ---- chain length and certificate size ----

fn chain_verifier() -> ChainVerifier {
    ChainVerifier::new(TrustAnchors::new())
}

fn chain_code(chain: &[Vec<u8>]) -> &'static str {
    match chain_verifier().validate_chain(chain, UnixTime::from_secs(IAT), &RustCrypto) {
        Ok(_) => "ok",
        Err(e) => e.code(),
    }
}

#[test]
fn chain_length_is_checked_before_parsing() {
    assert_eq!(chain_code(&vec![vec![0u8; 4]; 7]), "chain.too-long");
    assert_eq!(chain_code(&vec![vec![0u8; 4]; 6]), "chain.malformed");
}

#[test]
fn certificate_size_is_checked_before_parsing() {
    let chain = vec![vec![0u8; 4], vec![0u8; 8_193]];
    let err = chain_verifier()
        .validate_chain(&chain, UnixTime::from_secs(IAT), &RustCrypto)
        .unwrap_err();
    assert_eq!(err.code(), "chain.cert-too-large");
    assert_eq!(
        err.to_string(),
        "certificate 1 is 8193 bytes, more than the limit of 8192"
    );
    // At the limit the certificates are parsed (and the junk refused).
    assert_eq!(
        chain_code(&[vec![0u8; 4], vec![0u8; 8_192]]),
        "chain.malformed"
    );
    // A tighter limit, through a token's x5chain.
    let verifier = ChainVerifier::new(TrustAnchors::new()).with_options(ChainOptions {
        max_cert_size: 3,
        ..ChainOptions::DEFAULT
    });
    let token = TokenBuilder::new()
        .x5chain(
            vec![vec![0u8; 4]],
            mtattest::token::HeaderPlacement::Protected,
        )
        .sign(&example_phone(IAT, NONCE.to_vec()), &key())
        .unwrap();
    let token = Token::decode(&token, &DecodeOptions::default()).unwrap();
    let err = verifier
        .verify_chain_and_signature(&token, UnixTime::from_secs(IAT), &RustCrypto)
        .unwrap_err();
    assert_eq!(err.code(), "chain.cert-too-large");
}

// ---- policy, bulletin, EAR ----

/// `text` padded with trailing spaces to exactly `len` bytes.
fn padded(text: &str, len: usize) -> String {
    assert!(text.len() <= len);
    format!("{text}{}", " ".repeat(len - text.len()))
}

#[test]
fn policy_size() {
    let json = r#"{"extends": "byod", "app-signers": ["abababababababababababababababababababababababababababababababab"]}"#;
    assert!(Policy::from_json(padded(json, MAX_POLICY_SIZE).as_bytes()).is_ok());
    let err = Policy::from_json(padded(json, MAX_POLICY_SIZE + 1).as_bytes()).unwrap_err();
    assert_eq!(err.code(), "policy.too-large");
    // Refused on the size alone, before the parser sees the bytes.
    let err = Policy::from_json(&vec![0xff; MAX_POLICY_SIZE + 1]).unwrap_err();
    assert_eq!(err.code(), "policy.too-large");
}

#[cfg(feature = "toml")]
#[test]
fn policy_size_toml() {
    let toml = "extends = \"byod\"\napp-signers = [\"abababababababababababababababababababababababababababababababab\"]\n";
    assert!(Policy::from_toml(&padded(toml, MAX_POLICY_SIZE)).is_ok());
    let err = Policy::from_toml(&padded(toml, MAX_POLICY_SIZE + 1)).unwrap_err();
    assert_eq!(err.code(), "policy.too-large");
}

#[test]
fn bulletin_size() {
    let json = r#"{"advisories": [{"id": "A-1", "severity": "high", "models": ["x"]}]}"#;
    assert!(Bulletin::from_json(padded(json, MAX_BULLETIN_SIZE).as_bytes()).is_ok());
    let err = Bulletin::from_json(padded(json, MAX_BULLETIN_SIZE + 1).as_bytes()).unwrap_err();
    assert_eq!(err.code(), "bulletin.too-large");
}

#[test]
fn a_bulletin_with_many_advisories_loads_quickly() {
    // Duplicate ids used to be found by a linear scan per advisory: a 1 MiB
    // feed of ~25 000 advisories took O(n^2) string comparisons.
    let mut json = String::from(r#"{"advisories": ["#);
    let mut n = 0;
    loop {
        let item = format!(r#"{{"id": "A-{n}", "severity": "low", "models": ["m"]}},"#);
        if json.len() + item.len() + 2 > MAX_BULLETIN_SIZE {
            break;
        }
        json.push_str(&item);
        n += 1;
    }
    json.pop();
    json.push_str("]}");
    let start = std::time::Instant::now();
    let feed = Bulletin::from_json(json.as_bytes()).unwrap();
    assert_eq!(feed.advisories().len(), n);
    assert!(n > 15_000, "{n}");
    assert!(
        start.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn ear_size() {
    let err = AttestationResult::from_json(&vec![b' '; MAX_EAR_SIZE + 1]).unwrap_err();
    assert_eq!(err.code(), "ear.too-large");
    let err = AttestationResult::from_cbor(&vec![0; MAX_EAR_SIZE + 1]).unwrap_err();
    assert_eq!(err.code(), "ear.too-large");
    let err = AttestationResult::verify_signed(
        &vec![0; MAX_EAR_SIZE + 1],
        &key().public_key(),
        &RustCrypto,
    )
    .unwrap_err();
    assert_eq!(err.code(), "ear.too-large");
    // At the limit the parsers run.
    let err = AttestationResult::from_json(&vec![b' '; MAX_EAR_SIZE]).unwrap_err();
    assert_eq!(err.code(), "ear.malformed");
    let err = AttestationResult::from_cbor(&vec![0; MAX_EAR_SIZE]).unwrap_err();
    assert_eq!(err.code(), "cbor.trailing-bytes");
}
