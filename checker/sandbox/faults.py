"""Fault injection for the sandbox: latency, per-operation throttling and AccessDenied.

A `FaultPlan` is plain data (set at start, swapped at runtime); a `FaultInjector` applies it to
each request before routing. Throttling and AccessDenied answer with the error code, HTTP status
and protocol the real service uses, so botocore's retry logic treats them as it would in AWS.

Operation patterns are ``service:Operation`` with botocore's service name (``connect``,
``lambda``, ``events``, ``scheduler``, ``iam``, ``sts``, ``cloudwatch``) and ``*`` wildcards:
``connect:SearchContactFlows``, ``connect:*``, ``*:List*``.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase

from checker.sandbox.wire import HttpResponse, Identified, error_response, error_status

# (code, status) each service answers a throttled request with.
THROTTLING_ERRORS: dict[str, tuple[str, int]] = {
    "connect": ("TooManyRequestsException", 429),
    "lambda": ("TooManyRequestsException", 429),
    "events": ("ThrottlingException", 400),
    "scheduler": ("ThrottlingException", 429),
    "iam": ("Throttling", 400),
    "sts": ("Throttling", 400),
    "cloudwatch": ("Throttling", 400),
    "organizations": ("TooManyRequestsException", 400),
}
# Fallback per protocol for a service not listed above.
_PROTOCOL_THROTTLING = {
    "json": ("ThrottlingException", 400),
    "query": ("Throttling", 400),
    "smithy-rpc-v2-cbor": ("ThrottlingException", 400),
}
_SPEC = re.compile(r"^(?P<kind>latency|throttle|deny)=(?P<value>.+)$")
_THROTTLE = re.compile(r"^(?P<op>[^@]+)@(?P<rate>\d+(?:\.\d+)?)/(?P<burst>\d+)$")
_OPERATION = re.compile(r"^[a-z0-9*-]+:[A-Za-z0-9*]+$")


@dataclass(frozen=True)
class RateLimit:
    """A token bucket per matching operation: `rate` requests a second, bursts up to `burst`."""

    operation: str
    rate: float
    burst: int

    def __post_init__(self) -> None:
        _check_operation(self.operation)
        if self.rate <= 0 or self.burst < 1:
            raise ValueError(f"rate limit for {self.operation} needs rate > 0 and burst >= 1")


@dataclass(frozen=True)
class FaultPlan:
    """What to break: a fixed latency, rate limits, and operations answered with AccessDenied."""

    latency_ms: int = 0
    rate_limits: tuple[RateLimit, ...] = ()
    access_denied: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.latency_ms < 0:
            raise ValueError("latency_ms must not be negative")
        for pattern in self.access_denied:
            _check_operation(pattern)

    def with_latency(self, latency_ms: int) -> FaultPlan:
        return replace(self, latency_ms=latency_ms)

    @classmethod
    def parse(cls, specs: Iterable[str], *, latency_ms: int = 0) -> FaultPlan:
        """Build a plan from command-line specs.

        ``latency=MS``, ``throttle=SERVICE:OPERATION@RATE/BURST`` (e.g.
        ``throttle=connect:SearchContactFlows@2/5``), ``deny=SERVICE:OPERATION``.
        """
        limits: list[RateLimit] = []
        denied: list[str] = []
        for spec in specs:
            match = _SPEC.match(spec.strip())
            if match is None:
                raise ValueError(
                    f"bad fault {spec!r}: expected latency=MS, "
                    "throttle=SERVICE:OPERATION@RATE/BURST or deny=SERVICE:OPERATION"
                )
            kind, value = match["kind"], match["value"]
            if kind == "latency":
                if not value.isdigit():
                    raise ValueError(f"bad fault {spec!r}: latency is whole milliseconds")
                latency_ms = int(value)
            elif kind == "throttle":
                throttle = _THROTTLE.match(value)
                if throttle is None:
                    raise ValueError(f"bad fault {spec!r}: expected SERVICE:OPERATION@RATE/BURST")
                limits.append(
                    RateLimit(throttle["op"], float(throttle["rate"]), int(throttle["burst"]))
                )
            else:
                _check_operation(value)
                denied.append(value)
        return cls(latency_ms, tuple(limits), tuple(denied))


def _check_operation(pattern: str) -> None:
    if not _OPERATION.match(pattern):
        raise ValueError(f"bad operation {pattern!r}: expected service:Operation, * allowed")


class _TokenBucket:
    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = float(burst)
        self.tokens = float(burst)
        self.stamp = time.monotonic()

    def refill(self) -> None:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now


class FaultInjector:
    """Applies a `FaultPlan` to requests; thread-safe, buckets restart when the plan changes."""

    def __init__(self, plan: FaultPlan | None = None) -> None:
        self._lock = threading.Lock()
        self._plan = plan or FaultPlan()
        self._buckets: dict[tuple[int, str, str], _TokenBucket] = {}

    @property
    def plan(self) -> FaultPlan:
        with self._lock:
            return self._plan

    def set_plan(self, plan: FaultPlan | None) -> None:
        with self._lock:
            self._plan = plan or FaultPlan()
            self._buckets = {}

    def latency_seconds(self) -> float:
        return self.plan.latency_ms / 1000.0

    def intercept(self, what: Identified, account: Callable[[], str]) -> HttpResponse | None:
        """The fault response for this request, or None to let it through."""
        key = what.key
        plan = self._plan
        # AWS's quotas are per account and Region: so are the sandbox's buckets.
        limited = any(fnmatchcase(key, limit.operation) for limit in plan.rate_limits)
        owner = f"{account()}/{what.caller.region if what.caller else ''}" if limited else ""
        with self._lock:
            plan = self._plan
            denied = any(fnmatchcase(key, pattern) for pattern in plan.access_denied)
            if not denied and not self._take_tokens(plan, key, owner):
                return throttled(what)
        return access_denied(what, account()) if denied else None

    def _take_tokens(self, plan: FaultPlan, key: str, owner: str) -> bool:
        buckets = []
        for index, limit in enumerate(plan.rate_limits):
            if fnmatchcase(key, limit.operation):
                # One bucket per API, account and Region, as AWS throttles each separately.
                name = (index, owner, key)
                bucket = self._buckets.get(name)
                if bucket is None:
                    bucket = self._buckets[name] = _TokenBucket(limit.rate, limit.burst)
                bucket.refill()
                buckets.append(bucket)
        if any(bucket.tokens < 1 for bucket in buckets):
            return False
        for bucket in buckets:
            bucket.tokens -= 1
        return True


def throttled(what: Identified) -> HttpResponse:
    """The service's own throttling error."""
    service = what.service
    code, status = THROTTLING_ERRORS.get(service or "", ("", 0))
    if not code:
        code, status = _PROTOCOL_THROTTLING.get(what.protocol, ("ThrottlingException", 429))
    return error_response(what.protocol, service, code, "Rate exceeded", status)


def access_denied(what: Identified, account: str) -> HttpResponse:
    """AccessDenied the way the service's protocol says it: query services differ."""
    service = what.service or "unknown"
    action = f"{service}:{what.operation or 'unknown'}"
    message = (
        f"User: arn:aws:iam::{account}:user/sandbox is not authorized to perform: {action} "
        f"because no identity-based policy allows the {action} action"
    )
    if what.protocol == "query":
        return error_response("query", service, "AccessDenied", message, 403)
    # awsJson services answer 400 (events:PutRule does in the wild); rest services 403.
    default = 400 if what.protocol == "json" else 403
    status = error_status(what.service, "AccessDeniedException", default)
    return error_response(what.protocol, what.service, "AccessDeniedException", message, status)
