"""The Snapshot: everything warmcheck knows about the real accounts, as data.

A collector fills it from AWS; `warmcheck check --snapshot FILE` reads it back. It is the exact
contract between the two: what AWS answered, lightly normalised, and every read that failed
(`errors`). A field that is ``None`` was not read (an entry in `errors` says why); an empty list
was read and is empty. The engine derives everything else.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Final, Literal

from pydantic import AwareDatetime, ConfigDict, Field, PrivateAttr, Strict, field_validator

from checker.domain.arns import FunctionKey, parse_function_arn
from checker.domain.permissions import PolicyDocument, PolicyDocumentError, parse_policy
from checker.domain.schedule import (
    AtExpression,
    CronExpression,
    RateExpression,
    parse_expression,
)
from checker.errors import ScheduleExpressionError
from checker.format.escape import json_document
from checker.load import untrusted_json
from checker.load.documents import StrictNumbersModel

SNAPSHOT_VERSION: Final = 1
COLLECTED_AT_RANGE: Final = (1970, 9000)

Account = Annotated[str, Field(pattern=r"^\d{12}$")]


class SnapshotModel(StrictNumbersModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- AWS strings, parsed once ----------------------------------------------------------------
#
# Some fields hold text AWS wrote in a language of its own: a target's JSON input, a schedule
# expression, a policy document, a function ARN. The snapshot parses them once, when it is built
# or loaded, into a table by text (`Snapshot.parsed`): the engine reads values, never the text.
# What cannot be parsed is a value too (`Unreadable`), never an exception. The table is private:
# not serialised (the snapshot's JSON is unchanged) and not part of the snapshot's equality.


@dataclass(frozen=True, slots=True)
class Unreadable:
    """Why an AWS string could not be parsed: `kind` says how far it got."""

    kind: Literal["untrusted-json", "invalid-json", "expression", "policy"]
    reason: str


ParsedExpression = RateExpression | CronExpression | AtExpression | Unreadable


def parse_json_text(text: str) -> object:
    """A JSON text AWS holds (a target's input) as a value, or why it is none."""
    try:
        return untrusted_json.loads(text)
    except untrusted_json.UntrustedJsonError as error:
        return Unreadable("untrusted-json", str(error))
    except ValueError as error:
        return Unreadable("invalid-json", str(error))


def parse_expression_text(text: str) -> ParsedExpression:
    """A schedule expression as a value, or why it is none."""
    try:
        return parse_expression(text)
    # What parsing can raise beyond its own error: a number too long to convert, a date at the
    # edge of the calendar.
    except (ScheduleExpressionError, ValueError, ArithmeticError) as error:
        why = error.message if isinstance(error, ScheduleExpressionError) else str(error)
        return Unreadable("expression", " ".join(why.split()) or type(error).__name__)


def parse_policy_text(text: str) -> PolicyDocument | Unreadable:
    """A policy document as a value, or why it is none."""
    try:
        return parse_policy(text)
    except PolicyDocumentError as error:
        return Unreadable("policy", str(error))


class ParsedText:
    """The AWS strings of one snapshot, each distinct text parsed once.

    Keyed by the text itself, so a copy of the snapshot with other content never reads a stale
    value (a text not seen yet is parsed when first asked for). Target inputs, schedule
    expressions and target ARNs are parsed when the snapshot is built or loaded; policy
    documents when first read (at organization size most are never judged, and holding them all
    would cost memory for nothing).
    """

    __slots__ = ("_expressions", "_functions", "_json", "_policies")

    def __init__(self) -> None:
        self._json: dict[str, object] = {}
        self._expressions: dict[str, ParsedExpression] = {}
        self._functions: dict[str, FunctionKey | None] = {}
        self._policies: dict[str, PolicyDocument | Unreadable] = {}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ParsedText)  # a cache of the snapshot's own content

    __hash__ = None  # type: ignore[assignment]

    def json(self, text: str) -> object:
        """A target input as a JSON value, or Unreadable."""
        try:
            return self._json[text]
        except KeyError:
            value = self._json[text] = parse_json_text(text)
            return value

    def expression(self, text: str) -> ParsedExpression:
        try:
            return self._expressions[text]
        except KeyError:
            value = self._expressions[text] = parse_expression_text(text)
            return value

    def function(self, arn: str) -> FunctionKey | None:
        """The function an ARN names (None: it names no function)."""
        try:
            return self._functions[arn]
        except KeyError:
            key = self._functions[arn] = parse_function_arn(arn)
            return key

    def policy(self, text: str) -> PolicyDocument | Unreadable:
        try:
            return self._policies[text]
        except KeyError:
            value = self._policies[text] = parse_policy_text(text)
            return value

    def read(self, rules: list[EventRule], schedules: list[Schedule]) -> None:
        """Parse what every evaluation reads: expressions, target ARNs and inputs."""
        for rule in rules:
            if rule.schedule_expression is not None:
                self.expression(rule.schedule_expression)
            for target in rule.targets or []:
                self.function(target.arn)
                if target.input is not None:
                    self.json(target.input)
        for schedule in schedules:
            if schedule.expression is not None:
                self.expression(schedule.expression)
            self.function(schedule.target.arn)
            if schedule.target.input is not None:
                self.json(schedule.target.input)


