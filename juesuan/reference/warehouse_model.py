"""The model of ``warehouse.yaml``: its types, closed word lists (as Python enums) and tables.

Read through strict models (an unknown key is an error naming the file and the key's path). This module
needs nothing from the catalogue, so the catalogue can use its enums (a rule's severity);
:mod:`juesuan.reference.fields` resolves the fields' ``enum_from`` against the catalogue.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, NamedTuple

from pydantic import BeforeValidator, Field, model_validator

from juesuan.reference.model import Declared, read_yaml

# enum_from sources that are catalogue lists (resolved by juesuan.reference.fields); the other sources are
# the names of warehouse.yaml's enums
CATALOGUE_ENUMS = ("catalogue_tables", "catalogue_measures", "catalogue_families", "catalogue_units")


class TypeSpec(NamedTuple):
    """What a DuckDB type is in the other formats (a row of ``types``)."""

    frictionless: str
    pandas: str  # "object": no dtype of its own (the column's checks say what its values are)
    arrow: str


class FieldSpec(Declared):
    name: str
    type: str
    description: str
    nullable: bool = True
    pattern: str | None = None
    enum: tuple[str, ...] | None = None  # the allowed values; resolved from enum_from when that is given
    enum_from: str | None = None  # a catalogue list (catalogue_tables …) or one of warehouse.yaml's enums

    @model_validator(mode="after")
    def _one_enum(self) -> FieldSpec:
        if self.enum is not None and self.enum_from is not None:
            raise ValueError(f"{self.name}: enum or enum_from, not both")
        return self

    @property
    def frictionless_type(self) -> str:
        return warehouse().types[self.type].frictionless

    @property
    def pandas_dtype(self) -> str:
        return warehouse().types[self.type].pandas

    @property
    def arrow_type(self) -> str:
        return warehouse().types[self.type].arrow


class ResourceSpec(Declared):
    name: str
    description: str
    primary_key: tuple[str, ...] = ()
    fields: tuple[FieldSpec, ...]

    @model_validator(mode="after")
    def _key_fields(self) -> ResourceSpec:
        missing = set(self.primary_key) - set(self.columns)
        if missing:
            raise ValueError(f"primary_key names no field {sorted(missing)}")
        return self

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]

    def ddl(self) -> str:
        cols = [f"{f.name} {f.type}{'' if f.nullable else ' NOT NULL'}" for f in self.fields]
        return f"CREATE TABLE IF NOT EXISTS {self.name} (\n  " + ",\n  ".join(cols) + "\n)"


def _named(tables: Any) -> Any:
    if not isinstance(tables, dict):
        return tables
    return {k: {**v, "name": k} if isinstance(v, dict) and "name" not in v else v for k, v in tables.items()}


class Warehouse(Declared):
    """``warehouse.yaml``."""

    schema_version: int
    types: dict[str, TypeSpec]
    enums: dict[str, Annotated[tuple[str, ...], Field(min_length=1)]]
    tables: Annotated[dict[str, ResourceSpec], BeforeValidator(_named)]

    @model_validator(mode="after")
    def _declared(self) -> Warehouse:
        problems = []
        sources = set(CATALOGUE_ENUMS) | set(self.enums)
        for table in self.tables.values():
            for f in table.fields:
                if f.type not in self.types:
                    problems.append(f"tables.{table.name}.{f.name}: type {f.type} is not among the types")
                if f.enum_from is not None and f.enum_from not in sources:
                    problems.append(
                        f"tables.{table.name}.{f.name}: enum_from {f.enum_from} is none of {sorted(sources)}"
                    )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def type_of(self, duckdb_type: str) -> TypeSpec | None:
        """The declared type, or the declared type of its family for a type the views compute
        (DECIMAL(38,2) as DECIMAL(20,2), VARCHAR[] as INTEGER[]); None when nothing is declared alike."""
        if duckdb_type in self.types:
            return self.types[duckdb_type]
        if duckdb_type.endswith("[]"):
            return next((t for k, t in self.types.items() if k.endswith("[]")), None)
        base = duckdb_type.split("(", 1)[0]
        return next((t for k, t in self.types.items() if k.split("(", 1)[0] == base), None)


def read_warehouse(path: str | Path) -> Warehouse:
    """A warehouse declaration file, validated (:class:`~juesuan.reference.model.DeclarationError`)."""
    return read_yaml(path, Warehouse, label=Path(path).name)[0]


@cache
def warehouse() -> Warehouse:
    with resources.as_file(resources.files("juesuan.reference").joinpath("warehouse.yaml")) as path:
        return read_warehouse(path)


def warehouse_types() -> dict[str, TypeSpec]:
    return dict(warehouse().types)


def frictionless_type(duckdb_type: str) -> str:
    """The Frictionless type of a column DuckDB describes as ``duckdb_type`` (string when unknown)."""
    found = warehouse().type_of(duckdb_type)
    return found.frictionless if found else "string"


def schema_version() -> int:
    return warehouse().schema_version


def _str_enum(name: str, key: str) -> type[StrEnum]:
    return StrEnum(name, {value.upper(): value for value in warehouse().enums[key]}, module=__name__)


# The closed word lists of warehouse.yaml as enums (members compare equal to their words: "loaded").
DocumentStatus = _str_enum("DocumentStatus", "document_status")  # LOADED, QUARANTINED, SUPERSEDED
IngestStatus = _str_enum("IngestStatus", "ingest_status")  # LOADED, SKIPPED, DUPLICATE, QUARANTINED
Severity = _str_enum("Severity", "severity")  # ERROR, WARNING
