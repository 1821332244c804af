//! The C ABI carries the Android attestation behind a token (spec §17):
//! `mtattest_verify_result_android_json`, and the enrolment challenge of
//! `mtattest_verify_enrolled`.

use std::ffi::CStr;
use std::ptr;

use mtattest_ffi::*;
use mtattest_testkit::android::{AndroidTestPki, AttestedDevice};
use mtattest_testkit::example_phone;

const NOW: i64 = 1_767_400_000;

fn verifier(pki: &AndroidTestPki, mode: &str) -> *mut mtattest_verifier {
    let config = serde_json::json!({
        "android": {"anchors": [{"pem": pki.root.pem()}], "challenge": mode},
    })
    .to_string();
    let mut v = ptr::null_mut();
    // SAFETY: the text is valid for its length; `v` is valid for writes.
    let rc =
        unsafe { mtattest_verifier_from_config_json(config.as_ptr().cast(), config.len(), &mut v) };
    assert_eq!(rc, mtattest_result::MTATTEST_OK);
    v
}

fn android_json(
    result: *const mtattest_verify_result,
) -> Result<serde_json::Value, mtattest_result> {
    let mut text = ptr::null();
    let mut len = 0;
    // SAFETY: `result` is live; the out-pointers are valid for writes.
    let rc = unsafe { mtattest_verify_result_android_json(result, &mut text, &mut len) };
    if rc != mtattest_result::MTATTEST_OK {
        return Err(rc);
    }
    // SAFETY: lent NUL-terminated text, valid until the result is freed.
    let s = unsafe { CStr::from_ptr(text) }.to_str().unwrap();
    assert_eq!(s.len(), len);
    Ok(serde_json::from_str(s).unwrap())
}

#[test]
fn the_result_carries_the_attestation() {
    let nonce = b"ffi-android-nonce-01";
    let pki = AndroidTestPki::new(&AttestedDevice::strongbox(nonce)).unwrap();
    let token = pki.token(&example_phone(NOW - 5, nonce.to_vec())).unwrap();
    let v = verifier(&pki, "per-token");
    let mut result = ptr::null_mut();
    // SAFETY: every pointer is valid for its length; freed once below.
    unsafe {
        let rc = mtattest_verify(
            v,
            token.as_ptr(),
            token.len(),
            nonce.as_ptr(),
            nonce.len(),
            NOW,
            &mut result,
        );
        assert_eq!(rc, mtattest_result::MTATTEST_OK);
        let json = android_json(result).unwrap();
        assert_eq!(json["attester"], "android-key-attestation:STRONG_BOX");
        assert_eq!(
            json["keyDescription"]["attestationSecurityLevel"],
            "STRONG_BOX"
        );
        let claims = json["claims"].as_array().unwrap();
        assert!(claims.iter().any(
            |c| c["claim"] == "submods.chip.key-security-level" && c["comparison"] == "agrees"
        ));
        mtattest_verify_result_free(result);

        // A bad token has none.
        let mut bad = token.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        let rc = mtattest_verify(
            v,
            bad.as_ptr(),
            bad.len(),
            nonce.as_ptr(),
            nonce.len(),
            NOW,
            &mut result,
        );
        assert_ne!(rc, mtattest_result::MTATTEST_OK);
        assert_eq!(
            android_json(result),
            Err(mtattest_result::MTATTEST_ERR_NOT_AVAILABLE)
        );
        mtattest_verify_result_free(result);
        mtattest_verifier_free(v);
    }
}

