"""Policy evaluation for warm sources: may EventBridge, Connect or a Scheduler role invoke a Lambda?

Three questions, all pure (no I/O, no AWS calls):

- ``resource_policy_allows``: does a Lambda resource-based policy (``GetPolicy``) let a service
  principal acting for a source ARN/account perform an action on a (qualified) function ARN?
  Backs WARM004 for rules and WARM013 for Connect instances.
- ``overbroad_statements``: which Allow statements let those services (or everyone) invoke without
  pinning ``aws:SourceArn``/``aws:SourceAccount``? Backs WARM009.
- ``identity_policies_allow``: do a Scheduler execution role's identity policies grant the action
  on the function? Backs WARM004 for schedules. Permission boundaries and SCPs are out of reach.

Matching follows IAM: actions are case-insensitive globs; resources and ARN conditions are
case-sensitive globs whose ``*`` stays inside one colon-delimited segment unless it ends the
segment; an explicit Deny overrides any Allow. What cannot be decided from the document and the
request alone (unsupported operators, unknown condition keys, policy variables) yields "unknown",
never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Final, Literal, NamedTuple
from urllib.parse import unquote

from checker.load import untrusted_json
from checker.record import quick_init

Effect = Literal["Allow", "Deny"]
Outcome = Literal["allowed", "denied", "unknown"]

INVOKE_ACTION: Final = "lambda:InvokeFunction"
EVENTS_PRINCIPAL: Final = "events.amazonaws.com"
CONNECT_PRINCIPAL: Final = "connect.amazonaws.com"
WARM_SERVICES: Final = (EVENTS_PRINCIPAL, CONNECT_PRINCIPAL)

# "2008-10-17" is what IAM assumes when Version is missing; it has no policy variables.
_VERSIONS: Final = frozenset({"2012-10-17", "2008-10-17"})
_VARIABLES_VERSION: Final = "2012-10-17"
_STATEMENT_KEYS: Final = frozenset(
    {
        "Sid",
        "Effect",
        "Principal",
        "NotPrincipal",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
    }
)
# What a plain statement (`_plain_statement`) may hold.
_PLAIN_KEYS: Final = frozenset({"Sid", "Effect", "Principal", "Action", "Resource", "Condition"})
_PRINCIPAL_TYPES: Final = {
    "AWS": "aws",
    "Service": "services",
    "Federated": "federated",
    "CanonicalUser": "canonical_users",
}

# Operator name (lower case, no IfExists) -> (how values compare, whether the result is negated).
_OPERATORS: Final[Mapping[str, tuple[str, bool]]] = {
    "stringequals": ("exact", False),
    "stringnotequals": ("exact", True),
    "stringequalsignorecase": ("icase", False),
    "stringnotequalsignorecase": ("icase", True),
    "stringlike": ("like", False),
    "stringnotlike": ("like", True),
    "arnequals": ("arn", False),
    "arnlike": ("arn", False),
    "arnnotequals": ("arn", True),
    "arnnotlike": ("arn", True),
}
_IF_EXISTS: Final = "ifexists"
_SOURCE_ARN: Final = "aws:sourcearn"
_SOURCE_ACCOUNT_KEYS: Final = frozenset({"aws:sourceaccount", "aws:sourceowner"})
_WILDCARDS: Final = "*?"
_SHOWN: Final = 60
# Parsed documents kept by their text (a role's managed policy, a templated function policy).
_PARSED_TEXTS: Final = 4096


class PolicyDocumentError(ValueError):
    """A policy document that cannot be read; the message is one line naming the bad part."""


@quick_init
@dataclass(frozen=True, slots=True)
class Principal:
    """A ``Principal``/``NotPrincipal`` element; ``everyone`` is ``"*"`` or ``{"AWS": "*"}``."""

    everyone: bool = False
    aws: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    federated: tuple[str, ...] = ()
    canonical_users: tuple[str, ...] = ()
    # The service names in lower case, made once: most questions ask about a service a
    # statement does not name, and that answer needs the case-folded comparison.
    _folded: frozenset[str] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_folded", frozenset(name.lower() for name in self.services))

    def covers_service(self, service: str) -> bool:
        if self.everyone or service in self.services:
            return True  # the usual exact spelling: no need to compare case-folded
        return service.lower() in self._folded


_EVERYONE: Final = Principal(everyone=True)


@quick_init
@dataclass(frozen=True, slots=True)
class Condition:
    """One ``operator: {key: values}`` test; all of a statement's conditions must hold."""

    operator: str
    key: str
    values: tuple[str, ...]


