"""Stage 1, facts: the instances in scope, the flows that reach Lambda, the required set.

Built from the policy and the snapshot alone. Everything this stage could not read or interpret
(a flow whose content was not read, modules that were not read) is recorded as a `Problem` here,
while the stage runs, never later when something first looks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from checker.analysis.records import Problem, ReferencingFlow, RequiredFunction
from checker.domain.arns import FunctionKey
from checker.domain.flows import reachable_modules
from checker.domain.required import (
    KeyParser,
    extra_keys,
    flows_in_scope,
    static_keys,
)
from checker.model.policy import FunctionSettings, Policy
from checker.model.snapshot import (
    ConnectInstance,
    ContactFlow,
    FlowContent,
    FlowModule,
    LambdaFunction,
    Snapshot,
)

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


@dataclass(frozen=True, slots=True)
class Facts:
    """What the snapshot says is in scope and required."""

    instances: tuple[ConnectInstance, ...]  # in scope
    scanned_accounts: frozenset[str]
    functions: Mapping[str, LambdaFunction]  # by unqualified ARN
    holders: Mapping[str, ReferencingFlow]  # flows and modules in scope that hold references
    missing_modules: Mapping[str, tuple[str, ...]]  # by holder ARN: module IDs not found
    required: Mapping[FunctionKey, RequiredFunction]
    excluded: frozenset[FunctionKey]  # reached, but an override says required: false
    # Every flow in scope was read: a flow not read may call any function.
    required_complete: bool
    unread_resources: frozenset[str]  # resources a collection error names
    problems: tuple[Problem, ...] = field(default=())
    # Answers already given, by qualified ARN (a str keeps its hash; a key hashes in Python):
    # the stages and rules ask about each function several times.
    _exists: dict[str, bool | None] = field(default_factory=dict, compare=False, repr=False)

    @property
    def required_functions(self) -> frozenset[str]:
        return frozenset(key.function_arn for key in self.required)

    # --- what the snapshot says about one function ---------------------------------------------

    def in_scope(self, key: FunctionKey) -> bool:
        """Whether the function lives in an account this snapshot read (DESIGN: Organizations)."""
        return key.account in self.scanned_accounts

    def exists(self, key: FunctionKey) -> bool | None:
        """Whether the function and its qualifier exist; None when it was not read."""
        try:
            return self._exists[key.arn]
        except KeyError:
            found = self._exists[key.arn] = self._find(key)
            return found

    def _find(self, key: FunctionKey) -> bool | None:
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

    def provisioned(self, key: FunctionKey) -> bool | None:
        """Whether READY provisioned concurrency with allocated > 0 covers exactly this
        qualifier; None when it was not read."""
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


def gather_facts(policy: Policy, snapshot: Snapshot, keys: KeyParser) -> Facts:
    return _FactsBuilder(policy, snapshot, keys).build()


class _FactsBuilder:
    def __init__(self, policy: Policy, snapshot: Snapshot, keys: KeyParser) -> None:
        self.policy = policy
        self.snapshot = snapshot
        self.keys = keys
        self.unread = frozenset(error.resource for error in snapshot.errors if error.resource)
        self.problems: list[Problem] = []
        self.holders: dict[str, tuple[str, ConnectInstance, FlowContent, set[str]]] = {}
        self.missing_modules: dict[str, list[str]] = {}
        self.flows: dict[FunctionKey, set[str]] = {}
        self.instances: dict[FunctionKey, dict[str, ConnectInstance]] = {}
        self.extra: set[FunctionKey] = set()
        self.excluded: set[FunctionKey] = set()
        self.settings: dict[FunctionKey, FunctionSettings] = {}
        self.defaults: FunctionSettings | None = None

    def build(self) -> Facts:
        instances = tuple(i for i in self.snapshot.instances if self._instance_in_scope(i))
        for instance in instances:
            self._read_instance(instance)
        for _, instance, content, flows in self.holders.values():
            for key in static_keys(content, self.keys):
                if self._require(key):
                    self.flows[key] |= flows
                    self.instances[key][instance.arn] = instance
        for key in extra_keys(self.policy, self.keys):
            if self._require(key):
                self.extra.add(key)
        required = {
            key: RequiredFunction(
                key=key,
                settings=self.settings[key],
                flows=frozenset(self.flows[key]),
                instances=MappingProxyType(self.instances[key]),
                extra=key in self.extra,
            )
            for key in self.flows
        }
        complete = not self.problems and not any(
            f"{error.service}:{error.operation}" in _REQUIRED_SET_READS
            for error in self.snapshot.errors
        )
        return Facts(
            instances=instances,
            # A hand-written snapshot may leave accounts empty: its instances' accounts were read.
            scanned_accounts=frozenset(self.snapshot.accounts)
            or frozenset(i.account for i in self.snapshot.instances),
            functions=MappingProxyType({f.arn: f for f in self.snapshot.functions}),
            holders=MappingProxyType(
                {
                    arn: ReferencingFlow(arn, name, instance, content, frozenset(flows))
                    for arn, (name, instance, content, flows) in self.holders.items()
                }
            ),
            missing_modules=MappingProxyType(
                {arn: tuple(ids) for arn, ids in self.missing_modules.items()}
            ),
            required=MappingProxyType(required),
            excluded=frozenset(self.excluded),
            required_complete=complete,
            unread_resources=self.unread,
            problems=tuple(self.problems),
        )

    def _instance_in_scope(self, instance: ConnectInstance) -> bool:
        regions = self.policy.scope.regions or self.snapshot.regions
        if regions and instance.region not in regions:
            return False
        return self.policy.scope.includes_instance(
            instance_id=instance.id, arn=instance.arn, alias=instance.alias
        )

    def _read_instance(self, instance: ConnectInstance) -> None:
        self._check_instance_read(instance)
        modules = {module.id: module for module in instance.modules or []}
        for flow in flows_in_scope(self.policy, instance):
            self._read_flow(flow, instance, modules)

    def _read_flow(
        self, flow: ContactFlow, instance: ConnectInstance, modules: dict[str, FlowModule]
    ) -> None:
        if flow.content is None:
            if flow.arn not in self.unread:
                self.problems.append(Problem(flow.arn, "the flow's content was not read"))
            return
        self._add_holder(flow.arn, flow.name, instance, flow.content, flow.arn)
        if not flow.content.readable:
            return
        if instance.modules is None and flow.content.module_references:
            self.problems.append(
                Problem(flow.arn, "it invokes flow modules, but the modules were not read")
            )
            return
        walk = reachable_modules(flow.content, modules)
        for module in walk.modules:
            if module.content is None:
                if module.arn not in self.unread:
                    self.problems.append(Problem(module.arn, "the module's content was not read"))
                continue
            self._add_holder(module.arn, module.name, instance, module.content, flow.arn)
        for owner, reference in walk.missing:
            missing = self.missing_modules.setdefault(owner or flow.arn, [])
            if reference.module_id and reference.module_id not in missing:
                missing.append(reference.module_id)

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
        if unread and instance.arn not in self.unread:
            self.problems.append(Problem(instance.arn, f"not read: {', '.join(unread)}"))

    def _add_holder(
        self, arn: str, name: str, instance: ConnectInstance, content: FlowContent, flow_arn: str
    ) -> None:
        holder = self.holders.get(arn)
        if holder is None:
            holder = self.holders[arn] = (name, instance, content, set())
            if not content.readable:
                reason = content.error or "unreadable"
                self.problems.append(Problem(arn, f"the content could not be read: {reason}"))
        holder[3].add(flow_arn)

    def _settings_for(self, key: FunctionKey) -> FunctionSettings:
        if self.policy.overrides:
            return self.policy.settings_for(key)
        # No override to match: every function shares one answer. Kept here, for one build, not
        # cached on the Policy: a pydantic model_copy would carry a cache over to a changed copy.
        if self.defaults is None:
            self.defaults = self.policy.settings_for(key)
        return self.defaults

    def _require(self, key: FunctionKey) -> bool:
        """Whether `key` is required (recording it the first time it is reached)."""
        if key in self.excluded:
            return False
        if key not in self.flows:
            settings = self._settings_for(key)
            if not settings.required:
                self.excluded.add(key)
                return False
            self.settings[key] = settings
            self.flows[key] = set()
            self.instances[key] = {}
        return True
