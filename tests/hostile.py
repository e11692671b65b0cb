"""Hostile inputs, generated: what the hostile-input tests (unit and live) feed warmcheck.

Nothing here is stored as data: deep JSON, control and surrogate characters, edge dates and
numbers are built on demand, so the repository holds no megabytes and every test can say
exactly what it sent.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from checker.cli import main
from checker.format.registry import FORMATS
from checker.output import TEMPORARY_PREFIX

# 4,000 nested arrays: 8,000 characters, inside EventBridge's 8,192-character Input limit.
DEEP_ARRAY: Final = "[" * 4000 + "]" * 4000
DEEP_OBJECT: Final = '{"a":' * 2000 + "1" + "}" * 2000
# A name that tries to rewrite the verdict line a person reads, and one that cannot be encoded.
FORGED_VERDICT: Final = "Main\x1b[2K\rwarmcheck: PASS"
LONE_SURROGATE: Final = "x\ud800y"
HOSTILE_NAMES: Final = (
    FORGED_VERDICT,
    LONE_SURROGATE,
    "bidi\u202eevil",
    "nul\x00byte",
    "two\nlines",
    "c1\x85next",
    "bom\ufeff",
    "tab\there",
)
# Characters no shown text may carry raw: controls but newline and tab, bidi, surrogates.
UNSAFE_SHOWN: Final = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ud800-\udfff]"
)
EARLIER: Final = "an earlier run's report\n"
ALL_FORMATS: Final = tuple(arg for fmt in FORMATS for arg in ("--format", fmt.name))
POLICY_TEXT: Final = 'version: 1\nwarm:\n  payload: {"warmer": true}\n'


def json_text(value: Any) -> str:
    """JSON as a collector or a person might write it: lone surrogates as \\u escapes."""
    return json.dumps(value, indent=1, ensure_ascii=True)


@dataclass
class Outcome:
    code: int
    out: Path
    stdout: str
    stderr: str
    report: dict[str, Any] | None

    def rules(self) -> set[str]:
        return {f["rule"] for f in self.report["findings"]} if self.report else set()

    def findings(self, rule: str) -> list[dict[str, Any]]:
        return [f for f in (self.report or {}).get("findings", []) if f["rule"] == rule]

    def coverage(self) -> dict[str, str]:
        return {c["function"]: c["status"] for c in (self.report or {}).get("coverage", [])}


def seed_earlier_reports(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for fmt in FORMATS:
        (out / fmt.filename).write_text(EARLIER, encoding="utf-8")


def temporaries(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return [p for p in folder.iterdir() if p.name.startswith(TEMPORARY_PREFIX)]


def assert_reports_sound(outcome: Outcome) -> None:
    """The exit-code contract on disk: 2/4 replaced nothing; 0/1/3 replaced every report with
    whole, parseable text that shows no raw control or surrogate character."""
    assert (
        outcome.code != 4
        or "internal error" in outcome.stderr
        or "while writing" in (outcome.stderr)
    ), outcome.stderr
    assert "Traceback" not in outcome.stderr
    assert not UNSAFE_SHOWN.search(outcome.stdout), outcome.stdout
    assert not UNSAFE_SHOWN.search(outcome.stderr), outcome.stderr
    assert temporaries(outcome.out) == []
    files = {fmt.name: outcome.out / fmt.filename for fmt in FORMATS}
    if outcome.code in (2, 4):
        for path in files.values():
            assert path.read_text(encoding="utf-8") == EARLIER, f"{path} was replaced"
        return
    texts = {name: path.read_bytes().decode("utf-8") for name, path in files.items()}
    assert EARLIER not in texts.values()
    json.loads(texts["json"])
    json.loads(texts["sarif"])
    ET.fromstring(texts["junit"].encode("utf-8"))
    for name in ("markdown", "html"):
        assert not UNSAFE_SHOWN.search(texts[name].replace("\n", "")), name


def run_check(
    tmp_path: Path,
    snapshot: str,
    *extra: str,
    policy: str = POLICY_TEXT,
    capsys: Any = None,
    name: str = "run",
) -> Outcome:
    """`warmcheck check` in-process on `snapshot` (JSON text) with every format, over an out
    dir that holds an earlier run's reports; checks the on-disk contract before returning."""
    folder = tmp_path / name
    folder.mkdir(parents=True, exist_ok=True)
    snapshot_path = folder / "snapshot.json"
    snapshot_path.write_text(snapshot, encoding="utf-8")
    policy_path = folder / "policy.yaml"
    policy_path.write_text(policy, encoding="utf-8")
    out = folder / "reports"
    seed_earlier_reports(out)
    args = ["check", "--snapshot", str(snapshot_path), "--policy", str(policy_path)]
    if capsys is not None:
        code = main([*args, "--out-dir", str(out), *ALL_FORMATS, *extra])
        stdout, stderr = capsys.readouterr()
    else:
        with (
            contextlib.redirect_stdout(io.StringIO()) as out_text,
            contextlib.redirect_stderr(io.StringIO()) as err_text,
        ):
            code = main([*args, "--out-dir", str(out), *ALL_FORMATS, *extra])
        stdout, stderr = out_text.getvalue(), err_text.getvalue()
    report_path = out / "warmcheck.json"
    report = None
    if code in (0, 1, 3):
        report = json.loads(report_path.read_text(encoding="utf-8"))
    outcome = Outcome(code, out, stdout, stderr, report)
    assert_reports_sound(outcome)
    return outcome
