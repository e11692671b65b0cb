"""The command line: exit codes, reports, golden files, schemas, explain."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from checker.cli import main
from checker.engine import Evaluation, evaluate
from checker.fix import fix_json_schema
from checker.model.policy import policy_json_schema
from checker.model.report import report_json_schema
from checker.model.snapshot import snapshot_json_schema
from checker.rules.registry import ALL_RULES
from tests.golden import Goldens

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
DRIFT_SNAPSHOT = DATA / "snapshots" / "drift.json"
HEALTHY_SNAPSHOT = DATA / "snapshots" / "healthy.json"
STRICT_POLICY = DATA / "policies" / "strict.yaml"


def check(tmp_path: Path, *extra: str, snapshot: Path = DRIFT_SNAPSHOT) -> int:
    return main(
        [
            "check",
            "--snapshot",
            str(snapshot.relative_to(ROOT)),
            "--policy",
            str(STRICT_POLICY.relative_to(ROOT)),
            "--out-dir",
            str(tmp_path),
            *extra,
        ]
    )


@pytest.fixture(autouse=True)
def _in_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # report paths are relative to where warmcheck runs


def test_drift_exits_1_and_writes_json_and_junit(tmp_path: Path) -> None:
    assert check(tmp_path) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["warmcheck.json", "warmcheck.junit.xml"]


def test_healthy_snapshot_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert check(tmp_path, snapshot=HEALTHY_SNAPSHOT) == 0
    out = capsys.readouterr().out
    assert out.startswith("warmcheck: PASS: 2/2 required functions warm")


def test_fail_on_never_reports_without_failing(tmp_path: Path) -> None:
    assert check(tmp_path, "--fail-on", "never") == 0
    report = json.loads((tmp_path / "warmcheck.json").read_text())
    assert report["verdict"] == "pass"
    assert report["summary"]["findings"]["high"] > 0


def test_fail_on_high_ignores_lower_findings(tmp_path: Path) -> None:
    assert check(tmp_path, "--fail-on", "high") == 1
    report = json.loads((tmp_path / "warmcheck.json").read_text())
    assert any(f["severity"] == "high" for f in report["findings"])


@pytest.mark.parametrize("name", ["warmcheck.json", "warmcheck.junit.xml"])
def test_reports_match_golden_files(tmp_path: Path, name: str, goldens: Goldens) -> None:
    check(tmp_path)
    goldens.check((tmp_path / name).read_text(encoding="utf-8"), f"drift.{name}")


def test_reports_are_byte_identical_across_runs(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    check(first)
    check(second)
    for name in ("warmcheck.json", "warmcheck.junit.xml"):
        assert (first / name).read_bytes() == (second / name).read_bytes()


def test_json_report_validates_against_its_schema(tmp_path: Path) -> None:
    check(tmp_path)
    report = json.loads((tmp_path / "warmcheck.json").read_text())
    jsonschema.Draft202012Validator(report_json_schema()).validate(report)
    assert report["schema_version"] == 1
    assert report["tool"]["name"] == "warmcheck"
    assert report["policy"]["path"] == "tests/data/policies/strict.yaml"
    assert set(report["summary"]) == {"required", "warm", "findings", "waived", "baselined"}
    for finding in report["findings"]:
        assert set(finding) == {
            "rule",
            "slug",
            "severity",
            "resource",
            "function",
            "warmer",
            "flows",
            "message",
            "fingerprint",
            "waived",
            "waiver",
            "baselined",
            "fix",
        }
        assert finding["fix"], finding["rule"]
    assert set(report) >= {"names", "coverage", "findings"}
    for entry in report["coverage"]:
        assert {"findings", "worst_severity"} <= set(entry)
        assert report["names"][entry["function"]]


def test_junit_parses_back_with_one_suite_per_rule(tmp_path: Path) -> None:
    check(tmp_path)
    root = ET.parse(tmp_path / "warmcheck.junit.xml").getroot()
    suites = root.findall("testsuite")
    assert [s.get("name", "").split()[0] for s in suites] == [r.meta.id for r in ALL_RULES]
    report = json.loads((tmp_path / "warmcheck.json").read_text())
    failures = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    assert failures == len({(f["rule"], f["resource"]) for f in report["findings"]})
    for suite in suites:
        props = {p.get("name"): p.get("value") for p in suite.iter("property")}
        assert props["severity"] in {"high", "medium", "low"}
        for case in suite.findall("testcase"):
            assert case.get("classname", "").startswith("warmcheck.")
            assert "high" not in case.get("name", "").split()  # severity is a property
    assert "timestamp" not in (tmp_path / "warmcheck.junit.xml").read_text()


def test_evidence_errors_are_junit_errors_and_exit_3(tmp_path: Path) -> None:
    snapshot = json.loads(DRIFT_SNAPSHOT.read_text())
    snapshot["errors"] = [
        {
            "service": "lambda",
            "operation": "GetPolicy",
            "region": "us-east-1",
            "account": "123456789012",
            "resource": "arn:aws:lambda:us-east-1:123456789012:function:billing",
            "code": "AccessDeniedException",
            "message": "User is not authorized to perform: lambda:GetPolicy",
        }
    ]
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(snapshot))
    out = tmp_path / "out"
    code = main(
        ["check", "--snapshot", str(path), "--policy", str(STRICT_POLICY), "--out-dir", str(out)]
    )
    assert code == 3
    report = json.loads((out / "warmcheck.json").read_text())
    assert report["verdict"] == "incomplete"
    suite = next(
        s
        for s in ET.parse(out / "warmcheck.junit.xml").getroot().findall("testsuite")
        if s.get("name", "").startswith("WARM901")
    )
    assert suite.get("errors") == "1"


def test_bad_input_writes_nothing_and_keeps_old_reports(tmp_path: Path) -> None:
    (tmp_path / "warmcheck.json").write_text("previous")
    code = main(
        [
            "check",
            "--snapshot",
            str(DRIFT_SNAPSHOT),
            "--policy",
            str(DATA / "bad" / "policy-duration-words.yaml"),
            "--out-dir",
            str(tmp_path),
        ]
    )
    assert code == 2
    assert (tmp_path / "warmcheck.json").read_text() == "previous"
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "--snapshot"],
        ["check", "--snapshot", "x.json", "--fail-on", "critical"],
        ["check", "--snapshot", "x.json", "--format", "pdf"],
        ["frobnicate"],
        [],
    ],
)
def test_bad_flags_are_one_line_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("warmcheck: error: ")
    assert "Traceback" not in err


def test_missing_snapshot_file_is_exit_2_naming_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--snapshot", "nope.json", "--policy", str(STRICT_POLICY)]) == 2
    assert "nope.json" in capsys.readouterr().err


def test_internal_errors_exit_4_and_say_so(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("checker.cli.reports.evaluate", broken)
    assert check(tmp_path) == 4
    err = capsys.readouterr().err
    assert "internal error" in err
    assert "boom" in err
    assert "Traceback" not in err
    assert not list(tmp_path.iterdir())


def test_evaluation_runs_with_the_cyclic_collector_paused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    during: list[bool] = []

    def watched(*args: object, **kwargs: object) -> Evaluation:
        during.append(gc.isenabled())
        return evaluate(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("checker.cli.reports.evaluate", watched)
    assert gc.isenabled()
    assert check(tmp_path) == 1
    assert during == [False]
    assert gc.isenabled()  # back on for whatever the process does next


def test_the_cyclic_collector_comes_back_after_a_failure_and_stays_off_if_it_was(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("checker.cli.reports.evaluate", broken)
    assert check(tmp_path) == 4
    assert gc.isenabled()
    gc.disable()  # a host that turned it off itself keeps it off
    try:
        assert check(tmp_path) == 4
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_verbose_shows_the_traceback(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["-v", "check", "--snapshot", "nope.json"]) == 2
    assert "Traceback" in capsys.readouterr().err


def test_quiet_prints_only_the_verdict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(
        [
            "-q",
            "check",
            "--snapshot",
            str(DRIFT_SNAPSHOT),
            "--policy",
            str(STRICT_POLICY),
            "--out-dir",
            str(tmp_path),
        ]
    )
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    assert out.startswith("warmcheck: FAIL")


@pytest.mark.parametrize(
    ("name", "generate"),
    [
        ("policy", policy_json_schema),
        ("snapshot", snapshot_json_schema),
        ("report", report_json_schema),
        ("fix", fix_json_schema),
    ],
)
def test_committed_schemas_match_the_models(name: str, generate: object) -> None:
    committed = json.loads((ROOT / "checker" / "schemas" / f"{name}.schema.json").read_text())
    assert callable(generate)
    assert committed == generate(), "run `make schemas` and commit the result"


def test_schema_command_prints_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "policy"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "Policy"


def test_every_rule_has_docs_and_tests() -> None:
    tests = (ROOT / "tests" / "unit" / "test_rules.py").read_text()
    for rule in ALL_RULES:
        doc = ROOT / "docs" / "rules" / f"{rule.meta.id}.md"
        assert doc.is_file(), f"{rule.meta.id} has no {doc}"
        assert doc.read_text().startswith(f"# {rule.meta.id} {rule.meta.slug}")
        assert f"test_{rule.meta.id.lower()}_" in tests, f"{rule.meta.id} has no test"


@pytest.mark.parametrize("name", ["WARM003", "warm-gap-too-long", "warm003"])
def test_explain_accepts_id_or_slug(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", name]) == 0
    assert capsys.readouterr().out.startswith("# WARM003 warm-gap-too-long")


def test_explain_lists_rules_and_refuses_unknown(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain"]) == 0
    assert capsys.readouterr().out.count("WARM") == len(ALL_RULES)
    assert main(["explain", "WARM999"]) == 2


def test_python_dash_m_checker_runs_as_a_process(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "checker",
            "check",
            "--snapshot",
            str(DRIFT_SNAPSHOT),
            "--policy",
            str(STRICT_POLICY),
            "--out-dir",
            str(tmp_path),
            "-q",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("warmcheck: FAIL")


def test_region_flag_replaces_the_policy_scope(tmp_path: Path) -> None:
    # The healthy instance lives in us-east-1: scoped to us-west-2 no flow is in scope, so
    # both warmers are orphans.
    assert check(tmp_path, "--region", "us-west-2", snapshot=HEALTHY_SNAPSHOT) == 1
    report = json.loads((tmp_path / "warmcheck.json").read_text())
    assert report["coverage"] == []
    assert {f["rule"] for f in report["findings"]} == {"WARM006"}
    assert check(tmp_path, "--region", "us-east-1", snapshot=HEALTHY_SNAPSHOT) == 0


def test_a_bad_region_flag_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--snapshot", str(HEALTHY_SNAPSHOT), "--region", "us-east1"]) == 2
    assert capsys.readouterr().err.startswith(
        "warmcheck: error: --region: expected an AWS region like us-east-1, got 'us-east1'"
    )


def test_init_writes_a_valid_starter_policy_and_never_overwrites(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "starter.yaml"
    assert main(["init", "--snapshot", str(HEALTHY_SNAPSHOT), "--out", str(out)]) == 0
    assert out.read_text().startswith("# warmcheck starter policy")
    # The starter policy passes against the account it was written from.
    code = main(
        [
            "check",
            "--snapshot",
            str(HEALTHY_SNAPSHOT),
            "--policy",
            str(out),
            "--out-dir",
            str(tmp_path / "reports"),
        ]
    )
    assert code == 0
    assert main(["init", "--snapshot", str(HEALTHY_SNAPSHOT), "--out", str(out)]) == 2
    assert "exists" in capsys.readouterr().err
    assert main(["init", "--snapshot", str(HEALTHY_SNAPSHOT), "--out", str(out), "--force"]) == 0


def test_init_prints_to_stdout_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", "--snapshot", str(HEALTHY_SNAPSHOT)]) == 0
    assert "version: 1" in capsys.readouterr().out


def test_schedule_command_prints_firings_and_the_dst_gap(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(
        [
            "schedule",
            "cron(0/5 13-22 ? * MON-FRI *)",
            "--window",
            "MON-FRI 08:00-18:00",
            "--window-timezone",
            "America/New_York",
            "--max-interval",
            "5m",
            "--next",
            "2",
        ]
    )
    out = capsys.readouterr().out
    assert code == 1  # too long: a summer opening hour is not warmed
    assert "valid cron expression" in out
    assert "worst gap 1 h" in out
    assert "daylight saving" in out
    assert main(["-q", "schedule", "rate(5 minutes)", "--max-interval", "5m"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("verdict: ok")


@pytest.mark.parametrize(
    "argv",
    [
        ["schedule", "rate(1 minutes)"],
        ["schedule", "cron(0 0 * * * *)"],
        ["schedule", "rate(5 minutes)", "--timezone", "Mars/Base"],
        ["schedule", "rate(5 minutes)", "--window", "MON-FRY 08:00-18:00"],
        ["schedule", "rate(5 minutes)", "--max-interval", "5 minutes"],
    ],
)
def test_schedule_command_bad_input_is_exit_2(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_summary_to_appends_markdown(tmp_path: Path) -> None:
    summary = tmp_path / "step-summary.md"
    summary.write_text("# earlier step\n")
    assert check(tmp_path / "out", "--summary-to", str(summary)) == 1
    text = summary.read_text()
    assert text.startswith("# earlier step\n")
    assert "## warmcheck: FAIL" in text
    assert "WARM003" in text


def test_a_closed_pipe_is_not_an_internal_error(tmp_path: Path) -> None:
    result = subprocess.run(
        f"{sys.executable} -m checker check --snapshot {DRIFT_SNAPSHOT} --policy {STRICT_POLICY}"
        f" --out-dir {tmp_path} | head -c 1",
        shell=True,
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        executable="/bin/bash",
    )
    assert "internal error" not in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("demo", [["demo"], ["demo", "--organization"]])
def test_either_demo_without_the_sandbox_extra_says_how_to_install_it(
    demo: list[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setitem(sys.modules, "moto", None)  # `import moto` raises ImportError
    monkeypatch.chdir(tmp_path)
    assert main([*demo, "--out-dir", "out"]) == 2
    err = capsys.readouterr().err
    assert "the demo needs the local AWS sandbox, which is not installed" in err
    assert "pip install 'warmcheck[sandbox]'" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()
