"""The ingest flow: the library's :func:`juesuan.ingest.ingest` with one prepare task per new document.

Where the prepare tasks run is the task runner's business: threads in this process (the default), separate
processes (``workers``), or a Dask cluster (``dask_address``, through prefect-dask's DaskTaskRunner). The
tasks return per-document frames; only this process ever writes DuckDB, through the same code as
``juesuan ingest`` (so both give the same warehouse for the same folder).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from prefect import flow, get_run_logger, task

from juesuan import paths as defaults
from juesuan.ingest import (
    Outcome,
    Prepared,
    Preparer,
    ingest,
    prepare,
    prepare_isolated,
)
from juesuan.night import origins_from
from juesuan.parse.document import PARSER_VERSION
from juesuan.reference.fields import IngestStatus


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
    warehouse: str = str(defaults.WAREHOUSE),
    dask_address: str | None = None,
    workers: int = 0,
    wait: float = 600.0,
    archive: str | None = None,
) -> dict:
    """The ingest flow with its prepare tasks on Dask or, isolated in child processes, on N threads."""
    runner = task_runner(dask_address, workers)
    chosen = ingest_flow.with_options(task_runner=runner) if runner is not None else ingest_flow
    return chosen(
        paths, warehouse, window=max(4, 2 * workers), isolate=not dask_address, wait=wait, archive=archive
    )


def task_preparer(isolate: bool, timeout: float, memory_mb: int, window: int) -> Preparer:
    """The library's preparer as Prefect tasks: up to ``window`` documents submitted ahead of the writer
    (memory stays flat as the corpus grows), results handed back in input order."""

    def run(todo: list[tuple[str, str]]) -> Iterator[Prepared]:
        pending: deque = deque()
        for path, doc_id in todo:
            pending.append((path, prepare_document.submit(path, doc_id, isolate, timeout, memory_mb)))
            while len(pending) > window:
                path, future = pending.popleft()
                yield future.result().at(path)  # the task is cached by content: name this file
        while pending:
            path, future = pending.popleft()
            yield future.result().at(path)

    return run


@flow(name="ingest", log_prints=False)
def ingest_flow(
    paths: list[str],
    warehouse: str = str(defaults.WAREHOUSE),
    window: int = 4,
    isolate: bool = True,
    timeout: float = 300.0,
    memory_mb: int = 3072,
    wait: float = 600.0,
    archive: str | None = None,
) -> dict:
    """The library's ingest with its documents prepared as tasks (each in a child process under
    ``timeout`` seconds and ``memory_mb`` unless ``isolate`` is off); ``wait`` seconds for the writer lock;
    the files of ``archive`` (fetched ones) are recorded with the URLs they came from.
    Orchestration only: what is new, duplicates, sources, quarantine and loading are the library's."""
    logger = get_run_logger()

    def told(outcome: Outcome) -> None:
        if outcome.status == IngestStatus.QUARANTINED:
            logger.warning("quarantined %s: %s", outcome.path, outcome.reason)

    outcomes = ingest(
        paths,
        warehouse,
        on_document=told,
        wait=wait,
        on_wait=logger.warning,
        preparer=task_preparer(isolate, timeout, memory_mb, window),
        origins=origins_from(archive) if archive else None,
    )
    counts = {status.value: 0 for status in IngestStatus}
    for outcome in outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    logger.info("ingest: %s", counts)
    return {
        "counts": counts,
        "outcomes": [
            {
                "path": o.path,
                "document_id": o.document_id,
                "status": o.status,
                "reason": o.reason,
                "facts": o.facts,
            }
            for o in outcomes
        ],
    }
