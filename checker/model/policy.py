"""The warm policy: what every Lambda an in-scope contact flow can call must have.

Pydantic v2 models for policy file version 1 (see DESIGN.md), every field defaulted but
`version`, unknown fields refused. Durations are written ``90s``, ``5m``, ``1h`` and held as
whole seconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date as date_type
from fnmatch import fnmatchcase
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    JsonValue,
    StrictBool,
    Tag,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from checker.domain.arns import FunctionKey, parse_function_arn
from checker.load.documents import StrictNumbersModel
from checker.record import quick_init

POLICY_VERSION = 1
DEFAULT_POLICY_PATH = "policies/warm-policy.yaml"

_DURATION = re.compile(r"^\s*(\d+)\s*(s|m|h)\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600}


def parse_duration(value: object) -> int:
    """``90s`` / ``5m`` / ``1h`` to seconds; a bare number is refused so units are never guessed."""
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError(f"expected a duration like 90s, 5m or 1h, got {value!r}")
    match = _DURATION.match(value)
    if match is None:
        raise ValueError(f"expected a duration like 90s, 5m or 1h, got {value!r}")
    seconds = int(match[1]) * _UNIT_SECONDS[match[2]]
    if seconds <= 0:
        raise ValueError(f"a duration must be longer than zero, got {value!r}")
    return seconds


def format_duration(seconds: int) -> str:
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    if seconds % 60 == 0:
        return f"{seconds // 60}m"
    return f"{seconds}s"


Duration = Annotated[
    int,
    BeforeValidator(parse_duration),
    WithJsonSchema({"type": "string", "pattern": r"^\s*\d+\s*(s|m|h)\s*$"}),
]

WarmSourceKind = Literal["eventbridge_rule", "scheduler_schedule", "provisioned_concurrency"]
ALL_SOURCE_KINDS: tuple[WarmSourceKind, ...] = (
    "eventbridge_rule",
    "scheduler_schedule",
    "provisioned_concurrency",
)
FlowStatus = Literal["PUBLISHED", "SAVED"]

_DAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")


class PolicyModel(StrictNumbersModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _clock_minutes(value: str) -> int:
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


class WeeklyRange(PolicyModel):
    days: list[str] = Field(min_length=1, description="Days or ranges: MON, MON-FRI, FRI-MON.")
    start: str = Field(description='Local opening time, "HH:MM".')
    end: str = Field(
        description='Local closing time, "HH:MM" or "24:00"; before start = overnight.'
    )

    @field_validator("days")
    @classmethod
    def _check_days(cls, days: list[str]) -> list[str]:
        for item in days:
            _expand_days(item)
        return days

    @field_validator("start", "end")
    @classmethod
    def _check_clock(cls, value: str) -> str:
        if not _CLOCK.match(value):
            raise ValueError(f'expected a time "HH:MM" from 00:00 to 24:00, got {value!r}')
        return value

    @property
    def iso_days(self) -> frozenset[int]:
        """ISO weekdays, 1 = Monday."""
        return frozenset(day for item in self.days for day in _expand_days(item))

    @property
    def start_minute(self) -> int:
        return _clock_minutes(self.start)

    @property
    def end_minute(self) -> int:
        return _clock_minutes(self.end)


def _expand_days(item: str) -> list[int]:
    parts = item.strip().upper().split("-")
    if len(parts) not in (1, 2) or any(part not in _DAYS for part in parts):
        raise ValueError(f"expected a day MON..SUN or a range like MON-FRI, got {item!r}")
    first = _DAYS.index(parts[0])
    last = _DAYS.index(parts[-1])
    span = (last - first) % 7
    return [(first + offset) % 7 + 1 for offset in range(span + 1)]


class WeeklyWindow(PolicyModel):
    timezone: str = Field(description="IANA time zone, e.g. Europe/Berlin.")
    weekly: list[WeeklyRange] = Field(min_length=1)

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {value!r}") from None
        return value


class HoursOfOperationWindow(PolicyModel):
    hours_of_operation: str = Field(
        min_length=1, description="Name, ID or ARN of a Connect hours of operation."
    )


def _window_kind(value: Any) -> str | None:
    if isinstance(value, str):
        return "always"
    if isinstance(value, HoursOfOperationWindow):
        return "hours"
    if isinstance(value, WeeklyWindow):
        return "weekly"
    if isinstance(value, dict):
        return "hours" if "hours_of_operation" in value else "weekly"
    return None


WarmWindow = Annotated[
    Annotated[Literal["always"], Tag("always")]
    | Annotated[HoursOfOperationWindow, Tag("hours")]
    | Annotated[WeeklyWindow, Tag("weekly")],
    Discriminator(
        _window_kind,
        custom_error_type="window",
        custom_error_message=(
            "expected 'always', {hours_of_operation: NAME}, or "
            "{timezone: ZONE, weekly: [{days, start, end}]}"
        ),
    ),
]


def _published_only() -> list[FlowStatus]:
    return ["PUBLISHED"]


_SESSION_NAME = re.compile(r"^[\w+=,.@-]{2,64}$")
_ACCOUNT_ID = re.compile(r"^\d{12}$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class Organization(PolicyModel):
    """Read every account of an AWS Organization through one read-only role per account."""

    role: str = Field(
        default="arn:aws:iam::{account}:role/warmcheck-readonly",
        description="The role assumed in every account; {account} is filled in.",
    )
    external_id_env: str | None = Field(
        default="WARMCHECK_EXTERNAL_ID",
        description="Environment variable holding the external ID (used when it is set).",
    )
    session_name: str = Field(
        default="warmcheck",
        description="RoleSessionName: how CloudTrail names warmcheck's sessions.",
    )
    include: list[str] = Field(
        default_factory=lambda: ["*"],
        min_length=1,
        description="Account IDs, account-name globs, OU IDs or OU paths (/Root/Prod/*).",
    )
    exclude: list[str] = Field(default_factory=list, description="As include; wins over it.")
    tags: dict[str, str] = Field(
        default_factory=dict, description="Account tags that must all match (globs in values)."
    )

    @field_validator("role")
    @classmethod
    def _check_role(cls, role: str) -> str:
        if "{account}" not in role:
            raise ValueError(f"the role must contain {{account}}, got {role!r}")
        if not role.startswith("arn:"):
            raise ValueError(f"expected a role ARN template like {ROLE_EXAMPLE}, got {role!r}")
        return role

    @field_validator("session_name")
    @classmethod
    def _check_session_name(cls, name: str) -> str:
        if not _SESSION_NAME.match(name):
            raise ValueError(f"expected 2-64 characters of [A-Za-z0-9_+=,.@-], got {name!r}")
        return name

    @field_validator("external_id_env")
    @classmethod
    def _check_env(cls, name: str | None) -> str | None:
        if name is not None and not _ENV_NAME.match(name):
            raise ValueError(f"expected an environment variable name, got {name!r}")
        return name

    def role_for(self, account: str) -> str:
        return self.role.replace("{account}", account)


ROLE_EXAMPLE = "arn:aws:iam::{account}:role/warmcheck-readonly"


class Scope(PolicyModel):
    organization: Organization | None = Field(
        default=None,
        description="Read the accounts of an AWS Organization; absent: the caller's own account.",
    )
    accounts: list[str] | None = Field(
        default=None,
        description="Exactly these accounts, read through organization.role without calling "
        "Organizations (include, exclude and tags are then unused).",
    )
    regions: list[str] | None = Field(
        default=None,
        description="Regions whose Connect instances are in scope; default: the "
        "session's region (or, offline, every region in the snapshot).",
    )
    instances: list[str] = Field(
        default_factory=lambda: ["*"],
        min_length=1,
        description='Connect instance IDs, ARNs or aliases; "*" = every instance in the regions.',
    )
    flow_statuses: list[FlowStatus] = Field(default_factory=_published_only, min_length=1)

    @field_validator("regions")
    @classmethod
    def _check_regions(cls, regions: list[str] | None) -> list[str] | None:
        for region in regions or []:
            if not _REGION.match(region):
                raise ValueError(f"expected an AWS region like us-east-1, got {region!r}")
        return regions

    @field_validator("accounts")
    @classmethod
    def _check_accounts(cls, accounts: list[str] | None) -> list[str] | None:
        for account in accounts or []:
            if not _ACCOUNT_ID.match(account):
                raise ValueError(f"expected a 12-digit account ID, got {account!r}")
        if accounts is not None and len(set(accounts)) != len(accounts):
            raise ValueError("an account is listed twice")
        return accounts

    @model_validator(mode="after")
    def _accounts_need_a_role(self) -> Scope:
        if self.accounts is not None and self.organization is None:
            raise ValueError(
                "scope.accounts is read through scope.organization.role: add "
                "organization: {role: ...}"
            )
        return self

    def includes_instance(self, *, instance_id: str, arn: str, alias: str | None) -> bool:
        names = {instance_id, arn} | ({alias} if alias else set())
        return any(fnmatchcase(name, pattern) for pattern in self.instances for name in names)


class Warm(PolicyModel):
    max_interval: Duration = Field(default=300, description="Longest allowed gap (90s, 5m, 1h).")
    window: WarmWindow = Field(default="always", description="When the functions must be warm.")
    payload: JsonValue = Field(
        default=None,
        description="The exact JSON a warm invocation must carry; null: only a target with no "
        "input at all is flagged.",
    )
    accept: list[WarmSourceKind] = Field(
        default_factory=lambda: list(ALL_SOURCE_KINDS), min_length=1
    )
    require_source_arn: StrictBool = True
    max_function_timeout: Duration = Field(default=8)


class Warmers(PolicyModel):
    name_patterns: list[str] = Field(
        default_factory=lambda: ["*warm*"],
        description="Globs (case-insensitive) on a rule's or schedule's name that mark a warmer.",
    )


MAX_LOOKBACK_SECONDS = 15 * 86400  # CloudWatch keeps 1-minute data for 15 days
_LOOKBACK = re.compile(r"^\s*(\d+)\s*(s|m|h|d)\s*$")


def parse_lookback(value: object) -> int:
    """``24h`` / ``7d`` to seconds, at most 15 days (CloudWatch's 1-minute retention)."""
    match = _LOOKBACK.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"expected a duration like 6h or 7d, got {value!r}")
    seconds = int(match[1]) * {**_UNIT_SECONDS, "d": 86400}[match[2]]
    if not 3600 <= seconds <= MAX_LOOKBACK_SECONDS:
        raise ValueError(f"a lookback is between 1h and 15d, got {value!r}")
    return seconds


