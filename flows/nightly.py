"""The nightly flow: gather the sources, ingest what is new, publish; served at 02:00 Asia/Shanghai."""

from __future__ import annotations

from prefect import flow, get_run_logger, task

from flows.ingest import run_ingest_flow
from flows.publish import publish_flow
from juesuan import paths as defaults
from juesuan.sources import gather

NIGHTLY_CRON = "0 2 * * *"
TIMEZONE = "Asia/Shanghai"


@flow(name="nightly")
def nightly_flow(
    sources: str = str(defaults.SOURCES),
    warehouse: str = str(defaults.WAREHOUSE),
    out: str = str(defaults.EXTRACTS),
    archive: str = str(defaults.ARCHIVE),
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


def serve(name: str = "juesuan-nightly", sources: str = str(defaults.SOURCES)) -> None:
    """Register the deployment on the Prefect server (PREFECT_API_URL) and run its scheduled work."""
    from prefect.schedules import Cron

    nightly_flow.serve(
        name=name, schedules=[Cron(NIGHTLY_CRON, timezone=TIMEZONE)], parameters={"sources": sources}
    )
