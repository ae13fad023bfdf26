#!/usr/bin/env python3
"""Authoring aid for rule fixtures: builds inventory snapshots from a few helpers.

The JSON files under fixtures/rules/ are the fixtures (the tests read them, not this script);
this script wrote those of the rules it defines, each case next to its expected status, so a
case is easy to read and to add. Run it from the repository root to rewrite them:

    python3 scripts/make-rule-fixtures.py

Each case is (file, resource, status[, message part]); `expect.toml` is written from them.
"""

import copy
import json
import os

COLLECTED_AT = "2026-06-01T12:00:00Z"
PAB = {"block_public_acls": True, "ignore_public_acls": True, "block_public_policy": True,
       "restrict_public_buckets": True}


def ok(value):
    return {"ok": value}


def err(operation, kind="denied", message="Access Denied"):
    return {"error": {"kind": kind, "operation": operation, "message": message}}


CLASSIC_ALL = {"classic": [{"read_write_type": "All", "include_management_events": True}]}


def classic(rw="All", data=None, mgmt=True):
    selector = {"read_write_type": rw, "include_management_events": mgmt}
    if data:
        selector["data_resources"] = [{"type": t, "values": v} for t, v in data]
    return {"classic": [selector]}


def field(name, **ops):
    f = {"field": name}
    f.update(ops)
    return f


def advanced(*selectors):
    return {"advanced": [{"name": n, "field_selectors": list(fs)} for n, fs in selectors]}


MGMT_ADV = ("Management events", [field("eventCategory", equals=["Management"])])


def trail_arn(account, name, region="us-east-1"):
    return f"arn:aws:cloudtrail:{region}:{account}:trail/{name}"


def trail(account, name, region="us-east-1", multi=True, org=False, gse=True, lfv=True,
          bucket=None, prefix=None, kms=None, sns=None, log_group=None,
          status=None, selectors=None, insights=None, tags=None, integrity=None):
    t = {
        "arn": trail_arn(account, name, region),
        "name": name,
        "home_region": region,
        "is_multi_region": multi,
        "is_organization_trail": org,
        "include_global_service_events": gse,
        "log_file_validation_enabled": lfv,
        "status": status if status is not None else ok({"is_logging": True}),
        "event_selectors": selectors if selectors is not None else ok(CLASSIC_ALL),
        "insight_selectors": insights if insights is not None else ok([]),
        "tags": tags if tags is not None else ok([]),
    }
    for key, value in [("s3_bucket_name", bucket), ("s3_key_prefix", prefix), ("kms_key_id", kms),
                       ("sns_topic_arn", sns), ("cloud_watch_logs_log_group_arn", log_group),
                       ("log_integrity", integrity)]:
        if value is not None:
            t[key] = value
    return t


def account(id, trails=(), regions=("us-east-1", "eu-west-1"), stores=None, recorders=None,
            session_error=None, regions_error=None):
    arns = [t["arn"] if isinstance(t, dict) else t for t in trails]
    a = {
        "id": id,
        "regions": [
            {
                "name": r,
                "trails": ok(arns),
                "event_data_stores": (stores or {}).get(r, ok([])),
                "config_recorders": (recorders or {}).get(r, ok([recorder()])),
            }
            for r in regions
        ],
        "s3_public_access_block": ok(PAB),
    }
    if session_error:
        a["session_error"] = session_error
        a["regions"] = []
    if regions_error:
        a["regions_error"] = regions_error
    return a


def recorder(name="default", all_supported=True, recording=True, last_status="SUCCESS", **extra):
    r = {"name": name, "all_supported": all_supported, "include_global_resource_types": True,
         "recording": recording, "last_status": last_status}
    r.update(extra)
    return r


def store(account, name, region="us-east-1", status="ENABLED", multi=True, org=False,
          retention=2557, protection=True, kms=None, selectors=None):
    s = {
        "arn": f"arn:aws:cloudtrail:{region}:{account}:eventdatastore/{name}",
        "name": name,
        "status": status,
        "multi_region_enabled": multi,
        "organization_enabled": org,
        "retention_period": retention,
        "termination_protection_enabled": protection,
        "advanced_event_selectors": selectors if selectors is not None else [
            {"name": "Management events", "field_selectors": [field("eventCategory", equals=["Management"])]}],
    }
    if kms:
        s["kms_key_id"] = kms
    return s


def cloudtrail_policy(bucket, account="111111111111", condition=True, extra=()):
    statements = [
        {"Sid": "AWSCloudTrailAclCheck", "Effect": "Allow",
         "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:GetBucketAcl",
         "Resource": f"arn:aws:s3:::{bucket}"},
        {"Sid": "AWSCloudTrailWrite", "Effect": "Allow",
         "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
         "Resource": f"arn:aws:s3:::{bucket}/AWSLogs/{account}/*"},
    ]
    if condition:
        statements[1]["Condition"] = {
            "StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control",
                             "aws:SourceArn": f"arn:aws:cloudtrail:us-east-1:{account}:trail/main"}}
    statements.extend(extra)
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


TLS_DENY = {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": ["arn:aws:s3:::{b}", "arn:aws:s3:::{b}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}


def tls_deny(bucket):
    s = copy.deepcopy(TLS_DENY)
    s["Resource"] = [r.format(b=bucket) for r in s["Resource"]]
    return s


def bucket(name, owner="111111111111", **fields):
    b = {
        "name": name,
        "owner_account": owner,
        "region": ok("us-east-1"),
        "acl": ok({"owner_id": "owner", "grants": [
            {"grantee": {"type": "CanonicalUser", "id": "owner"}, "permission": "FULL_CONTROL"}]}),
        "policy": ok(cloudtrail_policy(name, owner, extra=[tls_deny(name)])),
        "policy_status": ok({"is_public": False}),
        "public_access_block": ok(PAB),
        "versioning": ok({"status": "Enabled", "mfa_delete": True}),
        "logging": ok({"target_bucket": "access-logs", "target_prefix": f"{name}/"}),
        "lifecycle": ok([]),
        "encryption": ok({"sse_algorithm": "aws:kms",
                          "kms_master_key_id": key_arn(owner, "bucket-key")}),
        "object_lock": ok({"enabled": True, "default_retention": {"mode": "COMPLIANCE", "years": 6}}),
    }
    b.update(fields)
    return b


def key_arn(account, id, region="us-east-1"):
    return f"arn:aws:kms:{region}:{account}:key/{id}"


