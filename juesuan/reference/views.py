"""The analyst views, declared once in ``views.yaml``: what each view reads, its columns, their descriptions.

A pivot's measure columns are not listed in the file: they are the measures the catalogue declares for the
view's table, so a measure added to the catalogue is a new view column. :func:`view_columns` resolves a view
into its columns in order; ``juesuan.warehouse.views`` writes the SQL from them and the data dictionary
describes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, ValidationError, model_validator

from juesuan.reference.catalogue import TableSpec, load_catalogue
from juesuan.reference.fields import resource
from juesuan.reference.model import DeclarationError, Declared, describe, read_yaml

FILE = "views.yaml"

Name = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class SharedColumn(Declared):
    """A column several views carry, declared once (``columns`` at the top of the file)."""

    description: Text
    expr: Text | None = None


class Column(Declared):
    """A view column: ``expr`` is SQL over current_facts (default: its column of the same name); ``derive:
    side`` is the label of the catalogue side whose column holds the cell."""

    name: Name
    description: Text
    expr: Text | None = None
    derive: Literal["side"] | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Column:
        if self.expr is not None and self.derive is not None:
            raise ValueError("a column has an expr or a derive, not both")
        return self


ColumnRef = Name | Column


class Join(Declared):
    """A relation joined to current_facts (``LEFT JOIN table AS alias ON condition``): a code list, say,
    whose columns the view's column expressions then name as ``alias.column``."""

    alias: Name
    table: Name
    condition: Text  # SQL (not "on": YAML reads that key as true)


class Source(Declared):
    """What a view reads of current_facts."""

    table: Name | None = None  # a catalogue table id (table_code)
    scope: Literal["first", "all"]  # first: only the first set of tables a document prints (table_scope = '')
    coded_rows: bool = False  # only rows with a classification code
    joins: tuple[Join, ...] = ()  # LEFT JOINs, in order (each row of current_facts matches at most one row)


class Pick(Declared):
    """One cell of a document, by table, printed row label and measure (a column of a ``picks`` view)."""

    name: Name
    table: Name
    row: str
    measure: Name
    description: Text


class _View(Declared):
    description: Text
    export: bool = True
    columns: tuple[ColumnRef, ...]
    trailing: tuple[ColumnRef, ...] = ()


class CurrentView(_View):
    """Every field of ``facts`` and ``columns`` from ``documents``, for documents whose status is loaded."""

    kind: Literal["current"]


class LongView(_View):
    kind: Literal["long"]
    source: Source

    @model_validator(mode="after")
    def _side_needs_table(self) -> LongView:
        if any(isinstance(c, Column) and c.derive for c in self.columns) and self.source.table is None:
            raise ValueError("derive: side needs source.table")
        return self


class PivotView(_View):
    kind: Literal["pivot"]
    source: Source
    rename: dict[Name, Name] = Field(default_factory=dict)  # measure id -> column name

    @model_validator(mode="after")
    def _has_table(self) -> PivotView:
        if self.source.table is None:
            raise ValueError("a pivot needs source.table: the catalogue table whose measures become columns")
        return self


class PicksView(_View):
    kind: Literal["picks"]
    source: Source
    picks: tuple[Pick, ...] = Field(min_length=1)


class QueryView(_View):
    """A view written as SQL (``sql``: a SELECT over the warehouse's tables and the other views) whose every
    column is declared with its description, in the SELECT's order: the fields of ``fields_from`` (a
    warehouse table, described in warehouse.yaml) when given, then ``columns``, then ``trailing``."""

    kind: Literal["query"]
    sql: Text
    fields_from: Name | None = None  # a warehouse table: its fields (warehouse.yaml) come before `columns`

    @model_validator(mode="after")
    def _plain_columns(self) -> QueryView:
        if any(
            isinstance(c, Column) and (c.expr is not None or c.derive)
            for c in (*self.columns, *self.trailing)
        ):
            raise ValueError("a query view's columns are named and described only: the SQL computes them")
        return self


View = Annotated[CurrentView | LongView | PivotView | PicksView | QueryView, Field(discriminator="kind")]


class Views(Declared):
    columns: dict[Name, SharedColumn]
    views: dict[Name, View]

    @model_validator(mode="after")
    def _references(self) -> Views:
        for name, view in self.views.items():
            for ref in (*view.columns, *view.trailing):
                if isinstance(ref, str) and ref not in self.columns:
                    raise ValueError(f"views.{name}: column {ref!r} is not declared under columns")
        return self

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.views)

    @property
    def exported(self) -> tuple[str, ...]:
        return tuple(name for name, view in self.views.items() if view.export)

    def column(self, ref: str | Column) -> Column:
        if isinstance(ref, Column):
            return ref
        shared = self.columns[ref]
        return Column(name=ref, description=shared.description, expr=shared.expr)


