"""The publish flow: a dated release of the extracts, and ``latest``."""

from __future__ import annotations

from prefect import flow

from juesuan.ingest import DEFAULT_WAREHOUSE
from juesuan.warehouse.export import export

DEFAULT_EXTRACTS = "data/processed/extracts"


@flow(name="publish")
def publish_flow(warehouse: str = str(DEFAULT_WAREHOUSE), out: str = DEFAULT_EXTRACTS) -> str:
    return str(export(warehouse, out))
