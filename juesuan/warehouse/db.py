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


# the writer folds its log into the file once it holds this much (checkpoint_when_due: ~190 documents of
# 630 cells); DuckDB's own automatic checkpoint stays as a backstop for a transaction far larger than a batch
LOG_CHECKPOINT_BYTES = 64 * 2**20
LOG_BACKSTOP = "1GB"


def tune_for_loading(con: duckdb.DuckDBPyConnection) -> None:
    """Settings for the single writer of an ingest, which runs beside the parse workers.

    One thread: its inserts are small and the cores are the parsers'. A capped buffer pool: its memory
    stays flat however large the warehouse grows. Checkpoints between batches (:func:`checkpoint_when_due`)
    rather than inside whichever commit crosses DuckDB's threshold."""
    con.execute("SET threads = 1")
    con.execute("SET memory_limit = '192MB'")
    con.execute(f"SET wal_autocheckpoint = '{LOG_BACKSTOP}'")


def checkpoint_when_due(con: duckdb.DuckDBPyConnection, log_bytes: int = LOG_CHECKPOINT_BYTES) -> bool:
    """Fold the write-ahead log into the database file once it holds ``log_bytes``; True if it did.

    Called by the writer between batches, not left to DuckDB's automatic checkpoint inside a commit, so
    that its cost is paid at a known point, where the writer and the bench account for it, instead of in
    some batch's commit. A checkpoint rewrites the last, partly filled row group of every table it touches
    whole (in a 9,000-document warehouse the same 12,480 narrative_figures rows cost 0.79 s to fold when the
    table's last group held 98,000 rows, 0.036 s when it held 4,000): work that rises and falls as each
    table's last group fills, so fewer checkpoints cost less (schema v7's two indexes, also rewritten
    whole at every checkpoint, were dropped in v8: juesuan.warehouse.known). But the log not yet
    folded is held in the writer's memory. Measured (bench): over 10,000 documents 64 MB → 191 s and the
    last 1,000 documents 1.10× the first (paired), 128 MB → 177 s and 1.10×, 256 MB → 171 s and 1.07–1.13×;
    1,000 documents with 2 workers forked from the writer peaked at 599 MB (PSS, all processes) with 64 MB
    and at 661 MB with 256 MB, so 64 MB was kept. Those peaks were the checkpoints' rewrite copied by
    workers forked before it (626-653 MB later); the workers now come from a relay (juesuan.pool.run) and
    the same 64 MB peaks at 514-520 MB (README, Throughput).
    Replaying a 279 MB log after a crash took 2.6 s.
    """
    (path,) = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    log = Path(f"{path}.wal") if path else None
    if log is None or not log.exists() or log.stat().st_size < log_bytes:
        return False
    con.execute("CHECKPOINT")
    return True


def _holder(exc: Exception) -> str:
    """The process DuckDB names as holding the file (its PID): a writer or a reader, we cannot tell."""
    return str(exc).split("held in", 1)[-1].split(". See", 1)[0].strip()