def key_policy(account="111111111111", condition=True, extra=()):
    statements = [
        {"Sid": "EnableRoot", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "AllowCloudTrailEncrypt", "Effect": "Allow",
         "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "kms:GenerateDataKey*",
         "Resource": "*"},
    ]
    if condition:
        statements[1]["Condition"] = {"StringLike": {
            "kms:EncryptionContext:aws:cloudtrail:arn": f"arn:aws:cloudtrail:*:{account}:trail/*"}}
    statements.extend(extra)
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def key(arn, manager="CUSTOMER", state="Enabled", policy=None, metadata=None):
    account = arn.split(":")[4]
    return {
        "arn": arn,
        "metadata": metadata if metadata is not None else ok(
            {"key_state": state, "key_manager": manager, "key_spec": "SYMMETRIC_DEFAULT"}),
        "rotation_enabled": ok(True),
        "policy": policy if policy is not None else ok(key_policy(account)),
    }


def log_group(arn, details):
    return {"arn": arn, "details": details}


def inventory(accounts, trails=(), buckets=(), keys=(), log_groups=(), organization=None):
    inv = {
        "schema_version": 1,
        "generator": "scripts/make-rule-fixtures.py",
        "collected_at": COLLECTED_AT,
        "accounts": list(accounts),
        "trails": list(trails),
        "buckets": list(buckets),
        "kms_keys": list(keys),
        "log_groups": list(log_groups),
    }
    if organization is not None:
        inv["organization"] = organization
    return inv


def single(account_id, t):
    """One account with one trail: a (account, trail) pair for `world`."""
    return account(account_id, [t]), t


def world(*pairs, buckets=(), keys=(), log_groups=(), organization=None):
    accounts = [a for a, _ in pairs if a is not None]
    trails = [t for _, t in pairs if t is not None]
    return inventory(accounts, trails, buckets, keys, log_groups, organization)


RULES = {}


def rule(directory):
    def register(fn):
        RULES[directory] = fn
        return fn
    return register


def write(directory, files):
    """files: {file: (inventory, [(resource, status[, message])])}"""
    path = os.path.join("fixtures", "rules", directory)
    os.makedirs(path, exist_ok=True)
    expect = ["# Expected status of every finding of this rule, per fixture file: resource = status.",
              "# Written by scripts/make-rule-fixtures.py.", ""]
    for file, (inv, cases) in sorted(files.items()):
        with open(os.path.join(path, file), "w") as out:
            json.dump(inv, out, indent=2)
            out.write("\n")
        expect.append(f'["{file}"]')
        for case in cases:
            resource, status = case[0], case[1]
            if len(case) > 2:
                expect.append(f'"{resource}" = {{ status = "{status}", message = {json.dumps(case[2])} }}')
            else:
                expect.append(f'"{resource}" = "{status}"')
        expect.append("")
    with open(os.path.join(path, "expect.toml"), "w") as out:
        out.write("\n".join(expect))


# --- Cases --------------------------------------------------------------------------------

A, B, C, D, E, F = ("111111111111", "222222222222", "333333333333", "444444444444",
                    "555555555555", "666666666666")
MGMT, MEMBER = "999999999999", "888888888888"
S3 = "AWS::S3::Object"
DENIED_SELECTORS = err("cloudtrail:GetEventSelectors")
UNLISTED = {"name": "us-east-1", "trails": err("cloudtrail:DescribeTrails")}


def organization(*members, admins=()):
    return ok({"id": "o-abc123", "management_account_id": MGMT,
               "accounts": [{"id": m, "name": m, "status": "ACTIVE"} for m in (MGMT,) + members],
               "cloudtrail_delegated_administrators": ok(list(admins)),
               "trusted_services": ok(["cloudtrail.amazonaws.com"])})


def unlisted_account(id):
    a = account(id, [])
    for region in a["regions"]:
        region["trails"] = err("cloudtrail:DescribeTrails")
    return a


def s3_data(rw, values=("arn:aws:s3",)):
    return ok(classic(rw, [(S3, list(values))]))


def s3_advanced(*extra):
    return ok(advanced(MGMT_ADV, ("S3 objects", [field("eventCategory", equals=["Data"]),
                                                 field("resources.type", equals=[S3])] + list(extra))))


def data_event_rule(side):
    other = "true" if side == "write" else "false"
    mine = "false" if side == "write" else "true"
    mine_rw = "WriteOnly" if side == "write" else "ReadOnly"
    other_rw = "ReadOnly" if side == "write" else "WriteOnly"
    org_trail = trail(MGMT, "org", org=True, selectors=s3_data("All"))
    return {
        "pass.json": (world(
            single(A, trail(A, "classic-side", selectors=s3_data(mine_rw))),
            single(B, trail(B, "advanced", selectors=s3_advanced(field("readOnly", equals=[mine])))),
            single(C, trail(C, "classic-all", selectors=s3_data("All", ["arn:aws:s3:::"]))),
            (account(MGMT, [org_trail]), org_trail),
            (account(MEMBER, []), None),
            organization=organization(MEMBER)), [
            (A, "PASS"), (B, "PASS"), (C, "PASS"), (MGMT, "PASS"),
            (MEMBER, "PASS", "organization trail of account 999999999999")]),
        "fail.json": (world(
            single(A, trail(A, "one-bucket", selectors=s3_data("All", ["arn:aws:s3:::one-bucket/"]))),
            single(B, trail(B, "other-side", selectors=s3_advanced(field("readOnly", equals=[other])))),
            single(C, trail(C, "event-names", selectors=s3_advanced(field("eventName", equals=["PutObject", "GetObject"])))),
            single(D, trail(D, "regional", multi=False, selectors=s3_data("All"))),
            single(E, trail(E, "stopped", status=ok({"is_logging": False}), selectors=s3_data("All"))),
            (account(F, []), None),
            single(MEMBER, trail(MEMBER, "classic-other-side", selectors=s3_data(other_rw))),
            single(MGMT, trail(MGMT, "excluded-bucket", selectors=s3_advanced(
                field("resources.ARN", not_starts_with=["arn:aws:s3:::noisy-bucket/"]))))), [
            (A, "FAIL", "only for arn:aws:s3:::one-bucket/"),
            (B, "FAIL", f"does not record {side}"),
            (C, "FAIL", "eventName"),
            (D, "FAIL", "single-region"),
            (E, "FAIL", "not logging"),
            (F, "FAIL", "no trail"),
            (MEMBER, "FAIL"),
            (MGMT, "FAIL", "noisy-bucket")]),
        "error.json": (world(
            single(A, trail(A, "selectors-denied", selectors=DENIED_SELECTORS)),
            (unlisted_account(B), None)), [
            (A, "ERROR", "event selectors unknown"), (B, "ERROR", "could not be listed")]),
    }


@rule("TW107-s3-data-events-write")
def _():
    return data_event_rule("write")


@rule("TW108-s3-data-events-read")
def _():
    return data_event_rule("read")


