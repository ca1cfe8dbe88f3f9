"""What the parser cannot read is a failed check with its page, never a silent gap (issue #11 points 4, 5).

The inputs are real: 国家信访局 2024 from ../shared/corpus/real, altered with PDFium the way real files are
(a scanned page bound into a digital document; a table page missing from a re-exported file).
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from helpers.paths import SHARED, require_shared
from PIL import Image, ImageDraw

from juesuan.ingest import ingest
from juesuan.parse import parse_document
from juesuan.reconcile import reconcile_document

GUOJIA = SHARED / "real" / "guojia_xinfangju_2024_final.pdf"
CENTRAL_TABLES = 9


def _save(pdf: pdfium.PdfDocument) -> bytes:
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


def with_image_page(source: Path, after: int) -> bytes:
    """The PDF with an image-only page (a photographed, stamped form) inserted after page ``after``."""
    pdf = pdfium.PdfDocument(source)
    width, height = pdf[0].get_size()
    page = pdf.new_page(width, height, index=after)
    picture = Image.new("RGB", (400, 560), "white")
    draw = ImageDraw.Draw(picture)
    for y in range(40, 520, 24):
        draw.line((30, y, 370, y), fill=(90, 90, 90), width=2)
    draw.ellipse((250, 380, 360, 490), outline=(200, 0, 0), width=6)
    image = pdfium.PdfImage.new(pdf)
    image.set_bitmap(pdfium.PdfBitmap.from_pil(picture))
    image.set_matrix(pdfium.PdfMatrix().scale(width, height))
    page.insert_obj(image)
    page.gen_content()
    return _save(pdf)


def without_page(source: Path, number: int) -> bytes:
    pdf = pdfium.PdfDocument(source)
    pdf.del_page(number - 1)
    return _save(pdf)


@pytest.fixture(scope="module")
def original():
    return parse_document(require_shared(GUOJIA))


def test_the_real_central_document_lists_its_tables_and_every_listed_table_is_found(original):
    assert len(original.listed) == CENTRAL_TABLES
    assert set(original.listed) == {t.table_code for t in original.tables}
    checks = reconcile_document(original)
    t2 = checks[checks.check_id == "T2"]
    assert len(t2) == CENTRAL_TABLES and t2.passed.all()
    assert (checks[checks.check_id == "P1"]).empty


def test_a_missing_table_page_fails_the_table_of_contents_check(original):
    # page 9 holds 支出决算表 (公开03表) alone
    doc = parse_document(without_page(GUOJIA, 9), name="guojia-without-p9.pdf")
    assert "expenditure" not in {t.table_code for t in doc.tables}
    checks = reconcile_document(doc)
    failed = checks[~checks.passed & checks.check_id.isin(["T1", "T2"])]
    assert sorted(zip(failed.check_id, failed.subject, strict=True)) == [
        ("T1", "expenditure"),
        ("T2", "expenditure"),
    ]
    assert list(failed[failed.check_id == "T2"].pages.iloc[0]) == [2]  # the 目录 page that lists it


def test_an_image_page_inside_a_digital_document_is_recorded_and_everything_else_loads(original, tmp_path):
    path = tmp_path / "guojia-with-a-scanned-page.pdf"
    path.write_bytes(with_image_page(GUOJIA, after=3))  # the new page 4, inside 概况
    doc = parse_document(path)
    assert doc.page_layers[4] == "empty" and not doc.needs_ocr

    def shifted(f):
        return (
            f.table_code,
            f.row_code or f.row_label,
            f.column_label,
            f.amount_yuan,
            f.raw_text,
            f.page - 1,
        )

    assert sorted(map(shifted, doc.facts())) == sorted(
        (f.table_code, f.row_code or f.row_label, f.column_label, f.amount_yuan, f.raw_text, f.page)
        for f in original.facts()
    )
    checks = reconcile_document(doc)
    p1 = checks[checks.check_id == "P1"]
    assert list(p1.subject) == ["page/4"] and not p1.passed.any() and list(p1.pages.iloc[0]) == [4]

    outcome = ingest([path], tmp_path / "w.duckdb")[0]
    assert (outcome.status, outcome.facts) == ("loaded", len(original.facts()))


def test_a_document_of_scanned_pages_only_still_needs_ocr(tmp_path):
    pdf = pdfium.PdfDocument(with_image_page(require_shared(GUOJIA), after=0))
    for _ in range(len(pdf) - 2):
        pdf.del_page(2)  # keep the cover and the inserted scan
    path = tmp_path / "cover-and-scan.pdf"
    path.write_bytes(_save(pdf))
    outcome = ingest([path], tmp_path / "w.duckdb")[0]
    assert outcome.status == "quarantined" and outcome.reason.startswith("needs_ocr")


def test_grids_with_amounts_that_are_no_catalogue_table_are_reported_with_their_pages(original):
    # 国家信访局 binds its 项目支出绩效自评表 (pages 30-35) and an evaluation's score table (p. 48)
    checks = reconcile_document(original)
    u1 = checks[checks.check_id == "U1"]
    pages = sorted(p for ps in u1.pages for p in ps)
    assert {30, 32, 34, 35, 48} <= set(pages)
    assert (u1.severity == "warning").all() and not u1.passed.any()
    assert u1.description.str.contains("绩效自评表").sum() == 4


def with_second_set(source: Path, first: int, last: int) -> bytes:
    """The PDF with its table pages bound in again after the last page (a 本级 set after the 汇总 set)."""
    pdf = pdfium.PdfDocument(source)
    pdf.import_pages(pdfium.PdfDocument(source), pages=list(range(first - 1, last)))
    return _save(pdf)


def test_a_second_set_of_tables_is_a_second_scope_not_an_invalid_document(original, tmp_path):
    path = tmp_path / "guojia-two-sets.pdf"
    path.write_bytes(with_second_set(GUOJIA, 7, 15))
    doc = parse_document(path)
    scopes = {}
    for t in doc.tables:
        scopes.setdefault(t.scope, []).append(t.table_code)
    assert scopes == {
        "": [t.table_code for t in original.tables],
        "set2": [t.table_code for t in original.tables],
    }

    def cells(scope, shift):
        return sorted(
            (f.table_code, f.row_code or f.row_label, f.column_label, f.amount_yuan, f.page - shift)
            for f in doc.facts()
            if f.scope == scope
        )

    first = sorted(
        (f.table_code, f.row_code or f.row_label, f.column_label, f.amount_yuan, f.page)
        for f in original.facts()
    )
    assert cells("", 0) == first and cells("set2", 50 - 6) == first
    checks = reconcile_document(doc)
    second = checks[checks.subject.str.startswith("set2:")]
    assert len(second) > 100 and second[second.severity == "error"].passed.all()

    outcome = ingest([path], tmp_path / "w.duckdb")[0]
    assert (outcome.status, outcome.facts) == ("loaded", 2 * len(original.facts()))
    import duckdb

    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    by_scope = dict(con.execute("SELECT table_scope, count(*) FROM facts GROUP BY 1").fetchall())
    # the analyst views read the first set: no double counting
    total = con.execute("SELECT total_expenditure FROM summary").fetchall()
    con.close()
    assert by_scope == {"": len(original.facts()), "set2": len(original.facts())}
    assert total == [(Decimal("145725300.00"),)]


def with_text(source: Path, page_number: int, text: str, x: float, y: float) -> bytes:
    """The PDF with a line of text stamped on one page (drawn by reportlab in a Debian CJK font)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas

    pdf = pdfium.PdfDocument(source)
    width, height = pdf[page_number - 1].get_size()
    pdfmetrics.registerFont(TTFont("WQY", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", subfontIndex=0))
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height))
    canvas.setFont("WQY", 9)
    canvas.drawString(x, y, text)
    canvas.save()
    stamp = pdfium.PdfDocument(buffer.getvalue())
    drawn = stamp.page_as_xobject(0, pdf).as_pageobject()
    page = pdf[page_number - 1]
    page.insert_obj(drawn)
    page.gen_content()
    return _save(pdf)


