//! Built-in policies: `payment`, `byod` and `content` (after
//! `shared/design/claims.md`). They are ordinary policy documents, kept as
//! JSON beside this file; a relying party loads one with
//! [`Policy::preset`](super::Policy::preset) or `"extends"` and overrides,
//! adds or removes rules.
//!
//! Every preset pins the relying party's app (`app-signer`: a rule on
//! `submods.app.app-signers` whose `one-of` the document's `app-signers`
//! fills); loading a preset without it is `policy.missing-parameter`.

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
}

impl Preset {
    /// Every preset.
    pub const ALL: [Preset; 3] = [Preset::Payment, Preset::Byod, Preset::Content];

    /// The name (`extends` value and policy id).
    pub const fn name(self) -> &'static str {
        match self {
            Preset::Payment => "payment",
            Preset::Byod => "byod",
            Preset::Content => "content",
        }
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
        }
    }

    /// The preset's document.
    pub fn document(self) -> Result<PolicyDocument, PolicyError> {
        serde_json::from_str(self.json()).map_err(|e| PolicyError::Syntax {
            reason: alloc::format!("preset {}: {e}", self.name()),
        })
    }
}
