"""checker.load.documents: safe YAML/JSON loading; errors name file:line:column and field."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import pytest
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from checker.errors import InputFileError, PolicyError, SnapshotError
from checker.load import documents
from checker.load.documents import LoadedDocument, load_json, load_yaml, validation_error

MB50 = 50 * 1024 * 1024


def write(tmp_path: Path, text: str | bytes, name: str = "policy.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def yaml_error(tmp_path: Path, text: str | bytes, **limits: int) -> PolicyError:
    path = write(tmp_path, text)
    with pytest.raises(PolicyError) as caught:
        load_yaml(path, error_cls=PolicyError, **limits)
    return caught.value


def json_error(tmp_path: Path, text: str | bytes) -> SnapshotError:
    path = write(tmp_path, text, "snapshot.json")
    with pytest.raises(SnapshotError) as caught:
        load_json(path, error_cls=SnapshotError)
    return caught.value


def where(error: InputFileError) -> tuple[int | None, int | None, str | None]:
    return error.line, error.column, error.field


@pytest.fixture(params=["libyaml", "python"])
def yaml_parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every YAML behaviour must hold with libyaml and with PyYAML's pure-Python parser."""
    if request.param == "python":
        monkeypatch.setattr(documents, "_yaml_parser", documents._PythonComposer)
    elif documents._yaml_parser is documents._PythonComposer:
        pytest.skip("PyYAML is built without libyaml here")
    return str(request.param)


# --- file edges (both formats) -----------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    with pytest.raises(PolicyError) as caught:
        load_yaml(path, error_cls=PolicyError)
    assert caught.value.message == f"{path}: file not found"
    with pytest.raises(SnapshotError, match="file not found"):
        load_json(tmp_path / "nope.json", error_cls=SnapshotError)


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(PolicyError) as caught:
        load_yaml(tmp_path, error_cls=PolicyError)
    assert caught.value.message == f"{tmp_path}: is a directory, not a file"
    with pytest.raises(SnapshotError, match="is a directory, not a file"):
        load_json(tmp_path, error_cls=SnapshotError)


def test_oversize_yaml_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as stream:
        stream.truncate(MB50)  # sparse: the size is real, the bytes are never written
    started = time.perf_counter()
    with pytest.raises(PolicyError) as caught:
        load_yaml(path, error_cls=PolicyError)
    assert time.perf_counter() - started < 0.1
    assert caught.value.problem == "file is 52,428,800 bytes; a policy is at most 1,000,000"


def test_oversize_json_with_a_limit(tmp_path: Path) -> None:
    path = write(tmp_path, '{"a": 1}', "snapshot.json")
    with pytest.raises(SnapshotError) as caught:
        load_json(path, error_cls=SnapshotError, max_bytes=5)
    assert caught.value.problem == "file is 8 bytes; a snapshot is at most 5"


def test_size_limit_names_generic_kind(tmp_path: Path) -> None:
    path = write(tmp_path, "a: 1\n")
    with pytest.raises(InputFileError) as caught:
        load_yaml(path, error_cls=InputFileError, max_bytes=2)
    assert caught.value.problem == "file is 5 bytes; an input file is at most 2"


def test_undecodable_bytes_point_at_the_bad_byte(tmp_path: Path) -> None:
    error = yaml_error(tmp_path, b"version: 1\nname: caf\xe9\n")
    assert where(error) == (2, 10, None)
    assert "not valid UTF-8 (byte 0xe9" in error.problem
    error_json = json_error(tmp_path, b'{\n  "\xc3\xa9t\xc3\xa9": "\xff"}')
    assert (error_json.line, error_json.column) == (2, 11)


def test_empty_yaml(tmp_path: Path) -> None:
    for text in ("", "  \n\n"):
        error = yaml_error(tmp_path, text)
        assert error.message == (
            f"{tmp_path / 'policy.yaml'}: file is empty; a policy needs at least `version: 1`"
        )


def test_comment_only_yaml(tmp_path: Path, yaml_parser: str) -> None:
    error = yaml_error(tmp_path, "# nothing here\n")
    assert error.problem == "file has only comments; a policy needs at least `version: 1`"


def test_empty_json(tmp_path: Path) -> None:
    assert json_error(tmp_path, "\n").problem == "file is empty; expected a JSON object"


