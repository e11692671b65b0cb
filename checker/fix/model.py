"""FixPlanV1: the versioned fix plan (`warmcheck-fix.json`). Every renderer reads only this.

A plan has one entry per fixable finding, keyed by the finding's fingerprint. An entry holds the
steps that close it; a step is one change, named deterministically so that a plan applied twice
changes nothing the second time. Steps only add, re-enable or re-point a warmer's own target;
anything that would remove or narrow access is a `manual` step that explains and never runs.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

FIX_SCHEMA_VERSION: Final = 1


class FixModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EventRuleStep(FixModel):
    """A new scheduled EventBridge rule on the default bus with one Lambda target."""

    type: Literal["eventbridge_rule"] = "eventbridge_rule"
    name: str
    arn: str
    schedule_expression: str = Field(description="UTC rate() or cron() expression.")
    target_id: str
    target_arn: str = Field(description="The qualified function ARN the flows call.")
    input: str = Field(description="Constant JSON input: the policy payload.")


class LambdaPermissionStep(FixModel):
    """One resource-policy statement, pinned to a source ARN and account, on one qualifier."""

    type: Literal["lambda_permission"] = "lambda_permission"
    function_arn: str = Field(description="Unqualified function ARN.")
    qualifier: str | None = Field(description="Alias or version; None for $LATEST.")
    statement_id: str
    principal: Literal["events.amazonaws.com", "connect.amazonaws.com"]
    source_arn: str
    source_account: str


class SchedulerRoleStep(FixModel):
    """An execution role Scheduler assumes, allowed to invoke exactly one qualified function."""

    type: Literal["scheduler_role"] = "scheduler_role"
    role_name: str
    role_arn: str
    policy_name: str
    function_arn: str = Field(description="The qualified function ARN it may invoke.")
    schedule_arns: list[str] = Field(description="The schedules allowed to assume it.")


class ScheduleStep(FixModel):
    """A new Scheduler schedule in the window's time zone, with no flexible window."""

    type: Literal["scheduler_schedule"] = "scheduler_schedule"
    name: str
    group: str = "default"
    arn: str
    schedule_expression: str
    timezone: str
    target_arn: str
    role_arn: str
    input: str


class EnableRuleStep(FixModel):
    type: Literal["enable_rule"] = "enable_rule"
    rule_name: str
    rule_arn: str


class RetargetRuleStep(FixModel):
    """PutTargets with the target's own ID: the same rule, re-pointed (qualifier and/or input)."""

    type: Literal["retarget_rule"] = "retarget_rule"
    rule_name: str
    rule_arn: str
    target_id: str
    target_arn: str
    input: str
    role_arn: str | None = None
    previous_target_arn: str = Field(description="What the target invoked before (for undo).")


class UpdateScheduleStep(FixModel):
    """UpdateSchedule with the schedule's own settings, enabled, pointed at `target_arn`."""

    type: Literal["update_schedule"] = "update_schedule"
    name: str
    group: str
    arn: str
    schedule_expression: str
    timezone: str
    flexible_window_minutes: int
    target_arn: str
    role_arn: str
    input: str


class RolePolicyStep(FixModel):
    """An inline policy added to a schedule's existing execution role: invoke one qualifier."""

    type: Literal["role_policy"] = "role_policy"
    role_name: str
    role_arn: str
    policy_name: str
    function_arn: str


class AssociateLambdaStep(FixModel):
    type: Literal["associate_lambda"] = "associate_lambda"
    instance_id: str
    instance_arn: str
    function_arn: str


class ManualStep(FixModel):
    """A change warmcheck will not write as a command: it would remove or narrow something."""

    type: Literal["manual"] = "manual"
    explanation: str
    commented_commands: list[str] = Field(
        default_factory=list, description="Shown commented out; never executed by the plan."
    )


Step = Annotated[
    EventRuleStep
    | LambdaPermissionStep
    | SchedulerRoleStep
    | ScheduleStep
    | EnableRuleStep
    | RetargetRuleStep
    | UpdateScheduleStep
    | RolePolicyStep
    | AssociateLambdaStep
    | ManualStep,
    Field(discriminator="type"),
]


class EntryV1(FixModel):
    fingerprint: str = Field(description="The finding's fingerprint, as in warmcheck.json.")
    rule: str
    slug: str
    resource: str
    function: str | None
    warmer: str | None
    account: str
    region: str
    summary: str = Field(description="What the entry adds or changes, in one sentence.")
    steps: list[Step]
    operator_permissions: list[str] = Field(
        description="IAM actions the operator applying this entry needs."
    )
    reversible: bool
    undo: list[str] = Field(description="How to take the change back.")
    manual: bool = Field(description="True: nothing here runs; a person must decide.")
    warnings: list[str] = Field(default_factory=list)


class NotCoveredV1(FixModel):
    fingerprint: str
    rule: str
    resource: str
    reason: str


class ToolV1(FixModel):
    name: Literal["warmcheck"] = "warmcheck"
    version: str


class PolicyRefV1(FixModel):
    path: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class SnapshotRefV1(FixModel):
    accounts: list[str]
    regions: list[str]
    collected_at: str


class FixPlanV1(FixModel):
    schema_version: Literal[1] = FIX_SCHEMA_VERSION
    tool: ToolV1
    policy: PolicyRefV1
    snapshot: SnapshotRefV1
    complete: bool = Field(
        description="False: some state could not be read (WARM901); the plan covers only what "
        "was seen."
    )
    unread: list[str] = Field(description="What could not be read, from the WARM901 findings.")
    entries: list[EntryV1]
    not_covered: list[NotCoveredV1] = Field(
        description="Findings no plan entry fixes (waived, or no safe automatic fix)."
    )
    warnings: list[str]

    def to_json(self) -> str:
        return json.dumps(self.model_dump(mode="json"), indent=2, sort_keys=True) + "\n"


def fix_json_schema() -> dict[str, Any]:
    return FixPlanV1.model_json_schema()
