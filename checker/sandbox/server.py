"""The sandbox's front door: one HTTP server on 127.0.0.1 that every AWS client reaches.

Each request is identified (service from the SigV4 credential scope, operation from the
protocol), counted, delayed and possibly failed by the fault plan, then routed: Connect is served
from memory, Lambda's per-qualifier policies and provisioned concurrency by the overlay, and
everything else is forwarded to moto unchanged.

One path is the sandbox's own, never AWS's: ``/_sandbox/faults`` reads (GET) or replaces (PUT)
the fault plan of a running sandbox, e.g. one started by ``python -m checker.sandbox serve`` in
another process, as ``{"latency_ms": 50, "faults": ["throttle=connect:*@2/5"]}`` with the specs
of ``serve --fault``. It is neither delayed, faulted nor counted, and like everything here it
listens on 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from checker.sandbox.connect import ConnectBackend
from checker.sandbox.faults import FaultInjector, FaultPlan
from checker.sandbox.lambda_overlay import OPERATIONS as LAMBDA_OVERLAY_OPERATIONS
from checker.sandbox.lambda_overlay import LambdaOverlay
from checker.sandbox.metrics import (
    LOG_QUERY_OPERATIONS,
    METRIC_OPERATIONS,
    LogsBackend,
    MetricsBackend,
    decode_cbor_request,
    encode_cbor_response,
    json_response,
)
from checker.sandbox.upstream import MotoUpstream
from checker.sandbox.wire import (
    ApiError,
    HttpRequest,
    HttpResponse,
    Identified,
    decode_rest_json,
    encode_rest_json,
    error_response,
    error_status,
    identify,
    problems,
    service_model,
)

_log = logging.getLogger(__name__)

# The error code each self-served service uses for a request that breaks the model.
_VALIDATION_ERRORS = {
    "connect": "InvalidParameterException",
    "lambda": "InvalidParameterValueException",
}
_INTERNAL_ERRORS = {"connect": "InternalServiceException", "lambda": "ServiceException"}
# Lambda operations after which the overlay forgets what moto deleted (operation -> is an alias).
_ROLE_ARN = re.compile(r"^arn:aws:iam::(?P<account>\d{12}):role/(?:.*/)?(?P<name>[^/]+)$")
_LAMBDA_DELETIONS = {"DeleteFunction": False, "DeleteAlias": True}
FAULTS_PATH = "/_sandbox/faults"


class FrontServer:
    """The routing HTTP server; `start()` binds 127.0.0.1:`port` (0 = a free port)."""

    def __init__(self, upstream: MotoUpstream, faults: FaultInjector, *, port: int = 0) -> None:
        self.upstream = upstream
        self.faults = faults
        self.connect = ConnectBackend()
        self.lambda_overlay = LambdaOverlay(upstream)
        self.metrics = MetricsBackend()
        self.logs = LogsBackend()
        self._calls: Counter[str] = Counter()
        self._calls_lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self._httpd = _HttpServer(("127.0.0.1", port), _Handler, self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="warmcheck-sandbox", daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop accepting and drop open keep-alive connections, so the endpoint is really down."""
        self._httpd.shutdown()
        self._httpd.server_close()
        with self._connections_lock:
            for connection in self._connections:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
        self._thread.join(timeout=10)

    def calls(self) -> dict[str, int]:
        with self._calls_lock:
            return dict(sorted(self._calls.items()))

    def reset_calls(self) -> None:
        with self._calls_lock:
            self._calls.clear()

    def reset_state(self) -> None:
        """Forget everything the sandbox itself holds (moto is reset separately)."""
        self.connect.reset()
        self.lambda_overlay.reset()
        self.metrics.reset()
        self.logs.reset()

    def track(self, connection: socket.socket, *, open_: bool) -> None:
        with self._connections_lock:
            if open_:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    # -- routing --------------------------------------------------------------------------

    def dispatch(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/moto-api/"):
            response = self.upstream.send(request)
            if request.path.rstrip("/") == "/moto-api/reset" and response.status < 300:
                self.reset_state()
            return response
        if request.path == FAULTS_PATH:
            return self._faults_control(request)
        what = identify(request)
        with self._calls_lock:
            self._calls[what.key] += 1
        delay = self.faults.latency_seconds()
        if delay:
            time.sleep(delay)
        account = _Lazy(lambda: self.upstream.account_of(what.caller, request))
        fault = self.faults.intercept(what, account)
        if fault is not None:
            return fault
        if what.service == "sts" and what.operation == "AssumeRole":
            refused = self._refuse_untrusted(what, request, account)
            if refused is not None:
                return refused
        if what.service == "connect":
            return self._serve(what, request, account)
        if what.service == "lambda" and what.operation in LAMBDA_OVERLAY_OPERATIONS:
            return self._serve(what, request, account)
        if what.service in ("cloudwatch", "logs") and what.operation in (
            METRIC_OPERATIONS | LOG_QUERY_OPERATIONS
        ):
            return self._serve_evidence(what, request, account)
        response = self.upstream.send(request)
        if what.service == "lambda" and what.operation == "ListFunctions":
            return _page_functions(request, response)
        if (
            what.service == "logs"
            and what.operation == "PutLogEvents"
            and response.status < 300
            and what.caller is not None
        ):
            self.logs.copy_events(request, account(), what.caller.region)
        if (
            what.service == "lambda"
            and what.operation in _LAMBDA_DELETIONS
            and response.status < 300
        ):
            self._forget_lambda(what, request, account)
        return response

    def _faults_control(self, request: HttpRequest) -> HttpResponse:
        """GET: the fault plan; PUT: replace it (rate-limit buckets start full again)."""
        if request.method == "PUT":
            try:
                body = json.loads(request.body or b"{}")
                if not isinstance(body, dict) or set(body) - {"latency_ms", "faults"}:
                    raise ValueError('expected {"latency_ms": MS, "faults": [SPEC, ...]}')
                latency, specs = body.get("latency_ms", 0), body.get("faults", [])
                if not isinstance(latency, int) or not isinstance(specs, list):
                    raise ValueError("latency_ms is whole milliseconds, faults a list of specs")
                plan = FaultPlan.parse([str(spec) for spec in specs], latency_ms=latency)
            except ValueError as error:
                return _json_response(400, {"error": str(error)})
            self.faults.set_plan(plan)
        elif request.method != "GET":
            return _json_response(405, {"error": f"{FAULTS_PATH} answers GET and PUT"})
        return _json_response(200, plan_json(self.faults.plan))

    def _serve(self, what: Identified, request: HttpRequest, account: _Lazy) -> HttpResponse:
        service = what.service or ""
        try:
            if what.operation is None or what.caller is None:
                raise ApiError("UnknownOperationException", f"no {service} operation here", 404)
            operation = service_model(service).operation_model(what.operation)
            params = decode_rest_json(operation, request, what.labels)
            if operation.input_shape is not None:
                found = problems(operation.input_shape, params, what.operation)
                if found:
                    raise ApiError(_VALIDATION_ERRORS[service], "; ".join(found[:5]), 400)
            if service == "connect":
                result = self.connect.handle(what.operation, params, account(), what.caller.region)
            else:
                result = self.lambda_overlay.handle(
                    what.operation, params, what.caller, request, account()
                )
            return encode_rest_json(operation, result)
        except ApiError as error:
            status = error.status or error_status(service, error.code, 400)
            return error_response("rest-json", service, error.code, error.message, status)
        except Exception as error:  # a sandbox bug: answer like AWS's 500 and keep serving
            _log.exception("sandbox failed on %s", what.key)
            code = _INTERNAL_ERRORS.get(service, "InternalFailure")
            return error_response("rest-json", service, code, f"sandbox error: {error}", 500)

    def _serve_evidence(
        self, what: Identified, request: HttpRequest, account: _Lazy
    ) -> HttpResponse:
        """CloudWatch metrics (CBOR) and Logs Insights (JSON), served from seeded data."""
        service = what.service or ""
        protocol = what.protocol
        try:
            if what.operation is None or what.caller is None:
                raise ApiError("UnknownOperationException", f"no {service} operation here", 404)
            region = what.caller.region
            cbor = protocol == "smithy-rpc-v2-cbor"
            params = decode_cbor_request(request) if cbor else json.loads(request.body or b"{}")
            backend = self.metrics if service == "cloudwatch" else self.logs
            result = backend.handle(what.operation, params, account(), region)
            if cbor:
                return encode_cbor_response(what.operation, result)
            return json_response(result)
        except ApiError as error:
            return error_response(protocol, service, error.code, error.message, error.status or 400)
        except Exception as error:  # a sandbox bug: answer like AWS's 500 and keep serving
            _log.exception("sandbox failed on %s", what.key)
            return error_response(
                protocol, service, "InternalFailure", f"sandbox error: {error}", 500
            )

    def _refuse_untrusted(
        self, what: Identified, request: HttpRequest, account: _Lazy
    ) -> HttpResponse | None:
        """AccessDenied, as AWS words a trust-policy refusal, for a role that does not exist
        (moto assumes any role ARN; a member without warmcheck's role must be refused)."""
        if what.caller is None:
            return None
        fields = parse_qs(request.body.decode("utf-8", "replace"))
        role_arn = (fields.get("RoleArn") or [""])[0]
        match = _ROLE_ARN.match(role_arn)
        if match is None:
            return None
        if self.upstream.role_exists(what.caller, request, match["account"], match["name"]):
            return None
        message = (
            f"User: arn:aws:iam::{account()}:user/sandbox is not authorized to perform: "
            f"sts:AssumeRole on resource: {role_arn} because no resource-based policy allows "
            "the sts:AssumeRole action"
        )
        return error_response("query", "sts", "AccessDenied", message, 403)

    def _forget_lambda(self, what: Identified, request: HttpRequest, account: _Lazy) -> None:
        if what.caller is None or what.operation is None:
            return
        operation = service_model("lambda").operation_model(what.operation)
        params = decode_rest_json(operation, request, what.labels)
        self.lambda_overlay.forget(
            params, what.caller, account(), alias=_LAMBDA_DELETIONS[what.operation]
        )


def _page_functions(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """moto's ListFunctions ignores MaxItems and Marker: page its answer as Lambda does (the
    marker is an offset), so a client pays one call per page here too."""
    if response.status != 200:
        return response
    query = request.query
    size = min(int((query.get("MaxItems") or ["50"])[0]), 50)
    start = int((query.get("Marker") or ["0"])[0] or 0)
    body = json.loads(response.body)
    functions = body.get("Functions") or []
    body["Functions"] = functions[start : start + size]
    body.pop("NextMarker", None)
    if start + size < len(functions):
        body["NextMarker"] = str(start + size)
    return _json_response(200, body)


def plan_json(plan: FaultPlan) -> dict[str, Any]:
    """A fault plan as ``/_sandbox/faults`` speaks it: the specs ``serve --fault`` takes."""
    faults = [
        f"throttle={limit.operation}@{format(Decimal(repr(limit.rate)), 'f')}/{limit.burst}"
        for limit in plan.rate_limits
    ]
    faults += [f"deny={operation}" for operation in plan.access_denied]
    return {"latency_ms": plan.latency_ms, "faults": faults}


def _json_response(status: int, body: dict[str, Any]) -> HttpResponse:
    return HttpResponse(status, (("Content-Type", "application/json"),), json.dumps(body).encode())


class _Lazy:
    """A value computed on first use (the account costs a call to moto's STS)."""

    def __init__(self, compute: Callable[[], str]) -> None:
        self._compute = compute
        self._value: str | None = None

    def __call__(self) -> str:
        if self._value is None:
            self._value = self._compute()
        return self._value


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: Any, front: FrontServer) -> None:
        self.front = front
        super().__init__(address, handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 120
    # Headers and body go out in two writes; with Nagle on, delayed ACKs add 40 ms a request.
    disable_nagle_algorithm = True
    server: _HttpServer

    def setup(self) -> None:
        super().setup()
        self.server.front.track(self.connection, open_=True)

    def finish(self) -> None:
        self.server.front.track(self.connection, open_=False)
        super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request log; tests and the CLI keep their output clean."""

    def _handle(self) -> None:
        body = self._read_body()
        request = HttpRequest(self.command, self.path, tuple(self.headers.items()), body)
        try:
            response = self.server.front.dispatch(request)
        except Exception as error:  # moto unreachable or a bug: a 502 the client can see
            _log.exception("sandbox dispatch failed")
            response = HttpResponse(502, (("Content-Type", "text/plain"),), str(error).encode())
        self.send_response_only(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline().strip():
                        pass  # trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _handle  # noqa: N815
