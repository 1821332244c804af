//! One declarative configuration of a relying party's verifier.
//!
//! A [`VerifierConfig`] describes everything a [`Verifier`] is configured
//! with — trust anchors, CRLs and the status list, allowed algorithms,
//! freshness, the x5chain placement rule, limits, replay-cache and
//! chain-cache sizing, named policies, the bulletin feed, the EAR form and
//! verifier id, the crypto provider — as data that (de)serialises to JSON
//! and TOML (kebab-case member names). [`VerifierConfig::build`] checks it
//! in one place and gives the [`Verifier`]. Every front end only
//! translates its own options into one: the CLI's flags and `--config`
//! file, the C ABI's builder and `mtattest_verifier_from_config_json`, the
//! WASM `options` object. So the same settings give the same outcome and
//! the same error code everywhere. The format is documented in
//! `docs/configuration.md`.
//!
//! The rules of the format:
//! - **Absent means absent** and takes the documented default (JSON
//!   `null` is absent too). Every default fails closed: no trust anchors is
//!   an error (`config.no-anchors`), no policy gives status `none` and
//!   action `deny`.
//! - **Empty is an error, never "absent"**: a text that is empty or only
//!   whitespace, or an empty list, is `config.empty`. Nothing is trimmed.
//! - **Unknown members are refused** (`config.syntax`), as are values of
//!   the wrong type; unknown names (an algorithm, a provider, an EAR form)
//!   and malformed hex are `config.bad-value`.
//! - **Limits are never looser than spec §8.1** (`config.looser-than-profile`).
//! - Loading errors keep their own codes: an unusable anchor is
//!   `chain.bad-anchor`, a bad CRL or status list
//!   `chain.bad-revocation-data`, a bad policy `policy.*`, a bad feed
//!   `bulletin.*`.
//!
//! The configuration holds data, not file paths: PEM text, DER as hex,
//! JSON or TOML text. A `{ file = "…" }` entry is allowed in the document
//! but must be resolved into data first by the `std` loader
//! ([`VerifierConfig::load`], [`VerifierConfig::resolve_files`]), which
//! reads files relative to the configuration file; [`VerifierConfig::build`]
//! refuses an unresolved one (`config.unavailable`).
//!
//! Per verification, not configuration: the challenge (a call argument;
//! [`challenge_from_hex`] reads its hex form) and the time (`now`). Whether
//! a challenge is required is configuration (`require-nonce`).
//!
//! ```
//! use mtattest::config::VerifierConfig;
//!
//! let config = VerifierConfig::from_json(br#"{
//!     "max-age-secs": 120,
//!     "allowed-algorithms": []
//! }"#).unwrap();
//! // Parsing keeps what was written; building checks it, member by member,
//! // and last that there are trust anchors.
//! assert_eq!(config.build().unwrap_err().code(), "config.empty");
//! let none = VerifierConfig::default();
//! assert_eq!(none.build().unwrap_err().code(), "config.no-anchors");
//!
//! let err = VerifierConfig::from_json(br#"{"max-age": 120}"#).unwrap_err();
//! assert_eq!(err.code(), "config.syntax");
//! ```

mod build;
mod error;
#[cfg(feature = "std")]
mod load;
mod policies;
mod text;

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

pub use build::DEFAULT_CHAIN_CACHE_SIZE;
pub use error::ConfigError;
pub use text::{challenge_from_hex, Text};

use crate::error::Error;
#[allow(unused_imports)] // Named in the documentation.
use crate::verifier::Verifier;

/// Largest configuration document (JSON or TOML), in bytes, checked before
/// parsing (`config.too-large`). It bounds anchors, CRLs, the status list,
/// policies and the bulletin feed given inline together.
pub const MAX_CONFIG_SIZE: usize = 4 << 20;

