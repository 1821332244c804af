//! The native side of wasm/bench/verify.mjs: vector 0 verified by the
//! bindings' own Rust engine (`engine::verify_once`, the code the WASM
//! build runs, with the pure-Rust provider), natively. Prints
//! `{"min_ms": …, "median_ms": …, "runs": …}`.
//!
//! `cargo run --release -p mtattest-wasm --example verify_native [runs]`

use std::time::Instant;

use serde_json::{json, Value as Json};

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(50);
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test-vectors");
    let read = |rel: &str| std::fs::read(dir.join(rel)).expect("test-vectors/ is readable");
    let manifest: Json = serde_json::from_slice(&read("manifest.json")).expect("manifest JSON");
    let case = &manifest["cases"][0];
    let text = |member: &str| {
        String::from_utf8(read(case[member].as_str().expect("a file member"))).expect("UTF-8")
    };
    let anchors = text("anchors");
    let options = json!({
        "policy": text("policy"),
        "time": case["time"],
        "nonce": case["nonce"],
    });
    let token = read(case["token"].as_str().expect("a token"));
    let mut times = Vec::with_capacity(runs);
    for i in 0..runs + 5 {
        let start = Instant::now();
        let result =
            mtattest_wasm::engine::verify_once(&token, &anchors, &options).expect("the call runs");
        let elapsed = start.elapsed().as_secs_f64() * 1000.0;
        assert_eq!(result["errorCode"], Json::Null, "{}", result["message"]);
        if i >= 5 {
            times.push(elapsed);
        }
    }
    times.sort_by(f64::total_cmp);
    let min = times.first().copied().unwrap_or(f64::NAN);
    let median = times.get(times.len() / 2).copied().unwrap_or(f64::NAN);
    println!(
        "{}",
        json!({"min_ms": min, "median_ms": median, "runs": runs})
    );
}
