#!/usr/bin/env python3
"""Scale benchmark, offline: evaluate a synthetic organization of N accounts x 17 regions.

The snapshot is grown from the built-in demo organization (fixtures/demo/organization.json):
its member account acme-dev (a regional trail with validation and integrity evidence, a log
bucket, a Lake event data store, Config recorders) is copied N times under new account ids,
with every region entry cloned to 17 regions; the organization trail covers them all.

For each size, runs `trailwarden evaluate SNAPSHOT --format json -o REPORT` under
/usr/bin/time and reports wall time, peak memory (max RSS) and findings, so memory growth
can be read against the number of accounts.

Usage: bench/scale_offline.py [--binary target/release/trailwarden] [--sizes 100,250,500,1000]
"""

import argparse
import copy
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = "444444444444"
REGIONS = [
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "eu-west-1",
    "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1", "ap-south-1", "ap-northeast-1",
    "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2", "sa-east-1",
]


def grow(demo, accounts):
    snapshot = copy.deepcopy(demo)
    template = next(a for a in demo["accounts"] if a["id"] == TEMPLATE)
    # 17 regions: every listed region keeps its entry, the others copy us-east-1's.
    by_name = {r["name"]: r for r in template["regions"]}
    regions = []
    for name in REGIONS:
        entry = copy.deepcopy(by_name.get(name) or by_name["us-east-1"])
        entry["name"] = name
        regions.append(entry)
    template = dict(template, regions=regions)
    owned = {
        kind: [item for item in demo[kind] if TEMPLATE in json.dumps(item)]
        for kind in ("trails", "buckets", "kms_keys", "log_groups", "topics")
    }
    template_text = json.dumps(template)
    owned_text = {kind: [json.dumps(item) for item in items] for kind, items in owned.items()}
    members = snapshot["organization"]["ok"]["accounts"]
    for i in range(accounts):
        account = f"{600000000000 + i}"

        def rename(text):
            return text.replace(TEMPLATE, account).replace("acme-dev", f"acme-dev-{i}")

        snapshot["accounts"].append(json.loads(rename(template_text)))
        for kind, texts in owned_text.items():
            snapshot[kind].extend(json.loads(rename(text)) for text in texts)
        members.append({"id": account, "name": f"acme-dev-{i}", "status": "ACTIVE"})
    return snapshot


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=str(ROOT / "target/release/trailwarden"))
    parser.add_argument("--sizes", default="100,250,500,1000")
    args = parser.parse_args()
    demo = json.loads((ROOT / "fixtures/demo/organization.json").read_text())
    print(f"{'accounts':>8} {'regions':>8} {'snapshot MB':>11} {'findings':>9} {'wall s':>7} {'max RSS MiB':>11} {'KiB/account':>11}")
    with tempfile.TemporaryDirectory() as directory:
        for size in (int(s) for s in args.sizes.split(",")):
            snapshot = Path(directory) / f"scale-{size}.json"
            snapshot.write_text(json.dumps(grow(demo, size)))
            report = Path(directory) / f"report-{size}.json"
            done = subprocess.run(
                ["/usr/bin/time", "-f", "%e %M", args.binary, "evaluate", str(snapshot),
                 "--format", "json", "-o", str(report), "--fail-on", "none", "--allow-incomplete", "--no-config"],
                capture_output=True, text=True,
            )
            if done.returncode != 0:
                sys.exit(f"evaluate failed ({done.returncode}): {done.stderr[-2000:]}")
            wall, rss_kb = done.stderr.strip().splitlines()[-1].split()
            findings = len(json.loads(report.read_text())["findings"])
            accounts = size + len(demo["accounts"])
            rss = int(rss_kb) / 1024
            print(f"{accounts:>8} {accounts * 17:>8} {snapshot.stat().st_size / 1e6:>11.1f} {findings:>9} {float(wall):>7.2f} {rss:>11.1f} {int(rss_kb) / accounts:>11.1f}")


if __name__ == "__main__":
    main()
