//! Valid tokens: every claim, every layer and evidence source, both
//! algorithms, every way of carrying and anchoring the chain, the CWT tag,
//! encodings a verifier must accept as sent, and the appraisal statuses.

use alloc::format;
use alloc::vec;
use alloc::vec::Vec;

use ciborium::value::Value;
use serde_json::json;

use super::appraisal_files::{BULLETIN, BYOD, PAYMENT};
use super::fixtures::{challenge, derive, hex, phone, DAY, IAT, TIME};
use super::manifest::CaseOptions;
use super::sign1::{self, alg, header, int, x5chain, Sign1, X5Form, ALG, CRIT, KID, X5CHAIN};
use super::{anchors, revocation, CaseSpec, Gen};
use crate::demo::compromised_phone;
use crate::example_phone;
use mtattest::claims::{ClaimsSet, EvidenceSource, PatchLevel};
use mtattest::error::Error;

/// Signs `payload` into the usual token (x5chain `chain` protected).
pub(super) fn token(
    chain: &[Vec<u8>],
    payload: Vec<u8>,
    signer: &dyn mtattest::crypto::Signer,
) -> Result<Vec<u8>, Error> {
    Ok(Sign1::standard(chain, payload, signer)
        .sign(signer)?
        .encode())
}

pub(super) fn cases(gen: &mut Gen) -> Result<(), Error> {
    chains_and_envelopes(gen)?;
    claims(gen)?;
    appraisal(gen)?;
    Ok(())
}

