"""The rule catalogue: every rule's ID, slug, severity, wording and what it needs, as data.

Anything that names rules (the policy's waivers, `explain`, SARIF's rule table) imports this and
never the rule logic; each rule module takes its metadata from here by ID.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from checker.model.findings import Severity


@dataclass(frozen=True, slots=True)
class RuleMeta:
    id: str
    slug: str
    severity: Severity
    title: str
    fix: str = ""
    # The doc's "How to fix", as templates filled with one finding's names (see `remedy`): the
    # first whose every placeholder the finding can fill wins; none fits: `fix`.
    remedies: tuple[str, ...] = ()
    policy_field: str = "warm"  # the setting a finding points at (SARIF's physical location)
    # state: judged from AWS state; evidence: unread state; policy: about the policy itself.
    phase: Literal["state", "evidence", "policy"] = "state"
    # What the rule needs read besides the state: runtime evidence it is silent without.
    needs: Literal["state", "metrics", "logs"] = "state"


CATALOGUE: tuple[RuleMeta, ...] = (
    RuleMeta(
        id="WARM001",
        slug="missing-warmer",
        severity="high",
        title="A required function has no warm source at all",
        fix="Add a scheduled rule or schedule that targets exactly this function and qualifier.",
        remedies=(
            (
                "Keep {function} warm: add a scheduled rule (or schedule) that targets "
                "exactly {function_arn} at least every max_interval, and let the rule "
                "invoke that qualifier: aws lambda add-permission --function-name "
                "{function_name}{qualifier_flag} --statement-id warm-{function_name} "
                "--action lambda:InvokeFunction --principal events.amazonaws.com "
                "--source-arn "
                "arn:{partition}:events:{region}:{account}:rule/warm-{function_name}"
            ),
        ),
        policy_field="warm.accept",
    ),
    RuleMeta(
        id="WARM002",
        slug="warmer-disabled",
        severity="high",
        title="A function's only warm sources are disabled or outside their dates",
        fix="Enable the rule or schedule (or move its start/end dates) so it fires again.",
        remedies=(
            ("Enable {warmer_kind} {warmer} so it warms {function} again: {enable_warmer}"),
            ("Enable a warmer of {function} (or move its start/end dates) so it fires again."),
        ),
        policy_field="warm.accept",
    ),
    RuleMeta(
        id="WARM003",
        slug="warm-gap-too-long",
        severity="medium",
        title="The worst gap between warm invocations exceeds max_interval",
        fix="Fire the warmer more often, or add a second one that covers the gap.",
        remedies=(
            (
                "Fire {warmer_kind} {warmer} at least every max_interval inside the "
                "window, or add a second warmer for {function_arn} that covers the gap."
            ),
            ("Fire the warmers of {function} more often, or add one that covers the gap."),
        ),
        policy_field="warm.max_interval",
    ),
    RuleMeta(
        id="WARM004",
        slug="warmer-cannot-invoke",
        severity="high",
        title="A warmer has no permission to invoke the function at that qualifier",
        fix="Add a resource-policy statement for the rule (or the invoke right to the "
        "schedule's execution role) on exactly that qualifier.",
        remedies=(("Let {warmer_kind} {warmer} invoke {function}: {allow_warmer}"),),
        policy_field="warm.accept",
    ),
    RuleMeta(
        id="WARM005",
        slug="wrong-qualifier",
        severity="high",
        title="A warmer targets another version or alias of a required function",
        fix="Point the warmer's target at the qualified ARN the flows call.",
        remedies=(
            (
                "Point the target of {warmer_kind} {warmer} at {function_arn}, the "
                "qualifier the flows call ({flows}), and let it invoke that qualifier."
            ),
        ),
        policy_field="warm.accept",
    ),
    RuleMeta(
        id="WARM006",
        slug="orphan-warmer",
        severity="low",
        title="A warmer targets a function that no in-scope flow reaches",
        fix="Delete the warmer, or list the function in extra_functions if it must stay warm.",
        remedies=(
            (
                "Delete {warmer_kind} {warmer} (it warms {function}, which no in-scope "
                "flow calls), or add {function_arn} to extra_functions if it must stay "
                "warm."
            ),
        ),
        policy_field="extra_functions",
    ),
    RuleMeta(
        id="WARM007",
        slug="dangling-warmer",
        severity="medium",
        title="A warmer targets a function, version or alias that does not exist",
        fix="Point the warmer at an existing function and qualifier, or delete it.",
        remedies=(
            (
                "Point {warmer_kind} {warmer} at a function and qualifier that exist, "
                "or delete it: {function_arn} does not exist."
            ),
        ),
        policy_field="warmers.name_patterns",
    ),
    RuleMeta(
        id="WARM008",
        slug="unsafe-warm-payload",
        severity="medium",
        title="A warmer does not send the policy's warm payload",
        fix="Set the target's constant input to the policy payload so the handler can "
        "return early.",
        remedies=(
            (
                "Set the constant input of the target of {warmer_kind} {warmer} (for "
                "{function}) to the policy's warm.payload, so the handler can return "
                "early."
            ),
        ),
        policy_field="warm.payload",
    ),
    RuleMeta(
        id="WARM009",
        slug="overbroad-invoke-permission",
        severity="medium",
        title="A resource-policy statement lets a service invoke with no source condition",
        fix="Replace the statement with one pinned to the rule or instance ARN "
        "(--source-arn) and your account (--source-account).",
        remedies=(
            (
                "Replace the statement on {function} that the message names with one "
                "pinned to the rule or instance ARN: aws lambda remove-permission "
                "--function-name {function_name}{qualifier_flag} --statement-id "
                "<statement id>, then add-permission again with --source-arn and "
                "--source-account {account}."
            ),
        ),
        policy_field="warm.require_source_arn",
    ),
    RuleMeta(
        id="WARM010",
        slug="function-timeout-too-long",
        severity="low",
        title="A required function's timeout exceeds max_function_timeout",
        fix="Lower the function's timeout to what Connect waits (8 s for a synchronous call).",
        remedies=(
            (
                "Lower the timeout of {function_name} to what Connect waits (8 s): aws "
                "lambda update-function-configuration --function-name {function_name} "
                "--timeout 8, then publish a version and move the qualifier the flows "
                "call ({qualifier}) to it."
            ),
        ),
        policy_field="warm.max_function_timeout",
    ),
    RuleMeta(
        id="WARM011",
        slug="unresolvable-lambda-reference",
        severity="medium",
        title="A flow invokes a Lambda or module through a reference warmcheck cannot resolve",
        fix="Use a static function ARN in the flow, or list the possible functions in "
        "extra_functions and waive this finding for the flow.",
        remedies=(
            (
                "Use a static function ARN in flow {resource}, or list the functions it "
                "may call in extra_functions and waive WARM011 for {resource_arn}."
            ),
        ),
        policy_field="scope.flow_statuses",
    ),
    RuleMeta(
        id="WARM012",
        slug="lambda-not-associated",
        severity="high",
        title="A flow calls a Lambda that is not associated with its Connect instance",
        fix="Associate the function with the instance (connect associate-lambda-function).",
        remedies=(
            (
                "Associate {function} with instance {instance}: aws connect "
                "associate-lambda-function --instance-id {instance_id} --function-arn "
                "{function_arn}"
            ),
        ),
        policy_field="scope.instances",
    ),
    RuleMeta(
        id="WARM013",
        slug="connect-cannot-invoke",
        severity="high",
        title="The function's resource policy does not let the Connect instance invoke it",
        fix="Add a statement for connect.amazonaws.com with the instance ARN as source ARN.",
        remedies=(
            (
                "Let instance {instance} invoke {function}: aws lambda add-permission "
                "--function-name {function_name}{qualifier_flag} --statement-id "
                "connect-{instance_id} --action lambda:InvokeFunction --principal "
                "connect.amazonaws.com --source-arn {instance_arn} --source-account "
                "{account}"
            ),
        ),
        policy_field="scope.instances",
    ),
    RuleMeta(
        id="WARM014",
        slug="broken-flow-reference",
        severity="high",
        title="A flow calls a Lambda function or flow module that does not exist",
        fix="Fix the reference in the flow, or restore the function, alias or module.",
        remedies=(
            (
                "Fix flow {resource}: it calls {function}, which does not exist; point "
                "the block at an existing function and qualifier, or restore it."
            ),
            (
                "Fix flow {resource}: point its Invoke module block at a module that "
                "exists, or restore the module."
            ),
        ),
        policy_field="scope.flow_statuses",
    ),
    RuleMeta(
        id="WARM015",
        slug="warmer-failing",
        severity="high",
        title="A warmer fired but its invocations failed, or it has not fired as scheduled",
        fix="Read the warmer's FailedInvocations and the function's Errors/Throttles: restore "
        "the invoke permission, fix the handler's warm path, or re-create the schedule.",
        policy_field="evidence.metrics",
        needs="metrics",
    ),
    RuleMeta(
        id="WARM016",
        slug="cold-starts-observed",
        severity="medium",
        title="Callers met cold starts of the called qualifier inside the warm window",
        fix="Warm more often (max_interval), warm more environments, or add provisioned "
        "concurrency on the qualifier the flows call.",
        policy_field="evidence.max_cold_starts",
        needs="logs",
    ),
    RuleMeta(
        id="WARM017",
        slug="timeout-budget-exceeded",
        severity="medium",
        title="Observed duration (p99 plus the worst init) exceeds a calling block's time limit",
        fix="Make the function faster on the Connect path, keep it warm so no caller pays the "
        "init, or raise the block's InvocationTimeLimitSeconds (at most 8 s).",
        policy_field="evidence.logs",
        needs="logs",
    ),
    RuleMeta(
        id="WARM018",
        slug="warm-capacity-short",
        severity="medium",
        title="Invocations spilled over the provisioned concurrency of the called qualifier",
        fix="Raise the provisioned concurrency on the qualifier the flows call (or schedule it "
        "with Application Auto Scaling for the busy hours).",
        policy_field="evidence.metrics",
        needs="metrics",
    ),
    RuleMeta(
        id="WARM019",
        slug="function-cannot-run",
        severity="high",
        title="A required function cannot serve a call: reserved concurrency 0, Failed or Inactive",
        fix="Delete the reserved concurrency of 0 (or set a real value), or fix and redeploy "
        "the function until its state is Active.",
    ),
    RuleMeta(
        id="WARM901",
        slug="evidence-incomplete",
        severity="high",
        title="Some state could not be read, so the verdict cannot be trusted",
        fix="Grant the read-only permissions in policies/iam/warmcheck-readonly.json, or fix "
        "the resource named, and run again.",
        remedies=(
            (
                "Make {resource} readable (policies/iam/warmcheck-readonly.json grants "
                "every read warmcheck needs), then run again."
            ),
        ),
        policy_field="scope",
        phase="evidence",
    ),
    RuleMeta(
        id="WARM902",
        slug="waiver-expired",
        severity="medium",
        title="A waiver has expired; the findings it covered count again",
        fix="Fix the finding, or renew the waiver with a new expiry date and a reason.",
        policy_field="waivers",
        phase="policy",
    ),
    RuleMeta(
        id="WARM903",
        slug="waiver-unused",
        severity="low",
        title="A waiver matched no finding",
        fix="Delete the waiver (the drift it accepted is gone), or fix its rule or resource glob.",
        policy_field="waivers",
        phase="policy",
    ),
)
_BY_ID = {meta.id: meta for meta in CATALOGUE}


def rule_meta(rule_id: str) -> RuleMeta:
    """One rule's metadata by its exact ID (what each rule module declares itself with)."""
    return _BY_ID[rule_id]


def all_metadata() -> tuple[RuleMeta, ...]:
    return CATALOGUE


def find_rule(name: str) -> RuleMeta | None:
    """A rule by ID (WARM001, any case) or slug (missing-warmer)."""
    wanted = name.strip().lower()
    for meta in CATALOGUE:
        if wanted in (meta.id.lower(), meta.slug):
            return meta
    return None
