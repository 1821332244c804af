//! One certificate, parsed once into exactly what path validation needs.
//!
//! Parsing uses `x509-cert`, then insists on the distinguished encoding: the
//! certificate must re-encode to exactly the bytes received (so an
//! explicitly encoded DEFAULT value, such as version v1 or `critical FALSE`,
//! is refused). The value of every extension RFC 5280 §4.2 defines must
//! decode as its type; whether it is also DER is recorded and is a profile
//! check (`Check::ExtensionEncoding`), because real producers get one case
//! wrong (keyUsage with trailing zero bits, as GnuTLS and some Android
//! Keymaster versions write it). The to-be-signed bytes are sliced from the
//! received DER, so the signature is checked over exactly the bytes that
//! were signed.
//!
//! What is refused here is refused as `chain.malformed` whatever the
//! profile: it is not a well-formed certificate. Whether a well-formed
//! certificate follows the profile is decided by `profile`, from the facts
//! recorded here.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use der::asn1::ObjectIdentifier;
use der::oid::db::rfc5912;
use der::{Decode, Encode, Header, Reader, SliceReader};
use x509_cert::ext::pkix::{
    AuthorityInfoAccessSyntax, AuthorityKeyIdentifier, BasicConstraints, CertificatePolicies,
    CrlDistributionPoints, ExtendedKeyUsage, FreshestCrl, IssuerAltName, KeyUsage, NameConstraints,
    PolicyConstraints, PolicyMappings, SubjectAltName, SubjectInfoAccessSyntax,
    SubjectKeyIdentifier,
};
use x509_cert::name::Name;
use x509_cert::time::Time;
use x509_cert::{Certificate, Version};

use super::name::names_match;
use crate::crypto::{
    self, Algorithm, CryptoProvider, Curve, HashAlgorithm, PublicKey, RsaPublicKey,
};

/// A signature algorithm as named in a certificate or CRL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SigAlg {
    EcdsaSha256,
    EcdsaSha384,
    /// sha256WithRSAEncryption: only where the profile relaxes
    /// [`Check::SignatureAlgorithm`](super::profile::Check::SignatureAlgorithm).
    RsaSha256,
}

/// A certificate's key: an EC key of §10.2, or an RSA key, which only an
/// issuer in a path whose profile allows RSA signatures can use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CertKey {
    Ec(PublicKey),
    Rsa(RsaPublicKey),
}

impl CertKey {
    /// The EC key, the only kind that can verify a token.
    pub(crate) fn ec(&self) -> Option<&PublicKey> {
        match self {
            CertKey::Ec(key) => Some(key),
            CertKey::Rsa(_) => None,
        }
    }
}

/// Why a certificate's key cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum KeyProblem {
    /// Not an EC key on P-256 or P-384, nor an RSA key.
    Unsupported(String),
    /// A key whose encoding, point or size is invalid.
    Invalid(String),
}

/// A certificate's EC key as encoded: its curve and a SEC1 point in a form
/// RFC 5480 allows. Whether the point is on the curve is the crypto
/// provider's to say, when the key is used ([`EncodedKey::checked`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EncodedKey {
    pub(crate) curve: Curve,
    pub(crate) point: Vec<u8>,
}

impl EncodedKey {
    /// The key, its point checked by `crypto`.
    pub(crate) fn checked(&self, crypto: &dyn CryptoProvider) -> Result<PublicKey, KeyProblem> {
        PublicKey::from_sec1(self.curve, &self.point, crypto)
            .map_err(|_| KeyProblem::Invalid(format!("not a valid {} point", self.curve.name())))
    }
}

/// A certificate's key as encoded: an EC key whose point the crypto
/// provider has yet to check, or an RSA key (spec §17.3.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum EncodedCertKey {
    Ec(EncodedKey),
    Rsa(RsaPublicKey),
}

impl EncodedCertKey {
    /// The key, an EC point checked by `crypto`.
    pub(crate) fn checked(&self, crypto: &dyn CryptoProvider) -> Result<CertKey, KeyProblem> {
        match self {
            EncodedCertKey::Ec(key) => key.checked(crypto).map(CertKey::Ec),
            EncodedCertKey::Rsa(key) => Ok(CertKey::Rsa(key.clone())),
        }
    }
}

