"""Ruled grids → table facts: header trees, column roles, two-sided halves, codes, row labels, measures.

A grid is read in four steps. Header rows are told from data rows by content (a header cell is a known
label or a 栏次 number; a data row has a code, an ordinal item, 合计, or an amount). Each column gets the path
of header texts above it and a role: code, name, 行次 or value. Columns split into halves where a name or
code column follows a value column (收入 | 支出; 人员经费 | 公用经费). Each data row then yields one fact per
value cell of each half that has a label, with the measure its header path resolves to in the catalogue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache

from juesuan.parse.numbers import looks_like_amount, parse_amount, to_yuan
from juesuan.pdf import Grid, GridCell
from juesuan.reference import function_classes, load_catalogue, normalize_name
from juesuan.reference.catalogue import ColumnNode, Side, TableSpec

ORDINAL = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+[、.．])")
CODE = re.compile(r"^\d{3}(?:\d{2}){0,2}$")
STARS = re.compile(r"^\*+$")
ROW_ITEM = re.compile(r"^(?:其中[:：]?|[(（]\d+[)）]|\d+[、.．])+")
BRACKETED = re.compile(r"^[\[［【](\d{3}(?:\d{2}){0,2})[\]］】](.*)$")


@dataclass(frozen=True)
class Words:
    """The catalogue's header words in compared form (see ``header_words`` in catalogue.yaml)."""

    code: frozenset[str]
    code_part: frozenset[str]
    name: frozenset[str]
    lineno: frozenset[str]
    column_number: frozenset[str]
    text: frozenset[str]
    ignorable: frozenset[str]  # dropped from a header path before it is matched against a column tree


@cache
def words() -> Words:
    hw = load_catalogue().header_words

    def n(ws: frozenset[str]) -> frozenset[str]:
        return frozenset(norm(w) for w in ws)

    return Words(
        code=n(hw.code),
        code_part=n(hw.code_part),
        name=n(hw.name),
        lineno=n(hw.lineno),
        text=n(hw.text),
        column_number=n(hw.column_number),
        ignorable=n(hw.all - hw.measure_words),
    )


def squash(text: str) -> str:
    """Whitespace removed, nothing else: labels stay verbatim (（境） keeps its full-width brackets)."""
    return re.sub(r"\s+", "", text) if text else ""


def norm(text: str) -> str:
    """The form labels are compared in: NFKC (full/half width, radical forms) and no whitespace."""
    return normalize_name(text) if text else ""


def warm_up() -> None:
    """Build the header words, labels and 类 names every table is read with (for every year the
    classification knows and the next), once (see :func:`juesuan.parse.warm_up`)."""
    words()
    header_vocabulary()
    parent_labels()
    for spec in load_catalogue().tables.values():
        _row_headers(spec)
    first = min(e.valid_from for e in function_classes().entries)
    for year in range(first, date.today().year + 2):
        _class_names(year)


@cache
def header_vocabulary() -> frozenset[str]:
    vocabulary = {norm(w) for w in load_catalogue().header_words.all}
    cat = load_catalogue()

    def walk(node: ColumnNode) -> None:
        vocabulary.update(norm(label) for label in node.labels)
        for child in node.children:
            walk(child)

    for table in cat.tables.values():
        for node in table.columns:
            walk(node)
        for side in table.sides:
            vocabulary.update(norm(label) for label in side.labels)
            for node in side.columns:
                walk(node)
    return frozenset(vocabulary)


@cache
def summary_labels() -> dict[str, frozenset[str | None]]:
    """Printed summary line label → the labels of the lines it can sit under (None: a top-level line)."""
    out: dict[str, set[str | None]] = {}
    cat = load_catalogue()
    for rows in cat.summary_rows.values():
        by_key = {r.key: r for r in rows}
        for r in rows:
            parent = norm(by_key[r.parent].labels[0]) if r.parent else None
            for label in r.labels:
                out.setdefault(norm(label), set()).add(parent)
    return {k: frozenset(v) for k, v in out.items()}


@cache
def parent_labels() -> frozenset[str]:
    return frozenset(p for parents in summary_labels().values() for p in parents if p)


@dataclass
class Column:
    index: int
    kind: str  # code | name | lineno | text | value
    path: list[str]
    side: int = 0
    measure: str | None = None
    repeat: int = 1  # the k-th value column of its half with the same header path (labelled path#k)

    @property
    def label(self) -> str:
        joined = "/".join(self.path)
        return joined if self.repeat == 1 else f"{joined}#{self.repeat}"