@dataclass(frozen=True)
class ViewColumn:
    """A resolved view column. Plain columns have ``expr`` (SQL over current_facts; None: the column of that
    name, or for the current view a field of facts or documents); an amount column has ``measure`` (and a
    pick its ``table`` and ``row``); a derived pane has ``sides`` (measure -> side label)."""

    name: str
    description: str
    expr: str | None = None
    measure: str | None = None
    table: str | None = None
    row: str | None = None
    sides: tuple[tuple[str, str], ...] = ()
    origin: Literal["view", "facts", "documents", "measure", "pick"] = "view"  # facts|documents: current


def parse_views(data: Any, source: str = FILE) -> Views:
    """Validate a parsed ``views.yaml`` (:class:`DeclarationError` with the file and key path of every
    problem if it does not hold what the models allow)."""
    try:
        return Views.model_validate(data)
    except ValidationError as error:
        raise DeclarationError(describe(error, source)) from None


@cache
def load_views() -> Views:
    with resources.as_file(resources.files("juesuan.reference").joinpath(FILE)) as path:
        return read_yaml(path, Views, label=FILE)[0]


def measure_description(measure: str) -> str:
    """A measure column's description: the catalogue's label and description of the measure."""
    m = load_catalogue().measures[measure]
    return f"{m['label']}: {m['description']} (元)"


def _table(view: str, table: str) -> TableSpec:
    """The catalogue's declaration of a view's source table."""
    tables = load_catalogue().tables
    if table not in tables:
        raise DeclarationError(f"{FILE}: views.{view}.source.table: no table {table} in the catalogue")
    return tables[table]


def _sides(view: str, table: str) -> tuple[tuple[str, str], ...]:
    spec = _table(view, table)
    if not spec.sides:
        raise DeclarationError(f"{FILE}: views.{view}: derive: side on {table}, a table without sides")
    return tuple(
        (leaf.measure, side.label)
        for side in spec.sides
        for node in side.columns
        for _, leaf in node.leaves()
        if leaf.measure
    )


def _plain(views: Views, name: str, ref: str | Column) -> ViewColumn:
    c = views.column(ref)
    if c.derive == "side":
        return ViewColumn(c.name, c.description, sides=_sides(name, views.views[name].source.table))
    return ViewColumn(c.name, c.description, expr=c.expr)


@cache
def view_columns(name: str) -> tuple[ViewColumn, ...]:
    """The columns of view ``name`` in order, each with its description."""
    views = load_views()
    view = views.views[name]
    out = [_plain(views, name, ref) for ref in view.columns]
    if isinstance(view, CurrentView):
        documents = {f.name: f for f in resource("documents").fields}
        facts = [ViewColumn(f.name, f.description, origin="facts") for f in resource("facts").fields]
        for c in out:
            if c.name not in documents or c.expr is not None:
                raise DeclarationError(f"{FILE}: views.{name}.columns: {c.name} is not a field of documents")
        out = [*facts, *(ViewColumn(c.name, c.description, origin="documents") for c in out)]
    elif isinstance(view, QueryView) and view.fields_from is not None:
        out = [*(ViewColumn(f.name, f.description) for f in resource(view.fields_from).fields), *out]
    elif isinstance(view, PivotView):
        table = _table(name, view.source.table)
        for measure in view.rename:
            if measure not in table.measures():
                raise DeclarationError(
                    f"{FILE}: views.{name}.rename: {measure} is not a measure of {table.id}"
                )
        out += [
            ViewColumn(
                view.rename.get(m, m), measure_description(m), measure=m, table=table.id, origin="measure"
            )
            for m in dict.fromkeys(table.measures())
        ]
    elif isinstance(view, PicksView):
        tables = load_catalogue().tables
        for i, p in enumerate(view.picks):
            if p.table not in tables or p.measure not in tables[p.table].measures():
                raise DeclarationError(
                    f"{FILE}: views.{name}.picks.{i}: {p.table} has no measure {p.measure}"
                )
        out += [
            ViewColumn(p.name, p.description, measure=p.measure, table=p.table, row=p.row, origin="pick")
            for p in view.picks
        ]
    out += [_plain(views, name, ref) for ref in view.trailing]
    names = [c.name for c in out]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise DeclarationError(f"{FILE}: views.{name}: duplicate columns {twice}")
    return tuple(out)


def view_descriptions(name: str) -> tuple[str, dict[str, str]]:
    """(the view's description, {column: description}) for the data dictionary and datapackage.json."""
    return load_views().views[name].description, {c.name: c.description for c in view_columns(name)}
