"""Reports about templates speak the templates' language: logical IDs and file:line.

Placeholder ARNs (account 000000000000) keep findings' resources and fingerprints stable, so
baselines and waivers work; messages name the logical ID and where it is written instead.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping

from checker.engine import Evaluation, RuleOutcome
from checker.iac.model import SYMBOLIC_ACCOUNT
from checker.load.policy import LoadedPolicy
from checker.model.findings import SourceLocation
from checker.model.policy import Scope
from checker.model.snapshot import Snapshot

_ARN = re.compile(r"arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{12}:[^\s,;'\"()]+")


def scoped_to(loaded: LoadedPolicy, snapshot: Snapshot) -> LoadedPolicy:
    """The templates are the scope: every region they deploy to is in it."""
    scope = Scope.model_validate(
        {**loaded.policy.scope.model_dump(), "regions": sorted(snapshot.regions)}
    )
    return dataclasses.replace(loaded, policy=loaded.policy.model_copy(update={"scope": scope}))


def name_in_templates(arn: str, labels: Mapping[str, SourceLocation]) -> str:
    """`BillingFunction (template.yaml:12)` for an ARN the templates define, else the ARN."""
    found = labels.get(arn)
    suffix = ""
    if found is None and ":" in arn:
        base, qualifier = arn.rsplit(":", 1)
        found = labels.get(base) if ":function:" in base else None
        suffix = f":{qualifier}"
    if found is None:
        return arn
    return f"{found.label}{suffix} ({found.file}:{found.line})"


def with_template_names(report: Evaluation, labels: Mapping[str, SourceLocation]) -> Evaluation:
    def one(match: re.Match[str]) -> str:
        arn = match.group(0)
        trail = arn[len(arn.rstrip(":.")) :]  # punctuation that ends the sentence, not the ARN
        arn = arn.rstrip(":.")
        if arn in labels or SYMBOLIC_ACCOUNT in arn:
            return name_in_templates(arn, labels) + trail
        return match.group(0)

    def rename(text: str) -> str:
        return _ARN.sub(one, text)

    outcomes = tuple(
        RuleOutcome(
            outcome.meta,
            outcome.checked,
            tuple(
                dataclasses.replace(
                    finding, message=rename(finding.message), detail=rename(finding.detail)
                )
                for finding in outcome.findings
            ),
        )
        for outcome in report.outcomes
    )
    return dataclasses.replace(report, outcomes=outcomes, sources=dict(labels))
