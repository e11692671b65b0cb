"""The format registry: one module per output format."""

from __future__ import annotations

import dataclasses

from checker.format import html, junit, markdown, sarif
from checker.format import json as json_format
from checker.format.base import Format
from checker.format.escape import json_document, shown_document


def _json_text(fmt: Format) -> Format:
    """A JSON format whose text always encodes: lone surrogates written as \\u escapes."""
    render = fmt.render
    return dataclasses.replace(fmt, render=lambda report: json_document(render(report)))


def _for_people(fmt: Format) -> Format:
    """A format people read as it is: control and formatting characters shown as escapes."""
    render = fmt.render
    return dataclasses.replace(fmt, render=lambda report: shown_document(render(report)))


# Each format passes through its safety net here, so no registered format can skip it.
FORMATS: tuple[Format, ...] = (
    _json_text(json_format.FORMAT),
    junit.FORMAT,  # builds XML from xml_text() strings
    _json_text(sarif.FORMAT),
    _for_people(markdown.FORMAT),
    _for_people(html.FORMAT),
)
DEFAULT_FORMATS = ("json", "junit")


def find_format(name: str) -> Format | None:
    return next((fmt for fmt in FORMATS if fmt.name == name), None)


__all__ = ["DEFAULT_FORMATS", "FORMATS", "Format", "find_format"]
