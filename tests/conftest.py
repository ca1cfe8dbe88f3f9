"""Shared fixtures: where the shared reference corpus is, and the committed samples."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = (ROOT / ".." / "shared" / "corpus").resolve()
SEED_TEXT = SHARED / "seed" / "000_dac8e1c6e90fb209.txt"
SAMPLES = ROOT / "data" / "raw" / "samples"
SEED_PDF = SAMPLES / "panzhihua_dongqu_dianzizhengwu_2023_final.pdf"


def require_shared(path: Path = SEED_TEXT) -> Path:
    """The reference file, or a skip with a clear message; under CI its absence fails the run, so golden
    tests can never pass by being skipped."""
    if not path.exists():
        message = f"shared corpus not found at {SHARED}; skipping reference-document tests"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message} (CI=true: the corpus must be there)")
        pytest.skip(message)
    return path


def facts_per_source(con, where: str = "TRUE") -> dict[str, int]:
    """Facts loaded per document, keyed by the path the document was read from."""
    return dict(
        con.execute(
            "SELECT d.source_path, count(f.document_id) FROM documents d "
            f"LEFT JOIN facts f USING (document_id) WHERE {where} GROUP BY 1"
        ).fetchall()
    )
