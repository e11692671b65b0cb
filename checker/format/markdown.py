"""warmcheck.md: the verdict, counts, findings by rule with their fixes and the coverage table.

Made for `$GITHUB_STEP_SUMMARY` and pull-request comments, so it stays well under GitHub's
1 MiB summary limit: long sections end in an "… and N more" line, long messages are cut, and the
findings section has a byte budget. Cells escape `|` and backticks; no timestamps but the
snapshot's own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC

from checker.engine import CoverageEntry, Evaluation, RuleOutcome
from checker.format.base import Format
from checker.format.display import (
    fix_of,
    flagged,
    name_of,
    named_message,
    plan_entry_of,
    set_aside_text,
    status_label,
)
from checker.format.evidence_view import markdown_section as markdown_evidence
from checker.model.findings import SEVERITIES, Finding

MAX_FINDINGS_PER_RULE = 50
MAX_COVERAGE_ROWS = 200
MAX_MESSAGE_CHARS = 500
MAX_VALUE_CHARS = 300
# Findings stop here so that, with the coverage table, a report stays far below 1 MiB.
FINDINGS_BUDGET_BYTES = 600 * 1024

STATUS_ORDER = {"cold": 0, "unknown": 1, "broken": 2, "waived": 3, "warm": 4}
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_BACKTICKS = re.compile(r"`+")


def render(report: Evaluation) -> str:
    lines = [*_headline(report), "", *_counts(report), "", *_context(report), ""]
    lines += _findings(report)
    lines += _coverage(report)
    lines += markdown_evidence(report)  # runtime evidence (issue 14): empty without evidence
    return "\n".join(lines).rstrip("\n") + "\n"


def _headline(report: Evaluation) -> list[str]:
    verdict = report.verdict
    counting = sum(report.counts().values())
    first = f"## warmcheck: {verdict.upper()}"
    if verdict == "incomplete":
        why = (
            "Some state could not be read (WARM901), so this is not a compliant result: "
            "fix the access problem and run again."
        )
    elif verdict == "fail":
        failing = len(report.failing)
        why = (
            f"{failing} finding{_s(failing)} at or above `{report.fail_on}` "
            f"{'is' if failing == 1 else 'are'} neither waived nor baselined."
        )
    elif report.fail_on == "never":
        why = f"`--fail-on never`: {counting} finding{_s(counting)} reported, none fails the run."
    else:
        why = f"No finding at or above `{report.fail_on}` that is not waived or baselined."
    warm = f"**{report.warm} of {report.required}** required function{_s(report.required)} warm."
    lines = [first, "", f"**{verdict.upper()}**: {why} {warm}"]
    aside = set_aside_text(report)
    if aside:  # say plainly what was not judged this run, and why
        lines += ["", _text(aside[0].upper() + aside[1:]) + "."]
    return lines


def _counts(report: Evaluation) -> list[str]:
    counts = report.counts()
    lines = ["| findings | count |", "| --- | ---: |"]
    lines += [f"| {severity} | {counts[severity]} |" for severity in SEVERITIES]
    lines.append(f"| waived | {report.waived} |")
    lines.append(f"| baselined | {report.baselined} |")
    return lines


def _context(report: Evaluation) -> list[str]:
    parts = [
        f"Policy {_code(report.policy.path)} (sha256 {_code(report.policy.sha256[:12])})",
        f"accounts {_list(report.accounts)}",
        f"regions {_list(report.regions)}",
        f"collected {_code(_utc(report))}",
        f"fail-on {_code(report.fail_on)}",
    ]
    return [" · ".join(parts)]


def _findings(report: Evaluation) -> list[str]:
    groups = [outcome for outcome in report.outcomes if outcome.findings]
    lines = ["### Findings", ""]
    if not groups:
        return [*lines, "No findings.", ""]
    budget = FINDINGS_BUDGET_BYTES
    for outcome in groups:
        group = _group(report, outcome, budget)
        budget -= sum(len(line.encode("utf-8", "surrogatepass")) + 1 for line in group)
        lines += group
    return lines


def _group(report: Evaluation, outcome: RuleOutcome, budget: int) -> list[str]:
    meta = outcome.meta
    findings = sorted(outcome.findings, key=_counting_first)
    total = len(findings)
    lines = [
        f"#### {meta.id} {_code(meta.slug)} · {meta.severity} · {total} finding{_s(total)}",
        "",
        _text(meta.title),
        "",
    ]
    shown = 0
    for finding in findings[:MAX_FINDINGS_PER_RULE]:
        line = _finding_line(report, finding)
        if len(line.encode("utf-8", "surrogatepass")) + 1 > budget:
            break
        budget -= len(line.encode("utf-8", "surrogatepass")) + 1
        lines.append(line)
        shown += 1
    if shown < total:
        lines.append(f"- … and {total - shown} more")
    lines += ["", f"Details: `warmcheck explain {meta.id}`.", ""]
    return lines


def _counting_first(finding: Finding) -> tuple[int, tuple[str, str, str, str]]:
    return (1 if finding.waived or finding.baselined else 0, finding.sort_key)


def _finding_line(report: Evaluation, finding: Finding) -> str:
    """Names first: the message by name, its fix, then the ARN (a line break away)."""
    prefix = ""
    if finding.waiver is not None:
        waiver = finding.waiver
        ticket = f"; ticket {_text(waiver.ticket)}" if waiver.ticket else ""
        prefix = (
            f"*waived* ({_text(_cut(waiver.reason, MAX_VALUE_CHARS))}; owner "
            f"{_text(waiver.owner)}; expires {waiver.expires.isoformat()}{ticket}): "
        )
    elif finding.baselined:
        prefix = "*baselined* (in the --baseline report): "
    message = _text(_cut(named_message(report, finding), MAX_MESSAGE_CHARS))
    fix = _text(_cut(fix_of(report, finding), MAX_MESSAGE_CHARS))
    resource = _code(_cut(finding.resource, MAX_VALUE_CHARS))
    plan = plan_entry_of(finding)
    planned = f" <sub>({_text(plan)})</sub>" if plan else ""
    return f"- {prefix}{message}  \n  **Fix:** {fix}{planned}  \n  <sub>{resource}</sub>"


def _coverage(report: Evaluation) -> list[str]:
    lines = ["### Coverage", ""]
    if not report.coverage:
        return [*lines, "No function is required by the policy.", ""]
    lines += [
        "| function | status | findings | worst gap (min) | warmers | flows |",
        "| --- | --- | --- | ---: | ---: | ---: |",
    ]
    entries = sorted(report.coverage, key=coverage_order)
    for entry in entries[:MAX_COVERAGE_ROWS]:
        name = _text(_cut(name_of(report, entry.function), MAX_VALUE_CHARS))
        arn = _code(_cut(entry.function, MAX_VALUE_CHARS), cell=True)
        status = f"**{status_label(entry)}**" if flagged(entry) else entry.status
        lines.append(
            f"| {name}<br><sub>{arn}</sub> | {status} | {', '.join(entry.findings) or '—'} | "
            f"{gap_minutes(entry.worst_gap_seconds)} | {len(entry.warmers)} | "
            f"{len(entry.flows)} |"
        )
    if len(entries) > MAX_COVERAGE_ROWS:
        lines += ["", f"… and {len(entries) - MAX_COVERAGE_ROWS} more functions"]
    return [*lines, ""]


def coverage_order(entry: CoverageEntry) -> tuple[int, str]:
    """Functions that need attention first (warm but broken before plainly warm), then by ARN."""
    status = "broken" if flagged(entry) else entry.status
    return (STATUS_ORDER.get(status, len(STATUS_ORDER)), entry.function)


def gap_minutes(seconds: int | None) -> str:
    """A worst gap in minutes, one decimal when it is not whole; "—" when there is none."""
    if seconds is None:
        return "—"
    whole, rest = divmod(seconds, 60)
    return str(whole) if rest == 0 else f"{seconds / 60:.1f}"


def _text(value: str) -> str:
    """Plain text that Markdown shows as it is: one line, specials escaped."""
    return _SPECIAL.sub(r"\\\1", " ".join(value.split()))


def _code(value: str, *, cell: bool = False) -> str:
    """A code span that survives backticks in `value` (and pipes, in a table cell)."""
    flat = " ".join(value.split())
    longest = max((len(run) for run in _BACKTICKS.findall(flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    span = f"{fence}{pad}{flat}{pad}{fence}"
    return span.replace("|", "\\|") if cell else span


def _list(values: Sequence[str]) -> str:
    return ", ".join(_code(value) for value in values) if values else "none"


def _cut(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _utc(report: Evaluation) -> str:
    return report.collected_at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _s(count: int) -> str:
    return "" if count == 1 else "s"


FORMAT = Format("markdown", "warmcheck.md", render)
