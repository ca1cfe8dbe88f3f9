"""Opening the warehouse and bringing its schema up to date (forward migrations, recorded)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import duckdb

from juesuan.reference import economic_classes, function_classes
from juesuan.reference.fields import resources_, schema_version

VIEWS = (
    "current_facts",
    "expenditure_by_function",
    "income_by_function",
    "basic_expenditure_by_economic",
    "three_public",
    "summary",
)
CONTENT_TABLES = ("documents", "facts", "narrative_figures", "checks")


def connect(path: str | Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    path = Path(path)
    if read_only:
        if not path.exists():
            raise FileNotFoundError(f"{path}: no warehouse there (run `juesuan ingest` first)")
        return duckdb.connect(str(path), read_only=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    migrate(con)
    return con


def _v1(con: duckdb.DuckDBPyConnection) -> None:
    """The tables of warehouse.yaml, the reference tables filled from the code lists, the views."""
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
    con.execute(resources.files("juesuan.warehouse").joinpath("views.sql").read_text("utf-8"))


MIGRATIONS: dict[int, Callable[[duckdb.DuckDBPyConnection], None]] = {1: _v1}


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    con.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER, applied_at TIMESTAMP)")
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Apply every migration above the recorded version, each in its own transaction."""
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
    return max(version, schema_version())
