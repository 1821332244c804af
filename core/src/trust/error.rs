//! Chain errors: every way a certificate chain, a trust anchor or revocation
//! data can be refused, each with its own variant and stable code.

use alloc::string::String;
use alloc::vec::Vec;

use crate::time::shown;

/// Why a certificate chain (or the trust configuration it is checked
/// against) was refused.
///
/// `index` always names a certificate of the path: `0` is the leaf (the
/// attestation key's certificate) and indices count up towards the root in
/// x5chain order. When the trust anchor is not carried in the chain, the
/// anchor is named by the index one past the chain's last certificate
/// (`index == chain length`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChainError {
    /// The token carries no x5chain header, so there is no key to trust.
    #[error("token carries no x5chain")]
    Missing,
    /// The x5chain is in the unprotected header but the verifier requires
    /// it protected.
    #[error("x5chain is in the unprotected header; this verifier requires it protected")]
    Unprotected,
    /// The chain has no certificate.
    #[error("certificate chain is empty")]
    Empty,
    /// The chain has more certificates than the limit.
    #[error("certificate chain has {len} certificates, more than the limit of {max}")]
    TooLong {
        /// The chain's length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A certificate is larger than
    /// [`ChainOptions::max_cert_size`](super::ChainOptions::max_cert_size);
    /// no certificate was parsed.
    #[error("certificate {index} is {size} bytes, more than the limit of {max}")]
    CertTooLarge {
        /// The certificate.
        index: usize,
        /// Its size.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// A certificate is not a well-formed DER X.509 certificate, or breaks a
    /// structural rule of RFC 5280 (e.g. a repeated extension).
    #[error("certificate {index} is malformed: {reason}")]
    Malformed {
        /// The certificate.
        index: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// The same certificate (or the same subject and key) appears twice:
    /// a duplicated or looping chain.
    #[error("certificate {index} repeats certificate {first}")]
    Duplicate {
        /// The repeated certificate.
        index: usize,
        /// Where it first appeared.
        first: usize,
    },
    /// A key or signature algorithm outside the profile: keys must be
    /// P-384 or P-256; a P-384 issuer signs with ecdsa-with-SHA384, a P-256
    /// issuer with ecdsa-with-SHA256.
    #[error("certificate {index} uses an unsupported algorithm: {reason}")]
    UnsupportedAlgorithm {
        /// The certificate.
        index: usize,
        /// Which algorithm and why it is refused.
        reason: String,
    },
    /// The issuer's key does not verify the certificate's signature.
    #[error("signature of certificate {index} does not verify under its issuer's key")]
    BadSignature {
        /// The certificate whose signature fails.
        index: usize,
    },
    /// The certificate's `notAfter` is before the verification time.
    #[error(
        "certificate {index} expired at {} (time of check {})",
        shown(.not_after),
        shown(.now)
    )]
    Expired {
        /// The certificate.
        index: usize,
        /// Its `notAfter`, Unix seconds.
        not_after: i64,
        /// The verification time, Unix seconds.
        now: i64,
    },
    /// The certificate's `notBefore` is after the verification time.
    #[error(
        "certificate {index} is not valid before {} (time of check {})",
        shown(.not_before),
        shown(.now)
    )]
    NotYetValid {
        /// The certificate.
        index: usize,
        /// Its `notBefore`, Unix seconds.
        not_before: i64,
        /// The verification time, Unix seconds.
        now: i64,
    },
    /// An issuing certificate lacks basicConstraints with `cA` true
    /// (trust anchors included).
    #[error("certificate {index} issues a certificate but is not a CA")]
    NotCa {
        /// The issuing certificate.
        index: usize,
    },
    /// An issuing certificate's pathLenConstraint allows fewer intermediate
    /// CAs below it than the chain has.
    #[error("certificate {index} allows {max} intermediate CAs below it; the chain has {found}")]
    PathLength {
        /// The constraining certificate.
        index: usize,
        /// Its pathLenConstraint.
        max: u8,
        /// The number of non-self-issued intermediate CAs below it.
        found: usize,
    },
    /// keyUsage does not allow what the certificate's role needs: an issuer
    /// must have keyUsage with keyCertSign; the leaf's keyUsage, if present,
    /// must include digitalSignature.
    #[error("certificate {index} has keyUsage without {required}")]
    KeyUsage {
        /// The certificate.
        index: usize,
        /// The missing usage.
        required: &'static str,
    },
    /// A critical extension this verifier does not process.
    #[error("certificate {index} has an unknown critical extension {oid}")]
    UnknownCriticalExtension {
        /// The certificate.
        index: usize,
        /// The extension's OID, dotted.
        oid: String,
    },
    /// A certificate's issuer does not name (or identify by key) the next
    /// certificate of the chain.
    #[error("certificate {index} does not chain to the next one: {reason}")]
    NameMismatch {
        /// The certificate whose issuer does not match.
        index: usize,
        /// The name or the key identifier differs.
        reason: &'static str,
    },
    /// A certificate is not version 3 (§10.4.1 `Version`). Version 1 and 2
    /// certificates cannot carry the extensions the profile relies on.
    #[error("certificate {index} is version {version}; the profile requires version 3")]
    Version {
        /// The certificate.
        index: usize,
        /// Its version as written (1, 2).
        version: u8,
    },
    /// A certificate carries issuerUniqueID or subjectUniqueID, which
    /// RFC 5280 §4.1.2.8 forbids conforming CAs to generate.
    #[error("certificate {index} carries a unique identifier")]
    UniqueIdentifier {
        /// The certificate.
        index: usize,
    },
    /// A serial number that is negative, zero or longer than 20 octets
    /// (RFC 5280 §4.1.2.2).
    #[error("certificate {index} has a serial number that is {reason}")]
    SerialNumber {
        /// The certificate.
        index: usize,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An empty issuer or subject name (RFC 5280 §4.1.2.4, §4.1.2.6).
    #[error("certificate {index} has an empty {field} name")]
    EmptyName {
        /// The certificate.
        index: usize,
        /// `issuer` or `subject`.
        field: &'static str,
    },
    /// A validity date before 2050 written as GeneralizedTime instead of
    /// UTCTime (RFC 5280 §4.1.2.5).
    #[error("certificate {index} writes its {field} before 2050 as GeneralizedTime")]
    TimeEncoding {
        /// The certificate.
        index: usize,
        /// `notBefore` or `notAfter`.
        field: &'static str,
    },
    /// authorityKeyIdentifier missing where it is required, marked
    /// critical, or without a keyIdentifier (RFC 5280 §4.2.1.1).
    #[error("certificate {index}: authorityKeyIdentifier {reason}")]
    AuthorityKeyId {
        /// The certificate.
        index: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// subjectKeyIdentifier missing from a CA certificate, marked
    /// critical, or empty (RFC 5280 §4.2.1.2).
    #[error("certificate {index}: subjectKeyIdentifier {reason}")]
    SubjectKeyId {
        /// The certificate.
        index: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// basicConstraints of a CA certificate not marked critical, or a
    /// pathLenConstraint where RFC 5280 §4.2.1.9 forbids one.
    #[error("certificate {index}: basicConstraints {reason}")]
    BasicConstraints {
        /// The certificate.
        index: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// keyUsage asserts keyCertSign in a certificate that is not a CA
    /// (RFC 5280 §4.2.1.3, §4.2.1.9).
    #[error("certificate {index} asserts keyCertSign but basicConstraints does not say cA")]
    KeyCertSignNotCa {
        /// The certificate.
        index: usize,
    },
    /// A nameConstraints extension, critical or not: the profile does not
    /// process name constraints (§10.4.2).
    #[error("certificate {index} carries nameConstraints, which this profile does not process")]
    NameConstraints {
        /// The certificate.
        index: usize,
    },
    /// A policyConstraints, policyMappings or inhibitAnyPolicy extension,
    /// critical or not: the profile does not process policies (§10.4.2).
    #[error("certificate {index} carries the policy extension {oid}, which this profile does not process")]
    PolicyConstraints {
        /// The certificate.
        index: usize,
        /// The extension's OID, dotted.
        oid: String,
    },
    /// A critical extKeyUsage without anyExtendedKeyUsage: the key is
    /// restricted to purposes that do not include attestation.
    #[error("certificate {index} has a critical extKeyUsage without anyExtendedKeyUsage")]
    ExtendedKeyUsage {
        /// The certificate.
        index: usize,
    },
    /// No trust anchor issued the chain's last certificate, and no
    /// certificate of the chain is itself an anchor.
    #[error("certificate {index} is not issued by any trust anchor")]
    NoAnchor {
        /// The last certificate of the chain.
        index: usize,
    },
    /// A certificate of the path is revoked.
    #[error(
        "certificate {index} (serial {serial}) is revoked: {}",
        reason_words(.reason)
    )]
    Revoked {
        /// The certificate.
        index: usize,
        /// Its serial number, lowercase hex without leading zeros.
        serial: String,
        /// The reason given by the CRL or status list.
        reason: String,
    },
    /// A certificate of the path is suspended (status list `SUSPENDED`, or
    /// CRL reason certificateHold).
    #[error(
        "certificate {index} (serial {serial}) is suspended: {}",
        reason_words(.reason)
    )]
    Suspended {
        /// The certificate.
        index: usize,
        /// Its serial number, lowercase hex without leading zeros.
        serial: String,
        /// The reason given by the CRL or status list.
        reason: String,
    },
    /// A CRL for the issuer at `index` does not verify under that issuer's
    /// key (or uses an algorithm the issuer's key cannot have made).
    #[error("a CRL for issuer {index} does not verify under its key")]
    CrlBadSignature {
        /// The issuing certificate the CRL claims to come from.
        index: usize,
    },
    /// A CRL for the issuer at `index` matches it, but the issuer's
    /// keyUsage does not allow cRLSign (RFC 5280 §6.3.3 (f)).
    #[error("a CRL for issuer {index} is signed by a key whose keyUsage lacks cRLSign")]
    CrlKeyUsage {
        /// The issuing certificate the CRL comes from.
        index: usize,
    },
    /// The CRL for the issuer at `index` has passed its `nextUpdate` (plus
    /// the configured grace): the status of what it covers is unknown.
    #[error(
        "the CRL for issuer {index} is stale: nextUpdate {}, time of check {}",
        shown(.next_update),
        shown(.now)
    )]
    CrlStale {
        /// The issuing certificate.
        index: usize,
        /// The CRL's `nextUpdate`, Unix seconds.
        next_update: i64,
        /// The verification time, Unix seconds.
        now: i64,
    },
    /// The CRL for the issuer at `index` has a `thisUpdate` after the
    /// verification time.
    #[error(
        "the CRL for issuer {index} is not valid before {} (time of check {})",
        shown(.this_update),
        shown(.now)
    )]
    CrlNotYetValid {
        /// The issuing certificate.
        index: usize,
        /// The CRL's `thisUpdate`, Unix seconds.
        this_update: i64,
        /// The verification time, Unix seconds.
        now: i64,
    },
    /// The status list is older than its maximum age plus grace (or
    /// fetched after the verification time): the status it gives is
    /// unknown (§10.5).
    #[error(
        "the status list fetched at {} is not good at {} (good until {})",
        shown(.fetched_at),
        shown(.now),
        shown(.stale_after)
    )]
    StatusListStale {
        /// When it was fetched, Unix seconds.
        fetched_at: i64,
        /// The last instant it is accepted.
        stale_after: i64,
        /// The verification time.
        now: i64,
    },
    /// A trust anchor given to the verifier is not a usable certificate.
    #[error("trust anchor {index} is unusable: {reason}")]
    BadAnchor {
        /// Position of the anchor in the order it was added.
        index: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// Revocation data (a CRL or a status list) given to the verifier is
    /// malformed or uses a feature this verifier does not implement.
    #[error("revocation data is unusable: {reason}")]
    BadRevocationData {
        /// What is wrong with it.
        reason: String,
    },
}

