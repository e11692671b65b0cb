"""From a policy and a snapshot to the plan's files: what `warmcheck fix` and the demo share."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from checker.analysis.core import Analysis
from checker.engine import PolicyRef, evaluate
from checker.errors import UsageError
from checker.fix import FIX_FORMATS, find_fix_format
from checker.fix.model import FixPlanV1
from checker.fix.plan import build_plan
from checker.load.policy import LoadedPolicy
from checker.model.snapshot import Snapshot


def make_plan(loaded: LoadedPolicy, snapshot: Snapshot) -> FixPlanV1:
    """Evaluate as `check` does (waivers included, expiring as of the snapshot), then plan a
    fix for each finding."""
    report = evaluate(
        loaded.policy,
        snapshot,
        snapshot.collected_at,
        policy_ref=PolicyRef(loaded.path, loaded.sha256, loaded.line_of),
    )
    analysis = Analysis(loaded.policy, snapshot, snapshot.collected_at)
    return build_plan(report, analysis)


def render_plan(plan: FixPlanV1, formats: Sequence[str] | None) -> list[tuple[str, str]]:
    """Every file of the chosen formats (default: all), rendered before anything is written."""
    files: list[tuple[str, str]] = []
    for name in dict.fromkeys(formats or [fmt.name for fmt in FIX_FORMATS]):
        fmt = find_fix_format(name)
        if fmt is None:
            raise UsageError(f"unknown fix format {name!r}")
        files += fmt.render(plan)
    return files


def fix_summary(plan: FixPlanV1, written: Sequence[Path], *, quiet: bool) -> list[str]:
    runnable = sum(1 for e in plan.entries if not e.manual)
    manual = len(plan.entries) - runnable
    verdict = (
        f"warmcheck fix: {runnable} change(s) and {manual} manual step(s) planned for "
        f"{len(plan.entries)} finding(s)"
        + ("" if plan.complete else " (evidence incomplete: only what was read)")
    )
    if quiet:
        return [verdict]
    lines = [verdict]
    lines += [f"  {e.rule} {e.resource}: {e.summary}" for e in plan.entries]
    lines += [f"  not covered: {n.rule} {n.resource}: {n.reason}" for n in plan.not_covered]
    lines += [f"  warning: {w}" for w in plan.warnings]
    lines += [f"  wrote {path}" for path in written]
    lines.append("  warmcheck never applies a plan: review it, then run warmcheck-fix.sh yourself")
    return lines
