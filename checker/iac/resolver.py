"""CloudFormation intrinsic functions, resolved to exact, symbolic or unknown values.

`Resolver.value(node)` returns plain Python data (str, int, bool, list, dict). Known parameters
and literals resolve exactly; a `Ref`/`Fn::GetAtt` to a resource the template creates resolves
to that resource's placeholder identity (see `checker.iac.model`); anything that cannot be known
before deploy (`Fn::ImportValue`, dynamic references, a parameter with no value, a condition
that depends on one) becomes an unknown marker carrying its reason. An intrinsic CloudFormation
itself would reject is a TemplateError naming file:line.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from checker.errors import TemplateError
from checker.iac.model import Unknowns, is_unknown

NO_VALUE: Final = object()  # AWS::NoValue: the property is removed
_SUB = re.compile(r"\$\{([^}]*)\}")
_DYNAMIC = re.compile(r"\{\{resolve:[^}]*\}\}")
_MAX_DEPTH = 64
_KNOWN = frozenset(
    {
        "Ref",
        "Condition",
        "Fn::GetAtt",
        "Fn::Sub",
        "Fn::Join",
        "Fn::Select",
        "Fn::Split",
        "Fn::If",
        "Fn::FindInMap",
        "Fn::ImportValue",
        "Fn::GetAZs",
        "Fn::Base64",
        "Fn::Cidr",
        "Fn::Transform",
        "Fn::ToJsonString",
        "Fn::Length",
        "Fn::Equals",
        "Fn::And",
        "Fn::Or",
        "Fn::Not",
        "Fn::GetStackOutput",
    }
)


def line_of(node: object, default: int) -> int:
    """1-based line of a node cfn-lint's decoder marked, else `default`."""
    mark = getattr(node, "start_mark", None)
    return int(mark.line) + 1 if mark is not None else default


