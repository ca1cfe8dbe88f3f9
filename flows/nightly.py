"""The nightly flow: gather the sources, ingest what is new, read again what an older parser read, publish
when something changed, and tell the operator (a Prefect artifact, a webhook when something needs a look).
Served at 02:00 Asia/Shanghai by ``juesuan schedule``; ``juesuan nightly`` runs the same flow once."""

from __future__ import annotations

import os
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from flows.ingest import run_ingest_flow
from flows.publish import publish_flow
from juesuan import night
from juesuan import paths as defaults
from juesuan.ingest import Outcome, reprocess
from juesuan.reference.fields import IngestStatus
from juesuan.sources import gather, load_sources
from juesuan.warehouse.db import WarehouseLocked
from juesuan.warehouse.export import KEEP

NIGHTLY_CRON = "0 2 * * *"
TIMEZONE = "Asia/Shanghai"
NOTIFY_ENV = "JUESUAN_NOTIFY_URL"  # the webhook, when the deployment does not name one
QUARANTINED = IngestStatus.QUARANTINED
REPROCESS_PER_NIGHT = 50  # documents an older parser read, re-read per night (the rest on later nights)


@flow(name="nightly")
def nightly_flow(
    sources: str = str(defaults.SOURCES),
    warehouse: str = str(defaults.WAREHOUSE),
    out: str = str(defaults.EXTRACTS),
    archive: str = str(defaults.ARCHIVE),
    dask_address: str | None = None,
    wait: float = 600.0,
    reprocess_limit: int = REPROCESS_PER_NIGHT,
    keep: int = KEEP,
    notify_url: str | None = None,
) -> dict:
    """One night. ``wait``: seconds for the writer lock (analysts read releases, not the live file);
    ``keep``: dated releases kept; ``notify_url`` (or $JUESUAN_NOTIFY_URL): where a night that needs a look
    is posted. Returns the night's report (``exit_code``: 0 all well, 1 a source failed or a file was refused,
    3 the writer lock could not be had)."""
    logger = get_run_logger()
    report = night.NightReport(started_at=night.started())
    url = notify_url or os.environ.get(NOTIFY_ENV)
    try:
        gathered = fetch_sources(sources, archive)
        report.sources = night.source_lines(gathered.sources)
        result = run_ingest_flow(
            gathered.paths, warehouse, dask_address=dask_address, wait=wait, archive=archive
        )
        report.counts = result["counts"]
        outcomes = result["outcomes"]
        report.quarantined = [(o["path"], o["reason"] or "") for o in outcomes if o["status"] == QUARANTINED]
        loaded = [o["document_id"] for o in outcomes if o["status"] == IngestStatus.LOADED]
        reread = reprocess_documents(warehouse, reprocess_limit, wait)
        report.reprocessed, refused_again = night.tally(reread)
        report.reprocessed = {s: n for s, n in report.reprocessed.items() if n}
        report.quarantined += refused_again
        loaded += [o.document_id for o in reread if o.status == IngestStatus.LOADED]
        report.failed_checks = night.failed_checks(warehouse, loaded)
        published = publish_flow(warehouse, out, keep=keep)
        report.release, report.release_new = published["release"], published["new"]
    except Exception as exc:  # the night stops; the operator hears why before the flow fails
        report.error = f"{type(exc).__name__}: {exc}"
        report.locked = isinstance(exc, WarehouseLocked)
        tell(report, url)
        raise
    tell(report, url)
    logger.info(
        "nightly: %s; release %s (%s)",
        report.counts,
        report.release,
        "new" if report.release_new else "unchanged",
    )
    return report.as_dict()


@task(name="fetch sources")
def fetch_sources(sources: str, archive: str):
    """Folders as they are; listing pages fetched into the archive. Each source stands alone: a dead one is
    reported with its reason and the others go on (retries are per request, for transient failures)."""
    return gather(sources, archive)


@task(name="reprocess")
def reprocess_documents(warehouse: str, limit: int, wait: float) -> list[Outcome]:
    """Documents an older parser read (loaded or refused), read again by this one, ``limit`` a night."""
    return reprocess(warehouse, limit=limit, wait=wait) if limit > 0 else []


def tell(report: night.NightReport, url: str | None) -> None:
    """The night's report as Prefect artifacts (markdown, and the per-source table) and, when something
    needs a look, on the webhook."""
    create_markdown_artifact(report.markdown(), key="nightly-report", description="what the night did")
    create_table_artifact(
        report.table(), key="nightly-sources", description="per source: fetched, new, failed"
    )
    if report.needs_a_look:
        night.notify(url, report)


def deployment_parameters(
    sources: str | Path, warehouse: str | Path, out: str | Path, archive: str | Path, notify_url: str | None
) -> dict:
    """The deployment's parameters as absolute paths, checked now (the sources file exists and parses): a
    deployment runs for months from wherever the server starts it, not from where it was registered."""
    sources = Path(sources).resolve()
    if not sources.is_file():
        raise FileNotFoundError(f"{sources}: no sources file")
    load_sources(sources)  # refuses a malformed file now rather than at 02:00
    parameters = {
        "sources": str(sources),
        "warehouse": str(Path(warehouse).resolve()),
        "out": str(Path(out).resolve()),
        "archive": str(Path(archive).resolve()),
    }
    if notify_url:
        parameters["notify_url"] = notify_url
    return parameters


def serve(
    name: str = "juesuan-nightly",
    sources: str = str(defaults.SOURCES),
    warehouse: str = str(defaults.WAREHOUSE),
    out: str = str(defaults.EXTRACTS),
    archive: str = str(defaults.ARCHIVE),
    notify_url: str | None = None,
) -> None:
    """Register the deployment on the Prefect server (PREFECT_API_URL) and run its scheduled work. Stopping
    the process (SIGTERM) leaves the schedule active: no pause on shutdown."""
    from prefect.schedules import Cron

    nightly_flow.serve(
        name=name,
        schedules=[Cron(NIGHTLY_CRON, timezone=TIMEZONE)],
        parameters=deployment_parameters(sources, warehouse, out, archive, notify_url),
        pause_on_shutdown=False,
    )
