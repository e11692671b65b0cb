"""The AWS wire protocols, as far as the sandbox needs them, driven by botocore's service models.

Three jobs: tell which service and operation a raw HTTP request is for (SigV4 credential scope,
``X-Amz-Target``, ``Action=``, the Smithy RPC path, or method + path matched against the model's
``requestUri``); decode and validate a rest-json request into the operation's parameters; and
encode rest-json results and errors in every protocol a fault may have to answer in.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs, unquote
from xml.sax.saxutils import escape

import botocore.session
from botocore.model import OperationModel, ServiceModel, Shape, StructureShape

# Signing names that differ from botocore's service name (the name clients and keys use).
_SIGNING_ALIASES = {"monitoring": "cloudwatch", "eventbridge": "events"}
_SERVICES = 32  # more than the sandbox serves: each model and route table is loaded once

_botocore_session = botocore.session.get_session()


class ApiError(Exception):
    """An error the sandbox answers as the AWS service would: code, message, HTTP status."""

    def __init__(self, code: str, message: str, status: int | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


@dataclass(frozen=True)
class HttpRequest:
    """One request as it came off the socket; `target` is the raw request-target."""

    method: str
    target: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    @property
    def query(self) -> dict[str, list[str]]:
        raw = self.target.split("?", 1)[1] if "?" in self.target else ""
        return parse_qs(raw, keep_blank_values=True)

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        for key, value in self.headers:
            if key.lower() == wanted:
                return value
        return None


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


@dataclass(frozen=True)
class Caller:
    """Who is calling and where, as the SigV4 credential scope says."""

    access_key: str
    region: str
    signing_name: str

    @property
    def service(self) -> str:
        return _SIGNING_ALIASES.get(self.signing_name, self.signing_name)


@dataclass(frozen=True)
class Identified:
    """What a request is: its caller (None if unsigned), operation and wire protocol."""

    caller: Caller | None
    operation: str | None
    protocol: str
    labels: Mapping[str, str] = field(default_factory=dict)

    @property
    def service(self) -> str | None:
        return self.caller.service if self.caller else None

    @property
    def key(self) -> str:
        return f"{self.service or 'unknown'}:{self.operation or 'unknown'}"


@dataclass(frozen=True)
class _Route:
    operation: str
    method: str
    pattern: re.Pattern[str]
    static_query: tuple[tuple[str, str | None], ...]
    literal_chars: int


@lru_cache(maxsize=_SERVICES)
def service_model(service: str) -> ServiceModel:
    """botocore's model for a service: static data, loaded once per process (a handful exist)."""
    return _botocore_session.get_service_model(service)


def caller_of(request: HttpRequest) -> Caller | None:
    """The credential scope of a SigV4 request (header or presigned query), else None."""
    authorization = request.header("Authorization") or ""
    match = re.search(r"Credential=([^,\s]+)", authorization)
    credential = match.group(1) if match else (request.query.get("X-Amz-Credential") or [""])[0]
    parts = credential.split("/")
    if len(parts) != 5 or parts[4] != "aws4_request":
        return None
    return Caller(access_key=parts[0], region=parts[2], signing_name=parts[3])


def identify(request: HttpRequest) -> Identified:
    """Find the service, operation and protocol of a request without consuming it."""
    caller = caller_of(request)
    amz_target = request.header("X-Amz-Target")
    if amz_target:
        return Identified(caller, amz_target.rsplit(".", 1)[-1], "json")
    rpc = re.fullmatch(r"/service/[^/]+/operation/([^/?]+)", request.path)
    if rpc and (request.header("smithy-protocol") or "").startswith("rpc-v2"):
        return Identified(caller, rpc.group(1), "smithy-rpc-v2-cbor")
    action = _query_action(request)
    if action:
        return Identified(caller, action, "query")
    if caller is None:
        return Identified(None, None, "rest-json")
    try:
        model = service_model(caller.service)
    except Exception:  # a service botocore does not know: still proxy it, just uncounted by name
        return Identified(caller, None, "rest-json")
    protocol = model.protocol if model.protocol in ("rest-json", "rest-xml") else "rest-json"
    matched = match_route(caller.service, request)
    if matched is None:
        return Identified(caller, None, protocol)
    operation, labels = matched
    return Identified(caller, operation, protocol, labels)


