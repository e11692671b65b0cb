"""An AWS Organization in the sandbox, read through each member's role by the real CLI.

The shared sandbox, seeded once for the module with `seed_organization`: a Lambda in ``shared``
that a flow in ``prod`` calls (warm), drift in ``staging``, ``locked`` without warmcheck's role,
``playground`` excluded by its OU, ``retired`` closed.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from checker.cli import main
from checker.collect import collect
from checker.collect.shard import ShardFile, merge
from checker.load.policy import load_policy
from checker.model.policy import Policy
from checker.model.snapshot import Shard, Snapshot
from checker.sandbox import FaultPlan, Sandbox, sandbox_environment
from checker.sandbox.organization import (
    ORGANIZATION_POLICY,
    OrganizationManifest,
    seed_organization,
)
from tests.integration.live import fresh, warmcheck

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / ORGANIZATION_POLICY
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def organization(sandbox: Sandbox) -> tuple[Sandbox, OrganizationManifest]:
    """The shared sandbox, seeded once for this module."""
    return sandbox, seed_organization(fresh(sandbox).env())


@pytest.fixture(autouse=True)
def no_faults(organization: tuple[Sandbox, OrganizationManifest]) -> Iterator[None]:
    yield
    organization[0].set_faults(None)


def write_policy(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def live(sb: Sandbox, policy: Policy, shard: Shard | None = None) -> Snapshot:
    """A live run handed the sandbox's endpoint and keys: the environment stays as it is."""
    return collect(policy, now=NOW, shard=shard, access=sb.access()).snapshot


def test_every_account_has_one_outcome_and_members_are_judged(
    organization: tuple[Sandbox, OrganizationManifest], tmp_path: Path
) -> None:
    sb, manifest = organization
    result = warmcheck(sb.env(), "check", "--policy", str(POLICY), "--out-dir", str(tmp_path), "-q")
    assert "Traceback" not in result.stderr, result.stderr
    # The member whose role cannot be assumed makes the run incomplete ...
    assert result.returncode == 3, result.stdout + result.stderr
    report: dict[str, Any] = json.loads((tmp_path / "warmcheck.json").read_text())
    found = {(f["rule"], f["resource"]) for f in report["findings"]}
    # ... and the others are still judged: staging's drift is found, prod's call into shared
    # is warm (judged against shared's warmer), the excluded OU is never read.
    assert found == set(manifest.expected)
    coverage = {entry["function"]: entry["status"] for entry in report["coverage"]}
    lookup = f"arn:aws:lambda:us-east-1:{manifest.accounts['shared']}:function:customer-lookup"
    assert coverage[lookup] == "warm"
    assert not any(manifest.accounts["playground"] in arn for arn in coverage)
    # The report lists every account with its one outcome, and names the kind of denial.
    outcomes = {o["account"]: o for o in report["snapshot"]["outcomes"]}
    assert {a: o["outcome"] for a, o in outcomes.items()} == dict(manifest.outcomes)
    assert outcomes[manifest.accounts["locked"]]["denial"] == "trust"


def test_the_snapshot_records_each_outcome_and_the_kind_of_denial(
    organization: tuple[Sandbox, OrganizationManifest], monkeypatch: pytest.MonkeyPatch
) -> None:
    sb, manifest = organization
    # The environment points somewhere else entirely: explicit access must not read it, for
    # the caller or for any member's role.
    dead = "http://127.0.0.1:9"
    for name in sb.env():
        if name.startswith("AWS_ENDPOINT_URL"):
            monkeypatch.setenv(name, dead)
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "not-the-sandbox")
    before = dict(os.environ)
    snapshot = live(sb, load_policy(POLICY).policy)
    assert dict(os.environ) == before
    # Only the locked member failed (its role): the others were read through the sandbox.
    assert snapshot.errors
    assert {e.resource for e in snapshot.errors} == {manifest.accounts["locked"]}
    assert snapshot.organization is not None
    outcomes = {o.account: o for o in snapshot.organization.outcomes}
    assert {account: o.outcome for account, o in outcomes.items()} == dict(manifest.outcomes)
    assert outcomes[manifest.accounts["locked"]].denial == "trust"
    assert outcomes[manifest.accounts["retired"]].state != "ACTIVE"
    assert sorted(snapshot.organization.listed) == sorted(manifest.outcomes)
    scanned = sorted(a for a, o in manifest.outcomes.items() if o == "scanned")
    assert snapshot.accounts == scanned
    # The inactive and excluded accounts were never assumed into.
    calls = sb.calls()
    assert calls["sts:AssumeRole"] >= 4


