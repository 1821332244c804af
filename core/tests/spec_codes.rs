//! Keeps the error-code table of the specification (`spec/mtattest.md`,
//! "Error codes") honest.
//!
//! The codes the library can return are collected from its source: every
//! string literal inside a `fn code(&self) -> &'static str` (the stable-code
//! method of each error enum) under `core/src/`. The test fails when
//! - a code is returned but not documented in the table,
//! - the table lists a code that no `code()` returns,
//! - the table lists a code twice or a row lacks its category or meaning,
//! - a code of a family the specification does not know appears, or
//! - any chapter of `spec/` mentions (in backquotes) a code that does not exist.
//!
//! Scanning the source instead of enumerating the variants means a new
//! variant cannot slip through: the enums are `#[non_exhaustive]` and have no
//! list of all their values, but every code is a literal in a `code()` match.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The code families of the specification, in the order of its table.
const FAMILIES: &[&str] = &[
    "cbor",
    "token",
    "claims",
    "crypto",
    "chain",
    "freshness",
    "replay",
    "policy",
    "bulletin",
    "ear",
    "config",
    "android",
];

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn spec_dir() -> PathBuf {
    manifest_dir().join("../spec")
}

/// `family.name` with a lowercase family of letters and a kebab-case name.
fn split_code(s: &str) -> Option<(&str, &str)> {
    let (family, name) = s.split_once('.')?;
    let family_ok = !family.is_empty() && family.bytes().all(|b| b.is_ascii_lowercase());
    let name_ok = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-');
    (family_ok && name_ok).then_some((family, name))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

/// Skips a string literal starting at `i` (at the opening quote) and returns
/// its contents and the index after the closing quote. Raw strings are not
/// used for codes; escapes are kept as written.
fn string_literal(src: &[u8], mut i: usize) -> (String, usize) {
    debug_assert_eq!(src[i], b'"');
    i += 1;
    let start = i;
    while i < src.len() && src[i] != b'"' {
        if src[i] == b'\\' {
            i += 1;
        }
        i += 1;
    }
    let text = String::from_utf8_lossy(&src[start..i.min(src.len())]).into_owned();
    (text, i + 1)
}

/// The string literals in the body of every `fn code(&self) -> &'static str`
/// (or `self` by value) in `src`.
fn code_fn_literals(src: &str) -> Vec<String> {
    let bytes = src.as_bytes();
    let mut literals = Vec::new();
    let mut from = 0;
    while let Some(found) = src[from..].find("fn code(") {
        let sig_start = from + found;
        from = sig_start + "fn code(".len();
        let Some(open) = src[sig_start..].find('{').map(|o| sig_start + o) else {
            break;
        };
        let signature: String = src[sig_start..open].split_whitespace().collect();
        if !(signature.starts_with("fncode(&self)") || signature.starts_with("fncode(self)"))
            || !signature.ends_with("->&'staticstr")
        {
            continue;
        }
        // Walk the body, matching braces outside strings, comments and
        // character literals.
        let mut depth = 0usize;
        let mut i = open;
        while i < bytes.len() {
            match bytes[i] {
                b'"' => {
                    let (text, next) = string_literal(bytes, i);
                    literals.push(text);
                    i = next;
                    continue;
                }
                b'/' if bytes.get(i + 1) == Some(&b'/') => {
                    while i < bytes.len() && bytes[i] != b'\n' {
                        i += 1;
                    }
                    continue;
                }
                b'\'' if bytes.get(i + 2) == Some(&b'\'') => {
                    i += 3;
                    continue;
                }
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        from = i.max(from);
    }
    literals
}

/// Every code a `code()` of the library returns, with the file it is in.
fn codes_in_source() -> BTreeMap<String, String> {
    let src = manifest_dir().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut codes = BTreeMap::new();
    for file in files {
        let text = fs::read_to_string(&file).unwrap();
        let shown = file
            .strip_prefix(manifest_dir())
            .unwrap_or(&file)
            .display()
            .to_string();
        for literal in code_fn_literals(&text) {
            let Some((family, _)) = split_code(&literal) else {
                panic!("{shown}: `code()` returns {literal:?}, which is not a `family.name` code");
            };
            assert!(
                FAMILIES.contains(&family),
                "{shown}: code {literal:?} is of the family {family:?}, which the specification \
                 does not have; add the family to spec/mtattest.md (Error codes) and to FAMILIES"
            );
            codes.entry(literal).or_insert_with(|| shown.clone());
        }
    }
    codes
}

/// One row of the specification's error-code table.
#[derive(Debug)]
struct Row {
    code: String,
    category: String,
    meaning: String,
}

fn spec_text(name: &str) -> String {
    let path = spec_dir().join(name);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The rows of the table in the "Error codes" section of `spec/mtattest.md`.
fn spec_table() -> Vec<Row> {
    let text = spec_text("mtattest.md");
    let mut in_section = false;
    let mut rows = Vec::new();
    for line in text.lines() {
        if line.starts_with("## ") {
            in_section = line.ends_with("Error codes");
            continue;
        }
        // §13.1 onwards: the C ABI's own codes, checked by ffi/tests/codes.rs.
        if line.starts_with("### ") {
            in_section = false;
            continue;
        }
        if !in_section || !line.starts_with('|') {
            continue;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // | `code` | category | meaning |
        let [_, code, category, meaning, _] = cells.as_slice() else {
            continue;
        };
        let Some(code) = code.strip_prefix('`').and_then(|c| c.strip_suffix('`')) else {
            continue;
        };
        if split_code(code).is_none() {
            continue;
        }
        rows.push(Row {
            code: code.to_string(),
            category: category.to_string(),
            meaning: meaning.to_string(),
        });
    }
    assert!(
        !rows.is_empty(),
        "spec/mtattest.md has no \"## … Error codes\" section with a | `code` | category | meaning | table"
    );
    rows
}

#[test]
fn scanner_reads_only_stable_code_methods() {
    let src = r#"
        impl NewError {
            /// The stable error code.
            pub fn code(&self) -> &'static str {
                match self {
                    NewError::A { .. } => "token.brand-new", // "not.this-one"
                    NewError::B => { "chain.also-new" }
                    NewError::C => if '{' == '}' { "ear.third" } else { "ear.fourth" },
                }
            }
            fn other(&self) -> &'static str { "token.not-a-code-fn" }
        }
        impl Value { pub const fn code(self) -> u64 { 3 } }
        fn code(json: &str) -> &'static str { "policy.test-helper" }
    "#;
    assert_eq!(
        code_fn_literals(src),
        [
            "token.brand-new",
            "chain.also-new",
            "ear.third",
            "ear.fourth"
        ]
    );
}

#[test]
fn source_scan_finds_the_codes_of_every_error_enum() {
    // Guards the scanner itself: a few codes from each file with a `code()`.
    let codes = codes_in_source();
    for code in [
        "cbor.truncated",
        "token.bad-signature",
        "claims.invalid-json",
        "crypto.signature-length",
        "chain.no-anchor",
        "freshness.nonce-mismatch",
        "replay.seen",
        "policy.syntax",
        "bulletin.no-criteria",
        "ear.malformed",
    ] {
        assert!(
            codes.contains_key(code),
            "the scan missed {code}: {codes:?}"
        );
    }
    for family in FAMILIES {
        assert!(
            codes.keys().any(|c| c.starts_with(&format!("{family}."))),
            "no code of the family {family}"
        );
    }
}

#[test]
fn every_code_is_in_the_spec_table() {
    let codes = codes_in_source();
    let table: BTreeSet<String> = spec_table().into_iter().map(|r| r.code).collect();
    let undocumented: Vec<String> = codes
        .iter()
        .filter(|(code, _)| !table.contains(*code))
        .map(|(code, file)| format!("{code} (returned in {file})"))
        .collect();
    assert!(
        undocumented.is_empty(),
        "error codes missing from the table of spec/mtattest.md (Error codes): add a row \
         | `code` | category | meaning | for each:\n  {}",
        undocumented.join("\n  ")
    );
}

#[test]
fn the_spec_table_lists_only_codes_the_library_returns() {
    let codes = codes_in_source();
    let stale: Vec<String> = spec_table()
        .into_iter()
        .map(|r| r.code)
        .filter(|code| !codes.contains_key(code))
        .collect();
    assert!(
        stale.is_empty(),
        "spec/mtattest.md (Error codes) lists codes no `code()` in core/src returns:\n  {}",
        stale.join("\n  ")
    );
}

#[test]
fn the_spec_table_is_well_formed() {
    let rows = spec_table();
    let mut seen = BTreeSet::new();
    let mut last_family = 0;
    for row in &rows {
        assert!(
            seen.insert(row.code.clone()),
            "{} is listed twice",
            row.code
        );
        assert!(!row.category.is_empty(), "{} has no category", row.code);
        assert!(!row.meaning.is_empty(), "{} has no meaning", row.code);
        let (family, _) = split_code(&row.code).unwrap();
        let position = FAMILIES
            .iter()
            .position(|f| *f == family)
            .unwrap_or_else(|| panic!("{}: unknown family {family}", row.code));
        assert!(
            position >= last_family,
            "{}: the table groups codes by family in the order {FAMILIES:?}",
            row.code
        );
        last_family = position;
    }
}

/// Backquoted spans of Markdown text, fenced blocks left out.
fn code_spans(text: &str) -> Vec<&str> {
    let mut spans = Vec::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if !fenced {
            spans.extend(line.split('`').skip(1).step_by(2));
        }
    }
    spans
}

/// Dotted names in the specification that look like codes but are labels of
/// the attestation result (`ear.status`, …), taken from the library.
fn ear_labels() -> BTreeSet<&'static str> {
    use mtattest::appraisal::labels;
    [
        labels::PROFILE,
        labels::IAT,
        labels::NONCE,
        labels::SUBMODS,
        labels::STATUS,
        labels::TRUST_VECTOR,
        labels::POLICY_ID,
        labels::VERIFIER_ID,
        labels::ACTION,
        labels::REASONS,
    ]
    .into_iter()
    .map(|(json, _)| json)
    .collect()
}

#[test]
fn the_spec_mentions_only_codes_that_exist() {
    let codes = codes_in_source();
    let labels = ear_labels();
    let mut unknown = Vec::new();
    let mut files: Vec<PathBuf> = fs::read_dir(spec_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    files.sort();
    for file in files {
        let text = fs::read_to_string(&file).unwrap();
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        for span in code_spans(&text) {
            // `ear.cddl` is a file of the spec, not a code of the ear family.
            let names_a_spec_file = spec_dir().join(span).is_file();
            let looks_like_code =
                !names_a_spec_file && split_code(span).is_some_and(|(f, _)| FAMILIES.contains(&f));
            if looks_like_code && !codes.contains_key(span) && !labels.contains(span) {
                unknown.push(format!("{name}: `{span}`"));
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "the specification mentions error codes the library does not have:\n  {}",
        unknown.join("\n  ")
    );
}
