//! The certificate profile (spec §10.4.1–§10.4.2): every rule a certificate
//! of a validated path must follow, each a named [`Check`] with its own
//! error code, in one place.
//!
//! A [`Profile`] says which checks are enforced at which [`Position`] of
//! the path. [`Profile::STRICT`] enforces all of them everywhere and is what
//! every trust anchor gets unless it is added with another profile
//! ([`TrustAnchors::add_der_with_profile`](super::TrustAnchors::add_der_with_profile)):
//! an ecosystem whose real chains break a rule (a deliberately more lenient
//! profile for a named set of anchors) relaxes that check by name and
//! position, and nothing else.
//!
//! Relaxing a check never makes the verifier accept something it does not
//! process: with [`Check::NameConstraints`] relaxed, a *critical*
//! nameConstraints is still refused by [`Check::CriticalExtensions`]
//! (unless that is relaxed too), and what is not well-formed
//! (`chain.malformed`) is refused under every profile.

use der::asn1::ObjectIdentifier;
use der::oid::db::rfc5912;

use super::cert::{version_number, Cert};
use super::error::ChainError;
use super::name::names_match;
use x509_cert::Version;

/// A rule of the certificate profile that a [`Profile`] may relax.
///
/// Each check reports its own error code (two share `chain.key-usage`,
/// and [`Check::Validity`] reports `chain.expired` or
/// `chain.not-yet-valid`); [`Check::codes`] lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Check {
    /// The value of every extension RFC 5280 defines is in DER, not just
    /// decodable (`chain.malformed`).
    ExtensionEncoding,
    /// The certificate is version 3 (`chain.version`).
    Version,
    /// No issuerUniqueID or subjectUniqueID (`chain.unique-identifier`).
    UniqueIdentifiers,
    /// The serial number is positive and at most 20 octets
    /// (`chain.serial-number`).
    SerialNumber,
    /// Issuer and subject are non-empty names (`chain.empty-name`).
    NonEmptyNames,
    /// Validity dates through 2049 are UTCTime (`chain.time-encoding`).
    TimeEncoding,
    /// authorityKeyIdentifier with a keyIdentifier, never critical, in every
    /// certificate but a self-issued trust anchor (`chain.authority-key-id`).
    AuthorityKeyIdentifier,
    /// subjectKeyIdentifier in every CA certificate, never critical, never
    /// empty (`chain.subject-key-id`).
    SubjectKeyIdentifier,
    /// basicConstraints critical in a CA certificate; a pathLenConstraint
    /// only with cA and keyCertSign (`chain.basic-constraints`).
    BasicConstraints,
    /// keyCertSign only with cA (`chain.key-cert-sign-not-ca`).
    KeyCertSignRequiresCa,
    /// No nameConstraints, critical or not (`chain.name-constraints`).
    NameConstraints,
    /// No policyConstraints, policyMappings or inhibitAnyPolicy
    /// (`chain.policy-constraints`).
    PolicyConstraints,
    /// A critical extKeyUsage lists anyExtendedKeyUsage
    /// (`chain.extended-key-usage`).
    ExtendedKeyUsage,
    /// No critical extension the profile does not process
    /// (`chain.unknown-critical-extension`).
    CriticalExtensions,
    /// An issuer has basicConstraints with cA TRUE (`chain.not-ca`).
    IssuerIsCa,
    /// An issuer's pathLenConstraint is respected (`chain.path-length`).
    PathLength,
    /// An issuer has keyUsage with keyCertSign (`chain.key-usage`).
    IssuerKeyUsage,
    /// The leaf's keyUsage, if present, allows digitalSignature
    /// (`chain.key-usage`).
    LeafKeyUsage,
    /// The verification time is within notBefore..=notAfter
    /// (`chain.not-yet-valid`, `chain.expired`).
    Validity,
    /// The certificate's signature is ECDSA with the hash of its issuer's
    /// curve (P-384 with SHA-384, P-256 with SHA-256; §10.2,
    /// `chain.unsupported-algorithm`). Relaxed at a position, a certificate
    /// there may also be signed by an EC issuer with the other curve's hash,
    /// or with sha256WithRSAEncryption by an RSA issuer key of 2048 to 4096
    /// bits (the Android profile, §17.3).
    SignatureAlgorithm,
}

