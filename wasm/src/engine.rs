//! The bindings' logic in plain Rust (no JS types), so that it builds and is
//! tested on the host as well as on wasm32. `lib.rs` wraps it for JS.
//!
//! Everything here returns `serde_json::Value`s in the shape the JS API
//! documents (camelCase members), or a [`Failure`] with a stable error code.
//! The `options` object becomes the library's `VerifierConfig`
//! ([`crate::options`]), which the library checks.

use ciborium::value::Value as Cbor;
use mtattest::appraisal::{AttestationResult, EarProfile, Status};
use mtattest::claims::{render_text, ClaimsSet, ClaimsText};
use mtattest::config::VerifierConfig;
use mtattest::crypto::{self, CryptoProvider};
use mtattest::diag;
use mtattest::inspect::{bucket_name, certificate_summary, CertSummary};
use mtattest::token::{DecodeOptions, HeaderPlacement, Token};
use mtattest::verifier::{KeyCheck, Verified, Verifier};
use mtattest::{Limits, UnixTime};
use serde_json::{json, Map, Value as Json};

use crate::options::{self, Call};
use crate::webcrypto::{Answer, Asked, Exchange, Mode, Slot, WebCryptoProvider};

/// A call that could not run (nothing was verified): a stable error code
/// (spec §13; `config.*` for the options and the call's arguments) and a
/// message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The stable code.
    pub code: String,
    /// What went wrong, for people.
    pub message: String,
}

impl From<mtattest::Error> for Failure {
    fn from(e: mtattest::Error) -> Failure {
        Failure {
            code: e.code().to_string(),
            message: e.to_string(),
        }
    }
}

/// The library version.
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// A configured verifier: what one `Verifier` object of the JS API holds.
/// It keeps one replay cache and one chain cache across its calls, as a
/// relying party would; the time and the challenge are given per call.
///
/// Its signatures are checked by the build's synchronous provider
/// ([`verify`](Self::verify); none in the verify-only build) or by
/// WebCrypto ([`verification`](Self::verification), see
/// [`crate::webcrypto`]), with the same caches: whatever either path
/// cached, it verified.
pub struct Session {
    /// The verifier whose results count: caches, replay cache; its
    /// provider answers from WebCrypto's record while a call's exchange is
    /// lent, else from the synchronous provider.
    verifier: Verifier,
    /// The dry runs' verifier: the same configuration without any state
    /// (no replay cache, no chain or link cache), answering provisionally.
    dry: Verifier,
    slot: Slot,
    synchronous: bool,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("verifier", &self.verifier)
            .field("synchronous", &self.synchronous)
            .finish_non_exhaustive()
    }
}

/// The provider the configuration names (or the build's default), for
/// synchronous calls: `None` in the verify-only build.
fn synchronous_provider(config: &VerifierConfig) -> Option<Box<dyn CryptoProvider>> {
    let name = match &config.crypto {
        Some(name) => Some(name.as_written()),
        None => crypto::default_provider_name(),
    };
    name.and_then(crypto::provider_by_name)
}

fn no_synchronous_provider() -> Failure {
    Failure {
        code: "config.unavailable".into(),
        message: "crypto: this build verifies with WebCrypto only: use createVerifier and \
                  verifyAsync"
            .into(),
    }
}

/// How a session's verifiers are made: `once` for a verifier of one call
/// (no replay cache).
#[derive(Debug, Clone, Copy)]
struct Build<'a> {
    config: &'a VerifierConfig,
    once: bool,
}

impl Build<'_> {
    fn verifier(&self, slot: &Slot, mode: Mode) -> Result<Verifier, Failure> {
        let provider = WebCryptoProvider::new(
            slot.clone(),
            mode,
            Box::new(crypto::Sha2),
            synchronous_provider(self.config),
        );
        let mut builder = self.config.builder_with_crypto(Box::new(provider))?;
        if self.once || mode == Mode::Recording {
            builder = builder.without_replay_cache();
        }
        if mode == Mode::Recording {
            builder = builder.without_chain_cache();
        }
        Ok(builder.build())
    }

    /// The session, its anchors' keys checked by the synchronous provider.
    fn synchronous(&self) -> Result<Session, Failure> {
        if synchronous_provider(self.config).is_none() {
            // The configuration's own problems first (a `crypto` naming a
            // provider this build lacks is one).
            self.config.check_contents()?;
            return Err(no_synchronous_provider());
        }
        let slot = Slot::new();
        Ok(Session {
            verifier: self.verifier(&slot, Mode::Answering)?,
            dry: self.verifier(&slot, Mode::Recording)?,
            slot,
            synchronous: true,
        })
    }

    /// The session, its anchors' keys checked by WebCrypto's answers in
    /// `exchange`.
    fn answered(&self, exchange: Exchange) -> Result<Session, Failure> {
        let slot = Slot::new();
        let (verifiers, _, _) = slot.lend(exchange, || {
            Ok::<_, Failure>((
                self.verifier(&slot, Mode::Answering)?,
                self.verifier(&slot, Mode::Recording)?,
            ))
        });
        let (verifier, dry) = verifiers?;
        Ok(Session {
            verifier,
            dry,
            slot,
            synchronous: synchronous_provider(self.config).is_some(),
        })
    }
}

