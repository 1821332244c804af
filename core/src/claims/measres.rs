//! Detection results: the EAT `measres` claim (RFC 9711 §4.2.17).
//!
//! ```cddl
//! measres = [ + [ measurement-system: tstr,
//!                 [ + [ result-for: tstr / bstr, result: 1..4 ] ] ] ]
//! ```
//!
//! mtattest reports its own detections in one group under the measurement
//! system [`keys::MEASRES_SYSTEM`](super::keys::MEASRES_SYSTEM), with the names
//! of [`keys::detection`](super::keys::detection): at most one such group per
//! layer, each name at most once (spec §6.10). Groups of other measurement
//! systems are kept as they are (they may repeat) and reported as unknown.

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use ciborium::value::Value;

use super::de::{self, Path};
use super::keys;
use super::names::{part, Layer, Scope};
use super::unknown::UnknownClaim;
use crate::error::ClaimsError;

code_enum! {
    /// The outcome of one measurement or detection.
    ///
    /// Only [`MeasResult::Success`] means the check ran and passed; a check
    /// that did not run is never a success.
    pub enum MeasResult {
        /// The check ran and passed (for a detection: nothing was detected).
        Success = 1 => "success",
        /// The check ran and failed (for a detection: the condition was found).
        Fail = 2 => "fail",
        /// The check was not run.
        NotRun = 3 => "not-run",
        /// The measured item is absent.
        Absent = 4 => "absent",
    }
}

/// What a result is for: a name (`tstr`) or an identifier (`bstr`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ResultFor {
    /// A name, such as a detection name.
    Text(String),
    /// A binary identifier, such as a digest.
    Bytes(Vec<u8>),
}

impl ResultFor {
    fn is_text(&self, name: &str) -> bool {
        matches!(self, ResultFor::Text(t) if t == name)
    }

    fn to_value(&self) -> Value {
        match self {
            ResultFor::Text(t) => Value::Text(t.clone()),
            ResultFor::Bytes(b) => Value::Bytes(b.clone()),
        }
    }
}

impl From<&str> for ResultFor {
    fn from(name: &str) -> Self {
        ResultFor::Text(name.to_owned())
    }
}

impl From<String> for ResultFor {
    fn from(name: String) -> Self {
        ResultFor::Text(name)
    }
}

impl From<Vec<u8>> for ResultFor {
    fn from(id: Vec<u8>) -> Self {
        ResultFor::Bytes(id)
    }
}

/// The results of one measurement system, in order; never empty. In the
/// mtattest group each `result-for` appears once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeasurementGroup {
    system: String,
    results: Vec<(ResultFor, MeasResult)>,
}

impl MeasurementGroup {
    /// The measurement system's name.
    pub fn system(&self) -> &str {
        &self.system
    }

    /// The results, in order.
    pub fn results(&self) -> impl Iterator<Item = (&ResultFor, MeasResult)> {
        self.results.iter().map(|(f, r)| (f, *r))
    }

    /// The (first) result for `result_for`.
    pub fn get(&self, result_for: &ResultFor) -> Option<MeasResult> {
        self.results
            .iter()
            .find(|(f, _)| f == result_for)
            .map(|(_, r)| *r)
    }

    fn get_text(&self, name: &str) -> Option<MeasResult> {
        self.results
            .iter()
            .find(|(f, _)| f.is_text(name))
            .map(|(_, r)| *r)
    }

    fn is_mtattest(&self) -> bool {
        self.system == keys::MEASRES_SYSTEM
    }

    fn to_value(&self) -> Value {
        Value::Array(vec![
            Value::Text(self.system.clone()),
            Value::Array(
                self.results
                    .iter()
                    .map(|(f, r)| result_value(f, *r))
                    .collect(),
            ),
        ])
    }
}

fn result_value(result_for: &ResultFor, result: MeasResult) -> Value {
    Value::Array(vec![result_for.to_value(), de::code_value(result)])
}

/// The `measres` claim of a layer: groups of results, in order. Empty means
/// the claim is absent.
///
/// Every group has at least one result, and there is at most one mtattest
/// group, without repeated names, so a detection never has two conflicting
/// results. [`MeasurementResults::set`] and [`MeasurementResults::push_group`]
/// keep this; decoding rejects anything else.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MeasurementResults {
    groups: Vec<MeasurementGroup>,
}

impl MeasurementResults {
    /// No results.
    pub const fn new() -> Self {
        MeasurementResults { groups: Vec::new() }
    }

    /// Whether there are no results (the claim is then not encoded).
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// The groups, in order.
    pub fn groups(&self) -> &[MeasurementGroup] {
        &self.groups
    }

    /// The (first) group of measurement system `system`.
    pub fn group(&self, system: &str) -> Option<&MeasurementGroup> {
        self.groups.iter().find(|g| g.system == system)
    }

    /// The first result for `result_for` under measurement system `system`.
    pub fn get(&self, system: &str, result_for: &ResultFor) -> Option<MeasResult> {
        self.groups
            .iter()
            .filter(|g| g.system == system)
            .find_map(|g| g.get(result_for))
    }

