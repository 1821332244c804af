//! The relying party's entry point: configure once, then go from token
//! bytes to a verified claims set ([`Verifier::verify`]), from that to an
//! explained verdict ([`Verifier::appraise`]), or both in one call
//! ([`Verifier::verify_and_appraise`]).
//!
//! Verification runs in a fixed order (spec §9) and stops at the first
//! failure: the token envelope (`cbor.*`, `token.*`); the key — the x5chain
//! validated to the trust anchors, or the configured key — and the signature
//! (`chain.*`, `token.*`); only then the claims (`cbor.*`, `claims.*`), so
//! unauthenticated payloads are never interpreted; freshness against the
//! caller's challenge and clock (`freshness.*`); and last the replay cache
//! (`replay.*`), so only genuine, fresh tokens occupy it.
//!
//! ```
//! use mtattest::appraisal::{Policy, Preset, Status};
//! use mtattest::crypto::{Algorithm, SoftwareSigner};
//! use mtattest::token::issue;
//! use mtattest::verifier::{KeySource, Verifier};
//! use mtattest::UnixTime;
//! // A healthy phone's claims, from the test tooling (a device builds its
//! // own with `ClaimsSet::builder`).
//! use mtattest_testkit::example_phone;
//!
//! # fn main() -> Result<(), mtattest::Error> {
//! // The device.
//! let device_key = SoftwareSigner::from_secret_bytes(Algorithm::Es384, &[7; 48])?;
//! let now = UnixTime::from_secs(1_790_000_000);
//! let challenge = b"rp-challenge-0001";
//! let claims = example_phone(now.secs(), challenge.to_vec());
//! let token = issue(&claims, &device_key)?;
//!
//! // The relying party, configured once.
//! let verifier = Verifier::builder(KeySource::Key(device_key.public_key())).build();
//! let signer = claims.app.as_ref().unwrap().app_signers[0].clone();
//! let policy = Policy::preset(Preset::Payment, &[signer])?;
//!
//! let (verified, result) = verifier.verify_and_appraise(&token, Some(challenge), &policy, now)?;
//! assert_eq!(verified.claims(), &claims);
//! assert_eq!(result.status, Status::Affirming);
//! assert!(result.reasons.is_empty());
//!
//! // The same token again is a replay.
//! let err = verifier.verify(&token, Some(challenge), now).unwrap_err();
//! assert_eq!(err.code(), "replay.seen");
//! # Ok(())
//! # }
//! ```

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use crate::android::{self, AndroidEvidence, AndroidSettings, ChallengeMode};
use crate::appraisal::{
    self, AttestationResult, Bulletin, Context, EarProfile, Freshness, Policy, ReplayCache,
    ReplayError, ReplayId, ReplayPartition, VerifierId,
};
use crate::claims::ClaimsSet;
use crate::config::ConfigError;
use crate::crypto::{self, Algorithm, CryptoProvider, PublicKey};
use crate::error::Error;
use crate::limits::Limits;
use crate::time::UnixTime;
use crate::token::{DecodeOptions, Token};
use crate::trust::{ChainVerifier, ValidatedChain};

/// Where the verifier gets the key a token must be signed with.
#[derive(Debug)]
#[non_exhaustive]
pub enum KeySource {
    /// One key the relying party already trusts (provisioned out of band).
    Key(PublicKey),
    /// The token's x5chain, validated to trust anchors with revocation
    /// data (and a chain cache) as configured in the [`ChainVerifier`].
    Chain(Box<ChainVerifier>),
}

impl KeySource {
    /// Chain validation with `verifier` (boxed for you).
    pub fn chain(verifier: ChainVerifier) -> KeySource {
        KeySource::Chain(Box::new(verifier))
    }
}

/// How the token's key was established.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyCheck {
    /// The configured key ([`KeySource::Key`]).
    Configured,
    /// A chain validated to a trust anchor ([`KeySource::Chain`]).
    Chain(ValidatedChain),
}

/// A token that passed verification: its claims and what was checked.
///
/// Only [`Verifier::verify`] makes one, so appraisal never sees claims
/// that were not verified.
#[derive(Debug, Clone)]
pub struct Verified {
    claims: ClaimsSet,
    algorithm: Algorithm,
    key: KeyCheck,
    nonce_checked: bool,
    replay_checked: bool,
    verified_at: UnixTime,
    accept_until: UnixTime,
    android: Option<AndroidEvidence>,
}

