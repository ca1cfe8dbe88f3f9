"""Producer profiles (juesuan.synth.producers, DOMAIN.md §5.4): one document under each.

For every profile: (a) the habit is really in the file (operators, page boxes, fonts, an image page) while
what a viewer shows is what the plain twin (the same plan and style written by reportlab as it is) shows;
(b) it bites a naive reader (a reader that takes glyph height from the font size, ignores character
spacing, /Rotate or the CropBox, numbers pages by their text, or reads string bytes as text); (c) the
project's parser, with either engine, reads the document's truth exactly.
"""

from __future__ import annotations

import ctypes
import io
import re
from collections import Counter
from dataclasses import replace
from functools import cache

import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as raw
import pytest
from helpers.parsecheck import compare_with_truth
from helpers.truthcheck import check_against_pdf, squash, text_in_box
from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import resolve1
from PIL import ImageChops

from juesuan.parse import parse_document
from juesuan.synth.corpus import Generated, document_style, generate_document, plan_corpus
from juesuan.synth.producers import PRODUCERS, draw_producer

# a Shanghai-style (MoF 9) document, 20 pages, landscape tables, Helvetica digits: small and varied
PLAN = plan_corpus(4, 3)[3]
PROFILES = [p for p in PRODUCERS if p != "plain"]


@cache
def generated(producer: str) -> Generated:
    return generate_document(PLAN, document_style(PLAN, producer))


@cache
def twin(producer: str) -> Generated:
    """The same plan and style (the profile's fitted style) written by plain reportlab."""
    return generate_document(PLAN, replace(document_style(PLAN, producer), producer="plain"))


def write(tmp_path, g: Generated):
    path = tmp_path / f"{g.name}.pdf"
    path.write_bytes(g.pdf)
    return path


def table_pages(truth: dict) -> list[int]:
    return sorted({f["page"] for f in truth["facts"]})


def pdfium_chars(pdf_bytes: bytes, number: int) -> tuple[float, list[dict]]:
    """The page height and its characters as PDFium reports them, raw: origin, box and matrix in PDF user
    space, the font size as set by Tf."""
    pdf = pdfium.PdfDocument(pdf_bytes)
    try:
        page = pdf[number - 1]
        textpage = page.get_textpage()
        tp = textpage.raw
        out = []
        m = raw.FS_MATRIX()
        ox, oy = ctypes.c_double(), ctypes.c_double()
        for i in range(raw.FPDFText_CountChars(tp)):
            if raw.FPDFText_IsGenerated(tp, i):
                continue
            raw.FPDFText_GetMatrix(tp, i, m)
            raw.FPDFText_GetCharOrigin(tp, i, ox, oy)
            out.append(
                {
                    "text": chr(raw.FPDFText_GetUnicode(tp, i)),
                    "box": textpage.get_charbox(i),
                    "origin": (ox.value, oy.value),
                    "font_size": raw.FPDFText_GetFontSize(tp, i),
                    "matrix": (m.a, m.b, m.c, m.d, m.e, m.f),
                    "mapped": raw.FPDFText_HasUnicodeMapError(tp, i) == 0,
                }
            )
        textpage.close()
        return page.get_mediabox()[3], out
    finally:
        pdf.close()


def pages_of(pdf_bytes: bytes) -> list:
    return list(PDFPage.create_pages(PDFDocument(PDFParser(io.BytesIO(pdf_bytes)))))


def content(page) -> str:
    return b"".join(resolve1(c).get_data() for c in page.contents).decode("latin-1")


def fonts_of(pdf_bytes: bytes) -> dict[str, dict]:
    out = {}
    for page in pages_of(pdf_bytes):
        for name, ref in resolve1(resolve1(page.resources)["Font"]).items():
            out[name] = resolve1(ref)
    return out


def visible(page, objects: list[dict]) -> list[dict]:
    """pdfplumber's objects measured from the top-left corner of the page as shown (its CropBox).
    pdfplumber keeps PDF user-space x and measures top from the MediaBox height (its #1181), so the page's
    visible corner is at ``page.cropbox[:2]``; the truth keeps pdfplumber's convention."""
    dx, dy = page.cropbox[0], page.cropbox[1]
    if not dx and not dy:
        return objects
    return [
        dict(o, x0=o["x0"] - dx, x1=o["x1"] - dx, top=o["top"] - dy, bottom=o["bottom"] - dy) for o in objects
    ]


