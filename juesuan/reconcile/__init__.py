"""Reconciliation: the accounting identities, table presence and narrative ↔ table agreement as data.

Every rule applied to one place becomes a row of the ``checks`` table (expected, actual, difference,
tolerance, passed, pages). Nothing is ever corrected: a failed check is the finding.
"""

from juesuan.reconcile.engine import reconcile

__all__ = ["reconcile"]
