//! The native API: a challenge, then the token with it, the result as
//! JSON, JWT or COSE by `Accept`.

use mtattest::appraisal::AttestationResult;

use crate::common::{b64, b64url, client, pki, send, unb64, Config, Reply, Server, EAT_CWT};

async fn challenge(server: &Server) -> Vec<u8> {
    let r = send(client().post(server.url("/v1/challenge"))).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let c = r.json();
    assert!(
        c["expires"].as_str().is_some_and(|e| e.ends_with('Z')),
        "{c}"
    );
    unb64(c["nonce"].as_str().unwrap())
}

async fn verify_json(server: &Server, body: serde_json::Value, accept: Option<&str>) -> Reply {
    let mut request = client().post(server.url("/v1/verify")).json(&body);
    if let Some(a) = accept {
        request = request.header("accept", a);
    }
    send(request).await
}

#[tokio::test]
async fn challenge_then_verify_in_every_result_form() {
    let config = Config::new("", "");
    let server = Server::start(&config.path);

    // JSON in, the EAR as JSON out.
    let nonce = challenge(&server).await;
    assert_eq!(nonce.len(), 32);
    let body = serde_json::json!({"token": b64(&pki::token(&nonce)), "nonce": b64(&nonce)});
    let r = verify_json(&server, body, None).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/json")
    );
    let ear = r.json();
    assert_eq!(ear["ear.status"], "affirming", "{ear}");
    assert_eq!(ear["mtattest.action"], "allow");
    assert_eq!(ear["eat_nonce"], b64url(&nonce));
    assert_eq!(
        ear["submods"]["device"]["ear.appraisal-policy-id"],
        "payment"
    );

    // A named policy, the token in base64url, the EAR as a JWT.
    let nonce = challenge(&server).await;
    let body = serde_json::json!({
        "token": b64url(&pki::token(&nonce)), "nonce": b64url(&nonce), "policy": "content"
    });
    let r = verify_json(&server, body, Some("application/eat+jwt")).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert!(r
        .header("content-type")
        .is_some_and(|t| t.starts_with("application/eat+jwt")));
    let jwt = String::from_utf8(r.body.clone()).unwrap();
    let claims: serde_json::Value = {
        let payload = jwt.split('.').nth(1).unwrap();
        use base64::Engine as _;
        serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(payload)
                .unwrap(),
        )
        .unwrap()
    };
    assert_eq!(
        claims["submods"]["device"]["ear.appraisal-policy-id"],
        "content"
    );

    // The raw token with the nonce in the query, the EAR as COSE_Sign1,
    // verified with the key of the discovery document.
    let nonce = challenge(&server).await;
    let r = send(
        client()
            .post(server.url(&format!("/v1/verify?nonce={}", b64url(&nonce))))
            .header("content-type", EAT_CWT)
            .header("accept", "application/eat+cwt")
            .body(pki::token(&nonce)),
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let jwk = send(client().get(server.url("/.well-known/veraison/verification")))
        .await
        .json()["ear-verification-key"]
        .clone();
    let mut sec1 = vec![4];
    sec1.extend(crate::common::unb64url(jwk["x"].as_str().unwrap()));
    sec1.extend(crate::common::unb64url(jwk["y"].as_str().unwrap()));
    let key = mtattest::crypto::PublicKey::from_sec1(
        mtattest::crypto::Curve::P256,
        &sec1,
        &mtattest::crypto::RustCrypto,
    )
    .unwrap();
    let result =
        AttestationResult::verify_signed(&r.body, &key, &mtattest::crypto::RustCrypto).unwrap();
    assert_eq!(result.nonce.as_deref(), Some(nonce.as_slice()));
}

#[tokio::test]
async fn a_challenge_is_used_once() {
    let config = Config::new("", "");
    let server = Server::start(&config.path);
    let nonce = challenge(&server).await;
    let body = || serde_json::json!({"token": b64(&pki::token(&nonce)), "nonce": b64(&nonce)});
    assert_eq!(verify_json(&server, body(), None).await.status, 200);
    // The same nonce again, even with a new token: refused.
    verify_json(&server, body(), None)
        .await
        .assert_problem(400, "server.unknown-challenge");
    // A nonce the service never issued.
    let own = [9_u8; 16];
    let body = serde_json::json!({"token": b64(&pki::token(&own)), "nonce": b64(&own)});
    verify_json(&server, body, None)
        .await
        .assert_problem(400, "server.unknown-challenge");
}

#[tokio::test]
async fn a_failed_verification_uses_the_challenge_up() {
    let config = Config::new("", "");
    let server = Server::start(&config.path);
    let nonce = challenge(&server).await;
    let mut token = pki::token(&nonce);
    let last = token.len() - 1;
    token[last] ^= 1;
    let body = serde_json::json!({"token": b64(&token), "nonce": b64(&nonce)});
    verify_json(&server, body, None)
        .await
        .assert_problem(400, "token.bad-signature");
    let body = serde_json::json!({"token": b64(&pki::token(&nonce)), "nonce": b64(&nonce)});
    verify_json(&server, body, None)
        .await
        .assert_problem(400, "server.unknown-challenge");
}

#[tokio::test]
async fn request_mistakes_do_not_use_the_challenge_up() {
    let config = Config::new("", "");
    let server = Server::start(&config.path);
    let nonce = challenge(&server).await;
    let token = b64(&pki::token(&nonce));
    let url = server.url("/v1/verify");
    verify_json(
        &server,
        serde_json::json!({"token": token, "nonce": b64(&nonce), "policy": "no-such"}),
        None,
    )
    .await
    .assert_problem(400, "config.unknown-policy");
    verify_json(
        &server,
        serde_json::json!({"token": token, "nonce": b64(&nonce), "extra": 1}),
        None,
    )
    .await
    .assert_problem(400, "server.bad-json");
    verify_json(
        &server,
        serde_json::json!({"token": "*", "nonce": b64(&nonce)}),
        None,
    )
    .await
    .assert_problem(400, "server.bad-token-encoding");
    verify_json(
        &server,
        serde_json::json!({"token": token, "nonce": "AQID"}),
        None,
    )
    .await
    .assert_problem(400, "server.bad-nonce");
    verify_json(
        &server,
        serde_json::json!({"token": token, "nonce": b64(&nonce)}),
        Some("text/html"),
    )
    .await
    .assert_problem(406, "server.not-acceptable");
    send(
        client()
            .post(&url)
            .header("content-type", "text/plain")
            .body("x"),
    )
    .await
    .assert_problem(415, "server.unsupported-media-type");
    send(
        client()
            .post(&url)
            .header("content-type", EAT_CWT)
            .body(vec![0xa0; 100]),
    )
    .await
    .assert_problem(400, "server.bad-nonce");
    send(
        client()
            .post(&url)
            .header("content-type", "application/json")
            .body(vec![b' '; 30_000]),
    )
    .await
    .assert_problem(413, "server.body-too-large");
    // The challenge is still there.
    let r = verify_json(
        &server,
        serde_json::json!({"token": token, "nonce": b64(&nonce)}),
        None,
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
}
