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
from collections.abc import Callable, Iterator

import pypdfium2 as pdfium
import pypdfium2.raw as raw

from juesuan.pdf.page import Line, Page, PdfProblem, TextLayer
from juesuan.pdf.plumber_engine import open_plumber, plumber_page
from juesuan.pdf.surface import CID, Surface, grid_of, lines_of


class _Handle(ctypes.c_void_p):
    """A PDFium object handle, handed back to PDFium as it came (a subclass, so ctypes keeps the object)."""


def _unchecked(function, restype):
    """``function`` (a pypdfium2 binding) called without ctypes' argument conversion.

    pypdfium2 declares every function's argument types, and ctypes checks and converts each argument of
    every call against them: half the cost of the two to three million calls a corpus makes per hour of
    reading (five per character, four per path segment). The loops below pass only ints, ``byref``
    buffers and handles that came from PDFium, which need no conversion.
    """
    return ctypes.CFUNCTYPE(restype)(ctypes.cast(function, ctypes.c_void_p).value)


_is_generated = _unchecked(raw.FPDFText_IsGenerated, ctypes.c_int)
_map_error = _unchecked(raw.FPDFText_HasUnicodeMapError, ctypes.c_int)
_loose_box = _unchecked(raw.FPDFText_GetLooseCharBox, ctypes.c_int)
_char_origin = _unchecked(raw.FPDFText_GetCharOrigin, ctypes.c_int)
_char_matrix = _unchecked(raw.FPDFText_GetMatrix, ctypes.c_int)
_font_size = _unchecked(raw.FPDFText_GetFontSize, ctypes.c_double)
_object_type = _unchecked(raw.FPDFPageObj_GetType, ctypes.c_int)
_object_matrix = _unchecked(raw.FPDFPageObj_GetMatrix, ctypes.c_int)
_count_segments = _unchecked(raw.FPDFPath_CountSegments, ctypes.c_int)
_segment = _unchecked(raw.FPDFPath_GetPathSegment, _Handle)
_segment_point = _unchecked(raw.FPDFPathSegment_GetPoint, ctypes.c_int)
_segment_type = _unchecked(raw.FPDFPathSegment_GetType, ctypes.c_int)
_segment_close = _unchecked(raw.FPDFPathSegment_GetClose, ctypes.c_int)
_page_object = _unchecked(raw.FPDFPage_GetObject, _Handle)
_form_object = _unchecked(raw.FPDFFormObj_GetObject, _Handle)
_form_count = _unchecked(raw.FPDFFormObj_CountObjects, ctypes.c_int)

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
    to read (more than a tenth of the glyphs unmapped, or glyphs drawn skewed or turned on the page).

    The hottest loop of reading (a page holds up to 3,000 characters): the text comes in one call, PDFium
    is asked whether a character was generated only for the blanks and breaks it generates, and the
    displayed size and skew are worked out once per distinct text matrix, not per character.
    """
    textpage = page.get_textpage()
    try:
        tp = textpage.raw
        n = raw.FPDFText_CountChars(tp)
        codes = _codes(tp, n)
        rect, matrix = raw.FS_RECTF(), raw.FS_MATRIX()
        ox, oy = ctypes.c_double(), ctypes.c_double()
        rect_p, matrix_p, ox_p, oy_p = (
            ctypes.byref(rect),
            ctypes.byref(matrix),
            ctypes.byref(ox),
            ctypes.byref(oy),
        )
        is_generated, map_error, font_size = _is_generated, _map_error, _font_size
        loose_box, origin, char_matrix = _loose_box, _char_origin, _char_matrix
        upright = device == (1, 0, 0, 1, 0, 0)
        scales: dict[tuple[float, float, float, float], float | None] = {}
        out: list[dict] = []
        unmapped = 0
        for i in range(n):
            code = codes[i]
            if code in GENERATED and is_generated(tp, i):
                continue
            if map_error(tp, i) == 1 or code in UNMAPPED:
                unmapped += 1  # a glyph without a Unicode map: PDFium hands out its raw code
                continue
            if code < 0x20 and code != 0x09:
                continue
            loose_box(tp, i, rect_p)
            origin(tp, i, ox_p, oy_p)
            char_matrix(tp, i, matrix_p)
            key = (matrix.a, matrix.b, matrix.c, matrix.d)
            scale = scales.get(key, -1.0)
            if scale == -1.0:
                scale = scales[key] = _displayed_scale(key, device)
            if scale is None:
                return [], True  # glyphs skewed or turned as displayed: pdfminer's geometry, not ours
            # the em size as printed: the font size scaled by the text matrix and CTM (WPS writes
            # a nominal 281 pt scaled by 0.05), which is what pdfminer calls a character's size
            size = font_size(tp, i) * scale
            if upright:
                x0 = round(ox.value, 3)
                x1 = round(max(rect.left, rect.right), 3)
                y0 = round(min(rect.bottom, rect.top), 3)
            else:
                corners = (_apply(device, rect.left, rect.bottom), _apply(device, rect.right, rect.top))
                x0 = round(_apply(device, ox.value, oy.value)[0], 3)
                x1 = round(max(corners[0][0], corners[1][0]), 3)
                y0 = round(min(corners[0][1], corners[1][1]), 3)
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


GENERATED = frozenset((0x20, 0x0D, 0x0A))  # what PDFium inserts between words and lines
UNMAPPED = frozenset((0xFFFD, 0xFFFE))


def _codes(tp, n: int) -> list[int]:
    """Every character's code point in one call (UTF-16, one unit per character); per character where a
    code point beyond the BMP would take two units and shift the indices."""
    buffer = ctypes.create_string_buffer(2 * (n + 1))
    raw.FPDFText_GetText(tp, 0, n, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)))
    units = memoryview(buffer.raw[: 2 * n]).cast("H").tolist()
    if any(0xD800 <= u < 0xE000 for u in units):
        return [raw.FPDFText_GetUnicode(tp, i) for i in range(n)]
    return units


def _displayed_scale(linear: tuple[float, float, float, float], device: tuple[float, ...]) -> float | None:
    """How much a text matrix's vertical scale shows on the displayed page, None when its glyphs are drawn
    skewed or turned there."""
    shown = _compose((*linear, 0.0, 0.0), device)
    if abs(shown[1]) > 1e-9 or abs(shown[2]) > 1e-9:
        return None
    return abs(shown[3])


def _compose(inner: tuple[float, ...], outer: tuple[float, ...]) -> tuple[float, ...]:
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


IDENTITY = (1, 0, 0, 1, 0, 0)


class _PathWalker:
    """Horizontal and vertical edges of every path (inside forms too), as pdfplumber's curve edges, in
    displayed-page space.

    Second only to characters in reading time (a ruled page draws up to 2,000 segments): PDFium's
    buffers are allocated once per page, and a path's matrix is composed once per distinct matrix.
    """

    def __init__(self, height: float):
        self.height = height
        self.edges: list[dict] = []
        self._composed: dict[tuple, tuple[float, ...]] = {}
        self._m = raw.FS_MATRIX()
        self._m_p = ctypes.byref(self._m)
        self._x, self._y = ctypes.c_float(), ctypes.c_float()
        self._xy_p = (ctypes.byref(self._x), ctypes.byref(self._y))

    def walk(self, children: Iterator, outer: tuple[float, ...]) -> None:
        get_type = _object_type
        for obj in children:
            kind = get_type(obj)
            if kind != PATH and kind != FORM:
                continue
            m = self._matrix(obj, outer)
            if kind == PATH:
                self._path(obj, m)
            else:
                count = _form_count(obj)
                self.walk((_form_object(obj, i) for i in range(count)), m)

    def _matrix(self, obj, outer: tuple[float, ...]) -> tuple[float, ...]:
        """The object's matrix (as written: PDFium's float32 mapped back to decimals) after ``outer``."""
        m = self._m
        _object_matrix(obj, self._m_p)
        key = (m.a, m.b, m.c, m.d, m.e, m.f, outer)
        composed = self._composed.get(key)
        if composed is None:
            composed = self._composed[key] = _compose(tuple(decimal_of(v) for v in key[:6]), outer)
        return composed

    def _path(self, obj, m: tuple[float, ...]) -> None:
        """The path's straight segments, subpath by subpath (a closed subpath returns to its start)."""
        a, b, c, d, e, f = m
        identity = m == IDENTITY
        x, y = self._x, self._y
        x_p, y_p = self._xy_p
        get_segment, get_point = _segment, _segment_point
        get_type, get_close = _segment_type, _segment_close
        moveto, edge = raw.FPDF_SEGMENT_MOVETO, self._edge
        start = previous = None
        for k in range(_count_segments(obj)):
            seg = get_segment(obj, k)
            get_point(seg, x_p, y_p)
            px, py = round(x.value, 4), round(y.value, 4)  # decimal_of, inlined
            point = (px, py) if identity else (a * px + c * py + e, b * px + d * py + f)
            if previous is None or get_type(seg) == moveto:
                start = point
            else:
                edge(previous, point)
            previous = point
            if get_close(seg) and start != point:
                edge(point, start)
                previous = start

    def _edge(self, p0: tuple[float, float], p1: tuple[float, float]) -> None:
        (x_0, y_0), (x_1, y_1) = p0, p1
        if x_0 == x_1:
            orientation = "v"
        elif y_0 == y_1:
            orientation = "h"
        else:
            return
        top, bottom = self.height - max(y_0, y_1), self.height - min(y_0, y_1)
        self.edges.append(
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
        )


def _edges(objects: Callable[[], Iterator], height: float, device: tuple[float, ...]) -> list[dict]:
    walker = _PathWalker(height)
    walker.walk(objects(), device)
    return walker.edges


def decimal_of(value: float) -> float:
    """The decimal PDFium's float32 ``value`` was written as (549.1400146… → 549.14).

    Half a float32 step stays under 0.00005 below 1,000 pt, so four decimals recover any coordinate
    written with four decimals or fewer, which is what PDF producers write.
    """
    return round(value, 4)


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
        edges = _edges(lambda: (_page_object(raw_page, i) for i in range(count)), height, device)
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
