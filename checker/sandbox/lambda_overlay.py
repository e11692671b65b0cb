"""The part of Lambda the sandbox serves itself, on top of moto's functions, versions and aliases.

moto keeps one resource policy per function whatever the qualifier, accepts duplicate statement
IDs, and has no provisioned concurrency. Here resource policies are kept per qualifier (the
function itself, each version, each alias) as Lambda keeps them, and provisioned concurrency is
stored per version or alias and is READY at once. Whether a function or qualifier exists is
always asked of moto, so moto stays the one source of truth for functions.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from checker.domain.arns import LATEST, resolve_function_reference
from checker.sandbox.paging import page
from checker.sandbox.upstream import MotoUpstream
from checker.sandbox.wire import ApiError, Caller, HttpRequest

Params = dict[str, Any]
Result = dict[str, Any]

OPERATIONS = frozenset(
    {
        "AddPermission",
        "GetPolicy",
        "RemovePermission",
        "PutProvisionedConcurrencyConfig",
        "GetProvisionedConcurrencyConfig",
        "ListProvisionedConcurrencyConfigs",
        "DeleteProvisionedConcurrencyConfig",
    }
)

# (account, region, function name, qualifier or None for the function itself)
_Key = tuple[str, str, str, str | None]


@dataclass
class _Policy:
    statements: list[dict[str, Any]] = field(default_factory=list)
    revision: str = field(default_factory=lambda: str(uuid.uuid4()))


@dataclass(frozen=True)
class _Target:
    """A resolved ``FunctionName`` + ``Qualifier``."""

    account: str
    region: str
    name: str
    qualifier: str | None

    @property
    def function_arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account}:function:{self.name}"

    @property
    def arn(self) -> str:
        suffix = f":{self.qualifier}" if self.qualifier else ""
        return self.function_arn + suffix

    @property
    def key(self) -> _Key:
        return (self.account, self.region, self.name, self.qualifier)


def _not_found_function(target: _Target) -> ApiError:
    return ApiError("ResourceNotFoundException", f"Function not found: {target.arn}")


class LambdaOverlay:
    """Per-qualifier resource policies and provisioned concurrency, keyed per account/region."""

    def __init__(self, upstream: MotoUpstream) -> None:
        self._upstream = upstream
        self._lock = threading.Lock()
        self._policies: dict[_Key, _Policy] = {}
        self._concurrency: dict[_Key, dict[str, Any]] = {}

    def reset(self) -> None:
        with self._lock:
            self._policies.clear()
            self._concurrency.clear()

    def handle(
        self, operation: str, params: Params, caller: Caller, request: HttpRequest, account: str
    ) -> Result:
        target = _target(params, account, caller.region)
        handler = getattr(self, "_" + re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower())
        result: Result = handler(target, params, caller, request)
        return result

    def forget(self, params: Params, caller: Caller, account: str, *, alias: bool) -> None:
        """Drop state for a function, version or alias moto has just deleted."""
        target = _target(params, account, caller.region)
        qualifier = params.get("Name") if alias else target.qualifier
        with self._lock:
            for store in (self._policies, self._concurrency):
                for key in [k for k in store if k[:3] == target.key[:3]]:
                    if qualifier is None or key[3] == qualifier:
                        del store[key]

    def _require(self, target: _Target, caller: Caller, request: HttpRequest) -> None:
        if not self._upstream.function_exists(caller, request, target.name, target.qualifier):
            raise _not_found_function(target)

    # -- resource policies ----------------------------------------------------------------

    def _add_permission(
        self, target: _Target, p: Params, caller: Caller, request: HttpRequest
    ) -> Result:
        if target.qualifier == LATEST:
            raise ApiError(
                "InvalidParameterValueException",
                "We currently do not support adding policies for $LATEST.",
            )
        self._require(target, caller, request)
        statement = _statement(target, p)
        with self._lock:
            policy = self._policies.setdefault(target.key, _Policy())
            _check_revision(policy, p.get("RevisionId"))
            if any(s["Sid"] == p["StatementId"] for s in policy.statements):
                raise ApiError(
                    "ResourceConflictException",
                    f"The statement id ({p['StatementId']}) provided already exists. "
                    "Please provide a new statement id, or remove the existing statement.",
                )
            policy.statements.append(statement)
            policy.revision = str(uuid.uuid4())
        return {"Statement": json.dumps(statement, separators=(",", ":"))}

    def _get_policy(
        self, target: _Target, p: Params, caller: Caller, request: HttpRequest
    ) -> Result:
        self._require(target, caller, request)
        with self._lock:
            policy = self._policies.get(_policy_key(target))
            if policy is None or not policy.statements:
                raise ApiError(
                    "ResourceNotFoundException", "The resource you requested does not exist."
                )
            document = {"Version": "2012-10-17", "Id": "default", "Statement": policy.statements}
            return {
                "Policy": json.dumps(document, separators=(",", ":")),
                "RevisionId": policy.revision,
            }

    def _remove_permission(
        self, target: _Target, p: Params, caller: Caller, request: HttpRequest
    ) -> Result:
        self._require(target, caller, request)
        sid = p["StatementId"]
        with self._lock:
            key = _policy_key(target)
            policy = self._policies.get(key)
            if policy is None or not any(s["Sid"] == sid for s in policy.statements):
                raise ApiError(
                    "ResourceNotFoundException", f"Statement {sid} is not found in resource policy."
                )
            _check_revision(policy, p.get("RevisionId"))
            policy.statements = [s for s in policy.statements if s["Sid"] != sid]
            policy.revision = str(uuid.uuid4())
            if not policy.statements:
                del self._policies[key]
        return {}

    # -- provisioned concurrency ----------------------------------------------------------

    def _put_provisioned_concurrency_config(
        self, target: _Target, p: Params, caller: Caller, request: HttpRequest
    ) -> Result:
        if target.qualifier in (None, LATEST):
            raise ApiError(
                "InvalidParameterValueException",
                "Provisioned Concurrency Configs cannot be applied to unpublished function "
                "versions.",
            )
        self._require(target, caller, request)
        requested = int(p["ProvisionedConcurrentExecutions"])
        config = {
            "FunctionArn": target.arn,
            "RequestedProvisionedConcurrentExecutions": requested,
            "AvailableProvisionedConcurrentExecutions": requested,
            "AllocatedProvisionedConcurrentExecutions": requested,
            "Status": "READY",
            "LastModified": _lambda_timestamp(),
        }
        with self._lock:
            self._concurrency[target.key] = config
        return {k: v for k, v in config.items() if k != "FunctionArn"}

    def _get_provisioned_concurrency_config(
        self, target: _Target, p: Params, caller: Caller, request: HttpRequest
    ) -> Result:
        self._require(target, caller, request)
        with self._lock:
            config = self._concurrency.get(target.key)
        if config is None:
            raise ApiError(
                "ProvisionedConcurrencyConfigNotFoundException",
                "No Provisioned Concurrency Config found for this function",
            )
        return {k: v for k, v in config.items() if k != "FunctionArn"}

    def _list_provisioned_concurrency_configs(
        self, target: _Target, p: Params, caller: Caller, request: HttpRequest
    ) -> Result:
        self._require(target, caller, request)
        with self._lock:
            configs = [
                dict(config)
                for key, config in sorted(self._concurrency.items(), key=lambda kv: str(kv[0][3]))
                if key[:3] == target.key[:3]
            ]
        items, marker = page(
            "lambda",
            "ListProvisionedConcurrencyConfigs",
            configs,
            p,
            error="InvalidParameterValueException",
            limit_key="MaxItems",
            token_key="Marker",
        )
        return {"ProvisionedConcurrencyConfigs": items, "NextMarker": marker}

    def _delete_provisioned_concurrency_config(
        self, target: _Target, p: Params, caller: Caller, request: HttpRequest
    ) -> Result:
        self._require(target, caller, request)
        with self._lock:
            if self._concurrency.pop(target.key, None) is None:
                raise ApiError(
                    "ResourceNotFoundException",
                    "No Provisioned Concurrency Config found for this function",
                )
        return {}


def _target(params: Params, account: str, region: str) -> _Target:
    """FunctionName (name, partial or full ARN, maybe qualified) plus Qualifier, resolved."""
    raw = params["FunctionName"]
    key = resolve_function_reference(raw, region=region, account=account)
    if key is None:
        raise ApiError("InvalidParameterValueException", f"Invalid function name: {raw}")
    if key.region != region or key.account != account:
        raise ApiError("ResourceNotFoundException", f"Function not found: {raw}")
    explicit = key.qualifier != LATEST or raw.endswith(":" + LATEST)
    derived = key.qualifier if explicit else None
    qualifier = params.get("Qualifier")
    if derived and qualifier and derived != qualifier:
        raise ApiError(
            "InvalidParameterValueException",
            "The derived qualifier from the function name does not match the specified qualifier.",
        )
    return _Target(account, region, key.name, qualifier or derived)


def _policy_key(target: _Target) -> _Key:
    # $LATEST's policy is the function's own.
    return target.key if target.qualifier != LATEST else (*target.key[:3], None)


def _check_revision(policy: _Policy, revision: str | None) -> None:
    if revision and revision != policy.revision:
        raise ApiError(
            "PreconditionFailedException",
            "The Revision Id provided does not match the latest Revision Id. Call the GetPolicy "
            "API to retrieve the latest Revision Id",
        )


def _statement(target: _Target, p: Params) -> dict[str, Any]:
    """The policy statement Lambda writes for an AddPermission call."""
    principal = p["Principal"]
    principal_value: Any
    if principal == "*":
        principal_value = "*"
    elif re.fullmatch(r"\d{12}", principal):
        principal_value = {"AWS": f"arn:aws:iam::{principal}:root"}
    elif principal.startswith("arn:"):
        principal_value = {"AWS": principal}
    else:
        principal_value = {"Service": principal}
    condition: dict[str, dict[str, str]] = {}
    equals = {
        "AWS:SourceAccount": p.get("SourceAccount"),
        "aws:PrincipalOrgID": p.get("PrincipalOrgID"),
        "lambda:EventSourceToken": p.get("EventSourceToken"),
        "lambda:FunctionUrlAuthType": p.get("FunctionUrlAuthType"),
    }
    for name, value in equals.items():
        if value:
            condition.setdefault("StringEquals", {})[name] = value
    if p.get("SourceArn"):
        condition["ArnLike"] = {"AWS:SourceArn": p["SourceArn"]}
    statement: dict[str, Any] = {
        "Sid": p["StatementId"],
        "Effect": "Allow",
        "Principal": principal_value,
        "Action": p["Action"],
        "Resource": target.arn,
    }
    if condition:
        statement["Condition"] = condition
    return statement


def _lambda_timestamp() -> str:
    """Lambda's own timestamp format, e.g. ``2024-05-01T12:00:00.000+0000``."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + "000+0000"
