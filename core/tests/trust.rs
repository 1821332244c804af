//! Chain validation, revocation and the chain cache, with purpose-built
//! chains from the test PKI. Each broken chain carries exactly one defect,
//! so removing the check that catches it makes the chain validate and the
//! test fail.

use mtattest::crypto::{Algorithm, Curve, RustCrypto};
use mtattest::token::{DecodeOptions, HeaderPlacement, Token, TokenBuilder};
use mtattest::trust::{
    ChainError, ChainOptions, ChainVerifier, Check, Position, Profile, Revocation, Status,
    StatusList, TrustAnchors,
};
use mtattest::{Error, UnixTime};
use mtattest_testkit::counting::CountingProvider;
use mtattest_testkit::example_phone;
use mtattest_testkit::pki::{
    self as test_pki, issue, issue_crl, CertSpec, CrlEntryReason, CrlSpec, KeySpec, SigAlgSpec,
    TestPki, UsageSpec,
};

/// 2026-09-21, inside every default validity period.
const NOW: i64 = 1_790_000_000;

fn now() -> UnixTime {
    UnixTime::from_secs(NOW)
}

fn anchors(certs: &[&[u8]]) -> TrustAnchors {
    let mut anchors = TrustAnchors::new();
    for der in certs {
        anchors.add_der(der).expect("anchor parses");
    }
    anchors
}

fn verifier_for(pki: &TestPki) -> ChainVerifier {
    ChainVerifier::new(anchors(&[&pki.root.der]))
}

fn validate(pki: &TestPki) -> Result<mtattest::trust::ValidatedChain, Error> {
    verifier_for(pki).validate_chain(&pki.chain(), now(), &RustCrypto)
}

fn chain_error(result: Result<impl std::fmt::Debug, Error>) -> ChainError {
    match result {
        Err(Error::Chain(e)) => e,
        other => panic!("expected a chain error, got {other:?}"),
    }
}

/// Builds the standard PKI with one spec changed.
fn pki_with(
    root: impl FnOnce(&mut CertSpec),
    intermediate: impl FnOnce(&mut CertSpec),
    device: impl FnOnce(&mut CertSpec),
) -> TestPki {
    let (mut r, mut i, mut d) = (
        CertSpec::root(),
        CertSpec::intermediate(),
        CertSpec::device(),
    );
    root(&mut r);
    intermediate(&mut i);
    device(&mut d);
    TestPki::from_specs(r, i, d).expect("test PKI builds")
}

fn keep(_: &mut CertSpec) {}

// ---------------------------------------------------------------- valid paths

#[test]
fn standard_chain_without_root_validates_to_the_device_key() {
    let pki = TestPki::standard().unwrap();
    let chain = validate(&pki).expect("valid chain");
    assert_eq!(chain.leaf_key(), &pki.device.public_key().unwrap());
    assert_eq!(chain.leaf_key().curve(), Curve::P384);
    assert_eq!(chain.path_len(), 3);
    assert_eq!(chain.anchor_index(), 0);
    assert_eq!(chain.leaf_serial(), "3003");
    assert_eq!(chain.valid_from().secs(), test_pki::DEVICE_NOT_BEFORE);
    assert_eq!(chain.valid_until().secs(), test_pki::DEVICE_NOT_AFTER);
}

#[test]
fn chain_including_the_root_validates() {
    let pki = TestPki::standard().unwrap();
    let chain = verifier_for(&pki)
        .validate_chain(&pki.chain_with_root(), now(), &RustCrypto)
        .expect("valid chain");
    assert_eq!(chain.path_len(), 3);
}

#[test]
fn intermediate_anchor_ends_the_path_in_or_out_of_the_chain() {
    let pki = TestPki::standard().unwrap();
    let verifier = ChainVerifier::new(anchors(&[&pki.intermediate.der]));
    let in_chain = verifier
        .validate_chain(&pki.chain(), now(), &RustCrypto)
        .unwrap();
    assert_eq!(in_chain.path_len(), 2);
    let omitted = verifier
        .validate_chain(std::slice::from_ref(&pki.device.der), now(), &RustCrypto)
        .unwrap();
    assert_eq!(omitted.path_len(), 2);
    // Certificates after the anchor are not part of the path: an expired
    // root beyond it does not matter.
    let expired_root = pki_with(|r| r.not_after = NOW - 1, keep, keep);
    let chain = vec![
        pki.device.der.clone(),
        pki.intermediate.der.clone(),
        expired_root.root.der,
    ];
    assert!(verifier.validate_chain(&chain, now(), &RustCrypto).is_ok());
}

#[test]
fn p256_issuer_signing_with_sha256_is_accepted() {
    let pki = pki_with(keep, |i| i.key = KeySpec::p256("intermediate-p256"), keep);
    let chain = validate(&pki).expect("P-256 intermediate signs with ecdsa-with-SHA256");
    assert_eq!(chain.leaf_key().curve(), Curve::P384);
}

#[test]
fn p256_leaf_key_is_returned_for_es256_tokens() {
    let pki = pki_with(keep, keep, |d| d.key = KeySpec::p256("device-p256"));
    let chain = validate(&pki).unwrap();
    assert_eq!(chain.leaf_key().curve(), Curve::P256);
}

#[test]
fn leaf_without_key_usage_is_accepted() {
    let pki = pki_with(keep, keep, |d| d.key_usage = None);
    assert!(validate(&pki).is_ok());
}

/// Every CA certificate needs a subjectKeyIdentifier and every certificate
/// but the self-signed root an authorityKeyIdentifier (RFC 5280 §4.2.1.1,
/// §4.2.1.2): a chain without them is refused, from the anchor down.
#[test]
fn chains_without_key_identifiers_are_refused() {
    let pki = pki_with(
        |r| r.key_identifiers = false,
        |i| i.key_identifiers = false,
        |d| d.key_identifiers = false,
    );
    assert_eq!(
        chain_error(validate(&pki)),
        ChainError::SubjectKeyId {
            index: 2,
            reason: "is missing from a CA certificate"
        }
    );
    let pki = pki_with(keep, keep, |d| d.key_identifiers = false);
    assert_eq!(
        chain_error(validate(&pki)),
        ChainError::AuthorityKeyId {
            index: 0,
            reason: "is missing"
        }
    );
}

// -------------------------------------------------------------- root rotation

