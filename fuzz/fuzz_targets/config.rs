//! Verifier configuration loading: JSON and TOML documents
//! (`VerifierConfig::from_json`, `from_toml`), then every value checked
//! (`check_contents`, `build`). C (`mtattest_verifier_from_config_json`)
//! and WASM (`Verifier.fromConfig`) hand such documents over from callers.
//!
//! Oracles: no panic; `check_contents` refuses with `build`'s code, except
//! that only `build` requires anchors; a parsed configuration's JSON form
//! parses again to an equal configuration that builds (or is refused) with
//! the same code.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mtattest::config::VerifierConfig;

fn code<T>(r: Result<T, mtattest::Error>) -> Option<&'static str> {
    r.err().map(|e| e.code())
}

fn check(config: &VerifierConfig) {
    let built = code(config.build());
    let contents = code(config.check_contents());
    let expected = built.filter(|c| *c != "config.no-anchors");
    assert_eq!(contents, expected, "check_contents and build disagree");
    let json = config.to_json();
    let again = VerifierConfig::from_json(json.as_bytes()).unwrap_or_else(|e| {
        panic!("the JSON form of a parsed configuration is refused: {e}\n{json}")
    });
    assert_eq!(
        &again, config,
        "the JSON form reads back differently:\n{json}"
    );
    assert_eq!(code(again.build()), built);
}

fuzz_target!(
    init: mtattest_fuzz::seeds::write_if_requested("config"),
    |data: &[u8]| run(data)
);

fn run(data: &[u8]) {
    if let Ok(config) = VerifierConfig::from_json(data) {
        check(&config);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(config) = VerifierConfig::from_toml(text) {
            check(&config);
        }
    }
}
