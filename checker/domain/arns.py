"""ARNs warmcheck reasons about: Lambda functions (with qualifiers) and Connect resources.

Lambda accepts a function as a name (``my-fn``), a name with a qualifier (``my-fn:prod``), a
partial ARN (``123456789012:function:my-fn``) or a full ARN; partial forms resolve against the
caller's region and account. ``$LATEST`` and "no qualifier" are the same thing to Lambda.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from checker.record import quick_init

LATEST = "$LATEST"

_NAME = r"[A-Za-z0-9_-]{1,64}"
_QUALIFIER = r"\$LATEST|[A-Za-z0-9_-]{1,128}"
_FULL = re.compile(
    rf"^arn:(?P<partition>aws[a-z-]*):lambda:(?P<region>[a-z]{{2}}(?:-[a-z]+)+-\d):"
    rf"(?P<account>\d{{12}}):function:(?P<name>{_NAME})(?::(?P<qualifier>{_QUALIFIER}))?$"
)
_PARTIAL = re.compile(
    rf"^(?P<account>\d{{12}}):function:(?P<name>{_NAME})(?::(?P<qualifier>{_QUALIFIER}))?$"
)
_BARE = re.compile(rf"^(?P<name>{_NAME})(?::(?P<qualifier>{_QUALIFIER}))?$")
_ARN = re.compile(
    r"^arn:(?P<partition>[^:]+):(?P<service>[^:]+):(?P<region>[^:]*):(?P<account>[^:]*):"
    r"(?P<resource>.+)$"
)


@quick_init
@dataclass(frozen=True, slots=True)
class FunctionKey:
    """One invocable thing: a function at one qualifier (``$LATEST`` when unqualified)."""

    partition: str
    region: str
    account: str
    name: str
    qualifier: str = LATEST
    # Built once: the engine asks for these hundreds of thousands of times on a big account.
    function_arn: str = field(init=False, compare=False, repr=False)
    arn: str = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        unqualified = (
            f"arn:{self.partition}:lambda:{self.region}:{self.account}:function:{self.name}"
        )
        object.__setattr__(self, "function_arn", unqualified)
        qualified = unqualified if self.qualifier == LATEST else f"{unqualified}:{self.qualifier}"
        object.__setattr__(self, "arn", qualified)

    # Ordered by (partition, region, account, name, qualifier), field by field: sorting the
    # required set compares keys about a million times, and most differ by name alone.
    def __lt__(self, other: object) -> bool:
        if not isinstance(other, FunctionKey):
            return NotImplemented
        if self.partition != other.partition:
            return self.partition < other.partition
        if self.region != other.region:
            return self.region < other.region
        if self.account != other.account:
            return self.account < other.account
        if self.name != other.name:
            return self.name < other.name
        return self.qualifier < other.qualifier

    def __le__(self, other: object) -> bool:
        if not isinstance(other, FunctionKey):
            return NotImplemented
        return self == other or self < other

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, FunctionKey):
            return NotImplemented
        return other < self

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, FunctionKey):
            return NotImplemented
        return self == other or other < self

    def __hash__(self) -> int:
        # Equal keys have equal ARNs, and a str keeps its hash: no tuple of five fields to hash
        # on every dict and set lookup (the engine does hundreds of thousands).
        return hash(self.arn)

    @property
    def is_latest(self) -> bool:
        return self.qualifier == LATEST

    def at(self, qualifier: str | None) -> FunctionKey:
        return FunctionKey(
            self.partition, self.region, self.account, self.name, qualifier or LATEST
        )

    def __str__(self) -> str:
        return self.arn


def parse_function_arn(value: str) -> FunctionKey | None:
    """A full Lambda function ARN (optionally qualified), or None."""
    match = _FULL.match(value.strip())
    if match is None:
        return None
    return FunctionKey(
        match["partition"],
        match["region"],
        match["account"],
        match["name"],
        match["qualifier"] or LATEST,
    )


def resolve_function_reference(
    value: str, *, region: str, account: str, partition: str = "aws"
) -> FunctionKey | None:
    """Any form Lambda accepts as ``FunctionName``, resolved against a region and account."""
    value = value.strip()
    if value.startswith("arn:"):
        return parse_function_arn(value)
    for pattern in (_PARTIAL, _BARE):
        match = pattern.match(value)
        if match is not None:
            groups = match.groupdict()
            return FunctionKey(
                partition,
                region,
                groups.get("account") or account,
                groups["name"],
                groups["qualifier"] or LATEST,
            )
    return None


@dataclass(frozen=True, slots=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str


def parse_arn(value: str) -> Arn | None:
    match = _ARN.match(value)
    if match is None:
        return None
    return Arn(
        match["partition"], match["service"], match["region"], match["account"], match["resource"]
    )


def connect_resource_id(value: str, kind: str) -> str:
    """The ID from a Connect ARN (``.../<kind>/<id>``), or the value itself when it is an ID."""
    marker = f"/{kind}/"
    if value.startswith("arn:") and marker in value:
        return value.rsplit(marker, 1)[1].split("/", 1)[0]
    return value
