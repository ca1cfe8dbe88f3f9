"""The command line: inventory, parse and inspect work on the bundled samples; every user error is one
line on standard error with its exit code (a traceback only with --debug); query runs anything a read-only
connection runs; ingest without a terminal logs one line per document."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from helpers.paths import SAMPLES, SEED_PDF
from PIL import Image
from typer.testing import CliRunner

from juesuan import __version__
from juesuan.cli import app
from juesuan.ingest import ingest

runner = CliRunner()
GOOD = [SAMPLES / "0003_mof9_2024.pdf", SAMPLES / "0005_mof9_2020.pdf"]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("wh") / "w.duckdb"
    assert [o.status for o in ingest(GOOD, path)] == ["loaded", "loaded"]
    return path


def one_error(result, code: int) -> str:
    """The single error line of a failed command (and nothing else on standard error), without traceback."""
    assert result.exit_code == code, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit), result.exception  # no exception escaped the boundary
    return lines[0]


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


def query(warehouse: Path, sql: str, *options: str):
    return runner.invoke(app, ["query", sql, "--warehouse", str(warehouse), *options])


@pytest.mark.parametrize(
    ("sql", "said"),
    [
        ("SELEC 1", 'Parser Error: syntax error at or near "SELEC"'),
        ("SELECT * FROM factz", 'Catalog Error: Table with name factz does not exist! Did you mean "facts"?'),
        ("SELECT amout FROM facts", 'Binder Error: Referenced column "amout" not found in FROM clause! Cand'),
    ],
)
def test_bad_sql_is_one_line_with_duckdbs_message_and_hint(warehouse, sql, said):
    line = one_error(query(warehouse, sql), 2)
    assert said in line and "LINE 1" not in line


@pytest.mark.parametrize("sql", ["DELETE FROM facts", "CREATE TABLE x (a INT)", "SELECT 1; DROP TABLE facts"])
def test_a_write_is_refused_by_the_read_only_connection_in_duckdbs_words(warehouse, sql):
    line = one_error(query(warehouse, sql), 2)
    assert line.startswith("error: refused: Invalid Input Error: Cannot execute statement of type")
    assert "read-only mode" in line
    ok = query(warehouse, "SELECT count(*) AS n FROM facts", "--format", "json")
    assert json.loads(ok.stdout) == [{"n": 511 + 521}]


def test_a_write_duckdb_fails_before_its_read_only_check_is_still_refused(warehouse):
    line = one_error(query(warehouse, "INSERT INTO checks VALUES (1)"), 2)
    assert line.startswith("error: refused: INSERT on a read-only connection; DuckDB: Binder Error: ")
    ok = query(warehouse, "SELECT count(*) AS n FROM facts", "--format", "json")
    assert json.loads(ok.stdout) == [{"n": 511 + 521}]


def test_pivot_set_call_describe_summarize_and_from_first_run(warehouse):
    sql = "PIVOT documents ON fiscal_year USING count(*) GROUP BY doc_kind"
    pivot = query(warehouse, sql, "--format", "json")
    assert pivot.exit_code == 0, pivot.output
    assert json.loads(pivot.stdout) == [{"doc_kind": "final", "2020": 1, "2024": 1}]
    setting = query(warehouse, "SET threads = 1; SELECT current_setting('threads') AS t", "--format", "json")
    assert setting.exit_code == 0 and json.loads(setting.stdout) == [{"t": 1}], setting.output
    call = query(warehouse, "CALL pragma_table_info('documents')", "--format", "csv")
    assert call.exit_code == 0 and "0,document_id,VARCHAR" in call.stdout, call.output
    for sql in ("DESCRIBE facts", "SUMMARIZE documents", "FROM documents SELECT fiscal_year"):
        result = query(warehouse, sql)
        assert result.exit_code == 0 and result.stderr == "", (sql, result.output)


def test_an_unknown_format_is_a_usage_error(warehouse):
    line = one_error(query(warehouse, "SELECT 1", "--format", "xml"), 2)
    assert "'--format'" in line and "'xml'" in line and "'table', 'csv', 'json'" in line


def test_a_missing_warehouse_is_one_line(tmp_path):
    line = one_error(query(tmp_path / "none.duckdb", "SELECT 1"), 2)
    assert "none.duckdb: no warehouse there (run `juesuan ingest` first)" in line
    assert not (tmp_path / "none.duckdb").exists()


@pytest.mark.parametrize(
    "command",
    [
        ["parse", "{missing}"],
        ["inspect", "{missing}", "--page", "1"],
        ["ingest", "{missing}", "--warehouse", "{tmp}/w.duckdb"],
        ["inventory", "{missing}"],
    ],
)
def test_a_missing_file_is_one_line_naming_it(tmp_path, command):
    missing = tmp_path / "nowhere.pdf"
    args = [a.format(missing=missing, tmp=tmp_path) for a in command]
    line = one_error(runner.invoke(app, args), 2)
    assert str(missing) in line and ("no such file" in line.lower())


def test_inspect_refuses_a_page_outside_the_document_in_one_line(tmp_path):
    out = tmp_path / "x.png"
    line = one_error(runner.invoke(app, ["inspect", str(GOOD[0]), "--page", "99", "--out", str(out)]), 2)
    assert line == f"error: {GOOD[0]}: page 99 out of 1..20"
    assert not out.exists()
    assert "'--page'" in one_error(runner.invoke(app, ["inspect", str(GOOD[0]), "--page", "0"]), 2)


def test_parse_of_a_file_that_is_not_a_pdf_is_one_line_with_its_reason(tmp_path):
    bad = tmp_path / "page.pdf"
    bad.write_text("<html>404</html>")
    assert "page.pdf: not_pdf: no %PDF- header" in one_error(runner.invoke(app, ["parse", str(bad)]), 2)


def test_debug_adds_the_traceback_and_keeps_the_line_and_the_code(warehouse):
    result = runner.invoke(app, ["--debug", "query", "SELEC 1", "--warehouse", str(warehouse)])
    assert result.exit_code == 2
    assert "Traceback (most recent call last)" in result.stderr and "ParserException" in result.stderr
    assert result.stderr.rstrip().splitlines()[-1] == 'error: Parser Error: syntax error at or near "SELEC"'


def test_version_option_and_command():
    for args in (["--version"], ["version"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0 and result.stdout.strip() == __version__, result.output


def encrypted_pdf(path: Path) -> None:
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(path), encrypt=StandardEncryption("secret", ownerPassword="owner"))
    canvas.drawString(100, 100, "locked")
    canvas.showPage()
    canvas.save()


def test_inventory_lists_the_good_files_and_each_bad_one_with_its_reason(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for f in GOOD:
        shutil.copy(f, folder / f.name)
    (folder / "a_not_pdf.pdf").write_text("<html>404</html>")
    (folder / "b_truncated.pdf").write_bytes(GOOD[0].read_bytes()[:3000])
    (folder / "c_corrupt.pdf").write_bytes(b"%PDF-1.4\ngarbage\n%%EOF\n")
    encrypted_pdf(folder / "d_encrypted.pdf")
    result = runner.invoke(app, ["inventory", str(folder)])
    assert result.exit_code == 0, result.output
    assert "6 PDFs to ingest (4 unreadable" in result.stdout
    rows = {line.split("│")[1].strip(): line for line in result.stdout.splitlines() if line.count("│") > 5}
    for name in ("a_not_pdf", "b_truncated", "c_corrupt", "d_encrypted"):
        code = {"c_corrupt": "unreadable"}.get(name, name[2:])
        assert f"{code}:" in rows[f"{name}.pdf"], rows
    assert "│    20 │" in rows[GOOD[0].name] and "│    19 │" in rows[GOOD[1].name], rows


def test_ingest_off_a_terminal_logs_one_line_per_document_and_keeps_the_table(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(GOOD[0], folder / "a.pdf")
    (folder / "b.pdf").write_text("not a pdf")
    shutil.copy(GOOD[0], folder / "c.pdf")
    result = runner.invoke(app, ["ingest", str(folder), "--warehouse", str(tmp_path / "w.duckdb")])
    assert result.exit_code == 1, result.output
    lines = [ln for ln in result.stdout.splitlines() if ln.startswith("[")]
    assert lines[0] == "[1/3] loaded a.pdf: 511 facts, 57 figures"
    assert lines[1].startswith("[2/3] quarantined b.pdf: not_pdf: no %PDF- header")
    assert lines[2].startswith("[3/3] duplicate c.pdf: same bytes as ") and len(lines) == 3, lines
    assert "1 loaded, 0 skipped, 1 duplicate, 1 quarantined" in result.stdout
    assert "ingest into" in result.stdout and "ingesting" not in result.output  # the table, no bar
