"""build_plan(report, analysis) -> FixPlanV1: the exact change that closes each finding.

Pure, like the engine: it reads the findings and the analysis they came from, and never AWS.
Names and statement IDs are derived from what they are for (function, qualifier, purpose), so
the same state always gives the same plan, and applying it twice changes nothing the second time.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from checker import __version__
from checker.analysis.core import Analysis
from checker.analysis.records import WarmSource
from checker.domain.arns import FunctionKey, parse_arn, parse_function_arn
from checker.domain.permissions import INVOKE_ACTION
from checker.domain.schedule import FiringSource, worst_gap
from checker.engine import Evaluation
from checker.fix.model import (
    AssociateLambdaStep,
    EnableRuleStep,
    EntryV1,
    EventRuleStep,
    FixPlanV1,
    LambdaPermissionStep,
    ManualStep,
    NotCoveredV1,
    PolicyRefV1,
    RetargetRuleStep,
    RolePolicyStep,
    SchedulerRoleStep,
    ScheduleStep,
    SnapshotRefV1,
    Step,
    ToolV1,
    UpdateScheduleStep,
)
from checker.model.findings import Finding
from checker.model.policy import HoursOfOperationWindow, WeeklyWindow
from checker.model.snapshot import ConnectInstance, Schedule

# Lambda quotas: "Function resource-based policy: 20 KB", a limit that cannot be raised
# (docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
POLICY_SIZE_LIMIT = 20 * 1024
POLICY_SIZE_WARNING = POLICY_SIZE_LIMIT * 8 // 10
# What warmers send when the policy sets no payload (any constant input is then accepted).
FALLBACK_PAYLOAD: Any = {"warmer": True}
FIXABLE = ("WARM001", "WARM002", "WARM003", "WARM004", "WARM005", "WARM008", "WARM012", "WARM013")
MANUAL = ("WARM006", "WARM009", "WARM011", "WARM019")
_NAME_SAFE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_DAY_NAMES = {1: "MON", 2: "TUE", 3: "WED", 4: "THU", 5: "FRI", 6: "SAT", 7: "SUN"}
_NOT_COVERED_REASON = {
    "WARM007": "the warmer targets a function that does not exist: deploy the function, or "
    "delete the warmer (a removal warmcheck leaves to you)",
    "WARM010": "the function's timeout is application configuration: lower it where the "
    "function is deployed",
    "WARM014": "the flow calls a function or module that does not exist: deploy it, or fix "
    "the flow",
    "WARM901": "unread evidence: fix access and run again",
    "WARM902": "a policy-file matter: renew or remove the waiver",
    "WARM903": "a policy-file matter: remove the unused waiver",
}

_STEP_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "eventbridge_rule": (
        "events:DescribeRule",
        "events:ListTargetsByRule",
        "events:PutRule",
        "events:PutTargets",
    ),
    "lambda_permission": ("lambda:AddPermission",),
    "scheduler_role": ("iam:CreateRole", "iam:GetRole", "iam:GetRolePolicy", "iam:PutRolePolicy"),
    "scheduler_schedule": ("iam:PassRole", "scheduler:CreateSchedule", "scheduler:GetSchedule"),
    "enable_rule": ("events:DescribeRule", "events:EnableRule"),
    "retarget_rule": ("events:ListTargetsByRule", "events:PutTargets"),
    "update_schedule": ("iam:PassRole", "scheduler:GetSchedule", "scheduler:UpdateSchedule"),
    "role_policy": ("iam:GetRolePolicy", "iam:PutRolePolicy"),
    "associate_lambda": (
        "connect:AssociateLambdaFunction",
        "connect:ListLambdaFunctions",
        "lambda:AddPermission",
    ),
    "manual": (),
}


def sha8(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:8]


def resource_name(purpose: str, key: FunctionKey, *extra: str) -> str:
    """A rule, schedule or role name: readable, unique per (function, qualifier, purpose),
    at most 64 characters (the EventBridge, Scheduler and IAM limit)."""
    digest = sha8(key.arn, purpose, *extra)
    return f"warmcheck-{key.name[:44]}-{digest}"


def statement_id(key: FunctionKey, principal: str, source_arn: str) -> str:
    return f"warmcheck-{sha8(key.arn, principal, source_arn)}"


def _payload_text(payload: Any) -> str:
    return json.dumps(FALLBACK_PAYLOAD if payload is None else payload, sort_keys=True)


@dataclass(slots=True)
class _Draft:
    summary: str
    steps: list[Step]
    undo: list[str]
    reversible: bool = True
    manual: bool = False
    warnings: list[str] = field(default_factory=list)


class _Builder:
    def __init__(self, report: Evaluation, analysis: Analysis) -> None:
        self.report = report
        self.analysis = analysis
        self.policy = analysis.policy
        self.payload = _payload_text(self.policy.warm.payload)
        self.rules = {rule.arn: rule for rule in analysis.snapshot.rules}
        self.schedules = {schedule.arn: schedule for schedule in analysis.snapshot.schedules}
        # Warmers re-pointed by WARM005: (warmer, the qualifier it targets) -> the one flows call.
        self.repoint: dict[tuple[str, FunctionKey], FunctionKey] = {}
        for key, assessment in analysis.assessments.items():
            for source in assessment.others:
                self.repoint.setdefault((source.arn, source.target), key)
        self.warnings: list[str] = []

    # --- the plan ---------------------------------------------------------------------------

    def build(self) -> FixPlanV1:
        entries: list[EntryV1] = []
        not_covered: list[NotCoveredV1] = []
        for finding in self.report.findings:
            if finding.waived:
                not_covered.append(_not_covered(finding, "waived in the policy"))
                continue
            if finding.rule in FIXABLE or finding.rule in MANUAL:
                draft = self._draft(finding)
                entries.append(self._entry(finding, draft))
            else:
                reason = _NOT_COVERED_REASON.get(finding.rule, "no automatic fix")
                not_covered.append(_not_covered(finding, reason))
        self._policy_size_warnings(entries)
        unread = sorted({f.message for f in self.report.findings if f.rule == "WARM901"})
        if unread:
            self.warnings.insert(
                0,
                "evidence is incomplete: this plan covers only what could be read; run "
                "`warmcheck fix` again once every read succeeds",
            )
        return FixPlanV1(
            tool=ToolV1(version=__version__),
            policy=PolicyRefV1(path=self.report.policy.path, sha256=self.report.policy.sha256),
            snapshot=SnapshotRefV1(
                accounts=list(self.report.accounts),
                regions=list(self.report.regions),
                collected_at=self.report.collected_at.isoformat(),
            ),
            complete=not unread,
            unread=unread,
            entries=entries,
            not_covered=not_covered,
            warnings=self.warnings,
        )

    def _entry(self, finding: Finding, draft: _Draft) -> EntryV1:
        account, region = _place(finding)
        permissions = sorted({p for step in draft.steps for p in _STEP_PERMISSIONS[step.type]})
        return EntryV1(
            fingerprint=finding.fingerprint,
            rule=finding.rule,
            slug=finding.slug,
            resource=finding.resource,
            function=finding.function,
            warmer=finding.warmer,
            account=account,
            region=region,
            summary=draft.summary,
            steps=draft.steps,
            operator_permissions=permissions,
            reversible=draft.reversible,
            undo=draft.undo,
            manual=draft.manual,
            warnings=draft.warnings,
        )

    def _draft(self, finding: Finding) -> _Draft:
        return _PLANNERS[finding.rule](self, finding)

    # --- WARM001 / WARM003: a new warmer on the exact qualifier -----------------------------

    def _new_warmer(self, finding: Finding) -> _Draft:
        key = _function_key(finding)
        assessment = self.analysis.assessments.get(key) if key else None
        if key is None or assessment is None:
            return _no_longer_required(finding)
        settings = assessment.required.settings
        limit = settings.max_interval
        window = self.analysis.window_intervals(assessment.required)
        if isinstance(window, str):
            return _manual_draft(f"cannot build a schedule for {key.arn}: {window}")
        for candidate in self._warmer_candidates(key, limit, settings.window, settings.accept):
            gap = worst_gap(
                candidate.firings,
                window,
                self.analysis.now,
                self.analysis.horizon_end,
                self.analysis.schedule_memory,
            )
            if gap.seconds <= limit:
                return candidate.draft
        accepted = ", ".join(settings.accept)
        return _manual_draft(
            f"no {accepted} schedule can keep {key.arn} within {limit} s (EventBridge and "
            "Scheduler fire at most once a minute): consider provisioned concurrency on this "
            "qualifier, or raise max_interval for it in the policy"
        )

    def _warmer_candidates(
        self,
        key: FunctionKey,
        limit: int,
        window: object,
        accept: Sequence[str],
    ) -> Iterable[_Candidate]:
        minutes = limit // 60
        if minutes < 1:
            return
        if "scheduler_schedule" in accept and isinstance(
            window, WeeklyWindow | HoursOfOperationWindow
        ):
            crons = self._window_crons(key, window, minutes)
            if crons is not None:
                timezone, expressions = crons
                yield self._schedule_candidate(key, timezone, expressions)
        expression = f"rate({minutes} minute{'s' if minutes != 1 else ''})"
        if "eventbridge_rule" in accept:
            yield self._rule_candidate(key, expression)
        elif "scheduler_schedule" in accept:
            yield self._schedule_candidate(key, "UTC", [expression])

    def _window_crons(
        self, key: FunctionKey, window: WeeklyWindow | HoursOfOperationWindow, minutes: int
    ) -> tuple[str, list[str]] | None:
        """Cron expressions in the window's zone that fire every step inside its hours."""
        ranges: list[tuple[frozenset[int], int, int]]
        if isinstance(window, WeeklyWindow):
            timezone = window.timezone
            ranges = [(r.iso_days, r.start_minute, r.end_minute) for r in window.weekly]
        else:
            assessment = self.analysis.assessments[key]
            hours = self.analysis.find_hours(  # the same lookup the window itself used
                window.hours_of_operation, assessment.required.instances.values()
            )
            if isinstance(hours, str):
                return None
            timezone = hours.time_zone
            day_number = {"MON": 1, "TUE": 2, "WED": 3, "THU": 4, "FRI": 5, "SAT": 6, "SUN": 7}
            ranges = [
                (
                    frozenset({day_number[c.day[:3]]}),
                    c.start.hours * 60 + c.start.minutes,
                    c.end.hours * 60 + c.end.minutes,
                )
                for c in hours.config
            ]
        step = max(s for s in (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60) if s <= min(minutes, 60))
        by_hours: dict[tuple[int, int], set[int]] = {}
        for days, start, end in ranges:
            spans = [(days, start, end)]
            if end <= start:  # overnight: up to midnight, then from midnight the next day
                spans = [(days, start, 1440), (frozenset(d % 7 + 1 for d in days), 0, end)]
            for span_days, low, high in spans:
                if high <= low:
                    continue
                first_hour, last_hour = low // 60, (high - 1) // 60
                by_hours.setdefault((first_hour, last_hour), set()).update(span_days)
        if not by_hours:
            return None
        minute_field = "0" if step == 60 else f"0/{step}"
        expressions = []
        for (first_hour, last_hour), weekdays in sorted(by_hours.items()):
            hour_field = str(first_hour) if first_hour == last_hour else f"{first_hour}-{last_hour}"
            day_field = ",".join(_DAY_NAMES[d] for d in sorted(weekdays))
            expressions.append(f"cron({minute_field} {hour_field} ? * {day_field} *)")
        return timezone, expressions

    def _rule_candidate(self, key: FunctionKey, expression: str) -> _Candidate:
        name = resource_name("warmer", key)
        arn = f"arn:{key.partition}:events:{key.region}:{key.account}:rule/{name}"
        rule = EventRuleStep(
            name=name,
            arn=arn,
            schedule_expression=expression,
            target_id="warmcheck",
            target_arn=key.arn,
            input=self.payload,
        )
        permission = self._permission(key, "events.amazonaws.com", arn, key.account)
        return _Candidate(
            firings=(FiringSource(expression),),
            draft=_Draft(
                summary=f"add EventBridge rule {name} ({expression}, UTC) invoking {key.arn} "
                "with the policy payload, and the events.amazonaws.com permission for it",
                steps=[rule, permission],
                undo=[
                    f"remove permission {permission.statement_id} from {key.arn}",
                    f"remove target warmcheck from rule {name}, then delete rule {name}",
                ],
            ),
        )

    def _schedule_candidate(
        self, key: FunctionKey, timezone: str, expressions: Sequence[str]
    ) -> _Candidate:
        role_name = resource_name("scheduler-role", key)
        role_arn = f"arn:{key.partition}:iam::{key.account}:role/{role_name}"
        schedules = []
        for expression in expressions:
            name = resource_name("schedule", key, expression, timezone)
            schedules.append(
                ScheduleStep(
                    name=name,
                    arn=f"arn:{key.partition}:scheduler:{key.region}:{key.account}:schedule/"
                    f"default/{name}",
                    schedule_expression=expression,
                    timezone=timezone,
                    target_arn=key.arn,
                    role_arn=role_arn,
                    input=self.payload,
                )
            )
        role = SchedulerRoleStep(
            role_name=role_name,
            role_arn=role_arn,
            policy_name="warmcheck-invoke",
            function_arn=key.arn,
            schedule_arns=[s.arn for s in schedules],
        )
        described = "; ".join(s.schedule_expression for s in schedules)
        return _Candidate(
            firings=tuple(FiringSource(s.schedule_expression, timezone) for s in schedules),
            draft=_Draft(
                summary=f"add Scheduler schedule(s) ({described}, {timezone}) invoking {key.arn} "
                f"with the policy payload, and execution role {role_name} that may invoke only "
                "that qualifier",
                steps=[role, *schedules],
                undo=[
                    *(f"delete schedule {s.name}" for s in schedules),
                    f"delete role {role_name} (inline policy warmcheck-invoke first)",
                ],
            ),
        )

    # --- WARM002: re-enable ----------------------------------------------------------------

    def _re_enable(self, finding: Finding) -> _Draft:
        key = _function_key(finding)
        assessment = self.analysis.assessments.get(key) if key else None
        if key is None or assessment is None:
            return _no_longer_required(finding)
        steps: list[Step] = []
        undo: list[str] = []
        for source in sorted({s.arn: s for s in assessment.exact}.values(), key=lambda s: s.arn):
            if source.kind == "eventbridge_rule":
                steps.append(EnableRuleStep(rule_name=source.name, rule_arn=source.arn))
                undo.append(f"disable rule {source.name} again")
            else:
                schedule = self.schedules.get(source.arn)
                update = self._update_schedule(schedule, key) if schedule else None
                if update is None:
                    steps.append(_manual_step(f"enable schedule {source.name} in the console"))
                    continue
                steps.append(update)
                undo.append(f"disable schedule {source.name} again")
            # Once it fires, it must also be allowed to invoke: else WARM004 follows.
            steps.extend(self._invoke_right(source, key))
        return _Draft(
            summary=f"re-enable the warmers of {key.arn}",
            steps=steps,
            undo=undo,
            manual=all(s.type == "manual" for s in steps),
        )

    # --- WARM004 / WARM013: the missing statement ------------------------------------------

    def _warmer_permission(self, finding: Finding) -> _Draft:
        key = _function_key(finding)
        source = self._source(finding.warmer, key)
        if key is None or source is None:
            return _manual_draft(f"the warmer {finding.warmer} is no longer a warm source")
        steps = self._invoke_right(source, key, force=True)
        what = "resource-policy statement" if source.kind == "eventbridge_rule" else "role policy"
        return _reversible(
            f"allow {source.label} {source.name} to invoke {key.arn} ({what} pinned to "
            "it, on exactly that qualifier)",
            steps,
        )

    def _connect_permission_step(self, key: FunctionKey, instance: ConnectInstance) -> Step | None:
        # A policy that cannot be read gets the statement; one that can, only if it denies.
        readable = not isinstance(self.analysis.policy_document(key), str)
        if readable and self.analysis.connect_may_invoke(instance, key).outcome != "denied":
            return None
        return self._permission(key, "connect.amazonaws.com", instance.arn, instance.account)

    # --- WARM005 / WARM008: re-point the warmer's own target -------------------------------

    def _retarget(self, finding: Finding) -> _Draft:
        warmer = finding.warmer or finding.resource
        named = _function_key(finding)
        source: WarmSource | None = None
        wanted: FunctionKey | None = None
        for candidate in self.analysis.sources:
            if candidate.arn != warmer or not candidate.is_warmer:
                continue
            if finding.rule == "WARM005":
                # The finding names the qualifier flows call; the source targets another.
                if self.repoint.get((candidate.arn, candidate.target)) == named:
                    source, wanted = candidate, named
                    break
            elif candidate.target == named:
                source = candidate
                wanted = self.repoint.get((candidate.arn, candidate.target), candidate.target)
                break
        if source is None and finding.rule == "WARM005" and named in self.analysis.assessments:
            # The warmer is re-pointed at another qualifier the flows call (its own entry):
            # this qualifier gets a warmer of its own.
            return self._new_warmer(finding)
        if source is None or wanted is None:
            return _manual_draft(f"the warmer {warmer} is no longer a warm source")
        steps: list[Step]
        if source.kind == "eventbridge_rule":
            steps = self._retarget_rule(source, wanted)
        else:
            schedule = self.schedules.get(source.arn)
            update = self._update_schedule(schedule, wanted) if schedule else None
            steps = [update] if update else []
        if not steps:
            return _manual_draft(
                f"re-point {source.label} {source.name} at {wanted.arn} with the policy payload "
                "by hand: warmcheck cannot rewrite this target safely (unknown target ID, or a "
                "universal-target schedule)"
            )
        if wanted != source.target:
            steps.extend(self._invoke_right(source, wanted))
            summary = (
                f"re-point {source.label} {source.name} from {source.target.arn} to {wanted.arn}"
            )
        else:
            summary = f"make {source.label} {source.name} send the policy payload to {wanted.arn}"
        return _reversible(
            summary + " (the same target, with the policy payload as its input)", steps
        )

    def _retarget_rule(self, source: WarmSource, wanted: FunctionKey) -> list[Step]:
        rule = self.rules.get(source.arn)
        if rule is None:
            return []
        steps: list[Step] = []
        for target in sorted(rule.targets or [], key=lambda t: t.id):
            if parse_function_arn(target.arn) != source.target or not _NAME_SAFE.match(target.id):
                continue
            steps.append(
                RetargetRuleStep(
                    rule_name=rule.name,
                    rule_arn=rule.arn,
                    target_id=target.id,
                    target_arn=wanted.arn,
                    input=self.payload,
                    role_arn=target.role_arn,
                    previous_target_arn=target.arn,
                )
            )
        return steps if _NAME_SAFE.match(rule.name) else []

    def _update_schedule(
        self, schedule: Schedule, wanted: FunctionKey
    ) -> UpdateScheduleStep | None:
        """The schedule as it is, enabled, targeting `wanted` with the payload; None when its
        target cannot be rewritten safely (universal target, no role, no expression)."""
        if (
            parse_function_arn(schedule.target.arn) is None
            or schedule.target.role_arn is None
            or schedule.expression is None
            or not _NAME_SAFE.match(schedule.name)
            or not _NAME_SAFE.match(schedule.group)
        ):
            return None
        return UpdateScheduleStep(
            name=schedule.name,
            group=schedule.group,
            arn=schedule.arn,
            schedule_expression=schedule.expression,
            timezone=schedule.timezone,
            flexible_window_minutes=schedule.flexible_window_minutes,
            target_arn=wanted.arn,
            role_arn=schedule.target.role_arn,
            input=self.payload,
        )

    # --- WARM012: associate ------------------------------------------------------------------

    def _association_step(self, key: FunctionKey, instance: ConnectInstance) -> Step | None:
        associated = instance.lambda_functions
        if associated is None or key.arn in associated or key.function_arn in associated:
            return None
        return AssociateLambdaStep(
            instance_id=instance.id, instance_arn=instance.arn, function_arn=key.arn
        )

    # --- WARM012 / WARM013: one step per Connect instance whose flows call the function ---------

    def _per_instance(self, finding: Finding) -> _Draft:
        key = _function_key(finding)
        required = self.analysis.required.get(key) if key else None
        if key is None or required is None:
            return _no_longer_required(finding)
        step_for, summary = _PER_INSTANCE[finding.rule]
        instances = sorted(required.instances.values(), key=lambda i: i.arn)
        steps = [s for i in instances if (s := step_for(self, key, i)) is not None]
        return _reversible(summary.format(arn=key.arn), steps)

    # --- WARM006 / WARM009 / WARM011: explain, never remove -------------------------------

    def _manual_orphan(self, finding: Finding) -> _Draft:
        warmer = finding.warmer or finding.resource
        name = warmer.rsplit("/", 1)[-1]
        region = parse_arn(warmer) or parse_arn(finding.resource)
        where = f" --region {region.region}" if region else ""
        command = (
            f"aws events disable-rule --name {name}{where}"
            if ":rule/" in warmer
            else f"aws scheduler update-schedule --name {name} --state DISABLED ...{where}"
        )
        return _manual_draft(
            f"{warmer} warms {finding.function}, which no in-scope flow calls. If nothing else "
            "needs it warm, disable it and later delete it; if it must stay warm, list the "
            "function in the policy's extra_functions, or waive WARM006 for it",
            [command],
            summary=f"manual: decide whether {warmer} should keep running (nothing is removed)",
        )

    def _manual_overbroad(self, finding: Finding) -> _Draft:
        function, qualifier, where = _cli_function(finding)
        commands = []
        statements = re.findall(r"statement ([^)]*)\)", finding.message)
        for sid in statements[0].split(", ") if statements else []:
            commands.append(
                f"aws lambda remove-permission --function-name {function}{qualifier} "
                f"--statement-id {sid}{where}"
            )
        return _manual_draft(
            f"a statement on {finding.resource} lets a service invoke it from any source. "
            "Before removing it, make sure every legitimate caller has its own pinned statement "
            "(warmers: --source-arn <rule ARN> --source-account <account>; Connect: the instance "
            "ARN), or the flows and warmers that rely on it stop working; `warmcheck check` "
            "after removal shows any WARM004 or WARM013 that follows",
            commands,
            summary=f"manual: narrow the unpinned statement on {finding.resource} once every "
            "caller has a pinned one (nothing is removed)",
        )

    def _manual_unresolvable(self, finding: Finding) -> _Draft:
        return _manual_draft(
            f"{finding.resource} picks its Lambda at run time, so warmcheck cannot tell which "
            "function to keep warm. Use a static function ARN in the flow, or list every "
            "function it may call in the policy's extra_functions (warmcheck then plans their "
            "warmers) and waive WARM011 for this flow",
            summary=f"manual: make the flow's Lambda reference static, or list its functions "
            f"in extra_functions ({finding.resource})",
        )

    def _manual_cannot_run(self, finding: Finding) -> _Draft:
        # Reserved concurrency 0 is the usual kill switch: someone may have set it on purpose,
        # so lifting it is a decision, shown as a command, never executed.
        name, qualifier, where = _cli_function(finding)
        payload = json.dumps(json.loads(self.payload), separators=(",", ":"))
        return _manual_draft(
            f"{finding.resource} cannot serve a call ({finding.message}). Reserved concurrency "
            "0 is often a deliberate kill switch: lift it only when whoever set it agrees. An "
            "Inactive function becomes active again on its next invocation (one warm call does "
            "it); a Failed one needs its deployment fixed (see StateReason) and redeployed",
            [
                f"aws lambda delete-function-concurrency --function-name {name}{where}",
                (
                    f"aws lambda invoke --function-name {name}{qualifier} --payload '{payload}' "
                    f"--cli-binary-format raw-in-base64-out{where} /dev/null"
                ),
            ],
            summary=f"manual: let {finding.resource} run again (nothing is changed for you)",
        )

    # --- permissions -----------------------------------------------------------------------

    def _permission(
        self, key: FunctionKey, principal: str, source_arn: str, account: str
    ) -> LambdaPermissionStep:
        return LambdaPermissionStep(
            function_arn=key.function_arn,
            qualifier=None if key.is_latest else key.qualifier,
            statement_id=statement_id(key, principal, source_arn),
            principal=principal,  # type: ignore[arg-type]
            source_arn=source_arn,
            source_account=account,
        )

    def _invoke_right(
        self, source: WarmSource, key: FunctionKey, *, force: bool = False
    ) -> list[Step]:
        """What lets `source` invoke `key`, when it may not yet (always, with `force`)."""
        if not force and self.analysis.may_invoke(source, key).outcome == "allowed":
            return []
        if source.kind == "eventbridge_rule":
            return [self._permission(key, "events.amazonaws.com", source.arn, source.account)]
        role_arn = source.role_arn
        role = self.analysis.roles.get(role_arn) if role_arn else None
        role_name = role_arn.rsplit("/", 1)[-1] if role_arn else ""
        if role is None or not role.exists or not _NAME_SAFE.match(role_name):
            return [
                _manual_step(
                    f"schedule {source.name} has no usable execution role ({role_arn}): give it "
                    f"a role trusted by scheduler.amazonaws.com that may invoke {key.arn}"
                )
            ]
        assert role_arn is not None
        return [
            RolePolicyStep(
                role_name=role_name,
                role_arn=role_arn,
                policy_name=f"warmcheck-invoke-{sha8(key.arn)}",
                function_arn=key.arn,
            )
        ]

    def _source(self, warmer: str | None, key: FunctionKey | None) -> WarmSource | None:
        return next((s for s in self.analysis.sources if s.arn == warmer and s.target == key), None)

    def _policy_size_warnings(self, entries: list[EntryV1]) -> None:
        """Warn when the statements a plan adds bring a policy near Lambda's 20 KB limit."""
        added: dict[tuple[str, str | None], dict[str, LambdaPermissionStep]] = {}
        for entry in entries:
            for step in entry.steps:
                if isinstance(step, LambdaPermissionStep):
                    added.setdefault((step.function_arn, step.qualifier), {})[step.statement_id] = (
                        step
                    )
        for (function_arn, qualifier), steps in sorted(added.items(), key=lambda kv: str(kv[0])):
            function = self.analysis.functions.get(function_arn)
            current = 0
            for policy in function.policies if function else []:
                if policy.qualifier == (qualifier or "$LATEST") and policy.document:
                    current = len(policy.document.encode())
            projected = current + sum(statement_size(step) for step in steps.values())
            if projected >= POLICY_SIZE_WARNING:
                where = f"{function_arn}:{qualifier}" if qualifier else function_arn
                self.warnings.append(
                    f"the resource policy of {where} would grow to about {projected} bytes of "
                    f"Lambda's {POLICY_SIZE_LIMIT}-byte limit: AddPermission fails with "
                    "PolicyLengthExceededException past it; consolidate statements first"
                )


