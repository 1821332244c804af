//! Conformance vectors: tokens, trust anchors,
//! revocation data, policies and a manifest saying what a verifier must make
//! of each token — the suite other implementations run to show they speak
//! the profile (`spec/vectors.md`). `mtattest vectors --out DIR` writes them;
//! the committed copy is `test-vectors/`, which a test regenerates and
//! compares byte for byte.
//!
//! Every key comes from a fixed seed and every signature is RFC 6979, so
//! [`generate`] returns the same bytes every time. Each invalid case has
//! exactly one fault; the rest of its token is valid.
//!
//! The expected outcome of each case is written here by hand (the error
//! code, the appraisal status and the failing rules), not observed from the
//! verifier; the expected claims are the JSON form of the claims the token
//! was made from. A test then checks that the verifier agrees.
//!
//! ```
//! let vectors = mtattest_testkit::vectors::generate().unwrap();
//! assert!(vectors.get("manifest.json").is_some());
//! assert!(vectors.get("anchors/root.pem").is_some());
//! ```

mod android;
mod bad_claims;
mod chain;
mod claim_values;
mod envelope;
mod fixtures;
mod freshness;
mod iot;
pub mod manifest;
mod network;
mod notation;
mod one_reading;
mod sign1;
mod valid;
mod verdicts;

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use std::path::{Path, PathBuf};

use fixtures::{challenge, hex, Pki, BULLETIN, TIME};
use manifest::{
    Appraisal, Case, CaseOptions, Expected, LimitSettings, Manifest, ReasonRef, VerifierSettings,
    SCHEMA,
};
use mtattest::claims::ClaimsSet;
use mtattest::error::Error;
use mtattest::limits::Limits;
use mtattest::token::TAG_COSE_SIGN1;

/// The directories [`Vectors::write_to_dir`] writes into, besides
/// `manifest.json`.
pub const SUBDIRS: [&str; 5] = ["tokens", "anchors", "revocation", "policies", "bulletins"];

/// Trust anchor files.
mod anchors {
    pub const ROOT: &str = "anchors/root.pem";
    pub const INTERMEDIATE: &str = "anchors/intermediate.pem";
    pub const ROOT_P256: &str = "anchors/root-p256.pem";
    pub const OTHER_ROOT: &str = "anchors/other-root.pem";
    pub const OTHER_ROOT_AND_ROOT: &str = "anchors/other-root-and-root.pem";
    pub const IMPOSTOR_ROOT: &str = "anchors/impostor-root.pem";
    pub const IMPOSTOR_ROOT_NO_KEY_ID: &str = "anchors/impostor-root-no-key-id.pem";
    pub const EXPIRED_ROOT: &str = "anchors/expired-root.pem";
    pub const ANDROID_ROOT: &str = "anchors/android-root.pem";
}

/// Revocation files.
mod revocation {
    pub const CRL_CLEAN: &str = "revocation/crl-clean.crl";
    pub const CRL_DEVICE_REVOKED: &str = "revocation/crl-device-revoked.crl";
    pub const CRL_DEVICE_ON_HOLD: &str = "revocation/crl-device-on-hold.crl";
    pub const CRL_STALE: &str = "revocation/crl-stale.crl";
    pub const CRL_NOT_YET_VALID: &str = "revocation/crl-not-yet-valid.crl";
    pub const CRL_BAD_SIGNATURE: &str = "revocation/crl-bad-signature.crl";
    pub const STATUS_CLEAN: &str = "revocation/status-clean.json";
    pub const STATUS_INTERMEDIATE_REVOKED: &str = "revocation/status-intermediate-revoked.json";
    pub const STATUS_DEVICE_SUSPENDED: &str = "revocation/status-device-suspended.json";
    pub const STATUS_ANDROID_INTERMEDIATE_REVOKED: &str =
        "revocation/status-android-intermediate-revoked.json";
    pub const STATUS_ANDROID_LEAF_SUSPENDED: &str = "revocation/status-android-leaf-suspended.json";
}