impl ChainError {
    /// The stable error code, e.g. `chain.expired`.
    pub fn code(&self) -> &'static str {
        match self {
            ChainError::Missing => "chain.missing",
            ChainError::Unprotected => "chain.unprotected",
            ChainError::Empty => "chain.empty",
            ChainError::TooLong { .. } => "chain.too-long",
            ChainError::CertTooLarge { .. } => "chain.cert-too-large",
            ChainError::Malformed { .. } => "chain.malformed",
            ChainError::Duplicate { .. } => "chain.duplicate",
            ChainError::UnsupportedAlgorithm { .. } => "chain.unsupported-algorithm",
            ChainError::BadSignature { .. } => "chain.bad-signature",
            ChainError::Expired { .. } => "chain.expired",
            ChainError::NotYetValid { .. } => "chain.not-yet-valid",
            ChainError::NotCa { .. } => "chain.not-ca",
            ChainError::PathLength { .. } => "chain.path-length",
            ChainError::KeyUsage { .. } => "chain.key-usage",
            ChainError::UnknownCriticalExtension { .. } => "chain.unknown-critical-extension",
            ChainError::NameMismatch { .. } => "chain.name-mismatch",
            ChainError::Version { .. } => "chain.version",
            ChainError::UniqueIdentifier { .. } => "chain.unique-identifier",
            ChainError::SerialNumber { .. } => "chain.serial-number",
            ChainError::EmptyName { .. } => "chain.empty-name",
            ChainError::TimeEncoding { .. } => "chain.time-encoding",
            ChainError::AuthorityKeyId { .. } => "chain.authority-key-id",
            ChainError::SubjectKeyId { .. } => "chain.subject-key-id",
            ChainError::BasicConstraints { .. } => "chain.basic-constraints",
            ChainError::KeyCertSignNotCa { .. } => "chain.key-cert-sign-not-ca",
            ChainError::NameConstraints { .. } => "chain.name-constraints",
            ChainError::PolicyConstraints { .. } => "chain.policy-constraints",
            ChainError::ExtendedKeyUsage { .. } => "chain.extended-key-usage",
            ChainError::NoAnchor { .. } => "chain.no-anchor",
            ChainError::Revoked { .. } => "chain.revoked",
            ChainError::Suspended { .. } => "chain.suspended",
            ChainError::CrlBadSignature { .. } => "chain.crl-bad-signature",
            ChainError::CrlKeyUsage { .. } => "chain.crl-key-usage",
            ChainError::CrlStale { .. } => "chain.crl-stale",
            ChainError::CrlNotYetValid { .. } => "chain.crl-not-yet-valid",
            ChainError::StatusListStale { .. } => "chain.status-list-stale",
            ChainError::BadAnchor { .. } => "chain.bad-anchor",
            ChainError::BadRevocationData { .. } => "chain.bad-revocation-data",
        }
    }

    /// The certificate the error is about, if it names one.
    pub fn index(&self) -> Option<usize> {
        match self {
            ChainError::Malformed { index, .. }
            | ChainError::CertTooLarge { index, .. }
            | ChainError::Duplicate { index, .. }
            | ChainError::UnsupportedAlgorithm { index, .. }
            | ChainError::BadSignature { index }
            | ChainError::Expired { index, .. }
            | ChainError::NotYetValid { index, .. }
            | ChainError::NotCa { index }
            | ChainError::PathLength { index, .. }
            | ChainError::KeyUsage { index, .. }
            | ChainError::UnknownCriticalExtension { index, .. }
            | ChainError::NameMismatch { index, .. }
            | ChainError::Version { index, .. }
            | ChainError::UniqueIdentifier { index }
            | ChainError::SerialNumber { index, .. }
            | ChainError::EmptyName { index, .. }
            | ChainError::TimeEncoding { index, .. }
            | ChainError::AuthorityKeyId { index, .. }
            | ChainError::SubjectKeyId { index, .. }
            | ChainError::BasicConstraints { index, .. }
            | ChainError::KeyCertSignNotCa { index }
            | ChainError::NameConstraints { index }
            | ChainError::PolicyConstraints { index, .. }
            | ChainError::ExtendedKeyUsage { index }
            | ChainError::NoAnchor { index }
            | ChainError::Revoked { index, .. }
            | ChainError::Suspended { index, .. }
            | ChainError::CrlBadSignature { index }
            | ChainError::CrlKeyUsage { index }
            | ChainError::CrlStale { index, .. }
            | ChainError::CrlNotYetValid { index, .. } => Some(*index),
            ChainError::Missing
            | ChainError::Unprotected
            | ChainError::Empty
            | ChainError::TooLong { .. }
            | ChainError::StatusListStale { .. }
            | ChainError::BadAnchor { .. }
            | ChainError::BadRevocationData { .. } => None,
        }
    }
}

