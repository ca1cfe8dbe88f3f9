"""One disclosure PDF → its identity, its tables stitched across pages, and its narrative figures."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from juesuan import __version__
from juesuan.parse.narrative import BODY_PLACEHOLDER, Finding, NarrativeFigure, read_narrative
from juesuan.parse.numbers import looks_like_amount
from juesuan.parse.tables import (
    GridRead,
    ParseWarning,
    RowState,
    TableFact,
    header_rows,
    is_data_label,
    is_header_text,
    number_repeated_rows,
    read_grid,
    squash,
)
from juesuan.parse.titles import match_title, qualifier
from juesuan.pdf import Grid, Line, Page, TextLayer, read_pages
from juesuan.reference import department_id, load_catalogue, region_of

# 金额单位：万元 — the units the catalogue declares, longest first (万元 before 元)
UNIT = re.compile(
    r"单位[:：]\s*(" + "|".join(sorted(map(re.escape, load_catalogue().units), key=len, reverse=True)) + ")"
)
DEFAULT_UNIT = load_catalogue().default_unit  # a table that prints no 单位 line
DEPARTMENT_LINE = re.compile(
    r"(?:预算主管部门|编制单位|预算单位|部门|单位名称)[:：]\s*(\S{2,40}?)(?:\s|单位[:：]|$)"
)
KIND = re.compile(r"(?:(20\d{2})年度?)?(?:区级|市级|县级|省级)?(?:部门|单位)(?:综合)?(决算|预算)")
YEAR = re.compile(r"(20\d{2})(?:年度?)?")
NOTE = re.compile(r"^(?:注|说明|备注)[:：]")
TOC_HEADING = "目录"
TOC_LEADER = re.compile(r"[.．·…\s-]*\d*$")  # dot leaders and the page number of a 目录 entry
TOC_MAX_PAGES = 3
TOC_LINE_MAX = 48  # a 目录 page holds headings, not paragraphs
PLACEHOLDER = re.compile(r"X{2,}|×{2,}")
PARSER_VERSION = f"juesuan-{__version__}"
YEAR_MENTIONS = (  # places where a document names its own fiscal year (not 与2022年度相比)
    ("date", re.compile(r"截至(20\d{2})年12月31日")),  # a budget's: the year before it (资产 at the start)
    ("heading", re.compile(r"^第[一二三四五六七八九十]+部分.*?(20\d{2})年度?部门决算")),
    ("title", re.compile(r"^(?:[一二三四五六七八九十]+、)?(20\d{2})年度.{2,30}决算表$")),
    ("statement", re.compile(r"^(20\d{2})年度(?:本年|收、支|财政拨款|一般公共预算|“三公”)")),
)


# a year mention's distance from the cover's year, by kind of document; None: not a mention of its own
# year in that kind (a budget's 截至…12月31日 dates its assets, at the end of the year before it, or a
# target's deadline)
YEAR_OFFSETS: dict[tuple[str, str], int | None] = {("budget", "year:date"): None}


@dataclass(frozen=True)
class Mention:
    """The document naming its own year or body somewhere: checked against the cover (D1, D2)."""

    kind: str
    value: str
    page: int
    offset: int = 0  # the year it should name, relative to the cover's (YEAR_OFFSETS)


@dataclass
class ParsedTable:
    table_code: str
    title: str
    unit: str
    pages: list[int]
    facts: list[TableFact] = field(default_factory=list)
    scope: str = ""  # '' for the document's first set of tables; a later set's name (本级, a unit, set2 …)
    notes: list[str] = field(default_factory=list)
    state: RowState = field(default_factory=RowState, repr=False)

    @property
    def empty(self) -> bool:
        """Present with no data: no value cells, or only blank/dash cells under a 无数据 note (PT-CZJ
        prints an empty 合计 row). A table of printed 0.00 (FS19) holds data: zeros."""
        if not self.facts:
            return True
        blank = all(f.raw_text.strip() in ("", "-", "—", "–") for f in self.facts)
        return blank and any("无数据" in n or "空表" in n for n in self.notes)


@dataclass
class Identity:
    department_name: str | None
    region: str | None
    fiscal_year: int | None
    doc_kind: str | None  # final | budget | None (not a disclosure we recognise)
    is_template: bool = False

    @property
    def department_id(self) -> str | None:
        if not self.department_name:
            return None
        return department_id(self.department_name, self.region or "")


# a parsed cell's fields that are facts columns of the same name
FACT_FIELDS = (
    "table_code",
    "table_title",
    "row_code",
    "row_label",
    "column_label",
    "measure",
    "amount_yuan",
    "raw_text",
    "source_unit",
    "page",
    "x0",
    "top",
    "x1",
    "bottom",
)


@dataclass
class ParsedDocument:
    source: str
    document_id: str
    page_count: int
    identity: Identity
    template_family: str | None
    tables: list[ParsedTable]
    figures: list[NarrativeFigure]
    findings: list[Finding] = field(default_factory=list)  # what the text says that is not a figure
    mentions: list[Mention] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)
    page_layers: dict[int, str] = field(default_factory=dict)  # page → its text layer (TextLayer values)
    listed: dict[str, int] = field(default_factory=dict)  # table id → the 目录 page that lists it
    unidentified: list[tuple[int, str, int]] = field(default_factory=list)  # (page, title, amounts)

    @property
    def text_layers(self) -> dict[str, int]:
        """Pages by text layer ({'ok': 48, 'empty': 1}), as refusals and the engines' comparison report it."""
        return dict(Counter(self.page_layers.values()))

    def _pages_in(self, *layers: TextLayer) -> list[int]:
        wanted = {layer.value for layer in layers}
        return [n for n, layer in self.page_layers.items() if layer in wanted]

    @property
    def needs_ocr(self) -> bool:
        """No table could be read and some page has no usable text: the tables may be on those pages.
        A document whose tables were read loads, its unreadable pages failed checks (P1)."""
        return not self.tables and bool(self._pages_in(TextLayer.EMPTY, TextLayer.CID))

    @property
    def tables_unreadable(self) -> bool:
        """No table read, and some page's text came only through pypdfium2 (no grids from it)."""
        return not self.tables and bool(self._pages_in(TextLayer.RECOVERED))

    def facts(self) -> list[TableFact]:
        return [f for t in self.tables for f in t.facts]

    def document_row(self) -> dict:
        i = self.identity
        return {
            "document_id": self.document_id,
            "department_id": i.department_id,
            "department_name": i.department_name,
            "region": i.region,
            "fiscal_year": i.fiscal_year,
            "doc_kind": i.doc_kind,
            "template_family": self.template_family,
            "source_path": self.source,
            "page_count": self.page_count,
            "parser_version": PARSER_VERSION,
        }

    def facts_frame(self) -> pd.DataFrame:
        """One row a cell, built column by column (the document's identity once, not once a cell)."""
        facts = self.facts()
        if not facts:
            return pd.DataFrame()
        i = self.identity
        n = len(facts)
        columns: dict[str, list] = {
            "document_id": [self.document_id] * n,
            "department_id": [i.department_id] * n,
            "fiscal_year": [i.fiscal_year] * n,
        }
        for name in FACT_FIELDS:
            columns[name] = [getattr(f, name) for f in facts]
        columns["table_scope"] = [f.scope for f in facts]
        return pd.DataFrame(columns)

    def figures_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"document_id": self.document_id, **f.as_row()} for f in self.figures])


