"""checker.collect.executor: one pool for the run; a read waits for its token off the workers."""

from __future__ import annotations

import threading
import time

import pytest

from checker.collect.base import Quota, RateLimiter, ServiceLimits
from checker.collect.executor import SHARED_ACCOUNTS, Call, CallExecutor, call_workers


def _limiter(rate: float, burst: int) -> RateLimiter:
    return RateLimiter({"svc": ServiceLimits(Quota(rate, burst))}, margin=0.0)


def test_a_read_waiting_for_its_token_holds_no_worker() -> None:
    # One worker, account A's bucket allows one request per 0.4 s: A's second read must wait,
    # and account B's read, submitted after it, runs meanwhile on the only worker.
    finished: list[str] = []
    lock = threading.Lock()

    def read(name: str) -> str:
        with lock:
            finished.append(name)
        return name

    with CallExecutor(_limiter(2.5, 1), 1) as executor:
        a1 = executor.submit(lambda: read("a1"), Call("A", "svc", "r", "Op"))
        a2 = executor.submit(lambda: read("a2"), Call("A", "svc", "r", "Op"))
        b1 = executor.submit(lambda: read("b1"), Call("B", "svc", "r", "Op"))
        assert b1.result(timeout=5) == "b1"
        assert not a2.done()  # still waiting for A's token, on no worker
        assert (a1.result(timeout=5), a2.result(timeout=5)) == ("a1", "a2")
    assert finished == ["a1", "b1", "a2"]


def test_one_buckets_reads_go_no_faster_than_its_rate() -> None:
    rate = 40.0
    started: list[float] = []
    lock = threading.Lock()

    def read() -> None:
        with lock:
            started.append(time.monotonic())

    with CallExecutor(_limiter(rate, 1), 8) as executor:
        submitted = time.monotonic()
        futures = [executor.submit(read, Call("A", "svc", "r", "Op")) for _ in range(6)]
        for future in futures:
            future.result(timeout=5)
    # The k-th read starts no sooner than its token: k / rate after the (full) bucket's first.
    for k, moment in enumerate(sorted(started)):
        assert moment >= submitted + k / rate - 0.002


def test_the_reserved_token_pays_for_the_first_request_only() -> None:
    # Burst 1: the token reserved at submission is the only one. The read's first request
    # (the client's before-send hook calls acquire) goes at once; a second page waits.
    limiter = _limiter(20.0, 1)
    waits: list[float] = []

    def read() -> None:
        waits.append(limiter.acquire("svc", "r", "Op", "A"))
        waits.append(limiter.acquire("svc", "r", "Op", "A"))

    with CallExecutor(limiter, 1) as executor:
        executor.submit(read, Call("A", "svc", "r", "Op")).result(timeout=5)
    assert waits[0] == 0.0
    assert waits[1] == pytest.approx(1 / 20.0, abs=0.02)


def test_a_prepaid_token_never_pays_for_another_bucket() -> None:
    limiter = RateLimiter(
        {"svc": ServiceLimits(Quota(5.0, 1)), "fast": ServiceLimits(Quota(100.0, 1))},
        margin=0.0,
    )
    limiter.acquire("fast", "r", "Op", "A")  # the other bucket's only token is gone
    waits: list[float] = []

    def read() -> None:
        waits.append(limiter.acquire("fast", "r", "Op", "A"))  # not the bucket that was paid
        waits.append(limiter.acquire("svc", "r", "Op", "A"))
        waits.append(limiter.acquire("svc", "r", "Op", "A"))  # paid once, used once

    with CallExecutor(limiter, 1) as executor:
        executor.submit(read, Call("A", "svc", "r", "Op")).result(timeout=5)
    assert waits[0] > 0  # the other bucket made it wait
    assert waits[1] == 0.0  # the prepaid token was still there for its own bucket's request
    assert waits[2] > 0


def test_unlimited_services_and_untagged_reads_go_at_once() -> None:
    with CallExecutor(_limiter(0.001, 1), 2) as executor:
        assert executor.submit(lambda: 1).result(timeout=5) == 1
        assert executor.submit(lambda: 2, Call("A", "other", "r", "Op")).result(timeout=5) == 2


def test_an_error_in_a_delayed_read_reaches_its_future() -> None:
    def fail() -> None:
        raise ValueError("boom")

    with CallExecutor(_limiter(50.0, 1), 1) as executor:
        executor.submit(lambda: None, Call("A", "svc", "r", "Op")).result(timeout=5)
        delayed = executor.submit(fail, Call("A", "svc", "r", "Op"))
        with pytest.raises(ValueError, match="boom"):
            delayed.result(timeout=5)


def test_shutdown_runs_what_is_waiting_then_refuses_more() -> None:
    executor = CallExecutor(_limiter(20.0, 1), 1)
    futures = [executor.submit(lambda: 1, Call("A", "svc", "r", "Op")) for _ in range(3)]
    executor.shutdown()
    assert all(future.done() for future in futures)
    with pytest.raises(RuntimeError):
        executor.submit(lambda: 1, Call("A", "svc", "r", "Op"))


def test_call_workers_grow_with_accounts_up_to_the_shared_bound() -> None:
    assert call_workers(8) == 24  # what one account had: 8 + 16 for Lambda
    assert call_workers(8, 2) == 48
    assert call_workers(8, 20) == 24 * SHARED_ACCOUNTS
    assert call_workers(0, 0) == 3
