//! Typed access to `ciborium::Value`s with readable error paths.
//!
//! Paths are built on the stack as a linked list and rendered into a `String`
//! only when an error is reported.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;

use ciborium::value::Value;

use super::unknown::ClaimKey;
use crate::error::ClaimsError;

/// A claim value set (implemented by `code_enum!`).
pub(crate) trait Code: Sized + Copy + 'static {
    fn from_code(code: u64) -> Option<Self>;
    fn code(self) -> u64;
    fn all() -> &'static [Self];
    fn name(self) -> &'static str;
}

#[derive(Clone, Copy)]
enum Seg<'a> {
    Root,
    Name(&'a str),
    Key(&'a ClaimKey),
    Index(usize),
}

/// Where a value sits, e.g. `submods.runtime.measres[0].results[2].result`.
#[derive(Clone, Copy)]
pub(crate) struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    seg: Seg<'a>,
}

impl<'a> Path<'a> {
    /// The claims set itself.
    pub(crate) const ROOT: Path<'static> = Path {
        parent: None,
        seg: Seg::Root,
    };

    /// A named member: a claim or a part of a structured claim.
    pub(crate) fn field<'b>(&'b self, name: &'b str) -> Path<'b>
    where
        'a: 'b,
    {
        Path {
            parent: Some(self),
            seg: Seg::Name(name),
        }
    }

    /// A claim known only by its key.
    pub(crate) fn key<'b>(&'b self, key: &'b ClaimKey) -> Path<'b>
    where
        'a: 'b,
    {
        Path {
            parent: Some(self),
            seg: Seg::Key(key),
        }
    }

    /// An array element.
    pub(crate) fn index(&self, index: usize) -> Path<'_> {
        Path {
            parent: Some(self),
            seg: Seg::Index(index),
        }
    }

    pub(crate) fn render(&self) -> String {
        let mut segs = Vec::new();
        let mut cur = Some(self);
        while let Some(p) = cur {
            segs.push(p.seg);
            cur = p.parent;
        }
        let mut out = String::new();
        for seg in segs.iter().rev() {
            match seg {
                Seg::Root => {}
                Seg::Name(name) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(name);
                }
                Seg::Key(key) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    match key {
                        ClaimKey::Int(n) => push_decimal(&mut out, *n),
                        ClaimKey::Text(t) => out.push_str(t),
                    }
                }
                Seg::Index(i) => {
                    out.push('[');
                    push_decimal(&mut out, *i as i128);
                    out.push(']');
                }
            }
        }
        if out.is_empty() {
            // The claims set itself (e.g. a key of the wrong type in it).
            out.push_str("claims-set");
        }
        out
    }
}

/// Appends `n` in decimal, as `{n}` would, without `core::fmt`: paths
/// and the producer's refusals are rendered on the producer's path, which
/// firmware builds without the formatting machinery (docs/firmware.md).
pub(crate) fn push_decimal(out: &mut String, n: i128) {
    if n < 0 {
        out.push('-');
    }
    // The magnitude in 16-bit digits, most significant first, divided by
    // ten one step at a time in 32-bit arithmetic: a `u128` division by
    // ten would be unrolled into a kilobyte of 32-bit code on a
    // microcontroller (docs/firmware.md).
    let magnitude = n.unsigned_abs().to_be_bytes();
    let mut halves = [0u16; 8];
    for (half, pair) in halves.iter_mut().zip(magnitude.chunks_exact(2)) {
        if let [high, low] = *pair {
            *half = u16::from_be_bytes([high, low]);
        }
    }
    let mut digits = [0u8; 39];
    let mut start = digits.len();
    loop {
        let mut remainder = 0u32;
        let mut rest_is_zero = true;
        for half in halves.iter_mut() {
            let dividend = (remainder << 16) | u32::from(*half);
            *half = (dividend / 10) as u16;
            remainder = dividend % 10;
            rest_is_zero &= *half == 0;
        }
        start -= 1;
        if let Some(digit) = digits.get_mut(start) {
            *digit = b'0' + remainder as u8;
        }
        if rest_is_zero || start == 0 {
            break;
        }
    }
    digits
        .get(start..)
        .unwrap_or_default()
        .iter()
        .for_each(|&d| out.push(char::from(d)));
}

