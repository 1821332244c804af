//! Core deterministic encoding (RFC 8949 §4.2.1) of a `Value`.

use alloc::vec::Vec;

use ciborium::value::Value;

use super::is_undefined;

/// Encodes `value` in core deterministic encoding: preferred serialization
/// (shortest heads; floats in the shortest width that keeps their value)
/// and map keys sorted by their encoded bytes. [`super::undefined`] is
/// written as 0xf7; tags, bignums included, as they are.
pub fn encode(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    write(value, &mut out);
    out
}

fn write(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Integer(i) => {
            let n = i128::from(*i);
            match u64::try_from(n) {
                Ok(n) => head(out, 0, n),
                // CBOR writes a negative n as -1 - n, which is !n.
                Err(_) => head(out, 1, u64::try_from(!n).unwrap_or(u64::MAX)),
            }
        }
        Value::Bytes(bytes) => {
            head(out, 2, bytes.len() as u64);
            out.extend_from_slice(bytes);
        }
        Value::Text(text) => {
            head(out, 3, text.len() as u64);
            out.extend_from_slice(text.as_bytes());
        }
        Value::Array(items) => {
            head(out, 4, items.len() as u64);
            items.iter().for_each(|item| write(item, out));
        }
        Value::Map(entries) => {
            head(out, 5, entries.len() as u64);
            for (key, position) in in_deterministic_order(entries) {
                out.extend_from_slice(&key);
                if let Some((_, v)) = entries.get(position) {
                    write(v, out);
                }
            }
        }
        Value::Tag(..) if is_undefined(value) => out.push(0xf7),
        Value::Tag(tag, inner) => {
            head(out, 6, *tag);
            write(inner, out);
        }
        Value::Bool(false) => out.push(0xf4),
        Value::Bool(true) => out.push(0xf5),
        Value::Null => out.push(0xf6),
        Value::Float(float) => write_float(out, *float),
        // Any variant a later `ciborium` adds: its own serializer.
        // Writing into a `Vec` cannot fail.
        other => {
            let _ = ciborium::ser::into_writer(other, &mut *out);
        }
    }
}

/// Appends `float` as `ciborium` writes it: the float header in the
/// shortest width that keeps its value (its serializer's `Value::Float`
/// comes down to the same push), here without its serde layer.
pub(super) fn write_float(out: &mut Vec<u8>, float: f64) {
    const WIDEST: usize = 9;
    let mut encoded = [0u8; WIDEST];
    let mut room: &mut [u8] = &mut encoded;
    let pushed = ciborium_ll::Encoder::from(&mut room)
        .push(ciborium_ll::Header::Float(float))
        .is_ok();
    let written = WIDEST - room.len();
    if pushed {
        out.extend_from_slice(encoded.get(..written).unwrap_or_default());
    }
}

/// The encoded keys of a map's `entries` with their positions, in the
/// order of core deterministic encoding: by encoded key, then by position
/// (what a stable sort gives, so a map with a repeated key keeps its
/// entries' order). One sort for every map the crate writes: a firmware
/// image links one sort, not one per caller.
pub(crate) fn in_deterministic_order(entries: &[(Value, Value)]) -> Vec<(Vec<u8>, usize)> {
    let mut order: Vec<(Vec<u8>, usize)> = entries
        .iter()
        .enumerate()
        .map(|(position, (key, _))| (encode(key), position))
        .collect();
    order.sort_unstable();
    order
}

/// Appends the head of major type `major` with argument `arg`, shortest form.
pub(crate) fn head(out: &mut Vec<u8>, major: u8, arg: u64) {
    let major = major << 5;
    match arg {
        0..=23 => out.push(major | arg as u8),
        24..=0xff => out.extend_from_slice(&[major | 24, arg as u8]),
        0x100..=0xffff => {
            out.push(major | 25);
            out.extend_from_slice(&(arg as u16).to_be_bytes());
        }
        0x1_0000..=0xffff_ffff => {
            out.push(major | 26);
            out.extend_from_slice(&(arg as u32).to_be_bytes());
        }
        _ => {
            out.push(major | 27);
            out.extend_from_slice(&arg.to_be_bytes());
        }
    }
}
