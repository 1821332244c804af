//! The `mtattest` binary end to end: the test PKI's files → issue → verify /
//! inspect, every exit code, every input form, and one-line errors for bad
//! input.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use base64::Engine as _;
use mtattest_testkit::demo::DEMO_BULLETIN;
use mtattest_testkit::example_phone;
use mtattest_testkit::pki::{issue_crl, CertSpec, CrlEntryReason, CrlSpec, TestPki};
use serde_json::Value;

/// 2026-01-01T00:00:00Z, the claims' iat.
const IAT: i64 = 1_767_225_600;
/// 100 s later: fresh.
const AT: &str = "1767225700";
const NONCE: [u8; 32] = [0x5a; 32];
/// The example phone's app signer digest.
const SIGNER: &str = "4cfb7423dafebc728227283ce04b8eb77f132ecbbd4eaa1e0bd9a7366dcde4b7";

fn nonce_hex() -> String {
    hex::encode(NONCE)
}

fn mtattest(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mtattest"));
    cmd.args(args)
        .env("RUST_BACKTRACE", "1")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("the mtattest binary runs");
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        pipe.write_all(input).expect("stdin accepts the input");
    }
    child.wait_with_output().expect("mtattest finishes")
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exited normally")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A temporary directory with the test PKI and the example phone's claims.
struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let fx = Fixture { dir };
        // The files `mtattest pki` writes; the production binary has no
        // `pki` (cli/Cargo.toml, feature `testkit`).
        TestPki::standard()
            .expect("the test PKI")
            .write_to_dir(&fx.path("pki"))
            .expect("the test PKI's files");
        fx.write_claims("claims.json", |_| {});
        fx
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The path as a &str (temp paths are UTF-8 here); leaked for brevity.
    fn s(&self, name: &str) -> &'static str {
        let p = self.path(name);
        Box::leak(p.to_string_lossy().into_owned().into_boxed_str())
    }

    fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> &'static str {
        std::fs::write(self.path(name), bytes).expect("writable temp dir");
        self.s(name)
    }

    /// Writes the example phone's claims, edited by `edit`, as JSON.
    fn write_claims(&self, name: &str, edit: impl FnOnce(&mut Value)) -> &'static str {
        let mut json = example_phone(IAT, NONCE).to_json();
        edit(&mut json);
        self.write(name, serde_json::to_string_pretty(&json).expect("JSON"))
    }

    /// Issues a token from the claims file `claims` into `out`.
    fn issue(&self, claims: &str, out: &str, extra: &[&str]) -> &'static str {
        let mut args = vec![
            "issue",
            "--claims",
            self.s(claims),
            "--key",
            self.s("pki/device.key.pem"),
            "--chain",
            self.s("pki/chain.pem"),
            "--out",
            self.s(out),
        ];
        args.extend_from_slice(extra);
        let result = mtattest(&args, None);
        assert_eq!(code(&result), 0, "issue: {}", stderr(&result));
        self.s(out)
    }

    fn token(&self) -> &'static str {
        if !self.path("token.cbor").exists() {
            self.issue("claims.json", "token.cbor", &[]);
        }
        self.s("token.cbor")
    }

    /// `verify TOKEN --anchors root.pem --at AT --nonce N --policy payment
    /// --app-signer SIGNER`, plus `extra`.
    fn verify(&self, token: &str, extra: &[&str]) -> Output {
        self.verify_stdin(token, extra, None)
    }

    /// As [`Fixture::verify`]; a flag in `extra` replaces the default one.
    fn verify_stdin(&self, token: &str, extra: &[&str], stdin: Option<&[u8]>) -> Output {
        let nonce = nonce_hex();
        let defaults = [
            ("--anchors", self.s("pki/root.pem")),
            ("--at", AT),
            ("--nonce", nonce.as_str()),
            ("--policy", "payment"),
            ("--app-signer", SIGNER),
        ];
        let mut args = vec!["verify", token];
        for (flag, value) in defaults {
            if !extra.contains(&flag) {
                args.extend_from_slice(&[flag, value]);
            }
        }
        args.extend_from_slice(extra);
        mtattest(&args, stdin)
    }
}

