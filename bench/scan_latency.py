#!/usr/bin/env python3
"""Benchmark a live scan: one account with trails in every enabled commercial region, behind
a loopback latency per request.

Measures wall time, AWS calls, peak memory (max RSS) of `trailwarden collect`, and compares
the scan's sequential round trips with the minimum the data dependencies allow (4: identity
and regions → DescribeTrails → per trail its status, selectors, bucket location, key, log
group → the bucket's configuration in its region and the log group's key).

The emulator (moto) handles requests one at a time (a few ms of CPU each), which at 50 ms
hides the latency behind its own processing. So the bench runs the same scan three ways: with
no added latency (the emulator's floor), with the latency under test, and with a probe latency
large enough to dominate, where wall time divided by latency counts the scan's round trips.

Usage: bench/scan_latency.py --binary target/release/trailwarden [--latency-ms 50]
       [--probe-latency-ms 400] [--runs 3]
Run through scripts/bench, which builds the binary and installs moto.
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = "123456789012"
MINIMUM_DEPTH = 4


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(endpoint, path):
    with urllib.request.urlopen(endpoint + path, timeout=30) as response:
        return response.read()


def start_emulator(extra_env=None):
    """The test emulator on a free port, with extra environment variables for its
    middleware; returns (process, endpoint)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "tests/support/moto_server.py"), str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=dict(os.environ, **(extra_env or {})),
    )
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            get(endpoint, "/moto-api/")
            return process, endpoint
        except OSError:
            time.sleep(0.1)
    process.kill()
    sys.exit("moto server did not start")


def seed(endpoint):
    session = dict(
        endpoint_url=endpoint,
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
    )
    ec2 = boto3.client("ec2", region_name="us-east-1", **session)
    regions = sorted(
        r["RegionName"]
        for r in ec2.describe_regions(AllRegions=True)["Regions"]
        if r["OptInStatus"] != "not-opted-in"
    )
    for region in regions:
        s3 = boto3.client("s3", region_name=region, **session)
        kms = boto3.client("kms", region_name=region, **session)
        cloudtrail = boto3.client("cloudtrail", region_name=region, **session)
        bucket = f"tw-bench-{region}"
        config = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        s3.create_bucket(Bucket=bucket, **config)
        key = kms.create_key()["KeyMetadata"]["Arn"]
        kms.enable_key_rotation(KeyId=key)
        cloudtrail.create_trail(
            Name=f"regional-{region}", S3BucketName=bucket, KmsKeyId=key, EnableLogFileValidation=True
        )
        cloudtrail.start_logging(Name=f"regional-{region}")
    logs = boto3.client("logs", region_name="us-east-1", **session)
    logs.create_log_group(logGroupName="/bench/trail")
    cloudtrail = boto3.client("cloudtrail", region_name="us-east-1", **session)
    cloudtrail.create_trail(
        Name="everywhere",
        S3BucketName="tw-bench-us-east-1",
        IsMultiRegionTrail=True,
        CloudWatchLogsLogGroupArn=f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/bench/trail:*",
        CloudWatchLogsRoleArn=f"arn:aws:iam::{ACCOUNT}:role/trail-to-logs",
    )
    cloudtrail.start_logging(Name="everywhere")
    return regions


def collect(binary, endpoint, snapshot, extra=()):
    """Runs `trailwarden collect` under /usr/bin/time in a scrubbed environment; returns
    (wall seconds, peak RSS in MiB, the snapshot, the AWS calls it logged)."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": "/nonexistent",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
    }
    get(endpoint, "/_trailwarden/requests/clear")
    command = ["/usr/bin/time", "-f", "%e %M", binary, "collect", "--endpoint-url", endpoint, "-o", snapshot, *extra]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"scan failed: {done.stderr}")
    wall, rss_kb = done.stderr.strip().splitlines()[-1].split()
    inventory = json.loads(Path(snapshot).read_text())
    calls = sum(c["calls"] for c in inventory["collection"]["api_calls"])
    return float(wall), int(rss_kb) / 1024, inventory, calls


def scan(binary, endpoint, snapshot):
    wall, rss, inventory, calls = collect(binary, endpoint, snapshot)
    requests = len(json.loads(get(endpoint, "/_trailwarden/requests")))
    return wall, rss, calls, requests, inventory


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=str(ROOT / "target/release/trailwarden"))
    parser.add_argument("--latency-ms", type=float, default=50.0, help="the latency under test")
    parser.add_argument(
        "--probe-latency-ms",
        type=float,
        default=400.0,
        help="a latency large enough to dwarf the emulator's own processing, to count round trips",
    )
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    process, endpoint = start_emulator()
    try:
        regions = seed(endpoint)
        with tempfile.TemporaryDirectory() as tmp:
            snapshot = str(Path(tmp) / "inventory.json")
            best = {}
            for latency in (0.0, args.latency_ms, args.probe_latency_ms):
                get(endpoint, f"/_trailwarden/latency/{latency:g}")
                runs = [scan(args.binary, endpoint, snapshot) for _ in range(args.runs)]
                best[latency] = min(runs, key=lambda r: r[0])
            _, rss, calls, requests, inventory = best[args.latency_ms]
            base = best[0.0][0]
            print(f"regions scanned              {len(regions)}")
            print(
                "trails / buckets / keys      "
                f"{len(inventory['trails'])} / {len(inventory['buckets'])} / {len(inventory['kms_keys'])}"
            )
            print(f"AWS calls (trailwarden log)  {calls}")
            print(f"requests (emulator saw)      {requests}")
            print(f"peak memory (max RSS)        {rss:.1f} MiB")
            print(f"wall, no added latency       {base:.2f} s  (the emulator's own processing)")
            for latency in (args.latency_ms, args.probe_latency_ms):
                wall = best[latency][0]
                floor = MINIMUM_DEPTH * latency / 1000.0
                print(
                    f"wall, {latency:g} ms per request".ljust(29)
                    + f"{wall:.2f} s  = {wall / (latency / 1000.0):.1f} x latency; "
                    f"minimum {MINIMUM_DEPTH} round trips = {floor:.2f} s; ratio {wall / floor:.2f}"
                )
            print(f"(best of {args.runs} runs each)")
    finally:
        process.kill()
        process.wait()


if __name__ == "__main__":
    main()
