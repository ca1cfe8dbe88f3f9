"""Typed view of ``catalogue.yaml``: tables, column trees, measures, row schemes, identities and rules.

The models are the file's schema: every key the file may hold is a field here, and a key that is not (a
misspelt ``colums:``, an ``optinal: true``) is refused with the file and the key's path, never read as a
default. The objects :func:`load_catalogue` returns are these (frozen) models.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, PositiveInt, PrivateAttr, field_validator, model_validator

from juesuan.reference.model import Code, Declared, read_yaml, with_ids
from juesuan.reference.warehouse_model import Severity

Labels = Annotated[tuple[str, ...], Field(min_length=1)]


class ColumnNode(Declared):
    """One header cell of a table's value-column tree; a leaf carries the measure it holds."""

    labels: Labels
    measure: str | None = None
    children: tuple[ColumnNode, ...] = ()
    from_year: int | None = None
    optional_group: bool = False  # a group header some print, others omit (本年支出 over 小计|基本|项目)
    optional: bool = False  # a column some tables carry and others not (会议费, 培训费 beside the 三公)

    @model_validator(mode="after")
    def _leaf_or_group(self) -> ColumnNode:
        if (self.measure is None) == (not self.children):
            raise ValueError(f"{self.label}: a column has either a measure (a leaf) or children (a group)")
        return self

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


class Side(Declared):
    """A half of a two-sided table (收入 | 支出, 人员经费 | 公用经费): its own rows and columns."""

    labels: Labels
    rows: str
    columns: tuple[ColumnNode, ...]

    @property
    def label(self) -> str:
        return self.labels[0]


Kind = Literal["final", "budget"]  # a 决算 or a 预算 disclosure: which documents print the table


class TableSpec(Declared):
    id: str
    title: str
    kind: Kind = "final"
    aliases: tuple[str, ...] = ()
    note: str
    layout: Literal["one_sided", "two_sided"] = "one_sided"
    rows: str | None = None
    columns: tuple[ColumnNode, ...] = ()
    sides: tuple[Side, ...] = ()
    empty_note: str | None = None
    structure: Literal["K"] | None = None  # K: the structure is not verified against a real document

    @model_validator(mode="after")
    def _layout(self) -> TableSpec:
        if self.two_sided and (not self.sides or self.columns or self.rows):
            raise ValueError(f"{self.id}: a two_sided table has sides (each with rows and columns), only")
        if not self.two_sided and (self.sides or not self.columns or not self.rows):
            raise ValueError(f"{self.id}: a one_sided table has rows and columns, no sides")
        return self

    @property
    def structure_verified(self) -> bool:
        return self.structure != "K"

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


class SummaryRow(Declared):
    key: str
    labels: Labels
    from_year: int | None = None
    parent: str | None = None

    def applies_to(self, year: int) -> bool:
        return self.from_year is None or year >= self.from_year


class HeaderWords(Declared):
    """Header-block words that are not measures (catalogue ``header_words``), in printed form."""

    code: frozenset[str]
    code_part: frozenset[str]
    name: frozenset[str]
    lineno: frozenset[str]
    column_number: frozenset[str]
    structure: frozenset[str]
    measure_words: frozenset[str]
    text: frozenset[str] = frozenset()  # columns of prose beside the amounts (绩效目标), not read

    @property
    def all(self) -> frozenset[str]:
        return (
            self.code
            | self.code_part
            | self.name
            | self.lineno
            | self.column_number
            | self.structure
            | self.text
        )


class Measure(Declared):
    label: str
    description: str

    def __getitem__(self, key: str) -> str:
        """``measure["label"]``: the mapping access of the catalogue before it had models."""
        return getattr(self, key)


class Family(Declared):
    id: str
    description: str
    tables: tuple[str, ...]
    kind: Kind = "final"


