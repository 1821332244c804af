//! One reading of every token (issue #12 item 3, spec §7.2, §3, §6.1,
//! §6.12, §14.4): tags stay tags, so a bignum is never an integer where the
//! spec defines an untagged type; `undefined` stays distinct from `null`;
//! map keys that any generic decoder would take for one key — an integer
//! spelled as a bignum or in a longer head, a float in another width, a
//! composite key spelled differently — are refused as duplicates; the
//! envelope's tags, header labels, `crit`, `content type` and payload follow
//! one stated rule each.
//!
//! Every input is written here byte by byte, independently of the crate's
//! encoder; each test fails if the check it names is removed.

use ciborium::value::Value;
use mtattest::cbor::{decode_strict, encode, is_undefined, undefined};
use mtattest::claims::{ClaimKey, ClaimsSet};
use mtattest::crypto::{Algorithm, RustCrypto, Signer, SoftwareSigner};
use mtattest::token::{DecodeOptions, Token};
use mtattest::Limits;

// ----------------------------------------------------------- raw CBOR

/// A head in its preferred (shortest) form.
fn head(major: u8, n: u64) -> Vec<u8> {
    let m = major << 5;
    match n {
        0..=23 => vec![m | n as u8],
        24..=0xff => vec![m | 24, n as u8],
        0x100..=0xffff => [vec![m | 25], (n as u16).to_be_bytes().to_vec()].concat(),
        0x1_0000..=0xffff_ffff => [vec![m | 26], (n as u32).to_be_bytes().to_vec()].concat(),
        _ => [vec![m | 27], n.to_be_bytes().to_vec()].concat(),
    }
}

fn uint(n: u64) -> Vec<u8> {
    head(0, n)
}

fn int(n: i64) -> Vec<u8> {
    if n >= 0 {
        head(0, n as u64)
    } else {
        head(1, !n as u64)
    }
}

fn bstr(b: &[u8]) -> Vec<u8> {
    [head(2, b.len() as u64), b.to_vec()].concat()
}

fn tstr(t: &str) -> Vec<u8> {
    [head(3, t.len() as u64), t.as_bytes().to_vec()].concat()
}

fn tag(n: u64, item: Vec<u8>) -> Vec<u8> {
    [head(6, n), item].concat()
}

fn array(items: &[Vec<u8>]) -> Vec<u8> {
    [head(4, items.len() as u64), items.concat()].concat()
}

fn map(entries: &[(Vec<u8>, Vec<u8>)]) -> Vec<u8> {
    let mut out = head(5, entries.len() as u64);
    for (k, v) in entries {
        out.extend(k);
        out.extend(v);
    }
    out
}

const UNDEFINED: u8 = 0xf7;
const NULL: u8 = 0xf6;

fn code<T: std::fmt::Debug>(r: Result<T, impl Into<mtattest::Error>>) -> &'static str {
    r.map_err(Into::into).expect_err("must be refused").code()
}

fn strict(bytes: &[u8]) -> Result<Value, mtattest::CborError> {
    decode_strict(bytes, &Limits::DEFAULT)
}

// ------------------------------------------------------------ tokens

const IAT: u64 = 1_790_000_000;
const PROFILE: &str = "tag:mtattest.dev,2026:eat/v1";

fn signer() -> SoftwareSigner {
    SoftwareSigner::from_secret_bytes(Algorithm::Es384, &[0x11; 48]).unwrap()
}

/// `{265: profile, 6: iat}` and `more`, keys as given.
fn claims(more: &[(Vec<u8>, Vec<u8>)]) -> Vec<u8> {
    let mut entries = vec![(uint(265), tstr(PROFILE)), (uint(6), uint(IAT))];
    entries.extend_from_slice(more);
    map(&entries)
}

/// A chip layer `{-80000: 2}` plus `more`, in submods.
fn with_chip(more: &[(Vec<u8>, Vec<u8>)]) -> (Vec<u8>, Vec<u8>) {
    let mut chip = vec![(int(-80_000), uint(2))];
    chip.extend_from_slice(more);
    (uint(266), map(&[(tstr("chip"), map(&chip))]))
}