#[test]
fn enrolled_mode_takes_the_enrolment_challenge() {
    let enrolment = b"ffi-enrolment-0001";
    let nonce = b"ffi-android-nonce-02";
    let pki = AndroidTestPki::new(&AttestedDevice::strongbox(enrolment)).unwrap();
    let token = pki.token(&example_phone(NOW - 5, nonce.to_vec())).unwrap();
    let v = verifier(&pki, "enrolled");
    let mut result = ptr::null_mut();
    // SAFETY: every pointer is valid for its length; freed once below.
    unsafe {
        let rc = mtattest_verify(
            v,
            token.as_ptr(),
            token.len(),
            nonce.as_ptr(),
            nonce.len(),
            NOW,
            &mut result,
        );
        assert_eq!(
            rc,
            mtattest_result::MTATTEST_CONFIG_ENROLMENT_CHALLENGE_REQUIRED
        );
        assert!(result.is_null());
        let wrong = b"ffi-enrolment-0002";
        let rc = mtattest_verify_enrolled(
            v,
            token.as_ptr(),
            token.len(),
            nonce.as_ptr(),
            nonce.len(),
            wrong.as_ptr(),
            wrong.len(),
            NOW,
            &mut result,
        );
        assert_eq!(rc, mtattest_result::MTATTEST_ANDROID_CHALLENGE_MISMATCH);
        mtattest_verify_result_free(result);
        let rc = mtattest_verify_enrolled(
            v,
            token.as_ptr(),
            token.len(),
            nonce.as_ptr(),
            nonce.len(),
            enrolment.as_ptr(),
            enrolment.len(),
            NOW,
            &mut result,
        );
        assert_eq!(rc, mtattest_result::MTATTEST_OK);
        assert!(android_json(result).is_ok());
        mtattest_verify_result_free(result);
        mtattest_verifier_free(v);
    }
}

/// `mtattest_verifier_builder_set_android_json` takes the configuration's
/// `android` object; what is not one, or holds a bad value, is refused
/// (never "no Android settings").
#[test]
fn the_builder_takes_the_android_settings() {
    let pki = AndroidTestPki::new(&AttestedDevice::strongbox(b"ffi-android-nonce-02")).unwrap();
    let set = |json: &str| -> (mtattest_result, mtattest_result) {
        let mut b = ptr::null_mut();
        let mut v = ptr::null_mut();
        // A plain anchor besides the Android one (the same root twice would
        // be refused).
        let anchors = mtattest_testkit::pki::TestPki::standard()
            .unwrap()
            .root
            .pem();
        // SAFETY: every pointer is valid for its length; both freed below.
        unsafe {
            assert_eq!(
                mtattest_verifier_builder_new(&mut b),
                mtattest_result::MTATTEST_OK
            );
            assert_eq!(
                mtattest_verifier_builder_add_anchors(b, anchors.as_ptr(), anchors.len()),
                mtattest_result::MTATTEST_OK
            );
            let set =
                mtattest_verifier_builder_set_android_json(b, json.as_ptr().cast(), json.len());
            let built = mtattest_verifier_builder_build(b, &mut v);
            mtattest_verifier_free(v);
            mtattest_verifier_builder_free(b);
            (set, built)
        }
    };
    use mtattest_result::*;
    let anchors = serde_json::json!([{"pem": pki.root.pem()}]);
    let good = serde_json::json!({"anchors": anchors, "challenge": "enrolled",
        "min-security-level": "strongbox"})
    .to_string();
    assert_eq!(set(&good), (MTATTEST_OK, MTATTEST_OK));
    assert_eq!(set("").0, MTATTEST_CONFIG_EMPTY);
    assert_eq!(set(" \n").0, MTATTEST_CONFIG_EMPTY);
    assert_eq!(set("[]").0, MTATTEST_CONFIG_SYNTAX);
    assert_eq!(
        set(r#"{"challenges": "enrolled"}"#).0,
        MTATTEST_CONFIG_SYNTAX
    );
    let bad_mode = serde_json::json!({"anchors": anchors, "challenge": "sometimes"}).to_string();
    assert_eq!(set(&bad_mode).0, MTATTEST_CONFIG_BAD_VALUE);
    let bad_level =
        serde_json::json!({"anchors": anchors, "min-security-level": "software"}).to_string();
    assert_eq!(set(&bad_level).0, MTATTEST_CONFIG_BAD_VALUE);
}