/// The parts of an authorityKeyIdentifier the profile looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AuthorityKeyId {
    pub(crate) key_id: Option<Vec<u8>>,
    pub(crate) has_issuer: bool,
    pub(crate) has_serial: bool,
}

/// A parsed certificate. Problems that only matter if the certificate ends
/// up in the validated path (key, algorithm, profile rules) are kept and
/// reported then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cert {
    pub(crate) der: Vec<u8>,
    pub(crate) tbs: Vec<u8>,
    pub(crate) version: Version,
    /// The serial number's INTEGER content octets, as encoded.
    pub(crate) serial: Vec<u8>,
    pub(crate) serial_hex: String,
    pub(crate) subject: Name,
    pub(crate) issuer: Name,
    pub(crate) spki: Vec<u8>,
    pub(crate) not_before: i64,
    pub(crate) not_after: i64,
    /// The first validity field (`notBefore`, `notAfter`) written as
    /// GeneralizedTime although its year is in 1950..=2049.
    pub(crate) generalized_time_before_2050: Option<&'static str>,
    pub(crate) has_unique_id: bool,
    pub(crate) key: Result<EncodedCertKey, KeyProblem>,
    /// The signature algorithm, or the unsupported algorithm's description.
    pub(crate) sig_alg: Result<SigAlg, String>,
    /// The signature: DER `Ecdsa-Sig-Value` for ECDSA, the raw signature
    /// for RSA.
    pub(crate) signature: Vec<u8>,
    /// Every extension's OID and criticality, in certificate order.
    pub(crate) extensions: Vec<(ObjectIdentifier, bool)>,
    /// Every extension's value (the content of extnValue), in the order
    /// of `extensions`.
    pub(crate) extension_values: Vec<Vec<u8>>,
    pub(crate) basic_constraints: Option<BasicConstraints>,
    pub(crate) key_usage: Option<KeyUsage>,
    pub(crate) ski: Option<Vec<u8>>,
    pub(crate) aki: Option<AuthorityKeyId>,
    /// Whether extKeyUsage (when present) lists anyExtendedKeyUsage.
    pub(crate) eku_allows_any: bool,
    /// The first extension whose value decodes but is not DER.
    pub(crate) non_der_extension: Option<ObjectIdentifier>,
}

impl Cert {
    /// Parses a DER certificate. The error is a reason for `chain.malformed`.
    pub(crate) fn parse(der: &[u8]) -> Result<Cert, String> {
        let cert = Certificate::from_der(der).map_err(|e| format!("not DER X.509: {e}"))?;
        if cert.to_der().ok().as_deref() != Some(der) {
            return Err(
                "not DER: the certificate is not in its distinguished encoding (e.g. an \
                 explicitly encoded DEFAULT value such as version v1 or critical FALSE)"
                    .to_string(),
            );
        }
        let tbs = tbs_slice(der).map_err(|e| format!("not DER X.509: {e}"))?;
        let t = &cert.tbs_certificate;
        if cert.signature_algorithm != t.signature {
            return Err("signatureAlgorithm differs from the TBS signature field".to_string());
        }
        // RFC 5280 §4.1: extensions only in v3, unique identifiers from v2.
        if t.version != Version::V3 && t.extensions.is_some() {
            return Err(format!(
                "extensions in a version {} certificate",
                version_number(t.version)
            ));
        }
        let has_unique_id = t.issuer_unique_id.is_some() || t.subject_unique_id.is_some();
        if t.version == Version::V1 && has_unique_id {
            return Err("a unique identifier in a version 1 certificate".to_string());
        }
        for (field, name) in [("issuer", &t.issuer), ("subject", &t.subject)] {
            if name.0.iter().any(|rdn| rdn.0.is_empty()) {
                return Err(format!("{field} name has an empty RDN"));
            }
        }
        let sig_alg = signature_algorithm(&cert.signature_algorithm);
        let signature = cert
            .signature
            .as_bytes()
            .ok_or("signature BIT STRING has unused bits")?
            .to_vec();
        let not_before = unix_seconds(t.validity.not_before)?;
        let not_after = unix_seconds(t.validity.not_after)?;
        let generalized_time_before_2050 = [
            ("notBefore", t.validity.not_before),
            ("notAfter", t.validity.not_after),
        ]
        .into_iter()
        .find(|(_, time)| generalized_before_2050(time))
        .map(|(field, _)| field);
        let spki = t
            .subject_public_key_info
            .to_der()
            .map_err(|e| format!("subjectPublicKeyInfo: {e}"))?;
        let key = public_key(&t.subject_public_key_info);

        let mut parsed = Cert {
            der: der.to_vec(),
            tbs,
            version: t.version,
            serial: t.serial_number.as_bytes().to_vec(),
            serial_hex: serial_hex(t.serial_number.as_bytes()),
            subject: t.subject.clone(),
            issuer: t.issuer.clone(),
            spki,
            not_before,
            not_after,
            generalized_time_before_2050,
            has_unique_id,
            key,
            sig_alg,
            signature,
            extensions: Vec::new(),
            extension_values: Vec::new(),
            basic_constraints: None,
            key_usage: None,
            ski: None,
            aki: None,
            eku_allows_any: false,
            non_der_extension: None,
        };
        if t.extensions.as_ref().is_some_and(Vec::is_empty) {
            return Err("empty extensions (RFC 5280: SIZE (1..MAX))".to_string());
        }
        for ext in t.extensions.iter().flatten() {
            if parsed.extension(ext.extn_id).is_some() {
                return Err(format!("extension {} appears twice", ext.extn_id));
            }
            parsed.extensions.push((ext.extn_id, ext.critical));
            parsed
                .extension_values
                .push(ext.extn_value.as_bytes().to_vec());
            parsed
                .read_extension(ext.extn_id, ext.extn_value.as_bytes())
                .map_err(|e| format!("extension {}: {e}", ext.extn_id))?;
        }
        Ok(parsed)
    }

