//! Value ranges and structures of defined claims (spec §6.1 rules 3 and 9,
//! §6.2, §6.4, §6.10, §12.3): which faults are `claims.wrong-type`, which
//! `claims.invalid-value`, which `claims.missing`, and what is not checked.
//!
//! The rule under test (§6.1 rule 3): a data item of another kind than the
//! claim's type has at that position (integer, byte string, text string,
//! array, map, tag, float, boolean, null, undefined) is the wrong type;
//! everything else the tables refuse in an item of the right kind — an
//! integer outside the claim's range (a negative one for `uint` included), a
//! size, an element or member count, an empty `[+ …]`, a value outside a
//! value set — is an invalid value. Every expected outcome below is written
//! from the spec, one fault per case.

use ciborium::value::{Integer, Value};
use mtattest::appraisal::Freshness;
use mtattest::claims::keys::{self, layer};
use mtattest::claims::*;
use mtattest::{ClaimsError, Error, Limits, UnixTime};
use mtattest_testkit::example_phone;
use serde_json::json;

const IAT: i64 = 1_790_000_000;
const NONCE: [u8; 16] = *b"rp-challenge-16b";

/// 2^64 - 1, the largest CBOR integer.
const U64_MAX: u64 = u64::MAX;

// ---------------------------------------------------------------- helpers

fn int(n: i64) -> Value {
    Value::Integer(n.into())
}

fn big(n: i128) -> Value {
    Value::Integer(Integer::try_from(n).expect("a CBOR integer"))
}

fn text(s: &str) -> Value {
    Value::Text(s.into())
}

fn bytes(len: usize) -> Value {
    Value::Bytes(vec![0x5a; len])
}

fn array(items: Vec<Value>) -> Value {
    Value::Array(items)
}

fn map(entries: Vec<(Value, Value)>) -> Value {
    Value::Map(entries)
}

/// The example phone without `exp`, so that every time claim can be set
/// alone.
fn phone_value() -> Value {
    let mut phone = example_phone(IAT, NONCE);
    phone.exp = None;
    phone.to_value()
}

fn entries(v: &mut Value) -> &mut Vec<(Value, Value)> {
    match v {
        Value::Map(m) => m,
        other => panic!("not a map: {other:?}"),
    }
}

fn set(v: &mut Value, key: Value, new: Value) {
    let m = entries(v);
    m.retain(|(k, _)| *k != key);
    m.push((key, new));
}

fn layer_of<'a>(v: &'a mut Value, name: &str) -> &'a mut Value {
    let submods = entries(v)
        .iter_mut()
        .find(|(k, _)| *k == int(keys::SUBMODS))
        .map(|(_, v)| v)
        .expect("submods");
    entries(submods)
        .iter_mut()
        .find(|(k, _)| *k == text(name))
        .map(|(_, v)| v)
        .expect("layer")
}

fn top(key: i64, value: Value) -> Value {
    let mut v = phone_value();
    set(&mut v, int(key), value);
    v
}

fn in_layer(name: &str, key: i64, value: Value) -> Value {
    let mut v = phone_value();
    set(layer_of(&mut v, name), int(key), value);
    v
}

fn submods_with(name: &str, value: Value) -> Value {
    let mut v = phone_value();
    let submods = entries(&mut v)
        .iter_mut()
        .find(|(k, _)| *k == int(keys::SUBMODS))
        .map(|(_, v)| v)
        .expect("submods");
    set(submods, text(name), value);
    v
}

/// Decodes `v` from the value and from its CBOR bytes; both must agree.
fn decode(v: &Value) -> Result<ClaimsSet, ClaimsError> {
    let from_value = ClaimsSet::from_value(v);
    let from_bytes = ClaimsSet::from_cbor(&mtattest::cbor::encode(v), &Limits::DEFAULT);
    match (&from_value, from_bytes) {
        (Ok(a), Ok(b)) => assert_eq!(*a, b),
        (Err(a), Err(Error::Claims(b))) => assert_eq!(*a, b),
        (a, b) => panic!("from_value gave {a:?}, from_cbor {b:?}"),
    }
    from_value
}

#[track_caller]
fn assert_code(v: &Value, code: &str, path: &str) {
    let err = decode(v).expect_err("accepted");
    assert_eq!((err.code(), err_path(&err)), (code, path), "{err}");
}

#[track_caller]
fn assert_invalid(v: &Value, path: &str) {
    assert_code(v, "claims.invalid-value", path);
}

#[track_caller]
fn assert_wrong_type(v: &Value, path: &str) {
    assert_code(v, "claims.wrong-type", path);
}

#[track_caller]
fn assert_accepted(v: &Value) -> ClaimsSet {
    let claims = decode(v).unwrap_or_else(|e| panic!("refused: {e}"));
    // Accepted values re-encode to a claims set that decodes to the same.
    assert_eq!(decode(&claims.to_value()), Ok(claims.clone()));
    claims
}

