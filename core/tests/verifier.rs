//! The verifier entry point: each freshness and replay rejection with its own
//! code, the order of checks, and pluggable key sources and replay stores.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use mtattest::appraisal::{Freshness, MemoryReplayCache, ReplayCache, ReplayError, ReplayId};
use mtattest::claims::{ClaimsSet, Cti};
use mtattest::crypto::{Algorithm, SoftwareSigner};
use mtattest::token::issue;
use mtattest::verifier::{KeyCheck, KeySource, Verifier};
use mtattest::UnixTime;
use mtattest_testkit::example_phone;

const IAT: i64 = 1_790_000_000;
const CHALLENGE: &[u8] = b"challenge-for-this-session";

fn key() -> SoftwareSigner {
    SoftwareSigner::from_secret_bytes(Algorithm::Es384, &[0x21; 48]).unwrap()
}

fn claims() -> ClaimsSet {
    example_phone(IAT, CHALLENGE.to_vec())
}

fn token(c: &ClaimsSet) -> Vec<u8> {
    issue(c, &key()).unwrap()
}

fn verifier() -> Verifier {
    Verifier::builder(KeySource::Key(key().public_key()))
        .freshness(Freshness {
            max_age_secs: 300,
            clock_skew_secs: 60,
        })
        .build()
}

fn code(r: Result<mtattest::Verified, mtattest::Error>) -> &'static str {
    r.err().map_or("ok", |e| e.code())
}

#[test]
fn accepts_a_fresh_token_and_reports_what_it_checked() {
    let v = verifier();
    let verified = v
        .verify(&token(&claims()), Some(CHALLENGE), UnixTime(IAT + 5))
        .unwrap();
    assert_eq!(verified.claims(), &claims());
    assert_eq!(verified.algorithm(), Algorithm::Es384);
    assert_eq!(verified.key(), &KeyCheck::Configured);
    assert!(verified.nonce_checked());
    assert!(verified.replay_checked());
    // example_phone's exp is iat + 300; skew 60 keeps it until iat + 359.
    assert_eq!(verified.accept_until(), UnixTime(IAT + 359));
}

#[test]
fn wrong_nonce() {
    let r = verifier().verify(
        &token(&claims()),
        Some(b"challenge-for-another-one"),
        UnixTime(IAT),
    );
    assert_eq!(code(r), "freshness.nonce-mismatch");
}

#[test]
fn missing_nonce() {
    let mut c = claims();
    c.nonce = None;
    let r = verifier().verify(&token(&c), Some(CHALLENGE), UnixTime(IAT));
    assert_eq!(code(r), "freshness.nonce-missing");
}

#[test]
fn challenge_of_bad_length() {
    let r = verifier().verify(&token(&claims()), Some(b"short"), UnixTime(IAT));
    assert_eq!(code(r), "freshness.nonce-length");
}

#[test]
fn stale_iat() {
    let mut c = claims();
    c.exp = None;
    let v = verifier();
    assert_eq!(
        code(v.verify(&token(&c), Some(CHALLENGE), UnixTime(IAT + 360))),
        "ok"
    );
    let mut c2 = c.clone();
    c2.cti = Some(Cti::new(*b"second").unwrap());
    let r = verifier().verify(&token(&c2), Some(CHALLENGE), UnixTime(IAT + 361));
    assert_eq!(code(r), "freshness.stale");
}

#[test]
fn future_iat_beyond_skew() {
    let r = verifier().verify(&token(&claims()), Some(CHALLENGE), UnixTime(IAT - 61));
    assert_eq!(code(r), "freshness.future");
    let r = verifier().verify(&token(&claims()), Some(CHALLENGE), UnixTime(IAT - 60));
    assert_eq!(code(r), "ok");
}

#[test]
fn expired() {
    let mut c = claims();
    c.exp = Some(IAT + 100);
    let r = verifier().verify(&token(&c), Some(CHALLENGE), UnixTime(IAT + 160));
    assert_eq!(code(r), "freshness.expired");
    let r = verifier().verify(&token(&c), Some(CHALLENGE), UnixTime(IAT + 159));
    assert_eq!(code(r), "ok");
}

