"""A CDK cloud assembly (`cdk.out`): its stacks' templates, each with the manifest's account and
region.

`manifest.json` lists artifacts; each `aws:cloudformation:stack` names its template file and an
environment ``aws://ACCOUNT/REGION``. An environment-agnostic stack (``unknown-account``,
``unknown-region``) keeps the symbolic account and region.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from checker.errors import TemplateError
from checker.iac.cloudformation import read_template
from checker.iac.model import Plan
from checker.load.documents import load_json

MANIFEST = "manifest.json"
_ENVIRONMENT = re.compile(r"^aws://(?P<account>[^/]+)/(?P<region>[^/]+)$")


def is_cloud_assembly(path: Path) -> bool:
    return path.is_dir() and (path / MANIFEST).is_file()


def read_cloud_assembly(path: Path, plan: Plan, given: Mapping[str, str]) -> None:
    manifest_path = path / MANIFEST
    manifest = load_json(manifest_path, error_cls=TemplateError)
    artifacts = manifest.data.get("artifacts")
    if not isinstance(artifacts, Mapping):
        raise TemplateError(
            str(manifest_path),
            "no artifacts in the CDK manifest",
            line=1,
            hint="run `cdk synth` and give its cdk.out directory",
        )
    stacks = 0
    for name in sorted(artifacts):
        artifact = artifacts[name]
        if not isinstance(artifact, Mapping) or artifact.get("type") != "aws:cloudformation:stack":
            continue
        properties = artifact.get("properties") or {}
        template_file = properties.get("templateFile") if isinstance(properties, Mapping) else None
        if not isinstance(template_file, str):
            line = (manifest.source.locate(["artifacts", name]) or (1, 1))[0]
            raise TemplateError(
                str(manifest_path), f"stack {name} names no templateFile", line=line
            )
        account = region = None
        match = _ENVIRONMENT.match(str(artifact.get("environment", "")))
        if match is not None:
            if re.fullmatch(r"\d{12}", match["account"]):
                account = match["account"]
            if not match["region"].startswith("unknown"):
                region = match["region"]
        read_template(path / template_file, plan, given, region=region, account=account)
        stacks += 1
    if stacks == 0:
        raise TemplateError(
            str(manifest_path), "the CDK manifest lists no CloudFormation stack", line=1
        )
