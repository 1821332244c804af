//! The refusals of Android Key Attestation (spec §17), each with its own
//! code.

use alloc::string::String;

/// Why an Android attestation is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AndroidError {
    /// The KeyDescription extension is not the DER encoding of the schema
    /// (§17.2): a wrong type, a missing element, trailing bytes.
    #[error("KeyDescription is malformed at {path}: {reason}")]
    Malformed {
        /// Where, e.g. `hardwareEnforced.rootOfTrust.deviceLocked`.
        path: String,
        /// What is wrong there.
        reason: String,
    },
    /// The tags of an authorization list are not in ascending order, or one
    /// repeats (X.690 §8.6 and the DER rule that SEQUENCE components appear
    /// in the order of the definition).
    #[error("{list}: tag [{tag}] follows tag [{previous}]; tags must ascend")]
    TagsNotAscending {
        /// `softwareEnforced` or `hardwareEnforced`.
        list: &'static str,
        /// The tag before.
        previous: u32,
        /// The tag that does not follow it in order.
        tag: u32,
    },
    /// An authorization list holds a tag the schema does not define.
    #[error("{list}: tag [{tag}] is not defined by the KeyDescription schema")]
    UnknownTag {
        /// `softwareEnforced` or `hardwareEnforced`.
        list: &'static str,
        /// The tag.
        tag: u32,
    },
    /// A value of the right type outside its value set: a security level,
    /// verified boot state or origin that the schema does not define, an
    /// attestation version before 3, text that is not UTF-8.
    #[error("KeyDescription value {path} is invalid: {reason}")]
    BadValue {
        /// Where.
        path: String,
        /// Why.
        reason: String,
    },
    /// The leaf certificate carries no KeyDescription.
    #[error("the leaf certificate carries no KeyDescription (1.3.6.1.4.1.11129.2.1.17)")]
    KeyDescriptionMissing,
    /// A certificate other than the leaf carries a KeyDescription: the chain
    /// was extended below the attested key, or is not an attestation chain.
    #[error("certificate {index} carries a KeyDescription; only the leaf may")]
    KeyDescriptionMisplaced {
        /// The certificate, 0 being the leaf.
        index: usize,
    },
    /// The chain does not end at an Android attestation root.
    #[error("the chain does not end at an Android attestation root")]
    NotAndroidAnchor,
    /// The attestation is made by software (`attestationSecurityLevel` or
    /// `keyMintSecurityLevel` SOFTWARE) where hardware is required.
    #[error("the key is attested by {level}, not by secure hardware")]
    SoftwareSecurityLevel {
        /// The security level named.
        level: &'static str,
    },
    /// The attestation security level is below the level required.
    #[error("the key is attested at {found}; {required} is required")]
    SecurityLevelTooLow {
        /// The level found.
        found: &'static str,
        /// The level required.
        required: &'static str,
    },
    /// The key was not generated in the secure hardware (origin other
    /// than GENERATED).
    #[error("the key's origin is {origin}, not GENERATED")]
    OriginNotGenerated {
        /// The origin named.
        origin: String,
    },
    /// The attestation challenge differs from the one the mode requires
    /// (the token's `eat_nonce`, or the enrolment challenge).
    #[error("the attestation challenge differs from the {expected}")]
    ChallengeMismatch {
        /// What it was compared with.
        expected: &'static str,
    },
}

impl AndroidError {
    /// The stable error code.
    pub fn code(&self) -> &'static str {
        match self {
            AndroidError::Malformed { .. } => "android.malformed",
            AndroidError::TagsNotAscending { .. } => "android.tags-not-ascending",
            AndroidError::UnknownTag { .. } => "android.unknown-tag",
            AndroidError::BadValue { .. } => "android.bad-value",
            AndroidError::KeyDescriptionMissing => "android.key-description-missing",
            AndroidError::KeyDescriptionMisplaced { .. } => "android.key-description-misplaced",
            AndroidError::NotAndroidAnchor => "android.not-android-anchor",
            AndroidError::SoftwareSecurityLevel { .. } => "android.software-security-level",
            AndroidError::SecurityLevelTooLow { .. } => "android.security-level-too-low",
            AndroidError::OriginNotGenerated { .. } => "android.origin-not-generated",
            AndroidError::ChallengeMismatch { .. } => "android.challenge-mismatch",
        }
    }
}
