//! Through the C ABI from Rust: a token produced with a raw-scalar signer
//! and a DER chain verifies, and the C ABI's verdict and EAR equal the
//! core's for the same token, configuration and time.

use std::ffi::CStr;
use std::ptr;

use mtattest::appraisal::{EarProfile, Policy, Preset};
use mtattest::trust::{ChainVerifier, TrustAnchors};
use mtattest::verifier::{KeySource, Verifier};
use mtattest::UnixTime;
use mtattest_ffi::*;
use mtattest_testkit::example_phone;
use mtattest_testkit::pki::TestPki;

const NOW: i64 = 1_790_000_000;

fn issue(pki: &TestPki, claims_json: &str) -> Vec<u8> {
    let secret = pki.device.spec.key.secret();
    let mut signer = ptr::null_mut();
    let mut chain = pki.device.der.clone();
    chain.extend_from_slice(&pki.intermediate.der);
    // SAFETY: every pointer below is valid for the length given with it,
    // the out-pointers for writes, and the signer is freed once.
    unsafe {
        assert_eq!(
            mtattest_signer_new_p384(secret.as_ptr(), secret.len(), &mut signer),
            mtattest_result::MTATTEST_OK
        );
        let mut len = 0;
        let rc = mtattest_issue(
            signer,
            claims_json.as_ptr().cast(),
            claims_json.len(),
            ptr::null(),
            0,
            chain.as_ptr(),
            chain.len(),
            0,
            ptr::null_mut(),
            0,
            &mut len,
        );
        assert_eq!(rc, mtattest_result::MTATTEST_ERR_BUFFER_TOO_SMALL);
        let mut token = vec![0u8; len];
        let rc = mtattest_issue(
            signer,
            claims_json.as_ptr().cast(),
            claims_json.len(),
            ptr::null(),
            0,
            chain.as_ptr(),
            chain.len(),
            0,
            token.as_mut_ptr(),
            token.len(),
            &mut len,
        );
        assert_eq!(rc, mtattest_result::MTATTEST_OK);
        assert_eq!(len, token.len());
        mtattest_signer_free(signer);
        token
    }
}

#[test]
fn the_c_abi_and_the_core_agree() {
    let pki = TestPki::standard().unwrap();
    let nonce = b"relying-party-challenge-0001".to_vec();
    let claims = example_phone(NOW - 10, nonce.clone());
    let signer_digest = claims.app.as_ref().unwrap().app_signers[0].clone();
    let token = issue(&pki, &claims.to_json().to_string());

    // The core.
    let mut anchors = TrustAnchors::new();
    anchors.add_der(&pki.root.der).unwrap();
    let core = Verifier::builder(KeySource::chain(ChainVerifier::new(anchors))).build();
    let policy = Policy::preset(Preset::Payment, &[signer_digest.as_bytes()]).unwrap();
    let (_, expected) = core
        .verify_and_appraise(&token, Some(&nonce), &policy, UnixTime::from_secs(NOW))
        .unwrap();

    // The C ABI.
    let pem = pki.root.pem();
    let digest = signer_digest.as_bytes();
    // SAFETY: as in `issue`; lent strings are read before the result is
    // freed.
    unsafe {
        let mut builder = ptr::null_mut();
        assert_eq!(
            mtattest_verifier_builder_new(&mut builder),
            mtattest_result::MTATTEST_OK
        );
        assert_eq!(
            mtattest_verifier_builder_add_anchors(builder, pem.as_ptr(), pem.len()),
            mtattest_result::MTATTEST_OK
        );
        assert_eq!(
            mtattest_verifier_builder_set_policy_preset(
                builder,
                c"payment".as_ptr(),
                digest.as_ptr(),
                digest.len(),
                1
            ),
            mtattest_result::MTATTEST_OK
        );
        let mut verifier = ptr::null_mut();
        assert_eq!(
            mtattest_verifier_builder_build(builder, &mut verifier),
            mtattest_result::MTATTEST_OK
        );
        mtattest_verifier_builder_free(builder);

        let mut result = ptr::null_mut();
        let rc = mtattest_verify(
            verifier,
            token.as_ptr(),
            token.len(),
            nonce.as_ptr(),
            nonce.len(),
            NOW,
            &mut result,
        );
        assert_eq!(rc, mtattest_result::MTATTEST_OK);
        let mut status = mtattest_status::MTATTEST_STATUS_INVALID;
        assert_eq!(
            mtattest_verify_result_status(result, &mut status),
            mtattest_result::MTATTEST_OK
        );
        assert_eq!(status, mtattest_status::from(expected.status));
        assert_eq!(status, mtattest_status::MTATTEST_STATUS_AFFIRMING);
        let (mut json, mut len) = (ptr::null(), 0);
        assert_eq!(
            mtattest_verify_result_ear_json(result, &mut json, &mut len),
            mtattest_result::MTATTEST_OK
        );
        assert_eq!(CStr::from_ptr(json).to_str().unwrap(), expected.to_json());
        let mut cbor = ptr::null();
        assert_eq!(
            mtattest_verify_result_ear_cbor(result, &mut cbor, &mut len),
            mtattest_result::MTATTEST_OK
        );
        assert_eq!(std::slice::from_raw_parts(cbor, len), expected.to_cbor());
        mtattest_verify_result_free(result);

        // The same token again: the same code as the core gives.
        let again = core
            .verify(&token, Some(&nonce), UnixTime::from_secs(NOW))
            .unwrap_err();
        let rc = mtattest_verify(
            verifier,
            token.as_ptr(),
            token.len(),
            nonce.as_ptr(),
            nonce.len(),
            NOW,
            &mut result,
        );
        assert_eq!(rc.name_str(), again.code());
        let mut code = ptr::null();
        assert_eq!(
            mtattest_verify_result_error_code(result, &mut code),
            mtattest_result::MTATTEST_OK
        );
        assert_eq!(CStr::from_ptr(code).to_str().unwrap(), "replay.seen");
        mtattest_verify_result_free(result);
        mtattest_verifier_free(verifier);
    }
}

