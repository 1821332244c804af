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
  revoked certificates): exactly the expected check fails; the chain check
  adds the certificate profile of spec/trust.md §10.4.1–§10.4.2, read with
  asn1crypto from the certificates' DER;
* every invalid case whose fault is in the claims, freshness or replay:
  the token is nevertheless genuine (signature, chain, revocation pass), so
  its one fault is where the manifest says; for `replay.seen`, a token
  submitted before it shares a replay identifier with it (spec §11.2, the
  signer key in uncompressed form);
* the claims of every case but the envelope ones, against this script's own
  reading of spec §6 (`claims_fault`): a claims case must fail with exactly
  its expected code, every other case must have no claims fault. The payload
  is read by a small CBOR reader of its own that keeps every tag a tag, as
  §6.1 rule 4 requires (cbor2 turns tags 1, 2 and 3 into other types);
* every `chain.malformed` case whose leaf key is in a SEC1 form spec §10.2
  refuses (the compact form `05 || x`): the form is refused by this
  script's own reading of RFC 5480, and it is the only fault (the token
  signature verifies under the key a decoder of that form reads, and the
  intermediate signed the leaf);
* every `cbor.duplicate-key` case: cbor2, refusing duplicate keys and
  reading bignums as the integers they denote (RFC 8949 §3.4.3), finds a
  repeated key in the token, its protected header or its payload, so the
  keys the spec calls one key are one key to a generic decoder too;
* every Android case (spec chapter 17, `android.py`): a chain that ends at an
  anchor of `android-anchors` is checked under the Android profile (the
  relaxed checks of §17.3.1 and nothing else); the KeyDescription is decoded
  with asn1crypto from the ASN.1 of §17.2; a valid case passes §17.4 and its
  `attested` list and the appraisal's Android reasons are what §17.5 and
  §17.7 give; an `android.*` case is genuine apart from exactly its fault of
  §17.4.

Prints one line per failure and a summary: `interop: N passed, M failed`.
Exit status 0 only if nothing failed.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import struct
import sys
import unicodedata
import warnings
from collections.abc import Mapping
from pathlib import Path

import asn1crypto.x509
import cbor2
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.verification import ExtensionPolicy, PolicyBuilder, Store
from pycose.keys.curves import P256, P384
from pycose.keys.ec2 import EC2Key
from pycose.messages import Sign1Message

import android

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
    "network": {
        -80000: "evidence-source", -80090: "connection", -80091: "wifi-security",
        -80092: "proxy", -80093: "vpn", -80094: "private-dns",
        -80095: "user-ca-certificates", 274: "measres",
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
    "connection": ["none", "cellular", "wifi", "ethernet", "other"],
    "wifi-security": ["open", "wep", "wpa", "wpa2", "wpa3", "enterprise"],
}
INTUSE = {1: "generic", 2: "registration", 3: "provisioning", 4: "csr", 5: "pop"}
RESULTS = {1: "success", 2: "fail", 3: "not-run", 4: "absent"}
PRIVACY = {1: "out-of-scope", 2: "over-frequency", 3: "background"}
BYTES = {"eat-nonce", "cti", "ueid", "boot-key-digest", "boot-image-digest"}
PLAIN = {"eat-profile", "iat", "exp", "nbf", "security-lifecycle", "boot-patch-level",
         "rollback-index", "bootcount", "uptime", "os-patch-level", "vendor-patch-level",
         "app-version", "attestation-velocity", "hw-root-of-trust", "bootloader-locked",
         "oemboot", "rollback-enforced", "mac-enforcing", "screen-lock", "developer-options",
         "usb-debugging", "swname", "app-id", "proxy", "vpn", "private-dns",
         "user-ca-certificates"}


def head(major: int, n: int) -> bytes:
    """The preferred encoding of a CBOR head."""
    if n < 24:
        return bytes([major << 5 | n])
    for ai, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * size):
            return bytes([major << 5 | ai]) + n.to_bytes(size, "big")
    raise ValueError("argument too large")


def shortest_float(v: float) -> bytes:
    """A float in the shortest of half, single and double that keeps its value
    (RFC 8949 §4.2.1 preferred serialization)."""
    double = struct.pack(">d", v)
    for initial, fmt in ((0xf9, ">e"), (0xfa, ">f")):
        try:
            packed = struct.pack(fmt, v)
        except OverflowError:
            continue
        if struct.pack(">d", struct.unpack(fmt, packed)[0]) == double:
            return bytes([initial]) + packed
    return b"\xfb" + double