/// Policy and bulletin files.
mod appraisal_files {
    pub const PAYMENT: &str = "policies/payment.json";
    pub const BYOD: &str = "policies/byod.json";
    pub const IOT: &str = "policies/iot.json";
    pub const BULLETIN: &str = "bulletins/msa-vectors.json";
    pub const NO_RULES: &str = "policies/no-rules.json";
    pub const PAYMENT_ADVISORIES_FROM_MEDIUM: &str = "policies/payment-advisories-from-medium.json";
    pub const BOOT_EVIDENCE_HARDWARE: &str = "policies/boot-evidence-hardware.json";
    pub const NO_MATCH: &str = "bulletins/no-match.json";
    pub const MODEL_LOW: &str = "bulletins/model-low.json";
    pub const MODEL_MEDIUM: &str = "bulletins/model-medium.json";
    pub const MODEL_HIGH: &str = "bulletins/model-high.json";
    pub const MODEL_SPELLING: &str = "bulletins/model-spelling.json";
    pub const ANDROID_STRONGBOX: &str = "policies/android-strongbox.json";
}

/// The generated files, by path relative to the output directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vectors {
    files: BTreeMap<String, Vec<u8>>,
}

impl Vectors {
    /// Every file: path (with `/`) and contents.
    pub fn files(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files.iter().map(|(p, b)| (p.as_str(), b.as_slice()))
    }

    /// One file's contents.
    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }

    /// Writes every file under `dir` (creating directories; existing files
    /// are overwritten, others left alone). Returns the paths written.
    pub fn write_to_dir(&self, dir: &Path) -> Result<Vec<PathBuf>, String> {
        let mut written = Vec::with_capacity(self.files.len());
        for (rel, bytes) in &self.files {
            let path = dir.join(rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| format!("{}: {e}", parent.display()))?;
            }
            std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
            written.push(path);
        }
        Ok(written)
    }
}

/// Generates every vector and the manifest.
pub fn generate() -> Result<Vectors, String> {
    let mut gen = Gen::new().map_err(|e| format!("setting up the vectors: {e}"))?;
    valid::cases(&mut gen).map_err(|e| format!("valid cases: {e}"))?;
    verdicts::cases(&mut gen).map_err(|e| format!("verdict cases: {e}"))?;
    claim_values::valid_cases(&mut gen).map_err(|e| format!("valid claim values: {e}"))?;
    one_reading::valid_cases(&mut gen).map_err(|e| format!("one-reading valid cases: {e}"))?;
    android::valid_cases(&mut gen).map_err(|e| format!("Android valid cases: {e}"))?;
    network::valid_cases(&mut gen).map_err(|e| format!("network valid cases: {e}"))?;
    iot::valid_cases(&mut gen).map_err(|e| format!("iot valid cases: {e}"))?;
    notation::valid_cases(&mut gen).map_err(|e| format!("notation valid cases: {e}"))?;
    envelope::cases(&mut gen).map_err(|e| format!("envelope cases: {e}"))?;
    bad_claims::cases(&mut gen).map_err(|e| format!("claims cases: {e}"))?;
    claim_values::invalid_cases(&mut gen).map_err(|e| format!("claim values: {e}"))?;
    chain::cases(&mut gen).map_err(|e| format!("chain cases: {e}"))?;
    freshness::cases(&mut gen).map_err(|e| format!("freshness cases: {e}"))?;
    one_reading::invalid_cases(&mut gen).map_err(|e| format!("one-reading cases: {e}"))?;
    android::invalid_cases(&mut gen).map_err(|e| format!("Android cases: {e}"))?;
    network::invalid_cases(&mut gen).map_err(|e| format!("network cases: {e}"))?;
    gen.finish()
}

/// A case before its files are placed.
pub(crate) struct CaseSpec {
    id: &'static str,
    description: String,
    token: Vec<u8>,
    before: Vec<Vec<u8>>,
    anchors: &'static str,
    android_anchors: Option<&'static str>,
    enrolment_challenge: Option<Vec<u8>>,
    crl: Option<&'static str>,
    status_list: Option<&'static str>,
    nonce: Option<Vec<u8>>,
    policy: Option<&'static str>,
    bulletin: Option<&'static str>,
    options: CaseOptions,
    expected: Expected,
}

