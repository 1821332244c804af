//! `mtattest demo`: make a test PKI, issue a token for a realistic phone,
//! verify it against the root alone, and show what it says; then appraise
//! it, and a compromised phone's token, under the payment policy and print
//! both attestation results (EAR).

use mtattest::appraisal::{Bulletin, Policy, Preset};
use mtattest::claims::{ClaimsSet, Cti};
use mtattest::crypto::RustCrypto;
use mtattest::token::{DecodeOptions, HeaderPlacement, Token};
use mtattest::trust::{ChainVerifier, TrustAnchors};
use mtattest::verifier::{KeySource, Verifier};
use mtattest::UnixTime;
use mtattest_testkit::pki::TestPki;
use mtattest_testkit::{demo, example_phone};
use rand_core::{OsRng, RngCore};

/// Runs the demo and prints what it did.
pub fn run() -> Result<(), String> {
    let pki = TestPki::standard().map_err(fail("making the test PKI"))?;
    outln!("test PKI  root -> OEM intermediate -> device attestation key (P-384)");

    let mut nonce = [0u8; 32];
    OsRng.fill_bytes(&mut nonce);
    let now = UnixTime::now();
    let claims = example_phone(now.secs(), nonce.to_vec());
    let token = pki
        .token(&claims, HeaderPlacement::Protected)
        .map_err(fail("issuing"))?;
    outln!(
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
        .verify_chain_and_signature(&decoded, now, &RustCrypto)
        .map_err(fail("verification"))?;
    check_round_trip(&claims, &verified, &nonce)?;
    outln!(
        "verified  chain of {} to the trusted root (anchor only), signature, claims; nonce matches\n",
        chain.path_len()
    );
    out!("{}", mtattest::claims::render_text(&verified));
    appraise(&pki, &claims, &token, &nonce, now)
}

/// Appraises the token, and one from a compromised phone, under the payment
/// preset with a demo vulnerability bulletin, and prints both EARs.
fn appraise(
    pki: &TestPki,
    claims: &ClaimsSet,
    token: &[u8],
    nonce: &[u8],
    now: UnixTime,
) -> Result<(), String> {
    let mut anchors = TrustAnchors::new();
    anchors
        .add_der(&pki.root.der)
        .map_err(fail("loading the root"))?;
    let rp = Verifier::builder(KeySource::chain(ChainVerifier::new(anchors)))
        .bulletin(Bulletin::from_json(demo::DEMO_BULLETIN.as_bytes()).map_err(fail("bulletin"))?)
        .build();
    let signers = claims
        .app
        .as_ref()
        .map_or(vec![], |a| a.app_signers.clone());
    let policy = Policy::preset(Preset::Payment, &signers).map_err(fail("policy"))?;
    let (_, healthy) = rp
        .verify_and_appraise(token, Some(nonce), &policy, now)
        .map_err(fail("appraisal"))?;
    outln!(
        "\nEAR, healthy phone, payment policy:\n{}",
        healthy.to_json()
    );

    let mut bad_nonce = [0u8; 32];
    OsRng.fill_bytes(&mut bad_nonce);
    let mut rooted = demo::compromised_phone(now.secs(), bad_nonce.to_vec());
    rooted.cti = Cti::new(bad_nonce[..16].to_vec()).ok();
    let bad_token = pki
        .token(&rooted, HeaderPlacement::Protected)
        .map_err(fail("issuing"))?;
    let (_, compromised) = rp
        .verify_and_appraise(&bad_token, Some(&bad_nonce), &policy, now)
        .map_err(fail("appraisal"))?;
    outln!(
        "\nEAR, compromised phone (unlocked, rooted, stale and vulnerable), payment policy:\n{}",
        compromised.to_json()
    );
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
