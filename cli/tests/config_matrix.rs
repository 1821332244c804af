//! The configuration matrix (`tests/config-matrix/matrix.json`) through the
//! `mtattest` command: every case's configuration as a `--config` file
//! (JSON, and TOML where TOML can write it), and the cases with
//! `cli-flags` as flags. The exit code and the `--json` error code must
//! give the outcome written in the matrix, as the Rust API, C and WASM do.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{json, Value};

fn matrix_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/config-matrix")
}

fn path(dir: &Path, rel: &Value) -> PathBuf {
    dir.join(rel.as_str().expect("a path"))
}

fn config_of(case: &Value, anchors_pem: &str) -> Value {
    let mut config = case["config"].clone();
    let object = config.as_object_mut().expect("config is an object");
    if !object.contains_key("anchors") && case["without-anchors"] != true {
        object.insert("anchors".into(), json!([{ "pem": anchors_pem }]));
    }
    config
}

fn expected(case: &Value) -> &Value {
    match case.get("expect-without-aws-lc") {
        Some(without) if !cfg!(feature = "aws-lc") => without,
        _ => &case["expect"],
    }
}

/// `mtattest verify TOKEN --at TIME --json [--nonce N] ARGS...`
fn verify(matrix: &Value, case: &Value, args: &[String]) -> Output {
    let dir = matrix_dir();
    let mut command = Command::new(env!("CARGO_BIN_EXE_mtattest"));
    command
        .arg("verify")
        .arg(path(&dir, &matrix["token"]))
        .args(["--at", &matrix["time"].to_string(), "--json"]);
    match case.get("nonce").unwrap_or(&matrix["nonce"]) {
        Value::Null => {}
        Value::String(nonce) => {
            command.args(["--nonce", nonce]);
        }
        other => panic!("nonce {other}"),
    }
    command.args(args).output().expect("runs mtattest")
}

/// The outcome as the matrix writes it, from the exit code and the JSON on
/// stdout.
fn outcome(out: &Output) -> Value {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    let json: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|_| panic!("not JSON on stdout: {stdout}{stderr}"));
    match out.status.code() {
        Some(1) => {
            let code = json["error"]["code"].as_str().expect("an error code");
            // The same code ends the line on stderr.
            assert!(
                stderr.trim_end().ends_with(&format!("[{code}]")),
                "{stderr}"
            );
            json!({"outcome": "config-error", "code": code})
        }
        Some(4) => json!({"outcome": "invalid", "code": json["error"]["code"]}),
        Some(exit @ (0 | 2 | 3 | 5)) => {
            let status = json["ear"]["ear.status"].as_str().expect("an EAR");
            let by_exit = ["affirming", "", "warning", "contraindicated", "", "none"];
            assert_eq!(by_exit[exit as usize], status, "exit {exit}");
            json!({"outcome": "valid", "status": status, "action": json["ear"]["mtattest.action"]})
        }
        other => panic!("exit {other:?}: {stdout}{stderr}"),
    }
}