impl Check {
    /// Every check, in the order the profile applies them to a certificate.
    pub const ALL: [Check; 20] = [
        Check::ExtensionEncoding,
        Check::Version,
        Check::UniqueIdentifiers,
        Check::SerialNumber,
        Check::NonEmptyNames,
        Check::TimeEncoding,
        Check::AuthorityKeyIdentifier,
        Check::SubjectKeyIdentifier,
        Check::BasicConstraints,
        Check::KeyCertSignRequiresCa,
        Check::NameConstraints,
        Check::PolicyConstraints,
        Check::ExtendedKeyUsage,
        Check::CriticalExtensions,
        Check::IssuerIsCa,
        Check::PathLength,
        Check::IssuerKeyUsage,
        Check::LeafKeyUsage,
        Check::Validity,
        Check::SignatureAlgorithm,
    ];

    /// The error codes the check reports.
    pub fn codes(self) -> &'static [&'static str] {
        match self {
            Check::ExtensionEncoding => &["chain.malformed"],
            Check::Version => &["chain.version"],
            Check::UniqueIdentifiers => &["chain.unique-identifier"],
            Check::SerialNumber => &["chain.serial-number"],
            Check::NonEmptyNames => &["chain.empty-name"],
            Check::TimeEncoding => &["chain.time-encoding"],
            Check::AuthorityKeyIdentifier => &["chain.authority-key-id"],
            Check::SubjectKeyIdentifier => &["chain.subject-key-id"],
            Check::BasicConstraints => &["chain.basic-constraints"],
            Check::KeyCertSignRequiresCa => &["chain.key-cert-sign-not-ca"],
            Check::NameConstraints => &["chain.name-constraints"],
            Check::PolicyConstraints => &["chain.policy-constraints"],
            Check::ExtendedKeyUsage => &["chain.extended-key-usage"],
            Check::CriticalExtensions => &["chain.unknown-critical-extension"],
            Check::IssuerIsCa => &["chain.not-ca"],
            Check::PathLength => &["chain.path-length"],
            Check::IssuerKeyUsage | Check::LeafKeyUsage => &["chain.key-usage"],
            Check::Validity => &["chain.not-yet-valid", "chain.expired"],
            Check::SignatureAlgorithm => &["chain.unsupported-algorithm"],
        }
    }

    fn bit(self) -> u32 {
        1 << (self as u32)
    }
}

/// Where a certificate sits in the validated path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Position {
    /// The first certificate: the key that signed the token.
    Leaf,
    /// A certificate between the leaf and the trust anchor.
    Intermediate,
    /// The trust anchor that ends the path.
    Anchor,
}

impl Position {
    fn slot(self) -> usize {
        match self {
            Position::Leaf => 0,
            Position::Intermediate => 1,
            Position::Anchor => 2,
        }
    }
}

/// Which [`Check`]s are enforced at which [`Position`].
///
/// ```
/// use mtattest::trust::profile::{Check, Position, Profile};
///
/// let lenient = Profile::STRICT.relax(Check::AuthorityKeyIdentifier, Position::Leaf);
/// assert!(!lenient.enforces(Check::AuthorityKeyIdentifier, Position::Leaf));
/// assert!(lenient.enforces(Check::AuthorityKeyIdentifier, Position::Intermediate));
/// assert!(Profile::STRICT.is_strict() && !lenient.is_strict());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Profile {
    /// Relaxed checks (bits of [`Check::bit`]) per position slot.
    relaxed: [u32; 3],
    /// Paths ending at the anchor are Android Key Attestation chains
    /// (spec §17): the KeyDescription rules apply and the attestation is
    /// evidence.
    android: bool,
}

