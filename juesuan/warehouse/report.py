"""The published pages: a quality report (failed checks with the cells involved, cropped from the PDFs, and
pass rates by rule, region and year) and a catalogue page for researchers (each extract with its years,
rows, size, SHA-256, dictionary link and a DuckDB query to paste). Static HTML, no script, no network."""

from __future__ import annotations

import html
from pathlib import Path

import duckdb

from juesuan.reference import load_catalogue

STYLE = """<style>
body{font-family:"WenQuanYi Micro Hei","Noto Sans CJK SC",sans-serif;margin:24px;color:#222}
table{border-collapse:collapse;margin:8px 0 20px}td,th{border:1px solid #bbb;padding:3px 8px;font-size:13px}
th{background:#eef}.bar{background:#4a7;height:12px;display:inline-block}.fail{color:#b00}
code,pre{background:#f4f4f4;padding:2px 4px}img{border:1px solid #c33;margin:4px}
</style>"""


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


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


def _cells_of(con: duckdb.DuckDBPyConnection, document_id: str, subject: str) -> list[tuple]:
    """Fact boxes a check's subject names (table/row/measure, or a narrative subject's table cell)."""
    parts = subject.split("/")
    decl = load_catalogue().subject(subject)
    if decl is not None and decl.cell(subject):
        parts = list(decl.cell(subject))
    if len(parts) < 3:
        return []
    table, row, measure = parts[0].split("~")[0], parts[1], parts[2]
    return con.execute(
        "SELECT page, x0, top, x1, bottom, raw_text, row_label, column_label FROM facts "
        "WHERE document_id = ? "
        "AND table_code = ? AND coalesce(row_code, row_label) = ? AND measure = ? LIMIT 2",
        [document_id, table, row, measure],
    ).fetchall()


def _rate_table(rows: list[tuple], key: str) -> str:
    out = [f"<table><tr><th>{_e(key)}</th><th>checks</th><th>failed</th><th>pass rate</th></tr>"]
    for name, n, failed in rows:
        rate = 100.0 * (n - failed) / n if n else 100.0
        out.append(
            f"<tr><td>{_e(name)}</td><td>{n}</td><td class='{'fail' if failed else ''}'>{failed}</td>"
            f"<td><span class='bar' style='width:{rate:.0f}px'></span> {rate:.1f}%</td></tr>"
        )
    return "".join(out) + "</table>"


def quality_report(con: duckdb.DuckDBPyConnection, release: Path) -> Path:
    images = release / "report_images"
    images.mkdir(exist_ok=True)
    base = "FROM checks c JOIN documents d USING (document_id) WHERE d.status = 'loaded'"
    parts = [
        f"<html><head><meta charset='utf-8'><title>juesuan quality report</title>{STYLE}</head><body>",
        "<h1>Quality report</h1>",
    ]
    total, failed = con.execute(f"SELECT count(*), count(*) FILTER (WHERE NOT passed) {base}").fetchone()
    parts.append(f"<p>{total} checks over the loaded documents, <b class='fail'>{failed} failed</b>.</p>")
    for key, expr in (("rule", "c.check_id"), ("region", "d.region"), ("fiscal year", "d.fiscal_year")):
        rows = con.execute(
            f"SELECT {expr}, count(*), count(*) FILTER (WHERE NOT c.passed) {base} GROUP BY 1 ORDER BY 1"
        ).fetchall()
        parts += [f"<h2>Pass rate by {key}</h2>", _rate_table(rows, key)]
    parts.append("<h2>Failed checks by document</h2>")
    docs = con.execute(
        f"SELECT DISTINCT d.document_id, d.department_name, d.fiscal_year, d.source_path {base} "
        "AND NOT c.passed ORDER BY 2, 3"
    ).fetchall()
    for k, (doc_id, name, year, source) in enumerate(docs):
        parts.append(
            f"<h3>{_e(name)} {year} <small>({_e(Path(source).name)}, {doc_id[:12]})</small></h3><table>"
            "<tr><th>rule</th><th>where</th><th>expected</th><th>actual</th><th>difference</th>"
            "<th>pages</th><th>what</th><th>cells</th></tr>"
        )
        failed_rows = con.execute(
            "SELECT check_id, subject, expected, actual, difference, pages, description FROM checks "
            "WHERE document_id = ? AND NOT passed ORDER BY check_id, subject",
            [doc_id],
        ).fetchall()
        for j, (rule, subject, exp, act, diff, pages, text) in enumerate(failed_rows):
            crops = []
            for i, (page, x0, top, x1, bottom, raw, row, col) in enumerate(_cells_of(con, doc_id, subject)):
                target = images / f"d{k}_c{j}_{i}.png"
                if _crop(Path(source), page, (x0, top, x1, bottom), target):
                    crops.append(
                        f"<img src='report_images/{target.name}' alt='{_e(row)} {_e(col)}: {_e(raw)} "
                        f"(p.{page})' title='p.{page} {_e(row)} / {_e(col)}'>"
                    )
            parts.append(
                f"<tr><td class='fail'>{_e(rule)}</td><td>{_e(subject)}</td><td>{_e(exp)}</td>"
                f"<td>{_e(act)}</td><td>{_e(diff)}</td><td>{_e(','.join(map(str, pages or [])))}</td>"
                f"<td>{_e(text)}</td><td>{''.join(crops)}</td></tr>"
            )
        parts.append("</table>")
    parts.append("</body></html>")
    out = release / "report.html"
    out.write_text("".join(parts), encoding="utf-8")
    return out


def catalogue_page(manifest: dict, release: Path) -> Path:
    parts = [
        f"<html><head><meta charset='utf-8'><title>juesuan extracts</title>{STYLE}</head><body>",
        "<h1>juesuan extracts</h1>",
        f"<p>Release {_e(release.name)}, juesuan {_e(manifest['juesuan'])}, schema version "
        f"{manifest['schema_version']}, created {_e(manifest['created_at'])}. "
        "Amounts are exact decimals in yuan. <a href='dictionary.md'>Data dictionary</a> · "
        "<a href='datapackage.json'>datapackage.json</a> · <a href='manifest.json'>manifest</a> · "
        "<a href='report.html'>quality report</a></p>",
        "<table><tr><th>extract</th><th>years</th><th>rows</th><th>size</th><th>files (sha256)</th>"
        "<th>query it with DuckDB</th></tr>",
    ]
    for name, res in manifest["resources"].items():
        parquet = [f for f in res["files"] if f["path"].endswith(".parquet")]
        years = sorted(
            {p["path"].split("fiscal_year=")[1].split("/")[0] for p in parquet if "fiscal_year=" in p["path"]}
            - {"__HIVE_DEFAULT_PARTITION__"}
        )
        size = sum(f["bytes"] for f in res["files"])
        digests = "<br>".join(f"{_e(f['path'])} <code>{f['sha256'][:16]}…</code>" for f in res["files"][:4])
        query = f"SELECT * FROM read_parquet('{name}/*/*.parquet', hive_partitioning = true) LIMIT 10;"
        parts.append(
            f"<tr><td><b>{_e(name)}</b><br><a href='dictionary.md#{_e(name)}'>dictionary</a> · "
            f"<a href='csv/{_e(name)}.csv'>CSV</a></td><td>{_e(', '.join(years) or '—')}</td>"
            f"<td>{res['rows']}</td><td>{size / 1024:.0f} KiB</td><td>{digests}</td>"
            f"<td><pre>{_e(query)}</pre></td></tr>"
        )
    parts.append("</table></body></html>")
    out = release / "index.html"
    out.write_text("".join(parts), encoding="utf-8")
    return out