def _query_action(request: HttpRequest) -> str | None:
    action = request.query.get("Action")
    if action:
        return action[0]
    content_type = request.header("Content-Type") or ""
    if request.method == "POST" and content_type.startswith("application/x-www-form-urlencoded"):
        form = parse_qs(request.body.decode("utf-8", "replace"), keep_blank_values=True)
        if form.get("Action"):
            return form["Action"][0]
    return None


@lru_cache(maxsize=_SERVICES)
def _compile_routes(service: str) -> tuple[_Route, ...]:
    model = service_model(service)
    routes = []
    for name in model.operation_names:
        http = model.operation_model(name).http
        uri = http.get("requestUri", "/")
        path, _, query = uri.partition("?")
        regex = ""
        literal = 0
        for piece in re.split(r"(\{[^}]+\})", path):
            if piece.startswith("{") and piece.endswith("}"):
                label = piece[1:-1]
                if label.endswith("+"):
                    regex += f"(?P<{label[:-1]}>.+)"
                else:
                    regex += f"(?P<{label}>[^/]+)"
            else:
                regex += re.escape(piece)
                literal += len(piece)
        static = tuple(
            (key, value[0] if value and value[0] else None)
            for key, value in parse_qs(query, keep_blank_values=True).items()
        )
        if query and not static:
            static = tuple((flag, None) for flag in query.split("&") if flag)
        routes.append(
            _Route(name, http.get("method", "POST"), re.compile(f"^{regex}/?$"), static, literal)
        )
    return tuple(routes)


def match_route(service: str, request: HttpRequest) -> tuple[str, dict[str, str]] | None:
    """The rest operation whose method and ``requestUri`` fit the request best, with its labels."""
    routes = _compile_routes(service)
    query = request.query
    best: tuple[int, int, _Route, re.Match[str]] | None = None
    for route in routes:
        if route.method != request.method:
            continue
        match = route.pattern.match(request.path)
        if match is None:
            continue
        if any(
            key not in query or (value is not None and value not in query[key])
            for key, value in route.static_query
        ):
            continue
        rank = (len(route.static_query), route.literal_chars)
        if best is None or rank > best[:2]:
            best = (rank[0], rank[1], route, match)
    if best is None:
        return None
    labels = {key: unquote(value) for key, value in best[3].groupdict().items()}
    return best[2].operation, labels


# ---------------------------------------------------------------------------------------------
# rest-json requests in, results out


def decode_rest_json(
    operation: OperationModel, request: HttpRequest, labels: Mapping[str, str]
) -> dict[str, Any]:
    """The operation's parameters from URI labels, query string, headers and JSON body."""
    shape = operation.input_shape
    if shape is None:
        return {}
    params: dict[str, Any] = {}
    body: dict[str, Any] = {}
    if request.body.strip():
        try:
            loaded = json.loads(request.body)
        except ValueError as error:
            raise ApiError("SerializationException", f"request body is not JSON: {error}") from None
        if not isinstance(loaded, dict):
            raise ApiError("SerializationException", "request body must be a JSON object")
        body = loaded
    query = request.query
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire_name = member.serialization.get("name", name)
        if location == "uri":
            if wire_name in labels:
                params[name] = labels[wire_name]
        elif location == "querystring":
            if wire_name in query:
                values = query[wire_name]
                params[name] = (
                    [_scalar(member.member, v, name) for v in values]  # type: ignore[attr-defined]
                    if member.type_name == "list"
                    else _scalar(member, values[0], name)
                )
        elif location == "header":
            value = request.header(wire_name)
            if value is not None:
                params[name] = _scalar(member, value, name)
        elif name in body:
            params[name] = body[name]
    return params


