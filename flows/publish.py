"""The publish flow: a dated release of the extracts, and ``latest``."""

from __future__ import annotations

from prefect import flow

from juesuan import paths as defaults
from juesuan.warehouse.export import export


@flow(name="publish")
def publish_flow(warehouse: str = str(defaults.WAREHOUSE), out: str = str(defaults.EXTRACTS)) -> str:
    return str(export(warehouse, out))
