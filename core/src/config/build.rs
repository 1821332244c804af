//! From a [`VerifierConfig`] to a [`Verifier`]: every value checked, in one
//! place, in the order of the members.

use alloc::boxed::Box;
use alloc::format;
use alloc::string::ToString;
use alloc::vec::Vec;

use super::policies::{self, unresolved};
use super::text::hex_bytes;
use super::{
    AndroidConfig, ConfigError, DerSource, JsonSource, LimitsConfig, ReplayConfig, Text,
    VerifierConfig, VerifierIdConfig,
};
use crate::android::{AndroidSettings, AttestationRules, ChallengeMode, SecurityLevel};
use crate::appraisal::{Bulletin, EarProfile, Freshness, Policy, VerifierId};
use crate::crypto::{self, Algorithm, CryptoProvider};
use crate::error::{ChainError, Error};
use crate::limits::Limits;
use crate::trust::{
    ChainOptions, ChainVerifier, Profile, Revocation, StatusList, StatusListAge, TrustAnchors,
};
use crate::verifier::{KeySource, Verifier, VerifierBuilder};

/// Validated chains a verifier keeps by default (`chain-cache-size`): each
/// entry is a digest and a validated chain, a few hundred bytes.
pub const DEFAULT_CHAIN_CACHE_SIZE: usize = 1024;

impl VerifierConfig {
    /// Checks every value and builds the verifier. Fails with the first
    /// problem, in the order of the members (and last, without anchors,
    /// `config.no-anchors`): `config.*` for the configuration itself, and
    /// the loaders' own codes for what it holds (`chain.bad-anchor`,
    /// `chain.bad-revocation-data`, `policy.*`, `bulletin.*`).
    pub fn build(&self) -> Result<Verifier, Error> {
        Ok(self.builder()?.build())
    }

    /// As [`build`](Self::build), but returns the builder, for what a
    /// configuration does not describe (a replay store shared by several
    /// servers, a crypto provider of the caller's own).
    pub fn builder(&self) -> Result<VerifierBuilder, Error> {
        self.assemble(true, None)
    }

    /// As [`builder`](Self::builder), with `provider` checking the anchors'
    /// keys and verifying, in place of the provider the configuration
    /// names: for a provider that is not in this library (the WASM
    /// bindings' WebCrypto provider). A `crypto` member is still checked
    /// (it must name a provider of this build), so a configuration that
    /// one front end refuses, every front end refuses.
    pub fn builder_with_crypto(
        &self,
        provider: Box<dyn CryptoProvider>,
    ) -> Result<VerifierBuilder, Error> {
        self.assemble(true, Some(provider))
    }

    /// Checks every value as [`build`](Self::build) does, except that trust
    /// anchors are configured: for front ends that fill a configuration
    /// step by step and report each mistake where it is made.
    pub fn check_contents(&self) -> Result<(), Error> {
        self.assemble(false, None).map(drop)
    }

    fn assemble(
        &self,
        require_anchors: bool,
        given_provider: Option<Box<dyn CryptoProvider>>,
    ) -> Result<VerifierBuilder, Error> {
        // Destructured without `..`: a member added to the configuration
        // does not compile until it is checked here.
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
        } = self;

