"""The publish flow: a dated release of the extracts when the warehouse changed, and ``latest``."""

from __future__ import annotations

from prefect import flow

from juesuan import paths as defaults
from juesuan.warehouse.export import KEEP, export


@flow(name="publish")
def publish_flow(
    warehouse: str = str(defaults.WAREHOUSE),
    out: str = str(defaults.EXTRACTS),
    keep: int = KEEP,
    force: bool = False,
) -> dict:
    """``release``: the path ``latest`` points to; ``new``: whether it was made now (False: the warehouse's
    content equals it, nothing was written); ``removed``: releases beyond the newest ``keep``, deleted."""
    result = export(warehouse, out, keep=keep, force=force)
    return {
        "release": str(result.path),
        "new": result.new,
        "content_hash": result.content_hash,
        "removed": [str(p) for p in result.removed],
    }
