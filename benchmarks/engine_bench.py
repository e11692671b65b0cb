"""Engine benchmark: evaluate a generated snapshot at size N and 2N, print seconds and the ratio.

2N is 10,000 flows, 5,000 functions and 1,000 scheduled rules (five targets each); half the flows
call one function through a flow attribute they set. Target: under 2 s at 2N on a 2-core machine,
and a 2N/N ratio under 2.2 (linear). Reading the flows (parse_flow_content, where the attribute
propagation pass runs) is timed apart, with the pass's own share.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

from checker.cli.reports import cyclic_gc_paused
from checker.domain import permissions
from checker.domain.flows import attribute_values, parse_flow_content
from checker.engine import PolicyRef, evaluate
from checker.model.policy import Policy
from checker.model.snapshot import (
    ConnectInstance,
    ContactFlow,
    EventRule,
    FunctionPolicy,
    LambdaFunction,
    RuleTarget,
    Snapshot,
)

ACCOUNT = "123456789012"
REGION = "us-east-1"
INSTANCE = f"arn:aws:connect:{REGION}:{ACCOUNT}:instance/bench"
EXPRESSIONS = ("rate(5 minutes)", "cron(0/5 * * * ? *)", "cron(0/5 8-20 ? * MON-FRI *)")


def _fn(index: int) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:fn-{index:05d}"


def flow_document(index: int, functions: int) -> dict[str, Any]:
    """A flow with one static call and, every other flow, one call through a flow attribute
    set to the same literal on both branches of a Compare (what the propagation pass resolves)."""
    actions: list[dict[str, Any]] = [
        {
            "Identifier": "a0",
            "Type": "InvokeLambdaFunction",
            "Parameters": {"LambdaFunctionARN": _fn(index % functions)},
            "Transitions": {"NextAction": "branch" if index % 2 else "end"},
        }
    ]
    if index % 2:
        derived = _fn((index + 7) % functions)
        actions += [
            {
                "Identifier": "branch",
                "Type": "Compare",
                "Parameters": {"ComparisonValue": "$.Attributes.tier"},
                "Transitions": {
                    "Conditions": [{"NextAction": "set-a", "Condition": {}}],
                    "Errors": [{"NextAction": "set-b", "ErrorType": "NoMatchingCondition"}],
                },
            },
            *(
                {
                    "Identifier": f"set-{side}",
                    "Type": "UpdateFlowAttributes",
                    "Parameters": {"FlowAttributes": {"fn": {"Value": derived}}},
                    "Transitions": {"NextAction": "a1"},
                }
                for side in "ab"
            ),
            {
                "Identifier": "a1",
                "Type": "InvokeLambdaFunction",
                "Parameters": {"LambdaFunctionARN": "$.FlowAttributes.fn"},
                "Transitions": {"NextAction": "end", "Errors": [{"NextAction": "end"}]},
            },
        ]
    actions.append({"Identifier": "end", "Type": "DisconnectParticipant", "Transitions": {}})
    return {"Version": "2019-10-30", "StartAction": "a0", "Actions": actions}


def build(flows: int, functions: int, rules: int) -> Snapshot:
    flow_models = []
    for index in range(flows):
        content = parse_flow_content(
            json.dumps(flow_document(index, functions)), region=REGION, account=ACCOUNT
        )
        flow_models.append(
            ContactFlow(
                id=f"flow-{index}",
                arn=f"{INSTANCE}/contact-flow/flow-{index}",
                name=f"flow {index}",
                content=content,
            )
        )
    function_models = []
    for index in range(functions):
        rule = f"arn:aws:events:{REGION}:{ACCOUNT}:rule/warm-{index // 5:05d}"
        document = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "connect",
                    "Effect": "Allow",
                    "Principal": {"Service": "connect.amazonaws.com"},
                    "Action": "lambda:InvokeFunction",
                    "Resource": _fn(index),
                    "Condition": {"ArnLike": {"AWS:SourceArn": INSTANCE}},
                },
                {
                    "Sid": "warmer",
                    "Effect": "Allow",
                    "Principal": {"Service": "events.amazonaws.com"},
                    "Action": "lambda:InvokeFunction",
                    "Resource": _fn(index),
                    "Condition": {"ArnLike": {"AWS:SourceArn": rule}},
                },
            ],
        }
        function_models.append(
            LambdaFunction(
                arn=_fn(index),
                name=f"fn-{index:05d}",
                region=REGION,
                account=ACCOUNT,
                exists=True,
                timeout=8,
                versions=[],
                aliases=[],
                provisioned_concurrency=[],
                policies=[FunctionPolicy(qualifier="$LATEST", document=json.dumps(document))],
            )
        )
    rule_models = [
        EventRule(
            arn=f"arn:aws:events:{REGION}:{ACCOUNT}:rule/warm-{index:05d}",
            name=f"warm-{index:05d}",
            region=REGION,
            account=ACCOUNT,
            schedule_expression=EXPRESSIONS[index % len(EXPRESSIONS)],
            targets=[
                RuleTarget(id=f"t{n}", arn=_fn(index * 5 + n), input='{"warmer": true}')
                for n in range(5)
                if index * 5 + n < functions
            ],
        )
        for index in range(rules)
    ]
    instance = ConnectInstance(
        id="bench",
        arn=INSTANCE,
        region=REGION,
        account=ACCOUNT,
        flows=flow_models,
        modules=[],
        lambda_functions=[_fn(i) for i in range(functions)],
        hours_of_operation=[],
    )
    return Snapshot(
        collected_at=datetime(2026, 11, 2, tzinfo=UTC),
        accounts=[ACCOUNT],
        regions=[REGION],
        instances=[instance],
        functions=function_models,
        rules=rule_models,
    )


def _time(snapshot: Snapshot) -> tuple[float, int]:
    policy = Policy.model_validate({"version": 1, "warm": {"payload": {"warmer": True}}})
    # Each run starts as a fresh `warmcheck check` would: no policy text parsed by an earlier run
    # (N's 2,500 texts would all be remembered, 2N's 5,000 not, and the ratio would lie).
    permissions.clear_caches()
    with cyclic_gc_paused():  # as `warmcheck check` evaluates
        started = time.perf_counter()
        report = evaluate(
            policy, snapshot, snapshot.collected_at, policy_ref=PolicyRef("bench", "0" * 64)
        )
        elapsed = time.perf_counter() - started
    return elapsed, len(report.findings)


def _time_reading(flows: int, functions: int) -> tuple[float, float]:
    """Seconds to parse `flows` flows' Content, and the propagation pass's part of that."""
    texts = [json.dumps(flow_document(index, functions)) for index in range(flows)]
    loaded = [json.loads(text) for text in texts]
    wanted = {("FlowAttributes", "fn")}
    started = time.perf_counter()
    for text in texts:
        parse_flow_content(text, region=REGION, account=ACCOUNT)
    parsing = time.perf_counter() - started
    started = time.perf_counter()
    for doc in loaded:
        attribute_values(doc["Actions"], doc["StartAction"], wanted)
    return parsing, time.perf_counter() - started


def run() -> list[str]:
    _time(build(500, 250, 50))  # warm imports and caches that are not per-snapshot
    # Best of three, each on a snapshot just built: `check --snapshot` evaluates a snapshot once,
    # and a snapshot keeps what it has parsed (`Snapshot.parsed`), so a second evaluation of the
    # same one would time less work. The minimum is the least noisy estimate on a shared machine.
    t_small = min(_time(build(5_000, 2_500, 500))[0] for _ in range(3))
    runs = [_time(build(10_000, 5_000, 1_000)) for _ in range(3)]
    t_large, findings = min(runs)
    ratio = t_large / t_small
    verdict = "ok" if t_large < 2.0 and ratio < 2.2 else "OVER TARGET"
    read_small = min(_time_reading(5_000, 2_500) for _ in range(3))
    read_large = min(_time_reading(10_000, 5_000) for _ in range(3))
    pass_ratio = read_large[1] / read_small[1]
    return [
        "engine: evaluate(policy, snapshot)",
        f"  N  = 5,000 flows / 2,500 functions / 500 rules:    {t_small:6.3f} s",
        (
            f"  2N = 10,000 flows / 5,000 functions / 1,000 rules: {t_large:6.3f} s "
            f"({findings} findings)"
        ),
        f"  ratio 2N/N = {ratio:.2f} (target < 2.2; 2N target < 2 s): {verdict}",
        "reading flows: parse_flow_content, half of them with a derived reference",
        (
            f"  2N = 10,000 flows: {read_large[0]:6.3f} s, of which the attribute propagation "
            f"pass {read_large[1]:6.3f} s ({read_large[1] / read_large[0]:.0%})"
        ),
        f"  propagation ratio 2N/N = {pass_ratio:.2f} (linear: < 2.2)",
    ]


if __name__ == "__main__":
    print("\n".join(run()))
