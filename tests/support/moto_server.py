"""moto server for trailwarden's live tests and benchmarks.

Starts moto's own WSGI application behind a small middleware, with minimal in-process
patches that make moto answer as AWS documents where it does not (see
docs/reference/moto.md). Each patch is named after the AWS behaviour it restores.
trailwarden itself never special-cases the emulator.

The middleware also
  * records every AWS request (GET /_trailwarden/requests lists them as JSON), so tests can
    check on the wire what trailwarden sent, independently of trailwarden's own call log;
  * fails every request signed for a region in TRAILWARDEN_FAIL_REGIONS (HTTP 503), to test
    a region whose calls fail;
  * refuses S3 requests whose expected bucket owner is not the bucket's (as AWS does);
  * answers CloudTrail Lake operations as AWS does where Lake is not offered;
  * answers CloudTrail `ListPublicKeys` (moto lacks it) from the keys in the JSON file
    TRAILWARDEN_PUBLIC_KEYS ([{"Value": base64 DER, "ValidityStartTime": epoch,
    "ValidityEndTime": epoch}]), one key per page, so that callers must follow NextToken;
  * refuses S3 requests whose path matches the regex TRAILWARDEN_DENY_S3 with AccessDenied,
    to test one unreadable object among readable ones;
  * pages `DescribeMetricFilters` 50 at a time, as AWS does;
  * delays every request by TRAILWARDEN_LATENCY_MS milliseconds (or as set by
    GET /_trailwarden/latency/MS), to benchmark against a realistic round-trip time;
    GET /_trailwarden/requests/clear empties the request log.

Usage: python moto_server.py PORT
"""

import io
import json
import os
import re
import sys
import threading
import time

from werkzeug.serving import run_simple

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)


# --- Patches: AWS behaviour moto lacks -------------------------------------------------

def restore_default_event_selectors():
    """AWS: a trail whose selectors were never set records all management events
    (GetEventSelectors returns ReadWriteType All, IncludeManagementEvents true)."""
    from moto.cloudtrail.models import Trail

    original_put = Trail.put_event_selectors
    original_get = Trail.get_event_selectors

    def put_event_selectors(self, *args, **kwargs):
        self._trailwarden_selectors_set = True
        return original_put(self, *args, **kwargs)

    def get_event_selectors(self):
        if not getattr(self, "_trailwarden_selectors_set", False):
            return (
                [
                    {
                        "ReadWriteType": "All",
                        "IncludeManagementEvents": True,
                        "DataResources": [],
                        "ExcludeManagementEventSources": [],
                    }
                ],
                [],
            )
        return original_get(self)

    Trail.put_event_selectors = put_event_selectors
    Trail.get_event_selectors = get_event_selectors


def restore_partition_regions():
    """AWS: DescribeRegions lists the regions of the caller's partition only (moto also
    lists the China and GovCloud regions)."""
    from moto.ec2.models.availability_zones_and_regions import RegionsAndZonesBackend

    RegionsAndZonesBackend.regions = [
        region
        for region in RegionsAndZonesBackend.regions
        if not region.name.startswith(("cn-", "us-gov-", "us-iso", "eu-iso"))
    ]


def fix_versioning_body(body):
    """AWS: GetBucketVersioning answers a <VersioningConfiguration> document (moto names the
    root element after the operation, which SDKs cannot parse)."""
    start = body.find(b"<", body.find(b"?>") + 2 if body.startswith(b"<?xml") else 0)
    end = body.find(b">", start)
    if start < 0 or end < 0:
        return body
    root = body[start + 1 : end].rstrip(b"/").split()[0]
    if root == b"VersioningConfiguration":
        return body
    # A bucket never versioned answers an empty root element: `<Root .../>`.
    empty = body[end - 1 : end] == b"/"
    opening = b'<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"' + (b"/>" if empty else b">")
    body = body[:start] + opening + body[end + 1 :]
    return body.replace(b"</" + root + b">", b"</VersioningConfiguration>")


def allow_cloudtrail_delegated_administrator():
    """AWS: CloudTrail supports a delegated administrator (RegisterDelegatedAdministrator
    with cloudtrail.amazonaws.com); moto's list of such services lacks it."""
    from moto.organizations.models import FakeDelegatedAdministrator

    if "cloudtrail.amazonaws.com" not in FakeDelegatedAdministrator.SUPPORTED_SERVICES:
        FakeDelegatedAdministrator.SUPPORTED_SERVICES.append("cloudtrail.amazonaws.com")