@dataclass(slots=True)
class Resolver:
    file: str
    template: Mapping[str, Any]
    parameters: dict[str, Any]  # name -> value; absent: no value
    unknowns: Unknowns
    # (logical ID, attribute or None for Ref) -> the resource's value; None: not a resource.
    resource_value: Callable[[str, str | None], Any]
    _conditions: dict[str, bool | None] = field(default_factory=dict)
    _line: int = 1

    # --- values -----------------------------------------------------------------------------

    def value(self, node: Any, line: int = 1, depth: int = 0) -> Any:
        line = line_of(node, line)
        if depth > _MAX_DEPTH:
            raise TemplateError(self.file, "intrinsic functions nested too deeply", line=line)
        if isinstance(node, Mapping):
            if len(node) == 1:
                (key,) = node.keys()
                if isinstance(key, str) and (key == "Ref" or key.startswith("Fn::")):
                    return self._intrinsic(str(key), node[key], line, depth)
            resolved = {}
            for key, item in node.items():
                value = self.value(item, line, depth + 1)
                if value is not NO_VALUE:
                    resolved[str(key)] = value
            return resolved
        if isinstance(node, list):
            items = [self.value(item, line, depth + 1) for item in node]
            return [item for item in items if item is not NO_VALUE]
        if isinstance(node, str):
            return self._dynamic_references(str(node))
        if isinstance(node, bool | int | float) or node is None:
            return node
        return str(node)

    def text(self, node: Any, line: int = 1) -> str | None:
        """A value as a string (numbers as CloudFormation writes them), or None when absent."""
        value = self.value(node, line)
        if value is None or value is NO_VALUE:
            return None
        return _as_text(value)

    def _dynamic_references(self, text: str) -> str:
        return _DYNAMIC.sub(
            lambda m: self.unknowns.marker(f"dynamic reference {m.group(0)} is read at deploy"),
            text,
        )

    def _intrinsic(self, name: str, args: Any, line: int, depth: int) -> Any:
        if name not in _KNOWN:
            raise TemplateError(
                self.file,
                f"unknown intrinsic function {name}",
                line=line,
                hint="CloudFormation supports Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Select, "
                "Fn::Split, Fn::If, Fn::FindInMap, Fn::ImportValue, Fn::Base64 and the condition "
                "functions",
            )
        if name == "Ref":
            return self._ref(self._name_arg(name, args, line), line)
        if name == "Fn::GetAtt":
            return self._getatt(args, line, depth)
        if name == "Fn::Sub":
            return self._sub(args, line, depth)
        if name == "Fn::Join":
            return self._join(args, line, depth)
        if name == "Fn::Select":
            return self._select(args, line, depth)
        if name == "Fn::Split":
            return self._split(args, line, depth)
        if name == "Fn::If":
            return self._if(args, line, depth)
        if name == "Fn::FindInMap":
            return self._find_in_map(args, line, depth)
        if name == "Fn::Base64":
            value = self.value(args, line, depth + 1)
            if isinstance(value, str) and not is_unknown(value):
                return base64.b64encode(value.encode()).decode()
            return self.unknowns.marker("Fn::Base64 of a value known only at deploy")
        if name == "Fn::ToJsonString":
            value = self.value(args, line, depth + 1)
            return json.dumps(value, separators=(",", ":"))
        if name == "Fn::Length":
            value = self.value(args, line, depth + 1)
            return (
                len(value)
                if isinstance(value, list)
                else self.unknowns.marker("Fn::Length of a list known only at deploy")
            )
        if name in ("Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Condition"):
            outcome = self._condition_expression({name: args}, line, depth)
            return (
                outcome
                if outcome is not None
                else self.unknowns.marker("a condition that depends on parameters without values")
            )
        what = {
            "Fn::ImportValue": "an export of another stack (Fn::ImportValue)",
            "Fn::GetAZs": "the region's Availability Zones (Fn::GetAZs)",
            "Fn::Cidr": "an address block (Fn::Cidr)",
            "Fn::Transform": "a macro's output (Fn::Transform)",
            "Fn::GetStackOutput": "another stack's output (Fn::GetStackOutput)",
        }[name]
        return self.unknowns.marker(f"{what} is known only at deploy")

    def _name_arg(self, function: str, args: Any, line: int) -> str:
        if not isinstance(args, str):
            raise TemplateError(self.file, f"{function} takes a name, got {args!r}", line=line)
        return str(args)

    def _ref(self, name: str, line: int) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.parameters:
            return self.parameters[name]
        if name.startswith("AWS::"):
            return self.unknowns.marker(f"pseudo parameter {name} is known only at deploy")
        declared = self.template.get("Parameters") or {}
        if name in declared:
            return self.unknowns.marker(
                f"parameter {name} has no value (no Default; give it with --parameters)"
            )
        value = self.resource_value(name, None)
        if value is None:
            raise TemplateError(
                self.file,
                f"Ref to {name!r}, which is neither a parameter nor a resource",
                line=line,
                hint="check the logical ID",
            )
        return value

    def _getatt(self, args: Any, line: int, depth: int) -> Any:
        if isinstance(args, str) and "." in args:
            logical, attribute = args.split(".", 1)
        elif isinstance(args, list) and len(args) == 2:
            logical = str(args[0])
            attr_value = self.value(args[1], line, depth + 1)
            if not isinstance(attr_value, str) or is_unknown(attr_value):
                return self.unknowns.marker("Fn::GetAtt with an attribute known only at deploy")
            attribute = attr_value
        else:
            raise TemplateError(
                self.file, f"Fn::GetAtt takes [LogicalId, Attribute], got {args!r}", line=line
            )
        value = self.resource_value(logical, attribute)
        if value is None:
            raise TemplateError(
                self.file,
                f"Fn::GetAtt of {logical!r}, which is not a resource in the template",
                line=line,
                hint="check the logical ID",
            )
        return value

    def _sub(self, args: Any, line: int, depth: int) -> str:
        variables: dict[str, Any] = {}
        if isinstance(args, list):
            if len(args) != 2 or not isinstance(args[1], Mapping):
                raise TemplateError(
                    self.file, "Fn::Sub takes a string or [string, {variables}]", line=line
                )
            source = args[0]
            variables = {
                str(key): self.value(item, line, depth + 1) for key, item in args[1].items()
            }
        else:
            source = args
        if not isinstance(source, str):
            raise TemplateError(self.file, "Fn::Sub's template must be a string", line=line)

        def substitute(match: re.Match[str]) -> str:
            inner = match.group(1)
            if inner.startswith("!"):
                return "${" + inner[1:] + "}"
            if inner in variables:
                return _as_text(variables[inner])
            if "." in inner and not inner.startswith("AWS::"):
                logical, attribute = inner.split(".", 1)
                found = self.resource_value(logical, attribute)
                if found is None:
                    raise TemplateError(
                        self.file,
                        f"Fn::Sub refers to ${{{inner}}}, but {logical!r} is not a resource",
                        line=line,
                    )
                return _as_text(found)
            return _as_text(self._ref(inner, line))

        return self._dynamic_references(_SUB.sub(substitute, str(source)))

    def _join(self, args: Any, line: int, depth: int) -> str:
        if not isinstance(args, list) or len(args) != 2:
            raise TemplateError(self.file, "Fn::Join takes [delimiter, [values]]", line=line)
        delimiter = self.value(args[0], line, depth + 1)
        items = self.value(args[1], line, depth + 1)
        if not isinstance(items, list):
            if is_unknown(items):
                return str(items)
            raise TemplateError(self.file, "Fn::Join's second argument must be a list", line=line)
        return _as_text(delimiter).join(_as_text(item) for item in items)

    def _select(self, args: Any, line: int, depth: int) -> Any:
        if not isinstance(args, list) or len(args) != 2:
            raise TemplateError(self.file, "Fn::Select takes [index, [values]]", line=line)
        index = self.value(args[0], line, depth + 1)
        items = self.value(args[1], line, depth + 1)
        if is_unknown(index) or is_unknown(items):
            return self.unknowns.marker("Fn::Select over a value known only at deploy")
        if not isinstance(items, list):
            raise TemplateError(self.file, "Fn::Select's second argument must be a list", line=line)
        try:
            return items[int(index)]
        except (ValueError, IndexError):
            raise TemplateError(
                self.file, f"Fn::Select index {index!r} is out of range", line=line
            ) from None

    def _split(self, args: Any, line: int, depth: int) -> Any:
        if not isinstance(args, list) or len(args) != 2:
            raise TemplateError(self.file, "Fn::Split takes [delimiter, string]", line=line)
        delimiter = _as_text(self.value(args[0], line, depth + 1))
        source = self.value(args[1], line, depth + 1)
        if is_unknown(source):
            return source
        return _as_text(source).split(delimiter)

    def _if(self, args: Any, line: int, depth: int) -> Any:
        if not isinstance(args, list) or len(args) != 3 or not isinstance(args[0], str):
            raise TemplateError(
                self.file, "Fn::If takes [condition, value if true, value if false]", line=line
            )
        outcome = self.condition(str(args[0]), line)
        if outcome is None:
            return self.unknowns.marker(
                f"depends on condition {args[0]}, which depends on parameters without values"
            )
        return self.value(args[1] if outcome else args[2], line, depth + 1)

    def _find_in_map(self, args: Any, line: int, depth: int) -> Any:
        if not isinstance(args, list) or len(args) not in (3, 4):
            raise TemplateError(
                self.file, "Fn::FindInMap takes [map, top key, second key]", line=line
            )
        keys = [self.value(arg, line, depth + 1) for arg in args[:3]]
        if any(is_unknown(key) for key in keys):
            return self.unknowns.marker("Fn::FindInMap with a key known only at deploy")
        mapping: Any = (self.template.get("Mappings") or {}).get(_as_text(keys[0]))
        try:
            return self.value(mapping[_as_text(keys[1])][_as_text(keys[2])], line, depth + 1)
        except (KeyError, TypeError):
            raise TemplateError(
                self.file, f"Fn::FindInMap: no entry {keys!r} in Mappings", line=line
            ) from None

    # --- conditions -------------------------------------------------------------------------

    def condition(self, name: str, line: int = 1) -> bool | None:
        """A named condition: True, False, or None when it depends on what is unknown."""
        if name in self._conditions:
            return self._conditions[name]
        conditions = self.template.get("Conditions") or {}
        if name not in conditions:
            raise TemplateError(
                self.file, f"condition {name!r} is not defined in Conditions", line=line
            )
        self._conditions[name] = None  # a cycle resolves to unknown, never recurses forever
        outcome = self._condition_expression(conditions[name], line_of(conditions[name], line), 0)
        self._conditions[name] = outcome
        return outcome

    def _condition_expression(self, node: Any, line: int, depth: int) -> bool | None:
        if depth > _MAX_DEPTH or not isinstance(node, Mapping) or len(node) != 1:
            if isinstance(node, bool):
                return bool(node)
            raise TemplateError(self.file, f"not a condition: {node!r}", line=line)
        ((name, args),) = node.items()
        if name == "Condition":
            return self.condition(str(args), line)
        if name == "Fn::Equals" and isinstance(args, list) and len(args) == 2:
            left, right = (self.value(arg, line, depth + 1) for arg in args)
            if is_unknown(left) or is_unknown(right):
                return None
            return _as_text(left) == _as_text(right)
        if name == "Fn::Not" and isinstance(args, list) and len(args) == 1:
            inner = self._condition_expression(args[0], line, depth + 1)
            return None if inner is None else not inner
        if name in ("Fn::And", "Fn::Or") and isinstance(args, list):
            outcomes = [self._condition_expression(arg, line, depth + 1) for arg in args]
            decisive: bool = name == "Fn::Or"  # Or: any True decides; And: any False decides
            if decisive in outcomes:
                return decisive
            return None if None in outcomes else not decisive
        raise TemplateError(self.file, f"not a condition function: {name}", line=line)


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if value is NO_VALUE or value is None:
        return ""
    return json.dumps(value, separators=(",", ":"))