# --- Connect -------------------------------------------------------------------------------

DERIVED_FROM: Final = (
    "For a value read from `$.FlowAttributes.X` or `$.Attributes.X` that the flow itself sets to "
    "one literal on every path to this action: the Identifiers of the blocks whose set reaches "
    "it (kind and function/module_id then describe that literal). None: not derived."
)


class LambdaReference(SnapshotModel):
    """One `InvokeLambdaFunction` action, as the flow language writes it."""

    action: str = Field(description="The action's Identifier.")
    value: str | None = Field(description="The raw LambdaFunctionARN parameter (None: absent).")
    kind: Literal["static", "dynamic", "placeholder", "missing"] = Field(
        description="static: a function name or ARN; dynamic: a `$.` reference; placeholder: "
        "template text; missing: no LambdaFunctionARN parameter."
    )
    function: str | None = Field(
        default=None,
        description="For static references: the function ARN resolved against the flow's region "
        "and account, qualified as the flow calls it (no suffix for $LATEST).",
    )
    timeout_seconds: int | None = Field(
        default=None, description="InvocationTimeLimitSeconds, when set statically."
    )
    invocation_type: Literal["SYNCHRONOUS", "ASYNCHRONOUS"] = "SYNCHRONOUS"
    note: str | None = Field(default=None, description="Why a reference is not static.")
    derived_from: list[str] | None = Field(default=None, description=DERIVED_FROM)


class ModuleReference(SnapshotModel):
    """One `InvokeFlowModule` action."""

    action: str
    value: str | None
    kind: Literal["static", "dynamic", "placeholder", "missing"]
    module_id: str | None = Field(default=None, description="The module ID, for static references.")
    note: str | None = Field(default=None, description="Why a reference is not static.")
    derived_from: list[str] | None = Field(default=None, description=DERIVED_FROM)


class FlowContent(SnapshotModel):
    """What warmcheck read from a flow's or module's Content."""

    readable: bool = True
    error: str | None = Field(default=None, description="Why the content could not be read.")
    lambda_references: list[LambdaReference] = Field(default_factory=list)
    module_references: list[ModuleReference] = Field(default_factory=list)


class ContactFlow(SnapshotModel):
    id: str
    arn: str
    name: str
    type: str = "CONTACT_FLOW"
    state: Literal["ACTIVE", "ARCHIVED"] = "ACTIVE"
    status: Literal["PUBLISHED", "SAVED"] = "PUBLISHED"
    content_sha256: str | None = None
    content: FlowContent | None = Field(
        default=None, description="None: the content was not read (see errors)."
    )


class FlowModule(SnapshotModel):
    id: str
    arn: str
    name: str
    state: Literal["ACTIVE", "ARCHIVED"] = "ACTIVE"
    status: Literal["PUBLISHED", "SAVED"] = "PUBLISHED"
    content_sha256: str | None = None
    content: FlowContent | None = None


class ClockTime(SnapshotModel):
    hours: int = Field(ge=0, le=24)
    minutes: int = Field(ge=0, le=59)


Weekday = Literal["SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY"]


class HoursConfig(SnapshotModel):
    day: Weekday
    start: ClockTime
    end: ClockTime