fn assert_clean(out: &Output) {
    let all = format!("{}{}", stdout(out), stderr(out));
    assert!(!all.contains("panicked"), "{all}");
    assert!(!all.contains("RUST_BACKTRACE"), "{all}");
}

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        #[cfg(feature = "testkit")]
        vec!["demo", "--help"],
        #[cfg(feature = "testkit")]
        vec!["pki", "--help"],
        #[cfg(feature = "testkit")]
        vec!["vectors", "--help"],
        vec!["issue", "--help"],
        vec!["verify", "--help"],
        vec!["inspect", "--help"],
    ] {
        let out = mtattest(&args, None);
        assert_eq!(code(&out), 0, "{args:?}");
        assert!(stdout(&out).contains("Usage: mtattest"), "{args:?}");
    }
    let help = stdout(&mtattest(&["verify", "--help"], None));
    for line in [
        "Exit codes:",
        "0  affirming",
        "1  usage, configuration, input or I/O error",
        "2  warning",
        "3  contraindicated",
        "4  invalid token",
        "5  none",
    ] {
        assert!(help.contains(line), "verify --help lacks {line:?}:\n{help}");
    }
}

#[test]
fn issue_then_verify_affirming_with_the_payment_preset() {
    let fx = Fixture::new();
    let out = fx.verify(fx.token(), &[]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("AFFIRMING  action: allow  policy: payment\n"),
        "{text}"
    );
    assert!(
        text.contains(&format!("nonce {} matches the challenge", nonce_hex())),
        "{text}"
    );
    assert!(text.contains("reasons: none"), "{text}");
    assert!(stderr(&out).is_empty());

    let out = fx.verify(fx.token(), &["--json"]);
    assert_eq!(code(&out), 0);
    let document: Value = serde_json::from_slice(&out.stdout).expect("verify JSON");
    let ear = &document["ear"];
    assert_eq!(ear["ear.status"], "affirming");
    assert_eq!(ear["mtattest.action"], "allow");
    assert_eq!(ear["eat_profile"], "tag:github.com,2023:veraison/ear");
    assert_eq!(
        ear["submods"]["device"]["ear.appraisal-policy-id"],
        "payment"
    );
    assert_eq!(ear["iat"], 1_767_225_700);
}

#[test]
fn warning_for_a_stale_os_patch_level() {
    let fx = Fixture::new();
    fx.write_claims("stale.json", |c| {
        c["submods"]["os"]["os-patch-level"] = 20250101.into();
    });
    let token = fx.issue("stale.json", "stale.cbor", &[]);
    let out = fx.verify(token, &[]);
    assert_eq!(code(&out), 2, "{}", stdout(&out));
    let text = stdout(&out);
    assert!(text.starts_with("WARNING  action: step-up"), "{text}");
    let reason = text
        .lines()
        .find(|l| l.contains("submods.os.os-patch-level"))
        .expect("a reason names the claim");
    assert!(reason.contains("warning"), "{reason}");
    assert!(reason.contains("seen: 2025-01-01"), "{reason}");
    assert!(reason.contains("required:"), "{reason}");
    assert!(reason.contains("rule os-patch"), "{reason}");
}

#[test]
fn contraindicated_for_an_unlocked_bootloader() {
    let fx = Fixture::new();
    fx.write_claims("unlocked.json", |c| {
        c["submods"]["boot"]["bootloader-locked"] = false.into();
        c["submods"]["boot"]["verified-boot-state"] = "unverified".into();
    });
    let token = fx.issue("unlocked.json", "unlocked.cbor", &[]);
    let out = fx.verify(token, &[]);
    assert_eq!(code(&out), 3, "{}", stdout(&out));
    let text = stdout(&out);
    assert!(text.starts_with("CONTRAINDICATED  action: deny"), "{text}");
    let reason = text
        .lines()
        .find(|l| l.contains("submods.boot.bootloader-locked"))
        .expect("a reason names the claim");
    assert!(reason.contains("contraindicated"), "{reason}");
    assert!(reason.contains("seen: false"), "{reason}");
    assert!(reason.contains("required: true"), "{reason}");
    assert!(text.contains("submods.boot.verified-boot-state"), "{text}");

    let out = fx.verify(token, &["--json"]);
    assert_eq!(code(&out), 3);
    let document: Value = serde_json::from_slice(&out.stdout).expect("verify JSON");
    let ear = &document["ear"];
    assert_eq!(ear["ear.status"], "contraindicated");
    assert_eq!(ear["submods"]["boot"]["ear.status"], "contraindicated");
}