    /// The result of the mtattest detection `name`; `None` if not reported.
    pub fn detection(&self, name: &str) -> Option<MeasResult> {
        self.group(keys::MEASRES_SYSTEM)?.get_text(name)
    }

    /// The mtattest detections: `(name, result)` for every text `result-for`
    /// in the mtattest group.
    pub fn detections(&self) -> impl Iterator<Item = (&str, MeasResult)> {
        self.group(keys::MEASRES_SYSTEM)
            .into_iter()
            .flat_map(|g| g.results.iter())
            .filter_map(|(f, r)| match f {
                ResultFor::Text(t) => Some((t.as_str(), *r)),
                ResultFor::Bytes(_) => None,
            })
    }

    /// Sets the result for `result_for` under `system`, returning the result
    /// it replaces: the first such result of the first group of `system` is
    /// replaced, or the result is appended to that group, or a new group is
    /// appended.
    pub fn set(
        &mut self,
        system: &str,
        result_for: ResultFor,
        result: MeasResult,
    ) -> Option<MeasResult> {
        if let Some(old) = self
            .groups
            .iter_mut()
            .filter(|g| g.system == system)
            .find_map(|g| g.results.iter_mut().find(|(f, _)| *f == result_for))
        {
            return Some(core::mem::replace(&mut old.1, result));
        }
        match self.groups.iter_mut().find(|g| g.system == system) {
            Some(group) => group.results.push((result_for, result)),
            None => self.groups.push(MeasurementGroup {
                system: system.to_owned(),
                results: vec![(result_for, result)],
            }),
        }
        None
    }

    /// Sets the result of the mtattest detection `name`.
    pub fn set_detection(&mut self, name: &str, result: MeasResult) -> Option<MeasResult> {
        self.set(keys::MEASRES_SYSTEM, ResultFor::from(name), result)
    }

    /// Appends a whole group, as another measurement system reports it (its
    /// groups may repeat and its `result-for` names may too).
    ///
    /// Fails with [`ClaimsError::InvalidValue`] if `results` is empty, or if
    /// `system` is the mtattest system and the group would repeat it or a
    /// name in it.
    pub fn push_group(
        &mut self,
        system: impl Into<String>,
        results: Vec<(ResultFor, MeasResult)>,
    ) -> Result<(), ClaimsError> {
        let group = MeasurementGroup {
            system: system.into(),
            results,
        };
        let path = Path::ROOT.field("measres");
        let path = path.index(self.groups.len());
        if group.results.is_empty() {
            return Err(de::invalid(&path.field(part::RESULTS), "must not be empty"));
        }
        if group.is_mtattest() {
            if self.group(keys::MEASRES_SYSTEM).is_some() {
                return Err(de::invalid(&path.field(part::SYSTEM), DUPLICATE_GROUP));
            }
            if let Some(i) = first_repeat(&group.results) {
                let results = path.field(part::RESULTS);
                let item = results.index(i);
                return Err(de::invalid(&item.field(part::RESULT_FOR), DUPLICATE_NAME));
            }
        }
        self.groups.push(group);
        Ok(())
    }

    /// Removes the first result for `result_for` under `system` (and its
    /// group, if that becomes empty), returning it.
    pub fn remove(&mut self, system: &str, result_for: &ResultFor) -> Option<MeasResult> {
        let (gi, ri) = self.groups.iter().enumerate().find_map(|(gi, g)| {
            if g.system != system {
                return None;
            }
            let ri = g.results.iter().position(|(f, _)| f == result_for)?;
            Some((gi, ri))
        })?;
        let group = self.groups.get_mut(gi)?;
        let (_, old) = group.results.remove(ri);
        if group.results.is_empty() {
            self.groups.remove(gi);
        }
        Some(old)
    }

    /// Reports groups of other systems, and mtattest results `layer` does not
    /// define, as unknown claims under `prefix` (the claim's path).
    pub(crate) fn report(&self, layer: Layer, prefix: &str, out: &mut Vec<UnknownClaim>) {
        let scope = Scope::Layer(layer);
        for (gi, group) in self.groups.iter().enumerate() {
            if !group.is_mtattest() {
                out.push(UnknownClaim {
                    scope,
                    path: format!("{prefix}[{gi}]"),
                    value: group.to_value(),
                });
                continue;
            }
            for (ri, (f, r)) in group.results.iter().enumerate() {
                let defined =
                    matches!(f, ResultFor::Text(t) if layer.detections().contains(&t.as_str()));
                if !defined {
                    out.push(UnknownClaim {
                        scope,
                        path: format!("{prefix}[{gi}].results[{ri}]"),
                        value: result_value(f, *r),
                    });
                }
            }
        }
    }

