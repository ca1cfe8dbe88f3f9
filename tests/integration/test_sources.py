"""Sources: a site the test starts on 127.0.0.1 (listings with pagination, a Chinese-named PDF, a download
servlet, robots.txt, refusals, failures) and a folder; files archived by content with their provenance in
the archive's index, conditional requests on the next run, a polite pace, the `juesuan fetch` command and
the ingest of what was gathered."""

from __future__ import annotations

import hashlib
import itertools
import json
import sqlite3
from urllib.parse import quote

import pytest
from helpers.paths import SAMPLES
from helpers.site import (
    CHINESE,
    FILES,
    GOOD,
    PAGES,
    SERVLET,
    Site,
    closed_port,
    requests,
    serve,
    write_sources,
)
from typer.testing import CliRunner

from juesuan.cli import app
from juesuan.ingest import ingest
from juesuan.reference.model import DeclarationError
from juesuan.sources import (
    Archive,
    PoliteClient,
    Source,
    fetch_listing,
    gather,
    load_sources,
    pdf_links,
)


@pytest.fixture
def site():
    with serve() as url:
        yield url


def test_candidate_links_pdf_servlet_text_and_the_refused():
    html = PAGES["/dept/index.html"]
    links = pdf_links(html, "http://example.test/dept/index.html")
    assert links == [
        "http://example.test/files/%E4%BD%9B%E5%B1%B1%E5%B8%82%E6%B0%B4%E5%8A%A1%E5%B1%802019%E5%B9%B4"
        "%E9%83%A8%E9%97%A8%E5%86%B3%E7%AE%97.pdf",
        "http://example.test/download.do?fileId=5",  # a download pattern
        "http://example.test/art/8.html",  # its title names a document
        "http://example.test/private/secret.pdf",  # robots.txt is the client's to apply
        "http://example.test/go.pdf",
        "http://example.test/files/huge.pdf",
        "http://example.test/files/error.pdf",
        "http://example.test/files/gone.pdf",
    ]
    simple = pdf_links(PAGES["/list.html"], "http://example.test/dept/list.html")
    assert simple == ["http://example.test/files/a.pdf", "http://example.test/dept/files/b%20c.PDF?x=1"]


