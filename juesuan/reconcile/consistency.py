"""The document against itself: D1, every place it names its own year says the cover's year; D2, every
编制单位/部门 line names the cover's body (one check per distinct mention, with the pages it is on)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from juesuan.parse.document import Identity, Mention
from juesuan.reconcile.check import Check


def consistency_checks(identity: Identity, mentions: Iterable[Mention]) -> list[Check]:
    year, name = identity.fiscal_year, identity.department_name
    grouped: dict[tuple[str, str, int], list[int]] = {}
    for m in mentions:
        grouped.setdefault((m.kind, m.value, m.offset), []).append(m.page)
    out: list[Check] = []
    for (kind, value, offset), pages in grouped.items():
        where = tuple(sorted(set(pages)))
        if kind.startswith("year:") and year is not None:
            said = f"the cover: {year}" + (f", so {year + offset}" if offset else "")
            out.append(
                Check(
                    "D1",
                    kind,
                    f"the document names its year as {value} ({kind[5:]}); {said}",
                    Decimal(year + offset),
                    Decimal(value),
                    Decimal(0),
                    where,
                )
            )
        elif kind == "department" and name:
            out.append(
                Check(
                    "D2",
                    "department",
                    f"names the body {value!r}; the cover says {name!r}",
                    None,
                    None,
                    None,
                    where,
                    verdict=value in name or name in value,
                )
            )
    return out
