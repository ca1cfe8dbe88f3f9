"""Golden tests on the published PDFs of ../shared/corpus/real (pinned by SHA-256).

The expected figures are the hand-verified ones of DOMAIN.md (§3 evidence columns, §4), checked against the
printed pages: every total row of every table and at least 40 figures per document, across all its tables.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest
from conftest import SHARED, require_shared

from juesuan.parse import parse_document

REAL = SHARED / "real"
PINS = {  # SHA-256 from ../shared/corpus/README.md
    "sh_putuo_caizhengju_2024_final.pdf": "d45e923176f9fe4b6533829d3a2fe67f8cbcd55d07099dabf73aca62701f8eb5",
    "foshan_guidaojiaotongju_2019_final.pdf": (
        "3bffe247a0363a3b97a134e49227db6438576d3b6c7a5062b8ece3cf0d90fae6"
    ),
    "sh_template_dept_final_2024_attachment2.pdf": (
        "deb3a453319935a1cf47f3dc6305e14041fb37f30637a57da5ab48fc8f2c8b4f"
    ),
}


@pytest.fixture(scope="module")
def parsed():
    cache = {}

    def get(name: str):
        path = require_shared(REAL / name)
        if name in PINS:
            assert hashlib.sha256(path.read_bytes()).hexdigest() == PINS[name], f"{name} changed"
        if name not in cache:
            cache[name] = parse_document(path)
        return cache[name]

    return get


def cells(doc) -> dict[tuple[str, str, str], Decimal]:
    return {(f.table_code, f.row_code or f.row_label, f.measure): f.amount_yuan / 10_000 for f in doc.facts()}


# (table, row code or label, measure, 万元 as printed)
PUTUO_2024 = [
    ("income_expenditure_summary", "一般公共预算财政拨款收入", "income_amount", "2940.05"),
    ("income_expenditure_summary", "其他收入", "income_amount", "6.20"),
    ("income_expenditure_summary", "本年收入合计", "income_amount", "2946.25"),
    ("income_expenditure_summary", "使用非财政拨款结余（含专用结余）", "income_amount", "0"),
    ("income_expenditure_summary", "年初结转和结余", "income_amount", "49.14"),
    ("income_expenditure_summary", "总计", "income_amount", "2995.39"),
    ("income_expenditure_summary", "201", "expenditure_amount", "2106.66"),
    ("income_expenditure_summary", "208", "expenditure_amount", "326.71"),
    ("income_expenditure_summary", "210", "expenditure_amount", "60.99"),
    ("income_expenditure_summary", "221", "expenditure_amount", "445.69"),
    ("income_expenditure_summary", "本年支出合计", "expenditure_amount", "2940.05"),
    ("income_expenditure_summary", "结余分配", "expenditure_amount", "0"),
    ("income_expenditure_summary", "年末结转和结余", "expenditure_amount", "55.34"),
    ("income_expenditure_summary", "总计", "expenditure_amount", "2995.39"),
    ("income", "合计", "total_income", "2946.25"),
    ("income", "合计", "fiscal_appropriation_income", "2940.05"),
    ("income", "合计", "other_income", "6.20"),
    ("income", "2010601", "total_income", "1511.90"),
    ("income", "2010601", "fiscal_appropriation_income", "1511.89"),
    ("income", "2010601", "other_income", "0.01"),
    ("income", "208", "total_income", "326.72"),
    ("expenditure", "合计", "total_expenditure", "2940.05"),
    ("expenditure", "合计", "basic_expenditure", "2336.91"),
    ("expenditure", "合计", "project_expenditure", "603.14"),
    ("expenditure", "20805", "total_expenditure", "326.72"),
    ("expenditure", "2080501", "total_expenditure", "84.65"),
    ("expenditure", "2080505", "total_expenditure", "160.75"),
    ("expenditure", "2080506", "total_expenditure", "80.38"),
    ("expenditure", "2080599", "total_expenditure", "0.94"),
    ("fiscal_summary", "一般公共预算财政拨款", "income_amount", "2940.05"),
    ("fiscal_summary", "本年收入合计", "income_amount", "2940.05"),
    ("fiscal_summary", "年初财政拨款结转和结余", "income_amount", "21.63"),
    ("fiscal_summary", "总计", "income_amount", "2961.68"),
    ("fiscal_summary", "本年支出合计", "fiscal_total", "2940.05"),
    ("fiscal_summary", "总计", "fiscal_total", "2961.68"),
    ("fiscal_summary", "201", "general_budget", "2106.66"),
    ("gpb_expenditure", "合计", "total_expenditure", "2940.05"),
    ("gpb_expenditure", "合计", "basic_expenditure", "2336.91"),
    ("gpb_expenditure", "合计", "project_expenditure", "603.14"),
    ("gpb_expenditure", "2010601", "total_expenditure", "1511.89"),
    ("gpb_expenditure", "2010601", "basic_expenditure", "1503.52"),
    ("gpb_expenditure", "2010601", "project_expenditure", "8.37"),
    ("gpb_expenditure", "2101101", "total_expenditure", "60.99"),
    ("gpb_expenditure", "2210201", "total_expenditure", "187.19"),
    ("gpb_basic_expenditure", "人员经费合计", "personnel_expenditure", "2152.26"),
    ("gpb_basic_expenditure", "公用经费合计", "public_expenditure", "184.65"),
    ("gpb_basic_expenditure", "301", "personnel_expenditure", "2082.85"),
    ("gpb_basic_expenditure", "303", "personnel_expenditure", "69.41"),
    ("gpb_basic_expenditure", "302", "public_expenditure", "171.07"),
    ("gpb_basic_expenditure", "310", "public_expenditure", "13.58"),
    ("gpb_basic_expenditure", "31002", "public_expenditure", "13.58"),
    ("gpb_basic_expenditure", "30108", "personnel_expenditure", "160.75"),
    ("gpb_basic_expenditure", "30109", "personnel_expenditure", "80.38"),
    ("gpb_basic_expenditure", "30110", "personnel_expenditure", "60.99"),
    ("gpb_basic_expenditure", "30113", "personnel_expenditure", "187.19"),
    ("three_public", "", "three_public_budget", "0.95"),
    ("three_public", "", "reception_budget", "0.95"),
    ("three_public", "", "three_public_actual", "0"),
    ("three_public", "", "reception_actual", "0"),
]

FOSHAN_2019 = [
    ("income_expenditure_summary", "一般公共预算财政拨款收入", "income_amount", "1668.14"),
    ("income_expenditure_summary", "本年收入合计", "income_amount", "1668.14"),
    ("income_expenditure_summary", "用事业基金弥补收支差额", "income_amount", "0"),
    ("income_expenditure_summary", "本年支出合计", "expenditure_amount", "1668.14"),
    ("income_expenditure_summary", "年末结转和结余", "expenditure_amount", "0.01"),
    ("income_expenditure_summary", "总计", "income_amount", "1668.14"),
    ("income_expenditure_summary", "总计", "expenditure_amount", "1668.14"),
    ("income_expenditure_summary", "201", "expenditure_amount", "0"),
    ("expenditure", "合计", "total_expenditure", "1668.14"),
    ("expenditure", "合计", "basic_expenditure", "746.39"),
    ("expenditure", "合计", "project_expenditure", "921.75"),
    ("fiscal_summary", "本年收入合计", "income_amount", "1668.14"),
    ("fiscal_summary", "总计", "income_amount", "1668.14"),
    ("fiscal_summary", "本年支出合计", "fiscal_total", "1668.14"),
    ("fiscal_summary", "总计", "fiscal_total", "1668.14"),
    ("gpb_expenditure", "合计", "total_expenditure", "1668.14"),
    ("gpb_expenditure", "合计", "project_expenditure", "921.75"),
    ("gpb_expenditure", "21401", "total_expenditure", "1531.04"),
    ("income", "合计", "total_income", "1668.14"),
    ("income", "合计", "fiscal_appropriation_income", "1668.14"),
    ("income", "合计", "other_income", "0.01"),
    ("income", "208", "total_income", "76.23"),
    ("income", "20805", "total_income", "76.23"),
    ("income", "2140101", "total_income", "609.30"),
    ("expenditure", "2140101", "total_expenditure", "609.29"),
    ("expenditure", "2140102", "total_expenditure", "905.60"),
    ("expenditure", "2140199", "total_expenditure", "16.15"),
    ("expenditure", "21401", "total_expenditure", "1531.04"),
    ("expenditure", "2080505", "total_expenditure", "53.45"),
    ("gpb_expenditure", "合计", "basic_expenditure", "746.39"),
    ("gpb_basic_expenditure", "人员经费合计", "personnel_expenditure", "649.20"),
    ("gpb_basic_expenditure", "公用经费合计", "public_expenditure", "97.19"),
    ("gpb_basic_expenditure", "301", "personnel_expenditure", "649.20"),
    ("gpb_basic_expenditure", "30101", "personnel_expenditure", "301.79"),
    ("gpb_basic_expenditure", "30102", "personnel_expenditure", "63.04"),
    ("gpb_basic_expenditure", "30103", "personnel_expenditure", "92.38"),
    ("gpb_basic_expenditure", "30108", "personnel_expenditure", "47.01"),
    ("gpb_basic_expenditure", "302", "public_expenditure", "94.65"),
    ("gpb_basic_expenditure", "30201", "public_expenditure", "13.80"),
    ("gpb_basic_expenditure", "30202", "public_expenditure", "2.64"),
    ("gpb_basic_expenditure", "30203", "public_expenditure", "2.00"),
    ("gpb_basic_expenditure", "30217", "public_expenditure", "0.16"),
    ("gpb_basic_expenditure", "307", "public_expenditure", "0"),
    ("gpb_basic_expenditure", "310", "public_expenditure", "2.54"),
    ("gpb_basic_expenditure", "399", "public_expenditure", "0"),
    ("three_public", "", "three_public_budget", "0"),
    ("three_public", "", "three_public_actual", "0.16"),
    ("three_public", "", "reception_actual", "0.16"),
    ("three_public", "", "outbound_actual", "0"),
]


@pytest.mark.parametrize(
    ("name", "figures", "tables"),
    [
        (
            "sh_putuo_caizhengju_2024_final.pdf",
            PUTUO_2024,
            [
                "income_expenditure_summary",
                "income",
                "expenditure",
                "fiscal_summary",
                "gpb_expenditure",
                "gpb_basic_expenditure",
                "three_public",
                "gov_fund",
                "state_capital",
            ],
        ),
        (
            "foshan_guidaojiaotongju_2019_final.pdf",
            FOSHAN_2019,
            [
                "income_expenditure_summary",
                "income",
                "expenditure",
                "fiscal_summary",
                "gpb_expenditure",
                "gpb_basic_expenditure",
                "three_public",
                "gov_fund",
            ],
        ),
    ],
)
def test_every_table_found_and_golden_figures_exact(parsed, name, figures, tables):
    doc = parsed(name)
    assert [t.table_code for t in doc.tables] == tables
    got = cells(doc)
    wrong = [(t, r, m, v, got.get((t, r, m))) for t, r, m, v in figures if got.get((t, r, m)) != Decimal(v)]
    assert wrong == []
    assert len(figures) >= 40


def test_putuo_identity_and_empty_fund_tables(parsed):
    doc = parsed("sh_putuo_caizhengju_2024_final.pdf")
    row = doc.document_row()
    assert (
        row["department_name"],
        row["region"],
        row["fiscal_year"],
        row["doc_kind"],
        row["template_family"],
    ) == ("上海市普陀区财政局", "上海市普陀区", 2024, "final", "mof9")
    empty = {t.table_code: t for t in doc.tables if t.empty}
    assert set(empty) == {"gov_fund", "state_capital"}
    assert "故本表无数据" in empty["gov_fund"].notes[0]
    # split 类|款|项 columns joined; summary 类 rows keyed by code; 26 类 rows printed
    summary_classes = [f for f in doc.facts() if f.table_code == "income_expenditure_summary" and f.row_code]
    assert len(summary_classes) == 26
    assert any(f.row_code == "2010601" for f in doc.facts())


def test_foshan_identity_repeated_rows_and_zero_fund_table(parsed):
    doc = parsed("foshan_guidaojiaotongju_2019_final.pdf")
    row = doc.document_row()
    assert (row["department_name"], row["fiscal_year"], row["template_family"]) == (
        "佛山市轨道交通局",
        2019,
        "older8",
    )
    keys = [(f.table_code, f.row_code or f.row_label, f.column_label) for f in doc.facts()]
    assert len(keys) == len(set(keys)), "合计 rows repeated on continuation pages must be read once"
    gov_fund = next(t for t in doc.tables if t.table_code == "gov_fund")
    assert gov_fund.facts and all(f.amount_yuan == 0 and f.raw_text == "0.00" for f in gov_fund.facts)
    summary = next(t for t in doc.tables if t.table_code == "income_expenditure_summary")
    assert summary.pages == [5, 6, 7]
    assert len([f for f in summary.facts if f.row_code]) == 22  # 22 类 rows in 2019


def test_template_is_recognised_and_yields_no_facts(parsed):
    doc = parsed("sh_template_dept_final_2024_attachment2.pdf")
    assert doc.identity.is_template
    assert doc.facts() == [] and doc.figures == []


@pytest.mark.parametrize(
    ("name", "department", "year"),
    [
        ("sh_putuo_caizhengju_2025_budget_dept.pdf", "上海市普陀区财政局", 2025),
        ("jiangsu_jianchayuan_2018_budget_dept.pdf", "江苏省人民检察院", 2018),
    ],
)
def test_budget_disclosures_are_recognised_as_budgets_not_parsed(parsed, name, department, year):
    doc = parsed(name)
    row = doc.document_row()
    assert (row["doc_kind"], row["department_name"], row["fiscal_year"]) == ("budget", department, year)
    assert doc.facts() == []
