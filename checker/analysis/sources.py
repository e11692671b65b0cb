"""Stage 2, sources: the warm sources (scheduled rule targets and schedules that invoke a
function), what each sends, which of them are warmers, and whether each may invoke its target.

The snapshot parsed the AWS strings (expressions, inputs, policy documents, target ARNs) once,
where it was built or loaded; this stage reads those values, and records what could not be
interpreted as a `Problem` while it runs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from fnmatch import fnmatchcase
from types import MappingProxyType

from checker.analysis.facts import Facts
from checker.analysis.records import (
    AWS_DATA_ERRORS,
    PayloadCheck,
    Problem,
    WarmSource,
    data_error,
)
from checker.domain.arns import FunctionKey
from checker.domain.permissions import (
    EVENTS_PRINCIPAL,
    INVOKE_ACTION,
    PolicyDocument,
    Verdict,
    identity_policies_allow,
    resource_policy_allows,
)
from checker.domain.schedule import (
    AtExpression,
    CronExpression,
    FiringSource,
    RateExpression,
    check_zone,
)
from checker.domain.targets import UNIVERSAL_LAMBDA_INVOKE, universal_invocation
from checker.format.escape import shown
from checker.model.policy import Policy
from checker.model.snapshot import (
    IamRole,
    ParsedExpression,
    ParsedText,
    RuleTarget,
    Schedule,
    Snapshot,
    Unreadable,
)

_ENABLED_RULE_STATES = frozenset({"ENABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"})

# A resource policy: its document, None (the function has none), or why it is unknown.
ResourcePolicy = PolicyDocument | str | None


def collect_sources(
    policy: Policy,
    snapshot: Snapshot,
    facts: Facts,
    now: datetime,
    problems: list[Problem],
) -> tuple[WarmSource, ...]:
    """Every warm source in the snapshot, sorted by (ARN, target); warmers marked."""
    parsed = snapshot.parsed
    payloads = _Payloads(policy, parsed)
    sources: list[WarmSource] = []
    required_functions = facts.required_functions

    def warmer(name: str, key: FunctionKey, payload: PayloadCheck) -> bool:
        return _is_warmer(policy, name, key, payload, required_functions)

    for rule in snapshot.rules:
        if rule.schedule_expression is None or rule.event_bus != "default":
            continue
        rule_firing, error = _firing(
            rule.schedule_expression,
            parsed.expression(rule.schedule_expression),
            "UTC",
            0,
            None,
            None,
        )
        if isinstance(rule_firing, AtExpression):
            continue
        for target in rule.targets or []:
            key = parsed.function(target.arn)
            if key is None:
                continue
            enabled = rule.state in _ENABLED_RULE_STATES
            payload = payloads.rule(target)
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
                    firing=rule_firing,
                    expression_error=error,
                    payload=payload,
                    is_warmer=warmer(rule.name, key, payload),
                )
            )
    for schedule in snapshot.schedules:
        key, payload = _schedule_target(schedule, parsed, payloads)
        if key is None:
            continue
        firing: FiringSource | None = None
        error = None
        if schedule.expression is not None:
            schedule_firing, error = _firing(
                schedule.expression,
                parsed.expression(schedule.expression),
                schedule.timezone,
                schedule.flexible_window_minutes,
                schedule.start_date,
                schedule.end_date,
            )
            if isinstance(schedule_firing, AtExpression):
                continue
            firing = schedule_firing
        enabled, note = _schedule_enabled(
            schedule.state, schedule.start_date, schedule.end_date, now
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
                payload=payload,
                role_arn=schedule.target.role_arn,
                is_warmer=warmer(schedule.name, key, payload),
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


def _is_warmer(
    policy: Policy,
    name: str,
    target: FunctionKey,
    payload: PayloadCheck,
    required_functions: frozenset[str],
) -> bool:
    if target.function_arn in required_functions:
        return True
    if policy.warm.payload is not None and payload.matches:
        return True
    name = name.lower()
    return any(fnmatchcase(name, p.lower()) for p in policy.warmers.name_patterns)


def _schedule_target(
    schedule: Schedule, parsed: ParsedText, payloads: _Payloads
) -> tuple[FunctionKey | None, PayloadCheck]:
    """The function a schedule invokes (templated or universal target) and what it sends."""
    target = schedule.target
    key = parsed.function(target.arn)
    if key is not None:
        return key, payloads.schedule(target.input)
    if target.arn != UNIVERSAL_LAMBDA_INVOKE or target.input is None:
        return None, payloads.schedule(None)
    key, sent = universal_invocation(
        parsed.json(target.input), region=schedule.region, account=schedule.account
    )
    if sent is None or isinstance(sent, str):
        return key, payloads.schedule(sent)  # a Payload string is JSON text of its own
    return key, payloads.value(sent)


def _firing(
    expression: str,
    parsed: ParsedExpression | None,
    timezone: str,
    flexible: int,
    start: datetime | None,
    end: datetime | None,
) -> tuple[FiringSource | AtExpression | None, str | None]:
    if isinstance(parsed, Unreadable):
        return None, shown(parsed.reason, limit=300)
    try:
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

    def __init__(self, policy: Policy, parsed: ParsedText) -> None:
        self._wanted = policy.warm.payload
        self._parsed = parsed
        self._checked: dict[str, PayloadCheck] = {}

    def rule(self, target: RuleTarget) -> PayloadCheck:
        # With no policy payload, only a target that sends nothing at all is unsafe.
        lenient = self._wanted is None
        if target.input_path is not None:
            return PayloadCheck(lenient, "an InputPath selection of the scheduled event")
        if target.input_transformer is not None:
            return PayloadCheck(lenient, "an input built by an input transformer")
        if target.input is None:
            return PayloadCheck(False, "no input, so the whole scheduled event reaches the handler")
        return self._constant(target.input)

    def schedule(self, text: str | None) -> PayloadCheck:
        if text is None:
            return PayloadCheck(False, "no input")
        return self._constant(text)

    def value(self, sent: object) -> PayloadCheck:
        """A payload given as a JSON value (the universal target's ``Payload`` object)."""
        text = json.dumps(sent)
        check = self._checked.get(text)
        if check is None:
            check = self._checked[text] = self._check(sent)
        return check

    def _constant(self, text: str) -> PayloadCheck:
        check = self._checked.get(text)
        if check is None:
            check = self._checked[text] = self._check(self._parsed.json(text))
        return check

    def _check(self, sent: object) -> PayloadCheck:
        if isinstance(sent, Unreadable):
            if sent.kind == "untrusted-json":
                return PayloadCheck(False, f"an input warmcheck cannot compare ({sent.reason})")
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

    def __init__(
        self,
        facts: Facts,
        roles: Iterable[IamRole],
        parsed: ParsedText,
        problems: list[Problem],
    ) -> None:
        self._functions = facts.functions
        self._parsed = parsed
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
        document = self._parsed.policy(entry.document)
        if isinstance(document, Unreadable):
            reason = f"its resource policy cannot be interpreted: {document.reason}"
            self._problem(key.arn, reason)
            return reason
        return document

    def may_invoke(self, source: WarmSource, key: FunctionKey) -> Verdict:
        if source.kind == "eventbridge_rule":
            return self.service_may_invoke(EVENTS_PRINCIPAL, key, source.arn, source.account)
        return self._role_may_invoke(source, key)

    def service_may_invoke(
        self, service: str, key: FunctionKey, source_arn: str, source_account: str
    ) -> Verdict:
        """May `service`, acting for the source, invoke exactly this qualifier? "unknown" (with
        why) when its resource policy was not read or cannot be interpreted."""
        document = self.resource_policy(key)
        if isinstance(document, str):
            return Verdict("unknown", document, ())
        return resource_policy_allows(
            document,
            service=service,
            action=INVOKE_ACTION,
            resource=key.arn,
            source_arn=source_arn,
            source_account=source_account,
        )

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
            document = self._parsed.policy(entry.document)
            if isinstance(document, Unreadable):
                reason = f"role policy {entry.name} cannot be interpreted: {document.reason}"
                self._problem(source.role_arn, reason)
                return Verdict("unknown", reason, ())
            documents.append(document)
        return identity_policies_allow(documents, action=INVOKE_ACTION, resource=key.arn)