def plumber_chars(pdf_bytes: bytes) -> list[list[tuple]]:
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
        return [
            [(c["text"], c["x0"], c["top"], c["x1"], c["bottom"]) for c in visible(p, p.chars)]
            for p in pdf.pages
        ]


def same_glyphs(a: bytes, b: bytes, tolerance: float = 0.01) -> float:
    """The largest distance between a glyph in ``a`` and the same glyph in ``b`` (pages in order, glyphs
    in drawing order); fails if the texts differ."""
    worst = 0.0
    pages_a, pages_b = plumber_chars(a), plumber_chars(b)
    assert len(pages_a) == len(pages_b)
    for n, (ca, cb) in enumerate(zip(pages_a, pages_b, strict=True), start=1):
        assert [c[0] for c in ca] == [c[0] for c in cb], f"p{n}: text differs"
        for x, y in zip(ca, cb, strict=True):
            worst = max(worst, *(abs(u - v) for u, v in zip(x[1:], y[1:], strict=True)))
    assert worst <= tolerance
    return worst


def rendered(pdf_bytes: bytes, number: int):
    pdf = pdfium.PdfDocument(pdf_bytes)
    try:
        return pdf[number - 1].render(scale=1.5).to_pil().convert("L")
    finally:
        pdf.close()


def looks_the_same(a: bytes, b: bytes, number: int) -> bool:
    """Page ``number`` of both renders alike: no pixel darker or lighter by half the grey scale (a glyph one
    pixel off would be), under 0.5 % of pixels off by an eighth (a glyph rasterised at another nominal
    size is anti-aliased a little differently)."""
    histogram = ImageChops.difference(rendered(a, number), rendered(b, number)).histogram()
    return not any(histogram[128:]) and sum(histogram[33:]) < 0.005 * sum(histogram)


# -- every profile ------------------------------------------------------------------------------------------


def test_the_200_document_corpus_draws_every_profile_often():
    drawn = Counter(draw_producer(p.rng("producer")) for p in plan_corpus(200, 0))
    assert set(drawn) == set(PRODUCERS)
    assert min(drawn.values()) >= 10, drawn


@pytest.mark.parametrize("producer", PROFILES)
def test_a_profile_is_recorded_in_the_truth_deterministic_and_true_to_pdfplumber(producer):
    g = generated(producer)
    assert g.truth["style"]["producer"] == producer
    assert generate_document(PLAN, document_style(PLAN, producer)).pdf == g.pdf
    assert g.pdf != twin(producer).pdf
    assert check_against_pdf(g.pdf, g.truth) == []


# (producer, engine) → why the parser does not read that profile yet (an xfail, strict); none at present
PARSER_GAPS: dict[tuple[str, str], str] = {}


def parser_cases():
    for producer in PROFILES:
        for engine in ("pdfium", "pdfplumber"):
            reason = PARSER_GAPS.get((producer, engine))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            yield pytest.param(producer, engine, marks=marks, id=f"{producer}-{engine}")


@pytest.mark.parametrize(("producer", "engine"), list(parser_cases()))
def test_the_parser_reads_the_truth_exactly(producer, engine, tmp_path):
    g = generated(producer)
    doc = parse_document(write(tmp_path, g), engine=engine)
    pages = g.truth["documents"][0]["page_count"]
    images = len(g.truth["image_pages"])
    assert doc.text_layers == ({"ok": pages - images, "empty": images} if images else {"ok": pages})
    problems = compare_with_truth(doc, g.truth)
    assert not problems, f"{len(problems)} problems, first {problems[:5]}"


# -- wps ----------------------------------------------------------------------------------------------------


def test_wps_writes_huge_font_sizes_scaled_down_by_the_text_matrix():
    g = generated("wps")
    narrative = min(f["page"] for f in g.truth["narrative_figures"])
    for n in [narrative, *table_pages(g.truth)[:3]]:
        chars = [c for c in pdfium_chars(g.pdf, n)[1] if not c["text"].isspace()]
        assert chars
        for c in chars:
            scale = abs(c["matrix"][3])
            assert scale <= 0.1 and c["font_size"] >= 150  # 9 pt cells at 180 Tf, 12 pt text at 240
            assert abs(c["font_size"] * scale - round(c["font_size"] * scale * 2) / 2) < 0.01  # 9, 12, 15 pt
        if n == narrative:
            assert max(c["font_size"] for c in chars) >= 200
    stream = content(pages_of(g.pdf)[table_pages(g.truth)[0] - 1])
    assert re.search(r"q 1 0 0 -1 0 [\d.]+ cm BT", stream)  # WPS's y-flipped CTM
    assert re.search(r"/F\S+ 180 Tf", stream) and " TD " in stream  # 9 pt at 20×, glyphs placed by TD


