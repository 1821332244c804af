//! `mtattest pki DIR` writes revocation data for its test PKI: a second
//! device, and a CRL and a status list, dated now, that revoke it. With
//! them `verify` refuses the second device (`chain.revoked`) and accepts
//! the first.
#![cfg(feature = "testkit")]

use std::path::Path;
use std::process::{Command, Output};
use std::time::{SystemTime, UNIX_EPOCH};

use mtattest_testkit::example_phone;
use serde_json::Value;

fn mtattest(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mtattest"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the mtattest binary runs")
}

fn verify(dir: &Path, token: &str, extra: &[&str]) -> (Option<i32>, Value) {
    let mut args = vec!["verify", token, "--anchors", "pki/root.pem", "--json"];
    args.extend_from_slice(extra);
    let out = mtattest(dir, &args);
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {out:?}"));
    (out.status.code(), json)
}

#[test]
fn the_revocation_data_refuses_the_second_device_and_accepts_the_first() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let dir = dir.path();
    let before = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    let out = mtattest(dir, &["pki", "pki"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    for file in [
        "device2.der",
        "device2.pem",
        "device2.key.pem",
        "chain2.pem",
        "crl.pem",
        "status-list.json",
    ] {
        assert!(dir.join("pki").join(file).is_file(), "{file} is missing");
    }
    let list: Value = serde_json::from_slice(
        &std::fs::read(dir.join("pki/status-list.json")).expect("the status list"),
    )
    .expect("JSON");
    assert_eq!(list["entries"]["3004"]["status"], "REVOKED");

    let claims = example_phone(0, [0x5a; 32]).to_json();
    std::fs::write(dir.join("claims.json"), claims.to_string()).expect("claims");
    for (device, chain, token) in [
        ("pki/device.key.pem", "pki/chain.pem", "one.cbor"),
        ("pki/device2.key.pem", "pki/chain2.pem", "two.cbor"),
    ] {
        let out = mtattest(
            dir,
            &[
                "issue",
                "--claims",
                "claims.json",
                "--key",
                device,
                "--chain",
                chain,
                "--now",
                "--out",
                token,
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{out:?}");
    }

    // Without revocation data both devices verify (valid, nothing
    // appraised): the data is what refuses the second.
    assert_eq!(verify(dir, "two.cbor", &[]).0, Some(5));
    for data in [
        ["--crl", "pki/crl.pem"],
        ["--status-list", "pki/status-list.json"],
    ] {
        let (code, json) = verify(dir, "one.cbor", &data);
        assert_eq!(code, Some(5), "{data:?}: {json}");
        assert_eq!(json["status"], "none");
        let (code, json) = verify(dir, "two.cbor", &data);
        assert_eq!(code, Some(4), "{data:?}: {json}");
        assert_eq!(json["error"]["code"], "chain.revoked", "{data:?}");
    }

    // The CRL is dated now (thisUpdate no earlier than the run): verified
    // a day before the run, it is not valid yet.
    let day_before = (before - 86_400).to_string();
    let (code, json) = verify(
        dir,
        "one.cbor",
        &["--crl", "pki/crl.pem", "--at", &day_before],
    );
    assert_eq!(code, Some(4), "{json}");
    assert_eq!(json["error"]["code"], "chain.crl-not-yet-valid");
}
