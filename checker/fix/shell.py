"""The plan as an AWS CLI script: `set -euo pipefail`, check before every change, idempotent.

Every value is shell-quoted; names and statement IDs come from the plan, so a second run finds
everything in place and changes nothing. Manual steps are comments only.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable
from shlex import quote

from checker.domain.arns import parse_arn
from checker.fix.model import (
    AssociateLambdaStep,
    EnableRuleStep,
    EntryV1,
    EventRuleStep,
    FixPlanV1,
    LambdaPermissionStep,
    ManualStep,
    RetargetRuleStep,
    RolePolicyStep,
    SchedulerRoleStep,
    ScheduleStep,
    Step,
    UpdateScheduleStep,
)
from checker.fix.policies import invoke_policy, scheduler_trust_policy

FILENAME = "warmcheck-fix.sh"

_PRELUDE = r"""set -euo pipefail

say() { printf 'warmcheck-fix: %s\n' "$*"; }
skipped_accounts=""

# Run a section only with credentials for its account.
in_account() {
  local current
  current=$(aws sts get-caller-identity --query Account --output text)
  if [ "$current" = "$1" ]; then
    return 0
  fi
  say "skipping the steps for account $1: these credentials are for account $current"
  skipped_accounts="$skipped_accounts $1"
  return 1
}

# AddPermission; a statement ID warmcheck derived that is already there means: done before.
add_permission() {
  local output
  if output=$(aws lambda add-permission "$@" 2>&1 >/dev/null); then
    say "  statement added"
  elif printf '%s' "$output" | grep -q 'ResourceConflictException' \
      && printf '%s' "$output" | grep -q 'already exists'; then
    say "  statement already present"
  else
    printf '%s\n' "$output" >&2
    return 1
  fi
}

# A role IAM has just created may take a few seconds to be usable by Scheduler.
retry_while_role_propagates() {
  local output attempt
  for attempt in 1 2 3 4 5 6; do
    if output=$("$@" 2>&1); then
      return 0
    fi
    if ! printf '%s' "$output" | grep -qi 'role'; then
      break
    fi
    sleep 5
  done
  printf '%s\n' "$output" >&2
  return 1
}

