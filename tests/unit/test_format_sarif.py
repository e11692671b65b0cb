"""warmcheck.sarif: valid SARIF 2.1.0, golden, located in the policy file, stable across runs."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from checker import __version__
from checker.cli import main
from checker.engine import PolicyRef, evaluate
from checker.format.registry import FORMATS, find_format
from checker.rules.registry import ALL_RULES
from tests.golden import Goldens
from tests.scenario import NOW, default_policy, healthy

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
GOLDEN = "drift.warmcheck.sarif"
DRIFT_SNAPSHOT = DATA / "snapshots" / "drift.json"
STRICT_POLICY = DATA / "policies" / "strict.yaml"
SARIF_SCHEMA = DATA / "schemas" / "sarif-schema-2.1.0.json"  # OASIS, see tests/data/provenance.json
LEVELS = {"high": "error", "medium": "warning", "low": "note"}
SURVEY = "arn:aws:lambda:us-east-1:123456789012:function:survey"


@pytest.fixture(autouse=True)
def _in_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the policy path in the report is relative to where warmcheck runs


def check(out_dir: Path, *extra: str, policy: Path = STRICT_POLICY) -> int:
    policy_arg = policy.relative_to(ROOT) if policy.is_relative_to(ROOT) else policy
    return main(
        [
            "check",
            "--snapshot",
            str(DRIFT_SNAPSHOT.relative_to(ROOT)),
            "--policy",
            str(policy_arg),
            "--out-dir",
            str(out_dir),
            "--format",
            "sarif",
            *extra,
        ]
    )


def sarif_run(out_dir: Path, *extra: str, policy: Path = STRICT_POLICY) -> dict[str, Any]:
    check(out_dir, *extra, policy=policy)
    document = json.loads((out_dir / "warmcheck.sarif").read_text(encoding="utf-8"))
    assert len(document["runs"]) == 1
    run: dict[str, Any] = document["runs"][0]
    return run


@cache
def sarif_validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(
        schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )


def line_of_text(path: Path, pattern: str) -> int:
    """1-based line of the first line matching `pattern`, found without warmcheck's own code."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if re.match(pattern, line):
            return number
    raise AssertionError(f"{pattern!r} not in {path}")


def waived_policy(tmp_path: Path) -> Path:
    policy = tmp_path / "waived.yaml"
    policy.write_text(
        STRICT_POLICY.read_text(encoding="utf-8")
        + "waivers:\n"
        + "  - rule: missing-warmer\n"
        + f'    resource: "{SURVEY}"\n'
        + '    reason: "survey launches next sprint"\n'
        + "    owner: cc-platform\n"
        + "    ticket: CC-42\n"
        + "    expires: 2999-12-31\n",
        encoding="utf-8",
    )
    return policy


def test_sarif_is_registered_and_writes_warmcheck_sarif(tmp_path: Path) -> None:
    fmt = find_format("sarif")
    assert fmt is not None
    assert fmt in FORMATS
    assert fmt.filename == "warmcheck.sarif"
    assert check(tmp_path) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["warmcheck.sarif"]


def test_drift_sarif_validates_against_the_sarif_schema(tmp_path: Path) -> None:
    check(tmp_path)
    document = json.loads((tmp_path / "warmcheck.sarif").read_text(encoding="utf-8"))
    sarif_validator().validate(document)
    assert document["version"] == "2.1.0"
    driver = document["runs"][0]["tool"]["driver"]
    assert driver["name"] == "warmcheck"
    assert driver["version"] == __version__
    assert "informationUri" not in driver


def test_sarif_matches_golden_file(tmp_path: Path, goldens: Goldens) -> None:
    check(tmp_path)
    goldens.check((tmp_path / "warmcheck.sarif").read_text(encoding="utf-8"), GOLDEN)


