"""A naive sequential collector, for the collection benchmark's comparison only.

This is how a first attempt would read the same account: list, then describe every item, one
call at a time, with botocore's standard retry mode and its default attempts. It lists flows
and describes each (no Search APIs), lists every rule and reads each one's targets (scheduled
or not), reads every schedule, and reads every function it finds with the same calls for
each, whether or not anything needs them. It builds no Snapshot: it makes the calls and
parses the answers (flow content with `parse_flow_content`, resource policies as JSON) so that
its cost is the one a real implementation would pay.

An AWS error that survives the retries is recorded and the read goes on, so the baseline makes
every call even when throttling defeats some of them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from checker.domain.arns import FunctionKey, parse_arn, parse_function_arn
from checker.domain.flows import parse_flow_content
from checker.model.snapshot import FlowContent

if TYPE_CHECKING:
    from botocore.model import OperationModel
    from mypy_boto3_connect import ConnectClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_lambda import LambdaClient
    from mypy_boto3_scheduler import EventBridgeSchedulerClient

T = TypeVar("T")

# botocore's standard retry mode with its default attempts: what `Config()` users get.
STANDARD_RETRIES = Config(retries={"mode": "standard"})


@dataclass
class SequentialResult:
    """What the sequential read found, and every call that failed after its retries."""

    instances: int = 0
    flows: int = 0
    modules: int = 0
    unreadable_contents: int = 0
    associations: int = 0
    rules: int = 0
    targets: int = 0
    schedules: int = 0
    functions: int = 0
    aliases: int = 0
    policies: int = 0
    provisioned: int = 0
    errors: list[str] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=dict)
    """API calls made per "service:Operation" (each page one call; retries not counted)."""


class SequentialCollector:
    """Reads one region, one call at a time; `instance_ids` limits which instances are read."""

    def __init__(self, region: str, instance_ids: frozenset[str] | None = None) -> None:
        session = boto3.session.Session(region_name=region)
        self.region = region
        self.instance_ids = instance_ids
        self.connect: ConnectClient = session.client("connect", config=STANDARD_RETRIES)
        self.events: EventBridgeClient = session.client("events", config=STANDARD_RETRIES)
        self.scheduler: EventBridgeSchedulerClient = session.client(
            "scheduler", config=STANDARD_RETRIES
        )
        self.lambda_: LambdaClient = session.client("lambda", config=STANDARD_RETRIES)
        self.result = SequentialResult()
        for client in (self.connect, self.events, self.scheduler, self.lambda_):
            client.meta.events.register("before-call", self._count)

    def run(self) -> SequentialResult:
        functions: set[str] = set()
        for instance in self._call("connect:ListInstances", self._list_instances) or []:
            self.result.instances += 1
            parsed = parse_arn(str(instance["Arn"]))
            account = parsed.account if parsed is not None and parsed.account else ""
            instance_id = str(instance["Id"])
            functions |= self._read_flows(instance_id, account)
            functions |= self._read_modules(instance_id, account)
            functions |= self._read_associations(instance_id)
        functions |= self._read_rules()
        functions |= self._read_schedules()
        for arn in sorted(functions):
            self._read_function(arn)
        return self.result

    # -- helpers ------------------------------------------------------------------------------

    def _count(self, model: OperationModel, **kwargs: Any) -> None:
        """botocore's before-call: once per API call, before any retry."""
        operation = f"{model.service_model.service_name}:{model.name}"
        self.result.calls[operation] = self.result.calls.get(operation, 0) + 1

    def _call(self, what: str, read: Callable[[], T]) -> T | None:
        try:
            return read()
        except (ClientError, BotoCoreError) as error:
            self.result.errors.append(f"{what}: {error}")
            return None

    def _function(self, reference: str) -> str | None:
        """The unqualified ARN of a Lambda function reference (None if it names none)."""
        key = parse_function_arn(reference)
        return key.function_arn if key is not None else None

    def _references(self, content: FlowContent) -> set[str]:
        if not content.readable:
            self.result.unreadable_contents += 1
        found = set()
        for reference in content.lambda_references:
            if reference.kind == "static" and reference.function is not None:
                arn = self._function(reference.function)
                if arn is not None:
                    found.add(arn)
        return found

    # -- Connect ------------------------------------------------------------------------------

    def _list_instances(self) -> list[dict[str, Any]]:
        found = []
        for page in self.connect.get_paginator("list_instances").paginate():
            for summary in page.get("InstanceSummaryList", []):
                if self.instance_ids is None or summary.get("Id") in self.instance_ids:
                    found.append(dict(summary))
        return found

    def _read_flows(self, instance_id: str, account: str) -> set[str]:
        def list_all() -> list[str]:
            pages = self.connect.get_paginator("list_contact_flows").paginate(
                InstanceId=instance_id
            )
            return [
                str(item["Id"]) for page in pages for item in page.get("ContactFlowSummaryList", [])
            ]

        functions: set[str] = set()
        for flow_id in self._call("connect:ListContactFlows", list_all) or []:
            described = self._call(
                f"connect:DescribeContactFlow {flow_id}",
                partial(
                    self.connect.describe_contact_flow,
                    InstanceId=instance_id,
                    ContactFlowId=flow_id,
                ),
            )
            if described is None:
                continue
            self.result.flows += 1
            content = parse_flow_content(
                described["ContactFlow"].get("Content", ""), region=self.region, account=account
            )
            functions |= self._references(content)
        return functions

    def _read_modules(self, instance_id: str, account: str) -> set[str]:
        def list_all() -> list[str]:
            pages = self.connect.get_paginator("list_contact_flow_modules").paginate(
                InstanceId=instance_id
            )
            return [
                str(item["Id"])
                for page in pages
                for item in page.get("ContactFlowModulesSummaryList", [])
            ]

        functions: set[str] = set()
        for module_id in self._call("connect:ListContactFlowModules", list_all) or []:
            described = self._call(
                f"connect:DescribeContactFlowModule {module_id}",
                partial(
                    self.connect.describe_contact_flow_module,
                    InstanceId=instance_id,
                    ContactFlowModuleId=module_id,
                ),
            )
            if described is None:
                continue
            self.result.modules += 1
            content = parse_flow_content(
                described["ContactFlowModule"].get("Content", ""),
                region=self.region,
                account=account,
            )
            functions |= self._references(content)
        return functions

    def _read_associations(self, instance_id: str) -> set[str]:
        def list_all() -> list[str]:
            pages = self.connect.get_paginator("list_lambda_functions").paginate(
                InstanceId=instance_id
            )
            return [str(arn) for page in pages for arn in page.get("LambdaFunctions", [])]

        associated = self._call("connect:ListLambdaFunctions", list_all) or []
        self.result.associations += len(associated)
        return {arn for arn in map(self._function, associated) if arn is not None}

    # -- EventBridge and Scheduler ------------------------------------------------------------

    def _read_rules(self) -> set[str]:
        def list_all() -> list[str]:
            pages = self.events.get_paginator("list_rules").paginate()
            return [str(rule["Name"]) for page in pages for rule in page.get("Rules", [])]

        functions: set[str] = set()
        for name in self._call("events:ListRules", list_all) or []:
            self.result.rules += 1

            targets = self._call(
                f"events:ListTargetsByRule {name}", partial(self._rule_targets, name)
            )
            for target in targets or []:
                self.result.targets += 1
                arn = self._function(target)
                if arn is not None:
                    functions.add(arn)
        return functions

    def _rule_targets(self, name: str) -> list[str]:
        pages = self.events.get_paginator("list_targets_by_rule").paginate(Rule=name)
        return [str(target["Arn"]) for page in pages for target in page.get("Targets", [])]

    def _read_schedules(self) -> set[str]:
        def list_all() -> list[tuple[str, str]]:
            pages = self.scheduler.get_paginator("list_schedules").paginate()
            return [
                (str(item["Name"]), str(item.get("GroupName") or "default"))
                for page in pages
                for item in page.get("Schedules", [])
            ]

        functions: set[str] = set()
        for name, group in self._call("scheduler:ListSchedules", list_all) or []:
            detail = self._call(
                f"scheduler:GetSchedule {group}/{name}",
                partial(self.scheduler.get_schedule, Name=name, GroupName=group),
            )
            if detail is None:
                continue
            self.result.schedules += 1
            arn = self._function(str(detail.get("Target", {}).get("Arn", "")))
            if arn is not None:
                functions.add(arn)
        return functions

    # -- Lambda -------------------------------------------------------------------------------

    def _read_function(self, arn: str) -> None:
        key: FunctionKey | None = parse_function_arn(arn)
        name = key.name if key is not None else arn
        config = self._call(
            f"lambda:GetFunctionConfiguration {name}",
            lambda: self.lambda_.get_function_configuration(FunctionName=name),
        )
        if config is None:
            return
        self.result.functions += 1

        def list_aliases() -> list[str]:
            pages = self.lambda_.get_paginator("list_aliases").paginate(FunctionName=name)
            return [str(alias["Name"]) for page in pages for alias in page.get("Aliases", [])]

        aliases = self._call(f"lambda:ListAliases {name}", list_aliases) or []
        self.result.aliases += len(aliases)
        for qualifier in [None, *aliases]:
            self._call(
                f"lambda:GetPolicy {name}:{qualifier}", partial(self._policy, name, qualifier)
            )

        def provisioned() -> int:
            pages = self.lambda_.get_paginator("list_provisioned_concurrency_configs").paginate(
                FunctionName=name
            )
            return sum(len(page.get("ProvisionedConcurrencyConfigs", [])) for page in pages)

        self.result.provisioned += (
            self._call(f"lambda:ListProvisionedConcurrencyConfigs {name}", provisioned) or 0
        )

    def _policy(self, name: str, qualifier: str | None) -> None:
        try:
            if qualifier is None:
                response = self.lambda_.get_policy(FunctionName=name)
            else:
                response = self.lambda_.get_policy(FunctionName=name, Qualifier=qualifier)
        except self.lambda_.exceptions.ResourceNotFoundException:
            return
        document = json.loads(response["Policy"])
        self.result.policies += len(document.get("Statement", []))


def collect_sequential(region: str, instance_ids: frozenset[str] | None = None) -> SequentialResult:
    """Read `region` (only `instance_ids`, if given) sequentially, with the standard environment."""
    return SequentialCollector(region, instance_ids).run()
