"""warmcheck.html: one self-contained page for a review.

The verdict, the counts, a findings table that an inline script can filter by severity, rule and
state (without JavaScript the whole table shows), the coverage matrix, and for each required
function a week strip in inline SVG: the policy window shaded, warm invocations as ticks, rate
sources as bands and the worst gap in red. Nothing is loaded from anywhere: inline CSS and
script, no fonts, no images, and a Content-Security-Policy that forbids fetching. Every text is
escaped; the only time on the page is the snapshot's own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from html import escape

from checker import __version__
from checker.domain.schedule import readable_duration
from checker.engine import CoverageEntry, Evaluation
from checker.format.base import Format
from checker.format.display import (
    display,
    fix_of,
    flagged,
    headline_text,
    name_of,
    named_message,
    plan_entry_of,
    set_aside_text,
    status_label,
)
from checker.format.evidence_view import html_section as html_evidence
from checker.format.markdown import coverage_order, gap_minutes
from checker.format.week_strip import RateBand, WeekStrip, week_strip
from checker.model.findings import SEVERITIES, SEVERITY_RANK, Finding

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
# A cold, unknown or broken function's strip is outlined so it does not look calm.
_OUTLINE = {"cold": ("#d92d20", 3), "unknown": ("#b54708", 3), "broken": ("#b54708", 3)}
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
code { font: 12.5px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
/* ARNs break only after ':' and '/' (<wbr>), never inside a word. */
code.arn { overflow-wrap: normal; word-break: normal; }
.nw { white-space: nowrap; }
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
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px;
  border-bottom: 1px solid var(--line); }
th { background: var(--soft); font-weight: 600; }
td.number, th.number { text-align: right; }
td.number { white-space: nowrap; }
/* Six columns of names fit 800 px: smaller type and padding. */
#coverage { font-size: 13px; }
.table-wrap { overflow-x: auto; }
#coverage th, #coverage td { padding: 5px 6px; }
#coverage .status { border-radius: 8px; }
.sev, .status { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 12px;
  font-weight: 600; color: #fff; white-space: nowrap; }
.sev-high { background: var(--high); }
.sev-medium { background: var(--medium); }
.sev-low { background: var(--low); }
.status-warm { background: var(--pass); }
.status-cold { background: var(--fail); }
.status-unknown { background: var(--incomplete); }
.status-waived { background: var(--low); }
.status-broken-high { background: var(--high); }
.status-broken-medium { background: var(--medium); }
.muted, .details { color: var(--muted); font-size: 12.5px; }
.details { margin: 4px 0 0; padding: 0; list-style: none; }
section.group { border: 1px solid var(--line); border-radius: 6px; margin: 0 0 14px;
  padding: 8px 14px 4px; break-inside: avoid; }
section.group > h3 { margin: 2px 0 2px; }
section.group > p.callers { margin: 0 0 6px; }
article.finding { border-top: 1px solid var(--soft); padding: 8px 0; }
article.finding > header { display: flex; flex-wrap: wrap; gap: 4px 10px; align-items: baseline; }
article.finding p { margin: 4px 0 0; }
article.finding p.fix { background: #f0f9ff; border-left: 3px solid #2e90fa; padding: 4px 8px; }
article.not-counting { color: var(--muted); }
details.arn { display: inline-block; }
details.arn > summary { cursor: pointer; }
details.arn[open] { display: block; }
details.arn code { display: block; margin: 2px 0 4px 14px; }
details.subject { font-size: 12.5px; color: var(--muted); margin: 0 0 2px; }
details.arns { margin: 4px 0 0; font-size: 12.5px; }
details.arns > summary { cursor: pointer; color: var(--muted); }
details.arns dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 10px;
  margin: 4px 0 0 14px; }
details.arns dd { margin: 0; }
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
figure.strip { margin: 0 0 18px; padding: 6px 8px; border-left: 6px solid var(--pass);
  break-inside: avoid; }
figure.strip figcaption { margin: 0 0 2px; }
figure.strip-cold { border-left-color: var(--fail); background: #fef3f2; }
figure.strip-unknown { border-left-color: var(--incomplete); background: #fffaeb; }
figure.strip-broken { border-left-color: var(--medium); background: #fffaeb; }
figure.strip-waived { border-left-color: var(--low); }
figure.strip .verdict-line { font-weight: 600; }
figure.strip-cold .verdict-line { color: var(--fail); }
figure.strip-broken .verdict-line, figure.strip-unknown .verdict-line { color: var(--medium); }
svg.week-strip { width: 100%; height: auto; display: block; }
svg .day { font: 11px system-ui, sans-serif; fill: #344054; }
svg .hour { font: 8px system-ui, sans-serif; fill: #98a2b3; }
svg .band-label { font: 600 10px system-ui, sans-serif; fill: #1849a9; }
svg .gap-label { font: bold 10px system-ui, sans-serif; fill: #b42318; }
svg .empty { font: 12px system-ui, sans-serif; fill: #667085; }
footer { color: var(--muted); font-size: 12.5px; margin: 32px auto 24px; }
@media (max-width: 840px) { main, .banner > div, footer { padding: 0 14px; } }
@media print {
  @page { margin: 12mm; }
  body { font-size: 10.5pt; }
  [hidden] { display: revert !important; }
  .filters, .filters[hidden] { display: none !important; }
  .banner { color: var(--ink); background: none !important; border: 3px solid currentColor;
    padding: 8px 0; }
  .verdict-fail .verdict { color: var(--fail); }
  .sev, .status, figure.strip, .swatch, svg { print-color-adjust: exact;
    -webkit-print-color-adjust: exact; }
  a { color: inherit; text-decoration: none; }
  main, .banner > div, footer { max-width: none; padding: 0; }
  section.group, article.finding, figure.strip, tr { break-inside: avoid; }
  .table-wrap { overflow: visible; }
  #coverage code.arn { overflow-wrap: anywhere; }
  h2 { break-after: avoid; }
}
"""

