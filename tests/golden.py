"""Golden reports, compared after masking what changes without the report changing.

A golden file holds a real report. Before comparing, both the produced text and the golden file
are normalised: the tool version and the prose that comes from the rule catalogue or
docs/rules/*.md (rule titles, SARIF help and descriptions, fix sentences) become markers, so a
reworded doc or a release does not fail four goldens. A fix keeps the ARNs it names in its
marker (a fix pointed at the wrong resource is a real change). Everything else (structure,
findings, messages, fingerprints, names, order) is compared exactly.

`pytest --update-goldens` (tests/conftest.py) rewrites the golden files from the current output.
"""

from __future__ import annotations

import difflib
import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

GOLDEN_DIR = Path(__file__).resolve().parent / "data" / "golden"
UPDATE_HINT = (
    "if the change is intended: pytest --update-goldens, then read `git diff tests/data/golden`"
)
# An ARN inside fix prose; the sentence's punctuation around it is not part of it.
_ARN = re.compile(r"arn:[a-z0-9-]+:[^\s,;()<>\"'“”]*")

# A JSON path: keys, with "*" for every item of a list.
JsonPath = tuple[str, ...]


def _arns(plain: str) -> str:
    return " ".join(match.rstrip(".") for match in _ARN.findall(plain))


def _marker(label: str, arns_from: str | None = None) -> str:
    arns = _arns(arns_from) if arns_from is not None else ""
    return f"⟨{label}: {arns}⟩" if arns else f"⟨{label}⟩"


# --- JSON reports (warmcheck.json, warmcheck.sarif): masked by path ----------------------------


@dataclass(frozen=True, slots=True)
class JsonMask:
    path: JsonPath
    label: str
    keep_arns: bool = False


def _mask_json(node: Any, path: JsonPath, mask: JsonMask) -> Any:
    if not path:
        return _marker(mask.label, node if mask.keep_arns and isinstance(node, str) else None)
    head, rest = path[0], path[1:]
    if head == "*" and isinstance(node, list):
        return [_mask_json(item, rest, mask) for item in node]
    if isinstance(node, dict) and head in node:
        return {key: _mask_json(v, rest, mask) if key == head else v for key, v in node.items()}
    return node


def _json_normaliser(*masks: JsonMask) -> Callable[[str], str]:
    def normalise(text: str) -> str:
        document = json.loads(text)
        for mask in masks:
            document = _mask_json(document, mask.path, mask)
        # Key order is kept as written, so a reordered report still differs.
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"

    return normalise


_DESCRIPTOR: JsonPath = ("runs", "*", "tool", "driver", "rules", "*")
_REPORT_JSON = _json_normaliser(
    JsonMask(("tool", "version"), "version"),
    JsonMask(("findings", "*", "fix"), "fix", keep_arns=True),
)
_SARIF = _json_normaliser(
    JsonMask(("runs", "*", "tool", "driver", "version"), "version"),
    JsonMask((*_DESCRIPTOR, "shortDescription", "text"), "title"),
    JsonMask((*_DESCRIPTOR, "fullDescription", "text"), "rule doc"),
    JsonMask((*_DESCRIPTOR, "help"), "rule doc"),
    JsonMask(("runs", "*", "results", "*", "properties", "fix"), "fix", keep_arns=True),
)


# --- text reports (JUnit, Markdown, HTML): masked by pattern -----------------------------------


@dataclass(frozen=True, slots=True)
class TextMask:
    """`pattern`'s group `v` is the volatile part; `plain` turns it into text to find ARNs in."""

    pattern: re.Pattern[str]
    label: str
    plain: Callable[[str], str] | None = None


def _html_plain(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]*>", "", fragment))


def _markdown_plain(fragment: str) -> str:
    return re.sub(r"\\(.)", r"\1", fragment)


def _text_normaliser(*masks: TextMask) -> Callable[[str], str]:
    def normalise(text: str) -> str:
        for mask in masks:

            def replace(match: re.Match[str], mask: TextMask = mask) -> str:
                start, end = match.span("v")
                volatile = match.group("v")
                arns_from = mask.plain(volatile) if mask.plain is not None else None
                whole = match.group(0)
                offset = match.start(0)
                return (
                    whole[: start - offset] + _marker(mask.label, arns_from) + whole[end - offset :]
                )

            text = mask.pattern.sub(replace, text)
        return text

    return normalise


_JUNIT = _text_normaliser(
    TextMask(re.compile(r'<property name="title" value="(?P<v>[^"]*)"/>'), "title"),
    TextMask(re.compile(r"^fix: (?P<v>.*)$", re.M), "fix", html.unescape),
)
_MARKDOWN = _text_normaliser(
    # The line under a rule's heading is its catalogue title.
    TextMask(re.compile(r"^#### WARM\d{3} .*\n\n(?P<v>.+)$", re.M), "title"),
    TextMask(
        re.compile(r"^  \*\*Fix:\*\* (?P<v>.*?)(?= <sub>\(warmcheck fix |  $|$)", re.M),
        "fix",
        _markdown_plain,
    ),
)
_HTML = _text_normaliser(
    TextMask(re.compile(r"<footer>Written by warmcheck (?P<v>\S+) from "), "version"),
    TextMask(
        re.compile(
            r'<dt id="rule-[^"]*">.*?<span class="sev sev-\w+">\w+</span> (?P<v>.*?) '
            r'<span class="muted">\(\d+ findings?\)</span></dt>'
        ),
        "title",
    ),
    TextMask(
        re.compile(r'<p class="fix"><strong>Fix:</strong> (?P<v>.*?)</p>'), "fix", _html_plain
    ),
)

# By the golden file's name: what it is drift.<this>.
NORMALISERS: dict[str, Callable[[str], str]] = {
    "warmcheck.json": _REPORT_JSON,
    "warmcheck.sarif": _SARIF,
    "warmcheck.junit.xml": _JUNIT,
    "warmcheck.md": _MARKDOWN,
    "warmcheck.html": _HTML,
}


def normalise(text: str, filename: str) -> str:
    """`text` (a report written as `filename`) with its volatile parts masked."""
    return NORMALISERS[filename](text)


def report_filename(golden_name: str) -> str:
    """drift.warmcheck.sarif -> warmcheck.sarif: the report the golden file holds."""
    return golden_name.split(".", 1)[1]


@dataclass(frozen=True, slots=True)
class Goldens:
    """The golden files, and whether this run rewrites them (`--update-goldens`)."""

    update: bool
    directory: Path = GOLDEN_DIR

    def mismatch(self, produced: str, name: str) -> str | None:
        """None when `produced` matches golden `name` once both are normalised; else a diff."""
        filename = report_filename(name)
        expected = normalise((self.directory / name).read_text(encoding="utf-8"), filename)
        actual = normalise(produced, filename)
        if actual == expected:
            return None
        diff = difflib.unified_diff(
            expected.splitlines(),
            actual.splitlines(),
            f"golden {name}",
            f"produced {filename}",
            lineterm="",
        )
        lines = list(diff)
        shown = "\n".join(lines[:80]) + ("\n..." if len(lines) > 80 else "")
        return f"{name} differs from its golden file ({UPDATE_HINT}):\n{shown}"

    def check(self, produced: str, name: str) -> None:
        """Fail unless `produced` matches golden `name`; with --update-goldens, rewrite it first."""
        if self.update:
            (self.directory / name).write_text(produced, encoding="utf-8")
        problem = self.mismatch(produced, name)
        assert problem is None, problem
