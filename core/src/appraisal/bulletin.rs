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
//!                        "from": 20250101, "before": 20260301 } } ] }
//! ```
//!
//! An advisory applies to a device unless a criterion it gives rules the
//! device out: `models` does not list the device's `hwmodel`; `software`
//! names another OS `swname` (or, if `versions` is given, lists no
//! `swversion` of the device); the device's patch level (`os-patch-level` by
//! default, or `vendor-patch-level` / `boot-patch-level`) lies outside
//! `[from, before)`. Names and versions are compared by their [`match_key`]
//! (Unicode compatibility normalisation, white space trimmed and collapsed,
//! full case folding), so `mt-phone 7 pro` with a no-break space is the
//! model `MT-Phone 7 Pro`. A criterion the device does not report (or
//! reports as something that is not text) cannot rule it out: the advisory
//! applies with failure `missing`, since nothing shows the device is not
//! affected. A month-only patch level (`20260200`) counts as before every day
//! of that month. Patch levels are written as the integer `YYYYMMDD`, the
//! one notation of spec §12.3.1.
//!
//! [`BulletinSettings`]: super::BulletinSettings

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};
use unicase::UniCase;
use unicode_normalization::UnicodeNormalization;

use super::claim;
use super::error::PolicyError;
use super::policy::AdvisorySeverity;
use crate::claims::{ClaimsSet, PatchLevel};
use crate::error::Error;

/// Which patch level an advisory's range applies to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
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
    from: Option<i64>,
    #[serde(default)]
    before: Option<i64>,
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

/// The form in which an advisory's model names, software name and versions
/// are compared with what the device reports (spec §11.5.1): NFKC, then
/// every run of Unicode `White_Space` characters replaced by one space and
/// the ends trimmed, then full Unicode case folding (`CaseFolding.txt`
/// statuses C and F), then NFKC again. Two texts match when their keys are
/// equal.
///
/// ```
/// use mtattest::appraisal::match_key;
///
/// assert_eq!(match_key(" MT-PHONE\u{a0}7  pro\t"), "mt-phone 7 pro");
/// assert_eq!(match_key("Ｍａße"), match_key("MASSE"));
/// assert_eq!(match_key(" \u{2003} "), "");
/// ```
pub fn match_key(text: &str) -> String {
    let compatible: String = text.nfkc().collect();
    let mut spaced = String::with_capacity(compatible.len());
    for word in compatible
        .split(char::is_whitespace)
        .filter(|w| !w.is_empty())
    {
        if !spaced.is_empty() {
            spaced.push(' ');
        }
        spaced.push_str(word);
    }
    UniCase::new(spaced).to_folded_case().nfkc().collect()
}

/// The match key of a reported value, or `None` if it cannot be compared:
/// absent, not UTF-8, or blank.
fn reported_key(value: Option<&[u8]>) -> Option<String> {
    let text = core::str::from_utf8(value?).ok()?;
    Some(match_key(text)).filter(|k| !k.is_empty())
}

/// The match keys of one advisory's text criteria, made when the feed is
/// loaded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Keys {
    models: Vec<String>,
    software: Option<String>,
    versions: Vec<String>,
}

