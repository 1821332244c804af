//! Errors. Every rejection has its own variant and a stable, dotted error code
//! (see [`Error::code`]) that the CLI, the C ABI, the WASM bindings and the
//! conformance vectors report identically.

use alloc::string::String;

pub use crate::android::AndroidError;
pub use crate::appraisal::{EarError, FreshnessError, PolicyError, ReplayError};
pub use crate::config::ConfigError;
pub use crate::trust::ChainError;

/// Any failure to decode, verify or produce a token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The bytes are not acceptable CBOR.
    #[error(transparent)]
    Cbor(#[from] CborError),
    /// The COSE_Sign1 envelope is not acceptable.
    #[error(transparent)]
    Token(#[from] TokenError),
    /// The claims set is not acceptable.
    #[error(transparent)]
    Claims(#[from] ClaimsError),
    /// A key or signing operation failed.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// The x5chain certificate path (or the trust configuration) is not
    /// acceptable.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// The token is not fresh or not for this challenge.
    #[error(transparent)]
    Freshness(#[from] FreshnessError),
    /// The replay cache refused the token.
    #[error(transparent)]
    Replay(#[from] ReplayError),
    /// A policy or vulnerability bulletin was refused when loaded.
    #[error(transparent)]
    Policy(#[from] PolicyError),
    /// An attestation result (EAR) could not be decoded.
    #[error(transparent)]
    Ear(#[from] EarError),
    /// The verifier's configuration, or the arguments of a verification
    /// call, were refused: nothing was verified.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// An Android Key Attestation was refused (spec §17).
    #[error(transparent)]
    Android(#[from] AndroidError),
}

impl Error {
    /// The stable error code, a dotted string such as `token.alg-unprotected`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Cbor(e) => e.code(),
            Error::Token(e) => e.code(),
            Error::Claims(e) => e.code(),
            Error::Crypto(e) => e.code(),
            Error::Chain(e) => e.code(),
            Error::Freshness(e) => e.code(),
            Error::Replay(e) => e.code(),
            Error::Policy(e) => e.code(),
            Error::Ear(e) => e.code(),
            Error::Config(e) => e.code(),
            Error::Android(e) => e.code(),
        }
    }

    /// The stable code of a refusal a producer gives ([`TokenBuilder::sign`]
    /// and the builders it relies on: the limits of spec §8.4, the chain's
    /// shape, the relations between claims, the signer's failures), or
    /// `None` for any other error. It is [`code`](Self::code)'s string for
    /// these errors; a firmware that reports its producer's refusals links
    /// only these names instead of every code of the library.
    ///
    /// [`TokenBuilder::sign`]: crate::token::TokenBuilder::sign
    ///
    /// ```
    /// use mtattest::error::{Error, TokenError};
    /// let e = Error::from(TokenError::TooLarge { size: 20_000, max: 16_384 });
    /// assert_eq!(e.producer_code(), Some("token.too-large"));
    /// assert_eq!(e.producer_code(), Some(e.code()));
    /// ```
    pub fn producer_code(&self) -> Option<&'static str> {
        Some(match self {
            Error::Chain(ChainError::Empty) => "chain.empty",
            Error::Chain(ChainError::TooLong { .. }) => "chain.too-long",
            Error::Chain(ChainError::CertTooLarge { .. }) => "chain.cert-too-large",
            Error::Cbor(CborError::TooDeep { .. }) => "cbor.too-deep",
            Error::Cbor(CborError::TooManyItems { .. }) => "cbor.too-many-items",
            Error::Cbor(CborError::MapTooLarge { .. }) => "cbor.map-too-large",
            Error::Claims(ClaimsError::SubmodsTooDeep { .. }) => "claims.submods-too-deep",
            Error::Claims(ClaimsError::InvalidValue { .. }) => "claims.invalid-value",
            Error::Token(TokenError::TooLarge { .. }) => "token.too-large",
            Error::Crypto(CryptoError::InvalidKey { .. }) => "crypto.invalid-key",
            Error::Crypto(CryptoError::SigningFailed { .. }) => "crypto.signing-failed",
            Error::Crypto(CryptoError::SignatureLength { .. }) => "crypto.signature-length",
            _ => return None,
        })
    }
}

/// Violations of the CBOR encoding rules (RFC 8949 well-formedness plus this
/// profile's restrictions).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CborError {
    /// The input ends inside a data item.
    #[error("CBOR is truncated at offset {offset}")]
    Truncated {
        /// Where the missing bytes were expected.
        offset: usize,
    },
    /// A byte sequence that is not well-formed CBOR, or a simple value the
    /// profile does not use.
    #[error("CBOR is malformed at offset {offset}: {reason}")]
    Malformed {
        /// Offset of the offending initial byte.
        offset: usize,
        /// What is wrong there.
        reason: &'static str,
    },
    /// Indefinite-length strings, arrays and maps are not accepted.
    #[error("indefinite-length CBOR item at offset {offset}")]
    IndefiniteLength {
        /// Offset of the item.
        offset: usize,
    },
    /// Arrays, maps and tags nest deeper than the limit.
    #[error("CBOR nesting deeper than {max}")]
    TooDeep {
        /// The depth limit.
        max: usize,
    },
    /// More data items than the limit.
    #[error("more than {max} CBOR data items")]
    TooManyItems {
        /// The item limit.
        max: usize,
    },
    /// A map has more entries than the limit.
    #[error("CBOR map at offset {offset} has {entries} entries, more than {max}")]
    MapTooLarge {
        /// Offset of the map.
        offset: usize,
        /// Its declared entry count.
        entries: u64,
        /// The limit.
        max: usize,
    },
    /// A map holds the same key twice.
    #[error("duplicate key in the CBOR map at offset {offset}")]
    DuplicateKey {
        /// Offset of the map.
        offset: usize,
    },
    /// Bytes follow the end of the top-level item.
    #[error("{count} trailing bytes after the CBOR item")]
    TrailingBytes {
        /// How many bytes follow the item.
        count: usize,
    },
}

impl CborError {
    /// The stable error code.
    pub fn code(&self) -> &'static str {
        match self {
            CborError::Truncated { .. } => "cbor.truncated",
            CborError::Malformed { .. } => "cbor.malformed",
            CborError::IndefiniteLength { .. } => "cbor.indefinite-length",
            CborError::TooDeep { .. } => "cbor.too-deep",
            CborError::TooManyItems { .. } => "cbor.too-many-items",
            CborError::MapTooLarge { .. } => "cbor.map-too-large",
            CborError::DuplicateKey { .. } => "cbor.duplicate-key",
            CborError::TrailingBytes { .. } => "cbor.trailing-bytes",
        }
    }
}

/// Violations of the COSE_Sign1 envelope rules.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// The token is larger than the limit; nothing was parsed.
    #[error("token is {size} bytes, more than the limit of {max}")]
    TooLarge {
        /// The token's size.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// The token does not start with the COSE_Sign1 tag (18).
    #[error("token is not tagged as COSE_Sign1 (tag 18)")]
    Untagged,
    /// The token carries a tag other than 18 (optionally inside 61).
    #[error("token carries tag {tag}; expected COSE_Sign1 (18), optionally inside CWT (61)")]
    WrongTag {
        /// The unexpected tag.
        tag: u64,
    },
    /// The item under the tag is not a COSE_Sign1 structure.
    #[error("token is not a well-formed COSE_Sign1: {reason}")]
    Malformed {
        /// What is wrong with it.
        reason: String,
    },
    /// The protected header has no `alg`.
    #[error("protected header has no alg")]
    AlgMissing,
    /// `alg` appears in the unprotected header.
    #[error("alg appears in the unprotected header")]
    AlgUnprotected,
    /// `alg` names an algorithm this verifier does not allow.
    #[error("algorithm {alg} is not allowed")]
    AlgNotAllowed {
        /// The algorithm: its COSE name for a registered signature
        /// algorithm's integer (`ES512`), else as given (`-99`, a text).
        alg: String,
    },
    /// `crit` lists a header parameter this implementation does not understand.
    #[error("critical header parameter {label} is not understood")]
    UnknownCriticalHeader {
        /// The label, as given.
        label: String,
    },
    /// `crit` is empty, unprotected, or names a label absent from the protected header.
    #[error("crit header is malformed: {reason}")]
    CritMalformed {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The same header label appears in the protected and the unprotected header.
    #[error("header parameter {label} appears in both the protected and the unprotected header")]
    HeaderInBothBuckets {
        /// The label, as given.
        label: String,
    },
    /// The payload is detached (nil); this profile carries it inline.
    #[error("payload is detached; the profile requires it inline")]
    DetachedPayload,
    /// The signature does not verify under the key.
    #[error("signature does not verify")]
    BadSignature,
    /// The verification key is for another curve than `alg` requires.
    #[error("key is a {key} key but alg is {alg}")]
    KeyAlgorithmMismatch {
        /// The key's curve.
        key: &'static str,
        /// The token's algorithm.
        alg: &'static str,
    },
}

impl TokenError {
    /// The stable error code.
    pub fn code(&self) -> &'static str {
        match self {
            TokenError::TooLarge { .. } => "token.too-large",
            TokenError::Untagged => "token.untagged",
            TokenError::WrongTag { .. } => "token.wrong-tag",
            TokenError::Malformed { .. } => "token.malformed",
            TokenError::AlgMissing => "token.alg-missing",
            TokenError::AlgUnprotected => "token.alg-unprotected",
            TokenError::AlgNotAllowed { .. } => "token.alg-not-allowed",
            TokenError::UnknownCriticalHeader { .. } => "token.unknown-critical-header",
            TokenError::CritMalformed { .. } => "token.crit-malformed",
            TokenError::HeaderInBothBuckets { .. } => "token.header-in-both-buckets",
            TokenError::DetachedPayload => "token.detached-payload",
            TokenError::BadSignature => "token.bad-signature",
            TokenError::KeyAlgorithmMismatch { .. } => "token.key-algorithm-mismatch",
        }
    }
}

/// Violations of the claims-set rules of the profile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClaimsError {
    /// The payload is not a CBOR map.
    #[error("claims set is not a map")]
    NotAMap,
    /// A claim has the wrong CBOR type.
    #[error("claim {path} must be {expected}")]
    WrongType {
        /// Where the claim is, e.g. `submods.boot.verified-boot-state`.
        path: String,
        /// The type the profile requires.
        expected: &'static str,
    },
    /// A claim has the right type but a value outside its value set.
    #[error("claim {path} has an invalid value: {reason}")]
    InvalidValue {
        /// Where the claim is.
        path: String,
        /// Why the value is refused.
        reason: String,
    },
    /// A claim the profile requires is absent.
    #[error("required claim {path} is missing")]
    Missing {
        /// The missing claim.
        path: String,
    },
    /// `eat_profile` names another profile or version.
    #[error("eat_profile is {found:?}, not this profile")]
    WrongProfile {
        /// The profile the token names.
        found: String,
    },
    /// A submodule is nested deeper than
    /// [`Limits::max_submod_depth`](crate::Limits::max_submod_depth).
    #[error("submodule {path} is nested deeper than {max}")]
    SubmodsTooDeep {
        /// The first submodule past the limit, e.g.
        /// `submods.vendor.submods.tee.submods.ta`.
        path: String,
        /// The limit.
        max: usize,
    },
    /// Claims given as JSON text are not JSON, or an object in it repeats a
    /// member name.
    #[error("claims JSON is not valid: {reason}")]
    InvalidJson {
        /// What is wrong, with line and column.
        reason: String,
    },
}

impl ClaimsError {
    /// The stable error code.
    pub fn code(&self) -> &'static str {
        match self {
            ClaimsError::NotAMap => "claims.not-a-map",
            ClaimsError::WrongType { .. } => "claims.wrong-type",
            ClaimsError::InvalidValue { .. } => "claims.invalid-value",
            ClaimsError::Missing { .. } => "claims.missing",
            ClaimsError::WrongProfile { .. } => "claims.wrong-profile",
            ClaimsError::SubmodsTooDeep { .. } => "claims.submods-too-deep",
            ClaimsError::InvalidJson { .. } => "claims.invalid-json",
        }
    }
}

