"""The rule engine: catalogue rules over one document's facts and figures → check rows.

Tolerance follows the published-rounding rule of DOMAIN.md §3.1: a total compared with n printed parts may
miss by max(0.01, 0.005 × (n + 1)) of the printed unit; the difference is always stored.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd

from juesuan.reconcile.percent import at_stated_precision
from juesuan.reference import load_catalogue, normalize_name

UNIT = {unit: Decimal(factor) for unit, factor in load_catalogue().units.items()}
ZERO = Decimal(0)
NARRATIVE_TOLERANCE = Decimal(50)  # 0.005 万元: a narrative rounds the table's 元 to 0.01 万元


@dataclass(frozen=True)
class Cell:
    value: Decimal
    unit: Decimal
    page: int
    label: str


def _label_key(label: str) -> str:
    return "/".join(normalize_name(part) for part in label.split("/"))


class Book:
    """One document's facts indexed by (table, row, measure); rows by code, or by normalized label."""

    def __init__(self, facts: pd.DataFrame):
        self.cells: dict[tuple[str, str, str], Cell] = {}
        self.rows: dict[str, list[tuple[str, str | None, str]]] = defaultdict(list)
        self.tables: set[str] = set()
        for f in facts.itertuples(index=False):
            key = f.row_code if isinstance(f.row_code, str) and f.row_code else _label_key(f.row_label)
            cell = Cell(Decimal(f.amount_yuan), UNIT.get(f.source_unit, Decimal(1)), int(f.page), f.row_label)
            self.cells.setdefault((f.table_code, key, f.measure), cell)
            self.tables.add(f.table_code)
            entry = (key, f.row_code if isinstance(f.row_code, str) else None, f.row_label)
            if entry not in self.rows[f.table_code]:
                self.rows[f.table_code].append(entry)

    def select(self, table: str, row: str, measure: str) -> list[Cell]:
        """The cells a rule reference names (several for @classes and @scheme)."""
        cat = load_catalogue()
        if row == "@classes":
            keys = [k for k, code, _ in self.rows[table] if code and len(code) == 3]
        elif row.startswith("@"):
            scheme, _, line = row[1:].partition(".")
            labels = {
                normalize_name(label)
                for r in cat.summary_rows[scheme]
                if not line or r.key == line
                for label in r.labels
            }
            keys = [k for k, code, _ in self.rows[table] if not code and k in labels]
        else:
            keys = [row if row.isdigit() else _label_key(row)]
        return [self.cells[(table, k, measure)] for k in keys if (table, k, measure) in self.cells]


def _row(
    check_id: str,
    subject: str,
    description: str,
    expected: Decimal,
    actual: Decimal,
    tolerance: Decimal,
    cells: list[Cell],
    severity: str = "error",
    passed: bool | None = None,
) -> dict:
    difference = actual - expected
    return {
        "check_id": check_id,
        "subject": subject,
        "description": description,
        "severity": severity,
        "expected": expected,
        "actual": actual,
        "difference": difference,
        "tolerance": tolerance,
        "passed": abs(difference) <= tolerance if passed is None else passed,
        "pages": sorted({c.page for c in cells}),
    }


def _tolerance(total: Cell, n: int) -> Decimal:
    return (load_catalogue().tolerance(n) * total.unit).quantize(Decimal("0.01"))


def _total_vs_parts(
    rule_id: str, subject: str, description: str, total: Cell, parts: list[Cell], severity: str = "error"
) -> dict:
    """A printed total against the sum of its printed parts, with the published-rounding tolerance."""
    return _row(
        rule_id,
        subject,
        description,
        sum((c.value for c in parts), ZERO),
        total.value,
        _tolerance(total, len(parts)),
        [total, *parts],
        severity,
    )


def _sum_rule(book: Book, rule: dict, description: str) -> list[dict]:
    totals = book.select(*rule["total"])
    parts = [c for ref in rule["parts"] for c in book.select(*ref)]
    if not totals or not parts:
        return []
    subject = "/".join(str(x) for x in rule["total"])
    return [
        _total_vs_parts(rule["id"], subject, description, totals[0], parts, rule.get("severity", "error"))
    ]


def _row_sum(book: Book, rule: dict, description: str) -> list[dict]:
    table = rule["table"]
    out = []
    for key, _, label in book.rows[table]:
        total = book.cells.get((table, key, rule["total"]))
        if total is None:
            continue
        parts = [book.cells[(table, key, m)] for m in rule["parts"] if (table, key, m) in book.cells]
        if not parts:
            continue
        out.append(
            _total_vs_parts(
                rule["id"], f"{table}/{key}/{rule['total']}", f"{description} ({label})", total, parts
            )
        )
    return out