    /// Decodes the value of an extension RFC 5280 §4.2 defines and keeps
    /// what the profile uses. A value that does not decode is malformed; one
    /// that decodes but is not in its distinguished encoding is recorded for
    /// [`Check::ExtensionEncoding`](super::profile::Check::ExtensionEncoding).
    /// Other extensions are opaque.
    fn read_extension(&mut self, oid: ObjectIdentifier, value: &[u8]) -> Result<(), String> {
        let mut canonical = true;
        let c = &mut canonical;
        match oid {
            rfc5912::ID_CE_BASIC_CONSTRAINTS => {
                self.basic_constraints = Some(read(value, c)?);
            }
            rfc5912::ID_CE_KEY_USAGE => {
                let usage: KeyUsage = read(value, c)?;
                if usage.0.is_empty() {
                    return Err("keyUsage asserts no usage (RFC 5280 §4.2.1.3)".to_string());
                }
                self.key_usage = Some(usage);
            }
            rfc5912::ID_CE_SUBJECT_KEY_IDENTIFIER => {
                let ski: SubjectKeyIdentifier = read(value, c)?;
                self.ski = Some(ski.0.as_bytes().to_vec());
            }
            rfc5912::ID_CE_AUTHORITY_KEY_IDENTIFIER => {
                let aki: AuthorityKeyIdentifier = read(value, c)?;
                self.aki = Some(AuthorityKeyId {
                    key_id: aki.key_identifier.map(|k| k.as_bytes().to_vec()),
                    has_issuer: aki.authority_cert_issuer.is_some(),
                    has_serial: aki.authority_cert_serial_number.is_some(),
                });
            }
            rfc5912::ID_CE_EXT_KEY_USAGE => {
                let eku: ExtendedKeyUsage = read(value, c)?;
                non_empty(&eku.0)?;
                self.eku_allows_any = eku.0.contains(&rfc5912::ANY_EXTENDED_KEY_USAGE);
            }
            rfc5912::ID_CE_SUBJECT_ALT_NAME => non_empty(&read::<SubjectAltName>(value, c)?.0)?,
            rfc5912::ID_CE_ISSUER_ALT_NAME => non_empty(&read::<IssuerAltName>(value, c)?.0)?,
            rfc5912::ID_CE_NAME_CONSTRAINTS => {
                read::<NameConstraints>(value, c)?;
            }
            rfc5912::ID_CE_CERTIFICATE_POLICIES => {
                non_empty(&read::<CertificatePolicies>(value, c)?.0)?
            }
            rfc5912::ID_CE_POLICY_MAPPINGS => non_empty(&read::<PolicyMappings>(value, c)?.0)?,
            rfc5912::ID_CE_POLICY_CONSTRAINTS => {
                read::<PolicyConstraints>(value, c)?;
            }
            rfc5912::ID_CE_INHIBIT_ANY_POLICY => {
                read::<der::asn1::Uint>(value, c)?;
            }
            rfc5912::ID_CE_CRL_DISTRIBUTION_POINTS => {
                non_empty(&read::<CrlDistributionPoints>(value, c)?.0)?
            }
            rfc5912::ID_CE_FRESHEST_CRL => non_empty(&read::<FreshestCrl>(value, c)?.0)?,
            rfc5912::ID_PE_AUTHORITY_INFO_ACCESS => {
                non_empty(&read::<AuthorityInfoAccessSyntax>(value, c)?.0)?
            }
            rfc5912::ID_PE_SUBJECT_INFO_ACCESS => {
                non_empty(&read::<SubjectInfoAccessSyntax>(value, c)?.0)?
            }
            _ => {}
        }
        if !canonical && self.non_der_extension.is_none() {
            self.non_der_extension = Some(oid);
        }
        Ok(())
    }

