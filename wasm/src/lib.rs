//! WebAssembly bindings of mtattest (wasm-bindgen), for browsers and Node.
//!
//! The JS API (built by `wasm/build.sh` into `wasm/pkg/`, web target, and
//! `wasm/pkg-node/`, Node target):
//!
//! - `new Verifier(anchorsPem, options)` configures a verifier once; its
//!   `.verify(token, {time, nonce})` verifies and appraises one token with
//!   the time (required: seconds since 1970 from the caller's clock — the
//!   library never reads a clock) and the challenge (hex; absent or `null`
//!   for none) of that call. It keeps one replay cache and one chain cache
//!   across its calls (a second submission of a token is `replay.seen`).
//! - `Verifier.fromConfig(config)`: the same from a whole verifier
//!   configuration (`docs/configuration.md`; an object with its kebab-case
//!   members, or its JSON text; data only, no file references).
//! - `verify(token: Uint8Array, anchorsPem: string, options: object)`: one
//!   token with a verifier made for this call only; `options` also holds
//!   the call's `time` and `nonce`. It has **no replay protection** (no
//!   cache outlives the call; the result says `replayChecked: false`):
//!   keep a `Verifier` to refuse replays.
//!
//!   Results are plain objects: `status` (`affirming`, `warning`,
//!   `contraindicated`, `none` when no rule or advisory gave a verdict,
//!   e.g. no policy was given — without a policy only bulletin advisories
//!   are appraised — or `invalid` when the token was refused), `errorCode`
//!   (the stable §13 code of a refusal, else `null`), `message`, `action`
//!   (always `deny` for `none` and `invalid`), `policyId` (`none` without a policy),
//!   `claims` (the §12 claims JSON), `layers` (`[{name, evidenceSource,
//!   status, claims}]`, `device` first), `reasons`, `ear` (the EAR JSON, in
//!   the form `earProfile` chose), `chain` (`[{subject, issuer, serial,
//!   notBefore, notAfter, header}]`, the token's x5chain as sent), `key`
//!   (how the key was established), `nonceChecked`, `replayChecked`,
//!   `claimsText` (the claims as the CLI shows them), `claimsView` (the
//!   same lines as data: `groups` `[{layer, reported, evidenceSource,
//!   lines: [{name, value}]}]`, the top level first with `layer: null`,
//!   and `unknown`), `verifiedAt`.
//! - WebCrypto (`crypto.subtle`, browsers and Node ≥ 20) checks the
//!   signatures, asynchronously, in `verifier.verifyAsync(token, call)`
//!   and the one-shot `verifyAsync(token, anchorsPem, options)`: Promises
//!   of exactly the result `verify` gives (the same codes; a `Verifier`'s
//!   replay and chain caches are shared by both paths). `createVerifier(
//!   anchorsPem, options)` and `createVerifierFromConfig(config)` are
//!   Promises of a `Verifier` whose anchors' keys WebCrypto checked: the
//!   constructors of the verify-only build (`--no-default-features`, no
//!   pure-Rust curves), where `new Verifier`, `fromConfig`, `verify` and
//!   `verifier.verify` throw `config.unavailable`. How: [`webcrypto`].
//!   Without WebCrypto the Promise rejects with `config.unavailable`.
//! - `inspect(token: Uint8Array)` → the decoded, unverified view: claims
//!   (also as `claimsText` and `claimsView`), chain, CBOR diagnostic notation of the token, protected header and
//!   payload, and the `problems` found.
//! - `decodeToken(bytes: Uint8Array)` → the token bytes of a file or of
//!   pasted text (raw CBOR, hex or base64, the library's one rule); throws
//!   with `code` `input.empty` or `input.encoding` (codes of this input, not
//!   of the library).
//! - `parseTime(text)` → seconds since 1970 of epoch seconds or an RFC 3339
//!   date-time (`config.bad-value` otherwise); `formatTime(secs)` → RFC 3339
//!   in UTC.
//! - `version()` → the library version.
//!
//! `options` ([`options::MEMBERS`]) is translated member by member into
//! the library's `VerifierConfig`, values as given, and the library checks
//! it, so the bindings refuse what the CLI and the C ABI refuse, with the
//! same codes: `policy` (a preset name `payment`, `byod`, `content`, `iot`,
//! or a JSON policy document), `appSigners` (hex digests for the policy),
//! `bulletins` (a JSON feed), `crls` (hex DER), `statusList` (JSON),
//! `allowedAlgorithms` (`["ES384", "ES256"]`), `requireProtectedX5chain`,
//! `requireNonce`, `maxAgeSecs`, `clockSkewSecs`, `crlGraceSecs`,
//! `earProfile` (`"veraison-2023"`, the default, or `"ietf-draft-04"`,
//! spec/appraisal.md §11.6), `crypto` (`"rustcrypto"`; `"aws-lc"` is not
//! in this build: `config.unavailable`), `chainCacheSize`,
//! `replayPeakRate`. Absent or `null` members take the defaults; an empty
//! or whitespace-only string or an empty array is refused
//! (`config.empty`), never read as absent; unknown members are refused
//! (`config.syntax`), as are non-finite numbers.
//!
//! A refused token is a result, not an exception. A call that cannot run
//! (bad options, anchors, policy or bulletin, bad call arguments: an empty
//! `nonce` is `config.empty`) throws an `Error` whose `code` is the stable
//! error code; nothing was verified. A `nonce` outside 8..64 bytes is a
//! refused token (`freshness.nonce-length`), as in the CLI and C.
//!
//! The logic is in [`engine`] and [`options`] and builds on every target;
//! the JS glue only on wasm32.
#![deny(missing_docs)]

