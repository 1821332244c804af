//! The configuration matrix (`tests/config-matrix/matrix.json`) through the
//! Rust API: each case's configuration parsed with
//! `VerifierConfig::from_json`, built, and the matrix token verified and
//! appraised with the case's challenge (read by `challenge_from_hex`). The
//! outcome and code must be the ones written in the matrix; the CLI, C and
//! WASM harnesses compare with the same expectations.

use std::path::{Path, PathBuf};

use mtattest::config::{challenge_from_hex, VerifierConfig};
use mtattest::UnixTime;
use serde_json::{json, Value};

fn matrix_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/config-matrix")
}

fn read(dir: &Path, rel: &Value) -> Vec<u8> {
    std::fs::read(dir.join(rel.as_str().expect("a path"))).expect("matrix file")
}

/// The case's configuration as every harness gives it: the matrix's
/// anchors added inline unless the case sets its own or has none.
fn config_of(case: &Value, anchors_pem: &str) -> Value {
    let mut config = case["config"].clone();
    let object = config.as_object_mut().expect("config is an object");
    if !object.contains_key("anchors") && case["without-anchors"] != true {
        object.insert("anchors".into(), json!([{ "pem": anchors_pem }]));
    }
    config
}

/// What this build expects: `expect-without-aws-lc` applies to builds
/// without the aws-lc provider.
fn expected(case: &Value) -> &Value {
    match case.get("expect-without-aws-lc") {
        Some(without) if !cfg!(feature = "aws-lc") => without,
        _ => &case["expect"],
    }
}

/// The outcome as the matrix writes it.
fn run(matrix: &Value, case: &Value, config: &Value, token: &[u8]) -> Value {
    let config_error = |e: mtattest::Error| json!({"outcome": "config-error", "code": e.code()});
    let built = VerifierConfig::from_json(config.to_string().as_bytes()).and_then(|c| c.build());
    let verifier = match built {
        Ok(v) => v,
        Err(e) => return config_error(e),
    };
    let nonce = match case.get("nonce").unwrap_or(&matrix["nonce"]) {
        Value::Null => None,
        Value::String(hex) => match challenge_from_hex(hex) {
            Ok(bytes) => Some(bytes),
            Err(e) => return config_error(e),
        },
        other => panic!("nonce {other}"),
    };
    let now = UnixTime::from_secs(matrix["time"].as_i64().expect("time"));
    match verifier.verify(token, nonce.as_deref(), now) {
        Err(e @ mtattest::Error::Config(_)) => config_error(e),
        Err(e) => json!({"outcome": "invalid", "code": e.code()}),
        Ok(verified) => {
            let result = verifier
                .appraise_with(&verified, None, now)
                .expect("a default policy");
            json!({"outcome": "valid", "status": result.status.name(), "action": result.action.name()})
        }
    }
}

#[test]
fn every_case_has_the_written_outcome() {
    let dir = matrix_dir();
    let matrix: Value =
        serde_json::from_slice(&std::fs::read(dir.join("matrix.json")).expect("matrix.json"))
            .expect("matrix JSON");
    let token = read(&dir, &matrix["token"]);
    let anchors = String::from_utf8(read(&dir, &matrix["anchors"])).expect("PEM");
    let cases = matrix["cases"].as_array().expect("cases");
    assert!(cases.len() >= 40, "{} cases", cases.len());
    let mut failures = Vec::new();
    for case in cases {
        let id = case["id"].as_str().expect("id");
        let got = run(&matrix, case, &config_of(case, &anchors), &token);
        if &got != expected(case) {
            failures.push(format!("{id}: expected {}, got {got}", expected(case)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The same cases as TOML documents (where TOML can say them: it has no
/// null), through `VerifierConfig::from_toml`: one format does not read
/// differently from the other.
#[cfg(feature = "toml")]
#[test]
fn toml_reads_the_cases_as_json_does() {
    let dir = matrix_dir();
    let matrix: Value =
        serde_json::from_slice(&std::fs::read(dir.join("matrix.json")).expect("matrix.json"))
            .expect("matrix JSON");
    let anchors = String::from_utf8(read(&dir, &matrix["anchors"])).expect("PEM");
    let mut compared = 0;
    for case in matrix["cases"].as_array().expect("cases") {
        let config = config_of(case, &anchors);
        let Ok(toml_text) = toml::to_string(&config) else {
            continue; // null members
        };
        if toml_text.trim().is_empty() {
            continue; // `{}`: a blank document is config.empty in both forms
        }
        let from_json = VerifierConfig::from_json(config.to_string().as_bytes());
        let from_toml = VerifierConfig::from_toml(&toml_text);
        match (from_json, from_toml) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{}", case["id"]),
            (Err(a), Err(b)) => assert_eq!(a.code(), b.code(), "{}", case["id"]),
            (a, b) => panic!("{}: JSON {a:?}, TOML {b:?}", case["id"]),
        }
        compared += 1;
    }
    assert!(compared >= 40, "{compared}");
}
