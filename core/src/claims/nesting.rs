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
    let Some(submods) = submods else {
        return Ok(());
    };
    let here = path.field("submods");
    for (name, sub) in submods {
        if !matches!(sub, Value::Map(_)) {
            continue;
        }
        let int_key;
        let p = match name {
            Value::Text(t) => here.field(t),
            Value::Integer(i) => {
                int_key = ClaimKey::Int(i128::from(*i));
                here.key(&int_key)
            }
            _ => here.field("?"),
        };
        if depth + 1 > max {
            return Err(ClaimsError::SubmodsTooDeep {
                path: p.render(),
                max,
            });
        }
        walk(sub, &p, depth + 1, max)?;
    }
    Ok(())
}
