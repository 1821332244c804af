"""Android Key Attestation for the independent check (spec/android.md, §17).

Written from the specification, never from mtattest's code:

* the KeyDescription (§17.2) is decoded with asn1crypto's typed classes,
  declared here from the ASN.1 of §17.2 and the tag table of §17.2.1 (a
  component in the wrong place, an undeclared tag or trailing bytes fail the
  decoding);
* the path under the Android profile (§17.3.1 on §10.4) is checked with
  cryptography: every signature (ECDSA with SHA-256 or SHA-384, RSA PKCS#1
  v1.5 with SHA-256), names, issuers' validity and keyUsage, the leaf's
  keyUsage, and the certificate profile of check.py with exactly the relaxed
  checks of §17.3.1 left out (the leaf's validity and authorityKeyIdentifier;
  an intermediate's cA FALSE, also with keyCertSign);
* the attestation rules of §17.4 (placement, presence, security level,
  origin, challenge) in their order, and the claims binding of §17.5.
"""

from __future__ import annotations

import datetime

import asn1crypto.x509
from asn1crypto import core
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

KEY_DESCRIPTION_OID = "1.3.6.1.4.1.11129.2.1.17"

# ------------------------------------------------------- KeyDescription (§17.2)


class SecurityLevel(core.Enumerated):
    _map = {0: "SOFTWARE", 1: "TRUSTED_ENVIRONMENT", 2: "STRONG_BOX"}


class VerifiedBootState(core.Enumerated):
    _map = {0: "VERIFIED", 1: "SELF_SIGNED", 2: "UNVERIFIED", 3: "FAILED"}


class RootOfTrust(core.Sequence):
    _fields = [
        ("verifiedBootKey", core.OctetString),
        ("deviceLocked", core.Boolean),
        ("verifiedBootState", VerifiedBootState),
        ("verifiedBootHash", core.OctetString, {"optional": True}),
    ]


class IntegerSet(core.SetOf):
    _child_spec = core.Integer


class OctetStringSet(core.SetOf):
    _child_spec = core.OctetString


class PackageInfo(core.Sequence):
    _fields = [("packageName", core.OctetString), ("version", core.Integer)]


class PackageInfoSet(core.SetOf):
    _child_spec = PackageInfo


class AttestationApplicationId(core.Sequence):
    _fields = [("packageInfos", PackageInfoSet), ("signatureDigests", OctetStringSet)]


# §17.2.1: tag, member, type. The table's order is ascending tag order, the
# order a SEQUENCE of these optional components must have.
_INT, _SET, _NULL, _OCTETS, _TEXT = core.Integer, IntegerSet, core.Null, core.OctetString, core.OctetString
TAGS = [
    (1, "purposes", _SET), (2, "algorithms", _INT), (3, "keySize", _INT),
    (4, "blockModes", _SET), (5, "digests", _SET), (6, "paddings", _SET),
    (10, "ecCurve", _INT), (200, "rsaPublicExponent", _INT),
    (203, "rsaOaepMgfDigests", _SET), (303, "rollbackResistance", _NULL),
    (305, "earlyBootOnly", _NULL), (400, "activeDateTime", _INT),
    (401, "originationExpireDateTime", _INT), (402, "usageExpireDateTime", _INT),
    (405, "usageCountLimit", _INT), (503, "noAuthRequired", _NULL),
    (504, "userAuthType", _INT), (505, "authTimeout", _INT),
    (506, "allowWhileOnBody", _NULL), (507, "trustedUserPresenceRequired", _NULL),
    (508, "trustedConfirmationRequired", _NULL), (509, "unlockedDeviceRequired", _NULL),
    (600, "allApplications", _NULL), (601, "applicationId", _OCTETS),
    (701, "creationDateTime", _INT), (702, "origin", _INT),
    (703, "rollbackResistant", _NULL), (704, "rootOfTrust", RootOfTrust),
    (705, "osVersion", _INT), (706, "osPatchLevel", _INT),
    (709, "attestationApplicationId", _OCTETS),
    (710, "attestationIdBrand", _TEXT), (711, "attestationIdDevice", _TEXT),
    (712, "attestationIdProduct", _TEXT), (713, "attestationIdSerial", _TEXT),
    (714, "attestationIdImei", _TEXT), (715, "attestationIdMeid", _TEXT),
    (716, "attestationIdManufacturer", _TEXT), (717, "attestationIdModel", _TEXT),
    (718, "vendorPatchLevel", _INT), (719, "bootPatchLevel", _INT),
    (720, "deviceUniqueAttestation", _NULL), (723, "attestationIdSecondImei", _TEXT),
    (724, "moduleHash", _OCTETS),
]