fn chains_and_envelopes(gen: &mut Gen) -> Result<(), Error> {
    let pki = gen.pki.clone();
    let device = pki.device.signer()?;
    let claims = phone();
    let payload = claims.to_cbor();

    gen.add(
        CaseSpec::valid(
            "valid-es384-example-phone",
            "The example phone (every layer, hardware, kernel and software evidence), ES384, \
             x5chain [device, intermediate] in the protected header, anchored at the root; \
             affirming under the payment policy.",
            token(&pki.chain(), payload.clone(), &device)?,
            &claims,
        )
        .appraise(PAYMENT, None, "affirming", "allow", &[]),
    )?;

    let with_root = vec![
        pki.device.der.clone(),
        pki.intermediate.der.clone(),
        pki.root.der.clone(),
    ];
    gen.add(CaseSpec::valid(
        "valid-chain-with-root",
        "x5chain carries the root too: [device, intermediate, root]; the path ends at the \
         root, which is a trust anchor.",
        token(&with_root, payload.clone(), &device)?,
        &claims,
    ))?;

    let unprotected = Sign1::new(
        header(vec![(ALG, alg(mtattest::crypto::Algorithm::Es384))]),
        header(vec![(X5CHAIN, x5chain(&pki.chain(), X5Form::Array))]),
        payload.clone(),
    )
    .sign(&device)?
    .encode();
    gen.add(CaseSpec::valid(
        "valid-x5chain-unprotected",
        "x5chain in the unprotected header, which a verifier accepts unless configured to \
         require it protected.",
        unprotected,
        &claims,
    ))?;

    for (id, form, what) in [
        (
            "valid-single-cert-bstr-intermediate-anchor",
            X5Form::Bstr,
            "a bare byte string",
        ),
        (
            "valid-single-cert-array-intermediate-anchor",
            X5Form::Array,
            "an array of one byte string",
        ),
    ] {
        let single = Sign1::new(
            header(vec![
                (ALG, alg(mtattest::crypto::Algorithm::Es384)),
                (
                    X5CHAIN,
                    x5chain(core::slice::from_ref(&pki.device.der), form),
                ),
            ]),
            header(Vec::new()),
            payload.clone(),
        )
        .sign(&device)?
        .encode();
        gen.add(
            CaseSpec::valid(
                id,
                format!(
                    "x5chain is the device certificate alone, as {what}; the trust anchor is the \
                     intermediate CA that issued it."
                ),
                single,
                &claims,
            )
            .anchors(anchors::INTERMEDIATE),
        )?;
    }

    let direct_signer = pki.device_direct.signer()?;
    let direct = Sign1::new(
        header(vec![
            (ALG, alg(mtattest::crypto::Algorithm::Es384)),
            (
                X5CHAIN,
                x5chain(core::slice::from_ref(&pki.device_direct.der), X5Form::Bstr),
            ),
        ]),
        header(Vec::new()),
        payload.clone(),
    )
    .sign(&direct_signer)?
    .encode();
    gen.add(CaseSpec::valid(
        "valid-single-cert-issued-by-root",
        "x5chain is one certificate (a bare byte string) issued by the root directly; the root \
         is the anchor.",
        direct,
        &claims,
    ))?;

    let cwt = Sign1::standard(&pki.chain(), payload.clone(), &device)
        .cwt_tagged()
        .sign(&device)?
        .encode();
    gen.add(CaseSpec::valid(
        "valid-cwt-tag-61",
        "The COSE_Sign1 (tag 18) wrapped in the CWT tag 61: 61(18([...])).",
        cwt,
        &claims,
    ))?;

    let es256 = pki.device_p256.signer()?;
    let chain_p256_leaf = vec![pki.device_p256.der.clone(), pki.intermediate.der.clone()];
    gen.add(CaseSpec::valid(
        "valid-es256-device-under-p384-chain",
        "ES256: a P-256 device key (a P-256-only secure element) certified by the P-384 \
         intermediate (ecdsa-with-SHA384).",
        token(&chain_p256_leaf, payload.clone(), &es256)?,
        &claims,
    ))?;

    let p256_device = pki.p256[2].signer()?;
    let p256_chain = vec![pki.p256[2].der.clone(), pki.p256[1].der.clone()];
    gen.add(
        CaseSpec::valid(
            "valid-es256-p256-chain",
            "ES256 under an all-P-256 chain (ecdsa-with-SHA256 throughout), anchored at the \
             P-256 root.",
            token(&p256_chain, payload.clone(), &p256_device)?,
            &claims,
        )
        .anchors(anchors::ROOT_P256),
    )?;

    let standard = token(&pki.chain(), payload.clone(), &device)?;
    gen.add(
        CaseSpec::valid(
            "valid-two-anchors-root-rotation",
            "Two trust anchors (another manufacturer's root, then ours): the chain validates to \
             the second.",
            standard.clone(),
            &claims,
        )
        .anchors(anchors::OTHER_ROOT_AND_ROOT),
    )?;
    gen.add(
        CaseSpec::valid(
            "valid-clean-crl",
            "A current CRL from the intermediate that revokes another device, not this one.",
            standard.clone(),
            &claims,
        )
        .crl(revocation::CRL_CLEAN),
    )?;
    gen.add(
        CaseSpec::valid(
            "valid-clean-status-list",
            "A status list that revokes another device, not any certificate of this path.",
            standard,
            &claims,
        )
        .status_list(revocation::STATUS_CLEAN),
    )?;

    let protected_required = CaseOptions {
        require_protected_x5chain: Some(true),
        ..CaseOptions::default()
    };
    gen.add(
        CaseSpec::valid(
            "valid-protected-x5chain-required",
            "A verifier that requires x5chain protected accepts the usual token.",
            token(&pki.chain(), payload.clone(), &device)?,
            &claims,
        )
        .options(protected_required),
    )?;

    let kid = derive("kid")
        .get(..8)
        .map(<[u8]>::to_vec)
        .unwrap_or_default();
    let headers = Sign1::new(
        header(vec![
            (ALG, alg(mtattest::crypto::Algorithm::Es384)),
            (CRIT, Value::Array(vec![int(KID)])),
            (sign1::CONTENT_TYPE, int(61)),
            (KID, Value::Bytes(kid)),
            (X5CHAIN, x5chain(&pki.chain(), X5Form::Array)),
            (
                -70_001,
                Value::Text("a parameter nobody understands".into()),
            ),
        ]),
        header(vec![(-70_002, Value::Bytes(vec![1, 2, 3]))]),
        payload.clone(),
    )
    .sign(&device)?
    .encode();
    gen.add(CaseSpec::valid(
        "valid-more-header-parameters",
        "The protected header also has crit [4] (kid, understood), content type 61, kid and an \
         unknown non-critical label -70001; the unprotected header an unknown label -70002. \
         The unknown ones are ignored.",
        headers,
        &claims,
    ))?;

    let preferred = header(vec![
        (ALG, alg(mtattest::crypto::Algorithm::Es384)),
        (X5CHAIN, x5chain(&pki.chain(), X5Form::Array)),
    ]);
    // {33: chain, 1: -35} with -35 as a two-byte argument (0x39 0x0022):
    // unsorted and not preferred, and signed exactly as sent.
    let mut odd_protected = vec![0xa2];
    odd_protected.extend(mtattest::cbor::encode(&int(X5CHAIN)));
    odd_protected.extend(mtattest::cbor::encode(&x5chain(
        &pki.chain(),
        X5Form::Array,
    )));
    odd_protected.extend([0x01, 0x39, 0x00, 0x22]);
    debug_assert_ne!(odd_protected, preferred);
    let odd = Sign1::new(odd_protected, header(Vec::new()), unsorted_payload(&claims))
        .sign(&device)?
        .encode();
    gen.add(CaseSpec::valid(
        "valid-non-preferred-unsorted-encodings",
        "The protected header lists x5chain before alg and encodes alg -35 in a longer form \
         than needed; the claims set lists its keys in reverse order with iat as an 8-byte \
         integer. Verifiers check the signature over the bytes as sent and accept both.",
        odd,
        &claims,
    ))?;
    Ok(())
}

