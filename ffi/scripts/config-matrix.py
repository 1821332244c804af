#!/usr/bin/env python3
"""Runs the configuration matrix (tests/config-matrix/matrix.json) through
the C ABI: each case's configuration, with the matrix's trust anchors
added inline as every harness does, goes to ffi/tests/c/config_matrix.c
(mtattest_verifier_from_config_json, then mtattest_verify), built against
the static library under a sanitizer. The outcome and code must be the
ones written in the matrix. Any output on stderr fails the case.

Cases whose challenge is a text form the C ABI cannot take (it takes the
challenge as bytes: whitespace, non-hex, a 0x prefix) are skipped and
counted. `expect-without-aws-lc` applies when the library's default
crypto provider (`config_matrix --default-crypto-provider`) is not aws-lc,
that is when it was built without the aws-lc feature.

    config-matrix.py CONFIG_MATRIX_BINARY MATRIX.json [WRAPPER...]

Standard library only.
"""

import json
import os
import subprocess
import sys
import tempfile


def expected(case, with_aws_lc):
    want = case["expect"]
    if not with_aws_lc:
        want = case.get("expect-without-aws-lc", want)
    if want["outcome"] == "valid":
        return f"valid {want['status']} {want['action']}"
    return f"{want['outcome']} {want['code']}"


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    binary, matrix_path, wrapper = sys.argv[1], sys.argv[2], sys.argv[3:]
    base = os.path.dirname(os.path.abspath(matrix_path))
    with open(matrix_path, encoding="utf-8") as f:
        matrix = json.load(f)
    with open(os.path.join(base, matrix["anchors"]), encoding="utf-8") as f:
        anchors = f.read()
    token = os.path.join(base, matrix["token"])
    provider = subprocess.run(wrapper + [binary, "--default-crypto-provider"],
                              capture_output=True, text=True, check=True)
    with_aws_lc = provider.stdout.strip() == "aws-lc"
    failures, ran, skipped = [], 0, 0
    with tempfile.TemporaryDirectory() as tmp:
        for case in matrix["cases"]:
            if case.get("text-nonce"):
                skipped += 1
                continue
            config = dict(case["config"])
            if "anchors" not in config and not case.get("without-anchors"):
                config["anchors"] = [{"pem": anchors}]
            path = os.path.join(tmp, case["id"] + ".json")
            with open(path, "w", encoding="utf-8") as f:
                json.dump(config, f)
            nonce = case.get("nonce", matrix["nonce"])
            args = wrapper + [binary, path, token, str(matrix["time"]),
                              "-" if nonce is None else nonce]
            out = subprocess.run(args, capture_output=True, text=True, check=False)
            ran += 1
            got = out.stdout.strip()
            if out.returncode != 0 or out.stderr:
                failures.append(f"{case['id']}: exit {out.returncode}: {out.stderr.strip()}")
            elif got != expected(case, with_aws_lc):
                want = expected(case, with_aws_lc)
                failures.append(f"{case['id']}: expected {want!r}, got {got!r}")
    for failure in failures:
        print("FAIL", failure, file=sys.stderr)
    print(f"config matrix through C: {ran - len(failures)} of {ran} cases as written"
          f" ({skipped} text-only challenges skipped;"
          f" default provider {provider.stdout.strip()})")
    if ran < 40:
        print(f"only {ran} cases ran", file=sys.stderr)
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
