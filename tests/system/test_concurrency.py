"""Two ingests at once: the second waits for the writer lock with a message, or fails clearly without
changing anything."""

from __future__ import annotations

import subprocess
import sys
import time

import duckdb
from helpers.paths import SAMPLES
from typer.testing import CliRunner

from juesuan.cli import app
from juesuan.ingest import ingest

HOLD = """
import sys, time
from juesuan.warehouse import connect
con = connect(sys.argv[1])
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


def hold_lock(path, seconds: float) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "holding"
    return proc


def test_second_ingest_fails_clearly_when_the_lock_stays_taken(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    holder = hold_lock(warehouse, 20)
    try:
        result = CliRunner().invoke(
            app, ["ingest", str(SAMPLES / "0003_mof9_2024.pdf"), "--warehouse", str(warehouse), "--wait", "2"]
        )
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 3, result.output
    assert "waiting for it" in result.output and "held open by another process" in result.output
    con = duckdb.connect(str(warehouse), read_only=True)
    assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 0
    con.close()


def test_second_ingest_waits_for_the_first_and_then_loads(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    holder = hold_lock(warehouse, 3)
    messages = []
    start = time.monotonic()
    outcomes = ingest([SAMPLES / "0003_mof9_2024.pdf"], warehouse, wait=60, on_wait=messages.append)
    holder.wait()
    assert time.monotonic() - start >= 2
    assert messages and [o.status for o in outcomes] == ["loaded"]


def _cli(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "juesuan.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_two_real_ingests_at_once_lose_nothing_and_load_nothing_twice(tmp_path):
    files = sorted(SAMPLES.glob("*.pdf"))
    warehouse = tmp_path / "w.duckdb"
    first = _cli("ingest", *map(str, files[:5]), "--warehouse", str(warehouse), "--wait", "300")
    second = _cli("ingest", *map(str, files[2:]), "--warehouse", str(warehouse), "--wait", "300")
    outputs = [p.communicate(timeout=600)[0] for p in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], outputs
    con = duckdb.connect(str(warehouse), read_only=True)
    rows = con.execute("SELECT source_path, status FROM documents ORDER BY 1").fetchall()
    con.close()
    assert rows == [(str(f), "loaded") for f in files]


def test_queries_on_the_published_extracts_keep_working_during_an_ingest(tmp_path):
    from juesuan.synth.corpus import generate_document, plan_corpus, write
    from juesuan.warehouse.export import export

    warehouse, extracts = tmp_path / "w.duckdb", tmp_path / "extracts"
    ingest(sorted(SAMPLES.glob("000[0-2]*.pdf")), warehouse)
    export(warehouse, extracts)
    published = duckdb.sql(
        f"SELECT count(*) FROM read_parquet('{extracts}/latest/facts/**/*.parquet')"
    ).fetchone()[0]
    more = [write(generate_document(p), tmp_path / "more") for p in plan_corpus(6, 41)]
    running = _cli("ingest", *map(str, more), "--warehouse", str(warehouse))
    answers = []
    while running.poll() is None:
        answers.append(
            duckdb.sql(
                f"SELECT count(*) FROM read_parquet('{extracts}/latest/facts/**/*.parquet')"
            ).fetchone()[0]
        )
        time.sleep(0.2)
    assert running.returncode == 0, running.stdout.read()
    assert len(answers) >= 5 and set(answers) == {published}
