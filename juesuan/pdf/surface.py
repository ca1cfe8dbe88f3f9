"""pdfplumber's table finder and text map over any engine's characters and edges.

Both engines end here, which is why they give the same grids and lines: they differ only in who read the
characters and ruling lines off the page (pdfminer or PDFium), never in how tables and lines are found.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from itertools import groupby
from operator import itemgetter

from pdfplumber import utils as plumber_utils
from pdfplumber.table import Table, TableFinder, TableSettings, cells_to_tables, edges_to_intersections
from pdfplumber.utils.text import DEFAULT_X_TOLERANCE, DEFAULT_Y_TOLERANCE, LIGATURES

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

    def find_tables(self) -> list[Table]:
        return find_tables(self)


class _Finder(TableFinder):
    """pdfplumber's ``TableFinder`` step for step (its edges, intersections and grouping of cells into
    tables) with :func:`intersections_to_cells` in place of its own."""

    def __init__(self, page, settings: TableSettings = TABLE_SETTINGS):
        self.page = page
        self.settings = settings
        self.edges = self.get_edges()
        self.intersections = edges_to_intersections(
            self.edges, settings.intersection_x_tolerance, settings.intersection_y_tolerance
        )
        self.cells = intersections_to_cells(self.intersections)
        self.tables = [Table(page, group) for group in cells_to_tables(self.cells)]


def find_tables(page) -> list[Table]:
    """pdfplumber's tables of a page (a pdfplumber ``Page`` or a :class:`Surface`)."""
    return _Finder(page).tables


def intersections_to_cells(intersections: dict) -> list[tuple]:
    """``pdfplumber.table.intersections_to_cells``, the same cells in the same order, without its cost.

    pdfplumber rebuilds two sets of edge boxes for every pair of points it tests and scans all later
    points for the ones below and to the right of each: a third of table finding. Here each point's edge
    boxes are built once, and the points below (same x) and to the right (same y) come from an index.
    """
    bbox = itemgetter("x0", "top", "x1", "bottom")
    v = {p: frozenset(map(bbox, e["v"])) for p, e in intersections.items()}
    h = {p: frozenset(map(bbox, e["h"])) for p, e in intersections.items()}

    def connects(p1: tuple, p2: tuple) -> bool:
        return bool(
            (p1[0] == p2[0] and not v[p1].isdisjoint(v[p2]))
            or (p1[1] == p2[1] and not h[p1].isdisjoint(h[p2]))
        )

    points = sorted(intersections)
    same_x: dict[float, list[tuple]] = defaultdict(list)
    same_y: dict[float, list[tuple]] = defaultdict(list)
    for pt in points:  # sorted by (x, y): each list is in the order pdfplumber scans it
        same_x[pt[0]].append(pt)
        same_y[pt[1]].append(pt)
    cells = []
    for pt in points:
        below = [q for q in same_x[pt[0]] if q[1] > pt[1]]
        right = [q for q in same_y[pt[1]] if q[0] > pt[0]]
        cell = _smallest_cell(pt, below, right, intersections, connects)
        if cell is not None:
            cells.append(cell)
    return cells


def _smallest_cell(pt, below, right, intersections, connects) -> tuple | None:
    for below_pt in below:
        if not connects(pt, below_pt):
            continue
        for right_pt in right:
            if not connects(pt, right_pt):
                continue
            corner = (right_pt[0], below_pt[1])
            if corner in intersections and connects(corner, right_pt) and connects(corner, below_pt):
                return (pt[0], pt[1], corner[0], corner[1])
    return None


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
            texts.append(squashed_text([c for _, c in inside]) if inside else "")
        out.append(texts)
    return out


def _clusters(values, tolerance: float) -> dict[float, int]:
    """``pdfplumber.utils.make_cluster_dict``: each value → its cluster (a chain of gaps ≤ tolerance)."""
    out: dict[float, int] = {}
    index, last = -1, None
    for value in sorted(set(values)):
        if last is None or value > last + tolerance:
            index += 1
        out[value] = index
        last = value
    return out


def squashed_text(chars: list[dict]) -> str:
    """``pdfplumber.utils.extract_text(chars)`` without its whitespace (all a grid cell keeps), by the same
    rules: characters clustered into lines by ``top`` and sorted by ``x0`` within a line, cut into words
    at blanks and at gaps, words clustered into lines again by their ``top``, ligatures expanded.

    pdfplumber builds a word extractor and a text map for every cell: a fifth of reading a table page.
    Text other than upright, non-empty characters goes to pdfplumber itself.
    """
    if not all(c["upright"] and c["text"] for c in chars):
        return WHITESPACE.sub("", plumber_utils.extract_text(chars))
    line_of = _clusters((c["top"] for c in chars), DEFAULT_Y_TOLERANCE)
    ordered = sorted(chars, key=lambda c: line_of[c["top"]])
    words: list[tuple[float, str]] = []  # (top, text)
    word: list[dict] = []

    def close() -> None:
        if word:
            text = "".join(LIGATURES.get(c["text"], c["text"]) for c in word)
            words.append((min(c["top"] for c in word), text))
            word.clear()

    for _, line in groupby(ordered, key=lambda c: line_of[c["top"]]):
        close()
        for c in sorted(line, key=itemgetter("x0")):
            if c["text"].isspace():
                close()
                continue
            if word:
                prev = word[-1]
                if (
                    c["x0"] < prev["x0"]
                    or c["x0"] > prev["x1"] + DEFAULT_X_TOLERANCE
                    or abs(c["top"] - prev["top"]) > DEFAULT_Y_TOLERANCE
                ):
                    close()
            word.append(c)
    close()
    word_line = _clusters((top for top, _ in words), DEFAULT_Y_TOLERANCE)
    text = "".join(t for _, t in sorted(words, key=lambda w: word_line[w[0]]))
    return WHITESPACE.sub("", text)


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
