//! A human-readable rendering of a claims set, for the CLI's demo and
//! `inspect` and the browser page. Not a stable format: parse
//! [`ClaimsSet::to_json`] instead.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use serde_json::{Map, Value as Json};

use super::json::{form_of, Form};
use super::names::{part, Layer, Scope, SUBMODS};
use super::{keys, ClaimsSet, PatchLevel, SecurityLifecycle};

/// Top-level claims in display order: freshness, identity, then the rest.
const TOP_ORDER: [i64; 11] = [
    keys::IAT,
    keys::EXP,
    keys::NBF,
    keys::NONCE,
    keys::CTI,
    keys::UEID,
    keys::OEMID,
    keys::HWMODEL,
    keys::INTUSE,
    keys::CNF,
    keys::PROFILE,
];

/// Byte strings longer than this are shown truncated.
const SHORT_BYTES: usize = 16;
/// How many bytes a truncated byte string shows.
const SHOWN_BYTES: usize = 8;

/// Renders `claims` for people, grouped by layer:
///
/// ```text
/// top level
///   iat: 1767225600 (2026-01-01T00:00:00Z)
///   eat-nonce: 5a5a5a5a5a5a5a5a... (32 bytes)
///   ...
/// boot  (evidence: hardware)
///   verified-boot-state: verified
///   boot-patch-level: 2025-12-05
///   ...
/// runtime  (evidence: software)
///   malware: none
///   root: success
/// unknown claims: none
/// ```
///
/// The top-level identity and freshness claims come first, then each of the
/// six layers with its evidence source (or `(not reported)`), one
/// `name: value` line per claim present, `measres` results as
/// `result-for: result` lines (other measurement systems as
/// `system/result-for: result`), and last the paths of the unknown claims.
/// Values are shown by name, patch levels as dates, times with their UTC date,
/// byte strings in hex (longer ones truncated), and control characters in
/// text escaped.
///
/// ```
/// use mtattest::claims::keys::detection;
/// use mtattest::claims::{
///     render_text, BootLayer, ClaimsSet, EvidenceSource, MeasResult, OsLayer, PatchLevel,
///     RuntimeLayer,
/// };
///
/// let mut runtime = RuntimeLayer::builder(EvidenceSource::Software).build();
/// runtime.set_detection(detection::ROOT, MeasResult::Success);
/// let claims = ClaimsSet::builder(1_767_225_600)
///     .boot(BootLayer::builder(EvidenceSource::Hardware).build())
///     .os(OsLayer::builder(EvidenceSource::Kernel)
///         .os_patch_level(PatchLevel::from_ymd(2025, 12, 1).unwrap())
///         .build())
///     .runtime(runtime)
///     .build();
/// let text = render_text(&claims);
/// assert!(text.lines().any(|l| l == "boot  (evidence: hardware)"));
/// assert!(text.lines().any(|l| l == "  os-patch-level: 2025-12-01"));
/// assert!(text.lines().any(|l| l == "  root: success"));
/// ```
pub fn render_text(claims: &ClaimsSet) -> String {
    ClaimsText::of(claims).to_string()
}

/// The lines of [`render_text`] as data, for a front end that lays them
/// out itself (the browser page shows each layer as a card): the same
/// groups, names and values, so every front end shows a claim one way.
/// Its [`Display`](fmt::Display) is [`render_text`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimsText {
    /// The top level first, then each of the five layers in
    /// [`Layer::ALL`] order, reported or not.
    pub groups: Vec<ClaimsTextGroup>,
    /// The paths of the unknown claims, control characters escaped.
    pub unknown: Vec<String>,
}

/// The top level or one layer in [`ClaimsText`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimsTextGroup {
    /// The layer; `None` for the top level.
    pub layer: Option<Layer>,
    /// Whether the token has this layer's submodule (the top level always
    /// counts as reported).
    pub reported: bool,
    /// The layer's `evidence-source`, `?` when a reported layer has none;
    /// `None` for the top level and for a layer not reported.
    pub evidence_source: Option<String>,
    /// One `(name, value)` per claim present, in display order.
    pub lines: Vec<(String, String)>,
}

