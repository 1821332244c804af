//! The `network` layer (spec §6.9a, §6.10, §12): its keys, value sets, the
//! `wifi-security` / `connection` rule, the JSON form and the text rendering.
//! Keys, codes and names below are written from the spec's tables, not read
//! from the library's constants.

use ciborium::value::Value;
use mtattest::claims::*;
use mtattest::crypto::{Algorithm, SoftwareSigner};
use mtattest::token::TokenBuilder;
use mtattest::{ClaimsError, Error, Limits};
use serde_json::json;

const IAT: i64 = 1_790_000_000;

const EVIDENCE_SOURCE: i64 = -80000;
const CONNECTION: i64 = -80090;
const WIFI_SECURITY: i64 = -80091;
const PROXY: i64 = -80092;
const VPN: i64 = -80093;
const PRIVATE_DNS: i64 = -80094;
const USER_CA_CERTIFICATES: i64 = -80095;
const MEASRES: i64 = 274;
const SUBMODS: i64 = 266;
const PROFILE: i64 = 265;
const IAT_KEY: i64 = 6;

fn int(n: i64) -> Value {
    Value::Integer(n.into())
}

fn text(s: &str) -> Value {
    Value::Text(s.into())
}

fn layer(entries: Vec<(i64, Value)>) -> Value {
    Value::Map(entries.into_iter().map(|(k, v)| (int(k), v)).collect())
}

/// A claims set whose only layer is `network` with `entries`.
fn with_network(entries: Vec<(i64, Value)>) -> Value {
    Value::Map(vec![
        (int(PROFILE), text("tag:mtattest.dev,2026:eat/v1")),
        (int(IAT_KEY), int(IAT)),
        (
            int(SUBMODS),
            Value::Map(vec![(text("network"), layer(entries))]),
        ),
    ])
}

fn source_and(mut more: Vec<(i64, Value)>) -> Vec<(i64, Value)> {
    more.insert(0, (EVIDENCE_SOURCE, int(0)));
    more
}

fn decode(v: &Value) -> Result<ClaimsSet, ClaimsError> {
    let bytes = mtattest::cbor::encode(v);
    let from_bytes = ClaimsSet::from_cbor(&bytes, &Limits::DEFAULT);
    let from_value = ClaimsSet::from_value(v);
    match (&from_value, from_bytes) {
        (Ok(a), Ok(b)) => assert_eq!(*a, b),
        (Err(a), Err(Error::Claims(b))) => assert_eq!(*a, b),
        (a, b) => panic!("from_value gave {a:?}, from_cbor {b:?}"),
    }
    from_value
}

fn err_path(err: &ClaimsError) -> &str {
    match err {
        ClaimsError::WrongType { path, .. }
        | ClaimsError::InvalidValue { path, .. }
        | ClaimsError::Missing { path } => path,
        _ => "",
    }
}

#[track_caller]
fn assert_refused(v: &Value, code: &str, path: &str) {
    let err = decode(v).expect_err("accepted");
    assert_eq!((err.code(), err_path(&err)), (code, path), "{err}");
}

fn intercepted_open_wifi() -> NetworkLayer {
    NetworkLayer::builder(EvidenceSource::Software)
        .wifi(WifiSecurity::Open)
        .proxy(true)
        .vpn(false)
        .private_dns(false)
        .user_ca_certificates(2)
        .detection("tls-interception", MeasResult::Fail)
        .detection("dns-tampering", MeasResult::Success)
        .build()
}

#[test]
fn the_layer_encodes_under_the_keys_of_the_spec() {
    let set = ClaimsSet::builder(IAT)
        .network(intercepted_open_wifi())
        .build();
    let expected = with_network(vec![
        (EVIDENCE_SOURCE, int(0)),
        (CONNECTION, int(2)),
        (WIFI_SECURITY, int(0)),
        (PROXY, Value::Bool(true)),
        (VPN, Value::Bool(false)),
        (PRIVATE_DNS, Value::Bool(false)),
        (USER_CA_CERTIFICATES, int(2)),
        (
            MEASRES,
            Value::Array(vec![Value::Array(vec![
                text("mtattest"),
                Value::Array(vec![
                    Value::Array(vec![text("tls-interception"), int(2)]),
                    Value::Array(vec![text("dns-tampering"), int(1)]),
                ]),
            ])]),
        ),
    ]);
    // Deterministic encoding orders the keys; compare the decoded models and
    // the bytes of the deterministic re-encoding.
    let decoded = decode(&expected).expect("the spec's layer decodes");
    assert_eq!(decoded, set);
    assert_eq!(set.to_cbor(), decoded.to_cbor());
    let network = decoded.network.as_ref().expect("network layer");
    assert_eq!(network.connection, Some(Connection::Wifi));
    assert_eq!(network.wifi_security, Some(WifiSecurity::Open));
    assert_eq!(network.user_ca_certificates, Some(2));
    assert_eq!(
        network.detection("tls-interception"),
        Some(MeasResult::Fail)
    );
    assert!(decoded.unknown_claims().is_empty());
}

