"""Producer profiles: how the program that made a PDF writes its pages (DOMAIN.md §5.4).

A document's text, tables and layout are the same whoever prints them; what changes is how glyphs, pages and
fonts are written into the file. Each profile here reproduces one habit of the programs real 决算 come from,
drawn per document and recorded as ``style.producer`` in the truth:

``plain``
    reportlab as it is: one ``Tj`` per string at a unit text matrix, simple TrueType subsets with ToUnicode.
``wps``
    WPS Office: every string in its own ``q … Q`` under a y-flipped CTM (``1 0 0 -1 0 H cm``), the font set
    at 20× its size (a 9 pt cell at ``180 Tf``, 14 pt at ``280 Tf``) and scaled back by the text matrix
    (``0.05 0 0 -0.05 x y Tm``), each glyph placed by its own ``TD``. Glyph positions are those of ``plain``.
``charspacing``
    Word-style per-glyph positioning: every string one ``TJ`` array with a kerning number after each glyph
    (positions snapped to 1/20 pt) under a non-zero ``Tc`` that the numbers partly undo; narrative lines are
    justified and short header words distributed across their cells by character spacing, as Word's
    两端对齐 and 分散对齐 print them.
``rotate90``
    landscape pages written as a portrait MediaBox with ``/Rotate 90``, the content drawn turned by a
    ``0 1 -1 0 W 0 cm``, as many printer drivers emit landscape pages.
``cropbox``
    page boxes not at the origin: odd pages get a MediaBox shifted off (0, 0); even pages a US-legal
    MediaBox with the A4 page as a CropBox offset inside it. Truth boxes follow the project's (pdfplumber's)
    convention: x in PDF user space, ``top`` the MediaBox height minus y, the CropBox ignored; so they are
    the plain document's boxes moved by :attr:`Producer.offset`, not measured from the visible corner.
``image_page``
    one image-only page (a scanned, stamped page: a raster image, no text) inside the document, never among
    the tables; its number is in the truth's ``image_pages`` and later pages shift by one.
``subset_fonts``
    fonts as Word and WPS embed them: CJK text in a subset Type0 font (Identity-H, two-byte CIDs that are not
    Unicode) with a ToUnicode map; digits and Latin text in a subset TrueType font with WinAnsiEncoding and
    no ToUnicode map, readable through its standard encoding.
"""

from __future__ import annotations

import hashlib
import io
import math
import random
from dataclasses import dataclass, field, replace

from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from juesuan.synth.style import Style

PRODUCERS = ("plain", "wps", "charspacing", "rotate90", "cropbox", "image_page", "subset_fonts")
WPS_SCALE = 0.05
LEGAL = (612.0, 1008.0)


def draw_producer(rng: random.Random) -> str:
    return rng.choice(PRODUCERS)


def fit_style(style: Style) -> Style:
    """The few knobs a profile needs to show at all: landscape pages to rotate, an embedded digit font."""
    if style.producer == "rotate90" and style.landscape_tables == "none":
        style = replace(style, landscape_tables="wide")
    if style.producer == "subset_fonts" and style.digit_font != "same":
        style = replace(style, digit_font="same")
    return style


def num(value: float, places: int = 4) -> str:
    """A PDF number: fixed point, trailing zeros dropped, no negative zero."""
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@dataclass
class Glyph:
    char: str
    resource: str  # the font resource name, with its slash
    code: bytes
    width: float  # advance in 1/1000 em


def reportlab_glyphs(canvas: Canvas, text: str, font_name: str) -> list[Glyph]:
    """Glyphs of ``text`` in reportlab's own fonts: TrueType subsets of 256 codes, or a standard Type 1
    font."""
    font = pdfmetrics.getFont(font_name)
    doc = canvas._doc
    out = []
    if font._dynamicFont:
        for ch in text:
            ((subset, code),) = font.splitString(ch, doc)
            out.append(
                Glyph(ch, font.getSubsetInternalName(subset, doc), code, font.face.getCharWidth(ord(ch)))
            )
    else:
        resource = doc.getInternalFontName(font_name)
        for ch in text:
            out.append(Glyph(ch, resource, ch.encode("cp1252"), pdfmetrics.stringWidth(ch, font_name, 1000)))
    return out


def hex_string(code: bytes) -> str:
    return f"<{code.hex().upper()}>"


