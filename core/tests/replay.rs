//! The in-memory replay cache under load and under clock jumps (spec
//! §11.2.1): it sustains the rate it was sized for, drops expired entries
//! as time passes rather than when full, never lets one wrong verification
//! time drop live entries, and never accepts a token it may have forgotten.
//! The expected outcomes are worked out from the spec's rules, by hand.

use mtattest::appraisal::{
    acceptance_window_secs, Freshness, MemoryReplayCache, ReplayCache, ReplayError, ReplayId,
    ReplayIdKind,
};
use mtattest::crypto::{Algorithm, CryptoProvider, PublicKey, RustCrypto, SoftwareSigner};
use mtattest::UnixTime;
use std::sync::OnceLock;

const T: i64 = 1_790_000_000;

fn device() -> &'static PublicKey {
    static KEY: OnceLock<PublicKey> = OnceLock::new();
    KEY.get_or_init(|| {
        SoftwareSigner::from_secret_bytes(Algorithm::Es384, &[0x41; 48])
            .unwrap()
            .public_key()
    })
}

/// The two identifiers (cti and nonce) of token number `n`.
fn token(n: u64) -> [ReplayId; 2] {
    let key = device();
    [
        ReplayId::new(ReplayIdKind::Cti, key, &n.to_be_bytes(), &RustCrypto),
        ReplayId::new(ReplayIdKind::Nonce, key, &n.to_be_bytes(), &RustCrypto),
    ]
}

fn code(r: Result<(), ReplayError>) -> &'static str {
    r.err().map_or("ok", |e| e.code())
}

/// Token `n`, verified at `now`, acceptable until `now + 359` (a token
/// issued at `now` with the example phone's `exp` of `iat + 300` and 60 s
/// of skew).
fn submit(cache: &MemoryReplayCache, n: u64, now: i64) -> &'static str {
    code(cache.check_and_insert(&token(n), UnixTime(now + 359), UnixTime(now)))
}

/// Calls at every second of `from..to` with no token, as a busy verifier's
/// other traffic would move the cache's clock.
fn tick(cache: &MemoryReplayCache, from: i64, to: i64) {
    for now in from..to {
        assert_eq!(
            code(cache.check_and_insert(&[], UnixTime(now), UnixTime(now))),
            "ok"
        );
    }
}

#[test]
fn a_replay_is_refused_until_the_deadline_and_forgotten_after_it() {
    let cache = MemoryReplayCache::default();
    assert_eq!(submit(&cache, 1, T), "ok");
    tick(&cache, T, T + 360);
    // Still acceptable at T + 359, and still refused.
    assert_eq!(submit(&cache, 1, T + 359), "replay.seen");
    // Kept at most a bucket (27 s) and a clock step (10 s) past the
    // deadline, then dropped by time passing, without the cache being full.
    tick(&cache, T + 360, T + 359 + 27 + 10 + 2);
    assert!(cache.is_empty(), "{} identifiers left", cache.len());
}

#[test]
fn expired_entries_are_dropped_as_time_passes_not_when_full() {
    // 10 tokens/s for 2 000 s: about 7 400 identifiers are live at any time
    // (2 × 10 × (359 + at most 27 + 10)); a cache that dropped only when
    // full would hold all 40 000.
    let cache = MemoryReplayCache::for_peak_rate(10, 420);
    let mut n = 0;
    let mut most = 0;
    for now in T..T + 2_000 {
        for _ in 0..10 {
            n += 1;
            assert_eq!(submit(&cache, n, now), "ok");
        }
        most = most.max(cache.len());
    }
    assert!(
        (7_180..=7_920).contains(&most),
        "{most} identifiers held at most"
    );
}

