"""The default places, declared once: relative to the working directory (the project root, where
``make demo`` runs), each one overridable by the command's option or the function's argument.

The Makefile names the same warehouse and extracts for its demo (``WAREHOUSE``, ``EXTRACTS``).
"""

from __future__ import annotations

from pathlib import Path

RAW = Path("data/raw")  # what `juesuan ingest` reads by default
SAMPLES = RAW / "samples"  # the bundled sample disclosures (committed); `juesuan inventory` by default
ARCHIVE = RAW / "archive"  # files fetched from listing pages, by content (juesuan.sources.Archive)
PROCESSED = Path("data/processed")
WAREHOUSE = PROCESSED / "warehouse.duckdb"
EXTRACTS = PROCESSED / "extracts"  # releases/<date> and latest
INSPECT = PROCESSED / "inspect"  # `juesuan inspect` drawings
SOURCES = Path("sources.yaml")  # the nightly flow's sources


def quarantine(warehouse: str | Path) -> Path:
    """Where refused files are copied: ``quarantine/`` beside the warehouse file."""
    return Path(warehouse).parent / "quarantine"
