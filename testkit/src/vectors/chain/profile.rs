//! Certificate-profile refusals (spec §10.4.1–§10.4.2): each token is
//! correctly signed by its x5chain leaf over the example phone's claims and
//! its chain is the standard one with a single departure from the profile
//! (or, for the anchor cases, the anchor file is the standard root with
//! one). Each certificate is made by the test PKI with `der`.

use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use der::asn1::{BitString, Ia5String, ObjectIdentifier};
use der::oid::db::rfc5912;
use x509_cert::ext::pkix::constraints::name::{GeneralSubtree, NameConstraints};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{ExtendedKeyUsage, PolicyConstraints};

use super::super::fixtures::{phone, Cert, DAY, TIME};
use super::super::valid::token;
use super::super::{CaseSpec, Gen};
use crate::pki::{issue, issue_crl, CertSpec, CrlSpec, Deviation, ExtensionSpec, UsageSpec};
use mtattest::error::Error;

/// The standard root without basicConstraints (same name, key and key
/// identifier).
const ROOT_NO_BASIC_CONSTRAINTS: &str = "anchors/root-no-basic-constraints.pem";
/// The standard root's name and key in a version 1 certificate.
const ROOT_VERSION_1: &str = "anchors/root-version-1.pem";
/// A CRL of the intermediate whose keyUsage lacks cRLSign.
const CRL_NO_CRL_SIGN: &str = "revocation/crl-issuer-without-crl-sign.crl";

type Bend = fn(&mut CertSpec);

fn keep(_: &mut CertSpec) {}

fn extension(oid: ObjectIdentifier, critical: bool, value: &impl der::Encode) -> ExtensionSpec {
    ExtensionSpec {
        oid: oid.to_string(),
        critical,
        value: value.to_der().unwrap_or_default(),
    }
}

fn name_constraints(critical: bool) -> ExtensionSpec {
    let subtrees = Ia5String::new("device.example").map(|name| {
        vec![GeneralSubtree {
            base: GeneralName::DnsName(name),
            minimum: 0,
            maximum: None,
        }]
    });
    extension(
        rfc5912::ID_CE_NAME_CONSTRAINTS,
        critical,
        &NameConstraints {
            permitted_subtrees: subtrees.ok(),
            excluded_subtrees: None,
        },
    )
}

