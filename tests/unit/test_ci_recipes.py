"""docs/ci.md, docs/iam.md and the CI recipes in docs/examples/, checked as far as offline allows.

- the example workflows are valid YAML with the pieces a reader relies on (OIDC, schedule,
  reports published whatever the outcome, SARIF to code scanning, JUnit as a test report);
- every `warmcheck` command line in them and in docs/ci.md parses with the real CLI parser;
- every IAM action docs/iam.md names is granted by policies/iam/warmcheck-readonly.json, and every
  action the policy grants is explained there; the trust-policy examples are valid and scoped;
- the docs' relative links and anchors resolve; a policy snippet in docs/ci.md is a valid policy.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final, NamedTuple, cast

import pytest
import yaml

from checker.cli import build_parser
from checker.errors import CheckerError
from checker.format.registry import find_format
from checker.model.policy import Policy

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
CI_DOC = DOCS / "ci.md"
IAM_DOC = DOCS / "iam.md"
GITHUB_WORKFLOW = DOCS / "examples" / "github-actions.yml"
GITLAB_CI = DOCS / "examples" / "gitlab-ci.yml"
IAM_POLICY = ROOT / "policies" / "iam" / "warmcheck-readonly.json"

# --- flags the docs use before the CLI has them -------------------------------------------------
#
# docs/ci.md and the recipes document the whole interface of this release, including parts still
# being built. A flag (or a value of a flag) below is stripped from a documented command line
# ONLY while the real parser does not know it; the moment the CLI gains it, the real parser checks
# it like any other flag, so these lists can only loosen the test for what does not exist yet.
# A flag or value that is neither known to the real parser nor listed here fails the test.
# Delete each entry once it has landed.
COMING_SOON_FLAGS: Final[frozenset[str]] = frozenset()  # everything documented has landed
COMING_SOON_VALUES: Final[dict[str, frozenset[str]]] = {}

# The report file each format writes (DESIGN.md); checked against the format registry where the
# format exists.
REPORT_FILES: Final = {
    "json": "warmcheck.json",
    "junit": "warmcheck.junit.xml",
    "sarif": "warmcheck.sarif",
    "markdown": "warmcheck.md",
}

# IAM actions docs/iam.md names precisely because the read-only policy does NOT grant them.
NAMED_BUT_NOT_GRANTED: Final = {
    "sts:AssumeRoleWithWebIdentity": "allowed by the role's trust policy, not by this policy",
    "lambda:InvokeFunction": "what warmcheck checks a Scheduler role for; it never invokes",
    "lambda:GetFunction": "returns a code download link; warmcheck reads the configuration only",
}
# `service:Action`, not inside an ARN, a URL or a condition key such as
# token.actions.githubusercontent.com:aud. The `aws` prefix is the global condition-key namespace.
ACTION_RE: Final = re.compile(r"(?<![\w.:/-])([a-z][a-z0-9-]*):([A-Z][A-Za-z0-9]*\*?)")
SHELL_LANGS: Final = frozenset({"", "sh", "bash", "shell", "console"})
OPERATOR_CHARS: Final = frozenset("();<>|&")


def _load_yaml(path: Path) -> dict[Any, Any]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict), f"{path.name} is not a YAML mapping"
    return document


def _triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    # YAML 1.1 reads the bare key `on` as the boolean true.
    triggers = workflow.get("on", workflow.get(True))
    assert isinstance(triggers, dict), "the workflow's `on:` is not a mapping"
    return cast("dict[str, Any]", triggers)


def _steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def _uses(step: dict[str, Any], action: str) -> bool:
    return str(step.get("uses", "")).startswith(f"{action}@")


# --- finding the command lines ----------------------------------------------------------------


class CommandLine(NamedTuple):
    source: str
    text: str
    args: list[str]  # what follows `warmcheck` (or `python -m checker`)


class CodeBlock(NamedTuple):
    lang: str
    body: str


FENCE_RE: Final = re.compile(r"^([ \t]*)```([\w-]*)[ \t]*\n(.*?)^\1```[ \t]*$", re.M | re.S)


def _code_blocks(markdown: str) -> list[CodeBlock]:
    blocks = []
    for match in FENCE_RE.finditer(markdown):
        indent = len(match.group(1))
        body = "".join(line[indent:] for line in match.group(3).splitlines(keepends=True))
        blocks.append(CodeBlock(match.group(2).lower(), body))
    return blocks


def _inline_code(markdown: str) -> list[str]:
    prose = FENCE_RE.sub("", markdown)
    return [" ".join(span.split()) for span in re.findall(r"`([^`]+)`", prose)]


def _shell_in_yaml(node: object) -> Iterator[str]:
    """The shell a CI file runs: GitHub's `run:`, GitLab's `script:` and its neighbours."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("run", "script", "before_script", "after_script"):
                yield from [value] if isinstance(value, str) else [str(line) for line in value]
            else:
                yield from _shell_in_yaml(value)
    elif isinstance(node, list):
        for item in node:
            yield from _shell_in_yaml(item)


