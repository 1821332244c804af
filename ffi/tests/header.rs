//! `include/mtattest.h` is what cbindgen makes of the sources today: the
//! test fails when they differ. `MTATTEST_BLESS_HEADER=1` rewrites the
//! header instead (then review and commit it).

use std::path::PathBuf;

fn generate() -> String {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).expect("cbindgen.toml");
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(dir.join("src/lib.rs"))
        .generate()
        .expect("cbindgen generates the header");
    let mut out = Vec::new();
    bindings.write(&mut out);
    String::from_utf8(out).expect("the header is UTF-8")
}

#[test]
fn header_is_current() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("include/mtattest.h");
    let fresh = generate();
    if std::env::var("MTATTEST_BLESS_HEADER").as_deref() == Ok("1") {
        std::fs::write(&path, &fresh).expect("write the header");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "ffi/include/mtattest.h is out of date; regenerate it with \
         MTATTEST_BLESS_HEADER=1 cargo test -p mtattest-ffi --test header"
    );
}

/// Every result code of the header is in the code table once, and every
/// function the library exports is declared.
#[test]
fn header_declares_every_code_and_function() {
    let header = generate();
    let numbers: Vec<(String, i32)> = header
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("MTATTEST_") && l.contains(" = "))
        .filter(|l| {
            ![
                "MTATTEST_STATUS_",
                "MTATTEST_ACTION_",
                "MTATTEST_EVIDENCE_SOURCE_",
            ]
            .iter()
            .any(|kind| l.starts_with(kind))
        })
        .map(|l| {
            let (name, value) = l.trim_end_matches(',').split_once(" = ").unwrap();
            (name.to_string(), value.parse().unwrap())
        })
        .collect();
    assert!(numbers.len() > 80, "found {} result codes", numbers.len());
    for (name, number) in &numbers {
        let text = mtattest_ffi::mtattest_result_code(*number);
        assert!(!text.is_null(), "{name} = {number} is not in the table");
    }
    for function in [
        "mtattest_verify(",
        "mtattest_issue(",
        "mtattest_last_error(",
        "mtattest_signer_new_callback(",
        "mtattest_verify_result_free(",
        "mtattest_verify_result_action(",
        "mtattest_verify_result_reason_seen(",
    ] {
        assert!(header.contains(function), "{function} is not declared");
    }
}
