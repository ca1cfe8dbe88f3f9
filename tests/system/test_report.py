"""The published pages, looked at in headless Chromium (Debian's, installed by `make chromium`): the quality
report shows the failed checks with the cells cropped from the PDF (the cell highlighted, its row label and
header in view), a legend of every rule that appears, amounts in 万元 and yuan, links to the PDF's page and
the refused files; the catalogue page lists every file with its SHA-256 and link, the licence and citation,
and every extract with a DuckDB query that works when pasted."""

from __future__ import annotations

import hashlib
import html
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlparse

import duckdb
import numpy as np
import pytest
from helpers.paths import SAMPLES
from PIL import Image

from juesuan.ingest import ingest
from juesuan.reference.catalogue import load_catalogue
from juesuan.reference.release import release_declaration
from juesuan.warehouse.export import DATABASE, export
from juesuan.warehouse.report import HIGHLIGHT, catalogue_page, quality_report

CHROMIUM = shutil.which("chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    """The samples and one file that is no PDF (refused: not_pdf)."""
    folder = tmp_path_factory.mktemp("publish")
    inputs = folder / "in"
    inputs.mkdir()
    for pdf in SAMPLES.glob("*.pdf"):
        shutil.copy(pdf, inputs / pdf.name)
    (inputs / "error_page.pdf").write_bytes(b"<html><body>404 Not Found</body></html>")
    ingest([inputs], folder / "w.duckdb")
    return export(folder / "w.duckdb", folder / "extracts").path


def browse(page, tmp_path, what: str) -> str:
    assert CHROMIUM, "Debian chromium is not installed: run `make chromium`"
    base = [CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / what}"]
    shot = tmp_path / f"{what}.png"
    subprocess.run(
        [*base, "--window-size=1200,1600", f"--screenshot={shot}", page.as_uri()],
        check=True,
        capture_output=True,
        timeout=120,
    )
    with Image.open(shot) as image:
        pixels = np.asarray(image.convert("L"))
    assert (pixels < 128).mean() > 0.01, "the screenshot is blank"
    dom = subprocess.run(
        [*base, "--dump-dom", page.as_uri()], check=True, capture_output=True, text=True, timeout=120
    ).stdout
    return dom


def test_quality_report_shows_failed_checks_with_cropped_cells_and_pass_rates(release, tmp_path):
    dom = browse(release / "report.html", tmp_path, "report")
    assert "Quality report" in dom and "Pass rate by rule" in dom and "Pass rate by fiscal year" in dom
    assert "攀枝花市东区电子政务建设服务中心" in dom and "gpb_item.2101101" in dom
    crops = re.findall(r"<img src=\"(report_images/[^\"]+)\"", dom)
    assert crops, "no cropped cell image"
    with Image.open(release / crops[0]) as cell:
        assert cell.width > 100 and cell.height > 20


def test_catalogue_page_lists_every_extract_with_a_working_query(release, tmp_path):
    dom = browse(release / "index.html", tmp_path, "index")
    for name in ("facts", "documents", "narrative_figures", "checks", "expenditure_by_function", "summary"):
        assert f"<b>{name}</b>" in dom
    assert "dictionary.html" in dom and "datapackage.json" in dom
    query = re.search(r"SELECT \* FROM read_parquet\('facts/\*/\*.parquet'[^<]*;", dom).group(0)
    con = duckdb.connect()
    con.execute(f"SET file_search_path = '{release}'")
    rows = con.execute(query.replace("&#x27;", "'")).fetchall()
    assert len(rows) == 10


def test_catalogue_page_names_the_release_without_its_staging_suffix_and_lists_every_file(tmp_path):
    staging = tmp_path / "2026-01-01.partial"
    staging.mkdir()
    files = [
        {"path": f"facts/fiscal_year={year}/data_0.parquet", "bytes": 2048, "sha256": f"{year}" * 16}
        for year in range(2019, 2024)
    ] + [{"path": "csv/facts.csv", "bytes": 1024, "sha256": "c" * 64}]
    manifest = {
        "juesuan": "0.1.0",
        "schema_version": 3,
        "created_at": "2026-01-01T00:00:00+00:00",
        "resources": {
            "facts": {"rows": 5, "files": files},
            "a<b>": {"rows": 0, "files": []},
        },
    }
    page = catalogue_page(manifest, staging).read_text(encoding="utf-8")
    assert 'Release <b id="release">2026-01-01</b>,' in page and ".partial" not in page
    for f in files:
        assert f'<a href="{f["path"]}">{f["path"]}</a> <code>{f["sha256"]}</code>' in page
    assert "2019, 2020, 2021, 2022, 2023" in page and "11 KiB" in page
    assert "<b>a&lt;b&gt;</b>" in page and "<b>a<b>" not in page  # autoescaped
    assert "<td>—</td>" in page  # an extract with no years


def test_quality_report_escapes_text_and_prints_missing_values_as_nothing(tmp_path):
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE documents AS SELECT 'doc0123456789abcdef' AS document_id, "
        "'部门<甲>' AS department_name, 2023 AS fiscal_year, '/nowhere/a&b.pdf' AS source_path, "
        "NULL AS region, 'loaded' AS status, NULL AS status_reason"
    )
    con.execute(
        "CREATE TABLE checks AS SELECT * FROM (VALUES "
        "('doc0123456789abcdef', 'I1', 'x/y', NULL, '5', NULL, [3, 4], '<合计> ≠ 各项之和', FALSE, NULL), "
        "('doc0123456789abcdef', 'I1', 'x/z', '1', '1', '0', NULL, 'ok', TRUE, NULL)) "
        "t(document_id, check_id, subject, expected, actual, difference, pages, description, passed, cells)"
    )
    con.execute(
        "CREATE TABLE document_sources AS SELECT 'doc0123456789abcdef' AS document_id, '/nowhere/a&b.pdf' AS "
        "source_path, 'https://x.gov.cn/a?b=1&c=<2>' AS url, 'https://x.gov.cn/list' AS landing_page, "
        "TIMESTAMP '2026-11-29 02:00:00' AS fetched_at"
    )
    page = quality_report(con, tmp_path).read_text(encoding="utf-8")
    # where the document came from, escaped like everything else
    assert 'Fetched from <a href="https://x.gov.cn/a?b=1&amp;c=&lt;2&gt;">' in page
    assert '(listed on <a href="https://x.gov.cn/list">' in page and "2026-11-29 02:00:00" in page
    assert "2 checks over the loaded documents" in page and "1 failed" in page
    assert "部门&lt;甲&gt; 2023 <small>(a&amp;b.pdf, doc012345678)</small>" in page
    row = page.replace("\n", "")
    assert "<td></td><td>0.0005 万元<br><small>5.00 元</small></td><td></td><td>" in row
    assert ">3</a>,<a " in row and "<td>&lt;合计&gt; ≠ 各项之和</td>" in row
    assert "None" not in page and "50.0%" in page


def test_quality_report_has_a_legend_of_every_rule_that_appears(release, tmp_path):
    dom = browse(release / "report.html", tmp_path, "legend")
    con = duckdb.connect(str(release / DATABASE), read_only=True)
    rules = {r for (r,) in con.execute("SELECT DISTINCT check_id FROM checks").fetchall()}
    con.close()
    legend = dict(re.findall(r'<dt id="rule-([^"]+)">[^<]+</dt><dd>([^<]+)', dom))
    assert rules <= set(legend), sorted(rules - set(legend))
    catalogue = load_catalogue()
    for rule in rules:  # identities' checks (I11b: I11's) and the check_rules (T1, N1 …), as declared
        assert html.unescape(legend[rule]).strip() == catalogue.rule_description(rule), rule
    assert "template family" in legend["T1"] and "Σ" in legend["I1"]
    # every rule in the table of failed checks and of pass rates links to its entry
    links = set(re.findall(r'href="#rule-([^"]+)"', dom))
    assert links and links <= set(legend)


def test_quality_report_shows_amounts_in_wan_and_yuan_and_links_each_page_of_the_pdf(release, tmp_path):
    dom = browse(release / "report.html", tmp_path, "amounts")
    # the seed's 行政单位医疗: the table prints 8.13, the narrative says 13.55 (N1)
    assert "8.13 万元" in dom and "81,300.00 元" in dom and "13.55 万元" in dom and "135,500.00 元" in dom
    pages = re.findall(r'<a class="page" href="([^"]+)">(\d+)</a>', dom)
    assert pages
    for href, number in pages:
        url = urlparse(href)
        assert url.scheme == "file" and url.fragment == f"page={number}", href
        assert Path(unquote(url.path)).is_file(), href  # no source URL here: the file the PDF was read from


def test_every_failed_check_with_cells_has_a_crop_with_the_cell_highlighted(release, tmp_path):
    dom = browse(release / "report.html", tmp_path, "crops")
    con = duckdb.connect(str(release / DATABASE), read_only=True)
    with_cells = con.execute(
        "SELECT count(*) FROM checks c JOIN documents d USING (document_id) "
        "WHERE d.status = 'loaded' AND NOT c.passed AND len(c.cells) > 0"
    ).fetchone()[0]
    con.close()
    assert with_cells >= 1
    crops = re.findall(r'<a class="crop" href="([^"]+)"><img src="(report_images/[^"]+)"', dom)
    rows = [row for row in dom.split("<tr>") if 'class="crop"' in row]
    assert len(rows) == with_cells, "a failed check with cells has no crop"
    for href, src in crops:
        assert "#page=" in href
        with Image.open(release / src) as crop:
            pixels = np.asarray(crop.convert("RGB"))
        assert crop.width > 300 and crop.height > 60  # the row label and the header are in view
        highlighted = (pixels == np.array(HIGHLIGHT, dtype=pixels.dtype)).all(axis=2)
        assert highlighted.sum() > 50, f"{src}: no highlight drawn"


def test_quality_report_lists_the_refused_files_with_their_reasons(release, tmp_path):
    dom = browse(release / "report.html", tmp_path, "refused")
    section = dom.split('id="quarantined"', 1)[1]
    assert "error_page.pdf" in section and "not_pdf" in section
    assert "the bytes are not a PDF" in section


def test_catalogue_page_names_the_release_and_links_every_file_with_its_checksum(release, tmp_path):
    dom = browse(release / "index.html", tmp_path, "files")
    assert f'<b id="release">{release.name}</b>' in dom and ".partial" not in dom
    declared = release_declaration()
    assert declared.licence.path in dom and declared.licence.name in dom
    assert f"release {release.name}" in dom.split('id="citation"', 1)[1]
    listed = dict(
        re.findall(
            r'<a href="([^"#]+)">[^<]+</a>(?:</td><td>[^<]*</td><td>| )<code>([0-9a-f]{64})</code>', dom
        )
    )
    for name in (DATABASE, "report.html", "dictionary.html", "datapackage.json", "manifest.json"):
        assert name in listed, name
    data = [p for p in release.rglob("*") if p.is_file() and p.suffix in (".parquet", ".csv")]
    assert {str(p.relative_to(release)) for p in data} <= set(listed)
    for path, digest in listed.items():
        assert hashlib.sha256((release / path).read_bytes()).hexdigest() == digest, path
    # each extract with its description
    assert "One row per printed table cell" in dom
