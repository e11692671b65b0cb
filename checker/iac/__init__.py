"""`warmcheck iac`: templates, plans and flow files judged before anything is deployed.

Each input kind has its reader (`cloudformation`, `cdk`, `terraform`, `flowfile`); all of them
fill one `Plan`, which `build` turns into the same Snapshot `check` judges (``source: "iac"``).
Nothing here talks to AWS: deployed state comes only from a snapshot file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from checker.errors import TemplateError
from checker.iac.build import to_snapshot
from checker.iac.cdk import is_cloud_assembly, read_cloud_assembly
from checker.iac.cloudformation import read_template
from checker.iac.flowfile import is_flow_document, read_flow_file
from checker.iac.model import Located, Plan
from checker.iac.naming import scoped_to, with_template_names
from checker.iac.terraform import is_terraform_plan, read_plan
from checker.load.documents import load_json
from checker.model.snapshot import Snapshot

YAML_SUFFIXES = (".yaml", ".yml", ".template", ".cfn")
_ACCOUNT = re.compile(r"^\d{12}$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")


@dataclass(frozen=True, slots=True)
class IacState:
    snapshot: Snapshot
    labels: Mapping[str, Located]  # ARN -> where the templates define it


def load_iac(
    paths: Sequence[str],
    *,
    parameters: Mapping[str, str],
    placeholders: Mapping[str, str],
    deployed: Snapshot | None,
    now: datetime,
) -> IacState:
    plan = Plan()
    given = dict(parameters)
    if deployed is not None:
        # The deployed state fixes what the templates leave to deploy time, when it is one place.
        if len(deployed.accounts) == 1:
            given.setdefault("AWS::AccountId", deployed.accounts[0])
        if len(deployed.regions) == 1:
            given.setdefault("AWS::Region", deployed.regions[0])
    for raw in paths:
        read_path(Path(raw), plan, given, placeholders)
    return IacState(to_snapshot(plan, deployed, now), plan.labels)


def read_path(
    path: Path, plan: Plan, given: Mapping[str, str], placeholders: Mapping[str, str]
) -> None:
    if is_cloud_assembly(path):
        read_cloud_assembly(path, plan, given)
        return
    if path.is_dir():
        raise TemplateError(
            str(path),
            "a directory that is not a CDK cloud assembly (no manifest.json)",
            hint="give template files, a Terraform plan JSON, flow files or a cdk.out directory",
        )
    if not path.is_file():
        raise TemplateError(str(path), "no such file", hint="check the path")
    if path.suffix.lower() in YAML_SUFFIXES:
        read_template(path, plan, given)
        return
    with path.open("rb") as stream:
        head = stream.read(1024)
    if head.startswith(b"PK\x03\x04") or b"\x00" in head:
        raise TemplateError(
            str(path),
            "a binary file, not JSON (a saved Terraform plan is binary)",
            line=1,
            hint="give the JSON form: terraform show -json PLANFILE > plan.json",
        )
    document = load_json(path, error_cls=TemplateError)
    data = document.data
    if is_terraform_plan(data):
        read_plan(path, document, plan, given)
    elif "Resources" in data:
        read_template(path, plan, given)
    elif is_flow_document(data):
        read_flow_file(
            path,
            data,
            plan,
            placeholders,
            region=given.get("AWS::Region"),
            account=given.get("AWS::AccountId"),
            instance_arn=given.get("ConnectInstanceArn"),
        )
    else:
        raise TemplateError(
            str(path),
            "neither a CloudFormation template, a Terraform plan nor a flow file",
            line=1,
            hint="a Terraform plan is the output of `terraform show -json PLANFILE`",
        )


def load_string_map(path: str, what: str) -> dict[str, str]:
    """A `--parameters` or `--placeholders` file: a JSON object of strings, or CloudFormation's
    ``[{"ParameterKey": …, "ParameterValue": …}]`` list."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise TemplateError(path, f"cannot read the {what} file: {error}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise TemplateError(
            path, f"invalid JSON: {error.msg}", line=error.lineno, column=error.colno
        ) from None
    if isinstance(data, list):
        try:
            data = {item["ParameterKey"]: item["ParameterValue"] for item in data}
        except (TypeError, KeyError):
            raise TemplateError(
                path,
                "a list must hold {ParameterKey, ParameterValue} objects",
                line=1,
                hint=f"or give the {what} as one JSON object of names to values",
            ) from None
    if isinstance(data, dict) and "Parameters" in data and isinstance(data["Parameters"], dict):
        data = data["Parameters"]  # the `aws cloudformation deploy` configuration file shape
    if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        raise TemplateError(path, f"the {what} file must be a JSON object", line=1)
    values = {
        key: value if isinstance(value, str) else json.dumps(value) for key, value in data.items()
    }
    region = values.get("AWS::Region")
    if region is not None and not _REGION.match(region):
        raise TemplateError(
            path,
            f"AWS::Region {region!r} is not a region name",
            line=1,
            field="AWS::Region",
            hint="e.g. us-east-1",
        )
    account = values.get("AWS::AccountId")
    if account is not None and not _ACCOUNT.match(account):
        raise TemplateError(
            path,
            f"AWS::AccountId {account!r} is not a 12-digit account ID",
            line=1,
            field="AWS::AccountId",
        )
    return values


__all__ = ["IacState", "load_iac", "load_string_map", "scoped_to", "with_template_names"]