        // The provider is named last but checks the anchors' keys: chosen
        // first, its own problems reported in their place.
        let provider = match (given_provider, crypto) {
            (None, named) => crypto_provider(named.as_ref()),
            (Some(given), None) => Ok(given),
            (Some(given), Some(named)) => crypto_provider(Some(named)).map(|_| given),
        };
        let mut anchors = load_anchors(anchors.as_deref())?;
        let android_settings = check_android(android.as_ref(), &mut anchors)?;
        if let Ok(provider) = &provider {
            anchors.check_keys(provider.as_ref())?;
        }
        // Checked last, so that what was written is reported before what
        // is missing.
        let no_anchors = anchors.is_empty();
        let mut revocation = Revocation::new();
        for (i, crl) in non_empty_list("crls", crls.as_deref())?.iter().enumerate() {
            for der in der_items(&format!("crls[{i}]"), crl, "X509 CRL", |reason| {
                ChainError::BadRevocationData { reason }.into()
            })? {
                revocation.add_crl_der(&der)?;
            }
        }
        if let Some(list) = status_list {
            let json = json_text("status-list", list)?;
            revocation.set_status_list(StatusList::from_json(json.as_bytes())?);
        }
        match (status_list_fetched_at, status_list.is_some()) {
            (Some(fetched_at), true) => revocation.set_status_list_age(StatusListAge {
                fetched_at: *fetched_at,
                max_age_secs: match status_list_max_age_secs {
                    Some(0) => {
                        return Err(ConfigError::bad(
                            "status-list-max-age-secs",
                            "must be at least 1",
                        )
                        .into())
                    }
                    Some(secs) => *secs,
                    None => StatusListAge::DEFAULT_MAX_AGE_SECS,
                },
                grace_secs: status_list_grace_secs.unwrap_or(0),
            }),
            (Some(_), false) => {
                return Err(ConfigError::bad(
                    "status-list-fetched-at",
                    "given without a status-list",
                )
                .into())
            }
            (None, _) if status_list_max_age_secs.is_some() || status_list_grace_secs.is_some() => {
                return Err(ConfigError::bad(
                    "status-list-max-age-secs",
                    "needs status-list-fetched-at",
                )
                .into())
            }
            (None, _) => {}
        }
        revocation.set_accept_suspended(accept_suspended.unwrap_or(false));
        let (limits, chain_limits) = check_limits(limits.as_ref())?;
        let chain_options = ChainOptions {
            max_chain_len: chain_limits.max_chain_len,
            max_cert_size: chain_limits.max_cert_size,
            crl_grace_secs: crl_grace_secs.unwrap_or(ChainOptions::DEFAULT.crl_grace_secs),
            require_protected_x5chain: require_protected_x5chain
                .unwrap_or(ChainOptions::DEFAULT.require_protected_x5chain),
        };
        let chains = ChainVerifier::new(anchors)
            .with_revocation(revocation)
            .with_options(chain_options);
        let chains = with_chain_cache(chains, *chain_cache_size)?;

        let algorithms = check_algorithms(allowed_algorithms.as_deref())?;
        let freshness = Freshness {
            max_age_secs: max_age_secs.unwrap_or(Freshness::DEFAULT.max_age_secs),
            clock_skew_secs: clock_skew_secs.unwrap_or(Freshness::DEFAULT.clock_skew_secs),
        };
        let mut builder = Verifier::builder(KeySource::chain(chains))
            .android(android_settings)
            .allowed_algorithms(&algorithms)
            .limits(limits)
            .freshness(freshness)
            .require_nonce(require_nonce.unwrap_or(false));
        builder = with_replay_cache(builder, replay.as_ref(), freshness)?;

        let named = match policies {
            Some(map) if map.is_empty() => return Err(ConfigError::empty("policies").into()),
            Some(map) => map,
            None => &alloc::collections::BTreeMap::new(),
        };
        let default_name = policies::default_name(default_policy.as_ref(), named)?;
        let mut default = None;
        for (name, policy) in named {
            if super::text::is_blank(name) {
                return Err(ConfigError::empty("policies: a policy name").into());
            }
            let policy = policies::load(name, policy)?;
            if default_name == Some(name.as_str()) {
                default = Some(policy.clone());
            }
            builder = builder.policy(name.clone(), policy);
        }
        let default = match default {
            Some(policy) => policy,
            None => Policy::from_json(br#"{"id": "none"}"#)?,
        };
        builder = builder.default_policy(default);

        if let Some(feed) = bulletins {
            let json = json_text("bulletins", feed)?;
            builder = builder.bulletin(Bulletin::from_json(json.as_bytes())?);
        }
        if let Some(name) = ear_profile {
            builder = builder.ear_profile(check_ear_profile(name)?);
        }
        if let Some(VerifierIdConfig { developer, build }) = verifier_id {
            let id = VerifierId::new(
                developer.checked("verifier-id.developer")?,
                build.checked("verifier-id.build")?,
            );
            builder = builder.verifier_id(id);
        }
        let builder = builder.boxed_crypto(provider?);
        if require_anchors && no_anchors {
            return Err(ConfigError::NoAnchors.into());
        }
        Ok(builder)
    }
}

