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
///
/// Two passes: [`scan`] checks the whole item within `limits` without any
/// allocation that grows with the input, then the `Value` is built from the
/// accepted bytes (the same `Value` `ciborium` decodes from them).
pub fn decode_strict(bytes: &[u8], limits: &Limits) -> Result<Value, CborError> {
    let end = scan(bytes, limits)?;
    if end != bytes.len() {
        return Err(CborError::TrailingBytes {
            count: bytes.len() - end,
        });
    }
    Builder {
        reader: Reader { bytes, pos: 0 },
    }
    .value(0)
    .map_err(|Unrepresentable| UNREPRESENTABLE)
}

/// Scans the first CBOR item of `bytes` and returns the offset just past it.
///
/// Bytes after the item are left to the caller, so envelopes can report them.
pub fn scan(bytes: &[u8], limits: &Limits) -> Result<usize, CborError> {
    let mut scanner = Scanner {
        reader: Reader { bytes, pos: 0 },
        items: 0,
        limits,
        keys: Vec::with_capacity(KEY_STACK_CAPACITY),
    };
    scanner.item(0)?;
    Ok(scanner.reader.pos)
}

/// Room for the keys of the maps a claims set nests, so that scanning one
/// needs a single allocation.
const KEY_STACK_CAPACITY: usize = 32;

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

/// A map key reduced to what makes two keys equal: its class (unsigned
/// integer, negative integer, byte string, text string, anything else), its
/// argument and its content.
///
/// Integers compare by value, strings by content, anything else by its exact
/// bytes; keys of different classes are never equal. Keys order as their
/// deterministic encodings do, so the keys of a deterministically encoded map
/// are already sorted.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct KeyIdentity<'a> {
    class: u8,
    arg: u64,
    content: &'a [u8],
}

impl<'a> KeyIdentity<'a> {
    const UINT: u8 = 0;
    const NINT: u8 = 1;
    const BYTES: u8 = 2;
    const TEXT: u8 = 3;
    const OTHER: u8 = 4;

    fn new(class: u8, arg: u64, content: &'a [u8]) -> Self {
        KeyIdentity {
            class,
            arg,
            content,
        }
    }

    /// Anything but an integer or a string: its exact bytes.
    fn other(raw: &'a [u8]) -> Self {
        KeyIdentity::new(KeyIdentity::OTHER, 0, raw)
    }
}

/// Whether two of `keys` are equal. Sorts `keys` unless they are in strictly
/// ascending order already (the usual case: deterministic encoding).
fn has_duplicate(keys: &mut [KeyIdentity<'_>]) -> bool {
    let ascending = |keys: &[KeyIdentity<'_>]| {
        keys.windows(2).all(|pair| match pair {
            [a, b] => a < b,
            _ => true,
        })
    };
    if ascending(keys) {
        return false;
    }
    keys.sort_unstable();
    !ascending(keys)
}

/// A cursor over the input.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

/// The head of a data item: major type, argument, and where the item started.
struct Head {
    major: u8,
    info: u8,
    arg: u64,
    offset: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], CborError> {
        let slice = self
            .pos
            .checked_add(n)
            .and_then(|end| self.bytes.get(self.pos..end))
            .ok_or(CborError::Truncated { offset: self.pos })?;
        self.pos += n;
        Ok(slice)
    }

    fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }

    fn head(&mut self) -> Result<Head, CborError> {
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

    fn len(&self, arg: u64) -> Result<usize, CborError> {
        usize::try_from(arg).map_err(|_| CborError::Truncated { offset: self.pos })
    }

    fn since(&self, start: usize) -> &'a [u8] {
        self.bytes.get(start..self.pos).unwrap_or_default()
    }
}

/// The well-formedness and limits pass.
struct Scanner<'a, 'l> {
    reader: Reader<'a>,
    items: usize,
    limits: &'l Limits,
    /// The keys of the maps being scanned, innermost last (one buffer for all
    /// maps, so that a map costs no allocation of its own).
    keys: Vec<KeyIdentity<'a>>,
}