def test_a_night_of_sources_isolated_refusals_recorded_and_the_next_night_conditional(site, tmp_path):
    port = closed_port()
    listing = f"{site}/dept/index.html"
    sources = write_sources(
        tmp_path / "sources.yaml",
        [
            {
                "name": "foshan",
                "kind": "listing",
                "url": listing,
                "min_interval": 0.05,
                "max_bytes": 1_000_000,
            },
            {"name": "gone", "kind": "listing", "url": f"{site}/missing.html", "min_interval": 0.05},
            {"name": "dead", "kind": "listing", "url": f"http://127.0.0.1:{port}/list.html"},
            {
                "name": "slow",
                "kind": "listing",
                "url": f"{site}/slow.html",
                "min_interval": 0.05,
                "timeout": 0.3,
            },
            {"name": "flaky", "kind": "listing", "url": f"{site}/flaky.html", "min_interval": 0.05},
            {"name": "malformed", "kind": "listing", "url": "http://[::1/list.html"},
            {"name": "seed", "kind": "folder", "path": str(SAMPLES)},
            {"name": "nowhere", "kind": "folder", "path": str(tmp_path / "nowhere")},
        ],
    )
    archive_root = tmp_path / "archive"
    night = gather(sources, archive_root, backoff=0.01)

    assert night.paths == [str(archive_root), str(SAMPLES)]
    by = {s.name: s for s in night.sources}
    assert [s.name for s in night.sources] == [
        "foshan",
        "gone",
        "dead",
        "slow",
        "flaky",
        "malformed",
        "seed",
        "nowhere",
    ]
    assert {s.name for s in night.failed} == {"gone", "dead", "slow", "malformed", "nowhere"} and not night.ok
    assert "HTTP 404" in by["gone"].reason
    assert "ConnectError" in by["dead"].reason and "tried 3 times" in by["dead"].reason
    assert "Timeout" in by["slow"].reason and len(requests("/slow.html")) == 3
    assert "malformed" in by["malformed"].reason
    assert "no such folder" in by["nowhere"].reason
    assert by["flaky"].ok and len(requests("/flaky.html")) == 2  # a 503 is tried again
    assert len(requests("/missing.html")) == 1  # a 4xx is not

    foshan = by["foshan"]
    assert foshan.ok and foshan.pages == [
        listing,
        f"{site}/dept/next/index.html",
        f"{site}/dept/next/index_2.html",
    ]
    assert (foshan.fetched, foshan.new, foshan.not_modified) == (5, 5, 0)
    archive = Archive(archive_root)
    for path in GOOD:
        data = FILES[path][0]
        sha = hashlib.sha256(data).hexdigest()
        assert archive.path_of(sha).read_bytes() == data
        assert str(archive.path_of(sha)) in {f.path for f in foshan.files if f.new}
    refused = dict(foshan.refused)
    assert refused.keys() == {
        "file:///etc/passwd",
        "ftp://127.0.0.1/b.pdf",
        "http://other.invalid/x.pdf",
        f"{site}/go.pdf",
        f"{site}/private/secret.pdf",
        f"{site}/files/huge.pdf",
    }
    assert refused["file:///etc/passwd"].startswith("scheme file")
    assert refused["http://other.invalid/x.pdf"].startswith("host other.invalid")
    assert refused[f"{site}/go.pdf"].startswith("redirected to http://other.invalid/y.pdf")
    assert refused[f"{site}/private/secret.pdf"] == "disallowed by robots.txt"
    assert "over max_bytes (1000000)" in refused[f"{site}/files/huge.pdf"]
    assert dict(foshan.not_documents)[f"{site}/files/error.pdf"].startswith("not a PDF (text/html")
    assert (
        "HTTP 404" in dict(foshan.errors)[f"{site}/files/gone.pdf"] and len(requests("/files/gone.pdf")) == 1
    )
    assert not requests("/private") and not requests("/news")  # refused or not a candidate: never asked
    huge_bytes = FILES["/files/huge.pdf"][0]
    assert not archive.path_of(hashlib.sha256(huge_bytes).hexdigest()).exists()
    assert not list((archive_root / ".incoming").iterdir())  # no partial download left behind
    assert len(list(archive_root.rglob("*.pdf"))) == len(GOOD)  # the documents, nothing else

    # provenance: the URL (percent-encoded IRI), its listing page, the fetch time, the file name announced
    chinese = archive.provenance(hashlib.sha256(FILES[CHINESE][0]).hexdigest())
    assert [(p["url"], p["landing_page"]) for p in chinese] == [(f"{site}{quote(CHINESE)}", listing)]
    servlet = archive.provenance(hashlib.sha256(FILES[SERVLET][0]).hexdigest())
    assert servlet[0]["filename"] == "广州市2020年部门决算.pdf" and servlet[0]["fetched_at"]
    statuses = {r["status"] for r in archive.records()}
    assert statuses == {"page", "document", "not_document", "refused", "failed"}
    archive.close()

    # a polite pace on the site: every request at least min_interval after the previous one
    times = [t for t, *_ in Site.log]
    assert min(b - a for a, b in itertools.pairwise(times)) >= 0.045

    # the next night: nothing new; the documents are asked conditionally and answer 304
    Site.log, Site.flaky = [], 1
    again = gather(sources, archive_root, backoff=0.01)
    foshan = next(s for s in again.sources if s.name == "foshan")
    assert (foshan.fetched, foshan.new, foshan.not_modified) == (0, 0, 5) and again.new == 0
    assert {f.new for f in foshan.files} == {False} and len(foshan.files) == len(GOOD)
    downloaded = {path for _, path, _, status in Site.log if status == 200}
    assert downloaded == {
        "/robots.txt",
        "/dept/index.html",
        "/dept/next/index.html",
        "/dept/next/index_2.html",
        "/flaky.html",
    }
    documents = [
        (h, status) for _, path, h, status in Site.log if path in FILES or path.split("?")[0] in FILES
    ]
    assert documents and all("If-None-Match" in h and status == 304 for h, status in documents)
    assert {s.name for s in again.failed} == {"gone", "dead", "slow", "malformed", "nowhere"}


