//! A policy as written (JSON or TOML, spec §11.3): the documents serde
//! reads and writes, before [`Policy::from_document`](super::Policy::from_document)
//! checks them into rules.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use super::{Action, Severity};
use crate::appraisal::ear::{Component, Status};
use crate::appraisal::error::PolicyError;

/// Per-status overrides of [`Actions`](super::Actions) in a document.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ActionsDocument {
    /// For `affirming`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affirming: Option<Action>,
    /// For `warning`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warning: Option<Action>,
    /// For `contraindicated`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contraindicated: Option<Action>,
    /// For `none`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub none: Option<Action>,
}

/// How vulnerability advisories count: severities at or above
/// `contraindicated-at` contraindicate, those at or above `warning-at` warn,
/// lower ones are ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct BulletinSettings {
    /// Lowest severity that contraindicates (default `high`).
    #[serde(default = "default_contra")]
    pub contraindicated_at: AdvisorySeverity,
    /// Lowest severity that warns (default `low`).
    #[serde(default = "default_warn")]
    pub warning_at: AdvisorySeverity,
}

fn default_contra() -> AdvisorySeverity {
    AdvisorySeverity::High
}

fn default_warn() -> AdvisorySeverity {
    AdvisorySeverity::Low
}

impl BulletinSettings {
    /// High and above contraindicate, everything else warns.
    pub const DEFAULT: BulletinSettings = BulletinSettings {
        contraindicated_at: AdvisorySeverity::High,
        warning_at: AdvisorySeverity::Low,
    };

    /// The status an advisory of `severity` gives, if it counts.
    pub fn status_for(&self, severity: AdvisorySeverity) -> Option<Status> {
        if severity >= self.contraindicated_at {
            Some(Status::Contraindicated)
        } else if severity >= self.warning_at {
            Some(Status::Warning)
        } else {
            None
        }
    }
}

impl Default for BulletinSettings {
    fn default() -> Self {
        BulletinSettings::DEFAULT
    }
}

/// The severity of a vulnerability advisory.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AdvisorySeverity {
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl AdvisorySeverity {
    /// The name, e.g. `high`.
    pub const fn name(self) -> &'static str {
        match self {
            AdvisorySeverity::Low => "low",
            AdvisorySeverity::Medium => "medium",
            AdvisorySeverity::High => "high",
            AdvisorySeverity::Critical => "critical",
        }
    }
}

/// A value in a policy document: a boolean, an integer, text, or the hex
/// form of a label. Which one a claim takes is checked when the policy is
/// loaded; each value kind has the one notation of the claims' JSON form
/// (spec §11.3.1, §12.3).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PolicyValue {
    /// `true` / `false`.
    Bool(bool),
    /// An integer (also a patch level, `YYYYMMDD`).
    Int(i64),
    /// Text: a value-set name, lowercase hex, a model name.
    Text(String),
    /// `{"hex": "…"}`: a label (`hwmodel`) whose bytes are not text.
    LabelHex(LabelHex),
}

/// The hex form of a label in a policy: `{"hex": "…"}` (spec §12.3), only
/// for bytes that are not text.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelHex {
    /// The bytes, in lowercase hex.
    pub hex: String,
}

impl From<&str> for PolicyValue {
    fn from(s: &str) -> Self {
        PolicyValue::Text(s.into())
    }
}

impl From<bool> for PolicyValue {
    fn from(b: bool) -> Self {
        PolicyValue::Bool(b)
    }
}

impl From<i64> for PolicyValue {
    fn from(n: i64) -> Self {
        PolicyValue::Int(n)
    }
}

