"""The same snapshot and policy give the same fingerprints and byte-identical reports,
wherever the policy path points from and whenever the run happens."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker.cli import main
from checker.engine import policy_file_key
from tests.scenario import NOW, healthy

POLICY = """\
version: 1
warm: {payload: {"warmer": true}}
waivers:
  - rule: WARM006
    resource: "arn:aws:events:*:*:rule/nothing-*"
    reason: kept for the test
    owner: qa
    expires: "%s"
"""
FORMATS = [
    "--format",
    "json",
    "--format",
    "junit",
    "--format",
    "sarif",
    "--format",
    "markdown",
    "--format",
    "html",
]


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "snapshot.json").write_text(healthy().snapshot().to_json(), encoding="utf-8")
    # Expires the day after the snapshot was taken, long before today's wall clock.
    expires = NOW.date().replace(day=NOW.day + 1).isoformat()
    (tmp_path / "p.yaml").write_text(POLICY % expires, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def fingerprints(out: Path) -> list[tuple[str, str, str]]:
    report = json.loads((out / "warmcheck.json").read_text(encoding="utf-8"))
    return [(f["rule"], f["resource"], f["fingerprint"]) for f in report["findings"]]


def test_policy_path_spellings_and_working_directories_give_the_same_fingerprints(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    found: list[list[tuple[str, str, str]]] = []
    for policy in ("p.yaml", "./p.yaml", str(workspace / "p.yaml"), "sub/../p.yaml"):
        out = workspace / f"out-{len(found)}"
        assert (
            main(
                [
                    "check",
                    "--snapshot",
                    "snapshot.json",
                    "--policy",
                    policy,
                    "--out-dir",
                    str(out),
                    "-q",
                ]
            )
            == 1
        )
        found.append(fingerprints(out))
    monkeypatch.chdir(workspace / "sub")
    assert (
        main(
            [
                "check",
                "--snapshot",
                "../snapshot.json",
                "--policy",
                "../p.yaml",
                "--out-dir",
                str(workspace / "out-sub"),
                "-q",
            ]
        )
        == 1
    )
    found.append(fingerprints(workspace / "out-sub"))

    assert [rule for rule, _, _ in found[0]] == ["WARM903"]
    assert found[0][0][1] == "p.yaml#waivers[0]"
    assert all(entry == found[0] for entry in found)


def test_policy_file_key_is_the_file_name() -> None:
    assert {
        policy_file_key(p) for p in ("p.yaml", "./p.yaml", "/abs/dir/p.yaml", "a/../p.yaml")
    } == {"p.yaml"}


def test_the_same_snapshot_evaluated_twice_gives_byte_identical_reports(workspace: Path) -> None:
    outputs = []
    for run in ("first", "second"):
        out = workspace / run
        assert (
            main(
                [
                    "check",
                    "--snapshot",
                    "snapshot.json",
                    "--policy",
                    "p.yaml",
                    "--out-dir",
                    str(out),
                    "-q",
                    *FORMATS,
                ]
            )
            == 1
        )
        outputs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})

    assert len(outputs[0]) == 5
    assert outputs[0] == outputs[1]


def test_waivers_expire_as_of_the_snapshot_not_the_wall_clock(workspace: Path) -> None:
    # The waiver expires the day after collected_at; today is long after that.
    out = workspace / "out"
    main(
        ["check", "--snapshot", "snapshot.json", "--policy", "p.yaml", "--out-dir", str(out), "-q"]
    )
    assert [rule for rule, _, _ in fingerprints(out)] == [
        "WARM903"
    ]  # unused, not expired (WARM902)
