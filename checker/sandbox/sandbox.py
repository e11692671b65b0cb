"""`Sandbox`: moto plus the front server, started together.

The collector is pointed at it explicitly: ``collect(policy, access=sandbox.access())``. `env()`
is the same as environment variables, for a subprocess (the CLI, the AWS CLI) or a boto3
client built by hand; `sandbox_environment` puts them into this process's ``os.environ`` and
is for code that cannot be handed either.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from types import TracebackType

from checker.collect.base import AwsAccess
from checker.errors import CheckerError
from checker.sandbox.faults import FaultInjector, FaultPlan
from checker.sandbox.server import FrontServer
from checker.sandbox.upstream import MotoUpstream
from checker.sandbox.wire import service_model

ACCESS_KEY = "testing"
REGION = "us-east-1"
# The services warmcheck talks to; each gets its own AWS_ENDPOINT_URL_<SERVICE> for clarity.
SERVICES = (
    "connect",
    "lambda",
    "events",
    "scheduler",
    "iam",
    "sts",
    "cloudwatch",
    "logs",
    "organizations",
)
# Variables that would steer botocore away from env() (a named profile, a real session token).
ENV_TO_REMOVE = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_REGION",
)


@contextmanager
def sandbox_environment(
    env: Mapping[str, str], *, also_remove: Sequence[str] = ()
) -> Iterator[None]:
    """Point every boto3 client in this process at the sandbox (and nowhere else) until the
    block ends, then put the environment back as it was."""
    removed = (*ENV_TO_REMOVE, *also_remove)
    saved = {name: os.environ.get(name) for name in {*env, *removed}}
    try:
        for name in removed:
            os.environ.pop(name, None)
        os.environ.update(env)
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def endpoint_env(url: str) -> dict[str, str]:
    """`Sandbox.env` for a sandbox at `url`, e.g. one ``python -m checker.sandbox serve`` runs."""
    env = {
        "AWS_ENDPOINT_URL": url,
        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "false",
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": ACCESS_KEY,
        "AWS_DEFAULT_REGION": REGION,
        # No config or credentials file: nothing in ~/.aws can send a call elsewhere.
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    for service in SERVICES:
        service_id = service_model(service).service_id
        env[f"AWS_ENDPOINT_URL_{service_id.upper().replace(' ', '_')}"] = url
    return env


def endpoint_access(url: str) -> AwsAccess:
    """`Sandbox.access` for a sandbox at `url`: its endpoint and test keys, nothing else."""
    return AwsAccess(
        region=REGION, access_key_id=ACCESS_KEY, secret_access_key=ACCESS_KEY, endpoint_url=url
    )


class SandboxError(CheckerError):
    """The sandbox could not start (or was used wrongly)."""


class Sandbox:
    """A local AWS stand-in on 127.0.0.1: moto for most services (its WSGI application, called
    in-process behind the front server), warmcheck's own for the rest.

    moto keeps its state in process-wide globals, so one sandbox runs per process at a time.
    """

    _live: Sandbox | None = None
    _live_lock = threading.Lock()

    def __init__(self, upstream: MotoUpstream, front: FrontServer, faults: FaultInjector) -> None:
        self._upstream = upstream
        self._front = front
        self._faults = faults
        self._stopped = False

    @classmethod
    def start(
        cls, *, latency_ms: int = 0, faults: FaultPlan | None = None, port: int = 0
    ) -> Sandbox:
        """Start moto and the front server on free ports (or the front on `port`), state empty."""
        plan = faults or FaultPlan()
        if latency_ms:
            plan = plan.with_latency(latency_ms)
        with cls._live_lock:
            if cls._live is not None:
                raise SandboxError(
                    "a sandbox is already running in this process",
                    "moto's state is process-wide: stop the other sandbox first",
                )
            upstream = MotoUpstream()
            try:
                upstream.reset()
                injector = FaultInjector(plan)
                front = FrontServer(upstream, injector, port=port)
            except OSError as error:
                upstream.stop()
                raise SandboxError(
                    f"cannot start the sandbox on 127.0.0.1:{port}: {error}",
                    "pick another --port, or 0 for a free one",
                ) from error
            except BaseException:
                upstream.stop()
                raise
            front.start()
            sandbox = cls(upstream, front, injector)
            cls._live = sandbox
            return sandbox

    @property
    def port(self) -> int:
        return self._front.port

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        """Environment variables that point every AWS SDK at the sandbox and nowhere else.

        Remove `ENV_TO_REMOVE` from the environment too: a named profile would win over these.
        """
        return endpoint_env(self.endpoint_url)

    def access(self) -> AwsAccess:
        """The sandbox's endpoint and credentials, for `checker.collect.collect(access=...)`:
        nothing in ``os.environ`` has to change."""
        return endpoint_access(self.endpoint_url)

    @property
    def faults(self) -> FaultPlan:
        return self._faults.plan

    def set_faults(self, faults: FaultPlan | None) -> None:
        """Replace the fault plan (None = no faults); rate-limit buckets start full again."""
        self._faults.set_plan(faults)

    def calls(self) -> dict[str, int]:
        """Requests received per ``service:Operation`` (throttled and denied ones included)."""
        return self._front.calls()

    def reset_calls(self) -> None:
        self._front.reset_calls()

    def reset(self) -> None:
        """Empty every service (moto's and the sandbox's own) and the call counter."""
        self._upstream.reset()
        self._front.reset_state()
        self._front.reset_calls()

    def stop(self) -> None:
        """Stop both servers; the endpoint refuses connections afterwards. Idempotent."""
        if self._stopped:
            return
        self._stopped = True
        try:
            self._front.stop()
        finally:
            self._upstream.stop()
            with Sandbox._live_lock:
                if Sandbox._live is self:
                    Sandbox._live = None

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
