"""Draw a document with reportlab, recording the page and box of every fact and figure as it is drawn.

Coordinates recorded for the truth follow pdfplumber: origin at the top-left of the page, ``top`` and
``bottom`` measured downwards, in PDF points. A ``/Rotate 90`` page is measured as shown (landscape); a
page whose MediaBox or CropBox is off the origin as pdfplumber measures it (x in user space, ``top`` from
the MediaBox height, the CropBox ignored): see juesuan.synth.producers.
"""

from __future__ import annotations

import io
import random
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import ClassVar

from reportlab.lib.pagesizes import landscape as to_landscape
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from juesuan.synth.model import Paragraph, Row, TableBlock
from juesuan.synth.producers import ImagePage, producer_for, scanned_page
from juesuan.synth.style import A4, FONTS, Style

MARGIN = 40.0
BOTTOM = 56.0
BODY_SIZE = 9.0
LEADING = 1.3


def register_fonts() -> None:
    """Register the CJK TrueType fonts once; a missing font file is an installation problem, said so."""
    for name, (path, index) in FONTS.items():
        if name in pdfmetrics.getRegisteredFontNames():
            continue
        try:
            pdfmetrics.registerFont(TTFont(name, path, subfontIndex=index))
        except OSError as exc:  # pragma: no cover - depends on the machine
            raise RuntimeError(
                f"font {path} not found: run `make fonts` (Debian packages fonts-wqy-zenhei, "
                "fonts-wqy-microhei, fonts-arphic-uming)"
            ) from exc


TOKEN = re.compile(r"[0-9A-Za-z.,%\-]+|.", re.S)


def wrap(text: str, font: str, size: float, width: float, first_width: float | None = None) -> list[str]:
    """Break text into lines no wider than ``width``. CJK text may break between any two characters, but a
    number (digits, separators, %) is never split, as word processors keep it whole."""
    if not text:
        return [""]
    lines, line = [], ""
    for token in TOKEN.findall(text):
        if token == "\n":
            lines.append(line)
            line = ""
            continue
        limit = first_width if first_width is not None and not lines else width
        if line and pdfmetrics.stringWidth(line + token, font, size) > limit:
            lines.append(line)
            line = token
        else:
            line += token
    lines.append(line)
    return lines


