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
    /// Deepest nesting of submodules (`submods`, key 266): the five layers
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
