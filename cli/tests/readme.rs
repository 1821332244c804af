//! The README's command-line walkthrough runs as written: every shell
//! block of its "The command line" section, command by command, in a
//! temporary directory (with a copy of the source tree's `spec/examples/`)
//! against the built binary, each with the exit code the comment before
//! it (or at its end) gives as `exit N`, else 0. It runs in the workspace
//! tests of scripts/test (`--all-features` builds the `testkit` commands).
#![cfg(feature = "testkit")]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The section of the README that holds the walkthrough.
const SECTION: &str = "## The command line";

fn readme() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The `sh` blocks of the section, in order.
fn shell_blocks(readme: &str) -> Vec<String> {
    let start = readme.find(SECTION).expect("the README has the section");
    let section = &readme[start + SECTION.len()..];
    let section = section.find("\n## ").map_or(section, |end| &section[..end]);
    let mut blocks = Vec::new();
    let mut rest = section;
    while let Some(open) = rest.find("```sh\n") {
        let body = &rest[open + "```sh\n".len()..];
        let close = body.find("```").expect("the block is closed");
        blocks.push(body[..close].to_string());
        rest = &body[close + 3..];
    }
    blocks
}

/// `exit N` in a comment.
fn expected_exit(comment: &str) -> Option<i32> {
    let (_, after) = comment.split_once("exit ")?;
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// A command (continuation lines joined, as the shell reads them) and the
/// exit code it should end with.
#[derive(Debug)]
struct Step {
    command: String,
    exit: i32,
}

fn steps(block: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut pending_exit = None;
    let mut command = String::new();
    for line in block.lines() {
        let trimmed = line.trim();
        if command.is_empty() {
            if trimmed.is_empty() {
                continue;
            }
            if trimmed.starts_with('#') {
                pending_exit = expected_exit(trimmed).or(pending_exit);
                continue;
            }
        }
        command.push_str(line);
        command.push('\n');
        if !trimmed.ends_with('\\') {
            let trailing = trimmed.split_once(" #").map(|(_, c)| c).unwrap_or("");
            let exit = expected_exit(trailing).or(pending_exit.take()).unwrap_or(0);
            steps.push(Step {
                command: std::mem::take(&mut command),
                exit,
            });
        }
    }
    assert!(command.is_empty(), "a command continues past its block");
    steps
}

#[test]
fn the_walkthrough_runs_as_written() {
    let readme = readme();
    let blocks = shell_blocks(&readme);
    assert!(blocks.len() >= 2, "the walkthrough's blocks: {blocks:?}");
    let steps: Vec<Step> = blocks.iter().flat_map(|b| steps(b)).collect();
    // The walkthrough as the README has it: pki, issue, inspect, verify…
    let firsts: Vec<&str> = steps
        .iter()
        .map(|s| s.command.split_whitespace().nth(1).unwrap_or(""))
        .collect();
    for needed in ["pki", "issue", "inspect", "verify"] {
        assert!(
            firsts.contains(&needed),
            "no `mtattest {needed}` in {firsts:?}"
        );
    }

    let dir = tempfile::tempdir().expect("a temporary directory");
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    copy_dir(&spec.join("examples"), &dir.path().join("spec/examples"));
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_mtattest"));
    let bin_dir = binary.parent().expect("the binary's directory");
    let path = std::env::join_paths(std::iter::once(bin_dir.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .expect("a PATH");

    for step in &steps {
        assert!(
            step.command.starts_with("mtattest "),
            "not a mtattest command: {}",
            step.command
        );
        let out = Command::new("sh")
            .arg("-c")
            .arg(&step.command)
            .current_dir(dir.path())
            .env("PATH", &path)
            .output()
            .expect("sh runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(step.exit),
            "{}stdout: {}\nstderr: {stderr}",
            step.command,
            String::from_utf8_lossy(&out.stdout)
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    // The --json step wrote one document with the flat reasons.
    let result: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("result.json")).expect("result.json"),
    )
    .expect("JSON");
    assert_eq!(result["status"], "warning");
    assert!(result["reasons"].as_array().is_some_and(|r| !r.is_empty()));
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("a directory");
    for entry in std::fs::read_dir(from).expect("readable") {
        let entry = entry.expect("an entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copied");
        }
    }
}

#[test]
fn steps_join_continuations_and_read_exit_comments() {
    let block = "a one # exit 3\n# exit 4: why\nb two \\\n  three\nc four\n";
    let got: Vec<(String, i32)> = steps(block)
        .into_iter()
        .map(|s| (s.command, s.exit))
        .collect();
    assert_eq!(
        got,
        [
            ("a one # exit 3\n".to_string(), 3),
            ("b two \\\n  three\n".to_string(), 4),
            ("c four\n".to_string(), 0),
        ]
    );
}
