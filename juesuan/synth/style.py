"""How one document looks: everything that varies between regions, years and word processors.

A style is drawn once per document from the family's habits (DOMAIN.md §5) and recorded in the truth, so a
parser failure can be traced to the variation that caused it.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass

FONTS = {
    # name: (file, subfont index) — TrueType collections from Debian's fonts-wqy-* and fonts-arphic-uming
    "WenQuanYiZenHei": ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    "WenQuanYiMicroHei": ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    "ARPLUMingCN": ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
}
A4 = (595.28, 841.89)


@dataclass(frozen=True)
class Style:
    family: str
    unit: str = "万元"
    thousands: bool = False
    zero: str = "0.00"
    function_code: str = "single"  # single: one 7-digit column | split: 类 | 款 | 项 columns
    economic_code: str = "single"  # single: 30101 | split: 类 | 款
    table_label: str = "none"  # none | 公开NN表 | 表N
    title_prefix: str = "none"  # none | ordinal (一、…) | year (2023年度…)
    unit_line: str = "单位：万元"  # a template; {unit} and {department} are filled in
    total_first: bool = True  # 合计 as the first function row (FS19) or the last (TPL-SH gpb_expenditure)
    lineno: bool = False  # 行次 column on two-sided tables
    lanci: bool = False  # 栏次 row under the header
    continuation: str = "marker"  # marker: 续表 + header | title: title + header | title_total: + 合计 row
    ruling: str = "lines"  # lines | rects
    landscape_tables: str = "wide"  # all | wide | none
    font: str = "WenQuanYiZenHei"
    digit_font: str = "same"  # same | Helvetica | Times-Roman
    name_width: float = 150.0  # points for the 科目名称 column: narrow widths make names wrap
    empty_style: str = "note"  # note: grid + 注：…故本表无数据 | zeros: every cell 0.00 (FS19 gov_fund)
    three_public_layout: str = (
        "paired"  # paired: item / 预算数|决算数 (Shanghai) | blocks: 预算数 / items (FS19)
    )
    pane_headers: bool = False  # 人员经费 || 公用经费 pane row on gpb_basic (FS19)
    full_economic_list: bool = True  # print the whole standard 款 list even when empty
    letter_spaced: bool = False  # 项    目 style headers
    page_numbers: str = "dash"  # dash: - 3 - | plain | none
    narrative_trim: bool = True  # 6.3 万元 rather than 6.30 万元
    percent_places: int = 2
    charts: bool = False  # Sichuan: charts whose data labels leak into the text
    summary_classes: str = "classes24"
    group_headers: bool = False  # print the catalogue's optional group headers (本年支出 over 小计|基本|项目)
    optional_columns: bool = False  # print the catalogue's optional columns (会议费, 培训费 beside the 三公)
    producer: str = "plain"  # how the PDF is written: juesuan.synth.producers.PRODUCERS (DOMAIN.md §5.4)

    def as_dict(self) -> dict:
        return asdict(self)


def draw_style(rng: random.Random, family: str, year: int) -> Style:
    """A plausible style for a document of ``family``; every knob varies across a corpus."""
    common = dict(
        unit=rng.choice(("万元", "万元", "万元", "元")),
        thousands=rng.random() < 0.4,
        zero=rng.choice(("blank", "0.00", "-")),
        function_code=rng.choice(("single", "split")),
        economic_code=rng.choice(("single", "split")),
        font=rng.choice(tuple(FONTS)),
        digit_font=rng.choice(("same", "same", "Helvetica", "Times-Roman")),
        name_width=rng.choice((105.0, 130.0, 160.0)),
        continuation=rng.choice(("marker", "title", "title_total")),
        ruling=rng.choice(("lines", "rects")),
        letter_spaced=rng.random() < 0.3,
        page_numbers=rng.choice(("dash", "plain", "none")),
        narrative_trim=rng.random() < 0.7,
    )
    if family == "sichuan13":
        return Style(
            family=family,
            table_label="公开NN表",
            unit_line=rng.choice(("金额单位：{unit}", "单位：{unit}")),
            total_first=True,
            lineno=True,
            lanci=True,
            landscape_tables=rng.choice(("wide", "all", "none")),
            three_public_layout="blocks",
            full_economic_list=rng.random() < 0.5,
            percent_places=1,
            charts=True,
            summary_classes="classes24",
            empty_style="note",
            **common,
        )
    if family == "older8":
        return Style(
            family=family,
            table_label="表N",
            unit_line="部门：{department} 单位：{unit}",
            total_first=True,
            lineno=True,
            lanci=True,
            landscape_tables="all",
            three_public_layout="blocks",
            pane_headers=True,
            empty_style=rng.choice(("note", "zeros")),
            percent_places=rng.choice((1, 2)),
            summary_classes="classes22",
            **common,
        )
    return Style(
        family=family,
        table_label="none",
        title_prefix=rng.choice(("none", "ordinal", "year")),
        unit_line="单位：{unit}",
        total_first=rng.random() < 0.5,
        lineno=False,
        lanci=False,
        landscape_tables=rng.choice(("wide", "all")),
        three_public_layout="paired",
        percent_places=2,
        summary_classes=rng.choice(("classes24", "classes26")) if year >= 2020 else "classes22",
        empty_style="note",
        **common,
    )
