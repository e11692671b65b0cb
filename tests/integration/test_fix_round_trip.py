"""`warmcheck fix` end to end: seeded drift, `check` finds it, `fix` writes the plan (reading
only), the real AWS CLI applies the shell plan to the sandbox, the next `check` is clean of those
findings with nothing new, and a second application succeeds and changes nothing."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Literal

import pytest

from checker.cli import main
from checker.fix.model import FixPlanV1
from checker.fix.plan import FIXABLE
from checker.sandbox import ENV_TO_REMOVE, Sandbox, sandbox_environment
from checker.sandbox.demo import DemoManifest, seed_demo
from checker.sandbox.seeding import SandboxClients
from tests.integration.live import fresh, unpaced

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
DEMO_POLICY = ROOT / "policies" / "demo-policy.yaml"
AWS = Path(sys.executable).parent / "aws"
READ_PREFIXES = ("Get", "List", "Describe", "Search")


@pytest.fixture(autouse=True)
def _unpaced(monkeypatch: pytest.MonkeyPatch) -> None:
    """The subject is the plan, not pacing: collections here run at 100x AWS's quotas."""
    unpaced(monkeypatch)


@pytest.fixture
def demo(sandbox: Sandbox) -> tuple[Sandbox, DemoManifest]:
    """The shared sandbox with the demo seeded afresh: each round trip changes it."""
    return sandbox, seed_demo(fresh(sandbox).env())


def environment(sb: Sandbox) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ENV_TO_REMOVE}
    env.update(sb.env())
    env["PATH"] = f"{AWS.parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def run(sb: Sandbox, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args,
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env=environment(sb),
        timeout=600,
    )


def warmcheck(sb: Sandbox, *args: str) -> subprocess.CompletedProcess[str]:
    """`warmcheck ARGS` in this process, against the sandbox: the same CLI code a subprocess
    runs, without a Python start per call (the plan itself still runs through the real AWS CLI;
    `demo --fix` below and tests/integration/test_cli_live.py run warmcheck as a process)."""
    with (
        sandbox_environment(sb.env()),
        contextlib.redirect_stdout(io.StringIO()) as out,
        contextlib.redirect_stderr(io.StringIO()) as err,
    ):
        code = main(list(args))
    result = subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())
    assert "Traceback" not in result.stderr, result.stderr
    return result


# A plan changes configuration; the runtime evidence of the last day (WARM015) is history the
# next check cannot show changed yet. The round trip judges configuration, so without evidence.
NO_EVIDENCE = ("--evidence", "none")


def findings(sb: Sandbox, out: Path, policy: Path) -> set[tuple[str, str]]:
    result = warmcheck(sb, "check", "--policy", str(policy), "--out-dir", str(out), *NO_EVIDENCE)
    assert result.returncode in (0, 1), result.stderr
    report = json.loads((out / "warmcheck.json").read_text())
    return {(f["rule"], f["resource"]) for f in report["findings"]}


def state(sb: Sandbox, out: Path, policy: Path) -> dict[str, Any]:
    """Everything warmcheck reads, minus the collection time."""
    out.mkdir()
    path = out / "snapshot.json"
    result = warmcheck(sb, "collect", "--policy", str(policy), "--out", str(path), *NO_EVIDENCE)
    assert result.returncode == 0, result.stderr
    snapshot: dict[str, Any] = json.loads(path.read_text())
    snapshot.pop("collected_at")
    return snapshot


def round_trip(sb: Sandbox, tmp_path: Path, policy: Path) -> tuple[FixPlanV1, set[Any], set[Any]]:
    assert AWS.is_file() or shutil.which("aws"), "the awscli package (dev extra) is missing"
    before = findings(sb, tmp_path / "before", policy)

    sb.reset_calls()
    result = warmcheck(sb, "fix", "--policy", str(policy), "--out-dir", str(tmp_path / "fix"))
    assert result.returncode == 0, result.stderr
    # warmcheck stays read-only: every call `fix` made was a read.
    writes = [call for call in sb.calls() if not call.split(":", 1)[1].startswith(READ_PREFIXES)]
    assert writes == []
    plan = FixPlanV1.model_validate_json((tmp_path / "fix" / "warmcheck-fix.json").read_text())

    script = tmp_path / "fix" / "warmcheck-fix.sh"
    first = run(sb, "bash", str(script))
    assert first.returncode == 0, first.stdout + first.stderr
    after = findings(sb, tmp_path / "after", policy)
    applied = state(sb, tmp_path / "applied", policy)

    second = run(sb, "bash", str(script))
    assert second.returncode == 0, second.stdout + second.stderr
    assert "created" not in second.stdout
    assert "statement added" not in second.stdout
    assert state(sb, tmp_path / "again", policy) == applied  # the second run changed nothing
    return plan, before, after


