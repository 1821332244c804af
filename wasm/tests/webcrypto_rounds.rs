//! The WebCrypto path's collect-then-replay (`mtattest_wasm::webcrypto`) on
//! the host, with an oracle in WebCrypto's place: every question is
//! answered with RustCrypto's curves and RSA directly (as WebCrypto would:
//! import the key, verify `r ‖ s` with the named hash), not through the
//! library's provider. The same vectors run through real WebCrypto in Node
//! and Chromium (wasm/tests/webcrypto*.test.mjs).

use mtattest_wasm::engine::{Construction, Rounds, Session};
use mtattest_wasm::webcrypto::{Answer, Asked, Check};
use p256::ecdsa::signature::hazmat::PrehashVerifier as _;
use rsa::signature::Verifier as _;
use serde_json::{json, Value as Json};
use sha2::Digest as _;

fn vectors() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test-vectors")
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(vectors().join(rel)).unwrap()
}

fn text(rel: &str) -> String {
    String::from_utf8(read(rel)).unwrap()
}

fn manifest() -> Json {
    serde_json::from_slice(&read("manifest.json")).unwrap()
}

fn digest(hash: &str, message: &[u8]) -> Vec<u8> {
    match hash {
        "SHA-256" => sha2::Sha256::digest(message).to_vec(),
        "SHA-384" => sha2::Sha384::digest(message).to_vec(),
        other => panic!("hash {other}"),
    }
}

/// What WebCrypto answers to `check`.
fn webcrypto(check: &Check) -> Answer {
    match check {
        Check::Point { curve, sec1 } => Answer::Point(match *curve {
            "P-256" => p256::PublicKey::from_sec1_bytes(sec1)
                .ok()
                .map(|k| p256::EncodedPoint::from(k).to_bytes().to_vec()),
            "P-384" => p384::PublicKey::from_sec1_bytes(sec1)
                .ok()
                .map(|k| p384::EncodedPoint::from(k).to_bytes().to_vec()),
            other => panic!("curve {other}"),
        }),
        Check::Ecdsa {
            curve,
            hash,
            key,
            message,
            signature,
        } => {
            let prehash = digest(hash, message);
            Answer::Verified(match *curve {
                "P-256" => matches!(
                    (
                        p256::ecdsa::VerifyingKey::from_sec1_bytes(key),
                        p256::ecdsa::Signature::from_slice(signature),
                    ),
                    (Ok(k), Ok(s)) if k.verify_prehash(&prehash, &s).is_ok()
                ),
                "P-384" => matches!(
                    (
                        p384::ecdsa::VerifyingKey::from_sec1_bytes(key),
                        p384::ecdsa::Signature::from_slice(signature),
                    ),
                    (Ok(k), Ok(s)) if k.verify_prehash(&prehash, &s).is_ok()
                ),
                other => panic!("curve {other}"),
            })
        }
        Check::Rsa {
            modulus,
            exponent,
            message,
            signature,
        } => {
            let key = rsa::RsaPublicKey::new(
                rsa::BigUint::from_bytes_be(modulus),
                rsa::BigUint::from_bytes_be(exponent),
            );
            let signature = rsa::pkcs1v15::Signature::try_from(signature.as_slice());
            Answer::Verified(matches!(
                (key, signature),
                (Ok(k), Ok(s)) if rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(k.clone())
                    .verify(message, &s)
                    .is_ok()
            ))
        }
    }
}

fn answer_all(asked: &[Asked]) -> Vec<Answer> {
    asked.iter().map(|a| webcrypto(&a.check)).collect()
}