class Producer:
    """``plain``: reportlab draws text itself; pages are left as they are."""

    name = "plain"
    raw_text = False  # True: text is written by :meth:`draw` instead of reportlab's drawString

    def __init__(self, canvas: Canvas, rng: random.Random):
        self.canvas = canvas
        self.rng = rng
        self.features: dict[str, int] = {}
        # how far the current page's truth boxes lie from where the drawing puts them: (x, top), in points
        self.offset: tuple[float, float] = (0.0, 0.0)

    def count(self, feature: str, n: int = 1) -> None:
        self.features[feature] = self.features.get(feature, 0) + n

    def begin_page(self, number: int, size: tuple[float, float], landscape: bool) -> None:
        """Called after the page is started, before anything is drawn on it."""

    def end_page(self) -> None:
        """Called after everything is drawn on the page, before reportlab closes it."""

    def after_page(self) -> None:
        """Called once reportlab has closed the page (its page object is the last of the document)."""

    def draw(
        self, x: float, y: float, text: str, font: str, size: float, spread: float, height: float
    ) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """Called before the document is saved."""

    def glyphs(self, text: str, font: str) -> list[Glyph]:
        return reportlab_glyphs(self.canvas, text, font)


class Wps(Producer):
    name = "wps"
    raw_text = True

    def draw(
        self, x: float, y: float, text: str, font: str, size: float, spread: float, height: float
    ) -> None:
        nominal = size / WPS_SCALE
        ops = [f"q 1 0 0 -1 0 {num(height)} cm BT 0 0 0 rg"]
        current, advance = None, 0.0
        for i, g in enumerate(self.glyphs(text, font)):
            if g.resource != current:
                ops.append(f"{g.resource} {num(nominal, 3)} Tf")
                if current is None:
                    ops.append(f"{num(WPS_SCALE)} 0 0 {num(-WPS_SCALE)} {num(x)} {num(height - y)} Tm")
                current = g.resource
            if i:
                # the previous glyph's advance, in text space (the nominal size): TD moves the line start
                ops.append(f"{num(advance, 3)} -0 TD")
            ops.append(f"{hex_string(g.code)} Tj")
            advance = g.width * nominal / 1000 + spread / WPS_SCALE
        ops.append("ET Q")
        self.canvas.addLiteral(" ".join(ops))
        self.count("glyphs_scaled", len(text))


class CharSpacing(Producer):
    """Word-style ``TJ`` arrays under character spacing; see the module docstring."""

    name = "charspacing"
    raw_text = True
    GRID = 0.05  # Word places glyphs on a 1/20 pt grid

    def __init__(self, canvas: Canvas, rng: random.Random):
        super().__init__(canvas, rng)
        self.tc = rng.choice((0.25, 0.4, 0.6))  # the character spacing the kerning numbers work against

    def draw(
        self, x: float, y: float, text: str, font: str, size: float, spread: float, height: float
    ) -> None:
        glyphs = self.glyphs(text, font)
        # where each glyph starts, from the run's start: natural advances plus the spread, on the grid
        starts, position = [], 0.0
        for g in glyphs:
            starts.append(round(position / self.GRID) * self.GRID)
            position += g.width * size / 1000 + spread
        tc = max(self.tc, spread)
        ops = [f"BT 1 0 0 1 {num(x)} {num(y)} Tm {num(tc)} Tc"]
        current, items = None, []
        for i, g in enumerate(glyphs):
            if g.resource != current:
                if items:
                    ops.append(f"[{' '.join(items)}] TJ")
                    items = []
                ops.append(f"{g.resource} {num(size)} Tf")
                current = g.resource
            items.append(f"({self.canvas._escape(g.code)})")
            if i + 1 < len(glyphs):
                moved = starts[i + 1] - starts[i]
                natural = g.width * size / 1000 + tc
                items.append(num((natural - moved) * 1000 / size, 3))
        if items:
            ops.append(f"[{' '.join(items)}] TJ")
        ops.append("0 Tc ET")
        self.canvas.addLiteral(" ".join(ops))
        self.count("glyphs_kerned", len(text))
        if spread:
            self.count("runs_spaced")


