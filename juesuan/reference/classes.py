"""The 政府收支分类科目 code lists (functional 类/款/项, economic 类/款), year-versioned."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

LEVEL_BY_LENGTH = {"function": {3: "类", 5: "款", 7: "项"}, "economic": {3: "类", 5: "款"}}


@dataclass(frozen=True)
class ClassEntry:
    code: str
    name: str
    level: str
    parent_code: str | None
    valid_from: int
    valid_to: int | None
    verified: bool
    source: str

    def valid_in(self, year: int) -> bool:
        return self.valid_from <= year and (self.valid_to is None or year <= self.valid_to)


class Classification:
    """One scheme's entries; a code may have several names over the years (match code first, name second)."""

    def __init__(self, scheme: str, entries: list[ClassEntry], aliases: dict[str, list[str]]):
        self.scheme = scheme
        self.entries = entries
        self.aliases = aliases
        self._by_code: dict[str, list[ClassEntry]] = {}
        for e in entries:
            self._by_code.setdefault(e.code, []).append(e)

    def __contains__(self, code: str) -> bool:
        return code in self._by_code

    def entry(self, code: str, year: int) -> ClassEntry | None:
        """The entry valid in ``year``; the nearest-in-time one when the code exists but not in that year."""
        versions = self._by_code.get(code)
        if not versions:
            return None
        for e in versions:
            if e.valid_in(year):
                return e
        return min(versions, key=lambda e: min(abs(year - e.valid_from), abs(year - (e.valid_to or year))))

    def name(self, code: str, year: int) -> str | None:
        e = self.entry(code, year)
        return e.name if e else None

    def names(self, code: str) -> set[str]:
        """Every name the code has had, plus known printed variants."""
        return {e.name for e in self._by_code.get(code, [])} | set(self.aliases.get(code, []))

    def valid(self, year: int) -> list[ClassEntry]:
        return [e for e in self.entries if e.valid_in(year)]

    def children(self, code: str, year: int) -> list[ClassEntry]:
        return [e for e in self.valid(year) if e.parent_code == code]

    def level(self, code: str) -> str | None:
        return LEVEL_BY_LENGTH[self.scheme].get(len(code))


def _read_csv(name: str) -> list[dict[str, str]]:
    text = resources.files("juesuan.reference").joinpath(name).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


def _load(scheme: str, filename: str) -> Classification:
    entries = [
        ClassEntry(
            code=r["code"],
            name=r["name"],
            level=r["level"],
            parent_code=r["parent_code"] or None,
            valid_from=int(r["valid_from"]),
            valid_to=int(r["valid_to"]) if r["valid_to"] else None,
            verified=r["verified"] == "true",
            source=r["source"],
        )
        for r in _read_csv(filename)
    ]
    aliases: dict[str, list[str]] = {}
    for r in _read_csv("name_aliases.csv"):
        if r["scheme"] == scheme:
            aliases.setdefault(r["code"], []).append(r["alias"])
    return Classification(scheme, entries, aliases)


@cache
def function_classes() -> Classification:
    return _load("function", "function_classes.csv")


@cache
def economic_classes() -> Classification:
    return _load("economic", "economic_classes.csv")
