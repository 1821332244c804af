//! Genuine tokens that are not for this challenge, not fresh at the
//! verification time, or seen before.

use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use super::fixtures::{challenge, derive, phone, Cert, IAT, TIME};
use super::sign1::{alg, header, x5chain, Sign1, X5Form, ALG, X5CHAIN};
use super::valid::token;
use super::{CaseSpec, Gen};
use crate::example_phone;
use crate::pki::{issue, CertSpec};
use mtattest::claims::{ClaimsSet, Cti};
use mtattest::crypto::Signer as _;
use mtattest::error::{ChainError, Error};

pub(super) fn cases(gen: &mut Gen) -> Result<(), Error> {
    let chain = gen.pki.chain();
    let device = gen.pki.device.signer()?;
    let sign = |claims: &ClaimsSet| token(&chain, claims.to_cbor(), &device);

    let standard = sign(&phone())?;
    gen.add(
        CaseSpec::invalid(
            "invalid-nonce-mismatch",
            "The token answers another challenge than the one the verifier issued.",
            standard.clone(),
            "freshness.nonce-mismatch",
        )
        .nonce(Some(derive("another challenge"))),
    )?;

    let mut no_nonce = phone();
    no_nonce.nonce = None;
    gen.add(CaseSpec::invalid(
        "invalid-nonce-missing",
        "The verifier issued a challenge; the token has no eat_nonce.",
        sign(&no_nonce)?,
        "freshness.nonce-missing",
    ))?;

    gen.add(
        CaseSpec::invalid(
            "invalid-challenge-too-short",
            "The verifier's challenge is 4 bytes (8..64 allowed): refused before comparing.",
            standard.clone(),
            "freshness.nonce-length",
        )
        .nonce(Some(vec![0x5a; 4])),
    )?;

    let mut stale = example_phone(TIME - 361, challenge());
    stale.exp = Some(stale.iat + 3600);
    gen.add(CaseSpec::invalid(
        "invalid-stale",
        "iat is 361 s before the verification time: one second older than max-age + skew \
         (exp is an hour after iat).",
        sign(&stale)?,
        "freshness.stale",
    ))?;

    let future = example_phone(TIME + 61, challenge());
    gen.add(CaseSpec::invalid(
        "invalid-future",
        "iat is 61 s after the verification time: one second beyond the clock skew.",
        sign(&future)?,
        "freshness.future",
    ))?;

    let mut expired = example_phone(TIME - 100, challenge());
    expired.exp = Some(TIME - 60);
    gen.add(CaseSpec::invalid(
        "invalid-expired",
        "exp is 60 s before the verification time: now >= exp + skew.",
        sign(&expired)?,
        "freshness.expired",
    ))?;

    let mut early = phone();
    early.nbf = Some(TIME + 61);
    early.exp = Some(TIME + 600);
    gen.add(CaseSpec::invalid(
        "invalid-not-yet-valid",
        "nbf is 61 s after the verification time: one second beyond the clock skew.",
        sign(&early)?,
        "freshness.not-yet-valid",
    ))?;

    // The ends of the 64-bit range are the instants they name (§11.1).
    // None has exp: it must be later than iat and nbf, and 2^63-1 is the
    // last instant.
    let mut ancient = phone();
    ancient.iat = i64::MIN;
    ancient.exp = None;
    gen.add(CaseSpec::invalid(
        "invalid-stale-iat-int64-min",
        "iat is -2^63, the earliest int: stale by exact arithmetic, without overflow.",
        sign(&ancient)?,
        "freshness.stale",
    ))?;
    let mut last = phone();
    last.iat = i64::MAX;
    last.exp = None;
    gen.add(CaseSpec::invalid(
        "invalid-future-iat-int64-max",
        "iat is 2^63-1, the latest int: in the future by exact arithmetic, without overflow.",
        sign(&last)?,
        "freshness.future",
    ))?;
    let mut never = phone();
    never.nbf = Some(i64::MAX);
    never.exp = None;
    gen.add(CaseSpec::invalid(
        "invalid-not-yet-valid-nbf-int64-max",
        "nbf is 2^63-1: never reached, whatever the clock skew.",
        sign(&never)?,
        "freshness.not-yet-valid",
    ))?;

    gen.add(
        CaseSpec::invalid(
            "invalid-replay-same-token",
            "The same token submitted twice to one verifier: the first is accepted, the \
             second is a replay.",
            standard.clone(),
            "replay.seen",
        )
        .before(vec![standard.clone()]),
    )?;

    let first = {
        let mut c = phone();
        c.nonce = None;
        c
    };
    let mut second = first.clone();
    second.iat = IAT + 5;
    second.exp = Some(second.iat + 300);
    gen.add(
        CaseSpec::invalid(
            "invalid-replay-same-cti",
            "Two different tokens (iat 5 s apart) with the same cti and no nonce: the second \
             is a replay.",
            sign(&second)?,
            "replay.seen",
        )
        .before(vec![sign(&first)?])
        .nonce(None),
    )?;

    let mut other_cti = phone();
    other_cti.cti = Cti::new(derive("other cti").get(..16).unwrap_or_default()).ok();
    gen.add(
        CaseSpec::invalid(
            "invalid-replay-same-nonce",
            "Two tokens with different cti answering the same challenge: the second is a \
             replay.",
            sign(&other_cti)?,
            "replay.seen",
        )
        .before(vec![standard]),
    )?;

    // x5chain in the unprotected header: the signature does not cover the
    // certificates, so the same signed bytes can travel with a second
    // certificate for the device key, its point compressed.
    let twin = compressed_twin(&gen.pki.device, &gen.pki.intermediate.spec)?;
    let unprotected = |leaf: &[u8]| -> Result<Vec<u8>, Error> {
        let chain = [leaf.to_vec(), gen.pki.intermediate.der.clone()];
        Ok(Sign1::new(
            header(vec![(ALG, alg(device.algorithm()))]),
            header(vec![(X5CHAIN, x5chain(&chain, X5Form::Array))]),
            phone().to_cbor(),
        )
        .sign(&device)?
        .encode())
    };
    gen.add(
        CaseSpec::invalid(
            "invalid-replay-same-key-compressed-certificate",
            "x5chain unprotected: a token accepted with the device certificate, then the same \
             signed bytes with another certificate for the same key, its point compressed. \
             Replay identifiers use the key in uncompressed form, so the second is a replay.",
            unprotected(&twin)?,
            "replay.seen",
        )
        .before(vec![unprotected(&gen.pki.device.der)?]),
    )?;
    Ok(())
}

/// The certificate `device` issued again by `issuer` (another serial) for
/// the same key, with the point compressed in its subjectPublicKeyInfo
/// (RFC 5480 allows either form).
fn compressed_twin(device: &Cert, issuer: &CertSpec) -> Result<Vec<u8>, Error> {
    use der::{Decode as _, Encode as _};
    use p384::elliptic_curve::sec1::ToEncodedPoint as _;
    let malformed = |reason: String| -> Error { ChainError::Malformed { index: 0, reason }.into() };
    let mut spki = x509_cert::Certificate::from_der(&device.der)
        .map_err(|e| malformed(e.to_string()))?
        .tbs_certificate
        .subject_public_key_info;
    let point = p384::PublicKey::from_sec1_bytes(spki.subject_public_key.raw_bytes())
        .map_err(|e| malformed(e.to_string()))?;
    spki.subject_public_key =
        der::asn1::BitString::from_bytes(point.to_encoded_point(true).as_bytes())
            .map_err(|e| malformed(e.to_string()))?;
    let spec = CertSpec {
        serial: 0x3777,
        spki_override: Some(spki.to_der().map_err(|e| malformed(e.to_string()))?),
        ..device.spec.clone()
    };
    issue(&spec, Some(issuer))
}
