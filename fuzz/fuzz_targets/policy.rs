//! Policy (JSON and TOML) and vulnerability bulletin loading, and appraisal
//! of the example phone under whatever loads.
//!
//! Oracles: no panic; a loaded policy's JSON form loads again to the same
//! JSON; appraisal never fails or panics.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mtattest::appraisal::{Bulletin, Policy};
use mtattest::claims::ClaimsSet;
use mtattest::verifier::{Verified, Verifier};
use mtattest_fuzz::{key_token_verifier, now, pki, policies, NONCE};

struct Fixture {
    plain: Verifier,
    healthy: Verified,
    compromised: Verified,
    payment: Policy,
}

fn verified(verifier: &Verifier, claims: &ClaimsSet) -> Verified {
    let token = pki()
        .token(claims, mtattest::token::HeaderPlacement::Protected)
        .unwrap_or_else(|e| panic!("token: {e}"));
    verifier
        .verify(&token, Some(NONCE), now())
        .unwrap_or_else(|e| panic!("verify: {e}"))
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let plain = key_token_verifier();
        let healthy = verified(
            &plain,
            &mtattest_testkit::example_phone(mtattest_fuzz::NOW, NONCE.to_vec()),
        );
        let compromised = verified(
            &plain,
            &mtattest_testkit::demo::compromised_phone(mtattest_fuzz::NOW, NONCE.to_vec()),
        );
        let payment = policies().remove(0);
        Fixture {
            plain,
            healthy,
            compromised,
            payment,
        }
    })
}

fn appraise_all(verifier: &Verifier, policy: &Policy) {
    let f = fixture();
    for v in [&f.healthy, &f.compromised] {
        let ear = verifier.appraise(v, policy, now());
        let _ = ear.to_cbor();
        let _ = ear.to_json();
    }
}

fuzz_target!(
    init: mtattest_fuzz::seeds::write_if_requested("policy"),
    |data: &[u8]| run(data)
);

fn run(data: &[u8]) {
    let f = fixture();
    let mut loaded = Vec::new();
    if let Ok(p) = Policy::from_json(data) {
        loaded.push(p);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(p) = Policy::from_toml(text) {
            loaded.push(p);
        }
    }
    for p in &loaded {
        let json = p.to_json();
        let again = Policy::from_json(json.as_bytes())
            .unwrap_or_else(|e| panic!("a policy's own JSON is refused: {e}\n{json}"));
        assert_eq!(again.to_json(), json, "policy JSON is not stable");
        appraise_all(&f.plain, p);
    }
    if let Ok(bulletin) = Bulletin::from_json(data) {
        let with_bulletin = key_token_verifier_with(bulletin);
        appraise_all(&with_bulletin, &f.payment);
    }
}

fn key_token_verifier_with(bulletin: Bulletin) -> Verifier {
    let key = pki()
        .device
        .public_key()
        .unwrap_or_else(|e| panic!("device key: {e}"));
    Verifier::builder(mtattest::verifier::KeySource::Key(key))
        .without_replay_cache()
        .bulletin(bulletin)
        .build()
}