def deterministic(v) -> bytes:
    """RFC 8949 §4.2.1 core deterministic encoding of the item as §7.2 reads
    it: tags (bignums included) as tags, undefined as undefined (f7)."""
    if isinstance(v, bool) or v is None:
        return cbor2.dumps(v)
    if v is cbor2.undefined:
        return b"\xf7"
    if isinstance(v, float):
        return shortest_float(v)
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


def label_json(b: bytes):
    """§12.3 label (hwmodel): the text when the bytes are UTF-8 without
    control characters (general category Cc), else {"hex": ...}."""
    try:
        text = b.decode("utf-8")
    except UnicodeDecodeError:
        return {"hex": b.hex()}
    if any(unicodedata.category(c) == "Cc" for c in text):
        return {"hex": b.hex()}
    return text


def claim_json(name: str, v):
    if name in BYTES:
        return v.hex()
    if name == "hwmodel":
        return label_json(v)
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


# spec §7.2: a decoder reads a tag as a tag. cbor2 turns some tags into Python
# values (2 and 3 into int, 1 into a datetime, ...); read every tag number it
# could interpret as a plain tag instead.
TAGS_AS_TAGS = {n: (lambda n: lambda value, immutable: cbor2.CBORTag(n, value))(n)
                for n in range(1 << 16)}


def claims_json(payload: bytes) -> dict:
    claims = cbor2.loads(payload, semantic_decoders=TAGS_AS_TAGS)
    if claims.get(265) != PROFILE:
        raise ValueError("not this profile")
    return scope_json(claims, TOP)


# ------------------------------------------------------------ claims rules
# spec/mtattest.md §6, written from the tables and §6.1 rules 3 and 9: a data
# item of another kind than its type is claims.wrong-type; a required map
# member that is absent is claims.missing; anything else refused in an item
# of the right kind is claims.invalid-value.

class Tag:
    def __init__(self, tag: int, value):
        self.tag, self.value = tag, value


class Map:
    """A CBOR map as the list of its entries (keys may be of any kind)."""
    def __init__(self, entries: list):
        self.entries = entries

    def get(self, key):
        for k, v in self.entries:
            if kind(k) == kind(key) and k == key:
                return v
        return None


UNDEFINED = object()


def read_cbor(data: bytes):
    """One CBOR data item (RFC 8949 §3), definite lengths only."""
    def item(i: int):
        ib = data[i]
        major, ai = ib >> 5, ib & 31
        i += 1
        if major == 7 and ai in (25, 26, 27):
            size = {25: 2, 26: 4, 27: 8}[ai]
            fmt = {2: ">e", 4: ">f", 8: ">d"}[size]
            return float(struct.unpack(fmt, data[i:i + size])[0]), i + size
        if ai < 24:
            n = ai
        elif ai <= 27:
            size = 1 << (ai - 24)
            n, i = int.from_bytes(data[i:i + size], "big"), i + size
        else:
            raise ValueError("indefinite or reserved")
        if major == 0:
            return n, i
        if major == 1:
            return -1 - n, i
        if major == 2:
            return bytes(data[i:i + n]), i + n
        if major == 3:
            return data[i:i + n].decode("utf-8"), i + n
        if major == 4:
            out = []
            for _ in range(n):
                v, i = item(i)
                out.append(v)
            return out, i
        if major == 5:
            entries = []
            for _ in range(n):
                k, i = item(i)
                v, i = item(i)
                entries.append((k, v))
            return Map(entries), i
        if major == 6:
            v, i = item(i)
            return Tag(n, v), i
        return {20: False, 21: True, 22: None, 23: UNDEFINED}[n], i
    value, end = item(0)
    if end != len(data):
        raise ValueError("trailing bytes")
    return value


def kind(v) -> str:
    """The kind of RFC 8949 §2's data model (integers of both signs are one)."""
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    for t, name in ((bytes, "bstr"), (str, "tstr"), (list, "array"), (Map, "map"),
                    (Tag, "tag"), (float, "float")):
        if isinstance(v, t):
            return name
    return "null" if v is None else "undefined"


