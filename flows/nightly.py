"""The nightly flow: gather the sources, ingest what is new, publish; served at 02:00 Asia/Shanghai."""

from __future__ import annotations

from pathlib import Path

import yaml
from prefect import flow, get_run_logger

from flows.ingest import ingest_flow
from flows.publish import DEFAULT_EXTRACTS, publish_flow
from juesuan.ingest import DEFAULT_WAREHOUSE

NIGHTLY_CRON = "0 2 * * *"
TIMEZONE = "Asia/Shanghai"


def source_paths(sources_file: str | Path) -> list[str]:
    """Folders listed in the sources file (kind: folder). Web listing pages are not fetched yet."""
    spec = yaml.safe_load(Path(sources_file).read_text("utf-8")) or {}
    paths = []
    for source in spec.get("sources", []):
        kind = source.get("kind", "folder")
        if kind != "folder":
            raise ValueError(
                f"{sources_file}: source {source.get('name')!r}: kind {kind!r} is not supported yet"
            )
        paths.append(str(Path(source["path"])))
    return paths


@flow(name="nightly")
def nightly_flow(
    sources: str = "sources.yaml", warehouse: str = str(DEFAULT_WAREHOUSE), out: str = DEFAULT_EXTRACTS
) -> dict:
    logger = get_run_logger()
    paths = source_paths(sources)
    result = ingest_flow(paths, warehouse)
    release = publish_flow(warehouse, out)
    logger.info("nightly: %s, published %s", result["counts"], release)
    return {"counts": result["counts"], "release": release}


def serve(name: str = "juesuan-nightly", sources: str = "sources.yaml") -> None:
    """Register the deployment on the Prefect server (PREFECT_API_URL) and run its scheduled work."""
    from prefect.schedules import Cron

    nightly_flow.serve(
        name=name, schedules=[Cron(NIGHTLY_CRON, timezone=TIMEZONE)], parameters={"sources": sources}
    )
