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
from conftest import SAMPLES
from PIL import Image

from juesuan.ingest import ingest
from juesuan.warehouse.export import export

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
    return export(folder / "w.duckdb", folder / "extracts")


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