#[test]
fn not_yet_valid() {
    let mut c = claims();
    c.nbf = Some(IAT + 100);
    let r = verifier().verify(&token(&c), Some(CHALLENGE), UnixTime(IAT + 39));
    assert_eq!(code(r), "freshness.not-yet-valid");
}

#[test]
fn replayed_token() {
    let v = verifier();
    let t = token(&claims());
    assert_eq!(code(v.verify(&t, Some(CHALLENGE), UnixTime(IAT))), "ok");
    assert_eq!(
        code(v.verify(&t, Some(CHALLENGE), UnixTime(IAT + 1))),
        "replay.seen"
    );
}

#[test]
fn reused_cti_or_nonce_is_a_replay() {
    let v = verifier();
    assert_eq!(
        code(v.verify(&token(&claims()), Some(CHALLENGE), UnixTime(IAT))),
        "ok"
    );
    // Same cti, another challenge.
    let mut same_cti = example_phone(IAT, b"a-different-challenge".to_vec());
    same_cti.exp = Some(IAT + 299);
    let r = v.verify(
        &token(&same_cti),
        Some(b"a-different-challenge"),
        UnixTime(IAT),
    );
    assert_eq!(code(r), "replay.seen");
    // Same challenge, another cti.
    let mut same_nonce = claims();
    same_nonce.cti = Some(Cti::new(*b"fresh-token-id").unwrap());
    let r = v.verify(&token(&same_nonce), Some(CHALLENGE), UnixTime(IAT));
    assert_eq!(code(r), "replay.seen");
}

#[test]
fn token_without_cti_or_nonce_is_keyed_by_its_payload() {
    let v = verifier();
    let mut c = claims();
    c.cti = None;
    c.nonce = None;
    let t = token(&c);
    assert_eq!(code(v.verify(&t, None, UnixTime(IAT))), "ok");
    assert_eq!(code(v.verify(&t, None, UnixTime(IAT))), "replay.seen");
    // A different payload from the same device is not a replay.
    c.iat += 1;
    assert_eq!(code(v.verify(&token(&c), None, UnixTime(IAT + 1))), "ok");
}

#[test]
fn a_replay_is_allowed_only_once_the_token_could_not_pass_anyway() {
    // After the acceptance window the entry may be evicted, but then the
    // token is refused as expired.
    let v = Verifier::builder(KeySource::Key(key().public_key()))
        .replay_cache(MemoryReplayCache::new(2))
        .build();
    let t = token(&claims());
    assert_eq!(code(v.verify(&t, Some(CHALLENGE), UnixTime(IAT))), "ok");
    assert_eq!(
        code(v.verify(&t, Some(CHALLENGE), UnixTime(IAT + 359))),
        "replay.seen"
    );
    assert_eq!(
        code(v.verify(&t, Some(CHALLENGE), UnixTime(IAT + 360))),
        "freshness.expired"
    );
}

#[test]
fn full_replay_cache_refuses_new_tokens() {
    // Each token uses two identifiers (cti and nonce): capacity 4 holds two.
    let v = Verifier::builder(KeySource::Key(key().public_key()))
        .replay_cache(MemoryReplayCache::new(4))
        .build();
    let mut tokens = Vec::new();
    for i in 0..3u8 {
        let nonce = format!("challenge-number-{i}");
        let mut c = example_phone(IAT, nonce.as_bytes().to_vec());
        c.cti = Some(Cti::new([i; 16]).unwrap());
        tokens.push((token(&c), nonce));
    }
    for (t, n) in &tokens[..2] {
        assert_eq!(code(v.verify(t, Some(n.as_bytes()), UnixTime(IAT))), "ok");
    }
    let (t, n) = &tokens[2];
    assert_eq!(
        code(v.verify(t, Some(n.as_bytes()), UnixTime(IAT))),
        "replay.cache-full"
    );
    // The live ones are still refused as replays.
    for (t, n) in &tokens[..2] {
        assert_eq!(
            code(v.verify(t, Some(n.as_bytes()), UnixTime(IAT))),
            "replay.seen"
        );
    }
}

