//! Certificate path validation over fuzzed DER chains: the input is split
//! into certificates by their DER headers (seeds are concatenated chains),
//! validated against the test root with a CRL and a status list.
//!
//! Oracles: no panic; a validated path ends at the one anchor, is no longer
//! than the chain plus the anchor and holds at the time of validation;
//! errors name a certificate of the chain (or the anchor one past it).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mtattest::crypto::RustCrypto;
use mtattest::trust::{ChainVerifier, TrustAnchors};
use mtattest::Error;
use mtattest_fuzz::{chain_verifier, now, split_der};

fn verifier() -> &'static ChainVerifier {
    static V: OnceLock<ChainVerifier> = OnceLock::new();
    V.get_or_init(chain_verifier)
}

fuzz_target!(
    init: mtattest_fuzz::seeds::write_if_requested("chain"),
    |data: &[u8]| run(data)
);

fn run(data: &[u8]) {
    let chain = split_der(data, 8);
    match verifier().validate_chain(&chain, now(), &RustCrypto) {
        Ok(validated) => {
            // One anchor, and a path of the chain's certificates up to it.
            assert_eq!(validated.anchor_index(), 0);
            assert!(validated.path_len() >= 2 && validated.path_len() <= chain.len() + 1);
            assert!(validated.holds_at(now()));
        }
        Err(Error::Chain(e)) => {
            if let Some(index) = e.index() {
                assert!(index <= chain.len(), "{e:?} names no certificate");
            }
        }
        Err(e) => panic!("a chain error that is not chain.*: {e}"),
    }
    // The first piece as a trust anchor: parsing untrusted-looking anchors
    // must not panic either.
    if let Some(first) = chain.first() {
        let mut anchors = TrustAnchors::new();
        if anchors.add_der(first).is_ok() {
            let v = ChainVerifier::new(anchors);
            let _ = v.validate_chain(&chain, now(), &RustCrypto);
        }
    }
}