fn alg_es384() -> (Vec<u8>, Vec<u8>) {
    (uint(1), int(-35))
}

/// A COSE_Sign1 under `tags`, signed by [`signer`] over the payload item
/// `payload` (its content when a byte string, else an empty payload).
fn sign1(tags: &[u64], protected: &[u8], unprotected: &[u8], payload: Vec<u8>) -> Vec<u8> {
    let signed = match strict(&payload) {
        Ok(Value::Bytes(b)) => b,
        _ => Vec::new(),
    };
    let tbs = array(&[
        tstr("Signature1"),
        bstr(protected),
        bstr(&[]),
        bstr(&signed),
    ]);
    let signature = signer().sign(&tbs).unwrap();
    let mut out = Vec::new();
    for &t in tags {
        out.extend(head(6, t));
    }
    out.extend(array(&[
        bstr(protected),
        unprotected.to_vec(),
        payload,
        bstr(&signature),
    ]));
    out
}

/// Tag 18, the given headers, the minimal claims set.
fn token(protected: &[(Vec<u8>, Vec<u8>)], unprotected: &[(Vec<u8>, Vec<u8>)]) -> Vec<u8> {
    sign1(
        &[18],
        &map(protected),
        &map(unprotected),
        bstr(&claims(&[])),
    )
}

fn decode(bytes: &[u8]) -> Result<Token, mtattest::Error> {
    Token::decode(bytes, &DecodeOptions::default())
}

fn verifies(bytes: &[u8]) -> bool {
    decode(bytes)
        .and_then(|t| t.verified_claims(&signer().public_key(), &RustCrypto))
        .is_ok()
}

// ------------------------------------------------------ the CBOR layer

#[test]
fn bignums_are_tags_not_integers() {
    assert_eq!(
        strict(&tag(2, bstr(&[1]))).unwrap(),
        Value::Tag(2, Box::new(Value::Bytes(vec![1])))
    );
    assert_eq!(
        strict(&tag(3, bstr(&[0x22]))).unwrap(),
        Value::Tag(3, Box::new(Value::Bytes(vec![0x22])))
    );
    // Kept as sent, leading zeros and all, and written back so.
    let padded = tag(2, bstr(&[0, 0, 7]));
    assert_eq!(encode(&strict(&padded).unwrap()), padded);
}

#[test]
fn a_bignum_must_enclose_a_byte_string() {
    for bad in [
        tag(2, tstr("a")),
        tag(3, uint(1)),
        tag(2, tag(2, bstr(&[1]))),
        tag(3, array(&[])),
    ] {
        assert_eq!(code(strict(&bad)), "cbor.malformed", "{bad:02x?}");
    }
}

#[test]
fn invalid_tag_numbers_are_refused() {
    for n in [0xffff, 0xffff_ffff, u64::MAX] {
        assert_eq!(code(strict(&tag(n, uint(0)))), "cbor.malformed", "{n}");
        assert_eq!(code(strict(&tag(n, vec![NULL]))), "cbor.malformed", "{n}");
    }
    for n in [0xfffe, 0x1_0000, 0xffff_fffe, u64::MAX - 1] {
        assert!(strict(&tag(n, uint(0))).is_ok(), "{n}");
    }
}

#[test]
fn undefined_is_not_null() {
    let undef = strict(&[UNDEFINED]).unwrap();
    let null = strict(&[NULL]).unwrap();
    assert!(is_undefined(&undef));
    assert!(!is_undefined(&null));
    assert_ne!(undef, null);
    assert_eq!(undef, undefined());
    assert_eq!(encode(&undef), [UNDEFINED]);
    assert_eq!(encode(&null), [NULL]);
    let both = array(&[vec![UNDEFINED], vec![NULL]]);
    assert_eq!(encode(&strict(&both).unwrap()), both);
    // Two different keys.
    assert!(strict(&map(&[(vec![UNDEFINED], uint(0)), (vec![NULL], uint(0))])).is_ok());
}