class Fault(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def need(v, *kinds):
    if kind(v) not in kinds:
        raise Fault("claims.wrong-type")


def check_value(ok: bool):
    if not ok:
        raise Fault("claims.invalid-value")


def c_int64(v):
    need(v, "int")
    check_value(-(1 << 63) <= v < 1 << 63)


def c_uint(v, top=(1 << 64) - 1):
    need(v, "int")
    check_value(0 <= v <= top)


def c_code(values):
    def check(v):
        need(v, "int")
        check_value(v in values)
    return check


def c_bstr(lo, hi):
    def check(v):
        need(v, "bstr")
        check_value(lo <= len(v) <= hi)
    return check


def c_bool(v):
    need(v, "bool")


def c_tstr(v):
    need(v, "tstr")


def c_array(v, lo, hi):
    need(v, "array")
    check_value(lo <= len(v) <= hi)
    return v


MANY = 1 << 64
c_digest = c_bstr(16, 64)


def c_version(v):
    items = c_array(v, 1, 2)
    c_tstr(items[0])
    if len(items) > 1:
        c_int64(items[1])


def c_patch_level(v):
    c_uint(v)
    year, month, day = v // 10000, v // 100 % 100, v % 100
    check_value(1970 <= year <= 9999 and 1 <= month <= 12 and day <= 31)


def c_lifecycle(v):
    c_uint(v, 0xFFFF)
    check_value(v >> 8 in (0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60))


def c_dloas(v):
    for dloa in c_array(v, 1, MANY):
        for part in c_array(dloa, 2, 3):
            c_tstr(part)


def c_measurements(v):
    for m in c_array(v, 1, MANY):
        content_type, content = c_array(m, 2, 2)
        c_uint(content_type, 65535)
        need(content, "bstr")


def c_signers(v):
    for digest in c_array(v, 1, MANY):
        c_digest(digest)


def c_privacy(v):
    need(v, "map")
    for key, count in v.entries:
        need(key, "int")
        check_value(key >= 0)
        c_uint(count)


def c_measres(v):
    mtattest_groups = 0
    for group in c_array(v, 1, MANY):
        system, results = c_array(group, 2, 2)
        c_tstr(system)
        names = []
        for result in c_array(results, 1, MANY):
            result_for, code = c_array(result, 2, 2)
            need(result_for, "tstr", "bstr")
            c_code({1, 2, 3, 4})(code)
            names.append(result_for)
        if system == "mtattest":
            mtattest_groups += 1
            check_value(mtattest_groups == 1 and len(names) == len(set(names)))


def c_cose_key(v):
    need(v, "map")
    for label, _ in v.entries:
        need(label, "int", "tstr")
    kty = v.get(1)
    if kty is None:
        raise Fault("claims.missing")
    need(kty, "int", "tstr")


def c_cnf(v):
    need(v, "map")
    check_value(len(v.entries) == 1)
    (method, value), = v.entries
    need(method, "int")
    check_value(method in (1, 3))
    if method == 1:
        c_cose_key(value)
    else:
        need(value, "bstr")


def c_oemid(v):
    need(v, "int", "bstr")
    if kind(v) == "int":
        c_int64(v)
    else:
        check_value(len(v) in (3, 16))


EVIDENCE = (-80000, c_code({0, 1, 2}))
LAYER_RULES = {
    "chip": dict([EVIDENCE, (-80010, c_code({0, 1, 2})), (-80011, c_bool),
                  (-80012, c_lifecycle), (263, c_code({0, 1, 2, 3, 4})), (260, c_version),
                  (269, c_dloas)]),
    "boot": dict([EVIDENCE, (-80020, c_code({0, 1, 2, 3})), (-80021, c_bool),
                  (-80022, c_digest), (-80023, c_digest), (262, c_bool),
                  (-80024, c_patch_level), (-80025, c_uint), (-80026, c_bool),
                  (273, c_measurements), (267, c_uint), (261, c_uint)]),
    "os": dict([EVIDENCE, (270, c_tstr), (271, c_version), (-80040, c_patch_level),
                (-80041, c_patch_level), (-80042, c_bool), (-80043, c_code({0, 1, 2})),
                (-80044, c_bool), (-80045, c_bool), (-80046, c_bool), (274, c_measres)]),
    "app": dict([EVIDENCE, (-80060, c_tstr), (-80061, c_uint), (-80062, c_signers),
                 (-80063, c_code({0, 1, 2, 3})), (-80064, c_privacy), (274, c_measres)]),
    "runtime": dict([EVIDENCE, (-80080, c_code({0, 1, 2})), (-80081, c_uint),
                     (274, c_measres)]),
    "network": dict([EVIDENCE, (-80090, c_code({0, 1, 2, 3, 4})),
                     (-80091, c_code({0, 1, 2, 3, 4, 5})), (-80092, c_bool),
                     (-80093, c_bool), (-80094, c_bool), (-80095, c_uint),
                     (274, c_measres)]),
}

WIFI = 2  # spec §6.9a: connection wifi


def c_network_relations(layer):
    """Spec §6.9a: wifi-security only with connection wifi."""
    if layer.get(-80091) is not None:
        check_value(layer.get(-80090) == WIFI)


def c_submods(v):
    need(v, "map")
    check_value(len(v.entries) > 0)
    for name, _ in v.entries:
        need(name, "tstr")
    for name, layer in v.entries:
        if name in LAYER_RULES:
            check_claims_map(layer, LAYER_RULES[name], required=(-80000,))
            if name == "network":
                c_network_relations(layer)
        # Another submodule: its contents are not checked (§6.4).


TOP_RULES = {
    6: c_int64, 10: c_bstr(8, 64), 4: c_int64, 5: c_int64, 7: c_bstr(1, 64),
    256: c_bstr(7, 33), 258: c_oemid, 259: c_bstr(1, 32), 8: c_cnf,
    275: c_code({1, 2, 3, 4, 5}), 266: c_submods, 265: lambda v: None,
}


def check_claims_map(v, rules: dict, required=()):
    need(v, "map")
    for key, _ in v.entries:
        need(key, "int", "tstr")
    for key, value in v.entries:
        if kind(key) == "int" and key in rules:
            rules[key](value)
        # Any other key is an unknown claim (§6.12), not checked.
    for key in required:
        if v.get(key) is None:
            raise Fault("claims.missing")


def submod_depth_ok(claims, depth: int, limit: int) -> bool:
    submods = claims.get(266) if isinstance(claims, Map) else None
    if not isinstance(submods, Map):
        return True
    for _, sub in submods.entries:
        if isinstance(sub, Map):
            if depth + 1 > limit or not submod_depth_ok(sub, depth + 1, limit):
                return False
    return True


def claims_fault(payload: bytes, limit: int) -> str | None:
    """The claims code of spec §9 step 10 for the payload, or None."""
    claims = read_cbor(payload)
    try:
        if not submod_depth_ok(claims, 0, limit):
            raise Fault("claims.submods-too-deep")
        if not isinstance(claims, Map):
            raise Fault("claims.not-a-map")
        profile = claims.get(265)
        if profile is None:
            raise Fault("claims.missing")
        if isinstance(profile, Tag) and profile.tag == 111 and kind(profile.value) == "bstr":
            raise Fault("claims.wrong-profile")
        need(profile, "tstr", "bstr")
        if profile != PROFILE:
            raise Fault("claims.wrong-profile")
        check_claims_map(claims, TOP_RULES, required=(6,))
        exp, iat, nbf = claims.get(4), claims.get(6), claims.get(5)
        if exp is not None:
            check_value(exp > iat and (nbf is None or exp > nbf))
    except Fault as fault:
        return fault.code
    return None


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


def leaf_key(der: bytes):
    """The leaf certificate's public key, read with asn1crypto so that a
    certificate cryptography refuses to load (e.g. a negative serial) can
    still have its token signature checked."""
    spki = asn1crypto.x509.Certificate.load(der)["tbs_certificate"]["subject_public_key_info"]
    return serialization.load_der_public_key(spki.dump())


def cose_key(public_key) -> EC2Key:
    numbers = public_key.public_numbers()
    size = (numbers.curve.key_size + 7) // 8
    curve = {"secp384r1": P384, "secp256r1": P256}[numbers.curve.name]
    return EC2Key(crv=curve, x=numbers.x.to_bytes(size, "big"), y=numbers.y.to_bytes(size, "big"))


def signature_ok(token: bytes, leaf_der: bytes) -> bool:
    """pycose verifies the Sig_structure over the protected bytes as sent.

    The leaf's key is read with asn1crypto (`leaf_key`). pycose also checks
    the values of header parameters this profile does not read (an IV must
    be a byte string); spec §3.2 says a verifier ignores them. When pycose
    refuses such a header, the Sig_structure of RFC 9052 §4.4 is verified
    with cryptography directly.
    """
    sign1 = decode_sign1(token)
    key = leaf_key(leaf_der)
    try:
        # pycose consumes the list it is given.
        message = Sign1Message.from_cose_obj(list(sign1), True)
    except ValueError:
        return sig_structure_ok(sign1, key)
    try:
        message.key = cose_key(key)
        return bool(message.verify_signature())
    except Exception:  # pycose raises on a key/alg mismatch or bad lengths
        return False


def sig_structure_ok(sign1: list, key) -> bool:
    protected, _, payload, signature = sign1
    alg = cbor2.loads(protected).get(1)
    hash_alg, size = {-35: (hashes.SHA384(), 48), -7: (hashes.SHA256(), 32)}.get(alg, (None, 0))
    if hash_alg is None or key.curve.key_size != size * 8 or len(signature) != 2 * size:
        return False
    tbs = cbor2.dumps(["Signature1", protected, b"", payload])
    der = encode_dss_signature(int.from_bytes(signature[:size], "big"),
                               int.from_bytes(signature[size:], "big"))
    try:
        key.verify(der, tbs, ec.ECDSA(hash_alg))
        return True
    except InvalidSignature:
        return False


def repeats_a_key(token: bytes) -> bool:
    """Whether cbor2, refusing duplicate keys and with its default reading of
    bignums as integers, finds a repeated key in the token or in the protected
    header or payload byte strings of its COSE_Sign1."""
    def refused(data: bytes) -> bool:
        try:
            cbor2.loads(data, allow_duplicate_keys=False)
            return False
        except cbor2.CBORDecodeError as e:
            return "Duplicate map key" in str(e)
    if refused(token):
        return True
    sign1 = decode_sign1(token)
    return any(isinstance(part, bytes) and part and refused(part) for part in sign1[::2])


# ----------------------------------------------------------------- X.509

def utc(seconds: int) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)


