//! `mtattest::inspect`: the lenient, unverified view of a token. Valid
//! tokens read as well-formed with their chain and claims; every kind of
//! broken input gives its problem, and nothing panics.

use std::path::PathBuf;

use mtattest::claims::render_text;
use mtattest::diag::{self, max_output_chars, Limits as DiagLimits};
use mtattest::inspect::{
    certificate_summary, inspect, Inspection, Stage, LABEL_X5CHAIN, MAX_CERTIFICATES,
    MAX_INSPECT_SIZE,
};
use mtattest::token::TokenBuilder;
use mtattest::token::{DecodeOptions, HeaderPlacement, Token};
use mtattest_testkit::example_phone;

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test-vectors")
}

fn vector(name: &str) -> Vec<u8> {
    let path = vectors_dir().join("tokens").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn all_vectors() -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(vectors_dir().join("tokens"))
        .expect("test-vectors/tokens")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("cbor"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    out.sort();
    assert!(out.len() > 100, "only {} vector tokens", out.len());
    out
}

const DEVICE: &str = "CN=mtattest Test Device Attestation Key,O=mtattest Test OEM";
const OEM_CA: &str = "CN=mtattest Test OEM Attestation CA,O=mtattest Test OEM";
const ROOT: &str = "CN=mtattest Test Root,O=mtattest Test OEM";

/// The problem of a stage, or a panic listing them all.
fn problem(view: &Inspection, stage: Stage) -> &mtattest::inspect::Problem {
    view.problems
        .iter()
        .find(|p| p.stage == stage)
        .unwrap_or_else(|| panic!("no {} problem in {:?}", stage.name(), view.problems))
}

fn codes(view: &Inspection) -> Vec<Option<&'static str>> {
    view.problems.iter().map(|p| p.code).collect()
}

fn subjects(view: &Inspection) -> Vec<String> {
    view.x5chain
        .as_ref()
        .expect("an x5chain")
        .certificates
        .iter()
        .map(|c| match &c.summary {
            Ok(s) => s.subject.clone(),
            Err(e) => format!("error: {e}"),
        })
        .collect()
}

/// What every caller does with a view: render everything (bounded), and
/// check the one definition of well-formed against the strict decoder.
fn render_all(view: &Inspection) {
    let l = DiagLimits::DEFAULT;
    for v in [
        &view.top,
        &view.protected,
        &view.payload_value,
        &view.unprotected,
    ]
    .into_iter()
    .flatten()
    {
        assert!(diag::render(v, &l).chars().count() <= max_output_chars(&l));
        assert!(diag::render_compact(v, &l).chars().count() <= max_output_chars(&l));
    }
    if let Some(c) = &view.claims {
        let _ = render_text(c);
    }
    let strict = view
        .problems
        .iter()
        .any(|p| matches!(p.stage, Stage::Envelope | Stage::Claims));
    if view.well_formed() {
        assert!(!strict, "{:?}", view.problems);
        assert!(view.claims.is_some());
        assert!(view.token().is_some());
    } else {
        assert!(strict, "{:?}", view.problems);
    }
}

#[test]
fn the_example_phone_reads_whole() {
    let bytes = vector("valid-es384-example-phone.cbor");
    let view = inspect(&bytes);
    render_all(&view);
    assert!(view.well_formed(), "{:?}", view.problems);
    assert!(view.problems.is_empty());
    assert_eq!(view.size, bytes.len());
    assert_eq!(view.tags, [18]);
    assert_eq!(view.algorithm_label(), Some(-35));
    assert_eq!(view.signature_len, Some(96));
    assert_eq!(
        view.param(LABEL_X5CHAIN).map(|p| p.bucket),
        Some(HeaderPlacement::Protected)
    );
    let chain = view.x5chain.as_ref().unwrap();
    assert_eq!(chain.bucket, HeaderPlacement::Protected);
    assert_eq!(chain.count, 2);
    assert_eq!(subjects(&view), [DEVICE, OEM_CA]);
    let leaf = chain.certificates[0].summary.as_ref().unwrap();
    assert_eq!(leaf.issuer, OEM_CA);
    assert_eq!(leaf.serial, "3003");
    assert_eq!(leaf.key, "EC P-384");
    assert_eq!(leaf.not_before, 1_735_689_600); // 2025-01-01
    assert_eq!(leaf.not_after, 2_208_988_800); // 2040-01-01
    let ca = chain.certificates[1].summary.as_ref().unwrap();
    assert_eq!((ca.issuer.as_str(), ca.serial.as_str()), (ROOT, "2002"));

    // The claims are the manifest's, and the strict decoder's.
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(vectors_dir().join("manifest.json")).unwrap())
            .unwrap();
    let case = manifest["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "valid-es384-example-phone")
        .unwrap();
    let claims = view.claims.as_ref().unwrap();
    assert_eq!(claims.to_json(), case["expected"]["claims"]);
    let strict = Token::decode(&bytes, &DecodeOptions::default()).unwrap();
    assert_eq!(claims, &strict.unverified_claims().unwrap());
    assert_eq!(view.payload.as_deref(), Some(strict.payload()));
    assert_eq!(view.token().map(Token::payload), Some(strict.payload()));
}

