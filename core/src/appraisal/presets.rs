//! Built-in policies: `payment`, `byod` and `content` for phones (after
//! `shared/design/claims.md`) and `iot` for devices without apps. They are ordinary policy documents, kept as
//! JSON beside this file; a relying party loads one with
//! [`Policy::preset`](super::Policy::preset) or `"extends"` and overrides,
//! adds or removes rules.
//!
//! The phone presets pin the relying party's app (`app-signer`: a rule on
//! `submods.app.app-signers` whose `one-of` the document's `app-signers`
//! fills); loading one without it is `policy.missing-parameter`. `iot` has
//! no app rule, so it takes no `app-signers` (giving some is
//! `policy.syntax`, as for any policy without a rule to fill).

use super::error::PolicyError;
use super::policy::PolicyDocument;

/// A built-in policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Preset {
    /// Mobile payment: strict; warning steps up, contraindicated denies.
    Payment,
    /// Employees' own devices: warning steps up instead of denying.
    Byod,
    /// Content access: denies only when contraindicated.
    Content,
    /// IoT devices without apps: device identity, boot, patch and debug
    /// state, interception; no app or runtime rules.
    Iot,
}

impl Preset {
    /// Every preset.
    pub const ALL: [Preset; 4] = [Preset::Payment, Preset::Byod, Preset::Content, Preset::Iot];

    /// The name (`extends` value and policy id).
    pub const fn name(self) -> &'static str {
        match self {
            Preset::Payment => "payment",
            Preset::Byod => "byod",
            Preset::Content => "content",
            Preset::Iot => "iot",
        }
    }

    /// Whether the preset pins the relying party's app, and so needs its
    /// app signer digests (`app-signers`): the phone presets do, `iot` does
    /// not and refuses them (spec §11.3.3).
    pub const fn pins_app(self) -> bool {
        !matches!(self, Preset::Iot)
    }

    /// The preset named `name`.
    pub fn from_name(name: &str) -> Option<Preset> {
        Preset::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The preset's document, as written (JSON).
    pub const fn json(self) -> &'static str {
        match self {
            Preset::Payment => include_str!("presets/payment.json"),
            Preset::Byod => include_str!("presets/byod.json"),
            Preset::Content => include_str!("presets/content.json"),
            Preset::Iot => include_str!("presets/iot.json"),
        }
    }

    /// The preset's document.
    pub fn document(self) -> Result<PolicyDocument, PolicyError> {
        serde_json::from_str(self.json()).map_err(|e| PolicyError::Syntax {
            reason: alloc::format!("preset {}: {e}", self.name()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_app_says_what_the_document_holds() {
        for p in Preset::ALL {
            let doc = p.document().unwrap();
            let template = doc.rules.iter().any(|r| {
                r.claim == "submods.app.app-signers"
                    && r.one_of.as_ref().is_some_and(|v| v.is_empty())
            });
            assert_eq!(p.pins_app(), template, "{}", p.name());
            let app_rule = doc
                .rules
                .iter()
                .any(|r| r.claim.starts_with("submods.app."));
            assert_eq!(p.pins_app(), app_rule, "{}", p.name());
        }
    }
}