    /// Whether the certificate has the extension, and if so whether it is
    /// marked critical.
    pub(crate) fn extension(&self, oid: ObjectIdentifier) -> Option<bool> {
        self.extensions
            .iter()
            .find(|(id, _)| *id == oid)
            .map(|(_, critical)| *critical)
    }

    /// The value of the extension `oid`, if the certificate has it.
    pub(crate) fn extension_value(&self, oid: ObjectIdentifier) -> Option<&[u8]> {
        self.extensions
            .iter()
            .position(|(id, _)| *id == oid)
            .and_then(|i| self.extension_values.get(i))
            .map(Vec::as_slice)
    }

    /// Whether basicConstraints says cA TRUE.
    pub(crate) fn is_ca(&self) -> bool {
        self.basic_constraints.as_ref().is_some_and(|bc| bc.ca)
    }

    /// The keyIdentifier of the authorityKeyIdentifier, if any.
    pub(crate) fn aki_key_id(&self) -> Option<&[u8]> {
        self.aki.as_ref().and_then(|a| a.key_id.as_deref())
    }

    /// Whether issuer and subject are the same name (RFC 5280 "self-issued").
    pub(crate) fn is_self_issued(&self) -> bool {
        names_match(&self.issuer, &self.subject)
    }

    /// Whether `self` and `other` are the same certificate or carry the same
    /// subject and key (a loop).
    pub(crate) fn same_entity(&self, other: &Cert) -> bool {
        self.der == other.der
            || (self.spki == other.spki && names_match(&self.subject, &other.subject))
    }

    /// Whether `self`'s issuer field and authority key identifier fit `issuer`.
    pub(crate) fn issuer_matches(&self, issuer: &Cert) -> Result<(), &'static str> {
        if !names_match(&self.issuer, &issuer.subject) {
            return Err("issuer name differs from the next certificate's subject");
        }
        match (self.aki_key_id(), &issuer.ski) {
            (Some(aki), Some(ski)) if aki != ski.as_slice() => Err(
                "authority key identifier differs from the next certificate's subject key identifier",
            ),
            _ => Ok(()),
        }
    }
}

/// The version as people write it (v1 is 1).
pub(crate) fn version_number(version: Version) -> u8 {
    match version {
        Version::V1 => 1,
        Version::V2 => 2,
        Version::V3 => 3,
    }
}

/// Decodes `value` as `T` and says whether it is `T`'s distinguished
/// encoding: `der` accepts some non-DER forms (an explicitly encoded
/// DEFAULT, a named bit list with trailing zero bits or unknown bits), which
/// re-encoding exposes.
fn decode_value<T: for<'a> Decode<'a> + Encode>(value: &[u8]) -> Result<(T, bool), String> {
    let decoded = T::from_der(value).map_err(|e| e.to_string())?;
    let canonical = decoded.to_der().ok().as_deref() == Some(value);
    Ok((decoded, canonical))
}

/// Decodes `value` as `T`, clearing `canonical` if it is not DER.
fn read<T: for<'a> Decode<'a> + Encode>(value: &[u8], canonical: &mut bool) -> Result<T, String> {
    let (decoded, is_der) = decode_value(value)?;
    *canonical &= is_der;
    Ok(decoded)
}

/// Decodes `value` as `T`, refusing anything but its distinguished encoding.
pub(crate) fn strict<T: for<'a> Decode<'a> + Encode>(value: &[u8]) -> Result<T, String> {
    match decode_value(value)? {
        (decoded, true) => Ok(decoded),
        (_, false) => Err("value is not in its distinguished (DER) encoding".to_string()),
    }
}

