"""Digest of everything warmcheck writes for a fixed set of inputs, for before/after checks.

Moving code must not change a byte of any report. Run this before a refactor and after it, then
compare the two listings (`diff`): each line is `sha256  what`. Inputs are the repository's
snapshots and templates plus any extra `SNAPSHOT=POLICY` pairs given on the command line (for
example snapshots collected from the sandbox's demo and organization demo).

    python tools/report_digest.py [SNAPSHOT.json=POLICY.yaml ...] > before.txt

Compare runs made from the same folder on the same day: reports name their inputs' paths, and
`iac` judges templates as of today. To digest older code, put its checkout first on PYTHONPATH.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
FORMATS = "json,junit,sarif,markdown,html"


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "checker", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def _digest(label: str, data: bytes) -> str:
    return f"{hashlib.sha256(data).hexdigest()[:16]}  {label}"


def _outputs(label: str, run: subprocess.CompletedProcess[str], folder: Path) -> list[str]:
    lines = [f"exit {run.returncode}  {label}", _digest(f"{label} stdout", run.stdout.encode())]
    lines.append(_digest(f"{label} stderr", run.stderr.encode()))
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        lines.append(_digest(f"{label} {path.relative_to(folder)}", path.read_bytes()))
    return lines


def main(argv: list[str]) -> int:
    pairs = [
        (DATA / "snapshots" / n, DATA / "policies" / "strict.yaml")
        for n in ("drift.json", "healthy.json")
    ]
    for extra in argv:
        snapshot_text, _, policy_text = extra.partition("=")
        pairs.append((Path(snapshot_text).resolve(), Path(policy_text).resolve()))
    lines: list[str] = []
    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        for index, (snapshot, policy) in enumerate(pairs):
            for command in ("check", "fix"):
                out = work / f"{index}-{command}"
                args = [
                    command,
                    "--snapshot",
                    str(snapshot),
                    "--policy",
                    str(policy),
                    "--out-dir",
                    out.name,
                ]
                if command == "check":
                    args += ["--format", FORMATS]
                label = f"{command} {snapshot.name}"
                lines += _outputs(label, _run(*args, cwd=work), out)
        for template in sorted((DATA / "iac").rglob("*")):
            if not template.is_file() or template.suffix not in {".yaml", ".json"}:
                continue
            if template.name in {"manifest.json", "policy.yaml"}:
                continue
            out = work / f"iac-{template.stem}"
            run = _run(
                "iac",
                str(template),
                "--policy",
                str(DATA / "iac" / "policy.yaml"),
                "--out-dir",
                out.name,
                "--format",
                "json,sarif,markdown",
                cwd=work,
            )
            lines += _outputs(f"iac {template.relative_to(DATA)}", run, out)
        for args in (
            ["schema", "policy"],
            ["schema", "snapshot"],
            ["schema", "report"],
            ["schema", "fix"],
            ["explain", "WARM003"],
            ["--help"],
            ["check", "--help"],
            [
                "schedule",
                "cron(0/5 13-22 ? * MON-FRI *)",
                "--window",
                "MON-FRI 08:00-18:00",
                "--window-timezone",
                "America/New_York",
                "--max-interval",
                "5m",
            ],
        ):
            run = _run(*args, cwd=work)
            lines.append(f"exit {run.returncode}  {' '.join(args)}")
            if args[0] != "schedule":  # `schedule` looks a year ahead from now: its text moves
                lines.append(_digest(f"{' '.join(args)} stdout", run.stdout.encode()))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