# §10.4.2: the extensions the profile processes, which may be critical.
UNDERSTOOD_CRITICAL = {
    "2.5.29.19",  # basicConstraints
    "2.5.29.15",  # keyUsage
    "2.5.29.37",  # extKeyUsage
    "2.5.29.17",  # subjectAltName
    "2.5.29.14",  # subjectKeyIdentifier
    "2.5.29.35",  # authorityKeyIdentifier
}
NAME_CONSTRAINTS = "2.5.29.30"
POLICY_CONTROLS = {"2.5.29.36", "2.5.29.33", "2.5.29.54"}
ANY_EXTENDED_KEY_USAGE = "2.5.29.37.0"


def profile_problem(der: bytes, position: str) -> str | None:
    """The first rule of spec §10.4.1 (and the extension rules of §10.4.2)
    the certificate breaks, or None. `position` is leaf, intermediate or
    anchor."""
    tbs = asn1crypto.x509.Certificate.load(der)["tbs_certificate"]
    if tbs["version"].native != "v3":
        return "version"
    if tbs["issuer_unique_id"].native is not None or tbs["subject_unique_id"].native is not None:
        return "unique identifiers"
    serial = tbs["serial_number"].native
    if serial <= 0 or serial >= 1 << 160:
        return "serial number"
    if len(tbs["issuer"].chosen) == 0 or len(tbs["subject"].chosen) == 0:
        return "empty name"
    for field in ("not_before", "not_after"):
        time = tbs["validity"][field]
        if time.name == "general_time" and 1950 <= time.native.year <= 2049:
            return "time encoding"
    listed = [] if tbs["extensions"].native is None else tbs["extensions"]
    exts = {e["extn_id"].dotted: e for e in listed}
    critical = {oid for oid, e in exts.items() if e["critical"].native}
    parsed = {oid: e["extn_value"].parsed for oid, e in exts.items()}
    bc = parsed.get("2.5.29.19")
    is_ca = bool(bc is not None and bc["ca"].native)
    usage = parsed["2.5.29.15"].native if "2.5.29.15" in parsed else None
    aki = parsed.get("2.5.29.35")
    if aki is None:
        if not (position == "anchor" and tbs["issuer"] == tbs["subject"]):
            return "authority key identifier missing"
    elif ("2.5.29.35" in critical or not aki["key_identifier"].native
          or (aki["authority_cert_issuer"].native is None)
          != (aki["authority_cert_serial_number"].native is None)):
        return "authority key identifier"
    ski = parsed.get("2.5.29.14")
    if "2.5.29.14" in critical or (ski is not None and not ski.native) or (ski is None and is_ca):
        return "subject key identifier"
    if bc is not None:
        if is_ca and "2.5.29.19" not in critical:
            return "basic constraints not critical"
        if bc["path_len_constraint"].native is not None and not (
                is_ca and usage is not None and "key_cert_sign" in usage):
            return "path length constraint"
    if usage is not None and "key_cert_sign" in usage and not is_ca:
        return "keyCertSign without cA"
    if NAME_CONSTRAINTS in exts:
        return "name constraints"
    if POLICY_CONTROLS & exts.keys():
        return "policy constraints"
    if "2.5.29.37" in critical and ANY_EXTENDED_KEY_USAGE not in {
            p.dotted for p in parsed["2.5.29.37"]}:
        return "extended key usage"
    if critical - UNDERSTOOD_CRITICAL:
        return "unknown critical extension"
    return None


