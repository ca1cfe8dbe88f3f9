"""Loading one document: all of it or nothing, in one transaction.

Re-ingesting the same bytes changes nothing (the document id is the file's SHA-256). A different file for the
same department, year and kind supersedes the current one: its rows stay, marked ``superseded``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache

import duckdb
import pandas as pd
import pyarrow as pa

from juesuan.faults import checkpoint
from juesuan.reconcile import checks_frame
from juesuan.reconcile.years import ChangeStatement, year_checks
from juesuan.reference.fields import DocumentStatus, IngestStatus, resource


@dataclass(frozen=True)
class Origin:
    """Where fetched bytes came from: the URL, the listing page that linked to it, and when (all None for a
    file found in a folder)."""

    url: str | None = None
    landing_page: str | None = None
    fetched_at: datetime | None = None

    def row(self) -> dict:
        return {"url": self.url, "landing_page": self.landing_page, "fetched_at": self.fetched_at}


@cache
def arrow_schema(name: str) -> pa.Schema:
    """The table's Arrow schema, from the declared fields: amounts travel as exact decimal128."""
    return pa.schema([(f.name, _arrow_type(f.arrow_type)) for f in resource(name).fields])


def _arrow_type(name: str) -> pa.DataType:
    if name.startswith("list<") and name.endswith(">"):
        return pa.list_(_arrow_type(name[5:-1]))
    if name.startswith("struct<") and name.endswith(">"):
        fields = (part.split(":", 1) for part in _top_level(name[7:-1]))
        return pa.struct([(field.strip(), _arrow_type(kind.strip())) for field, kind in fields])
    if name.startswith("decimal128("):
        precision, scale = map(int, name[11:-1].split(","))
        return pa.decimal128(precision, scale)
    if name.startswith("timestamp["):
        return pa.timestamp(name[10:-1])
    return pa.type_for_alias(name)


def _top_level(members: str) -> list[str]:
    """``a: int32, b: list<string>`` split at the commas outside brackets."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(members):
        depth += 1 if ch in "<(" else -1 if ch in ">)" else 0
        if ch == "," and depth == 0:
            parts.append(members[start:i])
            start = i + 1
    return [*parts, members[start:]]


def _arrow(name: str, frame: pd.DataFrame) -> pa.Table:
    """The frame as an Arrow table with exactly the declared columns, in order (missing ones null).

    Arrow rather than a pandas frame because DuckDB scans it without inspecting Python objects one by
    one (three times faster to load) and Decimal → decimal128 is exact."""
    schema = arrow_schema(name)
    columns = [
        pa.array(frame[f.name], type=f.type, from_pandas=True)
        if f.name in frame
        else pa.nulls(len(frame), type=f.type)
        for f in schema
    ]
    return pa.Table.from_arrays(columns, schema=schema)


def load_document(
    con: duckdb.DuckDBPyConnection,
    document: dict,
    facts: pd.DataFrame,
    figures: pd.DataFrame,
    checks: pd.DataFrame | None = None,
    seconds: dict[str, float] | None = None,
    origins: Iterable[Origin] = (),
    replace: bool = False,
) -> tuple[str, list[str]]:
    """('loaded', superseded ids) or ('skipped', []) when the bytes are already in the warehouse.

    ``seconds`` (when given) receives the time spent on the year ↔ year checks, which are reconciliation
    run inside the loading transaction rather than loading proper. ``replace``: the document is read again
    (a newer parser): its rows are replaced in the same transaction (its paths and origins stay)."""
    con.begin()
    try:
        first_seen = forget(con, document["document_id"]) if replace else None
        # one query: is this file known already, and which loaded file does it supersede?
        rows = con.execute(
            "SELECT document_id, ingested_at FROM documents WHERE document_id = ? OR (status = ? "
            "AND department_id = ? AND fiscal_year = ? AND doc_kind = ?)",
            [
                document["document_id"],
                DocumentStatus.LOADED,
                document["department_id"],
                document["fiscal_year"],
                document["doc_kind"],
            ],
        ).fetchall()
        if any(doc_id == document["document_id"] for doc_id, _ in rows):
            con.rollback()
            return IngestStatus.SKIPPED, []
        newer = [doc_id for doc_id, at in rows if first_seen is not None and at > first_seen]
        if newer:  # read again, but a later publication is current: it stays history
            return _as_history(con, document, facts, figures, checks, origins, first_seen, newer[0])
        older = [doc_id for doc_id, _ in rows]
        if older:
            con.execute(
                "UPDATE documents SET status = ?, superseded_by = ?, "
                "status_reason = 'a newer file for the same department, year and kind was loaded' "
                f"WHERE document_id IN ({', '.join('?' * len(older))})",
                [DocumentStatus.SUPERSEDED, document["document_id"], *older],
            )
        loaded = dict(
            document, status=DocumentStatus.LOADED, status_reason=None, ingested_at=first_seen or _now()
        )
        _insert_row(con, "documents", loaded)
        record_source(con, document["document_id"], document["source_path"], origins)
        _insert(con, "facts", facts)
        checkpoint("load.insert")
        _insert(con, "narrative_figures", figures)
        if checks is not None:
            _insert(con, "checks", checks)
        start, start_cpu = time.perf_counter(), time.process_time()
        _refresh_year_checks(con, document)
        if seconds is not None:
            seconds["year_checks"] = time.perf_counter() - start
            seconds["year_checks_cpu"] = time.process_time() - start_cpu
        con.commit()
        return IngestStatus.LOADED, older
    except Exception:
        con.rollback()
        raise


def _refresh_year_checks(con: duckdb.DuckDBPyConnection, document: dict) -> None:
    """Year ↔ year checks for this document and for the next year's, whichever was loaded first."""
    following = con.execute(
        "SELECT document_id FROM documents WHERE status = ? AND department_id = ? AND fiscal_year = ? "
        "AND doc_kind = ?",
        [
            DocumentStatus.LOADED,
            document["department_id"],
            (document["fiscal_year"] or 0) + 1,
            document["doc_kind"],
        ],
    ).fetchall()
    for doc_id in [document["document_id"], *(r[0] for r in following)]:
        con.execute("DELETE FROM checks WHERE document_id = ? AND check_id IN ('Y1', 'Y2')", [doc_id])
        _insert(con, "checks", year_checks_for(con, doc_id))


