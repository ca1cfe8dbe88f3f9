"""Reference data every pipeline step reads: the table catalogue and the classification code lists.

The catalogue (``catalogue.yaml``) and the code lists (``*.csv``) are data, declared once; the modules here
only load them into typed objects.
"""

from juesuan.reference.catalogue import Catalogue, ColumnNode, TableSpec, load_catalogue
from juesuan.reference.classes import ClassEntry, Classification, economic_classes, function_classes
from juesuan.reference.identity import department_aliases, department_id, normalize_name, region_of


def warm_up() -> None:
    """Load every declaration a document's reading consults (see :func:`juesuan.parse.warm_up`)."""
    load_catalogue()
    function_classes()
    economic_classes()
    department_aliases()


__all__ = [
    "Catalogue",
    "ClassEntry",
    "Classification",
    "ColumnNode",
    "TableSpec",
    "department_id",
    "economic_classes",
    "function_classes",
    "load_catalogue",
    "normalize_name",
    "region_of",
    "warm_up",
]
