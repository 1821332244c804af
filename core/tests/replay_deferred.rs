//! The replay step completed by the caller (spec §9 step 12, §11.2.2):
//! `Verifier::verify_deferring_replay` gives the identifiers and the
//! signer's partition, and only the store's answer turns it into a
//! verified token.

use mtattest::appraisal::{
    MemoryReplayCache, ReplayError, ReplayId, ReplayIdKind, ReplayPartition,
};
use mtattest::crypto::{Algorithm, PublicKey, RustCrypto, SoftwareSigner};
use mtattest::token::issue;
use mtattest::verifier::{KeySource, Verifier};
use mtattest::UnixTime;
use mtattest_testkit::example_phone;
use sha2::Digest as _;

const NOW: UnixTime = UnixTime(1_790_000_000);
const CHALLENGE: &[u8] = b"challenge-of-the-deferred-test";

fn device() -> SoftwareSigner {
    SoftwareSigner::from_secret_bytes(Algorithm::Es384, &[0x31; 48]).unwrap()
}

fn token() -> Vec<u8> {
    issue(&example_phone(NOW.secs(), CHALLENGE.to_vec()), &device()).unwrap()
}

fn verifier() -> Verifier {
    Verifier::builder(KeySource::Key(device().public_key())).build()
}

#[test]
fn the_pending_token_carries_the_identifiers_of_spec_11_2() {
    let claims = example_phone(NOW.secs(), CHALLENGE.to_vec());
    let pending = verifier()
        .verify_deferring_replay(&token(), Some(CHALLENGE), NOW)
        .unwrap();
    let key = device().public_key();
    let cti = claims.cti.as_ref().unwrap().as_bytes();
    assert_eq!(
        pending.ids(),
        [
            ReplayId::new(ReplayIdKind::Cti, &key, cti, &RustCrypto),
            ReplayId::new(ReplayIdKind::Nonce, &key, CHALLENGE, &RustCrypto),
        ]
    );
    // The earlier of iat + max_age + skew (360 s) and exp + skew - 1 (the
    // example phone's exp is iat + 300: 359 s).
    assert_eq!(pending.live_until(), UnixTime(NOW.secs() + 359));
    assert_eq!(pending.verified_at(), NOW);
    assert_eq!(pending.partition(), ReplayPartition::of(&key, &RustCrypto));
}

#[test]
fn the_partition_is_sha384_of_the_uncompressed_key_and_one_per_key() {
    use p384::elliptic_curve::sec1::ToEncodedPoint as _;
    let key = device().public_key();
    let mut h = sha2::Sha384::new();
    h.update(b"mtattest replay partition v1\0");
    h.update(key.sec1());
    let expected = h.finalize();
    assert_eq!(
        ReplayPartition::of(&key, &RustCrypto).as_bytes()[..],
        expected[..16]
    );

    let point = p384::PublicKey::from_sec1_bytes(key.sec1()).unwrap();
    let compressed = PublicKey::from_sec1(
        key.curve(),
        point.to_encoded_point(true).as_bytes(),
        &RustCrypto,
    )
    .unwrap();
    assert_ne!(compressed.sec1(), key.sec1());
    assert_eq!(
        ReplayPartition::of(&compressed, &RustCrypto),
        ReplayPartition::of(&key, &RustCrypto)
    );

    let other = SoftwareSigner::from_secret_bytes(Algorithm::Es384, &[0x32; 48])
        .unwrap()
        .public_key();
    assert_ne!(
        ReplayPartition::of(&other, &RustCrypto),
        ReplayPartition::of(&key, &RustCrypto)
    );
}

#[test]
fn only_the_stores_yes_makes_a_replay_checked_token() {
    let v = verifier();
    let pending = || {
        v.verify_deferring_replay(&token(), Some(CHALLENGE), NOW)
            .unwrap()
    };
    let verified = pending().complete(Ok(())).unwrap();
    assert!(verified.replay_checked());
    assert!(verified.nonce_checked());
    assert_eq!(verified.accept_until(), UnixTime(NOW.secs() + 359));

    for (answer, code) in [
        (ReplayError::Seen, "replay.seen"),
        (
            ReplayError::StoreUnavailable {
                reason: "connection refused".into(),
            },
            "replay.store-unavailable",
        ),
        (
            ReplayError::ClockRegressed {
                live_until: 1,
                forgotten_through: 2,
            },
            "replay.clock-regressed",
        ),
    ] {
        assert_eq!(pending().complete(Err(answer)).unwrap_err().code(), code);
    }
}

#[test]
fn check_with_a_cache_refuses_the_second_token() {
    let v = verifier();
    let cache = MemoryReplayCache::new(100);
    let pending = || {
        v.verify_deferring_replay(&token(), Some(CHALLENGE), NOW)
            .unwrap()
    };
    assert!(pending().check_with(&cache).unwrap().replay_checked());
    assert_eq!(
        pending().check_with(&cache).unwrap_err().code(),
        "replay.seen"
    );
}

#[test]
fn the_verifiers_own_cache_is_not_consulted_and_verify_still_uses_it() {
    let v = verifier();
    for _ in 0..2 {
        v.verify_deferring_replay(&token(), Some(CHALLENGE), NOW)
            .unwrap();
    }
    assert!(v
        .verify(&token(), Some(CHALLENGE), NOW)
        .unwrap()
        .replay_checked());
    assert_eq!(
        v.verify(&token(), Some(CHALLENGE), NOW).unwrap_err().code(),
        "replay.seen"
    );
    let unchecked = Verifier::builder(KeySource::Key(device().public_key()))
        .without_replay_cache()
        .build();
    assert!(!unchecked
        .verify(&token(), Some(CHALLENGE), NOW)
        .unwrap()
        .replay_checked());
}

#[test]
fn every_earlier_step_still_refuses_before_the_replay_step() {
    let v = verifier();
    let err = |nonce: &[u8], now: UnixTime| {
        v.verify_deferring_replay(&token(), Some(nonce), now)
            .unwrap_err()
            .code()
    };
    assert_eq!(
        err(b"another-challenge-entirely", NOW),
        "freshness.nonce-mismatch"
    );
    assert_eq!(
        err(CHALLENGE, UnixTime(NOW.secs() + 361)),
        "freshness.stale"
    );
    assert_eq!(err(b"", NOW), "config.empty");
    let mut bad = token();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    assert_eq!(
        v.verify_deferring_replay(&bad, Some(CHALLENGE), NOW)
            .unwrap_err()
            .code(),
        "token.bad-signature"
    );
}
