//! The texts of the refusals a producer meets, which are built without
//! `core::fmt` (docs/firmware.md): the same words and numbers as before,
//! negative and extreme values included.

use ciborium::value::Value;
use mtattest::claims::{keys, ClaimsSet, Nonce};
use mtattest::crypto::{Algorithm, SoftwareSigner};
use mtattest::token::TokenBuilder;

fn refusal(claims: &ClaimsSet) -> String {
    let signer = SoftwareSigner::from_secret_bytes(Algorithm::Es384, &[0x31; 48]).unwrap();
    TokenBuilder::new()
        .sign(claims, &signer)
        .unwrap_err()
        .to_string()
}

#[test]
fn an_exp_not_later_than_iat_or_nbf() {
    let mut claims = ClaimsSet::new(200);
    claims.exp = Some(100);
    assert_eq!(
        refusal(&claims),
        "claim exp has an invalid value: 100 is not later than iat (200)"
    );
    claims.iat = -3;
    claims.exp = Some(-5);
    assert_eq!(
        refusal(&claims),
        "claim exp has an invalid value: -5 is not later than iat (-3)"
    );
    claims.iat = 0;
    claims.exp = Some(i64::MIN);
    assert_eq!(
        refusal(&claims),
        "claim exp has an invalid value: -9223372036854775808 is not later than iat (0)"
    );
    claims.exp = Some(5);
    claims.nbf = Some(i64::MAX);
    assert_eq!(
        refusal(&claims),
        "claim exp has an invalid value: 5 is not later than nbf (9223372036854775807)"
    );
}

#[test]
fn a_byte_string_claim_of_the_wrong_length() {
    assert_eq!(
        Nonce::new(vec![0; 7]).unwrap_err().to_string(),
        "claim eat-nonce has an invalid value: is 7 bytes; 8..=64 required"
    );
    assert_eq!(
        Nonce::new(vec![0; 100]).unwrap_err().to_string(),
        "claim eat-nonce has an invalid value: is 100 bytes; 8..=64 required"
    );
}

#[test]
fn an_array_element_in_a_path() {
    let int = |n: i64| Value::Integer(n.into());
    let boot = Value::Map(vec![
        (int(keys::EVIDENCE_SOURCE), int(1)),
        (
            int(keys::MEASUREMENTS),
            Value::Array(vec![
                Value::Array(vec![int(1), Value::Bytes(vec![0])]),
                Value::Text("x".into()),
            ]),
        ),
    ]);
    let claims = Value::Map(vec![
        (int(keys::PROFILE), Value::Text(keys::PROFILE_V1.into())),
        (int(keys::IAT), int(1)),
        (
            int(keys::SUBMODS),
            Value::Map(vec![(Value::Text("boot".into()), boot)]),
        ),
    ]);
    let err = ClaimsSet::from_value(&claims).unwrap_err();
    assert_eq!(err.code(), "claims.wrong-type");
    assert!(
        err.to_string()
            .starts_with("claim submods.boot.measurements[1] must be"),
        "{err}"
    );
}