def require_assumable_roles():
    """AWS: AssumeRole is denied unless the role exists in the target account and its trust
    policy's `sts:ExternalId` condition, if any, matches (moto assumes any ARN). Enabled by
    TRAILWARDEN_ROLES_MUST_EXIST=1, because older tests assume roles they never created."""
    from moto.iam.models import iam_backends
    from moto.sts.exceptions import STSClientError
    from moto.sts.models import STSBackend

    original = STSBackend.assume_role

    def denied(role_arn):
        return STSClientError(
            "AccessDenied",
            f"User is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
        )

    def assume_role(self, region_name, role_session_name, role_arn, policy, duration, external_id):
        parts = role_arn.split(":")
        if len(parts) < 6 or not parts[5].startswith("role/"):
            raise denied(role_arn)
        account, name = parts[4], parts[5].split("/")[-1]
        roles = iam_backends[account][parts[1]].roles.values()
        role = next((r for r in roles if r.name == name), None)
        if role is None:
            raise denied(role_arn)
        trust = json.loads(role.assume_role_policy_document or "{}")
        for statement in trust.get("Statement", []):
            wanted = statement.get("Condition", {}).get("StringEquals", {}).get("sts:ExternalId")
            if wanted is not None and wanted != external_id:
                raise denied(role_arn)
        return original(self, region_name, role_session_name, role_arn, policy, duration, external_id)

    STSBackend.assume_role = assume_role


def deny_foreign_topic_subscriptions():
    """AWS: ListSubscriptionsByTopic on another account's topic is refused with
    AuthorizationError (403) unless the topic's policy grants it, which a topic's default
    policy does not. moto finds the topic in its owner's account and then lists the caller's
    own subscriptions to it, none: an empty answer where AWS refuses."""
    from moto.sns.exceptions import SNSException
    from moto.sns.models import SNSBackend
    from moto.utilities.arns import parse_arn

    class AuthorizationError(SNSException):
        code = "AuthorizationError"

        def __init__(self, topic_arn):
            super().__init__(f"User is not authorized to perform: SNS:ListSubscriptionsByTopic on resource: {topic_arn}")

    original = SNSBackend.list_subscriptions_by_topic

    def list_subscriptions_by_topic(self, topic_arn, next_token=None):
        if parse_arn(topic_arn).account != self.account_id:
            raise AuthorizationError(topic_arn)
        return original(self, topic_arn, next_token)

    SNSBackend.list_subscriptions_by_topic = list_subscriptions_by_topic


def expected_owner_mismatch(environ):
    """AWS: an S3 request with `x-amz-expected-bucket-owner` naming another account than the
    bucket's owner is refused with 403 AccessDenied (moto ignores the header). Returns the
    error body, or None when the request may proceed."""
    expected = environ.get("HTTP_X_AMZ_EXPECTED_BUCKET_OWNER")
    bucket = environ.get("PATH_INFO", "").lstrip("/").split("/", 1)[0]
    if not expected or not bucket:
        return None
    from moto.s3.models import s3_backends

    owner = s3_backends.bucket_accounts.get(bucket)
    if owner is None or owner[1] == expected:
        return None
    return (
        b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code>'
        b"<Message>Access Denied</Message></Error>"
    )


LAKE_OPERATIONS = {"ListEventDataStores", "GetEventDataStore"}


def lake_unavailable(service, action):
    """AWS: where CloudTrail Lake is not offered, its operations answer
    `UnsupportedOperationException` (HTTP 400). moto does not implement Lake and answers an
    HTML 500, which reads as a failure and is retried; this gives AWS's answer instead."""
    if service != "cloudtrail" or action not in LAKE_OPERATIONS:
        return None
    return json.dumps(
        {
            "__type": "UnsupportedOperationException",
            "Message": "CloudTrail Lake is not supported by this endpoint",
        }
    ).encode()


def list_public_keys(service, action, body):
    """AWS: `ListPublicKeys` returns the keys whose validity overlaps [StartTime, EndTime],
    with a fingerprint that is the MD5 of the DER key. moto does not implement it."""
    path = os.environ.get("TRAILWARDEN_PUBLIC_KEYS")
    if service != "cloudtrail" or action != "ListPublicKeys" or not path:
        return None
    import base64
    import hashlib

    request = json.loads(body or b"{}")
    start = float(request.get("StartTime", 0))
    end = float(request.get("EndTime", 4e9))
    with open(path) as f:
        keys = [
            k for k in json.load(f)
            if k["ValidityStartTime"] <= end and start <= k["ValidityEndTime"]
        ]
    index = int(request.get("NextToken") or 0)
    page = []
    for key in keys[index:index + 1]:
        der = base64.b64decode(key["Value"])
        page.append(dict(key, Fingerprint=hashlib.md5(der).hexdigest()))
    answer = {"PublicKeyList": page}
    if index + 1 < len(keys):
        answer["NextToken"] = str(index + 1)
    return json.dumps(answer).encode()


def page_metric_filters(body, answer):
    """AWS: `DescribeMetricFilters` answers at most 50 filters (fewer with `limit`) and a
    `nextToken` for the rest; moto answers every filter at once, so a client that ignored
    the token would pass against moto and miss filters against AWS."""
    request = json.loads(body or b"{}")
    document = json.loads(answer)
    filters = document.get("metricFilters", [])
    start = int(request.get("nextToken") or 0)
    size = min(int(request.get("limit") or 50), 50)
    document["metricFilters"] = filters[start:start + size]
    document.pop("nextToken", None)
    if start + size < len(filters):
        document["nextToken"] = str(start + size)
    return json.dumps(document).encode()


