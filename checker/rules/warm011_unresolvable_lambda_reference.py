"""WARM011 unresolvable-lambda-reference: a flow's Lambda or module reference is not static."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.rules.base import Rule, RuleResult
from checker.rules.catalogue import rule_meta

if TYPE_CHECKING:
    from checker.analysis.core import Analysis

_KIND = {
    "dynamic": "a dynamic reference",
    "placeholder": "template text",
    "missing": "nothing named",
    "static": "",
}


class UnresolvableLambdaReference(Rule):
    meta = rule_meta("WARM011")

    def evaluate(self, analysis: Analysis) -> RuleResult:
        result = RuleResult()
        # Any order: the engine sorts findings, and each holder has at most one.
        for arn, holder in analysis.holders.items():
            if not holder.content.readable:
                continue
            result.checked.add(arn)
            unresolved = [
                ("Lambda", r.action, r.kind, r.value, r.note)
                for r in holder.content.lambda_references
                if r.kind != "static"
            ] + [
                # A module it cannot follow hides every Lambda that module calls: never dropped.
                ("flow module", r.action, r.kind, r.value, r.note)
                for r in holder.content.module_references
                if r.kind != "static"
            ]
            if not unresolved:
                continue
            described = "; ".join(
                f"action {action}: {what}, {_KIND[kind]}"
                + (f" {value!r}" if value is not None else "")
                + (f" ({note})" if note else "")
                for what, action, kind, value, note in sorted(unresolved, key=lambda u: u[1])
            )
            count = len(unresolved)
            result.findings.append(
                self.finding(
                    resource=arn,
                    flows=holder.flows,
                    message=(
                        f"{holder.name} invokes {count} "
                        f"reference{'s' if count != 1 else ''} that cannot be "
                        f"verified, so its reach is incomplete: {described}"
                    ),
                )
            )
        return result