/// "is {len} bytes; {min}..={max} required", built without `core::fmt`
/// (the typed claims' constructors run on a producer).
pub(crate) fn length_refusal(len: usize, min: usize, max: usize) -> String {
    let mut reason = String::from("is ");
    push_decimal(&mut reason, len as i128);
    reason.push_str(" bytes; ");
    push_decimal(&mut reason, min as i128);
    reason.push_str("..=");
    push_decimal(&mut reason, max as i128);
    reason.push_str(" required");
    reason
}

pub(crate) fn wrong_type(path: &Path<'_>, expected: &'static str) -> ClaimsError {
    ClaimsError::WrongType {
        path: path.render(),
        expected,
    }
}

pub(crate) fn invalid(path: &Path<'_>, reason: impl Into<String>) -> ClaimsError {
    ClaimsError::InvalidValue {
        path: path.render(),
        reason: reason.into(),
    }
}

pub(crate) fn missing(path: &Path<'_>) -> ClaimsError {
    ClaimsError::Missing {
        path: path.render(),
    }
}

/// Stores a decoded claim, refusing a second occurrence (possible only in
/// hand-built values; `decode_strict` rejects duplicate keys).
pub(crate) fn put<T>(slot: &mut Option<T>, value: T, path: &Path<'_>) -> Result<(), ClaimsError> {
    if slot.is_some() {
        return Err(invalid(path, "duplicate claim"));
    }
    *slot = Some(value);
    Ok(())
}

/// An `int` claim: an integer in the 64-bit signed range (spec §6.1 rule
/// 9); an integer outside it is an invalid value.
pub(crate) fn i64_(value: &Value, path: &Path<'_>) -> Result<i64, ClaimsError> {
    let n = int_of(value, path, "int")?;
    i64::try_from(n).map_err(|_| {
        invalid(
            path,
            format!("{n} is outside the 64-bit signed range -2^63..=2^63-1"),
        )
    })
}

/// An unsigned integer that fits `T`. Integers are one type (spec §6.1
/// rule 3): a negative integer, or one above `T`'s range, is an integer
/// outside the claim's value set, not a value of the wrong type.
pub(crate) fn uint<T: TryFrom<i128>>(value: &Value, path: &Path<'_>) -> Result<T, ClaimsError> {
    let n = int_of(value, path, "uint")?;
    if n < 0 {
        return Err(invalid(
            path,
            format!("{n} is negative; an unsigned integer is required"),
        ));
    }
    T::try_from(n).map_err(|_| invalid(path, format!("{n} is too large")))
}

/// The integer `value`, or a wrong-type error naming `expected`.
fn int_of(value: &Value, path: &Path<'_>, expected: &'static str) -> Result<i128, ClaimsError> {
    match value {
        Value::Integer(i) => Ok(i128::from(*i)),
        _ => Err(wrong_type(path, expected)),
    }
}

pub(crate) fn bool_(value: &Value, path: &Path<'_>) -> Result<bool, ClaimsError> {
    match value {
        Value::Bool(b) => Ok(*b),
        _ => Err(wrong_type(path, "bool")),
    }
}

pub(crate) fn bytes<'v>(value: &'v Value, path: &Path<'_>) -> Result<&'v [u8], ClaimsError> {
    match value {
        Value::Bytes(b) => Ok(b),
        _ => Err(wrong_type(path, "bstr")),
    }
}

pub(crate) fn text<'v>(value: &'v Value, path: &Path<'_>) -> Result<&'v str, ClaimsError> {
    match value {
        Value::Text(t) => Ok(t),
        _ => Err(wrong_type(path, "tstr")),
    }
}

pub(crate) fn array<'v>(value: &'v Value, path: &Path<'_>) -> Result<&'v [Value], ClaimsError> {
    match value {
        Value::Array(items) => Ok(items),
        _ => Err(wrong_type(path, "array")),
    }
}

/// An array with at least one element.
pub(crate) fn nonempty_array<'v>(
    value: &'v Value,
    path: &Path<'_>,
) -> Result<&'v [Value], ClaimsError> {
    let items = array(value, path)?;
    if items.is_empty() {
        return Err(invalid(path, "must not be empty"));
    }
    Ok(items)
}