@dataclass
class TableFact:
    table_code: str
    table_title: str
    row_code: str | None
    row_label: str
    column_label: str
    measure: str | None
    amount_yuan: Decimal
    raw_text: str
    source_unit: str
    page: int
    x0: float
    top: float
    x1: float
    bottom: float
    side: int = 0
    scope: str = ""  # which set of tables in a document that prints more than one ('' = the first)

    def key(self) -> tuple:
        return (self.scope, self.table_code, self.side, self.row_code or self.row_label, self.column_label)


@dataclass(frozen=True)
class ParseWarning:
    """A cell or header the parser could not read as the catalogue expects: kept and reported (check W1)."""

    page: int | None
    table: str | None
    message: str

    def __str__(self) -> str:
        where = " ".join(x for x in (f"p{self.page}" if self.page else "", self.table or "") if x)
        return f"{where}: {self.message}" if where else self.message


@dataclass
class GridRead:
    """What one grid on one page yielded."""

    columns: list[Column]
    facts: list[TableFact] = field(default_factory=list)
    data_rows: int = 0
    warnings: list[ParseWarning] = field(default_factory=list)


HEADER_NOISE = re.compile(r"^(?:\d{4}年度?|其中[:：]?)+")


def header_key(text: str, year: int | None = None) -> str:
    """A header cell in compared form, without what does not name the column: 其中： before a part
    (其中：基本支出) and the year a budget prints over its amounts (2026年预算数). Given the document's
    ``year``, only that year is dropped: a 2025年预算数 beside it is another year's figure and names no
    measure of this document."""
    t = norm(text)
    if year is not None:
        bare = re.sub(r"^(?:其中[:：]?)+", "", t)
        bare = re.sub(rf"^{year}年度?", "", bare)
        return bare or t
    return HEADER_NOISE.sub("", t) or t


def is_header_text(text: str) -> bool:
    key = header_key(text)
    return (
        not text
        or key in header_vocabulary()
        or (text.isdigit() and len(text) <= 2)
        or key.endswith(tuple(words().code))  # a code column's header: 部门预算经济分类科目编码
    )


def is_data_label(text: str) -> bool:
    t = norm(text)
    return bool(
        t == "合计"
        or CODE.match(t)
        or ORDINAL.match(t)
        or t in summary_labels()
        or t.endswith(("合计", "总计"))
    )


def row_texts(grid: Grid, r: int) -> list[str]:
    return [c.text for c in grid.row(r)]


def header_rows(
    grid: Grid, known: set[tuple[str, ...]] | None = None, row_words: frozenset[str] = frozenset()
) -> tuple[list[int], list[int], int]:
    """(header rows, 栏次 rows, first data row). A 栏次 row (or a row of bare column numbers) is header.

    On a continuation page (``known`` holds the header rows of the table's first page) a row is header only
    if it repeats one of those: the first lines of a continued page can look like header text
    (一般公共预算财政拨款 is both a column header and a sub-line of 年初财政拨款结转和结余). ``row_words`` are
    leaf labels a one-line table may print as row labels (a transposed 三公's 预算数 / 决算数): such a word
    alone in the first column, the rest of its row blank or amounts, starts the data even when every
    amount is printed blank."""
    heads, lanci = [], []
    seen_structure = False
    for r in range(grid.n_rows):
        texts = [squash(t) for t in row_texts(grid, r)]
        non_empty = [t for t in texts if t]
        if not non_empty:
            continue
        numbers = [t for t in non_empty if not STARS.match(t)]  # 浙江's 栏次 row starts ** ** 1 2 3
        if any(norm(t) in words().column_number for t in texts) or (
            numbers and all(t.isdigit() and len(t) <= 2 for t in numbers)
        ):
            lanci.append(r)
            continue
        if known is not None:
            if tuple(norm(t) for t in texts) in known:
                heads.append(r)
                continue
            return heads, lanci, r
        if row_words and _labels_a_row(grid.row(r), row_words):
            return heads, lanci, r
        if any(looks_like_amount(t) for t in non_empty) or any(
            is_data_label(t) and header_key(t) not in header_vocabulary() for t in non_empty
        ):
            return heads, lanci, r
        # 合计 alone under a 项目/科目名称 header is the total line, not a column header
        if seen_structure and [norm(t) for t in non_empty] == ["合计"]:
            return heads, lanci, r
        if all(is_header_text(t) for t in non_empty):
            heads.append(r)
            seen_structure = seen_structure or any(norm(t) in words().name for t in non_empty)
            continue
        return heads, lanci, r
    return heads, lanci, grid.n_rows