def test_wps_prints_every_glyph_where_plain_reportlab_prints_it():
    g, plain = generated("wps"), twin("wps")
    assert same_glyphs(g.pdf, plain.pdf) <= 0.01
    for n in (1, table_pages(g.truth)[0]):
        assert looks_the_same(g.pdf, plain.pdf, n)


def test_wps_bites_a_reader_that_takes_glyph_height_from_the_font_size():
    g = generated("wps")
    page = table_pages(g.truth)[0]
    height, chars = pdfium_chars(g.pdf, page)
    facts = [f for f in g.truth["facts"] if f["page"] == page and f["raw_text"]]
    assert facts
    for fact in facts:
        inside = [
            c
            for c in chars
            if fact["x0"] <= c["origin"][0] <= fact["x1"]
            and fact["top"] <= height - c["origin"][1] <= fact["bottom"]
        ]
        assert squash("".join(c["text"] for c in inside)) == squash(fact["raw_text"])
        for c in inside:
            true_top = height - (c["origin"][1] + c["font_size"] * abs(c["matrix"][3]))
            naive_top = height - (c["origin"][1] + c["font_size"])  # the font size without the matrix
            assert fact["top"] - 1 <= true_top <= fact["bottom"]
            assert true_top - naive_top > 100  # the naive line top is hundreds of points above the cell


# -- charspacing --------------------------------------------------------------------------------------------


def test_charspacing_writes_tj_arrays_with_kerning_under_character_spacing():
    g = generated("charspacing")
    stream = content(pages_of(g.pdf)[table_pages(g.truth)[0] - 1])
    texts = [t for t in re.findall(r"BT .*? ET", stream) if " Tm " in t]
    assert len(texts) > 20 and all(" TJ" in t and " Tj" not in t for t in texts)
    arrays = re.findall(r"\[(.*?)\] TJ", stream)
    kerned = [a for a in arrays if re.search(r"\)\s*-?[\d.]+\s*\(", a)]  # a number between two glyphs
    assert len(kerned) > len(arrays) / 2
    spacings = {float(v) for v in re.findall(r"(-?[\d.]+) Tc", stream)}
    assert spacings - {0.0}
    assert g.truth["features"]["runs_spaced"] > 10  # justified lines, distributed header words


def runs(chars: list[tuple]) -> list[list[int]]:
    """Indexes of glyphs printed as one string in the plain twin: each glyph starts where the last ends."""
    out: list[list[int]] = []
    for i, c in enumerate(chars):
        prev = chars[i - 1] if i else None
        if prev and abs(c[1] - prev[3]) < 0.02 and abs(c[2] - prev[2]) < 0.02:
            out[-1].append(i)
        else:
            out.append([i])
    return out


def width_only_error(chars: list[tuple], groups: list[list[int]]) -> float:
    """How far a reader that places each glyph of a string by the widths of the glyphs before it (ignoring
    Tc and TJ numbers) puts glyphs from where they are printed."""
    worst = 0.0
    for group in groups:
        start = chars[group[0]][1]
        for i in group:
            worst = max(worst, abs(chars[i][1] - start))
            start += chars[i][3] - chars[i][1]
    return worst


def test_charspacing_bites_a_reader_that_places_glyphs_by_their_widths():
    g, plain = generated("charspacing"), twin("charspacing")
    pages, plain_pages = plumber_chars(g.pdf), plumber_chars(plain.pdf)
    worst = plain_worst = 0.0
    for chars, plain_chars in zip(pages, plain_pages, strict=True):
        assert [c[0] for c in chars] == [c[0] for c in plain_chars]
        groups = runs(plain_chars)
        worst = max(worst, width_only_error(chars, groups))
        plain_worst = max(plain_worst, width_only_error(plain_chars, groups))
    assert plain_worst < 0.01
    assert worst > 5  # justified narrative lines and 分散对齐 header words


# -- rotate90 -----------------------------------------------------------------------------------------------