@quick_init
@dataclass(frozen=True, slots=True)
class Statement:
    """One statement. ``resources`` is None when neither Resource nor NotResource is present."""

    index: int
    sid: str | None
    effect: Effect
    actions: tuple[str, ...]
    actions_negated: bool = False
    resources: tuple[str, ...] | None = None
    resources_negated: bool = False
    principal: Principal | None = None
    not_principal: Principal | None = None
    conditions: tuple[Condition, ...] = ()

    @property
    def label(self) -> str:
        """The Sid, or ``#<index>`` (0-based position in Statement) when it has none."""
        return self.sid if self.sid else f"#{self.index}"


@quick_init
@dataclass(frozen=True, slots=True)
class PolicyDocument:
    """A parsed policy. ``name`` (optional, set by the caller) qualifies statement ids."""

    statements: tuple[Statement, ...]
    version: str | None = None
    id: str | None = None
    name: str | None = None


@quick_init
@dataclass(frozen=True, slots=True)
class Verdict:
    """The answer to one permission question, with one sentence and the statements behind it."""

    outcome: Outcome
    reason: str
    statement_ids: tuple[str, ...]

    @property
    def allowed(self) -> bool:
        return self.outcome == "allowed"


# --------------------------------------------------------------------------- parsing


def parse_policy(document: str | Mapping[str, Any], *, name: str | None = None) -> PolicyDocument:
    """Parse a policy as Lambda ``GetPolicy`` or IAM return it (JSON text, URL-encoded or a dict).

    Raises PolicyDocumentError, and nothing else, for anything that is not a readable policy.
    """
    if isinstance(document, str):
        # Many functions and roles carry the same text: parse each text once (documents are
        # immutable, so sharing one is safe). Errors are not cached; they are raised each time.
        return _parse_text(document, name)
    return _parse_any(document, name)


def clear_caches() -> None:
    """Forget parsed documents and compiled patterns (benchmarks start each run cold)."""
    for cached in (_parse_text, _glob, _one_principal):
        cached.cache_clear()


@lru_cache(maxsize=_PARSED_TEXTS)
def _parse_text(document: str, name: str | None) -> PolicyDocument:
    return _parse_any(document, name)


def _parse_any(document: str | Mapping[str, Any], name: str | None) -> PolicyDocument:
    try:
        return _parse_document(_load(document), name)
    except PolicyDocumentError:
        raise
    except Exception as exc:  # a malformed document must become a finding, never a crash
        raise PolicyDocumentError(f"unreadable policy document: {type(exc).__name__}") from exc


def _load(document: object) -> Mapping[str, Any]:
    if isinstance(document, str):
        text = document.strip()
        # IAM's raw API returns documents URL-encoded; boto3 decodes them, other sources may not.
        if text[:3].upper() == "%7B":
            text = unquote(text)
        try:
            loaded = untrusted_json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise PolicyDocumentError(f"policy is not valid JSON: {_one_line(exc)}") from exc
    elif isinstance(document, Mapping):
        loaded = document
    else:
        raise PolicyDocumentError(
            f"policy must be JSON text or an object, got {type(document).__name__}"
        )
    if not isinstance(loaded, Mapping):
        raise PolicyDocumentError(f"policy must be a JSON object, got {_json_type(loaded)}")
    # Lambda's GetPolicy response wraps the document as a string in "Policy".
    if "Statement" not in loaded and isinstance(loaded.get("Policy"), str):
        return _load(loaded["Policy"])
    return loaded