/// A rule as written in a document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RuleDocument {
    /// The rule's id, unique in the policy; reasons name it.
    pub id: String,
    /// The claim's path.
    pub claim: String,
    /// Check: equals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<PolicyValue>,
    /// Check: one of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub one_of: Option<Vec<PolicyValue>>,
    /// Check: none of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub none_of: Option<Vec<PolicyValue>>,
    /// Check: at least (ordered claims).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_least: Option<PolicyValue>,
    /// Check: at most (ordered claims).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_most: Option<PolicyValue>,
    /// Check: a patch level at most this many days old.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age_days: Option<u32>,
    /// Check: `iat` at most this many seconds old.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age_secs: Option<u32>,
    /// Check: the claim is present (must be `true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub present: Option<bool>,
    /// Check: the nonce was compared with the challenge (must be `true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
    /// Lowest effective evidence source for a passing value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_source: Option<String>,
    /// What failing means.
    pub on_fail: Severity,
    /// What an absent claim means, when it differs from `on_fail`
    /// (spec §11.3.1): a claim that was not reported is not evidence of
    /// the risk, but it never passes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_missing: Option<Severity>,
    /// The trustworthiness claim it speaks to (default: by claim).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<Component>,
}

/// A policy as written: JSON or TOML with kebab-case keys.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct PolicyDocument {
    /// The policy's id (required unless `extends` gives one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// A preset to start from: `payment`, `byod`, `content` or `iot`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Signer digests (hex) of the relying party's app: they fill every
    /// rule on `submods.app.app-signers` whose `one-of` is empty (the
    /// presets' `app-signer` rule).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub app_signers: Vec<String>,
    /// Ids of base rules to drop.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remove_rules: Vec<String>,
    /// Rules to add; one with the id of a base rule replaces it in place.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<RuleDocument>,
    /// Actions per status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actions: Option<ActionsDocument>,
    /// How advisories count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bulletin: Option<BulletinSettings>,
    /// Require an Android Key Attestation behind the token, at this key
    /// security level or above: `tee` or `strongbox` (spec §17.7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_android_attestation: Option<String>,
}

impl PolicyDocument {
    /// Reads a policy document from JSON (size and syntax only: checking it
    /// into a [`Policy`](super::Policy) is [`Policy::from_document`](super::Policy::from_document)).
    pub fn from_json(json: &[u8]) -> Result<PolicyDocument, PolicyError> {
        check_policy_size(json.len())?;
        crate::serde_strict::from_json_slice(json).map_err(|e| PolicyError::Syntax {
            reason: e.to_string(),
        })
    }

    /// Reads a policy document from TOML (size and syntax only).
    #[cfg(feature = "toml")]
    pub fn from_toml(text: &str) -> Result<PolicyDocument, PolicyError> {
        check_policy_size(text.len())?;
        crate::serde_strict::from_toml_str(text).map_err(|e| PolicyError::Syntax {
            reason: e.to_string(),
        })
    }

    /// Binds the relying party's expected app signers (the digests of its
    /// app's signing certificates, as bytes) to the document, after those
    /// it names itself: they fill every rule on `submods.app.app-signers`
    /// whose `one-of` is empty when the document is checked (spec §11.3).
    /// A front end that takes signers beside a policy (`--app-signer`,
    /// `appSigners`, a configuration's `app-signers`) binds them here, never
    /// by editing the policy's text.
    ///
    /// ```
    /// use mtattest::appraisal::{Policy, PolicyDocument};
    ///
    /// let mut doc = PolicyDocument::from_json(br#"{"extends": "payment"}"#).unwrap();
    /// assert_eq!(
    ///     Policy::from_document(doc.clone()).unwrap_err().code(),
    ///     "policy.missing-parameter"
    /// );
    /// doc.bind_app_signers(&[[0xab; 32]]);
    /// assert_eq!(Policy::from_document(doc).unwrap().id(), "payment");
    /// ```
    pub fn bind_app_signers<D: AsRef<[u8]>>(&mut self, signers: &[D]) {
        self.app_signers
            .extend(signers.iter().map(|d| crate::encoding::to_hex(d.as_ref())));
    }
}

/// Refuses a policy document larger than
/// [`MAX_POLICY_SIZE`](crate::limits::MAX_POLICY_SIZE) before parsing.
fn check_policy_size(size: usize) -> Result<(), PolicyError> {
    let max = crate::limits::MAX_POLICY_SIZE;
    if size > max {
        return Err(PolicyError::TooLarge { size, max });
    }
    Ok(())
}