#[test]
fn integer_keys_compare_by_value_however_spelled() {
    let beyond_64_bits = [1, 0, 0, 0, 0, 0, 0, 0, 0];
    let duplicates: Vec<(Vec<u8>, Vec<u8>)> = vec![
        (uint(1), vec![0x18, 0x01]),
        (uint(1), tag(2, bstr(&[1]))),
        (uint(1), tag(2, bstr(&[0, 1]))),
        (tag(2, bstr(&[1])), tag(2, bstr(&[0, 0, 1]))),
        (uint(0), tag(2, bstr(&[]))),
        (int(-1), tag(3, bstr(&[0]))),
        (int(-35), tag(3, bstr(&[0x22]))),
        (int(-80_000), tag(3, bstr(&[0x01, 0x38, 0x7f]))),
        (uint(u64::MAX), tag(2, bstr(&[0xff; 8]))),
        (
            [vec![0x3b], vec![0xff; 8]].concat(),
            tag(3, bstr(&[0xff; 8])),
        ),
        (
            tag(2, bstr(&beyond_64_bits)),
            tag(2, bstr(&[&[0, 0][..], &beyond_64_bits].concat())),
        ),
        // A tag number in a longer head is the same tag.
        (tag(2, bstr(&[5])), [vec![0xd8, 0x02], bstr(&[5])].concat()),
    ];
    for (a, b) in duplicates {
        let m = map(&[(a.clone(), uint(0)), (b.clone(), uint(1))]);
        assert_eq!(code(strict(&m)), "cbor.duplicate-key", "{a:02x?} {b:02x?}");
        // In either order, and nested in an unknown claim of a claims set.
        let m = map(&[(b.clone(), uint(1)), (a.clone(), uint(0))]);
        assert_eq!(code(strict(&m)), "cbor.duplicate-key", "{b:02x?} {a:02x?}");
        let c = claims(&[(int(-90_000), array(&[m]))]);
        assert_eq!(
            code(ClaimsSet::from_cbor(&c, &Limits::DEFAULT)),
            "cbor.duplicate-key"
        );
    }
    let distinct: Vec<(Vec<u8>, Vec<u8>)> = vec![
        (uint(1), tag(2, bstr(&[2]))),
        (uint(1), tag(3, bstr(&[1]))),
        (int(-1), tag(2, bstr(&[0]))),
        (tag(2, bstr(&[1])), bstr(&[1])),
        (tag(2, bstr(&beyond_64_bits)), tag(3, bstr(&beyond_64_bits))),
        (uint(1), tag(5, uint(1))),
    ];
    for (a, b) in distinct {
        let m = map(&[(a.clone(), uint(0)), (b.clone(), uint(1))]);
        assert!(strict(&m).is_ok(), "{a:02x?} {b:02x?}");
    }
}

#[test]
fn composite_keys_compare_as_the_data_item_they_spell() {
    let half_1_5 = vec![0xf9, 0x3e, 0x00];
    let single_1_5 = vec![0xfa, 0x3f, 0xc0, 0x00, 0x00];
    let double_1_5 = vec![0xfb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0];
    let duplicates: Vec<(Vec<u8>, Vec<u8>)> = vec![
        (half_1_5.clone(), double_1_5.clone()),
        (single_1_5.clone(), half_1_5.clone()),
        (array(&[uint(1)]), array(&[vec![0x18, 0x01]])),
        (array(&[uint(1)]), array(&[tag(2, bstr(&[1]))])),
        (
            array(&[tstr("a")]),
            [vec![0x81, 0x78, 0x01], b"a".to_vec()].concat(),
        ),
        (
            map(&[(uint(1), uint(0)), (uint(2), uint(0))]),
            map(&[(uint(2), uint(0)), (uint(1), uint(0))]),
        ),
        (tag(1, uint(0)), [vec![0xd8, 0x01], uint(0)].concat()),
        (tag(9, tag(3, bstr(&[0]))), tag(9, int(-1))),
        (vec![0xf5], vec![0xf5]),
    ];
    for (a, b) in duplicates {
        let m = map(&[(a.clone(), uint(0)), (b.clone(), uint(1))]);
        assert_eq!(code(strict(&m)), "cbor.duplicate-key", "{a:02x?} {b:02x?}");
    }
    let distinct: Vec<(Vec<u8>, Vec<u8>)> = vec![
        (half_1_5, uint(1)),
        (vec![0xf9, 0x3c, 0x00], uint(1)),
        (vec![0xf9, 0x00, 0x00], vec![0xf9, 0x80, 0x00]),
        (array(&[uint(1)]), array(&[uint(2)])),
        (array(&[uint(1)]), uint(1)),
        (tag(1, uint(0)), tag(0, uint(0))),
        (vec![0xf4], vec![0xf5]),
    ];
    for (a, b) in distinct {
        let m = map(&[(a.clone(), uint(0)), (b.clone(), uint(1))]);
        assert!(strict(&m).is_ok(), "{a:02x?} {b:02x?}");
    }
}

