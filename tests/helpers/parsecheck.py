"""Compare what the parser read with a generated document's truth: every cell, figure and identity field."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from juesuan.parse import ParsedDocument

IDENTITY_FIELDS = (
    "department_id",
    "department_name",
    "region",
    "fiscal_year",
    "doc_kind",
    "template_family",
    "page_count",
    "document_id",
)


def _d(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).normalize()


def cell_key(table_scope: str, table_code: str, row_code: str | None, row_label: str, column: str) -> tuple:
    """A cell's key: the set of tables it is in ('' the first), table, row (code, else label), column."""
    return (table_scope, table_code, row_code or row_label, column)


def compare_with_truth(doc: ParsedDocument, truth: dict) -> list[str]:
    problems: list[str] = []
    row = doc.document_row()
    expected_doc = truth["documents"][0]
    for name in IDENTITY_FIELDS:
        if row[name] != expected_doc[name]:
            problems.append(f"document {name}: parsed {row[name]!r}, truth {expected_doc[name]!r}")
    got = {}
    for f in doc.facts():
        key = cell_key(f.scope, f.table_code, f.row_code, f.row_label, f.column_label)
        if key in got:
            problems.append(f"duplicate cell {key}")
        got[key] = f
    # truth written before sets of tables were generated has no table_scope: its cells are in the first
    expected = {
        cell_key(
            f.get("table_scope", ""), f["table_code"], f["row_code"], f["row_label"], f["column_label"]
        ): f
        for f in truth["facts"]
    }
    for key in expected.keys() - got.keys():
        problems.append(f"cell not found: {key}")
    for key in got.keys() - expected.keys():
        problems.append(f"extra cell: {key} = {got[key].raw_text!r}")
    for key in expected.keys() & got.keys():
        g, e = got[key], expected[key]
        pairs = {
            "amount_yuan": (g.amount_yuan, Decimal(e["amount_yuan"])),
            "raw_text": (g.raw_text, e["raw_text"]),
            "measure": (g.measure, e["measure"]),
            "row_code": (g.row_code, e["row_code"]),
            "row_label": (g.row_label, e["row_label"]),
            "table_title": (g.table_title, e["table_title"].replace(" ", "")),
            "source_unit": (g.source_unit, e["source_unit"]),
            "page": (g.page, e["page"]),
        }
        for name, (a, b) in pairs.items():
            if a != b:
                problems.append(f"{key} {name}: parsed {a!r}, truth {b!r}")
        if abs(g.x0 - e["x0"]) > 1 or abs(g.top - e["top"]) > 1:
            problems.append(f"{key} box: parsed {(g.x0, g.top)}, truth {(e['x0'], e['top'])}")
    want = Counter(
        (f["subject"], _d(f["amount_yuan"]), _d(f["percent"]), _d(f["quantity"]), f["page"])
        for f in truth["narrative_figures"]
    )
    have = Counter((f.subject, _d(f.amount_yuan), _d(f.percent), _d(f.quantity), f.page) for f in doc.figures)
    for fig in want - have:
        problems.append(f"narrative figure not found: {fig}")
    for fig in have - want:
        problems.append(f"extra narrative figure: {fig}")
    tables = {(t.get("table_scope", ""), t["table_code"]): t for t in truth["tables"]}
    parsed = {(t.scope, t.table_code): t for t in doc.tables}
    if set(tables) != set(parsed):
        problems.append(f"tables: parsed {sorted(parsed)}, truth {sorted(tables)}")
    for key in set(tables) & set(parsed):
        if tables[key]["empty"] != parsed[key].empty:
            problems.append(f"{key} empty: parsed {parsed[key].empty}, truth {tables[key]['empty']}")
    if "contents" in truth:  # the tables the document's 目录 lists, on the pages it takes
        listed = truth["contents"]["tables"]
        if set(doc.listed) != set(listed):
            problems.append(f"目录: parsed {sorted(doc.listed)}, truth {sorted(listed)}")
        if not set(doc.listed.values()) <= set(truth["contents"]["pages"]):
            problems.append(
                f"目录 pages: parsed {sorted(set(doc.listed.values()))}, truth {truth['contents']}"
            )
    return problems
