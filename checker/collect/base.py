"""What every collector shares: the read-only allow-list, clients, call counting, error capture.

Every client warmcheck builds goes through `ClientFactory`, which hooks three things into it:

- the read-only guard: a ``provide-client-params`` handler, the first thing botocore runs for a
  call, refuses any ``service:Operation`` not on `ALLOWED_OPERATIONS` with `ReadOnlyViolation`
  before a request exists;
- the call counter: the same handler counts each API call (each page of a paginator is one);
- for Connect and Lambda, client-side token buckets (`SERVICE_LIMITS`), taken in ``before-send``
  so that botocore's retries pay for their requests too.

`Recorder.attempt` runs one read and turns an AWS error that survived botocore's (adaptive)
retries into a `CollectionFailure`; the caller keeps the field it was filling at ``None``.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, TypeVar, cast

import boto3
import botocore.session
from botocore.config import Config
from botocore.configprovider import BOTOCORE_DEFAUT_SESSION_VARIABLES
from botocore.credentials import Credentials
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    DataNotFoundError,
    NoCredentialsError,
    OperationNotPageableError,
    ParamValidationError,
    StubResponseError,
    UnknownServiceError,
)

from checker.errors import CheckerError
from checker.model.snapshot import NO_CREDENTIALS_CODE, CollectionFailure

if TYPE_CHECKING:
    from botocore.model import OperationModel
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_connect import ConnectClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_iam import IAMClient
    from mypy_boto3_lambda import LambdaClient
    from mypy_boto3_logs import CloudWatchLogsClient
    from mypy_boto3_scheduler import EventBridgeSchedulerClient
    from mypy_boto3_sts import STSClient

T = TypeVar("T")

# Every AWS operation warmcheck may call, as "botocore service name:Operation".
ALLOWED_OPERATIONS: Final = frozenset(
    {
        "sts:GetCallerIdentity",
        "connect:ListInstances",
        "connect:DescribeInstance",
        "connect:SearchContactFlows",
        "connect:DescribeContactFlow",
        "connect:SearchContactFlowModules",
        "connect:DescribeContactFlowModule",
        "connect:ListLambdaFunctions",
        "connect:ListHoursOfOperations",
        "connect:DescribeHoursOfOperation",
        "connect:GetEffectiveHoursOfOperations",
        "connect:ListHoursOfOperationOverrides",
        "events:ListRules",
        "events:ListTargetsByRule",
        "scheduler:ListSchedules",
        "scheduler:GetSchedule",
        "lambda:GetFunctionConfiguration",
        "lambda:ListFunctions",
        "lambda:ListAliases",
        "lambda:GetPolicy",
        "lambda:ListProvisionedConcurrencyConfigs",
        "lambda:GetFunctionConcurrency",
        "cloudwatch:GetMetricData",
        "logs:DescribeLogGroups",
        "logs:StartQuery",
        "logs:GetQueryResults",
        "logs:StopQuery",
        "iam:ListRolePolicies",
        "iam:GetRolePolicy",
        "iam:ListAttachedRolePolicies",
        "iam:GetPolicy",
        "iam:GetPolicyVersion",
        # Organizations: discovery from the management (or delegated-admin) account, and the
        # role assumed in each member. Granted by warmcheck-discovery.json, not the member role.
        *(
            "organizations:ListAccounts",
            "organizations:ListRoots",
            "organizations:ListOrganizationalUnitsForParent",
            "organizations:ListAccountsForParent",
            "organizations:ListTagsForResource",
            "sts:AssumeRole",
        ),
    }
)
# What the caller needs to discover the organization and reach its members (the management
# account's policy); every other operation is granted by the member role.
DISCOVERY_OPERATIONS: Final = frozenset(
    op for op in ALLOWED_OPERATIONS if op.startswith("organizations:") or op == "sts:AssumeRole"
)

# Runtime evidence: these reads are refused unless the run asked for that kind of evidence, so a
# run without evidence cannot touch CloudWatch or Logs (and Logs Insights, which is billed).
EVIDENCE_OPERATIONS: Final[Mapping[str, frozenset[str]]] = {
    "metrics": frozenset({"cloudwatch:GetMetricData"}),
    "logs": frozenset(
        {"logs:DescribeLogGroups", "logs:StartQuery", "logs:GetQueryResults", "logs:StopQuery"}
    ),
}


def allowed_operations(evidence: Iterable[str] = ()) -> frozenset[str]:
    """The allow-list for a run: every read but the evidence kinds it did not ask for."""
    wanted = set(evidence)
    refused = {op for kind, ops in EVIDENCE_OPERATIONS.items() if kind not in wanted for op in ops}
    return ALLOWED_OPERATIONS - refused


# IAM actions an operation needs beyond the one of its own name: the Service Authorization
# Reference's "dependent actions" (Connect's instance reads need Directory Service's listing,
# the Search APIs need the matching Describe permission).
_DEPENDENT_ACTIONS: Final[Mapping[str, tuple[str, ...]]] = {
    "connect:ListInstances": ("ds:DescribeDirectories",),
    "connect:DescribeInstance": ("ds:DescribeDirectories",),
    "connect:SearchContactFlows": ("connect:DescribeContactFlow",),
    "connect:SearchContactFlowModules": ("connect:DescribeContactFlowModule",),
}


def iam_actions(operation: str) -> tuple[str, ...]:
    """The IAM actions one allowed operation needs (every prefix here equals the service name)."""
    if operation not in ALLOWED_OPERATIONS:
        raise KeyError(operation)
    return (operation, *_DEPENDENT_ACTIONS.get(operation, ()))


def required_iam_actions() -> frozenset[str]:
    """Every IAM action the read-only (member) policy must grant: what the allow-list needs
    but discovery."""
    return frozenset(
        action for op in ALLOWED_OPERATIONS - DISCOVERY_OPERATIONS for action in iam_actions(op)
    )


def discovery_iam_actions() -> frozenset[str]:
    """Every IAM action the management account's discovery policy must grant."""
    return frozenset(action for op in DISCOVERY_OPERATIONS for action in iam_actions(op))