fn err_path(err: &ClaimsError) -> &str {
    match err {
        ClaimsError::WrongType { path, .. }
        | ClaimsError::InvalidValue { path, .. }
        | ClaimsError::Missing { path } => path,
        _ => "",
    }
}

// ------------------------------------------------- integers (rules 3, 9)

#[test]
fn a_negative_integer_for_a_uint_claim_is_an_invalid_value() {
    let layer_cases: &[(&str, i64, &str)] = &[
        (
            layer::CHIP,
            keys::EVIDENCE_SOURCE,
            "submods.chip.evidence-source",
        ),
        (
            layer::CHIP,
            keys::KEY_SECURITY_LEVEL,
            "submods.chip.key-security-level",
        ),
        (
            layer::CHIP,
            keys::SECURITY_LIFECYCLE,
            "submods.chip.security-lifecycle",
        ),
        (layer::CHIP, keys::DBGSTAT, "submods.chip.dbgstat"),
        (
            layer::BOOT,
            keys::VERIFIED_BOOT_STATE,
            "submods.boot.verified-boot-state",
        ),
        (
            layer::BOOT,
            keys::BOOT_PATCH_LEVEL,
            "submods.boot.boot-patch-level",
        ),
        (
            layer::BOOT,
            keys::ROLLBACK_INDEX,
            "submods.boot.rollback-index",
        ),
        (layer::BOOT, keys::BOOTCOUNT, "submods.boot.bootcount"),
        (layer::BOOT, keys::UPTIME, "submods.boot.uptime"),
        (layer::OS, keys::OS_PATCH_LEVEL, "submods.os.os-patch-level"),
        (
            layer::OS,
            keys::VENDOR_PATCH_LEVEL,
            "submods.os.vendor-patch-level",
        ),
        (
            layer::OS,
            keys::STORAGE_ENCRYPTION,
            "submods.os.storage-encryption",
        ),
        (layer::APP, keys::APP_VERSION, "submods.app.app-version"),
        (layer::APP, keys::INSTALLER, "submods.app.installer"),
        (layer::RUNTIME, keys::MALWARE, "submods.runtime.malware"),
        (
            layer::RUNTIME,
            keys::ATTESTATION_VELOCITY,
            "submods.runtime.attestation-velocity",
        ),
    ];
    for n in [-1, i64::MIN] {
        for (name, key, path) in layer_cases {
            assert_invalid(&in_layer(name, *key, int(n)), path);
        }
        assert_invalid(&top(keys::INTUSE, int(n)), "intuse");
        let measurement = array(vec![array(vec![int(n), bytes(32)])]);
        assert_invalid(
            &in_layer(layer::BOOT, keys::MEASUREMENTS, measurement),
            "submods.boot.measurements[0].content-type",
        );
        let counter = map(vec![(int(3), int(n))]);
        assert_invalid(
            &in_layer(layer::APP, keys::PRIVACY_EVENTS, counter),
            "submods.app.privacy-events.background",
        );
        let later = map(vec![(int(4), int(n))]);
        assert_invalid(
            &in_layer(layer::APP, keys::PRIVACY_EVENTS, later),
            "submods.app.privacy-events.4",
        );
        let result = array(vec![array(vec![
            text(keys::MEASRES_SYSTEM),
            array(vec![array(vec![text("root"), int(n)])]),
        ])]);
        assert_invalid(
            &in_layer(layer::RUNTIME, keys::MEASRES, result),
            "submods.runtime.measres[0].results[0].result",
        );
    }
    // The most negative CBOR integer too.
    for (name, key, path) in layer_cases {
        assert_invalid(&in_layer(name, *key, big(-(1 << 64))), path);
    }
}