def _parse_document(raw: Mapping[str, Any], name: str | None) -> PolicyDocument:
    version = raw.get("Version")
    if version is not None and (not isinstance(version, str) or version not in _VERSIONS):
        raise PolicyDocumentError(
            f'Version must be "2012-10-17" or "2008-10-17", got {_show(version)}'
        )
    policy_id = raw.get("Id")
    if policy_id is not None and not isinstance(policy_id, str):
        raise PolicyDocumentError(f"Id must be a string, got {_json_type(policy_id)}")
    if "Statement" not in raw:
        raise PolicyDocumentError("policy has no Statement")
    body = raw["Statement"]
    if isinstance(body, Mapping):
        items: list[object] = [body]
    elif isinstance(body, list):
        items = list(body)
    else:
        raise PolicyDocumentError(
            f"Statement must be an object or a list of objects, got {_json_type(body)}"
        )
    statements = tuple(
        _plain_statement(index, item) or _parse_statement(index, item)
        for index, item in enumerate(items)
    )
    return PolicyDocument(statements=statements, version=version, id=policy_id, name=name)


def _plain_statement(index: int, raw: object) -> Statement | None:
    """The statement Lambda's AddPermission and most people write, read in one pass: Effect, one
    Action, at most one Resource, one principal (``"*"`` or ``{type: name}``) and at most one
    ``{operator: {key: value}}`` condition. None for anything else (the general parse reads
    it, and reports what is wrong); where both read a statement, they read it the same."""
    if type(raw) is not dict or not _PLAIN_KEYS.issuperset(raw):
        return None
    sid = raw.get("Sid")
    effect = raw.get("Effect")
    action = raw.get("Action")
    resource = raw.get("Resource")
    if (
        (sid is not None and type(sid) is not str)
        or (effect != "Allow" and effect != "Deny")
        or type(action) is not str
        or not action
        or (resource is not None and (type(resource) is not str or not resource))
    ):
        return None
    principal: Principal | None = None
    if "Principal" in raw:
        value = raw["Principal"]
        if value == "*":
            principal = _EVERYONE
        elif type(value) is dict and len(value) == 1:
            ((kind, names),) = value.items()
            if type(names) is not str or not names or kind not in _PRINCIPAL_TYPES:
                return None
            principal = _one_principal(kind, names)
        else:
            return None
    conditions: tuple[Condition, ...] = ()
    if "Condition" in raw:
        value = raw["Condition"]
        if type(value) is not dict or len(value) != 1:
            return None
        ((operator, tests),) = value.items()
        if type(operator) is not str or not operator or type(tests) is not dict or len(tests) != 1:
            return None
        ((key, values),) = tests.items()
        if type(key) is not str or not key or type(values) is not str:
            return None
        conditions = (Condition(operator, key, (values,)),)
    return Statement(
        index,
        sid,
        effect,
        (action,),
        False,
        None if resource is None else (resource,),
        False,
        principal,
        None,
        conditions,
    )


def _parse_statement(index: int, raw: object) -> Statement:
    where = f"Statement[{index}]"
    if type(raw) is not dict and not isinstance(raw, Mapping):  # a dict skips the ABC check
        raise PolicyDocumentError(f"{where} must be an object, got {_json_type(raw)}")
    if not _STATEMENT_KEYS.issuperset(raw):
        unknown = sorted(str(key) for key in raw if key not in _STATEMENT_KEYS)
        raise PolicyDocumentError(f"{where} has unknown element {_show(unknown[0])}")
    sid = raw.get("Sid")
    if sid is not None and not isinstance(sid, str):
        raise PolicyDocumentError(f"{where}.Sid must be a string, got {_json_type(sid)}")
    effect = raw.get("Effect")
    if effect is None:
        raise PolicyDocumentError(f"{where} has no Effect")
    if effect not in ("Allow", "Deny"):
        raise PolicyDocumentError(f'{where}.Effect must be "Allow" or "Deny", got {_show(effect)}')
    # (The usual one action and one resource were read by `_plain_statement` already.)
    actions, actions_negated = _exclusive(raw, where, "Action", "NotAction", required=True)
    resources, resources_negated = _exclusive(raw, where, "Resource", "NotResource")
    if "Principal" in raw and "NotPrincipal" in raw:
        raise PolicyDocumentError(f"{where} has both Principal and NotPrincipal")
    principal = (
        _parse_principal(raw["Principal"], f"{where}.Principal") if "Principal" in raw else None
    )
    not_principal = (
        _parse_principal(raw["NotPrincipal"], f"{where}.NotPrincipal")
        if "NotPrincipal" in raw
        else None
    )
    conditions = _parse_conditions(raw.get("Condition"), f"{where}.Condition")
    return Statement(
        index=index,
        sid=sid,
        effect="Allow" if effect == "Allow" else "Deny",
        actions=actions or (),
        actions_negated=actions_negated,
        resources=resources,
        resources_negated=resources_negated,
        principal=principal,
        not_principal=not_principal,
        conditions=conditions,
    )


