#!/usr/bin/env bash
# Builds the WebAssembly bindings: wasm/pkg/ (web target, for wasm/www/)
# and wasm/pkg-node/ (Node target, for the tests), and the verify-only
# build (WebCrypto signatures, no pure-Rust curves) in wasm/pkg-verify/ and
# wasm/pkg-verify-node/, shrunk by wasm-opt (Debian's binaryen, installed
# once if missing). No downloaded binaries:
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

# wasm-opt (Debian's binaryen) shrinks the verify-only build for the page.
if ! command -v wasm-opt >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y binaryen
fi

# The size-tuned profile of the root Cargo.toml; the name and producers
# sections only serve debuggers.
wasm="${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/wasm-release/mtattest_wasm.wasm"
strip=(--remove-name-section --remove-producers-section)
size() {
  printf '%s: %s bytes, %s gzip -9\n' "$1" "$(wc -c <"$1")" "$(gzip -9 -c "$1" | wc -c)"
}

# The full build: the synchronous pure-Rust API and the WebCrypto one.
cargo build --locked --target wasm32-unknown-unknown -p mtattest-wasm --profile wasm-release
wasm-bindgen "${strip[@]}" --target web --out-dir wasm/pkg "$wasm"
wasm-bindgen "${strip[@]}" --target nodejs --out-dir wasm/pkg-node "$wasm"
size wasm/pkg/mtattest_wasm_bg.wasm

# The verify-only build (wasm/README.md): no signer, no test PKI, no
# pure-Rust curves or RSA; WebCrypto checks every signature. wasm-opt -Oz
# runs before wasm-bindgen (binaryen 108, Debian's, breaks the externref
# table of wasm-bindgen's output) and without inlining, which makes the
# code larger once gzipped (measured: 483 KB gzip -9 against 546 KB with
# binaryen's default inlining, 489 KB without wasm-opt).
# Feature `compact`: SHA-2 as loops, not unrolled rounds (wasm/README.md
# "Figures").
cargo build --locked --target wasm32-unknown-unknown -p mtattest-wasm --profile wasm-verify \
  --no-default-features --features compact
# The curves and RSA must not be in it: WebCrypto does the signatures.
if cargo tree --locked -p mtattest-wasm --no-default-features --features compact --target wasm32-unknown-unknown \
  -e normal --prefix none | grep -E '^(p256|p384|ecdsa|elliptic-curve|rsa|primeorder) '; then
  echo "wasm/build.sh: the verify-only build depends on pure-Rust curve or RSA crates" >&2
  exit 1
fi
built="${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/wasm-verify/mtattest_wasm.wasm"
verify_only="${built%.wasm}-opt.wasm"
wasm-opt -Oz -aimfs=0 -ocimfs=0 -fimfs=0 \
  --enable-bulk-memory --enable-sign-ext --enable-mutable-globals \
  --enable-nontrapping-float-to-int --enable-reference-types --enable-multivalue \
  "$built" -o "$verify_only"
wasm-bindgen "${strip[@]}" --target web --out-name mtattest_wasm --out-dir wasm/pkg-verify "$verify_only"
wasm-bindgen "${strip[@]}" --target nodejs --out-name mtattest_wasm --out-dir wasm/pkg-verify-node "$verify_only"
size wasm/pkg-verify/mtattest_wasm_bg.wasm