class Saying(Declared):
    """A way documents name a subject (``says``): a regex, and where it applies."""

    re: str
    where: tuple[str, ...] = ()  # words the section heading must contain (any)
    unless: tuple[str, ...] = ()  # words it must not contain
    after: str | None = None  # a regex the text after the number must start with


def _wording(value: Any) -> Any:
    return {"re": value} if isinstance(value, str) else value


class NarrativeSubject(Declared):
    """What a narrative figure states; ``table``/``row``/``measure`` name the cell that should agree.
    The keys are described in catalogue.yaml above ``narrative_subjects``."""

    id: str
    doc_kind: Kind = "final"  # the documents that state it (a budget's 预算编制说明 names other subjects)
    table: str | None = None
    row: Code | None = None
    measure: str | None = None
    percent: str | None = None
    share_of: tuple[str, Code, str] | None = None  # the cell a stated share is a share of (N2)
    soft: bool = False
    missing_is_zero: bool = True  # a row the table does not print states zero (a 类 not spent on)
    kind: Literal["amount", "count", "percent"] | None = None
    quantity: str | None = None  # what a count counts (辆, 人次 …)
    unit: str | None = None  # a count's unit, a regex
    says: tuple[Annotated[Saying, BeforeValidator(_wording)], ...] = ()
    names: tuple[tuple[str, str], ...] = ()  # a family of counts: printed name → subject suffix, in order
    completion: str | None = None
    budget: str | None = None
    actual: str | None = None

    @field_validator("names", mode="before")
    @classmethod
    def _pairs(cls, value: Any) -> Any:
        return tuple(value.items()) if isinstance(value, dict) else value

    def cell(self, subject: str) -> tuple[str, str, str] | None:
        """(table, row, measure) for a concrete subject such as ``gpb_class.201``."""
        if self.table is None or self.row is None or self.measure is None:
            return None
        suffix = subject.split(".", 1)[1] if "." in subject else ""
        return self.table, self.row.replace("{code}", suffix), self.measure


Row = Code  # a rule's row: a code, a printed label, '@classes', '@scheme' or '@scheme.key'
CellRef = tuple[str, Row, str]  # [table, row, measure]


class _Rule(Declared):
    id: str  # derived: the identity's id, then with b, c, d … (never written in the file)
    identity: str  # derived: the identity it applies
    severity: str | None = None  # warehouse.yaml enums: severity; None: at_most warns, the others err

    @field_validator("severity")
    @classmethod
    def _severity(cls, value: str | None) -> str | None:
        if value is not None and value not in set(Severity):
            raise ValueError(f"{value!r} is not a severity ({', '.join(Severity)})")
        return value


class SumRule(_Rule):
    kind: Literal["sum"]
    total: CellRef
    parts: tuple[CellRef, ...]


class RowSumRule(_Rule):
    kind: Literal["row_sum"]
    table: str
    total: str  # a measure
    parts: tuple[str, ...]
    unless: tuple[str, ...] = ()  # measures whose cell in the row means the rule does not apply to it
    needs: tuple[str, ...] = ()  # measures the row must print for the rule to apply to it


class HierarchyRule(_Rule):
    kind: Literal["hierarchy"]
    tables: tuple[str, ...]


class PerClassRule(_Rule):
    kind: Literal["per_class"]
    a: tuple[str, str]  # [table, measure]
    b: tuple[str, str]


class AtMostRule(_Rule):
    kind: Literal["at_most"]
    a: CellRef
    b: CellRef


Rule = Annotated[
    SumRule | RowSumRule | HierarchyRule | PerClassRule | AtMostRule, Field(discriminator="kind")
]


SUFFIXES = "bcdefgh"