def test_rotate90_writes_landscape_pages_as_rotated_portrait_pages():
    g, plain = generated("rotate90"), twin("rotate90")
    rotated = [n for n, p in enumerate(pages_of(g.pdf), start=1) if p.rotate == 90]
    assert len(rotated) == g.truth["features"]["pages_rotated"] > 0
    assert set(rotated) <= {p for t in g.truth["tables"] for p in t["pages"]}
    assert set(rotated) & set(table_pages(g.truth))
    with pdfplumber.open(io.BytesIO(g.pdf)) as pdf:
        for n in rotated:
            x0, y0, x1, y1 = pdf.pages[n - 1].page_obj.mediabox
            assert x1 - x0 < y1 - y0  # a portrait MediaBox …
            assert pdf.pages[n - 1].width > pdf.pages[n - 1].height  # … shown landscape
    assert same_glyphs(g.pdf, plain.pdf) <= 0.01  # pdfplumber shows the turned page as printed


def test_rotate90_bites_a_reader_that_ignores_the_page_rotation():
    g = generated("rotate90")
    rotated = [n for n, p in enumerate(pages_of(g.pdf), start=1) if p.rotate == 90]
    n = next(p for p in rotated if p in table_pages(g.truth))
    height, chars = pdfium_chars(g.pdf, n)
    # the glyphs are drawn turned in the page's own space
    assert all(abs(c["matrix"][1]) == abs(c["matrix"][2]) == 1 for c in chars if not c["text"].isspace())
    # read as if the page were not turned: user-space x, top from the MediaBox height
    as_is = [
        {
            "text": c["text"],
            "x0": c["box"][0],
            "x1": c["box"][2],
            "top": height - c["box"][3],
            "bottom": height - c["box"][1],
        }
        for c in chars
    ]
    facts = [f for f in g.truth["facts"] if f["page"] == n and f["raw_text"]]
    found = sum(
        text_in_box(as_is, f["x0"], f["top"], f["x1"], f["bottom"]) == squash(f["raw_text"]) for f in facts
    )
    assert facts and found == 0


# -- cropbox ------------------------------------------------------------------------------------------------


def test_cropbox_pages_have_boxes_off_the_origin_and_show_what_plain_pages_show():
    g, plain = generated("cropbox"), twin("cropbox")
    pages = pages_of(g.pdf)
    shifted = [p for p in pages if p.mediabox[:2] != [0, 0] and p.cropbox == p.mediabox]
    cropped = [p for p in pages if p.cropbox != p.mediabox and p.cropbox[:2] != [0, 0]]
    assert shifted and cropped and len(shifted) + len(cropped) == len(pages)
    assert {tuple(p.mediabox[2:]) for p in cropped} <= {(612, 1008), (1008, 612)}
    assert same_glyphs(g.pdf, plain.pdf) <= 0.01  # measured from the visible page's top-left
    for n in (1, 2, table_pages(g.truth)[0]):
        assert looks_the_same(g.pdf, plain.pdf, n)
    # the truth keeps pdfplumber's convention: the plain boxes moved by the visible corner's position
    with pdfplumber.open(io.BytesIO(g.pdf)) as pdf:
        corners = [p.cropbox[:2] for p in pdf.pages]
    for f, p in zip(g.truth["facts"], plain.truth["facts"], strict=True):
        dx, dtop = corners[f["page"] - 1]
        assert abs(f["x0"] - p["x0"] - dx) < 0.02 and abs(f["top"] - p["top"] - dtop) < 0.02


def test_cropbox_bites_a_reader_that_measures_from_the_visible_corner():
    """PDF user space, not the page's corner: a reader that measures from where the page starts (as a viewer
    shows it, or as pdfminer's layout does from the MediaBox corner) misses the cells the truth names."""
    g = generated("cropbox")
    facts = [f for f in g.truth["facts"] if f["raw_text"]]
    found = found_from_corner = 0
    with pdfplumber.open(io.BytesIO(g.pdf)) as pdf:
        for f in facts:
            page = pdf.pages[f["page"] - 1]
            box = (f["x0"], f["top"], f["x1"], f["bottom"])
            found += text_in_box(page.chars, *box) == squash(f["raw_text"])
            found_from_corner += text_in_box(visible(page, page.chars), *box) == squash(f["raw_text"])
    assert found == len(facts)
    # from the corner most boxes hold another cell's text or none (a box one row and column off may hold
    # the same amount printed twice, 合计 beside 财政拨款)
    assert found_from_corner < len(facts) / 2