impl CaseSpec {
    /// A token that verifies to `claims`; anchors: the standard root; the
    /// challenge: [`challenge`]; no policy.
    pub(crate) fn valid(
        id: &'static str,
        description: impl Into<String>,
        token: Vec<u8>,
        claims: &ClaimsSet,
    ) -> CaseSpec {
        CaseSpec::new(
            id,
            description.into(),
            token,
            Expected::Valid {
                claims: claims.to_json(),
                appraisal: None,
                attested: None,
            },
        )
    }

    /// A token refused with `code`; otherwise as [`CaseSpec::valid`].
    pub(crate) fn invalid(
        id: &'static str,
        description: impl Into<String>,
        token: Vec<u8>,
        code: &'static str,
    ) -> CaseSpec {
        CaseSpec::new(
            id,
            description.into(),
            token,
            Expected::Invalid { error: code },
        )
    }

    fn new(id: &'static str, description: String, token: Vec<u8>, expected: Expected) -> Self {
        CaseSpec {
            id,
            description,
            token,
            before: Vec::new(),
            anchors: anchors::ROOT,
            android_anchors: None,
            enrolment_challenge: None,
            crl: None,
            status_list: None,
            nonce: Some(challenge()),
            policy: None,
            bulletin: None,
            options: CaseOptions::default(),
            expected,
        }
    }

    pub(crate) fn anchors(mut self, path: &'static str) -> Self {
        self.anchors = path;
        self
    }

    /// Also trust `path` under the Android profile (spec §17.3).
    pub(crate) fn android_anchors(mut self, path: &'static str) -> Self {
        self.android_anchors = Some(path);
        self
    }

    /// Enrolled-key mode with `challenge` as the enrolment challenge
    /// (spec §17.6).
    pub(crate) fn enrolled(mut self, challenge: &[u8]) -> Self {
        self.options.android_challenge = Some("enrolled");
        self.enrolment_challenge = Some(challenge.to_vec());
        self
    }

    /// The attested claims a valid case's verification reports (spec
    /// §17.5).
    pub(crate) fn attested(mut self, list: Vec<manifest::AttestedRef>) -> Self {
        if let Expected::Valid { attested, .. } = &mut self.expected {
            *attested = Some(list);
        }
        self
    }

    pub(crate) fn nonce(mut self, nonce: Option<Vec<u8>>) -> Self {
        self.nonce = nonce;
        self
    }

    pub(crate) fn crl(mut self, path: &'static str) -> Self {
        self.crl = Some(path);
        self
    }

    pub(crate) fn status_list(mut self, path: &'static str) -> Self {
        self.status_list = Some(path);
        self
    }

    pub(crate) fn before(mut self, tokens: Vec<Vec<u8>>) -> Self {
        self.before = tokens;
        self
    }

    pub(crate) fn options(mut self, options: CaseOptions) -> Self {
        self.options = options;
        self
    }

    /// Appraise under `policy` (and `bulletin`), expecting `status`,
    /// `action` and exactly `reasons` (rule, claim, failure, advisory).
    pub(crate) fn appraise(
        mut self,
        policy: &'static str,
        bulletin: Option<&'static str>,
        status: &'static str,
        action: &'static str,
        reasons: &[(
            &'static str,
            &'static str,
            &'static str,
            Option<&'static str>,
        )],
    ) -> Self {
        self.policy = Some(policy);
        self.bulletin = bulletin;
        if let Expected::Valid { appraisal, .. } = &mut self.expected {
            *appraisal = Some(Appraisal {
                status,
                action,
                reasons: reasons
                    .iter()
                    .map(|&(rule, claim, failure, advisory)| ReasonRef {
                        rule,
                        claim,
                        failure,
                        advisory,
                    })
                    .collect(),
            });
        }
        self
    }
}

/// The generator's state: the shared certificates and the files and cases
/// so far.
pub(crate) struct Gen {
    pki: Pki,
    files: BTreeMap<String, Vec<u8>>,
    cases: Vec<Case>,
}