def _labels_a_row(cells: list[GridCell], row_words: frozenset[str]) -> bool:
    filled = [c for c in cells if squash(c.text)]
    if not filled or filled[0].col0 != 0 or filled[0].col1 != 1 or norm(filled[0].text) not in row_words:
        return False
    return all(looks_like_amount(squash(c.text)) for c in filled[1:])


def column_paths(grid: Grid, heads: list[int], first_data: int) -> list[list[str]]:
    paths: list[list[str]] = [[] for _ in range(grid.n_cols)]
    for r in heads:
        for c in range(grid.n_cols):
            cell = grid.at(r, c)
            if cell is None or cell.row0 != r:
                continue
            t = squash(cell.text)
            if t and (not paths[c] or norm(paths[c][-1]) != norm(t)):
                paths[c].append(t)
    # PT-CZJ: the 类 款 项 sub-header shares its row with the 合计 data row
    if first_data < grid.n_rows:
        for c in range(grid.n_cols):
            cell = grid.at(first_data, c)
            if cell is not None and cell.row0 == first_data and norm(cell.text) in words().code_part:
                paths[c].append(squash(cell.text))
    return paths


def classify(paths: list[list[str]], grid: Grid, first_data: int) -> list[Column]:
    w = words()
    columns = []
    for i, path in enumerate(paths):
        keys = [norm(p) for p in path]
        if any(k in w.lineno for k in keys):
            kind = "lineno"
        elif keys and keys[-1] in w.text:
            kind = "text"
        elif keys and keys[-1] in w.name and keys[-1] not in w.code:  # 部门代码: a unit's code names the row
            kind = "name"
        elif any(k.endswith(tuple(w.code)) for k in keys) or (keys and keys[-1] in w.code_part):
            kind = "code"
        elif (keys and keys[-1] in w.name) or (not path and _mostly_text(grid, i, first_data)):
            kind = "name"
        else:
            kind = "value"
        columns.append(Column(index=i, kind=kind, path=path))
    return columns


def _mostly_text(grid: Grid, col: int, first_data: int) -> bool:
    texts = [grid.at(r, col) for r in range(first_data, grid.n_rows)]
    words = [norm(c.text) for c in texts if c is not None and c.col0 == col and norm(c.text)]
    return bool(words) and sum(parse_amount(w).value is None for w in words) > len(words) / 2


def assign_sides(columns: list[Column]) -> int:
    side, seen_value = 0, False
    for col in columns:
        if col.kind in ("code", "name") and seen_value:
            side, seen_value = side + 1, False
        if col.kind == "value":
            seen_value = True
        col.side = side
    return side + 1


def resolve_measures(spec: TableSpec, columns: list[Column], n_sides: int, year: int) -> list[str]:
    """Give each value column the measure its header path names; returns the paths that named none."""
    unresolved = []
    for col in columns:
        if col.kind != "value":
            continue
        named = _side_named(spec, col.path)
        if spec.two_sided and n_sides == len(spec.sides):
            trees = spec.sides[col.side].columns
            side_labels = {norm(label) for label in spec.sides[col.side].labels}
        elif spec.two_sided and named is not None:
            # more panes than sides (central 基本支出: 人员经费 | 公用经费 | 公用经费): the pane's header says
            trees = named.columns
            side_labels = {norm(label) for s in spec.sides for label in s.labels}
        elif spec.two_sided:
            trees = tuple(c for s in spec.sides for c in s.columns)
            side_labels = {norm(label) for s in spec.sides for label in s.labels}
        else:
            trees, side_labels = spec.columns, set()
        path = [header_key(p, year) for p in col.path]
        col.measure = match_measure(trees, [p for p in path if p not in side_labels], year)
        if col.measure is None:
            unresolved.append(col.label)
    return unresolved


def _side_named(spec: TableSpec, path: list[str]) -> Side | None:
    """The one side of a two-sided table whose label heads the column's header path, if any."""
    keys = {norm(p) for p in path}
    named = [s for s in spec.sides if keys & {norm(label) for label in s.labels}]
    return named[0] if len(named) == 1 else None