@dataclass(frozen=True, slots=True)
class _Candidate:
    firings: tuple[FiringSource, ...]
    draft: _Draft


def statement_size(step: LambdaPermissionStep) -> int:
    """Bytes of the statement Lambda writes for this AddPermission (compact JSON)."""
    resource = step.function_arn + (f":{step.qualifier}" if step.qualifier else "")
    statement = {
        "Sid": step.statement_id,
        "Effect": "Allow",
        "Principal": {"Service": step.principal},
        "Action": INVOKE_ACTION,
        "Resource": resource,
        "Condition": {
            "StringEquals": {"AWS:SourceAccount": step.source_account},
            "ArnLike": {"AWS:SourceArn": step.source_arn},
        },
    }
    return len(json.dumps(statement, separators=(",", ":")).encode()) + 1  # the comma


def _function_key(finding: Finding) -> FunctionKey | None:
    return parse_function_arn(finding.function) if finding.function else None


def _cli_function(finding: Finding) -> tuple[str, str, str]:
    """For an `aws lambda` command: the function's name, its --qualifier and --region flags."""
    key = _function_key(finding)
    if key is None:
        return finding.resource, "", ""
    qualifier = "" if key.is_latest else f" --qualifier {key.qualifier}"
    return key.name, qualifier, f" --region {key.region}"


