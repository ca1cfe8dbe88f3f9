"""Reconciliation: the accounting identities, table presence, narrative ↔ table agreement, the document's
consistency with itself and year ↔ year statements, as data.

Every rule applied to one place is a :class:`~juesuan.reconcile.check.Check`, one row of the ``checks``
table (expected, actual, difference, tolerance, passed, pages). Nothing is ever corrected: a failed check is
the finding. The loader calls into this package (year ↔ year checks need the warehouse's previous year);
nothing here reads or writes the warehouse.
"""

from juesuan.reconcile.check import CellRef, Check, checks_frame
from juesuan.reconcile.document import document_checks, reconcile, reconcile_document

__all__ = ["CellRef", "Check", "checks_frame", "document_checks", "reconcile", "reconcile_document"]
