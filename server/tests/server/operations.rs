//! Operations: health, readiness, metrics, request ids, a caught panic,
//! the time limit, graceful shutdown, the ES384 option, `--check-config`
//! and the demo configuration.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::Duration;

use crate::common::{
    client, new_session, pki, post_evidence, send, unb64, Config, Server, EAT_CWT,
};

#[tokio::test]
async fn health_readiness_metrics_and_request_ids() {
    let config = Config::new("", "");
    let server = Server::start(&config.path);
    let r = send(client().get(server.url("/healthz"))).await;
    assert_eq!((r.status, r.json()["status"].as_str()), (200, Some("ok")));
    let r = send(client().get(server.url("/readyz"))).await;
    assert_eq!(
        (r.status, r.json()["status"].as_str()),
        (200, Some("ready"))
    );

    let (path, session) = new_session(&server, "").await;
    let token = pki::token(&unb64(session["nonce"].as_str().unwrap()));
    assert_eq!(post_evidence(&server, &path, &token).await.status, 200);
    post_evidence(&server, &path, &token).await;
    let (path, _) = new_session(&server, "").await;
    post_evidence(&server, &path, &token).await;

    let r = send(client().get(server.url("/metrics"))).await;
    assert_eq!(r.status, 200);
    let text = String::from_utf8(r.body).unwrap();
    for line in [
        "mtattest_verifications_total{api=\"veraison\",status=\"affirming\",code=\"\"} 1",
        "mtattest_verifications_total{api=\"veraison\",status=\"refused\",code=\"freshness.nonce-mismatch\"} 1",
        "mtattest_sessions_live 2",
        "mtattest_http_responses_total{status=\"409\"} 1",
        "mtattest_verification_duration_seconds_bucket{api=\"veraison\",le=\"1\"} 2",
    ] {
        assert!(text.contains(line), "{line} in:\n{text}");
    }

    let r = send(
        client()
            .get(server.url("/healthz"))
            .header("x-request-id", "req-7"),
    )
    .await;
    assert_eq!(r.header("x-request-id").as_deref(), Some("req-7"));
    let r = send(client().get(server.url("/healthz"))).await;
    assert_eq!(r.header("x-request-id").map(|v| v.len()), Some(36));
    assert!(server.logs().iter().any(|l| l.contains("req-7")));
}

#[tokio::test]
async fn a_panic_in_a_handler_is_answered_500_and_the_service_goes_on() {
    use axum::routing::get;
    use mtattest::appraisal::MemoryReplayCache;
    use mtattest_server::{app::App, config, routes, store::MemoryStore};

    let config = Config::new("", "");
    let loaded = config::load(&config.path).unwrap();
    let app = App::new(
        MemoryStore::new(MemoryReplayCache::new(100)),
        loaded,
        None,
        None,
    );
    let router = routes::with_layers(
        routes::routes().route(
            "/panic",
            get(|| async {
                let v: Vec<u8> = Vec::new();
                #[allow(clippy::indexing_slicing)]
                let _ = v[1];
            }),
        ),
        app,
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let served = tokio::spawn(async move { axum::serve(listener, router).await });
    send(client().get(format!("{base}/panic")))
        .await
        .assert_problem(500, "server.internal");
    assert_eq!(
        send(client().get(format!("{base}/healthz"))).await.status,
        200
    );
    served.abort();
}

/// Sends a request's head and `first` bytes of its body over a raw
/// connection, leaving the rest of a `total`-byte body unsent.
fn partial_request(server: &Server, path: &str, total: usize, first: &[u8]) -> TcpStream {
    let addr = server.base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: {EAT_CWT}\r\nContent-Length: {total}\r\n\r\n"
    )
    .unwrap();
    stream.write_all(first).unwrap();
    stream.flush().unwrap();
    stream
}

fn read_status(stream: &mut TcpStream) -> (u16, String) {
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut text = Vec::new();
    let mut buf = [0; 4096];
    // Read until the body's end or the connection's close.
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                text.extend_from_slice(&buf[..n]);
                let t = String::from_utf8_lossy(&text);
                if let Some(end) = t.find("\r\n\r\n") {
                    let len = t[..end]
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length: ")
                                .map(str::to_string)
                        })
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    if text.len() >= end + 4 + len {
                        break;
                    }
                }
            }
            Err(e) => panic!("reading the response: {e}"),
        }
    }
    let t = String::from_utf8_lossy(&text).to_string();
    let status = t
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, t)
}

