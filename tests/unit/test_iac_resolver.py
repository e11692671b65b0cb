"""The CloudFormation resolver: every intrinsic gives an exact, symbolic or unknown value."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from checker.errors import TemplateError
from checker.iac.cloudformation import decode_template
from checker.iac.model import Unknowns, is_unknown
from checker.iac.resolver import Resolver

TEMPLATE = """\
Parameters:
  Stage:
    Type: String
    Default: prod
  Open:
    Type: String
  Names:
    Type: CommaDelimitedList
    Default: "a,b,c"
Mappings:
  Sizes:
    prod: {Timeout: "5"}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  IsOpen: !Equals [!Ref Open, "yes"]
  ProdOrOpen: !Or [!Condition IsProd, !Condition IsOpen]
  ProdAndOpen: !And [!Condition IsProd, !Condition IsOpen]
  NotProd: !Not [!Condition IsProd]
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties: {}
Outputs:
  Sub: {Value: !Sub "fn-${Stage}-${Fn.Arn}-${!Literal}-$.Attributes.x"}
  SubList: {Value: !Sub ["${A}/${B}", {A: !Ref Stage, B: !GetAtt [Fn, Arn]}]}
  Join: {Value: !Join ["-", !Split [",", "x,y,z"]]}
  Select: {Value: !Select [1, !Ref Names]}
  Map: {Value: !FindInMap [Sizes, !Ref Stage, Timeout]}
  IfKnown: {Value: !If [IsProd, yes-prod, no-prod]}
  IfUnknown: {Value: !If [IsOpen, open, closed]}
  Import: {Value: !ImportValue shared-billing-arn}
  Dynamic: {Value: "{{resolve:ssm:/billing/arn}}"}
  OpenParam: {Value: !Ref Open}
  NoValue: {Value: [one, !Ref AWS::NoValue, two]}
  Region: {Value: !Sub "${AWS::Region}:${AWS::AccountId}"}
"""


def resolver(tmp_path: Path, parameters: dict[str, Any] | None = None) -> tuple[Resolver, Any]:
    path = tmp_path / "template.yaml"
    path.write_text(TEMPLATE)
    template = decode_template(path)
    values: dict[str, Any] = {"Stage": "prod", "Names": ["a", "b", "c"]}
    values |= {"AWS::Region": "zz-iac-0", "AWS::AccountId": "000000000000"}
    values |= parameters or {}

    def identity(logical: str, attribute: str | None) -> Any:
        if logical != "Fn":
            return None
        return "arn:fn" if attribute == "Arn" else "fn-name"

    return (
        Resolver(str(path), template, values, Unknowns(), identity),
        template["Outputs"],
    )


def value(tmp_path: Path, name: str, **parameters: Any) -> Any:
    resolve, outputs = resolver(tmp_path, parameters)
    return resolve.value(outputs[name]["Value"])


def test_sub_substitutes_refs_and_getatts_and_keeps_escapes_and_flow_paths(tmp_path: Path) -> None:
    assert value(tmp_path, "Sub") == "fn-prod-arn:fn-${Literal}-$.Attributes.x"
    assert value(tmp_path, "SubList") == "prod/arn:fn"
    assert value(tmp_path, "Region") == "zz-iac-0:000000000000"


def test_join_split_select_and_find_in_map(tmp_path: Path) -> None:
    assert value(tmp_path, "Join") == "x-y-z"
    assert value(tmp_path, "Select") == "b"
    assert value(tmp_path, "Map") == "5"
    assert value(tmp_path, "NoValue") == ["one", "two"]


def test_conditions_are_evaluated_when_known_else_unknown(tmp_path: Path) -> None:
    resolve, _ = resolver(tmp_path)
    assert resolve.condition("IsProd") is True
    assert resolve.condition("NotProd") is False
    assert resolve.condition("IsOpen") is None
    assert resolve.condition("ProdOrOpen") is True  # one true branch decides an Or
    assert resolve.condition("ProdAndOpen") is None
    assert value(tmp_path, "IfKnown") == "yes-prod"
    assert is_unknown(value(tmp_path, "IfUnknown"))
    assert value(tmp_path, "IfUnknown", Open="yes") == "open"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("Import", "Fn::ImportValue"),
        ("Dynamic", "{{resolve:ssm:/billing/arn}}"),
        ("OpenParam", "parameter Open has no value"),
        ("IfUnknown", "depends on condition IsOpen"),
    ],
)
def test_what_only_deploy_time_knows_is_unknown_with_its_reason(
    tmp_path: Path, name: str, reason: str
) -> None:
    resolve, outputs = resolver(tmp_path)
    result = resolve.value(outputs[name]["Value"])
    assert is_unknown(result)
    assert any(reason in why for why in resolve.unknowns.reasons_in(result))


def test_a_ref_to_nothing_is_bad_input_at_its_line(tmp_path: Path) -> None:
    resolve, _ = resolver(tmp_path)
    with pytest.raises(TemplateError) as raised:
        resolve.value({"Ref": "Nowhere"}, 7)
    assert raised.value.line == 7
    assert "neither a parameter nor a resource" in raised.value.message


def test_an_unknown_intrinsic_is_bad_input(tmp_path: Path) -> None:
    resolve, _ = resolver(tmp_path)
    with pytest.raises(TemplateError, match="unknown intrinsic function Fn::Frobnicate"):
        resolve.value({"Fn::Frobnicate": ["a"]}, 3)