SCRIPT = """
(function () {
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details"), function (d) {
      d.open = true;
    });
  });
  var filters = document.getElementById("filters");
  var list = document.getElementById("findings");
  if (!filters || !list) { return; }
  var items = Array.prototype.slice.call(list.querySelectorAll("article.finding"));
  var groups = Array.prototype.slice.call(list.querySelectorAll("section.group"));
  var pick = {
    severity: document.getElementById("filter-severity"),
    rule: document.getElementById("filter-rule"),
    state: document.getElementById("filter-state")
  };
  var shown = document.getElementById("filter-shown");
  function apply() {
    var visible = 0;
    items.forEach(function (item) {
      var keep = Object.keys(pick).every(function (key) {
        return !pick[key].value || item.getAttribute("data-" + key) === pick[key].value;
      });
      item.hidden = !keep;
      if (keep) { visible += 1; }
    });
    groups.forEach(function (group) {
      group.hidden = !group.querySelector("article.finding:not([hidden])");
    });
    shown.textContent = visible + " of " + items.length + " shown";
  }
  Object.keys(pick).forEach(function (key) { pick[key].addEventListener("change", apply); });
  filters.hidden = false;
  apply();
})();
"""


def render(report: Evaluation) -> str:
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


def _banner(report: Evaluation) -> list[str]:
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
    aside = set_aside_text(report)
    return [
        f'<header class="banner verdict-{_e(verdict)}" role="banner">',
        f'<div><h1>warmcheck: <span class="verdict">{_e(verdict.upper())}</span></h1>',
        f"<p>{_e(why)} {_e(headline_text(report))}.</p>",
        *([f'<p class="aside">{_e(aside[0].upper() + aside[1:])}.</p>'] if aside else []),
        "</div>",
        "</header>",
    ]


def _context(report: Evaluation) -> list[str]:
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


def _summary(report: Evaluation) -> list[str]:
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


