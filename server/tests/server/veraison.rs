//! The Veraison challenge-response API v1, as Veraison's clients use it,
//! against the memory store and against Redis.

use std::time::Duration;

use serde_json::Value;

use crate::common::{
    b64, b64url, client, new_session, pki, post_evidence, send, unb64, Config, Redis, Server,
    EAT_CWT, SESSION_JSON,
};

fn memory() -> (Config, Server) {
    let config = Config::new("", "");
    let server = Server::start(&config.path);
    (config, server)
}

fn with_redis() -> (Redis, Config, Server) {
    let redis = Redis::start();
    let config = Config::new(&format!("store = {:?}", redis.url()), "");
    let server = Server::start(&config.path);
    (redis, config, server)
}

/// The session JSON Veraison's clients read.
#[track_caller]
fn assert_session(session: &Value, status: &str) {
    assert_eq!(session["status"], status, "{session}");
    let nonce = session["nonce"].as_str().expect("a nonce");
    assert!(!nonce.contains(['-', '_']), "standard alphabet: {nonce}");
    unb64(nonce);
    let expiry = session["expiry"].as_str().expect("an expiry");
    assert!(expiry.ends_with('Z') && expiry.contains('T'), "{expiry}");
    assert_eq!(session["accept"][0], EAT_CWT);
}

async fn flow_with_a_server_nonce(server: &Server) {
    let (path, session) = new_session(server, "nonceSize=32").await;
    assert!(
        path.starts_with("/challenge-response/v1/session/"),
        "{path}"
    );
    assert_session(&session, "waiting");
    let nonce = unb64(session["nonce"].as_str().unwrap());
    assert_eq!(nonce.len(), 32);

    let token = pki::token(&nonce);
    let r = post_evidence(server, &path, &token).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.header("content-type").as_deref(), Some(SESSION_JSON));
    let done = r.json();
    assert_session(&done, "complete");
    assert_eq!(done["evidence"]["type"], EAT_CWT);
    assert_eq!(unb64(done["evidence"]["value"].as_str().unwrap()), token);
    let jwt = done["result"].as_str().expect("result is a JWT string");
    assert_eq!(jwt.split('.').count(), 3);

    // GET shows the same completed session.
    let r = send(client().get(server.url(&path))).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), done);
}

#[tokio::test]
async fn a_session_with_a_server_nonce_memory() {
    let (_config, server) = memory();
    flow_with_a_server_nonce(&server).await;
}

#[tokio::test]
async fn a_session_with_a_server_nonce_redis() {
    let (_redis, _config, server) = with_redis();
    flow_with_a_server_nonce(&server).await;
}

