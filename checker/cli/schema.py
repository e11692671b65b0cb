"""`warmcheck schema`: print a JSON Schema generated from the models."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Mapping
from typing import Any

from checker.cli.exits import EXIT_PASS
from checker.cli.options import Subcommands, noise_flags
from checker.fix import fix_json_schema
from checker.model.policy import policy_json_schema
from checker.model.report import report_json_schema
from checker.model.snapshot import snapshot_json_schema

SCHEMAS: Mapping[str, Callable[[], dict[str, Any]]] = {
    "policy": policy_json_schema,
    "snapshot": snapshot_json_schema,
    "report": report_json_schema,
    "fix": fix_json_schema,
}


def add_parser(commands: Subcommands) -> None:
    schema = commands.add_parser(
        "schema", parents=[noise_flags()], help="print a JSON Schema generated from the models"
    )
    schema.add_argument("document", choices=tuple(SCHEMAS))


def run(args: argparse.Namespace) -> int:
    print(json.dumps(SCHEMAS[args.document](), indent=2, sort_keys=True))
    return EXIT_PASS
