//! A cursor over CBOR input that reads heads (major type and argument).

use crate::error::CborError;

/// A cursor over the input.
pub(super) struct Reader<'a> {
    pub(super) bytes: &'a [u8],
    pub(super) pos: usize,
}

/// The head of a data item: major type, argument, and where the item started.
pub(super) struct Head {
    pub(super) major: u8,
    pub(super) info: u8,
    pub(super) arg: u64,
    pub(super) offset: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, pos: 0 }
    }

    pub(super) fn take(&mut self, n: usize) -> Result<&'a [u8], CborError> {
        let slice = self
            .pos
            .checked_add(n)
            .and_then(|end| self.bytes.get(self.pos..end))
            .ok_or(CborError::Truncated { offset: self.pos })?;
        self.pos += n;
        Ok(slice)
    }

    pub(super) fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }

    pub(super) fn head(&mut self) -> Result<Head, CborError> {
        let offset = self.pos;
        let initial = *self
            .bytes
            .get(offset)
            .ok_or(CborError::Truncated { offset })?;
        self.pos += 1;
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

    pub(super) fn len(&self, arg: u64) -> Result<usize, CborError> {
        usize::try_from(arg).map_err(|_| CborError::Truncated { offset: self.pos })
    }

    pub(super) fn since(&self, start: usize) -> &'a [u8] {
        self.bytes.get(start..self.pos).unwrap_or_default()
    }
}
