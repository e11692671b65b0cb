"""The golden comparison: reworded docs and a new version pass, a changed report fails."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from checker.cli import main
from checker.format import display, html, report_v1, sarif
from checker.rules.base import DOCS_DIR
from checker.rules.registry import ALL_RULES
from tests.golden import GOLDEN_DIR, NORMALISERS, Goldens, normalise

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
DRIFT_SNAPSHOT = DATA / "snapshots" / "drift.json"
STRICT_POLICY = DATA / "policies" / "strict.yaml"
REPORTS = tuple(NORMALISERS)  # warmcheck.json, .sarif, .junit.xml, .md, .html
FORMATS = ("json", "junit", "sarif", "markdown", "html")
WORD = "Plainly"  # the word a harmless edit adds to every doc, title and fix sentence
NEW_VERSION = "99.1.0rc1"


@pytest.fixture(autouse=True)
def _in_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the policy path in the reports is relative to where warmcheck runs


@pytest.fixture
def _fresh_caches() -> Iterator[None]:
    """Rule metadata and docs are cached per process: re-read them around a reworded run."""
    display._metas.cache_clear()
    sarif._doc.cache_clear()
    yield
    display._metas.cache_clear()
    sarif._doc.cache_clear()


def all_reports(out_dir: Path, snapshot: Path = DRIFT_SNAPSHOT) -> dict[str, str]:
    formats = [arg for name in FORMATS for arg in ("--format", name)]
    snapshot_arg = snapshot.relative_to(ROOT) if snapshot.is_relative_to(ROOT) else snapshot
    argv = [
        "check",
        "--snapshot",
        str(snapshot_arg),
        "--policy",
        str(STRICT_POLICY.relative_to(ROOT)),
    ]
    assert main([*argv, "--out-dir", str(out_dir), "-q", *formats]) == 1
    return {name: (out_dir / name).read_text(encoding="utf-8") for name in REPORTS}


def reword_docs(tmp_path: Path) -> Path:
    """A copy of docs/rules with one word added to every line of prose."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for page in sorted(DOCS_DIR.glob("*.md")):
        lines = page.read_text(encoding="utf-8").splitlines()
        reworded = [f"{line} {WORD}" if line and line[0].isalpha() else line for line in lines]
        (docs / page.name).write_text("\n".join(reworded) + "\n", encoding="utf-8")
    return docs


@pytest.mark.usefixtures("_fresh_caches")
def test_reworded_docs_and_a_new_version_still_match_every_golden(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sarif, "DOCS_DIR", reword_docs(tmp_path))
    for module in (html, report_v1, sarif):
        monkeypatch.setattr(module, "__version__", NEW_VERSION)
    for rule in ALL_RULES:
        meta = rule.meta
        monkeypatch.setattr(
            rule,
            "meta",
            replace(
                meta,
                title=f"{WORD} {meta.title}",
                fix=f"{WORD} {meta.fix}",
                remedies=tuple(f"{WORD} {template}" for template in meta.remedies),
            ),
        )
    goldens = Goldens(update=False)
    for name, produced in all_reports(tmp_path / "out").items():
        golden = (GOLDEN_DIR / f"drift.{name}").read_text(encoding="utf-8")
        assert WORD in produced, name  # the edit reached the report...
        assert WORD not in golden, name  # ...and the golden never had it
        assert NEW_VERSION in produced or name in ("warmcheck.junit.xml", "warmcheck.md"), name
        assert WORD not in normalise(produced, name), f"{name}: unmasked catalogue or doc prose"
        assert NEW_VERSION not in normalise(produced, name), name
        assert goldens.mismatch(produced, f"drift.{name}") is None, name


def test_a_changed_finding_fails_every_golden(tmp_path: Path) -> None:
    snapshot = json.loads(DRIFT_SNAPSHOT.read_text(encoding="utf-8"))
    (billing,) = [rule for rule in snapshot["rules"] if rule["name"] == "billing-warmer"]
    assert billing["schedule_expression"] == "cron(0/15 * * * ? *)"
    billing["schedule_expression"] = "cron(0/10 * * * ? *)"  # the WARM003 gap: 15 -> 10 min
    changed = tmp_path / "drift.json"
    changed.write_text(json.dumps(snapshot), encoding="utf-8")
    goldens = Goldens(update=False)
    for name, produced in all_reports(tmp_path / "out", changed).items():
        problem = goldens.mismatch(produced, f"drift.{name}")
        assert problem is not None, name
        assert "10 min" in problem, name


@pytest.mark.parametrize("name", REPORTS)
def test_a_changed_fingerprint_fails(name: str) -> None:
    golden = (GOLDEN_DIR / f"drift.{name}").read_text(encoding="utf-8")
    assert "faea476e2b8c" in golden  # WARM001's finding on survey
    assert normalise(golden.replace("faea476e2b8c", "faea476e2b8d"), name) != normalise(
        golden, name
    )


@pytest.mark.parametrize("name", REPORTS)
def test_a_renamed_resource_in_a_fix_fails(name: str) -> None:
    golden = (GOLDEN_DIR / f"drift.{name}").read_text(encoding="utf-8")
    # The rule WARM001's fix tells the user to create: named nowhere else in the report.
    old, new = "rule/warm-survey", "rule/warm-surveys"
    if name == "warmcheck.html":  # an ARN there is broken into spans at its separators
        span = 'rule/</span><wbr><span class="nw">'
        old, new = f"{span}warm-survey<", f"{span}warm-surveys<"
    renamed = golden.replace(old, new)
    assert renamed != golden
    assert normalise(renamed, name) != normalise(golden, name)


def test_reordered_findings_fail() -> None:
    golden = json.loads((GOLDEN_DIR / "drift.warmcheck.json").read_text(encoding="utf-8"))
    golden["findings"].reverse()
    reordered = json.dumps(golden, indent=2)
    assert normalise(reordered, "warmcheck.json") != normalise(
        (GOLDEN_DIR / "drift.warmcheck.json").read_text(encoding="utf-8"), "warmcheck.json"
    )


def test_update_rewrites_the_golden_then_matches(tmp_path: Path) -> None:
    shutil.copy(GOLDEN_DIR / "drift.warmcheck.md", tmp_path / "drift.warmcheck.md")
    changed = (
        (tmp_path / "drift.warmcheck.md").read_text(encoding="utf-8").replace("0 of 3", "1 of 3")
    )
    with pytest.raises(AssertionError, match="--update-goldens"):
        Goldens(update=False, directory=tmp_path).check(changed, "drift.warmcheck.md")
    Goldens(update=True, directory=tmp_path).check(changed, "drift.warmcheck.md")
    assert (tmp_path / "drift.warmcheck.md").read_text(encoding="utf-8") == changed


def test_the_option_is_registered(pytestconfig: pytest.Config) -> None:
    assert pytestconfig.getoption("--update-goldens") in (False, True)