impl Session {
    /// Configures a verifier from a PEM bundle of trust anchors and the
    /// options object (see the crate docs for its members), with the
    /// build's synchronous provider (`config.unavailable` in the
    /// verify-only build: see [`Construction`]).
    pub fn new(anchors_pem: &str, options: &Json) -> Result<Session, Failure> {
        let config = options::config(anchors_pem, options)?;
        Build {
            config: &config,
            once: false,
        }
        .synchronous()
    }

    /// Configures a verifier from a whole configuration in its JSON form
    /// (docs/configuration.md; data only, no file references).
    pub fn from_config(config_json: &[u8]) -> Result<Session, Failure> {
        let config = VerifierConfig::from_json(config_json)?;
        Build {
            config: &config,
            once: false,
        }
        .synchronous()
    }

    /// Verifies (and appraises under the default policy) one token with
    /// the call's `{time, nonce}`, with the synchronous provider. A refused
    /// token is a result with status `invalid` and its error code; a call
    /// that cannot run (bad arguments; no synchronous provider in this
    /// build) is a [`Failure`], and nothing was verified.
    pub fn verify(&self, token: &[u8], call: &Json) -> Result<Json, Failure> {
        let call = options::call(call)?;
        if !self.synchronous {
            return Err(no_synchronous_provider());
        }
        self.verify_call(&self.verifier, token, &call)
    }

    /// A verification whose signatures WebCrypto checks: drive it with
    /// [`Rounds`], then [`Verification::finish`].
    pub fn verification(&self, token: &[u8], call: &Json) -> Result<Verification<'_>, Failure> {
        Ok(Verification {
            session: self,
            token: token.to_vec(),
            call: options::call(call)?,
            exchange: Exchange::new(),
        })
    }

    /// As [`verification`](Self::verification), with the call already
    /// read (by [`once_with_webcrypto`]).
    pub fn verification_of(&self, token: &[u8], call: Call) -> Verification<'_> {
        Verification {
            session: self,
            token: token.to_vec(),
            call,
            exchange: Exchange::new(),
        }
    }

    /// The chain and link caches' counters (`[chain, link]`), to show
    /// what a call changed.
    pub fn cache_stats(&self) -> [Option<mtattest::trust::CacheStats>; 2] {
        [
            self.verifier.chain_cache_stats(),
            self.verifier.link_cache_stats(),
        ]
    }

    fn verify_call(&self, verifier: &Verifier, token: &[u8], call: &Call) -> Result<Json, Failure> {
        let chain = chain_of(token);
        let now = call.now;
        let verified = match verifier.verify_with_enrolment(
            token,
            call.nonce.as_deref(),
            call.enrolment_challenge.as_deref(),
            now,
        ) {
            Err(e @ mtattest::Error::Config(_)) => return Err(e.into()),
            Err(e) => {
                return Ok(json!({
                    "status": "invalid",
                    "action": mtattest::appraisal::Action::FOR_REJECTED_TOKEN.name(),
                    "errorCode": e.code(),
                    "message": e.to_string(),
                    "claims": Json::Null,
                    "layers": [],
                    "reasons": [],
                    "ear": Json::Null,
                    "chain": chain,
                    "key": Json::Null,
                    "android": Json::Null,
                    "verifiedAt": now.secs(),
                }))
            }
            Ok(verified) => verified,
        };
        let result = verifier.appraise_with(&verified, None, now)?;
        Ok(valid_result(
            &verified,
            &result,
            chain,
            now,
            verifier.ear_profile(),
        ))
    }
}

/// A computation whose questions WebCrypto answers, asynchronously, round
/// by round: [`dry_run`](Self::dry_run) gives the next questions (`None`
/// when none is left), [`record`](Self::record) takes the answers.
pub trait Rounds {
    /// The questions of the next dry run that are not answered yet, with
    /// their provisional answers; `None` when the final run may start.
    fn dry_run(&mut self) -> Option<Vec<Asked>>;

