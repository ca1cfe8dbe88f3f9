"""Parsing in worker processes: the same warehouse as in-process, and one file cannot stall or kill a run."""

from __future__ import annotations

import faulthandler
import os
import signal
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