def _tokens(line: str) -> list[str]:
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    return list(lexer)


def _is_operator(token: str) -> bool:
    return bool(token) and set(token) <= OPERATOR_CHARS


def _commands_in_shell(source: str, shell: str) -> Iterator[CommandLine]:
    for line in shell.replace("\\\n", " ").splitlines():
        tokens = _tokens(line)
        for index, token in enumerate(tokens):
            invoked = token == "warmcheck" or token.endswith("/warmcheck")
            invoked |= token == "checker" and index > 0 and tokens[index - 1] == "-m"
            if not invoked:
                continue
            args = []
            for arg in tokens[index + 1 :]:
                if _is_operator(arg):
                    break
                args.append(arg)
            yield CommandLine(source, " ".join(line.split()), args)


def _commands_in_markdown(path: Path) -> Iterator[CommandLine]:
    text = path.read_text(encoding="utf-8")
    name = path.relative_to(ROOT).as_posix()
    for block in _code_blocks(text):
        if block.lang in SHELL_LANGS:
            yield from _commands_in_shell(name, block.body)
        elif block.lang in ("yaml", "yml"):
            for shell in _shell_in_yaml(yaml.safe_load(block.body)):
                yield from _commands_in_shell(name, shell)
    for span in _inline_code(text):
        first = span.split(" ", 1)[0]
        if " " in span and (first == "warmcheck" or first.endswith("/warmcheck")):
            yield from _commands_in_shell(f"{name} (inline)", span)


def _commands_in_ci_file(path: Path) -> Iterator[CommandLine]:
    for shell in _shell_in_yaml(_load_yaml(path)):
        yield from _commands_in_shell(path.relative_to(ROOT).as_posix(), shell)


def _all_documented_commands() -> list[CommandLine]:
    return [
        *_commands_in_ci_file(GITHUB_WORKFLOW),
        *_commands_in_ci_file(GITLAB_CI),
        *_commands_in_markdown(CI_DOC),
    ]


DOCUMENTED_COMMANDS: Final = _all_documented_commands()


# --- parsing them with the real parser ----------------------------------------------------------


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    for action in build_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("warmcheck's parser has no subcommands")


def _without_coming_soon(args: list[str]) -> tuple[list[str], list[str]]:
    """Split `args` into what the real parser must accept and the coming-soon parts taken out.

    Only flags and values the real parser does not know yet are taken out (see COMING_SOON_*).
    """
    position = next((i for i, arg in enumerate(args) if not arg.startswith("-")), None)
    subcommand = _subcommands().get(args[position]) if position is not None else None
    if position is None or subcommand is None:
        return args, []  # the real parser reports the missing or unknown command
    known = subcommand._option_string_actions
    kept, removed = args[: position + 1], []
    rest = args[position + 1 :]
    index = 0
    while index < len(rest):
        flag, has_inline_value, value = rest[index].partition("=")
        if not has_inline_value:
            value = rest[index + 1] if index + 1 < len(rest) else ""
        width = 1 if has_inline_value else 2
        if flag in COMING_SOON_FLAGS and flag not in known:
            assert value, f"{flag} needs a value"
            assert not value.startswith("-"), f"{flag} needs a value, got {value!r}"
            removed += rest[index : index + width]
            index += width
            continue
        action = known.get(flag)
        soon = COMING_SOON_VALUES.get(flag, frozenset())
        choices = action.choices if action is not None else None
        if choices is not None and value not in choices and value in soon:
            removed += rest[index : index + width]
            index += width
            continue
        kept.append(rest[index])
        index += 1
    return kept, removed


