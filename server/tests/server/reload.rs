//! Reloading: a changed file takes effect, a broken one is refused and the
//! old configuration keeps serving; SIGHUP reloads at once; the EAR key
//! rotates with the old key still published.

use std::path::Path;
use std::time::Duration;

use crate::common::{
    client, eventually, new_session, pki, post_evidence, send, unb64, Config, Server,
};

fn other_root_pem() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../test-vectors/anchors/other-root.pem"
    );
    std::fs::read_to_string(path).expect("test-vectors/anchors/other-root.pem")
}

/// Replaces a file whole (write, then rename), as a deployment would.
fn replace(path: &Path, text: &str) {
    let tmp = path.with_extension("new");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

/// The status of a fresh session's evidence.
async fn verify_status(server: &Server) -> (u16, String) {
    let (path, session) = new_session(server, "").await;
    let token = pki::token(&unb64(session["nonce"].as_str().unwrap()));
    let r = post_evidence(server, &path, &token).await;
    let code = if r.status == 200 {
        String::new()
    } else {
        r.json()["code"].as_str().unwrap_or_default().to_string()
    };
    (r.status, code)
}

#[tokio::test]
async fn a_changed_anchors_file_takes_effect_and_a_broken_one_is_refused() {
    let config = Config::new("", "");
    config.write("reload-interval-secs = 1", "");
    replace(&config.file("root.pem"), &other_root_pem());
    let server = Server::start(&config.path);
    let (status, code) = verify_status(&server).await;
    assert_eq!(status, 400);
    assert!(code.starts_with("chain."), "{code}");

    replace(&config.file("root.pem"), &pki::root_pem());
    eventually(
        Duration::from_secs(10),
        "the new anchor in force",
        || async { verify_status(&server).await.0 == 200 },
    )
    .await;

    replace(
        &config.file("root.pem"),
        "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n",
    );
    eventually(
        Duration::from_secs(10),
        "the broken file refused",
        || async {
            server
                .logs()
                .iter()
                .any(|l| l.contains("configuration refused") && l.contains("chain.bad-anchor"))
        },
    )
    .await;
    assert_eq!(verify_status(&server).await, (200, String::new()));
    let metrics = String::from_utf8(send(client().get(server.url("/metrics"))).await.body).unwrap();
    assert!(
        metrics.contains("mtattest_config_reloads_total{result=\"refused\"}"),
        "{metrics}"
    );
}

#[tokio::test]
async fn sighup_reloads_at_once() {
    let config = Config::new("", "");
    let server = Server::start(&config.path);
    assert_eq!(verify_status(&server).await.0, 200);
    // Without the signal (the interval is 0 here) nothing changes.
    replace(&config.file("root.pem"), &other_root_pem());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(verify_status(&server).await.0, 200);
    server.signal("HUP");
    eventually(
        Duration::from_secs(10),
        "the reload after SIGHUP",
        || async { verify_status(&server).await.0 == 400 },
    )
    .await;
}

#[tokio::test]
async fn the_ear_key_rotates_with_the_old_one_still_published() {
    let config = Config::new("", "");
    std::fs::write(config.file("ear-key-2.pem"), pki::other_ear_key_pem()).unwrap();
    let server = Server::start(&config.path);
    let discovery = || async {
        send(client().get(server.url("/.well-known/veraison/verification")))
            .await
            .json()
    };
    let before = discovery().await;
    let old_kid = before["ear-verification-key"]["kid"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        before["ear-verification-keys"]["keys"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Rotate: the new key signs, the old one stays published.
    let text = std::fs::read_to_string(&config.path).unwrap().replace(
        "signing-key = \"ear-key.pem\"",
        "signing-key = \"ear-key-2.pem\"\nprevious-keys = [\"ear-key.pem\"]",
    );
    replace(&config.path, &text);
    server.signal("HUP");
    eventually(
        Duration::from_secs(10),
        "the new key in discovery",
        || async { discovery().await["ear-verification-key"]["kid"] != old_kid.as_str() },
    )
    .await;
    let after = discovery().await;
    let keys = after["ear-verification-keys"]["keys"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0], after["ear-verification-key"]);
    assert_eq!(keys[1]["kid"], old_kid.as_str());
    assert!(keys.iter().all(|k| k.get("d").is_none()));

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
    assert_eq!(header["kid"], after["ear-verification-key"]["kid"]);
}
