"""The parser on the seed PDF: all 13 tables exactly as printed, every figure of its 情况说明.

The expected figures are read by hand from the seed text (../shared/corpus/seed), in its order; stated
errors stay as stated (行政单位医疗 13.55), placeholders (增加/减少 0 万元) are not figures.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from helpers.parsecheck import compare_with_truth
from helpers.paths import SEED_PDF

from juesuan.parse import parse_document


@pytest.fixture(scope="module")
def seed_doc():
    return parse_document(SEED_PDF)


def test_seed_tables_are_read_exactly(seed_doc):
    truth = json.loads(SEED_PDF.with_name(SEED_PDF.stem + ".truth.json").read_text("utf-8"))
    problems = [p for p in compare_with_truth(seed_doc, truth) if not p.startswith("extra narrative figure")]
    assert problems == []
    assert len(seed_doc.tables) == 13
    assert [t.table_code for t in seed_doc.tables if t.empty] == [
        "gov_fund",
        "state_capital",
        "state_capital_expenditure",
    ]
    assert seed_doc.template_family == "sichuan13"


# (subject, 万元 as stated, % as stated): 第二部分 一 … 十, by hand from the seed text
SEED_FIGURES = [
    ("grand_total", "220.07", None),
    ("grand_total_change", "-42.29", "-16.1"),
    ("total_income", "219.98", None),
    ("income.general_budget_income", "219.98", "100"),
    ("total_expenditure", "219.98", None),
    ("basic_expenditure", "173.11", "78.7"),
    ("project_expenditure", "46.88", "21.3"),
    ("fiscal_grand_total", "220.07", None),
    ("fiscal_grand_total_change", "-42.29", "-16.1"),
    ("gpb_expenditure", "219.98", "100"),
    ("gpb_expenditure_change", "-42.29", "-16.1"),
    ("gpb_expenditure", "219.98", None),
    ("gpb_class.201", "168.89", "76.8"),
    ("gpb_class.208", "24.42", "11.1"),
    ("gpb_class.210", "13.55", "6.2"),
    ("gpb_class.221", "13.12", "6"),
    ("gpb_expenditure_completion", "219.98", "100"),
    ("gpb_item.2013701", "107.85", "100"),
    ("gpb_item.2013704", "45.01", "100"),
    ("gpb_item.2013750", "14.17", "100"),
    ("gpb_item.2013799", "1.87", "100"),
    ("gpb_item.2080505", "17.26", "100"),
    ("gpb_item.2080506", "7.16", "100"),
    ("gpb_item.2101101", "13.55", "100"),
    ("gpb_item.2101102", "1.09", "100"),
    ("gpb_item.2101103", "4.33", "100"),
    ("gpb_item.2210201", "13.12", "100"),
    ("gpb_basic_expenditure", "173.11", None),
    ("personnel_expenditure", "161.75", None),
    ("personnel_item.30101", "34.78", None),
    ("personnel_item.30102", "33.04", None),
    ("personnel_item.30103", "35.13", None),
    ("personnel_item.30107", "4.05", None),
    ("personnel_item.30108", "17.26", None),
    ("personnel_item.30109", "7.16", None),
    ("personnel_item.30110", "9.22", None),
    ("personnel_item.30111", "4.33", None),
    ("personnel_item.30112", "0.31", None),
    ("personnel_item.30199", "3.35", None),
    ("personnel_item.30113", "13.12", None),
    ("public_expenditure", "11.36", None),
    ("public_item.30201", "1", None),
    ("public_item.30202", "0.04", None),
    ("public_item.30205", "0.02", None),
    ("public_item.30207", "0.69", None),
    ("public_item.30213", "0.29", None),
    ("public_item.30226", "1.05", None),
    ("public_item.30227", "0.09", None),
    ("public_item.30228", "1.88", None),
    ("public_item.30239", "6.3", None),
    ("three_public_actual", "0", "100"),
    ("outbound_actual", "0", "0"),
    ("vehicle_total_actual", "0", "0"),
    ("reception_actual", "0", "0"),
    # 1.因公出国（境）经费支出 0万元，完成预算 0% … (read since the vocabulary of issue #11)
    ("outbound_actual_completion", "0", "0"),
    ("vehicle_total_actual_completion", "0", "0"),
    ("reception_actual_completion", "0", "0"),
    ("vehicle_purchase_actual", "0", None),
    ("vehicle_operation_actual", "0", None),
    ("gov_fund_expenditure", "0", None),
    ("state_capital_expenditure", "0", None),
    ("running_cost", "11.36", None),
    ("running_cost_change", "-0.56", "-4.7"),
    ("procurement_total", "9.26", None),
    ("procurement_goods", "9.26", None),
    ("procurement_works", "0", None),
    ("procurement_services", "0", None),
    ("procurement_sme", "9.26", "100"),
    ("procurement_small_micro", "9.26", "100"),
]
SEED_COUNTS = [
    ("outbound_groups", 0),
    ("outbound_people", 0),
    ("vehicles_bought", 0),
    ("vehicles_held", 0),
    ("reception_batches", 0),
    ("reception_people", 0),
    ("vehicles_held_total", 0),
    ("performance_score", 93),
    # 其中：主要领导干部用车0辆、机要通信用车0辆、应急保障用车0辆、其他用车0辆; two 专项 project scores
    ("vehicles_type.principal", 0),
    ("vehicles_type.confidential", 0),
    ("vehicles_type.emergency", 0),
    ("vehicles_type.other", 0),
    ("project_score", 100),
    ("project_score", 100),
]


def test_seed_narrative_figures_are_all_found(seed_doc):
    explanation = [f for f in seed_doc.figures if 3 <= f.page <= 7]
    got = [(f.subject, f.amount_yuan, f.percent) for f in explanation if f.quantity is None]
    expected = [
        (s, (Decimal(a) * 10_000).quantize(Decimal("0.01")), None if p is None else Decimal(p))
        for s, a, p in SEED_FIGURES
    ]
    missing = [e for e in expected if e not in got]
    assert missing == []
    assert len(got) == len(expected), sorted(set(got) - set(expected))
    counts = [(f.subject, int(f.quantity)) for f in seed_doc.figures if f.quantity is not None]
    assert sorted(counts) == sorted(SEED_COUNTS)


def test_seed_figures_keep_their_sentence_section_and_page(seed_doc):
    fig = next(f for f in seed_doc.figures if f.subject == "gpb_item.2101101")
    assert "行政单位医疗（项）" in fig.text and "13.55" in fig.text
    assert fig.section.startswith("五、")
    assert fig.page == 5
    change = next(f for f in seed_doc.figures if f.subject == "grand_total_change")
    assert change.text.startswith("与2022年度相比") and change.page == 3


def test_template_placeholders_are_not_read_as_figures(seed_doc):
    """三公: 较上年度增加/减少 0 万元，增长/下降 0% is a placeholder left in, not a statement."""
    assert not [f for f in seed_doc.figures if f.subject == "three_public_actual_change"]
