"""The warehouse's tables and fields, declared once in ``warehouse.yaml`` (PUDL-style).

DuckDB DDL, pandera schemas (``schemas/``), the data dictionary and ``datapackage.json`` are all derived
from these objects; nothing types a column twice. The file is read through strict models (an unknown key
is an error naming the file and the key's path). Its closed word lists (``enums``) are also the Python
enums below, so that code compares statuses and severities with names, never with re-typed words.
"""

from __future__ import annotations

from functools import cache

from juesuan.reference.catalogue import load_catalogue
from juesuan.reference.warehouse_model import (
    CATALOGUE_ENUMS,
    DocumentStatus,
    FieldSpec,
    IngestStatus,
    ResourceSpec,
    Severity,
    TypeSpec,
    Warehouse,
    frictionless_type,
    read_warehouse,
    schema_version,
    warehouse,
    warehouse_types,
)

__all__ = [
    "DocumentStatus",
    "FieldSpec",
    "IngestStatus",
    "ResourceSpec",
    "Severity",
    "TypeSpec",
    "Warehouse",
    "enum_values",
    "frictionless_type",
    "read_warehouse",
    "resource",
    "resources_",
    "schema_version",
    "warehouse",
    "warehouse_types",
]


def enum_values(source: str) -> tuple[str, ...]:
    """The values an ``enum_from`` names: a catalogue list or one of warehouse.yaml's enums."""
    if source in CATALOGUE_ENUMS:  # catalogue_tables: the ids of the catalogue's tables …
        return tuple(getattr(load_catalogue(), source.removeprefix("catalogue_")))
    return warehouse().enums[source]


@cache
def resources_() -> dict[str, ResourceSpec]:
    """The tables, with every ``enum_from`` resolved into ``enum``."""
    return {
        name: spec.model_copy(
            update={
                "fields": tuple(
                    f.model_copy(update={"enum": enum_values(f.enum_from)}) if f.enum_from else f
                    for f in spec.fields
                )
            }
        )
        for name, spec in warehouse().tables.items()
    }


def resource(name: str) -> ResourceSpec:
    return resources_()[name]
