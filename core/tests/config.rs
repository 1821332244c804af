//! `VerifierConfig` beyond the cross-front-end matrix
//! (`tests/config-matrix/`): defaults, the file loader, the example file
//! of `docs/`, the wiring of caches and policies, and the call checks.

use std::path::PathBuf;

use mtattest::appraisal::{EarProfile, Freshness, Status};
use mtattest::config::{
    DerSource, JsonSource, PolicyConfig, Text, VerifierConfig, MAX_CONFIG_SIZE,
};
use mtattest::UnixTime;
use serde_json::json;

const TIME: i64 = 1_790_000_000;
const NONCE: &str = "a0e6e3acdfc0f09dc315a8f7b0b597a5cf340df2f55ebc995ca6bc138b492b31";
const SIGNER: &str = "4cfb7423dafebc728227283ce04b8eb77f132ecbbd4eaa1e0bd9a7366dcde4b7";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn vector(rel: &str) -> Vec<u8> {
    std::fs::read(root().join("test-vectors").join(rel)).expect("vector file")
}

fn root_pem() -> String {
    String::from_utf8(vector("anchors/root.pem")).expect("PEM")
}

fn token() -> Vec<u8> {
    vector("tokens/valid-es384-example-phone.cbor")
}

fn nonce() -> Vec<u8> {
    mtattest::config::challenge_from_hex(NONCE).expect("hex")
}

fn config(extra: serde_json::Value) -> VerifierConfig {
    let mut doc = json!({"anchors": [{"pem": root_pem()}]});
    for (k, v) in extra.as_object().expect("object") {
        doc[k] = v.clone();
    }
    VerifierConfig::from_json(doc.to_string().as_bytes()).expect("parses")
}

fn code<T: std::fmt::Debug>(r: Result<T, mtattest::Error>) -> &'static str {
    r.map(|_| ()).err().map_or("ok", |e| e.code())
}

#[test]
fn absent_members_take_fail_closed_defaults() {
    let verifier = config(json!({})).build().expect("builds");
    let now = UnixTime::from_secs(TIME);
    let verified = verifier
        .verify(&token(), Some(&nonce()), now)
        .expect("verifies");
    let result = verifier
        .appraise_with(&verified, None, now)
        .expect("default");
    // No policy: nothing appraised, and nothing allowed.
    assert_eq!(result.status, Status::None);
    assert_eq!(result.action.name(), "deny");
    assert_eq!(result.policy_id, "none");
    assert_eq!(verifier.freshness(), Freshness::DEFAULT);
    assert_eq!(verifier.ear_profile(), EarProfile::Veraison2023);
    assert!(verified.replay_checked());
    assert_eq!(
        verifier.chain_cache_stats().expect("a cache").capacity,
        1024
    );
    // The same token again is a replay: the replay cache is on.
    assert_eq!(
        code(verifier.verify(&token(), Some(&nonce()), now)),
        "replay.seen"
    );
    // Nothing at all: no anchors.
    assert_eq!(code(VerifierConfig::default().build()), "config.no-anchors");
}

#[test]
fn call_arguments_are_checked_before_anything_is_verified() {
    let verifier = config(json!({"require-nonce": true}))
        .build()
        .expect("builds");
    let now = UnixTime::from_secs(TIME);
    // Before the token is even decoded: garbage gets the call's code.
    assert_eq!(
        code(verifier.verify(b"junk", Some(&[]), now)),
        "config.empty"
    );
    assert_eq!(
        code(verifier.verify(b"junk", None, now)),
        "config.nonce-required"
    );
    assert_eq!(
        code(verifier.verify(&token(), None, now)),
        "config.nonce-required"
    );
    // A refused call consumed nothing: the token still verifies once.
    assert_eq!(code(verifier.verify(&token(), Some(&nonce()), now)), "ok");
    // Without require-nonce an empty challenge is still no "no challenge".
    let lax = config(json!({})).build().expect("builds");
    assert_eq!(code(lax.verify(&token(), Some(&[]), now)), "config.empty");
    assert_eq!(code(lax.verify(&token(), None, now)), "ok");
}

