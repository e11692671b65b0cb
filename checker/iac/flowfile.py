"""Loose flow files: raw flow-language Content, or the `{Name, Type, Content}` export.

A repository that keeps its flows as files (and deploys them with a script) still wants them
checked before they ship. Template text such as ``{{BILLING_ARN}}`` is replaced from the
`--placeholders` map; what stays unreplaced is WARM011 (a placeholder), never a guess. The flows
belong to a stand-in instance outside the templates, so associations are unknown unless
`--with-snapshot` brings the instance.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from checker.errors import TemplateError
from checker.iac.model import SYMBOLIC_ACCOUNT, SYMBOLIC_REGION, Located, Plan, PlannedFlow

FLOW_INSTANCE_ID = "flow-files"


def is_flow_document(data: Mapping[str, Any]) -> bool:
    return (
        "Actions" in data
        or ("Content" in data and "Resources" not in data)
        or any(key in data for key in ("ContactFlow", "ContactFlowModule"))
    )


def read_flow_file(
    path: Path,
    data: Mapping[str, Any],
    plan: Plan,
    placeholders: Mapping[str, str],
    *,
    region: str | None,
    account: str | None,
    instance_arn: str | None,
) -> None:
    region = region or SYMBOLIC_REGION
    account = account or SYMBOLIC_ACCOUNT
    instance = instance_arn or f"arn:aws:connect:{region}:{account}:instance/{FLOW_INSTANCE_ID}"
    body: Any = data
    for wrapper in ("ContactFlow", "ContactFlowModule"):
        if isinstance(body.get(wrapper), Mapping):
            body = body[wrapper]
    name = str(body.get("Name") or path.stem)
    module = str(body.get("Type", "")) == "MODULE" or "ContactFlowModule" in data
    content = body.get("Content", body)
    text = content if isinstance(content, str) else json.dumps(content)
    for placeholder, value in sorted(placeholders.items()):
        text = text.replace(placeholder, value)
    flow_id = "".join(c if c.isalnum() or c in "-_" else "-" for c in path.stem)[:64] or "flow"
    segment = "flow-module" if module else "contact-flow"
    arn = f"{instance}/{segment}/{flow_id}"
    where = Located(str(path), 1, name)
    if arn in {flow.arn for flow in plan.flows}:
        raise TemplateError(
            str(path),
            f"another flow file is also named {flow_id!r}",
            line=1,
            hint="give each flow file a distinct name",
        )
    plan.flows.append(
        PlannedFlow(
            arn=arn, name=name, instance_arn=instance, module=module, where=where, content=text
        )
    )
    plan.locate(arn, where)
    plan.regions.add(region)
    plan.accounts.add(account)