/// A vulnerability bulletin feed.
///
/// ```
/// use mtattest::appraisal::Bulletin;
/// use mtattest::claims::{ClaimsSet, EvidenceSource, OsLayer, PatchLevel};
///
/// let feed = Bulletin::from_json(br#"{"advisories": [
///   {"id": "MSA-1", "severity": "high", "models": ["MT-Phone 7 Pro"],
///    "patch-level": {"before": 20990101}}]}"#).unwrap();
/// let os = OsLayer::builder(EvidenceSource::Kernel)
///     .os_patch_level(PatchLevel::from_ymd(2026, 9, 1).unwrap())
///     .build();
/// let phone = ClaimsSet::builder(1_790_000_000)
///     .hwmodel("MT-Phone 7 Pro").unwrap()
///     .os(os)
///     .build();
/// let hits = feed.affecting(&phone);
/// assert_eq!(hits.len(), 1);
/// assert_eq!(hits[0].advisory.id, "MSA-1");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bulletin {
    feed: Option<String>,
    version: Option<String>,
    advisories: Vec<Advisory>,
    /// `keys[i]` belongs to `advisories[i]`.
    keys: Vec<Keys>,
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
        let doc: FeedDoc = crate::serde_strict::from_json_slice(json).map_err(|e| {
            PolicyError::BulletinSyntax {
                reason: e.to_string(),
            }
        })?;
        let mut advisories: Vec<Advisory> = Vec::with_capacity(doc.advisories.len());
        let mut keys = Vec::with_capacity(doc.advisories.len());
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
                    let parse =
                        |n: &Option<i64>| n.map(claim::patch_level).transpose().map_err(bad);
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
            // A blank name would match only a device that reports a blank
            // one, which counts as not reporting it: refuse it rather than
            // let it silently match nothing.
            let key = |what: &str, text: &str| {
                let key = match_key(text);
                if key.is_empty() {
                    return Err(PolicyError::BulletinSyntax {
                        reason: format!("advisory {:?}: blank {what} {text:?}", a.id),
                    });
                }
                Ok(key)
            };
            keys.push(Keys {
                models: a
                    .models
                    .iter()
                    .map(|m| key("model", m))
                    .collect::<Result<_, _>>()?,
                software: a
                    .software
                    .as_ref()
                    .map(|sw| key("software name", &sw.name))
                    .transpose()?,
                versions: a
                    .software
                    .iter()
                    .flat_map(|sw| &sw.versions)
                    .map(|v| key("software version", v))
                    .collect::<Result<_, _>>()?,
            });
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
            keys,
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

    /// The advisories that apply to `claims` (that no criterion rules
    /// out), in feed order.
    pub fn affecting<'a>(&'a self, claims: &ClaimsSet) -> Vec<AdvisoryMatch<'a>> {
        let os = claims.os.as_ref();
        let model = reported_key(claims.hwmodel.as_ref().map(|m| m.as_bytes()));
        let swname = reported_key(os.and_then(|o| o.swname.as_deref()).map(str::as_bytes));
        let swversion = reported_key(
            os.and_then(|o| o.swversion.as_ref())
                .map(|v| v.version.as_bytes()),
        );
        let mut out = Vec::new();
        for (a, keys) in self.advisories.iter().zip(&self.keys) {
            // The first criterion the device does not report, if any.
            let mut unreported: Option<(&'static str, String)> = None;
            let mut not_reported = |claim: &'static str, required: String| {
                unreported.get_or_insert((claim, required));
            };
            if !keys.models.is_empty() {
                match &model {
                    Some(m) if keys.models.contains(m) => {}
                    Some(_) => continue,
                    None => not_reported("hwmodel", "a model the advisory does not list".into()),
                }
            }
            if let Some(name) = &keys.software {
                match &swname {
                    Some(n) if n == name => {}
                    Some(_) => continue,
                    None => not_reported(
                        "submods.os.swname",
                        "software the advisory does not list".into(),
                    ),
                }
                if !keys.versions.is_empty() {
                    match &swversion {
                        Some(v) if keys.versions.contains(v) => {}
                        Some(_) => continue,
                        None => not_reported(
                            "submods.os.swversion",
                            "a version the advisory does not list".into(),
                        ),
                    }
                }
            }
            let mut patched = None;
            if let Some(range) = a.patch_level {
                match range.claim.read(claims) {
                    Some(p) if range.contains(p) => patched = Some((range, p)),
                    Some(_) => continue,
                    None => not_reported(range.claim.path(), range.describe()),
                }
            }
            let hit = match (unreported, patched) {
                (Some((claim, required)), _) => AdvisoryMatch {
                    advisory: a,
                    claim,
                    seen: None,
                    required,
                },
                (None, Some((range, p))) => AdvisoryMatch {
                    advisory: a,
                    claim: range.claim.path(),
                    seen: Some(format!("{p}")),
                    required: range.describe(),
                },
                (None, None) if !a.models.is_empty() => AdvisoryMatch {
                    advisory: a,
                    claim: "hwmodel",
                    seen: claims
                        .hwmodel
                        .as_ref()
                        .map(|m| String::from_utf8_lossy(m.as_bytes()).into_owned()),
                    required: "a model the advisory does not list".into(),
                },
                (None, None) => AdvisoryMatch {
                    advisory: a,
                    claim: "submods.os.swname",
                    seen: os.and_then(|o| o.swname.clone()),
                    required: "software the advisory does not list".into(),
                },
            };
            out.push(hit);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::{EvidenceSource, OsLayer, PatchLevel, Version};

    /// A phone with what advisories look at: its model, and its OS by
    /// name, version and patch level (2026-08-01).
    fn phone() -> ClaimsSet {
        let os = OsLayer::builder(EvidenceSource::Kernel)
            .swname("Android")
            .swversion(Version::with_scheme("16", 1))
            .os_patch_level(PatchLevel::from_ymd(2026, 8, 1).unwrap())
            .build();
        ClaimsSet::builder(1_790_000_000)
            .hwmodel("MT-Phone 7 Pro")
            .unwrap()
            .os(os)
            .build()
    }

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
            r#"{"before": 20261301}"#,
            r#"{"from": 20260201, "before": 20260201}"#,
            r#"{"from": 20260301, "before": 20260201}"#,
        ] {
            let json = format!(
                r#"{{"advisories": [{{"id": "A", "severity": "low", "patch-level": {range}}}]}}"#
            );
            assert_eq!(code(&json), "bulletin.bad-range", "{range}");
        }
    }

    #[test]
    fn matching() {
        let phone = phone();
        let os_patch = phone.os.as_ref().and_then(|o| o.os_patch_level).unwrap();
        let feed = Bulletin::from_json(
            format!(
                r#"{{"advisories": [
                {{"id": "in-range", "severity": "high", "models": ["MT-Phone 7 Pro"],
                  "patch-level": {{"before": {}{:02}02}}}},
                {{"id": "fixed", "severity": "high", "models": ["MT-Phone 7 Pro"],
                  "patch-level": {{"before": {}{:02}01}}}},
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
        // Without hwmodel a model-specific advisory cannot be ruled out: it
        // applies, as not shown to be unaffected, unless the patch level
        // rules the device out.
        let mut anonymous = phone.clone();
        anonymous.hwmodel = None;
        let hits: Vec<(&str, &str, Option<String>)> = feed
            .affecting(&anonymous)
            .iter()
            .map(|m| (m.advisory.id.as_str(), m.claim, m.seen.clone()))
            .collect();
        assert_eq!(
            hits,
            [
                ("in-range", "hwmodel", None),
                ("other-model", "hwmodel", None),
                ("this-os", "submods.os.swname", Some("Android".into())),
            ]
        );
        // Nor one that reports no OS name by the name (its version 16
        // still rules out the advisory for version 15).
        let mut unnamed = phone.clone();
        if let Some(os) = unnamed.os.as_mut() {
            os.swname = None;
        }
        let hits: Vec<(&str, &str)> = feed
            .affecting(&unnamed)
            .iter()
            .map(|m| (m.advisory.id.as_str(), m.claim))
            .collect();
        assert_eq!(
            hits,
            [
                ("in-range", "submods.os.os-patch-level"),
                ("this-os", "submods.os.swname"),
            ]
        );
        // A device that reports no OS version is not ruled out by versions.
        let mut unversioned = phone;
        if let Some(os) = unversioned.os.as_mut() {
            os.swversion = None;
        }
        let hits: Vec<(&str, &str)> = feed
            .affecting(&unversioned)
            .iter()
            .map(|m| (m.advisory.id.as_str(), m.claim))
            .collect();
        assert_eq!(
            hits,
            [
                ("in-range", "submods.os.os-patch-level"),
                ("other-os-version", "submods.os.swversion"),
                ("this-os", "submods.os.swversion"),
            ]
        );
    }

    #[test]
    fn match_key_is_the_specified_function() {
        for (text, key) in [
            (" MT-PHONE\u{a0}7  pro\t", "mt-phone 7 pro"),
            ("Straße", "strasse"),
            ("\u{ff2d}\u{ff34}\u{3000}\u{fb01}", "mt fi"),
            // NFKC first: the spacing acute becomes a space and a combining
            // acute, and the spaces collapse.
            ("a \u{b4}", "a \u{301}"),
            ("a\u{b4}", "a \u{301}"),
            // NFKC last: folding decomposes U+01F0, which composes again.
            ("\u{1f0}", "\u{1f0}"),
            ("J\u{30c}", "\u{1f0}"),
            ("\u{2028}\u{85}", ""),
        ] {
            assert_eq!(match_key(text), key, "{text:?}");
        }
    }

    /// (claim, seen) of each advisory of a one-advisory feed listing
    /// `listed` that applies to a phone reporting `reported` as hwmodel.
    fn hits(listed: &str, reported: &[u8]) -> Vec<(&'static str, Option<String>)> {
        let doc = serde_json::json!({"advisories": [
            {"id": "A", "severity": "high", "models": [listed]}]});
        let feed = Bulletin::from_json(doc.to_string().as_bytes()).unwrap();
        let mut phone = phone();
        phone.hwmodel = Some(crate::claims::HwModel::new(reported.to_vec()).unwrap());
        feed.affecting(&phone)
            .iter()
            .map(|m| (m.claim, m.seen.clone()))
            .collect()
    }

    #[test]
    fn model_names_match_in_any_spelling() {
        let model = || [("hwmodel", Some("MT-Phone 7 Pro".to_string()))];
        // The device reports "MT-Phone 7 Pro"; each advisory spelling names it.
        for listed in [
            "MT-Phone 7 Pro",
            "mt-phone 7 pro",
            "MT-PHONE 7 PRO",
            "MT-Phone 7 Pro ",
            " MT-Phone 7 Pro",
            "MT-Phone\u{a0}7 Pro",
            "MT-Phone  7\tPro",
            "MT-Phone\u{2002}7\u{3000}Pro",
            "\u{ff2d}\u{ff34}-Phone 7 Pro",
        ] {
            assert_eq!(hits(listed, b"MT-Phone 7 Pro"), model(), "{listed:?}");
        }
        // And the device's own spelling does not matter either.
        for reported in [
            "mt-phone 7 pro",
            "MT-Phone 7 Pro\u{a0}",
            " MT-PHONE  7  PRO ",
        ] {
            let got = hits("MT-Phone 7 Pro", reported.as_bytes());
            assert_eq!(
                got,
                [("hwmodel", Some(reported.to_string()))],
                "{reported:?}"
            );
        }
        // Full case folding: ß is ss.
        assert_eq!(hits("STRASSE", "Straße".as_bytes()).len(), 1);
        // Other characters still count.
        for other in [
            "MT-Phone 7",
            "MT-Phone 7 Pro Max",
            "MT-Phone7 Pro",
            "MT Phone 7 Pro",
        ] {
            assert!(hits(other, b"MT-Phone 7 Pro").is_empty(), "{other:?}");
        }
    }

    #[test]
    fn a_model_that_cannot_be_read_is_not_reported() {
        for unreadable in [&b"MT-Phone \xff"[..], b" ", b"\xc2\xa0\t"] {
            assert_eq!(
                hits("MT-Phone 7 Pro", unreadable),
                [("hwmodel", None)],
                "{unreadable:?}"
            );
        }
    }

    #[test]
    fn blank_names_are_refused() {
        for advisory in [
            r#"{"id": "A", "severity": "low", "models": [" "]}"#,
            r#"{"id": "A", "severity": "low", "models": ["MT-Phone 7 Pro", "\u00a0"]}"#,
            r#"{"id": "A", "severity": "low", "software": {"name": ""}}"#,
            r#"{"id": "A", "severity": "low", "software": {"name": "Android", "versions": ["16", "\t"]}}"#,
        ] {
            let json = format!(r#"{{"advisories": [{advisory}]}}"#);
            assert_eq!(code(&json), "bulletin.syntax", "{advisory}");
        }
    }
}