def chain_ok(certs: list, anchors: list, at: datetime.datetime) -> list | None:
    """The validated path (leaf to anchor) or None.

    cryptography's path validation (signatures, validity, issuers' CA flag,
    keyUsage and pathLenConstraint) with the web-PKI CA policy and any
    end-entity extensions; the profile's own rules are checked here: the
    certificate profile of every certificate of the path (§10.4.1), the
    leaf's keyUsage, if present, allows digitalSignature, and the curve and
    hash of each signature.
    """
    try:
        verifier = (PolicyBuilder().store(Store(anchors)).time(at)
                    .extension_policies(ca_policy=ExtensionPolicy.webpki_defaults_ca(),
                                        ee_policy=ExtensionPolicy.permit_all())
                    .build_client_verifier())
        path = verifier.verify(certs[0], certs[1:]).chain
        leaf = certs[0]
        try:
            if not leaf.extensions.get_extension_for_class(x509.KeyUsage).value.digital_signature:
                return None
        except x509.ExtensionNotFound:
            pass
    except Exception:
        return None
    for i, cert in enumerate(path):
        position = "leaf" if i == 0 else "anchor" if i == len(path) - 1 else "intermediate"
        der = cert.public_bytes(serialization.Encoding.DER)
        if profile_problem(der, position) is not None:
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
            # §10.5: the CRL's issuer must be allowed to sign CRLs.
            try:
                if not issuer.extensions.get_extension_for_class(x509.KeyUsage).value.crl_sign:
                    return False
            except x509.ExtensionNotFound:
                pass
            if not crl.is_signature_valid(issuer.public_key()):
                return False
            if not crl.last_update_utc <= at <= crl.next_update_utc:
                return False
            covered = [c for c in path if c.issuer == issuer.subject]
            if any(crl.get_revoked_certificate_by_serial_number(c.serial_number)
                   for c in covered):
                return False
    return True


