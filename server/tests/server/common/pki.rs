//! The one place the tests use the library's test PKI: the device that
//! signs the tests' tokens, the root the server trusts, and the demo's EAR
//! key, all from the testkit crate.

use mtattest::claims::{ClaimsSet, Cti};
use mtattest::token::HeaderPlacement;
use mtattest_testkit::example_phone;
use mtattest_testkit::pki::{KeySpec, TestPki};
use std::sync::OnceLock;

fn pki() -> &'static TestPki {
    static PKI: OnceLock<TestPki> = OnceLock::new();
    PKI.get_or_init(|| TestPki::standard().expect("the test PKI"))
}

/// The test PKI's root, PEM: the anchor of the tests' configurations.
pub fn root_pem() -> String {
    pki().root.pem()
}

/// The demo's EAR signing key (P-256, PKCS#8 PEM): derived from a fixed
/// seed, so `server/examples/demo/ear-signing-key.pem` is checked against it.
pub fn ear_key_pem() -> String {
    KeySpec::p256("mtattest-server demo EAR key")
        .private_key_pem()
        .expect("the demo EAR key")
}

/// A second EAR key, for rotation tests.
pub fn other_ear_key_pem() -> String {
    KeySpec::p256("mtattest-server rotated EAR key")
        .private_key_pem()
        .expect("the second EAR key")
}

/// A P-384 EAR key (ES384).
pub fn p384_ear_key_pem() -> String {
    KeySpec::p384("mtattest-server P-384 EAR key")
        .private_key_pem()
        .expect("the P-384 EAR key")
}

/// The example phone's claims at `iat` for `nonce`, with a fresh random
/// `cti` (two tokens never share one).
pub fn claims(iat: i64, nonce: &[u8]) -> ClaimsSet {
    let mut claims = example_phone(iat, nonce.to_vec());
    let cti: [u8; 16] = rand_cti();
    claims.cti = Some(Cti::new(cti.to_vec()).expect("a 16-byte cti"));
    claims
}

fn rand_cti() -> [u8; 16] {
    use rand_core::RngCore as _;
    let mut b = [0; 16];
    rand_core::OsRng.fill_bytes(&mut b);
    b
}

/// A token of the example phone for `nonce`, issued now by the test PKI's
/// device (x5chain protected).
pub fn token(nonce: &[u8]) -> Vec<u8> {
    token_for(&claims(now(), nonce))
}

/// A token over `claims`, signed by the test PKI's device.
pub fn token_for(claims: &ClaimsSet) -> Vec<u8> {
    pki()
        .token(claims, HeaderPlacement::Protected)
        .expect("a token")
}

/// This machine's time, seconds.
pub fn now() -> i64 {
    mtattest::UnixTime::now().secs()
}
