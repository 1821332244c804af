//! The schema-invalid samples of `tests/schemas/samples.json` are refused by
//! the code too, and the valid ones accepted: for every sample the JSON
//! Schemas of `spec/schemas/` refuse (checked by `tests/schemas/check.py`),
//! the library's own reader gives an error, so the schemas never promise a
//! document the code would accept. A sample is the valid document with one
//! fault, given as JSON Pointers to set (or remove, with "(remove)").

use std::path::PathBuf;

use mtattest::appraisal::{AttestationResult, Bulletin, Policy};
use mtattest::claims::ClaimsSet;
use mtattest::config::VerifierConfig;
use serde_json::Value;

const REMOVE: &str = "(remove)";

fn samples() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/schemas/samples.json");
    let text = std::fs::read_to_string(&path).expect("samples.json");
    serde_json::from_str(&text).expect("samples.json is JSON")
}

/// `doc` with every pointer of `patch` set to its value, or removed.
fn patched(doc: &Value, patch: &Value) -> Value {
    let mut doc = doc.clone();
    for (pointer, value) in patch.as_object().expect("a patch is an object") {
        let (parent, last) = pointer.rsplit_once('/').expect("a pointer");
        let last = last.replace("~1", "/").replace("~0", "~");
        let target = doc.pointer_mut(parent).expect("the parent exists");
        match target {
            Value::Object(m) if value == REMOVE => {
                m.remove(&last).expect("the member to remove exists");
            }
            Value::Object(m) => {
                m.insert(last, value.clone());
            }
            Value::Array(a) => {
                let i: usize = last.parse().expect("an index");
                if value == REMOVE {
                    a.remove(i);
                } else {
                    a[i] = value.clone();
                }
            }
            _ => panic!("{pointer}: the parent is neither an object nor an array"),
        }
    }
    doc
}

/// The code's verdict on a document of `schema`: `Ok` or its error code.
fn read(schema: &str, doc: &Value) -> Result<(), String> {
    let bytes = serde_json::to_vec(doc).expect("serialised");
    let code = |e: mtattest::Error| e.code().to_string();
    match schema {
        "claims" => ClaimsSet::from_json_str(&String::from_utf8(bytes).expect("UTF-8"))
            .map(drop)
            .map_err(|e| e.code().to_string()),
        "policy" => Policy::from_json(&bytes).map(drop).map_err(code),
        "bulletin" => Bulletin::from_json(&bytes).map(drop).map_err(code),
        "ear" => AttestationResult::from_json(&bytes).map(drop).map_err(code),
        // Values are checked when the configuration is built; anchors are
        // left out of the samples, so `check_contents` (everything but
        // them).
        "config" => VerifierConfig::from_json(&bytes)
            .and_then(|c| c.check_contents())
            .map_err(code),
        other => panic!("unknown schema {other}"),
    }
}

#[test]
fn every_schema_invalid_sample_is_refused_by_the_code() {
    let samples = samples();
    let mut failures = Vec::new();
    let mut refused = 0;
    for schema in ["claims", "policy", "bulletin", "ear", "config"] {
        let valid = &samples[schema]["valid"];
        if let Err(code) = read(schema, valid) {
            failures.push(format!("{schema} valid sample: refused ({code})"));
        }
        let invalid = samples[schema]["invalid"]
            .as_object()
            .expect("invalid samples");
        assert!(
            invalid.len() >= 5,
            "{schema}: one sample per constraint family"
        );
        for (name, patch) in invalid {
            match read(schema, &patched(valid, patch)) {
                Ok(()) => failures.push(format!("{schema} {name}: the code accepts it")),
                Err(_) => refused += 1,
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(refused >= 50, "{refused}");
}
