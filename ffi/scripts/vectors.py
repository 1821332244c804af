#!/usr/bin/env python3
"""Runs every case of the conformance vectors' manifest through the C
example `verify` (built against the static library, under a sanitizer)
and checks that C gets what the manifest says: for a valid token the
status, action, reasons and claims, and that the action and reason
accessors read what the EAR says; for an invalid one the stable error
code, action deny and no reasons. Any output on stderr (a sanitizer report, a setup error) fails the
case.

    vectors.py VERIFY_BINARY TEST_VECTORS_DIR [WRAPPER...]

WRAPPER (e.g. `valgrind --error-exitcode=86 ...`) is put before the binary.
Standard library only.
"""

import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

# The settings the harness passes to the C verifier as options.
PASSED = {"allowed-algorithms", "max-age-secs", "clock-skew-secs", "require-protected-x5chain",
          "android-challenge", "android-min-security-level"}
# The settings the C verifier has fixed, at the library's defaults; a
# manifest that asks for other values (or names a setting neither list
# knows) fails its cases, so a new setting is noticed.
DEFAULTS = {
    "max-chain-len": 6,
    "max-cert-size": 8192,
    "crl-grace-secs": 0,
    "replay-cache": True,
    "limits": {
        "max-token-size": 16384,
        "max-depth": 16,
        "max-items": 4096,
        "max-map-entries": 128,
        "max-submod-depth": 4,
    },
}
STATUS_EXIT = {"affirming": 0, "warning": 2, "contraindicated": 3, "invalid": 4, "none": 5}


def reasons_of(ear):
    """(rule, claim, failure, advisory) of every reason in an EAR (JSON)."""
    found = []
    for sub in ear.get("submods", {}).values():
        for r in sub.get("mtattest.reasons", []):
            found.append((r["rule"], r["claim"], r["failure"], r.get("advisory")))
    return sorted(found)


# The members of a reason that the C accessors read one by one
# (mtattest_verify_result_reason_*); null stands for absent.
ACCESSED = ("rule", "claim", "failure", "seen", "required", "advisory", "status",
            "evidence-source", "effective-source")


def accessed_reasons_of(ear):
    """Every reason of an EAR (JSON) as the accessors must read it."""
    found = []
    for sub in ear.get("submods", {}).values():
        for r in sub.get("mtattest.reasons", []):
            found.append(tuple(r.get(k) for k in ACCESSED))
    return sorted(found, key=repr)


def android_settings(root, case):
    """The configuration's `android` object for the case (spec §17), or
    None: the Android anchors inline as PEM, the challenge mode and the
    lowest security level."""
    options = case.get("options", {})
    android = {}
    if case.get("android-anchors"):
        with open(os.path.join(root, case["android-anchors"]), encoding="utf-8") as f:
            android["anchors"] = [{"pem": f.read()}]
    for name in ("android-challenge", "android-min-security-level"):
        if name in options:
            android[name.removeprefix("android-")] = options[name]
    return android or None


def command(binary, wrapper, root, settings, case, android_file):
    options = case.get("options", {})

    def setting(name):
        return options.get(name, settings[name])

    args = wrapper + [binary, "--json", "--time", str(case["time"])]
    args += ["--anchors", os.path.join(root, case["anchors"])]
    for field, flag in (("crl", "--crl"), ("status-list", "--status-list"),
                        ("bulletin", "--bulletins"), ("policy", "--policy")):
        if case.get(field):
            args += [flag, os.path.join(root, case[field])]
    if case.get("nonce"):
        args += ["--nonce", case["nonce"]]
    args += ["--algs", ",".join(a.lower() for a in setting("allowed-algorithms"))]
    args += ["--max-age", str(setting("max-age-secs")), "--skew", str(setting("clock-skew-secs"))]
    if setting("require-protected-x5chain"):
        args.append("--require-protected-x5chain")
    if android_file is not None:
        args += ["--android", android_file]
    if case.get("enrolment-challenge"):
        args += ["--enrolment-challenge", case["enrolment-challenge"]]
    for earlier in case.get("submitted-before", []):
        args += ["--before", os.path.join(root, earlier)]
    args.append(os.path.join(root, case["token"]))
    return args