impl ClaimsText {
    /// Renders `claims` (see [`render_text`] for the rules).
    pub fn of(claims: &ClaimsSet) -> ClaimsText {
        let json = claims.to_json();
        let empty = Map::new();
        let top = json.as_object().unwrap_or(&empty);
        let mut groups = Vec::with_capacity(1 + Layer::ALL.len());
        let mut lines = Vec::new();
        for key in TOP_ORDER {
            claim_line(&mut lines, Scope::Top, key, top);
        }
        groups.push(ClaimsTextGroup {
            layer: None,
            reported: true,
            evidence_source: None,
            lines,
        });
        let submods = top.get(SUBMODS).and_then(Json::as_object);
        for layer in Layer::ALL {
            let claims = submods
                .and_then(|s| s.get(layer.name()))
                .and_then(Json::as_object);
            let Some(claims) = claims else {
                groups.push(ClaimsTextGroup {
                    layer: Some(layer),
                    reported: false,
                    evidence_source: None,
                    lines: Vec::new(),
                });
                continue;
            };
            let source = claims
                .get("evidence-source")
                .and_then(Json::as_str)
                .unwrap_or("?");
            let mut lines = Vec::new();
            for c in layer.claims() {
                if c.key != keys::EVIDENCE_SOURCE && c.key != keys::MEASRES {
                    claim_line(&mut lines, Scope::Layer(layer), c.key, claims);
                }
            }
            if let Some(groups) = claims.get("measres").and_then(Json::as_array) {
                measres_lines(&mut lines, groups);
            }
            groups.push(ClaimsTextGroup {
                layer: Some(layer),
                reported: true,
                evidence_source: Some(String::from(source)),
                lines,
            });
        }
        let unknown = claims
            .unknown_claims()
            .into_iter()
            .map(|u| clean(&u.path))
            .collect();
        ClaimsText { groups, unknown }
    }
}

impl fmt::Display for ClaimsText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for group in &self.groups {
            let source = group.evidence_source.as_deref().unwrap_or("?");
            match group.layer {
                None => writeln!(f, "top level")?,
                Some(layer) if !group.reported => writeln!(f, "{layer}  (not reported)")?,
                Some(layer) => writeln!(f, "{layer}  (evidence: {source})")?,
            }
            for (name, value) in &group.lines {
                writeln!(f, "  {name}: {value}")?;
            }
        }
        if self.unknown.is_empty() {
            writeln!(f, "unknown claims: none")
        } else {
            writeln!(f, "unknown claims: {}", self.unknown.join(", "))
        }
    }
}

/// Adds `(name, value)` if the claim `key` of `scope` is in `claims`.
fn claim_line(out: &mut Vec<(String, String)>, scope: Scope, key: i64, claims: &Map<String, Json>) {
    let Some(name) = scope.name_of(key) else {
        return;
    };
    let (Some(value), Some(form)) = (claims.get(name), form_of(key)) else {
        return;
    };
    out.push((String::from(name), value_text(form, value)));
}

fn measres_lines(out: &mut Vec<(String, String)>, groups: &[Json]) {
    for group in groups {
        let system = group.get(part::SYSTEM).and_then(Json::as_str);
        let results = group.get(part::RESULTS).and_then(Json::as_array);
        let (Some(system), Some(results)) = (system, results) else {
            continue;
        };
        for r in results {
            let result_for = match r.get(part::RESULT_FOR) {
                Some(Json::String(t)) => clean(t),
                Some(Json::Object(b)) => b
                    .get("bstr")
                    .and_then(Json::as_str)
                    .map(short_hex)
                    .unwrap_or_default(),
                _ => String::new(),
            };
            let result = r.get(part::RESULT).and_then(Json::as_str).unwrap_or("?");
            let name = if system == keys::MEASRES_SYSTEM {
                result_for
            } else {
                format!("{}/{result_for}", clean(system))
            };
            out.push((name, String::from(result)));
        }
    }
}