pub mod engine;
pub mod options;
pub mod webcrypto;

#[cfg(target_arch = "wasm32")]
mod js {
    use std::rc::Rc;

    use js_sys::{Array, Error as JsError, Function, Object, Promise, Reflect, Uint8Array, JSON};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::{future_to_promise, JsFuture};

    use crate::engine::{self, Construction, Failure, Rounds, Session};
    use crate::webcrypto::{Answer, Asked, Check};

    fn to_js(value: &serde_json::Value) -> Result<JsValue, JsValue> {
        JSON::parse(&value.to_string())
    }

    fn throw(f: Failure) -> JsValue {
        let err = JsError::new(&format!("{} [{}]", f.message, f.code));
        let _ = Reflect::set(&err, &"code".into(), &f.code.as_str().into());
        err.into()
    }

    fn syntax(message: String) -> JsValue {
        throw(Failure {
            code: "config.syntax".into(),
            message,
        })
    }

    /// A JS value as JSON text. JSON.stringify would turn NaN and
    /// Infinity into null, which reads as "absent": they are replaced by an
    /// object, which no member accepts (`config.syntax`).
    fn json_text(value: &JsValue) -> Result<String, JsValue> {
        let replacer = Function::new_with_args(
            "key, value",
            "return (typeof value === 'number' && !Number.isFinite(value)) \
             ? { 'not a finite number': String(value) } : value;",
        );
        let text = JSON::stringify_with_replacer(value, &replacer)
            .map_err(|e| syntax(format!("cannot be written as JSON: {e:?}")))?;
        text.as_string()
            .ok_or_else(|| syntax("cannot be written as JSON".into()))
    }

    fn json_of(value: &JsValue) -> Result<serde_json::Value, JsValue> {
        if value.is_undefined() || value.is_null() {
            return Ok(serde_json::Value::Null);
        }
        serde_json::from_str(&json_text(value)?).map_err(|e| syntax(format!("{e}")))
    }

