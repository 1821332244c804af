//! Builds the `Value` of an item the scan accepted: the one reading of it.

use alloc::vec::Vec;

use ciborium::value::Value;

use super::reader::Reader;
use super::undefined;
use crate::error::CborError;

/// What decoding reports for an accepted item nested deeper than a `Value`
/// may be ([`MAX_NESTING`]).
pub(super) const UNREPRESENTABLE: CborError = CborError::Malformed {
    offset: 0,
    reason: "not representable as a CBOR value",
};

/// The builder's error: nesting beyond [`MAX_NESTING`], or a malformation
/// the scan already refused (so never seen).
pub(super) struct Unrepresentable;

impl From<CborError> for Unrepresentable {
    fn from(_: CborError) -> Self {
        Unrepresentable
    }
}

/// The deepest nesting of arrays, maps and tags in a decoded `Value`:
/// `ciborium`'s own limit, which keeps every recursive walk over a `Value`
/// (encoding, comparing, dropping) shallow whatever the caller's limits.
const MAX_NESTING: usize = 256;

/// Builds the `Value` of `bytes`, which [`super::scan`] accepted whole.
pub(super) fn build(bytes: &[u8]) -> Result<Value, Unrepresentable> {
    Builder {
        reader: Reader::new(bytes),
    }
    .value(0)
}

/// Integers as their value, strings, arrays and maps as sent (map entries
/// in their order), tags as tags (bignums included), `undefined` as
/// [`undefined`]; floats, the one case with more to it, are handed to
/// `ciborium`.
struct Builder<'a> {
    reader: Reader<'a>,
}

impl Builder<'_> {
    fn value(&mut self, nesting: usize) -> Result<Value, Unrepresentable> {
        let start = self.reader.pos;
        let head = self.reader.head()?;
        Ok(match head.major {
            0 => Value::Integer(head.arg.into()),
            1 => Value::from(-1 - i128::from(head.arg)),
            2 => Value::Bytes(self.string(head.arg)?.to_vec()),
            3 => {
                let text = core::str::from_utf8(self.string(head.arg)?);
                Value::Text(text.map_err(|_| Unrepresentable)?.into())
            }
            4 => {
                let nesting = nest(nesting)?;
                let mut items = Vec::with_capacity(self.capacity(head.arg, 1));
                for _ in 0..head.arg {
                    items.push(self.value(nesting)?);
                }
                Value::Array(items)
            }
            5 => {
                let nesting = nest(nesting)?;
                let mut entries = Vec::with_capacity(self.capacity(head.arg, 2));
                for _ in 0..head.arg {
                    let key = self.value(nesting)?;
                    entries.push((key, self.value(nesting)?));
                }
                Value::Map(entries)
            }
            6 => {
                let nesting = nest(nesting)?;
                Value::Tag(head.arg, self.value(nesting)?.into())
            }
            _ => match head.info {
                20 => Value::Bool(false),
                21 => Value::Bool(true),
                22 => Value::Null,
                23 => undefined(),
                _ => self.float(start)?,
            },
        })
    }

    fn string(&mut self, arg: u64) -> Result<&[u8], Unrepresentable> {
        let n = self.reader.len(arg)?;
        Ok(self.reader.take(n)?)
    }

    /// Room for `arg` items of at least `min_size` bytes each, but never more
    /// than the rest of the input can hold.
    fn capacity(&self, arg: u64, min_size: usize) -> usize {
        usize::try_from(arg)
            .unwrap_or(usize::MAX)
            .min(self.reader.remaining() / min_size)
    }

    /// The float whose head (holding its bits) was read from `start` on.
    fn float(&self, start: usize) -> Result<Value, Unrepresentable> {
        let mut item = self
            .reader
            .bytes
            .get(start..self.reader.pos)
            .ok_or(Unrepresentable)?;
        // `ciborium`'s own reading of a float head (its deserializer reads
        // `Value::Float` from this header), without its serde layer.
        match ciborium_ll::Decoder::from(&mut item).pull() {
            Ok(ciborium_ll::Header::Float(float)) => Ok(Value::Float(float)),
            _ => Err(Unrepresentable),
        }
    }
}

/// One more level of nesting, within [`MAX_NESTING`].
fn nest(nesting: usize) -> Result<usize, Unrepresentable> {
    let nesting = nesting + 1;
    if nesting > MAX_NESTING {
        return Err(Unrepresentable);
    }
    Ok(nesting)
}
