"""Generate documents and corpora: plan, ledger, style, tables, narrative, render, truth.

Departments come in pairs of consecutive years, so that year-on-year statements of the second document can
be checked against the first; the family follows the region and the year (Guangdong 2019 is the older
8-table family, 2020 onwards MoF-style 9; every eighth pair is a central department, the central9 family).
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

from juesuan import __version__
from juesuan.reference import department_id, load_catalogue, region_of
from juesuan.synth.ledger import (
    BODIES,
    CENTRAL_BODIES,
    UNIT_SUFFIXES,
    Department,
    Ledger,
    PreviousYear,
    random_ledger,
)
from juesuan.synth.model import Figure, Paragraph, TableBlock
from juesuan.synth.narrative import NarrativeBuilder
from juesuan.synth.printer import wan
from juesuan.synth.producers import draw_producer, fit_style
from juesuan.synth.render import Renderer
from juesuan.synth.style import Style, draw_style, draw_variants
from juesuan.synth.tables import TableBuilder, chinese_ordinal

PREFIXES = {  # the area a department's name starts with; the region is derived from it (region_of)
    "sichuan": ("攀枝花市东区", "攀枝花市西区", "泸州市江阳区", "渠县", "成都市武侯区"),
    "shanghai": ("上海市普陀区", "上海市松江区", "上海市静安区", "随州市曾都区"),
    "guangdong": ("佛山市", "保山市隆阳区", "柞水县"),
    "central": ("",),  # central departments name no region
}
CENTRAL_EVERY = 8  # every eighth pair of a corpus drawn with variants is a central department
INCONSISTENCY_KINDS = ("narrative_amount", "table_cell", "placeholder")
APPENDIX = "年度部门整体支出绩效自评报告（略）。"


@dataclass
class DocumentPlan:
    index: int
    seed: int
    region_kind: str
    prefix: str
    body_index: int
    year: int
    inconsistencies: int = 0
    producers: bool = True  # draw a producer profile (False: every document as reportlab writes it)
    variants: bool = True  # draw the real-document variants (style.draw_variants; False: the samples)

    @property
    def family(self) -> str:
        if self.region_kind == "central":
            return "central9"
        if self.region_kind == "sichuan":
            return "sichuan13"
        if self.region_kind == "guangdong" and self.year <= 2019:
            return "older8"
        return "mof9"

    @property
    def body(self) -> tuple:
        return (CENTRAL_BODIES if self.region_kind == "central" else BODIES)[self.body_index]

    @property
    def department(self) -> Department:
        body = self.body
        name = f"{self.prefix}{body[0]}"
        return Department(
            name=name, region=region_of(name), unit_kind=body[1], main_class=body[2][:3], units=(name,)
        )

    def rng(self, purpose: str) -> random.Random:
        return random.Random(f"juesuan:{self.seed}:{self.index}:{purpose}")


@dataclass
class Generated:
    pdf: bytes
    truth: dict
    name: str
    ledger: Ledger = field(repr=False)


def plan_corpus(
    count: int, seed: int, inconsistencies: int = 0, producers: bool = True, variants: bool = True
) -> list[DocumentPlan]:
    """Pairs of documents share a department and run over consecutive years; ``producers`` draws each
    document's producer profile (juesuan.synth.producers), else every document is ``plain``; ``variants``
    makes every eighth pair central (central9, 2020–2024) and draws the real-document variants, else the
    documents keep the first families' layouts (the committed samples)."""
    plans = []
    for index in range(count):
        slot = index // 2
        rng = random.Random(f"juesuan:{seed}:slot:{slot}")
        kind = ("sichuan", "shanghai", "guangdong")[slot % 3]
        if variants and slot % CENTRAL_EVERY == CENTRAL_EVERY - 1:
            kind = "central"
        prefix = rng.choice(PREFIXES[kind])
        body = rng.randrange(len(CENTRAL_BODIES if kind == "central" else BODIES))
        start = {
            "sichuan": rng.choice((2021, 2022, 2023)),
            "shanghai": rng.randint(2019, 2023),
            "guangdong": 2019,
            "central": rng.randint(2020, 2023),
        }[kind]
        plans.append(
            DocumentPlan(
                index, seed, kind, prefix, body, start + index % 2, inconsistencies, producers, variants
            )
        )
    return plans


