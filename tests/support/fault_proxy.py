"""A fault-injecting reverse proxy for trailwarden's resilience tests.

It listens on a loopback port in front of the moto server and forwards every AWS request to
it, except that, as a profile asks, it
  * delays requests (latency with jitter),
  * answers HTTP 500 or 503 in the service's own error format,
  * throttles (ThrottlingException, Throttling, RequestLimitExceeded, S3 SlowDown),
  * denies (AccessDenied / AccessDeniedException),
  * resets the connection without answering,
  * answers later than the client's timeout,
  * truncates the body (the Content-Length promises more than is sent; the connection closes),
  * answers 200 with a malformed body (the real answer cut in half, correctly framed),
  * answers 200 with an empty body.

A profile is JSON: {"seed": 7, "latency_ms": 0, "jitter_ms": 0, "slow_ms": 4000,
"faults": [{"kind": "throttle", "rate": 0.3, "operations": "REGEX"}]}. `operations` is
matched against the operation's IAM action (`cloudtrail:DescribeTrails`,
`s3:GetBucketPolicy`); the first fault whose rate draws true applies. Draws are reproducible:
they hash the seed with the request (region, method, path, query, body), the SDK's attempt
number (the `amz-sdk-request` header), the account whose credentials signed it, and how often
that request and attempt came before for that account, so the same scan meets the same faults
in any order: two accounts sending the same request (DescribeTrails in one region) draw apart,
whichever comes first. The account of a role session's access key is learnt from the
AssumeRole answers the proxy forwards; any other key stands for itself.

GET /_faults/log answers every request seen, as JSON: operation, principal, region, attempt, the
SDK's invocation id (the same for every attempt of one call), the fault injected, if any,
and the time it arrived (seconds since the proxy started).

Usage: python fault_proxy.py LISTEN_PORT UPSTREAM_PORT PROFILE_FILE
"""

import hashlib
import http.client
import json
import re
import urllib.parse
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CREDENTIAL_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request")
ACCESS_KEY = re.compile(r"Credential=([^/]+)/")
ASSUMED_KEY = re.compile(rb"<AccessKeyId>([^<]+)</AccessKeyId>")

# Signing names that differ from the service's IAM prefix.
SIGNING_NAMES = {"monitoring": "cloudwatch"}

# S3 subresources, named by the IAM action a read of them needs (as trailwarden records it).
S3_SUBRESOURCES = {
    "acl": "s3:GetBucketAcl",
    "policy": "s3:GetBucketPolicy",
    "policyStatus": "s3:GetBucketPolicyStatus",
    "logging": "s3:GetBucketLogging",
    "versioning": "s3:GetBucketVersioning",
    "lifecycle": "s3:GetLifecycleConfiguration",
    "publicAccessBlock": "s3:GetBucketPublicAccessBlock",
    "location": "s3:GetBucketLocation",
    "encryption": "s3:GetEncryptionConfiguration",
    "object-lock": "s3:GetBucketObjectLockConfiguration",
    "ownershipControls": "s3:GetBucketOwnershipControls",
    "tagging": "s3:GetBucketTagging",
    "replication": "s3:GetReplicationConfiguration",
    "notification": "s3:GetBucketNotification",
}


def operation_of(method, path, query, headers, body):
    """(service, IAM action) of a signed AWS request."""
    scope = CREDENTIAL_SCOPE.search(headers.get("Authorization", ""))
    region, service = scope.groups() if scope else ("", "")
    # The signing name where it is not the IAM prefix (CloudWatch signs as "monitoring").
    service = SIGNING_NAMES.get(service, service)
    target = headers.get("X-Amz-Target")
    if target:
        return region, f"{service}:{target.rsplit('.', 1)[-1]}"
    if service == "s3":
        if path.startswith("/v20180820/configuration/publicAccessBlock"):
            return region, "s3:GetAccountPublicAccessBlock"
        keys = [part.split("=", 1)[0] for part in query.split("&") if part]
        for key in keys:
            if key in S3_SUBRESOURCES:
                return region, S3_SUBRESOURCES[key]
        bucket_and_key = path.lstrip("/").split("/", 1)
        if len(bucket_and_key) == 2 and bucket_and_key[1]:
            return region, "s3:GetObject"
        return region, "s3:ListBucket"
    match = re.search(r"(?:^|&)Action=([A-Za-z0-9]+)", body.decode("utf-8", "replace"))
    action = match.group(1) if match else method
    return region, f"{service}:{action}"


