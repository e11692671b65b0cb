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


def test_keys_order_by_partition_region_account_name_then_qualifier() -> None:
    keys = [
        FunctionKey(partition, region, account, name, qualifier)
        for partition in ("aws", "aws-cn")
        for region in ("us-east-1", "eu-west-1")
        for account in ("111111111111", "222222222222")
        for name in ("fn", "fn2", "a")
        for qualifier in (LATEST, "1", "prod")
    ]

    def fields(key: FunctionKey) -> tuple[str, ...]:
        return (key.partition, key.region, key.account, key.name, key.qualifier)

    shuffled = keys[1::2] + keys[::2]
    assert sorted(shuffled) == sorted(keys, key=fields)
    for left in keys[::7]:
        for right in keys[::5]:
            assert (left < right) == (fields(left) < fields(right))
            assert (left <= right) == (fields(left) <= fields(right))
            assert (left > right) == (fields(left) > fields(right))
            assert (left >= right) == (fields(left) >= fields(right))
