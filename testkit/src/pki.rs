//! A deterministic test PKI: root → intermediate (OEM)
//! → device attestation key, P-384 throughout by default.
//!
//! Keys are derived from fixed seeds and certificate signatures are RFC 6979
//! deterministic, so every certificate, CRL and token regenerates byte for
//! byte. Each certificate comes from a [`CertSpec`] that tests can bend to
//! make a broken chain: expired, not a CA, path length, key usage, unknown
//! critical extension, wrong names, P-256 issuer, wrong signature
//! algorithm, corrupted signature, and every departure from the certificate
//! profile of spec §10.4 ([`Deviation`]).
//!
//! The standard PKI issues exactly the profile a producer must issue (spec
//! §10.9): version 3, positive serial numbers, UTCTime through 2049, a
//! subjectKeyIdentifier in every certificate and an authorityKeyIdentifier
//! in every certificate but the self-signed root; critical basicConstraints
//! (cA TRUE on the root and, with pathLenConstraint 0, on the intermediate;
//! cA FALSE on the device) and critical keyUsage (keyCertSign and cRLSign
//! for the CAs, digitalSignature only for the device).
//!
//! Never use these keys for anything real: their seeds are in the source.
//!
//! ```
//! use mtattest_testkit::pki::TestPki;
//!
//! let pki = TestPki::standard().unwrap();
//! assert_eq!(pki.chain().len(), 2); // device, intermediate; the root is omitted
//! assert_eq!(TestPki::standard().unwrap().device.der, pki.device.der);
//! ```

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use core::str::FromStr;
use core::time::Duration;
use std::path::{Path, PathBuf};

use der::asn1::{
    Any, BitString, ContextSpecific, GeneralizedTime, Int, Null, ObjectIdentifier, OctetString,
    UtcTime,
};
use der::oid::db::rfc5912;
use der::{Decode, Encode, TagMode, TagNumber};
use sha2::Digest as _;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::crl::{RevokedCert, TbsCertList};
use x509_cert::ext::pkix::crl::CrlReason;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, KeyUsage, KeyUsages, SubjectKeyIdentifier,
};
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};
use x509_cert::{TbsCertificate, Version};

use mtattest::claims::ClaimsSet;
use mtattest::crypto::{Algorithm, Curve, PublicKey, Signer, SoftwareSigner};
use mtattest::error::{CryptoError, Error};
use mtattest::token::{HeaderPlacement, TokenBuilder};

/// An OID under which the test PKI puts an extension nobody understands.
pub const UNKNOWN_EXTENSION_OID: &str = "1.3.6.1.4.1.99999.1";

/// 2020-01-01T00:00:00Z.
pub const ROOT_NOT_BEFORE: i64 = 1_577_836_800;
/// 2060-01-01T00:00:00Z.
pub const ROOT_NOT_AFTER: i64 = 2_840_140_800;
/// 2021-01-01T00:00:00Z.
pub const INTERMEDIATE_NOT_BEFORE: i64 = 1_609_459_200;
/// 2045-01-01T00:00:00Z.
pub const INTERMEDIATE_NOT_AFTER: i64 = 2_366_841_600;
/// 2025-01-01T00:00:00Z.
pub const DEVICE_NOT_BEFORE: i64 = 1_735_689_600;
/// 2040-01-01T00:00:00Z.
pub const DEVICE_NOT_AFTER: i64 = 2_208_988_800;

/// A key derived from a seed: the secret is SHA-384 of a fixed prefix and
/// the seed (its first 32 bytes for P-256).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySpec {
    /// The key's curve.
    pub curve: Curve,
    /// The seed.
    pub seed: String,
}

impl KeySpec {
    /// A P-384 key from `seed`.
    pub fn p384(seed: &str) -> KeySpec {
        KeySpec {
            curve: Curve::P384,
            seed: seed.to_string(),
        }
    }

    /// A P-256 key from `seed`.
    pub fn p256(seed: &str) -> KeySpec {
        KeySpec {
            curve: Curve::P256,
            seed: seed.to_string(),
        }
    }

    /// The private scalar, big-endian.
    pub fn secret(&self) -> Vec<u8> {
        let digest = sha2::Sha384::digest(format!("mtattest test-pki key\0{}", self.seed));
        match self.curve {
            Curve::P384 => digest.to_vec(),
            Curve::P256 => digest.iter().take(32).copied().collect(),
        }
    }

    /// A signer for the key (ES384 for P-384, ES256 for P-256).
    pub fn signer(&self) -> Result<SoftwareSigner, Error> {
        let alg = match self.curve {
            Curve::P384 => Algorithm::Es384,
            Curve::P256 => Algorithm::Es256,
        };
        Ok(SoftwareSigner::from_secret_bytes(alg, &self.secret())?)
    }

