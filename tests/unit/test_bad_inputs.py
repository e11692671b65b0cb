"""Every file in tests/data/bad/ is refused with exit 2 and one line naming file:line and field.

The expected location is the place a reader must look: the offending key or value, or the
mapping a required field is missing from.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.cli import main

ROOT = Path(__file__).resolve().parents[2]
BAD = Path("tests/data/bad")
GOOD_POLICY = "tests/data/policies/strict.yaml"
GOOD_SNAPSHOT = "tests/data/snapshots/healthy.json"

# file -> (line:column or None, field or None, words the message must contain)
EXPECTED: dict[str, tuple[str | None, str | None, str]] = {
    "policy-alias-bomb.yaml": ("2:28", None, "more than 100,000 values"),
    "policy-bad-accept.yaml": ("3:30", "warm.accept[1]", "got 'cron_job'"),
    "policy-lookback-too-long.yaml": ("4:13", "evidence.lookback", "between 1h and 15d"),
    "policy-logs-budget-zero.yaml": ("4:16", "evidence.logs_max_gb", "greater than 0"),
    "policy-bad-clock.yaml": ("7:16", "warm.window.weekly[0].start", "got '8am'"),
    "policy-bad-day.yaml": ("6:15", "warm.window.weekly[0].days", "got 'MON-FRY'"),
    "policy-bad-region.yaml": ("3:12", "scope.regions", "got 'us-east1'"),
    "policy-bad-status.yaml": ("3:30", "scope.flow_statuses[1]", "got 'DRAFT'"),
    "policy-bad-timezone.yaml": ("4:15", "warm.window.timezone", "'Mars/Olympus'"),
    "policy-bad-window.yaml": ("3:11", "warm.window", "got 'sometimes'"),
    "policy-duplicate-key.yaml": ("4:3", "warm.max_interval", "duplicate key"),
    "policy-duration-bare-number.yaml": ("3:17", "warm.max_interval", "got 300"),
    "policy-duration-words.yaml": ("3:17", "warm.max_interval", "got '5 minutes'"),
    "policy-empty.yaml": (None, None, "file is empty"),
    "policy-extra-not-arn.yaml": ("4:5", "extra_functions[1]", "got 'crm-lookup'"),
    "policy-not-a-mapping.yaml": ("1:1", None, "expected a mapping"),
    "policy-override-no-function.yaml": ("3:5", "overrides[0].function", "required field"),
    "policy-syntax-error.yaml": ("4:1", None, "invalid YAML"),
    "policy-unknown-field.yaml": ("3:3", "warm.maxinterval", "unknown field 'maxinterval'"),
    "policy-version-2.yaml": ("1:10", "version", "expected 1, got 2"),
    "policy-version-missing.yaml": ("1:1", "version", "required field is missing"),
    "policy-waiver-bad-date.yaml": ("7:14", "waivers[0].expires", "'2027-02-30'"),
    "policy-waiver-no-owner.yaml": ("3:5", "waivers[0].owner", "required field is missing"),
    "policy-waiver-unknown-rule.yaml": ("3:11", "waivers[0].rule", "unknown rule 'WARM999'"),
    "policy-yes-is-not-a-bool.yaml": ("3:23", "warm.require_source_arn", "got a string 'yes'"),
    "snapshot-array.json": ("1:1", None, "expected a JSON object"),
    "snapshot-bad-account.json": ("4:16", "accounts[0]", "'12345'"),
    "snapshot-bad-flow-state.json": ("12:35", "instances[0].flows[0].state", "got 'DELETED'"),
    "snapshot-duplicate-key.json": ("5:3", "regions", "duplicate key 'regions'"),
    "snapshot-empty.json": (None, None, "file is empty"),
    "snapshot-flexible-window-too-big.json": (
        "6:33",
        "schedules[0].flexible_window_minutes",
        "less than or equal to 1440",
    ),
    "snapshot-future-version.json": ("2:14", "version", "snapshot version 7 is not supported"),
    "snapshot-missing-exists.json": ("5:5", "functions[0].exists", "required field is missing"),
    "snapshot-nan.json": ("1:65", "ratio", "NaN is not valid JSON"),
    "snapshot-naive-timestamp.json": ("3:19", "collected_at", "with a time zone"),
    "snapshot-no-collected-at.json": ("1:1", "collected_at", "required field is missing"),
    "snapshot-not-json.json": ("3:31", None, "invalid JSON"),
    "snapshot-targets-not-list.json": ("1:153", "rules[0].targets", "expected a list"),
    "snapshot-unknown-field.json": ("6:72", "functions[0].timeout_s", "unknown field"),
}


def test_every_bad_file_has_an_expectation_and_there_are_at_least_25() -> None:
    files = sorted(p.name for p in (ROOT / BAD).iterdir())
    assert files == sorted(EXPECTED)
    assert len(files) >= 25


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_input_exits_2_with_file_line_and_field(
    name: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(ROOT)
    path = str(BAD / name)
    if name.startswith("policy-"):
        argv = ["check", "--policy", path, "--snapshot", GOOD_SNAPSHOT]
    else:
        argv = ["check", "--policy", GOOD_POLICY, "--snapshot", path]
    assert main([*argv, "--out-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    location, field, words = EXPECTED[name]
    prefix = f"warmcheck: error: {path}"
    if location is not None:
        prefix += f":{location}"
    prefix += ": "
    if field is not None:
        prefix += f"{field}: "
    assert err.startswith(prefix), err
    assert words in err
    assert not list(tmp_path.iterdir()), "bad input must not write reports"
