"""The DuckDB warehouse (DESIGN.md §3) and its Parquet extracts.

Names are imported when first used (PEP 562): `juesuan query` needs the connection, not the loader's pandas,
pyarrow and reconciliation, so a query starts in a fraction of the time an ingest takes to import.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_HOMES = {
    "connect": "juesuan.warehouse.db",
    "migrate": "juesuan.warehouse.migrations",
    "load_document": "juesuan.warehouse.load",
    "record_quarantine": "juesuan.warehouse.load",
}
__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