def test_an_explicit_account_list_never_calls_organizations(
    organization: tuple[Sandbox, OrganizationManifest], tmp_path: Path
) -> None:
    sb, manifest = organization
    policy = write_policy(
        tmp_path / "accounts.yaml",
        "version: 1\n"
        "scope:\n"
        "  organization:\n"
        '    role: "arn:aws:iam::{account}:role/warmcheck-readonly"\n'
        f'  accounts: ["{manifest.accounts["prod"]}", "{manifest.accounts["shared"]}"]\n'
        "  regions: [us-east-1]\n"
        "warm:\n"
        '  payload: {"warmer": true}\n'
        "  max_function_timeout: 8s\n",
    )
    # The caller has no Organizations access at all.
    sb.set_faults(FaultPlan(access_denied=("organizations:*",)))
    sb.reset_calls()
    result = warmcheck(
        sb.env(), "check", "--policy", str(policy), "--out-dir", str(tmp_path / "out"), "-q"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert not [op for op in sb.calls() if op.startswith("organizations:")]
    report = json.loads((tmp_path / "out" / "warmcheck.json").read_text())
    assert {entry["status"] for entry in report["coverage"]} == {"warm"}
    assert len(report["coverage"]) == 2


def test_organizations_refused_is_incomplete_not_empty(
    organization: tuple[Sandbox, OrganizationManifest], tmp_path: Path
) -> None:
    sb, _ = organization
    sb.set_faults(FaultPlan(access_denied=("organizations:*",)))
    result = warmcheck(sb.env(), "check", "--policy", str(POLICY), "--out-dir", str(tmp_path), "-q")
    assert result.returncode == 3, result.stdout + result.stderr
    report = json.loads((tmp_path / "warmcheck.json").read_text())
    assert [f["rule"] for f in report["findings"]] == ["WARM901"]


def test_shards_merged_equal_one_live_run(
    organization: tuple[Sandbox, OrganizationManifest],
) -> None:
    sb, _ = organization
    policy = load_policy(POLICY).policy
    whole = live(sb, policy)
    for count in (2, 3):
        shards = [live(sb, policy, Shard(index=i, count=count)) for i in range(1, count + 1)]
        # The same N always splits the same way, and each account lands in one shard.
        again = live(sb, policy, Shard(index=1, count=count))
        assert again.organization == shards[0].organization
        merged = merge([ShardFile(f"s{i}", s) for i, s in enumerate(shards, 1)])
        assert merged.to_json() == whole.to_json()


def test_merge_refuses_a_missing_or_repeated_shard_and_writes_nothing(
    organization: tuple[Sandbox, OrganizationManifest], tmp_path: Path
) -> None:
    sb, _ = organization
    env = sb.env()
    paths = []
    for index in (1, 2, 3):
        path = tmp_path / f"shard-{index}.json"
        # The shards are written by the CLI in this process (no Python start per shard); merge
        # and check below run as processes, where a stray line on stderr would show.
        args = ["collect", "--policy", str(POLICY), "--shard", f"{index}/3", "--out", str(path)]
        with sandbox_environment(env), contextlib.redirect_stdout(io.StringIO()):
            assert main(args) in (0, 3)
        paths.append(str(path))
    out = tmp_path / "merged.json"
    for bad in ([paths[0], paths[1]], [paths[0], paths[1], paths[1], paths[2]]):
        result = warmcheck(env, "merge", *bad, "--out", str(out))
        assert result.returncode == 2, result.stdout + result.stderr
        assert result.stderr.count("\n") == 1
        assert "Traceback" not in result.stderr
        assert not out.exists()
    result = warmcheck(env, "merge", *paths, "--out", str(out))
    assert result.returncode == 3, result.stdout + result.stderr  # the locked member
    checked = warmcheck(
        env,
        "check",
        "--policy",
        str(POLICY),
        "--snapshot",
        str(out),
        "--out-dir",
        str(tmp_path / "reports"),
        "-q",
    )
    assert checked.returncode == 3
    report = json.loads((tmp_path / "reports" / "warmcheck.json").read_text())
    assert {f["rule"] for f in report["findings"]} == {"WARM001", "WARM901"}
