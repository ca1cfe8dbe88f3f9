"""Releases: a new one only when the warehouse's content changed, the last N kept, byte-identical extracts
from the same content whatever the rows' physical order, and in every release a read-only juesuan.duckdb
that answers like the warehouse, moved or not, while the nightly writer works on the live warehouse."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from helpers.paths import ROOT, SAMPLES
from typer.testing import CliRunner

from juesuan.cli import app
from juesuan.ingest import ingest
from juesuan.reference.views import load_views
from juesuan.warehouse.db import CONTENT_TABLES
from juesuan.warehouse.export import DATABASE, DATABASE_TABLES, export, latest, prune, releases

runner = CliRunner()
FILES = sorted(SAMPLES.glob("*.pdf"))  # 7: the base warehouse holds the first 3, the tests add the others
DATA_SUFFIXES = (".parquet", ".csv")


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("releases") / "w.duckdb"
    assert [o.status for o in ingest(FILES[:3], path)] == ["loaded"] * 3
    return path


@pytest.fixture
def warehouse(base, tmp_path) -> Path:
    copy = tmp_path / "w.duckdb"
    shutil.copy(base, copy)
    return copy


def names(out: Path) -> list[str]:
    return [p.name for p in releases(out)]


def data_files(release: Path) -> dict[str, str]:
    """Every Parquet and CSV file of a release, by path, with its SHA-256 (read from disk)."""
    return {
        str(p.relative_to(release)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(release.rglob("*"))
        if p.is_file() and p.suffix in DATA_SUFFIXES
    }


def content(con: duckdb.DuckDBPyConnection, relation: str) -> tuple:
    """Row count and an order-independent hash of every row."""
    columns = ", ".join(f'"{c[0]}"' for c in con.execute(f"DESCRIBE {relation}").fetchall())
    return con.execute(f"SELECT count(*), coalesce(sum(hash({columns})), 0) FROM {relation}").fetchone()


def views(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()]


def test_the_same_warehouse_exported_twice_makes_one_release_the_second_says_unchanged(warehouse, tmp_path):
    out = tmp_path / "extracts"
    first = export(warehouse, out)
    assert first.new and first.path == latest(out) and (out / "latest").resolve() == first.path.resolve()
    manifest = json.loads((first.path / "manifest.json").read_text("utf-8"))
    assert manifest["content_hash"] == first.content_hash and len(first.content_hash) == 64
    second = export(warehouse, out)
    assert not second.new and second.path == first.path and second.content_hash == first.content_hash
    assert names(out) == [first.path.name]
    args = ["export", "--warehouse", str(warehouse), "--out", str(out)]
    again = runner.invoke(app, args)
    assert again.exit_code == 0 and "unchanged: latest is" in again.output, again.output
    assert first.path.name in again.output and names(out) == [first.path.name]
    forced = runner.invoke(app, [*args, "--force"])
    assert forced.exit_code == 0 and "wrote" in forced.output, forced.output
    assert len(names(out)) == 2 and latest(out) == releases(out)[-1] != first.path


def test_a_new_document_makes_a_new_release(warehouse, tmp_path):
    out = tmp_path / "extracts"
    first = export(warehouse, out)
    assert [o.status for o in ingest([FILES[3]], warehouse)] == ["loaded"]
    second = export(warehouse, out)
    assert second.new and second.path != first.path and second.content_hash != first.content_hash
    assert latest(out) == second.path and names(out) == [first.path.name, second.path.name]
    rows = json.loads((second.path / "manifest.json").read_text("utf-8"))["resources"]["documents"]["rows"]
    assert rows == 4
    assert [o.status for o in ingest([FILES[3]], warehouse)] == ["skipped"]  # nothing changes: no release
    assert not export(warehouse, out).new and len(names(out)) == 2


def test_with_keep_2_four_changes_leave_the_two_newest_releases_and_latest_on_the_newest(warehouse, tmp_path):
    out = tmp_path / "extracts"
    made = [export(warehouse, out, keep=2)]
    for f in FILES[3:7]:
        assert [o.status for o in ingest([f], warehouse)] == ["loaded"]
        made.append(export(warehouse, out, keep=2))
    assert all(r.new for r in made) and len({r.path for r in made}) == 5
    assert names(out) == [made[-2].path.name, made[-1].path.name]
    assert latest(out) == made[-1].path and (out / "latest").resolve() == made[-1].path.resolve()
    assert [p for r in made for p in r.removed] == [r.path for r in made[:3]]
    assert sorted(p.name for p in (out / "releases").iterdir()) == names(out)  # nothing half-removed
    again = runner.invoke(app, ["export", "--warehouse", str(warehouse), "--out", str(out), "--keep", "1"])
    assert again.exit_code == 0 and "unchanged" in again.output and "removed 1 older" in again.output
    assert names(out) == [made[-1].path.name]


def test_retention_orders_releases_by_day_and_number_and_never_removes_latests(tmp_path):
    out = tmp_path / "extracts"
    for name in ("2026-01-01", "2026-01-02", "2026-01-02-2", "2026-01-02-10", "2026-01-02-9"):
        (out / "releases" / name).mkdir(parents=True)
    (out / "releases" / "2026-01-03.partial").mkdir()  # not a release
    (out / "latest").symlink_to("releases/2026-01-01")  # rolled back by hand to the oldest
    assert names(out) == ["2026-01-01", "2026-01-02", "2026-01-02-2", "2026-01-02-9", "2026-01-02-10"]
    removed = prune(out, keep=1)
    assert [p.name for p in removed] == ["2026-01-02", "2026-01-02-2", "2026-01-02-9"]
    assert names(out) == ["2026-01-01", "2026-01-02-10"] and latest(out).name == "2026-01-01"
    with pytest.raises(ValueError):
        export(tmp_path / "w.duckdb", out, keep=0)


def shuffled_copy(warehouse: Path, target: Path) -> Path:
    """The same content with every table's rows stored in reverse order."""
    shutil.copy(warehouse, target)
    con = duckdb.connect(str(target))
    for table in CONTENT_TABLES:
        con.execute(f"CREATE TEMP TABLE reversed AS SELECT * FROM {table} ORDER BY rowid DESC")
        con.execute(f"DELETE FROM {table}")
        con.execute(f"INSERT INTO {table} SELECT * FROM reversed")
        con.execute("DROP TABLE reversed")
    con.close()
    return target


