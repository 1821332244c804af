//! `issue --now`, `--ttl SECS` and `--random-cti` stamp the token at issue
//! time, so it verifies without `--at`.

use std::process::{Command, Output};
use std::time::{SystemTime, UNIX_EPOCH};

use mtattest_testkit::example_phone;
use mtattest_testkit::pki::TestPki;
use serde_json::Value;

/// 2026-01-01T00:00:00Z, the claims file's iat; its exp is 300 s later.
const FILE_IAT: i64 = 1_767_225_600;
const FILE_EXP: i64 = FILE_IAT + 300;
/// The cti of the claims file.
const FILE_CTI: &str = "00112233445566778899aabbccddeeff";

fn mtattest(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mtattest"))
        .args(args)
        .output()
        .expect("the mtattest binary runs")
}

fn system_now() -> i64 {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    i64::try_from(secs).expect("in range")
}

struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().expect("a temporary directory");
        TestPki::standard()
            .expect("the test PKI")
            .write_to_dir(&dir.path().join("pki"))
            .expect("the test PKI's files");
        let mut claims = example_phone(FILE_IAT, [0x5a; 32]).to_json();
        claims["exp"] = FILE_EXP.into();
        claims["cti"] = FILE_CTI.into();
        std::fs::write(dir.path().join("claims.json"), claims.to_string()).expect("claims");
        Fixture { dir }
    }

    fn s(&self, name: &str) -> String {
        self.dir.path().join(name).to_string_lossy().into_owned()
    }

    /// Issues `out` with `extra` flags; returns the exit and stderr.
    fn issue(&self, out: &str, extra: &[&str]) -> Output {
        let (claims, key, chain, out) = (
            self.s("claims.json"),
            self.s("pki/device.key.pem"),
            self.s("pki/chain.pem"),
            self.s(out),
        );
        let mut args = vec![
            "issue", "--claims", &claims, "--key", &key, "--chain", &chain, "--out", &out,
        ];
        args.extend_from_slice(extra);
        mtattest(&args)
    }

    /// The claims of a token as `inspect --json` reads them.
    fn claims_of(&self, token: &str) -> Value {
        let out = mtattest(&["inspect", "--json", &self.s(token)]);
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        let json: Value = serde_json::from_slice(&out.stdout).expect("inspect JSON");
        json["claims"].clone()
    }

    /// `verify` at this machine's time (no --at), the file's nonce.
    fn verify_now(&self, token: &str) -> Output {
        mtattest(&[
            "verify",
            &self.s(token),
            "--anchors",
            &self.s("pki/root.pem"),
            "--nonce",
            &"5a".repeat(32),
            "--json",
        ])
    }
}

#[test]
fn now_ttl_and_random_cti_stamp_the_token_at_issue_time() {
    let fx = Fixture::new();
    let before = system_now();
    let out = fx.issue("a.cbor", &["--now", "--ttl", "120", "--random-cti"]);
    let after = system_now();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let claims = fx.claims_of("a.cbor");
    let iat = claims["iat"].as_i64().expect("iat");
    assert!(
        (before..=after).contains(&iat),
        "{before} <= {iat} <= {after}"
    );
    assert_eq!(claims["exp"].as_i64(), Some(iat + 120));
    let cti = claims["cti"].as_str().expect("cti");
    assert_eq!(cti.len(), 32, "16 bytes in hex: {cti}");
    assert_ne!(cti, FILE_CTI);
    // Random: another issuance has another cti.
    assert_eq!(
        fx.issue("b.cbor", &["--now", "--random-cti"]).status.code(),
        Some(0)
    );
    assert_ne!(fx.claims_of("b.cbor")["cti"].as_str(), Some(cti));

    // Verifies at this machine's time, without --at: valid, nothing
    // appraised (exit 5).
    let out = fx.verify_now("a.cbor");
    assert_eq!(out.status.code(), Some(5), "{out:?}");
}

#[test]
fn now_keeps_the_lifetime_of_the_claims() {
    let fx = Fixture::new();
    assert_eq!(fx.issue("t.cbor", &["--now"]).status.code(), Some(0));
    let claims = fx.claims_of("t.cbor");
    let iat = claims["iat"].as_i64().expect("iat");
    assert_eq!(claims["exp"].as_i64(), Some(iat + 300));
    // The cti is the file's without --random-cti.
    assert_eq!(claims["cti"], FILE_CTI);
    assert_eq!(fx.verify_now("t.cbor").status.code(), Some(5));
}

#[test]
fn without_now_the_claims_times_stay_and_the_token_is_stale() {
    let fx = Fixture::new();
    assert_eq!(fx.issue("old.cbor", &[]).status.code(), Some(0));
    let claims = fx.claims_of("old.cbor");
    assert_eq!(claims["iat"].as_i64(), Some(FILE_IAT));
    assert_eq!(claims["exp"].as_i64(), Some(FILE_EXP));
    let out = fx.verify_now("old.cbor");
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    let json: Value = serde_json::from_slice(&out.stdout).expect("error JSON");
    assert_eq!(json["error"]["code"], "freshness.stale");

    // --ttl alone counts from the file's iat.
    assert_eq!(
        fx.issue("ttl.cbor", &["--ttl", "60"]).status.code(),
        Some(0)
    );
    assert_eq!(
        fx.claims_of("ttl.cbor")["exp"].as_i64(),
        Some(FILE_IAT + 60)
    );
}

#[test]
fn a_ttl_of_zero_is_refused() {
    let fx = Fixture::new();
    let out = fx.issue("zero.cbor", &["--now", "--ttl", "0"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--ttl 0"), "{stderr}");
}
