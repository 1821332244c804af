//! Errors of freshness, replay protection, policy and bulletin loading, and
//! attestation-result decoding. Each has its own variant and a stable,
//! dotted code (see [`crate::Error::code`]).

use alloc::string::String;

use crate::time::shown;

/// Why a token is not fresh, or not for this relying party's challenge.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FreshnessError {
    /// The token's `eat_nonce` differs from the relying party's challenge.
    #[error("eat_nonce does not match the challenge")]
    NonceMismatch,
    /// The relying party expected a nonce but the token carries none.
    #[error("a nonce was expected but the token has no eat_nonce")]
    NonceMissing,
    /// The challenge the relying party passed in is not 8..=64 bytes long
    /// (the profile's `eat_nonce` size), so no token could match it.
    #[error("the expected nonce is {len} bytes; 8..=64 required")]
    NonceLength {
        /// Its length.
        len: usize,
    },
    /// `iat` is older than the maximum token age (plus the clock skew).
    #[error(
        "token issued at {} is older than the maximum age of {max_age} s plus the clock skew \
         of {skew} s at {}",
        shown(.iat),
        shown(.now)
    )]
    Stale {
        /// The token's `iat`.
        iat: i64,
        /// The verification time.
        now: i64,
        /// The maximum age, seconds.
        max_age: u32,
        /// The clock skew allowed on top of it, seconds.
        skew: u32,
    },
    /// `iat` lies further in the future than the allowed clock skew.
    #[error(
        "token issued at {} lies in the future at {}, beyond the clock skew of {skew} s",
        shown(.iat),
        shown(.now)
    )]
    Future {
        /// The token's `iat`.
        iat: i64,
        /// The verification time.
        now: i64,
        /// The allowed clock skew, seconds.
        skew: u32,
    },
    /// `exp` has passed (allowing for the clock skew).
    #[error("token expired at {} (time of check {})", shown(.exp), shown(.now))]
    Expired {
        /// The token's `exp`.
        exp: i64,
        /// The verification time.
        now: i64,
    },
    /// `nbf` has not been reached yet (allowing for the clock skew).
    #[error(
        "token is not valid before {} (time of check {})",
        shown(.nbf),
        shown(.now)
    )]
    NotYetValid {
        /// The token's `nbf`.
        nbf: i64,
        /// The verification time.
        now: i64,
    },
}

impl FreshnessError {
    /// The stable error code.
    pub fn code(&self) -> &'static str {
        match self {
            FreshnessError::NonceMismatch => "freshness.nonce-mismatch",
            FreshnessError::NonceMissing => "freshness.nonce-missing",
            FreshnessError::NonceLength { .. } => "freshness.nonce-length",
            FreshnessError::Stale { .. } => "freshness.stale",
            FreshnessError::Future { .. } => "freshness.future",
            FreshnessError::Expired { .. } => "freshness.expired",
            FreshnessError::NotYetValid { .. } => "freshness.not-yet-valid",
        }
    }
}

/// Why the replay cache refused a token. Every variant rejects the token:
/// a cache that cannot answer never lets a token through.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// The token's `cti` or nonce was seen before, within the token's
    /// acceptance window: a replay.
    #[error("token was seen before (replay)")]
    Seen,
    /// The store behind the cache failed (unreachable, poisoned lock, ...).
    #[error("replay store unavailable: {reason}")]
    StoreUnavailable {
        /// What failed.
        reason: String,
    },
    /// The cache is full of entries that are still live; it refuses new
    /// tokens rather than forget a live one.
    #[error(
        "replay cache is full ({capacity} identifiers, all of tokens still acceptable): size it \
         for the peak token rate, 2 identifiers per token for each second of the acceptance \
         window plus a margin (MemoryReplayCache::for_peak_rate(tokens_per_second, \
         acceptance_window_secs); spec 11.2.1)"
    )]
    CacheFull {
        /// The cache's capacity.
        capacity: usize,
    },
    /// The verification time went back so far that the token is acceptable
    /// again at it, but the cache may already have dropped the token's
    /// identifiers (it dropped tokens acceptable until
    /// `forgotten_through`): whether it is a replay cannot be told.
    #[error(
        "verification time went back: the token (acceptable until {}) may have been seen and \
         forgotten (the replay cache dropped tokens acceptable until {})",
        shown(.live_until),
        shown(.forgotten_through)
    )]
    ClockRegressed {
        /// The token's accept-until instant.
        live_until: i64,
        /// The latest accept-until instant of the identifiers dropped.
        forgotten_through: i64,
    },
}

impl ReplayError {
    /// The stable error code.
    pub fn code(&self) -> &'static str {
        match self {
            ReplayError::Seen => "replay.seen",
            ReplayError::StoreUnavailable { .. } => "replay.store-unavailable",
            ReplayError::CacheFull { .. } => "replay.cache-full",
            ReplayError::ClockRegressed { .. } => "replay.clock-regressed",
        }
    }
}

