//! `verify --json` prints one document (a flat summary, the EAR, the
//! verified claims), `--claims` shows the verified claims as text, usage
//! and input errors with `--json` are JSON on stdout too, and the nonce is
//! hex in and out.

use std::path::PathBuf;
use std::process::{Command, Output};

use mtattest_testkit::example_phone;
use mtattest_testkit::pki::TestPki;
use serde_json::{json, Value};

/// 2026-01-01T00:00:00Z, the claims' iat.
const IAT: i64 = 1_767_225_600;
const AT: &str = "1767225700";
const NONCE_HEX: &str = "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a";
/// The example phone's app signer digest.
const SIGNER: &str = "4cfb7423dafebc728227283ce04b8eb77f132ecbbd4eaa1e0bd9a7366dcde4b7";

struct Fixture {
    dir: tempfile::TempDir,
    /// The claims as issued: what `claims` must show after verification.
    claims: Value,
}

impl Fixture {
    /// The test PKI and a token of the example phone whose OS patch level
    /// is a year old (a warning under the payment preset).
    fn new() -> Fixture {
        let dir = tempfile::tempdir().expect("a temporary directory");
        TestPki::standard()
            .expect("the test PKI")
            .write_to_dir(&dir.path().join("pki"))
            .expect("the test PKI's files");
        let mut claims = example_phone(IAT, [0x5a; 32]).to_json();
        claims["submods"]["os"]["os-patch-level"] = 20250101.into();
        let fx = Fixture { dir, claims };
        std::fs::write(fx.path("claims.json"), fx.claims.to_string()).expect("claims");
        let out = mtattest(&[
            "issue",
            "--claims",
            &fx.s("claims.json"),
            "--key",
            &fx.s("pki/device.key.pem"),
            "--chain",
            &fx.s("pki/chain.pem"),
            "--out",
            &fx.s("token.cbor"),
        ]);
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        fx
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn s(&self, name: &str) -> String {
        self.path(name).to_string_lossy().into_owned()
    }

    fn verify(&self, extra: &[&str]) -> Output {
        let (token, root) = (self.s("token.cbor"), self.s("pki/root.pem"));
        let mut args = vec!["verify", &token, "--anchors", &root, "--at", AT];
        args.extend_from_slice(extra);
        mtattest(&args)
    }
}

fn mtattest(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mtattest"))
        .args(args)
        .output()
        .expect("the mtattest binary runs")
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn json_is_one_document_with_a_flat_summary_the_ear_and_the_verified_claims() {
    let fx = Fixture::new();
    let out = fx.verify(&[
        "--nonce",
        NONCE_HEX,
        "--policy",
        "payment",
        "--app-signer",
        SIGNER,
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let document = json(&out);
    assert_eq!(document["status"], "warning");
    assert_eq!(document["action"], "step-up");
    assert_eq!(document["policy"], "payment");
    // The EAR says the same.
    assert_eq!(document["ear"]["ear.status"], "warning");
    assert_eq!(document["ear"]["mtattest.action"], "step-up");
    // The verified claims: exactly what was issued (spec §12 form).
    assert_eq!(document["claims"], fx.claims);
    assert_eq!(document["claims"]["eat-nonce"], NONCE_HEX);
    // No Android attestation behind this token.
    assert!(document.get("android").is_none(), "{document}");

    let reasons = document["reasons"].as_array().expect("a reasons array");
    let patch = reasons
        .iter()
        .find(|r| r["claim"] == "submods.os.os-patch-level")
        .expect("a reason about the OS patch level");
    assert_eq!(patch["status"], "warning");
    // 2025-01-01 is 365 days before the verification time.
    assert_eq!(patch["seen"], "2025-01-01 (365 days old)");
    assert_eq!(patch["rule"], "os-patch");
    // The payment preset: at most 90 days before 2026-01-01.
    assert_eq!(
        patch["required"],
        "at most 90 days old (on or after 2025-10-03)"
    );
    assert_eq!(patch["evidence-source"], "kernel");
    assert_eq!(patch["effective-source"], "kernel");
    // Flat: every value is a string or null, for `jq '.reasons[]'`.
    for reason in reasons {
        for key in ["rule", "claim", "required", "status"] {
            assert!(reason[key].is_string(), "{key} in {reason}");
        }
        assert!(reason["seen"].is_string() || reason["seen"].is_null());
    }
}

#[test]
fn claims_view_and_hex_nonce_in_text() {
    let fx = Fixture::new();
    let out = fx.verify(&["--nonce", NONCE_HEX]);
    assert_eq!(out.status.code(), Some(5), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("nonce {NONCE_HEX} matches the challenge")),
        "{text}"
    );
    assert!(!text.contains("verified claims:"), "{text}");

    let out = fx.verify(&["--nonce", NONCE_HEX, "--claims"]);
    assert_eq!(out.status.code(), Some(5), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    let claims = text
        .split_once("verified claims:\n")
        .map(|(_, c)| c)
        .expect("a claims section");
    assert!(
        claims.contains("  os-patch-level: 2025-01-01\n"),
        "{claims}"
    );
    assert!(claims.contains("boot  (evidence: hardware)"), "{claims}");
}

/// Usage and input errors with --json: the error object on stdout (code
/// null: spec §13 lists every code, and these are no token's rejection),
/// the line on stderr, exit 1.
#[test]
fn usage_errors_are_json_with_json() {
    let fx = Fixture::new();
    let cases: [(Vec<String>, Value); 4] = [
        // A mistake clap finds (no TOKEN).
        (vec!["verify".into(), "--json".into()], Value::Null),
        // One the command finds.
        (
            vec![
                "verify".into(),
                fx.s("token.cbor"),
                "--anchors".into(),
                fx.s("pki/root.pem"),
                "--app-signer".into(),
                SIGNER.into(),
                "--json".into(),
            ],
            Value::Null,
        ),
        (
            vec![
                "verify".into(),
                fx.s("token.cbor"),
                "--anchors".into(),
                fx.s("pki/root.pem"),
                "--at".into(),
                "yesterday".into(),
                "--json".into(),
            ],
            Value::Null,
        ),
        // A token that is not there.
        (
            vec![
                "verify".into(),
                fx.s("missing.cbor"),
                "--anchors".into(),
                fx.s("pki/root.pem"),
                "--json".into(),
            ],
            Value::Null,
        ),
    ];
    for (args, code) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = mtattest(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {out:?}");
        let error = json(&out);
        // No library code: null, but present.
        assert_eq!(error["error"].get("code"), Some(&code), "{args:?}");
        let message = error["error"]["message"].as_str().expect("a message");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{stderr} / {message}");
        // Without --json, stdout stays empty.
        let plain: Vec<&str> = args.into_iter().filter(|a| *a != "--json").collect();
        let out = mtattest(&plain);
        assert_eq!(out.status.code(), Some(1));
        assert!(out.stdout.is_empty(), "{plain:?}: {out:?}");
    }
}

/// The other commands with --json: an input error (a file that is not
/// there, claims that are not JSON, no PEM) is the same error object on
/// stdout, the line on stderr, exit 1; without --json stdout stays empty.
#[test]
fn input_errors_of_the_other_commands_are_json_with_json() {
    let fx = Fixture::new();
    std::fs::write(fx.path("not-claims.json"), "{ not json").expect("a file");
    std::fs::write(fx.path("not-pem.txt"), "no certificate here").expect("a file");
    let cases: [Vec<String>; 3] = [
        vec!["inspect".into(), fx.s("missing.cbor"), "--json".into()],
        vec![
            "issue".into(),
            "--claims".into(),
            fx.s("not-claims.json"),
            "--key".into(),
            fx.s("pki/device.key.pem"),
            "--chain".into(),
            fx.s("pki/chain.pem"),
            "--json".into(),
        ],
        vec![
            "keyattestation".into(),
            fx.s("not-pem.txt"),
            "--json".into(),
        ],
    ];
    for args in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = mtattest(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {out:?}");
        let error = json(&out);
        assert_eq!(error["error"].get("code"), Some(&Value::Null), "{args:?}");
        let message = error["error"]["message"].as_str().expect("a message");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{stderr} / {message}");
        let plain: Vec<&str> = args.into_iter().filter(|a| *a != "--json").collect();
        let out = mtattest(&plain);
        assert_eq!(out.status.code(), Some(1), "{plain:?}: {out:?}");
        assert!(out.stdout.is_empty(), "{plain:?}: {out:?}");
    }
}

#[test]
fn the_text_view_and_json_do_not_mix() {
    let fx = Fixture::new();
    let out = fx.verify(&["--claims", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out)["error"]["code"], Value::Null);
}

#[test]
fn an_absent_claim_is_seen_null() {
    let fx = Fixture::new();
    let mut claims = fx.claims.clone();
    claims["submods"]["os"]
        .as_object_mut()
        .expect("os layer")
        .remove("os-patch-level");
    std::fs::write(fx.path("no-patch.json"), claims.to_string()).expect("claims");
    let out = mtattest(&[
        "issue",
        "--claims",
        &fx.s("no-patch.json"),
        "--key",
        &fx.s("pki/device.key.pem"),
        "--chain",
        &fx.s("pki/chain.pem"),
        "--out",
        &fx.s("token.cbor"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let out = fx.verify(&["--policy", "payment", "--app-signer", SIGNER, "--json"]);
    let document = json(&out);
    let reason = document["reasons"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["claim"] == "submods.os.os-patch-level"))
        .expect("a reason about the missing patch level");
    assert_eq!(reason["seen"], json!(null), "{reason}");
}

#[test]
fn a_rejected_token_reads_invalid_and_deny_with_its_code() {
    // The token answers another challenge: nothing is appraised, and a
    // script reading `.action` must never see anything but deny (the C ABI
    // and the page say the same).
    let fx = Fixture::new();
    let other_challenge = "00".repeat(32);
    let out = fx.verify(&["--nonce", &other_challenge, "--json"]);
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    let doc = json(&out);
    assert_eq!(doc["status"], "invalid");
    assert_eq!(doc["action"], "deny");
    assert_eq!(doc["reasons"], json!([]));
    assert_eq!(doc["error"]["code"], "freshness.nonce-mismatch");
    assert!(doc.get("ear").is_none(), "{doc}");
}
