//! The JS `options` object, deserialised and translated member by member
//! into the library's [`VerifierConfig`], values exactly as given: the
//! library decides what is empty, unknown or malformed, so the bindings
//! refuse what the CLI and the C ABI refuse, with the same codes. And the
//! per-call arguments (`time`, `nonce`).

use mtattest::config::{
    challenge_from_hex, AndroidConfig, ConfigError, DerSource, JsonSource, PolicyConfig,
    ReplayConfig, VerifierConfig,
};
use mtattest::UnixTime;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value as Json};

/// The members of `options` (camelCase), each optional; `null` is absent.
/// Any other member is refused (`config.syntax`).
pub const MEMBERS: [&str; 19] = [
    "crls",
    "statusList",
    "allowedAlgorithms",
    "requireProtectedX5chain",
    "requireNonce",
    "crlGraceSecs",
    "maxAgeSecs",
    "clockSkewSecs",
    "policy",
    "appSigners",
    "bulletins",
    "earProfile",
    "crypto",
    "chainCacheSize",
    "replayPeakRate",
    "googleRoots",
    "androidAnchors",
    "androidChallenge",
    "androidMinSecurityLevel",
];

/// `options.time`, `options.nonce` and `options.enrolmentChallenge`: per
/// call, so a `Verifier` takes them in `verify(token, {time, nonce,
/// enrolmentChallenge})`, not when it is made.
const CALL_MEMBERS: [&str; 3] = ["time", "nonce", "enrolmentChallenge"];

/// The configuration `anchors_pem` and `options` describe. `null` options
/// are none; anything but an object is refused.
pub fn config(anchors_pem: &str, options: &Json) -> Result<VerifierConfig, mtattest::Error> {
    let empty = Map::new();
    let members = match options {
        Json::Null => &empty,
        Json::Object(members) => members,
        _ => return Err(syntax("options must be an object".into())),
    };
    for name in members.keys() {
        if CALL_MEMBERS.contains(&name.as_str()) {
            return Err(syntax(format!(
                "options.{name} belongs to each call: give it to verify(token, {{time, nonce}})"
            )));
        }
        if !MEMBERS.contains(&name.as_str()) {
            return Err(syntax(format!(
                "options.{name} is unknown (known: {})",
                MEMBERS.join(", ")
            )));
        }
    }
    let texts =
        |name: &str| -> Result<Option<Vec<String>>, mtattest::Error> { member(members, name) };
    let text = |name: &str| -> Result<Option<String>, mtattest::Error> { member(members, name) };
    let policies = match (text("policy")?, texts("appSigners")?) {
        (Some(policy), signers) => {
            let mut policy = PolicyConfig::preset_or_json(&policy);
            policy.app_signers = signers.map(|s| s.into_iter().map(Into::into).collect());
            Some([("options.policy".to_string(), policy)].into())
        }
        (None, Some(_)) => {
            return Err(ConfigError::BadValue {
                field: "appSigners".into(),
                reason: "app signers belong to a policy: give options.policy".into(),
            }
            .into())
        }
        (None, None) => None,
    };
    Ok(VerifierConfig {
        anchors: Some(vec![DerSource::Pem(anchors_pem.into())]),
        crls: texts("crls")?.map(|list| {
            list.into_iter()
                .map(|hex| DerSource::Der(hex.into()))
                .collect()
        }),
        status_list: text("statusList")?.map(|json| JsonSource::Json(json.into())),
        require_protected_x5chain: member(members, "requireProtectedX5chain")?,
        crl_grace_secs: member(members, "crlGraceSecs")?,
        allowed_algorithms: texts("allowedAlgorithms")?
            .map(|a| a.into_iter().map(Into::into).collect()),
        max_age_secs: member(members, "maxAgeSecs")?,
        clock_skew_secs: member(members, "clockSkewSecs")?,
        require_nonce: member(members, "requireNonce")?,
        limits: None,
        replay: member(members, "replayPeakRate")?.map(|rate| ReplayConfig {
            peak_rate: Some(rate),
        }),
        chain_cache_size: member(members, "chainCacheSize")?,
        policies,
        default_policy: None,
        bulletins: text("bulletins")?.map(|json| JsonSource::Json(json.into())),
        ear_profile: text("earProfile")?.map(Into::into),
        verifier_id: None,
        crypto: text("crypto")?.map(Into::into),
        status_list_fetched_at: None,
        status_list_max_age_secs: None,
        status_list_grace_secs: None,
        accept_suspended: None,
        android: android(members)?,
    })
}