fn rotated_root() -> CertSpec {
    CertSpec {
        subject: "CN=mtattest Test Root 2,O=mtattest Test OEM".to_string(),
        key: KeySpec::p384("root-2"),
        serial: 0x1002,
        ..CertSpec::root()
    }
}

#[test]
fn root_rotation_two_anchors_tokens_chained_to_either_verify() {
    let old = TestPki::standard().unwrap();
    let new = TestPki::from_specs(
        rotated_root(),
        CertSpec {
            key: KeySpec::p384("intermediate-2"),
            ..CertSpec::intermediate()
        },
        CertSpec {
            key: KeySpec::p384("device-2"),
            ..CertSpec::device()
        },
    )
    .unwrap();
    let verifier = ChainVerifier::new(anchors(&[&old.root.der, &new.root.der]));
    let claims = example_phone(NOW, b"nonce".to_vec());
    for (pki, anchor) in [(&old, 0), (&new, 1)] {
        let bytes = pki.token(&claims, HeaderPlacement::Protected).unwrap();
        let token = Token::decode(&bytes, &DecodeOptions::default()).unwrap();
        let (chain, verified) = verifier
            .verify_chain_and_signature(&token, now(), &RustCrypto)
            .unwrap();
        assert_eq!(chain.anchor_index(), anchor);
        assert_eq!(verified, claims);
    }
    // Trusting only the old root refuses the new chain.
    let only_old = ChainVerifier::new(anchors(&[&old.root.der]));
    let err = chain_error(only_old.validate_chain(&new.chain(), now(), &RustCrypto));
    assert_eq!(err, ChainError::NoAnchor { index: 1 });
}

#[test]
fn root_rotation_with_the_same_name_picks_the_anchor_by_key() {
    // New root keeps the old name; with key identifiers the candidate is
    // picked by AKI/SKI, without them by trying each signature. Without key
    // identifiers only under anchors whose profile relaxes them.
    let no_key_ids = Profile::STRICT
        .relax(Check::SubjectKeyIdentifier, Position::Anchor)
        .relax(Check::SubjectKeyIdentifier, Position::Intermediate)
        .relax(Check::AuthorityKeyIdentifier, Position::Intermediate)
        .relax(Check::AuthorityKeyIdentifier, Position::Leaf);
    for ids in [true, false] {
        let same_name = CertSpec {
            key_identifiers: ids,
            ..rotated_root()
        };
        let same_name = CertSpec {
            subject: CertSpec::root().subject,
            ..same_name
        };
        let old = pki_with(
            |r| r.key_identifiers = ids,
            |i| i.key_identifiers = ids,
            |d| d.key_identifiers = ids,
        );
        let new = TestPki::from_specs(
            same_name,
            CertSpec {
                key_identifiers: ids,
                ..CertSpec::intermediate()
            },
            CertSpec {
                key_identifiers: ids,
                ..CertSpec::device()
            },
        )
        .unwrap();
        let profile = if ids { Profile::STRICT } else { no_key_ids };
        let mut trusted = TrustAnchors::new();
        for root in [&old.root.der, &new.root.der] {
            trusted.add_der_with_profile(root, profile).unwrap();
        }
        let verifier = ChainVerifier::new(trusted);
        let a = verifier
            .validate_chain(&old.chain(), now(), &RustCrypto)
            .unwrap();
        let b = verifier
            .validate_chain(&new.chain(), now(), &RustCrypto)
            .unwrap();
        assert_eq!(
            (a.anchor_index(), b.anchor_index()),
            (0, 1),
            "key ids: {ids}"
        );
    }
}

// ------------------------------------------------------- one test per defect

#[test]
fn empty_chain() {
    let pki = TestPki::standard().unwrap();
    let empty: Vec<Vec<u8>> = Vec::new();
    let err = chain_error(verifier_for(&pki).validate_chain(&empty, now(), &RustCrypto));
    assert_eq!(err, ChainError::Empty);
    assert_eq!(err.code(), "chain.empty");
}

#[test]
fn too_long_chain() {
    let pki = TestPki::standard().unwrap();
    let verifier = verifier_for(&pki).with_options(ChainOptions {
        max_chain_len: 1,
        ..ChainOptions::DEFAULT
    });
    let err = chain_error(verifier.validate_chain(&pki.chain(), now(), &RustCrypto));
    assert_eq!(err, ChainError::TooLong { len: 2, max: 1 });
    assert_eq!(err.code(), "chain.too-long");
    // The default limit, checked before any parsing.
    let junk = vec![vec![0u8; 4]; 7];
    let err = chain_error(verifier_for(&pki).validate_chain(&junk, now(), &RustCrypto));
    assert_eq!(err.code(), "chain.too-long");
}

#[test]
fn malformed_certificates() {
    let pki = TestPki::standard().unwrap();
    let verifier = verifier_for(&pki);
    let truncated = pki.device.der[..pki.device.der.len() - 1].to_vec();
    let mut trailing = pki.device.der.clone();
    trailing.push(0);
    for bad in [b"junk".to_vec(), truncated, trailing] {
        let err = chain_error(verifier.validate_chain(
            &[bad, pki.intermediate.der.clone()],
            now(),
            &RustCrypto,
        ));
        assert!(
            matches!(err, ChainError::Malformed { index: 0, .. }),
            "{err:?}"
        );
        assert_eq!(err.code(), "chain.malformed");
    }
}

#[test]
fn structural_rules_of_rfc_5280() {
    let pki = pki_with(keep, keep, |d| d.duplicate_extension = true);
    let err = chain_error(validate(&pki));
    assert!(
        matches!(&err, ChainError::Malformed { index: 0, reason } if reason.contains("twice")),
        "{err:?}"
    );
    let pki = pki_with(keep, |i| i.outer_algorithm_differs = true, keep);
    let err = chain_error(validate(&pki));
    assert!(
        matches!(&err, ChainError::Malformed { index: 1, reason } if reason.contains("signatureAlgorithm")),
        "{err:?}"
    );
}

/// SubjectPublicKeyInfo of an Ed25519 key (RFC 8410), which the profile
/// does not accept.
fn ed25519_spki() -> Vec<u8> {
    let mut der = hex::decode("302a300506032b6570032100").unwrap();
    der.extend([0x11; 32]);
    der
}