#[test]
fn every_value_of_the_value_sets_round_trips() {
    let connections = [
        (0, "none"),
        (1, "cellular"),
        (2, "wifi"),
        (3, "ethernet"),
        (4, "other"),
    ];
    for (code, name) in connections {
        let v = with_network(source_and(vec![(CONNECTION, int(code))]));
        let set = decode(&v).expect(name);
        let c = set.network.as_ref().and_then(|l| l.connection).expect(name);
        assert_eq!(c.name(), name);
        assert_eq!(set.to_json()["submods"]["network"]["connection"], name);
        assert_eq!(ClaimsSet::from_json(&set.to_json()), Ok(set));
    }
    let securities = [
        (0, "open"),
        (1, "wep"),
        (2, "wpa"),
        (3, "wpa2"),
        (4, "wpa3"),
        (5, "enterprise"),
    ];
    for (code, name) in securities {
        let v = with_network(source_and(vec![
            (CONNECTION, int(2)),
            (WIFI_SECURITY, int(code)),
        ]));
        let set = decode(&v).expect(name);
        let s = set.network.as_ref().and_then(|l| l.wifi_security);
        assert_eq!(s.map(|s| s.name()), Some(name));
        assert_eq!(set.to_json()["submods"]["network"]["wifi-security"], name);
        assert_eq!(ClaimsSet::from_json(&set.to_json()), Ok(set));
    }
}

#[test]
fn a_layer_with_only_its_evidence_source_reports_nothing() {
    let set = decode(&with_network(source_and(vec![]))).expect("valid");
    let l = set.network.expect("network");
    assert_eq!(
        (l.connection, l.wifi_security, l.proxy, l.vpn, l.private_dns),
        (None, None, None, None, None)
    );
    // Absent means not observable, never zero (§6.9a).
    assert_eq!(l.user_ca_certificates, None);
    assert_eq!(l.detection("tls-interception"), None);
}

#[test]
fn every_invalid_value_and_type_is_refused_with_its_path() {
    let p = |name: &str| format!("submods.network.{name}");
    let cases: Vec<(i64, Value, &str, String)> = vec![
        (CONNECTION, int(5), "claims.invalid-value", p("connection")),
        (CONNECTION, int(-1), "claims.invalid-value", p("connection")),
        (
            CONNECTION,
            text("wifi"),
            "claims.wrong-type",
            p("connection"),
        ),
        (
            CONNECTION,
            Value::Bool(true),
            "claims.wrong-type",
            p("connection"),
        ),
        (PROXY, int(1), "claims.wrong-type", p("proxy")),
        (PROXY, Value::Null, "claims.wrong-type", p("proxy")),
        (VPN, text("yes"), "claims.wrong-type", p("vpn")),
        (PRIVATE_DNS, int(0), "claims.wrong-type", p("private-dns")),
        (
            USER_CA_CERTIFICATES,
            int(-1),
            "claims.invalid-value",
            p("user-ca-certificates"),
        ),
        (
            USER_CA_CERTIFICATES,
            Value::Bool(false),
            "claims.wrong-type",
            p("user-ca-certificates"),
        ),
        (
            USER_CA_CERTIFICATES,
            Value::Tag(2, Box::new(Value::Bytes(vec![1]))),
            "claims.wrong-type",
            p("user-ca-certificates"),
        ),
        (
            USER_CA_CERTIFICATES,
            Value::Float(1.0),
            "claims.wrong-type",
            p("user-ca-certificates"),
        ),
        (
            EVIDENCE_SOURCE,
            int(3),
            "claims.invalid-value",
            p("evidence-source"),
        ),
    ];
    for (key, value, code, path) in cases {
        let mut entries = source_and(vec![]);
        entries.retain(|(k, _)| *k != key);
        entries.push((key, value));
        assert_refused(&with_network(entries), code, &path);
    }
    // wifi-security: out of its set, the wrong type (with connection wifi).
    for (value, code) in [
        (int(6), "claims.invalid-value"),
        (text("wpa3"), "claims.wrong-type"),
    ] {
        let v = with_network(source_and(vec![
            (CONNECTION, int(2)),
            (WIFI_SECURITY, value),
        ]));
        assert_refused(&v, code, &p("wifi-security"));
    }
}

#[test]
fn the_evidence_source_is_required() {
    let v = with_network(vec![(CONNECTION, int(1))]);
    assert_refused(&v, "claims.missing", "submods.network.evidence-source");
}

#[test]
fn wifi_security_needs_connection_wifi() {
    let path = "submods.network.wifi-security";
    // Without connection, and with every connection but wifi.
    let alone = with_network(source_and(vec![(WIFI_SECURITY, int(4))]));
    assert_refused(&alone, "claims.invalid-value", path);
    for other in [0, 1, 3, 4] {
        let v = with_network(source_and(vec![
            (CONNECTION, int(other)),
            (WIFI_SECURITY, int(4)),
        ]));
        assert_refused(&v, "claims.invalid-value", path);
    }
    // Wi-Fi without a reported security is valid.
    let wifi = with_network(source_and(vec![(CONNECTION, int(2))]));
    assert!(decode(&wifi).is_ok());
}

