//! Writes the seed corpora of every fuzz target into `fuzz/corpus/<target>/`
//! (or the directory given): `cargo run --release --example seeds`.
//! The fuzz targets also write their own seeds at start-up when
//! `MTATTEST_FUZZ_SEEDS` names their corpus directory (scripts/fuzz does).

use std::path::PathBuf;

fn main() -> mtattest_fuzz::seeds::Result<()> {
    let root = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus"));
    mtattest_fuzz::seeds::write_all(&root)
}
