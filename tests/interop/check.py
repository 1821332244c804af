#!/usr/bin/env python3
"""Independent cross-check of the mtattest conformance vectors.

Uses only third-party libraries (pycose, cryptography, cbor2) and the
specification, never mtattest's own code:

* every valid case: the COSE_Sign1 signature verifies (pycose, Sig_structure
  over the bytes as sent) under the x5chain leaf's key; the chain validates
  to the case's anchors at the case's time (cryptography's X.509 path
  validation: signatures, validity, CA flags and keyUsage of issuers, plus
  the leaf's keyUsage and critical extensions); the revocation data does not
  list any certificate of the path; nonce and times are fresh; and the
  claims, mapped from CBOR to JSON by this script's own reading of
  spec/claims-json.md, equal the manifest's expected claims;
* every cryptographic invalid case (a bad token signature, a bad chain,
  revoked certificates): exactly the expected check fails;
* every invalid case whose fault is in the claims, freshness or replay:
  the token is nevertheless genuine (signature, chain, revocation pass), so
  its one fault is where the manifest says; for `replay.seen`, a token
  submitted before it shares a replay identifier with it (spec §11.2, the
  signer key in uncompressed form).

Prints one line per failure and a summary: `interop: N passed, M failed`.
Exit status 0 only if nothing failed.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import sys
from collections.abc import Mapping
from pathlib import Path

import cbor2
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtensionOID
from cryptography.x509.verification import ExtensionPolicy, PolicyBuilder, Store
from pycose.keys.curves import P256, P384
from pycose.keys.ec2 import EC2Key
from pycose.messages import Sign1Message

PROFILE = "tag:mtattest.dev,2026:eat/v1"
X5CHAIN = 33

# --------------------------------------------------------------- claims JSON
# spec/claims-json.md, written from the specification's tables.

TOP = {
    265: "eat-profile", 6: "iat", 4: "exp", 5: "nbf", 10: "eat-nonce", 7: "cti",
    256: "ueid", 258: "oemid", 259: "hwmodel", 8: "cnf", 275: "intuse", 266: "submods",
}
LAYERS = {
    "chip": {
        -80000: "evidence-source", -80010: "key-security-level", -80011: "hw-root-of-trust",
        -80012: "security-lifecycle", 263: "dbgstat", 260: "hwversion", 269: "dloas",
    },
    "boot": {
        -80000: "evidence-source", -80020: "verified-boot-state", -80021: "bootloader-locked",
        -80022: "boot-key-digest", -80023: "boot-image-digest", 262: "oemboot",
        -80024: "boot-patch-level", -80025: "rollback-index", -80026: "rollback-enforced",
        273: "measurements", 267: "bootcount", 261: "uptime",
    },
    "os": {
        -80000: "evidence-source", 270: "swname", 271: "swversion", -80040: "os-patch-level",
        -80041: "vendor-patch-level", -80042: "mac-enforcing", -80043: "storage-encryption",
        -80044: "screen-lock", -80045: "developer-options", -80046: "usb-debugging",
        274: "measres",
    },
    "app": {
        -80000: "evidence-source", -80060: "app-id", -80061: "app-version",
        -80062: "app-signers", -80063: "installer", -80064: "privacy-events", 274: "measres",
    },
    "runtime": {
        -80000: "evidence-source", -80080: "malware", -80081: "attestation-velocity",
        274: "measres",
    },
}
NAMED = {
    "evidence-source": ["software", "kernel", "hardware"],
    "key-security-level": ["software", "tee", "strongbox"],
    "dbgstat": ["enabled", "disabled", "disabled-since-boot", "disabled-permanently",
                "disabled-fully-and-permanently"],
    "verified-boot-state": ["verified", "self-signed", "unverified", "failed"],
    "storage-encryption": ["none", "software-key", "hardware-key"],
    "installer": ["store", "oem-store", "sideload", "unknown"],
    "malware": ["none", "medium", "high"],
}
INTUSE = {1: "generic", 2: "registration", 3: "provisioning", 4: "csr", 5: "pop"}
RESULTS = {1: "success", 2: "fail", 3: "not-run", 4: "absent"}
PRIVACY = {1: "out-of-scope", 2: "over-frequency", 3: "background"}
BYTES = {"eat-nonce", "cti", "ueid", "hwmodel", "boot-key-digest", "boot-image-digest"}
PLAIN = {"eat-profile", "iat", "exp", "nbf", "security-lifecycle", "boot-patch-level",
         "rollback-index", "bootcount", "uptime", "os-patch-level", "vendor-patch-level",
         "app-version", "attestation-velocity", "hw-root-of-trust", "bootloader-locked",
         "oemboot", "rollback-enforced", "mac-enforcing", "screen-lock", "developer-options",
         "usb-debugging", "swname", "app-id"}


def head(major: int, n: int) -> bytes:
    """The preferred encoding of a CBOR head."""
    if n < 24:
        return bytes([major << 5 | n])
    for ai, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * size):
            return bytes([major << 5 | ai]) + n.to_bytes(size, "big")
    raise ValueError("argument too large")


def deterministic(v) -> bytes:
    """RFC 8949 §4.2.1 core deterministic encoding (no floats needed here)."""
    if isinstance(v, bool) or v is None:
        return cbor2.dumps(v)
    if isinstance(v, int):
        return head(0, v) if v >= 0 else head(1, -1 - v)
    if isinstance(v, bytes):
        return head(2, len(v)) + v
    if isinstance(v, str):
        b = v.encode()
        return head(3, len(b)) + b
    if isinstance(v, list):
        return head(4, len(v)) + b"".join(deterministic(x) for x in v)
    if isinstance(v, Mapping):
        items = sorted((deterministic(k), deterministic(x)) for k, x in v.items())
        return head(5, len(v)) + b"".join(k + x for k, x in items)
    if isinstance(v, cbor2.CBORTag):
        return head(6, v.tag) + deterministic(v.value)
    raise ValueError(f"no deterministic encoding for {type(v).__name__}")


def unknown_list(entries: dict) -> list:
    out = []
    for key in sorted(entries, key=deterministic):
        if isinstance(key, int) and key < -(1 << 63):
            entry = {"key-cbor": deterministic(key).hex()}
        else:
            entry = {"key": key}
        entry["cbor"] = deterministic(entries[key]).hex()
        out.append(entry)
    return out


def version(v: list) -> dict:
    out = {"version": v[0]}
    if len(v) > 1:
        out["scheme"] = v[1]
    return out


def measres(groups: list) -> list:
    out = []
    for system, results in groups:
        rows = []
        for result_for, result in results:
            rf = result_for if isinstance(result_for, str) else {"bstr": result_for.hex()}
            rows.append({"result-for": rf, "result": RESULTS[result]})
        out.append({"system": system, "results": rows})
    return out


def claim_json(name: str, v):
    if name in BYTES:
        return v.hex()
    if name in PLAIN:
        return v
    if name in NAMED:
        return NAMED[name][v]
    if name == "intuse":
        return INTUSE[v]
    if name == "oemid":
        return v if isinstance(v, int) else v.hex()
    if name == "cnf":
        (k, x), = v.items()
        return {"cose-key": deterministic(x).hex()} if k == 1 else {"kid": x.hex()}
    if name in ("hwversion", "swversion"):
        return version(v)
    if name == "dloas":
        out = []
        for d in v:
            o = {"registrar": d[0], "platform-label": d[1]}
            if len(d) > 2:
                o["application-label"] = d[2]
            out.append(o)
        return out
    if name == "measurements":
        return [{"content-type": ct, "content": m.hex()} for ct, m in v]
    if name == "app-signers":
        return [s.hex() for s in v]
    if name == "privacy-events":
        return {PRIVACY.get(k, str(k)): n for k, n in v.items()}
    if name == "measres":
        return measres(v)
    raise ValueError(f"no JSON form for {name}")


def scope_json(claims: dict, names: dict) -> dict:
    out, unknown = {}, {}
    for key, value in claims.items():
        name = names.get(key)
        if name is None:
            unknown[key] = value
        elif name == "submods":
            out[name] = submods_json(value)
        else:
            out[name] = claim_json(name, value)
    if unknown:
        out["unknown"] = unknown_list(unknown)
    return out


def submods_json(submods: dict) -> dict:
    out, unknown = {}, {}
    for name, layer in submods.items():
        if name in LAYERS:
            out[name] = scope_json(layer, LAYERS[name])
        else:
            unknown[name] = layer
    if unknown:
        out["unknown"] = unknown_list(unknown)
    return out


def claims_json(payload: bytes) -> dict:
    claims = cbor2.loads(payload)
    if claims.get(265) != PROFILE:
        raise ValueError("not this profile")
    return scope_json(claims, TOP)


# ------------------------------------------------------------------ envelope

def decode_sign1(token: bytes):
    """The COSE_Sign1 array under tag 18 (optionally inside tag 61)."""
    item = cbor2.loads(token)
    if isinstance(item, cbor2.CBORTag) and item.tag == 61:
        item = item.value
    if not (isinstance(item, cbor2.CBORTag) and item.tag == 18 and len(item.value) == 4):
        raise ValueError("not a tagged COSE_Sign1")
    protected, unprotected, payload, signature = item.value
    # cbor2 6 gives maps under a tag as cbor2.frozendict; pycose wants a dict.
    return [protected, dict(unprotected), payload, signature]


def x5chain_of(sign1: list) -> list:
    protected = cbor2.loads(sign1[0]) if sign1[0] else {}
    x5 = protected.get(X5CHAIN, sign1[1].get(X5CHAIN))
    if x5 is None:
        raise ValueError("no x5chain")
    return [x5] if isinstance(x5, bytes) else list(x5)


def cose_key(cert: x509.Certificate) -> EC2Key:
    numbers = cert.public_key().public_numbers()
    size = (numbers.curve.key_size + 7) // 8
    curve = {"secp384r1": P384, "secp256r1": P256}[numbers.curve.name]
    return EC2Key(crv=curve, x=numbers.x.to_bytes(size, "big"), y=numbers.y.to_bytes(size, "big"))


def signature_ok(token: bytes, leaf: x509.Certificate) -> bool:
    """pycose verifies the Sig_structure over the protected bytes as sent."""
    sign1 = decode_sign1(token)
    try:
        message = Sign1Message.from_cose_obj(sign1, True)
        message.key = cose_key(leaf)
        return bool(message.verify_signature())
    except Exception:  # pycose raises on a key/alg mismatch or bad lengths
        return False


# ----------------------------------------------------------------- X.509

def utc(seconds: int) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)


KNOWN_EXTENSIONS = {ExtensionOID.BASIC_CONSTRAINTS, ExtensionOID.KEY_USAGE,
                    ExtensionOID.SUBJECT_KEY_IDENTIFIER, ExtensionOID.AUTHORITY_KEY_IDENTIFIER}


def chain_ok(certs: list, anchors: list, at: datetime.datetime) -> list | None:
    """The validated path (leaf to anchor) or None.

    cryptography's path validation (signatures, validity, issuers' CA flag,
    keyUsage and pathLenConstraint) with the web-PKI CA policy and any
    end-entity extensions; the profile's own leaf rules are checked here:
    keyUsage, if present, allows digitalSignature, and no critical extension
    is unknown.
    """
    try:
        verifier = (PolicyBuilder().store(Store(anchors)).time(at)
                    .extension_policies(ca_policy=ExtensionPolicy.webpki_defaults_ca(),
                                        ee_policy=ExtensionPolicy.permit_all())
                    .build_client_verifier())
        path = verifier.verify(certs[0], certs[1:]).chain
    except Exception:
        return None
    leaf = certs[0]
    try:
        if not leaf.extensions.get_extension_for_class(x509.KeyUsage).value.digital_signature:
            return None
    except x509.ExtensionNotFound:
        pass
    for cert in path:
        for ext in cert.extensions:
            if ext.critical and ext.oid not in KNOWN_EXTENSIONS:
                return None
    # The profile: a P-384 issuer signs with SHA-384, a P-256 one with SHA-256.
    for cert, issuer in zip(path, path[1:]):
        bits = issuer.public_key().curve.key_size
        if cert.signature_hash_algorithm.digest_size * 8 != bits:
            return None
    return path


def revocation_ok(case: dict, base: Path, path: list, at: datetime.datetime) -> bool:
    serials = {cert.serial_number for cert in path}
    if "status-list" in case:
        entries = json.loads((base / case["status-list"]).read_text())["entries"]
        if any(int(s, 16) in serials for s in entries):
            return False
    if "crl" in case:
        crl = x509.load_der_x509_crl((base / case["crl"]).read_bytes())
        for issuer in path[1:]:
            if issuer.subject != crl.issuer:
                continue
            if not crl.is_signature_valid(issuer.public_key()):
                return False
            if not crl.last_update_utc <= at <= crl.next_update_utc:
                return False
            covered = [c for c in path if c.issuer == issuer.subject]
            if any(crl.get_revoked_certificate_by_serial_number(c.serial_number)
                   for c in covered):
                return False
    return True


# -------------------------------------------------------------- the checks

def genuine(case: dict, base: Path) -> set:
    """Which of signature / chain / revocation fail for the case's token."""
    token = (base / case["token"]).read_bytes()
    certs = [x509.load_der_x509_certificate(c) for c in x5chain_of(decode_sign1(token))]
    anchors = x509.load_pem_x509_certificates((base / case["anchors"]).read_bytes())
    at = utc(case["time"])
    failed = set()
    if not signature_ok(token, certs[0]):
        failed.add("signature")
    path = chain_ok(certs, anchors, at)
    if path is None:
        failed.add("chain")
    elif not revocation_ok(case, base, path, at):
        failed.add("revocation")
    return failed


