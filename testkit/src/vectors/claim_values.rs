//! Claims at the edges of their value ranges and structures (spec §6.1
//! rules 3 and 9, §6.2, §6.4, §6.6, §6.10): what is the wrong type, what an
//! invalid value, what is not checked at all. Valid cases come first in the
//! manifest, so they are generated separately from the invalid ones.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use ciborium::value::{Integer, Value};

use super::bad_claims::{phone_value, set, set_in};
use super::fixtures::{derive, phone, IAT};
use super::sign1::int;
use super::valid::token;
use super::{CaseSpec, Gen};
use mtattest::cbor;
use mtattest::claims::{keys, MeasResult, OemId, PrivacyEvents, ResultFor, Ueid, Version};
use mtattest::error::Error;

/// A CBOR integer beyond `i64` (the test writes it; it is in CBOR's range).
fn big(n: i128) -> Value {
    Value::Integer(Integer::try_from(n).unwrap_or(Integer::from(0)))
}

pub(super) fn valid_cases(gen: &mut Gen) -> Result<(), Error> {
    let chain = gen.pki.chain();
    let device = gen.pki.device.signer()?;

    let mut ends = phone();
    ends.exp = Some(i64::MAX);
    ends.nbf = Some(i64::MIN);
    ends.oemid = Some(OemId::Pen(i64::MAX));
    if let Some(chip) = ends.chip.as_mut() {
        chip.hwversion = Some(Version::with_scheme("EVT3-rev2", i64::MIN));
    }
    if let Some(boot) = ends.boot.as_mut() {
        boot.rollback_index = Some(u64::MAX);
        boot.bootcount = Some(u64::MAX);
        boot.uptime = Some(0);
    }
    if let Some(app) = ends.app.as_mut() {
        app.app_version = Some(u64::MAX);
        app.privacy_events = Some(PrivacyEvents::counts(u64::MAX, 0, u64::MAX));
    }
    if let Some(runtime) = ends.runtime.as_mut() {
        runtime.attestation_velocity = Some(u64::MAX);
    }
    gen.add(CaseSpec::valid(
        "valid-claims-integer-range-ends",
        "The ends of the integer ranges (spec §6.1 rule 9): exp 2^63-1 (never expires), nbf \
         -2^63, an oemid PEN of 2^63-1 and an hwversion scheme of -2^63 (int claims: 64-bit \
         signed), and rollback-index, bootcount, app-version, two privacy counters and \
         attestation-velocity of 2^64-1 (uint claims: all of CBOR's unsigned range).",
        token(&chain, ends.to_cbor(), &device)?,
        &ends,
    ))?;

    let mut opaque = phone();
    let mut ueid = vec![0x07];
    ueid.extend(
        derive("unregistered ueid type")
            .get(..16)
            .unwrap_or_default(),
    );
    opaque.ueid = Some(Ueid::new(ueid)?);
    gen.add(CaseSpec::valid(
        "valid-claims-ueid-unregistered-type",
        "ueid has the type byte 0x07, which RFC 9711 does not register: consumers treat a \
         UEID as opaque, so only its size (7..33 bytes) is checked.",
        token(&chain, opaque.to_cbor(), &device)?,
        &opaque,
    ))?;

    let mut vendor = phone();
    let foreign = Value::Map(vec![
        (int(keys::EVIDENCE_SOURCE), int(9)),
        (int(keys::VERIFIED_BOOT_STATE), int(-1)),
        (int(keys::IAT), Value::Text("yesterday".into())),
        (
            int(keys::PROFILE),
            Value::Text("tag:example.com,2026:other".into()),
        ),
        (int(keys::MEASRES), Value::Text("not a measres".into())),
    ]);
    vendor.insert_unknown_submodule("vendor-tee", foreign)?;
    vendor.insert_unknown_submodule("vendor-counter", int(-7))?;
    gen.add(CaseSpec::valid(
        "valid-claims-unknown-submodule-contents-unchecked",
        "Two unknown submodules: \"vendor-tee\", a map whose entries would be faults in a \
         layer (evidence-source 9, verified-boot-state -1, a text iat, another profile, a \
         text measres), and \"vendor-counter\", the integer -7 (no RFC 9711 submodule \
         form). Their contents are not checked (spec §6.4); both are reported unknown.",
        token(&chain, vendor.to_cbor(), &device)?,
        &vendor,
    ))?;

    let mut groups = phone();
    if let Some(os) = groups.os.as_mut() {
        let scan = |id: &str, result| (ResultFor::from(id), result);
        os.measres.push_group(
            "vendor-scan",
            vec![
                scan("kernel-integrity", MeasResult::Fail),
                scan("kernel-integrity", MeasResult::Success),
            ],
        )?;
        os.measres.push_group(
            "vendor-scan",
            vec![(ResultFor::Bytes(vec![0xde, 0xad]), MeasResult::Absent)],
        )?;
    }
    gen.add(CaseSpec::valid(
        "valid-claims-foreign-measres-groups-repeat",
        "The os measres has, after the mtattest group, two groups of the system \
         \"vendor-scan\", the first naming kernel-integrity twice: the one-group and \
         no-repeated-name rules are the mtattest group's own (spec §6.10); the foreign \
         groups are well-formed and reported unknown.",
        token(&chain, groups.to_cbor(), &device)?,
        &groups,
    ))?;
    Ok(())
}

