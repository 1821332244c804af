//! Inspecting untrusted tokens: `mtattest::inspect::inspect` (the lenient
//! reading the CLI's `inspect` and the browser page run on whatever they
//! are given), then every renderer on what it read.
//!
//! Oracles: no panic; every diagnostic notation stays within the printer's
//! documented bound (`diag::max_output_chars`: max_chars plus the note),
//! under the default limits and under small ones that force every cut;
//! `well_formed` holds exactly when the strict decoder accepts the envelope
//! and its claims (and then the claims are the strict decoder's, and the
//! lenient reading read the token too); the x5chain summaries stay within
//! `MAX_CERTIFICATES`.
#![no_main]

use ciborium::value::Value;
use libfuzzer_sys::fuzz_target;
use mtattest::claims::render_text;
use mtattest::diag::{self, max_output_chars, Limits};
use mtattest::inspect::{inspect, MAX_CERTIFICATES};
use mtattest::token::{DecodeOptions, Token};
use mtattest_fuzz::assert_same;

fuzz_target!(
    init: mtattest_fuzz::seeds::write_if_requested("inspect"),
    |data: &[u8]| run(data)
);

/// Small limits, so that the cuts (bytes, text, depth, output) all run.
const SMALL: Limits = Limits {
    max_bytes: 3,
    max_text: 5,
    max_depth: 3,
    max_chars: 120,
    line_width: 24,
};

fn run(data: &[u8]) {
    let view = inspect(data);
    assert_eq!(view.size, data.len());

    let values = [
        view.top.as_ref(),
        view.protected.as_ref(),
        view.unprotected.as_ref(),
        view.payload_value.as_ref(),
    ];
    for value in values.into_iter().flatten() {
        render_bounded(value);
    }
    for label in [1, 2, 4, 33] {
        if let Some(p) = view.param(label) {
            render_bounded(p.value);
        }
    }
    if let Some(claims) = &view.claims {
        let _ = render_text(claims);
    }
    if let Some(chain) = &view.x5chain {
        assert!(chain.certificates.len() <= MAX_CERTIFICATES.min(chain.count));
    }

    // One definition of well-formed: the strict decoder's verdict.
    let strict = Token::decode(data, &DecodeOptions::default());
    let claims = strict.as_ref().ok().map(Token::unverified_claims);
    match claims {
        Some(Ok(claims)) => {
            assert!(
                view.well_formed(),
                "strict accepts, inspect says not well-formed"
            );
            let seen = view.claims.as_ref().expect("well-formed without claims");
            assert_same(
                seen,
                &claims,
                "inspect's claims differ from the strict decoder's",
            );
            assert!(view.token().is_some());
            // Whatever the strict decoder reads, the lenient reading reads.
            assert!(
                view.top.is_some(),
                "well-formed but not CBOR to the lenient reading: {:?}",
                view.problems
            );
        }
        _ => assert!(
            !view.well_formed(),
            "well-formed, yet Token::decode refuses"
        ),
    }
}

fn render_bounded(value: &Value) {
    for limits in [Limits::DEFAULT, SMALL] {
        let bound = max_output_chars(&limits);
        let pretty = diag::render(value, &limits);
        assert!(
            pretty.chars().count() <= bound,
            "render: {} characters, bound {bound}",
            pretty.chars().count()
        );
        let compact = diag::render_compact(value, &limits);
        assert!(
            compact.chars().count() <= bound,
            "render_compact: {} characters, bound {bound}",
            compact.chars().count()
        );
    }
}
