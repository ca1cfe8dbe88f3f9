"""The one record every reconciliation rule makes: a :class:`Check`, becoming one row of ``checks``.

A rule states what it expected, what is printed and how far apart the two may be; the difference and the
verdict follow from those, so no rule computes them its own way. A check also names the cells it read
(:class:`CellRef`) so that a report can show them without parsing the subject back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal

import pandas as pd

from juesuan.reference.fields import Severity

ZERO = Decimal(0)
ONE = Decimal(1)
COLUMNS = (
    "document_id",
    "check_id",
    "subject",
    "description",
    "severity",
    "expected",
    "actual",
    "difference",
    "tolerance",
    "passed",
    "pages",
    "cells",
)


@dataclass(frozen=True)
class CellRef:
    """A printed table cell a check read: the catalogue table, its row (code or label), measure and page,
    in the document's set of tables ``scope`` ('' the first)."""

    table: str
    row: str
    measure: str
    page: int
    scope: str = ""

    def row_of(self) -> dict:
        return {
            "table_scope": self.scope,
            "table_code": self.table,
            "row_key": self.row,
            "measure": self.measure,
            "page": self.page,
        }


@dataclass(frozen=True)
class Check:
    """One rule applied to one place. ``passed`` is derived from the difference and tolerance unless the
    rule decides it otherwise (a comparison word, a bound, a presence); findings compare nothing."""

    check_id: str
    subject: str
    description: str
    expected: Decimal | None
    actual: Decimal | None
    tolerance: Decimal | None
    pages: tuple[int, ...]
    severity: str = Severity.ERROR
    verdict: bool | None = None
    cells: tuple[CellRef, ...] = field(default=(), compare=False)

    @property
    def difference(self) -> Decimal | None:
        if self.expected is None or self.actual is None:
            return None
        return self.actual - self.expected

    @property
    def passed(self) -> bool:
        if self.verdict is not None:
            return self.verdict
        return self.difference is not None and abs(self.difference) <= (self.tolerance or ZERO)

    @classmethod
    def presence(
        cls, check_id: str, subject: str, description: str, present: bool, pages: Iterable[int], severity: str
    ) -> Check:
        """Something that should be there is (1) or is not (0): a table, a readable page."""
        return cls(
            check_id,
            subject,
            description,
            ONE,
            ONE if present else ZERO,
            ZERO,
            tuple(sorted(set(pages))),
            severity,
        )

    @classmethod
    def finding(
        cls,
        check_id: str,
        subject: str,
        description: str,
        pages: Iterable[int],
        severity: str = Severity.WARNING,
    ) -> Check:
        """Something in the text itself is wrong (a placeholder, a wrong name): nothing to compare."""
        return cls(
            check_id, subject, description, ZERO, ZERO, ZERO, tuple(sorted(set(pages))), severity, False
        )

    def scoped(self, scope: str) -> Check:
        """The same check on a document's further set of tables (汇总 then 本级): subject ``scope:…``."""
        return replace(self, subject=f"{scope}:{self.subject}")

    def row(self, document_id: str) -> dict:
        return {
            "document_id": document_id,
            "check_id": self.check_id,
            "subject": self.subject,
            "description": self.description,
            "severity": self.severity,
            "expected": self.expected,
            "actual": self.actual,
            "difference": self.difference,
            "tolerance": self.tolerance,
            "passed": self.passed,
            "pages": list(self.pages),
            "cells": [c.row_of() for c in self.cells],
        }


def checks_frame(document_id: str, checks: Iterable[Check]) -> pd.DataFrame:
    """The rows of ``checks`` for one document, in the warehouse's column order (empty: no columns)."""
    rows = [c.row(document_id) for c in checks]
    return pd.DataFrame(rows, columns=list(COLUMNS)) if rows else pd.DataFrame()