impl<'a> Scanner<'a, '_> {
    fn count_item(&mut self) -> Result<(), CborError> {
        self.items += 1;
        if self.items > self.limits.max_items {
            return Err(CborError::TooManyItems {
                max: self.limits.max_items,
            });
        }
        Ok(())
    }

    fn item(&mut self, depth: usize) -> Result<KeyIdentity<'a>, CborError> {
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
                let depth = self.enter(depth)?;
                self.item(depth)?;
                Ok(KeyIdentity::other(self.reader.since(start)))
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

/// What decoding reports for an accepted item `ciborium` cannot represent
/// (a bignum beyond its integer range, nesting beyond its limit).
const UNREPRESENTABLE: CborError = CborError::Malformed {
    offset: 0,
    reason: "not representable as a CBOR value",
};

/// The builder's error: [`UNREPRESENTABLE`], or a malformation the scan
/// already refused (so never seen).
struct Unrepresentable;

impl From<CborError> for Unrepresentable {
    fn from(_: CborError) -> Self {
        Unrepresentable
    }
}

/// The deepest nesting of arrays, maps and tags `ciborium` decodes.
const CIBORIUM_MAX_NESTING: usize = 256;

/// Builds the `Value` of an item [`scan`] accepted, exactly as `ciborium`
/// decodes it: `undefined` becomes null, and the two cases with more to them
/// (floats, and tags 2 and 3 on a byte string of at most 16 bytes, which
/// `ciborium` turns into integers) are handed to `ciborium` itself.
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
                if matches!(head.arg, 2 | 3) {
                    if let Some(end) = self.short_byte_string_end() {
                        return self.ciborium(start, end);
                    }
                }
                let nesting = nest(nesting)?;
                Value::Tag(head.arg, self.value(nesting)?.into())
            }
            _ => match head.info {
                20 => Value::Bool(false),
                21 => Value::Bool(true),
                22 | 23 => Value::Null,
                _ => return self.ciborium(start, self.reader.pos),
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

    /// If a byte string of at most 16 bytes comes next, skips it and returns
    /// the offset after it; otherwise leaves the position alone.
    fn short_byte_string_end(&mut self) -> Option<usize> {
        let start = self.reader.pos;
        let end = match self.reader.head() {
            Ok(head) if head.major == 2 && head.arg <= 16 => usize::try_from(head.arg)
                .ok()
                .and_then(|n| self.reader.take(n).ok())
                .map(|_| self.reader.pos),
            _ => None,
        };
        if end.is_none() {
            self.reader.pos = start;
        }
        end
    }

    /// Decodes the item at `start..end` with `ciborium` and moves past it.
    fn ciborium(&mut self, start: usize, end: usize) -> Result<Value, Unrepresentable> {
        let mut item = self.reader.bytes.get(start..end).ok_or(Unrepresentable)?;
        self.reader.pos = end;
        ciborium::de::from_reader(&mut item).map_err(|_| Unrepresentable)
    }
}

