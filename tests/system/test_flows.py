"""Prefect flows over the library: the harness runs ingest and publish; a real server serves the nightly
deployment on its cron schedule and runs it when triggered."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest
from helpers.paths import ROOT, SAMPLES
from helpers.prefect import QUIET
from helpers.prefect import harness as prefect_harness

pytestmark = [pytest.mark.corpus, pytest.mark.xdist_group("prefect")]  # one harness start, not two


@pytest.fixture(scope="module")
def harness(tmp_path_factory):
    with prefect_harness(tmp_path_factory.mktemp("prefect")):
        yield


def test_ingest_flow_loads_documents_once_and_publish_writes_a_release(harness, tmp_path):
    from flows.ingest import ingest_flow
    from flows.publish import publish_flow

    files = [str(p) for p in sorted(SAMPLES.glob("000[0-2]*.pdf"))]
    warehouse = str(tmp_path / "w.duckdb")
    first = ingest_flow(files, warehouse, window=2)
    assert first["counts"] == {"loaded": 3, "skipped": 0, "duplicate": 0, "quarantined": 0}
    again = ingest_flow(files, warehouse)
    assert again["counts"] == {"loaded": 0, "skipped": 3, "duplicate": 0, "quarantined": 0}
    published = publish_flow(warehouse, str(tmp_path / "extracts"))
    release = Path(published["release"])
    assert published["new"] and (release / "datapackage.json").exists()
    assert publish_flow(warehouse, str(tmp_path / "extracts")) == {**published, "new": False}
    con = duckdb.connect(warehouse, read_only=True)
    assert con.execute("SELECT count(*) FROM documents WHERE status = 'loaded'").fetchone()[0] == 3
    con.close()


def test_ingest_command_can_run_through_the_flow(harness, tmp_path):
    from typer.testing import CliRunner

    from juesuan.cli import app

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.pdf").write_bytes((SAMPLES / "0005_mof9_2020.pdf").read_bytes())
    (folder / "b.pdf").write_text("not a pdf")
    result = CliRunner().invoke(
        app, ["ingest", str(folder), "--warehouse", str(tmp_path / "w.duckdb"), "--flow"]
    )
    assert result.exit_code == 1, result.output
    assert "1 loaded, 0 skipped, 0 duplicate, 1 quarantined" in result.output


def test_the_flow_and_the_command_build_the_same_warehouse_from_the_same_folder(harness, tmp_path):
    """One ingest path: a folder with a copy under another name (duplicate), a re-publication (the same
    department and year in new bytes: supersedes) and a bad file gives identical content in every table,
    document_sources included, and the same outcomes, whether through `juesuan ingest` or the flow."""
    import pypdfium2 as pdfium
    from helpers.warehouse import fingerprint

    from flows.ingest import ingest_flow
    from juesuan.ingest import ingest

    folder = tmp_path / "in"
    folder.mkdir()
    source = SAMPLES / "0003_mof9_2024.pdf"
    (folder / "a.pdf").write_bytes(source.read_bytes())
    (folder / "b copy.pdf").write_bytes(source.read_bytes())
    pdfium.PdfDocument(source).save(folder / "c republished.pdf")  # new bytes, same accounts
    (folder / "d.pdf").write_text("not a pdf")
    (folder / "e.pdf").write_bytes((SAMPLES / "0005_mof9_2020.pdf").read_bytes())
    by_command = ingest([folder], tmp_path / "command" / "w.duckdb")
    by_flow = ingest_flow([str(folder)], str(tmp_path / "flow" / "w.duckdb"), window=2)
    assert [(o.path, o.status, o.reason, o.facts) for o in by_command] == [
        (o["path"], o["status"], o["reason"], o["facts"]) for o in by_flow["outcomes"]
    ]
    assert {o.status for o in by_command} == {"loaded", "duplicate", "quarantined"}
    assert fingerprint(tmp_path / "command" / "w.duckdb") == fingerprint(tmp_path / "flow" / "w.duckdb")
    con = duckdb.connect(str(tmp_path / "flow" / "w.duckdb"), read_only=True)
    statuses = sorted(con.execute("SELECT status FROM documents").fetchall())
    sources = sorted(
        Path(p).name for (p,) in con.execute("SELECT source_path FROM document_sources").fetchall()
    )
    con.close()
    assert statuses == [("loaded",), ("loaded",), ("quarantined",), ("superseded",)]
    assert sources == ["a.pdf", "b copy.pdf", "c republished.pdf", "d.pdf", "e.pdf"]  # refused ones too


def test_prepare_task_is_cached_by_document_id_not_by_file_name(harness, tmp_path):
    from flows.ingest import prepare_document
    from juesuan.ingest import document_id

    source = SAMPLES / "0003_mof9_2024.pdf"
    copy = tmp_path / "renamed copy.pdf"
    copy.write_bytes(source.read_bytes())
    first = prepare_document(str(source), document_id(source), return_state=True)
    second = prepare_document(str(copy), document_id(copy), return_state=True)
    assert first.is_completed() and second.name == "Cached"
    assert second.result().document_id == first.result().document_id


def test_a_dask_cluster_builds_the_same_warehouse_as_one_process(harness, tmp_path):
    """Parse tasks on a 2-worker distributed.LocalCluster through DaskTaskRunner, one loader here: the
    warehouse equals the one built in a single process (files the flow cache has never seen)."""
    from distributed import Client, LocalCluster
    from helpers.warehouse import fingerprint

    from flows.ingest import run_ingest_flow
    from juesuan.ingest import ingest
    from juesuan.synth.corpus import generate_document, plan_corpus, write

    folder = tmp_path / "in"
    folder.mkdir()
    for plan in plan_corpus(4, seed=11):
        write(generate_document(plan), folder)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7 cut short")
    files = [str(p) for p in sorted(folder.glob("*.pdf"))]
    ingest(files, tmp_path / "one.duckdb")
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        result = run_ingest_flow(files, str(tmp_path / "dask.duckdb"), dask_address=cluster.scheduler_address)
        executed = client.run(lambda dask_worker: dask_worker.state.executed_count)
    assert result["counts"] == {"loaded": 4, "skipped": 0, "duplicate": 0, "quarantined": 1}
    assert len(executed) == 2 and sum(executed.values()) >= len(files), executed
    assert fingerprint(tmp_path / "dask.duckdb") == fingerprint(tmp_path / "one.duckdb")


def test_the_flow_parses_each_document_in_its_own_limited_process(harness, tmp_path):
    """A compression bomb under a 256 MB limit is refused; the run and its other document carry on."""
    from helpers.badfiles import compression_bomb

    from flows.ingest import ingest_flow
    from juesuan.reasons import code_of

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.pdf").write_bytes((SAMPLES / "0004_older8_2019.pdf").read_bytes())
    (folder / "bomb.pdf").write_bytes(compression_bomb(0.5))
    result = ingest_flow([str(folder)], str(tmp_path / "w.duckdb"), memory_mb=256)
    assert result["counts"] == {"loaded": 1, "skipped": 0, "duplicate": 0, "quarantined": 1}
    bomb = next(o for o in result["outcomes"] if o["path"].endswith("bomb.pdf"))
    assert code_of(bomb["reason"]) in ("memory", "crashed"), bomb


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, timeout: float) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"Prefect server at {url} not healthy after {timeout} s")


SERVE = """
import sys
from flows.nightly import serve
serve(name="juesuan-nightly", sources=sys.argv[1])
"""

TRIGGER = """
import sys
from prefect.deployments import run_deployment
run = run_deployment("nightly/juesuan-nightly", parameters={"sources": sys.argv[1], "warehouse": sys.argv[2],
                     "out": sys.argv[3], "archive": sys.argv[4]}, timeout=240)