#[test]
fn non_preferred_integers_are_read_as_their_value() {
    for spelled in [
        vec![0x18, 0x05],
        vec![0x19, 0x00, 0x05],
        vec![0x1a, 0, 0, 0, 5],
        vec![0x1b, 0, 0, 0, 0, 0, 0, 0, 5],
    ] {
        assert_eq!(strict(&spelled).unwrap(), Value::Integer(5.into()));
        assert_eq!(encode(&strict(&spelled).unwrap()), uint(5));
    }
}

// ------------------------------------------------------- the envelope

#[test]
fn a_bignum_alg_is_not_an_algorithm() {
    assert!(verifies(&token(&[alg_es384()], &[])));
    for alg in [
        tag(3, bstr(&[0x22])),
        tag(3, bstr(&[0x00, 0x22])),
        tag(3, bstr(&[0x06])),
        tag(2, bstr(&[0x22])),
    ] {
        let t = token(&[(uint(1), alg.clone())], &[]);
        assert_eq!(code(decode(&t)), "token.alg-not-allowed", "{alg:02x?}");
    }
}

#[test]
fn header_labels_are_untagged_integers_or_text() {
    let x5 = bstr(b"not a certificate");
    type Entries = Vec<(Vec<u8>, Vec<u8>)>;
    let cases: Vec<(Entries, Entries)> = vec![
        (vec![(tag(2, bstr(&[1])), int(-35))], vec![]),
        (
            vec![alg_es384(), (tag(2, bstr(&[0x21])), x5.clone())],
            vec![],
        ),
        (vec![alg_es384()], vec![(tag(2, bstr(&[0x21])), x5.clone())]),
        (vec![alg_es384()], vec![(tag(2, bstr(&[4])), bstr(b"kid"))]),
        (vec![alg_es384()], vec![(bstr(&[4]), bstr(b"kid"))]),
        (vec![alg_es384(), (array(&[uint(1)]), uint(0))], vec![]),
        (vec![alg_es384(), (vec![0xf9, 0x3c, 0x00], uint(0))], vec![]),
    ];
    for (protected, unprotected) in cases {
        let t = token(&protected, &unprotected);
        assert_eq!(code(decode(&t)), "token.malformed");
    }
    // Text labels are labels.
    let text = token(
        &[alg_es384(), (tstr("vendor"), uint(1))],
        &[(tstr("x"), uint(2))],
    );
    assert!(verifies(&text));
}

#[test]
fn a_label_spelled_two_ways_is_a_duplicate_before_anything_else() {
    // The CBOR check (§9 steps 2 and 4) comes before the label rule.
    let protected = [alg_es384(), (tag(2, bstr(&[1])), int(-35))];
    assert_eq!(code(decode(&token(&protected, &[]))), "cbor.duplicate-key");
    let protected = [alg_es384(), (vec![0x18, 0x01], int(-35))];
    assert_eq!(code(decode(&token(&protected, &[]))), "cbor.duplicate-key");
    let unprotected = [(uint(4), bstr(b"a")), (tag(2, bstr(&[4])), bstr(b"b"))];
    assert_eq!(
        code(decode(&token(&[alg_es384()], &unprotected))),
        "cbor.duplicate-key"
    );
}

