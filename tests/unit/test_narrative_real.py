"""Recall of narrative figures on the real final accounts of ../shared/corpus/real (issue #11, points 6–7).

Every statement of the 情况说明 that states an amount, a percent tied to an amount, or a count the catalogue
names (vehicles, 团组, 批次, evaluated projects, scores) was read by hand from the printed pages
(``pdftotext -layout`` and the page images) and is listed below with its subject, the amount in 万元 as
printed, the percent as printed, and its page. The parser must read every one of them exactly, and nothing
else on those pages: a figure it reads that is not listed is a false figure.

Left out on purpose (not amounts, or not statements): equipment counts under a 单价…万元以上 threshold,
counts of units, first/second-level projects, third parties and rating classes, chart labels, and the
绩效自评表 tables. Then the stated comparisons (决算数大于/小于/等于预算数) and completion percents are
checked against the amounts the same paragraph states (N6, N7).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from decimal import Decimal

import pandas as pd
import pytest
from helpers.paths import SAMPLES, SHARED, require_shared

from juesuan.parse import ParsedDocument, parse_document
from juesuan.parse.narrative import FindingKind, NarrativeFigure, read_narrative
from juesuan.pdf import Line, Page, TextLayer, read_pages
from juesuan.reconcile import reconcile, reconcile_document

REAL = SHARED / "real"
PINS = {  # SHA-256 from ../shared/corpus/README.md
    "foshan_guidaojiaotongju_2019_final.pdf": (
        "3bffe247a0363a3b97a134e49227db6438576d3b6c7a5062b8ece3cf0d90fae6"
    ),
    "guojia_xinfangju_2024_final.pdf": "b50c5c76deb5913253271042061f488d53e8cb9a47e3ea1bc521a9d1c01fc3e0",
    "sh_putuo_caizhengju_2024_final.pdf": "d45e923176f9fe4b6533829d3a2fe67f8cbcd55d07099dabf73aca62701f8eb5",
}

# (subject, 万元 as printed or None, % as printed or None, page)
FS19 = [
    # 一（一）年度收入总体情况
    ("grand_total_income", "1668.14", None, 24),
    ("total_income", "1668.14", None, 24),
    ("income.general_budget_income", "1668.14", None, 24),
    ("income.government_fund_income", "0", None, 24),
    ("income.superior_subsidy_income", "0", None, 24),
    ("income.business_income", "0", None, 24),
    ("income.operating_income", "0", None, 24),
    ("income.affiliate_remittance_income", "0", None, 24),
    ("income.other_income", "0.01", None, 24),
    # 一（二）年度支出总体情况
    ("grand_total_expenditure", "1668.14", None, 25),
    ("total_expenditure", "1668.14", None, 25),
    ("basic_expenditure", "746.39", None, 25),
    ("project_expenditure", "921.75", None, 25),
    ("remittance_to_superior", "0", None, 25),
    ("operating_expenditure", "0", None, 25),
    ("subsidy_to_affiliates", "0", None, 25),
    # 二 财政拨款收入支出
    ("fiscal_income", "1668.14", None, 25),
    ("income.general_budget_income", "1668.14", None, 25),
    ("income.general_budget_income_change", "0", "0", 25),
    ("income.government_fund_income", "0", None, 25),
    ("income.government_fund_income_change", "0", None, 25),
    ("fiscal_expenditure", "1668.14", None, 26),
    ("gpb_expenditure", "1668.14", None, 26),
    ("gpb_expenditure_vs_budget", "1668.14", "0", 26),
    ("gov_fund_expenditure", "0", None, 26),
    ("gov_fund_expenditure_vs_budget", "0", None, 26),
    # 三 “三公”: 决算为 B，完成预算 A 万元的 C%
    ("three_public_actual", "0.16", "0", 26),
    ("three_public_budget", "0", None, 26),
    ("outbound_actual_completion", "0", "0", 26),
    ("outbound_budget", "0", None, 26),
    ("vehicle_total_actual_completion", "0", "0", 26),
    ("vehicle_total_budget", "0", None, 26),
    ("reception_actual_completion", "0.16", "0", 26),
    ("reception_budget", "0", None, 26),
    ("outbound_actual", "0", "0", 26),
    ("vehicle_total_actual", "0", None, 26),
    ("reception_actual", "0.16", "100.0", 26),
    ("outbound_actual", "0", None, 26),
    ("vehicle_total_actual", "0", None, 27),
    ("vehicle_purchase_actual", "0", None, 27),
    ("vehicle_operation_actual", "0", None, 27),
    ("reception_actual", "0.16", None, 27),
    # 四 其他重要事项
    ("running_cost", "97.19", None, 27),
    ("running_cost_vs_budget", "97.19", "0", 27),
    ("procurement_total", "0", None, 27),
    ("procurement_goods", "0", None, 27),
    ("procurement_works", "0", None, 27),
    ("procurement_services", "0", None, 27),
    ("self_evaluation_funds", "940.15", "100", 28),
    ("self_evaluation_funds_gov_fund", "0", "0", 28),
    ("evaluation_gpb_funds", "0", None, 28),
    ("evaluation_gov_fund_funds", "0", None, 28),
    ("evaluation_gpb_funds", "0", None, 28),
    ("evaluation_gov_fund_funds", "0", None, 28),
    ("evaluated_budget", "0", None, 29),
    ("evaluated_actual", "0", "0", 29),
]
FS19_COUNTS = [
    ("outbound_groups", "0", 27),
    ("outbound_people", "0", 27),
    ("vehicles_bought", "0", 27),
    ("vehicles_held", "0", 27),
    ("foreign_reception_groups", "0", 27),
    ("foreign_reception_people", "0", 27),
    ("reception_batches", "1", 27),
    ("reception_people", "13", 27),
    ("vehicles_held_total", "0", 28),
    ("vehicles_type.post", "0", 28),
    ("vehicles_type.confidential", "0", 28),
    ("vehicles_type.emergency", "0", 28),
    ("vehicles_type.enforcement", "0", 28),
    ("vehicles_type.special", "0", 28),
    ("vehicles_type.other", "0", 28),
    ("projects_evaluated", "7", 28),
    ("projects_evaluated_gov_fund", "0", 28),
    ("projects_evaluated", "7", 28),
    ("performance_score", "0", 29),
]

PUTUO = [
    # 一 … 四
    ("grand_total", "2995.39", None, 21),
    ("grand_total_change", "-56.95", "-1.87", 21),
    ("total_income", "2946.25", None, 21),
    ("income.fiscal_appropriation_income", "2940.05", "99.79", 21),
    ("income.other_income", "6.2", "0.21", 21),
    ("total_expenditure", "2940.05", None, 21),
    ("basic_expenditure", "2336.91", "79.49", 21),
    ("project_expenditure", "603.14", "20.51", 21),
    ("fiscal_grand_total", "0.3", None, 21),  # as printed (the tables: 2961.68)
    # 五
    ("gpb_expenditure", "2940.05", "100.00", 21),
    ("gpb_expenditure_change", "-63.14", "-2.10", 21),
    ("gpb_expenditure", "2940.05", None, 21),
    ("gpb_class.201", "2106.66", "71.73", 21),  # as printed (2106.66 / 2940.05 = 71.65%)
    ("gpb_class.208", "326.72", "11.11", 21),
    ("gpb_class.210", "60.99", "2.07", 21),
    ("gpb_class.221", "445.69", "15.16", 21),
    ("gpb_expenditure_budget", "2993.92", None, 21),
    ("gpb_expenditure_completion", "2940.05", "98.20", 21),
    ("gpb_item_budget.2010601", "1560.05", None, 22),
    ("gpb_item.2010601", "1511.89", None, 22),
    ("gpb_item_budget.2010602", "10.00", None, 22),
    ("gpb_item.2010602", "10.00", None, 22),
    ("gpb_item_budget.2010607", "135.90", None, 22),
    ("gpb_item.2010607", "135.25", None, 22),
    ("gpb_item_budget.2010608", "450.52", None, 22),
    ("gpb_item.2010608", "449.52", None, 22),
    ("gpb_item_budget.2080501", "85.55", None, 22),
    ("gpb_item.2080501", "84.65", None, 22),
    ("gpb_item_budget.2080505", "161.62", None, 22),
    ("gpb_item.2080505", "160.75", None, 22),
    ("gpb_item_budget.2080506", "80.81", None, 22),
    ("gpb_item.2080506", "80.38", None, 22),
    ("gpb_item_budget.2080599", "0.94", None, 22),
    ("gpb_item.2080599", "0.94", None, 22),
    ("gpb_item_budget.2101101", "62.29", None, 22),
    ("gpb_item.2101101", "60.99", None, 22),
    ("gpb_item_budget.2210201", "187.75", None, 22),
    ("gpb_item.2210201", "187.19", None, 22),
    ("gpb_item_budget.2210203", "258.50", None, 22),
    ("gpb_item.2210203", "258.50", None, 22),
    # 六
    ("gpb_basic_expenditure", "2336.91", None, 23),
    ("personnel_expenditure", "2152.26", None, 23),
    ("public_expenditure", "184.65", None, 23),
    # 七 “三公”
    ("three_public_budget", "0.95", None, 23),
    ("three_public_actual", "0.00", "0", 23),
    ("outbound_actual_completion", "0.00", "0", 23),
    ("vehicle_total_actual_completion", "0.00", "0", 23),
    ("reception_actual_completion", "0.00", "0", 23),
    # 十 预算绩效管理
    ("performance_targets_budget", "598.42", None, 23),
    ("performance_tracking_budget", "598.42", None, 23),
    ("self_evaluation_funds", "598.42", None, 23),
    # 十一 其他重要事项
    ("running_cost", "184.65", None, 24),
    ("running_cost_change", "2.55", "1.40", 24),
    ("procurement_total", "251.25", None, 24),
    ("procurement_goods", "4.79", None, 24),
    ("procurement_works", "0", None, 24),
    ("procurement_services", "246.47", None, 24),
    ("procurement_sme_reserved", "246.47", None, 24),
    ("procurement_small_micro_reserved", "0", None, 24),
    ("procurement_sme_awarded", "246.47", None, 24),
    ("procurement_small_micro_awarded", "0", None, 24),
    ("procurement_sme_awarded_other", "4.79", None, 24),
]
PUTUO_COUNTS = [
    ("projects_evaluated", "4", 23),
    ("self_evaluation_average_score", "99.43", 23),
    ("vehicles_held_total", "0", 24),
    ("vehicles_type.minister", "0", 24),
    ("vehicles_type.principal", "0", 24),
    ("vehicles_type.confidential", "0", 24),
    ("vehicles_type.emergency", "0", 24),
    ("vehicles_type.enforcement", "0", 24),
    ("vehicles_type.special", "0", 24),
    ("vehicles_type.retired", "0", 24),
    ("vehicles_type.other", "0", 24),
]

# 国家信访局: per-item paragraphs X（项）。年初预算为A万元，支出决算为B万元，完成年初预算的C%。决算数…
XFJ_ITEMS = [  # code, 年初预算 A, 支出决算 B, 完成 C, page of A, page of B, 决算数…预算数 as printed
    ("2014001", "5717.32", "5757.63", "100.71", 21, 21, "大于"),
    ("2014002", "590.53", "4.7", "0.8", 21, 21, "小于"),
    ("2014003", "222.6", "229.19", "102.96", 22, 22, "大于"),
    ("2014004", "2325.72", "2066.84", "88.87", 22, 22, "小于"),
    ("2014099", "2457.85", "1788.46", "72.77", 22, 22, "小于"),
    ("2050803", "180.61", "180.03", "99.68", 22, 22, "小于"),
    ("2080501", "1017.2", "1028.48", "101.11", 22, 22, "大于"),
    ("2080503", "207.19", "211.51", "102.09", 22, 22, "大于"),
    ("2080505", "899.34", "659.05", "73.28", 23, 23, "小于"),
    ("2080506", "371.99", "329.53", "88.59", 23, 23, "小于"),
    ("2101101", "0", "497.53", None, 23, 23, "大于"),
    ("2210201", "676", "586.32", "86.73", 23, 23, "小于"),
    ("2210202", "66.2", "63.52", "95.95", 23, 23, "小于"),
    ("2210203", "336", "331", "98.51", 23, 23, "小于"),
]
XFJ = [
    # 一 收入支出决算总体情况: each source, carry-over and 类 with its change against 2023
    ("grand_total", "22066.59", None, 17),
    ("grand_total_change", "5834.37", "35.74", 17),
    ("income.general_budget_income", "19572.91", None, 17),
    ("income.general_budget_income_change", "6263.17", "47.06", 17),
    ("income.other_income", "878.44", None, 17),
    ("income.other_income_change", "326.11", "59.04", 17),
    ("carryover_start", "1615.24", None, 17),
    ("carryover_start_change", "-754.91", "-31.85", 17),
    ("expenditure_class.201", "10685.56", None, 17),
    ("expenditure_class_change.201", "241.21", "2.31", 17),
    ("expenditure_class.205", "180.03", None, 18),
    ("expenditure_class_change.205", "47.92", "36.27", 18),
    ("expenditure_class.208", "2228.57", None, 18),
    ("expenditure_class_change.208", "-294.11", "-11.66", 18),
    ("expenditure_class.210", "497.53", None, 18),
    ("expenditure_class_change.210", "10.01", "2.05", 18),
    ("expenditure_class.221", "980.85", None, 18),
    ("expenditure_class_change.221", "-49.46", "-4.8", 18),
    ("carryover_end", "7494.06", None, 18),
    ("carryover_end_change", "5878.82", "363.96", 18),
    # 二 / 三
    ("total_income", "20451.35", None, 19),
    ("income.general_budget_income", "19572.91", "95.7", 19),
    ("income.other_income", "878.44", "4.3", 19),
    ("total_expenditure", "14572.53", None, 19),
    ("expenditure_class.201", "10685.56", "73.33", 19),
    ("expenditure_class.205", "180.03", "1.24", 19),
    ("expenditure_class.208", "2228.57", "15.29", 19),
    ("expenditure_class.210", "497.53", "3.41", 19),
    ("expenditure_class.221", "980.85", "6.73", 19),
    ("basic_expenditure", "11073.11", "75.99", 19),
    ("project_expenditure", "3499.42", "24.01", 19),
    # 四
    ("fiscal_grand_total", "20727.53", None, 20),
    ("fiscal_grand_total_change", "5551.7", "36.58", 20),
    # 五 (central wording: 财政拨款支出 for 一般公共预算财政拨款支出)
    ("gpb_expenditure", "13733.8", "94.24", 21),
    ("gpb_expenditure_change", "-287.41", "-2.05", 21),
    ("gpb_expenditure", "13733.8", None, 21),
    ("gpb_class.201", "9846.82", "71.7", 21),
    ("gpb_class.205", "180.03", "1.31", 21),
    ("gpb_class.208", "2228.57", "16.23", 21),
    ("gpb_class.210", "497.53", "3.62", 21),
    ("gpb_class.221", "980.85", "7.14", 21),
    ("gpb_expenditure_budget", "15068.55", None, 21),
    ("gpb_expenditure_completion", "13733.8", "91.14", 21),
    *[
        row
        for code, a, b, c, pa, pb, _ in XFJ_ITEMS
        for row in ((f"gpb_item_budget.{code}", a, None, pa), (f"gpb_item.{code}", b, c, pb))
    ],
    # 六
    ("gpb_basic_expenditure", "10234.37", None, 23),
    ("personnel_expenditure", "7967.72", None, 24),
    ("public_expenditure", "2266.65", None, 24),
    # 七 “三公”
    ("three_public_budget", "76.43", None, 24),
    ("three_public_actual", "46.21", "60.46", 24),
    ("outbound_actual_completion", "4.69", "15.63", 24),
    ("vehicle_total_actual_completion", "40.61", "99.95", 24),
    ("reception_actual_completion", "0.9", "15.52", 24),
    ("outbound_actual", "4.69", "10.15", 25),
    ("vehicle_total_actual", "40.61", "87.88", 25),
    ("reception_actual", "0.9", "1.95", 25),
    ("outbound_actual", "4.69", None, 25),
    ("vehicle_operation_actual", "40.61", None, 25),
    ("vehicle_operation_per_vehicle", "2.71", None, 25),
    # 八 / 九
    ("running_cost", "2266.65", None, 25),
    ("running_cost_change", "318.58", "16.35", 25),
    ("procurement_total", "1967.42", None, 26),
    ("procurement_goods", "171.7", None, 26),
    ("procurement_works", "3", None, 26),
    ("procurement_services", "1792.72", None, 26),
    ("procurement_sme", "1820.69", "92.54", 26),
    ("procurement_small_micro", "1015.5", "55.78", 26),
    ("procurement_sme_goods_share", None, "9.16", 26),
    ("procurement_sme_services_share", None, "90.84", 26),
    # 十一 预算绩效
    ("self_evaluation_funds", "5105.75", "100", 26),
    ("evaluation_gpb_funds", "1639.34", None, 27),
    ("evaluated_budget", "536.20", None, 27),
    ("evaluated_actual", "413.57", "77.1", 27),
    ("evaluated_budget", "120.00", None, 28),
    ("evaluated_actual", "120.00", "100.0", 28),
    ("evaluated_budget", "1639.34", None, 28),
    ("evaluated_actual", "1032.99", "63.0", 28),
    ("evaluated_budget", "180.03", None, 29),
    ("evaluated_actual", "180.03", "100.0", 29),
]
XFJ_COUNTS = [
    ("outbound_groups", "1", 25),
    ("outbound_people", "1", 25),
    ("vehicles_held", "15", 25),
    ("reception_batches", "10", 25),
    ("reception_people", "152", 25),
    ("vehicles_held_total", "15", 26),
    ("vehicles_type.minister", "1", 26),
    ("vehicles_type.confidential", "2", 26),
    ("vehicles_type.emergency", "2", 26),
    ("vehicles_type.special", "1", 26),
    ("vehicles_type.retired", "3", 26),
    ("vehicles_type.other", "6", 26),
    ("project_score", "94.7", 27),
    ("project_score", "98.0", 28),
    ("project_score", "88.5", 28),
    ("project_score", "98.0", 29),
]

DOCUMENTS = {  # name: (amount statements, counts, first and last narrative page)
    "foshan_guidaojiaotongju_2019_final.pdf": (FS19, FS19_COUNTS, 24, 29),
    "guojia_xinfangju_2024_final.pdf": (XFJ, XFJ_COUNTS, 16, 37),
    "sh_putuo_caizhengju_2024_final.pdf": (PUTUO, PUTUO_COUNTS, 21, 24),
}


def _wan(text: str | None) -> Decimal | None:
    return None if text is None else (Decimal(text) * 10_000).quantize(Decimal("0.01"))


def _pct(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def expected_statements(name: str) -> Counter:
    amounts, counts, _, _ = DOCUMENTS[name]
    want = Counter((s, _wan(a), _pct(p), None, page) for s, a, p, page in amounts)
    want.update((s, None, None, Decimal(q), page) for s, q, page in counts)
    return want


def read_statements(figures: list[NarrativeFigure], first: int, last: int) -> Counter:
    return Counter(
        (f.subject, f.amount_yuan, f.percent, f.quantity, f.page) for f in figures if first <= f.page <= last
    )


@pytest.fixture(scope="module")
def parsed():
    cache = {}

    def get(name: str):
        path = require_shared(REAL / name)
        assert hashlib.sha256(path.read_bytes()).hexdigest() == PINS[name], f"{name} changed"
        if name not in cache:
            cache[name] = parse_document(path)
        return cache[name]

    return get


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_every_stated_figure_is_read_and_nothing_else(parsed, name):
    """Recall 100%, and no figure on the narrative pages that the hand reading does not list."""
    _, _, first, last = DOCUMENTS[name]
    want = expected_statements(name)
    got = read_statements(parsed(name).figures, first, last)
    missing = sorted(want - got, key=str)
    recall = 1 - sum((want - got).values()) / sum(want.values())
    assert missing == [], f"recall {recall:.1%}; missing {missing}"
    assert sorted(got - want, key=str) == []


def test_the_glossary_and_attachments_state_no_figures(parsed):
    """国家信访局 binds a project evaluation report (第五部分 附件) after the 名词解释: its amounts restate
    budgets (年初预算数为 1018.00 万元) and scores, not the account; none is read as a figure."""
    doc = parsed("guojia_xinfangju_2024_final.pdf")
    assert [f for f in doc.figures if f.page > 37] == []


def test_every_item_comparison_of_the_central_document_is_checked(parsed):
    """N6: each 决算数大于/小于/等于预算数 against the 年初预算 and 支出决算 its paragraph states; N7: each
    completion percent against B / A at its stated precision. Checked by hand: the 14 items, the total and
    the 三公 statement are all consistent in 国家信访局 2024."""
    checks = reconcile_document(parsed("guojia_xinfangju_2024_final.pdf"))
    n6 = checks[checks.check_id == "N6"]
    words = {s.split("/")[0]: d.split(":")[0] for s, d in zip(n6.subject, n6.description, strict=True)}
    assert words == {
        **{f"gpb_item.{code}": word for code, *_, word in XFJ_ITEMS},
        "three_public_actual": "小于",  # 预算 76.43, 决算 46.21
    }
    assert n6.passed.all()  # 2101101: 年初预算为0万元，支出决算为497.53万元。决算数大于预算数 holds too
    n7 = checks[checks.check_id == "N7"]
    stated = {f"gpb_item.{code}/completion" for code, _, _, c, *_ in XFJ_ITEMS if c}
    expected = stated | {
        "gpb_expenditure_completion/completion",
        "three_public_actual/completion",
        "evaluated_actual/completion",
    }
    assert set(n7.subject) == expected
    assert n7.passed.all()
    # 2080503: 211.51 / 207.19 = 102.085…% → 102.09 at two places
    row = n7[n7.subject == "gpb_item.2080503/completion"].iloc[0]
    assert (row.expected, row.actual) == (Decimal("102.09"), Decimal("102.09"))


def test_putuo_comparisons_and_its_known_narrative_errors(parsed):
    """PT-CZJ: 11 items and the total compare 年初预算 and 支出决算 in words (小于, 基本持平), all consistent;
    the document's two narrative errors (DOMAIN.md §3.4) are the only failed checks."""
    checks = reconcile_document(parsed("sh_putuo_caizhengju_2024_final.pdf"))
    n6 = checks[checks.check_id == "N6"]
    assert len(n6) == 13 and n6.passed.all()  # 11 items, the total, 三公
    said = dict(zip(n6.subject, n6.description, strict=True))
    assert said["gpb_item.2010602/comparison"].startswith("持平: 决算 10.00 万元 against 预算 10.00")
    failed = checks[~checks.passed & checks.check_id.str.startswith("N")]
    assert sorted(zip(failed.check_id, failed.subject, strict=True)) == [
        ("N1", "fiscal_grand_total"),
        ("N2", "gpb_class.201/share"),
    ]