/// With MTATTEST_EAR_PROFILE_IETF_DRAFT_04 the result lends the EAR in the
/// draft-ietf-rats-ear-04 form, byte for byte what the core encodes; an
/// unknown profile is refused and changes nothing.
#[test]
fn the_ear_profile_setter_chooses_the_form() {
    let pki = TestPki::standard().unwrap();
    let nonce = b"relying-party-challenge-0002".to_vec();
    let claims = example_phone(NOW - 10, nonce.clone());
    let signer_digest = claims.app.as_ref().unwrap().app_signers[0].clone();
    let token = issue(&pki, &claims.to_json().to_string());

    let mut anchors = TrustAnchors::new();
    anchors.add_der(&pki.root.der).unwrap();
    let core = Verifier::builder(KeySource::chain(ChainVerifier::new(anchors))).build();
    let policy = Policy::preset(Preset::Payment, &[signer_digest.as_bytes()]).unwrap();
    let (_, expected) = core
        .verify_and_appraise(&token, Some(&nonce), &policy, UnixTime::from_secs(NOW))
        .unwrap();

    let pem = pki.root.pem();
    let digest = signer_digest.as_bytes();
    // SAFETY: as in `issue`; lent strings are read before the result is
    // freed.
    unsafe {
        let mut builder = ptr::null_mut();
        assert_eq!(
            mtattest_verifier_builder_new(&mut builder),
            mtattest_result::MTATTEST_OK
        );
        assert_eq!(
            mtattest_verifier_builder_add_anchors(builder, pem.as_ptr(), pem.len()),
            mtattest_result::MTATTEST_OK
        );
        assert_eq!(
            mtattest_verifier_builder_set_policy_preset(
                builder,
                c"payment".as_ptr(),
                digest.as_ptr(),
                digest.len(),
                1
            ),
            mtattest_result::MTATTEST_OK
        );
        assert_eq!(
            mtattest_verifier_builder_set_ear_profile(ptr::null_mut(), 1),
            mtattest_result::MTATTEST_ERR_NULL_POINTER
        );
        assert_eq!(
            mtattest_verifier_builder_set_ear_profile(builder, MTATTEST_EAR_PROFILE_IETF_DRAFT_04),
            mtattest_result::MTATTEST_OK
        );
        assert_eq!(
            mtattest_verifier_builder_set_ear_profile(builder, 2),
            mtattest_result::MTATTEST_CONFIG_BAD_VALUE
        );
        let mut verifier = ptr::null_mut();
        assert_eq!(
            mtattest_verifier_builder_build(builder, &mut verifier),
            mtattest_result::MTATTEST_OK
        );
        mtattest_verifier_builder_free(builder);

        let mut result = ptr::null_mut();
        let rc = mtattest_verify(
            verifier,
            token.as_ptr(),
            token.len(),
            nonce.as_ptr(),
            nonce.len(),
            NOW,
            &mut result,
        );
        assert_eq!(rc, mtattest_result::MTATTEST_OK);
        let (mut json, mut len) = (ptr::null(), 0);
        assert_eq!(
            mtattest_verify_result_ear_json(result, &mut json, &mut len),
            mtattest_result::MTATTEST_OK
        );
        let json = CStr::from_ptr(json).to_str().unwrap();
        assert_eq!(json, expected.to_json_as(EarProfile::IetfDraft04));
        assert!(json.contains("\"ear_status\": \"affirming\""), "{json}");
        let mut cbor = ptr::null();
        assert_eq!(
            mtattest_verify_result_ear_cbor(result, &mut cbor, &mut len),
            mtattest_result::MTATTEST_OK
        );
        assert_eq!(
            std::slice::from_raw_parts(cbor, len),
            expected.to_cbor_as(EarProfile::IetfDraft04)
        );
        mtattest_verify_result_free(result);
        mtattest_verifier_free(verifier);
    }
}
