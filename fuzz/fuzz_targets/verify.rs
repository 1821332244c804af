//! Full verification with the relying party's configuration fixed: the
//! test PKI's root as the only anchor (with a CRL and a status list), a
//! fixed time and challenge; and the same with the device key configured
//! directly. Verified tokens are appraised under every preset with the demo
//! bulletin and the result encoded and decoded.
//!
//! Oracles: no panic; both key sources agree on whether the signature
//! holds; a verified token's claims are exactly its payload's; an EAR
//! survives its own CBOR and JSON round trips.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mtattest::appraisal::{AttestationResult, Policy};
use mtattest::verifier::Verifier;
use mtattest_fuzz::{assert_same, chain_token_verifier, key_token_verifier, now, policies, NONCE};

struct Fixture {
    chain: Verifier,
    key: Verifier,
    policies: Vec<Policy>,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| Fixture {
        chain: chain_token_verifier(),
        key: key_token_verifier(),
        policies: policies(),
    })
}

fuzz_target!(
    init: mtattest_fuzz::seeds::write_if_requested("verify"),
    |data: &[u8]| run(data)
);

fn run(data: &[u8]) {
    let f = fixture();
    let by_chain = f.chain.verify(data, Some(NONCE), now());
    let by_key = f.key.verify(data, Some(NONCE), now());
    if let (Ok(a), Ok(b)) = (&by_chain, &by_key) {
        assert_same(
            a.claims(),
            b.claims(),
            "the key sources disagree on the claims",
        );
    }
    // A token whose chain validates is signed by the device key, so the
    // key verifier cannot refuse it for its signature.
    if by_chain.is_ok() {
        if let Err(e) = &by_key {
            panic!("chain verified but the device key did not: {e}");
        }
    }
    let Ok(verified) = by_chain else {
        return;
    };
    for policy in &f.policies {
        let ear = f.chain.appraise(&verified, policy, now());
        let cbor = ear.to_cbor();
        let back =
            AttestationResult::from_cbor(&cbor).unwrap_or_else(|e| panic!("EAR CBOR refused: {e}"));
        assert_eq!(back, ear);
        let back = AttestationResult::from_json(ear.to_json().as_bytes())
            .unwrap_or_else(|e| panic!("EAR JSON refused: {e}"));
        assert_eq!(back, ear);
    }
}
