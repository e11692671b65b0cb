"""`warmcheck init`: a commented starter policy written from what a snapshot shows.

`starter_policy(snapshot, now=...)` returns the text of a version 1 policy that scopes the Connect
instances and regions found, keeps the default warm requirements, and tunes two knobs to the
account as it is: `warm.max_interval` (never silently looser than the existing warmers achieve)
and `warm.payload` (the existing warmers' constant input when it is small and does not look like
it holds a credential). A comment block lists what the policy covers — the instances, the Lambdas
the flows call and the warmers found — so a newcomer can see it at a glance. Suggested overrides
(functions kept warm by provisioned concurrency, or warmed more often than the policy asks) are
written as comments, to uncomment deliberately.

What is required and what is a warmer come from `checker.analysis.core.Analysis`, run with a probe
policy equal to the starter's scope and defaults, so the listing cannot disagree with what
`warmcheck check` will evaluate. Pure: no I/O, no clock but the `now` given (used only to judge
schedules' start and end dates and gaps; it never appears in the text). The same snapshot and
`now` give the same bytes, whatever the order of the snapshot's lists.

Like the reports, the text never echoes a target's input unless it is adopted as the payload.
Every value taken from the snapshot is written JSON-quoted (a valid YAML double-quoted scalar)
and every comment is reduced to printable ASCII, so no name can break or inject YAML.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from pydantic import ValidationError

from checker.analysis.core import Analysis
from checker.analysis.records import WarmSource
from checker.domain.arns import FunctionKey, parse_function_arn
from checker.load import untrusted_json
from checker.model.policy import Policy, Scope, format_duration
from checker.model.snapshot import ConnectInstance, ProvisionedConcurrency, Snapshot

__all__ = [
    "DEFAULT_MAX_INTERVAL",
    "DEFAULT_PAYLOAD",
    "MAX_PAYLOAD_CHARS",
    "looks_secret",
    "starter_policy",
]

DEFAULT_MAX_INTERVAL: Final = 300
DEFAULT_PAYLOAD: Final = '{"warmer": true}'
MAX_PAYLOAD_CHARS: Final = 200
_COMMENT_COLUMN: Final = 32

# Substrings of a JSON key (lower-cased, punctuation dropped) or a string value that suggest a
# credential. Deliberately broad: a false positive only means the default payload is kept.
_CREDENTIAL_WORDS: Final = (
    "password",
    "passwd",
    "passphrase",
    "pwd",
    "secret",
    "token",
    "key",
    "auth",
    "credential",
    "private",
    "signature",
    "session",
    "cookie",
    "bearer",
    "jwt",
)
# A long run of letters and digits with no separators: an access key, a hex or base64 secret.
_TOKEN_LIKE: Final = re.compile(r"[A-Za-z0-9+/=]{20,}")
_GLOB_CHARACTERS: Final = frozenset("*?[]")


def starter_policy(snapshot: Snapshot, *, now: datetime) -> str:
    """The text of a commented, valid version 1 policy for the account the snapshot shows."""
    instance_regions = sorted({i.region for i in snapshot.instances if _valid_region(i.region)})
    probe = Policy(version=1, scope=Scope(regions=instance_regions or None, instances=["*"]))
    analysis = Analysis(probe, snapshot, now)
    facts = _Facts.gather(analysis, instance_regions)
    writer = _Writer()
    _write_header(writer, facts)
    _write_policy(writer, facts)
    return writer.text()


# --- what the snapshot shows ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Payload:
    text: str  # the YAML (JSON) text written after `payload:`
    adopted: bool
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Interval:
    seconds: int
    notes: tuple[str, ...]


@dataclass(slots=True)
class _Suggestion:
    """A commented-out override for one required function."""

    key: FunctionKey
    max_interval: int | None = None
    provisioned: str | None = None  # how its provisioned concurrency stands


@dataclass(slots=True)
class _Facts:
    analysis: Analysis
    regions: list[str]  # scope.regions to write; empty: leave the default
    regions_found_by_instances: bool
    instances: list[ConnectInstance]
    scope_entries: list[tuple[str, str]]  # (pattern, comment)
    gaps: dict[FunctionKey, int]  # achieved worst gap of the enabled warmers on each required key
    payload: _Payload
    interval: _Interval
    suggestions: list[_Suggestion]
    notes_on_overrides: list[str] = field(default_factory=list)

    @classmethod
    def gather(cls, analysis: Analysis, instance_regions: list[str]) -> _Facts:
        snapshot = analysis.snapshot
        regions = instance_regions or sorted(
            {region for region in snapshot.regions if _valid_region(region)}
        )
        instances = sorted(snapshot.instances, key=lambda i: (i.region, i.alias or "", i.id, i.arn))
        gaps = _achieved_gaps(analysis)
        interval = _choose_interval(gaps)
        facts = cls(
            analysis=analysis,
            regions=regions,
            regions_found_by_instances=bool(instance_regions),
            instances=instances,
            scope_entries=_scope_entries(instances),
            gaps=gaps,
            payload=_choose_payload(analysis),
            interval=interval,
            suggestions=[],
        )
        facts._suggest_overrides()
        return facts

    def _suggest_overrides(self) -> None:
        analysis = self.analysis
        called: dict[str, set[str]] = {}
        for key in analysis.required:
            called.setdefault(key.function_arn, set()).add(key.qualifier)
        for key in sorted(analysis.required):
            suggestion = _Suggestion(key)
            gap = self.gaps.get(key)
            if gap is not None and gap < self.interval.seconds:
                suggestion.max_interval = gap
            for pc in _provisioned(analysis, key.function_arn):
                if pc.qualifier == key.qualifier:
                    suggestion.provisioned = _pc_state(pc)
            if suggestion.max_interval is not None or suggestion.provisioned is not None:
                self.suggestions.append(suggestion)
        for function_arn in sorted(called):
            qualifiers = ", ".join(sorted(called[function_arn]))
            for pc in _provisioned(analysis, function_arn):
                if pc.qualifier not in called[function_arn]:
                    self.notes_on_overrides.append(
                        f"{function_arn} has provisioned concurrency on {pc.qualifier} "
                        f"({_pc_state(pc)}), but the flows call {qualifiers}: it does not keep "
                        "them warm"
                    )


def _provisioned(analysis: Analysis, function_arn: str) -> list[ProvisionedConcurrency]:
    function = analysis.functions.get(function_arn)
    if function is None:
        return []
    return sorted(function.provisioned_concurrency or [], key=lambda pc: pc.qualifier)


def _pc_state(pc: ProvisionedConcurrency) -> str:
    return f"{pc.status}, {pc.allocated} of {pc.requested} allocated"


def _short(key: FunctionKey) -> str:
    return key.name if key.is_latest else f"{key.name}:{key.qualifier}"


def _valid_region(region: str) -> bool:
    try:
        Scope(regions=[region])
    except ValidationError:
        return False
    return True


def _scope_entries(instances: Sequence[ConnectInstance]) -> list[tuple[str, str]]:
    """One scope pattern per instance: its alias when it is a plain name, else its ID."""
    entries: dict[str, list[str]] = {}
    for instance in instances:
        alias = instance.alias
        if alias and not _GLOB_CHARACTERS & set(alias) and alias.strip() == alias:
            pattern, note = alias, instance.arn
        else:
            pattern, note = instance.id, f"{instance.arn} (no usable alias)"
        entries.setdefault(pattern, []).append(note)
    return [(pattern, "; ".join(notes)) for pattern, notes in entries.items()]


def _enabled_exact(analysis: Analysis, key: FunctionKey) -> list[WarmSource]:
    return [
        source
        for source in analysis.warmers_by_function.get(key.function_arn, [])
        if source.target == key and source.enabled and source.firing is not None
    ]


def _achieved_gaps(analysis: Analysis) -> dict[FunctionKey, int]:
    """The worst gap the enabled warmers leave today, per required function they target."""
    gaps: dict[FunctionKey, int] = {}
    for key in sorted(analysis.required):
        sources = _enabled_exact(analysis, key)
        if sources:
            gaps[key] = max(1, analysis.gap(sources, None).seconds)
    return gaps


def _choose_interval(gaps: dict[FunctionKey, int]) -> _Interval:
    if not gaps:
        return _Interval(
            DEFAULT_MAX_INTERVAL,
            ("no enabled warmer targets a Lambda the flows call yet; 5m is the usual cadence",),
        )
    worst_key = max(sorted(gaps), key=lambda key: gaps[key])
    worst = gaps[worst_key]
    if worst <= DEFAULT_MAX_INTERVAL:
        return _Interval(
            worst,
            (f"the existing warmers leave at most {format_duration(worst)} between warm calls",),
        )
    return _Interval(
        DEFAULT_MAX_INTERVAL,
        (
            f"the existing warmers leave up to {format_duration(worst)} ({_short(worst_key)});",
            "WARM003 flags that until they fire at least every 5m",
        ),
    )


# --- the payload --------------------------------------------------------------------------------


def _warmer_inputs(analysis: Analysis) -> list[str | None]:
    """Per warmer target on a function the flows call: its constant JSON input (canonical), or
    None when it sends none (no input, an input path, a transformer, or text that is not JSON)."""
    wanted = {
        (source.arn, source.target)
        for source in analysis.warmers
        if source.target.function_arn in analysis.required_functions
    }
    found: list[tuple[str, str, str | None]] = []
    for rule in analysis.snapshot.rules:
        for target in rule.targets or []:
            key = parse_function_arn(target.arn)
            if key is None or (rule.arn, key) not in wanted:
                continue
            constant = target.input_path is None and target.input_transformer is None
            found.append((rule.arn, target.id, _canonical(target.input if constant else None)))
    for schedule in analysis.snapshot.schedules:
        # Analysis knows how a schedule names its function (templated or universal target).
        key, text = analysis.schedule_target(
            schedule.target.arn, schedule.target.input, schedule.region, schedule.account
        )
        if key is not None and (schedule.arn, key) in wanted:
            found.append((schedule.arn, "", _canonical(text)))
    return [text for _arn, _target, text in sorted(found, key=lambda item: item[:2])]


def _canonical(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        value = untrusted_json.loads(text)
        return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except ValueError:
        return None


def _choose_payload(analysis: Analysis) -> _Payload:
    inputs = _warmer_inputs(analysis)
    total = len(inputs)
    if total == 0:
        return _Payload(
            DEFAULT_PAYLOAD,
            False,
            ("no warmer targets these Lambdas yet: have the ones you add send this",),
        )
    targets = _plural(total, "warmer target")
    constants = Counter(text for text in inputs if text is not None)
    if not constants:
        return _Payload(
            DEFAULT_PAYLOAD,
            False,
            (
                f"the current input differs: the {targets} found send no constant JSON input;",
                "WARM008 flags them until they send this",
            ),
        )
    best, count = sorted(constants.items(), key=lambda item: (-item[1], item[0]))[0]
    value = untrusted_json.loads(best)
    reason = _not_adoptable(best, value)
    if reason is not None:
        return _Payload(
            DEFAULT_PAYLOAD,
            False,
            (
                f"the current input differs: {count} of {total} {_noun(total, 'warmer target')}",
                f"send a constant input that {reason}, so it was not adopted",
                "(warmcheck never copies it); WARM008 flags them until they send this",
            ),
        )
    notes = [f"adopted: sent today by {count} of {total} {_noun(total, 'warmer target')}"]
    others = total - count
    if others:
        verb = "it sends" if others == 1 else "they send"
        notes.append(f"(WARM008 flags the other {others} until {verb} the same)")
    return _Payload(_render_json(value), True, tuple(notes))


def _not_adoptable(canonical: str, value: object) -> str | None:
    if value is None:
        return "is null"
    if len(canonical) > MAX_PAYLOAD_CHARS:
        return f"is longer than {MAX_PAYLOAD_CHARS} characters"
    if looks_secret(value):
        return "looks like it may hold a credential"
    if not all(_yaml_safe(text) for text in _strings(value)):
        return "has characters a YAML policy cannot carry"
    return None


def looks_secret(value: object) -> bool:
    """Whether a JSON value has a key or a string that looks like a credential."""
    if isinstance(value, dict):
        return any(_secret_text(str(k)) or looks_secret(v) for k, v in value.items())
    if isinstance(value, list):
        return any(looks_secret(item) for item in value)
    if isinstance(value, str):
        return _secret_text(value) or _TOKEN_LIKE.search(value) is not None
    return False


def _secret_text(text: str) -> bool:
    folded = "".join(ch for ch in text.lower() if ch.isalnum())
    return any(word in folded for word in _CREDENTIAL_WORDS)


def _strings(value: object) -> Iterable[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield value


def _yaml_safe(text: str) -> bool:
    """YAML's \\u escape cannot write surrogates, and JSON writes astral characters as pairs."""
    return all(ord(ch) < 0xD800 or 0xE000 <= ord(ch) <= 0xFFFF for ch in text)


