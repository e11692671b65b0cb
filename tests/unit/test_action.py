"""action.yml, the composite GitHub Action: it installs warmcheck, runs the gate with the real
CLI's flags, uploads SARIF whatever the verdict, and fails by warmcheck's own exit code."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from checker.cli import build_parser
from checker.format.registry import FORMATS

ROOT = Path(__file__).resolve().parents[2]
ACTION = ROOT / "action.yml"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


@pytest.fixture(scope="module")
def action() -> dict[str, Any]:
    document = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def steps(action: dict[str, Any]) -> list[dict[str, Any]]:
    runs = action["runs"]
    assert runs["using"] == "composite"
    return list(runs["steps"])


def step(action: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in steps(action) if s.get("name") == name)


def test_is_a_composite_action_with_a_name_and_description(action: dict[str, Any]) -> None:
    assert action["name"] == "warmcheck"
    assert action["description"]
    for each in steps(action):
        assert ("run" in each) != ("uses" in each), each
        if "run" in each:
            assert each["shell"] == "bash"  # a composite run step must name its shell


def test_every_input_it_reads_is_declared_and_every_declared_input_is_read(
    action: dict[str, Any],
) -> None:
    declared = set(action["inputs"])
    text = ACTION.read_text(encoding="utf-8")
    used = {
        match.group(1)
        for expression in EXPRESSION.findall(text)
        for match in re.finditer(r"inputs\.([a-z-]+)", expression)
    }
    assert used == declared
    for name, spec in action["inputs"].items():
        assert spec["description"], name
        assert "default" in spec, name


def test_inputs_never_reach_a_script_as_text(action: dict[str, Any]) -> None:
    """Script injection: an input is handed over as an environment variable, never pasted."""
    for each in steps(action):
        if "run" in each:
            assert "${{" not in each["run"], each["name"]


def test_the_gate_runs_with_flags_the_cli_knows(action: dict[str, Any]) -> None:
    script = step(action, "Run warmcheck")["run"]
    (line,) = [line for line in script.splitlines() if line.lstrip().startswith("warmcheck ")]
    tokens = shlex.split(line.split("||")[0])
    env = {
        "$POLICY": "policies/warm-policy.yaml",
        "$OUT_DIR": "warmcheck-reports",
        "$FORMATS": action["inputs"]["format"]["default"],
        "$FAIL_ON": action["inputs"]["fail-on"]["default"],
        "$GITHUB_STEP_SUMMARY": "/tmp/summary.md",
    }
    argv = [env.get(token, token) for token in tokens[1:] if token != "${optional[@]}"]
    args = build_parser().parse_args([*argv, "--snapshot", "s.json", "--baseline", "b.json"])
    assert args.command == "check"
    assert args.format == [["json", "junit", "sarif"]]
    assert args.fail_on == "low"
    assert args.summary_to == "/tmp/summary.md"
    # The optional flags the script adds exist on the real parser.
    assert "--snapshot" in script
    assert "--baseline" in script
    described = action["inputs"]["format"]["description"]
    assert all(fmt.name in described for fmt in FORMATS)


def test_sarif_is_uploaded_whatever_the_verdict_then_the_step_fails_by_the_exit_code(
    action: dict[str, Any],
) -> None:
    names = [s.get("name") for s in steps(action)]
    assert names.index("Run warmcheck") < names.index("Upload SARIF to code scanning")
    assert names[-1] == "Verdict"
    run = step(action, "Run warmcheck")["run"]
    assert "|| status=$?" in run  # the run step itself never fails
    upload = step(action, "Upload SARIF to code scanning")
    assert str(upload["uses"]).startswith("github/codeql-action/upload-sarif@")
    assert "!cancelled()" in upload["if"]
    assert "inputs.upload-sarif == 'true'" in upload["if"]
    assert upload["with"]["sarif_file"] == "${{ steps.check.outputs.sarif-file }}"
    verdict = step(action, "Verdict")
    assert verdict["env"]["WARMCHECK_EXIT"] == "${{ steps.check.outputs.exit-code }}"
    assert verdict["run"].rstrip().endswith('exit "$WARMCHECK_EXIT"')


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
@pytest.mark.parametrize("code", [0, 1, 3])
def test_the_run_and_verdict_scripts_carry_warmcheck_s_exit_code(
    action: dict[str, Any], tmp_path: Path, code: int
) -> None:
    """Run the two scripts in bash with a stand-in warmcheck that exits `code`."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "warmcheck"
    fake.write_text(
        "#!/usr/bin/env bash\n"
        'printf "%s\\n" "$@" > "$ARGS_FILE"\n'
        'out=""; while [ $# -gt 0 ]; do [ "$1" = --out-dir ] && out="$2"; shift; done\n'
        'echo \'{"verdict": "fail"}\' > "$out/warmcheck.json"\n'
        f"exit {code}\n"
    )
    fake.chmod(0o755)
    (bin_dir / "python").symlink_to(sys.executable)  # what setup-python puts on PATH
    output = tmp_path / "github_output"
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "ARGS_FILE": str(tmp_path / "args"),
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary"),
        "POLICY": "my policy.yaml",
        "SNAPSHOT": "",
        "FORMATS": "json",
        "FAIL_ON": "medium",
        "BASELINE": "base.json",
        "OUT_DIR": "out",
        "UPLOAD_SARIF": "true",
    }
    run = subprocess.run(
        ["bash", "-e", "-c", step(action, "Run warmcheck")["run"]],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr  # the run step succeeds whatever the verdict
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    assert outputs["exit-code"] == str(code)
    assert outputs["verdict"] == "fail"
    args = (tmp_path / "args").read_text().splitlines()
    assert args[:3] == ["check", "--policy", "my policy.yaml"]
    assert args[args.index("--format") + 1] == "json,sarif"  # sarif added for the upload
    assert args[args.index("--baseline") + 1] == "base.json"
    assert "--snapshot" not in args
    verdict = subprocess.run(
        ["bash", "-e", "-c", step(action, "Verdict")["run"]],
        env={"PATH": "/usr/bin:/bin", "WARMCHECK_EXIT": outputs["exit-code"]},
        capture_output=True,
        text=True,
        check=False,
    )
    assert verdict.returncode == code