impl Profile {
    /// Every check enforced at every position: the attestation profile of
    /// spec §10.4.
    pub const STRICT: Profile = Profile {
        relaxed: [0; 3],
        android: false,
    };

    /// The Android Key Attestation profile (spec §17.3): the strict
    /// profile with exactly the relaxations that factory and remotely
    /// provisioned attestation chains need, and the attestation rules of
    /// §17 on top.
    ///
    /// ```
    /// use mtattest::trust::profile::{Check, Position, Profile};
    ///
    /// let android = Profile::android();
    /// assert!(android.is_android());
    /// assert!(!android.enforces(Check::AuthorityKeyIdentifier, Position::Leaf));
    /// assert!(android.enforces(Check::AuthorityKeyIdentifier, Position::Intermediate));
    /// assert!(android.enforces(Check::Validity, Position::Intermediate));
    /// ```
    pub fn android() -> Profile {
        Profile::android_with(&ANDROID_RELAXATIONS)
    }

    /// The Android attestation rules with exactly `relaxations` (for
    /// showing what each relaxation of [`Profile::android`] is for).
    pub fn android_with(relaxations: &[(Check, Position)]) -> Profile {
        let mut p = Profile::STRICT;
        for (check, position) in relaxations {
            p = p.relax(*check, *position);
        }
        p.android = true;
        p
    }

    /// Whether paths ending at the anchor are Android attestation chains.
    pub fn is_android(&self) -> bool {
        self.android
    }

    /// The same profile with `check` no longer enforced at `position`.
    #[must_use]
    pub fn relax(mut self, check: Check, position: Position) -> Profile {
        if let Some(slot) = self.relaxed.get_mut(position.slot()) {
            *slot |= check.bit();
        }
        self
    }

    /// Whether `check` is enforced at `position`.
    pub fn enforces(&self, check: Check, position: Position) -> bool {
        !matches!(self.relaxed.get(position.slot()), Some(relaxed) if relaxed & check.bit() != 0)
    }

    /// Whether the profile lets a certificate at some position be signed
    /// with RSA ([`Check::SignatureAlgorithm`] relaxed), so that an RSA key may
    /// be its anchor.
    pub fn allows_rsa(&self) -> bool {
        [Position::Leaf, Position::Intermediate]
            .into_iter()
            .any(|p| !self.enforces(Check::SignatureAlgorithm, p))
    }

    /// Whether every check is enforced everywhere.
    pub fn is_strict(&self) -> bool {
        *self == Profile::STRICT
    }

    /// A canonical byte form, for the trust configuration's fingerprint.
    pub(crate) fn fingerprint_into(&self, out: &mut alloc::vec::Vec<u8>) {
        for slot in self.relaxed {
            out.extend_from_slice(&slot.to_be_bytes());
        }
        out.push(u8::from(self.android));
    }
}

/// The checks the Android profile relaxes, each at one position, with the
/// reason in spec §17.3.1.
pub const ANDROID_RELAXATIONS: [(Check, Position); 7] = [
    // The leaf is written by Keymaster / KeyMint, which gives it no
    // authorityKeyIdentifier.
    (Check::AuthorityKeyIdentifier, Position::Leaf),
    // Some Keymaster versions write the leaf's keyUsage with trailing zero
    // bits (not DER, X.690 §11.2.2).
    (Check::ExtensionEncoding, Position::Leaf),
    // The leaf's validity comes from the device clock or is fixed
    // (1970 to 2048 / 2106); the chain above it is checked.
    (Check::Validity, Position::Leaf),
    // Google's RSA-4096 root and the RSA intermediates of factory chains
    // sign with sha256WithRSAEncryption; P-384 factory intermediates sign
    // with ecdsa-with-SHA256.
    (Check::SignatureAlgorithm, Position::Intermediate),
    (Check::SignatureAlgorithm, Position::Leaf),
    // At least one maker's attestation intermediate has basicConstraints
    // cA FALSE (with keyCertSign); the KeyDescription rules (§17.4) keep
    // a non-CA attested key from issuing.
    (Check::IssuerIsCa, Position::Intermediate),
    (Check::KeyCertSignRequiresCa, Position::Intermediate),
];

