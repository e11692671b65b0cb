"""Stage 4, the one decision: for each required function, warm, cold (with its one cause) or
unknown (DESIGN.md "One cause per cold function").

The precedence lives here and nowhere else. The per-warmer findings the decision allows are part
of it: `Assessment.others` (WARM005) and `Assessment.denied` (WARM004) are filled here, so those
rules report what the decision holds instead of deciding again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from checker.analysis.facts import Facts
from checker.analysis.records import (
    AWS_DATA_ERRORS,
    Assessment,
    Cause,
    Problem,
    RequiredFunction,
    Status,
    WarmSource,
    data_error,
)
from checker.analysis.sources import Permissions
from checker.analysis.windows import Windows
from checker.domain.arns import FunctionKey
from checker.domain.permissions import Verdict
from checker.domain.schedule import Gap
from checker.model.policy import WarmSourceKind
from checker.model.snapshot import Snapshot


class UnreadSources:
    """Where a warm source may exist unseen: (account, region) pairs (None: any) with why."""

    def __init__(self, snapshot: Snapshot) -> None:
        unread: dict[tuple[str | None, str | None], str] = {}
        for error in snapshot.errors:
            if error.service in ("events", "scheduler"):
                where = (error.account, error.region)
                unread.setdefault(where, f"{error.service}:{error.operation} failed ({error.code})")
        for rule in snapshot.rules:
            if rule.schedule_expression is not None and rule.targets is None:
                unread.setdefault(
                    (rule.account, rule.region), f"the targets of {rule.arn} were not read"
                )
        self._unread = sorted(unread.items(), key=lambda item: (item[0][0] or "", item[0][1] or ""))

    def reason(self, key: FunctionKey) -> str | None:
        """Why a warm source of `key` may exist unseen (None: every source in reach was read)."""
        for (account, region), reason in self._unread:
            if account in (None, key.account) and region in (None, key.region):
                return reason
        return None


class Decider:
    """Decides every required function once, recording what it cannot tell as a Problem."""

    def __init__(
        self,
        snapshot: Snapshot,
        facts: Facts,
        warmers_by_function: Mapping[str, Sequence[WarmSource]],
        permissions: Permissions,
        windows: Windows,
        problems: list[Problem],
    ) -> None:
        self._snapshot = snapshot
        self._facts = facts
        self._warmers = warmers_by_function
        self._permissions = permissions
        self._windows = windows
        self._problems = problems
        self._unread = UnreadSources(snapshot)

    def assess(self, required: RequiredFunction) -> Assessment:
        try:
            assessment = self._decide(required)
        except AWS_DATA_ERRORS as error:
            assessment = Assessment(required, "unknown", note=data_error(error))
        if assessment.status == "cold" and assessment.cause != "missing-function":
            unread = self._unread.reason(required.key)
            if unread is not None:  # what was read leaves it cold; what was not might warm it
                assessment = replace(
                    assessment,
                    status="unknown",
                    cause=None,
                    note=f"not every warm source was read: {unread}",
                )
        if not self._facts.required_complete and assessment.cause != "wrong-qualifier":
            # Another qualifier may be what an unread flow calls.
            assessment = replace(assessment, others=())
        if assessment.status == "unknown":
            reason = assessment.note or "some of its evidence could not be read or interpreted"
            self._problems.append(
                Problem(required.key.arn, f"cannot tell whether it is warm: {reason}")
            )
        return assessment

    def _outside_note(self, account: str) -> str:
        """Why a function in `account` was not read: its organization outcome, if it has one."""
        scan = self._snapshot.organization
        outcome = next((o for o in scan.outcomes if o.account == account), None) if scan else None
        if outcome is not None:
            why = f": {outcome.reason}" if outcome.reason else ""
            return f"it lives in account {account}, which was {outcome.outcome}{why}"
        if scan is not None and account not in scan.listed:
            return f"it lives in account {account}, which the organization does not list"
        scanned = ", ".join(sorted(self._facts.scanned_accounts)) or "none"
        return f"it lives in account {account}, outside the accounts read ({scanned})"

    def _decide(self, required: RequiredFunction) -> Assessment:
        """The precedence, in order: not read (another account), missing, cannot run, warm by
        provisioned concurrency, missing warmer or wrong qualifier, disabled, cannot invoke,
        gap. A missing or unrunnable function gets no per-warmer findings: its cause says all."""
        facts = self._facts
        key = required.key
        accept: tuple[WarmSourceKind, ...] = required.settings.accept
        if not facts.in_scope(key):
            return Assessment(required, "unknown", note=self._outside_note(key.account))
        exists = facts.exists(key)
        if exists is False:
            return Assessment(required, "cold", "missing-function")
        if exists is None:
            return Assessment(
                required, "unknown", note="the function or its qualifier was not read"
            )
        if facts.cannot_run(key) is not None:
            # No warmer makes a function warm that cannot run: this is its one cause.
            return Assessment(required, "cold", "cannot-run")
        on_function = self._warmers.get(key.function_arn, ())
        exact = tuple(s for s in on_function if s.target == key and s.kind in accept)
        # Warmers on another qualifier that no flow calls: wasted, the WARM005 kind.
        others = tuple(
            s
            for s in on_function
            if s.target != key and s.target not in facts.required and s.kind in accept
        )
        active = [s for s in exact if s.enabled]
        permitted: list[WarmSource] = []
        denied: list[tuple[WarmSource, Verdict]] = []
        uncertain = False
        for source in active:
            verdict = self._permissions.may_invoke(source, key)
            if verdict.outcome == "allowed":
                permitted.append(source)
            elif verdict.outcome == "denied":
                denied.append((source, verdict))
            else:
                uncertain = True
                self._problems.append(
                    Problem(
                        source.arn,
                        f"cannot tell whether it may invoke {key.arn}: {verdict.reason}",
                    )
                )
        denied_found = tuple(denied)

        def found(
            status: Status = "unknown",
            cause: Cause | None = None,
            gap: Gap | None = None,
            note: str = "",
        ) -> Assessment:
            # Built directly: dataclasses.replace costs more than the decision, once per function.
            return Assessment(required, status, cause, exact, others, denied_found, gap, note)

        provisioned = facts.provisioned(key) if "provisioned_concurrency" in accept else False
        if provisioned:
            return found(status="warm", note="provisioned concurrency is READY")
        if provisioned is None:
            return found(note="its provisioned concurrency was not read")
        if not exact:
            cause: Cause = "wrong-qualifier" if others else "missing-warmer"
            return found(status="cold", cause=cause)
        if not active:
            return found(status="cold", cause="disabled")
        window = self._windows.intervals(required)
        if isinstance(window, str):
            return found(note=f"its warm window is unknown: {window}")
        usable = [s for s in permitted if s.firing is not None]
        uncertain = uncertain or len(usable) < len(permitted)
        gap = None
        if usable:
            gap = self._windows.gap(usable, window)
            if gap.seconds <= required.settings.max_interval:
                return found(status="warm", gap=gap)
        if uncertain:
            return found(gap=gap, note="a warmer's permission or schedule could not be evaluated")
        return found(status="cold", cause="gap" if usable else "cannot-invoke", gap=gap)