#[test]
fn uint_claims_take_all_of_cbors_unsigned_range_unless_the_table_narrows_it() {
    // Counters and indexes: 0 ..= 2^64-1.
    let full: &[(&str, i64)] = &[
        (layer::BOOT, keys::ROLLBACK_INDEX),
        (layer::BOOT, keys::BOOTCOUNT),
        (layer::BOOT, keys::UPTIME),
        (layer::APP, keys::APP_VERSION),
        (layer::RUNTIME, keys::ATTESTATION_VELOCITY),
    ];
    for (name, key) in full {
        assert_accepted(&in_layer(name, *key, int(0)));
        assert_accepted(&in_layer(name, *key, Value::Integer(U64_MAX.into())));
    }
    let counters = map(vec![
        (int(1), Value::Integer(U64_MAX.into())),
        (int(9), int(0)),
    ]);
    let claims = assert_accepted(&in_layer(layer::APP, keys::PRIVACY_EVENTS, counters));
    let events = claims.app.unwrap().privacy_events.unwrap();
    assert_eq!(events.out_of_scope, Some(U64_MAX));
    assert_eq!(events.other().collect::<Vec<_>>(), [(9, 0)]);

    // Narrower ranges: one above them is an invalid value.
    assert_accepted(&in_layer(
        layer::CHIP,
        keys::SECURITY_LIFECYCLE,
        int(0x60ff),
    ));
    assert_invalid(
        &in_layer(layer::CHIP, keys::SECURITY_LIFECYCLE, int(0x1_0000)),
        "submods.chip.security-lifecycle",
    );
    assert_invalid(
        &in_layer(layer::CHIP, keys::SECURITY_LIFECYCLE, int(0x1_3000)),
        "submods.chip.security-lifecycle",
    );
    let content_type = |n: i64| array(vec![array(vec![int(n), bytes(32)])]);
    assert_accepted(&in_layer(
        layer::BOOT,
        keys::MEASUREMENTS,
        content_type(65_535),
    ));
    assert_invalid(
        &in_layer(layer::BOOT, keys::MEASUREMENTS, content_type(65_536)),
        "submods.boot.measurements[0].content-type",
    );
    assert_invalid(
        &in_layer(
            layer::OS,
            keys::OS_PATCH_LEVEL,
            int(4_294_967_296 + 20_260_101),
        ),
        "submods.os.os-patch-level",
    );
    assert_invalid(
        &in_layer(
            layer::RUNTIME,
            keys::MALWARE,
            Value::Integer(U64_MAX.into()),
        ),
        "submods.runtime.malware",
    );
    assert_invalid(&top(keys::INTUSE, Value::Integer(U64_MAX.into())), "intuse");
}

#[test]
fn int_claims_take_the_64_bit_signed_range() {
    let (min, max) = (i128::from(i64::MIN), i128::from(i64::MAX));
    // iat, nbf, oemid (PEN) and the version scheme at both ends.
    for n in [min, max] {
        let claims = assert_accepted(&top(keys::IAT, big(n)));
        assert_eq!(i128::from(claims.iat), n);
        let claims = assert_accepted(&top(keys::NBF, big(n)));
        assert_eq!(claims.nbf.map(i128::from), Some(n));
        let claims = assert_accepted(&top(keys::OEMID, big(n)));
        assert_eq!(claims.oemid, Some(OemId::Pen(n as i64)));
        let version = array(vec![text("1.0"), big(n)]);
        let claims = assert_accepted(&in_layer(layer::CHIP, keys::HWVERSION, version.clone()));
        assert_eq!(
            claims.chip.unwrap().hwversion.unwrap().scheme,
            Some(n as i64)
        );
        let claims = assert_accepted(&in_layer(layer::OS, keys::SWVERSION, version));
        assert_eq!(claims.os.unwrap().swversion.unwrap().scheme, Some(n as i64));
    }
    // exp at the top of the range (it must be later than iat).
    let claims = assert_accepted(&top(keys::EXP, big(max)));
    assert_eq!(claims.exp, Some(i64::MAX));

    // One past either end, and the ends of CBOR's range, are invalid values.
    for n in [max + 1, min - 1, (1 << 64) - 1, -(1 << 64)] {
        for (key, path) in [
            (keys::IAT, "iat"),
            (keys::EXP, "exp"),
            (keys::NBF, "nbf"),
            (keys::OEMID, "oemid"),
        ] {
            assert_invalid(&top(key, big(n)), path);
        }
        let version = array(vec![text("1.0"), big(n)]);
        assert_invalid(
            &in_layer(layer::CHIP, keys::HWVERSION, version.clone()),
            "submods.chip.hwversion.scheme",
        );
        assert_invalid(
            &in_layer(layer::OS, keys::SWVERSION, version),
            "submods.os.swversion.scheme",
        );
    }
}

#[test]
fn an_integer_is_never_the_wrong_type_for_an_integer_claim_but_other_kinds_are() {
    // The kinds of RFC 8949's data model; an integer of any sign is one kind.
    let not_integers = [
        text("1"),
        bytes(1),
        array(vec![int(1)]),
        map(vec![]),
        Value::Tag(1, Box::new(int(IAT))),
        Value::Float(1.0),
        Value::Bool(true),
        Value::Null,
    ];
    for v in not_integers {
        assert_wrong_type(&top(keys::IAT, v.clone()), "iat");
        assert_wrong_type(
            &in_layer(layer::BOOT, keys::ROLLBACK_INDEX, v.clone()),
            "submods.boot.rollback-index",
        );
        assert_wrong_type(
            &in_layer(layer::RUNTIME, keys::MALWARE, v),
            "submods.runtime.malware",
        );
    }
}

