"""The page interface, :func:`read_pages`, and its pdfplumber engine (the PDFium one is in pdfium_engine)."""

from __future__ import annotations

import io
import os
import re
from bisect import bisect_left
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError
from pdfplumber import utils as plumber_utils
from pdfplumber.table import TableFinder, TableSettings

from juesuan.faults import checkpoint
from juesuan.reasons import reason

WHITESPACE = re.compile(r"\s+")
CID = "(cid:"
TABLE_SETTINGS = TableSettings.resolve(None)
FLAT = 0.01  # pt: an edge thinner than this is a line


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


def sniff(data: bytes, label: str) -> None:
    """Refuse what is plainly not a whole PDF before a PDF library tries (and perhaps repairs) it."""
    if not data:
        raise PdfProblem(label, "empty", "the file has 0 bytes")
    start = data.find(b"%PDF-", 0, 1024)
    if start < 0:
        head = data[:40].decode("utf-8", "replace").strip()
        kind = (
            " (an HTML page?)"
            if b"<html" in data[:1024].lower() or b"<!doctype" in data[:1024].lower()
            else ""
        )
        raise PdfProblem(label, "not_pdf", f"no %PDF- header; it starts with {head[:30]!r}{kind}")
    if b"%%EOF" not in data[-2048:]:
        raise PdfProblem(label, "truncated", f"{len(data)} bytes and no %%EOF at the end: cut short")


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


def _pdfium_lines(pdf, index: int) -> list[Line]:
    """Text of one page of an open pypdfium2 document, line by line (boxes approximate: the page width)."""
    import pypdfium2 as pdfium

    page = pdf[index]
    try:
        width, height = page.get_size()
        textpage = page.get_textpage()
        n = textpage.count_chars()
        unmapped = sum(pdfium.raw.FPDFText_HasUnicodeMapError(textpage.raw, i) == 1 for i in range(n))
        # glyphs without a Unicode map come out as their raw codes: nothing recovered
        text = "" if unmapped > n // 10 else textpage.get_text_range()
    finally:
        page.close()
    lines = [t.strip() for t in text.splitlines() if t.strip()]
    step = height / max(1, len(lines) + 1)
    return [Line(t, 0.0, step * i, width, step * (i + 1)) for i, t in enumerate(lines)]


ENGINES = ("pdfplumber", "pdfium")
DEFAULT_ENGINE = os.environ.get("JUESUAN_PDF_ENGINE", "pdfium")


def read_pages(
    source: str | Path | bytes, name: str | None = None, engine: str | None = None
) -> Iterator[Page]:
    """Pages of a PDF, one at a time (a 500-page file is never held whole).

    ``engine`` picks who reads characters and ruling lines: ``pdfium`` (fast; pages it cannot vouch for
    fall back to pdfplumber) or ``pdfplumber``. Both give the same facts (tests/test_engines.py).
    """
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    label = name or (str(source) if not isinstance(source, bytes) else "<bytes>")
    engine = engine or DEFAULT_ENGINE
    if engine not in ENGINES:
        raise ValueError(f"unknown PDF engine {engine!r}; one of {', '.join(ENGINES)}")
    sniff(data, label)
    pages = _read_pdfium(data, label) if engine == "pdfium" else _read_plumber(data, label)
    for page in pages:
        checkpoint("parse.page")
        yield page


def _read_plumber(data: bytes, label: str) -> Iterator[Page]:
    import pypdfium2 as pdfium

    opened: list = []  # the PDFium document for pages pdfminer cannot read, opened once if needed

    def pdfium_doc():
        if not opened:
            opened.append(pdfium.PdfDocument(data))
        return opened[0]

    try:
        with _open_plumber(data, label) as pdf:
            for i, page in enumerate(pdf.pages):
                yield _plumber_page(page, pdfium_doc, i)
    finally:
        for doc in opened:
            doc.close()


def _open_plumber(data: bytes, label: str):
    try:
        return pdfplumber.open(io.BytesIO(data))
    except PDFPasswordIncorrect as exc:
        raise PdfProblem(label, "encrypted", "a password is needed to open it") from exc
    except (PDFSyntaxError, Exception) as exc:  # pdfminer raises many types on broken files
        raise PdfProblem(label, "unreadable", f"{type(exc).__name__}: {exc}") from exc


def _read_pdfium(data: bytes, label: str) -> Iterator[Page]:
    import pypdfium2 as pdfium

    from juesuan.pdf.pdfium_engine import read_page

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == pdfium.raw.FPDF_ERR_PASSWORD:
            raise PdfProblem(label, "encrypted", "a password is needed to open it") from exc
        raise PdfProblem(label, "unreadable", f"PDFium: {exc}") from exc
    plumber = None
    try:
        for i in range(len(pdf)):
            page = read_page(pdf, i)
            if page is None:  # turned upside down, skewed, empty or unmapped: pdfminer's diagnosis
                plumber = plumber or _open_plumber(data, label)
                page = _plumber_page(plumber.pages[i], lambda: pdf, i)
            yield page
    finally:
        pdf.close()
        if plumber is not None:
            plumber.close()


def _upright(page) -> Surface:
    """A /Rotate page's characters and edges for pdfplumber's table finder: pdfplumber keeps the
    orientation a ruling line had before the page was turned (a horizontal rule on a /Rotate 90 page comes
    out as 'v'), so no table is found; the orientation is taken from the edge's shape instead."""
    edges = []
    for e in page.edges:  # turned coordinates carry float noise (132.74000000001 against 132.7399999)
        if abs(e["top"] - e["bottom"]) <= FLAT:
            edges.append(dict(e, orientation="h", bottom=e["top"], height=0))
        elif abs(e["x0"] - e["x1"]) <= FLAT:
            edges.append(dict(e, orientation="v", x1=e["x0"], width=0))
    return Surface(page.chars, edges, float(page.width), float(page.height), page.bbox)


def _plumber_page(page, pdfium_doc: Callable, i: int) -> Page:
    """A page read by pdfminer; ``pdfium_doc()`` gives the open PDFium document to recover text from."""
    chars = page.chars
    layer = TextLayer.OK
    if not chars:
        layer = TextLayer.EMPTY
    elif sum(c["text"].startswith(CID) for c in chars) > len(chars) // 10:
        layer = TextLayer.CID
    if layer is TextLayer.OK:
        tables = page.find_tables() if not page.rotation else _upright(page).find_tables()
        grids = [g for g in (grid_of(t) for t in tables) if g is not None]
        lines = lines_of(page)
    else:
        # pdfminer saw no (usable) characters: ask pdfium before calling the page empty
        grids, lines = [], _pdfium_lines(pdfium_doc(), i)
        if lines and not any(CID in ln.text for ln in lines):
            layer = TextLayer.RECOVERED
        elif layer is TextLayer.EMPTY and not page.images:
            layer = TextLayer.BLANK
    result = Page(
        number=i + 1,
        width=float(page.width),
        height=float(page.height),
        lines=lines,
        grids=grids,
        text_layer=layer,
        n_chars=len(chars),
    )
    page.close()
    return result
