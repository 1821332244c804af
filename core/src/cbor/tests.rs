//! The decoder against `ciborium` (the same reading, except that bignums
//! stay tags and `undefined` stays `undefined`), and the encoder against
//! the decoder.

use alloc::boxed::Box;
use alloc::vec;
use alloc::vec::Vec;

use ciborium::value::Value;
use proptest::prelude::*;

use super::build::UNREPRESENTABLE;
use super::keys::KeyIdentity;
use super::scan::Scanner;
use super::*;

/// The scan, then `ciborium`.
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

/// How `ciborium` reads the item that `ours` is the reading of: the same
/// value, except that it reads `undefined` as null and a bignum of at most
/// 16 bytes as an integer (`None` when that integer is beyond its range).
fn as_ciborium_reads(ours: &Value) -> Option<Value> {
    Some(match ours {
        _ if is_undefined(ours) => Value::Null,
        Value::Tag(TAG_POSITIVE_BIGNUM | TAG_NEGATIVE_BIGNUM, inner) if matches!(&**inner, Value::Bytes(b) if b.len() <= 16) => {
            ciborium::de::from_reader(encode(ours).as_slice()).ok()?
        }
        Value::Tag(tag, inner) => Value::Tag(*tag, Box::new(as_ciborium_reads(inner)?)),
        Value::Array(items) => {
            Value::Array(items.iter().map(as_ciborium_reads).collect::<Option<_>>()?)
        }
        Value::Map(entries) => Value::Map(
            entries
                .iter()
                .map(|(k, v)| Some((as_ciborium_reads(k)?, as_ciborium_reads(v)?)))
                .collect::<Option<_>>()?,
        ),
        other => other.clone(),
    })
}

fn check(bytes: &[u8], limits: &Limits) -> Result<(), TestCaseError> {
    let ours = decode_strict(bytes, limits);
    let theirs = reference(bytes, limits);
    let agree = match (&ours, &theirs) {
        (Ok(a), Ok(b)) => as_ciborium_reads(a).is_some_and(|a| same(&a, b)),
        // A bignum `ciborium` cannot hold as an integer; ours is a tag.
        (Ok(a), Err(e)) => *e == UNREPRESENTABLE && as_ciborium_reads(a).is_none(),
        (Err(a), Err(b)) => a == b,
        _ => false,
    };
    prop_assert!(agree, "{bytes:02x?}: {ours:?} vs {theirs:?}");
    if let Ok(value) = ours {
        // What the encoder writes, the decoder reads back, and it is stable.
        let encoded = encode(&value);
        let again = decode_strict(&encoded, &LOOSE);
        prop_assert!(
            again.as_ref().is_ok_and(|again| encode(again) == encoded),
            "{bytes:02x?}: {encoded:02x?} decodes to {again:?}"
        );
    }
    Ok(())
}

/// No limit in the way of decoding what was encoded.
const LOOSE: Limits = Limits {
    max_token_size: usize::MAX,
    max_depth: 256,
    max_items: usize::MAX,
    max_map_entries: usize::MAX,
    max_submod_depth: usize::MAX,
};

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
fn bignums_and_deep_nesting_decode_like_ciborium_reads_them() {
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
            // A bignum as the innermost item: a tag, so one level more for
            // us (for `ciborium` an integer, no level).
            let inner = bytes.len() - 1;
            bytes.splice(inner.., [0xc2, 0x41, 0x01]);
            let expected = match depth {
                255 => Ok(()),
                _ => Err(UNREPRESENTABLE),
            };
            assert_eq!(decode_strict(&bytes, &deep).map(|_| ()), expected);
        }
    }
    for bytes in &cases {
        check(bytes, &deep).unwrap();
        check(bytes, &Limits::DEFAULT).unwrap();
    }
    assert_eq!(
        decode_strict(&cases[0], &deep),
        Ok(Value::Tag(2, Box::new(Value::Bytes(vec![5]))))
    );
    // Below -2^127: more than `ciborium` holds, but a tag is a tag.
    assert!(matches!(
        decode_strict(&cases[1], &deep),
        Ok(Value::Tag(3, _))
    ));
    let mut too_deep = vec![0x81; 257];
    too_deep.push(0x00);
    assert_eq!(decode_strict(&too_deep, &deep), Err(UNREPRESENTABLE));
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
        let mut scanner = Scanner::new(bytes, &Limits::DEFAULT);
        let id: KeyIdentity<'_> = scanner.item(0).unwrap();
        ids.push(id);
    }
    for (pair, bytes) in ids.windows(2).zip(encoded.windows(2)) {
        if let ([a, b], [x, y]) = (pair, bytes) {
            assert!(a < b && x < y, "{x:02x?} {y:02x?}");
        }
    }
}