def _render_json(value: object) -> str:
    """JSON that is also a YAML 1.2 flow value: ASCII, spaces after `:` and `,`."""
    return json.dumps(value, sort_keys=True, separators=(", ", ": "), ensure_ascii=True)


# --- writing --------------------------------------------------------------------------------


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def blank(self) -> None:
        self.lines.append("")

    def comment(self, text: str = "", *, indent: int = 0) -> None:
        body = _clean(text)
        self.lines.append(" " * indent + ("# " + body if body else "#"))

    def line(self, code: str, *comments: str) -> None:
        """A YAML line with its first comment aligned, and further ones beneath it."""
        if not comments:
            self.lines.append(code)
            return
        pad = max(_COMMENT_COLUMN - len(code), 2)
        self.lines.append(f"{code}{' ' * pad}# {_clean(comments[0])}")
        column = max(_COMMENT_COLUMN, len(code) + 2)
        for more in comments[1:]:
            self.lines.append(f"{' ' * column}# {_clean(more)}")

    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.lines) + "\n"


def _clean(text: str) -> str:
    """Printable ASCII only: a comment must never end its line early or carry odd characters."""
    out = []
    for ch in text:
        if ch.isascii() and ch.isprintable():
            out.append(ch)
        else:
            out.append(ch.encode("unicode_escape").decode("ascii"))
    return "".join(out)


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=True)


