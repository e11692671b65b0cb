"""What every human format shows for a finding: names first, the ARN one step away, its fix.

`display` is where AWS-supplied text passes before a human format escapes it for its own syntax
(HTML, Markdown, the terminal): a flow name is free text an account owner typed, so it goes
through the one sanitiser (`checker.format.escape.shown`) and never reaches a report as it is.
"""

from __future__ import annotations

import re
from functools import cache

from checker.domain.names import name_for
from checker.engine import CoverageEntry, Evaluation
from checker.fix import PLAN_FILENAME
from checker.fix.plan import FIXABLE, MANUAL
from checker.format.escape import shown
from checker.model.findings import Finding
from checker.rules.base import remedy
from checker.rules.catalogue import RuleMeta
from checker.rules.registry import ALL_RULES

_ARN = re.compile(r"arn:[A-Za-z0-9_$:/.*-]+")


def display(text: str) -> str:
    """AWS text made safe to show: what would move the cursor or cannot be encoded is escaped."""
    return shown(text)


def name_of(report: Evaluation, arn: str) -> str:
    """The display name of an ARN (read from the ARN when the report does not name it)."""
    return display(name_for(arn, report.names) if arn.startswith("arn:") else arn)


@cache
def _metas() -> dict[str, RuleMeta]:
    return {rule.meta.id: rule.meta for rule in ALL_RULES}


def fix_of(report: Evaluation, finding: Finding) -> str:
    """The rule's remedy, filled in with this finding's names and ARNs."""
    meta = _metas().get(finding.rule)
    return display(remedy(meta, finding, report.names)) if meta is not None else ""


def named_message(report: Evaluation, finding: Finding) -> str:
    """The finding's message with every ARN in it replaced by its display name."""

    def named(match: re.Match[str]) -> str:
        arn = match.group(0)
        tail = ""
        while arn and arn[-1] in ".:":  # sentence punctuation after an ARN
            arn, tail = arn[:-1], arn[-1] + tail
        return name_for(arn, report.names) + tail

    return display(_ARN.sub(named, finding.message))


def flagged(entry: CoverageEntry) -> bool:
    """Warm, but with an unwaived finding at or above medium: never shown as plainly warm."""
    return entry.status == "warm" and entry.worst_severity in ("high", "medium")


def status_label(entry: CoverageEntry) -> str:
    """The coverage status a person reads: warm is not the whole story when a finding at or
    above medium is about the function (the findings column names them)."""
    if flagged(entry):
        return "warm, but broken" if entry.worst_severity == "high" else "warm, with issues"
    return entry.status


def headline_text(report: Evaluation) -> str:
    """What passed or failed, in words: with a baseline, the new findings are what counts."""
    counts = report.counts()
    by_severity = f"{counts['high']} high, {counts['medium']} medium, {counts['low']} low"
    total = sum(counts.values())
    if report.baseline_used:
        found = (
            f"{total} new finding{_s(total)} not in the baseline ({by_severity})"
            if total
            else "no new finding beyond the baseline"
        )
    else:
        found = f"findings: {by_severity}"
    return f"{_warm_text(report)}; {found}"


def _warm_text(report: Evaluation) -> str:
    text = f"{report.warm}/{report.required} required functions warm"
    broken = sum(1 for entry in report.coverage if flagged(entry))
    if broken:
        text += f" ({broken} of them warm but with a medium or high finding)"
    return text


def set_aside_text(report: Evaluation) -> str:
    """What was set aside rather than judged: baselined and waived findings, said plainly."""
    parts = []
    if report.baselined:
        parts.append(
            f"{report.baselined} known finding{_s(report.baselined)} set aside by the baseline "
            "(still in the reports, marked baselined; they do not fail the run)"
        )
    if report.waived:
        parts.append(
            f"{report.waived} finding{_s(report.waived)} waived by the policy (with owner and "
            "expiry in the reports)"
        )
    return "set aside: " + "; ".join(parts) if parts else ""


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def plan_entry_of(finding: Finding) -> str | None:
    """Where `warmcheck fix` plans this finding: its entry in the plan, found by fingerprint."""
    if finding.rule in FIXABLE:
        what = "the change"
    elif finding.rule in MANUAL:
        what = "a commented manual step"
    else:
        return None
    return (
        f"warmcheck fix writes {what} for this finding as entry {finding.fingerprint[:12]} "
        f"of {PLAN_FILENAME} (its fingerprint)"
    )
