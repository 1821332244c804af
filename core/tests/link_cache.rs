//! The link cache (spec §10.6, issue #13.2): a new device under an
//! intermediate seen before costs two signature verifications (its
//! certificate's and its token's), CRLs seen before cost none; and a cached
//! link never stands for anything but its own signature: every other check
//! of the path runs on every path, another certificate with the same name
//! and key is not the cached one, failures are not cached, and with one
//! long-lived cache per configuration every conformance vector gets the
//! result it gets from a verifier without caches.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use mtattest::crypto::RustCrypto;
use mtattest::token::{DecodeOptions, HeaderPlacement, Token};
use mtattest::trust::{
    ChainError, ChainOptions, ChainVerifier, Check, Position, Profile, Revocation, StatusList,
    TrustAnchors,
};
use mtattest::{Error, UnixTime};
use mtattest_testkit::counting::CountingProvider;
use mtattest_testkit::example_phone;
use mtattest_testkit::pki::{
    issue, issue_crl, CertSpec, CrlEntryReason, CrlSpec, KeySpec, TestPki, INTERMEDIATE_NOT_AFTER,
    ROOT_NOT_AFTER,
};
use serde_json::Value;

/// 2026-09-21, inside every default validity period.
const NOW: i64 = 1_790_000_000;

fn now() -> UnixTime {
    UnixTime::from_secs(NOW)
}

fn root_anchor(pki: &TestPki) -> TrustAnchors {
    let mut anchors = TrustAnchors::new();
    anchors.add_der(&pki.root.der).unwrap();
    anchors
}

/// Device `n` of the standard intermediate: its own key and serial.
fn device(n: u64) -> CertSpec {
    CertSpec {
        serial: 0x5000 + n,
        key: KeySpec::p384(&format!("link cache device {n}")),
        ..CertSpec::device()
    }
}

/// The token of device `n` (x5chain: device, intermediate).
fn token_of(pki: &TestPki, device: &CertSpec) -> Token {
    let der = issue(device, Some(&pki.intermediate.spec)).unwrap();
    let claims = example_phone(NOW, b"challenge".to_vec());
    let mut builder = mtattest::token::TokenBuilder::new();
    builder = builder.x5chain(
        vec![der, pki.intermediate.der.clone()],
        HeaderPlacement::Protected,
    );
    let bytes = builder
        .sign(&claims, &device.key.signer().unwrap())
        .unwrap();
    Token::decode(&bytes, &DecodeOptions::default()).unwrap()
}

fn chain_error(result: Result<impl std::fmt::Debug, Error>) -> ChainError {
    match result {
        Err(Error::Chain(e)) => e,
        other => panic!("expected a chain error, got {other:?}"),
    }
}

#[test]
fn a_new_device_under_a_known_intermediate_costs_two_verifications() {
    let pki = TestPki::standard().unwrap();
    let verifier = ChainVerifier::new(root_anchor(&pki)).with_cache(16);
    let crypto = CountingProvider::default();
    verifier
        .verify_chain_and_signature(&token_of(&pki, &device(1)), now(), &crypto)
        .unwrap();
    assert_eq!(crypto.take(), 3, "intermediate, device, token");
    for n in 2..5 {
        verifier
            .verify_chain_and_signature(&token_of(&pki, &device(n)), now(), &crypto)
            .unwrap();
        assert_eq!(
            crypto.take(),
            2,
            "device {n}: its certificate and its token"
        );
    }
    let links = verifier.link_cache_stats().unwrap();
    assert_eq!((links.hits, links.misses, links.len), (3, 1, 1));
    // The same device again: the chain cache, one verification.
    verifier
        .verify_chain_and_signature(&token_of(&pki, &device(4)), now(), &crypto)
        .unwrap();
    assert_eq!(crypto.take(), 1);
    // Without caches every token costs three.
    let uncached = ChainVerifier::new(root_anchor(&pki));
    for n in 1..3 {
        uncached
            .verify_chain_and_signature(&token_of(&pki, &device(n)), now(), &crypto)
            .unwrap();
        assert_eq!(crypto.take(), 3);
    }
}

