"""The local AWS sandbox: moto behind a front server that adds Connect, per-qualifier Lambda
policies, provisioned concurrency, fault injection and call counting.

    with Sandbox.start() as sandbox, sandbox_environment(sandbox.env()):
        ...  # plain boto3 clients now reach 127.0.0.1 only
"""

from checker.sandbox.faults import FaultPlan, RateLimit
from checker.sandbox.sandbox import ENV_TO_REMOVE, Sandbox, SandboxError, sandbox_environment

__all__ = [
    "ENV_TO_REMOVE",
    "FaultPlan",
    "RateLimit",
    "Sandbox",
    "SandboxError",
    "sandbox_environment",
]