impl Verified {
    /// The Android Key Attestation behind the token, when its x5chain ends
    /// at an Android anchor (spec §17): the attestation and its binding to
    /// the claims.
    pub fn android(&self) -> Option<&AndroidEvidence> {
        self.android.as_ref()
    }

    /// The verified claims.
    pub fn claims(&self) -> &ClaimsSet {
        &self.claims
    }

    /// The claims, by value.
    pub fn into_claims(self) -> ClaimsSet {
        self.claims
    }

    /// The token's signature algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// How the key was established (with the chain summary for x5chain).
    pub fn key(&self) -> &KeyCheck {
        &self.key
    }

    /// Whether `eat_nonce` was compared with the relying party's challenge.
    pub fn nonce_checked(&self) -> bool {
        self.nonce_checked
    }

    /// Whether the replay cache accepted the token.
    pub fn replay_checked(&self) -> bool {
        self.replay_checked
    }

    /// The verification time.
    pub fn verified_at(&self) -> UnixTime {
        self.verified_at
    }

    /// The last instant the token's times would still be accepted.
    pub fn accept_until(&self) -> UnixTime {
        self.accept_until
    }
}

/// A token verified up to the replay step (spec §9 step 12), from
/// [`Verifier::verify_deferring_replay`]: genuine and fresh, with the
/// identifiers a replay store must check and insert atomically. It gives
/// up its claims only through [`complete`](Self::complete) with the
/// store's answer (or [`check_with`](Self::check_with) a cache), so a
/// token whose replay check failed or never ran is never a [`Verified`]
/// that says it was checked.
#[derive(Debug, Clone)]
pub struct ReplayPending {
    verified: Verified,
    ids: Vec<ReplayId>,
    partition: ReplayPartition,
}

impl ReplayPending {
    /// The token's replay identifiers (spec §11.2): its `cti` and nonce,
    /// or its payload digest when it has neither.
    pub fn ids(&self) -> &[ReplayId] {
        &self.ids
    }

    /// The partition of the token's signer: every identifier above belongs
    /// to it (spec §11.2.2).
    pub fn partition(&self) -> ReplayPartition {
        self.partition
    }

    /// The deadline of the identifiers: the last instant the token's times
    /// are still accepted (spec §11.1).
    pub fn live_until(&self) -> UnixTime {
        self.verified.accept_until
    }

    /// The verification time.
    pub fn verified_at(&self) -> UnixTime {
        self.verified.verified_at
    }

    /// Completes verification with a replay store's answer for
    /// [`ids`](Self::ids): `Ok` (the identifiers were absent and are now
    /// held until [`live_until`](Self::live_until)) gives the verified
    /// token, marked replay-checked; a refusal is the verification's error
    /// (`replay.*`). Pass only what the store answered: a store that could
    /// not answer is `replay.store-unavailable`, never `Ok`.
    pub fn complete(self, store_answer: Result<(), ReplayError>) -> Result<Verified, Error> {
        store_answer?;
        Ok(Verified {
            replay_checked: true,
            ..self.verified
        })
    }

    /// Completes verification with `cache`'s check-and-insert.
    pub fn check_with(self, cache: &dyn ReplayCache) -> Result<Verified, Error> {
        let answer = cache.check_and_insert(&self.ids, self.live_until(), self.verified_at());
        self.complete(answer)
    }
}

/// Capacity of the default in-memory replay cache, in identifiers (a token
/// uses one or two): sized for
/// [`DEFAULT_REPLAY_PEAK_RATE`](appraisal::DEFAULT_REPLAY_PEAK_RATE)
/// tokens/s under the default freshness settings
/// ([`appraisal::replay_capacity`]).
pub const DEFAULT_REPLAY_CAPACITY: usize = appraisal::replay_capacity(
    appraisal::DEFAULT_REPLAY_PEAK_RATE,
    appraisal::DEFAULT_ACCEPTANCE_WINDOW_SECS,
);

