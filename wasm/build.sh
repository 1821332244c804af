#!/usr/bin/env bash
# Builds the WebAssembly bindings: wasm/pkg/ (web target, for wasm/www/)
# and wasm/pkg-node/ (Node target, for the tests). No downloaded binaries:
# wasm-bindgen-cli is built from crates.io at the exact version of the
# wasm-bindgen crate in Cargo.lock (installed once, idempotently).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi

version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
if [ -z "$version" ]; then
  echo "wasm/build.sh: no wasm-bindgen in Cargo.lock" >&2
  exit 1
fi
if ! command -v wasm-bindgen >/dev/null 2>&1 || ! wasm-bindgen --version | grep -qw "$version"; then
  echo "installing wasm-bindgen-cli $version from crates.io (a few minutes, once)"
  # --locked first; its lockfile can name a yanked crate, then resolve anew.
  cargo install wasm-bindgen-cli --version "$version" --locked ||
    cargo install wasm-bindgen-cli --version "$version"
fi

# The size-tuned profile of the root Cargo.toml; the name and producers
# sections only serve debuggers.
cargo build --locked --target wasm32-unknown-unknown -p mtattest-wasm --profile wasm-release
wasm="${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/wasm-release/mtattest_wasm.wasm"
strip=(--remove-name-section --remove-producers-section)
wasm-bindgen "${strip[@]}" --target web --out-dir wasm/pkg "$wasm"
wasm-bindgen "${strip[@]}" --target nodejs --out-dir wasm/pkg-node "$wasm"
ls -l wasm/pkg/mtattest_wasm_bg.wasm
