"""The published pages, looked at in headless Chromium (Debian's, installed by `make chromium`): the quality
report shows the failed checks with the cells cropped from the PDF; the catalogue page lists every extract
with a DuckDB query that works when pasted."""

from __future__ import annotations

import re
import shutil
import subprocess

import duckdb
import numpy as np
import pytest
from helpers.paths import SAMPLES
from PIL import Image

from juesuan.ingest import ingest
from juesuan.warehouse.export import export
from juesuan.warehouse.report import catalogue_page, quality_report

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
    folder = tmp_path_factory.mktemp("publish")
    ingest([SAMPLES], folder / "w.duckdb")
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
    assert "dictionary.md" in dom and "datapackage.json" in dom
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
    assert "Release 2026-01-01," in page and ".partial" not in page
    for f in files:
        assert f"{f['path']} <code>{f['sha256'][:16]}…</code>" in page
    assert "2019, 2020, 2021, 2022, 2023" in page and "11 KiB" in page
    assert "<b>a&lt;b&gt;</b>" in page and "<b>a<b>" not in page  # autoescaped
    assert "<td>—</td>" in page  # an extract with no years


def test_quality_report_escapes_text_and_prints_missing_values_as_nothing(tmp_path):
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE documents AS SELECT 'doc0123456789abcdef' AS document_id, "
        "'部门<甲>' AS department_name, 2023 AS fiscal_year, '/nowhere/a&b.pdf' AS source_path, "
        "NULL AS region, 'loaded' AS status"
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
    assert "<td></td><td>5</td><td></td><td>3,4</td><td>&lt;合计&gt; ≠ 各项之和</td>" in page.replace(
        "\n", ""
    )
    assert "None" not in page and "50.0%" in page