def identify(pages: list[Page]) -> Identity:
    """Department, year and kind from the cover (never from the file name).

    The cover's words are joined before matching because PDFs emit the year out of reading order
    (PT-CZJ's cover reads 上海市普陀区财政局 / 年度部门决算 / 2024)."""
    cover_pages = [p for p in pages[:3] if p.lines][:1]
    cover = "".join(ln.squashed for p in cover_pages for ln in p.lines)
    name = year = kind = None
    m = KIND.search(cover)
    if m:
        kind = {"决算": "final", "预算": "budget"}[m.group(2)]
        y = m.group(1) or next(iter(YEAR.findall(cover)), None)
        year = int(y) if y else None
        before = YEAR.sub("", cover[: m.start()]).removesuffix("年度").removesuffix("年")
        name = before or None
    for p in pages[:3]:
        for ln in p.lines:
            labelled = DEPARTMENT_LINE.search(ln.text)
            weak = name is None or len(name) > 40 or name.startswith("第") or region_of(name) == name
            if labelled and weak:
                name = squash(labelled.group(1))
    if name and len(name) > 40:
        name = None
    text = "".join(ln.squashed for p in pages[:3] for ln in p.lines)
    template = bool(PLACEHOLDER.search(text) or (name and PLACEHOLDER.search(name)))
    return Identity(
        department_name=name,
        region=region_of(name) if name else None,
        fiscal_year=year,
        doc_kind=kind,
        is_template=template,
    )


