#!/usr/bin/env bash
# A session with mtattest-server end to end, with curl: a Veraison
# challenge-response session, then the native API. The device is the
# deterministic test PKI's, driven by the mtattest CLI. Run from the
# repository's root against `mtattest-server --demo`:
#
#   cargo build --release -p mtattest-cli --features testkit
#   BASE=http://127.0.0.1:8080 MTATTEST=target/release/mtattest server/examples/curl-session.sh
set -euo pipefail
BASE=${BASE:-http://127.0.0.1:8080}
MTATTEST=${MTATTEST:-mtattest}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The device: the test PKI's key and chain.
"$MTATTEST" pki "$work/pki" >/dev/null

# The device's claims, issued now: the example phone (spec/examples/), with
# a fresh cti, the patch levels of this month and the challenge as its nonce.
claims() {
  local now; now=$(date +%s)
  local patch; patch=$(date -u -d '-20 days' +%Y%m01)
  sed -e "s/\"iat\": [0-9]*/\"iat\": $now/" \
      -e "s/\"exp\": [0-9]*/\"exp\": $((now + 300))/" \
      -e "s/\"cti\": \"[0-9a-f]*\"/\"cti\": \"$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')\"/" \
      -e "s/-patch-level\": [0-9]*/-patch-level\": $patch/" \
      spec/examples/example-phone.json > "$work/claims.json"
  "$MTATTEST" issue --claims "$work/claims.json" --key "$work/pki/device.key.pem" \
    --chain "$work/pki/chain.pem" --nonce "$1" --out "$2" >/dev/null
}
# Standard base64 (as the service writes nonces) to hex.
hex() { printf %s "$1" | base64 -d | od -An -v -tx1 | tr -d ' \n'; }
field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }

echo "== 1. Veraison: a new session; the service draws a 32-byte nonce"
curl -sS -D "$work/headers" -o "$work/session.json" -X POST \
  "$BASE/challenge-response/v1/newSession?nonceSize=32"
cat "$work/session.json"; echo
session=$(tr -d '\r' < "$work/headers" | sed -n 's/^[Ll]ocation: //p')
nonce=$(field nonce < "$work/session.json")

echo "== 2. The device signs its claims with that nonce; the token is posted"
claims "$(hex "$nonce")" "$work/token.cbor"
curl -sS -o "$work/complete.json" -X POST \
  -H 'Content-Type: application/eat+cwt; eat_profile="tag:mtattest.dev,2026:eat/v1"' \
  --data-binary @"$work/token.cbor" "$BASE$session"
cat "$work/complete.json"; echo
jwt=$(field result < "$work/complete.json")

echo "== 3. The result is a JWT signed with the key in the discovery document"
curl -sS "$BASE/.well-known/veraison/verification"; echo

echo "== 4. The same evidence again: refused, evidence is accepted once"
curl -sS -X POST \
  -H 'Content-Type: application/eat+cwt; eat_profile="tag:mtattest.dev,2026:eat/v1"' \
  --data-binary @"$work/token.cbor" "$BASE$session"; echo

echo "== 5. Native API: a challenge, then the token with it; the EAR as JSON"
curl -sS -o "$work/challenge.json" -X POST "$BASE/v1/challenge"
cat "$work/challenge.json"; echo
nonce=$(field nonce < "$work/challenge.json")
claims "$(hex "$nonce")" "$work/token2.cbor"
curl -sS -X POST -H 'Content-Type: application/json' \
  -d "{\"token\":\"$(base64 -w0 "$work/token2.cbor")\",\"nonce\":\"$nonce\"}" \
  "$BASE/v1/verify"; echo

echo "EAR JWT: $jwt"