def _place(finding: Finding) -> tuple[str, str]:
    """The account and region a finding's change lands in: its function's, else its resource's."""
    for arn in (finding.function, finding.warmer, finding.resource):
        parsed = parse_arn(arn) if arn else None
        if parsed is not None and parsed.account and parsed.region:
            return parsed.account, parsed.region
    return "", ""


def _manual_step(text: str, commands: Sequence[str] = ()) -> ManualStep:
    return ManualStep(explanation=text, commented_commands=list(commands))


def _manual_draft(text: str, commands: Sequence[str] = (), *, summary: str = "") -> _Draft:
    return _Draft(
        summary=summary or "manual: " + text,
        steps=[_manual_step(text, commands)],
        undo=[],
        reversible=False,
        manual=True,
    )


def _no_longer_required(finding: Finding) -> _Draft:
    return _manual_draft(f"{finding.function} is not a required function any more")


def _reversible(summary: str, steps: list[Step]) -> _Draft:
    """A draft of executed steps, each undone by the step that reverses it."""
    return _Draft(summary=summary, steps=steps, undo=[_undo(step) for step in steps])


def _not_covered(finding: Finding, reason: str) -> NotCoveredV1:
    return NotCoveredV1(
        fingerprint=finding.fingerprint, rule=finding.rule, resource=finding.resource, reason=reason
    )


