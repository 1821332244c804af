"""Verifies an EAR JWT from mtattest-server independently of mtattest's code:
PyJWT (with cryptography) and nothing but the discovery document's key.

    python ear_jwt.py BASE_URL JWT

Checks the signature (ES256 with the key of `ear-verification-key`, whose
`kid` the JWT names), the Veraison 2023 EAR claims, and that a JWT whose
payload was changed does not verify. Exit 0 on success.
"""

import json
import sys
import urllib.request

import jwt


def main() -> int:
    base, token = sys.argv[1], sys.argv[2]
    with urllib.request.urlopen(f"{base}/.well-known/veraison/verification") as r:
        discovery = json.load(r)
    jwk = discovery["ear-verification-key"]
    assert jwk["kty"] == "EC" and jwk["crv"] == "P-256" and jwk["alg"] == "ES256", jwk
    key = jwt.PyJWK(jwk)
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "ES256" and header["kid"] == jwk["kid"], header

    claims = jwt.decode(token, key=key, algorithms=["ES256"])
    assert claims["eat_profile"] == "tag:github.com,2023:veraison/ear", claims
    assert claims["ear.status"] == "affirming", claims
    assert claims["submods"]["device"]["ear.status"] == "affirming", claims
    assert isinstance(claims["iat"], int), claims
    assert set(claims["ear.verifier-id"]) == {"developer", "build"}, claims

    head, payload, signature = token.split(".")
    forged = jwt.utils.base64url_encode(
        json.dumps({**claims, "ear.status": "affirming", "iat": claims["iat"] + 1}).encode()
    ).decode()
    try:
        jwt.decode(f"{head}.{forged}.{signature}", key=key, algorithms=["ES256"])
    except jwt.InvalidSignatureError:
        pass
    else:
        raise AssertionError("a changed payload verified")
    print(f"EAR JWT verified with PyJWT {jwt.__version__}: {claims['ear.status']}, kid {header['kid']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