/// SubjectPublicKeyInfo on P-384 whose point is not on the curve.
fn off_curve_p384_spki() -> Vec<u8> {
    let mut der = hex::decode("3076301006072a8648ce3d020106052b8104002203620004").unwrap();
    der.extend([0x01; 96]);
    der
}

#[test]
fn unsupported_or_invalid_keys() {
    let pki = pki_with(keep, keep, |d| d.spki_override = Some(ed25519_spki()));
    let err = chain_error(validate(&pki));
    assert!(
        matches!(err, ChainError::UnsupportedAlgorithm { index: 0, .. }),
        "{err:?}"
    );
    let pki = pki_with(keep, |i| i.spki_override = Some(ed25519_spki()), keep);
    let err = chain_error(validate(&pki));
    assert!(
        matches!(err, ChainError::UnsupportedAlgorithm { index: 1, .. }),
        "{err:?}"
    );
    let pki = pki_with(keep, keep, |d| {
        d.spki_override = Some(off_curve_p384_spki())
    });
    let err = chain_error(validate(&pki));
    assert!(
        matches!(&err, ChainError::Malformed { index: 0, reason } if reason.contains("point")),
        "{err:?}"
    );
    // Such a certificate cannot be an anchor at all.
    let root = pki_with(|r| r.spki_override = Some(ed25519_spki()), keep, keep).root;
    assert_eq!(
        TrustAnchors::new().add_der(&root.der).unwrap_err().code(),
        "chain.bad-anchor"
    );
}

#[test]
fn duplicate_and_looping_chains() {
    let pki = TestPki::standard().unwrap();
    let verifier = verifier_for(&pki);
    let repeated = vec![
        pki.device.der.clone(),
        pki.intermediate.der.clone(),
        pki.intermediate.der.clone(),
    ];
    let err = chain_error(verifier.validate_chain(&repeated, now(), &RustCrypto));
    assert_eq!(err, ChainError::Duplicate { index: 2, first: 1 });
    assert_eq!(err.code(), "chain.duplicate");
    // A loop: the same subject and key re-issued (different serial).
    let reissued = pki_with(keep, |i| i.serial = 0x2999, keep);
    let looped = vec![
        pki.device.der.clone(),
        pki.intermediate.der.clone(),
        reissued.intermediate.der,
    ];
    let err = chain_error(verifier.validate_chain(&looped, now(), &RustCrypto));
    assert_eq!(err, ChainError::Duplicate { index: 2, first: 1 });
}

#[test]
fn unsupported_signature_algorithm_for_the_issuer_key() {
    // P-384 issuer naming ecdsa-with-SHA256.
    let pki = pki_with(keep, keep, |d| {
        d.signature_algorithm_override = Some(SigAlgSpec::EcdsaSha256)
    });
    let err = chain_error(validate(&pki));
    assert!(
        matches!(err, ChainError::UnsupportedAlgorithm { index: 0, .. }),
        "{err:?}"
    );
    assert_eq!(err.code(), "chain.unsupported-algorithm");
    // P-256 issuer naming ecdsa-with-SHA384.
    let pki = pki_with(
        keep,
        |i| i.key = KeySpec::p256("intermediate-p256"),
        |d| d.signature_algorithm_override = Some(SigAlgSpec::EcdsaSha384),
    );
    let err = chain_error(validate(&pki));
    assert!(
        matches!(err, ChainError::UnsupportedAlgorithm { index: 0, .. }),
        "{err:?}"
    );
    // The certificate the anchor signs, found by anchor search.
    let pki = pki_with(
        keep,
        |i| i.signature_algorithm_override = Some(SigAlgSpec::EcdsaSha256),
        keep,
    );
    let err = chain_error(validate(&pki));
    assert!(
        matches!(err, ChainError::UnsupportedAlgorithm { index: 1, .. }),
        "{err:?}"
    );
}

#[test]
fn bad_signature_on_each_link() {
    let pki = pki_with(keep, keep, |d| d.corrupt_signature = true);
    let err = chain_error(validate(&pki));
    assert_eq!(err, ChainError::BadSignature { index: 0 });
    assert_eq!(err.code(), "chain.bad-signature");
    let pki = pki_with(keep, |i| i.corrupt_signature = true, keep);
    assert_eq!(
        chain_error(validate(&pki)),
        ChainError::BadSignature { index: 1 }
    );
    // An in-chain anchor is trusted as is, so this link is the intermediate's.
    let verifier = ChainVerifier::new(anchors(&[&pki.root.der]));
    let err = chain_error(verifier.validate_chain(&pki.chain_with_root(), now(), &RustCrypto));
    assert_eq!(err, ChainError::BadSignature { index: 1 });
}

#[test]
fn forged_intermediate_with_the_anchor_name_but_another_key() {
    // An attacker's "root" with the real root's name signs an intermediate.
    let forged_root = CertSpec {
        key: KeySpec::p384("attacker"),
        ..CertSpec::root()
    };
    let forged =
        TestPki::from_specs(forged_root, CertSpec::intermediate(), CertSpec::device()).unwrap();
    let real = TestPki::standard().unwrap();
    let verifier = ChainVerifier::new(anchors(&[&real.root.der]));
    // Key identifiers differ, so the real root is not even a candidate.
    let err = chain_error(verifier.validate_chain(&forged.chain(), now(), &RustCrypto));
    assert_eq!(err, ChainError::NoAnchor { index: 1 });
    // Without key identifiers the name matches and the signature decides.
    let no_ids = |c: &mut CertSpec| c.key_identifiers = false;
    let forged = TestPki::from_specs(
        CertSpec {
            key: KeySpec::p384("attacker"),
            key_identifiers: false,
            ..CertSpec::root()
        },
        CertSpec {
            key_identifiers: false,
            ..CertSpec::intermediate()
        },
        CertSpec::device(),
    )
    .unwrap();
    let real = pki_with(no_ids, keep, keep);
    let verifier = ChainVerifier::new(anchors(&[&real.root.der]));
    let err = chain_error(verifier.validate_chain(&forged.chain(), now(), &RustCrypto));
    assert_eq!(err, ChainError::BadSignature { index: 1 });
}

