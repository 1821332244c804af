//! WebAssembly bindings of mtattest (wasm-bindgen), for browsers and Node.
//!
//! The JS API (built by `wasm/build.sh` into `wasm/pkg/`, web target, and
//! `wasm/pkg-node/`, Node target):
//!
//! - `verify(token: Uint8Array, anchorsPem: string, options: object)` →
//!   a plain object: `status` (`affirming`, `warning`, `contraindicated`,
//!   `none` when no rule or advisory gave a verdict, e.g. no policy was
//!   given, or `invalid` when the token was refused; without a policy only
//!   bulletin advisories are appraised and `action` is always `deny`), `errorCode` (the stable §13 code of a refusal, else `null`),
//!   `message`, `action`, `policyId`, `claims` (the §12 claims JSON),
//!   `layers` (`[{name, evidenceSource, status, claims}]`, `device` first),
//!   `reasons`, `ear` (the EAR JSON, in the form `earProfile` chose), `chain` (`[{subject, issuer, serial,
//!   notBefore, notAfter, header}]`, the token's x5chain as sent), `key`
//!   (how the key was established), `claimsText`, `verifiedAt`.
//! - `new Verifier(anchorsPem, options)` with `.verify(token)`: the same,
//!   configured once, with one replay cache across its calls.
//! - `inspect(token: Uint8Array)` → the decoded, unverified view: claims,
//!   chain, CBOR diagnostic notation of the token, protected header and
//!   payload, and the `problems` found.
//! - `version()` → the library version.
//!
//! `options`: `time` (required: epoch seconds from the caller's clock — the
//! library never reads a clock in WASM), `nonce` (the challenge, hex),
//! `policy` (a preset name `payment`, `byod`, `content`, or a JSON policy
//! document), `appSigners` (hex digests), `bulletins` (a JSON feed),
//! `crls` (hex DER), `statusList` (JSON), `allowedAlgorithms`
//! (`["ES384", "ES256"]`), `requireProtectedX5chain`, `maxAgeSecs`,
//! `clockSkewSecs`, `earProfile` (the form of `ear`, spec/appraisal.md
//! §11.6: `"veraison-2023"`, the default when absent or null, or
//! `"ietf-draft-04"`; any other value throws `options.invalid`).
//!
//! A refused token is a result, not an exception. A call that cannot run
//! (bad options, anchors, policy or bulletin) throws an `Error` whose
//! `code` is the stable error code (`options.invalid` for options of the
//! wrong type or form).
//!
//! The logic is in [`engine`] and builds on every target; the JS glue only
//! on wasm32.
#![deny(missing_docs)]

pub mod engine;

#[cfg(target_arch = "wasm32")]
mod js {
    use js_sys::{Error as JsError, Reflect, JSON};
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

    fn options_json(options: &JsValue) -> Result<serde_json::Value, JsValue> {
        if options.is_undefined() || options.is_null() {
            return Ok(serde_json::Value::Null);
        }
        let text: String = JSON::stringify(options)
            .map_err(|_| {
                throw(Failure {
                    code: engine::BAD_OPTIONS.into(),
                    message: "options cannot be serialised to JSON".into(),
                })
            })?
            .into();
        serde_json::from_str(&text).map_err(|e| {
            throw(Failure {
                code: engine::BAD_OPTIONS.into(),
                message: format!("options: {e}"),
            })
        })
    }

    /// A verifier configured once (trust anchors, policy, challenge,
    /// time), with a replay cache kept across calls.
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
            let options = options_json(&options)?;
            let session = Session::new(anchors_pem, &options).map_err(throw)?;
            Ok(Verifier { session })
        }

        /// Verifies and appraises one token.
        pub fn verify(&self, token: &[u8]) -> Result<JsValue, JsValue> {
            to_js(&self.session.verify(token))
        }
    }

    /// Verifies and appraises one token with a fresh verifier.
    #[wasm_bindgen]
    pub fn verify(token: &[u8], anchors_pem: &str, options: JsValue) -> Result<JsValue, JsValue> {
        Verifier::new(anchors_pem, options)?.verify(token)
    }

    /// The decoded, unverified view of a token.
    #[wasm_bindgen]
    pub fn inspect(token: &[u8]) -> Result<JsValue, JsValue> {
        to_js(&engine::inspect(token))
    }

    /// The library version.
    #[wasm_bindgen]
    pub fn version() -> String {
        engine::version().to_string()
    }
}
