"""Parsing in worker processes: the same warehouse as in-process, and one file cannot stall or kill a run."""

from __future__ import annotations

import faulthandler
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from helpers.paths import SAMPLES

import juesuan.ingest as pipeline

pytestmark = pytest.mark.corpus


def table_hashes(path: Path) -> dict:
    con = duckdb.connect(str(path), read_only=True)
    out = {
        t: con.execute(
            f"SELECT count(*), sum(hash(document_id, amount_yuan, raw_text, page)) FROM {t}"
        ).fetchone()
        for t in ("facts",)
    }
    out["checks"] = con.execute(
        "SELECT count(*), sum(hash(check_id, subject, passed)) FROM checks"
    ).fetchone()
    con.close()
    return out


def test_two_workers_build_the_same_warehouse_as_one_process(tmp_path):
    files = sorted(SAMPLES.glob("*.pdf"))
    pipeline.ingest(files, tmp_path / "a.duckdb")
    outcomes = pipeline.ingest(files, tmp_path / "b.duckdb", workers=2)
    assert [Path(o.path).name for o in outcomes] == [f.name for f in files]
    assert table_hashes(tmp_path / "a.duckdb") == table_hashes(tmp_path / "b.duckdb")


# in a fresh interpreter: which functools caches of juesuan (and schemas) preparing the samples fills
CACHES_FILLED = """
import json, sys
from pathlib import Path
import juesuan.ingest as pipeline

OURS = ("juesuan", "schemas")

def misses():
    ours = [m for m in list(sys.modules.values()) if (getattr(m, "__name__", None) or "").startswith(OURS)]
    return {f"{m.__name__}.{k}": f.cache_info().misses for m in ours for k, f in vars(m).items()
            if hasattr(f, "cache_info")}

if sys.argv[1] == "warm":
    pipeline.warm_up()
before = misses()
for path in sorted(Path(sys.argv[2]).glob("*.pdf")):
    pipeline.prepare(path)
print(json.dumps(sorted(k for k, v in misses().items() if v != before.get(k, 0))))
"""


def test_what_a_forked_worker_would_build_on_first_use_the_writer_builds_before_forking():
    """Every document is prepared in a child forked from the writer: whatever its preparation builds on
    first use (the vocabularies, the classifications' name indexes, the schemas) is built again by every
    child and lost when it exits, unless the writer built it before forking (9% of an ingest's time)."""

    def filled(mode: str) -> list[str]:
        run = subprocess.run(
            [sys.executable, "-c", CACHES_FILLED, mode, str(SAMPLES)], capture_output=True, text=True
        )
        assert run.returncode == 0, run.stderr[-2000:]
        return json.loads(run.stdout.splitlines()[-1])

    cold = filled("cold")
    assert "juesuan.parse.narrative.vocabulary" in cold and "schemas.schema" in cold  # the probe sees them
    assert filled("warm") == []


def test_a_document_over_its_time_or_memory_limit_is_refused_and_the_others_load(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    for name, source in (
        ("a_slow.pdf", "0000_sichuan13_2022.pdf"),
        ("b_ok.pdf", "0002_mof9_2023.pdf"),
        ("c_hungry.pdf", "0004_older8_2019.pdf"),
        ("d_ok.pdf", "0005_mof9_2020.pdf"),
        ("e_segfault.pdf", "0003_mof9_2024.pdf"),
    ):
        (folder / name).write_bytes((SAMPLES / source).read_bytes())
    real = pipeline.prepare

    def misbehaving(path):
        if "slow" in str(path):
            time.sleep(60)
        if "hungry" in str(path):
            bytearray(8 * 1024**3)
        if "segfault" in str(path):  # a PDF library crashing its process
            faulthandler.disable()  # (pytest's traceback dump would only add noise)
            os.kill(os.getpid(), signal.SIGSEGV)
        return real(path)

    monkeypatch.setattr(pipeline, "prepare", misbehaving)  # forked workers inherit the patch
    start = time.monotonic()
    outcomes = {
        Path(o.path).name: o
        for o in pipeline.ingest([folder], tmp_path / "w.duckdb", workers=2, timeout=8, memory_mb=2048)
    }
    assert time.monotonic() - start < 50
    assert (
        outcomes["a_slow.pdf"].status == "quarantined" and "longer than 8 s" in outcomes["a_slow.pdf"].reason
    )
    assert outcomes["c_hungry.pdf"].status == "quarantined" and "memory" in outcomes["c_hungry.pdf"].reason
    crash = outcomes["e_segfault.pdf"]
    assert crash.status == "quarantined" and crash.reason == "crashed: the parsing process died (SIGSEGV)"
    assert outcomes["b_ok.pdf"].status == outcomes["d_ok.pdf"].status == "loaded", outcomes
