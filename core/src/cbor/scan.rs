//! The well-formedness and limits pass: every rule of spec §7.2, with no
//! allocation that grows with the input.

use alloc::vec::Vec;

use super::keys::{has_duplicate, KeyIdentity};
use super::reader::Reader;
use super::{INVALID_TAGS, TAG_NEGATIVE_BIGNUM, TAG_POSITIVE_BIGNUM};
use crate::error::CborError;
use crate::limits::Limits;

/// Room for the keys of the maps a claims set nests, so that scanning one
/// needs a single allocation.
const KEY_STACK_CAPACITY: usize = 32;

pub(super) fn scan(bytes: &[u8], limits: &Limits) -> Result<usize, CborError> {
    let mut scanner = Scanner {
        reader: Reader::new(bytes),
        items: 0,
        limits,
        keys: Vec::with_capacity(KEY_STACK_CAPACITY),
    };
    scanner.item(0)?;
    Ok(scanner.reader.pos)
}

pub(super) struct Scanner<'a, 'l> {
    pub(super) reader: Reader<'a>,
    items: usize,
    limits: &'l Limits,
    /// The keys of the maps being scanned, innermost last (one buffer for all
    /// maps, so that a map costs no allocation of its own).
    keys: Vec<KeyIdentity<'a>>,
}

impl<'a, 'l> Scanner<'a, 'l> {
    #[cfg(test)]
    pub(super) fn new(bytes: &'a [u8], limits: &'l Limits) -> Self {
        Scanner {
            reader: Reader::new(bytes),
            items: 0,
            limits,
            keys: Vec::new(),
        }
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

    /// Scans one item and returns what makes it equal to another map key.
    pub(super) fn item(&mut self, depth: usize) -> Result<KeyIdentity<'a>, CborError> {
        self.count_item()?;
        let start = self.reader.pos;
        let head = self.reader.head()?;
        match head.major {
            0 => Ok(KeyIdentity::new(KeyIdentity::UINT, head.arg, &[])),
            1 => Ok(KeyIdentity::new(KeyIdentity::NINT, head.arg, &[])),
            2 => {
                let n = self.reader.len(head.arg)?;
                let bytes = self.reader.take(n)?;
                Ok(KeyIdentity::new(KeyIdentity::BYTES, head.arg, bytes))
            }
            3 => {
                let n = self.reader.len(head.arg)?;
                let text = self.reader.take(n)?;
                if !text.is_ascii() && core::str::from_utf8(text).is_err() {
                    return Err(CborError::Malformed {
                        offset: head.offset,
                        reason: "text string is not valid UTF-8",
                    });
                }
                Ok(KeyIdentity::new(KeyIdentity::TEXT, head.arg, text))
            }
            4 => {
                let depth = self.enter(depth)?;
                for _ in 0..head.arg {
                    self.item(depth)?;
                }
                Ok(KeyIdentity::other(self.reader.since(start)))
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
                let first = self.keys.len();
                for _ in 0..head.arg {
                    let key = self.item(depth)?;
                    self.keys.push(key);
                    self.item(depth)?;
                }
                let duplicate = has_duplicate(self.keys.get_mut(first..).unwrap_or_default());
                self.keys.truncate(first);
                if duplicate {
                    return Err(CborError::DuplicateKey {
                        offset: head.offset,
                    });
                }
                Ok(KeyIdentity::other(self.reader.since(start)))
            }
            6 => {
                if INVALID_TAGS.contains(&head.arg) {
                    return Err(CborError::Malformed {
                        offset: head.offset,
                        reason: "tag number registered as invalid",
                    });
                }
                let depth = self.enter(depth)?;
                let content = self.item(depth)?;
                match head.arg {
                    TAG_POSITIVE_BIGNUM | TAG_NEGATIVE_BIGNUM => {
                        KeyIdentity::bignum(head.arg == TAG_NEGATIVE_BIGNUM, content).ok_or(
                            CborError::Malformed {
                                offset: head.offset,
                                reason: "a bignum (tag 2 or 3) must enclose a byte string",
                            },
                        )
                    }
                    _ => Ok(KeyIdentity::other(self.reader.since(start))),
                }
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
                Ok(KeyIdentity::other(self.reader.since(start)))
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
}