Lookback = Annotated[
    int,
    BeforeValidator(parse_lookback),
    WithJsonSchema({"type": "string", "pattern": r"^\s*\d+\s*(s|m|h|d)\s*$"}),
]


class Evidence(PolicyModel):
    """Runtime evidence (DESIGN.md "Runtime evidence"): off unless asked for."""

    metrics: StrictBool = Field(
        default=False, description="Read CloudWatch metrics for every warmer and required function."
    )
    lookback: Lookback = Field(
        default=86400, description="The evidence window, ending at the run's time (at most 15d)."
    )
    min_expected_firings: int = Field(
        default=3,
        ge=1,
        description="Fewer expected firings than this in the lookback: not judged (unknown).",
    )
    logs: StrictBool = Field(
        default=False, description="Lambda log evidence of cold starts (Logs Insights; billed)."
    )
    logs_max_gb: float = Field(
        default=1.0, gt=0, description="Logs Insights budget per run, in GB scanned."
    )
    max_cold_starts: int = Field(
        default=0, ge=0, description="WARM016 fires above this many cold starts in the lookback."
    )


class Override(PolicyModel):
    function: str = Field(
        min_length=1, description="Glob on the function name (name:qualifier) or its ARN."
    )
    required: StrictBool | None = None
    max_interval: Duration | None = None
    window: WarmWindow | None = None
    accept: list[WarmSourceKind] | None = None
    max_function_timeout: Duration | None = None

    def matches(self, key: FunctionKey) -> bool:
        if self.function.startswith("arn:"):
            return fnmatchcase(key.arn, self.function) or fnmatchcase(
                f"{key.function_arn}:{key.qualifier}", self.function
            )
        return fnmatchcase(key.name, self.function) or fnmatchcase(
            f"{key.name}:{key.qualifier}", self.function
        )