# -- image_page ---------------------------------------------------------------------------------------------


def test_image_page_is_an_image_without_text_outside_the_tables_and_later_pages_shift():
    g, plain = generated("image_page"), twin("image_page")
    (n,) = g.truth["image_pages"]
    assert n not in {p for t in g.truth["tables"] for p in t["pages"]}
    with pdfplumber.open(io.BytesIO(g.pdf)) as pdf:
        page = pdf.pages[n - 1]
        assert page.chars == [] and len(page.images) == 1
        assert page.images[0]["width"] > page.width * 0.8
    assert g.truth["documents"][0]["page_count"] == plain.truth["documents"][0]["page_count"] + 1
    shifted = [(f["page"], p["page"]) for f, p in zip(g.truth["facts"], plain.truth["facts"], strict=True)]
    assert all(a == b + (b >= n) for a, b in shifted)
    assert all(a > n for a, _ in shifted)


def test_image_page_bites_a_reader_that_numbers_pages_by_their_text():
    g = generated("image_page")
    with pdfplumber.open(io.BytesIO(g.pdf)) as pdf:
        with_text = [n for n, p in enumerate(pdf.pages, start=1) if p.chars]
    # a reader that counts text pages puts every later cell one page early
    naive = {n: k for k, n in enumerate(with_text, start=1)}
    assert all(naive[f["page"]] == f["page"] - 1 for f in g.truth["facts"])


# -- subset_fonts -------------------------------------------------------------------------------------------


def test_subset_fonts_embeds_type0_with_tounicode_and_winansi_without():
    g, plain = generated("subset_fonts"), twin("subset_fonts")
    fonts = fonts_of(g.pdf)
    type0 = [f for f in fonts.values() if f["Subtype"].name == "Type0"]
    simple = [f for f in fonts.values() if f["Subtype"].name == "TrueType" and "ToUnicode" not in f]
    assert type0 and simple
    for f in type0:
        assert resolve1(f["Encoding"]).name == "Identity-H" and "ToUnicode" in f
        cid_font = resolve1(resolve1(f["DescendantFonts"])[0])
        assert cid_font["Subtype"].name == "CIDFontType2"
        assert "FontFile2" in resolve1(cid_font["FontDescriptor"])
        assert re.fullmatch(r"[A-Z]{6}\+.+", f["BaseFont"].name)
    for f in simple:
        assert resolve1(f["Encoding"]).name == "WinAnsiEncoding"
        assert "FontFile2" in resolve1(f["FontDescriptor"])
        assert re.fullmatch(r"[A-Z]{6}\+.+", f["BaseFont"].name)
    assert same_glyphs(g.pdf, plain.pdf) <= 0.01
    for n in (1, table_pages(g.truth)[0]):
        assert looks_the_same(g.pdf, plain.pdf, n)


def test_subset_fonts_bites_a_reader_that_takes_string_bytes_for_text():
    g = generated("subset_fonts")
    n = table_pages(g.truth)[0]
    stream = content(pages_of(g.pdf)[n - 1])
    fonts = fonts_of(g.pdf)
    cid_strings = re.findall(r"/(TT\d+) [\d.]+ Tf <([0-9A-F]+)> Tj", stream)
    latin_strings = re.findall(r"/(TA\d+) [\d.]+ Tf <([0-9A-F]+)> Tj", stream)
    assert cid_strings and latin_strings
    with pdfplumber.open(io.BytesIO(g.pdf)) as pdf:
        text = squash(pdf.pages[n - 1].extract_text())
    assert re.search(r"[\u4e00-\u9fff]", text)
    # two-byte CIDs numbered by first use are not UTF-16: read as text they are no Chinese at all
    as_utf16 = "".join(bytes.fromhex(h).decode("utf-16-be") for _, h in cid_strings)
    assert not re.search(r"[\u4e00-\u9fff]", as_utf16)
    # the digits' font has no ToUnicode map: its standard encoding (WinAnsi) is what makes them text
    assert all("ToUnicode" not in fonts[name] for name, _ in latin_strings)
    digits = [bytes.fromhex(h).decode("cp1252") for _, h in latin_strings]
    assert all(squash(d) in text for d in digits)
    _, chars = pdfium_chars(g.pdf, n)
    assert all(c["mapped"] for c in chars)
