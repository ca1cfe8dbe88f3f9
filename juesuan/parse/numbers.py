"""Printed amounts → exact Decimal, keeping how a zero was printed (blank, 0.00, a dash) apart."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from juesuan.reference import load_catalogue

UNIT_FACTORS = {unit: Decimal(factor) for unit, factor in load_catalogue().units.items()}
DASHES = {"-", "—", "–", "——", "--", "－", "— —", "/"}
AMOUNT = re.compile(r"^\(?-?[\d,]*\d(?:\.\d+)?\)?$")


@dataclass(frozen=True)
class Amount:
    value: Decimal | None  # in the printed unit; None when the text is not a number at all
    kind: str  # number | zero | blank | dash | text


def parse_amount(raw: str) -> Amount:
    """'2,940.05' → 2940.05; '' → 0 (blank); '-' → 0 (dash); '(1.00)' → -1.00; '公开' → not a number."""
    text = unicodedata.normalize("NFKC", raw).strip().replace(" ", "")
    if text == "":
        return Amount(Decimal(0), "blank")
    if text in DASHES or set(text) <= set("-—–－/"):
        return Amount(Decimal(0), "dash")
    if not AMOUNT.match(text):
        return Amount(None, "text")
    negative = text.startswith("(") and text.endswith(")")
    try:
        value = Decimal(text.strip("()").replace(",", ""))
    except InvalidOperation:
        return Amount(None, "text")
    if negative:
        value = -value
    return Amount(value, "zero" if value == 0 else "number")


def looks_like_amount(raw: str) -> bool:
    """A printed money figure (two decimals), not a 栏次 number or a code."""
    text = unicodedata.normalize("NFKC", raw).strip()
    return bool(re.fullmatch(r"\(?-?[\d,]*\d\.\d{1,2}\)?", text))


def to_yuan(value: Decimal, unit: str) -> Decimal:
    return (value * UNIT_FACTORS[unit]).quantize(Decimal("0.01"))
