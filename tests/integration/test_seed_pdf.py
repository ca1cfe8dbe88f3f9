"""The seed disclosure as a PDF: its text verbatim and in order, its 13 tables agreeing with its narrative.

The expected figures below are read off the seed text by hand (../shared/corpus/seed), not produced by
the generator; the cells are read out of the committed PDF with pdfplumber.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pdfplumber
import pytest
from helpers.paths import SEED_PDF, require_shared
from helpers.truthcheck import check_against_pdf, check_identities, squash, text_in_box

from juesuan.synth.seed import build_seed

SENTENCE_END = re.compile(r"(?<=[。！？])")


@pytest.fixture(scope="module")
def seed_text() -> str:
    return require_shared().read_text("utf-8")


@pytest.fixture(scope="module")
def truth() -> dict:
    return json.loads(SEED_PDF.with_name(SEED_PDF.stem + ".truth.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def pages():
    with pdfplumber.open(SEED_PDF) as pdf:
        return [(p.height, p.chars) for p in pdf.pages]


def running_text(pages) -> str:
    """The document's text without the page-number footers we print (the seed's own page numbers,
    such as the lone 28, are body text and stay)."""
    return "".join(
        squash("".join(c["text"] for c in chars if c["bottom"] < height - 40)) for height, chars in pages
    )


def test_committed_seed_pdf_is_what_the_generator_builds_from_the_seed_text():
    generated = build_seed(require_shared())
    assert SEED_PDF.read_bytes() == generated.pdf, "stale seed PDF: run `make samples`"


def test_every_sentence_of_the_seed_text_appears_in_order(seed_text, pages):
    text = running_text(pages)
    sentences = [s for s in SENTENCE_END.split(squash(seed_text)) if s]
    assert len(sentences) > 250
    position = 0
    for sentence in sentences:
        found = text.find(sentence, position)
        assert found >= 0, f"not found (in order): {sentence[:60]}"
        position = found + len(sentence)


def test_no_page_has_cid_glyphs_or_no_text(pages):
    for height, chars in pages:
        assert chars
        assert "(cid:" not in "".join(c["text"] for c in chars)
        del height


def test_seed_has_all_13_sichuan_tables_with_their_codes(truth, pages):
    assert [t["table_code"] for t in truth["tables"]] == [
        "income_expenditure_summary",
        "income",
        "expenditure",
        "fiscal_summary",
        "fiscal_expenditure_detail",
        "gpb_expenditure",
        "gpb_expenditure_detail",
        "gpb_basic_expenditure",
        "gpb_project_expenditure",
        "gov_fund",
        "state_capital",
        "state_capital_expenditure",
        "three_public",
    ]
    for n, table in enumerate(truth["tables"], start=1):
        first = table["pages"][0]
        page_text = squash("".join(c["text"] for c in pages[first - 1][1]))
        assert f"公开{n:02d}表" in page_text
        assert squash(table["table_title"]) in page_text
        assert "金额单位：万元" in page_text
    for empty in ("gov_fund", "state_capital", "state_capital_expenditure"):
        table = next(t for t in truth["tables"] if t["table_code"] == empty)
        assert table["empty"] and "故本表无数据" in table["notes"][0]
        page_text = squash("".join(c["text"] for c in pages[table["pages"][0] - 1][1]))
        assert "故本表无数据" in page_text


def test_seed_truth_is_what_pdfplumber_finds_and_its_tables_add_up(truth):
    assert check_against_pdf(SEED_PDF.read_bytes(), truth) == []
    assert check_identities(truth) == []


# (figure as the narrative states it, table, row code or label, measure): every figure of 第二部分 that a
# table cell holds, read by hand from the seed text.
NARRATIVE_FIGURES = [
    ("220.07", "income_expenditure_summary", "总计", "income_amount"),  # 一、收、支总计
    ("220.07", "income_expenditure_summary", "总计", "expenditure_amount"),
    ("219.98", "income_expenditure_summary", "本年收入合计", "income_amount"),  # 二、
    ("219.98", "income_expenditure_summary", "一般公共预算财政拨款收入", "income_amount"),
    ("219.98", "income", "合计", "total_income"),
    ("219.98", "expenditure", "合计", "total_expenditure"),  # 三、
    ("173.11", "expenditure", "合计", "basic_expenditure"),
    ("46.88", "expenditure", "合计", "project_expenditure"),
    ("220.07", "fiscal_summary", "总计", "income_amount"),  # 四、
    ("220.07", "fiscal_summary", "总计", "fiscal_total"),
    ("219.98", "gpb_expenditure", "合计", "total_expenditure"),  # 五（一）
    ("168.89", "gpb_expenditure", "201", "total_expenditure"),  # 五（二）
    ("24.42", "gpb_expenditure", "208", "total_expenditure"),
    ("13.55", "gpb_expenditure", "210", "total_expenditure"),
    ("13.12", "gpb_expenditure", "221", "total_expenditure"),
    ("107.85", "gpb_expenditure", "2013701", "total_expenditure"),  # 五（三）
    ("45.01", "gpb_expenditure", "2013704", "total_expenditure"),
    ("14.17", "gpb_expenditure", "2013750", "total_expenditure"),
    ("1.87", "gpb_expenditure", "2013799", "total_expenditure"),
    ("17.26", "gpb_expenditure", "2080505", "total_expenditure"),
    ("7.16", "gpb_expenditure", "2080506", "total_expenditure"),
    ("1.09", "gpb_expenditure", "2101102", "total_expenditure"),
    ("4.33", "gpb_expenditure", "2101103", "total_expenditure"),
    ("13.12", "gpb_expenditure", "2210201", "total_expenditure"),
    ("173.11", "gpb_expenditure", "合计", "basic_expenditure"),  # 六、
    ("161.75", "gpb_basic_expenditure", "人员经费合计", "personnel_expenditure"),
    ("34.78", "gpb_basic_expenditure", "30101", "personnel_expenditure"),
    ("33.04", "gpb_basic_expenditure", "30102", "personnel_expenditure"),
    ("35.13", "gpb_basic_expenditure", "30103", "personnel_expenditure"),
    ("4.05", "gpb_basic_expenditure", "30107", "personnel_expenditure"),
    ("17.26", "gpb_basic_expenditure", "30108", "personnel_expenditure"),
    ("7.16", "gpb_basic_expenditure", "30109", "personnel_expenditure"),
    ("9.22", "gpb_basic_expenditure", "30110", "personnel_expenditure"),
    ("4.33", "gpb_basic_expenditure", "30111", "personnel_expenditure"),
    ("0.31", "gpb_basic_expenditure", "30112", "personnel_expenditure"),
    ("3.35", "gpb_basic_expenditure", "30199", "personnel_expenditure"),
    ("13.12", "gpb_basic_expenditure", "30113", "personnel_expenditure"),
    ("11.36", "gpb_basic_expenditure", "公用经费合计", "public_expenditure"),
    ("1", "gpb_basic_expenditure", "30201", "public_expenditure"),
    ("0.04", "gpb_basic_expenditure", "30202", "public_expenditure"),
    ("0.02", "gpb_basic_expenditure", "30205", "public_expenditure"),
    ("0.69", "gpb_basic_expenditure", "30207", "public_expenditure"),
    ("0.29", "gpb_basic_expenditure", "30213", "public_expenditure"),
    ("1.05", "gpb_basic_expenditure", "30226", "public_expenditure"),
    ("0.09", "gpb_basic_expenditure", "30227", "public_expenditure"),
    ("1.88", "gpb_basic_expenditure", "30228", "public_expenditure"),
    ("6.3", "gpb_basic_expenditure", "30239", "public_expenditure"),
    ("0", "three_public", "", "three_public_actual"),  # 七、
    ("0", "three_public", "", "outbound_actual"),
    ("0", "three_public", "", "vehicle_total_actual"),
    ("0", "three_public", "", "vehicle_purchase_actual"),
    ("0", "three_public", "", "vehicle_operation_actual"),
    ("0", "three_public", "", "reception_actual"),
    ("11.36", "gpb_basic_expenditure", "公用经费合计", "public_expenditure"),  # 十（一）机关运行经费
]


def cell(truth: dict, pages, table: str, row: str, measure: str) -> str:
    matches = [
        f
        for f in truth["facts"]
        if f["table_code"] == table and (f["row_code"] or f["row_label"]) == row and f["measure"] == measure
    ]
    assert len(matches) == 1, (table, row, measure, len(matches))
    f = matches[0]
    return text_in_box(pages[f["page"] - 1][1], f["x0"], f["top"], f["x1"], f["bottom"])


@pytest.mark.parametrize(("stated", "table", "row", "measure"), NARRATIVE_FIGURES)
def test_seed_narrative_figure_agrees_with_its_table_cell(
    seed_text, truth, pages, stated, table, row, measure
):
    assert stated in squash(seed_text)
    printed = cell(truth, pages, table, row, measure)
    assert Decimal(printed or "0") == Decimal(stated)


def test_seed_known_inconsistency_is_in_the_tables_not_fixed(seed_text, truth, pages):
    """行政单位医疗 is stated as 13.55 but the 210 项 must sum to the 类 13.55: the table says 8.13."""
    assert "行政单位医疗（项）:支出决算为13.55万元" in squash(seed_text)
    items = [
        Decimal(cell(truth, pages, "gpb_expenditure", c, "total_expenditure"))
        for c in ("2101101", "2101102", "2101103")
    ]
    assert items[0] == Decimal("8.13")
    assert sum(items) == Decimal(cell(truth, pages, "gpb_expenditure", "210", "total_expenditure"))


def test_seed_rounding_tails_are_printed_as_the_narrative_states_them(truth, pages):
    """基本 173.11 + 项目 46.88 = 219.99 against 本年支出合计 219.98;
    the 网信事务 项 sum to 168.90 against the 类 168.89."""
    basic = Decimal(cell(truth, pages, "expenditure", "合计", "basic_expenditure"))
    project = Decimal(cell(truth, pages, "expenditure", "合计", "project_expenditure"))
    total = Decimal(cell(truth, pages, "expenditure", "合计", "total_expenditure"))
    assert basic + project - total == Decimal("0.01")
    items = sum(
        Decimal(cell(truth, pages, "gpb_expenditure", c, "total_expenditure"))
        for c in ("2013701", "2013704", "2013750", "2013799")
    )
    assert items - Decimal(cell(truth, pages, "gpb_expenditure", "201", "total_expenditure")) == Decimal(
        "0.01"
    )