// ------------------------------------------------ structures (rule 3)

#[test]
fn element_counts_and_empty_arrays_are_invalid_values() {
    let dloa = |n: usize| array((0..n).map(|_| text("x")).collect());
    let cases: Vec<(&str, i64, Value, &str)> = vec![
        // [version, ? scheme]: 1 or 2 elements.
        (
            layer::CHIP,
            keys::HWVERSION,
            array(vec![]),
            "submods.chip.hwversion",
        ),
        (
            layer::OS,
            keys::SWVERSION,
            array(vec![text("1"), int(1), int(2)]),
            "submods.os.swversion",
        ),
        // [registrar, platform-label, ? application-label]: 2 or 3.
        (
            layer::CHIP,
            keys::DLOAS,
            array(vec![dloa(1)]),
            "submods.chip.dloas[0]",
        ),
        (
            layer::CHIP,
            keys::DLOAS,
            array(vec![dloa(4)]),
            "submods.chip.dloas[0]",
        ),
        // [content-type, measurement]: exactly 2.
        (
            layer::BOOT,
            keys::MEASUREMENTS,
            array(vec![array(vec![int(1)])]),
            "submods.boot.measurements[0]",
        ),
        (
            layer::BOOT,
            keys::MEASUREMENTS,
            array(vec![array(vec![int(1), bytes(32), bytes(32)])]),
            "submods.boot.measurements[0]",
        ),
        // measres groups and results: exactly 2.
        (
            layer::RUNTIME,
            keys::MEASRES,
            array(vec![array(vec![text("mtattest")])]),
            "submods.runtime.measres[0]",
        ),
        (
            layer::RUNTIME,
            keys::MEASRES,
            array(vec![array(vec![
                text("mtattest"),
                array(vec![array(vec![text("root")])]),
            ])]),
            "submods.runtime.measres[0].results[0]",
        ),
        // Empty `[+ …]` arrays.
        (
            layer::CHIP,
            keys::DLOAS,
            array(vec![]),
            "submods.chip.dloas",
        ),
        (
            layer::BOOT,
            keys::MEASUREMENTS,
            array(vec![]),
            "submods.boot.measurements",
        ),
        (
            layer::APP,
            keys::APP_SIGNERS,
            array(vec![]),
            "submods.app.app-signers",
        ),
        (
            layer::OS,
            keys::MEASRES,
            array(vec![]),
            "submods.os.measres",
        ),
        (
            layer::OS,
            keys::MEASRES,
            array(vec![array(vec![text("vendor"), array(vec![])])]),
            "submods.os.measres[0].results",
        ),
    ];
    for (name, key, value, path) in cases {
        assert_invalid(&in_layer(name, key, value), path);
    }
    // An empty submods map (RFC 9711: at least one submodule).
    assert_invalid(&top(keys::SUBMODS, map(vec![])), "submods");
}

#[test]
fn cnf_member_count_and_method_are_its_value() {
    let key = map(vec![(int(1), int(2)), (int(-1), int(1))]);
    for cnf in [
        map(vec![]),
        map(vec![(int(1), key.clone()), (int(3), bytes(4))]),
        map(vec![(int(2), bytes(4))]),
        map(vec![(int(-1), bytes(4))]),
    ] {
        assert_invalid(&top(keys::CNF, cnf), "cnf");
    }
    // A key that is not an integer is of the wrong kind; so is a member.
    assert_wrong_type(&top(keys::CNF, map(vec![(text("kid"), bytes(4))])), "cnf");
    assert_wrong_type(&top(keys::CNF, array(vec![int(3), bytes(4)])), "cnf");
    assert_wrong_type(&top(keys::CNF, map(vec![(int(3), text("kid"))])), "cnf.kid");
    // A COSE_Key without its required kty: a missing member.
    assert_code(
        &top(keys::CNF, map(vec![(int(1), map(vec![]))])),
        "claims.missing",
        "cnf.cose-key.kty",
    );
    // Each method alone is accepted.
    assert_accepted(&top(keys::CNF, map(vec![(int(3), bytes(4))])));
    assert_accepted(&top(keys::CNF, map(vec![(int(1), key)])));
}

#[test]
fn the_nonce_array_form_of_rfc_9711_is_the_wrong_type() {
    for nonces in [
        array(vec![bytes(16)]),
        array(vec![bytes(16), bytes(16)]),
        array(vec![]),
    ] {
        assert_wrong_type(&top(keys::NONCE, nonces), "eat-nonce");
    }
}

// ---------------------------------------------------- sizes (§6.2, §6.6, §6.8)

