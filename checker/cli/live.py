"""Reading the live account(s) for a command: the clock, the collection, missing credentials."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from checker.cli.terminal import Terminal
from checker.model.policy import Policy
from checker.model.snapshot import NO_CREDENTIALS_CODE, Shard, Snapshot

if TYPE_CHECKING:
    from checker.collect.base import AwsAccess

# Works wherever warmcheck is installed, not only inside its repository.
NO_CREDENTIALS_HINT = (
    "configure AWS credentials (`aws configure`, AWS_PROFILE=name or --profile name, or "
    "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) and run again; to see warmcheck work without an "
    "account, run `warmcheck demo` (needs the sandbox extra: pip install 'warmcheck[sandbox]')"
)


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def no_credentials(snapshot: Snapshot) -> bool:
    return any(error.code == NO_CREDENTIALS_CODE for error in snapshot.errors)


def collect_live(
    policy: Policy,
    profile: str | None,
    regions: list[str] | None,
    terminal: Terminal,
    shard: Shard | None = None,
    access: AwsAccess | None = None,
) -> Snapshot:
    """Collect with the standard AWS configuration, or with `access` alone (the demo's sandbox:
    its endpoint and keys are handed over, nothing in ``os.environ`` changes)."""
    from checker.collect import collect  # boto3 loads only when AWS is really read

    with terminal.collection() as progress:
        collection = collect(
            policy,
            profile=profile,
            regions=regions,
            now=utc_now(),
            progress=progress,
            shard=shard,
            access=access,
            environ=os.environ,  # the policy's external_id_env is read here, in the CLI
        )
    return collection.snapshot
