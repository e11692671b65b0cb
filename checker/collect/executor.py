"""`CallExecutor`: the one pool of worker threads a whole run's AWS calls share.

Every account and every service submits its reads here. A read that names its first call
(`Call`: account, service, region, operation) is handed to a worker only once that call's
token bucket (`base.RateLimiter`, keyed by account, service, region and bucket) has a token for
it: the token is reserved at submission, and a read whose token lies in the future waits in a
timer queue, not on a worker. So a worker never sleeps on a bucket, and twenty accounts paced by
their own quotas overlap on the same few threads instead of each waiting on a pool of its own.

The reserved token pays for the read's first request only (`RateLimiter.prepaid`); its further
pages and botocore's retries take tokens in the request hook as before, waiting on the worker.
The limiter is therefore exactly as strict as before: every request that leaves still holds a
token of its own bucket.

Tasks never wait for other tasks (only orchestrating threads wait for futures), so the bounded
pool cannot deadlock.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from checker.collect.base import BucketKey, RateLimiter

T = TypeVar("T")
# A read waiting for its token: (due time, order of submission, bucket, read, its future).
_Waiting = tuple[float, int, BucketKey, Callable[[], Any], "Future[Any]"]


@dataclass(frozen=True)
class Call:
    """The first AWS call a read makes: which bucket pays for it."""

    account: str
    service: str
    region: str
    operation: str


class CallExecutor:
    """`workers` threads for every read of a run; each read goes once its bucket allows."""

    def __init__(
        self,
        limiter: RateLimiter,
        workers: int,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._limiter = limiter
        self._clock = clock
        self._pool = ThreadPoolExecutor(max(1, workers), thread_name_prefix="warmcheck-call")
        self.workers = max(1, workers)
        # (due time, order, key, task, future): reads waiting for their token, soonest first.
        self._due: list[_Waiting] = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._timer: threading.Thread | None = None
        self._closed = False

    @property
    def limiter(self) -> RateLimiter:
        return self._limiter

    def submit(self, task: Callable[[], T], call: Call | None = None) -> Future[T]:
        """Run `task` on a worker; with `call`, not before `call`'s bucket has its token."""
        key = None
        if call is not None:
            key = self._limiter.key(call.service, call.region, call.operation, call.account)
        if key is None:
            return self._pool.submit(task)
        wait = self._limiter.reserve(key)
        if wait <= 0:
            return self._pool.submit(self._paid, key, task)
        future: Future[T] = Future()
        with self._wake:
            if self._closed:
                raise RuntimeError("the call executor is shut down")
            entry: _Waiting = (self._clock() + wait, next(self._order), key, task, future)
            heapq.heappush(self._due, entry)
            if self._timer is None:
                self._timer = threading.Thread(
                    target=self._release, name="warmcheck-call-timer", daemon=True
                )
                self._timer.start()
            self._wake.notify()
        return future

    def _paid(self, key: BucketKey, task: Callable[[], T]) -> T:
        with self._limiter.prepaid(key):
            return task()

    def _release(self) -> None:
        """The timer thread: hand each waiting read to the pool when its token is due."""
        while True:
            with self._wake:
                while True:
                    if not self._due and self._closed:
                        return
                    now = self._clock()
                    if self._due and self._due[0][0] <= now:
                        _, _, key, task, future = heapq.heappop(self._due)
                        break
                    timeout = self._due[0][0] - now if self._due else None
                    self._wake.wait(timeout)
            self._pool.submit(self._settle, key, task, future)

    def _settle(self, key: BucketKey, task: Callable[[], Any], future: Future[Any]) -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            result = self._paid(key, task)
        except BaseException as error:  # handed to whoever waits on the future, like the pool
            future.set_exception(error)
        else:
            future.set_result(result)

    def shutdown(self) -> None:
        """Run what is queued, then stop the timer and the workers."""
        with self._wake:
            self._closed = True
            self._wake.notify()
        if self._timer is not None:
            self._timer.join()
        self._pool.shutdown(wait=True)

    def __enter__(self) -> CallExecutor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()


def call_workers(max_workers: int, accounts: int = 1) -> int:
    """Threads for a run's executor: `max_workers` for Connect, EventBridge, Scheduler and IAM
    and twice that for Lambda's fan-out (24 at 8) per account, up to `SHARED_ACCOUNTS` accounts.

    No worker waits on a token bucket, so threads only hide latency: at 20 Lambda requests a
    second per account and ~100 ms each, two accounts' worth carry four accounts' pace, and
    more threads would spend the collector's CPU on switching between them.
    """
    return 3 * max(1, max_workers) * max(1, min(accounts, SHARED_ACCOUNTS))


# Accounts whose worth of threads the executor grows to (see `call_workers`).
SHARED_ACCOUNTS = 2
