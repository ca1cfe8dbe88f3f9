"""What a generated document is made of before it is drawn: table blocks, narrative paragraphs, truth."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass
class Fact:
    """Truth of one value cell (page and box are filled in when the cell is drawn)."""

    table_code: str
    table_title: str
    row_code: str | None
    row_label: str
    column_label: str
    measure: str
    amount_yuan: Decimal
    raw_text: str
    source_unit: str
    page: int = 0
    x0: float = 0.0
    top: float = 0.0
    x1: float = 0.0
    bottom: float = 0.0
    scope: str = ""  # the set of tables the cell is in: '' the first, else the name the parser gives it

    def as_dict(self) -> dict:
        return {
            "table_code": self.table_code,
            "table_title": self.table_title,
            "row_code": self.row_code,
            "row_label": self.row_label,
            "column_label": self.column_label,
            "measure": self.measure,
            "amount_yuan": str(self.amount_yuan),
            "raw_text": self.raw_text,
            "source_unit": self.source_unit,
            "page": self.page,
            "x0": round(self.x0, 2),
            "top": round(self.top, 2),
            "x1": round(self.x1, 2),
            "bottom": round(self.bottom, 2),
            "table_scope": self.scope,
        }


@dataclass
class Column:
    kind: str  # code | name | lineno | value
    width: float
    measure: str | None = None


@dataclass
class HeaderCell:
    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1


@dataclass
class Cell:
    text: str = ""
    fact: Fact | None = None
    align: str = "left"  # left | right | center
    indent: float = 0.0


@dataclass
class Row:
    cells: list[Cell]
    repeat: bool = False  # reprinted under the header of every continuation page (FS19's 合计 row)
    bold: bool = False


@dataclass
class TableBlock:
    """A table as printed: title block, header grid, body rows, notes."""

    table_code: str
    title: str
    label: str | None
    unit_left: str
    unit_right: str
    columns: list[Column]
    header: list[HeaderCell]
    header_rows: int
    rows: list[Row]
    notes: list[str] = field(default_factory=list)
    landscape: bool = False
    empty: bool = False
    lanci: list[str] | None = None  # 栏次 row texts, one per column, drawn as the last header row
    pages: list[int] = field(default_factory=list)  # filled in when drawn
    scope: str = ""  # '' for the document's first set of tables, else the second set's name (本级, a unit)
    name: str = ""  # the title without ordinal or year prefix, as a 目录 lists it

    def column_label(self, col: int) -> str:
        """The header path above a value column, top to bottom, whitespace removed, joined by '/'."""
        parts: list[str] = []
        for cell in sorted(self.header, key=lambda c: c.row):
            if cell.col <= col < cell.col + cell.colspan:
                text = "".join(cell.text.split())
                if text and text not in parts:
                    parts.append(text)
        return "/".join(parts)


@dataclass
class Figure:
    """Truth of one figure the narrative states."""

    subject: str
    amount_yuan: Decimal | None = None
    percent: Decimal | None = None
    quantity: Decimal | None = None
    section: str = ""
    text: str = ""
    page: int = 0
    offset: int = -1  # where the printed number starts in its paragraph, to find the page it lands on
    table_value: Decimal | None = None  # what the tables say, when a deliberate error makes them differ

    def as_dict(self) -> dict:
        return {
            "section": self.section,
            "text": self.text,
            "subject": self.subject,
            "amount_yuan": None if self.amount_yuan is None else str(self.amount_yuan),
            "percent": None if self.percent is None else str(self.percent),
            "quantity": None if self.quantity is None else str(self.quantity),
            "page": self.page,
        }


@dataclass
class Paragraph:
    text: str
    kind: str = "body"  # part | section | subsection | body | caption | line
    section: str = ""
    figures: list[Figure] = field(default_factory=list)
    chart: list[tuple[str, str]] | None = None  # (label, printed value) bars drawn under the paragraph