pub(super) fn invalid_cases(gen: &mut Gen) -> Result<(), Error> {
    let chain = gen.pki.chain();
    let device = gen.pki.device.signer()?;
    let mut add = |id: &'static str, description: &str, claims: Value, code: &'static str| {
        let spec = CaseSpec::invalid(
            id,
            String::from(description),
            token(&chain, cbor::encode(&claims), &device)?,
            code,
        );
        gen.add(spec)
    };
    let top = |key: i64, value: Value| {
        let mut c = phone_value();
        set(&mut c, key, value);
        c
    };
    let in_layer = |layer: &str, key: i64, value: Value| {
        let mut c = phone_value();
        set_in(&mut c, layer, key, value);
        c
    };
    let bytes = |len: usize| Value::Bytes(vec![0xa5; len]);

    add(
        "invalid-claims-nonce-array",
        "eat_nonce is RFC 9711's array form holding the right challenge: an array where the \
         profile has a byte string is the wrong type (spec §6.1 rule 3, §6.2).",
        top(
            keys::NONCE,
            Value::Array(vec![Value::Bytes(super::fixtures::challenge())]),
        ),
        "claims.wrong-type",
    )?;
    add(
        "invalid-claims-uint-negative",
        "rollback-index is -1: an integer, so not the wrong type, but outside uint's range \
         (spec §6.1 rule 3).",
        in_layer(keys::layer::BOOT, keys::ROLLBACK_INDEX, int(-1)),
        "claims.invalid-value",
    )?;
    add(
        "invalid-claims-code-negative",
        "intuse is -1: outside its value set 1..5, like 6 would be.",
        top(keys::INTUSE, int(-1)),
        "claims.invalid-value",
    )?;
    add(
        "invalid-claims-lifecycle-above-16-bits",
        "security-lifecycle is 0x13000: above the 16-bit range (a reader that kept the low 16 \
         bits would see secured, 0x3000).",
        in_layer(keys::layer::CHIP, keys::SECURITY_LIFECYCLE, int(0x1_3000)),
        "claims.invalid-value",
    )?;
    add(
        "invalid-claims-iat-above-int64",
        "iat is 2^63, one past the 64-bit signed range of int claims (spec §6.1 rule 9).",
        top(keys::IAT, big(1 << 63)),
        "claims.invalid-value",
    )?;
    add(
        "invalid-claims-nbf-below-int64",
        "nbf is -2^63-1, one below the 64-bit signed range of int claims.",
        top(keys::NBF, big(-(1 << 63) - 1)),
        "claims.invalid-value",
    )?;
    add(
        "invalid-claims-hwversion-three-elements",
        "hwversion is [\"EVT3-rev2\", 1, 2]: an array longer than [version, ? scheme] is an \
         invalid value, not the wrong type (spec §6.1 rule 3).",
        in_layer(
            keys::layer::CHIP,
            keys::HWVERSION,
            Value::Array(vec![Value::Text("EVT3-rev2".into()), int(1), int(2)]),
        ),
        "claims.invalid-value",
    )?;
    add(
        "invalid-claims-dloas-empty",
        "dloas is an empty array; its type is [+ dloa].",
        in_layer(keys::layer::CHIP, keys::DLOAS, Value::Array(Vec::new())),
        "claims.invalid-value",
    )?;
    // The example phone's COSE_Key, out of its {1: COSE_Key}.
    let cnf = match phone_value() {
        Value::Map(claims) => claims
            .into_iter()
            .find(|(k, _)| *k == int(keys::CNF))
            .map(|(_, v)| v),
        _ => None,
    };
    let cose_key = match cnf {
        Some(Value::Map(mut methods)) => methods.pop().map(|(_, key)| key),
        _ => None,
    }
    .unwrap_or(Value::Null);
    add(
        "invalid-claims-cnf-two-methods",
        "cnf holds both a COSE_Key (1) and a kid (3): it has exactly one member.",
        top(
            keys::CNF,
            Value::Map(vec![(int(1), cose_key), (int(3), bytes(8))]),
        ),
        "claims.invalid-value",
    )?;
    add(
        "invalid-claims-cnf-key-without-kty",
        "cnf is {1: {-1: 1}}: a COSE_Key without its required kty (label 1).",
        top(
            keys::CNF,
            Value::Map(vec![(int(1), Value::Map(vec![(int(-1), int(1))]))]),
        ),
        "claims.missing",
    )?;
    add(
        "invalid-claims-cti-empty",
        "cti is an empty byte string (1..64 bytes, spec §6.2).",
        top(keys::CTI, bytes(0)),
        "claims.invalid-value",
    )?;
    add(
        "invalid-claims-cti-65-bytes",
        "cti is 65 bytes (1..64 bytes, spec §6.2).",
        top(keys::CTI, bytes(65)),
        "claims.invalid-value",
    )?;
    add(
        "invalid-claims-digest-15-bytes",
        "boot-key-digest is 15 bytes (digests are 16..64 bytes, spec §6.6).",
        in_layer(keys::layer::BOOT, keys::BOOT_KEY_DIGEST, bytes(15)),
        "claims.invalid-value",
    )?;
    add(
        "invalid-claims-app-signer-65-bytes",
        "The one app-signers entry is 65 bytes (digests are 16..64 bytes, spec §6.6).",
        in_layer(
            keys::layer::APP,
            keys::APP_SIGNERS,
            Value::Array(vec![bytes(65)]),
        ),
        "claims.invalid-value",
    )?;
    let groups = Value::Array(vec![
        Value::Array(vec![
            Value::Text(keys::MEASRES_SYSTEM.into()),
            Value::Array(vec![Value::Array(vec![
                Value::Text(keys::detection::KERNEL_INTEGRITY.into()),
                int(1),
            ])]),
        ]),
        Value::Array(vec![
            Value::Text("vendor-scan".into()),
            Value::Array(vec![Value::Array(vec![Value::Text("x".into()), int(5)])]),
        ]),
    ]);
    add(
        "invalid-claims-measres-foreign-result-5",
        "The os measres has a group of another measurement system whose result is 5: every \
         group follows RFC 9711's form, results 1..4 (spec §6.10).",
        in_layer(keys::layer::OS, keys::MEASRES, groups),
        "claims.invalid-value",
    )?;
    add(
        "invalid-claims-exp-before-iat",
        "exp is one second before iat (the token is otherwise fresh at the verification \
         time): exp must be later than iat (spec §6.2).",
        top(keys::EXP, int(IAT - 1)),
        "claims.invalid-value",
    )?;
    let mut c = top(keys::NBF, int(IAT + 300));
    set(&mut c, keys::EXP, int(IAT + 300));
    add(
        "invalid-claims-exp-equals-nbf",
        "exp equals nbf (both 300 s after iat): the token is valid at no instant; exp must be \
         later than nbf (spec §6.2).",
        c,
        "claims.invalid-value",
    )?;
    Ok(())
}