class HoursOverride(SnapshotModel):
    """One hours-of-operation override (`ListHoursOfOperationOverrides`)."""

    id: str
    name: str | None = None
    type: Literal["STANDARD", "OPEN", "CLOSED"] = "STANDARD"
    effective_from: date
    effective_till: date
    config: list[HoursConfig] = Field(default_factory=list)
    recurrence: dict[str, Any] | None = Field(
        default=None, description="RecurrenceConfig as AWS returns it."
    )


class OpenInterval(SnapshotModel):
    start: datetime = Field(description="Local wall-clock time in the hours' time zone.")
    end: datetime


class EffectiveDay(SnapshotModel):
    """One day of `GetEffectiveHoursOfOperations`: overrides already applied."""

    date: date
    hours: list[OpenInterval] = Field(default_factory=list)


class HoursOfOperation(SnapshotModel):
    id: str
    arn: str
    name: str
    time_zone: str
    config: list[HoursConfig] = Field(default_factory=list)
    overrides: list[HoursOverride] | None = None
    effective: list[EffectiveDay] | None = Field(
        default=None, description="Effective open hours per day over the collection horizon."
    )


class ConnectInstance(SnapshotModel):
    id: str
    arn: str
    alias: str | None = None
    region: str
    account: Account
    flows: list[ContactFlow] | None = None
    modules: list[FlowModule] | None = None
    lambda_functions: list[str] | None = Field(
        default=None, description="`ListLambdaFunctions`: ARNs associated with the instance."
    )
    hours_of_operation: list[HoursOfOperation] | None = None


# --- Lambda --------------------------------------------------------------------------------


class FunctionVersion(SnapshotModel):
    version: str
    timeout: int | None = None


class FunctionAlias(SnapshotModel):
    name: str
    function_version: str
    additional_versions: dict[str, Annotated[float, Strict()]] = Field(
        default_factory=dict, description="RoutingConfig.AdditionalVersionWeights."
    )


class FunctionPolicy(SnapshotModel):
    """`GetPolicy` for one qualifier (`$LATEST` = the unqualified function)."""

    qualifier: str
    document: str | None = Field(
        description="The policy JSON exactly as Lambda returned it; None: no policy "
        "(ResourceNotFoundException)."
    )


class ProvisionedConcurrency(SnapshotModel):
    qualifier: str
    requested: int = 0
    available: int = 0
    allocated: int = 0
    status: Literal["IN_PROGRESS", "READY", "FAILED"] = "READY"


class ReservedConcurrency(SnapshotModel):
    """`GetFunctionConcurrency`: reserved concurrency (None: none reserved, the account pool)."""

    reserved: int | None = None


class FunctionLogging(SnapshotModel):
    """`LoggingConfig` of the function: where and how its records land."""

    log_group: str = Field(description="LogGroup, or the default /aws/lambda/<name>.")
    log_format: Literal["Text", "JSON"] = "Text"
    system_log_level: str | None = Field(
        default=None, description="SystemLogLevel (JSON format only): DEBUG, INFO or WARN."
    )


class LambdaFunction(SnapshotModel):
    arn: str = Field(description="Unqualified function ARN.")
    name: str
    region: str
    account: Account
    exists: bool = Field(description="False: Lambda answered ResourceNotFoundException.")
    timeout: int | None = Field(default=None, description="$LATEST timeout in seconds.")
    runtime: str | None = None
    versions: list[FunctionVersion] | None = None
    aliases: list[FunctionAlias] | None = None
    policies: list[FunctionPolicy] = Field(
        default_factory=list, description="One entry per qualifier whose policy was read."
    )
    provisioned_concurrency: list[ProvisionedConcurrency] | None = None
    # Runtime facts (issue 14): None = not read (old snapshots, or a failed read in `errors`).
    state: str | None = Field(
        default=None,
        description="GetFunctionConfiguration State: Active, Pending, Inactive, Failed.",
    )
    state_reason: str | None = Field(default=None, description="StateReason, when not Active.")
    concurrency: ReservedConcurrency | None = Field(
        default=None, description="GetFunctionConcurrency; None: not read."
    )
    logging: FunctionLogging | None = Field(
        default=None, description="LoggingConfig; None: not read."
    )


# --- EventBridge and Scheduler -------------------------------------------------------------


class InputTransformer(SnapshotModel):
    input_paths_map: dict[str, str] = Field(default_factory=dict)
    input_template: str