    /// WebCrypto's answers to the questions of the last dry run, in order.
    fn record(&mut self, asked: Vec<Asked>, answers: Vec<Answer>);

    /// Runs every round with a synchronous `answer` (tests, benchmarks).
    fn settle_with(&mut self, mut answer: impl FnMut(&[Asked]) -> Vec<Answer>) {
        while let Some(asked) = self.dry_run() {
            let answers = answer(&asked);
            self.record(asked, answers);
        }
    }
}

fn next_questions(
    exchange: &mut Exchange,
    run: impl FnOnce(Exchange) -> (Exchange, Vec<Asked>),
) -> Option<Vec<Asked>> {
    if !exchange.needs_dry_run() {
        return None;
    }
    let (done, asked) = run(std::mem::take(exchange));
    *exchange = done;
    exchange.count_dry_run(asked.is_empty());
    (!asked.is_empty()).then_some(asked)
}

/// One token's verification through WebCrypto (see [`crate::webcrypto`]).
#[derive(Debug)]
pub struct Verification<'s> {
    session: &'s Session,
    token: Vec<u8>,
    call: Call,
    exchange: Exchange,
}

impl Rounds for Verification<'_> {
    fn dry_run(&mut self) -> Option<Vec<Asked>> {
        let session = self.session;
        let (token, call) = (&self.token, &self.call);
        next_questions(&mut self.exchange, |exchange| {
            // The dry run's result is only a way to its questions: dropped.
            let (_, exchange, asked) = session
                .slot
                .lend(exchange, || session.verify_call(&session.dry, token, call));
            (exchange, asked)
        })
    }

    fn record(&mut self, asked: Vec<Asked>, answers: Vec<Answer>) {
        self.exchange.record(asked, answers);
    }
}

impl Verification<'_> {
    /// The final run: the session's verifier, its caches and replay cache,
    /// with WebCrypto's answers; a question without one is refused. The
    /// result is the synchronous [`Session::verify`]'s in every member.
    pub fn finish(self) -> Result<Json, Failure> {
        let Verification {
            session,
            token,
            call,
            exchange,
        } = self;
        let (result, _, _) = session.slot.lend(exchange, || {
            session.verify_call(&session.verifier, &token, &call)
        });
        result
    }
}

/// A verifier's configuration whose anchors' keys WebCrypto checks (the
/// JS `createVerifier`): drive it with [`Rounds`], then
/// [`finish`](Self::finish).
#[derive(Debug)]
pub struct Construction {
    config: VerifierConfig,
    once: bool,
    exchange: Exchange,
}

impl Construction {
    /// From a PEM bundle of trust anchors and the options object.
    pub fn new(anchors_pem: &str, options: &Json) -> Result<Construction, Failure> {
        Ok(Construction {
            config: options::config(anchors_pem, options)?,
            once: false,
            exchange: Exchange::new(),
        })
    }

    /// From a whole configuration in its JSON form.
    pub fn from_config(config_json: &[u8]) -> Result<Construction, Failure> {
        Ok(Construction {
            config: VerifierConfig::from_json(config_json)?,
            once: false,
            exchange: Exchange::new(),
        })
    }

    /// The configured session.
    pub fn finish(self) -> Result<Session, Failure> {
        Build {
            config: &self.config,
            once: self.once,
        }
        .answered(self.exchange)
    }
}

impl Rounds for Construction {
    fn dry_run(&mut self) -> Option<Vec<Asked>> {
        let build = Build {
            config: &self.config,
            once: self.once,
        };
        next_questions(&mut self.exchange, |exchange| {
            let slot = Slot::new();
            let (_, exchange, asked) =
                slot.lend(exchange, || build.verifier(&slot, Mode::Recording));
            (exchange, asked)
        })
    }

    fn record(&mut self, asked: Vec<Asked>, answers: Vec<Answer>) {
        self.exchange.record(asked, answers);
    }
}

/// The one-shot `verify(token, anchorsPem, options)`: `options` holds the
/// configuration and the call's `time` and `nonce`. The verifier lives for
/// this call only, so it has no replay cache (the result says
/// `replayChecked: false`): a relying party that needs replay protection
/// keeps a [`Session`] (a JS `Verifier`).
pub fn verify_once(token: &[u8], anchors_pem: &str, options: &Json) -> Result<Json, Failure> {
    let (call, rest) = options::split_call(options)?;
    let config = options::config(anchors_pem, &rest)?;
    let session = Build {
        config: &config,
        once: true,
    }
    .synchronous()?;
    session.verify_call(&session.verifier, token, &call)
}

