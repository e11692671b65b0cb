"""Reading user-supplied YAML and JSON files, with every problem pinned to file:line:column.

Policies are YAML; snapshots and baselines are JSON. Both loaders refuse missing, oversize, empty,
undecodable and malformed files before pydantic sees them, and return a `SourceMap` so that a
validation error found later still names the line and column of the field it is about
(`validation_error`).

YAML is read with the YAML 1.2 core schema, not PyYAML's YAML 1.1 defaults: only true/false are
booleans (``on``, ``yes``, ``NO`` stay strings), ``08:00`` stays the string "08:00" (1.1 reads it
as the sexagesimal 480), ``2027-03-31`` stays a string for pydantic to parse, ``010`` is ten.
Duplicate keys, multiple documents, unknown tags and alias bombs are errors; merge keys (``<<``)
work as in YAML 1.1 (explicit keys win, then earlier merged mappings over later ones).

JSON is parsed by the C decoder in one pass; positions are only worked out, lazily and along one
path at a time, when an error needs them, so a 50 MB snapshot loads at ``json.loads`` speed.
"""

from __future__ import annotations

import bisect
import codecs
import collections.abc
import hashlib
import json
import math
import re
import stat
import types
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Final, Literal, Protocol, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError, ValidationInfo, field_validator
from pydantic_core import ErrorDetails
from yaml.composer import Composer
from yaml.error import Mark, MarkedYAMLError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from checker.errors import InputFileError
from checker.load import untrusted_json

__all__ = [
    "MAX_YAML_BYTES",
    "MAX_YAML_DEPTH",
    "MAX_YAML_VALUES",
    "LoadedDocument",
    "SourceMap",
    "load_json",
    "load_yaml",
    "validation_error",
]

MAX_YAML_BYTES: Final = 1_000_000
# Counted with aliases expanded: a billion-laughs document trips this long before memory does.
MAX_YAML_VALUES: Final = 100_000
MAX_YAML_DEPTH: Final = 100
_ECHO_LIMIT: Final = 60

Position = tuple[int, int]
PathKey = tuple[Any, ...]


# --- documents and source maps --------------------------------------------------------------


class SourceMap(ABC):
    """Where each value of a loaded document sits in its file."""

    @abstractmethod
    def locate(self, path: Sequence[str | int], *, key: bool = False) -> Position | None:
        """1-based (line, column) of the value at `path`.

        With ``key=True`` a mapping member gives its key's position instead (for errors about the
        key itself, such as an unknown field). A path that does not exist gives the position of
        its nearest existing ancestor's value, e.g. the parent mapping of a missing field.
        """


@dataclass(frozen=True)
class LoadedDocument:
    data: Any
    source: SourceMap
    text: str
    sha256: str  # of the bytes as read


class _YamlSourceMap(SourceMap):
    def __init__(self, spots: dict[PathKey, tuple[Position, Position | None]]) -> None:
        self._spots = spots

    def locate(self, path: Sequence[str | int], *, key: bool = False) -> Position | None:
        wanted = tuple(path)
        spot = self._spots.get(wanted)
        if spot is not None:
            value_position, key_position = spot
            return key_position if key and key_position is not None else value_position
        for length in range(len(wanted) - 1, -1, -1):
            spot = self._spots.get(wanted[:length])
            if spot is not None:
                return spot[0]
        return None


