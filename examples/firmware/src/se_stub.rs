//! A software stand-in for the secure element: the C entry point a real
//! element's driver provides, implemented with RustCrypto's P-384 and the
//! device's public test key (pki/device.key.bin). It stands for hardware:
//! on a device this code and this key are in the element, not in the
//! firmware, and `scripts/firmware-size` measures (b) without it.

use p384::ecdsa::signature::hazmat::PrehashSigner;
use p384::ecdsa::{Signature, SigningKey};

static DEVICE_KEY: &[u8; 48] = include_bytes!("../pki/device.key.bin");

/// See `signer.rs` for the contract.
///
/// # Safety
/// `digest` points to `digest_len` readable bytes and `signature` to
/// `signature_capacity` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn mtattest_se_sign_digest(
    digest: *const u8,
    digest_len: usize,
    signature: *mut u8,
    signature_capacity: usize,
) -> i32 {
    // SAFETY: the caller's contract above.
    let digest = unsafe { core::slice::from_raw_parts(digest, digest_len) };
    // SAFETY: the caller's contract above.
    let out = unsafe { core::slice::from_raw_parts_mut(signature, signature_capacity) };
    let Ok(key) = SigningKey::from_slice(DEVICE_KEY) else {
        return -1;
    };
    let signed: Result<Signature, _> = key.sign_prehash(digest);
    let Ok(signed) = signed else {
        return -2;
    };
    let bytes = signed.to_bytes();
    let Some(out) = out.get_mut(..bytes.len()) else {
        return -3;
    };
    out.copy_from_slice(&bytes);
    bytes.len() as i32
}
