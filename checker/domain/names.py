"""Display names: what a person calls each ARN a report mentions (Connect console names).

A contact flow is "Post-call Survey", not `contact-flow/<uuid>`; a function is `crm-lookup:live`;
a rule is its name; a schedule is `group/name` (just `name` in the default group); an instance
is its alias. Names come from the snapshot when it holds the resource, else from the ARN itself,
so every ARN has a name even when AWS could not be read. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from checker.domain.arns import parse_arn, parse_function_arn
from checker.model.findings import Finding
from checker.model.snapshot import Snapshot

_FLOW = re.compile(r"^(?P<instance>arn:[^:]+:connect:[^:]*:[^:]*:instance/[^/]+)/(?P<kind>[^/]+)/")


def instance_arn_of(arn: str) -> str | None:
    """The Connect instance ARN a flow or module ARN lives in, or None."""
    if ":connect:" not in arn:
        return None  # most ARNs a report mentions are functions and rules: no regex needed
    match = _FLOW.match(arn)
    return match["instance"] if match else None


def _snapshot_names(snapshot: Snapshot) -> dict[str, str]:
    names: dict[str, str] = {}
    for instance in snapshot.instances:
        names[instance.arn] = instance.alias or instance.id
        for flow in instance.flows or ():
            names[flow.arn] = flow.name
        for module in instance.modules or ():
            names[module.arn] = module.name
    for function in snapshot.functions:
        names[function.arn] = function.name
    for rule in snapshot.rules:
        names[rule.arn] = rule.name
    for schedule in snapshot.schedules:
        names[schedule.arn] = (
            schedule.name if schedule.group == "default" else f"{schedule.group}/{schedule.name}"
        )
    return names


def _from_arn(arn: str, known: Mapping[str, str]) -> str:
    """A name for an ARN the snapshot does not name: the resource part people recognise."""
    key = parse_function_arn(arn)
    if key is not None:
        base = known.get(key.function_arn, key.name)
        return base if key.is_latest else f"{base}:{key.qualifier}"
    parsed = parse_arn(arn)
    if parsed is None:
        return arn
    resource = parsed.resource
    if parsed.service == "connect":
        # instance/<id>/contact-flow/<id>: the last ID; instance/<id>: the instance ID
        return resource.rsplit("/", 1)[-1]
    if parsed.service == "scheduler" and resource.startswith("schedule/"):
        group, _, name = resource.removeprefix("schedule/").partition("/")
        return name if group == "default" else f"{group}/{name}"
    return resource.split("/", 1)[1] if "/" in resource else resource


def name_for(arn: str, names: Mapping[str, str]) -> str:
    """The display name of an ARN: the report's name for it, else one read from the ARN."""
    return names.get(arn) or _from_arn(arn, names)


def report_names(snapshot: Snapshot, arns: Iterable[str]) -> dict[str, str]:
    """Display name by ARN for every ARN given, plus the instance of every flow and module."""
    known = _snapshot_names(snapshot)
    wanted: set[str] = set()
    for arn in arns:
        if not arn.startswith("arn:"):
            continue  # account/region evidence gaps and policy findings name no AWS resource
        wanted.add(arn)
        instance = instance_arn_of(arn)
        if instance is not None:
            wanted.add(instance)
    return {arn: known.get(arn) or _from_arn(arn, known) for arn in sorted(wanted)}


def mentioned_arns(findings: Iterable[Finding], coverage: Iterable[Iterable[str]]) -> set[str]:
    """Every ARN the findings and coverage rows mention."""
    arns: set[str] = set()
    for finding in findings:
        arns.add(finding.resource)
        arns.update(a for a in (finding.function, finding.warmer) if a)
        arns.update(finding.flows)
    for row in coverage:
        arns.update(row)
    return arns
