"""The ingest flow: discover → one prepare task per document → a single writer loads in order.

Where the prepare tasks run is the task runner's business: threads in this process (the default), separate
processes (``workers``), or a Dask cluster (``dask_address``, through prefect-dask's DaskTaskRunner). The
tasks return per-document frames; only this process ever writes DuckDB.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger, task

from juesuan.ingest import (
    DEFAULT_WAREHOUSE,
    Prepared,
    discover,
    document_id,
    prepare,
    prepare_isolated,
    store,
)
from juesuan.parse.document import PARSER_VERSION
from juesuan.warehouse import connect
from juesuan.warehouse.load import known


def _document_key(context, parameters: dict) -> str:
    """Same bytes and same parser: the same result, whatever the file is called."""
    del context
    return f"prepare-{parameters['document_id']}-{PARSER_VERSION}"


@task(name="prepare", retries=2, retry_delay_seconds=2, cache_key_fn=_document_key, persist_result=True)
def prepare_document(
    path: str, document_id: str, isolate: bool = True, timeout: float = 300.0, memory_mb: int = 3072
) -> Prepared:
    """One document, in a child process under a time and memory limit unless ``isolate`` is off (on a Dask
    cluster, whose workers have their own memory limits and are restarted by their nannies)."""
    del document_id  # the cache key
    return prepare_isolated(path, timeout, memory_mb) if isolate else prepare(path)


def task_runner(dask_address: str | None = None, workers: int = 0):
    """The Prefect task runner for the prepare tasks (None: the flow's default, threads)."""
    if dask_address:
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(address=dask_address)
    if workers > 0:  # threads that wait on one isolated child process per document
        from prefect.task_runners import ThreadPoolTaskRunner

        return ThreadPoolTaskRunner(max_workers=workers)
    return None


def run_ingest_flow(
    paths: list[str],
    warehouse: str = str(DEFAULT_WAREHOUSE),
    dask_address: str | None = None,
    workers: int = 0,
) -> dict:
    """The ingest flow with its prepare tasks on Dask or, isolated in child processes, on N threads."""
    runner = task_runner(dask_address, workers)
    chosen = ingest_flow.with_options(task_runner=runner) if runner is not None else ingest_flow
    return chosen(paths, warehouse, window=max(4, 2 * workers), isolate=not dask_address)


@flow(name="ingest", log_prints=False)
def ingest_flow(
    paths: list[str],
    warehouse: str = str(DEFAULT_WAREHOUSE),
    window: int = 4,
    isolate: bool = True,
    timeout: float = 300.0,
    memory_mb: int = 3072,
) -> dict:
    """Parse up to ``window`` documents ahead of the writer (memory stays flat as the corpus grows), each in
    a child process under ``timeout`` seconds and ``memory_mb`` unless ``isolate`` is off."""
    logger = get_run_logger()
    files = discover(paths)
    target = Path(warehouse)
    con = connect(target)
    counts = {"loaded": 0, "skipped": 0, "quarantined": 0}
    outcomes = []

    def write(prepared: Prepared) -> None:
        outcome = store(con, prepared, target.parent / "quarantine")
        counts[outcome.status] += 1
        outcomes.append(
            {"path": outcome.path, "status": outcome.status, "reason": outcome.reason, "facts": outcome.facts}
        )
        if outcome.status == "quarantined":
            logger.warning("quarantined %s: %s", outcome.path, outcome.reason)

    try:
        pending = []
        for path in files:
            doc_id = document_id(path)
            if known(con, doc_id) is not None:
                counts["skipped"] += 1
                continue
            pending.append(prepare_document.submit(str(path), doc_id, isolate, timeout, memory_mb))
            while len(pending) > window:
                write(pending.pop(0).result())
        while pending:
            write(pending.pop(0).result())
    finally:
        con.close()
    logger.info("ingest: %s", counts)
    return {"counts": counts, "outcomes": outcomes}