@rule("TW109-dynamodb-data-events")
def _():
    typ = "AWS::DynamoDB::Table"
    return {
        "pass.json": (world(
            single(A, trail(A, "advanced", selectors=ok(advanced(MGMT_ADV, ("tables", [
                field("eventCategory", equals=["Data"]), field("resources.type", equals=[typ])]))))),
            single(B, trail(B, "classic", selectors=ok(classic("All", [(typ, ["arn:aws:dynamodb"])]))))), [
            (A, "PASS"), (B, "PASS")]),
        "fail.json": (world(
            single(A, trail(A, "writes-only", selectors=ok(classic("WriteOnly", [(typ, ["arn:aws:dynamodb"])])))),
            single(B, trail(B, "one-table", selectors=ok(advanced(MGMT_ADV, ("one table", [
                field("eventCategory", equals=["Data"]), field("resources.type", equals=[typ]),
                field("resources.ARN", equals=[f"arn:aws:dynamodb:us-east-1:{B}:table/orders"])]))))),
            single(C, trail(C, "management-only"))), [
            (A, "FAIL", "read and write"), (B, "FAIL", "table/orders"), (C, "FAIL")]),
        "error.json": (world(single(A, trail(A, "denied", selectors=DENIED_SELECTORS))), [(A, "ERROR")]),
    }


@rule("TW110-lambda-data-events")
def _():
    typ = "AWS::Lambda::Function"
    return {
        "pass.json": (world(
            single(A, trail(A, "invokes", selectors=ok(classic("WriteOnly", [(typ, ["arn:aws:lambda"])])))),
            single(B, trail(B, "advanced", selectors=ok(advanced(MGMT_ADV, ("functions", [
                field("eventCategory", equals=["Data"]), field("resources.type", equals=[typ])])))))), [
            (A, "PASS"), (B, "PASS")]),
        "fail.json": (world(
            single(A, trail(A, "reads-only", selectors=ok(classic("ReadOnly", [(typ, ["arn:aws:lambda"])])))),
            single(B, trail(B, "management-only"))), [(A, "FAIL", "write"), (B, "FAIL")]),
        "error.json": (world(single(A, trail(A, "denied", selectors=DENIED_SELECTORS))), [(A, "ERROR")]),
    }


BOTH_INSIGHTS = ok([{"insight_type": "ApiCallRateInsight"}, {"insight_type": "ApiErrorRateInsight"}])


@rule("TW111-insights-enabled")
def _():
    return {
        "pass.json": (world(single(A, trail(A, "insights", insights=BOTH_INSIGHTS))), [(A, "PASS")]),
        "fail.json": (world(
            single(A, trail(A, "call-rate-only", insights=ok([{"insight_type": "ApiCallRateInsight"}]))),
            single(B, trail(B, "regional", multi=False, insights=BOTH_INSIGHTS)),
            single(C, trail(C, "none"))), [
            (A, "FAIL", "ApiErrorRateInsight"), (B, "FAIL", "single-region"), (C, "FAIL")]),
        "error.json": (world(single(A, trail(A, "denied", insights=err("cloudtrail:GetInsightSelectors")))),
                       [(A, "ERROR", "insight selectors unknown")]),
    }


def per_trail_rule(cases):
    """cases: {file: [(account, trail, status[, message])]}"""
    files = {}
    for file, entries in cases.items():
        pairs = [single(e[0], e[1]) for e in entries]
        files[file] = (world(*pairs), [(e[1]["arn"],) + tuple(e[2:]) for e in entries])
    return files


STATUS_DENIED = err("cloudtrail:GetTrailStatus")


@rule("TW112-trail-logging")
def _():
    return per_trail_rule({
        "pass.json": [(A, trail(A, "logging"), "PASS")],
        "fail.json": [(A, trail(A, "stopped", status=ok({"is_logging": False, "stop_logging_time": "2026-05-30T08:00:00Z"})), "FAIL", "since 2026-05-30")],
        "error.json": [(A, trail(A, "denied", status=STATUS_DENIED), "ERROR")],
    })


@rule("TW113-log-delivery")
def _():
    return per_trail_rule({
        "pass.json": [
            (A, trail(A, "recent", status=ok({"is_logging": True, "latest_delivery_time": "2026-06-01T11:00:00Z"})), "PASS"),
            (B, trail(B, "new", status=ok({"is_logging": True, "start_logging_time": "2026-06-01T11:30:00Z"})), "PASS", "not due yet"),
        ],
        "fail.json": [
            (A, trail(A, "broken", status=ok({"is_logging": True, "latest_delivery_time": "2026-06-01T11:00:00Z", "latest_delivery_error": "AccessDenied"})), "FAIL", "AccessDenied"),
            (B, trail(B, "stale", status=ok({"is_logging": True, "latest_delivery_time": "2026-05-29T12:00:00Z"})), "FAIL", "3 days ago"),
            (C, trail(C, "stopped", status=ok({"is_logging": False})), "FAIL", "not logging"),
            (D, trail(D, "never", status=ok({"is_logging": True, "start_logging_time": "2026-05-30T12:00:00Z"})), "FAIL", "no log delivery"),
        ],
        "error.json": [(A, trail(A, "denied", status=STATUS_DENIED), "ERROR")],
    })


@rule("TW114-digest-delivery")
def _():
    return per_trail_rule({
        "pass.json": [
            (A, trail(A, "recent", status=ok({"is_logging": True, "latest_digest_delivery_time": "2026-06-01T11:30:00Z"})), "PASS"),
        ],
        "fail.json": [
            (A, trail(A, "unvalidated", lfv=False), "FAIL", "validation disabled"),
            (B, trail(B, "digest-error", status=ok({"is_logging": True, "latest_digest_delivery_time": "2026-06-01T11:30:00Z", "latest_digest_delivery_error": "NoSuchBucket"})), "FAIL", "NoSuchBucket"),
            (C, trail(C, "stale", status=ok({"is_logging": True, "latest_digest_delivery_time": "2026-06-01T07:00:00Z"})), "FAIL", "5 h 0 min ago"),
            (D, trail(D, "stopped", status=ok({"is_logging": False})), "FAIL", "not logging"),
        ],
        "error.json": [(A, trail(A, "denied", status=STATUS_DENIED), "ERROR")],
    })


def integrity(outcome, digests=(6, 6, 0, 0, 0), logs=(12, 12, 0, 0, 0), gaps=0, holes=0, problems=()):
    def tally(t):
        return dict(zip(("total", "valid", "invalid", "not_found", "unreadable"), t))
    return ok({
        "window_start": "2026-06-01T06:00:00Z",
        "window_end": "2026-06-01T12:00:00Z",
        "outcome": outcome,
        "digest_files": tally(digests),
        "backfill_digest_files": tally((0, 0, 0, 0, 0)),
        "log_files": tally(logs),
        "gaps": gaps,
        "missing_digest_intervals": holes,
        "problems": list(problems),
        "public_keys": "cloudtrail:ListPublicKeys",
    })


