"""The demo contact center: a realistic Amazon Connect setup with exactly one of each common drift.

`seed_demo(env)` builds it through the ordinary AWS API (the building blocks in
`checker.sandbox.seeding`), so the same calls build the same contact center in a real test
account. In the sandbox that is account 123456789012, region us-east-1, plus one function and its
warmer in us-west-2 (a flow may call a Lambda in another region; its warmer must live there too).

What it builds:

- Connect instance ``demo-center`` with hours of operation "Support Hours" (Mon-Fri 08:00-18:00
  America/New_York), two flow modules ("Identify Caller" invokes "Verify PIN"), eleven published
  flows and two SAVED drafts (out of scope for a PUBLISHED-only policy);
- fourteen Python zip functions, most with a published version and an alias ``live`` that the
  flows call, each associated with the instance and with a ``connect.amazonaws.com`` permission
  pinned to the instance ARN on exactly the qualifier the flows call;
- warmers: scheduled EventBridge rules sending ``{"warmer": true}`` to exactly that qualifier,
  each allowed by an ``events.amazonaws.com`` statement pinned to its rule ARN, and one
  EventBridge Scheduler schedule whose execution role may invoke its function.

Each drift (WARM001-006, 008-014) sits on its own function or flow, so no finding masks another;
`DemoManifest.expected` is exactly what `policies/demo-policy.yaml` must report.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from checker.sandbox.seeding import (
    Ref,
    SandboxClients,
    add_permission,
    associate_lambda,
    create_alias,
    create_flow,
    create_function,
    create_hours_of_operation,
    create_instance,
    create_lambda_role,
    create_module,
    create_schedule,
    create_scheduler_role,
    flow_document,
    publish_version,
    put_warmer_rule,
)

if TYPE_CHECKING:
    from mypy_boto3_lambda import LambdaClient

REGION = "us-east-1"
OTHER_REGION = "us-west-2"
INSTANCE_ALIAS = "demo-center"
HOURS_NAME = "Support Hours"
HOURS_TIMEZONE = "America/New_York"
WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY")
ALIAS = "live"
LATEST = "$LATEST"
WARM_PAYLOAD = '{"warmer": true}'
LAMBDA_ROLE = "demo-contact-center-lambda"
CONNECT_SID = "connect-demo-center"

# The demo's runtime evidence: a day of metrics, and how long the stopped warmer has been silent.
EVIDENCE_HOURS = 24
STOPPED_HOURS = 6

WarmerKind = Literal["eventbridge_rule", "scheduler_schedule"]
Permission = Literal["pinned", "unpinned", "none"]
Resource = Literal["function", "warmer", "flow"]


# -- what gets built: a declarative table -------------------------------------------------


@dataclass(frozen=True)
class _Warmer:
    name: str
    expression: str = "rate(5 minutes)"
    kind: WarmerKind = "eventbridge_rule"
    payload: str | None = WARM_PAYLOAD
    enabled: bool = True
    permission: Permission = "pinned"  # the events.amazonaws.com statement (rules only)
    latest: bool = False  # target the unqualified function though the flows call the alias
    # What CloudWatch shows for it over the last day: every firing delivered (healthy), every
    # warm invocation erroring in the handler (failing), or no firing for the last hours.
    runtime: Literal["healthy", "failing", "stopped"] = "healthy"


@dataclass(frozen=True)
class _Function:
    name: str
    description: str
    region: str = REGION
    aliased: bool = True  # publish a version, point `live` at it, and call `live` from flows
    timeout: int = 8
    associated: bool = True
    connect_permission: bool = True
    warmer: _Warmer | None = None
    drift: str | None = None  # the one rule ID this function is meant to trip
    story: str = ""


@dataclass(frozen=True)
class _Flow:
    name: str
    lambdas: tuple[str, ...] = ()  # keys into the reference table built in `seed_demo`
    modules: tuple[str, ...] = ()  # module names
    flow_type: str = "CONTACT_FLOW"
    status: str = "PUBLISHED"
    description: str = ""
    drift: str | None = None
    story: str = ""


_FUNCTIONS: tuple[_Function, ...] = (
    # Healthy: warmed exactly where the flows call them.
    _Function(
        "customer-lookup",
        "Find the caller's customer record by ANI",
        timeout=5,
        warmer=_Warmer("warm-customer-lookup"),
    ),
    _Function(
        "auth-pin-verify",
        "Check the PIN the caller keyed in",
        timeout=4,
        warmer=_Warmer("warm-auth-pin-verify", kind="scheduler_schedule"),
    ),
    _Function(
        "fraud-screen",
        "Score the call for fraud signals (deployed in us-west-2)",
        region=OTHER_REGION,
        warmer=_Warmer("warm-fraud-screen", expression="cron(0/5 * * * ? *)"),
    ),
    # One drift each.
    _Function(
        "survey-capture",
        "Store post-call survey answers",
        drift="WARM001",
        story="the new Post-call Survey flow calls it, but nobody added a warmer",
    ),
    _Function(
        "case-status",
        "Read the status of the caller's open case",
        warmer=_Warmer("warm-case-status", enabled=False),
        drift="WARM002",
        story="its warmer rule was disabled during an incident and never re-enabled",
    ),
    _Function(
        "order-status",
        "Look up the caller's latest order",
        warmer=_Warmer("warm-order-status", expression="cron(0/15 * * * ? *)"),
        drift="WARM003",
        story="its warmer fires every 15 minutes; the policy allows at most 5",
    ),
    _Function(
        "callback-request",
        "Queue a callback instead of holding",
        warmer=_Warmer("warm-callback-request", permission="none"),
        drift="WARM004",
        story="its warmer rule was created but the events permission was never added",
    ),
    _Function(
        "payment-gateway",
        "Take a card payment over the phone",
        warmer=_Warmer("warm-payment-gateway", expression="cron(0/5 * * * ? *)", latest=True),
        drift="WARM005",
        story="the flows moved to the live alias; the warmer still warms $LATEST",
    ),
    _Function(
        "holiday-greeting",
        "Seasonal greeting, retired from the published flows",
        aliased=False,
        warmer=_Warmer("warm-holiday-greeting"),
        drift="WARM006",
        story="still warmed, but only a SAVED draft flow calls it",
    ),
    _Function(
        "store-locator",
        "Find the nearest store by ZIP code",
        aliased=False,
        warmer=_Warmer("warm-store-locator", payload=None),
        drift="WARM008",
        story="its warmer sends no input, so the whole scheduled event reaches the handler",
    ),
    _Function(
        "balance-inquiry",
        "Read the account balance",
        warmer=_Warmer("warm-balance-inquiry", permission="unpinned"),
        drift="WARM009",
        story="the events permission on :live has no SourceArn: any rule may invoke it",
    ),
    _Function(
        "crm-profile",
        "Load the caller's CRM profile for the agent screen pop",
        timeout=30,
        warmer=_Warmer("warm-crm-profile", expression="cron(0/5 * * * ? *)"),
        drift="WARM010",
        story="its timeout is 30 s; Connect gives up after 8 s",
    ),
    _Function(
        "loyalty-points",
        "Read and redeem loyalty points",
        associated=False,
        warmer=_Warmer("warm-loyalty-points"),
        drift="WARM012",
        story="the Loyalty Rewards flow calls it, but it is not associated with the instance",
    ),
    _Function(
        "refund-status",
        "Tell the caller where their refund is",
        warmer=_Warmer("warm-refund-status", runtime="failing"),
        drift="WARM015",
        story="its warmer fires on time, but every warm invocation errors in the handler "
        "(seen only in AWS/Lambda Errors)",
    ),
    _Function(
        "queue-estimate",
        "Announce the expected wait",
        warmer=_Warmer("warm-queue-estimate", runtime="stopped"),
        drift="WARM015",
        story="its warmer is enabled and permitted, but has not fired for the last "
        f"{STOPPED_HOURS} hours (seen only in AWS/Events TriggeredRules)",
    ),
    _Function(
        "appointment-booking",
        "Book a branch appointment",
        connect_permission=False,
        warmer=_Warmer("warm-appointment-booking"),
        drift="WARM013",
        story="its resource policy has no connect.amazonaws.com statement for the instance",
    ),
)

# Functions the flows reference that were never deployed.
_MISSING_FUNCTION = "voicemail-to-email"
_DRAFT_ONLY_FUNCTION = "ivr-experiment"
_DYNAMIC_REFERENCE = "$.Attributes.partnerLambdaArn"

_MODULES: tuple[_Flow, ...] = (
    # Created in this order: a module must exist before another can reference its ID.
    _Flow("Verify PIN", lambdas=("auth-pin-verify",), description="PIN check"),
    _Flow(
        "Identify Caller",
        lambdas=("customer-lookup",),
        modules=("Verify PIN",),
        description="Customer lookup, then PIN check",
    ),
)

_FLOWS: tuple[_Flow, ...] = (
    _Flow(
        "Main IVR",
        lambdas=("crm-profile", "fraud-screen"),
        modules=("Identify Caller",),
        description="Inbound entry point",
    ),
    _Flow("Billing", lambdas=("balance-inquiry", "payment-gateway")),
    _Flow("Order Support", lambdas=("order-status", "store-locator")),
    _Flow("Case Status", lambdas=("case-status",), modules=("Identify Caller",)),
    _Flow("Callback Offer", lambdas=("callback-request",)),
    _Flow("Appointments", lambdas=("appointment-booking",)),
    _Flow("Loyalty Rewards", lambdas=("loyalty-points",)),
    _Flow("Refunds", lambdas=("refund-status", "queue-estimate")),
    _Flow("Post-call Survey", lambdas=("survey-capture",)),
    _Flow(
        "Partner Transfer",
        lambdas=("dynamic",),
        drift="WARM011",
        story="it picks its Lambda at run time from a contact attribute",
    ),
    _Flow(
        "After Hours",
        lambdas=(_MISSING_FUNCTION,),
        drift="WARM014",
        story=f"it calls {_MISSING_FUNCTION}:live, which was never deployed",
    ),
    _Flow("Queue Hold", flow_type="CUSTOMER_QUEUE", description="Hold music, no Lambda"),
    # Drafts: a PUBLISHED-only policy does not look at them.
    _Flow("Holiday Greeting (draft)", lambdas=("holiday-greeting",), status="SAVED"),
    _Flow("IVR Experiment (draft)", lambdas=(_DRAFT_ONLY_FUNCTION,), status="SAVED"),
)

# Which ARN a finding of each rule is about (DESIGN.md, rule catalogue).
_RESOURCE_OF: Mapping[str, Resource] = {
    "WARM001": "function",
    "WARM002": "function",
    "WARM003": "function",
    "WARM004": "warmer",
    "WARM005": "warmer",
    "WARM006": "warmer",
    "WARM008": "warmer",
    "WARM009": "function",
    "WARM010": "function",
    "WARM011": "flow",
    "WARM012": "function",
    "WARM013": "function",
    "WARM014": "flow",
    "WARM015": "warmer",
}
_SLUGS: Mapping[str, str] = {
    "WARM001": "missing-warmer",
    "WARM002": "warmer-disabled",
    "WARM003": "warm-gap-too-long",
    "WARM004": "warmer-cannot-invoke",
    "WARM005": "wrong-qualifier",
    "WARM006": "orphan-warmer",
    "WARM008": "unsafe-warm-payload",
    "WARM009": "overbroad-invoke-permission",
    "WARM010": "function-timeout-too-long",
    "WARM011": "unresolvable-lambda-reference",
    "WARM012": "lambda-not-associated",
    "WARM013": "connect-cannot-invoke",
    "WARM014": "broken-flow-reference",
    "WARM015": "warmer-failing",
}


# -- what was built: the manifest ---------------------------------------------------------


@dataclass(frozen=True)
class SeededFunction:
    name: str
    region: str
    arn: str  # unqualified
    called_arn: str  # as the published flows call it (unqualified when they call $LATEST)
    qualifier: str  # "live" or "$LATEST"
    version: str | None  # the version `live` points at
    timeout: int
    associated: bool
    drift: str | None


@dataclass(frozen=True)
class SeededPermission:
    """One resource-policy statement, on `resource` (the function or one of its qualifiers)."""

    function: str  # function name
    region: str
    qualifier: str  # "$LATEST" for the function's own policy
    resource: str
    sid: str
    principal: str
    source_arn: str | None


@dataclass(frozen=True)
class SeededWarmer:
    kind: WarmerKind
    name: str
    arn: str
    region: str
    expression: str
    target: str  # the (qualified) function ARN it invokes
    input: str | None
    enabled: bool
    role_arn: str | None = None  # the schedule's execution role


@dataclass(frozen=True)
class SeededFlow:
    """A contact flow or a flow module, with the references its content holds."""

    kind: Literal["flow", "module"]
    name: str
    id: str
    arn: str
    flow_type: str
    status: str
    lambdas: tuple[str, ...]  # LambdaFunctionARN values, exactly as written in the content
    modules: tuple[str, ...]  # FlowModuleId values


@dataclass(frozen=True)
class Drift:
    rule: str
    slug: str
    resource: str
    subject: str  # the function or flow the drift was planted on
    story: str

    @property
    def line(self) -> str:
        return f"{self.rule} {self.slug}: {self.subject}: {self.story}"


@dataclass(frozen=True)
class DemoManifest:
    """Everything `seed_demo` built, and what warmcheck must find in it."""

    account: str
    region: str
    instance_id: str
    instance_arn: str
    hours_of_operation_arn: str
    flows: tuple[SeededFlow, ...]
    functions: tuple[SeededFunction, ...]
    associations: tuple[str, ...]
    permissions: tuple[SeededPermission, ...]
    warmers: tuple[SeededWarmer, ...]
    planted: tuple[Drift, ...]
    """Each planted drift: its rule, the resource its finding is about, and the story."""
    expected: frozenset[tuple[str, str]]
    """(rule ID, resource ARN) of every finding `policies/demo-policy.yaml` must produce."""
    drifts: tuple[str, ...]
    """One human line per planted drift, for the demo's printed summary."""
    notes: tuple[str, ...] = field(default=())
    """Expected findings beyond one per drift, and why (none in this demo)."""

    def function(self, name: str) -> SeededFunction:
        return next(f for f in self.functions if f.name == name)

    def flow(self, name: str) -> SeededFlow:
        return next(f for f in self.flows if f.name == name)

    def warmer(self, name: str) -> SeededWarmer:
        return next(w for w in self.warmers if w.name == name)


