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
from juesuan.warehouse.known import Known, insert_row


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
        writer = _Batch(con, batch)
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
        item = Incoming(document, facts, figures, checks, tuple(origins))
        writer = _Batch(con, [item])
        result = writer.add(item, replace)
        writer.finish(seconds)
        con.commit()
        return result
    except Exception:
        con.rollback()
        raise


_NEWER = "a newer file for the same department, year and kind was loaded"  # why a document is history


class _Batch:
    """The documents of one transaction: their rows go in as they come (later ones see earlier ones: a
    re-publication in the same batch supersedes), their frames in one INSERT per table at the end, then
    the year ↔ year checks, which read those frames back. What the batch asks of ``documents`` is read
    once, for all its documents (:class:`~juesuan.warehouse.known.Known`)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, items: list[Incoming]):
        self.con = con
        self.known = Known(
            con, [i.document["document_id"] for i in items], [i.document.get("department_id") for i in items]
        )
        self.order = con.execute("SELECT coalesce(max(load_order), 0) FROM documents").fetchone()[0]
        self.frames: dict[str, list[pa.Table]] = {"facts": [], "narrative_figures": [], "checks": []}
        self.loaded: list[tuple[dict, pa.Table | None]] = []  # (document, figures): year checks due

    def add(self, item: Incoming, replace: bool = False) -> tuple[str, list[str]]:
        if item.refusal is not None:
            recorded = self._refuse(item, replace)
            return (IngestStatus.QUARANTINED if recorded else IngestStatus.SKIPPED), []
        known, document = self.known, item.document
        first_seen = forget(self.con, document["document_id"], known) if replace else None
        # is this file known already, and which loaded file does it supersede?
        if known.get(document["document_id"]) is not None:
            return IngestStatus.SKIPPED, []
        current = known.current(document["department_id"], document["fiscal_year"], document["doc_kind"])
        newer = [d for d in current if first_seen is not None and known.get(d)["ingested_at"] > first_seen]
        if newer:  # read again, but a later publication is current: it stays history
            row = dict(
                document, status=DocumentStatus.SUPERSEDED, status_reason=_NEWER, superseded_by=newer[0]
            )
            self._store(item, dict(row, ingested_at=first_seen), seen_before=True)
            return IngestStatus.LOADED, []
        known.update(  # the current ones become history
            current,
            status=DocumentStatus.SUPERSEDED,
            superseded_by=document["document_id"],
            status_reason=_NEWER,
        )
        loaded = dict(
            document, status=DocumentStatus.LOADED, status_reason=None, ingested_at=first_seen or _now()
        )
        figures = self._store(item, loaded, seen_before=first_seen is not None)
        self.loaded.append((document, figures))
        checkpoint("load.insert")
        return IngestStatus.LOADED, current

    def _store(self, item: Incoming, row: dict, seen_before: bool) -> pa.Table:
        """The document's row now, its frames at :meth:`finish`; returns its figures (for year checks).
        ``seen_before``: the document was in the warehouse (and forgotten to be read again)."""
        self.order += 1
        self.known.insert(dict(row, load_order=self.order))
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
        first_seen = forget(con, document["document_id"], self.known) if replace else None
        if self.known.get(document["document_id"]) is not None:
            return False
        self.order += 1
        row = dict(
            document,
            status=DocumentStatus.QUARANTINED,
            status_reason=item.refusal,
            ingested_at=first_seen or _now(),
            load_order=self.order,
        )
        self.known.insert(row)
        seen_before = first_seen is not None
        record_source(con, document["document_id"], document["source_path"], item.origins, seen_before)
        return True

    def finish(self, seconds: dict[str, float] | None) -> None:
        for table, tables in self.frames.items():
            if tables:
                _insert_arrow(self.con, table, pa.concat_tables(tables))
        start, start_cpu = time.perf_counter(), time.process_time()
        new = {document["document_id"] for document, _ in self.loaded}
        _year_checks_after(self.con, self.known, self.loaded, new)
        if seconds is not None:
            seconds["year_checks"] = time.perf_counter() - start
            seconds["year_checks_cpu"] = time.process_time() - start_cpu


def _year_checks_after(
    con: duckdb.DuckDBPyConnection,
    known: Known,
    loaded: list[tuple[dict, pa.Table | None]],
    new: set[str],
) -> None:
    """Year ↔ year checks for the documents ``loaded`` and for the next year's of each, each document
    once; those not ``new`` (the documents just stored, which have none yet) have theirs made anew."""
    # the figures in hand (every document of the batch, the following year's too when it is in the batch):
    # only a following year's document loaded earlier has its statements read back from the warehouse
    due: dict[str, pa.Table | None] = {}
    for document, figures in loaded:
        due.setdefault(document["document_id"], figures)
    for document, _ in loaded:
        for following in known.current(
            document["department_id"], (document["fiscal_year"] or 0) + 1, document["doc_kind"]
        ):
            due.setdefault(following, None)
    cells: dict[str, dict] = {}  # a document's cells, read once for all the checks of the batch
    made = []
    for doc_id, figures in due.items():
        if doc_id not in new:
            con.execute("DELETE FROM checks WHERE document_id = ? AND check_id IN ('Y1', 'Y2')", [doc_id])
        checks = year_checks_for(con, doc_id, _statements(figures), cells, known)
        if not checks.empty:
            made.append(as_arrow("checks", checks))
    if made:
        _insert_arrow(con, "checks", pa.concat_tables(made))


def _statements(figures: pa.Table | None) -> list[ChangeStatement] | None:
    """The change statements among a document's figures in hand (None: read them from the warehouse)."""
    if figures is None:
        return None
    if not len(figures):
        return []
    changes = figures.filter(pc.ends_with(figures["subject"], "_change"))
    fields = ("subject", "amount_yuan", "percent", "page", "text")
    return [ChangeStatement(*(row[f] for f in fields)) for row in changes.to_pylist()]


