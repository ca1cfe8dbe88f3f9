"""The published extracts researchers read: after an ingest with a re-publication and a refused file, every
extract reads with pandas, DuckDB and polars (no null partition, empty ones too); facts holds the current
documents only (a sum does not double count), facts_history the superseded ones' cells, quarantine the
refused file; the code lists and the departments dimension are there; the CSV carries a UTF-8 BOM; and the
analyst views answer with what the facts hold, the code lists' names for the fiscal year beside the printed
ones."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pytest
from helpers.paths import SAMPLES

from juesuan.ingest import ingest
from juesuan.reference import economic_classes, function_classes
from juesuan.warehouse.export import BOM, export

REPUBLISHED = SAMPLES / "0003_mof9_2024.pdf"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict:
    """Two releases: ``plain`` from the samples alone (nothing superseded or refused: empty extracts) and
    ``full`` after a re-publication of one sample (new bytes, same accounts) and a text file named .pdf."""
    import pypdfium2 as pdfium

    root = tmp_path_factory.mktemp("extracts")
    warehouse = root / "w.duckdb"
    assert {o.status for o in ingest(sorted(SAMPLES.glob("*.pdf")), warehouse)} == {"loaded"}
    plain = root / "plain.duckdb"
    shutil.copy(warehouse, plain)
    later = root / "later"
    later.mkdir()
    pdfium.PdfDocument(REPUBLISHED).save(later / "republished.pdf")
    (later / "broken.pdf").write_text("not a pdf")
    outcomes = {Path(o.path).name: o.status for o in ingest([later], warehouse)}
    assert outcomes == {"republished.pdf": "loaded", "broken.pdf": "quarantined"}
    return {
        "warehouse": warehouse,
        "full": export(warehouse, root / "full").path,
        "plain": export(plain, root / "plain").path,
    }


@pytest.fixture(scope="module")
def full(built) -> Path:
    return built["full"]


@pytest.fixture(scope="module")
def live(built):
    con = duckdb.connect(str(built["warehouse"]), read_only=True)
    yield con
    con.close()


def manifest(release: Path) -> dict:
    return json.loads((release / "manifest.json").read_text("utf-8"))


def parquet(release: Path, name: str) -> duckdb.DuckDBPyRelation:
    return duckdb.sql(f"SELECT * FROM read_parquet('{release}/{name}/*/*.parquet', hive_partitioning = true)")


def rows(relation: duckdb.DuckDBPyRelation) -> list[tuple]:
    return relation.order("ALL").fetchall()


@pytest.mark.parametrize("which", ["full", "plain"])
def test_every_extract_reads_with_pandas_duckdb_and_polars_without_a_null_partition(built, which):
    release = built[which]
    resources = manifest(release)["resources"]
    assert not list(release.rglob("*__HIVE_DEFAULT_PARTITION__*"))
    for name, res in resources.items():
        folder = release / name
        parts = sorted(p.relative_to(folder).parts[0] for p in folder.rglob("*.parquet"))
        assert parts and all(p.startswith("fiscal_year=") for p in parts), name
        assert (res["rows"] == 0 or "fiscal_year" not in {c["name"] for c in res["columns"]}) == (
            parts == ["fiscal_year=all"]
        ), name
        frame = pd.read_parquet(folder, engine="pyarrow")
        assert len(frame) == res["rows"], name
        assert parquet(release, name).count("*").fetchone()[0] == res["rows"], name
        assert pl.read_parquet(f"{folder}/**/*.parquet", hive_partitioning=True).height == res["rows"], name
        assert (
            pl.scan_parquet(f"{folder}/**/*.parquet", hive_partitioning=True).collect().height == res["rows"]
        )
        named = {c["name"] for c in res["columns"]} - {"fiscal_year"}
        assert named <= set(frame.columns), name
    # and the whole release in one read, as ../shared/tools/check-contract reads it
    total = duckdb.sql(
        f"SELECT count(*) FROM read_parquet('{release}/**/*.parquet', hive_partitioning = true, "
        "union_by_name = true)"
    ).fetchone()[0]
    assert total == sum(res["rows"] for res in resources.values())
    if which == "plain":
        assert resources["facts_history"]["rows"] == 0 and resources["quarantine"]["rows"] == 0


def test_facts_hold_the_current_documents_only_and_sum_to_the_summary_totals(full, live):
    documents = parquet(full, "documents")
    assert documents.filter("status = 'quarantined' OR fiscal_year IS NULL").count("*").fetchone()[0] == 0
    current = {r[0] for r in documents.filter("status = 'loaded'").project("document_id").fetchall()}
    in_facts = {r[0] for r in parquet(full, "facts").project("document_id").distinct().fetchall()}
    assert in_facts == current
    total = (
        "table_code = 'expenditure' AND row_label = '合计' AND table_scope = '' "
        "AND measure = 'total_expenditure'"
    )
    summed = {
        (r[0], r[1]): r[2]
        for r in parquet(full, "facts")
        .filter(total)
        .aggregate("department_id, fiscal_year, sum(amount_yuan)")
        .fetchall()
    }
    summary = {
        (r[0], r[1]): r[2]
        for r in parquet(full, "summary")
        .aggregate("department_id, fiscal_year, sum(total_expenditure)")
        .fetchall()
    }
    assert summed == summary and len(summed) == len(current)
    # the re-published department counted once: the warehouse's facts table, all documents, counts it twice
    republished = live.execute(
        "SELECT department_id, fiscal_year FROM documents WHERE status = 'superseded'"
    ).fetchone()
    naive = live.execute(
        f"SELECT sum(amount_yuan) FROM facts WHERE department_id = ? AND fiscal_year = ? AND {total}",
        list(republished),
    ).fetchone()[0]
    assert naive == 2 * summed[tuple(republished)]


def test_facts_history_holds_the_superseded_facts_and_quarantine_the_refused_file(full, live):
    old, new = live.execute(
        "SELECT document_id, superseded_by FROM documents WHERE status = 'superseded'"
    ).fetchone()
    history = parquet(full, "facts_history")
    assert {r[0] for r in history.project("document_id, superseded_by").distinct().fetchall()} == {old}
    assert {r[1] for r in history.project("document_id, superseded_by").distinct().fetchall()} == {new}
    columns = [c for c in history.columns if c not in ("superseded_by", "fiscal_year")]
    expected = live.execute(
        f"SELECT {', '.join(columns)} FROM facts WHERE document_id = ? ORDER BY ALL", [old]
    ).fetchall()
    assert history.project(", ".join(columns)).order("ALL").fetchall() == expected and expected
    quarantine = pd.read_parquet(full / "quarantine")
    assert len(quarantine) == 1
    refused = quarantine.iloc[0]
    assert Path(refused["source_path"]).name == "broken.pdf" and refused["reason_code"] == "not_pdf"
    assert refused["status_reason"].startswith("not_pdf:")


def test_the_code_lists_and_the_departments_are_published(full, live):
    for name, classes in (("function_classes", function_classes()), ("economic_classes", economic_classes())):
        got = rows(parquet(full, name).project("code, name, level, parent_code, valid_from, valid_to"))
        assert got == sorted(
            (e.code, e.name, e.level, e.parent_code, e.valid_from, e.valid_to) for e in classes.entries
        ), name
    departments = pd.read_parquet(full / "departments").set_index("department_id")
    expected = live.execute(
        "SELECT department_id, min(fiscal_year), max(fiscal_year), list(DISTINCT department_name) "
        "FROM documents WHERE status <> 'quarantined' GROUP BY 1"
    ).fetchall()
    assert len(departments) == len(expected) > 1
    for department, first, last, names in expected:
        row = departments.loc[department]
        assert (row["first_fiscal_year"], row["last_fiscal_year"]) == (first, last)
        assert sorted(row["names_seen"]) == sorted(names) and row["department_name"] in names


def test_the_csv_starts_with_a_bom_and_reads_back(full):
    for name, res in manifest(full)["resources"].items():
        path = full / "csv" / f"{name}.csv"
        raw = path.read_bytes()
        assert raw.startswith(BOM) and not raw.startswith(BOM * 2), name
        frame = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
        assert len(frame) == res["rows"] and list(frame.columns) == [c["name"] for c in res["columns"]], name
        read = duckdb.sql(f"SELECT * FROM read_csv('{path}', header = true, all_varchar = true)")
        assert read.columns == [c["name"] for c in res["columns"]] and len(read.fetchall()) == res["rows"], (
            name
        )
    facts = pd.read_csv(full / "csv" / "facts.csv", encoding="utf-8-sig", dtype={"amount_yuan": str})
    assert "合计" in set(facts["row_label"])
    polars = pl.read_csv(full / "csv" / "facts.csv", infer_schema=False)
    assert polars.columns[0] == "document_id" and polars.height == len(facts)


def _valid(entries, code: str, year: int) -> str | None:
    names = [e.name for e in entries if e.code == code and e.valid_from <= year <= (e.valid_to or 9999)]
    assert len(names) <= 1, (code, year)  # one name per code and year
    return names[0] if names else None


def test_expenditure_and_gov_fund_by_function_carry_the_code_lists_names_for_the_year(full):
    con = duckdb.connect(str(full / "juesuan.duckdb"), read_only=True)
    entries = function_classes().entries
    for view, table in (("expenditure_by_function", "expenditure"), ("gov_fund_by_function", "gov_fund")):
        got = con.execute(
            f"SELECT function_code, fiscal_year, function_name, canonical_name, parent_code, parent_name, "
            f"class_code, class_name FROM {view}"
        ).fetchall()
        assert got, view
        named = 0
        for code, year, printed, canonical, parent, parent_name, klass, class_name in got:
            assert canonical == _valid(entries, code, year), (view, code, year)
            assert parent == {7: code[:5], 5: code[:3]}.get(len(code)) and klass == code[:3]
            assert parent_name == (_valid(entries, parent, year) if parent else None)
            assert class_name == _valid(entries, klass, year)
            named += canonical is not None and canonical == printed
        assert named > len(got) // 2, view  # most printed names are the code list's
        # the amounts are the facts'
        assert (
            con.execute(
                f"SELECT document_id, function_code, total_expenditure FROM {view} ORDER BY ALL"
            ).fetchall()
            == con.execute(
                "SELECT document_id, row_code, amount_yuan FROM facts JOIN documents USING (document_id) "
                f"WHERE status = 'loaded' AND table_code = '{table}' AND table_scope = '' "
                "AND row_code IS NOT NULL AND measure = 'total_expenditure' ORDER BY ALL"
            ).fetchall()
        )
    # a wide table by year, through DuckDB's PIVOT
    wide = con.sql(
        "PIVOT (SELECT department_id, fiscal_year, total_expenditure FROM expenditure_by_function "
        "WHERE level = '类') ON fiscal_year USING sum(total_expenditure) GROUP BY department_id"
    )
    years = {r[0] for r in con.execute("SELECT DISTINCT fiscal_year FROM expenditure_by_function").fetchall()}
    assert set(wide.columns) == {"department_id", *map(str, years)}
    assert (
        wide.count("*").fetchone()[0]
        == con.execute("SELECT count(DISTINCT department_id) FROM expenditure_by_function").fetchone()[0]
    )
    con.close()


def test_basic_expenditure_by_economic_carries_the_economic_classes_names(full):
    con = duckdb.connect(str(full / "juesuan.duckdb"), read_only=True)
    entries = economic_classes().entries
    got = con.execute(
        "SELECT economic_code, fiscal_year, canonical_name, parent_code, parent_name "
        "FROM basic_expenditure_by_economic"
    ).fetchall()
    assert got and any(r[2] is not None for r in got)
    for code, year, canonical, parent, parent_name in got:
        assert canonical == _valid(entries, code, year)
        assert parent == (code[:3] if len(code) == 5 else None)
        assert parent_name == (_valid(entries, parent, year) if parent else None)
    con.close()


def test_three_public_execution_sets_each_budget_against_its_actual(full):
    con = duckdb.connect(str(full / "juesuan.duckdb"), read_only=True)
    got = con.execute(
        "SELECT document_id, item, budget_yuan, actual_yuan, execution_rate FROM three_public_execution"
    ).fetchall()
    cells = dict(
        ((d, m), a)
        for d, m, a in con.execute(
            "SELECT document_id, measure, amount_yuan FROM current_facts "
            "WHERE table_code = 'three_public' AND table_scope = ''"
        ).fetchall()
    )
    assert got
    assert {(d, item) for d, item, *_ in got} == {
        (d, m.removesuffix("_budget"))
        for d, m in cells
        if m.endswith("_budget") and (d, m.removesuffix("_budget") + "_actual") in cells
    }
    for document, item, budget, actual, rate in got:
        assert budget == cells[document, f"{item}_budget"] and actual == cells[document, f"{item}_actual"]
        expected = None if not budget else (100 * actual / budget).quantize(Decimal("0.01"))
        assert rate == expected, (item, budget, actual, rate)
    total = con.execute(
        "SELECT document_id, budget_yuan, actual_yuan FROM three_public_execution WHERE item = 'three_public'"
    ).fetchall()
    assert sorted(total) == sorted(
        con.execute("SELECT document_id, total_budget, total_actual FROM three_public").fetchall()
    )
    con.close()


def test_operations_hold_the_narratives_running_costs_procurement_and_vehicles(full):
    con = duckdb.connect(str(full / "juesuan.duckdb"), read_only=True)
    current = con.execute("SELECT count(*) FROM documents WHERE status = 'loaded'").fetchone()[0]
    assert con.execute("SELECT count(*), count(DISTINCT document_id) FROM operations").fetchone() == (
        current,
        current,
    )
    stated = con.execute(
        "SELECT n.document_id, n.subject, coalesce(n.amount_yuan, n.quantity) FROM narrative_figures n "
        "JOIN documents d USING (document_id) WHERE d.status = 'loaded' AND n.subject IN ("
        "'running_cost', 'procurement_total', 'procurement_goods', 'procurement_services', "
        "'vehicles_held', 'vehicles_bought')"
    ).fetchall()
    assert len({s for _, s, _ in stated}) == 6
    for document, subject, value in stated:
        (got,) = con.execute(f"SELECT {subject} FROM operations WHERE document_id = ?", [document]).fetchone()
        assert got == value, (subject, document)
    con.close()