# -- seeding ------------------------------------------------------------------------------


def _function_arn(region: str, account: str, name: str, qualifier: str | None = None) -> str:
    arn = f"arn:aws:lambda:{region}:{account}:function:{name}"
    return f"{arn}:{qualifier}" if qualifier and qualifier != LATEST else arn


def _references(account: str, functions: Mapping[str, SeededFunction]) -> dict[str, str]:
    """The LambdaFunctionARN each flow writes, by key: mostly qualified ARNs, some bare names."""
    refs = {name: f.called_arn for name, f in functions.items()}
    refs["store-locator"] = "store-locator"  # a bare name: this region and account, $LATEST
    refs["survey-capture"] = f"survey-capture:{ALIAS}"  # a bare name with a qualifier
    refs["dynamic"] = _DYNAMIC_REFERENCE
    refs[_MISSING_FUNCTION] = _function_arn(REGION, account, _MISSING_FUNCTION, ALIAS)
    refs[_DRAFT_ONLY_FUNCTION] = _function_arn(REGION, account, _DRAFT_ONLY_FUNCTION, ALIAS)
    return refs


def seed_demo(env: Mapping[str, str]) -> DemoManifest:
    """Build the demo contact center with the clients `env` configures (e.g. `Sandbox.env()`).

    Expects an empty account (the instance alias must be free). Returns what was built and the
    findings warmcheck must report for it with `policies/demo-policy.yaml`. The steps run in
    this order, each building one kind of thing with what the steps before it built.
    """
    east = SandboxClients.from_env(env, region=REGION)
    clients = {REGION: east, OTHER_REGION: SandboxClients.from_env(env, region=OTHER_REGION)}
    account = east.sts.get_caller_identity()["Account"]
    functions = _seed_functions(clients, east, account)
    instance = create_instance(east.connect, INSTANCE_ALIAS)
    hours = create_hours_of_operation(
        east.connect,
        instance.id,
        HOURS_NAME,
        timezone=HOURS_TIMEZONE,
        weekly=[(day, "08:00", "18:00") for day in WEEKDAYS],
    )
    flows = _seed_flows(east, instance.id, _references(account, functions))
    associations, permissions = _seed_connect_access(clients, east, instance, functions)
    warmers, warmer_permissions = _seed_warmers(clients, account, functions)
    corroborated = _seed_metrics(clients, functions, warmers)
    planted = _planted(functions, flows, warmers)
    expected = {(d.rule, d.resource) for d in planted}
    expected |= {("WARM015", warmer.arn) for warmer in corroborated}
    return DemoManifest(
        account=account,
        region=REGION,
        instance_id=instance.id,
        instance_arn=instance.arn,
        hours_of_operation_arn=hours.arn,
        flows=tuple(flows),
        functions=tuple(functions.values()),
        associations=tuple(associations),
        permissions=(*permissions, *warmer_permissions),
        warmers=tuple(warmers),
        planted=planted,
        expected=frozenset(expected),
        drifts=tuple(d.line for d in planted),
        notes=tuple(
            f"WARM015 on {warmer.name}: CloudWatch shows its invocations rejected "
            "(FailedInvocations), as WARM004 predicts from its missing permission"
            for warmer in corroborated
        ),
    )


