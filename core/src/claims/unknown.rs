//! Claims the profile does not define: preserved, re-encoded unchanged, reported.

use alloc::borrow::ToOwned;
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::cmp::Ordering;

use ciborium::value::Value;

use super::de::{self, Path};
use super::names::{Layer, Scope};
use crate::error::ClaimsError;

/// The key of a claim: an integer or a text string (RFC 8392 / RFC 9711).
///
/// An integer key holds any CBOR integer (`-2^64 ..= 2^64-1`), so unknown
/// claims with keys outside the 64-bit range are preserved too.
/// Keys order as their deterministic CBOR encodings do: non-negative integers
/// ascending, then negative integers by magnitude, then text by length and bytes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ClaimKey {
    /// An integer key.
    Int(i128),
    /// A text key.
    Text(String),
}

/// The smallest CBOR integer.
const CBOR_INT_MIN: i128 = -(1 << 64);
/// The largest CBOR integer.
const CBOR_INT_MAX: i128 = (1 << 64) - 1;

impl ClaimKey {
    /// Orders as the key's deterministic encoding does.
    pub(crate) fn sort_key(&self) -> (u8, u128, &[u8]) {
        match self {
            ClaimKey::Int(n) if *n >= 0 => (0, n.unsigned_abs(), &[]),
            // CBOR encodes a negative n as -1 - n, which is !n.
            ClaimKey::Int(n) => (1, (!*n).unsigned_abs(), &[]),
            ClaimKey::Text(t) => (3, t.len() as u128, t.as_bytes()),
        }
    }

    /// Whether the key can be encoded: text, or an integer in CBOR's range.
    pub fn is_encodable(&self) -> bool {
        match self {
            ClaimKey::Int(n) => (CBOR_INT_MIN..=CBOR_INT_MAX).contains(n),
            ClaimKey::Text(_) => true,
        }
    }

    /// The key as a CBOR value; `None` for an integer outside CBOR's range.
    pub fn to_value(&self) -> Option<Value> {
        match self {
            ClaimKey::Int(n) => ciborium::value::Integer::try_from(*n)
                .ok()
                .map(Value::Integer),
            ClaimKey::Text(t) => Some(Value::Text(t.clone())),
        }
    }

    /// The integer key as an `i64`, if it is one that fits.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            ClaimKey::Int(n) => i64::try_from(*n).ok(),
            ClaimKey::Text(_) => None,
        }
    }
}

impl Ord for ClaimKey {
    fn cmp(&self, other: &Self) -> Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}

impl PartialOrd for ClaimKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl From<i64> for ClaimKey {
    fn from(key: i64) -> Self {
        ClaimKey::Int(key.into())
    }
}

impl From<i32> for ClaimKey {
    fn from(key: i32) -> Self {
        ClaimKey::Int(key.into())
    }
}

impl From<i128> for ClaimKey {
    /// Any integer; one outside CBOR's range is refused on insertion.
    fn from(key: i128) -> Self {
        ClaimKey::Int(key)
    }
}

impl From<u64> for ClaimKey {
    fn from(key: u64) -> Self {
        ClaimKey::Int(key.into())
    }
}

impl From<&str> for ClaimKey {
    fn from(key: &str) -> Self {
        ClaimKey::Text(key.to_owned())
    }
}

impl From<String> for ClaimKey {
    fn from(key: String) -> Self {
        ClaimKey::Text(key)
    }
}

impl core::fmt::Display for ClaimKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            ClaimKey::Int(n) => write!(f, "{n}"),
            ClaimKey::Text(t) => f.write_str(t),
        }
    }
}

/// The claims of one claims set that the profile does not define, with their
/// values as received (maps inside them in deterministic order; tags kept,
/// `undefined` as [`undefined`](crate::cbor::undefined)).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UnknownClaims(BTreeMap<ClaimKey, Value>);

impl UnknownClaims {
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The value of the unknown claim `key`.
    pub fn get(&self, key: &ClaimKey) -> Option<&Value> {
        self.0.get(key)
    }

    /// The unknown claims in deterministic-encoding order of their keys.
    pub fn iter(&self) -> impl Iterator<Item = (&ClaimKey, &Value)> {
        self.0.iter()
    }