/// Why a policy or a vulnerability bulletin was refused when loaded.
/// Appraisal itself never fails: everything that could go wrong is checked
/// here, up front.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// The policy document is larger than
    /// [`MAX_POLICY_SIZE`](crate::limits::MAX_POLICY_SIZE); nothing was parsed.
    #[error("policy document is {size} bytes, more than the limit of {max}")]
    TooLarge {
        /// Its size.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// The policy document is not valid JSON / TOML, or has a field of the
    /// wrong type, an unknown field or a missing required field.
    #[error("policy document is malformed: {reason}")]
    Syntax {
        /// The parser's explanation.
        reason: String,
    },
    /// `extends` names no built-in preset.
    #[error("unknown preset {name:?} (known: payment, byod, content, iot)")]
    UnknownPreset {
        /// The name given.
        name: String,
    },
    /// A rule names a claim path the profile does not define.
    #[error("rule {rule:?}: unknown claim {claim:?}")]
    UnknownClaim {
        /// The rule's id.
        rule: String,
        /// The path given.
        claim: String,
    },
    /// A rule names a claim that exists but that policies cannot test
    /// (e.g. `cnf`, `measurements`).
    #[error("rule {rule:?}: claim {claim:?} cannot be appraised by a policy rule")]
    ClaimNotAppraisable {
        /// The rule's id.
        rule: String,
        /// The claim.
        claim: String,
    },
    /// A value in a rule has the wrong type for its claim or lies outside
    /// the claim's value set.
    #[error("rule {rule:?}: invalid value for {claim:?}: {reason}")]
    BadValue {
        /// The rule's id.
        rule: String,
        /// The claim.
        claim: String,
        /// What is wrong.
        reason: String,
    },
    /// A rule has no check or several, or a check its claim does not
    /// support (e.g. `at-least` on a boolean).
    #[error("rule {rule:?}: {reason}")]
    BadCheck {
        /// The rule's id.
        rule: String,
        /// What is wrong.
        reason: String,
    },
    /// Two rules of one document share an id.
    #[error("rule id {rule:?} appears twice")]
    DuplicateRule {
        /// The repeated id.
        rule: String,
    },
    /// `remove-rules` names a rule the base policy does not have.
    #[error("remove-rules names {rule:?}, which the base policy does not have")]
    UnknownRule {
        /// The id given.
        rule: String,
    },
    /// A preset rule needs a value only the relying party knows (the app's
    /// signer digests) and the document does not give it.
    #[error("rule {rule:?} needs the parameter {parameter:?}")]
    MissingParameter {
        /// The rule that needs it.
        rule: String,
        /// The document field that supplies it.
        parameter: &'static str,
    },
    /// The bulletin feed is larger than
    /// [`MAX_BULLETIN_SIZE`](crate::limits::MAX_BULLETIN_SIZE); nothing was
    /// parsed.
    #[error("bulletin feed is {size} bytes, more than the limit of {max}")]
    BulletinTooLarge {
        /// Its size.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// The bulletin feed is not valid JSON or does not have the feed's shape.
    #[error("bulletin feed is malformed: {reason}")]
    BulletinSyntax {
        /// The parser's explanation.
        reason: String,
    },
    /// An advisory's patch-level range or value is invalid.
    #[error("advisory {advisory:?}: {reason}")]
    BulletinBadRange {
        /// The advisory id.
        advisory: String,
        /// What is wrong.
        reason: String,
    },
    /// An advisory id appears twice in one feed.
    #[error("advisory {advisory:?} appears twice")]
    BulletinDuplicate {
        /// The repeated id.
        advisory: String,
    },
    /// An advisory names no model, no software and no patch-level range,
    /// so it would flag every device.
    #[error("advisory {advisory:?} has no matching criteria")]
    BulletinNoCriteria {
        /// The advisory id.
        advisory: String,
    },
}

impl PolicyError {
    /// The stable error code.
    pub fn code(&self) -> &'static str {
        match self {
            PolicyError::TooLarge { .. } => "policy.too-large",
            PolicyError::Syntax { .. } => "policy.syntax",
            PolicyError::UnknownPreset { .. } => "policy.unknown-preset",
            PolicyError::UnknownClaim { .. } => "policy.unknown-claim",
            PolicyError::ClaimNotAppraisable { .. } => "policy.claim-not-appraisable",
            PolicyError::BadValue { .. } => "policy.bad-value",
            PolicyError::BadCheck { .. } => "policy.bad-check",
            PolicyError::DuplicateRule { .. } => "policy.duplicate-rule",
            PolicyError::UnknownRule { .. } => "policy.unknown-rule",
            PolicyError::MissingParameter { .. } => "policy.missing-parameter",
            PolicyError::BulletinTooLarge { .. } => "bulletin.too-large",
            PolicyError::BulletinSyntax { .. } => "bulletin.syntax",
            PolicyError::BulletinBadRange { .. } => "bulletin.bad-range",
            PolicyError::BulletinDuplicate { .. } => "bulletin.duplicate-advisory",
            PolicyError::BulletinNoCriteria { .. } => "bulletin.no-criteria",
        }
    }
}

/// Why an attestation result (EAR) could not be decoded. A bad signature
/// over a signed result is reported by the token layer
/// (`token.bad-signature`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EarError {
    /// The encoded result is larger than
    /// [`MAX_EAR_SIZE`](crate::limits::MAX_EAR_SIZE); nothing was parsed.
    #[error("attestation result is {size} bytes, more than the limit of {max}")]
    TooLarge {
        /// Its size.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// The result is not an EAR of the shape this crate produces.
    #[error("attestation result is malformed: {reason}")]
    Malformed {
        /// What is wrong.
        reason: String,
    },
    /// `eat_profile` is not the EAR profile.
    #[error("attestation result has eat_profile {found:?}, not the EAR profile")]
    WrongProfile {
        /// The profile found.
        found: String,
    },
}

impl EarError {
    /// The stable error code.
    pub fn code(&self) -> &'static str {
        match self {
            EarError::TooLarge { .. } => "ear.too-large",
            EarError::Malformed { .. } => "ear.malformed",
            EarError::WrongProfile { .. } => "ear.wrong-profile",
        }
    }
}
