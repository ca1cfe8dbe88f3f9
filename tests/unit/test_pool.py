"""The process pool: where its children come from, and that nothing outlives a run."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from juesuan import pool


def _gone(pid: int) -> bool:
    """Exited (a zombie left to a PID 1 that does not reap counts as exited)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


def _wait_gone(pids: list[int], seconds: float = 10.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not all(map(_gone, pids)):
        time.sleep(0.05)
    return [p for p in pids if not _gone(p)]


def _whose(job: int) -> tuple[int, int, int]:
    return job, os.getpid(), os.getppid()


def _failed(job, failure: pool.Failure):
    return job, failure.kind, failure.cause


def test_children_come_from_one_relay_not_from_the_caller_and_results_keep_their_order():
    results = list(pool.run(_whose, list(range(6)), _failed, workers=2, timeout=30, memory_mb=512))
    assert [job for job, _, _ in results] == list(range(6))
    parents = {parent for _, _, parent in results}
    assert len({pid for _, pid, _ in results}) == 6  # one process a job
    assert len(parents) == 1 and os.getpid() not in parents
    assert _wait_gone(list(parents)) == []  # the relay is gone once the run is over


def _slow_after_first(args: tuple[int, str]) -> int:
    job, folder = args
    Path(folder, f"{job}.pid").write_text(f"{os.getpid()} {os.getppid()}")
    if job:
        time.sleep(60)
    return job


def test_a_caller_that_stops_early_leaves_neither_the_relay_nor_its_children_behind(tmp_path):
    results = pool.run(
        _slow_after_first,
        [(k, str(tmp_path)) for k in range(4)],
        _failed,
        workers=3,
        timeout=120,
        memory_mb=512,
    )
    assert next(results) == 0
    deadline = time.monotonic() + 10
    while len(list(tmp_path.glob("*.pid"))) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    pids = [int(n) for f in tmp_path.glob("*.pid") for n in f.read_text().split()]
    assert len(pids) >= 4
    results.close()  # the consumer gives up (an error while storing, Ctrl-C)
    assert _wait_gone(pids) == []


def _kill_the_relay(job: int) -> int:
    if job == 1:
        os.kill(os.getppid(), signal.SIGKILL)  # as the kernel's OOM killer would
        time.sleep(60)
    return job


def test_a_relay_that_dies_stops_the_run_with_a_clear_error_instead_of_hanging():
    start = time.monotonic()
    results = pool.run(_kill_the_relay, [0, 1, 2], _failed, workers=1, timeout=120, memory_mb=512)
    assert next(results) == 0
    with pytest.raises(pool.RelayLost, match="died"):
        next(results)
    assert time.monotonic() - start < 30  # the sleeping child died with its relay


_CALLER = """
import sys, time
from tests.unit.test_pool import _failed, _slow_after_first
from juesuan import pool
for result in pool.run(_slow_after_first, [(k, sys.argv[1]) for k in range(1, 4)], _failed, 2, 120, 512):
    pass
"""


def test_a_caller_killed_outright_takes_the_relay_and_its_children_with_it(tmp_path):
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    caller = subprocess.Popen([sys.executable, "-c", _CALLER, str(tmp_path)], cwd=root)
    deadline = time.monotonic() + 30
    while len(list(tmp_path.glob("*.pid"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    pids = {int(n) for f in tmp_path.glob("*.pid") for n in f.read_text().split()} - {caller.pid}
    assert len(pids) == 3  # two children and their relay
    caller.kill()  # SIGKILL: no finally runs in the caller
    caller.wait()
    assert _wait_gone(sorted(pids)) == []
