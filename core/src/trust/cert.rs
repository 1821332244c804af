//! One certificate, parsed once into exactly what path validation needs.
//!
//! Parsing uses `x509-cert` (strict DER); the to-be-signed bytes are sliced
//! from the received DER rather than re-encoded, so the signature is checked
//! over exactly the bytes that were signed.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use der::asn1::ObjectIdentifier;
use der::oid::db::rfc5912;
use der::{Decode, Encode, Header, Reader, SliceReader};
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, KeyUsage, SubjectKeyIdentifier,
};
use x509_cert::name::Name;
use x509_cert::time::Time;
use x509_cert::Certificate;

use crate::crypto::{Algorithm, CryptoProvider, Curve, PublicKey};

/// A signature algorithm as named in a certificate or CRL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SigAlg {
    EcdsaSha256,
    EcdsaSha384,
}

/// Why a certificate's key cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum KeyProblem {
    /// Not an EC key on P-256 or P-384.
    Unsupported(String),
    /// An EC key whose encoding or point is invalid.
    Invalid(String),
}

/// A parsed certificate. Problems that only matter if the certificate ends
/// up in the validated path (key, algorithm, unknown critical extension) are
/// kept and reported then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cert {
    pub(crate) der: Vec<u8>,
    pub(crate) tbs: Vec<u8>,
    pub(crate) subject: Name,
    pub(crate) issuer: Name,
    pub(crate) spki: Vec<u8>,
    pub(crate) serial_hex: String,
    pub(crate) not_before: i64,
    pub(crate) not_after: i64,
    pub(crate) key: Result<PublicKey, KeyProblem>,
    /// The signature algorithm, or the unsupported algorithm's description.
    pub(crate) sig_alg: Result<SigAlg, String>,
    /// The ECDSA signature, DER `Ecdsa-Sig-Value`.
    pub(crate) signature: Vec<u8>,
    pub(crate) basic_constraints: Option<BasicConstraints>,
    pub(crate) key_usage: Option<KeyUsage>,
    pub(crate) ski: Option<Vec<u8>>,
    pub(crate) aki: Option<Vec<u8>>,
    /// The first critical extension other than basicConstraints, keyUsage,
    /// subjectKeyIdentifier and authorityKeyIdentifier.
    pub(crate) unknown_critical: Option<String>,
}

impl Cert {
    /// Parses a DER certificate. The error is a reason for `chain.malformed`.
    pub(crate) fn parse(der: &[u8]) -> Result<Cert, String> {
        let cert = Certificate::from_der(der).map_err(|e| format!("not DER X.509: {e}"))?;
        let tbs = tbs_slice(der).map_err(|e| format!("not DER X.509: {e}"))?;
        let t = &cert.tbs_certificate;
        if cert.signature_algorithm != t.signature {
            return Err("signatureAlgorithm differs from the TBS signature field".to_string());
        }
        let sig_alg = signature_algorithm(&cert.signature_algorithm);
        let signature = cert
            .signature
            .as_bytes()
            .ok_or("signature BIT STRING has unused bits")?
            .to_vec();
        let not_before = unix_seconds(t.validity.not_before)?;
        let not_after = unix_seconds(t.validity.not_after)?;
        let spki = t
            .subject_public_key_info
            .to_der()
            .map_err(|e| format!("subjectPublicKeyInfo: {e}"))?;
        let key = public_key(&t.subject_public_key_info);

        let mut basic_constraints = None;
        let mut key_usage = None;
        let mut ski = None;
        let mut aki = None;
        let mut unknown_critical = None;
        let mut seen: Vec<ObjectIdentifier> = Vec::new();
        for ext in t.extensions.iter().flatten() {
            if seen.contains(&ext.extn_id) {
                return Err(format!("extension {} appears twice", ext.extn_id));
            }
            seen.push(ext.extn_id);
            let value = ext.extn_value.as_bytes();
            let bad = |e: der::Error| format!("extension {}: {e}", ext.extn_id);
            match ext.extn_id {
                rfc5912::ID_CE_BASIC_CONSTRAINTS => {
                    basic_constraints = Some(BasicConstraints::from_der(value).map_err(bad)?);
                }
                rfc5912::ID_CE_KEY_USAGE => {
                    key_usage = Some(KeyUsage::from_der(value).map_err(bad)?);
                }
                rfc5912::ID_CE_SUBJECT_KEY_IDENTIFIER => {
                    let id = SubjectKeyIdentifier::from_der(value).map_err(bad)?;
                    ski = Some(id.0.as_bytes().to_vec());
                }
                rfc5912::ID_CE_AUTHORITY_KEY_IDENTIFIER => {
                    let id = AuthorityKeyIdentifier::from_der(value).map_err(bad)?;
                    aki = id.key_identifier.map(|k| k.as_bytes().to_vec());
                }
                other => {
                    if ext.critical && unknown_critical.is_none() {
                        unknown_critical = Some(other.to_string());
                    }
                }
            }
        }
        Ok(Cert {
            der: der.to_vec(),
            tbs,
            subject: t.subject.clone(),
            issuer: t.issuer.clone(),
            spki,
            serial_hex: serial_hex(t.serial_number.as_bytes()),
            not_before,
            not_after,
            key,
            sig_alg,
            signature,
            basic_constraints,
            key_usage,
            ski,
            aki,
            unknown_critical,
        })
    }

