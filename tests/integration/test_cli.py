"""The command line: inventory, parse and inspect work on the bundled samples."""

from __future__ import annotations

import numpy as np
from helpers.paths import SAMPLES, SEED_PDF
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


def test_verbose_logs_refusals_and_documents_to_stderr_and_the_default_stays_quiet(tmp_path):
    import subprocess
    import sys

    bad = tmp_path / "bad.pdf"
    bad.write_text("not a pdf")
    good = SAMPLES / "0003_mof9_2024.pdf"

    def run(*flags: str) -> str:
        command = [sys.executable, "-m", "juesuan", *flags, "ingest", str(good), str(bad)]
        command += ["--warehouse", str(tmp_path / f"w{''.join(flags)}.duckdb")]
        return subprocess.run(command, capture_output=True, text=True).stderr

    quiet, told, debug = run(), run("-v"), run("-vv")
    assert "quarantined" not in quiet
    assert f"quarantined {bad}: not_pdf" in told and f"loaded {good}: 511 facts" in told
    assert "seconds by stage" in debug and "seconds by stage" not in told