    /// The PKCS #8 `PRIVATE KEY` PEM of the key (with its curve, so
    /// OpenSSL reads it).
    pub fn private_key_pem(&self) -> Result<String, Error> {
        use p384::pkcs8::EncodePrivateKey as _;
        let invalid = || CryptoError::InvalidKey {
            curve: self.curve.name(),
        };
        let pem = match self.curve {
            Curve::P384 => p384::SecretKey::from_slice(&self.secret())
                .map_err(|_| invalid())?
                .to_pkcs8_pem(der::pem::LineEnding::LF)
                .map_err(|_| invalid())?,
            Curve::P256 => p256::SecretKey::from_slice(&self.secret())
                .map_err(|_| invalid())?
                .to_pkcs8_pem(der::pem::LineEnding::LF)
                .map_err(|_| invalid())?,
        };
        Ok(pem.to_string())
    }
}

/// A signature algorithm a certificate may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigAlgSpec {
    /// ecdsa-with-SHA256.
    EcdsaSha256,
    /// ecdsa-with-SHA384.
    EcdsaSha384,
}

/// keyUsage bits the test PKI can set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UsageSpec {
    /// digitalSignature.
    pub digital_signature: bool,
    /// keyCertSign.
    pub key_cert_sign: bool,
    /// cRLSign.
    pub crl_sign: bool,
}

/// Everything about one certificate of the test PKI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertSpec {
    /// Subject, as an RFC 4514 string (e.g. `CN=Example Root,O=Example`).
    pub subject: String,
    /// Issuer name to write instead of the issuer's subject (wrong-name tests).
    pub issuer_override: Option<String>,
    /// Serial number.
    pub serial: u64,
    /// `notBefore`, Unix seconds.
    pub not_before: i64,
    /// `notAfter`, Unix seconds.
    pub not_after: i64,
    /// The subject key.
    pub key: KeySpec,
    /// basicConstraints `(cA, pathLenConstraint)`; `None` leaves it out.
    pub basic_constraints: Option<(bool, Option<u8>)>,
    /// keyUsage; `None` leaves it out.
    pub key_usage: Option<UsageSpec>,
    /// Adds a critical extension under [`UNKNOWN_EXTENSION_OID`].
    pub unknown_critical_extension: bool,
    /// Names this signature algorithm instead of the issuer key's own.
    pub signature_algorithm_override: Option<SigAlgSpec>,
    /// Flips a bit of the signature after signing.
    pub corrupt_signature: bool,
    /// Writes the keyUsage extension twice (RFC 5280 forbids repeats).
    pub duplicate_extension: bool,
    /// Names the other ECDSA hash in the outer signatureAlgorithm than in
    /// the TBS signature field (RFC 5280 requires them equal).
    pub outer_algorithm_differs: bool,
    /// DER SubjectPublicKeyInfo to write instead of the key's (unsupported
    /// or invalid keys); the certificate is still signed with `key`'s issuer.
    pub spki_override: Option<Vec<u8>>,
    /// Writes subjectKeyIdentifier (and, when issued by a certificate with
    /// one, authorityKeyIdentifier).
    pub key_identifiers: bool,
    /// Further extensions, written after the standard ones.
    pub extra_extensions: Vec<ExtensionSpec>,
    /// Departures from the certificate profile, applied in order.
    pub deviations: Vec<Deviation>,
}

/// An extension to add to a certificate as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtensionSpec {
    /// The OID, dotted.
    pub oid: String,
    /// The critical flag.
    pub critical: bool,
    /// The value (the contents of extnValue), DER.
    pub value: Vec<u8>,
}

impl ExtensionSpec {
    /// An extension whose value is `value` encoded as DER.
    pub fn new(oid: &str, critical: bool, value: &impl Encode) -> Result<ExtensionSpec, Error> {
        Ok(ExtensionSpec {
            oid: oid.to_string(),
            critical,
            value: value.to_der().map_err(der_error)?,
        })
    }
}