/// Verifies tokens and appraises them, configured once.
pub struct Verifier {
    keys: KeySource,
    decode: DecodeOptions,
    freshness: Freshness,
    replay: Option<Box<dyn ReplayCache>>,
    /// `None` only in a build without any provider, until one is given:
    /// every token is then refused (`config.unavailable`).
    crypto: Option<Box<dyn CryptoProvider>>,
    verifier_id: VerifierId,
    bulletin: Option<Bulletin>,
    require_nonce: bool,
    policies: BTreeMap<String, Policy>,
    default_policy: Option<Policy>,
    ear_profile: EarProfile,
    android: AndroidSettings,
}

impl core::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Verifier")
            .field("keys", &self.keys)
            .field("decode", &self.decode)
            .field("freshness", &self.freshness)
            .field("replay_cache", &self.replay.is_some())
            .field("verifier_id", &self.verifier_id)
            .field("bulletin", &self.bulletin.is_some())
            .field("require_nonce", &self.require_nonce)
            .field("policies", &self.policies.keys().collect::<Vec<_>>())
            .field(
                "default_policy",
                &self.default_policy.as_ref().map(Policy::id),
            )
            .field("ear_profile", &self.ear_profile)
            .field("android", &self.android)
            .finish_non_exhaustive()
    }
}

/// Configures a [`Verifier`]; start with [`Verifier::builder`].
pub struct VerifierBuilder {
    verifier: Verifier,
}

impl VerifierBuilder {
    /// Allows only `algorithms` (default: ES384 and ES256).
    pub fn allowed_algorithms(mut self, algorithms: &[Algorithm]) -> Self {
        self.verifier.decode.allowed_algorithms = algorithms.to_vec();
        self
    }

    /// Decoding limits (default: the specification's). Tighter limits are
    /// allowed; looser ones make a verifier that accepts tokens outside the
    /// profile, which spec §8.1 forbids a conforming verifier
    /// ([`Limits::is_within_profile`] tells). The C, WASM and CLI front ends
    /// offer no way to loosen them.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.verifier.decode.limits = limits;
        self
    }

    /// Maximum token age and clock skew (default: 300 s and 60 s).
    pub fn freshness(mut self, freshness: Freshness) -> Self {
        self.verifier.freshness = freshness;
        self
    }

    /// Maximum token age, seconds.
    pub fn max_token_age(mut self, seconds: u32) -> Self {
        self.verifier.freshness.max_age_secs = seconds;
        self
    }

    /// Allowed clock skew, seconds.
    pub fn clock_skew(mut self, seconds: u32) -> Self {
        self.verifier.freshness.clock_skew_secs = seconds;
        self
    }

    /// Uses `cache` for replay protection (e.g. a store shared by several
    /// servers, or a [`MemoryReplayCache`](appraisal::MemoryReplayCache)
    /// sized with `for_peak_rate` for this verifier's rate and freshness).
    pub fn replay_cache(mut self, cache: impl ReplayCache + 'static) -> Self {
        self.verifier.replay = Some(Box::new(cache));
        self
    }

    /// Turns replay protection off (the caller guarantees single use some
    /// other way).
    pub fn without_replay_cache(mut self) -> Self {
        self.verifier.replay = None;
        self
    }

    /// Validates every chain and link anew, keeping no cache (a chain key
    /// source only): for a verifier whose provider's answers must not
    /// outlive the call, such as a dry run that answers provisionally.
    #[cfg(feature = "std")]
    pub fn without_chain_cache(mut self) -> Self {
        self.verifier.keys = match self.verifier.keys {
            KeySource::Chain(chains) => KeySource::chain(chains.without_cache()),
            keys => keys,
        };
        self
    }

    /// Uses `crypto` to check keys, verify signatures and hash (default:
    /// [`crypto::default_provider_name`], aws-lc wherever it is built).
    pub fn crypto(mut self, crypto: impl CryptoProvider + 'static) -> Self {
        self.verifier.crypto = Some(Box::new(crypto));
        self
    }

    /// As [`crypto`](Self::crypto), for a provider already boxed (e.g. by
    /// [`crypto::provider_by_name`]).
    pub fn boxed_crypto(mut self, crypto: Box<dyn CryptoProvider>) -> Self {
        self.verifier.crypto = Some(crypto);
        self
    }

    /// Names the verifier in results (`ear.verifier-id`).
    pub fn verifier_id(mut self, id: VerifierId) -> Self {
        self.verifier.verifier_id = id;
        self
    }

    /// Consults `bulletin` when appraising.
    pub fn bulletin(mut self, bulletin: Bulletin) -> Self {
        self.verifier.bulletin = Some(bulletin);
        self
    }

    /// Refuses a verification call that gives no challenge
    /// (`config.nonce-required`). Default: a challenge is optional.
    pub fn require_nonce(mut self, required: bool) -> Self {
        self.verifier.require_nonce = required;
        self
    }

    /// Adds (or replaces) the policy called `name`, for
    /// [`Verifier::policy`].
    pub fn policy(mut self, name: impl Into<String>, policy: Policy) -> Self {
        self.verifier.policies.insert(name.into(), policy);
        self
    }

    /// The policy of [`Verifier::default_policy`].
    pub fn default_policy(mut self, policy: Policy) -> Self {
        self.verifier.default_policy = Some(policy);
        self
    }

    /// The EAR form the front ends present results in (default: Veraison
    /// 2023).
    pub fn ear_profile(mut self, profile: EarProfile) -> Self {
        self.verifier.ear_profile = profile;
        self
    }

    /// How tokens whose x5chain ends at an Android anchor are checked
    /// (default: per-token challenges, at least a TEE, origin GENERATED).
    pub fn android(mut self, settings: AndroidSettings) -> Self {
        self.verifier.android = settings;
        self
    }

    /// The configured verifier.
    pub fn build(self) -> Verifier {
        self.verifier
    }
}