/// A relying party's verifier, as data. Every member is optional; absent
/// members take the defaults below. See the [module documentation](self)
/// for the rules and `docs/configuration.md` for the format.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct VerifierConfig {
    /// Trust anchors (manufacturer roots). Required: without any, no token
    /// could verify (`config.no-anchors`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchors: Option<Vec<DerSource>>,
    /// CRLs of CAs on the chains. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crls: Option<Vec<DerSource>>,
    /// The revocation status list (JSON, the Android attestation status
    /// list form). Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_list: Option<JsonSource>,
    /// When the status list was fetched, Unix seconds: bounds its age
    /// (spec §10.5). Default: its age is not checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_list_fetched_at: Option<i64>,
    /// The status list's maximum age, seconds (with
    /// `status-list-fetched-at`). Default: 86 400.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_list_max_age_secs: Option<u32>,
    /// Seconds a status list is still accepted after its maximum age.
    /// Default: 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_list_grace_secs: Option<u32>,
    /// Accept certificates the status list marks SUSPENDED. Default: false
    /// (refused, `chain.suspended`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accept_suspended: Option<bool>,
    /// Android Key Attestation (spec §17). Default: no Android anchors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub android: Option<AndroidConfig>,
    /// Refuse a token whose x5chain is unprotected. Default: false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_protected_x5chain: Option<bool>,
    /// Seconds a CRL is still accepted after its `nextUpdate`. Default: 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crl_grace_secs: Option<u32>,
    /// The signature algorithms allowed (`ES384`, `ES256`). Default: both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_algorithms: Option<Vec<Text>>,
    /// Largest accepted token age, seconds after its `iat`. Default: 300.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age_secs: Option<u32>,
    /// Largest accepted clock difference, seconds. Default: 60.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_skew_secs: Option<u32>,
    /// Refuse a verification call that gives no challenge
    /// (`config.nonce-required`). Default: false (spec §11.1 makes the
    /// challenge optional; policies can require that it was checked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_nonce: Option<bool>,
    /// Decoding and chain limits, at most the specification's. Default: the
    /// specification's (spec §8.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<LimitsConfig>,
    /// Sizing of the in-memory replay cache. Default: sized for
    /// [`DEFAULT_REPLAY_PEAK_RATE`](crate::appraisal::DEFAULT_REPLAY_PEAK_RATE)
    /// tokens per second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replay: Option<ReplayConfig>,
    /// Validated chains kept in the chain cache. Default:
    /// [`DEFAULT_CHAIN_CACHE_SIZE`] (with `std`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chain_cache_size: Option<usize>,
    /// Appraisal policies by name.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "policies::unique_names"
    )]
    pub policies: Option<BTreeMap<String, PolicyConfig>>,
    /// The policy used when a call names none. Default: the only policy if
    /// exactly one is configured; otherwise none (status `none`, action
    /// `deny`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_policy: Option<Text>,
    /// The vulnerability bulletin feed (JSON). Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bulletins: Option<JsonSource>,
    /// The EAR form: `veraison-2023` (the default) or `ietf-draft-04`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ear_profile: Option<Text>,
    /// Who the verifier is in results (`ear.verifier-id`). Default:
    /// `mtattest` and the library version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verifier_id: Option<VerifierIdConfig>,
    /// The crypto provider: `rustcrypto` or `aws-lc` (builds with the
    /// `aws-lc` feature only). Default: `aws-lc` when built, else
    /// `rustcrypto`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crypto: Option<Text>,
}

/// Certificates or CRLs: PEM text (one or more blocks), one DER item as hex,
/// or a file (PEM or DER) that the `std` loader reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DerSource {
    /// PEM text: `CERTIFICATE` blocks for anchors, `X509 CRL` for CRLs.
    Pem(Text),
    /// One DER certificate or CRL, as hex.
    Der(Text),
    /// A file, relative to the configuration file.
    File(Text),
}

impl DerSource {
    /// One DER item given as bytes (hex-encoded into the configuration).
    pub fn der(bytes: &[u8]) -> DerSource {
        DerSource::Der(Text::new(crate::encoding::to_hex(bytes)))
    }
}

/// A JSON document: inline text, or a file that the `std` loader reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum JsonSource {
    /// The JSON text.
    Json(Text),
    /// A file, relative to the configuration file.
    File(Text),
}

/// One named policy: exactly one of a preset, a JSON or TOML document, or a
/// file, and optionally the relying party's app signer digests, which fill
/// the policy's app-signer rule (every preset has one).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct PolicyConfig {
    /// A built-in preset: `payment`, `byod`, `content` or `iot`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset: Option<Text>,
    /// A JSON policy document (spec §11.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json: Option<Text>,
    /// A TOML policy document (spec §11.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub toml: Option<Text>,
    /// A policy file (`.json` or `.toml`), relative to the configuration
    /// file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<Text>,
    /// App signer digests (hex), added to the policy's `app-signers`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_signers: Option<Vec<Text>>,
}

