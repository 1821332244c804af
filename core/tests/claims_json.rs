//! The JSON form of claims sets (`spec/claims-json.md`): lossless round trips
//! (property tests), the committed example, one test per rejection with its
//! exact variant and path, and the text rendering.

use ciborium::value::Value;
use mtattest::claims::keys::{self, detection};
use mtattest::claims::*;
use mtattest::{ClaimsError, Limits};
use mtattest_testkit::example_phone;
use proptest::prelude::*;
use serde_json::{json, Value as Json};

mod common;

use common::strategies;

/// `iat` of the documented example: 2026-01-01T00:00:00Z.
const EXAMPLE_IAT: i64 = 1_767_225_600;
const EXAMPLE_NONCE: [u8; 32] = [0x5a; 32];
const EXAMPLE_FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../spec/examples/example-phone.json"
);

fn phone() -> ClaimsSet {
    example_phone(EXAMPLE_IAT, EXAMPLE_NONCE)
}

fn phone_json() -> Json {
    phone().to_json()
}

fn int(n: i64) -> Value {
    Value::Integer(n.into())
}

fn text(s: &str) -> Value {
    Value::Text(s.into())
}

/// The JSON of the example phone with `edit` applied to it.
fn edited(edit: impl FnOnce(&mut Json)) -> Json {
    let mut j = phone_json();
    edit(&mut j);
    j
}

fn layer_mut<'a>(j: &'a mut Json, name: &str) -> &'a mut serde_json::Map<String, Json> {
    j["submods"][name].as_object_mut().unwrap()
}

/// A change to the example JSON.
type Edit = Box<dyn Fn(&mut Json)>;

fn reject(j: &Json) -> ClaimsError {
    match ClaimsSet::from_json(j) {
        Ok(_) => panic!("accepted: {j:#}"),
        Err(e) => e,
    }
}

fn assert_invalid(j: &Json, path: &str) -> String {
    match reject(j) {
        ClaimsError::InvalidValue { path: p, reason } => {
            assert_eq!(p, path, "{reason}");
            reason
        }
        other => panic!("expected InvalidValue at {path}, got {other:?}"),
    }
}

fn assert_wrong_type(j: &Json, path: &str) {
    match reject(j) {
        ClaimsError::WrongType { path: p, .. } => assert_eq!(p, path),
        other => panic!("expected WrongType at {path}, got {other:?}"),
    }
}

fn assert_missing(j: &Json, path: &str) {
    assert_eq!(reject(j), ClaimsError::Missing { path: path.into() });
}

// ----------------------------------------------------------- the example

#[test]
fn example_file_is_the_json_of_example_phone() {
    let expected = phone_json();
    if std::env::var_os("MTATTEST_REGENERATE").is_some() {
        let text = serde_json::to_string_pretty(&expected).unwrap() + "\n";
        std::fs::write(EXAMPLE_FILE, text).unwrap();
    }
    let text = std::fs::read_to_string(EXAMPLE_FILE)
        .unwrap_or_else(|e| panic!("{EXAMPLE_FILE}: {e}; regenerate with MTATTEST_REGENERATE=1"));
    let committed: Json = serde_json::from_str(&text).unwrap();
    assert_eq!(
        committed, expected,
        "spec/examples/example-phone.json is stale; regenerate with MTATTEST_REGENERATE=1"
    );
    assert_eq!(ClaimsSet::from_json_str(&text), Ok(phone()));
}

const SPEC: &str = include_str!("../../spec/claims-json.md");

#[test]
fn spec_shows_the_example_file() {
    let file = std::fs::read_to_string(EXAMPLE_FILE).unwrap();
    let block = format!("```json\n{file}```");
    assert!(
        SPEC.contains(&block),
        "spec/claims-json.md must show spec/examples/example-phone.json verbatim"
    );
}

/// The value names of the claims whose JSON form is a name.
fn value_names(name: &str) -> Option<Vec<&'static str>> {
    fn names<T: Copy>(all: &[T], name: fn(T) -> &'static str) -> Option<Vec<&'static str>> {
        Some(all.iter().map(|v| name(*v)).collect())
    }
    match name {
        "evidence-source" => names(EvidenceSource::ALL, EvidenceSource::name),
        "intuse" => names(IntendedUse::ALL, IntendedUse::name),
        "key-security-level" => names(KeySecurityLevel::ALL, KeySecurityLevel::name),
        "dbgstat" => names(DebugStatus::ALL, DebugStatus::name),
        "verified-boot-state" => names(VerifiedBootState::ALL, VerifiedBootState::name),
        "storage-encryption" => names(StorageEncryption::ALL, StorageEncryption::name),
        "installer" => names(Installer::ALL, Installer::name),
        "malware" => names(Malware::ALL, Malware::name),
        _ => None,
    }
}