class RuleTarget(SnapshotModel):
    id: str
    arn: str
    role_arn: str | None = None
    input: str | None = Field(default=None, description="Constant JSON input, verbatim.")
    input_path: str | None = None
    input_transformer: InputTransformer | None = None


class EventRule(SnapshotModel):
    arn: str
    name: str
    region: str
    account: Account
    event_bus: str = "default"
    state: str = "ENABLED"
    schedule_expression: str | None = None
    managed_by: str | None = None
    targets: list[RuleTarget] | None = None


class ScheduleTarget(SnapshotModel):
    arn: str
    role_arn: str | None = None
    input: str | None = None


class Schedule(SnapshotModel):
    arn: str
    name: str
    group: str = "default"
    region: str
    account: Account
    state: Literal["ENABLED", "DISABLED"] = "ENABLED"
    expression: str | None = Field(default=None, description="None: GetSchedule was not read.")
    timezone: str = "UTC"
    flexible_window_minutes: int = Field(
        default=0, ge=0, le=1440, description="0 when FlexibleTimeWindow.Mode is OFF."
    )
    start_date: AwareDatetime | None = None
    end_date: AwareDatetime | None = None
    target: ScheduleTarget


# --- IAM -----------------------------------------------------------------------------------


class RolePolicy(SnapshotModel):
    name: str
    kind: Literal["inline", "managed"]
    arn: str | None = None
    document: str = Field(description="The policy document JSON.")


class IamRole(SnapshotModel):
    arn: str
    exists: bool = True
    policies: list[RolePolicy] | None = None


# --- Errors and the whole ------------------------------------------------------------------


# The code a collector records when there are no AWS credentials at all (the CLI adds a hint).
NO_CREDENTIALS_CODE: Final = "NoCredentials"


class CollectionFailure(SnapshotModel):
    """A read that failed after retries: evidence warmcheck could not see."""

    service: str
    operation: str
    region: str | None = None
    account: str | None = None
    resource: str | None = Field(default=None, description="ARN or ID of what was not read.")
    code: str = Field(description="The AWS error code, or a short class name.")
    message: str


# --- runtime evidence (issue 14) --------------------------------------------------------------


class MetricReading(SnapshotModel):
    """One `GetMetricData` query's answer: a metric's statistic summed over the evidence window."""

    account: Account
    region: str
    namespace: str
    metric: str
    dimensions: dict[str, str] = Field(default_factory=dict)
    stat: Literal["Sum", "Maximum"] = "Sum"
    datapoints: int = Field(ge=0, description="0: CloudWatch holds no data for the window.")
    value: float = Field(description="Sum (or max) of the datapoints; 0 when there are none.")
    status: str = Field(description="StatusCode: Complete, PartialData, InternalError, Forbidden.")


class LogBin(SnapshotModel):
    """One hour of a function's REPORT records in Lambda's logs (Logs Insights)."""

    start: AwareDatetime
    invocations: int = Field(ge=0)
    cold_starts: int = Field(ge=0, description="REPORT records with an init duration.")
    p99_duration_ms: float | None = None
    max_init_ms: float | None = None


class LogReading(SnapshotModel):
    """A Logs Insights query over one called (function, qualifier)'s log records."""

    function: str = Field(description="The qualified function ARN as the flows call it.")
    log_group: str
    version: str = Field(description="The version whose log streams were read.")
    bytes_scanned: float = Field(ge=0)
    bins: list[LogBin] = Field(default_factory=list)


class RuntimeEvidence(SnapshotModel):
    """What CloudWatch and Logs said over the window; a list is None when it was not asked for."""

    start: AwareDatetime
    end: AwareDatetime
    metrics: list[MetricReading] | None = None
    logs: list[LogReading] | None = None


# --- Organizations -------------------------------------------------------------------------

AccountOutcomeKind = Literal["scanned", "denied", "failed", "excluded", "inactive"]
ACCOUNT_OUTCOMES: Final[tuple[AccountOutcomeKind, ...]] = (
    "scanned",
    "denied",
    "failed",
    "excluded",
    "inactive",
)
DenialKind = Literal["scp", "implicit", "trust", "explicit"]