def _findings(report: Evaluation) -> list[str]:
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
        (
            '<p class="muted">Grouped by the function or flow they concern, most severe first. '
            "Each finding carries its fix; every name opens to its ARN.</p>"
        ),
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
        '<div id="findings">',
    ]
    for index, (key, members) in enumerate(_groups(report, findings)):
        lines += _group(report, key, members, f"group-{index}")
    lines += ["</div>", '<h3 id="rules-heading">Rules in this report</h3>']
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding.rule] = counts.get(finding.rule, 0) + 1
    described = "".join(
        f'<dt id="rule-{_e(meta.id)}">{_e(meta.id)} <code>{_e(meta.slug)}</code> '
        f'<span class="sev sev-{meta.severity}">{meta.severity}</span> {_e(meta.title)} '
        f'<span class="muted">({counts[meta.id]} finding{_s(counts[meta.id])})</span></dt>'
        f'<dd><span class="muted">Full documentation: '
        f"<code>warmcheck explain {_e(meta.id)}</code></span></dd>"
        for meta in rules
    )
    lines += [f'<dl class="fixes" aria-labelledby="rules-heading">{described}</dl>', "</section>"]
    return lines


GroupKey = tuple[str, str]  # (kind, ARN or text): what a group of findings is about


def _group_key(finding: Finding) -> GroupKey:
    if finding.function is not None:
        return ("function", finding.function)
    if "/contact-flow/" in finding.resource or "/flow-module/" in finding.resource:
        return ("flow", finding.resource)
    if finding.warmer is not None:
        return ("warmer", finding.warmer)
    return ("other", finding.resource)


def _groups(report: Evaluation, findings: list[Finding]) -> list[tuple[GroupKey, list[Finding]]]:
    """Findings by what they concern; the groups with the most severe open finding first."""
    grouped: dict[GroupKey, list[Finding]] = {}
    for finding in findings:
        grouped.setdefault(_group_key(finding), []).append(finding)

    def order(item: tuple[GroupKey, list[Finding]]) -> tuple[tuple[int, int], str, str]:
        (_, subject), members = item
        return (min(_finding_order(f)[:2] for f in members), name_of(report, subject), subject)

    return sorted(grouped.items(), key=order)


_KIND_LABEL = {"function": "Function", "flow": "Flow", "warmer": "Warmer", "other": ""}


def _group(report: Evaluation, key: GroupKey, members: list[Finding], ident: str) -> list[str]:
    kind, subject = key
    label = _KIND_LABEL[kind]
    is_arn = subject.startswith("arn:")
    heading = _e(name_of(report, subject)) if is_arn else _breakable(subject)
    callers = sorted({flow for finding in members for flow in finding.flows})
    lines = [
        f'<section class="group" id="{ident}" data-kind="{kind}" aria-labelledby="{ident}-h">',
        (
            f'<h3 id="{ident}-h">{_e(label + " ") if label else ""}'
            f'<span class="nw">{heading}</span></h3>'
        ),
    ]
    if is_arn:
        lines.append(
            f'<details class="arn subject"><summary>ARN</summary><code class="arn">'
            f"{_arn(subject)}</code></details>"
        )
    if callers and kind != "flow":
        lines.append(
            f'<div class="callers muted">called by flow{_s(len(callers))} '
            + ", ".join(_named(report, flow) for flow in callers)
            + "</div>"
        )
    lines += [_finding_item(report, finding) for finding in members]
    return [*lines, "</section>"]


def _finding_order(finding: Finding) -> tuple[int, int, tuple[str, str, str, str]]:
    counting = 1 if finding.waived or finding.baselined else 0
    return (counting, -SEVERITY_RANK[finding.severity], finding.sort_key)


