"""Jobs run one per forked process under a time and a memory limit, results handed back in input order.

Any job that can hang, exhaust memory or crash its process (a PDF library's segfault, the kernel's OOM
killer) is run here so that it fails alone and is blamed on exactly itself. The pool is handed the function
to run and a way to turn a failure into a result; what the jobs are is none of its business.
"""

from __future__ import annotations

import functools
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


class RelayLost(RuntimeError):
    """The process that forks the children died (the kernel's OOM killer, a signal): no job after it can be
    run or blamed, so the run stops rather than fail every job that was still to come."""


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

    With ``fork`` the children are not forked from the caller but from a relay, a process forked from the
    caller as the run starts, which forks them and passes their results on. The caller is typically a
    writer whose memory changes while children run (DuckDB's buffers, a checkpoint rewriting them); a child
    forked from it keeps the old copy of every page the writer changes while it lives: two children caught
    in a checkpoint held ~230 MB of such pages, and 1,000 documents with 2 workers peaked at 634-647 MB. The
    relay changes nothing, so its children share its pages for as long as they live: 514-520 MB. A result
    is pickled twice (child → relay → caller): ~2 ms for a document's ~400 KB.
    """
    if method == "fork":
        forking = functools.partial(_forking, work, jobs, failed, workers, timeout, memory_mb, method)
        yield from _relayed(forking, len(jobs))
    else:
        yield from _forking(work, jobs, failed, workers, timeout, memory_mb, method)


def _relayed(results: Callable[[], Iterator[Result]], count: int) -> Iterator[Result]:
    """The ``count`` items of ``results()``, produced in a process forked now and sent back through a pipe."""
    import multiprocessing as mp

    context = mp.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    # frozen, the objects the relay shares with this process are left alone by this process's collector
    # (which would otherwise write to, and so copy, every page it walks)
    gc.collect()
    gc.freeze()
    relay = context.Process(
        target=_relay,
        args=(results, receiver, sender, os.getpid()),
        name="juesuan-relay",
    )
    try:
        relay.start()
        sender.close()
        for _ in range(count):
            try:
                result = receiver.recv()
            except EOFError:
                relay.join()
                raise RelayLost(
                    f"the process forking the workers died (exit code {relay.exitcode})"
                ) from None
            yield result
        relay.join()  # it exits once it has sent the last result
    finally:
        if relay.is_alive():  # the caller stopped early, or failed
            relay.terminate()
            relay.join()
        receiver.close()
        gc.unfreeze()


def _relay(results: Callable[[], Iterator], receiver, sender, caller: int) -> None:
    """The relay's life: fork the children, pass their results on in order. Told to stop (SIGTERM: the
    caller is done, failed or died), it kills the children still running. Ctrl-C reaches the caller, which
    stops the relay."""
    receiver.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop)
    _die_with_parent(caller, signal.SIGTERM)
    stream = results()
    try:
        for result in stream:
            sender.send(result)
    except (BrokenPipeError, SystemExit):
        pass
    finally:
        stream.close()
        sender.close()


def _stop(signum, frame) -> None:
    raise SystemExit(0)


def _forking(
    work: Callable[[Job], Result],
    jobs: Sequence[Job],
    failed: Callable[[Job, Failure], Result],
    workers: int,
    timeout: float,
    memory_mb: int,
    method: str,
) -> Iterator[Result]:
    """:func:`run`'s children forked from this process (or from a fork server)."""
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
    parent = os.getpid() if method == "fork" else None  # a fork server's child is the server's
    queue = deque(enumerate(jobs))
    running: dict[int, _Child[Job]] = {}
    done: dict[int, Result] = {}
    next_out = 0

    def start_children() -> None:
        while queue and len(running) < workers and queue[0][0] < next_out + 4 * workers:
            index, job = queue.popleft()
            receiver, sender = context.Pipe(duplex=False)
            process = context.Process(target=_child, args=(work, job, memory_mb, sender, parent), daemon=True)
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
            child.process.join()
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


def _child(work: Callable, job: object, memory_mb: int, sender, parent: int | None) -> None:
    if parent is not None:
        _die_with_parent(parent)
    _limit_child(memory_mb)
    sender.send(work(job))
    sender.close()


def _die_with_parent(parent: int, signum: int = signal.SIGKILL) -> None:
    """No process of the pool outlives its parent: a child holds the pipe its relay's consumer reads until
    it exits, and a relay left alone would parse on for a writer that is gone."""
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signum)
    except (OSError, AttributeError):
        return  # not Linux: a child exits once its job is done, a relay at its next send
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)


_PR_SET_PDEATHSIG = 1


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
