"""Deciding what to read: regions, the required functions, and a plan per Lambda function.

The required set is `checker.domain.required`'s, the analysis' own definition: the collector
needs it early to know which regions and functions to read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from checker.collect.lambda_functions import FunctionPlan, Provisioned
from checker.domain.arns import LATEST, FunctionKey
from checker.model.policy import HoursOfOperationWindow, Policy
from checker.model.snapshot import CollectionFailure


def scope_regions(
    policy: Policy, regions: Sequence[str] | None, default_region: str | None
) -> list[str]:
    """The `regions` argument, else the policy's scope, else the session's region; sorted."""
    chosen = list(regions or []) or list(policy.scope.regions or [])
    if not chosen and default_region:
        chosen = [default_region]
    return sorted(set(chosen))


def no_region(service: str, operation: str) -> CollectionFailure:
    """Why a run with no region read nothing, named after the first call it could not make."""
    return CollectionFailure(
        service=service,
        operation=operation,
        code="NoRegion",
        message="no AWS region: pass --region, set scope.regions in the policy, or "
        "configure a default region (AWS_REGION, AWS_DEFAULT_REGION or the profile)",
    )


def hours_names(policy: Policy) -> frozenset[str]:
    """Every hours of operation (name, ID or ARN) the policy's windows name."""
    windows = [policy.warm.window, *(override.window for override in policy.overrides)]
    return frozenset(
        window.hours_of_operation
        for window in windows
        if isinstance(window, HoursOfOperationWindow)
    )


def function_plans(
    policy: Policy, required: set[FunctionKey], targeted: set[FunctionKey]
) -> list[FunctionPlan]:
    """One plan per function that is required or targeted by a scheduled rule or schedule."""
    qualifiers: dict[FunctionKey, set[str]] = defaultdict(set)
    required_functions_: set[FunctionKey] = set()
    # Per function, the required qualifiers that accept provisioned concurrency as warm.
    accepting: dict[FunctionKey, set[str]] = defaultdict(set)
    for key in required | targeted:
        function = key.at(None)
        qualifiers[function].add(key.qualifier)
        if key in required:
            required_functions_.add(function)
            if "provisioned_concurrency" in policy.settings_for(key).accept:
                accepting[function].add(key.qualifier)
    return [
        FunctionPlan(
            function=function,
            qualifiers=frozenset(qualifiers[function]),
            required=function in required_functions_,
            provisioned=_provisioned(accepting[function]),
        )
        for function in sorted(qualifiers)
    ]


def _provisioned(accepting: set[str]) -> Provisioned:
    if not accepting:
        return "not-accepted"
    # Provisioned concurrency exists only on versions and aliases, never on $LATEST.
    return "latest-only" if accepting == {LATEST} else "list"
