"""Runtime evidence in Markdown and HTML: fired-versus-due bars, cold starts per function."""

from __future__ import annotations

import re
from datetime import timedelta

from checker.engine import Evaluation, PolicyRef, evaluate
from checker.format import html, markdown
from checker.format.evidence_view import text_bar
from checker.model.snapshot import FunctionLogging
from tests.evidence_scenario import (
    FIRED,
    evidence_policy,
    lambda_series,
    log_reading,
    rule_series,
    with_logs,
    with_metrics,
)
from tests.scenario import NOW, default_policy, fn_arn, healthy

REF = PolicyRef("policy.yaml", "0" * 64)
REQUIRED = (fn_arn("crm-lookup", "prod"), fn_arn("billing"))


def metrics_report() -> Evaluation:
    snapshot = with_metrics(
        healthy().snapshot(),
        REQUIRED,
        {
            rule_series("TriggeredRules", "crm-warmer"): 72,
            lambda_series("Errors", "billing"): FIRED,
        },
    )
    return evaluate(evidence_policy(logs=False), snapshot, NOW, policy_ref=REF)


def test_text_bars_fill_by_share() -> None:
    assert text_bar(1.0) == "██████████"
    assert text_bar(0.3) == "███░░░░░░░"
    assert text_bar(0.0) == "░░░░░░░░░░"
    assert text_bar(None) == "··········"


def test_markdown_shows_fired_versus_due_per_warmer() -> None:
    text = markdown.render(metrics_report())
    assert "### Runtime evidence" in text
    assert "| `crm-warmer` | `crm-lookup:prod` | `██░░░░░░░░` | 72 / 288 | **not-firing** |" in text
    assert "| `billing-warmer` | `billing` | `██████████` | 288 / 288 | **failing** |" in text


def test_html_draws_an_svg_bar_per_warmer_coloured_by_verdict() -> None:
    page = html.render(metrics_report())
    assert '<h2 id="evidence-heading">Runtime evidence</h2>' in page
    bars = re.findall(r'<svg class="evidence-bar".*?</svg>', page)
    assert len(bars) == 2
    crm = next(bar for bar in bars if "crm-warmer" in bar)
    assert 'width="40.0"' in crm  # 72 of 288 of a 160-unit bar
    assert "#d92d20" in crm
    assert page == html.render(metrics_report())  # deterministic


def test_cold_starts_per_function_are_drawn_from_logs() -> None:
    scenario = healthy()
    for name in ("crm-lookup", "billing"):
        scenario.update_function(name, logging=FunctionLogging(log_group=f"/aws/lambda/{name}"))
    hour = NOW - timedelta(hours=2)
    snapshot = with_logs(
        scenario.snapshot(),
        log_reading(REQUIRED[0], (hour, 40, 4, 800.0, 600.0)),
        log_reading(REQUIRED[1], (hour, 40, 1, 80.0, 300.0)),
    )
    report = evaluate(evidence_policy(metrics=False), snapshot, NOW, policy_ref=REF)
    text = markdown.render(report)
    assert "| `crm-lookup:prod` | `██████████` | 4 |" in text
    assert "| `billing` | `██░░░░░░░░` | 1 |" in text
    page = html.render(report)
    assert "crm-lookup:prod: 4 cold starts" in page


def test_without_evidence_no_evidence_section_is_written() -> None:
    report = evaluate(default_policy(), healthy().snapshot(), NOW, policy_ref=REF)
    assert "Runtime evidence" not in markdown.render(report)
    assert "Runtime evidence" not in html.render(report)


def test_failing_warmers_are_listed_first() -> None:
    snapshot = with_metrics(
        healthy().snapshot(), REQUIRED, {rule_series("FailedInvocations", "crm-warmer"): 5}
    )
    text = markdown.render(evaluate(evidence_policy(logs=False), snapshot, NOW, policy_ref=REF))
    assert text.index("`crm-warmer`") < text.index("`billing-warmer`")
