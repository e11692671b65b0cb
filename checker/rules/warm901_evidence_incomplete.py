"""WARM901 evidence-incomplete: some state could not be read or interpreted."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from checker.rules.base import Rule, RuleMeta, RuleResult

if TYPE_CHECKING:
    from checker.analysis import Analysis


class EvidenceIncomplete(Rule):
    meta = RuleMeta(
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
    )

    def evaluate(self, analysis: Analysis) -> RuleResult:
        result = RuleResult()
        messages: dict[str, list[str]] = defaultdict(list)
        for error in analysis.snapshot.errors:
            where = (
                error.resource or f"{error.account or 'unknown-account'}/{error.region or 'global'}"
            )
            api = f"{error.service}:{error.operation}"
            region = f" in {error.region}" if error.region else ""
            messages[where].append(f"{api}{region} failed: {error.code}: {error.message}")
        for problem in analysis.problems:
            messages[problem.resource].append(problem.message)
        for account in analysis.snapshot.accounts:
            for region in analysis.snapshot.regions:
                result.checked.add(f"{account}/{region}")
        for resource, found in sorted(messages.items()):
            result.checked.add(resource)
            unique = sorted(set(found))
            result.findings.append(
                self.finding(
                    resource=resource,
                    message=f"{resource}: " + "; ".join(unique),
                )
            )
        return result
