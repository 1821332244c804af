//! The strict CBOR layer on hand-written byte strings, independent of any encoder.

use mtattest::cbor::{decode_strict, encode};
use mtattest::Limits;

fn code(bytes: &[u8]) -> &'static str {
    decode_strict(bytes, &Limits::DEFAULT)
        .expect_err("must be rejected")
        .code()
}

#[test]
fn floats_are_told_apart_from_simple_values_by_width() {
    // Half, single and double floats whose bits happen to be 20..23.
    for bytes in [
        &[0xf9, 0x00, 0x14][..],
        &[0xfa, 0, 0, 0, 0x14],
        &[0xfb, 0, 0, 0, 0, 0, 0, 0, 0x17],
    ] {
        assert!(
            decode_strict(bytes, &Limits::DEFAULT).is_ok(),
            "{bytes:02x?}"
        );
    }
    for simple in [0xf4, 0xf5, 0xf6, 0xf7] {
        assert!(decode_strict(&[simple], &Limits::DEFAULT).is_ok());
    }
    // Unassigned simple values, one-byte simple values and reserved info.
    for bytes in [&[0xe0][..], &[0xf3], &[0xf8, 0x20], &[0xf8, 0x14], &[0xfc]] {
        assert_eq!(code(bytes), "cbor.malformed", "{bytes:02x?}");
    }
}

#[test]
fn duplicate_keys_compare_by_value() {
    assert_eq!(
        code(&[0xa2, 0x01, 0x00, 0x18, 0x01, 0x00]),
        "cbor.duplicate-key"
    );
    assert_eq!(
        code(&[0xa2, 0x61, b'a', 0x00, 0x61, b'a', 0x01]),
        "cbor.duplicate-key"
    );
    // A text and a byte string with the same content are different keys.
    assert!(decode_strict(
        &[0xa2, 0x61, b'a', 0x00, 0x41, b'a', 0x01],
        &Limits::DEFAULT
    )
    .is_ok());
    // Nested maps are checked too.
    assert_eq!(
        code(&[0x81, 0xa2, 0x20, 0x00, 0x20, 0x00]),
        "cbor.duplicate-key"
    );
}

#[test]
fn indefinite_lengths_and_breaks_are_refused() {
    assert_eq!(code(&[0x9f, 0xff]), "cbor.indefinite-length");
    assert_eq!(code(&[0x5f, 0x41, 0x00, 0xff]), "cbor.indefinite-length");
    assert_eq!(code(&[0xff]), "cbor.malformed");
    assert_eq!(code(&[0x1f]), "cbor.malformed");
}

#[test]
fn lengths_beyond_the_input_are_truncation_not_allocation() {
    // A byte string claiming 2^63 bytes, and an array claiming 2^32 items.
    assert_eq!(code(&[0x5b, 0x80, 0, 0, 0, 0, 0, 0, 0]), "cbor.truncated");
    assert_eq!(code(&[0x9a, 0xff, 0xff, 0xff, 0xff]), "cbor.truncated");
    let mut many = vec![0x9a, 0xff, 0xff, 0xff, 0xff];
    many.extend(vec![0x00; Limits::DEFAULT.max_items]);
    assert_eq!(code(&many), "cbor.too-many-items");
    assert_eq!(
        code(&[0xbb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
        "cbor.map-too-large"
    );
}

#[test]
fn depth_limit_is_exact() {
    let limits = Limits::DEFAULT;
    let nested = |depth: usize| {
        let mut bytes = vec![0x81; depth];
        bytes.push(0x00);
        bytes
    };
    assert!(decode_strict(&nested(limits.max_depth), &limits).is_ok());
    assert_eq!(code(&nested(limits.max_depth + 1)), "cbor.too-deep");
    // Tags count as nesting.
    let mut tags = vec![0xc1; limits.max_depth + 1];
    tags.push(0x00);
    assert_eq!(code(&tags), "cbor.too-deep");
}

#[test]
fn deterministic_encoding_sorts_keys_by_encoded_bytes() {
    // {"b": 1, 10: 2, -1: 3, "a": 4} -> keys ordered 10, -1, "a", "b" (RFC 8949 §4.2.1).
    let input = [
        0xa4, 0x61, b'b', 0x01, 0x0a, 0x02, 0x20, 0x03, 0x61, b'a', 0x04,
    ];
    let value = decode_strict(&input, &Limits::DEFAULT).unwrap();
    assert_eq!(
        encode(&value),
        [0xa4, 0x0a, 0x02, 0x20, 0x03, 0x61, b'a', 0x04, 0x61, b'b', 0x01]
    );
    // Non-preferred integers come out in preferred form.
    let long_one = [0x1b, 0, 0, 0, 0, 0, 0, 0, 1];
    assert_eq!(
        encode(&decode_strict(&long_one, &Limits::DEFAULT).unwrap()),
        [0x01]
    );
}