def _scalar(shape: Shape, raw: str, name: str) -> Any:
    if shape.type_name in ("integer", "long"):
        try:
            return int(raw)
        except ValueError:
            raise ApiError("SerializationException", f"{name} must be an integer") from None
    if shape.type_name == "boolean":
        return raw.lower() == "true"
    return raw


def problems(shape: Shape, value: Any, where: str = "") -> list[str]:
    """Every way `value` breaks `shape` (type, required, enum, length, range, pattern)."""
    name = where or shape.name
    found: list[str] = []
    meta = shape.metadata
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(shape, StructureShape)
        if not isinstance(value, Mapping):
            return [f"{name} must be an object"]
        for required in shape.required_members:
            if required not in value:
                found.append(f"{name}.{required} is required")
        for key, item in value.items():
            member = shape.members.get(key)
            if member is None:
                found.append(f"{name}.{key} is not a member of {shape.name}")
            elif item is not None:
                found.extend(problems(member, item, f"{name}.{key}"))
        return found
    if kind == "list":
        if not isinstance(value, list):
            return [f"{name} must be a list"]
        found.extend(_length(meta, len(value), name))
        for index, item in enumerate(value):
            found.extend(problems(shape.member, item, f"{name}[{index}]"))  # type: ignore[attr-defined]
        return found
    if kind == "map":
        if not isinstance(value, Mapping):
            return [f"{name} must be an object"]
        found.extend(_length(meta, len(value), name))
        for key, item in value.items():
            found.extend(problems(shape.key, key, f"{name} key"))  # type: ignore[attr-defined]
            found.extend(problems(shape.value, item, f"{name}[{key}]"))  # type: ignore[attr-defined]
        return found
    if kind == "string":
        if not isinstance(value, str):
            return [f"{name} must be a string"]
        found.extend(_length(meta, len(value), name))
        if "enum" in meta and value not in meta["enum"]:
            found.append(f"{name} must be one of {', '.join(meta['enum'])}")
        pattern = _pattern(meta.get("pattern"))
        if pattern is not None and value and pattern.search(value) is None:
            found.append(f"{name} must match {meta['pattern']}")
        return found
    if kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            return [f"{name} must be an integer"]
        if "min" in meta and value < meta["min"]:
            found.append(f"{name} must be at least {meta['min']}")
        if "max" in meta and value > meta["max"]:
            found.append(f"{name} must be at most {meta['max']}")
        return found
    if kind == "boolean" and not isinstance(value, bool):
        return [f"{name} must be a boolean"]
    if kind in ("double", "float") and not isinstance(value, int | float):
        return [f"{name} must be a number"]
    if kind == "timestamp" and not isinstance(value, datetime):
        return [f"{name} must be a timestamp"]
    return found


def _length(meta: Mapping[str, Any], length: int, name: str) -> list[str]:
    if "min" in meta and length < meta["min"]:
        return [f"{name} must have length at least {meta['min']}"]
    if "max" in meta and length > meta["max"]:
        return [f"{name} must have length at most {meta['max']}"]
    return []


@lru_cache(maxsize=1024)
def _pattern(source: str | None) -> re.Pattern[str] | None:
    """A model's `pattern` compiled once (bounded: the models hold a few hundred)."""
    if source is None:
        return None
    try:
        return re.compile(source)
    except re.error:  # Java-only syntax such as \P{C}: AWS checks it, the sandbox cannot
        return None


def _jsonable(shape: Shape, value: Any) -> Any:
    if shape.type_name == "structure":
        assert isinstance(shape, StructureShape)
        return {
            key: _jsonable(shape.members[key], item)
            for key, item in value.items()
            if item is not None and key in shape.members
        }
    if shape.type_name == "list":
        return [_jsonable(shape.member, item) for item in value]  # type: ignore[attr-defined]
    if shape.type_name == "map":
        return {key: _jsonable(shape.value, item) for key, item in value.items()}  # type: ignore[attr-defined]
    if shape.type_name == "timestamp":
        assert isinstance(value, datetime)
        if shape.serialization.get("timestampFormat") == "iso8601":
            return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
        return round(value.timestamp(), 3)
    return value


