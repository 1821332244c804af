//! Strict CBOR: a bounded well-formedness scan before any allocation that
//! scales with the input, and deterministic encoding on output.
//!
//! What the decoder accepts (spec "Encoding rules"): definite-length items only;
//! no duplicate map keys (integer keys compare by value, so `1` and a
//! non-preferred encoding of `1` are the same key); simple values false, true,
//! null and undefined only; valid UTF-8 text; nesting, item count and map size
//! within [`Limits`]; nothing after the item. Non-preferred integer and length
//! encodings are accepted (signatures cover the bytes as sent). Output is
//! always core deterministic encoding (RFC 8949 §4.2.1).

use alloc::vec::Vec;
use ciborium::value::Value;

use crate::error::CborError;
use crate::limits::Limits;

/// Checks that `bytes` is exactly one acceptable CBOR item and decodes it.
pub fn decode_strict(bytes: &[u8], limits: &Limits) -> Result<Value, CborError> {
    let end = scan(bytes, limits)?;
    if end != bytes.len() {
        return Err(CborError::TrailingBytes {
            count: bytes.len() - end,
        });
    }
    let mut reader = bytes;
    ciborium::de::from_reader(&mut reader).map_err(|_| CborError::Malformed {
        offset: 0,
        reason: "not representable as a CBOR value",
    })
}

/// Scans the first CBOR item of `bytes` and returns the offset just past it.
///
/// Bytes after the item are left to the caller, so envelopes can report them.
pub fn scan(bytes: &[u8], limits: &Limits) -> Result<usize, CborError> {
    let mut scanner = Scanner {
        bytes,
        pos: 0,
        items: 0,
        limits,
    };
    scanner.item(0)?;
    Ok(scanner.pos)
}

/// Encodes `value` in core deterministic encoding: preferred serialization and
/// map keys sorted by their encoded bytes.
pub fn encode(value: &Value) -> Vec<u8> {
    let mut canonical = value.clone();
    sort_maps(&mut canonical);
    let mut out = Vec::new();
    // Writing a `Value` into a `Vec` cannot fail: the writer is infallible and
    // every `Value` variant is serializable.
    if ciborium::ser::into_writer(&canonical, &mut out).is_err() {
        out.clear();
    }
    out
}

fn sort_maps(value: &mut Value) {
    match value {
        Value::Map(entries) => {
            for (k, v) in entries.iter_mut() {
                sort_maps(k);
                sort_maps(v);
            }
            entries.sort_by_cached_key(|(k, _)| encode_unsorted(k));
        }
        Value::Array(items) => items.iter_mut().for_each(sort_maps),
        Value::Tag(_, inner) => sort_maps(inner),
        _ => {}
    }
}

fn encode_unsorted(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    if ciborium::ser::into_writer(value, &mut out).is_err() {
        out.clear();
    }
    out
}

/// A map key reduced to what makes two keys equal.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum KeyIdentity<'a> {
    Int(i128),
    Bytes(&'a [u8]),
    Text(&'a [u8]),
    Other(&'a [u8]),
}

struct Scanner<'a, 'l> {
    bytes: &'a [u8],
    pos: usize,
    items: usize,
    limits: &'l Limits,
}

/// The head of a data item: major type, argument, and where the item started.
struct Head {
    major: u8,
    info: u8,
    arg: u64,
    offset: usize,
}

impl<'a> Scanner<'a, '_> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], CborError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len())
            .ok_or(CborError::Truncated { offset: self.pos })?;
        let slice = self
            .bytes
            .get(self.pos..end)
            .ok_or(CborError::Truncated { offset: self.pos })?;
        self.pos = end;
        Ok(slice)
    }

    fn head(&mut self) -> Result<Head, CborError> {
        let offset = self.pos;
        let initial = *self
            .take(1)?
            .first()
            .ok_or(CborError::Truncated { offset })?;
        let major = initial >> 5;
        let info = initial & 0x1f;
        let arg = match info {
            0..=23 => u64::from(info),
            24..=27 => {
                let width = 1usize << (info - 24);
                self.take(width)?
                    .iter()
                    .fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
            }
            28..=30 => {
                return Err(CborError::Malformed {
                    offset,
                    reason: "reserved additional information",
                })
            }
            _ => {
                return Err(if matches!(major, 2..=5) {
                    CborError::IndefiniteLength { offset }
                } else {
                    CborError::Malformed {
                        offset,
                        reason: "unexpected break or indefinite length",
                    }
                })
            }
        };
        Ok(Head {
            major,
            info,
            arg,
            offset,
        })
    }

    fn count_item(&mut self) -> Result<(), CborError> {
        self.items += 1;
        if self.items > self.limits.max_items {
            return Err(CborError::TooManyItems {
                max: self.limits.max_items,
            });
        }
        Ok(())
    }

    fn len(&self, arg: u64) -> Result<usize, CborError> {
        usize::try_from(arg).map_err(|_| CborError::Truncated { offset: self.pos })
    }

    fn item(&mut self, depth: usize) -> Result<KeyIdentity<'a>, CborError> {
        self.count_item()?;
        let start = self.pos;
        let head = self.head()?;
        match head.major {
            0 => Ok(KeyIdentity::Int(i128::from(head.arg))),
            1 => Ok(KeyIdentity::Int(-1 - i128::from(head.arg))),
            2 => {
                let n = self.len(head.arg)?;
                Ok(KeyIdentity::Bytes(self.take(n)?))
            }
            3 => {
                let n = self.len(head.arg)?;
                let text = self.take(n)?;
                if core::str::from_utf8(text).is_err() {
                    return Err(CborError::Malformed {
                        offset: head.offset,
                        reason: "text string is not valid UTF-8",
                    });
                }
                Ok(KeyIdentity::Text(text))
            }
            4 => {
                let depth = self.enter(depth)?;
                for _ in 0..head.arg {
                    self.item(depth)?;
                }
                Ok(KeyIdentity::Other(self.since(start)))
            }
            5 => {
                let depth = self.enter(depth)?;
                if head.arg > self.limits.max_map_entries as u64 {
                    return Err(CborError::MapTooLarge {
                        offset: head.offset,
                        entries: head.arg,
                        max: self.limits.max_map_entries,
                    });
                }
                let mut keys = Vec::with_capacity(self.len(head.arg)?);
                for _ in 0..head.arg {
                    keys.push(self.item(depth)?);
                    self.item(depth)?;
                }
                keys.sort_unstable();
                if keys.windows(2).any(|pair| pair.first() == pair.get(1)) {
                    return Err(CborError::DuplicateKey {
                        offset: head.offset,
                    });
                }
                Ok(KeyIdentity::Other(self.since(start)))
            }
            6 => {
                let depth = self.enter(depth)?;
                self.item(depth)?;
                Ok(KeyIdentity::Other(self.since(start)))
            }
            _ => {
                // false, true, null, undefined; half, single and double floats.
                let accepted = matches!(head.info, 20..=23 | 25..=27);
                if !accepted {
                    return Err(CborError::Malformed {
                        offset: head.offset,
                        reason: "simple value not used by the profile",
                    });
                }
                Ok(KeyIdentity::Other(self.since(start)))
            }
        }
    }

    fn enter(&self, depth: usize) -> Result<usize, CborError> {
        let depth = depth + 1;
        if depth > self.limits.max_depth {
            return Err(CborError::TooDeep {
                max: self.limits.max_depth,
            });
        }
        Ok(depth)
    }

    fn since(&self, start: usize) -> &'a [u8] {
        self.bytes.get(start..self.pos).unwrap_or_default()
    }
}