def test_the_docs_and_recipes_contain_warmcheck_command_lines() -> None:
    sources = {command.source for command in DOCUMENTED_COMMANDS}
    assert {"docs/examples/github-actions.yml", "docs/examples/gitlab-ci.yml", "docs/ci.md"} <= (
        sources
    )
    assert any(command.args[:1] == ["check"] for command in DOCUMENTED_COMMANDS)


@pytest.mark.parametrize(
    "command",
    DOCUMENTED_COMMANDS,
    ids=[f"{command.source}: {command.text}" for command in DOCUMENTED_COMMANDS],
)
def test_every_documented_command_line_parses_with_the_real_cli(command: CommandLine) -> None:
    args, _ = _without_coming_soon(command.args)
    try:
        namespace = build_parser().parse_args(args)
    except (CheckerError, SystemExit) as error:
        message = getattr(error, "message", error)
        pytest.fail(f"{command.source}: `{command.text}` does not parse: {message}")
    policy = getattr(namespace, "policy", None)
    if isinstance(policy, str) and "$" not in policy:
        assert (ROOT / policy).is_file(), f"{command.source}: no policy file {policy}"


def test_unknown_flags_are_not_waved_through() -> None:
    # The coming-soon lists never hide a flag, or a value, that nobody is building.
    kept, removed = _without_coming_soon(["check", "--format", "pdf", "--no-such-flag", "x"])
    assert removed == []
    assert kept == ["check", "--format", "pdf", "--no-such-flag", "x"]
    with pytest.raises(CheckerError):
        build_parser().parse_args(kept)
    kept, removed = _without_coming_soon(["check", "--format", "json", "--fail-on", "high"])
    assert (kept, removed) == (["check", "--format", "json", "--fail-on", "high"], [])


def test_report_file_names_match_the_format_registry() -> None:
    for name, filename in REPORT_FILES.items():
        fmt = find_format(name)
        if fmt is not None:  # formats still being built are checked once they exist
            assert fmt.filename == filename


# --- the GitHub Actions workflow ----------------------------------------------------------------


def test_github_workflow_runs_nightly_and_on_demand() -> None:
    triggers = _triggers(_load_yaml(GITHUB_WORKFLOW))
    assert set(triggers) == {"schedule", "workflow_dispatch"}
    crons = [entry["cron"] for entry in triggers["schedule"]]
    assert len(crons) == 1
    assert len(crons[0].split()) == 5


def test_github_workflow_uses_oidc_with_least_permissions() -> None:
    workflow = _load_yaml(GITHUB_WORKFLOW)
    permissions = workflow["permissions"]
    assert permissions["id-token"] == "write"
    assert permissions["contents"] == "read"
    assert permissions["security-events"] == "write"
    assert permissions.get("actions", "read") == "read"  # upload-sarif, private repositories
    assert set(permissions) <= {"id-token", "contents", "security-events", "actions"}
    credentials = [s for s in _steps(workflow) if _uses(s, "aws-actions/configure-aws-credentials")]
    assert len(credentials) == 1
    inputs = credentials[0]["with"]
    assert inputs["role-to-assume"] == "${{ vars.WARMCHECK_ROLE_ARN }}"
    assert "aws-region" in inputs
    # OIDC only: no long-lived keys anywhere in the workflow.
    text = GITHUB_WORKFLOW.read_text(encoding="utf-8")
    assert "aws-access-key-id" not in text
    assert "secrets." not in text


def test_github_workflow_installs_the_checkout_on_python_311() -> None:
    steps = _steps(_load_yaml(GITHUB_WORKFLOW))
    python = [s for s in steps if _uses(s, "actions/setup-python")]
    assert [s["with"]["python-version"] for s in python] == ["3.11"]
    assert any(s.get("run", "").strip() == "python -m pip install ." for s in steps)


