"""The rule registry: every rule class, in ID order (the catalogue holds their metadata)."""

from __future__ import annotations

from checker.rules.base import Rule
from checker.rules.warm001_missing_warmer import MissingWarmer
from checker.rules.warm002_warmer_disabled import WarmerDisabled
from checker.rules.warm003_warm_gap_too_long import WarmGapTooLong
from checker.rules.warm004_warmer_cannot_invoke import WarmerCannotInvoke
from checker.rules.warm005_wrong_qualifier import WrongQualifier
from checker.rules.warm006_orphan_warmer import OrphanWarmer
from checker.rules.warm007_dangling_warmer import DanglingWarmer
from checker.rules.warm008_unsafe_warm_payload import UnsafeWarmPayload
from checker.rules.warm009_overbroad_invoke_permission import OverbroadInvokePermission
from checker.rules.warm010_function_timeout_too_long import FunctionTimeoutTooLong
from checker.rules.warm011_unresolvable_lambda_reference import UnresolvableLambdaReference
from checker.rules.warm012_lambda_not_associated import LambdaNotAssociated
from checker.rules.warm013_connect_cannot_invoke import ConnectCannotInvoke
from checker.rules.warm014_broken_flow_reference import BrokenFlowReference
from checker.rules.warm015_warmer_failing import WarmerFailing
from checker.rules.warm016_cold_starts_observed import ColdStartsObserved
from checker.rules.warm017_timeout_budget_exceeded import TimeoutBudgetExceeded
from checker.rules.warm018_warm_capacity_short import WarmCapacityShort
from checker.rules.warm019_function_cannot_run import FunctionCannotRun
from checker.rules.warm901_evidence_incomplete import EvidenceIncomplete
from checker.rules.warm902_waiver_expired import WaiverExpired
from checker.rules.warm903_waiver_unused import WaiverUnused

ALL_RULES: tuple[type[Rule], ...] = (
    MissingWarmer,
    WarmerDisabled,
    WarmGapTooLong,
    WarmerCannotInvoke,
    WrongQualifier,
    OrphanWarmer,
    DanglingWarmer,
    UnsafeWarmPayload,
    OverbroadInvokePermission,
    FunctionTimeoutTooLong,
    UnresolvableLambdaReference,
    LambdaNotAssociated,
    ConnectCannotInvoke,
    BrokenFlowReference,
    WarmerFailing,
    ColdStartsObserved,
    TimeoutBudgetExceeded,
    WarmCapacityShort,
    FunctionCannotRun,
    EvidenceIncomplete,
    WaiverExpired,
    WaiverUnused,
)


__all__ = ["ALL_RULES"]
