"""The DuckDB warehouse (DESIGN.md §3) and its Parquet extracts."""

from juesuan.warehouse.db import connect, migrate
from juesuan.warehouse.load import load_document, record_quarantine

__all__ = ["connect", "load_document", "migrate", "record_quarantine"]