def test_the_shell_plan_closes_every_fixable_finding_of_the_demo(
    demo: tuple[Sandbox, DemoManifest], tmp_path: Path
) -> None:
    sb, manifest = demo
    plan, before, after = round_trip(sb, tmp_path, DEMO_POLICY)
    assert before == {(rule, arn) for rule, arn in manifest.expected if rule != "WARM015"}
    fixable = {(rule, resource) for rule, resource in before if rule in FIXABLE}
    assert {rule for rule, _ in fixable} == set(FIXABLE)  # the demo seeds every fixable rule
    assert {(e.rule, e.resource) for e in plan.entries if not e.manual} == fixable
    assert after == before - fixable  # the fixable findings are gone, nothing new appeared
    manual = {e.rule for e in plan.entries if e.manual}
    assert manual == {"WARM006", "WARM009", "WARM011"}


def test_a_windowed_policy_gets_a_scheduler_warmer_that_the_next_check_accepts(
    demo: tuple[Sandbox, DemoManifest], tmp_path: Path
) -> None:
    sb, _ = demo
    policy = tmp_path / "windowed.yaml"
    text = DEMO_POLICY.read_text().replace(
        "  window: always ",
        '  window: {timezone: Europe/Berlin, weekly: [{days: [MON-FRI], start: "08:00", '
        'end: "18:00"}]} ',
    )
    assert "Europe/Berlin" in text
    policy.write_text(text)
    plan, before, after = round_trip(sb, tmp_path, policy)
    missing = next(e for e in plan.entries if e.rule == "WARM001")
    assert {step.type for step in missing.steps} == {"scheduler_role", "scheduler_schedule"}
    assert ("WARM001", missing.resource) in before
    assert {rule for rule, _ in after} & set(FIXABLE) == set()
    assert after <= before


def test_demo_with_fix_writes_the_plan_for_the_seeded_drift_and_still_exits_0(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ENV_TO_REMOVE}
    result = subprocess.run(
        [sys.executable, "-m", "checker", "demo", "--fix", "--out-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env=env,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "8 change(s) and 3 manual step(s)" in result.stdout
    plan = FixPlanV1.model_validate_json((tmp_path / "warmcheck-fix.json").read_text())
    assert {e.rule for e in plan.entries if not e.manual} == set(FIXABLE)
    assert (tmp_path / "warmcheck-fix.sh").is_file()


@pytest.mark.parametrize("drift", ["disabled-and-role-stripped", "latest-without-input"])
def test_schedule_drift_round_trip(
    demo: tuple[Sandbox, DemoManifest], tmp_path: Path, drift: str
) -> None:
    sb, manifest = demo
    warmer = manifest.warmer("warm-auth-pin-verify")
    assert warmer.kind == "scheduler_schedule"
    assert warmer.role_arn is not None
    clients = SandboxClients.from_env(sb.env())
    target: dict[str, Any] = {"Arn": warmer.target, "RoleArn": warmer.role_arn}
    state_: Literal["ENABLED", "DISABLED"] = "ENABLED"
    if drift == "disabled-and-role-stripped":
        target["Input"] = warmer.input
        state_ = "DISABLED"
        role_name = warmer.role_arn.rsplit("/", 1)[1]
        clients.iam.delete_role_policy(RoleName=role_name, PolicyName="invoke")
        expected = {"WARM002"}
    else:
        target["Arn"] = warmer.target.rsplit(":", 1)[0]  # $LATEST, while the flows call :live
        expected = {"WARM005", "WARM008"}
    clients.scheduler.update_schedule(
        Name=warmer.name,
        ScheduleExpression=warmer.expression,
        FlexibleTimeWindow={"Mode": "OFF"},
        State=state_,
        Target=target,  # type: ignore[arg-type]
    )
    plan, before, after = round_trip(sb, tmp_path, DEMO_POLICY)
    planted = {rule for rule, resource in before if resource in (warmer.arn, warmer.target)}
    assert planted == expected
    types = {s.type for e in plan.entries if e.rule in expected for s in e.steps}
    assert "update_schedule" in types
    if drift == "disabled-and-role-stripped":
        assert "role_policy" in types  # it would be WARM004 the moment it fired again
    assert after == {(rule, resource) for rule, resource in before if rule not in FIXABLE}
