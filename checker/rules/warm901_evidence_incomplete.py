"""WARM901 evidence-incomplete: some state could not be read or interpreted."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from checker.rules.base import Rule, RuleResult
from checker.rules.catalogue import rule_meta

if TYPE_CHECKING:
    from checker.analysis.core import Analysis


class EvidenceIncomplete(Rule):
    meta = rule_meta("WARM901")

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