@rule("TW118-log-integrity-verified")
def _():
    altered = f"s3://logs-{A}/AWSLogs/{A}/CloudTrail/us-east-1/2026/06/01/{A}_CloudTrail_us-east-1_20260601T0900Z_x.json.gz: hash value doesn't match"
    return {
        **per_trail_rule({
            "pass.json": [
                (A, trail(A, "proved", integrity=integrity("valid")), "PASS", "6/6 digest files valid, 12/12 log files valid"),
                (B, trail(B, "restarted", integrity=integrity("valid", gaps=1)), "PASS", "1 gap(s)"),
            ],
            "fail.json": [
                (A, trail(A, "altered", integrity=integrity("invalid", logs=(12, 11, 1, 0, 0), problems=[altered])), "FAIL", "hash value doesn't match"),
                (B, trail(B, "deleted", integrity=integrity("invalid", digests=(5, 4, 0, 1, 0), holes=1, problems=["s3://x/y: not found", "us-east-1: digest files missing between a and b"])), "FAIL", "and 1 more listed"),
                (C, trail(C, "silent", integrity=integrity("no_digests", digests=(0, 0, 0, 0, 0), logs=(0, 0, 0, 0, 0))), "FAIL", "no digest file delivered"),
                (D, trail(D, "unvalidated", lfv=False), "FAIL", "validation disabled"),
            ],
            "error.json": [
                (A, trail(A, "unreadable", integrity=integrity("incomplete", logs=(12, 11, 0, 0, 1), problems=["s3://x/z: access denied"])), "ERROR", "not every file could be read"),
                (B, trail(B, "no-keys", integrity=err("verify-logs", kind="failed", message="no public keys for us-east-1")), "ERROR", "no public keys"),
            ],
        }),
        "not-applicable.json": per_trail_rule({
            "x": [(A, trail(A, "not-verified"), "NOT_APPLICABLE", "--verify-logs-window")],
        })["x"],
    }


@rule("TW115-sns-notifications")
def _():
    return per_trail_rule({
        "pass.json": [(A, trail(A, "notifies", sns=f"arn:aws:sns:us-east-1:{A}:cloudtrail"), "PASS")],
        "fail.json": [(A, trail(A, "silent"), "FAIL")],
    })


@rule("TW116-security-trail")
def _():
    kms = key_arn(A, "trail")
    return {
        "pass.json": (world(single(A, trail(A, "security", kms=kms))), [(A, "PASS")]),
        "fail.json": (world(
            single(A, trail(A, "unencrypted")),
            single(B, trail(B, "kms-excluded", kms=kms, selectors=ok({"classic": [{
                "read_write_type": "All", "include_management_events": True,
                "exclude_management_event_sources": ["kms.amazonaws.com"]}]}))),
            (account(C, [trail_arn(C, "encrypted"), trail_arn(C, "validated")]), None),
            (None, trail(C, "encrypted", kms=kms, lfv=False)),
            (None, trail(C, "validated"))), [
            (A, "FAIL", "not encrypted"), (B, "FAIL", "kms.amazonaws.com"), (C, "FAIL")]),
        "error.json": (world(single(A, trail(A, "denied", kms=kms, selectors=DENIED_SELECTORS))), [(A, "ERROR")]),
    }


@rule("TW117-trail-tagged")
def _():
    return per_trail_rule({
        "pass.json": [(A, trail(A, "tagged", tags=ok([{"key": "owner", "value": "security"}])), "PASS")],
        "fail.json": [
            (A, trail(A, "untagged"), "FAIL"),
            (B, trail(B, "aws-tags-only", tags=ok([{"key": "aws:cloudformation:stack-name", "value": "s"}])), "FAIL"),
        ],
        "error.json": [(A, trail(A, "denied", tags=err("cloudtrail:ListTags")), "ERROR")],
    })


def buckets_world(*buckets, keys=None, extra_trails=()):
    """A trail in each bucket's owner account writing to it, and the owners' bucket keys."""
    owners = {}
    trails = []
    for b in buckets:
        t = trail(b["owner_account"], f"trail-{b['name']}", bucket=b["name"])
        trails.append(t)
        owners.setdefault(b["owner_account"], []).append(t)
    for t in extra_trails:
        owners.setdefault(t["arn"].split(":")[4], []).append(t)
        trails.append(t)
    if keys is None:
        keys = [key(key_arn(owner, "bucket-key")) for owner in owners]
    return inventory([account(o, ts) for o, ts in owners.items()], trails, buckets, keys)


def arn(name):
    return f"arn:aws:s3:::{name}"


def bucket_rule(cases, keys=None):
    """cases: {file: [(bucket, status[, message])]}"""
    return {file: (buckets_world(*[e[0] for e in entries], keys=keys),
                   [(arn(e[0]["name"]),) + tuple(e[1:]) for e in entries])
            for file, entries in cases.items()}


@rule("TW204-log-bucket-versioning")
def _():
    return bucket_rule({
        "pass.json": [(bucket("versioned"), "PASS")],
        "fail.json": [
            (bucket("suspended", versioning=ok({"status": "Suspended"})), "FAIL", "suspended"),
            (bucket("never", owner=B, versioning=ok({})), "FAIL", "never enabled"),
        ],
        "error.json": [(bucket("denied", versioning=err("s3:GetBucketVersioning")), "ERROR")],
    })


@rule("TW205-log-bucket-mfa-delete")
def _():
    return bucket_rule({
        "pass.json": [(bucket("mfa"), "PASS")],
        "fail.json": [
            (bucket("no-mfa", versioning=ok({"status": "Enabled", "mfa_delete": False})), "FAIL", "MFA delete is off"),
            (bucket("unversioned", owner=B, versioning=ok({})), "FAIL", "not versioned"),
        ],
        "error.json": [(bucket("denied", versioning=err("s3:GetBucketVersioning")), "ERROR")],
    })


@rule("TW206-log-bucket-object-lock")
def _():
    def lock(mode, **period):
        return ok({"enabled": True, "default_retention": dict(mode=mode, **period)})
    return bucket_rule({
        "pass.json": [
            (bucket("six-years"), "PASS"),
            (bucket("in-days", owner=B, object_lock=lock("COMPLIANCE", days=2200)), "PASS"),
        ],
        "fail.json": [
            (bucket("governance", object_lock=lock("GOVERNANCE", years=10)), "FAIL", "GOVERNANCE"),
            (bucket("one-year", owner=B, object_lock=lock("COMPLIANCE", days=365)), "FAIL", "less than 2190"),
            (bucket("unlocked", owner=C, object_lock=ok(None)), "FAIL", "not enabled"),
            (bucket("no-default", owner=D, object_lock=ok({"enabled": True})), "FAIL", "no default retention"),
        ],
        "error.json": [(bucket("denied", object_lock=err("s3:GetBucketObjectLockConfiguration")), "ERROR")],
    })


