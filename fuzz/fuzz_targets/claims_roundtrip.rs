//! Structure-aware: an arbitrary claims set, built through the public
//! builders, must encode and decode to itself, re-encode byte for byte, and
//! survive its JSON form.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mtattest::claims::{render_text, ClaimsSet};
use mtattest::Limits;
use mtattest_fuzz::claims::ClaimsInput;

/// Limits loose enough that only the round trip is tested here (the real
/// limits have their own tests).
const LOOSE: Limits = Limits {
    max_token_size: usize::MAX,
    max_depth: 64,
    max_items: 1 << 20,
    max_map_entries: 1 << 16,
    max_submod_depth: 64,
};

fuzz_target!(
    init: mtattest_fuzz::seeds::write_if_requested("claims_roundtrip"),
    |input: ClaimsInput| run(input)
);

fn run(input: ClaimsInput) {
    let Some(claims) = input.build() else {
        return;
    };
    let bytes = claims.to_cbor();
    let decoded = ClaimsSet::from_cbor(&bytes, &LOOSE)
        .unwrap_or_else(|e| panic!("encoded claims refused: {e}\n{claims:?}"));
    assert_eq!(decoded, claims, "decode(encode(c)) != c");
    assert_eq!(decoded.to_cbor(), bytes, "re-encoding changed the bytes");
    let json = claims.to_json();
    let back =
        ClaimsSet::from_json(&json).unwrap_or_else(|e| panic!("claims JSON refused: {e}\n{json}"));
    assert_eq!(back, claims, "claims JSON round trip differs");
    let text = serde_json::to_string(&json).unwrap_or_default();
    let back = ClaimsSet::from_json_str(&text)
        .unwrap_or_else(|e| panic!("claims JSON text refused: {e}\n{text}"));
    assert_eq!(back, claims, "claims JSON text round trip differs");
    let _ = render_text(&claims);
}