class AuthorizationList(core.Sequence):
    _fields = [(name, spec, {"explicit": tag, "optional": True}) for tag, name, spec in TAGS]


class KeyDescription(core.Sequence):
    _fields = [
        ("attestationVersion", core.Integer),
        ("attestationSecurityLevel", SecurityLevel),
        ("keyMintVersion", core.Integer),
        ("keyMintSecurityLevel", SecurityLevel),
        ("attestationChallenge", core.OctetString),
        ("uniqueId", core.OctetString),
        ("softwareEnforced", AuthorizationList),
        ("hardwareEnforced", AuthorizationList),
    ]


class Malformed(Exception):
    """The KeyDescription does not decode by §17.2."""


def decode_key_description(value: bytes) -> dict:
    """The KeyDescription as plain Python values (names of §17.2.1); raises
    Malformed. `strict=True` refuses trailing bytes; `.native` forces every
    nested component to be parsed."""
    try:
        kd = KeyDescription.load(value, strict=True)
        # .native parses every component; one asn1crypto cannot place in the
        # declared order (an undeclared tag, tags out of order) raises.
        native = kd.native
        # Absent optional components are None in .native: drop them.
        for list_name in ("softwareEnforced", "hardwareEnforced"):
            native[list_name] = {k: v for k, v in native[list_name].items()
                                 if not isinstance(kd[list_name][k], core.Void)}
        app_id = native["softwareEnforced"].get("attestationApplicationId")
        if app_id is None:
            app_id = native["hardwareEnforced"].get("attestationApplicationId")
        if app_id is not None:
            native["applicationId"] = AttestationApplicationId.load(app_id, strict=True).native
    except (ValueError, TypeError, KeyError) as e:
        raise Malformed(str(e)) from e
    return native


# ---------------------------------------------------- the path (§17.3, §10.4)

LEVEL_ORDER = {"SOFTWARE": 0, "TRUSTED_ENVIRONMENT": 1, "STRONG_BOX": 2}
CLAIM_LEVEL = {"SOFTWARE": "software", "TRUSTED_ENVIRONMENT": "tee", "STRONG_BOX": "strongbox"}
MIN_LEVEL = {"tee": "TRUSTED_ENVIRONMENT", "strongbox": "STRONG_BOX"}


def carries_key_description(der: bytes) -> bool:
    exts = asn1crypto.x509.Certificate.load(der)["tbs_certificate"]["extensions"]
    return any(e["extn_id"].dotted == KEY_DESCRIPTION_OID for e in (exts or []))


def key_description_value(der: bytes) -> bytes | None:
    exts = asn1crypto.x509.Certificate.load(der)["tbs_certificate"]["extensions"]
    for e in exts or []:
        if e["extn_id"].dotted == KEY_DESCRIPTION_OID:
            return e["extn_value"].contents
    return None


def _same_key(a: x509.Certificate, b: x509.Certificate) -> bool:
    der = serialization.Encoding.DER
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    return a.public_key().public_bytes(der, spki) == b.public_key().public_bytes(der, spki)