#[test]
fn the_tags_before_the_array_are_18_or_61_18() {
    let p = map(&[alg_es384()]);
    let u = map(&[]);
    let payload = || bstr(&claims(&[]));
    assert!(verifies(&sign1(&[18], &p, &u, payload())));
    assert!(verifies(&sign1(&[61, 18], &p, &u, payload())));
    for tags in [&[][..], &[61]] {
        assert_eq!(
            code(decode(&sign1(tags, &p, &u, payload()))),
            "token.untagged"
        );
    }
    for tags in [
        &[18, 18][..],
        &[61, 18, 18],
        &[18, 61, 18],
        &[61, 61, 18],
        &[17],
        &[61, 98],
        &[18, 61],
    ] {
        assert_eq!(
            code(decode(&sign1(tags, &p, &u, payload()))),
            "token.wrong-tag",
            "{tags:?}"
        );
    }
    // Tag 18 around something that is not an array: the shape, not a tag.
    let mut not_array = head(6, 18);
    not_array.extend(vec![UNDEFINED]);
    assert_eq!(code(decode(&not_array)), "token.malformed");
}

#[test]
fn the_payload_is_a_byte_string_or_nil() {
    let p = map(&[alg_es384()]);
    let u = map(&[]);
    assert_eq!(
        code(decode(&sign1(&[18], &p, &u, vec![NULL]))),
        "token.detached-payload"
    );
    for payload in [
        vec![UNDEFINED],
        tstr("claims"),
        tag(24, bstr(&claims(&[]))),
        array(&[]),
    ] {
        assert_eq!(
            code(decode(&sign1(&[18], &p, &u, payload.clone()))),
            "token.malformed",
            "{payload:02x?}"
        );
    }
}

#[test]
fn content_type_is_any_unsigned_integer_or_text() {
    for value in [
        uint(0),
        uint(61),
        uint(65_535),
        uint(65_536),
        uint(u64::from(u32::MAX) + 1),
        uint(u64::MAX),
        tstr("application/eat+cwt"),
        tstr("x"),
    ] {
        assert!(
            verifies(&token(&[alg_es384(), (uint(3), value.clone())], &[])),
            "{value:02x?}"
        );
        assert!(
            verifies(&token(&[alg_es384()], &[(uint(3), value.clone())])),
            "{value:02x?}"
        );
    }
    for value in [
        int(-1),
        bstr(b"text/plain"),
        tag(2, bstr(&[0xff, 0xff])),
        array(&[]),
        vec![NULL],
    ] {
        let t = token(&[alg_es384(), (uint(3), value.clone())], &[]);
        assert_eq!(code(decode(&t)), "token.malformed", "{value:02x?}");
        let t = token(&[alg_es384()], &[(uint(3), value.clone())]);
        assert_eq!(code(decode(&t)), "token.malformed", "{value:02x?}");
    }
}

#[test]
fn kid_is_a_non_empty_byte_string() {
    let kid = |v: Vec<u8>| (uint(4), v);
    assert!(verifies(&token(&[alg_es384(), kid(bstr(b"k"))], &[])));
    assert_eq!(
        decode(&token(&[alg_es384()], &[kid(bstr(b"k"))]))
            .unwrap()
            .kid(),
        Some(&b"k"[..])
    );
    for value in [bstr(&[]), tstr("k"), tag(2, bstr(&[1])), uint(1)] {
        for t in [
            token(&[alg_es384(), kid(value.clone())], &[]),
            token(&[alg_es384()], &[kid(value.clone())]),
        ] {
            assert_eq!(code(decode(&t)), "token.malformed", "{value:02x?}");
        }
    }
}

#[test]
fn parameters_the_profile_does_not_read_are_ignored_whatever_their_value() {
    // IV (5), partial IV (6) and counter signature (7) are registered, but
    // this profile does not read them: any value, even both IVs at once.
    let odd = [
        alg_es384(),
        (uint(5), uint(1)),
        (uint(6), tstr("six")),
        (uint(7), vec![NULL]),
        (int(-70_001), tag(2, bstr(&[1]))),
        (tstr("u"), vec![UNDEFINED]),
    ];
    assert!(verifies(&token(&odd, &[(uint(8), bstr(&[]))])));
}

