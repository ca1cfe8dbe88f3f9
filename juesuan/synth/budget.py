"""部门预算 beside a final account: the same department and year, with exact truth.

A budget's books are the final account's ledger as planned: each 项's project spending at a drawn share of
what was spent (a budget overrun or an underspend), one project line planned that was never spent and
one spent that was not planned, basic spending as spent (salaries are known in advance) and the 三公 as
the final account's own 预算数 column says. The pair's truth (both documents' facts) is the exact answer of
the warehouse's execution view. The budget prints the four tables that view and the 三公 read, in the
style (fonts, units, codes, producer) of its final account.
"""

from __future__ import annotations

import random
from dataclasses import replace

from juesuan.reference import function_classes
from juesuan.reference.catalogue import ColumnNode, TableSpec
from juesuan.synth.corpus import DocumentPlan, Generated, document_style, generate_document, make_truth
from juesuan.synth.ledger import GENERAL, ItemLine, Ledger
from juesuan.synth.model import Row, TableBlock
from juesuan.synth.render import Renderer
from juesuan.synth.tables import TableBuilder

BUDGET_TABLES = (
    "budget_expenditure",
    "budget_gpb_expenditure",
    "budget_gpb_basic_expenditure",
    "budget_three_public",
)
# what the generated budget prints over its amounts (the printed labels are the catalogue's)
SPENDING = (
    ColumnNode(labels=("合计",), measure="total_expenditure"),
    ColumnNode(labels=("基本支出",), measure="basic_expenditure"),
    ColumnNode(labels=("项目支出",), measure="project_expenditure"),
)
BASIC = (
    ColumnNode(labels=("合计",), measure="basic_expenditure"),
    ColumnNode(labels=("人员经费",), measure="personnel_expenditure"),
    ColumnNode(labels=("公用经费",), measure="public_expenditure"),
)
LOW, HIGH = 0.6, 1.4  # planned project spending ÷ spent


def planned(fen: int, rng: random.Random) -> int:
    return round(fen / rng.uniform(LOW, HIGH)) if fen else 0


def planned_ledger(final: Ledger, rng: random.Random) -> Ledger:
    """The final account's ledger as its budget planned it (see the module's docstring)."""
    items = [
        replace(i, fiscal_project=planned(i.fiscal_project, rng), other_project=planned(i.other_project, rng))
        for i in final.items
    ]
    projects = [k for k, i in enumerate(items) if i.fund == GENERAL and i.fiscal_project and not i.basic]
    if len(projects) >= 2:  # a project spent without a plan (final_only)
        items[projects[-1]] = replace(items[projects[-1]], fiscal_project=0, other_project=0)
    # a project planned that was never spent (budget_only)
    items.append(
        ItemLine(code=unspent_code(final, rng), fund=GENERAL, fiscal_project=rng.randint(1, 50) * 100_000)
    )
    return replace(final, items=items)


def unspent_code(final: Ledger, rng: random.Random) -> str:
    """A 项 of the year's classification the department did not spend on."""
    spent = {i.code for i in final.items}
    codes = sorted(
        e.code for e in function_classes().valid(final.year) if len(e.code) == 7 and e.code not in spent
    )
    return rng.choice(codes)


class BudgetTableBuilder(TableBuilder):
    """The budget's tables in its final account's style."""

    def __init__(self, ledger: Ledger, style, rng: random.Random):
        super().__init__(ledger, style, rng)
        self.position = {t: i + 1 for i, t in enumerate(BUDGET_TABLES)}

    def build(self) -> list[TableBlock]:
        cat = self.catalogue
        return [
            self.spending(cat.table("budget_expenditure"), self.ledger.items, fiscal=False),
            self.spending(cat.table("budget_gpb_expenditure"), self.ledger.fund_items(GENERAL), fiscal=True),
            self.basic(cat.table("budget_gpb_basic_expenditure")),
            self.three_public_budget(cat.table("budget_three_public")),
        ]

    def title(self, spec: TableSpec) -> str:
        return f"{self.year}年{spec.title}" if self.style.title_prefix == "year" else super().title(spec)

    def spending(self, spec: TableSpec, items: list[ItemLine], fiscal: bool) -> TableBlock:
        block = self.one_sided(spec, "function", SPENDING)
        per_item = {}
        for i in items:
            basic, project = (i.fiscal_basic, i.fiscal_project) if fiscal else (i.basic, i.project)
            if basic + project:
                values = per_item.setdefault(i.code, {})
                for measure, fen in (
                    ("total_expenditure", basic + project),
                    ("basic_expenditure", basic),
                    ("project_expenditure", project),
                ):
                    values[measure] = values.get(measure, 0) + fen
        self.function_rows(block, per_item)
        return self.finish(block)

    def basic(self, spec: TableSpec) -> TableBlock:
        block = self.one_sided(spec, "economic", BASIC)
        per_code: dict[str, dict[str, int]] = {}
        for measure, book in (
            ("personnel_expenditure", self.ledger.personnel),
            ("public_expenditure", self.ledger.public),
        ):
            for code, fen in book.items():
                per_code[code] = {measure: fen, "basic_expenditure": fen}
        self.economic_rows(block, per_code)
        return self.finish(block)

    def three_public_budget(self, spec: TableSpec) -> TableBlock:
        nodes = tuple(n for n in spec.columns[0].children if not n.optional)
        value_cols, value_cells = self.value_columns(nodes)
        rows = max(d for _, d, _, _ in value_cells) + 1
        block = self.block(spec, value_cols, self.value_header(value_cells, rows, offset=0), rows)
        amounts = self.three_public_amounts()
        block.rows = [
            Row(
                cells=[
                    self.value_cell(block, i, amounts[c.measure or ""], None, "")
                    for i, c in enumerate(value_cols)
                ]
            )
        ]
        return self.finish(block)


def generate_budget(
    plan: DocumentPlan, final: Generated | None = None, renamed: str | None = None
) -> Generated:
    """The budget of the plan's department and year; ``final`` (its final account) when already made;
    ``renamed``: the name the department had when it published its budget (a body renamed in between)."""
    final = final or generate_document(plan)
    style = document_style(plan)  # the final account's style: same producer, fonts, units and codes
    rng = plan.rng("budget")
    ledger = planned_ledger(final.ledger, rng)
    if renamed:
        ledger = replace(ledger, department=replace(ledger.department, name=renamed))
    tables = BudgetTableBuilder(ledger, style, rng).build()
    name = f"{plan.index:04d}_{plan.family}_{plan.year}_budget"
    title = f"{ledger.department.name}{ledger.year}年部门预算"
    renderer = Renderer(style, title=title, rng=random.Random(f"juesuan:producer:{name}"))
    renderer.cover(
        ledger.department.name, ledger.year, f"{ledger.year}年2月", kind_line=f"{ledger.year}年部门预算"
    )
    for block in tables:
        renderer.table(block, style.continuation)
    pdf = renderer.finish()
    truth = make_truth(
        pdf, name, ledger, style, tables, [], [], renderer.page, {"seed": plan.seed, "index": plan.index}
    )
    truth["documents"][0]["doc_kind"] = "budget"
    truth["documents"][0]["template_family"] = None
    return Generated(pdf=pdf, truth=truth, name=name, ledger=ledger)
