"""What every rule is: metadata, documentation, and an evaluation over the shared analysis."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Literal

from checker.display import shown, shown_document
from checker.findings import Finding, Severity, fingerprint
from checker.schedule import format_gap_length

if TYPE_CHECKING:
    from checker.analysis import Analysis

# docs/rules, shipped inside the package through the rules/docs link so `explain` works installed.
DOCS_DIR = Path(__file__).resolve().parent / "docs"


@dataclass(frozen=True, slots=True)
class RuleMeta:
    id: str
    slug: str
    severity: Severity
    title: str
    fix: str = ""
    policy_field: str = "warm"  # the setting a finding points at (SARIF's physical location)
    # state: judged from AWS state; evidence: unread state; policy: about the policy itself.
    phase: Literal["state", "evidence", "policy"] = "state"


@dataclass(slots=True)
class RuleResult:
    """Every resource the rule looked at (passes count in JUnit) and what it found."""

    checked: set[str] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)


class Rule:
    meta: ClassVar[RuleMeta]

    def evaluate(self, analysis: Analysis) -> RuleResult:
        raise NotImplementedError

    @classmethod
    def finding(
        cls,
        *,
        resource: str,
        message: str,
        function: str | None = None,
        warmer: str | None = None,
        flows: tuple[str, ...] | list[str] | set[str] = (),
        detail: str = "",
        policy_field: str | None = None,
    ) -> Finding:
        meta = cls.meta
        return Finding(
            rule=meta.id,
            slug=meta.slug,
            severity=meta.severity,
            resource=resource,
            # Messages carry AWS names: escaped once here, so no format shows them raw.
            message=shown(message),
            function=function,
            warmer=warmer,
            flows=tuple(sorted(set(flows))),
            detail=shown_document(detail),
            policy_field=policy_field or meta.policy_field,
            fingerprint=fingerprint(meta.id, resource, function, warmer),
        )


def setting(required_override: int | None, knob: str) -> str:
    """The policy field behind a function's setting: its override's, else the warm default."""
    if required_override is not None:
        return f"overrides[{required_override}]"
    return f"warm.{knob}"


def callers(flows: set[str] | tuple[str, ...], extra: bool = False) -> str:
    """How a function came to be required, for messages."""
    parts = []
    if flows:
        parts.append(f"called by {len(flows)} in-scope flow{'s' if len(flows) != 1 else ''}")
    if extra:
        parts.append("listed in extra_functions")
    return " and ".join(parts) or "required by the policy"


minutes = format_gap_length