/// A departure from the certificate profile (spec §10.4), for tests and
/// conformance vectors of the checks that refuse it. Those marked *not DER*
/// make a certificate that is not in its distinguished encoding; they are
/// built by re-encoding parts of the DER with `der`, never by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Deviation {
    /// Writes version 1 (`1`) or 2 (`2`) instead of 3; the extensions stay
    /// unless [`Deviation::NoExtensions`] removes them.
    Version(u8),
    /// Writes the default version v1 explicitly (*not DER*); combine with
    /// `Version(1)` and `NoExtensions` for an otherwise valid v1
    /// certificate.
    ExplicitDefaultVersion,
    /// Leaves out the extensions field.
    NoExtensions,
    /// Writes an empty extensions SEQUENCE (RFC 5280: `SIZE (1..MAX)`).
    EmptyExtensions,
    /// The serial number as these INTEGER content octets (minimal two's
    /// complement: may be negative, zero or long).
    SerialOctets(Vec<u8>),
    /// An empty subject name.
    EmptySubject,
    /// A subject whose first RDN is an empty SET (RFC 5280: `SIZE
    /// (1..MAX)`).
    EmptyRdnInSubject,
    /// An empty issuer name.
    EmptyIssuer,
    /// notBefore as GeneralizedTime whatever its year.
    GeneralizedNotBefore,
    /// issuerUniqueID and subjectUniqueID.
    UniqueIdentifiers,
    /// Leaves out authorityKeyIdentifier.
    NoAuthorityKeyId,
    /// Marks authorityKeyIdentifier critical.
    CriticalAuthorityKeyId,
    /// authorityKeyIdentifier with authorityCertIssuer and
    /// authorityCertSerialNumber but no keyIdentifier.
    AuthorityKeyIdWithoutKeyId,
    /// Leaves out subjectKeyIdentifier.
    NoSubjectKeyId,
    /// Marks subjectKeyIdentifier critical.
    CriticalSubjectKeyId,
    /// Marks basicConstraints non-critical.
    NonCriticalBasicConstraints,
    /// Writes basicConstraints' DEFAULT cA FALSE explicitly (*not DER*).
    ExplicitCaFalse,
    /// Writes subjectKeyIdentifier's DEFAULT critical FALSE explicitly (*not
    /// DER*).
    ExplicitCriticalFalse,
}

impl CertSpec {
    /// The default root: `CN=mtattest Test Root,O=mtattest Test OEM`.
    pub fn root() -> CertSpec {
        CertSpec {
            subject: "CN=mtattest Test Root,O=mtattest Test OEM".to_string(),
            issuer_override: None,
            serial: 0x1001,
            not_before: ROOT_NOT_BEFORE,
            not_after: ROOT_NOT_AFTER,
            key: KeySpec::p384("root"),
            basic_constraints: Some((true, None)),
            key_usage: Some(UsageSpec {
                key_cert_sign: true,
                crl_sign: true,
                ..UsageSpec::default()
            }),
            unknown_critical_extension: false,
            signature_algorithm_override: None,
            corrupt_signature: false,
            duplicate_extension: false,
            outer_algorithm_differs: false,
            spki_override: None,
            key_identifiers: true,
            extra_extensions: Vec::new(),
            deviations: Vec::new(),
        }
    }

    fn deviates(&self, deviation: &Deviation) -> bool {
        self.deviations.contains(deviation)
    }

    /// The default intermediate (the OEM's attestation CA), pathLen 0.
    pub fn intermediate() -> CertSpec {
        CertSpec {
            subject: "CN=mtattest Test OEM Attestation CA,O=mtattest Test OEM".to_string(),
            serial: 0x2002,
            not_before: INTERMEDIATE_NOT_BEFORE,
            not_after: INTERMEDIATE_NOT_AFTER,
            key: KeySpec::p384("intermediate"),
            basic_constraints: Some((true, Some(0))),
            ..CertSpec::root()
        }
    }

    /// The default device attestation-key certificate.
    pub fn device() -> CertSpec {
        CertSpec {
            subject: "CN=mtattest Test Device Attestation Key,O=mtattest Test OEM".to_string(),
            serial: 0x3003,
            not_before: DEVICE_NOT_BEFORE,
            not_after: DEVICE_NOT_AFTER,
            key: KeySpec::p384("device"),
            basic_constraints: Some((false, None)),
            key_usage: Some(UsageSpec {
                digital_signature: true,
                ..UsageSpec::default()
            }),
            ..CertSpec::root()
        }
    }
}

/// An issued certificate with the spec it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    /// The spec.
    pub spec: CertSpec,
    /// The certificate, DER.
    pub der: Vec<u8>,
}

impl Issued {
    /// The certificate as PEM.
    pub fn pem(&self) -> String {
        pem_block("CERTIFICATE", &self.der)
    }

    /// A signer with the certificate's key.
    pub fn signer(&self) -> Result<SoftwareSigner, Error> {
        self.spec.key.signer()
    }

    /// The certificate's public key.
    pub fn public_key(&self) -> Result<PublicKey, Error> {
        Ok(self.signer()?.public_key())
    }
}

