"""warmcheck.html: golden, self-contained, filterable, one accessible week strip per function;
and the week-strip computation behind it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from checker.cli import main
from checker.domain.schedule import CronExpression, FiringSource, firings_between, parse_expression
from checker.engine import CoverageEntry, Evaluation, PolicyRef, RuleOutcome
from checker.format import html
from checker.format.registry import FORMATS, find_format
from checker.format.week_strip import (
    WEEK,
    merge_firings,
    monday_of,
    week_strip,
)
from checker.model.findings import SEVERITIES, AppliedWaiver, Finding
from checker.rules.registry import ALL_RULES
from checker.rules.warm001_missing_warmer import MissingWarmer
from tests.golden import Goldens

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
GOLDEN = "drift.warmcheck.html"
DRIFT_SNAPSHOT = DATA / "snapshots" / "drift.json"
STRICT_POLICY = DATA / "policies" / "strict.yaml"
BILLING = "arn:aws:lambda:us-east-1:123456789012:function:billing"
MONDAY = datetime(2026, 11, 2, tzinfo=UTC)  # the drift snapshot's week
NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
EXTERNAL = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)
BUSINESS_HOURS = """\
version: 1
warm:
  max_interval: 5m
  payload: {"warmer": true}
  window: {timezone: UTC, weekly: [{days: [MON-FRI], start: "08:00", end: "18:00"}]}
overrides:
  - function: "legacy-*"
    required: false
