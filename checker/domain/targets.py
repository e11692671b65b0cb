"""What a schedule's target invokes: the one reading of EventBridge Scheduler's Lambda targets.

A schedule invokes a function either through a templated target (the function's ARN) or through
the universal ``arn:aws:scheduler:::aws-sdk:lambda:invoke`` target, whose JSON input names the
function (``FunctionName``, optional ``Qualifier``) and carries the ``Payload`` it sends.
The collector (what to read) and the analysis (what warms what) both read targets here.
"""

from __future__ import annotations

import json
from typing import Final

from checker.domain.arns import FunctionKey, parse_function_arn, resolve_function_reference
from checker.load import untrusted_json

UNIVERSAL_LAMBDA_INVOKE: Final = "arn:aws:scheduler:::aws-sdk:lambda:invoke"


def invokes_lambda(target_arn: str) -> bool:
    """Whether a schedule with this target ARN can invoke a Lambda function."""
    return target_arn == UNIVERSAL_LAMBDA_INVOKE or parse_function_arn(target_arn) is not None


def universal_invocation(
    params: object, *, region: str, account: str
) -> tuple[FunctionKey | None, object]:
    """From the universal target's input, already parsed: the function it names (None: none
    warmcheck can name) and its ``Payload`` value (None: no payload)."""
    if not isinstance(params, dict) or not isinstance(params.get("FunctionName"), str):
        return None, None
    key = resolve_function_reference(params["FunctionName"], region=region, account=account)
    if key is not None and isinstance(params.get("Qualifier"), str):
        key = key.at(params["Qualifier"])
    return key, params.get("Payload")


def schedule_invocation(
    target_arn: str, input_text: str | None, *, region: str, account: str
) -> tuple[FunctionKey | None, str | None]:
    """The function (and qualifier) a schedule target invokes, and the payload text it sends.

    (None, None): the target invokes no function warmcheck can name (another service, or an
    input it cannot read).
    """
    key = parse_function_arn(target_arn)
    if key is not None:
        return key, input_text
    if target_arn != UNIVERSAL_LAMBDA_INVOKE or input_text is None:
        return None, None
    try:
        params = untrusted_json.loads(input_text)
    except ValueError:
        return None, None
    key, payload = universal_invocation(params, region=region, account=account)
    if payload is None:
        return key, None
    return key, payload if isinstance(payload, str) else json.dumps(payload)