/// A root, an intermediate and a device certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestPki {
    /// The root (self-signed).
    pub root: Issued,
    /// The OEM intermediate, issued by the root.
    pub intermediate: Issued,
    /// The device attestation-key certificate, issued by the intermediate.
    pub device: Issued,
}

impl TestPki {
    /// The standard, valid PKI.
    pub fn standard() -> Result<TestPki, Error> {
        TestPki::from_specs(
            CertSpec::root(),
            CertSpec::intermediate(),
            CertSpec::device(),
        )
    }

    /// A PKI from three specs.
    pub fn from_specs(
        root: CertSpec,
        intermediate: CertSpec,
        device: CertSpec,
    ) -> Result<TestPki, Error> {
        let root_der = issue(&root, None)?;
        let intermediate_der = issue(&intermediate, Some(&root))?;
        let device_der = issue(&device, Some(&intermediate))?;
        Ok(TestPki {
            root: Issued {
                spec: root,
                der: root_der,
            },
            intermediate: Issued {
                spec: intermediate,
                der: intermediate_der,
            },
            device: Issued {
                spec: device,
                der: device_der,
            },
        })
    }

    /// The x5chain a device sends: device, intermediate (root omitted).
    pub fn chain(&self) -> Vec<Vec<u8>> {
        vec![self.device.der.clone(), self.intermediate.der.clone()]
    }

    /// The chain with the root included.
    pub fn chain_with_root(&self) -> Vec<Vec<u8>> {
        vec![
            self.device.der.clone(),
            self.intermediate.der.clone(),
            self.root.der.clone(),
        ]
    }

    /// A token over `claims` signed by the device key, carrying
    /// [`TestPki::chain`] in x5chain.
    pub fn token(&self, claims: &ClaimsSet, placement: HeaderPlacement) -> Result<Vec<u8>, Error> {
        TokenBuilder::new()
            .x5chain(self.chain(), placement)
            .sign(claims, &self.device.signer()?)
    }

    /// Writes the PKI to `dir` (created if needed): `root`, `intermediate`
    /// and `device` as `.der`, `.pem` and `.key.pem` (PKCS #8 private key),
    /// plus `chain.pem` (device then intermediate, the x5chain order).
    /// Returns the files written.
    pub fn write_to_dir(&self, dir: &Path) -> Result<Vec<PathBuf>, String> {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let mut files: Vec<(String, Vec<u8>)> = Vec::new();
        for (name, issued) in [
            ("root", &self.root),
            ("intermediate", &self.intermediate),
            ("device", &self.device),
        ] {
            files.push((format!("{name}.der"), issued.der.clone()));
            files.push((format!("{name}.pem"), issued.pem().into_bytes()));
            let key = issued
                .spec
                .key
                .private_key_pem()
                .map_err(|e| e.to_string())?;
            files.push((format!("{name}.key.pem"), key.into_bytes()));
        }
        let chain = format!("{}{}", self.device.pem(), self.intermediate.pem());
        files.push(("chain.pem".to_string(), chain.into_bytes()));
        let mut written = Vec::new();
        for (name, bytes) in files {
            let path = dir.join(name);
            std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
            written.push(path);
        }
        Ok(written)
    }
}

/// Why a CRL entry revokes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrlEntryReason {
    /// No reasonCode extension.
    Unspecified,
    /// keyCompromise.
    KeyCompromise,
    /// certificateHold (suspension).
    CertificateHold,
}

/// A CRL to issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrlSpec {
    /// `thisUpdate`, Unix seconds.
    pub this_update: i64,
    /// `nextUpdate`, Unix seconds; `None` leaves it out.
    pub next_update: Option<i64>,
    /// Revoked serial numbers and why.
    pub revoked: Vec<(u64, CrlEntryReason)>,
    /// Adds a critical CRL extension under [`UNKNOWN_EXTENSION_OID`].
    pub unknown_critical_extension: bool,
    /// Flips a bit of the signature after signing.
    pub corrupt_signature: bool,
}

/// A departure from the CRL profile of spec §10.5.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CrlDeviation {
    /// Writes version 1 (INTEGER 0) instead of 2.
    Version1,
    /// thisUpdate as GeneralizedTime whatever its year.
    GeneralizedThisUpdate,
    /// Writes the authorityKeyIdentifier extension's DEFAULT critical FALSE
    /// explicitly (*not DER*).
    ExplicitCriticalFalse,
}

/// Issues a CRL signed by `issuer`'s key, naming `issuer`'s subject.
pub fn issue_crl(issuer: &CertSpec, spec: &CrlSpec) -> Result<Vec<u8>, Error> {
    issue_crl_deviating(issuer, spec, &[])
}