/// RFC 5280 declares these sequences `SIZE (1..MAX)`.
fn non_empty<T>(items: &[T]) -> Result<(), String> {
    if items.is_empty() {
        return Err("empty sequence (RFC 5280: SIZE (1..MAX))".to_string());
    }
    Ok(())
}

/// RFC 5280 §4.1.2.5: dates through 2049 are UTCTime; GeneralizedTime is for
/// 2050 on (and before 1950, which UTCTime cannot express).
pub(crate) fn generalized_before_2050(time: &Time) -> bool {
    match time {
        Time::GeneralTime(t) => (1950..2050).contains(&t.to_date_time().year()),
        Time::UtcTime(_) => false,
    }
}

/// Checks a signature made by `issuer_key` over `tbs` with the algorithm
/// named `sig_alg`: for ECDSA the DER `Ecdsa-Sig-Value` `der_signature`.
///
/// A P-384 key must sign with ecdsa-with-SHA384 and a P-256 key with
/// ecdsa-with-SHA256. When `relaxed` (the profile relaxes
/// `Check::SignatureAlgorithm` for the signed certificate) an EC key may
/// also sign with the other curve's hash, and an RSA key with
/// sha256WithRSAEncryption. `Err(reason)` reports an algorithm that is refused,
/// `Ok(false)` a signature that does not verify (including one that is not
/// valid DER).
pub(crate) fn check_signature(
    issuer_key: &CertKey,
    sig_alg: &Result<SigAlg, String>,
    tbs: &[u8],
    der_signature: &[u8],
    relaxed: bool,
    crypto: &dyn CryptoProvider,
) -> Result<bool, String> {
    let alg = match sig_alg {
        Err(name) => return Err(format!("signature algorithm {name} is not supported")),
        Ok(alg) => *alg,
    };
    let issuer_key = match (issuer_key, alg) {
        (CertKey::Rsa(key), SigAlg::RsaSha256) if relaxed => {
            return Ok(crypto.verify_rsa_pkcs1_sha256(key, tbs, der_signature));
        }
        (CertKey::Rsa(_), SigAlg::RsaSha256) => {
            return Err(
                "sha256WithRSAEncryption is outside the profile's algorithms (§10.2)".to_string(),
            )
        }
        (CertKey::Rsa(_), _) => {
            return Err("an RSA issuer must sign with sha256WithRSAEncryption".to_string())
        }
        (CertKey::Ec(_), SigAlg::RsaSha256) => {
            return Err("an EC issuer must not sign with sha256WithRSAEncryption".to_string())
        }
        (CertKey::Ec(key), alg)
            if relaxed
                && !matches!(
                    (key.curve(), alg),
                    (Curve::P384, SigAlg::EcdsaSha384) | (Curve::P256, SigAlg::EcdsaSha256)
                ) =>
        {
            let hash = match alg {
                SigAlg::EcdsaSha384 => HashAlgorithm::Sha384,
                _ => HashAlgorithm::Sha256,
            };
            return Ok(crypto.verify_ecdsa_der(key, hash, tbs, der_signature));
        }
        (CertKey::Ec(key), _) => key,
    };
    let algorithm = match (issuer_key.curve(), alg) {
        (Curve::P384, SigAlg::EcdsaSha384) => Algorithm::Es384,
        (Curve::P256, SigAlg::EcdsaSha256) => Algorithm::Es256,
        (curve, alg) => {
            return Err(format!(
                "a {} issuer must not sign with {}",
                curve.name(),
                match alg {
                    SigAlg::EcdsaSha256 => "ecdsa-with-SHA256",
                    SigAlg::EcdsaSha384 => "ecdsa-with-SHA384",
                    SigAlg::RsaSha256 => "sha256WithRSAEncryption",
                }
            ))
        }
    };
    let Some(raw) = crypto::ecdsa_signature_from_der(algorithm, der_signature) else {
        return Ok(false);
    };
    Ok(crypto.verify_raw_signature(algorithm, issuer_key, tbs, &raw))
}

/// The DER of the first element (the TBS) of an outer SEQUENCE.
pub(crate) fn tbs_slice(der: &[u8]) -> der::Result<Vec<u8>> {
    let mut reader = SliceReader::new(der)?;
    let _outer = Header::decode(&mut reader)?;
    Ok(reader.tlv_bytes()?.to_vec())
}

