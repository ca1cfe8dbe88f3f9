"""The rules that read budgets (部门预算) as the crawled regions print them, on the printed words."""

from __future__ import annotations

import pytest

from juesuan.parse.tables import BRACKETED, header_key
from juesuan.parse.titles import match_title
from juesuan.reference import department_id, load_catalogue
from juesuan.reference.identity import canonical_name


@pytest.mark.parametrize(
    ("printed", "table"),
    [
        ("2026年预算单位财务收支预算总表", "budget_income_expenditure_summary"),  # 上海
        ("表1：2026年市级部门收支预算总表", "budget_income_expenditure_summary"),  # 杭州
        ("公开01表 收支总表", "budget_income_expenditure_summary"),  # 苏州
        ("2026年度收支预算总表", "budget_income_expenditure_summary"),  # 福建
        ("2026年预算单位一般公共预算支出功能分类预算表", "budget_gpb_expenditure"),
        ("一般公共预算支出表（按功能分类）", "budget_gpb_expenditure"),  # 深圳 表7
        ("一般公共预算支出表（按经济分类）", "budget_gpb_expenditure_economic"),  # 深圳 表8
        ("一般公共预算基本支出情况表（按经济分类科目）", "budget_gpb_basic_expenditure"),  # 广东
        ("一般公共预算项目支出情况表（按经济分类科目）", "budget_gpb_project_expenditure_economic"),
        (
            "2021年部门综合预算一般公共预算支出明细表（按支出功能分类科目-不含上年结转）",
            "budget_gpb_expenditure",
        ),
        ("2026年单位“三公”经费和机关运行经费预算表", "budget_three_public"),
        ('2026年市级部门一般公共预算"三公"经费支出表', "budget_three_public"),  # 湖州, ASCII quotes
        ("财政拨款安排的行政经费及“三公”经费预算表", "budget_three_public"),
        ("项目支出总表", "budget_project_expenditure"),  # not 支出总表 with a 项目 prefix
        ("2026年部门收支总体情况表", "budget_income_expenditure_summary"),
        ("2026年财政拨款收支总体情况表", "budget_fiscal_summary"),
    ],
)
def test_budget_titles_name_their_table_in_a_budget_and_nothing_in_a_final(printed, table):
    assert match_title(printed, None, "budget") == table
    assert match_title(printed, None, "final") is None


def test_final_titles_name_nothing_in_a_budget():
    for table in load_catalogue().tables_of("final"):
        for title in table.titles:
            assert match_title(title, None, "budget") is None, title
            assert match_title(title, None, "final") == table.id, title


def test_a_header_drops_the_documents_own_year_and_its_qizhong_only():
    assert header_key("2026年预算数", 2026) == "预算数"
    assert header_key("2025年预算数", 2026) == "2025年预算数"  # 烟台: last year's budget beside this year's
    assert header_key("其中：基本支出", 2026) == "基本支出"
    assert header_key("2026年度预算数") == "预算数"  # without a year, for telling header rows from data


def test_a_code_printed_inside_the_name_is_the_rows_code():
    m = BRACKETED.match("[2014001]行政运行")
    assert m and m.groups() == ("2014001", "行政运行")
    assert BRACKETED.match("[30101]基本工资").group(1) == "30101"
    assert BRACKETED.match("[2014]行政运行") is None  # not a classification code


def test_a_set_qualifier_or_a_declared_former_name_keys_the_same_department():
    assert department_id("深圳市医疗保障局（本级）", "深圳市") == department_id("深圳市医疗保障局", "深圳市")
    assert department_id("西安市审计局(汇总)", "西安市") == department_id("西安市审计局", "西安市")
    assert canonical_name("某市旧名局", {"某市旧名局": "某市新名局"}) == "某市新名局"
    assert department_id("某市旧名局", "某市") != department_id("某市新名局", "某市")  # not declared
