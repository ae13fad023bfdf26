#!/usr/bin/env python3
"""Benchmark the CIS monitoring rules on a log group with many metric filters.

Writes a snapshot with one account, one qualifying organization-style trail and a log group
carrying N metric filters (default 1,000): the CIS pattern of every monitoring control, and
application filters of every shape (JSON patterns with wildcards, numbers, EXISTS, nested
groups; term patterns the engine reports as unsupported), each with an alarm and a confirmed
topic. Then times `trailwarden evaluate` of the 18 monitoring rules (parse + evaluate every
filter against every control's event corpus) against the same command for one trivial rule
(the cost of starting and loading the snapshot), best of --runs.

Usage: bench/monitoring_filters.py --binary target/release/trailwarden [--filters 1000] [--runs 5]
Run through scripts/bench --monitoring, which builds the binary.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ACCOUNT = "111111111111"
GROUP = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:cloudtrail"
TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:cis-alarms"
MONITORING = ["TW801", "TW802", "TW803", "TW804", "TW805", "TW806", "TW807", "TW808", "TW809",
              "TW810", "TW811", "TW812", "TW813", "TW814", "TW815", "TW821", "TW822", "TW823"]


def app_pattern(i):
    shapes = [
        f'{{ $.eventName = "App{i}*" && $.errorCode = "*Error{i}" }}',
        f'{{ ($.latency > {i}) || ($.status = {400 + i % 100}) }}',
        f'{{ $.requestParameters.bucketName = "data-{i}" && $.userIdentity.type != "AWSService" }}',
        f'{{ (($.a{i} EXISTS) && ($.b NOT EXISTS)) || ($.c[0].d IS NULL) || ($.e IS TRUE) }}',
        f'ERROR app-{i} timeout',
    ]
    return shapes[i % len(shapes)]


def snapshot(filters):
    corpus = tomllib.loads((Path(__file__).resolve().parent.parent / "rules/monitoring/corpus.toml").read_text())
    patterns = [(c["rule"], c["cis"][0]) for c in corpus["control"]]
    patterns += [(f"App{i}", app_pattern(i)) for i in range(filters - len(patterns))]
    metric_filters, alarms = [], []
    for name, pattern in patterns:
        metric_filters.append({"name": name, "pattern": pattern, "transformations": [
            {"metric_name": name, "metric_namespace": "CISBenchmark", "metric_value": "1"}]})
        alarms.append({"name": name, "arn": f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:{name}",
                       "metric_name": name, "namespace": "CISBenchmark", "actions_enabled": True,
                       "alarm_actions": [TOPIC], "statistic": "Sum",
                       "comparison_operator": "GreaterThanOrEqualToThreshold", "threshold": 1.0,
                       "evaluation_periods": 1})
    trail = {"arn": f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/main", "name": "main",
             "home_region": "us-east-1", "is_multi_region": True, "is_organization_trail": False,
             "include_global_service_events": True, "log_file_validation_enabled": True,
             "cloud_watch_logs_log_group_arn": GROUP + ":*", "status": {"ok": {"is_logging": True}},
             "event_selectors": {"ok": {"classic": [{"read_write_type": "All", "include_management_events": True}]}}}
    return {
        "schema_version": 1, "generator": "bench/monitoring_filters.py",
        "collected_at": "2026-06-01T12:00:00Z",
        "accounts": [{"id": ACCOUNT, "regions": [{"name": "us-east-1", "trails": {"ok": [trail["arn"]]}}]}],
        "trails": [trail],
        "log_groups": [{"arn": GROUP, "details": {"ok": {"retention_in_days": 365}},
                        "metric_filters": {"ok": metric_filters}, "alarms": {"ok": alarms}}],
        "topics": [{"arn": TOPIC, "subscriptions": {"ok": [{"arn": TOPIC + ":1", "protocol": "email"}]}}],
    }


def best(command, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True)
        times.append(time.perf_counter() - start)
        if done.returncode not in (0, 3):
            sys.exit(f"{' '.join(command)} exited {done.returncode}: {done.stderr.decode()}")
    return min(times), done.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default="target/release/trailwarden")
    parser.add_argument("--filters", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "monitoring.json"
        path.write_text(json.dumps(snapshot(args.filters)))
        base = [args.binary, "evaluate", str(path), "--format", "json", "--fail-on", "none"]
        load, _ = best(base + ["--rules", "TW102"], args.runs)
        total, out = best(base + ["--rules", ",".join(MONITORING)], args.runs)
        findings = json.loads(out)["findings"]
        passed = sum(1 for f in findings if f["status"] == "PASS")
        print(f"{args.filters} metric filters x {len(MONITORING)} monitoring rules "
              f"({passed}/{len(findings)} PASS)")
        print(f"  evaluate, monitoring rules: {total * 1000:8.1f} ms")
        print(f"  evaluate, one trivial rule: {load * 1000:8.1f} ms  (start + load the snapshot)")
        print(f"  parse + evaluate the filters: {(total - load) * 1000:6.1f} ms "
              f"= {(total - load) * 1e6 / (args.filters * len(MONITORING)):.2f} µs per filter and rule")
        print(f"(best of {args.runs} runs)")


if __name__ == "__main__":
    main()