def replay_ids(token: bytes) -> set:
    """The token's replay identifiers, spec §11.2: SHA-384 over the domain
    label and the length-prefixed kind, signer key (uncompressed SEC1,
    whatever form its certificate uses) and value."""
    sign1 = decode_sign1(token)
    leaf = x509.load_der_x509_certificate(x5chain_of(sign1)[0])
    key = leaf.public_key().public_bytes(serialization.Encoding.X962,
                                         serialization.PublicFormat.UncompressedPoint)
    claims = cbor2.loads(sign1[2])
    values = [(b"cti", claims[7])] if 7 in claims else []
    if 10 in claims:
        values.append((b"nonce", claims[10]))
    if not values:
        values = [(b"payload", hashlib.sha384(sign1[2]).digest())]

    def one(kind: bytes, value: bytes) -> bytes:
        h = hashlib.sha384(b"mtattest replay id v1\0")
        for part in (kind, key, value):
            h.update(len(part).to_bytes(8, "big") + part)
        return h.digest()
    return {one(kind, value) for kind, value in values}


def replayed(case: dict, base: Path) -> bool:
    """A token submitted before the case's shares an identifier with it."""
    ids = replay_ids((base / case["token"]).read_bytes())
    return any(ids & replay_ids((base / before).read_bytes())
               for before in case.get("submitted-before", []))