def _seed_functions(
    clients: Mapping[str, SandboxClients], east: SandboxClients, account: str
) -> dict[str, SeededFunction]:
    """Lambda: every function, and for most a published version and the `live` alias."""
    role = create_lambda_role(east.iam, LAMBDA_ROLE)
    functions: dict[str, SeededFunction] = {}
    for spec in _FUNCTIONS:
        lam = clients[spec.region].lambda_
        arn = create_function(
            lam, spec.name, role, timeout=spec.timeout, description=spec.description
        )
        version = None
        qualifier = LATEST
        if spec.aliased:
            version = publish_version(lam, spec.name)
            create_alias(lam, spec.name, ALIAS, version)
            qualifier = ALIAS
        functions[spec.name] = SeededFunction(
            name=spec.name,
            region=spec.region,
            arn=arn,
            called_arn=_function_arn(spec.region, account, spec.name, qualifier),
            qualifier=qualifier,
            version=version,
            timeout=spec.timeout,
            associated=spec.associated,
            drift=spec.drift,
        )
    return functions


def _seed_flows(
    east: SandboxClients, instance_id: str, references: Mapping[str, str]
) -> list[SeededFlow]:
    """Connect: the flow modules, then the flows (a module must exist before it is referenced)."""
    flows: list[SeededFlow] = []
    module_ids: dict[str, str] = {}
    for kind, specs in (("module", _MODULES), ("flow", _FLOWS)):
        for flow_spec in specs:
            lambdas = tuple(references[key] for key in flow_spec.lambdas)
            modules = tuple(module_ids[name] for name in flow_spec.modules)
            document = flow_document(lambdas=lambdas, modules=modules)
            if kind == "module":
                ref = create_module(east.connect, instance_id, flow_spec.name, document)
                module_ids[flow_spec.name] = ref.id
                flow_type, status = "MODULE", "PUBLISHED"
            else:
                ref = create_flow(
                    east.connect,
                    instance_id,
                    flow_spec.name,
                    document,
                    flow_type=flow_spec.flow_type,
                    status=flow_spec.status,
                    description=flow_spec.description or None,
                )
                flow_type, status = flow_spec.flow_type, flow_spec.status
            flows.append(
                SeededFlow(
                    kind="module" if kind == "module" else "flow",
                    name=flow_spec.name,
                    id=ref.id,
                    arn=ref.arn,
                    flow_type=flow_type,
                    status=status,
                    lambdas=lambdas,
                    modules=modules,
                )
            )
    return flows


