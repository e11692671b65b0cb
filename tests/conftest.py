"""Options and fixtures every test can use."""

from __future__ import annotations

import pytest

from tests.golden import Goldens


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="rewrite tests/data/golden/* from the current output (then read the git diff)",
    )


@pytest.fixture
def goldens(request: pytest.FixtureRequest) -> Goldens:
    """The golden reports; `goldens.check(produced, "drift.warmcheck.sarif")` compares one."""
    return Goldens(update=bool(request.config.getoption("--update-goldens")))
