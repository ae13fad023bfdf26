#!/usr/bin/env python3
"""Times `trailwarden plan` on a plan of N resources (default 5,000).

The plan is made from a real one (tests/data/terraform/01_clean_baseline/plan.json): its
managed resources are copied until there are N, each copy renamed (`aws_cloudtrail.main_7`,
bucket and trail names suffixed) in `planned_values`, `resource_changes` and the
configuration, with every reference rewritten to the copy, so links resolve as in the
original. Reports wall time (best and median of --runs) and peak memory.

Usage: bench/plan_scale.py --binary target/release/trailwarden [--resources 5000] [--runs 5]
"""

import argparse
import copy
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCE = os.path.join(ROOT, "tests/data/terraform/01_clean_baseline/plan.json")


def renamed(value, suffix, names):
    """`value` with every string naming an original resource or name given the suffix."""
    if isinstance(value, dict):
        return {k: renamed(v, suffix, names) for k, v in value.items()}
    if isinstance(value, list):
        return [renamed(v, suffix, names) for v in value]
    if isinstance(value, str):
        for pattern, replacement in names:
            value = pattern.sub(replacement + suffix, value)
        return value
    return value


def build(resources):
    plan = json.load(open(SOURCE))
    root = plan["planned_values"]["root_module"]["resources"]
    managed = [r for r in root if r["mode"] == "managed"]
    changes = [c for c in plan["resource_changes"] if c["mode"] == "managed"]
    blocks = plan["configuration"]["root_module"]["resources"]
    # Resource addresses, and the names values carry (buckets, trail, groups), to suffix.
    names = [(re.compile(re.escape(r["address"]) + r"(?![\w-])"), r["address"]) for r in managed]
    for literal in ("tw-clean-trail", "tw-clean-access-logs", "/aws/cloudtrail/tw-clean", "alias/tw-clean"):
        names.append((re.compile(re.escape(literal) + r"(?![\w])"), literal))
    copies = max(1, resources // len(managed))
    for n in range(1, copies):
        suffix = f"_{n}"
        for r in managed:
            root.append(renamed(copy.deepcopy(r), suffix, names))
        for c in changes:
            plan["resource_changes"].append(renamed(copy.deepcopy(c), suffix, names))
        for b in [b for b in blocks if b["mode"] == "managed"][: len(managed)]:
            blocks.append(renamed(copy.deepcopy(b), suffix, names))
    count = sum(1 for r in root if r["mode"] == "managed")
    return plan, count


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--resources", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    plan, count = build(args.resources)
    with tempfile.TemporaryDirectory() as work:
        path = os.path.join(work, "plan.json")
        with open(path, "w") as f:
            json.dump(plan, f)
        size = os.path.getsize(path)
        times = []
        findings = None
        for _ in range(args.runs):
            start = time.perf_counter()
            done = subprocess.run(
                [args.binary, "plan", path, "--format", "json", "--fail-on", "none",
                 "--allow-incomplete", "--no-config"],
                capture_output=True, text=True)
            times.append(time.perf_counter() - start)
            if done.returncode != 0:
                sys.exit(f"plan failed: {done.stderr}")
            findings = len(json.loads(done.stdout)["findings"])
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"plan of {count} managed resources ({size / 1e6:.1f} MB), {findings} findings: "
              f"best {min(times):.3f} s, median {statistics.median(times):.3f} s over {args.runs} runs; "
              f"peak memory {peak:.0f} MiB")


if __name__ == "__main__":
    main()
