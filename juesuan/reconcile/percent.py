"""One definition of a stated percent's precision, for every check that recomputes one (N2, N7, Y2).

Narratives round half up and print 6%, 78.7%, 10.0% or 71.65% (DOMAIN.md §3.1): a recomputed percent is
compared at the precision it was printed with, ±1 in its last digit. ``10.0%`` is stated to 0.1, not to 1,
so the printed form decides, not the value; where the value has lost its form (a DECIMAL(9,4) column), the
sentence it was read from gives it back.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

PRINTED_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*[%％]")


def printed_form(stated: Decimal, sentence: str | None = None) -> Decimal:
    """``stated`` with the digits it was printed with: as is, or as found in ``sentence``."""
    if sentence is None:
        return stated
    for m in PRINTED_PERCENT.finditer(sentence):  # 下降16.1% may be stored as -16.1
        if Decimal(m.group(1)) == abs(stated):
            return Decimal(m.group(1)).copy_sign(stated)
    return stated.normalize()


def stated_step(stated: Decimal, sentence: str | None = None) -> Decimal:
    """The value of the last digit a percent was printed with (the tolerance of its checks)."""
    exponent = printed_form(stated, sentence).as_tuple().exponent
    return Decimal(1).scaleb(-max(0, -int(exponent)))


def at_stated_precision(
    ratio: Decimal, stated: Decimal, sentence: str | None = None
) -> tuple[Decimal, Decimal]:
    """``ratio`` as a percent rounded (half up) to the stated precision, and that precision's step."""
    step = stated_step(stated, sentence)
    return (ratio * 100).quantize(step, ROUND_HALF_UP), step