# The curves of spec §10.2: coordinate size, and p and b of
# y² = x³ - 3x + b (SEC 2 §2.4.2, §2.5.1).
CURVES = {
    "secp256r1": (ec.SECP256R1(), 32, 2**256 - 2**224 + 2**192 + 2**96 - 1,
                  0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b),
    "secp384r1": (ec.SECP384R1(), 48, 2**384 - 2**128 - 2**96 + 2**32 - 1,
                  0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875a
                  << 128 | 0xc656398d8a2ed19d2a85c8edd3ec2aef),
}


def key_point(der: bytes) -> tuple:
    """The certificate's curve name and its key's point as written, or
    (None, None) for a certificate asn1crypto does not read."""
    try:
        spki = asn1crypto.x509.Certificate.load(der)["tbs_certificate"]["subject_public_key_info"]
        return spki["algorithm"]["parameters"].chosen.native, spki["public_key"].native
    except (ValueError, TypeError, KeyError):
        return None, None


def key_form_problem(der: bytes) -> str | None:
    """Spec §10.2: the key's point is 04 || x || y or 02/03 || x with its
    curve's coordinate size (RFC 5480 §2.2), and a point of the curve."""
    curve, point = key_point(der)
    if curve not in CURVES or not isinstance(point, bytes):
        return None  # not an EC key of the profile: another check's fault
    group, size, _, _ = CURVES[curve]
    if not ((point[:1] == b"\x04" and len(point) == 1 + 2 * size)
            or (point[:1] in (b"\x02", b"\x03") and len(point) == 1 + size)):
        return f"point form {point[:1].hex()}"
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(group, point)
    except ValueError:
        return "not a point of the curve"
    return None


def compact_form_key(der: bytes):
    """The key a decoder of the non-standard compact form (05 || x) reads:
    x and the smaller of the two y (draft-jivsov-ecc-compact). Both curves
    have p = 3 mod 4, so a square root is a power."""
    curve, point = key_point(der)
    group, size, p, b = CURVES[curve]
    x = int.from_bytes(point[1:], "big")
    y = pow((x**3 - 3 * x + b) % p, (p + 1) // 4, p)
    return ec.EllipticCurvePublicNumbers(x, min(y, p - y), group).public_key()


def key_form_fault(case: dict, base: Path) -> str | None:
    """A `chain.malformed` case whose fault is the leaf key's form (§10.2):
    the form is refused, and it is the only fault: the token's signature
    verifies under the key a decoder of that form reads, and the next
    certificate signed the leaf. "skip" for the other malformed cases
    (their certificates are not DER; not checked here)."""
    token = (base / case["token"]).read_bytes()
    sign1 = decode_sign1(token)
    ders = x5chain_of(sign1)
    if key_form_problem(ders[0]) is None:
        return "skip"
    if key_point(ders[0])[1][:1] != b"\x05":
        return f"leaf key {key_form_problem(ders[0])}: no decoder to compare with"
    if not sig_structure_ok(sign1, compact_form_key(ders[0])):
        return "the token signature does not verify under the compact form's key"
    leaf, issuer = (x509.load_der_x509_certificate(d) for d in ders[:2])
    try:
        leaf.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature) as e:
        return f"the leaf is not signed by the next certificate: {e}"
    return None


