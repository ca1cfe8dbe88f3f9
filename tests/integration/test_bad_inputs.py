"""Broken and hostile files in one nightly-style run (workers, time and memory limits): each gets a clear
reason naming the file, a documents row (duplicates: a source row pointing at the original), nothing already
loaded changes, the good files of the same run load normally, and the run exits 1."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import duckdb
import pytest
from helpers.badfiles import MISSING, build
from helpers.paths import ROOT, SAMPLES
from helpers.warehouse import facts_per_source

from juesuan.reasons import REASONS, code_of

pytestmark = [pytest.mark.corpus, pytest.mark.xdist_group("bad-files")]  # one build of the corpus


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("bad")
    expect = build(root / "in")
    warehouse = root / "w.duckdb"
    # something already loaded, to show it is left alone
    before = subprocess.run(
        [
            sys.executable,
            "-m",
            "juesuan.cli",
            "ingest",
            str(SAMPLES / "0003_mof9_2024.pdf"),
            "--warehouse",
            str(warehouse),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert before.returncode == 0, before.stdout + before.stderr
    loaded_before = _rows(warehouse)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "juesuan.cli",
            "ingest",
            str(root / "in"),
            "--warehouse",
            str(warehouse),
            "--workers",
            "2",
            "--timeout",
            "120",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=dict(os.environ, COLUMNS="400"),
    )
    return root, expect, warehouse, loaded_before, run


def _rows(warehouse) -> dict:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {
            t: [repr(r) for r in con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()]
            for t in ("facts", "narrative_figures", "checks")
        } | {
            "documents": con.execute(
                "SELECT document_id, status, status_reason, source_path FROM documents ORDER BY ALL"
            ).fetchall()
        }
    finally:
        con.close()


def _documents(warehouse) -> dict[str, tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            "SELECT source_path, document_id, status, status_reason, superseded_by FROM documents"
        ).fetchall()
        sources = con.execute("SELECT source_path, document_id FROM document_sources").fetchall()
    finally:
        con.close()
    by_name = {os.path.basename(r[0]): r for r in rows}
    for path, doc_id in sources:  # duplicates have a source row, not a documents row
        by_name.setdefault(os.path.basename(path), (path, doc_id, "duplicate", None, None))
    return by_name


def test_the_run_finishes_and_exits_1_because_files_were_quarantined(bad_run):
    _, _, _, _, run = bad_run
    assert run.returncode == 1, run.stdout[-3000:] + run.stderr[-3000:]


def test_every_file_gets_the_status_and_reason_it_deserves(bad_run):
    _, expect, warehouse, _, _ = bad_run
    documents = _documents(warehouse)
    wrong = {}
    for name, outcome in expect.items():
        row = documents.get(name)
        if row is None:
            wrong[name] = "no documents or document_sources row"
            continue
        _, _, status, reason, _ = row
        if status != outcome.status or (outcome.codes and code_of(reason) not in outcome.codes):
            wrong[name] = (status, reason)
    assert not wrong


def test_every_refusal_is_named_with_its_file_and_reason_in_the_output(bad_run):
    _, expect, warehouse, _, run = bad_run
    for name, outcome in expect.items():
        if outcome.status == "quarantined":
            line = next((ln for ln in run.stdout.splitlines() if name in ln), None)
            assert line is not None and "quarantined" in line, name
            assert code_of(_documents(warehouse)[name][3]) in REASONS


def test_nothing_already_loaded_changed(bad_run):
    _, _, warehouse, before, _ = bad_run
    after = _rows(warehouse)
    for table, rows in before.items():
        assert set(rows) <= set(after[table]), table


def test_good_files_of_the_run_load_exactly_their_facts(bad_run):
    root, _, warehouse, _, _ = bad_run
    counts = json.loads((root / "fact-counts.json").read_text("utf-8"))
    con = duckdb.connect(str(warehouse), read_only=True)
    got = {os.path.basename(path): n for path, n in facts_per_source(con).items()}
    con.close()
    assert {name: got.get(name) for name in counts} == counts


def test_a_final_account_missing_tables_loads_what_it_has_and_fails_t1_for_the_rest(bad_run):
    root, _, warehouse, _, _ = bad_run
    expected_facts = json.loads((root / "missing-tables.json").read_text("utf-8"))
    con = duckdb.connect(str(warehouse), read_only=True)
    doc_id, facts = con.execute(
        "SELECT d.document_id, count(f.document_id) FROM documents d LEFT JOIN facts f USING (document_id) "
        "WHERE d.source_path LIKE '%missing-tables.pdf' GROUP BY 1"
    ).fetchone()
    failed_t1 = {
        r[0]
        for r in con.execute(
            "SELECT subject FROM checks WHERE document_id = ? AND check_id = 'T1' AND NOT passed", [doc_id]
        ).fetchall()
    }
    con.close()
    assert facts == expected_facts
    assert failed_t1 == MISSING


def test_a_duplicate_points_at_the_original_and_a_republication_supersedes(bad_run):
    _, _, warehouse, _, run = bad_run
    documents = _documents(warehouse)
    assert documents["good.pdf"][1] == documents["good copy.pdf"][1]
    assert any(
        "good.pdf" in ln and "same bytes as" in ln and "good copy.pdf" in ln for ln in run.stdout.splitlines()
    )
    assert documents["republished-1.pdf"][4] == documents["republished-2-corrected.pdf"][1]


def test_quarantined_files_are_kept_for_inspection(bad_run):
    root, expect, warehouse, _, _ = bad_run
    documents = _documents(warehouse)
    kept = {p.stem for p in (root / "quarantine").glob("*.pdf")}
    for name, outcome in expect.items():
        if outcome.status == "quarantined":
            assert documents[name][1] in kept, name


def test_the_readme_lists_every_status_and_reason_code():
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme[readme.index("### What happens to bad files") :]
    for word in ("loaded", "skipped", "duplicate", "superseded", "quarantined", *REASONS):
        assert f"`{word}`" in section, word
