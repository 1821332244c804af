//! The command verifies with aws-lc wherever the build has it (the default
//! `aws-lc` feature), and says so in `--version` (#13.2).

use std::process::Command;

#[test]
fn version_names_the_providers_the_default_first() {
    let out = Command::new(env!("CARGO_BIN_EXE_mtattest"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let expected = if cfg!(feature = "aws-lc") {
        "crypto providers: aws-lc (default), rustcrypto"
    } else {
        "crypto providers: rustcrypto (default)"
    };
    assert!(text.lines().any(|line| line == expected), "{text}");
}
