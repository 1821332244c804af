//! Token decoding: the envelope rules, then (unauthenticated) claims.
//!
//! Oracles: no panic; a claims set the decoder accepts re-encodes to a
//! claims set equal to it, whose encoding is stable; its JSON form decodes
//! back to it; the signed bytes are the ones received.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mtattest::claims::{render_text, ClaimsSet};
use mtattest::token::{DecodeOptions, Token};
use mtattest::Limits;
use mtattest_fuzz::assert_same;

fuzz_target!(
    init: mtattest_fuzz::seeds::write_if_requested("token_decode"),
    |data: &[u8]| run(data)
);

fn run(data: &[u8]) {
    let Ok(token) = Token::decode(data, &DecodeOptions::default()) else {
        return;
    };
    let _ = (
        token.algorithm(),
        token.kid(),
        token.x5chain(),
        token.is_cwt_tagged(),
    );
    let tbs = token.to_be_signed();
    // The Sig_structure ends with the payload bytes exactly as received.
    assert!(
        tbs.ends_with(token.payload()),
        "Sig_structure lost the payload"
    );
    let Ok(claims) = token.unverified_claims() else {
        return;
    };
    check_claims(&claims);
}

fn check_claims(claims: &ClaimsSet) {
    let bytes = claims.to_cbor();
    let again = ClaimsSet::from_cbor(&bytes, &Limits::DEFAULT)
        .unwrap_or_else(|e| panic!("re-encoded claims refused: {e}"));
    assert_same(&again, claims, "re-encoded claims differ");
    assert_eq!(again.to_cbor(), bytes, "encoding is not stable");
    let json = claims.to_json();
    let back =
        ClaimsSet::from_json(&json).unwrap_or_else(|e| panic!("claims JSON refused: {e}\n{json}"));
    assert_same(&back, claims, "claims JSON round trip differs");
    let _ = render_text(claims);
    let _ = claims.unknown_claims();
}