def test_github_workflow_publishes_reports_whatever_the_outcome() -> None:
    workflow = _load_yaml(GITHUB_WORKFLOW)
    steps = _steps(workflow)
    assert not any("continue-on-error" in step for step in steps)
    assert not any("continue-on-error" in job for job in workflow["jobs"].values())

    (run,) = [s for s in steps if s.get("id") == "warmcheck"]
    (check,) = [c for c in _commands_in_shell("workflow", run["run"]) if c.args[:1] == ["check"]]
    formats = [
        arg for flag, arg in zip(check.args, check.args[1:], strict=False) if flag == "--format"
    ]
    assert formats == ["json", "junit", "sarif"]
    assert "--summary-to" in check.args
    assert check.args[check.args.index("--summary-to") + 1] == "$GITHUB_STEP_SUMMARY"
    assert "|| status=$?" in run["run"]
    assert 'echo "exit-code=$status" >> "$GITHUB_OUTPUT"' in run["run"]

    artifact = [s for s in steps if _uses(s, "actions/upload-artifact")]
    sarif = [s for s in steps if _uses(s, "github/codeql-action/upload-sarif")]
    assert len(artifact) == 1
    assert len(sarif) == 1
    assert artifact[0]["with"]["path"] == "reports/"
    assert sarif[0]["with"]["sarif_file"] == f"reports/{REPORT_FILES['sarif']}"
    assert sarif[0]["with"]["category"]
    for upload in (artifact[0], sarif[0]):
        condition = upload.get("if", "")
        assert "!cancelled()" in condition or "always()" in condition, upload["name"]
        assert steps.index(upload) > steps.index(run)


def test_github_workflow_fails_at_the_end_by_the_exit_code() -> None:
    steps = _steps(_load_yaml(GITHUB_WORKFLOW))
    verdict = steps[-1]
    assert "steps.warmcheck.outcome" in verdict["if"]
    assert verdict["env"]["WARMCHECK_EXIT"] == "${{ steps.warmcheck.outputs.exit-code }}"
    script = verdict["run"]
    assert "${{" not in script  # the code comes in through env, never pasted into the script
    for code in ("0", "1", "2", "3", "4"):
        assert re.search(rf"^\s*{code}\)", script, re.M), f"exit {code} is not handled"
    for code in ("1", "2", "3", "4"):
        assert f"exit {code}" in script
    assert "incomplete evidence" in script
    assert "drift" in script


# --- the GitLab CI job --------------------------------------------------------------------------


def _gitlab_job() -> dict[str, Any]:
    jobs = {k: v for k, v in _load_yaml(GITLAB_CI).items() if isinstance(v, dict)}
    assert len(jobs) == 1
    return cast("dict[str, Any]", next(iter(jobs.values())))