async fn flow_with_a_caller_nonce(server: &Server) {
    // Veraison's Go client sends the nonce as unpadded base64url.
    // (A second token for the same nonce would be a replay: one nonce
    // per session here.)
    let first = [0xfb_u8, 0xff, 0xbf, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    let second = [0xfb_u8, 0xff, 0xbf, 9, 8, 7, 6, 5, 4, 3, 2, 1];
    for (nonce, query) in [
        (first, format!("nonce={}", b64url(&first))),
        (
            second,
            format!(
                "nonce={}",
                b64(&second).replace('+', "%2B").replace('/', "%2F")
            ),
        ),
    ] {
        let (path, session) = new_session(server, &query).await;
        assert_eq!(session["nonce"], b64(&nonce), "{query}");
        let r = post_evidence(server, &path, &pki::token(&nonce)).await;
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    }
}

#[tokio::test]
async fn a_session_with_a_caller_nonce_memory() {
    let (_config, server) = memory();
    flow_with_a_caller_nonce(&server).await;
}

#[tokio::test]
async fn a_session_with_a_caller_nonce_redis() {
    let (_redis, _config, server) = with_redis();
    flow_with_a_caller_nonce(&server).await;
}

#[tokio::test]
async fn new_session_as_veraisons_clients_send_it() {
    let (_config, server) = memory();
    // `newSession?` with an empty query, no body, no Content-Type, no
    // Content-Length: 201 and a 32-byte nonce.
    let url = server.url("/challenge-response/v1/newSession?");
    let r = send(client().post(&url).header("accept", SESSION_JSON)).await;
    assert_eq!(r.status, 201);
    assert_session(&r.json(), "waiting");
    assert_eq!(unb64(r.json()["nonce"].as_str().unwrap()).len(), 32);
    // A relative Location the client resolves against the request URL.
    let location = r.header("location").unwrap();
    assert!(location.starts_with("/challenge-response/v1/session/"));
    for size in [8, 64] {
        let (_, s) = new_session(&server, &format!("nonceSize={size}")).await;
        assert_eq!(unb64(s["nonce"].as_str().unwrap()).len(), size);
    }
}

#[tokio::test]
async fn new_session_refusals() {
    let (_config, server) = memory();
    let post =
        |q: &str| client().post(server.url(&format!("/challenge-response/v1/newSession?{q}")));
    let nonce = b64url(&[7; 16]);
    send(post(&format!("nonce={nonce}&nonceSize=16")))
        .await
        .assert_problem(400, "server.nonce-and-size");
    for bad in ["nonceSize=7", "nonceSize=65", "nonceSize=x", "nonceSize="] {
        send(post(bad))
            .await
            .assert_problem(400, "server.bad-nonce-size");
    }
    for bad in [
        "nonce=AQIDBAUGBw",
        "nonce=*",
        "nonce=",
        &format!("nonce={}", b64url(&[1; 65])),
    ] {
        send(post(bad))
            .await
            .assert_problem(400, "server.bad-nonce");
    }
    send(post("size=8"))
        .await
        .assert_problem(400, "server.bad-query");
    send(post("nonceSize=8&nonceSize=9"))
        .await
        .assert_problem(400, "server.bad-query");
    send(post("").header("accept", "text/html"))
        .await
        .assert_problem(406, "server.not-acceptable");
}

#[tokio::test]
async fn evidence_refusals_leave_the_session_waiting() {
    let (_config, server) = memory();
    let (path, session) = new_session(&server, "").await;
    let nonce = unb64(session["nonce"].as_str().unwrap());
    let token = pki::token(&nonce);

    // Wrong media type: 415 and the accepted types in Accept.
    let r = send(
        client()
            .post(server.url(&path))
            .header("content-type", "application/psa-attestation-token")
            .body(token.clone()),
    )
    .await;
    r.assert_problem(415, "server.unsupported-media-type");
    let accept = r.header("accept").expect("an Accept header");
    assert!(accept.contains(EAT_CWT), "{accept}");
    let r = send(client().post(server.url(&path)).body(token.clone())).await;
    r.assert_problem(415, "server.unsupported-media-type");
    // Another profile is another media type.
    send(
        client()
            .post(server.url(&path))
            .header(
                "content-type",
                "application/eat+cwt; eat_profile=\"tag:example.com,2026:x\"",
            )
            .body(token.clone()),
    )
    .await
    .assert_problem(415, "server.unsupported-media-type");
    // Empty body.
    send(
        client()
            .post(server.url(&path))
            .header("content-type", EAT_CWT),
    )
    .await
    .assert_problem(400, "server.empty-body");
    // Larger than the token limit (16 384 bytes).
    send(
        client()
            .post(server.url(&path))
            .header("content-type", EAT_CWT)
            .body(vec![0xa0; 16_385]),
    )
    .await
    .assert_problem(413, "server.body-too-large");
    // Not acceptable.
    send(
        client()
            .post(server.url(&path))
            .header("content-type", EAT_CWT)
            .header("accept", "text/html")
            .body(token.clone()),
    )
    .await
    .assert_problem(406, "server.not-acceptable");

    // None of these used the session up.
    let r = send(client().get(server.url(&path))).await;
    assert_eq!(r.json()["status"], "waiting");
    // The bare media type is accepted too.
    let r = send(
        client()
            .post(server.url(&path))
            .header("content-type", "application/eat+cwt")
            .body(token),
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
}

#[tokio::test]
async fn evidence_is_accepted_once_per_session() {
    let (_config, server) = memory();
    let (path, session) = new_session(&server, "").await;
    let nonce = unb64(session["nonce"].as_str().unwrap());
    let token = pki::token(&nonce);
    assert_eq!(post_evidence(&server, &path, &token).await.status, 200);
    post_evidence(&server, &path, &token)
        .await
        .assert_problem(409, "server.session-used");
    // Also with another, valid token for the same nonce.
    post_evidence(&server, &path, &pki::token(&nonce))
        .await
        .assert_problem(409, "server.session-used");
}

#[tokio::test]
async fn a_token_for_another_sessions_nonce_fails_the_session() {
    let (_config, server) = memory();
    let (path_a, _) = new_session(&server, "").await;
    let (_, session_b) = new_session(&server, "").await;
    let nonce_b = unb64(session_b["nonce"].as_str().unwrap());
    let r = post_evidence(&server, &path_a, &pki::token(&nonce_b)).await;
    r.assert_problem(400, "freshness.nonce-mismatch");
    let r = send(client().get(server.url(&path_a))).await;
    let failed = r.json();
    assert_eq!(failed["status"], "failed");
    assert_eq!(failed["error"]["code"], "freshness.nonce-mismatch");
    assert!(failed.get("result").is_none());
    // The session is used up: its own nonce's token is refused too.
    let nonce_a = unb64(failed["nonce"].as_str().unwrap());
    post_evidence(&server, &path_a, &pki::token(&nonce_a))
        .await
        .assert_problem(409, "server.session-used");
}

#[tokio::test]
async fn a_tampered_token_is_refused_with_the_librarys_code() {
    let (_config, server) = memory();
    let (path, session) = new_session(&server, "").await;
    let mut token = pki::token(&unb64(session["nonce"].as_str().unwrap()));
    let last = token.len() - 1;
    token[last] ^= 1;
    post_evidence(&server, &path, &token)
        .await
        .assert_problem(400, "token.bad-signature");
}

async fn replayed_token(server: &Server) {
    // Two sessions with the same caller nonce: the first token completes
    // the first; the same token is a replay at the second.
    let nonce = [0x42_u8; 24];
    let (first, _) = new_session(server, &format!("nonce={}", b64url(&nonce))).await;
    let (second, _) = new_session(server, &format!("nonce={}", b64url(&nonce))).await;
    let token = pki::token(&nonce);
    assert_eq!(post_evidence(server, &first, &token).await.status, 200);
    post_evidence(server, &second, &token)
        .await
        .assert_problem(400, "replay.seen");
}

#[tokio::test]
async fn a_replayed_token_is_refused_memory() {
    let (_config, server) = memory();
    replayed_token(&server).await;
}

#[tokio::test]
async fn a_replayed_token_is_refused_redis() {
    let (_redis, _config, server) = with_redis();
    replayed_token(&server).await;
}

async fn deleted_and_expired(server: &Server) {
    let (path, session) = new_session(server, "").await;
    let token = pki::token(&unb64(session["nonce"].as_str().unwrap()));
    let r = send(client().delete(server.url(&path))).await;
    assert_eq!(r.status, 204);
    send(client().delete(server.url(&path)))
        .await
        .assert_problem(404, "server.session-not-found");
    send(client().get(server.url(&path)))
        .await
        .assert_problem(404, "server.session-not-found");
    post_evidence(server, &path, &token)
        .await
        .assert_problem(404, "server.session-not-found");

    // Sessions live 1 s here.
    let (path, session) = new_session(server, "").await;
    let token = pki::token(&unb64(session["nonce"].as_str().unwrap()));
    tokio::time::sleep(Duration::from_millis(1_300)).await;
    post_evidence(server, &path, &token)
        .await
        .assert_problem(404, "server.session-not-found");
    send(client().get(server.url(&path)))
        .await
        .assert_problem(404, "server.session-not-found");
}

#[tokio::test]
async fn deleted_and_expired_sessions_memory() {
    let config = Config::new("session-lifetime-secs = 1", "");
    let server = Server::start(&config.path);
    deleted_and_expired(&server).await;
}

#[tokio::test]
async fn deleted_and_expired_sessions_redis() {
    let redis = Redis::start();
    let config = Config::new(
        &format!("store = {:?}\nsession-lifetime-secs = 1", redis.url()),
        "",
    );
    let server = Server::start(&config.path);
    deleted_and_expired(&server).await;
}

#[tokio::test]
async fn malformed_ids_unknown_paths_and_methods() {
    let (_config, server) = memory();
    for id in ["1234567890", "8D5B6B3E-2F0A-4C55-9F0E-0C8A1F4C2B11", "x"] {
        send(client().get(server.url(&format!("/challenge-response/v1/session/{id}"))))
            .await
            .assert_problem(400, "server.bad-session-id");
    }
    send(
        client()
            .get(server.url("/challenge-response/v1/session/8d5b6b3e-2f0a-4c55-9f0e-0c8a1f4c2b11")),
    )
    .await
    .assert_problem(404, "server.session-not-found");
    send(client().get(server.url("/no/such/path")))
        .await
        .assert_problem(404, "server.not-found");
    send(client().put(server.url("/challenge-response/v1/newSession")))
        .await
        .assert_problem(405, "server.method-not-allowed");
}

#[tokio::test]
async fn cmw_wrapped_evidence() {
    let (_config, server) = memory();
    for (content_type, wrap) in [
        ("application/cmw+json", cmw_json as fn(&[u8]) -> Vec<u8>),
        ("application/cmw+cbor", cmw_cbor),
    ] {
        let (path, session) = new_session(&server, "").await;
        let token = pki::token(&unb64(session["nonce"].as_str().unwrap()));
        let r = send(
            client()
                .post(server.url(&path))
                .header("content-type", content_type)
                .body(wrap(&token)),
        )
        .await;
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        assert_eq!(r.json()["evidence"]["type"], content_type);
    }
    let (path, _) = new_session(&server, "").await;
    send(
        client()
            .post(server.url(&path))
            .header("content-type", "application/cmw+json")
            .body(r#"["application/psa-attestation-token", "AAAA"]"#),
    )
    .await
    .assert_problem(400, "server.bad-cmw");
}

fn cmw_json(token: &[u8]) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!([EAT_CWT, b64url(token)])).unwrap()
}

fn cmw_cbor(token: &[u8]) -> Vec<u8> {
    let record = ciborium::Value::Array(vec![
        ciborium::Value::Text("application/eat+cwt".into()),
        ciborium::Value::Bytes(token.to_vec()),
    ]);
    let mut out = Vec::new();
    ciborium::into_writer(&record, &mut out).unwrap();
    out
}

#[tokio::test]
async fn discovery_has_what_veraisons_clients_need() {
    let (_config, server) = memory();
    let r = send(client().get(server.url("/.well-known/veraison/verification"))).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/vnd.veraison.discovery+json")
    );
    let d = r.json();
    for member in [
        "ear-verification-key",
        "media-types",
        "version",
        "service-state",
        "api-endpoints",
    ] {
        assert!(d.get(member).is_some(), "{member}: {d}");
    }
    assert_eq!(d["service-state"], "READY");
    let key = &d["ear-verification-key"];
    assert_eq!(
        (&key["kty"], &key["crv"], &key["alg"]),
        (&"EC".into(), &"P-256".into(), &"ES256".into())
    );
    assert!(key.get("d").is_none(), "no private part: {key}");
    assert_eq!(
        d["api-endpoints"]["newChallengeResponseSession"],
        "/challenge-response/v1/newSession"
    );
    assert_eq!(d["media-types"][0], EAT_CWT);
}