/// An array with `min..=max` elements.
pub(crate) fn array_len<'v>(
    value: &'v Value,
    path: &Path<'_>,
    min: usize,
    max: usize,
) -> Result<&'v [Value], ClaimsError> {
    let items = array(value, path)?;
    if items.len() < min || items.len() > max {
        let want = if min == max {
            format!("{min}")
        } else {
            format!("{min} to {max}")
        };
        return Err(invalid(
            path,
            format!("has {} elements; {want} required", items.len()),
        ));
    }
    Ok(items)
}

pub(crate) fn map<'v>(
    value: &'v Value,
    path: &Path<'_>,
) -> Result<&'v [(Value, Value)], ClaimsError> {
    match value {
        Value::Map(entries) => Ok(entries),
        _ => Err(wrong_type(path, "map")),
    }
}

/// A claim key: an int or a text string.
fn claim_key(key: &Value) -> Option<ClaimKey> {
    match key {
        Value::Integer(i) => Some(ClaimKey::Int(i128::from(*i))),
        Value::Text(t) => Some(ClaimKey::Text(t.clone())),
        _ => None,
    }
}

/// The entries of a claims-set map, keys converted. Every key is checked
/// before the first entry is returned, so a key of the wrong type is reported
/// before anything about the values.
pub(crate) fn claims_map<'v>(
    value: &'v Value,
    path: &Path<'_>,
) -> Result<impl Iterator<Item = (ClaimKey, &'v Value)>, ClaimsError> {
    let entries = map(value, path)?;
    if entries
        .iter()
        .any(|(k, _)| !matches!(k, Value::Integer(_) | Value::Text(_)))
    {
        return Err(wrong_type(path, "a map whose keys are int or tstr"));
    }
    Ok(entries.iter().filter_map(|(k, v)| Some((claim_key(k)?, v))))
}

/// A value of a claim value set, from its unsigned integer code.
pub(crate) fn code<T: Code>(value: &Value, path: &Path<'_>) -> Result<T, ClaimsError> {
    let n = int_of(value, path, "uint")?;
    // A negative integer is outside every value set, like one too large.
    let code = u64::try_from(n).ok().and_then(T::from_code);
    code.ok_or_else(|| {
        let mut allowed = String::new();
        for (i, v) in T::all().iter().enumerate() {
            if i > 0 {
                allowed.push_str(", ");
            }
            let _ = write!(allowed, "{} ({})", v.code(), v.name());
        }
        invalid(path, format!("{n} is not one of {allowed}"))
    })
}

pub(crate) fn code_value<T: Code>(value: T) -> Value {
    Value::Integer(value.code().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_what_format_writes() {
        let mut cases = alloc::vec![0i128, 1, -1, 9, 10, -10, 65_535, 65_536, 655_359, 655_360];
        cases.extend([
            i128::MAX,
            i128::MIN,
            i128::MIN + 1,
            i128::from(u64::MAX),
            -(1i128 << 64),
        ]);
        let mut power = 1i128;
        for _ in 0..38 {
            cases.extend([power - 1, power, power + 1, -power, 1 - power]);
            power *= 10;
        }
        for n in cases {
            let mut ours = String::new();
            push_decimal(&mut ours, n);
            assert_eq!(ours, alloc::format!("{n}"));
        }
    }

    proptest::proptest! {
        #[test]
        fn any_decimal_is_what_format_writes(n in proptest::prelude::any::<i128>()) {
            let mut ours = String::new();
            push_decimal(&mut ours, n);
            proptest::prop_assert_eq!(ours, alloc::format!("{n}"));
        }
    }

    #[test]
    fn paths_render_readably() {
        let submods = Path::ROOT.field("submods");
        let runtime = submods.field("runtime");
        let measres = runtime.field("measres");
        let group = measres.index(0);
        let results = group.field("results");
        let result = results.index(2);
        let leaf = result.field("result");
        assert_eq!(
            leaf.render(),
            "submods.runtime.measres[0].results[2].result"
        );
        assert_eq!(Path::ROOT.field("iat").render(), "iat");
        let key = ClaimKey::Int(-80999);
        assert_eq!(runtime.key(&key).render(), "submods.runtime.-80999");
        assert_eq!(Path::ROOT.render(), "claims-set");
    }
}
