"""The format registry: one module per output format."""

from __future__ import annotations

from checker.format import html, junit, markdown, sarif
from checker.format import json as json_format
from checker.format.base import Format

FORMATS: tuple[Format, ...] = (
    json_format.FORMAT,
    junit.FORMAT,
    sarif.FORMAT,
    markdown.FORMAT,
    html.FORMAT,
)
DEFAULT_FORMATS = ("json", "junit")


def find_format(name: str) -> Format | None:
    return next((fmt for fmt in FORMATS if fmt.name == name), None)


__all__ = ["DEFAULT_FORMATS", "FORMATS", "Format", "find_format"]