/// The one-shot verification through WebCrypto (JS `verifyAsync(token,
/// anchorsPem, options)`): a [`Construction`] for one call (no replay
/// cache), then its [`Verification`].
pub fn once_with_webcrypto(
    anchors_pem: &str,
    options: &Json,
) -> Result<(Construction, Call), Failure> {
    let (call, rest) = options::split_call(options)?;
    let construction = Construction {
        config: options::config(anchors_pem, &rest)?,
        once: true,
        exchange: Exchange::new(),
    };
    Ok((construction, call))
}

fn valid_result(
    verified: &Verified,
    result: &AttestationResult,
    chain: Json,
    now: UnixTime,
    ear_profile: EarProfile,
) -> Json {
    let claims = verified.claims().to_json();
    let message = if result.status == Status::None {
        format!(
            "valid token; policy {}: nothing appraised (status none)",
            result.policy_id
        )
    } else if result.reasons.is_empty() {
        format!(
            "valid token; every rule of policy {} passed",
            result.policy_id
        )
    } else {
        format!(
            "valid token; policy {}: {} reason(s)",
            result.policy_id,
            result.reasons.len()
        )
    };
    let key = match verified.key() {
        KeyCheck::Configured => json!({"kind": "configured"}),
        KeyCheck::Chain(c) => json!({
            "kind": "x5chain",
            "anchorIndex": c.anchor_index(),
            "pathLength": c.path_len(),
            "leafSerial": c.leaf_serial(),
            "validFrom": c.valid_from().secs(),
            "validUntil": c.valid_until().secs(),
        }),
        other => json!({"kind": format!("{other:?}")}),
    };
    json!({
        "status": result.status.name(),
        "action": result.action.name(),
        "policyId": result.policy_id,
        "errorCode": Json::Null,
        "message": message,
        "algorithm": verified.algorithm().name(),
        "nonceChecked": verified.nonce_checked(),
        "replayChecked": verified.replay_checked(),
        "claims": claims,
        "layers": layers(&claims, Some(result)),
        "reasons": reasons(result),
        "ear": result.to_json_value_as(ear_profile),
        "chain": chain,
        "key": key,
        // The Android attestation behind the token (spec §17), if any.
        "android": verified.android().map(mtattest::android::evidence_json),
        "claimsText": render_text(verified.claims()),
        "claimsView": claims_view(verified.claims()),
        "verifiedAt": now.secs(),
    })
}

/// The claims grouped by layer: `device` (the top-level claims, without
/// `submods`), then each layer submodule, with its evidence source and,
/// after appraisal, its status.
fn layers(claims: &Json, result: Option<&AttestationResult>) -> Json {
    let mut out = Vec::new();
    let mut device: Map<String, Json> = claims.as_object().cloned().unwrap_or_default();
    let submods = device.remove("submods");
    out.push(json!({
        "name": "device",
        "evidenceSource": Json::Null,
        "status": result.map(|r| r.status.name()),
        "claims": Json::Object(device),
    }));
    if let Some(Json::Object(submods)) = submods {
        // Bottom up (chip, boot, os, app, runtime, network), then unknown names.
        let mut submods: Vec<(String, Json)> = submods.into_iter().collect();
        submods.sort_by_key(|(name, _)| {
            mtattest::claims::Layer::ALL
                .iter()
                .position(|l| l.name() == name)
                .unwrap_or(usize::MAX)
        });
        for (name, body) in submods {
            let status = result.and_then(|r| {
                r.layers
                    .iter()
                    .find(|l| l.layer.name() == name)
                    .map(|l| l.status.name())
            });
            out.push(json!({
                "name": name,
                "evidenceSource": body.get("evidence-source").cloned().unwrap_or(Json::Null),
                "status": status,
                "claims": body,
            }));
        }
    }
    Json::Array(out)
}

/// `claimsText` as data ([`ClaimsText`]), for the page's layer cards:
/// `groups` (`layer`: null for the top level, then each layer name;
/// `reported`; `evidenceSource`; `lines`: `[{name, value}]`) and `unknown`
/// (the paths of the unknown claims).
fn claims_view(claims: &ClaimsSet) -> Json {
    let text = ClaimsText::of(claims);
    let groups: Vec<Json> = text
        .groups
        .iter()
        .map(|g| {
            let lines: Vec<Json> = g
                .lines
                .iter()
                .map(|(name, value)| json!({"name": name, "value": value}))
                .collect();
            json!({
                "layer": g.layer.map(|l| l.name()),
                "reported": g.reported,
                "evidenceSource": g.evidence_source,
                "lines": lines,
            })
        })
        .collect();
    json!({"groups": groups, "unknown": text.unknown})
}

