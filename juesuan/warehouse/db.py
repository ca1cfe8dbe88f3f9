"""Opening the warehouse: a reader as it is, a writer after waiting for the lock and bringing the schema up
to date (:mod:`juesuan.warehouse.migrations`, imported only by writers: a query starts without the
declarations' models)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import duckdb

CONTENT_TABLES = ("documents", "facts", "narrative_figures", "checks", "document_sources")


class WarehouseLocked(RuntimeError):
    """Another process holds the warehouse's writer lock (DuckDB allows one writer per file)."""


def connect(
    path: str | Path,
    read_only: bool = False,
    wait: float = 0.0,
    on_wait: Callable[[str], None] | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse. A writer waits up to ``wait`` seconds for another writer to finish (telling
    ``on_wait`` once), then gives up with :class:`WarehouseLocked` naming the holder."""
    path = Path(path)
    if read_only:
        if not path.exists():
            raise FileNotFoundError(f"{path}: no warehouse there (run `juesuan ingest` first)")
        return duckdb.connect(str(path), read_only=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    told = False
    while True:
        try:
            con = duckdb.connect(str(path))
            break
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            if time.monotonic() >= deadline:
                holder = _holder(exc)
                raise WarehouseLocked(f"{path}: held open by another process ({holder})") from exc
            if on_wait and not told:
                on_wait(f"{path} is held open by another process ({_holder(exc)}); waiting for it")
                told = True
            time.sleep(1.0)
    from juesuan.warehouse.migrations import migrate

    migrate(con)
    return con


def tune_for_loading(con: duckdb.DuckDBPyConnection) -> None:
    """Settings for the single writer of an ingest, which runs beside the parse workers.

    One thread: its inserts are small and the cores are the parsers'. A capped buffer pool: its memory
    stays flat however large the warehouse grows. A checkpoint every 64 MB of log instead of DuckDB's
    16 MB: a checkpoint rewrites the last, partly filled row group of every table it touches (of checks,
    with its lists of cells, up to a second), so fewer of them are most of what batching saves; the log
    stays small enough to replay at once after a crash."""
    con.execute("SET threads = 1")
    con.execute("SET memory_limit = '192MB'")
    con.execute("SET wal_autocheckpoint = '64MB'")


def _holder(exc: Exception) -> str:
    """The process DuckDB names as holding the file (its PID): a writer or a reader, we cannot tell."""
    return str(exc).split("held in", 1)[-1].split(". See", 1)[0].strip()