#[test]
fn crit_is_a_set_of_distinct_untagged_labels() {
    let kid = (uint(4), bstr(b"k"));
    let crit = |labels: &[Vec<u8>]| (uint(2), array(labels));
    assert!(verifies(&token(
        &[alg_es384(), crit(&[uint(4)]), kid.clone()],
        &[]
    )));
    for labels in [
        vec![uint(4), uint(4)],
        vec![uint(4), vec![0x18, 0x04]],
        vec![uint(1), uint(4), uint(1)],
        vec![tag(2, bstr(&[4]))],
        vec![bstr(&[4])],
        vec![uint(4), vec![NULL]],
    ] {
        let t = token(&[alg_es384(), crit(&labels), kid.clone()], &[]);
        assert_eq!(code(decode(&t)), "token.crit-malformed", "{labels:02x?}");
    }
    // Understood comes before present, whatever the order of the labels.
    for labels in [vec![uint(99), uint(33)], vec![uint(33), uint(99)]] {
        let t = token(&[alg_es384(), crit(&labels), (uint(99), uint(0))], &[]);
        assert_eq!(code(decode(&t)), "token.unknown-critical-header");
    }
}

// ---------------------------------------------------------- the claims

#[test]
fn tagged_claim_keys_are_the_wrong_type() {
    let refused = [
        // iat (6) as a bignum key, at the top level.
        vec![(tag(2, bstr(&[6])), uint(IAT))],
        // evidence-source (-80000) as a negative bignum key, in a layer.
        vec![(
            uint(266),
            map(&[(
                tstr("chip"),
                map(&[(tag(3, bstr(&[0x01, 0x38, 0x7f])), uint(2))]),
            )]),
        )],
        // A submodule name tagged.
        vec![(
            uint(266),
            map(&[(tag(0, tstr("chip")), map(&[(int(-80_000), uint(2))]))]),
        )],
        // A privacy-events counter key as a bignum.
        vec![(
            uint(266),
            map(&[(
                tstr("app"),
                map(&[
                    (int(-80_000), uint(0)),
                    (int(-80_064), map(&[(tag(2, bstr(&[4])), uint(1))])),
                ]),
            )]),
        )],
    ];
    for more in refused {
        let mut entries = vec![(uint(265), tstr(PROFILE))];
        if !more.iter().any(|(k, _)| k.first() == Some(&0xc2)) {
            entries.push((uint(6), uint(IAT)));
        }
        entries.extend(more);
        let c = map(&entries);
        assert_eq!(
            code(ClaimsSet::from_cbor(&c, &Limits::DEFAULT)),
            "claims.wrong-type",
            "{c:02x?}"
        );
    }
}

#[test]
fn tagged_claim_values_are_the_wrong_type() {
    let iat = IAT.to_be_bytes();
    let cases = [
        // iat as a bignum of the same value.
        map(&[(uint(265), tstr(PROFILE)), (uint(6), tag(2, bstr(&iat)))]),
        claims(&[(uint(4), tag(2, bstr(&iat)))]),
        // evidence-source hardware as 2(h'02').
        claims(&[(
            uint(266),
            map(&[(tstr("chip"), map(&[(int(-80_000), tag(2, bstr(&[2])))]))]),
        )]),
        // A boolean claim as a tagged boolean.
        claims(&[with_chip(&[(int(-80_011), tag(21, vec![0xf5]))])]),
        claims(&[with_chip(&[(int(-80_010), vec![UNDEFINED])])]),
    ];
    for c in cases {
        assert_eq!(
            code(ClaimsSet::from_cbor(&c, &Limits::DEFAULT)),
            "claims.wrong-type",
            "{c:02x?}"
        );
    }
}