pub(super) fn cases(gen: &mut Gen) -> Result<(), Error> {
    let pki = gen.pki.clone();
    let payload = phone().to_cbor();
    let signed = |chain: &[Vec<u8>], leaf: &Cert| -> Result<Vec<u8>, Error> {
        token(chain, payload.clone(), &leaf.signer()?)
    };

    let bent: [(&'static str, &str, Bend, Bend, &'static str); 27] = [
        (
            "invalid-chain-device-version-1",
            "The device certificate is version 1 (and so carries no extensions).",
            keep,
            |d| d.deviations = vec![Deviation::Version(1), Deviation::NoExtensions],
            "chain.version",
        ),
        (
            "invalid-chain-intermediate-version-1-with-extensions",
            "The intermediate is version 1 but carries its extensions (basicConstraints cA \
             and the rest), which only version 3 may.",
            |i| i.deviations = vec![Deviation::Version(1)],
            keep,
            "chain.malformed",
        ),
        (
            "invalid-chain-device-explicit-default-version",
            "The device certificate (version 1, no extensions) writes its DEFAULT version v1 \
             explicitly: not DER.",
            keep,
            |d| {
                d.deviations = vec![
                    Deviation::Version(1),
                    Deviation::NoExtensions,
                    Deviation::ExplicitDefaultVersion,
                ]
            },
            "chain.malformed",
        ),
        (
            "invalid-chain-device-explicit-critical-false",
            "The device certificate's subjectKeyIdentifier writes its DEFAULT critical FALSE \
             explicitly: not DER.",
            keep,
            |d| d.deviations = vec![Deviation::ExplicitCriticalFalse],
            "chain.malformed",
        ),
        (
            "invalid-chain-device-empty-extensions",
            "The device certificate has an empty extensions SEQUENCE (SIZE (1..MAX)).",
            keep,
            |d| d.deviations = vec![Deviation::EmptyExtensions],
            "chain.malformed",
        ),
        (
            "invalid-chain-device-basic-constraints-not-der",
            "The device certificate's basicConstraints writes its DEFAULT cA FALSE \
             explicitly (30 03 01 01 00): the extension value is not DER.",
            keep,
            |d| d.deviations = vec![Deviation::ExplicitCaFalse],
            "chain.malformed",
        ),
        (
            "invalid-chain-device-key-usage-trailing-zero-bits",
            "The device certificate's keyUsage (digitalSignature) is written with seven \
             trailing zero bits (03 02 00 80; DER is 03 02 07 80).",
            keep,
            |d| {
                d.key_usage = None;
                if let Ok(bits) = BitString::new(0, vec![0x80]) {
                    d.extra_extensions
                        .push(extension(rfc5912::ID_CE_KEY_USAGE, true, &bits));
                }
            },
            "chain.malformed",
        ),
        (
            "invalid-chain-device-unique-identifiers",
            "The device certificate carries issuerUniqueID and subjectUniqueID.",
            keep,
            |d| d.deviations = vec![Deviation::UniqueIdentifiers],
            "chain.unique-identifier",
        ),
        (
            "invalid-chain-device-serial-zero",
            "The device certificate's serial number is 0.",
            keep,
            |d| d.deviations = vec![Deviation::SerialOctets(vec![0x00])],
            "chain.serial-number",
        ),
        (
            "invalid-chain-device-serial-negative",
            "The device certificate's serial number is -1.",
            keep,
            |d| d.deviations = vec![Deviation::SerialOctets(vec![0xff])],
            "chain.serial-number",
        ),
        (
            "invalid-chain-device-serial-too-long",
            "The device certificate's serial number is a positive number of 21 octets.",
            keep,
            |d| d.deviations = vec![Deviation::SerialOctets(vec![0x01; 21])],
            "chain.serial-number",
        ),
        (
            "invalid-chain-device-empty-subject",
            "The device certificate's subject is an empty name.",
            keep,
            |d| d.deviations = vec![Deviation::EmptySubject],
            "chain.empty-name",
        ),
        (
            "invalid-chain-intermediate-empty-subject",
            "The intermediate's subject is an empty name (and so is the device certificate's \
             issuer); the intermediate, nearer the anchor, is reported.",
            |i| i.deviations = vec![Deviation::EmptySubject],
            |d| d.deviations = vec![Deviation::EmptyIssuer],
            "chain.empty-name",
        ),
        (
            "invalid-chain-device-generalized-time",
            "The device certificate writes its notBefore (2025) as GeneralizedTime.",
            keep,
            |d| d.deviations = vec![Deviation::GeneralizedNotBefore],
            "chain.time-encoding",
        ),
        (
            "invalid-chain-device-no-authority-key-id",
            "The device certificate has no authorityKeyIdentifier.",
            keep,
            |d| d.deviations = vec![Deviation::NoAuthorityKeyId],
            "chain.authority-key-id",
        ),
        (
            "invalid-chain-intermediate-authority-key-id-critical",
            "The intermediate's authorityKeyIdentifier is marked critical.",
            |i| i.deviations = vec![Deviation::CriticalAuthorityKeyId],
            keep,
            "chain.authority-key-id",
        ),
        (
            "invalid-chain-intermediate-no-subject-key-id",
            "The intermediate (a CA) has no subjectKeyIdentifier.",
            |i| i.deviations = vec![Deviation::NoSubjectKeyId],
            keep,
            "chain.subject-key-id",
        ),
        (
            "invalid-chain-device-subject-key-id-critical",
            "The device certificate's subjectKeyIdentifier is marked critical.",
            keep,
            |d| d.deviations = vec![Deviation::CriticalSubjectKeyId],
            "chain.subject-key-id",
        ),
        (
            "invalid-chain-intermediate-basic-constraints-not-critical",
            "The intermediate's basicConstraints (cA TRUE, pathLen 0) is not marked critical.",
            |i| i.deviations = vec![Deviation::NonCriticalBasicConstraints],
            keep,
            "chain.basic-constraints",
        ),
        (
            "invalid-chain-device-path-length-not-ca",
            "The device certificate's basicConstraints has cA FALSE and pathLenConstraint 0.",
            keep,
            |d| d.basic_constraints = Some((false, Some(0))),
            "chain.basic-constraints",
        ),
        (
            "invalid-chain-device-key-cert-sign",
            "The device certificate's keyUsage asserts keyCertSign (and digitalSignature); \
             its basicConstraints say cA FALSE.",
            keep,
            |d| {
                d.key_usage = Some(UsageSpec {
                    digital_signature: true,
                    key_cert_sign: true,
                    ..UsageSpec::default()
                })
            },
            "chain.key-cert-sign-not-ca",
        ),
        (
            "invalid-chain-intermediate-name-constraints",
            "The intermediate carries a critical nameConstraints (permitted dNSName \
             device.example), which the profile does not process.",
            |i| i.extra_extensions.push(name_constraints(true)),
            keep,
            "chain.name-constraints",
        ),
        (
            "invalid-chain-intermediate-name-constraints-not-critical",
            "The intermediate carries nameConstraints marked non-critical: refused, not \
             ignored.",
            |i| i.extra_extensions.push(name_constraints(false)),
            keep,
            "chain.name-constraints",
        ),
        (
            "invalid-chain-device-name-constraints",
            "The device certificate (an end entity) carries nameConstraints.",
            keep,
            |d| d.extra_extensions.push(name_constraints(true)),
            "chain.name-constraints",
        ),
        (
            "invalid-chain-intermediate-policy-constraints",
            "The intermediate carries a critical policyConstraints (requireExplicitPolicy 0).",
            |i| {
                i.extra_extensions.push(extension(
                    rfc5912::ID_CE_POLICY_CONSTRAINTS,
                    true,
                    &PolicyConstraints {
                        require_explicit_policy: Some(0),
                        inhibit_policy_mapping: None,
                    },
                ))
            },
            keep,
            "chain.policy-constraints",
        ),
        (
            "invalid-chain-device-extended-key-usage-critical",
            "The device certificate has a critical extKeyUsage listing only clientAuth.",
            keep,
            |d| {
                let client_auth = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.2");
                d.extra_extensions.push(extension(
                    rfc5912::ID_CE_EXT_KEY_USAGE,
                    true,
                    &ExtendedKeyUsage(vec![client_auth]),
                ))
            },
            "chain.extended-key-usage",
        ),
        (
            "invalid-chain-intermediate-no-key-usage",
            "The intermediate (a CA that issues the device certificate) has no keyUsage.",
            |i| i.key_usage = None,
            keep,
            "chain.key-usage",
        ),
    ];
    for (id, description, bend_intermediate, bend_device, code) in bent {
        let (chain, leaf) = pki.bent_chain(bend_intermediate, bend_device)?;
        gen.add(CaseSpec::invalid(
            id,
            String::from(description),
            signed(&chain, &leaf)?,
            code,
        ))?;
    }

    // A 20-octet serial number with its top bit set: 21 octets of DER.
    let mut twenty = vec![0x00];
    twenty.extend([0xa5; 20]);
    let (chain, leaf) = pki.bent_chain(keep, |d| {
        d.deviations = vec![Deviation::SerialOctets(twenty)]
    })?;
    gen.add(CaseSpec::valid(
        "valid-chain-device-serial-20-octets",
        "The device certificate's serial number is a 20-octet number whose top bit is set, \
         written in 21 octets with a zero sign octet: at most 20 octets, so accepted.",
        signed(&chain, &leaf)?,
        &phone(),
    ))?;

    // The anchors: the standard root's name and key, without the
    // exemption version 1 roots used to have.
    let standard = signed(&pki.chain(), &pki.device)?;
    for (path, bend, id, description) in [
        (
            ROOT_NO_BASIC_CONSTRAINTS,
            (|r: &mut CertSpec| r.basic_constraints = None) as Bend,
            "invalid-chain-anchor-no-basic-constraints",
            "The only trust anchor is the root (same name, key and key identifier) without \
             basicConstraints: no anchor is exempt from being a CA.",
        ),
        (
            ROOT_VERSION_1,
            (|r: &mut CertSpec| r.deviations = vec![Deviation::Version(1), Deviation::NoExtensions])
                as Bend,
            "invalid-chain-anchor-version-1",
            "The only trust anchor is the root's name and key in a version 1 certificate, \
             which cannot say it is a CA.",
        ),
    ] {
        let mut root = pki.root.spec.clone();
        bend(&mut root);
        let anchor = Cert {
            der: issue(&root, None)?,
            spec: root,
        };
        gen.files
            .insert(path.to_string(), anchor.pem().into_bytes());
        gen.add(
            CaseSpec::invalid(id, description, standard.clone(), "chain.not-ca").anchors(path),
        )?;
    }

    // The intermediate may sign certificates but not CRLs, and issued one.
    let (chain, leaf) = pki.bent_chain(
        |i| {
            i.key_usage = Some(UsageSpec {
                key_cert_sign: true,
                ..UsageSpec::default()
            })
        },
        keep,
    )?;
    let mut issuer = pki.intermediate.spec.clone();
    issuer.key_usage = Some(UsageSpec {
        key_cert_sign: true,
        ..UsageSpec::default()
    });
    let crl = issue_crl(
        &issuer,
        &CrlSpec {
            this_update: TIME - DAY,
            next_update: Some(TIME + 7 * DAY),
            revoked: Vec::new(),
            unknown_critical_extension: false,
            corrupt_signature: false,
        },
    )?;
    gen.files.insert(CRL_NO_CRL_SIGN.to_string(), crl);
    gen.add(
        CaseSpec::invalid(
            "invalid-crl-issuer-without-crl-sign",
            "The intermediate's keyUsage allows keyCertSign but not cRLSign, and the CRL \
             (listing nothing) is signed by it.",
            signed(&chain, &leaf)?,
            "chain.crl-key-usage",
        )
        .crl(CRL_NO_CRL_SIGN),
    )?;
    Ok(())
}
