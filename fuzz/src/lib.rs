//! Fixtures shared by the fuzz targets and the seed generator, so the seeds
//! are tokens the targets' verifiers accept: the deterministic test PKI, a
//! fixed verification time and a fixed challenge.

pub mod claims;
pub mod seeds;

use std::sync::OnceLock;

use mtattest::appraisal::{Bulletin, Policy, Preset};
use mtattest::trust::{ChainVerifier, Revocation, Status, StatusList, TrustAnchors};
use mtattest::verifier::{KeySource, Verifier};
use mtattest::UnixTime;
use mtattest_testkit::pki::{issue_crl, CrlEntryReason, CrlSpec, TestPki};

/// The verification time of every target: inside the test PKI's validity
/// and the seed tokens' freshness window.
pub const NOW: i64 = 1_790_000_000;

/// The relying party's challenge (`eat_nonce` of the seed tokens).
pub const NONCE: &[u8] = b"mtattest-fuzz-challenge";

/// The verification time.
pub fn now() -> UnixTime {
    UnixTime::from_secs(NOW)
}

/// The standard test PKI (root -> OEM intermediate -> device), built once.
pub fn pki() -> &'static TestPki {
    static PKI: OnceLock<TestPki> = OnceLock::new();
    PKI.get_or_init(|| match TestPki::standard() {
        Ok(pki) => pki,
        Err(e) => panic!("the test PKI must build: {e}"),
    })
}

/// Revocation data: a CRL from the intermediate revoking serials the test
/// PKI does not use, and a status list, so the revocation paths run.
pub fn revocation() -> Revocation {
    let pki = pki();
    let mut revocation = Revocation::new();
    let crl = issue_crl(
        &pki.intermediate.spec,
        &CrlSpec {
            this_update: NOW - 86_400,
            next_update: Some(NOW + 30 * 86_400),
            revoked: vec![
                (0x7777, CrlEntryReason::KeyCompromise),
                (0x7778, CrlEntryReason::CertificateHold),
            ],
            unknown_critical_extension: false,
            corrupt_signature: false,
        },
    )
    .unwrap_or_else(|e| panic!("CRL: {e}"));
    revocation
        .add_crl_der(&crl)
        .unwrap_or_else(|e| panic!("CRL: {e}"));
    let mut list = StatusList::new();
    list.insert("9999", Status::Revoked, "test")
        .unwrap_or_else(|e| panic!("status list: {e}"));
    revocation.set_status_list(list);
    revocation
}

/// A chain verifier trusting the test root, with [`revocation`] and no
/// cache (a cache would carry state from one input to the next).
pub fn chain_verifier() -> ChainVerifier {
    let mut anchors = TrustAnchors::new();
    anchors
        .add_der(&pki().root.der)
        .unwrap_or_else(|e| panic!("anchor: {e}"));
    ChainVerifier::new(anchors).with_revocation(revocation())
}

/// The full verifier: x5chain to the test root, no replay cache (state).
pub fn chain_token_verifier() -> Verifier {
    Verifier::builder(KeySource::chain(chain_verifier()))
        .without_replay_cache()
        .bulletin(bulletin())
        .build()
}

/// The full verifier with the device key configured directly.
pub fn key_token_verifier() -> Verifier {
    let key = pki()
        .device
        .public_key()
        .unwrap_or_else(|e| panic!("device key: {e}"));
    Verifier::builder(KeySource::Key(key))
        .without_replay_cache()
        .build()
}

/// The demo bulletin.
pub fn bulletin() -> Bulletin {
    Bulletin::from_json(mtattest_testkit::demo::DEMO_BULLETIN.as_bytes())
        .unwrap_or_else(|e| panic!("bulletin: {e}"))
}

/// Every preset, the phone presets pinned to the example phone's app
/// signer (iot takes none).
pub fn policies() -> Vec<Policy> {
    let phone = mtattest_testkit::example_phone(NOW, NONCE.to_vec());
    let signers: Vec<Vec<u8>> = phone
        .app
        .as_ref()
        .map(|a| {
            a.app_signers
                .iter()
                .map(|d| d.as_bytes().to_vec())
                .collect()
        })
        .unwrap_or_default();
    Preset::ALL
        .iter()
        .map(|p| {
            let signers = if p.pins_app() { &signers[..] } else { &[] };
            Policy::preset(*p, signers).unwrap_or_else(|e| panic!("preset: {e}"))
        })
        .collect()
}

/// Splits `data` into DER elements by their own headers: a chain sent as
/// concatenated certificates splits into the certificates, and a mutated
/// one still splits near where it did. At most `max` pieces; whatever
/// follows the last piece that fits is the last piece.
pub fn split_der(data: &[u8], max: usize) -> Vec<&[u8]> {
    let mut pieces = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        if pieces.len() + 1 == max {
            pieces.push(rest);
            break;
        }
        let len = der_element_len(rest).unwrap_or(rest.len()).min(rest.len());
        let (piece, tail) = rest.split_at(len.max(1));
        pieces.push(piece);
        rest = tail;
    }
    pieces
}

/// The length of the DER element at the start of `data` (header included),
/// if its header is complete.
fn der_element_len(data: &[u8]) -> Option<usize> {
    let first = *data.get(1)?;
    if first < 0x80 {
        return Some(2 + usize::from(first));
    }
    let n = usize::from(first & 0x7f);
    if n == 0 || n > 4 {
        return None;
    }
    let bytes = data.get(2..2 + n)?;
    let len = bytes
        .iter()
        .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
    Some(2 + n + len)
}

/// Asserts that two claims sets are the same: equal, or — when an unknown
/// claim holds a NaN float, which never equals itself — equal in every
/// field as printed (`NaN` prints as itself; `-0.0` and `0.0` differ).
pub fn assert_same(a: &mtattest::claims::ClaimsSet, b: &mtattest::claims::ClaimsSet, what: &str) {
    if a != b {
        assert_eq!(format!("{a:?}"), format!("{b:?}"), "{what}");
    }
}