/// The options of a case, as wasm/tests/vectors.test.mjs gives them.
fn options_of(manifest: &Json, case: &Json) -> Json {
    let mut settings = manifest["verifier"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    if let Some(Json::Object(own)) = case.get("options") {
        settings.extend(own.clone());
    }
    let file = |member: &str| case.get(member).and_then(Json::as_str).map(text);
    json!({
        "policy": file("policy"),
        "bulletins": file("bulletin"),
        "crls": case.get("crl").and_then(Json::as_str).map(|c| vec![hex::encode(read(c))]),
        "statusList": file("status-list"),
        "allowedAlgorithms": settings.get("allowed-algorithms"),
        "requireProtectedX5chain": settings.get("require-protected-x5chain"),
        "maxAgeSecs": settings.get("max-age-secs"),
        "clockSkewSecs": settings.get("clock-skew-secs"),
        "androidAnchors": file("android-anchors"),
        "androidChallenge": settings.get("android-challenge"),
        "androidMinSecurityLevel": settings.get("android-min-security-level"),
    })
}

fn call_of(case: &Json) -> Json {
    json!({
        "time": case["time"],
        "nonce": case["nonce"],
        "enrolmentChallenge": case.get("enrolment-challenge"),
    })
}

/// A session made as `createVerifier` makes it: its anchors' keys checked
/// by the oracle's answers.
fn webcrypto_session(manifest: &Json, case: &Json) -> Session {
    let anchors = text(case["anchors"].as_str().unwrap());
    let mut construction = Construction::new(&anchors, &options_of(manifest, case)).unwrap();
    construction.settle_with(answer_all);
    construction.finish().unwrap()
}

fn verify_async(session: &Session, token: &[u8], call: &Json) -> Json {
    let mut verification = session.verification(token, call).unwrap();
    verification.settle_with(answer_all);
    verification.finish().unwrap()
}

/// Every vector through the WebCrypto path gives exactly the result of the
/// synchronous path (which vectors.test.mjs checks against the manifest),
/// and the manifest's outcome and code.
#[test]
fn every_vector_gives_the_synchronous_result() {
    let manifest = manifest();
    for case in manifest["cases"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        let anchors = text(case["anchors"].as_str().unwrap());
        let options = options_of(&manifest, case);
        let sync = Session::new(&anchors, &options).unwrap();
        let session = webcrypto_session(&manifest, case);
        let call = call_of(case);
        for earlier in case["submitted-before"].as_array().into_iter().flatten() {
            let token = read(earlier.as_str().unwrap());
            let want = sync.verify(&token, &call).unwrap();
            assert_eq!(verify_async(&session, &token, &call), want, "{id}");
        }
        let token = read(case["token"].as_str().unwrap());
        let got = verify_async(&session, &token, &call);
        assert_eq!(got, sync.verify(&token, &call).unwrap(), "{id}");
        let expected = &case["expected"];
        if expected["result"] == "invalid" {
            assert_eq!(got["errorCode"], expected["error"], "{id}");
        } else {
            assert_eq!(got["errorCode"], Json::Null, "{id}: {}", got["message"]);
            assert_eq!(got["claims"], expected["claims"], "{id}");
        }
    }
}

fn case(id: &str) -> (Json, Json) {
    let manifest = manifest();
    let case = manifest["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("no case {id}"));
    (manifest, case)
}

/// Dry runs answer provisionally ("every signature holds"), so they must
/// leave no trace: no replay identifier recorded, no chain or link cached.
/// After every dry run of a verification the session is as it was: the
/// same token then verifies synchronously (not `replay.seen`), and the
/// caches hold nothing that the dry runs put there.
#[test]
fn dry_runs_leave_the_replay_cache_and_the_caches_untouched() {
    let (manifest, case) = case("valid-es384-example-phone");
    let session = webcrypto_session(&manifest, &case);
    let token = read(case["token"].as_str().unwrap());
    let call = call_of(&case);
    let before = session.cache_stats();
    assert!(before[0].is_some() && before[1].is_some(), "caches on");

    let mut verification = session.verification(&token, &call).unwrap();
    let mut dry_runs = 0;
    while let Some(asked) = verification.dry_run() {
        dry_runs += 1;
        assert!(asked.iter().any(|a| matches!(a.check, Check::Ecdsa { .. })));
        let answers = answer_all(&asked);
        verification.record(asked, answers);
    }
    assert!(dry_runs >= 1);
    assert_eq!(session.cache_stats(), before, "a dry run used the caches");

    // The replay cache did not see the token: the synchronous path accepts
    // it once, and then the WebCrypto final run finds it seen.
    let first = session.verify(&token, &call).unwrap();
    assert_eq!(first["errorCode"], Json::Null, "{}", first["message"]);
    assert_eq!(first["replayChecked"], true);
    let again = verification.finish().unwrap();
    assert_eq!(again["errorCode"], "replay.seen");
}

/// A link the dry run was told (provisionally) holds, and WebCrypto then
/// refuses, is not cached: the intermediate's bad signature is refused by
/// the final run, and again by the next call.
#[test]
fn a_provisional_answer_never_reaches_the_link_cache() {
    let (manifest, case) = case("invalid-chain-intermediate-bad-signature");
    let session = webcrypto_session(&manifest, &case);
    let token = read(case["token"].as_str().unwrap());
    let call = call_of(&case);
    for _ in 0..2 {
        let result = verify_async(&session, &token, &call);
        assert_eq!(result["errorCode"], "chain.bad-signature");
        assert_eq!(session.cache_stats()[1].map(|s| s.len), Some(0));
    }
}

/// The final run answers only from WebCrypto's record: a question that
/// was never answered is refused, so the token is refused.
#[test]
fn a_check_missing_from_the_record_fails_closed() {
    let (manifest, case) = case("valid-es384-example-phone");
    let session = webcrypto_session(&manifest, &case);
    let token = read(case["token"].as_str().unwrap());
    let call = call_of(&case);
    let signatures = |asked: &[Asked]| {
        asked
            .iter()
            .filter(|a| matches!(a.check, Check::Ecdsa { .. }))
            .count()
    };
    let mut probe = session.verification(&token, &call).unwrap();
    let asked = probe.dry_run().unwrap();
    let n = signatures(&asked);
    assert!(n >= 2, "the token's and the certificates' signatures");

    for skip in 0..n {
        let mut verification = session.verification(&token, &call).unwrap();
        while let Some(asked) = verification.dry_run() {
            // Drop the `skip`th signature question from the record.
            let mut seen = 0;
            let kept: Vec<Asked> = asked
                .into_iter()
                .filter(|a| {
                    if !matches!(a.check, Check::Ecdsa { .. }) {
                        return true;
                    }
                    seen += 1;
                    seen != skip + 1
                })
                .collect();
            let answers = answer_all(&kept);
            verification.record(kept, answers);
        }
        let result = verification.finish().unwrap();
        assert_eq!(result["status"], "invalid", "signature {skip} unanswered");
        let code = result["errorCode"].as_str().unwrap();
        assert!(code.ends_with("bad-signature"), "{code}");
    }
    // Answered in full, the same token verifies.
    let result = verify_async(&session, &token, &call);
    assert_eq!(result["errorCode"], Json::Null, "{}", result["message"]);
}

/// A session made by `createVerifier` in the verify-only build has no
/// synchronous provider; with one (this build) its synchronous `verify`
/// uses it. Either way, outside a final run WebCrypto's answers are never
/// assumed: an exchange recorded for one call is not another call's.
#[test]
fn answers_belong_to_their_call() {
    let (manifest, case) = case("valid-es384-example-phone");
    let session = webcrypto_session(&manifest, &case);
    let token = read(case["token"].as_str().unwrap());
    let call = call_of(&case);
    let mut first = session.verification(&token, &call).unwrap();
    first.settle_with(answer_all);
    // A second call that records nothing: its final run has no answers.
    let mut second = session.verification(&token, &call).unwrap();
    while let Some(asked) = second.dry_run() {
        second.record(asked, Vec::new());
    }
    let refused = second.finish().unwrap();
    assert_eq!(refused["status"], "invalid");
    let accepted = first.finish().unwrap();
    assert_eq!(accepted["errorCode"], Json::Null, "{}", accepted["message"]);
}