/// A shared store that is down.
struct DownStore(Arc<AtomicUsize>);

impl ReplayCache for DownStore {
    fn check_and_insert(
        &self,
        _: &[ReplayId],
        _: UnixTime,
        _: UnixTime,
    ) -> Result<(), ReplayError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Err(ReplayError::StoreUnavailable {
            reason: "connection refused".into(),
        })
    }
}

#[test]
fn store_outage_fails_closed_and_only_genuine_fresh_tokens_reach_the_store() {
    let calls = Arc::new(AtomicUsize::new(0));
    let v = Verifier::builder(KeySource::Key(key().public_key()))
        .replay_cache(DownStore(calls.clone()))
        .build();
    let r = v.verify(&token(&claims()), Some(CHALLENGE), UnixTime(IAT));
    assert_eq!(code(r), "replay.store-unavailable");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    // A token with a bad signature or a wrong nonce never reaches the store.
    let other = SoftwareSigner::from_secret_bytes(Algorithm::Es384, &[0x22; 48]).unwrap();
    let forged = issue(&claims(), &other).unwrap();
    assert_eq!(
        code(v.verify(&forged, Some(CHALLENGE), UnixTime(IAT))),
        "token.bad-signature"
    );
    assert_eq!(
        code(v.verify(
            &token(&claims()),
            Some(b"some-other-challenge"),
            UnixTime(IAT)
        )),
        "freshness.nonce-mismatch"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[test]
fn without_replay_cache_a_token_verifies_twice() {
    let v = Verifier::builder(KeySource::Key(key().public_key()))
        .without_replay_cache()
        .build();
    let t = token(&claims());
    let first = v.verify(&t, Some(CHALLENGE), UnixTime(IAT)).unwrap();
    assert!(!first.replay_checked());
    assert_eq!(code(v.verify(&t, Some(CHALLENGE), UnixTime(IAT))), "ok");
}

#[test]
fn allowed_algorithms_are_enforced() {
    let p256 = SoftwareSigner::from_secret_bytes(Algorithm::Es256, &[0x23; 32]).unwrap();
    let v = Verifier::builder(KeySource::Key(p256.public_key()))
        .allowed_algorithms(&[Algorithm::Es384])
        .build();
    let t = issue(&claims(), &p256).unwrap();
    assert_eq!(
        code(v.verify(&t, Some(CHALLENGE), UnixTime(IAT))),
        "token.alg-not-allowed"
    );
}
#[test]
fn chain_key_source_verifies_against_the_root_only() {
    use mtattest::appraisal::{Policy, Preset, Status};
    use mtattest::token::HeaderPlacement;
    use mtattest::trust::{ChainVerifier, TrustAnchors};
    use mtattest_testkit::pki::TestPki;

    let pki = TestPki::standard().unwrap();
    let mut anchors = TrustAnchors::new();
    anchors.add_der(&pki.root.der).unwrap();
    let v = Verifier::builder(KeySource::chain(ChainVerifier::new(anchors).with_cache(16))).build();
    let c = claims();
    let t = pki.token(&c, HeaderPlacement::Protected).unwrap();
    let verified = v.verify(&t, Some(CHALLENGE), UnixTime(IAT)).unwrap();
    match verified.key() {
        KeyCheck::Chain(chain) => assert_eq!(chain.path_len(), 3),
        other => panic!("expected a chain, got {other:?}"),
    }
    let signer = c.app.as_ref().unwrap().app_signers[0].clone();
    let policy = Policy::preset(Preset::Payment, &[signer]).unwrap();
    assert_eq!(
        v.appraise(&verified, &policy, UnixTime(IAT)).status,
        Status::Affirming
    );
    // A token signed by a key outside the PKI is refused at the chain.
    let t = issue(&c, &key()).unwrap();
    assert_eq!(
        code(v.verify(&t, Some(CHALLENGE), UnixTime(IAT))),
        "chain.missing"
    );
}
