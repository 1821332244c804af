//! CBOR diagnostic notation (RFC 8949 §8, with the EDN `<<...>>` left out)
//! of a decoded `ciborium::Value`, for `mtattest inspect`.
//!
//! Output is bounded: long byte and text strings are cut (with a comment
//! saying how long they were), nesting below [`Limits::max_depth`] is
//! elided, and once [`Limits::max_chars`] are written the rest is replaced
//! by a note. Containers that fit on one line stay on one line; larger ones
//! get one entry per line, indented.

use ciborium::value::{Integer, Value};

/// How much the printer shows.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Bytes of a byte string shown before it is cut.
    pub max_bytes: usize,
    /// Characters of a text string shown before it is cut.
    pub max_text: usize,
    /// Nesting levels shown.
    pub max_depth: usize,
    /// Characters of output before the rest is dropped.
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

/// The diagnostic notation of `value`, pretty-printed and bounded.
pub fn render(value: &Value, limits: &Limits) -> String {
    let mut out = String::new();
    write_pretty(&mut out, value, 0, limits);
    if out.chars().count() > limits.max_chars {
        let cut: String = out.chars().take(limits.max_chars).collect();
        let cut = match cut.rfind('\n') {
            Some(at) => cut[..at].to_string(),
            None => cut,
        };
        return format!(
            "{cut}\n/ ... output cut at {} characters /",
            limits.max_chars
        );
    }
    out
}

/// The one-line diagnostic notation of `value` (bounded as [`render`]).
pub fn render_compact(value: &Value, limits: &Limits) -> String {
    let mut out = String::new();
    write_compact(&mut out, value, 0, limits);
    out
}

fn write_pretty(out: &mut String, value: &Value, depth: usize, limits: &Limits) {
    if out.len() > limits.max_chars {
        return;
    }
    let compact = render_compact(value, limits);
    let indent_len = depth * 2;
    if compact.len() + indent_len <= limits.line_width || depth >= limits.max_depth {
        out.push_str(&compact);
        return;
    }
    let pad = "  ".repeat(depth + 1);
    let close_pad = "  ".repeat(depth);
    match value {
        Value::Array(items) if !items.is_empty() => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                out.push_str(&pad);
                write_pretty(out, item, depth + 1, limits);
                if i + 1 < items.len() {
                    out.push(',');
                }
                out.push('\n');
                if out.len() > limits.max_chars {
                    return;
                }
            }
            out.push_str(&close_pad);
            out.push(']');
        }
        Value::Map(entries) if !entries.is_empty() => {
            out.push_str("{\n");
            for (i, (k, v)) in entries.iter().enumerate() {
                out.push_str(&pad);
                write_compact(out, k, depth + 1, limits);
                out.push_str(": ");
                write_pretty(out, v, depth + 1, limits);
                if i + 1 < entries.len() {
                    out.push(',');
                }
                out.push('\n');
                if out.len() > limits.max_chars {
                    return;
                }
            }
            out.push_str(&close_pad);
            out.push('}');
        }
        Value::Tag(tag, inner) => {
            out.push_str(&format!("{tag}("));
            write_pretty(out, inner, depth, limits);
            out.push(')');
        }
        _ => out.push_str(&compact),
    }
}

fn write_compact(out: &mut String, value: &Value, depth: usize, limits: &Limits) {
    if out.len() > limits.max_chars {
        return;
    }
    match value {
        Value::Integer(i) => out.push_str(&integer(*i)),
        Value::Bytes(b) => bytes(out, b, limits),
        Value::Float(f) => out.push_str(&float(*f)),
        Value::Text(t) => text(out, t, limits),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Null => out.push_str("null"),
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
    out.push_str("h'");
    let shown = b.len().min(limits.max_bytes);
    out.push_str(&hex::encode(&b[..shown]));
    out.push('\'');
    if shown < b.len() {
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

    fn cbor(hex_text: &str) -> Value {
        let bytes = hex::decode(hex_text).unwrap();
        ciborium::de::from_reader(bytes.as_slice()).unwrap()
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
        ] {
            assert_eq!(render(&cbor(hex_text), &l), diag, "{hex_text}");
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
    }
}