print(run.state.type.value)
"""


def test_real_server_serves_the_nightly_deployment_and_runs_it(tmp_path):
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = dict(
        os.environ, **QUIET, PREFECT_HOME=str(tmp_path / "home"), PREFECT_API_URL=api, PYTHONPATH=str(ROOT)
    )
    sources = tmp_path / "sources.yaml"
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.pdf").write_bytes((SAMPLES / "0002_mof9_2023.pdf").read_bytes())
    sources.write_text(f"sources:\n  - name: local\n    kind: folder\n    path: {docs}\n", "utf-8")
    server = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    runner = None
    try:
        _wait_healthy(api, 120)
        runner = subprocess.Popen(
            [sys.executable, "-c", SERVE, str(sources)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        schedule = None
        deadline = time.time() + 60
        while time.time() < deadline and schedule is None:
            out = subprocess.run(
                [sys.executable, "-m", "prefect", "deployment", "inspect", "nightly/juesuan-nightly"],
                env=env,
                capture_output=True,
                text=True,
            )
            if out.returncode == 0:
                schedule = out.stdout
            else:
                time.sleep(1)
        assert schedule and "0 2 * * *" in schedule and "Asia/Shanghai" in schedule
        warehouse, extracts = tmp_path / "w.duckdb", tmp_path / "extracts"
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                TRIGGER,
                str(sources),
                str(warehouse),
                str(extracts),
                str(tmp_path / "arch"),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.stdout.strip().splitlines()[-1] == "COMPLETED", done.stderr[-2000:]
        con = duckdb.connect(str(warehouse), read_only=True)
        assert con.execute("SELECT count(*) FROM documents WHERE status = 'loaded'").fetchone()[0] == 1
        con.close()
        assert (extracts / "latest" / "manifest.json").exists()
    finally:
        for proc in (runner, server):
            if proc is not None:
                proc.terminate()
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