def year_checks_for(con: duckdb.DuckDBPyConnection, document_id: str) -> pd.DataFrame:
    """Y1/Y2 rows of a loaded document against the loaded document of the year before (if any): the
    warehouse supplies the previous document and the cells, :mod:`juesuan.reconcile.years` the checks."""
    doc = con.execute(
        "SELECT department_id, fiscal_year, doc_kind FROM documents WHERE document_id = ?", [document_id]
    ).fetchone()
    if doc is None or doc[1] is None:
        return pd.DataFrame()
    previous = con.execute(
        "SELECT document_id FROM documents WHERE status = ? AND department_id = ? AND fiscal_year = ? "
        "AND doc_kind = ?",
        [DocumentStatus.LOADED, doc[0], doc[1] - 1, doc[2]],
    ).fetchone()
    if previous is None:
        return pd.DataFrame()
    statements = [
        ChangeStatement(*row)
        for row in con.execute(
            "SELECT subject, amount_yuan, percent, page, text FROM narrative_figures "
            "WHERE document_id = ? AND subject LIKE '%_change'",
            [document_id],
        ).fetchall()
    ]

    def cell_value(doc_id: str, cell: tuple[str, str, str]) -> tuple[Decimal, int] | None:
        table, row, measure = cell
        found = con.execute(
            "SELECT amount_yuan, page FROM facts WHERE document_id = ? AND table_scope = '' "
            "AND table_code = ? AND measure = ? AND coalesce(row_code, row_label) = ? LIMIT 1",
            [doc_id, table, measure, row],
        ).fetchone()
        return (Decimal(found[0]), int(found[1])) if found else None

    checks = year_checks(document_id, previous[0], doc[1] - 1, statements, cell_value)
    return checks_frame(document_id, checks)


def record_quarantine(
    con: duckdb.DuckDBPyConnection,
    document: dict,
    reason: str,
    origins: Iterable[Origin] = (),
    replace: bool = False,
) -> bool:
    """Record a refused file (once) and where it came from; nothing else of the warehouse changes. False if
    already known. ``replace``: a document read again by a newer parser and refused again (or now)."""
    con.begin()
    try:
        first_seen = forget(con, document["document_id"]) if replace else None
        if original_of(con, document["document_id"]) is not None:
            con.rollback()
            return False
        at = first_seen or _now()
        refused = dict(document, status=DocumentStatus.QUARANTINED, status_reason=reason, ingested_at=at)
        _insert_row(con, "documents", refused)
        record_source(con, document["document_id"], document["source_path"], origins)
        con.commit()
        return True
    except Exception:
        con.rollback()
        raise


