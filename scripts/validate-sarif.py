#!/usr/bin/env python3
"""Validate a SARIF file against the official SARIF 2.1.0 JSON schema with `jsonschema`.

Usage: validate-sarif.py SCHEMA SARIF
Exit 0 when valid; 1 with one error per line (JSON path: message) when not.
The schema is Fixtures/schemas/sarif-schema-2.1.0.json (OASIS, see NOTICE there).
"""
import json
import sys

import jsonschema


def main():
    schema_path, sarif_path = sys.argv[1], sys.argv[2]
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    with open(sarif_path, encoding="utf-8") as f:
        document = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    for error in errors:
        path = "/".join(str(p) for p in error.absolute_path)
        print(f"{sarif_path}: /{path}: {error.message}")
    if errors:
        return 1
    print(f"{sarif_path}: valid SARIF 2.1.0 ({cls.__name__})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