/// The Android settings, and Google's roots added to `anchors` when asked.
fn check_android(
    android: Option<&AndroidConfig>,
    anchors: &mut TrustAnchors,
) -> Result<AndroidSettings, Error> {
    let Some(AndroidConfig {
        anchors: android_anchors,
        google_roots,
        challenge,
        min_security_level,
    }) = android
    else {
        return Ok(AndroidSettings::default());
    };
    for (i, source) in non_empty_list("android.anchors", android_anchors.as_deref())?
        .iter()
        .enumerate()
    {
        let index = anchors.len();
        let items = der_items(
            &format!("android.anchors[{i}]"),
            source,
            "CERTIFICATE",
            |reason| ChainError::BadAnchor { index, reason }.into(),
        )?;
        for der in items {
            anchors.add_der_with_profile(&der, Profile::android())?;
        }
    }
    if google_roots.unwrap_or(false) {
        for root in crate::android::google_roots() {
            anchors.add_der_with_profile(root.der, Profile::android())?;
        }
    }
    let challenge = match challenge {
        None => ChallengeMode::default(),
        Some(name) => {
            let name = name.checked("android.challenge")?;
            ChallengeMode::from_name(name).ok_or_else(|| {
                ConfigError::bad(
                    "android.challenge",
                    format!("unknown challenge mode {name:?} (per-token, enrolled)"),
                )
            })?
        }
    };
    let min_security_level = match min_security_level {
        None => AttestationRules::default().min_security_level,
        Some(name) => match name.checked("android.min-security-level")? {
            "tee" => SecurityLevel::TrustedEnvironment,
            "strongbox" => SecurityLevel::StrongBox,
            other => {
                return Err(ConfigError::bad(
                    "android.min-security-level",
                    format!("unknown security level {other:?} (tee, strongbox)"),
                )
                .into())
            }
        },
    };
    Ok(AndroidSettings {
        challenge,
        rules: AttestationRules {
            min_security_level,
            ..AttestationRules::default()
        },
    })
}

/// A list that, when given, has entries.
fn non_empty_list<'a, T>(field: &str, list: Option<&'a [T]>) -> Result<&'a [T], ConfigError> {
    match list {
        Some([]) => Err(ConfigError::empty(field)),
        Some(list) => Ok(list),
        None => Ok(&[]),
    }
}

fn load_anchors(list: Option<&[DerSource]>) -> Result<TrustAnchors, Error> {
    let mut anchors = TrustAnchors::new();
    for (i, source) in non_empty_list("anchors", list)?.iter().enumerate() {
        let index = anchors.len();
        let items = der_items(&format!("anchors[{i}]"), source, "CERTIFICATE", |reason| {
            ChainError::BadAnchor { index, reason }.into()
        })?;
        for der in items {
            anchors.add_der(&der)?;
        }
    }
    Ok(anchors)
}

/// The DER items of a source: the blocks of PEM text labelled `label`, or
/// one DER item from hex. `bad` makes the loader's error for PEM that does
/// not hold such blocks.
fn der_items(
    field: &str,
    source: &DerSource,
    label: &str,
    bad: impl Fn(alloc::string::String) -> Error,
) -> Result<Vec<Vec<u8>>, Error> {
    match source {
        DerSource::Pem(text) => {
            let text = text.checked(&format!("{field}.pem"))?;
            crate::encoding::pem_blocks(text, label).map_err(|e| bad(e.reason))
        }
        DerSource::Der(hex) => {
            let field = format!("{field}.der");
            Ok(alloc::vec![hex_bytes(&field, hex.checked(&field)?)?])
        }
        DerSource::File(_) => Err(unresolved(&format!("{field}.file")).into()),
    }
}

fn json_text<'a>(field: &str, source: &'a JsonSource) -> Result<&'a str, Error> {
    match source {
        JsonSource::Json(text) => Ok(text.checked(&format!("{field}.json"))?),
        JsonSource::File(_) => Err(unresolved(&format!("{field}.file")).into()),
    }
}

/// The spec's limits, tightened as configured.
fn check_limits(limits: Option<&LimitsConfig>) -> Result<(Limits, ChainOptions), ConfigError> {
    let LimitsConfig {
        max_token_size,
        max_depth,
        max_items,
        max_map_entries,
        max_submod_depth,
        max_chain_len,
        max_cert_size,
    } = limits.copied().unwrap_or_default();
    let d = Limits::DEFAULT;
    let c = ChainOptions::DEFAULT;
    let limits = Limits {
        max_token_size: limit("limits.max-token-size", max_token_size, d.max_token_size)?,
        max_depth: limit("limits.max-depth", max_depth, d.max_depth)?,
        max_items: limit("limits.max-items", max_items, d.max_items)?,
        max_map_entries: limit("limits.max-map-entries", max_map_entries, d.max_map_entries)?,
        max_submod_depth: limit(
            "limits.max-submod-depth",
            max_submod_depth,
            d.max_submod_depth,
        )?,
    };
    let chain = ChainOptions {
        max_chain_len: limit("limits.max-chain-len", max_chain_len, c.max_chain_len)?,
        max_cert_size: limit("limits.max-cert-size", max_cert_size, c.max_cert_size)?,
        ..c
    };
    // Each limit was compared with its own default above; this is the
    // library's own statement of the same rule.
    if !limits.is_within_profile() || !chain.is_within_profile() {
        return Err(ConfigError::bad("limits", "looser than the profile's"));
    }
    Ok((limits, chain))
}

