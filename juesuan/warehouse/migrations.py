"""The warehouse's schema brought up to date: forward migrations, each recorded, then the views made anew
from their declaration (a writer's work; readers never import this)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import duckdb

from juesuan.reference import economic_classes, function_classes
from juesuan.reference.fields import resources_, schema_version
from juesuan.warehouse.views import create_views


def _v1(con: duckdb.DuckDBPyConnection) -> None:
    """The tables of warehouse.yaml, the reference tables filled from the code lists (the views are made
    after every migration run: :func:`migrate`)."""
    for spec in resources_().values():
        con.execute(spec.ddl())
    for table, classes in (
        ("function_classes", function_classes()),
        ("economic_classes", economic_classes()),
    ):
        con.execute(f"DELETE FROM {table}")
        con.executemany(
            f"INSERT INTO {table} VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (e.code, e.name, e.level, e.parent_code, e.valid_from, e.valid_to, e.verified)
                for e in classes.entries
            ],
        )


def _v2(con: duckdb.DuckDBPyConnection) -> None:
    """document_sources: every path under which a document's bytes were seen (filled from documents)."""
    con.execute(resources_()["document_sources"].ddl())
    con.execute(
        "INSERT INTO document_sources (document_id, source_path, seen_at) "
        "SELECT document_id, source_path, ingested_at FROM documents "
        "WHERE (document_id, source_path) NOT IN (SELECT (document_id, source_path) FROM document_sources)"
    )


def _v3(con: duckdb.DuckDBPyConnection) -> None:
    """facts.table_scope: which set of tables a cell belongs to ('' for every cell loaded before); the
    analyst views read the first set only."""
    columns = {r[0] for r in con.execute("DESCRIBE facts").fetchall()}
    if "table_scope" not in columns:
        con.execute("ALTER TABLE facts ADD COLUMN table_scope VARCHAR DEFAULT ''")
        con.execute("UPDATE facts SET table_scope = '' WHERE table_scope IS NULL")


def _v4(con: duckdb.DuckDBPyConnection) -> None:
    """checks.cells: the cells each check read, so that a report finds them without parsing the subject
    (checks loaded before stay without: null)."""
    columns = {r[0] for r in con.execute("DESCRIBE checks").fetchall()}
    if "cells" not in columns:
        spec = next(f for f in resources_()["checks"].fields if f.name == "cells")
        con.execute(f"ALTER TABLE checks ADD COLUMN cells {spec.type}")


def _v5(con: duckdb.DuckDBPyConnection) -> None:
    """document_sources.url, landing_page, fetched_at: where a fetched file came from (null for the rows
    of folder sources and of rows recorded before)."""
    columns = {r[0] for r in con.execute("DESCRIBE document_sources").fetchall()}
    for field in resources_()["document_sources"].fields:
        if field.name not in columns:
            con.execute(f"ALTER TABLE document_sources ADD COLUMN {field.name} {field.type}")


def _v6(con: duckdb.DuckDBPyConnection) -> None:
    """documents.load_order and facts.load_order: the writer's lookups of a document's cells (the year ↔
    year checks) filter on it and read one stretch of facts instead of the whole table. Documents loaded
    before are numbered in the order they were ingested."""
    for table in ("documents", "facts"):
        columns = {r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()}
        if "load_order" not in columns:
            con.execute(f"ALTER TABLE {table} ADD COLUMN load_order BIGINT")
    con.execute(
        "UPDATE documents SET load_order = o.n FROM (SELECT document_id, row_number() OVER "
        "(ORDER BY ingested_at, document_id) AS n FROM documents) o "
        "WHERE documents.document_id = o.document_id"
    )
    con.execute(
        "UPDATE facts SET load_order = d.load_order FROM documents d WHERE facts.document_id = d.document_id"
    )


def _v7(con: duckdb.DuckDBPyConnection) -> None:
    """Indexes for the writer's point lookups in documents (is this file known; which document of the
    department, year and kind is current): without them each is a scan of the whole table, and loading
    slows as the warehouse grows (19 → 23 ms a document over 10,000 documents)."""
    con.execute("CREATE INDEX IF NOT EXISTS documents_by_id ON documents (document_id)")
    con.execute("CREATE INDEX IF NOT EXISTS documents_by_department ON documents (department_id)")


def _v8(con: duckdb.DuckDBPyConnection) -> None:
    """v7's indexes dropped: the writer now reads the ``documents`` rows a batch needs in one query
    (:mod:`juesuan.warehouse.known`), and DuckDB rewrote each index whole at every checkpoint (576
    documents into a 9,000-document warehouse: 0.84–0.86× the time without them and their lookups)."""
    con.execute("DROP INDEX IF EXISTS documents_by_id")
    con.execute("DROP INDEX IF EXISTS documents_by_department")


MIGRATIONS: dict[int, Callable[[duckdb.DuckDBPyConnection], None]] = {
    1: _v1,
    2: _v2,
    3: _v3,
    4: _v4,
    5: _v5,
    6: _v6,
    7: _v7,
    8: _v8,
}


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    con.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER, applied_at TIMESTAMP)")
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Apply every migration above the recorded version, each in its own transaction, then (re)create the
    analyst views from their declaration: the views are not migrations, so a warehouse made by an older
    juesuan gets the current views (a measure added to the catalogue, a new view) on its next writer."""
    version = current_version(con)
    for target in range(version + 1, schema_version() + 1):
        con.begin()
        try:
            MIGRATIONS[target](con)
            con.execute(
                "INSERT INTO schema_version VALUES (?, ?)", [target, datetime.now(UTC).replace(tzinfo=None)]
            )
            con.commit()
        except Exception:
            con.rollback()
            raise
    create_views(con)
    return max(version, schema_version())