def test_every_rule_is_a_descriptor_with_its_fix_and_docs(tmp_path: Path) -> None:
    rules = sarif_run(tmp_path)["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [rule.meta.id for rule in ALL_RULES]
    for descriptor, rule in zip(rules, ALL_RULES, strict=True):
        meta = rule.meta
        assert descriptor["name"] == "".join(p.capitalize() for p in meta.slug.split("-"))
        assert descriptor["shortDescription"]["text"] == meta.title
        assert descriptor["fullDescription"]["text"]
        assert descriptor["help"]["text"].startswith(meta.fix)
        assert f"warmcheck explain {meta.id}" in descriptor["help"]["text"]
        doc = ROOT / "docs" / "rules" / f"{meta.id}.md"
        assert descriptor["help"]["markdown"] == doc.read_text(encoding="utf-8")
        assert descriptor["defaultConfiguration"]["level"] == LEVELS[meta.severity]
        assert descriptor["properties"]["severity"] == meta.severity
        assert isinstance(descriptor["properties"]["tags"], list)
        # What GitHub code scanning ranks by: a numeric string and the `security` tag.
        assert (
            descriptor["properties"]["security-severity"]
            == {
                "high": "8.0",
                "medium": "5.5",
                "low": "3.0",
            }[meta.severity]
        )
        assert "security" in descriptor["properties"]["tags"]


def test_levels_follow_severity_and_rule_index_points_at_the_rule(tmp_path: Path) -> None:
    run = sarif_run(tmp_path, "--format", "json")
    report = json.loads((tmp_path / "warmcheck.json").read_text(encoding="utf-8"))
    results = run["results"]
    assert [r["ruleId"] for r in results] == [f["rule"] for f in report["findings"]]
    assert {r["level"] for r in results} == {"error", "warning", "note"}  # drift has all three
    rules = run["tool"]["driver"]["rules"]
    for result, finding in zip(results, report["findings"], strict=True):
        assert result["level"] == LEVELS[finding["severity"]]
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        # Names first in the message; every ARN it replaced is one step away.
        text = result["message"]["text"]
        assert "arn:aws:lambda" not in text, text
        for arn in filter(None, (finding["resource"], finding["function"], finding["warmer"])):
            if arn in finding["message"]:
                assert report["names"][arn] in text
        located = {loc["fullyQualifiedName"] for loc in result["locations"][0]["logicalLocations"]}
        assert finding["resource"] in located
        assert result["properties"]["fix"] == finding["fix"]
        assert result["properties"]["function"] == finding["function"]
        assert result["properties"]["warmer"] == finding["warmer"]
        assert result["properties"]["flows"] == finding["flows"]


def test_partial_fingerprints_are_the_json_report_fingerprints(tmp_path: Path) -> None:
    run = sarif_run(tmp_path, "--format", "json")
    report = json.loads((tmp_path / "warmcheck.json").read_text(encoding="utf-8"))
    assert [r["partialFingerprints"] for r in run["results"]] == [
        {"warmcheck/v1": f["fingerprint"]} for f in report["findings"]
    ]


def test_results_are_located_in_the_policy_and_at_their_arns(tmp_path: Path) -> None:
    run = sarif_run(tmp_path)
    assert run["artifacts"][0]["location"] == {
        "uri": "tests/data/policies/strict.yaml",
        "uriBaseId": "%SRCROOT%",
    }
    for result in run["results"]:
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == "tests/data/policies/strict.yaml"
        assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert physical["region"]["startLine"] >= 1
        names = [loc["fullyQualifiedName"] for loc in location["logicalLocations"]]
        assert all(loc["kind"] == "resource" for loc in location["logicalLocations"])
        props = result["properties"]
        expected = [a for a in (names[0], props["function"], props["warmer"]) if a]
        assert names == list(dict.fromkeys(expected))


def test_warm003_points_at_the_max_interval_line(tmp_path: Path) -> None:
    run = sarif_run(tmp_path)
    (gap,) = [r for r in run["results"] if r["ruleId"] == "WARM003"]
    region = gap["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == line_of_text(STRICT_POLICY, r"\s+max_interval:")


def test_a_waived_finding_is_an_accepted_suppression_at_its_waiver(tmp_path: Path) -> None:
    policy = waived_policy(tmp_path)
    out = tmp_path / "out"
    run = sarif_run(out, policy=policy)
    sarif_validator().validate({"version": "2.1.0", "runs": [run]})
    waived = [r for r in run["results"] if r["suppressions"]]
    assert [r["ruleId"] for r in waived] == ["WARM001"]
    (suppression,) = waived[0]["suppressions"]
    assert suppression["kind"] == "external"
    assert suppression["status"] == "accepted"
    assert suppression["justification"] == (
        "survey launches next sprint (owner cc-platform, expires 2999-12-31, ticket CC-42)"
    )
    waiver_line = line_of_text(policy, r"\s+- rule: missing-warmer")
    assert waived[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == waiver_line
    assert suppression["location"]["physicalLocation"]["region"]["startLine"] == waiver_line
    # An absolute --policy path is a file URI, not a path under %SRCROOT%.
    artifact = waived[0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact["uri"] == policy.as_uri()
    assert "uriBaseId" not in artifact
    assert all(r["suppressions"] == [] for r in run["results"] if r not in waived)
    assert run["properties"]["summary"]["waived"] == 1


def test_baseline_state_only_when_a_baseline_was_used(tmp_path: Path) -> None:
    first = sarif_run(tmp_path / "first", "--write-baseline", str(tmp_path / "baseline.json"))
    assert all("baselineState" not in r for r in first["results"])
    again = sarif_run(tmp_path / "again", "--baseline", str(tmp_path / "baseline.json"))
    assert [r["baselineState"] for r in again["results"]] == ["unchanged"] * len(first["results"])


def test_sarif_is_byte_identical_across_runs_and_has_no_timestamps(tmp_path: Path) -> None:
    check(tmp_path / "a")
    check(tmp_path / "b")
    first = (tmp_path / "a" / "warmcheck.sarif").read_bytes()
    assert first == (tmp_path / "b" / "warmcheck.sarif").read_bytes()
    text = first.decode("utf-8")
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", text)
    assert not re.search(r'"\w*(Time|time)\w*":', text)


def test_without_a_policy_source_map_results_start_at_line_one() -> None:
    fmt = find_format("sarif")
    assert fmt is not None
    scenario = healthy()
    scenario.rules = []  # every required function loses its warmer: WARM001
    report = evaluate(
        default_policy(), scenario.snapshot(), NOW, policy_ref=PolicyRef("p.yaml", "0" * 64)
    )
    document = json.loads(fmt.render(report))
    sarif_validator().validate(document)
    results = document["runs"][0]["results"]
    assert results
    assert {r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in results} == {1}
