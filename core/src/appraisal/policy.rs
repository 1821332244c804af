//! Relying-party policies as data.
//!
//! A policy is a list of rules over claims, each saying what failing it
//! means (`warning` or `contraindicated`), plus the action the relying party
//! takes for each status. It is written as JSON or TOML (a
//! [`PolicyDocument`]), may start from a built-in preset (`extends`) and
//! replace, add or remove rules, and is checked completely when loaded:
//! unknown claims, values of the wrong type or outside a claim's value set,
//! checks a claim does not support, unknown presets and missing parameters
//! are all [`PolicyError`]s then, never surprises at appraisal.
//!
//! # Rules
//!
//! A rule names a claim by its path in the names table
//! ([`crate::claims::names`]): a top-level claim (`hwmodel`, `eat-nonce`,
//! `iat`), a layer claim (`submods.chip.key-security-level`), a detection
//! (`submods.runtime.measres.root`) or a privacy counter
//! (`submods.app.privacy-events.background`). It has exactly one check:
//!
//! | check | meaning | claims |
//! |---|---|---|
//! | `equals` | the value equals | any with a value |
//! | `one-of` | the value is in the list (for `app-signers`: every signer is) | any with a value |
//! | `none-of` | the value is not in the list (for `app-signers`: no signer is) | any with a value |
//! | `at-least` / `at-most` | ordered comparison | ordered value sets (`key-security-level`, `dbgstat`, `storage-encryption`, `malware`, `evidence-source`), integers, patch levels |
//! | `max-age-days` | a patch level at most N days old at appraisal time | patch levels |
//! | `max-age-secs` | the token at most N seconds old at appraisal time | `iat` |
//! | `present = true` | the claim is present | any |
//! | `verified = true` | the verifier compared the nonce with its challenge | `eat-nonce` |
//!
//! An absent claim fails every check but `present` (fails too), and a
//! detection that did not run (`not-run`) is not `success`. A rule may set
//! `min-source`: a value that passes still fails (`weak-source`) when its
//! layer's effective evidence source (spec §14.1) is lower. Failing values
//! count whatever their source.
//!
//! ```
//! use mtattest::appraisal::Policy;
//!
//! let policy = Policy::from_json(br#"{
//!     "extends": "payment",
//!     "id": "acme-pay-v2",
//!     "app-signers": ["a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"],
//!     "remove-rules": ["no-emulator"],
//!     "rules": [
//!         { "id": "os-patch", "claim": "submods.os.os-patch-level",
//!           "max-age-days": 60, "on-fail": "contraindicated" },
//!         { "id": "model", "claim": "hwmodel", "one-of": ["MT-Phone 7 Pro"],
//!           "on-fail": "warning" }
//!     ]
//! }"#).unwrap();
//! assert_eq!(policy.id(), "acme-pay-v2");
//! assert!(policy.rule("no-emulator").is_none());
//!
//! let err = Policy::from_json(br#"{"id": "x", "rules": [
//!     {"id": "r", "claim": "submods.chip.key-security-level", "at-least": "titanium",
//!      "on-fail": "warning"}]}"#).unwrap_err();
//! assert_eq!(err.code(), "policy.bad-value");
//! ```

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use super::claim::{self, ClaimRef, Kind, Unresolved, Val};
use super::ear::{Component, Status};
use super::error::PolicyError;
use super::presets::Preset;
use crate::claims::{EvidenceSource, KeySecurityLevel, Layer};
use crate::error::Error;

mod document;
pub use document::{
    ActionsDocument, AdvisorySeverity, BulletinSettings, LabelHex, PolicyDocument, PolicyValue,
    RuleDocument,
};

/// What failing a rule means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// The device may be used with care (e.g. after a step-up).
    Warning,
    /// The device must not be trusted for this purpose.
    Contraindicated,
}

impl Severity {
    /// The status a failure of this severity gives.
    pub const fn status(self) -> Status {
        match self {
            Severity::Warning => Status::Warning,
            Severity::Contraindicated => Status::Contraindicated,
        }
    }
}

/// What the relying party does with a device (allow, step up with a second
/// factor, or deny, as a payment gateway would).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Let the request through.
    Allow,
    /// Ask for more (a second factor, a manual review).
    StepUp,
    /// Refuse.
    Deny,
}

impl Action {
    /// The action for a token that was rejected: deny, whatever the policy
    /// (spec §11.6). A rejected token has no attestation result to appraise,
    /// so no policy's actions apply; every front end reports this one.
    ///
    /// ```
    /// use mtattest::appraisal::Action;
    /// assert_eq!(Action::FOR_REJECTED_TOKEN.name(), "deny");
    /// ```
    pub const FOR_REJECTED_TOKEN: Action = Action::Deny;

