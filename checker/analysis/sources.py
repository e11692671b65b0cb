"""Stage 2, sources: the warm sources (scheduled rule targets and schedules that invoke a
function), what each sends, which of them are warmers, and whether each may invoke its target.

Every expression, payload, role policy and resource policy this stage needs is interpreted while
it runs; what cannot be interpreted is recorded as a `Problem` then.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from fnmatch import fnmatchcase
from types import MappingProxyType

from checker.analysis.facts import Facts, FunctionKeys
from checker.analysis.records import (
    AWS_DATA_ERRORS,
    PayloadCheck,
    Problem,
    WarmSource,
    data_error,
)
from checker.domain.arns import FunctionKey
from checker.domain.permissions import (
    INVOKE_ACTION,
    PolicyDocument,
    PolicyDocumentError,
    Verdict,
    identity_policies_allow,
    parse_policy,
    resource_policy_allows,
)
from checker.domain.schedule import (
    AtExpression,
    CronExpression,
    FiringSource,
    RateExpression,
    check_zone,
    parse_expression,
)
from checker.domain.targets import schedule_invocation
from checker.load import untrusted_json
from checker.model.policy import Policy
from checker.model.snapshot import IamRole, Snapshot

_ENABLED_RULE_STATES = frozenset({"ENABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"})

# A resource policy: its document, None (the function has none), or why it is unknown.
ResourcePolicy = PolicyDocument | str | None


def collect_sources(
    policy: Policy,
    snapshot: Snapshot,
    facts: Facts,
    keys: FunctionKeys,
    now: datetime,
    problems: list[Problem],
) -> tuple[WarmSource, ...]:
    """Every warm source in the snapshot, sorted by (ARN, target); warmers marked."""
    payloads = _Payloads(policy)
    sources: list[WarmSource] = []
    required_functions = facts.required_functions

    def add(source: WarmSource) -> None:
        warmer = _is_warmer(policy, source, required_functions)
        sources.append(replace(source, is_warmer=True) if warmer else source)

    for rule in snapshot.rules:
        if rule.schedule_expression is None or rule.event_bus != "default":
            continue
        rule_firing, error = _firing(rule.schedule_expression, "UTC", 0, None, None)
        if isinstance(rule_firing, AtExpression):
            continue
        for target in rule.targets or []:
            key = keys(target.arn)
            if key is None:
                continue
            enabled = rule.state in _ENABLED_RULE_STATES
            add(
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
                    firing=rule_firing,
                    expression_error=error,
                    payload=payloads.rule(
                        target.input, target.input_path, target.input_transformer is not None
                    ),
                )
            )
    for schedule in snapshot.schedules:
        key, payload_text = schedule_invocation(
            schedule.target.arn,
            schedule.target.input,
            region=schedule.region,
            account=schedule.account,
            function_key=keys(schedule.target.arn),
        )
        if key is None:
            continue
        firing: FiringSource | None = None
        error = None
        if schedule.expression is not None:
            parsed, error = _firing(
                schedule.expression,
                schedule.timezone,
                schedule.flexible_window_minutes,
                schedule.start_date,
                schedule.end_date,
            )
            if isinstance(parsed, AtExpression):
                continue
            firing = parsed
        enabled, note = _schedule_enabled(
            schedule.state, schedule.start_date, schedule.end_date, now
        )
        add(
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
                payload=payloads.schedule(payload_text),
                role_arn=schedule.target.role_arn,
            )
        )
    for source in sources:
        if source.is_warmer and source.expression_error:
            problems.append(
                Problem(
                    source.arn,
                    f"schedule expression {source.expression!r} cannot be evaluated: "
                    f"{source.expression_error}",
                )
            )
    sources.sort(key=lambda s: (s.arn, s.target))
    return tuple(sources)


def _is_warmer(policy: Policy, source: WarmSource, required_functions: frozenset[str]) -> bool:
    if source.target.function_arn in required_functions:
        return True
    if policy.warm.payload is not None and source.payload.matches:
        return True
    name = source.name.lower()
    return any(fnmatchcase(name, p.lower()) for p in policy.warmers.name_patterns)


def _firing(
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


def _schedule_enabled(
    state: str, start: datetime | None, end: datetime | None, now: datetime
) -> tuple[bool, str]:
    if state != "ENABLED":
        return False, f"state {state}"
    if end is not None and end <= now:
        return False, f"ended {end.date().isoformat()}"
    if start is not None and start > now:
        return False, f"starts {start.date().isoformat()}"
    return True, ""


class _Payloads:
    """What a target sends, judged against the policy's payload; each constant input once."""

    def __init__(self, policy: Policy) -> None:
        self._wanted = policy.warm.payload
        self._checked: dict[str, PayloadCheck] = {}

    def rule(
        self, input_text: str | None, input_path: str | None, transformer: bool
    ) -> PayloadCheck:
        # With no policy payload, only a target that sends nothing at all is unsafe.
        lenient = self._wanted is None
        if input_path is not None:
            return PayloadCheck(lenient, "an InputPath selection of the scheduled event")
        if transformer:
            return PayloadCheck(lenient, "an input built by an input transformer")
        if input_text is None:
            return PayloadCheck(False, "no input, so the whole scheduled event reaches the handler")
        return self.constant(input_text)

    def schedule(self, input_text: str | None) -> PayloadCheck:
        if input_text is None:
            return PayloadCheck(False, "no input")
        return self.constant(input_text)

    def constant(self, input_text: str) -> PayloadCheck:
        check = self._checked.get(input_text)
        if check is None:
            check = self._checked[input_text] = self._check(input_text)
        return check

    def _check(self, input_text: str) -> PayloadCheck:
        try:
            sent = untrusted_json.loads(input_text)
        except untrusted_json.UntrustedJsonError as error:
            return PayloadCheck(False, f"an input warmcheck cannot compare ({error})")
        except ValueError:
            return PayloadCheck(False, "an input that is not valid JSON")
        if self._wanted is None:
            return PayloadCheck(True, "a constant input")
        if _canonical(sent) == _canonical(self._wanted):
            return PayloadCheck(True, "the policy payload")
        return PayloadCheck(False, "a constant input that differs from the policy payload")


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