def _refresh_year_checks(con: duckdb.DuckDBPyConnection, known: Known, document: dict) -> None:
    """Year ↔ year checks for this document and for the next year's, made anew."""
    _year_checks_after(con, known, [(document, None)], set())


def year_checks_for(
    con: duckdb.DuckDBPyConnection,
    document_id: str,
    statements: list[ChangeStatement] | None = None,
    cells: dict[str, dict] | None = None,
    known: Known | None = None,
) -> pd.DataFrame:
    """Y1/Y2 rows of a loaded document against the loaded document of the year before (if any): the
    warehouse supplies the previous document and the cells, :mod:`juesuan.reconcile.years` the checks.
    ``statements``: the document's change statements when the caller has them (else read back);
    ``cells``: documents' cells already read (filled as they are read: a batch reads each once);
    ``known``: the batch's ``documents`` rows, which include this document's department (else read).

    A document's cells are read with its ``load_order``: its facts lie together in load order, so
    DuckDB's zone maps skip every other stretch of the table and the read costs the same in a warehouse
    of a hundred documents as in one of a hundred thousand."""
    known = known if known is not None else Known(con, [document_id])
    doc = known.get(document_id)
    if doc is None or doc["fiscal_year"] is None:
        return pd.DataFrame()
    year = doc["fiscal_year"]
    previous = known.current(doc["department_id"], year - 1, doc["doc_kind"])[:1]
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
            cells[doc_id] = _cells(con, doc_id, known.get(doc_id)["load_order"])
        return cells[doc_id].get(cell)

    checks = year_checks(document_id, previous[0], year - 1, statements, cell_value)
    return checks_frame(document_id, checks)


def _cells(
    con: duckdb.DuckDBPyConnection, document_id: str, order: int
) -> dict[tuple[str, str, str], tuple[Decimal, int]]:
    """A document's cells of its first set of tables: (table, row code or label, measure) → (amount,
    page), the first printed where a row repeats. ``order`` is its load_order, passed as a constant, not
    a subquery: only a constant filter reaches the zone maps."""
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
        item = Incoming(document, origins=tuple(origins), refusal=reason)
        recorded = _Batch(con, [item])._refuse(item, replace)
        con.commit()
        return recorded
    except Exception:
        con.rollback()
        raise


def forget(con: duckdb.DuckDBPyConnection, document_id: str, known: Known) -> datetime | None:
    """A document's rows, gone (inside the caller's transaction): the way to read it again. Its paths and
    origins (document_sources) stay: they are facts about the bytes, not about a reading. Returns when it
    was first ingested, which its new reading keeps (publication order decides what is current). A current
    document that goes hands its place back to the one it superseded."""
    row = known.get(document_id)
    order = row["load_order"] if row else None
    # its facts lie together in load order: the constant reaches the zone maps (one stretch, not the table)
    where, params = ("load_order = ? AND ", [order]) if order is not None else ("", [])
    con.execute(f"DELETE FROM facts WHERE {where}document_id = ?", [*params, document_id])
    for table in ("narrative_figures", "checks"):
        con.execute(f"DELETE FROM {table} WHERE document_id = ?", [document_id])
    if row is None:
        return None
    known.delete(document_id)
    if row["status"] == DocumentStatus.LOADED:
        _reinstate(con, known, document_id)
    return row["ingested_at"]


def _reinstate(con: duckdb.DuckDBPyConnection, known: Known, document_id: str) -> None:
    """The newest document ``document_id`` superseded is current again (its year checks made anew)."""
    superseded = known.superseded_by(document_id)
    if not superseded:
        return
    # as ORDER BY ingested_at DESC (nulls last), document_id: max keeps the first of equals
    by_id = sorted(superseded, key=lambda r: r["document_id"])
    newest = max(by_id, key=lambda r: (r["ingested_at"] is not None, r["ingested_at"] or datetime.min))
    found = newest["document_id"]
    known.update([r["document_id"] for r in superseded if r["document_id"] != found], superseded_by=found)
    known.update([found], status=DocumentStatus.LOADED, superseded_by=None, status_reason=None)
    _refresh_year_checks(con, known, known.get(found))


def _insert_arrow(con: duckdb.DuckDBPyConnection, table: str, rows: pa.Table) -> None:
    con.register("incoming", rows)
    try:
        cols = ", ".join(resource(table).columns)
        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM incoming")
    finally:
        con.unregister("incoming")


def originals(con: duckdb.DuckDBPyConnection, document_ids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """(source_path, status) of each of the documents already in the warehouse (the new ones are absent):
    one query for a run's whole list of files, not one scan of ``documents`` a file."""
    rows = con.execute(
        "SELECT document_id, source_path, status FROM documents WHERE document_id IN (SELECT unnest(?))",
        [sorted(set(document_ids))],
    ).fetchall()
    return {doc_id: (path, status) for doc_id, path, status in rows}


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
            insert_row(con, "document_sources", row)
            new = True
    return new


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
