"""What every rule is: metadata, documentation, and an evaluation over the shared analysis."""

from __future__ import annotations

import string
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from checker.domain.arns import LATEST, parse_arn, parse_function_arn
from checker.format.escape import shown, shown_document
from checker.model.findings import Finding, fingerprint
from checker.rules.catalogue import RuleMeta

if TYPE_CHECKING:
    from checker.analysis.core import Analysis
    from checker.rules.waivers import WaiverUsage

# docs/rules, shipped inside the package through the rules/docs link so `explain` works installed.
DOCS_DIR = Path(__file__).resolve().parent / "docs"


@dataclass(slots=True)
class RuleResult:
    """Every resource the rule looked at (passes count in JUnit) and what it found."""

    checked: set[str] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)


class Rule:
    meta: ClassVar[RuleMeta]

    def evaluate(self, analysis: Analysis) -> RuleResult:
        raise NotImplementedError

    @classmethod
    def finding(
        cls,
        *,
        resource: str,
        message: str,
        function: str | None = None,
        warmer: str | None = None,
        flows: Collection[str] = (),
        detail: str = "",
        policy_field: str | None = None,
    ) -> Finding:
        meta = cls.meta
        return Finding(
            rule=meta.id,
            slug=meta.slug,
            severity=meta.severity,
            resource=resource,
            # Messages carry AWS names: escaped once here, so no format shows them raw.
            message=shown(message),
            function=function,
            warmer=warmer,
            flows=tuple(sorted(set(flows))),
            detail=shown_document(detail),
            policy_field=policy_field or meta.policy_field,
            fingerprint=fingerprint(meta.id, resource, function, warmer),
        )


class WaiverRule(Rule):
    """A rule about the policy's waivers (phase "policy"): it judges what each waiver did in this
    run, which the engine knows once the other rules' findings are waived, not the analysis."""

    def evaluate(self, analysis: Analysis) -> RuleResult:
        raise TypeError(f"{self.meta.id} judges waivers: call evaluate_waivers")

    def evaluate_waivers(self, usage: Sequence[WaiverUsage], policy_file: str) -> RuleResult:
        """`policy_file` is how findings name the policy file (`engine.policy_file_key`)."""
        raise NotImplementedError


def setting(required_override: int | None, knob: str) -> str:
    """The policy field behind a function's setting: its override's, else the warm default."""
    if required_override is not None:
        return f"overrides[{required_override}]"
    return f"warm.{knob}"


def callers(flows: Collection[str], extra: bool = False) -> str:
    """How a function came to be required, for messages."""
    parts = []
    if flows:
        parts.append(f"called by {len(flows)} in-scope flow{'s' if len(flows) != 1 else ''}")
    if extra:
        parts.append("listed in extra_functions")
    return " and ".join(parts) or "required by the policy"


_FORMATTER = string.Formatter()


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in _FORMATTER.parse(template) if name}


def remedy_values(finding: Finding, names: Mapping[str, str]) -> dict[str, str]:
    """What a remedy template may name, from one finding: only what the finding really holds."""

    def name(arn: str) -> str:
        return names.get(arn) or arn

    values: dict[str, str] = {"resource": name(finding.resource), "resource_arn": finding.resource}
    key = parse_function_arn(finding.function) if finding.function else None
    if finding.function:
        values |= {"function": name(finding.function), "function_arn": finding.function}
    if key is not None:
        values |= {
            "function_name": key.name,
            "qualifier": key.qualifier,
            "qualifier_flag": "" if key.qualifier == LATEST else f" --qualifier {key.qualifier}",
            "account": key.account,
            "region": key.region,
            "partition": key.partition,
        }
    if finding.warmer:
        warmer = parse_arn(finding.warmer)
        values |= {"warmer": name(finding.warmer), "warmer_arn": finding.warmer}
        if warmer is not None and warmer.service == "events":
            rule_name = warmer.resource.rsplit("/", 1)[-1]
            values |= {
                "warmer_kind": "rule",
                "enable_warmer": f"aws events enable-rule --name {rule_name}",
            }
            if key is not None:
                values["allow_warmer"] = (
                    f"aws lambda add-permission --function-name {key.name}"
                    f"{values['qualifier_flag']} --statement-id {rule_name} "
                    "--action lambda:InvokeFunction --principal events.amazonaws.com "
                    f"--source-arn {finding.warmer}"
                )
        elif warmer is not None and warmer.service == "scheduler":
            group, _, schedule_name = warmer.resource.removeprefix("schedule/").partition("/")
            values |= {
                "warmer_kind": "schedule",
                "enable_warmer": (
                    f"aws scheduler get-schedule --group-name {group} --name {schedule_name}, "
                    "then update-schedule with the same settings and --state ENABLED "
                    "(update-schedule replaces every field)"
                ),
            }
            if finding.function:
                values["allow_warmer"] = (
                    f"grant the execution role of schedule {schedule_name} "
                    f"lambda:InvokeFunction on {finding.function}"
                )
    if finding.flows:
        values |= {
            "flow": name(finding.flows[0]),
            "flows": ", ".join(f"\u201c{name(flow)}\u201d" for flow in finding.flows),
        }
        instance_arn = finding.flows[0].split("/contact-flow/")[0].split("/flow-module/")[0]
        if "/" in instance_arn and ":instance/" in instance_arn:
            values |= {
                "instance": name(instance_arn),
                "instance_arn": instance_arn,
                "instance_id": instance_arn.rsplit("/", 1)[-1],
            }
    return values


def remedy(meta: RuleMeta, finding: Finding, names: Mapping[str, str]) -> str:
    """The rule's fix filled in with this finding's names and ARNs (if none fits: the generic)."""
    values = remedy_values(finding, names)
    for template in meta.remedies:
        if _placeholders(template) <= values.keys():
            return template.format_map(values)
    return meta.fix