def test_foshan_passes_every_narrative_check(parsed):
    checks = reconcile_document(parsed("foshan_guidaojiaotongju_2019_final.pdf"))
    narrative = checks[checks.check_id.str.startswith("N")]
    assert len(narrative) > 40 and narrative.passed.all()
    # 决算大于预算数 with 预算数为0: the stated amounts bear it out; 完成预算0万元的0% cannot be checked
    n6 = checks[checks.check_id == "N6"]
    assert list(n6.subject) == ["three_public_actual/comparison"] and n6.passed.all()


def _with_line_edited(pages: list[Page], old: str, new: str) -> list[Page]:
    """The pages with ``old`` replaced by ``new`` in the one line that holds it."""
    out, hits = [], 0
    for page in pages:
        lines = []
        for ln in page.lines:
            if old in ln.text:
                hits += 1
                ln = Line(ln.text.replace(old, new), ln.x0, ln.top, ln.x1, ln.bottom)
            lines.append(ln)
        out.append(
            Page(page.number, page.width, page.height, lines, page.grids, page.text_layer, page.n_chars)
        )
    assert hits == 1, (old, hits)
    return out


def _checks_for_pages(doc: ParsedDocument, pages: list[Page]) -> pd.DataFrame:
    """The document's checks with its narrative read from ``pages`` (edited) instead of the file."""
    table_pages = {n for t in doc.tables for n in t.pages}
    figures, findings = read_narrative([p for p in pages if p.number not in table_pages])
    frame = pd.DataFrame([{"document_id": doc.document_id, **f.as_row()} for f in figures])
    return reconcile(
        doc.facts_frame(),
        frame,
        doc.document_id,
        doc.template_family,
        {t.table_code for t in doc.tables},
        findings,
    )