def _plural(count: int, noun: str) -> str:
    return f"{count} {_noun(count, noun)}"


def _noun(count: int, noun: str) -> str:
    return noun if count == 1 else f"{noun}s"


def _write_header(writer: _Writer, facts: _Facts) -> None:
    analysis = facts.analysis
    snapshot = analysis.snapshot
    accounts = ", ".join(sorted(snapshot.accounts)) or "none recorded"
    regions = ", ".join(sorted(snapshot.regions)) or "none recorded"
    writer.comment("warmcheck starter policy, written by `warmcheck init` from the snapshot")
    writer.comment(
        f"collected at {snapshot.collected_at.isoformat()} (accounts: {accounts}; "
        f"regions: {regions})."
    )
    writer.comment("Review it, commit it, then run `warmcheck check --policy <this file>`.")
    writer.comment(
        "Every field except `version` has a default; `warmcheck schema policy` prints the schema."
    )
    if snapshot.errors:
        writer.comment()
        writer.comment(
            f"Note: {_plural(len(snapshot.errors), 'read')} failed while collecting, so the lists "
            "below may be incomplete;"
        )
        writer.comment("`warmcheck check` reports each one (WARM901).")
    writer.comment()
    if not facts.instances:
        where = ", ".join(facts.regions) or "any region"
        writer.comment(f"Nothing was found: no Amazon Connect instance in {where}, so no contact")
        writer.comment("flow calls a Lambda and nothing is required yet. The policy below is the")
        writer.comment("default; run `warmcheck init` again once the instances exist.")
        writer.comment()
        _write_warmers(writer, analysis)
        return
    writer.comment("What this policy covers, as found in the snapshot:")
    writer.comment()
    writer.comment(f"Connect instances ({len(facts.instances)}):")
    for instance in facts.instances:
        name = instance.alias or "(no alias)"
        writer.comment(f"  {name}  {instance.region}  {instance.arn}")
    writer.comment()
    _write_lambdas(writer, analysis)
    _write_warmers(writer, analysis)


