//! An IoT device's attestation producer on a Cortex-M4: builds the device's
//! claims (chip and boot layers), signs a token, writes it out over
//! semihosting with the memory it took (docs/firmware.md).
//!
//! Output, one `name: value` line each: `token-bare-len` (the token without
//! a chain), `heap-peak-bare`, `token-len`, `heap-peak` (with the x5chain),
//! `stack-high-water`, `iat`, `nonce`, and `token` (hex, with the chain: what
//! the host verifies). A failure prints `error: CODE` (the library's stable
//! code) and exits with status 1.
#![no_std]
#![no_main]

extern crate alloc;

mod claims;
mod heap;
mod out;
#[cfg(feature = "se-stub")]
mod se_stub;
mod signer;
mod stack;

use alloc::vec::Vec;

use cortex_m_rt::entry;
use cortex_m_semihosting::debug;
use panic_halt as _;

use mtattest::token::{HeaderPlacement, TokenBuilder};

/// The device certificate and its intermediate (pki/generate): the x5chain,
/// device first.
static DEVICE_CERTIFICATE: &[u8] = include_bytes!("../pki/device.der");
static INTERMEDIATE_CERTIFICATE: &[u8] = include_bytes!("../pki/intermediate.der");

#[entry]
fn main() -> ! {
    heap::init();
    let stack = stack::Painted::paint();
    let status = match run(&stack) {
        Ok(()) => debug::EXIT_SUCCESS,
        Err(error) => {
            // Error::producer_code, not Error::code: the producer's refusals
            // only, so the names of every other code are not linked.
            let code = error.producer_code().unwrap_or("not-a-producer-refusal");
            out::line("error", code.as_bytes());
            debug::EXIT_FAILURE
        }
    };
    debug::exit(status);
    #[allow(clippy::empty_loop)]
    loop {}
}

fn run(stack: &stack::Painted) -> Result<(), mtattest::Error> {
    let signer = signer::device_signer()?;

    // The token alone (what the size goal counts), then with the chain
    // (what a relying party that has only the root needs).
    heap::reset_peak();
    let claims = claims::iot_device();
    let bare = TokenBuilder::new().sign(&claims, &signer)?;
    out::number("token-bare-len", bare.len());
    drop(bare);
    drop(claims);
    out::number("heap-peak-bare", heap::peak());

    heap::reset_peak();
    let claims = claims::iot_device();
    let chain: Vec<Vec<u8>> = alloc::vec![
        DEVICE_CERTIFICATE.to_vec(),
        INTERMEDIATE_CERTIFICATE.to_vec()
    ];
    let token = TokenBuilder::new()
        .x5chain(chain, HeaderPlacement::Protected)
        .sign(&claims, &signer)?;
    drop(claims);
    out::number("token-len", token.len());
    out::number("heap-peak", heap::peak());
    out::number("stack-high-water", stack.high_water());
    out::number("iat", claims::ISSUED_AT as usize);
    out::hex("nonce", &claims::NONCE);
    out::hex("token", &token);
    Ok(())
}
