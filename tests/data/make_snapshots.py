"""Regenerate tests/data/snapshots/*.json from tests/scenario.py.

Run `python -m tests.data.make_snapshots` after changing the scenario, then the golden reports
with `pytest tests/unit --update-goldens`.
"""

from __future__ import annotations

from pathlib import Path

from checker.model.snapshot import FunctionPolicy, FunctionVersion, Snapshot
from tests.scenario import (
    INSTANCE_ARN,
    Scenario,
    flow,
    fn_arn,
    healthy,
    lambda_function,
    module,
    policy_document,
    scheduled_rule,
    statement,
)

HERE = Path(__file__).resolve().parent / "snapshots"


def drift() -> Scenario:
    """One of each common drift, on top of the healthy contact center."""
    scenario = healthy()
    # WARM001: a new flow calls a Lambda nobody warms.
    scenario.flows.append(flow("new-survey", fn_arn("survey"), name="Post-call survey"))
    scenario.functions["survey"] = lambda_function(
        "survey",
        policies=[
            FunctionPolicy(
                qualifier="$LATEST",
                document=policy_document(
                    statement("connect", "connect.amazonaws.com", fn_arn("survey"), INSTANCE_ARN)
                ),
            )
        ],
    )
    scenario.associations.append(fn_arn("survey"))
    # WARM005: the alias moved to prod but the warmer still targets $LATEST.
    scenario.rules[0] = scheduled_rule("crm-warmer", "rate(5 minutes)", fn_arn("crm-lookup"))
    # WARM003 + WARM008: billing is warmed every 15 minutes with no input.
    scenario.rules[1] = scheduled_rule(
        "billing-warmer", "cron(0/15 * * * ? *)", fn_arn("billing"), payload=None
    )
    # WARM006: a warmer for a function no flow uses any more.
    scenario.functions["old-ivr"] = lambda_function("old-ivr")
    scenario.rules.append(scheduled_rule("old-ivr-warmer", "rate(5 minutes)", fn_arn("old-ivr")))
    # WARM010: a timeout far beyond what Connect waits.
    scenario.update_function("crm-lookup", versions=[FunctionVersion(version="1", timeout=30)])
    # WARM011 + WARM014: a dynamic reference and a module that was deleted.
    scenario.flows.append(
        flow("routing", "$.Attributes.routerLambda", modules=["deleted-module"], name="Routing")
    )
    # legacy-* is not required by the strict policy: its flow draws no finding.
    scenario.flows.append(flow("legacy", fn_arn("legacy-menu"), name="Legacy menu"))
    scenario.modules.append(module("unused-module", fn_arn("never-called")))
    # WARM009: an events statement with no source condition on billing.
    scenario.update_function(
        "billing",
        policies=[
            FunctionPolicy(
                qualifier="$LATEST",
                document=policy_document(
                    statement("connect", "connect.amazonaws.com", fn_arn("billing"), INSTANCE_ARN),
                    statement("any-rule", "events.amazonaws.com", fn_arn("billing"), None),
                ),
            )
        ],
    )
    return scenario


def write(name: str, snapshot: Snapshot) -> None:
    (HERE / f"{name}.json").write_text(snapshot.to_json())


if __name__ == "__main__":
    write("healthy", healthy().snapshot())
    write("drift", drift().snapshot())