def match_measure(trees: tuple[ColumnNode, ...], path: list[str], year: int) -> str | None:
    """The leaf whose node labels cover the printed path, in any order; the best-covering leaf wins."""
    printed = [p for p in path if p not in words().ignorable]
    best, best_score = None, 0
    for tree in trees:
        for nodes, leaf in tree.leaves():
            if not leaf.measure:
                continue
            remaining = list(printed)
            matched = 0
            for node in nodes:
                names = {norm(label) for label in node.labels}
                hit = next((p for p in remaining if p in names), None)
                if hit is not None:
                    remaining.remove(hit)
                    matched += 1
            if remaining or matched == 0:
                continue
            score = matched * 10 - (len(nodes) - matched)
            # a node left unprinted is fine only where the tree is deeper than what is printed
            if score > best_score:
                best, best_score = leaf.measure, score
    del year
    return best


def read_grid(
    grid: Grid,
    spec: TableSpec,
    title: str,
    page: int,
    unit: str,
    year: int,
    state: RowState | None = None,
) -> GridRead:
    state = state or RowState()
    continued = state.columns is not None
    row_headers = _row_headers(spec)
    heads, lanci, first_data = header_rows(grid, state.header_texts if continued else None, row_headers)
    if spec.rows == "single" and first_data == grid.n_rows:
        # a one-line table (三公) whose line is printed all blank: the line under the header is its data
        first_data = max([*heads, *lanci, -1]) + 1
    if continued and not heads and state.columns is not None and len(state.columns) == grid.n_cols:
        columns = [Column(c.index, c.kind, list(c.path), c.side, c.measure, c.repeat) for c in state.columns]
        n_sides = max(c.side for c in columns) + 1
    else:
        columns = classify(column_paths(grid, heads, first_data), grid, first_data)
        n_sides = assign_sides(columns)
    read = GridRead(columns=columns)
    unresolved = resolve_measures(spec, columns, n_sides, year)
    named_by_rows: set[str] = set()
    if not continued:
        state.columns = columns
        state.header_texts = {tuple(norm(t) for t in row_texts(grid, r)) for r in heads}
    value_cols = [c for c in columns if c.kind == "value"]
    has_labels = any(c.kind in ("code", "name") for c in columns)
    number_repeats(columns)
    for r in range(first_data, grid.n_rows):
        cells = {c.col0: c for c in grid.row(r)}
        if not cells or r in lanci:
            continue
        for side in range(n_sides):
            side_cols = [c for c in columns if c.side == side]
            code, label = row_identity(side_cols, cells, grid, r, state, side, spec, year)
            if has_labels and not code and not label:
                continue
            if norm(label) in words().code_part:
                continue
            # a transposed one-line table (rows 预算数 / 决算数): the row's label ends the column's path
            item = ROW_ITEM.sub("", norm(label))  # 其中：（1）公务用车购置费 → 公务用车购置费
            transposed = item in row_headers
            for col in (c for c in value_cols if c.side == side):
                cell = cells.get(col.index) or grid.at(r, col.index)
                if cell is None or cell.col0 != col.index:
                    continue
                amount = parse_amount(cell.text)
                if amount.value is None:
                    where = f"{label or code}/{col.label}"
                    read.warnings.append(ParseWarning(page, spec.id, f"{where}: not a number {cell.text!r}"))
                    continue
                measure, column_label, row_label = col.measure, col.label, label
                if transposed:
                    path = [header_key(p, year) for p in col.path] + [item]
                    measure = match_measure(spec.columns, path, year)
                    column_label, row_label = f"{col.label}/{label}", ""
                    if measure:
                        named_by_rows.add(col.label)
                read.facts.append(
                    TableFact(
                        table_code=spec.id,
                        table_title=title,
                        row_code=code,
                        row_label=row_label,
                        column_label=column_label,
                        measure=measure,
                        amount_yuan=to_yuan(amount.value, unit),
                        raw_text=cell.text,
                        source_unit=unit,
                        page=page,
                        x0=cell.x0,
                        top=cell.top,
                        x1=cell.x1,
                        bottom=cell.bottom,
                        side=side,
                    )
                )
            read.data_rows += 1
    unresolved = [u for u in unresolved if u not in named_by_rows]
    if unresolved:
        read.warnings.append(ParseWarning(page, spec.id, f"headers naming no measure: {unresolved}"))
    return read


def number_repeated_rows(facts: list[TableFact], new: list[TableFact]) -> list[TableFact]:
    """``new`` cells of a table with a row label the table already printed (a unit named like its
    department, two projects of one name, a second classification beside the first) labelled label#2,
    label#3 …: every printed cell keeps a key of its own in the warehouse."""
    taken = {(f.row_code, f.row_label, f.column_label) for f in facts}
    for f in new:
        label, n = f.row_label, 1
        while (f.row_code, label, f.column_label) in taken:
            n += 1
            label = f"{f.row_label}#{n}"
        f.row_label = label
        taken.add((f.row_code, label, f.column_label))
    return new