/// One more level of nesting, within what `ciborium` decodes.
fn nest(nesting: usize) -> Result<usize, Unrepresentable> {
    let nesting = nesting + 1;
    if nesting > CIBORIUM_MAX_NESTING {
        return Err(Unrepresentable);
    }
    Ok(nesting)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use proptest::prelude::*;

    /// Decoding as it was done before the builder: the scan, then `ciborium`.
    fn reference(bytes: &[u8], limits: &Limits) -> Result<Value, CborError> {
        let end = scan(bytes, limits)?;
        if end != bytes.len() {
            return Err(CborError::TrailingBytes {
                count: bytes.len() - end,
            });
        }
        let mut reader = bytes;
        ciborium::de::from_reader(&mut reader).map_err(|_| UNREPRESENTABLE)
    }

    /// Structural equality, floats by their bits.
    fn same(a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::Float(x), Value::Float(y)) => x.to_bits() == y.to_bits(),
            (Value::Array(x), Value::Array(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
            }
            (Value::Map(x), Value::Map(y)) => {
                x.len() == y.len()
                    && x.iter()
                        .zip(y)
                        .all(|((kx, vx), (ky, vy))| same(kx, ky) && same(vx, vy))
            }
            (Value::Tag(tx, x), Value::Tag(ty, y)) => tx == ty && same(x, y),
            _ => a == b,
        }
    }

    fn check(bytes: &[u8], limits: &Limits) -> Result<(), TestCaseError> {
        let ours = decode_strict(bytes, limits);
        let theirs = reference(bytes, limits);
        let agree = match (&ours, &theirs) {
            (Ok(a), Ok(b)) => same(a, b),
            (Err(a), Err(b)) => a == b,
            _ => false,
        };
        prop_assert!(agree, "{bytes:02x?}: {ours:?} vs {theirs:?}");
        Ok(())
    }

    /// A head with `arg` in the preferred width or (when `wide`) a wider one.
    fn head(major: u8, arg: u64, wide: u8) -> Vec<u8> {
        let minimal = match arg {
            0..=23 => 0,
            24..=0xff => 1,
            0x100..=0xffff => 2,
            0x1_0000..=0xffff_ffff => 3,
            _ => 4,
        };
        let width = minimal.max(wide % 5);
        let mut out = Vec::new();
        if width == 0 {
            out.push(major << 5 | arg as u8);
        } else {
            out.push(major << 5 | (23 + width));
            let n = 1usize << (width - 1);
            out.extend_from_slice(&arg.to_be_bytes()[8 - n..]);
        }
        out
    }

    fn leaf() -> impl Strategy<Value = Vec<u8>> {
        let small = 0u64..4;
        let arg = prop_oneof![small, any::<u64>()];
        prop_oneof![
            (0u8..2, arg, any::<u8>()).prop_map(|(major, arg, wide)| head(major, arg, wide)),
            (prop::collection::vec(any::<u8>(), 0..20), any::<u8>()).prop_map(|(b, w)| {
                let mut out = head(2, b.len() as u64, w);
                out.extend(b);
                out
            }),
            (text_bytes(), any::<u8>()).prop_map(|(t, w)| {
                let mut out = head(3, t.len() as u64, w);
                out.extend(t);
                out
            }),
            prop_oneof![4 => 20u8..24, 1 => 0u8..32].prop_map(|info| vec![0xe0 | info]),
            (prop_oneof![Just(2usize), Just(4), Just(8)], any::<u64>()).prop_map(|(n, bits)| {
                let mut out = vec![match n {
                    2 => 0xf9,
                    4 => 0xfa,
                    _ => 0xfb,
                }];
                out.extend_from_slice(&bits.to_be_bytes()[8 - n..]);
                out
            }),
        ]
    }

    /// Mostly valid UTF-8, sometimes not.
    fn text_bytes() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            4 => ".{0,8}".prop_map(alloc::string::String::into_bytes),
            1 => prop::collection::vec(any::<u8>(), 0..6),
        ]
    }

    /// Map keys that often collide: small integers in any width, short strings.
    fn key() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            (0u8..2, 0u64..3, any::<u8>()).prop_map(|(major, arg, wide)| head(major, arg, wide)),
            (2u8..4, "[ab]{0,2}", any::<u8>()).prop_map(|(major, t, wide)| {
                let mut out = head(major, t.len() as u64, wide);
                out.extend(t.into_bytes());
                out
            }),
        ]
    }

    fn item() -> impl Strategy<Value = Vec<u8>> {
        leaf().prop_recursive(5, 48, 6, |inner| {
            prop_oneof![
                (prop::collection::vec(inner.clone(), 0..5), any::<u8>()).prop_map(|(items, w)| {
                    let mut out = head(4, items.len() as u64, w);
                    items.into_iter().for_each(|i| out.extend(i));
                    out
                }),
                (
                    prop::collection::vec((prop_oneof![key(), inner.clone()], inner.clone()), 0..5),
                    any::<u8>()
                )
                    .prop_map(|(entries, w)| {
                        let mut out = head(5, entries.len() as u64, w);
                        for (k, v) in entries {
                            out.extend(k);
                            out.extend(v);
                        }
                        out
                    }),
                (
                    prop_oneof![0u64..4, Just(18), Just(61), any::<u64>()],
                    inner.clone(),
                    any::<u8>()
                )
                    .prop_map(|(tag, item, w)| {
                        let mut out = head(6, tag, w);
                        out.extend(item);
                        out
                    }),
            ]
        })
    }

    /// Edits that break well-formedness in the places a scan must notice.
    fn mutated() -> impl Strategy<Value = Vec<u8>> {
        (item(), any::<prop::sample::Index>(), any::<u8>(), 0u8..4).prop_map(
            |(mut bytes, at, byte, edit)| {
                let i = at.index(bytes.len() + 1);
                match edit {
                    0 => bytes.insert(i, byte),
                    1 if i < bytes.len() => {
                        bytes.remove(i);
                    }
                    2 if i < bytes.len() => bytes[i] = byte,
                    _ => bytes.truncate(i),
                }
                bytes
            },
        )
    }

    const TIGHT: Limits = Limits {
        max_token_size: 1024,
        max_depth: 3,
        max_items: 12,
        max_map_entries: 4,
        ..Limits::DEFAULT
    };

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        #[test]
        fn decodes_like_ciborium(bytes in item()) {
            check(&bytes, &Limits::DEFAULT)?;
            check(&bytes, &TIGHT)?;
        }

        #[test]
        fn rejects_like_before(bytes in mutated()) {
            check(&bytes, &Limits::DEFAULT)?;
            check(&bytes, &TIGHT)?;
        }
    }

    #[test]
    fn bignums_and_deep_nesting_decode_like_ciborium() {
        let deep = Limits {
            max_depth: 1000,
            ..Limits::DEFAULT
        };
        let mut cases: Vec<Vec<u8>> = vec![
            vec![0xc2, 0x41, 0x05],
            vec![
                0xc3, 0x50, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            ],
            vec![
                0xc3, 0x50, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            ],
            vec![0xc2, 0x49, 1, 0, 0, 0, 0, 0, 0, 0, 0],
            vec![0xc2, 0x48, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
            vec![0xc3, 0x48, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
            vec![0xc2, 0x40],
            vec![
                0xc2, 0x51, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
            ],
            vec![0xc2, 0x61, b'a'],
            vec![0xc5, 0xc2, 0x42, 0x00, 0x07],
            vec![0xa2, 0x05, 0x00, 0xc2, 0x41, 0x05, 0x01],
            vec![0xf9, 0x7e, 0x01],
            vec![0xfa, 0x7f, 0x80, 0x00, 0x01],
        ];
        for depth in [255, 256, 257] {
            for wrapper in [0x81, 0xc1, 0xa1] {
                let mut bytes = Vec::new();
                for _ in 0..depth {
                    bytes.push(wrapper);
                    if wrapper == 0xa1 {
                        bytes.push(0x00);
                    }
                }
                bytes.push(0x00);
                cases.push(bytes.clone());
                // A bignum as the innermost item does not nest for ciborium.
                let inner = bytes.len() - 1;
                bytes.splice(inner.., [0xc2, 0x41, 0x01]);
                cases.push(bytes);
            }
        }
        for bytes in &cases {
            check(bytes, &deep).unwrap();
            check(bytes, &Limits::DEFAULT).unwrap();
        }
        assert!(decode_strict(&cases[0], &deep).is_ok());
        assert_eq!(decode_strict(&cases[1], &deep), Err(UNREPRESENTABLE));
    }

    #[test]
    fn keys_order_like_their_deterministic_encodings() {
        let keys: Vec<Value> = vec![
            Value::Integer(0.into()),
            Value::Integer(23.into()),
            Value::Integer(24.into()),
            Value::Integer(u64::MAX.into()),
            Value::Integer((-1).into()),
            Value::Integer((-25).into()),
            Value::from(-1 - i128::from(u64::MAX)),
            Value::Bytes(b"b".to_vec()),
            Value::Bytes(b"aa".to_vec()),
            Value::Text("b".into()),
            Value::Text("aa".into()),
            Value::Array(vec![]),
            Value::Bool(false),
        ];
        let encoded: Vec<Vec<u8>> = keys.iter().map(encode).collect();
        let mut ids = Vec::new();
        for bytes in &encoded {
            let mut scanner = Scanner {
                reader: Reader { bytes, pos: 0 },
                items: 0,
                limits: &Limits::DEFAULT,
                keys: Vec::new(),
            };
            ids.push(scanner.item(0).unwrap());
        }
        for (pair, bytes) in ids.windows(2).zip(encoded.windows(2)) {
            if let ([a, b], [x, y]) = (pair, bytes) {
                assert!(a < b && x < y, "{x:02x?} {y:02x?}");
            }
        }
    }
}