#[test]
fn expired_certificates_leaf_intermediate_anchor() {
    let pki = pki_with(keep, keep, |d| d.not_after = NOW - 1);
    let err = chain_error(validate(&pki));
    assert_eq!(
        err,
        ChainError::Expired {
            index: 0,
            not_after: NOW - 1,
            now: NOW
        }
    );
    assert_eq!(err.code(), "chain.expired");
    let pki = pki_with(keep, |i| i.not_after = NOW - 1, keep);
    assert!(matches!(
        chain_error(validate(&pki)),
        ChainError::Expired { index: 1, .. }
    ));
    // The anchor, omitted from the chain, is named by index 2 (= chain length).
    let pki = pki_with(|r| r.not_after = NOW - 1, keep, keep);
    assert!(matches!(
        chain_error(validate(&pki)),
        ChainError::Expired { index: 2, .. }
    ));
    // notAfter itself is still valid (RFC 5280: inclusive).
    let pki = pki_with(keep, keep, |d| d.not_after = NOW);
    assert!(validate(&pki).is_ok());
}

#[test]
fn not_yet_valid_certificates() {
    let pki = pki_with(keep, keep, |d| d.not_before = NOW + 1);
    let err = chain_error(validate(&pki));
    assert_eq!(
        err,
        ChainError::NotYetValid {
            index: 0,
            not_before: NOW + 1,
            now: NOW
        }
    );
    assert_eq!(err.code(), "chain.not-yet-valid");
    let pki = pki_with(keep, |i| i.not_before = NOW + 1, keep);
    assert!(matches!(
        chain_error(validate(&pki)),
        ChainError::NotYetValid { index: 1, .. }
    ));
}

#[test]
fn issuer_that_is_not_a_ca() {
    let pki = pki_with(keep, |i| i.basic_constraints = Some((false, None)), keep);
    let err = chain_error(validate(&pki));
    assert_eq!(err, ChainError::NotCa { index: 1 });
    assert_eq!(err.code(), "chain.not-ca");
    // basicConstraints absent from an intermediate: not a CA either.
    let pki = pki_with(keep, |i| i.basic_constraints = None, keep);
    assert_eq!(chain_error(validate(&pki)), ChainError::NotCa { index: 1 });
    // An anchor that says it is not a CA.
    let pki = pki_with(|r| r.basic_constraints = Some((false, None)), keep, keep);
    assert_eq!(chain_error(validate(&pki)), ChainError::NotCa { index: 2 });
    // An anchor without basicConstraints is no CA either (no exemption for
    // version 1 style roots).
    let pki = pki_with(|r| r.basic_constraints = None, keep, keep);
    assert_eq!(chain_error(validate(&pki)), ChainError::NotCa { index: 2 });
}

#[test]
fn path_length_constraint() {
    // The root allows no intermediate CA below it.
    let pki = pki_with(|r| r.basic_constraints = Some((true, Some(0))), keep, keep);
    let err = chain_error(validate(&pki));
    assert_eq!(
        err,
        ChainError::PathLength {
            index: 2,
            max: 0,
            found: 1
        }
    );
    assert_eq!(err.code(), "chain.path-length");
    // pathLen 0 on the intermediate is fine: only the leaf is below it.
    let pki = pki_with(|r| r.basic_constraints = Some((true, Some(1))), keep, keep);
    assert!(validate(&pki).is_ok());
}

#[test]
fn path_length_counts_every_intermediate() {
    // root (pathLen 1) -> A -> B -> device: two intermediates below the root.
    let root = CertSpec {
        basic_constraints: Some((true, Some(1))),
        ..CertSpec::root()
    };
    let a = CertSpec {
        basic_constraints: Some((true, None)),
        ..CertSpec::intermediate()
    };
    let b = CertSpec {
        subject: "CN=mtattest Test Sub CA,O=mtattest Test OEM".to_string(),
        key: KeySpec::p384("sub-ca"),
        serial: 0x2003,
        basic_constraints: Some((true, None)),
        ..CertSpec::intermediate()
    };
    let device = CertSpec::device();
    let chain = vec![
        issue(&device, Some(&b)).unwrap(),
        issue(&b, Some(&a)).unwrap(),
        issue(&a, Some(&root)).unwrap(),
    ];
    let verifier = ChainVerifier::new(anchors(&[&issue(&root, None).unwrap()]));
    let err = chain_error(verifier.validate_chain(&chain, now(), &RustCrypto));
    assert_eq!(
        err,
        ChainError::PathLength {
            index: 3,
            max: 1,
            found: 2
        }
    );
    // A with pathLen 0 and B below it.
    let a0 = CertSpec {
        basic_constraints: Some((true, Some(0))),
        ..a.clone()
    };
    let root2 = CertSpec {
        basic_constraints: Some((true, None)),
        ..root
    };
    let chain = vec![
        issue(&device, Some(&b)).unwrap(),
        issue(&b, Some(&a0)).unwrap(),
        issue(&a0, Some(&root2)).unwrap(),
    ];
    let verifier = ChainVerifier::new(anchors(&[&issue(&root2, None).unwrap()]));
    let err = chain_error(verifier.validate_chain(&chain, now(), &RustCrypto));
    assert_eq!(
        err,
        ChainError::PathLength {
            index: 2,
            max: 0,
            found: 1
        }
    );
}

#[test]
fn key_usage_of_issuer_and_leaf() {
    let sign_only = UsageSpec {
        digital_signature: true,
        ..UsageSpec::default()
    };
    let pki = pki_with(keep, |i| i.key_usage = Some(sign_only), keep);
    let err = chain_error(validate(&pki));
    assert_eq!(
        err,
        ChainError::KeyUsage {
            index: 1,
            required: "keyCertSign"
        }
    );
    assert_eq!(err.code(), "chain.key-usage");
    let crl_sign_only = UsageSpec {
        crl_sign: true,
        ..UsageSpec::default()
    };
    let pki = pki_with(keep, keep, |d| d.key_usage = Some(crl_sign_only));
    let err = chain_error(validate(&pki));
    assert_eq!(
        err,
        ChainError::KeyUsage {
            index: 0,
            required: "digitalSignature"
        }
    );
}

#[test]
fn unknown_critical_extension_anywhere() {
    let pki = pki_with(keep, keep, |d| d.unknown_critical_extension = true);
    let err = chain_error(validate(&pki));
    assert_eq!(
        err,
        ChainError::UnknownCriticalExtension {
            index: 0,
            oid: test_pki::UNKNOWN_EXTENSION_OID.to_string()
        }
    );
    assert_eq!(err.code(), "chain.unknown-critical-extension");
    let pki = pki_with(keep, |i| i.unknown_critical_extension = true, keep);
    assert!(matches!(
        chain_error(validate(&pki)),
        ChainError::UnknownCriticalExtension { index: 1, .. }
    ));
    let pki = pki_with(|r| r.unknown_critical_extension = true, keep, keep);
    assert!(matches!(
        chain_error(validate(&pki)),
        ChainError::UnknownCriticalExtension { index: 2, .. }
    ));
}