class Identity(Declared):
    """An accounting identity (DOMAIN §3) and the checks that apply it: documented and checked are one."""

    id: str
    tables: tuple[str, ...]
    description: str
    checks: tuple[Rule, ...] = ()
    same_as: str | None = None  # an identity DOMAIN.md states twice (X5 = I13): checked by that one

    @model_validator(mode="after")
    def _checked(self) -> Identity:
        if bool(self.checks) == bool(self.same_as):
            raise ValueError(
                f"{self.id}: checks (what applies it) or same_as (the identity that does), one of them"
            )
        return self

    @model_validator(mode="before")
    @classmethod
    def _check_ids(cls, value: Any) -> Any:
        """Each check's id follows from its place (I11, I11b, I11c …) and names the identity it applies."""
        if not isinstance(value, dict) or not isinstance(value.get("checks"), list):
            return value
        checks = []
        for i, check in enumerate(value["checks"]):
            if isinstance(check, dict):
                if "id" in check or "identity" in check:
                    raise ValueError(f"checks.{i}: the id follows from the identity and the order; remove it")
                suffix = "" if i == 0 else SUFFIXES[i - 1]
                check = {**check, "id": f"{value.get('id')}{suffix}", "identity": value.get("id")}
            checks.append(check)
        return {**value, "checks": checks}


class CheckRule(Declared):
    """A rule that is not an identity (``check_rules``): what it checks, for the legend of the published
    pages, and the module of juesuan.reconcile that applies it."""

    id: str
    description: Annotated[str, Field(min_length=1)]
    module: Literal["rules", "reading", "narrative", "consistency", "years"]
    unit: Literal["yuan", "percent", "year", "presence", "finding"]  # of its expected and actual


class Tolerance(Declared):
    per_term: Decimal  # published rounding: per summand, in the printed unit
    minimum: Decimal
    narrative: Decimal  # a narrative figure against its cell, in the default unit
    change: Decimal  # a stated year-on-year change against two years' cells, in the default unit


WithIds = BeforeValidator(with_ids)