@dataclass
class Renderer:
    style: Style
    title: str
    buffer: io.BytesIO = field(default_factory=io.BytesIO)
    rng: random.Random | None = None  # the producer profile's draws (offsets, the image page)

    def __post_init__(self) -> None:
        register_fonts()
        self.font = self.style.font
        self.digit_font = self.font if self.style.digit_font == "same" else self.style.digit_font
        self.canvas = Canvas(self.buffer, pagesize=A4, invariant=1, pageCompression=1)
        self.canvas.setTitle(self.title)
        self.canvas.setAuthor("juesuan.synth")
        self.canvas.setCreator("juesuan.synth")
        self.page = 0
        self.size = A4
        self.y = 0.0
        self.features: Counter[str] = Counter()  # which variations this document exercises, for the truth
        self.producer = producer_for(self.style, self.canvas, self.rng or random.Random(self.title))
        self.image_pages: list[int] = []

    # -- pages -----------------------------------------------------------------------------------------
    def new_page(self, landscape: bool = False) -> None:
        if self.page:
            self.close_page()
        self.page += 1
        self.size = to_landscape(A4) if landscape else A4
        self.canvas.setPageSize(self.size)
        self.y = self.size[1] - MARGIN
        self.producer.begin_page(self.page, self.size, landscape)

    def close_page(self) -> None:
        self.footer()
        self.producer.end_page()
        self.canvas.showPage()
        self.producer.after_page()

    def footer(self) -> None:
        if self.page <= 1 or self.style.page_numbers == "none" or self.page in self.image_pages:
            return
        text = f"- {self.page} -" if self.style.page_numbers == "dash" else str(self.page)
        self.text(self.size[0] / 2, 28, text, 9, "center", self.digit_font)

    def finish(self) -> bytes:
        self.close_page()
        self.canvas.save()
        self.features.update(self.producer.features)
        return self.buffer.getvalue()

    def image_slot(self) -> None:
        """A place where a scanned page may stand (never among the tables): the ``image_page`` profile puts
        one image-only page at one of these."""
        if isinstance(self.producer, ImagePage) and self.producer.wants_image():
            self.new_page()
            self.image_pages.append(self.page)
            jpeg = scanned_page(self.producer.rng)
            margin = 18.0
            self.canvas.drawImage(
                ImageReader(io.BytesIO(jpeg)),
                margin,
                margin,
                self.width - 2 * margin,
                self.height - 2 * margin,
            )
            self.features["image_pages"] += 1

    @property
    def width(self) -> float:
        return self.size[0]

    @property
    def height(self) -> float:
        return self.size[1]

    def text(
        self,
        x: float,
        y: float,
        text: str,
        size: float,
        align: str = "left",
        font: str | None = None,
        spread: float = 0.0,
    ) -> None:
        """One run of text; ``spread`` is extra space after every glyph but the last (justified or
        distributed text, drawn by character spacing), honoured by producers that write text themselves."""
        font = font or self.font
        if not self.producer.raw_text:
            c = self.canvas
            c.setFont(font, size)
            if align == "center":
                c.drawCentredString(x, y, text)
            elif align == "right":
                c.drawRightString(x, y, text)
            else:
                c.drawString(x, y, text)
            return
        width = pdfmetrics.stringWidth(text, font, size) + spread * max(0, len(text) - 1)
        if align == "center":
            x -= width / 2.0
        elif align == "right":
            x -= width
        self.producer.draw(x, y, text, font, size, spread, self.height)

    def spread(self, text: str, font: str, size: float, width: float, limit: float) -> float:
        """The character spacing that makes ``text`` fill ``width`` (0 when it needs more than ``limit``, or
        when the producer does not space characters)."""
        if self.style.producer != "charspacing" or len(text) < 2:
            return 0.0
        gap = (width - pdfmetrics.stringWidth(text, font, size)) / (len(text) - 1)
        return gap if 0 < gap <= limit else 0.0

    # -- cover and contents ------------------------------------------------------------------------------
    def cover(self, department: str, year: int, date_line: str, kind_line: str | None = None) -> None:
        """The cover: the body, what the document is (``kind_line``, default ``YYYY年度部门决算``), a date."""
        self.new_page()
        self.text(self.width / 2, self.height * 0.62, department, 22, "center")
        self.text(self.width / 2, self.height * 0.55, kind_line or f"{year}年度部门决算", 26, "center")
        self.text(self.width / 2, self.height * 0.25, date_line, 14, "center")

    def contents(self, entries: Iterable[tuple[str, int]]) -> None:
        self.new_page()
        self.text(self.width / 2, self.y - 20, "目    录", 18, "center")
        self.y -= 60
        for text, level in entries:
            if self.y < BOTTOM + 20:
                self.new_page()
            self.text(MARGIN + 30 + 24 * level, self.y, text, 12 if level == 0 else 11)
            self.y -= 22

    def contents_with_pages(self, entries: list[tuple[str, int, int]]) -> list[int]:
        """A 目录 as 国家信访局 prints it (p. 2): each entry, a dot leader and its page number at the right
        margin. Returns the pages it took."""
        self.new_page()
        pages = [self.page]
        self.text(self.width / 2, self.y - 20, "目    录", 18, "center")
        self.y -= 56
        right = self.width - MARGIN - 30
        dot = pdfmetrics.stringWidth(".", self.font, 12)
        for text, level, page in entries:
            if self.y < BOTTOM + 20:
                self.new_page()
                pages.append(self.page)
                self.y -= 10
            size = 12.0 if level == 0 else 11.5
            x = MARGIN + 30 + 12 * level
            number = str(page)
            self.text(x, self.y, text, size)
            start = x + pdfmetrics.stringWidth(text, self.font, size) + 3
            end = right - pdfmetrics.stringWidth(number, self.digit_font, size) - 3
            dots = max(3, int((end - start) / dot))
            self.text(start, self.y, "." * dots, 12)
            self.text(right, self.y, number, size, "right", self.digit_font)
            self.y -= 20
        return pages

    # -- narrative ----------------------------------------------------------------------------------------
    SIZES: ClassVar[dict[str, float]] = {
        "part": 16.0,
        "section": 13.0,
        "subsection": 12.0,
        "body": 12.0,
        "caption": 10.5,
        "line": 12.0,
    }

    def narrative(self, paragraphs: list[Paragraph], start_page: bool = True) -> None:
        if start_page:
            self.new_page()
        for p in paragraphs:
            self.paragraph(p)

    def paragraph(self, p: Paragraph) -> None:
        size = self.SIZES[p.kind]
        lead = size * 1.75
        left = MARGIN + 32
        width = self.width - 2 * left
        if p.kind == "part":
            self.y -= 10
        indent_first = 2 * size if p.kind == "body" else 0.0
        lines = [p.text] if p.kind == "line" else wrap(p.text, self.font, size, width, width - indent_first)
        position = 0
        pages_by_offset: list[tuple[int, int]] = []
        for i, line in enumerate(lines):
            if self.y - lead < BOTTOM:
                self.new_page()
            self.y -= lead
            if p.kind == "part":
                self.text(self.width / 2, self.y, line, size, "center")
            else:
                indent = indent_first if i == 0 else 0.0
                # every line of a paragraph but its last is justified (by producers that space characters)
                last = i == len(lines) - 1 or p.kind == "line"
                spread = 0.0 if last else self.spread(line, self.font, size, width - indent, size / 4)
                self.text(left + indent, self.y, line, size, spread=spread)
            pages_by_offset.append((position, self.page))
            position += len(line)
        for fig in p.figures:
            page = pages_by_offset[0][1]
            for start, pg in pages_by_offset:
                if fig.offset >= start:
                    page = pg
            fig.page = page
        if p.chart:
            self.chart(p.chart)

    def chart(self, bars: list[tuple[str, str]]) -> None:
        """A bar chart whose data labels land in the text layer, as Sichuan's embedded charts do."""
        self.features["charts"] += 1
        height = 130.0
        if self.y - height - 40 < BOTTOM:
            self.new_page()
        base = self.y - height - 20
        values = [float(v.replace(",", "") or 0) for _, v in bars]
        top = max(values) or 1.0
        slot = (self.width - 2 * MARGIN - 80) / max(1, len(bars))
        c = self.canvas
        for i, ((label, value), v) in enumerate(zip(bars, values, strict=True)):
            x = MARGIN + 60 + i * slot
            h = max(2.0, (height - 30) * v / top)
            c.setFillGray(0.55)
            c.rect(x, base, slot * 0.5, h, stroke=0, fill=1)
            c.setFillGray(0)
            self.text(x + slot * 0.25, base + h + 4, value, 8, "center", self.digit_font)
            self.text(x + slot * 0.25, base - 12, label[:8], 7.5, "center")
        self.y = base - 26

    # -- tables --------------------------------------------------------------------------------------------
    def table(self, block: TableBlock, continuation: str) -> None:
        self.new_page(block.landscape)
        block.pages = [self.page]
        self.table_title(block, first=True)
        total_width = sum(c.width for c in block.columns)
        x0 = (self.width - total_width) / 2
        xs = [x0]
        for c in block.columns:
            xs.append(xs[-1] + c.width)
        self.header(block, xs)
        repeats: list[Row] = []
        for row in block.rows:
            h = self.row_height(block, row)
            if self.y - h < BOTTOM:
                self.new_page(block.landscape)
                block.pages.append(self.page)
                if continuation == "marker":
                    self.text(xs[0], self.y - 12, "续表", 11)
                    if block.label:
                        self.text(xs[-1], self.y - 12, block.label, 10.5, "right")
                    self.y -= 24
                else:
                    self.table_title(block, first=False)
                self.header(block, xs)
                if continuation == "title_total":
                    for r in repeats:
                        self.row(block, r, xs, record=False)
            self.row(block, row, xs, record=True)
            if row.repeat:
                repeats.append(row)
        self.features["tables_continued"] += len(set(block.pages)) > 1
        self.features["tables_landscape"] += block.landscape
        self.features["tables_empty_with_note"] += block.empty
        for note in block.notes:
            lines = wrap(note, self.font, 9.5, total_width)
            # an empty table with a blank 合计 line whose 说明 says 无数据 on a wrapped line: the parser must
            # join a note's lines to know the table is empty
            blank_cells = block.empty and any(c.fact for r in block.rows for c in r.cells)
            self.features["empty_notes_wrapped"] += (
                blank_cells and "无数据" in note and "无数据" not in lines[0]
            )
            for line in lines:
                if self.y - 16 < BOTTOM:
                    self.new_page(block.landscape)
                    block.pages.append(self.page)
                self.y -= 16
                self.text(xs[0], self.y, line, 9.5)

    def table_title(self, block: TableBlock, first: bool) -> None:
        below = self.style.label_position == "below"
        if block.label and not below:
            if self.style.table_label == "表N":
                self.text(MARGIN, self.y - 12, block.label, 11)
            else:
                self.text(self.width - MARGIN, self.y - 12, block.label, 10.5, "right")
            self.y -= 18
        self.y -= 22
        self.text(self.width / 2, self.y, block.title, 15, "center")
        if block.label and below:  # 国家信访局: 公开01表 at the right under the title
            self.y -= 18
            self.text(self.width - MARGIN, self.y, block.label, 10.5, "right")
        self.y -= 22
        if block.unit_left:
            self.text(MARGIN, self.y, block.unit_left, 10)
        self.text(self.width - MARGIN, self.y, block.unit_right, 10, "right")
        self.y -= 10

    def header_row_heights(self, block: TableBlock) -> list[float]:
        heights = [18.0] * block.header_rows
        for h in block.header:
            width = sum(c.width for c in block.columns[h.col : h.col + h.colspan]) - 4
            lines = len(wrap(h.text, self.font, BODY_SIZE, width))
            need = lines * BODY_SIZE * LEADING + 6
            per_row = need / h.rowspan
            for r in range(h.row, h.row + h.rowspan):
                heights[r] = max(heights[r], per_row)
        return heights

    def header(self, block: TableBlock, xs: list[float]) -> None:
        heights = self.header_row_heights(block)
        tops = [self.y]
        for h in heights:
            tops.append(tops[-1] - h)
        for h in block.header:
            top, bottom = tops[h.row], tops[h.row + h.rowspan]
            self.cell_frame(xs[h.col], top, xs[h.col + h.colspan], bottom)
            width = xs[h.col + h.colspan] - xs[h.col] - 4
            lines = wrap(h.text, self.font, BODY_SIZE, width)
            spread = self.distributed(lines, xs[h.col], xs[h.col + h.colspan])
            self.cell_text(lines, xs[h.col], xs[h.col + h.colspan], top, bottom, "center", self.font, spread)
        self.y = tops[-1]
        if block.lanci:
            top, bottom = self.y, self.y - 16
            for i, text in enumerate(block.lanci):
                self.cell_frame(xs[i], top, xs[i + 1], bottom)
                if text:
                    self.cell_text([text], xs[i], xs[i + 1], top, bottom, "center", self.font)
            self.y = bottom

    def row_height(self, block: TableBlock, row: Row) -> float:
        lines = 1
        for col, cell in zip(block.columns, row.cells, strict=True):
            if col.kind == "name":
                lines = max(lines, len(wrap(cell.text, self.font, BODY_SIZE, col.width - 6 - cell.indent)))
        return max(16.0, lines * BODY_SIZE * LEADING + 5)

    def row(self, block: TableBlock, row: Row, xs: list[float], record: bool) -> None:
        h = self.row_height(block, row)
        top, bottom = self.y, self.y - h
        for i, (col, cell) in enumerate(zip(block.columns, row.cells, strict=True)):
            self.cell_frame(xs[i], top, xs[i + 1], bottom)
            font = self.digit_font if col.kind in ("value", "code", "lineno") else self.font
            if col.kind == "name":
                lines = wrap(cell.text, self.font, BODY_SIZE, col.width - 6 - cell.indent)
                self.features["names_wrapped"] += record and len(lines) > 1
            else:
                lines = [cell.text]
            if cell.text:
                centred = col.kind == "name" and cell.align == "center"
                spread = self.distributed(lines, xs[i], xs[i + 1]) if centred else 0.0
                self.cell_text(lines, xs[i] + cell.indent, xs[i + 1], top, bottom, cell.align, font, spread)
            if record and cell.fact is not None:
                f = cell.fact
                f.page = self.page
                dx, dtop = self.producer.offset
                f.x0, f.x1 = xs[i] + dx, xs[i + 1] + dx
                f.top, f.bottom = self.height - top + dtop, self.height - bottom + dtop
        self.y = bottom

    def cell_frame(self, x0: float, top: float, x1: float, bottom: float) -> None:
        c = self.canvas
        c.setLineWidth(0.6)
        if self.style.ruling == "rects":
            c.rect(x0, bottom, x1 - x0, top - bottom, stroke=1, fill=0)
        else:
            c.line(x0, top, x1, top)
            c.line(x0, bottom, x1, bottom)
            c.line(x0, top, x0, bottom)
            c.line(x1, top, x1, bottom)

    def distributed(self, lines: list[str], x0: float, x1: float) -> float:
        """分散对齐: a short word alone in its cell spread over the cell's width, as Word prints 合计 and
        项目 (only by producers that space characters; never digits)."""
        if len(lines) != 1 or not 2 <= len(lines[0]) <= 4 or any(ch.isascii() for ch in lines[0]):
            return 0.0
        return self.spread(lines[0], self.font, BODY_SIZE, x1 - x0 - 16, 2 * BODY_SIZE)

    def cell_text(
        self,
        lines: list[str],
        x0: float,
        x1: float,
        top: float,
        bottom: float,
        align: str,
        font: str,
        spread: float = 0.0,
    ) -> None:
        step = BODY_SIZE * LEADING
        block_h = len(lines) * step
        y = top - (top - bottom - block_h) / 2 - BODY_SIZE
        for line in lines:
            if align == "right":
                self.text(x1 - 4, y, line, BODY_SIZE, "right", font, spread)
            elif align == "center":
                self.text((x0 + x1) / 2, y, line, BODY_SIZE, "center", font, spread)
            else:
                self.text(x0 + 3, y, line, BODY_SIZE, "left", font, spread)
            y -= step
