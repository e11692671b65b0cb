"""`warmcheck demo`: start the local sandbox, seed a contact center with drift, check it.

The seeding lives in checker/sandbox (demo.py for one contact center, organization.py for an
AWS Organization); this module runs the check against it and compares what was found with what
was seeded.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from checker.cli.exits import EXIT_DRIFT, EXIT_PASS
from checker.cli.fix import write_fix_plan
from checker.cli.live import collect_live
from checker.cli.options import Subcommands, add_format_flags, chosen_formats, noise_flags
from checker.cli.reports import ReportOptions, judge
from checker.cli.terminal import Terminal
from checker.errors import UsageError
from checker.fix.run import fix_summary
from checker.load.policy import load_policy

# Shipped inside the package, so `warmcheck demo` works from any folder once installed.
DEMO_POLICY = Path(__file__).resolve().parent.parent / "sandbox" / "demo-policy.yaml"


def add_parser(commands: Subcommands) -> None:
    demo = commands.add_parser(
        "demo",
        parents=[noise_flags()],
        help="start the local sandbox, seed a demo contact center with drift, check it",
        description="Start the local AWS sandbox on 127.0.0.1, seed a demo contact center "
        "with one of each common drift, run `check` against it and stop the sandbox. "
        "Exits 0 when the demo found exactly the drift it seeded.",
    )
    demo.add_argument("--out-dir", default="reports", help="where reports go (default reports/)")
    add_format_flags(demo)
    demo.add_argument(
        "--fix",
        action="store_true",
        help="also write the fix plan for the seeded drift (warmcheck-fix.*) to --out-dir",
    )
    demo.add_argument(
        "--organization",
        action="store_true",
        help="seed an AWS Organization of member accounts instead (a cross-account Lambda, "
        "drift in a member, a member that refuses the role, excluded and inactive accounts)",
    )


def run(args: argparse.Namespace) -> int:
    _require_sandbox()  # both demos run the sandbox: the same clear error when it is missing
    if args.organization:
        return _demo_organization(args)
    return _demo_contact_center(args)


def _report_options(args: argparse.Namespace) -> ReportOptions:
    """The demo reports as `check` would with its defaults, every finding failing."""
    return ReportOptions(
        out_dir=args.out_dir,
        formats=chosen_formats(args.format),
        fail_on="low",
        quiet=args.quiet,
        compact=args.compact,
    )


def _shown_path(path: Path) -> str:
    """A path relative to the working folder when it is inside it, else absolute."""
    try:
        return path.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def _require_sandbox() -> None:
    try:  # moto and the seed load only for the demo
        import moto  # noqa: F401
    except ImportError:
        raise UsageError(
            "the demo needs the local AWS sandbox, which is not installed",
            hint="pip install 'warmcheck[sandbox]' (or pipx install 'warmcheck[sandbox]')",
        ) from None


def _demo_contact_center(args: argparse.Namespace) -> int:
    options = _report_options(args)
    from checker.sandbox import Sandbox
    from checker.sandbox.demo import seed_demo

    loaded = load_policy(_shown_path(DEMO_POLICY))
    print("warmcheck demo: starting the local AWS sandbox on 127.0.0.1 ...")
    with Sandbox.start() as sandbox:
        print(f"warmcheck demo: sandbox at {sandbox.endpoint_url}; seeding a contact center")
        manifest = seed_demo(sandbox.env())
        for line in manifest.drifts:
            print(f"  seeded drift: {line}")
        for line in manifest.notes:
            print(f"  also expected: {line}")
        snapshot = collect_live(
            loaded.policy, None, None, Terminal(quiet=True), access=sandbox.access()
        )
        report = judge(loaded, snapshot, options)
        if args.fix:
            plan, written = write_fix_plan(loaded, snapshot, Path(args.out_dir), None)
            for line in fix_summary(plan, written, quiet=True):
                print(f"warmcheck demo: {line.removeprefix('warmcheck ')}")
            print(f"warmcheck demo: plan written: {', '.join(str(p) for p in written)}")
    found = {(f.rule, f.resource) for f in report.findings}
    expected = set(manifest.expected)
    if found == expected:
        print(
            f"warmcheck demo: OK: found exactly the {len(expected)} seeded drift findings; "
            f"reports in {args.out_dir}/ (the sandbox has stopped)"
        )
        return EXIT_PASS
    _print_differences(expected, found)
    return EXIT_DRIFT


def _demo_organization(args: argparse.Namespace) -> int:
    from checker.sandbox import Sandbox
    from checker.sandbox.organization import ORGANIZATION_POLICY, seed_organization

    loaded = load_policy(_shown_path(ORGANIZATION_POLICY))
    print("warmcheck demo: starting the local AWS sandbox on 127.0.0.1 ...")
    with Sandbox.start() as sandbox:
        print(f"warmcheck demo: sandbox at {sandbox.endpoint_url}; seeding an organization")
        manifest = seed_organization(sandbox.env())
        for line in manifest.drifts:
            print(f"  seeded: {line}")
        snapshot = collect_live(
            loaded.policy, None, None, Terminal(quiet=True), access=sandbox.access()
        )
        report = judge(loaded, snapshot, _report_options(args))
    scan = snapshot.organization
    outcomes = {o.account: o.outcome for o in scan.outcomes} if scan is not None else {}
    for account, outcome in sorted(outcomes.items()):
        print(f"  account {account}: {outcome}")
    found = {(f.rule, f.resource) for f in report.findings}
    if found == set(manifest.expected) and outcomes == dict(manifest.outcomes):
        print(
            f"warmcheck demo: OK: every account has the outcome seeded and the "
            f"{len(found)} seeded findings were found; reports in {args.out_dir}/"
        )
        return EXIT_PASS
    _print_differences(set(manifest.expected), found)
    for account, wanted in sorted(manifest.outcomes.items()):
        if outcomes.get(account) != wanted:
            print(f"warmcheck demo: account {account}: {outcomes.get(account)}, not {wanted}")
    return EXIT_DRIFT


def _print_differences(expected: set[tuple[str, str]], found: set[tuple[str, str]]) -> None:
    for rule, resource in sorted(expected - found):
        print(f"warmcheck demo: MISSED {rule} {resource}")
    for rule, resource in sorted(found - expected):
        print(f"warmcheck demo: UNEXPECTED {rule} {resource}")