#[test]
fn sized_for_a_rate_it_sustains_that_rate_and_refuses_beyond_it() {
    // Worst case for the sizing: every token acceptable for the whole
    // window after it is verified (iat at the far edge of the skew).
    let window = acceptance_window_secs(&Freshness::DEFAULT); // 420 s
    let rate = 50;
    let cache = MemoryReplayCache::for_peak_rate(rate, window);
    assert_eq!(cache.capacity(), 2 * 50 * (420 + 27 + 10 + 60));
    let submit_at = |n: u64, now: i64| {
        code(cache.check_and_insert(&token(n), UnixTime(now + i64::from(window)), UnixTime(now)))
    };
    let mut n = 0;
    for now in T..T + 3 * i64::from(window) {
        for _ in 0..rate {
            n += 1;
            assert_eq!(submit_at(n, now), "ok", "token {n} at {now}");
        }
    }
    // Twice the rate fills it: new tokens are refused, live ones are still
    // recognised, none is forgotten early.
    let start = T + 3 * i64::from(window);
    let mut refused = 0;
    let mut accepted = Vec::new();
    for now in start..start + 300 {
        for _ in 0..2 * rate {
            n += 1;
            match submit_at(n, now) {
                "ok" => accepted.push(n),
                "replay.cache-full" => refused += 1,
                other => panic!("{other}"),
            }
        }
    }
    assert!(refused > 0);
    // Filled to the last identifier, then refused.
    let now = start + 300;
    loop {
        n += 1;
        if submit_at(n, now) == "replay.cache-full" {
            break;
        }
        accepted.push(n);
    }
    assert_eq!(cache.len(), cache.capacity());
    // Every token accepted while it filled is still recognised.
    for &m in &accepted {
        assert_eq!(submit_at(m, now), "replay.seen", "token {m}");
    }
    let err = cache
        .check_and_insert(&token(n), UnixTime(now + 420), UnixTime(now))
        .unwrap_err();
    // The message says how to size the cache.
    assert!(err.to_string().contains("for_peak_rate"), "{err}");
}

#[test]
fn a_far_future_time_drops_nothing_and_a_live_token_stays_a_replay() {
    // A full cache of live tokens, then one call from a year ahead: it must
    // not drop them, so when the clock is back each is still a replay.
    let cache = MemoryReplayCache::new(200);
    for n in 0..100 {
        assert_eq!(submit(&cache, n, T), "ok");
    }
    let year = 365 * 86_400;
    assert_eq!(submit(&cache, 1_000, T + year), "replay.cache-full");
    for n in 0..100 {
        assert_eq!(submit(&cache, n, T + 1), "replay.seen", "token {n}");
    }
    assert_eq!(cache.len(), 200);

    // With room to spare: the far-future token is stored, the others stay,
    // and the cache keeps working at the real time.
    let cache = MemoryReplayCache::new(1_000);
    for n in 0..100 {
        assert_eq!(submit(&cache, n, T), "ok");
    }
    assert_eq!(submit(&cache, 1_000, T + year), "ok");
    assert_eq!(submit(&cache, 1_001, T + year + 30), "ok");
    tick(&cache, T + 1, T + 200);
    for n in 0..100 {
        assert_eq!(submit(&cache, n, T + 200), "replay.seen", "token {n}");
    }
    assert_eq!(submit(&cache, 2_000, T + 200), "ok");
    // A burst from the future shorter than the confirmation (60 s of its
    // own time) is not followed either.
    for s in 0..59 {
        assert_eq!(submit(&cache, 3_000 + s as u64, T + year + s), "ok");
    }
    assert_eq!(submit(&cache, 50, T + 201), "replay.seen");
    assert_eq!(submit(&cache, 2_000, T + 201), "replay.seen");
}

#[test]
fn a_jump_that_lasts_is_followed() {
    // The clock really moved (a suspended machine, a corrected clock):
    // after 60 s of calls from the new time, the cache follows and drops
    // what expired by then.
    let cache = MemoryReplayCache::new(10_000);
    for n in 0..100 {
        assert_eq!(submit(&cache, n, T), "ok");
    }
    let later = T + 86_400;
    tick(&cache, later, later + 60);
    assert_eq!(cache.len(), 200);
    tick(&cache, later + 60, later + 61);
    assert!(cache.is_empty(), "{} identifiers left", cache.len());
}