    /// The name: `allow`, `step-up` or `deny`.
    pub const fn name(self) -> &'static str {
        match self {
            Action::Allow => "allow",
            Action::StepUp => "step-up",
            Action::Deny => "deny",
        }
    }

    /// The action named `name`.
    pub fn from_name(name: &str) -> Option<Action> {
        [Action::Allow, Action::StepUp, Action::Deny]
            .into_iter()
            .find(|a| a.name() == name)
    }
}

impl core::fmt::Display for Action {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

/// The action for each overall status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Actions {
    /// For `affirming`.
    pub affirming: Action,
    /// For `warning`.
    pub warning: Action,
    /// For `contraindicated` (always `deny` in practice).
    pub contraindicated: Action,
    /// For `none` (no rule and no counted advisory gave a verdict): always
    /// `deny`; a document that says otherwise is refused.
    pub none: Action,
}

impl Actions {
    /// Allow, step up, deny, deny.
    pub const DEFAULT: Actions = Actions {
        affirming: Action::Allow,
        warning: Action::StepUp,
        contraindicated: Action::Deny,
        none: Action::Deny,
    };

    /// Deny whatever the status: the actions of a policy without rules.
    pub const DENY_ALL: Actions = Actions {
        affirming: Action::Deny,
        warning: Action::Deny,
        contraindicated: Action::Deny,
        none: Action::Deny,
    };

    /// The action for `status`.
    pub const fn for_status(&self, status: Status) -> Action {
        match status {
            Status::Affirming => self.affirming,
            Status::Warning => self.warning,
            Status::Contraindicated => self.contraindicated,
            Status::None => self.none,
        }
    }
}

impl Default for Actions {
    fn default() -> Self {
        Actions::DEFAULT
    }
}

/// A checked rule.
#[derive(Clone, Debug)]
pub struct Rule {
    doc: RuleDocument,
    pub(crate) claim: ClaimRef,
    pub(crate) check: Check,
    pub(crate) min_source: Option<EvidenceSource>,
    pub(crate) component: Option<Component>,
}

/// A rule's check, with values parsed for its claim.
#[derive(Clone, Debug)]
pub(crate) enum Check {
    Equals(Val),
    OneOf(Vec<Val>),
    NoneOf(Vec<Val>),
    AtLeast(Val),
    AtMost(Val),
    MaxAgeDays(u32),
    MaxAgeSecs(u32),
    Present,
    Verified,
}

impl Rule {
    /// The rule's id.
    pub fn id(&self) -> &str {
        &self.doc.id
    }

    /// The claim's path.
    pub fn claim(&self) -> &str {
        &self.claim.path
    }

    /// The layer of the claim (`None` for a top-level claim).
    pub fn layer(&self) -> Option<Layer> {
        self.claim.layer
    }

    /// What failing it means.
    pub fn severity(&self) -> Severity {
        self.doc.on_fail
    }

    /// What an absent claim means: `on-missing`, else `on-fail`.
    pub fn severity_when_missing(&self) -> Severity {
        self.doc.on_missing.unwrap_or(self.doc.on_fail)
    }

    /// The minimum evidence source, if any.
    pub fn min_source(&self) -> Option<EvidenceSource> {
        self.min_source
    }

    /// The trustworthiness claim it speaks to.
    pub fn component(&self) -> Option<Component> {
        self.component
    }

    /// The rule as written.
    pub fn document(&self) -> &RuleDocument {
        &self.doc
    }

