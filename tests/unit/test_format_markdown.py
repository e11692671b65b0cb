"""warmcheck.md: golden, verdict and counts, findings grouped by rule, escaping, size caps."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from checker.cli import main
from checker.engine import CoverageEntry, Evaluation, PolicyRef, RuleOutcome
from checker.format import markdown
from checker.format.registry import FORMATS, find_format
from checker.model.findings import AppliedWaiver, Finding
from checker.rules.base import Rule
from checker.rules.registry import ALL_RULES
from checker.rules.warm001_missing_warmer import MissingWarmer
from checker.rules.warm003_warm_gap_too_long import WarmGapTooLong
from checker.rules.warm901_evidence_incomplete import EvidenceIncomplete
from tests.golden import Goldens

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
GOLDEN = "drift.warmcheck.md"
DRIFT_SNAPSHOT = DATA / "snapshots" / "drift.json"
STRICT_POLICY = DATA / "policies" / "strict.yaml"
NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
ONE_MIB = 1024 * 1024


@pytest.fixture(autouse=True)
def _in_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the policy path in the report is relative to where warmcheck runs


def drift_markdown(out_dir: Path) -> str:
    code = main(
        [
            "check",
            "--snapshot",
            str(DRIFT_SNAPSHOT.relative_to(ROOT)),
            "--policy",
            str(STRICT_POLICY.relative_to(ROOT)),
            "--out-dir",
            str(out_dir),
            "--format",
            "markdown",
            "-q",
        ]
    )
    assert code == 1
    return (out_dir / "warmcheck.md").read_text(encoding="utf-8")


def arn(name: str) -> str:
    return f"arn:aws:lambda:us-east-1:123456789012:function:{name}"


def finding(rule: type[Rule], resource: str, message: str = "") -> Finding:
    return rule.finding(resource=resource, message=message or f"{resource} is cold")


def report(
    findings: list[Finding],
    coverage: tuple[CoverageEntry, ...] = (),
    fail_on: str = "low",
) -> Evaluation:
    outcomes = tuple(
        RuleOutcome(
            rule.meta,
            tuple(sorted({f.resource for f in findings if f.rule == rule.meta.id})),
            tuple(
                sorted((f for f in findings if f.rule == rule.meta.id), key=lambda f: f.sort_key)
            ),
        )
        for rule in ALL_RULES
    )
    return Evaluation(
        policy=PolicyRef("policies/warm-policy.yaml", "0" * 64),
        accounts=("123456789012",),
        regions=("us-east-1",),
        collected_at=NOW,
        fail_on=fail_on,
        outcomes=outcomes,
        coverage=coverage,
    )


def entry(function: str, status: str = "cold", gap: int | None = None) -> CoverageEntry:
    return CoverageEntry(function, status, (), gap, None, ("flow-a", "flow-b"))


def section(text: str, heading: str) -> str:
    """The text from `heading` up to the next heading of the same or a higher level."""
    level = heading.split(" ", 1)[0]
    start = text.index(heading + "\n") if heading + "\n" in text else text.index(heading)
    rest = text[start + len(heading) :]
    stops = [m.start() for m in re.finditer(rf"^#{{1,{len(level)}}} ", rest, re.MULTILINE)]
    return heading + (rest[: stops[0]] if stops else rest)


def cells(row: str) -> list[str]:
    """A GFM table row split on its unescaped pipes."""
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", row.strip())[1:-1]]


# --- the drift snapshot -----------------------------------------------------------------------


def test_registered_as_markdown() -> None:
    fmt = find_format("markdown")
    assert fmt is not None
    assert fmt.name == markdown.FORMAT.name
    assert fmt.filename == "warmcheck.md"
    assert fmt in FORMATS


def test_matches_golden_file(tmp_path: Path, goldens: Goldens) -> None:
    goldens.check(drift_markdown(tmp_path), GOLDEN)


def test_is_byte_identical_across_runs(tmp_path: Path) -> None:
    assert drift_markdown(tmp_path / "a") == drift_markdown(tmp_path / "b")


def test_headline_and_counts(tmp_path: Path) -> None:
    text = drift_markdown(tmp_path)
    lines = text.splitlines()
    assert lines[0] == "## warmcheck: FAIL"
    assert "**0 of 3** required functions warm." in text
    for row in ("| high | 3 |", "| medium | 4 |", "| low | 2 |", "| waived | 0 |"):
        assert row in lines
    assert "| baselined | 0 |" in lines
    assert "2026-11-02T12:00:00Z" in text
    assert not re.search(r"[\U0001F300-\U0001FAFF\u2705\u274C\u26A0]", text)  # no emoji


def test_findings_grouped_by_rule_each_with_its_own_fix(tmp_path: Path) -> None:
    text = drift_markdown(tmp_path)
    findings = section(text, "### Findings")
    headings = re.findall(r"^#### (WARM\d{3}) `([a-z-]+)` · (high|medium|low)", findings, re.M)
    assert [h[0] for h in headings] == [
        "WARM001",
        "WARM003",
        "WARM005",
        "WARM006",
        "WARM008",
        "WARM009",
        "WARM010",
        "WARM011",
        "WARM014",
    ]
    metas = {rule.meta.id: rule.meta for rule in ALL_RULES}
    for rule_id, slug, severity in headings:
        group = section(findings, f"#### {rule_id}")
        assert (slug, severity) == (metas[rule_id].slug, metas[rule_id].severity)
        assert group.count("**Fix:**") == 1  # one finding per rule in the drift, one fix each
        assert f"`warmcheck explain {rule_id}`" in group
        assert len(re.findall(r"^- ", group, re.M)) == 1
    survey = section(findings, "#### WARM001")
    # Names first, the fix filled in with this finding's names, the ARN one line below.
    assert "\n- survey is called by 1 in-scope flow" in survey
    assert "--function-name survey --statement-id warm-survey" in survey
    assert "<sub>`arn:aws:lambda:us-east-1:123456789012:function:survey`</sub>" in survey
    assert survey.count("arn:aws:lambda:us-east-1:123456789012:function:survey`") == 1


def test_coverage_table(tmp_path: Path) -> None:
    coverage = section(drift_markdown(tmp_path), "### Coverage")
    rows = [line for line in coverage.splitlines() if line.startswith("|")]
    assert cells(rows[0]) == [
        "function",
        "status",
        "findings",
        "worst gap (min)",
        "warmers",
        "flows",
    ]
    assert cells(rows[2]) == [
        "billing<br><sub>`arn:aws:lambda:us-east-1:123456789012:function:billing`</sub>",
        "cold",
        "WARM003, WARM008, WARM009",
        "15",
        "1",
        "1",
    ]
    assert len(rows) == 2 + 3


# --- synthetic reports ------------------------------------------------------------------------


def test_pass_verdict() -> None:
    text = markdown.render(report([], (entry(arn("a"), "warm", 300),)))
    assert text.startswith("## warmcheck: PASS\n")
    assert "**1 of 1** required function warm." in text
    assert "No findings." in text
    assert cells(text.splitlines()[-1]) == [
        f"a<br><sub>`{arn('a')}`</sub>",
        "warm",
        "—",
        "5",
        "0",
        "2",
    ]


def test_a_warm_function_with_a_medium_finding_is_not_shown_plainly_warm() -> None:
    broken = replace(entry(arn("a"), "warm", 300), findings=("WARM013",), worst_severity="high")
    minor = replace(entry(arn("b"), "warm", 300), findings=("WARM010",), worst_severity="low")
    text = markdown.render(report([], (minor, broken)))
    rows = [cells(line) for line in text.splitlines() if "<sub>" in line]
    assert [row[1] for row in rows] == ["**warm, but broken**", "warm"]
    assert [row[2] for row in rows] == ["WARM013", "WARM010"]


def test_incomplete_verdict_says_so() -> None:
    gap = finding(EvidenceIncomplete, "123456789012/us-east-1", "lambda GetPolicy: AccessDenied")
    text = markdown.render(report([gap]))
    assert text.startswith("## warmcheck: INCOMPLETE\n")
    assert "could not be read" in text.splitlines()[2]


def test_waived_and_baselined_findings_are_marked() -> None:
    waiver = AppliedWaiver(0, "migration ends in March", "cc-platform", date(2027, 3, 31), "CC-12")
    waived = replace(finding(MissingWarmer, arn("legacy")), waiver=waiver)
    baselined = replace(finding(MissingWarmer, arn("old")), baselined=True)
    text = markdown.render(report([waived, baselined, finding(MissingWarmer, arn("new"))]))
    assert "| waived | 1 |" in text
    assert "| baselined | 1 |" in text
    assert "| high | 1 |" in text
    lines = [line for line in text.splitlines() if line.startswith("- ")]
    # Findings that count come first in their group.
    assert lines[0].startswith("- new is cold")
    waived_line = next(line for line in lines if "legacy is cold" in line)
    assert waived_line.startswith("- *waived* (migration ends in March; owner cc-platform; ")
    assert "expires 2027-03-31" in waived_line
    assert "ticket CC-12" in waived_line
    assert next(line for line in lines if "old is cold" in line).startswith("- *baselined*")


def test_pipes_and_backticks_are_escaped() -> None:
    odd = "arn:aws:lambda:us-east-1:123456789012:function:a|b`c"
    message = "gap | of `15 min` with *stars* and <b>tags</b>"
    text = markdown.render(report([finding(WarmGapTooLong, odd, message)], (entry(odd),)))
    line = next(line for line in text.splitlines() if line.startswith("- "))
    assert r"gap \| of \`15 min\` with \*stars\* and \<b\>tags\</b\>" in line
    assert "<sub>``arn:aws:lambda:us-east-1:123456789012:function:a|b`c``</sub>" in text
    row = text.splitlines()[-1]
    assert cells(row)[0].endswith(
        r"<sub>``arn:aws:lambda:us-east-1:123456789012:function:a\|b`c``</sub>"
    )
    assert len(cells(row)) == 6


def test_long_sections_are_capped() -> None:
    findings = [finding(MissingWarmer, arn(f"fn-{index:03d}")) for index in range(60)]
    coverage = tuple(entry(arn(f"fn-{index:03d}")) for index in range(250))
    text = markdown.render(report(findings, coverage))
    group = section(text, "#### WARM001")
    assert len(re.findall(r"^- ", group, re.M)) == markdown.MAX_FINDINGS_PER_RULE + 1
    assert "- … and 10 more" in group
    assert "60 findings" in group.splitlines()[0]
    rows = [line for line in section(text, "### Coverage").splitlines() if "<sub>" in line]
    assert len(rows) == markdown.MAX_COVERAGE_ROWS
    assert "… and 50 more functions" in text


def test_stays_under_the_step_summary_limit() -> None:
    long_message = "x" * 5000
    findings = [
        finding(rule, arn(f"fn-{index:04d}-{'y' * 200}"), long_message)
        for rule in ALL_RULES
        for index in range(200)
    ]
    coverage = tuple(entry(arn(f"fn-{index:05d}-{'z' * 400}")) for index in range(5000))
    text = markdown.render(report(findings, coverage))
    assert len(text.encode()) < ONE_MIB * 0.9
    assert "… and" in text
    assert "x" * (markdown.MAX_MESSAGE_CHARS + 1) not in text


def test_coverage_lists_functions_that_need_attention_first() -> None:
    coverage = (entry(arn("a"), "warm", 60), entry(arn("b"), "cold"), entry(arn("c"), "unknown"))
    rows = [line for line in markdown.render(report([], coverage)).splitlines() if "<sub>" in line]
    assert [cells(row)[1] for row in rows] == ["cold", "unknown", "warm"]
    assert cells(rows[2])[3] == "1"


@pytest.mark.parametrize(
    ("seconds", "shown"), [(None, "—"), (0, "0"), (300, "5"), (90, "1.5"), (86400, "1440")]
)
def test_gap_minutes(seconds: int | None, shown: str) -> None:
    assert markdown.gap_minutes(seconds) == shown
