"""The nightly flow: gather the sources, ingest what is new, publish; served at 02:00 Asia/Shanghai."""

from __future__ import annotations

from prefect import flow, get_run_logger, task

from flows.ingest import run_ingest_flow
from flows.publish import DEFAULT_EXTRACTS, publish_flow
from juesuan.ingest import DEFAULT_WAREHOUSE
from juesuan.sources import gather

DEFAULT_ARCHIVE = "data/raw/archive"

NIGHTLY_CRON = "0 2 * * *"
TIMEZONE = "Asia/Shanghai"


@flow(name="nightly")
def nightly_flow(
    sources: str = "sources.yaml",
    warehouse: str = str(DEFAULT_WAREHOUSE),
    out: str = DEFAULT_EXTRACTS,
    archive: str = DEFAULT_ARCHIVE,
    dask_address: str | None = None,
) -> dict:
    """``dask_address`` (tcp://HOST:PORT) parses on that Dask cluster; the warehouse is written here."""
    logger = get_run_logger()
    paths = fetch_sources(sources, archive)
    result = run_ingest_flow(paths, warehouse, dask_address=dask_address)
    release = publish_flow(warehouse, out)
    logger.info("nightly: %s, published %s", result["counts"], release)
    return {"counts": result["counts"], "release": release}


@task(name="fetch sources", retries=2, retry_delay_seconds=30)
def fetch_sources(sources: str, archive: str) -> list[str]:
    """Folders as they are; listing pages fetched into the archive (conditional requests, polite pace)."""
    return gather(sources, archive)


def serve(name: str = "juesuan-nightly", sources: str = "sources.yaml") -> None:
    """Register the deployment on the Prefect server (PREFECT_API_URL) and run its scheduled work."""
    from prefect.schedules import Cron

    nightly_flow.serve(
        name=name, schedules=[Cron(NIGHTLY_CRON, timezone=TIMEZONE)], parameters={"sources": sources}
    )