def _hierarchy(book: Book, rule: dict, description: str) -> list[dict]:
    out = []
    for table in rule["tables"]:
        codes = [code for _, code, _ in book.rows[table] if code]
        measures = {m for (t, _, m) in book.cells if t == table}
        for measure in sorted(measures):
            groups: list[tuple[str, list[str]]] = [("合计", [c for c in codes if len(c) == 3])]
            groups += [(p, [c for c in codes if len(c) == len(p) + 2 and c.startswith(p)]) for p in codes]
            for parent, kids in groups:
                total = book.cells.get((table, parent, measure))
                parts = [book.cells[(table, k, measure)] for k in kids if (table, k, measure) in book.cells]
                if total is None or not parts:
                    continue
                out.append(
                    _total_vs_parts(rule["id"], f"{table}/{parent}/{measure}", description, total, parts)
                )
    return out


def _per_class(book: Book, rule: dict, description: str) -> list[dict]:
    (ta, ma), (tb, mb) = rule["a"], rule["b"]
    if ta not in book.tables or tb not in book.tables:
        return []
    out = []
    codes = sorted({code for _, code, _ in book.rows[ta] + book.rows[tb] if code and len(code) == 3})
    for code in codes:
        a, b = book.cells.get((ta, code, ma)), book.cells.get((tb, code, mb))
        if a is None and b is None:
            continue
        zero_a = a or Cell(ZERO, (b or a).unit, (b or a).page, "")
        zero_b = b or Cell(ZERO, zero_a.unit, zero_a.page, "")
        out.append(
            _row(
                rule["id"],
                f"{ta}~{tb}/{code}/{ma}",
                description,
                zero_b.value,
                zero_a.value,
                _tolerance(zero_a, 1),
                [c for c in (a, b) if c],
            )
        )
    return out


def _at_most(book: Book, rule: dict, description: str) -> list[dict]:
    a, b = book.select(*rule["a"]), book.select(*rule["b"])
    if not a or not b:
        return []
    tolerance = _tolerance(a[0], 1)
    return [
        _row(
            rule["id"],
            "/".join(rule["a"]),
            description,
            b[0].value,
            a[0].value,
            tolerance,
            [a[0], b[0]],
            rule.get("severity", "warning"),
            passed=a[0].value <= b[0].value + tolerance,
        )
    ]


KINDS = {
    "sum": _sum_rule,
    "row_sum": _row_sum,
    "hierarchy": _hierarchy,
    "per_class": _per_class,
    "at_most": _at_most,
}


def table_presence(tables: set[str], family: str | None) -> list[dict]:
    """T1: every table of the document's template family is present."""
    cat = load_catalogue()
    if family not in cat.families:
        return []
    out = []
    for table in cat.families[family].tables:
        present = table in tables
        out.append(
            {
                "check_id": "T1",
                "subject": table,
                "description": f"the {family} family prints {table}",
                "severity": "error",
                "expected": Decimal(1),
                "actual": Decimal(int(present)),
                "difference": Decimal(int(present) - 1),
                "tolerance": ZERO,
                "passed": present,
                "pages": [],
            }
        )
    return out


SHARE_BASES = {  # subject (a prefix when it ends with '.') -> the cell the stated share is a share of
    "income.": ("income_expenditure_summary", "本年收入合计", "income_amount"),
    "basic_expenditure": ("expenditure", "合计", "total_expenditure"),
    "project_expenditure": ("expenditure", "合计", "total_expenditure"),
    "expenditure_class.": ("expenditure", "合计", "total_expenditure"),
    "gpb_expenditure": ("expenditure", "合计", "total_expenditure"),
    "gpb_class.": ("gpb_expenditure", "合计", "total_expenditure"),
    "outbound_actual": ("three_public", "", "three_public_actual"),
    "vehicle_total_actual": ("three_public", "", "three_public_actual"),
    "reception_actual": ("three_public", "", "three_public_actual"),
}


RELATIONS = {  # a stated comparison word: does it hold between 决算数 (a) and 预算数 (b)?
    "大于": lambda a, b: a > b,
    "小于": lambda a, b: a < b,
    "等于": lambda a, b: a == b,
    "持平于": lambda a, b: a == b,
    "持平": lambda a, b: a == b,
    "相等": lambda a, b: a == b,
    "一致": lambda a, b: a == b,
}


def _share_base(subject: str) -> tuple[str, str, str] | None:
    return next(
        (v for k, v in SHARE_BASES.items() if (subject.startswith(k) if k.endswith(".") else subject == k)),
        None,
    )


