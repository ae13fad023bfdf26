#!/usr/bin/env python3
"""Benchmark `verify-logs`: a trail with 48 hourly digests x 20 log files each, in the local
emulator, behind a loopback latency per request (default 50 ms).

Compares the wall time of:
  * trailwarden verify-logs (bounded concurrency, the default);
  * trailwarden verify-logs --max-concurrency 1 (the explicit sequential mode);
  * the AWS CLI's `cloudtrail validate-logs` pointed at the same emulator (sequential by
    design), when an AWS CLI is given with --aws-cli. The emulator answers ListPublicKeys
    (see tests/support/moto_server.py) with the test key, so the CLI runs unmodified.
Every run must report every file valid; the results are checked, not only timed.

Chains are made as CloudTrail makes them (docs/reference/digest.md §6): gzipped logs,
digests listing the SHA-256 of the decompressed logs, each digest signed with RSA PKCS#1 v1.5 /
SHA-256 (tests/data/verify/test-key.pem) over the exact signing string, the signature in
x-amz-meta-signature.

Usage: bench/verify_logs.py --binary target/release/trailwarden [--latency-ms 50] [--runs 3]
       [--aws-cli PATH]
Run through `scripts/bench --verify-logs`, which builds the binary, installs moto, and the
AWS CLI into its own virtualenv.
"""

import argparse
import base64
import gzip
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import boto3
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from scan_latency import get, start_emulator  # the emulator helpers of the scan benchmark

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = "123456789012"
REGION = "us-east-1"
TRAIL = "bench"
BUCKET = "tw-bench-verify"
ARN = f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/{TRAIL}"
ORIGIN = datetime(2026, 1, 20, 0, 1, 31, tzinfo=timezone.utc)


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")




def seed(endpoint, private_key, digests, logs_per_digest):
    s3 = boto3.client(
        "s3",
        region_name=REGION,
        endpoint_url=endpoint,
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
    )
    s3.create_bucket(Bucket=BUCKET)
    base = f"AWSLogs/{ACCOUNT}/"
    fingerprint = hashlib.md5(
        private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.PKCS1
        )
    ).hexdigest()
    previous = None
    log_bytes = 0
    for i in range(digests):
        end = ORIGIN + timedelta(hours=i + 1)
        start = end - timedelta(hours=1)
        entries = []
        for n in range(logs_per_digest):
            records = [
                {
                    "eventVersion": "1.09",
                    "eventTime": iso(start + timedelta(seconds=n * 60 + r)),
                    "eventSource": "s3.amazonaws.com",
                    "eventName": "GetObject",
                    "awsRegion": REGION,
                    "requestParameters": {"bucketName": "data", "key": f"object-{i}-{n}-{r}"},
                    "userIdentity": {"type": "AssumedRole", "accountId": ACCOUNT},
                }
                for r in range(40)
            ]
            body = json.dumps({"Records": records}).encode()
            log_bytes += len(body)
            key = (
                f"{base}CloudTrail/{REGION}/{start:%Y/%m/%d}/{ACCOUNT}_CloudTrail_{REGION}_"
                f"{start:%Y%m%dT%H}{n:02}Z_bench{i:03}{n:08}.json.gz"
            )
            s3.put_object(Bucket=BUCKET, Key=key, Body=gzip.compress(body, mtime=0))
            entries.append(
                {
                    "s3Bucket": BUCKET,
                    "s3Object": key,
                    "hashValue": hashlib.sha256(body).hexdigest(),
                    "hashAlgorithm": "SHA-256",
                    "newestEventTime": iso(start),
                    "oldestEventTime": iso(start),
                }
            )
        key = (
            f"{base}CloudTrail-Digest/{REGION}/{end:%Y/%m/%d}/{ACCOUNT}_CloudTrail-Digest_{REGION}_"
            f"{TRAIL}_{REGION}_{end:%Y%m%dT%H%M%SZ}.json.gz"
        )
        document = {
            "awsAccountId": ACCOUNT,
            "digestStartTime": iso(start),
            "digestEndTime": iso(end),
            "digestS3Bucket": BUCKET,
            "digestS3Object": key,
            "digestPublicKeyFingerprint": fingerprint,
            "digestSignatureAlgorithm": "SHA256withRSA",
            "newestEventTime": iso(end),
            "oldestEventTime": iso(start),
            "previousDigestS3Bucket": BUCKET if previous else None,
            "previousDigestS3Object": previous["key"] if previous else None,
            "previousDigestHashValue": hashlib.sha256(previous["raw"]).hexdigest() if previous else None,
            "previousDigestHashAlgorithm": "SHA-256" if previous else None,
            "previousDigestSignature": previous["signature"] if previous else None,
            "logFiles": entries,
        }
        raw = json.dumps(document).encode()
        signed = "\n".join(
            [
                iso(end),
                f"{BUCKET}/{key}",
                hashlib.sha256(raw).hexdigest(),
                previous["signature"] if previous else "null",
            ]
        ).encode()
        signature = private_key.sign(signed, padding.PKCS1v15(), hashes.SHA256()).hex()
        s3.put_object(
            Bucket=BUCKET,
            Key=key,
            Body=gzip.compress(raw, mtime=0),
            Metadata={"signature": signature, "signature-algorithm": "SHA256withRSA"},
        )
        previous = {"key": key, "raw": raw, "signature": signature}
    return log_bytes