/// `googleRoots` (bool) and `androidAnchors` (PEM text): the Android
/// anchors (spec §17.3.2); `androidChallenge` (`per-token` or `enrolled`,
/// spec §17.6) and `androidMinSecurityLevel` (`tee` or `strongbox`, §17.4).
fn android(members: &Map<String, Json>) -> Result<Option<AndroidConfig>, mtattest::Error> {
    let google: Option<bool> = member(members, "googleRoots")?;
    let pem: Option<String> = member(members, "androidAnchors")?;
    let challenge: Option<String> = member(members, "androidChallenge")?;
    let level: Option<String> = member(members, "androidMinSecurityLevel")?;
    if google.is_none() && pem.is_none() && challenge.is_none() && level.is_none() {
        return Ok(None);
    }
    Ok(Some(AndroidConfig {
        anchors: pem.map(|p| vec![DerSource::Pem(p.into())]),
        google_roots: google,
        challenge: challenge.map(Into::into),
        min_security_level: level.map(Into::into),
    }))
}

/// One member of `options`, read as its type (`config.syntax` naming the
/// member otherwise); absent and `null` are `None`.
fn member<T: DeserializeOwned>(
    members: &Map<String, Json>,
    name: &str,
) -> Result<Option<T>, mtattest::Error> {
    match members.get(name) {
        None | Some(Json::Null) => Ok(None),
        Some(value) => T::deserialize(value)
            .map(Some)
            .map_err(|e| syntax(format!("options.{name}: {e}"))),
    }
}

/// The arguments of one verification: `time` (required: whole seconds
/// since 1970 from the caller's clock) and `nonce` (the challenge, hex;
/// absent or `null` for none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// The verification time.
    pub now: UnixTime,
    /// The challenge's bytes.
    pub nonce: Option<Vec<u8>>,
    /// The enrolment challenge of an enrolled key (spec §17.6).
    pub enrolment_challenge: Option<Vec<u8>>,
}

/// Reads the call's members out of `members`, which may hold others (the
/// one-shot `verify` takes them with the options); returns the rest.
pub fn split_call(options: &Json) -> Result<(Call, Json), mtattest::Error> {
    let mut rest = match options {
        Json::Object(members) => members.clone(),
        Json::Null => Default::default(),
        _ => return Err(syntax("options must be an object".into())),
    };
    let time = rest.remove("time");
    let nonce = rest.remove("nonce");
    let enrolment = rest.remove("enrolmentChallenge");
    let call = call_of(time.as_ref(), nonce.as_ref(), enrolment.as_ref())?;
    let rest = if rest.is_empty() && options.is_null() {
        Json::Null
    } else {
        Json::Object(rest)
    };
    Ok((call, rest))
}

/// The `{time, nonce}` object of `Verifier.verify`.
pub fn call(call: &Json) -> Result<Call, mtattest::Error> {
    let Json::Object(members) = call else {
        return Err(syntax(
            "the call's arguments are an object: {time, nonce, enrolmentChallenge}".into(),
        ));
    };
    if let Some(other) = members.keys().find(|k| !CALL_MEMBERS.contains(&k.as_str())) {
        return Err(syntax(format!(
            "unknown member {other:?} of the call (time, nonce, enrolmentChallenge)"
        )));
    }
    call_of(
        members.get("time"),
        members.get("nonce"),
        members.get("enrolmentChallenge"),
    )
}

fn call_of(
    time: Option<&Json>,
    nonce: Option<&Json>,
    enrolment: Option<&Json>,
) -> Result<Call, mtattest::Error> {
    let now = match time {
        Some(Json::Number(n)) => n.as_i64().ok_or_else(|| {
            mtattest::Error::from(ConfigError::BadValue {
                field: "time".into(),
                reason: format!(
                    "{n} is not a whole number of seconds (Math.floor(Date.now() / 1000))"
                ),
            })
        })?,
        None | Some(Json::Null) => {
            return Err(syntax(
                "time (seconds since 1970 from the caller's clock, e.g. \
                 Math.floor(Date.now() / 1000)) is required: the library reads no clock"
                    .into(),
            ))
        }
        Some(other) => return Err(syntax(format!("time must be a number, not {other}"))),
    };
    let nonce = match nonce {
        None | Some(Json::Null) => None,
        Some(Json::String(hex)) => Some(challenge_from_hex(hex)?),
        Some(other) => return Err(syntax(format!("nonce must be hex text, not {other}"))),
    };
    let enrolment_challenge = match enrolment {
        None | Some(Json::Null) => None,
        Some(Json::String(hex)) => Some(challenge_from_hex(hex)?),
        Some(other) => {
            return Err(syntax(format!(
                "enrolmentChallenge must be hex text, not {other}"
            )))
        }
    };
    Ok(Call {
        now: UnixTime::from_secs(now),
        nonce,
        enrolment_challenge,
    })
}

fn syntax(reason: String) -> mtattest::Error {
    ConfigError::Syntax { reason }.into()
}