/// The claims set with its top-level keys in reverse deterministic order
/// and `iat` in an 8-byte argument.
fn unsorted_payload(claims: &ClaimsSet) -> Vec<u8> {
    let Value::Map(entries) = claims.to_value() else {
        return claims.to_cbor();
    };
    let mut out = sign1::head(5, entries.len() as u64);
    for (k, v) in entries.iter().rev() {
        out.extend(mtattest::cbor::encode(k));
        if *k == int(mtattest::claims::keys::IAT) {
            out.push(0x1b);
            out.extend_from_slice(&(claims.iat as u64).to_be_bytes());
        } else {
            out.extend(mtattest::cbor::encode(v));
        }
    }
    out
}

fn claims(gen: &mut Gen) -> Result<(), Error> {
    let pki = gen.pki.clone();
    let device = pki.device.signer()?;
    let chain = pki.chain();

    let minimal = ClaimsSet::new(IAT);
    gen.add(
        CaseSpec::valid(
            "valid-minimal-claims",
            "The smallest claims set: eat_profile and iat only; no nonce was asked for.",
            token(&chain, minimal.to_cbor(), &device)?,
            &minimal,
        )
        .nonce(None),
    )?;

    let every = every_claim()?;
    gen.add(CaseSpec::valid(
        "valid-every-claim",
        "Every claim of the profile with values the example phone does not use (nbf, an IEEE \
         oemid, cnf by kid, self-signed boot, month-only patch levels, every detection result, \
         a privacy counter of a later revision, an integer above 2^53), plus unknown claims at \
         the top level, in a layer and in submods (one with a key below -2^63; one, -80019 in \
         chip, from the block reserved for later revisions, which verifiers accept as unknown \
         and producers of this revision must not emit), an undefined detection name, and a \
         measres group of another measurement system with a byte-string result-for.",
        token(&chain, every.to_cbor(), &device)?,
        &every,
    ))?;

    let phone = phone();
    for layer in ["chip", "boot", "os", "app", "runtime"] {
        let mut only = ClaimsSet::builder(IAT)
            .nonce(challenge())
            .map_err(Error::from)?
            .build();
        let source = match layer {
            "chip" => {
                only.chip = phone.chip.clone();
                "hardware"
            }
            "boot" => {
                only.boot = phone.boot.clone();
                "hardware"
            }
            "os" => {
                only.os = phone.os.clone();
                "kernel"
            }
            "app" => {
                only.app = phone.app.clone();
                "software"
            }
            _ => {
                only.runtime = phone.runtime.clone();
                "software"
            }
        };
        let id = match layer {
            "chip" => "valid-layer-chip-only",
            "boot" => "valid-layer-boot-only",
            "os" => "valid-layer-os-only",
            "app" => "valid-layer-app-only",
            _ => "valid-layer-runtime-only",
        };
        gen.add(CaseSpec::valid(
            id,
            format!("Only the {layer} layer ({source}-sourced) in submods."),
            token(&chain, only.to_cbor(), &device)?,
            &only,
        ))?;
    }

    let oldest = {
        let mut c = example_phone(TIME - 360, challenge());
        c.exp = Some(c.iat + 3600);
        c
    };
    gen.add(CaseSpec::valid(
        "valid-freshness-oldest-accepted",
        "iat is exactly max-age + skew (360 s) before the verification time: still fresh.",
        token(&chain, oldest.to_cbor(), &device)?,
        &oldest,
    ))?;
    let ahead = example_phone(TIME + 60, challenge());
    gen.add(CaseSpec::valid(
        "valid-freshness-clock-ahead-by-skew",
        "iat is exactly the clock skew (60 s) after the verification time: still accepted.",
        token(&chain, ahead.to_cbor(), &device)?,
        &ahead,
    ))?;
    Ok(())
}