def fresh(case: dict, claims: dict, settings: dict) -> bool:
    now, age, skew = case["time"], settings["max-age-secs"], settings["clock-skew-secs"]
    if case["nonce"] is not None and claims.get("eat-nonce") != case["nonce"]:
        return False
    iat = claims["iat"]
    if iat - now > skew or now - iat > age + skew:
        return False
    if "exp" in claims and now >= claims["exp"] + skew:
        return False
    if "nbf" in claims and now + skew < claims["nbf"]:
        return False
    return True


def expected_failure(code: str) -> str | None:
    """Which independent check a cryptographic error code must fail."""
    if code in ("token.bad-signature", "token.key-algorithm-mismatch"):
        return "signature"
    if code in ("chain.revoked", "chain.suspended", "chain.crl-stale",
                "chain.crl-not-yet-valid", "chain.crl-bad-signature"):
        return "revocation"
    if code in ("chain.bad-signature", "chain.expired", "chain.not-yet-valid", "chain.not-ca",
                "chain.path-length", "chain.key-usage", "chain.no-anchor",
                "chain.name-mismatch", "chain.unsupported-algorithm",
                "chain.unknown-critical-extension"):
        return "chain"
    return None


def check(case: dict, base: Path, settings: dict) -> str | None:
    """None if the case checks out, else why not."""
    expected = case["expected"]
    if expected["result"] == "valid":
        failed = genuine(case, base)
        if failed:
            return f"valid case fails {sorted(failed)}"
        token = (base / case["token"]).read_bytes()
        payload = decode_sign1(token)[2]
        claims = claims_json(payload)
        if claims != expected["claims"]:
            return f"claims differ:\n  got      {json.dumps(claims, sort_keys=True)}\n" \
                   f"  expected {json.dumps(expected['claims'], sort_keys=True)}"
        if not fresh(case, claims, settings):
            return "not fresh"
        return None
    code = expected["error"]
    must_fail = expected_failure(code)
    if must_fail is not None:
        failed = genuine(case, base)
        if failed != {must_fail}:
            return f"{code}: expected only the {must_fail} check to fail, got {sorted(failed)}"
        return None
    if code.split(".")[0] in ("claims", "freshness", "replay"):
        failed = genuine(case, base)
        if failed:
            return f"{code}: the token should be genuine, but {sorted(failed)} fail"
        if code == "replay.seen" and not replayed(case, base):
            return f"{code}: no token submitted before shares a replay identifier with it"
        return None
    return "skip"


