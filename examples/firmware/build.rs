//! Puts memory.x on the linker's path and links with cortex-m-rt's script.
use std::{env, fs, path::PathBuf};

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    fs::copy("memory.x", out.join("memory.x")).expect("memory.x is readable");
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory.x");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rustc-link-arg=-Tlink.x");
    // The size build of (b): no stub, no software signer. The secure
    // element's entry point is a separate chip's, so the linker is told
    // where it is rather than given code for it (this image is measured,
    // never run).
    let stub = env::var_os("CARGO_FEATURE_SE_STUB").is_some();
    let software = env::var_os("CARGO_FEATURE_SOFTWARE_SIGNER").is_some();
    if !stub && !software {
        println!("cargo:rustc-link-arg=--defsym=mtattest_se_sign_digest=0x40000000");
    }
}