    /// The claims in deterministic-encoding order of their keys, as the
    /// producer's writer merges them.
    pub(crate) fn entries(&self) -> alloc::collections::btree_map::Iter<'_, ClaimKey, Value> {
        self.0.iter()
    }

    pub(crate) fn remove(&mut self, key: &ClaimKey) -> Option<Value> {
        self.0.remove(key)
    }

    /// Inserts after checking that `key` is encodable and not defined in
    /// `scope`, that it is not in the profile's reserved block (producers must
    /// not emit undefined keys there, spec §6.12), and that the decoder
    /// accepts `value` (no map with duplicate keys, no invalid tag, no bignum
    /// around anything but a byte string); it is stored as the decoder reads
    /// it back (see [`as_decoded`]).
    pub(crate) fn insert_checked(
        &mut self,
        scope: Scope,
        key: ClaimKey,
        mut value: Value,
    ) -> Result<Option<Value>, ClaimsError> {
        let refusal = match &key {
            ClaimKey::Int(_) if !key.is_encodable() => Some("is outside the CBOR integer range"),
            ClaimKey::Int(_) if key.as_i64().and_then(|k| scope.name_of(k)).is_some() => {
                Some("is defined by the profile; set the typed claim instead")
            }
            ClaimKey::Int(k) if (RESERVED_MIN..=RESERVED_MAX).contains(k) => {
                Some("is in the block -80099..=-80000 reserved for the profile")
            }
            ClaimKey::Text(t) if scope == Scope::Submods && Layer::from_name(t).is_some() => {
                Some("is a layer; set the typed layer instead")
            }
            _ => None,
        };
        let path = || {
            let mut path = String::from(scope.path());
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(&format!("{key}"));
            path
        };
        if let Some(reason) = refusal {
            return Err(ClaimsError::InvalidValue {
                path: path(),
                reason: reason.into(),
            });
        }
        if !canonicalize(&mut value) {
            return Err(ClaimsError::InvalidValue {
                path: path(),
                reason: "contains a map with duplicate keys".into(),
            });
        }
        let value = as_decoded(&value).map_err(|e| ClaimsError::InvalidValue {
            path: path(),
            reason: format!("is not what a decoder accepts: {e} ({})", e.code()),
        })?;
        Ok(self.0.insert(key, value))
    }

    /// Inserts a claim found while decoding the map at `path`.
    pub(crate) fn insert_decoded(
        &mut self,
        key: ClaimKey,
        value: &Value,
        path: &Path<'_>,
    ) -> Result<(), ClaimsError> {
        let mut value = value.clone();
        if !canonicalize(&mut value) {
            return Err(de::invalid(
                &path.key(&key),
                "contains a map with duplicate keys",
            ));
        }
        if self.0.contains_key(&key) {
            return Err(de::invalid(&path.key(&key), "duplicate claim"));
        }
        self.0.insert(key, value);
        Ok(())
    }

    /// Writes the unknown claims into `entries`. (Every key is encodable:
    /// insertion checks it, and decoded keys come from CBOR.)
    pub(crate) fn write(&self, entries: &mut Vec<(Value, Value)>) {
        entries.extend(
            self.0
                .iter()
                .filter_map(|(k, v)| Some((k.to_value()?, v.clone()))),
        );
    }

    /// Adds a report entry for each claim, under `prefix`.
    pub(crate) fn report(&self, scope: Scope, prefix: &str, out: &mut Vec<UnknownClaim>) {
        for (key, value) in &self.0 {
            out.push(UnknownClaim {
                scope,
                path: join(prefix, &format!("{key}")),
                value: value.clone(),
            });
        }
    }
}

/// `value` as the decoder reads its encoding back, or why the decoder
/// refuses it. Stored unknown claims are in this form, so that encoding and
/// decoding a claims set gives it back (fuzzing finding, claims_roundtrip):
/// maps in deterministic order, floats as their shortest form reads. Tags
/// stay tags, bignums included, and `undefined` stays
/// [`undefined`](crate::cbor::undefined).
fn as_decoded(value: &Value) -> Result<Value, crate::error::CborError> {
    const LOOSE: crate::Limits = crate::Limits {
        max_token_size: usize::MAX,
        max_depth: 256,
        max_items: usize::MAX,
        max_map_entries: usize::MAX,
        max_submod_depth: usize::MAX,
    };
    crate::cbor::decode_strict(&crate::cbor::encode(value), &LOOSE)
}

/// The lowest key of the block reserved for the profile's own claims.
const RESERVED_MIN: i128 = -80099;
/// The highest key of the reserved block.
const RESERVED_MAX: i128 = -80000;

