//! Attestation result (EAR) decoding: CBOR, JSON and signed (COSE_Sign1
//! under a fixed key).
//!
//! Oracles: no panic; a decoded EAR (of either form: Veraison 2023 or
//! draft-ietf-rats-ear-04) re-encodes in each form (CBOR, JSON and signed)
//! to an EAR equal to it, with a stable encoding.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mtattest::appraisal::{AttestationResult, EarProfile};
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
    for profile in [EarProfile::Veraison2023, EarProfile::IetfDraft04] {
        let cbor = ear.to_cbor_as(profile);
        let back = AttestationResult::from_cbor(&cbor)
            .unwrap_or_else(|e| panic!("re-encoded EAR CBOR ({profile:?}) refused: {e}"));
        assert_eq!(&back, ear, "EAR CBOR round trip ({profile:?}) differs");
        assert_eq!(
            back.to_cbor_as(profile),
            cbor,
            "EAR CBOR ({profile:?}) is not stable"
        );
        let json = ear.to_json_as(profile);
        let back = AttestationResult::from_json(json.as_bytes())
            .unwrap_or_else(|e| panic!("re-encoded EAR JSON ({profile:?}) refused: {e}\n{json}"));
        assert_eq!(&back, ear, "EAR JSON round trip ({profile:?}) differs");
        assert_eq!(
            back.to_json_as(profile),
            json,
            "EAR JSON ({profile:?}) is not stable"
        );
    }
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
