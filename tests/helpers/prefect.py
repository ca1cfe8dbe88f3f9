"""Prefect for the tests: a test harness (a temporary API server) in a home of its own, telemetry off."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

QUIET = {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1", "PREFECT_LOGGING_LEVEL": "WARNING"}


@contextlib.contextmanager
def harness(home: Path) -> Iterator[None]:
    """Prefect's test harness with PREFECT_HOME at ``home``; the environment restored afterwards."""
    old = {k: os.environ.get(k) for k in (*QUIET, "PREFECT_HOME")}
    os.environ.update(QUIET, PREFECT_HOME=str(home))
    from prefect.testing.utilities import prefect_test_harness

    try:
        with _started(prefect_test_harness):
            yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@contextlib.contextmanager
def _started(prefect_test_harness, attempts: int = 3) -> Iterator[None]:
    """The harness, its temporary server started again when the first answer to its health check is a
    dropped connection. Prefect retries a refused connection, not that (one set-up error in a clean-clone
    run of the whole suite, 2026-12-06, on a busy machine); the tests' own failures are not retried."""
    import httpx

    for attempt in range(attempts):
        stack = contextlib.ExitStack()
        try:
            stack.enter_context(prefect_test_harness(server_startup_timeout=120))
        except httpx.RemoteProtocolError:  # nothing was entered: nothing to close
            if attempt == attempts - 1:
                raise
            continue
        with stack:
            yield
        return