#[test]
fn spec_table_lists_every_claim_with_its_key_and_value_names() {
    // Rows: | scopes | `name` | key | form |
    let mut rows = Vec::new();
    for line in SPEC.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if let [_, scopes, name, key, form, _] = cells.as_slice() {
            if let (Some(name), Ok(key)) = (
                name.strip_prefix('`').and_then(|n| n.strip_suffix('`')),
                key.parse::<i64>(),
            ) {
                rows.push((scopes.split(", ").collect::<Vec<_>>(), name, key, *form));
            }
        }
    }
    let scopes = [("top", Scope::Top)]
        .into_iter()
        .chain(Layer::ALL.into_iter().map(|l| (l.name(), Scope::Layer(l))));
    let mut listed = 0;
    for (label, scope) in scopes {
        for c in scope.claims() {
            let row = rows
                .iter()
                .find(|(s, n, _, _)| s.contains(&label) && *n == c.name)
                .unwrap_or_else(|| panic!("no row for {label} {}", c.name));
            assert_eq!(row.2, c.key, "{label} {}", c.name);
            if let Some(values) = value_names(c.name) {
                let listed_values = format!(
                    "name: {}",
                    values
                        .iter()
                        .map(|v| format!("`{v}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                assert!(row.3.starts_with(&listed_values), "{}: {}", c.name, row.3);
            }
            listed += 1;
        }
    }
    let rows_listed: usize = rows.iter().map(|(s, _, _, _)| s.len()).sum();
    assert_eq!(
        rows_listed, listed,
        "the table lists a claim no scope defines"
    );
}

#[test]
fn example_json_has_the_documented_forms() {
    let j = phone_json();
    assert_eq!(j["eat-profile"], keys::PROFILE_V1);
    assert_eq!(j["iat"], EXAMPLE_IAT);
    assert_eq!(j["exp"], EXAMPLE_IAT + 300);
    assert_eq!(j["eat-nonce"], "5a".repeat(32));
    assert_eq!(j["oemid"], 32473);
    assert_eq!(j["hwmodel"], "MT-Phone 7 Pro"); // a label that is text (§12.3)
    assert_eq!(j["intuse"], "generic");
    assert_eq!(j["cnf"].as_object().unwrap().len(), 1);
    assert!(j["cnf"]["cose-key"].as_str().unwrap().starts_with("a5"));

    let chip = &j["submods"]["chip"];
    assert_eq!(chip["evidence-source"], "hardware");
    assert_eq!(chip["key-security-level"], "strongbox");
    assert_eq!(chip["security-lifecycle"], 0x3000);
    assert_eq!(chip["dbgstat"], "disabled-permanently");
    assert_eq!(chip["hwversion"], json!({"version": "EVT3-rev2"}));
    assert_eq!(
        chip["dloas"],
        json!([{"registrar": "https://globalplatform.org",
                "platform-label": "GP-TEE-CERT-EXAMPLE-0042"}])
    );

    let boot = &j["submods"]["boot"];
    assert_eq!(boot["verified-boot-state"], "verified");
    assert_eq!(boot["boot-patch-level"], 20251205);
    assert_eq!(boot["measurements"][1]["content-type"], 65000);
    assert_eq!(
        boot["measurements"][1]["content"].as_str().unwrap().len(),
        64
    );

    let os = &j["submods"]["os"];
    assert_eq!(os["evidence-source"], "kernel");
    assert_eq!(os["swversion"], json!({"version": "16", "scheme": 1}));
    assert_eq!(os["os-patch-level"], 20251201);
    assert_eq!(os["storage-encryption"], "hardware-key");
    assert_eq!(
        os["measres"],
        json!([{"system": "mtattest",
                "results": [{"result-for": "kernel-integrity", "result": "success"}]}])
    );

    let app = &j["submods"]["app"];
    assert_eq!(app["installer"], "store");
    assert_eq!(
        app["privacy-events"],
        json!({"out-of-scope": 0, "over-frequency": 0, "background": 1})
    );
    assert_eq!(app["app-signers"].as_array().unwrap().len(), 1);

    let runtime = &j["submods"]["runtime"];
    assert_eq!(runtime["malware"], "none");
    assert_eq!(
        runtime["measres"][0]["results"].as_array().unwrap().len(),
        8
    );

    // No unknown claims, so no "unknown" member anywhere.
    assert!(j.get("unknown").is_none());
    assert!(j["submods"].get("unknown").is_none());
    for layer in Layer::ALL {
        assert!(j["submods"][layer.name()].get("unknown").is_none());
    }
}

// ----------------------------------------------------------- round trips

/// The phone with an unknown claim of every kind, including an integer key
/// beyond 64 bits and keys in the reserved block (as received).
fn phone_with_unknowns() -> ClaimsSet {
    let mut v = phone().to_value();
    let Value::Map(top) = &mut v else { panic!() };
    top.push((int(-90000), text("top")));
    top.push((
        Value::Integer((-(1i128 << 64)).try_into().unwrap()),
        Value::Bytes(vec![1, 2]),
    ));
    top.push((text("vendor-x"), Value::Array(vec![int(1), Value::Null])));
    top.push((text("exp"), Value::Float(1.5)));
    let mut claims = ClaimsSet::from_value(&v).unwrap();
    claims
        .insert_unknown_submodule("tee", Value::Map(vec![(int(1), Value::Bool(true))]))
        .unwrap();
    claims
        .insert_unknown_submodule("unknown", Value::Tag(1, Box::new(int(7))))
        .unwrap();
    let chip = claims.chip.as_mut().unwrap();
    chip.insert_unknown(keys::MEASRES, Value::Array(vec![]))
        .unwrap();
    claims
        .runtime
        .as_mut()
        .unwrap()
        .insert_unknown(keys::IAT, int(5))
        .unwrap();
    let app = claims.app.as_mut().unwrap();
    app.privacy_events
        .as_mut()
        .unwrap()
        .insert_other(9, 4)
        .unwrap();
    app.measres
        .push_group(
            "vendor-scan",
            vec![
                (ResultFor::from("x"), MeasResult::Fail),
                (ResultFor::Bytes(vec![0xde, 0xad]), MeasResult::Absent),
                (ResultFor::from("x"), MeasResult::NotRun),
            ],
        )
        .unwrap();
    claims
        .os
        .as_mut()
        .unwrap()
        .set_detection(detection::ROOT, MeasResult::Fail);
    // A later revision's claim in the reserved block, as a decoder keeps it.
    let mut v = claims.to_value();
    let Value::Map(top) = &mut v else { panic!() };
    for (k, submods) in top.iter_mut() {
        if *k == int(keys::SUBMODS) {
            let Value::Map(layers) = submods else {
                panic!()
            };
            for (name, layer) in layers.iter_mut() {
                if *name == text("boot") {
                    let Value::Map(m) = layer else { panic!() };
                    m.push((int(-80027), text("future")));
                }
            }
        }
    }
    ClaimsSet::from_value(&v).unwrap()
}

#[test]
fn unknown_claims_round_trip_in_their_documented_form() {
    let claims = phone_with_unknowns();
    assert_eq!(claims.unknown_claims().len(), 12);
    let j = claims.to_json();
    assert_eq!(
        j["unknown"],
        json!([
            {"key": -90000, "cbor": "63746f70"},
            {"key-cbor": "3bffffffffffffffff", "cbor": "420102"},
            {"key": "exp", "cbor": "f93e00"},
            {"key": "vendor-x", "cbor": "8201f6"},
        ])
    );
    assert_eq!(
        j["submods"]["unknown"],
        json!([{"key": "tee", "cbor": "a101f5"}, {"key": "unknown", "cbor": "c107"}])
    );
    assert_eq!(
        j["submods"]["chip"]["unknown"],
        json!([{"key": 274, "cbor": "80"}])
    );
    assert_eq!(
        j["submods"]["boot"]["unknown"],
        json!([{"key": -80027, "cbor": "66667574757265"}])
    );
    assert_eq!(
        j["submods"]["runtime"]["unknown"],
        json!([{"key": 6, "cbor": "05"}])
    );
    assert_eq!(j["submods"]["app"]["privacy-events"]["9"], 4);
    assert_eq!(
        j["submods"]["app"]["measres"][1],
        json!({"system": "vendor-scan", "results": [
            {"result-for": "x", "result": "fail"},
            {"result-for": {"bstr": "dead"}, "result": "absent"},
            {"result-for": "x", "result": "not-run"},
        ]})
    );
    assert_eq!(
        j["submods"]["os"]["measres"][0]["results"][1],
        json!({"result-for": "root", "result": "fail"})
    );

    let back = ClaimsSet::from_json(&j).unwrap();
    assert_eq!(back, claims);
    assert_eq!(back.to_cbor(), claims.to_cbor());
    assert_eq!(back.to_json(), j);
    let text = serde_json::to_string(&j).unwrap();
    assert_eq!(ClaimsSet::from_json_str(&text), Ok(claims));
}

#[test]
fn minimal_claims_set() {
    let claims = ClaimsSet::new(0);
    let j = claims.to_json();
    assert_eq!(j, json!({"eat-profile": keys::PROFILE_V1, "iat": 0}));
    assert_eq!(ClaimsSet::from_json(&j), Ok(claims));
}

#[test]
fn layers_with_only_their_evidence_source() {
    let claims = ClaimsSet::builder(-1)
        .boot(BootLayer::new(EvidenceSource::Kernel))
        .build();
    let j = claims.to_json();
    assert_eq!(j["iat"], -1);
    assert_eq!(j["submods"], json!({"boot": {"evidence-source": "kernel"}}));
    assert_eq!(ClaimsSet::from_json(&j), Ok(claims));
}

#[test]
fn key_id_confirmation_and_ieee_oemid() {
    let mut claims = ClaimsSet::builder(1).cnf_kid([1, 2, 3]).build();
    claims.oemid = Some(OemId::Ieee([0x00, 0x1a, 0x2b]));
    let j = claims.to_json();
    assert_eq!(j["cnf"], json!({"kid": "010203"}));
    assert_eq!(j["oemid"], "001a2b");
    assert_eq!(ClaimsSet::from_json(&j), Ok(claims));
}

#[test]
fn uppercase_and_integer_forms_are_not_accepted_as_alternatives() {
    // One canonical form per value: no uppercase hex, no codes for names, no
    // date strings for patch levels.
    let j = edited(|j| j["eat-nonce"] = "5A".repeat(32).into());
    assert_invalid(&j, "eat-nonce");
    let j = edited(|j| j["submods"]["boot"]["verified-boot-state"] = 0.into());
    assert_wrong_type(&j, "submods.boot.verified-boot-state");
    let j = edited(|j| j["submods"]["os"]["os-patch-level"] = "2025-12-01".into());
    assert_wrong_type(&j, "submods.os.os-patch-level");
}

// ----------------------------------------------------------- rejections

#[test]
fn rejects_a_non_object() {
    for j in [json!([]), json!("claims"), json!(null), json!(1)] {
        assert_eq!(reject(&j), ClaimsError::NotAMap);
    }
}

#[test]
fn rejects_missing_required_claims() {
    assert_missing(
        &edited(|j| {
            j.as_object_mut().unwrap().remove("eat-profile");
        }),
        "eat-profile",
    );
    assert_missing(
        &edited(|j| {
            j.as_object_mut().unwrap().remove("iat");
        }),
        "iat",
    );
    for layer in Layer::ALL {
        let j = edited(|j| {
            layer_mut(j, layer.name()).remove("evidence-source");
        });
        assert_missing(&j, &format!("submods.{layer}.evidence-source"));
    }
}

#[test]
fn wrong_profile_wins_over_other_errors() {
    let j = edited(|j| {
        j["eat-profile"] = "tag:example.com,2026:other".into();
        j["iat"] = "soon".into();
        j["typo"] = 1.into();
    });
    assert_eq!(
        reject(&j),
        ClaimsError::WrongProfile {
            found: "tag:example.com,2026:other".into()
        }
    );
    // A profile of the wrong type, or none, is reported before other errors.
    let j = edited(|j| {
        j["eat-profile"] = 1.into();
        j["cnf"] = 1.into();
    });
    assert_wrong_type(&j, "eat-profile");
    let j = edited(|j| {
        j.as_object_mut().unwrap().remove("eat-profile");
        j["cnf"] = 1.into();
    });
    assert_missing(&j, "eat-profile");
}

#[test]
fn rejects_unknown_member_names_with_their_path() {
    let reason = assert_invalid(&edited(|j| j["iatt"] = 1.into()), "iatt");
    assert!(reason.contains("\"unknown\""), "{reason}");
    let j = edited(|j| {
        let boot = layer_mut(j, "boot");
        let v = boot.remove("verified-boot-state").unwrap();
        boot.insert("verfied-boot-state".into(), v);
    });
    let reason = assert_invalid(&j, "submods.boot.verfied-boot-state");
    assert!(reason.contains("boot layer"), "{reason}");
    // A claim of another layer is a typo here too.
    let j = edited(|j| {
        layer_mut(j, "chip").insert("bootloader-locked".into(), true.into());
    });
    assert_invalid(&j, "submods.chip.bootloader-locked");
    let j = edited(|j| j["submods"]["bot"] = json!({"evidence-source": "hardware"}));
    assert_invalid(&j, "submods.bot");
    let j = edited(|j| j["submods"]["os"]["swversion"]["schema"] = 1.into());
    assert_invalid(&j, "submods.os.swversion.schema");
    let j = edited(|j| j["submods"]["chip"]["dloas"][0]["label"] = "x".into());
    assert_invalid(&j, "submods.chip.dloas[0].label");
    let j = edited(|j| j["submods"]["boot"]["measurements"][1]["digest"] = "00".into());
    assert_invalid(&j, "submods.boot.measurements[1].digest");
    let j = edited(|j| j["submods"]["runtime"]["measres"][0]["name"] = "x".into());
    assert_invalid(&j, "submods.runtime.measres[0].name");
    let j = edited(|j| {
        j["submods"]["runtime"]["measres"][0]["results"][2]["value"] = "x".into();
    });
    assert_invalid(&j, "submods.runtime.measres[0].results[2].value");
    let j = edited(|j| j["cnf"]["x5t"] = "00".into());
    assert_invalid(&j, "cnf.x5t");
    let j = edited(|j| j["unknown"] = json!([{"key": 1, "cbor": "00", "note": "x"}]));
    assert_invalid(&j, "unknown[0].note");
}

#[test]
fn rejects_wrong_json_types_with_the_cbor_paths() {
    let cases: Vec<(&str, Edit)> = vec![
        ("iat", Box::new(|j| j["iat"] = 1.5.into())),
        ("iat", Box::new(|j| j["iat"] = "1767225600".into())),
        ("exp", Box::new(|j| j["exp"] = 1e3.into())),
        ("eat-nonce", Box::new(|j| j["eat-nonce"] = json!([1, 2]))),
        (
            "cnf.cose-key",
            Box::new(|j| j["cnf"] = json!({"cose-key": "80"})),
        ),
        ("oemid", Box::new(|j| j["oemid"] = true.into())),
        ("intuse", Box::new(|j| j["intuse"] = 1.into())),
        ("submods", Box::new(|j| j["submods"] = json!([]))),
        ("submods.app", Box::new(|j| j["submods"]["app"] = json!([]))),
        (
            "submods.chip.hw-root-of-trust",
            Box::new(|j| j["submods"]["chip"]["hw-root-of-trust"] = "true".into()),
        ),
        (
            "submods.chip.hwversion",
            Box::new(|j| j["submods"]["chip"]["hwversion"] = json!(["EVT3"])),
        ),
        (
            "submods.os.swversion.version",
            Box::new(|j| j["submods"]["os"]["swversion"]["version"] = 16.into()),
        ),
        (
            "submods.os.swversion.scheme",
            Box::new(|j| j["submods"]["os"]["swversion"]["scheme"] = "semver".into()),
        ),
        (
            "submods.boot.boot-key-digest",
            Box::new(|j| j["submods"]["boot"]["boot-key-digest"] = json!(null)),
        ),
        (
            "submods.app.app-signers[0]",
            Box::new(|j| j["submods"]["app"]["app-signers"][0] = 7.into()),
        ),
        (
            "submods.app.privacy-events",
            Box::new(|j| j["submods"]["app"]["privacy-events"] = json!([0, 0, 1])),
        ),
        (
            "submods.runtime.measres",
            Box::new(|j| j["submods"]["runtime"]["measres"] = json!({})),
        ),
        (
            "submods.runtime.measres[0].results[3].result-for",
            Box::new(|j| {
                j["submods"]["runtime"]["measres"][0]["results"][3]["result-for"] = 3.into()
            }),
        ),
        (
            "submods.runtime.measres[0].results[3].result",
            Box::new(|j| j["submods"]["runtime"]["measres"][0]["results"][3]["result"] = 1.into()),
        ),
        ("unknown", Box::new(|j| j["unknown"] = json!({"key": 1}))),
        (
            "unknown[0].key",
            Box::new(|j| j["unknown"] = json!([{"key": 1.5, "cbor": "00"}])),
        ),
        (
            "submods.unknown[0].key",
            Box::new(|j| j["submods"]["unknown"] = json!([{"key": 1, "cbor": "00"}])),
        ),
    ];
    for (path, edit) in cases {
        assert_wrong_type(&edited(edit), path);
    }
}

#[test]
fn rejects_values_outside_their_value_sets_with_the_cbor_paths() {
    let cases: Vec<(&str, Edit)> = vec![
        ("eat-nonce", Box::new(|j| j["eat-nonce"] = "00".into())),
        ("eat-nonce", Box::new(|j| j["eat-nonce"] = "5a5".into())),
        (
            "eat-nonce",
            Box::new(|j| j["eat-nonce"] = "0x5a5a5a5a5a5a5a5a".into()),
        ),
        ("ueid", Box::new(|j| j["ueid"] = "01".into())),
        ("oemid", Box::new(|j| j["oemid"] = "0102".into())),
        ("intuse", Box::new(|j| j["intuse"] = "general".into())),
        (
            "cnf.cose-key",
            Box::new(|j| j["cnf"] = json!({"cose-key": "a10102ff"})),
        ),
        ("submods", Box::new(|j| j["submods"] = json!({}))),
        (
            "submods.boot.verified-boot-state",
            Box::new(|j| j["submods"]["boot"]["verified-boot-state"] = "Verified".into()),
        ),
        (
            "submods.chip.evidence-source",
            Box::new(|j| j["submods"]["chip"]["evidence-source"] = "tee".into()),
        ),
        (
            "submods.chip.security-lifecycle",
            Box::new(|j| j["submods"]["chip"]["security-lifecycle"] = 0x7000.into()),
        ),
        (
            "submods.chip.dloas",
            Box::new(|j| j["submods"]["chip"]["dloas"] = json!([])),
        ),
        (
            "submods.os.os-patch-level",
            Box::new(|j| j["submods"]["os"]["os-patch-level"] = 202512.into()),
        ),
        (
            "submods.os.vendor-patch-level",
            Box::new(|j| j["submods"]["os"]["vendor-patch-level"] = 20251305.into()),
        ),
        (
            "submods.boot.measurements[0].content-type",
            Box::new(|j| j["submods"]["boot"]["measurements"][0]["content-type"] = 70000.into()),
        ),
        (
            "submods.app.app-signers[0]",
            Box::new(|j| j["submods"]["app"]["app-signers"][0] = "00".into()),
        ),
        (
            "submods.app.privacy-events.1",
            Box::new(|j| j["submods"]["app"]["privacy-events"]["1"] = 2.into()),
        ),
        (
            "submods.app.privacy-events.04",
            Box::new(|j| j["submods"]["app"]["privacy-events"]["04"] = 2.into()),
        ),
        (
            "submods.runtime.measres[0].results[2].result",
            Box::new(|j| {
                j["submods"]["runtime"]["measres"][0]["results"][2]["result"] = "passed".into()
            }),
        ),
        (
            "submods.runtime.measres[0].results[1].result-for",
            Box::new(|j| {
                j["submods"]["runtime"]["measres"][0]["results"][1]["result-for"] = "root".into()
            }),
        ),
        (
            "submods.runtime.measres[1].system",
            Box::new(|j| {
                let group = j["submods"]["runtime"]["measres"][0].clone();
                j["submods"]["runtime"]["measres"]
                    .as_array_mut()
                    .unwrap()
                    .push(group);
            }),
        ),
        (
            "submods.runtime.measres[0].results",
            Box::new(|j| j["submods"]["runtime"]["measres"][0]["results"] = json!([])),
        ),
        (
            "submods.runtime.measres[0].results[0].result-for.bstr",
            Box::new(|j| {
                j["submods"]["runtime"]["measres"][0]["results"][0]["result-for"] =
                    json!({"bstr": "xyz"})
            }),
        ),
    ];
    for (path, edit) in cases {
        assert_invalid(&edited(edit), path);
    }
}

#[test]
fn rejects_missing_parts() {
    let cases: Vec<(&str, Edit)> = vec![
        (
            "submods.os.swversion.version",
            Box::new(|j| j["submods"]["os"]["swversion"] = json!({"scheme": 1})),
        ),
        (
            "submods.chip.dloas[0].platform-label",
            Box::new(|j| j["submods"]["chip"]["dloas"][0] = json!({"registrar": "x"})),
        ),
        (
            "submods.boot.measurements[0].content",
            Box::new(|j| j["submods"]["boot"]["measurements"][0] = json!({"content-type": 1})),
        ),
        (
            "submods.os.measres[0].system",
            Box::new(|j| {
                j["submods"]["os"]["measres"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("system");
            }),
        ),
        (
            "submods.os.measres[0].results[0].result",
            Box::new(|j| {
                j["submods"]["os"]["measres"][0]["results"][0] = json!({"result-for": "x"})
            }),
        ),
        (
            "unknown[0].key",
            Box::new(|j| j["unknown"] = json!([{"cbor": "00"}])),
        ),
        (
            "unknown[0].cbor",
            Box::new(|j| j["unknown"] = json!([{"key": -70001}])),
        ),
    ];
    for (path, edit) in cases {
        assert_missing(&edited(edit), path);
    }
}

#[test]
fn rejects_bad_unknown_claim_entries() {
    // A defined claim written as unknown: it must be written by name.
    let j = edited(|j| j["unknown"] = json!([{"key": 6, "cbor": "00"}]));
    let reason = assert_invalid(&j, "unknown[0].key");
    assert!(reason.contains("\"iat\""), "{reason}");
    let j = edited(|j| j["submods"]["boot"]["unknown"] = json!([{"key": -80020, "cbor": "00"}]));
    assert_invalid(&j, "submods.boot.unknown[0].key");
    // A layer written as an unknown submodule.
    let j = edited(|j| j["submods"]["unknown"] = json!([{"key": "boot", "cbor": "a0"}]));
    assert_invalid(&j, "submods.unknown[0].key");
    // Repeated keys.
    let j = edited(|j| {
        j["unknown"] = json!([{"key": -70001, "cbor": "00"}, {"key": -70001, "cbor": "01"}]);
    });
    assert_invalid(&j, "unknown[1].key");
    // key-cbor only for keys beyond 64 bits; not with key.
    let j = edited(|j| j["unknown"] = json!([{"key-cbor": "3a0001116f", "cbor": "00"}]));
    assert_invalid(&j, "unknown[0].key-cbor");
    let j = edited(|j| j["unknown"] = json!([{"key-cbor": "6161", "cbor": "00"}]));
    assert_invalid(&j, "unknown[0].key-cbor");
    let j = edited(|j| {
        j["unknown"] = json!([{"key": 1, "key-cbor": "3bffffffffffffffff", "cbor": "00"}]);
    });
    assert_invalid(&j, "unknown[0].key-cbor");
    // CBOR that the strict decoder refuses, with its code in the reason.
    for (cbor, code) in [
        ("", "cbor.truncated"),
        ("0000", "cbor.trailing-bytes"),
        ("5f4100ff", "cbor.indefinite-length"),
        ("a2010001f5", "cbor.duplicate-key"),
        ("f8ff", "cbor.malformed"),
    ] {
        let j = edited(|j| j["unknown"] = json!([{"key": -70001, "cbor": cbor}]));
        let reason = assert_invalid(&j, "unknown[0].cbor");
        assert!(reason.contains(code), "{cbor}: {reason}");
    }
    let j = edited(|j| j["unknown"] = json!([{"key": -70001, "cbor": "0G"}]));
    assert_invalid(&j, "unknown[0].cbor");
}

#[test]
fn json_and_cbor_report_the_same_mistake_alike() {
    // The same wrong value given in CBOR and in JSON: same variant, same path.
    let pairs: Vec<(i64, Value, &str, Json)> = vec![
        (keys::VERIFIED_BOOT_STATE, int(9), "boot", "bogus".into()),
        (keys::BOOT_PATCH_LEVEL, int(202512), "boot", 202512.into()),
        (keys::ROLLBACK_INDEX, int(-1), "boot", (-1).into()),
        (keys::BOOTLOADER_LOCKED, int(1), "boot", 1.into()),
        (keys::MEASUREMENTS, Value::Array(vec![]), "boot", json!([])),
        (keys::SWNAME, int(1), "os", 1.into()),
        (keys::APP_VERSION, text("4021"), "app", "4021".into()),
    ];
    for (key, cbor_value, layer, json_value) in pairs {
        let name = Scope::Layer(Layer::from_name(layer).unwrap())
            .name_of(key)
            .unwrap();
        let mut v = phone().to_value();
        let Value::Map(top) = &mut v else { panic!() };
        for (k, submods) in top.iter_mut() {
            if *k == int(keys::SUBMODS) {
                let Value::Map(layers) = submods else {
                    panic!()
                };
                for (n, l) in layers.iter_mut() {
                    if *n == text(layer) {
                        let Value::Map(m) = l else { panic!() };
                        m.retain(|(k, _)| *k != int(key));
                        m.push((int(key), cbor_value.clone()));
                    }
                }
            }
        }
        let from_cbor = ClaimsSet::from_value(&v).unwrap_err();
        let j = edited(|j| j["submods"][layer][name] = json_value);
        let from_json = reject(&j);
        assert_eq!(from_json.code(), from_cbor.code(), "{name}");
        let path = |e: &ClaimsError| match e {
            ClaimsError::WrongType { path, .. }
            | ClaimsError::InvalidValue { path, .. }
            | ClaimsError::Missing { path } => path.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(path(&from_json), path(&from_cbor));
        assert_eq!(path(&from_json), format!("submods.{layer}.{name}"));
    }
}

#[test]
fn from_json_str_refuses_bad_json_and_repeated_members() {
    for bad in ["", "{", "{\"iat\": 1,}", "{'iat': 1}", "[1 2]"] {
        let e = ClaimsSet::from_json_str(bad).unwrap_err();
        assert_eq!(e.code(), "claims.invalid-json", "{bad}");
    }
    let text = format!(
        "{{\"eat-profile\": \"{}\", \"iat\": 1, \"iat\": 2}}",
        keys::PROFILE_V1
    );
    let e = ClaimsSet::from_json_str(&text).unwrap_err();
    assert_eq!(e.code(), "claims.invalid-json");
    assert!(e.to_string().contains("\"iat\" appears twice"), "{e}");
    // Nested too.
    let text = serde_json::to_string(&phone_json()).unwrap().replace(
        "\"malware\":\"none\"",
        "\"malware\":\"none\",\"malware\":\"high\"",
    );
    let e = ClaimsSet::from_json_str(&text).unwrap_err();
    assert!(e.to_string().contains("\"malware\" appears twice"), "{e}");
    // Valid JSON with a claims error keeps the claims error.
    let e = ClaimsSet::from_json_str("[]").unwrap_err();
    assert_eq!(e, ClaimsError::NotAMap);
}

// ------------------------------------------------------------- text

fn lines(text: &str) -> Vec<&str> {
    text.lines().collect()
}

#[test]
fn text_rendering_of_the_example_phone() {
    let text = render_text(&phone());
    let lines = lines(&text);
    let expected_in_order = [
        "top level",
        "  iat: 1767225600 (2026-01-01T00:00:00Z)",
        "  exp: 1767225900 (2026-01-01T00:05:00Z)",
        "  eat-nonce: 5a5a5a5a5a5a5a5a... (32 bytes)",
        "  oemid: PEN 32473",
        "  hwmodel: \"MT-Phone 7 Pro\"",
        "  intuse: generic",
        "  eat-profile: tag:mtattest.dev,2026:eat/v1",
        "chip  (evidence: hardware)",
        "  key-security-level: strongbox",
        "  hw-root-of-trust: true",
        "  security-lifecycle: secured (0x3000)",
        "  dbgstat: disabled-permanently",
        "  hwversion: EVT3-rev2",
        "  dloas: https://globalplatform.org GP-TEE-CERT-EXAMPLE-0042",
        "boot  (evidence: hardware)",
        "  verified-boot-state: verified",
        "  bootloader-locked: true",
        "  boot-patch-level: 2025-12-05",
        "  rollback-index: 3",
        "  bootcount: 42",
        "  uptime: 11820 s (3h 17m)",
        "os  (evidence: kernel)",
        "  swname: Android",
        "  swversion: 16 (scheme 1)",
        "  os-patch-level: 2025-12-01",
        "  vendor-patch-level: 2025-12-05",
        "  storage-encryption: hardware-key",
        "  developer-options: false",
        "  kernel-integrity: success",
        "app  (evidence: software)",
        "  app-id: com.example.wallet",
        "  app-version: 4021",
        "  installer: store",
        "  privacy-events: out-of-scope 0, over-frequency 0, background 1",
        "  app-integrity: success",
        "runtime  (evidence: software)",
        "  malware: none",
        "  attestation-velocity: 3",
        "  root: success",
        "  hooking: success",
        "  malware-scan: success",
        "network  (evidence: software)",
        "  connection: wifi",
        "  wifi-security: wpa3",
        "  proxy: false",
        "  vpn: false",
        "  private-dns: true",
        "  user-ca-certificates: 0",
        "  tls-interception: success",
        "  dns-tampering: success",
        "unknown claims: none",
    ];
    let mut at = 0;
    for want in expected_in_order {
        let found = lines
            .iter()
            .skip(at)
            .position(|l| *l == want)
            .unwrap_or_else(|| panic!("missing or out of order: {want:?}\n{text}"));
        at += found + 1;
    }
    // Every claim of the phone is on a line: a header and 10 top-level claims,
    // 6 + 11 + 9 + 5 + 2 + 6 layer claims, 1 + 1 + 8 + 2 detections, 6 layer
    // headers and the unknown-claims line.
    assert_eq!(
        lines.len(),
        11 + 6 + 11 + 9 + 5 + 2 + 6 + 12 + 6 + 1,
        "{text}"
    );
    let digest_line = lines
        .iter()
        .find(|l| l.starts_with("  boot-key-digest: "))
        .unwrap();
    assert!(digest_line.ends_with("... (32 bytes)"), "{digest_line}");
    let measurements = lines
        .iter()
        .find(|l| l.starts_with("  measurements: "))
        .unwrap();
    assert_eq!(measurements.matches("65000:").count(), 2, "{measurements}");
    assert!(lines.iter().any(|l| l.starts_with("  cnf: COSE_Key a5")));
}

#[test]
fn text_rendering_of_absent_layers_month_only_levels_and_unknowns() {
    let mut claims = phone_with_unknowns();
    claims.chip = None;
    claims.os.as_mut().unwrap().os_patch_level = Some(PatchLevel::from_yyyymm(202512).unwrap());
    claims.app.as_mut().unwrap().app_id = Some("evil\u{1b}[2J".into());
    claims.os.as_mut().unwrap().swname = Some("Andr\u{202e}dio".into());
    claims.boot.as_mut().unwrap().uptime = Some(90_061);
    let text = render_text(&claims);
    let lines = lines(&text);
    for want in [
        "chip  (not reported)",
        "  os-patch-level: 2025-12",
        "  root: fail",
        "  vendor-scan/x: fail",
        "  vendor-scan/dead: absent",
        "  vendor-scan/x: not-run",
        "  app-id: evil\\u{1b}[2J",
        "  swname: Andr\\u{202e}dio",
        "  uptime: 90061 s (1d 1h 1m)",
        "  privacy-events: out-of-scope 0, over-frequency 0, background 1, 9: 4",
    ] {
        assert!(lines.contains(&want), "missing {want:?}\n{text}");
    }
    let unknown = lines.last().unwrap();
    assert_eq!(
        *unknown,
        "unknown claims: -90000, -18446744073709551616, exp, vendor-x, submods.tee, \
         submods.unknown, submods.boot.-80027, submods.os.measres[0].results[1], \
         submods.app.measres[1], submods.app.privacy-events.9, submods.runtime.6"
    );
}

// ------------------------------------------------------- property tests

/// Any JSON value, small.
fn json_value() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(Json::from),
        any::<u64>().prop_map(Json::from),
        (-1.0e6f64..1.0e6).prop_map(Json::from),
        "[a-z0-9-]{0,10}".prop_map(Json::String),
        proptest::sample::select(
            &[
                "verified",
                "success",
                "hardware",
                "00",
                "5a5a5a5a5a5a5a5a",
                "mtattest"
            ][..]
        )
        .prop_map(Json::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Json::Array),
            proptest::collection::btree_map(member_name(), inner, 0..4)
                .prop_map(|m| Json::Object(m.into_iter().collect())),
        ]
    })
}