/// The intermediate's and the root's CRLs are verified once, not per
/// device.
#[test]
fn crls_seen_before_cost_nothing() {
    let pki = TestPki::standard().unwrap();
    let current = CrlSpec {
        this_update: NOW - 86_400,
        next_update: Some(NOW + 86_400),
        revoked: vec![(0x3999, CrlEntryReason::KeyCompromise)],
        unknown_critical_extension: false,
        corrupt_signature: false,
    };
    let mut revocation = Revocation::new();
    for issuer in [&pki.intermediate.spec, &pki.root.spec] {
        revocation
            .add_crl_der(&issue_crl(issuer, &current).unwrap())
            .unwrap();
    }
    let verifier = ChainVerifier::new(root_anchor(&pki))
        .with_revocation(revocation)
        .with_cache(16);
    let crypto = CountingProvider::default();
    verifier
        .verify_chain_and_signature(&token_of(&pki, &device(1)), now(), &crypto)
        .unwrap();
    assert_eq!(crypto.take(), 5, "intermediate, device, two CRLs, token");
    verifier
        .verify_chain_and_signature(&token_of(&pki, &device(2)), now(), &crypto)
        .unwrap();
    assert_eq!(crypto.take(), 2);
    // A revoked device is still found revoked, its CRL's signature cached.
    let revoked = CertSpec {
        serial: 0x3999,
        ..device(3)
    };
    let err =
        chain_error(verifier.verify_chain_and_signature(&token_of(&pki, &revoked), now(), &crypto));
    assert!(
        matches!(err, ChainError::Revoked { index: 0, .. }),
        "{err:?}"
    );
    // And after the CRLs' nextUpdate, stale: the cached links do not hold
    // past their window and the time checks run.
    let later = UnixTime::from_secs(NOW + 86_400 + 1);
    let err = chain_error(verifier.verify_chain_and_signature(
        &token_of(&pki, &device(4)),
        later,
        &crypto,
    ));
    assert!(matches!(err, ChainError::CrlStale { .. }), "{err:?}");
}

/// Checks that depend on the whole path or on the time run on every path,
/// with the intermediate's link cached.
#[test]
fn a_cached_link_skips_no_other_check() {
    let pki = TestPki::standard().unwrap();
    let verifier = ChainVerifier::new(root_anchor(&pki)).with_cache(16);
    let warm = || {
        verifier
            .verify_chain_and_signature(&token_of(&pki, &device(1)), now(), &RustCrypto)
            .unwrap()
    };
    warm();
    // A device the intermediate did not sign.
    let mut forged = device(2);
    forged.corrupt_signature = true;
    let err = chain_error(verifier.verify_chain_and_signature(
        &token_of(&pki, &forged),
        now(),
        &RustCrypto,
    ));
    assert!(
        matches!(err, ChainError::BadSignature { index: 0 }),
        "{err:?}"
    );
    // A device naming another issuer.
    let mut misnamed = device(3);
    misnamed.issuer_override = Some("CN=Someone Else,O=mtattest Test OEM".into());
    let err = chain_error(verifier.verify_chain_and_signature(
        &token_of(&pki, &misnamed),
        now(),
        &RustCrypto,
    ));
    assert!(
        matches!(err, ChainError::NameMismatch { index: 0, .. }),
        "{err:?}"
    );
    // A sub-CA below the intermediate, whose pathLenConstraint 0 forbids
    // it: the intermediate's link is the cached one.
    let sub_ca = CertSpec {
        subject: "CN=Sub CA,O=mtattest Test OEM".into(),
        serial: 0x2999,
        key: KeySpec::p384("link cache sub ca"),
        basic_constraints: Some((true, None)),
        ..pki.intermediate.spec.clone()
    };
    let below = CertSpec {
        subject: "CN=Below Sub CA,O=mtattest Test OEM".into(),
        ..device(4)
    };
    let chain = vec![
        issue(&below, Some(&sub_ca)).unwrap(),
        issue(&sub_ca, Some(&pki.intermediate.spec)).unwrap(),
        pki.intermediate.der.clone(),
    ];
    let before = verifier.link_cache_stats().unwrap().hits;
    let err = chain_error(verifier.validate_chain(&chain, now(), &RustCrypto));
    assert!(matches!(err, ChainError::PathLength { .. }), "{err:?}");
    assert!(verifier.link_cache_stats().unwrap().hits > before);
    // After the intermediate has expired.
    let expired = UnixTime::from_secs(INTERMEDIATE_NOT_AFTER + 1);
    let err = chain_error(verifier.verify_chain_and_signature(
        &token_of(&pki, &device(5)),
        expired,
        &RustCrypto,
    ));
    assert!(
        matches!(err, ChainError::Expired { index: 1, .. }),
        "{err:?}"
    );
    // Through all of this, what was valid stays valid.
    warm();
}

