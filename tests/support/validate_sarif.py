"""Validates a SARIF file two ways, and fails on any finding of either.

1. The official SARIF 2.1.0 JSON schema (as shipped by Microsoft's SARIF multitool), with the
   `jsonschema` package: structure, required properties, enum values.
2. Microsoft's SARIF multitool `validate` with its SARIF rules and its GitHub (`Gh`) rules,
   the checks GitHub code scanning's ingestion applies. Errors and warnings both fail.

The multitool alone is not enough: a file that does not match the schema makes it report
nothing at all. Usage: validate_sarif.py FILE.sarif MULTITOOL_DIR
"""

import json
import os
import subprocess
import sys
import tempfile

import jsonschema


def main() -> int:
    sarif_path, tool_dir = sys.argv[1], sys.argv[2]
    with open(os.path.join(tool_dir, "sarif-2.1.0.json"), encoding="utf-8") as f:
        schema = json.load(f)
    with open(sarif_path, encoding="utf-8") as f:
        document = json.load(f)
    validator = jsonschema.validators.validator_for(schema)(schema)
    problems = [
        f"schema: {'/'.join(str(p) for p in error.absolute_path)}: {error.message}"
        for error in validator.iter_errors(document)
    ]

    with tempfile.TemporaryDirectory() as scratch:
        out = os.path.join(scratch, "validation.sarif")
        run = subprocess.run(
            [
                os.path.join(tool_dir, "Sarif.Multitool"),
                "validate",
                sarif_path,
                "--output",
                out,
                "--rule-kind",
                "Sarif;Gh",
                "--level",
                "Error;Warning;Note",
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if run.returncode != 0 or not os.path.exists(out):
            problems.append(f"multitool exited {run.returncode}: {run.stdout}{run.stderr}")
        else:
            with open(out, encoding="utf-8") as f:
                validation = json.load(f)
            for result in validation["runs"][0].get("results", []):
                level = result.get("level", "warning")
                text = result["message"].get("text") or " ".join(
                    [result["message"].get("id", "")] + result["message"].get("arguments", [])
                )
                line = f"{level} {result['ruleId']}: {text}"
                if level in ("error", "warning"):
                    problems.append("multitool: " + line)
                else:
                    print("note (accepted): " + line)
            notifications = validation["runs"][0].get("invocations", [{}])[0]
            for note in notifications.get("toolExecutionNotifications", []):
                problems.append("multitool could not run: " + json.dumps(note["message"]))

    for problem in problems[:50]:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) in {sarif_path}")
        return 1
    print(f"{sarif_path}: valid SARIF 2.1.0 (schema and multitool Sarif+Gh rules)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
