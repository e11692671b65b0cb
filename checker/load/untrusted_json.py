"""The one way warmcheck parses JSON it did not write: bounded before anything recurses.

AWS hands back JSON inside strings (a target's `Input`, a schedule's input, resource and role
policies, flow content) and users hand over snapshots and baselines. Any of them may nest
thousands of levels deep inside the service's size limits (EventBridge allows 8,192 characters:
4,000 nested arrays). Python's decoder, `json.dumps`, pydantic and every walk over the result
recurse, so depth is checked first, without recursion, on the raw text; a document deeper than
`MAX_DEPTH` is refused with `UntrustedJsonError` (a ValueError) before it is decoded. Integers
longer than Python converts are refused the same way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, Final

__all__ = ["MAX_DEPTH", "UntrustedJsonError", "check_depth", "loads"]

# Deeper than any real policy, flow or payload; far below what decoding and dumping recurse to.
MAX_DEPTH: Final = 64

# A JSON string (escapes included), then everything that is not a bracket: both removed at C
# speed, so a 50 MB snapshot is checked in a fraction of its decoding time.
_STRING: Final = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET: Final = re.compile(r"[^\[\]{}]+")
_EMPTY_PAIR: Final = re.compile(r"\[\]|\{\}")  # one pass removes exactly one level


# A decoder without hooks holds no state between calls (json.loads shares one the same way);
# making one costs about as much as decoding a policy document.
_PLAIN_DECODER: Final = json.JSONDecoder()


class UntrustedJsonError(ValueError):
    """JSON that is malformed, nested deeper than MAX_DEPTH, or holds an unconvertible number."""


def check_depth(text: str, max_depth: int = MAX_DEPTH) -> None:
    """Raise UntrustedJsonError when brackets outside strings nest deeper than `max_depth`.

    Each round deletes the innermost empty pairs, so n rounds empty a document n deep; what
    still shrinks after `max_depth` rounds is deeper. (Unbalanced brackets stop shrinking and
    are left for the decoder to report with a position.)
    """
    if text.count("[") + text.count("{") <= max_depth:
        return  # too few brackets, strings included, to nest deeper: no regex pass needed
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    for _ in range(max_depth):
        if not brackets:
            return
        brackets = _EMPTY_PAIR.sub("", brackets)
    if brackets and _EMPTY_PAIR.search(brackets):
        raise UntrustedJsonError(f"nested more than {max_depth} levels deep")


def loads(
    text: str | bytes,
    *,
    max_depth: int = MAX_DEPTH,
    object_pairs_hook: Callable[[list[tuple[str, Any]]], Any] | None = None,
    parse_constant: Callable[[str], Any] | None = None,
    parse_float: Callable[[str], Any] | None = None,
) -> Any:
    """`json.loads` that cannot recurse without bound; every failure is a ValueError.

    Malformed text is a JSONDecodeError (with its position); too deep, not UTF-8 or an
    unconvertible number is UntrustedJsonError.
    """
    if isinstance(text, bytes | bytearray):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as error:
            raise UntrustedJsonError(f"not UTF-8: {error.reason} at byte {error.start}") from None
    check_depth(text, max_depth)
    if object_pairs_hook is None and parse_constant is None and parse_float is None:
        decoder = _PLAIN_DECODER
    else:
        decoder = json.JSONDecoder(
            object_pairs_hook=object_pairs_hook,
            parse_constant=parse_constant,
            parse_float=parse_float,
        )
    try:
        return decoder.decode(text)
    except json.JSONDecodeError:
        raise
    except RecursionError:  # only if the caller's stack was nearly full already
        raise UntrustedJsonError("nested too deeply to parse") from None
    except ValueError as error:  # an integer longer than Python converts
        raise UntrustedJsonError(" ".join(str(error).split())) from None
