//! CBOR diagnostic notation (RFC 8949 §8, with the EDN `<<...>>` left out)
//! of a decoded [`ciborium::value::Value`], for showing untrusted tokens
//! (`mtattest inspect`, the browser page). Tags show as tags (a bignum as
//! `2(h'01')`), and [`crate::cbor::undefined`] as `undefined`.
//!
//! Output is bounded: long byte and text strings are cut (with a comment
//! saying how long they were), nesting below [`Limits::max_depth`] is
//! elided, and once more than [`Limits::max_chars`] characters would be
//! written the rest is replaced by a note ([`cut_note`]). Containers that
//! fit on one line stay on one line; larger ones get one entry per line,
//! indented.
//!
//! The printer needs only `alloc`.
//!
//! ```
//! use ciborium::value::Value;
//! use mtattest::diag::{render, render_compact, Limits};
//!
//! let v = Value::Tag(18, Box::new(Value::Array(vec![
//!     Value::Bytes(vec![0xa1, 0x01, 0x38, 0x22]),
//!     Value::Map(vec![]),
//!     Value::Text("payload".into()),
//!     Value::Integer((-1).into()),
//! ])));
//! assert_eq!(render(&v, &Limits::DEFAULT), "18([h'a1013822', {}, \"payload\", -1])");
//! assert_eq!(render_compact(&Value::Float(1.5), &Limits::DEFAULT), "1.5");
//! ```

use alloc::format;
use alloc::string::{String, ToString};

use ciborium::value::{Integer, Value};

/// How much the printer shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of a byte string shown before it is cut.
    pub max_bytes: usize,
    /// Characters of a text string shown before it is cut.
    pub max_text: usize,
    /// Nesting levels shown.
    pub max_depth: usize,
    /// Characters of output before the rest is dropped: [`render`] and
    /// [`render_compact`] return at most this many characters, plus the
    /// [`cut_note`] when something was dropped.
    pub max_chars: usize,
    /// Width under which a container stays on one line.
    pub line_width: usize,
}