def _exclusive(
    raw: Mapping[str, Any], where: str, positive: str, negative: str, *, required: bool = False
) -> tuple[tuple[str, ...] | None, bool]:
    if positive in raw and negative in raw:
        raise PolicyDocumentError(f"{where} has both {positive} and {negative}")
    if positive in raw:
        return _strings(raw[positive], f"{where}.{positive}"), False
    if negative in raw:
        return _strings(raw[negative], f"{where}.{negative}"), True
    if required:
        raise PolicyDocumentError(f"{where} has neither {positive} nor {negative}")
    return None, False


def _strings(value: object, where: str) -> tuple[str, ...]:
    if type(value) is str and value:
        return (value,)  # the common case, without building a list
    items = value if isinstance(value, list) else [value]
    if not items:
        raise PolicyDocumentError(f"{where} is an empty list")
    for item in items:
        if not isinstance(item, str) or not item:
            raise PolicyDocumentError(f"{where} must be a non-empty string or a list of them")
    return tuple(str(item) for item in items)


def _parse_principal(value: object, where: str) -> Principal:
    if type(value) is dict and len(value) == 1:
        ((kind, names),) = value.items()
        if type(names) is str and names and type(kind) is str and kind in _PRINCIPAL_TYPES:
            return _one_principal(kind, names)  # the usual {"Service": "..."}: shared
    if value == "*":
        return Principal(everyone=True)
    if not isinstance(value, Mapping) or not value:
        raise PolicyDocumentError(f'{where} must be "*" or an object such as {{"Service": ...}}')
    found: dict[str, tuple[str, ...]] = {}
    for kind, names in value.items():
        field = _PRINCIPAL_TYPES.get(kind) if isinstance(kind, str) else None
        if field is None:
            raise PolicyDocumentError(f"{where} has unknown principal type {_show(kind)}")
        found[field] = _strings(names, f"{where}.{kind}")
    aws = found.get("aws", ())
    return Principal(
        everyone="*" in aws,
        aws=aws,
        services=found.get("services", ()),
        federated=found.get("federated", ()),
        canonical_users=found.get("canonical_users", ()),
    )


@lru_cache(maxsize=1024)
def _one_principal(kind: str, name: str) -> Principal:
    """``{kind: name}``, one valid principal: what the general parse builds, made once."""
    field = _PRINCIPAL_TYPES[kind]
    if field == "aws":
        return Principal(everyone=name == "*", aws=(name,))
    if field == "services":
        return Principal(services=(name,))
    if field == "federated":
        return Principal(federated=(name,))
    return Principal(canonical_users=(name,))


def _parse_conditions(value: object, where: str) -> tuple[Condition, ...]:
    if value is None:
        return ()
    if not isinstance(value, Mapping):
        raise PolicyDocumentError(f"{where} must be an object, got {_json_type(value)}")
    conditions: list[Condition] = []
    for operator, tests in value.items():
        if not isinstance(operator, str) or not operator:
            raise PolicyDocumentError(f"{where} has an empty or non-string operator")
        if not isinstance(tests, Mapping):
            raise PolicyDocumentError(
                f"{where}.{operator} must be an object of keys, got {_json_type(tests)}"
            )
        for key, values in tests.items():
            if not isinstance(key, str) or not key:
                raise PolicyDocumentError(f"{where}.{operator} has an empty or non-string key")
            conditions.append(
                Condition(operator, key, _condition_values(values, f"{where}.{operator}.{key}"))
            )
    return tuple(conditions)