#[test]
fn unknown_claims_keep_the_data_item_as_sent() {
    let item = array(&[
        vec![UNDEFINED],
        vec![NULL],
        tag(2, bstr(&[1])),
        tag(3, bstr(&[0, 0x22])),
        tag(1, uint(0)),
        vec![0xfb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0],
        map(&[(vec![UNDEFINED], uint(1)), (vec![NULL], uint(2))]),
    ]);
    let c = claims(&[(int(-90_000), item), (tstr("u"), vec![UNDEFINED])]);
    let set = ClaimsSet::from_cbor(&c, &Limits::DEFAULT).unwrap();
    let value = set.unknown().get(&ClaimKey::Int(-90_000)).unwrap();
    let Value::Array(items) = value else {
        panic!("{value:?}")
    };
    assert!(is_undefined(&items[0]));
    assert_eq!(items[1], Value::Null);
    assert_eq!(items[2], Value::Tag(2, Box::new(Value::Bytes(vec![1]))));
    assert_eq!(
        items[3],
        Value::Tag(3, Box::new(Value::Bytes(vec![0, 0x22])))
    );
    let undef = set.unknown().get(&ClaimKey::Text("u".into())).unwrap();
    assert!(is_undefined(undef));
    // Re-encoded as the same items (the float in its shortest form, the
    // map in deterministic order).
    let expected = array(&[
        vec![UNDEFINED],
        vec![NULL],
        tag(2, bstr(&[1])),
        tag(3, bstr(&[0, 0x22])),
        tag(1, uint(0)),
        vec![0xf9, 0x3e, 0x00],
        map(&[(vec![NULL], uint(2)), (vec![UNDEFINED], uint(1))]),
    ]);
    assert_eq!(encode(value), expected);
    let again = ClaimsSet::from_cbor(&set.to_cbor(), &Limits::DEFAULT).unwrap();
    assert_eq!(again, set);
    // The JSON form writes the data item as hex: f7 is undefined, f6 null.
    let json = set.to_json();
    let unknown = json["unknown"].as_array().unwrap();
    let hex_of = |key: serde_json::Value| {
        unknown
            .iter()
            .find(|e| e["key"] == key)
            .and_then(|e| e["cbor"].as_str())
            .unwrap()
            .to_string()
    };
    assert_eq!(hex_of("u".into()), "f7");
    assert_eq!(hex_of((-90_000).into()), hex::encode(&expected));
    assert_eq!(ClaimsSet::from_json(&json).unwrap(), set);
}

#[test]
fn a_producer_cannot_insert_what_no_decoder_accepts() {
    let mut set = ClaimsSet::new(IAT as i64);
    set.insert_unknown(-90_000, undefined()).unwrap();
    assert!(is_undefined(
        set.unknown().get(&ClaimKey::Int(-90_000)).unwrap()
    ));
    for refused in [
        Value::Tag(u64::MAX, Box::new(Value::Integer(1.into()))),
        Value::Tag(0xffff, Box::new(Value::Null)),
        Value::Tag(2, Box::new(Value::Text("1".into()))),
        Value::Map(vec![
            (Value::Integer(1.into()), Value::Null),
            (Value::Tag(2, Box::new(Value::Bytes(vec![1]))), Value::Null),
        ]),
    ] {
        let err = set.insert_unknown(-90_001, refused.clone()).unwrap_err();
        assert_eq!(err.code(), "claims.invalid-value", "{refused:?}");
    }
}

// ------------------------------------------------------ what people see

#[test]
fn inspect_and_diag_show_what_the_verifier_reads() {
    let t = token(&[(uint(1), tag(3, bstr(&[0x22])))], &[]);
    let view = mtattest::inspect::inspect(&t);
    assert_eq!(view.algorithm_label(), None, "3(h'22') is not -35");
    let alg = view.param(1).unwrap().value;
    let limits = mtattest::diag::Limits::DEFAULT;
    assert_eq!(mtattest::diag::render_compact(alg, &limits), "3(h'22')");
    assert!(view
        .problems
        .iter()
        .any(|p| p.code == Some("token.alg-not-allowed")));
    let shown = strict(&array(&[vec![UNDEFINED], vec![NULL]])).unwrap();
    assert_eq!(
        mtattest::diag::render_compact(&shown, &limits),
        "[undefined, null]"
    );
}