#[test]
fn every_valid_vector_is_well_formed_with_its_chain() {
    let mut seen = 0;
    for (name, bytes) in all_vectors() {
        if !name.starts_with("valid-") {
            continue;
        }
        seen += 1;
        let view = inspect(&bytes);
        render_all(&view);
        assert!(view.well_formed(), "{name}: {:?}", view.problems);
        assert!(view.problems.is_empty(), "{name}: {:?}", view.problems);
        let strict = Token::decode(&bytes, &DecodeOptions::default()).unwrap();
        assert_eq!(
            view.claims,
            Some(strict.unverified_claims().unwrap()),
            "{name}"
        );
        // The lenient reading of the chain is the strict one's.
        let (placement, certs) = strict.x5chain().expect("every valid vector has an x5chain");
        let chain = view.x5chain.as_ref().unwrap();
        assert_eq!(chain.bucket, placement, "{name}");
        assert_eq!(chain.count, certs.len(), "{name}");
        for (entry, der) in chain.certificates.iter().zip(certs) {
            assert_eq!(entry.size, der.len());
            assert_eq!(entry.summary, certificate_summary(der));
            let subject = &entry.summary.as_ref().unwrap().subject;
            // The test PKI's names, or the synthetic Android PKI's
            // (`mtattest_testkit::android`) in the Android cases.
            let android = name.contains("-android-")
                && (subject == "CN=Android Keystore Key" || subject.ends_with(",O=TEE"));
            assert!(
                subject.ends_with(",O=mtattest Test OEM") || android,
                "{name}: {subject}"
            );
        }
    }
    assert!(seen >= 20, "only {seen} valid vectors");
}

#[test]
fn every_vector_agrees_with_the_strict_decoder() {
    for (name, bytes) in all_vectors() {
        let view = inspect(&bytes);
        render_all(&view);
        let strict = Token::decode(&bytes, &DecodeOptions::default());
        let claims = strict.as_ref().ok().map(Token::unverified_claims);
        match (&strict, &claims) {
            (Err(e), _) => {
                assert!(!view.well_formed(), "{name}");
                assert_eq!(
                    problem(&view, Stage::Envelope).code,
                    Some(e.code()),
                    "{name}"
                );
            }
            (Ok(_), Some(Err(e))) => {
                assert!(!view.well_formed(), "{name}");
                assert_eq!(problem(&view, Stage::Claims).code, Some(e.code()), "{name}");
                assert!(view.claims.is_none(), "{name}");
            }
            (Ok(_), _) => assert!(view.well_formed(), "{name}: {:?}", view.problems),
        }
    }
}

#[test]
fn truncated_tokens_are_not_cbor() {
    let bytes = vector("valid-es384-example-phone.cbor");
    for len in (0..bytes.len()).step_by(13) {
        let view = inspect(&bytes[..len]);
        render_all(&view);
        assert!(!view.well_formed());
        assert!(view.top.is_none(), "{len}");
        assert_eq!(view.problems[0].stage, Stage::Cbor);
        assert_eq!(view.problems[0].code, None);
        assert_eq!(
            view.problems[0].message,
            "not CBOR: the input ends inside an item"
        );
        let envelope = problem(&view, Stage::Envelope);
        assert_eq!(envelope.code, Some("cbor.truncated"), "{len}");
        assert!(view.x5chain.is_none() && view.claims.is_none());
    }
    let view = inspect(&vector("invalid-truncated.cbor"));
    assert_eq!(codes(&view), [None, Some("cbor.truncated")]);
}

#[test]
fn a_non_array_is_not_a_cose_sign1() {
    for (bytes, tags) in [
        (&b"\xa0"[..], &[][..]),
        (b"\xd2\xa0", &[18]),
        (b"\xd8\x3d\xd2\x01", &[61, 18]),
    ] {
        let view = inspect(bytes);
        render_all(&view);
        assert!(view.top.is_some());
        assert_eq!(view.tags, tags);
        let p = problem(&view, Stage::Structure);
        assert_eq!(p.message, "not a COSE_Sign1 array");
        assert!(view.protected_bytes.is_none() && view.payload.is_none());
        assert!(problem(&view, Stage::Envelope).code.is_some());
    }
    // Three items: what is there is still read.
    let view = inspect(&vector("invalid-three-elements.cbor"));
    assert_eq!(
        problem(&view, Stage::Structure).message,
        "COSE_Sign1 has 3 items, not 4"
    );
    assert_eq!(view.algorithm_label(), Some(-35));
}