def cache_module_list():
    """Speed only, no AWS behaviour: to route each request moto lists its own package
    directory (about 180 `stat` calls, a quarter of a request's time), so the emulator
    serializes more work per request than it needs. The list cannot change while the server
    runs: it is read once."""
    import moto.backends as backends

    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules


# --- Middleware -----------------------------------------------------------------------

CREDENTIAL_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request")


class Middleware:
    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()
        self.requests = []
        self.fail_regions = {
            r.strip() for r in os.environ.get("TRAILWARDEN_FAIL_REGIONS", "").split(",") if r.strip()
        }
        self.latency = float(os.environ.get("TRAILWARDEN_LATENCY_MS", "0")) / 1000.0
        deny = os.environ.get("TRAILWARDEN_DENY_S3")
        self.deny_s3 = re.compile(deny) if deny else None

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/_trailwarden/requests":
            with self.lock:
                body = json.dumps(self.requests).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        if path == "/_trailwarden/requests/clear":
            with self.lock:
                self.requests.clear()
            start_response("200 OK", [("Content-Length", "0")])
            return [b""]
        if path.startswith("/_trailwarden/latency/"):
            self.latency = float(path.rsplit("/", 1)[-1]) / 1000.0
            start_response("200 OK", [("Content-Length", "0")])
            return [b""]
        if path.startswith("/moto-api"):
            return self.app(environ, start_response)

        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        scope = CREDENTIAL_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
        region, service = scope.groups() if scope else ("", "")
        action = ""
        if environ.get("HTTP_X_AMZ_TARGET"):
            action = environ["HTTP_X_AMZ_TARGET"].rsplit(".", 1)[-1]
        else:
            match = re.search(r"(?:^|&)Action=([A-Za-z]+)", body.decode("utf-8", "replace"))
            if match:
                action = match.group(1)
        record = {
            "method": environ.get("REQUEST_METHOD", ""),
            "path": path,
            "query": environ.get("QUERY_STRING", ""),
            "region": region,
            "service": service,
            "action": action,
        }
        with self.lock:
            self.requests.append(record)

        if self.latency:
            time.sleep(self.latency)
        if region in self.fail_regions:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"injected failure for region " + region.encode()]

        keys = list_public_keys(service, action, body)
        if keys is not None:
            start_response(
                "200 OK",
                [("Content-Type", "application/x-amz-json-1.1"), ("Content-Length", str(len(keys)))],
            )
            return [keys]

        if (
            service == "s3"
            and record["method"] in ("GET", "HEAD")
            and self.deny_s3 is not None
            and self.deny_s3.search(path)
        ):
            denied = (
                b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
                b"<Message>Access Denied</Message></Error>"
            )
            start_response(
                "403 Forbidden",
                [("Content-Type", "application/xml"), ("Content-Length", str(len(denied)))],
            )
            return [denied]

        unsupported = lake_unavailable(service, action)
        if unsupported is not None:
            start_response(
                "400 Bad Request",
                [("Content-Type", "application/x-amz-json-1.1"), ("Content-Length", str(len(unsupported)))],
            )
            return [unsupported]

        if service == "s3":
            refused = expected_owner_mismatch(environ)
            if refused is not None:
                start_response(
                    "403 Forbidden",
                    [("Content-Type", "application/xml"), ("Content-Length", str(len(refused)))],
                )
                return [refused]

        if service == "logs" and action == "DescribeMetricFilters":
            return self.rewritten(environ, start_response, lambda answer: page_metric_filters(body, answer))
        query = environ.get("QUERY_STRING", "")
        if service == "s3" and record["method"] == "GET" and re.match(r"^versioning(=|&|$)", query):
            return self.rewritten(environ, start_response, fix_versioning_body)
        return self.app(environ, start_response)

    def rewritten(self, environ, start_response, rewrite):
        """moto's answer, with a successful body passed through `rewrite`."""
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers

        body = b"".join(self.app(environ, capture))
        if captured["status"].startswith("200"):
            body = rewrite(body)
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(body))))
        start_response(captured["status"], headers)
        return [body]


def main():
    port = int(sys.argv[1])
    restore_default_event_selectors()
    restore_partition_regions()
    allow_cloudtrail_delegated_administrator()
    deny_foreign_topic_subscriptions()
    cache_module_list()
    if os.environ.get("TRAILWARDEN_ROLES_MUST_EXIST") == "1":
        require_assumable_roles()
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(
        "127.0.0.1",
        port,
        Middleware(app),
        threaded=True,
        request_handler=MotoRequestHandler,
    )


if __name__ == "__main__":
    main()