#[test]
fn issuer_name_and_key_identifier_mismatch() {
    let pki = pki_with(keep, keep, |d| {
        d.issuer_override = Some("CN=Someone Else".to_string())
    });
    let err = chain_error(validate(&pki));
    assert!(
        matches!(err, ChainError::NameMismatch { index: 0, .. }),
        "{err:?}"
    );
    assert_eq!(err.code(), "chain.name-mismatch");
    // Same issuer name, but the device was issued under another key: its
    // authority key identifier does not match the intermediate's.
    let pki = TestPki::standard().unwrap();
    let other_ca = CertSpec {
        key: KeySpec::p384("other-ca"),
        ..CertSpec::intermediate()
    };
    let device = issue(&CertSpec::device(), Some(&other_ca)).unwrap();
    let err = chain_error(verifier_for(&pki).validate_chain(
        &[device, pki.intermediate.der.clone()],
        now(),
        &RustCrypto,
    ));
    assert_eq!(
        err,
        ChainError::NameMismatch {
            index: 0,
            reason: "authority key identifier differs from the next certificate's subject key identifier"
        }
    );
}

#[test]
fn no_anchor() {
    let pki = TestPki::standard().unwrap();
    let stranger = issue(&rotated_root(), None).unwrap();
    let verifier = ChainVerifier::new(anchors(&[&stranger]));
    let err = chain_error(verifier.validate_chain(&pki.chain(), now(), &RustCrypto));
    assert_eq!(err, ChainError::NoAnchor { index: 1 });
    assert_eq!(err.code(), "chain.no-anchor");
    // No anchors at all.
    let err = chain_error(ChainVerifier::new(TrustAnchors::new()).validate_chain(
        &pki.chain(),
        now(),
        &RustCrypto,
    ));
    assert_eq!(err, ChainError::NoAnchor { index: 1 });
    // The leaf itself is never an anchor.
    let verifier = ChainVerifier::new(anchors(&[&pki.device.der]));
    let err = chain_error(verifier.validate_chain(
        std::slice::from_ref(&pki.device.der),
        now(),
        &RustCrypto,
    ));
    assert_eq!(err, ChainError::NoAnchor { index: 0 });
}

#[test]
fn bad_anchors_are_refused_when_added() {
    let pki = TestPki::standard().unwrap();
    let mut set = TrustAnchors::new();
    assert_eq!(set.add_der(b"junk").unwrap_err().code(), "chain.bad-anchor");
    set.add_der(&pki.root.der).unwrap();
    // The same certificate again is trusted once (spec §10.3;
    // core/tests/anchor_set.rs has the rest of that rule).
    set.add_der(&pki.root.der).unwrap();
    assert_eq!(set.len(), 1);
    let pem = pki.root.pem() + &pki.intermediate.pem();
    let mut set = TrustAnchors::new();
    assert_eq!(set.add_pem(pem.as_bytes()).unwrap(), 2);
    assert_eq!(set.len(), 2);
}

// ----------------------------------------------------------------- revocation

fn status_list(entries: &[(&str, Status, &str)]) -> StatusList {
    let mut list = StatusList::new();
    for (serial, status, reason) in entries {
        list.insert(serial, *status, reason).unwrap();
    }
    list
}

fn with_revocation(pki: &TestPki, revocation: Revocation) -> ChainVerifier {
    verifier_for(pki).with_revocation(revocation)
}

#[test]
fn status_list_revokes_and_suspends_anywhere_in_the_chain() {
    let pki = TestPki::standard().unwrap();
    let json = br#"{"entries": {"3003": {"status": "REVOKED", "reason": "KEY_COMPROMISE"}}}"#;
    let mut revocation = Revocation::new();
    revocation.set_status_list(StatusList::from_json(json).unwrap());
    let err = chain_error(with_revocation(&pki, revocation).validate_chain(
        &pki.chain(),
        now(),
        &RustCrypto,
    ));
    assert_eq!(
        err,
        ChainError::Revoked {
            index: 0,
            serial: "3003".into(),
            reason: "KEY_COMPROMISE".into()
        }
    );
    assert_eq!(err.code(), "chain.revoked");

    let mut revocation = Revocation::new();
    revocation.set_status_list(status_list(&[(
        "002002",
        Status::Suspended,
        "SOFTWARE_FLAW",
    )]));
    let err = chain_error(with_revocation(&pki, revocation).validate_chain(
        &pki.chain(),
        now(),
        &RustCrypto,
    ));
    assert_eq!(
        err,
        ChainError::Suspended {
            index: 1,
            serial: "2002".into(),
            reason: "SOFTWARE_FLAW".into()
        }
    );
    assert_eq!(err.code(), "chain.suspended");

    // The anchor too.
    let mut revocation = Revocation::new();
    revocation.set_status_list(status_list(&[("1001", Status::Revoked, "CA_COMPROMISE")]));
    let err = chain_error(with_revocation(&pki, revocation).validate_chain(
        &pki.chain(),
        now(),
        &RustCrypto,
    ));
    assert!(
        matches!(err, ChainError::Revoked { index: 2, .. }),
        "{err:?}"
    );

    // Unrelated serials do not matter.
    let mut revocation = Revocation::new();
    revocation.set_status_list(status_list(&[("abcdef", Status::Revoked, "SUPERSEDED")]));
    assert!(with_revocation(&pki, revocation)
        .validate_chain(&pki.chain(), now(), &RustCrypto)
        .is_ok());
}

