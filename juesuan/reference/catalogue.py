"""Typed view of ``catalogue.yaml``: tables, column trees, measures, row schemes and identities."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

import yaml


@dataclass(frozen=True)
class ColumnNode:
    """One header cell of a table's value-column tree; a leaf carries the measure it holds."""

    labels: tuple[str, ...]
    measure: str | None = None
    children: tuple[ColumnNode, ...] = ()
    from_year: int | None = None
    optional_group: bool = False  # a group header some print, others omit (本年支出 over 小计|基本|项目)
    optional: bool = False  # a column some tables carry and others not (会议费, 培训费 beside the 三公)

    @property
    def label(self) -> str:
        return self.labels[0]

    def applies_to(self, year: int) -> bool:
        return self.from_year is None or year >= self.from_year

    def leaves(self, year: int | None = None) -> list[tuple[tuple[ColumnNode, ...], ColumnNode]]:
        """(path of ancestors including self, leaf) for every leaf below this node."""
        if year is not None and not self.applies_to(year):
            return []
        if not self.children:
            return [((self,), self)]
        out = []
        for child in self.children:
            for path, leaf in child.leaves(year):
                out.append(((self, *path), leaf))
        return out


@dataclass(frozen=True)
class Side:
    """A half of a two-sided table (收入 | 支出, 人员经费 | 公用经费): its own rows and columns."""

    labels: tuple[str, ...]
    rows: str
    columns: tuple[ColumnNode, ...]

    @property
    def label(self) -> str:
        return self.labels[0]


@dataclass(frozen=True)
class TableSpec:
    id: str
    title: str
    aliases: tuple[str, ...]
    note: str
    layout: str = "one_sided"
    rows: str | None = None
    columns: tuple[ColumnNode, ...] = ()
    sides: tuple[Side, ...] = ()
    empty_note: str | None = None
    structure_verified: bool = True

    @property
    def two_sided(self) -> bool:
        return self.layout == "two_sided"

    @property
    def titles(self) -> tuple[str, ...]:
        """Canonical title then aliases, longest first, as title matching wants them."""
        return tuple(sorted({self.title, *self.aliases}, key=len, reverse=True))

    def measures(self) -> list[str]:
        trees = [c for s in self.sides for c in s.columns] if self.two_sided else list(self.columns)
        return [leaf.measure for node in trees for _, leaf in node.leaves() if leaf.measure]


@dataclass(frozen=True)
class SummaryRow:
    key: str
    labels: tuple[str, ...]
    from_year: int | None = None
    parent: str | None = None

    def applies_to(self, year: int) -> bool:
        return self.from_year is None or year >= self.from_year


@dataclass(frozen=True)
class HeaderWords:
    """Header-block words that are not measures (catalogue ``header_words``), in printed form."""

    code: frozenset[str]
    code_part: frozenset[str]
    name: frozenset[str]
    lineno: frozenset[str]
    column_number: frozenset[str]
    structure: frozenset[str]
    measure_words: frozenset[str]

    @property
    def all(self) -> frozenset[str]:
        return self.code | self.code_part | self.name | self.lineno | self.column_number | self.structure


@dataclass(frozen=True)
class Identity:
    id: str
    tables: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class Family:
    id: str
    description: str
    tables: tuple[str, ...]


@dataclass(frozen=True)
class NarrativeSubject:
    """What a narrative figure states; ``table``/``row``/``measure`` name the cell that should agree."""

    id: str
    table: str | None = None
    row: str | None = None
    measure: str | None = None
    percent: str | None = None
    soft: bool = False

    def cell(self, subject: str) -> tuple[str, str, str] | None:
        """(table, row, measure) for a concrete subject such as ``gpb_class.201``."""
        if self.table is None or self.row is None or self.measure is None:
            return None
        suffix = subject.split(".", 1)[1] if "." in subject else ""
        return self.table, self.row.replace("{code}", suffix), self.measure


