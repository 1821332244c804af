//! A provider given to the configuration (`VerifierConfig::builder_with_crypto`)
//! and a verifier without chain caches (`VerifierBuilder::without_chain_cache`):
//! what the WASM bindings' WebCrypto path builds on.
#![cfg(feature = "rustcrypto")]

use mtattest::config::{Text, VerifierConfig};
use mtattest::crypto::RustCrypto;

fn config() -> VerifierConfig {
    let pem = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../test-vectors/anchors/root.pem"
    ))
    .unwrap();
    VerifierConfig {
        anchors: Some(vec![mtattest::config::DerSource::Pem(Text::new(pem))]),
        ..VerifierConfig::default()
    }
}

#[test]
fn a_given_provider_still_has_the_crypto_member_checked() {
    let mut config = config();
    assert!(config.builder_with_crypto(Box::new(RustCrypto)).is_ok());
    config.crypto = Some(Text::new("webcrypto"));
    let err = config
        .builder_with_crypto(Box::new(RustCrypto))
        .err()
        .unwrap();
    assert_eq!(err.code(), "config.bad-value");
    config.crypto = Some(Text::new(""));
    let err = config
        .builder_with_crypto(Box::new(RustCrypto))
        .err()
        .unwrap();
    assert_eq!(err.code(), "config.empty");
}

#[test]
fn without_chain_cache_drops_both_caches() {
    let cached = config().build().unwrap();
    assert!(cached.chain_cache_stats().is_some() && cached.link_cache_stats().is_some());
    let uncached = config().builder().unwrap().without_chain_cache().build();
    assert_eq!(uncached.chain_cache_stats(), None);
    assert_eq!(uncached.link_cache_stats(), None);
}
