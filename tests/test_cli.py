"""The command line: inventory, parse and inspect work on the bundled samples."""

from __future__ import annotations

import numpy as np
from conftest import SAMPLES, SEED_PDF
from PIL import Image
from typer.testing import CliRunner

from juesuan.cli import app

runner = CliRunner()


def test_inventory_lists_every_sample_with_its_truth():
    result = runner.invoke(app, ["inventory", str(SAMPLES)])
    assert result.exit_code == 0, result.output
    assert "7 PDFs to ingest" in result.output
    assert "攀枝花市东区电子政务建设服务中心" in result.output


def test_parse_prints_tables_and_writes_facts(tmp_path):
    out = tmp_path / "facts.csv"
    result = runner.invoke(app, ["parse", str(SEED_PDF), "--facts-csv", str(out)])
    assert result.exit_code == 0, result.output
    assert "13 tables, 773 facts" in result.output
    lines = out.read_text("utf-8").splitlines()
    assert len(lines) == 774 and lines[0].startswith("document_id,department_id,fiscal_year,table_code")


def test_inspect_draws_the_page_with_its_cells(tmp_path):
    out = tmp_path / "p22.png"
    result = runner.invoke(app, ["inspect", str(SEED_PDF), "--page", "22", "--out", str(out)])
    assert result.exit_code == 0, result.output
    with Image.open(out) as image:
        assert image.width > 800
        # fact boxes are tinted blue: a good share of the page carries the tint
        pixels = np.asarray(image.convert("RGB").resize((200, 280)), dtype=int)
        r, g, b = pixels[..., 0], pixels[..., 1], pixels[..., 2]
        assert int(((b > r + 15) & (b > g + 15)).sum()) > 2000


def test_inspect_refuses_a_page_outside_the_document(tmp_path):
    result = runner.invoke(app, ["inspect", str(SEED_PDF), "--page", "99", "--out", str(tmp_path / "x.png")])
    assert result.exit_code != 0