/// An unknown claim found in a claims set, as reported by
/// [`ClaimsSet::unknown_claims`](crate::claims::ClaimsSet::unknown_claims):
/// a claim, submodule, privacy-event counter, `measres` group of another
/// measurement system, or mtattest detection result that this revision does
/// not define at that position (spec §6.12).
#[derive(Clone, Debug, PartialEq)]
pub struct UnknownClaim {
    /// The claims set it is in: the top level, `submods` (an unknown
    /// submodule) or a layer.
    pub scope: Scope,
    /// Its path, e.g. `-90000`, `submods.tee`, `submods.chip.-80019`,
    /// `submods.app.privacy-events.4` or `submods.runtime.measres[1]`.
    pub path: String,
    /// Its value: the data item as received, tags kept as tags and
    /// `undefined` as [`undefined`](crate::cbor::undefined) (spec §6.12).
    pub value: Value,
}

/// `prefix.name`, or `name` for an empty prefix.
pub(crate) fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        String::from(name)
    } else {
        format!("{prefix}.{name}")
    }
}

/// Sorts every map inside `value` into deterministic order (RFC 8949 §4.2.1).
/// Returns `false` if some map has two equal keys.
pub(crate) fn canonicalize(value: &mut Value) -> bool {
    match value {
        Value::Map(entries) => {
            let mut ok = true;
            for (k, v) in entries.iter_mut() {
                ok &= canonicalize(k);
                ok &= canonicalize(v);
            }
            if in_deterministic_order(entries) {
                return ok;
            }
            let mut keyed: Vec<(Vec<u8>, (Value, Value))> = core::mem::take(entries)
                .into_iter()
                .map(|(k, v)| (crate::cbor::encode(&k), (k, v)))
                .collect();
            keyed.sort_by(|a, b| a.0.cmp(&b.0));
            ok &= keyed.windows(2).all(|w| match w {
                [a, b] => a.0 != b.0,
                _ => true,
            });
            *entries = keyed.into_iter().map(|(_, kv)| kv).collect();
            ok
        }
        Value::Array(items) => items.iter_mut().fold(true, |ok, v| canonicalize(v) & ok),
        Value::Tag(_, inner) => canonicalize(inner),
        _ => true,
    }
}

/// Whether every key of `entries` is an integer or a string and the keys are
/// in strictly ascending deterministic order (the usual case, which needs
/// neither encoding nor sorting).
fn in_deterministic_order(entries: &[(Value, Value)]) -> bool {
    let mut previous = None;
    for (key, _) in entries {
        let Some(rank) = scalar_key_rank(key) else {
            return false;
        };
        if previous.is_some_and(|p| p >= rank) {
            return false;
        }
        previous = Some(rank);
    }
    true
}

