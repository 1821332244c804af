//! The network layer (spec §6.9a): the intercepted phone as a valid token,
//! and one genuine token per invalid value or type of the layer's claims.
//! Keys and codes are written from the spec's table.

use alloc::string::String;

use ciborium::value::Value;

use super::appraisal_files::PAYMENT;
use super::bad_claims::{phone_value, set_in};
use super::envelope::layer_mut;
use super::fixtures::{challenge, phone, IAT};
use super::sign1::int;
use super::valid::token;
use super::{CaseSpec, Gen};
use crate::intercepted_phone;
use mtattest::cbor;
use mtattest::error::Error;

const NETWORK: &str = "network";
const EVIDENCE_SOURCE: i64 = -80000;
const CONNECTION: i64 = -80090;
const WIFI_SECURITY: i64 = -80091;
const PROXY: i64 = -80092;
const VPN: i64 = -80093;
const PRIVATE_DNS: i64 = -80094;
const USER_CA_CERTIFICATES: i64 = -80095;

pub(super) fn valid_cases(gen: &mut Gen) -> Result<(), Error> {
    let chain = gen.pki.chain();
    let device = gen.pki.device.signer()?;
    let intercepted = intercepted_phone(IAT, challenge());
    gen.add(
        CaseSpec::valid(
            "valid-network-intercepted",
            "The example phone on an intercepted open network (spec §6.9a): connection wifi, \
         wifi-security open, a proxy, no VPN, no private DNS, one user CA certificate, \
         tls-interception fail and dns-tampering success. Valid: the claims are \
         well-formed; whether they are acceptable is the policy's call (§11.3.3).",
            token(&chain, intercepted.to_cbor(), &device)?,
            &intercepted,
        )
        .appraise(
            PAYMENT,
            None,
            "contraindicated",
            "deny",
            &[
                (
                    "no-tls-interception",
                    "submods.network.measres.tls-interception",
                    "mismatch",
                    None,
                ),
                ("no-proxy", "submods.network.proxy", "mismatch", None),
                (
                    "no-user-ca",
                    "submods.network.user-ca-certificates",
                    "mismatch",
                    None,
                ),
            ],
        ),
    )?;

    let mut unreported = phone();
    unreported.network = None;
    gen.add(
        CaseSpec::valid(
            "valid-appraisal-no-network-layer",
            "The example phone without its network layer: the payment preset's network \
             rules fail as missing (spec §11.3.3); the interception rule's on-missing is \
             warning, so the device is stepped up, not denied as one where interception \
             was seen.",
            token(&chain, unreported.to_cbor(), &device)?,
            &unreported,
        )
        .appraise(
            PAYMENT,
            None,
            "warning",
            "step-up",
            &[
                (
                    "no-tls-interception",
                    "submods.network.measres.tls-interception",
                    "missing",
                    None,
                ),
                ("no-proxy", "submods.network.proxy", "missing", None),
                (
                    "no-user-ca",
                    "submods.network.user-ca-certificates",
                    "missing",
                    None,
                ),
            ],
        ),
    )
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
    let with = |key: i64, value: Value| {
        let mut c = phone_value();
        set_in(&mut c, NETWORK, key, value);
        c
    };
    let wrong = "claims.wrong-type";
    let invalid = "claims.invalid-value";

    add(
        "invalid-network-connection-5",
        "network connection is 5, outside none 0 .. other 4.",
        with(CONNECTION, int(5)),
        invalid,
    )?;
    add(
        "invalid-network-connection-text",
        "network connection is the text \"wifi\" instead of 2.",
        with(CONNECTION, Value::Text("wifi".into())),
        wrong,
    )?;
    add(
        "invalid-network-wifi-security-6",
        "network wifi-security is 6, outside open 0 .. enterprise 5 (connection wifi).",
        with(WIFI_SECURITY, int(6)),
        invalid,
    )?;
    add(
        "invalid-network-wifi-security-text",
        "network wifi-security is the text \"wpa3\" instead of 4.",
        with(WIFI_SECURITY, Value::Text("wpa3".into())),
        wrong,
    )?;
    add(
        "invalid-network-wifi-security-on-cellular",
        "network wifi-security wpa3 with connection cellular: wifi-security needs \
         connection wifi (§6.9a).",
        with(CONNECTION, int(1)),
        invalid,
    )?;
    let mut no_connection = phone_value();
    if let Some(entries) = layer_mut(&mut no_connection, NETWORK) {
        entries.retain(|(k, _)| *k != int(CONNECTION));
    }
    add(
        "invalid-network-wifi-security-without-connection",
        "network wifi-security wpa3 and no connection: wifi-security needs connection \
         wifi (§6.9a).",
        no_connection,
        invalid,
    )?;
    add(
        "invalid-network-proxy-int",
        "network proxy is the integer 0 instead of false.",
        with(PROXY, int(0)),
        wrong,
    )?;
    add(
        "invalid-network-vpn-text",
        "network vpn is the text \"false\".",
        with(VPN, Value::Text("false".into())),
        wrong,
    )?;
    add(
        "invalid-network-private-dns-null",
        "network private-dns is null (no defined claim accepts null).",
        with(PRIVATE_DNS, Value::Null),
        wrong,
    )?;
    add(
        "invalid-network-user-ca-certificates-negative",
        "network user-ca-certificates is -1 (a uint).",
        with(USER_CA_CERTIFICATES, int(-1)),
        invalid,
    )?;
    add(
        "invalid-network-user-ca-certificates-bool",
        "network user-ca-certificates is false instead of 0.",
        with(USER_CA_CERTIFICATES, Value::Bool(false)),
        wrong,
    )?;
    let mut no_source = phone_value();
    if let Some(entries) = layer_mut(&mut no_source, NETWORK) {
        entries.retain(|(k, _)| *k != int(EVIDENCE_SOURCE));
    }
    add(
        "invalid-network-evidence-source-missing",
        "The network layer has no evidence-source.",
        no_source,
        "claims.missing",
    )?;
    Ok(())
}