/// An intermediate with the cached one's name, key and serial but other
/// bytes (a flipped signature bit) is not the cached intermediate.
#[test]
fn another_certificate_with_the_same_name_and_key_is_not_the_cached_one() {
    let pki = TestPki::standard().unwrap();
    let verifier = ChainVerifier::new(root_anchor(&pki)).with_cache(16);
    verifier
        .validate_chain(&pki.chain(), now(), &RustCrypto)
        .unwrap();
    let mut twin = pki.intermediate.spec.clone();
    twin.corrupt_signature = true;
    let chain = vec![
        pki.device.der.clone(),
        issue(&twin, Some(&pki.root.spec)).unwrap(),
    ];
    let err = chain_error(verifier.validate_chain(&chain, now(), &RustCrypto));
    assert!(
        matches!(err, ChainError::BadSignature { index: 1 }),
        "{err:?}"
    );
    // Nor under another configuration: a verifier trusting the root under
    // other options shares nothing (each verifier has its own caches, and
    // the configuration fingerprint is part of every key).
    let other = ChainVerifier::new(root_anchor(&pki))
        .with_options(ChainOptions {
            max_chain_len: 4,
            ..ChainOptions::DEFAULT
        })
        .with_cache(16);
    let crypto = CountingProvider::default();
    other.validate_chain(&pki.chain(), now(), &crypto).unwrap();
    assert_eq!(crypto.take(), 2);
}

/// Two anchors with the root's name: the one whose key signed the
/// intermediate is found every time, the link cached under it standing for
/// no other.
#[test]
fn the_issuer_is_part_of_the_link() {
    let pki = TestPki::standard().unwrap();
    let impostor = CertSpec {
        serial: 0x1999,
        key: KeySpec::p384("link cache impostor root"),
        key_identifiers: false,
        ..CertSpec::root()
    };
    let mut anchors = TrustAnchors::new();
    anchors.add_der(&issue(&impostor, None).unwrap()).unwrap();
    anchors.add_der(&pki.root.der).unwrap();
    let verifier = ChainVerifier::new(anchors).with_cache(16);
    for _ in 0..3 {
        let chain = verifier
            .validate_chain(&pki.chain(), now(), &RustCrypto)
            .unwrap();
        assert_eq!(chain.anchor_index(), 1);
        verifier
            .validate_chain(&pki.chain_with_root(), now(), &RustCrypto)
            .unwrap();
        // The device's chain is cached now; a new device takes the links.
        let token = token_of(&pki, &device(7));
        assert_eq!(
            verifier
                .verify_chain_and_signature(&token, now(), &RustCrypto)
                .unwrap()
                .0
                .anchor_index(),
            1
        );
    }
}

