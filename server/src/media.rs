//! Media types: what evidence the service takes (RFC 9782's
//! `application/eat+cwt` with this profile's `eat_profile`, bare, or wrapped
//! in a CMW record), and which response type an `Accept` header asks for.

use axum::http::{header, HeaderMap, HeaderValue};
use base64::Engine as _;
use ciborium::Value;
use mime::Mime;

use crate::problem::{Problem, ServerCode};

/// The token's media type with this profile's parameter (RFC 9782).
pub const EAT_CWT_PROFILED: &str =
    "application/eat+cwt; eat_profile=\"tag:mtattest.dev,2026:eat/v1\"";
/// The token's media type without parameters.
pub const EAT_CWT: &str = "application/eat+cwt";
/// A CMW record in JSON (`[type, base64url value]`) wrapping a token.
pub const CMW_JSON: &str = "application/cmw+json";
/// A CMW record in CBOR (`[type, bytes]`) wrapping a token.
pub const CMW_CBOR: &str = "application/cmw+cbor";

/// The evidence media types, in the order the service lists them.
pub const EVIDENCE_TYPES: [&str; 4] = [EAT_CWT_PROFILED, EAT_CWT, CMW_JSON, CMW_CBOR];

/// The session resource's media type.
pub const SESSION_JSON: &str = "application/vnd.veraison.challenge-response-session+json";
/// The discovery document's media type.
pub const DISCOVERY_JSON: &str = "application/vnd.veraison.discovery+json";

/// How a body carries the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvidenceForm {
    /// The token's bytes.
    Token,
    /// A JSON CMW record.
    CmwJson,
    /// A CBOR CMW record.
    CmwCbor,
}

/// Whether `media_type` names the token itself: `application/eat+cwt`
/// bare or with exactly this profile's `eat_profile`, nothing else.
fn is_token_type(media_type: &Mime) -> bool {
    if media_type.type_() != mime::APPLICATION || media_type.subtype().as_str() != "eat" {
        return false;
    }
    if media_type.suffix().map(|s| s.as_str()) != Some("cwt") {
        return false;
    }
    media_type.params().all(|(name, value)| {
        name.as_str().eq_ignore_ascii_case("eat_profile")
            && value.as_str() == mtattest::claims::keys::PROFILE_V1
    })
}

/// The form of evidence posted with `content_type`, if the service takes
/// it.
pub fn evidence_form(content_type: &str) -> Option<EvidenceForm> {
    let parsed: Mime = content_type.parse().ok()?;
    if is_token_type(&parsed) {
        return Some(EvidenceForm::Token);
    }
    if parsed.params().next().is_some() {
        return None;
    }
    match parsed.essence_str() {
        CMW_JSON => Some(EvidenceForm::CmwJson),
        CMW_CBOR => Some(EvidenceForm::CmwCbor),
        _ => None,
    }
}

/// The 415 answer: the accepted types in an `Accept` header.
pub fn unsupported(content_type: Option<&str>, accepted: &[&str]) -> Problem {
    let listed = accepted.join(", ");
    let detail = match content_type {
        Some(t) => format!("Content-Type {t:?} is not accepted; accepted: {listed}"),
        None => format!("no Content-Type; accepted: {listed}"),
    };
    let problem = Problem::new(ServerCode::UnsupportedMediaType, detail);
    match HeaderValue::from_str(&listed) {
        Ok(v) => problem.with_header(header::ACCEPT, v),
        Err(_) => problem,
    }
}

/// The request's Content-Type as text, if it has one that is text.
pub fn content_type(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
}

