"""The pdfplumber engine: pdfminer reads each page in Python; slow, but its diagnosis of a page's text layer
is the one we trust, so the PDFium engine hands it every page it cannot vouch for.

A page pdfminer sees no usable characters on is asked of PDFium before it is called empty: PDFium maps
glyphs some fonts leave pdfminer without (:attr:`TextLayer.RECOVERED`).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator

import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError

from juesuan.pdf.page import Line, Page, PdfProblem, TextLayer
from juesuan.pdf.surface import CID, Surface, find_tables, grid_of, lines_of

FLAT = 0.01  # pt: an edge thinner than this is a line


def read(data: bytes, label: str) -> Iterator[Page]:
    """A document's pages through pdfminer; PDFium opens the file only if some page needs recovering."""
    import pypdfium2 as pdfium

    opened: list = []  # the PDFium document for pages pdfminer cannot read, opened once if needed

    def pdfium_doc():
        if not opened:
            opened.append(pdfium.PdfDocument(data))
        return opened[0]

    try:
        with open_plumber(data, label) as pdf:
            for i, page in enumerate(pdf.pages):
                yield plumber_page(page, pdfium_doc, i)
    finally:
        for doc in opened:
            doc.close()


def open_plumber(data: bytes, label: str):
    try:
        return pdfplumber.open(io.BytesIO(data))
    except PDFPasswordIncorrect as exc:
        raise PdfProblem(label, "encrypted", "a password is needed to open it") from exc
    except (PDFSyntaxError, Exception) as exc:  # pdfminer raises many types on broken files
        raise PdfProblem(label, "unreadable", f"{type(exc).__name__}: {exc}") from exc


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


def plumber_page(page, pdfium_doc: Callable, i: int) -> Page:
    """A page read by pdfminer; ``pdfium_doc()`` gives the open PDFium document to recover text from."""
    chars = page.chars
    layer = TextLayer.OK
    if not chars:
        layer = TextLayer.EMPTY
    elif sum(c["text"].startswith(CID) for c in chars) > len(chars) // 10:
        layer = TextLayer.CID
    if layer is TextLayer.OK:
        tables = find_tables(page) if not page.rotation else _upright(page).find_tables()
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
