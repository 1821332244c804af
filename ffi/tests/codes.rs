//! The result codes map one to one to the stable error codes of the
//! specification's table (spec/mtattest.md §13): every code there has its
//! own number, and every number from 100 up is a code there.

use std::collections::BTreeSet;
use std::ffi::CStr;

use mtattest_ffi::{mtattest_result, mtattest_result_code};

fn spec_text() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/mtattest.md");
    std::fs::read_to_string(path).expect("spec/mtattest.md")
}

/// The codes of the spec's error-code table (§13), without the C ABI's own
/// (§13.1).
fn spec_codes() -> BTreeSet<String> {
    spec_text()
        .lines()
        .filter_map(|line| {
            let cell = line.strip_prefix("| `")?.split('`').next()?;
            if cell.starts_with("ffi.") {
                return None;
            }
            let (family, name) = cell.split_once('.')?;
            let ok = !family.is_empty()
                && family.bytes().all(|b| b.is_ascii_lowercase())
                && !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            ok.then(|| cell.to_string())
        })
        .collect()
}

/// Every (number, name) the library knows, found by asking for each
/// number in the ranges in use.
fn numbered() -> Vec<(i32, String)> {
    (0..1300)
        .filter_map(|n| {
            let p = mtattest_result_code(n);
            // SAFETY: non-NULL results are static NUL-terminated strings.
            (!p.is_null()).then(|| {
                (
                    n,
                    unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_string(),
                )
            })
        })
        .collect()
}

#[test]
fn every_spec_code_has_its_own_number() {
    let spec = spec_codes();
    assert!(
        spec.len() >= 80,
        "only {} codes found in the spec",
        spec.len()
    );
    let ours: BTreeSet<String> = numbered()
        .into_iter()
        .filter(|(n, _)| *n >= 100)
        .map(|(_, name)| name)
        .collect();
    let missing: Vec<_> = spec.difference(&ours).collect();
    let extra: Vec<_> = ours.difference(&spec).collect();
    assert!(
        missing.is_empty(),
        "spec codes without a number: {missing:?}"
    );
    assert!(
        extra.is_empty(),
        "numbers for codes not in the spec: {extra:?}"
    );
    for code in &spec {
        let r = mtattest_result::from_core_code(code);
        assert_eq!(r.name_str(), code);
    }
}

#[test]
fn the_c_api_codes_are_below_100_and_named_ffi() {
    for (n, name) in numbered().into_iter().filter(|(n, _)| *n < 100) {
        assert!(
            n == 0 && name == "ok" || name.starts_with("ffi."),
            "{n} is {name}"
        );
    }
}

/// The rows `(code, number)` of the table of the C ABI's own codes (§13.1).
fn spec_ffi_codes() -> BTreeSet<(String, i32)> {
    spec_text()
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let [_, code, number, _, _] = cells.as_slice() else {
                return None;
            };
            let code = code.strip_prefix("`ffi.")?.strip_suffix('`')?;
            Some((format!("ffi.{code}"), number.parse().ok()?))
        })
        .collect()
}

/// The spec lists every code of the C ABI's own with its number, and no
/// other: a C caller reading the spec finds each code it can get.
#[test]
fn the_c_api_codes_and_numbers_are_the_specs() {
    let spec = spec_ffi_codes();
    assert!(
        spec.len() >= 10,
        "only {} C ABI codes in the spec",
        spec.len()
    );
    let ours: BTreeSet<(String, i32)> = numbered()
        .into_iter()
        .filter(|(n, _)| (1..100).contains(n))
        .map(|(n, name)| (name, n))
        .collect();
    let missing: Vec<_> = ours.difference(&spec).collect();
    let extra: Vec<_> = spec.difference(&ours).collect();
    assert!(
        missing.is_empty(),
        "C ABI codes not in spec §13.1: {missing:?}"
    );
    assert!(
        extra.is_empty(),
        "spec §13.1 rows the C ABI does not have: {extra:?}"
    );
}