#[test]
fn a_wrong_tag_is_shown_and_the_claims_still_read() {
    let view = inspect(&vector("invalid-wrong-tag.cbor"));
    render_all(&view);
    assert_eq!(view.tags, [17]);
    assert!(!view.well_formed());
    assert_eq!(codes(&view), [Some("token.wrong-tag")]);
    assert!(view.token().is_none());
    // The envelope is refused but the payload decodes on its own.
    assert_eq!(view.algorithm_label(), Some(-35));
    assert_eq!(subjects(&view), [DEVICE, OEM_CA]);
    assert!(view.claims.is_some());

    // Too many tags: unwrapping stops.
    let mut many = vec![0xc6; 20];
    many.extend_from_slice(&[0x84, 0x40, 0xa0, 0x40, 0x40]);
    let view = inspect(&many);
    assert_eq!(view.tags.len(), 9);
    assert_eq!(
        problem(&view, Stage::Structure).message,
        "not a COSE_Sign1 array"
    );
}

#[test]
fn a_protected_header_that_is_not_cbor() {
    let view = inspect(b"\xd2\x84\x41\xff\xa0\x40\x40");
    render_all(&view);
    assert_eq!(view.protected_bytes.as_deref(), Some(&[0xff][..]));
    assert!(view.protected.is_none());
    let p = problem(&view, Stage::Structure);
    assert!(
        p.message.starts_with("protected header is not CBOR: "),
        "{}",
        p.message
    );
    assert!(problem(&view, Stage::Envelope).code.is_some());
    assert_eq!(view.payload.as_deref(), Some(&[][..]));
    assert_eq!(view.signature_len, Some(0));

    // Empty protected bytes read as an empty map.
    let view = inspect(b"\xd2\x84\x40\xa0\x40\x40");
    assert_eq!(view.protected, Some(ciborium::value::Value::Map(vec![])));
    assert_eq!(view.algorithm_label(), None);
}

#[test]
fn non_conforming_cbor_is_shown_as_read() {
    // Indefinite lengths: the strict decoder refuses, the view shows it.
    let view = inspect(&vector("invalid-indefinite-length-array.cbor"));
    render_all(&view);
    assert!(view.top.is_some());
    assert_eq!(codes(&view), [Some("cbor.indefinite-length")]);
    assert_eq!(subjects(&view), [DEVICE, OEM_CA]);
    // A duplicate key in the claims: the envelope is fine, the claims not,
    // and the payload shows both entries.
    let view = inspect(&vector("invalid-duplicate-key-claims.cbor"));
    assert_eq!(codes(&view), [Some("cbor.duplicate-key")]);
    assert_eq!(
        problem(&view, Stage::Claims).code,
        Some("cbor.duplicate-key")
    );
    assert!(view.claims.is_none());
    let Some(ciborium::value::Value::Map(entries)) = &view.payload_value else {
        panic!("payload is a map");
    };
    let keys: Vec<String> = entries
        .iter()
        .map(|(k, _)| diag::render_compact(k, &DiagLimits::DEFAULT))
        .collect();
    let mut unique = keys.clone();
    unique.sort();
    unique.dedup();
    assert!(unique.len() < keys.len(), "{keys:?}");
}
#[test]
fn a_garbage_certificate_in_a_signed_token() {
    // The envelope does not parse certificates, so the token is
    // well-formed; the view says which certificate is not one.
    let pki = mtattest_testkit::pki::TestPki::standard().unwrap();
    let claims = example_phone(1_790_000_000, vec![0x5a; 32]);
    let token = TokenBuilder::new()
        .x5chain(
            vec![b"garbage".to_vec(), pki.intermediate.der.clone()],
            HeaderPlacement::Unprotected,
        )
        .sign(&claims, &pki.device.signer().unwrap())
        .unwrap();
    let view = inspect(&token);
    render_all(&view);
    assert!(view.well_formed(), "{:?}", view.problems);
    assert!(view.problems.is_empty());
    let chain = view.x5chain.as_ref().unwrap();
    assert_eq!(chain.bucket, HeaderPlacement::Unprotected);
    assert_eq!(chain.count, 2);
    assert_eq!(chain.certificates[0].size, 7);
    assert!(chain.certificates[0].summary.is_err());
    assert_eq!(subjects(&view)[1], OEM_CA);
    assert_eq!(view.claims.as_ref(), Some(&claims));
}