#[test]
fn byte_string_sizes() {
    let top_cases: &[(i64, &str, usize, usize)] = &[
        (keys::NONCE, "eat-nonce", 8, 64),
        (keys::CTI, "cti", 1, 64),
        (keys::UEID, "ueid", 7, 33),
        (keys::HWMODEL, "hwmodel", 1, 32),
    ];
    for (key, path, min, max) in top_cases {
        assert_accepted(&top(*key, bytes(*min)));
        assert_accepted(&top(*key, bytes(*max)));
        assert_invalid(&top(*key, bytes(min - 1)), path);
        assert_invalid(&top(*key, bytes(max + 1)), path);
    }
    // Digests: 16..=64 bytes, for the boot digests and each app signer.
    for (name, key, path) in [
        (
            layer::BOOT,
            keys::BOOT_KEY_DIGEST,
            "submods.boot.boot-key-digest",
        ),
        (
            layer::BOOT,
            keys::BOOT_IMAGE_DIGEST,
            "submods.boot.boot-image-digest",
        ),
    ] {
        for ok in [16, 20, 32, 48, 64] {
            assert_accepted(&in_layer(name, key, bytes(ok)));
        }
        for bad in [0, 15, 65] {
            assert_invalid(&in_layer(name, key, bytes(bad)), path);
        }
    }
    for ok in [16, 64] {
        assert_accepted(&in_layer(
            layer::APP,
            keys::APP_SIGNERS,
            array(vec![bytes(ok)]),
        ));
    }
    for bad in [15, 65] {
        assert_invalid(
            &in_layer(
                layer::APP,
                keys::APP_SIGNERS,
                array(vec![bytes(32), bytes(bad)]),
            ),
            "submods.app.app-signers[1]",
        );
    }
}

#[test]
fn the_ueid_type_byte_is_not_checked() {
    // RFC 9711: a consumer treats a UEID as opaque; types are registered
    // later. Only the size is checked.
    for first in [0x00, 0x04, 0x07, 0x80, 0xff] {
        let mut ueid = vec![first];
        ueid.extend([0x11; 16]);
        let claims = assert_accepted(&top(keys::UEID, Value::Bytes(ueid.clone())));
        assert_eq!(claims.ueid.unwrap().as_bytes(), &ueid[..]);
        assert!(Ueid::new(ueid).is_ok());
    }
}

// --------------------------------------------------- exp, iat, nbf (§6.2)

#[test]
fn exp_must_be_later_than_iat_and_nbf() {
    let times = |iat: i64, exp: i64, nbf: Option<i64>| {
        let mut v = top(keys::IAT, int(iat));
        set(&mut v, int(keys::EXP), int(exp));
        if let Some(nbf) = nbf {
            set(&mut v, int(keys::NBF), int(nbf));
        }
        v
    };
    assert_invalid(&times(IAT, IAT - 1, None), "exp");
    assert_invalid(&times(IAT, IAT, None), "exp");
    assert_invalid(&times(i64::MAX, i64::MIN, None), "exp");
    assert_accepted(&times(IAT, IAT + 1, None));
    assert_invalid(&times(IAT, IAT + 100, Some(IAT + 100)), "exp");
    assert_invalid(&times(IAT, IAT + 100, Some(IAT + 200)), "exp");
    assert_accepted(&times(IAT, IAT + 100, Some(IAT + 99)));
    // nbf before iat, and nbf after iat, are both fine.
    assert_accepted(&times(IAT, IAT + 100, Some(IAT - 100)));
    assert_accepted(&times(IAT, i64::MAX, Some(i64::MIN)));
    // Without exp, nothing relates iat and nbf.
    let mut v = top(keys::IAT, int(IAT));
    set(&mut v, int(keys::NBF), int(i64::MAX));
    assert_accepted(&v);
}

#[test]
fn the_example_phone_has_no_exp_when_iat_plus_300_does_not_fit() {
    let late = example_phone(i64::MAX - 299, NONCE);
    assert_eq!(late.exp, None);
    assert_accepted(&late.to_value());
    let phone = example_phone(i64::MAX - 300, NONCE);
    assert_eq!(phone.exp, Some(i64::MAX));
    assert_accepted(&phone.to_value());
}

// ------------------------------------------------- freshness at the extremes

fn timed(iat: i64, exp: Option<i64>, nbf: Option<i64>) -> ClaimsSet {
    let mut c = ClaimsSet::new(iat);
    c.exp = exp;
    c.nbf = nbf;
    c
}

fn fresh(c: &ClaimsSet, now: i64) -> &'static str {
    let f = Freshness {
        max_age_secs: 300,
        clock_skew_secs: 60,
    };
    f.check(c, None, UnixTime(now))
        .err()
        .map_or("ok", |e| e.code())
}

