"""Jobs run one per forked process under a time and a memory limit, results handed back in input order.

Any job that can hang, exhaust memory or crash its process (a PDF library's segfault, the kernel's OOM
killer) is run here so that it fails alone and is blamed on exactly itself. The pool is handed the function
to run and a way to turn a failure into a result; what the jobs are is none of its business.
"""

from __future__ import annotations

import gc
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, Literal, TypeVar

Job = TypeVar("Job")
Result = TypeVar("Result")


@dataclass(frozen=True)
class Failure:
    """Why a job's process gave no result: it ran out of time (``timeout``, the limit in seconds) or died
    (``crashed``; ``cause`` names the signal, or the exit status)."""

    kind: Literal["timeout", "crashed"]
    timeout: float
    cause: str = ""


def run(
    work: Callable[[Job], Result],
    jobs: Sequence[Job],
    failed: Callable[[Job, Failure], Result],
    workers: int,
    timeout: float,
    memory_mb: int,
    method: str = "fork",
) -> Iterator[Result]:
    """``work(job)`` for each job in its own process (at most ``workers`` at a time, at most 4 × ``workers``
    ahead of the consumer), in input order; ``failed(job, failure)`` stands in for a job that timed out or
    died.

    One process per job rather than a pool of long-lived workers: a worker that dies is seen at once and
    blamed on exactly its job, and the time limit runs from that job's start. A fork costs a few
    milliseconds against a job of hundreds. ``work`` must be a module-level function where ``method`` is not
    ``fork``: a fork server's children import its module (preloaded into the server) and unpickle it.
    """
    import multiprocessing as mp
    from multiprocessing.connection import wait

    context = mp.get_context(method)
    if method != "fork":
        context.set_forkserver_preload([work.__module__])
    else:
        # a forked child's garbage collector walks every object the parent had, and so writes to (and
        # copies) nearly every page it shares: frozen, they are left alone (a fifth of a document's time)
        gc.collect()
        gc.freeze()
    queue = deque(enumerate(jobs))
    running: dict[int, _Child[Job]] = {}
    done: dict[int, Result] = {}
    next_out = 0

    def start_children() -> None:
        while queue and len(running) < workers and queue[0][0] < next_out + 4 * workers:
            index, job = queue.popleft()
            receiver, sender = context.Pipe(duplex=False)
            process = context.Process(target=_child, args=(work, job, memory_mb, sender), daemon=True)
            process.start()
            sender.close()
            running[index] = _Child(process, receiver, time.monotonic(), job)

    try:
        while next_out < len(jobs):
            start_children()
            wait([c.receiver for c in running.values()] + [c.process.sentinel for c in running.values()], 0.5)
            for index, child in list(running.items()):
                outcome = child.outcome(timeout)
                if outcome is not None:
                    done[index] = outcome.result if isinstance(outcome, _Sent) else failed(child.job, outcome)
                    del running[index]
            # the next children start before the results are handed on: the consumer may take a while
            # to store them, and the cores keep parsing meanwhile
            start_children()
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
    finally:
        for child in running.values():
            child.process.kill()
        if method == "fork":
            gc.unfreeze()


@dataclass(frozen=True)
class _Sent:
    result: object


@dataclass
class _Child(Generic[Job]):
    process: object
    receiver: object
    started: float
    job: Job

    def outcome(self, timeout: float) -> _Sent | Failure | None:
        """What the child sent, why it sent nothing (dead or out of time), or None while it works."""
        process, receiver = self.process, self.receiver
        if receiver.poll():
            try:
                return _Sent(receiver.recv())
            except EOFError:
                pass  # died before sending: below
            finally:
                # waited for, not left to exit on its own: an exiting child still holds its parse's
                # memory (left to exit beside the next child: 659 MB peak for 1,000 documents with 2
                # workers, against 626-640 MB waited for)
                process.join()
                receiver.close()
        if process.is_alive() and time.monotonic() - self.started <= timeout:
            return None
        if process.is_alive():
            process.kill()
            process.join()
            failure = Failure("timeout", timeout)
        else:
            process.join()
            code = process.exitcode or 0
            name = signal.Signals(-code).name if code < 0 else f"exit status {code}"
            failure = Failure("crashed", timeout, name)
        receiver.close()
        return failure


def _child(work: Callable, job: object, memory_mb: int, sender) -> None:
    _limit_child(memory_mb)
    sender.send(work(job))
    sender.close()


def _limit_child(megabytes: int) -> None:
    """A child's set-up. A job that needs more than ``megabytes`` of new address space fails alone
    (MemoryError); the limit counts from what the forked child already maps, because a long-lived parent
    (DuckDB's threads and arenas, a test runner) can itself map gigabytes it never touches. Children run at
    a lower priority than the parent, which consumes every result and which every job waits for."""
    import resource

    os.nice(5)
    limit = _mapped_bytes() + megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _mapped_bytes() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0