# -------------------------------------------------------------- the checks

def android_anchors_of(case: dict, base: Path) -> list:
    """The anchors trusted under the Android profile (spec §17.3)."""
    if "android-anchors" not in case:
        return []
    return x509.load_pem_x509_certificates((base / case["android-anchors"]).read_bytes())


def at_android_anchor(case: dict, base: Path) -> bool:
    """Whether the token's chain ends at an Android anchor (§17.4 step 3)."""
    anchors = android_anchors_of(case, base)
    ders = x5chain_of(decode_sign1((base / case["token"]).read_bytes()))
    return bool(anchors) and android.ends_at(ders, anchors)


def genuine(case: dict, base: Path) -> set:
    """Which of signature / chain / revocation fail for the case's token;
    a chain that ends at an Android anchor is checked under the Android
    profile (spec §17.3)."""
    token = (base / case["token"]).read_bytes()
    ders = x5chain_of(decode_sign1(token))
    anchors = x509.load_pem_x509_certificates((base / case["anchors"]).read_bytes())
    at = utc(case["time"])
    if at_android_anchor(case, base):
        failed = set() if signature_ok(token, ders[0]) else {"signature"}
        path = android.android_path(ders, android_anchors_of(case, base), at, profile_problem)
        if path is None:
            failed.add("chain")
        elif not revocation_ok(case, base, path, at):
            failed.add("revocation")
        return failed
    failed = set()
    if not signature_ok(token, ders[0]):
        failed.add("signature")
    try:
        with warnings.catch_warnings():
            # A non-positive serial: the profile refuses it (§10.4.1) and
            # so, in its next releases, will cryptography's parser.
            warnings.simplefilter("ignore", CryptographyDeprecationWarning)
            certs = [x509.load_der_x509_certificate(c) for c in ders]
    except ValueError:
        certs = None
    path = None if certs is None else chain_ok(certs, anchors, at)
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
                "chain.crl-not-yet-valid", "chain.crl-bad-signature", "chain.crl-key-usage"):
        return "revocation"
    if code in ("chain.bad-signature", "chain.expired", "chain.not-yet-valid", "chain.not-ca",
                "chain.path-length", "chain.key-usage", "chain.no-anchor",
                "chain.name-mismatch", "chain.unsupported-algorithm",
                "chain.unknown-critical-extension", "chain.version", "chain.unique-identifier",
                "chain.serial-number", "chain.empty-name", "chain.time-encoding",
                "chain.authority-key-id", "chain.subject-key-id", "chain.basic-constraints",
                "chain.key-cert-sign-not-ca", "chain.name-constraints",
                "chain.policy-constraints", "chain.extended-key-usage"):
        return "chain"
    return None


def android_problem(case: dict, base: Path, claims: dict) -> str | None:
    """A valid case: spec §17.4 passes and the manifest's `attested` and
    appraisal are what §17.5 and §17.7 give; without an Android path, no
    `attested`."""
    expected = case["expected"]
    ders = x5chain_of(decode_sign1((base / case["token"]).read_bytes()))
    if not at_android_anchor(case, base):
        if "attested" in expected:
            return "attested claims listed, but the chain does not end at an Android anchor"
        return android.appraisal_problems(case, base, None, None)
    if any(android.carries_key_description(d) for d in ders[1:]):
        return "a KeyDescription outside the leaf (§17.4 step 1)"
    nonce = bytes.fromhex(claims["eat-nonce"]) if "eat-nonce" in claims else None
    fault, kd = android.attestation_fault(ders, case, nonce)
    if fault is not None:
        return f"§17.4 refuses the attestation: {fault}"
    rows = android.binding(kd, claims)
    if rows != expected.get("attested"):
        return f"attested differ (§17.5):\n  got      {rows}\n  expected {expected.get('attested')}"
    level = min(kd["attestationSecurityLevel"], kd["keyMintSecurityLevel"],
                key=android.LEVEL_ORDER.get)
    return android.appraisal_problems(case, base, rows, level)


