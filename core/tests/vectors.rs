//! The conformance vectors (`test-vectors/`, `spec/vectors.md`): every case
//! of the manifest run through the public API gives its expected outcome,
//! and the generator (`mtattest_testkit::vectors`) reproduces every
//! committed file byte for byte.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use mtattest::android::{AndroidSettings, AttestationRules, ChallengeMode, SecurityLevel};
use mtattest::appraisal::{AttestationResult, Bulletin, EarProfile, Freshness, Policy};
use mtattest::crypto::Algorithm;
use mtattest::trust::{ChainOptions, ChainVerifier, Profile, Revocation, StatusList, TrustAnchors};
use mtattest::verifier::{KeySource, Verifier};
use mtattest::{Error, Limits, UnixTime};
use serde_json::Value;

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test-vectors")
}

fn read(dir: &Path, rel: &str) -> Vec<u8> {
    let path = dir.join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn manifest() -> Value {
    serde_json::from_slice(&read(&vectors_dir(), "manifest.json")).expect("manifest is JSON")
}

fn text<'a>(v: &'a Value, field: &str) -> Option<&'a str> {
    v.get(field).and_then(Value::as_str)
}

fn algorithms(v: &Value) -> Vec<Algorithm> {
    v.as_array()
        .expect("allowed-algorithms is an array")
        .iter()
        .map(|a| match a.as_str() {
            Some("ES384") => Algorithm::Es384,
            Some("ES256") => Algorithm::Es256,
            other => panic!("unknown algorithm {other:?}"),
        })
        .collect()
}

/// What verifying (and appraising) one case gave.
struct Outcome {
    claims: Value,
    appraisal: Option<AttestationResult>,
    /// The Android attestation's comparisons (spec §17.5), as the manifest
    /// writes them, if the chain ended at an Android anchor.
    attested: Option<Value>,
}

/// The Android settings of a case (spec §17.4, §17.6).
fn android_settings<'a>(id: &str, setting: &dyn Fn(&str) -> Option<&'a Value>) -> AndroidSettings {
    let challenge = match setting("android-challenge").map(|v| v.as_str()) {
        None => ChallengeMode::PerToken,
        Some(Some(name)) => ChallengeMode::from_name(name)
            .unwrap_or_else(|| panic!("{id}: unknown challenge mode {name}")),
        Some(None) => panic!("{id}: android-challenge is not a string"),
    };
    let min_security_level = match setting("android-min-security-level").map(|v| v.as_str()) {
        None | Some(Some("tee")) => SecurityLevel::TrustedEnvironment,
        Some(Some("strongbox")) => SecurityLevel::StrongBox,
        Some(other) => panic!("{id}: unknown security level {other:?}"),
    };
    AndroidSettings {
        challenge,
        rules: AttestationRules {
            min_security_level,
            ..AttestationRules::default()
        },
    }
}

