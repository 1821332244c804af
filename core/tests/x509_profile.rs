//! The certificate profile of spec §10.4.1–§10.4.3, one test per rule: each
//! chain comes from the test PKI with exactly one departure
//! ([`Deviation`], an extra extension or a bent field), is refused with the
//! rule's own code at the right certificate, and is accepted again when the
//! rule (and only it) is relaxed at that position — so each test fails if
//! its check is removed, and shows the check is the one refusing.

use der::asn1::{BitString, Ia5String, ObjectIdentifier};
use der::oid::db::rfc5912;
use mtattest::crypto::RustCrypto;
use mtattest::trust::{
    ChainError, ChainVerifier, Check, Position, Profile, Revocation, TrustAnchors, ValidatedChain,
};
use mtattest::{Error, UnixTime};
use mtattest_testkit::pki::{
    issue, issue_crl, issue_crl_deviating, CertSpec, CrlSpec, Deviation, ExtensionSpec, KeySpec,
    TestPki, UsageSpec,
};
use x509_cert::ext::pkix::constraints::name::{GeneralSubtree, NameConstraints};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    BasicConstraints, CertificatePolicies, ExtendedKeyUsage, KeyUsage, PolicyConstraints,
    SubjectAltName,
};

/// 2026-09-21, inside every default validity period.
const NOW: i64 = 1_790_000_000;

fn keep(_: &mut CertSpec) {}

fn with(deviation: Deviation) -> impl FnOnce(&mut CertSpec) {
    move |c| c.deviations.push(deviation)
}

fn with_extension(extension: ExtensionSpec) -> impl FnOnce(&mut CertSpec) {
    move |c| c.extra_extensions.push(extension)
}