"""


@pytest.fixture(autouse=True)
def _in_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the policy path in the report is relative to where warmcheck runs


def run_check(out_dir: Path, policy: Path = STRICT_POLICY, *extra: str) -> str:
    main(
        [
            "check",
            "--snapshot",
            str(DRIFT_SNAPSHOT.relative_to(ROOT)),
            "--policy",
            str(policy.relative_to(ROOT) if policy.is_relative_to(ROOT) else policy),
            "--out-dir",
            str(out_dir),
            "--format",
            "html",
            "--format",
            "json",
            "-q",
            *extra,
        ]
    )
    return (out_dir / "warmcheck.html").read_text(encoding="utf-8")


# --- a small DOM from the stdlib parser -------------------------------------------------------


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    parent: Element | None
    children: list[Element] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    # Text and child elements in document order, so all_text reads as a browser would.
    content: list[str | Element] = field(default_factory=list, repr=False)

    def iter(self, tag: str | None = None, cls: str | None = None) -> list[Element]:
        found = []
        for child in self.children:
            if (tag is None or child.tag == tag) and (
                cls is None or cls in child.attrs.get("class", "").split()
            ):
                found.append(child)
            found += child.iter(tag, cls)
        return found

    def find(self, tag: str | None = None, cls: str | None = None) -> Element:
        matches = self.iter(tag, cls)
        assert matches, f"no <{tag} class={cls}> under <{self.tag}>"
        return matches[0]

    def all_text(self) -> str:
        return "".join(part if isinstance(part, str) else part.all_text() for part in self.content)


VOID = {"meta", "link", "br", "img", "input", "hr", "source", "col", "area", "base", "wbr"}


class DomBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {}, None)
        self.current = self.root
        self.doctype = ""
        self.unbalanced: list[str] = []

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(element)
        self.current.content.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(element)
        self.current.content.append(element)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if self.current.tag != tag:
            self.unbalanced.append(f"</{tag}> closes <{self.current.tag}>")
            return
        assert self.current.parent is not None
        self.current = self.current.parent

    def handle_data(self, data: str) -> None:
        self.current.text.append(data)
        self.current.content.append(data)


def parse(text: str) -> Element:
    builder = DomBuilder()
    builder.feed(text)
    builder.close()
    assert builder.doctype.lower() == "doctype html"
    assert not builder.unbalanced, builder.unbalanced[:5]
    assert builder.current is builder.root, "unclosed elements"
    return builder.root


def strips(root: Element) -> list[Element]:
    return root.iter("svg", "week-strip")


def strip_of(root: Element, function: str) -> Element:
    return next(svg for svg in strips(root) if svg.attrs["data-function"] == function)


def tick_count(svg: Element) -> int:
    return sum(path.attrs["d"].count("M") for path in svg.iter("path", "ticks"))


# --- the drift snapshot -----------------------------------------------------------------------


def test_registered_as_html() -> None:
    fmt = find_format("html")
    assert fmt is not None
    assert fmt.name == html.FORMAT.name
    assert fmt.filename == "warmcheck.html"
    assert fmt in FORMATS


def test_matches_golden_file(tmp_path: Path, goldens: Goldens) -> None:
    goldens.check(run_check(tmp_path), GOLDEN)


def test_is_byte_identical_across_runs(tmp_path: Path) -> None:
    assert run_check(tmp_path / "a") == run_check(tmp_path / "b")


def test_is_well_formed_with_unique_ids(tmp_path: Path) -> None:
    root = parse(run_check(tmp_path))
    ids = [element.attrs["id"] for element in root.iter() if "id" in element.attrs]
    assert len(ids) == len(set(ids))
    assert root.find("html").attrs["lang"] == "en"
    assert root.find("title").all_text() == "warmcheck: FAIL"


def test_references_nothing_outside_the_file(tmp_path: Path) -> None:
    text = run_check(tmp_path)
    root = parse(text)
    assert "http://" not in text
    assert "https://" not in text
    assert "@import" not in text
    assert "@font-face" not in text
    assert not root.iter("link")
    for tag in ("img", "iframe", "object", "embed", "audio", "video", "source", "base"):
        assert not root.iter(tag), tag
    for element in root.iter():
        for name in ("src", "href", "xlink:href", "action", "poster", "srcset"):
            value = element.attrs.get(name)
            if value is not None:
                assert name == "href", f"<{element.tag} {name}=...>"
                assert value.startswith("#"), value
                assert not EXTERNAL.match(value)
    styles = " ".join(
        [style.all_text() for style in root.iter("style")]
        + [element.attrs.get("style", "") for element in root.iter()]
        + [element.attrs.get("fill", "") for element in root.iter()]
    )
    for target in re.findall(r"url\(\s*['\"]?([^'\")]*)", styles):
        assert target.startswith("#"), target
    scripts = root.iter("script")
    assert len(scripts) == 1
    assert "src" not in scripts[0].attrs
    csp = next(m for m in root.iter("meta") if m.attrs.get("http-equiv"))
    assert csp.attrs["content"].startswith("default-src 'none'")


def test_banner_summary_and_findings_table(tmp_path: Path) -> None:
    text = run_check(tmp_path)
    report = json.loads((tmp_path / "warmcheck.json").read_text())
    root = parse(text)
    banner = root.find("header", "banner")
    assert "verdict-fail" in banner.attrs["class"]
    assert "FAIL" in banner.all_text()
    cards = {
        li.find("span", "label").all_text(): li.find("span", "count").all_text()
        for li in root.find("ul", "cards").iter("li")
    }
    assert cards["high"] == "3"
    assert cards["medium"] == "4"
    assert cards["low"] == "2"
    assert cards["required functions"] == "3"
    listing = next(e for e in root.iter("div") if e.attrs.get("id") == "findings")
    rows = listing.iter("article", "finding")
    assert len(rows) == len(report["findings"])
    assert {(r.attrs["data-rule"], r.attrs["data-severity"]) for r in rows} == {
        (f["rule"], f["severity"]) for f in report["findings"]
    }
    # Every finding is visible without JavaScript, and carries its own fix, filled in.
    assert all("hidden" not in row.attrs for row in rows)
    fixes = {f["rule"]: f["fix"] for f in report["findings"]}
    for row in rows:
        assert row.find("p", "fix").all_text() == "Fix: " + fixes[row.attrs["data-rule"]]
    # Grouped by what they concern; the group with the most severe finding first.
    groups = listing.iter("section", "group")
    assert [g.attrs["data-kind"] for g in groups] == ["flow"] + ["function"] * 4
    first = [g.iter("article", "finding")[0].attrs["data-severity"] for g in groups]
    assert first == sorted(first, key=["high", "medium", "low"].index)
    billing = next(g for g in groups if g.find("h3").all_text() == "Function billing")
    assert {a.attrs["data-rule"] for a in billing.iter("article")} == {
        "WARM003",
        "WARM008",
        "WARM009",
    }
    assert BILLING in billing.find("details").all_text()  # the ARN, one click away


def test_filter_controls_have_one_option_per_severity_and_rule(tmp_path: Path) -> None:
    text = run_check(tmp_path)
    report = json.loads((tmp_path / "warmcheck.json").read_text())
    root = parse(text)
    filters = next(e for e in root.iter("div") if e.attrs.get("id") == "filters")
    # The controls need the script: hidden until it runs, so without it nothing half-works.
    assert "hidden" in filters.attrs
    selects = {select.attrs["id"]: select for select in filters.iter("select")}
    severity = [option.attrs["value"] for option in selects["filter-severity"].iter("option")]
    assert severity == ["", *SEVERITIES]
    rules = [option.attrs["value"] for option in selects["filter-rule"].iter("option")]
    assert rules == ["", *sorted({f["rule"] for f in report["findings"]})]
    states = [option.attrs["value"] for option in selects["filter-state"].iter("option")]
    assert states == ["", "open", "waived", "baselined"]
    for select in selects.values():
        assert select.attrs["aria-label"]
    script = root.find("script").all_text()
    for name in ("filter-severity", "filter-rule", "filter-state", "data-"):
        assert name in script


INSTANCE = "arn:aws:connect:us-east-1:123456789012:instance/11111111-2222-3333-4444-555555555555"


def test_coverage_matrix(tmp_path: Path) -> None:
    root = parse(run_check(tmp_path))
    table = next(t for t in root.iter("table") if t.attrs.get("id") == "coverage")
    headers = [th.all_text() for th in table.find("thead").iter("th")]
    assert headers == ["Function", "Status", "Worst gap (min)", "Warmers", "Flows"]
    rows = table.find("tbody").iter("tr")
    assert len(rows) == 3
    billing = next(row for row in rows if BILLING in row.all_text())
    assert billing.attrs["data-status"] == "cold"
    # Names lead; each ARN sits once in the row, inside the <details> its name opens.
    summaries = [summary.all_text() for summary in billing.iter("summary")]
    assert summaries == ["billing", "billing-warmer", "Main"]
    codes = [code.all_text() for code in billing.iter("code")]
    assert codes == [
        BILLING,
        "arn:aws:events:us-east-1:123456789012:rule/billing-warmer",
        f"{INSTANCE}/contact-flow/main",
    ]
    assert billing.all_text().count(BILLING) == 1
    cells = [td.all_text() for td in billing.iter("td")]
    assert "15" in cells
    assert "coldWARM003, WARM008, WARM009" in cells  # the badge, then the findings under it


def test_one_accessible_week_strip_per_coverage_entry(tmp_path: Path) -> None:
    text = run_check(tmp_path)
    report = json.loads((tmp_path / "warmcheck.json").read_text())
    root = parse(text)
    svgs = strips(root)
    assert sorted(svg.attrs["data-function"] for svg in svgs) == sorted(
        c["function"] for c in report["coverage"]
    )
    ids = {element.attrs["id"]: element for element in root.iter() if "id" in element.attrs}
    for svg in svgs:
        assert svg.attrs["role"] == "img"
        assert svg.children[0].tag == "title"
        labelled = svg.attrs["aria-labelledby"].split()
        assert [ids[ident].tag for ident in labelled] == ["title", "desc"]
        assert svg.attrs["data-function"] in ids[labelled[0]].all_text()
        days = [t.all_text().split()[0] for t in svg.iter("text", "day")]
        assert days == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        # window "always": one rectangle over the whole week
        windows = svg.iter("rect", "window")
        assert [(w.attrs["x"], w.attrs["width"]) for w in windows] == [
            (str(html.PAD_X), str(html.WEEK_WIDTH))
        ]


def test_warmed_function_has_ticks_and_its_worst_gap(tmp_path: Path) -> None:
    root = parse(run_check(tmp_path))
    billing = strip_of(root, BILLING)
    # cron(0/15 * * * ? *): a tick every 15 minutes, 1.5 units apart, so none merge.
    assert billing.attrs["data-firings"] == "672"
    assert tick_count(billing) == 672
    assert not billing.iter("rect", "tick-band")
    gap = billing.find("g", "worst-gap")
    assert "worst gap 15 min: Mon 12:00 to Mon 12:15 UTC" in gap.find("title").all_text()
    # Nothing fires for the cold functions without warmers.
    survey = strip_of(root, "arn:aws:lambda:us-east-1:123456789012:function:survey")
    assert tick_count(survey) == 0
    assert "no scheduled warm invocation" in survey.find("text", "empty").all_text()


def test_business_hours_window_is_drawn_as_rectangles(tmp_path: Path) -> None:
    policy = tmp_path / "business-hours.yaml"
    policy.write_text(BUSINESS_HOURS)
    root = parse(run_check(tmp_path / "out", policy))
    billing = strip_of(root, BILLING)
    windows = billing.iter("rect", "window")
    # From the snapshot (Monday 12:00) on: Mon 12-18, then Tue-Fri 08-18, nothing at the weekend.
    assert len(windows) == 5
    unit = html.DAY_WIDTH / 24  # per hour
    assert float(windows[0].attrs["x"]) == pytest.approx(html.PAD_X + 12 * unit)
    assert float(windows[0].attrs["width"]) == pytest.approx(6 * unit)
    for day, window in enumerate(windows[1:], start=1):
        assert float(window.attrs["x"]) == pytest.approx(html.PAD_X + (24 * day + 8) * unit)
        assert float(window.attrs["width"]) == pytest.approx(10 * unit)
        assert window.find("title").all_text().endswith("18:00 UTC")
    before = billing.find("rect", "before-snapshot")
    assert float(before.attrs["width"]) == pytest.approx(12 * unit)
    assert "The window covers 46 hours in 5 intervals." in billing.find("desc").all_text()


def synthetic_report(
    findings: tuple[Finding, ...], coverage: tuple[CoverageEntry, ...], policy: str = "p.yaml"
) -> Evaluation:
    return Evaluation(
        policy=PolicyRef(policy, "0" * 64),
        accounts=("123456789012",),
        regions=("us-east-1",),
        collected_at=NOW,
        fail_on="low",
        outcomes=tuple(
            RuleOutcome(
                rule.meta,
                tuple(sorted({f.resource for f in findings if f.rule == rule.meta.id})),
                tuple(f for f in findings if f.rule == rule.meta.id),
            )
            for rule in ALL_RULES
        ),
        coverage=coverage,
    )


def test_all_text_is_escaped() -> None:
    nasty = 'arn:aws:lambda:us-east-1:123456789012:function:x"><script>alert(1)</script>'
    finding = MissingWarmer.finding(resource=nasty, message="<img src=x onerror=alert(1)> & co")
    waiver = AppliedWaiver(0, "<b>because</b>", "o'neil", date(2027, 1, 1), None)
    report = synthetic_report(
        (replace(finding, waiver=waiver),),
        (CoverageEntry(nasty, "waived", (nasty,), None, None, (nasty,)),),
        policy="<policy>.yaml",
    )
    text = html.render(report)
    assert "<script>alert" not in text
    assert "<img" not in text
    assert "<b>because" not in text
    root = parse(text)
    assert len(root.iter("script")) == 1
    row = root.find("article", "finding")
    assert "<img src=x onerror=alert(1)> & co" in row.all_text()
    assert "<b>because</b>" in row.all_text()
    assert row.attrs["data-state"] == "waived"
    assert strips(root)[0].attrs["data-function"] == nasty


def test_pass_report_without_findings_or_functions() -> None:
    root = parse(html.render(synthetic_report((), ())))
    assert "verdict-pass" in root.find("header", "banner").attrs["class"]
    assert "No findings." in root.all_text()
    assert not strips(root)
    assert not root.iter("select")


# --- the week strip ---------------------------------------------------------------------------


def entry(*sources: FiringSource, **fields: object) -> CoverageEntry:
    values: dict[str, object] = {
        "function": BILLING,
        "status": "warm",
        "warmers": (),
        "worst_gap_seconds": None,
        "worst_gap_start": None,
        "flows": (),
        "firing_sources": sources,
        "strip_start": MONDAY,
        "strip_window": None,
    }
    values.update(fields)
    return CoverageEntry(**values)  # type: ignore[arg-type]


def cron(text: str) -> CronExpression:
    parsed = parse_expression(text)
    assert isinstance(parsed, CronExpression)
    return parsed


def test_a_cron_every_15_minutes_fires_672_times_a_week() -> None:
    strip = week_strip(entry(FiringSource("cron(0/15 * * * ? *)")), NOW)
    assert len(strip.firings) == 7 * 24 * 4 == 672
    assert strip.firings[0] == MONDAY
    assert strip.firings[-1] == MONDAY + WEEK - timedelta(minutes=15)
    assert strip.always
    assert strip.window == ((MONDAY, MONDAY + WEEK),)
    assert not strip.rate_bands


def test_a_weekday_cron_has_no_firings_at_the_weekend() -> None:
    strip = week_strip(entry(FiringSource("cron(0 * ? * MON-FRI *)")), NOW)
    assert len(strip.firings) == 5 * 24
    assert {moment.weekday() for moment in strip.firings} == {0, 1, 2, 3, 4}


@pytest.mark.parametrize(
    ("monday", "utc_hour"),
    [
        (datetime(2026, 3, 2, tzinfo=UTC), 14),  # EST, UTC-5
        (datetime(2026, 3, 9, tzinfo=UTC), 13),  # EDT from Sunday 8 March: UTC-4
    ],
)
def test_a_scheduler_cron_in_new_york_lands_on_utc_minutes(monday: datetime, utc_hour: int) -> None:
    source = FiringSource("cron(30 9 ? * MON-FRI *)", timezone="America/New_York")
    strip = week_strip(entry(source, strip_start=monday), monday)
    assert [(m.weekday(), m.hour, m.minute) for m in strip.firings] == [
        (day, utc_hour, 30) for day in range(5)
    ]


def test_a_daylight_saving_change_inside_the_week_moves_the_utc_time() -> None:
    monday = datetime(2026, 10, 26, tzinfo=UTC)  # New York falls back on Sunday 1 November
    source = FiringSource("cron(0 9 * * ? *)", timezone="America/New_York")
    strip = week_strip(entry(source, strip_start=monday), monday)
    assert [m.hour for m in strip.firings] == [13, 13, 13, 13, 13, 13, 14]


def test_rate_sources_are_a_band_not_ticks() -> None:
    strip = week_strip(entry(FiringSource("rate(5 minutes)")), NOW)
    assert strip.firings == ()
    assert len(strip.rate_bands) == 1
    band = strip.rate_bands[0]
    assert (band.start, band.end) == (MONDAY, MONDAY + WEEK)
    assert band.label == "every 5 min, phase unknown"
    flexible = FiringSource("rate(1 hour)", flexible_window_minutes=10)
    assert week_strip(entry(flexible), NOW).rate_bands[0].label == (
        "every 1 h, phase unknown, flexible window 10 min"
    )


def test_active_dates_bound_what_is_drawn() -> None:
    source = FiringSource(
        "cron(0 * * * ? *)",
        start=MONDAY + timedelta(days=2),
        end=MONDAY + timedelta(days=3, hours=5),  # inclusive, like the engine
    )
    strip = week_strip(entry(source, FiringSource("rate(10 minutes)", end=MONDAY)), NOW)
    assert strip.firings[0] == MONDAY + timedelta(days=2)
    assert strip.firings[-1] == MONDAY + timedelta(days=3, hours=5)
    assert len(strip.firings) == 24 + 6
    assert len(strip.rate_bands) == 1
    assert strip.rate_bands[0].end == MONDAY + timedelta(seconds=1)


def test_flexible_windows_are_spans_after_each_firing() -> None:
    source = FiringSource("cron(0 * * * ? *)", flexible_window_minutes=15)
    strip = week_strip(entry(source), NOW)
    assert len(strip.flexible) == 168
    assert strip.flexible[0] == (MONDAY, MONDAY + timedelta(minutes=15))
    dense = FiringSource("cron(0/10 * * * ? *)", flexible_window_minutes=15)
    assert week_strip(entry(dense), NOW).flexible == ((MONDAY, MONDAY + WEEK),)


def test_window_and_worst_gap_are_clipped_to_the_week() -> None:
    window = (
        (MONDAY - timedelta(hours=2), MONDAY + timedelta(hours=2)),
        (MONDAY + timedelta(days=6, hours=20), MONDAY + timedelta(days=7, hours=4)),
    )
    gap_start = MONDAY + timedelta(days=6, hours=23)
    strip = week_strip(
        entry(strip_window=window, worst_gap_seconds=7200, worst_gap_start=gap_start), NOW
    )
    assert not strip.always
    assert strip.window == (
        (MONDAY, MONDAY + timedelta(hours=2)),
        (MONDAY + timedelta(days=6, hours=20), MONDAY + WEEK),
    )
    assert strip.worst_gap == (gap_start, MONDAY + WEEK)
    elsewhere = entry(worst_gap_seconds=60, worst_gap_start=MONDAY - timedelta(days=1))
    assert week_strip(elsewhere, NOW).worst_gap is None


def test_the_week_before_the_snapshot_is_not_evaluated() -> None:
    assert week_strip(entry(), NOW).evaluated_from == NOW
    assert week_strip(entry(), MONDAY - timedelta(days=3)).evaluated_from == MONDAY
    assert week_strip(entry(strip_start=None), NOW).start == MONDAY


def test_dense_firings_merge_into_bands_at_the_drawing_resolution() -> None:
    every_five = firings_between(cron("cron(0/5 * * * ? *)"), "UTC", MONDAY, MONDAY + WEEK)
    assert len(every_five) == 2016
    marks = merge_firings(every_five, timedelta(minutes=10))
    assert len(marks) == 1
    assert (marks[0].start, marks[0].end, marks[0].count) == (
        MONDAY,
        MONDAY + WEEK - timedelta(minutes=5),
        2016,
    )
    every_fifteen = firings_between(cron("cron(0/15 * * * ? *)"), "UTC", MONDAY, MONDAY + WEEK)
    assert all(mark.is_tick for mark in merge_firings(every_fifteen, timedelta(minutes=10)))
    business = firings_between(cron("cron(0/5 8-17 ? * MON-FRI *)"), "UTC", MONDAY, MONDAY + WEEK)
    assert len(merge_firings(business, timedelta(minutes=10))) == 5  # one band a day
    with pytest.raises(ValueError, match="positive"):
        merge_firings(every_five, timedelta(0))


def test_every_minute_is_drawn_with_a_bounded_number_of_marks() -> None:
    every_minute = entry(FiringSource("cron(* * * * ? *)"))
    strip = week_strip(every_minute, NOW)
    assert len(strip.firings) == 7 * 1440
    assert len(strip.marks(html.MERGE_WITHIN)) == 1
    root = parse(html.render(synthetic_report((), (every_minute,))))
    svg = strips(root)[0]
    assert svg.attrs["data-firings"] == "10080"
    assert tick_count(svg) == 0
    assert len(svg.iter("rect", "tick-band")) == 1


def test_monday_of() -> None:
    assert monday_of(datetime(2026, 11, 8, 23, 59, tzinfo=UTC)) == MONDAY
    assert monday_of(MONDAY) == MONDAY
    assert monday_of(datetime(2026, 11, 9, tzinfo=UTC)) == MONDAY + WEEK


def test_an_at_expression_is_left_out() -> None:
    strip = week_strip(entry(FiringSource("at(2026-11-03T10:00:00)")), NOW)
    assert strip.firings == ()
    assert strip.undrawn == ("at(2026-11-03T10:00:00)",)


def test_print_layout_hides_the_filters_and_opens_every_name(tmp_path: Path) -> None:
    root = parse(run_check(tmp_path))
    style = root.find("style").all_text()
    printed = style[style.index("@media print") :]
    assert ".filters, .filters[hidden] { display: none !important; }" in printed
    assert "break-inside: avoid" in printed
    script = root.find("script").all_text()
    assert 'addEventListener("beforeprint"' in script
    assert "d.open = true" in script
