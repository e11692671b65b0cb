"""warmcheck.sarif: SARIF 2.1.0 for code-scanning UIs.

One run. The driver lists every rule (ID order) with its fix and its docs/rules page; each
finding is a result located in the policy file, on the line of the setting (or waiver) it was
judged against, with the ARNs involved as logical locations. Waivers become accepted external
suppressions, baselines become baselineState. No timestamps: the same state gives the same bytes.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from checker import __version__
from checker.domain.arns import parse_arn
from checker.engine import Evaluation, PolicyRef
from checker.format.base import Format
from checker.format.display import fix_of, name_of, named_message
from checker.model.findings import AppliedWaiver, Finding, Severity
from checker.rules.base import DOCS_DIR
from checker.rules.catalogue import RuleMeta
from checker.rules.registry import ALL_RULES

SARIF_VERSION = "2.1.0"
# The `id` the OASIS schema gives itself: the canonical address of SARIF 2.1.0.
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "warmcheck/v1"
LEVELS: dict[Severity, str] = {"high": "error", "medium": "warning", "low": "note"}
# What GitHub code scanning ranks security results by (a string holding a number, 0.1-10).
SECURITY_SEVERITY: dict[Severity, str] = {"high": "8.0", "medium": "5.5", "low": "3.0"}


@cache
def _doc(rule_id: str) -> str | None:
    """docs/rules/<ID>.md, when the docs are beside the package (a source checkout)."""
    path = DOCS_DIR / f"{rule_id}.md"
    return path.read_text(encoding="utf-8") if path.is_file() else None


def _what_it_means(doc: str | None) -> str | None:
    """The first paragraph of the doc's "What it means" section, as one line."""
    if doc is None:
        return None
    lines = doc.splitlines()
    try:
        start = lines.index("## What it means") + 1
    except ValueError:
        return None
    paragraph: list[str] = []
    for line in lines[start:]:
        if line.startswith("#") or (not line.strip() and paragraph):
            break
        if line.strip():
            paragraph.append(line.strip())
    return " ".join(paragraph) or None


def _pascal(slug: str) -> str:
    return "".join(part.capitalize() for part in slug.split("-"))


def _descriptor(meta: RuleMeta) -> dict[str, Any]:
    doc = _doc(meta.id)
    explain = f"Run `warmcheck explain {meta.id}` for the full documentation."
    help_: dict[str, str] = {"text": f"{meta.fix} {explain}" if meta.fix else explain}
    if doc is not None:
        help_["markdown"] = doc
    return {
        "id": meta.id,
        "name": _pascal(meta.slug),
        "shortDescription": {"text": meta.title},
        "fullDescription": {"text": _what_it_means(doc) or meta.title},
        "help": help_,
        "defaultConfiguration": {"level": LEVELS[meta.severity]},
        "properties": {
            "severity": meta.severity,
            "security-severity": SECURITY_SEVERITY[meta.severity],
            "slug": meta.slug,
            "tags": ["security", meta.phase],
        },
    }


def _policy_file(policy_path: str) -> dict[str, Any]:
    """The policy file: relative to the checkout root when given relative, else a file URI."""
    path = Path(policy_path)
    if path.is_absolute():
        return {"uri": path.as_uri()}
    return {"uri": quote(path.as_posix(), safe="/"), "uriBaseId": SRCROOT}


def _physical(policy: PolicyRef, policy_field: str | None) -> dict[str, Any]:
    return {
        # index 0: the policy file is the run's only artifact.
        "artifactLocation": {**_policy_file(policy.path), "index": 0},
        "region": {"startLine": policy.line_of(policy_field) or 1},
    }


def _template_files(report: Evaluation) -> list[str]:
    """Template files (`warmcheck iac`) as artifacts 1..n, after the policy file."""
    return sorted({source.file for source in report.sources.values()})


def _source_physical(report: Evaluation, finding: Finding) -> dict[str, Any] | None:
    """The template line a finding is about, when `warmcheck iac` read it from one."""
    source = report.source_of(finding)
    if source is None:
        return None
    return {
        "artifactLocation": {
            **_policy_file(source.file),
            "index": 1 + _template_files(report).index(source.file),
        },
        "region": {"startLine": source.line},
    }


