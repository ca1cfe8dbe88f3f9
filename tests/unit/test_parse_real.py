"""Golden tests on the published PDFs of ../shared/corpus/real (pinned by SHA-256).

The expected figures are the hand-verified ones of DOMAIN.md (§3 evidence columns, §4), checked against the
printed pages: every total row of every table and at least 40 figures per document, across all its tables.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest
from helpers.paths import SHARED, require_shared

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
    "guojia_xinfangju_2024_final.pdf": "b50c5c76deb5913253271042061f488d53e8cb9a47e3ea1bc521a9d1c01fc3e0",
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


"""国家信访局 2024年度部门决算 (central, 公开01表…公开09表 on pp.7-15), read off the printed pages.

The document's own inconsistencies (its footnote warns 本套报表金额单位转换时可能存在尾数误差):
every one is a 0.01 rounding gap, none beyond 0.01 × number of parts.
* 收入支出决算总表: Σ 类 (201 10685.56 + 205 180.03 + 208 2228.57 + 210 497.53
  + 221 980.85) = 14572.54 ≠ 本年支出合计 14572.53.
* 支出决算表: 合计 14572.53 ≠ Σ 类 14572.54 (same five 类);
  201 基本支出 7366.16 + 项目支出 3319.39 = 10685.55 ≠ 本年支出合计 10685.56;
  201 基本支出 Σ 项 (6026.13 + 799.43 + 540.61) = 7366.17 ≠ 7366.16;
  221 (and 22102) Σ 项 (586.32 + 63.52 + 331.00) = 980.84 ≠ 980.85.
* 财政拨款收入支出决算总表: 支出 side 本年支出合计 13733.80 + 年末财政拨款结转和结余 6993.74
  = 20727.54 ≠ 总计 20727.53 (收 side 19572.91 + 1154.62 = 20727.53 exact); equivalently
  年初 1154.62 + 收入 19572.91 − 支出 13733.80 = 6993.73 ≠ 6993.74.
* 一般公共预算财政拨款支出决算表: 合计 基本支出 10234.37 + 项目支出 3499.42 = 13733.79
  ≠ 小计 13733.80; Σ 类 基本支出 (6527.43 + 2228.57 + 497.53 + 980.85) = 10234.38
  ≠ 10234.37; 221 Σ 项 = 980.84 ≠ 980.85 (as in 支出决算表).
* 一般公共预算财政拨款基本支出决算表: 303 Σ 款 (537.43 + 257.54 + 154.88 + 1.09
  + 34.04) = 984.98 ≠ 984.97; 302 Σ 款 (21 款) = 2239.42 ≠ 2239.41;
  310 Σ 款 (24.67 + 2.58) = 27.25 ≠ 27.24.