/// A cached link holds while both its certificates are valid. Under a
/// profile that relaxes the intermediate's validity, a path through the
/// expired intermediate is valid, and its link is verified each time.
#[test]
fn a_link_is_not_used_outside_its_window() {
    let pki = TestPki::standard().unwrap();
    let mut anchors = TrustAnchors::new();
    let relaxed = Profile::STRICT.relax(Check::Validity, Position::Intermediate);
    anchors
        .add_der_with_profile(&pki.root.der, relaxed)
        .unwrap();
    let verifier = ChainVerifier::new(anchors).with_cache(16);
    let long_lived = |n| CertSpec {
        not_after: ROOT_NOT_AFTER - 1,
        ..device(n)
    };
    let crypto = CountingProvider::default();
    verifier
        .verify_chain_and_signature(&token_of(&pki, &long_lived(1)), now(), &crypto)
        .unwrap();
    assert_eq!(crypto.take(), 3);
    verifier
        .verify_chain_and_signature(&token_of(&pki, &long_lived(2)), now(), &crypto)
        .unwrap();
    assert_eq!(crypto.take(), 2);
    let later = UnixTime::from_secs(INTERMEDIATE_NOT_AFTER + 1);
    for n in 3..5 {
        verifier
            .verify_chain_and_signature(&token_of(&pki, &long_lived(n)), later, &crypto)
            .unwrap();
        assert_eq!(crypto.take(), 3, "device {n}");
    }
    assert_eq!(verifier.link_cache_stats().unwrap().expired, 1);
}

/// The revocation data is part of every link's key: a verifier given other
/// revocation data verifies every link again, and given the first data back
/// finds its links again.
#[test]
fn other_revocation_data_reuses_no_link() {
    let pki = TestPki::standard().unwrap();
    let crl = |this_update: i64| {
        let spec = CrlSpec {
            this_update,
            next_update: Some(NOW + 86_400),
            revoked: vec![],
            unknown_critical_extension: false,
            corrupt_signature: false,
        };
        let mut revocation = Revocation::new();
        revocation
            .add_crl_der(&issue_crl(&pki.intermediate.spec, &spec).unwrap())
            .unwrap();
        revocation
    };
    let crypto = CountingProvider::default();
    let verifier = ChainVerifier::new(root_anchor(&pki))
        .with_revocation(crl(NOW - 86_400))
        .with_cache(16);
    verifier
        .verify_chain_and_signature(&token_of(&pki, &device(1)), now(), &crypto)
        .unwrap();
    assert_eq!(crypto.take(), 4, "intermediate, device, CRL, token");
    verifier
        .verify_chain_and_signature(&token_of(&pki, &device(2)), now(), &crypto)
        .unwrap();
    assert_eq!(crypto.take(), 2, "device, token");
    // A newer CRL: the same verifier (and caches), other revocation data.
    let verifier = verifier.with_revocation(crl(NOW - 3_600));
    verifier
        .verify_chain_and_signature(&token_of(&pki, &device(3)), now(), &crypto)
        .unwrap();
    assert_eq!(crypto.take(), 4, "no link of the old revocation data");
    verifier
        .verify_chain_and_signature(&token_of(&pki, &device(4)), now(), &crypto)
        .unwrap();
    assert_eq!(crypto.take(), 2);
    // Back to the first CRL: its links are found again.
    let verifier = verifier.with_revocation(crl(NOW - 86_400));
    verifier
        .verify_chain_and_signature(&token_of(&pki, &device(5)), now(), &crypto)
        .unwrap();
    assert_eq!(crypto.take(), 2);
}

#[test]
fn failed_links_are_not_cached() {
    let pki = TestPki::standard().unwrap();
    let mut bad = pki.intermediate.spec.clone();
    bad.corrupt_signature = true;
    let chain = vec![
        pki.device.der.clone(),
        issue(&bad, Some(&pki.root.spec)).unwrap(),
    ];
    let verifier = ChainVerifier::new(root_anchor(&pki)).with_cache(16);
    let crypto = CountingProvider::default();
    for _ in 0..2 {
        let err = chain_error(verifier.validate_chain(&chain, now(), &crypto));
        assert!(
            matches!(err, ChainError::BadSignature { index: 1 }),
            "{err:?}"
        );
        assert_eq!(crypto.take(), 1);
    }
    let links = verifier.link_cache_stats().unwrap();
    assert_eq!((links.hits, links.len), (0, 0));
}

// ------------------------------------------------- the conformance vectors

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test-vectors")
}

fn read(dir: &Path, rel: &str) -> Vec<u8> {
    std::fs::read(dir.join(rel)).unwrap()
}

fn text<'a>(v: &'a Value, field: &str) -> Option<&'a str> {
    v.get(field).and_then(Value::as_str)
}

