"""The warehouse: idempotent ingest, supersede with history, quarantine with reasons, read-only queries,
extracts readable as hive-partitioned Parquet, and whole documents only after SIGKILL."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from helpers.paths import SAMPLES, SHARED, require_shared
from helpers.warehouse import facts_per_source, fingerprint
from typer.testing import CliRunner

from juesuan.cli import app
from juesuan.ingest import ingest, prepare
from juesuan.parse import parse_document
from juesuan.reference.fields import schema_version
from juesuan.synth.corpus import generate_document, plan_corpus, write
from juesuan.warehouse import connect
from juesuan.warehouse.export import export
from schemas import validate

runner = CliRunner()


@pytest.fixture(scope="module")
def sample_warehouse(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("wh") / "w.duckdb"
    outcomes = ingest([SAMPLES], path)
    assert [o.status for o in outcomes] == ["loaded"] * 7
    return path


def test_reingesting_the_same_files_changes_nothing(sample_warehouse):
    before = fingerprint(sample_warehouse)
    outcomes = ingest([SAMPLES], sample_warehouse)
    assert {o.status for o in outcomes} == {"skipped"}
    assert fingerprint(sample_warehouse) == before


def test_per_document_fact_counts_equal_the_parsers(sample_warehouse):
    con = duckdb.connect(str(sample_warehouse), read_only=True)
    counts = facts_per_source(con)
    con.close()
    for pdf in SAMPLES.glob("*.pdf"):
        assert counts[str(pdf)] == len(parse_document(pdf).facts()), pdf.name


def test_amounts_are_exact_decimals_in_yuan(sample_warehouse):
    con = duckdb.connect(str(sample_warehouse), read_only=True)
    kind = con.execute(
        "SELECT data_type FROM information_schema.columns WHERE table_name = 'facts' "
        "AND column_name = 'amount_yuan'"
    ).fetchone()[0]
    seed_total = con.execute(
        "SELECT amount_yuan FROM facts WHERE table_code = 'income_expenditure_summary' "
        "AND row_label = '总计' AND measure = 'income_amount' AND department_id IN "
        "(SELECT department_id FROM documents WHERE department_name = '攀枝花市东区电子政务建设服务中心')"
    ).fetchone()[0]
    con.close()
    assert kind == "DECIMAL(20,2)"
    assert seed_total == Decimal("2200700.00")


def test_amounts_load_exactly_whatever_their_decimal_exponent(tmp_path):
    """Decimal('3.4E+2') is 340 (a DuckDB conversion of Python Decimals once turned it into 34)."""
    doc = prepare(SAMPLES / "0002_mof9_2023.pdf")
    facts = doc.facts.to_pandas()  # the worker's Arrow rows as the frame a caller may hand the loader
    amounts = [Decimal("3.4E+2"), Decimal("1E+4"), Decimal("0.10"), Decimal("-2.5")]
    amounts.append(Decimal("123456789012.34"))
    facts.loc[: len(amounts) - 1, "amount_yuan"] = amounts
    con = connect(tmp_path / "w.duckdb")
    from juesuan.warehouse import load_document

    load_document(con, doc.document, facts, doc.figures)
    got = [
        r[0]
        for r in con.execute(
            "SELECT amount_yuan FROM facts WHERE document_id = ? ORDER BY rowid LIMIT 5", [doc.document_id]
        ).fetchall()
    ]
    con.close()
    assert got == [Decimal("340.00"), Decimal("10000.00"), Decimal("0.10"), Decimal("-2.50"), amounts[-1]]


def test_views_answer_across_departments_and_years(sample_warehouse):
    con = duckdb.connect(str(sample_warehouse), read_only=True)
    years = con.execute(
        "SELECT department_id, list(fiscal_year ORDER BY fiscal_year) FROM summary "
        "GROUP BY 1 HAVING count(*) > 1"
    ).fetchall()
    by_function = con.execute("SELECT count(*) FROM expenditure_by_function WHERE level = '类'").fetchone()[0]
    basic = con.execute(
        "SELECT sum(amount_yuan) FROM basic_expenditure_by_economic WHERE level = '类' "
        "AND document_id = (SELECT document_id FROM documents WHERE fiscal_year = 2023 "
        "AND department_name = '攀枝花市东区电子政务建设服务中心')"
    ).fetchone()[0]
    con.close()
    assert len(years) == 3 and all(b == a + 1 for _, (a, b) in years)
    assert by_function > 20
    assert basic == Decimal("1731100.00")  # 人员经费 161.75 + 公用经费 11.36 万元


def test_a_new_file_for_the_same_department_and_year_supersedes_and_keeps_history(tmp_path):
    plan = plan_corpus(1, 21)[0]
    original = write(generate_document(plan), tmp_path / "a")
    plan.inconsistencies = 1  # a corrected re-publication: other bytes, same department and year
    corrected = write(generate_document(plan), tmp_path / "b")
    warehouse = tmp_path / "w.duckdb"
    ingest([original], warehouse)
    outcome = ingest([corrected], warehouse)[0]
    assert outcome.status == "loaded" and len(outcome.superseded) == 1
    con = duckdb.connect(str(warehouse), read_only=True)
    status = dict(con.execute("SELECT source_path, status FROM documents").fetchall())
    history = con.execute("SELECT count(DISTINCT document_id) FROM facts").fetchone()[0]
    current = con.execute("SELECT count(DISTINCT document_id) FROM summary").fetchone()[0]
    con.close()
    assert status == {str(original): "superseded", str(corrected): "loaded"}
    assert history == 2 and current == 1


@pytest.fixture(scope="module")
def real_outcomes(tmp_path_factory):
    real = require_shared(SHARED / "real")
    path = tmp_path_factory.mktemp("real") / "w.duckdb"
    return path, {Path(o.path).name: o for o in ingest([real], path)}


def test_real_documents_load_or_are_quarantined_with_a_reason(real_outcomes):
    path, outcomes = real_outcomes
    assert outcomes["sh_putuo_caizhengju_2024_final.pdf"].status == "loaded"
    assert outcomes["foshan_guidaojiaotongju_2019_final.pdf"].status == "loaded"
    assert outcomes["guojia_xinfangju_2024_final.pdf"].status == "loaded"
    assert outcomes["sh_putuo_caizhengju_2025_budget_dept.pdf"].status == "loaded"
    assert outcomes["jiangsu_jianchayuan_2018_budget_dept.pdf"].status == "loaded"
    assert "template" in outcomes["sh_template_dept_final_2024_attachment2.pdf"].reason
    con = duckdb.connect(str(path), read_only=True)
    rows = con.execute("SELECT status, status_reason FROM documents WHERE status = 'quarantined'").fetchall()
    kinds = con.execute(
        "SELECT doc_kind, count(*) FROM documents WHERE status = 'loaded' GROUP BY ALL ORDER BY 1"
    ).fetchall()
    con.close()
    assert len(rows) == 1 and all(reason for _, reason in rows)
    assert kinds == [("budget", 2), ("final", 3)]
    assert (path.parent / "quarantine").is_dir() and len(list((path.parent / "quarantine").iterdir())) == 1


def test_ingest_command_exits_1_when_something_was_quarantined(tmp_path):
    bad = tmp_path / "in"
    bad.mkdir()
    (bad / "not_a_pdf.pdf").write_text("<html>404</html>")
    (bad / "seed.pdf").write_bytes((SAMPLES / "0000_sichuan13_2022.pdf").read_bytes())
    result = runner.invoke(app, ["ingest", str(bad), "--warehouse", str(tmp_path / "w.duckdb")])
    assert result.exit_code == 1, result.output
    assert "1 loaded" in result.output and "1 quarantined" in result.output
    assert "not_a_pdf.pdf" in result.output


def test_query_is_read_only(sample_warehouse):
    ok = runner.invoke(
        app,
        [
            "query",
            "SELECT count(*) AS n FROM documents",
            "--warehouse",
            str(sample_warehouse),
            "--format",
            "json",
        ],
    )
    assert ok.exit_code == 0 and json.loads(ok.output) == [{"n": 7}]
    for sql in (
        "DELETE FROM facts",
        "DROP TABLE facts",
        "CREATE TABLE x (a INT)",
        "INSERT INTO checks VALUES (1)",
        "SELECT 1; DELETE FROM facts",
    ):
        refused = runner.invoke(app, ["query", sql, "--warehouse", str(sample_warehouse)])
        assert refused.exit_code == 2 and "refused" in refused.output, sql
    assert fingerprint(sample_warehouse)["facts"][0] > 0


def test_export_writes_partitioned_parquet_csv_dictionary_and_datapackage(sample_warehouse, tmp_path):
    out = tmp_path / "extracts"
    release = export(sample_warehouse, out).path
    assert (out / "latest").resolve() == release.resolve()
    con = duckdb.connect(str(sample_warehouse), read_only=True)
    for name in (
        "facts",
        "documents",
        "narrative_figures",
        "expenditure_by_function",
        "summary",
        "three_public",
    ):
        rows = con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
        parquet = duckdb.sql(
            f"SELECT count(*) FROM read_parquet('{out}/latest/{name}/*/*.parquet', hive_partitioning=true)"
        ).fetchall()[0][0]
        assert parquet == rows, name
    years = duckdb.sql(
        f"SELECT DISTINCT fiscal_year FROM read_parquet('{out}/latest/facts/*/*.parquet', "
        "hive_partitioning=true) ORDER BY 1"
    ).fetchall()
    con.close()
    assert [y for (y,) in years] == [2019, 2020, 2022, 2023, 2024]
    manifest = json.loads((release / "manifest.json").read_text("utf-8"))
    package = json.loads((release / "datapackage.json").read_text("utf-8"))
    assert {r["name"] for r in package["resources"] if r["format"] == "csv"} == set(manifest["resources"])
    facts = next(r for r in package["resources"] if r["name"] == "facts")
    assert {"name": "amount_yuan", "type": "number"}.items() <= next(
        f for f in facts["schema"]["fields"] if f["name"] == "amount_yuan"
    ).items()
    import hashlib

    for res in manifest["resources"].values():
        for f in res["files"]:
            assert hashlib.sha256((release / f["path"]).read_bytes()).hexdigest() == f["sha256"]
    assert "amount_yuan" in (release / "dictionary.md").read_text("utf-8")
    assert export(sample_warehouse, out).path == release  # unchanged (tests/integration/test_releases.py)
    second = export(sample_warehouse, out, force=True).path
    assert second != release and (out / "latest").resolve() == second.resolve() and release.exists()


def test_migrations_are_recorded_and_idempotent(sample_warehouse):
    con = connect(sample_warehouse)
    versions = con.execute("SELECT version FROM schema_version ORDER BY 1").fetchall()
    indexes = con.execute("SELECT index_name FROM duckdb_indexes()").fetchall()
    con.close()
    assert versions == [(v,) for v in range(1, schema_version() + 1)] and schema_version() >= 8
    assert indexes == []  # v7's, dropped by v8: rewritten whole at every checkpoint (juesuan.warehouse.known)


def test_a_version_1_warehouse_gains_document_sources_filled_from_its_documents(tmp_path):
    path = tmp_path / "w.duckdb"
    ingest(sorted(SAMPLES.glob("000[0-1]*.pdf")), path)
    con = duckdb.connect(str(path))
    con.execute("DROP TABLE document_sources")
    con.execute("DELETE FROM schema_version WHERE version >= 2")
    con.close()
    con = connect(path)
    sources = con.execute("SELECT document_id, source_path FROM document_sources ORDER BY 2").fetchall()
    documents = con.execute("SELECT document_id, source_path FROM documents ORDER BY 2").fetchall()
    con.close()
    assert sources == documents and len(sources) == 2


def test_a_version_2_warehouse_gains_table_scope_and_its_views_still_answer(tmp_path):
    path = tmp_path / "w.duckdb"
    ingest(sorted(SAMPLES.glob("000[0-1]*.pdf")), path)
    con = duckdb.connect(str(path))
    before = con.execute("SELECT * FROM summary ORDER BY document_id").fetchall()
    n_facts = con.execute("SELECT count(*) FROM facts").fetchone()[0]
    for view in (
        "summary",
        "expenditure_by_function",
        "income_by_function",
        "basic_expenditure_by_economic",
        "three_public",
        "current_facts",
    ):
        con.execute(f"DROP VIEW {view}")
    con.execute("ALTER TABLE facts DROP COLUMN table_scope")
    con.execute("ALTER TABLE checks DROP COLUMN cells")
    con.execute("DELETE FROM schema_version WHERE version >= 3")
    con.close()
    con = connect(path)
    scopes = con.execute("SELECT table_scope, count(*) FROM facts GROUP BY 1").fetchall()
    after = con.execute("SELECT * FROM summary ORDER BY document_id").fetchall()
    con.close()
    assert scopes == [("", n_facts)] and after == before and len(after) == 2


def test_validation_reports_every_problem_of_a_frame_at_once():
    doc = parse_document(SAMPLES / "0004_older8_2019.pdf")
    facts = doc.facts_frame()
    assert validate("facts", facts) == []
    facts.loc[0, "row_code"] = "12ab"
    facts.loc[1, "amount_yuan"] = 1.5
    facts.loc[2, "source_unit"] = "千元"
    problems = validate("facts", pd.concat([facts, facts.head(1)]))
    assert len([p for p in problems if "row_code" in p and "str_matches" in p]) == 1
    assert any("amount_yuan" in p and "Decimal" in p for p in problems)
    assert any("source_unit" in p for p in problems)
    assert any("uniqueness" in p for p in problems)


def test_a_document_failing_validation_is_quarantined_and_the_others_load(tmp_path, monkeypatch):
    import juesuan.ingest as pipeline

    real_prepare = pipeline.prepare

    def broken(path):
        prepared = real_prepare(path)
        if Path(path).name.startswith("0001"):
            facts = prepared.facts.to_pandas()  # the worker's rows (Arrow), as judged
            facts.loc[0, "measure"] = "not_a_measure"
            problems = validate("facts", facts)
            prepared.refusal = "invalid: " + "; ".join(problems)
        return prepared

    monkeypatch.setattr(pipeline, "prepare", broken)
    outcomes = {
        Path(o.path).name[:4]: o
        for o in pipeline.ingest(sorted(SAMPLES.glob("000[0-2]*.pdf")), tmp_path / "w.duckdb")
    }
    assert outcomes["0001"].status == "quarantined" and "measure" in outcomes["0001"].reason
    assert outcomes["0000"].status == outcomes["0002"].status == "loaded"
    assert prepare(SAMPLES / "0001_sichuan13_2023.pdf").refusal is None


KILL_SCRIPT = """
import sys
from juesuan.ingest import ingest
ingest(sys.argv[2:], sys.argv[1])
"""


@pytest.mark.corpus
def test_sigkill_during_ingest_leaves_only_whole_documents_and_a_rerun_completes(tmp_path):
    docs = tmp_path / "docs"
    paths = [write(generate_document(p), docs) for p in plan_corpus(8, 33)]
    expected = {str(p): len(parse_document(p).facts()) for p in paths}
    warehouse = tmp_path / "w.duckdb"
    rng = random.Random(5)
    env = dict(os.environ)
    for _ in range(2):  # random moments; tests/test_crash.py kills at every named step
        proc = subprocess.Popen(
            [sys.executable, "-c", KILL_SCRIPT, str(warehouse), *map(str, paths)], env=env
        )
        time.sleep(rng.uniform(1.5, 6.0))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        if not warehouse.exists():
            continue  # killed before the warehouse was created (a slow start): nothing half-written
        con = duckdb.connect(str(warehouse), read_only=True)  # always opens
        tables = {t for (t,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        if "documents" not in tables:  # killed inside the first migration: it rolled back whole
            con.close()
            continue
        counts = facts_per_source(con)
        orphans = con.execute(
            "SELECT count(*) FROM facts WHERE document_id NOT IN (SELECT document_id FROM documents)"
        ).fetchone()[0]
        con.close()
        assert orphans == 0
        assert all(counts[p] == expected[p] for p in counts), counts
    outcomes = ingest(paths, warehouse)
    con = duckdb.connect(str(warehouse), read_only=True)
    loaded = con.execute("SELECT count(*) FROM documents WHERE status = 'loaded'").fetchone()[0]
    con.close()
    assert loaded == len(paths)
    assert {o.status for o in outcomes} <= {"loaded", "skipped"}


def test_batched_loading_builds_the_warehouse_one_document_at_a_time_builds(tmp_path):
    """Thirty-two documents per transaction, or one: the same rows, the year ↔ year checks included (the
    samples hold consecutive years of three departments, so a batch holds both years of a pair), and
    the same when a batch holds a re-publication of a document it also holds."""
    import shutil

    folder = tmp_path / "in"
    shutil.copytree(SAMPLES, folder)
    # the same document published again (other bytes): the later file supersedes the earlier in the batch
    (folder / "0002_again.pdf").write_bytes((SAMPLES / "0002_mof9_2023.pdf").read_bytes() + b"\n% again\n")
    one = ingest([folder], tmp_path / "one.duckdb", batch_size=1)
    many = ingest([folder], tmp_path / "many.duckdb")
    assert [(o.path, o.status, o.facts) for o in one] == [(o.path, o.status, o.facts) for o in many]
    assert fingerprint(tmp_path / "one.duckdb") == fingerprint(tmp_path / "many.duckdb")
    con = duckdb.connect(str(tmp_path / "many.duckdb"), read_only=True)
    years = con.execute("SELECT count(*) FROM checks WHERE check_id IN ('Y1', 'Y2')").fetchone()[0]
    orders = con.execute(
        "SELECT count(*), count(DISTINCT load_order) FROM documents WHERE load_order IS NOT NULL"
    ).fetchone()
    loose = con.execute(
        "SELECT count(*) FROM facts f JOIN documents d USING (document_id) WHERE f.load_order <> d.load_order"
    ).fetchone()[0]
    superseded = con.execute("SELECT count(*) FROM documents WHERE status = 'superseded'").fetchone()[0]
    con.close()
    assert years > 0 and orders[0] == orders[1] == len(many) and loose == 0 and superseded == 1


def test_a_document_the_database_refuses_is_refused_alone_and_its_batch_loads(tmp_path):
    """A row that passed validation but that DuckDB will not take (a null in a NOT NULL column): the
    batch's transaction fails, each document then goes alone, and only that one is quarantined
    (load_failed), with nothing of it left in facts."""
    import pyarrow as pa

    from juesuan.ingest import store_batch

    names = sorted(p.name for p in SAMPLES.glob("000[0-2]*.pdf"))
    batch = [prepare(SAMPLES / name) for name in names]
    broken = batch[1]
    at = broken.facts.schema.get_field_index("raw_text")
    broken.facts = broken.facts.set_column(at, "raw_text", pa.nulls(len(broken.facts), pa.string()))
    con = connect(tmp_path / "w.duckdb")
    outcomes = store_batch(con, batch, tmp_path / "quarantine")
    statuses = con.execute("SELECT document_id, status FROM documents").fetchall()
    rows = dict(con.execute("SELECT document_id, count(*) FROM facts GROUP BY 1").fetchall())
    con.close()
    assert [o.status for o in outcomes] == ["loaded", "quarantined", "loaded"]
    assert outcomes[1].reason.startswith("load_failed: ") and "NOT NULL" in outcomes[1].reason
    assert dict(statuses)[broken.document_id] == "quarantined" and broken.document_id not in rows
    assert rows == {p.document_id: p.n_facts for p in (batch[0], batch[2])}
    assert (tmp_path / "quarantine" / f"{broken.document_id}.pdf").exists()


def test_the_writer_checkpoints_between_batches_once_its_log_is_due(tmp_path, monkeypatch):
    """The writer folds the log into the file itself, between batches, once it holds the threshold
    (DuckDB's own checkpoint is only a far backstop); how often it does changes nothing in the warehouse."""
    import juesuan.ingest
    from juesuan.warehouse.db import LOG_CHECKPOINT_BYTES, checkpoint_when_due, tune_for_loading

    con = connect(tmp_path / "w.duckdb")
    tune_for_loading(con)
    con.execute("CREATE TABLE scratch AS SELECT range AS n, repeat('x', 100) AS s FROM range(20000)")
    log = tmp_path / "w.duckdb.wal"
    held = log.stat().st_size
    assert 0 < held < LOG_CHECKPOINT_BYTES  # DuckDB did not checkpoint by itself at its 16 MB default
    assert not checkpoint_when_due(con) and log.stat().st_size == held  # not due
    assert checkpoint_when_due(con, log_bytes=held)  # due: folded into the file
    assert not log.exists() or log.stat().st_size < held
    assert not checkpoint_when_due(duckdb.connect())  # an in-memory database has no log to fold
    con.close()

    folds = []

    def every_batch(con, log_bytes=1):  # the smallest threshold: a checkpoint after every batch
        folds.append(checkpoint_when_due(con, log_bytes))
        return folds[-1]

    monkeypatch.setattr(juesuan.ingest, "checkpoint_when_due", every_batch)
    often = ingest([SAMPLES], tmp_path / "often.duckdb", batch_size=2)
    monkeypatch.undo()
    never = ingest([SAMPLES], tmp_path / "never.duckdb", batch_size=2)
    assert len(folds) == 4 and all(folds)  # 7 documents, 4 batches, a checkpoint after each
    assert [(o.status, o.facts) for o in often] == [(o.status, o.facts) for o in never]
    assert fingerprint(tmp_path / "often.duckdb") == fingerprint(tmp_path / "never.duckdb")


def test_the_writers_copy_of_documents_is_the_table_after_supersessions_refusals_and_rereading(tmp_path):
    """The writer answers its questions about ``documents`` from a copy read once a batch
    (:class:`juesuan.warehouse.known.Known`): after a batch that supersedes (a re-publication of a
    document of the batch and of one stored before), refuses a file, and reads a current document again
    (which hands its place back), the copy holds what the table holds, read afresh."""
    import dataclasses

    from juesuan.warehouse.known import Known
    from juesuan.warehouse.load import Incoming, _Batch

    def incoming(prepared):
        return Incoming(
            prepared.document, prepared.facts, prepared.figures, prepared.checks, (), prepared.refusal
        )

    def again(path: Path, name: str):  # the same document published again: other bytes
        copy = tmp_path / name
        copy.write_bytes(path.read_bytes() + f"\n% {name}\n".encode())
        return prepare(copy)

    first, second = sorted(SAMPLES.glob("*.pdf"))[:2]
    warehouse = tmp_path / "w.duckdb"
    ingest([first], warehouse)
    republished, current = again(first, "a.pdf"), prepare(second)
    refused = dataclasses.replace(prepare(again(second, "c.pdf").path), refusal="not_final_account: test")
    con = connect(warehouse)
    con.begin()
    batch = [incoming(current), incoming(republished), incoming(again(second, "b.pdf")), incoming(refused)]
    writer = _Batch(con, batch)
    results = [writer.add(item) for item in batch]
    writer.finish(None)
    fresh = Known(con, writer.known.rows, writer.known.departments)
    assert [r[0] for r in results] == ["loaded", "loaded", "loaded", "quarantined"]
    assert writer.known.rows == fresh.rows and len(fresh.rows) == 5
    statuses = sorted(r["status"] for r in fresh.rows.values())
    assert statuses == ["loaded", "loaded", "quarantined", "superseded", "superseded"]
    con.commit()
    # read again (``replace``): the re-publication goes, and the first file is current again
    con.begin()
    reread = _Batch(con, [incoming(republished)])
    reread.add(dataclasses.replace(incoming(republished), refusal="not_final_account: test"), replace=True)
    fresh = Known(con, reread.known.rows, reread.known.departments)
    assert reread.known.rows == fresh.rows
    by_path = {r["source_path"]: r["status"] for r in fresh.rows.values()}
    assert by_path[str(first)] == "loaded" and by_path[republished.path] == "quarantined"
    con.rollback()
    with pytest.raises(LookupError):  # a department the copy was not read for is not "no documents"
        Known(con, [current.document_id]).current("0" * 16, 2023, "final")
    con.close()


def test_the_writers_copy_holds_the_rows_a_document_superseded_in_another_department(tmp_path):
    """A document can be read again with another department than it had when it superseded an older
    file (a newer parser names the body differently): handing its place back must still find that file."""
    from juesuan.warehouse.known import Known, insert_row

    con = connect(tmp_path / "w.duckdb")
    for doc_id, department, status, by, order in (
        ("x" * 64, "a" * 16, "superseded", "d" * 64, 1),
        ("y" * 64, "a" * 16, "loaded", None, 2),  # the older file's department's current document
        ("d" * 64, "b" * 16, "loaded", None, 3),
    ):
        row = dict(document_id=doc_id, department_id=department, fiscal_year=2023, doc_kind="final")
        row.update(status=status, superseded_by=by, load_order=order, source_path=f"/{order}.pdf")
        insert_row(con, "documents", row)
    known = Known(con, ["d" * 64])
    assert [r["document_id"] for r in known.superseded_by("d" * 64)] == ["x" * 64]
    assert known.current("a" * 16, 2023, "final") == ["y" * 64]  # its department was read whole
    con.close()
