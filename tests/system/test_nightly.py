"""One night as the operator runs it (`juesuan nightly`) against a web server on 127.0.0.1: good listings and
a folder load, a dead and a missing listing are reported with their reasons, the night exits 1, leaves a
Prefect artifact and posts to the webhook; documents carry the URL they came from; a second night with
nothing new publishes nothing; a parser-version bump makes the next night read its documents again."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import unquote

import duckdb
import pytest
from helpers.paths import SAMPLES
from helpers.prefect import harness as prefect_harness
from helpers.site import GOOD, Site, closed_port, requests, serve
from typer.testing import CliRunner

from juesuan.cli import app

pytestmark = [pytest.mark.corpus, pytest.mark.xdist_group("prefect")]
LISTING = "/dept/index.html"
MB = 1_000_000  # the city's cap per download: its 3 MB "全部附件" is refused
FOLDER_FILE = "0004_older8_2019.pdf"  # the bytes robots.txt keeps us from fetching: here from a folder


@pytest.fixture(scope="module")
def harness(tmp_path_factory):
    with prefect_harness(tmp_path_factory.mktemp("prefect")):
        yield


@pytest.fixture
def site():
    with serve() as url:
        yield url


def _night(tmp_path: Path, site: str) -> list[str]:
    folder = tmp_path / "folder"
    folder.mkdir(exist_ok=True)
    shutil.copy(SAMPLES / FOLDER_FILE, folder)
    sources, dead = tmp_path / "sources.yaml", f"http://127.0.0.1:{closed_port()}"
    sources.write_text(
        "sources:\n"
        f"  - {{name: folder, kind: folder, path: {folder}}}\n"
        f"  - {{name: city, kind: listing, url: '{site}{LISTING}', max_bytes: {MB}, min_interval: 0}}\n"
        f"  - {{name: gone, kind: listing, url: '{site}/missing.html', min_interval: 0}}\n"
        f"  - {{name: dead, kind: listing, url: '{dead}/list.html', min_interval: 0}}\n",
        encoding="utf-8",
    )
    return [
        "nightly",
        "--sources",
        str(sources),
        "--warehouse",
        str(tmp_path / "w.duckdb"),
        "--out",
        str(tmp_path / "extracts"),
        "--archive",
        str(tmp_path / "archive"),
        "--notify-url",
        f"{site}/hook",
    ]


def test_a_night_reports_failed_sources_records_provenance_and_publishes_only_changes(
    harness, site, tmp_path
):
    runner = CliRunner()
    first = runner.invoke(app, _night(tmp_path, site))
    assert first.exit_code == 1, first.output  # two sources failed; everything else loaded
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    loaded = con.execute("SELECT count(*) FROM documents WHERE status = 'loaded'").fetchone()[0]
    origins = con.execute(
        "SELECT url, landing_page, fetched_at IS NOT NULL FROM document_sources "
        "WHERE url IS NOT NULL ORDER BY 1"
    ).fetchall()
    con.close()
    # the folder's file and every good document of the listing's three pages: a Chinese name, a servlet, a
    # link known by its text, pages reached by 下一页 and by number; the refused links stay refused
    assert loaded == 1 + len(GOOD)
    assert sorted(unquote(u).removeprefix(site) for u, _, _ in origins) == sorted(GOOD)
    assert all(landing.startswith(f"{site}/dept/") and when for _, landing, when in origins)
    # the operator heard of it: the webhook got the report with both failed sources and their reasons
    assert len(Site.hooks) == 1
    hook = Site.hooks[0]
    failed = {s["name"]: s["reason"] for s in hook["sources"] if not s["ok"]}
    assert set(failed) == {"gone", "dead"} and all(failed.values())
    assert hook["exit_code"] == 1 and "gone" in hook["text"] and hook["release_new"] is True
    # and the flow left its report as an artifact
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["nightly-report"]))
        )
    assert artifacts and "dead" in artifacts[0].data
    releases = sorted((tmp_path / "extracts" / "releases").iterdir())

    city = next(s for s in hook["sources"] if s["name"] == "city")
    assert (
        city["ok"] and city["new"] == len(GOOD) and len(city["refused"]) >= 5
    )  # file://, ftp, other hosts …
    assert not requests("/private/")  # robots.txt: never fetched

    # a second night with nothing new: the documents answer 304, no new release
    Site.log = []
    second = runner.invoke(app, _night(tmp_path, site))
    assert second.exit_code == 1, second.output
    documents = [r for r in Site.log if r[1] in GOOD]
    assert len(documents) == len(GOOD) and all(r[3] == 304 for r in documents)
    assert sorted((tmp_path / "extracts" / "releases").iterdir()) == releases
    assert Site.hooks[-1]["release_new"] is False

    # a parser-version bump: the next night reads the documents of the older parser again
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("UPDATE documents SET parser_version = 'juesuan-0.0.1'")
    con.close()
    third = runner.invoke(app, _night(tmp_path, site))
    assert third.exit_code == 1, third.output
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    versions = con.execute("SELECT DISTINCT parser_version FROM documents").fetchall()
    con.close()
    assert versions == [(f"juesuan-{__import__('juesuan').__version__}",)]
    assert Site.hooks[-1]["reprocessed"] == {"loaded": 1 + len(GOOD)}


def test_the_deployment_gets_absolute_paths_and_a_checked_sources_file(tmp_path, monkeypatch):
    from flows.nightly import deployment_parameters
    from juesuan.reference.model import DeclarationError

    monkeypatch.chdir(tmp_path)
    Path("sources.yaml").write_text("sources:\n  - {name: a, kind: folder, path: in}\n", encoding="utf-8")
    got = deployment_parameters("sources.yaml", "w.duckdb", "x", "archive", None)
    assert got == {
        "sources": str(tmp_path / "sources.yaml"),
        "warehouse": str(tmp_path / "w.duckdb"),
        "out": str(tmp_path / "x"),
        "archive": str(tmp_path / "archive"),
    }
    with pytest.raises(FileNotFoundError):
        deployment_parameters("nowhere.yaml", "w.duckdb", "x", "archive", None)
    Path("sources.yaml").write_text("sources:\n  - {name: a, kind: folder, pth: in}\n", encoding="utf-8")
    with pytest.raises(DeclarationError, match="pth"):
        deployment_parameters("sources.yaml", "w.duckdb", "x", "archive", None)


def test_a_night_that_cannot_have_the_writer_lock_exits_3_changes_nothing_and_says_why(
    harness, site, tmp_path
):
    import subprocess
    import sys
    import time

    warehouse = tmp_path / "w.duckdb"
    duckdb.connect(str(warehouse)).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(warehouse)!r}); time.sleep(120)",
        ]
    )
    try:
        time.sleep(2)  # the other process has the file open
        args = _night(tmp_path, site)
        args[args.index("--notify-url") : args.index("--notify-url")] = ["--wait", "1"]
        result = CliRunner().invoke(app, args)
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 3, result.output
    assert "held open by another process" in result.output
    assert Site.hooks[-1]["exit_code"] == 3 and "held open by another process" in Site.hooks[-1]["error"]
    assert not (tmp_path / "extracts").exists()  # nothing published