impl Default for Profile {
    fn default() -> Self {
        Profile::STRICT
    }
}

/// Extensions the profile processes and so accepts marked critical. The key
/// identifiers are understood (their criticality is
/// [`Check::AuthorityKeyIdentifier`]'s and
/// [`Check::SubjectKeyIdentifier`]'s business); subjectAltName is
/// well-formed and names nothing the profile relies on.
const UNDERSTOOD: [ObjectIdentifier; 6] = [
    rfc5912::ID_CE_BASIC_CONSTRAINTS,
    rfc5912::ID_CE_KEY_USAGE,
    rfc5912::ID_CE_EXT_KEY_USAGE,
    rfc5912::ID_CE_SUBJECT_ALT_NAME,
    rfc5912::ID_CE_SUBJECT_KEY_IDENTIFIER,
    rfc5912::ID_CE_AUTHORITY_KEY_IDENTIFIER,
];

/// The policy extensions whose processing (RFC 5280 §6.1.4 (g)–(j),
/// §6.1.5 (a)–(b)) the profile does not implement.
const POLICY_CONTROLS: [ObjectIdentifier; 3] = [
    rfc5912::ID_CE_POLICY_CONSTRAINTS,
    rfc5912::ID_CE_POLICY_MAPPINGS,
    rfc5912::ID_CE_INHIBIT_ANY_POLICY,
];

/// One certificate of the path with what the checks need to know about it.
pub(crate) struct Subject<'a> {
    pub(crate) cert: &'a Cert,
    pub(crate) index: usize,
    pub(crate) position: Position,
}

/// The checks on a certificate's own content (§10.4.1), in [`Check::ALL`]
/// order; the first failure is reported.
pub(crate) fn check_certificate(s: &Subject<'_>, profile: &Profile) -> Result<(), ChainError> {
    let (c, index) = (s.cert, s.index);
    let on = |check| profile.enforces(check, s.position);
    if on(Check::ExtensionEncoding) {
        if let Some(oid) = c.non_der_extension {
            return Err(ChainError::Malformed {
                index,
                reason: alloc::format!(
                    "extension {oid}: value is not in its distinguished (DER) encoding"
                ),
            });
        }
    }
    if on(Check::Version) && c.version != Version::V3 {
        return Err(ChainError::Version {
            index,
            version: version_number(c.version),
        });
    }
    if on(Check::UniqueIdentifiers) && c.has_unique_id {
        return Err(ChainError::UniqueIdentifier { index });
    }
    if on(Check::SerialNumber) {
        if let Some(reason) = serial_problem(&c.serial) {
            return Err(ChainError::SerialNumber { index, reason });
        }
    }
    if on(Check::NonEmptyNames) {
        for (field, name) in [("issuer", &c.issuer), ("subject", &c.subject)] {
            if name.is_empty() {
                return Err(ChainError::EmptyName { index, field });
            }
        }
    }
    if on(Check::TimeEncoding) {
        if let Some(field) = c.generalized_time_before_2050 {
            return Err(ChainError::TimeEncoding { index, field });
        }
    }
    if on(Check::AuthorityKeyIdentifier) {
        if let Some(reason) = aki_problem(s) {
            return Err(ChainError::AuthorityKeyId { index, reason });
        }
    }
    if on(Check::SubjectKeyIdentifier) {
        if let Some(reason) = ski_problem(c) {
            return Err(ChainError::SubjectKeyId { index, reason });
        }
    }
    if on(Check::BasicConstraints) {
        if let Some(reason) = basic_constraints_problem(c) {
            return Err(ChainError::BasicConstraints { index, reason });
        }
    }
    if on(Check::KeyCertSignRequiresCa)
        && c.key_usage.as_ref().is_some_and(|ku| ku.key_cert_sign())
        && !c.is_ca()
    {
        return Err(ChainError::KeyCertSignNotCa { index });
    }
    if on(Check::NameConstraints) && c.extension(rfc5912::ID_CE_NAME_CONSTRAINTS).is_some() {
        return Err(ChainError::NameConstraints { index });
    }
    if on(Check::PolicyConstraints) {
        if let Some((oid, _)) = c
            .extensions
            .iter()
            .find(|(id, _)| POLICY_CONTROLS.contains(id))
        {
            return Err(ChainError::PolicyConstraints {
                index,
                oid: alloc::string::ToString::to_string(oid),
            });
        }
    }
    if on(Check::ExtendedKeyUsage)
        && c.extension(rfc5912::ID_CE_EXT_KEY_USAGE) == Some(true)
        && !c.eku_allows_any
    {
        return Err(ChainError::ExtendedKeyUsage { index });
    }
    if on(Check::CriticalExtensions) {
        if let Some((oid, _)) = c
            .extensions
            .iter()
            .find(|(id, critical)| *critical && !UNDERSTOOD.contains(id))
        {
            return Err(ChainError::UnknownCriticalExtension {
                index,
                oid: alloc::string::ToString::to_string(oid),
            });
        }
    }
    Ok(())
}