def protocol_of(service, headers):
    if headers.get("X-Amz-Target"):
        return "json"
    if service == "s3":
        return "s3"
    if service == "ec2":
        return "ec2"
    return "query"


# (HTTP status, JSON __type, query/EC2 code, S3 code) per fault kind.
ERRORS = {
    "http500": (500, "InternalFailure", "InternalFailure", "InternalError"),
    "http503": (503, "ServiceUnavailableException", "ServiceUnavailable", "ServiceUnavailable"),
    "throttle": (400, "ThrottlingException", "Throttling", "SlowDown"),
    "denied": (403, "AccessDeniedException", "AccessDenied", "AccessDenied"),
}


def error_answer(kind, protocol):
    """(status, content type, body) of an injected AWS error in the protocol's own format."""
    status, json_type, query_code, s3_code = ERRORS[kind]
    message = f"injected {kind}"
    if protocol == "json":
        if kind == "denied":
            status = 400
        body = json.dumps({"__type": json_type, "message": message}).encode()
        return status, "application/x-amz-json-1.1", body
    if protocol == "s3":
        if kind == "throttle":
            status = 503
        body = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{s3_code}</Code>'
            f"<Message>{message}</Message><RequestId>fault</RequestId></Error>"
        ).encode()
        return status, "application/xml", body
    if protocol == "ec2":
        code = "RequestLimitExceeded" if kind == "throttle" else query_code
        if kind == "denied":
            code, status = "UnauthorizedOperation", 403
        body = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>{code}</Code>'
            f"<Message>{message}</Message></Error></Errors><RequestID>fault</RequestID></Response>"
        ).encode()
        return status, "text/xml", body
    body = (
        f'<ErrorResponse><Error><Type>Sender</Type><Code>{query_code}</Code>'
        f"<Message>{message}</Message></Error><RequestId>fault</RequestId></ErrorResponse>"
    ).encode()
    return status, "text/xml", body