def ledger_for(plan: DocumentPlan, year: int) -> Ledger:
    """The ledger of the plan's department in ``year``; a pair's documents share these draws."""
    rng = random.Random(f"juesuan:{plan.seed}:ledger:{plan.index // 2}:{year}")
    # codes are drawn from the lists valid in 2019 at the earliest (the corpus's first year)
    return random_ledger(rng, plan.department, max(year, 2019), plan.body)


def unit_ledger_for(plan: DocumentPlan, style: Style) -> Ledger:
    """The second set's books: the department's own (本级) or a subordinate unit's, a ledger of its own."""
    rng = random.Random(f"juesuan:{plan.seed}:unit:{plan.index}")
    dept = plan.department
    if style.second_set == "department":
        name = f"{dept.name}{rng.choice(UNIT_SUFFIXES)}"
        dept = replace(dept, name=name, units=(name,))
    return random_ledger(rng, dept, max(plan.year, 2019), plan.body)


def previous_of(ledger: Ledger) -> PreviousYear:
    return PreviousYear(
        grand_total=ledger.grand_total,
        fiscal_grand_total=ledger.fiscal_grand_total,
        gpb_expenditure=ledger.gpb_basic + ledger.gpb_project,
        basic=ledger.basic,
        project=ledger.project,
        three_public_actual=dict(ledger.three_public_actual),
        running_cost=ledger.running_cost,
    )


def document_style(plan: DocumentPlan, producer: str | None = None) -> Style:
    """The plan's style; its producer profile drawn (``plan.producers``) or the one named."""
    style = draw_style(plan.rng("style"), plan.family, plan.year)
    if plan.variants:
        style = draw_variants(plan.rng("variants"), style)
    if producer is None and plan.producers:
        producer = draw_producer(plan.rng("producer"))
    return fit_style(replace(style, producer=producer)) if producer else style


def generate_document(plan: DocumentPlan, style: Style | None = None) -> Generated:
    """The plan's document, in ``style`` when given (tests: one plan under each producer profile)."""
    ledger = ledger_for(plan, plan.year)
    ledger.previous = previous_of(ledger_for(plan, plan.year - 1))
    style = style or document_style(plan)
    return build(
        ledger,
        style,
        plan.rng("layout"),
        name=f"{plan.index:04d}_{plan.family}_{plan.year}",
        inconsistencies=plan.inconsistencies,
        generator={"seed": plan.seed, "index": plan.index},
        unit_ledger=unit_ledger_for(plan, style) if style.table_sets > 1 else None,
    )


def build(
    ledger: Ledger,
    style: Style,
    rng: random.Random,
    name: str,
    inconsistencies: int = 0,
    generator: dict | None = None,
    narrative: list[Paragraph] | None = None,
    part_titles: dict[str, str] | None = None,
    unit_ledger: Ledger | None = None,
) -> Generated:
    """Tables, narrative, PDF and truth for one ledger. ``narrative`` replaces the generated one (seed);
    ``unit_ledger`` gives a second set of tables after the first (style.second_set says how it is named)."""
    # each kind once before any repeats; a document has one template placeholder at most
    kinds = rng.sample(INCONSISTENCY_KINDS, min(inconsistencies, len(INCONSISTENCY_KINDS)))
    kinds += [("table_cell", "narrative_amount")[i % 2] for i in range(inconsistencies - len(kinds))]
    falsify: dict[str, Decimal] = {}
    if "narrative_amount" in kinds:
        candidates = falsifiable(ledger)
        for subject, value in rng.sample(candidates, min(len(candidates), kinds.count("narrative_amount"))):
            falsify[subject] = wrong_value(rng, value)
    tables = TableBuilder(ledger, style, rng).build()
    records: list[dict] = []
    altered: set[int] = set()
    for _ in range(kinds.count("table_cell")):
        records.append(alter_cell(rng, tables, style, altered))
    if unit_ledger is not None:
        tables += unit_tables(unit_ledger, style, name)
    builder = NarrativeBuilder(ledger, style, rng, falsify, placeholder="placeholder" in kinds)

    def new_renderer() -> Renderer:
        return Renderer(
            style,
            title=f"{ledger.department.name}{ledger.year}年度部门决算",
            rng=random.Random(f"juesuan:producer:{name}"),
        )

    renderer, paragraphs, contents = layout_document(
        new_renderer, builder, tables, style, ledger, narrative, part_titles or {}
    )
    pdf = renderer.finish()
    figures: list[Figure] = [f for p in paragraphs for f in p.figures]
    for f in figures:
        if f.table_value is not None:
            records.append(
                {
                    "kind": "narrative_amount",
                    "subject": f.subject,
                    "stated_yuan": str(f.amount_yuan),
                    "table_yuan": str(f.table_value),
                    "page": f.page,
                }
            )
        if f.subject.endswith("_placeholder"):
            records.append(
                {
                    "kind": "placeholder",
                    "subject": f.subject.removesuffix("_placeholder"),
                    "text": f.text,
                    "page": f.page,
                }
            )
    figures = [f for f in figures if not f.subject.endswith("_placeholder")]
    truth = make_truth(pdf, name, ledger, style, tables, figures, records, renderer.page, generator or {})
    truth["contents"] = contents
    truth["features"] = dict(sorted(renderer.features.items()))
    truth["image_pages"] = renderer.image_pages
    return Generated(pdf=pdf, truth=truth, name=name, ledger=ledger)