def test_pagination_is_bounded_by_max_pages(site, tmp_path):
    sources = write_sources(
        tmp_path / "s.yaml",
        [
            {
                "name": "d",
                "kind": "listing",
                "url": f"{site}/dept/index.html",
                "min_interval": 0,
                "max_pages": 2,
                "max_bytes": 1_000_000,
            }
        ],
    )
    report = gather(sources, tmp_path / "archive", backoff=0.01).sources[0]
    assert report.ok and len(report.pages) == 2
    assert dict(report.refused)[f"{site}/dept/next/index_2.html"] == "past max_pages (2): page not read"
    assert not requests("/dept/next/index_2.html")


def test_the_nights_total_is_capped(site, tmp_path):
    total = len(PAGES["/dept/index.html"].encode()) + len(FILES[CHINESE][0]) + 10_000
    sources = write_sources(
        tmp_path / "s.yaml",
        [
            {
                "name": "d",
                "kind": "listing",
                "url": f"{site}/dept/index.html",
                "min_interval": 0,
                "max_pages": 1,
            }
        ],
        max_total_bytes=total,
    )
    night = gather(sources, tmp_path / "archive", backoff=0.01)
    report = night.sources[0]
    assert report.ok and report.fetched == 1 and night.bytes <= total + 65_536
    assert any("max_total_bytes" in reason for _, reason in report.refused)


def test_sources_file_is_read_strictly(tmp_path):
    bad = write_sources(
        tmp_path / "s.yaml", [{"name": "a", "kind": "listing", "url": "http://x.test/", "max_page": 3}]
    )
    with pytest.raises(DeclarationError, match=r"s\.yaml: sources\.0\.max_page: unknown key"):
        load_sources(bad)
    with pytest.raises(DeclarationError, match="max_totl_bytes: unknown key"):
        load_sources(write_sources(tmp_path / "t.yaml", [], max_totl_bytes=1))
    with pytest.raises(DeclarationError, match="kind listing needs a url"):
        load_sources(write_sources(tmp_path / "u.yaml", [{"name": "a", "kind": "listing"}]))
    own = load_sources(
        write_sources(
            tmp_path / "v.yaml",
            [{"name": "a", "path": "x"}, {"name": "b", "path": "y", "download_patterns": ["getdoc"]}],
            download_patterns=["servlet"],
        )
    )
    assert [s.patterns for s in own] == [("servlet",), ("getdoc",)]
    assert load_sources("sources.yaml")  # the project's own file


def test_listing_is_archived_by_content_with_conditional_requests_at_a_polite_pace(site, tmp_path):
    source = Source(name="site", kind="listing", url=f"{site}/list.html", min_interval=0.2)
    archive = Archive(tmp_path / "archive")
    with PoliteClient() as client:
        first = fetch_listing(source, archive, client)
        assert first.ok and first.new == 2
        assert sorted(f.path for f in first.files) == sorted(
            str(archive.path_of(hashlib.sha256(FILES[p][0]).hexdigest()))
            for p in ("/files/a.pdf", "/files/b c.PDF")
        )
        documents = [r for r in archive.records() if r["status"] == "document"]
        assert {r["url"].split("/")[-1] for r in documents} == {"a.pdf", "b%20c.PDF?x=1"}
        assert all(r["landing_page"] == source.url and r["fetched_at"] and r["etag"] for r in documents)
        second = fetch_listing(source, archive, client)
    assert (second.fetched, second.new, second.not_modified) == (0, 0, 2)
    conditional = [h for _, path, h, _ in Site.log if path.startswith("/files/") and "If-None-Match" in h]
    assert len(conditional) == 2
    times = [t for t, *_ in Site.log]
    assert min(b - a for a, b in itertools.pairwise(times)) >= 0.19
    assert not requests("/news")


