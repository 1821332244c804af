//! Input limits, enforced before any work that scales with the input.
//!
//! The defaults are the normative limits of the specification (§8,
//! `spec/limits.md`); a verifier may tighten them but a producer must stay
//! within the defaults. Every limit has its own error code, reported before
//! the work it bounds (tested by `core/tests/limits.rs`):
//!
//! | Limit | Default | Where | Error |
//! |---|---|---|---|
//! | encoded token size | 16 384 bytes | [`Limits::max_token_size`] | `token.too-large` |
//! | CBOR nesting depth | 16 | [`Limits::max_depth`] | `cbor.too-deep` |
//! | CBOR data items | 4 096 | [`Limits::max_items`] | `cbor.too-many-items` |
//! | entries in one map (claims per set or layer) | 128 | [`Limits::max_map_entries`] | `cbor.map-too-large` |
//! | submodule nesting depth | 4 | [`Limits::max_submod_depth`] | `claims.submods-too-deep` |
//! | certificates in an x5chain | 6 | [`ChainOptions::max_chain_len`](crate::trust::ChainOptions::max_chain_len) | `chain.too-long` |
//! | size of one certificate | 8 192 bytes | [`ChainOptions::max_cert_size`](crate::trust::ChainOptions::max_cert_size) | `chain.cert-too-large` |
//! | policy document | 65 536 bytes | [`MAX_POLICY_SIZE`] | `policy.too-large` |
//! | vulnerability bulletin | 1 048 576 bytes | [`MAX_BULLETIN_SIZE`] | `bulletin.too-large` |
//! | attestation result (EAR), CBOR, JSON or signed | 65 536 bytes | [`MAX_EAR_SIZE`] | `ear.too-large` |
//!
//! Sizes are checked on the received bytes before any parsing; depth, item
//! and map-entry limits by the strict CBOR scan before anything is
//! allocated for the item ([`crate::cbor::scan`]); the submodule depth on
//! the decoded claims set before any claim is interpreted; the chain length
//! and every certificate's size before any certificate is parsed.
//!
//! Producers stay within the same limits (spec §7.1, §8.1):
//! [`TokenBuilder::sign`](crate::token::TokenBuilder::sign) refuses, before
//! anything is signed, a token a verifier would refuse for a limit, with
//! that limit's code (the chain: [`check_x5chain`], which a producer that
//! assembles its own chain can call first; the payload and the envelope).

use alloc::vec::Vec;

use crate::claims::ClaimsSet;
use crate::error::{ChainError, Error, TokenError};
use crate::trust::ChainOptions;

/// Bounds on what a decoder accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest encoded token, in bytes, checked before parsing starts
    /// (`token.too-large`).
    pub max_token_size: usize,
    /// Deepest nesting of arrays, maps and tags in any CBOR item
    /// (`cbor.too-deep`). The token, its protected header and its payload
    /// are each decoded under this limit.
    pub max_depth: usize,
    /// Most data items (of any kind, counted recursively) in one CBOR item
    /// (`cbor.too-many-items`).
    pub max_items: usize,
    /// Most entries in any one map, including the claims set and each layer,
    /// checked on the declared count before reading entries
    /// (`cbor.map-too-large`).
    pub max_map_entries: usize,
    /// Deepest nesting of submodules (`submods`, key 266): the six layers
    /// are at depth 1, a submodule inside an unknown submodule at depth 2,
    /// and so on (`claims.submods-too-deep`).
    pub max_submod_depth: usize,
}

impl Limits {
    /// The limits of the specification.
    pub const DEFAULT: Limits = Limits {
        max_token_size: 16 * 1024,
        max_depth: 16,
        max_items: 4096,
        max_map_entries: 128,
        max_submod_depth: 4,
    };