fn reasons(result: &AttestationResult) -> Vec<Json> {
    result
        .reasons
        .iter()
        .map(|r| {
            json!({
                "rule": r.rule,
                "claim": r.claim,
                "layer": r.layer().map(|l| l.name()),
                "failure": r.failure.name(),
                "status": r.status.name(),
                "seen": r.seen,
                "required": r.required,
                "advisory": r.advisory,
                "evidenceSource": r.evidence_source.map(|s| s.name()),
                "effectiveSource": r.effective_source.map(|s| s.name()),
                "minSource": r.min_source.map(|s| s.name()),
            })
        })
        .collect()
}

/// The token's x5chain as the strict decoder read it, for display:
/// subject, issuer, serial and validity of each certificate; empty when
/// there is none or the envelope does not decode.
fn chain_of(token: &[u8]) -> Json {
    let Ok(t) = Token::decode(token, &DecodeOptions::default()) else {
        return json!([]);
    };
    match t.x5chain() {
        Some((placement, certs)) => Json::Array(
            certs
                .iter()
                .map(|c| cert_json(&certificate_summary(c), placement))
                .collect(),
        ),
        None => json!([]),
    }
}

fn cert_json(summary: &Result<CertSummary, String>, placement: HeaderPlacement) -> Json {
    match summary {
        Ok(c) => json!({
            "subject": c.subject,
            "issuer": c.issuer,
            "serial": c.serial,
            "notBefore": c.not_before,
            "notAfter": c.not_after,
            "header": bucket_name(placement),
        }),
        Err(e) => json!({
            "error": format!("not a certificate: {e}"),
            "header": bucket_name(placement),
        }),
    }
}

fn diagnostic(value: Option<&Cbor>) -> Option<String> {
    value.map(|v| diag::render(v, &diag::Limits::DEFAULT))
}

/// The decoded, unverified view of a token ([`mtattest::inspect`]):
/// envelope, headers, chain (as read leniently, so also when the strict
/// decoder refuses the envelope), claims and the CBOR diagnostic notation.
/// Never fails: what does not decode is listed in `problems`.
pub fn inspect(token: &[u8]) -> Json {
    let view = mtattest::inspect::inspect(token);
    let chain: Vec<Json> = view
        .x5chain
        .as_ref()
        .map(|chain| {
            chain
                .certificates
                .iter()
                .map(|c| cert_json(&c.summary, chain.bucket))
                .collect()
        })
        .unwrap_or_default();
    let problems: Vec<Json> = view
        .problems
        .iter()
        .map(|p| json!({"stage": p.stage.name(), "code": p.code, "message": p.message}))
        .collect();
    let strict = view.token();
    json!({
        "wellFormed": view.well_formed(),
        "size": view.size,
        "algorithm": strict.map(|t| t.algorithm().name()),
        "cwtTagged": strict.map(Token::is_cwt_tagged),
        "chain": chain,
        "claims": view.claims.as_ref().map(ClaimsSet::to_json),
        "claimsText": view.claims.as_ref().map(render_text),
        "claimsView": view.claims.as_ref().map(claims_view),
        "diagnostic": {
            "token": diagnostic(view.top.as_ref()),
            "protected": diagnostic(view.protected.as_ref()),
            "payload": diagnostic(view.payload_value.as_ref()),
        },
        "problems": problems,
        "limits": {"maxTokenSize": Limits::DEFAULT.max_token_size},
    })
}

/// The token bytes of a file or of pasted text: raw CBOR, hex or base64,
/// by the library's one rule ([`mtattest::encoding::decode_token_text`]).
/// Empty or blank input is `input.empty`, anything else that is not a token
/// `input.encoding`: codes of the bindings' input, not of the library
/// (nothing was verified).
pub fn decode_token(input: &[u8]) -> Result<Vec<u8>, Failure> {
    if input.iter().all(u8::is_ascii_whitespace) {
        return Err(Failure {
            code: "input.empty".into(),
            message: "no token given".into(),
        });
    }
    mtattest::encoding::decode_token_text(input)
        .map(|(_, bytes)| bytes)
        .map_err(|e| Failure {
            code: "input.encoding".into(),
            message: e.to_string(),
        })
}