impl Gen {
    fn new() -> Result<Gen, Error> {
        use crate::pki::CrlEntryReason::{CertificateHold, KeyCompromise};
        use fixtures::{status_list, DAY, OTHER_SERIAL};

        let pki = Pki::new()?;
        let mut files = BTreeMap::new();
        let mut put = |path: &str, bytes: Vec<u8>| {
            files.insert(path.to_string(), bytes);
        };
        put(anchors::ROOT, pki.root.pem().into_bytes());
        put(anchors::INTERMEDIATE, pki.intermediate.pem().into_bytes());
        put(anchors::ROOT_P256, pki.p256[0].pem().into_bytes());
        put(anchors::OTHER_ROOT, pki.other_root.pem().into_bytes());
        put(
            anchors::OTHER_ROOT_AND_ROOT,
            format!("{}{}", pki.other_root.pem(), pki.root.pem()).into_bytes(),
        );
        put(anchors::IMPOSTOR_ROOT, pki.impostor_root.pem().into_bytes());
        put(
            anchors::IMPOSTOR_ROOT_NO_KEY_ID,
            pki.impostor_root_no_key_id.pem().into_bytes(),
        );
        put(anchors::EXPIRED_ROOT, pki.expired_root.pem().into_bytes());

        let device = pki.device.spec.serial;
        let week = 7 * DAY;
        put(
            revocation::CRL_CLEAN,
            pki.crl(
                TIME - DAY,
                TIME + week,
                vec![(OTHER_SERIAL, KeyCompromise)],
                false,
            )?,
        );
        put(
            revocation::CRL_DEVICE_REVOKED,
            pki.crl(
                TIME - DAY,
                TIME + week,
                vec![(device, KeyCompromise)],
                false,
            )?,
        );
        put(
            revocation::CRL_DEVICE_ON_HOLD,
            pki.crl(
                TIME - DAY,
                TIME + week,
                vec![(device, CertificateHold)],
                false,
            )?,
        );
        put(
            revocation::CRL_STALE,
            pki.crl(
                TIME - week - DAY,
                TIME - DAY,
                vec![(OTHER_SERIAL, KeyCompromise)],
                false,
            )?,
        );
        put(
            revocation::CRL_NOT_YET_VALID,
            pki.crl(
                TIME + 3600,
                TIME + week,
                vec![(OTHER_SERIAL, KeyCompromise)],
                false,
            )?,
        );
        put(
            revocation::CRL_BAD_SIGNATURE,
            pki.crl(
                TIME - DAY,
                TIME + week,
                vec![(OTHER_SERIAL, KeyCompromise)],
                true,
            )?,
        );
        put(
            revocation::STATUS_CLEAN,
            status_list(OTHER_SERIAL, "REVOKED", "KEY_COMPROMISE"),
        );
        put(
            revocation::STATUS_INTERMEDIATE_REVOKED,
            status_list(pki.intermediate.spec.serial, "REVOKED", "CA_COMPROMISE"),
        );
        put(
            revocation::STATUS_DEVICE_SUSPENDED,
            status_list(device, "SUSPENDED", "SUPERSEDED"),
        );

        let phone = fixtures::phone();
        put(
            appraisal_files::PAYMENT,
            fixtures::policy("payment", &phone),
        );
        put(appraisal_files::BYOD, fixtures::policy("byod", &phone));
        put(
            appraisal_files::IOT,
            fixtures::POLICY_IOT.as_bytes().to_vec(),
        );
        put(appraisal_files::BULLETIN, BULLETIN.as_bytes().to_vec());
        put(
            appraisal_files::NO_RULES,
            fixtures::POLICY_NO_RULES.as_bytes().to_vec(),
        );
        put(
            appraisal_files::PAYMENT_ADVISORIES_FROM_MEDIUM,
            fixtures::policy_payment_advisories_from_medium(&phone),
        );
        put(
            appraisal_files::BOOT_EVIDENCE_HARDWARE,
            fixtures::POLICY_BOOT_EVIDENCE_HARDWARE.as_bytes().to_vec(),
        );
        put(
            appraisal_files::NO_MATCH,
            fixtures::BULLETIN_NO_MATCH.as_bytes().to_vec(),
        );
        let model = "MT-Phone 7 Pro";
        put(
            appraisal_files::MODEL_LOW,
            fixtures::bulletin_for_model("MSA-VECTORS-0201", "low", model),
        );
        put(
            appraisal_files::MODEL_MEDIUM,
            fixtures::bulletin_for_model("MSA-VECTORS-0202", "medium", model),
        );
        put(
            appraisal_files::MODEL_HIGH,
            fixtures::bulletin_for_model("MSA-VECTORS-0203", "high", model),
        );
        // The same model as a bulletin editor might type it: other case,
        // a no-break space, doubled and trailing spaces (spec §11.5.1).
        put(
            appraisal_files::MODEL_SPELLING,
            fixtures::bulletin_for_model("MSA-VECTORS-0204", "high", " mt-phone\u{a0}7  PRO "),
        );
        android::files(&mut put)?;
        Ok(Gen {
            pki,
            files,
            cases: Vec::new(),
        })
    }

