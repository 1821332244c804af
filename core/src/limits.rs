//! Input limits, enforced before any work that scales with the input.
//!
//! The defaults are the normative limits of `spec/mtattest.md` ("Limits"); a
//! verifier may tighten them but a producer must stay within the defaults.

/// Bounds on what a decoder accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest encoded token, in bytes, checked before parsing starts.
    pub max_token_size: usize,
    /// Deepest nesting of arrays, maps and tags in any CBOR item.
    pub max_depth: usize,
    /// Most data items (of any kind, counted recursively) in one CBOR item.
    pub max_items: usize,
    /// Most entries in any one map, including the claims set and each layer.
    pub max_map_entries: usize,
}

impl Limits {
    /// The limits of the specification.
    pub const DEFAULT: Limits = Limits {
        max_token_size: 16 * 1024,
        max_depth: 16,
        max_items: 4096,
        max_map_entries: 128,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}