#[test]
fn status_list_json_is_strict() {
    for bad in [
        &br#"{"entries": {"xyz": {"status": "REVOKED"}}}"#[..],
        br#"{"entries": {"01": {"status": "REVOKED"}, "1": {"status": "SUSPENDED"}}}"#,
        br#"{"entries": {"1": {"status": "REVOKED"}, "1": {"status": "REVOKED"}}}"#,
        br#"{"entries": {"1": {"status": "revoked"}}}"#,
        br#"{"entries": {"1": {}}}"#,
        br#"{"entries": []}"#,
        br#"{}"#,
        b"not json",
    ] {
        let err = StatusList::from_json(bad).unwrap_err();
        assert_eq!(
            err.code(),
            "chain.bad-revocation-data",
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
    let ok = StatusList::from_json(br#"{"entries": {}}"#).unwrap();
    assert!(ok.is_empty());
}

fn crl(revoked: Vec<(u64, CrlEntryReason)>) -> CrlSpec {
    CrlSpec {
        this_update: NOW - 86_400,
        next_update: Some(NOW + 86_400),
        revoked,
        unknown_critical_extension: false,
        corrupt_signature: false,
    }
}

fn verifier_with_crl(pki: &TestPki, issuer: &CertSpec, spec: &CrlSpec) -> ChainVerifier {
    let mut revocation = Revocation::new();
    revocation
        .add_crl_der(&issue_crl(issuer, spec).unwrap())
        .unwrap();
    with_revocation(pki, revocation)
}

#[test]
fn crl_revokes_and_suspends() {
    let pki = TestPki::standard().unwrap();
    let i = &pki.intermediate.spec;
    let spec = crl(vec![(0x3003, CrlEntryReason::KeyCompromise)]);
    let err = chain_error(verifier_with_crl(&pki, i, &spec).validate_chain(
        &pki.chain(),
        now(),
        &RustCrypto,
    ));
    assert_eq!(
        err,
        ChainError::Revoked {
            index: 0,
            serial: "3003".into(),
            reason: "keyCompromise".into()
        }
    );

    let spec = crl(vec![(0x3003, CrlEntryReason::CertificateHold)]);
    let err = chain_error(verifier_with_crl(&pki, i, &spec).validate_chain(
        &pki.chain(),
        now(),
        &RustCrypto,
    ));
    assert_eq!(
        err,
        ChainError::Suspended {
            index: 0,
            serial: "3003".into(),
            reason: "certificateHold".into()
        }
    );

    let spec = crl(vec![(0x3003, CrlEntryReason::Unspecified)]);
    let err = chain_error(verifier_with_crl(&pki, i, &spec).validate_chain(
        &pki.chain(),
        now(),
        &RustCrypto,
    ));
    assert_eq!(
        err,
        ChainError::Revoked {
            index: 0,
            serial: "3003".into(),
            reason: "unspecified".into()
        }
    );

    // The root's CRL revokes the intermediate.
    let r = &pki.root.spec;
    let spec = crl(vec![(0x2002, CrlEntryReason::KeyCompromise)]);
    let err = chain_error(verifier_with_crl(&pki, r, &spec).validate_chain(
        &pki.chain(),
        now(),
        &RustCrypto,
    ));
    assert!(
        matches!(err, ChainError::Revoked { index: 1, .. }),
        "{err:?}"
    );
}

#[test]
fn clean_crl_passes_and_bounds_the_result_window() {
    let pki = TestPki::standard().unwrap();
    let i = &pki.intermediate.spec;
    let spec = crl(vec![(0x9999, CrlEntryReason::KeyCompromise)]);
    let chain = verifier_with_crl(&pki, i, &spec)
        .validate_chain(&pki.chain(), now(), &RustCrypto)
        .unwrap();
    assert_eq!(chain.valid_from().secs(), NOW - 86_400);
    assert_eq!(chain.valid_until().secs(), NOW + 86_400);
}

#[test]
fn crl_with_bad_signature() {
    let pki = TestPki::standard().unwrap();
    let i = &pki.intermediate.spec;
    let spec = CrlSpec {
        corrupt_signature: true,
        ..crl(vec![])
    };
    let err = chain_error(verifier_with_crl(&pki, i, &spec).validate_chain(
        &pki.chain(),
        now(),
        &RustCrypto,
    ));
    assert_eq!(err, ChainError::CrlBadSignature { index: 1 });
    assert_eq!(err.code(), "chain.crl-bad-signature");
    // Signed by another key that claims the intermediate's name (no key ids).
    let impostor = CertSpec {
        key: KeySpec::p384("impostor"),
        key_identifiers: false,
        ..CertSpec::intermediate()
    };
    // The impostor's CRL carries no authorityKeyIdentifier, so it matches
    // the intermediate by name alone and the signature decides.
    let pki = TestPki::standard().unwrap();
    let err = chain_error(
        verifier_with_crl(&pki, &impostor, &crl(vec![])).validate_chain(
            &pki.chain(),
            now(),
            &RustCrypto,
        ),
    );
    assert_eq!(err, ChainError::CrlBadSignature { index: 1 });
}

#[test]
fn crl_for_a_same_named_ca_with_another_key_identifier_does_not_apply() {
    let pki = TestPki::standard().unwrap();
    let other = CertSpec {
        key: KeySpec::p384("other-ca"),
        ..CertSpec::intermediate()
    };
    let spec = crl(vec![(0x3003, CrlEntryReason::KeyCompromise)]);
    assert!(verifier_with_crl(&pki, &other, &spec)
        .validate_chain(&pki.chain(), now(), &RustCrypto)
        .is_ok());
}

#[test]
fn stale_crl_is_refused_unless_within_grace() {
    let pki = TestPki::standard().unwrap();
    let i = &pki.intermediate.spec;
    let spec = CrlSpec {
        this_update: NOW - 10 * 86_400,
        next_update: Some(NOW - 60),
        ..crl(vec![])
    };
    let verifier = verifier_with_crl(&pki, i, &spec);
    let err = chain_error(verifier.validate_chain(&pki.chain(), now(), &RustCrypto));
    assert_eq!(
        err,
        ChainError::CrlStale {
            index: 1,
            next_update: NOW - 60,
            now: NOW
        }
    );
    assert_eq!(err.code(), "chain.crl-stale");
    let lenient = verifier.with_options(ChainOptions {
        crl_grace_secs: 3600,
        ..ChainOptions::DEFAULT
    });
    let chain = lenient
        .validate_chain(&pki.chain(), now(), &RustCrypto)
        .unwrap();
    assert_eq!(chain.valid_until().secs(), NOW - 60 + 3600);
}

#[test]
fn crl_not_yet_valid() {
    let pki = TestPki::standard().unwrap();
    let i = &pki.intermediate.spec;
    let spec = CrlSpec {
        this_update: NOW + 60,
        next_update: Some(NOW + 86_400),
        ..crl(vec![])
    };
    let err = chain_error(verifier_with_crl(&pki, i, &spec).validate_chain(
        &pki.chain(),
        now(),
        &RustCrypto,
    ));
    assert_eq!(
        err,
        ChainError::CrlNotYetValid {
            index: 1,
            this_update: NOW + 60,
            now: NOW
        }
    );
    assert_eq!(err.code(), "chain.crl-not-yet-valid");
}

#[test]
fn unusable_crls_are_refused_when_added() {
    let pki = TestPki::standard().unwrap();
    let i = &pki.intermediate.spec;
    for spec in [
        CrlSpec {
            next_update: None,
            ..crl(vec![])
        },
        CrlSpec {
            unknown_critical_extension: true,
            ..crl(vec![])
        },
    ] {
        let der = issue_crl(i, &spec).unwrap();
        let err = Revocation::new().add_crl_der(&der).unwrap_err();
        assert_eq!(err.code(), "chain.bad-revocation-data", "{spec:?}");
    }
    assert_eq!(
        Revocation::new()
            .add_crl_der(&pki.device.der)
            .unwrap_err()
            .code(),
        "chain.bad-revocation-data"
    );
}

// --------------------------------------------------------------------- tokens

fn decode(bytes: &[u8]) -> Token {
    Token::decode(bytes, &DecodeOptions::default()).expect("token decodes")
}

#[test]
fn token_verifies_against_the_root_only_in_either_header() {
    let pki = TestPki::standard().unwrap();
    let claims = example_phone(NOW, b"challenge".to_vec());
    for placement in [HeaderPlacement::Protected, HeaderPlacement::Unprotected] {
        let token = decode(&pki.token(&claims, placement).unwrap());
        let (chain, verified) = verifier_for(&pki)
            .verify_chain_and_signature(&token, now(), &RustCrypto)
            .unwrap();
        assert_eq!(verified, claims);
        assert_eq!(chain.leaf_key(), &pki.device.public_key().unwrap());
    }
}

#[test]
fn token_without_x5chain() {
    let pki = TestPki::standard().unwrap();
    let claims = example_phone(NOW, b"challenge".to_vec());
    let bytes = TokenBuilder::new()
        .sign(&claims, &pki.device.signer().unwrap())
        .unwrap();
    let err = verifier_for(&pki)
        .verify_chain_and_signature(&decode(&bytes), now(), &RustCrypto)
        .unwrap_err();
    assert_eq!(err, Error::Chain(ChainError::Missing));
    assert_eq!(err.code(), "chain.missing");
}

#[test]
fn unprotected_x5chain_refused_when_the_profile_requires_protected() {
    let pki = TestPki::standard().unwrap();
    let claims = example_phone(NOW, b"challenge".to_vec());
    let strict = verifier_for(&pki).with_options(ChainOptions {
        require_protected_x5chain: true,
        ..ChainOptions::DEFAULT
    });
    let unprotected = decode(&pki.token(&claims, HeaderPlacement::Unprotected).unwrap());
    let err = strict
        .verify_chain_and_signature(&unprotected, now(), &RustCrypto)
        .unwrap_err();
    assert_eq!(err.code(), "chain.unprotected");
    let protected = decode(&pki.token(&claims, HeaderPlacement::Protected).unwrap());
    assert!(strict
        .verify_chain_and_signature(&protected, now(), &RustCrypto)
        .is_ok());
}

#[test]
fn token_signed_by_another_key_than_the_leaf() {
    let pki = TestPki::standard().unwrap();
    let claims = example_phone(NOW, b"challenge".to_vec());
    let bytes = TokenBuilder::new()
        .x5chain(pki.chain(), HeaderPlacement::Protected)
        .sign(&claims, &pki.intermediate.signer().unwrap())
        .unwrap();
    let verifier = verifier_for(&pki).with_cache(8);
    for _ in 0..2 {
        // Both uncached and cached: the token signature is always checked.
        let err = verifier
            .verify_chain_and_signature(&decode(&bytes), now(), &RustCrypto)
            .unwrap_err();
        assert_eq!(err.code(), "token.bad-signature");
    }
    assert_eq!(verifier.cache_stats().unwrap().hits, 1);
}

#[test]
fn es256_token_from_a_p256_leaf() {
    let pki = pki_with(keep, keep, |d| d.key = KeySpec::p256("device-p256"));
    let claims = example_phone(NOW, b"challenge".to_vec());
    let token = decode(&pki.token(&claims, HeaderPlacement::Protected).unwrap());
    assert_eq!(token.algorithm(), Algorithm::Es256);
    assert!(verifier_for(&pki)
        .verify_chain_and_signature(&token, now(), &RustCrypto)
        .is_ok());
}

// ---------------------------------------------------------------------- cache

#[test]
fn cache_hit_costs_one_signature_verify() {
    let pki = TestPki::standard().unwrap();
    let claims = example_phone(NOW, b"challenge".to_vec());
    let token = decode(&pki.token(&claims, HeaderPlacement::Protected).unwrap());
    let verifier = verifier_for(&pki).with_cache(16);
    let crypto = CountingProvider::default();
    let (first, _) = verifier
        .verify_chain_and_signature(&token, now(), &crypto)
        .unwrap();
    assert_eq!(crypto.take(), 3, "two links and the token");
    let (second, verified) = verifier
        .verify_chain_and_signature(&token, now(), &crypto)
        .unwrap();
    assert_eq!(crypto.count(), 1, "the token only");
    assert_eq!(first, second);
    assert_eq!(verified, claims);
    let stats = verifier.cache_stats().unwrap();
    assert_eq!((stats.hits, stats.misses, stats.len), (1, 1, 1));
}

#[test]
fn cache_entry_outside_its_window_is_revalidated() {
    let pki = TestPki::standard().unwrap();
    let verifier = verifier_for(&pki).with_cache(16);
    verifier
        .validate_chain(&pki.chain(), now(), &RustCrypto)
        .unwrap();
    let after_expiry = UnixTime::from_secs(test_pki::DEVICE_NOT_AFTER + 1);
    let err = chain_error(verifier.validate_chain(&pki.chain(), after_expiry, &RustCrypto));
    assert!(matches!(err, ChainError::Expired { index: 0, .. }));
    let before = UnixTime::from_secs(test_pki::DEVICE_NOT_BEFORE - 1);
    verifier
        .validate_chain(&pki.chain(), now(), &RustCrypto)
        .unwrap();
    let err = chain_error(verifier.validate_chain(&pki.chain(), before, &RustCrypto));
    assert!(matches!(err, ChainError::NotYetValid { index: 0, .. }));
    let stats = verifier.cache_stats().unwrap();
    assert_eq!((stats.hits, stats.expired), (0, 2));
    // A stale CRL ends the cached window too.
    let i = &pki.intermediate.spec;
    let spec = crl(vec![]);
    let verifier = verifier_with_crl(&pki, i, &spec).with_cache(16);
    verifier
        .validate_chain(&pki.chain(), now(), &RustCrypto)
        .unwrap();
    let later = UnixTime::from_secs(NOW + 86_400 + 1);
    let err = chain_error(verifier.validate_chain(&pki.chain(), later, &RustCrypto));
    assert!(matches!(err, ChainError::CrlStale { index: 1, .. }));
}

#[test]
fn failures_are_not_cached() {
    let pki = pki_with(keep, keep, |d| d.corrupt_signature = true);
    let verifier = verifier_for(&pki).with_cache(16);
    for _ in 0..2 {
        assert!(verifier
            .validate_chain(&pki.chain(), now(), &RustCrypto)
            .is_err());
    }
    let stats = verifier.cache_stats().unwrap();
    assert_eq!((stats.hits, stats.misses, stats.len), (0, 2, 0));
}

#[test]
fn cache_is_bounded_and_evicts_the_least_recently_used() {
    let pkis: Vec<TestPki> = (0..3)
        .map(|n| pki_with(keep, keep, |d| d.serial = 0x4000 + n))
        .collect();
    let verifier = verifier_for(&pkis[0]).with_cache(2);
    let check = |n: usize| {
        verifier
            .validate_chain(&pkis[n].chain(), now(), &RustCrypto)
            .unwrap()
    };
    check(0);
    check(1);
    check(0); // hit; 1 is now the least recently used
    check(2); // evicts 1
    let stats = verifier.cache_stats().unwrap();
    assert_eq!(
        (stats.len, stats.capacity, stats.evictions, stats.hits),
        (2, 2, 1, 1)
    );
    check(0);
    check(2);
    assert_eq!(verifier.cache_stats().unwrap().hits, 3);
    check(1);
    assert_eq!(verifier.cache_stats().unwrap().misses, 4);
}

#[test]
fn full_cache_drops_ended_entries_first() {
    let short = pki_with(keep, keep, |d| d.not_after = NOW + 10);
    let long = TestPki::standard().unwrap();
    let other = pki_with(keep, keep, |d| d.serial = 0x5000);
    let verifier = verifier_for(&long).with_cache(2);
    verifier
        .validate_chain(&short.chain(), now(), &RustCrypto)
        .unwrap();
    verifier
        .validate_chain(&long.chain(), now(), &RustCrypto)
        .unwrap();
    // Later, the short entry has ended: it goes, not the least recently used.
    let later = UnixTime::from_secs(NOW + 20);
    verifier
        .validate_chain(&long.chain(), later, &RustCrypto)
        .unwrap();
    verifier
        .validate_chain(&other.chain(), later, &RustCrypto)
        .unwrap();
    verifier
        .validate_chain(&long.chain(), later, &RustCrypto)
        .unwrap();
    let stats = verifier.cache_stats().unwrap();
    assert_eq!((stats.hits, stats.evictions), (2, 1));
}

#[test]
fn configuration_fingerprint_changes_with_anchors_revocation_and_options() {
    let pki = TestPki::standard().unwrap();
    let base = verifier_for(&pki);
    let mut revocation = Revocation::new();
    revocation.set_status_list(status_list(&[("1", Status::Revoked, "X")]));
    let prints = [
        base.fingerprint(&RustCrypto),
        verifier_for(&pki)
            .with_revocation(revocation)
            .fingerprint(&RustCrypto),
        verifier_for(&pki)
            .with_options(ChainOptions {
                max_chain_len: 3,
                ..ChainOptions::DEFAULT
            })
            .fingerprint(&RustCrypto),
        ChainVerifier::new(anchors(&[&pki.root.der, &pki.intermediate.der]))
            .fingerprint(&RustCrypto),
    ];
    for (a, pa) in prints.iter().enumerate() {
        for pb in prints.iter().skip(a + 1) {
            assert_ne!(pa, pb);
        }
    }
    assert_eq!(
        base.fingerprint(&RustCrypto),
        verifier_for(&pki).fingerprint(&RustCrypto)
    );
}

// ----------------------------------------------------------------- test PKI

#[test]
fn test_pki_is_deterministic_and_writes_files() {
    let a = TestPki::standard().unwrap();
    let b = TestPki::standard().unwrap();
    assert_eq!(a, b);
    let dir = std::env::temp_dir().join(format!("mtattest-pki-test-{}", std::process::id()));
    let files = a.write_to_dir(&dir).unwrap();
    assert_eq!(files.len(), 10);
    assert_eq!(std::fs::read(dir.join("device.der")).unwrap(), a.device.der);
    let mut set = TrustAnchors::new();
    set.add_pem(&std::fs::read(dir.join("root.pem")).unwrap())
        .unwrap();
    let chain_pem = std::fs::read(dir.join("chain.pem")).unwrap();
    let chain: Vec<Vec<u8>> = x509_chain_from_pem(&chain_pem);
    assert_eq!(chain, a.chain());
    assert!(ChainVerifier::new(set)
        .validate_chain(&chain, now(), &RustCrypto)
        .is_ok());
    let key = std::fs::read_to_string(dir.join("device.key.pem")).unwrap();
    assert!(key.starts_with("-----BEGIN PRIVATE KEY-----"));
    std::fs::remove_dir_all(&dir).unwrap();
}

fn x509_chain_from_pem(pem: &[u8]) -> Vec<Vec<u8>> {
    let text = String::from_utf8(pem.to_vec()).unwrap();
    text.split("-----END CERTIFICATE-----")
        .filter(|block| block.contains("BEGIN"))
        .map(|block| {
            let body: String = block
                .lines()
                .filter(|l| !l.starts_with("-----") && !l.is_empty())
                .collect();
            base64::Engine::decode(&base64::engine::general_purpose::STANDARD, body).unwrap()
        })
        .collect()
}