def _write_lambdas(writer: _Writer, analysis: Analysis) -> None:
    keys = sorted(analysis.required, key=lambda key: key.arn)
    if not keys:
        writer.comment("Lambdas the flows call: none (no in-scope flow invokes a Lambda function).")
    else:
        writer.comment(
            f"Lambdas the flows call ({len(keys)}), by qualified ARN, with how many flows call "
            "each:"
        )
        width = max(len(key.arn) for key in keys)
        for key in keys:
            flows = _plural(len(analysis.required[key].flows), "flow")
            writer.comment(f"  {key.arn.ljust(width)}  {flows:>8}  {_warm_state(analysis, key)}")
    unresolved = sum(
        1
        for holder in analysis.holders.values()
        for reference in holder.content.lambda_references
        if reference.kind != "static"
    )
    if unresolved:
        writer.comment(
            f"  and {_plural(unresolved, 'Lambda reference')} that cannot be resolved (dynamic or "
            "placeholder; WARM011)"
        )
    writer.comment()


def _warm_state(analysis: Analysis, key: FunctionKey) -> str:
    if analysis.exists(key) is False:
        return "function or qualifier not found"
    sources = analysis.warmers_by_function.get(key.function_arn, [])
    enabled = sorted({s.name for s in sources if s.target == key and s.enabled})
    disabled = sorted({s.name for s in sources if s.target == key and not s.enabled})
    elsewhere = sorted(
        {
            f"{s.name} (on {s.target.qualifier})"
            for s in sources
            if s.target.qualifier != key.qualifier
        }
    )
    parts = []
    if enabled:
        parts.append("warmed by " + ", ".join(enabled))
    if analysis.provisioned(key):
        parts.append("provisioned concurrency")
    if disabled:
        parts.append("disabled warmer " + ", ".join(disabled))
    if elsewhere and not enabled:
        parts.append("warmer on another qualifier: " + ", ".join(elsewhere))
    return "; ".join(parts) or "no warmer found"


