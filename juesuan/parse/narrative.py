"""Narrative figures (filled in below)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass
class NarrativeFigure:
    subject: str
    section: str
    text: str
    page: int
    amount_yuan: Decimal | None = None
    percent: Decimal | None = None
    quantity: Decimal | None = None

    def as_row(self) -> dict:
        return {"section": self.section, "text": self.text, "subject": self.subject,
                "amount_yuan": self.amount_yuan, "percent": self.percent, "quantity": self.quantity,
                "page": self.page}


def read_narrative(pages, identity) -> list[NarrativeFigure]:
    return []
