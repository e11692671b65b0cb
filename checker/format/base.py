"""What a formatter is: a pure function from an Evaluation to the text of one file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from checker.engine import Evaluation


@dataclass(frozen=True, slots=True)
class Format:
    name: str
    filename: str
    render: Callable[[Evaluation], str]