impl Limits {
    /// The defaults of `inspect`.
    pub const DEFAULT: Limits = Limits {
        max_bytes: 32,
        max_text: 120,
        max_depth: 24,
        max_chars: 64 * 1024,
        line_width: 80,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// The note that replaces what is dropped once [`Limits::max_chars`]
/// characters are written: `/ ... output cut at N characters /`, after a
/// newline ([`render`]) or a space ([`render_compact`]).
pub fn cut_note(limits: &Limits) -> String {
    format!("/ ... output cut at {} characters /", limits.max_chars)
}

/// The most characters [`render`] or [`render_compact`] return under
/// `limits`: [`Limits::max_chars`], a separator and the [`cut_note`].
///
/// ```
/// use ciborium::value::Value;
/// use mtattest::diag::{max_output_chars, render, Limits};
///
/// let limits = Limits { max_chars: 100, ..Limits::DEFAULT };
/// let big = Value::Array(vec![Value::Integer(7.into()); 1000]);
/// let text = render(&big, &limits);
/// assert!(text.ends_with("/ ... output cut at 100 characters /"));
/// assert!(text.chars().count() <= max_output_chars(&limits));
/// ```
pub fn max_output_chars(limits: &Limits) -> usize {
    limits
        .max_chars
        .saturating_add(1)
        .saturating_add(cut_note(limits).len())
}

/// The diagnostic notation of `value`, pretty-printed and bounded: at most
/// [`Limits::max_chars`] characters, then (if anything was dropped) a
/// newline and the [`cut_note`] ([`max_output_chars`] in all). The cut is made at the last line break
/// before the limit.
pub fn render(value: &Value, limits: &Limits) -> String {
    let mut out = String::new();
    write_pretty(&mut out, value, 0, limits);
    match cut(out, limits.max_chars) {
        Ok(whole) => whole,
        Err(mut cut) => {
            if let Some(at) = cut.rfind('\n') {
                cut.truncate(at);
            }
            format!("{cut}\n{}", cut_note(limits))
        }
    }
}

/// The one-line diagnostic notation of `value`, bounded as [`render`]: at
/// most [`Limits::max_chars`] characters, then (if anything was dropped) a
/// space and the [`cut_note`].
pub fn render_compact(value: &Value, limits: &Limits) -> String {
    match cut(compact(value, limits), limits.max_chars) {
        Ok(whole) => whole,
        Err(cut) => format!("{cut} {}", cut_note(limits)),
    }
}

/// `text` whole if it has at most `max` characters, else its first `max`.
fn cut(mut text: String, max: usize) -> Result<String, String> {
    match text.char_indices().nth(max) {
        None => Ok(text),
        Some((at, _)) => {
            text.truncate(at);
            Err(text)
        }
    }
}

/// True once `out` certainly holds more than `max_chars` characters (a
/// character is at most four bytes): writing can stop, the rest is cut.
fn full(out: &str, limits: &Limits) -> bool {
    out.len() > limits.max_chars.saturating_mul(4)
}

/// The one-line notation, stopped (not cut) once [`full`].
fn compact(value: &Value, limits: &Limits) -> String {
    let mut out = String::new();
    write_compact(&mut out, value, 0, limits);
    out
}

fn write_pretty(out: &mut String, value: &Value, depth: usize, limits: &Limits) {
    if full(out, limits) {
        return;
    }
    let compact = compact(value, limits);
    let indent_len = depth.saturating_mul(2);
    if compact.len().saturating_add(indent_len) <= limits.line_width || depth >= limits.max_depth {
        out.push_str(&compact);
        return;
    }
    let pad = "  ".repeat(depth.saturating_add(1));
    let close_pad = "  ".repeat(depth);
    match value {
        Value::Array(items) if !items.is_empty() => {
            out.push_str("[\n");
            let mut rest = items.len();
            for item in items {
                rest -= 1;
                out.push_str(&pad);
                write_pretty(out, item, depth + 1, limits);
                if rest > 0 {
                    out.push(',');
                }
                out.push('\n');
                if full(out, limits) {
                    return;
                }
            }
            out.push_str(&close_pad);
            out.push(']');
        }
        Value::Map(entries) if !entries.is_empty() => {
            out.push_str("{\n");
            let mut rest = entries.len();
            for (k, v) in entries {
                rest -= 1;
                out.push_str(&pad);
                write_compact(out, k, depth + 1, limits);
                out.push_str(": ");
                write_pretty(out, v, depth + 1, limits);
                if rest > 0 {
                    out.push(',');
                }
                out.push('\n');
                if full(out, limits) {
                    return;
                }
            }
            out.push_str(&close_pad);
            out.push('}');
        }
        Value::Tag(tag, inner) if !crate::cbor::is_undefined(value) => {
            out.push_str(&format!("{tag}("));
            write_pretty(out, inner, depth, limits);
            out.push(')');
        }
        _ => out.push_str(&compact),
    }
}

fn write_compact(out: &mut String, value: &Value, depth: usize, limits: &Limits) {
    if full(out, limits) {
        return;
    }
    match value {
        Value::Integer(i) => out.push_str(&integer(*i)),
        Value::Bytes(b) => bytes(out, b, limits),
        Value::Float(f) => out.push_str(&float(*f)),
        Value::Text(t) => text(out, t, limits),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Null => out.push_str("null"),
        Value::Tag(..) if crate::cbor::is_undefined(value) => out.push_str("undefined"),
        Value::Tag(tag, inner) => {
            out.push_str(&format!("{tag}("));
            if depth >= limits.max_depth {
                out.push_str("...");
            } else {
                write_compact(out, inner, depth + 1, limits);
            }
            out.push(')');
        }
        Value::Array(items) => {
            out.push('[');
            if depth >= limits.max_depth && !items.is_empty() {
                out.push_str(&format!("/ {} items /", items.len()));
            } else {
                for (i, item) in items.iter().enumerate() {
                    if full(out, limits) {
                        break;
                    }
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write_compact(out, item, depth + 1, limits);
                }
            }
            out.push(']');
        }
        Value::Map(entries) => {
            out.push('{');
            if depth >= limits.max_depth && !entries.is_empty() {
                out.push_str(&format!("/ {} entries /", entries.len()));
            } else {
                for (i, (k, v)) in entries.iter().enumerate() {
                    if full(out, limits) {
                        break;
                    }
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write_compact(out, k, depth + 1, limits);
                    out.push_str(": ");
                    write_compact(out, v, depth + 1, limits);
                }
            }
            out.push('}');
        }
        // `Value` is non-exhaustive; nothing else is decoded today.
        _ => out.push_str("/ unknown item /"),
    }
}

fn integer(i: Integer) -> String {
    i128::from(i).to_string()
}

fn float(f: f64) -> String {
    if f.is_nan() {
        "NaN".to_string()
    } else if f.is_infinite() {
        if f > 0.0 { "Infinity" } else { "-Infinity" }.to_string()
    } else {
        // `{:?}` always shows a fraction or an exponent: 1.0, 1e300.
        format!("{f:?}")
    }
}

fn bytes(out: &mut String, b: &[u8], limits: &Limits) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    out.push_str("h'");
    for byte in b.iter().take(limits.max_bytes) {
        for nibble in [byte >> 4, byte & 0x0f] {
            out.push(char::from(
                DIGITS.get(usize::from(nibble)).copied().unwrap_or(b'0'),
            ));
        }
    }
    out.push('\'');
    if b.len() > limits.max_bytes {
        out.push_str(&format!(" / ... {} bytes /", b.len()));
    }
}

fn text(out: &mut String, t: &str, limits: &Limits) {
    out.push('"');
    for c in t.chars().take(limits.max_text) {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    let total = t.chars().count();
    if total > limits.max_text {
        out.push_str(&format!(" / ... {total} characters /"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;

    fn cbor(hex_text: &str) -> Value {
        let bytes = hex::decode(hex_text).unwrap();
        ciborium::de::from_reader(bytes.as_slice()).unwrap()
    }

    /// The strict decoder's reading: tags kept, `undefined` distinct.
    fn strict(hex_text: &str) -> Value {
        let bytes = hex::decode(hex_text).unwrap();
        crate::cbor::decode_strict(&bytes, &crate::Limits::DEFAULT).unwrap()
    }

    #[test]
    fn scalars() {
        let l = Limits::DEFAULT;
        for (hex_text, diag) in [
            ("00", "0"),
            ("20", "-1"),
            ("3bffffffffffffffff", "-18446744073709551616"),
            ("1bffffffffffffffff", "18446744073709551615"),
            ("43010203", "h'010203'"),
            ("40", "h''"),
            ("6161", "\"a\""),
            ("62225c", "\"\\\"\\\\\""),
            ("f4", "false"),
            ("f5", "true"),
            ("f6", "null"),
            ("f93e00", "1.5"),
            ("f97e00", "NaN"),
            ("f97c00", "Infinity"),
            ("f9fc00", "-Infinity"),
            ("fb3ff0000000000000", "1.0"),
            ("63610a01", "\"a\\n\\u0001\""),
        ] {
            assert_eq!(render(&cbor(hex_text), &l), diag, "{hex_text}");
        }
        for (hex_text, diag) in [
            ("f6", "null"),
            ("f7", "undefined"),
            ("c24101", "2(h'01')"),
            ("c3420001", "3(h'0001')"),
            ("82f7f6", "[undefined, null]"),
        ] {
            assert_eq!(render(&strict(hex_text), &l), diag, "{hex_text}");
        }
    }

    #[test]
    fn containers_and_tags() {
        let l = Limits::DEFAULT;
        // 18([h'a10126', {}, h'', h''])
        assert_eq!(
            render(&cbor("d28443a10126a04040"), &l),
            "18([h'a10126', {}, h'', h''])"
        );
        assert_eq!(render(&cbor("a201020304"), &l), "{1: 2, 3: 4}");
        assert_eq!(render(&cbor("a1616180"), &l), "{\"a\": []}");
        // Indefinite lengths and duplicate keys are shown as read.
        assert_eq!(render(&cbor("9f0102ff"), &l), "[1, 2]");
        assert_eq!(render(&cbor("a201020103"), &l), "{1: 2, 1: 3}");
    }

    #[test]
    fn long_values_are_cut_and_wrapped() {
        let l = Limits {
            max_bytes: 4,
            max_text: 3,
            ..Limits::DEFAULT
        };
        assert_eq!(
            render(&Value::Bytes(vec![0xab; 10]), &l),
            "h'abababab' / ... 10 bytes /"
        );
        assert_eq!(render(&Value::Bytes(vec![0xab; 4]), &l), "h'abababab'");
        assert_eq!(
            render(&Value::Text("abcdef".into()), &l),
            "\"abc\" / ... 6 characters /"
        );
        let wide = Value::Array(
            (0..40)
                .map(|i| {
                    if i % 2 == 0 {
                        Value::Integer(1000.into())
                    } else {
                        Value::Text("x".into())
                    }
                })
                .collect(),
        );
        let text = render(&wide, &Limits::DEFAULT);
        assert!(text.starts_with("[\n  1000,\n  \"x\","), "{text}");
        assert!(text.ends_with("\n]"));
        let map = Value::Map(vec![(Value::Integer(1.into()), wide.clone()); 2]);
        let text = render(&map, &Limits::DEFAULT);
        assert!(text.starts_with("{\n  1: [\n    1000,\n"), "{text}");
        assert!(text.ends_with("\n  ]\n}"), "{text}");
    }

    #[test]
    fn depth_and_size_are_bounded() {
        let mut v = Value::Integer(0.into());
        for _ in 0..100 {
            v = Value::Array(vec![v]);
        }
        let text = render(&v, &Limits::DEFAULT);
        assert!(text.contains("/ 1 items /"), "{text}");
        let big = Value::Array(vec![Value::Bytes(vec![0; 64]); 5000]);
        let text = render(&big, &Limits::DEFAULT);
        assert!(text.len() < Limits::DEFAULT.max_chars + 200);
        assert!(text.ends_with("output cut at 65536 characters /"));
        assert!(text.chars().count() <= max_output_chars(&Limits::DEFAULT));
    }

    #[test]
    fn compact_output_is_bounded_too() {
        let l = Limits {
            max_chars: 50,
            ..Limits::DEFAULT
        };
        let big = Value::Array(vec![Value::Integer(0.into()); 10_000]);
        let text = render_compact(&big, &l);
        assert!(text.starts_with("[0, 0, "), "{text}");
        assert!(
            text.ends_with(" / ... output cut at 50 characters /"),
            "{text}"
        );
        assert!(text.chars().count() <= max_output_chars(&l));
        let small = Value::Array(vec![Value::Integer(0.into()); 3]);
        assert_eq!(render_compact(&small, &l), "[0, 0, 0]");
    }

    #[test]
    fn wide_characters_are_counted_as_characters() {
        // Three-byte characters: more than max_chars bytes but no more
        // characters is shown whole; more characters is cut, with the note.
        let l = Limits {
            max_chars: 100,
            max_text: 1000,
            ..Limits::DEFAULT
        };
        let text = |n: usize| Value::Text("\u{4e2d}".repeat(n));
        let whole = render(&Value::Array(vec![text(90)]), &l);
        assert_eq!(whole.chars().count(), 98);
        assert!(whole.len() > 100);
        assert!(whole.ends_with("\"\n]"), "{whole}");
        let items: Vec<Value> = (0..20).map(|_| text(10)).collect();
        let cut = render(&Value::Array(items), &l);
        assert!(
            cut.ends_with("\n/ ... output cut at 100 characters /"),
            "{cut}"
        );
        assert!(cut.chars().count() <= max_output_chars(&l));
    }
}