def lines_above(lines: list[Line], top: float, bottom: float) -> list[Line]:
    """The lines between ``top`` (what is above: the previous grid) and ``bottom`` (a grid's top), the one
    nearest the grid first: where a table's title, unit, 部门 line and caption are printed."""
    return sorted(
        (ln for ln in lines if top - 1 <= ln.top and ln.bottom <= bottom + 1), key=lambda ln: -ln.bottom
    )


def find_title(
    lines: list[Line], top: float, bottom: float, department: str | None, kind: str = "final"
) -> tuple[str, str] | None:
    """The catalogue table named by a line between ``top`` and ``bottom`` (closest to the grid first)."""
    above = lines_above(lines, top, bottom)
    for ln in above:
        table_id = match_title(ln.text, department, kind)
        if table_id:
            return table_id, ln.text
    # a long title wrapped onto a second line (西安: …（按支出功能分类科 / 目…）)
    for lower, upper in itertools.pairwise(above):
        joined = upper.text.strip() + lower.text.strip()
        table_id = match_title(joined, department, kind)
        if table_id:
            return table_id, joined
    return None


def read_tables(
    pages: list[Page],
    identity: Identity,
    warnings: list[ParseWarning],
    unidentified: list[tuple[int, str, int]] | None = None,
) -> list[ParsedTable]:
    """Every catalogue table, stitched across pages. A grid with amounts that is neither titled as a
    catalogue table nor continues one is identified by its header, or recorded in ``unidentified``."""
    catalogue = load_catalogue()
    tables: list[ParsedTable] = []
    current: ParsedTable | None = None
    year = identity.fiscal_year or 2024
    kind = identity.doc_kind or "final"
    for page in pages:
        previous_bottom = float("-inf")  # pdfplumber puts text above a raised MediaBox at negative tops
        for grid in sorted(page.grids, key=lambda g: g.top):
            found = find_title(page.lines, previous_bottom, grid.top, identity.department_name, kind)
            unit = _unit(page.lines, previous_bottom, grid.top)
            if found is None:
                # title, label and unit line ruled into the grid's first rows (苏州, 上海 budgets)
                inside = titled_inside(grid, identity.department_name, kind)
                if inside is not None:
                    found, unit, grid = inside[0], inside[1] or unit, inside[2]
            if found and not (
                current and current.table_code == found[0] and page.number - current.pages[-1] <= 2
            ):
                current = ParsedTable(
                    table_code=found[0],
                    title=found[1].strip(),
                    unit=unit or DEFAULT_UNIT,
                    pages=[page.number],
                    scope=scope_of(tables, found, page.lines, previous_bottom, grid.top, identity),
                )
                tables.append(current)
            elif current is not None and page.number - current.pages[-1] <= 2 and continues(grid, current):
                if page.number not in current.pages:
                    current.pages.append(page.number)
            else:
                amounts = _amounts(grid)
                if amounts >= MIN_AMOUNTS:
                    caption = _caption(page.lines, previous_bottom, grid.top)
                    known = {t.table_code for t in tables}
                    table_id = identify_by_content(
                        grid, caption, page.number, unit or DEFAULT_UNIT, year, known, kind
                    )
                    if table_id is None:
                        if unidentified is not None:
                            unidentified.append((page.number, caption, amounts))
                        previous_bottom = grid.bottom
                        continue
                    warnings.append(
                        ParseWarning(page.number, table_id, "identified by its header, not a title")
                    )
                    current = ParsedTable(
                        table_code=table_id,
                        title=catalogue.table(table_id).title,
                        unit=unit or DEFAULT_UNIT,
                        pages=[page.number],
                    )
                    tables.append(current)
                else:
                    previous_bottom = grid.bottom
                    continue
            spec = catalogue.table(current.table_code)
            read: GridRead = read_grid(
                grid, spec, squash(current.title), page.number, current.unit, year, current.state
            )
            warnings.extend(read.warnings)
            for f in read.facts:
                f.scope = current.scope
            seen = {f.key() for f in current.facts}
            current.facts += number_repeated_rows(
                current.facts, [f for f in read.facts if f.key() not in seen]
            )
            current.notes += _notes(page.lines, grid)
            previous_bottom = grid.bottom
    return tables


