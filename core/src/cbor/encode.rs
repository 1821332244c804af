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
/// shortest width (half, single, double) whose value converts back to the
/// very same bits. Worked out on the bits, without float arithmetic:
/// `ciborium`'s `f64 -> f32 -> f64` and `f16` round trips are software
/// routines on a microcontroller (0.9 KB; docs/firmware.md). A NaN keeps
/// a narrower width when the round trip keeps it: quiet, and its payload
/// within the narrower mantissa (conversions quiet a NaN and truncate its
/// payload).
pub(super) fn write_float(out: &mut Vec<u8>, float: f64) {
    let bits = float.to_bits();
    match narrower_float(bits) {
        Some(Narrower::Half(half)) => {
            out.push(0xf9);
            out.extend_from_slice(&half.to_be_bytes());
        }
        Some(Narrower::Single(single)) => {
            out.push(0xfa);
            out.extend_from_slice(&single.to_be_bytes());
        }
        None => {
            out.push(0xfb);
            out.extend_from_slice(&bits.to_be_bytes());
        }
    }
}

enum Narrower {
    Half(u16),
    Single(u32),
}

/// The half or single float with exactly the value (or NaN) of the double
/// `bits`, half first.
fn narrower_float(bits: u64) -> Option<Narrower> {
    const MANTISSA: u64 = (1 << 52) - 1;
    const QUIET: u64 = 1 << 51;
    let sign = bits >> 63;
    let exponent = ((bits >> 52) & 0x7ff) as i32;
    let mantissa = bits & MANTISSA;
    let low_zero = |count: u32| mantissa & ((1u64 << count) - 1) == 0;
    let half = |rest: u64| Narrower::Half(((sign << 15) | rest) as u16);
    let single = |rest: u64| Narrower::Single(((sign << 31) | rest) as u32);
    match exponent {
        // Zero; a double subnormal is below every single.
        0 if mantissa == 0 => Some(half(0)),
        0 => None,
        // Infinity, then NaN.
        0x7ff if mantissa == 0 => Some(half(0x7c00)),
        0x7ff if mantissa & QUIET == 0 => None,
        0x7ff if low_zero(42) => Some(half(0x7c00 | (mantissa >> 42))),
        0x7ff if low_zero(29) => Some(single(0x7f80_0000 | (mantissa >> 29))),
        0x7ff => None,
        _ => {
            let unbiased = exponent - 1023;
            let significand = mantissa | (1 << 52);
            // A multiple of 2^-shift that fits: normal (the mantissa's
            // low bits zero) or subnormal (the significand's low bits).
            let exact = |shift: i32| {
                u32::try_from(shift)
                    .ok()
                    .filter(|&shift| shift <= 53)
                    .filter(|&shift| significand & ((1u64 << shift) - 1) == 0)
                    .map(|shift| significand >> shift)
            };
            match unbiased {
                -14..=15 if low_zero(42) => {
                    Some(half((((unbiased + 15) as u64) << 10) | (mantissa >> 42)))
                }
                -24..=-15 => match exact(28 - unbiased) {
                    Some(k) => Some(half(k)),
                    None => single_of(unbiased, mantissa, &exact).map(single),
                },
                _ => single_of(unbiased, mantissa, &exact).map(single),
            }
        }
    }
}

/// The bits (without the sign) of the single float equal to the normal
/// double of exponent `unbiased` and `mantissa`, if there is one.
fn single_of(unbiased: i32, mantissa: u64, exact: &dyn Fn(i32) -> Option<u64>) -> Option<u64> {
    match unbiased {
        -126..=127 if mantissa & ((1 << 29) - 1) == 0 => {
            Some((((unbiased + 127) as u64) << 23) | (mantissa >> 29))
        }
        -149..=-127 => exact(-97 - unbiased),
        _ => None,
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