class _LineCounter:
    """Turns string offsets into 1-based (line, column).

    It remembers every offset it has converted, so many errors in a long file are counted from the
    nearest known point rather than from the top each time.
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._offsets = [0]
        self._lines = [1]
        self._line_starts = [0]

    def position(self, index: int) -> Position:
        slot = bisect.bisect_right(self._offsets, index) - 1
        base = self._offsets[slot]
        line = self._lines[slot] + self._text.count("\n", base, index)
        last_break = self._text.rfind("\n", base, index)
        line_start = self._line_starts[slot] if last_break == -1 else last_break + 1
        if index != base:
            self._offsets.insert(slot + 1, index)
            self._lines.insert(slot + 1, line)
            self._line_starts.insert(slot + 1, line_start)
        return line, index - line_start + 1


_JSON_WHITESPACE: Final = re.compile(r"[ \t\n\r]*")


def _skip_json_whitespace(text: str, index: int) -> int:
    match = _JSON_WHITESPACE.match(text, index)
    return match.end() if match else index


# (name, key offset, value offset) of one member; name and key offset are None in an array.
_JsonMember = tuple[str | None, int | None, int]


class _JsonContainerScan:
    """How far one object or array has been read, and the members found so far."""

    def __init__(self, members: Iterator[_JsonMember]) -> None:
        self.members = members
        self.keys: dict[str, tuple[int, int]] = {}
        self.items: list[int] = []
        self.done = False


class _JsonSourceMap(SourceMap):
    """Finds positions in JSON text by walking only along the requested path.

    Sibling values are skipped with the C decoder (`raw_decode`), and each container is read at
    most once however many paths go through it.
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._skipper = json.JSONDecoder()
        self._scans: dict[PathKey, _JsonContainerScan] = {}
        self._lines = _LineCounter(text)
        self._root = _skip_json_whitespace(text, 0)

    def locate(self, path: Sequence[str | int], *, key: bool = False) -> Position | None:
        if self._root >= len(self._text):
            return None
        wanted = tuple(path)
        value_index, key_index = self._root, None
        for depth, segment in enumerate(wanted):
            member = self._member(wanted[:depth], value_index, segment)
            if member is None:
                return self._lines.position(value_index)
            key_index, value_index = member
        index = key_index if key and key_index is not None else value_index
        return self._lines.position(index)

    def key_offsets(self, path: Sequence[str | int], name: str) -> list[int]:
        """Offsets of every occurrence of key `name` in the object at `path` (duplicates too)."""
        value_index = self._root
        for depth, segment in enumerate(path):
            member = self._member(tuple(path[:depth]), value_index, segment)
            if member is None:
                return []
            value_index = member[1]
        found = []
        try:
            for member_name, key_index, _ in self._iter_members(value_index):
                if member_name == name and key_index is not None:
                    found.append(key_index)
        except ValueError:
            pass  # malformed beyond this point; what was found is still right
        return found

    def position(self, index: int) -> Position:
        return self._lines.position(index)

    def _member(
        self, container: PathKey, start: int, segment: str | int
    ) -> tuple[int | None, int] | None:
        opener = self._text[start : start + 1]
        if opener == "{":
            if not isinstance(segment, str):
                return None
        elif opener == "[":
            if not isinstance(segment, int) or isinstance(segment, bool) or segment < 0:
                return None
        else:
            return None
        scan = self._scans.get(container)
        if scan is None:
            scan = self._scans[container] = _JsonContainerScan(self._iter_members(start))
        while True:
            if isinstance(segment, str):
                if segment in scan.keys:
                    return scan.keys[segment]
            elif segment < len(scan.items):
                return None, scan.items[segment]
            if scan.done:
                return None
            try:
                name, key_index, value_index = next(scan.members)
            except (StopIteration, ValueError):
                scan.done = True
                continue
            if name is None:
                scan.items.append(value_index)
            elif key_index is not None:
                scan.keys.setdefault(name, (key_index, value_index))

    def _iter_members(self, start: int) -> Iterator[_JsonMember]:
        # A member is yielded before its value is skipped, so finding a key never decodes it.
        text = self._text
        is_object = text.startswith("{", start)
        index = _skip_json_whitespace(text, start + 1)
        first = True
        while index < len(text) and text[index] not in "]}":
            if not first:
                if not text.startswith(",", index):
                    return
                index = _skip_json_whitespace(text, index + 1)
            first = False
            if is_object:
                name, after = self._skipper.raw_decode(text, index)
                colon = _skip_json_whitespace(text, after)
                if not isinstance(name, str) or not text.startswith(":", colon):
                    return
                value_index = _skip_json_whitespace(text, colon + 1)
                yield name, index, value_index
            else:
                value_index = index
                yield None, None, value_index
            _, end = self._skipper.raw_decode(text, value_index)
            index = _skip_json_whitespace(text, end)


# --- reading files --------------------------------------------------------------------------

_KNOWN_DOCUMENTS: Final = {"policy": "a policy", "snapshot": "a snapshot", "baseline": "a baseline"}


def _noun(error_cls: type[InputFileError]) -> str:
    kind = error_cls.kind
    if kind in _KNOWN_DOCUMENTS:
        return _KNOWN_DOCUMENTS[kind]
    return f"{'an' if kind[:1] in 'aeiou' else 'a'} {kind} file"


def _read_text(
    path: Path, error_cls: type[InputFileError], max_bytes: int | None
) -> tuple[str, str]:
    """The file's text and the sha256 of the bytes read: read once, so a pipe or FIFO
    (``--policy /dev/stdin``) is hashed as evaluated, never as an empty second read."""
    file = str(path)
    try:
        info = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        raise error_cls(file, "file not found") from None
    except OSError as exc:
        raise error_cls(file, f"cannot read the file: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise error_cls(file, "is a directory, not a file")
    limit = "" if max_bytes is None else f"; {_noun(error_cls)} is at most {max_bytes:,}"
    # The size of a regular file is known without reading it; a pipe is read up to the limit.
    if max_bytes is not None and stat.S_ISREG(info.st_mode) and info.st_size > max_bytes:
        raise error_cls(file, f"file is {info.st_size:,} bytes{limit}")
    try:
        with path.open("rb") as stream:
            raw = stream.read() if max_bytes is None else stream.read(max_bytes + 1)
    except OSError as exc:
        raise error_cls(file, f"cannot read the file: {exc.strerror or exc}") from None
    if max_bytes is not None and len(raw) > max_bytes:
        raise error_cls(file, f"file is more than {max_bytes:,} bytes{limit}")
    # Editors on Windows may save a byte-order mark; it is not content.
    digest = hashlib.sha256(raw).hexdigest()
    raw = raw.removeprefix(codecs.BOM_UTF8)
    try:
        return raw.decode("utf-8"), digest
    except UnicodeDecodeError as exc:
        prefix = raw[: exc.start]
        line_start = prefix.rfind(b"\n") + 1
        raise error_cls(
            file,
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}: {exc.reason}); save the file as UTF-8",
            line=prefix.count(b"\n") + 1,
            column=len(prefix[line_start:].decode("utf-8")) + 1,
        ) from None