def _condition_values(value: object, where: str) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        # IAM accepts JSON booleans and numbers here (e.g. Bool, Numeric*); compare them as text.
        if isinstance(item, bool):
            out.append("true" if item else "false")
        elif isinstance(item, str | int | float):
            out.append(str(item))
        else:
            raise PolicyDocumentError(
                f"{where} must be a string, number, boolean or a list of them, "
                f"got {_json_type(item)}"
            )
    return tuple(out)


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


# --------------------------------------------------------------------------- matching


@lru_cache(maxsize=65536)
def _glob(pattern: str, *, arn: bool, ignore_case: bool) -> re.Pattern[str]:
    parts: list[str] = []
    for position, char in enumerate(pattern):
        following = pattern[position + 1 : position + 2]
        if char == "*":
            # IAM: a * ending an ARN segment may run past colons; inside a segment it may not.
            parts.append("[^:]*" if arn and following not in ("", ":") else ".*")
        elif char == "?":
            parts.append("[^:]" if arn else ".")
        else:
            parts.append(re.escape(char))
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.compile("".join(parts), flags)


def _action_matches(patterns: Sequence[str], action: str) -> bool:
    if action in patterns:
        return True  # spelled exactly as asked: what nearly every policy says
    ascii_action = action.isascii()
    for pattern in patterns:
        if ascii_action and pattern.isascii() and "*" not in pattern and "?" not in pattern:
            # A literal ASCII action: case-insensitive equality is what the regex would decide.
            if pattern.lower() == action.lower():
                return True
        elif _glob(pattern, arn=False, ignore_case=True).fullmatch(action):
            return True
    return False


def _arn_matches(pattern: str, value: str) -> bool:
    if "*" not in pattern and "?" not in pattern:
        return pattern == value  # most ARNs in policies are literal: no regex needed
    return _glob(pattern, arn=True, ignore_case=False).fullmatch(value) is not None


def _value_matches(kind: str, pattern: str, value: str) -> bool:
    if kind == "exact":
        return pattern == value
    if kind == "icase":
        return pattern.casefold() == value.casefold()
    if kind == "like":
        return _glob(pattern, arn=False, ignore_case=False).fullmatch(value) is not None
    return _arn_matches(pattern, value)


def _uses_variables(document: PolicyDocument, values: Sequence[str]) -> str | None:
    if document.version != _VARIABLES_VERSION:
        return None
    for value in values:
        if "${" in value:
            return value
    return None


# A tri-state: True (applies), False (does not), None (cannot tell; the str says why).
_Tri = tuple[bool | None, str]


@lru_cache(maxsize=256)
def _operator(name: str) -> tuple[tuple[str, bool] | None, bool]:
    """A condition operator's (comparison, negated) spec, or None; and whether it is IfExists."""
    operator = name.lower()
    if_exists = operator.endswith(_IF_EXISTS) and len(operator) > len(_IF_EXISTS)
    base = operator[: -len(_IF_EXISTS)] if if_exists else operator
    return _OPERATORS.get(base), if_exists


def _condition_holds(
    document: PolicyDocument, condition: Condition, context: Mapping[str, str] | None
) -> _Tri:
    """Evaluate one test. ``context`` None means no key's value is knowable (identity policies)."""
    spec, if_exists = _operator(condition.operator)
    if spec is None:
        return (
            None,
            f"uses condition operator {condition.operator}, which warmcheck does not evaluate",
        )
    variable = _uses_variables(document, condition.values)
    if variable is not None:
        return None, f"uses a policy variable in its condition value {_show(variable)}"
    if context is None:
        return None, f"depends on {condition.key}, which a read-only scan cannot know"
    kind, negated = spec
    value = context.get(condition.key.lower())
    if value is None:
        # IAM: absent key -> positive operators false, negated true, ...IfExists true.
        return (True if if_exists else negated), ""
    matched = False
    for pattern in condition.values:
        if _value_matches(kind, pattern, value):
            matched = True
            break
    # Several values OR together; a negated operator is true only if none of them match (NOR).
    return (not matched if negated else matched), ""


