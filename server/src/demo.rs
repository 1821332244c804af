//! `mtattest-server --demo`: the example configuration of
//! `server/examples/`, built into the binary and written to a temporary
//! directory, so the whole flow can be tried from any directory. It trusts
//! the deterministic test PKI (`mtattest pki DIR` writes its device key)
//! and signs results with a key whose private half is public: never use it
//! for anything real.

use std::path::PathBuf;

/// The files of the demo, by their path relative to the configuration.
const FILES: [(&str, &str); 4] = [
    ("demo.toml", include_str!("../examples/demo.toml")),
    ("demo/root.pem", include_str!("../examples/demo/root.pem")),
    (
        "demo/ear-signing-key.pem",
        include_str!("../examples/demo/ear-signing-key.pem"),
    ),
    (
        "demo/bulletins.json",
        include_str!("../examples/demo/bulletins.json"),
    ),
];

/// Writes the demo configuration into a new temporary directory and
/// returns the configuration file's path.
pub fn write() -> Result<PathBuf, String> {
    let dir = std::env::temp_dir().join(format!("mtattest-server-demo-{}", std::process::id()));
    for (name, text) in FILES {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(dir.join("demo.toml"))
}
