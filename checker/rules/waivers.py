"""Waivers: accepted findings, each with a reason, an owner and an expiry date.

A waiver matches a finding by rule (ID or slug) and a glob on the finding's resource. While it is
in force the finding stays in every report, marked waived, and does not fail the run. From the
day after `expires` the finding counts again and WARM902 names the waiver; a waiver in force that
matched nothing is WARM903. Unread evidence (WARM901) can never be waived: the policy refuses it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from fnmatch import fnmatchcase

from checker.model.findings import AppliedWaiver, Finding
from checker.model.policy import Waiver
from checker.rules.catalogue import find_rule


@dataclass(slots=True)
class WaiverUsage:
    """What each waiver did in this run: the findings it covered, whether it has expired."""

    waiver: Waiver
    index: int
    expired: bool
    matched: list[Finding] = field(default_factory=list)


def _covers(waiver: Waiver, finding: Finding) -> bool:
    meta = find_rule(waiver.rule)
    return (
        meta is not None
        and meta.id == finding.rule
        and fnmatchcase(finding.resource, waiver.resource)
    )


def apply_waivers(
    findings: Sequence[Finding], waivers: Sequence[Waiver], today: date
) -> tuple[list[Finding], list[WaiverUsage]]:
    """Mark the findings a waiver in force covers; the first matching waiver wins."""
    usage = [WaiverUsage(w, i, expired=w.expires < today) for i, w in enumerate(waivers)]
    result = []
    for finding in findings:
        for entry in usage:
            if not _covers(entry.waiver, finding):
                continue
            entry.matched.append(finding)
            if not entry.expired:
                finding = replace(
                    finding,
                    waiver=AppliedWaiver(
                        index=entry.index,
                        reason=entry.waiver.reason,
                        owner=entry.waiver.owner,
                        expires=entry.waiver.expires,
                        ticket=entry.waiver.ticket,
                    ),
                    policy_field=f"waivers[{entry.index}]",
                )
                break
        result.append(finding)
    return result, usage
