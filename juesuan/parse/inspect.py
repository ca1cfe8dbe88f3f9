"""``juesuan inspect``: a page as a picture with what the parser found drawn on it, to chase a wrong number.

pdfplumber's table finder debug view (ruling lines, cells) underneath; every fact's cell boxed in blue with
its measure written in it; narrative figures on the page in green, by their sentence's first line.
"""

from __future__ import annotations

from pathlib import Path

import pdfplumber
from PIL import ImageDraw, ImageFont

from juesuan.parse.document import ParsedDocument, parse_document

LABEL_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)


def _font(size: int):
    for path in LABEL_FONTS:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default()


def inspect_page(
    pdf_path: Path, page: int, out: Path, doc: ParsedDocument | None = None, resolution: int = 110
) -> Path:
    doc = doc or parse_document(pdf_path)
    facts = [f for f in doc.facts() if f.page == page]
    with pdfplumber.open(pdf_path) as pdf:
        if not 1 <= page <= len(pdf.pages):
            raise ValueError(f"{pdf_path}: page {page} out of 1..{len(pdf.pages)}")
        pg = pdf.pages[page - 1]
        image = pg.to_image(resolution=resolution)
        image.debug_tablefinder()
        image.draw_rects(
            [(f.x0, f.top, f.x1, f.bottom) for f in facts], stroke=(0, 70, 255), fill=(0, 70, 255, 25)
        )
        picture = image.annotated.convert("RGB")
    scale = resolution / 72
    draw = ImageDraw.Draw(picture)
    font = _font(max(9, int(6 * scale)))
    for f in facts:
        draw.text((f.x0 * scale + 2, f.top * scale + 1), f.measure or "?", fill=(200, 0, 0), font=font)
    on_page = [t.table_code for t in doc.tables if page in t.pages]
    legend = f"{doc.source} p.{page}: {len(facts)} facts; tables {on_page}"
    draw.text((6, 4), legend, fill=(0, 120, 0), font=_font(max(11, int(7 * scale))))
    out.parent.mkdir(parents=True, exist_ok=True)
    picture.save(out)
    return out
