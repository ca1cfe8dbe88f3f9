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
import pyarrow.compute as pc

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


def as_arrow(name: str, frame: pd.DataFrame | pa.Table) -> pa.Table:
    """The frame as an Arrow table with exactly the declared columns, in order (missing ones null); an
    Arrow table is taken as it is (a worker made it with this function).

    Arrow rather than a pandas frame because DuckDB scans it without inspecting Python objects one by
    one (three times faster to load) and Decimal → decimal128 is exact. Workers convert their frames
    (:func:`juesuan.ingest.judge`), so that the single writer only concatenates them; Arrow tables also
    cross a process boundary far cheaper than frames of Decimal objects."""
    if isinstance(frame, pa.Table):
        return frame
    schema = arrow_schema(name)
    columns = [
        pa.array(frame[f.name], type=f.type, from_pandas=True)
        if f.name in frame
        else pa.nulls(len(frame), type=f.type)
        for f in schema
    ]
    return pa.Table.from_arrays(columns, schema=schema)


Frame = pd.DataFrame | pa.Table


@dataclass(frozen=True)
class Incoming:
    """One document for the writer: its row and frames, or the reason it is refused; where it came from."""

    document: dict
    facts: Frame | None = None
    figures: Frame | None = None
    checks: Frame | None = None
    origins: tuple[Origin, ...] = ()
    refusal: str | None = None


def load_batch(
    con: duckdb.DuckDBPyConnection,
    batch: list[Incoming],
    seconds: dict[str, float] | None = None,
    replace: bool = False,
) -> list[tuple[str, list[str]]]:
    """Store a batch of documents in one transaction, all of it or nothing: per document ('loaded',
    superseded ids), ('quarantined', []) for a refusal recorded, or ('skipped', []) for bytes already in
    the warehouse.

    One transaction and one INSERT per table for the whole batch: a statement and a commit cost the same
    for one document's 700 cells as for thirty documents' 20,000, and per document they were most of the
    writer's time. ``seconds`` receives the time of the year ↔ year checks (wall and CPU); ``replace``: the
    documents are read again (see :func:`load_document`)."""
    con.begin()
    try:
        writer = _Batch(con)
        results = [writer.add(item, replace) for item in batch]
        writer.finish(seconds)
        con.commit()
        return results
    except Exception:
        con.rollback()
        raise


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
    """('loaded', superseded ids) or ('skipped', []) when the bytes are already in the warehouse, in one
    transaction of its own.

    ``seconds`` (when given) receives the time spent on the year ↔ year checks, which are reconciliation
    run inside the loading transaction rather than loading proper. ``replace``: the document is read again
    (a newer parser): its rows are replaced in the same transaction (its paths and origins stay)."""
    con.begin()
    try:
        writer = _Batch(con)
        result = writer.add(Incoming(document, facts, figures, checks, tuple(origins)), replace)
        writer.finish(seconds)
        con.commit()
        return result
    except Exception:
        con.rollback()
        raise


