"""Narrative ↔ tables: what the 情况说明 states, checked against the tables and against itself.

N1  a stated amount equals its table cell (to the 0.01 万元 a narrative rounds to)
N2  a stated share equals the share the table gives, at the precision it was printed with
N3  no template placeholder is left in the text
N4  an item names the 款 its code belongs to
N5  a stated comparison (决算数小于预算数) holds between the two 三公 table cells it compares
N6  it agrees with the budget and the actual the same paragraph states (every item, the total, 三公)
N7  a stated completion percent equals actual / budget as stated
D2  no placeholder stands for the body's name (with the mentions of :mod:`juesuan.reconcile.consistency`)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import pandas as pd

from juesuan.parse.narrative import Finding, FindingKind
from juesuan.reconcile.check import Check
from juesuan.reconcile.percent import at_stated_precision
from juesuan.reconcile.rules import Book, compare, page_of
from juesuan.reference import load_catalogue
from juesuan.reference.fields import Severity

ZERO = Decimal(0)

RELATIONS = {  # a stated comparison word: does it hold between 决算数 (a) and 预算数 (b)?
    "大于": lambda a, b: a > b,
    "小于": lambda a, b: a < b,
    "等于": lambda a, b: a == b,
    "持平于": lambda a, b: a == b,
    "持平": lambda a, b: a == b,
    "相等": lambda a, b: a == b,
    "一致": lambda a, b: a == b,
}


def _wan(yuan: Decimal) -> Decimal:
    """An amount as a narrative states it: in the default unit (万元), to 0.01."""
    return load_catalogue().from_yuan(yuan)


PRINTED_AMOUNT = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?")


def _stated_tolerance(amount: Decimal, sentence: str | None) -> Decimal:
    """How far a stated amount may be from its cell: the narrative's 0.01 万元, or half the last digit it
    was printed with when coarser (a budget's 收入预算18037万元 states 18,036.62 to the 万元). The sentence
    gives the printed form back, as for a percent."""
    tolerance = load_catalogue().narrative_tolerance()
    wan = amount / load_catalogue().factor()
    for m in PRINTED_AMOUNT.finditer(re.sub(r"\s+", "", sentence or "")):
        printed = Decimal(m.group(1).replace(",", "") + (m.group(2) or ""))
        if printed == wan:
            step = Decimal(1).scaleb(printed.as_tuple().exponent) * load_catalogue().factor()
            return max(tolerance, (step / 2).quantize(Decimal("0.01")))
    return tolerance


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
        budget = decl.budget if decl else None
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


def _completion(stated: Stated, i: int) -> list[Check]:
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
    return [
        compare(
            "N7",
            f"{fig.subject}/completion",
            f"completion: {_wan(b)} / {_wan(a)} 万元 stated as {c}%: {fig.text}",
            expected,
            c,
            step,
            [page_of(int(r.page)) for r in (budget, fig)],
        )
    ]


def _three_public_comparison(book: Book, finding: Finding) -> list[Check]:
    """N5: 决算数大于/小于/等于预算数 said of “三公” against the 三公 table's 决算数 and 预算数."""
    actual = book.select("three_public", "", "three_public_actual")
    budget = book.select("three_public", "", "three_public_budget")
    if not actual or not budget:
        return []
    return [
        compare(
            "N5",
            f"three_public/决算数{finding.word}预算数",
            f"comparison: {finding.text}",
            budget[0].value,
            actual[0].value,
            ZERO,
            [actual[0], page_of(finding.page)],
            verdict=RELATIONS[finding.word](actual[0].value, budget[0].value),
        )
    ]


def _stated_comparison(stated: Stated, finding: Finding) -> list[Check]:
    """N6: a comparison in words (决算数大于/小于/等于预算数, 与预算数基本持平) agrees with the 年初预算 A and
    支出决算 B the same paragraph states."""
    actual_subject, word = finding.subject, finding.word
    i = stated.last_before(actual_subject, finding.section, finding.page)
    budget_subject = stated.budget_subject(actual_subject)
    if i is None or budget_subject is None:
        return []
    budget = stated.nearest(budget_subject, finding.section, i)
    if budget is None:
        return []
    a, b = Decimal(budget.amount_yuan), Decimal(stated.rows[i].amount_yuan)
    pages = [page_of(int(budget.page)), page_of(int(stated.rows[i].page)), page_of(finding.page)]
    return [
        compare(
            "N6",
            f"{actual_subject}/comparison",
            f"{word}: 决算 {_wan(b)} 万元 against 预算 {_wan(a)} 万元: {finding.text}",
            a,
            b,
            ZERO,
            pages,
            verdict=RELATIONS[word](b, a),
        )
    ]


def finding_checks(book: Book, findings: Iterable[Finding], figures: pd.DataFrame) -> list[Check]:
    """N3, N4, N5, N6 and D2 from what the text says that is not a figure; ``figures``: the document's
    figures, where a comparison finds the budget and actual its paragraph states."""
    stated = Stated(figures)
    out: list[Check] = []
    for f in findings:
        if f.kind is FindingKind.PLACEHOLDER:
            out.append(
                Check.finding(
                    "N3", f"placeholder/{f.section}", f"template placeholder left in: {f.text}", [f.page]
                )
            )
        elif f.kind is FindingKind.BODY_PLACEHOLDER:
            description = f"a placeholder stands for the body's name: {f.text}"
            out.append(Check.finding("D2", "department", description, [f.page], Severity.ERROR))
        elif f.kind is FindingKind.COMPARISON:
            if f.subject == "three_public_actual":
                out += _three_public_comparison(book, f)
            out += _stated_comparison(stated, f)
        elif f.kind is FindingKind.KUAN_NAME:
            description = f"the 款 named is not the code's: {f.text}"
            out.append(Check.finding("N4", f"kuan_name.{f.subject}", description, [f.page]))
    return out


def figure_checks(book: Book, figures: pd.DataFrame) -> list[Check]:
    """N1, N2 and N7 for every figure the narrative states."""
    cat = load_catalogue()
    stated = Stated(figures)
    out: list[Check] = []
    for i, fig in enumerate(stated.rows):
        here = page_of(int(fig.page))
        out += _completion(stated, i)
        decl = cat.subject(fig.subject)
        target = decl.cell(fig.subject) if decl else None
        if target is None or not _given(fig.amount_yuan):
            continue
        cells = book.select(*target)
        if not cells and target[0] in book.tables and decl.missing_is_zero:
            cells = [here]  # a line the table does not print is zero
        if not cells:
            continue
        amount = Decimal(fig.amount_yuan)
        out.append(
            compare(
                "N1",
                fig.subject,
                f"narrative: {fig.text}",
                cells[0].value,
                amount,
                _stated_tolerance(amount, fig.text),
                [cells[0], here],
                Severity.WARNING if decl.soft else Severity.ERROR,
            )
        )
        if decl.share_of and _given(fig.percent):
            base = book.select(*decl.share_of)
            if base and base[0].value:
                # narratives compute shares from amounts stated in 万元 to 0.01: do the same
                part_wan, base_wan = _wan(cells[0].value), _wan(base[0].value)
                stated_pct = Decimal(fig.percent)
                expected, step = at_stated_precision(part_wan / base_wan if base_wan else ZERO, stated_pct)
                out.append(
                    compare(
                        "N2",
                        f"{fig.subject}/share",
                        f"share: {fig.text}",
                        expected,
                        stated_pct,
                        step,
                        [cells[0], base[0], here],
                    )
                )
    return out