@dataclass(frozen=True)
class Catalogue:
    families: dict[str, Family]
    tables: dict[str, TableSpec]
    measures: dict[str, dict[str, str]]
    units: dict[str, int]
    summary_rows: dict[str, tuple[SummaryRow, ...]]
    summary_class_sets: dict[str, tuple[str, ...]]
    identities: tuple[Identity, ...]
    tolerance_per_term: Decimal
    tolerance_minimum: Decimal
    narrative_subjects: dict[str, NarrativeSubject]
    header_words: HeaderWords
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    def table(self, table_id: str) -> TableSpec:
        return self.tables[table_id]

    def family_of(self, table_ids: set[str]) -> str | None:
        """The family whose table list explains the tables found best: most of them in its list, then
        fewest of its tables missing (a document with a table deleted still belongs to its family)."""
        if not table_ids:
            return None
        return max(
            self.families.values(),
            key=lambda f: (len(table_ids & set(f.tables)), -len(set(f.tables) - table_ids)),
        ).id

    def family_tables(self, family: str) -> list[TableSpec]:
        return [self.tables[t] for t in self.families[family].tables]

    def rows(self, scheme: str, year: int) -> list[SummaryRow]:
        return [r for r in self.summary_rows[scheme] if r.applies_to(year)]

    def subject(self, subject: str) -> NarrativeSubject | None:
        """The declaration of ``subject`` (``gpb_class.201`` is declared as ``gpb_class``)."""
        if subject in self.narrative_subjects:
            return self.narrative_subjects[subject]
        return self.narrative_subjects.get(subject.split(".", 1)[0])

    def tolerance(self, n_terms: int) -> Decimal:
        """Allowed gap between a printed total and the sum of its n printed parts (in the printed unit)."""
        return max(self.tolerance_minimum, self.tolerance_per_term * (n_terms + 1))


def _column(node: dict[str, Any]) -> ColumnNode:
    return ColumnNode(
        labels=tuple(node["labels"]),
        measure=node.get("measure"),
        children=tuple(_column(c) for c in node.get("children", [])),
        from_year=node.get("from_year"),
        optional_group=bool(node.get("optional_group", False)),
        optional=bool(node.get("optional", False)),
    )


def _table(table_id: str, spec: dict[str, Any]) -> TableSpec:
    return TableSpec(
        id=table_id,
        title=spec["title"],
        aliases=tuple(spec.get("aliases", [])),
        note=spec["note"],
        layout=spec.get("layout", "one_sided"),
        rows=spec.get("rows"),
        columns=tuple(_column(c) for c in spec.get("columns", [])),
        sides=tuple(
            Side(labels=tuple(s["labels"]), rows=s["rows"], columns=tuple(_column(c) for c in s["columns"]))
            for s in spec.get("sides", [])
        ),
        empty_note=spec.get("empty_note"),
        structure_verified=spec.get("structure") != "K",
    )


@cache
def load_catalogue() -> Catalogue:
    raw = yaml.safe_load(resources.files("juesuan.reference").joinpath("catalogue.yaml").read_text("utf-8"))
    return Catalogue(
        families={
            k: Family(id=k, description=v["description"], tables=tuple(v["tables"]))
            for k, v in raw["families"].items()
        },
        tables={k: _table(k, v) for k, v in raw["tables"].items()},
        measures=raw["measures"],
        units={k: int(v) for k, v in raw["units"].items()},
        summary_rows={
            k: tuple(
                SummaryRow(
                    key=r["key"],
                    labels=tuple(r["labels"]),
                    from_year=r.get("from_year"),
                    parent=r.get("parent"),
                )
                for r in rows
            )
            for k, rows in raw["summary_rows"].items()
        },
        summary_class_sets={k: tuple(str(c) for c in v) for k, v in raw["summary_class_sets"].items()},
        identities=tuple(
            Identity(id=i["id"], tables=tuple(i["tables"]), description=i["description"])
            for i in raw["identities"]
        ),
        tolerance_per_term=Decimal(raw["tolerance"]["per_term"]),
        tolerance_minimum=Decimal(raw["tolerance"]["minimum"]),
        narrative_subjects={
            k: NarrativeSubject(
                id=k,
                table=v.get("table"),
                row=None if v.get("row") is None else str(v["row"]),
                measure=v.get("measure"),
                percent=v.get("percent"),
                soft=bool(v.get("soft", False)),
            )
            for k, v in raw["narrative_subjects"].items()
        },
        header_words=HeaderWords(**{k: frozenset(v) for k, v in raw["header_words"].items()}),
        raw=raw,
    )
