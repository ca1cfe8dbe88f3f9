"""The table finder's fast paths against pdfplumber's own functions on random pages (hypothesis).

``juesuan.pdf.surface`` replaces two pdfplumber functions that dominated reading a table page: the cells
of a grid of intersections and the text of a cell. They must give what pdfplumber gives, to the cell and
to the character, or the facts of every document would move; these properties hold them to it on pages
far messier than any printed table (overlapping lines, stray marks, superscripts, blanks, ligatures).
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pdfplumber import utils as plumber_utils
from pdfplumber.table import edges_to_intersections
from pdfplumber.table import intersections_to_cells as plumber_cells

from juesuan.pdf.page import WHITESPACE
from juesuan.pdf.surface import intersections_to_cells, squashed_text

# coordinates on a coarse lattice, so that lines meet, overlap and chain the way ruled tables do
coord = st.integers(min_value=0, max_value=24).map(lambda k: k * 7.5)
near = st.floats(min_value=0, max_value=40, allow_nan=False).map(lambda v: round(v, 2))


@st.composite
def edges(draw) -> list[dict]:
    out = []
    for _ in range(draw(st.integers(min_value=0, max_value=30))):
        a, b, at = draw(coord), draw(coord), draw(coord)
        lo, hi = min(a, b), max(a, b)
        if draw(st.booleans()):
            out.append({"x0": lo, "x1": hi, "top": at, "bottom": at, "orientation": "h"})
        else:
            out.append({"x0": at, "x1": at, "top": lo, "bottom": hi, "orientation": "v"})
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edges())
def test_cells_are_pdfplumbers(found: list[dict]) -> None:
    intersections = edges_to_intersections(found)
    assert intersections_to_cells(intersections) == plumber_cells(intersections)


TEXTS = [*"0123456789.,-合计类款项", " ", "\u3000", "\xa0", "ﬁ", "ﬀ"]


@st.composite
def chars(draw) -> list[dict]:
    out = []
    for _ in range(draw(st.integers(min_value=1, max_value=25))):
        x0, top = draw(near), draw(near)
        width, size = draw(st.sampled_from([0.0, 2.5, 5.0, 10.0])), draw(st.sampled_from([5.0, 9.0, 12.0]))
        out.append(
            {
                "text": draw(st.sampled_from(TEXTS)),
                "x0": x0,
                "x1": x0 + width,
                "top": top,
                "bottom": top + size,
                "doctop": top,
                "size": size,
                "upright": True,
            }
        )
    return out


@settings(max_examples=500, deadline=None)
@given(chars())
def test_cell_text_is_pdfplumbers(cell: list[dict]) -> None:
    assert squashed_text(cell) == WHITESPACE.sub("", plumber_utils.extract_text(cell))


def test_cell_text_on_a_printed_cell() -> None:
    """A two-line label (a wrapped 科目 name) and an amount whose digits sit 0.4 pt lower than its sign."""
    label = [
        ("一", 10, 100),
        ("般", 20, 100),
        ("公", 30, 100),
        ("共", 10, 112),
        ("预", 20, 112),
        ("算", 30, 112),
    ]
    amount = [("-", 50, 100.4), ("1", 55, 100), ("2", 60, 100), (".", 65, 100), ("5", 68, 100)]
    cell = [
        {"text": t, "x0": x, "x1": x + (10 if x < 50 else 5), "top": y, "bottom": y + 10, "upright": True}
        for t, x, y in label + amount
    ]
    for c in cell:
        c["doctop"] = c["top"]
    assert squashed_text(cell) == "一般公-12.5共预算" == WHITESPACE.sub("", plumber_utils.extract_text(cell))