def test_byte_order_mark_is_not_content(tmp_path: Path) -> None:
    yaml_path = write(tmp_path, b"\xef\xbb\xbfversion: 1\n")
    assert load_yaml(yaml_path, error_cls=PolicyError).data == {"version": 1}
    json_path = write(tmp_path, b'\xef\xbb\xbf{"version": 1}', "snapshot.json")
    assert load_json(json_path, error_cls=SnapshotError).data == {"version": 1}


# --- YAML: core schema ---------------------------------------------------------------------------


def load(tmp_path: Path, text: str) -> Any:
    return load_yaml(write(tmp_path, text), error_cls=PolicyError).data


def test_only_true_and_false_are_booleans(tmp_path: Path, yaml_parser: str) -> None:
    data = load(
        tmp_path,
        "t: [true, True, TRUE]\nf: [false, False, FALSE]\n"
        "s: [on, off, yes, no, NO, y, n, tRUE, 'true']\n",
    )
    assert data == {
        "t": [True, True, True],
        "f": [False, False, False],
        "s": ["on", "off", "yes", "no", "NO", "y", "n", "tRUE", "true"],
    }
    assert all(type(value) is bool for value in data["t"] + data["f"])


def test_times_and_dates_stay_strings(tmp_path: Path, yaml_parser: str) -> None:
    data = load(
        tmp_path,
        "start: 08:00\nend: 18:30\nsexagesimal: 1:30:00\n"
        "expires: 2027-03-31\nstamp: 2027-03-31T10:00:00Z\n",
    )
    assert data == {
        "start": "08:00",
        "end": "18:30",
        "sexagesimal": "1:30:00",
        "expires": "2027-03-31",
        "stamp": "2027-03-31T10:00:00Z",
    }


def test_numbers_follow_the_core_schema(tmp_path: Path, yaml_parser: str) -> None:
    data = load(
        tmp_path,
        "ints: [0, -5, +5, 010, 0o17, 0x1F]\n"
        "floats: [1.5, .5, 1., -2.5e3, 1e3, .inf, -.Inf, +.INF]\n"
        "strings: [1_000, 0b11, 0X1F, 0o8, '12', 5m, 8s, 1.2.3]\n"
        "nan: .NaN\n",
    )
    assert data["ints"] == [0, -5, 5, 10, 15, 31]
    assert all(type(value) is int for value in data["ints"])
    assert data["floats"] == [1.5, 0.5, 1.0, -2500.0, 1000.0, math.inf, -math.inf, math.inf]
    assert all(type(value) is float for value in data["floats"])
    assert data["strings"] == ["1_000", "0b11", "0X1F", "0o8", "12", "5m", "8s", "1.2.3"]
    assert math.isnan(data["nan"])


def test_null_forms(tmp_path: Path, yaml_parser: str) -> None:
    data = load(tmp_path, "a: [~, null, Null, NULL, nULL, '']\nb:\nc: !!null ''\n")
    assert data == {"a": [None, None, None, None, "nULL", ""], "b": None, "c": None}


def test_core_explicit_tags(tmp_path: Path, yaml_parser: str) -> None:
    data = load(tmp_path, "a: !!str 123\nb: !!int '0x10'\nc: !!float 1\nd: !!bool 'TRUE'\n")
    assert data == {"a": "123", "b": 16, "c": 1.0, "d": True}


@pytest.mark.parametrize(
    ("text", "problem", "column"),
    [
        ("a: !!timestamp 2027-03-31\n", "unsupported YAML tag !!timestamp", 4),
        ("a: !Ref other\n", "unsupported YAML tag !Ref", 4),
        ("a: !!set {x}\n", "unsupported YAML tag !!set", 4),
        ("a: !!python/name:os.system ''\n", "unsupported YAML tag !!python/name:os.system", 4),
        ("a: !!int abc\n", "'abc' is not a valid !!int value", 4),
        ("a: !!bool yes\n", "'yes' is not a valid !!bool value", 4),
    ],
)
def test_other_tags_are_refused(
    tmp_path: Path, yaml_parser: str, text: str, problem: str, column: int
) -> None:
    error = yaml_error(tmp_path, text)
    assert error.problem.startswith(problem)
    assert where(error) == (1, column, "a")


def test_too_many_digits(tmp_path: Path, yaml_parser: str) -> None:
    error = yaml_error(tmp_path, "a: 1\nb: " + "9" * 5000 + "\n")
    assert (error.problem, *where(error)) == ("number has too many digits", 2, 4, "b")


# --- YAML: structure -----------------------------------------------------------------------------