def check(binary, wrapper, root, settings, case):
    """Returns None if the case passes, else what went wrong."""
    merged = dict(settings, **case.get("options", {}))
    for name, value in merged.items():
        if name in PASSED:
            continue
        if name not in DEFAULTS:
            return f"the setting {name} is not supported by this harness"
        if name == "limits":
            for limit, v in value.items():
                if DEFAULTS["limits"].get(limit) != v:
                    return f"limit {limit} = {v!r} is not supported by this harness"
        elif value != DEFAULTS[name]:
            return f"{name} = {value!r} is not supported by this harness"
    android = android_settings(root, case)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(android, f)
    try:
        run = subprocess.run(
            command(binary, wrapper, root, settings, case, f.name if android else None),
            capture_output=True, text=True, timeout=300)
    finally:
        os.unlink(f.name)
    if run.stderr:
        return f"stderr (exit {run.returncode}):\n{run.stderr.strip()}"
    try:
        out = json.loads(run.stdout)
    except ValueError:
        return f"exit {run.returncode}, output is not JSON: {run.stdout[:300]!r}"
    expected = case["expected"]
    if run.returncode != STATUS_EXIT.get(out["status"]):
        return f"exit {run.returncode} for status {out['status']}"
    if expected["result"] == "invalid":
        if out["status"] != "invalid" or out["code"] != expected["error"]:
            return f"expected invalid [{expected['error']}], got {out['status']} [{out['code']}]"
        # A rejected token: the action accessor says deny, and there are
        # no reasons to read.
        if out["action"] != "deny" or out["reasons"] is not None:
            return f"rejected, yet action {out['action']} and reasons {out['reasons']}"
        return None
    if out["status"] == "invalid":
        return f"expected valid, got invalid [{out['code']}]: {out['message']}"
    if "claims" in expected and out["claims"] != expected["claims"]:
        return "the verified claims differ from the manifest's"
    # The Android attestation's comparisons (spec §17.5), when there is one.
    got = out.get("android")
    attested = None if got is None else [
        {"claim": a["claim"], "value": a["attested"], "by": got["attester"],
         "token": a["comparison"]} for a in got["claims"]]
    if attested != expected.get("attested"):
        return f"attested claims differ: expected {expected.get('attested')}, got {attested}"
    # The accessors read what the EAR says, member by member.
    accessed = sorted((tuple(r[k] for k in ACCESSED) for r in out["reasons"]), key=repr)
    if accessed != accessed_reasons_of(out["ear"]):
        return f"the reason accessors differ from the EAR: {accessed}"
    if out["action"] != out["ear"].get("mtattest.action"):
        return f"the action accessor says {out['action']}, the EAR {out['ear'].get('mtattest.action')}"
    appraisal = expected.get("appraisal")
    if appraisal is None:
        if not case.get("policy") and out["status"] != "none":
            return f"no policy, yet status {out['status']}"
        return None
    ear = out["ear"]
    if out["status"] != appraisal["status"] or ear.get("ear.status") != appraisal["status"]:
        return f"expected status {appraisal['status']}, got {out['status']}"
    if ear.get("mtattest.action") != appraisal["action"] or out["action"] != appraisal["action"]:
        return f"expected action {appraisal['action']}, got {ear.get('mtattest.action')}"
    want = sorted((r["rule"], r["claim"], r["failure"], r.get("advisory"))
                  for r in appraisal["reasons"])
    if reasons_of(ear) != want:
        return f"reasons differ: expected {want}, got {reasons_of(ear)}"
    return None


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    binary, root, wrapper = sys.argv[1], sys.argv[2], sys.argv[3:]
    with open(os.path.join(root, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    settings = manifest["verifier"]
    cases = manifest["cases"]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 4) as pool:
        outcomes = list(pool.map(lambda c: check(binary, wrapper, root, settings, c), cases))
    failed = 0
    for case, problem in zip(cases, outcomes):
        if problem is not None:
            failed += 1
            print(f"FAIL {case['id']}: {problem}")
    valid = sum(1 for c in cases if c["expected"]["result"] == "valid")
    print(f"C verifier on {len(cases)} conformance cases "
          f"({valid} valid, {len(cases) - valid} invalid)")
    print(f"vectors: {len(cases) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