def test_a_flipped_comparison_word_fails_in_a_generated_document():
    """Mutation: a generated Shanghai document states its items' 年初预算 and 支出决算; add the comparison
    word the numbers bear out to one item and the check passes; flip 大于→小于 and it fails."""
    path = SAMPLES / "0003_mof9_2024.pdf"
    doc = parse_document(path)
    pages = list(read_pages(path))
    item = next(
        f
        for f in doc.figures
        if f.subject.startswith("gpb_item.")
        and (b := next(g for g in doc.figures if g.subject == f"gpb_item_budget.{f.subject[9:]}"))
        and b.amount_yuan != f.amount_yuan
    )
    budget = next(g for g in doc.figures if g.subject == f"gpb_item_budget.{item.subject[9:]}")
    word = "大于" if item.amount_yuan > budget.amount_yuan else "小于"
    flipped = {"大于": "小于", "小于": "大于"}[word]
    percent_text = item.text.rsplit("的", 1)[1].rstrip("。")
    line = next(ln for p in pages for ln in p.lines if ln.squashed.endswith(percent_text + "。"))
    tail = line.text.rstrip()

    def n6(word: str):
        edited = _with_line_edited(pages, tail, f"{tail}决算数{word}预算数的主要原因是执行中调整了预算。")
        checks = _checks_for_pages(doc, edited)
        return checks[(checks.check_id == "N6") & (checks.subject == f"{item.subject}/comparison")]

    assert n6(word).passed.tolist() == [True]
    assert n6(flipped).passed.tolist() == [False]