/// An integer or string key as (major type, argument, content): tuples order
/// as the keys' deterministic encodings do, and are equal when they are.
fn scalar_key_rank(key: &Value) -> Option<(u8, u64, &[u8])> {
    match key {
        Value::Integer(i) => {
            let n = i128::from(*i);
            // CBOR encodes a negative n as -1 - n, which is !n.
            let (major, arg) = if n >= 0 { (0, n) } else { (1, !n) };
            Some((major, u64::try_from(arg).ok()?, &[]))
        }
        Value::Bytes(b) => Some((2, u64::try_from(b.len()).ok()?, b)),
        Value::Text(t) => Some((3, u64::try_from(t.len()).ok()?, t.as_bytes())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn claim_keys_order_like_their_encodings() {
        let keys = vec![
            ClaimKey::Int(0),
            ClaimKey::Int(23),
            ClaimKey::Int(24),
            ClaimKey::Int(256),
            ClaimKey::Int(i64::MAX.into()),
            ClaimKey::Int(CBOR_INT_MAX),
            ClaimKey::Int(-1),
            ClaimKey::Int(-24),
            ClaimKey::Int(-25),
            ClaimKey::Int(-80000),
            ClaimKey::Int(i64::MIN.into()),
            ClaimKey::Int(CBOR_INT_MIN),
            ClaimKey::Text("b".into()),
            ClaimKey::Text("aa".into()),
        ];
        for pair in keys.windows(2) {
            if let [a, b] = pair {
                assert!(a < b, "{a:?} < {b:?}");
                let (ea, eb) = (a.to_value().unwrap(), b.to_value().unwrap());
                assert!(
                    crate::cbor::encode(&ea) < crate::cbor::encode(&eb),
                    "{a:?} vs {b:?}"
                );
            }
        }
    }

    #[test]
    fn scalar_key_ranks_order_like_encodings() {
        let keys = [
            Value::Integer(0.into()),
            Value::Integer(23.into()),
            Value::Integer(24.into()),
            Value::Integer(u64::MAX.into()),
            Value::Integer((-1).into()),
            Value::Integer((-25).into()),
            Value::Integer(i64::MIN.into()),
            Value::Bytes(b"b".to_vec()),
            Value::Bytes(b"aa".to_vec()),
            Value::Text("b".into()),
            Value::Text("aa".into()),
        ];
        for pair in keys.windows(2) {
            if let [a, b] = pair {
                assert!(scalar_key_rank(a) < scalar_key_rank(b), "{a:?} {b:?}");
                assert!(crate::cbor::encode(a) < crate::cbor::encode(b));
            }
        }
        let sorted: Vec<(Value, Value)> = keys.iter().map(|k| (k.clone(), Value::Null)).collect();
        assert!(in_deterministic_order(&sorted));
        let mut dup = sorted.clone();
        dup.insert(1, dup[0].clone());
        assert!(!in_deterministic_order(&dup));
        let mut other = sorted;
        other.push((Value::Array(vec![]), Value::Null));
        assert!(!in_deterministic_order(&other));
    }

    /// `canonicalize` without the already-in-order shortcut.
    fn canonicalize_by_encoding(value: &mut Value) -> bool {
        match value {
            Value::Map(entries) => {
                let mut ok = true;
                for (k, v) in entries.iter_mut() {
                    ok &= canonicalize_by_encoding(k);
                    ok &= canonicalize_by_encoding(v);
                }
                let mut keyed: Vec<(Vec<u8>, (Value, Value))> = core::mem::take(entries)
                    .into_iter()
                    .map(|(k, v)| (crate::cbor::encode(&k), (k, v)))
                    .collect();
                keyed.sort_by(|a, b| a.0.cmp(&b.0));
                ok &= keyed.windows(2).all(|w| match w {
                    [a, b] => a.0 != b.0,
                    _ => true,
                });
                *entries = keyed.into_iter().map(|(_, kv)| kv).collect();
                ok
            }
            Value::Array(items) => items
                .iter_mut()
                .fold(true, |ok, v| canonicalize_by_encoding(v) & ok),
            Value::Tag(_, inner) => canonicalize_by_encoding(inner),
            _ => true,
        }
    }

    fn any_value() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            (-30i64..30).prop_map(|i| Value::Integer(i.into())),
            any::<i64>().prop_map(|i| Value::Integer(i.into())),
            any::<u64>().prop_map(|i| Value::Integer(i.into())),
            "[ab]{0,3}".prop_map(Value::Text),
            prop::collection::vec(0u8..3, 0..3).prop_map(Value::Bytes),
            any::<bool>().prop_map(Value::Bool),
            Just(Value::Null),
        ];
        leaf.prop_recursive(3, 24, 5, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec((inner.clone(), inner.clone()), 0..5).prop_map(Value::Map),
                (0u64..3, inner).prop_map(|(t, v)| Value::Tag(t, v.into())),
            ]
        })
    }

    proptest::proptest! {
        #[test]
        fn canonicalize_agrees_with_sorting_by_encoding(value in any_value()) {
            let (mut ours, mut theirs) = (value.clone(), value);
            let ok = canonicalize(&mut ours);
            proptest::prop_assert_eq!(ok, canonicalize_by_encoding(&mut theirs));
            if ok {
                proptest::prop_assert_eq!(ours, theirs);
            }
        }
    }

    #[test]
    fn canonicalize_sorts_and_finds_duplicates() {
        let mut v = Value::Map(vec![
            (Value::Text("b".into()), Value::Integer(1.into())),
            (Value::Integer(1.into()), Value::Integer(2.into())),
        ]);
        assert!(canonicalize(&mut v));
        assert_eq!(
            v,
            Value::Map(vec![
                (Value::Integer(1.into()), Value::Integer(2.into())),
                (Value::Text("b".into()), Value::Integer(1.into())),
            ])
        );
        let mut dup = Value::Array(vec![Value::Map(vec![
            (Value::Integer(1.into()), Value::Null),
            (Value::Integer(1.into()), Value::Bool(true)),
        ])]);
        assert!(!canonicalize(&mut dup));
    }
}
