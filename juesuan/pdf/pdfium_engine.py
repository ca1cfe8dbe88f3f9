"""The pypdfium2 engine: characters and ruling lines read by PDFium (C++), tables found by pdfplumber's
own algorithm.

pdfminer (under pdfplumber) interprets every page in Python and is where almost all parse time goes.
PDFium gives the same characters and path segments an order of magnitude faster. Rather than
re-implementing table finding and line grouping, this engine hands PDFium's characters and edges to
pdfplumber's ``TableFinder`` and ``TextMap`` (which only need dicts with boxes), so the two engines differ
only in who reads the page, and a differential test over the generated corpus and the real PDFs holds
them to the same facts.

Characters get pdfminer's geometry: left edge at the glyph origin, right edge at origin + advance, bottom
at baseline + font descent, height = font size. PDFium stores path points as float32 (549.1400146…) where
pdfminer keeps the decimal written in the file (549.14): each point is mapped back to the shortest decimal
with the same float32, so cell boxes come out as pdfminer's to the last bit. Characters are rounded to
1/1000 pt; only which cell and line they fall in matters.

A page this engine cannot vouch for (turned 180 or 270, glyphs drawn skewed, no characters, glyphs without a
Unicode map) is read by the pdfplumber engine instead, so text-layer diagnosis stays pdfminer's.
"""

from __future__ import annotations

import ctypes
import itertools
from collections.abc import Callable, Iterator

import pypdfium2 as pdfium
import pypdfium2.raw as raw

from juesuan.pdf.page import Line, Page, PdfProblem, TextLayer
from juesuan.pdf.plumber_engine import open_plumber, plumber_page
from juesuan.pdf.surface import CID, Surface, grid_of, lines_of

PATH = raw.FPDF_PAGEOBJ_PATH
FORM = raw.FPDF_PAGEOBJ_FORM
ROTATIONS = (0, 90)  # pdfplumber finds no table on /Rotate 180 and 270 pages: those stay its to read


def read(data: bytes, label: str) -> Iterator[Page]:
    """A document's pages through PDFium; pdfminer opens the file only if some page needs its diagnosis."""
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
                plumber = plumber or open_plumber(data, label)
                page = plumber_page(plumber.pages[i], lambda: pdf, i)
            yield page
    finally:
        pdf.close()
        if plumber is not None:
            plumber.close()


def device_matrix(rotation: int, box: tuple[float, float, float, float]) -> tuple[float, ...]:
    """pdfplumber's page transformation: user space → the page as displayed, y upwards. Printers emit
    landscape pages as portrait MediaBoxes with ``/Rotate 90`` and the content drawn turned; read through
    this matrix the text is upright again. An unturned page keeps user-space coordinates whatever its
    MediaBox origin (pdfplumber measures ``top`` as the MediaBox height minus y and ignores the CropBox)."""
    _, y0, x1, _ = box
    return {0: (1, 0, 0, 1, 0, 0), 90: (0, -1, 1, 0, -y0, x1)}[rotation]  # the ROTATIONS read here