def test_a_placeholder_body_name_left_in_a_heading_or_statement_is_a_failed_d2(parsed):
    doc = parsed("sh_putuo_caizhengju_2024_final.pdf")
    pages = list(read_pages(REAL / "sh_putuo_caizhengju_2024_final.pdf"))
    heading = _with_line_edited(pages, "第三部分上海市普陀区财政局", "第三部分上海市XX局")
    statement = _with_line_edited(heading, "上海市普陀区财政局 年度无政府性基金", "XXX 年度无政府性基金")
    checks = _checks_for_pages(doc, statement)
    d2 = checks[checks.check_id == "D2"]
    assert len(d2) == 2 and not d2.passed.any()
    assert any("上海市XX局" in d for d in d2.description) and any("XXX" in d for d in d2.description)
    assert checks[checks.check_id == "N3"].empty  # a body name is not an amount placeholder
    assert not _checks_for_pages(doc, pages).check_id.eq("D2").any()


def _pages(*paragraphs: str) -> list[Page]:
    """A narrative page holding ``paragraphs`` one line each (a heading is a paragraph too)."""
    lines = [Line(text, 72.0, 80.0 + 20 * k, 520.0, 92.0 + 20 * k) for k, text in enumerate(paragraphs)]
    return [Page(1, 595.0, 842.0, lines, [], TextLayer.OK, sum(len(p) for p in paragraphs))]