/// `text` with control characters (and the invisible formatting characters
/// that reorder or hide text) escaped, so a hostile token can neither drive
/// the terminal nor disguise a value.
fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let invisible = matches!(
            c,
            '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}'
        );
        if c.is_control() || invisible {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Hex, truncated after [`SHOWN_BYTES`] bytes when longer than
/// [`SHORT_BYTES`], with the length.
fn short_hex(hex: &str) -> String {
    if hex.len() <= 2 * SHORT_BYTES {
        return String::from(hex);
    }
    let shown = hex.get(..2 * SHOWN_BYTES).unwrap_or(hex);
    format!("{shown}... ({} bytes)", hex.len() / 2)
}

fn str_text(v: &Json) -> String {
    v.as_str().map(clean).unwrap_or_default()
}

fn hex_text(v: &Json) -> String {
    v.as_str().map(short_hex).unwrap_or_default()
}

/// Epoch seconds with their UTC date and time.
fn time_text(t: i64) -> String {
    match crate::encoding::format_rfc3339(crate::UnixTime(t)) {
        Some(date_time) => format!("{t} ({date_time})"),
        None => format!("{t}"),
    }
}

/// `1d 3h 17m`, `3h 0m`, `17m 5s`, `42s`.
fn duration_text(s: u64) -> String {
    let (d, h, m, s) = (s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60);
    match (d, h) {
        (0, 0) if m == 0 => format!("{s}s"),
        (0, 0) => format!("{m}m {s}s"),
        (0, _) => format!("{h}h {m}m"),
        _ => format!("{d}d {h}h {m}m"),
    }
}

/// A byte string that is printable ASCII, quoted; otherwise hex.
/// A label (spec §12.3) as its JSON form says: quoted text, or the hex of
/// bytes that are not text.
fn label_text(v: &Json) -> String {
    match v {
        Json::String(t) => format!("\"{t}\""),
        _ => v
            .get(crate::encoding::LABEL_HEX)
            .map_or_else(|| format!("{v}"), |h| format!("hex {}", hex_text(h))),
    }
}

fn join(items: impl Iterator<Item = String>, sep: &str) -> String {
    items.collect::<Vec<_>>().join(sep)
}

fn value_text(form: Form, v: &Json) -> String {
    let obj = |name: &str| v.get(name);
    match form {
        Form::Time => match v.as_i64() {
            Some(t) => time_text(t),
            None => format!("{v}"),
        },
        Form::PatchLevel => match v.as_u64().map(u32::try_from) {
            Some(Ok(p)) => PatchLevel::new(p).map_or_else(|_| format!("{p}"), |p| format!("{p}")),
            _ => format!("{v}"),
        },
        Form::Lifecycle => match v.as_u64().map(u16::try_from) {
            Some(Ok(raw)) => match SecurityLifecycle::new(raw) {
                Ok(l) => format!("{} ({raw:#06x})", l.phase().name()),
                Err(_) => format!("{raw:#06x}"),
            },
            _ => format!("{v}"),
        },
        Form::Seconds => match v.as_u64() {
            Some(s) => format!("{s} s ({})", duration_text(s)),
            None => format!("{v}"),
        },
        Form::Int | Form::Bool => format!("{v}"),
        Form::Text | Form::Code(_) => str_text(v),
        Form::Bytes | Form::Digests => match v {
            Json::Array(items) => join(items.iter().map(hex_text), ", "),
            _ => hex_text(v),
        },
        Form::Label => label_text(v),
        Form::Version => match obj(part::SCHEME) {
            Some(s) => format!(
                "{} (scheme {s})",
                obj(part::VERSION).map(str_text).unwrap_or_default()
            ),
            None => obj(part::VERSION).map(str_text).unwrap_or_default(),
        },
        Form::Dloas => join(
            v.as_array().into_iter().flatten().map(|d| {
                let parts = [
                    part::REGISTRAR,
                    part::PLATFORM_LABEL,
                    part::APPLICATION_LABEL,
                ];
                join(parts.iter().filter_map(|p| d.get(*p)).map(str_text), " ")
            }),
            "; ",
        ),
        Form::Measurements => join(
            v.as_array().into_iter().flatten().map(|m| {
                let t = m.get(part::CONTENT_TYPE).map(|t| format!("{t}"));
                let c = m.get(part::CONTENT).map(hex_text);
                format!("{}:{}", t.unwrap_or_default(), c.unwrap_or_default())
            }),
            ", ",
        ),
        Form::OemId => match v {
            Json::Number(n) => format!("PEN {n}"),
            _ => hex_text(v),
        },
        Form::Cnf => match (obj(part::COSE_KEY), obj(part::KID)) {
            (Some(k), _) => format!("COSE_Key {}", hex_text(k)),
            (_, Some(kid)) => format!("kid {}", hex_text(kid)),
            _ => String::new(),
        },
        Form::PrivacyEvents => {
            let named = [part::OUT_OF_SCOPE, part::OVER_FREQUENCY, part::BACKGROUND];
            let mut items: Vec<String> = named
                .iter()
                .filter_map(|n| Some(format!("{n} {}", obj(n)?)))
                .collect();
            let mut others: Vec<(u64, &Json)> = v
                .as_object()
                .into_iter()
                .flatten()
                .filter_map(|(k, c)| Some((k.parse().ok()?, c)))
                .collect();
            others.sort_by_key(|(k, _)| *k);
            items.extend(others.into_iter().map(|(k, c)| format!("{k}: {c}")));
            items.join(", ")
        }
        Form::Measres | Form::Submods => String::new(),
    }
}