# --- YAML -----------------------------------------------------------------------------------

_TAG_PREFIX: Final = "tag:yaml.org,2002:"
_STR_TAG: Final = _TAG_PREFIX + "str"
_INT_TAG: Final = _TAG_PREFIX + "int"
_FLOAT_TAG: Final = _TAG_PREFIX + "float"
_BOOL_TAG: Final = _TAG_PREFIX + "bool"
_NULL_TAG: Final = _TAG_PREFIX + "null"
_SEQ_TAG: Final = _TAG_PREFIX + "seq"
_MAP_TAG: Final = _TAG_PREFIX + "map"
_MERGE_TAG: Final = _TAG_PREFIX + "merge"

# The YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#103-core-schema), anchored at both ends.
_NULL_RE: Final = re.compile(r"(?:~|null|Null|NULL|)\Z")
_BOOL_RE: Final = re.compile(r"(?:true|True|TRUE|false|False|FALSE)\Z")
_INT_RE: Final = re.compile(r"(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)\Z")
_FLOAT_RE: Final = re.compile(
    r"(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))\Z"
)
_MERGE_RE: Final = re.compile(r"<<\Z")
# Characters YAML forbids in a stream; checked up front for a precise position and message.
_NOT_YAML_PRINTABLE: Final = re.compile(
    "[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


class _CoreSchemaResolver(BaseResolver):
    """Implicit scalar types of the YAML 1.2 core schema, plus `<<`; none of YAML 1.1's."""


for _tag, _pattern, _first in (
    (_NULL_TAG, _NULL_RE, ["~", "n", "N", ""]),
    (_BOOL_TAG, _BOOL_RE, list("tTfF")),
    # Registered before floats: the first matching resolver wins and "12" is an int.
    (_INT_TAG, _INT_RE, list("-+0123456789")),
    (_FLOAT_TAG, _FLOAT_RE, list("-+.0123456789")),
    (_MERGE_TAG, _MERGE_RE, ["<"]),
):
    _CoreSchemaResolver.add_implicit_resolver(_tag, _pattern, _first)


class _NodeSource(Protocol):
    def get_single_node(self) -> Node | None: ...

    def dispose(self) -> None: ...


class _PythonComposer(Reader, Scanner, Parser, Composer, _CoreSchemaResolver):
    """PyYAML's pure-Python parser, composing nodes only; we build Python values ourselves."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        _CoreSchemaResolver.__init__(self)


_yaml_parser: Callable[[str], _NodeSource] = _PythonComposer
try:
    from yaml._yaml import CParser
except ImportError:  # PyYAML built without libyaml: the pure-Python parser gives the same nodes
    pass
else:

    class _LibyamlComposer(CParser, _CoreSchemaResolver):
        """libyaml's parser; it calls our resolver for every scalar, so the schema is the same."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _CoreSchemaResolver.__init__(self)

    # About 5x faster than the Python parser (0.2 ms for a typical policy, 0.7 s for 1 MB).
    _yaml_parser = _LibyamlComposer


def _position(mark: Mark) -> Position:
    return mark.line + 1, mark.column + 1


def _short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix(_TAG_PREFIX) if tag.startswith(_TAG_PREFIX) else tag


def _core_int(text: str) -> int:
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text, 10)


def _core_float(text: str) -> float:
    lowered = text.lower()
    if lowered.endswith(".inf"):
        return -math.inf if lowered.startswith("-") else math.inf
    if lowered == ".nan":
        return math.nan
    return float(text)