class _Batch:
    """The documents of one transaction: their rows go in as they come (later ones see earlier ones: a
    re-publication in the same batch supersedes), their frames in one INSERT per table at the end, then
    the year ↔ year checks, which read those frames back."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        self.order = con.execute("SELECT coalesce(max(load_order), 0) FROM documents").fetchone()[0]
        self.frames: dict[str, list[pa.Table]] = {"facts": [], "narrative_figures": [], "checks": []}
        self.loaded: list[tuple[dict, pa.Table | None]] = []  # (document, figures): year checks due

    def add(self, item: Incoming, replace: bool = False) -> tuple[str, list[str]]:
        if item.refusal is not None:
            recorded = self._refuse(item, replace)
            return (IngestStatus.QUARANTINED if recorded else IngestStatus.SKIPPED), []
        con, document = self.con, item.document
        first_seen = forget(con, document["document_id"]) if replace else None
        # is this file known already, and which loaded file does it supersede? (two indexed lookups)
        if original_of(con, document["document_id"]) is not None:
            return IngestStatus.SKIPPED, []
        current = _documents_of(con, document["department_id"], document["fiscal_year"], document["doc_kind"])
        marks = ", ".join("?" * len(current))
        rows = (
            con.execute(
                f"SELECT document_id, ingested_at FROM documents WHERE document_id IN ({marks})", current
            ).fetchall()
            if current
            else []
        )
        newer = [doc_id for doc_id, at in rows if first_seen is not None and at > first_seen]
        if newer:  # read again, but a later publication is current: it stays history
            reason = "a newer file for the same department, year and kind was loaded"
            row = dict(
                document, status=DocumentStatus.SUPERSEDED, status_reason=reason, superseded_by=newer[0]
            )
            self._store(item, dict(row, ingested_at=first_seen), seen_before=True)
            return IngestStatus.LOADED, []
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
        figures = self._store(item, loaded, seen_before=first_seen is not None)
        self.loaded.append((document, figures))
        checkpoint("load.insert")
        return IngestStatus.LOADED, older

    def _store(self, item: Incoming, row: dict, seen_before: bool) -> pa.Table:
        """The document's row now, its frames at :meth:`finish`; returns its figures (for year checks).
        ``seen_before``: the document was in the warehouse (and forgotten to be read again)."""
        self.order += 1
        _insert_row(self.con, "documents", dict(row, load_order=self.order))
        record_source(self.con, row["document_id"], row["source_path"], item.origins, seen_before)
        tables = {
            name: as_arrow(name, frame if frame is not None else pd.DataFrame())
            for name, frame in (
                ("facts", item.facts),
                ("narrative_figures", item.figures),
                ("checks", item.checks),
            )
        }
        facts = tables["facts"]
        at = facts.schema.get_field_index("load_order")
        tables["facts"] = facts.set_column(at, "load_order", pa.array([self.order] * len(facts), pa.int64()))
        for name, rows in tables.items():
            if len(rows):
                self.frames[name].append(rows)
        return tables["narrative_figures"]

    def _refuse(self, item: Incoming, replace: bool) -> bool:
        con, document = self.con, item.document
        first_seen = forget(con, document["document_id"]) if replace else None
        if original_of(con, document["document_id"]) is not None:
            return False
        self.order += 1
        row = dict(
            document,
            status=DocumentStatus.QUARANTINED,
            status_reason=item.refusal,
            ingested_at=first_seen or _now(),
            load_order=self.order,
        )
        _insert_row(con, "documents", row)
        seen_before = first_seen is not None
        record_source(con, document["document_id"], document["source_path"], item.origins, seen_before)
        return True

    def finish(self, seconds: dict[str, float] | None) -> None:
        for table, tables in self.frames.items():
            if tables:
                _insert_arrow(self.con, table, pa.concat_tables(tables))
        start, start_cpu = time.perf_counter(), time.process_time()
        _year_checks_after(self.con, self.loaded, {document["document_id"] for document, _ in self.loaded})
        if seconds is not None:
            seconds["year_checks"] = time.perf_counter() - start
            seconds["year_checks_cpu"] = time.process_time() - start_cpu


def _year_checks_after(
    con: duckdb.DuckDBPyConnection, loaded: list[tuple[dict, pa.Table | None]], new: set[str]
) -> None:
    """Year ↔ year checks for the documents ``loaded`` and for the next year's of each, each document
    once; those not ``new`` (the documents just stored, which have none yet) have theirs made anew."""
    # the figures in hand (every document of the batch, the following year's too when it is in the batch):
    # only a following year's document loaded earlier has its statements read back from the warehouse
    due: dict[str, pa.Table | None] = {}
    for document, figures in loaded:
        due.setdefault(document["document_id"], figures)
    for document, _ in loaded:
        for following in _documents_of(
            con, document["department_id"], (document["fiscal_year"] or 0) + 1, document["doc_kind"]
        ):
            due.setdefault(following, None)
    cells: dict[str, dict] = {}  # a document's cells, read once for all the checks of the batch
    made = []
    for doc_id, figures in due.items():
        if doc_id not in new:
            con.execute("DELETE FROM checks WHERE document_id = ? AND check_id IN ('Y1', 'Y2')", [doc_id])
        checks = year_checks_for(con, doc_id, _statements(figures), cells)
        if not checks.empty:
            made.append(as_arrow("checks", checks))
    if made:
        _insert_arrow(con, "checks", pa.concat_tables(made))


def _documents_of(
    con: duckdb.DuckDBPyConnection, department_id: str | None, fiscal_year: int | None, doc_kind: str | None
) -> list[str]:
    """The loaded documents of a department, year and kind. Looked up by department alone: one equality
    is what DuckDB answers from the documents_by_department index (schema v7), the rest filters a few rows."""
    rows = con.execute(
        "SELECT document_id, status, fiscal_year, doc_kind FROM documents WHERE department_id = ?",
        [department_id],
    ).fetchall()
    return [
        doc_id
        for doc_id, status, year, kind in rows
        if status == DocumentStatus.LOADED and year == fiscal_year and kind == doc_kind
    ]


def _statements(figures: pa.Table | None) -> list[ChangeStatement] | None:
    """The change statements among a document's figures in hand (None: read them from the warehouse)."""
    if figures is None:
        return None
    if not len(figures):
        return []
    changes = figures.filter(pc.ends_with(figures["subject"], "_change"))
    fields = ("subject", "amount_yuan", "percent", "page", "text")
    return [ChangeStatement(*(row[f] for f in fields)) for row in changes.to_pylist()]