/// The every-claim claims set, written in the JSON form.
fn every_claim() -> Result<ClaimsSet, Error> {
    let cbor_hex = |v: &Value| hex(&mtattest::cbor::encode(v));
    let submodule = Value::Map(vec![
        (int(-80_000), int(2)),
        (int(270), Value::Text("Trusty".into())),
        (int(271), Value::Array(vec![Value::Text("4.2".into())])),
    ]);
    let nested = Value::Map(vec![
        (int(1000), Value::Bool(true)),
        (int(-1), Value::Null),
        (int(10), Value::Text("ten".into())),
        (Value::Text("z".into()), Value::Array(vec![int(1), int(-1)])),
    ]);
    let signer = |label: &str| hex(&derive(label));
    let mut signers = vec![signer("app signer a"), signer("app signer b")];
    signers.sort();
    let json = json!({
        "eat-profile": mtattest::claims::keys::PROFILE_V1,
        "iat": IAT,
        "nbf": IAT - 60,
        "exp": IAT + 600,
        "eat-nonce": hex(&challenge()),
        "cti": hex(derive("every claim cti").get(..16).unwrap_or_default()),
        "ueid": "02a4c3f0112233",
        "oemid": "a4c3f0",
        "hwmodel": "MT-Tablet 3",
        "cnf": { "kid": hex(b"session-key-01") },
        "intuse": "pop",
        "unknown": [
            { "key": -90_000, "cbor": cbor_hex(&nested) },
            { "key": "vendor-note", "cbor": cbor_hex(&Value::Text("kept as sent".into())) },
            { "key-cbor": "3bffffffffffffffff", "cbor": cbor_hex(&Value::Bytes(vec![1, 2])) }
        ],
        "submods": {
            "chip": {
                "evidence-source": "hardware",
                "key-security-level": "tee",
                "hw-root-of-trust": true,
                "security-lifecycle": 0x3001,
                "dbgstat": "disabled-fully-and-permanently",
                "hwversion": { "version": "2.1", "scheme": 16384 },
                "dloas": [
                    { "registrar": "https://www.commoncriteriaportal.org",
                      "platform-label": "CC-EAL4+-EXAMPLE",
                      "application-label": "TEE-PP-EXAMPLE" },
                    { "registrar": "https://globalplatform.org",
                      "platform-label": "GP-TEE-CERT-EXAMPLE-0099" }
                ],
                "unknown": [ { "key": -80_019, "cbor": "f5" } ]
            },
            "boot": {
                "evidence-source": "hardware",
                "verified-boot-state": "self-signed",
                "bootloader-locked": true,
                "boot-key-digest": signer("user boot key"),
                "boot-image-digest": signer("vbmeta"),
                "oemboot": false,
                "boot-patch-level": 20_260_900,
                "rollback-index": 0,
                "rollback-enforced": false,
                "measurements": [ { "content-type": 0, "content": hex(b"bootloader 1.2") } ],
                "bootcount": 9_007_199_254_740_993_u64,
                "uptime": 0
            },
            "os": {
                "evidence-source": "kernel",
                "swname": "Android",
                "swversion": { "version": "16.0.1" },
                "os-patch-level": 20_260_900,
                "vendor-patch-level": 20_260_905,
                "mac-enforcing": false,
                "storage-encryption": "software-key",
                "screen-lock": false,
                "developer-options": true,
                "usb-debugging": true,
                "measres": [ { "system": "mtattest", "results": [
                    { "result-for": "kernel-integrity", "result": "absent" } ] } ]
            },
            "app": {
                "evidence-source": "software",
                "app-id": "com.example.bank",
                "app-version": 7,
                "app-signers": signers,
                "installer": "sideload",
                "privacy-events": { "out-of-scope": 2, "over-frequency": 1, "background": 0, "4": 9 },
                "measres": [ { "system": "mtattest", "results": [
                    { "result-for": "app-integrity", "result": "fail" } ] } ]
            },
            "runtime": {
                "evidence-source": "software",
                "malware": "medium",
                "attestation-velocity": 0,
                "measres": [
                    { "system": "mtattest", "results": [
                        { "result-for": "root", "result": "not-run" },
                        { "result-for": "hooking", "result": "fail" },
                        { "result-for": "debugger", "result": "success" },
                        { "result-for": "emulator", "result": "absent" },
                        { "result-for": "screen-capture", "result": "fail" },
                        { "result-for": "overlay", "result": "not-run" },
                        { "result-for": "remote-control", "result": "success" },
                        { "result-for": "malware-scan", "result": "success" },
                        { "result-for": "future-check", "result": "success" } ] },
                    { "system": "vendor-scan", "results": [
                        { "result-for": { "bstr": "dead" }, "result": "fail" } ] }
                ]
            },
            "unknown": [ { "key": "tee", "cbor": cbor_hex(&submodule) } ]
        }
    });
    Ok(ClaimsSet::from_json(&json)?)
}