#[test]
fn the_default_policy() {
    let pay = json!({"preset": "payment", "app-signers": [SIGNER]});
    let byod = json!({"preset": "byod", "app-signers": [SIGNER]});
    let now = UnixTime::from_secs(TIME);
    let default_id = |extra: serde_json::Value| {
        let verifier = config(extra).build().expect("builds");
        let verified = verifier.verify(&token(), Some(&nonce()), now).expect("ok");
        verifier
            .appraise_with(&verified, None, now)
            .expect("default")
            .policy_id
    };
    // The only policy is the default; of several, the one named; with
    // several and none named, none.
    assert_eq!(default_id(json!({"policies": {"p": pay}})), "payment");
    assert_eq!(
        default_id(json!({"policies": {"p": pay, "b": byod}, "default-policy": "b"})),
        "byod"
    );
    assert_eq!(
        default_id(json!({"policies": {"p": pay, "b": byod}})),
        "none"
    );
    assert_eq!(
        code(config(json!({"default-policy": "p"})).build()),
        "config.unknown-policy"
    );
    assert_eq!(
        code(config(json!({"policies": {"p": pay}, "default-policy": ""})).build()),
        "config.empty"
    );
    assert_eq!(
        code(config(json!({"policies": {"": pay}})).build()),
        "config.empty"
    );
    // Named policies, and a name that is not configured.
    let verifier = config(json!({"policies": {"p": pay, "b": byod}}))
        .build()
        .expect("builds");
    let verified = verifier.verify(&token(), Some(&nonce()), now).expect("ok");
    let result = verifier
        .appraise_with(&verified, Some("b"), now)
        .expect("b");
    assert_eq!(result.policy_id, "byod");
    assert_eq!(
        code(verifier.appraise_with(&verified, Some("x"), now)),
        "config.unknown-policy"
    );
    assert_eq!(verifier.policy_names().collect::<Vec<_>>(), ["b", "p"]);
}