class ReadOnlyViolation(CheckerError):  # noqa: N818 (the name the design gives it)
    """warmcheck tried to call an AWS operation that is not on its read-only allow-list."""

    exit_code = 4

    def __init__(self, operation: str) -> None:
        super().__init__(
            f"internal error: warmcheck tried to call {operation}, which is not on its "
            "read-only allow-list; the call was refused before it was sent",
            hint="this is a bug in warmcheck: please report it with the command you ran",
        )
        self.operation = operation


# --- retries, pools, throttling ------------------------------------------------------------

# Attempts per call (initial one included) unless AWS_MAX_ATTEMPTS / max_attempts says otherwise.
DEFAULT_MAX_ATTEMPTS: Final = 8
# Connect's documented default quota: 2 requests per second per API, bursts of 5.
CONNECT_RATE_PER_SECOND: Final = 2.0
CONNECT_BURST: Final = 5
# Lambda's control-plane quotas, per account and Region (Lambda Developer Guide, "Lambda quotas",
# section "Lambda API requests"; neither can be increased): GetPolicy 15 requests/s; "the
# remainder of the control plane API requests (excludes invocation, GetFunction, and GetPolicy
# requests)" 15 requests/s *across all APIs*, which covers GetFunctionConfiguration, ListAliases
# and ListProvisionedConcurrencyConfigs together. The quotas are the whole account's: a
# deployment pipeline running during a scan shares them. warmcheck takes two thirds of each and
# bursts of 2, so it stays well under even in its first second.
LAMBDA_RATE_PER_SECOND: Final = 10.0
LAMBDA_BURST: Final = 2
# Added to a wait, never to the schedule: a client bucket equal to the server's would otherwise
# land a request a few ms before the server's token is back (the first request of a burst is
# often the slowest to arrive, e.g. while its connection opens). Slots stay 1/rate apart, so
# this delays a paced run once, not once per request.
BUCKET_MARGIN_SECONDS: Final = 0.05