impl Verifier {
    /// Starts a configuration with the key source. With `std` the verifier
    /// has an in-memory replay cache sized for
    /// [`DEFAULT_REPLAY_PEAK_RATE`](appraisal::DEFAULT_REPLAY_PEAK_RATE)
    /// tokens/s under the default freshness ([`DEFAULT_REPLAY_CAPACITY`]
    /// identifiers) unless told otherwise; without `std` it has none until
    /// one is given.
    pub fn builder(keys: KeySource) -> VerifierBuilder {
        #[cfg(feature = "std")]
        let replay: Option<Box<dyn ReplayCache>> =
            Some(Box::new(appraisal::MemoryReplayCache::default()));
        #[cfg(not(feature = "std"))]
        let replay: Option<Box<dyn ReplayCache>> = None;
        VerifierBuilder {
            verifier: Verifier {
                keys,
                decode: DecodeOptions::default(),
                freshness: Freshness::DEFAULT,
                replay,
                crypto: crypto::default_provider_name().and_then(crypto::provider_by_name),
                verifier_id: VerifierId::default(),
                bulletin: None,
                require_nonce: false,
                policies: BTreeMap::new(),
                default_policy: None,
                ear_profile: EarProfile::default(),
                android: AndroidSettings::default(),
            },
        }
    }

    /// The freshness settings.
    pub fn freshness(&self) -> Freshness {
        self.freshness
    }

    /// The policy called `name` (`config.unknown-policy` if there is none).
    pub fn policy(&self, name: &str) -> Result<&Policy, Error> {
        self.policies
            .get(name)
            .ok_or_else(|| ConfigError::UnknownPolicy { name: name.into() }.into())
    }

    /// The names of the configured policies.
    pub fn policy_names(&self) -> impl Iterator<Item = &str> {
        self.policies.keys().map(String::as_str)
    }

    /// The policy for calls that name none. A verifier built from a
    /// [`VerifierConfig`](crate::config::VerifierConfig) always has one
    /// (without configured policies: one without rules, so status `none`,
    /// action `deny`).
    pub fn default_policy(&self) -> Option<&Policy> {
        self.default_policy.as_ref()
    }

    /// The EAR form results are presented in.
    pub fn ear_profile(&self) -> EarProfile {
        self.ear_profile
    }

    /// The counters of the chain cache, when the key source is a chain
    /// verifier with a cache.
    #[cfg(feature = "std")]
    pub fn chain_cache_stats(&self) -> Option<crate::trust::CacheStats> {
        match &self.keys {
            KeySource::Chain(chains) => chains.cache_stats(),
            KeySource::Key(_) => None,
        }
    }

    /// The counters of the link cache (spec §10.6), when the key source is
    /// a chain verifier with caches.
    #[cfg(feature = "std")]
    pub fn link_cache_stats(&self) -> Option<crate::trust::CacheStats> {
        match &self.keys {
            KeySource::Chain(chains) => chains.link_cache_stats(),
            KeySource::Key(_) => None,
        }
    }

