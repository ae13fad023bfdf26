#!/usr/bin/env bash
# Log hashing throughput: trailwarden's streaming gunzip + SHA-256 (examples/hash_log.rs, the
# function verify-logs uses) against `gunzip -c | sha256sum` and `sha256sum` of the
# uncompressed file, on one large CloudTrail-like log made here (or FILE.gz if given).
# Usage: bench/hash_throughput.sh [--size-mb 512] [FILE.gz]
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=512
file=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --size-mb) size_mb="$2"; shift 2 ;;
        *) file="$1"; shift ;;
    esac
done
cargo build --release --locked --quiet --example hash_log
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [[ -z "$file" ]]; then
    # CloudTrail-like records, varied enough that gzip does not collapse them.
    python3 - "$work/log.json" "$size_mb" <<'PY'
import json, random, sys
path, size = sys.argv[1], int(sys.argv[2]) * 1_000_000
random.seed(7)
with open(path, "w") as out:
    out.write('{"Records":[')
    written, first = 0, True
    while written < size:
        record = json.dumps({
            "eventVersion": "1.09", "eventTime": "2026-01-20T01:%02d:%02dZ" % (random.randrange(60), random.randrange(60)),
            "eventSource": "s3.amazonaws.com", "eventName": random.choice(["GetObject", "PutObject", "ListBucket"]),
            "awsRegion": "us-east-1", "sourceIPAddress": "10.%d.%d.%d" % tuple(random.randrange(256) for _ in range(3)),
            "requestParameters": {"bucketName": "data", "key": "%032x" % random.getrandbits(128)},
            "requestID": "%016X" % random.getrandbits(64), "eventID": "%032x" % random.getrandbits(128),
        })
        out.write(("" if first else ",") + record)
        first = False
        written += len(record) + 1
    out.write("]}")
PY
    gzip -c -6 "$work/log.json" > "$work/log.json.gz"
    file="$work/log.json.gz"
else
    gunzip -c "$file" > "$work/log.json"
fi
bytes=$(stat -c %s "$work/log.json")
echo "file: $(stat -c %s "$file") bytes gzipped, $bytes bytes decompressed"
measure() {
    local label="$1"; shift
    local start end
    start=$(date +%s.%N)
    "$@" > "$work/out"
    end=$(date +%s.%N)
    python3 -c "import sys; s=float(sys.argv[2])-float(sys.argv[1]); print(f'{sys.argv[3]:<44} {s:6.2f} s  {int(sys.argv[4])/s/1e6:7.0f} MB/s (decompressed)')" "$start" "$end" "$label" "$bytes"
    head -c 64 "$work/out"; echo
}
cat "$work/log.json" "$file" > /dev/null   # warm the page cache
measure "sha256sum (uncompressed file)" sha256sum "$work/log.json"
measure "gunzip -c | sha256sum" bash -c "gunzip -c '$file' | sha256sum"
measure "trailwarden hash_log (gunzip + SHA-256)" target/release/examples/hash_log "$file"
