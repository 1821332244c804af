#!/usr/bin/env bash
# Serves the verifier page on this machine: builds the bindings
# (wasm/build.sh; --no-build skips it) and serves the wasm/ directory on
# 127.0.0.1 with Python's http.server. The page is wasm/www/ and loads the
# bindings from wasm/pkg/ next to it, so wasm/ is the root and the page is
# at /www/:
#
#     wasm/serve.sh [--no-build] [PORT]     # PORT defaults to 8000
#
# Only for trying the page locally (it serves the whole directory); a
# deployment copies www/ and pkg/ side by side to any static host.
set -euo pipefail
cd "$(dirname "$0")"

build=1
if [ "${1:-}" = "--no-build" ]; then
  build=0
  shift
fi
port="${1:-8000}"

if [ "$build" = 1 ]; then
  ./build.sh
fi
if [ ! -f pkg/mtattest_wasm.js ]; then
  echo "wasm/serve.sh: no wasm/pkg/ (run wasm/build.sh, or drop --no-build)" >&2
  exit 1
fi
echo "mtattest verifier page: http://127.0.0.1:$port/www/"
exec python3 -m http.server --bind 127.0.0.1 --directory . "$port"