* “三公”经费: 决算数 合计 46.21 ≠ 4.69 + 40.61 + 0.90 = 46.20.
Exact: 本年收入合计 20451.35 = 19572.91 + 878.44 = Σ 收入决算表 类; both 总计 22066.59;
年末结转和结余 7494.06 = 1615.24 + 20451.35 − 14572.53; 收入决算表 every 类/款 = Σ children;
301 Σ 款 = 6982.75; 人员经费合计 7967.72 = 301 + 303; 公用经费合计 2266.65 = 302 + 310;
7967.72 + 2266.65 = 10234.37 = 公开05表 合计 基本支出; 预算数 76.43 = 30.00 + 40.63 + 5.80.
"""

# (table, row code or label, measure, 万元 as printed)
GUOJIA_2024 = [
    # 公开01表 收入支出决算总表
    ("income_expenditure_summary", "一般公共预算财政拨款收入", "income_amount", "19572.91"),
    ("income_expenditure_summary", "其他收入", "income_amount", "878.44"),
    ("income_expenditure_summary", "本年收入合计", "income_amount", "20451.35"),
    ("income_expenditure_summary", "使用非财政拨款结余", "income_amount", "0"),
    ("income_expenditure_summary", "年初结转和结余", "income_amount", "1615.24"),
    ("income_expenditure_summary", "总计", "income_amount", "22066.59"),
    ("income_expenditure_summary", "201", "expenditure_amount", "10685.56"),
    ("income_expenditure_summary", "205", "expenditure_amount", "180.03"),
    ("income_expenditure_summary", "208", "expenditure_amount", "2228.57"),
    ("income_expenditure_summary", "210", "expenditure_amount", "497.53"),
    ("income_expenditure_summary", "221", "expenditure_amount", "980.85"),
    ("income_expenditure_summary", "本年支出合计", "expenditure_amount", "14572.53"),  # Σ 类 = 14572.54
    ("income_expenditure_summary", "结余分配", "expenditure_amount", "0"),
    ("income_expenditure_summary", "年末结转和结余", "expenditure_amount", "7494.06"),
    ("income_expenditure_summary", "总计", "expenditure_amount", "22066.59"),
    # 公开02表 收入决算表
    ("income", "合计", "total_income", "20451.35"),
    ("income", "合计", "fiscal_appropriation_income", "19572.91"),
    ("income", "合计", "other_income", "878.44"),
    ("income", "201", "total_income", "16770.89"),
    ("income", "201", "fiscal_appropriation_income", "15892.45"),
    ("income", "201", "other_income", "878.44"),
    ("income", "20140", "total_income", "16770.89"),
    ("income", "2014001", "total_income", "6000.76"),
    ("income", "2014001", "fiscal_appropriation_income", "5732.26"),
    ("income", "2014001", "other_income", "268.50"),
    ("income", "2014002", "total_income", "33.00"),
    ("income", "2014003", "total_income", "839.13"),
    ("income", "2014003", "fiscal_appropriation_income", "229.19"),
    ("income", "2014003", "other_income", "609.94"),
    ("income", "2014004", "fiscal_appropriation_income", "2124.72"),
    ("income", "2014099", "total_income", "7773.28"),
    ("income", "205", "total_income", "140.61"),
    ("income", "2050803", "fiscal_appropriation_income", "140.61"),
    ("income", "208", "total_income", "2026.32"),
    ("income", "20805", "fiscal_appropriation_income", "2026.32"),
    ("income", "2080501", "total_income", "1028.48"),
    ("income", "2080503", "total_income", "211.51"),
    ("income", "2080505", "total_income", "414.34"),
    ("income", "2080506", "total_income", "371.99"),
    ("income", "210", "total_income", "497.53"),
    ("income", "2101101", "fiscal_appropriation_income", "497.53"),
    ("income", "221", "total_income", "1016.00"),
    ("income", "2210201", "total_income", "620.00"),
    ("income", "2210202", "total_income", "65.00"),
    ("income", "2210203", "fiscal_appropriation_income", "331.00"),
    # 公开03表 支出决算表
    ("expenditure", "合计", "total_expenditure", "14572.53"),
    ("expenditure", "合计", "basic_expenditure", "11073.11"),
    ("expenditure", "合计", "project_expenditure", "3499.42"),
    ("expenditure", "201", "total_expenditure", "10685.56"),  # 基本 + 项目 = 10685.55
    ("expenditure", "201", "basic_expenditure", "7366.16"),  # Σ 项 = 7366.17
    ("expenditure", "201", "project_expenditure", "3319.39"),
    ("expenditure", "20140", "total_expenditure", "10685.56"),
    ("expenditure", "2014001", "total_expenditure", "6026.13"),
    ("expenditure", "2014001", "basic_expenditure", "6026.13"),
    ("expenditure", "2014002", "project_expenditure", "4.70"),
    ("expenditure", "2014003", "basic_expenditure", "799.43"),
    ("expenditure", "2014004", "project_expenditure", "2066.84"),
    ("expenditure", "2014099", "total_expenditure", "1788.46"),
    ("expenditure", "2014099", "basic_expenditure", "540.61"),
    ("expenditure", "2014099", "project_expenditure", "1247.85"),
    ("expenditure", "205", "project_expenditure", "180.03"),
    ("expenditure", "2050803", "total_expenditure", "180.03"),
    ("expenditure", "208", "total_expenditure", "2228.57"),
    ("expenditure", "2080505", "total_expenditure", "659.05"),
    ("expenditure", "2080506", "basic_expenditure", "329.53"),
    ("expenditure", "210", "total_expenditure", "497.53"),
    ("expenditure", "221", "total_expenditure", "980.85"),  # Σ 项 = 980.84
    ("expenditure", "2210201", "total_expenditure", "586.32"),
    ("expenditure", "2210202", "basic_expenditure", "63.52"),
    ("expenditure", "2210203", "total_expenditure", "331.00"),
    # 公开04表 财政拨款收入支出决算总表
    ("fiscal_summary", "一般公共预算财政拨款", "income_amount", "19572.91"),
    ("fiscal_summary", "本年收入合计", "income_amount", "19572.91"),
    ("fiscal_summary", "年初财政拨款结转和结余", "income_amount", "1154.62"),
    ("fiscal_summary", "年初财政拨款结转和结余/一般公共预算财政拨款", "income_amount", "1154.62"),
    ("fiscal_summary", "总计", "income_amount", "20727.53"),
    ("fiscal_summary", "201", "fiscal_total", "9846.82"),
    ("fiscal_summary", "201", "general_budget", "9846.82"),
    ("fiscal_summary", "205", "fiscal_total", "180.03"),
    ("fiscal_summary", "208", "general_budget", "2228.57"),
    ("fiscal_summary", "210", "fiscal_total", "497.53"),
    ("fiscal_summary", "221", "general_budget", "980.85"),
    ("fiscal_summary", "本年支出合计", "fiscal_total", "13733.80"),
    ("fiscal_summary", "本年支出合计", "general_budget", "13733.80"),
    ("fiscal_summary", "年末财政拨款结转和结余", "fiscal_total", "6993.74"),
    ("fiscal_summary", "年末财政拨款结转和结余", "general_budget", "6993.74"),
    ("fiscal_summary", "总计", "fiscal_total", "20727.53"),  # 13733.80 + 6993.74 = 20727.54
    ("fiscal_summary", "总计", "general_budget", "20727.53"),
    # 公开05表 一般公共预算财政拨款支出决算表
    ("gpb_expenditure", "合计", "total_expenditure", "13733.80"),  # 基本 + 项目 = 13733.79
    ("gpb_expenditure", "合计", "basic_expenditure", "10234.37"),
    ("gpb_expenditure", "合计", "project_expenditure", "3499.42"),
    ("gpb_expenditure", "201", "total_expenditure", "9846.82"),
    ("gpb_expenditure", "201", "basic_expenditure", "6527.43"),
    ("gpb_expenditure", "201", "project_expenditure", "3319.39"),
    ("gpb_expenditure", "2014001", "total_expenditure", "5757.63"),
    ("gpb_expenditure", "2014001", "basic_expenditure", "5757.63"),
    ("gpb_expenditure", "2014002", "project_expenditure", "4.70"),
    ("gpb_expenditure", "2014003", "total_expenditure", "229.19"),
    ("gpb_expenditure", "2014004", "total_expenditure", "2066.84"),
    ("gpb_expenditure", "2014099", "total_expenditure", "1788.46"),
    ("gpb_expenditure", "2014099", "basic_expenditure", "540.61"),
    ("gpb_expenditure", "2014099", "project_expenditure", "1247.85"),
    ("gpb_expenditure", "20508", "project_expenditure", "180.03"),
    ("gpb_expenditure", "20805", "basic_expenditure", "2228.57"),
    ("gpb_expenditure", "2080501", "total_expenditure", "1028.48"),
    ("gpb_expenditure", "2080503", "basic_expenditure", "211.51"),
    ("gpb_expenditure", "2101101", "total_expenditure", "497.53"),
    ("gpb_expenditure", "22102", "total_expenditure", "980.85"),
    ("gpb_expenditure", "2210201", "basic_expenditure", "586.32"),
    # 公开06表 基本支出决算表: 人员经费 pane | 公用经费 302 pane | 公用经费 307/310/399 pane
    ("gpb_basic_expenditure", "人员经费合计", "personnel_expenditure", "7967.72"),
    ("gpb_basic_expenditure", "公用经费合计", "public_expenditure", "2266.65"),
    ("gpb_basic_expenditure", "301", "personnel_expenditure", "6982.75"),
    ("gpb_basic_expenditure", "30101", "personnel_expenditure", "1857.40"),
    ("gpb_basic_expenditure", "30102", "personnel_expenditure", "2603.59"),
    ("gpb_basic_expenditure", "30103", "personnel_expenditure", "143.61"),
    ("gpb_basic_expenditure", "30108", "personnel_expenditure", "659.05"),
    ("gpb_basic_expenditure", "30109", "personnel_expenditure", "329.53"),
    ("gpb_basic_expenditure", "30113", "personnel_expenditure", "586.32"),
    ("gpb_basic_expenditure", "30114", "personnel_expenditure", "497.53"),
    ("gpb_basic_expenditure", "30199", "personnel_expenditure", "305.72"),
    ("gpb_basic_expenditure", "303", "personnel_expenditure", "984.97"),  # Σ 款 = 984.98
    ("gpb_basic_expenditure", "30301", "personnel_expenditure", "537.43"),
    ("gpb_basic_expenditure", "30302", "personnel_expenditure", "257.54"),
    ("gpb_basic_expenditure", "30304", "personnel_expenditure", "154.88"),
    ("gpb_basic_expenditure", "30309", "personnel_expenditure", "1.09"),
    ("gpb_basic_expenditure", "30399", "personnel_expenditure", "34.04"),
    ("gpb_basic_expenditure", "302", "public_expenditure", "2239.41"),  # Σ 款 = 2239.42
    ("gpb_basic_expenditure", "30201", "public_expenditure", "83.92"),
    ("gpb_basic_expenditure", "30203", "public_expenditure", "1.55"),
    ("gpb_basic_expenditure", "30204", "public_expenditure", "0.66"),
    ("gpb_basic_expenditure", "30206", "public_expenditure", "205.05"),
    ("gpb_basic_expenditure", "30209", "public_expenditure", "439.44"),
    ("gpb_basic_expenditure", "30213", "public_expenditure", "90.60"),
    ("gpb_basic_expenditure", "30217", "public_expenditure", "0.90"),
    ("gpb_basic_expenditure", "30226", "public_expenditure", "62.00"),
    ("gpb_basic_expenditure", "30228", "public_expenditure", "133.00"),
    ("gpb_basic_expenditure", "30231", "public_expenditure", "40.61"),
    ("gpb_basic_expenditure", "30239", "public_expenditure", "321.42"),
    ("gpb_basic_expenditure", "30299", "public_expenditure", "484.52"),
    ("gpb_basic_expenditure", "310", "public_expenditure", "27.24"),  # Σ 款 = 27.25
    ("gpb_basic_expenditure", "31002", "public_expenditure", "24.67"),
    ("gpb_basic_expenditure", "31099", "public_expenditure", "2.58"),
    # 公开09表 “三公”经费: 预算数 block (columns 1-6) then 决算数 block (columns 7-12)
    ("three_public", "", "three_public_budget", "76.43"),
    ("three_public", "", "outbound_budget", "30.00"),
    ("three_public", "", "vehicle_total_budget", "40.63"),
    ("three_public", "", "vehicle_purchase_budget", "0"),
    ("three_public", "", "vehicle_operation_budget", "40.63"),
    ("three_public", "", "reception_budget", "5.80"),
    ("three_public", "", "three_public_actual", "46.21"),  # 4.69 + 40.61 + 0.90 = 46.20
    ("three_public", "", "outbound_actual", "4.69"),
    ("three_public", "", "vehicle_total_actual", "40.61"),
    ("three_public", "", "vehicle_purchase_actual", "0"),
    ("three_public", "", "vehicle_operation_actual", "40.61"),
    ("three_public", "", "reception_actual", "0.90"),
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
        (
            "guojia_xinfangju_2024_final.pdf",
            GUOJIA_2024,
            [
                "income_expenditure_summary",
                "income",
                "expenditure",
                "fiscal_summary",
                "gpb_expenditure",
                "gpb_basic_expenditure",
                "gov_fund",
                "state_capital_expenditure",
                "three_public",
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


def test_central_identity_and_empty_tables(parsed):
    doc = parsed("guojia_xinfangju_2024_final.pdf")
    row = doc.document_row()
    assert row["region"] in ("", "中央")
    assert (
        row["department_name"],
        row["fiscal_year"],
        row["doc_kind"],
        row["template_family"],
    ) == ("国家信访局", 2024, "final", "central9")
    empty = {t.table_code: t for t in doc.tables if t.empty}
    assert set(empty) == {"gov_fund", "state_capital_expenditure"}
    for code in ("gov_fund", "state_capital_expenditure"):
        assert any("故本表无数据" in note for note in empty[code].notes), code
    keys = [(f.table_code, f.row_code or f.row_label, f.column_label) for f in doc.facts()]
    assert len(keys) == len(set(keys)), "every printed cell must be read once"
    # the 5 类 rows with amounts on the 支出 side of 公开01表
    summary = next(t for t in doc.tables if t.table_code == "income_expenditure_summary")
    summary_classes = {f.row_code for f in summary.facts if f.row_code}
    assert {"201", "205", "208", "210", "221"} <= summary_classes


def test_template_is_recognised_and_yields_no_facts(parsed):
    doc = parsed("sh_template_dept_final_2024_attachment2.pdf")
    assert doc.identity.is_template
    assert doc.facts() == [] and doc.figures == []


@pytest.mark.parametrize(
    ("name", "department", "year", "family", "tables"),
    [
        ("sh_putuo_caizhengju_2025_budget_dept.pdf", "上海市普陀区财政局", 2025, "budget9", 9),
        # the older Jiangsu template: the 12 its 目录 lists
        ("jiangsu_jianchayuan_2018_budget_dept.pdf", "江苏省人民检察院", 2018, "budget_jiangsu12", 12),
    ],
)
def test_budget_disclosures_are_read_as_budgets_with_the_budget_tables(
    parsed, name, department, year, family, tables
):
    doc = parsed(name)
    row = doc.document_row()
    assert (row["doc_kind"], row["department_name"], row["fiscal_year"]) == ("budget", department, year)
    codes = {t.table_code for t in doc.tables}
    assert doc.template_family == family
    assert len(codes) == tables and all(code.startswith("budget_") for code in codes)
    assert set(doc.listed) <= codes  # every table its own 目录 lists