def encode_rest_json(operation: OperationModel, output: Mapping[str, Any]) -> HttpResponse:
    """A rest-json success response; the output must fit the model or it is a sandbox bug."""
    status = int(operation.http.get("responseCode", 200))
    shape = operation.output_shape
    if shape is None or not shape.members:
        return _response(status, b"", "application/json")
    found = problems(shape, {k: v for k, v in output.items() if v is not None})
    if found:
        raise AssertionError(f"{operation.name} output breaks the model: {'; '.join(found)}")
    body = json.dumps(_jsonable(shape, output), separators=(",", ":")).encode()
    return _response(status, body, "application/json")


def _response(
    status: int, body: bytes, content_type: str, extra: Sequence[tuple[str, str]] = ()
) -> HttpResponse:
    headers = [("x-amzn-RequestId", str(uuid.uuid4())), ("Content-Type", content_type)]
    headers.extend(extra)
    return HttpResponse(status, tuple(headers), body)


# ---------------------------------------------------------------------------------------------
# errors in every protocol


def error_status(service: str | None, code: str, default: int) -> int:
    """The HTTP status the model gives an error code, else `default`."""
    if service is None:
        return default
    try:
        model = service_model(service)
    except Exception:
        return default
    if code in model.shape_names:
        error = model.shape_for(code).metadata.get("error") or {}
        if "httpStatusCode" in error:
            return int(error["httpStatusCode"])
    return default


def error_response(
    protocol: str, service: str | None, code: str, message: str, status: int
) -> HttpResponse:
    """An error as the service's protocol spells it, so botocore parses `code` from it."""
    if protocol == "json":
        body = json.dumps({"__type": code, "message": message}).encode()
        return _response(status, body, "application/x-amz-json-1.1", [("x-amzn-ErrorType", code)])
    if protocol == "smithy-rpc-v2-cbor":
        body = _cbor_map({"__type": code, "message": message})
        extra = [("smithy-protocol", "rpc-v2-cbor"), ("x-amzn-query-error", f"{code};Sender")]
        return _response(status, body, "application/cbor", extra)
    if protocol == "query":
        xml = (
            "<ErrorResponse><Error><Type>Sender</Type>"
            f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message></Error>"
            f"<RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
        )
        return _response(status, xml.encode(), "text/xml")
    if protocol == "rest-xml":
        xml = f"<Error><Code>{escape(code)}</Code><Message>{escape(message)}</Message></Error>"
        return _response(status, xml.encode(), "application/xml")
    payload: dict[str, str] = {_message_key(service, code): message}
    if service == "lambda":
        payload["Type"] = "User"
    body = json.dumps(payload).encode()
    return _response(status, body, "application/json", [("x-amzn-ErrorType", code)])


def _message_key(service: str | None, code: str) -> str:
    """`message` or `Message`, as the model's error shape names it."""
    if service is not None:
        try:
            model = service_model(service)
            if code in model.shape_names:
                members = model.shape_for(code).members  # type: ignore[attr-defined]
                if "Message" in members:
                    return "Message"
        except Exception:
            pass
    return "message"


def _cbor_head(major: int, length: int) -> bytes:
    if length < 24:
        return bytes([major << 5 | length])
    if length < 0x100:
        return bytes([major << 5 | 24, length])
    if length < 0x10000:
        return bytes([major << 5 | 25]) + length.to_bytes(2, "big")
    return bytes([major << 5 | 26]) + length.to_bytes(4, "big")


def _cbor_map(values: Mapping[str, str]) -> bytes:
    """A CBOR map of text strings: all a Smithy RPC v2 error body needs."""
    out = bytearray(_cbor_head(5, len(values)))
    for key, value in values.items():
        for text in (key, value):
            encoded = text.encode()
            out += _cbor_head(3, len(encoded)) + encoded
    return bytes(out)