def _statement_applies(
    document: PolicyDocument,
    statement: Statement,
    *,
    action: str,
    resource: str,
    context: Mapping[str, str] | None,
) -> _Tri:
    action_hit = _action_matches(statement.actions, action)
    if action_hit == statement.actions_negated:
        return False, ""
    unknown: str | None = None
    if statement.resources is not None:
        variable = _uses_variables(document, statement.resources)
        if variable is not None:
            unknown = f"uses a policy variable in its resource {_show(variable)}"
        else:
            resource_hit = False
            for pattern in statement.resources:
                if _arn_matches(pattern, resource):
                    resource_hit = True
                    break
            if resource_hit == statement.resources_negated:
                return False, ""
    for condition in statement.conditions:
        holds, why = _condition_holds(document, condition, context)
        if holds is False:
            return False, ""
        if holds is None and unknown is None:
            unknown = why
    if unknown is not None:
        return None, unknown
    return True, ""


def _principal_applies(statement: Statement, service: str) -> bool:
    if statement.principal is not None:
        return statement.principal.covers_service(service)
    if statement.not_principal is not None:
        return not statement.not_principal.covers_service(service)
    return False  # a resource-policy statement without a principal grants nobody anything


# --------------------------------------------------------------------------- deciding


class _Evaluated(NamedTuple):  # a tuple: cheap to make, one per statement per question
    label: str
    effect: Effect
    applies: bool | None
    why: str


def _decide(evaluated: Sequence[_Evaluated], subject: str) -> Verdict:
    """IAM's order: an explicit Deny wins, then an Allow; nothing applicable is an implicit deny."""

    denies: list[_Evaluated] = []
    allows: list[_Evaluated] = []
    maybe_denies: list[_Evaluated] = []
    maybe_allows: list[_Evaluated] = []
    for entry in evaluated:  # one pass; a statement that does not apply decides nothing
        if entry.applies is True:
            (allows if entry.effect == "Allow" else denies).append(entry)
        elif entry.applies is None:
            (maybe_allows if entry.effect == "Allow" else maybe_denies).append(entry)
    if denies:
        return Verdict("denied", f"{_names(denies)} explicitly denies {subject}", _ids(denies))
    if allows and maybe_denies:
        first = maybe_denies[0]
        return Verdict(
            "unknown",
            f"{_names(allows)} allows {subject}, but statement {first.label} might deny it: "
            f"it {first.why}",
            _ids(maybe_denies),
        )
    if allows:
        return Verdict("allowed", f"{_names(allows)} allows {subject}", _ids(allows))
    if maybe_allows:
        first = maybe_allows[0]
        which = "it" if len(maybe_allows) == 1 else f"statement {first.label}"
        return Verdict(
            "unknown",
            f"only {_names(maybe_allows)} could allow {subject}, and {which} {first.why}",
            _ids(maybe_allows),
        )
    return Verdict("denied", f"no statement allows {subject}", ())


def _names(evaluated: Sequence[_Evaluated]) -> str:
    if len(evaluated) == 1:
        return f"statement {evaluated[0].label}"  # the usual answer: one statement decides
    noun = "statement" if len(evaluated) == 1 else "statements"
    return f"{noun} {', '.join(e.label for e in evaluated)}"


def _ids(evaluated: Sequence[_Evaluated]) -> tuple[str, ...]:
    if len(evaluated) == 1:
        return (evaluated[0].label,)
    return tuple(dict.fromkeys(e.label for e in evaluated))


def _doing(action: str, resource: str) -> str:
    if action.lower() == INVOKE_ACTION.lower():
        return f"to invoke {resource}"
    return f"to perform {action} on {resource}"


# --------------------------------------------------------------------------- public questions


def resource_policy_allows(
    policy: PolicyDocument | None,
    *,
    service: str,
    action: str,
    resource: str,
    source_arn: str | None,
    source_account: str | None,
) -> Verdict:
    """May service principal ``service``, acting for the source, perform ``action`` on ``resource``?

    Only ``aws:SourceArn`` and ``aws:SourceAccount`` (alias ``aws:SourceOwner``) have values in
    this request; every other condition key is treated as absent, as for a service invoking.
    """
    source = f" from {source_arn}" if source_arn is not None else ""
    if source_account is not None:
        source += f" (account {source_account})" if source else f" from account {source_account}"
    subject = f"{service}{source} {_doing(action, resource)}"
    if policy is None:
        return Verdict(
            "denied", f"the function has no resource-based policy, so nothing allows {subject}", ()
        )
    context: dict[str, str] = {}
    if source_arn is not None:
        context[_SOURCE_ARN] = source_arn
    if source_account is not None:
        for key in _SOURCE_ACCOUNT_KEYS:
            context[key] = source_account
    evaluated = []
    for statement in policy.statements:
        if not _principal_applies(statement, service):
            continue  # not about this service: it neither allows nor denies
        applies, why = _statement_applies(
            policy, statement, action=action, resource=resource, context=context
        )
        if applies is not False:
            evaluated.append(_Evaluated(statement.label, statement.effect, applies, why))
    return _decide(evaluated, subject)