    pub(crate) fn decode(value: &Value, path: &Path<'_>) -> Result<Self, ClaimsError> {
        let mut out = MeasurementResults::new();
        let groups = de::nonempty_array(value, path)?;
        out.groups.reserve_exact(groups.len());
        for (gi, group) in groups.iter().enumerate() {
            let gpath = path.index(gi);
            let (system, results) = match de::array_len(group, &gpath, 2, 2)? {
                [system, results] => (system, results),
                _ => return Err(de::invalid(&gpath, "has the wrong number of elements")),
            };
            let spath = gpath.field(part::SYSTEM);
            let system = de::text(system, &spath)?;
            let mtattest = system == keys::MEASRES_SYSTEM;
            if mtattest && out.group(system).is_some() {
                return Err(de::invalid(&spath, DUPLICATE_GROUP));
            }
            let rspath = gpath.field(part::RESULTS);
            let items = de::nonempty_array(results, &rspath)?;
            let mut parsed: Vec<(ResultFor, MeasResult)> = Vec::with_capacity(items.len());
            for (ri, item) in items.iter().enumerate() {
                let ipath = rspath.index(ri);
                let (result_for, result) = match de::array_len(item, &ipath, 2, 2)? {
                    [f, r] => (f, r),
                    _ => return Err(de::invalid(&ipath, "has the wrong number of elements")),
                };
                let fpath = ipath.field(part::RESULT_FOR);
                let result_for = match result_for {
                    Value::Text(t) => ResultFor::Text(t.clone()),
                    Value::Bytes(b) => ResultFor::Bytes(b.clone()),
                    _ => return Err(de::wrong_type(&fpath, "tstr or bstr")),
                };
                if mtattest && parsed.iter().any(|(f, _)| *f == result_for) {
                    return Err(de::invalid(&fpath, DUPLICATE_NAME));
                }
                let result = de::code(result, &ipath.field(part::RESULT))?;
                parsed.push((result_for, result));
            }
            out.groups.push(MeasurementGroup {
                system: system.to_owned(),
                results: parsed,
            });
        }
        Ok(out)
    }

    pub(crate) fn to_value(&self) -> Value {
        Value::Array(self.groups.iter().map(MeasurementGroup::to_value).collect())
    }
}

const DUPLICATE_GROUP: &str = "a second \"mtattest\" group";
const DUPLICATE_NAME: &str = "repeats a result-for of the \"mtattest\" group";

/// The index of the first result whose `result-for` appeared before.
fn first_repeat(results: &[(ResultFor, MeasResult)]) -> Option<usize> {
    results.iter().enumerate().find_map(|(i, (f, _))| {
        results
            .get(..i)
            .filter(|earlier| earlier.iter().any(|(e, _)| e == f))
            .map(|_| i)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_replace_remove() {
        let mut m = MeasurementResults::new();
        assert_eq!(m.detection("root"), None);
        assert_eq!(m.set_detection("root", MeasResult::NotRun), None);
        assert_eq!(
            m.set_detection("root", MeasResult::Success),
            Some(MeasResult::NotRun)
        );
        m.set(
            "other",
            ResultFor::Bytes(alloc::vec![1, 2]),
            MeasResult::Fail,
        );
        assert_eq!(m.detection("root"), Some(MeasResult::Success));
        assert_eq!(m.groups().len(), 2);
        assert_eq!(
            m.detections().collect::<Vec<_>>(),
            [("root", MeasResult::Success)]
        );
        assert_eq!(
            m.remove("other", &ResultFor::Bytes(alloc::vec![1, 2])),
            Some(MeasResult::Fail)
        );
        assert_eq!(m.groups().len(), 1);
        let back = MeasurementResults::decode(&m.to_value(), &Path::ROOT.field("measres"));
        assert_eq!(back, Ok(m));
    }

    #[test]
    fn push_group_keeps_the_mtattest_rules() {
        let mut m = MeasurementResults::new();
        let r = |n: &str| (ResultFor::from(n), MeasResult::Success);
        m.push_group("vendor", vec![r("a"), r("a")]).unwrap();
        m.push_group("vendor", vec![r("b")]).unwrap();
        assert!(m.push_group("vendor", vec![]).is_err());
        assert!(m
            .push_group(keys::MEASRES_SYSTEM, vec![r("root"), r("root")])
            .is_err());
        m.push_group(keys::MEASRES_SYSTEM, vec![r("root")]).unwrap();
        assert!(m
            .push_group(keys::MEASRES_SYSTEM, vec![r("hooking")])
            .is_err());
        assert_eq!(
            m.get("vendor", &ResultFor::from("b")),
            Some(MeasResult::Success)
        );
        let mut out = Vec::new();
        m.report(Layer::Os, "submods.os.measres", &mut out);
        let paths: Vec<&str> = out.iter().map(|u| u.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "submods.os.measres[0]",
                "submods.os.measres[1]",
                "submods.os.measres[2].results[0]"
            ]
        );
        let back = MeasurementResults::decode(&m.to_value(), &Path::ROOT.field("measres"));
        assert_eq!(back, Ok(m));
    }
}
