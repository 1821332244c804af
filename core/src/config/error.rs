//! Errors of a verifier's configuration and of the arguments of a
//! verification call. Each has its own variant and a stable, dotted code
//! (see [`crate::Error::code`]).

use alloc::string::String;

/// Why a verifier configuration, or the arguments of a verification call,
/// were refused. Nothing was verified: these are the relying party's
/// mistakes, never a verdict on a token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The configuration document is larger than
    /// [`MAX_CONFIG_SIZE`](super::MAX_CONFIG_SIZE); nothing was parsed.
    #[error("configuration is {size} bytes, more than the limit of {max}")]
    TooLarge {
        /// Its size.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// The document is not JSON or TOML, a member has the wrong type, a
    /// required member is missing or a member is unknown.
    #[error("configuration is malformed: {reason}")]
    Syntax {
        /// The parser's explanation.
        reason: String,
    },
    /// A text that is empty or only whitespace, or an empty list: never read
    /// as "absent" (leave the member out for its default).
    #[error("{field} is empty (an empty value is refused, never read as absent)")]
    Empty {
        /// The member, e.g. `status-list.json` or `allowed-algorithms`.
        field: String,
    },
    /// A value outside its set: an unknown name, text that is not hex, a
    /// zero count, a repeated entry.
    #[error("{field}: {reason}")]
    BadValue {
        /// The member.
        field: String,
        /// What is wrong.
        reason: String,
    },
    /// A limit looser than the specification's (spec §8.1).
    #[error("{field} = {value} is looser than the profile's limit of {max} (spec §8.1)")]
    LooserThanProfile {
        /// The limit.
        field: String,
        /// The value given.
        value: u64,
        /// The specification's limit.
        max: u64,
    },
    /// The configuration asks for something this build does not have (the
    /// `aws-lc` crypto provider without its feature, PEM or caches without
    /// `std`, a file reference where no files are read).
    #[error("{field}: {reason}")]
    Unavailable {
        /// The member.
        field: String,
        /// What is missing.
        reason: String,
    },
    /// No trust anchor is configured, so no token could verify.
    #[error("no trust anchors are configured: no token could verify")]
    NoAnchors,
    /// A policy name that the configuration does not define.
    #[error("no policy named {name:?} is configured")]
    UnknownPolicy {
        /// The name asked for.
        name: String,
    },
    /// The verifier requires a challenge (`require-nonce`) and the call
    /// gave none.
    #[error("this verifier requires a challenge (nonce) for every verification")]
    NonceRequired,
    /// The verifier checks Android attestations in enrolled-key mode and
    /// the call gave no enrolment challenge (spec §17.6).
    #[error("enrolled-key mode: the call must give the challenge issued at enrolment")]
    EnrolmentChallengeRequired,
    /// A file the configuration refers to cannot be read.
    #[error("{field}: {path}: {reason}")]
    Unreadable {
        /// The member that names it (`anchors[0].file`), or `configuration`
        /// for the configuration file itself.
        field: String,
        /// The file, as the configuration names it.
        path: String,
        /// Why it cannot be read.
        reason: String,
    },
}

impl ConfigError {
    /// The stable error code.
    pub fn code(&self) -> &'static str {
        match self {
            ConfigError::TooLarge { .. } => "config.too-large",
            ConfigError::Syntax { .. } => "config.syntax",
            ConfigError::Empty { .. } => "config.empty",
            ConfigError::BadValue { .. } => "config.bad-value",
            ConfigError::LooserThanProfile { .. } => "config.looser-than-profile",
            ConfigError::Unavailable { .. } => "config.unavailable",
            ConfigError::NoAnchors => "config.no-anchors",
            ConfigError::UnknownPolicy { .. } => "config.unknown-policy",
            ConfigError::NonceRequired => "config.nonce-required",
            ConfigError::EnrolmentChallengeRequired => "config.enrolment-challenge-required",
            ConfigError::Unreadable { .. } => "config.unreadable",
        }
    }

    pub(crate) fn empty(field: impl Into<String>) -> ConfigError {
        ConfigError::Empty {
            field: field.into(),
        }
    }

    pub(crate) fn bad(field: impl Into<String>, reason: impl Into<String>) -> ConfigError {
        ConfigError::BadValue {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn unavailable(field: impl Into<String>, reason: impl Into<String>) -> ConfigError {
        ConfigError::Unavailable {
            field: field.into(),
            reason: reason.into(),
        }
    }
}