#[test]
fn a_vulnerability_bulletin_contraindicates() {
    let fx = Fixture::new();
    fx.write_claims("old.json", |c| {
        c["submods"]["os"]["os-patch-level"] = 20240601.into();
    });
    let token = fx.issue("old.json", "old.cbor", &[]);
    let bulletin = fx.write("bulletin.json", DEMO_BULLETIN);
    assert_eq!(code(&fx.verify(token, &[])), 2);
    let out = fx.verify(token, &["--bulletins", bulletin]);
    assert_eq!(code(&out), 3, "{}", stdout(&out));
    assert!(
        stdout(&out).contains("advisory MSA-DEMO-0001"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn no_policy_verifies_without_a_verdict() {
    let fx = Fixture::new();
    let out = mtattest(
        &[
            "verify",
            fx.token(),
            "--anchors",
            fx.s("pki/root.pem"),
            "--at",
            AT,
        ],
        None,
    );
    assert_eq!(code(&out), 5, "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).starts_with("NONE"));
}

#[test]
fn an_invalid_token_exits_4_with_its_code() {
    let fx = Fixture::new();
    let mut bytes = std::fs::read(fx.token()).expect("token");
    let last = bytes.len() - 1;
    bytes[last] ^= 1; // the signature's last byte
    let tampered = fx.write("tampered.cbor", &bytes);
    let out = fx.verify(tampered, &[]);
    assert_eq!(code(&out), 4);
    assert!(
        stdout(&out).starts_with(
            "INVALID  token rejected: signature does not verify [token.bad-signature]"
        ),
        "{}",
        stdout(&out)
    );
    let out = fx.verify(tampered, &["--json"]);
    assert_eq!(code(&out), 4);
    let json: Value = serde_json::from_slice(&out.stdout).expect("error JSON");
    assert_eq!(json["error"]["code"], "token.bad-signature");
    assert!(json["error"]["message"].is_string());

    // Not a token at all (valid hex, but not CBOR of a token).
    let junk = fx.write("junk.hex", "a1a1\n");
    let out = fx.verify(junk, &["--json"]);
    assert_eq!(code(&out), 4);
    let json: Value = serde_json::from_slice(&out.stdout).expect("error JSON");
    assert_eq!(json["error"]["code"], "cbor.truncated");

    // Too late: the token is stale.
    let out = mtattest(
        &[
            "verify",
            fx.token(),
            "--anchors",
            fx.s("pki/root.pem"),
            "--at",
            "2026-01-02T00:00:00Z",
        ],
        None,
    );
    assert_eq!(code(&out), 4);
    assert!(stdout(&out).contains("[freshness."), "{}", stdout(&out));

    // The wrong anchor.
    let other = fx.write(
        "other-root.pem",
        std::fs::read(fx.path("pki/device.pem")).expect("pem"),
    );
    let out = mtattest(
        &["verify", fx.token(), "--anchors", other, "--at", AT],
        None,
    );
    assert_eq!(code(&out), 4);
    assert!(stdout(&out).contains("[chain."), "{}", stdout(&out));
}

#[test]
fn the_nonce_must_match() {
    let fx = Fixture::new();
    let wrong = "5b".repeat(32);
    let out = fx.verify(fx.token(), &["--nonce", &wrong]);
    assert_eq!(code(&out), 4);
    assert!(
        stdout(&out).contains("[freshness.nonce-mismatch]"),
        "{}",
        stdout(&out)
    );

    // issue --nonce replaces the claims' nonce.
    let token = fx.issue("claims.json", "renonced.cbor", &["--nonce", &wrong]);
    assert_eq!(code(&fx.verify(token, &[])), 4);
    assert_eq!(code(&fx.verify(token, &["--nonce", &wrong])), 0);
}

#[test]
fn hex_base64_and_stdin_inputs() {
    let fx = Fixture::new();
    let raw = std::fs::read(fx.token()).expect("token");

    let hex_token = fx.issue("claims.json", "token.hex", &["--format", "hex"]);
    assert_eq!(
        std::fs::read_to_string(hex_token).expect("hex").trim(),
        hex::encode(&raw)
    );
    let b64_token = fx.issue("claims.json", "token.b64", &["--format", "base64"]);
    let url = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&raw);
    let url_token = fx.write("token.b64url", format!("{url}\n"));
    let wrapped: String = hex::encode_upper(&raw)
        .as_bytes()
        .chunks(64)
        .map(|c| format!("{}\n", String::from_utf8_lossy(c)))
        .collect();
    let wrapped_token = fx.write("token.HEX", wrapped);
    for token in [hex_token, b64_token, url_token, wrapped_token] {
        let out = fx.verify(token, &[]);
        assert_eq!(code(&out), 0, "{token}: {}{}", stdout(&out), stderr(&out));
    }

    // Without --out the token goes to stdout, hex by default.
    let out = mtattest(
        &[
            "issue",
            "--claims",
            fx.s("claims.json"),
            "--key",
            fx.s("pki/device.key.pem"),
            "--chain",
            fx.s("pki/chain.pem"),
        ],
        None,
    );
    assert_eq!(code(&out), 0);
    assert_eq!(stdout(&out).trim(), hex::encode(&raw));

    // --json carries the token unless it went to a file.
    let mut args = vec![
        "issue",
        "--claims",
        fx.s("claims.json"),
        "--key",
        fx.s("pki/device.key.pem"),
        "--chain",
        fx.s("pki/chain.pem"),
        "--json",
    ];
    let json: Value = serde_json::from_slice(&mtattest(&args, None).stdout).expect("issue JSON");
    assert_eq!(json["alg"], "ES384");
    assert_eq!(json["size"], raw.len());
    assert_eq!(json["token"], hex::encode(&raw));
    args.extend_from_slice(&["--out", fx.s("json.cbor")]);
    let json: Value = serde_json::from_slice(&mtattest(&args, None).stdout).expect("issue JSON");
    assert_eq!(json["token"], Value::Null);
    assert_eq!(json["format"], "raw");
    assert_eq!(std::fs::read(fx.path("json.cbor")).expect("token"), raw);

    // Stdin, raw and as text; claims from stdin too.
    for input in [raw.clone(), out.stdout.clone()] {
        let out = fx.verify_stdin("-", &[], Some(&input));
        assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    }
    let claims = std::fs::read(fx.path("claims.json")).expect("claims");
    let out = mtattest(
        &[
            "issue",
            "--claims",
            "-",
            "--key",
            fx.s("pki/device.key.pem"),
            "--chain",
            fx.s("pki/chain.pem"),
            "--format",
            "base64",
        ],
        Some(&claims),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        stdout(&out).trim(),
        base64::engine::general_purpose::STANDARD.encode(&raw)
    );
}

#[test]
fn cwt_tag_and_unprotected_x5chain() {
    let fx = Fixture::new();
    let token = fx.issue(
        "claims.json",
        "cwt.cbor",
        &["--cwt-tag", "--x5chain", "unprotected"],
    );
    let bytes = std::fs::read(token).expect("token");
    assert_eq!(&bytes[..3], &[0xd8, 0x3d, 0xd2]);
    assert_eq!(code(&fx.verify(token, &[])), 0);
    let text = stdout(&mtattest(&["inspect", token], None));
    assert!(text.contains("tags: 61 (CWT) > 18 (COSE_Sign1)"), "{text}");
    assert!(
        text.contains("x5chain: unprotected, 2 certificate(s)"),
        "{text}"
    );
}

#[test]
fn policy_files_json_and_toml() {
    let fx = Fixture::new();
    let json = fx.write(
        "policy.json",
        r#"{"id": "acme-pay", "extends": "payment",
            "rules": [{"id": "os-patch", "claim": "submods.os.os-patch-level",
                        "max-age-days": 10, "on-fail": "contraindicated"}]}"#,
    );
    // The app signer comes from the command line (the default --app-signer).
    let out = fx.verify(fx.token(), &["--policy", json]);
    // The OS patch (2025-12-01) is 31 days old: more than 10.
    assert_eq!(code(&out), 3, "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("policy: acme-pay"));

    // TOML, with the app signer in the file.
    let toml = fx.write(
        "policy.toml",
        format!(
            "id = \"acme-byod\"\nextends = \"byod\"\napp-signers = [\"{SIGNER}\"]\n\
             remove-rules = [\"screen-lock\"]\n"
        ),
    );
    let out = mtattest(
        &[
            "verify",
            fx.token(),
            "--anchors",
            fx.s("pki/root.pem"),
            "--at",
            AT,
            "--nonce",
            &nonce_hex(),
            "--policy",
            toml,
        ],
        None,
    );
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("policy: acme-byod"));
}

#[test]
fn revocation_by_status_list_and_crl() {
    let fx = Fixture::new();
    let list = fx.write(
        "status.json",
        r#"{"entries": {"3003": {"status": "REVOKED", "reason": "KEY_COMPROMISE"}}}"#,
    );
    let out = fx.verify(fx.token(), &["--status-list", list]);
    assert_eq!(code(&out), 4);
    assert!(stdout(&out).contains("[chain.revoked]"), "{}", stdout(&out));

    let crl = issue_crl(
        &CertSpec::intermediate(),
        &CrlSpec {
            this_update: IAT - 86_400,
            next_update: Some(IAT + 30 * 86_400),
            revoked: vec![(0x3003, CrlEntryReason::KeyCompromise)],
            unknown_critical_extension: false,
            corrupt_signature: false,
        },
    )
    .expect("a CRL");
    let der_crl = fx.write("oem.crl", &crl);
    let b64 = base64::engine::general_purpose::STANDARD.encode(&crl);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|l| std::str::from_utf8(l).expect("base64 is ASCII"))
        .collect();
    let pem_crl = fx.write(
        "oem.crl.pem",
        format!(
            "-----BEGIN X509 CRL-----\n{}\n-----END X509 CRL-----\n",
            lines.join("\n")
        ),
    );
    for crl in [der_crl, pem_crl] {
        let out = fx.verify(fx.token(), &["--crl", crl]);
        assert_eq!(code(&out), 4, "{}{}", stdout(&out), stderr(&out));
        assert!(stdout(&out).contains("[chain.revoked]"), "{}", stdout(&out));
    }
}

#[test]
fn inspect_is_labelled_unverified_and_shows_the_layers() {
    let fx = Fixture::new();
    let out = mtattest(&["inspect", fx.token()], None);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("UNVERIFIED"), "{text}");
    for needle in [
        "alg: ES384 (-35), protected",
        "x5chain: protected, 2 certificate(s)",
        "[0] subject: CN=mtattest Test Device Attestation Key",
        "serial:  3003",
        "valid:   2025-01-01T00:00:00Z to 2040-01-01T00:00:00Z",
        "claims (unverified)",
        "chip  (evidence: hardware)",
        "boot  (evidence: hardware)",
        "os  (evidence: kernel)",
        "app  (evidence: software)",
        "runtime  (evidence: software)",
        "network  (evidence: software)",
        "  connection: wifi",
        "  tls-interception: success",
        "CBOR diagnostic notation: token\n18([",
        "CBOR diagnostic notation: payload",
        "265: \"tag:mtattest.dev,2026:eat/v1\"",
    ] {
        assert!(text.contains(needle), "inspect lacks {needle:?}:\n{text}");
    }

    let out = mtattest(&["inspect", "--json", fx.token()], None);
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).starts_with("{\n  \"unverified\": true,"));
    let json: Value = serde_json::from_slice(&out.stdout).expect("inspect JSON");
    assert_eq!(json["unverified"], true);
    assert_eq!(json["headers"]["alg"]["name"], "ES384");
    assert_eq!(json["certificates"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        json["claims"]["submods"]["boot"]["evidence-source"],
        "hardware"
    );
    assert!(json["diagnostic"]["payload"].as_str().is_some());

    // Inspect does not verify: a broken signature still shows (exit 0).
    let mut bytes = std::fs::read(fx.token()).expect("token");
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    let out = mtattest(&["inspect", "-"], Some(&bytes));
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).starts_with("UNVERIFIED"));

    // A token that breaks the envelope rules: shown, exit 4, code named.
    let out = mtattest(&["inspect", "-"], Some(b"d28440a0f64100"));
    assert_eq!(code(&out), 4, "{}", stdout(&out));
    assert!(stdout(&out).contains("[token."), "{}", stdout(&out));
    assert_clean(&out);
}

