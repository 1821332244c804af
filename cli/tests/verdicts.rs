//! The verdict table of `tests/verdicts/matrix.json` through the `mtattest`
//! binary: for each case the exit code of `verify` (the table in
//! `mtattest verify --help`) and the EAR's status and action (spec
//! §11.3.2). The expected values are the table's, written by hand.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn table_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/verdicts")
}

/// The exit code `verify` documents for each status.
fn exit_code(status: &str) -> i32 {
    match status {
        "affirming" => 0,
        "warning" => 2,
        "contraindicated" => 3,
        "none" => 5,
        other => panic!("no exit code for status {other}"),
    }
}

#[test]
fn every_case_through_the_cli() {
    let path = table_dir().join("matrix.json");
    let table: Value =
        serde_json::from_slice(&std::fs::read(&path).expect("matrix.json")).expect("JSON");
    let vectors = table_dir().join(table["vectors"].as_str().expect("vectors"));
    let file = |group: &str, name: &str| -> Option<String> {
        let entry = table[group]
            .get(name)
            .unwrap_or_else(|| panic!("{group}.{name} is not in the table"));
        entry
            .as_str()
            .map(|rel| vectors.join(rel).display().to_string())
    };
    let mut wrong = Vec::new();
    for case in table["cases"].as_array().expect("cases") {
        let field = |f: &str| case[f].as_str().expect(f);
        let (policy, feed, phone) = (field("policy"), field("feed"), field("phone"));
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_mtattest"));
        cmd.arg("verify")
            .arg(file("phones", phone).expect("phone token"))
            .arg("--anchors")
            .arg(vectors.join(table["anchors"].as_str().expect("anchors")))
            .arg("--at")
            .arg(table["time"].as_i64().expect("time").to_string())
            .arg("--nonce")
            .arg(table["nonce"].as_str().expect("nonce"))
            .arg("--json");
        if let Some(p) = file("policies", policy) {
            cmd.arg("--policy").arg(p);
        }
        if let Some(f) = file("feeds", feed) {
            cmd.arg("--bulletins").arg(f);
        }
        let out = cmd.output().expect("the mtattest binary runs");
        let label = format!("{policy} / {feed} / {phone}");
        let ear: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "{label}: not an EAR ({e}): {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        let got = (
            out.status.code(),
            ear["ear"]["ear.status"].as_str().unwrap_or("?").to_string(),
            ear["ear"]["mtattest.action"]
                .as_str()
                .unwrap_or("?")
                .to_string(),
        );
        let want = (
            Some(exit_code(field("status"))),
            field("status").to_string(),
            field("action").to_string(),
        );
        if got != want {
            wrong.push(format!("{label}: want {want:?}, got {got:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
