"""The shared analysis every rule reads, built once per evaluation in stages, then frozen.

1. `facts`: the instances in scope, the flows that reach Lambda, the required set.
2. `sources`: the warm sources, what they send, which are warmers, who may invoke what.
3. `windows`: when each function must be warm, and the worst gap inside that window.
4. `decide`: the one decision per required function (DESIGN.md "One cause per cold function").
5. `evidence`: runtime evidence (metrics, logs), judged from the warmers and decisions.

Anything the snapshot says that warmcheck cannot interpret (unreadable flow content, an invalid
schedule expression, an odd policy document) becomes a `Problem` while its stage runs, which the
evidence rule (WARM901) reports: unread or uninterpretable evidence is never taken as fine. Once
built, an `Analysis` is not changed: its attributes cannot be set and its problems are a tuple.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import Any

from checker.analysis.decide import Decider, UnreadSources
from checker.analysis.evidence import RuntimeJudgement
from checker.analysis.evidence import judge as judge_evidence
from checker.analysis.facts import Facts, gather_facts
from checker.analysis.records import (
    Assessment,
    Problem,
    ReferencingFlow,
    RequiredFunction,
    WarmSource,
    WindowIntervals,
)
from checker.analysis.sources import Permissions, ResourcePolicy, collect_sources
from checker.analysis.windows import Windows
from checker.domain.arns import FunctionKey
from checker.domain.permissions import CONNECT_PRINCIPAL, Verdict
from checker.domain.required import flows_in_scope
from checker.domain.required import static_key as reference_key
from checker.domain.schedule import Gap, ScheduleMemory
from checker.domain.targets import schedule_invocation
from checker.model.policy import Policy
from checker.model.snapshot import (
    ConnectInstance,
    ContactFlow,
    HoursOfOperation,
    IamRole,
    LambdaFunction,
    LambdaReference,
    Snapshot,
)


class Analysis:
    """Facts, warm sources, windows and one decision per required function, read-only."""

    policy: Policy
    snapshot: Snapshot
    now: datetime
    horizon_end: datetime
    schedule_memory: ScheduleMemory
    instances: Sequence[ConnectInstance]
    scanned_accounts: frozenset[str]
    functions: Mapping[str, LambdaFunction]
    roles: Mapping[str, IamRole]
    holders: Mapping[str, ReferencingFlow]
    missing_modules: Mapping[str, tuple[str, ...]]
    required: Mapping[FunctionKey, RequiredFunction]
    excluded: frozenset[FunctionKey]
    required_complete: bool
    required_functions: frozenset[str]
    reached_functions: frozenset[str]
    sources: Sequence[WarmSource]
    warmers: Sequence[WarmSource]
    warmers_by_function: Mapping[str, Sequence[WarmSource]]
    assessments: Mapping[FunctionKey, Assessment]
    runtime: RuntimeJudgement
    problems: Sequence[Problem]

    def __init__(self, policy: Policy, snapshot: Snapshot, now: datetime) -> None:
        self.policy = policy
        self.snapshot = snapshot
        self.now = now
        problems: list[Problem] = []
        self._building: list[Problem] | None = problems
        self._keys = snapshot.parsed.function

        facts = gather_facts(policy, snapshot, self._keys)
        problems.extend(facts.problems)
        self._facts: Facts = facts
        self.instances = facts.instances
        self.scanned_accounts = facts.scanned_accounts
        self.functions = facts.functions
        self.holders = facts.holders
        self.missing_modules = facts.missing_modules
        self.required = facts.required
        self.excluded = facts.excluded
        # Unread evidence may never become a verdict: a flow not read may call any function
        # (so no warmer is an orphan), a warm source not read may warm any function in its
        # account and region (so none of them is cold for want of a warmer).
        self.required_complete = facts.required_complete
        self.required_functions = facts.required_functions
        # Flows reach excluded functions too: a warmer on one is deliberate, not an orphan.
        self.reached_functions = self.required_functions | {k.function_arn for k in facts.excluded}

        self.sources = collect_sources(policy, snapshot, facts, now, problems)
        self.warmers = tuple(source for source in self.sources if source.is_warmer)
        by_function: dict[str, list[WarmSource]] = defaultdict(list)
        for source in self.warmers:
            by_function[source.target.function_arn].append(source)
        self.warmers_by_function = MappingProxyType(
            {arn: tuple(found) for arn, found in by_function.items()}
        )
        self._permissions = Permissions(facts, snapshot.roles, snapshot.parsed, problems)
        self.roles = self._permissions.roles

        self._windows = Windows(facts.instances, now)
        self.horizon_end = self._windows.horizon_end
        self.schedule_memory = self._windows.memory  # shared by evidence and the fix planner

        decider = Decider(
            snapshot, facts, self.warmers_by_function, self._permissions, self._windows, problems
        )
        self.assessments = MappingProxyType(
            {key: decider.assess(facts.required[key]) for key in sorted(facts.required)}
        )
        self._unread_sources = UnreadSources(snapshot)
        # The resource policies the report judges besides the warmers' (WARM009, WARM013):
        # interpreted now, so a policy that cannot be interpreted is a problem before any rule.
        self._permissions.judge(self._judged_resource_policies())
        # Runtime evidence (metrics, logs): judged last, from the warmers and assessments above.
        self.runtime = judge_evidence(self)
        self._permissions.done()
        self.problems = tuple(problems)
        self._building = None

    def __setattr__(self, name: str, value: Any) -> None:
        if getattr(self, "_building", True) is None:
            raise AttributeError(f"the analysis is built and cannot change (setting {name})")
        object.__setattr__(self, name, value)

    def add_problem(self, resource: str, message: str) -> None:
        """Evidence that was asked for but cannot be read or trusted (WARM901): only while the
        analysis is being built."""
        if self._building is None:
            raise RuntimeError("the analysis is built: problems are recorded while it is built")
        self._building.append(Problem(resource, message))

    def _judged_resource_policies(self) -> list[FunctionKey]:
        keys = [
            key
            for key, required in self.required.items()
            if required.instances and self.exists(key) is True
        ]
        if self.policy.warm.require_source_arn:
            for function_arn in sorted(self.required_functions):
                function = self.functions.get(function_arn)
                base = self._keys(function_arn)
                if function is None or not function.exists or base is None:
                    continue
                keys += [base.at(p.qualifier) for p in function.policies if p.document is not None]
        return keys

    # --- facts ---------------------------------------------------------------------------------

    def flows_in_scope(self, instance: ConnectInstance) -> list[ContactFlow]:
        return flows_in_scope(self.policy, instance)

    def static_key(self, reference: LambdaReference) -> FunctionKey | None:
        return reference_key(reference, self._keys)

    def function_key(self, arn: str) -> FunctionKey | None:
        """`parse_function_arn`, remembered: keys are immutable and ARNs repeat."""
        return self._keys(arn)

    def in_scope(self, key: FunctionKey) -> bool:
        return self._facts.in_scope(key)

    def exists(self, key: FunctionKey) -> bool | None:
        return self._facts.exists(key)

    def timeout(self, key: FunctionKey) -> int | None:
        return self._facts.timeout(key)

    def provisioned(self, key: FunctionKey) -> bool | None:
        return self._facts.provisioned(key)

    def provisioned_configured(self, key: FunctionKey) -> bool:
        return self._facts.provisioned_configured(key)

    def cannot_run(self, key: FunctionKey) -> str | None:
        return self._facts.cannot_run(key)

    # --- sources and permissions -----------------------------------------------------------------

    def unread_sources(self, key: FunctionKey) -> str | None:
        """Why a warm source of `key` may exist unseen (None: every source in reach was read)."""
        return self._unread_sources.reason(key)

    def schedule_target(
        self, arn: str, input_text: str | None, region: str, account: str
    ) -> tuple[FunctionKey | None, str | None]:
        """The function a schedule invokes and the payload text it sends."""
        return schedule_invocation(arn, input_text, region=region, account=account)

    def policy_document(self, key: FunctionKey) -> ResourcePolicy:
        """The resource policy on exactly this qualifier: a document, None (no policy), or
        a string saying why it is unknown."""
        return self._permissions.resource_policy(key)

    def may_invoke(self, source: WarmSource, key: FunctionKey) -> Verdict:
        return self._permissions.may_invoke(source, key)

    def connect_may_invoke(self, instance: ConnectInstance, key: FunctionKey) -> Verdict:
        """May this Connect instance invoke exactly this qualifier (WARM013)?"""
        return self._permissions.service_may_invoke(
            CONNECT_PRINCIPAL, key, instance.arn, instance.account
        )

    # --- windows and gaps --------------------------------------------------------------------

    def window_intervals(self, required: RequiredFunction) -> WindowIntervals | str:
        """UTC intervals when the function must be warm (None: always), or why unknown."""
        return self._windows.intervals(required)

    def find_hours(self, name: str, instances: Iterable[ConnectInstance]) -> HoursOfOperation | str:
        return self._windows.find_hours(name, instances)

    def gap(self, sources: Sequence[WarmSource], window: WindowIntervals) -> Gap:
        return self._windows.gap(sources, window)
