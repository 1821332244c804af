//! mtattest_issue() stays within the limits a verifier requires (spec
//! §7.1, §8.1): claims, chains and tokens over a limit are refused with the
//! limit's code, on the size query already, so the signer is never asked.

use std::ptr;

use ciborium::value::Value;
use mtattest::claims::ClaimsSet;
use mtattest_ffi::*;
use mtattest_testkit::example_phone;
use mtattest_testkit::pki::TestPki;

const IAT: i64 = 1_790_000_000;

fn int(n: i64) -> Value {
    Value::Integer(n.into())
}

/// The result of issuing `claims` with the test device key and `chain`
/// (concatenated DER): first the size query, then, if it passed, into a
/// buffer of that size. Both must give the same code.
fn issue(claims: &ClaimsSet, chain: &[u8]) -> mtattest_result {
    let pki = TestPki::standard().unwrap();
    let secret = pki.device.spec.key.secret();
    let json = claims.to_json().to_string();
    let mut signer = ptr::null_mut();
    // SAFETY: every pointer is valid for the length given with it, the
    // out-pointers for writes; the signer is freed once.
    unsafe {
        assert_eq!(
            mtattest_signer_new_p384(secret.as_ptr(), secret.len(), &mut signer),
            mtattest_result::MTATTEST_OK
        );
        let call = |out: *mut u8, cap: usize, len: &mut usize| {
            mtattest_issue(
                signer,
                json.as_ptr().cast(),
                json.len(),
                ptr::null(),
                0,
                chain.as_ptr(),
                chain.len(),
                0,
                out,
                cap,
                len,
            )
        };
        let mut len = 0;
        let mut rc = call(ptr::null_mut(), 0, &mut len);
        if rc == mtattest_result::MTATTEST_ERR_BUFFER_TOO_SMALL {
            let mut token = vec![0u8; len];
            rc = call(token.as_mut_ptr(), token.len(), &mut len);
        }
        mtattest_signer_free(signer);
        rc
    }
}

fn standard_chain() -> Vec<u8> {
    let pki = TestPki::standard().unwrap();
    [pki.device.der.clone(), pki.intermediate.der.clone()].concat()
}

fn phone() -> ClaimsSet {
    example_phone(IAT, b"c-abi-producer-limits".to_vec())
}

fn with_unknown(name: &str, value: Value) -> ClaimsSet {
    let mut c = phone();
    c.insert_unknown(name, value).unwrap();
    c
}

#[test]
fn within_the_limits_a_token_is_issued() {
    assert_eq!(
        issue(&phone(), &standard_chain()),
        mtattest_result::MTATTEST_OK
    );
}

#[test]
fn a_token_over_16_kib() {
    let c = with_unknown("padding", Value::Bytes(vec![0; 22_000]));
    assert_eq!(
        issue(&c, &standard_chain()),
        mtattest_result::MTATTEST_TOKEN_TOO_LARGE
    );
}

#[test]
fn claims_over_the_cbor_limits() {
    let mut c = phone();
    for n in 0..151 - c.to_value().as_map().map_or(0, Vec::len) {
        c.insert_unknown(format!("extra-{n}"), int(n as i64))
            .unwrap();
    }
    assert_eq!(c.to_value().as_map().map_or(0, Vec::len), 151);
    assert_eq!(
        issue(&c, &standard_chain()),
        mtattest_result::MTATTEST_CBOR_MAP_TOO_LARGE
    );

    // 16 arrays: within the depth limit on their own, one level too deep
    // inside the claims set.
    let mut deep = int(0);
    for _ in 0..16 {
        deep = Value::Array(vec![deep]);
    }
    assert_eq!(
        issue(&with_unknown("deep", deep), &standard_chain()),
        mtattest_result::MTATTEST_CBOR_TOO_DEEP
    );

    // 4 091 items on their own; with the example phone's claims, over 4 096.
    let many = Value::Array(vec![int(0); 4_090]);
    assert_eq!(
        issue(&with_unknown("many", many), &standard_chain()),
        mtattest_result::MTATTEST_CBOR_TOO_MANY_ITEMS
    );
}

#[test]
fn submodules_nested_too_deep() {
    let mut inner = Value::Map(vec![(int(-75_000), int(1))]);
    for level in (2..=5).rev() {
        inner = Value::Map(vec![(
            int(266),
            Value::Map(vec![(Value::Text(format!("sub{level}")), inner)]),
        )]);
    }
    let mut c = phone();
    c.insert_unknown_submodule("vendor", inner).unwrap();
    assert_eq!(
        issue(&c, &standard_chain()),
        mtattest_result::MTATTEST_CLAIMS_SUBMODS_TOO_DEEP
    );
}

#[test]
fn chains_over_the_chain_limits() {
    let pki = TestPki::standard().unwrap();
    // The issue's eight certificates.
    let mut eight = pki.device.der.clone();
    for _ in 0..7 {
        eight.extend_from_slice(&pki.intermediate.der);
    }
    assert_eq!(
        issue(&phone(), &eight),
        mtattest_result::MTATTEST_CHAIN_TOO_LONG
    );
    // A 9 000-byte DER item after the leaf: refused on its size, before it
    // is parsed.
    let mut big = pki.device.der.clone();
    big.extend_from_slice(&[0x30, 0x82, 0x23, 0x24]);
    big.extend_from_slice(&[0; 0x2324]);
    assert_eq!(
        issue(&phone(), &big),
        mtattest_result::MTATTEST_CHAIN_CERT_TOO_LARGE
    );
}