    /// The arguments of a call, checked before anything is verified: an
    /// empty challenge is `config.empty` (never "no challenge"), a missing
    /// one `config.nonce-required` when the verifier requires one. Its
    /// length is checked with the token's freshness (spec §9 step 11).
    fn check_call(
        &self,
        expected_nonce: Option<&[u8]>,
        enrolment_challenge: Option<&[u8]>,
    ) -> Result<(), ConfigError> {
        match expected_nonce {
            Some([]) => return Err(ConfigError::empty("nonce")),
            None if self.require_nonce => return Err(ConfigError::NonceRequired),
            _ => {}
        }
        match enrolment_challenge {
            Some([]) => Err(ConfigError::empty("enrolment challenge")),
            None if self.android.challenge == ChallengeMode::Enrolled => {
                Err(ConfigError::EnrolmentChallengeRequired)
            }
            _ => Ok(()),
        }
    }

    /// The Android settings.
    pub fn android_settings(&self) -> AndroidSettings {
        self.android
    }

    /// Verifies a token at `now`: envelope, key, signature, claims,
    /// freshness (against `expected_nonce`, the challenge the relying party
    /// issued, if it issued one) and replay.
    ///
    /// Before anything is verified the call itself is checked (`config.*`,
    /// spec §9): an empty challenge, or none when the verifier requires one.
    pub fn verify(
        &self,
        token: &[u8],
        expected_nonce: Option<&[u8]>,
        now: UnixTime,
    ) -> Result<Verified, Error> {
        self.verify_with_enrolment(token, expected_nonce, None, now)
    }

    /// As [`verify`](Self::verify), for a verifier in enrolled-key mode
    /// (spec §17.6): `enrolment_challenge` is the challenge the relying
    /// party issued when it enrolled the device's key, which the key's
    /// KeyDescription must carry. In that mode a call without it is
    /// `config.enrolment-challenge-required`; an empty one `config.empty`.
    pub fn verify_with_enrolment(
        &self,
        token: &[u8],
        expected_nonce: Option<&[u8]>,
        enrolment_challenge: Option<&[u8]>,
        now: UnixTime,
    ) -> Result<Verified, Error> {
        let pending =
            self.verify_enrolled_deferring_replay(token, expected_nonce, enrolment_challenge, now)?;
        match &self.replay {
            Some(cache) => pending.check_with(cache.as_ref()),
            None => Ok(pending.verified),
        }
    }

    /// Verifies a token at `now` like [`verify`](Self::verify) up to, but
    /// not including, the replay step (spec §9 step 12), which the caller
    /// completes with a store of its own — typically an asynchronous one
    /// shared by several servers — through [`ReplayPending`]. The
    /// verifier's own replay cache, if it has one, is not consulted.
    ///
    /// ```
    /// use mtattest::appraisal::{MemoryReplayCache, ReplayCache as _};
    /// use mtattest_testkit::example_phone;
    /// use mtattest::crypto::{Algorithm, SoftwareSigner};
    /// use mtattest::token::issue;
    /// use mtattest::verifier::{KeySource, Verifier};
    /// use mtattest::UnixTime;
    ///
    /// # fn main() -> Result<(), mtattest::Error> {
    /// let device_key = SoftwareSigner::from_secret_bytes(Algorithm::Es384, &[7; 48])?;
    /// let now = UnixTime::from_secs(1_790_000_000);
    /// let challenge = b"rp-challenge-0001";
    /// let token = issue(&example_phone(now.secs(), challenge.to_vec()), &device_key)?;
    /// let verifier = Verifier::builder(KeySource::Key(device_key.public_key()))
    ///     .without_replay_cache()
    ///     .build();
    /// let store = MemoryReplayCache::new(1000); // stands for a shared store
    ///
    /// let pending = verifier.verify_deferring_replay(&token, Some(challenge), now)?;
    /// // The store's answer for these identifiers completes verification.
    /// let answer = store.check_and_insert(pending.ids(), pending.live_until(), now);
    /// let verified = pending.complete(answer)?;
    /// assert!(verified.replay_checked());
    ///
    /// let again = verifier.verify_deferring_replay(&token, Some(challenge), now)?;
    /// let answer = store.check_and_insert(again.ids(), again.live_until(), now);
    /// assert_eq!(again.complete(answer).unwrap_err().code(), "replay.seen");
    /// # Ok(())
    /// # }
    /// ```
    pub fn verify_deferring_replay(
        &self,
        token: &[u8],
        expected_nonce: Option<&[u8]>,
        now: UnixTime,
    ) -> Result<ReplayPending, Error> {
        self.verify_enrolled_deferring_replay(token, expected_nonce, None, now)
    }