def test_gitlab_job_runs_only_on_a_schedule_on_python_311() -> None:
    job = _gitlab_job()
    assert job["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "schedule"'}]
    assert job["image"] == "python:3.11"
    assert "python -m pip install ." in job["script"]
    assert "allow_failure" not in job


def test_gitlab_job_uses_an_oidc_id_token_for_the_role() -> None:
    job = _gitlab_job()
    (token,) = job["id_tokens"]
    assert job["id_tokens"][token]["aud"]
    variables = job["variables"]
    assert variables["AWS_ROLE_ARN"] == "$WARMCHECK_ROLE_ARN"
    token_file = variables["AWS_WEB_IDENTITY_TOKEN_FILE"]
    assert not token_file.startswith(("$CI_PROJECT_DIR", "reports")), "token must stay out"
    assert any(f'"${token}" > "$AWS_WEB_IDENTITY_TOKEN_FILE"' in line for line in job["script"])
    assert "AWS_SECRET_ACCESS_KEY" not in GITLAB_CI.read_text(encoding="utf-8")


def test_gitlab_job_keeps_reports_and_junit_always() -> None:
    job = _gitlab_job()
    artifacts = job["artifacts"]
    assert artifacts["when"] == "always"
    assert artifacts["paths"] == ["reports/"]
    assert artifacts["reports"]["junit"] == f"reports/{REPORT_FILES['junit']}"
    script = "\n".join(job["script"])
    assert "|| status=$?" in script
    assert 'exit "$status"' in script


# --- docs/iam.md and the policy -----------------------------------------------------------------


def _granted_actions() -> set[str]:
    document = json.loads(IAM_POLICY.read_text(encoding="utf-8"))
    return {action for statement in document["Statement"] for action in statement["Action"]}


def _actions_named(text: str) -> set[str]:
    return {
        f"{service}:{action}"
        for service, action in ACTION_RE.findall(text)
        if service != "aws"  # global condition keys (aws:SourceArn), not actions
    }


def test_iam_doc_names_exactly_the_granted_actions() -> None:
    named = _actions_named(IAM_DOC.read_text(encoding="utf-8"))
    granted = _granted_actions()
    assert granted - named == set(), "granted by the policy but not explained in docs/iam.md"
    assert named - granted == set(NAMED_BUT_NOT_GRANTED), (
        "named in docs/iam.md but not granted (add it to the policy, or to NAMED_BUT_NOT_GRANTED "
        "if the page names it to say it is not granted)"
    )
    assert not granted & set(NAMED_BUT_NOT_GRANTED)


def test_action_pattern_skips_arns_urls_and_condition_keys() -> None:
    text = (
        '"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com" '
        '"token.actions.githubusercontent.com:aud" "gitlab.com:sub" aws:SourceArn '
        "https://example.com repo:<owner>/<repo>:ref:refs/heads/main project_path:g/p "
        "`connect:ListInstances` and lambda:Get*"
    )
    assert _actions_named(text) == {"connect:ListInstances", "lambda:Get*"}


def _trust_policies() -> list[dict[str, Any]]:
    blocks = _code_blocks(IAM_DOC.read_text(encoding="utf-8"))
    documents = [json.loads(block.body) for block in blocks if block.lang == "json"]
    return [d for d in documents if d["Statement"][0]["Action"] == "sts:AssumeRoleWithWebIdentity"]


def test_iam_doc_trust_policies_are_valid_and_scoped_to_one_repository() -> None:
    policies = {
        policy["Statement"][0]["Principal"]["Federated"].rsplit("/", 1)[-1]: policy
        for policy in _trust_policies()
    }
    assert set(policies) == {"token.actions.githubusercontent.com", "gitlab.com"}
    for issuer, policy in policies.items():
        assert policy["Version"] == "2012-10-17"
        (statement,) = policy["Statement"]
        assert statement["Effect"] == "Allow"
        assert statement["Principal"]["Federated"].startswith("arn:aws:iam::")
        conditions = statement["Condition"]
        assert set(conditions) == {"StringEquals"}, "exact matches only, no StringLike"
        equals = conditions["StringEquals"]
        assert set(equals) == {f"{issuer}:aud", f"{issuer}:sub"}
        assert "*" not in equals[f"{issuer}:sub"]
    github = policies["token.actions.githubusercontent.com"]["Statement"][0]["Condition"]
    equals = github["StringEquals"]
    assert equals["token.actions.githubusercontent.com:aud"] == "sts.amazonaws.com"
    subject = equals["token.actions.githubusercontent.com:sub"]
    assert re.fullmatch(r"repo:[\w.-]+/[\w.-]+:ref:refs/heads/[\w./-]+", subject)
    gitlab = policies["gitlab.com"]["Statement"][0]["Condition"]["StringEquals"]
    assert gitlab["gitlab.com:sub"].startswith("project_path:")
    # The audience GitLab puts in the token is the one the recipe asks for.
    (token,) = _gitlab_job()["id_tokens"].values()
    assert gitlab["gitlab.com:aud"] == token["aud"]


# --- links and snippets -------------------------------------------------------------------------


def _anchor(heading: str) -> str:
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = FENCE_RE.sub("", path.read_text(encoding="utf-8"))
    return {_anchor(m.group(1)) for m in re.finditer(r"^#{1,6} (.+)$", text, re.M)}


@pytest.mark.parametrize("doc", [CI_DOC, IAM_DOC, DOCS / "organizations.md"], ids=lambda p: p.name)
def test_relative_links_and_anchors_resolve(doc: Path) -> None:
    text = FENCE_RE.sub("", doc.read_text(encoding="utf-8"))
    links = re.findall(r"\]\(([^)\s]+)\)", text)
    assert links
    for link in links:
        if link.startswith(("http://", "https://", "mailto:")):
            continue
        target, _, anchor = link.partition("#")
        path = (doc.parent / target).resolve() if target else doc
        assert path.exists(), f"{doc.name}: broken link {link}"
        if anchor and path.suffix == ".md":
            assert anchor in _anchors(path), f"{doc.name}: no heading for #{anchor} in {path.name}"


def test_ci_doc_links_both_recipes_and_the_iam_page() -> None:
    text = CI_DOC.read_text(encoding="utf-8")
    for target in ("examples/github-actions.yml", "examples/gitlab-ci.yml", "iam.md"):
        assert f"]({target}" in text


def test_policy_snippets_in_the_ci_doc_are_valid_policies() -> None:
    snippets = [
        yaml.safe_load(block.body)
        for block in _code_blocks(CI_DOC.read_text(encoding="utf-8"))
        if block.lang in ("yaml", "yml")
    ]
    policies = [s for s in snippets if isinstance(s, dict) and "version" in s]
    assert policies, "docs/ci.md shows no policy snippet"
    for snippet in policies:
        policy = Policy.model_validate(snippet)
        assert policy.waivers, "the snippet in docs/ci.md is there to show a waiver"


# --- the organization recipes: the CI is the distributed engine -------------------------------

ORGANIZATIONS_DOC = DOCS / "organizations.md"


def _ci_doc_yaml() -> list[dict[str, Any]]:
    return [
        cast("dict[str, Any]", yaml.safe_load(block.body))
        for block in _code_blocks(CI_DOC.read_text(encoding="utf-8"))
        if block.lang in ("yaml", "yml")
    ]


def _parsed(command: str) -> argparse.Namespace:
    (line,) = list(_commands_in_shell("recipe", command))
    return build_parser().parse_args(line.args)


def test_github_matrix_recipe_collects_every_shard_once_and_merges_them_all() -> None:
    (workflow,) = [doc for doc in _ci_doc_yaml() if "judge" in doc.get("jobs", {})]
    collect, judge = workflow["jobs"]["collect"], workflow["jobs"]["judge"]
    shards = collect["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, len(shards) + 1))
    assert collect["strategy"]["fail-fast"] is False  # one refused member never cancels the rest
    shell = "\n".join(_shell_in_yaml(collect))
    (collect_line,) = [c for c in _commands_in_shell("gha", shell) if c.args[0] == "collect"]
    shard = collect_line.args[collect_line.args.index("--shard") + 1]
    assert shard == "${{ matrix.shard }}" + f"/{len(shards)}"
    assert judge["needs"] == "collect"
    judged = "\n".join(_shell_in_yaml(judge))
    (merge_line,) = [c for c in _commands_in_shell("gha", judged) if c.args[0] == "merge"]
    merged = build_parser().parse_args(merge_line.args)
    assert merged.shards == [f"shard-{index}.json" for index in shards]
    (check_line,) = [c for c in _commands_in_shell("gha", judged) if c.args[0] == "check"]
    assert build_parser().parse_args(check_line.args).snapshot == merged.out


def test_gitlab_parallel_recipe_numbers_shards_from_ci_node_index() -> None:
    (pipeline,) = [doc for doc in _ci_doc_yaml() if "collect" in doc and "jobs" not in doc]
    collect, judge = pipeline["collect"], pipeline["judge"]
    count = collect["parallel"]
    shell = "\n".join(_shell_in_yaml(collect))
    (collect_line,) = [c for c in _commands_in_shell("gitlab", shell) if c.args[0] == "collect"]
    assert collect_line.args[collect_line.args.index("--shard") + 1] == (
        "$CI_NODE_INDEX/$CI_NODE_TOTAL"
    )
    assert judge["needs"] == ["collect"]
    judged = "\n".join(_shell_in_yaml(judge))
    (merge_line,) = [c for c in _commands_in_shell("gitlab", judged) if c.args[0] == "merge"]
    merged = build_parser().parse_args(merge_line.args)
    assert merged.shards == [f"shard-{index}.json" for index in range(1, count + 1)]
    assert collect["artifacts"]["when"] == "always"


def test_the_organizations_doc_policy_is_a_valid_policy() -> None:
    snippets = [
        yaml.safe_load(block.body)
        for block in _code_blocks(ORGANIZATIONS_DOC.read_text(encoding="utf-8"))
        if block.lang in ("yaml", "yml")
    ]
    (snippet,) = [s for s in snippets if isinstance(s, dict) and "version" in s]
    policy = Policy.model_validate(snippet)
    assert policy.scope.organization is not None
    assert policy.scope.organization.exclude == ["/Root/Sandbox/*"]