/// Configures a verifier as the manifest says and runs the case. Errors in
/// setting up (a bad anchor file, a bad policy) panic: they are bugs of the
/// vectors, not outcomes.
fn run(dir: &Path, settings: &Value, case: &Value) -> Result<Outcome, Error> {
    let id = text(case, "id").expect("id");
    let options = &case["options"];
    let setting = |name: &str| options.get(name).unwrap_or(&settings[name]);

    let mut anchors = TrustAnchors::new();
    anchors
        .add_pem(&read(dir, text(case, "anchors").expect("anchors")))
        .unwrap_or_else(|e| panic!("{id}: anchors: {e}"));
    if let Some(pem) = text(case, "android-anchors") {
        let mut bundle = TrustAnchors::new();
        bundle
            .add_pem(&read(dir, pem))
            .unwrap_or_else(|e| panic!("{id}: android anchors: {e}"));
        for der in bundle.iter_der() {
            anchors
                .add_der_with_profile(der, Profile::android())
                .unwrap_or_else(|e| panic!("{id}: android anchors: {e}"));
        }
    }
    let mut revocation = Revocation::new();
    if let Some(crl) = text(case, "crl") {
        revocation
            .add_crl_der(&read(dir, crl))
            .unwrap_or_else(|e| panic!("{id}: crl: {e}"));
    }
    if let Some(list) = text(case, "status-list") {
        revocation.set_status_list(
            StatusList::from_json(&read(dir, list))
                .unwrap_or_else(|e| panic!("{id}: status list: {e}")),
        );
    }
    let mut chain_options = ChainOptions::DEFAULT;
    chain_options.max_chain_len =
        settings["max-chain-len"].as_u64().expect("max-chain-len") as usize;
    chain_options.max_cert_size =
        settings["max-cert-size"].as_u64().expect("max-cert-size") as usize;
    chain_options.crl_grace_secs =
        settings["crl-grace-secs"].as_u64().expect("crl-grace-secs") as u32;
    chain_options.require_protected_x5chain = setting("require-protected-x5chain")
        .as_bool()
        .expect("require-protected-x5chain");
    let chains = ChainVerifier::new(anchors)
        .with_revocation(revocation)
        .with_options(chain_options);
    let mut builder = Verifier::builder(KeySource::chain(chains))
        .android(android_settings(id, &|name| {
            options.get(name).or_else(|| settings.get(name))
        }))
        .allowed_algorithms(&algorithms(setting("allowed-algorithms")))
        .freshness(Freshness {
            max_age_secs: settings["max-age-secs"].as_u64().expect("max-age") as u32,
            clock_skew_secs: settings["clock-skew-secs"].as_u64().expect("skew") as u32,
        });
    if let Some(bulletin) = text(case, "bulletin") {
        builder = builder.bulletin(
            Bulletin::from_json(&read(dir, bulletin))
                .unwrap_or_else(|e| panic!("{id}: bulletin: {e}")),
        );
    }
    let verifier = builder.build();
    let policy = text(case, "policy")
        .map(|p| Policy::from_json(&read(dir, p)).unwrap_or_else(|e| panic!("{id}: policy: {e}")));
    let nonce = text(case, "nonce").map(|n| hex::decode(n).expect("nonce hex"));
    let now = UnixTime::from_secs(case["time"].as_i64().expect("time"));
    let enrolment = text(case, "enrolment-challenge").map(|n| hex::decode(n).expect("hex"));

    for earlier in case["submitted-before"].as_array().into_iter().flatten() {
        let path = earlier.as_str().expect("token path");
        if let Err(e) = verifier.verify_with_enrolment(
            &read(dir, path),
            nonce.as_deref(),
            enrolment.as_deref(),
            now,
        ) {
            panic!(
                "{id}: the earlier submission {path} must verify, got {}",
                e.code()
            );
        }
    }
    let token = read(dir, text(case, "token").expect("token"));
    let verified =
        verifier.verify_with_enrolment(&token, nonce.as_deref(), enrolment.as_deref(), now)?;
    let appraisal = policy.map(|p| verifier.appraise(&verified, &p, now));
    let attested = verified.android().map(|evidence| {
        let by = &evidence.binding.attester;
        evidence
            .binding
            .claims
            .iter()
            .map(|c| {
                serde_json::json!({"claim": c.claim, "value": c.attested, "by": by,
                    "token": c.comparison.name()})
            })
            .collect()
    });
    Ok(Outcome {
        claims: verified.claims().to_json(),
        appraisal,
        attested,
    })
}

/// (rule, claim, failure, advisory) of every reason, sorted.
fn reasons(result: &AttestationResult) -> Vec<(String, String, String, Option<String>)> {
    let mut all: Vec<_> = result
        .reasons
        .iter()
        .map(|r| {
            (
                r.rule.clone(),
                r.claim.clone(),
                r.failure.name().to_string(),
                r.advisory.clone(),
            )
        })
        .collect();
    all.sort();
    all
}

fn expected_reasons(appraisal: &Value) -> Vec<(String, String, String, Option<String>)> {
    let mut all: Vec<_> = appraisal["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .map(|r| {
            (
                text(r, "rule").expect("rule").to_string(),
                text(r, "claim").expect("claim").to_string(),
                text(r, "failure").expect("failure").to_string(),
                text(r, "advisory").map(str::to_string),
            )
        })
        .collect();
    all.sort();
    all
}

/// Checks one case; `Err` describes the disagreement.
/// Set to a directory, the run also writes the EAR of each valid case
/// with a policy there, in both forms, for the schema check
/// (`tests/schemas/check.py --ears DIR`).
const EAR_DIR: &str = "MTATTEST_EAR_DIR";