#[tokio::test]
async fn graceful_shutdown_finishes_the_request_in_flight() {
    let config = Config::new("", "");
    let mut server = Server::start(&config.path);
    let (path, session) = new_session(&server, "").await;
    let token = pki::token(&unb64(session["nonce"].as_str().unwrap()));
    let (head, rest) = token.split_at(token.len() / 2);
    let mut stream = partial_request(&server, &path, token.len(), head);
    std::thread::sleep(Duration::from_millis(200));
    server.signal("TERM");
    std::thread::sleep(Duration::from_millis(300));
    stream.write_all(rest).unwrap();
    let (status, text) = read_status(&mut stream);
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("\"status\":\"complete\""), "{text}");
    assert!(server.wait_exit(Duration::from_secs(10)));
}

#[tokio::test]
async fn a_request_over_the_time_limit_is_answered_503() {
    let config = Config::new("request-timeout-secs = 1", "");
    let server = Server::start(&config.path);
    let (path, _) = new_session(&server, "").await;
    let mut stream = partial_request(&server, &path, 1000, &[0xd2; 10]);
    let (status, text) = read_status(&mut stream);
    assert_eq!(status, 503, "{text}");
    assert!(text.contains("server.timeout"), "{text}");
    // The session was not used up.
    let r = send(client().get(server.url(&path))).await;
    assert_eq!(r.json()["status"], "waiting");
}

#[tokio::test]
async fn es384_results_by_configuration() {
    let config = Config::new("", "");
    std::fs::write(config.file("ear-key.pem"), pki::p384_ear_key_pem()).unwrap();
    let server = Server::start(&config.path);
    let d = send(client().get(server.url("/.well-known/veraison/verification")))
        .await
        .json();
    assert_eq!(d["ear-verification-key"]["crv"], "P-384");
    assert_eq!(d["ear-verification-key"]["alg"], "ES384");
    let (path, session) = new_session(&server, "").await;
    let r = post_evidence(
        &server,
        &path,
        &pki::token(&unb64(session["nonce"].as_str().unwrap())),
    )
    .await;
    let jwt = r.json()["result"].as_str().unwrap().to_string();
    let header: serde_json::Value =
        serde_json::from_slice(&crate::common::unb64url(jwt.split('.').next().unwrap())).unwrap();
    assert_eq!(header["alg"], "ES384");
}

fn check_config(args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mtattest-server"))
        .args(args)
        .arg("--check-config")
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn check_config_says_what_is_wrong() {
    let config = Config::new("", "");
    let path = config.path.to_str().unwrap();
    let (ok, text) = check_config(&["--config", path]);
    assert!(ok, "{text}");
    assert!(
        text.contains("configuration OK") && text.contains("ES256"),
        "{text}"
    );
    let (ok, text) = check_config(&["--demo"]);
    assert!(ok, "{text}");

    for (server, verifier, code) in [
        ("listen = \"localhost\"", "", "config.bad-value"),
        ("store = \"postgres://x\"", "", "config.bad-value"),
        ("unknown = 1", "", "config.syntax"),
        ("session-lifetime-secs = 0", "", "config.bad-value"),
        ("store-prefix = \"{x}\"", "", "config.bad-value"),
        ("", "max-age-secs = \"x\"", "config.syntax"),
        ("", "default-policy = \"nope\"", "config.unknown-policy"),
    ] {
        config.write(server, verifier);
        let (ok, text) = check_config(&["--config", path]);
        assert!(!ok && text.contains(code), "{server} {verifier}: {text}");
    }
    config.write("", "");
    std::fs::write(config.file("ear-key.pem"), "not a key").unwrap();
    let (ok, text) = check_config(&["--config", path]);
    assert!(!ok && text.contains("server.ear.signing-key"), "{text}");
    std::fs::remove_file(config.file("ear-key.pem")).unwrap();
    let (ok, text) = check_config(&["--config", path]);
    assert!(!ok && text.contains("config.unreadable"), "{text}");
}

/// The demo's files are the test PKI's root and the demo EAR key
/// (`MTATTEST_WRITE_DEMO=1` rewrites them).
#[test]
fn the_demo_uses_the_test_pki() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo/");
    for (name, expected) in [
        ("root.pem", pki::root_pem()),
        ("ear-signing-key.pem", pki::ear_key_pem()),
    ] {
        let path = format!("{dir}{name}");
        if std::env::var_os("MTATTEST_WRITE_DEMO").is_some() {
            std::fs::write(&path, &expected).unwrap();
        }
        assert_eq!(std::fs::read_to_string(&path).unwrap(), expected, "{path}");
    }
}
