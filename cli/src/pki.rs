//! `mtattest pki DIR`: writes the deterministic test PKI (root → OEM
//! intermediate → device attestation key, P-384) as DER and PEM.

use std::path::PathBuf;

use mtattest_testkit::pki::TestPki;

/// Arguments of `mtattest pki`.
#[derive(Debug, clap::Args)]
pub struct PkiArgs {
    /// Directory to write into (created if missing; files are overwritten).
    pub dir: PathBuf,
}

/// Writes the test PKI and lists what was written.
pub fn run(args: &PkiArgs) -> Result<(), String> {
    let pki = TestPki::standard().map_err(|e| format!("building the test PKI: {e}"))?;
    let files = pki.write_to_dir(&args.dir)?;
    outln!("test PKI (deterministic; its private keys are public: never trust it in production)");
    for (role, issued) in [
        ("root", &pki.root),
        ("intermediate", &pki.intermediate),
        ("device", &pki.device),
    ] {
        outln!(
            "  {role:<12} {}  serial {:x}  {} bytes",
            issued.spec.subject,
            issued.spec.serial,
            issued.der.len()
        );
    }
    outln!("wrote {} files to {}:", files.len(), args.dir.display());
    for file in files {
        outln!("  {}", file.display());
    }
    outln!("trust root.pem; devices send chain.pem's certificates (device first) in x5chain");
    Ok(())
}
