"""Function keys: equal keys hash alike whichever way they were made (dict and set lookups)."""

from __future__ import annotations

from checker.domain.arns import LATEST, FunctionKey, parse_function_arn, resolve_function_reference

ARN = "arn:aws:lambda:us-east-1:123456789012:function:fn"


def test_equal_keys_hash_alike_however_made() -> None:
    parsed = parse_function_arn(ARN)
    resolved = resolve_function_reference("fn", region="us-east-1", account="123456789012")
    built = FunctionKey("aws", "us-east-1", "123456789012", "fn")
    latest = parse_function_arn(f"{ARN}:{LATEST}")
    assert parsed is not None
    assert resolved is not None
    assert latest is not None
    assert parsed == resolved == built == latest
    assert len({parsed, resolved, built, latest}) == 1
    assert {parsed: "found"}[built.at(None)] == "found"


def test_keys_on_other_qualifiers_or_functions_stay_apart() -> None:
    base = FunctionKey("aws", "us-east-1", "123456789012", "fn")
    others = [
        base.at("prod"),
        base.at("1"),
        FunctionKey("aws", "us-east-1", "123456789012", "fn2"),
        FunctionKey("aws", "us-west-2", "123456789012", "fn"),
        FunctionKey("aws-cn", "us-east-1", "123456789012", "fn"),
    ]
    assert len({base, *others}) == 6
    assert all(other != base and other not in {base} for other in others)
    assert sorted([base.at("prod"), base])[0] == base  # ordering still by the fields