class AccountOutcome(SnapshotModel):
    """What became of one account the organization (or scope.accounts) lists: exactly one."""

    account: Account
    name: str | None = Field(default=None, description="The account's name in Organizations.")
    outcome: AccountOutcomeKind = Field(
        description="scanned: its role was assumed and it was read (its own read failures are "
        "in errors); denied: AWS refused the role; failed: the role could not be assumed for "
        "another reason; excluded: by include/exclude/tags; inactive: State not ACTIVE."
    )
    denial: DenialKind | None = Field(
        default=None,
        description="For denied: the kind of policy AWS names (service control policy, no "
        "identity-based policy, the role's trust policy, an explicit deny); None: not named.",
    )
    state: str | None = Field(default=None, description="Organizations' State (or legacy Status).")
    reason: str | None = Field(default=None, description="Why, in one line.")


class Shard(SnapshotModel):
    """This snapshot holds shard `index` of `count` (1-based) of the organization's accounts."""

    index: int = Field(ge=1)
    count: int = Field(ge=1)


class OrganizationScan(SnapshotModel):
    """Which accounts were listed and what became of each."""

    source: Literal["organizations", "accounts"] = Field(
        description="organizations: discovered through AWS Organizations; accounts: "
        "scope.accounts, Organizations not called."
    )
    listed: list[Account] = Field(
        description="Every account listed, in every shard (so a merge can tell one is missing)."
    )
    outcomes: list[AccountOutcome] = Field(
        description="One per account of this snapshot's shard (all of them when not sharded)."
    )
    shards: list[Shard] = Field(
        default_factory=list, description="The shards merged here; empty: collected whole."
    )


class Snapshot(SnapshotModel):
    version: Literal[1] = SNAPSHOT_VERSION
    source: Literal["aws", "iac"] = Field(
        default="aws",
        description="aws: read from the accounts; iac: planned by templates (`warmcheck iac`), "
        "where account 000000000000 and region zz-iac-0 stand for what the templates leave to "
        "deploy time.",
    )
    collected_at: AwareDatetime
    accounts: list[Account] = Field(default_factory=list)
    regions: list[str] = Field(default_factory=list)
    instances: list[ConnectInstance] = Field(default_factory=list)
    functions: list[LambdaFunction] = Field(default_factory=list)
    rules: list[EventRule] = Field(default_factory=list)
    schedules: list[Schedule] = Field(default_factory=list)
    roles: list[IamRole] = Field(default_factory=list)
    errors: list[CollectionFailure] = Field(default_factory=list)
    evidence: RuntimeEvidence | None = Field(
        default=None, description="Runtime evidence (metrics, logs); None: none was asked for."
    )

    organization: OrganizationScan | None = Field(
        default=None, description="None: one account, the caller's own."
    )

    _parsed: ParsedText = PrivateAttr(default_factory=ParsedText)

    def model_post_init(self, context: Any, /) -> None:
        self._parsed.read(self.rules, self.schedules)

    @property
    def parsed(self) -> ParsedText:
        """The snapshot's AWS strings, parsed (see ParsedText)."""
        return self._parsed

    @field_validator("collected_at")
    @classmethod
    def _collected_in_range(cls, value: datetime) -> datetime:
        # The engine looks a year ahead of it (and a little behind): keep that on the calendar.
        if not COLLECTED_AT_RANGE[0] <= value.year <= COLLECTED_AT_RANGE[1]:
            raise ValueError(
                f"year {value.year} is outside {COLLECTED_AT_RANGE[0]}-{COLLECTED_AT_RANGE[1]}; "
                "collected_at is when the snapshot was taken"
            )
        return value

    def to_json(self) -> str:
        """Deterministic JSON: sorted keys, sorted collections, two-space indent, final newline."""
        data = _sorted_collections(self.model_dump(mode="json"))
        if data["organization"] is None:  # a one-account snapshot reads as it always did
            del data["organization"]
        text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        return json_document(text)  # a lone surrogate from AWS stays a \\u escape


def _sorted_collections(value: Any) -> Any:
    """Lists of objects sorted by their canonical JSON, so the collector's order never shows."""
    if isinstance(value, dict):
        return {key: _sorted_collections(item) for key, item in value.items()}
    if isinstance(value, list):
        items = [_sorted_collections(item) for item in value]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
    return value


def snapshot_json_schema() -> dict[str, Any]:
    return Snapshot.model_json_schema()
