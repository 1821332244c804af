//! Errors as `application/problem+json` (RFC 9457), each carrying one
//! stable error code: the library's (`token.bad-signature`,
//! `replay.seen`, …) when the library refused, or one of the service's own
//! `server.*` codes below. Veraison's clients read `type`, `title`,
//! `status` and `detail`; `code` is the mtattest code.

use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// The media type of a problem.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The service's own error codes, with their HTTP status and title. The
/// library's codes keep their own names (spec §13).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerCode {
    /// A query parameter is unknown, repeated or malformed.
    BadQuery,
    /// `newSession` was given both `nonce` and `nonceSize`.
    NonceAndSize,
    /// `nonceSize` is not an integer in 8..=64.
    BadNonceSize,
    /// A nonce is not base64 or does not decode to 8..=64 bytes.
    BadNonce,
    /// The session id in the path is not a canonical UUID.
    BadSessionId,
    /// No such session (never created, deleted or expired).
    SessionNotFound,
    /// Evidence was already posted to this session.
    SessionUsed,
    /// The request has no body where one is needed.
    EmptyBody,
    /// The body is larger than the service takes.
    BodyTooLarge,
    /// The Content-Type is not one the endpoint takes.
    UnsupportedMediaType,
    /// No media type the endpoint answers with is acceptable.
    NotAcceptable,
    /// The JSON body is malformed or has unknown members.
    BadJson,
    /// The token in a JSON body is not base64.
    BadTokenEncoding,
    /// A CMW-wrapped token is not a CMW record of an accepted type.
    BadCmw,
    /// The native API's nonce was not issued here, is used or expired.
    UnknownChallenge,
    /// The store did not answer: no verdict.
    StoreUnavailable,
    /// The request took longer than the service's time limit.
    Timeout,
    /// A handler failed unexpectedly (a caught panic).
    Internal,
    /// No such endpoint.
    NotFound,
    /// The endpoint does not take this method.
    MethodNotAllowed,
}

impl ServerCode {
    /// Every code, for documentation checks.
    pub const ALL: [ServerCode; 20] = [
        ServerCode::BadQuery,
        ServerCode::NonceAndSize,
        ServerCode::BadNonceSize,
        ServerCode::BadNonce,
        ServerCode::BadSessionId,
        ServerCode::SessionNotFound,
        ServerCode::SessionUsed,
        ServerCode::EmptyBody,
        ServerCode::BodyTooLarge,
        ServerCode::UnsupportedMediaType,
        ServerCode::NotAcceptable,
        ServerCode::BadJson,
        ServerCode::BadTokenEncoding,
        ServerCode::BadCmw,
        ServerCode::UnknownChallenge,
        ServerCode::StoreUnavailable,
        ServerCode::Timeout,
        ServerCode::Internal,
        ServerCode::NotFound,
        ServerCode::MethodNotAllowed,
    ];

    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            ServerCode::BadQuery => "server.bad-query",
            ServerCode::NonceAndSize => "server.nonce-and-size",
            ServerCode::BadNonceSize => "server.bad-nonce-size",
            ServerCode::BadNonce => "server.bad-nonce",
            ServerCode::BadSessionId => "server.bad-session-id",
            ServerCode::SessionNotFound => "server.session-not-found",
            ServerCode::SessionUsed => "server.session-used",
            ServerCode::EmptyBody => "server.empty-body",
            ServerCode::BodyTooLarge => "server.body-too-large",
            ServerCode::UnsupportedMediaType => "server.unsupported-media-type",
            ServerCode::NotAcceptable => "server.not-acceptable",
            ServerCode::BadJson => "server.bad-json",
            ServerCode::BadTokenEncoding => "server.bad-token-encoding",
            ServerCode::BadCmw => "server.bad-cmw",
            ServerCode::UnknownChallenge => "server.unknown-challenge",
            ServerCode::StoreUnavailable => "server.store-unavailable",
            ServerCode::Timeout => "server.timeout",
            ServerCode::Internal => "server.internal",
            ServerCode::NotFound => "server.not-found",
            ServerCode::MethodNotAllowed => "server.method-not-allowed",
        }
    }

    /// The HTTP status it is answered with.
    pub fn status(self) -> StatusCode {
        match self {
            ServerCode::SessionNotFound | ServerCode::NotFound => StatusCode::NOT_FOUND,
            ServerCode::SessionUsed => StatusCode::CONFLICT,
            ServerCode::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ServerCode::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ServerCode::NotAcceptable => StatusCode::NOT_ACCEPTABLE,
            ServerCode::StoreUnavailable | ServerCode::Timeout => StatusCode::SERVICE_UNAVAILABLE,
            ServerCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ServerCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    fn title(self) -> &'static str {
        match self {
            ServerCode::BadQuery => "Bad query parameters",
            ServerCode::NonceAndSize => "Both nonce and nonceSize given",
            ServerCode::BadNonceSize => "Bad nonceSize",
            ServerCode::BadNonce => "Bad nonce",
            ServerCode::BadSessionId => "Bad session id",
            ServerCode::SessionNotFound => "Session not found",
            ServerCode::SessionUsed => "Evidence already submitted",
            ServerCode::EmptyBody => "Empty body",
            ServerCode::BodyTooLarge => "Body too large",
            ServerCode::UnsupportedMediaType => "Unsupported media type",
            ServerCode::NotAcceptable => "Not acceptable",
            ServerCode::BadJson => "Bad JSON body",
            ServerCode::BadTokenEncoding => "Bad token encoding",
            ServerCode::BadCmw => "Bad CMW",
            ServerCode::UnknownChallenge => "Unknown challenge",
            ServerCode::StoreUnavailable => "Store unavailable",
            ServerCode::Timeout => "Request timed out",
            ServerCode::Internal => "Internal error",
            ServerCode::NotFound => "Not found",
            ServerCode::MethodNotAllowed => "Method not allowed",
        }
    }
}