def _finding(check_id: str, subject: str, description: str, page_cell: Cell) -> dict:
    """A finding in the text itself (a placeholder, a wrong name): a failed check with nothing to compare."""
    return _row(check_id, subject, description, ZERO, ZERO, ZERO, [page_cell], "warning", passed=False)


def _comparison(book: Book, word: str, text: str, page_cell: Cell) -> list[dict]:
    """N5: 决算数大于/小于/等于预算数 said of “三公” against the 三公 table's 决算数 and 预算数."""
    actual = book.select("three_public", "", "three_public_actual")
    budget = book.select("three_public", "", "three_public_budget")
    if not actual or not budget:
        return []
    holds = RELATIONS[word](actual[0].value, budget[0].value)
    return [
        _row(
            "N5",
            f"three_public/决算数{word}预算数",
            f"comparison: {text}",
            budget[0].value,
            actual[0].value,
            ZERO,
            [actual[0], page_cell],
            passed=holds,
        )
    ]


def _wan(yuan: Decimal) -> Decimal:
    return (yuan / 10_000).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _given(value: object) -> bool:
    """A stated value (figures frames hold None or NaN where nothing was stated)."""
    return value is not None and not pd.isna(value)


class Stated:
    """The figures of one document in reading order, to find the budget a completion or a comparison is
    measured by: the nearest figure of the budget's subject in the same section."""

    def __init__(self, figures: pd.DataFrame):
        self.rows = list(figures.itertuples(index=False)) if not figures.empty else []
        self.catalogue = load_catalogue()

    def budget_subject(self, subject: str) -> str | None:
        decl = self.catalogue.subject(subject)
        budget = self.catalogue.raw["narrative_subjects"].get(decl.id, {}).get("budget") if decl else None
        if budget is None:
            return None
        code = subject.split(".", 1)[1] if "." in subject else ""
        return f"{budget}.{code}" if code.isdigit() else budget

    def nearest(self, subject: str, section: str, i: int) -> Any | None:
        """The figure of ``subject`` closest to row ``i`` in its section (the budget of its paragraph)."""
        found = [
            (abs(k - i), r)
            for k, r in enumerate(self.rows)
            if r.subject == subject and r.section == section and _given(r.amount_yuan)
        ]
        return min(found, key=lambda x: x[0])[1] if found else None

    def last_before(self, subject: str, section: str, page: int) -> int | None:
        """The row of the last figure of ``subject`` in ``section`` stated on or before ``page``."""
        hits = [
            k
            for k, r in enumerate(self.rows)
            if r.subject == subject and r.section == section and int(r.page) <= page and _given(r.amount_yuan)
        ]
        return hits[-1] if hits else None


def _completion(stated: Stated, i: int) -> list[dict]:
    """N7: a stated completion percent (完成年初预算的 C%) equals 支出决算 B / 年初预算 A, both as the same
    paragraph states them, at C's precision. Nothing to check when A is 0."""
    fig = stated.rows[i]
    budget_subject = stated.budget_subject(fig.subject)
    if budget_subject is None or not _given(fig.percent) or not _given(fig.amount_yuan):
        return []
    budget = stated.nearest(budget_subject, fig.section, i)
    if budget is None or Decimal(budget.amount_yuan) == 0:
        return []
    a, b, c = Decimal(budget.amount_yuan), Decimal(fig.amount_yuan), Decimal(fig.percent)
    expected, step = at_stated_precision(b / a, c)
    pages = [Cell(ZERO, Decimal(1), int(r.page), "") for r in (budget, fig)]
    return [
        _row(
            "N7",
            f"{fig.subject}/completion",
            f"completion: {_wan(b)} / {_wan(a)} 万元 stated as {c}%: {fig.text}",
            expected,
            c,
            step,
            pages,
        )
    ]


def _stated_comparison(stated: Stated, fig: Any, actual_subject: str, word: str) -> list[dict]:
    """N6: a comparison in words (决算数大于/小于/等于预算数, 与预算数基本持平) agrees with the 年初预算 A and
    支出决算 B the same paragraph states."""
    i = stated.last_before(actual_subject, fig.section, int(fig.page))
    budget_subject = stated.budget_subject(actual_subject)
    if i is None or budget_subject is None:
        return []
    budget = stated.nearest(budget_subject, fig.section, i)
    if budget is None:
        return []
    a, b = Decimal(budget.amount_yuan), Decimal(stated.rows[i].amount_yuan)
    pages = [Cell(ZERO, Decimal(1), int(r.page), "") for r in (budget, stated.rows[i], fig)]
    return [
        _row(
            "N6",
            f"{actual_subject}/comparison",
            f"{word}: 决算 {_wan(b)} 万元 against 预算 {_wan(a)} 万元: {fig.text}",
            a,
            b,
            ZERO,
            pages,
            passed=RELATIONS[word](b, a),
        )
    ]


