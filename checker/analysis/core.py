"""The shared analysis every rule reads: required functions, warm sources, one verdict each.

Built once per evaluation from a Policy and a Snapshot. The one-cause precedence for cold
functions (DESIGN.md) lives here, in `_assess`, so no rule can disagree with another about why a
function is cold. Anything the snapshot says that warmcheck cannot interpret (unreadable flow
content, an invalid schedule expression, an odd policy document) becomes a `Problem`, which the
evidence rule reports: unread or uninterpretable evidence is never taken as fine.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from checker.analysis.evidence import judge as judge_evidence
from checker.domain.arns import FunctionKey, parse_function_arn, resolve_function_reference
from checker.domain.flows import reachable_modules
from checker.domain.permissions import (
    PolicyDocument,
    PolicyDocumentError,
    Verdict,
    identity_policies_allow,
    parse_policy,
    resource_policy_allows,
)
from checker.domain.schedule import (
    HORIZON,
    AtExpression,
    CronExpression,
    FiringSource,
    Gap,
    RateExpression,
    ScheduleMemory,
    check_zone,
    parse_expression,
    weekly_intervals,
    worst_gap,
)
from checker.errors import ScheduleExpressionError
from checker.format.escape import shown
from checker.load import untrusted_json
from checker.model.policy import (
    FunctionSettings,
    HoursOfOperationWindow,
    Policy,
    WarmSourceKind,
    WeeklyWindow,
)
from checker.model.snapshot import (
    ConnectInstance,
    ContactFlow,
    FlowContent,
    FlowModule,
    HoursOfOperation,
    LambdaFunction,
    LambdaReference,
    Snapshot,
)

if TYPE_CHECKING:
    from checker.rules.waivers import WaiverUsage

INVOKE = "lambda:InvokeFunction"
UNIVERSAL_LAMBDA_INVOKE = "arn:aws:scheduler:::aws-sdk:lambda:invoke"
_ENABLED_RULE_STATES = frozenset({"ENABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"})
_DAY_NUMBER = {
    "MONDAY": 1,
    "TUESDAY": 2,
    "WEDNESDAY": 3,
    "THURSDAY": 4,
    "FRIDAY": 5,
    "SATURDAY": 6,
    "SUNDAY": 7,
}

# The reads the required set rests on: one failing leaves flows (and their calls) unseen.
_REQUIRED_SET_READS = frozenset(
    {
        "connect:ListInstances",
        "connect:DescribeInstance",
        "connect:SearchContactFlows",
        "connect:DescribeContactFlow",
        "connect:SearchContactFlowModules",
        "connect:DescribeContactFlowModule",
    }
)

Status = Literal["warm", "cold", "unknown"]
Cause = Literal[
    "missing-function",
    "cannot-run",
    "missing-warmer",
    "wrong-qualifier",
    "disabled",
    "cannot-invoke",
    "gap",
]
WindowIntervals = Sequence[tuple[datetime, datetime]] | None

# What interpreting AWS state can raise (a zone that is not IANA, a date at the edge of the
# calendar, hours ending at 24:59, a number too long to convert). Caught where that state is
# interpreted and turned into a Problem on its resource (WARM901, exit 3): AWS state is never
# bad input (exit 2) and never a crash (exit 4).
AWS_DATA_ERRORS: tuple[type[Exception], ...] = (
    ScheduleExpressionError,
    ValueError,
    ArithmeticError,
)


def data_error(error: Exception) -> str:
    """One line describing why AWS state could not be interpreted."""
    text = error.message if isinstance(error, ScheduleExpressionError) else str(error)
    return shown(" ".join(text.split()) or type(error).__name__, limit=300)


@dataclass(frozen=True, slots=True)
class Problem:
    """Evidence warmcheck holds but cannot interpret; reported like a failed read."""

    resource: str
    message: str


@dataclass(slots=True)
class ReferencingFlow:
    """A flow or module in scope whose content holds Lambda references."""

    arn: str
    name: str
    instance: ConnectInstance
    content: FlowContent
    flows: set[str] = field(default_factory=set)  # the in-scope top-level flows reaching it


@dataclass(slots=True)
class RequiredFunction:
    key: FunctionKey
    settings: FunctionSettings
    flows: set[str] = field(default_factory=set)
    instances: dict[str, ConnectInstance] = field(default_factory=dict)
    extra: bool = False


@dataclass(frozen=True, slots=True)
class PayloadCheck:
    matches: bool
    description: str  # what the target sends, never the input itself


@dataclass(slots=True)
class WarmSource:
    """A scheduled rule target or a schedule that invokes a Lambda function."""

    kind: Literal["eventbridge_rule", "scheduler_schedule"]
    arn: str
    name: str
    region: str
    account: str
    target: FunctionKey
    enabled: bool
    state_note: str
    expression: str | None
    firing: FiringSource | None
    expression_error: str | None
    payload: PayloadCheck
    role_arn: str | None = None
    is_warmer: bool = False

    @property
    def label(self) -> str:
        return "rule" if self.kind == "eventbridge_rule" else "schedule"


@dataclass(slots=True)
class Assessment:
    required: RequiredFunction
    status: Status
    cause: Cause | None = None
    exact: list[WarmSource] = field(default_factory=list)
    others: list[WarmSource] = field(default_factory=list)
    denied: list[tuple[WarmSource, Verdict]] = field(default_factory=list)
    gap: Gap | None = None
    note: str = ""


class Analysis:
    def __init__(
        self, policy: Policy, snapshot: Snapshot, now: datetime, policy_path: str = "policy"
    ) -> None:
        self.policy = policy
        self.policy_path = policy_path
        self.waiver_usage: list[WaiverUsage] = []  # filled by the engine before policy rules
        self.snapshot = snapshot
        self.now = now
        self.horizon_end = now + HORIZON
        self.problems: list[Problem] = []
        self.functions: dict[str, LambdaFunction] = {f.arn: f for f in snapshot.functions}
        self.roles = {role.arn: role for role in snapshot.roles}
        self._unread = {error.resource for error in snapshot.errors if error.resource}
        self._policy_docs: dict[tuple[str, str], PolicyDocument | str | None] = {}
        self._gaps: dict[tuple[tuple[FiringSource, ...], str], Gap] = {}
        # What gap searches learn about expressions, shared by this evaluation's searches only.
        self.schedule_memory = ScheduleMemory()
        self._windows: dict[str, WindowIntervals] = {}
        # Flows and rules name the same functions over and over: parse each ARN, and check each
        # constant payload, once.
        self._keys: dict[str, FunctionKey | None] = {}
        self._payloads: dict[str, PayloadCheck] = {}

        self.instances = [i for i in snapshot.instances if self._instance_in_scope(i)]
        # A hand-written snapshot may leave accounts empty: its instances' accounts were read.
        self.scanned_accounts = frozenset(snapshot.accounts) or {
            i.account for i in snapshot.instances
        }
        self.holders: dict[str, ReferencingFlow] = {}
        self.missing_modules: dict[str, list[str]] = defaultdict(list)
        self.required: dict[FunctionKey, RequiredFunction] = {}
        self.excluded: set[FunctionKey] = set()
        self._collect_required()
        # Unread evidence may never become a verdict: a flow not read may call any function
        # (so no warmer is an orphan), a warm source not read may warm any function in its
        # account and region (so none of them is cold for want of a warmer).
        self.required_complete = not self.problems and not any(
            f"{error.service}:{error.operation}" in _REQUIRED_SET_READS for error in snapshot.errors
        )
        self._unread_sources = self._unread_warm_sources()
        self.required_functions = {key.function_arn for key in self.required}
        # Flows reach excluded functions too: a warmer on one is deliberate, not an orphan.
        self.reached_functions = self.required_functions | {k.function_arn for k in self.excluded}
        self.sources = self._collect_sources()
        self.warmers = [source for source in self.sources if source.is_warmer]
        self.warmers_by_function: dict[str, list[WarmSource]] = defaultdict(list)
        for source in self.warmers:
            self.warmers_by_function[source.target.function_arn].append(source)
        self.assessments = {key: self._assess(self.required[key]) for key in sorted(self.required)}
        # Runtime evidence (metrics, logs): judged last, from the warmers and assessments above.
        self.runtime = judge_evidence(self)

    def add_problem(self, resource: str, message: str) -> None:
        """Evidence that was asked for but cannot be read or trusted (WARM901)."""
        self.problems.append(Problem(resource, message))

    # --- scope and the required set --------------------------------------------------------

    def _instance_in_scope(self, instance: ConnectInstance) -> bool:
        regions = self.policy.scope.regions or self.snapshot.regions
        if regions and instance.region not in regions:
            return False
        return self.policy.scope.includes_instance(
            instance_id=instance.id, arn=instance.arn, alias=instance.alias
        )

    def flows_in_scope(self, instance: ConnectInstance) -> list[ContactFlow]:
        statuses = set(self.policy.scope.flow_statuses)
        return [
            flow
            for flow in instance.flows or []
            if flow.state == "ACTIVE" and flow.status in statuses
        ]

    def _collect_required(self) -> None:
        for instance in self.instances:
            self._check_instance_read(instance)
            modules = {module.id: module for module in instance.modules or []}
            for flow in self.flows_in_scope(instance):
                if flow.content is None:
                    if not self._error_covers(flow.arn):
                        self.problems.append(Problem(flow.arn, "the flow's content was not read"))
                    continue
                self._add_referencing_flow(flow.arn, flow.name, instance, flow.content, flow.arn)
                if not flow.content.readable:
                    continue
                if instance.modules is None and flow.content.module_references:
                    self.problems.append(
                        Problem(flow.arn, "it invokes flow modules, but the modules were not read")
                    )
                    continue
                walk = reachable_modules(flow.content, modules)
                for module in walk.modules:
                    self._add_module(module, instance, flow.arn)
                for owner, reference in walk.missing:
                    holder_arn = owner or flow.arn
                    if (
                        reference.module_id
                        and reference.module_id not in self.missing_modules[holder_arn]
                    ):
                        self.missing_modules[holder_arn].append(reference.module_id)
        for holder in self.holders.values():
            for lambda_reference in holder.content.lambda_references:
                key = self.static_key(lambda_reference)
                if key is not None:
                    entry = self._require(key)
                    if entry is not None:
                        entry.flows |= holder.flows
                        entry.instances[holder.instance.arn] = holder.instance
        for arn in self.policy.extra_functions:
            key = parse_function_arn(arn)
            if key is not None:
                entry = self._require(key)
                if entry is not None:
                    entry.extra = True

    def _check_instance_read(self, instance: ConnectInstance) -> None:
        unread = [
            what
            for what, value in (
                ("contact flows", instance.flows),
                ("flow modules", instance.modules),
                ("Lambda associations", instance.lambda_functions),
            )
            if value is None
        ]
        if unread and not self._error_covers(instance.arn):
            self.problems.append(Problem(instance.arn, f"not read: {', '.join(unread)}"))

    def _add_module(self, module: FlowModule, instance: ConnectInstance, flow_arn: str) -> None:
        if module.content is None:
            if not self._error_covers(module.arn):
                self.problems.append(Problem(module.arn, "the module's content was not read"))
            return
        self._add_referencing_flow(module.arn, module.name, instance, module.content, flow_arn)

    def _add_referencing_flow(
        self,
        arn: str,
        name: str,
        instance: ConnectInstance,
        content: FlowContent,
        flow_arn: str,
    ) -> None:
        holder = self.holders.get(arn)
        if holder is None:
            holder = self.holders[arn] = ReferencingFlow(arn, name, instance, content)
            if not content.readable:
                self.problems.append(
                    Problem(arn, f"the content could not be read: {content.error or 'unreadable'}")
                )
        holder.flows.add(flow_arn)

    def _require(self, key: FunctionKey) -> RequiredFunction | None:
        if key in self.excluded:
            return None
        entry = self.required.get(key)
        if entry is None:
            settings = self.policy.settings_for(key)
            if not settings.required:
                self.excluded.add(key)
                return None
            entry = self.required[key] = RequiredFunction(key, settings)
        return entry

    def static_key(self, reference: LambdaReference) -> FunctionKey | None:
        if reference.kind != "static" or reference.function is None:
            return None
        return self.function_key(reference.function)

    def function_key(self, arn: str) -> FunctionKey | None:
        """`parse_function_arn`, remembered: keys are immutable and ARNs repeat."""
        try:
            return self._keys[arn]
        except KeyError:
            key = self._keys[arn] = parse_function_arn(arn)
            return key

    def _error_covers(self, resource: str) -> bool:
        return resource in self._unread

    def _unread_warm_sources(self) -> dict[tuple[str | None, str | None], str]:
        """(account, region) where some rule or schedule was not read (None: any), and why."""
        unread: dict[tuple[str | None, str | None], str] = {}
        for error in self.snapshot.errors:
            if error.service in ("events", "scheduler"):
                where = (error.account, error.region)
                unread.setdefault(where, f"{error.service}:{error.operation} failed ({error.code})")
        for rule in self.snapshot.rules:
            if rule.schedule_expression is not None and rule.targets is None:
                unread.setdefault(
                    (rule.account, rule.region), f"the targets of {rule.arn} were not read"
                )
        return unread

    def unread_sources(self, key: FunctionKey) -> str | None:
        """Why a warm source of `key` may exist unseen (None: every source in reach was read)."""
        for (account, region), reason in sorted(
            self._unread_sources.items(), key=lambda item: (item[0][0] or "", item[0][1] or "")
        ):
            if account in (None, key.account) and region in (None, key.region):
                return reason
        return None

    # --- warm sources ----------------------------------------------------------------------

    def _collect_sources(self) -> list[WarmSource]:
        sources: list[WarmSource] = []
        for rule in self.snapshot.rules:
            if rule.schedule_expression is None or rule.event_bus != "default":
                continue
            firing, error = self._firing(rule.schedule_expression, "UTC", 0, None, None)
            if isinstance(firing, AtExpression):
                continue
            for target in rule.targets or []:
                key = self.function_key(target.arn)
                if key is None:
                    continue
                enabled = rule.state in _ENABLED_RULE_STATES
                sources.append(
                    WarmSource(
                        kind="eventbridge_rule",
                        arn=rule.arn,
                        name=rule.name,
                        region=rule.region,
                        account=rule.account,
                        target=key,
                        enabled=enabled,
                        state_note="" if enabled else f"state {rule.state}",
                        expression=rule.schedule_expression,
                        firing=firing,
                        expression_error=error,
                        payload=self._rule_payload(
                            target.input, target.input_path, target.input_transformer is not None
                        ),
                    )
                )
        for schedule in self.snapshot.schedules:
            key, payload_text = self.schedule_target(
                schedule.target.arn, schedule.target.input, schedule.region, schedule.account
            )
            if key is None:
                continue
            firing = None
            error = None
            if schedule.expression is not None:
                parsed, error = self._firing(
                    schedule.expression,
                    schedule.timezone,
                    schedule.flexible_window_minutes,
                    schedule.start_date,
                    schedule.end_date,
                )
                if isinstance(parsed, AtExpression):
                    continue
                firing = parsed
            enabled, note = self._schedule_enabled(
                schedule.state, schedule.start_date, schedule.end_date
            )
            sources.append(
                WarmSource(
                    kind="scheduler_schedule",
                    arn=schedule.arn,
                    name=schedule.name,
                    region=schedule.region,
                    account=schedule.account,
                    target=key,
                    enabled=enabled,
                    state_note=note,
                    expression=schedule.expression,
                    firing=firing,
                    expression_error=error,
                    payload=self._schedule_payload(payload_text),
                    role_arn=schedule.target.role_arn,
                )
            )
        for source in sources:
            source.is_warmer = self._is_warmer(source)
            if source.is_warmer and source.expression_error:
                self.problems.append(
                    Problem(
                        source.arn,
                        f"schedule expression {source.expression!r} cannot be evaluated: "
                        f"{source.expression_error}",
                    )
                )
        sources.sort(key=lambda s: (s.arn, s.target))
        return sources

    def _firing(
        self,
        expression: str,
        timezone: str,
        flexible: int,
        start: datetime | None,
        end: datetime | None,
    ) -> tuple[FiringSource | AtExpression | None, str | None]:
        try:
            parsed = parse_expression(expression)
            if isinstance(parsed, AtExpression):
                return parsed, None
            assert isinstance(parsed, RateExpression | CronExpression)
            check_zone(timezone)
            for edge in (start, end):
                if edge is not None:
                    edge.timestamp()  # a date outside what a POSIX clock holds raises here
        except AWS_DATA_ERRORS as error:
            return None, data_error(error)
        return FiringSource(expression, timezone, flexible, start, end), None

    def schedule_target(
        self, arn: str, input_text: str | None, region: str, account: str
    ) -> tuple[FunctionKey | None, str | None]:
        """The function a schedule invokes and the payload text it sends."""
        key = self.function_key(arn)
        if key is not None:
            return key, input_text
        if arn != UNIVERSAL_LAMBDA_INVOKE or input_text is None:
            return None, None
        try:
            params = untrusted_json.loads(input_text)
        except ValueError:
            return None, None
        if not isinstance(params, dict) or not isinstance(params.get("FunctionName"), str):
            return None, None
        key = resolve_function_reference(params["FunctionName"], region=region, account=account)
        if key is not None and isinstance(params.get("Qualifier"), str):
            key = key.at(params["Qualifier"])
        payload = params.get("Payload")
        if payload is None:
            return key, None
        return key, payload if isinstance(payload, str) else json.dumps(payload)

    def _schedule_enabled(
        self, state: str, start: datetime | None, end: datetime | None
    ) -> tuple[bool, str]:
        if state != "ENABLED":
            return False, f"state {state}"
        if end is not None and end <= self.now:
            return False, f"ended {end.date().isoformat()}"
        if start is not None and start > self.now:
            return False, f"starts {start.date().isoformat()}"
        return True, ""

    def _rule_payload(
        self, input_text: str | None, input_path: str | None, transformer: bool
    ) -> PayloadCheck:
        # With no policy payload, only a target that sends nothing at all is unsafe.
        lenient = self.policy.warm.payload is None
        if input_path is not None:
            return PayloadCheck(lenient, "an InputPath selection of the scheduled event")
        if transformer:
            return PayloadCheck(lenient, "an input built by an input transformer")
        if input_text is None:
            return PayloadCheck(False, "no input, so the whole scheduled event reaches the handler")
        return self._constant_payload(input_text)

    def _schedule_payload(self, input_text: str | None) -> PayloadCheck:
        if input_text is None:
            return PayloadCheck(False, "no input")
        return self._constant_payload(input_text)

    def _constant_payload(self, input_text: str) -> PayloadCheck:
        check = self._payloads.get(input_text)
        if check is None:
            check = self._payloads[input_text] = self._check_constant_payload(input_text)
        return check

    def _check_constant_payload(self, input_text: str) -> PayloadCheck:
        wanted = self.policy.warm.payload
        try:
            sent = untrusted_json.loads(input_text)
        except untrusted_json.UntrustedJsonError as error:
            return PayloadCheck(False, f"an input warmcheck cannot compare ({error})")
        except ValueError:
            return PayloadCheck(False, "an input that is not valid JSON")
        if wanted is None:
            return PayloadCheck(True, "a constant input")
        if _canonical(sent) == _canonical(wanted):
            return PayloadCheck(True, "the policy payload")
        return PayloadCheck(False, "a constant input that differs from the policy payload")

    def _is_warmer(self, source: WarmSource) -> bool:
        if source.target.function_arn in self.required_functions:
            return True
        if self.policy.warm.payload is not None and source.payload.matches:
            return True
        name = source.name.lower()
        return any(fnmatchcase(name, p.lower()) for p in self.policy.warmers.name_patterns)

    # --- facts about functions ----------------------------------------------------------------

    def in_scope(self, key: FunctionKey) -> bool:
        """Whether the function lives in an account this snapshot read (DESIGN: Organizations)."""
        return key.account in self.scanned_accounts

    def exists(self, key: FunctionKey) -> bool | None:
        """Whether the function and its qualifier exist; None when it was not read."""
        if not self.in_scope(key):
            return None  # another account: never called missing, whatever was recorded
        function = self.functions.get(key.function_arn)
        if function is None:
            return None
        if not function.exists:
            return False
        if key.is_latest:
            return True
        if key.qualifier.isdigit():
            if function.versions is None:
                return None
            return any(v.version == key.qualifier for v in function.versions)
        if function.aliases is None:
            return None
        return any(alias.name == key.qualifier for alias in function.aliases)

    def timeout(self, key: FunctionKey) -> int | None:
        function = self.functions.get(key.function_arn)
        if function is None:
            return None
        version = key.qualifier
        for alias in function.aliases or []:
            if alias.name == key.qualifier:
                version = alias.function_version
        if version == "$LATEST":
            return function.timeout
        for entry in function.versions or []:
            if entry.version == version and entry.timeout is not None:
                return entry.timeout
        return function.timeout

    def policy_document(self, key: FunctionKey) -> PolicyDocument | str | None:
        """The resource policy on exactly this qualifier: a document, None (no policy), or
        a string saying why it is unknown."""
        cache_key = (key.function_arn, key.qualifier)
        if cache_key not in self._policy_docs:
            self._policy_docs[cache_key] = self._load_policy_document(key)
        return self._policy_docs[cache_key]

    def _load_policy_document(self, key: FunctionKey) -> PolicyDocument | str | None:
        function = self.functions.get(key.function_arn)
        entry = None
        if function is not None:
            entry = next((p for p in function.policies if p.qualifier == key.qualifier), None)
        if entry is None:
            return f"the resource policy of {key.arn} was not read"
        if entry.document is None:
            return None
        try:
            return parse_policy(entry.document)
        except PolicyDocumentError as error:
            self.problems.append(
                Problem(key.arn, f"its resource policy cannot be interpreted: {error}")
            )
            return f"its resource policy cannot be interpreted: {error}"

    def may_invoke(self, source: WarmSource, key: FunctionKey) -> Verdict:
        if source.kind == "eventbridge_rule":
            document = self.policy_document(key)
            if isinstance(document, str):
                return Verdict("unknown", document, ())
            return resource_policy_allows(
                document,
                service="events.amazonaws.com",
                action=INVOKE,
                resource=key.arn,
                source_arn=source.arn,
                source_account=source.account,
            )
        return self._role_may_invoke(source, key)

    def _role_may_invoke(self, source: WarmSource, key: FunctionKey) -> Verdict:
        if source.role_arn is None:
            return Verdict("denied", "the schedule has no execution role", ())
        role = self.roles.get(source.role_arn)
        if role is None or (role.exists and role.policies is None):
            return Verdict("unknown", f"execution role {source.role_arn} was not read", ())
        if not role.exists:
            return Verdict("denied", f"execution role {source.role_arn} does not exist", ())
        documents: list[PolicyDocument] = []
        for entry in role.policies or []:
            try:
                documents.append(parse_policy(entry.document))
            except PolicyDocumentError as error:
                reason = f"role policy {entry.name} cannot be interpreted: {error}"
                self.problems.append(Problem(source.role_arn, reason))
                return Verdict("unknown", reason, ())
        return identity_policies_allow(documents, action=INVOKE, resource=key.arn)

    def provisioned(self, key: FunctionKey) -> bool | None:
        function = self.functions.get(key.function_arn)
        if function is None or function.provisioned_concurrency is None:
            return None
        return any(
            pc.qualifier == key.qualifier and pc.status == "READY" and pc.allocated > 0
            for pc in function.provisioned_concurrency
        )

    def provisioned_configured(self, key: FunctionKey) -> bool:
        """Whether provisioned concurrency is configured and READY on exactly this qualifier."""
        function = self.functions.get(key.function_arn)
        return function is not None and any(
            pc.qualifier == key.qualifier and pc.status == "READY"
            for pc in function.provisioned_concurrency or []
        )

    def cannot_run(self, key: FunctionKey) -> str | None:
        """Why the function cannot serve a call at all (WARM019), or None when it can."""
        function = self.functions.get(key.function_arn)
        if function is None or not function.exists:
            return None
        if function.concurrency is not None and function.concurrency.reserved == 0:
            return "its reserved concurrency is 0, so every invocation is throttled"
        if function.state in ("Failed", "Inactive"):
            reason = f": {function.state_reason}" if function.state_reason else ""
            return f"its state is {function.state}{reason}"
        return None

    # --- windows and gaps -----------------------------------------------------------------------

    def window_intervals(self, required: RequiredFunction) -> WindowIntervals | str:
        """UTC intervals when the function must be warm (None: always), or why unknown."""
        window = required.settings.window
        if window == "always":
            return None
        if isinstance(window, WeeklyWindow):
            cache_key = window.model_dump_json()
            if cache_key not in self._windows:
                ranges = [(r.iso_days, r.start_minute, r.end_minute) for r in window.weekly]
                self._windows[cache_key] = weekly_intervals(
                    window.timezone, ranges, self.now, self.horizon_end
                )
            return self._windows[cache_key]
        assert isinstance(window, HoursOfOperationWindow)
        hours = self._find_hours(window.hours_of_operation, required.instances.values())
        if isinstance(hours, str):
            return hours
        cache_key = hours.arn
        if cache_key not in self._windows:
            try:
                self._windows[cache_key] = self._hours_intervals(hours)
            except AWS_DATA_ERRORS as error:
                return f"hours of operation {hours.arn} cannot be evaluated: {data_error(error)}"
        return self._windows[cache_key]

    def _hours_intervals(self, hours: HoursOfOperation) -> list[tuple[datetime, datetime]]:
        """Open intervals in UTC: Connect's effective hours (overrides applied) where they were
        read, the weekly config elsewhere in the horizon."""
        ranges = [
            (
                frozenset({_DAY_NUMBER[c.day]}),
                c.start.hours * 60 + c.start.minutes,
                c.end.hours * 60 + c.end.minutes,
            )
            for c in hours.config
        ]
        weekly = weekly_intervals(hours.time_zone, ranges, self.now, self.horizon_end)
        if not hours.effective:
            return weekly
        zone = ZoneInfo(hours.time_zone)
        first = min(day.date for day in hours.effective)
        last = max(day.date for day in hours.effective)
        covered_from = _local(datetime.combine(first, time()), zone)
        covered_to = _local(datetime.combine(last + timedelta(days=1), time()), zone)
        intervals = [
            (max(start, self.now), min(end, self.horizon_end))
            for day in hours.effective
            for span in day.hours
            for start, end in [(_local(span.start, zone), _local(span.end, zone))]
            if end > self.now and start < self.horizon_end and end > start
        ]
        for start, end in weekly:
            if start < covered_from:
                intervals.append((start, min(end, covered_from)))
            if end > covered_to:
                intervals.append((max(start, covered_to), end))
        return _merge(intervals)

    def _find_hours(
        self, name: str, instances: Iterable[ConnectInstance]
    ) -> HoursOfOperation | str:
        candidates = list(instances) or self.instances
        for instance in candidates:
            if instance.hours_of_operation is None:
                return f"hours of operation of {instance.arn} were not read"
            for hours in instance.hours_of_operation:
                if name in (hours.name, hours.id, hours.arn):
                    return hours
        return f"hours of operation {name!r} were not found in the Connect instance"

    def gap(self, sources: Sequence[WarmSource], window: WindowIntervals) -> Gap:
        distinct = {s.firing for s in sources if s.firing is not None}
        # Most functions have one warmer: nothing to order, and repr is not cheap.
        firings = tuple(distinct) if len(distinct) < 2 else tuple(sorted(distinct, key=repr))
        cache_key = (firings, repr(window) if window is not None else "always")
        if cache_key not in self._gaps:
            self._gaps[cache_key] = worst_gap(
                firings, window, self.now, self.horizon_end, self.schedule_memory
            )
        return self._gaps[cache_key]

    def display_zone(self, assessment: Assessment) -> str:
        """The zone people read a function's gap in: its window's, else its schedules'."""
        window = assessment.required.settings.window
        if isinstance(window, WeeklyWindow):
            return window.timezone
        if isinstance(window, HoursOfOperationWindow):
            hours = self._find_hours(
                window.hours_of_operation, assessment.required.instances.values()
            )
            if not isinstance(hours, str) and _known_zone(hours.time_zone):
                return hours.time_zone
        zones = sorted({s.firing.timezone for s in assessment.exact if s.firing is not None})
        return zones[0] if len(zones) == 1 else "UTC"

    def week_strip(
        self, assessment: Assessment
    ) -> tuple[datetime, tuple[tuple[datetime, datetime], ...] | None]:
        """The week a report draws for a function: the one holding its worst gap, else this
        one (from Monday 00:00 UTC), and the window inside it (None: always)."""
        anchor = assessment.gap.start if assessment.gap and assessment.gap.start else self.now
        monday = (anchor - timedelta(days=anchor.weekday())).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        window = self.window_intervals(assessment.required)
        if window is None or isinstance(window, str):
            return monday, None
        end = monday + timedelta(days=7)
        return monday, tuple(
            (max(start, monday), min(stop, end))
            for start, stop in window
            if stop > monday and start < end
        )

    # --- the one cause ----------------------------------------------------------------------------

    def _assess(self, required: RequiredFunction) -> Assessment:
        try:
            assessment = self._decide(required)
        except AWS_DATA_ERRORS as error:
            assessment = Assessment(required, "unknown", note=data_error(error))
        if assessment.status == "cold" and assessment.cause != "missing-function":
            unread = self.unread_sources(required.key)
            if unread is not None:  # what was read leaves it cold; what was not might warm it
                assessment.status, assessment.cause = "unknown", None
                assessment.note = f"not every warm source was read: {unread}"
        if not self.required_complete and assessment.cause != "wrong-qualifier":
            assessment.others = []  # another qualifier may be what an unread flow calls
        if assessment.status == "unknown":
            reason = assessment.note or "some of its evidence could not be read or interpreted"
            self.problems.append(
                Problem(required.key.arn, f"cannot tell whether it is warm: {reason}")
            )
        return assessment

    def _outside_note(self, account: str) -> str:
        """Why a function in `account` was not read: its organization outcome, if it has one."""
        scan = self.snapshot.organization
        outcome = next((o for o in scan.outcomes if o.account == account), None) if scan else None
        if outcome is not None:
            why = f": {outcome.reason}" if outcome.reason else ""
            return f"it lives in account {account}, which was {outcome.outcome}{why}"
        if scan is not None and account not in scan.listed:
            return f"it lives in account {account}, which the organization does not list"
        scanned = ", ".join(sorted(self.scanned_accounts)) or "none"
        return f"it lives in account {account}, outside the accounts read ({scanned})"

    def _decide(self, required: RequiredFunction) -> Assessment:
        key = required.key
        accept: tuple[WarmSourceKind, ...] = required.settings.accept
        assessment = Assessment(required, "unknown")
        if not self.in_scope(key):
            assessment.note = self._outside_note(key.account)
            return assessment
        exists = self.exists(key)
        if exists is False:
            assessment.status, assessment.cause = "cold", "missing-function"
            return assessment
        if exists is None:
            assessment.note = "the function or its qualifier was not read"
            return assessment
        if self.cannot_run(key) is not None:
            # No warmer makes a function warm that cannot run: this is its one cause.
            assessment.status, assessment.cause = "cold", "cannot-run"
            return assessment
        mine = self.warmers_by_function.get(key.function_arn, [])
        assessment.exact = [s for s in mine if s.target == key and s.kind in accept]
        # Warmers on another qualifier that no flow calls: wasted, the WARM005 kind.
        assessment.others = [
            s
            for s in mine
            if s.target != key and s.target not in self.required and s.kind in accept
        ]
        active = [s for s in assessment.exact if s.enabled]
        permitted: list[WarmSource] = []
        uncertain = False
        for source in active:
            verdict = self.may_invoke(source, key)
            if verdict.outcome == "allowed":
                permitted.append(source)
            elif verdict.outcome == "denied":
                assessment.denied.append((source, verdict))
            else:
                uncertain = True
                self.problems.append(
                    Problem(
                        source.arn,
                        f"cannot tell whether it may invoke {key.arn}: {verdict.reason}",
                    )
                )
        provisioned = self.provisioned(key) if "provisioned_concurrency" in accept else False
        if provisioned:
            assessment.status = "warm"
            assessment.note = "provisioned concurrency is READY"
            return assessment
        if provisioned is None:
            assessment.note = "its provisioned concurrency was not read"
            return assessment
        if not assessment.exact:
            assessment.status = "cold"
            assessment.cause = "wrong-qualifier" if assessment.others else "missing-warmer"
            return assessment
        if not active:
            assessment.status, assessment.cause = "cold", "disabled"
            return assessment
        window = self.window_intervals(required)
        if isinstance(window, str):
            assessment.note = f"its warm window is unknown: {window}"
            return assessment
        usable = [s for s in permitted if s.firing is not None]
        uncertain = uncertain or len(usable) < len(permitted)
        if usable:
            assessment.gap = self.gap(usable, window)
            if assessment.gap.seconds <= required.settings.max_interval:
                assessment.status = "warm"
                return assessment
        if uncertain:
            assessment.note = "a warmer's permission or schedule could not be evaluated"
            return assessment
        assessment.status = "cold"
        assessment.cause = "gap" if usable else "cannot-invoke"
        return assessment


def _known_zone(name: str) -> bool:
    try:
        check_zone(name)
    except ScheduleExpressionError:
        return False
    return True


def _local(wall_clock: datetime, zone: ZoneInfo) -> datetime:
    """A naive wall-clock time in `zone` as UTC (the first of a repeated hour)."""
    return wall_clock.replace(tzinfo=zone).astimezone(UTC)


def _merge(intervals: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))
