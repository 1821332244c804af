#!/usr/bin/env bash
# Tests of the WebAssembly build (wasm/README.md): builds wasm/pkg and
# wasm/pkg-node (wasm/build.sh), installs Debian's Chromium if missing and
# the pinned npm packages, then runs the Node tests: every conformance
# vector through the Node build (synchronous and WebCrypto paths, full and
# verify-only builds), the same through WebCrypto in headless Chromium,
# and the verifier page in headless Chromium; then a smoke of the bench.
# Idempotent; the first run compiles wasm-bindgen-cli (a few minutes).
set -euo pipefail
cd "$(dirname "$0")"

./build.sh

if [ ! -x /usr/bin/chromium ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y chromium
fi

# Exactly the pinned packages (package-lock.json); seconds from npm's cache.
npm ci --no-audit --no-fund

node --test tests/

# The benchmark script still runs (a smoke: 3 runs, no native build, no
# Chromium; about 2 s). The figures: node bench/verify.mjs, wasm/README.md.
node bench/verify.mjs 3 --no-native --no-chromium
