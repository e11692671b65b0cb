"""warmcheck.html: one self-contained page for a review.

The verdict, the counts, a findings table that an inline script can filter by severity, rule and
state (without JavaScript the whole table shows), the coverage matrix, and for each required
function a week strip in inline SVG: the policy window shaded, warm invocations as ticks, rate
sources as bands and the worst gap in red. Nothing is loaded from anywhere: inline CSS and
script, no fonts, no images, and a Content-Security-Policy that forbids fetching. Every text is
escaped; the only time on the page is the snapshot's own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from html import escape

from checker import __version__
from checker.engine import CoverageEntry, Report
from checker.findings import SEVERITIES, SEVERITY_RANK, Finding
from checker.format.base import Format
from checker.format.evidence_view import html_section as html_evidence
from checker.format.markdown import coverage_order, gap_minutes
from checker.format.week_strip import RateBand, WeekStrip, week_strip
from checker.rules.base import minutes

_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# The strip's geometry, in SVG user units: 144 per day, so one unit is 10 minutes.
PAD_X = 8
DAY_WIDTH = 144
WEEK_WIDTH = 7 * DAY_WIDTH
SVG_WIDTH = WEEK_WIDTH + 2 * PAD_X
SECONDS_PER_UNIT = 7 * 86400 / WEEK_WIDTH
HEADER_HEIGHT = 16
BODY_TOP = 20
BODY_HEIGHT = 40
ROW_HEIGHT = 16
# Ticks leave the body's top and bottom edges free, so the window shading shows behind them.
TICK_TOP = BODY_TOP + 9
TICK_LENGTH = BODY_HEIGHT - 18
OUTSIDE = "#f2f4f7"
WINDOW = "#b2ddff"
TICK = "#1d2939"
FLEXIBLE = "#fdb022"
RATE_FILL = "#eff8ff"
RATE_LINE = "#84caff"
BEFORE = "#ffffff"
# Firings closer together than one unit cannot be told apart: they are drawn as one band.
MERGE_WITHIN = timedelta(seconds=SECONDS_PER_UNIT)

CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"

STYLE = """
:root { --high: #b42318; --medium: #b54708; --low: #475467; --pass: #067647;
  --fail: #b42318; --incomplete: #93370d; --ink: #101828; --muted: #667085;
  --line: #d0d5dd; --soft: #f2f4f7; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--ink); background: #fff; }
main, .banner > div, footer { max-width: 1280px; margin: 0 auto; padding: 0 24px; }
.banner { color: #fff; padding: 18px 0; }
.banner h1 { margin: 0; font-size: 26px; letter-spacing: .02em; }
.banner p { margin: 4px 0 0; font-size: 15px; }
.verdict-pass { background: var(--pass); }
.verdict-fail { background: var(--fail); }
.verdict-incomplete { background: var(--incomplete); }
h2 { font-size: 19px; margin: 28px 0 10px; border-bottom: 1px solid var(--line);
  padding-bottom: 4px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
code { font: 12.5px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  overflow-wrap: anywhere; }
.context { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px;
  margin: 16px 0 0; }
.context dt { color: var(--muted); }
.context dd { margin: 0; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 8px 0; padding: 0;
  list-style: none; }
.cards li { border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px;
  min-width: 112px; }
.cards .count { display: block; font-size: 24px; font-weight: 600; }
.cards .label { color: var(--muted); }
.cards .high.nonzero .count { color: var(--high); }
.cards .medium.nonzero .count { color: var(--medium); }
#findings td:nth-child(4) { width: 24%; }
#findings td:nth-child(5) { width: 14%; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px;
  border-bottom: 1px solid var(--line); }
th { background: var(--soft); font-weight: 600; }
td.number, th.number { text-align: right; white-space: nowrap; }
.sev, .status { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 12px;
  font-weight: 600; color: #fff; white-space: nowrap; }
.sev-high { background: var(--high); }
.sev-medium { background: var(--medium); }
.sev-low { background: var(--low); }
.status-warm { background: var(--pass); }
.status-cold { background: var(--fail); }
.status-unknown { background: var(--incomplete); }
.status-waived { background: var(--low); }
.muted, .details { color: var(--muted); font-size: 12.5px; }
.details { margin: 4px 0 0; padding: 0; list-style: none; }
tr.not-counting td { background: #fcfcfd; color: var(--muted); }
.filters { display: flex; flex-wrap: wrap; gap: 8px 18px; align-items: center;
  margin: 0 0 10px; }
.filters select { font: inherit; padding: 2px 4px; }
ul.names { margin: 0; padding: 0; list-style: none; }
dl.fixes dt { font-weight: 600; margin-top: 8px; }
dl.fixes dd { margin: 2px 0 0 0; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 18px; margin: 0 0 8px; padding: 0;
  list-style: none; color: var(--muted); font-size: 12.5px; }
.swatch { display: inline-block; width: 14px; height: 10px; margin-right: 5px;
  vertical-align: -1px; border: 1px solid rgba(0,0,0,.15); }
.sw-window { background: #b2ddff; }
.sw-outside { background: #f2f4f7; }
.sw-tick { background: #1d2939; width: 3px; }
.sw-flex { background: #fdb022; }
.sw-rate { background: repeating-linear-gradient(135deg, #84caff 0 2px, #eff8ff 2px 5px); }
.sw-gap { background: #f04438; }
.sw-before { background: linear-gradient(#ffffffa6, #ffffffa6), #b2ddff; }
figure.strip { margin: 0 0 18px; }
figure.strip figcaption { margin: 0 0 2px; }
svg.week-strip { width: 100%; height: auto; display: block; }
svg .day { font: 11px system-ui, sans-serif; fill: #344054; }
svg .hour { font: 8px system-ui, sans-serif; fill: #98a2b3; }
svg .band-label { font: 600 10px system-ui, sans-serif; fill: #1849a9; }
svg .gap-label { font: bold 10px system-ui, sans-serif; fill: #b42318; }
svg .empty { font: 12px system-ui, sans-serif; fill: #667085; }
footer { color: var(--muted); font-size: 12.5px; margin: 32px auto 24px; }
@media print { .filters { display: none !important; } tr[hidden] { display: table-row; } }
"""

SCRIPT = """
(function () {
  var filters = document.getElementById("filters");
  var table = document.getElementById("findings");
  if (!filters || !table) { return; }
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  var pick = {
    severity: document.getElementById("filter-severity"),
    rule: document.getElementById("filter-rule"),
    state: document.getElementById("filter-state")
  };
  var shown = document.getElementById("filter-shown");
  function apply() {
    var visible = 0;
    rows.forEach(function (row) {
      var keep = Object.keys(pick).every(function (key) {
        return !pick[key].value || row.getAttribute("data-" + key) === pick[key].value;
      });
      row.hidden = !keep;
      if (keep) { visible += 1; }
    });
    shown.textContent = visible + " of " + rows.length + " shown";
  }
  Object.keys(pick).forEach(function (key) { pick[key].addEventListener("change", apply); });
  filters.hidden = false;
  apply();
})();
"""


def render(report: Report) -> str:
    verdict = report.verdict
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        f"<title>warmcheck: {verdict.upper()}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        *_banner(report),
        "<main>",
        *_context(report),
        *_summary(report),
        *_findings(report),
        *_coverage(report),
        *html_evidence(report),  # runtime evidence (issue 14): empty without evidence
        *_strips(report),
        "</main>",
        (
            f"<footer>Written by warmcheck {_e(__version__)} from a snapshot collected "
            f"{_e(_utc(report.collected_at))}. Times are UTC.</footer>"
        ),
        f"<script>{SCRIPT}</script>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


# --- page sections ----------------------------------------------------------------------------


def _banner(report: Report) -> list[str]:
    verdict = report.verdict
    if verdict == "incomplete":
        why = "Some state could not be read (WARM901): this is not a compliant result."
    elif verdict == "fail":
        failing = len(report.failing)
        why = (
            f"{failing} finding{_s(failing)} at or above {report.fail_on} "
            f"{'is' if failing == 1 else 'are'} neither waived nor baselined."
        )
    elif report.fail_on == "never":
        why = "--fail-on never: findings are reported, none fails the run."
    else:
        why = f"No finding at or above {report.fail_on} that is not waived or baselined."
    warm = f"{report.warm} of {report.required} required function{_s(report.required)} warm."
    return [
        f'<header class="banner verdict-{_e(verdict)}" role="banner">',
        f'<div><h1>warmcheck: <span class="verdict">{_e(verdict.upper())}</span></h1>',
        f"<p>{_e(why)} {_e(warm)}</p></div>",
        "</header>",
    ]


def _context(report: Report) -> list[str]:
    rows = [
        ("Policy", f"<code>{_e(report.policy.path)}</code>"),
        ("Policy sha256", f"<code>{_e(report.policy.sha256)}</code>"),
        ("Accounts", _codes(report.accounts)),
        ("Regions", _codes(report.regions)),
        ("Collected", f"<code>{_e(_utc(report.collected_at))}</code>"),
        ("Fails on", f"<code>{_e(report.fail_on)}</code>"),
    ]
    items = "".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in rows)
    return [f'<dl class="context" aria-label="What was checked">{items}</dl>']


def _summary(report: Report) -> list[str]:
    counts = report.counts()
    cards: list[tuple[str, int, str]] = [(sev, counts[sev], sev) for sev in SEVERITIES]
    cards += [
        ("waived", report.waived, "waived"),
        ("baselined", report.baselined, "baselined"),
        ("required", report.required, "required functions"),
        ("warm", report.warm, "warm"),
    ]
    items = "".join(
        f'<li class="{key}{" nonzero" if value else ""}"><span class="count">{value}</span>'
        f'<span class="label">{_e(label)}</span></li>'
        for key, value, label in cards
    )
    return [
        '<section aria-labelledby="summary-heading">',
        '<h2 id="summary-heading">Summary</h2>',
        f'<ul class="cards">{items}</ul>',
        (
            '<p class="muted">Severity counts are findings that count: neither waived nor '
            "baselined.</p>"
        ),
        "</section>",
    ]


def _findings(report: Report) -> list[str]:
    lines = [
        '<section aria-labelledby="findings-heading">',
        '<h2 id="findings-heading">Findings</h2>',
    ]
    findings = sorted(report.findings, key=_finding_order)
    if not findings:
        return [*lines, "<p>No findings.</p>", "</section>"]
    rules = [outcome.meta for outcome in report.outcomes if outcome.findings]
    rule_options = "".join(
        f'<option value="{_e(meta.id)}">{_e(meta.id)} {_e(meta.slug)}</option>' for meta in rules
    )
    severity_options = "".join(
        f'<option value="{severity}">{severity}</option>' for severity in SEVERITIES
    )
    lines += [
        '<div id="filters" class="filters" hidden>',
        (
            '<label>Severity <select id="filter-severity" aria-label="Filter findings by severity">'
            f'<option value="">all</option>{severity_options}</select></label>'
        ),
        (
            '<label>Rule <select id="filter-rule" aria-label="Filter findings by rule">'
            f'<option value="">all</option>{rule_options}</select></label>'
        ),
        (
            '<label>State <select id="filter-state" aria-label="Filter findings by state">'
            '<option value="">all</option><option value="open">open</option>'
            '<option value="waived">waived</option><option value="baselined">baselined</option>'
            "</select></label>"
        ),
        '<output id="filter-shown" class="muted" aria-live="polite"></output>',
        "</div>",
        '<table id="findings">',
        (
            '<thead><tr><th scope="col">Severity</th><th scope="col">Rule</th>'
            '<th scope="col">Finding</th><th scope="col">Resource</th>'
            '<th scope="col">State</th></tr></thead>'
        ),
        "<tbody>",
    ]
    lines += [_finding_row(finding) for finding in findings]
    lines += ["</tbody>", "</table>", '<h3 id="fixes-heading">How to fix</h3>']
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding.rule] = counts.get(finding.rule, 0) + 1
    fixes = "".join(
        f'<dt id="rule-{_e(meta.id)}">{_e(meta.id)} <code>{_e(meta.slug)}</code> '
        f'<span class="sev sev-{meta.severity}">{meta.severity}</span> {_e(meta.title)} '
        f'<span class="muted">({counts[meta.id]} finding{_s(counts[meta.id])})</span></dt>'
        f'<dd>{_e(meta.fix)} <span class="muted">Details: '
        f"<code>warmcheck explain {_e(meta.id)}</code></span></dd>"
        for meta in rules
    )
    lines += [f'<dl class="fixes" aria-labelledby="fixes-heading">{fixes}</dl>', "</section>"]
    return lines


def _finding_order(finding: Finding) -> tuple[int, int, tuple[str, str, str, str]]:
    counting = 1 if finding.waived or finding.baselined else 0
    return (counting, -SEVERITY_RANK[finding.severity], finding.sort_key)


def _finding_row(finding: Finding) -> str:
    if finding.waiver is not None:
        state = "waived"
        waiver = finding.waiver
        ticket = f", ticket {waiver.ticket}" if waiver.ticket else ""
        state_cell = (
            f'waived<div class="details">{_e(waiver.reason)} (owner {_e(waiver.owner)}, '
            f"expires {waiver.expires.isoformat()}{_e(ticket)})</div>"
        )
    elif finding.baselined:
        state = "baselined"
        state_cell = 'baselined<div class="details">in the --baseline report</div>'
    else:
        state, state_cell = "open", "open"
    details = []
    if finding.function and finding.function != finding.resource:
        details.append(f"function <code>{_e(finding.function)}</code>")
    if finding.warmer and finding.warmer != finding.resource:
        details.append(f"warmer <code>{_e(finding.warmer)}</code>")
    details += [f"flow <code>{_e(flow)}</code>" for flow in finding.flows]
    detail_list = (
        '<ul class="details">' + "".join(f"<li>{item}</li>" for item in details) + "</ul>"
        if details
        else ""
    )
    row_class = "" if state == "open" else ' class="not-counting"'
    return (
        f'<tr{row_class} data-severity="{finding.severity}" data-rule="{_e(finding.rule)}" '
        f'data-state="{state}">'
        f'<td><span class="sev sev-{finding.severity}">{finding.severity}</span></td>'
        f'<td><a href="#rule-{_e(finding.rule)}">{_e(finding.rule)}</a>'
        f'<div class="details">{_e(finding.slug)}</div></td>'
        f"<td>{_e(finding.message)}{detail_list}</td>"
        f"<td><code>{_e(finding.resource)}</code></td>"
        f"<td>{state_cell}</td></tr>"
    )


def _coverage(report: Report) -> list[str]:
    lines = [
        '<section aria-labelledby="coverage-heading">',
        '<h2 id="coverage-heading">Coverage</h2>',
    ]
    if not report.coverage:
        return [*lines, "<p>No function is required by the policy.</p>", "</section>"]
    lines += [
        '<table id="coverage">',
        (
            '<thead><tr><th scope="col">Function</th><th scope="col">Status</th>'
            '<th scope="col" class="number">Worst gap (min)</th><th scope="col">Warmers</th>'
            '<th scope="col">Flows</th></tr></thead>'
        ),
        "<tbody>",
    ]
    for index, entry in enumerate(sorted(report.coverage, key=coverage_order)):
        lines.append(
            f'<tr data-status="{_e(entry.status)}">'
            f'<th scope="row"><a href="#strip-{index}">{_e(_function_name(entry.function))}</a>'
            f'<div class="details"><code>{_e(entry.function)}</code></div></th>'
            f"<td>{_status(entry.status)}</td>"
            f'<td class="number">{_e(gap_minutes(entry.worst_gap_seconds))}</td>'
            f"<td>{_names(entry.warmers, 'no warmer on this qualifier')}</td>"
            f"<td>{_names(entry.flows, 'no flow (required by the policy)')}</td></tr>"
        )
    return [*lines, "</tbody>", "</table>", "</section>"]


def _strips(report: Report) -> list[str]:
    if not report.coverage:
        return []
    entries = sorted(report.coverage, key=coverage_order)
    strips = [week_strip(entry, report.collected_at) for entry in entries]
    legend = [
        ("sw-window", "policy window"),
        ("sw-outside", "outside the window"),
        ("sw-tick", "warm invocation (solid where they are closer than 10 min)"),
        ("sw-flex", "flexible window"),
        ("sw-rate", "rate source, phase unknown"),
        ("sw-gap", "worst gap"),
    ]
    if any(strip.evaluated_from > strip.start for strip in strips):
        legend.append(("sw-before", "faded: before the snapshot, not evaluated"))
    items = "".join(
        f'<li><span class="swatch {swatch}"></span>{_e(label)}</li>' for swatch, label in legend
    )
    lines = [
        '<section aria-labelledby="strips-heading">',
        '<h2 id="strips-heading">Warm invocations over a week</h2>',
        (
            '<p class="muted">One strip per required function, Monday to Sunday in UTC: the week '
            "that holds its worst gap, else the week of the snapshot.</p>"
        ),
        f'<ul class="legend" aria-label="Legend">{items}</ul>',
    ]
    for index, (entry, strip) in enumerate(zip(entries, strips, strict=True)):
        gap = (
            f" · worst gap {_e(minutes(entry.worst_gap_seconds))}"
            if entry.worst_gap_seconds
            else ""
        )
        lines += [
            f'<figure class="strip" id="strip-{index}">',
            (
                f"<figcaption><strong>{_e(_function_name(entry.function))}</strong> "
                f"{_status(entry.status)}{gap} "
                f'<span class="muted">week of {_e(_date(strip.start))}</span></figcaption>'
            ),
            *_svg(strip, entry, f"strip-{index}"),
            "</figure>",
        ]
    return [*lines, "</section>"]


# --- the week strip ---------------------------------------------------------------------------


def _svg(strip: WeekStrip, entry: CoverageEntry, ident: str) -> list[str]:
    rate_top = BODY_TOP + BODY_HEIGHT + 17
    gap_top = rate_top + ROW_HEIGHT * len(strip.rate_bands)
    height = gap_top + (ROW_HEIGHT + 2 if strip.worst_gap else 2)
    title = f"Week strip of {entry.function}, week of {_date(strip.start)} (UTC)"
    out = [
        (
            f'<svg class="week-strip" role="img" '
            f'viewBox="0 0 {SVG_WIDTH} {height}" width="{SVG_WIDTH}" height="{height}" '
            f'aria-labelledby="{ident}-title {ident}-desc" data-function="{_e(entry.function)}" '
            f'data-firings="{len(strip.firings)}">'
        ),
        f'<title id="{ident}-title">{_e(title)}</title>',
        f'<desc id="{ident}-desc">{_e(_describe(strip))}</desc>',
    ]
    if strip.rate_bands:
        out.append(
            f'<defs><pattern id="{ident}-hatch" width="6" height="6" '
            'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
            f'<rect width="2" height="6" fill="{RATE_LINE}"/></pattern></defs>'
        )
    out += _axis(strip)
    out.append(
        f'<rect class="outside" x="{PAD_X}" y="{BODY_TOP}" width="{WEEK_WIDTH}" '
        f'height="{BODY_HEIGHT}" fill="{OUTSIDE}"/>'
    )
    for begin, finish in strip.window:
        x, width = _span(strip, begin, finish)
        out.append(
            f'<rect class="window" x="{x}" y="{BODY_TOP}" width="{width}" '
            f'height="{BODY_HEIGHT}" fill="{WINDOW}"><title>window {_e(_when(begin))} to '
            f"{_e(_until(finish))} UTC</title></rect>"
        )
    out += _grid()
    for begin, finish in strip.flexible:
        x, width = _span(strip, begin, finish)
        out.append(
            f'<rect class="flexible" x="{x}" y="{TICK_TOP}" width="{width}" '
            f'height="{TICK_LENGTH}" fill="{FLEXIBLE}"/>'
        )
    out += _ticks(strip)
    if not strip.firings and not strip.rate_bands:
        out.append(
            f'<text class="empty" x="{PAD_X + WEEK_WIDTH // 2}" y="{BODY_TOP + 24}" '
            'text-anchor="middle">no scheduled warm invocation this week</text>'
        )
    out += _before_snapshot(strip)
    for row, band in enumerate(strip.rate_bands):
        out += _rate_band(strip, band, rate_top + row * ROW_HEIGHT, ident)
    if strip.worst_gap is not None:
        out += _gap(strip, strip.worst_gap, entry, gap_top)
    out.append(
        f'<rect x="{PAD_X}" y="{BODY_TOP}" width="{WEEK_WIDTH}" height="{BODY_HEIGHT}" '
        'fill="none" stroke="#98a2b3"/>'
    )
    out.append("</svg>")
    return out


def _axis(strip: WeekStrip) -> list[str]:
    out = []
    for day in range(7):
        moment = strip.start + timedelta(days=day)
        x = PAD_X + day * DAY_WIDTH
        out.append(f'<text class="day" x="{x + 4}" y="12">{_e(_day_label(moment))}</text>')
        for hour in (6, 12, 18):
            hx = x + hour * DAY_WIDTH // 24
            out.append(
                f'<text class="hour" x="{hx}" y="{BODY_TOP + BODY_HEIGHT + 10}" '
                f'text-anchor="middle">{hour:02d}</text>'
            )
    return out


def _grid() -> list[str]:
    faint = []
    strong = []
    for day in range(8):
        x = PAD_X + day * DAY_WIDTH
        strong.append(f"M{x} {BODY_TOP}v{BODY_HEIGHT}")
        if day < 7:
            faint += [f"M{x + q * DAY_WIDTH // 4} {BODY_TOP}v{BODY_HEIGHT}" for q in (1, 2, 3)]
    return [
        f'<path class="grid" d="{"".join(faint)}" stroke="#ffffff" stroke-width="1"/>',
        f'<path class="grid day-line" d="{"".join(strong)}" stroke="#667085" stroke-width="1"/>',
    ]


def _before_snapshot(strip: WeekStrip) -> list[str]:
    if strip.evaluated_from <= strip.start:
        return []
    x, width = _span(strip, strip.start, strip.evaluated_from)
    return [
        (
            f'<rect class="before-snapshot" x="{x}" y="{BODY_TOP}" width="{width}" '
            f'height="{BODY_HEIGHT}" fill="{BEFORE}" fill-opacity="0.65"><title>before the '
            f"snapshot ({_e(_when(strip.evaluated_from))} UTC): not evaluated</title></rect>"
        )
    ]


def _ticks(strip: WeekStrip) -> list[str]:
    ticks: list[str] = []
    out: list[str] = []
    for mark in strip.marks(MERGE_WITHIN):
        if mark.is_tick:
            ticks.append(f"M{_n(_x(strip, mark.start))} {TICK_TOP}v{TICK_LENGTH}")
        else:
            x, width = _span(strip, mark.start, mark.end)
            out.append(
                f'<rect class="tick-band" x="{x}" y="{TICK_TOP}" width="{width}" '
                f'height="{TICK_LENGTH}" fill="{TICK}"><title>{mark.count} warm invocations, '
                f"{_e(_when(mark.start))} to {_e(_when(mark.end))} UTC, each within 10 min of "
                "the next</title></rect>"
            )
    if ticks:
        out.append(
            f'<path class="ticks" d="{"".join(ticks)}" stroke="{TICK}" stroke-width="1">'
            f"<title>{len(ticks)} single warm invocation{_s(len(ticks))}</title></path>"
        )
    return out


def _rate_band(strip: WeekStrip, band: RateBand, top: int, ident: str) -> list[str]:
    x, width = _span(strip, band.start, band.end)
    label = f"{band.expression}: {band.label}"
    box = f'x="{x}" y="{top + 1}" width="{width}" height="{ROW_HEIGHT - 2}"'
    return [
        (
            f'<g class="rate-band"><title>{_e(label)} from {_e(_when(band.start))} to '
            f"{_e(_until(band.end))} UTC</title>"
            f'<rect {box} fill="{RATE_FILL}"/><rect {box} fill="url(#{ident}-hatch)"/>'
            f'<rect {box} fill="none" stroke="{RATE_LINE}"/>'
            f'<text class="band-label" x="{_n(float(x) + 6)}" y="{top + 11}">{_e(label)}</text>'
            "</g>"
        )
    ]


def _gap(
    strip: WeekStrip, gap: tuple[datetime, datetime], entry: CoverageEntry, top: int
) -> list[str]:
    begin, finish = gap
    x0, x1 = _x(strip, begin), _x(strip, finish)
    # A short gap still gets a mark wide enough to see.
    if x1 - x0 < 3:
        middle = (x0 + x1) / 2
        x0, x1 = middle - 1.5, middle + 1.5
    seconds = entry.worst_gap_seconds or 0
    label = f"worst gap {minutes(seconds)}: {_when(begin)} to {_until(finish)} UTC"
    anchor, text_x = ("end", x1) if x0 > PAD_X + WEEK_WIDTH / 2 else ("start", x0)
    return [
        (
            f'<g class="worst-gap"><title>{_e(label)}</title>'
            f'<rect x="{_n(x0)}" y="{BODY_TOP}" width="{_n(x1 - x0)}" height="{BODY_HEIGHT}" '
            'fill="#f04438" fill-opacity="0.35" stroke="#d92d20"/>'
            f'<rect x="{_n(x0)}" y="{top + 1}" width="{_n(x1 - x0)}" height="4" fill="#d92d20"/>'
            f'<text class="gap-label" x="{_n(text_x)}" y="{top + 13}" text-anchor="{anchor}">'
            f"{_e(label)}</text></g>"
        )
    ]


def _describe(strip: WeekStrip) -> str:
    parts = []
    if strip.always:
        parts.append("The window is the whole week.")
    else:
        hours = sum((finish - begin).total_seconds() for begin, finish in strip.window) / 3600
        parts.append(
            f"The window covers {_n(hours)} hours in {len(strip.window)} "
            f"interval{_s(len(strip.window))}."
        )
    count = len(strip.firings)
    parts.append(f"{count} scheduled warm invocation{_s(count)} this week.")
    parts += [f"Rate source {band.expression}: {band.label}." for band in strip.rate_bands]
    if strip.flexible:
        parts.append("Flexible windows may move invocations later by their length.")
    if strip.worst_gap is not None:
        begin, finish = strip.worst_gap
        parts.append(f"Worst gap from {_when(begin)} to {_until(finish)} UTC.")
    return " ".join(parts)


# --- small pieces -----------------------------------------------------------------------------


def _x(strip: WeekStrip, moment: datetime) -> float:
    return PAD_X + strip.seconds_into(moment) / SECONDS_PER_UNIT


def _span(strip: WeekStrip, begin: datetime, finish: datetime) -> tuple[str, str]:
    x0, x1 = _x(strip, begin), _x(strip, finish)
    return _n(x0), _n(max(x1 - x0, 1.0))


def _n(value: float) -> str:
    """A coordinate with at most two decimals and no trailing zeros: stable text."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _status(status: str) -> str:
    return f'<span class="status status-{_e(status)}">{_e(status)}</span>'


def _names(arns: Sequence[str], empty: str) -> str:
    if not arns:
        return f'<span class="muted">{_e(empty)}</span>'
    items = "".join(
        f'<li><code title="{_e(arn)}">{_e(_short_name(arn))}</code></li>' for arn in arns
    )
    return f'<ul class="names">{items}</ul>'


def _codes(values: Iterable[str]) -> str:
    rendered = ", ".join(f"<code>{_e(value)}</code>" for value in values)
    return rendered or '<span class="muted">none</span>'


def _function_name(arn: str) -> str:
    """`name` or `name:qualifier` from a function ARN."""
    marker = ":function:"
    return arn.split(marker, 1)[1] if marker in arn else arn


def _short_name(arn: str) -> str:
    """What people call a rule, schedule or flow: `rule/name`, `schedule/group/name`, the id."""
    resource = arn.split(":", 5)[5] if arn.count(":") >= 5 else arn
    if "/contact-flow/" in resource or "/flow-module/" in resource:
        return resource.rsplit("/", 2)[-2] + "/" + resource.rsplit("/", 1)[-1]
    return resource


def _day_label(moment: datetime) -> str:
    return f"{_DAY_NAMES[moment.weekday()]} {moment.day} {_MONTH_NAMES[moment.month - 1]}"


def _date(moment: datetime) -> str:
    return f"{_day_label(moment)} {moment.year}"


def _when(moment: datetime) -> str:
    utc = moment.astimezone(UTC)
    return f"{_DAY_NAMES[utc.weekday()]} {utc.hour:02d}:{utc.minute:02d}"


def _until(moment: datetime) -> str:
    """The end of an interval: midnight is 24:00 of the day before, so a week ends on Sunday."""
    utc = moment.astimezone(UTC)
    if (utc.hour, utc.minute, utc.second) == (0, 0, 0):
        return f"{_DAY_NAMES[(utc.weekday() - 1) % 7]} 24:00"
    return _when(utc)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _e(text: str) -> str:
    return escape(text, quote=True)


def _s(count: int) -> str:
    return "" if count == 1 else "s"


FORMAT = Format("html", "warmcheck.html", render)