def forget(con: duckdb.DuckDBPyConnection, document_id: str) -> datetime | None:
    """A document's rows, gone (inside the caller's transaction): the way to read it again. Its paths and
    origins (document_sources) stay: they are facts about the bytes, not about a reading. Returns when it
    was first ingested, which its new reading keeps (publication order decides what is current). A current
    document that goes hands its place back to the one it superseded."""
    row = con.execute(
        "SELECT ingested_at, status FROM documents WHERE document_id = ?", [document_id]
    ).fetchone()
    for table in ("facts", "narrative_figures", "checks", "documents"):
        con.execute(f"DELETE FROM {table} WHERE document_id = ?", [document_id])
    if row and row[1] == DocumentStatus.LOADED:
        _reinstate(con, document_id)
    return row[0] if row else None


def _reinstate(con: duckdb.DuckDBPyConnection, document_id: str) -> None:
    """The newest document ``document_id`` superseded is current again (its year checks made anew)."""
    found = con.execute(
        "SELECT document_id, department_id, fiscal_year, doc_kind FROM documents WHERE superseded_by = ? "
        "ORDER BY ingested_at DESC, document_id LIMIT 1",
        [document_id],
    ).fetchone()
    if found is None:
        return
    con.execute(
        "UPDATE documents SET superseded_by = ? WHERE superseded_by = ? AND document_id <> ?",
        [found[0], document_id, found[0]],
    )
    con.execute(
        "UPDATE documents SET status = ?, superseded_by = NULL, status_reason = NULL WHERE document_id = ?",
        [DocumentStatus.LOADED, found[0]],
    )
    keys = ("document_id", "department_id", "fiscal_year", "doc_kind")
    _refresh_year_checks(con, dict(zip(keys, found, strict=True)))


def _as_history(
    con: duckdb.DuckDBPyConnection,
    document: dict,
    facts: pd.DataFrame,
    figures: pd.DataFrame,
    checks: pd.DataFrame | None,
    origins: Iterable[Origin],
    first_seen: datetime,
    current: str,
) -> tuple[str, list[str]]:
    """A document read again that a later publication superseded: loaded as the history it is."""
    reason = "a newer file for the same department, year and kind was loaded"
    row = dict(
        document,
        status=DocumentStatus.SUPERSEDED,
        status_reason=reason,
        superseded_by=current,
        ingested_at=first_seen,
    )
    _insert_row(con, "documents", row)
    record_source(con, document["document_id"], document["source_path"], origins)
    _insert(con, "facts", facts)
    _insert(con, "narrative_figures", figures)
    if checks is not None:
        _insert(con, "checks", checks)
    con.commit()
    return IngestStatus.LOADED, []


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    if frame.empty:
        return
    con.register("incoming", _arrow(table, frame))
    try:
        cols = ", ".join(resource(table).columns)
        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM incoming")
    finally:
        con.unregister("incoming")


def original_of(con: duckdb.DuckDBPyConnection, document_id: str) -> tuple[str, str] | None:
    """(source_path, status) of a document already in the warehouse, None if its bytes are new."""
    return con.execute(
        "SELECT source_path, status FROM documents WHERE document_id = ?", [document_id]
    ).fetchone()


def record_source(
    con: duckdb.DuckDBPyConnection, document_id: str, source_path: str, origins: Iterable[Origin] = ()
) -> bool:
    """Remember a path the bytes were seen under and, for a fetched file, each URL they came from (each
    once); True if a row was new. A path seen again without an origin adds nothing."""
    origins = list(origins)
    new = False
    for origin in origins or [Origin()]:
        known = con.execute(
            "SELECT 1 FROM document_sources WHERE document_id = ? AND source_path = ? "
            + ("AND url = ?" if origin.url else ""),
            [document_id, source_path, *([origin.url] if origin.url else [])],
        ).fetchone()
        if not known:
            row = {"document_id": document_id, "source_path": source_path, "seen_at": _now(), **origin.row()}
            _insert_row(con, "document_sources", row)
            new = True
    return new


def _insert_row(con: duckdb.DuckDBPyConnection, table: str, row: dict) -> None:
    """One row as a parameterised INSERT (registering a one-row Arrow table costs more than the row)."""
    cols = resource(table).columns
    con.execute(
        f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
        [_plain(row.get(c)) for c in cols],
    )


def _plain(value: object) -> object:
    """pandas' missing values as None; numpy scalars as Python ones."""
    if value is None or (not isinstance(value, (list, tuple, str)) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