def test_the_same_content_gives_byte_identical_extracts_whatever_the_rows_physical_order(warehouse, tmp_path):
    other = shuffled_copy(warehouse, tmp_path / "shuffled.duckdb")
    first_rows = []
    for path in (warehouse, other):
        con = duckdb.connect(str(path), read_only=True)
        first_rows.append(con.execute("SELECT * FROM facts LIMIT 1").fetchone())
        con.close()
    assert first_rows[0] != first_rows[1]  # the premise: a scan meets the rows in another order
    a = export(warehouse, tmp_path / "a")
    b = export(warehouse, tmp_path / "b")
    c = export(other, tmp_path / "c")
    assert a.content_hash == b.content_hash == c.content_hash
    files = data_files(a.path)
    assert len(files) > 20 and any(p.endswith(".parquet") for p in files) and "csv/facts.csv" in files
    assert data_files(b.path) == files
    assert data_files(c.path) == files
    for path in (p for p in files if p.endswith(".parquet")):  # every extract in one order: ORDER BY ALL
        rows = f"SELECT * FROM read_parquet('{a.path / path}')"
        assert duckdb.sql(rows).fetchall() == duckdb.sql(f"{rows} ORDER BY ALL").fetchall(), path
    listed = {
        f["path"]: f["sha256"]
        for res in json.loads((c.path / "manifest.json").read_text("utf-8"))["resources"].values()
        for f in res["files"]
    }
    assert listed == files