def titled_inside(
    grid: Grid, department: str | None, kind: str
) -> tuple[tuple[str, str], str | None, Grid] | None:
    """A grid whose first rows hold the table's title (and its 公开NN表 label, 部门/单位 line) instead of the
    page above it: ((table id, title), unit, the grid below those rows), or None. Those rows are blank or
    hold one or two cells of no header word and no amount."""
    found, unit, k = None, None, 0
    for r in range(grid.n_rows):
        texts = [squash(c.text) for c in grid.row(r) if squash(c.text)]
        if texts and (
            len(texts) > 2
            or any(is_header_text(t) or looks_like_amount(t) or is_data_label(t) for t in texts)
        ):
            break
        for t in texts:
            table_id = match_title(t, department, kind)
            if table_id and found is None:
                found = (table_id, t)
            m = UNIT.search(t)
            unit = m.group(1) if m else unit
        k = r + 1
    if found is None or k >= grid.n_rows:
        return None
    return found, unit, rows_from(grid, k)


def rows_from(grid: Grid, k: int) -> Grid:
    """The grid without its first ``k`` rows (a cell reaching into them is cut at row ``k``)."""
    cells = [
        dataclasses.replace(c, row0=max(c.row0, k) - k, row1=c.row1 - k) for c in grid.cells if c.row1 > k
    ]
    top = min((c.top for c in cells if c.row0 == 0), default=grid.top)
    return Grid(cells, grid.n_rows - k, grid.n_cols, grid.x0, top, grid.x1, grid.bottom)


CAPTION_MAX = 40
LABEL_ONLY = re.compile(r"(?:公开\d+表|表\d+|附表\d*)")


def continues(grid: Grid, table: ParsedTable) -> bool:
    """Whether an untitled grid after ``table`` is its continuation: it repeats the table's header, or it
    starts with data in as many columns. A grid with a header of its own is another table whose title was
    lost (identified by its header, or reported), never rows of the one before."""
    repeated, _, _ = header_rows(grid, table.state.header_texts)
    if repeated:
        return True
    own, _, _ = header_rows(grid)
    if own:
        return False
    return table.state.columns is None or len(table.state.columns) == grid.n_cols


def scope_of(
    tables: list[ParsedTable],
    found: tuple[str, str],
    lines: list[Line],
    top: float,
    bottom: float,
    identity: Identity,
) -> str:
    """The set a newly titled table belongs to: '' the first time a title is met; a title met again
    starts another set (汇总 then 本级, or one set per unit), named by the title's qualifier (…（本级）),
    else by a 部门/单位 line naming another body, else by its number (set2, set3 …)."""
    earlier = [t for t in tables if t.table_code == found[0]]
    if not earlier:
        return ""
    named = qualifier(found[1])
    if named:
        return named
    for ln in reversed(lines_above(lines, top, bottom)):  # in reading order
        m = DEPARTMENT_LINE.search(ln.text)
        if m:
            body = squash(m.group(1))
            if body and body != identity.department_name:
                return body
    return f"set{len(earlier) + 1}"


MIN_AMOUNTS = 2  # a grid with fewer amounts is a box or a form, not a table of figures


def _amounts(grid: Grid) -> int:
    """Cells that print an amount (a decimal or thousands-separated figure; not a 栏次 number)."""
    return sum(
        1
        for c in grid.cells
        if c.text and looks_like_amount(c.text) and ("." in c.text or "," in c.text or len(c.text) > 3)
    )


def _caption(lines: list[Line], top: float, bottom: float) -> str:
    """The nearest line above a grid that reads like a table's title (short, naming a 表), or ''."""
    for ln in lines_above(lines, top, bottom):
        text = ln.squashed
        if (
            "表" in text
            and len(text) <= CAPTION_MAX
            and not UNIT.search(text)
            and not LABEL_ONLY.fullmatch(text)
        ):
            return text
    return ""


def identify_by_content(
    grid: Grid, caption: str, page: int, unit: str, year: int, known: set[str], kind: str = "final"
) -> str | None:
    """The one catalogue table (not yet found in the document) whose column tree names every value column
    of the grid and which yields facts from it; None when no table or more than one fits."""
    fits = []
    for spec in load_catalogue().tables_of(kind):
        if spec.id in known:
            continue
        read = read_grid(grid, spec, caption, page, unit, year, RowState())
        if read.facts and not read.warnings and all(c.measure for c in read.columns if c.kind == "value"):
            fits.append(spec.id)
    return fits[0] if len(fits) == 1 else None


