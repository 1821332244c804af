//! A writer of core deterministic encoding that applies the CBOR limits of
//! spec §8.1 as it writes: the producer's payload is checked on what it
//! writes, not scanned afterwards.

use alloc::vec::Vec;

use ciborium::value::Value;

use super::encode::head;
use super::is_undefined;
use crate::error::CborError;
use crate::limits::Limits;

/// Writes CBOR items one head at a time, counting items, nesting and map
/// entries exactly as [`super::scan`] counts them when it reads the same
/// bytes, and failing with the scan's error at the item where the scan
/// would: the first item past `max_items` (`cbor.too-many-items`), the
/// first container past `max_depth` (`cbor.too-deep`), the first map
/// declaring more than `max_map_entries` (`cbor.map-too-large`, at the
/// offset of its head).
///
/// The caller writes map entries in deterministic order (their keys
/// ascending by encoded bytes) and closes every array and map it opens
/// with [`Writer::end`].
pub(crate) struct Writer {
    out: Vec<u8>,
    items: usize,
    depth: usize,
    limits: Limits,
}

type Written = Result<(), CborError>;

impl Writer {
    pub(crate) fn new(limits: Limits) -> Self {
        Writer {
            out: Vec::new(),
            items: 0,
            depth: 0,
            limits,
        }
    }

    pub(crate) fn into_bytes(self) -> Vec<u8> {
        self.out
    }

    fn item(&mut self) -> Written {
        self.items += 1;
        if self.items > self.limits.max_items {
            return Err(CborError::TooManyItems {
                max: self.limits.max_items,
            });
        }
        Ok(())
    }

    fn enter(&mut self) -> Written {
        let depth = self.depth + 1;
        if depth > self.limits.max_depth {
            return Err(CborError::TooDeep {
                max: self.limits.max_depth,
            });
        }
        self.depth = depth;
        Ok(())
    }

    /// Closes the innermost array, map or tag.
    pub(crate) fn end(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    pub(crate) fn uint(&mut self, n: u64) -> Written {
        self.item()?;
        head(&mut self.out, 0, n);
        Ok(())
    }

    pub(crate) fn int(&mut self, n: i64) -> Written {
        match u64::try_from(n) {
            Ok(n) => self.uint(n),
            // CBOR writes a negative n as -1 - n, which is !n.
            Err(_) => self.nint(!n as u64),
        }
    }

    /// Any CBOR integer (-2^64 ..= 2^64 - 1; beyond, the nearest).
    pub(crate) fn integer(&mut self, n: i128) -> Written {
        match u64::try_from(n) {
            Ok(n) => self.uint(n),
            Err(_) => self.nint(u64::try_from(!n).unwrap_or(u64::MAX)),
        }
    }

    /// The negative integer -1 - `arg`.
    fn nint(&mut self, arg: u64) -> Written {
        self.item()?;
        head(&mut self.out, 1, arg);
        Ok(())
    }

    pub(crate) fn bytes(&mut self, bytes: &[u8]) -> Written {
        self.item()?;
        head(&mut self.out, 2, bytes.len() as u64);
        self.out.extend_from_slice(bytes);
        Ok(())
    }

    pub(crate) fn text(&mut self, text: &str) -> Written {
        self.item()?;
        head(&mut self.out, 3, text.len() as u64);
        self.out.extend_from_slice(text.as_bytes());
        Ok(())
    }

    pub(crate) fn bool(&mut self, value: bool) -> Written {
        self.item()?;
        self.out.push(if value { 0xf5 } else { 0xf4 });
        Ok(())
    }

    /// Opens an array of `len` items; close it with [`Writer::end`].
    pub(crate) fn array(&mut self, len: usize) -> Written {
        self.item()?;
        self.enter()?;
        head(&mut self.out, 4, len as u64);
        Ok(())
    }

    /// Opens a map of `len` entries; close it with [`Writer::end`].
    pub(crate) fn map(&mut self, len: usize) -> Written {
        self.item()?;
        let offset = self.out.len();
        self.enter()?;
        if len > self.limits.max_map_entries {
            return Err(CborError::MapTooLarge {
                offset,
                entries: len as u64,
                max: self.limits.max_map_entries,
            });
        }
        head(&mut self.out, 5, len as u64);
        Ok(())
    }

    /// Writes a value whose maps are in deterministic order already (an
    /// unknown claim as stored, a `COSE_Key` in its normal form): the
    /// bytes [`super::encode`] gives it, without sorting anything.
    pub(crate) fn value(&mut self, value: &Value) -> Written {
        match value {
            Value::Integer(i) => self.integer(i128::from(*i)),
            Value::Bytes(bytes) => self.bytes(bytes),
            Value::Text(text) => self.text(text),
            Value::Array(items) => {
                self.array(items.len())?;
                for item in items {
                    self.value(item)?;
                }
                self.end();
                Ok(())
            }
            Value::Map(entries) => {
                self.map(entries.len())?;
                for (key, item) in entries {
                    self.value(key)?;
                    self.value(item)?;
                }
                self.end();
                Ok(())
            }
            Value::Tag(..) if is_undefined(value) => {
                self.item()?;
                self.out.push(0xf7);
                Ok(())
            }
            Value::Tag(tag, inner) => {
                self.item()?;
                self.enter()?;
                head(&mut self.out, 6, *tag);
                self.value(inner)?;
                self.end();
                Ok(())
            }
            Value::Bool(b) => self.bool(*b),
            Value::Null => {
                self.item()?;
                self.out.push(0xf6);
                Ok(())
            }
            Value::Float(float) => {
                self.item()?;
                super::encode::write_float(&mut self.out, *float);
                Ok(())
            }
            // Any variant a later `ciborium` adds: one item, written as the
            // reference encoder writes it.
            other => {
                self.item()?;
                self.out.extend_from_slice(&super::encode(other));
                Ok(())
            }
        }
    }
}