/// The chain configuration of a case: what its verifier is built from.
/// The chain configuration of a case: anchors, CRL, status list, the
/// x5chain placement rule and the anchors under the Android profile.
type Configuration = (String, String, String, bool, String);

fn configuration(case: &Value, settings: &Value) -> Configuration {
    let setting = |name: &str| case["options"].get(name).unwrap_or(&settings[name]);
    (
        text(case, "anchors").unwrap_or_default().to_string(),
        text(case, "crl").unwrap_or_default().to_string(),
        text(case, "status-list").unwrap_or_default().to_string(),
        setting("require-protected-x5chain")
            .as_bool()
            .unwrap_or(false),
        text(case, "android-anchors")
            .unwrap_or_default()
            .to_string(),
    )
}

fn chain_verifier(dir: &Path, settings: &Value, config: &Configuration) -> ChainVerifier {
    use der::Encode as _;
    let (anchors_file, crl, status_list, protected, android_anchors) = config;
    let mut anchors = TrustAnchors::new();
    anchors.add_pem(&read(dir, anchors_file)).unwrap();
    if !android_anchors.is_empty() {
        let pem = read(dir, android_anchors);
        for cert in x509_cert::Certificate::load_pem_chain(&pem).unwrap() {
            anchors
                .add_der_with_profile(&cert.to_der().unwrap(), Profile::android())
                .unwrap();
        }
    }
    let mut revocation = Revocation::new();
    if !crl.is_empty() {
        revocation.add_crl_der(&read(dir, crl)).unwrap();
    }
    if !status_list.is_empty() {
        revocation.set_status_list(StatusList::from_json(&read(dir, status_list)).unwrap());
    }
    let options = ChainOptions {
        max_chain_len: settings["max-chain-len"].as_u64().unwrap() as usize,
        max_cert_size: settings["max-cert-size"].as_u64().unwrap() as usize,
        crl_grace_secs: settings["crl-grace-secs"].as_u64().unwrap() as u32,
        require_protected_x5chain: *protected,
    };
    ChainVerifier::new(anchors)
        .with_revocation(revocation)
        .with_options(options)
}

/// The outcome of `verify_token`: "ok" or the error code.
fn outcome(verifier: &ChainVerifier, token: &Token, now: UnixTime) -> String {
    match verifier.verify_chain_and_signature(token, now, &RustCrypto) {
        Ok(_) => "ok".into(),
        Err(e) => e.code().into(),
    }
}

/// Every case whose token decodes, run through one long-lived cached
/// verifier per configuration, all its cases in order and then in reverse
/// (so each case meets caches warmed by every other): the outcome is the
/// uncached verifier's, and a case the manifest refuses with a `chain.*`
/// code gets that code.
#[test]
fn caches_shared_by_every_vector_change_no_outcome() {
    let dir = vectors_dir();
    let manifest: Value = serde_json::from_slice(&read(&dir, "manifest.json")).unwrap();
    let settings = &manifest["verifier"];
    let mut groups: BTreeMap<_, Vec<&Value>> = BTreeMap::new();
    for case in manifest["cases"].as_array().unwrap() {
        groups
            .entry(configuration(case, settings))
            .or_default()
            .push(case);
    }
    let mut compared = 0;
    for (config, cases) in &groups {
        let cached = chain_verifier(&dir, settings, config).with_cache(64);
        let uncached = chain_verifier(&dir, settings, config);
        for case in cases.iter().chain(cases.iter().rev()) {
            let id = text(case, "id").unwrap();
            let bytes = read(&dir, text(case, "token").unwrap());
            let Ok(token) = Token::decode(&bytes, &DecodeOptions::default()) else {
                continue;
            };
            let now = UnixTime::from_secs(case["time"].as_i64().unwrap());
            let got = outcome(&cached, &token, now);
            assert_eq!(got, outcome(&uncached, &token, now), "{id}");
            let expected = &case["expected"];
            if let Some(code) = text(expected, "error").filter(|c| c.starts_with("chain.")) {
                assert_eq!(got, code, "{id}");
            }
            compared += 1;
        }
        assert!(cached.link_cache_stats().is_some());
    }
    assert!(compared > 300, "only {compared} cases compared");
}
