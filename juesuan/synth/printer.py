"""How amounts are printed: unit, rounding, thousands separators and the three ways of printing zero.

The generator keeps every amount in integer fen (0.01 元) and prints each cell independently, rounded
half-up to 0.01 of the table's unit, exactly as finance systems do when they convert 元 to 万元: so sums of
printed parts miss printed totals by a cent now and then, as in real disclosures.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from juesuan.reference import load_catalogue

UNIT_FACTORS = load_catalogue().units
ZERO_STYLES = ("blank", "0.00", "-")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class AmountPrinter:
    unit: str = "万元"
    thousands: bool = False
    zero: str = "0.00"

    def printed_value(self, fen: int) -> Decimal:
        """The value as printed, in the table's unit (rounded half-up to 0.01)."""
        return (Decimal(fen) / 100 / UNIT_FACTORS[self.unit]).quantize(CENT, rounding=ROUND_HALF_UP)

    def text(self, fen: int) -> str:
        value = self.printed_value(fen)
        if value == 0:
            return {"blank": "", "0.00": "0.00", "-": "-"}[self.zero]
        return f"{value:,.2f}" if self.thousands else f"{value:.2f}"

    def amount_yuan(self, fen: int) -> Decimal:
        """What the printed cell means in 元: the printed value times the unit, exactly."""
        return (self.printed_value(fen) * UNIT_FACTORS[self.unit]).quantize(CENT)


def wan(fen: int) -> Decimal:
    """An amount in 万元 rounded to 0.01, as narratives state it."""
    return (Decimal(fen) / 1_000_000).quantize(CENT, rounding=ROUND_HALF_UP)


def narrative_amount(value: Decimal, trim: bool) -> str:
    """Narratives often drop trailing zeros (6.3 万元, 1万元); tables never do."""
    text = f"{value:.2f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def percent(part: Decimal, whole: Decimal, places: int) -> Decimal:
    if whole == 0:
        return Decimal(0).quantize(Decimal(1).scaleb(-places))
    return (part / whole * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def percent_text(value: Decimal, trim: bool) -> str:
    text = f"{value}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