/// Every bad input: exit 1, exactly one line on stderr naming the problem,
/// nothing on stdout, no panic.
#[test]
fn bad_inputs_give_one_line_and_exit_1() {
    let fx = Fixture::new();
    let token = fx.token();
    let root = fx.s("pki/root.pem");
    let key = fx.s("pki/device.key.pem");
    let chain = fx.s("pki/chain.pem");
    let claims = fx.s("claims.json");
    let missing = fx.s("missing.file");
    let odd_hex = fx.write("odd.hex", "d28\n");
    let text = fx.write("text.txt", "hello, world!\n");
    let empty = fx.write("empty", "");
    let not_pem = fx.write("not.pem", "this is no certificate\n");
    let bad_pem = fx.write(
        "bad.pem",
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    );
    let bad_json_policy = fx.write("bad-policy.json", "{\"id\": \"x\", \"rules\": 3}");
    let bad_toml_policy = fx.write("bad-policy.toml", "id = [unclosed\n");
    let unknown_claim_policy = fx.write(
        "unknown-claim.json",
        r#"{"id": "x", "rules": [{"id": "r", "claim": "submods.os.nope", "equals": 1, "on-fail": "warning"}]}"#,
    );
    let bad_bulletin = fx.write("bulletin.json", "{\"feed\": 1}");
    let bad_status = fx.write(
        "status.json",
        r#"{"entries": {"zz": {"status": "REVOKED"}}}"#,
    );
    let bad_crl = fx.write("bad.crl", "junk");
    let bad_claims = fx.write("bad-claims.json", "{\"iat\": 1,}");
    let wrong_claims = fx.write_claims("wrong-claims.json", |c| {
        c["submods"]["boot"]["verfied-boot-state"] = "verified".into();
    });
    let out_dir = fx.s("no/such/dir/token.cbor");
    let at = ["--at", AT];

    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["verify", missing, "--anchors", root], "no such file"),
        (
            vec!["verify", token, "--anchors", missing],
            "anchors[0].file: ",
        ),
        (vec!["verify", odd_hex, "--anchors", root], "hex"),
        (
            vec!["verify", text, "--anchors", root],
            "not raw CBOR, hex or base64",
        ),
        (vec!["verify", empty, "--anchors", root], "empty"),
        (
            vec!["verify", token, "--anchors", not_pem],
            "[chain.bad-anchor]",
        ),
        (
            vec!["verify", token, "--anchors", bad_pem],
            "[chain.bad-anchor]",
        ),
        (
            vec!["verify", token, "--anchors", key],
            "is a private key (\"PRIVATE KEY\"), not a \"CERTIFICATE\": give the certificate; a private key is never needed to verify [chain.bad-anchor]",
        ),
        (vec!["verify", token, "--anchors", empty], "[config.empty]"),
        (
            vec![
                "verify",
                token,
                "--anchors",
                root,
                "--policy",
                bad_json_policy,
            ],
            "[policy.syntax]",
        ),
        (
            vec![
                "verify",
                token,
                "--anchors",
                root,
                "--policy",
                bad_toml_policy,
            ],
            "[policy.syntax]",
        ),
        (
            vec![
                "verify",
                token,
                "--anchors",
                root,
                "--policy",
                unknown_claim_policy,
            ],
            "[policy.unknown-claim]",
        ),
        (
            vec!["verify", token, "--anchors", root, "--policy", "payment"],
            "[policy.missing-parameter]",
        ),
        (
            vec!["verify", token, "--anchors", root, "--policy", "paymnt"],
            "not a preset",
        ),
        (
            vec!["verify", token, "--anchors", root, "--policy", ""],
            "[config.empty]",
        ),
        (
            vec![
                "verify",
                token,
                "--anchors",
                root,
                "--policy",
                "payment",
                "--app-signer",
                "xyz",
            ],
            // Malformed hex beside a policy is the configuration's value,
            // as in a configuration file (tests/config-matrix).
            "[config.bad-value]",
        ),
        (
            vec!["verify", token, "--anchors", root, "--app-signer", SIGNER],
            "needs --policy",
        ),
        (
            vec!["verify", token, "--anchors", root, "--at", "yesterday"],
            "--at",
        ),
        (
            vec![
                "verify",
                token,
                "--anchors",
                root,
                "--at",
                "2026-02-30T00:00:00Z",
            ],
            "--at",
        ),
        (
            vec!["verify", token, "--anchors", root, "--nonce", "nothex!"],
            "nonce: not hex: 'n' is not a hex digit [config.bad-value]",
        ),
        (
            vec!["verify", token, "--anchors", root, "--nonce", ""],
            "nonce is empty",
        ),
        (
            vec!["verify", token, "--anchors", root, "--nonce", " "],
            "[config.empty]",
        ),
        (
            vec!["verify", token, "--anchors", root, "--status-list", empty],
            "[config.empty]",
        ),
        (
            vec!["verify", token, "--anchors", root, "--alg", "ES512"],
            "[config.bad-value]",
        ),
        (
            vec!["verify", token, "--anchors", root, "--crypto", "openssl"],
            "[config.bad-value]",
        ),
        (
            vec!["verify", token, "--anchors", root, "--require-nonce"],
            "[config.nonce-required]",
        ),
        (
            vec![
                "verify",
                token,
                "--anchors",
                root,
                "--bulletins",
                bad_bulletin,
            ],
            "[bulletin.syntax]",
        ),
        (
            vec![
                "verify",
                token,
                "--anchors",
                root,
                "--status-list",
                bad_status,
            ],
            "[chain.bad-revocation-data]",
        ),
        (
            vec!["verify", token, "--anchors", root, "--crl", bad_crl],
            "[chain.bad-revocation-data]",
        ),
        (
            vec!["verify", token, "--anchors", root, "--max-age", "soon"],
            "--max-age",
        ),
        (vec!["verify", token], "[config.no-anchors]"),
        (
            vec!["verify", token, "--anchors", root, "--bogus"],
            "--bogus",
        ),
        (
            vec!["issue", "--claims", missing, "--key", key, "--chain", chain],
            "--claims",
        ),
        (
            vec![
                "issue", "--claims", bad_claims, "--key", key, "--chain", chain,
            ],
            "[claims.invalid-json]",
        ),
        (
            vec![
                "issue",
                "--claims",
                wrong_claims,
                "--key",
                key,
                "--chain",
                chain,
            ],
            "verfied-boot-state",
        ),
        (
            vec![
                "issue", "--claims", claims, "--key", not_pem, "--chain", chain,
            ],
            "--key",
        ),
        (
            vec!["issue", "--claims", claims, "--key", root, "--chain", chain],
            "--key",
        ),
        (
            vec![
                "issue",
                "--claims",
                claims,
                "--key",
                fx.s("pki/root.key.pem"),
                "--chain",
                chain,
            ],
            "does not hold",
        ),
        (
            vec![
                "issue", "--claims", claims, "--key", key, "--chain", bad_pem,
            ],
            "--chain",
        ),
        (
            vec![
                "issue", "--claims", claims, "--key", key, "--chain", chain, "--nonce", "00",
            ],
            "--nonce",
        ),
        (
            vec![
                "issue", "--claims", claims, "--key", key, "--chain", chain, "--format", "bin",
            ],
            "--format",
        ),
        (
            vec![
                "issue", "--claims", claims, "--key", key, "--chain", chain, "--out", out_dir,
            ],
            "--out",
        ),
        (vec!["inspect", missing], "no such file"),
        (vec!["inspect", odd_hex], "hex"),
        (vec!["nosuchcommand"], "nosuchcommand"),
    ];
    for (mut args, needle) in cases {
        if args[0] == "verify" && !args.contains(&"--at") {
            args.extend_from_slice(&at);
        }
        let out = mtattest(&args, None);
        let err = stderr(&out);
        assert_eq!(code(&out), 1, "{args:?}: {err}{}", stdout(&out));
        assert_eq!(err.lines().count(), 1, "{args:?}: not one line: {err}");
        assert!(err.starts_with("mtattest: "), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err:?} lacks {needle:?}");
        assert!(stdout(&out).is_empty(), "{args:?}: {}", stdout(&out));
        assert_clean(&out);
    }

    // Reading the token from an empty stdin.
    let out = fx.verify_stdin("-", &[], Some(b""));
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("token (stdin): empty"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn paths_in_errors_are_the_ones_given() {
    let fx = Fixture::new();
    let out = mtattest(
        &["verify", fx.token(), "--anchors", "roots.pem", "--at", AT],
        None,
    );
    assert_eq!(
        stderr(&out),
        "mtattest: anchors[0].file: roots.pem: no such file [config.unreadable]\n"
    );
}

/// The conformance vectors through the CLI: `mtattest verify --json` gives
/// every invalid case's error code and every valid case's appraisal status
/// (replay cases need two submissions to one verifier, which one process
/// run cannot do, and are skipped).
#[test]
fn verify_reports_the_codes_of_the_conformance_vectors() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test-vectors");
    let manifest: Value = serde_json::from_slice(
        &std::fs::read(dir.join("manifest.json")).expect("test-vectors/manifest.json"),
    )
    .expect("manifest JSON");
    let cases = manifest["cases"].as_array().expect("cases");
    let file = |v: &Value| -> String {
        dir.join(v.as_str().expect("a path"))
            .to_string_lossy()
            .into_owned()
    };
    let (mut valid, mut invalid, mut skipped) = (0, 0, 0);
    for case in cases {
        let id = case["id"].as_str().expect("id");
        if case.get("submitted-before").is_some() {
            skipped += 1;
            continue;
        }
        let mut args: Vec<String> = vec![
            "verify".into(),
            file(&case["token"]),
            "--anchors".into(),
            file(&case["anchors"]),
            "--at".into(),
            case["time"].to_string(),
            "--json".into(),
        ];
        for (key, flag) in [
            ("nonce", "--nonce"),
            ("enrolment-challenge", "--enrolment-challenge"),
            ("policy", "--policy"),
            ("crl", "--crl"),
            ("status-list", "--status-list"),
            ("bulletin", "--bulletins"),
            ("android-anchors", "--android-anchors"),
        ] {
            match case.get(key) {
                Some(Value::String(v)) if key == "nonce" || key == "enrolment-challenge" => {
                    args.extend([flag.to_string(), v.clone()])
                }
                Some(v @ Value::String(_)) => args.extend([flag.to_string(), file(v)]),
                _ => {}
            }
        }
        if let Some(options) = case.get("options").and_then(Value::as_object) {
            for (name, value) in options {
                match name.as_str() {
                    "require-protected-x5chain" if value == true => {
                        args.push("--require-protected-x5chain".into())
                    }
                    // Implied by --enrolment-challenge.
                    "android-challenge" if value == "enrolled" => {}
                    "android-min-security-level" => args.extend([
                        "--android-min-security-level".into(),
                        value.as_str().expect("level").into(),
                    ]),
                    "allowed-algorithms" => {
                        for alg in value.as_array().expect("algorithms") {
                            args.extend(["--alg".into(), alg.as_str().expect("alg").into()]);
                        }
                    }
                    other => panic!("{id}: option {other} has no CLI flag"),
                }
            }
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = mtattest(&args, None);
        assert_clean(&out);
        let expected = &case["expected"];
        let json: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|_| panic!("{id}: not JSON: {}{}", stdout(&out), stderr(&out)));
        if expected["result"] == "invalid" {
            invalid += 1;
            assert_eq!(code(&out), 4, "{id}: {json}");
            assert_eq!(json["error"]["code"], expected["error"], "{id}");
            continue;
        }
        valid += 1;
        let json = &json["ear"];
        let status = json["ear.status"].as_str().expect("an EAR");
        let exit = match status {
            "affirming" => 0,
            "warning" => 2,
            "contraindicated" => 3,
            _ => 5,
        };
        assert_eq!(code(&out), exit, "{id}: {json}");
        match expected.get("appraisal") {
            Some(appraisal) => {
                assert_eq!(status, appraisal["status"], "{id}");
                assert_eq!(json["mtattest.action"], appraisal["action"], "{id}");
                let reasons = |list: &Value| -> Vec<String> {
                    let mut v: Vec<String> = list
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .map(|r| format!("{} {} {}", r["rule"], r["claim"], r["failure"]))
                                .collect()
                        })
                        .unwrap_or_default();
                    v.sort();
                    v
                };
                let mut seen = Vec::new();
                for submod in json["submods"].as_object().expect("submods").values() {
                    seen.extend(reasons(&submod["mtattest.reasons"]));
                }
                seen.sort();
                assert_eq!(seen, reasons(&appraisal["reasons"]), "{id}");
            }
            None if case["policy"].is_null() => assert_eq!(status, "none", "{id}"),
            None => {}
        }
    }
    assert!(
        valid >= 20 && invalid >= 100,
        "{valid} valid, {invalid} invalid"
    );
    assert!(skipped <= 5, "{skipped} skipped");
}

