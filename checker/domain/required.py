"""What is required (DESIGN.md "What is required"): the one definition, used by collector and
analysis alike.

The static `InvokeLambdaFunction` references of each in-scope flow (ACTIVE, with a status the
policy's scope counts) and of every module it reaches, plus ``extra_functions``, minus functions
whose matching override says ``required: false``. The collector needs the set early to know which
regions and functions to read; the analysis builds it again from what was read, recording which
flows reach each function and which evidence was missing on the way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from checker.domain.arns import FunctionKey, parse_function_arn
from checker.domain.flows import reachable_modules
from checker.model.policy import Policy
from checker.model.snapshot import ConnectInstance, ContactFlow, FlowContent, LambdaReference

KeyParser = Callable[[str], FunctionKey | None]


def flows_in_scope(policy: Policy, instance: ConnectInstance) -> list[ContactFlow]:
    """The instance's flows whose content counts: ACTIVE, with a status the scope names."""
    statuses = set(policy.scope.flow_statuses)
    return [
        flow for flow in instance.flows or [] if flow.state == "ACTIVE" and flow.status in statuses
    ]


def static_key(
    reference: LambdaReference, parse: KeyParser = parse_function_arn
) -> FunctionKey | None:
    """The function a reference names, when it names one statically."""
    if reference.kind != "static" or reference.function is None:
        return None
    return parse(reference.function)


def static_keys(
    content: FlowContent, parse: KeyParser = parse_function_arn
) -> Iterator[FunctionKey]:
    """Every function a readable flow or module body calls by a static reference."""
    if not content.readable:
        return
    for reference in content.lambda_references:
        key = static_key(reference, parse)
        if key is not None:
            yield key


def extra_keys(policy: Policy, parse: KeyParser = parse_function_arn) -> Iterator[FunctionKey]:
    """The functions `extra_functions` adds (an entry that is no function ARN adds nothing)."""
    for arn in policy.extra_functions:
        key = parse(arn)
        if key is not None:
            yield key


def is_required(policy: Policy, key: FunctionKey) -> bool:
    """Whether a function in reach is required: no matching override says `required: false`."""
    return policy.settings_for(key).required


def required_functions(policy: Policy, instances: Iterable[ConnectInstance]) -> set[FunctionKey]:
    """Every (function, qualifier) the in-scope flows can invoke or the policy adds, if required."""
    candidates: set[FunctionKey] = set()
    for instance in instances:
        modules = {module.id: module for module in instance.modules or []}
        for flow in flows_in_scope(policy, instance):
            if flow.content is None:
                continue
            bodies: list[FlowContent | None] = [flow.content]
            bodies += [
                module.content for module in reachable_modules(flow.content, modules).modules
            ]
            for body in bodies:
                if body is not None:
                    candidates.update(static_keys(body))
    candidates.update(extra_keys(policy))
    return {key for key in candidates if is_required(policy, key)}
