"""tests/data/provenance.json lists every third-party test file with its source and licence."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[1] / "data"
THIRD_PARTY = ("corpus", "schemas")
# A path built to the folder beside the checkout (a "shared" folder one level up, or parents[3]).
OUTSIDE = re.compile(r'/\s*"shared"|\.\./shared|parents\[3\]')


def _manifest() -> list[dict[str, Any]]:
    document: dict[str, Any] = json.loads((DATA / "provenance.json").read_text(encoding="utf-8"))
    files: list[dict[str, Any]] = document["files"]
    return files


def test_every_file_under_corpus_and_schemas_is_listed_and_nothing_else() -> None:
    on_disk = {
        path.relative_to(DATA).as_posix()
        for folder in THIRD_PARTY
        for path in (DATA / folder).rglob("*")
        if path.is_file() and path.name != "README.md"
    }
    assert on_disk == {entry["file"] for entry in _manifest()}


def test_each_entry_names_source_commit_and_licence_and_matches_the_bytes() -> None:
    for entry in _manifest():
        digest = hashlib.sha256((DATA / entry["file"]).read_bytes()).hexdigest()
        assert digest == entry["sha256"], entry["file"]
        assert entry["licence"], entry["file"]
        if entry["repository"] != "warmcheck (this project)":
            assert len(entry["commit"]) == 40, entry["file"]
            assert entry["path"], entry["file"]


def test_no_test_reads_outside_the_repository() -> None:
    tests = Path(__file__).resolve().parents[1]
    root = tests.parent
    for folder in (root / "checker", tests, root / "benchmarks"):
        for source in folder.rglob("*.py"):
            if source == Path(__file__).resolve():
                continue
            text = source.read_text(encoding="utf-8")
            assert not OUTSIDE.search(text), source