# PutTargets answers 0 even when a target failed: check FailedEntryCount.
put_targets() {
  local failed
  failed=$(aws events put-targets "$@" --query FailedEntryCount --output text)
  if [ "$failed" != "0" ]; then
    say "PutTargets failed for $failed target(s)" >&2
    return 1
  fi
}
"""


def render(plan: FixPlanV1) -> str:
    lines = [
        "#!/usr/bin/env bash",
        f"# warmcheck fix plan (warmcheck {plan.tool.version}), as AWS CLI commands.",
        (
            f"# Snapshot collected at {plan.snapshot.collected_at}; policy {plan.policy.path} "
            f"(sha256 {plan.policy.sha256[:12]})."
        ),
        "# Review it, then run it with credentials for each account below. It only adds,",
        "# re-enables or re-points warmers; every change is checked first, so a second run",
        "# changes nothing. Manual steps are comments: nothing here removes or narrows access.",
    ]
    if not plan.complete:
        lines += [
            "#",
            "# EVIDENCE INCOMPLETE: some state could not be read, so this plan covers only what",
            "# was seen. Run `warmcheck fix` again once every read succeeds.",
        ]
    lines += _comment_block("warning", plan.warnings)
    lines.append(_PRELUDE)
    runnable = [e for e in plan.entries if not e.manual]
    manual = [e for e in plan.entries if e.manual]
    done: set[str] = set()
    for account in sorted({e.account for e in runnable}):
        lines.append(f"if in_account {quote(account)}; then")
        for entry in (e for e in runnable if e.account == account):
            lines += _indent(_entry(entry, done))
        lines.append("fi")
        lines.append("")
    for entry in manual:
        lines += _entry(entry, done)
    lines += [
        'if [ -n "$skipped_accounts" ]; then',
        (
            '  say "not applied: steps for account(s)$skipped_accounts (run again with their '
            'credentials)"'
        ),
        "  exit 1",
        "fi",
        (
            f'say "done: {len(runnable)} entr{"y" if len(runnable) == 1 else "ies"} checked or '
            f'applied, {len(manual)} manual step(s) left to you"'
        ),
        "",
    ]
    return "\n".join(lines)


def _entry(entry: EntryV1, done: set[str]) -> list[str]:
    lines = [
        f"# --- {entry.rule} {entry.slug}: {entry.resource}",
        f"# fingerprint {entry.fingerprint}",
    ]
    lines += _wrap(entry.summary)
    if entry.manual:
        for step in entry.steps:
            if isinstance(step, ManualStep):
                lines += _manual(step)
        lines.append("")
        return lines
    lines += _wrap("undo: " + "; ".join(entry.undo))
    lines += _wrap("needs: " + ", ".join(entry.operator_permissions))
    lines += _comment_block("warning", entry.warnings)
    lines.append(f"say {quote(f'{entry.rule} {entry.resource}')}")
    for step in entry.steps:
        identity = step.model_dump_json()
        if identity in done:
            lines.append(f"# same {step.type} step as above: already applied")
            continue
        done.add(identity)
        lines += _step(step, entry.region)
    lines.append("")
    return lines


def _step(step: Step, region: str) -> list[str]:
    r = f"--region {quote(region)}"
    if isinstance(step, EventRuleStep):
        targets = json.dumps([{"Id": step.target_id, "Arn": step.target_arn, "Input": step.input}])
        query = f"Targets[?Id=='{step.target_id}'].Arn"
        return [
            f"if aws events describe-rule --name {quote(step.name)} {r} >/dev/null 2>&1; then",
            f"  say {quote(f'  rule {step.name} already exists')}",
            "else",
            (
                f"  aws events put-rule --name {quote(step.name)} "
                f"--schedule-expression {quote(step.schedule_expression)} --state ENABLED "
                f"--description {quote('warmer added by warmcheck fix')} {r} >/dev/null"
            ),
            f"  say {quote(f'  rule {step.name} created')}",
            "fi",
            (
                f'if [ "$(aws events list-targets-by-rule --rule {quote(step.name)} {r} '
                f'--query {quote(query)} --output text)" = {quote(step.target_arn)} ]; then'
            ),
            f"  say {quote('  target already in place')}",
            "else",
            f"  put_targets --rule {quote(step.name)} --targets {quote(targets)} {r}",
            f"  say {quote(f'  target {step.target_arn} added')}",
            "fi",
        ]
    if isinstance(step, LambdaPermissionStep):
        qualifier = f" --qualifier {quote(step.qualifier)}" if step.qualifier else ""
        return [
            f"say {quote(f'  permission {step.statement_id} for {step.principal}')}",
            (
                f"add_permission --function-name {quote(step.function_arn)}{qualifier} "
                f"--statement-id {quote(step.statement_id)} --action lambda:InvokeFunction "
                f"--principal {quote(step.principal)} --source-arn {quote(step.source_arn)} "
                f"--source-account {quote(step.source_account)} {r}"
            ),
        ]
    if isinstance(step, SchedulerRoleStep):
        trust = json.dumps(scheduler_trust_policy(step), sort_keys=True)
        policy = json.dumps(invoke_policy(step.function_arn), sort_keys=True)
        name = quote(step.role_name)
        return [
            f"if aws iam get-role --role-name {name} >/dev/null 2>&1; then",
            f"  say {quote(f'  role {step.role_name} already exists')}",
            "else",
            (
                f"  aws iam create-role --role-name {name} --assume-role-policy-document "
                f"{quote(trust)} --description {quote('Scheduler warmer role from warmcheck fix')}"
                " >/dev/null"
            ),
            f"  aws iam wait role-exists --role-name {name}",
            f"  say {quote(f'  role {step.role_name} created')}",
            "fi",
            *_role_policy(step.role_name, step.policy_name, policy),
        ]
    if isinstance(step, ScheduleStep):
        target = json.dumps({"Arn": step.target_arn, "RoleArn": step.role_arn, "Input": step.input})
        return [
            (
                f"if aws scheduler get-schedule --name {quote(step.name)} --group-name "
                f"{quote(step.group)} {r} >/dev/null 2>&1; then"
            ),
            f"  say {quote(f'  schedule {step.name} already exists')}",
            "else",
            (
                "  retry_while_role_propagates aws scheduler create-schedule "
                f"--name {quote(step.name)} --group-name {quote(step.group)} "
                f"--schedule-expression {quote(step.schedule_expression)} "
                f"--schedule-expression-timezone {quote(step.timezone)} "
                f"--flexible-time-window Mode=OFF --state ENABLED --target {quote(target)} {r}"
            ),
            f"  say {quote(f'  schedule {step.name} created')}",
            "fi",
        ]
    if isinstance(step, EnableRuleStep):
        return [
            (
                f'if [ "$(aws events describe-rule --name {quote(step.rule_name)} {r} '
                '--query State --output text)" = ENABLED ]; then'
            ),
            f"  say {quote(f'  rule {step.rule_name} already enabled')}",
            "else",
            f"  aws events enable-rule --name {quote(step.rule_name)} {r}",
            f"  say {quote(f'  rule {step.rule_name} enabled')}",
            "fi",
        ]
    if isinstance(step, RetargetRuleStep):
        replacement = {"Id": step.target_id, "Arn": step.target_arn, "Input": step.input}
        if step.role_arn:
            replacement["RoleArn"] = step.role_arn
        query = f"Targets[?Id=='{step.target_id}'].[Arn,Input]"
        return [
            (
                f"current=$(aws events list-targets-by-rule --rule {quote(step.rule_name)} {r} "
                f"--query {quote(query)} --output text)"
            ),
            f"wanted=$(printf '%s\\t%s' {quote(step.target_arn)} {quote(step.input)})",
            'if [ "$current" = "$wanted" ]; then',
            f"  say {quote(f'  target {step.target_id} of {step.rule_name} already re-pointed')}",
            "else",
            (
                f"  put_targets --rule {quote(step.rule_name)} "
                f"--targets {quote(json.dumps([replacement]))} {r}"
            ),
            f"  say {quote(f'  target {step.target_id} of {step.rule_name} re-pointed')}",
            "fi",
        ]
    if isinstance(step, UpdateScheduleStep):
        schedule_target = {"Arn": step.target_arn, "RoleArn": step.role_arn, "Input": step.input}
        window = (
            "Mode=OFF"
            if step.flexible_window_minutes == 0
            else f"Mode=FLEXIBLE,MaximumWindowInMinutes={step.flexible_window_minutes}"
        )
        query = "[State,Target.Arn,Target.Input,StartDate,EndDate]"
        return [
            (
                f"current=$(aws scheduler get-schedule --name {quote(step.name)} --group-name "
                f"{quote(step.group)} {r} --query {quote(query)} --output text)"
            ),
            (
                f"wanted=$(printf '%s\\t%s\\t%s\\t%s\\t%s' ENABLED {quote(step.target_arn)} "
                f"{quote(step.input)} None None)"
            ),
            'if [ "$current" = "$wanted" ]; then',
            f"  say {quote(f'  schedule {step.name} already enabled and pointed right')}",
            "else",
            (
                f"  aws scheduler update-schedule --name {quote(step.name)} --group-name "
                f"{quote(step.group)} --schedule-expression {quote(step.schedule_expression)} "
                f"--schedule-expression-timezone {quote(step.timezone)} "
                f"--flexible-time-window {quote(window)} --state ENABLED "
                f"--target {quote(json.dumps(schedule_target))} {r} >/dev/null"
            ),
            f"  say {quote(f'  schedule {step.name} updated')}",
            "fi",
        ]
    if isinstance(step, RolePolicyStep):
        policy = json.dumps(invoke_policy(step.function_arn), sort_keys=True)
        return _role_policy(step.role_name, step.policy_name, policy)
    if isinstance(step, AssociateLambdaStep):
        query = f"contains(LambdaFunctions, '{step.function_arn}')"
        instance = parse_arn(step.instance_arn)
        r = f"--region {quote(instance.region if instance else region)}"  # the instance's region
        return [
            (
                'if [ "$(aws connect list-lambda-functions '
                f"--instance-id {quote(step.instance_id)} "
                f'{r} --query {quote(query)} --output text)" = True ]; then'
            ),
            f"  say {quote(f'  {step.function_arn} already associated')}",
            "else",
            (
                f"  aws connect associate-lambda-function --instance-id {quote(step.instance_id)} "
                f"--function-arn {quote(step.function_arn)} {r}"
            ),
            f"  say {quote(f'  {step.function_arn} associated with {step.instance_arn}')}",
            "fi",
        ]
    assert isinstance(step, ManualStep)
    return _manual(step)


def _role_policy(role: str, name: str, policy: str) -> list[str]:
    return [
        (
            f"if aws iam get-role-policy --role-name {quote(role)} --policy-name {quote(name)} "
            ">/dev/null 2>&1; then"
        ),
        f"  say {quote(f'  policy {name} of role {role} already present')}",
        "else",
        (
            f"  aws iam put-role-policy --role-name {quote(role)} --policy-name {quote(name)} "
            f"--policy-document {quote(policy)}"
        ),
        f"  say {quote(f'  policy {name} added to role {role}')}",
        "fi",
    ]


def _manual(step: ManualStep) -> list[str]:
    lines = _wrap("MANUAL (not executed): " + step.explanation)
    lines += [f"#   {_one_line(command)}" for command in step.commented_commands]
    return lines


def _wrap(text: str) -> list[str]:
    wrapped = textwrap.wrap(_one_line(text), 96, break_on_hyphens=False, break_long_words=False)
    return [f"# {line}" for line in wrapped] or ["#"]


def _comment_block(label: str, items: Iterable[str]) -> list[str]:
    lines: list[str] = []
    for item in items:
        lines += _wrap(f"{label}: {item}")
    return lines


def _one_line(text: str) -> str:
    """Comments stay comments: no line break from AWS data may end one early."""
    return " ".join(text.split())


def _indent(lines: list[str]) -> list[str]:
    return [f"  {line}" if line else "" for line in lines]
