//! The two forms of the EAR this crate writes and reads: the Veraison 2023
//! form (the default, profile `tag:github.com,2023:veraison/ear`) and the
//! IETF working-group form of draft-ietf-rats-ear-04 (profile
//! `tag:ietf.org,2026:rats/ear#04`). They carry the same information under
//! different JSON labels; the CBOR keys are the same, except that the
//! policy is one text in the 2023 form and an array of text in draft-04.
//! `spec/appraisal.md` §11.6 gives every label of both.

/// CBOR and JSON labels of the EAR. Unsuffixed: the Veraison 2023 form (and
/// the labels both forms share); suffixed `_04`: draft-ietf-rats-ear-04.
pub mod labels {
    /// `eat_profile` (CBOR 265).
    pub const PROFILE: (&str, i64) = ("eat_profile", 265);
    /// `iat` (CBOR 6): when the appraisal was made.
    pub const IAT: (&str, i64) = ("iat", 6);
    /// `eat_nonce` (CBOR 10): the token's nonce, base64url in JSON.
    pub const NONCE: (&str, i64) = ("eat_nonce", 10);
    /// `submods` (CBOR 266).
    pub const SUBMODS: (&str, i64) = ("submods", 266);
    /// `ear.status` (CBOR 1000): in every submodule, and overall at the top.
    pub const STATUS: (&str, i64) = ("ear.status", 1000);
    /// `ear.trustworthiness-vector` (CBOR 1001).
    pub const TRUST_VECTOR: (&str, i64) = ("ear.trustworthiness-vector", 1001);
    /// `ear.appraisal-policy-id` (CBOR 1003).
    pub const POLICY_ID: (&str, i64) = ("ear.appraisal-policy-id", 1003);
    /// `ear.verifier-id` (CBOR 1004): `{developer (0), build (1)}`.
    pub const VERIFIER_ID: (&str, i64) = ("ear.verifier-id", 1004);
    /// draft-04 `ear_status` (CBOR 1000).
    pub const STATUS_04: (&str, i64) = ("ear_status", 1000);
    /// draft-04 `ear_trustworthiness_vector` (CBOR 1001).
    pub const TRUST_VECTOR_04: (&str, i64) = ("ear_trustworthiness_vector", 1001);
    /// draft-04 `ear_appraisal_policy_ids` (CBOR 1003): an array of text.
    pub const POLICY_IDS_04: (&str, i64) = ("ear_appraisal_policy_ids", 1003);
    /// draft-04 `ear_verifier_id` (CBOR 1004): `{developer (0), build (1)}`.
    pub const VERIFIER_ID_04: (&str, i64) = ("ear_verifier_id", 1004);
    /// `exp` (CBOR 4): never produced; refused in a draft-04 result.
    pub const EXP: (&str, i64) = ("exp", 4);
    /// mtattest extension (both forms): the relying party's action for the
    /// status; a `$$ear-extension` member in draft-04.
    pub const ACTION: (&str, i64) = ("mtattest.action", -80100);
    /// mtattest extension (both forms): the reasons of a submodule; a
    /// `$$ear-appraisal-extension` member in draft-04.
    pub const REASONS: (&str, i64) = ("mtattest.reasons", -80101);
}

/// `eat_profile` of the Veraison 2023 form.
pub const EAR_PROFILE: &str = "tag:github.com,2023:veraison/ear";

/// `eat_profile` of the draft-ietf-rats-ear-04 form.
pub const EAR_PROFILE_DRAFT_04: &str = "tag:ietf.org,2026:rats/ear#04";

