"""`warmcheck merge`: join the shard snapshots of one organization into one snapshot."""

from __future__ import annotations

import argparse
from pathlib import Path

from checker.cli.exits import EXIT_INCOMPLETE, EXIT_PASS
from checker.cli.options import Subcommands, noise_flags
from checker.collect.shard import ShardFile
from checker.collect.shard import merge as merge_shards
from checker.load.snapshot import load_snapshot
from checker.output import Replace, check_file, publish


def add_parser(commands: Subcommands) -> None:
    merge = commands.add_parser(
        "merge",
        parents=[noise_flags()],
        help="join the snapshots of `collect --shard I/N` into one",
        description="Join shard snapshots into the organization's one snapshot, for `check "
        "--snapshot`. Every shard 1..N exactly once, or nothing is written (exit 2).",
    )
    merge.add_argument("shards", nargs="+", metavar="SNAPSHOT", help="shard snapshot files")
    merge.add_argument("--out", required=True, metavar="FILE", help="snapshot file to write")


def run(args: argparse.Namespace) -> int:
    check_file(Path(args.out), "--out")
    files = [ShardFile(path, load_snapshot(path)) for path in args.shards]
    merged = merge_shards(files)  # refuses a missing, repeated or foreign shard: exit 2
    publish([Replace(Path(args.out), merged.to_json(), "--out")])
    print(
        f"warmcheck: {len(files)} shard(s) merged: {len(merged.accounts)} account(s) scanned, "
        f"{len(merged.instances)} Connect instance(s), {len(merged.functions)} function(s) "
        f"written to {args.out}"
    )
    return EXIT_INCOMPLETE if merged.errors else EXIT_PASS