def _seed_connect_access(
    clients: Mapping[str, SandboxClients],
    east: SandboxClients,
    instance: Ref,
    functions: Mapping[str, SeededFunction],
) -> tuple[list[str], list[SeededPermission]]:
    """Associations and the connect.amazonaws.com permissions, on the qualifier flows call."""
    associations: list[str] = []
    permissions: list[SeededPermission] = []
    for spec in _FUNCTIONS:
        seeded = functions[spec.name]
        lam = clients[spec.region].lambda_
        if spec.associated:
            associate_lambda(east.connect, instance.id, seeded.called_arn)
            associations.append(seeded.called_arn)
        if spec.connect_permission:
            permissions.append(
                _permit(
                    lam,
                    seeded,
                    seeded.qualifier,
                    sid=CONNECT_SID,
                    principal="connect.amazonaws.com",
                    source_arn=instance.arn,
                )
            )
    return associations, permissions


def _seed_warmers(
    clients: Mapping[str, SandboxClients], account: str, functions: Mapping[str, SeededFunction]
) -> tuple[list[SeededWarmer], list[SeededPermission]]:
    """Warmers (EventBridge rules and one Scheduler schedule) and the rules' invoke permissions."""
    warmers: list[SeededWarmer] = []
    permissions: list[SeededPermission] = []
    for spec in _FUNCTIONS:
        if spec.warmer is None:
            continue
        seeded = functions[spec.name]
        warmer_spec = spec.warmer
        target_qualifier = LATEST if warmer_spec.latest else seeded.qualifier
        target = _function_arn(spec.region, account, spec.name, target_qualifier)
        regional = clients[spec.region]
        if warmer_spec.kind == "scheduler_schedule":
            role_arn = create_scheduler_role(regional.iam, f"{warmer_spec.name}-role", [target])
            arn = create_schedule(
                regional.scheduler,
                warmer_spec.name,
                warmer_spec.expression,
                target,
                role_arn,
                input=warmer_spec.payload,
                enabled=warmer_spec.enabled,
            )
        else:
            role_arn = None
            arn = put_warmer_rule(
                regional.events,
                warmer_spec.name,
                warmer_spec.expression,
                target,
                input=warmer_spec.payload,
                enabled=warmer_spec.enabled,
            )
            if warmer_spec.permission != "none":
                pinned = warmer_spec.permission == "pinned"
                permissions.append(
                    _permit(
                        regional.lambda_,
                        seeded,
                        target_qualifier,
                        sid=warmer_spec.name if pinned else "events-invoke",
                        principal="events.amazonaws.com",
                        source_arn=arn if pinned else None,
                    )
                )
        warmers.append(
            SeededWarmer(
                kind=warmer_spec.kind,
                name=warmer_spec.name,
                arn=arn,
                region=spec.region,
                expression=warmer_spec.expression,
                target=target,
                input=warmer_spec.payload,
                enabled=warmer_spec.enabled,
                role_arn=role_arn,
            )
        )
    return warmers, permissions


