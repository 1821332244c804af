//! The production binary carries no test keys (issue 13 §3): built without
//! the `testkit` feature (as `cargo install mtattest-cli` builds it), the
//! `mtattest` binary holds neither the test PKI's key derivation nor any of
//! its private keys, and its developer subcommands only explain why they are
//! missing. Built with the feature, the same search finds the derivation, so
//! the search is known to look in the right place.
//!
//! scripts/test runs this file without the feature as well as with it.

use std::process::Command;

use sha2::{Digest, Sha384};

/// The prefix the test PKI derives its private keys from (`KeySpec::secret`
/// in the test kit: SHA-384 of this prefix and the key's seed).
const DERIVATION_PREFIX: &[u8] = b"mtattest test-pki key\0";

fn binary() -> Vec<u8> {
    std::fs::read(env!("CARGO_BIN_EXE_mtattest")).expect("the mtattest binary is readable")
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The private scalars of the standard test PKI, derived here from the
/// published rule rather than taken from the test kit.
fn test_pki_secrets() -> Vec<(&'static str, Vec<u8>)> {
    ["root", "intermediate", "device"]
        .into_iter()
        .map(|seed| {
            let mut input = DERIVATION_PREFIX.to_vec();
            input.extend_from_slice(seed.as_bytes());
            (seed, Sha384::digest(&input).to_vec())
        })
        .collect()
}

#[test]
fn the_derivation_matches_the_test_kit() {
    // Guards the expected values above: the root key derived here is the
    // test kit's root key.
    let root = mtattest_testkit::pki::KeySpec::p384("root");
    let (_, derived) = &test_pki_secrets()[0];
    assert_eq!(&root.secret(), derived);
}

#[cfg(not(feature = "testkit"))]
#[test]
fn the_production_binary_has_no_test_keys() {
    let bin = binary();
    assert!(
        !contains(&bin, DERIVATION_PREFIX),
        "the binary holds the test PKI's key derivation"
    );
    for (seed, secret) in test_pki_secrets() {
        assert!(
            !contains(&bin, &secret),
            "the binary holds the test PKI's {seed} private key"
        );
        // A P-256 key of the test kit is the first 32 bytes.
        assert!(
            !contains(&bin, &secret[..32]),
            "the binary holds the test PKI's {seed} P-256 private key"
        );
    }
}

#[cfg(not(feature = "testkit"))]
#[test]
fn the_developer_subcommands_explain_their_absence() {
    for name in ["demo", "pki", "vectors"] {
        let out = Command::new(env!("CARGO_BIN_EXE_mtattest"))
            .args([name, "--out", "/nonexistent"])
            .output()
            .expect("the mtattest binary runs");
        assert_eq!(out.status.code(), Some(1), "{name}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.starts_with(&format!("mtattest: `{name}` is developer tooling")),
            "{name}: {stderr}"
        );
        assert!(stderr.contains("--features testkit"), "{name}: {stderr}");
        assert!(out.stdout.is_empty(), "{name}");
    }
    let help = Command::new(env!("CARGO_BIN_EXE_mtattest"))
        .arg("--help")
        .output()
        .expect("the mtattest binary runs");
    let help = String::from_utf8_lossy(&help.stdout);
    for name in ["demo", "pki", "vectors"] {
        assert!(
            !help.lines().any(|l| l.trim_start().starts_with(name)),
            "--help lists {name}:\n{help}"
        );
    }
}

/// The control: with the test kit linked, the search finds it.
#[cfg(feature = "testkit")]
#[test]
fn a_developer_binary_holds_the_derivation() {
    assert!(contains(&binary(), DERIVATION_PREFIX));
    let out = Command::new(env!("CARGO_BIN_EXE_mtattest"))
        .args(["pki", "--help"])
        .output()
        .expect("the mtattest binary runs");
    assert_eq!(out.status.code(), Some(0));
}

/// `cargo install mtattest-cli` builds the default features: the test kit
/// must never be one of them, directly or through another feature.
#[test]
fn the_default_features_leave_the_test_kit_out() {
    let manifest: toml::Table =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))
            .expect("cli/Cargo.toml")
            .parse()
            .expect("cli/Cargo.toml is TOML");
    let features = manifest["features"].as_table().expect("[features]");
    let mut pending: Vec<String> = features
        .get("default")
        .and_then(|d| d.as_array())
        .map(|d| {
            d.iter()
                .filter_map(|f| f.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    let mut seen = Vec::new();
    while let Some(feature) = pending.pop() {
        assert!(
            feature != "testkit" && !feature.contains("mtattest-testkit"),
            "the default features enable the test kit (via {feature})"
        );
        if seen.contains(&feature) {
            continue;
        }
        if let Some(more) = features.get(&feature).and_then(|f| f.as_array()) {
            pending.extend(more.iter().filter_map(|f| f.as_str().map(String::from)));
        }
        seen.push(feature);
    }
    let testkit = &manifest["dependencies"]["mtattest-testkit"];
    assert_eq!(
        testkit.get("optional").and_then(|o| o.as_bool()),
        Some(true),
        "the test kit is an optional dependency of the binary"
    );
}
