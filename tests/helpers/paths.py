"""Where the tests find their inputs: the shared reference corpus (read in place), the committed samples."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
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