fn appraisal(gen: &mut Gen) -> Result<(), Error> {
    let pki = gen.pki.clone();
    let device = pki.device.signer()?;
    let chain = pki.chain();

    let phone = phone();
    gen.add(
        CaseSpec::valid(
            "valid-appraisal-byod-affirming",
            "The example phone under the byod policy: affirming.",
            token(&chain, phone.to_cbor(), &device)?,
            &phone,
        )
        .appraise(BYOD, None, "affirming", "allow", &[]),
    )?;

    let mut software = super::fixtures::phone();
    if let Some(l) = software.chip.as_mut() {
        l.evidence_source = EvidenceSource::Software;
    }
    if let Some(l) = software.boot.as_mut() {
        l.evidence_source = EvidenceSource::Software;
    }
    if let Some(l) = software.os.as_mut() {
        l.evidence_source = EvidenceSource::Software;
    }
    gen.add(
        CaseSpec::valid(
            "valid-appraisal-software-evidence-contraindicated",
            "The example phone's values, but every layer software-sourced: the good key level \
             and boot state come from a source that could forge them, so the payment rules that \
             require hardware evidence fail (weak-source).",
            token(&chain, software.to_cbor(), &device)?,
            &software,
        )
        .appraise(
            PAYMENT,
            None,
            "contraindicated",
            "deny",
            &[
                (
                    "key-level",
                    "submods.chip.key-security-level",
                    "weak-source",
                    None,
                ),
                (
                    "boot-verified",
                    "submods.boot.verified-boot-state",
                    "weak-source",
                    None,
                ),
                (
                    "bootloader-locked",
                    "submods.boot.bootloader-locked",
                    "weak-source",
                    None,
                ),
            ],
        ),
    )?;

    let mut old_patch = super::fixtures::phone();
    if let Some(os) = old_patch.os.as_mut() {
        os.os_patch_level = PatchLevel::from_unix_time(IAT - 150 * DAY)
            .and_then(|p| PatchLevel::from_ymd(p.year(), p.month(), 1).ok());
    }
    gen.add(
        CaseSpec::valid(
            "valid-appraisal-old-patch-warning",
            "The example phone with an OS patch level about five months old: the payment \
             policy's 90-day os-patch rule gives a warning (step-up).",
            token(&chain, old_patch.to_cbor(), &device)?,
            &old_patch,
        )
        .appraise(
            PAYMENT,
            None,
            "warning",
            "step-up",
            &[("os-patch", "submods.os.os-patch-level", "mismatch", None)],
        ),
    )?;

    let compromised = compromised_phone(IAT, challenge());
    gen.add(
        CaseSpec::valid(
            "valid-appraisal-compromised-bulletin",
            "A compromised phone: bootloader unlocked (boot unverified), root detected, hooking \
             check not run, OS patch level 2024-03-01, which the bulletin's high-severity \
             advisory covers. A genuine token: verification succeeds, appraisal \
             contraindicates.",
            token(&chain, compromised.to_cbor(), &device)?,
            &compromised,
        )
        .appraise(
            PAYMENT,
            Some(BULLETIN),
            "contraindicated",
            "deny",
            &[
                (
                    "boot-verified",
                    "submods.boot.verified-boot-state",
                    "mismatch",
                    None,
                ),
                (
                    "bootloader-locked",
                    "submods.boot.bootloader-locked",
                    "mismatch",
                    None,
                ),
                ("os-patch", "submods.os.os-patch-level", "mismatch", None),
                ("no-root", "submods.runtime.measres.root", "mismatch", None),
                (
                    "no-hooking",
                    "submods.runtime.measres.hooking",
                    "mismatch",
                    None,
                ),
                (
                    "bulletin",
                    "submods.os.os-patch-level",
                    "vulnerable",
                    Some("MSA-VECTORS-0001"),
                ),
            ],
        ),
    )?;
    Ok(())
}