#[test]
fn freshness_is_exact_arithmetic_at_the_ends_of_the_range() {
    let (min, max) = (i64::MIN, i64::MAX);
    // Extreme values are the instants they name: no wrap, no saturation.
    assert_eq!(fresh(&timed(min, None, None), IAT), "freshness.stale");
    assert_eq!(fresh(&timed(max, None, None), IAT), "freshness.future");
    assert_eq!(fresh(&timed(IAT, Some(max), None), IAT), "ok");
    assert_eq!(fresh(&timed(IAT, None, Some(min)), IAT), "ok");
    assert_eq!(
        fresh(&timed(IAT, None, Some(max)), IAT),
        "freshness.not-yet-valid"
    );
    // The verification time at the ends of the range.
    assert_eq!(fresh(&timed(max, None, None), max), "ok");
    assert_eq!(fresh(&timed(max - 360, None, None), max), "ok");
    assert_eq!(fresh(&timed(max - 361, None, None), max), "freshness.stale");
    assert_eq!(fresh(&timed(min, None, None), min), "ok");
    assert_eq!(fresh(&timed(min + 61, None, None), min), "freshness.future");
    assert_eq!(
        fresh(&timed(min, None, Some(max)), min),
        "freshness.not-yet-valid"
    );
    // exp + skew lies past every verification time: never expired; exp 60 s
    // (the skew) before the end of the range expires at its last second.
    assert_eq!(fresh(&timed(max - 1, Some(max), None), max), "ok");
    assert_eq!(
        fresh(&timed(max - 100, Some(max - 60), None), max - 1),
        "ok"
    );
    assert_eq!(
        fresh(&timed(max - 100, Some(max - 60), None), max),
        "freshness.expired"
    );
}

#[test]
fn accept_until_is_clamped_to_the_range_only_where_no_time_can_tell() {
    let f = Freshness::DEFAULT;
    // iat + max-age + skew past 2^63-1: the last instant any clock shows.
    assert_eq!(
        f.accept_until(&timed(i64::MAX - 10, None, None)),
        UnixTime(i64::MAX)
    );
    assert_eq!(
        f.accept_until(&timed(IAT, Some(i64::MAX), None)),
        UnixTime(IAT + 360)
    );
    assert_eq!(
        f.accept_until(&timed(i64::MIN, None, None)),
        UnixTime(i64::MIN + 360)
    );
}

// ------------------------------------------------------- measres (§6.10)

fn group(system: &str, results: Vec<(Value, Value)>) -> Value {
    array(vec![
        text(system),
        array(
            results
                .into_iter()
                .map(|(f, r)| array(vec![f, r]))
                .collect(),
        ),
    ])
}

#[test]
fn results_in_groups_of_other_measurement_systems_are_validated() {
    let path = "submods.os.measres[1].results[0].result";
    for bad in [0, 5, -1] {
        let measres = array(vec![
            group("mtattest", vec![(text("kernel-integrity"), int(1))]),
            group("vendor-scan", vec![(text("x"), int(bad))]),
        ]);
        assert_invalid(&in_layer(layer::OS, keys::MEASRES, measres), path);
    }
    let measres = array(vec![group("vendor-scan", vec![(int(7), int(1))])]);
    assert_wrong_type(
        &in_layer(layer::OS, keys::MEASRES, measres),
        "submods.os.measres[0].results[0].result-for",
    );
    let measres = array(vec![group(
        "vendor-scan",
        vec![(text("x"), text("success"))],
    )]);
    assert_wrong_type(
        &in_layer(layer::OS, keys::MEASRES, measres),
        "submods.os.measres[0].results[0].result",
    );
    // The mtattest-only rules do not apply to them: repeated groups and
    // repeated names are kept as sent.
    let measres = array(vec![
        group(
            "vendor-scan",
            vec![(text("x"), int(1)), (text("x"), int(2))],
        ),
        group(
            "vendor-scan",
            vec![(Value::Bytes(vec![0xde, 0xad]), int(4))],
        ),
    ]);
    let claims = assert_accepted(&in_layer(layer::OS, keys::MEASRES, measres));
    let unknown = claims.unknown_claims();
    let paths: Vec<&str> = unknown.iter().map(|u| u.path.as_str()).collect();
    assert_eq!(paths, ["submods.os.measres[0]", "submods.os.measres[1]"]);
}

// -------------------------------------------------- unknown submodules (§6.4)