    /// Whether issuer and subject are the same name (RFC 5280 "self-issued").
    pub(crate) fn is_self_issued(&self) -> bool {
        self.issuer == self.subject
    }

    /// Whether `self` and `other` are the same certificate or carry the same
    /// subject and key (a loop).
    pub(crate) fn same_entity(&self, other: &Cert) -> bool {
        self.der == other.der || (self.subject == other.subject && self.spki == other.spki)
    }

    /// Whether `self`'s issuer field and authority key identifier fit `issuer`.
    pub(crate) fn issuer_matches(&self, issuer: &Cert) -> Result<(), &'static str> {
        if self.issuer != issuer.subject {
            return Err("issuer name differs from the next certificate's subject");
        }
        match (&self.aki, &issuer.ski) {
            (Some(aki), Some(ski)) if aki != ski => Err(
                "authority key identifier differs from the next certificate's subject key identifier",
            ),
            _ => Ok(()),
        }
    }
}

/// Checks a signature made by `issuer_key` over `tbs` with the algorithm
/// named `sig_alg` and the DER `Ecdsa-Sig-Value` `der_signature`.
///
/// A P-384 key must sign with ecdsa-with-SHA384 and a P-256 key with
/// ecdsa-with-SHA256; `Err(reason)` reports a mismatch, `Ok(false)` a
/// signature that does not verify (including one that is not valid DER).
pub(crate) fn check_signature(
    issuer_key: &PublicKey,
    sig_alg: &Result<SigAlg, String>,
    tbs: &[u8],
    der_signature: &[u8],
    crypto: &dyn CryptoProvider,
) -> Result<bool, String> {
    let alg = match sig_alg {
        Err(name) => return Err(format!("signature algorithm {name} is not supported")),
        Ok(alg) => *alg,
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
                }
            ))
        }
    };
    let raw = match algorithm {
        Algorithm::Es384 => {
            p384::ecdsa::Signature::from_der(der_signature).map(|s| s.to_bytes().to_vec())
        }
        Algorithm::Es256 => {
            p256::ecdsa::Signature::from_der(der_signature).map(|s| s.to_bytes().to_vec())
        }
    };
    let Ok(raw) = raw else {
        return Ok(false);
    };
    Ok(crypto.verify(algorithm, issuer_key, tbs, &raw))
}

/// The DER of the first element (the TBS) of an outer SEQUENCE.
pub(crate) fn tbs_slice(der: &[u8]) -> der::Result<Vec<u8>> {
    let mut reader = SliceReader::new(der)?;
    let _outer = Header::decode(&mut reader)?;
    Ok(reader.tlv_bytes()?.to_vec())
}

/// The signature algorithm of an `AlgorithmIdentifier`; ECDSA identifiers
/// must have absent parameters (RFC 5758 §3.2).
pub(crate) fn signature_algorithm(alg: &spki::AlgorithmIdentifierOwned) -> Result<SigAlg, String> {
    let found = match alg.oid {
        rfc5912::ECDSA_WITH_SHA_384 => SigAlg::EcdsaSha384,
        rfc5912::ECDSA_WITH_SHA_256 => SigAlg::EcdsaSha256,
        other => return Err(other.to_string()),
    };
    if alg.parameters.is_some() {
        return Err(format!("{} with parameters", alg.oid));
    }
    Ok(found)
}

fn public_key(spki: &spki::SubjectPublicKeyInfoOwned) -> Result<PublicKey, KeyProblem> {
    if spki.algorithm.oid != rfc5912::ID_EC_PUBLIC_KEY {
        return Err(KeyProblem::Unsupported(format!(
            "key algorithm {} (only EC keys on P-256 and P-384)",
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
    PublicKey::from_sec1(curve, point)
        .map_err(|_| KeyProblem::Invalid(format!("not a valid {} point", curve.name())))
}

/// Seconds since the epoch of an X.509 time.
pub(crate) fn unix_seconds(time: Time) -> Result<i64, String> {
    i64::try_from(time.to_unix_duration().as_secs()).map_err(|_| "time out of range".to_string())
}

/// A serial number as lowercase hex without leading zeros (`0` for zero),
/// the form status lists use.
pub(crate) fn serial_hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push_str(&format!("{b:02x}"));
    }
    normalize_hex(&out)
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