    /// Whether every limit is at most the specification's, as a conforming
    /// verifier's must be (spec §8.1). Looser limits are for decoding
    /// material other than tokens of this profile; a verifier configured with
    /// them accepts tokens no conforming producer sends.
    ///
    /// ```
    /// use mtattest::Limits;
    ///
    /// let tighter = Limits { max_token_size: 4096, ..Limits::DEFAULT };
    /// assert!(tighter.is_within_profile());
    /// let looser = Limits { max_depth: 32, ..Limits::DEFAULT };
    /// assert!(!looser.is_within_profile());
    /// ```
    pub const fn is_within_profile(&self) -> bool {
        let d = Limits::DEFAULT;
        self.max_token_size <= d.max_token_size
            && self.max_depth <= d.max_depth
            && self.max_items <= d.max_items
            && self.max_map_entries <= d.max_map_entries
            && self.max_submod_depth <= d.max_submod_depth
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// Largest policy document (JSON or TOML), in bytes, checked before parsing
/// (`policy.too-large`).
pub const MAX_POLICY_SIZE: usize = 64 * 1024;

/// Largest vulnerability bulletin feed (JSON), in bytes, checked before
/// parsing (`bulletin.too-large`).
pub const MAX_BULLETIN_SIZE: usize = 1024 * 1024;

/// Largest attestation result (EAR) accepted by the decoders, in bytes:
/// CBOR, JSON or a signed COSE_Sign1, checked before parsing
/// (`ear.too-large`).
pub const MAX_EAR_SIZE: usize = 64 * 1024;

/// Checks a certificate chain a producer is about to carry in `x5chain`
/// against the chain limits of the profile (§8.1), in the order a verifier
/// applies them (§10.4 step 1) and before any certificate is parsed: at
/// least one certificate (an empty `x5chain` is malformed), at most
/// [`ChainOptions::DEFAULT`]`.max_chain_len` (`chain.too-long`), each at
/// most `max_cert_size` bytes (`chain.cert-too-large`).
///
/// ```
/// use mtattest::limits::check_x5chain;
///
/// assert!(check_x5chain(&vec![vec![0x30; 100]; 6]).is_ok());
/// assert_eq!(check_x5chain(&vec![vec![0x30; 100]; 7]).unwrap_err().code(), "chain.too-long");
/// assert_eq!(check_x5chain(&[vec![0x30; 8_193]]).unwrap_err().code(), "chain.cert-too-large");
/// assert_eq!(check_x5chain::<Vec<u8>>(&[]).unwrap_err().code(), "chain.empty");
/// ```
pub fn check_x5chain<C: AsRef<[u8]>>(chain: &[C]) -> Result<(), ChainError> {
    let limits = ChainOptions::DEFAULT;
    if chain.is_empty() {
        return Err(ChainError::Empty);
    }
    if chain.len() > limits.max_chain_len {
        return Err(ChainError::TooLong {
            len: chain.len(),
            max: limits.max_chain_len,
        });
    }
    match chain
        .iter()
        .map(|der| der.as_ref().len())
        .enumerate()
        .find(|(_, size)| *size > limits.max_cert_size)
    {
        Some((index, size)) => Err(ChainError::CertTooLarge {
            index,
            size,
            max: limits.max_cert_size,
        }),
        None => Ok(()),
    }
}

/// Encodes the claims a producer is about to sign, checking on what it
/// writes what a verifier's reading of the payload (§9 step 10) checks that
/// the claims' types do not already guarantee, under [`Limits::DEFAULT`]
/// and in the verifier's order: the depth, item and map-entry limits
/// (`cbor.too-deep`, `cbor.too-many-items`, `cbor.map-too-large`), counted
/// as the payload is written, then the submodule depth of the typed claims
/// (`claims.submods-too-deep`).
///
/// The payload is written straight from the typed claims
/// ([`crate::claims::encode`]): the same bytes as
/// [`ClaimsSet::to_cbor`], the normative encoding, without a CBOR tree.
/// The claims need no reading back (spec §8.4): every typed claim encodes
/// to a value its decoder accepts (its constructor checks the value's
/// range), an unknown claim was checked on insertion to be what the strict
/// decoder reads back, and the relations between claims are checked by the
/// caller. Debug builds assert both: that the payload is `to_cbor`'s and
/// that it reads back as a verifier reads it, so any test that signs fails
/// if they ever differ (`core/tests/producer_reading.rs` and
/// `core/tests/producer_encoding.rs` check it on generated claims).
pub(crate) fn claims_payload(claims: &ClaimsSet) -> Result<Vec<u8>, Error> {
    let limits = Limits::DEFAULT;
    let payload = crate::claims::encode::payload(claims, &limits)?;
    debug_assert!(
        payload == claims.to_cbor(),
        "the producer's payload is not the reference encoding"
    );
    debug_assert!(
        ClaimsSet::from_cbor(&payload, &limits).is_ok(),
        "a producer's payload that its own verifier refuses"
    );
    Ok(payload)
}

/// Checks the size of an encoded token (with a signature of its final
/// length) as a verifier's first step does (§9 step 1, `token.too-large`).
///
/// The envelope's other CBOR limits need no scan: the builder writes at
/// most two tags, the COSE_Sign1 array, a header map of at most three
/// entries and an `x5chain` array of at most six certificates (checked by
/// [`check_x5chain`] first): nesting at most 5 and at most 20 items, far
/// within the limits of the token and of its protected header.
pub(crate) fn check_token_size(token: &[u8]) -> Result<(), Error> {
    let limits = Limits::DEFAULT;
    if token.len() > limits.max_token_size {
        return Err(TokenError::TooLarge {
            size: token.len(),
            max: limits.max_token_size,
        }
        .into());
    }
    Ok(())
}