class _YamlBuilder:
    """Builds Python values from composed nodes, recording where each one came from.

    Aliases are expanded into fresh copies and every value counts towards `max_values`, so an
    alias bomb stops after a bounded amount of work however many times it would multiply.
    """

    def __init__(
        self, file: str, error_cls: type[InputFileError], max_values: int, noun: str
    ) -> None:
        self._file = file
        self._error_cls = error_cls
        self._max_values = max_values
        self._noun = noun
        self._count = 0
        self._open: set[int] = set()
        self.spots: dict[PathKey, tuple[Position, Position | None]] = {}

    def fail(self, problem: str, mark: Mark, path: PathKey) -> InputFileError:
        line, column = _position(mark)
        field = _render_path(path) or None
        return self._error_cls(self._file, problem, line=line, column=column, field=field)

    def build(self, node: Node, path: PathKey, depth: int) -> Any:
        self._tick(node, path)
        if depth > MAX_YAML_DEPTH:
            raise self.fail(f"nested more than {MAX_YAML_DEPTH} levels deep", node.start_mark, path)
        if isinstance(node, ScalarNode):
            return self._scalar(node, path)
        if id(node) in self._open:
            raise self.fail(
                "this node contains an alias to itself; a recursive structure cannot be loaded",
                node.start_mark,
                path,
            )
        self._open.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                return self._sequence(node, path, depth)
            if isinstance(node, MappingNode):
                return self._mapping(node, path, depth)
            raise self.fail("unsupported YAML node", node.start_mark, path)
        finally:
            self._open.discard(id(node))

    def _tick(self, node: Node, path: PathKey) -> None:
        self._count += 1
        if self._count > self._max_values:
            raise self.fail(
                f"the document expands to more than {self._max_values:,} values (each use of an "
                f"alias counts again); {self._noun} is at most that",
                node.start_mark,
                path,
            )

    def _sequence(self, node: SequenceNode, path: PathKey, depth: int) -> list[Any]:
        if node.tag != _SEQ_TAG:
            raise self._unsupported_tag(node, path)
        items = []
        for index, child in enumerate(node.value):
            child_path = (*path, index)
            self.spots[child_path] = (_position(child.start_mark), None)
            items.append(self.build(child, child_path, depth + 1))
        return items

    def _mapping(self, node: MappingNode, path: PathKey, depth: int) -> dict[Any, Any]:
        if node.tag != _MAP_TAG:
            raise self._unsupported_tag(node, path)
        result: dict[Any, Any] = {}
        first_marks: dict[Any, Mark] = {}
        merge_mark: Mark | None = None
        merge_sources: list[MappingNode] = []
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode) and key_node.tag == _MERGE_TAG:
                if merge_mark is not None:
                    raise self.fail(
                        f"duplicate key '<<' (first at line {merge_mark.line + 1})",
                        key_node.start_mark,
                        (*path, "<<"),
                    )
                merge_mark = key_node.start_mark
                merge_sources = self._merge_sources(value_node, path)
                continue
            key = self._key(key_node, path)
            key_path = (*path, key)
            if key in first_marks:
                raise self.fail(
                    f"duplicate key {_echo(key)} (first at line {first_marks[key].line + 1})",
                    key_node.start_mark,
                    key_path,
                )
            first_marks[key] = key_node.start_mark
            self.spots[key_path] = (
                _position(value_node.start_mark),
                _position(key_node.start_mark),
            )
            result[key] = self.build(value_node, key_path, depth + 1)
        if merge_sources:
            result = {**self._merged(merge_sources, path, depth, result), **result}
        return result

    def _key(self, node: Node, path: PathKey) -> Any:
        if not isinstance(node, ScalarNode):
            shape = "list" if isinstance(node, SequenceNode) else "mapping"
            raise self.fail(
                f"a mapping key must be a plain value, not a {shape}", node.start_mark, path
            )
        self._tick(node, path)
        return self._scalar(node, path)

    def _merge_sources(self, node: Node, path: PathKey) -> list[MappingNode]:
        if isinstance(node, MappingNode):
            return [node]
        if (
            isinstance(node, SequenceNode)
            and node.value
            and all(isinstance(item, MappingNode) for item in node.value)
        ):
            return list(node.value)
        raise self.fail(
            "a merge key `<<` takes a mapping or a list of mappings (e.g. `<<: *defaults`)",
            node.start_mark,
            (*path, "<<"),
        )

    def _merged(
        self, sources: list[MappingNode], path: PathKey, depth: int, explicit: dict[Any, Any]
    ) -> dict[Any, Any]:
        merged: dict[Any, Any] = {}
        for source in sources:
            # Built into scratch spots so that keys this mapping overrides leave no trace.
            outer_spots, self.spots = self.spots, {}
            try:
                values = self.build(source, path, depth)
            finally:
                scratch, self.spots = self.spots, outer_spots
            winners = {key for key in values if key not in explicit and key not in merged}
            for spot_path, spot in scratch.items():
                if len(spot_path) > len(path) and spot_path[len(path)] in winners:
                    self.spots[spot_path] = spot
            merged.update((key, value) for key, value in values.items() if key in winners)
        return merged

    def _scalar(self, node: ScalarNode, path: PathKey) -> Any:
        text, tag = node.value, node.tag
        if tag in (_STR_TAG, _MERGE_TAG):
            return text
        try:
            if tag == _NULL_TAG and _NULL_RE.match(text):
                return None
            if tag == _BOOL_TAG and _BOOL_RE.match(text):
                return text.lower() == "true"
            if tag == _INT_TAG and _INT_RE.match(text):
                return _core_int(text)
            if tag == _FLOAT_TAG and _FLOAT_RE.match(text):
                return _core_float(text)
        except ValueError:  # Python refuses to convert integers of more than 4,300 digits
            raise self.fail("number has too many digits", node.start_mark, path) from None
        if tag in (_NULL_TAG, _BOOL_TAG, _INT_TAG, _FLOAT_TAG):
            raise self.fail(
                f"{_echo(text)} is not a valid {_short_tag(tag)} value", node.start_mark, path
            )
        raise self._unsupported_tag(node, path)

    def _unsupported_tag(self, node: Node, path: PathKey) -> InputFileError:
        return self.fail(
            f"unsupported YAML tag {_short_tag(node.tag)}; write the value without a tag",
            node.start_mark,
            path,
        )