def _write_warmers(writer: _Writer, analysis: Analysis) -> None:
    warmers = sorted(analysis.warmers, key=lambda s: (s.name, s.arn, s.target.arn))
    if not warmers:
        writer.comment("Warmers found: none (no scheduled rule or schedule invokes these Lambdas")
        writer.comment("or is named like a warmer).")
        writer.comment()
        return
    writer.comment(f"Warmers found ({len(warmers)}): name, schedule expression, target:")
    for source in warmers:
        expression = source.expression or "(expression not read)"
        state = "" if source.enabled else f"  [{source.state_note or 'disabled'}]"
        writer.comment(f"  {source.label} {source.name}  {expression}{state}")
        if source.target in analysis.required:
            note = ""
        elif source.target.function_arn in analysis.required_functions:
            note = "  (the flows call another qualifier)"
        else:
            note = "  (no flow calls this function)"
        writer.comment(f"      -> {source.target.arn}{note}")
    writer.comment()


def _write_policy(writer: _Writer, facts: _Facts) -> None:
    writer.line("version: 1")
    writer.blank()
    _write_scope(writer, facts)
    writer.blank()
    _write_warm(writer, facts)
    writer.blank()
    writer.comment("How to recognise a scheduled rule or schedule as a warmer (besides targeting a")
    writer.comment("required function or sending the payload above).")
    writer.line("warmers:")
    writer.line(
        '  name_patterns: ["*warm*"]', "case-insensitive globs on the rule or schedule name"
    )
    writer.blank()
    _write_overrides(writer, facts)
    writer.blank()
    writer.comment("Lambdas to keep warm even though no flow calls them (full ARNs; a qualifier is")
    writer.comment("allowed).")
    writer.line("extra_functions: []")
    writer.blank()
    writer.comment("Accepted findings: rule ID or slug, a glob on the finding's resource, and who")
    writer.comment("owns the risk.")
    writer.line("waivers: []")
    for example in (
        "- rule: WARM006",
        '  resource: "arn:aws:events:*:*:rule/old-warmer-*"',
        '  reason: "kept until the migration ends"',
        "  owner: cc-platform",
        "  ticket: CC-1234",
        "  expires: 2027-03-31",
    ):
        writer.lines.append(f"#  {example}")