def unit_tables(unit_ledger: Ledger, style: Style, name: str) -> list[TableBlock]:
    """The second set of tables: titles ending in （本级）, or a 部门/编制单位 line naming the unit (added to
    a family whose unit line names no body). Its scope is the name the parser gives it."""
    if style.second_set == "qualifier":
        qualifier, scope = "（本级）", "本级"
    else:
        qualifier, scope = "", unit_ledger.department.name
        if not any(w in style.unit_line for w in ("部门：", "编制单位")) and style.family != "sichuan13":
            style = replace(style, unit_line=f"部门：{{department}} {style.unit_line}")
    rng = random.Random(f"juesuan:unit-tables:{name}")
    tables = TableBuilder(unit_ledger, style, rng, qualifier=qualifier, scope=scope).build()
    if not qualifier:  # a 目录 names the unit before its tables' titles
        for t in tables:
            t.name = f"{scope}{t.name}"
    return tables


def falsifiable(ledger: Ledger) -> list[tuple[str, Decimal]]:
    """Narrative subjects that every document states and that a table cell backs."""
    out = [
        ("total_income", wan(ledger.total_income)),
        ("grand_total", wan(ledger.grand_total)),
        ("total_expenditure", wan(ledger.total_expenditure)),
        ("basic_expenditure", wan(ledger.basic)),
        ("personnel_expenditure", wan(sum(ledger.personnel.values()))),
    ]
    return [(s, v) for s, v in out if v > 0]


def wrong_value(rng: random.Random, value: Decimal) -> Decimal:
    """A plausible misprint: a digit slip, a transposition or a stale figure, never the right one."""
    text = f"{value:.2f}"
    choice = rng.random()
    if choice < 0.4 and len(text) > 4:
        digits = [i for i, c in enumerate(text) if c.isdigit()]
        i = rng.choice(digits)
        new = str((int(text[i]) + rng.randint(1, 8)) % 10)
        text = text[:i] + new + text[i + 1 :]
        wrong = Decimal(text)
    elif choice < 0.7:
        wrong = value + Decimal(rng.choice((1, -1))) * Decimal(rng.randint(1, 500)) / 100
    else:
        wrong = (value * Decimal(rng.uniform(0.8, 1.2))).quantize(Decimal("0.01"))
    if wrong == value or wrong < 0:
        wrong = value + Decimal("1.00")
    return wrong


def alter_cell(rng: random.Random, tables: list[TableBlock], style: Style, altered: set[int]) -> dict:
    """Misprint one detail cell of a classified table (the tables no longer agree with each other)."""
    candidates = [
        (t, c)
        for t in tables
        if not t.scope
        and t.table_code in ("income", "expenditure", "gpb_expenditure", "gpb_basic_expenditure")
        for r in t.rows
        for c in r.cells
        if c.fact is not None and c.fact.row_code and c.fact.amount_yuan > 0 and id(c) not in altered
    ]
    table, cell = rng.choice(candidates)
    altered.add(id(cell))
    fact = cell.fact
    unit = load_catalogue().factor(style.unit)
    old_printed = fact.amount_yuan / unit
    new_printed = old_printed + Decimal(rng.choice((1, -1))) * Decimal(rng.randint(1, 999)) / 100
    if new_printed <= 0:
        new_printed = old_printed + Decimal("1.11")
    new_printed = new_printed.quantize(Decimal("0.01"))
    text = f"{new_printed:,.2f}" if style.thousands else f"{new_printed:.2f}"
    record = {
        "kind": "table_cell",
        "table_code": table.table_code,
        "row_code": fact.row_code,
        "row_label": fact.row_label,
        "measure": fact.measure,
        "column_label": fact.column_label,
        "printed_yuan": str((new_printed * unit).quantize(Decimal("0.01"))),
        "consistent_yuan": str(fact.amount_yuan),
    }
    cell.text = fact.raw_text = text
    fact.amount_yuan = (new_printed * unit).quantize(Decimal("0.01"))
    return record