#[test]
fn a_garbage_certificate_in_the_x5chain() {
    // The vector with a malformed certificate, and a hand-made one.
    let view = inspect(&vector("invalid-chain-malformed-certificate.cbor"));
    render_all(&view);
    let s = subjects(&view);
    assert!(s[0].starts_with("error: "), "{s:?}");
    assert_eq!(s[1], OEM_CA);
    let view = inspect(b"\xd2\x84\x44\xa1\x01\x38\x22\xa1\x18\x21\x42\x01\x02\x40\x40");
    render_all(&view);
    assert_eq!(view.x5chain.as_ref().unwrap().count, 1);
    assert!(subjects(&view)[0].starts_with("error: "));
    assert!(certificate_summary(&[]).is_err());
}

#[test]
fn only_the_first_certificates_are_parsed() {
    // 40 copies of a certificate in an unprotected x5chain array.
    let der = inspect(&vector("valid-es384-example-phone.cbor"))
        .token()
        .and_then(|t| t.x5chain())
        .map(|(_, c)| c[0].clone())
        .unwrap();
    let mut chain = vec![0x98, 40];
    for _ in 0..40 {
        chain.extend_from_slice(&[0x59, (der.len() >> 8) as u8, der.len() as u8]);
        chain.extend_from_slice(&der);
    }
    let mut token = b"\xd2\x84\x44\xa1\x01\x38\x22\xa1\x18\x21".to_vec();
    token.extend_from_slice(&chain);
    token.extend_from_slice(b"\x40\x40");
    let view = inspect(&token);
    render_all(&view);
    let x5 = view.x5chain.as_ref().unwrap();
    assert_eq!(x5.count, 40);
    assert_eq!(x5.certificates.len(), MAX_CERTIFICATES);
    assert!(x5.certificates.iter().all(|c| c.summary.is_ok()));
    // Larger than a token may be: the strict decoder says so.
    assert_eq!(
        problem(&view, Stage::Envelope).code,
        Some("token.too-large")
    );
}

#[test]
fn oversize_input_is_not_decoded() {
    // One byte string of exactly the limit is read; one byte more is not.
    let at_limit = MAX_INSPECT_SIZE - 5;
    let mut bytes = vec![0x5a];
    bytes.extend_from_slice(&u32::try_from(at_limit).unwrap().to_be_bytes());
    bytes.resize(MAX_INSPECT_SIZE, 0xab);
    let view = inspect(&bytes);
    render_all(&view);
    assert!(matches!(&view.top, Some(ciborium::value::Value::Bytes(b)) if b.len() == at_limit));
    assert_eq!(
        problem(&view, Stage::Envelope).code,
        Some("token.too-large")
    );

    bytes.push(0);
    let view = inspect(&bytes);
    render_all(&view);
    assert!(view.top.is_none());
    assert_eq!(view.size, MAX_INSPECT_SIZE + 1);
    let p = &view.problems[0];
    assert_eq!((p.stage, p.code), (Stage::Cbor, None));
    assert_eq!(
        p.message,
        "not decoded: 1048577 bytes, more than the 1048576 bytes inspect reads"
    );
    assert_eq!(
        problem(&view, Stage::Envelope).code,
        Some("token.too-large")
    );
    assert!(!view.well_formed());
}

#[test]
fn deep_nesting_is_bounded() {
    // Arrays, maps and tags far beyond ciborium's recursion limit.
    for head in [0x81u8, 0xa1, 0xc6] {
        let mut bytes = vec![head; 10_000];
        if head == 0xa1 {
            // {0: {0: ...}}
            bytes = [0xa1, 0x00].repeat(5_000);
        }
        bytes.push(0x00);
        let view = inspect(&bytes);
        render_all(&view);
        assert!(view.top.is_none(), "{head:#x}");
        assert_eq!(view.problems[0].message, "not CBOR: nested too deeply");
        assert_eq!(problem(&view, Stage::Envelope).code, Some("cbor.too-deep"));
    }
    // Within the limit: decoded, and the printer elides the depth.
    let mut bytes = vec![0x81; 200];
    bytes.push(0x00);
    let view = inspect(&bytes);
    let top = view.top.as_ref().expect("200 levels decode");
    let text = diag::render(top, &DiagLimits::DEFAULT);
    assert!(text.contains("/ 1 items /"), "{text}");
    // A payload nested too deeply.
    let mut payload = vec![0x81; 1000];
    payload.push(0x00);
    let mut token = b"\xd2\x84\x44\xa1\x01\x38\x22\xa0\x59\x03\xe9".to_vec();
    token.extend_from_slice(&payload);
    token.push(0x40);
    let view = inspect(&token);
    render_all(&view);
    assert_eq!(
        problem(&view, Stage::Structure).message,
        "payload is not CBOR: nested too deeply"
    );
    assert!(view.payload_value.is_none());
    assert_eq!(view.payload.as_ref().map(Vec::len), Some(1001));
}