def _write_scope(writer: _Writer, facts: _Facts) -> None:
    writer.comment('Which contact flows count. A Lambda is "required" when an in-scope flow (or a')
    writer.comment("flow module it invokes, followed transitively) calls it.")
    writer.line("scope:")
    if facts.regions:
        found = "where instances were found" if facts.regions_found_by_instances else "searched"
        writer.comment(f"Regions whose Connect instances are read: the ones {found}.", indent=2)
        writer.comment(
            "Lambda, EventBridge and Scheduler are read wherever a required function lives.",
            indent=2,
        )
        writer.line(f"  regions: [{', '.join(facts.regions)}]")
    else:
        writer.comment(
            "Regions whose Connect instances are read. Leave it out to use your", indent=2
        )
        writer.comment("session's region (the snapshot recorded none).", indent=2)
        writer.comment("regions: [us-east-1]", indent=2)
    if facts.scope_entries:
        writer.line(
            "  instances:",
            "the instances found, by alias (else ID); IDs, ARNs,",
            'aliases and globs allowed; "*" = every instance in the regions',
        )
        for pattern, note in facts.scope_entries:
            writer.line(f"    - {_quote(pattern)}", note)
    else:
        writer.line(
            '  instances: ["*"]',
            "no instance was found: every instance in the regions",
            "(IDs, ARNs or aliases, globs allowed)",
        )
    writer.line(
        "  flow_statuses: [PUBLISHED]",
        "add SAVED to also check flows that are saved but not published",
    )


def _write_warm(writer: _Writer, facts: _Facts) -> None:
    writer.comment("What every required Lambda must have.")
    writer.line("warm:")
    writer.line(
        f"  max_interval: {format_duration(facts.interval.seconds)}",
        "longest allowed gap between two warm invocations (90s, 5m, 1h);",
        *facts.interval.notes,
    )
    writer.line(
        "  window: always",
        "when it must be warm: always, or",
        "  {hours_of_operation: NAME}  (a Connect hours of operation), or",
        '  {timezone: Europe/Berlin, weekly: [{days: [MON-FRI], start: "08:00", end: "18:00"}]}',
    )
    writer.line(
        f"  payload: {facts.payload.text}",
        "the exact JSON a warmer must send, so the handler can return early;",
        *facts.payload.notes,
    )
    writer.line("  accept:", "what counts as keeping a function warm")
    writer.line("    - eventbridge_rule", "  a scheduled EventBridge rule targeting the function")
    writer.line("    - scheduler_schedule", "  an EventBridge Scheduler schedule targeting it")
    writer.line(
        "    - provisioned_concurrency", "  provisioned concurrency READY on the exact qualifier"
    )
    writer.line(
        "  require_source_arn: true",
        "flag invoke permissions not pinned to a source ARN or account",
    )
    writer.line(
        "  max_function_timeout: 8s", "Connect waits at most 8 s for a synchronous Lambda call"
    )


def _write_overrides(writer: _Writer, facts: _Facts) -> None:
    writer.comment("Per-function exceptions; the first match wins. `function` is a glob on the")
    writer.comment("function name (name or name:qualifier) or, when it starts with arn:, on the")
    writer.comment("qualified ARN.")
    writer.line("overrides: []")
    if not facts.suggestions:
        writer.lines.append('#  - function: "crm-*"')
        writer.lines.append("#    max_interval: 1m")
        writer.lines.append('#  - function: "arn:aws:lambda:*:*:function:legacy-ivr*"')
        writer.lines.append("#    required: false")
    else:
        writer.comment("Suggested from the snapshot; uncomment (and replace `[]` above) to adopt:")
        for suggestion in facts.suggestions:
            _write_suggestion(writer, suggestion)
    for note in facts.notes_on_overrides:
        writer.comment(f"Note: {note}.")


def _write_suggestion(writer: _Writer, suggestion: _Suggestion) -> None:
    """One commented override: each field under the reason it is suggested for."""
    writer.lines.append(f"#  - function: {_quote(suggestion.key.arn)}")
    if suggestion.max_interval is not None:
        interval = format_duration(suggestion.max_interval)
        writer.lines.append(
            f"#    # {_clean(f'its warmers leave at most {interval} today: hold it to that')}"
        )
        writer.lines.append(f"#    max_interval: {interval}")
    if suggestion.provisioned is not None:
        writer.lines.append(
            f"#    # provisioned concurrency {_clean(suggestion.provisioned)}: accept only that,"
        )
        writer.lines.append("#    # so losing it is flagged")
        writer.lines.append("#    accept: [provisioned_concurrency]")
