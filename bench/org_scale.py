#!/usr/bin/env python3
"""Benchmark an organization scan: how wall time, AWS calls and peak memory grow from 1 to
10 to 50 accounts, every account with all enabled regions, behind a loopback latency per
request.

The emulator is seeded with an organization of 50 accounts (the management account and 49
members made by organizations:CreateAccount): an organization trail in the management account
writing to a bucket of the first member (the log archive), and in every member its own
multi-region trail with its own bucket. Each size scans the management account plus the first
N-1 members (`--org --accounts ...`), so every size pays for AssumeRole, the organization and
the cross-account bucket.

Usage: bench/org_scale.py --binary target/release/trailwarden [--latency-ms 50]
       [--sizes 1,10,50] [--runs 1]
Run through scripts/bench --org, which builds the binary and installs moto.
"""

import argparse
import sys
import tempfile
from pathlib import Path

import boto3

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scan_latency import collect, get, start_emulator  # noqa: E402

ACCOUNT = "123456789012"
ROLE = "OrganizationAccountAccessRole"


def session_kwargs(endpoint, credentials=None):
    kwargs = dict(endpoint_url=endpoint, aws_access_key_id="bench", aws_secret_access_key="bench")
    if credentials:
        kwargs.update(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
        )
    return kwargs


def seed(endpoint, members):
    management = session_kwargs(endpoint)
    organizations = boto3.client("organizations", region_name="us-east-1", **management)
    organizations.create_organization(FeatureSet="ALL")
    accounts = []
    for index in range(members):
        created = organizations.create_account(
            AccountName=f"member-{index:02}", Email=f"member-{index:02}@example.com", RoleName=ROLE
        )
        accounts.append(created["CreateAccountStatus"]["AccountId"])
    sts = boto3.client("sts", region_name="us-east-1", **management)

    def as_member(account, service):
        credentials = sts.assume_role(
            RoleArn=f"arn:aws:iam::{account}:role/{ROLE}", RoleSessionName="seed"
        )["Credentials"]
        return boto3.client(service, region_name="us-east-1", **session_kwargs(endpoint, credentials))

    # The organization trail, its bucket moved to the log-archive member afterwards (the
    # emulator's CreateTrail wants the bucket in the trail's own account).
    s3 = boto3.client("s3", region_name="us-east-1", **management)
    cloudtrail = boto3.client("cloudtrail", region_name="us-east-1", **management)
    s3.create_bucket(Bucket="tw-bench-org-archive")
    cloudtrail.create_trail(
        Name="org-trail",
        S3BucketName="tw-bench-org-archive",
        IsMultiRegionTrail=True,
        IsOrganizationTrail=True,
        EnableLogFileValidation=True,
    )
    cloudtrail.start_logging(Name="org-trail")
    s3.delete_bucket(Bucket="tw-bench-org-archive")
    as_member(accounts[0], "s3").create_bucket(Bucket="tw-bench-org-archive")

    for account in accounts:
        member_s3 = as_member(account, "s3")
        member_trails = as_member(account, "cloudtrail")
        bucket = f"tw-bench-{account}"
        member_s3.create_bucket(Bucket=bucket)
        member_trails.create_trail(Name="own", S3BucketName=bucket, IsMultiRegionTrail=True)
        member_trails.start_logging(Name="own")
    return accounts


def scan(binary, endpoint, accounts, snapshot):
    wall, rss, inventory, calls = collect(
        binary, endpoint, snapshot, ["--org", "--accounts", ",".join(accounts)]
    )
    regions = sum(
        1 for a in inventory["accounts"] for r in a.get("regions", []) if not r.get("skipped")
    )
    errors = sum(1 for a in inventory["accounts"] if a.get("session_error"))
    return wall, rss, calls, regions, errors, len(inventory["accounts"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default="target/release/trailwarden")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--sizes", default="1,10,50")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    process, endpoint = start_emulator()
    try:
        members = seed(endpoint, max(sizes) - 1)
        print(f"organization: 1 management + {len(members)} member accounts; latency {args.latency_ms:g} ms")
        print("accounts  regions  AWS calls  wall (0 ms)  wall (latency)  calls/s  peak RSS")
        with tempfile.TemporaryDirectory() as tmp:
            snapshot = str(Path(tmp) / "inventory.json")
            for size in sizes:
                accounts = [ACCOUNT] + members[: size - 1]
                # The emulator builds each account's state on first use: warm it up unmeasured.
                get(endpoint, "/_trailwarden/latency/0")
                scan(args.binary, endpoint, accounts, snapshot)
                results = {}
                for latency in (0.0, args.latency_ms):
                    get(endpoint, f"/_trailwarden/latency/{latency:g}")
                    runs = [scan(args.binary, endpoint, accounts, snapshot) for _ in range(args.runs)]
                    results[latency] = min(runs, key=lambda r: r[0])
                wall, rss, calls, regions, errors, scanned = results[args.latency_ms]
                if errors or scanned != size:
                    sys.exit(f"{size} accounts: {scanned} scanned, {errors} without a session")
                print(
                    f"{size:>8}  {regions:>7}  {calls:>9}  {results[0.0][0]:>9.2f} s  "
                    f"{wall:>12.2f} s  {calls / wall:>7.0f}  {rss:>5.1f} MiB"
                )
        print(f"(best of {args.runs} run(s) each)")
    finally:
        process.kill()
        process.wait()


if __name__ == "__main__":
    main()