#[test]
fn verify_prints_the_ear_in_the_selected_form() {
    let fx = Fixture::new();
    let default = fx.verify(fx.token(), &["--json"]);
    let veraison = fx.verify(fx.token(), &["--json", "--ear-profile", "veraison-2023"]);
    assert_eq!(code(&veraison), 0, "{}", stderr(&veraison));
    // The default is the Veraison 2023 form (iat is the --at time, so the
    // two outputs are identical).
    assert_eq!(stdout(&default), stdout(&veraison));

    let out = fx.verify(fx.token(), &["--json", "--ear-profile", "ietf-draft-04"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let document: Value = serde_json::from_slice(&out.stdout).expect("verify JSON");
    let ear = &document["ear"];
    assert_eq!(ear["eat_profile"], "tag:ietf.org,2026:rats/ear#04");
    assert_eq!(ear["ear_status"], "affirming");
    assert_eq!(ear["mtattest.action"], "allow");
    assert!(ear["ear_verifier_id"]["build"].is_string());
    assert!(ear.get("ear.status").is_none());
    let device = &ear["submods"]["device"];
    assert_eq!(device["ear_status"], "affirming");
    assert_eq!(
        device["ear_appraisal_policy_ids"],
        serde_json::json!(["payment"])
    );
    // It decodes to the same result as the default form.
    let ear_of = |out: &Output| {
        let document: Value = serde_json::from_slice(&out.stdout).expect("verify JSON");
        serde_json::to_vec(&document["ear"]).expect("EAR")
    };
    let a = mtattest::appraisal::AttestationResult::from_json(&ear_of(&out)).expect("draft-04");
    let b = mtattest::appraisal::AttestationResult::from_json(&ear_of(&default)).expect("2023");
    assert_eq!(a, b);

    // The option needs --json, and a known form.
    let out = fx.verify(fx.token(), &["--ear-profile", "ietf-draft-04"]);
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("--json"), "{}", stderr(&out));
    let out = fx.verify(fx.token(), &["--json", "--ear-profile", "draft-05"]);
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("draft-05"), "{}", stderr(&out));
    assert_clean(&out);
}
