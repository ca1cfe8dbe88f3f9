"""What a page reading is, whichever engine read it: lines, ruled grids and the state of the text layer.

The parser sees only these types, so an engine can be swapped (or a page handed from one engine to the
other) without the parser noticing; nothing here reads a PDF.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from juesuan.reasons import reason

WHITESPACE = re.compile(r"\s+")


class TextLayer(StrEnum):
    OK = "ok"
    EMPTY = "empty"  # no characters but an image: a scanned page, needs OCR
    BLANK = "blank"  # nothing to read at all (a ruled but empty page between tables)
    CID = "cid"  # glyphs without a Unicode map
    RECOVERED = "recovered"  # pdfplumber failed, pypdfium2 read the text (no table grid from it)


class PdfProblem(Exception):
    """A file that cannot be read as a PDF; the message names the file and the reason.

    ``code`` is one of :data:`juesuan.reasons.REASONS`; ``reason`` is the text recorded for the file."""

    def __init__(self, source: str, code: str, detail: str):
        self.source = source
        self.code = code
        self.reason = reason(code, detail)
        super().__init__(f"{source}: {self.reason}")


@dataclass(frozen=True)
class Line:
    """A line of text as printed, with its box (PDF points, origin top-left)."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def squashed(self) -> str:
        return WHITESPACE.sub("", self.text)


@dataclass(frozen=True)
class GridCell:
    """A cell of a ruled table, merged cells spanning rows ``row0..row1-1`` and columns ``col0..col1-1``."""

    text: str
    row0: int
    row1: int
    col0: int
    col1: int
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass
class Grid:
    """A ruled table as pdfplumber finds it: cells on a grid of row and column boundaries."""

    cells: list[GridCell]
    n_rows: int
    n_cols: int
    x0: float
    top: float
    x1: float
    bottom: float
    _index: dict[tuple[int, int], GridCell] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for c in self.cells:
            for r in range(c.row0, c.row1):
                for k in range(c.col0, c.col1):
                    self._index[(r, k)] = c

    def at(self, row: int, col: int) -> GridCell | None:
        return self._index.get((row, col))

    def row(self, r: int) -> list[GridCell]:
        """The cells that start in row ``r``, left to right."""
        return sorted((c for c in self.cells if c.row0 == r), key=lambda c: c.col0)


@dataclass
class Page:
    number: int  # 1-based
    width: float
    height: float
    lines: list[Line]
    grids: list[Grid]
    text_layer: TextLayer
    n_chars: int

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    def lines_outside_grids(self) -> list[Line]:
        return [ln for ln in self.lines if not any(_inside(ln, g) for g in self.grids)]


def _inside(line: Line, grid: Grid) -> bool:
    cy = (line.top + line.bottom) / 2
    return grid.top - 1 <= cy <= grid.bottom + 1 and line.x0 >= grid.x0 - 2 and line.x1 <= grid.x1 + 2
