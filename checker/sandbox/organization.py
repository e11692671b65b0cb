"""The organization demo: a management account and member accounts, one story each.

    manifest = seed_organization(sandbox.env())

- ``shared`` (OU Prod) owns ``customer-lookup``, warmed by a rule every 5 minutes: the Lambda
  that ``prod``'s flow calls across accounts (warm: judged against ``shared``'s warmers).
- ``prod`` (OU Prod) runs the Connect instance ``prod-center`` whose Main flow calls
  ``customer-lookup`` in ``shared`` and its own warmed ``prod-router``.
- ``staging`` (OU Staging) runs ``staging-center`` calling ``staging-router``, which has no
  warmer: drift in a member account (WARM001).
- ``locked`` (OU Prod) has no warmcheck role: AssumeRole is refused (denied, trust), WARM901.
- ``playground`` (OU Sandbox) is excluded by the policy's ``/Root/Sandbox/*``.
- ``retired`` is closed: inactive, never assumed.
- The management account is excluded by ID: warmcheck does not read it.

Every call is an ordinary AWS API call; member accounts are reached with moto's account header.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from checker.sandbox.seeding import (
    SandboxClients,
    add_permission,
    associate_lambda,
    create_flow,
    create_function,
    create_instance,
    create_lambda_role,
    flow_document,
    put_warmer_rule,
)

REGION = "us-east-1"
READ_ROLE = "warmcheck-readonly"
# Shipped inside the package (policies/ links to it) so `demo --organization` runs anywhere.
ORGANIZATION_POLICY = Path(__file__).resolve().parent / "organization-demo-policy.yaml"
WARM_PAYLOAD = json.dumps({"warmer": True})
MEMBERS = ("shared", "prod", "staging", "locked", "playground", "retired")
_OU_OF = {
    "shared": "Prod",
    "prod": "Prod",
    "locked": "Prod",
    "staging": "Staging",
    "playground": "Sandbox",
    "retired": "Staging",
}


@dataclass(frozen=True)
class OrganizationManifest:
    """What was built: account IDs by name, and what `check` must find and decide."""

    management: str
    accounts: Mapping[str, str]
    # (rule, resource) of every finding the organization demo policy must report
    expected: frozenset[tuple[str, str]]
    # account ID -> outcome warmcheck must record
    outcomes: Mapping[str, str]
    drifts: tuple[str, ...]


def _trust_for(management: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{management}:root"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )


def seed_organization(env: Mapping[str, str]) -> OrganizationManifest:
    """Build the organization in an empty sandbox; returns account IDs and expectations."""
    home = SandboxClients.from_env(env, region=REGION)
    management = home.sts.get_caller_identity()["Account"]
    org = _organizations(env)
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    units = {
        name: org.create_organizational_unit(ParentId=root, Name=name)["OrganizationalUnit"]["Id"]
        for name in ("Prod", "Staging", "Sandbox")
    }
    accounts: dict[str, str] = {}
    for name in MEMBERS:
        status = org.create_account(AccountName=name, Email=f"{name}@example.com")
        account = status["CreateAccountStatus"]["AccountId"]
        accounts[name] = account
        org.move_account(
            AccountId=account, SourceParentId=root, DestinationParentId=units[_OU_OF[name]]
        )
    org.close_account(AccountId=accounts["retired"])
    member = {
        name: SandboxClients.from_env(env, region=REGION, account=account)
        for name, account in accounts.items()
    }
    for name in ("shared", "prod", "staging", "playground"):
        member[name].iam.create_role(
            RoleName=READ_ROLE, AssumeRolePolicyDocument=_trust_for(management)
        )

    # shared: the Lambda prod's flow calls, warmed every 5 minutes.
    shared = member["shared"]
    lookup = _warmed(shared, "customer-lookup")
    # prod: the instance and its Main flow, calling across accounts and its own router.
    prod = member["prod"]
    router = _warmed(prod, "prod-router")
    prod_center = create_instance(prod.connect, "prod-center")
    create_flow(prod.connect, prod_center.id, "Main", flow_document(lambdas=(lookup, router)))
    for client, arn, name in ((shared, lookup, "customer-lookup"), (prod, router, "prod-router")):
        associate_lambda(prod.connect, prod_center.id, arn)
        add_permission(
            client.lambda_,
            name,
            statement_id="connect-prod-center",
            principal="connect.amazonaws.com",
            source_arn=prod_center.arn,
        )
    # staging: a flow calling a function nobody warms.
    staging = member["staging"]
    role = create_lambda_role(staging.iam)
    staging_router = create_function(staging.lambda_, "staging-router", role, timeout=5)
    staging_center = create_instance(staging.connect, "staging-center")
    create_flow(
        staging.connect,
        staging_center.id,
        "Main",
        flow_document(lambdas=(staging_router,)),
    )
    associate_lambda(staging.connect, staging_center.id, staging_router)
    add_permission(
        staging.lambda_,
        "staging-router",
        statement_id="connect-staging-center",
        principal="connect.amazonaws.com",
        source_arn=staging_center.arn,
    )
    # playground: excluded, so its unwarmed flow must never show up.
    play = member["playground"]
    play_router = create_function(play.lambda_, "toy", create_lambda_role(play.iam), timeout=5)
    play_center = create_instance(play.connect, "playground-center")
    create_flow(play.connect, play_center.id, "Main", flow_document(lambdas=(play_router,)))

    outcomes = {
        management: "excluded",
        accounts["shared"]: "scanned",
        accounts["prod"]: "scanned",
        accounts["staging"]: "scanned",
        accounts["locked"]: "denied",
        accounts["playground"]: "excluded",
        accounts["retired"]: "inactive",
    }
    expected = frozenset({("WARM001", staging_router), ("WARM901", accounts["locked"])})
    drifts = (
        f"staging ({accounts['staging']}): staging-router has no warmer (WARM001)",
        f"locked ({accounts['locked']}): no {READ_ROLE} role, AssumeRole refused (WARM901)",
        f"playground ({accounts['playground']}): excluded by OU /Root/Sandbox",
        f"retired ({accounts['retired']}): closed, inactive",
        (
            f"prod ({accounts['prod']}): Main calls customer-lookup in shared "
            f"({accounts['shared']}), warmed there"
        ),
    )
    return OrganizationManifest(management, accounts, expected, outcomes, drifts)


def _warmed(clients: SandboxClients, name: str) -> str:
    """A function with a 5-minute warmer rule allowed to invoke it; returns its ARN."""
    role = create_lambda_role(clients.iam, f"{name}-role")
    arn = create_function(clients.lambda_, name, role, timeout=5)
    rule = put_warmer_rule(
        clients.events, f"warm-{name}", "rate(5 minutes)", arn, input=WARM_PAYLOAD
    )
    add_permission(
        clients.lambda_,
        name,
        statement_id=f"warm-{name}",
        principal="events.amazonaws.com",
        source_arn=rule,
    )
    return arn


def _organizations(env: Mapping[str, str]) -> Any:
    return boto3.session.Session(
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        region_name=REGION,
    ).client(
        "organizations",
        endpoint_url=env.get("AWS_ENDPOINT_URL_ORGANIZATIONS") or env.get("AWS_ENDPOINT_URL"),
    )