def _undo(step: Step) -> str:
    if isinstance(step, LambdaPermissionStep):
        on = f" (qualifier {step.qualifier})" if step.qualifier else ""
        return f"remove permission {step.statement_id} from {step.function_arn}{on}"
    if isinstance(step, RetargetRuleStep):
        return (
            f"put target {step.target_id} of rule {step.rule_name} back to "
            f"{step.previous_target_arn}"
        )
    if isinstance(step, UpdateScheduleStep):
        return f"update schedule {step.name} back to its earlier settings"
    if isinstance(step, RolePolicyStep):
        return f"delete inline policy {step.policy_name} from role {step.role_name}"
    if isinstance(step, AssociateLambdaStep):
        return f"disassociate {step.function_arn} from {step.instance_arn}"
    if isinstance(step, EnableRuleStep):
        return f"disable rule {step.rule_name} again"
    return "nothing to undo"


_InstanceStep = Callable[[_Builder, FunctionKey, ConnectInstance], Step | None]
# WARM012 / WARM013: the step one Connect instance needs (None: it has it), and the summary.
_PER_INSTANCE: dict[str, tuple[_InstanceStep, str]] = {
    "WARM012": (
        _Builder._association_step,
        "associate {arn} with the Connect instance(s) whose flows call it",
    ),
    "WARM013": (
        _Builder._connect_permission_step,
        (
            "allow the Connect instance(s) to invoke {arn} (connect.amazonaws.com, pinned to "
            "the instance ARN and account, on exactly that qualifier)"
        ),
    ),
}
# Every rule the plan covers (FIXABLE and MANUAL), and the planner that drafts its entry.
_PLANNERS: dict[str, Callable[[_Builder, Finding], _Draft]] = {
    "WARM001": _Builder._new_warmer,
    "WARM003": _Builder._new_warmer,
    "WARM002": _Builder._re_enable,
    "WARM004": _Builder._warmer_permission,
    "WARM005": _Builder._retarget,
    "WARM008": _Builder._retarget,
    "WARM012": _Builder._per_instance,
    "WARM013": _Builder._per_instance,
    "WARM006": _Builder._manual_orphan,
    "WARM009": _Builder._manual_overbroad,
    "WARM011": _Builder._manual_unresolvable,
    "WARM019": _Builder._manual_cannot_run,
}


def build_plan(report: Evaluation, analysis: Analysis) -> FixPlanV1:
    """The fix plan for `report`'s findings, read against the `analysis` they came from."""
    return _Builder(report, analysis).build()


__all__ = ["FIXABLE", "MANUAL", "POLICY_SIZE_LIMIT", "build_plan", "resource_name", "sha8"]
