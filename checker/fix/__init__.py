"""`warmcheck fix`: the exact change that closes each finding, written, never applied.

`build_plan` turns a report's findings into a FixPlanV1; each renderer turns the plan into files:

    plan            warmcheck-fix.json     the plan itself (schema: `warmcheck schema fix`)
    cli             warmcheck-fix.sh       AWS CLI, idempotent
    cloudformation  warmcheck-fix.cfn.yaml one template per account and region
    terraform       warmcheck-fix.tf.json  Terraform JSON syntax
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from checker.fix import cloudformation, shell, terraform
from checker.fix.model import FixPlanV1, fix_json_schema
from checker.fix.plan import build_plan

PLAN_FILENAME = "warmcheck-fix.json"


@dataclass(frozen=True, slots=True)
class FixFormat:
    name: str
    filename: str
    render: Callable[[FixPlanV1], list[tuple[str, str]]]  # (file name, text) pairs


def _plan_files(plan: FixPlanV1) -> list[tuple[str, str]]:
    return [(PLAN_FILENAME, plan.to_json())]


FIX_FORMATS: tuple[FixFormat, ...] = (
    FixFormat("plan", PLAN_FILENAME, _plan_files),
    FixFormat("cli", shell.FILENAME, lambda plan: [(shell.FILENAME, shell.render(plan))]),
    FixFormat("cloudformation", cloudformation.FILENAME, cloudformation.render_files),
    FixFormat(
        "terraform", terraform.FILENAME, lambda p: [(terraform.FILENAME, terraform.render(p))]
    ),
)


def find_fix_format(name: str) -> FixFormat | None:
    return next((fmt for fmt in FIX_FORMATS if fmt.name == name), None)


__all__ = [
    "FIX_FORMATS",
    "FixFormat",
    "FixPlanV1",
    "build_plan",
    "find_fix_format",
    "fix_json_schema",
]
