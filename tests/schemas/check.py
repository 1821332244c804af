#!/usr/bin/env python3
"""The JSON Schemas of spec/schemas/ (draft 2020-12) against what the code
produces and against schema-invalid samples.

(a) Everything the code produces validates: every conformance vector's
    expected claims (the §12 JSON form the generator writes), the example
    claims of spec/examples/, every preset, the vector policies and bulletins,
    the example configurations, and, with --ears DIR, the EARs written by
    `MTATTEST_EAR_DIR=DIR cargo test -p mtattest --test vectors`.
(b) Every schema-invalid sample of tests/schemas/samples.json is refused by
    its schema, and each valid sample accepted. That the code refuses the
    same samples is core/tests/schema_samples.rs.

Validator: the Python `jsonschema` package (pinned in
tests/interop/requirements.txt), never our code.

Usage: check.py [--ears DIR] [ROOT]   (ROOT: the repository, default .)
"""

import copy
import json
import sys
import tomllib
from pathlib import Path

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from referencing import Registry, Resource

SCHEMAS = ["claims", "policy", "bulletin", "ear", "config"]
REMOVE = "(remove)"


def load_schemas(root: Path) -> dict:
    raw = {n: json.loads((root / "spec/schemas" / f"{n}.schema.json").read_text()) for n in SCHEMAS}
    registry = Registry().with_resources(
        (s["$id"], Resource.from_contents(s)) for s in raw.values())
    out = {}
    for name, schema in raw.items():
        Draft202012Validator.check_schema(schema)
        out[name] = Draft202012Validator(schema, registry=registry)
    return out


def patched(doc, patch: dict):
    """The document with each JSON Pointer of `patch` set to its value, or
    removed when the value is "(remove)"."""
    doc = copy.deepcopy(doc)
    for pointer, value in patch.items():
        parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
        parent = doc
        for p in parts[:-1]:
            parent = parent[int(p)] if isinstance(parent, list) else parent[p]
        last = parts[-1]
        if isinstance(parent, list):
            last = int(last)
        if value == REMOVE:
            del parent[last]
        else:
            parent[last] = value
    return doc


def main() -> int:
    args = sys.argv[1:]
    ears = None
    if args[:1] == ["--ears"]:
        ears, args = Path(args[1]), args[2:]
    root = Path(args[0]) if args else Path(".")
    validators = load_schemas(root)
    failures = []
    counts = dict.fromkeys(SCHEMAS, 0)

    def expect_valid(schema: str, what: str, doc):
        counts[schema] += 1
        error = best_match(validators[schema].iter_errors(doc))
        if error is not None:
            failures.append(f"{what}: {schema} schema refuses it: {error.message} "
                            f"at {'/'.join(map(str, error.absolute_path))}")

    manifest = json.loads((root / "test-vectors/manifest.json").read_text())
    for case in manifest["cases"]:
        claims = case["expected"].get("claims")
        if claims is not None:
            expect_valid("claims", f"vector {case['id']} claims", claims)
    for path in sorted((root / "spec/examples").glob("*.json")):
        expect_valid("claims", str(path), json.loads(path.read_text()))
    for path in sorted((root / "core/src/appraisal/presets").glob("*.json")):
        expect_valid("policy", str(path), json.loads(path.read_text()))
    for path in sorted((root / "test-vectors/policies").glob("*.json")):
        expect_valid("policy", str(path), json.loads(path.read_text()))
    for path in sorted((root / "test-vectors/bulletins").glob("*.json")):
        expect_valid("bulletin", str(path), json.loads(path.read_text()))
    for path in sorted((root / "docs/examples").glob("*.toml")):
        expect_valid("config", str(path), tomllib.loads(path.read_text()))
    if ears is not None:
        paths = sorted(ears.glob("*.json"))
        if not paths:
            failures.append(f"{ears}: no EARs (run the vectors test with MTATTEST_EAR_DIR)")
        for path in paths:
            expect_valid("ear", str(path), json.loads(path.read_text()))

    samples = json.loads((root / "tests/schemas/samples.json").read_text())
    refused = 0
    for schema in SCHEMAS:
        valid = samples[schema]["valid"]
        expect_valid(schema, f"samples.json {schema} valid", valid)
        for name, patch in samples[schema]["invalid"].items():
            if validators[schema].is_valid(patched(valid, patch)):
                failures.append(f"samples.json {schema} {name}: the schema accepts it")
            refused += 1

    for f in failures:
        print("FAIL", f)
    print(f"schemas: {', '.join(f'{n} {c}' for n, c in counts.items())} documents validated; "
          f"{refused} invalid samples refused; {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