fn write_ears(out: &Path, case: &Value, result: &AttestationResult) -> Result<(), String> {
    let id = text(case, "id").unwrap_or("case");
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    for profile in [EarProfile::Veraison2023, EarProfile::IetfDraft04] {
        let path = out.join(format!("{id}.{}.json", profile.name()));
        std::fs::write(&path, result.to_json_as(profile))
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

fn check(dir: &Path, settings: &Value, case: &Value) -> Result<(), String> {
    let expected = &case["expected"];
    let outcome = run(dir, settings, case);
    match (text(expected, "result"), outcome) {
        (Some("valid"), Ok(outcome)) => {
            if outcome.claims != expected["claims"] {
                return Err(format!(
                    "claims differ:\n  got      {}\n  expected {}",
                    outcome.claims, expected["claims"]
                ));
            }
            if outcome.attested.as_ref() != expected.get("attested") {
                return Err(format!(
                    "attested claims differ:\n  got      {:?}\n  expected {:?}",
                    outcome.attested,
                    expected.get("attested")
                ));
            }
            if let (Some(want), Some(got)) = (expected.get("attested"), &outcome.appraisal) {
                // The EAR lists the same comparisons (spec §17.5).
                let ear = got.to_json_value();
                if ear["submods"]["device"]["mtattest.attested"] != *want {
                    return Err(format!(
                        "the EAR's mtattest.attested differs: {}",
                        ear["submods"]["device"]["mtattest.attested"]
                    ));
                }
            }
            if let (Some(out), Some(result)) = (std::env::var_os(EAR_DIR), &outcome.appraisal) {
                write_ears(Path::new(&out), case, result)?;
            }
            match (expected.get("appraisal"), outcome.appraisal) {
                (None, None) => Ok(()),
                (Some(want), Some(got)) => {
                    let status = got.status.name();
                    let action = got.action.name();
                    if Some(status) != text(want, "status") || Some(action) != text(want, "action")
                    {
                        return Err(format!(
                            "appraisal {status}/{action}, expected {}/{}; reasons {:?}",
                            want["status"],
                            want["action"],
                            reasons(&got)
                        ));
                    }
                    if reasons(&got) != expected_reasons(want) {
                        return Err(format!(
                            "reasons {:?}, expected {:?}",
                            reasons(&got),
                            expected_reasons(want)
                        ));
                    }
                    Ok(())
                }
                _ => Err("appraisal expected iff a policy is given".into()),
            }
        }
        (Some("valid"), Err(e)) => Err(format!("refused with {} ({e})", e.code())),
        (Some("invalid"), Ok(_)) => Err("accepted, expected a refusal".into()),
        (Some("invalid"), Err(e)) => {
            if Some(e.code()) == text(expected, "error") {
                Ok(())
            } else {
                Err(format!(
                    "refused with {} ({e}), expected {}",
                    e.code(),
                    expected["error"]
                ))
            }
        }
        (other, _) => Err(format!("unknown expected result {other:?}")),
    }
}

#[test]
fn every_case_gives_its_expected_outcome() {
    let dir = vectors_dir();
    let manifest = manifest();
    assert_eq!(manifest["schema"], "mtattest-test-vectors/1");
    assert_eq!(manifest["revision"], 5);
    let settings = &manifest["verifier"];
    let limits = &settings["limits"];
    let default = Limits::DEFAULT;
    assert_eq!(limits["max-token-size"], default.max_token_size);
    assert_eq!(limits["max-depth"], default.max_depth);
    assert_eq!(limits["max-items"], default.max_items);
    assert_eq!(limits["max-map-entries"], default.max_map_entries);
    assert_eq!(limits["max-submod-depth"], default.max_submod_depth);
    assert_eq!(
        settings["max-cert-size"],
        ChainOptions::DEFAULT.max_cert_size
    );
    assert_eq!(settings["replay-cache"], true);

    let cases = manifest["cases"].as_array().expect("cases");
    let mut failures = Vec::new();
    for case in cases {
        if let Err(why) = check(&dir, settings, case) {
            failures.push(format!("{}: {why}", case["id"]));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases disagree:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// The set is what the issue and `spec/vectors.md` promise: ids unique,
/// at least 40 invalid cases, every listed error code at least once.
#[test]
fn the_set_covers_what_it_promises() {
    let manifest = manifest();
    let cases = manifest["cases"].as_array().expect("cases");
    let ids: BTreeSet<&str> = cases.iter().filter_map(|c| text(c, "id")).collect();
    assert_eq!(ids.len(), cases.len(), "ids are unique");
    let codes: BTreeSet<&str> = cases
        .iter()
        .filter_map(|c| text(&c["expected"], "error"))
        .collect();
    let invalid = cases
        .iter()
        .filter(|c| c["expected"]["result"] == "invalid")
        .count();
    let valid = cases.len() - invalid;
    assert!(invalid >= 40, "{invalid} invalid cases");
    assert!(valid >= 20, "{valid} valid cases");
    for code in [
        "cbor.truncated",
        "cbor.malformed",
        "cbor.indefinite-length",
        "cbor.too-deep",
        "cbor.too-many-items",
        "cbor.map-too-large",
        "cbor.duplicate-key",
        "cbor.trailing-bytes",
        "token.too-large",
        "token.untagged",
        "token.wrong-tag",
        "token.malformed",
        "token.header-in-both-buckets",
        "token.alg-missing",
        "token.alg-unprotected",
        "token.alg-not-allowed",
        "token.unknown-critical-header",
        "token.crit-malformed",
        "token.detached-payload",
        "token.key-algorithm-mismatch",
        "token.bad-signature",
        "claims.not-a-map",
        "claims.wrong-type",
        "claims.invalid-value",
        "claims.missing",
        "claims.wrong-profile",
        "claims.submods-too-deep",
        "chain.missing",
        "chain.unprotected",
        "chain.too-long",
        "chain.cert-too-large",
        "chain.malformed",
        "chain.duplicate",
        "chain.unsupported-algorithm",
        "chain.bad-signature",
        "chain.expired",
        "chain.not-yet-valid",
        "chain.not-ca",
        "chain.path-length",
        "chain.key-usage",
        "chain.unknown-critical-extension",
        "chain.name-mismatch",
        "chain.no-anchor",
        "chain.revoked",
        "chain.suspended",
        "chain.crl-bad-signature",
        "chain.crl-stale",
        "chain.crl-not-yet-valid",
        "chain.crl-key-usage",
        "chain.version",
        "chain.unique-identifier",
        "chain.serial-number",
        "chain.empty-name",
        "chain.time-encoding",
        "chain.authority-key-id",
        "chain.subject-key-id",
        "chain.basic-constraints",
        "chain.key-cert-sign-not-ca",
        "chain.name-constraints",
        "chain.policy-constraints",
        "chain.extended-key-usage",
        "freshness.nonce-mismatch",
        "freshness.nonce-missing",
        "freshness.nonce-length",
        "freshness.stale",
        "freshness.future",
        "freshness.expired",
        "freshness.not-yet-valid",
        "replay.seen",
        "android.key-description-misplaced",
        "android.key-description-missing",
        "android.malformed",
        "android.challenge-mismatch",
        "android.software-security-level",
        "android.security-level-too-low",
        "android.origin-not-generated",
    ] {
        assert!(codes.contains(code), "no case for {code}");
    }
}

/// `mtattest vectors` (the generator) reproduces every committed file,
/// and nothing else lies in the generated directories.
#[test]
fn committed_vectors_regenerate_byte_for_byte() {
    let dir = vectors_dir();
    let generated = mtattest_testkit::vectors::generate().expect("the vectors generate");
    let mut differ = Vec::new();
    for (path, bytes) in generated.files() {
        match std::fs::read(dir.join(path)) {
            Ok(committed) if committed == bytes => {}
            Ok(_) => differ.push(format!("{path} differs")),
            Err(e) => differ.push(format!("{path}: {e}")),
        }
    }
    for sub in mtattest_testkit::vectors::SUBDIRS {
        for entry in std::fs::read_dir(dir.join(sub)).expect("vector directory") {
            let name = entry.expect("entry").file_name();
            let rel = format!("{sub}/{}", name.to_string_lossy());
            if generated.get(&rel).is_none() {
                differ.push(format!("{rel} is not generated (delete it)"));
            }
        }
    }
    assert!(
        differ.is_empty(),
        "test-vectors/ is out of date; run `cargo run -p mtattest-cli --features testkit \
         -- vectors --out test-vectors`:\n{}",
        differ.join("\n")
    );
    assert_eq!(
        mtattest_testkit::vectors::generate().expect("again"),
        generated,
        "generation is deterministic"
    );
}
