//! The verdict table of `tests/verdicts/matrix.json` through the Rust API,
//! and what the verdict says beyond status and action: the trust vector's
//! `configuration` when a feed finds nothing, and how policy documents are
//! held to "no verdict is deny" (spec §11.3.2, §11.5.2). The same table is
//! run through the CLI (`cli/tests/verdicts.rs`), the C ABI
//! (`ffi/scripts/verdicts.py`) and WebAssembly
//! (`wasm/tests/verdicts.test.mjs`).

use std::path::{Path, PathBuf};

use mtattest::appraisal::{
    Action, Actions, AttestationResult, Bulletin, Component, Policy, Status,
};
use mtattest::trust::{ChainVerifier, TrustAnchors};
use mtattest::verifier::{KeySource, Verifier};
use mtattest::UnixTime;
use serde_json::Value;

fn table_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/verdicts")
}

fn table() -> Value {
    let path = table_dir().join("matrix.json");
    let text = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&text).expect("matrix.json is JSON")
}

fn vectors(table: &Value) -> PathBuf {
    table_dir().join(table["vectors"].as_str().expect("vectors"))
}

fn read(dir: &Path, rel: &str) -> Vec<u8> {
    let path = dir.join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A file named by `table[group][name]`, or `None` where the table says null.
fn file(table: &Value, group: &str, name: &str) -> Option<Vec<u8>> {
    let entry = table[group]
        .get(name)
        .unwrap_or_else(|| panic!("{group}.{name} is not in the table"));
    entry.as_str().map(|rel| read(&vectors(table), rel))
}

/// Verifies the table's `phone` token and appraises it under `policy` with
/// `feed`, as a relying party would with a fresh verifier.
fn appraise(table: &Value, policy: &Policy, feed: Option<&[u8]>, phone: &str) -> AttestationResult {
    let dir = vectors(table);
    let mut anchors = TrustAnchors::new();
    anchors
        .add_pem(&read(&dir, table["anchors"].as_str().expect("anchors")))
        .expect("anchors");
    let mut builder = Verifier::builder(KeySource::chain(ChainVerifier::new(anchors)));
    if let Some(feed) = feed {
        builder = builder.bulletin(Bulletin::from_json(feed).expect("feed"));
    }
    let nonce = hex::decode(table["nonce"].as_str().expect("nonce")).expect("nonce hex");
    let now = UnixTime::from_secs(table["time"].as_i64().expect("time"));
    let token = file(table, "phones", phone).expect("phone token");
    builder
        .build()
        .verify_and_appraise(&token, Some(&nonce), policy, now)
        .unwrap_or_else(|e| panic!("{phone}: {e}"))
        .1
}

/// The table's policy `name`; `none` is what a front end uses when it is
/// given no policy.
fn policy(table: &Value, name: &str) -> Policy {
    match file(table, "policies", name) {
        None => Policy::none(),
        Some(doc) => Policy::from_json(&doc).expect("policy"),
    }
}

#[test]
fn every_front_end_case_through_the_rust_api() {
    let table = table();
    let cases = table["cases"].as_array().expect("cases");
    assert_eq!(cases.len(), 30, "3 policies x 5 feeds x 2 phones");
    let mut wrong = Vec::new();
    for case in cases {
        let field = |f: &str| case[f].as_str().expect(f);
        let (p, f, phone) = (field("policy"), field("feed"), field("phone"));
        let feed = file(&table, "feeds", f);
        let result = appraise(&table, &policy(&table, p), feed.as_deref(), phone);
        let got = (result.status.name(), result.action.name());
        let want = (field("status"), field("action"));
        if got != want {
            wrong.push(format!("{p} / {f} / {phone}: want {want:?}, got {got:?}"));
        }
        // The EAR carries the same verdict, and a status none never comes
        // with an affirming-tier claim a reader could derive "affirming" from.
        assert_eq!(
            result.to_json_value()["ear.status"],
            want.0,
            "{p} / {f} / {phone}"
        );
        if result.status == Status::None {
            assert!(result.trust_vector.is_empty(), "{p} / {f} / {phone}");
            assert!(result.reasons.is_empty(), "{p} / {f} / {phone}");
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// A policy whose rules leave `configuration` alone: one rule on the boot
/// layer's evidence source.
fn boot_rule_only() -> Policy {
    Policy::from_json(
        br#"{"id": "boot-only", "rules": [
            {"id": "boot-hardware", "claim": "submods.boot.evidence-source",
             "at-least": "hardware", "on-fail": "contraindicated"}],
            "bulletin": {"warning-at": "medium"}}"#,
    )
    .expect("policy")
}

#[test]
fn configuration_3_only_beside_a_verdict_of_the_rules_and_when_nothing_matched() {
    let table = table();
    let config = |r: &AttestationResult| r.trust_vector.get(Component::Configuration);
    let no_match = file(&table, "feeds", "no-match");
    let ignored = file(&table, "feeds", "below-warning");

    // Rules gave a verdict and no advisory applies: "no known vulnerabilities".
    let r = appraise(&table, &boot_rule_only(), no_match.as_deref(), "healthy");
    assert_eq!((r.status, config(&r)), (Status::Affirming, Some(3)));
    // An advisory the policy ignores is still a known vulnerability.
    let r = appraise(&table, &boot_rule_only(), ignored.as_deref(), "healthy");
    assert_eq!((r.status, config(&r)), (Status::Affirming, None));
    // Without a feed nothing is said about known vulnerabilities.
    let r = appraise(&table, &boot_rule_only(), None, "healthy");
    assert_eq!((r.status, config(&r)), (Status::Affirming, None));
    // A rule that already judged the configuration keeps its value (the
    // payment preset's os-patch rule gives 2).
    let preset = policy(&table, "preset");
    let r = appraise(&table, &preset, no_match.as_deref(), "healthy");
    assert_eq!((r.status, config(&r)), (Status::Affirming, Some(2)));
    // No rule: nothing to stand beside, so no claim at all.
    for name in ["none", "no-rules"] {
        let r = appraise(
            &table,
            &policy(&table, name),
            no_match.as_deref(),
            "compromised",
        );
        assert_eq!((r.status, r.action), (Status::None, Action::Deny), "{name}");
        assert!(r.trust_vector.is_empty(), "{name}: {:?}", r.trust_vector);
        assert!(r.layers.is_empty(), "{name}");
    }
}

#[test]
fn a_policy_without_rules_only_denies() {
    for doc in [
        r#"{"id": "x"}"#,
        r#"{"id": "x", "actions": {"affirming": "allow", "warning": "step-up"}}"#,
        r#"{"id": "x", "actions": {"warning": "allow", "contraindicated": "allow"}}"#,
        r#"{"extends": "content", "remove-rules": ["key-level", "boot-verified",
            "bootloader-locked", "os-patch", "no-root", "no-hooking", "no-screen-capture",
            "no-emulator", "no-tls-interception", "no-vpn", "app-signer", "fresh"]}"#,
    ] {
        let policy = Policy::from_json(doc.as_bytes()).unwrap_or_else(|e| panic!("{doc}: {e}"));
        assert!(policy.rules().is_empty(), "{doc}");
        assert_eq!(*policy.actions(), Actions::DENY_ALL, "{doc}");
        // It says so when written out, and loads back the same.
        let again = Policy::from_json(policy.to_json().as_bytes()).expect("round trip");
        assert_eq!(*again.actions(), Actions::DENY_ALL, "{doc}");
    }
    assert_eq!(*Policy::none().actions(), Actions::DENY_ALL);
    assert_eq!(Policy::none().id(), "none");
    // With a rule the document's actions apply.
    let with_rule = Policy::from_json(
        br#"{"id": "x", "rules": [{"id": "r", "claim": "iat", "max-age-secs": 60,
             "on-fail": "warning"}], "actions": {"warning": "allow"}}"#,
    )
    .expect("policy");
    assert_eq!(
        with_rule.actions().for_status(Status::Warning),
        Action::Allow
    );
    assert_eq!(with_rule.actions().for_status(Status::None), Action::Deny);
}

#[test]
fn no_verdict_is_never_mapped_to_anything_but_deny() {
    for (doc, code) in [
        (
            r#"{"id": "x", "actions": {"none": "allow"}}"#,
            "policy.syntax",
        ),
        (
            r#"{"id": "x", "actions": {"none": "step-up"}}"#,
            "policy.syntax",
        ),
        (
            r#"{"extends": "payment", "app-signers": ["00"], "actions": {"none": "allow"}}"#,
            "policy.syntax",
        ),
        (
            "id = \"x\"\n[actions]\nnone = \"step-up\"\n",
            "policy.syntax",
        ),
    ] {
        let result = if doc.starts_with('{') {
            Policy::from_json(doc.as_bytes())
        } else {
            Policy::from_toml(doc)
        };
        let err = result.expect_err(doc);
        assert_eq!(err.code(), code, "{doc}");
        assert!(err.to_string().contains("actions.none"), "{err}");
    }
    Policy::from_json(br#"{"id": "x", "actions": {"none": "deny"}}"#).expect("deny is fine");
}
