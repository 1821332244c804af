//! Invalid certificate paths and revoked certificates. Each token is
//! correctly signed by its x5chain leaf's key over the example phone's
//! claims; the one fault is in the chain, the anchors or the revocation
//! data.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::fixtures::{phone, Cert, DAY, TIME};
use super::manifest::CaseOptions;
use super::sign1::{alg, header, x5chain, Sign1, X5Form, ALG, X5CHAIN};
use super::valid::token;
use super::{anchors, revocation, CaseSpec, Gen};
use crate::pki::{CertSpec, SigAlgSpec, UsageSpec};
use mtattest::crypto::Algorithm;
use mtattest::error::Error;

mod profile;

fn keep(_: &mut CertSpec) {}

pub(super) fn cases(gen: &mut Gen) -> Result<(), Error> {
    let pki = gen.pki.clone();
    let payload = phone().to_cbor();
    let device = pki.device.signer()?;
    let signed = |chain: &[Vec<u8>], leaf: &Cert| -> Result<Vec<u8>, Error> {
        token(chain, payload.clone(), &leaf.signer()?)
    };

    let no_chain = Sign1::new(
        header(vec![(ALG, alg(Algorithm::Es384))]),
        header(Vec::new()),
        payload.clone(),
    )
    .sign(&device)?
    .encode();
    gen.add(CaseSpec::invalid(
        "invalid-chain-missing",
        "The token has no x5chain, so no key can be trusted.",
        no_chain,
        "chain.missing",
    ))?;

    let unprotected = Sign1::new(
        header(vec![(ALG, alg(Algorithm::Es384))]),
        header(vec![(X5CHAIN, x5chain(&pki.chain(), X5Form::Array))]),
        payload.clone(),
    )
    .sign(&device)?
    .encode();
    gen.add(
        CaseSpec::invalid(
            "invalid-chain-unprotected-when-required",
            "x5chain in the unprotected header, and this verifier requires it protected.",
            unprotected,
            "chain.unprotected",
        )
        .options(CaseOptions {
            require_protected_x5chain: Some(true),
            ..CaseOptions::default()
        }),
    )?;

    type Bend = fn(&mut CertSpec);
    let bent: [(&'static str, &str, Bend, Bend, &'static str); 13] = [
        (
            "invalid-chain-device-expired",
            "The device certificate expired the day before the verification time.",
            keep,
            |d| d.not_after = TIME - DAY,
            "chain.expired",
        ),
        (
            "invalid-chain-intermediate-expired",
            "The intermediate certificate expired the day before the verification time.",
            |i| i.not_after = TIME - DAY,
            keep,
            "chain.expired",
        ),
        (
            "invalid-chain-device-not-yet-valid",
            "The device certificate becomes valid the day after the verification time.",
            keep,
            |d| d.not_before = TIME + DAY,
            "chain.not-yet-valid",
        ),
        (
            "invalid-chain-intermediate-not-ca",
            "The intermediate's basicConstraints say cA false.",
            |i| i.basic_constraints = Some((false, None)),
            keep,
            "chain.not-ca",
        ),
        (
            "invalid-chain-intermediate-no-basic-constraints",
            "The intermediate has no basicConstraints, so it is not a CA.",
            |i| i.basic_constraints = None,
            keep,
            "chain.not-ca",
        ),
        (
            "invalid-chain-intermediate-key-usage",
            "The intermediate's keyUsage lacks keyCertSign (digitalSignature only).",
            |i| {
                i.key_usage = Some(UsageSpec {
                    digital_signature: true,
                    ..UsageSpec::default()
                })
            },
            keep,
            "chain.key-usage",
        ),
        (
            "invalid-chain-device-key-usage",
            "The device certificate's keyUsage lacks digitalSignature (cRLSign only).",
            keep,
            |d| {
                d.key_usage = Some(UsageSpec {
                    crl_sign: true,
                    ..UsageSpec::default()
                })
            },
            "chain.key-usage",
        ),
        (
            "invalid-chain-device-bad-signature",
            "The device certificate's signature has one bit flipped.",
            keep,
            |d| d.corrupt_signature = true,
            "chain.bad-signature",
        ),
        (
            "invalid-chain-intermediate-bad-signature",
            "The intermediate certificate's signature has one bit flipped.",
            |i| i.corrupt_signature = true,
            keep,
            "chain.bad-signature",
        ),
        (
            "invalid-chain-unknown-critical-extension",
            "The device certificate has a critical extension nobody understands \
             (1.3.6.1.4.1.99999.1).",
            keep,
            |d| d.unknown_critical_extension = true,
            "chain.unknown-critical-extension",
        ),
        (
            "invalid-chain-name-mismatch",
            "The device certificate names another issuer than the intermediate's subject (the \
             key identifiers still match and the signature verifies).",
            keep,
            |d| d.issuer_override = Some("CN=mtattest Someone Else,O=mtattest Test OEM".into()),
            "chain.name-mismatch",
        ),
        (
            "invalid-chain-unsupported-algorithm",
            "The P-384 intermediate signed the device certificate naming ecdsa-with-SHA256 \
             (a P-384 issuer must use ecdsa-with-SHA384).",
            keep,
            |d| d.signature_algorithm_override = Some(SigAlgSpec::EcdsaSha256),
            "chain.unsupported-algorithm",
        ),
        (
            "invalid-chain-repeated-extension",
            "The device certificate carries keyUsage twice.",
            keep,
            |d| d.duplicate_extension = true,
            "chain.malformed",
        ),
    ];
    for (id, description, bend_intermediate, bend_device, code) in bent {
        let (chain, leaf) = pki.bent_chain(bend_intermediate, bend_device)?;
        gen.add(CaseSpec::invalid(
            id,
            String::from(description),
            signed(&chain, &leaf)?,
            code,
        ))?;
    }

    let (chain, leaf) = pki.compact_point_chain()?;
    gen.add(CaseSpec::invalid(
        "invalid-chain-device-key-compact-point",
        "The device certificate writes its key in the \"compact\" form 05 || x, which RFC \
         5480 does not allow (only 04, 02 and 03; spec 10.2). Some libraries decode it, here to \
         the very key that signed the token, and the intermediate signed the certificate: a \
         verifier that took the form would accept the token.",
        signed(&chain, &leaf)?,
        "chain.malformed",
    ))?;

    let (chain, leaf) = pki.too_deep_chain()?;
    gen.add(CaseSpec::invalid(
        "invalid-chain-path-length",
        "x5chain [device, sub-CA, intermediate]: the intermediate's pathLenConstraint 0 allows \
         no CA below it.",
        signed(&chain, &leaf)?,
        "chain.path-length",
    ))?;

    let standard = signed(&pki.chain(), &pki.device)?;
    gen.add(
        CaseSpec::invalid(
            "invalid-chain-wrong-anchor",
            "The only trust anchor is another manufacturer's root.",
            standard.clone(),
            "chain.no-anchor",
        )
        .anchors(anchors::OTHER_ROOT),
    )?;
    gen.add(
        CaseSpec::invalid(
            "invalid-chain-impostor-anchor",
            "The only trust anchor has the root's name but another key (and so another \
             subjectKeyIdentifier than the intermediate's authorityKeyIdentifier): it did not \
             issue the intermediate.",
            standard.clone(),
            "chain.no-anchor",
        )
        .anchors(anchors::IMPOSTOR_ROOT),
    )?;
    gen.add(
        CaseSpec::invalid(
            "invalid-chain-impostor-anchor-name-only",
            "The only trust anchor has the root's name, another key and no key identifiers, so \
             it matches by name: the intermediate's signature does not verify under its key.",
            standard.clone(),
            "chain.bad-signature",
        )
        .anchors(anchors::IMPOSTOR_ROOT_NO_KEY_ID),
    )?;
    gen.add(
        CaseSpec::invalid(
            "invalid-chain-anchor-expired",
            "The trust anchor (the root's name and key) expired the day before the verification \
             time.",
            standard.clone(),
            "chain.expired",
        )
        .anchors(anchors::EXPIRED_ROOT),
    )?;
    gen.add(CaseSpec::invalid(
        "invalid-chain-single-cert-root-anchor",
        "x5chain is the device certificate alone, but the anchor is the root, which did \
             not issue it.",
        Sign1::new(
            header(vec![
                (ALG, alg(Algorithm::Es384)),
                (
                    X5CHAIN,
                    x5chain(core::slice::from_ref(&pki.device.der), X5Form::Bstr),
                ),
            ]),
            header(Vec::new()),
            payload.clone(),
        )
        .sign(&device)?
        .encode(),
        "chain.no-anchor",
    ))?;

    let mut truncated = pki.device.der.clone();
    truncated.pop();
    let chain = vec![truncated, pki.intermediate.der.clone()];
    gen.add(CaseSpec::invalid(
        "invalid-chain-malformed-certificate",
        "The device certificate's DER is missing its last byte.",
        token(&chain, payload.clone(), &device)?,
        "chain.malformed",
    ))?;

    let chain = vec![
        pki.device.der.clone(),
        pki.intermediate.der.clone(),
        vec![0x30; 9000],
    ];
    gen.add(CaseSpec::invalid(
        "invalid-chain-cert-too-large",
        "x5chain [device, intermediate, 9 000 bytes]: a certificate larger than 8 192 bytes, \
         refused before any certificate is parsed.",
        token(&chain, payload.clone(), &device)?,
        "chain.cert-too-large",
    ))?;

    let chain = vec![
        pki.device.der.clone(),
        pki.intermediate.der.clone(),
        pki.intermediate.der.clone(),
    ];
    gen.add(CaseSpec::invalid(
        "invalid-chain-duplicate-certificate",
        "x5chain [device, intermediate, intermediate].",
        token(&chain, payload.clone(), &device)?,
        "chain.duplicate",
    ))?;

    let chain = vec![
        pki.device.der.clone(),
        pki.intermediate.der.clone(),
        pki.root.der.clone(),
        pki.other_root.der.clone(),
        pki.p256[0].der.clone(),
        pki.p256[1].der.clone(),
        pki.device_direct.der.clone(),
    ];
    gen.add(CaseSpec::invalid(
        "invalid-chain-too-long",
        "x5chain has seven certificates (limit 6).",
        token(&chain, payload.clone(), &device)?,
        "chain.too-long",
    ))?;

    for (id, description, crl, code) in [
        (
            "invalid-crl-device-revoked",
            "The intermediate's current CRL revokes the device certificate (keyCompromise).",
            revocation::CRL_DEVICE_REVOKED,
            "chain.revoked",
        ),
        (
            "invalid-crl-device-on-hold",
            "The intermediate's current CRL puts the device certificate on hold \
             (certificateHold).",
            revocation::CRL_DEVICE_ON_HOLD,
            "chain.suspended",
        ),
        (
            "invalid-crl-stale",
            "The intermediate's CRL (not listing the device) passed its nextUpdate a day ago.",
            revocation::CRL_STALE,
            "chain.crl-stale",
        ),
        (
            "invalid-crl-not-yet-valid",
            "The intermediate's CRL (not listing the device) has thisUpdate an hour after the \
             verification time.",
            revocation::CRL_NOT_YET_VALID,
            "chain.crl-not-yet-valid",
        ),
        (
            "invalid-crl-bad-signature",
            "The intermediate's CRL (not listing the device) has one bit of its signature \
             flipped.",
            revocation::CRL_BAD_SIGNATURE,
            "chain.crl-bad-signature",
        ),
    ] {
        gen.add(CaseSpec::invalid(id, description, standard.clone(), code).crl(crl))?;
    }
    gen.add(
        CaseSpec::invalid(
            "invalid-status-list-intermediate-revoked",
            "The status list revokes the intermediate certificate (serial 2002).",
            standard.clone(),
            "chain.revoked",
        )
        .status_list(revocation::STATUS_INTERMEDIATE_REVOKED),
    )?;
    gen.add(
        CaseSpec::invalid(
            "invalid-status-list-device-suspended",
            "The status list suspends the device certificate (serial 3003).",
            standard,
            "chain.suspended",
        )
        .status_list(revocation::STATUS_DEVICE_SUSPENDED),
    )?;
    profile::cases(gen)
}
