"""The accounting identities over one document's facts, and the presence of its family's tables.

Tolerance follows the published-rounding rule of DOMAIN.md §3.1: a total compared with n printed parts may
miss by max(0.01, 0.005 × (n + 1)) of the printed unit; the difference is always stored.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd

from juesuan.reconcile.check import CellRef, Check
from juesuan.reference import load_catalogue, normalize_name
from juesuan.reference.fields import Severity

ZERO = Decimal(0)
FACT_COLUMNS = ("table_code", "row_code", "row_label", "measure", "amount_yuan", "source_unit", "page")


@dataclass(frozen=True)
class Cell:
    """A value a rule reads: a printed cell (with its reference), or a narrative figure's page."""

    value: Decimal
    unit: Decimal
    page: int
    label: str
    ref: CellRef | None = None


def page_of(page: int) -> Cell:
    """A sentence's page as a rule's place (nothing printed in a table)."""
    return Cell(ZERO, Decimal(1), page, "")


def _label_key(label: str) -> str:
    return "/".join(normalize_name(part) for part in label.split("/"))


class Book:
    """One document's facts indexed by (table, row, measure); rows by code, or by normalized label."""

    def __init__(self, facts: pd.DataFrame):
        self.cells: dict[tuple[str, str, str], Cell] = {}
        self.rows: dict[str, list[tuple[str, str | None, str]]] = defaultdict(list)
        self.tables: set[str] = set()
        if facts.empty:
            return
        listed: set[tuple[str, tuple[str, str | None, str]]] = set()
        for f in facts.itertuples(index=False):
            code = f.row_code if isinstance(f.row_code, str) and f.row_code else None
            key = code or _label_key(f.row_label)
            scope = getattr(f, "table_scope", "") or ""
            ref = CellRef(f.table_code, code or f.row_label, f.measure, int(f.page), scope)
            cell = Cell(
                Decimal(f.amount_yuan), load_catalogue().factor(f.source_unit), int(f.page), f.row_label, ref
            )
            self.cells.setdefault((f.table_code, key, f.measure), cell)
            self.tables.add(f.table_code)
            entry = (key, code, f.row_label)
            if (f.table_code, entry) not in listed:
                listed.add((f.table_code, entry))
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


def compare(
    check_id: str,
    subject: str,
    description: str,
    expected: Decimal,
    actual: Decimal,
    tolerance: Decimal,
    cells: list[Cell],
    severity: str = Severity.ERROR,
    verdict: bool | None = None,
) -> Check:
    """A check over cells and sentences: its pages and cell references are theirs."""
    return Check(
        check_id,
        subject,
        description,
        expected,
        actual,
        tolerance,
        tuple(sorted({c.page for c in cells})),
        severity,
        verdict,
        tuple(c.ref for c in cells if c.ref is not None),
    )


def _tolerance(total: Cell, n: int) -> Decimal:
    return (load_catalogue().tolerance(n) * total.unit).quantize(Decimal("0.01"))


def _total_vs_parts(
    rule_id: str,
    subject: str,
    description: str,
    total: Cell,
    parts: list[Cell],
    severity: str = Severity.ERROR,
) -> Check:
    """A printed total against the sum of its printed parts, with the published-rounding tolerance."""
    return compare(
        rule_id,
        subject,
        description,
        sum((c.value for c in parts), ZERO),
        total.value,
        _tolerance(total, len(parts)),
        [total, *parts],
        severity,
    )


def _sum_rule(book: Book, rule: Any, description: str) -> list[Check]:
    totals = book.select(*rule.total)
    parts = [c for ref in rule.parts for c in book.select(*ref)]
    if not totals or not parts:
        return []
    subject = "/".join(str(x) for x in rule.total)
    return [_total_vs_parts(rule.id, subject, description, totals[0], parts, rule.severity or Severity.ERROR)]


def _row_sum(book: Book, rule: Any, description: str) -> list[Check]:
    table = rule.table
    out = []
    for key, _, label in book.rows[table]:
        total = book.cells.get((table, key, rule.total))
        if total is None or any((table, key, m) in book.cells for m in rule.unless):
            continue
        if not all((table, key, m) in book.cells for m in rule.needs):
            continue
        parts = [book.cells[(table, key, m)] for m in rule.parts if (table, key, m) in book.cells]
        if not parts:
            continue
        out.append(
            _total_vs_parts(
                rule.id,
                f"{table}/{key}/{rule.total}",
                f"{description} ({label})",
                total,
                parts,
                rule.severity or Severity.ERROR,
            )
        )
    return out


def _hierarchy(book: Book, rule: Any, description: str) -> list[Check]:
    out = []
    for table in rule.tables:
        codes = [code for _, code, _ in book.rows[table] if code]
        # a code's children are the codes two digits longer that begin with it, in the table's order
        children: dict[str, list[str]] = defaultdict(list)
        for c in codes:
            children[c[:-2]].append(c)
        groups = [("合计", [c for c in codes if len(c) == 3])] + [(p, children.get(p, [])) for p in codes]
        # a column whose header named no measure (W1) is not summed
        measures = {m for (t, _, m) in book.cells if t == table and isinstance(m, str)}
        for measure in sorted(measures):
            for parent, kids in groups:
                total = book.cells.get((table, parent, measure))
                parts = [book.cells[(table, k, measure)] for k in kids if (table, k, measure) in book.cells]
                if total is None or not parts:
                    continue
                severity = rule.severity or Severity.ERROR
                subject = f"{table}/{parent}/{measure}"
                out.append(_total_vs_parts(rule.id, subject, description, total, parts, severity))
    return out


def _per_class(book: Book, rule: Any, description: str) -> list[Check]:
    (ta, ma), (tb, mb) = rule.a, rule.b
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
            compare(
                rule.id,
                f"{ta}~{tb}/{code}/{ma}",
                description,
                zero_b.value,
                zero_a.value,
                _tolerance(zero_a, 1),
                [c for c in (a, b) if c],
                rule.severity or Severity.ERROR,
            )
        )
    return out


def _at_most(book: Book, rule: Any, description: str) -> list[Check]:
    a, b = book.select(*rule.a), book.select(*rule.b)
    if not a or not b:
        return []
    tolerance = _tolerance(a[0], 1)
    return [
        compare(
            rule.id,
            "/".join(rule.a),
            description,
            b[0].value,
            a[0].value,
            tolerance,
            [a[0], b[0]],
            rule.severity or Severity.WARNING,
            verdict=a[0].value <= b[0].value + tolerance,
        )
    ]


KINDS: dict[str, Callable[[Book, Any, str], list[Check]]] = {
    "sum": _sum_rule,
    "row_sum": _row_sum,
    "hierarchy": _hierarchy,
    "per_class": _per_class,
    "at_most": _at_most,
}


def identity_checks(book: Book) -> list[Check]:
    """Every catalogue rule over the document's cells (a rule whose cells are not printed makes no row)."""
    out: list[Check] = []
    for identity in load_catalogue().identities:
        for rule in identity.checks:
            out += KINDS[rule.kind](book, rule, identity.description)
    return out


def table_presence(tables: set[str], family: str | None) -> list[Check]:
    """T1: every table of the document's template family is present."""
    cat = load_catalogue()
    if family not in cat.families:
        return []
    return [
        Check.presence(
            "T1", table, f"the {family} family prints {table}", table in tables, [], Severity.ERROR
        )
        for table in cat.families[family].tables
    ]