#[test]
fn every_case_has_the_written_outcome() {
    let dir = matrix_dir();
    let matrix: Value =
        serde_json::from_slice(&std::fs::read(dir.join("matrix.json")).expect("matrix.json"))
            .expect("matrix JSON");
    let anchors_file = path(&dir, &matrix["anchors"]);
    let anchors = std::fs::read_to_string(&anchors_file).expect("PEM");
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut failures = Vec::new();
    let (mut files, mut tomls, mut flags) = (0, 0, 0);
    for case in matrix["cases"].as_array().expect("cases") {
        let id = case["id"].as_str().expect("id");
        let want = expected(case);
        let config = config_of(case, &anchors);
        let mut check = |how: &str, out: Output| {
            let got = outcome(&out);
            if &got != want {
                failures.push(format!("{id} ({how}): expected {want}, got {got}"));
            }
        };

        let json_file = tmp.path().join(format!("{id}.json"));
        std::fs::write(&json_file, config.to_string()).expect("write");
        let args = vec!["--config".to_string(), json_file.display().to_string()];
        check("--config JSON", verify(&matrix, case, &args));
        files += 1;

        // `{}` is a blank TOML document, which is config.empty.
        let toml_text = toml::to_string(&config).map(|t| t.trim().to_string());
        if let Some(text) = toml_text.ok().filter(|t| !t.is_empty()) {
            let toml_file = tmp.path().join(format!("{id}.toml"));
            std::fs::write(&toml_file, text).expect("write");
            let args = vec!["--config".to_string(), toml_file.display().to_string()];
            check("--config TOML", verify(&matrix, case, &args));
            tomls += 1;
        }

        if let Some(extra) = case.get("cli-flags") {
            let mut args = vec!["--anchors".to_string(), anchors_file.display().to_string()];
            args.extend(
                extra
                    .as_array()
                    .expect("flags")
                    .iter()
                    .map(|f| f.as_str().expect("a flag").to_string()),
            );
            check("flags", verify(&matrix, case, &args));
            flags += 1;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        files >= 40 && tomls >= 40 && flags >= 10,
        "{files} {tomls} {flags}"
    );
}

/// Flags override the members of a `--config` file one by one; the file's
/// paths are relative to the file, the flags' to the working directory.
#[test]
fn flags_override_the_configuration_file() {
    let dir = matrix_dir();
    let matrix: Value =
        serde_json::from_slice(&std::fs::read(dir.join("matrix.json")).expect("matrix.json"))
            .expect("matrix JSON");
    let vectors = dir.join("../../test-vectors");
    let tmp = tempfile::tempdir().expect("temp dir");
    std::fs::copy(
        vectors.join("anchors/root.pem"),
        tmp.path().join("root.pem"),
    )
    .expect("copy");
    let config = tmp.path().join("verifier.toml");
    std::fs::write(
        &config,
        "anchors = [{ file = \"root.pem\" }]\nmax-age-secs = 0\nclock-skew-secs = 0\n\
         [policies.pay]\npreset = \"payment\"\n\
         app-signers = [\"4cfb7423dafebc728227283ce04b8eb77f132ecbbd4eaa1e0bd9a7366dcde4b7\"]\n",
    )
    .expect("write");
    let case = json!({});
    let run = |extra: &[&str]| {
        let mut args = vec!["--config".to_string(), config.display().to_string()];
        args.extend(extra.iter().map(|s| s.to_string()));
        outcome(&verify(&matrix, &case, &args))
    };
    // The file alone: the token is 30 s old, the file allows 0.
    assert_eq!(
        run(&[]),
        json!({"outcome": "invalid", "code": "freshness.stale"})
    );
    // --max-age replaces max-age-secs; the file's only policy is the default.
    assert_eq!(
        run(&["--max-age", "300", "--clock-skew", "60"]),
        json!({"outcome": "valid", "status": "affirming", "action": "allow"})
    );
    // --policy becomes the default; the file's policies stay.
    let byod = vectors.join("policies/byod.json");
    let out = verify(
        &matrix,
        &case,
        &[
            "--config".into(),
            config.display().to_string(),
            "--max-age".into(),
            "300".into(),
            "--policy".into(),
            byod.display().to_string(),
        ],
    );
    let json: Value = serde_json::from_slice(&out.stdout).expect("EAR");
    assert_eq!(
        json["ear"]["submods"]["device"]["ear.appraisal-policy-id"], "vectors-byod",
        "{json}"
    );
    // A flag's file is the caller's, relative to the working directory.
    assert_eq!(
        run(&["--anchors", "no-such-root.pem"])["code"],
        "config.unreadable"
    );
    // An empty flag value is refused like an empty member.
    assert_eq!(run(&["--crypto", ""])["code"], "config.empty");
}
