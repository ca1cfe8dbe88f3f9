"""How one document looks: everything that varies between regions, years and word processors.

A style is drawn once per document from the family's habits (DOMAIN.md §5) and recorded in the truth, so a
parser failure can be traced to the variation that caused it.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, replace

from juesuan.reference import load_catalogue

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
    # note: grid + 注：…故本表无数据 | zeros: every cell 0.00 (FS19 gov_fund) | total_row: a 合计 line printed
    # blank and the notes 注：本表反映… and 说明：…故本表无数据 (国家信访局)
    empty_style: str = "note"
    # paired: item / 预算数|决算数 (Shanghai) | blocks: 预算数 / items (FS19, central) | transposed: the
    # items as columns, one row 预算数 and one row 决算数 under a 项目 column (DOMAIN.md §5.4)
    three_public_layout: str = "paired"
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
    # header words (the catalogue's header_words): the code column of function and economic tables, the
    # name column
    code_word: str = "功能分类科目编码"
    economic_code_word: str = "经济分类科目编码"
    name_word: str = "科目名称"
    basic_panes: int = 2  # 3: 人员经费 | 公用经费 | 公用经费, the 公用经费 rows over two panes (central)
    lineno_all_rows: bool = False  # 行次 on every line of the summaries, blank lines too (central)
    lanci_three_public: bool = False  # a 栏次 row of bare column numbers under the 三公 header (central)
    label_position: str = "above"  # the 公开NN表/表N label above the title, or below it (central)
    # plain: a 目录 of parts and tables | leaders: parts, sections and tables with dot leaders and page
    # numbers (国家信访局 p. 2) | none: no 目录 page
    contents: str = "plain"
    table_sets: int = 1  # 2: a 汇总 set of tables, then a 本级 set from a second ledger
    second_set: str = ""  # qualifier: titles end in （本级） | department: a 部门 line names the unit

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
    if family == "central9":
        # 国家信访局 2024: 公开NN表 under the title, 部门 line, 科目代码, 行次 on every summary line, 栏次
        # rows, 本年支出 over 小计|基本|项目, 基本支出 in three panes, 三公 as 预算数 then 决算数 blocks
        return Style(
            family=family,
            table_label="公开NN表",
            label_position="below",
            unit_line="部门：{department} 金额单位：{unit}",
            total_first=True,
            lineno=True,
            lineno_all_rows=True,
            lanci=True,
            lanci_three_public=True,
            landscape_tables=rng.choice(("wide", "all")),
            three_public_layout="blocks",
            pane_headers=True,
            basic_panes=3,
            group_headers=True,
            code_word="科目代码",
            empty_style=rng.choice(("note", "total_row")),
            percent_places=2,
            summary_classes="classes26",
            contents="leaders",
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


FUNCTION_CODE_WORDS = ("功能分类科目编码", "科目编码", "科目代码", "支出功能分类科目编码")
ECONOMIC_CODE_WORDS = ("经济分类科目编码", "科目编码", "科目代码")
NAME_WORDS = ("科目名称", "名称", "项目")  # 项目 names the column only where no 项目 heads code and name
CONTENTS = ("leaders", "leaders", "leaders", "plain", "plain", "none")


def draw_variants(rng: random.Random, style: Style) -> Style:
    """The variations real documents showed after the first families were written (DOMAIN.md §5.4):
    header words, the transposed 三公 and its 会议费/培训费 columns, the 本年支出 group, the 目录 with page
    numbers, and a second set of tables. Drawn from their own stream, after :func:`draw_style`, so the
    families' draws stay as they were; documents drawn without them (the committed samples) keep the
    defaults."""
    words = load_catalogue().header_words
    central = style.family == "central9"
    code_words = [w for w in FUNCTION_CODE_WORDS if w in words.code]
    code_word = "科目代码" if central and rng.random() < 0.5 else rng.choice(code_words)
    economic_word = rng.choice([w for w in ECONOMIC_CODE_WORDS if w in words.code])
    name_word = rng.choice([w for w in NAME_WORDS if w in words.name])
    layout = style.three_public_layout
    if rng.random() < 0.2:
        layout = "transposed"
    optional_columns = rng.random() < 0.25
    group_headers = style.group_headers or rng.random() < 0.15
    contents = style.contents if central and rng.random() < 0.9 else rng.choice(CONTENTS)
    empty_style = style.empty_style
    if empty_style == "note" and rng.random() < 0.25:  # PT-CZJ too prints an empty table's blank 合计 line
        empty_style = "total_row"
    table_sets, second_set = 1, ""
    if style.family != "sichuan13" and rng.random() < 0.08:
        table_sets, second_set = 2, rng.choice(("qualifier", "department"))
    return replace(
        style,
        code_word=code_word,
        economic_code_word=economic_word,
        name_word=name_word,
        three_public_layout=layout,
        optional_columns=optional_columns,
        group_headers=group_headers,
        contents=contents,
        empty_style=empty_style,
        table_sets=table_sets,
        second_set=second_set,
    )