def _finding_item(report: Evaluation, finding: Finding) -> str:
    if finding.waiver is not None:
        state = "waived"
        waiver = finding.waiver
        ticket = f", ticket {waiver.ticket}" if waiver.ticket else ""
        state_text = (
            f'<span class="status status-waived">waived</span> <span class="muted">'
            f"{_e(waiver.reason)} (owner {_e(waiver.owner)}, expires "
            f"{waiver.expires.isoformat()}{_e(ticket)})</span>"
        )
    elif finding.baselined:
        state = "baselined"
        state_text = (
            '<span class="status status-waived">baselined</span> '
            '<span class="muted">in the --baseline report: set aside, not failing</span>'
        )
    else:
        state, state_text = "open", ""
    arns = [("resource", finding.resource)]
    if finding.function and finding.function != finding.resource:
        arns.append(("function", finding.function))
    if finding.warmer and finding.warmer != finding.resource:
        arns.append(("warmer", finding.warmer))
    arns += [("flow", flow) for flow in finding.flows]
    arn_rows = "".join(
        f'<dt>{label}</dt><dd>{_e(name_of(report, arn))} <code class="arn">{_arn(arn)}</code></dd>'
        for label, arn in arns
    )
    item_class = "finding" if state == "open" else "finding not-counting"
    plan = plan_entry_of(finding)
    plan_line = f'<p class="plan muted">{_e(plan)}</p>' if plan else ""
    return (
        f'<article class="{item_class}" data-severity="{finding.severity}" '
        f'data-rule="{_e(finding.rule)}" data-state="{state}">'
        f'<header><span class="sev sev-{finding.severity}">{finding.severity}</span>'
        f'<a href="#rule-{_e(finding.rule)}">{_e(finding.rule)}</a>'
        f'<span class="muted nw">{_e(finding.slug)}</span>{state_text}</header>'
        f'<p class="message">{_breakable(named_message(report, finding))}</p>'
        f'<p class="fix"><strong>Fix:</strong> {_breakable(fix_of(report, finding))}</p>'
        f"{plan_line}"
        f'<details class="arns"><summary>ARNs</summary><dl>{arn_rows}</dl></details>'
        "</article>"
    )


def _coverage(report: Evaluation) -> list[str]:
    lines = [
        '<section aria-labelledby="coverage-heading">',
        '<h2 id="coverage-heading">Coverage</h2>',
    ]
    if not report.coverage:
        return [*lines, "<p>No function is required by the policy.</p>", "</section>"]
    lines += [
        # Very long names scroll inside this box rather than break a word or widen the page.
        '<div class="table-wrap" id="coverage-wrap">',
        '<table id="coverage">',
        (
            '<thead><tr><th scope="col">Function</th><th scope="col">Status</th>'
            '<th scope="col" class="number">Worst gap (min)</th><th scope="col">Warmers</th>'
            '<th scope="col">Flows</th></tr></thead>'
        ),
        "<tbody>",
    ]
    for index, entry in enumerate(sorted(report.coverage, key=coverage_order)):
        found = ", ".join(_e(rule) for rule in entry.findings)
        lines.append(
            f'<tr data-status="{_e(entry.status)}"{_flag_attr(entry)}>'
            f'<th scope="row">{_named(report, entry.function)}</th>'
            f'<td>{_status(entry)}<div class="details">{found}</div></td>'
            f'<td class="number"><a href="#strip-{index}" title="its week strip">'
            f"{_e(gap_minutes(entry.worst_gap_seconds))}</a></td>"
            f"<td>{_names(report, entry.warmers, 'no warmer on this qualifier')}</td>"
            f"<td>{_names(report, entry.flows, 'no flow (required by the policy)')}</td></tr>"
        )
    return [*lines, "</tbody>", "</table>", "</div>", "</section>"]


def _flag_attr(entry: CoverageEntry) -> str:
    return f' data-worst="{entry.worst_severity}"' if entry.worst_severity else ""


def _strip_kind(entry: CoverageEntry) -> str:
    return "broken" if flagged(entry) else entry.status


def _strip_verdict(entry: CoverageEntry) -> str:
    """One line under each strip that says what the strip means for callers."""
    if entry.status == "cold":
        return "Cold: callers can meet a cold start (" + (", ".join(entry.findings) or "") + ")."
    if entry.status == "unknown":
        return "Unknown: some of its state could not be read, so it is not known to be warm."
    if entry.status == "waived":
        return "Cold, but every finding about it is waived."
    if flagged(entry):
        return "Warm, but callers still fail or are at risk: " + ", ".join(entry.findings) + "."
    return "Warm: every gap inside the window is within max_interval."


