//! A reader that stops early (`mtattest verify … --json | head -1`): every
//! subcommand that prints ends quietly with exit 1, the I/O error code of
//! the exit-code table, never with Rust's "failed printing to stdout"
//! panic (exit 101).
//!
//! The pipe's read end is closed before the binary starts, so its first
//! write to stdout fails with EPIPE whatever the timing.

use std::path::Path;
use std::process::{Command, Stdio};

use mtattest_testkit::example_phone;
use mtattest_testkit::pki::TestPki;

/// The exit-code table's code for an I/O error (a closed stdout).
const EXIT_IO: i32 = 1;

/// Runs the binary with a stdout whose reader is already gone; returns its
/// exit code and stderr.
// std::io::pipe is 1.87; the workspace's rust-version (1.85) is below what
// its dependencies already need (1.88, issue 16 corrects it), so the
// lint's premise does not hold.
#[allow(clippy::incompatible_msrv)]
fn run_into_closed_pipe(args: &[&str]) -> (Option<i32>, String) {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let out = Command::new(env!("CARGO_BIN_EXE_mtattest"))
        .args(args)
        .env("RUST_BACKTRACE", "1")
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .expect("the mtattest binary runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn assert_quiet_exit(args: &[&str]) {
    let (code, stderr) = run_into_closed_pipe(args);
    assert_eq!(code, Some(EXIT_IO), "{args:?}: stderr {stderr}");
    assert!(stderr.is_empty(), "{args:?} said something: {stderr}");
}

/// The test PKI, the example phone's claims and a token, in `dir`.
fn fixture(dir: &Path) -> (String, String, String) {
    TestPki::standard()
        .expect("the test PKI")
        .write_to_dir(&dir.join("pki"))
        .expect("the test PKI's files");
    let claims = dir.join("claims.json");
    let json = example_phone(1_767_225_600, [0x5a; 32]).to_json();
    std::fs::write(&claims, json.to_string()).expect("claims");
    let path = |p: &Path| p.to_string_lossy().into_owned();
    let token = dir.join("token.cbor");
    let out = Command::new(env!("CARGO_BIN_EXE_mtattest"))
        .args(["issue", "--claims", &path(&claims)])
        .args(["--key", &path(&dir.join("pki/device.key.pem"))])
        .args(["--chain", &path(&dir.join("pki/chain.pem"))])
        .args(["--out", &path(&token)])
        .output()
        .expect("issue runs");
    assert!(out.status.success(), "{out:?}");
    (path(&token), path(&dir.join("pki/root.pem")), path(&claims))
}

#[test]
fn every_printing_subcommand_ends_quietly_on_a_closed_stdout() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (token, root, claims) = fixture(dir.path());
    let key = dir.path().join("pki/device.key.pem");
    let chain = dir.path().join("pki/chain.pem");
    let (key, chain) = (key.to_string_lossy(), chain.to_string_lossy());
    let verify = ["verify", &token, "--anchors", &root, "--at", "1767225700"];
    let cases: Vec<Vec<&str>> = vec![
        [&verify[..], &["--json"]].concat(),
        verify.to_vec(),
        // A rejected token still prints its verdict.
        [&verify[..], &["--nonce", "00112233445566778899", "--json"]].concat(),
        vec!["inspect", &token],
        vec!["inspect", "--json", &token],
        vec![
            "issue", "--claims", &claims, "--key", &key, "--chain", &chain,
        ],
        vec!["--help"],
        vec!["verify", "--help"],
        vec!["--version"],
        vec!["keyattestation", "--help"],
        vec!["completions", "bash"],
        vec!["man"],
    ];
    for args in &cases {
        assert_quiet_exit(args);
    }
}

#[cfg(feature = "testkit")]
#[test]
fn developer_subcommands_end_quietly_on_a_closed_stdout() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let pki = dir.path().join("pki");
    let vectors = dir.path().join("vectors");
    assert_quiet_exit(&["demo"]);
    assert_quiet_exit(&["pki", &pki.to_string_lossy()]);
    assert_quiet_exit(&["vectors", "--out", &vectors.to_string_lossy()]);
}