def overbroad_statements(
    policy: PolicyDocument,
    *,
    action: str = INVOKE_ACTION,
    services: Sequence[str] = WARM_SERVICES,
    resource: str | None = None,
) -> tuple[str, ...]:
    """Labels of Allow statements letting ``services`` or everyone perform ``action`` unpinned
    (on ``resource``, when given: a statement about another function says nothing about it).

    Pinned means a positive String*/Arn* test (not IfExists, not negated) on ``aws:SourceArn`` or
    ``aws:SourceAccount``/``aws:SourceOwner`` whose every value names a specific source.
    """
    found: list[str] = []
    for statement in policy.statements:
        if statement.effect != "Allow":
            continue
        if _action_matches(statement.actions, action) == statement.actions_negated:
            continue
        everyone = statement.principal is not None and statement.principal.everyone
        if not everyone:
            for service in services:
                if _principal_applies(statement, service):
                    break
            else:
                continue  # about none of these services
        if resource is not None and not _may_cover(policy, statement, resource):
            continue
        for condition in statement.conditions:
            if _pins(condition):
                break
        else:
            found.append(statement.label)
    return tuple(dict.fromkeys(found))


def _may_cover(document: PolicyDocument, statement: Statement, resource: str) -> bool:
    """Whether the statement's Resource/NotResource can include ``resource`` (a policy
    variable: it may)."""
    if statement.resources is None or _uses_variables(document, statement.resources):
        return True
    hit = False
    for pattern in statement.resources:
        if _arn_matches(pattern, resource):
            hit = True
            break
    return hit != statement.resources_negated


def _pins(condition: Condition) -> bool:
    spec = _OPERATORS.get(condition.operator.lower())  # an IfExists variant lets absence through
    if spec is None or spec[1]:
        return False
    kind, _ = spec
    key = condition.key.lower()
    if key in _SOURCE_ACCOUNT_KEYS:
        return all(value.strip(_WILDCARDS) for value in condition.values)
    if key == _SOURCE_ARN:
        return all(_arn_value_pins(kind, value) for value in condition.values)
    return False


def _arn_value_pins(kind: str, value: str) -> bool:
    if not value.strip(_WILDCARDS):
        return False
    if kind in ("exact", "icase"):
        return True  # compared literally: only that exact source gets through
    parts = value.split(":", 5)
    if len(parts) < 6:
        return True
    account, rest = parts[4], parts[5]
    # A wildcard account lets any account's same-named resource through (confused deputy).
    if account:
        return not any(char in account for char in _WILDCARDS)
    return bool(rest.strip(_WILDCARDS))


def identity_policies_allow(
    policies: Sequence[PolicyDocument], *, action: str, resource: str
) -> Verdict:
    """May an identity holding ``policies`` (inline and managed) perform ``action`` on ``resource``?

    Principal elements are ignored (identity policies cannot carry one). No condition key has a
    known value here, so a conditional statement is "unknown" unless an unconditional Allow decides.
    Permission boundaries and SCPs are not considered; the caller says so in the report.
    """
    subject = f"the role {_doing(action, resource)}"
    if not policies:
        return Verdict(
            "denied", f"the role has no identity policies, so nothing allows {subject}", ()
        )
    evaluated = []
    for document in policies:
        for statement in document.statements:
            applies, why = _statement_applies(
                document, statement, action=action, resource=resource, context=None
            )
            label = f"{document.name}/{statement.label}" if document.name else statement.label
            evaluated.append(_Evaluated(label, statement.effect, applies, why))
    return _decide(evaluated, subject)