def load_yaml(
    path: Path,
    *,
    error_cls: type[InputFileError],
    max_bytes: int = MAX_YAML_BYTES,
    max_values: int = MAX_YAML_VALUES,
) -> LoadedDocument:
    """Read one YAML document whose top level is a mapping, with the YAML 1.2 core schema."""
    file = str(path)
    noun = _noun(error_cls)
    text, digest = _read_text(path, error_cls, max_bytes)
    needs = (
        f"{noun} needs at least `version: 1`"
        if error_cls.kind in _KNOWN_DOCUMENTS
        else "expected a YAML mapping"
    )
    if not text.strip():
        raise error_cls(file, f"file is empty; {needs}")
    bad = _NOT_YAML_PRINTABLE.search(text)
    if bad is not None:
        line, column = _LineCounter(text).position(bad.start())
        code = ord(bad.group())
        raise error_cls(
            file,
            f"character U+{code:04X} is not allowed in YAML; inside double quotes write it as "
            f"\\u{code:04x}",
            line=line,
            column=column,
        )
    root = _compose_yaml(text, file, error_cls, noun)
    if root is None:
        raise error_cls(file, f"file has only comments; {needs}")
    builder = _YamlBuilder(file, error_cls, max_values, noun)
    builder.spots[()] = (_position(root.start_mark), None)
    data = builder.build(root, (), 0)
    if not isinstance(data, dict):
        line, column = _position(root.start_mark)
        raise error_cls(
            file,
            f"expected a mapping (`key: value` lines) at the top level, got {_describe(data)}",
            line=line,
            column=column,
        )
    return LoadedDocument(data=data, source=_YamlSourceMap(builder.spots), text=text, sha256=digest)


def _compose_yaml(text: str, file: str, error_cls: type[InputFileError], noun: str) -> Node | None:
    parser = _yaml_parser(text)
    try:
        return parser.get_single_node()
    except MarkedYAMLError as exc:
        raise _yaml_syntax_error(exc, text, file, error_cls, noun) from None
    except yaml.YAMLError as exc:
        raise error_cls(file, f"invalid YAML: {exc}") from None
    except RecursionError:
        raise error_cls(file, "invalid YAML: nested too deeply to parse") from None
    finally:
        parser.dispose()


def _text_at(text: str, mark: Mark) -> str:
    lines = text.split("\n")
    return lines[mark.line][mark.column :] if mark.line < len(lines) else ""


def _yaml_syntax_error(
    exc: MarkedYAMLError, text: str, file: str, error_cls: type[InputFileError], noun: str
) -> InputFileError:
    mark = exc.problem_mark or exc.context_mark
    first = exc.context_mark
    problem = exc.problem or exc.context or "not valid YAML"
    context = exc.context if exc.problem else None
    if exc.problem == "but found another document":
        message = f"a second YAML document starts here; {noun} is a single document"
    elif problem.startswith("found undefined alias") and mark is not None:
        alias = re.match(r"\*[^\s,\[\]{}]*", _text_at(text, mark))
        name = alias.group() if alias else "the alias"
        message = f"alias {name} refers to no anchor defined before it"
    elif exc.problem == "second occurrence" and first is not None and mark is not None:
        anchor = re.match(r"&[^\s,\[\]{}]*", _text_at(text, mark))
        name = anchor.group() if anchor else "an anchor"
        message = f"anchor {name} is defined twice (first at line {first.line + 1})"
    elif mark is not None and _text_at(text, mark).startswith("\t"):
        message = "invalid YAML: a tab character; YAML indents with spaces only"
    else:
        message = f"invalid YAML: {problem}"
        if context and first is not None and mark is not None and first.line != mark.line:
            message += f" ({context} at line {first.line + 1}, column {first.column + 1})"
        elif context:
            message += f" ({context})"
    if mark is None:
        return error_cls(file, message)
    line, column = _position(mark)
    return error_cls(file, message, line=line, column=column)


# --- JSON -----------------------------------------------------------------------------------


class _RepeatedKeys:
    """Stands in for an object with a repeated key; `index` is the first repeat's member index."""

    def __init__(self, pairs: list[tuple[str, Any]], index: int) -> None:
        self.pairs = pairs
        self.index = index


class _BadNumber:
    """Stands in for NaN, Infinity or a number too large for a float."""

    def __init__(self, problem: str) -> None:
        self.problem = problem


class _JsonChecks:
    """Decoder hooks that flag problems in place, so the C decoder never has to stop for them."""

    def __init__(self) -> None:
        self.flagged = False

    def object_from_pairs(self, pairs: list[tuple[str, Any]]) -> Any:
        result = dict(pairs)
        if len(result) == len(pairs):
            return result
        self.flagged = True
        seen: set[str] = set()
        for index, (key, _) in enumerate(pairs):
            if key in seen:
                return _RepeatedKeys(pairs, index)
            seen.add(key)
        return result  # unreachable: a shorter dict means some key repeated

    def constant(self, name: str) -> Any:
        self.flagged = True
        return _BadNumber(f"{name} is not valid JSON; write a number or null")

    def number(self, text: str) -> Any:
        value = float(text)
        if math.isinf(value):
            self.flagged = True
            return _BadNumber(f"number {_truncate(text)} is too large")
        return value


