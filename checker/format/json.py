"""warmcheck.json: ReportV1, validated against its own JSON Schema before it is returned."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import jsonschema

from checker.engine import Evaluation
from checker.format.base import Format
from checker.format.report_v1 import to_report_v1
from checker.model.report import report_json_schema


@cache
def _validator() -> Any:
    schema = report_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def render(report: Evaluation) -> str:
    data = to_report_v1(report).model_dump(mode="json")
    if data["snapshot"]["outcomes"] is None:  # a one-account report reads as it always did
        del data["snapshot"]["outcomes"]
    _validator().validate(data)
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


FORMAT = Format("json", "warmcheck.json", render)
