"""The published pages: a quality report (failed checks with the cells involved, cropped from the PDFs with
the cell highlighted, a legend of every rule, pass rates by rule, region and year, the refused files), a
catalogue page for researchers (every file of the release with its SHA-256 and link, each extract with its
description, years, rows and a DuckDB query to paste, the licence and how to cite) and the data dictionary
as a page (an anchor per relation and column). Static HTML, no script, no network. The functions gather
plain dicts and lists; the Jinja2 templates in templates/ render them."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path

import duckdb
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from juesuan.reasons import REASONS, code_of
from juesuan.reference.catalogue import load_catalogue
from juesuan.reference.fields import DocumentStatus
from juesuan.reference.release import release_declaration
from juesuan.warehouse.layout import ALL_YEARS, partition_of

# base.html holds the shared head and style. Autoescaped; a missing variable is an error; None prints as
# nothing.
TEMPLATES = Environment(
    loader=PackageLoader("juesuan.warehouse", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    finalize=lambda value: "" if value is None else value,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)

HIGHLIGHT = (220, 20, 60)  # the outline drawn around the cell a check read, on its crop (crimson)
FILL = (255, 221, 0, 80)  # and the cell's fill (translucent yellow)
CROP_RESOLUTION = 110  # dpi of the crops
HEADER_ROOM = 80  # PDF points above a table's first row on the page: its (multi-level) header
CROPS_PER_CHECK = 3  # the cells a check names first: the total (or the stated figure's cell), then its terms


def _render(template: str, out: Path, **context: object) -> Path:
    out.write_text(TEMPLATES.get_template(template).render(**context), encoding="utf-8")
    return out


def _crop(pdf: Path, page: int, box: tuple[float, float, float, float], head: float, out: Path) -> bool:
    """The cell with its row label (from the page's left edge) and its table's header (from above the
    table's first row on the page), the cell outlined and filled; False when the PDF is not at hand."""
    import pdfplumber

    if not pdf.exists():
        return False
    with pdfplumber.open(pdf) as doc:
        if not 1 <= page <= len(doc.pages):
            return False
        p = doc.pages[page - 1]
        left, page_top, right, page_bottom = p.bbox
        x0, top, x1, bottom = box
        area = (
            left,
            max(page_top, min(head, top) - HEADER_ROOM),
            min(right, x1 + 10),
            min(page_bottom, bottom + 14),
        )
        image = p.crop(area).to_image(resolution=CROP_RESOLUTION)
        image.draw_rect((x0, top, x1, bottom), fill=FILL, stroke=(*HIGHLIGHT, 255), stroke_width=3)
        image.save(out)
    return True


def _boxes(con: duckdb.DuckDBPyConnection, document_id: str, cells: list[dict] | None) -> list[tuple]:
    """The printed boxes of the cells a check read (``checks.cells``), in the check's order, each with the
    top of its table's first row on that page."""
    out = []
    for cell in (cells or [])[:CROPS_PER_CHECK]:
        found = con.execute(
            "SELECT f.page, f.x0, f.top, f.x1, f.bottom, f.raw_text, f.row_label, f.column_label, "
            "(SELECT min(g.top) FROM facts g WHERE g.document_id = f.document_id AND g.page = f.page "
            "AND g.table_scope = f.table_scope AND g.table_code = f.table_code) FROM facts f "
            "WHERE f.document_id = ? AND f.table_scope = ? AND f.table_code = ? "
            "AND coalesce(f.row_code, f.row_label) = ? AND f.measure = ? LIMIT 1",
            [document_id, cell["table_scope"], cell["table_code"], cell["row_key"], cell["measure"]],
        ).fetchone()
        if found:
            out.append(found)
    return out


def _rates(rows: list[tuple]) -> list[dict]:
    return [
        {"name": name, "checks": n, "failed": failed, "rate": 100.0 * (n - failed) / n if n else 100.0}
        for name, n, failed in rows
    ]


def _grouped(value: Decimal) -> str:
    """Thousands separators, two decimals as the tables print them (more only when the value has them)."""
    return f"{value:,.2f}" if value == value.quantize(Decimal("0.01")) else f"{value.normalize():,f}"


def amount(value: object, unit: str) -> dict | None:
    """A check's expected, actual or difference for the page: for an amount (``yuan``) its 万元 as the
    tables print them and its yuan; a percent, a year or a presence (1/0) as the number it is; a finding
    (a statement in the text) has none."""
    if value is None or unit == "finding":  # a statement in the text: its 0 means nothing
        return None
    number = Decimal(str(value))
    if unit == "yuan":
        return {"wan": f"{_grouped(number / 10000)} 万元", "yuan": f"{_grouped(number)} 元"}
    if unit == "percent":
        return {"wan": f"{number.normalize():f}%", "yuan": None}
    if unit == "year":
        return {"wan": f"{int(number)}", "yuan": None}
    return {"wan": f"{number.normalize():f}", "yuan": None}


def page_link(urls: list[str], source: str | None, page: int) -> str | None:
    """Where page ``page`` of a document opens: its source URL (the first it was fetched from), else the
    file it was read from as a file:// URL, with ``#page=N`` (PDF viewers open that page)."""
    if urls:
        return f"{urls[0]}#page={page}"
    if not source:
        return None
    return f"{Path(source).resolve().as_uri()}#page={page}"


def legend(rule_ids: set[str]) -> list[dict]:
    """Every rule id that appears, with its declared description (catalogue.yaml: an identity's, or
    ``check_rules``) and the unit of its expected and actual, in the catalogue's order of ids."""
    catalogue = load_catalogue()
    out = []
    for rule in sorted(rule_ids, key=_rule_order):
        out.append(
            {
                "id": rule,
                "description": catalogue.rule_description(rule) or "(not declared in the catalogue)",
                "unit": catalogue.rule_unit(rule),
            }
        )
    return out


def _rule_order(rule: str) -> tuple:
    head = rule.rstrip("bcdefgh") or rule
    letters = "".join(c for c in head if not c.isdigit())
    digits = "".join(c for c in head if c.isdigit())
    return (letters, int(digits or 0), rule)


def quality_report(con: duckdb.DuckDBPyConnection, release: Path) -> Path:
    images = release / "report_images"
    images.mkdir(exist_ok=True)
    catalogue = load_catalogue()
    base = f"FROM checks c JOIN documents d USING (document_id) WHERE d.status = '{DocumentStatus.LOADED}'"
    total, failed = con.execute(f"SELECT count(*), count(*) FILTER (WHERE NOT passed) {base}").fetchone()
    rates = []
    for key, expr in (("rule", "c.check_id"), ("region", "d.region"), ("fiscal year", "d.fiscal_year")):
        rows = con.execute(
            f"SELECT {expr}, count(*), count(*) FILTER (WHERE NOT c.passed) {base} GROUP BY 1 ORDER BY 1"
        ).fetchall()
        rates.append({"key": key, "rows": _rates(rows)})
    rules = {r["name"] for r in rates[0]["rows"]}
    docs = con.execute(
        f"SELECT DISTINCT d.document_id, d.department_name, d.fiscal_year, d.source_path {base} "
        "AND NOT c.passed ORDER BY 2, 3"
    ).fetchall()
    documents = []
    for k, (doc_id, name, year, source) in enumerate(docs):
        urls = con.execute(
            "SELECT DISTINCT url, landing_page, min(fetched_at) FROM document_sources "
            "WHERE document_id = ? AND url IS NOT NULL GROUP BY ALL ORDER BY 1",
            [doc_id],
        ).fetchall()
        origins = [{"url": u, "landing_page": page, "fetched_at": when} for u, page, when in urls]
        plain = [u for u, _, _ in urls]
        failed_rows = con.execute(
            "SELECT check_id, subject, expected, actual, difference, pages, description, cells FROM checks "
            "WHERE document_id = ? AND NOT passed ORDER BY check_id, subject",
            [doc_id],
        ).fetchall()
        checks = []
        for j, (rule, subject, exp, act, diff, pages, text, cells) in enumerate(failed_rows):
            rules.add(rule)
            unit = catalogue.rule_unit(rule)
            crops = []
            for i, (page, x0, top, x1, bottom, raw, row, col, head) in enumerate(_boxes(con, doc_id, cells)):
                target = images / f"d{k}_c{j}_{i}.png"
                if _crop(
                    Path(source), page, (x0, top, x1, bottom), head if head is not None else top, target
                ):
                    src = f"{images.name}/{target.name}"
                    crops.append(
                        {
                            "src": src,
                            "page": page,
                            "row": row,
                            "column": col,
                            "raw": raw,
                            "link": page_link(plain, source, page),
                        }
                    )
            checks.append(
                {
                    "rule": rule,
                    "subject": subject,
                    "expected": amount(exp, unit),
                    "actual": amount(act, unit),
                    "difference": amount(diff, unit),
                    "pages": [{"page": p, "link": page_link(plain, source, p)} for p in pages or []],
                    "description": text,
                    "crops": crops,
                }
            )
        documents.append(
            {
                "name": name,
                "year": year,
                "source": Path(source).name,
                "id": doc_id,
                "urls": origins,
                "checks": checks,
            }
        )
    quarantined = [
        {
            "source": source,
            "name": Path(source).name,
            "reason": reason,
            "code": code_of(reason),
            "meaning": REASONS.get(code_of(reason) or "", ""),
            "id": doc_id,
        }
        for doc_id, source, reason in con.execute(
            "SELECT document_id, source_path, status_reason FROM documents "
            f"WHERE status = '{DocumentStatus.QUARANTINED}' ORDER BY source_path"
        ).fetchall()
    ]
    return _render(
        "report.html",
        release / "report.html",
        total=total,
        failed=failed,
        rates=rates,
        documents=documents,
        legend=legend(rules),
        quarantined=quarantined,
        execution=execution_by_class(con),
        unpaired=unpaired(con),
    )


def _has_view(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_views() WHERE view_name = ?", [name]).fetchone()[0])


def execution_by_class(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Budget against final account per department and year, by 类 of the 一般公共预算 (the execution view):
    what was planned, what was spent, the rate and the pages of both. Nothing from a warehouse without it."""
    if not _has_view(con, "execution"):
        return []
    rows = con.execute(
        "SELECT department_name, fiscal_year, function_code, function_name, budget_yuan, final_yuan, "
        "execution_rate, budget_page, final_page, matched FROM execution "
        "WHERE basis = 'general_budget' AND measure = 'total_expenditure' AND level = '类' "
        "ORDER BY department_name, fiscal_year, function_code"
    ).fetchall()
    out: list[dict] = []
    for name, year, code, label, budget, final, rate, budget_page, final_page, matched in rows:
        if not out or (out[-1]["name"], out[-1]["year"]) != (name, year):
            out.append({"name": name, "year": year, "rows": []})
        out[-1]["rows"].append(
            {
                "code": code,
                "label": label,
                "budget": amount(budget, "yuan"),
                "final": amount(final, "yuan"),
                "rate": rate,
                "pages": (budget_page, final_page),
                "matched": matched,
            }
        )
    return out


def unpaired(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Budgets without their year's final account and finals without a budget (a rename not yet declared
    in department_aliases.csv shows here as two rows)."""
    if not _has_view(con, "execution_documents"):
        return []
    return [
        {"name": name, "year": year, "has": "budget" if budget else "final account"}
        for name, year, budget in con.execute(
            "SELECT department_name, fiscal_year, budget_document_id IS NOT NULL FROM execution_documents "
            "WHERE NOT matched ORDER BY 1, 2"
        ).fetchall()
    ]


def _sha256(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


PAGES = ("report.html", "dictionary.html", "dictionary.md", "datapackage.json", "manifest.json")


def catalogue_page(manifest: dict, release: Path, package: dict | None = None) -> Path:
    """index.html: written last, so that it lists every file of the release with its SHA-256: the pages,
    datapackage.json, manifest.json, juesuan.duckdb and each extract's files."""
    name = release.name.removesuffix(".partial")  # export renders into the staging folder
    descriptions = {r["name"]: r.get("description", "") for r in (package or {}).get("resources", [])}
    extracts = []
    for relation, res in manifest["resources"].items():
        parquet = [f for f in res["files"] if f["path"].endswith(".parquet")]
        years = sorted({partition_of(p["path"]) for p in parquet} - {None, ALL_YEARS})
        query = f"SELECT * FROM read_parquet('{relation}/*/*.parquet', hive_partitioning = true) LIMIT 10;"
        extracts.append(
            {
                "name": relation,
                "description": descriptions.get(relation, ""),
                "years": years,
                "rows": res["rows"],
                "bytes": sum(f["bytes"] for f in res["files"]),
                "files": res["files"],
                "query": query,
            }
        )
    files = [
        {"path": page, "bytes": (release / page).stat().st_size, "sha256": _sha256(release / page)}
        for page in PAGES
        if (release / page).is_file()
    ]
    declared = release_declaration()
    return _render(
        "index.html",
        release / "index.html",
        release=name,
        juesuan=manifest["juesuan"],
        schema_version=manifest["schema_version"],
        created_at=manifest["created_at"],
        extracts=extracts,
        files=files,
        database=manifest.get("database"),  # juesuan.duckdb: {path, bytes, sha256, tables, views}
        licence=declared.licence,
        citation=(package or {}).get("citation")
        or declared.cite(name, manifest["juesuan"], manifest["created_at"]),
        title=declared.title,
    )


def dictionary_page(entries: list[dict], manifest: dict, release: Path) -> Path:
    """dictionary.html: every relation (anchor ``#name``) and column (``#name.column``) with its type,
    description, constraints and unit (``entries``: juesuan.warehouse.export.dictionary_entries)."""
    return _render(
        "dictionary.html",
        release / "dictionary.html",
        release=release.name.removesuffix(".partial"),
        juesuan=manifest["juesuan"],
        schema_version=manifest["schema_version"],
        created_at=manifest["created_at"],
        entries=entries,
        database=manifest.get("database"),
    )