OPEN_READ = {"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
             "Resource": "arn:aws:s3:::open-read/*"}


@rule("TW207-log-bucket-policy-scoped")
def _():
    source_account = json.dumps({"Statement": [
        {"Effect": "Allow", "Principal": {"Service": ["cloudtrail.amazonaws.com"]}, "Action": ["s3:PutObject"],
         "Resource": "arn:aws:s3:::by-account/*", "Condition": {"StringEquals": {"AWS:SourceAccount": [B]}}},
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::by-account/*",
         "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}}]})
    return bucket_rule({
        "pass.json": [
            (bucket("scoped"), "PASS"),
            (bucket("by-account", owner=B, policy=ok(source_account)), "PASS"),
        ],
        "fail.json": [
            (bucket("unconditioned", policy=ok(cloudtrail_policy("unconditioned", condition=False))), "FAIL", "without an aws:SourceArn"),
            (bucket("open-read", owner=B, policy=ok(cloudtrail_policy("open-read", B, extra=[OPEN_READ]))), "FAIL", "anyone"),
            (bucket("no-policy", owner=C, policy=ok(None)), "FAIL", "no bucket policy"),
            (bucket("no-cloudtrail", owner=D, policy=ok(json.dumps({"Statement": [tls_deny("no-cloudtrail")]}))), "FAIL", "no statement lets CloudTrail write"),
        ],
        "error.json": [
            (bucket("denied", policy=err("s3:GetBucketPolicy")), "ERROR"),
            (bucket("garbled", owner=B, policy=ok("{not json")), "ERROR", "not JSON"),
        ],
    })


@rule("TW208-log-bucket-tls-only")
def _():
    objects_only = tls_deny("objects-only")
    objects_only["Resource"] = "arn:aws:s3:::objects-only/*"
    get_only = tls_deny("get-only")
    get_only["Action"] = "s3:GetObject"
    return bucket_rule({
        "pass.json": [(bucket("tls-only"), "PASS")],
        "fail.json": [
            (bucket("plain", policy=ok(cloudtrail_policy("plain"))), "FAIL"),
            (bucket("objects-only", owner=B, policy=ok(cloudtrail_policy("objects-only", B, extra=[objects_only]))), "FAIL"),
            (bucket("get-only", owner=C, policy=ok(cloudtrail_policy("get-only", C, extra=[get_only]))), "FAIL"),
            (bucket("no-policy", owner=D, policy=ok(None)), "FAIL"),
        ],
        "error.json": [
            (bucket("denied", policy=err("s3:GetBucketPolicy")), "ERROR"),
            (bucket("garbled", owner=B, policy=ok('{"Statement": 5}')), "ERROR", "cannot be read"),
        ],
    })


@rule("TW209-log-bucket-sse-kms")
def _():
    files = bucket_rule({
        "pass.json": [
            (bucket("cmk"), "PASS"),
            (bucket("bare-key-id", owner=B, encryption=ok({"sse_algorithm": "aws:kms", "kms_master_key_id": "bucket-key"})), "PASS"),
        ],
        "fail.json": [
            (bucket("sse-s3", encryption=ok({"sse_algorithm": "AES256"})), "FAIL", "AES256"),
            (bucket("aws-s3-key", owner=B, encryption=ok({"sse_algorithm": "aws:kms"})), "FAIL", "aws/s3"),
            (bucket("none", owner=C, encryption=ok(None)), "FAIL", "no default encryption"),
        ],
        "error.json": [
            (bucket("denied", encryption=err("s3:GetEncryptionConfiguration")), "ERROR"),
            (bucket("uncollected-key", owner=B, encryption=ok({"sse_algorithm": "aws:kms", "kms_master_key_id": key_arn(B, "missing")})), "ERROR", "not collected"),
        ],
    })
    managed = bucket("aws-managed-key", owner=D, encryption=ok({"sse_algorithm": "aws:kms", "kms_master_key_id": key_arn(D, "aws-s3")}))
    inv, cases = files["fail.json"]
    inv["buckets"].append(managed)
    t = trail(D, "trail-aws-managed-key", bucket="aws-managed-key")
    inv["trails"].append(t)
    inv["accounts"].append(account(D, [t]))
    inv["kms_keys"].append(key(key_arn(D, "aws-s3"), manager="AWS"))
    cases.append((arn("aws-managed-key"), "FAIL", "managed by AWS"))
    return files


@rule("TW210-log-bucket-access-recorded")
def _():
    data_events = trail(B, "objects", selectors=s3_data("All", [f"arn:aws:s3:::recorded-by-trail/"]))
    writes_only = trail(C, "writes", selectors=s3_data("WriteOnly"))
    pass_inv = buckets_world(bucket("server-logged"),
                             bucket("recorded-by-trail", owner=B, logging=ok(None)),
                             extra_trails=[data_events])
    fail_inv = buckets_world(bucket("unrecorded", logging=ok(None)),
                             bucket("self-logged", owner=C, logging=ok({"target_bucket": "self-logged", "target_prefix": ""})),
                             extra_trails=[writes_only])
    error_inv = buckets_world(bucket("denied", logging=err("s3:GetBucketLogging")),
                              bucket("foreign", owner=E, logging=ok(None)))
    # The owner of `foreign` was not scanned: drop its account.
    error_inv["accounts"] = [a for a in error_inv["accounts"] if a["id"] != E]
    error_inv["trails"] = [t for t in error_inv["trails"] if t["name"] != "trail-foreign"] + [
        trail(A, "writes-to-foreign", bucket="foreign")]
    error_inv["accounts"][0]["regions"][0]["trails"]["ok"].append(trail_arn(A, "writes-to-foreign"))
    error_inv["accounts"][0]["regions"][1]["trails"]["ok"].append(trail_arn(A, "writes-to-foreign"))
    return {
        "pass.json": (pass_inv, [(arn("server-logged"), "PASS"), (arn("recorded-by-trail"), "PASS", "data events")]),
        "fail.json": (fail_inv, [(arn("unrecorded"), "FAIL", "disabled"), (arn("self-logged"), "FAIL", "into itself")]),
        "error.json": (error_inv, [(arn("denied"), "ERROR"), (arn("foreign"), "ERROR", "was not scanned")]),
    }


def keyed_trails(*entries):
    """entries: (account, key or None for a key that was not collected, key reference)"""
    pairs, keys = [], []
    for account_id, k, reference in entries:
        t = trail(account_id, f"trail-{reference.rsplit('/', 1)[-1]}", kms=reference)
        pairs.append(single(account_id, t))
        if k is not None:
            keys.append(k)
    return world(*pairs, keys=keys)


@rule("TW403-key-policy-scoped")
def _():
    open_decrypt = {"Sid": "OpenDecrypt", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*"}
    by_source = json.dumps({"Statement": [
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": ["kms:GenerateDataKey*", "kms:DescribeKey"],
         "Resource": "*", "Condition": {"ArnLike": {"aws:SourceArn": f"arn:aws:cloudtrail:us-east-1:{B}:trail/*"}}}]})
    k = lambda account_id, name, **kw: key(key_arn(account_id, name), **kw)
    files = {
        "pass.json": [(A, k(A, "context")), (B, k(B, "source", policy=ok(by_source)))],
        "fail.json": [
            (A, k(A, "unconditioned", policy=ok(key_policy(A, condition=False))), "without an aws:SourceArn"),
            (B, k(B, "open", policy=ok(key_policy(B, extra=[open_decrypt]))), "anyone"),
            (C, k(C, "no-cloudtrail", policy=ok(json.dumps({"Statement": [json.loads(key_policy(C))["Statement"][0]]}))), "no statement"),
        ],
        "error.json": [
            (A, k(A, "denied", policy=err("kms:GetKeyPolicy"))),
            (B, k(B, "garbled", policy=ok("[]")), "cannot be read"),
        ],
    }
    out = {}
    for file, entries in files.items():
        inv = keyed_trails(*[(e[0], e[1], e[1]["arn"]) for e in entries])
        status = {"pass.json": "PASS", "fail.json": "FAIL", "error.json": "ERROR"}[file]
        out[file] = (inv, [(e[1]["arn"], status) + tuple(e[2:]) for e in entries])
    inv, cases = out["error.json"]
    missing = key_arn(C, "missing")
    t = trail(C, "uncollected-key", kms=missing)
    inv["accounts"].append(account(C, [t]))
    inv["trails"].append(t)
    cases.append((t["arn"], "ERROR", "not collected"))
    return out


def group_arn(account_id, name):
    return f"arn:aws:logs:us-east-1:{account_id}:log-group:{name}"


@rule("TW404-log-group-kms")
def _():
    def case(entries):
        pairs, groups = [], []
        for account_id, name, details in entries:
            pairs.append(single(account_id, trail(account_id, f"trail-{name}", log_group=group_arn(account_id, name) + ":*")))
            if details is not None:
                groups.append(log_group(group_arn(account_id, name), details))
        return world(*pairs, log_groups=groups)
    return {
        "pass.json": (case([(A, "encrypted", ok({"retention_in_days": 365, "kms_key_id": key_arn(A, "logs")}))]),
                      [(group_arn(A, "encrypted"), "PASS")]),
        "fail.json": (case([(A, "plain", ok({"retention_in_days": 365})), (B, "gone", ok(None))]),
                      [(group_arn(A, "plain"), "FAIL", "not a KMS key"), (group_arn(B, "gone"), "FAIL", "does not exist")]),
        "error.json": (case([(A, "denied", err("logs:DescribeLogGroups")), (B, "uncollected", None)]),
                       [(group_arn(A, "denied"), "ERROR"), (group_arn(B, "uncollected"), "ERROR", "not collected")]),
    }


REGIONS_DENIED = {"kind": "denied", "operation": "ec2:DescribeRegions", "message": "Access Denied"}
UNSUPPORTED = err("cloudtrail:ListEventDataStores", kind="unsupported",
                  message="UnsupportedOperationException: CloudTrail Lake is not supported (HTTP 400)")


def lake_account(id, *stores_in_us_east_1, regions_error=None):
    stores = {"us-east-1": regions_error or ok(list(stores_in_us_east_1))}
    if regions_error:
        stores["eu-west-1"] = regions_error
    return account(id, [], stores=stores)


def lake_key(account_id, name="lake", **kw):
    return key(key_arn(account_id, name), **kw)


@rule("TW601-lake-event-data-store")
def _():
    good = lambda a, name="events", **kw: store(a, name, kms=key_arn(a, "lake"), **kw)
    org_store = good(MGMT, "org-events", org=True)
    return {
        "pass.json": (inventory([lake_account(A, good(A))], keys=[lake_key(A)]), [(A, "PASS")]),
        "pass-organization.json": (inventory(
            [lake_account(MGMT, org_store), lake_account(MEMBER)], keys=[lake_key(MGMT)],
            organization=organization(MEMBER)), [(MGMT, "PASS"), (MEMBER, "PASS", "account 999999999999")]),
        "fail.json": (inventory([
            lake_account(A, good(A, retention=365)),
            lake_account(B, good(B, multi=False)),
            lake_account(C),
            lake_account(D, store(D, "aws-owned")),
            lake_account(E, good(E, protection=False)),
            lake_account(F, good(F, selectors=[{"field_selectors": [field("eventCategory", equals=["Management"]), field("readOnly", equals=["false"])]}]))],
            keys=[lake_key(x) for x in (A, B, E, F)]), [
            (A, "FAIL", "365 days"), (B, "FAIL", "one region"), (C, "FAIL", "no CloudTrail Lake event data store"),
            (D, "FAIL", "AWS owned key"), (E, "FAIL", "termination protection"), (F, "FAIL", "read management events")]),
        "fail-organization.json": (inventory(
            [lake_account(MGMT, good(MGMT)), lake_account(MEMBER)], keys=[lake_key(MGMT)],
            organization=organization(MEMBER)), [(MGMT, "FAIL", "this account only"), (MEMBER, "FAIL")]),
        "error.json": (inventory([
            lake_account(A, regions_error=UNSUPPORTED),
            lake_account(B, good(B)),
            account(C, [], regions_error=REGIONS_DENIED)]), [
            (A, "ERROR", "not supported"), (B, "ERROR", "not collected"),
            (C, "ERROR", "regions beyond those scanned")]),
    }


@rule("TW602-event-data-store-cmk")
def _():
    cmk = store(A, "cmk", kms=key_arn(A, "lake"))
    return {
        "pass.json": (inventory([lake_account(A, cmk)], keys=[lake_key(A)]), [(cmk["arn"], "PASS")]),
        "fail.json": (inventory([lake_account(A, store(A, "aws-owned"), store(A, "aws-managed", kms=key_arn(A, "aws-cloudtrail")))],
                                keys=[lake_key(A, "aws-cloudtrail", manager="AWS")]), [
            (store(A, "aws-owned")["arn"], "FAIL", "AWS owned key"),
            (store(A, "aws-managed")["arn"], "FAIL", "managed by AWS")]),
        "error.json": (inventory([lake_account(A, regions_error=UNSUPPORTED), account(B, session_error={
            "kind": "denied", "operation": "sts:AssumeRole", "message": "cannot assume the role"}),
            account(C, [], regions_error=REGIONS_DENIED)]), [
            (f"{A}/us-east-1", "ERROR", "not supported"), (f"{A}/eu-west-1", "ERROR", "not supported"),
            (B, "ERROR", "sts:AssumeRole"), (C, "ERROR", "could not be listed")]),
    }


@rule("TW701-config-recorder")
def _():
    def regions(account_id, statuses):
        return [(f"{account_id}/us-east-1",) + statuses[0], (f"{account_id}/eu-west-1",) + statuses[1]]
    return {
        "pass.json": (inventory([
            account(A),
            account(B, recorders={"us-east-1": ok([recorder("strategy", all_supported=False, recording_strategy="ALL_SUPPORTED_RESOURCE_TYPES")]),
                                  "eu-west-1": ok([recorder("stopped", recording=False), recorder("running")])})]),
            regions(A, [("PASS",), ("PASS",)]) + regions(B, [("PASS",), ("PASS", "running")])),
        "fail.json": (inventory([
            account(A, recorders={"eu-west-1": ok([])}),
            account(B, recorders={"us-east-1": ok([recorder(recording=False)]),
                                  "eu-west-1": ok([recorder(all_supported=False, excluded_resource_types=["AWS::EC2::Instance"], recording_strategy="EXCLUSION_BY_RESOURCE_TYPES")])}),
            account(C, recorders={"us-east-1": ok([recorder(last_status="FAILURE")])})]),
            regions(A, [("PASS",), ("FAIL", "no configuration recorder")])
            + regions(B, [("FAIL", "not recording"), ("FAIL", "AWS::EC2::Instance")])
            + regions(C, [("FAIL", "failed"), ("PASS",)])),
        "error.json": (inventory([
            account(A, recorders={"eu-west-1": err("config:DescribeConfigurationRecorders")}),
            account(B, session_error={"kind": "denied", "operation": "sts:AssumeRole", "message": "cannot assume the role"}),
            account(C, regions_error=REGIONS_DENIED)]),
            regions(A, [("PASS",), ("ERROR",)]) + [(B, "ERROR", "sts:AssumeRole"), (C, "ERROR", "could not be listed")]
            + regions(C, [("PASS",), ("PASS",)])),
    }


@rule("TW501-log-archive-retention")
def _():
    def life(id, days=None, noncurrent=None, newer=None):
        r = {"id": id, "enabled": True, "filter": {"prefix": "AWSLogs/"}}
        if days is not None:
            r["expiration"] = {"days": days}
        if noncurrent is not None:
            r["noncurrent_version_expiration"] = {"noncurrent_days": noncurrent}
            if newer is not None:
                r["noncurrent_version_expiration"]["newer_noncurrent_versions"] = newer
        return r
    versioned = ok({"status": "Enabled"})
    no_lock = ok(None)
    cases = [
        (A, bucket("hidden-then-purged", A, versioning=versioned, object_lock=no_lock, lifecycle=ok([life("expire", 365, 30)])), "FAIL", "395 days in all"),
        (B, bucket("hidden-only", B, versioning=versioned, object_lock=no_lock, lifecycle=ok([life("expire", 365)])), "PASS"),
        (C, bucket("locked", C, versioning=versioned, lifecycle=ok([life("expire", 30, 1)])), "PASS", "Object Lock keeps every version 2190 days"),
        (D, bucket("keeps-newer", D, versioning=versioned, object_lock=no_lock, lifecycle=ok([life("expire", 30, 1, newer=3)])), "PASS"),
        (E, bucket("versioning-unknown-short", E, versioning=err("s3:GetBucketVersioning"), object_lock=no_lock, lifecycle=ok([life("expire", 30, 1)])), "FAIL"),
        (F, bucket("versioning-unknown", F, versioning=err("s3:GetBucketVersioning"), object_lock=no_lock, lifecycle=ok([life("expire", 365)])), "ERROR", "versioning"),
        (MGMT, bucket("lock-unknown", MGMT, versioning=ok({}), object_lock=err("s3:GetBucketObjectLockConfiguration"), lifecycle=ok([life("expire", 30)])), "ERROR", "Object Lock is unknown"),
    ]
    pairs = []
    for account_id, b, *_ in cases:
        pairs.append(single(account_id, trail(account_id, b["name"], bucket=b["name"])))
    inv = world(*pairs, buckets=[c[1] for c in cases])
    return {"versioning-and-lock.json": (inv, [(trail_arn(c[0], c[1]["name"]),) + tuple(c[2:]) for c in cases])}


# --- CIS monitoring (TW801-TW823) -------------------------------------------------------

def corpus_controls():
    import tomllib
    with open("rules/monitoring/corpus.toml", "rb") as f:
        return {c["rule"]: c for c in tomllib.load(f)["control"]}


def topic_arn(account_id, name="cis-alarms"):
    return f"arn:aws:sns:us-east-1:{account_id}:{name}"


def metric_filter(name, pattern, metric, namespace="CISBenchmark"):
    return {"name": name, "pattern": pattern,
            "transformations": [{"metric_name": metric, "metric_namespace": namespace, "metric_value": "1"}]}


def alarm(account_id, name, metric, namespace="CISBenchmark", enabled=True, actions=None, region="us-east-1"):
    return {"name": name, "arn": f"arn:aws:cloudwatch:{region}:{account_id}:alarm:{name}",
            "metric_name": metric, "namespace": namespace, "actions_enabled": enabled,
            "alarm_actions": [topic_arn(account_id)] if actions is None else actions,
            "statistic": "Sum", "comparison_operator": "GreaterThanOrEqualToThreshold",
            "threshold": 1.0, "evaluation_periods": 1}


def confirmed(account_id):
    return ok([{"arn": topic_arn(account_id) + ":0f1e2d3c", "protocol": "email"}])


def monitored_group(account_id, filters, alarms, name="cloudtrail"):
    return {"arn": group_arn(account_id, name), "details": ok({"retention_in_days": 365}),
            "metric_filters": filters if isinstance(filters, dict) else ok(filters),
            "alarms": alarms if isinstance(alarms, dict) else ok(alarms)}


def monitoring_world(entries, organization=None):
    """entries: (account, trail kwargs or None, log group or None, topic subscriptions or None)."""
    accounts, trails, groups, topics = [], [], [], []
    for account_id, trail_kw, group, subscriptions in entries:
        t = None
        if trail_kw is not None:
            t = trail(account_id, "main", log_group=group_arn(account_id, "cloudtrail") + ":*", **trail_kw)
            trails.append(t)
        accounts.append(account(account_id, [t] if t else []))
        if group is not None:
            groups.append(group)
        if subscriptions is not None:
            topics.append({"arn": topic_arn(account_id), "subscriptions": subscriptions})
    inv = inventory(accounts, trails, log_groups=groups, organization=organization)
    inv["topics"] = topics
    return inv


def monitoring_rule(code):
    control = corpus_controls()[code]
    pattern = control["cis"][0]
    inner = pattern.strip()[1:-1].strip()
    metric = code + "Events"
    # The same events, written differently: an extra guard every CloudTrail event meets.
    equivalent = "{ ($.eventVersion EXISTS) && (" + inner + ") }"
    # Narrowed: only events of another region.
    narrowed = "{ (" + inner + ") && ($.awsRegion = \"eu-west-1\") }"

    def chain(account_id, pattern=pattern, **alarm_kw):
        return monitored_group(account_id, [metric_filter(metric, pattern, metric)],
                               [alarm(account_id, metric, metric, **alarm_kw)])

    pending = ok([{"arn": "PendingConfirmation", "protocol": "email"}])
    org = organization(MEMBER)
    org_trail = {"org": True}
    return {
        "pass.json": (monitoring_world([
            (A, {}, chain(A), confirmed(A)),
            (B, {}, chain(B, equivalent), confirmed(B)),
            (MGMT, org_trail, chain(MGMT), confirmed(MGMT)),
            (MEMBER, None, None, None),
        ], organization=org), [
            (A, "PASS", "→ topic"),
            (B, "PASS"),
            (MGMT, "PASS"),
            (MEMBER, "PASS", "organization trail"),
        ]),
        "fail.json": (monitoring_world([
            (A, {}, monitored_group(A, [], []), None),
            (B, {}, chain(B, narrowed), confirmed(B)),
            (C, {}, chain(C, enabled=False), confirmed(C)),
            (D, {}, chain(D), pending),
            (E, {}, chain(E, namespace="LogMetrics"), confirmed(E)),
            (F, {"multi": False}, chain(F), confirmed(F)),
        ]), [
            (A, "FAIL", "no metric filter"),
            (B, "FAIL", "narrower than CIS"),
            (C, "FAIL", "actions are disabled"),
            (D, "FAIL", "no confirmed subscription"),
            (E, "FAIL", "namespace LogMetrics"),
            (F, "FAIL", "single-region"),
        ]),
        "error.json": (monitoring_world([
            (A, {}, chain(A), err("sns:ListSubscriptionsByTopic")),
            (B, {}, monitored_group(B, err("logs:DescribeMetricFilters"), err("cloudwatch:DescribeAlarms", kind="not_collected", message="not asked")), None),
        ]), [
            (A, "ERROR", "ListSubscriptionsByTopic"),
            (B, "ERROR", "DescribeMetricFilters"),
        ]),
    }


for _code, _name in [("TW801", "monitor-unauthorized-api-calls"), ("TW802", "monitor-console-signin-without-mfa"),
                     ("TW803", "monitor-root-usage"), ("TW804", "monitor-iam-policy-changes"),
                     ("TW805", "monitor-cloudtrail-changes"), ("TW806", "monitor-console-auth-failures"),
                     ("TW807", "monitor-cmk-disable-or-deletion"), ("TW808", "monitor-bucket-policy-changes"),
                     ("TW809", "monitor-config-changes"), ("TW810", "monitor-security-group-changes"),
                     ("TW811", "monitor-nacl-changes"), ("TW812", "monitor-network-gateway-changes"),
                     ("TW813", "monitor-route-table-changes"), ("TW814", "monitor-vpc-changes"),
                     ("TW815", "monitor-organizations-changes"), ("TW821", "monitor-unauthorized-api-calls-cis-1"),
                     ("TW822", "monitor-console-signin-without-mfa-cis-1-2"),
                     ("TW823", "monitor-security-group-changes-cis-1-2")]:
    RULES[f"{_code}-{_name}"] = (lambda code: lambda: monitoring_rule(code))(_code)


def alarm_world(entries):
    """entries: (account, alarms or error)."""
    groups = [monitored_group(a, [metric_filter("m", "{ $.eventName = X }", "m")], alarms) for a, alarms in entries]
    pairs = [single(a, trail(a, "main", log_group=group_arn(a, "cloudtrail") + ":*")) for a, _ in entries]
    inv = world(*pairs, log_groups=groups)
    inv["topics"] = []
    return inv


def alarm_arn(account_id, name):
    return f"arn:aws:cloudwatch:us-east-1:{account_id}:alarm:{name}"


@rule("TW816-alarm-actions")
def _():
    return {
        "pass.json": (alarm_world([(A, [alarm(A, "notifies", "m")])]), [(alarm_arn(A, "notifies"), "PASS")]),
        "fail.json": (alarm_world([(A, [alarm(A, "silent", "m", actions=[])])]),
                      [(alarm_arn(A, "silent"), "FAIL", "no action for state ALARM")]),
        "error.json": (alarm_world([(A, err("cloudwatch:DescribeAlarms"))]),
                       [(group_arn(A, "cloudtrail"), "ERROR", "DescribeAlarms")]),
    }


@rule("TW817-alarm-actions-enabled")
def _():
    return {
        "pass.json": (alarm_world([(A, [alarm(A, "enabled", "m")])]), [(alarm_arn(A, "enabled"), "PASS")]),
        "fail.json": (alarm_world([(A, [alarm(A, "muted", "m", enabled=False)])]),
                      [(alarm_arn(A, "muted"), "FAIL", "disabled")]),
        "error.json": (alarm_world([(A, err("cloudwatch:DescribeAlarms"))]),
                       [(group_arn(A, "cloudtrail"), "ERROR", "DescribeAlarms")]),
    }


if __name__ == "__main__":
    import sys
    only = sys.argv[1:]
    for directory, build in RULES.items():
        if only and not any(directory.startswith(o) for o in only):
            continue
        files = build()
        if directory.startswith("TW501"):
            # Hand-written fixtures live beside this one: add to expect.toml, do not rewrite it.
            path = os.path.join("fixtures", "rules", directory)
            (file, (inv, cases)), = files.items()
            with open(os.path.join(path, file), "w") as out:
                json.dump(inv, out, indent=2)
                out.write("\n")
            expect_path = os.path.join(path, "expect.toml")
            text = open(expect_path).read()
            if f'["{file}"]' not in text:
                lines = ["", f'["{file}"]']
                for case in cases:
                    if len(case) > 2:
                        lines.append(f'"{case[0]}" = {{ status = "{case[1]}", message = {json.dumps(case[2])} }}')
                    else:
                        lines.append(f'"{case[0]}" = "{case[1]}"')
                open(expect_path, "w").write(text.rstrip("\n") + "\n" + "\n".join(lines) + "\n")
            continue
        write(directory, files)
        print("wrote", directory)
