//! Strict CBOR: a bounded well-formedness scan before any allocation that
//! scales with the input, one reading of what it accepted, and deterministic
//! encoding on output (spec §7).
//!
//! What the decoder accepts (spec §7.2): definite-length items only; simple
//! values false, true, null and undefined only; valid UTF-8 text; bignums
//! (tags 2 and 3) only around a byte string; no tag number registered as
//! invalid ([`INVALID_TAGS`]); no duplicate map keys; nesting, item count
//! and map size within [`Limits`]; nothing after the item. Non-preferred
//! encodings of integers, lengths, tags and floats are accepted (signatures
//! cover the bytes as sent) and read as the value they encode.
//!
//! **One reading.** A tag is read as a tag: a bignum stays
//! `Value::Tag(2 | 3, bytes)`, never an integer, so whatever expects an
//! untagged integer (a defined claim, a claim key, a header label or `alg`)
//! refuses it as the wrong type. `undefined` stays distinct from `null`
//! ([`undefined`]). Two map keys are the same key when they denote the same
//! data item: their core deterministic encodings are equal once every bignum
//! in them is read as the integer it denotes ([`decode_strict`]). So `1`,
//! `0x18 0x01`, `2(h'01')` and `2(h'0001')` are one key, and so are a float
//! and the same float in another width; a map holding two of them is refused
//! (`cbor.duplicate-key`) before any reader could take one for the other.
//!
//! Output is always core deterministic encoding (RFC 8949 §4.2.1).

mod build;
mod encode;
mod keys;
mod reader;
mod scan;
#[cfg(test)]
mod tests;
mod write;

use alloc::boxed::Box;
use ciborium::value::Value;

use crate::error::CborError;
use crate::limits::Limits;

pub use encode::encode;
pub(crate) use encode::head as write_head;
pub(crate) use encode::in_deterministic_order;
pub(crate) use write::Writer;

/// The unsigned bignum tag (RFC 8949 §3.4.3).
pub const TAG_POSITIVE_BIGNUM: u64 = 2;
/// The negative bignum tag (RFC 8949 §3.4.3).
pub const TAG_NEGATIVE_BIGNUM: u64 = 3;

/// The tag numbers the IANA CBOR Tags registry lists as "Invalid Tag"
/// (65535, 4294967295, 18446744073709551615): no data item carries them,
/// which leaves them to implementations as internal markers. The decoder
/// refuses them (`cbor.malformed`); the last one marks [`undefined`].
pub const INVALID_TAGS: [u64; 3] = [0xffff, 0xffff_ffff, u64::MAX];

/// The tag number of the marker that stands for `undefined` in a `Value`.
pub const UNDEFINED_MARKER_TAG: u64 = u64::MAX;

/// The CBOR simple value `undefined` (0xf7) as a `Value`.
///
/// `ciborium`'s `Value` has no variant for it, and `null` is another data
/// item (spec §6.12 keeps unknown claims as the same data item). So the
/// decoder gives `undefined` as the invalid tag [`UNDEFINED_MARKER_TAG`]
/// around `null` — a value no input can decode to, since the decoder
/// refuses that tag — and [`encode`] writes it back as 0xf7. Test for it
/// with [`is_undefined`].
///
/// ```
/// use mtattest::cbor::{decode_strict, encode, is_undefined, undefined};
/// use mtattest::Limits;
///
/// let value = decode_strict(&[0xf7], &Limits::DEFAULT).unwrap();
/// assert!(is_undefined(&value));
/// assert_eq!(value, undefined());
/// assert_eq!(encode(&value), [0xf7]);
/// assert!(!is_undefined(&decode_strict(&[0xf6], &Limits::DEFAULT).unwrap()));
/// ```
pub fn undefined() -> Value {
    Value::Tag(UNDEFINED_MARKER_TAG, Box::new(Value::Null))
}

/// Whether `value` is [`undefined`].
pub fn is_undefined(value: &Value) -> bool {
    matches!(value, Value::Tag(UNDEFINED_MARKER_TAG, inner) if matches!(**inner, Value::Null))
}

/// Checks that `bytes` is exactly one acceptable CBOR item and decodes it.
///
/// Two passes: [`scan`] checks the whole item within `limits` without any
/// allocation that grows with the input, then the `Value` is built from the
/// accepted bytes: integers of any encoding as their value, tags (bignums
/// included) as tags, `undefined` as [`undefined`], floats as `ciborium`
/// reads them.
///
/// ```
/// use ciborium::value::Value;
/// use mtattest::cbor::decode_strict;
/// use mtattest::Limits;
///
/// // 2(h'01') is a tag around a byte string, not the integer 1 ...
/// let bignum = decode_strict(&[0xc2, 0x41, 0x01], &Limits::DEFAULT).unwrap();
/// assert_eq!(bignum, Value::Tag(2, Box::new(Value::Bytes(vec![1]))));
/// // ... but as a map key it is the key 1, so {1: 0, 2(h'01'): 0} repeats it.
/// let err = decode_strict(&[0xa2, 0x01, 0x00, 0xc2, 0x41, 0x01, 0x00], &Limits::DEFAULT);
/// assert_eq!(err.unwrap_err().code(), "cbor.duplicate-key");
/// ```
pub fn decode_strict(bytes: &[u8], limits: &Limits) -> Result<Value, CborError> {
    let end = scan(bytes, limits)?;
    if end != bytes.len() {
        return Err(CborError::TrailingBytes {
            count: bytes.len() - end,
        });
    }
    build::build(bytes).map_err(|build::Unrepresentable| build::UNREPRESENTABLE)
}

/// Scans the first CBOR item of `bytes` and returns the offset just past it.
///
/// Bytes after the item are left to the caller, so envelopes can report them.
pub fn scan(bytes: &[u8], limits: &Limits) -> Result<usize, CborError> {
    scan::scan(bytes, limits)
}
