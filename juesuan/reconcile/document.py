"""Every check of one parsed document: its identities, table presence, narrative ↔ tables, findings in its
text, its consistency with itself and what its reading missed, each set of tables on its own."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from juesuan.parse.document import ParsedDocument
from juesuan.parse.narrative import Finding
from juesuan.reconcile.check import Check, checks_frame
from juesuan.reconcile.consistency import consistency_checks
from juesuan.reconcile.narrative import figure_checks, finding_checks
from juesuan.reconcile.reading import listed_tables, parser_warnings, unidentified_grids, unreadable_pages
from juesuan.reconcile.rules import Book, identity_checks, table_presence


def table_checks(
    facts: pd.DataFrame,
    figures: pd.DataFrame,
    family: str | None,
    tables: set[str],
    findings: Iterable[Finding] = (),
) -> list[Check]:
    """One set of tables with what the narrative says of it (``tables``: those found, empty ones included)."""
    book = Book(facts)
    checks = table_presence(tables, family) + identity_checks(book)
    if not figures.empty:
        checks += figure_checks(book, figures)
    return checks + finding_checks(book, findings, figures)


def reconcile(
    facts: pd.DataFrame,
    figures: pd.DataFrame,
    document_id: str,
    family: str | None,
    tables: set[str],
    findings: Iterable[Finding] = (),
) -> pd.DataFrame:
    """The ``checks`` rows of one set of tables and the narrative (for tests that alter facts or figures)."""
    return checks_frame(document_id, table_checks(facts, figures, family, tables, findings))


def document_checks(
    doc: ParsedDocument, facts: pd.DataFrame | None = None, figures: pd.DataFrame | None = None
) -> list[Check]:
    """``facts`` and ``figures``: the document's frames when the caller has them already."""
    facts = doc.facts_frame() if facts is None else facts
    figures = doc.figures_frame() if figures is None else figures
    scopes = ["", *sorted({t.scope for t in doc.tables} - {""})]
    checks: list[Check] = []
    for scope in scopes:
        # each set of tables is reconciled on its own; the narrative speaks of the first
        in_scope = facts[facts.table_scope == scope] if not facts.empty else facts
        found = {t.table_code for t in doc.tables if t.scope == scope}
        if scope == "":
            checks += table_checks(in_scope, figures, doc.template_family, found, doc.findings)
        else:
            checks += [
                c.scoped(scope) for c in table_checks(in_scope, pd.DataFrame(), doc.template_family, found)
            ]
    checks += consistency_checks(doc.identity, doc.mentions)
    checks += unreadable_pages(doc.page_layers)
    checks += listed_tables(doc.listed, {t.table_code for t in doc.tables if t.scope == ""})
    checks += unidentified_grids(doc.unidentified)
    checks += parser_warnings((w.page, w.table, w.message) for w in doc.warnings)
    return checks


def reconcile_document(
    doc: ParsedDocument, facts: pd.DataFrame | None = None, figures: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The document's ``checks`` rows (``facts``, ``figures``: its frames, when made already)."""
    return checks_frame(doc.document_id, document_checks(doc, facts, figures))