/// The token inside a body of `form`.
pub fn unwrap_evidence(form: EvidenceForm, body: &[u8]) -> Result<Vec<u8>, Problem> {
    let bad = |why: &str| Problem::new(ServerCode::BadCmw, why.to_string());
    let (media_type, value) = match form {
        EvidenceForm::Token => return Ok(body.to_vec()),
        EvidenceForm::CmwJson => {
            let record: Vec<serde_json::Value> = serde_json::from_slice(body)
                .map_err(|_| bad("a JSON CMW record is an array [type, value]"))?;
            let [t, v] = record.as_slice() else {
                return Err(bad(
                    "a CMW record here is [type, value], without an indicator",
                ));
            };
            let (Some(t), Some(v)) = (t.as_str(), v.as_str()) else {
                return Err(bad("the record's type and value are strings"));
            };
            let value = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(v)
                .map_err(|_| bad("the record's value is base64url without padding"))?;
            (t.to_string(), value)
        }
        EvidenceForm::CmwCbor => {
            let limits = mtattest::Limits::default();
            let item = mtattest::cbor::decode_strict(body, &limits)
                .map_err(|e| bad(&format!("not one strict CBOR item: {e}")))?;
            let Value::Array(record) = item else {
                return Err(bad("a CBOR CMW record is an array [type, value]"));
            };
            let [t, v] = record.as_slice() else {
                return Err(bad(
                    "a CMW record here is [type, value], without an indicator",
                ));
            };
            let (Value::Text(t), Value::Bytes(v)) = (t, v) else {
                return Err(bad("the record's type is text and its value a byte string"));
            };
            (t.clone(), v.clone())
        }
    };
    match media_type.parse::<Mime>() {
        Ok(inner) if is_token_type(&inner) => Ok(value),
        _ => Err(bad(&format!(
            "the record's type {media_type:?} is not {EAT_CWT_PROFILED} or {EAT_CWT}"
        ))),
    }
}