def _apply(m: tuple[float, ...], x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


def _chars(page: pdfium.PdfPage, height: float, device: tuple[float, ...]) -> tuple[list[dict], bool]:
    """Characters as pdfminer would give them, in displayed-page space; the flag says the page is not ours
    to read (more than a tenth of the glyphs unmapped, or glyphs drawn skewed or turned on the page)."""
    textpage = page.get_textpage()
    try:
        tp = textpage.raw
        n = raw.FPDFText_CountChars(tp)
        rect = raw.FS_RECTF()
        matrix = raw.FS_MATRIX()
        ox, oy = ctypes.c_double(), ctypes.c_double()
        out: list[dict] = []
        unmapped = 0
        for i in range(n):
            if raw.FPDFText_IsGenerated(tp, i):
                continue
            code = raw.FPDFText_GetUnicode(tp, i)
            if raw.FPDFText_HasUnicodeMapError(tp, i) == 1 or code in (0xFFFD, 0xFFFE):
                unmapped += 1  # a glyph without a Unicode map: PDFium hands out its raw code
                continue
            if code < 0x20 and code != 0x09:
                continue
            raw.FPDFText_GetLooseCharBox(tp, i, rect)
            raw.FPDFText_GetCharOrigin(tp, i, ox, oy)
            raw.FPDFText_GetMatrix(tp, i, matrix)
            shown = _compose((matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f), device)
            if abs(shown[1]) > 1e-9 or abs(shown[2]) > 1e-9:
                return [], True  # glyphs skewed or turned as displayed: pdfminer's geometry, not ours
            # the em size as printed: the font size scaled by the text matrix and CTM (WPS writes
            # a nominal 281 pt scaled by 0.05), which is what pdfminer calls a character's size
            size = raw.FPDFText_GetFontSize(tp, i) * abs(shown[3])
            corners = (_apply(device, rect.left, rect.bottom), _apply(device, rect.right, rect.top))
            x0 = round(_apply(device, ox.value, oy.value)[0], 3)
            x1 = round(max(c[0] for c in corners), 3)
            y0 = round(min(c[1] for c in corners), 3)
            top = round(height - (y0 + size), 3)
            out.append(
                {
                    "text": chr(code),
                    "x0": x0,
                    "x1": x1,
                    "top": top,
                    "bottom": round(top + size, 3),
                    "doctop": top,
                    "width": x1 - x0,
                    "height": size,
                    "size": size,
                    "upright": True,
                    "matrix": (1, 0, 0, 1, x0, y0),
                    "object_type": "char",
                }
            )
        return out, unmapped > (len(out) + unmapped) // 10
    finally:
        textpage.close()


def _matrix(obj) -> tuple[float, ...]:
    m = raw.FS_MATRIX()
    raw.FPDFPageObj_GetMatrix(obj, m)
    return tuple(decimal_of(v) for v in (m.a, m.b, m.c, m.d, m.e, m.f))


def _compose(inner: tuple[float, ...], outer: tuple[float, ...]) -> tuple[float, ...]:
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _subpaths(obj, m: tuple[float, ...]) -> Iterator[list[tuple[float, float]]]:
    """A path object's subpaths as point lists in page space (a closed subpath returns to its start)."""
    a, b, c, d, e, f = m
    identity = m == (1, 0, 0, 1, 0, 0)
    x, y = ctypes.c_float(), ctypes.c_float()
    get_segment, get_point = raw.FPDFPath_GetPathSegment, raw.FPDFPathSegment_GetPoint
    get_type, get_close = raw.FPDFPathSegment_GetType, raw.FPDFPathSegment_GetClose
    moveto = raw.FPDF_SEGMENT_MOVETO
    points: list[tuple[float, float]] = []
    for k in range(raw.FPDFPath_CountSegments(obj)):
        seg = get_segment(obj, k)
        get_point(seg, x, y)
        px, py = round(x.value, 4), round(y.value, 4)  # decimal_of, inlined: the hottest loop of a page
        point = (px, py) if identity else (a * px + c * py + e, b * px + d * py + f)
        if points and get_type(seg) == moveto:
            yield points
            points = []
        points.append(point)
        if get_close(seg) and points[0] != point:
            points.append(points[0])
    if points:
        yield points


def _edges(objects: Callable[[], Iterator], height: float, device: tuple[float, ...]) -> list[dict]:
    """Horizontal and vertical edges of every path (inside forms too), as pdfplumber's curve edges, in
    displayed-page space."""
    edges: list[dict] = []

    def walk(children: Iterator, outer: tuple[float, ...]) -> None:
        for obj in children:
            kind = raw.FPDFPageObj_GetType(obj)
            if kind != PATH and kind != FORM:
                continue
            m = _compose(_matrix(obj), outer)
            if kind == PATH:
                for pts in _subpaths(obj, m):
                    for (x_0, y_0), (x_1, y_1) in itertools.pairwise(pts):
                        edges.extend(_edge(x_0, y_0, x_1, y_1, height))
            elif kind == FORM:
                count = raw.FPDFFormObj_CountObjects(obj)
                walk((raw.FPDFFormObj_GetObject(obj, i) for i in range(count)), m)

    walk(objects(), device)
    return edges


def decimal_of(value: float) -> float:
    """The decimal PDFium's float32 ``value`` was written as (549.1400146… → 549.14).

    Half a float32 step stays under 0.00005 below 1,000 pt, so four decimals recover any coordinate
    written with four decimals or fewer, which is what PDF producers write.
    """
    return round(value, 4)


def _edge(x_0: float, y_0: float, x_1: float, y_1: float, height: float) -> list[dict]:
    if x_0 == x_1:
        orientation = "v"
    elif y_0 == y_1:
        orientation = "h"
    else:
        return []
    top, bottom = height - max(y_0, y_1), height - min(y_0, y_1)
    return [
        {
            "object_type": "curve_edge",
            "x0": min(x_0, x_1),
            "x1": max(x_0, x_1),
            "top": top,
            "bottom": bottom,
            "doctop": top,
            "width": abs(x_1 - x_0),
            "height": bottom - top,
            "orientation": orientation,
        }
    ]


def read_page(pdf: pdfium.PdfDocument, index: int) -> Page | None:
    """One page through PDFium, or None where the pdfplumber engine must read it."""
    page = pdf[index]
    try:
        rotation = page.get_rotation()
        if rotation not in ROTATIONS:
            return None
        box = tuple(decimal_of(v) for v in page.get_mediabox())
        width, height = box[2] - box[0], box[3] - box[1]
        if rotation in (90, 270):
            width, height = height, width
        device = device_matrix(rotation, box)
        chars, doubtful = _chars(page, height, device)
        if not chars or doubtful or any(CID in c["text"] for c in chars):
            return None
        raw_page = page.raw
        count = raw.FPDFPage_CountObjects(raw_page)
        edges = _edges(lambda: (raw.FPDFPage_GetObject(raw_page, i) for i in range(count)), height, device)
        # pdfplumber's page box: unturned pages keep user-space x, and top runs from height - y1
        bbox = (box[0], height - box[3], box[2], height - box[1]) if rotation == 0 else None
        surface = Surface(chars, edges, width, height, bbox)
        grids = [g for g in (grid_of(t) for t in surface.find_tables()) if g is not None]
        lines: list[Line] = lines_of(surface)
        return Page(
            number=index + 1,
            width=float(width),
            height=float(height),
            lines=lines,
            grids=grids,
            text_layer=TextLayer.OK,
            n_chars=len(chars),
        )
    finally:
        page.close()