impl PolicyConfig {
    /// A preset by name.
    pub fn preset(name: impl Into<Text>) -> PolicyConfig {
        PolicyConfig {
            preset: Some(name.into()),
            ..PolicyConfig::default()
        }
    }

    /// How the front ends read one policy argument: a preset when `text` is
    /// a preset's name, otherwise a JSON document. Nothing is trimmed, and
    /// an empty text stays empty (refused when built).
    pub fn preset_or_json(text: &str) -> PolicyConfig {
        if crate::appraisal::Preset::from_name(text).is_some() {
            return PolicyConfig::preset(text);
        }
        PolicyConfig {
            json: Some(text.into()),
            ..PolicyConfig::default()
        }
    }

    /// As [`preset_or_json`](Self::preset_or_json), with a file path instead
    /// of a JSON document (the CLI's `--policy PRESET|FILE`).
    pub fn preset_or_file(text: &str) -> PolicyConfig {
        if crate::appraisal::Preset::from_name(text).is_some() {
            return PolicyConfig::preset(text);
        }
        PolicyConfig {
            file: Some(text.into()),
            ..PolicyConfig::default()
        }
    }
}

/// Decoding and chain limits (spec §8.1). Each may be tightened, none
/// loosened; zero is refused.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct LimitsConfig {
    /// Largest encoded token, bytes (at most 16 384).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_token_size: Option<usize>,
    /// Deepest CBOR nesting (at most 16).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_depth: Option<usize>,
    /// Most CBOR data items (at most 4 096).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_items: Option<usize>,
    /// Most entries in one map (at most 128).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_map_entries: Option<usize>,
    /// Deepest submodule nesting (at most 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_submod_depth: Option<usize>,
    /// Most certificates in an x5chain (at most 6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_chain_len: Option<usize>,
    /// Largest certificate, bytes (at most 8 192).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_cert_size: Option<usize>,
}

/// Sizing of the in-memory replay cache.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ReplayConfig {
    /// The peak rate of accepted tokens to sustain, per second. The cache
    /// holds [`replay_capacity`](crate::appraisal::replay_capacity)
    /// identifiers for this rate and the configured freshness's
    /// [`acceptance_window_secs`](crate::appraisal::acceptance_window_secs)
    /// (spec §11.2.1). Default:
    /// [`DEFAULT_REPLAY_PEAK_RATE`](crate::appraisal::DEFAULT_REPLAY_PEAK_RATE).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak_rate: Option<u32>,
}

/// Android Key Attestation settings (spec §17).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct AndroidConfig {
    /// Further trust anchors under the Android profile (§17.3.2), e.g. a
    /// test PKI's. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchors: Option<Vec<DerSource>>,
    /// Trust Google's hardware attestation roots under the Android profile
    /// (§17.3.2). Default: false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub google_roots: Option<bool>,
    /// The challenge mode: `per-token` (default) or `enrolled` (§17.6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge: Option<Text>,
    /// The lowest security level accepted: `tee` (default) or `strongbox`
    /// (§17.4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_security_level: Option<Text>,
}

impl AndroidConfig {
    /// Parses the configuration's `android` member on its own (a JSON
    /// object), as [`VerifierConfig::from_json`] parses a whole one: for
    /// front ends that set the Android settings apart (the C ABI). The
    /// values are checked when the configuration is built.
    pub fn from_json(json: &[u8]) -> Result<AndroidConfig, Error> {
        check_size(json.len())?;
        if json.iter().all(u8::is_ascii_whitespace) {
            return Err(ConfigError::empty("android").into());
        }
        crate::serde_strict::from_json_slice(json).map_err(|e| syntax(e.to_string()))
    }
}

/// `ear.verifier-id`: both members are required.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct VerifierIdConfig {
    /// The organisation responsible for the verifier.
    pub developer: Text,
    /// The software build.
    pub build: Text,
}