def draw(seed, *parts):
    """A reproducible number in [0, 1) for this seed and request."""
    digest = hashlib.sha256(repr((seed,) + parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


class Proxy:
    def __init__(self, upstream_port, profile):
        self.upstream_port = upstream_port
        self.seed = profile.get("seed", 0)
        self.latency = profile.get("latency_ms", 0) / 1000.0
        self.jitter = profile.get("jitter_ms", 0) / 1000.0
        self.slow = profile.get("slow_ms", 4000) / 1000.0
        self.faults = [
            dict(fault, pattern=re.compile(fault.get("operations", ".*")))
            for fault in profile.get("faults", [])
        ]
        self.lock = threading.Lock()
        self.log = []
        self.local = threading.local()
        self.seen = {}
        # Access key id -> the account of the role session it belongs to.
        self.principals = {}
        self.started = time.monotonic()

    def principal(self, headers):
        """The account whose credentials signed the request, or the access key itself."""
        match = ACCESS_KEY.search(headers.get("Authorization", ""))
        key_id = match.group(1) if match else ""
        with self.lock:
            return self.principals.get(key_id, key_id)

    def learn_session(self, request_body, answer):
        """Remembers which account an AssumeRole answer's access key belongs to."""
        form = urllib.parse.parse_qs(request_body.decode("utf-8", "replace"))
        role_arn = (form.get("RoleArn") or [""])[0].split(":")
        key = ASSUMED_KEY.search(answer)
        if key and len(role_arn) > 4:
            with self.lock:
                self.principals[key.group(1).decode()] = role_arn[4]

    def fault_for(self, operation, key, attempt):
        for index, fault in enumerate(self.faults):
            if fault["pattern"].fullmatch(operation) and draw(self.seed, index, key, attempt) < fault["rate"]:
                return fault["kind"]
        return None

    def upstream(self, fresh=False):
        connection = getattr(self.local, "connection", None)
        if connection is None or fresh:
            if connection is not None:
                connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", self.upstream_port, timeout=120)
            self.local.connection = connection
        return connection

    def forward(self, method, path, headers, body):
        """Moto's answer: (status, reason, headers, body)."""
        for attempt in (0, 1):
            connection = self.upstream(fresh=attempt == 1)
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                data = response.read()
                return response.status, response.reason, response.getheaders(), data
            except (http.client.HTTPException, OSError):
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    proxy = None  # set by main()

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def handle_any(self):
        proxy = self.proxy
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path, _, query = self.path.partition("?")
        if path == "/_faults/log":
            with proxy.lock:
                answer = json.dumps(proxy.log).encode()
            return self.answer(200, "OK", [("Content-Type", "application/json")], answer)

        region, operation = operation_of(self.command, path, query, self.headers, body)
        attempt_header = self.headers.get("amz-sdk-request", "")
        attempt = int((re.search(r"attempt=(\d+)", attempt_header) or [0, "1"])[1])
        budget = re.search(r"max=(\d+)", attempt_header)
        principal = proxy.principal(self.headers)
        key = (principal, region, self.command, path, query, hashlib.sha256(body).hexdigest())
        with proxy.lock:
            # The same request sent again as a new call (a client's own retry of a broken
            # transfer) is a new draw: the nth sending of it is part of the key.
            occurrence = proxy.seen.get((key, attempt), 0)
            proxy.seen[(key, attempt)] = occurrence + 1
        fault = proxy.fault_for(operation, key + (occurrence,), attempt)
        with proxy.lock:
            proxy.log.append(
                {
                    "operation": operation,
                    "principal": principal,
                    "region": region,
                    "path": path,
                    "attempt": attempt,
                    "max_attempts": int(budget[1]) if budget else None,
                    "invocation": self.headers.get("amz-sdk-invocation-id", ""),
                    "fault": fault,
                    "time": round(time.monotonic() - proxy.started, 3),
                }
            )

        if proxy.latency or proxy.jitter:
            time.sleep(proxy.latency + proxy.jitter * draw(proxy.seed, "jitter", key, attempt))
        service = operation.split(":", 1)[0]
        protocol = protocol_of(service, self.headers)
        if fault in ERRORS:
            status, content_type, answer = error_answer(fault, protocol)
            return self.answer(status, "Injected", [("Content-Type", content_type)], answer)
        if fault == "reset":
            return self.reset()
        if fault == "slow":
            time.sleep(proxy.slow)

        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "keep-alive")}
        status, reason, response_headers, answer = proxy.forward(self.command, self.path, headers, body)
        if operation == "sts:AssumeRole" and status == 200:
            proxy.learn_session(body, answer)
        response_headers = [
            (k, v)
            for k, v in response_headers
            if k.lower() not in ("content-length", "transfer-encoding", "connection", "keep-alive", "server", "date")
        ]
        if fault == "truncate":
            return self.truncated(status, reason, response_headers, answer)
        if fault == "empty" and self.command != "HEAD":
            answer = b""
            status, reason = 200, "OK"
        if fault == "malformed" and self.command != "HEAD":
            answer = answer[: len(answer) // 2] if len(answer) > 1 else b"<"
            status, reason = 200, "OK"
        return self.answer(status, reason, response_headers, answer)

    def answer(self, status, reason, headers, body):
        self.send_response_only(status, reason)
        for key, value in headers:
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.wfile.flush()

    def truncated(self, status, reason, headers, body):
        """Promises the whole body, sends a part, and hangs up."""
        self.send_response_only(status, reason)
        for key, value in headers:
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body) + 64))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body[: len(body) // 2])
        self.wfile.flush()
        self.reset()

    def reset(self):
        """Closes the connection with a TCP reset, as a dropped connection looks."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = handle_any


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def handle_error(self, request, client_address):
        # A client that gave up (a timeout) or a reset we made: nothing to report.
        pass


def main():
    listen_port, upstream_port, profile_path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    with open(profile_path) as f:
        profile = json.load(f)
    Handler.proxy = Proxy(upstream_port, profile)
    Server(("127.0.0.1", listen_port), Handler).serve_forever()


if __name__ == "__main__":
    main()
