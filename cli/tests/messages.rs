//! The messages a newcomer reads: times in RFC 3339, algorithm names, the
//! clock skew that `--max-age 0` still applies, revocation reasons in one
//! style, a private key given as `--anchors`, the same anchor twice.

use std::process::{Command, Output};

use mtattest_testkit::example_phone;
use mtattest_testkit::pki::{issue_crl, CertSpec, CrlEntryReason, CrlSpec, TestPki};

/// 2026-01-01T00:00:00Z, the claims' iat.
const IAT: i64 = 1_767_225_600;

struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let pki = TestPki::standard().expect("the test PKI");
        pki.write_to_dir(&dir.path().join("pki")).expect("files");
        let fx = Fixture { dir };
        let claims = example_phone(IAT, [0x5a; 32]).to_json();
        std::fs::write(fx.dir.path().join("claims.json"), claims.to_string()).expect("claims");
        let crl = issue_crl(
            &CertSpec::intermediate(),
            &CrlSpec {
                this_update: IAT - 86_400,
                next_update: Some(IAT + 86_400),
                revoked: vec![(0x3003, CrlEntryReason::KeyCompromise)],
                unknown_critical_extension: false,
                corrupt_signature: false,
            },
        )
        .expect("a CRL");
        std::fs::write(fx.dir.path().join("crl.der"), crl).expect("CRL");
        std::fs::write(
            fx.dir.path().join("status.json"),
            r#"{"entries": {"3003": {"status": "REVOKED", "reason": "KEY_COMPROMISE"}}}"#,
        )
        .expect("status list");
        let out = fx.run(&[
            "issue",
            "--claims",
            "claims.json",
            "--key",
            "pki/device.key.pem",
            "--chain",
            "pki/chain.pem",
            "--out",
            "token.cbor",
        ]);
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        fx
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_mtattest"))
            .current_dir(self.dir.path())
            .args(args)
            .output()
            .expect("the mtattest binary runs")
    }

    /// `verify token.cbor --anchors pki/root.pem EXTRA`: exit code, and
    /// stdout and stderr together.
    fn verify(&self, extra: &[&str]) -> (Option<i32>, String) {
        let mut args = vec!["verify", "token.cbor", "--anchors", "pki/root.pem"];
        args.extend_from_slice(extra);
        let out = self.run(&args);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.code(), text)
    }
}

#[test]
fn times_are_rfc_3339() {
    let fx = Fixture::new();
    // An hour after iat: stale.
    let (code, text) = fx.verify(&["--at", "2026-01-01T01:00:00Z"]);
    assert_eq!(code, Some(4), "{text}");
    assert!(
        text.contains("token issued at 2026-01-01T00:00:00Z is older than"),
        "{text}"
    );
    assert!(text.contains("at 2026-01-01T01:00:00Z"), "{text}");
    assert!(!text.contains("1767225600"), "{text}");
    // The device certificate's notAfter is 2040-01-01T00:00:00Z.
    let (code, text) = fx.verify(&["--at", "2041-01-01T00:00:00Z"]);
    assert_eq!(code, Some(4), "{text}");
    assert!(
        text.contains("expired at 2040-01-01T00:00:00Z (time of check 2041-01-01T00:00:00Z)"),
        "{text}"
    );
    // A token from before the CRL was issued: the CRL is not valid yet.
    let (code, text) = fx.verify(&["--at", "2025-12-30T00:00:00Z", "--crl", "crl.der"]);
    assert_eq!(code, Some(4), "{text}");
    assert!(
        text.contains("not valid before 2025-12-31T00:00:00Z (time of check 2025-12-30T00:00:00Z)"),
        "{text}"
    );
}

#[test]
fn algorithms_by_name() {
    let fx = Fixture::new();
    let (code, text) = fx.verify(&["--at", "1767225700", "--alg", "ES256"]);
    assert_eq!(code, Some(4), "{text}");
    assert!(text.contains("algorithm ES384 is not allowed"), "{text}");
    assert!(!text.contains("-35"), "{text}");
}

#[test]
fn max_age_zero_names_the_skew_it_still_applies() {
    let fx = Fixture::new();
    // 30 s old: within the default skew of 60 s, so --max-age 0 accepts it.
    let (code, text) = fx.verify(&["--at", "1767225630", "--max-age", "0"]);
    assert_eq!(code, Some(5), "{text}");
    // 61 s old: refused, and the message says skew was allowed.
    let (code, text) = fx.verify(&["--at", "1767225661", "--max-age", "0"]);
    assert_eq!(code, Some(4), "{text}");
    assert!(
        text.contains("older than the maximum age of 0 s plus the clock skew of 60 s"),
        "{text}"
    );
    let out = fx.run(&["verify", "--help"]);
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("--max-age 0 accepts a token up to"), "{help}");
}

#[test]
fn revocation_reasons_in_one_style() {
    let fx = Fixture::new();
    for data in [["--crl", "crl.der"], ["--status-list", "status.json"]] {
        let (code, text) = fx.verify(&[&["--at", "1767225700"][..], &data].concat());
        assert_eq!(code, Some(4), "{text}");
        assert!(
            text.contains("(serial 3003) is revoked: key compromise [chain.revoked]"),
            "{data:?}: {text}"
        );
    }
}

#[test]
fn a_private_key_as_anchors_says_so() {
    let fx = Fixture::new();
    let out = fx.run(&[
        "verify",
        "token.cbor",
        "--anchors",
        "pki/root.key.pem",
        "--at",
        "1767225700",
    ]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("is a private key"), "{stderr}");
    assert!(
        stderr.trim_end().ends_with("[chain.bad-anchor]"),
        "{stderr}"
    );
}

#[test]
fn the_same_anchor_twice_is_not_an_error() {
    let fx = Fixture::new();
    let bundle = std::fs::read_to_string(fx.dir.path().join("pki/root.pem")).expect("root");
    std::fs::write(fx.dir.path().join("twice.pem"), bundle.repeat(2)).expect("bundle");
    let (code, text) = fx.verify(&[
        "--anchors",
        "pki/root.der",
        "--anchors",
        "twice.pem",
        "--at",
        "1767225700",
    ]);
    // Valid, nothing appraised.
    assert_eq!(code, Some(5), "{text}");
}
