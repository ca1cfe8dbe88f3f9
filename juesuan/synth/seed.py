"""The seed disclosure (攀枝花市东区电子政务建设服务中心 2023年度部门决算) as a real PDF.

Its narrative is the seed text, line by line, verbatim and in order, read from the shared corpus at build
time (the text itself is not kept in this repository). Its 第五部分 holds the 13 Sichuan tables, built from a
ledger whose hidden 元 amounts were chosen so that every figure the narrative states is what the tables
print, rounding included (DOMAIN.md §3.4):

* 基本支出 173.11 + 项目支出 46.88 = 219.99 against 本年支出合计 219.98, and the 网信事务 项 sum to 168.90
  against the 201 类 168.89: genuine rounding tails, within the published-rounding tolerance;
* 行政单位医疗 (2101101) is 8.13 in the tables although the narrative states 13.55 (the three 210 项 must
  sum to the 类 13.55): a real inconsistency of the narrative, left for reconciliation to report;
* 年初结转和结余 0.09 (220.07 − 219.98), while the attached report says 累计结转结余 0.08.

``python -m juesuan.synth.seed --text ../shared/corpus/seed/000_dac8e1c6e90fb209.txt --out data/raw/samples``
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
from decimal import Decimal
from pathlib import Path

from juesuan.synth.corpus import Generated, build, write
from juesuan.synth.ledger import (
    GENERAL,
    GOV_FUND,
    STATE_CAPITAL,
    Department,
    ItemLine,
    Ledger,
    OtherFacts,
    PreviousYear,
)
from juesuan.synth.model import Paragraph
from juesuan.synth.style import Style

SEED_SHA256 = "964c47a1b628520edec1527f8fb1a3b97ee0976a91594be5df55be6ef8f980e1"
SEED_NAME = "panzhihua_dongqu_dianzizhengwu_2023_final"
DEPARTMENT = Department(
    name="攀枝花市东区电子政务建设服务中心",
    region="攀枝花市东区",
    unit_kind="参公",
    main_class="201",
    units=("攀枝花市东区电子政务建设服务中心",),
)
PART = re.compile(r"^第[一二三四五六七八九十]+部分")
SECTION = re.compile(r"^[一二三四五六七八九十]+、\s*\S{2,24}$")


def fen(wan: str) -> int:
    """万元 (with sub-cent hidden precision) to fen."""
    return int(Decimal(wan) * 1_000_000)


def seed_ledger() -> Ledger:
    """The seed department's 2023 books; see the module docstring for why each odd figure is what it is."""
    items = [
        ItemLine("2013701", fiscal_basic=fen("107.8465")),
        ItemLine("2013704", fiscal_project=fen("45.0085")),
        ItemLine("2013750", fiscal_basic=fen("14.1655")),
        ItemLine("2013799", fiscal_project=fen("1.8675")),
        ItemLine("2080505", fiscal_basic=fen("17.26")),
        ItemLine("2080506", fiscal_basic=fen("7.16")),
        ItemLine("2101101", fiscal_basic=fen("8.13")),
        ItemLine("2101102", fiscal_basic=fen("1.09")),
        ItemLine("2101103", fiscal_basic=fen("4.33")),
        ItemLine("2210201", fiscal_basic=fen("13.124")),
    ]
    for item in items:
        item.fiscal_income = item.fiscal_expenditure
    items[0].fiscal_opening = items[0].fiscal_closing = fen("0.09")
    personnel = {
        c: fen(v)
        for c, v in {
            "30101": "34.775",
            "30102": "33.04",
            "30103": "35.13",
            "30107": "4.05",
            "30108": "17.26",
            "30109": "7.16",
            "30110": "9.22",
            "30111": "4.33",
            "30112": "0.31",
            "30113": "13.124",
            "30199": "3.35",
        }.items()
    }
    public = {
        c: fen(v)
        for c, v in {
            "30201": "1.00",
            "30202": "0.04",
            "30205": "0.02",
            "30207": "0.69",
            "30213": "0.29",
            "30226": "1.05",
            "30227": "0.09",
            "30228": "1.88",
            "30239": "6.297",
        }.items()
    }
    project_econ = {"30214": fen("27.32"), "30227": fen("10.296"), "31002": fen("9.26")}
    zero_tp = {"outbound": 0, "vehicle_purchase": 0, "vehicle_operation": 0, "reception": 0}
    ledger = Ledger(
        department=DEPARTMENT,
        year=2023,
        items=items,
        personnel=personnel,
        public=public,
        project_econ=project_econ,
        fund_project_econ={},
        fiscal_opening={GENERAL: fen("0.09"), GOV_FUND: 0, STATE_CAPITAL: 0},
        fiscal_closing={GENERAL: fen("0.09"), GOV_FUND: 0, STATE_CAPITAL: 0},
        nonfiscal_opening=0,
        nonfiscal_closing=0,
        three_public_budget=dict(zero_tp),
        three_public_actual=dict(zero_tp),
        # 2022 as the narrative implies: 220.07 + 42.29, 219.98 + 42.29, 11.36 + 0.56
        previous=PreviousYear(
            fen("262.36"),
            fen("262.36"),
            fen("262.27"),
            fen("144.26"),
            fen("121.02"),
            dict(zero_tp),
            fen("11.92"),
        ),
        other=OtherFacts(procurement_goods=fen("9.26"), projects_evaluated=2, self_score=93),
    )
    ledger.check()
    return ledger


SEED_STYLE = Style(
    family="sichuan13",
    unit="万元",
    thousands=False,
    zero="0.00",
    function_code="single",
    economic_code="single",
    table_label="公开NN表",
    unit_line="金额单位：{unit}",
    total_first=True,
    lineno=True,
    lanci=True,
    continuation="title",
    ruling="lines",
    landscape_tables="wide",
    font="WenQuanYiZenHei",
    digit_font="same",
    name_width=150.0,
    three_public_layout="blocks",
    full_economic_list=True,
    percent_places=1,
    charts=False,
    summary_classes="classes24",
)


def seed_paragraphs(text: str) -> list[Paragraph]:
    """The seed text's lines up to 第五部分 (whose title list the tables part prints itself)."""
    out = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("第五部分"):
            break
        kind = "part" if PART.match(line) else "section" if SECTION.match(line) else "line"
        out.append(Paragraph(text=line, kind=kind))
    return out


def read_seed_text(path: Path) -> str:
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != SEED_SHA256:
        raise ValueError(f"{path}: sha256 {digest} is not the pinned seed text {SEED_SHA256}")
    return data.decode("utf-8")


def build_seed(text_path: Path) -> Generated:
    paragraphs = seed_paragraphs(read_seed_text(text_path))
    return build(
        seed_ledger(),
        SEED_STYLE,
        random.Random("juesuan:seed"),
        name=SEED_NAME,
        generator={"seed": "seed-disclosure"},
        narrative=paragraphs,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m juesuan.synth.seed", description=__doc__.splitlines()[0])
    parser.add_argument("--text", type=Path, required=True, help="the seed text (shared/corpus/seed/…txt)")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    path = write(build_seed(args.text), args.out)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