/// Member names: claims, parts, the unknown-list members, typos.
fn member_name() -> impl Strategy<Value = String> {
    let names: Vec<&'static str> = Layer::ALL
        .iter()
        .flat_map(|l| l.claims().iter().map(|c| c.name))
        .chain(names::TOP_LEVEL.iter().map(|c| c.name))
        .chain(Layer::ALL.iter().map(|l| l.name()))
        .chain([
            "unknown",
            "key",
            "key-cbor",
            "cbor",
            "bstr",
            "version",
            "scheme",
            "system",
            "results",
            "result-for",
            "result",
            "content",
            "content-type",
            "registrar",
            "platform-label",
            "background",
            "4",
            "cose-key",
            "kid",
            "typo",
        ])
        .collect();
    proptest::sample::select(names).prop_map(String::from)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn json_round_trip_is_lossless(claims in strategies::claims_set()) {
        let j = claims.to_json();
        let back = ClaimsSet::from_json(&j)
            .map_err(|e| TestCaseError::fail(format!("{e} ({})\n{j:#}", e.code())))?;
        prop_assert_eq!(&back, &claims);
        prop_assert_eq!(back.to_cbor(), claims.to_cbor());
        prop_assert_eq!(back.to_json(), j.clone());
        let text = serde_json::to_string(&j).unwrap();
        prop_assert_eq!(ClaimsSet::from_json_str(&text), Ok(claims.clone()));
        // Through CBOR bytes and back to JSON: the same JSON.
        let decoded = ClaimsSet::from_cbor(&claims.to_cbor(), &Limits::DEFAULT).unwrap();
        prop_assert_eq!(decoded.to_json(), j);
        // The text rendering never panics and names every layer.
        let text = render_text(&claims);
        for layer in Layer::ALL {
            let prefix = format!("{layer}  (");
            prop_assert!(text.lines().any(|l| l.starts_with(&prefix)));
        }
    }

    #[test]
    fn from_json_never_panics_and_what_it_accepts_round_trips(
        layer in proptest::sample::select(&["chip", "boot", "os", "app", "runtime", ""][..]),
        name in member_name(),
        value in json_value(),
    ) {
        let mut j = phone_json();
        let target = if layer.is_empty() {
            j.as_object_mut().unwrap()
        } else {
            layer_mut(&mut j, layer)
        };
        target.insert(name, value);
        if let Ok(claims) = ClaimsSet::from_json(&j) {
            let again = ClaimsSet::from_json(&claims.to_json());
            prop_assert_eq!(again, Ok(claims.clone()));
            let _ = render_text(&claims);
        }
        let _ = ClaimsSet::from_json_str(&serde_json::to_string(&j).unwrap());
    }
}
