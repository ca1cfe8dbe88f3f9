"""The ``documents`` rows one transaction of the writer reads and changes, read once and kept in step.

Every question the writer asks of ``documents`` while it stores a batch — are these bytes known, which
document of this department, year and kind is current, which did it supersede, where do its cells lie
(its ``load_order``) — is about the batch's own documents or their departments: a supersession and a
year ↔ year check never leave a department. Asked one document at a time, each is a scan of a table with
a row per file, or an index lookup (five to seven a document), and DuckDB rewrites an index whole at every
checkpoint. Read in one query at the start of the batch, they cost one scan of ``documents`` per batch
(8–9 ms for 32 documents at 10,000 rows, 41–44 ms at 300,000), and the indexes can go (schema v8): 576
documents into a 9,000-document warehouse took 0.84–0.86× the time of the indexed lookups.

The writer changes ``documents`` only through :class:`Known`, which changes its copy with the table, so
that what it answers is what the table holds inside the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import pandas as pd

from juesuan.reference.fields import DocumentStatus, resource

# the columns the writer's questions read
COLUMNS = (
    "document_id",
    "department_id",
    "fiscal_year",
    "doc_kind",
    "status",
    "ingested_at",
    "source_path",
    "load_order",
    "superseded_by",
)


class Known:
    """The ``documents`` rows of some document ids, of the rows they superseded, and of every department
    these belong to: a department's rows are all here or none are."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        document_ids: Iterable[str],
        departments: Iterable[str | None] = (),
    ):
        self.con = con
        ids = sorted({d for d in document_ids if d is not None})
        wanted = sorted({d for d in departments if d is not None})
        # a document read again may have changed department since it was stored, or since it superseded
        # others: the departments of its stored row and of the rows it superseded come too
        rows = con.execute(
            "WITH hit AS (SELECT department_id FROM documents WHERE document_id IN (SELECT unnest($ids)) "
            "OR superseded_by IN (SELECT unnest($ids))) "
            f"SELECT {', '.join(COLUMNS)} FROM documents WHERE document_id IN (SELECT unnest($ids)) "
            "OR superseded_by IN (SELECT unnest($ids)) "
            "OR department_id IN (SELECT unnest($departments)) "
            "OR department_id IN (SELECT department_id FROM hit) "
            "ORDER BY load_order, document_id",
            {"ids": ids, "departments": wanted},
        ).fetchall()
        self.rows: dict[str, dict] = {row[0]: dict(zip(COLUMNS, row, strict=True)) for row in rows}
        self.departments = set(wanted) | {r["department_id"] for r in self.rows.values()} - {None}

    def get(self, document_id: str) -> dict | None:
        """The document's row, None if its bytes are not in the warehouse."""
        return self.rows.get(document_id)

    def current(self, department_id: str | None, fiscal_year: int | None, doc_kind: str | None) -> list[str]:
        """The loaded documents of a department, year and kind (oldest stored first)."""
        self._covers(department_id)
        return [
            r["document_id"]
            for r in self.rows.values()
            if department_id is not None
            and r["department_id"] == department_id
            and r["status"] == DocumentStatus.LOADED
            and r["fiscal_year"] == fiscal_year
            and r["doc_kind"] == doc_kind
        ]

    def superseded_by(self, document_id: str) -> list[dict]:
        """The rows ``document_id`` superseded (they are of its department)."""
        return [r for r in self.rows.values() if r["superseded_by"] == document_id]

    def insert(self, row: dict) -> None:
        """A new ``documents`` row (every declared column of ``row``; missing ones null)."""
        insert_row(self.con, "documents", row)
        self.rows[row["document_id"]] = {c: plain(row.get(c)) for c in COLUMNS}

    def update(self, document_ids: list[str], **values: object) -> None:
        """Set columns of some documents (a few rows: a supersession and its undoing)."""
        if not document_ids:
            return
        sets = ", ".join(f"{column} = ?" for column in values)
        self.con.execute(
            f"UPDATE documents SET {sets} WHERE document_id IN ({', '.join('?' * len(document_ids))})",
            [*map(plain, values.values()), *document_ids],
        )
        for document_id in document_ids:
            if document_id in self.rows:
                self.rows[document_id].update((k, plain(v)) for k, v in values.items() if k in COLUMNS)

    def delete(self, document_id: str) -> None:
        self.con.execute("DELETE FROM documents WHERE document_id = ?", [document_id])
        self.rows.pop(document_id, None)

    def _covers(self, department_id: str | None) -> None:
        """A question about a department this copy was not read for would be answered wrongly (as if it had
        no documents): that is a bug of the caller, not an empty answer."""
        if department_id is not None and department_id not in self.departments:
            raise LookupError(f"department {department_id} was not read for this batch")


def insert_row(con: duckdb.DuckDBPyConnection, table: str, row: dict) -> None:
    """One row as a parameterised INSERT (registering a one-row Arrow table costs more than the row)."""
    cols = resource(table).columns
    con.execute(
        f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
        [plain(row.get(c)) for c in cols],
    )


def plain(value: object) -> object:
    """pandas' missing values as None; numpy scalars as Python ones."""
    if value is None or (not isinstance(value, (list, tuple, str)) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value