/// The signature algorithm of an `AlgorithmIdentifier`; ECDSA identifiers
/// must have absent parameters (RFC 5758 §3.2), sha256WithRSAEncryption
/// NULL or absent ones (RFC 4055 §5).
pub(crate) fn signature_algorithm(alg: &spki::AlgorithmIdentifierOwned) -> Result<SigAlg, String> {
    let found = match alg.oid {
        rfc5912::ECDSA_WITH_SHA_384 => SigAlg::EcdsaSha384,
        rfc5912::ECDSA_WITH_SHA_256 => SigAlg::EcdsaSha256,
        rfc5912::SHA_256_WITH_RSA_ENCRYPTION => {
            if alg.parameters.as_ref().is_some_and(|p| !is_null(p)) {
                return Err(format!("{} with parameters other than NULL", alg.oid));
            }
            return Ok(SigAlg::RsaSha256);
        }
        other => return Err(other.to_string()),
    };
    if alg.parameters.is_some() {
        return Err(format!("{} with parameters", alg.oid));
    }
    Ok(found)
}

fn is_null(any: &der::asn1::Any) -> bool {
    der::Tagged::tag(any) == der::Tag::Null && any.value().is_empty()
}

fn public_key(spki: &spki::SubjectPublicKeyInfoOwned) -> Result<EncodedCertKey, KeyProblem> {
    if spki.algorithm.oid == rfc5912::RSA_ENCRYPTION {
        // RFC 3279 §2.3.1: the parameters are NULL.
        if !spki.algorithm.parameters.as_ref().is_some_and(is_null) {
            return Err(KeyProblem::Invalid(
                "rsaEncryption key whose parameters are not NULL".to_string(),
            ));
        }
        let bits = spki
            .subject_public_key
            .as_bytes()
            .ok_or_else(|| KeyProblem::Invalid("key BIT STRING has unused bits".to_string()))?;
        return RsaPublicKey::from_pkcs1_der(bits)
            .map(EncodedCertKey::Rsa)
            .map_err(|_| {
                KeyProblem::Invalid(format!(
                    "not an RSA key of {} to {} bits with an odd exponent from 3 to 2^32-1",
                    RsaPublicKey::MIN_BITS,
                    RsaPublicKey::MAX_BITS
                ))
            });
    }
    if spki.algorithm.oid != rfc5912::ID_EC_PUBLIC_KEY {
        return Err(KeyProblem::Unsupported(format!(
            "key algorithm {} (only EC keys on P-256 and P-384, or RSA)",
            spki.algorithm.oid
        )));
    }
    let curve_oid = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
        .ok_or_else(|| KeyProblem::Invalid("EC key without a named curve".to_string()))?;
    let curve = match curve_oid {
        rfc5912::SECP_384_R_1 => Curve::P384,
        rfc5912::SECP_256_R_1 => Curve::P256,
        other => {
            return Err(KeyProblem::Unsupported(format!(
                "curve {other} (only P-256 and P-384)"
            )))
        }
    };
    let point = spki
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| KeyProblem::Invalid("key BIT STRING has unused bits".to_string()))?;
    if crypto::sec1_x(curve, point).is_none() {
        return Err(KeyProblem::Invalid(format!(
            "not a valid {} point",
            curve.name()
        )));
    }
    Ok(EncodedCertKey::Ec(EncodedKey {
        curve,
        point: point.to_vec(),
    }))
}

/// Seconds since the epoch of an X.509 time.
pub(crate) fn unix_seconds(time: Time) -> Result<i64, String> {
    i64::try_from(time.to_unix_duration().as_secs()).map_err(|_| "time out of range".to_string())
}

/// A serial number as lowercase hex without leading zeros (`0` for zero),
/// the form status lists use.
pub(crate) fn serial_hex(bytes: &[u8]) -> String {
    normalize_hex(&crate::encoding::to_hex(bytes))
}

/// Lowercase, without leading zeros, `0` for zero.
pub(crate) fn normalize_hex(hex: &str) -> String {
    let trimmed = hex.trim_start_matches('0');
    if trimmed.is_empty() {
        "0".to_string()
    } else {
        trimmed.to_ascii_lowercase()
    }
}