def _first_flag(data: Any) -> tuple[PathKey, _RepeatedKeys | _BadNumber] | None:
    """The flagged value a reader meets first, in text order, with its path."""

    def members(value: Any) -> Iterator[tuple[Any, Any]]:
        if isinstance(value, dict):
            return iter(value.items())
        if isinstance(value, list):
            return enumerate(value)
        assert isinstance(value, _RepeatedKeys)
        # Members after the repeat come later in the text than the repeat itself.
        return iter(value.pairs[: value.index])

    if isinstance(data, _BadNumber):
        return (), data
    if not isinstance(data, dict | list | _RepeatedKeys):
        return None
    stack: list[tuple[PathKey, Any, Iterator[tuple[Any, Any]]]] = [((), data, members(data))]
    while stack:
        path, container, pending = stack[-1]
        step = next(pending, None)
        if step is None:
            stack.pop()
            if isinstance(container, _RepeatedKeys):
                return path, container
            continue
        segment, value = step
        if isinstance(value, _BadNumber):
            return (*path, segment), value
        if isinstance(value, dict | list | _RepeatedKeys):
            stack.append(((*path, segment), value, members(value)))
    return None


def load_json(
    path: Path, *, error_cls: type[InputFileError], max_bytes: int | None = None
) -> LoadedDocument:
    """Read one JSON object: no repeated keys, no NaN or Infinity."""
    file = str(path)
    text, digest = _read_text(path, error_cls, max_bytes)
    if not text.strip():
        raise error_cls(file, "file is empty; expected a JSON object")
    checks = _JsonChecks()
    try:
        data = untrusted_json.loads(
            text,
            object_pairs_hook=checks.object_from_pairs,
            parse_constant=checks.constant,
            parse_float=checks.number,
        )
    except json.JSONDecodeError as exc:
        raise error_cls(
            file, f"invalid JSON: {exc.msg}", line=exc.lineno, column=exc.colno
        ) from None
    except ValueError as exc:  # too deep, or an integer longer than Python converts
        raise error_cls(file, f"invalid JSON: {_one_line(str(exc))}") from None
    source = _JsonSourceMap(text)
    if checks.flagged:
        flag = _first_flag(data)
        if flag is not None:
            raise _json_flag_error(flag, source, file, error_cls)
    if not isinstance(data, dict):
        line, column = source.locate(()) or (1, 1)
        raise error_cls(
            file,
            f"expected a JSON object at the top level, got {_describe(data)}",
            line=line,
            column=column,
        )
    return LoadedDocument(data=data, source=source, text=text, sha256=digest)


def _json_flag_error(
    flag: tuple[PathKey, _RepeatedKeys | _BadNumber],
    source: _JsonSourceMap,
    file: str,
    error_cls: type[InputFileError],
) -> InputFileError:
    path, problem = flag
    if isinstance(problem, _BadNumber):
        line, column = source.locate(path) or (1, 1)
        field = _render_path(path) or None
        return error_cls(file, problem.problem, line=line, column=column, field=field)
    key = problem.pairs[problem.index][0]
    offsets = source.key_offsets(path, key)
    field = _render_path((*path, key))
    if len(offsets) < 2:  # cannot happen for text the decoder accepted; stay truthful anyway
        return error_cls(file, f"duplicate key {_echo(key)}", field=field)
    first_line = source.position(offsets[0])[0]
    line, column = source.position(offsets[1])
    return error_cls(
        file,
        f"duplicate key {_echo(key)} (first at line {first_line})",
        line=line,
        column=column,
        field=field,
    )


# --- validation errors ----------------------------------------------------------------------

_MISSING_TYPES: Final = frozenset(
    {
        "missing",
        "missing_argument",
        "missing_keyword_only_argument",
        "missing_positional_only_argument",
    }
)
_DATE: Final = "a date (YYYY-MM-DD)"
_DATETIME: Final = "a date and time (ISO 8601)"
_EXPECTED: Final = {
    "string_type": "a string",
    "string_unicode": "a string",
    "bytes_type": "a string",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "decimal_type": "a number",
    "decimal_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "tuple_type": "a list",
    "set_type": "a list",
    "frozen_set_type": "a list",
    "iterable_type": "a list",
    "dict_type": "a mapping",
    "mapping_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "dataclass_type": "a mapping",
    "date_type": _DATE,
    "date_parsing": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": _DATE,
    "datetime_type": _DATETIME,
    "datetime_parsing": _DATETIME,
    "datetime_from_date_parsing": _DATETIME,
    "timezone_aware": "a date and time with a time zone",
    "time_type": "a time (HH:MM)",
    "time_parsing": "a time (HH:MM)",
    "timedelta_type": "a duration",
    "timedelta_parsing": "a duration",
    "none_required": "null",
    "url_type": "a URL",
    "url_parsing": "a URL",
    "uuid_type": "a UUID",
    "uuid_parsing": "a UUID",
}
_ABSENT: Final = object()
_IDENTIFIER: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")