def _seed_metrics(
    clients: Mapping[str, SandboxClients],
    functions: Mapping[str, SeededFunction],
    warmers: Sequence[SeededWarmer],
) -> list[SeededWarmer]:
    """A day of CloudWatch metrics, as AWS would have recorded them for the demo's warmers.

    Each enabled warmer fired as its schedule says (per hour, from the schedule engine), except
    the stopped one in its last hours; the failing one's function answered every warm ping with
    an error; a warmer without its events permission shows FailedInvocations on every firing
    (returned: its WARM015 corroborates WARM004). The datapoints are a minute before each hour
    ends, so they all lie inside the lookback that ends at the run's time.
    """
    from checker.domain.schedule import FiringSource, expected_firings

    now = datetime.now(UTC).replace(second=0, microsecond=0)
    specs = {spec.warmer.name: spec for spec in _FUNCTIONS if spec.warmer is not None}
    rejected: list[SeededWarmer] = []
    for warmer in warmers:
        if not warmer.enabled:
            continue
        spec = specs[warmer.name]
        assert spec.warmer is not None
        runtime = spec.warmer.runtime
        cloudwatch = clients[warmer.region].cloudwatch
        points: dict[tuple[str, str, tuple[tuple[str, str], ...]], list[Any]] = {}
        for hours_ago in range(EVIDENCE_HOURS):
            end = now - timedelta(hours=hours_ago, minutes=1)
            fired = expected_firings(FiringSource(warmer.expression), end - timedelta(hours=1), end)
            if runtime == "stopped" and hours_ago < STOPPED_HOURS:
                fired = 0
            if not fired:
                continue
            stamp = end - timedelta(minutes=1)
            if warmer.kind == "scheduler_schedule":
                attempts = (
                    "AWS/Scheduler",
                    "InvocationAttemptCount",
                    (("ScheduleGroup", "default"),),
                )
                points.setdefault(attempts, []).append((stamp, fired))
            else:
                dims: tuple[tuple[str, str], ...] = (("RuleName", warmer.name),)
                points.setdefault(("AWS/Events", "TriggeredRules", dims), []).append((stamp, fired))
                if spec.warmer.permission == "none":
                    failed = ("AWS/Events", "FailedInvocations", dims)
                    points.setdefault(failed, []).append((stamp, fired))
            if runtime == "failing":
                function = functions[spec.name]
                resource = (
                    ("FunctionName", spec.name),
                    ("Resource", f"{spec.name}:{function.qualifier}"),
                )
                for metric in ("Invocations", "Errors"):
                    points.setdefault(("AWS/Lambda", metric, resource), []).append((stamp, fired))
        if warmer.kind == "eventbridge_rule" and spec.warmer.permission == "none":
            rejected.append(warmer)
        for (namespace, metric, series_dims), values in points.items():
            cloudwatch.put_metric_data(
                Namespace=namespace,
                MetricData=[
                    {
                        "MetricName": metric,
                        "Dimensions": [{"Name": n, "Value": v} for n, v in series_dims],
                        "Timestamp": stamp,
                        "Value": float(value),
                        "Unit": "Count",
                    }
                    for stamp, value in values
                ],
            )
    return rejected