    fn compile(doc: RuleDocument) -> Result<Rule, PolicyError> {
        let rule = doc.id.clone();
        let claim = claim::resolve(&doc.claim).map_err(|e| match e {
            Unresolved::Unknown => PolicyError::UnknownClaim {
                rule: rule.clone(),
                claim: doc.claim.clone(),
            },
            Unresolved::NotAppraisable => PolicyError::ClaimNotAppraisable {
                rule: rule.clone(),
                claim: doc.claim.clone(),
            },
        })?;
        let kind = claim.kind;
        let bad_check = |reason: String| PolicyError::BadCheck {
            rule: rule.clone(),
            reason,
        };
        let value = |v: &PolicyValue| {
            claim::parse(kind, v).map_err(|reason| PolicyError::BadValue {
                rule: rule.clone(),
                claim: doc.claim.clone(),
                reason,
            })
        };
        let list = |name: &str, vs: &[PolicyValue]| -> Result<Vec<Val>, PolicyError> {
            if vs.is_empty() {
                return Err(bad_check(format!("{name} must list at least one value")));
            }
            let parsed = vs.iter().map(value).collect::<Result<Vec<_>, _>>()?;
            Ok(flatten_digests(parsed))
        };
        let needs = |ok: bool, what: &str| -> Result<(), PolicyError> {
            if ok {
                Ok(())
            } else {
                Err(bad_check(format!("{what} does not apply to {}", doc.claim)))
            }
        };
        let mut checks = Vec::new();
        if let Some(v) = &doc.equals {
            needs(kind.comparable(), "equals")?;
            checks.push(Check::Equals(value(v)?));
        }
        if let Some(vs) = &doc.one_of {
            needs(kind.comparable(), "one-of")?;
            checks.push(Check::OneOf(list("one-of", vs)?));
        }
        if let Some(vs) = &doc.none_of {
            needs(kind.comparable(), "none-of")?;
            checks.push(Check::NoneOf(list("none-of", vs)?));
        }
        if let Some(v) = &doc.at_least {
            needs(kind.ordered(), "at-least")?;
            checks.push(Check::AtLeast(value(v)?));
        }
        if let Some(v) = &doc.at_most {
            needs(kind.ordered(), "at-most")?;
            checks.push(Check::AtMost(value(v)?));
        }
        if let Some(n) = doc.max_age_days {
            needs(matches!(kind, Kind::Patch), "max-age-days")?;
            checks.push(Check::MaxAgeDays(n));
        }
        if let Some(n) = doc.max_age_secs {
            needs(matches!(kind, Kind::Time), "max-age-secs")?;
            checks.push(Check::MaxAgeSecs(n));
        }
        if let Some(p) = doc.present {
            if !p {
                return Err(bad_check("present must be true".into()));
            }
            checks.push(Check::Present);
        }
        if let Some(v) = doc.verified {
            needs(matches!(kind, Kind::Nonce), "verified")?;
            if !v {
                return Err(bad_check("verified must be true".into()));
            }
            checks.push(Check::Verified);
        }
        let check = match checks.len() {
            1 => checks.pop().ok_or_else(|| bad_check("no check".into()))?,
            0 => return Err(bad_check("the rule has no check".into())),
            _ => return Err(bad_check("the rule has more than one check".into())),
        };
        let min_source = match &doc.min_source {
            None => None,
            Some(name) => {
                if claim.layer.is_none() {
                    return Err(bad_check(
                        "min-source applies only to claims of a layer".into(),
                    ));
                }
                Some(
                    EvidenceSource::from_name(name).ok_or_else(|| PolicyError::BadValue {
                        rule: rule.clone(),
                        claim: doc.claim.clone(),
                        reason: format!("min-source {name:?} is not software, kernel or hardware"),
                    })?,
                )
            }
        };
        let component = doc.component.or_else(|| default_component(&claim));
        Ok(Rule {
            doc,
            claim,
            check,
            min_source,
            component,
        })
    }
}

/// `one-of` lists of digests parse to one list each; join them.
fn flatten_digests(vals: Vec<Val>) -> Vec<Val> {
    if !vals.iter().all(|v| matches!(v, Val::Digests(_))) {
        return vals;
    }
    let mut all = Vec::new();
    for v in vals {
        if let Val::Digests(d) = v {
            all.extend(d);
        }
    }
    alloc::vec![Val::Digests(all)]
}

/// The AR4SI claim a rule on `claim` speaks to, unless the rule says.
pub(crate) fn default_component(claim: &ClaimRef) -> Option<Component> {
    use Component::*;
    Some(match (claim.layer, claim.name, claim.sub) {
        (None, "ueid", _) => InstanceIdentity,
        (None, "oemid" | "hwmodel", _) => Hardware,
        (None, _, _) => return None,
        (Some(Layer::Chip), "dbgstat", _) => Configuration,
        (Some(Layer::Chip), _, _) => Hardware,
        (Some(Layer::Boot), "boot-patch-level", _) => Configuration,
        (Some(Layer::Boot), _, _) => Executables,
        (Some(Layer::Os), "storage-encryption", _) => StorageOpaque,
        (Some(Layer::Os), "measres", _) => Executables,
        (Some(Layer::Os), _, _) => Configuration,
        (Some(Layer::App), "privacy-events", _) => Configuration,
        (Some(Layer::App), _, _) => Executables,
        (Some(Layer::Runtime), "malware", _) => FileSystem,
        (Some(Layer::Runtime), "measres", Some("malware-scan")) => FileSystem,
        (Some(Layer::Runtime), "measres", Some("emulator")) => Hardware,
        (Some(Layer::Runtime), "measres", Some("root" | "hooking")) => Executables,
        (Some(Layer::Runtime), "measres", _) => RuntimeOpaque,
        (Some(Layer::Runtime), _, _) => Configuration,
        (Some(Layer::Network), "measres", _) => RuntimeOpaque,
        (Some(Layer::Network), _, _) => Configuration,
    })
}

