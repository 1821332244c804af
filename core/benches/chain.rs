//! Token verification with an x5chain, per crypto backend:
//!
//! * `bare_es384_verify` — one ES384 verify of the token's Sig_structure by
//!   the provider (the physical floor);
//! * `token_cached_chain` — `ChainVerifier::verify_chain_and_signature` on a decoded token
//!   whose chain is in the cache (one SHA-384 of the chain, the token
//!   signature verify, claims decoding);
//! * `decode_and_token_cached_chain` — the same from the token bytes
//!   (COSE decoding included);
//! * `signature_cached_chain` — the chain from the cache and the token
//!   signature verified under its leaf key, without decoding the claims;
//! * `part_chain_cache_hit` — only the cache lookup of the chain (SHA-384
//!   of the chain, map lookup); `parts/to_be_signed` and
//!   `parts/claims_decode` — the other two costs a cached token adds to the
//!   bare verify (building the Sig_structure, decoding the claims);
//! * `token_new_device_cached_intermediate` — `verify_chain_and_signature`
//!   on the first token of a device not seen before, its intermediate's
//!   link to the root in the link cache (spec §10.6): the chain is parsed
//!   and validated, 2 verifies (the device certificate's, the token's). The
//!   tokens of 16 devices are verified in turn by a verifier caching one
//!   chain, so no chain is ever found in the chain cache;
//! * `token_uncached_chain` — `verify_chain_and_signature` with no cache: the
//!   2-certificate chain (device, intermediate; root omitted) is parsed and
//!   validated, 3 verifies in all.
//!
//! Run: `cargo bench -p mtattest --features aws-lc`.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use mtattest::crypto::{Algorithm, CryptoProvider, RustCrypto};
use mtattest::token::{DecodeOptions, HeaderPlacement, Token};
use mtattest::trust::{ChainVerifier, TrustAnchors};
use mtattest::UnixTime;
use mtattest_testkit::example_phone;
use mtattest_testkit::pki::{issue, CertSpec, KeySpec, TestPki};

/// Tokens of `count` devices of the standard intermediate, each with its
/// own key and certificate.
fn new_device_tokens(pki: &TestPki, now: UnixTime, count: u64) -> Vec<Token> {
    (0..count)
        .map(|n| {
            let device = CertSpec {
                serial: 0x6000 + n,
                key: KeySpec::p384(&format!("bench device {n}")),
                ..CertSpec::device()
            };
            let der = issue(&device, Some(&pki.intermediate.spec)).expect("device certificate");
            let claims = example_phone(now.secs(), b"relying-party-challenge".to_vec());
            let bytes = mtattest::token::TokenBuilder::new()
                .x5chain(
                    vec![der, pki.intermediate.der.clone()],
                    HeaderPlacement::Protected,
                )
                .sign(&claims, &device.key.signer().expect("device key"))
                .expect("token");
            Token::decode(&bytes, &DecodeOptions::default()).expect("decodes")
        })
        .collect()
}

fn providers() -> Vec<(&'static str, Box<dyn CryptoProvider>)> {
    #[allow(unused_mut)]
    let mut all: Vec<(&'static str, Box<dyn CryptoProvider>)> =
        vec![("rustcrypto", Box::new(RustCrypto))];
    #[cfg(feature = "aws-lc")]
    all.push(("aws-lc", Box::new(mtattest::crypto::AwsLc)));
    all
}

fn bench(c: &mut Criterion) {
    let pki = TestPki::standard().expect("test PKI");
    let now = UnixTime::from_secs(1_790_000_000);
    let claims = example_phone(now.secs(), b"relying-party-challenge".to_vec());
    let bytes = pki
        .token(&claims, HeaderPlacement::Protected)
        .expect("token");
    let options = DecodeOptions::default();
    let token = Token::decode(&bytes, &options).expect("decodes");
    let key = pki.device.public_key().expect("device key");
    let tbs = token.to_be_signed();
    let signature = token.signature().to_vec();
    let mut anchors = TrustAnchors::new();
    anchors.add_der(&pki.root.der).expect("root");
    eprintln!(
        "token {} bytes, chain {} certificates ({} bytes), Sig_structure {} bytes",
        bytes.len(),
        pki.chain().len(),
        pki.chain().iter().map(Vec::len).sum::<usize>(),
        tbs.len()
    );

    let (_, chain) = token.x5chain().expect("x5chain");
    let new_devices = new_device_tokens(&pki, now, 16);
    let mut parts = c.benchmark_group("parts");
    parts.bench_function("to_be_signed", |b| {
        b.iter(|| black_box(&token).to_be_signed())
    });
    parts.bench_function("claims_decode", |b| {
        b.iter(|| black_box(&token).unverified_claims().is_ok())
    });
    parts.finish();

    for (name, crypto) in providers() {
        let crypto = crypto.as_ref();
        let uncached = ChainVerifier::new(anchors.clone());
        let cached = ChainVerifier::new(anchors.clone()).with_cache(1024);
        assert!(crypto.verify_raw_signature(Algorithm::Es384, &key, &tbs, &signature));
        cached
            .verify_chain_and_signature(&token, now, crypto)
            .expect("warm the cache");

        let mut group = c.benchmark_group(name);
        group.sample_size(60);
        group.bench_function("bare_es384_verify", |b| {
            b.iter(|| {
                crypto.verify_raw_signature(Algorithm::Es384, &key, black_box(&tbs), &signature)
            })
        });
        group.bench_function("token_cached_chain", |b| {
            b.iter(|| {
                cached
                    .verify_chain_and_signature(black_box(&token), now, crypto)
                    .is_ok()
            })
        });
        group.bench_function("decode_and_token_cached_chain", |b| {
            b.iter(|| {
                Token::decode(black_box(&bytes), &options)
                    .and_then(|t| cached.verify_chain_and_signature(&t, now, crypto))
                    .is_ok()
            })
        });
        group.bench_function("signature_cached_chain", |b| {
            b.iter(|| {
                cached
                    .validate_chain(black_box(chain), now, crypto)
                    .and_then(|c| token.verify_signature(c.leaf_key(), crypto))
                    .is_ok()
            })
        });
        group.bench_function("part_chain_cache_hit", |b| {
            b.iter(|| cached.validate_chain(black_box(chain), now, crypto).is_ok())
        });
        // One chain cached: each device's chain evicts the one before, so
        // every token is its device's first; the intermediate's link stays.
        let links_only = ChainVerifier::new(anchors.clone()).with_cache(1);
        for token in &new_devices {
            links_only
                .verify_chain_and_signature(token, now, crypto)
                .expect("every device verifies");
        }
        let mut turn = new_devices.iter().cycle();
        group.bench_function("token_new_device_cached_intermediate", |b| {
            b.iter(|| {
                let token = turn.next().expect("a cycle never ends");
                links_only
                    .verify_chain_and_signature(black_box(token), now, crypto)
                    .is_ok()
            })
        });
        group.bench_function("token_uncached_chain", |b| {
            b.iter(|| {
                uncached
                    .verify_chain_and_signature(black_box(&token), now, crypto)
                    .is_ok()
            })
        });
        group.finish();
        let stats = cached.cache_stats().expect("cache");
        assert_eq!(stats.misses, 1, "{name}: every cached iteration hit");
        let chains = links_only.cache_stats().expect("cache");
        let links = links_only.link_cache_stats().expect("link cache");
        assert_eq!(chains.hits, 0, "{name}: every device was new");
        assert_eq!(
            links.misses, 1,
            "{name}: the intermediate's link was reused"
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
