"""Crash safety: `juesuan ingest` and `juesuan export` SIGKILLed at random points of parse, validate, load
and export, many times over. After every kill the warehouse opens and holds only whole documents, the
`latest` extracts are a whole release (every file its manifest lists, byte for byte), queries on them
work, and a final re-run builds exactly the warehouse an uninterrupted run builds."""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from helpers.paths import ROOT
from helpers.warehouse import facts_per_source, fingerprint

from juesuan.ingest import ingest
from juesuan.parse import parse_document
from juesuan.synth.corpus import generate_document, plan_corpus, write
from juesuan.warehouse.export import _select

pytestmark = pytest.mark.corpus
KILLS = 10


def juesuan(*args: str, kill_at: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("JUESUAN_KILL_AT", None)
    if kill_at:
        env["JUESUAN_KILL_AT"] = kill_at
    return subprocess.run(
        [sys.executable, "-m", "juesuan.cli", *args], capture_output=True, text=True, cwd=ROOT, env=env
    )


def assert_whole_warehouse(warehouse: Path, expected: dict[str, int]) -> None:
    con = duckdb.connect(str(warehouse), read_only=True)  # always opens
    try:
        counts = facts_per_source(con, "d.status = 'loaded'")
        orphans = con.execute(
            "SELECT (SELECT count(*) FROM facts WHERE document_id NOT IN (SELECT document_id FROM documents))"
            " + (SELECT count(*) FROM checks WHERE document_id NOT IN (SELECT document_id FROM documents))"
        ).fetchone()[0]
        unchecked = con.execute(
            "SELECT count(*) FROM documents d WHERE status = 'loaded' AND NOT EXISTS "
            "(SELECT 1 FROM checks c WHERE c.document_id = d.document_id)"
        ).fetchone()[0]
    finally:
        con.close()
    assert orphans == 0 and unchecked == 0
    assert {p: expected[p] for p in counts} == counts


def loaded(warehouse: Path) -> set[str]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {
            r[0] for r in con.execute("SELECT source_path FROM documents WHERE status = 'loaded'").fetchall()
        }
    finally:
        con.close()


def assert_whole_latest(extracts: Path) -> None:
    latest = extracts / "latest"
    if not latest.exists():
        return  # nothing published yet
    manifest = json.loads((latest / "manifest.json").read_text("utf-8"))
    for name, resource in manifest["resources"].items():
        for f in resource["files"]:
            data = (latest / f["path"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == f["sha256"], f["path"]
        rows = duckdb.sql(
            f"SELECT count(*) FROM read_parquet('{latest / name}/**/*.parquet', hive_partitioning = true)"
        ).fetchone()[0]
        assert rows == resource["rows"], name
    database = latest / manifest["database"]["path"]
    assert hashlib.sha256(database.read_bytes()).hexdigest() == manifest["database"]["sha256"]
    con = duckdb.connect(str(database), read_only=True)
    try:
        for name, resource in manifest["resources"].items():
            if name in manifest["database"]["tables"]:  # the extract's part of the table (facts: current)
                count = f"SELECT count(*) FROM ({_select(name)})"
                assert con.execute(count).fetchone()[0] == resource["rows"], name
    finally:
        con.close()


def test_sigkill_at_random_points_of_every_step_leaves_everything_whole(tmp_path):
    docs = tmp_path / "docs"
    paths = [write(generate_document(p), docs) for p in plan_corpus(5, 71)]
    expected = {str(p): len(parse_document(p).facts()) for p in paths}
    reference = tmp_path / "reference.duckdb"
    ingest(paths, reference)
    warehouse, extracts = tmp_path / "w.duckdb", tmp_path / "extracts"
    first = juesuan("ingest", str(paths[0]), "--warehouse", str(warehouse))
    assert first.returncode == 0, first.stderr
    assert juesuan("export", "--warehouse", str(warehouse), "--out", str(extracts)).returncode == 0
    rng = random.Random(2026)
    page_counts = {str(p): parse_document(p).page_count for p in paths}
    points = ("parse.page", "validate", "load.insert", "export.copy", "export.publish", "export.link")
    killed: dict[str, int] = {}
    for k in range(KILLS):
        point = points[k % len(points)]
        if point.startswith("export"):
            nth = rng.randint(1, 5) if point == "export.copy" else 1
            run = juesuan(  # --force: the warehouse may not have changed since the last release
                "export",
                "--warehouse",
                str(warehouse),
                "--out",
                str(extracts),
                "--force",
                kill_at=f"{point}:{nth}",
            )
        else:
            # a random point among the work still to do (files already loaded are skipped, not parsed)
            todo = [p for p in map(str, paths) if p not in loaded(warehouse)]
            if not todo:
                continue
            span = sum(page_counts[p] for p in todo) if point == "parse.page" else len(todo)
            run = juesuan(
                "ingest", *todo, "--warehouse", str(warehouse), kill_at=f"{point}:{rng.randint(1, span)}"
            )
        assert run.returncode == -signal.SIGKILL, (point, run.returncode, run.stderr[-2000:])
        killed[point] = killed.get(point, 0) + 1
        assert_whole_warehouse(warehouse, expected)
        assert_whole_latest(extracts)
    assert set(killed) == set(points), killed  # every step was interrupted
    final = juesuan("ingest", *map(str, paths), "--warehouse", str(warehouse))
    assert final.returncode == 0, final.stdout[-2000:]
    assert fingerprint(warehouse) == fingerprint(reference)
    assert juesuan("export", "--warehouse", str(warehouse), "--out", str(extracts)).returncode == 0
    assert_whole_latest(extracts)
    assert not list((extracts / "releases").glob("*.partial"))
