"""Checks on the reading itself: what the parser could not read is a failed check with its page, never a
silent gap in the data.

P1  a page without usable text (scanned, unmapped glyphs, text recovered without its tables)
T2  a table the document's own 目录 lists was not found
U1  a ruled grid holding amounts that is no catalogue table (identified neither by title nor by content)
W1  a cell or header the parser could not read as the catalogue expects (a parser warning)

They are rows like every other check (:mod:`juesuan.reconcile.engine`), built from plain values so that
this module needs nothing from the parser.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

ZERO = Decimal(0)
ONE = Decimal(1)


def _row(
    check_id: str, subject: str, description: str, passed: bool, pages: list[int], severity: str
) -> dict:
    return {
        "check_id": check_id,
        "subject": subject,
        "description": description,
        "severity": severity,
        "expected": ONE,
        "actual": ONE if passed else ZERO,
        "difference": ZERO if passed else -ONE,
        "tolerance": ZERO,
        "passed": passed,
        "pages": pages,
    }


def unreadable_pages(page_layers: Mapping[int, str]) -> list[dict]:
    """P1: one failed row per page whose text could not be read (layers other than ok and blank)."""
    why = {
        "empty": "an image without a text layer (scanned): needs OCR",
        "cid": "glyphs without a Unicode map: needs OCR",
        "recovered": "text recovered without its table grids",
    }
    return [
        _row(
            "P1",
            f"page/{page}",
            f"page {page}: {why.get(layer, layer)}; its content is not read",
            False,
            [page],
            "error",
        )
        for page, layer in sorted(page_layers.items())
        if layer not in ("ok", "blank")
    ]


def listed_tables(listed: Mapping[str, int], found: set[str]) -> list[dict]:
    """T2: every table the document's 目录 lists (table id → 目录 page) was found."""
    return [
        _row("T2", table, f"the document's 目录 (page {page}) lists {table}", table in found, [page], "error")
        for table, page in sorted(listed.items())
    ]


def unidentified_grids(grids: Iterable[tuple[int, str, int]]) -> list[dict]:
    """U1: (page, title or '', amounts) of each ruled grid with amounts that matched no catalogue table."""
    return [
        _row(
            "U1",
            f"grid/p{page}/{i}",
            f"page {page}: a ruled table with {amounts} amounts"
            + (f" titled {title!r}" if title else " without a title")
            + " is no table of the catalogue; not loaded",
            False,
            [page],
            "warning",
        )
        for i, (page, title, amounts) in enumerate(grids)
    ]


def parser_warnings(warnings: Iterable[tuple[int | None, str | None, str]]) -> list[dict]:
    """W1: (page, table, message) of every cell or header the parser could not read as expected."""
    return [
        _row("W1", f"{table or 'document'}/{i}", message, False, [page] if page else [], "warning")
        for i, (page, table, message) in enumerate(warnings)
    ]