class TokenBucket:
    """`rate` tokens a second up to `burst`; `acquire` waits its turn (reservations are FIFO).

    A caller that has to wait sleeps until its token is there plus `margin`; the margin shifts
    when requests go out without spreading them apart.
    """

    def __init__(
        self,
        rate: float,
        burst: int,
        *,
        margin: float = BUCKET_MARGIN_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("a token bucket needs rate > 0 and burst >= 1")
        if margin < 0:
            raise ValueError("a token bucket's margin cannot be negative")
        self._rate = rate
        self._burst = float(burst)
        self._tokens = float(burst)
        self._margin = margin
        self._clock = clock
        self._sleep = sleep
        self._stamp = clock()
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """Take one token now or reserve the next free one, without waiting: the seconds until
        it may be used (margin included; 0 when it is there now)."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self._burst, self._tokens + (now - self._stamp) * self._rate)
            self._stamp = now
            # Going negative reserves a future token, so concurrent callers queue in order.
            self._tokens -= 1.0
            wait = -self._tokens / self._rate if self._tokens < 0 else 0.0
        return wait + self._margin if wait > 0 else 0.0

    def acquire(self) -> float:
        """Take one token, sleeping until it is there; returns the seconds slept."""
        wait = self.reserve()
        if wait > 0:
            self._sleep(wait)
        return wait


@dataclass(frozen=True)
class Quota:
    """A client-side token bucket's size: `rate` requests a second, bursts of `burst`."""

    rate: float
    burst: int


@dataclass(frozen=True)
class ServiceLimits:
    """How one service's requests are paced, per region.

    `per_operation`: every API has its own `default` bucket (Connect); otherwise the APIs share
    one (Lambda's control plane). An operation in `operations` always has a bucket of its own.
    """

    default: Quota
    per_operation: bool = True
    operations: Mapping[str, Quota] = field(default_factory=dict)

    def bucket(self, operation: str) -> tuple[str, Quota]:
        """The bucket `operation` draws from: its name (within service and region) and size."""
        if operation in self.operations:
            return operation, self.operations[operation]
        return (operation if self.per_operation else "*"), self.default


SERVICE_LIMITS: Final[Mapping[str, ServiceLimits]] = {
    "connect": ServiceLimits(Quota(CONNECT_RATE_PER_SECOND, CONNECT_BURST)),
    "lambda": ServiceLimits(
        Quota(LAMBDA_RATE_PER_SECOND, LAMBDA_BURST),
        per_operation=False,
        operations={"GetPolicy": Quota(LAMBDA_RATE_PER_SECOND, LAMBDA_BURST)},
    ),
}


# (account, service, region, bucket name): one token bucket of a `RateLimiter`.
BucketKey = tuple[str, str, str, str]


class RateLimiter:
    """One `TokenBucket` per (account, service, region, bucket) of `limits`, made on first use."""

    def __init__(
        self,
        limits: Mapping[str, ServiceLimits] | None = None,
        *,
        margin: float = BUCKET_MARGIN_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        # None: the module's SERVICE_LIMITS, read now rather than when this class was defined.
        self._limits = dict(SERVICE_LIMITS if limits is None else limits)
        self._margin = margin
        self._clock = clock
        self._sleep = sleep
        self._buckets: dict[BucketKey, TokenBucket] = {}
        self._lock = threading.Lock()
        self._local = threading.local()

    @classmethod
    def unlimited(cls) -> RateLimiter:
        """No client-side pacing at all (benchmarks measuring CPU; never for real accounts)."""
        return cls({})

    def limits(self, service: str) -> ServiceLimits | None:
        return self._limits.get(service)

    def key(self, service: str, region: str, operation: str, account: str = "") -> BucketKey | None:
        """The bucket `operation` draws from, or None for a service without limits."""
        limits = self._limits.get(service)
        if limits is None:
            return None
        return (account, service, region, limits.bucket(operation)[0])

    def _bucket(self, key: BucketKey) -> TokenBucket:
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                _, service, _, name = key
                quota = self._limits[service].bucket(name)[1]
                bucket = TokenBucket(
                    quota.rate,
                    quota.burst,
                    margin=self._margin,
                    clock=self._clock,
                    sleep=self._sleep,
                )
                self._buckets[key] = bucket
            return bucket

    def reserve(self, key: BucketKey) -> float:
        """Take `key`'s token now or reserve its next one: the seconds until it may be used.

        The caller must then make its request no sooner, on a thread inside `prepaid(key)`, so
        that the request's own `acquire` does not take a second token.
        """
        return self._bucket(key).reserve()

    @contextmanager
    def prepaid(self, key: BucketKey) -> Iterator[None]:
        """The next request this thread sends from `key`'s bucket was paid by `reserve`."""
        self._local.prepaid = key
        try:
            yield
        finally:
            self._local.prepaid = None

    def acquire(self, service: str, region: str, operation: str, account: str = "") -> float:
        """Wait for `operation`'s token (0 for a service without limits); the seconds slept.

        AWS's quotas are per account and Region, so each account has buckets of its own. The
        first request of a call scheduled through `reserve` (`CallExecutor`) is already paid
        and goes at once; its later pages and botocore's retries wait here like any other.
        """
        key = self.key(service, region, operation, account)
        if key is None:
            return 0.0
        if getattr(self._local, "prepaid", None) == key:
            self._local.prepaid = None
            return 0.0
        return self._bucket(key).acquire()


class CallCounter:
    """API calls per "service:Operation", thread-safe."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def record(self, operation: str) -> None:
        with self._lock:
            self._counts[operation] += 1

    def counts(self) -> dict[str, int]:
        with self._lock:
            return dict(sorted(self._counts.items()))


# --- clients -------------------------------------------------------------------------------

ClientHook = Callable[[Any], None]


def lambda_workers(max_workers: int) -> int:
    """Lambda calls one account may have under way at once (16 at 8), and so the connections
    each client keeps: Lambda's per-function fan-out is the widest.

    The client-side buckets (`SERVICE_LIMITS`), not this bound, keep Lambda under its quotas;
    concurrency only hides latency: 20 requests/s at up to 800 ms each.
    """
    return 2 * max(1, max_workers)


@dataclass(frozen=True)
class AwsAccess:
    """Where and as whom warmcheck reads, handed over explicitly (the sandbox's endpoint and
    keys, say): with it, nothing comes from ``os.environ`` or ``~/.aws``, and nothing there
    needs changing."""

    region: str
    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str | None = field(default=None, repr=False)
    endpoint_url: str | None = None
    max_attempts: int | None = None


def _isolated_session() -> botocore.session.Session:
    """A botocore session that reads no environment variable and no AWS config file: every
    setting at botocore's default, no credentials until the caller sets them."""
    variables = {
        name: (None, None, default, convert)
        for name, (_, _, default, convert) in BOTOCORE_DEFAUT_SESSION_VARIABLES.items()
    }
    variables["config_file"] = (None, None, os.devnull, None)
    variables["credentials_file"] = (None, None, os.devnull, None)
    # AWS_ENDPOINT_URL_<SERVICE> and the config file's endpoints are read outside the variables.
    variables["ignore_configured_endpoint_urls"] = (None, None, True, None)
    return botocore.session.Session(session_vars=variables)


class ClientFactory:
    """Builds every client of one (account, role) from one boto3 session, hooked for the guard,
    counting and limits.

    boto3 sessions are not thread-safe, clients are: `prepare` builds clients one at a time
    under a lock (any orchestrating thread may call it before its workers start), and the
    workers only look clients up. `for_role` makes the factory of another account's role, with
    credentials that refresh themselves, on the same endpoint and configuration.
    """

    def __init__(
        self,
        session: boto3.session.Session,
        *,
        counter: CallCounter,
        limiter: RateLimiter,
        max_workers: int = 8,
        max_attempts: int | None = None,
        customize: ClientHook | None = None,
        evidence: Iterable[str] = (),
        account: str = "",
        endpoint_url: str | None = None,
        isolated: bool = False,
    ) -> None:
        self._session = session
        self._evidence = tuple(evidence)
        self._allowed = allowed_operations(self._evidence)
        self._account = account
        self._endpoint_url = endpoint_url
        self._isolated = isolated
        self._max_workers = max_workers
        self._max_attempts = max_attempts
        self._counter = counter
        self._limiter = limiter
        self._customize = customize
        self._clients: dict[tuple[str, str], Any] = {}
        self._building = threading.Lock()
        self._config = Config(
            retries={
                "mode": "adaptive",
                "total_max_attempts": max_attempts or DEFAULT_MAX_ATTEMPTS,
            },
            # One connection per worker (Lambda's pool is the largest), so none waits for a socket.
            max_pool_connections=max(10, lambda_workers(max_workers)),
            connect_timeout=10,
            read_timeout=60,
        )

    @classmethod
    def from_profile(
        cls,
        profile: str | None,
        *,
        counter: CallCounter | None = None,
        limiter: RateLimiter | None = None,
        max_workers: int = 8,
        customize: ClientHook | None = None,
        evidence: Iterable[str] = (),
    ) -> ClientFactory:
        """A factory on the standard AWS configuration (environment, files, `profile`).

        Raises botocore's ProfileNotFound for a profile that does not exist.
        """
        core = botocore.session.Session(profile=profile)
        attempts = core.get_config_variable("max_attempts")
        return cls(
            boto3.session.Session(botocore_session=core),
            counter=counter or CallCounter(),
            limiter=limiter or RateLimiter(),
            max_workers=max_workers,
            max_attempts=int(attempts) if attempts else None,
            customize=customize,
            evidence=evidence,
        )

    @classmethod
    def from_access(
        cls,
        access: AwsAccess,
        *,
        counter: CallCounter | None = None,
        limiter: RateLimiter | None = None,
        max_workers: int = 8,
        customize: ClientHook | None = None,
        evidence: Iterable[str] = (),
    ) -> ClientFactory:
        """A factory on `access` alone: no environment variable or config file is read."""
        core = _isolated_session()
        core.set_credentials(access.access_key_id, access.secret_access_key, access.session_token)
        return cls(
            boto3.session.Session(botocore_session=core, region_name=access.region),
            counter=counter or CallCounter(),
            limiter=limiter or RateLimiter(),
            max_workers=max_workers,
            max_attempts=access.max_attempts,
            customize=customize,
            evidence=evidence,
            endpoint_url=access.endpoint_url,
            isolated=True,
        )

    def for_role(self, credentials: Credentials, account: str) -> ClientFactory:
        """The factory of `account` reached through a role: `credentials` (refreshing ones, for
        an assumed role), this factory's endpoint, configuration, limiter and evidence, and a
        call counter of its own. Service models are parsed once for every account."""
        core = _isolated_session() if self._isolated else botocore.session.Session()
        core.register_component("data_loader", self.data_loader)
        # botocore has no public setter for a session's credentials object; this is how its
        # own assume-role provider plugs refreshing credentials in.
        core._credentials = credentials  # type: ignore[attr-defined]
        attempts = self._max_attempts
        if attempts is None and not self._isolated:
            configured = core.get_config_variable("max_attempts")
            attempts = int(configured) if configured else None
        return ClientFactory(
            boto3.session.Session(botocore_session=core, region_name=self.default_region),
            counter=CallCounter(),
            limiter=self._limiter,
            max_workers=self._max_workers,
            max_attempts=attempts,
            customize=self._customize,
            evidence=self._evidence,
            account=account,
            endpoint_url=self._endpoint_url,
            isolated=self._isolated,
        )

    @property
    def endpoint_url(self) -> str | None:
        """The endpoint every client uses (None: AWS's own, or what the configuration says)."""
        return self._endpoint_url

    @property
    def account(self) -> str:
        """The account this factory's credentials act in ("" until known: the caller's own)."""
        return self._account

    @property
    def data_loader(self) -> Any:
        """botocore's loader of service models, which keeps what it parsed: a member account's
        session shares the caller's, so each model is parsed once, not once per account."""
        return self._session._session.get_component("data_loader")

    @property
    def default_region(self) -> str | None:
        return self._session.region_name

    @property
    def counter(self) -> CallCounter:
        return self._counter

    @property
    def limiter(self) -> RateLimiter:
        return self._limiter

    def prepare(self, service: str, regions: Iterable[str]) -> None:
        """Build the clients a phase will use (orchestrating threads, before their workers)."""
        with self._building:
            for region in regions:
                if (service, region) not in self._clients:
                    self._clients[(service, region)] = self._build(service, region)

    def client(self, service: str, region: str) -> Any:
        try:
            return self._clients[(service, region)]
        except KeyError:
            raise RuntimeError(f"no {service} client prepared for {region}") from None

    def sts(self, region: str) -> STSClient:
        return cast("STSClient", self.client("sts", region))

    def connect(self, region: str) -> ConnectClient:
        return cast("ConnectClient", self.client("connect", region))

    def events(self, region: str) -> EventBridgeClient:
        return cast("EventBridgeClient", self.client("events", region))

    def scheduler(self, region: str) -> EventBridgeSchedulerClient:
        return cast("EventBridgeSchedulerClient", self.client("scheduler", region))

    def lambda_(self, region: str) -> LambdaClient:
        return cast("LambdaClient", self.client("lambda", region))

    def cloudwatch(self, region: str) -> CloudWatchClient:
        return cast("CloudWatchClient", self.client("cloudwatch", region))

    def logs(self, region: str) -> CloudWatchLogsClient:
        return cast("CloudWatchLogsClient", self.client("logs", region))

    def iam(self, region: str) -> IAMClient:
        return cast("IAMClient", self.client("iam", region))

    def _build(self, service: str, region: str) -> Any:
        client: Any = self._session.client(  # type: ignore[call-overload]
            service, region_name=region, config=self._config, endpoint_url=self._endpoint_url
        )
        install_guard(client, self._counter, self._allowed)
        if self._limiter.limits(service) is not None:
            limiter, account = self._limiter, self._account

            def take_token(event_name: str, **kwargs: Any) -> None:
                # before-send.<service id>.<Operation>: once per HTTP request, retries included.
                limiter.acquire(service, region, event_name.rsplit(".", 1)[-1], account)

            client.meta.events.register("before-send", take_token)
        if self._customize is not None:
            self._customize(client)
        return client


def install_guard(
    client: Any, counter: CallCounter | None = None, allowed: frozenset[str] = ALLOWED_OPERATIONS
) -> None:
    """Refuse (and otherwise count) every call on `client` before botocore builds a request."""

    def guard(model: OperationModel, **kwargs: Any) -> None:
        operation = f"{model.service_model.service_name}:{model.name}"
        if operation not in allowed:
            raise ReadOnlyViolation(operation)
        if counter is not None:
            counter.record(operation)

    # First in line, so no other handler (a Stubber, a plugin) runs for a refused call.
    client.meta.events.register_first("provide-client-params", guard)


# --- failures ------------------------------------------------------------------------------

# botocore errors that mean warmcheck called the API wrongly: bugs, never evidence gaps.
BUGS: Final = (
    ParamValidationError,
    OperationNotPageableError,
    UnknownServiceError,
    DataNotFoundError,
    StubResponseError,
)
NO_CREDENTIALS_MESSAGE: Final = (
    "no AWS credentials found: configure AWS credentials (a profile with --profile, "
    "AWS_PROFILE, environment variables or SSO), or run `warmcheck demo` to try warmcheck "
    "against a local sandbox"
)


@dataclass(frozen=True)
class Absent:
    """AWS answered that the thing does not exist: a fact, not a failed read."""


ABSENT: Final = Absent()


@dataclass(frozen=True)
class Where:
    """What one read covers, for the failure it may become."""

    service: str
    operation: str
    region: str | None = None
    account: str | None = None
    resource: str | None = None


class Recorder:
    """Collects `CollectionFailure`s from any thread."""

    def __init__(self) -> None:
        self._failures: list[CollectionFailure] = []
        self._lock = threading.Lock()

    def add(self, failure: CollectionFailure) -> None:
        with self._lock:
            self._failures.append(failure)

    def failures(self) -> list[CollectionFailure]:
        with self._lock:
            return sorted(self._failures, key=_failure_order)

    def attempt(self, read: Callable[[], T], where: Where) -> T | None:
        """`read()`, or None after recording why it failed; bugs propagate."""
        try:
            return read()
        except BUGS:
            raise
        except ClientError as error:
            self.add(failure_from(error, where))
        except BotoCoreError as error:
            self.add(failure_from(error, where))
        return None


def failure_from(error: Exception, where: Where) -> CollectionFailure:
    """A `CollectionFailure` naming the operation that failed (botocore knows it best)."""
    operation = where.operation
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        code = str(details.get("Code") or "ClientError")
        message = str(details.get("Message") or error)
        operation = error.operation_name or operation
    elif isinstance(error, NoCredentialsError):
        code, message = NO_CREDENTIALS_CODE, NO_CREDENTIALS_MESSAGE
    else:
        code, message = type(error).__name__, str(error)
    return CollectionFailure(
        service=where.service,
        operation=operation,
        region=where.region,
        account=where.account,
        resource=where.resource,
        code=code,
        message=" ".join(message.split()) or code,
    )


def _failure_order(failure: CollectionFailure) -> tuple[str, ...]:
    return (
        failure.service,
        failure.operation,
        failure.region or "",
        failure.account or "",
        failure.resource or "",
        failure.code,
        failure.message,
    )


# --- progress ------------------------------------------------------------------------------

Progress = Callable[[str, str, int], None]


class ProgressReporter:
    """Calls the caller's `progress(service, step, count)` one at a time, from any thread."""

    def __init__(self, callback: Progress | None) -> None:
        self._callback = callback
        self._lock = threading.Lock()

    def __call__(self, service: str, step: str, count: int) -> None:
        if self._callback is None:
            return
        with self._lock:
            self._callback(service, step, count)


@dataclass(frozen=True)
class ReadContext:
    """What a collector needs to read: clients, where failures go, progress, the account."""

    clients: ClientFactory
    recorder: Recorder
    progress: ProgressReporter
    account: str

    def attempt(self, read: Callable[[], T], where: Where) -> T | None:
        return self.recorder.attempt(read, where)
