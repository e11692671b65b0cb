"""STS: which account the credentials act in (`GetCallerIdentity`, one call per collection).

It is also the first call that needs credentials, so a missing profile, missing or expired
credentials or an unreachable endpoint show up here, as one `CollectionFailure`.
"""

from __future__ import annotations

from checker.collect.base import ClientFactory, Recorder, Where


def caller_account(clients: ClientFactory, recorder: Recorder, region: str) -> str | None:
    """The 12-digit account ID, or None after recording why it could not be read."""
    client = clients.sts(region)
    where = Where("sts", "GetCallerIdentity", region=region)
    identity = recorder.attempt(client.get_caller_identity, where)
    if identity is None:
        return None
    return identity["Account"]
