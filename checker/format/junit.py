"""warmcheck.junit.xml: one testsuite per rule, one testcase per evaluated resource.

Passes count (every resource a rule looked at is a testcase), failures carry the finding,
waived findings are skipped, evidence gaps (WARM901) are errors. No timestamps: the same
state gives the same bytes.
"""

from __future__ import annotations

from collections import defaultdict

from junit_xml import TestCase, TestSuite, to_xml_report_string

from checker.engine import EVIDENCE_RULE, Evaluation, RuleOutcome
from checker.format.base import Format
from checker.format.display import display, fix_of, name_of, named_message, plan_entry_of
from checker.format.escape import xml_text
from checker.model.findings import Finding


def _case(
    report: Evaluation, outcome: RuleOutcome, resource: str, findings: list[Finding]
) -> TestCase:
    case = TestCase(name=xml_text(resource), classname=f"warmcheck.{outcome.meta.slug}")
    active = [f for f in findings if not f.waived and not f.baselined]
    if active:
        message = (
            named_message(report, active[0]) if len(active) == 1 else f"{len(active)} findings"
        )
        body = "\n\n".join(_details(report, f) for f in active)
        body += f"\ndocs: warmcheck explain {outcome.meta.id}"
        if outcome.meta.id == EVIDENCE_RULE:
            case.add_error_info(message=xml_text(message), output=xml_text(body))
        else:
            case.add_failure_info(message=xml_text(message), output=xml_text(body))
    elif findings:
        waiver = findings[0].waiver
        if waiver is not None:
            ticket = f", ticket {waiver.ticket}" if waiver.ticket else ""
            message = (
                f"waived: {waiver.reason} (owner {waiver.owner}, "
                f"expires {waiver.expires.isoformat()}{ticket})"
            )
        else:
            message = "baselined: present in the --baseline report"
        output = "\n\n".join(_details(report, f) for f in findings)
        case.add_skipped_info(message=xml_text(message), output=xml_text(output))
    return case


def _details(report: Evaluation, finding: Finding) -> str:
    """The finding by name, each ARN beside its name, then its fix filled in."""
    lines = [named_message(report, finding)]
    if finding.function:
        lines.append(f"function: {name_of(report, finding.function)} ({finding.function})")
    if finding.warmer:
        lines.append(f"warmer: {name_of(report, finding.warmer)} ({finding.warmer})")
    lines.extend(f"flow: {name_of(report, flow)} ({flow})" for flow in finding.flows)
    if finding.detail:
        lines.append(display(finding.detail))
    lines.append(f"fingerprint: {finding.fingerprint}")
    lines.append(f"fix: {fix_of(report, finding)}")
    plan = plan_entry_of(finding)
    if plan:
        lines.append(f"plan: {plan}")
    return "\n".join(lines)


def render(report: Evaluation) -> str:
    suites = []
    for outcome in report.outcomes:
        by_resource: dict[str, list[Finding]] = defaultdict(list)
        for finding in outcome.findings:
            by_resource[finding.resource].append(finding)
        cases = [
            _case(report, outcome, resource, by_resource[resource]) for resource in outcome.checked
        ]
        suites.append(
            TestSuite(
                name=f"{outcome.meta.id} {outcome.meta.slug}",
                test_cases=cases,
                properties={
                    "rule": outcome.meta.id,
                    "severity": outcome.meta.severity,
                    "title": outcome.meta.title,
                },
            )
        )
    return str(to_xml_report_string(suites, prettyprint=True, encoding="utf-8"))


FORMAT = Format("junit", "warmcheck.junit.xml", render)