/// The standard PKI with the root, intermediate and device specs bent.
fn pki(
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

fn verifier(pki: &TestPki, profile: Profile) -> ChainVerifier {
    let mut anchors = TrustAnchors::new();
    anchors
        .add_der_with_profile(&pki.root.der, profile)
        .expect("the root parses");
    ChainVerifier::new(anchors)
}

fn validate(pki: &TestPki, profile: Profile) -> Result<ValidatedChain, Error> {
    verifier(pki, profile).validate_chain(&pki.chain(), UnixTime::from_secs(NOW), &RustCrypto)
}

fn refused(pki: &TestPki) -> ChainError {
    match validate(pki, Profile::STRICT) {
        Err(Error::Chain(e)) => e,
        other => panic!("expected a chain error, got {other:?}"),
    }
}

/// Refused under the strict profile with `expected`, accepted with `check`
/// relaxed at `position` (the chain's other certificates being sound).
fn only(pki: &TestPki, expected: ChainError, check: Check, position: Position) {
    let err = refused(pki);
    assert_eq!(err, expected);
    assert!(
        check.codes().contains(&err.code()),
        "{check:?} reports {:?}, not {}",
        check.codes(),
        err.code()
    );
    let relaxed = Profile::STRICT.relax(check, position);
    if let Err(e) = validate(pki, relaxed) {
        panic!("with {check:?} relaxed at {position:?}: {e:?}");
    }
}

fn malformed(pki: &TestPki, index: usize, needle: &str) {
    match refused(pki) {
        ChainError::Malformed { index: i, reason } if i == index && reason.contains(needle) => {}
        other => panic!("expected chain.malformed at {index} mentioning {needle:?}, got {other:?}"),
    }
}

fn ext(oid: ObjectIdentifier, critical: bool, value: &impl der::Encode) -> ExtensionSpec {
    ExtensionSpec::new(&oid.to_string(), critical, value).expect("extension encodes")
}

// ------------------------------------------------------------ the baseline

#[test]
fn the_test_pki_issues_the_strict_profile() {
    let standard = TestPki::standard().unwrap();
    assert!(validate(&standard, Profile::STRICT).is_ok());
    // The root in the chain is the anchor: self-signed, it may omit the
    // authorityKeyIdentifier.
    let with_root = verifier(&standard, Profile::STRICT).validate_chain(
        &standard.chain_with_root(),
        UnixTime::from_secs(NOW),
        &RustCrypto,
    );
    assert!(with_root.is_ok());
}

// --------------------------------------------------------- strict DER (§10.4)

#[test]
fn version_1_and_2_certificates() {
    let v1_leaf = pki(keep, keep, |d| {
        d.deviations = vec![Deviation::Version(1), Deviation::NoExtensions]
    });
    assert_eq!(
        refused(&v1_leaf),
        ChainError::Version {
            index: 0,
            version: 1,
        }
    );
    // A v1 certificate has no authorityKeyIdentifier either: accepted only
    // with both relaxed.
    let relaxed = Profile::STRICT
        .relax(Check::Version, Position::Leaf)
        .relax(Check::AuthorityKeyIdentifier, Position::Leaf);
    assert!(validate(&v1_leaf, relaxed).is_ok());
    assert!(validate(
        &v1_leaf,
        Profile::STRICT.relax(Check::AuthorityKeyIdentifier, Position::Leaf)
    )
    .is_err());
    let v2_leaf = pki(keep, keep, |d| {
        d.deviations = vec![Deviation::Version(2), Deviation::NoExtensions]
    });
    assert_eq!(
        refused(&v2_leaf),
        ChainError::Version {
            index: 0,
            version: 2
        }
    );
    // Extensions in v1 or v2, unique identifiers in v1: not a well-formed
    // certificate, whatever the profile.
    malformed(
        &pki(keep, with(Deviation::Version(1)), keep),
        1,
        "extensions in a version 1",
    );
    malformed(
        &pki(keep, keep, with(Deviation::Version(2))),
        0,
        "extensions in a version 2",
    );
    let v1_unique = pki(keep, keep, |d| {
        d.deviations = vec![
            Deviation::Version(1),
            Deviation::NoExtensions,
            Deviation::UniqueIdentifiers,
        ]
    });
    malformed(&v1_unique, 0, "unique identifier in a version 1");
}

#[test]
fn a_version_1_root_is_no_anchor() {
    // A v1 root cannot say it is a CA; as anchor its issuer role is checked
    // first (§10.3).
    let v1_root = pki(
        |r| r.deviations = vec![Deviation::Version(1), Deviation::NoExtensions],
        keep,
        keep,
    );
    assert_eq!(refused(&v1_root), ChainError::NotCa { index: 2 });
    // In the chain (not the anchor), a v1 CA is refused for its version
    // after its issuer role: the intermediate issues the device.
    let v1_intermediate = pki(
        keep,
        |i| i.deviations = vec![Deviation::Version(1), Deviation::NoExtensions],
        keep,
    );
    assert_eq!(refused(&v1_intermediate), ChainError::NotCa { index: 1 });
}

#[test]
fn explicitly_encoded_defaults_are_not_der() {
    let explicit_v1 = pki(keep, keep, |d| {
        d.deviations = vec![
            Deviation::Version(1),
            Deviation::NoExtensions,
            Deviation::ExplicitDefaultVersion,
        ]
    });
    malformed(&explicit_v1, 0, "distinguished encoding");
    malformed(
        &pki(keep, keep, with(Deviation::ExplicitCriticalFalse)),
        0,
        "distinguished encoding",
    );
    // Not relaxable: under a profile relaxing everything it is still refused.
    let everything = Check::ALL.iter().fold(Profile::STRICT, |p, c| {
        p.relax(*c, Position::Leaf)
            .relax(*c, Position::Intermediate)
            .relax(*c, Position::Anchor)
    });
    assert_eq!(
        validate(&explicit_v1, everything).unwrap_err().code(),
        "chain.malformed"
    );
}

#[test]
fn empty_extensions_and_empty_rdns_are_malformed() {
    malformed(
        &pki(keep, keep, with(Deviation::EmptyExtensions)),
        0,
        "empty extensions",
    );
    malformed(
        &pki(keep, keep, with(Deviation::EmptyRdnInSubject)),
        0,
        "empty RDN",
    );
}

#[test]
fn extension_values_must_decode_as_their_type() {
    // subjectAltName holding the text "example.com" instead of GeneralNames.
    let raw_san = ExtensionSpec {
        oid: rfc5912::ID_CE_SUBJECT_ALT_NAME.to_string(),
        critical: false,
        value: b"example.com".to_vec(),
    };
    malformed(&pki(keep, keep, with_extension(raw_san)), 0, "2.5.29.17");
    // An empty extKeyUsage (SIZE (1..MAX)).
    let empty_eku = ext(
        rfc5912::ID_CE_EXT_KEY_USAGE,
        false,
        &ExtendedKeyUsage(Vec::new()),
    );
    malformed(&pki(keep, keep, with_extension(empty_eku)), 0, "empty");
    // keyUsage with no bit set.
    let no_usage = pki(keep, keep, |d| d.key_usage = Some(UsageSpec::default()));
    malformed(&no_usage, 0, "no usage");
}

#[test]
fn extension_values_must_be_der() {
    // basicConstraints with its DEFAULT cA FALSE written out.
    let explicit_false = pki(keep, keep, with(Deviation::ExplicitCaFalse));
    malformed(&explicit_false, 0, "2.5.29.19");
    assert!(validate(
        &explicit_false,
        Profile::STRICT.relax(Check::ExtensionEncoding, Position::Leaf)
    )
    .is_ok());
    // keyUsage digitalSignature written with seven trailing zero bits
    // (`03 02 00 80`; DER is `03 02 07 80`), as GnuTLS writes it.
    let padded = BitString::new(0, vec![0x80]).unwrap();
    let trailing_zeros = pki(keep, keep, |d| {
        d.key_usage = None;
        d.extra_extensions
            .push(ext(rfc5912::ID_CE_KEY_USAGE, true, &padded));
    });
    malformed(&trailing_zeros, 0, "2.5.29.15");
    assert!(validate(
        &trailing_zeros,
        Profile::STRICT.relax(Check::ExtensionEncoding, Position::Leaf)
    )
    .is_ok());
}

// ------------------------------------------------ the profile table (§10.4.1)

#[test]
fn unique_identifiers() {
    only(
        &pki(keep, keep, with(Deviation::UniqueIdentifiers)),
        ChainError::UniqueIdentifier { index: 0 },
        Check::UniqueIdentifiers,
        Position::Leaf,
    );
}

#[test]
fn serial_numbers_positive_and_at_most_20_octets() {
    for (octets, reason) in [
        (vec![0x00], "zero"),
        (vec![0xff], "negative"),
        (vec![0x80, 0x01], "negative"),
        (vec![0x01; 21], "longer than 20 octets"),
    ] {
        only(
            &pki(keep, keep, with(Deviation::SerialOctets(octets))),
            ChainError::SerialNumber { index: 0, reason },
            Check::SerialNumber,
            Position::Leaf,
        );
    }
    // 20 octets with the top bit set take a zero sign octet: allowed.
    let mut twenty = vec![0x00];
    twenty.extend([0xab; 20]);
    let pki20 = pki(keep, keep, with(Deviation::SerialOctets(twenty)));
    let chain = validate(&pki20, Profile::STRICT).expect("a 20-octet serial");
    assert_eq!(chain.leaf_serial(), "ab".repeat(20));
    // An intermediate's serial too.
    only(
        &pki(keep, with(Deviation::SerialOctets(vec![0x00])), keep),
        ChainError::SerialNumber {
            index: 1,
            reason: "zero",
        },
        Check::SerialNumber,
        Position::Intermediate,
    );
}

#[test]
fn names_must_not_be_empty() {
    only(
        &pki(keep, keep, with(Deviation::EmptySubject)),
        ChainError::EmptyName {
            index: 0,
            field: "subject",
        },
        Check::NonEmptyNames,
        Position::Leaf,
    );
    // A CA with an empty subject, and so its child with an empty issuer:
    // the CA, nearer the anchor, is reported; relaxed there, the child is.
    let empty_ca = pki(
        keep,
        with(Deviation::EmptySubject),
        with(Deviation::EmptyIssuer),
    );
    assert_eq!(
        refused(&empty_ca),
        ChainError::EmptyName {
            index: 1,
            field: "subject"
        }
    );
    let relaxed = Profile::STRICT.relax(Check::NonEmptyNames, Position::Intermediate);
    assert_eq!(
        validate(&empty_ca, relaxed).unwrap_err(),
        Error::Chain(ChainError::EmptyName {
            index: 0,
            field: "issuer"
        })
    );
    // An anchor whose names are empty.
    let empty_root = pki(
        |r| {
            r.deviations = vec![Deviation::EmptySubject, Deviation::EmptyIssuer];
        },
        with(Deviation::EmptyIssuer),
        keep,
    );
    assert_eq!(
        refused(&empty_root),
        ChainError::EmptyName {
            index: 2,
            field: "issuer"
        }
    );
}

#[test]
fn dates_before_2050_are_utc_time() {
    only(
        &pki(keep, keep, with(Deviation::GeneralizedNotBefore)),
        ChainError::TimeEncoding {
            index: 0,
            field: "notBefore",
        },
        Check::TimeEncoding,
        Position::Leaf,
    );
    // From 2050 on GeneralizedTime is right (the root's notAfter is 2060),
    // and at exactly 2050-01-01 too.
    let from_2050 = pki(keep, keep, |d| d.not_after = 2_524_608_000);
    assert!(validate(&from_2050, Profile::STRICT).is_ok());
}

#[test]
fn authority_key_identifier() {
    only(
        &pki(keep, keep, with(Deviation::NoAuthorityKeyId)),
        ChainError::AuthorityKeyId {
            index: 0,
            reason: "is missing",
        },
        Check::AuthorityKeyIdentifier,
        Position::Leaf,
    );
    only(
        &pki(keep, with(Deviation::NoAuthorityKeyId), keep),
        ChainError::AuthorityKeyId {
            index: 1,
            reason: "is missing",
        },
        Check::AuthorityKeyIdentifier,
        Position::Intermediate,
    );
    only(
        &pki(keep, keep, with(Deviation::CriticalAuthorityKeyId)),
        ChainError::AuthorityKeyId {
            index: 0,
            reason: "is marked critical",
        },
        Check::AuthorityKeyIdentifier,
        Position::Leaf,
    );
    only(
        &pki(keep, keep, with(Deviation::AuthorityKeyIdWithoutKeyId)),
        ChainError::AuthorityKeyId {
            index: 0,
            reason: "has no keyIdentifier",
        },
        Check::AuthorityKeyIdentifier,
        Position::Leaf,
    );
}

#[test]
fn only_a_self_issued_anchor_may_omit_the_authority_key_identifier() {
    let standard = TestPki::standard().unwrap();
    // The intermediate as anchor: not self-issued, so it needs its AKI.
    let no_aki = pki(keep, with(Deviation::NoAuthorityKeyId), keep);
    let mut anchors = TrustAnchors::new();
    anchors.add_der(&no_aki.intermediate.der).unwrap();
    let err = ChainVerifier::new(anchors)
        .validate_chain(
            std::slice::from_ref(&no_aki.device.der),
            UnixTime::from_secs(NOW),
            &RustCrypto,
        )
        .unwrap_err();
    assert_eq!(
        err,
        Error::Chain(ChainError::AuthorityKeyId {
            index: 1,
            reason: "is missing"
        })
    );
    // With it, the intermediate is a fine anchor.
    let mut anchors = TrustAnchors::new();
    anchors.add_der(&standard.intermediate.der).unwrap();
    assert!(ChainVerifier::new(anchors)
        .validate_chain(
            std::slice::from_ref(&standard.device.der),
            UnixTime::from_secs(NOW),
            &RustCrypto
        )
        .is_ok());
    // A self-signed root with a critical AKI is refused all the same.
    let critical = pki(
        |r| {
            r.extra_extensions.push(ext(
                rfc5912::ID_CE_AUTHORITY_KEY_IDENTIFIER,
                true,
                &x509_cert::ext::pkix::AuthorityKeyIdentifier {
                    key_identifier: Some(
                        der::asn1::OctetString::new(vec![0x11; 20]).expect("octets"),
                    ),
                    authority_cert_issuer: None,
                    authority_cert_serial_number: None,
                },
            ))
        },
        keep,
        keep,
    );
    only(
        &critical,
        ChainError::AuthorityKeyId {
            index: 2,
            reason: "is marked critical",
        },
        Check::AuthorityKeyIdentifier,
        Position::Anchor,
    );
}

#[test]
fn subject_key_identifier() {
    only(
        &pki(keep, with(Deviation::NoSubjectKeyId), keep),
        ChainError::SubjectKeyId {
            index: 1,
            reason: "is missing from a CA certificate",
        },
        Check::SubjectKeyIdentifier,
        Position::Intermediate,
    );
    only(
        &pki(with(Deviation::NoSubjectKeyId), keep, keep),
        ChainError::SubjectKeyId {
            index: 2,
            reason: "is missing from a CA certificate",
        },
        Check::SubjectKeyIdentifier,
        Position::Anchor,
    );
    only(
        &pki(keep, keep, with(Deviation::CriticalSubjectKeyId)),
        ChainError::SubjectKeyId {
            index: 0,
            reason: "is marked critical",
        },
        Check::SubjectKeyIdentifier,
        Position::Leaf,
    );
    // A leaf without one is fine (RFC 5280: SHOULD).
    assert!(validate(
        &pki(keep, keep, with(Deviation::NoSubjectKeyId)),
        Profile::STRICT
    )
    .is_ok());
}

#[test]
fn basic_constraints_of_cas_are_critical() {
    only(
        &pki(keep, with(Deviation::NonCriticalBasicConstraints), keep),
        ChainError::BasicConstraints {
            index: 1,
            reason: "of a CA certificate is not marked critical",
        },
        Check::BasicConstraints,
        Position::Intermediate,
    );
    only(
        &pki(with(Deviation::NonCriticalBasicConstraints), keep, keep),
        ChainError::BasicConstraints {
            index: 2,
            reason: "of a CA certificate is not marked critical",
        },
        Check::BasicConstraints,
        Position::Anchor,
    );
    // A leaf's (cA FALSE) may be non-critical.
    assert!(validate(
        &pki(keep, keep, with(Deviation::NonCriticalBasicConstraints)),
        Profile::STRICT
    )
    .is_ok());
}

#[test]
fn path_length_constraint_only_with_ca_and_key_cert_sign() {
    only(
        &pki(keep, keep, |d| d.basic_constraints = Some((false, Some(0)))),
        ChainError::BasicConstraints {
            index: 0,
            reason: "has a pathLenConstraint without cA",
        },
        Check::BasicConstraints,
        Position::Leaf,
    );
    // A CA certificate as the leaf, with pathLen but without keyCertSign.
    let ca_leaf = pki(keep, keep, |d| {
        d.basic_constraints = Some((true, Some(0)));
    });
    only(
        &ca_leaf,
        ChainError::BasicConstraints {
            index: 0,
            reason: "has a pathLenConstraint but keyUsage does not assert keyCertSign",
        },
        Check::BasicConstraints,
        Position::Leaf,
    );
}

#[test]
fn key_cert_sign_requires_ca() {
    let signs_certs = UsageSpec {
        digital_signature: true,
        key_cert_sign: true,
        ..UsageSpec::default()
    };
    only(
        &pki(keep, keep, |d| d.key_usage = Some(signs_certs)),
        ChainError::KeyCertSignNotCa { index: 0 },
        Check::KeyCertSignRequiresCa,
        Position::Leaf,
    );
    only(
        &pki(keep, keep, |d| {
            d.key_usage = Some(signs_certs);
            d.basic_constraints = None;
        }),
        ChainError::KeyCertSignNotCa { index: 0 },
        Check::KeyCertSignRequiresCa,
        Position::Leaf,
    );
}

fn name_constraints() -> NameConstraints {
    NameConstraints {
        permitted_subtrees: Some(vec![GeneralSubtree {
            base: GeneralName::DnsName(Ia5String::new("example.com").unwrap()),
            minimum: 0,
            maximum: None,
        }]),
        excluded_subtrees: None,
    }
}

#[test]
fn name_constraints_are_refused_in_every_position() {
    let critical = ext(rfc5912::ID_CE_NAME_CONSTRAINTS, true, &name_constraints());
    let noncritical = ext(rfc5912::ID_CE_NAME_CONSTRAINTS, false, &name_constraints());
    // Non-critical (which RFC 5280 forbids) is not silently accepted.
    only(
        &pki(keep, with_extension(noncritical.clone()), keep),
        ChainError::NameConstraints { index: 1 },
        Check::NameConstraints,
        Position::Intermediate,
    );
    only(
        &pki(keep, keep, with_extension(noncritical)),
        ChainError::NameConstraints { index: 0 },
        Check::NameConstraints,
        Position::Leaf,
    );
    for (pki, index) in [
        (pki(with_extension(critical.clone()), keep, keep), 2),
        (pki(keep, with_extension(critical.clone()), keep), 1),
        (pki(keep, keep, with_extension(critical)), 0),
    ] {
        assert_eq!(refused(&pki), ChainError::NameConstraints { index });
    }
}

#[test]
fn name_constraints_relaxed_are_still_not_processed_when_critical() {
    let nc = ext(rfc5912::ID_CE_NAME_CONSTRAINTS, true, &name_constraints());
    let pki = pki(keep, with_extension(nc), keep);
    let relaxed = Profile::STRICT.relax(Check::NameConstraints, Position::Intermediate);
    assert_eq!(
        validate(&pki, relaxed).unwrap_err(),
        Error::Chain(ChainError::UnknownCriticalExtension {
            index: 1,
            oid: "2.5.29.30".to_string()
        })
    );
}

#[test]
fn policy_constraints_mappings_and_inhibit_any_policy_are_refused() {
    let constraints = |critical| {
        ext(
            rfc5912::ID_CE_POLICY_CONSTRAINTS,
            critical,
            &PolicyConstraints {
                require_explicit_policy: Some(0),
                inhibit_policy_mapping: None,
            },
        )
    };
    // Non-critical (which RFC 5280 forbids) is no way around it.
    only(
        &pki(keep, with_extension(constraints(false)), keep),
        ChainError::PolicyConstraints {
            index: 1,
            oid: "2.5.29.36".to_string(),
        },
        Check::PolicyConstraints,
        Position::Intermediate,
    );
    assert_eq!(
        refused(&pki(keep, with_extension(constraints(true)), keep)),
        ChainError::PolicyConstraints {
            index: 1,
            oid: "2.5.29.36".to_string(),
        }
    );
    let inhibit = ext(
        rfc5912::ID_CE_INHIBIT_ANY_POLICY,
        true,
        &der::asn1::Uint::new(&[0]).unwrap(),
    );
    assert_eq!(
        refused(&pki(keep, with_extension(inhibit), keep)),
        ChainError::PolicyConstraints {
            index: 1,
            oid: "2.5.29.54".to_string(),
        }
    );
    let mappings = ext(
        rfc5912::ID_CE_POLICY_MAPPINGS,
        false,
        &x509_cert::ext::pkix::PolicyMappings(vec![x509_cert::ext::pkix::PolicyMapping {
            issuer_domain_policy: ObjectIdentifier::new_unwrap("1.3.6.1.4.1.99999.2.1"),
            subject_domain_policy: ObjectIdentifier::new_unwrap("1.3.6.1.4.1.99999.2.2"),
        }]),
    );
    only(
        &pki(keep, with_extension(mappings), keep),
        ChainError::PolicyConstraints {
            index: 1,
            oid: "2.5.29.33".to_string(),
        },
        Check::PolicyConstraints,
        Position::Intermediate,
    );
}

fn policies() -> CertificatePolicies {
    CertificatePolicies(vec![x509_cert::ext::pkix::certpolicy::PolicyInformation {
        policy_identifier: ObjectIdentifier::new_unwrap("1.3.6.1.4.1.99999.2.1"),
        policy_qualifiers: None,
    }])
}

#[test]
fn certificate_policies_are_ignored_unless_critical() {
    let noncritical = ext(rfc5912::ID_CE_CERTIFICATE_POLICIES, false, &policies());
    assert!(validate(
        &pki(keep, with_extension(noncritical), keep),
        Profile::STRICT
    )
    .is_ok());
    let critical = ext(rfc5912::ID_CE_CERTIFICATE_POLICIES, true, &policies());
    only(
        &pki(keep, with_extension(critical), keep),
        ChainError::UnknownCriticalExtension {
            index: 1,
            oid: "2.5.29.32".to_string(),
        },
        Check::CriticalExtensions,
        Position::Intermediate,
    );
}

#[test]
fn extended_key_usage() {
    let client_auth = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.2");
    let restricting = ext(
        rfc5912::ID_CE_EXT_KEY_USAGE,
        true,
        &ExtendedKeyUsage(vec![client_auth]),
    );
    only(
        &pki(keep, keep, with_extension(restricting.clone())),
        ChainError::ExtendedKeyUsage { index: 0 },
        Check::ExtendedKeyUsage,
        Position::Leaf,
    );
    only(
        &pki(keep, with_extension(restricting), keep),
        ChainError::ExtendedKeyUsage { index: 1 },
        Check::ExtendedKeyUsage,
        Position::Intermediate,
    );
    // Critical with anyExtendedKeyUsage, or non-critical: accepted.
    let any = ext(
        rfc5912::ID_CE_EXT_KEY_USAGE,
        true,
        &ExtendedKeyUsage(vec![client_auth, rfc5912::ANY_EXTENDED_KEY_USAGE]),
    );
    assert!(validate(&pki(keep, keep, with_extension(any)), Profile::STRICT).is_ok());
    let advisory = ext(
        rfc5912::ID_CE_EXT_KEY_USAGE,
        false,
        &ExtendedKeyUsage(vec![client_auth]),
    );
    assert!(validate(&pki(keep, keep, with_extension(advisory)), Profile::STRICT).is_ok());
}

#[test]
fn subject_alt_name_may_be_critical() {
    let san = SubjectAltName(vec![GeneralName::DnsName(
        Ia5String::new("device.example").unwrap(),
    )]);
    for critical in [false, true] {
        let e = ext(rfc5912::ID_CE_SUBJECT_ALT_NAME, critical, &san);
        assert!(validate(&pki(keep, keep, with_extension(e)), Profile::STRICT).is_ok());
    }
}

#[test]
fn other_critical_extensions_are_refused() {
    // authorityInfoAccess must be non-critical (RFC 5280 §4.2.2.1); the
    // profile does not process it.
    let aia = ext(
        rfc5912::ID_PE_AUTHORITY_INFO_ACCESS,
        true,
        &x509_cert::ext::pkix::AuthorityInfoAccessSyntax(vec![
            x509_cert::ext::pkix::AccessDescription {
                access_method: rfc5912::ID_AD_CA_ISSUERS,
                access_location: GeneralName::UniformResourceIdentifier(
                    Ia5String::new("http://ca.example/ca.der").unwrap(),
                ),
            },
        ]),
    );
    only(
        &pki(keep, keep, with_extension(aia)),
        ChainError::UnknownCriticalExtension {
            index: 0,
            oid: "1.3.6.1.5.5.7.1.1".to_string(),
        },
        Check::CriticalExtensions,
        Position::Leaf,
    );
}

// ----------------------------------------------- issuer and leaf (§10.4 step 4)

#[test]
fn issuers_need_key_usage_with_key_cert_sign() {
    // (Without pathLenConstraint, which would need keyCertSign too.)
    only(
        &pki(
            keep,
            |i| {
                i.key_usage = None;
                i.basic_constraints = Some((true, None));
            },
            keep,
        ),
        ChainError::KeyUsage {
            index: 1,
            required: "keyCertSign",
        },
        Check::IssuerKeyUsage,
        Position::Intermediate,
    );
    only(
        &pki(|r| r.key_usage = None, keep, keep),
        ChainError::KeyUsage {
            index: 2,
            required: "keyCertSign",
        },
        Check::IssuerKeyUsage,
        Position::Anchor,
    );
    // The leaf needs none.
    assert!(validate(&pki(keep, keep, |d| d.key_usage = None), Profile::STRICT).is_ok());
}

#[test]
fn an_issuer_that_is_not_a_ca_is_reported_before_its_key_usage() {
    // cA FALSE with keyCertSign: the issuer role is checked before the
    // content, so it is chain.not-ca (and relaxing that, the content rule).
    let pki = pki(keep, |i| i.basic_constraints = Some((false, None)), keep);
    assert_eq!(refused(&pki), ChainError::NotCa { index: 1 });
    let relaxed = Profile::STRICT.relax(Check::IssuerIsCa, Position::Intermediate);
    assert_eq!(
        validate(&pki, relaxed).unwrap_err(),
        Error::Chain(ChainError::KeyCertSignNotCa { index: 1 })
    );
    let both = relaxed.relax(Check::KeyCertSignRequiresCa, Position::Intermediate);
    assert!(validate(&pki, both).is_ok());
}

#[test]
fn self_issued_intermediates_do_not_count_against_path_length() {
    // root -> A (pathLen 1) -> A' (self-issued: A's name, another key,
    // pathLen 1) -> B (pathLen 0) -> device: one non-self-issued CA below A.
    let root = CertSpec::root();
    let a = CertSpec {
        basic_constraints: Some((true, Some(1))),
        ..CertSpec::intermediate()
    };
    let a_again = CertSpec {
        key: KeySpec::p384("intermediate rollover"),
        serial: 0x2004,
        ..a.clone()
    };
    let b = CertSpec {
        subject: "CN=mtattest Test Sub CA,O=mtattest Test OEM".to_string(),
        key: KeySpec::p384("sub ca"),
        serial: 0x2005,
        basic_constraints: Some((true, Some(0))),
        ..CertSpec::intermediate()
    };
    let device = CertSpec::device();
    let chain = vec![
        issue(&device, Some(&b)).unwrap(),
        issue(&b, Some(&a_again)).unwrap(),
        issue(&a_again, Some(&a)).unwrap(),
        issue(&a, Some(&root)).unwrap(),
    ];
    let mut anchors = TrustAnchors::new();
    anchors.add_der(&issue(&root, None).unwrap()).unwrap();
    let verifier = ChainVerifier::new(anchors);
    let now = UnixTime::from_secs(NOW);
    assert!(verifier.validate_chain(&chain, now, &RustCrypto).is_ok());
    // The same with B not self-issued in A's place is one CA too many.
    let a_other = CertSpec {
        subject: "CN=mtattest Test Other CA,O=mtattest Test OEM".to_string(),
        ..a_again.clone()
    };
    let b_under_other = issue(&b, Some(&a_other)).unwrap();
    let chain = vec![
        issue(&device, Some(&b)).unwrap(),
        b_under_other,
        issue(&a_other, Some(&a)).unwrap(),
        issue(&a, Some(&root)).unwrap(),
    ];
    assert_eq!(
        verifier
            .validate_chain(&chain, now, &RustCrypto)
            .unwrap_err(),
        Error::Chain(ChainError::PathLength {
            index: 3,
            max: 1,
            found: 2
        })
    );
}

#[test]
fn validity_bounds_are_inclusive() {
    let standard = TestPki::standard().unwrap();
    let v = verifier(&standard, Profile::STRICT);
    let at = |t: i64| v.validate_chain(&standard.chain(), UnixTime::from_secs(t), &RustCrypto);
    let (nb, na) = (
        mtattest_testkit::pki::DEVICE_NOT_BEFORE,
        mtattest_testkit::pki::DEVICE_NOT_AFTER,
    );
    assert!(at(nb).is_ok());
    assert!(at(na).is_ok());
    assert_eq!(at(nb - 1).unwrap_err().code(), "chain.not-yet-valid");
    assert_eq!(at(na + 1).unwrap_err().code(), "chain.expired");
    // Relaxed at the leaf (device clocks): the leaf's dates no longer
    // count, nor bound the result's window.
    let leaf_clock = Profile::STRICT.relax(Check::Validity, Position::Leaf);
    let chain = verifier(&standard, leaf_clock)
        .validate_chain(&standard.chain(), UnixTime::from_secs(na + 1), &RustCrypto)
        .unwrap();
    assert_eq!(
        chain.valid_until().secs(),
        mtattest_testkit::pki::INTERMEDIATE_NOT_AFTER
    );
}

// ---------------------------------------------------- name chaining (§10.4)

#[test]
fn issuer_names_match_ignoring_case_and_insignificant_space() {
    let intermediate = CertSpec::intermediate();
    let spelled = "CN=MTATTEST test OEM   Attestation ca,O=mtattest TEST oem";
    let pki = pki(keep, keep, |d| {
        d.issuer_override = Some(spelled.to_string())
    });
    assert_ne!(spelled, intermediate.subject);
    assert!(validate(&pki, Profile::STRICT).is_ok());
    for different in [
        "CN=mtattest Test OEM AttestationCA,O=mtattest Test OEM",
        "O=mtattest Test OEM,CN=mtattest Test OEM Attestation CA",
        "CN=mtattest Test OEM Attestation CA",
    ] {
        let pki = pki_named(different);
        assert!(
            matches!(refused(&pki), ChainError::NameMismatch { index: 0, .. }),
            "{different}"
        );
    }
}

fn pki_named(issuer: &str) -> TestPki {
    pki(keep, keep, |d| d.issuer_override = Some(issuer.to_string()))
}

// ---------------------------------------------------------- CRLs (§10.5)

#[test]
fn a_crl_from_an_issuer_without_crl_sign_is_refused() {
    let cert_sign_only = UsageSpec {
        key_cert_sign: true,
        ..UsageSpec::default()
    };
    let pki = pki(keep, |i| i.key_usage = Some(cert_sign_only), keep);
    let crl = issue_crl(
        &pki.intermediate.spec,
        &CrlSpec {
            this_update: NOW - 86_400,
            next_update: Some(NOW + 86_400),
            revoked: Vec::new(),
            unknown_critical_extension: false,
            corrupt_signature: false,
        },
    )
    .unwrap();
    let mut revocation = Revocation::new();
    revocation.add_crl_der(&crl).unwrap();
    let verifier = verifier(&pki, Profile::STRICT).with_revocation(revocation);
    assert_eq!(
        verifier
            .validate_chain(&pki.chain(), UnixTime::from_secs(NOW), &RustCrypto)
            .unwrap_err(),
        Error::Chain(ChainError::CrlKeyUsage { index: 1 })
    );
    // Without the CRL, the chain is fine: keyCertSign is all it needs.
    assert!(validate(&pki, Profile::STRICT).is_ok());
}

#[test]
fn crls_must_be_der_version_2_with_utc_times() {
    use mtattest_testkit::pki::CrlDeviation;
    let standard = TestPki::standard().unwrap();
    for (deviation, needle) in [
        (CrlDeviation::Version1, "version 2"),
        (CrlDeviation::GeneralizedThisUpdate, "GeneralizedTime"),
        (CrlDeviation::ExplicitCriticalFalse, "distinguished"),
    ] {
        let crl = issue_crl_deviating(
            &standard.intermediate.spec,
            &CrlSpec {
                this_update: NOW - 86_400,
                next_update: Some(NOW + 86_400),
                revoked: Vec::new(),
                unknown_critical_extension: false,
                corrupt_signature: false,
            },
            std::slice::from_ref(&deviation),
        )
        .unwrap();
        match Revocation::new().add_crl_der(&crl) {
            Err(Error::Chain(ChainError::BadRevocationData { reason })) => {
                assert!(reason.contains(needle), "{deviation:?}: {reason}")
            }
            other => panic!("{deviation:?}: {other:?}"),
        }
    }
}

// ---------------------------------------------------- profiles (§10.4.3)

#[test]
fn a_relaxed_profile_applies_to_its_own_anchor_only() {
    // Two manufacturers; the second's leaves carry no AKI and its anchor is
    // configured to tolerate that. The first's are held to the strict rule.
    let strict_oem = pki(keep, keep, with(Deviation::NoAuthorityKeyId));
    let lenient_oem = TestPki::from_specs(
        CertSpec {
            subject: "CN=mtattest Other Root,O=mtattest Other OEM".to_string(),
            key: KeySpec::p384("other root"),
            ..CertSpec::root()
        },
        CertSpec {
            subject: "CN=mtattest Other CA,O=mtattest Other OEM".to_string(),
            key: KeySpec::p384("other ca"),
            ..CertSpec::intermediate()
        },
        CertSpec {
            deviations: vec![Deviation::NoAuthorityKeyId],
            ..CertSpec::device()
        },
    )
    .unwrap();
    let mut anchors = TrustAnchors::new();
    anchors.add_der(&strict_oem.root.der).unwrap();
    anchors
        .add_der_with_profile(
            &lenient_oem.root.der,
            Profile::STRICT.relax(Check::AuthorityKeyIdentifier, Position::Leaf),
        )
        .unwrap();
    let verifier = ChainVerifier::new(anchors);
    let now = UnixTime::from_secs(NOW);
    let lenient = verifier
        .validate_chain(&lenient_oem.chain(), now, &RustCrypto)
        .unwrap();
    assert_eq!(lenient.anchor_index(), 1);
    assert_eq!(
        verifier
            .validate_chain(&strict_oem.chain(), now, &RustCrypto)
            .unwrap_err(),
        Error::Chain(ChainError::AuthorityKeyId {
            index: 0,
            reason: "is missing"
        })
    );
    // The profile is part of the trust configuration.
    let mut strict_only = TrustAnchors::new();
    strict_only.add_der(&strict_oem.root.der).unwrap();
    strict_only.add_der(&lenient_oem.root.der).unwrap();
    assert_ne!(
        ChainVerifier::new(strict_only).fingerprint(&RustCrypto),
        verifier.fingerprint(&RustCrypto)
    );
}

#[test]
fn every_check_names_codes_the_spec_lists() {
    let spec =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/trust.md")).unwrap();
    for check in Check::ALL {
        for code in check.codes() {
            assert!(spec.contains(&format!("`{code}`")), "{check:?}: {code}");
        }
    }
}

#[test]
fn key_usage_round_trips_through_der() {
    // The test PKI writes keyUsage in DER (the profile's own encoding check
    // passes on every standard certificate).
    let standard = TestPki::standard().unwrap();
    for der in [
        &standard.root.der,
        &standard.intermediate.der,
        &standard.device.der,
    ] {
        let cert = <x509_cert::Certificate as der::Decode>::from_der(der).unwrap();
        let (_, ku) = cert
            .tbs_certificate
            .get::<KeyUsage>()
            .unwrap()
            .expect("keyUsage");
        assert_eq!(
            der::Encode::to_der(&ku).unwrap().len(),
            4,
            "BIT STRING of one byte"
        );
        let (critical, _) = cert
            .tbs_certificate
            .get::<BasicConstraints>()
            .unwrap()
            .expect("basicConstraints");
        assert!(critical);
    }
}
