//! Every input the trust layer parses — anchors (PEM, DER), CRLs, status
//! lists, chains — refused with its own code and never a panic, in a debug
//! build (integer overflow checks on) where a dependency's arithmetic on a
//! hostile input would panic (issue #12 item 9: `add_pem(b"")` did, inside
//! x509-cert's `load_pem_chain`).

use mtattest::crypto::RustCrypto;
use mtattest::trust::{ChainVerifier, Revocation, StatusList, TrustAnchors};
use mtattest::{Error, UnixTime};
use mtattest_testkit::pki::{issue_crl, CrlEntryReason, CrlSpec, TestPki};

const NOW: i64 = 1_790_000_000;

/// Low bit, high bit, every bit: lengths, tags and contents all change.
const ALL_FLIPS: &[u8] = &[0x01, 0x80, 0xff];

fn code<T: std::fmt::Debug>(result: Result<T, Error>) -> Option<&'static str> {
    result.err().map(|e| e.code())
}

#[test]
fn add_pem_refuses_bundles_without_a_certificate() {
    for input in [
        &b""[..],
        b"\n",
        b"\r\n",
        b"\n\n\r\n",
        b" ",
        b"\t \r\n",
        b"x",
        b"x\n",
        b"not a PEM bundle at all\n",
        b"-----BEGIN CERTIFICATE-----\n",
        b"-----END CERTIFICATE-----\n",
        b"-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n",
        b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    ] {
        let mut anchors = TrustAnchors::new();
        assert_eq!(
            code(anchors.add_pem(input)),
            Some("chain.bad-anchor"),
            "{:?}",
            String::from_utf8_lossy(input)
        );
        assert!(anchors.is_empty());
    }
}

#[test]
fn add_pem_reads_bundles_with_any_line_endings() {
    let pki = TestPki::standard().unwrap();
    let bundle = format!("{}{}", pki.root.pem(), pki.intermediate.pem());
    for text in [
        bundle.clone(),
        format!("{bundle}\n\n"),
        bundle.replace('\n', "\r\n"),
    ] {
        let mut anchors = TrustAnchors::new();
        assert_eq!(anchors.add_pem(text.as_bytes()).unwrap(), 2);
    }
}

/// Each prefix of `bytes`, and `bytes` with every `stride`-th byte altered
/// by each of `flips`, fed to `load` (with whether the input is altered
/// rather than cut); `load` asserts what it must about the result.
fn mutations(bytes: &[u8], stride: usize, flips: &[u8], mut load: impl FnMut(&[u8], bool)) {
    for len in 0..bytes.len() {
        load(&bytes[..len], false);
    }
    for i in (0..bytes.len()).step_by(stride) {
        for &flip in flips {
            let mut altered = bytes.to_vec();
            altered[i] ^= flip;
            load(&altered, true);
        }
    }
}

#[test]
fn anchors_truncated_or_altered_are_refused_without_panicking() {
    let pki = TestPki::standard().unwrap();
    mutations(&pki.root.der, 1, ALL_FLIPS, |der, altered| {
        let result = TrustAnchors::new().add_der(der);
        if !altered {
            assert_eq!(code(result), Some("chain.bad-anchor"));
        } else if let Err(e) = result {
            assert_eq!(e.code(), "chain.bad-anchor");
        }
    });
    let pem = format!("{}{}", pki.root.pem(), pki.intermediate.pem());
    mutations(pem.as_bytes(), 1, ALL_FLIPS, |text, _| {
        if let Err(e) = TrustAnchors::new().add_pem(text) {
            assert_eq!(e.code(), "chain.bad-anchor");
        }
    });
}

#[test]
fn crls_truncated_or_altered_are_refused_without_panicking() {
    let pki = TestPki::standard().unwrap();
    let crl = issue_crl(
        &pki.intermediate.spec,
        &CrlSpec {
            this_update: NOW - 86_400,
            next_update: Some(NOW + 86_400),
            revoked: vec![(0x3999, CrlEntryReason::KeyCompromise)],
            unknown_critical_extension: false,
            corrupt_signature: false,
        },
    )
    .unwrap();
    mutations(&crl, 1, ALL_FLIPS, |der, altered| {
        let result = Revocation::new().add_crl_der(der);
        if !altered {
            assert_eq!(code(result), Some("chain.bad-revocation-data"));
        } else if let Err(e) = result {
            assert_eq!(e.code(), "chain.bad-revocation-data");
        }
    });
}

#[test]
fn status_lists_truncated_or_altered_are_refused_without_panicking() {
    let json = br#"{"entries": {"3003": {"status": "SUSPENDED", "reason": "SUPERSEDED"}, "00c35a": {"status": "REVOKED"}}}"#;
    mutations(json, 1, ALL_FLIPS, |text, _| {
        if let Err(e) = StatusList::from_json(text) {
            assert_eq!(e.code(), "chain.bad-revocation-data");
        }
    });
}

#[test]
fn chains_truncated_or_altered_are_refused_without_panicking() {
    let pki = TestPki::standard().unwrap();
    let mut anchors = TrustAnchors::new();
    anchors.add_der(&pki.root.der).unwrap();
    let verifier = ChainVerifier::new(anchors);
    let now = UnixTime::from_secs(NOW);
    for (position, der) in [(0, &pki.device.der), (1, &pki.intermediate.der)] {
        // Fewer alterations: each one that parses costs signature checks.
        mutations(der, 3, &[0x80], |bytes, _| {
            let mut chain = pki.chain();
            chain[position] = bytes.to_vec();
            match verifier.validate_chain(&chain, now, &RustCrypto) {
                // An altered byte the signature does not cover (the outer
                // signature's DER, say) can still leave a valid chain only
                // if the bytes are the original ones.
                Ok(_) => assert_eq!(bytes, der.as_slice()),
                Err(Error::Chain(e)) => assert!(e.index().is_some_and(|i| i <= 2), "{e:?}"),
                Err(e) => panic!("not a chain error: {e:?}"),
            }
        });
    }
}