def _read(*paragraphs: str) -> list[tuple]:
    figures, _ = read_narrative(_pages(*paragraphs))
    return [(f.subject, f.amount_yuan, f.percent, f.quantity) for f in figures]


@pytest.mark.parametrize(
    ("sentence", "subject"),
    [
        ("2024年度本年收入合计120.5万元，其中：", "total_income"),
        ("2019年度总收入120.5万元，其中本年收入120.5万元。", "grand_total_income"),
        ("2024年度收入总计120.5万元。", "grand_total_income"),
    ],
)
def test_income_total_wordings(sentence, subject):
    """DOMAIN.md §5.4: 本年收入合计 / 总收入 / 收入总计. 总收入 and 收入总计 include the carry-over
    (FS19: 总收入…，其中本年收入…), so they state the summary's 总计, 本年收入合计 the year's income."""
    got = _read("二、收入决算情况说明", sentence)
    assert got[0] == (subject, Decimal("1205000.00"), None, None)


def test_an_item_paragraph_in_the_central_wording_with_each_comparison_word():
    head = "五、一般公共预算财政拨款支出决算情况说明"
    figures, findings = read_narrative(
        _pages(
            head,
            "1.一般公共服务（类）财政事务（款）行政运行（项）。年初预算为100万元，支出决算为100万元，"
            "完成年初预算的100%。决算数等于预算数。",
            "2.一般公共服务（类）财政事务（款）信息化建设（项）。主要用于：系统维护。年初预算为50万元，"
            "支出决算为40.5万元，完成年初预算的81%。决算数小于预算数的主要原因是项目延后。",
            "3.住房保障支出（类）住房改革支出（款）购房补贴（项）。年初预算为2万元，支出决算为2万元。"
            "决算数与预算数基本持平。",
        )
    )
    got = [(f.subject, f.amount_yuan, f.percent) for f in figures]
    assert got == [
        ("gpb_item_budget.2010601", Decimal("1000000.00"), None),
        ("gpb_item.2010601", Decimal("1000000.00"), Decimal("100")),
        ("gpb_item_budget.2010607", Decimal("500000.00"), None),
        ("gpb_item.2010607", Decimal("405000.00"), Decimal("81")),
        ("gpb_item_budget.2210203", Decimal("20000.00"), None),
        ("gpb_item.2210203", Decimal("20000.00"), None),
    ]
    assert [(f.kind, f.subject, f.word) for f in findings] == [
        (FindingKind.COMPARISON, "gpb_item.2010601", "等于"),
        (FindingKind.COMPARISON, "gpb_item.2010607", "小于"),
        (FindingKind.COMPARISON, "gpb_item.2210203", "持平"),
    ]


def test_placeholders_and_change_templates_are_not_figures():
    got = _read(
        "一、收入支出决算总体情况说明",
        "2024年度收、支总计均为10万元。与2023年度相比，收、支总计增加/减少0万元，增长/下降0%。",
    )
    assert got == [("grand_total", Decimal("100000.00"), None, None)]


def test_putuo_reads_the_same_with_either_engine():
    """PT-CZJ's digits sit below their line with both engines; pdfplumber also leaves a gap before a 。."""
    path = require_shared(REAL / "sh_putuo_caizhengju_2024_final.pdf")
    _, _, first, last = DOCUMENTS[path.name]
    for engine in ("pdfium", "pdfplumber"):
        figures, _ = read_narrative([p for p in read_pages(path, engine=engine) if first <= p.number <= last])
        assert read_statements(figures, first, last) == expected_statements(path.name), engine
