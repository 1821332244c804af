//! `mtattest completions SHELL` and `mtattest man`: non-empty, and they
//! know every subcommand.

use std::process::{Command, Output};

/// Every subcommand of the binary under test, written out by hand.
fn subcommands() -> Vec<&'static str> {
    let mut names = vec![
        "issue",
        "verify",
        "inspect",
        "keyattestation",
        "completions",
        "man",
    ];
    if cfg!(feature = "testkit") {
        names.extend(["demo", "pki", "vectors"]);
    }
    names
}

fn mtattest(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mtattest"))
        .args(args)
        .output()
        .expect("the mtattest binary runs")
}

#[test]
fn completions_for_every_shell_know_every_subcommand() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = mtattest(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}: {out:?}");
        let script = String::from_utf8(out.stdout).expect("UTF-8");
        assert!(script.len() > 100, "{shell}: {script}");
        for name in subcommands() {
            assert!(script.contains(name), "{shell} lacks {name}");
        }
        // Flags too, e.g. verify's.
        assert!(script.contains("require-protected-x5chain"), "{shell}");
    }
    let out = mtattest(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn the_manual_page_lists_every_subcommand() {
    let out = mtattest(&["man"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let page = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(page.contains(".TH mtattest 1"), "{page}");
    for name in subcommands() {
        // roff escapes the hyphen: mtattest\-verify(1).
        assert!(
            page.contains(&format!("mtattest\\-{name}(1)")),
            "the page lacks {name}"
        );
    }
}

#[test]
fn man_out_writes_a_page_per_command() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let out = mtattest(&["man", "--out", &dir.path().to_string_lossy()]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let top = std::fs::read_to_string(dir.path().join("mtattest.1")).expect("mtattest.1");
    assert!(top.contains(".TH mtattest 1"));
    for name in subcommands() {
        let page = std::fs::read_to_string(dir.path().join(format!("mtattest-{name}.1")))
            .unwrap_or_else(|e| panic!("mtattest-{name}.1: {e}"));
        assert!(!page.is_empty());
    }
    let verify =
        std::fs::read_to_string(dir.path().join("mtattest-verify.1")).expect("the verify page");
    assert!(verify.contains("\\-\\-nonce"), "{verify}");
}
