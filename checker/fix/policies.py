"""The IAM documents the plan's Scheduler roles use, shared by every renderer."""

from __future__ import annotations

from typing import Any

from checker.domain.permissions import INVOKE_ACTION
from checker.fix.model import SchedulerRoleStep


def scheduler_trust_policy(step: SchedulerRoleStep) -> dict[str, Any]:
    """Trusted by EventBridge Scheduler, for the plan's own schedules in this account only."""
    account = step.role_arn.split(":")[4]
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "scheduler.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account},
                    "ArnLike": {"aws:SourceArn": sorted(step.schedule_arns)},
                },
            }
        ],
    }


def invoke_policy(function_arn: str) -> dict[str, Any]:
    """May invoke exactly one qualified function, nothing else."""
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": INVOKE_ACTION, "Resource": function_arn}],
    }
