//! `mtattest vectors --out DIR`: writes the conformance vectors (tokens,
//! trust anchors, revocation data, policies, bulletin and `manifest.json`,
//! see `spec/vectors.md`). Deterministic: the same files every time.

use std::path::PathBuf;

/// Arguments of `mtattest vectors`.
#[derive(Debug, clap::Args)]
pub struct VectorsArgs {
    /// Directory to write into (created if missing; files of the same name
    /// are overwritten, others are left alone).
    #[arg(long)]
    pub out: PathBuf,
}

/// Generates the vectors and writes them to `--out`.
pub fn run(args: &VectorsArgs) -> Result<(), String> {
    let vectors = mtattest_testkit::vectors::generate()?;
    let written = vectors.write_to_dir(&args.out)?;
    let cases = written
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "cbor"))
        .count();
    outln!(
        "wrote {} files ({cases} tokens and manifest.json) to {}",
        written.len(),
        args.out.display()
    );
    Ok(())
}