def test_a_template_body_name_left_on_a_table_page_fails_d2(original):
    # a producer who kept the template's running header (上海市XX局…) on the page of 收入决算表 (page 8)
    data = with_text(GUOJIA, 8, "上海市XX局2024年度部门决算", 60, 575)
    doc = parse_document(data, name="guojia-with-a-placeholder.pdf")
    checks = reconcile_document(doc)
    d2 = checks[(checks.check_id == "D2") & ~checks.passed]
    assert len(d2) >= 1 and all(8 in list(p) for p in d2.pages)
    assert {t.table_code for t in doc.tables} == {t.table_code for t in original.tables}
    fine = reconcile_document(original)
    assert fine[fine.check_id == "D2"].passed.all()


def without_text_above(source: Path, page_number: int, top: float, bottom: float) -> bytes:
    """The PDF with the text objects between ``top`` and ``bottom`` (pt from the page top) removed from
    one page: a title lost (an image the producer pasted, or a title typed in a header the export dropped)."""
    pdf = pdfium.PdfDocument(source)
    page = pdf[page_number - 1]
    height = page.get_height()
    for obj in list(page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_TEXT], max_depth=1)):
        _, low, _, high = obj.get_bounds()
        if top <= height - high and height - low <= bottom:
            page.remove_obj(obj)
    page.gen_content()
    return _save(pdf)


def test_a_table_whose_title_is_lost_is_identified_by_its_header(original):
    # 收入决算表's title on page 8 (WPS writes one text object per glyph, 46-60 pt from the top)
    doc = parse_document(without_text_above(GUOJIA, 8, 40, 62), name="guojia-untitled-p8.pdf")
    assert [t.table_code for t in doc.tables] == [t.table_code for t in original.tables]
    income = sorted(
        (f.row_code or f.row_label, f.column_label, f.amount_yuan)
        for f in doc.facts()
        if f.table_code == "income"
    )
    assert income == sorted(
        (f.row_code or f.row_label, f.column_label, f.amount_yuan)
        for f in original.facts()
        if f.table_code == "income"
    )
    assert any(w.page == 8 and "identified by its header" in w.message for w in doc.warnings)
    checks = reconcile_document(doc)
    assert checks[checks.severity == "error"].passed.all()
