"""Table blocks of one document, built from its ledger, its style and the catalogue.

Every value cell carries its truth (a :class:`Fact`) from the moment it is built, so what the truth says and
what the PDF prints cannot drift apart: the renderer only adds the page and the box.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from reportlab.pdfbase.pdfmetrics import stringWidth

from juesuan.reference import economic_classes, function_classes, load_catalogue
from juesuan.reference.catalogue import ColumnNode, Side, TableSpec
from juesuan.synth.ledger import FUNDS, GENERAL, GOV_FUND, STATE_CAPITAL, Ledger
from juesuan.synth.model import Cell, Column, Fact, HeaderCell, Row, TableBlock
from juesuan.synth.printer import AmountPrinter
from juesuan.synth.render import BODY_SIZE, register_fonts
from juesuan.synth.style import Style

ORDINALS = "一二三四五六七八九十"
# what an empty fund table's 说明 says the body does not have (国家信访局's wording)
CENTRAL_EMPTY = {
    "gov_fund": ("政府性基金收入", "政府性基金"),
    "state_capital": ("国有资本经营预算", "国有资本经营预算"),
    "state_capital_expenditure": ("国有资本经营预算", "国有资本经营预算"),
}

PORTRAIT_WIDTH = 515.0
LANDSCAPE_WIDTH = 762.0
MIN_VALUE_WIDTH = 52.0
Values = dict[str, int]  # measure -> fen


def chinese_ordinal(n: int) -> str:
    """1 -> 一, 10 -> 十, 13 -> 十三, 24 -> 二十四."""
    if n <= 10:
        return ORDINALS[n - 1]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else ORDINALS[tens - 1]
    return head + "十" + (ORDINALS[ones - 1] if ones else "")


@dataclass
class SideEntry:
    """A line of one half of a two-sided table. ``path`` names sub-rows after their parent line
    (年初财政拨款结转和结余/一般公共预算财政拨款), so that no two lines of a half share a label."""

    code: str | None
    label: str
    values: Values
    prefix: str = ""
    indent: float = 0.0
    path: str | None = None


@dataclass
class FunctionNode:
    code: str
    name: str
    values: Values


class TableBuilder:
    """Builds the table blocks of one document."""

    def __init__(
        self, ledger: Ledger, style: Style, rng: random.Random, qualifier: str = "", scope: str = ""
    ):
        """``qualifier`` ends every title (（本级）); ``scope`` names the set of tables in the truth."""
        self.ledger = ledger
        self.qualifier = qualifier
        self.scope = scope
        self.style = style
        self.rng = rng
        self.year = ledger.year
        self.catalogue = load_catalogue()
        self.printer = AmountPrinter(unit=style.unit, thousands=style.thousands, zero=style.zero)
        self.fc = function_classes()
        self.ec = economic_classes()
        family_tables = self.catalogue.families[style.family].tables
        self.position = {t: i + 1 for i, t in enumerate(family_tables)}
        register_fonts()
        self.value_font = style.font if style.digit_font == "same" else style.digit_font

    # -- entry point -------------------------------------------------------------------------------
    def build(self) -> list[TableBlock]:
        builders: dict[str, Callable[[TableSpec], TableBlock]] = {
            "income_expenditure_summary": self.summary,
            "income": self.income,
            "expenditure": self.expenditure,
            "fiscal_summary": self.fiscal_summary,
            "fiscal_expenditure_detail": self.fiscal_expenditure_detail,
            "gpb_expenditure": self.gpb_expenditure,
            "gpb_expenditure_detail": self.gpb_expenditure_detail,
            "gpb_basic_expenditure": self.gpb_basic,
            "gpb_project_expenditure": self.gpb_project,
            "three_public": self.three_public,
            "gov_fund": self.gov_fund,
            "state_capital": self.state_capital,
            "state_capital_expenditure": self.state_capital_expenditure,
        }
        return [
            builders[t](self.catalogue.table(t)) for t in self.catalogue.families[self.style.family].tables
        ]

    # -- titles and labels -------------------------------------------------------------------------
    def title(self, spec: TableSpec) -> str:
        title = self.name(spec)
        if self.style.title_prefix == "ordinal":
            return f"{chinese_ordinal(self.position[spec.id])}、{title}"
        if self.style.title_prefix == "year":
            return f"{self.year}年度{title}"
        return title

    def name(self, spec: TableSpec) -> str:
        """The title without prefixes (as a 目录 lists it), with the set's qualifier."""
        title = spec.title
        if spec.id == "three_public" and self.style.family in ("older8", "central9"):
            title = "一般公共预算财政拨款“三公”经费支出决算表"
        if spec.id == "three_public" and self.style.optional_columns:
            title = title.replace("“三公”经费支出", "“三公”经费及会议费、培训费支出")
        return title + self.qualifier

    def label(self, spec: TableSpec) -> str | None:
        n = self.position[spec.id]
        return {"公开NN表": f"公开{n:02d}表", "表N": f"表{n}"}.get(self.style.table_label)

    def pick(self, node: ColumnNode, grouped: bool = False) -> str:
        """A header label for a node: the canonical one mostly, an alias sometimes (as regions differ);
        under a printed group header (本年支出) the total is often 小计 (国家信访局)."""
        if grouped and "小计" in node.labels and self.rng.random() < 0.5:
            return "小计"
        if len(node.labels) > 1 and self.rng.random() < 0.3:
            return node.labels[1]
        if self.style.family == "older8" and "金额" in node.labels:
            return "金额"
        return node.labels[0]

    def spaced(self, text: str) -> str:
        if self.style.letter_spaced and len(text) == 2:
            return f"{text[0]}    {text[1]}"
        return text

    # -- cells ---------------------------------------------------------------------------------------
    def value_cell(self, block: TableBlock, col: int, fen: int, row_code: str | None, row_label: str) -> Cell:
        raw = self.printer.text(fen)
        fact = Fact(
            table_code=block.table_code,
            table_title=block.title,
            row_code=row_code,
            row_label=row_label,
            column_label=block.column_label(col),
            measure=block.columns[col].measure or "",
            amount_yuan=self.printer.amount_yuan(fen),
            raw_text=raw,
            source_unit=self.style.unit,
            scope=self.scope,
        )
        return Cell(text=raw, fact=fact, align="right")

    def zero_fact_cell(self, block: TableBlock, col: int, row_code: str | None, row_label: str) -> Cell:
        """A cell printed as 0.00 whatever the zero style (FS19's all-zero gov_fund table)."""
        cell = self.value_cell(block, col, 0, row_code, row_label)
        cell.text = cell.fact.raw_text = "0.00"
        return cell

    # -- layout helpers ------------------------------------------------------------------------------
    def code_columns(self, scheme: str) -> list[Column]:
        split = (self.style.function_code if scheme == "function" else self.style.economic_code) == "split"
        if not split:
            return [Column("code", 62.0 if scheme == "function" else 55.0)]
        return [Column("code", 28.0) for _ in range(3 if scheme == "function" else 2)]

    def code_texts(self, scheme: str, code: str) -> list[str]:
        split = (self.style.function_code if scheme == "function" else self.style.economic_code) == "split"
        if not split:
            return [code]
        if scheme == "function":
            return [code[:3], code[3:5], code[5:7]]
        return [code[:3], code[3:5]]

    def value_columns(
        self, nodes: tuple[ColumnNode, ...]
    ) -> tuple[list[Column], list[tuple[str, int, int, int]]]:
        """Leaf columns of a header tree and its header cells as (text, depth, first leaf, leaf count)."""
        columns: list[Column] = []
        cells: list[tuple[str, int, int, int]] = []

        def walk(node: ColumnNode, depth: int, grouped: bool = False) -> None:
            if not node.applies_to(self.year):
                return
            if node.optional and not self.style.optional_columns:
                return
            if node.optional_group and not self.style.group_headers:
                for child in node.children:
                    walk(child, depth)
                return
            start = len(columns)
            if node.children:
                for child in node.children:
                    walk(child, depth + 1, grouped=node.optional_group)
            else:
                columns.append(Column("value", MIN_VALUE_WIDTH, measure=node.measure))
            cells.append((self.pick(node, grouped), depth, start, len(columns) - start))

        for node in nodes:
            walk(node, 0)
        return columns, cells

    def one_sided(
        self, spec: TableSpec, scheme: str, nodes: tuple[ColumnNode, ...] | None = None
    ) -> TableBlock:
        """An empty block with the code/name columns of ``scheme`` and the value-column tree."""
        code_cols = self.code_columns(scheme)
        value_cols, value_cells = self.value_columns(nodes if nodes is not None else spec.columns)
        depth = max(d for _, d, _, _ in value_cells) + 1
        split = len(code_cols) > 1
        code_rows = 3 if split else 2
        rows = max(depth, code_rows)
        columns = [*code_cols, Column("name", self.style.name_width), *value_cols]
        n_code = len(code_cols)
        header = [HeaderCell(self.spaced("项目"), 0, 0, 1, n_code + 1)]
        code_head = self.style.code_word if scheme == "function" else self.style.economic_code_word
        # under a 项目 heading the name column is never called 项目 again
        name_head = "科目名称" if self.style.name_word == "项目" else self.style.name_word
        if split:
            header.append(HeaderCell(code_head, 1, 0, 1, n_code))
            header.append(HeaderCell(name_head, 1, n_code, rows - 1, 1))
            parts = ["类", "款", "项"][:n_code]
            header += [HeaderCell(p, 2, i, rows - 2, 1) for i, p in enumerate(parts)]
        else:
            header.append(HeaderCell(code_head, 1, 0, rows - 1, 1))
            header.append(HeaderCell(name_head, 1, 1, rows - 1, 1))
        header += self.value_header(value_cells, rows, offset=n_code + 1)
        return self.block(spec, columns, header, rows)

    @staticmethod
    def value_header(
        value_cells: list[tuple[str, int, int, int]], rows: int, offset: int
    ) -> list[HeaderCell]:
        """Header cells of a value-column tree; leaves reach down to the last header row."""
        out = []
        for text, d, start, span in value_cells:
            is_leaf = span == 1 and not any(s == start and dd > d for _, dd, s, _ in value_cells)
            out.append(HeaderCell(text, d, offset + start, rows - d if is_leaf else 1, span))
        return out

    def block(
        self, spec: TableSpec, columns: list[Column], header: list[HeaderCell], rows: int
    ) -> TableBlock:
        unit_text = self.style.unit_line.format(unit=self.style.unit, department=self.ledger.department.name)
        if "部门：" in unit_text:
            left, right = unit_text.split(" ", 1)
        else:
            left = f"编制单位：{self.ledger.department.name}" if self.style.family == "sichuan13" else ""
            right = unit_text
        return TableBlock(
            table_code=spec.id,
            title=self.title(spec),
            label=self.label(spec),
            unit_left=left,
            unit_right=right,
            columns=columns,
            header=header,
            header_rows=rows,
            rows=[],
            notes=[f"注：{spec.note}"],
            scope=self.scope,
            name=self.name(spec),
        )

    def finish(self, block: TableBlock) -> TableBlock:
        """Size value columns to their widest text and choose the page orientation."""
        size = BODY_SIZE
        for i, col in enumerate(block.columns):
            if col.kind != "value":
                continue
            widest = max((stringWidth(r.cells[i].text, self.value_font, size) for r in block.rows), default=0)
            col.width = max(col.width, widest + 10)
        total = sum(c.width for c in block.columns)
        mode = self.style.landscape_tables
        block.landscape = (
            mode == "all" or (mode == "wide" and total > PORTRAIT_WIDTH) or total > LANDSCAPE_WIDTH
        )
        available = LANDSCAPE_WIDTH if block.landscape else PORTRAIT_WIDTH
        if total > available:
            # shrink names first (they wrap), then values down to their text
            names = [c for c in block.columns if c.kind == "name"]
            for c in names:
                c.width = max(80.0, c.width - (total - available) / len(names))
        elif mode != "none":
            spare = available - total
            values = [c for c in block.columns if c.kind == "value"]
            for c in values:
                c.width += min(spare / max(1, len(values)), 40.0)
        if self.style.lanci:
            self.add_lanci(block)
        return block

    def add_lanci(self, block: TableBlock) -> None:
        """The 栏次 row numbering value columns (FS19, Sichuan): drawn under the header, never data. A table
        without a name column (三公) gets a row of bare numbers where the style says so (central)."""
        if not any(c.kind == "name" for c in block.columns):
            if self.style.lanci_three_public and block.table_code == "three_public":
                block.lanci = [str(i + 1) for i in range(len(block.columns))]
            return
        texts: list[str] = []
        n = 0
        for col in block.columns:
            if col.kind == "value":
                n += 1
                texts.append(str(n))
            elif col.kind == "name":
                texts.append(self.spaced("栏次"))
            else:
                texts.append("")
        block.lanci = texts

    # -- function-classified tables ------------------------------------------------------------------
    def function_nodes(self, per_item: dict[str, Values]) -> list[FunctionNode]:
        """类, 款 and 项 rows in print order (DFS by code), each summing its 项 in fen."""
        sums: dict[str, Values] = {}
        for code, values in per_item.items():
            for prefix in (code[:3], code[:5], code):
                acc = sums.setdefault(prefix, {})
                for m, v in values.items():
                    acc[m] = acc.get(m, 0) + v
        return [FunctionNode(c, self.fc.name(c, self.year) or c, sums[c]) for c in sorted(sums)]

    def function_rows(
        self, block: TableBlock, per_item: dict[str, Values], total: Values | None = None, zeros: bool = False
    ) -> None:
        nodes = self.function_nodes(per_item)
        if total is None:
            total = {}
            for values in per_item.values():
                for m, v in values.items():
                    total[m] = total.get(m, 0) + v
        value_idx = [i for i, c in enumerate(block.columns) if c.kind == "value"]
        n_code = sum(1 for c in block.columns if c.kind == "code")

        def make(code: str | None, label: str, values: Values, indent: float) -> Row:
            cells: list[Cell] = (
                [Cell(t, align="center") for t in self.code_texts("function", code)]
                if code
                else [Cell("") for _ in range(n_code)]
            )
            cells.append(Cell(label, align="center" if code is None else "left", indent=indent))
            for i in value_idx:
                m = block.columns[i].measure or ""
                if zeros:
                    cells.append(self.zero_fact_cell(block, i, code, label))
                else:
                    cells.append(self.value_cell(block, i, values.get(m, 0), code, label))
            return Row(cells=cells, bold=code is None)

        total_row = make(None, "合计", total, 0)
        body = [make(n.code, n.name, n.values, {3: 0, 5: 8, 7: 16}[len(n.code)]) for n in nodes]
        if self.style.total_first or block.table_code != "gpb_expenditure":
            total_row.repeat = self.style.continuation == "title_total"
            block.rows = [total_row, *body]
        else:
            block.rows = [*body, total_row]

    def income(self, spec: TableSpec) -> TableBlock:
        block = self.one_sided(spec, "function")
        per_item = {}
        for i in self.ledger.items:
            if i.income == 0:
                continue
            v = {"total_income": i.income, "fiscal_appropriation_income": i.fiscal_income}
            v.update(i.other_income)
            per_item[i.code] = v
        self.function_rows(block, per_item)
        return self.finish(block)

    def expenditure(self, spec: TableSpec) -> TableBlock:
        block = self.one_sided(spec, "function")
        per_item = {
            i.code: {
                "total_expenditure": i.expenditure,
                "basic_expenditure": i.basic,
                "project_expenditure": i.project,
            }
            for i in self.ledger.items
            if i.expenditure
        }
        self.function_rows(block, per_item)
        return self.finish(block)

    def gpb_expenditure(self, spec: TableSpec) -> TableBlock:
        block = self.one_sided(spec, "function")
        per_item = {
            i.code: {
                "total_expenditure": i.fiscal_expenditure,
                "basic_expenditure": i.fiscal_basic,
                "project_expenditure": i.fiscal_project,
            }
            for i in self.ledger.fund_items(GENERAL)
            if i.fiscal_expenditure
        }
        self.function_rows(block, per_item)
        return self.finish(block)

    def fund_table(self, spec: TableSpec, fund: str) -> TableBlock:
        block = self.one_sided(spec, "function")
        lines = [i for i in self.ledger.fund_items(fund) if i.fiscal_expenditure or i.fiscal_income]
        if lines:
            per_item = {
                i.code: {
                    "opening_balance": i.fiscal_opening,
                    "fund_income": i.fiscal_income,
                    "total_expenditure": i.fiscal_expenditure,
                    "basic_expenditure": i.fiscal_basic,
                    "project_expenditure": i.fiscal_project,
                    "closing_balance": i.fiscal_closing,
                }
                for i in lines
            }
            self.function_rows(block, per_item)
            return self.finish(block)
        return self.empty(block, spec, allow_zeros=fund == GOV_FUND)

    def empty(self, block: TableBlock, spec: TableSpec, allow_zeros: bool) -> TableBlock:
        block.empty = True
        if self.style.empty_style == "total_row":
            # 国家信访局: the 合计 line printed blank, the table's note and a 说明 saying there is no data
            n_code = sum(1 for c in block.columns if c.kind == "code")
            cells = [Cell("") for _ in range(n_code)] + [Cell("合计", align="center")]
            for i, col in enumerate(block.columns):
                if col.kind == "value":
                    cell = self.value_cell(block, i, 0, None, "合计")
                    cell.text = cell.fact.raw_text = ""
                    cells.append(cell)
            block.rows = [Row(cells=cells, bold=True)]
            had, used = CENTRAL_EMPTY[spec.id]
            name = self.ledger.department.name
            said = f"{name}没有{had}，也没有使用{used}安排的支出，故本表无数据。"
            if self.rng.random() < 0.5:  # the template's longer wording, often wrapped onto a second line
                said = (spec.empty_note or "").format(department=name, year=self.year)
            block.notes = [f"注：{spec.note}", f"说明：{said}"]
            return self.finish(block)
        if allow_zeros and self.style.empty_style == "zeros":
            # FS19: no note, fund rows printed with 0.00 in every cell
            codes = {"2296003": {}} if self.year <= 2019 else {"2296002": {}}
            self.function_rows(block, codes, total={}, zeros=True)
            block.empty = False
            return self.finish(block)
        n = len(block.columns)
        block.rows = [Row(cells=[Cell("") for _ in range(n)]) for _ in range(self.rng.randint(2, 4))]
        note = (spec.empty_note or "").format(department=self.ledger.department.name, year=self.year)
        lead = "说明：" if self.style.family == "mof9" and self.rng.random() < 0.5 else "注："
        block.notes = [f"{lead}{note}"]
        return self.finish(block)

    def gov_fund(self, spec: TableSpec) -> TableBlock:
        return self.fund_table(spec, GOV_FUND)

    def state_capital(self, spec: TableSpec) -> TableBlock:
        return self.fund_table(spec, STATE_CAPITAL)

    def state_capital_expenditure(self, spec: TableSpec) -> TableBlock:
        block = self.one_sided(spec, "function")
        return self.empty(block, spec, allow_zeros=False)

    # -- economic tables --------------------------------------------------------------------------------
    def economic_rows(self, block: TableBlock, per_code: dict[str, Values], with_total: bool = True) -> None:
        sums: dict[str, Values] = {}
        total: Values = {}
        for code, values in per_code.items():
            for key in (code[:3], code):
                acc = sums.setdefault(key, {})
                for m, v in values.items():
                    acc[m] = acc.get(m, 0) + v
            for m, v in values.items():
                total[m] = total.get(m, 0) + v
        value_idx = [i for i, c in enumerate(block.columns) if c.kind == "value"]
        n_code = sum(1 for c in block.columns if c.kind == "code")
        rows = []
        if with_total:
            cells = [Cell("") for _ in range(n_code)] + [Cell("合计", align="center")]
            cells += [
                self.value_cell(block, i, total.get(block.columns[i].measure or "", 0), None, "合计")
                for i in value_idx
            ]
            rows.append(Row(cells=cells, bold=True, repeat=self.style.continuation == "title_total"))
        for code in sorted(sums):
            name = self.ec.name(code, self.year) or code
            cells = [Cell(t, align="center") for t in self.code_texts("economic", code)]
            cells.append(Cell(name, indent=0 if len(code) == 3 else 8))
            cells += [
                self.value_cell(block, i, sums[code].get(block.columns[i].measure or "", 0), code, name)
                for i in value_idx
            ]
            rows.append(Row(cells=cells))
        block.rows = rows

    def detail_by_economic(self, spec: TableSpec, include_fund: bool) -> TableBlock:
        block = self.one_sided(spec, "economic")
        per: dict[str, Values] = {}

        def add(code: str, measure: str, fen: int) -> None:
            v = per.setdefault(code, {})
            v[measure] = v.get(measure, 0) + fen
            v["total_expenditure"] = v.get("total_expenditure", 0) + fen

        for code, fen in self.ledger.personnel.items():
            add(code, "personnel_expenditure", fen)
        for code, fen in self.ledger.public.items():
            add(code, "public_expenditure", fen)
        for code, fen in self.ledger.project_econ.items():
            add(code, "project_expenditure", fen)
        if include_fund:
            for code, fen in self.ledger.fund_project_econ.items():
                add(code, "project_expenditure", fen)
        self.economic_rows(block, per)
        return self.finish(block)

    def fiscal_expenditure_detail(self, spec: TableSpec) -> TableBlock:
        return self.detail_by_economic(spec, include_fund=True)

    def gpb_expenditure_detail(self, spec: TableSpec) -> TableBlock:
        return self.detail_by_economic(spec, include_fund=False)

    def gpb_project(self, spec: TableSpec) -> TableBlock:
        block = self.one_sided(spec, "economic")
        self.economic_rows(
            block, {c: {"project_expenditure": v} for c, v in self.ledger.project_econ.items()}
        )
        return self.finish(block)

    # -- three_public ---------------------------------------------------------------------------------------
    def three_public(self, spec: TableSpec) -> TableBlock:
        if self.style.three_public_layout == "transposed":
            return self.three_public_transposed(spec)
        nodes = spec.columns
        if self.style.three_public_layout == "blocks":
            nodes = self.phase_blocks(spec.columns)
        value_cols, value_cells = self.value_columns(nodes)
        rows = max(d for _, d, _, _ in value_cells) + 1
        block = self.block(spec, value_cols, self.value_header(value_cells, rows, offset=0), rows)
        amounts = self.three_public_amounts()
        cells = [
            self.value_cell(block, i, amounts[c.measure or ""], None, "") for i, c in enumerate(value_cols)
        ]
        block.rows = [Row(cells=cells)]
        return self.finish(block)

    def three_public_amounts(self) -> dict[str, int]:
        L = self.ledger
        amounts = {}
        for phase, src, extra in (
            ("budget", L.three_public_budget, L.meeting_training_budget),
            ("actual", L.three_public_actual, L.meeting_training_actual),
        ):
            amounts[f"outbound_{phase}"] = src["outbound"]
            amounts[f"vehicle_purchase_{phase}"] = src["vehicle_purchase"]
            amounts[f"vehicle_operation_{phase}"] = src["vehicle_operation"]
            amounts[f"vehicle_total_{phase}"] = src["vehicle_purchase"] + src["vehicle_operation"]
            amounts[f"reception_{phase}"] = src["reception"]
            amounts[f"three_public_{phase}"] = sum(src.values())
            amounts[f"meeting_{phase}"] = extra.get("meeting", 0)
            amounts[f"training_{phase}"] = extra.get("training", 0)
        return amounts

    def three_public_transposed(self, spec: TableSpec) -> TableBlock:
        """Items as columns, a 预算数 row and a 决算数 row under a 项目 column (DOMAIN.md §5.4). The parser
        ends each column's header path with the row's label; so does the truth (row label empty)."""
        value_cols, value_cells = self.value_columns(self.items_only(spec.columns))
        rows = max(d for _, d, _, _ in value_cells) + 1
        columns = [Column("name", 64.0), *value_cols]
        header = [HeaderCell(self.spaced("项目"), 0, 0, rows, 1)]
        header += self.value_header(value_cells, rows, offset=1)
        block = self.block(spec, columns, header, rows)
        amounts = self.three_public_amounts()
        for phase, printed in (("budget", "预算数"), ("actual", "决算数")):
            cells = [Cell(printed, align="center")]
            for i, col in enumerate(block.columns):
                if col.kind != "value":
                    continue
                measure = (col.measure or "").removesuffix("_budget") + f"_{phase}"
                cell = self.value_cell(block, i, amounts[measure], None, "")
                cell.fact.measure = measure
                cell.fact.column_label = f"{cell.fact.column_label}/{printed}"
                cells.append(cell)
            block.rows.append(Row(cells=cells))
        return self.finish(block)

    @staticmethod
    def items_only(nodes: tuple[ColumnNode, ...]) -> tuple[ColumnNode, ...]:
        """The 三公 tree without its 预算数|决算数 leaves: each item a leaf carrying its budget measure."""

        def cut(node: ColumnNode) -> ColumnNode:
            if node.children and all(not c.children for c in node.children):
                budget = next(c for c in node.children if c.label == "预算数")
                return ColumnNode(labels=node.labels, measure=budget.measure, optional=node.optional)
            children = tuple(cut(c) for c in node.children)
            return ColumnNode(labels=node.labels, children=children, optional=node.optional)

        return tuple(cut(n) for n in nodes)

    @staticmethod
    def phase_blocks(nodes: tuple[ColumnNode, ...]) -> tuple[ColumnNode, ...]:
        """Turn items/预算数|决算数 into 预算数/items and 决算数/items (FS19's layout)."""

        def restrict(node: ColumnNode, phase: str) -> ColumnNode:
            if node.children and all(not c.children for c in node.children):
                leaf = next(c for c in node.children if c.label == phase)
                return ColumnNode(labels=node.labels, measure=leaf.measure, optional=node.optional)
            children = tuple(restrict(c, phase) for c in node.children)
            return ColumnNode(labels=node.labels, children=children, optional=node.optional)

        return tuple(
            ColumnNode(labels=(phase,), children=tuple(restrict(n, phase) for n in nodes))
            for phase in ("预算数", "决算数")
        )

    # -- two-sided tables ------------------------------------------------------------------------------
    def two_sided(
        self, spec: TableSpec, side_cols: list[list[Column]], side_headers: list[list[HeaderCell]], rows: int
    ) -> TableBlock:
        columns: list[Column] = []
        header: list[HeaderCell] = []
        for cols, cells in zip(side_cols, side_headers, strict=True):
            offset = len(columns)
            columns += cols
            header += [HeaderCell(h.text, h.row, h.col + offset, h.rowspan, h.colspan) for h in cells]
        return self.block(spec, columns, header, rows)

    def summary_side(self, side: Side, with_top: bool) -> tuple[list[Column], list[HeaderCell], int]:
        value_cols, value_cells = self.value_columns(side.columns)
        cols = [Column("name", self.style.name_width + 40)]
        if self.style.lineno:
            cols.append(Column("lineno", 30.0))
        cols += value_cols
        top = 1 if with_top else 0
        header = [HeaderCell(side.label, 0, 0, 1, len(cols))] if with_top else []
        header.append(HeaderCell(self.spaced("项目"), top, 0, 1, 1))
        if self.style.lineno:
            header.append(HeaderCell(self.spaced("行次"), top, 1, 1, 1))
        first = 2 if self.style.lineno else 1
        for text, _d, start, span in value_cells:
            header.append(HeaderCell(text, top, first + start, 1, span))
        return cols, header, top + 1

    def paired_rows(
        self,
        block: TableBlock,
        left: list[SideEntry],
        right: list[SideEntry],
        left_footer: list[SideEntry],
        right_footer: list[SideEntry],
    ) -> None:
        """Lay the two halves side by side; footers pair at the bottom."""
        halves = self.halves(block)
        n_main = max(len(left), len(right))
        left = left + [None] * (n_main - len(left))
        right = right + [None] * (n_main - len(right))
        lineno = {"n": 0}
        left_count = len([x for x in left + left_footer if x])

        def side_cells(side: int, entry: SideEntry | None, number: int | None) -> list[Cell]:
            cols = halves[side]
            if entry is None:
                cells = [Cell("") for _ in cols]
                if number is not None and self.style.lineno:
                    cells[1] = Cell(str(number), align="center")
                return cells
            code, label, values = entry.code, entry.path or entry.label, entry.values
            cells = [Cell(f"{entry.prefix}{entry.label}", indent=entry.indent)]
            if self.style.lineno:
                cells.append(Cell(str(number), align="center"))
            for i in cols[1 + int(self.style.lineno) :]:
                m = block.columns[i].measure or ""
                cells.append(self.value_cell(block, i, values.get(m, 0), code, label))
            return cells

        rows = []
        pairs = [*zip(left, right, strict=True), *zip(left_footer, right_footer, strict=True)]
        for k, (le, ri) in enumerate(pairs):
            ln = rn = None
            if self.style.lineno_all_rows:
                # 国家信访局: every line numbered, blank ones too; the right half continues the left's count
                ln, rn = k + 1, len(pairs) + k + 1
            else:
                if le:
                    lineno["n"] += 1
                    ln = lineno["n"]
                if ri:
                    rn = left_count + sum(1 for r in rows if r.cells[len(halves[0])].text) + 1
            rows.append(Row(cells=side_cells(0, le, ln) + side_cells(1, ri, rn)))
        block.rows = rows

    @staticmethod
    def halves(block: TableBlock) -> list[list[int]]:
        """Column indices of the left and right halves (each starts with a name column)."""
        starts = [i for i, c in enumerate(block.columns) if c.kind == "name"]
        return [list(range(starts[0], starts[1])), list(range(starts[1], len(block.columns)))]

    def class_entries(self, values_by_class: dict[str, Values]) -> list[SideEntry]:
        codes = self.catalogue.summary_class_sets[self.style.summary_classes]
        return [
            SideEntry(
                c, self.fc.name(c, self.year) or c, values_by_class.get(c, {}), f"{chinese_ordinal(i + 1)}、"
            )
            for i, c in enumerate(codes)
        ]

    def footer_entries(self, scheme: str, values: dict[str, Values]) -> list[SideEntry]:
        """Footer lines of a half; sub-lines are named by their parent's label."""
        out = []
        labels: dict[str, str] = {}
        for r in self.catalogue.rows(scheme, self.year):
            label = r.labels[0]
            if r.key == "nonfiscal_balance_used":
                label = r.labels[2] if self.year <= 2019 else r.labels[self.rng.randint(0, 1)]
            labels[r.key] = label
            path = f"{labels[r.parent]}/{label}" if r.parent else None
            out.append(SideEntry(None, label, values.get(r.key, {}), indent=14 if r.parent else 0, path=path))
        return out

    def summary(self, spec: TableSpec) -> TableBlock:
        lc, lh, rows = self.summary_side(spec.sides[0], True)
        rc, rh, _ = self.summary_side(spec.sides[1], True)
        block = self.two_sided(spec, [lc, rc], [lh, rh], rows)
        L = self.ledger
        income = L.income_by_source()
        left = [
            SideEntry(None, r.labels[0], {"income_amount": income[r.key]}, f"{chinese_ordinal(i + 1)}、")
            for i, r in enumerate(self.catalogue.rows("summary_income", self.year))
        ]
        by_class: dict[str, Values] = {}
        for i in L.items:
            v = by_class.setdefault(i.code[:3], {"expenditure_amount": 0})
            v["expenditure_amount"] += i.expenditure
        right = self.class_entries(by_class)
        self.check_classes(by_class)
        lf = self.footer_entries(
            "summary_income_footer",
            {
                k: {"income_amount": v}
                for k, v in {
                    "total_income": L.total_income,
                    "nonfiscal_balance_used": L.nonfiscal_used,
                    "opening_balance": L.opening,
                    "grand_total": L.grand_total,
                }.items()
            },
        )
        rf = self.footer_entries(
            "summary_expenditure_footer",
            {
                k: {"expenditure_amount": v}
                for k, v in {
                    "total_expenditure": L.total_expenditure,
                    "surplus_distribution": L.surplus_distribution,
                    "closing_balance": L.closing,
                    "grand_total": L.total_expenditure + L.surplus_distribution + L.closing,
                }.items()
            },
        )
        self.paired_rows(block, left, right, lf, rf)
        return self.finish(block)

    def check_classes(self, by_class: dict[str, Values]) -> None:
        printed = set(self.catalogue.summary_class_sets[self.style.summary_classes])
        missing = set(by_class) - printed
        assert not missing, f"classes {missing} spent on but not printed in {self.style.summary_classes}"

    def fiscal_summary(self, spec: TableSpec) -> TableBlock:
        lc, lh, rows = self.summary_side(spec.sides[0], True)
        rc, rh, _ = self.summary_side(spec.sides[1], True)
        block = self.two_sided(spec, [lc, rc], [lh, rh], rows)
        L = self.ledger
        funds = [f for f in FUNDS if f != STATE_CAPITAL or self.year >= 2020]
        key = {GENERAL: "general_budget", GOV_FUND: "government_fund", STATE_CAPITAL: "state_capital"}
        left = [
            SideEntry(None, r.labels[0], {"income_amount": L.fiscal_income(f)}, f"{chinese_ordinal(i + 1)}、")
            for i, (r, f) in enumerate(
                zip(self.catalogue.rows("fiscal_income", self.year), funds, strict=True)
            )
        ]
        by_class: dict[str, Values] = {}
        for i in L.items:
            if not i.fiscal_expenditure:
                continue
            v = by_class.setdefault(i.code[:3], {})
            v["fiscal_total"] = v.get("fiscal_total", 0) + i.fiscal_expenditure
            v[key[i.fund]] = v.get(key[i.fund], 0) + i.fiscal_expenditure
        right = self.class_entries(by_class)
        opening = sum(L.fiscal_opening.values())
        lf_values = {
            "total_income": L.fiscal_total_income,
            "opening_balance": opening,
            "grand_total": L.fiscal_grand_total,
        }
        for f in funds:
            lf_values[f"opening_{key[f]}"] = L.fiscal_opening[f]
        lf = self.footer_entries(
            "fiscal_income_footer", {k: {"income_amount": v} for k, v in lf_values.items()}
        )
        closing = sum(L.fiscal_closing.values())
        rf_values: dict[str, Values] = {
            "total_expenditure": {
                "fiscal_total": L.fiscal_total_expenditure,
                **{key[f]: L.fiscal_expenditure(f) for f in funds},
            },
            "closing_balance": {"fiscal_total": closing, **{key[f]: L.fiscal_closing[f] for f in funds}},
            "grand_total": {
                "fiscal_total": L.fiscal_total_expenditure + closing,
                **{key[f]: L.fiscal_expenditure(f) + L.fiscal_closing[f] for f in funds},
            },
        }
        for f in funds:
            rf_values[f"closing_{key[f]}"] = {
                "fiscal_total": L.fiscal_closing[f],
                key[f]: L.fiscal_closing[f],
            }
        rf = self.footer_entries("fiscal_expenditure_footer", rf_values)
        self.paired_rows(block, left, right, lf, rf)
        return self.finish(block)

    def gpb_basic(self, spec: TableSpec) -> TableBlock:
        L = self.ledger
        personnel = (("301", "303"), L.personnel, "人员经费合计", 0)
        if self.style.basic_panes == 3:
            # 国家信访局: 人员经费 | 公用经费 | 公用经费, the 公用经费 rows over two panes under one header
            panes = [
                personnel,
                (("302",), L.public, "", 1),
                (("307", "310", "399"), L.public, "公用经费合计", 1),
            ]
        else:
            public = ("302", "310", "307", "399") if self.style.family == "older8" else ("302", "310")
            panes = [personnel, (public, L.public, "公用经费合计", 1)]
        top = 1 if self.style.pane_headers else 0
        split = self.style.economic_code == "split"
        rows = top + (2 if split else 1)
        columns: list[Column] = []
        header: list[HeaderCell] = []
        pane_cols: list[list[int]] = []
        for p, (_classes, _amounts, _total, side_index) in enumerate(panes):
            side = spec.sides[side_index]
            value_cols, value_cells = self.value_columns(side.columns)
            code_cols = self.code_columns("economic")
            cols = [*code_cols, Column("name", self.style.name_width), *value_cols]
            offset = len(columns)
            if top and (p == 0 or panes[p - 1][3] != side_index):
                # one pane header over this pane and the next ones of the same side (panes are equally wide)
                width = len(cols) * sum(1 for q in panes[p:] if q[3] == side_index)
                header.append(HeaderCell(side.label, 0, offset, 1, width))
            if split:
                header.append(HeaderCell(self.style.economic_code_word, top, offset, 1, 2))
                header += [HeaderCell("类", top + 1, offset), HeaderCell("款", top + 1, offset + 1)]
            else:
                header.append(HeaderCell(self.style.economic_code_word, top, offset, rows - top, 1))
            n_code = len(code_cols)
            header.append(HeaderCell(self.style.name_word, top, offset + n_code, rows - top, 1))
            header.append(HeaderCell(value_cells[0][0], top, offset + n_code + 1, rows - top, 1))
            pane_cols.append(list(range(offset, offset + len(cols))))
            columns += cols
        block = self.block(spec, columns, header, rows)
        pane_rows: list[list[list[Cell]]] = []
        totals: list[list[Cell]] = []
        for p, (classes, amounts, total_label, _side) in enumerate(panes):
            value_col = pane_cols[p][-1]
            n_code = len(pane_cols[p]) - 2
            entries: list[list[Cell]] = []
            for cls in classes:
                kids = [e.code for e in self.ec.children(cls, self.year)]
                shown = kids if self.style.full_economic_list else [k for k in kids if amounts.get(k)]
                if not shown and not self.style.full_economic_list:
                    continue
                for code in [cls, *shown]:
                    fen = sum(v for k, v in amounts.items() if k.startswith(code))
                    name = self.ec.name(code, self.year) or code
                    cells = [Cell(t, align="center") for t in self.code_texts("economic", code)]
                    cells.append(Cell(name, indent=0 if len(code) == 3 else 8))
                    cells.append(self.value_cell(block, value_col, fen, code, name))
                    entries.append(cells)
            pane_rows.append(entries)
            if not total_label:
                totals.append([Cell("") for _ in pane_cols[p]])
                continue
            total_cells = [Cell("") for _ in range(n_code)] + [Cell(total_label, align="center")]
            total_cells.append(self.value_cell(block, value_col, sum(amounts.values()), None, total_label))
            totals.append(total_cells)
        n = max(len(r) for r in pane_rows)
        rows_out = []
        for i in range(n):
            cells: list[Cell] = []
            for p in range(len(panes)):
                width = len(pane_cols[p])
                cells += pane_rows[p][i] if i < len(pane_rows[p]) else [Cell("") for _ in range(width)]
            rows_out.append(Row(cells=cells))
        rows_out.append(Row(cells=[c for t in totals for c in t], bold=True))
        block.rows = rows_out
        return self.finish(block)