def _logical(report: Evaluation, finding: Finding) -> list[dict[str, Any]]:
    """The finding's resource first, then its function and warmer when they differ: each by
    its display name, the ARN as the fully qualified name."""
    arns = dict.fromkeys(a for a in (finding.resource, finding.function, finding.warmer) if a)
    locations = []
    for arn in arns:
        parsed = parse_arn(arn)
        locations.append(
            {
                "name": name_of(report, arn) if parsed is not None else arn,
                "fullyQualifiedName": arn,
                "kind": "resource",
            }
        )
    return locations


def _suppression(policy: PolicyRef, waiver: AppliedWaiver) -> dict[str, Any]:
    ticket = f", ticket {waiver.ticket}" if waiver.ticket else ""
    return {
        "kind": "external",
        "status": "accepted",
        "justification": (
            f"{waiver.reason} (owner {waiver.owner}, expires {waiver.expires.isoformat()}{ticket})"
        ),
        "location": {"physicalLocation": _physical(policy, f"waivers[{waiver.index}]")},
        "properties": {
            "owner": waiver.owner,
            "expires": waiver.expires.isoformat(),
            "ticket": waiver.ticket,
        },
    }


def _result(
    report: Evaluation, finding: Finding, rule_index: dict[str, int], with_baseline: bool
) -> dict[str, Any]:
    location: dict[str, Any] = {
        "physicalLocation": _physical(report.policy, finding.policy_field),
        "logicalLocations": _logical(report, finding),
    }
    if finding.policy_field:
        location["message"] = {"text": f"policy setting {finding.policy_field}"}
    locations = [location]
    template = _source_physical(report, finding)
    source = report.source_of(finding)
    if template is not None and source is not None:
        # Code scanning annotates the first location: the template line under review.
        locations.insert(
            0,
            {
                "physicalLocation": template,
                "logicalLocations": _logical(report, finding),
                "message": {"text": source.label},
            },
        )
    properties: dict[str, Any] = {
        "severity": finding.severity,
        "function": finding.function,
        "warmer": finding.warmer,
        "flows": list(finding.flows),
        "fix": fix_of(report, finding),
    }
    if finding.detail:
        properties["detail"] = finding.detail
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "level": LEVELS[finding.severity],
        # Names first; the ARNs are one step away, in the logical locations and properties.
        "message": {"text": named_message(report, finding)},
        "locations": locations,
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        # Waivers were checked: an empty list says "not suppressed", absence would say "unknown".
        "suppressions": []
        if finding.waiver is None
        else [_suppression(report.policy, finding.waiver)],
        "properties": properties,
    }
    if finding.rule in rule_index:
        result["ruleIndex"] = rule_index[finding.rule]
    if with_baseline:
        result["baselineState"] = "unchanged" if finding.baselined else "new"
    return result


def to_sarif(report: Evaluation) -> dict[str, Any]:
    metas = [rule.meta for rule in ALL_RULES]
    rule_index = {meta.id: index for index, meta in enumerate(metas)}
    findings = report.findings
    with_baseline = report.baseline_used
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "warmcheck",
                "version": __version__,
                "rules": [_descriptor(meta) for meta in metas],
            }
        },
        "artifacts": [
            {
                "location": _policy_file(report.policy.path),
                "roles": ["analysisTarget"],
                "hashes": {"sha-256": report.policy.sha256},
            },
            *(
                {"location": _policy_file(file), "roles": ["analysisTarget"]}
                for file in _template_files(report)
            ),
        ],
        "invocations": [{"executionSuccessful": True}],
        "results": [_result(report, f, rule_index, with_baseline) for f in findings],
        "properties": {
            "names": {arn: name_of(report, arn) for arn in sorted(report.names)},
            "verdict": report.verdict,
            "fail_on": report.fail_on,
            "accounts": list(report.accounts),
            "regions": list(report.regions),
            "summary": {
                "required": report.required,
                "warm": report.warm,
                "findings": report.counts(),
                "waived": report.waived,
                "baselined": report.baselined,
            },
        },
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def render(report: Evaluation) -> str:
    return json.dumps(to_sarif(report), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


FORMAT = Format("sarif", "warmcheck.sarif", render)
