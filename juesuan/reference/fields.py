"""The warehouse's tables and fields, declared once in ``warehouse.yaml`` (PUDL-style).

DuckDB DDL, pandera schemas (``schemas/``), the data dictionary and ``datapackage.json`` are all derived
from these objects; nothing types a column twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from juesuan.reference.catalogue import load_catalogue


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str
    description: str
    nullable: bool = True
    pattern: str | None = None
    enum: tuple[str, ...] | None = None

    @property
    def frictionless_type(self) -> str:
        return warehouse_types()[self.type][0]

    @property
    def arrow_type(self) -> str:
        return warehouse_types()[self.type][2]


@dataclass(frozen=True)
class ResourceSpec:
    name: str
    description: str
    primary_key: tuple[str, ...]
    fields: tuple[FieldSpec, ...]

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]

    def ddl(self) -> str:
        cols = [f"{f.name} {f.type}{'' if f.nullable else ' NOT NULL'}" for f in self.fields]
        return f"CREATE TABLE IF NOT EXISTS {self.name} (\n  " + ",\n  ".join(cols) + "\n)"


@cache
def _raw() -> dict:
    return yaml.safe_load(resources.files("juesuan.reference").joinpath("warehouse.yaml").read_text("utf-8"))


def warehouse_types() -> dict[str, tuple[str, ...]]:
    return {k: tuple(v) for k, v in _raw()["types"].items()}


def schema_version() -> int:
    return int(_raw()["schema_version"])


def _enum(spec: dict) -> tuple[str, ...] | None:
    source = spec.get("enum_from")
    if source == "catalogue_tables":
        return tuple(load_catalogue().tables)
    if source == "catalogue_measures":
        return tuple(load_catalogue().measures)
    if source == "catalogue_families":
        return tuple(load_catalogue().families)
    return tuple(spec["enum"]) if "enum" in spec else None


@cache
def resources_() -> dict[str, ResourceSpec]:
    out = {}
    for name, spec in _raw()["tables"].items():
        out[name] = ResourceSpec(
            name=name,
            description=spec["description"],
            primary_key=tuple(spec.get("primary_key", [])),
            fields=tuple(
                FieldSpec(
                    name=f["name"],
                    type=f["type"],
                    description=f["description"],
                    nullable=f.get("nullable", True),
                    pattern=f.get("pattern"),
                    enum=_enum(f),
                )
                for f in spec["fields"]
            ),
        )
    return out


def resource(name: str) -> ResourceSpec:
    return resources_()[name]
