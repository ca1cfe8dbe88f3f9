"""The analyst views' SQL, generated from their declaration (``juesuan/reference/views.yaml``).

The analyst views read current documents only (status 'loaded'); superseded files stay queryable in
documents/facts as history (the view facts_history holds their cells, quarantine the refused files). A
``query`` view is its declared SQL; a view's ``source.joins`` are LEFT JOINs (the code lists' names). A view
with ``scope: first`` reads the first set of tables of a document that prints more than one (汇总 then 本级,
per unit: table_scope = ''); the other sets are in current_facts and facts. Each view and each of its
columns carries its description as a DuckDB comment.
"""

from __future__ import annotations

import duckdb

from juesuan.reference.fields import DocumentStatus
from juesuan.reference.views import (
    CurrentView,
    PicksView,
    PivotView,
    QueryView,
    ViewColumn,
    load_views,
    view_columns,
)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _column(c: ViewColumn) -> str:
    if c.origin == "pick":
        cell = " AND ".join(
            f"{key} = {_literal(value)}"
            for key, value in (("table_code", c.table), ("row_label", c.row), ("measure", c.measure))
        )
        return f"max(amount_yuan) FILTER (WHERE {cell}) AS {_ident(c.name)}"
    if c.origin == "measure":
        return f"max(amount_yuan) FILTER (WHERE measure = {_literal(c.measure)}) AS {_ident(c.name)}"
    if c.sides:
        whens = " ".join(f"WHEN {_literal(m)} THEN {_literal(label)}" for m, label in c.sides)
        return f"CASE measure {whens} END AS {_ident(c.name)}"
    if c.expr is None:
        return _ident(c.name)
    return f"{c.expr} AS {_ident(c.name)}"


def view_select(name: str) -> str:
    """The SELECT of view ``name``."""
    view = load_views().views[name]
    columns = view_columns(name)
    if isinstance(view, CurrentView):
        joined = ", ".join(f"d.{_ident(c.name)}" for c in columns if c.origin == "documents")
        return (
            f"SELECT f.*, {joined}\nFROM facts f JOIN documents d USING (document_id)\n"
            f"WHERE d.status = {_literal(DocumentStatus.LOADED)}"
        )
    if isinstance(view, QueryView):
        return view.sql.strip().rstrip(";")
    where = []
    if view.source.scope == "first":
        where.append("table_scope = ''")
    if view.source.table is not None:
        where.append(f"table_code = {_literal(view.source.table)}")
    if view.source.coded_rows:
        where.append("row_code IS NOT NULL")
    sql = "SELECT " + ",\n       ".join(_column(c) for c in columns) + "\nFROM current_facts"
    for join in view.source.joins:
        sql += f"\nLEFT JOIN {_ident(join.table)} AS {_ident(join.alias)} ON {join.condition}"
    if where:
        sql += "\nWHERE " + " AND ".join(where)
    if isinstance(view, PivotView | PicksView):
        sql += "\nGROUP BY ALL"  # a long view keeps one row per cell
    return sql


def view_sql() -> str:
    """``CREATE OR REPLACE VIEW`` for every declared view (current_facts first: the others read it; query
    views last: they may read the others), with ``COMMENT ON`` statements carrying the descriptions."""
    statements = []
    views = load_views().views
    order = {"current": 0, "query": 2}
    for name, view in sorted(views.items(), key=lambda item: order.get(item[1].kind, 1)):
        statements.append(f"CREATE OR REPLACE VIEW {_ident(name)} AS\n{view_select(name)};")
        statements.append(f"COMMENT ON VIEW {_ident(name)} IS {_literal(view.description)};")
        statements += [
            f"COMMENT ON COLUMN {_ident(name)}.{_ident(c.name)} IS {_literal(c.description)};"
            for c in view_columns(name)
        ]
    return "\n".join(statements) + "\n"


def create_views(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create every view from the declaration, in one transaction."""
    con.begin()
    try:
        con.execute(view_sql())
        con.commit()
    except Exception:
        con.rollback()
        raise