#[test]
fn the_contents_of_unknown_submodules_are_not_checked() {
    // Values that a layer would refuse, and a profile of another kind.
    let vendor = map(vec![
        (int(keys::PROFILE), text("tag:example.com,2026:other")),
        (int(keys::IAT), text("yesterday")),
        (int(keys::EVIDENCE_SOURCE), int(9)),
        (int(keys::VERIFIED_BOOT_STATE), int(-1)),
        (
            int(keys::SUBMODS),
            map(vec![(
                text("chip"),
                map(vec![(int(keys::EVIDENCE_SOURCE), text("x"))]),
            )]),
        ),
    ]);
    let claims = assert_accepted(&submods_with("vendor", vendor.clone()));
    let found: Vec<(&str, &Value)> = claims.unknown_submodules().collect();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, "vendor");
    let reported = claims.unknown_claims();
    assert!(reported.iter().any(|u| u.path == "submods.vendor"));

    // Any data item, not only RFC 9711's submodule forms.
    for other in [
        int(-5),
        Value::Bool(false),
        Value::Null,
        array(vec![]),
        text("{\"eat_profile\": 1}"),
        bytes(0),
        Value::Tag(9999, Box::new(int(1))),
        Value::Float(0.5),
    ] {
        assert_accepted(&submods_with("vendor", other));
    }
}

#[test]
fn unknown_submodules_still_count_towards_the_depth_limit() {
    // vendor (1) > a (2) > b (3) > c (4) > d (5).
    let mut nested = map(vec![]);
    for name in ["d", "c", "b", "a"] {
        nested = map(vec![(int(keys::SUBMODS), map(vec![(text(name), nested)]))]);
    }
    let bytes = mtattest::cbor::encode(&submods_with("vendor", nested));
    let err = ClaimsSet::from_cbor(&bytes, &Limits::DEFAULT).unwrap_err();
    assert_eq!(err.code(), "claims.submods-too-deep");
}

// ------------------------------------------------------- the JSON form (§12)

fn json_code(edit: impl FnOnce(&mut serde_json::Value)) -> (&'static str, String) {
    let mut j = example_phone(IAT, NONCE).to_json();
    edit(&mut j);
    let err = ClaimsSet::from_json(&j).expect_err("accepted");
    (err.code(), err_path(&err).to_owned())
}

#[test]
fn the_json_form_classifies_faults_as_cbor_does() {
    let invalid = |path: &str| ("claims.invalid-value", path.to_owned());
    assert_eq!(
        json_code(|j| j["submods"]["boot"]["rollback-index"] = json!(-3)),
        invalid("submods.boot.rollback-index")
    );
    assert_eq!(
        json_code(|j| j["submods"]["app"]["privacy-events"]["background"] = json!(-1)),
        invalid("submods.app.privacy-events.background")
    );
    assert_eq!(json_code(|j| j["cnf"] = json!({})), invalid("cnf"));
    assert_eq!(
        json_code(|j| j["cnf"] = json!({"kid": "00", "cose-key": "a10102"})),
        invalid("cnf")
    );
    assert_eq!(
        json_code(|j| j["cnf"] = json!({"cose-key": "a0"})),
        ("claims.missing", "cnf.cose-key.kty".to_owned())
    );
    assert_eq!(json_code(|j| j["exp"] = json!(IAT)), invalid("exp"));
    // Integers of the JSON range outside an int claim's range.
    assert_eq!(json_code(|j| j["iat"] = json!(U64_MAX)), invalid("iat"));
    assert_eq!(
        json_code(|j| j["oemid"] = json!(1u64 << 63)),
        invalid("oemid")
    );
    // A number outside the JSON integer range is not the integer form.
    let text = example_phone(IAT, NONCE)
        .to_json()
        .to_string()
        .replace(&format!("\"iat\":{IAT}"), "\"iat\":-9223372036854775809");
    let err = ClaimsSet::from_json_str(&text).unwrap_err();
    assert_eq!((err.code(), err_path(&err)), ("claims.wrong-type", "iat"));
    // The ends of the int range are accepted in JSON too.
    let mut j = example_phone(IAT, NONCE).to_json();
    j["exp"] = json!(i64::MAX);
    j["nbf"] = json!(i64::MIN);
    j["oemid"] = json!(i64::MIN);
    let claims = ClaimsSet::from_json(&j).unwrap();
    assert_eq!((claims.exp, claims.nbf), (Some(i64::MAX), Some(i64::MIN)));
}

// ------------------------------------------------------------ the CDDL

/// Validates a claims set against `spec/mtattest.cddl` (root
/// `mtattest-claims`) with the `cddl` crate.
fn cddl_accepts(v: &Value) -> bool {
    use cddl::validator::Validator as _;
    use std::sync::OnceLock;
    static AST: OnceLock<cddl::ast::CDDL<'static>> = OnceLock::new();
    const TEXT: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../spec/mtattest.cddl"
    ));
    let ast = AST.get_or_init(|| cddl::cddl_from_str(TEXT, true).expect("the CDDL parses"));
    let cbor = cddl::validator::cbor_value::decode_cbor(&mtattest::cbor::encode(v))
        .expect("our CBOR decodes");
    let mut validator = cddl::validator::cbor::CBORValidator::new(ast, cbor, None);
    let result: Result<(), cddl::validator::cbor::Error<std::io::Error>> = validator.validate();
    result.is_ok()
}