#[test]
fn time_going_back_never_makes_a_live_entry_forgettable() {
    let cache = MemoryReplayCache::new(10_000);
    tick(&cache, T, T + 20);
    assert_eq!(submit(&cache, 1, T + 20), "ok"); // acceptable until T + 379
                                                 // The clock steps back 1 000 s and stays there; the cache follows after
                                                 // the confirmation.
    let back = T - 1_000;
    tick(&cache, back, back + 100);
    // A token accepted at the earlier time: acceptable until back + 459,
    // which is long before the latest time the cache has seen (T + 19).
    assert_eq!(submit(&cache, 2, back + 100), "ok");
    // As time passes again from there, it is kept until its deadline...
    tick(&cache, back + 100, back + 459);
    assert_eq!(submit(&cache, 2, back + 459), "replay.seen");
    // ...and so is the token from before the step.
    assert_eq!(submit(&cache, 1, back + 459), "replay.seen");
}

#[test]
fn a_token_the_cache_may_have_forgotten_is_refused_when_time_went_back() {
    let cache = MemoryReplayCache::new(10_000);
    assert_eq!(submit(&cache, 1, T), "ok"); // acceptable until T + 359
                                            // Time passes: the token's deadline goes by and its bucket is dropped.
    tick(&cache, T, T + 420);
    assert!(cache.is_empty());
    // The clock then steps back 400 s, where the token is acceptable
    // again: the cache cannot tell whether it saw it, so it refuses.
    let err = cache
        .check_and_insert(&token(1), UnixTime(T + 359), UnixTime(T + 20))
        .unwrap_err();
    assert_eq!(err.code(), "replay.clock-regressed");
    // T + 359 lies in the bucket of T + 343 ..= T + 369 (T is 8 past a
    // multiple of 27).
    assert_eq!(
        err,
        ReplayError::ClockRegressed {
            live_until: T + 359,
            forgotten_through: T + 369
        }
    );
    // Even after the cache has followed the clock back.
    tick(&cache, T + 20, T + 90);
    assert_eq!(
        code(cache.check_and_insert(&token(1), UnixTime(T + 359), UnixTime(T + 90))),
        "replay.clock-regressed"
    );
    // A token acceptable past what was dropped is answered as usual.
    assert_eq!(submit(&cache, 2, T + 90), "ok");
    assert_eq!(submit(&cache, 2, T + 91), "replay.seen");
}