/// Issues a CRL like [`issue_crl`] with `deviations` from the CRL profile,
/// for tests of their refusal.
pub fn issue_crl_deviating(
    issuer: &CertSpec,
    spec: &CrlSpec,
    deviations: &[CrlDeviation],
) -> Result<Vec<u8>, Error> {
    let revoked = spec
        .revoked
        .iter()
        .map(|(serial, reason)| {
            let code = match reason {
                CrlEntryReason::Unspecified => None,
                CrlEntryReason::KeyCompromise => Some(CrlReason::KeyCompromise),
                CrlEntryReason::CertificateHold => Some(CrlReason::CertificateHold),
            };
            let extensions = code
                .map(|code| extension(rfc5912::ID_CE_CRL_REASONS, false, &code))
                .transpose()?
                .map(|e| vec![e]);
            Ok(RevokedCert {
                serial_number: serial_number(*serial)?,
                revocation_date: time(spec.this_update)?,
                crl_entry_extensions: extensions,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let mut extensions = Vec::new();
    if issuer.key_identifiers {
        extensions.push(aki_extension(&issuer.key)?);
    }
    if spec.unknown_critical_extension {
        extensions.push(extension(unknown_oid()?, true, &Null)?);
    }
    let algorithm = signature_algorithm(issuer, None);
    let deviates = |d: &CrlDeviation| deviations.contains(d);
    let this_update = if deviates(&CrlDeviation::GeneralizedThisUpdate) {
        let secs = u64::try_from(spec.this_update)
            .map_err(|_| der_error(der::ErrorKind::DateTime.into()))?;
        Time::GeneralTime(
            GeneralizedTime::from_unix_duration(Duration::from_secs(secs)).map_err(der_error)?,
        )
    } else {
        time(spec.this_update)?
    };
    let tbs = TbsCertList {
        version: if deviates(&CrlDeviation::Version1) {
            Version::V1
        } else {
            Version::V2
        },
        signature: algorithm.clone(),
        issuer: name(&issuer.subject)?,
        this_update,
        next_update: spec.next_update.map(time).transpose()?,
        revoked_certificates: (!revoked.is_empty()).then_some(revoked),
        crl_extensions: (!extensions.is_empty()).then_some(extensions),
    };
    let mut tbs_der = tbs.to_der().map_err(der_error)?;
    if deviates(&CrlDeviation::ExplicitCriticalFalse) {
        tbs_der = explicit_critical_false(
            tbs_der,
            TagNumber::N0,
            rfc5912::ID_CE_AUTHORITY_KEY_IDENTIFIER,
        )?;
    }
    let signature = sign(&issuer.key, &tbs_der, spec.corrupt_signature)?;
    signed_sequence(&tbs_der, &algorithm, &signature)
}

/// `SEQUENCE { tbs, signatureAlgorithm, signature }` (a certificate or a
/// CRL), with the TBS as signed (it may not be DER).
fn signed_sequence(
    tbs_der: &[u8],
    algorithm: &AlgorithmIdentifierOwned,
    signature: &BitString,
) -> Result<Vec<u8>, Error> {
    vec![
        Any::from_der(tbs_der).map_err(der_error)?,
        Any::encode_from(algorithm).map_err(der_error)?,
        Any::encode_from(signature).map_err(der_error)?,
    ]
    .to_der()
    .map_err(der_error)
}

/// Issues a certificate for `spec`, signed by `issuer` (self-signed if
/// `None`).
pub fn issue(spec: &CertSpec, issuer: Option<&CertSpec>) -> Result<Vec<u8>, Error> {
    let signer_spec = issuer.unwrap_or(spec);
    let spki = match &spec.spki_override {
        Some(der) => SubjectPublicKeyInfoOwned::from_der(der).map_err(der_error)?,
        None => subject_public_key_info(&spec.key)?,
    };
    let extensions = extensions(spec, issuer, signer_spec)?;
    let algorithm = signature_algorithm(signer_spec, spec.signature_algorithm_override);
    let issuer_name = match (&spec.issuer_override, issuer) {
        _ if spec.deviates(&Deviation::EmptyIssuer) => Name::default(),
        (Some(name_override), _) => name(name_override)?,
        (None, Some(issuer)) => name(&issuer.subject)?,
        (None, None) => name(&spec.subject)?,
    };
    let mut version = Version::V3;
    let mut serial = serial_number(spec.serial)?;
    let mut not_before = time(spec.not_before)?;
    let mut subject = name(&spec.subject)?;
    let mut unique_id = None;
    for deviation in &spec.deviations {
        match deviation {
            Deviation::Version(1) => version = Version::V1,
            Deviation::Version(2) => version = Version::V2,
            Deviation::SerialOctets(octets) => {
                let int = Int::new(octets).map_err(der_error)?;
                serial =
                    SerialNumber::from_der(&int.to_der().map_err(der_error)?).map_err(der_error)?;
            }
            Deviation::EmptySubject => subject = Name::default(),
            Deviation::EmptyRdnInSubject => subject
                .0
                .insert(0, x509_cert::name::RelativeDistinguishedName::default()),
            Deviation::GeneralizedNotBefore => {
                let secs = u64::try_from(spec.not_before)
                    .map_err(|_| der_error(der::ErrorKind::DateTime.into()))?;
                not_before = Time::GeneralTime(
                    GeneralizedTime::from_unix_duration(Duration::from_secs(secs))
                        .map_err(der_error)?,
                );
            }
            Deviation::UniqueIdentifiers => {
                unique_id = Some(BitString::from_bytes(&[0x5a, 0xa5]).map_err(der_error)?);
            }
            _ => {}
        }
    }
    let extensions = if spec.deviates(&Deviation::NoExtensions) {
        None
    } else if spec.deviates(&Deviation::EmptyExtensions) {
        Some(Vec::new())
    } else {
        (!extensions.is_empty()).then_some(extensions)
    };
    let tbs = TbsCertificate {
        version,
        serial_number: serial,
        signature: algorithm.clone(),
        issuer: issuer_name,
        validity: Validity {
            not_before,
            not_after: time(spec.not_after)?,
        },
        subject,
        subject_public_key_info: spki,
        issuer_unique_id: unique_id.clone(),
        subject_unique_id: unique_id,
        extensions,
    };
    let tbs_der = not_der(spec, tbs.to_der().map_err(der_error)?)?;
    let signature = sign(&signer_spec.key, &tbs_der, spec.corrupt_signature)?;
    let outer_algorithm = if spec.outer_algorithm_differs {
        let other = if algorithm.oid == rfc5912::ECDSA_WITH_SHA_384 {
            SigAlgSpec::EcdsaSha256
        } else {
            SigAlgSpec::EcdsaSha384
        };
        signature_algorithm(signer_spec, Some(other))
    } else {
        algorithm
    };
    signed_sequence(&tbs_der, &outer_algorithm, &signature)
}

/// The extensions of `spec`, in the order basicConstraints, keyUsage,
/// subjectKeyIdentifier, authorityKeyIdentifier, the unknown critical one,
/// then the extra ones.
fn extensions(
    spec: &CertSpec,
    issuer: Option<&CertSpec>,
    signer_spec: &CertSpec,
) -> Result<Vec<Extension>, Error> {
    let mut extensions = Vec::new();
    if let Some((ca, path_len)) = spec.basic_constraints {
        let critical = !spec.deviates(&Deviation::NonCriticalBasicConstraints);
        let value = BasicConstraints {
            ca,
            path_len_constraint: path_len,
        };
        let mut ext = extension(rfc5912::ID_CE_BASIC_CONSTRAINTS, critical, &value)?;
        if spec.deviates(&Deviation::ExplicitCaFalse) && !ca && path_len.is_none() {
            // SEQUENCE { BOOLEAN FALSE }: the DEFAULT written out.
            ext.extn_value = octets(vec![false].to_der().map_err(der_error)?)?;
        }
        extensions.push(ext);
    }
    if let Some(usage) = spec.key_usage {
        let mut bits = der::flagset::FlagSet::<KeyUsages>::default();
        if usage.digital_signature {
            bits |= KeyUsages::DigitalSignature;
        }
        if usage.key_cert_sign {
            bits |= KeyUsages::KeyCertSign;
        }
        if usage.crl_sign {
            bits |= KeyUsages::CRLSign;
        }
        extensions.push(extension(rfc5912::ID_CE_KEY_USAGE, true, &KeyUsage(bits))?);
        if spec.duplicate_extension {
            extensions.push(extension(rfc5912::ID_CE_KEY_USAGE, true, &KeyUsage(bits))?);
        }
    }
    if spec.key_identifiers {
        if !spec.deviates(&Deviation::NoSubjectKeyId) {
            let ski = SubjectKeyIdentifier(octets(key_identifier(&spec.key)?)?);
            let critical = spec.deviates(&Deviation::CriticalSubjectKeyId);
            extensions.push(extension(
                rfc5912::ID_CE_SUBJECT_KEY_IDENTIFIER,
                critical,
                &ski,
            )?);
        }
        if issuer.is_some_and(|i| i.key_identifiers) && !spec.deviates(&Deviation::NoAuthorityKeyId)
        {
            let mut aki = aki_extension(&signer_spec.key)?;
            aki.critical = spec.deviates(&Deviation::CriticalAuthorityKeyId);
            if spec.deviates(&Deviation::AuthorityKeyIdWithoutKeyId) {
                let issuer_name = name(&signer_spec.subject)?;
                let value = AuthorityKeyIdentifier {
                    key_identifier: None,
                    authority_cert_issuer: Some(vec![
                        x509_cert::ext::pkix::name::GeneralName::DirectoryName(issuer_name),
                    ]),
                    authority_cert_serial_number: Some(serial_number(signer_spec.serial)?),
                };
                aki.extn_value = octets(value.to_der().map_err(der_error)?)?;
            }
            extensions.push(aki);
        }
    }
    if spec.unknown_critical_extension {
        extensions.push(extension(unknown_oid()?, true, &Null)?);
    }
    for extra in &spec.extra_extensions {
        extensions.push(Extension {
            extn_id: ObjectIdentifier::new(&extra.oid).map_err(|e| der_error(e.into()))?,
            critical: extra.critical,
            extn_value: octets(extra.value.clone())?,
        });
    }
    Ok(extensions)
}

/// Applies the *not DER* deviations to the encoded TBS, re-encoding it
/// element by element with `der`.
fn not_der(spec: &CertSpec, mut tbs_der: Vec<u8>) -> Result<Vec<u8>, Error> {
    if spec.deviates(&Deviation::ExplicitCriticalFalse) {
        tbs_der = explicit_critical_false(
            tbs_der,
            TagNumber::N3,
            rfc5912::ID_CE_SUBJECT_KEY_IDENTIFIER,
        )?;
    }
    if spec.deviates(&Deviation::ExplicitDefaultVersion) {
        let mut fields = Vec::<Any>::from_der(&tbs_der).map_err(der_error)?;
        let field = ContextSpecific {
            tag_number: TagNumber::N0,
            tag_mode: TagMode::Explicit,
            value: Version::V1,
        };
        fields.insert(0, Any::encode_from(&field).map_err(der_error)?);
        tbs_der = fields.to_der().map_err(der_error)?;
    }
    Ok(tbs_der)
}

/// Rewrites the non-critical extension `oid` of a TBS whose last field is
/// `[tag] EXPLICIT Extensions` as `SEQUENCE { extnID, BOOLEAN FALSE,
/// extnValue }`: the DEFAULT written out.
fn explicit_critical_false(
    tbs_der: Vec<u8>,
    tag: TagNumber,
    oid: ObjectIdentifier,
) -> Result<Vec<u8>, Error> {
    let failed = || der_error(der::ErrorKind::Failed.into());
    let mut fields = Vec::<Any>::from_der(&tbs_der).map_err(der_error)?;
    let last = fields.pop().ok_or_else(failed)?;
    let list = Vec::<Extension>::from_der(last.value()).map_err(der_error)?;
    let mut rewritten = Vec::with_capacity(list.len());
    for ext in list {
        let any = if ext.extn_id == oid && !ext.critical {
            let parts = vec![
                Any::encode_from(&ext.extn_id).map_err(der_error)?,
                Any::encode_from(&false).map_err(der_error)?,
                Any::encode_from(&ext.extn_value).map_err(der_error)?,
            ];
            Any::from_der(&parts.to_der().map_err(der_error)?).map_err(der_error)?
        } else {
            Any::encode_from(&ext).map_err(der_error)?
        };
        rewritten.push(any);
    }
    let field = ContextSpecific {
        tag_number: tag,
        tag_mode: TagMode::Explicit,
        value: rewritten,
    };
    fields.push(Any::encode_from(&field).map_err(der_error)?);
    fields.to_der().map_err(der_error)
}

fn der_error(e: der::Error) -> Error {
    CryptoError::SigningFailed {
        reason: format!("test PKI encoding: {e}"),
    }
    .into()
}

fn unknown_oid() -> Result<ObjectIdentifier, Error> {
    ObjectIdentifier::new(UNKNOWN_EXTENSION_OID).map_err(|e| der_error(e.into()))
}

fn name(rfc4514: &str) -> Result<Name, Error> {
    Name::from_str(rfc4514).map_err(der_error)
}

fn octets(bytes: Vec<u8>) -> Result<OctetString, Error> {
    OctetString::new(bytes).map_err(der_error)
}

fn serial_number(serial: u64) -> Result<SerialNumber, Error> {
    // A leading zero byte keeps the INTEGER positive; `SerialNumber::new`
    // strips what DER does not allow.
    let mut bytes = vec![0u8];
    bytes.extend_from_slice(&serial.to_be_bytes());
    let first = bytes
        .iter()
        .position(|b| *b != 0)
        .unwrap_or(bytes.len() - 1);
    let mut trimmed: Vec<u8> = bytes.get(first..).map(<[u8]>::to_vec).unwrap_or_default();
    if trimmed.first().is_some_and(|b| b & 0x80 != 0) {
        trimmed.insert(0, 0);
    }
    SerialNumber::new(&trimmed).map_err(der_error)
}

fn time(unix: i64) -> Result<Time, Error> {
    let secs = u64::try_from(unix).map_err(|_| der_error(der::ErrorKind::DateTime.into()))?;
    let duration = Duration::from_secs(secs);
    // RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050.
    if unix < 2_524_608_000 {
        Ok(Time::UtcTime(
            UtcTime::from_unix_duration(duration).map_err(der_error)?,
        ))
    } else {
        Ok(Time::GeneralTime(
            GeneralizedTime::from_unix_duration(duration).map_err(der_error)?,
        ))
    }
}

fn extension(
    oid: ObjectIdentifier,
    critical: bool,
    value: &impl Encode,
) -> Result<Extension, Error> {
    Ok(Extension {
        extn_id: oid,
        critical,
        extn_value: octets(value.to_der().map_err(der_error)?)?,
    })
}

fn aki_extension(issuer_key: &KeySpec) -> Result<Extension, Error> {
    let aki = AuthorityKeyIdentifier {
        key_identifier: Some(octets(key_identifier(issuer_key)?)?),
        authority_cert_issuer: None,
        authority_cert_serial_number: None,
    };
    extension(rfc5912::ID_CE_AUTHORITY_KEY_IDENTIFIER, false, &aki)
}

fn public_sec1(key: &KeySpec) -> Result<Vec<u8>, Error> {
    Ok(key.signer()?.public_key().sec1().to_vec())
}

/// RFC 7093 method 1: the leftmost 160 bits of SHA-256 of the key.
fn key_identifier(key: &KeySpec) -> Result<Vec<u8>, Error> {
    let digest = sha2::Sha256::digest(public_sec1(key)?);
    Ok(digest.iter().take(20).copied().collect())
}

fn subject_public_key_info(key: &KeySpec) -> Result<SubjectPublicKeyInfoOwned, Error> {
    let curve = match key.curve {
        Curve::P384 => rfc5912::SECP_384_R_1,
        Curve::P256 => rfc5912::SECP_256_R_1,
    };
    Ok(SubjectPublicKeyInfoOwned {
        algorithm: AlgorithmIdentifierOwned {
            oid: rfc5912::ID_EC_PUBLIC_KEY,
            parameters: Some(der::Any::encode_from(&curve).map_err(der_error)?),
        },
        subject_public_key: BitString::from_bytes(&public_sec1(key)?).map_err(der_error)?,
    })
}

fn signature_algorithm(
    signer: &CertSpec,
    name_override: Option<SigAlgSpec>,
) -> AlgorithmIdentifierOwned {
    let native = match signer.key.curve {
        Curve::P384 => SigAlgSpec::EcdsaSha384,
        Curve::P256 => SigAlgSpec::EcdsaSha256,
    };
    let oid = match name_override.unwrap_or(native) {
        SigAlgSpec::EcdsaSha256 => rfc5912::ECDSA_WITH_SHA_256,
        SigAlgSpec::EcdsaSha384 => rfc5912::ECDSA_WITH_SHA_384,
    };
    AlgorithmIdentifierOwned {
        oid,
        parameters: None,
    }
}

/// Signs with the key's native hash (RFC 6979) and encodes the DER
/// `Ecdsa-Sig-Value` as a BIT STRING.
fn sign(key: &KeySpec, tbs: &[u8], corrupt: bool) -> Result<BitString, Error> {
    let mut raw = key.signer()?.sign(tbs)?;
    if corrupt {
        if let Some(byte) = raw.get_mut(10) {
            *byte ^= 0x01;
        }
    }
    let der = match key.curve {
        Curve::P384 => {
            p384::ecdsa::Signature::from_slice(&raw).map(|s| s.to_der().as_bytes().to_vec())
        }
        Curve::P256 => {
            p256::ecdsa::Signature::from_slice(&raw).map(|s| s.to_der().as_bytes().to_vec())
        }
    }
    .map_err(|_| CryptoError::SigningFailed {
        reason: "signature out of range".to_string(),
    })?;
    BitString::from_bytes(&der).map_err(der_error)
}

fn pem_block(label: &str, der: &[u8]) -> String {
    der::pem::encode_string(label, der::pem::LineEnding::LF, der).unwrap_or_default()
}
