"""Findings: what a rule reports, built one way so ID, slug and severity never drift."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from checker.record import quick_init

Severity = Literal["high", "medium", "low"]
SEVERITIES: tuple[Severity, ...] = ("high", "medium", "low")
SEVERITY_RANK: dict[Severity, int] = {"high": 3, "medium": 2, "low": 1}


def fingerprint(rule: str, resource: str, function: str | None, warmer: str | None) -> str:
    """sha256 of rule ID + resource + function + warmer: stable across messages and runs."""
    text = "\n".join((rule, resource, function or "", warmer or ""))
    # surrogatepass: a lone surrogate in an AWS name hashes (distinctly) instead of crashing.
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True, slots=True)
class SourceLocation:
    """Where a resource is written in a template (`warmcheck iac`): file, 1-based line, and the
    logical ID or address people know it by."""

    file: str
    line: int
    label: str


@dataclass(frozen=True, slots=True)
class AppliedWaiver:
    index: int  # position in the policy's waivers list
    reason: str
    owner: str
    expires: date
    ticket: str | None


@quick_init
@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    slug: str
    severity: Severity
    resource: str
    message: str
    function: str | None = None
    warmer: str | None = None
    flows: tuple[str, ...] = ()
    detail: str = ""
    policy_field: str | None = None  # the policy setting the finding is judged against
    waiver: AppliedWaiver | None = None
    baselined: bool = False  # present in the --baseline report: reported, never failing
    fingerprint: str = field(default="", compare=False)

    @property
    def waived(self) -> bool:
        return self.waiver is not None

    @property
    def sort_key(self) -> tuple[str, str, str, str]:
        return (self.rule, self.resource, self.function or "", self.warmer or "")