def test_an_old_jsonl_index_is_imported_once(tmp_path):
    root = tmp_path / "archive"
    root.mkdir()
    old = {
        "url": "http://x.test/a.pdf",
        "landing_page": "http://x.test/",
        "source": "x",
        "fetched_at": "2026-01-01T00:00:00+00:00",
        "etag": '"e"',
        "sha256": "ab" * 32,
        "bytes": 3,
        "new_content": True,
    }
    lines = [json.dumps(old), json.dumps({**old, "not_modified": True}), '{"url": "cut sh']  # a crash
    (root / "index.jsonl").write_text("\n".join(lines) + "\n")
    with Archive(root) as archive:
        rows = archive.records("http://x.test/a.pdf")
        assert [r["status"] for r in rows] == ["document", "not_modified"]
        assert archive.provenance("ab" * 32) == [
            {
                "url": old["url"],
                "final_url": None,
                "landing_page": old["landing_page"],
                "source": "x",
                "fetched_at": old["fetched_at"],
                "filename": None,
            }
        ]
    assert not (root / "index.jsonl").exists() and (root / "index.jsonl.imported").exists()
    with Archive(root) as archive:
        assert len(archive.records()) == 2
    con = sqlite3.connect(root / "index.sqlite")
    assert ("fetches_url",) in con.execute("SELECT name FROM sqlite_master WHERE type = 'index'").fetchall()
    note = con.execute("SELECT value FROM meta WHERE key = 'imported_jsonl'").fetchone()[0]
    assert note.startswith("2 rows, 1 unreadable lines")


def test_fetch_command_prints_each_source_and_file_and_exits_1_on_a_failed_source(site, tmp_path):
    good = {"name": "site", "kind": "listing", "url": f"{site}/list.html", "min_interval": 0}
    bad = {"name": "gone", "kind": "listing", "url": f"{site}/missing.html", "min_interval": 0}
    archive = tmp_path / "archive"
    runner = CliRunner()
    result = runner.invoke(
        app, ["fetch", str(write_sources(tmp_path / "a.yaml", [good, bad])), "--archive", str(archive)]
    )
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("site (listing): ok: 1 pages, 2 fetched, 2 new")
    assert sum(line.strip().startswith("new ") for line in lines) == 2
    assert any(line.startswith("gone (listing): failed: ") and "HTTP 404" in line for line in lines)
    result = runner.invoke(
        app, ["fetch", str(write_sources(tmp_path / "b.yaml", [good])), "--archive", str(archive)]
    )
    assert result.exit_code == 0, result.output
    assert "2 fetched, 0 new" not in result.output and "0 fetched, 0 new, 2 not modified" in result.output
    assert sum(line.strip().startswith("unchanged ") for line in result.output.splitlines()) == 2
    broken = runner.invoke(app, ["fetch", str(write_sources(tmp_path / "c.yaml", [{**good, "max_page": 1}]))])
    assert broken.exit_code == 2 and "max_page: unknown key" in broken.output


def test_gathered_sources_ingest_like_any_folder(site, tmp_path):
    sources = write_sources(
        tmp_path / "sources.yaml",
        [
            {"name": "site", "kind": "listing", "url": f"{site}/list.html", "min_interval": 0.05},
            {"name": "seed", "kind": "folder", "path": str(SAMPLES)},
        ],
    )
    gathered = gather(sources, tmp_path / "archive")
    assert gathered.ok and gathered.paths == [str(tmp_path / "archive"), str(SAMPLES)]
    outcomes = ingest(gathered.paths, tmp_path / "w.duckdb")
    statuses = [o.status for o in outcomes]
    # the two fetched files are samples too: loaded once from the archive, duplicates in the samples folder
    assert statuses.count("loaded") == 7 and statuses.count("duplicate") == 2
    with Archive(tmp_path / "archive") as archive:
        assert sum(r["status"] == "document" for r in archive.records()) == 2


def test_an_allowed_host_on_another_port_is_refused_before_any_request(site):
    """A listing is untrusted: h.gov.cn:6379 is not h.gov.cn's web site (nor is 127.0.0.1:22 the test's)."""
    from juesuan.sources.fetch import Policy, Refused

    port = int(site.rsplit(":", 1)[1])
    policy = Policy(frozenset({"127.0.0.1"}), ports=frozenset({port, 80, 443}))
    client = PoliteClient()
    Site.log = []
    with pytest.raises(Refused, match="port 22"):
        client.check("http://127.0.0.1:22/决算.pdf", policy)
    assert Site.log == []  # not even robots.txt was asked
    client.check(f"{site}/files/a.pdf", policy)  # the listing's own port passes (robots.txt allows it)