def _permit(
    lam: LambdaClient,
    function: SeededFunction,
    qualifier: str,
    *,
    sid: str,
    principal: str,
    source_arn: str | None,
) -> SeededPermission:
    """Add one invoke statement on `qualifier` of `function` and describe it."""
    on_qualifier = None if qualifier == LATEST else qualifier
    statement = add_permission(
        lam,
        function.name,
        statement_id=sid,
        principal=principal,
        source_arn=source_arn,
        qualifier=on_qualifier,
    )
    return SeededPermission(
        function=function.name,
        region=function.region,
        qualifier=qualifier,
        resource=str(statement["Resource"]),
        sid=sid,
        principal=principal,
        source_arn=source_arn,
    )


def _planted(
    functions: Mapping[str, SeededFunction],
    flows: Sequence[SeededFlow],
    warmers: Sequence[SeededWarmer],
) -> tuple[Drift, ...]:
    """One entry per planted drift, with the resource its finding is about."""
    warmer_of = {w.target.split(":function:")[1].split(":")[0]: w for w in warmers}
    found: list[Drift] = []
    for spec in _FUNCTIONS:
        if spec.drift is None:
            continue
        seeded = functions[spec.name]
        if _RESOURCE_OF[spec.drift] == "warmer":
            resource = warmer_of[spec.name].arn
        else:
            resource = seeded.called_arn
        subject = spec.name if seeded.qualifier == LATEST else f"{spec.name}:{seeded.qualifier}"
        found.append(Drift(spec.drift, _SLUGS[spec.drift], resource, subject, spec.story))
    by_name = {f.name: f for f in flows}
    for flow_spec in _FLOWS:
        if flow_spec.drift is None:
            continue
        flow = by_name[flow_spec.name]
        subject = f"{flow_spec.name} flow"
        found.append(
            Drift(flow_spec.drift, _SLUGS[flow_spec.drift], flow.arn, subject, flow_spec.story)
        )
    return tuple(sorted(found, key=lambda d: d.rule))