/// A checked policy: rules, actions and advisory settings.
#[derive(Clone, Debug)]
pub struct Policy {
    id: String,
    description: Option<String>,
    rules: Vec<Rule>,
    actions: Actions,
    bulletin: BulletinSettings,
    android: Option<KeySecurityLevel>,
}

impl Policy {
    /// The minimum security level of the Android Key Attestation the policy
    /// requires, if it requires one (`require-android-attestation`).
    pub fn android_requirement(&self) -> Option<KeySecurityLevel> {
        self.android
    }

    /// Loads a policy document from JSON.
    pub fn from_json(json: &[u8]) -> Result<Policy, Error> {
        Ok(Policy::from_document(PolicyDocument::from_json(json)?)?)
    }

    /// Loads a policy document from TOML.
    ///
    /// ```
    /// use mtattest::appraisal::Policy;
    ///
    /// let policy = Policy::from_toml(r#"
    ///     extends = "byod"
    ///     app-signers = ["a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"]
    ///
    ///     [[rules]]
    ///     id = "os-patch"
    ///     claim = "submods.os.os-patch-level"
    ///     max-age-days = 120
    ///     on-fail = "warning"
    /// "#).unwrap();
    /// assert_eq!(policy.id(), "byod");
    /// ```
    #[cfg(feature = "toml")]
    pub fn from_toml(text: &str) -> Result<Policy, Error> {
        Ok(Policy::from_document(PolicyDocument::from_toml(text)?)?)
    }

    /// A built-in preset, with the relying party's app signer digests
    /// (which every preset pins).
    ///
    /// ```
    /// use mtattest::appraisal::{Policy, Preset};
    ///
    /// let policy = Policy::preset(Preset::Payment, &[[0xab; 32]]).unwrap();
    /// assert_eq!(policy.id(), "payment");
    /// // Without a signer the preset cannot be used.
    /// let err = Policy::preset(Preset::Payment, &[] as &[[u8; 32]]).unwrap_err();
    /// assert_eq!(err.code(), "policy.missing-parameter");
    /// ```
    pub fn preset<D: AsRef<[u8]>>(preset: Preset, app_signers: &[D]) -> Result<Policy, Error> {
        let mut doc = PolicyDocument {
            extends: Some(preset.name().into()),
            ..PolicyDocument::default()
        };
        doc.bind_app_signers(app_signers);
        Ok(Policy::from_document(doc)?)
    }