def document_parts(style: Style, ledger: Ledger) -> list[tuple[str, str]]:
    """The family's parts in print order: (第N部分, title)."""
    y, name = ledger.year, ledger.department.name
    if style.family == "sichuan13":
        return [
            ("第一部分", "部门概况"),
            ("第二部分", f"{y}年度部门决算情况说明"),
            ("第三部分", "名词解释"),
            ("第四部分", "附件"),
            ("第五部分", "附表"),
        ]
    if style.family == "central9":  # 国家信访局: the body's name in the part titles, 附件 last
        return [
            ("第一部分", f"{name}概况"),
            ("第二部分", f"{name}{y}年度部门决算表"),
            ("第三部分", f"{name}{y}年度部门决算情况说明"),
            ("第四部分", "名词解释"),
            ("第五部分", "附件"),
        ]
    return [
        ("第一部分", "概况"),
        ("第二部分", f"{y}年度部门决算表"),
        ("第三部分", f"{y}年度部门决算情况说明"),
        ("第四部分", "名词解释"),
    ]


def is_tables_part(title: str) -> bool:
    return title.endswith(("附表", "决算表"))


def layout_document(
    new_renderer: Callable[[], Renderer],
    builder: NarrativeBuilder,
    tables: list[TableBlock],
    style: Style,
    ledger: Ledger,
    narrative: list[Paragraph] | None,
    part_titles: dict[str, str],
) -> tuple[Renderer, list[Paragraph], dict]:
    """Cover, 目录, narrative parts and tables in the family's order. Returns the renderer that drew the
    document, the paragraphs drawn and what the 目录 lists. A 目录 with page numbers (style.contents
    ``leaders``) is drawn twice: the first drawing finds the pages, the second prints them."""
    parts = document_parts(style, ledger)
    # the narrative is written before anything is drawn, part by part in print order (its draws)
    content: dict[str, list[Paragraph]] = {}
    if narrative is None:
        for number, title in parts:
            if is_tables_part(title):
                continue
            if title.endswith("概况"):
                content[number] = builder.overview(number)
            elif title.endswith("情况说明"):
                content[number] = builder.explanation(number)
            elif title == "名词解释":
                content[number] = builder.glossary(number)
            else:
                content[number] = [
                    Paragraph(text=f"{number} {title}", kind="part"),
                    Paragraph(text=f"附件1 {ledger.department.name}{ledger.year}{APPENDIX}"),
                ]
    renderer, drawn, pages = draw_document(
        new_renderer(), tables, style, ledger, narrative, part_titles, parts, content, None
    )
    if style.contents == "leaders":
        first = pages
        renderer, drawn, pages = draw_document(
            new_renderer(), tables, style, ledger, narrative, part_titles, parts, content, first
        )
        assert pages == first, "the 目录's page numbers moved the pages they number"
    listed = [] if style.contents == "none" else list(dict.fromkeys(t.table_code for t in tables))
    return renderer, drawn, {"pages": pages.get("contents", []), "tables": listed}


