//! The submodule depth limit ([`crate::Limits::max_submod_depth`]).
//!
//! EAT lets any claims set carry `submods` (key 266), and a submodule that is
//! a claims set may carry its own. The six layers are submodules at depth 1;
//! a submodule nested inside an unknown submodule is at depth 2, and so on.
//! The check walks only `submods` maps, stops one level past the limit, and
//! runs on the decoded value before any claim is interpreted.

use ciborium::value::Value;

use super::de::Path;
use super::keys;
use super::unknown::ClaimKey;
use crate::error::ClaimsError;

/// Fails with [`ClaimsError::SubmodsTooDeep`] if a submodule of the claims
/// set `value` is nested deeper than `max`.
pub(crate) fn check_submod_depth(value: &Value, max: usize) -> Result<(), ClaimsError> {
    walk(value, &Path::ROOT, 0, max)
}

fn walk(claims: &Value, path: &Path<'_>, depth: usize, max: usize) -> Result<(), ClaimsError> {
    let Value::Map(entries) = claims else {
        return Ok(());
    };
    let submods = entries.iter().find_map(|(k, v)| match (k, v) {
        (Value::Integer(i), Value::Map(m)) if i128::from(*i) == i128::from(keys::SUBMODS) => {
            Some(m)
        }
        _ => None,
    });
    match submods {
        Some(submods) => walk_submods(submods, path, depth, max),
        None => Ok(()),
    }
}

/// The entries of the `submods` map of the claims set at `path`, which is
/// at `depth`.
fn walk_submods(
    submods: &[(Value, Value)],
    path: &Path<'_>,
    depth: usize,
    max: usize,
) -> Result<(), ClaimsError> {
    let here = path.field("submods");
    for (name, sub) in submods {
        let int_key;
        let p = match name {
            Value::Text(t) => here.field(t),
            Value::Integer(i) => {
                int_key = ClaimKey::Int(i128::from(*i));
                here.key(&int_key)
            }
            _ => here.field("?"),
        };
        check_submodule(sub, &p, depth, max)?;
    }
    Ok(())
}

/// The submodule `sub` at `path`, in a claims set at `depth`: one level
/// deeper if it is a claims set (a map), and what it nests.
pub(crate) fn check_submodule(
    sub: &Value,
    path: &Path<'_>,
    depth: usize,
    max: usize,
) -> Result<(), ClaimsError> {
    if !matches!(sub, Value::Map(_)) {
        return Ok(());
    }
    if depth + 1 > max {
        return Err(ClaimsError::SubmodsTooDeep {
            path: path.render(),
            max,
        });
    }
    walk(sub, path, depth + 1, max)
}

/// A layer at `path` (a submodule of the top-level claims set) whose
/// unknown claims hold `submods` (key 266), if they do: the producer's
/// check on the typed layer, as [`check_submodule`] checks its map.
pub(crate) fn check_layer(
    submods: Option<&Value>,
    path: &Path<'_>,
    max: usize,
) -> Result<(), ClaimsError> {
    if 1 > max {
        return Err(ClaimsError::SubmodsTooDeep {
            path: path.render(),
            max,
        });
    }
    match submods {
        Some(Value::Map(entries)) => walk_submods(entries, path, 1, max),
        _ => Ok(()),
    }
}