/// RFC 5280 §4.1.2.2: positive, at most 20 octets. The limit is on the
/// number: a 20-octet number with its top bit set needs a zero sign octet,
/// 21 octets of DER, and is allowed.
fn serial_problem(content: &[u8]) -> Option<&'static str> {
    let first = *content.first()?;
    if first & 0x80 != 0 {
        return Some("negative");
    }
    let magnitude = content.iter().skip_while(|b| **b == 0).count();
    if magnitude == 0 {
        Some("zero")
    } else if magnitude > 20 {
        Some("longer than 20 octets")
    } else {
        None
    }
}

fn aki_problem(s: &Subject<'_>) -> Option<&'static str> {
    let c = s.cert;
    let Some(aki) = &c.aki else {
        // RFC 5280 §4.2.1.1 exempts self-signed certificates: the only one a
        // path can hold is a self-issued anchor (any other certificate is
        // signed by the next, a different key).
        let exempt = s.position == Position::Anchor && names_match(&c.issuer, &c.subject);
        return (!exempt).then_some("is missing");
    };
    if c.extension(rfc5912::ID_CE_AUTHORITY_KEY_IDENTIFIER) == Some(true) {
        return Some("is marked critical");
    }
    match &aki.key_id {
        None => return Some("has no keyIdentifier"),
        Some(id) if id.is_empty() => return Some("has an empty keyIdentifier"),
        Some(_) => {}
    }
    (aki.has_issuer != aki.has_serial)
        .then_some("has only one of authorityCertIssuer and authorityCertSerialNumber")
}

fn ski_problem(c: &Cert) -> Option<&'static str> {
    match (&c.ski, c.extension(rfc5912::ID_CE_SUBJECT_KEY_IDENTIFIER)) {
        (_, Some(true)) => Some("is marked critical"),
        (Some(id), _) if id.is_empty() => Some("is empty"),
        (None, _) if c.is_ca() => Some("is missing from a CA certificate"),
        _ => None,
    }
}

fn basic_constraints_problem(c: &Cert) -> Option<&'static str> {
    let bc = c.basic_constraints.as_ref()?;
    if bc.ca && c.extension(rfc5912::ID_CE_BASIC_CONSTRAINTS) != Some(true) {
        return Some("of a CA certificate is not marked critical");
    }
    if bc.path_len_constraint.is_some() {
        if !bc.ca {
            return Some("has a pathLenConstraint without cA");
        }
        if !c.key_usage.as_ref().is_some_and(|ku| ku.key_cert_sign()) {
            return Some("has a pathLenConstraint but keyUsage does not assert keyCertSign");
        }
    }
    None
}

