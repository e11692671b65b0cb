"""Paging as the service model defines it: page-size limits and opaque continuation tokens."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from checker.sandbox.wire import ApiError, service_model

_DEFAULT_PAGE = re.compile(r"default MaxResult size is (\d+)")


def page_limits(service: str, operation: str, limit_key: str) -> tuple[int, int]:
    """(default, maximum) page size the model gives an operation's page-size parameter.

    The maximum is the member's ``max``; the default is the one its documentation states
    ("The default MaxResult size is 100"), else the maximum.
    """
    shape = service_model(service).operation_model(operation).input_shape
    assert shape is not None
    member = shape.members[limit_key]
    maximum = int(member.metadata["max"])
    documented = _DEFAULT_PAGE.search(member.documentation or "")
    return (int(documented.group(1)) if documented else maximum), maximum


def encode_token(operation: str, offset: int) -> str:
    raw = json.dumps({"op": operation, "offset": offset}).encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode_token(operation: str, token: str, *, error: str) -> int:
    try:
        decoded = json.loads(base64.urlsafe_b64decode(token.encode()))
        if decoded["op"] == operation and int(decoded["offset"]) >= 0:
            return int(decoded["offset"])
    except (ValueError, KeyError, TypeError):
        pass
    raise ApiError(error, f"the pagination token is not valid for {operation}")


def page(
    service: str,
    operation: str,
    items: list[Any],
    params: dict[str, Any],
    *,
    error: str,
    limit_key: str = "MaxResults",
    token_key: str = "NextToken",
) -> tuple[list[Any], str | None]:
    """One page of `items` and the token for the next, or None on the last page."""
    default, _ = page_limits(service, operation, limit_key)
    size = int(params.get(limit_key) or default)
    start = decode_token(operation, params[token_key], error=error) if params.get(token_key) else 0
    end = start + size
    return items[start:end], (encode_token(operation, end) if end < len(items) else None)
