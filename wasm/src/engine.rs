//! The bindings' logic in plain Rust (no JS types), so that it builds and is
//! tested on the host as well as on wasm32. `lib.rs` wraps it for JS.
//!
//! Everything here returns `serde_json::Value`s in the shape the JS API
//! documents (camelCase members), or a [`Failure`] with a stable error code.

use ciborium::value::Value as Cbor;
use mtattest::appraisal::{
    AttestationResult, Bulletin, EarProfile, Freshness, Policy, Preset, Status,
};
use mtattest::claims::{render_text, ClaimsSet};
use mtattest::crypto::Algorithm;
use mtattest::diag;
use mtattest::inspect::{bucket_name, certificate_summary, CertSummary};
use mtattest::token::{DecodeOptions, HeaderPlacement, Token};
use mtattest::trust::{ChainOptions, ChainVerifier, Revocation, StatusList, TrustAnchors};
use mtattest::verifier::{KeyCheck, KeySource, Verified, Verifier};
use mtattest::{Limits, UnixTime};
use serde_json::{json, Map, Value as Json};

/// The code of a thrown error for options the caller got wrong (a
/// missing time, a nonce that is not hex, an unknown member type). Errors
/// the library reports while loading (anchors, policies, bulletins, CRLs)
/// keep their own §13 codes.
pub const BAD_OPTIONS: &str = "options.invalid";

/// A call that failed: a stable error code and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The stable code (spec §13, or [`BAD_OPTIONS`]).
    pub code: String,
    /// What went wrong, for people.
    pub message: String,
}

impl Failure {
    fn options(message: impl Into<String>) -> Failure {
        Failure {
            code: BAD_OPTIONS.to_string(),
            message: message.into(),
        }
    }

    fn lib(context: &str, e: &mtattest::Error) -> Failure {
        Failure {
            code: e.code().to_string(),
            message: format!("{context}: {e}"),
        }
    }
}

/// The library version.
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

fn opt_str<'a>(options: &'a Json, name: &str) -> Result<Option<&'a str>, Failure> {
    match options.get(name) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Json::String(s)) => Ok(Some(s.trim())),
        Some(_) => Err(Failure::options(format!("options.{name} must be a string"))),
    }
}

fn opt_strings(options: &Json, name: &str) -> Result<Vec<String>, Failure> {
    match options.get(name) {
        None | Some(Json::Null) => Ok(Vec::new()),
        Some(Json::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str().map(|s| s.trim().to_string()).ok_or_else(|| {
                    Failure::options(format!("options.{name} must be an array of strings"))
                })
            })
            .collect(),
        Some(_) => Err(Failure::options(format!(
            "options.{name} must be an array of strings"
        ))),
    }
}

