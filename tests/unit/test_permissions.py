"""Policy evaluation: Lambda resource policies, WARM009 over-breadth and Scheduler role policies."""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.domain.permissions import (
    PolicyDocument,
    PolicyDocumentError,
    Principal,
    Verdict,
    clear_caches,
    identity_policies_allow,
    overbroad_statements,
    parse_policy,
    resource_policy_allows,
)

ACCOUNT = "123456789012"
OTHER_ACCOUNT = "210987654321"
FN = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:ivr-lookup"
FN_PROD = f"{FN}:prod"
RULE = f"arn:aws:events:us-east-1:{ACCOUNT}:rule/ivr-warmer"
INSTANCE = f"arn:aws:connect:us-east-1:{ACCOUNT}:instance/0d5c2f4e-3b1a-4c7d-9e8f-1a2b3c4d5e6f"
EVENTS = "events.amazonaws.com"
CONNECT = "connect.amazonaws.com"
INVOKE = "lambda:InvokeFunction"


def statement(**overrides: Any) -> dict[str, Any]:
    """An EventBridge-style Allow on FN pinned to RULE; keyword arguments replace elements."""
    body: dict[str, Any] = {
        "Sid": "warm",
        "Effect": "Allow",
        "Principal": {"Service": EVENTS},
        "Action": INVOKE,
        "Resource": FN,
        "Condition": {"ArnLike": {"AWS:SourceArn": RULE}},
    }
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}


def policy(*statements: dict[str, Any]) -> PolicyDocument:
    return parse_policy({"Version": "2012-10-17", "Id": "default", "Statement": list(statements)})


def events_verdict(
    document: PolicyDocument | None,
    *,
    resource: str = FN,
    source_arn: str | None = RULE,
    source_account: str | None = ACCOUNT,
    service: str = EVENTS,
    action: str = INVOKE,
) -> Verdict:
    return resource_policy_allows(
        document,
        service=service,
        action=action,
        resource=resource,
        source_arn=source_arn,
        source_account=source_account,
    )


# --------------------------------------------------------------------------- real statements


# facts/aws.md §6: the statement EventBridge's AddPermission produced (account as published).
REAL_EVENTBRIDGE_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Id": "default",
        "Statement": [
            {
                "Sid": "warm-rule-invoke",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "lambda:InvokeFunction",
                "Resource": "arn:aws:lambda:us-east-1:1234:function:fn",
                "Condition": {
                    "ArnLike": {"AWS:SourceArn": "arn:aws:events:us-east-1:1234:rule/name"}
                },
            }
        ],
    }
)


def test_real_eventbridge_statement_allows_its_rule() -> None:
    verdict = events_verdict(
        parse_policy(REAL_EVENTBRIDGE_POLICY),
        resource="arn:aws:lambda:us-east-1:1234:function:fn",
        source_arn="arn:aws:events:us-east-1:1234:rule/name",
        source_account="1234",
    )
    assert verdict.outcome == "allowed"
    assert verdict.statement_ids == ("warm-rule-invoke",)
    assert "warm-rule-invoke" in verdict.reason


@pytest.mark.parametrize(
    "source_arn",
    [
        "arn:aws:events:us-east-1:1234:rule/other",
        "arn:aws:events:us-east-1:9999:rule/name",
        "arn:aws:events:us-west-2:1234:rule/name",
        None,
    ],
)
def test_real_eventbridge_statement_rejects_other_sources(source_arn: str | None) -> None:
    verdict = events_verdict(
        parse_policy(REAL_EVENTBRIDGE_POLICY),
        resource="arn:aws:lambda:us-east-1:1234:function:fn",
        source_arn=source_arn,
        source_account="1234",
    )
    assert verdict.outcome == "denied"
    assert verdict.statement_ids == ()
    assert verdict.reason.startswith("no statement allows events.amazonaws.com")


def test_real_eventbridge_statement_does_not_let_connect_in() -> None:
    verdict = events_verdict(
        parse_policy(REAL_EVENTBRIDGE_POLICY),
        service=CONNECT,
        resource="arn:aws:lambda:us-east-1:1234:function:fn",
        source_arn="arn:aws:events:us-east-1:1234:rule/name",
    )
    assert verdict.outcome == "denied"


CONNECT_STATEMENT = statement(
    Sid="connect-invoke",
    Principal={"Service": CONNECT},
    Resource=FN_PROD,
    Condition={
        "ArnLike": {"AWS:SourceArn": INSTANCE},
        "StringEquals": {"AWS:SourceAccount": ACCOUNT},
    },
)


def test_connect_statement_allows_its_instance() -> None:
    verdict = events_verdict(
        policy(CONNECT_STATEMENT), service=CONNECT, resource=FN_PROD, source_arn=INSTANCE
    )
    assert verdict == Verdict(
        "allowed",
        f"statement connect-invoke allows {CONNECT} from {INSTANCE} (account {ACCOUNT}) "
        f"to invoke {FN_PROD}",
        ("connect-invoke",),
    )


