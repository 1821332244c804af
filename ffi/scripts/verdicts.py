#!/usr/bin/env python3
"""Runs the verdict table (tests/verdicts/matrix.json) through the C
example `verify` (built against the static library, under a sanitizer):
for each case the C status, the EAR's action and the exit code must be the
table's, which are written by hand from spec §11.3.2. Any output on stderr
fails the case.

    verdicts.py VERIFY_BINARY MATRIX_JSON [WRAPPER...]

Standard library only.
"""

import json
import os
import subprocess
import sys

STATUS_EXIT = {"affirming": 0, "warning": 2, "contraindicated": 3, "none": 5}


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    binary, matrix, wrapper = sys.argv[1], sys.argv[2], sys.argv[3:]
    with open(matrix, encoding="utf-8") as f:
        table = json.load(f)
    root = os.path.join(os.path.dirname(matrix), table["vectors"])

    def path(group, name):
        rel = table[group][name]
        return None if rel is None else os.path.join(root, rel)

    failed = 0
    for case in table["cases"]:
        label = f"{case['policy']} / {case['feed']} / {case['phone']}"
        args = wrapper + [binary, "--json", "--time", str(table["time"]),
                          "--anchors", os.path.join(root, table["anchors"]),
                          "--nonce", table["nonce"]]
        policy, feed = path("policies", case["policy"]), path("feeds", case["feed"])
        if policy:
            args += ["--policy", policy]
        if feed:
            args += ["--bulletins", feed]
        args.append(path("phones", case["phone"]))
        run = subprocess.run(args, capture_output=True, text=True, timeout=300)
        problem = None
        if run.stderr:
            problem = f"stderr (exit {run.returncode}):\n{run.stderr.strip()}"
        else:
            try:
                out = json.loads(run.stdout)
                got = (run.returncode, out["status"], (out.get("ear") or {}).get("mtattest.action"))
            except (ValueError, KeyError) as e:
                got = None
                problem = f"exit {run.returncode}, unreadable output ({e}): {run.stdout[:300]!r}"
            want = (STATUS_EXIT[case["status"]], case["status"], case["action"])
            if got is not None and got != want:
                problem = f"want (exit, status, action) {want}, got {got}"
        if problem:
            failed += 1
            print(f"FAIL {label}: {problem}")
    total = len(table["cases"])
    print(f"C verifier on the verdict table: {total - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