class Rotate90(Producer):
    name = "rotate90"

    def __init__(self, canvas: Canvas, rng: random.Random):
        super().__init__(canvas, rng)
        self.turned = False

    def begin_page(self, number: int, size: tuple[float, float], landscape: bool) -> None:
        self.turned = landscape
        self.canvas.setPageRotation(90 if landscape else 0)
        if landscape:
            # reportlab writes MediaBox [0 0 h w] for a rotated page; draw the landscape page turned onto it
            self.canvas.saveState()
            self.canvas.transform(0, 1, -1, 0, size[1], 0)
            self.count("pages_rotated")

    def end_page(self) -> None:
        if self.turned:
            self.canvas.restoreState()


class CropBox(Producer):
    name = "cropbox"

    def __init__(self, canvas: Canvas, rng: random.Random):
        super().__init__(canvas, rng)
        self.shift = rng.choice(((20.0, 30.0), (36.0, 18.5), (-12.0, 24.0)))
        self.boxes: tuple[list[float], list[float] | None] | None = None

    def begin_page(self, number: int, size: tuple[float, float], landscape: bool) -> None:
        w, h = size
        if number % 2:
            ox, oy = self.shift
            self.boxes = ([ox, oy, ox + w, oy + h], None)
            self.count("pages_media_shifted")
        else:
            mw, mh = (LEGAL[1], LEGAL[0]) if landscape else LEGAL
            ox, oy = round((mw - w) / 2, 2), round((mh - h) / 3, 2)
            self.boxes = ([0, 0, mw, mh], [ox, oy, ox + w, oy + h])
            self.count("pages_cropped")
        media = self.boxes[0]
        # drawn at (x + ox, y + oy) in user space; pdfplumber's top is the MediaBox height minus y
        self.offset = (ox, (media[3] - media[1]) - h - oy)
        self.canvas.saveState()
        self.canvas.translate(ox, oy)

    def end_page(self) -> None:
        self.canvas.restoreState()

    def after_page(self) -> None:
        page = self.canvas._doc.Pages.pages[-1]
        media, crop = self.boxes
        page.MediaBox = pdfdoc.PDFArray([float(num(v)) for v in media])
        if crop is not None:
            page.CropBox = pdfdoc.PDFArray([float(num(v)) for v in crop])


class ImagePage(Producer):
    """Text as reportlab draws it; the renderer asks :meth:`wants_image` at each place an image page may
    go."""

    name = "image_page"
    SLOTS = 3  # after the cover, after the contents, after the first narrative part

    def __init__(self, canvas: Canvas, rng: random.Random):
        super().__init__(canvas, rng)
        self.slot = rng.randrange(self.SLOTS)
        self.seen = 0

    def wants_image(self) -> bool:
        slot, self.seen = self.seen, self.seen + 1
        return slot == self.slot


def scanned_page(rng: random.Random, width_px: int = 420, height_px: int = 594) -> bytes:
    """A JPEG of a photographed, stamped page: grey paper, lines of 'text' as dark strokes, a red seal."""
    from PIL import Image, ImageDraw, ImageFilter

    paper = Image.new("L", (width_px, height_px), 236)
    grain = Image.frombytes("L", (width_px, height_px), rng.randbytes(width_px * height_px))
    paper = Image.blend(paper, grain, 0.06)
    draw = ImageDraw.Draw(paper)
    y = 60
    draw.rectangle((width_px * 0.3, y, width_px * 0.7, y + 12), fill=60)
    y += 45
    while y < height_px - 170:
        x = 50 + (28 if rng.random() < 0.3 else 0)
        end = width_px - 50 - (rng.randrange(150) if rng.random() < 0.25 else 0)
        while x < end:
            w = rng.randint(6, 11)
            draw.rectangle((x, y, x + w, y + 9), fill=rng.randint(40, 90))
            x += w + 3
        y += 20
    page = Image.merge("RGB", (paper, paper, paper)).filter(ImageFilter.GaussianBlur(0.6))
    seal = ImageDraw.Draw(page)
    cx, cy, r = width_px * 0.68, height_px - 110, 52
    red = (205, 40, 40)
    seal.ellipse((cx - r, cy - r, cx + r, cy + r), outline=red, width=5)
    star = [
        (
            cx + (16 if k % 2 == 0 else 6.5) * math.sin(k * math.pi / 5),
            cy - (16 if k % 2 == 0 else 6.5) * math.cos(k * math.pi / 5),
        )
        for k in range(10)
    ]
    seal.polygon(star, fill=red)
    for k in range(14):
        angle = math.pi * (0.8 + 1.4 * k / 13)
        px, py = cx + 38 * math.cos(angle), cy + 38 * math.sin(angle)
        seal.rectangle((px - 3, py - 3, px + 3, py + 3), fill=red)
    out = io.BytesIO()
    page.save(out, format="JPEG", quality=55, optimize=False)
    return out.getvalue()