def narrative_checks(book: Book, figures: pd.DataFrame, context: pd.DataFrame | None = None) -> list[dict]:
    """N1: a stated amount equals its table cell; N2: a stated share equals the share the table gives;
    N3: no template placeholder is left in the text; N4: an item names the 款 its code belongs to;
    N5: a stated comparison (决算数小于预算数) holds between the two 三公 table cells it compares;
    N6: it agrees with the budget and the actual the paragraph states (every item, the total, 三公);
    N7: a stated completion percent equals actual / budget as stated; D2: no placeholder stands for the
    body's name. ``context``: the document's figures, when ``figures`` holds its findings."""
    cat = load_catalogue()
    stated = Stated(figures if context is None else context)
    out = []
    for i, fig in enumerate(figures.itertuples(index=False)):
        page_cell = Cell(ZERO, Decimal(1), int(fig.page), "")
        if fig.subject == "placeholder":
            out.append(
                _finding(
                    "N3", f"placeholder/{fig.section}", f"template placeholder left in: {fig.text}", page_cell
                )
            )
            continue
        if fig.subject == "finding:body_placeholder":
            out.append(
                _row(
                    "D2",
                    "department",
                    f"a placeholder stands for the body's name: {fig.text}",
                    ZERO,
                    ZERO,
                    ZERO,
                    [page_cell],
                    "error",
                    passed=False,
                )
            )
            continue
        if fig.subject.startswith("finding:compare."):
            actual_subject, word = fig.subject.removeprefix("finding:compare.").rsplit(".", 1)
            if actual_subject == "three_public_actual":
                out += _comparison(book, word, fig.text, page_cell)
            out += _stated_comparison(stated, fig, actual_subject, word)
            continue
        if fig.subject.startswith("finding:kuan_name"):
            out.append(
                _finding(
                    "N4",
                    fig.subject.removeprefix("finding:"),
                    f"the 款 named is not the code's: {fig.text}",
                    page_cell,
                )
            )
            continue
        if context is None:
            out += _completion(stated, i)
        decl = cat.subject(fig.subject)
        target = decl.cell(fig.subject) if decl else None
        if target is None or not _given(fig.amount_yuan):
            continue
        cells = book.select(*target)
        if not cells and target[0] in book.tables:
            cells = [Cell(ZERO, Decimal(1), int(fig.page), "")]  # a line the table does not print is zero
        if not cells:
            continue
        amount = Decimal(fig.amount_yuan)
        out.append(
            _row(
                "N1",
                fig.subject,
                f"narrative: {fig.text}",
                cells[0].value,
                amount,
                NARRATIVE_TOLERANCE,
                [cells[0], page_cell],
                "warning" if decl.soft else "error",
            )
        )
        share = _share_base(fig.subject)
        if share and _given(fig.percent):
            base = book.select(*share)
            if base and base[0].value:
                # narratives compute shares from amounts stated in 万元 to 0.01: do the same
                part_wan, base_wan = _wan(cells[0].value), _wan(base[0].value)
                stated_pct = Decimal(fig.percent)
                expected, step = at_stated_precision(part_wan / base_wan if base_wan else ZERO, stated_pct)
                out.append(
                    _row(
                        "N2",
                        f"{fig.subject}/share",
                        f"share: {fig.text}",
                        expected,
                        stated_pct,
                        step,
                        [cells[0], base[0], page_cell],
                    )
                )
    return out


def reconcile(
    facts: pd.DataFrame,
    figures: pd.DataFrame,
    document_id: str,
    family: str | None,
    tables: set[str],
    placeholders: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every check row of one document (``tables``: the tables found, empty ones included)."""
    book = (
        Book(facts)
        if not facts.empty
        else Book(
            pd.DataFrame(
                columns=[
                    "table_code",
                    "row_code",
                    "row_label",
                    "measure",
                    "amount_yuan",
                    "source_unit",
                    "page",
                ]
            )
        )
    )
    rows: list[dict] = table_presence(tables, family)
    descriptions = {i.id: i.description for i in load_catalogue().identities}
    for rule in load_catalogue().raw["rules"]:
        base_id = rule["id"].rstrip("bcde")
        rows += KINDS[rule["kind"]](book, rule, descriptions.get(base_id, rule["id"]))
    if figures is not None and not figures.empty:
        rows += narrative_checks(book, figures)
    if placeholders is not None and not placeholders.empty:
        context = figures if figures is not None else pd.DataFrame()
        rows += narrative_checks(book, placeholders, context)
    frame = pd.DataFrame(rows)
    if not frame.empty:
        frame.insert(0, "document_id", document_id)
    return frame