fn opt_u32(options: &Json, name: &str) -> Result<Option<u32>, Failure> {
    match options.get(name) {
        None | Some(Json::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .map(Some)
            .ok_or_else(|| Failure::options(format!("options.{name} must be a whole number"))),
    }
}

/// `options.earProfile`: the form of the result's `ear` (spec/appraisal.md
/// §11.6), `veraison-2023` (the default, also when absent or null) or
/// `ietf-draft-04`.
fn ear_profile_option(options: &Json) -> Result<EarProfile, Failure> {
    let names = || {
        EarProfile::ALL
            .iter()
            .map(|p| p.name())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match options.get("earProfile") {
        None | Some(Json::Null) => Ok(EarProfile::default()),
        Some(Json::String(s)) => EarProfile::ALL
            .into_iter()
            .find(|p| p.name() == s.as_str())
            .ok_or_else(|| {
                Failure::options(format!(
                    "options.earProfile: unknown EAR profile {s:?} ({})",
                    names()
                ))
            }),
        Some(_) => Err(Failure::options(format!(
            "options.earProfile must be a string ({})",
            names()
        ))),
    }
}

fn hex_option(name: &str, s: &str) -> Result<Vec<u8>, Failure> {
    let clean: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    hex::decode(clean).map_err(|e| Failure::options(format!("options.{name}: not hex: {e}")))
}

/// A configured verifier with its policy, challenge and clock: what one
/// `Verifier` object of the JS API holds. It keeps one replay cache across
/// its calls, as a relying party would.
#[derive(Debug)]
pub struct Session {
    verifier: Verifier,
    policy: Option<Policy>,
    nonce: Option<Vec<u8>>,
    now: UnixTime,
    ear_profile: EarProfile,
}

/// Loads a policy: a preset name (`payment`, `byod`, `content`) or a JSON
/// policy document; `signers` are added to the app-signer rule.
fn load_policy(policy: &str, signers: &[Vec<u8>]) -> Result<Policy, Failure> {
    if let Some(preset) = Preset::from_name(policy) {
        return Policy::preset(preset, signers)
            .map_err(|e| Failure::lib(&format!("policy {policy}"), &e));
    }
    if !policy.starts_with('{') {
        return Err(Failure::options(format!(
            "options.policy: {policy:?} is neither a preset (payment, byod, content) nor a JSON policy document"
        )));
    }
    let mut doc: Json = serde_json::from_str(policy).map_err(|e| Failure {
        code: "policy.syntax".to_string(),
        message: format!("policy document is not valid JSON: {e}"),
    })?;
    if !signers.is_empty() {
        if let Some(obj) = doc.as_object_mut() {
            let list = obj
                .entry("app-signers")
                .or_insert_with(|| Json::Array(Vec::new()));
            if let Some(arr) = list.as_array_mut() {
                arr.extend(signers.iter().map(|s| Json::from(hex::encode(s))));
            }
        }
    }
    Policy::from_json(doc.to_string().as_bytes()).map_err(|e| Failure::lib("policy", &e))
}

impl Session {
    /// Configures a verifier from a PEM bundle of trust anchors and the
    /// options object (see the crate docs for its members).
    pub fn new(anchors_pem: &str, options: &Json) -> Result<Session, Failure> {
        if !options.is_object() && !options.is_null() {
            return Err(Failure::options("options must be an object"));
        }
        let mut anchors = TrustAnchors::new();
        let added = anchors
            .add_pem(anchors_pem.as_bytes())
            .map_err(|e| Failure::lib("trust anchors", &e))?;
        if added == 0 {
            return Err(Failure {
                code: "chain.bad-anchor".to_string(),
                message: "trust anchors: no certificate in the PEM text".to_string(),
            });
        }
        let mut revocation = Revocation::new();
        for crl in opt_strings(options, "crls")? {
            revocation
                .add_crl_der(&hex_option("crls", &crl)?)
                .map_err(|e| Failure::lib("CRL", &e))?;
        }
        if let Some(list) = opt_str(options, "statusList")? {
            let list = StatusList::from_json(list.as_bytes())
                .map_err(|e| Failure::lib("status list", &e))?;
            revocation.set_status_list(list);
        }
        let chain_options = ChainOptions {
            require_protected_x5chain: match options.get("requireProtectedX5chain") {
                None | Some(Json::Null) => false,
                Some(Json::Bool(b)) => *b,
                Some(_) => {
                    return Err(Failure::options(
                        "options.requireProtectedX5chain must be a boolean",
                    ))
                }
            },
            ..ChainOptions::DEFAULT
        };
        let chains = ChainVerifier::new(anchors)
            .with_revocation(revocation)
            .with_options(chain_options);
        let mut builder = Verifier::builder(KeySource::chain(chains));
        let algs = opt_strings(options, "allowedAlgorithms")?;
        if !algs.is_empty() {
            let algs = algs
                .iter()
                .map(|a| match a.as_str() {
                    "ES384" => Ok(Algorithm::Es384),
                    "ES256" => Ok(Algorithm::Es256),
                    other => Err(Failure::options(format!(
                        "options.allowedAlgorithms: unknown algorithm {other:?} (ES384, ES256)"
                    ))),
                })
                .collect::<Result<Vec<_>, _>>()?;
            builder = builder.allowed_algorithms(&algs);
        }
        let mut freshness = Freshness::DEFAULT;
        if let Some(age) = opt_u32(options, "maxAgeSecs")? {
            freshness.max_age_secs = age;
        }
        if let Some(skew) = opt_u32(options, "clockSkewSecs")? {
            freshness.clock_skew_secs = skew;
        }
        builder = builder.freshness(freshness);
        if let Some(feed) = opt_str(options, "bulletins")? {
            let bulletin =
                Bulletin::from_json(feed.as_bytes()).map_err(|e| Failure::lib("bulletins", &e))?;
            builder = builder.bulletin(bulletin);
        }
        let signers = opt_strings(options, "appSigners")?
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| hex_option("appSigners", s))
            .collect::<Result<Vec<_>, _>>()?;
        let policy = match opt_str(options, "policy")? {
            Some(p) => Some(load_policy(p, &signers)?),
            None if !signers.is_empty() => {
                return Err(Failure::options("options.appSigners needs options.policy"))
            }
            // No policy appraises as a policy without rules, as in the CLI
            // and C: advisories still count, the action is deny (§11.3.2).
            None => Some(Policy::none()),
        };
        let ear_profile = ear_profile_option(options)?;
        let nonce = opt_str(options, "nonce")?
            .map(|n| hex_option("nonce", n))
            .transpose()?;
        let now =
            match options.get("time") {
                Some(Json::Number(n)) => n
                    .as_i64()
                    .or_else(|| {
                        n.as_f64()
                            .filter(|f| f.is_finite())
                            .map(|f| f.floor() as i64)
                    })
                    .ok_or_else(|| Failure::options("options.time: not a number of seconds"))?,
                _ => return Err(Failure::options(
                    "options.time (epoch seconds, e.g. Math.floor(Date.now() / 1000)) is required",
                )),
            };
        Ok(Session {
            verifier: builder.build(),
            policy,
            nonce,
            now: UnixTime::from_secs(now),
            ear_profile,
        })
    }

    /// Verifies (and, with a policy, appraises) one token. A refused token
    /// is a result with status `invalid` and its error code, not a failure.
    pub fn verify(&self, token: &[u8]) -> Json {
        let chain = chain_of(token);
        match self.verifier.verify(token, self.nonce.as_deref(), self.now) {
            Err(e) => json!({
                "status": "invalid",
                "action": Json::Null,
                "errorCode": e.code(),
                "message": e.to_string(),
                "claims": Json::Null,
                "layers": [],
                "reasons": [],
                "ear": Json::Null,
                "chain": chain,
                "key": Json::Null,
                "verifiedAt": self.now.secs(),
            }),
            Ok(verified) => {
                let result = self
                    .policy
                    .as_ref()
                    .map(|p| self.verifier.appraise(&verified, p, self.now));
                valid_result(
                    &verified,
                    result.as_ref(),
                    chain,
                    self.now,
                    self.ear_profile,
                )
            }
        }
    }
}

fn valid_result(
    verified: &Verified,
    result: Option<&AttestationResult>,
    chain: Json,
    now: UnixTime,
    ear_profile: EarProfile,
) -> Json {
    let claims = verified.claims().to_json();
    let status = result.map_or(Status::None, |r| r.status);
    let message = match result {
        None => "valid token; no policy given, nothing appraised".to_string(),
        Some(r) if r.reasons.is_empty() && status != Status::None => {
            format!("valid token; every rule of policy {} passed", r.policy_id)
        }
        Some(r) => format!(
            "valid token; policy {}: {} reason(s)",
            r.policy_id,
            r.reasons.len()
        ),
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
    };
    json!({
        "status": status.name(),
        "action": result.map(|r| r.action.name()),
        "policyId": result.map(|r| r.policy_id.clone()),
        "errorCode": Json::Null,
        "message": message,
        "algorithm": verified.algorithm().name(),
        "nonceChecked": verified.nonce_checked(),
        "claims": claims,
        "layers": layers(&claims, result),
        "reasons": result.map_or_else(Vec::new, reasons),
        "ear": result.map(|r| r.to_json_value_as(ear_profile)),
        "chain": chain,
        "key": key,
        "claimsText": render_text(verified.claims()),
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
        // Bottom up (chip, boot, os, app, runtime), then unknown names.
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
        "diagnostic": {
            "token": diagnostic(view.top.as_ref()),
            "protected": diagnostic(view.protected.as_ref()),
            "payload": diagnostic(view.payload_value.as_ref()),
        },
        "problems": problems,
        "limits": {"maxTokenSize": Limits::DEFAULT.max_token_size},
    })
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

    #[test]
    fn the_example_phone_is_affirming_and_a_bad_nonce_is_invalid() {
        let manifest: Json = serde_json::from_slice(&read("manifest.json")).unwrap();
        let case = &manifest["cases"][0];
        let pem = String::from_utf8(read(case["anchors"].as_str().unwrap())).unwrap();
        let policy = String::from_utf8(read(case["policy"].as_str().unwrap())).unwrap();
        let token = read(case["token"].as_str().unwrap());
        let options = json!({"time": case["time"], "nonce": case["nonce"], "policy": policy});
        let out = Session::new(&pem, &options).unwrap().verify(&token);
        assert_eq!(out["status"], case["expected"]["appraisal"]["status"]);
        assert_eq!(out["claims"], case["expected"]["claims"]);
        assert!(out["chain"].as_array().unwrap().len() >= 2);
        assert_eq!(out["layers"][0]["name"], "device");

        let options = json!({"time": case["time"], "nonce": "00112233445566778899", "policy": "payment",
            "appSigners": ["4cfb7423dafebc728227283ce04b8eb77f132ecbbd4eaa1e0bd9a7366dcde4b7"]});
        let out = Session::new(&pem, &options).unwrap().verify(&token);
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

    #[test]
    fn the_ear_is_in_the_chosen_form() {
        let manifest: Json = serde_json::from_slice(&read("manifest.json")).unwrap();
        let case = &manifest["cases"][0];
        let pem = String::from_utf8(read(case["anchors"].as_str().unwrap())).unwrap();
        let policy = String::from_utf8(read(case["policy"].as_str().unwrap())).unwrap();
        let token = read(case["token"].as_str().unwrap());
        let expected = &case["expected"]["appraisal"]["status"];
        let options = |profile: Json| {
            json!({"time": case["time"], "nonce": case["nonce"], "policy": policy,
                "earProfile": profile})
        };
        // Absent, null and "veraison-2023": the 2023 form.
        for profile in [Json::Null, json!("veraison-2023")] {
            let out = Session::new(&pem, &options(profile))
                .unwrap()
                .verify(&token);
            assert_eq!(&out["ear"]["ear.status"], expected);
            assert_eq!(
                out["ear"]["eat_profile"],
                "tag:github.com,2023:veraison/ear"
            );
            assert!(out["ear"].get("ear_status").is_none());
        }
        let mut absent = options(Json::Null);
        absent.as_object_mut().unwrap().remove("earProfile");
        let out = Session::new(&pem, &absent).unwrap().verify(&token);
        assert_eq!(&out["ear"]["ear.status"], expected);
        // draft-ietf-rats-ear-04.
        let out = Session::new(&pem, &options(json!("ietf-draft-04")))
            .unwrap()
            .verify(&token);
        assert_eq!(&out["ear"]["ear_status"], expected);
        assert_eq!(out["ear"]["eat_profile"], "tag:ietf.org,2026:rats/ear#04");
        assert!(out["ear"].get("ear.status").is_none());
        assert_eq!(
            out["ear"]["submods"]["device"]["ear_appraisal_policy_ids"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        // The result decodes as the same appraisal either way.
        let draft = AttestationResult::from_json(out["ear"].to_string().as_bytes()).unwrap();
        assert_eq!(draft.status.name(), expected.as_str().unwrap());
        // Anything else is refused before anything is verified.
        for bad in [
            json!("ietf-draft-03"),
            json!("Veraison-2023"),
            json!(""),
            json!(4),
            json!(true),
            json!(["ietf-draft-04"]),
        ] {
            let e = Session::new(&pem, &options(bad.clone())).unwrap_err();
            assert_eq!(e.code, BAD_OPTIONS, "{bad}");
            assert!(e.message.contains("earProfile"), "{}", e.message);
        }
    }

    #[test]
    fn bad_options_fail_with_codes() {
        let pem = String::from_utf8(read("anchors/root.pem")).unwrap();
        let e = Session::new(&pem, &json!({})).unwrap_err();
        assert_eq!(e.code, BAD_OPTIONS);
        let e = Session::new("nothing", &json!({"time": 1})).unwrap_err();
        assert_eq!(e.code, "chain.bad-anchor");
        let e = Session::new(&pem, &json!({"time": 1, "policy": "payment"})).unwrap_err();
        assert_eq!(e.code, "policy.missing-parameter");
        let e = Session::new(&pem, &json!({"time": 1, "nonce": "zz"})).unwrap_err();
        assert_eq!(e.code, BAD_OPTIONS);
        let bad = inspect(b"\xff");
        assert_eq!(bad["wellFormed"], false);
        assert_eq!(bad["problems"][0]["stage"], "cbor");
        assert_eq!(bad["problems"][1]["code"], "cbor.malformed");
        assert_eq!(bad["diagnostic"]["token"], Json::Null);
    }
}