/// Failures of a key or of a signing operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// The public or private key bytes are not a valid key for the curve.
    #[error("invalid {curve} key")]
    InvalidKey {
        /// The curve the key was meant for.
        curve: &'static str,
    },
    /// The signer failed (a TEE, HSM or keystore refused or broke).
    #[error("signing failed: {reason}")]
    SigningFailed {
        /// The signer's explanation.
        reason: String,
    },
    /// The signer produced a signature of the wrong length for its algorithm.
    #[error("signer produced {len} bytes; {alg} needs {expected}")]
    SignatureLength {
        /// The algorithm.
        alg: &'static str,
        /// What it produced.
        len: usize,
        /// What the algorithm needs.
        expected: usize,
    },
}

impl CryptoError {
    /// The stable error code.
    pub fn code(&self) -> &'static str {
        match self {
            CryptoError::InvalidKey { .. } => "crypto.invalid-key",
            CryptoError::SigningFailed { .. } => "crypto.signing-failed",
            CryptoError::SignatureLength { .. } => "crypto.signature-length",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    /// Each producer refusal names the code `code()` gives it (the spec's
    /// table, core/tests/spec_codes.rs); any other error has none.
    #[test]
    fn producer_codes_are_the_codes_of_the_producers_refusals() {
        let producer: [Error; 12] = [
            ChainError::Empty.into(),
            ChainError::TooLong { len: 7, max: 6 }.into(),
            ChainError::CertTooLarge {
                index: 0,
                size: 9000,
                max: 8192,
            }
            .into(),
            CborError::TooDeep { max: 16 }.into(),
            CborError::TooManyItems { max: 4096 }.into(),
            CborError::MapTooLarge {
                offset: 0,
                entries: 129,
                max: 128,
            }
            .into(),
            ClaimsError::SubmodsTooDeep {
                path: "submods.a".to_string(),
                max: 4,
            }
            .into(),
            ClaimsError::InvalidValue {
                path: "exp".to_string(),
                reason: "r".to_string(),
            }
            .into(),
            TokenError::TooLarge {
                size: 20_000,
                max: 16_384,
            }
            .into(),
            CryptoError::InvalidKey { curve: "P-384" }.into(),
            CryptoError::SigningFailed {
                reason: "r".to_string(),
            }
            .into(),
            CryptoError::SignatureLength {
                alg: "ES384",
                len: 64,
                expected: 96,
            }
            .into(),
        ];
        for e in &producer {
            assert_eq!(e.producer_code(), Some(e.code()), "{e:?}");
        }
        let codes: alloc::collections::BTreeSet<_> =
            producer.iter().filter_map(Error::producer_code).collect();
        assert_eq!(codes.len(), producer.len(), "one code each");

        let others: [Error; 3] = [
            CborError::Truncated { offset: 3 }.into(),
            TokenError::Untagged.into(),
            ChainError::NoAnchor { index: 1 }.into(),
        ];
        for e in &others {
            assert_eq!(e.producer_code(), None, "{e:?}");
        }
    }
}
