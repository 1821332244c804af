//! When two map keys are the same key (spec §7.2): when they denote the same
//! data item, whatever their encoding, with every bignum read as the integer
//! it denotes.

use alloc::boxed::Box;
use alloc::vec::Vec;

use ciborium::value::Value;

use super::{build, encode, TAG_NEGATIVE_BIGNUM, TAG_POSITIVE_BIGNUM};

/// A map key reduced to what makes two keys equal.
///
/// An integer (major type 0 or 1, or a bignum whose value fits 64 bits)
/// is its sign and magnitude; a larger bignum its sign and its magnitude's
/// bytes without leading zeros; a string its major type and content;
/// anything else ([`KeyIdentity::OTHER`]: arrays, maps, other tags, simple
/// values, floats) its bytes as sent, which [`has_duplicate`] compares once
/// more in deterministic form. Integer and string keys order as their
/// deterministic encodings do, so the keys of a deterministically encoded
/// map usually arrive sorted.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct KeyIdentity<'a> {
    class: u8,
    arg: u64,
    content: &'a [u8],
}

impl<'a> KeyIdentity<'a> {
    pub(super) const UINT: u8 = 0;
    pub(super) const NINT: u8 = 1;
    pub(super) const BYTES: u8 = 2;
    pub(super) const TEXT: u8 = 3;
    const BIG_UINT: u8 = 4;
    const BIG_NINT: u8 = 5;
    const OTHER: u8 = 6;

    pub(super) fn new(class: u8, arg: u64, content: &'a [u8]) -> Self {
        KeyIdentity {
            class,
            arg,
            content,
        }
    }

    /// Anything but an integer or a string: its bytes as sent.
    pub(super) fn other(raw: &'a [u8]) -> Self {
        KeyIdentity::new(KeyIdentity::OTHER, 0, raw)
    }

    /// The bignum (tag 3 when `negative`, else tag 2) around `content`, as
    /// the integer it denotes; `None` if `content` is not a byte string.
    pub(super) fn bignum(negative: bool, content: KeyIdentity<'a>) -> Option<Self> {
        if content.class != KeyIdentity::BYTES {
            return None;
        }
        let magnitude = without_leading_zeros(content.content);
        Some(match small(magnitude) {
            Some(n) if negative => KeyIdentity::new(KeyIdentity::NINT, n, &[]),
            Some(n) => KeyIdentity::new(KeyIdentity::UINT, n, &[]),
            None => {
                let class = if negative {
                    KeyIdentity::BIG_NINT
                } else {
                    KeyIdentity::BIG_UINT
                };
                KeyIdentity::new(class, magnitude.len() as u64, magnitude)
            }
        })
    }
}

fn without_leading_zeros(bytes: &[u8]) -> &[u8] {
    let zeros = bytes.iter().take_while(|&&b| b == 0).count();
    bytes.get(zeros..).unwrap_or_default()
}

/// A big-endian magnitude without leading zeros, if it fits 64 bits.
fn small(magnitude: &[u8]) -> Option<u64> {
    (magnitude.len() <= 8).then(|| {
        magnitude
            .iter()
            .fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
    })
}

/// Whether two of `keys` are the same key. Sorts `keys` unless they are in
/// strictly ascending order already (the usual case: deterministic encoding).
pub(super) fn has_duplicate(keys: &mut [KeyIdentity<'_>]) -> bool {
    let ascending = |keys: &[KeyIdentity<'_>]| {
        keys.windows(2).all(|pair| match pair {
            [a, b] => a < b,
            _ => true,
        })
    };
    if !ascending(keys) {
        keys.sort_unstable();
        if !ascending(keys) {
            return true;
        }
    }
    // Sorted, so the other keys come last. Different bytes can still spell
    // one data item ([1] and [0x18 0x01], a float in two widths).
    let others = keys
        .get(keys.partition_point(|k| k.class < KeyIdentity::OTHER)..)
        .unwrap_or_default();
    others.len() > 1 && spelled_alike(others)
}

/// Whether two of these keys (of class other, each an accepted item) have
/// the same deterministic form. Rare enough that allocating is fine.
fn spelled_alike(others: &[KeyIdentity<'_>]) -> bool {
    // With positions, so that this sort is the one every map encoding uses
    // (`in_deterministic_order`): one sort in a firmware image.
    let mut forms: Vec<(Vec<u8>, usize)> = others
        .iter()
        .enumerate()
        .map(|(position, key)| match build::build(key.content) {
            Ok(value) => (encode(&bignums_as_integers(&value)), position),
            // Nested too deeply to build: compared as sent.
            Err(build::Unrepresentable) => (key.content.to_vec(), position),
        })
        .collect();
    forms.sort_unstable();
    forms.windows(2).any(|pair| match pair {
        [a, b] => a.0 == b.0,
        _ => false,
    })
}

/// `value` with every bignum read as the integer it denotes: one that fits
/// a CBOR integer becomes that integer, a larger one loses its leading zero
/// bytes.
fn bignums_as_integers(value: &Value) -> Value {
    match value {
        Value::Tag(tag @ (TAG_POSITIVE_BIGNUM | TAG_NEGATIVE_BIGNUM), inner) => match &**inner {
            Value::Bytes(bytes) => {
                let magnitude = without_leading_zeros(bytes);
                match small(magnitude) {
                    Some(n) if *tag == TAG_NEGATIVE_BIGNUM => Value::from(-1 - i128::from(n)),
                    Some(n) => Value::from(n),
                    None => Value::Tag(*tag, Box::new(Value::Bytes(magnitude.to_vec()))),
                }
            }
            other => Value::Tag(*tag, Box::new(bignums_as_integers(other))),
        },
        Value::Tag(tag, inner) => Value::Tag(*tag, Box::new(bignums_as_integers(inner))),
        Value::Array(items) => Value::Array(items.iter().map(bignums_as_integers).collect()),
        Value::Map(entries) => Value::Map(
            entries
                .iter()
                .map(|(k, v)| (bignums_as_integers(k), bignums_as_integers(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}
