//! Attestation result (EAR) decoding: CBOR, JSON and signed (COSE_Sign1
//! under a fixed key).
//!
//! Oracles: no panic; a decoded EAR re-encodes (CBOR and JSON) to an EAR
//! equal to it, with a stable encoding.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mtattest::appraisal::AttestationResult;
use mtattest::crypto::{PublicKey, RustCrypto};
use mtattest_fuzz::pki;

fn key() -> &'static PublicKey {
    static K: OnceLock<PublicKey> = OnceLock::new();
    K.get_or_init(|| {
        pki()
            .device
            .public_key()
            .unwrap_or_else(|e| panic!("device key: {e}"))
    })
}

fn round_trip(ear: &AttestationResult) {
    let cbor = ear.to_cbor();
    let back = AttestationResult::from_cbor(&cbor)
        .unwrap_or_else(|e| panic!("re-encoded EAR CBOR refused: {e}"));
    assert_eq!(&back, ear, "EAR CBOR round trip differs");
    assert_eq!(back.to_cbor(), cbor, "EAR CBOR is not stable");
    let json = ear.to_json();
    let back = AttestationResult::from_json(json.as_bytes())
        .unwrap_or_else(|e| panic!("re-encoded EAR JSON refused: {e}\n{json}"));
    assert_eq!(&back, ear, "EAR JSON round trip differs");
}

fuzz_target!(
    init: mtattest_fuzz::seeds::write_if_requested("ear_decode"),
    |data: &[u8]| run(data)
);

fn run(data: &[u8]) {
    if let Ok(ear) = AttestationResult::from_cbor(data) {
        round_trip(&ear);
    }
    if let Ok(ear) = AttestationResult::from_json(data) {
        round_trip(&ear);
    }
    if let Ok(ear) = AttestationResult::verify_signed(data, key(), &RustCrypto) {
        round_trip(&ear);
    }
}