def number_repeats(columns: list[Column]) -> None:
    """Value columns of one half under the same printed path (a header the parser could not split) are
    told apart by their order: path, path#2 …"""
    seen: dict[tuple[int, str], int] = {}
    for col in columns:
        if col.kind == "value":
            key = (col.side, "/".join(col.path))
            col.repeat = seen[key] = seen.get(key, 0) + 1


@cache
def _row_headers(spec: TableSpec) -> frozenset[str]:
    """Column labels a one-line table may print as row headers instead: 预算数, 决算数 of a transposed 三公,
    or its items down the side (福建, 广东 budgets), a group's label naming its subtotal."""
    if spec.rows != "single":
        return frozenset()
    nodes = {node for tree in spec.columns for path, _ in tree.leaves() for node in path}
    return frozenset(norm(label) for node in nodes for label in node.labels)


@dataclass
class RowState:
    """What a table remembers across rows and pages: the last code parts (for split codes printed without
    their parents) and the last parent line of each half (for sub-lines such as 一般公共预算财政拨款)."""

    code_parts: dict[tuple[int, int], str] = field(default_factory=dict)
    parent: dict[int, str] = field(default_factory=dict)
    columns: list[Column] | None = None  # column roles from the table's first page
    header_texts: set[tuple[str, ...]] = field(default_factory=set)


def row_identity(
    side_cols: list[Column],
    cells: dict[int, GridCell],
    grid: Grid,
    r: int,
    state: RowState,
    side: int,
    spec: TableSpec,
    year: int,
) -> tuple[str | None, str]:
    code_cols = [c for c in side_cols if c.kind == "code"]
    name_cols = [c for c in side_cols if c.kind == "name"]
    parts = []
    for k, col in enumerate(code_cols):
        cell = cells.get(col.index)
        text = norm(cell.text) if cell is not None else ""
        if not text.isdigit():
            text = ""
        if len(code_cols) > 1:
            if text and k < len(code_cols) - 1:
                state.code_parts[(side, k)] = text
            elif not text and any(norm(cells[c.index].text) for c in code_cols[k + 1 :] if c.index in cells):
                text = state.code_parts.get((side, k), "")
        parts.append(text)
    code = "".join(parts) or None
    if code is not None and not CODE.match(code):
        code = None
    # the name cell, or a merged cell over code and name columns (TPL-SH's last-row 合计); a row named in
    # several name columns (a budget's unit and year, unit and project) is named by all of them, joined by /
    names: list[str] = []
    seen: set[int] = set()
    for col in name_cols:
        cell = grid.at(r, col.index)
        if cell is None or cell.row0 != r or not cell.text or cell.col0 in seen:
            continue
        seen.add(cell.col0)
        text = squash(cell.text)
        if not names and cell.col0 < col.index and not CODE.match(norm(text)):
            code = None
        names.append(ORDINAL.sub("", text))
    label = "/".join(names)
    bracketed = BRACKETED.match(label)  # 广东 prints the code inside the name: [2014001]行政运行
    if bracketed:
        code, label = code or bracketed.group(1), bracketed.group(2)
    key = norm(label)
    if key in parent_labels():
        state.parent[side] = label
    elif (
        key in summary_labels()
        and state.parent.get(side)
        and norm(state.parent[side]) in summary_labels()[key]
    ):
        label = f"{state.parent[side]}/{label}"
    else:
        state.parent.pop(side, None)
        if label and not code and _expenditure_side(spec, side):
            code = class_code(label, year)
    return code, label


def _expenditure_side(spec: TableSpec, side: int) -> bool:
    return (
        spec.two_sided
        and side < len(spec.sides)
        and spec.sides[side].rows
        in (
            "summary_expenditure",
            "fiscal_expenditure",
        )
    )


@cache
def _class_names(year: int) -> dict[str, str]:
    fc = function_classes()
    out = {}
    for e in fc.entries:
        if e.level == "类":
            for name in fc.names(e.code):
                out.setdefault(norm(name), e.code)
    for e in fc.valid(year):
        if e.level == "类":
            out[norm(e.name)] = e.code
    return out


def class_code(name: str, year: int) -> str | None:
    """The 类 code of a summary row printed by name only (一般公共服务支出 → 201)."""
    return _class_names(year).get(norm(name))
