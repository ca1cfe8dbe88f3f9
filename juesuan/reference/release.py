"""The model of ``release.yaml``: what every published release says about itself (title, licence,
citation, sources) and the units of the fields whose numbers have one. Strict (an unknown key is an error
naming the file and the key's path); a unit or a field it names must be declared."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from pydantic import Field, model_validator

from juesuan.reference.model import Declared, read_yaml
from juesuan.reference.warehouse_model import warehouse

FILE = "release.yaml"


class Licence(Declared):
    name: str  # an SPDX id
    title: str
    path: str  # the licence's URL


class Source(Declared):
    title: str
    description: str


class Unit(Declared):
    title: str
    scale: str  # how a number in this unit reads


class ReleaseDeclaration(Declared):
    """``release.yaml``."""

    name: str
    title: str
    description: str
    licence: Licence
    citation: str  # with {release}, {version} and {created}
    sources: tuple[Source, ...]
    units: dict[str, Unit]
    fields: dict[str, str]  # table.field -> unit id
    view_amounts: str  # the unit of every amount column of a view that is a catalogue measure or pick
    # view.column -> unit id: the other view columns with a unit
    view_fields: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _declared(self) -> ReleaseDeclaration:
        problems = []
        tables = warehouse().tables
        for key, unit in self.fields.items():
            table, _, field = key.partition(".")
            if table not in tables or field not in tables[table].columns:
                problems.append(f"fields.{key}: no such field in warehouse.yaml")
            if unit not in self.units:
                problems.append(f"fields.{key}: unit {unit} is not among the units")
        for key, unit in self.view_fields.items():
            if unit not in self.units:
                problems.append(f"view_fields.{key}: unit {unit} is not among the units")
        if self.view_amounts not in self.units:
            problems.append(f"view_amounts: unit {self.view_amounts} is not among the units")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def cite(self, release: str, version: str, created: str) -> str:
        return self.citation.format(release=release, version=version, created=created)

    def unit_of(self, table: str, field: str) -> str | None:
        """The unit id of a warehouse field (None: the field has no unit)."""
        return self.fields.get(f"{table}.{field}")

    def view_unit(self, view: str, column: str, amount: bool) -> str | None:
        """The unit id of a view column: ``view_amounts`` for a catalogue measure or pick (``amount``),
        else its ``view_fields`` entry (None: the column has no unit). The views' columns are checked
        against views.yaml by the tests, not here (the reference's views need the catalogue)."""
        return self.view_amounts if amount else self.view_fields.get(f"{view}.{column}")


def read_release(path: str | Path) -> ReleaseDeclaration:
    return read_yaml(path, ReleaseDeclaration, label=Path(path).name)[0]


@cache
def release_declaration() -> ReleaseDeclaration:
    with resources.as_file(resources.files("juesuan.reference").joinpath(FILE)) as path:
        return read_release(path)