class Catalogue(Declared):
    families: Annotated[dict[str, Family], WithIds]
    header_words: HeaderWords
    units: dict[str, PositiveInt]  # printed unit → yuan per unit
    default_unit: str  # the unit of a table that prints none, and of the narrative's amounts
    measures: dict[str, Measure]
    tables: Annotated[dict[str, TableSpec], WithIds]
    summary_rows: dict[str, tuple[SummaryRow, ...]]
    summary_class_sets: dict[str, tuple[Code, ...]]
    rounding: Tolerance = Field(alias="tolerance")
    identities: tuple[Identity, ...]
    narrative_subjects: Annotated[dict[str, NarrativeSubject], WithIds]
    check_rules: Annotated[dict[str, CheckRule], WithIds] = Field(default_factory=dict)
    _raw: dict[str, Any] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _references(self) -> Catalogue:
        """Names used across sections are declared: a typo in a table list or a measure is a load error."""
        problems = []
        if self.default_unit not in self.units:
            problems.append(f"default_unit {self.default_unit} is not among the units")
        for family in self.families.values():
            problems += [f"families.{family.id}: no table {t}" for t in family.tables if t not in self.tables]
            problems += [
                f"families.{family.id}: {t} is a {self.tables[t].kind} table, the family is {family.kind}"
                for t in family.tables
                if t in self.tables and self.tables[t].kind != family.kind
            ]
        ids = {i.id for i in self.identities}
        for identity in self.identities:
            if identity.same_as and identity.same_as not in ids:
                problems.append(f"identities.{identity.id}: same_as {identity.same_as} is no identity")
        twice = sorted(set(self.check_rules) & ({i.id for i in self.identities} | {r.id for r in self.rules}))
        problems += [f"check_rules.{rule}: an identity's check already has this id" for rule in twice]
        for table in self.tables.values():
            unknown = [m for m in table.measures() if m not in self.measures]
            problems += [f"tables.{table.id}: no measure {m}" for m in unknown]
        for s in self.narrative_subjects.values():
            if s.table is not None and s.table not in self.tables:
                problems.append(f"narrative_subjects.{s.id}: no table {s.table}")
            elif s.table is not None and self.tables[s.table].kind != s.doc_kind:
                problems.append(f"narrative_subjects.{s.id}: {s.table} is not printed in a {s.doc_kind}")
            if s.measure is not None and s.measure not in self.measures:
                problems.append(f"narrative_subjects.{s.id}: no measure {s.measure}")
            if s.share_of is not None and s.share_of[0] not in self.tables:
                problems.append(f"narrative_subjects.{s.id}: share_of: no table {s.share_of[0]}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def raw(self) -> dict[str, Any]:
        """The file as YAML read it (plain mappings and lists), validated by the models above."""
        return self._raw

    @property
    def rules(self) -> tuple[Rule, ...]:
        """Every check of every identity, in the file's order."""
        return tuple(check for identity in self.identities for check in identity.checks)

    def rule_description(self, check_id: str) -> str | None:
        """What the rule behind a check id says: a ``check_rules`` entry, else the description of the
        identity whose check it is (I11b: I11's); None for an id neither declares."""
        if check_id in self.check_rules:
            return self.check_rules[check_id].description
        for identity in self.identities:
            if check_id == identity.id or any(check.id == check_id for check in identity.checks):
                return identity.description
        return None

    def rule_unit(self, check_id: str) -> str:
        """What a check's expected and actual are: its ``check_rules`` unit; an identity's are yuan."""
        return self.check_rules[check_id].unit if check_id in self.check_rules else "yuan"

    def identity(self, identity_id: str) -> Identity:
        return next(i for i in self.identities if i.id == identity_id)

    def narrative_tolerance(self) -> Decimal:
        """How far a stated amount may be from its cell, in yuan (the 0.005 万元 of a rounded statement)."""
        return (self.rounding.narrative * self.factor()).quantize(Decimal("0.01"))

    def change_tolerance(self) -> Decimal:
        """How far a stated change may be from the difference of the two years' cells, in yuan."""
        return (self.rounding.change * self.factor()).quantize(Decimal("0.01"))

    @property
    def tolerance_per_term(self) -> Decimal:
        return self.rounding.per_term

    @property
    def tolerance_minimum(self) -> Decimal:
        return self.rounding.minimum

    def table(self, table_id: str) -> TableSpec:
        return self.tables[table_id]

    def tables_of(self, kind: str) -> list[TableSpec]:
        """The tables a document of ``kind`` (final, budget) may print."""
        return [t for t in self.tables.values() if t.kind == kind]

    def family_of(self, table_ids: set[str], kind: str = "final") -> str | None:
        """The family whose table list explains the tables found best: most of them in its list, then
        fewest of its tables missing (a document with a table deleted still belongs to its family)."""
        if not table_ids:
            return None
        return max(
            (f for f in self.families.values() if f.kind == kind),
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

    def factor(self, unit: str | None = None) -> Decimal:
        """Yuan per ``unit`` (default: the default unit, 万元)."""
        return Decimal(self.units[unit or self.default_unit])

    def to_yuan(self, value: Decimal, unit: str | None = None) -> Decimal:
        """An amount printed in ``unit`` in yuan, to the fen."""
        return (value * self.factor(unit)).quantize(Decimal("0.01"))

    def from_yuan(self, yuan: Decimal, unit: str | None = None) -> Decimal:
        """Yuan as a document prints them in ``unit``: to 0.01, half up (2940.045 万元 → 2940.05)."""
        return (yuan / self.factor(unit)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def read_catalogue(path: str | Path) -> Catalogue:
    """A catalogue file, validated (:class:`~juesuan.reference.model.DeclarationError` if it is not)."""
    catalogue, raw = read_yaml(path, Catalogue, label=Path(path).name)
    catalogue._raw = raw
    return catalogue


@cache
def load_catalogue() -> Catalogue:
    with resources.as_file(resources.files("juesuan.reference").joinpath("catalogue.yaml")) as path:
        return read_catalogue(path)