impl VerifierConfig {
    /// Parses a configuration from JSON. Only the document's form is
    /// checked here (size, an empty document, syntax, types, unknown
    /// members); its values are checked by [`build`](Self::build).
    pub fn from_json(json: &[u8]) -> Result<VerifierConfig, Error> {
        check_size(json.len())?;
        if json.iter().all(u8::is_ascii_whitespace) {
            return Err(ConfigError::empty("the configuration").into());
        }
        crate::serde_strict::from_json_slice(json).map_err(|e| syntax(e.to_string()))
    }

    /// Parses a configuration from TOML, as [`from_json`](Self::from_json).
    #[cfg(feature = "toml")]
    pub fn from_toml(text: &str) -> Result<VerifierConfig, Error> {
        check_size(text.len())?;
        if text::is_blank(text) {
            return Err(ConfigError::empty("the configuration").into());
        }
        crate::serde_strict::from_toml_str(text).map_err(|e| syntax(e.to_string()))
    }

    /// The configuration as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Lays `top` over this configuration: every member `top` has replaces
    /// this one's, except `policies`, whose entries join (a name in both is
    /// `top`'s). How a front end's own settings override a configuration
    /// file (the CLI's flags over `--config`).
    ///
    /// ```
    /// use mtattest::config::VerifierConfig;
    ///
    /// let mut file = VerifierConfig::from_json(br#"{"max-age-secs": 60, "clock-skew-secs": 5}"#)?;
    /// file.overlay(VerifierConfig::from_json(br#"{"max-age-secs": 300}"#)?);
    /// assert_eq!((file.max_age_secs, file.clock_skew_secs), (Some(300), Some(5)));
    /// # Ok::<(), mtattest::Error>(())
    /// ```
    pub fn overlay(&mut self, top: VerifierConfig) {
        fn set<T>(slot: &mut Option<T>, value: Option<T>) {
            if value.is_some() {
                *slot = value;
            }
        }
        // Destructured without `..`: a new member is not forgotten here.
        let VerifierConfig {
            anchors,
            crls,
            status_list,
            status_list_fetched_at,
            status_list_max_age_secs,
            status_list_grace_secs,
            accept_suspended,
            android,
            require_protected_x5chain,
            crl_grace_secs,
            allowed_algorithms,
            max_age_secs,
            clock_skew_secs,
            require_nonce,
            limits,
            replay,
            chain_cache_size,
            policies,
            default_policy,
            bulletins,
            ear_profile,
            verifier_id,
            crypto,
        } = top;
        if let Some(policies) = policies {
            self.policies
                .get_or_insert_with(BTreeMap::new)
                .extend(policies);
        }
        set(&mut self.anchors, anchors);
        set(&mut self.crls, crls);
        set(&mut self.status_list, status_list);
        set(&mut self.status_list_fetched_at, status_list_fetched_at);
        set(&mut self.status_list_max_age_secs, status_list_max_age_secs);
        set(&mut self.status_list_grace_secs, status_list_grace_secs);
        set(&mut self.accept_suspended, accept_suspended);
        set(&mut self.android, android);
        set(
            &mut self.require_protected_x5chain,
            require_protected_x5chain,
        );
        set(&mut self.crl_grace_secs, crl_grace_secs);
        set(&mut self.allowed_algorithms, allowed_algorithms);
        set(&mut self.max_age_secs, max_age_secs);
        set(&mut self.clock_skew_secs, clock_skew_secs);
        set(&mut self.require_nonce, require_nonce);
        set(&mut self.limits, limits);
        set(&mut self.replay, replay);
        set(&mut self.chain_cache_size, chain_cache_size);
        set(&mut self.default_policy, default_policy);
        set(&mut self.bulletins, bulletins);
        set(&mut self.ear_profile, ear_profile);
        set(&mut self.verifier_id, verifier_id);
        set(&mut self.crypto, crypto);
    }
}

fn check_size(size: usize) -> Result<(), Error> {
    if size > MAX_CONFIG_SIZE {
        return Err(ConfigError::TooLarge {
            size,
            max: MAX_CONFIG_SIZE,
        }
        .into());
    }
    Ok(())
}

fn syntax(reason: String) -> Error {
    ConfigError::Syntax {
        reason: reason.trim_end().to_string(),
    }
    .into()
}
