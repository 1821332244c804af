//! Vulnerability bulletins: a feed of advisories (model / software /
//! patch-level range → advisory id and severity) that appraisal consults.
//! A device an advisory matches gets the AR4SI `configuration` claim at
//! warning or contraindicated (per the policy's [`BulletinSettings`]) and a
//! reason naming the advisory.
//!
//! # Feed format (JSON)
//!
//! ```json
//! { "feed": "msa", "version": "2026-03",
//!   "advisories": [
//!     { "id": "MSA-2026-0042", "severity": "high",
//!       "summary": "TEE driver privilege escalation",
//!       "models": ["MT-Phone 7 Pro"],
//!       "software": { "name": "Android", "versions": ["15", "16"] },
//!       "patch-level": { "claim": "os-patch-level",
//!                        "from": "2025-01-01", "before": "2026-03-01" } } ] }
//! ```
//!
//! An advisory matches when every criterion it gives holds: `models` lists
//! the device's `hwmodel`; `software` names its OS `swname` (and, if
//! `versions` is given, its `swversion`); and the device's patch level
//! (`os-patch-level` by default, or `vendor-patch-level` /
//! `boot-patch-level`) lies in `[from, before)`. Model and software must be
//! reported to match. A device that matches on model and software but does
//! not report the patch level the range needs is treated as affected
//! (failure `missing`): nothing shows it was patched. A month-only patch
//! level (`2026-02`) counts as before every day of that month.
//!
//! [`BulletinSettings`]: super::BulletinSettings

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use super::claim;
use super::error::PolicyError;
use super::policy::AdvisorySeverity;
use crate::claims::{ClaimsSet, PatchLevel};
use crate::error::Error;

/// Which patch level an advisory's range applies to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PatchClaim {
    /// `submods.os.os-patch-level` (the default).
    #[default]
    OsPatchLevel,
    /// `submods.os.vendor-patch-level`.
    VendorPatchLevel,
    /// `submods.boot.boot-patch-level`.
    BootPatchLevel,
}

impl PatchClaim {
    /// The claim's path.
    pub const fn path(self) -> &'static str {
        match self {
            PatchClaim::OsPatchLevel => "submods.os.os-patch-level",
            PatchClaim::VendorPatchLevel => "submods.os.vendor-patch-level",
            PatchClaim::BootPatchLevel => "submods.boot.boot-patch-level",
        }
    }

    fn read(self, claims: &ClaimsSet) -> Option<PatchLevel> {
        match self {
            PatchClaim::OsPatchLevel => claims.os.as_ref()?.os_patch_level,
            PatchClaim::VendorPatchLevel => claims.os.as_ref()?.vendor_patch_level,
            PatchClaim::BootPatchLevel => claims.boot.as_ref()?.boot_patch_level,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct FeedDoc {
    #[serde(default)]
    feed: Option<String>,
    #[serde(default)]
    version: Option<String>,
    advisories: Vec<AdvisoryDoc>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct AdvisoryDoc {
    id: String,
    severity: AdvisorySeverity,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    models: Vec<String>,
    #[serde(default)]
    software: Option<Software>,
    #[serde(default)]
    patch_level: Option<RangeDoc>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RangeDoc {
    #[serde(default)]
    claim: PatchClaim,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    before: Option<String>,
}

/// The software an advisory applies to.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Software {
    /// The OS name (`swname`), e.g. `Android`.
    pub name: String,
    /// OS versions (`swversion`); empty means all.
    #[serde(default)]
    pub versions: Vec<String>,
}

/// A patch-level range `[from, before)` of one patch-level claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PatchRange {
    /// The patch level the range applies to.
    pub claim: PatchClaim,
    /// First affected level (inclusive), if bounded below.
    pub from: Option<PatchLevel>,
    /// First fixed level (exclusive), if known.
    pub before: Option<PatchLevel>,
}

impl PatchRange {
    fn contains(&self, p: PatchLevel) -> bool {
        let after_from = match self.from {
            Some(f) => p >= f,
            None => true,
        };
        let before_fix = match self.before {
            Some(b) => p < b,
            None => true,
        };
        after_from && before_fix
    }

    fn describe(&self) -> String {
        match (self.from, self.before) {
            (Some(f), Some(b)) => format!("not in {f} .. {b} (fixed in {b})"),
            (None, Some(b)) => format!("on or after {b}"),
            (Some(f), None) => format!("before {f} (no fix yet)"),
            (None, None) => "not affected".into(),
        }
    }
}

/// One advisory.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Advisory {
    /// Its id, e.g. `MSA-2026-0042`.
    pub id: String,
    /// Its severity.
    pub severity: AdvisorySeverity,
    /// A short description.
    pub summary: Option<String>,
    /// Affected `hwmodel`s; empty means any.
    pub models: Vec<String>,
    /// Affected software; `None` means any.
    pub software: Option<Software>,
    /// Affected patch levels; `None` means all.
    pub patch_level: Option<PatchRange>,
}

/// How an advisory matched a device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdvisoryMatch<'a> {
    /// The advisory.
    pub advisory: &'a Advisory,
    /// The claim that places the device in the advisory.
    pub claim: &'static str,
    /// Its value (`None`: absent, so not shown to be patched).
    pub seen: Option<String>,
    /// What would clear the device.
    pub required: String,
}

