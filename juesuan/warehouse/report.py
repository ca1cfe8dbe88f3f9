"""The published pages: a quality report (failed checks with the cells involved, cropped from the PDFs, and
pass rates by rule, region and year) and a catalogue page for researchers (each extract with its years,
rows, size, SHA-256, dictionary link and a DuckDB query to paste). Static HTML, no script, no network.
The functions gather plain dicts and lists; the Jinja2 templates in templates/ render them."""

from __future__ import annotations

from pathlib import Path

import duckdb
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from juesuan.reference.fields import DocumentStatus

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


def _render(template: str, out: Path, **context: object) -> Path:
    out.write_text(TEMPLATES.get_template(template).render(**context), encoding="utf-8")
    return out


def _crop(pdf: Path, page: int, box: tuple[float, float, float, float], out: Path) -> bool:
    """The cell and a margin around it, as a PNG; False when the PDF is not at hand."""
    import pdfplumber

    if not pdf.exists():
        return False
    with pdfplumber.open(pdf) as doc:
        if not 1 <= page <= len(doc.pages):
            return False
        p = doc.pages[page - 1]
        x0, top, x1, bottom = box
        area = (max(0, x0 - 60), max(0, top - 14), min(p.width, x1 + 10), min(p.height, bottom + 14))
        p.crop(area).to_image(resolution=150).save(out)
    return True


CROPS_PER_CHECK = 3  # the cells a check names first: the total (or the stated figure's cell), then its terms


def _boxes(con: duckdb.DuckDBPyConnection, document_id: str, cells: list[dict] | None) -> list[tuple]:
    """The printed boxes of the cells a check read (``checks.cells``), in the check's order."""
    out = []
    for cell in (cells or [])[:CROPS_PER_CHECK]:
        found = con.execute(
            "SELECT page, x0, top, x1, bottom, raw_text, row_label, column_label FROM facts "
            "WHERE document_id = ? AND table_scope = ? AND table_code = ? "
            "AND coalesce(row_code, row_label) = ? AND measure = ? LIMIT 1",
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


def quality_report(con: duckdb.DuckDBPyConnection, release: Path) -> Path:
    images = release / "report_images"
    images.mkdir(exist_ok=True)
    base = f"FROM checks c JOIN documents d USING (document_id) WHERE d.status = '{DocumentStatus.LOADED}'"
    total, failed = con.execute(f"SELECT count(*), count(*) FILTER (WHERE NOT passed) {base}").fetchone()
    rates = []
    for key, expr in (("rule", "c.check_id"), ("region", "d.region"), ("fiscal year", "d.fiscal_year")):
        rows = con.execute(
            f"SELECT {expr}, count(*), count(*) FILTER (WHERE NOT c.passed) {base} GROUP BY 1 ORDER BY 1"
        ).fetchall()
        rates.append({"key": key, "rows": _rates(rows)})
    docs = con.execute(
        f"SELECT DISTINCT d.document_id, d.department_name, d.fiscal_year, d.source_path {base} "
        "AND NOT c.passed ORDER BY 2, 3"
    ).fetchall()
    documents = []
    for k, (doc_id, name, year, source) in enumerate(docs):
        failed_rows = con.execute(
            "SELECT check_id, subject, expected, actual, difference, pages, description, cells FROM checks "
            "WHERE document_id = ? AND NOT passed ORDER BY check_id, subject",
            [doc_id],
        ).fetchall()
        checks = []
        for j, (rule, subject, exp, act, diff, pages, text, cells) in enumerate(failed_rows):
            crops = []
            for i, (page, x0, top, x1, bottom, raw, row, col) in enumerate(_boxes(con, doc_id, cells)):
                target = images / f"d{k}_c{j}_{i}.png"
                if _crop(Path(source), page, (x0, top, x1, bottom), target):
                    src = f"{images.name}/{target.name}"
                    crops.append({"src": src, "page": page, "row": row, "column": col, "raw": raw})
            checks.append(
                {
                    "rule": rule,
                    "subject": subject,
                    "expected": exp,
                    "actual": act,
                    "difference": diff,
                    "pages": pages or [],
                    "description": text,
                    "crops": crops,
                }
            )
        urls = con.execute(
            "SELECT DISTINCT url, landing_page, min(fetched_at) FROM document_sources "
            "WHERE document_id = ? AND url IS NOT NULL GROUP BY ALL ORDER BY 1",
            [doc_id],
        ).fetchall()
        origins = [{"url": u, "landing_page": page, "fetched_at": when} for u, page, when in urls]
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
    return _render(
        "report.html", release / "report.html", total=total, failed=failed, rates=rates, documents=documents
    )


def catalogue_page(manifest: dict, release: Path) -> Path:
    extracts = []
    for name, res in manifest["resources"].items():
        parquet = [f for f in res["files"] if f["path"].endswith(".parquet")]
        years = sorted(
            {p["path"].split("fiscal_year=")[1].split("/")[0] for p in parquet if "fiscal_year=" in p["path"]}
            - {"__HIVE_DEFAULT_PARTITION__"}
        )
        query = f"SELECT * FROM read_parquet('{name}/*/*.parquet', hive_partitioning = true) LIMIT 10;"
        extracts.append(
            {
                "name": name,
                "years": years,
                "rows": res["rows"],
                "bytes": sum(f["bytes"] for f in res["files"]),
                "files": res["files"],
                "query": query,
            }
        )
    return _render(
        "index.html",
        release / "index.html",
        release=release.name.removesuffix(".partial"),  # export renders into the staging folder
        juesuan=manifest["juesuan"],
        schema_version=manifest["schema_version"],
        created_at=manifest["created_at"],
        extracts=extracts,
        database=manifest.get("database"),  # juesuan.duckdb: {path, bytes, sha256, tables, views}
    )