    /// WebCrypto's answers to a dry run's questions (webcrypto.js).
    async fn answers(asked: &[Asked]) -> Result<Vec<Answer>, JsValue> {
        thread_local! {
            static RUN_CHECKS: Function =
                Function::new_with_args("checks", include_str!("webcrypto.js"));
        }
        let checks: Array = asked.iter().map(|a| check_js(&a.check)).collect();
        let promise: Promise = RUN_CHECKS
            .with(|run| run.call1(&JsValue::NULL, &checks))?
            .dyn_into()?;
        let values: Array = JsFuture::from(promise).await?.dyn_into()?;
        Ok(asked
            .iter()
            .zip(values.iter())
            .map(|(a, value)| match a.check {
                Check::Point { .. } => Answer::Point(
                    value
                        .dyn_into::<Uint8Array>()
                        .ok()
                        .map(|point| point.to_vec()),
                ),
                _ => Answer::Verified(value.as_bool() == Some(true)),
            })
            .collect())
    }

    fn check_js(check: &Check) -> JsValue {
        let object = Object::new();
        let set = |name: &str, value: JsValue| {
            let _ = Reflect::set(&object, &name.into(), &value);
        };
        let bytes = |b: &[u8]| JsValue::from(Uint8Array::from(b));
        match check {
            Check::Point { curve, sec1 } => {
                set("op", "point".into());
                set("curve", (*curve).into());
                set("key", bytes(sec1));
            }
            Check::Ecdsa {
                curve,
                hash,
                key,
                message,
                signature,
            } => {
                set("op", "ecdsa".into());
                set("curve", (*curve).into());
                set("hash", (*hash).into());
                set("key", bytes(key));
                set("message", bytes(message));
                set("signature", bytes(signature));
            }
            Check::Rsa {
                modulus,
                exponent,
                message,
                signature,
            } => {
                set("op", "rsa".into());
                set("modulus", bytes(modulus));
                set("exponent", bytes(exponent));
                set("message", bytes(message));
                set("signature", bytes(signature));
            }
        }
        object.into()
    }

    /// Every round of `rounds`, each dry run's questions answered by
    /// WebCrypto.
    async fn settle(rounds: &mut impl Rounds) -> Result<(), JsValue> {
        while let Some(asked) = rounds.dry_run() {
            let answers = answers(&asked).await?;
            rounds.record(asked, answers);
        }
        Ok(())
    }

    /// A verifier configured once (trust anchors, options), with a replay
    /// cache and a chain cache kept across calls.
    #[wasm_bindgen]
    pub struct Verifier {
        session: Rc<Session>,
    }

    #[wasm_bindgen]
    impl Verifier {
        /// Configures a verifier; throws an `Error` with `code` on bad
        /// configuration (`config.unavailable` in the verify-only build,
        /// which has `createVerifier` only).
        #[wasm_bindgen(constructor)]
        pub fn new(anchors_pem: &str, options: JsValue) -> Result<Verifier, JsValue> {
            let options = json_of(&options)?;
            let session = Session::new(anchors_pem, &options).map_err(throw)?;
            Ok(Verifier {
                session: Rc::new(session),
            })
        }

        /// Configures a verifier from a whole configuration: an object
        /// (kebab-case members, docs/configuration.md) or its JSON text.
        #[wasm_bindgen(js_name = fromConfig)]
        pub fn from_config(config: JsValue) -> Result<Verifier, JsValue> {
            let text = config_text(&config)?;
            let session = Session::from_config(text.as_bytes()).map_err(throw)?;
            Ok(Verifier {
                session: Rc::new(session),
            })
        }

        /// Verifies and appraises one token with the call's `{time, nonce}`
        /// with the pure-Rust provider.
        pub fn verify(&self, token: &[u8], call: JsValue) -> Result<JsValue, JsValue> {
            let call = json_of(&call)?;
            to_js(&self.session.verify(token, &call).map_err(throw)?)
        }

        /// As `verify`, with WebCrypto checking the signatures: a Promise
        /// of the same result. The same replay and chain caches.
        #[wasm_bindgen(js_name = verifyAsync)]
        pub fn verify_async(&self, token: Vec<u8>, call: JsValue) -> Promise {
            let session = Rc::clone(&self.session);
            future_to_promise(async move {
                let call = json_of(&call)?;
                let mut verification = session.verification(&token, &call).map_err(throw)?;
                settle(&mut verification).await?;
                to_js(&verification.finish().map_err(throw)?)
            })
        }
    }