    /// Checks a document (resolving `extends`) into a policy.
    pub fn from_document(doc: PolicyDocument) -> Result<Policy, PolicyError> {
        let base = match &doc.extends {
            None => PolicyDocument::default(),
            Some(name) => Preset::from_name(name)
                .ok_or_else(|| PolicyError::UnknownPreset { name: name.clone() })?
                .document()?,
        };
        let mut seen = Vec::new();
        for r in &doc.rules {
            if seen.contains(&&r.id) {
                return Err(PolicyError::DuplicateRule { rule: r.id.clone() });
            }
            seen.push(&r.id);
        }
        let mut rules = base.rules;
        for id in &doc.remove_rules {
            let at = rules
                .iter()
                .position(|r| &r.id == id)
                .ok_or_else(|| PolicyError::UnknownRule { rule: id.clone() })?;
            rules.remove(at);
        }
        for r in doc.rules {
            match rules.iter_mut().find(|b| b.id == r.id) {
                Some(slot) => *slot = r,
                None => rules.push(r),
            }
        }
        if !doc.app_signers.is_empty() {
            let mut filled = false;
            for r in rules.iter_mut() {
                if r.claim == SIGNERS && r.one_of.as_ref().is_some_and(Vec::is_empty) {
                    r.one_of = Some(
                        doc.app_signers
                            .iter()
                            .map(|s| PolicyValue::Text(s.clone()))
                            .collect(),
                    );
                    filled = true;
                }
            }
            if !filled {
                return Err(PolicyError::Syntax {
                    reason: format!(
                        "app-signers is given but no rule takes it (a rule on {SIGNERS} with an empty one-of)"
                    ),
                });
            }
        }
        if let Some(r) = rules
            .iter()
            .find(|r| r.claim == SIGNERS && r.one_of.as_ref().is_some_and(Vec::is_empty))
        {
            return Err(PolicyError::MissingParameter {
                rule: r.id.clone(),
                parameter: "app-signers",
            });
        }
        let id = doc.id.or(base.id).ok_or_else(|| PolicyError::Syntax {
            reason: "the policy has no id (give id or extends)".into(),
        })?;
        let mut actions = base.actions.unwrap_or_default();
        if let Some(o) = doc.actions {
            actions.affirming = o.affirming.or(actions.affirming);
            actions.warning = o.warning.or(actions.warning);
            actions.contraindicated = o.contraindicated.or(actions.contraindicated);
            actions.none = o.none.or(actions.none);
        }
        if let Some(none) = actions.none.filter(|a| *a != Action::Deny) {
            return Err(PolicyError::Syntax {
                reason: format!(
                    "actions.none is {}, but it can only be deny: none means that no rule and no \
                     advisory gave a verdict",
                    none.name()
                ),
            });
        }
        let actions = if rules.is_empty() {
            // With no rule, no outcome can be better than none, and an
            // advisory alone must not make the action more lenient than
            // finding none would (spec §11.3.2).
            Actions::DENY_ALL
        } else {
            Actions {
                affirming: actions.affirming.unwrap_or(Actions::DEFAULT.affirming),
                warning: actions.warning.unwrap_or(Actions::DEFAULT.warning),
                contraindicated: actions
                    .contraindicated
                    .unwrap_or(Actions::DEFAULT.contraindicated),
                none: Action::Deny,
            }
        };
        let bulletin = doc.bulletin.or(base.bulletin).unwrap_or_default();
        let android = match doc
            .require_android_attestation
            .or(base.require_android_attestation)
        {
            None => None,
            Some(name) => Some(
                KeySecurityLevel::from_name(&name)
                    .filter(|l| *l >= KeySecurityLevel::Tee)
                    .ok_or_else(|| PolicyError::BadValue {
                        rule: "require-android-attestation".into(),
                        claim: "android-attestation".into(),
                        reason: format!("{name:?} is not tee or strongbox"),
                    })?,
            ),
        };
        let rules = rules
            .into_iter()
            .map(Rule::compile)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Policy {
            id,
            description: doc.description.or(base.description),
            rules,
            actions,
            bulletin,
            android,
        })
    }

    /// The policy of a verifier that was given none: id `none`, no rules,
    /// default advisory settings. It appraises only what a bulletin says,
    /// and, having no rules, always denies (spec §11.3.2).
    ///
    /// ```
    /// use mtattest::appraisal::{Action, Policy, Status};
    ///
    /// let policy = Policy::none();
    /// assert_eq!(policy.id(), "none");
    /// assert!(policy.rules().is_empty());
    /// assert_eq!(policy.actions().for_status(Status::Warning), Action::Deny);
    /// ```
    pub fn none() -> Policy {
        Policy {
            id: "none".into(),
            description: None,
            rules: Vec::new(),
            actions: Actions::DENY_ALL,
            bulletin: BulletinSettings::DEFAULT,
            android: None,
        }
    }

    /// The policy's id (`ear.appraisal-policy-id`).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The description, if any.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The rules, in order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The rule with `id`.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id() == id)
    }

    /// The action per status.
    pub fn actions(&self) -> &Actions {
        &self.actions
    }

    /// How advisories count.
    pub fn bulletin_settings(&self) -> &BulletinSettings {
        &self.bulletin
    }

    /// The policy as a self-contained document (no `extends`), which loads
    /// back to the same policy.
    pub fn to_document(&self) -> PolicyDocument {
        PolicyDocument {
            id: Some(self.id.clone()),
            extends: None,
            description: self.description.clone(),
            app_signers: Vec::new(),
            remove_rules: Vec::new(),
            rules: self.rules.iter().map(|r| r.doc.clone()).collect(),
            actions: Some(ActionsDocument {
                affirming: Some(self.actions.affirming),
                warning: Some(self.actions.warning),
                contraindicated: Some(self.actions.contraindicated),
                none: Some(self.actions.none),
            }),
            bulletin: Some(self.bulletin),
            require_android_attestation: self.android.map(|l| l.name().into()),
        }
    }

    /// The policy as a self-contained JSON document.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.to_document()).unwrap_or_default()
    }
}

/// The app signers claim, which `app-signers` parameters fill.
const SIGNERS: &str = "submods.app.app-signers";