def android_refusal(case: dict, base: Path, code: str) -> str | None:
    """An `android.*` case: the token is genuine apart from exactly its
    fault of §17.4, found by this script's own reading."""
    token = (base / case["token"]).read_bytes()
    ders = x5chain_of(decode_sign1(token))
    misplaced = any(android.carries_key_description(d) for d in ders[1:])
    if code == "android.key-description-misplaced":
        # Step 1 comes before the path: the signature must hold, nothing else.
        if not misplaced:
            return "no KeyDescription outside the leaf"
        return None if signature_ok(token, ders[0]) else "the token signature fails"
    if misplaced:
        return "a KeyDescription outside the leaf"
    if not at_android_anchor(case, base):
        return "the chain does not end at an Android anchor"
    failed = genuine(case, base)
    if failed:
        return f"{code}: the token should be genuine, but {sorted(failed)} fail"
    claims = cbor2.loads(decode_sign1(token)[2])
    fault, _ = android.attestation_fault(ders, case, claims.get(10))
    return None if fault == code else f"{code}: spec §17.4 gives {fault or 'no fault'}"


def check(case: dict, base: Path, settings: dict) -> str | None:
    """None if the case checks out, else why not."""
    expected = case["expected"]
    limit = settings["limits"]["max-submod-depth"]
    if expected["result"] == "valid":
        failed = genuine(case, base)
        if failed:
            return f"valid case fails {sorted(failed)}"
        token = (base / case["token"]).read_bytes()
        payload = decode_sign1(token)[2]
        fault = claims_fault(payload, limit)
        if fault is not None:
            return f"valid case, but its claims are {fault} by spec §6"
        claims = claims_json(payload)
        if claims != expected["claims"]:
            return f"claims differ:\n  got      {json.dumps(claims, sort_keys=True)}\n" \
                   f"  expected {json.dumps(expected['claims'], sort_keys=True)}"
        if not fresh(case, claims, settings):
            return "not fresh"
        return android_problem(case, base, claims)
    code = expected["error"]
    if code == "chain.malformed":
        return key_form_fault(case, base)
    if code == "cbor.duplicate-key":
        token = (base / case["token"]).read_bytes()
        return None if repeats_a_key(token) else "cbor2 finds no repeated key"
    if code.startswith("android."):
        return android_refusal(case, base, code)
    must_fail = expected_failure(code)
    family = code.split(".")[0]
    if must_fail is None and family not in ("claims", "freshness", "replay"):
        return "skip"
    payload = decode_sign1((base / case["token"]).read_bytes())[2]
    fault = claims_fault(payload, limit)
    wanted = code if family == "claims" else None
    if fault != wanted:
        return f"{code}: spec §6 makes the claims {fault or 'valid'}"
    if must_fail is not None:
        failed = genuine(case, base)
        if failed != {must_fail}:
            return f"{code}: expected only the {must_fail} check to fail, got {sorted(failed)}"
        return None
    failed = genuine(case, base)
    if failed:
        return f"{code}: the token should be genuine, but {sorted(failed)} fail"
    if code == "replay.seen" and not replayed(case, base):
        return f"{code}: no token submitted before shares a replay identifier with it"
    return None


def main() -> int:
    base = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "test-vectors"
    manifest = json.loads((base / "manifest.json").read_text())
    if manifest["schema"] != "mtattest-test-vectors/1":
        print(f"interop: unknown manifest schema {manifest['schema']}")
        return 1
    settings = manifest["verifier"]
    passed, failed, skipped = 0, 0, 0
    kinds = {"valid": 0, "cryptographic": 0, "genuine": 0, "duplicate": 0, "key-form": 0,
             "android": 0}
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
            elif case["expected"]["error"].startswith("android."):
                kinds["android"] += 1
            elif case["expected"]["error"] == "cbor.duplicate-key":
                kinds["duplicate"] += 1
            elif case["expected"]["error"] == "chain.malformed":
                kinds["key-form"] += 1
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
          f"shown genuine apart from their claims/freshness/replay fault; every claims "
          f"fault as spec §6 gives it; {kinds['duplicate']} duplicate-key cases repeat a "
          f"key for cbor2 too; {kinds['key-form']} leaf keys in a form spec §10.2 refuses, the "
          f"only fault; {kinds['android']} Android cases refused by spec §17.4 as expected; "
          f"{skipped} envelope cases not checked here)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
