//! `mtattest demo`: make a test PKI, issue a token for a realistic phone,
//! verify it against the root alone, and show what it says.

use mtattest::claims::{example_phone, ClaimsSet};
use mtattest::crypto::RustCrypto;
use mtattest::token::{DecodeOptions, HeaderPlacement, Token};
use mtattest::trust::test_pki::TestPki;
use mtattest::trust::{ChainVerifier, TrustAnchors};
use mtattest::UnixTime;
use rand_core::{OsRng, RngCore};

/// Runs the demo and prints what it did.
pub fn run() -> Result<(), String> {
    let pki = TestPki::standard().map_err(fail("making the test PKI"))?;
    println!("test PKI  root -> OEM intermediate -> device attestation key (P-384)");

    let mut nonce = [0u8; 32];
    OsRng.fill_bytes(&mut nonce);
    let now = UnixTime::now();
    let claims = example_phone(now.secs(), nonce.to_vec());
    let token = pki
        .token(&claims, HeaderPlacement::Protected)
        .map_err(fail("issuing"))?;
    println!(
        "issued    ES384 token, {} bytes, x5chain: device + intermediate",
        token.len()
    );

    let mut anchors = TrustAnchors::new();
    anchors
        .add_der(&pki.root.der)
        .map_err(fail("loading the root"))?;
    let verifier = ChainVerifier::new(anchors);
    let decoded = Token::decode(&token, &DecodeOptions::default()).map_err(fail("decoding"))?;
    let (chain, verified) = verifier
        .verify_token(&decoded, now, &RustCrypto)
        .map_err(fail("verification"))?;
    check_round_trip(&claims, &verified, &nonce)?;
    println!(
        "verified  chain of {} to the trusted root (anchor only), signature, claims; nonce matches\n",
        chain.path_len()
    );
    print!("{}", mtattest::claims::render_text(&verified));
    Ok(())
}

/// Turns a library error into the CLI's one-line message, naming the step.
fn fail(step: &'static str) -> impl Fn(mtattest::Error) -> String {
    move |e| format!("{step}: {e} [{}]", e.code())
}

fn check_round_trip(issued: &ClaimsSet, verified: &ClaimsSet, nonce: &[u8]) -> Result<(), String> {
    if verified != issued {
        return Err("verified claims differ from the issued claims".into());
    }
    match &verified.nonce {
        Some(n) if n.as_bytes() == nonce => Ok(()),
        _ => Err("verified token does not carry the challenge nonce".into()),
    }
}
