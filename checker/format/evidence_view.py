"""Runtime evidence as pictures: fired-versus-due bars per warmer, cold starts per function.

Shared by the HTML page (inline SVG, no script, no external resource) and the Markdown report
(text bars, which every Markdown viewer draws). Without evidence in the report both sections are
empty, so a configuration-only report is unchanged. Output is deterministic: rows sorted by
function then warmer, numbers formatted the same way every time.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from checker.engine import Evaluation

_BAD = frozenset({"failing", "not-firing"})
BAR_WIDTH = 160  # SVG user units
BAR_HEIGHT = 12
TEXT_BAR_CELLS = 10


@dataclass(frozen=True, slots=True)
class FiringRow:
    function: str
    warmer: str
    expected: int | None
    observed: int | None
    verdict: str


@dataclass(frozen=True, slots=True)
class ColdStartRow:
    function: str
    cold_starts: int


def firing_rows(report: Evaluation) -> list[FiringRow]:
    rows = [
        FiringRow(entry.function, f.warmer, f.expected, f.observed, f.verdict)
        for entry in report.coverage
        for f in entry.warmer_firings or ()
    ]
    # Failing and silent warmers first: they are what a reader came for.
    return sorted(rows, key=lambda r: (r.verdict not in _BAD, r.function, r.warmer))


def cold_start_rows(report: Evaluation) -> list[ColdStartRow]:
    rows = [
        ColdStartRow(entry.function, entry.cold_starts)
        for entry in report.coverage
        if entry.cold_starts is not None
    ]
    return sorted(rows, key=lambda r: r.function)


def share(observed: int | None, expected: int | None) -> float | None:
    """Observed over expected, capped at 1 (None: not comparable)."""
    if observed is None or not expected:
        return None
    return min(1.0, observed / expected)


def _counts(row: FiringRow) -> str:
    observed = "?" if row.observed is None else str(row.observed)
    expected = "?" if row.expected is None else str(row.expected)
    return f"{observed} / {expected}"


def _name(arn: str) -> str:
    """The last ARN segment people recognise: rule/NAME, schedule/GROUP/NAME, function:NAME[:Q]."""
    if ":function:" in arn:
        return arn.split(":function:", 1)[1]
    return arn.rsplit("/", 1)[-1]


# --- Markdown ---------------------------------------------------------------------------------


def text_bar(fraction: float | None) -> str:
    if fraction is None:
        return "·" * TEXT_BAR_CELLS
    filled = round(fraction * TEXT_BAR_CELLS)
    return "█" * filled + "░" * (TEXT_BAR_CELLS - filled)


def markdown_section(report: Evaluation) -> list[str]:
    firings = firing_rows(report)
    colds = cold_start_rows(report)
    if not firings and not colds:
        return []
    lines = ["### Runtime evidence", ""]
    if firings:
        lines += [
            "Warm firings in the lookback, observed / due:",
            "",
            "| warmer | function | fired | observed / due | verdict |",
            "| --- | --- | --- | ---: | --- |",
        ]
        for row in firings:
            lines.append(
                f"| `{_md(_name(row.warmer))}` | `{_md(_name(row.function))}` | "
                f"`{text_bar(share(row.observed, row.expected))}` | {_counts(row)} | "
                f"{f'**{row.verdict}**' if row.verdict in _BAD else row.verdict} |"
            )
        lines.append("")
    if colds:
        worst = max(row.cold_starts for row in colds) or 1
        lines += [
            "Cold starts inside the warm window (Lambda logs):",
            "",
            "| function | cold starts | |",
            "| --- | --- | ---: |",
        ]
        for cold in colds:
            bar = text_bar(cold.cold_starts / worst)
            lines.append(f"| `{_md(_name(cold.function))}` | `{bar}` | {cold.cold_starts} |")
        lines.append("")
    return lines


def _md(value: str) -> str:
    return value.replace("`", "'").replace("|", "\\|")


# --- HTML -------------------------------------------------------------------------------------

_COLOURS = {"firing": "#12b76a", "failing": "#d92d20", "not-firing": "#d92d20"}


def _svg_bar(fraction: float | None, colour: str, label: str) -> str:
    width = 0.0 if fraction is None else fraction * BAR_WIDTH
    return (
        f'<svg class="evidence-bar" viewBox="0 0 {BAR_WIDTH} {BAR_HEIGHT}" '
        f'width="{BAR_WIDTH}" height="{BAR_HEIGHT}" role="img" aria-label="{escape(label)}">'
        f"<title>{escape(label)}</title>"
        f'<rect width="{BAR_WIDTH}" height="{BAR_HEIGHT}" fill="#eaecf0"/>'
        f'<rect width="{width:.1f}" height="{BAR_HEIGHT}" fill="{colour}"/></svg>'
    )


def html_section(report: Evaluation) -> list[str]:
    firings = firing_rows(report)
    colds = cold_start_rows(report)
    if not firings and not colds:
        return []
    lines = [
        '<section aria-labelledby="evidence-heading">',
        '<h2 id="evidence-heading">Runtime evidence</h2>',
    ]
    if firings:
        lines += [
            (
                "<p>Warm firings in the lookback: the bar is what CloudWatch saw out of what the "
                "schedule says was due.</p>"
            ),
            '<table id="evidence-firings">',
            (
                '<thead><tr><th scope="col">Warmer</th><th scope="col">Function</th>'
                '<th scope="col">Fired</th><th scope="col" class="number">Observed / due</th>'
                '<th scope="col">Verdict</th></tr></thead>'
            ),
            "<tbody>",
        ]
        for row in firings:
            fraction = share(row.observed, row.expected)
            colour = _COLOURS.get(row.verdict, "#98a2b3")
            label = f"{_name(row.warmer)}: {_counts(row)} firings, {row.verdict}"
            lines.append(
                f'<tr data-verdict="{escape(row.verdict)}">'
                f'<th scope="row"><code>{escape(_name(row.warmer))}</code></th>'
                f"<td><code>{escape(_name(row.function))}</code></td>"
                f"<td>{_svg_bar(fraction, colour, label)}</td>"
                f'<td class="number">{escape(_counts(row))}</td>'
                f"<td>{escape(row.verdict)}</td></tr>"
            )
        lines += ["</tbody>", "</table>"]
    if colds:
        worst = max(row.cold_starts for row in colds) or 1
        lines += [
            "<p>Cold starts inside the warm window, from the functions' own logs.</p>",
            '<table id="evidence-cold-starts">',
            (
                '<thead><tr><th scope="col">Function</th><th scope="col">Cold starts</th>'
                '<th scope="col" class="number">Count</th></tr></thead>'
            ),
            "<tbody>",
        ]
        for cold in colds:
            colour = "#d92d20" if cold.cold_starts else "#12b76a"
            label = f"{_name(cold.function)}: {cold.cold_starts} cold starts"
            lines.append(
                f'<tr><th scope="row"><code>{escape(_name(cold.function))}</code></th>'
                f"<td>{_svg_bar(cold.cold_starts / worst, colour, label)}</td>"
                f'<td class="number">{cold.cold_starts}</td></tr>'
            )
        lines += ["</tbody>", "</table>"]
    return [*lines, "</section>"]