/// A vulnerability bulletin feed.
///
/// ```
/// use mtattest::appraisal::Bulletin;
/// use mtattest::claims::example_phone;
///
/// let feed = Bulletin::from_json(br#"{"advisories": [
///   {"id": "MSA-1", "severity": "high", "models": ["MT-Phone 7 Pro"],
///    "patch-level": {"before": "2099-01-01"}}]}"#).unwrap();
/// let phone = example_phone(1_790_000_000, b"challenge".to_vec());
/// let hits = feed.affecting(&phone);
/// assert_eq!(hits.len(), 1);
/// assert_eq!(hits[0].advisory.id, "MSA-1");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bulletin {
    feed: Option<String>,
    version: Option<String>,
    advisories: Vec<Advisory>,
}

impl Bulletin {
    /// Loads and checks a feed: ids unique, every advisory with at least
    /// one criterion, ranges well-formed and non-empty.
    pub fn from_json(json: &[u8]) -> Result<Bulletin, Error> {
        let max = crate::limits::MAX_BULLETIN_SIZE;
        if json.len() > max {
            return Err(PolicyError::BulletinTooLarge {
                size: json.len(),
                max,
            }
            .into());
        }
        let doc: FeedDoc =
            serde_json::from_slice(json).map_err(|e| PolicyError::BulletinSyntax {
                reason: e.to_string(),
            })?;
        let mut advisories: Vec<Advisory> = Vec::with_capacity(doc.advisories.len());
        // Ids seen so far: a set, so a feed of many advisories is checked in
        // O(n log n) rather than O(n^2).
        let mut ids = alloc::collections::BTreeSet::new();
        for a in doc.advisories {
            if !ids.insert(a.id.clone()) {
                return Err(PolicyError::BulletinDuplicate { advisory: a.id }.into());
            }
            let bad = |reason: String| PolicyError::BulletinBadRange {
                advisory: a.id.clone(),
                reason,
            };
            let patch_level = match a.patch_level {
                None => None,
                Some(r) => {
                    let parse = |s: &Option<String>| {
                        s.as_deref()
                            .map(claim::parse_patch_level)
                            .transpose()
                            .map_err(bad)
                    };
                    let range = PatchRange {
                        claim: r.claim,
                        from: parse(&r.from)?,
                        before: parse(&r.before)?,
                    };
                    match (range.from, range.before) {
                        (None, None) => {
                            return Err(
                                bad("a patch-level range needs from or before".into()).into()
                            )
                        }
                        (Some(f), Some(b)) if f >= b => {
                            return Err(bad(format!("from {f} is not before {b}")).into())
                        }
                        _ => {}
                    }
                    Some(range)
                }
            };
            if a.models.is_empty() && a.software.is_none() && patch_level.is_none() {
                return Err(PolicyError::BulletinNoCriteria { advisory: a.id }.into());
            }
            advisories.push(Advisory {
                id: a.id,
                severity: a.severity,
                summary: a.summary,
                models: a.models,
                software: a.software,
                patch_level,
            });
        }
        Ok(Bulletin {
            feed: doc.feed,
            version: doc.version,
            advisories,
        })
    }

    /// The feed's name, if given.
    pub fn feed(&self) -> Option<&str> {
        self.feed.as_deref()
    }

    /// The feed's version, if given.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// The advisories.
    pub fn advisories(&self) -> &[Advisory] {
        &self.advisories
    }