class Waiver(PolicyModel):
    rule: str = Field(description="Rule ID (WARM006) or slug (orphan-warmer).")
    resource: str = Field(min_length=1, description="Glob on the finding's resource ARN.")
    reason: str = Field(min_length=1)
    owner: str = Field(min_length=1)
    ticket: str | None = None
    expires: date_type = Field(description="YYYY-MM-DD; after this day the finding counts again.")

    @field_validator("rule")
    @classmethod
    def _check_rule(cls, value: str) -> str:
        from checker.rules.catalogue import find_rule

        meta = find_rule(value)
        if meta is None:
            raise ValueError(f"unknown rule {value!r} (see `warmcheck explain`)")
        if meta.phase != "state":
            raise ValueError(
                f"{meta.id} cannot be waived: unread evidence and the waivers' own findings "
                "are never accepted"
            )
        return value


def _check_lambda_arn(value: str) -> str:
    if parse_function_arn(value) is None:
        raise ValueError(
            "expected a Lambda function ARN like "
            f"arn:aws:lambda:us-east-1:123456789012:function:name[:alias], got {value!r}"
        )
    return value


LambdaArn = Annotated[str, AfterValidator(_check_lambda_arn)]


class Policy(PolicyModel):
    version: Literal[1]
    scope: Scope = Field(default_factory=Scope)
    warm: Warm = Field(default_factory=Warm)
    warmers: Warmers = Field(default_factory=Warmers)
    overrides: list[Override] = Field(
        default_factory=list, description="First match wins, per function."
    )
    extra_functions: list[LambdaArn] = Field(
        default_factory=list,
        description="Lambda ARNs (qualifier allowed) required though no flow calls them.",
    )
    waivers: list[Waiver] = Field(default_factory=list)
    evidence: Evidence = Field(default_factory=Evidence)

    def settings_for(self, key: FunctionKey) -> FunctionSettings:
        """The warm settings for one function: the first matching override over `warm`."""
        for index, override in enumerate(self.overrides):
            if override.matches(key):
                return FunctionSettings(
                    required=override.required if override.required is not None else True,
                    max_interval=override.max_interval or self.warm.max_interval,
                    window=override.window or self.warm.window,
                    accept=tuple(override.accept or self.warm.accept),
                    max_function_timeout=(
                        override.max_function_timeout or self.warm.max_function_timeout
                    ),
                    override_index=index,
                )
        return FunctionSettings(
            required=True,
            max_interval=self.warm.max_interval,
            window=self.warm.window,
            accept=tuple(self.warm.accept),
            max_function_timeout=self.warm.max_function_timeout,
            override_index=None,
        )


@quick_init
@dataclass(frozen=True, slots=True)
class FunctionSettings:
    required: bool
    max_interval: int
    window: Literal["always"] | HoursOfOperationWindow | WeeklyWindow
    accept: tuple[WarmSourceKind, ...]
    max_function_timeout: int
    override_index: int | None


def policy_json_schema() -> dict[str, Any]:
    return Policy.model_json_schema()
