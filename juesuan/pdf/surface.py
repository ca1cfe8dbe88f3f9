"""pdfplumber's table finder and text map over any engine's characters and edges.

Both engines end here, which is why they give the same grids and lines: they differ only in who read the
characters and ruling lines off the page (pdfminer or PDFium), never in how tables and lines are found.
"""

from __future__ import annotations

from bisect import bisect_left

from pdfplumber import utils as plumber_utils
from pdfplumber.table import TableFinder, TableSettings

from juesuan.pdf.page import WHITESPACE, Grid, GridCell, Line

CID = "(cid:"
TABLE_SETTINGS = TableSettings.resolve(None)


class Surface:
    """What pdfplumber's table finder and text map read from a page: characters, edges and a box."""

    def __init__(
        self,
        chars: list[dict],
        edges: list[dict],
        width: float,
        height: float,
        bbox: tuple[float, float, float, float] | None = None,
    ):
        self.chars = chars
        self.edges = edges
        self.bbox = bbox or (0, 0, width, height)
        self.width = width
        self.height = height

    def extract_text_lines(self, strip: bool = True, return_chars: bool = False) -> list[dict]:
        textmap = plumber_utils.chars_to_textmap(
            self.chars, layout_bbox=self.bbox, layout_width=self.width, layout_height=self.height
        )
        return textmap.extract_text_lines(strip=strip, return_chars=return_chars)

    def find_tables(self) -> list:
        return TableFinder(self, TABLE_SETTINGS).tables


def cell_texts(table) -> list[list[str | None]]:
    """``Table.extract()`` with the same rule (a character belongs to the cell holding its centre, boxes
    half-open) but characters found by bisecting on their centres instead of testing each against every
    row: pdfplumber's loop is rows × characters and was a fifth of parse time."""
    chars = sorted(
        ((c["top"] + c["bottom"]) / 2, (c["x0"] + c["x1"]) / 2, i, c) for i, c in enumerate(table.page.chars)
    )
    mids = [c[0] for c in chars]
    out: list[list[str | None]] = []
    for row in table.rows:
        _, top, _, bottom = row.bbox
        band = chars[bisect_left(mids, top) : bisect_left(mids, bottom)]
        texts: list[str | None] = []
        for cell in row.cells:
            if cell is None:
                texts.append(None)
                continue
            x0, c_top, x1, c_bottom = cell
            inside = sorted((i, c) for v, h, i, c in band if x0 <= h < x1 and c_top <= v < c_bottom)
            texts.append(plumber_utils.extract_text([c for _, c in inside]) if inside else "")
        out.append(texts)
    return out


def grid_of(table) -> Grid | None:
    """A pdfplumber table as a grid with spans; None for a ruled box that is not a table."""
    rows = table.rows
    texts = cell_texts(table)
    boxes = [c for c in table.cells if c]
    if len(rows) < 2 or not boxes:
        return None
    xs = _boundaries([b[0] for b in boxes] + [b[2] for b in boxes])
    ys = _boundaries([b[1] for b in boxes] + [b[3] for b in boxes])
    if len(xs) < 3:
        return None
    cells: list[GridCell] = []
    for row, row_texts in zip(rows, texts, strict=True):
        for box, text in zip(row.cells, row_texts, strict=True):
            if box is None:
                continue
            x0, top, x1, bottom = box
            cells.append(
                GridCell(
                    text=WHITESPACE.sub("", text or ""),
                    row0=_index(ys, top),
                    row1=_index(ys, bottom),
                    col0=_index(xs, x0),
                    col1=_index(xs, x1),
                    x0=round(x0, 2),
                    top=round(top, 2),
                    x1=round(x1, 2),
                    bottom=round(bottom, 2),
                )
            )
    x0, top, x1, bottom = table.bbox
    return Grid(cells=cells, n_rows=len(ys) - 1, n_cols=len(xs) - 1, x0=x0, top=top, x1=x1, bottom=bottom)


def _boundaries(values: list[float], tolerance: float = 1.5) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > tolerance:
            out.append(v)
    return out


def _index(bounds: list[float], value: float) -> int:
    i = bisect_left(bounds, value - 1.5)
    return min(i, len(bounds) - 1)


def lines_of(page) -> list[Line]:
    out = []
    for ln in page.extract_text_lines(strip=True, return_chars=False):
        text = ln["text"]
        if text:
            out.append(Line(text=text, x0=ln["x0"], top=ln["top"], x1=ln["x1"], bottom=ln["bottom"]))
    return out
