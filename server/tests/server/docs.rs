//! The documents tell the truth: `openapi.yaml` lists exactly the paths the
//! service serves and every method it takes there, the README and the
//! OpenAPI document name every `server.*` code and no other, and the
//! README's curl session is `examples/curl-session.sh`.

use std::collections::BTreeSet;

use mtattest_server::problem::ServerCode;
use mtattest_server::routes::PATHS;

use crate::common::{client, send, Config, Server};

const OPENAPI: &str = include_str!("../../openapi.yaml");
const README: &str = include_str!("../../README.md");
const CURL_SESSION: &str = include_str!("../../examples/curl-session.sh");

/// `/a/{x}` and `/a/{y}` are one path.
fn normal(path: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push_str("{}");
            }
            '}' => in_param = false,
            _ if in_param => {}
            c => out.push(c),
        }
    }
    out
}

/// The paths of the OpenAPI document and their methods.
fn openapi_paths() -> Vec<(String, Vec<String>)> {
    let mut paths: Vec<(String, Vec<String>)> = Vec::new();
    let mut in_paths = false;
    for line in OPENAPI.lines() {
        if line == "paths:" {
            in_paths = true;
            continue;
        }
        if in_paths && !line.starts_with(' ') && !line.is_empty() {
            break;
        }
        if let Some(p) = line.strip_prefix("  /").and_then(|l| l.strip_suffix(':')) {
            paths.push((format!("/{p}"), Vec::new()));
        } else if let Some(m) = line.strip_prefix("    ").and_then(|l| l.strip_suffix(':')) {
            if ["get", "post", "put", "delete", "patch"].contains(&m) {
                if let Some(last) = paths.last_mut() {
                    last.1.push(m.to_uppercase());
                }
            }
        }
    }
    paths
}

/// The `server.*` codes `text` names: in backquotes in Markdown (where
/// `[server.ear]` is a table), as words in the OpenAPI document.
fn server_codes(text: &str, backquoted: bool) -> BTreeSet<String> {
    if backquoted {
        return text
            .split('`')
            .skip(1)
            .step_by(2)
            .filter(|w| w.starts_with("server.") && !w.contains([' ', '[']))
            .map(str::to_string)
            .collect();
    }
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'))
        .filter(|w| w.starts_with("server.") && w.len() > "server.".len())
        .map(|w| w.trim_end_matches('.').to_string())
        .collect()
}

#[test]
fn openapi_lists_exactly_the_served_paths() {
    let documented: BTreeSet<String> = openapi_paths().iter().map(|(p, _)| normal(p)).collect();
    let served: BTreeSet<String> = PATHS.iter().map(|p| normal(p)).collect();
    assert_eq!(documented, served);
}

#[tokio::test]
async fn every_documented_method_is_served_and_no_other() {
    let config = Config::new("", "");
    let server = Server::start(&config.path);
    for (path, methods) in openapi_paths() {
        let path = path.replace("{sessionId}", "8d5b6b3e-2f0a-4c55-9f0e-0c8a1f4c2b11");
        for method in ["GET", "POST", "PUT", "DELETE", "PATCH"] {
            let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
            let r = send(client().request(m, server.url(&path))).await;
            let code = serde_json::from_slice::<serde_json::Value>(&r.body)
                .ok()
                .and_then(|v| v["code"].as_str().map(str::to_string));
            if methods.iter().any(|d| d == method) {
                assert!(
                    !matches!(r.status, 404 | 405)
                        || code.as_deref() == Some("server.session-not-found"),
                    "{method} {path}: {} {code:?}",
                    r.status
                );
            } else {
                assert_eq!(r.status, 405, "{method} {path} is not documented");
            }
        }
    }
}

#[test]
fn the_readme_and_openapi_name_every_server_code_and_no_other() {
    let codes: BTreeSet<String> = ServerCode::ALL
        .iter()
        .map(|c| c.code().to_string())
        .collect();
    assert_eq!(server_codes(README, true), codes, "README.md");
    assert_eq!(server_codes(OPENAPI, false), codes, "openapi.yaml");
}

#[test]
fn the_readmes_curl_session_is_the_script() {
    assert!(
        README.contains(CURL_SESSION),
        "README.md must carry examples/curl-session.sh verbatim"
    );
}
