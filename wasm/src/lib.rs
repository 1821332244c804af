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
//!   (always `deny` for `none`), `policyId` (`none` without a policy),
//!   `claims` (the §12 claims JSON), `layers` (`[{name, evidenceSource,
//!   status, claims}]`, `device` first), `reasons`, `ear` (the EAR JSON, in
//!   the form `earProfile` chose), `chain` (`[{subject, issuer, serial,
//!   notBefore, notAfter, header}]`, the token's x5chain as sent), `key`
//!   (how the key was established), `nonceChecked`, `replayChecked`,
//!   `claimsText`, `verifiedAt`.
//! - `inspect(token: Uint8Array)` → the decoded, unverified view: claims,
//!   chain, CBOR diagnostic notation of the token, protected header and
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

#[cfg(target_arch = "wasm32")]
mod js {
    use js_sys::{Error as JsError, Function, Reflect, JSON};
    use wasm_bindgen::prelude::*;

    use crate::engine::{self, Failure, Session};

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

    /// A verifier configured once (trust anchors, options), with a replay
    /// cache and a chain cache kept across calls.
    #[wasm_bindgen]
    pub struct Verifier {
        session: Session,
    }

    #[wasm_bindgen]
    impl Verifier {
        /// Configures a verifier; throws an `Error` with `code` on bad
        /// configuration.
        #[wasm_bindgen(constructor)]
        pub fn new(anchors_pem: &str, options: JsValue) -> Result<Verifier, JsValue> {
            let options = json_of(&options)?;
            let session = Session::new(anchors_pem, &options).map_err(throw)?;
            Ok(Verifier { session })
        }

        /// Configures a verifier from a whole configuration: an object
        /// (kebab-case members, docs/configuration.md) or its JSON text.
        #[wasm_bindgen(js_name = fromConfig)]
        pub fn from_config(config: JsValue) -> Result<Verifier, JsValue> {
            let text = match config.as_string() {
                Some(text) => text,
                None => json_text(&config)?,
            };
            let session = Session::from_config(text.as_bytes()).map_err(throw)?;
            Ok(Verifier { session })
        }

        /// Verifies and appraises one token with the call's `{time, nonce}`.
        pub fn verify(&self, token: &[u8], call: JsValue) -> Result<JsValue, JsValue> {
            let call = json_of(&call)?;
            to_js(&self.session.verify(token, &call).map_err(throw)?)
        }
    }

    /// Verifies and appraises one token with a verifier made for this call
    /// (no replay protection); `options` holds `time` and `nonce` too.
    #[wasm_bindgen]
    pub fn verify(token: &[u8], anchors_pem: &str, options: JsValue) -> Result<JsValue, JsValue> {
        let options = json_of(&options)?;
        to_js(&engine::verify_once(token, anchors_pem, &options).map_err(throw)?)
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
