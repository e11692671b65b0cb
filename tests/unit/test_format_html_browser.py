"""warmcheck.html in a real browser: headless Chromium (Debian's package) renders the page at
800 px, and the tests read the DOM it built, a layout probe run inside the page, a screenshot
and a printed PDF, rather than only the HTML text.

Without Chromium a developer gets a skip that says how to install it; in CI (CI=true, which
.ci/run sets after installing it) a missing browser fails the test instead.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path
from typing import Any

import pytest

from checker.cli import main
from checker.engine import PolicyRef, evaluate
from checker.format import html
from tests.scenario import NOW, default_policy
from tests.unit.test_format_html import Element, parse
from tests.unit.test_names import connect_denied

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
WIDTH = 800
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

# Appended to a copy of the page: opens every <details> (as printing does), then records what a
# reviewer would see at this width. Written into the DOM, so --dump-dom carries it out.
PROBE = """
<script>
(function () {
  Array.prototype.forEach.call(document.querySelectorAll("details"), function (d) {
    d.open = true;
  });
  var split = [];
  var range = document.createRange();
  var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  var node;
  while ((node = walker.nextNode())) {
    if (node.parentElement.closest("svg, script, style, select, option, output")) { continue; }
    var word = /\\S+/g, match;
    while ((match = word.exec(node.data))) {
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      var tops = {};
      Array.prototype.forEach.call(range.getClientRects(), function (r) {
        if (r.width > 0) { tops[Math.round(r.top)] = true; }
      });
      if (Object.keys(tops).length > 1) { split.push(match[0]); }
    }
  }
  function styles(selector, property) {
    return Array.prototype.map.call(document.querySelectorAll(selector), function (e) {
      return [e.className, e.textContent.trim().slice(0, 60), getComputedStyle(e)[property]];
    });
  }
  var probe = document.createElement("pre");
  probe.id = "layout-probe";
  probe.textContent = JSON.stringify({
    width: window.innerWidth,
    scrollWidth: document.documentElement.scrollWidth,
    split: split,
    badges: styles("#coverage .status", "backgroundColor"),
    strips: styles("figure.strip", "borderLeftColor"),
    fixes: document.querySelectorAll("article.finding p.fix").length,
    tableScroll: (function (wrap) {
      return wrap ? wrap.scrollWidth - wrap.clientWidth : 0;
    })(document.getElementById("coverage-wrap"))
  });
  document.body.appendChild(probe);
})();
</script>
"""


def chromium() -> str:
    for name in BROWSERS:
        path = shutil.which(name)
        if path is not None:
            return path
    reason = (
        "headless Chromium is not installed, so the HTML report's browser test cannot run: "
        "apt-get install chromium (Debian's package; .ci/run installs it)"
    )
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{reason}. CI=true: this test must run in CI, not be skipped")
    pytest.skip(reason)


def browse(page: Path, profile: Path, *action: str, height: int = 1200) -> str:
    """Run headless Chromium on a local file with no network, sync or first-run work."""
    result = subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            f"--user-data-dir={profile}",
            f"--window-size={WIDTH},{height}",
            *action,
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


# Names as long as real contact centers use (the demo's): the coverage table must still fit.
LONG_NAMES = {
    "billing": "appointment-booking-confirmation",
    "crm-lookup": "customer-relationship-lookup",
    "survey": "post-call-survey-capture",
    '"Main"': '"Main IVR for Premium Customers"',
    '"Post-call survey"': '"Post-call Customer Satisfaction Survey"',
}


def render_drift(out: Path, snapshot: Path) -> Path:
    cwd = Path.cwd()
    os.chdir(ROOT)
    try:
        code = main(
            [
                "check",
                "--snapshot",
                str(snapshot),
                "--policy",
                "tests/data/policies/strict.yaml",
                "--out-dir",
                str(out),
                "--format",
                "html,json",
                "-q",
            ]
        )
    finally:
        os.chdir(cwd)
    assert code == 1
    return out / "warmcheck.html"


@pytest.fixture(scope="module")
def drift_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_drift(tmp_path_factory.mktemp("html"), DATA / "snapshots" / "drift.json")


@pytest.fixture(scope="module")
def long_names_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("long")
    text = (DATA / "snapshots" / "drift.json").read_text(encoding="utf-8")
    for short, long in LONG_NAMES.items():
        text = text.replace(short, long)
    snapshot = out / "long-names.json"
    snapshot.write_text(text, encoding="utf-8")
    page = render_drift(out, snapshot)
    assert "customer-relationship-lookup:prod" in page.read_text()
    return page


def probed(page: Path, tmp_path: Path) -> tuple[Element, dict[str, Any]]:
    """The DOM Chromium built for `page` (with the probe), and what the probe measured."""
    copy = tmp_path / "probed.html"
    copy.write_text(page.read_text().replace("</body>", PROBE + "</body>"), encoding="utf-8")
    dom = browse(copy, tmp_path / "profile", "--dump-dom")
    root = parse("<!DOCTYPE html>" + dom)
    measured = json.loads(
        next(e for e in root.iter("pre") if e.attrs.get("id") == "layout-probe").all_text()
    )
    return root, measured


def test_the_browser_runs_the_page_and_shows_every_finding_with_its_fix(
    drift_page: Path, tmp_path: Path
) -> None:
    report = json.loads((drift_page.parent / "warmcheck.json").read_text())
    root, measured = probed(drift_page, tmp_path)
    # The inline script ran: the filters were revealed and counted the findings.
    filters = next(e for e in root.iter("div") if e.attrs.get("id") == "filters")
    assert "hidden" not in filters.attrs
    shown = next(e for e in root.iter("output") if e.attrs.get("id") == "filter-shown")
    total = len(report["findings"])
    assert shown.all_text() == f"{total} of {total} shown"
    assert measured["fixes"] == total
    groups = root.iter("section", "group")
    assert {g.find("h3").all_text() for g in groups} >= {"Flow Routing", "Function billing"}


@pytest.mark.parametrize("which", ["drift_page", "long_names_page"])
def test_at_800_px_nothing_overflows_and_no_word_breaks_inside(
    which: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    page: Path = request.getfixturevalue(which)
    _, measured = probed(page, tmp_path)
    assert measured["width"] == WIDTH
    assert measured["scrollWidth"] <= WIDTH, "the page scrolls sideways at 800 px"
    assert measured["split"] == [], f"words broken across lines: {measured['split'][:10]}"
    if which == "drift_page":  # names of a usual length fit without scrolling the table
        assert measured["tableScroll"] == 0


def test_cold_strips_look_cold(drift_page: Path, tmp_path: Path) -> None:
    _, measured = probed(drift_page, tmp_path)
    red = "rgb(180, 35, 24)"
    assert measured["strips"], "no week strip was rendered"
    assert all(color == red for _, _, color in measured["strips"])  # all three are cold
    assert all(color == red for cls, _, color in measured["badges"] if cls.endswith("cold"))


def test_a_warm_but_broken_function_is_not_green_in_the_browser(tmp_path: Path) -> None:
    report = evaluate(
        default_policy(), connect_denied().snapshot(), NOW, policy_ref=PolicyRef("p.yaml", "0" * 64)
    )
    page = tmp_path / "broken.html"
    page.write_text(html.render(report), encoding="utf-8")
    _, measured = probed(page, tmp_path)
    green = "rgb(6, 118, 71)"
    badges = {text: color for _, text, color in measured["badges"]}
    assert badges["warm, but broken"] == "rgb(180, 35, 24)"
    assert badges["warm"] == green  # crm-lookup:prod has no finding: plainly warm
    strips = {cls.split()[-1]: color for cls, _, color in measured["strips"]}
    assert strips["strip-broken"] != green
    assert strips["strip-warm"] == green


def png_facts(data: bytes) -> tuple[int, int, int]:
    """Width, height and the number of distinct byte values in the decoded image data."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    chunks, offset = [], 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        if kind == b"IDAT":
            chunks.append(data[offset + 8 : offset + 8 + length])
        offset += 12 + length
    pixels = zlib.decompress(b"".join(chunks))
    return width, height, len(set(pixels))


def test_the_screenshot_is_a_real_picture_of_the_page(drift_page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    browse(drift_page, tmp_path / "profile", f"--screenshot={shot}", height=1000)
    width, height, distinct = png_facts(shot.read_bytes())
    assert (width, height) == (WIDTH, 1000)
    assert distinct > 50, "the screenshot is (nearly) one colour: nothing was drawn"


def test_the_page_prints(drift_page: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    browse(drift_page, tmp_path / "profile", "--no-pdf-header-footer", f"--print-to-pdf={pdf}")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    assert pages >= 2, "the whole report printed on fewer pages than it holds"
