"""Year ↔ year: a document's statements about the previous year, checked against that year's document.

The previous year's document of the same department is only known in the warehouse, so these checks run
when a document is loaded (for it, and for the next year's document if that was loaded first), inside the
same transaction. Check Y1 compares a stated change with the difference of the two years' table cells;
Y2 the stated percentage with the change over the previous year's cell, at the stated precision.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import duckdb
import pandas as pd

from juesuan.reconcile.percent import at_stated_precision
from juesuan.reference import load_catalogue

CHANGE_TOLERANCE = Decimal(100)  # both totals rounded to 0.01 万元 by the narratives


def _cell(
    con: duckdb.DuckDBPyConnection, document_id: str, cell: tuple[str, str, str]
) -> tuple[Decimal, int] | None:
    table, row, measure = cell
    found = con.execute(
        "SELECT amount_yuan, page FROM facts WHERE document_id = ? AND table_scope = '' AND table_code = ? "
        "AND measure = ? "
        "AND coalesce(row_code, row_label) = ? LIMIT 1",
        [document_id, table, measure, row],
    ).fetchone()
    return (Decimal(found[0]), int(found[1])) if found else None


def _wan(yuan: Decimal) -> Decimal:
    return (yuan / 10_000).quantize(Decimal("0.01"), ROUND_HALF_UP)


def year_checks(con: duckdb.DuckDBPyConnection, document_id: str) -> pd.DataFrame:
    """Y1/Y2 rows for one loaded document against the loaded document of the year before (if any)."""
    doc = con.execute(
        "SELECT department_id, fiscal_year, doc_kind FROM documents WHERE document_id = ?", [document_id]
    ).fetchone()
    if doc is None:
        return pd.DataFrame()
    previous = con.execute(
        "SELECT document_id FROM documents WHERE status = 'loaded' AND department_id = ? AND fiscal_year = ? "
        "AND doc_kind = ?",
        [doc[0], doc[1] - 1, doc[2]],
    ).fetchone()
    if previous is None:
        return pd.DataFrame()
    catalogue = load_catalogue()
    rows = []
    figures = con.execute(
        "SELECT subject, amount_yuan, percent, page, text FROM narrative_figures "
        "WHERE document_id = ? AND subject LIKE '%_change'",
        [document_id],
    ).fetchall()
    for subject, stated, percent, page, text in figures:
        decl = catalogue.subject(subject.removesuffix("_change"))
        cell = decl.cell(decl.id) if decl else None
        if cell is None or stated is None:
            continue
        now, before = _cell(con, document_id, cell), _cell(con, previous[0], cell)
        if now is None or before is None:
            continue
        change = now[0] - before[0]
        common = {"document_id": document_id, "severity": "error", "pages": sorted({page, now[1]})}
        rows.append(
            {
                **common,
                "check_id": "Y1",
                "subject": subject,
                "expected": change,
                "actual": Decimal(stated),
                "difference": Decimal(stated) - change,
                "tolerance": CHANGE_TOLERANCE,
                "passed": abs(Decimal(stated) - change) <= CHANGE_TOLERANCE,
                "description": f"against {doc[1] - 1} ({previous[0][:12]}): {text}",
            }
        )
        if percent is not None and _wan(before[0]):
            stated_pct = Decimal(percent)
            ratio = (_wan(now[0]) - _wan(before[0])) / _wan(before[0])
            expected, step = at_stated_precision(ratio, stated_pct, text)  # 10.0% is stated to 0.1
            rows.append(
                {
                    **common,
                    "check_id": "Y2",
                    "subject": f"{subject}/percent",
                    "expected": expected,
                    "actual": stated_pct,
                    "difference": stated_pct - expected,
                    "tolerance": step,
                    "passed": abs(stated_pct - expected) <= step,
                    "description": f"change in % against {doc[1] - 1}: {text}",
                }
            )
    return pd.DataFrame(rows)