#[test]
fn a_map_with_a_repeated_key_keeps_its_entries_in_their_order() {
    let map = Value::Map(vec![
        (Value::Integer(1.into()), Value::Text("a".into())),
        (Value::Integer(0.into()), Value::Null),
        (Value::Integer(1.into()), Value::Text("b".into())),
    ]);
    assert_eq!(
        encode(&map),
        [0xa3, 0x00, 0xf6, 0x01, 0x61, b'a', 0x01, 0x61, b'b']
    );
}

#[test]
fn floats_are_written_in_their_shortest_width() {
    for (float, expected) in [
        (0.0f64, vec![0xf9, 0x00, 0x00]),
        (1.5, vec![0xf9, 0x3e, 0x00]),
        (100_000.0, vec![0xfa, 0x47, 0xc3, 0x50, 0x00]),
        (
            1.1,
            vec![0xfb, 0x3f, 0xf1, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a],
        ),
        (f64::INFINITY, vec![0xf9, 0x7c, 0x00]),
    ] {
        assert_eq!(encode(&Value::Float(float)), expected, "{float}");
        assert_eq!(
            decode_strict(&expected, &Limits::DEFAULT).unwrap(),
            Value::Float(float)
        );
    }
}

/// The float as `ciborium` writes it (its encoder's shortest width): the
/// independent reference for [`encode::write_float`].
fn ciborium_float(float: f64) -> Vec<u8> {
    let mut out = [0u8; 9];
    let mut room: &mut [u8] = &mut out;
    ciborium_ll::Encoder::from(&mut room)
        .push(ciborium_ll::Header::Float(float))
        .unwrap();
    let written = 9 - room.len();
    out[..written].to_vec()
}

fn our_float(float: f64) -> Vec<u8> {
    let mut out = Vec::new();
    super::encode::write_float(&mut out, float);
    out
}

/// A float as `ciborium` reads the head `bytes` (half or single), so that
/// every narrower float, NaNs included, is a case.
fn read_float(bytes: &[u8]) -> f64 {
    let mut input = bytes;
    match ciborium_ll::Decoder::from(&mut input).pull() {
        Ok(ciborium_ll::Header::Float(float)) => float,
        other => panic!("{other:?}"),
    }
}

#[test]
fn every_half_float_and_its_neighbours_are_written_as_ciborium_writes_them() {
    for half in 0..=u16::MAX {
        let [high, low] = half.to_be_bytes();
        let float = read_float(&[0xf9, high, low]);
        for bits in [
            float.to_bits().wrapping_sub(1),
            float.to_bits(),
            float.to_bits() + 1,
        ] {
            let candidate = f64::from_bits(bits);
            assert_eq!(
                our_float(candidate),
                ciborium_float(candidate),
                "{bits:#018x}"
            );
        }
    }
}

#[test]
fn float_boundaries_are_written_as_ciborium_writes_them() {
    let mut cases = vec![
        0.0,
        -0.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::MIN_POSITIVE,
        f64::MAX,
        f64::MIN,
        f64::EPSILON,
        f64::from(f32::MIN_POSITIVE),
        f64::from(f32::MAX),
        f64::from(f32::MIN),
        65504.0,
        65505.0,
        65520.0,
        1.0e-8,
        0.1,
        1.5,
    ];
    // Powers of two around every width's normal and subnormal ranges.
    for exponent in -1100..1100 {
        cases.push(2f64.powi(exponent));
        cases.push(-3.0 * 2f64.powi(exponent));
    }
    // NaNs: quiet or signalling, either sign, a payload bit at every place
    // (which decides how narrow a NaN can be written).
    for sign in [0u64, 1 << 63] {
        for quiet in [0u64, 1 << 51] {
            for place in 0..51 {
                let bits = sign | 0x7ff0_0000_0000_0000 | quiet | (1 << place);
                cases.push(f64::from_bits(bits));
            }
        }
    }
    for float in cases {
        for bits in [
            float.to_bits().wrapping_sub(1),
            float.to_bits(),
            float.to_bits() + 1,
        ] {
            let candidate = f64::from_bits(bits);
            assert_eq!(
                our_float(candidate),
                ciborium_float(candidate),
                "{bits:#018x}"
            );
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20_000))]

    #[test]
    fn any_double_is_written_as_ciborium_writes_it(bits in proptest::prelude::any::<u64>()) {
        let float = f64::from_bits(bits);
        proptest::prop_assert_eq!(our_float(float), ciborium_float(float));
    }

    #[test]
    fn any_single_is_written_as_ciborium_writes_it(bits in proptest::prelude::any::<u32>()) {
        let float = read_float(&[0xfa, (bits >> 24) as u8, (bits >> 16) as u8, (bits >> 8) as u8, bits as u8]);
        for candidate in [float.to_bits().wrapping_sub(1), float.to_bits(), float.to_bits() + 1] {
            let candidate = f64::from_bits(candidate);
            proptest::prop_assert_eq!(our_float(candidate), ciborium_float(candidate));
        }
    }
}