def validation_error(
    error: ValidationError,
    doc: LoadedDocument,
    path: Path | str,
    *,
    error_cls: type[InputFileError],
    model: type[BaseModel] | None = None,
    hint: str | None = None,
) -> InputFileError:
    """One line for a pydantic error: the first problem in file order, where, and what is wrong.

    `model` (the class that was validated) lets an unknown-field message list the allowed names
    and a literal message list the allowed values.
    """
    details = error.errors(include_url=False)
    if not details:
        return error_cls(str(path), _one_line(str(error)), hint=hint)
    ranked = []
    for order, detail in enumerate(details):
        data_path = _data_path(doc.data, detail)
        on_key = detail["type"] == "extra_forbidden"
        position = doc.source.locate(data_path, key=on_key)
        rank = (_reading_order(doc.source, data_path, detail["type"], on_key), order)
        ranked.append((rank, detail, data_path, position))
    _, detail, data_path, position = min(ranked, key=lambda entry: entry[0])
    problem = _problem(detail, data_path, model)
    others = len(details) - 1
    if others:
        problem += f" (and {others} more error{'s' if others > 1 else ''})"
    line, column = position if position is not None else (None, None)
    return error_cls(
        str(path),
        problem,
        line=line,
        column=column,
        field=_render_path(data_path) or None,
        hint=hint,
    )


_LAST: Final = 1 << 62


def _reading_order(
    source: SourceMap, path: PathKey, kind: str, on_key: bool
) -> list[tuple[int, int, int]]:
    """Sort key placing an error where a reader top to bottom would notice it.

    The positions of each step along the path order errors by the tree as written. A missing
    field is noticed after the rest of its mapping (a misspelt key inside it comes first), and an
    error about a whole value after the errors inside it (the union member that nearly matched).
    """
    missing = kind in _MISSING_TYPES or kind == "union_tag_not_found"
    steps = path[:-1] if missing else path
    key: list[tuple[int, int, int]] = []
    for depth in range(len(steps) + 1):
        last = depth == len(steps)
        position = source.locate(steps[:depth], key=on_key and last)
        line, column = position if position is not None else (_LAST, _LAST)
        key.append((line, column, 0))
    key.append((_LAST, _LAST, 0 if missing else 1))
    return key


def _child(value: Any, segment: Any) -> Any:
    if isinstance(value, dict):
        try:
            return value.get(segment, _ABSENT)
        except TypeError:  # an unhashable segment cannot be a key
            return _ABSENT
    if (
        isinstance(value, list)
        and isinstance(segment, int)
        and not isinstance(segment, bool)
        and 0 <= segment < len(value)
    ):
        return value[segment]
    return _ABSENT


def _data_path(data: Any, detail: ErrorDetails) -> PathKey:
    """The error's location in the data, without pydantic's own segments.

    pydantic's `loc` mixes real keys and indexes with names of union members and tags
    (``function-after[...]``, ``str``, ``Rate``...). A segment is kept when it indexes the data;
    when more than one reading is possible, the one that reaches the error's own `input` wins.
    """
    loc: tuple[Any, ...] = tuple(detail["loc"])
    kind = detail["type"]
    target = detail.get("input")
    missing = kind in _MISSING_TYPES and bool(loc)
    walk = loc[:-1] if missing else loc
    budget = [512]

    def search(value: Any, start: int) -> PathKey | None:
        budget[0] -= 1
        if budget[0] < 0:
            return None
        if start == len(walk):
            return () if value is target else None
        child = _child(value, walk[start])
        if child is not _ABSENT:
            found = search(child, start + 1)
            if found is not None:
                return (walk[start], *found)
        return search(value, start + 1)

    found = search(data, 0)
    if found is None:
        greedy: list[Any] = []
        value = data
        for segment in walk:
            child = _child(value, segment)
            if child is not _ABSENT:
                greedy.append(segment)
                value = child
        found = tuple(greedy)
    if missing:
        return (*found, loc[-1])
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        # Point at the field that selects the union member, e.g. `kind:`.
        discriminator = str((detail.get("ctx") or {}).get("discriminator", "")).strip("'")
        if _IDENTIFIER.match(discriminator):  # a callable discriminator names no field
            return (*found, discriminator)
    return found


def _render_path(path: Sequence[Any]) -> str:
    rendered = ""
    for segment in path:
        if isinstance(segment, int) and not isinstance(segment, bool):
            rendered += f"[{segment}]"
        elif isinstance(segment, str) and _IDENTIFIER.match(segment):
            rendered += f".{segment}" if rendered else segment
        else:
            rendered += f"[{json.dumps(segment, default=str)}]"
    return rendered


def _problem(detail: ErrorDetails, path: PathKey, model: type[BaseModel] | None) -> str:
    kind: str = detail["type"]
    value = detail.get("input")
    context = detail.get("ctx") or {}
    if kind in _MISSING_TYPES or kind == "union_tag_not_found":
        return "required field is missing"
    if kind == "extra_forbidden":
        name = path[-1] if path else value
        names = _field_names(model, path[:-1]) if model is not None else []
        listed = f" (expected one of: {', '.join(names)})" if names else ""
        return f"unknown field {_echo(name)}{listed}"
    if kind in ("literal_error", "enum"):
        allowed = _allowed_values(model, path) if model is not None else []
        if len(allowed) == 1:
            expected = f"expected {_echo(allowed[0])}"
        elif allowed:
            expected = "expected one of " + ", ".join(_echo(item) for item in allowed)
        else:
            expected = f"expected {context.get('expected', 'another value')}"
        return f"{expected}, got {_echo(value)}"
    if kind == "union_tag_invalid":
        tag = context.get("tag")
        return f"expected one of {context.get('expected_tags', '?')}, got {_echo(tag)}"
    if kind in ("value_error", "assertion_error"):
        raised = context.get("error")
        if raised is not None and str(raised):
            return _one_line(str(raised))
        message: str = detail["msg"]
        return _one_line(message.removeprefix("Value error, ").removeprefix("Assertion failed, "))
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, got {_describe(value)}"
    text = _one_line(detail["msg"])
    if text[1:2].islower():
        text = text[:1].lower() + text[1:]
    if value is None or isinstance(value, str | int | float):
        text += f", got {_describe(value)}"
    return text