/// Every crypto provider compiled in.
fn providers() -> Vec<(&'static str, Box<dyn CryptoProvider>)> {
    #[allow(unused_mut)]
    let mut all: Vec<(&'static str, Box<dyn CryptoProvider>)> =
        vec![("RustCrypto", Box::new(RustCrypto))];
    #[cfg(feature = "aws-lc")]
    all.push(("AwsLc", Box::new(mtattest::crypto::AwsLc)));
    all
}

/// The device key (secret scalar 0x41…41) compressed, and two of its
/// identifiers (spec §11.2: SHA-384 over the domain label and the
/// length-prefixed kind, uncompressed key and value), all computed with
/// Python's `cryptography` and `hashlib`, not with this library.
const DEVICE_COMPRESSED: &str = "0378ffcb64de114d38f5dc61dbacf237ed5ec18becd45b6f94461e241a23587e861cb299d26023cce7c20b08feb37761fe";
const CTI_ID_OF_CTI: &str = "402080a91c555663cb6423b8a0965f89daefe75eb62c8c1999a3ce15b9467568ac36f8c6767f8f47774dfb15e8d9dbee";
const PAYLOAD_ID_OF_P: &str = "b36303fd4422547a7162846cab0732d6c63322f24516f639601dd1e1000071a03fb695491a9fb7198d96ea86c12fac8f";

#[test]
fn one_key_in_two_encodings_gives_one_identifier_with_every_provider() {
    let uncompressed = device();
    let sec1 = hex::decode(DEVICE_COMPRESSED).unwrap();
    for (name, crypto) in providers() {
        let crypto = crypto.as_ref();
        let compressed = PublicKey::from_sec1(uncompressed.curve(), &sec1, crypto).unwrap();
        assert_eq!(compressed.sec1(), sec1.as_slice(), "{name}");
        assert_eq!(compressed.uncompressed(), uncompressed.sec1(), "{name}");
        let ids = ReplayId::for_token(&compressed, Some(b"cti"), None, b"p", crypto);
        assert_eq!(hex::encode(ids[0].as_bytes()), CTI_ID_OF_CTI, "{name}");
        assert_eq!(
            ids,
            ReplayId::for_token(uncompressed, Some(b"cti"), None, b"p", crypto),
            "{name}"
        );
        let ids = ReplayId::for_token(&compressed, None, None, b"p", crypto);
        assert_eq!(hex::encode(ids[0].as_bytes()), PAYLOAD_ID_OF_P, "{name}");
        assert_eq!(
            ReplayId::new(ReplayIdKind::Payload, &compressed, b"digest", crypto),
            ReplayId::new(ReplayIdKind::Payload, uncompressed, b"digest", crypto),
            "{name}"
        );
    }
}

/// The device certificate of the test PKI issued again (another serial)
/// for the same key, with the point compressed in its
/// subjectPublicKeyInfo (RFC 5480 allows either form).
fn compressed_twin(pki: &mtattest_testkit::pki::TestPki) -> Vec<u8> {
    use der::{Decode as _, Encode as _};
    use mtattest_testkit::pki::{issue, CertSpec};
    use p384::elliptic_curve::sec1::ToEncodedPoint as _;
    let mut spki = x509_cert::Certificate::from_der(&pki.device.der)
        .unwrap()
        .tbs_certificate
        .subject_public_key_info;
    let point = p384::PublicKey::from_sec1_bytes(spki.subject_public_key.raw_bytes()).unwrap();
    spki.subject_public_key =
        der::asn1::BitString::from_bytes(point.to_encoded_point(true).as_bytes()).unwrap();
    let spec = CertSpec {
        serial: 0x3777,
        spki_override: Some(spki.to_der().unwrap()),
        ..pki.device.spec.clone()
    };
    issue(&spec, Some(&pki.intermediate.spec)).unwrap()
}
#[test]
fn a_second_certificate_for_the_same_key_does_not_make_a_token_new() {
    use mtattest::token::{HeaderPlacement, TokenBuilder};
    use mtattest::trust::{ChainVerifier, TrustAnchors};
    use mtattest::verifier::{KeyCheck, KeySource, Verifier};
    use mtattest_testkit::example_phone;
    use mtattest_testkit::pki::TestPki;

    let pki = TestPki::standard().unwrap();
    let twin = compressed_twin(&pki);
    let mut anchors = TrustAnchors::new();
    anchors.add_der(&pki.root.der).unwrap();
    let verifier = Verifier::builder(KeySource::chain(ChainVerifier::new(anchors))).build();
    let challenge = b"challenge-for-the-twin-test";
    let claims = example_phone(T, challenge.to_vec());
    let signer = pki.device.signer().unwrap();
    let token = |leaf: &[u8]| {
        TokenBuilder::new()
            .x5chain(
                vec![leaf.to_vec(), pki.intermediate.der.clone()],
                HeaderPlacement::Unprotected,
            )
            .sign(&claims, &signer)
            .unwrap()
    };
    let original = token(&pki.device.der);
    let swapped = token(&twin);
    // The same signed bytes; only the unprotected chain differs.
    assert_ne!(original, swapped);
    let signature = |t: &[u8]| t[t.len() - 96..].to_vec();
    assert_eq!(signature(&original), signature(&swapped));

    // Each verifies on its own (a fresh verifier per token)...
    let alone = |t: &[u8]| {
        let mut anchors = TrustAnchors::new();
        anchors.add_der(&pki.root.der).unwrap();
        Verifier::builder(KeySource::chain(ChainVerifier::new(anchors)))
            .build()
            .verify(t, Some(challenge), UnixTime(T))
            .map(|v| match v.key() {
                KeyCheck::Chain(chain) => chain.leaf_key().sec1().len(),
                _ => 0,
            })
    };
    assert_eq!(alone(&original).unwrap(), 97);
    assert_eq!(alone(&swapped).unwrap(), 49);
    // ...but to one verifier the second is the first again.
    assert!(verifier
        .verify(&original, Some(challenge), UnixTime(T))
        .is_ok());
    let err = verifier
        .verify(&swapped, Some(challenge), UnixTime(T + 1))
        .unwrap_err();
    assert_eq!(err.code(), "replay.seen");
}