fn limit(field: &str, value: Option<usize>, max: usize) -> Result<usize, ConfigError> {
    match value {
        None => Ok(max),
        Some(0) => Err(ConfigError::bad(field, "must be at least 1")),
        Some(v) if v > max => Err(ConfigError::LooserThanProfile {
            field: field.to_string(),
            value: v as u64,
            max: max as u64,
        }),
        Some(v) => Ok(v),
    }
}

fn check_algorithms(names: Option<&[Text]>) -> Result<Vec<Algorithm>, ConfigError> {
    let Some(names) = names else {
        return Ok(Algorithm::ALL.to_vec());
    };
    if names.is_empty() {
        return Err(ConfigError::empty("allowed-algorithms"));
    }
    let mut out = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let field = format!("allowed-algorithms[{i}]");
        let name = name.checked(&field)?;
        let alg = Algorithm::ALL
            .into_iter()
            .find(|a| a.name() == name)
            .ok_or_else(|| {
                ConfigError::bad(&field, format!("unknown algorithm {name:?} (ES384, ES256)"))
            })?;
        if out.contains(&alg) {
            return Err(ConfigError::bad(field, format!("{name} is listed twice")));
        }
        out.push(alg);
    }
    Ok(out)
}

fn check_ear_profile(name: &Text) -> Result<EarProfile, ConfigError> {
    let name = name.checked("ear-profile")?;
    EarProfile::ALL
        .into_iter()
        .find(|p| p.name() == name)
        .ok_or_else(|| {
            let known: Vec<&str> = EarProfile::ALL.iter().map(|p| p.name()).collect();
            ConfigError::bad(
                "ear-profile",
                format!("unknown EAR profile {name:?} ({})", known.join(", ")),
            )
        })
}

#[cfg(feature = "std")]
fn with_chain_cache(chains: ChainVerifier, size: Option<usize>) -> Result<ChainVerifier, Error> {
    match size {
        Some(0) => Err(ConfigError::bad("chain-cache-size", "must be at least 1").into()),
        size => Ok(chains.with_cache(size.unwrap_or(DEFAULT_CHAIN_CACHE_SIZE))),
    }
}

#[cfg(not(feature = "std"))]
fn with_chain_cache(chains: ChainVerifier, size: Option<usize>) -> Result<ChainVerifier, Error> {
    match size {
        Some(_) => Err(ConfigError::unavailable(
            "chain-cache-size",
            "the chain cache needs the std feature",
        )
        .into()),
        None => Ok(chains),
    }
}

/// The in-memory replay cache, sized for the peak rate. (Replay stores
/// shared by several servers are given to the builder instead.)
#[cfg(feature = "std")]
fn with_replay_cache(
    builder: VerifierBuilder,
    replay: Option<&ReplayConfig>,
    freshness: Freshness,
) -> Result<VerifierBuilder, Error> {
    let ReplayConfig { peak_rate } = replay.copied().unwrap_or_default();
    let rate = match peak_rate {
        Some(0) => return Err(ConfigError::bad("replay.peak-rate", "must be at least 1").into()),
        rate => rate.unwrap_or(crate::appraisal::DEFAULT_REPLAY_PEAK_RATE),
    };
    let window = crate::appraisal::acceptance_window_secs(&freshness);
    Ok(
        builder.replay_cache(crate::appraisal::MemoryReplayCache::for_peak_rate(
            rate, window,
        )),
    )
}

#[cfg(not(feature = "std"))]
fn with_replay_cache(
    builder: VerifierBuilder,
    replay: Option<&ReplayConfig>,
    _freshness: Freshness,
) -> Result<VerifierBuilder, Error> {
    match replay {
        Some(_) => Err(ConfigError::unavailable(
            "replay",
            "the in-memory replay cache needs the std feature; give a ReplayCache to the builder",
        )
        .into()),
        None => Ok(builder),
    }
}

/// The provider a configuration names, or the build's default
/// ([`crypto::default_provider_name`]).
fn crypto_provider(name: Option<&Text>) -> Result<Box<dyn CryptoProvider>, Error> {
    let name = match name {
        Some(name) => name.checked("crypto")?,
        None => crypto::default_provider_name().ok_or_else(|| {
            ConfigError::unavailable(
                "crypto",
                "this build has no crypto provider (the rustcrypto or aws-lc feature)",
            )
        })?,
    };
    if !crypto::PROVIDER_NAMES.contains(&name) {
        return Err(ConfigError::bad(
            "crypto",
            format!(
                "unknown crypto provider {name:?} ({})",
                crypto::PROVIDER_NAMES.join(", ")
            ),
        )
        .into());
    }
    crypto::provider_by_name(name).ok_or_else(|| {
        ConfigError::unavailable(
            "crypto",
            format!("this build has no {name} provider (the {name} feature)"),
        )
        .into()
    })
}