/// A problem to answer with (boxed: it travels in every `Result`).
#[derive(Debug, Clone)]
pub struct Problem(Box<Details>);

#[derive(Debug, Clone)]
struct Details {
    status: StatusCode,
    code: String,
    title: &'static str,
    detail: String,
    header: Option<(HeaderName, HeaderValue)>,
}

impl Problem {
    /// A problem of the service's own.
    pub fn new(code: ServerCode, detail: impl Into<String>) -> Problem {
        Problem(Box::new(Details {
            status: code.status(),
            code: code.code().to_string(),
            title: code.title(),
            detail: detail.into(),
            header: None,
        }))
    }

    /// The library refused: its code, and 400 — except when its replay
    /// store could not answer or is full (503: no verdict, try later) and
    /// for faults of the service itself (500).
    pub fn from_library(error: &mtattest::Error) -> Problem {
        let code = error.code();
        let (status, title) = match code {
            "replay.store-unavailable" | "replay.cache-full" => {
                (StatusCode::SERVICE_UNAVAILABLE, "Replay store unavailable")
            }
            "config.unknown-policy" => (StatusCode::BAD_REQUEST, "Unknown policy"),
            c if c.starts_with("ear.") || c.starts_with("crypto.") => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Result could not be signed",
            ),
            _ => (StatusCode::BAD_REQUEST, "Token refused"),
        };
        Problem(Box::new(Details {
            status,
            code: code.to_string(),
            title,
            detail: error.to_string(),
            header: None,
        }))
    }

    /// The store could not answer.
    pub fn store(error: &crate::store::StoreError) -> Problem {
        Problem::new(ServerCode::StoreUnavailable, error.to_string())
    }

    /// Adds a header (`Accept` on a 415).
    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Problem {
        self.0.header = Some((name, value));
        self
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.0.status
    }

    /// The error code.
    pub fn code(&self) -> &str {
        &self.0.code
    }

    /// The explanation.
    pub fn detail(&self) -> &str {
        &self.0.detail
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let Problem(details) = self;
        let body = json!({
            "type": format!("tag:mtattest.dev,2026:problem:{}", details.code),
            "title": details.title,
            "status": details.status.as_u16(),
            "detail": details.detail,
            "code": details.code,
        });
        let mut response = (
            details.status,
            [(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON))],
            body.to_string(),
        )
            .into_response();
        if let Some((name, value)) = details.header {
            response.headers_mut().insert(name, value);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_in_the_server_family() {
        let mut seen = std::collections::BTreeSet::new();
        for c in ServerCode::ALL {
            assert!(c.code().starts_with("server."), "{}", c.code());
            assert!(seen.insert(c.code()), "{} twice", c.code());
        }
    }
}