/// A time as a person writes it in the page: epoch seconds or RFC 3339
/// ([`mtattest::encoding::parse_time`]); anything else is
/// `config.bad-value`.
pub fn parse_time(text: &str) -> Result<i64, Failure> {
    mtattest::encoding::parse_time(text)
        .map(UnixTime::secs)
        .map_err(|e| Failure {
            code: "config.bad-value".into(),
            message: format!("not a time: {text:?}: {e}"),
        })
}

/// Epoch seconds as an RFC 3339 date-time in UTC
/// ([`mtattest::encoding::format_rfc3339`]), or the seconds where RFC 3339
/// has no form.
pub fn format_time(secs: i64) -> String {
    mtattest::encoding::format_rfc3339(UnixTime(secs)).unwrap_or_else(|| format!("{secs} s"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vectors() -> std::path::PathBuf {
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test-vectors")
    }

    fn read(rel: &str) -> Vec<u8> {
        std::fs::read(vectors().join(rel)).unwrap()
    }

    fn first_case() -> (Json, String, String, Vec<u8>) {
        let manifest: Json = serde_json::from_slice(&read("manifest.json")).unwrap();
        let case = manifest["cases"][0].clone();
        let pem = String::from_utf8(read(case["anchors"].as_str().unwrap())).unwrap();
        let policy = String::from_utf8(read(case["policy"].as_str().unwrap())).unwrap();
        let token = read(case["token"].as_str().unwrap());
        (case, pem, policy, token)
    }

    /// A JS `Verifier` keeps a chain cache and a link cache (1024 entries
    /// each unless `chainCacheSize` says otherwise; spec §10.6).
    #[test]
    fn sessions_cache_chains_and_links() {
        let (_, pem, _, _) = first_case();
        let capacities = |options: Json| {
            let session = Session::new(&pem, &options).unwrap();
            (
                session.verifier.chain_cache_stats().map(|s| s.capacity),
                session.verifier.link_cache_stats().map(|s| s.capacity),
            )
        };
        assert_eq!(capacities(json!({})), (Some(1024), Some(1024)));
        assert_eq!(capacities(json!({"chainCacheSize": 7})), (Some(7), Some(7)));
    }

    /// The dry runs' verifier answers provisionally: it must keep nothing
    /// from one run to the next (tests/webcrypto_rounds.rs shows the
    /// session's own verifier untouched by them).
    #[test]
    fn the_dry_verifier_keeps_no_state() {
        let (case, pem, policy, token) = first_case();
        let call = options::call(&json!({"time": case["time"], "nonce": case["nonce"]})).unwrap();
        let session = Session::new(&pem, &json!({"policy": policy})).unwrap();
        assert_eq!(session.dry.chain_cache_stats(), None);
        assert_eq!(session.dry.link_cache_stats(), None);
        // Outside a dry run its provider is the synchronous one, so these
        // are real verifications: a replay cache would refuse the second.
        for _ in 0..2 {
            let result = session.verify_call(&session.dry, &token, &call).unwrap();
            assert_eq!(result["errorCode"], Json::Null, "{}", result["message"]);
            assert_eq!(result["replayChecked"], false);
        }
    }

    #[test]
    fn the_example_phone_is_affirming_and_a_bad_nonce_is_invalid() {
        let (case, pem, policy, token) = first_case();
        let call = json!({"time": case["time"], "nonce": case["nonce"]});
        let session = Session::new(&pem, &json!({"policy": policy})).unwrap();
        let out = session.verify(&token, &call).unwrap();
        assert_eq!(out["status"], case["expected"]["appraisal"]["status"]);
        assert_eq!(out["claims"], case["expected"]["claims"]);
        assert_eq!(out["replayChecked"], true);
        assert!(out["chain"].as_array().unwrap().len() >= 2);
        assert_eq!(out["layers"][0]["name"], "device");
        // The same token again, to the same verifier: a replay.
        let again = session.verify(&token, &call).unwrap();
        assert_eq!(again["errorCode"], "replay.seen");

        let options = json!({"policy": "payment",
            "appSigners": ["4cfb7423dafebc728227283ce04b8eb77f132ecbbd4eaa1e0bd9a7366dcde4b7"]});
        let call = json!({"time": case["time"], "nonce": "00112233445566778899"});
        let out = Session::new(&pem, &options)
            .unwrap()
            .verify(&token, &call)
            .unwrap();
        assert_eq!(out["status"], "invalid");
        assert_eq!(out["errorCode"], "freshness.nonce-mismatch");

        let view = inspect(&token);
        assert_eq!(view["wellFormed"], true);
        assert_eq!(view["problems"], json!([]));
        assert_eq!(view["algorithm"], "ES384");
        assert_eq!(view["claims"], case["expected"]["claims"]);
        // The payload's diagnostic notation shows the claims by their CBOR
        // keys: eat-profile is 265.
        let payload = view["diagnostic"]["payload"].as_str().unwrap();
        let profile = case["expected"]["claims"]["eat-profile"].as_str().unwrap();
        assert!(payload.starts_with('{'), "{payload}");
        assert!(
            payload.contains(&format!("265: \"{profile}\"")),
            "{payload}"
        );
        assert!(view["diagnostic"]["token"]
            .as_str()
            .unwrap()
            .starts_with("18(["));
        let chain = view["chain"].as_array().unwrap();
        assert!(chain.len() >= 2, "{chain:?}");
        assert_eq!(chain, out["chain"].as_array().unwrap());
        assert!(chain[0]["subject"].as_str().unwrap().starts_with("CN="));
    }

    /// The time is an argument of each call, never frozen in the verifier
    /// (issue #12.9): one verifier accepts the token at its time and finds
    /// it stale an hour later.
    #[test]
    fn the_time_is_taken_per_call() {
        let (case, pem, _, token) = first_case();
        let session = Session::new(&pem, &json!({})).unwrap();
        let t = case["time"].as_i64().unwrap();
        let later = session
            .verify(&token, &json!({"time": t + 3600, "nonce": case["nonce"]}))
            .unwrap();
        assert_eq!(later["errorCode"], "freshness.stale");
        let now = session
            .verify(&token, &json!({"time": t, "nonce": case["nonce"]}))
            .unwrap();
        assert_eq!(now["status"], "none");
        assert_eq!(now["verifiedAt"], t);
        // Time and nonce are refused as options of a Verifier.
        for member in ["time", "nonce"] {
            let e = Session::new(&pem, &json!({member: 1})).unwrap_err();
            assert_eq!(e.code, "config.syntax", "{member}");
            assert!(e.message.contains("verify(token"), "{}", e.message);
        }
        // And required (time) or checked (nonce) per call.
        let code = |call: Json| session.verify(&token, &call).unwrap_err().code;
        assert_eq!(code(json!({})), "config.syntax");
        assert_eq!(code(json!({"time": 1.5})), "config.bad-value");
        assert_eq!(code(json!({"time": "1"})), "config.syntax");
        assert_eq!(code(json!({"time": t, "nonce": ""})), "config.empty");
        assert_eq!(code(json!({"time": t, "nonce": 7})), "config.syntax");
        assert_eq!(code(json!({"time": t, "when": 1})), "config.syntax");
        assert_eq!(code(json!([t])), "config.syntax");
    }

    /// The one-shot verify has no replay cache, and says so.
    #[test]
    fn the_one_shot_verify_keeps_no_replay_cache() {
        let (case, pem, _, token) = first_case();
        let options = json!({"time": case["time"], "nonce": case["nonce"]});
        for _ in 0..2 {
            let out = verify_once(&token, &pem, &options).unwrap();
            assert_eq!(out["status"], "none");
            assert_eq!(out["replayChecked"], false);
        }
        let e = verify_once(&token, &pem, &json!({"nonce": case["nonce"]})).unwrap_err();
        assert_eq!(e.code, "config.syntax");
    }

    #[test]
    fn the_ear_is_in_the_chosen_form() {
        let (case, pem, policy, token) = first_case();
        let expected = &case["expected"]["appraisal"]["status"];
        let call = json!({"time": case["time"], "nonce": case["nonce"]});
        let run = |profile: Json| {
            Session::new(&pem, &json!({"policy": policy, "earProfile": profile}))
                .and_then(|s| s.verify(&token, &call))
        };
        // Absent, null and "veraison-2023": the 2023 form.
        for profile in [Json::Null, json!("veraison-2023")] {
            let out = run(profile).unwrap();
            assert_eq!(&out["ear"]["ear.status"], expected);
            assert_eq!(
                out["ear"]["eat_profile"],
                "tag:github.com,2023:veraison/ear"
            );
            assert!(out["ear"].get("ear_status").is_none());
        }
        // draft-ietf-rats-ear-04.
        let out = run(json!("ietf-draft-04")).unwrap();
        assert_eq!(&out["ear"]["ear_status"], expected);
        assert_eq!(out["ear"]["eat_profile"], "tag:ietf.org,2026:rats/ear#04");
        assert!(out["ear"].get("ear.status").is_none());
        // The result decodes as the same appraisal either way.
        let draft = AttestationResult::from_json(out["ear"].to_string().as_bytes()).unwrap();
        assert_eq!(draft.status.name(), expected.as_str().unwrap());
        // Anything else is refused before anything is verified.
        for (bad, code) in [
            (json!("ietf-draft-03"), "config.bad-value"),
            (json!("Veraison-2023"), "config.bad-value"),
            (json!(""), "config.empty"),
            (json!(4), "config.syntax"),
            (json!(true), "config.syntax"),
            (json!(["ietf-draft-04"]), "config.syntax"),
        ] {
            let e = run(bad.clone()).unwrap_err();
            assert_eq!(e.code, code, "{bad}");
        }
    }

    #[test]
    fn bad_options_fail_with_codes() {
        let pem = String::from_utf8(read("anchors/root.pem")).unwrap();
        let code = |anchors: &str, options: Json| Session::new(anchors, &options).unwrap_err().code;
        assert_eq!(code("nothing", json!({})), "chain.bad-anchor");
        assert_eq!(code("", json!({})), "config.empty");
        assert_eq!(
            code(&pem, json!({"policy": "payment"})),
            "policy.missing-parameter"
        );
        assert_eq!(
            code(&pem, json!({"appSigners": ["00"]})),
            "config.bad-value"
        );
        assert_eq!(code(&pem, json!({"statusList": ""})), "config.empty");
        assert_eq!(code(&pem, json!({"allowedAlgorithms": []})), "config.empty");
        assert_eq!(code(&pem, json!({"maxAge": 1})), "config.syntax");
        assert_eq!(code(&pem, json!([])), "config.syntax");
        assert_eq!(code(&pem, json!("payment")), "config.syntax");
        assert!(Session::new(&pem, &Json::Null).is_ok());
        let e = Session::from_config(br#"{"anchors": [{"file": "root.pem"}]}"#).unwrap_err();
        assert_eq!(e.code, "config.unavailable");
        let bad = inspect(b"\xff");
        assert_eq!(bad["wellFormed"], false);
        assert_eq!(bad["problems"][0]["stage"], "cbor");
        assert_eq!(bad["problems"][1]["code"], "cbor.malformed");
        assert_eq!(bad["diagnostic"]["token"], Json::Null);
    }

    #[test]
    fn the_report_carries_the_android_attestation() {
        use mtattest_testkit::android::{AndroidTestPki, AttestedDevice};
        let nonce = b"wasm-android-nonce-1";
        let nonce_hex = mtattest::encoding::to_hex(nonce);
        let t = 1_767_400_000;
        let pki = AndroidTestPki::new(&AttestedDevice::strongbox(nonce)).unwrap();
        let token = pki
            .token(&mtattest_testkit::example_phone(t - 5, nonce.to_vec()))
            .unwrap();
        let other = mtattest_testkit::pki::TestPki::standard().unwrap();
        let session = Session::new(
            &other.root.pem(),
            &json!({"androidAnchors": pki.root.pem()}),
        )
        .unwrap();
        let out = session
            .verify(&token, &json!({"time": t, "nonce": nonce_hex}))
            .unwrap();
        assert_eq!(
            out["android"]["attester"],
            "android-key-attestation:STRONG_BOX"
        );
        assert_eq!(
            out["ear"]["submods"]["device"]["mtattest.attested"][0]["claim"],
            "submods.chip.key-security-level"
        );
        let bad = session
            .verify(&token, &json!({"time": t, "nonce": "00112233445566778899"}))
            .unwrap();
        assert_eq!(bad["android"], Json::Null);
    }

    #[test]
    fn token_text_times_and_their_codes() {
        let raw = [0xd2, 0x84, 0x43, 0xa1];
        assert_eq!(decode_token(&raw).unwrap(), raw);
        assert_eq!(decode_token(b"d2 84\n43 A1").unwrap(), raw);
        assert_eq!(decode_token(b"0oRDoQ").unwrap(), raw);
        assert_eq!(decode_token(b" \n").unwrap_err().code, "input.empty");
        assert_eq!(decode_token(b"").unwrap_err().code, "input.empty");
        assert_eq!(
            decode_token(b"not a token!").unwrap_err().code,
            "input.encoding"
        );
        assert_eq!(parse_time("2026-01-01T00:00:00Z").unwrap(), 1_767_225_600);
        assert_eq!(parse_time(" 1767225600").unwrap(), 1_767_225_600);
        assert_eq!(parse_time("soon").unwrap_err().code, "config.bad-value");
        assert_eq!(format_time(1_767_225_600), "2026-01-01T00:00:00Z");
        assert_eq!(format_time(i64::MIN), format!("{} s", i64::MIN));
    }
}