/// A revocation reason in the one style messages write it, lowercase words
/// (`key compromise`, `CA compromise`), whether it came from a CRL's
/// reasonCode (RFC 5280 names, `keyCompromise`) or a status list (Android's
/// names, `KEY_COMPROMISE`). A reason in neither form is shown as given.
fn reason_words(reason: &str) -> String {
    // The RFC 5280 names whose capitals are acronyms, not word starts.
    let known = match reason {
        "cACompromise" => Some("CA compromise"),
        "aACompromise" => Some("AA compromise"),
        "removeFromCRL" => Some("remove from CRL"),
        _ => None,
    };
    if let Some(words) = known {
        return words.into();
    }
    let acronym = |w: &str| matches!(w, "CA" | "AA" | "CRL");
    let is_snake = reason.contains(|c: char| c.is_ascii_uppercase())
        && reason
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    if is_snake {
        let words: Vec<String> = reason
            .split('_')
            .filter(|w| !w.is_empty())
            .map(|w| {
                if acronym(w) {
                    w.into()
                } else {
                    w.to_ascii_lowercase()
                }
            })
            .collect();
        return words.join(" ");
    }
    let is_camel = reason.starts_with(|c: char| c.is_ascii_lowercase())
        && reason.chars().all(|c| c.is_ascii_alphanumeric());
    if is_camel {
        let mut words = String::new();
        for c in reason.chars() {
            if c.is_ascii_uppercase() {
                words.push(' ');
            }
            words.push(c.to_ascii_lowercase());
        }
        return words;
    }
    reason.into()
}

#[cfg(test)]
mod tests {
    use super::reason_words;

    #[test]
    fn revocation_reasons_in_one_style() {
        for (given, shown) in [
            ("keyCompromise", "key compromise"),
            ("KEY_COMPROMISE", "key compromise"),
            ("cACompromise", "CA compromise"),
            ("CA_COMPROMISE", "CA compromise"),
            ("certificateHold", "certificate hold"),
            ("cessationOfOperation", "cessation of operation"),
            ("removeFromCRL", "remove from CRL"),
            ("SOFTWARE_FLAW", "software flaw"),
            ("unspecified", "unspecified"),
            ("UNSPECIFIED", "unspecified"),
            ("superseded", "superseded"),
            ("Stolen phone", "Stolen phone"),
        ] {
            assert_eq!(reason_words(given), shown, "{given}");
        }
    }
}
