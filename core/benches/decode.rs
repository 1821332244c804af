//! The parsing costs a verifier pays on top of the signature verify, for the
//! example phone token (x5chain of 2 certificates in the protected header):
//!
//! * `cbor_scan` — the strict well-formedness scan of the claims payload;
//! * `cbor_decode_strict` — scan and decode of the payload to a `Value`;
//! * `claims_from_cbor` — `ClaimsSet::from_cbor` of the payload (strict
//!   CBOR and the typed model);
//! * `token_decode` — `Token::decode` of the token bytes (envelope and
//!   header rules, no claims);
//! * `to_be_signed` — building the Sig_structure of a decoded token.
//!
//! Run: `cargo bench -p mtattest --bench decode`.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use mtattest::cbor;
use mtattest::claims::ClaimsSet;
use mtattest::token::{DecodeOptions, HeaderPlacement, Token};
use mtattest::Limits;
use mtattest_testkit::example_phone;
use mtattest_testkit::pki::TestPki;

fn bench(c: &mut Criterion) {
    let pki = TestPki::standard().expect("test PKI");
    let claims = example_phone(1_790_000_000, b"relying-party-challenge".to_vec());
    let bytes = pki
        .token(&claims, HeaderPlacement::Protected)
        .expect("token");
    let options = DecodeOptions::default();
    let token = Token::decode(&bytes, &options).expect("decodes");
    let payload = token.payload().to_vec();
    let limits = Limits::DEFAULT;
    assert_eq!(
        ClaimsSet::from_cbor(&payload, &limits).expect("claims"),
        claims
    );
    eprintln!(
        "token {} bytes, payload {} bytes, Sig_structure {} bytes",
        bytes.len(),
        payload.len(),
        token.to_be_signed().len()
    );

    let mut group = c.benchmark_group("decode");
    group.bench_function("cbor_scan", |b| {
        b.iter(|| cbor::scan(black_box(&payload), &limits).is_ok())
    });
    group.bench_function("cbor_decode_strict", |b| {
        b.iter(|| cbor::decode_strict(black_box(&payload), &limits).is_ok())
    });
    group.bench_function("claims_from_cbor", |b| {
        b.iter(|| ClaimsSet::from_cbor(black_box(&payload), &limits).is_ok())
    });
    group.bench_function("token_decode", |b| {
        b.iter(|| Token::decode(black_box(&bytes), &options).is_ok())
    });
    group.bench_function("to_be_signed", |b| {
        b.iter(|| black_box(&token).to_be_signed())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