/// Splits a header list at the commas outside quoted strings.
fn split_list(value: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (i, c) in value.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ',' if !quoted => {
                parts.push(&value[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&value[start..]);
    parts
}

/// Whether the media range `range` (from `Accept`) covers `offer`: types
/// match or are `*`, and every parameter of the range but `q` is one of
/// the offer's with the same value.
fn covers(range: &Mime, offer: &Mime) -> bool {
    let type_ok = range.type_() == mime::STAR
        || (range.type_() == offer.type_()
            && (range.subtype() == mime::STAR
                || (range.subtype() == offer.subtype() && range.suffix() == offer.suffix())));
    type_ok
        && range
            .params()
            .filter(|(n, _)| !n.as_str().eq_ignore_ascii_case("q"))
            .all(|(n, v)| {
                offer
                    .params()
                    .any(|(on, ov)| on.as_str().eq_ignore_ascii_case(n.as_str()) && ov == v)
            })
}

/// The quality of a range, in thousandths (RFC 9110 §12.4.2); a malformed
/// `q` makes the range ignored.
fn quality(range: &Mime) -> Option<u16> {
    match range
        .params()
        .find(|(n, _)| n.as_str().eq_ignore_ascii_case("q"))
    {
        None => Some(1000),
        Some((_, v)) => {
            let q: f64 = v.as_str().parse().ok()?;
            (0.0..=1.0)
                .contains(&q)
                .then(|| (q * 1000.0).round() as u16)
        }
    }
}

/// Which of `offers` (the service's preference first) the request's
/// `Accept` asks for: the one of highest quality, the earlier on a tie.
/// Without `Accept`, the first. Malformed ranges are ignored; when nothing
/// acceptable is offered, 406.
pub fn negotiate(headers: &HeaderMap, offers: &[&str]) -> Result<usize, Problem> {
    let values: Vec<&str> = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let ranges: Vec<(Mime, u16)> = values
        .iter()
        .flat_map(|v| split_list(v))
        .filter_map(|r| {
            let r = r.trim();
            let m: Mime = r.parse().ok()?;
            let q = quality(&m)?;
            Some((m, q))
        })
        .collect();
    if values.iter().all(|v| v.trim().is_empty()) {
        return Ok(0);
    }
    let parsed: Vec<Mime> = offers.iter().filter_map(|o| o.parse().ok()).collect();
    let mut best: Option<(usize, u16)> = None;
    for (i, offer) in parsed.iter().enumerate() {
        // The most specific covering range decides the offer's quality.
        let q = ranges
            .iter()
            .filter(|(r, _)| covers(r, offer))
            .max_by_key(|(r, _)| specificity(r))
            .map(|(_, q)| *q)
            .unwrap_or(0);
        if q > 0 && best.map_or(true, |(_, bq)| q > bq) {
            best = Some((i, q));
        }
    }
    best.map(|(i, _)| i).ok_or_else(|| {
        Problem::new(
            ServerCode::NotAcceptable,
            format!(
                "Accept {:?} allows none of: {}",
                values.join(", "),
                offers.join(", ")
            ),
        )
    })
}

fn specificity(range: &Mime) -> (u8, usize) {
    let level = if range.type_() == mime::STAR {
        0
    } else if range.subtype() == mime::STAR {
        1
    } else {
        2
    };
    let params = range
        .params()
        .filter(|(n, _)| !n.as_str().eq_ignore_ascii_case("q"))
        .count();
    (level, params)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn token_types() {
        for t in [
            EAT_CWT_PROFILED,
            EAT_CWT,
            "application/eat+cwt;eat_profile=\"tag:mtattest.dev,2026:eat/v1\"",
            "Application/EAT+CWT",
        ] {
            assert_eq!(evidence_form(t), Some(EvidenceForm::Token), "{t}");
        }
        for t in [
            "application/eat+cwt; eat_profile=\"tag:other,2026:x\"",
            "application/eat+cwt; charset=utf-8",
            "application/eat+jwt",
            "application/cwt",
            "application/octet-stream",
            "",
            "application/cmw+json; foo=bar",
        ] {
            assert_eq!(evidence_form(t), None, "{t}");
        }
        assert_eq!(evidence_form(CMW_JSON), Some(EvidenceForm::CmwJson));
        assert_eq!(evidence_form(CMW_CBOR), Some(EvidenceForm::CmwCbor));
    }

    #[test]
    fn cmw_records() {
        let json = format!(r#"["{}", "0oQ"]"#, EAT_CWT_PROFILED.replace('"', "\\\""));
        assert_eq!(
            unwrap_evidence(EvidenceForm::CmwJson, json.as_bytes()).unwrap(),
            vec![0xd2, 0x84]
        );
        let other = r#"["application/psa-attestation-token", "0oQ"]"#;
        assert_eq!(
            unwrap_evidence(EvidenceForm::CmwJson, other.as_bytes())
                .unwrap_err()
                .code(),
            "server.bad-cmw"
        );
        // [ "application/eat+cwt", h'd284' ]
        let cbor = [
            &[0x82, 0x73][..],
            b"application/eat+cwt",
            &[0x42, 0xd2, 0x84],
        ]
        .concat();
        assert_eq!(
            unwrap_evidence(EvidenceForm::CmwCbor, &cbor).unwrap(),
            vec![0xd2, 0x84]
        );
        let trailing = [cbor.as_slice(), &[0x00]].concat();
        assert!(unwrap_evidence(EvidenceForm::CmwCbor, &trailing).is_err());
    }

    #[test]
    fn accept_negotiation() {
        let offers = ["application/json", "application/eat+jwt"];
        assert_eq!(negotiate(&HeaderMap::new(), &offers).unwrap(), 0);
        assert_eq!(negotiate(&accept("*/*"), &offers).unwrap(), 0);
        assert_eq!(
            negotiate(&accept("application/eat+jwt"), &offers).unwrap(),
            1
        );
        assert_eq!(
            negotiate(
                &accept("application/json;q=0.5, application/eat+jwt"),
                &offers
            )
            .unwrap(),
            1
        );
        assert_eq!(
            negotiate(
                &accept("application/*;q=0.1, application/eat+jwt;q=0"),
                &offers
            )
            .unwrap(),
            0
        );
        // A quoted comma does not split the range.
        let profiled = ["application/eat+jwt; eat_profile=\"tag:github.com,2023:veraison/ear\""];
        assert_eq!(
            negotiate(
                &accept("application/eat+jwt; eat_profile=\"tag:github.com,2023:veraison/ear\""),
                &profiled
            )
            .unwrap(),
            0
        );
        assert_eq!(
            negotiate(&accept("text/html"), &offers).unwrap_err().code(),
            "server.not-acceptable"
        );
        assert_eq!(
            negotiate(&accept("application/json;q=0"), &offers[..1])
                .unwrap_err()
                .code(),
            "server.not-acceptable"
        );
    }
}
