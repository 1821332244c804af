//! `mtattest issue` stays within the limits a verifier requires (spec
//! §7.1, §8.1): over a limit it writes no token, exits 1 and names the
//! limit's code.

use std::path::Path;
use std::process::{Command, Output};

use ciborium::value::Value;
use mtattest::claims::ClaimsSet;
use mtattest_testkit::example_phone;
use mtattest_testkit::pki::{issue, TestPki};

const IAT: i64 = 1_767_225_600;

fn mtattest(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mtattest"))
        .args(args)
        .output()
        .expect("the mtattest binary runs")
}

fn int(n: i64) -> Value {
    Value::Integer(n.into())
}

fn phone() -> ClaimsSet {
    example_phone(IAT, vec![0x5a; 32])
}

fn with_unknown(name: &str, value: Value) -> ClaimsSet {
    let mut c = phone();
    c.insert_unknown(name, value).unwrap();
    c
}

fn pem(der: &[u8]) -> String {
    der::pem::encode_string("CERTIFICATE", der::pem::LineEnding::LF, der).unwrap()
}

/// Issues `claims` with the test PKI's device key and `chain` (PEM) and
/// returns the exit code, stderr and whether a token was written.
fn run(dir: &Path, name: &str, claims: &ClaimsSet, chain: &str) -> (i32, String, bool) {
    let claims_path = dir.join(format!("{name}.json"));
    std::fs::write(&claims_path, claims.to_json().to_string()).unwrap();
    let chain_path = dir.join(format!("{name}.chain.pem"));
    std::fs::write(&chain_path, chain).unwrap();
    let out_path = dir.join(format!("{name}.cbor"));
    let out = mtattest(&[
        "issue",
        "--claims",
        claims_path.to_str().unwrap(),
        "--key",
        dir.join("pki/device.key.pem").to_str().unwrap(),
        "--chain",
        chain_path.to_str().unwrap(),
        "--out",
        out_path.to_str().unwrap(),
    ]);
    (
        out.status.code().expect("exited normally"),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out_path.exists(),
    )
}

#[test]
fn over_a_limit_no_token_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let pki = TestPki::standard().unwrap();
    pki.write_to_dir(&dir.path().join("pki")).unwrap();
    let chain = format!("{}{}", pem(&pki.device.der), pem(&pki.intermediate.der));

    let (code, stderr, written) = run(dir.path(), "ok", &phone(), &chain);
    assert_eq!((code, written), (0, true), "{stderr}");

    let mut entries = phone();
    for n in 0..151 - entries.to_value().as_map().map_or(0, Vec::len) {
        entries
            .insert_unknown(format!("extra-{n}"), int(n as i64))
            .unwrap();
    }
    let mut deep = int(0);
    for _ in 0..16 {
        deep = Value::Array(vec![deep]);
    }
    let mut nested = Value::Map(vec![(int(-75_000), int(1))]);
    for level in (2..=5).rev() {
        nested = Value::Map(vec![(
            int(266),
            Value::Map(vec![(Value::Text(format!("sub{level}")), nested)]),
        )]);
    }
    let mut submods = phone();
    submods.insert_unknown_submodule("vendor", nested).unwrap();

    let mut eight = pem(&pki.device.der);
    for _ in 0..7 {
        eight.push_str(&pem(&pki.intermediate.der));
    }
    let big = format!(
        "{}{}",
        pem(&pki.device.der),
        pem(&certificate_of_9_000_bytes(&pki))
    );

    for (name, claims, chain, expected) in [
        (
            "large",
            with_unknown("padding", Value::Bytes(vec![0; 22_000])),
            &chain,
            "token.too-large",
        ),
        ("entries", entries, &chain, "cbor.map-too-large"),
        ("deep", with_unknown("deep", deep), &chain, "cbor.too-deep"),
        (
            "items",
            with_unknown("many", Value::Array(vec![int(0); 4_090])),
            &chain,
            "cbor.too-many-items",
        ),
        ("submods", submods, &chain, "claims.submods-too-deep"),
        ("eight", phone(), &eight, "chain.too-long"),
        ("big-cert", phone(), &big, "chain.cert-too-large"),
    ] {
        let (code, stderr, written) = run(dir.path(), name, &claims, chain);
        assert_eq!(code, 1, "{name}: {stderr}");
        assert!(!written, "{name}: a token was written");
        assert!(
            stderr.contains(&format!("[{expected}]")),
            "{name}: {stderr}"
        );
    }
}

/// A certificate, issued by the test root, whose subjectPublicKeyInfo holds
/// a 9 000-byte bit string: well-formed X.509 over the size limit.
fn certificate_of_9_000_bytes(pki: &TestPki) -> Vec<u8> {
    use der::{Decode as _, Encode as _};
    let mut spki = x509_cert::Certificate::from_der(&pki.intermediate.der)
        .unwrap()
        .tbs_certificate
        .subject_public_key_info;
    spki.subject_public_key = der::asn1::BitString::from_bytes(&[4; 9_000]).unwrap();
    let spec = mtattest_testkit::pki::CertSpec {
        serial: 0x2999,
        spki_override: Some(spki.to_der().unwrap()),
        ..pki.intermediate.spec.clone()
    };
    let der = issue(&spec, Some(&pki.root.spec)).unwrap();
    assert!(der.len() > 8_192);
    der
}
