"""``juesuan query``'s table, printed without rich: columns line up in a terminal, where a CJK character
takes two cells, and numbers stand to the right."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

from juesuan.cli import plain_table


def cells(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def test_columns_line_up_with_chinese_names_and_numbers_to_the_right() -> None:
    rows = [("上海市普陀区财政局", 2024, Decimal("29400500.00")), ("国家信访局", None, Decimal("7.5"))]
    lines = plain_table(["department_name", "fiscal_year", "total"], rows).splitlines()
    assert len(lines) == 4 and set(lines[1]) <= {"─", " "}
    # every column starts (text) or ends (numbers) at the same cell on every line
    name_end = cells("上海市普陀区财政局")
    assert lines[2].startswith("上海市普陀区财政局  ") and cells(lines[3][: lines[3].index("  ")]) <= name_end
    ends = {cells(line) for line in (lines[2], lines[3])}
    assert len(ends) == 1  # the totals, right-aligned, end together
    assert lines[3].endswith("7.5") and lines[2].endswith("29400500.00")