class Permissions:
    """Who may invoke what: resource policies per qualifier, execution roles' policies.

    `judge` interprets, up front, the resource policies of the qualifiers given; any other is
    interpreted when first asked (by `warmcheck fix`, after the report is built).
    """

    def __init__(self, facts: Facts, roles: Iterable[IamRole], problems: list[Problem]) -> None:
        self._functions = facts.functions
        self.roles: Mapping[str, IamRole] = MappingProxyType({role.arn: role for role in roles})
        self._documents: dict[tuple[str, str], ResourcePolicy] = {}
        self._problems: list[Problem] | None = problems

    def judge(self, keys: Iterable[FunctionKey]) -> None:
        for key in keys:
            self.resource_policy(key)

    def done(self) -> None:
        """The analysis is built: a policy interpreted later records no problem."""
        self._problems = None

    def _problem(self, resource: str, message: str) -> None:
        if self._problems is not None:
            self._problems.append(Problem(resource, message))

    def resource_policy(self, key: FunctionKey) -> ResourcePolicy:
        """The resource policy on exactly this qualifier: a document, None (no policy), or
        a string saying why it is unknown."""
        cache_key = (key.function_arn, key.qualifier)
        if cache_key not in self._documents:
            self._documents[cache_key] = self._load(key)
        return self._documents[cache_key]

    def _load(self, key: FunctionKey) -> ResourcePolicy:
        function = self._functions.get(key.function_arn)
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
            self._problem(key.arn, f"its resource policy cannot be interpreted: {error}")
            return f"its resource policy cannot be interpreted: {error}"

    def may_invoke(self, source: WarmSource, key: FunctionKey) -> Verdict:
        if source.kind == "eventbridge_rule":
            document = self.resource_policy(key)
            if isinstance(document, str):
                return Verdict("unknown", document, ())
            return resource_policy_allows(
                document,
                service="events.amazonaws.com",
                action=INVOKE_ACTION,
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
                self._problem(source.role_arn, reason)
                return Verdict("unknown", reason, ())
        return identity_policies_allow(documents, action=INVOKE_ACTION, resource=key.arn)