def main() -> int:
    base = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "test-vectors"
    manifest = json.loads((base / "manifest.json").read_text())
    if manifest["schema"] != "mtattest-test-vectors/1":
        print(f"interop: unknown manifest schema {manifest['schema']}")
        return 1
    settings = manifest["verifier"]
    passed, failed, skipped = 0, 0, 0
    kinds = {"valid": 0, "cryptographic": 0, "genuine": 0}
    for case in manifest["cases"]:
        try:
            why = check(case, base, settings)
        except Exception as e:  # a crash is a failure of that case
            why = f"{type(e).__name__}: {e}"
        if why == "skip":
            skipped += 1
        elif why is None:
            passed += 1
            if case["expected"]["result"] == "valid":
                kinds["valid"] += 1
            elif expected_failure(case["expected"]["error"]):
                kinds["cryptographic"] += 1
            else:
                kinds["genuine"] += 1
        else:
            failed += 1
            print(f"FAIL {case['id']}: {why}")
    print(f"interop: {passed} passed, {failed} failed "
          f"({kinds['valid']} valid verified and decoded, {kinds['cryptographic']} "
          f"cryptographic invalid cases fail as expected, {kinds['genuine']} invalid cases "
          f"shown genuine apart from their claims/freshness/replay fault; {skipped} "
          f"envelope cases not checked here)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