    /// As [`verify_deferring_replay`](Self::verify_deferring_replay), for a
    /// verifier in enrolled-key mode (spec §17.6), with the enrolment
    /// challenge of [`verify_with_enrolment`](Self::verify_with_enrolment).
    pub fn verify_enrolled_deferring_replay(
        &self,
        token: &[u8],
        expected_nonce: Option<&[u8]>,
        enrolment_challenge: Option<&[u8]>,
        now: UnixTime,
    ) -> Result<ReplayPending, Error> {
        self.check_call(expected_nonce, enrolment_challenge)?;
        let crypto = self.crypto.as_deref().ok_or_else(|| {
            ConfigError::unavailable(
                "crypto",
                "this build has no crypto provider: give one to the builder",
            )
        })?;
        let token = Token::decode(token, &self.decode)?;
        let mut android_leaf = None;
        let (claims, key, signer): (ClaimsSet, KeyCheck, PublicKey) = match &self.keys {
            KeySource::Key(k) => (
                token.verified_claims(k, crypto)?,
                KeyCheck::Configured,
                k.clone(),
            ),
            KeySource::Chain(chains) => {
                // §17.4 step 1 comes before the path, so that a chain
                // extended below an attested key has its own code.
                if chains.anchors().iter_profiles().any(|p| p.is_android()) {
                    if let Some((_, x5chain)) = token.x5chain() {
                        android_leaf = Some(android::check_placement(x5chain, chains)?);
                    }
                }
                let (chain, claims) = chains.verify_chain_and_signature(&token, now, crypto)?;
                let signer = chain.leaf_key().clone();
                let is_android = chains
                    .anchors()
                    .profile(chain.anchor_index())
                    .is_some_and(|p| p.is_android());
                if !is_android {
                    android_leaf = None;
                }
                (claims, KeyCheck::Chain(chain), signer)
            }
        };
        let android = match (android_leaf, &key) {
            (Some(leaf_extension), KeyCheck::Chain(chain)) => {
                Some(self.android_evidence(leaf_extension, chain, &claims, enrolment_challenge)?)
            }
            _ => None,
        };
        self.freshness.check(&claims, expected_nonce, now)?;
        let accept_until = self.freshness.accept_until(&claims);
        let ids = ReplayId::for_token(
            &signer,
            claims.cti.as_ref().map(|c| c.as_bytes()),
            claims.nonce.as_ref().map(|n| n.as_bytes()),
            token.payload(),
            crypto,
        );
        Ok(ReplayPending {
            ids,
            partition: ReplayPartition::of(&signer, crypto),
            verified: Verified {
                claims,
                algorithm: token.algorithm(),
                key,
                nonce_checked: expected_nonce.is_some(),
                replay_checked: false,
                verified_at: now,
                accept_until,
                android,
            },
        })
    }

    /// §17.4 steps 4–6 and §17.6 for a token whose path ends at an Android
    /// anchor, then the binding of §17.5.
    fn android_evidence(
        &self,
        leaf_extension: Option<Vec<u8>>,
        chain: &ValidatedChain,
        claims: &ClaimsSet,
        enrolment_challenge: Option<&[u8]>,
    ) -> Result<AndroidEvidence, Error> {
        let attestation = android::AndroidAttestation {
            key_description: android::read_key_description(leaf_extension)?,
            leaf_key: Some(chain.leaf_key().clone()),
            leaf_serial: chain.leaf_serial().into(),
            anchor_index: chain.anchor_index(),
            path_len: chain.path_len(),
            valid_from: chain.valid_from(),
            valid_until: chain.valid_until(),
        };
        attestation.check(&self.android.rules)?;
        let challenge = attestation.key_description.attestation_challenge.as_slice();
        let (expected, what): (Option<&[u8]>, &'static str) = match self.android.challenge {
            ChallengeMode::PerToken => (
                claims.nonce.as_ref().map(|n| n.as_bytes()),
                "token's eat_nonce",
            ),
            ChallengeMode::Enrolled => (enrolment_challenge, "enrolment challenge"),
        };
        if expected != Some(challenge) {
            return Err(android::AndroidError::ChallengeMismatch { expected: what }.into());
        }
        let binding = android::bind(claims, &attestation);
        Ok(AndroidEvidence {
            attestation,
            binding,
        })
    }

