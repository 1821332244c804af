//! The Android KeyDescription parser (spec §17.2) over fuzzed bytes.
//!
//! Oracles: no panic; whatever parses encodes back to DER that parses to
//! the same KeyDescription (one reading), and its JSON form is produced;
//! every refusal has an `android.*` code.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mtattest::android::{key_description_json, KeyDescription};

fuzz_target!(
    init: mtattest_fuzz::seeds::write_if_requested("key_description"),
    |data: &[u8]| run(data)
);

fn run(data: &[u8]) {
    match KeyDescription::from_der(data) {
        Ok(kd) => {
            let again = KeyDescription::from_der(&kd.to_der()).expect("its own encoding parses");
            assert_eq!(again, kd, "two readings of one KeyDescription");
            let _ = key_description_json(&kd);
        }
        Err(e) => assert!(e.code().starts_with("android."), "{e:?}"),
    }
}
