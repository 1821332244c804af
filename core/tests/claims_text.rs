//! The claims text view as data (`ClaimsText`), which the browser page lays
//! out as cards: the same groups, names and values as `render_text`, which
//! `tests/claims_json.rs` checks line by line.

use mtattest::claims::{render_text, ClaimsSet, ClaimsText, Layer};
use mtattest_testkit::example_phone;

/// 2026-01-01T00:00:00Z.
const IAT: i64 = 1_767_225_600;

fn phone() -> ClaimsSet {
    example_phone(IAT, [0x5a; 32])
}

fn line<'a>(text: &'a ClaimsText, layer: Option<Layer>, name: &str) -> Option<&'a str> {
    let group = text.groups.iter().find(|g| g.layer == layer)?;
    group
        .lines
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn groups_come_top_level_first_then_the_six_layers_in_order() {
    let text = ClaimsText::of(&phone());
    let layers: Vec<Option<Layer>> = text.groups.iter().map(|g| g.layer).collect();
    assert_eq!(
        layers,
        [
            None,
            Some(Layer::Chip),
            Some(Layer::Boot),
            Some(Layer::Os),
            Some(Layer::App),
            Some(Layer::Runtime),
            Some(Layer::Network)
        ]
    );
    assert!(text.groups.iter().all(|g| g.reported));
    let sources: Vec<Option<&str>> = text
        .groups
        .iter()
        .map(|g| g.evidence_source.as_deref())
        .collect();
    assert_eq!(
        sources,
        [
            None,
            Some("hardware"),
            Some("hardware"),
            Some("kernel"),
            Some("software"),
            Some("software"),
            Some("software")
        ]
    );
    assert!(text.unknown.is_empty());
}

#[test]
fn values_are_shown_as_people_read_them() {
    let text = ClaimsText::of(&phone());
    assert_eq!(
        line(&text, None, "iat"),
        Some("1767225600 (2026-01-01T00:00:00Z)")
    );
    assert_eq!(line(&text, None, "hwmodel"), Some("\"MT-Phone 7 Pro\""));
    assert_eq!(line(&text, None, "oemid"), Some("PEN 32473"));
    assert_eq!(
        line(&text, Some(Layer::Boot), "boot-patch-level"),
        Some("2025-12-05")
    );
    assert_eq!(
        line(&text, Some(Layer::Os), "kernel-integrity"),
        Some("success")
    );
    // evidence-source is the group's, not a line.
    assert_eq!(line(&text, Some(Layer::Chip), "evidence-source"), None);
}

#[test]
fn a_layer_not_reported_has_no_source_and_no_lines() {
    let mut claims = phone();
    claims.app = None;
    let text = ClaimsText::of(&claims);
    let app = text
        .groups
        .iter()
        .find(|g| g.layer == Some(Layer::App))
        .unwrap();
    assert!(!app.reported);
    assert_eq!(app.evidence_source, None);
    assert!(app.lines.is_empty());
    assert!(render_text(&claims)
        .lines()
        .any(|l| l == "app  (not reported)"));
}