#[test]
fn wifi_security_without_wifi_is_refused_in_json_too() {
    let claims = json!({
        "eat-profile": "tag:mtattest.dev,2026:eat/v1",
        "iat": IAT,
        "submods": {"network": {
            "evidence-source": "software",
            "connection": "cellular",
            "wifi-security": "wpa2"
        }}
    });
    let err = ClaimsSet::from_json(&claims).expect_err("accepted");
    assert_eq!(
        (err.code(), err_path(&err)),
        ("claims.invalid-value", "submods.network.wifi-security")
    );
}

#[test]
fn a_producer_cannot_sign_wifi_security_without_wifi() {
    let mut network = intercepted_open_wifi();
    network.connection = Some(Connection::Cellular);
    let claims = ClaimsSet::builder(IAT).network(network).build();
    let signer = SoftwareSigner::from_secret_bytes(Algorithm::Es384, &[7u8; 48]).expect("key");
    let err = TokenBuilder::new()
        .sign(&claims, &signer)
        .expect_err("signed");
    assert_eq!(err.code(), "claims.invalid-value");
}

#[test]
fn the_builder_drops_wifi_security_when_the_connection_leaves_wifi() {
    let l = NetworkLayer::builder(EvidenceSource::Software)
        .wifi(WifiSecurity::Wpa3)
        .connection(Connection::Cellular)
        .build();
    assert_eq!(
        (l.connection, l.wifi_security),
        (Some(Connection::Cellular), None)
    );
}

#[test]
fn the_json_form_uses_the_names_of_section_12() {
    let set = ClaimsSet::builder(IAT)
        .network(intercepted_open_wifi())
        .build();
    let expected = json!({
        "evidence-source": "software",
        "connection": "wifi",
        "wifi-security": "open",
        "proxy": true,
        "vpn": false,
        "private-dns": false,
        "user-ca-certificates": 2,
        "measres": [{"system": "mtattest", "results": [
            {"result-for": "tls-interception", "result": "fail"},
            {"result-for": "dns-tampering", "result": "success"}
        ]}]
    });
    assert_eq!(set.to_json()["submods"]["network"], expected);
    assert_eq!(ClaimsSet::from_json(&set.to_json()), Ok(set));
}

#[test]
fn unknown_claims_and_detections_of_the_layer_are_preserved_and_reported() {
    let v = with_network(source_and(vec![
        (-80099, int(7)),
        (
            MEASRES,
            Value::Array(vec![Value::Array(vec![
                text("mtattest"),
                Value::Array(vec![Value::Array(vec![text("root"), int(1)])]),
            ])]),
        ),
    ]));
    let set = decode(&v).expect("valid");
    let paths: Vec<String> = set.unknown_claims().into_iter().map(|u| u.path).collect();
    assert_eq!(paths.len(), 2, "{paths:?}");
    assert!(
        paths
            .iter()
            .any(|p| p.starts_with("submods.network.-80099")),
        "{paths:?}"
    );
    assert!(
        paths
            .iter()
            .any(|p| p.starts_with("submods.network.measres")),
        "{paths:?}"
    );
    // `root` is a runtime detection, not one of this layer.
    assert_eq!(
        set.network.as_ref().and_then(|l| l.detection("root")),
        Some(MeasResult::Success)
    );
    assert_eq!(decode(&set.to_value()), Ok(set));
}

#[test]
fn the_text_rendering_shows_the_layer() {
    let set = ClaimsSet::builder(IAT)
        .network(intercepted_open_wifi())
        .build();
    let text = render_text(&set);
    for line in [
        "network  (evidence: software)",
        "  connection: wifi",
        "  wifi-security: open",
        "  proxy: true",
        "  vpn: false",
        "  private-dns: false",
        "  user-ca-certificates: 2",
        "  tls-interception: fail",
        "  dns-tampering: success",
    ] {
        assert!(text.lines().any(|l| l == line), "{line:?} not in\n{text}");
    }
    let absent = render_text(&ClaimsSet::builder(IAT).build());
    assert!(
        absent.lines().any(|l| l == "network  (not reported)"),
        "{absent}"
    );
}

#[test]
fn inspect_shows_the_layer_of_a_signed_token() {
    let claims = ClaimsSet::builder(IAT)
        .network(intercepted_open_wifi())
        .build();
    let signer = SoftwareSigner::from_secret_bytes(Algorithm::Es384, &[7u8; 48]).expect("key");
    let token = TokenBuilder::new().sign(&claims, &signer).expect("signed");
    let view = mtattest::inspect::inspect(&token);
    let shown = view.claims.expect("claims shown");
    assert_eq!(shown.network, claims.network);
}

#[test]
fn the_layer_decoded_alone_refuses_wifi_security_without_wifi() {
    let alone = layer(source_and(vec![
        (CONNECTION, int(3)),
        (WIFI_SECURITY, int(3)),
    ]));
    let err = NetworkLayer::from_value(&alone).expect_err("accepted");
    assert_eq!(
        (err.code(), err_path(&err)),
        ("claims.invalid-value", "submods.network.wifi-security")
    );
}