    /// Places the case's tokens and records it.
    pub(crate) fn add(&mut self, spec: CaseSpec) -> Result<(), Error> {
        let token = format!("tokens/{}.cbor", spec.id);
        let mut before = Vec::with_capacity(spec.before.len());
        for (i, bytes) in spec.before.into_iter().enumerate() {
            if bytes == spec.token {
                before.push(token.clone());
            } else {
                let path = format!("tokens/{}.before-{}.cbor", spec.id, i + 1);
                self.files.insert(path.clone(), bytes);
                before.push(path);
            }
        }
        self.files.insert(token.clone(), spec.token);
        self.cases.push(Case {
            id: spec.id.to_string(),
            description: spec.description,
            token,
            submitted_before: before,
            anchors: spec.anchors.to_string(),
            android_anchors: spec.android_anchors.map(str::to_string),
            crl: spec.crl.map(str::to_string),
            status_list: spec.status_list.map(str::to_string),
            time: TIME,
            nonce: spec.nonce.as_deref().map(hex),
            enrolment_challenge: spec.enrolment_challenge.as_deref().map(hex),
            policy: spec.policy.map(str::to_string),
            bulletin: spec.bulletin.map(str::to_string),
            options: spec.options,
            expected: spec.expected,
        });
        Ok(())
    }

    fn finish(mut self) -> Result<Vectors, String> {
        let mut seen = alloc::collections::BTreeSet::new();
        for case in &self.cases {
            if !seen.insert(case.id.as_str()) {
                return Err(format!("case id {} is used twice", case.id));
            }
        }
        let limits = Limits::DEFAULT;
        let manifest = Manifest {
            schema: SCHEMA,
            profile: mtattest::claims::keys::PROFILE_V1,
            revision: manifest::SPEC_REVISION,
            description:
                "Conformance vectors of the mtattest EAT profile: valid tokens with their \
                          claims and appraisal, and invalid tokens with one fault each and the \
                          stable error code a verifier must report.",
            generator: "mtattest vectors --out test-vectors (deterministic: fixed keys, RFC 6979)",
            verifier: VerifierSettings {
                allowed_algorithms: vec!["ES384", "ES256"],
                max_age_secs: 300,
                clock_skew_secs: 60,
                require_protected_x5chain: false,
                max_chain_len: mtattest::trust::ChainOptions::DEFAULT.max_chain_len,
                max_cert_size: mtattest::trust::ChainOptions::DEFAULT.max_cert_size,
                crl_grace_secs: 0,
                replay_cache: true,
                limits: LimitSettings {
                    max_token_size: limits.max_token_size,
                    max_depth: limits.max_depth,
                    max_items: limits.max_items,
                    max_map_entries: limits.max_map_entries,
                    max_submod_depth: limits.max_submod_depth,
                },
            },
            cases: core::mem::take(&mut self.cases),
        };
        let mut json = serde_json::to_string_pretty(&manifest)
            .map_err(|e| format!("writing the manifest: {e}"))?;
        json.push('\n');
        self.files
            .insert("manifest.json".to_string(), json.into_bytes());
        Ok(Vectors { files: self.files })
    }
}

/// The COSE_Sign1 tag, for cases that rebuild the envelope.
pub(crate) const SIGN1_TAG: u64 = TAG_COSE_SIGN1;