def table_of_contents(pages: list[Page], department: str | None, kind: str = "final") -> dict[str, int]:
    """Table id → page, for every catalogue table the document's own 目录 lists."""
    listed: dict[str, int] = {}
    start = next(
        (i for i, p in enumerate(pages[:8]) if any(ln.squashed == TOC_HEADING for ln in p.lines[:4])), None
    )
    if start is None:
        return listed
    for page in pages[start : start + TOC_MAX_PAGES]:
        if page.grids or (
            page is not pages[start] and any(len(ln.squashed) > TOC_LINE_MAX for ln in page.lines)
        ):
            break
        for ln in page.lines:
            table_id = match_title(TOC_LEADER.sub("", ln.text), department, kind)
            if table_id:
                listed.setdefault(table_id, page.number)
    return listed


def _unit(lines: list[Line], top: float, bottom: float) -> str | None:
    for ln in lines:
        if top - 1 <= ln.top and ln.bottom <= bottom + 1:
            m = UNIT.search(ln.squashed)
            if m:
                return m.group(1)
    return None


def _notes(lines: list[Line], grid: Grid) -> list[str]:
    """The 注/说明 lines under a grid, each with the lines it wraps onto (a line right below it, starting at
    its left edge: 说明：…故本表 / 无数据。)."""
    below = sorted((ln for ln in lines if ln.top >= grid.bottom - 1), key=lambda ln: ln.top)
    notes: list[str] = []
    last: Line | None = None  # the note line (or its last wrapped line) a wrapped line would follow
    for ln in below[:4]:
        if NOTE.match(ln.squashed):
            notes.append(ln.squashed)
            last = ln
        elif last is not None and _wraps_onto(last, ln):
            notes[-1] += ln.squashed
            last = ln
        else:
            last = None
    return notes


def _wraps_onto(above: Line, line: Line) -> bool:
    height = above.bottom - above.top
    return abs(line.x0 - above.x0) <= height and 0 <= line.top - above.bottom <= height


def mentions_of(
    pages: list[Page], table_pages: set[int] | None = None, doc_kind: str | None = "final"
) -> list[Mention]:
    """Where the document names its year or body (D1, D2). On table pages a template's placeholder
    body (上海市XX局2024年度…决算表) is a mention too; the narrative's placeholders are read with it."""
    out = []
    for page in pages[1:]:
        for ln in page.lines:
            text = ln.squashed
            if table_pages and page.number in table_pages:
                found = BODY_PLACEHOLDER.finditer(text)
                out += [Mention("department", m.group(0), page.number) for m in found]
            for kind, pattern in YEAR_MENTIONS:
                m = pattern.search(text)
                if m:
                    where = f"year:{kind}"
                    offset = YEAR_OFFSETS.get((doc_kind or "final", where), 0)
                    if offset is not None:
                        out.append(Mention(where, m.group(1), page.number, offset))
            m = DEPARTMENT_LINE.search(ln.text)
            if m and not text.startswith(("预算主管部门",)):
                out.append(Mention("department", squash(m.group(1)), page.number))
    return out


def family_of(tables: list[ParsedTable], kind: str = "final") -> str | None:
    return load_catalogue().family_of({t.table_code for t in tables}, kind)


def parse_document(
    source: str | Path | bytes, name: str | None = None, engine: str | None = None
) -> ParsedDocument:
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    label = name or (Path(source).name if not isinstance(source, bytes) else "<bytes>")
    pages = list(read_pages(data, label, engine))
    warnings: list[ParseWarning] = []
    identity = identify(pages)
    tables: list[ParsedTable] = []
    figures: list[NarrativeFigure] = []
    findings: list[Finding] = []
    unidentified: list[tuple[int, str, int]] = []
    listed: dict[str, int] = {}
    if identity.doc_kind is not None and not identity.is_template:
        tables = read_tables(pages, identity, warnings, unidentified)
        listed = table_of_contents(pages, identity.department_name, identity.doc_kind)
        table_pages = {n for t in tables for n in t.pages}
        narrative = [p for p in pages if p.number not in table_pages]
        figures, findings = read_narrative(narrative, identity.doc_kind)
    if identity.fiscal_year is None:
        warnings.append(ParseWarning(None, None, f"{label}: no fiscal year found on the first pages"))
    return ParsedDocument(
        source=label,
        document_id=hashlib.sha256(data).hexdigest(),
        page_count=len(pages),
        identity=identity,
        template_family=family_of(tables, identity.doc_kind or "final"),
        tables=tables,
        figures=figures,
        findings=findings,
        mentions=(
            mentions_of(pages, {n for t in tables for n in t.pages}, identity.doc_kind) if tables else []
        ),
        warnings=warnings,
        page_layers={p.number: p.text_layer.value for p in pages},
        listed=listed,
        unidentified=unidentified,
    )