#[test]
fn the_document_form_is_strict() {
    let parse = |text: &str| code(VerifierConfig::from_json(text.as_bytes()));
    assert_eq!(parse("{"), "config.syntax");
    assert_eq!(parse(""), "config.empty");
    assert_eq!(parse(" \n"), "config.empty");
    assert_eq!(parse("{}"), "ok");
    assert_eq!(parse("[]"), "config.syntax");
    // A table is never read from a list of its members.
    assert_eq!(parse(r#"{"limits": [8192]}"#), "config.syntax");
    assert_eq!(parse(r#"{"replay": [1]}"#), "config.syntax");
    assert_eq!(parse(r#"{"verifier-id": ["d", "b"]}"#), "config.syntax");
    assert_eq!(
        parse(r#"{"policies": {"p": ["payment"]}}"#),
        "config.syntax"
    );
    assert_eq!(
        parse(r#"{"allowed-algorithms": [["ES384"]]}"#),
        "config.syntax"
    );
    assert_eq!(
        parse(r#"{"policies": {"a.b": {"preset": "byod", "app-signers": ["00"]}}}"#),
        "ok"
    );
    assert_eq!(
        parse(r#"{"anchors": [{"pem": "x", "der": "00"}]}"#),
        "config.syntax"
    );
    assert_eq!(parse(r#"{"anchors": [{"pme": "x"}]}"#), "config.syntax");
    assert_eq!(parse(r#"{"anchors": [null]}"#), "config.syntax");
    assert_eq!(
        parse(r#"{"policies": {"p": {"presett": "payment"}}}"#),
        "config.syntax"
    );
    assert_eq!(
        parse(r#"{"replay": {"peak-rate": 1, "x": 1}}"#),
        "config.syntax"
    );
    assert_eq!(
        parse(r#"{"verifier-id": {"developer": "d"}}"#),
        "config.syntax"
    );
    assert_eq!(parse(r#"{"max-age-secs": 4294967296}"#), "config.syntax");
    assert_eq!(parse(r#"{"max-age-secs": 1.5}"#), "config.syntax");
    // JSON has no rule against repeated members; the configuration does.
    assert_eq!(
        parse(r#"{"max-age-secs": 1, "max-age-secs": 2}"#),
        "config.syntax"
    );
    assert_eq!(
        parse(r#"{"policies": {"p": {"preset": "byod"}, "p": {"preset": "payment"}}}"#),
        "config.syntax"
    );
    let huge = format!(r#"{{"crypto": "{}"}}"#, "x".repeat(MAX_CONFIG_SIZE));
    assert_eq!(parse(&huge), "config.too-large");
    // null is absent.
    assert_eq!(parse(r#"{"anchors": null, "policies": null}"#), "ok");
}

#[cfg(feature = "toml")]
#[test]
fn toml_is_as_strict() {
    let parse = |text: &str| code(VerifierConfig::from_toml(text));
    assert_eq!(parse("max-age = 3"), "config.syntax");
    assert_eq!(parse(""), "config.empty");
    assert_eq!(parse("# only a comment"), "ok");
    assert_eq!(parse("max-age-secs = 3\nmax-age-secs = 4"), "config.syntax");
    assert_eq!(
        parse("[policies.p]\npreset = \"byod\"\n[policies.p]\npreset = \"payment\""),
        "config.syntax"
    );
    assert_eq!(parse("anchors = [{ pem = \"x\" }]\nmax-age-secs = 3"), "ok");
    assert_eq!(parse("limits = [8192]"), "config.syntax");
    assert_eq!(parse("verifier-id = [\"d\", \"b\"]"), "config.syntax");
}

#[test]
fn unresolved_file_references_are_refused_outside_the_loader() {
    for extra in [
        json!({"anchors": [{"file": "root.pem"}]}),
        json!({"crls": [{"file": "x.crl"}]}),
        json!({"status-list": {"file": "s.json"}}),
        json!({"bulletins": {"file": "b.json"}}),
        json!({"policies": {"p": {"file": "p.json"}}}),
    ] {
        let mut doc = extra.clone();
        if doc.get("anchors").is_none() {
            doc["anchors"] = json!([{"pem": root_pem()}]);
        }
        let config = VerifierConfig::from_json(doc.to_string().as_bytes()).expect("parses");
        assert_eq!(code(config.build()), "config.unavailable", "{extra}");
    }
}

#[test]
fn the_loader_reads_files_relative_to_the_configuration() {
    let dir = std::env::temp_dir().join(format!("mtattest-config-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("sub")).expect("temp dir");
    std::fs::write(dir.join("sub/root.pem"), root_pem()).expect("write");
    std::fs::write(dir.join("sub/root.der"), der_of_root()).expect("write");
    std::fs::write(
        dir.join("sub/pay.json"),
        format!(r#"{{"id": "file-pay", "extends": "payment", "app-signers": ["{SIGNER}"]}}"#),
    )
    .expect("write");
    std::fs::write(dir.join("sub/empty.json"), " \n").expect("write");
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write");
        path
    };
    let good = write(
        "good.toml",
        "anchors = [{ file = \"sub/root.pem\" }]\ndefault-policy = \"p\"\n\
         [policies.p]\nfile = \"sub/pay.json\"\n",
    );
    let config = VerifierConfig::load(&good).expect("loads");
    assert!(matches!(
        config.anchors.as_deref(),
        Some([DerSource::Pem(_)])
    ));
    assert!(config.policies.as_ref().expect("policies")["p"]
        .json
        .is_some());
    let verifier = config.build().expect("builds");
    let now = UnixTime::from_secs(TIME);
    let verified = verifier.verify(&token(), Some(&nonce()), now).expect("ok");
    let result = verifier.appraise_with(&verified, None, now).expect("p");
    assert_eq!(result.policy_id, "file-pay");
    assert_eq!(result.status, Status::Affirming);

    // DER files become hex; JSON configurations load too.
    let der = write(
        "der.json",
        r#"{"anchors": [{"file": "sub/root.der"}], "status-list": {"file": "sub/empty.json"}}"#,
    );
    assert_eq!(code(VerifierConfig::load(&der)), "config.empty");
    let der = write("der2.json", r#"{"anchors": [{"file": "sub/root.der"}]}"#);
    let config = VerifierConfig::load(&der).expect("loads");
    assert!(matches!(
        config.anchors.as_deref(),
        Some([DerSource::Der(_)])
    ));
    assert_eq!(code(config.build()), "ok");

    let cases = [
        (
            "missing.toml",
            "anchors = [{ file = \"sub/none.pem\" }]",
            "config.unreadable",
        ),
        (
            "blank-name.toml",
            "anchors = [{ file = \" \" }]",
            "config.empty",
        ),
        (
            "blank-file.toml",
            "bulletins = { file = \"sub/empty.json\" }",
            "config.empty",
        ),
        (
            "policy-ext.toml",
            "[policies.p]\nfile = \"sub/root.pem\"",
            "config.bad-value",
        ),
        ("bad.toml", "anchors = []\nnope = 1", "config.syntax"),
        ("config.yaml", "anchors: []", "config.bad-value"),
    ];
    for (name, text, expected) in cases {
        assert_eq!(
            code(VerifierConfig::load(&write(name, text))),
            expected,
            "{name}"
        );
    }
    assert_eq!(
        code(VerifierConfig::load(&dir.join("absent.toml"))),
        "config.unreadable"
    );
    // A policy with a file and another source is left for the build to refuse.
    let two = write(
        "two.toml",
        "anchors = [{ file = \"sub/root.pem\" }]\n[policies.p]\nfile = \"sub/pay.json\"\npreset = \"byod\"",
    );
    assert_eq!(
        code(VerifierConfig::load(&two).and_then(|c| c.build())),
        "config.bad-value"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn der_of_root() -> Vec<u8> {
    let pem = root_pem();
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .expect("base64")
}

/// The example of docs/configuration.md loads and verifies the example
/// phone's vector: affirming under its default (payment) policy, with the
/// clean CRL, the clean status list and the bulletin feed.
#[test]
fn the_documented_example_file_works() {
    let path = root().join("docs/examples/verifier.toml");
    let config = VerifierConfig::load(&path).expect("the example loads");
    let verifier = config.build().expect("the example builds");
    let now = UnixTime::from_secs(TIME);
    assert_eq!(
        verifier.verify(&token(), None, now).unwrap_err().code(),
        "config.nonce-required"
    );
    let verified = verifier.verify(&token(), Some(&nonce()), now).expect("ok");
    let result = verifier
        .appraise_with(&verified, None, now)
        .expect("default");
    assert_eq!(result.status, Status::Affirming);
    assert_eq!(result.verifier_id.developer, "Example Bank");
    assert_eq!(
        verifier.policy_names().collect::<Vec<_>>(),
        ["byod", "payment"]
    );
    // The JSON form of the same configuration reads back equal.
    let again = VerifierConfig::from_json(config.to_json().as_bytes()).expect("JSON");
    assert_eq!(again, config);
}

#[test]
fn the_replay_cache_is_sized_by_the_peak_rate() {
    use mtattest::appraisal::{acceptance_window_secs, replay_capacity};
    // Hand-computed from spec §11.2.1: 2 × rate × (window + ⌈window / 16⌉
    // + 10 + 60), the window being max-age + 2 × skew.
    assert_eq!(acceptance_window_secs(&Freshness::DEFAULT), 420);
    assert_eq!(replay_capacity(1000, 420), 2 * 1000 * (420 + 27 + 10 + 60));
    let f = Freshness {
        max_age_secs: 10,
        clock_skew_secs: 5,
    };
    assert_eq!(
        replay_capacity(3, acceptance_window_secs(&f)),
        2 * 3 * (20 + 2 + 10 + 60)
    );
    let max = Freshness {
        max_age_secs: u32::MAX,
        clock_skew_secs: u32::MAX,
    };
    assert!(replay_capacity(u32::MAX, acceptance_window_secs(&max)) > 0);
}

/// The capacity reaches the verifier. A zero-second window at one token/s
/// holds 2 × 1 × (0 + 1 + 10 + 60) = 142 identifiers (spec §11.2.1): 71
/// tokens of two identifiers each, and the 72nd is refused as cache-full;
/// at two tokens/s it is accepted.
#[test]
fn the_replay_cache_holds_what_the_peak_rate_says() {
    use mtattest::token::HeaderPlacement;
    use mtattest_testkit::example_phone;
    use mtattest_testkit::pki::TestPki;

    let pki = TestPki::standard().expect("pki");
    let now = UnixTime::from_secs(TIME);
    let mut config = config(json!({"max-age-secs": 0, "clock-skew-secs": 0}));
    config.anchors = Some(vec![DerSource::der(&pki.root.der)]);
    let issue = |n: u8| {
        let mut claims = example_phone(TIME, vec![n; 16]);
        claims.exp = None;
        claims.cti = Some(mtattest::claims::Cti::new(vec![n; 16]).expect("cti"));
        pki.token(&claims, HeaderPlacement::Protected)
            .expect("token")
    };
    let tokens: Vec<Vec<u8>> = (1..=72).map(issue).collect();
    for rate in [1, 2] {
        config.replay = Some(mtattest::config::ReplayConfig {
            peak_rate: Some(rate),
        });
        let verifier = config.build().expect("builds");
        for (n, token) in (1u8..).zip(&tokens[..71]) {
            assert_eq!(code(verifier.verify(token, Some(&[n; 16]), now)), "ok");
        }
        let last = code(verifier.verify(&tokens[71], Some(&[72; 16]), now));
        assert_eq!(last, if rate == 1 { "replay.cache-full" } else { "ok" });
    }
}

#[test]
fn settings_reach_the_verifier() {
    let now = UnixTime::from_secs(TIME);
    let verifier = config(json!({
        "max-age-secs": 30, "clock-skew-secs": 0, "chain-cache-size": 7,
        "ear-profile": "ietf-draft-04",
        "verifier-id": {"developer": "d", "build": "b"}
    }))
    .build()
    .expect("builds");
    assert_eq!(verifier.freshness().max_age_secs, 30);
    assert_eq!(verifier.ear_profile(), EarProfile::IetfDraft04);
    assert_eq!(verifier.chain_cache_stats().expect("cache").capacity, 7);
    let verified = verifier
        .verify(&token(), Some(&nonce()), now)
        .expect("30 s old");
    let result = verifier.appraise_with(&verified, None, now).expect("none");
    assert_eq!(result.verifier_id.build, "b");
    // 31 s is too old.
    let strict = config(json!({"max-age-secs": 29, "clock-skew-secs": 0}))
        .build()
        .expect("builds");
    assert_eq!(
        code(strict.verify(&token(), Some(&nonce()), now)),
        "freshness.stale"
    );
}

#[test]
fn rust_values_are_checked_like_parsed_ones() {
    let mut config = config(json!({}));
    config.status_list = Some(JsonSource::Json(Text::new("\t")));
    assert_eq!(code(config.build()), "config.empty");
    config.status_list = None;
    config.policies = Some([("p".to_string(), PolicyConfig::preset_or_json(""))].into());
    assert_eq!(code(config.build()), "config.empty");
    config.policies = Some([("p".to_string(), PolicyConfig::preset_or_file("byod"))].into());
    assert_eq!(code(config.build()), "policy.missing-parameter");
    config.policies = None;
    config.allowed_algorithms = Some(vec!["ES384".into(), "ES384".into()]);
    assert_eq!(code(config.build()), "config.bad-value");
    config.allowed_algorithms = None;
    config.crls = Some(vec![DerSource::Pem(
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----".into(),
    )]);
    assert_eq!(code(config.build()), "chain.bad-revocation-data");
    config.crls = None;
    // check_contents: everything but the anchors.
    config.anchors = None;
    assert_eq!(code(config.check_contents()), "ok");
    config.bulletins = Some(JsonSource::Json("[]".into()));
    assert_eq!(code(config.check_contents()), "bulletin.syntax");
}

#[test]
fn pem_anchors_are_read_block_by_block() {
    let pem = root_pem();
    let now = UnixTime::from_secs(TIME);
    let with = |text: String| {
        let mut c = config(json!({}));
        c.anchors = Some(vec![DerSource::Pem(text.into())]);
        c.build()
            .map(|v| v.verify(&token(), Some(&nonce()), now).map(drop))
    };
    // The same anchor twice is one anchor (spec §10.3).
    assert!(matches!(with(format!("{pem}{pem}")), Ok(Ok(()))));
    // Text around and between blocks is ignored.
    assert!(matches!(
        with(format!("subject=CN=root\n{pem}\ntrailing words\n")),
        Ok(Ok(()))
    ));
    for (text, expected) in [
        ("no pem here".to_string(), "chain.bad-anchor"),
        (
            "-----BEGIN CERTIFICATE-----".to_string(),
            "chain.bad-anchor",
        ),
        (
            "-----BEGIN CERTIFICATE----------END CERTIFICATE-----".to_string(),
            "chain.bad-anchor",
        ),
        (
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----".to_string(),
            "chain.bad-anchor",
        ),
    ] {
        assert_eq!(code(with(text.clone()).map(drop)), expected, "{text:?}");
    }
}