def _refresh_year_checks(con: duckdb.DuckDBPyConnection, document: dict) -> None:
    """Year ↔ year checks for this document and for the next year's, made anew."""
    _year_checks_after(con, [(document, None)], set())


def year_checks_for(
    con: duckdb.DuckDBPyConnection,
    document_id: str,
    statements: list[ChangeStatement] | None = None,
    cells: dict[str, dict] | None = None,
) -> pd.DataFrame:
    """Y1/Y2 rows of a loaded document against the loaded document of the year before (if any): the
    warehouse supplies the previous document and the cells, :mod:`juesuan.reconcile.years` the checks.
    ``statements``: the document's change statements when the caller has them (else read back);
    ``cells``: documents' cells already read (filled as they are read: a batch reads each once).

    A document's cells are read with its ``load_order``: its facts lie together in load order, so
    DuckDB's zone maps skip every other stretch of the table and the read costs the same in a warehouse
    of a hundred documents as in one of a hundred thousand."""
    doc = con.execute(
        "SELECT department_id, fiscal_year, doc_kind FROM documents WHERE document_id = ?", [document_id]
    ).fetchone()
    if doc is None or doc[1] is None:
        return pd.DataFrame()
    previous = _documents_of(con, doc[0], doc[1] - 1, doc[2])[:1]
    if not previous:
        return pd.DataFrame()
    if statements is None:
        statements = [
            ChangeStatement(*row)
            for row in con.execute(
                "SELECT subject, amount_yuan, percent, page, text FROM narrative_figures "
                "WHERE document_id = ? AND subject LIKE '%_change'",
                [document_id],
            ).fetchall()
        ]
    if not statements:
        return pd.DataFrame()
    cells = {} if cells is None else cells

    def cell_value(doc_id: str, cell: tuple[str, str, str]) -> tuple[Decimal, int] | None:
        if doc_id not in cells:
            cells[doc_id] = _cells(con, doc_id)
        return cells[doc_id].get(cell)

    checks = year_checks(document_id, previous[0], doc[1] - 1, statements, cell_value)
    return checks_frame(document_id, checks)


def _cells(
    con: duckdb.DuckDBPyConnection, document_id: str
) -> dict[tuple[str, str, str], tuple[Decimal, int]]:
    """A document's cells of its first set of tables: (table, row code or label, measure) → (amount,
    page), the first printed where a row repeats."""
    (order,) = con.execute(
        "SELECT load_order FROM documents WHERE document_id = ?", [document_id]
    ).fetchone()  # a constant, not a subquery: only a constant filter reaches the zone maps
    rows = con.execute(
        "SELECT table_code, coalesce(row_code, row_label), measure, amount_yuan, page FROM facts "
        "WHERE load_order = ? AND document_id = ? AND table_scope = ''",
        [order, document_id],
    ).fetchall()
    out: dict[tuple[str, str, str], tuple[Decimal, int]] = {}
    for table, row, measure, amount, page in rows:
        out.setdefault((table, row, measure), (Decimal(amount), int(page)))
    return out


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
        recorded = _Batch(con)._refuse(Incoming(document, origins=tuple(origins), refusal=reason), replace)
        con.commit()
        return recorded
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


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    if not frame.empty:
        _insert_arrow(con, table, as_arrow(table, frame))


def _insert_arrow(con: duckdb.DuckDBPyConnection, table: str, rows: pa.Table) -> None:
    con.register("incoming", rows)
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
    con: duckdb.DuckDBPyConnection,
    document_id: str,
    source_path: str,
    origins: Iterable[Origin] = (),
    seen_before: bool = True,
) -> bool:
    """Remember a path the bytes were seen under and, for a fetched file, each URL they came from (each
    once); True if a row was new. A path seen again without an origin adds nothing.

    ``seen_before=False``: bytes the warehouse has never held (their document row was just inserted, and
    only a document forgotten to be read again leaves its sources behind): no row can be known, and the
    lookup, a scan of a table with a row per file, is skipped."""
    origins = list(dict.fromkeys(origins))
    new = False
    for origin in origins or [Origin()]:
        known = (
            seen_before
            and con.execute(
                "SELECT 1 FROM document_sources WHERE document_id = ? AND source_path = ? "
                + ("AND url = ?" if origin.url else ""),
                [document_id, source_path, *([origin.url] if origin.url else [])],
            ).fetchone()
        )
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