#[test]
fn the_cddl_agrees_with_the_value_rules() {
    let (min, max) = (i128::from(i64::MIN), i128::from(i64::MAX));
    let mut with_ueid = vec![0xff];
    with_ueid.extend([0x11; 16]);
    let accepted = [
        ("the phone", phone_value()),
        ("iat -2^63", top(keys::IAT, big(min))),
        ("iat 2^63-1", top(keys::IAT, big(max))),
        ("oemid PEN -2^63", top(keys::OEMID, big(min))),
        ("cti of 1 byte", top(keys::CTI, bytes(1))),
        ("cti of 64 bytes", top(keys::CTI, bytes(64))),
        ("ueid type 0xff", top(keys::UEID, Value::Bytes(with_ueid))),
        (
            "digest of 16 bytes",
            in_layer(layer::BOOT, keys::BOOT_KEY_DIGEST, bytes(16)),
        ),
        (
            "digest of 64 bytes",
            in_layer(layer::BOOT, keys::BOOT_IMAGE_DIGEST, bytes(64)),
        ),
        (
            "uint 2^64-1",
            in_layer(layer::BOOT, keys::BOOTCOUNT, Value::Integer(U64_MAX.into())),
        ),
        (
            "an unknown submodule of any content",
            submods_with(
                "vendor",
                map(vec![
                    (int(keys::IAT), text("x")),
                    (int(keys::EVIDENCE_SOURCE), int(9)),
                ]),
            ),
        ),
    ];
    for (what, v) in &accepted {
        assert!(cddl_accepts(v), "the CDDL refuses {what}");
        assert_accepted(v);
    }
    let foreign = array(vec![group("vendor-scan", vec![(text("x"), int(5))])]);
    let refused = [
        ("iat 2^63", top(keys::IAT, big(max + 1))),
        ("iat -2^63-1", top(keys::IAT, big(min - 1))),
        ("nbf -2^64", top(keys::NBF, big(-(1 << 64)))),
        (
            "oemid PEN 2^64-1",
            top(keys::OEMID, Value::Integer(U64_MAX.into())),
        ),
        (
            "scheme 2^63",
            in_layer(
                layer::CHIP,
                keys::HWVERSION,
                array(vec![text("1"), big(max + 1)]),
            ),
        ),
        ("cti of 0 bytes", top(keys::CTI, bytes(0))),
        ("cti of 65 bytes", top(keys::CTI, bytes(65))),
        (
            "digest of 15 bytes",
            in_layer(layer::BOOT, keys::BOOT_KEY_DIGEST, bytes(15)),
        ),
        (
            "signer digest of 65 bytes",
            in_layer(layer::APP, keys::APP_SIGNERS, array(vec![bytes(65)])),
        ),
        ("nonce array", top(keys::NONCE, array(vec![bytes(16)]))),
        (
            "cnf with both methods",
            top(
                keys::CNF,
                map(vec![
                    (int(1), map(vec![(int(1), int(2))])),
                    (int(3), bytes(4)),
                ]),
            ),
        ),
        ("cnf without a method", top(keys::CNF, map(vec![]))),
        (
            "negative uint",
            in_layer(layer::BOOT, keys::ROLLBACK_INDEX, int(-1)),
        ),
        (
            "foreign measres result 5",
            in_layer(layer::OS, keys::MEASRES, foreign),
        ),
        (
            "empty dloas",
            in_layer(layer::CHIP, keys::DLOAS, array(vec![])),
        ),
    ];
    for (what, v) in &refused {
        assert!(!cddl_accepts(v), "the CDDL accepts {what}");
        assert!(decode(v).is_err(), "the decoder accepts {what}");
    }
}

// ------------------------------------------------------------ producers

#[test]
fn producers_refuse_an_exp_that_no_verifier_accepts() {
    use mtattest::crypto::{Algorithm, SoftwareSigner};
    use mtattest::token::TokenBuilder;
    let signer = SoftwareSigner::from_secret_bytes(Algorithm::Es384, &[0x11; 48]).unwrap();
    for (exp, nbf) in [(IAT - 1, None), (IAT, None), (IAT + 10, Some(IAT + 10))] {
        let mut claims = example_phone(IAT, NONCE);
        claims.exp = Some(exp);
        claims.nbf = nbf;
        let err = TokenBuilder::new().sign(&claims, &signer).unwrap_err();
        assert_eq!(err.code(), "claims.invalid-value", "exp {exp}, nbf {nbf:?}");
    }
    let mut claims = example_phone(IAT, NONCE);
    claims.nbf = Some(IAT + 10);
    claims.exp = Some(IAT + 11);
    assert!(TokenBuilder::new().sign(&claims, &signer).is_ok());
}
