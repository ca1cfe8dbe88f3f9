"""The analyst views agree with their declaration (views.yaml) and with the catalogue: every view measure is a
catalogue measure of the view's table, every column is described, the generated SQL makes exactly the
declared columns, and a pivot over the samples holds exactly the long facts it is made from."""

from __future__ import annotations

import dataclasses
from collections import Counter
from importlib import resources
from pathlib import Path

import duckdb
import pytest
import yaml
from helpers.paths import SAMPLES

from juesuan.ingest import ingest
from juesuan.reference import views as declared
from juesuan.reference.catalogue import load_catalogue
from juesuan.reference.model import DeclarationError
from juesuan.reference.views import (
    LongView,
    PicksView,
    PivotView,
    load_views,
    parse_views,
    view_columns,
)
from juesuan.warehouse import connect
from juesuan.warehouse.export import EXPORTED_VIEWS, _descriptions, datapackage, dictionary
from juesuan.warehouse.views import view_sql

VIEWS = load_views().names


def _columns(con: duckdb.DuckDBPyConnection, view: str) -> list[str]:
    return [r[0] for r in con.execute(f"DESCRIBE {view}").fetchall()]


@pytest.fixture(scope="module")
def empty_warehouse(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("empty") / "w.duckdb"
    connect(path).close()
    return path


@pytest.fixture(scope="module")
def sample_warehouse(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("samples") / "w.duckdb"
    assert [o.status for o in ingest([SAMPLES], path)] == ["loaded"] * 7
    return path


# -- the declaration against the catalogue ------------------------------------------------------------------


def test_every_view_measure_is_a_measure_of_its_table_in_the_catalogue():
    catalogue = load_catalogue()
    seen = 0
    for name, view in load_views().views.items():
        if isinstance(view, LongView | PivotView | PicksView) and view.source.table is not None:
            assert view.source.table in catalogue.tables, name
        for c in view_columns(name):
            if c.measure is None:
                continue
            seen += 1
            assert c.measure in catalogue.measures, (name, c.name)
            assert c.measure in catalogue.tables[c.table].measures(), (name, c.name, c.table)
        for c in view_columns(name):
            for measure, side in c.sides:
                table = catalogue.tables[view.source.table]
                assert side in {s.label for s in table.sides} and measure in table.measures(), (name, c.name)
    assert seen >= 30


def test_a_pivot_has_a_column_for_every_measure_the_catalogue_gives_its_table():
    catalogue = load_catalogue()
    pivots = {n: v for n, v in load_views().views.items() if isinstance(v, PivotView)}
    assert set(pivots) == {
        "expenditure_by_function",
        "income_by_function",
        "gov_fund_by_function",
        "three_public",
    }
    for name, view in pivots.items():
        measures = [c.measure for c in view_columns(name) if c.origin == "measure"]
        assert measures == list(dict.fromkeys(catalogue.tables[view.source.table].measures())), name
        assert set(view.rename) <= set(measures), name
    three_public = [c.name for c in view_columns("three_public")]
    # renamed as before; the 会议费/培训费 columns the catalogue added are there without any SQL written
    assert three_public[4:6] == ["total_budget", "total_actual"]
    assert {"meeting_budget", "meeting_actual", "training_budget", "training_actual"} <= set(three_public)


def test_a_measure_added_to_the_catalogue_becomes_a_view_column(monkeypatch):
    catalogue = load_catalogue()
    spec = catalogue.tables["three_public"]
    node = type(spec.columns[0])(labels=("差旅费",), measure="travel_actual")
    proto = catalogue.measures["reception_actual"]
    text = {"label": "差旅费决算数", "description": "actual travel"}
    measure = dict(text) if isinstance(proto, dict) else type(proto)(**text)

    def replace(obj, **changes):
        return (
            obj.model_copy(update=changes)
            if hasattr(obj, "model_copy")
            else dataclasses.replace(obj, **changes)
        )

    changed = replace(
        catalogue,
        tables={**catalogue.tables, "three_public": replace(spec, columns=(*spec.columns, node))},
        measures={**catalogue.measures, "travel_actual": measure},
    )
    monkeypatch.setattr(declared, "load_catalogue", lambda: changed)
    declared.view_columns.cache_clear()
    try:
        columns = view_columns("three_public")
        sql = view_sql()
    finally:
        declared.view_columns.cache_clear()
    assert [c.name for c in columns][-2:] == ["travel_actual", "document_id"]
    assert columns[-2].description.startswith("差旅费决算数: actual travel")
    assert "FILTER (WHERE measure = 'travel_actual') AS \"travel_actual\"" in sql


# -- descriptions -------------------------------------------------------------------------------------------


def test_every_view_and_view_column_has_a_description():
    for name in VIEWS:
        description, fields = _descriptions(name)
        assert description.strip(), name
        columns = view_columns(name)
        assert [c.name for c in columns] == list(fields), name
        for c in columns:
            assert c.description.strip() and c.description.strip() != c.name, (name, c.name)


def test_the_dictionary_and_datapackage_describe_every_column_of_every_exported_view(empty_warehouse):
    con = connect(empty_warehouse, read_only=True)
    manifest = {
        "created_at": "2024-01-01T00:00:00+00:00",
        "juesuan": "test",
        "schema_version": 0,
        "resources": {
            name: {
                "rows": 0,
                "columns": [{"name": r[0], "type": r[1]} for r in con.execute(f"DESCRIBE {name}").fetchall()],
                "files": [],
            }
            for name in EXPORTED_VIEWS
        },
    }
    con.close()
    assert set(EXPORTED_VIEWS) == set(VIEWS) - {"current_facts"}
    package = datapackage(manifest)
    for resource in package["resources"]:
        assert resource["description"].strip(), resource["name"]
        for field in resource["schema"]["fields"]:
            assert field["description"].strip(), (resource["name"], field["name"])
    text = dictionary(manifest)
    assert (
        "| total_budget | DECIMAL(20,2) | “三公”经费合计预算数: budget of the three public expenses (元) |"
        in text
    )
    assert not [line for line in text.splitlines() if line.startswith("| ") and line.endswith("|  |")]


# -- the generated SQL --------------------------------------------------------------------------------------


def test_the_generated_views_make_exactly_the_declared_columns_on_an_empty_warehouse(empty_warehouse):
    con = duckdb.connect(str(empty_warehouse), read_only=True)
    try:
        made = {
            r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
        }
        assert made == set(VIEWS)
        for name in VIEWS:
            assert _columns(con, name) == [c.name for c in view_columns(name)], name
            assert con.execute(f"SELECT count(*) FROM {name}").fetchone() == (0,)
            comments = dict(
                con.execute(
                    "SELECT column_name, comment FROM duckdb_columns() WHERE table_name = ?", [name]
                ).fetchall()
            )
            assert comments == {c.name: c.description for c in view_columns(name)}, name
        described = dict(
            con.execute("SELECT view_name, comment FROM duckdb_views() WHERE NOT internal").fetchall()
        )
        assert described == {n: v.description for n, v in load_views().views.items()}
    finally:
        con.close()


def test_a_warehouse_made_by_an_older_juesuan_gets_the_declared_views_on_its_next_writer(tmp_path):
    path = tmp_path / "w.duckdb"
    connect(path).close()
    con = duckdb.connect(str(path))
    # the hand-written three_public of before, and a view gone
    con.execute(
        "CREATE OR REPLACE VIEW three_public AS SELECT department_id, fiscal_year, "
        "max(amount_yuan) FILTER (WHERE measure = 'three_public_budget') AS total_budget, document_id "
        "FROM current_facts WHERE table_scope = '' AND table_code = 'three_public' GROUP BY ALL"
    )
    con.execute("DROP VIEW summary")
    con.close()
    con = connect(path)
    try:
        assert _columns(con, "three_public") == [c.name for c in view_columns("three_public")]
        assert _columns(con, "summary") == [c.name for c in view_columns("summary")]
    finally:
        con.close()


def _raw() -> dict:
    return yaml.safe_load(resources.files("juesuan.reference").joinpath("views.yaml").read_text("utf-8"))


def test_a_declaration_with_an_unknown_key_is_refused_with_the_file_and_key_path():
    assert parse_views(_raw()) == load_views()
    raw = _raw()
    raw["views"]["three_public"]["renames"] = raw["views"]["three_public"].pop("rename")
    with pytest.raises(DeclarationError) as error:
        parse_views(raw)
    assert "views.yaml: views.three_public.pivot.renames:" in str(error.value)  # (pivot: the view's kind)
    raw = _raw()
    raw["views"]["summary"]["columns"].append("departement_id")
    with pytest.raises(DeclarationError, match="departement_id"):
        parse_views(raw)
    raw = _raw()
    raw["views"]["summary"]["picks"][0]["description"] = " "
    with pytest.raises(DeclarationError, match=r"views\.summary\.picks\.picks\.0\.description"):
        parse_views(raw)


# -- the views over the samples against the long facts -------------------------------------------------------

FIRST_SET = (
    "FROM facts f JOIN documents d USING (document_id) "
    "WHERE d.status = 'loaded' AND f.table_scope = '' AND f.table_code = ?"
)


def test_expenditure_by_function_holds_exactly_the_long_facts(sample_warehouse):
    con = duckdb.connect(str(sample_warehouse), read_only=True)
    try:
        measures = [c.name for c in view_columns("expenditure_by_function") if c.origin == "measure"]
        unpivoted = Counter()
        for m in measures:
            unpivoted.update(
                con.execute(
                    f"SELECT document_id, department_id, fiscal_year, function_code, function_name, level, "
                    f"'{m}', {m} FROM expenditure_by_function WHERE {m} IS NOT NULL"
                ).fetchall()
            )
        long = Counter(
            con.execute(
                "SELECT f.document_id, f.department_id, f.fiscal_year, f.row_code, f.row_label, "
                "CASE length(f.row_code) WHEN 3 THEN '类' WHEN 5 THEN '款' ELSE '项' END, f.measure, "
                f"f.amount_yuan {FIRST_SET} AND f.row_code IS NOT NULL",
                ["expenditure"],
            ).fetchall()
        )
        rows = con.execute("SELECT count(*) FROM expenditure_by_function").fetchone()[0]
        keys = con.execute(
            f"SELECT count(DISTINCT (f.document_id, f.row_code, f.row_label)) {FIRST_SET} "
            "AND f.row_code IS NOT NULL",
            ["expenditure"],
        ).fetchone()[0]
    finally:
        con.close()
    assert len(long) > 500 and max(long.values()) == 1
    assert unpivoted == long  # every printed cell once, nothing else
    assert rows == keys  # one row per printed line
    assert {m for (*_, m, _) in long} == set(measures)  # the three columns added to the view are printed


def test_three_public_and_summary_hold_their_cells(sample_warehouse):
    con = duckdb.connect(str(sample_warehouse), read_only=True)
    try:
        renamed = {c.measure: c.name for c in view_columns("three_public") if c.origin == "measure"}
        view = {}
        for column in renamed.values():
            for doc, amount in con.execute(f"SELECT document_id, {column} FROM three_public").fetchall():
                if amount is not None:
                    view[doc, column] = amount
        long = {
            (doc, renamed[measure]): amount
            for doc, measure, amount in con.execute(
                f"SELECT f.document_id, f.measure, f.amount_yuan {FIRST_SET}", ["three_public"]
            ).fetchall()
        }
        assert view == long and len(long) == 7 * 12
        for c in view_columns("summary"):
            if c.origin != "pick":
                continue
            picked = dict(con.execute(f"SELECT document_id, {c.name} FROM summary").fetchall())
            cells = dict(
                con.execute(
                    f"SELECT f.document_id, f.amount_yuan {FIRST_SET} AND f.row_label = ? AND f.measure = ?",
                    [c.table, c.row, c.measure],
                ).fetchall()
            )
            assert len(picked) == 7 and picked == cells, c.name
    finally:
        con.close()


def test_every_identity_domain_md_documents_is_declared_and_checked():
    """DOMAIN.md §3's identities (I1…, X1…) each are a catalogue identity with checks, or declared the same
    as one that has them (X5 = I13): nothing documented goes unchecked."""
    import re

    from helpers.paths import SHARED, require_shared

    domain = require_shared(SHARED.parent / "docs" / "DOMAIN.md").read_text("utf-8")
    documented = re.findall(r"^\| ([IX]\d+) \|", domain, flags=re.M)
    declared = {i.id: i for i in load_catalogue().identities}
    assert len(documented) >= 27
    missing = [i for i in documented if i not in declared]
    unchecked = [
        i
        for i in documented
        if i in declared and not (declared[i].checks or declared[declared[i].same_as].checks)
    ]
    assert missing == [] and unchecked == []
