"""The house's shape, read from the source with ast (nothing is run): no import cycles, local and
TYPE_CHECKING imports counted; boto3 only where AWS is talked to; the rule catalogue and the data
models importable without rule logic, formats or AWS."""

from __future__ import annotations

import ast
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "checker"
TALKS_TO_AWS = ("collect", "sandbox")


def _module(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _absolute(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - node.level + 1]
    return ".".join([*base, *([node.module] if node.module else [])])


@cache
def _graph() -> dict[str, set[str]]:
    """Module -> the package's modules it imports anywhere in its body (a function-level import
    hides a cycle from Python at import time; it does not remove it from the design)."""
    files = {_module(path): path for path in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(name, path.name == "__init__.py", node)
                targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
            else:
                continue
            graph[name].update(t for t in targets if t in files and t != name)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_a_cycle_hidden_by_a_local_import() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert _cycles(graph) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_the_graph_counts_imports_inside_functions() -> None:
    # checker.cli imports the sandbox only inside the demo: that edge must still be seen.
    edges = _graph()["checker.cli"] | {
        target
        for name, targets in _graph().items()
        if name.startswith("checker.cli.")
        for target in targets
    }
    assert any(target.startswith("checker.sandbox") for target in edges)


def test_the_package_has_no_import_cycle() -> None:
    assert _cycles(_graph()) == []


def _imported(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        return [node.module or ""]
    return []


def test_only_the_collectors_and_the_sandbox_import_boto3() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE)} {name}"
        for path in PACKAGE.rglob("*.py")
        if path.relative_to(PACKAGE).parts[0] not in TALKS_TO_AWS
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        for name in _imported(node)
        if name.split(".")[0] in ("boto3", "botocore")
    ]
    assert offenders == []


def test_no_module_keeps_an_empty_container_to_fill_at_run_time() -> None:
    """A module-level `{}`/`[]`/`set()` filled while running is hidden state shared by every
    evaluation in the process; what a computation learns belongs to an object it owns."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
            empty = (
                isinstance(value, ast.Dict | ast.List | ast.Set)
                and not getattr(value, "keys", getattr(value, "elts", None))
            ) or (
                isinstance(value, ast.Call)
                and isinstance(value.func, ast.Name)
                and value.func.id in ("dict", "list", "set", "defaultdict")
                and not value.args
            )
            if empty:
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert offenders == []


@pytest.mark.parametrize(
    ("module", "must_not_load"),
    [
        # The policy validates waiver IDs against the catalogue, never the rules themselves.
        ("checker.load.policy", ("checker.rules.registry", "checker.analysis", "checker.format")),
        ("checker.rules.catalogue", ("checker.rules.registry", "checker.analysis")),
        ("checker.model.report", ("checker.engine", "checker.format.registry")),
        ("checker.load.snapshot", ("checker.analysis", "checker.rules.registry", "boto3")),
    ],
)
def test_lower_layers_load_without_the_upper_ones(
    module: str, must_not_load: tuple[str, ...]
) -> None:
    probe = (
        f"import sys, {module}\n"
        f"print(sorted(m for m in sys.modules if m.startswith({must_not_load!r})))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"


# The house's floors, bottom up: a module imports only from its own floor or below. The ground
# floor is what every floor may use; the snapshot parses AWS strings with the pure parsers of the
# first floor when it is loaded; `format/function_display` words an analysis's timing for the
# rules (WARM003) and the reports alike.
GROUND = frozenset(
    {"checker", "checker.errors", "checker.record", "checker.format.escape", "checker.load"}
    | {"checker.load.untrusted_json", "checker.load.documents"}
)
FIRST = frozenset(
    {"checker.domain.arns", "checker.domain.schedule", "checker.domain.intervals"}
    | {"checker.domain.permissions", "checker.rules.catalogue", "checker.model.findings"}
)
FLOORS = {
    "model": 2,
    "load": 3,
    "domain": 3,
    "analysis": 4,
    "rules": 5,
    "engine": 6,
    "format": 7,
    "fix": 7,
    "iac": 7,
    "collect": 7,
    "starter_policy": 7,
    "output": 7,
    "sandbox": 8,
    "cli": 9,
    "__main__": 10,
}


def _floor(module: str) -> int:
    if module in GROUND:
        return 0
    if module in FIRST:
        return 1
    if module == "checker.format.function_display":
        return 4
    return FLOORS[module.split(".")[1]]


def test_every_import_points_to_the_same_floor_or_below() -> None:
    upward = [
        f"{module} (floor {_floor(module)}) imports {target} (floor {_floor(target)})"
        for module, targets in sorted(_graph().items())
        for target in sorted(targets)
        if _floor(target) > _floor(module)
    ]
    assert upward == []