    fn config_text(config: &JsValue) -> Result<String, JsValue> {
        match config.as_string() {
            Some(text) => Ok(text),
            None => json_text(config),
        }
    }

    async fn construct(mut construction: Construction) -> Result<Verifier, JsValue> {
        settle(&mut construction).await?;
        let session = construction.finish().map_err(throw)?;
        Ok(Verifier {
            session: Rc::new(session),
        })
    }

    /// A Promise of a `Verifier` whose anchors' keys WebCrypto checked:
    /// the constructor of the verify-only build.
    #[wasm_bindgen(js_name = createVerifier)]
    pub fn create_verifier(anchors_pem: String, options: JsValue) -> Promise {
        future_to_promise(async move {
            let options = json_of(&options)?;
            let construction = Construction::new(&anchors_pem, &options).map_err(throw)?;
            Ok(construct(construction).await?.into())
        })
    }

    /// As `createVerifier`, from a whole configuration (`fromConfig`).
    #[wasm_bindgen(js_name = createVerifierFromConfig)]
    pub fn create_verifier_from_config(config: JsValue) -> Promise {
        future_to_promise(async move {
            let text = config_text(&config)?;
            let construction = Construction::from_config(text.as_bytes()).map_err(throw)?;
            Ok(construct(construction).await?.into())
        })
    }

    /// Verifies and appraises one token with a verifier made for this call
    /// (no replay protection); `options` holds `time` and `nonce` too.
    #[wasm_bindgen]
    pub fn verify(token: &[u8], anchors_pem: &str, options: JsValue) -> Result<JsValue, JsValue> {
        let options = json_of(&options)?;
        to_js(&engine::verify_once(token, anchors_pem, &options).map_err(throw)?)
    }

    /// As `verify`, with WebCrypto checking the signatures: a Promise of
    /// the same result.
    #[wasm_bindgen(js_name = verifyAsync)]
    pub fn verify_once_async(token: Vec<u8>, anchors_pem: String, options: JsValue) -> Promise {
        future_to_promise(async move {
            let options = json_of(&options)?;
            let (mut construction, call) =
                engine::once_with_webcrypto(&anchors_pem, &options).map_err(throw)?;
            settle(&mut construction).await?;
            let session = construction.finish().map_err(throw)?;
            let mut verification = session.verification_of(&token, call);
            settle(&mut verification).await?;
            to_js(&verification.finish().map_err(throw)?)
        })
    }

    /// The decoded, unverified view of a token.
    #[wasm_bindgen]
    pub fn inspect(token: &[u8]) -> Result<JsValue, JsValue> {
        to_js(&engine::inspect(token))
    }

    /// The token bytes of a file or of pasted text (raw CBOR, hex or
    /// base64); throws with `code` `input.empty` or `input.encoding`.
    #[wasm_bindgen(js_name = decodeToken)]
    pub fn decode_token(input: &[u8]) -> Result<Vec<u8>, JsValue> {
        engine::decode_token(input).map_err(throw)
    }

    /// Seconds since 1970 of a time written as epoch seconds or RFC 3339;
    /// throws with `code` `config.bad-value`.
    #[wasm_bindgen(js_name = parseTime)]
    pub fn parse_time(text: &str) -> Result<f64, JsValue> {
        // Within ±2^53 every i64 a person writes as a time is exact.
        engine::parse_time(text).map(|t| t as f64).map_err(throw)
    }

    /// Seconds since 1970 as an RFC 3339 date-time in UTC.
    #[wasm_bindgen(js_name = formatTime)]
    pub fn format_time(secs: f64) -> String {
        engine::format_time(secs as i64)
    }

    /// The library version.
    #[wasm_bindgen]
    pub fn version() -> String {
        engine::version().to_string()
    }
}
