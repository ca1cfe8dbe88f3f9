"""Two ingests at once: the second waits for the writer lock with a message, or fails clearly without
changing anything."""

from __future__ import annotations

import subprocess
import sys
import time

import duckdb
from conftest import SAMPLES
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
    assert "waiting for its lock" in result.output and "another writer holds the lock" in result.output
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