def _signature_allowed(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    """§17.3.1, relaxed signature algorithm: an EC issuer with SHA-256 or
    SHA-384 whatever its curve, an RSA issuer with SHA-256."""
    digest = cert.signature_hash_algorithm
    key = issuer.public_key()
    if isinstance(key, ec.EllipticCurvePublicKey):
        return isinstance(digest, (hashes.SHA256, hashes.SHA384))
    if isinstance(key, rsa.RSAPublicKey):
        return isinstance(digest, hashes.SHA256) and 2048 <= key.key_size <= 4096
    return False


def _issues(issuer: x509.Certificate, cert: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except Exception:
        return False
    return _signature_allowed(cert, issuer)


def _key_usage(cert: x509.Certificate):
    try:
        return cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return None


# What each position may break under the Android profile (§17.3.1): the
# names are those of check.py's profile_problem.
RELAXED = {
    "leaf": {"authority key identifier missing"},
    "intermediate": {"keyCertSign without cA"},
    "anchor": set(),
}


def android_path(ders: list, anchors: list, at: datetime.datetime, profile_problem) -> list | None:
    """The path (leaf to anchor, cryptography certificates) under the
    Android profile to one of `anchors`, or None."""
    try:
        certs = [x509.load_der_x509_certificate(d) for d in ders]
    except ValueError:
        return None
    # The anchor: the chain's last certificate is one (same name and key),
    # or is issued by one.
    last = certs[-1]
    anchor = next((a for a in anchors if a.subject == last.subject and _same_key(a, last)), None)
    if anchor is not None:
        certs = certs[:-1]
    else:
        anchor = next((a for a in anchors if a.subject == last.issuer and _issues(a, last)), None)
        if anchor is None:
            return None
    path = certs + [anchor]
    for cert, issuer in zip(path, path[1:]):
        if not _issues(issuer, cert):
            return None
    for i, cert in enumerate(path):
        position = "leaf" if i == 0 else "anchor" if i == len(path) - 1 else "intermediate"
        der = cert.public_bytes(serialization.Encoding.DER)
        problem = profile_problem(der, position)
        if problem is not None and problem not in RELAXED[position]:
            return None
        usage = _key_usage(cert)
        if position == "leaf":
            # Validity relaxed at the leaf: set by the device's clock.
            if usage is not None and not usage.digital_signature:
                return None
            continue
        if not cert.not_valid_before_utc <= at <= cert.not_valid_after_utc:
            return None
        if usage is None or not usage.key_cert_sign:
            return None
        if position == "anchor":
            try:
                if not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca:
                    return None
            except x509.ExtensionNotFound:
                return None
    return path


def ends_at(ders: list, anchors: list) -> bool:
    """Whether the chain's last certificate is, or is issued by, one of
    `anchors` by name (the anchor the path would end at)."""
    last = x509.load_der_x509_certificate(ders[-1])
    return any(a.subject in (last.subject, last.issuer) for a in anchors)


# ------------------------------------------------------ the rules (§17.4)

def attestation_fault(ders: list, case: dict, eat_nonce: bytes | None) -> tuple[str | None, dict | None]:
    """(code, KeyDescription) of §17.4 steps 4–7 for a chain whose path ends
    at an Android anchor; code None when the attestation passes."""
    value = key_description_value(ders[0])
    if value is None:
        return "android.key-description-missing", None
    try:
        kd = decode_key_description(value)
    except Malformed:
        return "android.malformed", None
    options = case.get("options", {})
    minimum = MIN_LEVEL[options.get("android-min-security-level", "tee")]
    for level in (kd["attestationSecurityLevel"], kd["keyMintSecurityLevel"]):
        if level == "SOFTWARE":
            return "android.software-security-level", kd
        if LEVEL_ORDER[level] < LEVEL_ORDER[minimum]:
            return "android.security-level-too-low", kd
    origin = kd["hardwareEnforced"].get("origin")
    if origin is None:
        origin = kd["softwareEnforced"].get("origin")
    if origin != 0:
        return "android.origin-not-generated", kd
    if options.get("android-challenge", "per-token") == "enrolled":
        expected = bytes.fromhex(case["enrolment-challenge"])
    else:
        expected = eat_nonce
    if expected is None or kd["attestationChallenge"] != expected:
        return "android.challenge-mismatch", kd
    return None, kd


# ---------------------------------------------------- the binding (§17.5)

BOOT_STATES = {"VERIFIED": "verified", "SELF_SIGNED": "self-signed",
               "UNVERIFIED": "unverified", "FAILED": "failed"}


def _date(level: int) -> tuple[str, int] | None:
    """An attested patch level in claim notation and as YYYYMMDD (a month
    as YYYYMM00), or None if it is not a date (§6.11)."""
    text = str(level)
    if len(text) == 6 and 1 <= int(text[4:]) <= 12:
        return f"{text[:4]}-{text[4:]}", level * 100
    if len(text) == 8 and 1 <= int(text[4:6]) <= 12 and 1 <= int(text[6:]) <= 31:
        return f"{text[:4]}-{text[4:6]}-{text[6:]}", level
    return None


def binding(kd: dict, claims: dict) -> list:
    """The comparisons of §17.5, in the order of its table, as the manifest
    writes them."""
    hw = kd["hardwareEnforced"]
    lower = min(kd["attestationSecurityLevel"], kd["keyMintSecurityLevel"], key=LEVEL_ORDER.get)
    by = f"android-key-attestation:{lower}"
    layers = claims.get("submods", {})

    def token(layer: str, name: str):
        return layers.get(layer, {}).get(name)

    rows = []

    def row(path: str, value: str, seen, agrees) -> None:
        compared = "omitted" if seen is None else "agrees" if agrees(seen) else "disagrees"
        rows.append({"claim": path, "value": value, "by": by, "token": compared})

    row("submods.chip.key-security-level", CLAIM_LEVEL[lower],
        token("chip", "key-security-level"), lambda t: t == CLAIM_LEVEL[lower])
    rot = hw.get("rootOfTrust")
    if rot is not None:
        state = BOOT_STATES[rot["verifiedBootState"]]
        row("submods.boot.verified-boot-state", state,
            token("boot", "verified-boot-state"), lambda t: t == state)
        locked = rot["deviceLocked"]
        row("submods.boot.bootloader-locked", "true" if locked else "false",
            token("boot", "bootloader-locked"), lambda t: t is locked)
        key = rot["verifiedBootKey"].hex()
        row("submods.boot.boot-key-digest", key, token("boot", "boot-key-digest"),
            lambda t: t == key)
        if rot.get("verifiedBootHash") is not None:
            image = rot["verifiedBootHash"].hex()
            row("submods.boot.boot-image-digest", image, token("boot", "boot-image-digest"),
                lambda t: t == image)
    for layer, name, tag_name in (("boot", "boot-patch-level", "bootPatchLevel"),
                                  ("os", "os-patch-level", "osPatchLevel"),
                                  ("os", "vendor-patch-level", "vendorPatchLevel")):
        attested = _date(hw[tag_name]) if hw.get(tag_name) is not None else None
        if attested is None:
            continue
        text, full = attested
        if full % 100 == 0:  # a month: any day of it (00 included)
            same = lambda t, full=full: t // 100 == full // 100  # noqa: E731
        else:
            same = lambda t, full=full: t == full  # noqa: E731
        row(f"submods.{layer}.{name}", text, token(layer, name), same)
    # The app identity: softwareEnforced, counted only on a verified,
    # locked device (§17.5).
    app = kd.get("applicationId")
    if app is not None and rot is not None and rot["verifiedBootState"] == "VERIFIED" \
            and rot["deviceLocked"]:
        names = [p["packageName"].decode() for p in app["packageInfos"]]
        if names:
            row("submods.app.app-id", ",".join(sorted(names)), token("app", "app-id"),
                lambda t: t in names)
        digests = sorted(d.hex() for d in app["signatureDigests"])
        if digests:
            row("submods.app.app-signers", ",".join(digests), token("app", "app-signers"),
                lambda t: sorted(t) == digests)
    return rows


def appraisal_problems(case: dict, base, rows: list | None, level: str | None) -> str | None:
    """The reasons §17.5 and §17.7 put into the appraisal, which the
    manifest's expected appraisal must have (the policy's other rules are
    not evaluated here)."""
    expected = case["expected"].get("appraisal")
    if expected is None:
        return None
    import json
    policy = json.loads((base / case["policy"]).read_text())
    want = set()
    for r in rows or []:
        if r["token"] == "disagrees":
            want.add(("android-attestation", r["claim"], "mismatch"))
    required = policy.get("require-android-attestation")
    if required is not None:
        if level is None:
            want.add(("android-attestation", "android-attestation", "missing"))
        elif LEVEL_ORDER[level] < LEVEL_ORDER[MIN_LEVEL[required]]:
            want.add(("android-attestation", "android-attestation", "mismatch"))
    have = {(r["rule"], r["claim"], r["failure"]) for r in expected["reasons"]}
    if not want <= have:
        return f"appraisal lacks the reasons {sorted(want - have)} (spec §17.5, §17.7)"
    if want and expected["status"] != "contraindicated":
        return f"appraisal {expected['status']}, but §17.5/§17.7 make it contraindicated"
    return None