@pytest.mark.parametrize(
    ("source_arn", "source_account"),
    [
        (INSTANCE, OTHER_ACCOUNT),  # both operators must hold
        (INSTANCE, None),  # StringEquals on an absent key is false
        (INSTANCE.replace("0d5c", "ffff"), ACCOUNT),
    ],
)
def test_connect_statement_needs_instance_and_account(
    source_arn: str, source_account: str | None
) -> None:
    verdict = events_verdict(
        policy(CONNECT_STATEMENT),
        service=CONNECT,
        resource=FN_PROD,
        source_arn=source_arn,
        source_account=source_account,
    )
    assert verdict.outcome == "denied"


# --------------------------------------------------------------------------- principal/action


@pytest.mark.parametrize(
    ("principal", "outcome"),
    [
        ("*", "allowed"),
        ({"AWS": "*"}, "allowed"),
        ({"AWS": ["arn:aws:iam::123456789012:root", "*"]}, "allowed"),
        ({"Service": EVENTS}, "allowed"),
        ({"Service": "Events.AmazonAWS.com"}, "allowed"),
        ({"Service": [CONNECT, EVENTS]}, "allowed"),
        ({"Service": CONNECT}, "denied"),
        ({"Service": "events.amazonaws.com.evil"}, "denied"),
        ({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "denied"),
        ({"Federated": "cognito-identity.amazonaws.com"}, "denied"),
        ({"AWS": "*", "Service": CONNECT}, "allowed"),
    ],
)
def test_principal_shapes(principal: object, outcome: str) -> None:
    assert events_verdict(policy(statement(Principal=principal))).outcome == outcome


def test_not_principal_excludes_only_the_named_service() -> None:
    excluded = policy(statement(Principal=None, NotPrincipal={"Service": EVENTS}))
    other = policy(statement(Principal=None, NotPrincipal={"Service": CONNECT}))
    assert events_verdict(excluded).outcome == "denied"
    assert events_verdict(other).outcome == "allowed"


def test_statement_without_principal_grants_nothing_in_a_resource_policy() -> None:
    assert events_verdict(policy(statement(Principal=None))).outcome == "denied"


@pytest.mark.parametrize(
    ("action", "outcome"),
    [
        ("lambda:InvokeFunction", "allowed"),
        (["lambda:GetFunction", "lambda:InvokeFunction"], "allowed"),
        ("lambda:*", "allowed"),
        ("*", "allowed"),
        ("lambda:Invoke*", "allowed"),
        ("LAMBDA:invokefunction", "allowed"),
        ("lambda:InvokeFunct?on", "allowed"),
        ("lambda:InvokeFunctionUrl", "denied"),
        ("lambda:GetFunction", "denied"),
        (["s3:*", "lambda:Get*"], "denied"),
    ],
)
def test_action_shapes(action: object, outcome: str) -> None:
    assert events_verdict(policy(statement(Action=action))).outcome == outcome


def test_not_action_is_honoured() -> None:
    assert events_verdict(policy(statement(Action=None, NotAction="lambda:Get*"))).allowed
    denied = events_verdict(policy(statement(Action=None, NotAction=["lambda:Invoke*"])))
    assert denied.outcome == "denied"


# --------------------------------------------------------------------------- resources


@pytest.mark.parametrize(
    ("pattern", "invoked", "outcome"),
    [
        (FN, FN, "allowed"),
        (FN, FN_PROD, "denied"),  # unqualified grant does not cover an alias
        (FN_PROD, FN, "denied"),  # alias grant does not cover $LATEST
        (FN_PROD, f"{FN}:staging", "denied"),
        (f"{FN}:*", FN_PROD, "allowed"),
        (f"{FN}:*", FN, "denied"),  # fn:* needs a qualifier
        (f"{FN}*", FN_PROD, "allowed"),  # a trailing * runs past the colon
        (f"{FN}*", FN, "allowed"),
        (f"{FN}:pro?", FN_PROD, "allowed"),
        (f"{FN}?prod", FN_PROD, "denied"),  # ? stays inside one ARN segment
        (f"arn:aws:lambda:*:{ACCOUNT}:function:ivr-*", FN_PROD, "allowed"),
        (f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:ivr-*:prod", FN_PROD, "allowed"),
        (f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:IVR-lookup", FN, "denied"),  # case matters
        (f"arn:aws:lambda:us-east-1:{OTHER_ACCOUNT}:function:ivr-lookup", FN, "denied"),
        ("*", FN_PROD, "allowed"),
        ([f"{FN}:staging", FN_PROD], FN_PROD, "allowed"),
    ],
)
def test_resource_and_qualifier(pattern: object, invoked: str, outcome: str) -> None:
    assert events_verdict(policy(statement(Resource=pattern)), resource=invoked).outcome == outcome


def test_missing_resource_matches_any_resource() -> None:
    assert events_verdict(policy(statement(Resource=None)), resource=FN_PROD).allowed


def test_not_resource_is_honoured() -> None:
    document = policy(statement(Resource=None, NotResource=FN_PROD))
    assert events_verdict(document, resource=FN).allowed
    assert events_verdict(document, resource=FN_PROD).outcome == "denied"


# --------------------------------------------------------------------------- conditions


@pytest.mark.parametrize(
    ("condition", "source_arn", "outcome"),
    [
        (
            {"ArnLike": {"aws:SourceArn": f"arn:aws:events:us-east-1:{ACCOUNT}:rule/ivr-*"}},
            RULE,
            "allowed",
        ),
        ({"ArnLike": {"aws:SourceArn": f"arn:aws:events:*:{ACCOUNT}:rule/*"}}, RULE, "allowed"),
        (
            {"ArnLike": {"aws:SourceArn": f"arn:aws:events:us-east-1:{ACCOUNT}:rule/ivr-warme?"}},
            RULE,
            "allowed",
        ),
        (
            {"ArnLike": {"aws:SourceArn": f"arn:aws:events:us-east-1:{ACCOUNT}:rule/ivr-warme?"}},
            f"{RULE}s",
            "denied",
        ),
        (
            {"ArnLike": {"aws:SourceArn": f"arn:aws:events:us-east-1:{ACCOUNT}:rule/IVR-*"}},
            RULE,
            "denied",
        ),
        (
            {"ArnEquals": {"aws:SourceArn": f"arn:aws:events:us-east-1:{ACCOUNT}:rule/ivr-*"}},
            RULE,
            "allowed",
        ),  # ArnEquals globs too
        ({"ArnLike": {"aws:SourceArn": "*"}}, RULE, "allowed"),
        ({"StringLike": {"aws:SourceArn": "arn:aws:events:*:rule/ivr-warmer"}}, RULE, "allowed"),
        ({"StringLike": {"aws:SourceArn": "*:rule/ivr-warme?"}}, RULE, "allowed"),
        ({"StringLike": {"aws:SourceArn": "*:rule/IVR-*"}}, RULE, "denied"),
        (
            {"StringEquals": {"aws:SourceArn": f"arn:aws:events:us-east-1:{ACCOUNT}:rule/*"}},
            RULE,
            "denied",
        ),  # StringEquals takes * literally
        ({"StringEqualsIgnoreCase": {"aws:SourceArn": RULE.upper()}}, RULE, "allowed"),
        ({"StringNotEqualsIgnoreCase": {"aws:SourceArn": RULE.upper()}}, RULE, "denied"),
        ({"ArnLike": {"aws:SourceArn": [f"{RULE}-a", RULE]}}, RULE, "allowed"),  # values OR
        (
            {"ArnNotLike": {"aws:SourceArn": f"arn:aws:events:*:{OTHER_ACCOUNT}:rule/*"}},
            RULE,
            "allowed",
        ),
        ({"ArnNotEquals": {"aws:SourceArn": RULE}}, RULE, "denied"),
        ({"StringNotLike": {"aws:SourceArn": ["*:rule/a*", "*:rule/b*"]}}, RULE, "allowed"),
        ({"StringNotLike": {"aws:SourceArn": ["*:rule/a*", "*:rule/ivr*"]}}, RULE, "denied"),
    ],
)
def test_string_and_arn_operators(condition: dict[str, Any], source_arn: str, outcome: str) -> None:
    document = policy(statement(Condition=condition))
    assert events_verdict(document, source_arn=source_arn).outcome == outcome


@pytest.mark.parametrize(
    "key", ["aws:SourceArn", "AWS:SourceArn", "aws:sourcearn", "AWS:SOURCEARN", "Aws:sourceArn"]
)
def test_condition_keys_are_case_insensitive(key: str) -> None:
    document = policy(statement(Condition={"ArnLike": {key: RULE}}))
    assert events_verdict(document).allowed
    assert events_verdict(document, source_arn=f"{RULE}-old").outcome == "denied"


@pytest.mark.parametrize("key", ["aws:SourceAccount", "AWS:SourceAccount", "AWS:SourceOwner"])
def test_source_account_and_source_owner_take_the_account(key: str) -> None:
    document = policy(statement(Condition={"StringEquals": {key: ACCOUNT}}))
    assert events_verdict(document).allowed
    assert events_verdict(document, source_account=OTHER_ACCOUNT).outcome == "denied"
    assert events_verdict(document, source_account=None).outcome == "denied"


@pytest.mark.parametrize(
    ("condition", "source_arn", "outcome"),
    [
        ({"ArnLikeIfExists": {"aws:SourceArn": RULE}}, None, "allowed"),
        ({"ArnLikeIfExists": {"aws:SourceArn": RULE}}, RULE, "allowed"),
        ({"ArnLikeIfExists": {"aws:SourceArn": RULE}}, f"{RULE}-old", "denied"),
        ({"ArnLike": {"aws:SourceArn": RULE}}, None, "denied"),
        ({"StringEqualsIfExists": {"aws:PrincipalOrgID": "o-abc"}}, RULE, "allowed"),
        ({"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}, RULE, "denied"),
        ({"StringNotEquals": {"aws:PrincipalOrgID": "o-abc"}}, RULE, "allowed"),
        ({"ArnNotLike": {"aws:SourceArn": RULE}}, None, "allowed"),
        ({"stringequalsifexists": {"aws:SourceAccount": ACCOUNT}}, RULE, "allowed"),
    ],
)
def test_if_exists_and_absent_keys(
    condition: dict[str, Any], source_arn: str | None, outcome: str
) -> None:
    document = policy(statement(Condition=condition))
    assert events_verdict(document, source_arn=source_arn).outcome == outcome


def test_negated_operator_with_several_values_is_nor() -> None:
    listed = policy(
        statement(Condition={"StringNotEquals": {"aws:SourceAccount": [OTHER_ACCOUNT, ACCOUNT]}})
    )
    unlisted = policy(
        statement(Condition={"StringNotEquals": {"aws:SourceAccount": [OTHER_ACCOUNT, "1" * 12]}})
    )
    assert events_verdict(listed).outcome == "denied"
    assert events_verdict(unlisted).allowed


def test_all_keys_in_one_operator_must_hold() -> None:
    document = policy(
        statement(Condition={"StringEquals": {"aws:SourceAccount": ACCOUNT, "aws:SourceArn": RULE}})
    )
    assert events_verdict(document).allowed
    assert events_verdict(document, source_account=OTHER_ACCOUNT).outcome == "denied"


def test_empty_condition_block_is_unconditional() -> None:
    assert events_verdict(policy(statement(Condition={}))).allowed


# --------------------------------------------------------------------------- deny


DENY_IVR_RULES = statement(
    Sid="deny-ivr",
    Effect="Deny",
    Principal="*",
    Action="lambda:*",
    Resource=f"{FN}*",
    Condition={"ArnLike": {"aws:SourceArn": f"arn:aws:events:*:{ACCOUNT}:rule/ivr-*"}},
)


def test_deny_overrides_allow() -> None:
    verdict = events_verdict(policy(statement(), DENY_IVR_RULES))
    assert verdict.outcome == "denied"
    assert verdict.statement_ids == ("deny-ivr",)
    assert "explicitly denies" in verdict.reason


def test_deny_that_does_not_apply_leaves_the_allow() -> None:
    other_rule = f"arn:aws:events:us-east-1:{ACCOUNT}:rule/nightly"
    document = policy(
        statement(Condition={"ArnLike": {"aws:SourceArn": other_rule}}), DENY_IVR_RULES
    )
    verdict = events_verdict(document, source_arn=other_rule)
    assert verdict.outcome == "allowed"
    assert verdict.statement_ids == ("warm",)


def test_deny_with_not_action_and_not_resource() -> None:
    deny_all_but_get = statement(
        Sid="lockdown", Effect="Deny", Action=None, NotAction="lambda:Get*", Condition=None
    )
    deny_other_qualifiers = statement(
        Sid="only-prod", Effect="Deny", Resource=None, NotResource=FN_PROD, Condition=None
    )
    assert events_verdict(policy(statement(), deny_all_but_get)).outcome == "denied"
    allow_any = statement(Resource=f"{FN}*")
    document = policy(allow_any, deny_other_qualifiers)
    assert events_verdict(document, resource=FN_PROD).allowed
    assert events_verdict(document, resource=FN).outcome == "denied"


def test_no_policy_is_denied() -> None:
    verdict = events_verdict(None, resource=FN_PROD)
    assert verdict.outcome == "denied"
    assert verdict.statement_ids == ()
    assert "no resource-based policy" in verdict.reason
    assert FN_PROD in verdict.reason


def test_empty_statement_list_is_denied() -> None:
    assert events_verdict(policy()).outcome == "denied"


def test_verdict_is_frozen() -> None:
    verdict = events_verdict(None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        verdict.outcome = "allowed"  # type: ignore[misc]


# --------------------------------------------------------------------------- unknowns


@pytest.mark.parametrize(
    "operator",
    [
        {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}},
        {"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}},
        {"Bool": {"aws:SecureTransport": True}},
        {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
        {"Null": {"aws:SourceArn": "false"}},
        {"ForAnyValue:StringEquals": {"aws:SourceArn": RULE}},
        {"ForAllValues:StringLike": {"aws:SourceArn": "*"}},
        {"BinaryEquals": {"aws:x": "QQ=="}},
    ],
)
def test_unsupported_operator_on_the_only_allow_is_unknown(operator: dict[str, Any]) -> None:
    name = next(iter(operator))
    condition = {"ArnLike": {"aws:SourceArn": RULE}, **operator}
    verdict = events_verdict(policy(statement(Condition=condition)))
    assert verdict.outcome == "unknown"
    assert verdict.statement_ids == ("warm",)
    assert name in verdict.reason


def test_unsupported_operator_does_not_matter_when_another_test_fails() -> None:
    condition = {"ArnLike": {"aws:SourceArn": f"{RULE}-old"}, "Bool": {"aws:SecureTransport": True}}
    assert events_verdict(policy(statement(Condition=condition))).outcome == "denied"


def test_unconditional_allow_beats_an_undecidable_allow() -> None:
    unclear = statement(Sid="unclear", Condition={"NumericEquals": {"aws:x": "1"}})
    verdict = events_verdict(policy(unclear, statement(Sid="clear")))
    assert verdict.outcome == "allowed"
    assert verdict.statement_ids == ("clear",)


def test_deny_that_might_apply_makes_an_allow_unknown() -> None:
    maybe_deny = statement(
        Sid="maybe-deny", Effect="Deny", Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}
    )
    verdict = events_verdict(policy(statement(), maybe_deny))
    assert verdict.outcome == "unknown"
    assert verdict.statement_ids == ("maybe-deny",)
    assert "might deny" in verdict.reason


def test_deny_that_might_apply_without_any_allow_is_denied() -> None:
    maybe_deny = statement(Effect="Deny", Condition={"Bool": {"aws:SecureTransport": False}})
    assert events_verdict(policy(maybe_deny)).outcome == "denied"


def test_policy_variable_is_unknown() -> None:
    document = policy(
        statement(Condition={"StringEquals": {"aws:SourceAccount": "${aws:PrincipalAccount}"}})
    )
    assert events_verdict(document).outcome == "unknown"


@pytest.mark.parametrize(
    ("version", "outcome"), [("2012-10-17", "unknown"), ("2008-10-17", "denied")]
)
def test_policy_variables_exist_only_in_version_2012(version: str, outcome: str) -> None:
    raw = {"Version": version, "Statement": statement(Resource=f"{FN}-${{aws:username}}")}
    assert events_verdict(parse_policy(raw)).outcome == outcome


def test_unknown_reason_names_the_statement_and_the_cause() -> None:
    unclear = statement(Sid="a", Condition={"NumericLessThan": {"aws:x": "1"}})
    also = statement(Sid="b", Condition={"DateLessThan": {"aws:CurrentTime": "2030-01-01"}})
    verdict = events_verdict(policy(unclear, also))
    assert verdict.statement_ids == ("a", "b")
    assert verdict.reason == (
        f"only statements a, b could allow {EVENTS} from {RULE} (account {ACCOUNT}) "
        f"to invoke {FN}, and statement a uses condition operator NumericLessThan, "
        "which warmcheck does not evaluate"
    )


# --------------------------------------------------------------------------- parsing


def test_parse_accepts_statement_object_and_get_policy_wrapper() -> None:
    single = parse_policy({"Version": "2012-10-17", "Statement": statement()})
    wrapped = parse_policy({"Policy": REAL_EVENTBRIDGE_POLICY, "RevisionId": "abc"})
    assert len(single.statements) == 1
    assert wrapped.id == "default"
    assert wrapped.statements[0].sid == "warm-rule-invoke"


def test_parse_accepts_url_encoded_iam_documents() -> None:
    document = parse_policy(quote(REAL_EVENTBRIDGE_POLICY), name="inline:warm")
    assert document.name == "inline:warm"
    assert document.statements[0].effect == "Allow"


def test_parse_normalises_principals_and_condition_values() -> None:
    raw = statement(
        Principal={"AWS": ["*"], "Service": [EVENTS]},
        Condition={"Bool": {"aws:SecureTransport": True}, "NumericEquals": {"k": [1, 2.5]}},
    )
    parsed = policy(raw).statements[0]
    assert parsed.principal == Principal(everyone=True, aws=("*",), services=(EVENTS,))
    assert [c.values for c in parsed.conditions] == [("true",), ("1", "2.5")]


def test_statement_without_sid_is_labelled_by_index() -> None:
    document = policy(statement(), statement(Sid=None))
    assert [s.label for s in document.statements] == ["warm", "#1"]


MALFORMED: list[tuple[object, str]] = [
    ("not json", "not valid JSON"),
    ("", "not valid JSON"),
    ("[" * 100_000, "not valid JSON"),
    ("[]", "must be a JSON object"),
    (42, "must be JSON text or an object"),
    ({"Version": "2012-10-17"}, "no Statement"),
    ({"Statement": "allow everything"}, "Statement must be an object or a list"),
    ({"Statement": ["x"]}, "Statement[0] must be an object"),
    ({"Version": "2020-01-01", "Statement": []}, "Version must be"),
    ({"Version": 2012, "Statement": []}, "Version must be"),
    ({"Statement": [statement(Effect=None)]}, "Statement[0] has no Effect"),
    ({"Statement": [statement(Effect="allow")]}, "Effect must be"),
    ({"Statement": [statement(), statement(Effect=["Allow"])]}, "Statement[1].Effect must be"),
    ({"Statement": [statement(Action=None)]}, "neither Action nor NotAction"),
    ({"Statement": [statement(NotAction="lambda:Get*")]}, "both Action and NotAction"),
    ({"Statement": [statement(Action=5)]}, "Action must be"),
    ({"Statement": [statement(Action=[])]}, "Action is an empty list"),
    ({"Statement": [statement(Action=["lambda:*", None])]}, "Action must be"),
    ({"Statement": [statement(Resource={"arn": FN})]}, "Resource must be"),
    ({"Statement": [statement(NotResource=FN)]}, "both Resource and NotResource"),
    ({"Statement": [statement(Principal=EVENTS)]}, "Principal must be"),
    ({"Statement": [statement(Principal={"Services": EVENTS})]}, "unknown principal type"),
    ({"Statement": [statement(Principal={"Service": 7})]}, "Principal.Service must be"),
    ({"Statement": [statement(NotPrincipal="*")]}, "both Principal and NotPrincipal"),
    ({"Statement": [statement(Condition="ArnLike")]}, "Condition must be an object"),
    ({"Statement": [statement(Condition={"ArnLike": RULE})]}, "Condition.ArnLike must be"),
    ({"Statement": [statement(Condition={"ArnLike": {"aws:SourceArn": None}})]}, "must be a"),
    ({"Statement": [statement(Condition={"ArnLike": {"k": [{"x": 1}]}})]}, "must be a"),
    ({"Statement": [statement(Sid=3)]}, "Sid must be a string"),
    ({"Statement": [statement(Conditions={})]}, "unknown element 'Conditions'"),
    ({"Id": ["x"], "Statement": []}, "Id must be a string"),
]


@pytest.mark.parametrize(("document", "message"), MALFORMED)
def test_malformed_documents_raise_policy_document_error(document: object, message: str) -> None:
    with pytest.raises(PolicyDocumentError) as caught:
        parse_policy(document)  # type: ignore[arg-type]
    text = str(caught.value)
    assert message in text
    assert "\n" not in text
    assert isinstance(caught.value, ValueError)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "Statement",
                    "Effect",
                    "Action",
                    "Resource",
                    "Principal",
                    "Condition",
                    "Sid",
                    "NotAction",
                    "Service",
                    "AWS",
                    "StringEquals",
                    "x",
                ]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(body=_JSON, effect=st.sampled_from(["Allow", "Deny", "allow", None]))
def test_parse_raises_only_policy_document_error(body: object, effect: str | None) -> None:
    for document in (
        body,
        {"Statement": body},
        {"Statement": [{"Effect": effect, "Action": body}]},
    ):
        problem = ""
        try:
            parsed = parse_policy(json.dumps(document))
        except PolicyDocumentError as error:
            problem = str(error)
        else:
            overbroad_statements(parsed)
            events_verdict(parsed)
            identity_policies_allow([parsed], action=INVOKE, resource=FN)
        assert "\n" not in problem


# --------------------------------------------------------------------------- WARM009


@pytest.mark.parametrize(
    ("raw", "flagged"),
    [
        (statement(Condition=None), True),
        (statement(Condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}), True),
        (statement(Condition={"ArnLike": {"aws:SourceArn": "*"}}), True),
        (statement(Condition={"StringLike": {"aws:SourceAccount": "*"}}), True),
        (statement(Condition={"ArnLike": {"aws:SourceArn": [RULE, "*"]}}), True),
        (statement(Condition={"ArnLike": {"aws:SourceArn": "arn:aws:events:*:*:rule/warm"}}), True),
        (statement(Condition={"ArnLikeIfExists": {"aws:SourceArn": RULE}}), True),
        (statement(Condition={"ArnNotLike": {"aws:SourceArn": RULE}}), True),
        (statement(Condition={"Null": {"aws:SourceArn": "false"}}), True),
        (statement(), False),
        (statement(Condition={"StringEquals": {"AWS:SourceAccount": ACCOUNT}}), False),
        (statement(Condition={"StringEquals": {"aws:SourceOwner": ACCOUNT}}), False),
        (
            statement(Condition={"ArnEquals": {"aws:SourceArn": f"arn:aws:events:*:{ACCOUNT}:*"}}),
            False,
        ),
        (statement(Condition={"StringEquals": {"aws:SourceArn": RULE}}), False),
        (CONNECT_STATEMENT, False),
        (statement(Principal={"Service": CONNECT}, Condition=None), True),
        (statement(Principal="*", Condition=None), True),
        (statement(Principal={"AWS": "*"}, Condition=None), True),
        (statement(Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, Condition=None), False),
        (statement(Principal={"Service": "s3.amazonaws.com"}, Condition=None), False),
        (statement(Action="lambda:*", Condition=None), True),
        (statement(Action="lambda:GetFunction", Condition=None), False),
        (statement(Action=None, NotAction="lambda:Invoke*", Condition=None), False),
        (statement(Effect="Deny", Condition=None), False),
    ],
)
def test_overbroad_statements(raw: dict[str, Any], flagged: bool) -> None:
    assert overbroad_statements(policy(raw)) == ((raw.get("Sid", "#0"),) if flagged else ())


def test_overbroad_reports_every_offender_in_order_with_index_labels() -> None:
    document = policy(
        statement(Sid=None, Condition=None),
        statement(),
        statement(Sid="open-connect", Principal={"Service": CONNECT}, Condition=None),
    )
    assert overbroad_statements(document) == ("#0", "open-connect")


def test_overbroad_respects_custom_action_and_services() -> None:
    document = policy(statement(Principal={"Service": "s3.amazonaws.com"}, Condition=None))
    assert overbroad_statements(document, services=("s3.amazonaws.com",)) == ("warm",)
    assert overbroad_statements(document, action="lambda:GetFunction") == ()


# --------------------------------------------------------------------------- identity policies


def role_policy(*statements: dict[str, Any], name: str | None = None) -> PolicyDocument:
    return parse_policy({"Version": "2012-10-17", "Statement": list(statements)}, name=name)


def allow(resource: object = FN_PROD, **extra: Any) -> dict[str, Any]:
    return {"Sid": "invoke", "Effect": "Allow", "Action": INVOKE, "Resource": resource, **extra}


def role_verdict(*policies: PolicyDocument, resource: str = FN_PROD) -> Verdict:
    return identity_policies_allow(policies, action=INVOKE, resource=resource)


def test_identity_inline_allow() -> None:
    verdict = role_verdict(role_policy(allow(), name="warm-inline"))
    assert verdict.outcome == "allowed"
    assert verdict.statement_ids == ("warm-inline/invoke",)
    assert verdict.reason == f"statement warm-inline/invoke allows the role to invoke {FN_PROD}"


@pytest.mark.parametrize(
    ("resource", "outcome"),
    [
        ("arn:aws:lambda:*:*:function:*", "allowed"),
        (f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:ivr-*", "allowed"),
        ("*", "allowed"),
        (f"{FN}*", "allowed"),
        (f"{FN}:*", "allowed"),
        (FN, "denied"),  # IAM resources are literal: fn does not cover fn:prod
        (f"{FN}:staging", "denied"),
    ],
)
def test_identity_managed_wildcards(resource: str, outcome: str) -> None:
    managed = role_policy(
        {"Effect": "Allow", "Action": ["lambda:Invoke*", "lambda:Get*"], "Resource": resource},
        name="arn:aws:iam::aws:policy/service-role/AWSLambdaRole",
    )
    assert role_verdict(managed).outcome == outcome


def test_identity_unqualified_invoke_needs_the_unqualified_arn() -> None:
    assert role_verdict(role_policy(allow(FN)), resource=FN).allowed
    assert role_verdict(role_policy(allow(f"{FN}:*")), resource=FN).outcome == "denied"


def test_identity_not_resource() -> None:
    document = role_policy({"Effect": "Allow", "Action": "lambda:*", "NotResource": f"{FN}:*"})
    assert role_verdict(document, resource=FN).allowed
    assert role_verdict(document, resource=FN_PROD).outcome == "denied"


def test_identity_deny_overrides_allow_across_documents() -> None:
    managed = role_policy({"Effect": "Allow", "Action": "*", "Resource": "*"}, name="admin")
    inline = role_policy(
        {"Sid": "no-ivr", "Effect": "Deny", "Action": "lambda:Invoke*", "Resource": f"{FN}*"},
        name="guard",
    )
    verdict = role_verdict(managed, inline)
    assert verdict.outcome == "denied"
    assert verdict.statement_ids == ("guard/no-ivr",)


def test_identity_conditional_allow_is_unknown() -> None:
    conditional = allow(Condition={"StringEquals": {"aws:ResourceTag/team": "ivr"}})
    verdict = role_verdict(role_policy(conditional))
    assert verdict.outcome == "unknown"
    assert verdict.statement_ids == ("invoke",)
    assert "aws:ResourceTag/team" in verdict.reason


def test_identity_unconditional_allow_decides_over_a_conditional_one() -> None:
    conditional = allow(Sid="tagged", Condition={"StringEquals": {"aws:ResourceTag/team": "ivr"}})
    verdict = role_verdict(role_policy(conditional, allow(Sid="plain")))
    assert verdict.outcome == "allowed"
    assert verdict.statement_ids == ("plain",)


def test_identity_conditional_deny_makes_it_unknown() -> None:
    maybe_deny = {
        "Sid": "region-guard",
        "Effect": "Deny",
        "Action": "*",
        "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}},
    }
    verdict = role_verdict(role_policy(allow(), maybe_deny))
    assert verdict.outcome == "unknown"
    assert verdict.statement_ids == ("region-guard",)


def test_identity_condition_on_an_unmatched_resource_is_irrelevant() -> None:
    other = allow(Resource="arn:aws:lambda:*:*:function:other", Condition={"Bool": {"k": True}})
    assert role_verdict(role_policy(other)).outcome == "denied"


def test_identity_no_policies_is_denied() -> None:
    verdict = role_verdict()
    assert verdict.outcome == "denied"
    assert "no identity policies" in verdict.reason


def test_identity_allow_for_another_action_is_denied() -> None:
    document = role_policy({"Effect": "Allow", "Action": "lambda:Get*", "Resource": "*"})
    verdict = role_verdict(document)
    assert verdict == Verdict("denied", f"no statement allows the role to invoke {FN_PROD}", ())


# --------------------------------------------------------------------------- speed without change


def test_the_same_text_is_parsed_once_and_shared() -> None:
    first = parse_policy(REAL_EVENTBRIDGE_POLICY)
    assert parse_policy(REAL_EVENTBRIDGE_POLICY) is first
    # A name qualifies statement ids, so it is part of what is remembered.
    named = parse_policy(REAL_EVENTBRIDGE_POLICY, name="inline")
    assert named is not first
    assert named.name == "inline"
    assert first.name is None
    clear_caches()
    again = parse_policy(REAL_EVENTBRIDGE_POLICY)
    assert again is not first
    assert again == first


def test_an_unreadable_text_fails_every_time_it_is_parsed() -> None:
    bad = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Maybe"}]})
    for _ in range(2):
        with pytest.raises(PolicyDocumentError, match="Effect must be"):
            parse_policy(bad)


@pytest.mark.parametrize(
    ("pattern", "action", "expected"),
    [
        ("lambda:InvokeFunction", "LAMBDA:INVOKEFUNCTION", True),
        ("lambda:InvokeFunction", "lambda:InvokeFunctionUrl", False),
        # Non-ASCII: decided by the case-insensitive pattern, as before (Kelvin sign is a K).
        ("\u212a", "k", True),
        ("k", "\u212a", True),
        ("lambda:Invoke\u00dfunction", "lambda:invoke\u00dfunction", True),
    ],
)
def test_literal_actions_compare_as_the_case_insensitive_pattern_does(
    pattern: str, action: str, expected: bool
) -> None:
    document = policy(statement(Action=pattern))
    verdict = events_verdict(document, action=action)
    assert verdict.allowed is expected
    assert bool(re.fullmatch(re.escape(pattern), action, re.IGNORECASE)) is expected


@pytest.mark.parametrize("kind", ["AWS", "Service", "Federated", "CanonicalUser"])
@pytest.mark.parametrize("name", ["*", "events.amazonaws.com", f"arn:aws:iam::{ACCOUNT}:root"])
def test_a_single_principal_or_condition_parses_as_its_list_form(kind: str, name: str) -> None:
    # {kind: name} and {"Op": {key: value}} take a shared shortcut; [name] takes the general path.
    short = policy(
        statement(Principal={kind: name}, Condition={"ArnLike": {"aws:SourceArn": name}})
    )
    long = policy(
        statement(Principal={kind: [name]}, Condition={"ArnLike": {"aws:SourceArn": [name]}})
    )
    assert short == long
    assert short.statements[0].principal is not None
    assert short.statements[0].principal.everyone is (kind == "AWS" and name == "*")


# ---------------------------------------------------------------- the plain-statement path

_PLAIN_STRINGS = st.sampled_from(["", "*", "x", INVOKE, "lambda:*", FN, "AWS:SourceArn", RULE])
_PLAIN_VALUES = st.one_of(
    _PLAIN_STRINGS,
    st.none(),
    st.integers(0, 2),
    st.lists(_PLAIN_STRINGS, max_size=2),
    st.dictionaries(
        st.sampled_from(["Service", "AWS", "Federated", "CanonicalUser", "Other", "ArnLike"]),
        st.one_of(
            _PLAIN_STRINGS,
            st.lists(_PLAIN_STRINGS, max_size=2),
            st.dictionaries(_PLAIN_STRINGS, _PLAIN_STRINGS | st.integers(0, 1), max_size=2),
        ),
        max_size=2,
    ),
)
_PLAIN_STATEMENTS = st.dictionaries(
    st.sampled_from(["Sid", "Effect", "Principal", "Action", "Resource", "Condition", "NotAction"]),
    st.one_of(_PLAIN_VALUES, st.sampled_from(["Allow", "Deny"])),
)


@settings(max_examples=400, deadline=None)
@given(raw=_PLAIN_STATEMENTS)
def test_the_plain_statement_path_reads_what_the_general_parse_reads(raw: dict[str, Any]) -> None:
    """The one-pass reading of a plain statement is a shortcut, never a second meaning: where it
    reads a statement, the general parse reads the same; where the general parse refuses one,
    the shortcut hands it over (returns None) so the refusal names what is wrong."""
    from checker.domain.permissions import _parse_statement, _plain_statement

    quick = _plain_statement(3, raw)
    try:
        general = _parse_statement(3, raw)
    except PolicyDocumentError:
        assert quick is None
        return
    assert quick is None or quick == general


def test_a_statement_from_add_permission_takes_the_plain_path() -> None:
    from checker.domain.permissions import _plain_statement

    assert _plain_statement(0, statement()) is not None  # else the shortcut is never taken