def draw_document(
    renderer: Renderer,
    tables: list[TableBlock],
    style: Style,
    ledger: Ledger,
    narrative: list[Paragraph] | None,
    part_titles: dict[str, str],
    parts: list[tuple[str, str]],
    content: dict[str, list[Paragraph]],
    numbers: dict | None,
) -> tuple[Renderer, list[Paragraph], dict]:
    """One drawing of the document; ``numbers`` are the pages a first drawing found (for the 目录)."""
    y = ledger.year
    month = {"sichuan13": 9, "central9": 7}.get(style.family, 8)
    renderer.cover(ledger.department.name, y, f"{y + 1}年{month}月")
    renderer.image_slot()
    pages: dict = {}
    if style.contents == "plain":
        entries = []
        for number, title in parts:
            entries.append((f"{number} {part_titles.get(number, title)}", 0))
            if is_tables_part(title):
                catalogue = load_catalogue()
                entries += [
                    (f"{chinese_ordinal(i + 1)}、{catalogue.table(t.table_code).title}", 1)
                    for i, t in enumerate(tables)
                ]
        first_page = renderer.page + 1
        renderer.contents(entries)
        pages["contents"] = list(range(first_page, renderer.page + 1))
    elif style.contents == "leaders":
        entries_with_pages = []
        for number, title in parts:
            entries_with_pages.append((f"{number} {part_titles.get(number, title)}", 0, number))
            if is_tables_part(title):
                entries_with_pages += [
                    (f"{chinese_ordinal(i + 1)}、{t.name}", 1, f"table:{i}") for i, t in enumerate(tables)
                ]
            else:
                sections = [p for p in content.get(number, []) if p.kind == "section"]
                entries_with_pages += [(p.text, 1, f"section:{number}:{k}") for k, p in enumerate(sections)]
        known = numbers or {}
        pages["contents"] = renderer.contents_with_pages(
            [(text, level, known.get(key, 0)) for text, level, key in entries_with_pages]
        )
    renderer.image_slot()
    drawn: list[Paragraph] = []

    def tables_part(number: str, title: str) -> None:
        heading = Paragraph(text=f"{number} {part_titles.get(number, title)}", kind="part")
        renderer.narrative([heading])
        pages[number] = renderer.page
        if style.family == "sichuan13":
            titles = [
                Paragraph(text=f"{chinese_ordinal(i + 1)}、{t.title}", kind="line")
                for i, t in enumerate(tables)
            ]
            renderer.narrative(titles, start_page=False)
        for i, t in enumerate(tables):
            renderer.table(t, style.continuation)
            pages[f"table:{i}"] = t.pages[0]

    if narrative is not None:
        renderer.narrative(narrative)
        drawn += narrative
        tables_part("第五部分", "附表")
        return renderer, drawn, pages
    for number, title in parts:
        if is_tables_part(title):
            tables_part(number, title)
            continue
        paragraphs = content[number]
        sections = 0
        for k, p in enumerate(paragraphs):
            renderer.narrative([p], start_page=k == 0)
            if k == 0:
                pages[number] = renderer.page
            if p.kind == "section":
                pages[f"section:{number}:{sections}"] = renderer.page
                sections += 1
        drawn += paragraphs
        renderer.image_slot()
    return renderer, drawn, pages


def make_truth(
    pdf: bytes,
    name: str,
    ledger: Ledger,
    style: Style,
    tables: list[TableBlock],
    figures: list[Figure],
    inconsistencies: list[dict],
    pages: int,
    generator: dict,
) -> dict:
    doc_id = hashlib.sha256(pdf).hexdigest()
    dept = ledger.department
    dep_id = department_id(dept.name, dept.region)
    facts = []
    table_rows = []
    for t in tables:
        table_rows.append(
            {
                "table_code": t.table_code,
                "table_scope": t.scope,
                "table_title": t.title,
                "label": t.label,
                "empty": t.empty,
                "notes": t.notes,
                "pages": t.pages,
            }
        )
        for r in t.rows:
            for c in r.cells:
                if c.fact is not None:
                    row = {"document_id": doc_id, "department_id": dep_id, "fiscal_year": ledger.year}
                    row.update(c.fact.as_dict())
                    facts.append(row)
    return {
        "documents": [
            {
                "document_id": doc_id,
                "department_id": dep_id,
                "department_name": dept.name,
                "region": dept.region,
                "fiscal_year": ledger.year,
                "doc_kind": "final",
                "template_family": style.family,
                "source_path": f"{name}.pdf",
                "page_count": pages,
            }
        ],
        "tables": table_rows,
        "facts": facts,
        "narrative_figures": [dict(document_id=doc_id, **f.as_dict()) for f in figures],
        "inconsistencies": inconsistencies,
        "style": style.as_dict(),
        "generator": {"name": "juesuan.synth", "version": __version__, **generator},
    }


def write(generated: Generated, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    pdf_path = out / f"{generated.name}.pdf"
    pdf_path.write_bytes(generated.pdf)
    (out / f"{generated.name}.truth.json").write_text(
        json.dumps(generated.truth, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
    )
    return pdf_path


def generate_corpus(
    out: Path, count: int, seed: int, inconsistencies: int = 0, producers: bool = True, variants: bool = True
) -> list[Path]:
    load_catalogue()
    plans = plan_corpus(count, seed, inconsistencies, producers, variants)
    return [write(generate_document(plan), out) for plan in plans]