/// A form of the EAR: which `eat_profile`, and which labels go with it.
///
/// Encoding takes one (the `..._as` methods of
/// [`AttestationResult`](super::AttestationResult)); decoding accepts both
/// and picks the form by `eat_profile`, refusing labels of the other form.
///
/// ```
/// use mtattest::appraisal::EarProfile;
///
/// assert_eq!(EarProfile::default(), EarProfile::Veraison2023);
/// let p = EarProfile::from_profile("tag:ietf.org,2026:rats/ear#04");
/// assert_eq!(p, Some(EarProfile::IetfDraft04));
/// assert_eq!(EarProfile::IetfDraft04.status_label(), ("ear_status", 1000));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EarProfile {
    /// `tag:github.com,2023:veraison/ear`: labels `ear.status`,
    /// `ear.trustworthiness-vector`, `ear.appraisal-policy-id` (one text),
    /// `ear.verifier-id`. What [`to_json`](super::AttestationResult::to_json),
    /// [`to_cbor`](super::AttestationResult::to_cbor) and
    /// [`sign`](super::AttestationResult::sign) produce.
    #[default]
    Veraison2023,
    /// `tag:ietf.org,2026:rats/ear#04` (draft-ietf-rats-ear-04): labels
    /// `ear_status`, `ear_trustworthiness_vector` (left out when empty, as
    /// the draft requires a non-empty vector), `ear_appraisal_policy_ids`
    /// (an array of one text), `ear_verifier_id`. The mtattest extensions
    /// are `$$ear-extension` (`mtattest.action`) and
    /// `$$ear-appraisal-extension` (`mtattest.reasons`) members.
    IetfDraft04,
}

impl EarProfile {
    /// Both forms, the default first.
    pub const ALL: [EarProfile; 2] = [EarProfile::Veraison2023, EarProfile::IetfDraft04];

    /// The `eat_profile` value.
    pub const fn profile(self) -> &'static str {
        match self {
            EarProfile::Veraison2023 => EAR_PROFILE,
            EarProfile::IetfDraft04 => EAR_PROFILE_DRAFT_04,
        }
    }

    /// The form whose `eat_profile` is `profile`, if this crate knows it.
    pub fn from_profile(profile: &str) -> Option<EarProfile> {
        EarProfile::ALL.into_iter().find(|p| p.profile() == profile)
    }

    /// A short name: `veraison-2023` or `ietf-draft-04`.
    pub const fn name(self) -> &'static str {
        match self {
            EarProfile::Veraison2023 => "veraison-2023",
            EarProfile::IetfDraft04 => "ietf-draft-04",
        }
    }

    /// The status label (JSON name, CBOR key 1000).
    pub const fn status_label(self) -> (&'static str, i64) {
        match self {
            EarProfile::Veraison2023 => labels::STATUS,
            EarProfile::IetfDraft04 => labels::STATUS_04,
        }
    }

    /// The trustworthiness vector label (CBOR 1001).
    pub const fn trust_vector_label(self) -> (&'static str, i64) {
        match self {
            EarProfile::Veraison2023 => labels::TRUST_VECTOR,
            EarProfile::IetfDraft04 => labels::TRUST_VECTOR_04,
        }
    }

    /// The appraisal policy label (CBOR 1003): one text in the 2023 form,
    /// an array of text in draft-04.
    pub const fn policy_label(self) -> (&'static str, i64) {
        match self {
            EarProfile::Veraison2023 => labels::POLICY_ID,
            EarProfile::IetfDraft04 => labels::POLICY_IDS_04,
        }
    }

    /// The verifier identity label (CBOR 1004).
    pub const fn verifier_id_label(self) -> (&'static str, i64) {
        match self {
            EarProfile::Veraison2023 => labels::VERIFIER_ID,
            EarProfile::IetfDraft04 => labels::VERIFIER_ID_04,
        }
    }

    /// The other form (for messages about mixed labels).
    pub(crate) const fn other(self) -> EarProfile {
        match self {
            EarProfile::Veraison2023 => EarProfile::IetfDraft04,
            EarProfile::IetfDraft04 => EarProfile::Veraison2023,
        }
    }

    /// The prefix of the EAR's own JSON labels in this form: `ear.` in the
    /// 2023 form, `ear_` in draft-04. A label with the other form's prefix
    /// is refused when decoding.
    pub(crate) const fn label_prefix(self) -> &'static str {
        match self {
            EarProfile::Veraison2023 => "ear.",
            EarProfile::IetfDraft04 => "ear_",
        }
    }
}

impl core::fmt::Display for EarProfile {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}