def _expand_types(candidates: list[Any]) -> list[Any]:
    """Strips `Annotated` and flattens unions (including Optional)."""
    expanded: list[Any] = []
    pending = list(candidates)
    while pending:
        candidate = pending.pop(0)
        origin = get_origin(candidate)
        if origin is Annotated:
            pending.insert(0, get_args(candidate)[0])
        elif origin is Union or origin is types.UnionType:
            pending[0:0] = get_args(candidate)
        else:
            expanded.append(candidate)
    return expanded


def _is_model(candidate: Any) -> bool:
    return isinstance(candidate, type) and issubclass(candidate, BaseModel)


def _child_types(candidate: Any, segment: Any) -> list[Any]:
    if _is_model(candidate):
        if not isinstance(segment, str):
            return []
        for name, field in candidate.model_fields.items():
            if segment in (name, field.alias, field.validation_alias):
                return [field.annotation]
        return []
    origin = get_origin(candidate)
    args = get_args(candidate)
    if not isinstance(origin, type) or not args:
        return []
    if issubclass(origin, tuple):
        if not isinstance(segment, int):
            return []
        if len(args) == 2 and args[1] is Ellipsis:
            return [args[0]]
        return [args[segment]] if 0 <= segment < len(args) else []
    if issubclass(origin, collections.abc.Mapping):
        return [args[-1]]
    if issubclass(origin, collections.abc.Iterable) and isinstance(segment, int):
        return [args[0]]
    return []


def _types_at(model: type[BaseModel], path: PathKey) -> list[Any]:
    candidates: list[Any] = [model]
    for segment in path:
        following: list[Any] = []
        for candidate in _expand_types(candidates):
            following.extend(_child_types(candidate, segment))
        candidates = following
    return _expand_types(candidates)


def _field_names(model: type[BaseModel], path: PathKey) -> list[str]:
    names: list[str] = []
    for candidate in _types_at(model, path):
        if _is_model(candidate):
            for name, field in candidate.model_fields.items():
                spelled = field.alias or name
                if spelled not in names:
                    names.append(spelled)
    return names


def _allowed_values(model: type[BaseModel], path: PathKey) -> list[Any]:
    allowed: list[Any] = []
    for candidate in _types_at(model, path):
        if get_origin(candidate) is Literal:
            options: Sequence[Any] = get_args(candidate)
        elif isinstance(candidate, type) and issubclass(candidate, Enum):
            options = [member.value for member in candidate]
        else:
            continue
        allowed.extend(option for option in options if option not in allowed)
    return allowed


# --- rendering values -----------------------------------------------------------------------


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _truncate(text: str) -> str:
    return text if len(text) <= _ECHO_LIMIT else text[: _ECHO_LIMIT - 3] + "..."


def _echo(value: Any) -> str:
    """A value as it would be written in the file, shortened to fit one line."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(_truncate(value))
    if isinstance(value, int | float):
        return _truncate(repr(value))
    return _describe(value)


def _describe(value: Any) -> str:
    """A value with what kind it is, e.g. "a string 'x'"."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"a boolean {_echo(value)}"
    if isinstance(value, str):
        return f"a string {_echo(value)}"
    if isinstance(value, int):
        return f"an integer {_echo(value)}"
    if isinstance(value, float):
        return f"a number {_echo(value)}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return f"a {type(value).__name__}"


# --- booleans are not numbers ---------------------------------------------------------------


def _admits_bool(annotation: Any) -> bool:
    """Whether a field's type accepts a boolean as such (bool, Any, or a Literal of one)."""
    if annotation is bool or annotation is Any:
        return True
    origin = get_origin(annotation)
    if origin is Literal:
        return any(isinstance(arg, bool) for arg in get_args(annotation))
    if origin is Annotated:
        return _admits_bool(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return any(_admits_bool(arg) for arg in get_args(annotation))
    return False


class StrictNumbersModel(BaseModel):
    """A model where `true` is never read as 1: pydantic's lax mode would take it for any
    number or for ``Literal[1]`` (``version: true``, a snapshot ``"timeout": true``)."""

    @field_validator("*", mode="before")
    @classmethod
    def _booleans_are_not_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, bool) and info.field_name is not None:
            field = cls.model_fields.get(info.field_name)
            if field is not None and not _admits_bool(field.annotation):
                raise ValueError(f"expected {_expected_for(field.annotation)}, not a boolean")
        return value


def _expected_for(annotation: Any) -> str:
    args = get_args(annotation)
    if get_origin(annotation) is Literal and args:
        return " or ".join(repr(arg) for arg in args)
    return "a number" if annotation in (int, float) or int in args or float in args else "a value"