def environment(endpoint, config_file):
    return {
        "PATH": os.environ.get("PATH", ""),
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": str(config_file),
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
        "AWS_ENDPOINT_URL": endpoint,
    }


def timed(command, env):
    started = time.monotonic()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    return time.monotonic() - started, done


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=str(ROOT / "target/release/trailwarden"))
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--digests", type=int, default=48)
    parser.add_argument("--logs-per-digest", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--aws-cli", help="path of an `aws` executable (AWS CLI v1 or v2)")
    args = parser.parse_args()

    private_key = serialization.load_pem_private_key(
        (ROOT / "tests/data/verify/test-key.pem").read_bytes(), password=None
    )
    der = private_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.PKCS1
    )
    with tempfile.TemporaryDirectory() as directory:
        directory = Path(directory)
        served = directory / "served-keys.json"
        served.write_text(
            json.dumps(
                [
                    {
                        "Value": base64.b64encode(der).decode(),
                        "ValidityStartTime": 1_767_225_600,
                        "ValidityEndTime": 4_102_444_800,
                    }
                ]
            )
        )
        # The AWS CLI addresses S3 path-style on the emulator (bucket host names do not resolve).
        config_file = directory / "aws-config"
        config_file.write_text(f"[default]\nregion = {REGION}\ns3 =\n    addressing_style = path\n")
        emulator, endpoint = start_emulator({"TRAILWARDEN_PUBLIC_KEYS": str(served)})
        try:
            log_bytes = seed(endpoint, private_key, args.digests, args.logs_per_digest)
            get(endpoint, f"/_trailwarden/latency/{args.latency_ms:g}")
            env = environment(endpoint, config_file)
            end = ORIGIN + timedelta(hours=args.digests)
            window = ["--start", iso(ORIGIN + timedelta(minutes=30)), "--end", iso(end)]
            base = [args.binary, "verify-logs", "--trail", ARN, "--s3-bucket", BUCKET, *window, "--format", "json"]
            files = args.digests * (1 + args.logs_per_digest)
            print(
                f"trail: {args.digests} digests x {args.logs_per_digest} logs = {files} objects "
                f"({log_bytes / 1e6:.1f} MB of log JSON), {args.latency_ms:g} ms per request"
            )

            def check(done, what):
                if done.returncode != 0:
                    sys.exit(f"{what} failed ({done.returncode}): {done.stdout[-2000:]} {done.stderr[-2000:]}")

            def run_trailwarden(extra, what):
                seconds, done = timed(base + extra, env)
                check(done, what)
                result = json.loads(done.stdout)
                summary = result["summary"]
                expected = (summary["digest_files"]["valid"], summary["log_files"]["valid"])
                if expected != (args.digests, args.digests * args.logs_per_digest):
                    sys.exit(f"{what}: not every file valid: {summary}")
                return seconds

            parallel = [run_trailwarden([], "verify-logs") for _ in range(args.runs)]
            sequential = run_trailwarden(["--max-concurrency", "1"], "verify-logs --max-concurrency 1")
            best = min(parallel)
            print(f"trailwarden verify-logs (max 64 in flight): {', '.join(f'{s:.2f}' for s in parallel)} s (best {best:.2f} s)")
            print(f"trailwarden verify-logs --max-concurrency 1: {sequential:.2f} s ({sequential / best:.1f}x the parallel run)")
            if args.aws_cli:
                command = [
                    args.aws_cli, "cloudtrail", "validate-logs", "--trail-arn", ARN,
                    "--s3-bucket", BUCKET, "--start-time", iso(ORIGIN + timedelta(minutes=30)),
                    "--end-time", iso(end), "--endpoint-url", endpoint,
                ]
                seconds, done = timed(command, env)
                check(done, "aws cloudtrail validate-logs")
                wanted = f"{args.digests}/{args.digests} digest files valid"
                if wanted not in done.stdout:
                    sys.exit(f"the AWS CLI did not validate every digest: {done.stdout[-2000:]}")
                version = subprocess.run([args.aws_cli, "--version"], capture_output=True, text=True, env=env)
                print(f"aws cloudtrail validate-logs ({(version.stdout or version.stderr).split()[0]}): {seconds:.2f} s ({seconds / best:.1f}x the parallel run)")
                print("  its summary: " + " | ".join(l for l in done.stdout.splitlines() if "valid" in l))
        finally:
            emulator.kill()


if __name__ == "__main__":
    main()
