"""Reading user files benchmark: a 10 MB snapshot through the bounded reader, against json.loads.

`load_json` checks depth before anything recurses and keeps a source map so errors can name
file:line:column; neither may make reading a large, valid snapshot much slower than the standard
library. Printed: the ratio of `load_json` to `json.loads` on the same text, and the time to
locate the last value of a 120,000-item list (the source map scans containers lazily).
Target: ratio under 3, locate under a second.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from checker.errors import SnapshotError
from checker.load.documents import load_json

ITEMS = 120_000


def run() -> list[str]:
    items = [
        {"arn": f"arn:aws:lambda:us-east-1:123456789012:function:fn-{index}", "n": index}
        for index in range(ITEMS)
    ]
    text = json.dumps({"version": 1, "functions": items}, indent=2)
    with tempfile.TemporaryDirectory() as temp:
        path = Path(temp) / "snapshot.json"
        path.write_text(text, encoding="utf-8")
        started = time.perf_counter()
        json.loads(text)
        baseline = time.perf_counter() - started
        started = time.perf_counter()
        document = load_json(path, error_cls=SnapshotError)
        loading = time.perf_counter() - started
        started = time.perf_counter()
        document.source.locate(["functions", ITEMS - 1, "n"])
        locating = time.perf_counter() - started
    ratio = loading / baseline
    verdict = "ok" if ratio < 3 and locating < 1 else "OVER TARGET"
    return [
        f"reading files: a {len(text) / 1e6:.1f} MB snapshot ({ITEMS:,} functions)",
        (
            f"  json.loads {baseline:.3f} s; load_json {loading:.3f} s; ratio {ratio:.2f} "
            f"(target < 3): {verdict}"
        ),
        f"  locate the last value (for an error's line:column): {locating:.3f} s (target < 1 s)",
    ]


if __name__ == "__main__":
    print("\n".join(run()))
