"""Year ↔ year: a document's statements about the previous year, checked against that year's document.

Y1 compares a stated change (比2023年度增加X万元) with the difference of the two years' table cells; Y2 the
stated percentage with the change over the previous year's cell, at the stated precision. The previous
year's document is only known in the warehouse: the loader finds it and hands over a way to read a cell
of either document, so that this module never touches the warehouse.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from juesuan.reconcile.check import Check
from juesuan.reconcile.percent import at_stated_precision
from juesuan.reference import load_catalogue

CellValue = Callable[
    [str, tuple[str, str, str]], tuple[Decimal, int] | None
]  # (document, cell) → (yuan, page)


@dataclass(frozen=True)
class ChangeStatement:
    """A narrative figure stating a change (subject ``…_change``), as stored in ``narrative_figures``."""

    subject: str
    amount_yuan: Decimal | None
    percent: Decimal | None
    page: int
    text: str


def year_checks(
    document_id: str,
    previous_id: str,
    previous_year: int,
    statements: Iterable[ChangeStatement],
    cell_value: CellValue,
) -> list[Check]:
    """Y1/Y2 for one document's change statements against the document of ``previous_year``."""
    catalogue = load_catalogue()
    out: list[Check] = []
    for s in statements:
        decl = catalogue.subject(s.subject.removesuffix("_change"))
        cell = decl.cell(decl.id) if decl else None
        if cell is None or s.amount_yuan is None:
            continue
        now, before = cell_value(document_id, cell), cell_value(previous_id, cell)
        if now is None or before is None:
            continue
        pages = tuple(sorted({s.page, now[1]}))
        out.append(
            Check(
                "Y1",
                s.subject,
                f"against {previous_year} ({previous_id[:12]}): {s.text}",
                now[0] - before[0],
                Decimal(s.amount_yuan),
                catalogue.change_tolerance(),
                pages,
            )
        )
        # narratives compute the change from amounts stated in 万元 to 0.01: do the same
        stated_now, stated_before = catalogue.from_yuan(now[0]), catalogue.from_yuan(before[0])
        if s.percent is not None and stated_before:
            stated_pct = Decimal(s.percent)
            ratio = (stated_now - stated_before) / stated_before
            expected, step = at_stated_precision(ratio, stated_pct, s.text)  # 10.0% is stated to 0.1
            out.append(
                Check(
                    "Y2",
                    f"{s.subject}/percent",
                    f"change in % against {previous_year}: {s.text}",
                    expected,
                    stated_pct,
                    step,
                    pages,
                )
            )
    return out