    /// Appraises verified claims under `policy` (and the configured
    /// bulletin) at `now`. Appraisal cannot fail: the policy was checked
    /// when it was loaded.
    pub fn appraise(
        &self,
        verified: &Verified,
        policy: &Policy,
        now: UnixTime,
    ) -> AttestationResult {
        let ctx = Context {
            nonce_checked: verified.nonce_checked,
            bulletin: self.bulletin.as_ref(),
            verifier_id: &self.verifier_id,
            android: verified.android.as_ref(),
        };
        appraisal::appraise(&verified.claims, policy, &ctx, now)
    }

    /// Appraises verified claims under the policy called `policy`, or the
    /// default policy when `policy` is `None` (`config.unknown-policy` if
    /// there is no such policy).
    pub fn appraise_with(
        &self,
        verified: &Verified,
        policy: Option<&str>,
        now: UnixTime,
    ) -> Result<AttestationResult, Error> {
        let policy = match policy {
            Some(name) => self.policy(name)?,
            None => self
                .default_policy()
                .ok_or_else(|| ConfigError::UnknownPolicy {
                    name: "(the default policy)".into(),
                })?,
        };
        Ok(self.appraise(verified, policy, now))
    }

    /// Verifies and appraises in one call: the verified token (its claims,
    /// what was checked) together with the verdict on it.
    pub fn verify_and_appraise(
        &self,
        token: &[u8],
        expected_nonce: Option<&[u8]>,
        policy: &Policy,
        now: UnixTime,
    ) -> Result<(Verified, AttestationResult), Error> {
        let verified = self.verify(token, expected_nonce, now)?;
        let result = self.appraise(&verified, policy, now);
        Ok((verified, result))
    }
}

/// The length of the challenges [`new_challenge`] makes: 32 bytes, within
/// the profile's 8..=64 (spec §11.1) and beyond guessing.
pub const CHALLENGE_LEN: usize = 32;

/// A fresh challenge (nonce) for one attestation, from the operating
/// system's random source: send it to the device, then pass it to
/// [`Verifier::verify`] as the expected nonce. Fails only if the system
/// has no random source to give (never a predictable fallback).
///
/// ```
/// let a = mtattest::new_challenge().unwrap();
/// let b = mtattest::new_challenge().unwrap();
/// assert_eq!(a.len(), mtattest::verifier::CHALLENGE_LEN);
/// assert_ne!(a, b);
/// ```
#[cfg(all(
    feature = "std",
    not(all(target_arch = "wasm32", target_os = "unknown"))
))]
pub fn new_challenge() -> std::io::Result<[u8; CHALLENGE_LEN]> {
    let mut challenge = [0u8; CHALLENGE_LEN];
    getrandom::getrandom(&mut challenge).map_err(std::io::Error::from)?;
    Ok(challenge)
}

#[cfg(all(test, feature = "rustcrypto"))]
mod tests {
    use super::*;
    use crate::crypto::SoftwareSigner;

    /// A verifier without a provider (a build with none, until one is
    /// given) refuses every token before reading it.
    #[test]
    fn without_a_provider_every_token_is_refused() {
        let key = SoftwareSigner::from_secret_bytes(Algorithm::Es384, &[7; 48]).unwrap();
        let claims = crate::claims::ClaimsSet::builder(1_790_000_000)
            .nonce(b"challenge".to_vec())
            .unwrap()
            .build();
        let token = crate::token::issue(&claims, &key).unwrap();
        let now = UnixTime::from_secs(1_790_000_000);
        let mut verifier = Verifier::builder(KeySource::Key(key.public_key())).build();
        verifier.crypto = None;
        let err = verifier
            .verify(&token, Some(b"challenge"), now)
            .unwrap_err();
        assert_eq!(err.code(), "config.unavailable");
        let verifier = Verifier::builder(KeySource::Key(key.public_key()))
            .boxed_crypto(Box::new(crypto::RustCrypto))
            .build();
        assert!(verifier.verify(&token, Some(b"challenge"), now).is_ok());
    }
}