    /// The advisories that match `claims`, in feed order.
    pub fn affecting<'a>(&'a self, claims: &ClaimsSet) -> Vec<AdvisoryMatch<'a>> {
        let model = claims.hwmodel.as_ref().map(|m| m.as_bytes().to_vec());
        let os = claims.os.as_ref();
        let swname = os.and_then(|o| o.swname.as_deref());
        let swversion = os
            .and_then(|o| o.swversion.as_ref())
            .map(|v| v.version.as_str());
        let mut out = Vec::new();
        for a in &self.advisories {
            if !a.models.is_empty()
                && !a
                    .models
                    .iter()
                    .any(|m| model.as_deref() == Some(m.as_bytes()))
            {
                continue;
            }
            if let Some(sw) = &a.software {
                if swname != Some(sw.name.as_str()) {
                    continue;
                }
                if !sw.versions.is_empty()
                    && !sw.versions.iter().any(|v| swversion == Some(v.as_str()))
                {
                    continue;
                }
            }
            let hit = match a.patch_level {
                Some(range) => match range.claim.read(claims) {
                    Some(p) if range.contains(p) => Some(AdvisoryMatch {
                        advisory: a,
                        claim: range.claim.path(),
                        seen: Some(format!("{p}")),
                        required: range.describe(),
                    }),
                    Some(_) => None,
                    None => Some(AdvisoryMatch {
                        advisory: a,
                        claim: range.claim.path(),
                        seen: None,
                        required: range.describe(),
                    }),
                },
                None if !a.models.is_empty() => Some(AdvisoryMatch {
                    advisory: a,
                    claim: "hwmodel",
                    seen: model
                        .as_deref()
                        .map(|m| String::from_utf8_lossy(m).into_owned()),
                    required: "a model the advisory does not list".into(),
                }),
                None => Some(AdvisoryMatch {
                    advisory: a,
                    claim: "submods.os.swname",
                    seen: swname.map(String::from),
                    required: "software the advisory does not list".into(),
                }),
            };
            out.extend(hit);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::example_phone;

    fn code(json: &str) -> &'static str {
        Bulletin::from_json(json.as_bytes())
            .err()
            .map_or("ok", |e| e.code())
    }

    #[test]
    fn load_errors() {
        assert_eq!(code(r#"{"advisories": []}"#), "ok");
        assert_eq!(code(r#"{"advisories": [1]}"#), "bulletin.syntax");
        assert_eq!(code("not json"), "bulletin.syntax");
        assert_eq!(
            code(r#"{"advisories": [{"id": "A", "severity": "severe", "models": ["m"]}]}"#),
            "bulletin.syntax"
        );
        assert_eq!(
            code(r#"{"advisories": [{"id": "A", "severity": "low", "models": ["m"], "cve": 1}]}"#),
            "bulletin.syntax"
        );
        assert_eq!(
            code(r#"{"advisories": [{"id": "A", "severity": "low"}]}"#),
            "bulletin.no-criteria"
        );
        assert_eq!(
            code(
                r#"{"advisories": [{"id": "A", "severity": "low", "models": ["m"]},
                                   {"id": "A", "severity": "low", "models": ["n"]}]}"#
            ),
            "bulletin.duplicate-advisory"
        );
        for range in [
            r#"{}"#,
            r#"{"before": "2026-13-01"}"#,
            r#"{"from": "2026-02-01", "before": "2026-02-01"}"#,
            r#"{"from": "2026-03-01", "before": "2026-02-01"}"#,
        ] {
            let json = format!(
                r#"{{"advisories": [{{"id": "A", "severity": "low", "patch-level": {range}}}]}}"#
            );
            assert_eq!(code(&json), "bulletin.bad-range", "{range}");
        }
    }

    #[test]
    fn matching() {
        let iat = 1_790_000_000; // 2026-09-21
        let phone = example_phone(iat, b"challenge".to_vec());
        let os_patch = phone.os.as_ref().and_then(|o| o.os_patch_level).unwrap();
        let feed = Bulletin::from_json(
            format!(
                r#"{{"advisories": [
                {{"id": "in-range", "severity": "high", "models": ["MT-Phone 7 Pro"],
                  "patch-level": {{"before": "{}-{:02}-02"}}}},
                {{"id": "fixed", "severity": "high", "models": ["MT-Phone 7 Pro"],
                  "patch-level": {{"before": "{}-{:02}-01"}}}},
                {{"id": "other-model", "severity": "high", "models": ["Other"]}},
                {{"id": "other-os-version", "severity": "high",
                  "software": {{"name": "Android", "versions": ["15"]}}}},
                {{"id": "this-os", "severity": "low",
                  "software": {{"name": "Android", "versions": ["16"]}}}}
            ]}}"#,
                os_patch.year(),
                os_patch.month(),
                os_patch.year(),
                os_patch.month()
            )
            .as_bytes(),
        )
        .unwrap();
        let ids: Vec<&str> = feed
            .affecting(&phone)
            .iter()
            .map(|m| m.advisory.id.as_str())
            .collect();
        assert_eq!(ids, ["in-range", "this-os"]);
        // Not reporting the patch level does not clear a device.
        let mut unknown = phone.clone();
        if let Some(os) = unknown.os.as_mut() {
            os.os_patch_level = None;
        }
        let hits = feed.affecting(&unknown);
        assert_eq!(hits.first().map(|m| m.seen.clone()), Some(None));
        assert_eq!(hits.len(), 3);
        // A model-specific advisory does not match a device without hwmodel.
        let mut anonymous = phone;
        anonymous.hwmodel = None;
        let ids: Vec<&str> = feed
            .affecting(&anonymous)
            .iter()
            .map(|m| m.advisory.id.as_str())
            .collect();
        assert_eq!(ids, ["this-os"]);
    }
}
