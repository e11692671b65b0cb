"""Reading a policy file: YAML with line numbers, validated into the `Policy` model."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from checker.errors import PolicyError
from checker.load.documents import SourceMap, load_yaml, validation_error
from checker.model.policy import Policy


@dataclass(frozen=True, slots=True)
class LoadedPolicy:
    policy: Policy
    path: str
    sha256: str
    source: SourceMap
    data: Any = None  # the parsed YAML, to tell a written field from a defaulted one

    def line_of(self, policy_field: str) -> int | None:
        """The line of a dotted field ("warm.max_interval", "waivers[0].expires"): where it is
        written, else the key of its nearest written parent, else None (all defaults)."""
        steps: list[str | int] = []
        for part in policy_field.split("."):
            name, _, rest = part.partition("[")
            if name:
                steps.append(name)
            for index in filter(None, rest.replace("[", "").split("]")):
                steps.append(int(index))
        written: list[str | int] = []
        node = self.data
        for step in steps:
            found, node = _child(node, step)
            if not found:
                break
            written.append(step)
        if not written:
            return None
        position = self.source.locate(written, key=True)
        return position[0] if position is not None else None


def _child(node: Any, step: str | int) -> tuple[bool, Any]:
    if isinstance(node, list) and isinstance(step, int) and step < len(node):
        return True, node[step]
    if isinstance(node, dict) and isinstance(step, str) and step in node:
        return True, node[step]
    return False, None


def load_policy(path: str | Path) -> LoadedPolicy:
    """Read and validate a policy file; every problem is a PolicyError naming file:line:col."""
    document = load_yaml(Path(path), error_cls=PolicyError)
    try:
        policy = Policy.model_validate(document.data)
    except ValidationError as error:
        raise validation_error(
            error,
            document,
            str(path),
            error_cls=PolicyError,
            model=Policy,
            hint="see `warmcheck schema policy` and policies/warm-policy.yaml",
        ) from None
    return LoadedPolicy(policy, str(path), document.sha256, document.source, document.data)
