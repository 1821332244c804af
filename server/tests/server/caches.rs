//! The service's verifier keeps a chain cache and a link cache (spec
//! §10.6; `chain-cache-size` in `[verifier]`, 1024 by default) (#13.2).

use mtattest_server::config;

use crate::common::Config;

#[test]
fn the_service_verifier_caches_chains_and_links() {
    let capacities = |verifier_lines: &str| {
        let config = Config::new("", verifier_lines);
        let loaded = config::load(&config.path).unwrap();
        (
            loaded.verifier.chain_cache_stats().map(|s| s.capacity),
            loaded.verifier.link_cache_stats().map(|s| s.capacity),
        )
    };
    assert_eq!(capacities(""), (Some(1024), Some(1024)));
    assert_eq!(capacities("chain-cache-size = 9"), (Some(9), Some(9)));
}
