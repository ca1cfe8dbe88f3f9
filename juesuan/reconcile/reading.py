"""Checks on the reading itself: what the parser could not read is a failed check with its page, never a
silent gap in the data.

P1  a page without usable text (scanned, unmapped glyphs, text recovered without its tables)
T2  a table the document's own 目录 lists was not found
U1  a ruled grid holding amounts that is no catalogue table (identified neither by title nor by content)
W1  a cell or header the parser could not read as the catalogue expects (a parser warning)

They are :class:`~juesuan.reconcile.check.Check` records like every other rule's, built from plain values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from juesuan.reconcile.check import Check
from juesuan.reference.fields import Severity


def unreadable_pages(page_layers: Mapping[int, str]) -> list[Check]:
    """P1: one failed row per page whose text could not be read (layers other than ok and blank)."""
    why = {
        "empty": "an image without a text layer (scanned): needs OCR",
        "cid": "glyphs without a Unicode map: needs OCR",
        "recovered": "text recovered without its table grids",
    }
    return [
        Check.presence(
            "P1",
            f"page/{page}",
            f"page {page}: {why.get(layer, layer)}; its content is not read",
            False,
            [page],
            Severity.ERROR,
        )
        for page, layer in sorted(page_layers.items())
        if layer not in ("ok", "blank")
    ]


def listed_tables(listed: Mapping[str, int], found: set[str]) -> list[Check]:
    """T2: every table the document's 目录 lists (table id → 目录 page) was found."""
    return [
        Check.presence(
            "T2",
            table,
            f"the document's 目录 (page {page}) lists {table}",
            table in found,
            [page],
            Severity.ERROR,
        )
        for table, page in sorted(listed.items())
    ]


def unidentified_grids(grids: Iterable[tuple[int, str, int]]) -> list[Check]:
    """U1: (page, title or '', amounts) of each ruled grid with amounts that matched no catalogue table."""
    return [
        Check.presence(
            "U1",
            f"grid/p{page}/{i}",
            f"page {page}: a ruled table with {amounts} amounts"
            + (f" titled {title!r}" if title else " without a title")
            + " is no table of the catalogue; not loaded",
            False,
            [page],
            Severity.WARNING,
        )
        for i, (page, title, amounts) in enumerate(grids)
    ]


def parser_warnings(warnings: Iterable[tuple[int | None, str | None, str]]) -> list[Check]:
    """W1: (page, table, message) of every cell or header the parser could not read as expected."""
    return [
        Check.presence(
            "W1", f"{table or 'document'}/{i}", message, False, [page] if page else [], Severity.WARNING
        )
        for i, (page, table, message) in enumerate(warnings)
    ]