def _strips(report: Evaluation) -> list[str]:
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
            f" · worst gap {_e(readable_duration(entry.worst_gap_seconds))}"
            if entry.worst_gap_seconds
            else ""
        )
        lines += [
            f'<figure class="strip strip-{_strip_kind(entry)}" id="strip-{index}">',
            (
                f"<figcaption><strong>{_e(name_of(report, entry.function))}</strong> "
                f"{_status(entry)}{gap} "
                f'<span class="muted">week of {_e(_date(strip.start))}</span>'
                f'<br><span class="verdict-line">{_e(_strip_verdict(entry))}</span></figcaption>'
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
    title = f"Week strip of {entry.function} ({entry.status}), week of {_date(strip.start)} (UTC)"
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
    outline, stroke = _OUTLINE.get(_strip_kind(entry), ("#98a2b3", 1))
    out.append(
        f'<rect class="outline" x="{PAD_X}" y="{BODY_TOP}" width="{WEEK_WIDTH}" '
        f'height="{BODY_HEIGHT}" fill="none" stroke="{outline}" stroke-width="{stroke}"/>'
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
    label = f"worst gap {readable_duration(seconds)}: {_when(begin)} to {_until(finish)} UTC"
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


def _status(entry: CoverageEntry) -> str:
    """The status badge; a warm function with a medium or high finding never shows plain warm."""
    if flagged(entry):
        css = f"status-broken-{entry.worst_severity}"
        found = ", ".join(entry.findings)
        return f'<span class="status {css}" title="{_e(found)}">{_e(status_label(entry))}</span>'
    return f'<span class="status status-{_e(entry.status)}">{_e(entry.status)}</span>'


def _named(report: Evaluation, arn: str) -> str:
    """A name that opens to its ARN: one click away, never repeated in the row."""
    return (
        f'<details class="arn"><summary>{_breakable(name_of(report, arn))}</summary>'
        f'<code class="arn">{_arn(arn)}</code></details>'
    )


def _names(report: Evaluation, arns: Sequence[str], empty: str) -> str:
    if not arns:
        return f'<span class="muted">{_e(empty)}</span>'
    items = "".join(f"<li>{_named(report, arn)}</li>" for arn in arns)
    return f'<ul class="names">{items}</ul>'


def _codes(values: Iterable[str]) -> str:
    rendered = ", ".join(f"<code>{_e(value)}</code>" for value in values)
    return rendered or '<span class="muted">none</span>'


_ARN_TOKEN = re.compile(r"arn:[A-Za-z0-9_$:/.*-]+")
_SEPARATOR = re.compile(r"(?<=[:/])")


def _arn(arn: str) -> str:
    """An escaped ARN that wraps only after ':' or '/' (or between a UUID's groups): each part
    between them is unbreakable (a hyphen inside `us-east-1` or `crm-lookup` is no place to
    break a line)."""
    parts = [piece for part in _SEPARATOR.split(display(arn)) for piece in _id_groups(part)]
    return "<wbr>".join(f'<span class="nw">{_e(part)}</span>' for part in parts if part)


_UUID = re.compile(r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}[:/]?$")


def _id_groups(part: str) -> list[str]:
    """A UUID (a Connect instance or flow ID) may wrap between its hex groups, like a path."""
    if not _UUID.match(part):
        return [part]
    groups = part.split("-")
    return [group + "-" for group in groups[:-1]] + [groups[-1]]


def _breakable(text: str) -> str:
    """Escaped prose that wraps between words only: ARNs at their separators, and a word with a
    hyphen or slash (a CLI flag, a function name) is kept whole."""
    out = []
    for token in re.split(r"(\s+)", display(text)):
        if not token or token.isspace():
            out.append(_e(token))
            continue
        match = _ARN_TOKEN.search(token)
        if match is not None:
            head, tail = token[: match.start()], token[match.end() :]
            out.append(_e(head) + _arn(match.group(0)) + _e(tail))
        elif "-" in token or "/" in token:
            out.append(f'<span class="nw">{_e(token)}</span>')
        else:
            out.append(_e(token))
    return "".join(out)


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