/// basicConstraints, pathLenConstraint and keyUsage of `issuer`, the
/// certificate at `pos + 1` of `path`, which issues the one at `pos`.
pub(crate) fn check_issuer(
    issuer: &Subject<'_>,
    path: &[Subject<'_>],
    pos: usize,
    profile: &Profile,
) -> Result<(), ChainError> {
    let on = |check| profile.enforces(check, issuer.position);
    let index = issuer.index;
    let c = issuer.cert;
    if on(Check::IssuerIsCa) && !c.is_ca() {
        return Err(ChainError::NotCa { index });
    }
    if on(Check::PathLength) {
        if let Some(max) = c
            .basic_constraints
            .as_ref()
            .and_then(|bc| bc.path_len_constraint)
        {
            // Intermediate CAs below the issuer: positions 1..=pos, not
            // counting self-issued ones (RFC 5280 §6.1.4 (l)); the leaf is
            // not an intermediate (§4.2.1.9).
            let found = path
                .iter()
                .take(pos + 1)
                .skip(1)
                .filter(|n| !n.cert.is_self_issued())
                .count();
            if found > usize::from(max) {
                return Err(ChainError::PathLength { index, max, found });
            }
        }
    }
    if on(Check::IssuerKeyUsage) && !c.key_usage.as_ref().is_some_and(|ku| ku.key_cert_sign()) {
        return Err(ChainError::KeyUsage {
            index,
            required: "keyCertSign",
        });
    }
    Ok(())
}

/// The leaf signs the token: its keyUsage, if present, must say so.
pub(crate) fn check_leaf(leaf: &Subject<'_>, profile: &Profile) -> Result<(), ChainError> {
    if profile.enforces(Check::LeafKeyUsage, leaf.position)
        && leaf
            .cert
            .key_usage
            .as_ref()
            .is_some_and(|ku| !ku.digital_signature())
    {
        return Err(ChainError::KeyUsage {
            index: leaf.index,
            required: "digitalSignature",
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn serial_numbers() {
        assert_eq!(serial_problem(&[0x01]), None);
        assert_eq!(serial_problem(&[0x00, 0x80]), None);
        assert_eq!(serial_problem(&[0x00]), Some("zero"));
        assert_eq!(serial_problem(&[0xff]), Some("negative"));
        assert_eq!(serial_problem(&[0x80, 0x00]), Some("negative"));
        assert_eq!(serial_problem(&[0x7f; 20]), None);
        let mut twenty_high = vec![0x00];
        twenty_high.extend([0xff; 20]);
        assert_eq!(serial_problem(&twenty_high), None);
        assert_eq!(serial_problem(&[0x01; 21]), Some("longer than 20 octets"));
        assert_eq!(serial_problem(&[]), None, "empty INTEGER never parses");
    }

    #[test]
    fn relaxing_is_per_check_and_position() {
        let p = Profile::STRICT
            .relax(Check::Validity, Position::Leaf)
            .relax(Check::IssuerIsCa, Position::Intermediate);
        for check in Check::ALL {
            for position in [Position::Leaf, Position::Intermediate, Position::Anchor] {
                let relaxed = matches!(
                    (check, position),
                    (Check::Validity, Position::Leaf) | (Check::IssuerIsCa, Position::Intermediate)
                );
                assert_eq!(
                    p.enforces(check, position),
                    !relaxed,
                    "{check:?} {position:?}"
                );
                assert!(Profile::STRICT.enforces(check, position));
            }
        }
        let bits: alloc::collections::BTreeSet<u32> = Check::ALL.iter().map(|c| c.bit()).collect();
        assert_eq!(bits.len(), Check::ALL.len(), "every check has its own bit");
    }
}
