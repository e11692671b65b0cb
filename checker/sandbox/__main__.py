"""``python -m checker.sandbox serve``: run the sandbox as its own process until SIGTERM/SIGINT.

Prints one line, ``AWS_ENDPOINT_URL=http://127.0.0.1:PORT``, once it answers requests.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from checker.sandbox.faults import FaultPlan
from checker.sandbox.sandbox import Sandbox, SandboxError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m checker.sandbox")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the sandbox on 127.0.0.1")
    serve.add_argument("--port", type=int, default=0, help="front server port (default: free)")
    serve.add_argument("--latency-ms", type=int, default=0, help="delay every request")
    serve.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="SPEC",
        help="throttle=SERVICE:OPERATION@RATE/BURST, deny=SERVICE:OPERATION or latency=MS",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        plan = FaultPlan.parse(args.fault, latency_ms=args.latency_ms)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    try:
        sandbox = Sandbox.start(faults=plan, port=args.port)
    except SandboxError as error:
        print(
            f"error: {error.message}" + (f" ({error.hint})" if error.hint else ""), file=sys.stderr
        )
        return 3
    try:
        print(f"AWS_ENDPOINT_URL={sandbox.endpoint_url}", flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        sandbox.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