@dataclass
class _FaceUse:
    """What one TrueType face printed in a ``subset_fonts`` document: its CIDs and Latin codes."""

    name: str
    cids: dict[str, int] = field(default_factory=dict)  # char → CID (1, 2, … in order of first use)
    latin: set[int] = field(default_factory=set)
    type0: str = ""
    simple: str = ""


class SubsetFonts(Producer):
    name = "subset_fonts"
    raw_text = True

    def __init__(self, canvas: Canvas, rng: random.Random):
        super().__init__(canvas, rng)
        self.faces: dict[str, _FaceUse] = {}
        self.registered = False

    def use(self, font: str) -> _FaceUse:
        if font not in self.faces:
            n = len(self.faces) + 1
            self.faces[font] = _FaceUse(font, type0=f"/TT{n}", simple=f"/TA{n}")
        if not self.registered:
            self.canvas._doc.delayedFonts.append(self)  # our addObjects runs when the document is saved
            self.registered = True
        return self.faces[font]

    def glyphs(self, text: str, font: str) -> list[Glyph]:
        if not pdfmetrics.getFont(font)._dynamicFont:
            return reportlab_glyphs(self.canvas, text, font)  # a standard font: nothing to embed
        use = self.use(font)
        face = pdfmetrics.getFont(font).face
        out = []
        for ch in text:
            width = face.getCharWidth(ord(ch))
            if 32 <= ord(ch) < 127:
                use.latin.add(ord(ch))
                out.append(Glyph(ch, use.simple, ch.encode("ascii"), width))
            else:
                cid = use.cids.setdefault(ch, len(use.cids) + 1)
                out.append(Glyph(ch, use.type0, cid.to_bytes(2, "big"), width))
        return out

    def draw(
        self, x: float, y: float, text: str, font: str, size: float, spread: float, height: float
    ) -> None:
        ops = [f"BT 1 0 0 1 {num(x)} {num(y)} Tm"]
        current, run = None, b""
        for g in self.glyphs(text, font):
            if g.resource != current:
                if run:
                    ops.append(f"{hex_string(run)} Tj")
                    run = b""
                ops.append(f"{g.resource} {num(size)} Tf")
                current = g.resource
            run += g.code
        if run:
            ops.append(f"{hex_string(run)} Tj")
        ops.append("ET")
        self.canvas.addLiteral(" ".join(ops))

    # -- the font objects, written when reportlab saves the document ---------------------------------------
    def addObjects(self, doc) -> None:  # reportlab's name for the hook
        fonts = doc.idToObject["BasicFonts"].dict
        for use in self.faces.values():
            face = pdfmetrics.getFont(use.name).face
            if use.cids:
                fonts[use.type0[1:]] = self._type0(doc, face, use)
            if use.latin:
                fonts[use.simple[1:]] = self._winansi(doc, face, use)
        self.count("fonts_type0", sum(1 for u in self.faces.values() if u.cids))
        self.count("fonts_without_tounicode", sum(1 for u in self.faces.values() if u.latin))

    @staticmethod
    def _tag(face, codes: list[int]) -> str:
        digest = hashlib.sha256(face.name + bytes(str(codes), "ascii")).digest()
        return "".join(chr(65 + b % 26) for b in digest[:6])

    @staticmethod
    def _new_gids(face, subset: list[int]) -> list[int]:
        """The glyph ids reportlab's subsetter gives ``subset``'s codes (its own first-use numbering)."""
        seen = {0: 0}
        out = []
        for code in subset:
            old = face.charToGlyph.get(code, 0)
            if old not in seen:
                seen[old] = len(seen)
            out.append(seen[old])
        return out

    def _descriptor(self, doc, face, name: str, subset: list[int], symbolic: bool):
        program = pdfdoc.PDFStream()
        program.content = face.makeSubset(subset)
        program.dictionary["Length1"] = len(program.content)
        program.filters = [pdfdoc.PDFZCompress]
        flags = (face.flags & ~(4 | 32)) | (4 if symbolic else 32)
        descriptor = pdfdoc.PDFDictionary(
            {
                "Type": "/FontDescriptor",
                "Ascent": face.ascent,
                "CapHeight": face.capHeight,
                "Descent": face.descent,
                "Flags": flags,
                "FontBBox": pdfdoc.PDFArray(face.bbox),
                "FontName": pdfdoc.PDFName(name),
                "ItalicAngle": face.italicAngle,
                "StemV": face.stemV,
                "FontFile2": doc.Reference(program, f"juesuanFontFile:{name}"),
            }
        )
        return doc.Reference(descriptor, f"juesuanFontDescriptor:{name}")

    def _type0(self, doc, face, use: _FaceUse):
        chars = sorted(use.cids, key=use.cids.get)
        subset = [0] + [ord(c) for c in chars]  # CID n is subset[n]; CID 0 .notdef
        name = f"{self._tag(face, subset)}+{face.name.decode('latin-1')}"
        gid_map = pdfdoc.PDFStream()
        gid_map.content = b"".join(g.to_bytes(2, "big") for g in self._new_gids(face, subset))
        gid_map.filters = [pdfdoc.PDFZCompress]
        widths = [round(face.getCharWidth(c), 3) for c in subset]
        cid_font = pdfdoc.PDFDictionary(
            {
                "Type": "/Font",
                "Subtype": "/CIDFontType2",
                "BaseFont": pdfdoc.PDFName(name),
                "CIDSystemInfo": pdfdoc.PDFDictionary(
                    {
                        "Registry": pdfdoc.PDFString("Adobe"),
                        "Ordering": pdfdoc.PDFString("Identity"),
                        "Supplement": 0,
                    }
                ),
                "FontDescriptor": self._descriptor(doc, face, name, subset, symbolic=True),
                "DW": 1000,
                "W": pdfdoc.PDFArray([0, pdfdoc.PDFArray(widths)]),
                "CIDToGIDMap": doc.Reference(gid_map, f"juesuanCIDToGID:{name}"),
            }
        )
        to_unicode = pdfdoc.PDFStream()
        to_unicode.content = cid_to_unicode_cmap(name, [(use.cids[c], ord(c)) for c in chars])
        to_unicode.filters = [pdfdoc.PDFZCompress]
        font = pdfdoc.PDFDictionary(
            {
                "Type": "/Font",
                "Subtype": "/Type0",
                "BaseFont": pdfdoc.PDFName(name),
                "Encoding": "/Identity-H",
                "DescendantFonts": pdfdoc.PDFArray([doc.Reference(cid_font, f"juesuanCIDFont:{name}")]),
                "ToUnicode": doc.Reference(to_unicode, f"juesuanToUnicode:{name}"),
            }
        )
        return doc.Reference(font, f"juesuanFont:{use.type0[1:]}")

    def _winansi(self, doc, face, use: _FaceUse):
        # codes 32..126 are their ASCII characters, the rest .notdef: the subset's (1,0) cmap maps a code
        # to its glyph
        subset = [c if 32 <= c < 127 else 0 for c in range(256)]
        name = f"{self._tag(face, sorted(use.latin))}+{face.name.decode('latin-1')}"
        font = pdfdoc.PDFDictionary(
            {
                "Type": "/Font",
                "Subtype": "/TrueType",
                "BaseFont": pdfdoc.PDFName(name),
                "FirstChar": 32,
                "LastChar": 126,
                "Widths": pdfdoc.PDFArray([round(face.getCharWidth(c), 3) for c in range(32, 127)]),
                "Encoding": "/WinAnsiEncoding",
                "FontDescriptor": self._descriptor(doc, face, name, subset, symbolic=False),
            }
        )
        return doc.Reference(font, f"juesuanFont:{use.simple[1:]}")


def cid_to_unicode_cmap(name: str, pairs: list[tuple[int, int]]) -> str:
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        f"/CMapName /{name.replace('+', '-')}-UCS def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<0000> <FFFF>",
        "endcodespacerange",
    ]
    for start in range(0, len(pairs), 100):
        chunk = pairs[start : start + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines += [f"<{cid:04X}> <{code:04X}>" for cid, code in chunk]
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines)


PROFILES: dict[str, type[Producer]] = {
    "plain": Producer,
    "wps": Wps,
    "charspacing": CharSpacing,
    "rotate90": Rotate90,
    "cropbox": CropBox,
    "image_page": ImagePage,
    "subset_fonts": SubsetFonts,
}


def producer_for(style: Style, canvas: Canvas, rng: random.Random) -> Producer:
    return PROFILES[style.producer](canvas, rng)