def test_the_release_database_answers_like_the_warehouse_for_every_table_and_view_wherever_it_is(
    warehouse, tmp_path
):
    out = tmp_path / "extracts"
    release = export(warehouse, out).path
    live = duckdb.connect(str(warehouse), read_only=True)
    expected = {r: content(live, r) for r in (*DATABASE_TABLES, *views(live))}
    live.close()
    assert len(expected) == len(DATABASE_TABLES) + len(load_views().names) and expected["facts"][0] > 1000
    moved = tmp_path / "downloaded"
    shutil.copytree(release, moved)  # a release folder copied elsewhere answers the same
    for database in (out / "latest" / DATABASE, moved / DATABASE):
        con = duckdb.connect(str(database), read_only=True)
        assert set(views(con)) | set(DATABASE_TABLES) == set(expected)
        assert {r: content(con, r) for r in expected} == expected, database
        comments = con.execute(
            "SELECT count(*) FILTER (WHERE comment IS NULL), count(*) FROM duckdb_columns() "
            "WHERE table_name IN ('facts', 'expenditure_by_function')"
        ).fetchone()
        assert comments[0] == 0 and comments[1] > 20  # every column described
        con.close()
    manifest = json.loads((release / "manifest.json").read_text("utf-8"))
    db = manifest["database"]
    assert db["path"] == DATABASE and db["bytes"] == (release / DATABASE).stat().st_size
    assert db["sha256"] == hashlib.sha256((release / DATABASE).read_bytes()).hexdigest()
    assert set(db["tables"]) == set(DATABASE_TABLES) and "expenditure_by_function" in db["views"]
    assert f'href="{DATABASE}"' in (release / "index.html").read_text("utf-8")
    assert json.loads((release / "datapackage.json").read_text("utf-8"))["database"]["path"] == DATABASE
    assert DATABASE in (release / "dictionary.md").read_text("utf-8")


def test_query_release_reads_latest_or_a_named_release_read_only(warehouse, tmp_path):
    out = tmp_path / "extracts"
    old = export(warehouse, out).path
    ingest([FILES[3]], warehouse)
    new = export(warehouse, out).path

    def query(sql: str, *options: str):
        return runner.invoke(app, ["query", sql, "--extracts", str(out), "--format", "json", *options])

    count = "SELECT count(*) AS n FROM documents"
    assert json.loads(query(count, "--release", "latest").output) == [{"n": 4}]
    assert json.loads(query(count, "--release", old.name).output) == [{"n": 3}]
    assert json.loads(query(count, "--release", str(new)).output) == [{"n": 4}]
    by_view = "SELECT count(DISTINCT document_id) AS n FROM expenditure_by_function"
    assert json.loads(query(by_view, "--release", "latest").output) == [{"n": 4}]
    missing = query(count, "--release", "1999-01-01")
    assert missing.exit_code == 2 and "no release '1999-01-01'" in missing.output
    assert old.name in missing.output  # the releases there are
    refused = query("DELETE FROM facts", "--release", "latest")
    assert refused.exit_code == 2 and "refused" in refused.output


def test_a_writer_ingests_into_the_live_warehouse_while_the_release_database_is_open(warehouse, tmp_path):
    out = tmp_path / "extracts"
    export(warehouse, out)
    reader = duckdb.connect(str(out / "latest" / DATABASE), read_only=True)
    try:
        before = reader.execute("SELECT count(*) FROM facts").fetchone()[0]
        outcomes = ingest([FILES[4]], warehouse, wait=0)  # no waiting for a lock: the reader holds none
        assert [o.status for o in outcomes] == ["loaded"]
        assert reader.execute("SELECT count(*) FROM facts").fetchone()[0] == before  # its release, unchanged
        sql = "SELECT count(*) AS n FROM documents"
        during = runner.invoke(app, ["query", sql, "--release", "latest", "--extracts", str(out)])
        assert during.exit_code == 0, during.output
    finally:
        reader.close()
    live = duckdb.connect(str(warehouse), read_only=True)
    assert live.execute("SELECT count(*) FROM documents").fetchone()[0] == 4
    live.close()


def test_an_export_killed_while_removing_old_releases_leaves_latest_whole_and_the_next_one_finishes(
    warehouse, tmp_path
):
    out = tmp_path / "extracts"
    first = export(warehouse, out)
    ingest([FILES[3]], warehouse)
    env = {k: v for k, v in os.environ.items() if k != "JUESUAN_KILL_AT"}
    command = ["export", "--warehouse", str(warehouse), "--out", str(out), "--keep", "1"]
    killed = subprocess.run(
        [sys.executable, "-m", "juesuan.cli", *command],
        cwd=ROOT,
        env={**env, "JUESUAN_KILL_AT": "export.prune:1"},
        capture_output=True,
        text=True,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert names(out) != [first.path.name] and len(names(out)) == 1  # the old one is out of sight …
    assert (out / "releases" / f"{first.path.name}.removing").is_dir()  # … and half removed at most
    newest = latest(out)
    con = duckdb.connect(str(newest / DATABASE), read_only=True)
    assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 4
    con.close()
    again = export(warehouse, out, keep=1)
    assert not again.new and again.path == newest
    assert sorted(p.name for p in (out / "releases").iterdir()) == [newest.name]
