"""Loading one document: all of it or nothing, in one transaction.

Re-ingesting the same bytes changes nothing (the document id is the file's SHA-256). A different file for the
same department, year and kind supersedes the current one: its rows stay, marked ``superseded``.
"""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pandas as pd

from juesuan.reference.fields import resource
from juesuan.warehouse.years import year_checks


def _frame(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with exactly the declared columns, in order (missing ones null)."""
    cols = resource(name).columns
    out = frame.reindex(columns=cols)
    return out.astype(object).where(out.notna(), None)


def known(con: duckdb.DuckDBPyConnection, document_id: str) -> str | None:
    row = con.execute("SELECT status FROM documents WHERE document_id = ?", [document_id]).fetchone()
    return row[0] if row else None


def load_document(
    con: duckdb.DuckDBPyConnection,
    document: dict,
    facts: pd.DataFrame,
    figures: pd.DataFrame,
    checks: pd.DataFrame | None = None,
) -> tuple[str, list[str]]:
    """('loaded', superseded ids) or ('skipped', []) when the bytes are already in the warehouse."""
    con.begin()
    try:
        if known(con, document["document_id"]) is not None:
            con.rollback()
            return "skipped", []
        older = [
            r[0]
            for r in con.execute(
                "SELECT document_id FROM documents WHERE status = 'loaded' "
                "AND department_id = ? AND fiscal_year = ? AND doc_kind = ?",
                [document["department_id"], document["fiscal_year"], document["doc_kind"]],
            ).fetchall()
        ]
        if older:
            con.execute(
                "UPDATE documents SET status = 'superseded', superseded_by = ?, "
                "status_reason = 'a newer file for the same department, year and kind was loaded' "
                f"WHERE document_id IN ({', '.join('?' * len(older))})",
                [document["document_id"], *older],
            )
        row = dict(document, status="loaded", status_reason=None, ingested_at=_now())
        _insert(con, "documents", pd.DataFrame([row]))
        _insert(con, "facts", facts)
        _insert(con, "narrative_figures", figures)
        if checks is not None:
            _insert(con, "checks", checks)
        _refresh_year_checks(con, document)
        con.commit()
        return "loaded", older
    except Exception:
        con.rollback()
        raise


def _refresh_year_checks(con: duckdb.DuckDBPyConnection, document: dict) -> None:
    """Year ↔ year checks for this document and for the next year's, whichever was loaded first."""
    following = con.execute(
        "SELECT document_id FROM documents WHERE status = 'loaded' AND department_id = ? AND fiscal_year = ? "
        "AND doc_kind = ?",
        [document["department_id"], (document["fiscal_year"] or 0) + 1, document["doc_kind"]],
    ).fetchall()
    for doc_id in [document["document_id"], *(r[0] for r in following)]:
        con.execute("DELETE FROM checks WHERE document_id = ? AND check_id IN ('Y1', 'Y2')", [doc_id])
        _insert(con, "checks", year_checks(con, doc_id))


def record_quarantine(con: duckdb.DuckDBPyConnection, document: dict, reason: str) -> bool:
    """Record a refused file (once); nothing else of the warehouse changes. False if already known."""
    con.begin()
    try:
        if known(con, document["document_id"]) is not None:
            con.rollback()
            return False
        row = dict(document, status="quarantined", status_reason=reason, ingested_at=_now())
        _insert(con, "documents", pd.DataFrame([row]))
        con.commit()
        return True
    except Exception:
        con.rollback()
        raise


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    if frame.empty:
        return
    data = _frame(table, frame)
    con.register("incoming", data)
    try:
        cols = ", ".join(resource(table).columns)
        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM incoming")
    finally:
        con.unregister("incoming")


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