def test_duplicate_key_names_second_occurrence_and_path(tmp_path: Path, yaml_parser: str) -> None:
    error = yaml_error(
        tmp_path,
        "version: 1\nwarm:\n  max_interval: 5m\n  window: always\n  max_interval: 1m\n",
    )
    assert error.message == (
        f"{tmp_path / 'policy.yaml'}:5:3: warm.max_interval: "
        "duplicate key 'max_interval' (first at line 3)"
    )


def test_duplicate_key_in_a_list_item(tmp_path: Path, yaml_parser: str) -> None:
    error = yaml_error(
        tmp_path,
        "overrides:\n  - function: a\n  - function: b\n    required: false\n    function: c\n",
    )
    assert where(error) == (5, 5, "overrides[1].function")
    assert error.problem == "duplicate key 'function' (first at line 3)"


def test_duplicate_key_in_flow_mapping_and_top_level(tmp_path: Path, yaml_parser: str) -> None:
    error = yaml_error(tmp_path, "a: {x: 1, y: 2, x: 3}\n")
    assert (*where(error), error.problem) == (1, 17, "a.x", "duplicate key 'x' (first at line 1)")
    error = yaml_error(tmp_path, "version: 1\nversion: 1\n")
    assert where(error) == (2, 1, "version")


def billion_laughs(levels: int = 9) -> str:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels + 1):
        aliases = ", ".join([f"*l{level - 1}"] * 9)
        lines.append(f"l{level}: &l{level} [{aliases}]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_refused_quickly(tmp_path: Path, yaml_parser: str) -> None:
    path = write(tmp_path, billion_laughs())
    started = time.perf_counter()
    with pytest.raises(PolicyError) as caught:
        load_yaml(path, error_cls=PolicyError)
    # Refused by counting, not by running out of time: a generous bound that a shared CI
    # machine meets, while expanding the billion values would take minutes and gigabytes.
    assert time.perf_counter() - started < 10.0
    assert "expands to more than 100,000 values" in caught.value.problem
    assert caught.value.line is not None


def test_value_limit_is_adjustable(tmp_path: Path, yaml_parser: str) -> None:
    error = yaml_error(tmp_path, "a: [1, 2, 3]\n", max_values=4)
    assert error.problem.startswith("the document expands to more than 4 values")
    assert where(error) == (1, 8, "a[1]")


def test_aliases_are_allowed_and_copied(tmp_path: Path, yaml_parser: str) -> None:
    doc = load_yaml(
        write(tmp_path, "base: &base {x: [1, 2]}\nfirst: *base\nsecond: *base\n"),
        error_cls=PolicyError,
    )
    assert doc.data["first"] == doc.data["second"] == {"x": [1, 2]}
    assert doc.data["first"] is not doc.data["second"]
    # An aliased value is located where the anchored node is written.
    assert doc.source.locate(["second", "x", 1]) == (1, 21)
    assert doc.source.locate(["second"], key=True) == (3, 1)


def test_recursive_alias_is_refused(tmp_path: Path, yaml_parser: str) -> None:
    error = yaml_error(tmp_path, "a: &a [1, *a]\n")
    assert error.problem == (
        "this node contains an alias to itself; a recursive structure cannot be loaded"
    )
    # The position is the anchored node: PyYAML keeps no trace of where the alias was written.
    assert where(error) == (1, 4, "a[1]")


def test_undefined_alias(tmp_path: Path, yaml_parser: str) -> None:
    error = yaml_error(tmp_path, "a: 1\nb: *nope\n")
    assert (error.problem, error.line, error.column) == (
        "alias *nope refers to no anchor defined before it",
        2,
        4,
    )


def test_duplicate_anchor(tmp_path: Path, yaml_parser: str) -> None:
    error = yaml_error(tmp_path, "a: &x 1\nb: &x 2\n")
    assert (error.problem, error.line, error.column) == (
        "anchor &x is defined twice (first at line 1)",
        2,
        4,
    )


def test_nesting_limit(tmp_path: Path, yaml_parser: str) -> None:
    error = yaml_error(tmp_path, "a: " + "[" * 101 + "]" * 101 + "\n")
    assert error.problem == "nested more than 100 levels deep"
    assert error.line == 1


def test_complex_keys_are_refused(tmp_path: Path, yaml_parser: str) -> None:
    error = yaml_error(tmp_path, "? [a, b]\n: 1\n")
    assert error.problem == "a mapping key must be a plain value, not a list"
    assert (error.line, error.column) == (1, 3)


def test_merge_keys(tmp_path: Path, yaml_parser: str) -> None:
    text = (
        "defaults: &defaults {max_interval: 5m, required: true}\n"
        "strict: &strict {max_interval: 1m, note: strict}\n"
        "overrides:\n"
        "  - <<: [*strict, *defaults]\n"
        "    function: crm-*\n"
        "  - function: legacy-*\n"
        "    <<: *defaults\n"
        "    required: false\n"
    )
    doc = load_yaml(write(tmp_path, text), error_cls=PolicyError)
    assert doc.data["overrides"] == [
        {"max_interval": "1m", "note": "strict", "required": True, "function": "crm-*"},
        {"max_interval": "5m", "function": "legacy-*", "required": False},
    ]
    # Merged values are located in the mapping they came from; explicit ones where written.
    assert doc.source.locate(["overrides", 0, "max_interval"]) == (2, 32)
    assert doc.source.locate(["overrides", 0, "required"], key=True) == (1, 40)
    assert doc.source.locate(["overrides", 1, "required"]) == (8, 15)


def test_merge_key_needs_mappings(tmp_path: Path, yaml_parser: str) -> None:
    error = yaml_error(tmp_path, "a: &a 1\nb:\n  <<: *a\n")
    assert error.problem.startswith("a merge key `<<` takes a mapping or a list of mappings")
    # The offending value is the anchored scalar, located where it is written.
    assert where(error) == (1, 4, 'b["<<"]')
    error = yaml_error(tmp_path, "a: &a {x: 1}\nb:\n  <<: *a\n  <<: *a\n")
    assert (*where(error), error.problem) == (
        4,
        3,
        'b["<<"]',
        "duplicate key '<<' (first at line 3)",
    )


def test_quoted_merge_key_is_an_ordinary_key(tmp_path: Path, yaml_parser: str) -> None:
    assert load(tmp_path, "'<<': x\ny: <<\n") == {"<<": "x", "y": "<<"}


def test_multiple_documents(tmp_path: Path, yaml_parser: str) -> None:
    error = yaml_error(tmp_path, "version: 1\n---\nversion: 1\n")
    assert error.problem == "a second YAML document starts here; a policy is a single document"
    assert (error.line, error.column) == (2, 1)


def test_explicit_document_markers_are_fine(tmp_path: Path, yaml_parser: str) -> None:
    assert load(tmp_path, "---\nversion: 1\n...\n") == {"version": 1}


@pytest.mark.parametrize(
    ("text", "got", "column"),
    [
        ("- version: 1\n", "a list", 1),
        ("version 1\n", "a string 'version 1'", 1),
        ("  42\n", "an integer 42", 3),
    ],
)
def test_top_level_must_be_a_mapping(
    tmp_path: Path, yaml_parser: str, text: str, got: str, column: int
) -> None:
    error = yaml_error(tmp_path, text)
    assert error.problem == f"expected a mapping (`key: value` lines) at the top level, got {got}"
    assert (error.line, error.column) == (1, column)


@pytest.mark.parametrize(
    ("text", "starts", "line", "column"),
    [
        ("a: b: c\n", "invalid YAML: mapping values are not allowed", 1, 5),
        ("a: [1,\n", "invalid YAML: ", 2, 1),
        ("a: 'open\n", "invalid YAML: found unexpected end of stream", 2, 1),
        ("a:\n\tb: 1\n", "invalid YAML: a tab character; YAML indents with spaces only", 2, 1),
        ("a: 1\n b: 2\n", "invalid YAML: mapping values are not allowed", 2, 3),
    ],
)
def test_syntax_errors(
    tmp_path: Path, yaml_parser: str, text: str, starts: str, line: int, column: int
) -> None:
    error = yaml_error(tmp_path, text)
    assert error.problem.startswith(starts)
    assert (error.line, error.column) == (line, column)
    assert "\n" not in error.message


def test_syntax_error_names_where_the_construct_began(tmp_path: Path, yaml_parser: str) -> None:
    error = yaml_error(tmp_path, "a: 'open\nstill open\n")
    assert error.problem == (
        "invalid YAML: found unexpected end of stream "
        "(while scanning a quoted scalar at line 1, column 4)"
    )


def test_control_characters(tmp_path: Path, yaml_parser: str) -> None:
    error = yaml_error(tmp_path, "a: 1\nb: x\x01y\n")
    assert error.problem == (
        "character U+0001 is not allowed in YAML; inside double quotes write it as \\u0001"
    )
    assert (error.line, error.column) == (2, 5)


def test_columns_count_characters(tmp_path: Path, yaml_parser: str) -> None:
    error = yaml_error(tmp_path, "name: 'héllo wörld'\nname: x\n")
    assert (error.line, error.column) == (2, 1)
    doc = load_yaml(write(tmp_path, "é: ü\nx: [ä, ö]\n"), error_cls=PolicyError)
    assert doc.source.locate(["x", 1]) == (2, 8)


# --- YAML source map ------------------------------------------------------------------------------


def test_yaml_locate(tmp_path: Path, yaml_parser: str) -> None:
    text = (
        "version: 1\n"
        "warm:\n"
        "  max_interval: 5m\n"
        "  window:\n"
        "    timezone: Europe/Berlin\n"
        "overrides:\n"
        "  - function: crm-*\n"
        "    max_interval: 1m\n"
        "empty:\n"
    )
    source = load_yaml(write(tmp_path, text), error_cls=PolicyError).source
    assert source.locate(["warm", "max_interval"]) == (3, 17)
    assert source.locate(["warm", "max_interval"], key=True) == (3, 3)
    assert source.locate(["warm", "window"]) == (5, 5)
    assert source.locate(["overrides", 0]) == (7, 5)
    assert source.locate(["overrides", 0], key=True) == (7, 5)
    assert source.locate(["overrides", 0, "max_interval"]) == (8, 19)
    # A path that does not exist gives its nearest existing ancestor.
    assert source.locate(["warm", "payload"]) == (3, 3)
    assert source.locate(["overrides", 3, "function"]) == (7, 3)
    assert source.locate(["nothing", "here"]) == (1, 1)
    assert source.locate([]) == (1, 1)
    assert source.locate(["empty"], key=True) == (9, 1)


# --- JSON ----------------------------------------------------------------------------------------


def test_json_loads_and_locates(tmp_path: Path) -> None:
    text = (
        "{\n"
        '  "version": 1,\n'
        '  "skip": {"a": [1, {"}": "\\"]"}], "b": "x"},\n'
        '  "functions": [\n'
        '    {"name": "a", "arn": "arn:1"},\n'
        '    {"name": "b", "arn": "arn:2", "tags": {"k": null}}\n'
        "  ]\n"
        "}\n"
    )
    doc = load_json(write(tmp_path, text, "snapshot.json"), error_cls=SnapshotError)
    assert doc.data["functions"][1]["tags"] == {"k": None}
    assert doc.text == text
    source = doc.source
    assert source.locate(["functions", 1, "arn"]) == (6, 26)
    assert source.locate(["functions", 1, "arn"], key=True) == (6, 19)
    assert source.locate(["functions", 0]) == (5, 5)
    assert source.locate(["skip", "b"]) == (3, 41)
    assert source.locate(["functions", 1, "tags", "k"]) == (6, 49)
    # Missing paths fall back to the nearest existing ancestor's value.
    assert source.locate(["functions", 1, "role"]) == (6, 5)
    assert source.locate(["functions", 7, "name"]) == (4, 16)
    assert source.locate(["version", "deeper"]) == (2, 14)
    assert source.locate(["functions", "name"]) == (4, 16)
    assert source.locate([]) == (1, 1)


@pytest.mark.parametrize(
    ("text", "line", "column", "problem"),
    [
        ('{"a": 1,}', 1, 9, "invalid JSON: Expecting property name enclosed in double quotes"),
        ('{\n  "a": tru\n}', 2, 8, "invalid JSON: Expecting value"),
        ('{"a": 1}\n{"b": 2}\n', 2, 1, "invalid JSON: Extra data"),
        ('{"a": "x\ty"}', 1, 9, "invalid JSON: Invalid control character at"),
    ],
)
def test_invalid_json(tmp_path: Path, text: str, line: int, column: int, problem: str) -> None:
    error = json_error(tmp_path, text)
    assert (error.line, error.column, error.problem) == (line, column, problem)


def test_json_duplicate_key(tmp_path: Path) -> None:
    text = '{\n  "version": 1,\n  "meta": {\n    "region": "a",\n    "region": "b"\n  }\n}\n'
    error = json_error(tmp_path, text)
    assert error.message == (
        f"{tmp_path / 'snapshot.json'}:5:5: meta.region: duplicate key 'region' (first at line 4)"
    )


def test_json_duplicate_reported_is_the_first_in_the_text(tmp_path: Path) -> None:
    text = (
        "{\n"
        '  "a": 1,\n'
        '  "list": [{"x": 1}, {"y": 1, "y": 2}],\n'
        '  "a": 2,\n'
        '  "later": {"z": 1, "z": 2}\n'
        "}\n"
    )
    error = json_error(tmp_path, text)
    assert where(error) == (3, 31, "list[1].y")
    assert error.problem == "duplicate key 'y' (first at line 3)"


def test_json_duplicate_at_top_level(tmp_path: Path) -> None:
    error = json_error(tmp_path, '{"a": {"b": 1}, "a": 2}')
    assert (*where(error), error.problem) == (1, 17, "a", "duplicate key 'a' (first at line 1)")


@pytest.mark.parametrize(
    ("literal", "problem"),
    [
        ("NaN", "NaN is not valid JSON; write a number or null"),
        ("Infinity", "Infinity is not valid JSON; write a number or null"),
        ("-Infinity", "-Infinity is not valid JSON; write a number or null"),
        ("1e400", "number 1e400 is too large"),
    ],
)
def test_json_non_finite_numbers(tmp_path: Path, literal: str, problem: str) -> None:
    error = json_error(tmp_path, '{\n  "weights": {"live": 0.5,\n    "next": ' + literal + "}\n}")
    assert (*where(error), error.problem) == (3, 13, "weights.next", problem)


def test_json_top_level_must_be_an_object(tmp_path: Path) -> None:
    error = json_error(tmp_path, "  [1, 2]")
    assert (error.line, error.column) == (1, 3)
    assert error.problem == "expected a JSON object at the top level, got a list"


def test_json_keys_with_odd_characters_render_quoted(tmp_path: Path) -> None:
    text = '{"functions": {"arn:aws:lambda:us-east-1:1:function:f": {"t": 1, "t": 2}}}'
    error = json_error(tmp_path, text)
    assert error.field == 'functions["arn:aws:lambda:us-east-1:1:function:f"].t'


def test_a_large_snapshot_is_read_and_its_last_value_located(tmp_path: Path) -> None:
    # How fast is `make bench` (benchmarks/documents_bench.py): timing is not asserted here.
    items = [
        {"arn": f"arn:aws:lambda:us-east-1:123456789012:function:fn-{index}", "n": index}
        for index in range(120_000)
    ]
    text = json.dumps({"version": 1, "functions": items, "tail": {"last": True}}, indent=2)
    assert len(text) > 10_000_000
    path = write(tmp_path, text, "snapshot.json")
    doc = load_json(path, error_cls=SnapshotError)
    assert doc.data == json.loads(text)
    position = doc.source.locate(["functions", 119_999, "n"])
    assert position is not None
    assert text.splitlines()[position[0] - 1][position[1] - 1 :] == "119999"
    # The first key needs no sibling decoded; the container scan is then reused.
    assert doc.source.locate(["version"]) == (2, 14)
    assert doc.source.locate(["tail", "last"]) is not None


# --- validation errors -------------------------------------------------------------------------


def _non_negative(value: int) -> int:
    if value < 0:
        raise ValueError("must not be negative")
    return value


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


Status = Literal["PUBLISHED", "SAVED"]


def _published() -> list[Status]:
    return ["PUBLISHED"]


class Scope(StrictModel):
    regions: list[str] = Field(default_factory=list)
    flow_statuses: list[Status] = Field(default_factory=_published)


class WeeklyWindow(StrictModel):
    timezone: str
    start: str


class RateSource(StrictModel):
    kind: Literal["rate"]
    rate: str
    every: int


class CronSource(StrictModel):
    kind: Literal["cron"]
    cron: str


class Warm(StrictModel):
    max_interval: str = "5m"
    window: Literal["always"] | WeeklyWindow = "always"
    source: Annotated[RateSource | CronSource, Field(discriminator="kind")] | None = None
    retries: Annotated[int, AfterValidator(_non_negative)] | list[int] = 0

    @field_validator("max_interval")
    @classmethod
    def _duration(cls, value: str) -> str:
        if not value.endswith(("s", "m", "h")):
            raise ValueError(f"{value!r} is not a duration like 5m\n(s, m or h)")
        return value


class Override(StrictModel):
    function: str
    max_interval: str | None = None


class Waiver(StrictModel):
    rule: str
    expires: date


class Policy(StrictModel):
    version: Literal[1]
    scope: Scope = Field(default_factory=Scope)
    warm: Warm = Field(default_factory=Warm)
    overrides: list[Override] = Field(default_factory=list)
    waivers: list[Waiver] = Field(default_factory=list)
    extra_functions: list[str] = Field(default_factory=list)


HINT = "see `warmcheck schema policy`"


def policy_error(
    tmp_path: Path,
    text: str,
    *,
    model: type[BaseModel] | None = Policy,
    loader: Callable[..., LoadedDocument] = load_yaml,
    name: str = "policy.yaml",
) -> InputFileError:
    path = write(tmp_path, text, name)
    doc = loader(path, error_cls=PolicyError)
    with pytest.raises(ValidationError) as caught:
        Policy.model_validate(doc.data)
    error = validation_error(caught.value, doc, path, error_cls=PolicyError, model=model, hint=HINT)
    assert isinstance(error, PolicyError)
    assert error.hint == HINT
    assert "\n" not in error.message
    return error


@pytest.fixture
def policy_path(tmp_path: Path) -> str:
    return str(tmp_path / "policy.yaml")


def test_unknown_field(tmp_path: Path, policy_path: str) -> None:
    error = policy_error(tmp_path, "version: 1\nwarm:\n  maxinterval: 5m\n")
    assert error.message == (
        f"{policy_path}:3:3: warm.maxinterval: unknown field 'maxinterval' "
        "(expected one of: max_interval, window, source, retries)"
    )


def test_unknown_field_without_a_model(tmp_path: Path) -> None:
    error = policy_error(tmp_path, "version: 1\nwarm:\n  maxinterval: 5m\n", model=None)
    assert error.problem == "unknown field 'maxinterval'"


def test_unknown_top_level_field(tmp_path: Path) -> None:
    error = policy_error(tmp_path, "version: 1\nwarmers: {}\n")
    assert where(error) == (2, 1, "warmers")
    assert error.problem.startswith("unknown field 'warmers' (expected one of: version, scope, ")


def test_missing_field_points_at_the_parent(tmp_path: Path, policy_path: str) -> None:
    error = policy_error(tmp_path, "version: 1\noverrides:\n  - max_interval: 1m\n")
    assert error.message == f"{policy_path}:3:5: overrides[0].function: required field is missing"


def test_misspelt_key_outranks_the_missing_field_it_stands_for(tmp_path: Path) -> None:
    error = policy_error(
        tmp_path, "version: 1\noverrides:\n  - max_interval: 1m\n    fucntion: a\n"
    )
    assert (*where(error), error.problem) == (
        4,
        5,
        "overrides[0].fucntion",
        "unknown field 'fucntion' (expected one of: function, max_interval) (and 1 more error)",
    )


def test_missing_top_level_field(tmp_path: Path) -> None:
    error = policy_error(tmp_path, "scope: {}\n")
    assert (*where(error), error.problem) == (1, 1, "version", "required field is missing")


def test_literal_in_a_list(tmp_path: Path) -> None:
    error = policy_error(tmp_path, "version: 1\nscope:\n  flow_statuses: [PUBLISHED, DRAFT]\n")
    assert where(error) == (3, 30, "scope.flow_statuses[1]")
    assert error.problem == "expected one of 'PUBLISHED', 'SAVED', got 'DRAFT'"


def test_single_value_literal(tmp_path: Path) -> None:
    error = policy_error(tmp_path, "version: 2\n")
    assert (*where(error), error.problem) == (1, 10, "version", "expected 1, got 2")


def test_literal_without_a_model_uses_pydantic_wording(tmp_path: Path) -> None:
    error = policy_error(tmp_path, "version: 1\nscope: {flow_statuses: [x]}\n", model=None)
    assert error.problem == "expected 'PUBLISHED' or 'SAVED', got 'x'"


def test_type_error(tmp_path: Path) -> None:
    error = policy_error(tmp_path, "version: 1\nextra_functions: x\n")
    assert (*where(error), error.problem) == (
        2,
        18,
        "extra_functions",
        "expected a list, got a string 'x'",
    )


def test_custom_validator_text(tmp_path: Path) -> None:
    error = policy_error(tmp_path, "version: 1\nwarm:\n  max_interval: 5 min\n")
    assert (*where(error), error.problem) == (
        3,
        17,
        "warm.max_interval",
        "'5 min' is not a duration like 5m (s, m or h)",
    )


def test_date_error_in_third_waiver(tmp_path: Path) -> None:
    text = (
        "version: 1\n"
        "waivers:\n"
        "  - {rule: WARM001, expires: 2027-03-31}\n"
        "  - {rule: WARM002, expires: 2027-04-30}\n"
        "  - {rule: WARM003, expires: 2027-13-01}\n"
    )
    error = policy_error(tmp_path, text)
    assert (*where(error), error.problem) == (
        5,
        30,
        "waivers[2].expires",
        "expected a date (YYYY-MM-DD), got a string '2027-13-01'",
    )


def test_union_segments_are_dropped(tmp_path: Path) -> None:
    error = policy_error(tmp_path, "version: 1\nwarm:\n  window: sometimes\n")
    assert (*where(error), error.problem) == (
        3,
        11,
        "warm.window",
        "expected 'always', got 'sometimes' (and 1 more error)",
    )
    error = policy_error(tmp_path, "version: 1\nwarm:\n  window: {timezone: UTC}\n")
    assert (*where(error), error.problem) == (
        3,
        11,
        "warm.window.start",
        "required field is missing (and 1 more error)",
    )


def test_function_after_and_type_segments_are_dropped(tmp_path: Path) -> None:
    error = policy_error(tmp_path, "version: 1\nwarm:\n  retries: x\n")
    assert (*where(error), error.problem) == (
        3,
        12,
        "warm.retries",
        "expected an integer, got a string 'x' (and 1 more error)",
    )
    error = policy_error(tmp_path, "version: 1\nwarm:\n  retries: -1\n")
    assert (*where(error), error.problem) == (
        3,
        12,
        "warm.retries",
        "must not be negative (and 1 more error)",
    )


def test_tag_names_are_dropped_even_when_they_match_a_key(tmp_path: Path) -> None:
    # The tag "rate" is also a key of the data; the missing field is still `source.every`.
    error = policy_error(tmp_path, "version: 1\nwarm:\n  source: {kind: rate, rate: 5m}\n")
    assert (*where(error), error.problem) == (
        3,
        11,
        "warm.source.every",
        "required field is missing",
    )


def test_bad_union_tag_points_at_the_tag(tmp_path: Path) -> None:
    error = policy_error(tmp_path, "version: 1\nwarm:\n  source: {kind: daily}\n")
    assert (*where(error), error.problem) == (
        3,
        18,
        "warm.source.kind",
        "expected one of 'rate', 'cron', got 'daily'",
    )
    error = policy_error(tmp_path, "version: 1\nwarm:\n  source: {rate: 5m}\n")
    assert (*where(error), error.problem) == (
        3,
        11,
        "warm.source.kind",
        "required field is missing",
    )


def test_first_error_in_file_order_and_count(tmp_path: Path) -> None:
    # pydantic reports `version` first (field order); the reader meets `warm` first.
    text = "warm:\n  max_interval: 5\n  extra: 1\noverrides: [{}]\nversion: 3\n"
    error = policy_error(tmp_path, text)
    assert (*where(error), error.problem) == (
        2,
        17,
        "warm.max_interval",
        "expected a string, got an integer 5 (and 3 more errors)",
    )


def test_long_values_are_truncated(tmp_path: Path) -> None:
    long_value = "x" * 100
    error = policy_error(tmp_path, f"version: 1\nscope:\n  flow_statuses: [{long_value}]\n")
    echoed = error.problem.split("got ", 1)[1]
    assert echoed == repr("x" * 57 + "...")
    assert len(echoed) == 62


def test_validation_error_in_json(tmp_path: Path) -> None:
    text = '{\n  "version": 1,\n  "overrides": [\n    {"function": "a"},\n    {"fn": "b"}\n  ]\n}\n'
    error = policy_error(tmp_path, text, loader=load_json, name="policy.json")
    assert (*where(error), error.problem) == (
        5,
        6,
        "overrides[1].fn",
        "unknown field 'fn' (expected one of: function, max_interval) (and 1 more error)",
    )


def test_plain_input_file_error_class(tmp_path: Path) -> None:
    path = write(tmp_path, "version: 1\nwarm: 3\n")
    doc = load_yaml(path, error_cls=InputFileError)
    with pytest.raises(ValidationError) as caught:
        Policy.model_validate(doc.data)
    error = validation_error(caught.value, doc, str(path), error_cls=SnapshotError)
    assert type(error) is SnapshotError
    assert error.hint is None
    assert error.message == f"{path}:2:7: warm: expected a mapping, got an integer 3"
