"""Sources: a listing page on a server the test starts on 127.0.0.1; conditional requests, a polite pace,
files archived by content with their URL and fetch time, and ingest of what was fetched."""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from helpers.paths import SAMPLES

from juesuan.ingest import ingest
from juesuan.sources import Archive, PoliteClient, Source, fetch_listing, gather, pdf_links

FILES = {
    "/files/a.pdf": (SAMPLES / "0002_mof9_2023.pdf").read_bytes(),
    "/files/b%20c.PDF": (SAMPLES / "0003_mof9_2024.pdf").read_bytes(),
}
LISTING = """<html><body><ul>
<li><a href="/files/a.pdf">2023年度部门决算</a></li>
<li><a href="files/b%20c.PDF?x=1">2024年度部门决算</a></li>
<li><a href="/news/1.html">新闻</a></li><li><a href="/files/a.pdf">again</a></li>
</ul></body></html>"""


class Site(BaseHTTPRequestHandler):
    log: ClassVar[list[tuple[float, str, dict]]] = []

    def do_GET(self):
        Site.log.append((time.monotonic(), self.path, dict(self.headers)))
        path = self.path.split("?")[0]
        if path == "/list.html":
            body = LISTING.encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
        elif path in FILES:
            etag = '"' + hashlib.sha256(FILES[path]).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.end_headers()
                return
            body = FILES[path]
            self.send_response(200)
            self.send_header("ETag", etag)
            self.send_header("Content-Type", "application/pdf")
        else:
            self.send_response(404)
            self.end_headers()
            return
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Site.log = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_pdf_links_are_found_resolved_and_deduplicated():
    links = pdf_links(LISTING, "http://example.test/dept/list.html")
    assert links == ["http://example.test/files/a.pdf", "http://example.test/dept/files/b%20c.PDF?x=1"]


def test_listing_is_archived_by_content_with_conditional_requests_at_a_polite_pace(site, tmp_path):
    source = Source(name="site", kind="listing", url=f"{site}/list.html", min_interval=0.2)
    archive = Archive(tmp_path / "archive")
    client = PoliteClient(min_interval=0.2)
    new = fetch_listing(source, archive, client)
    assert sorted(p.name for p in new) == sorted(
        f"{hashlib.sha256(b).hexdigest()}.pdf" for b in FILES.values()
    )
    records = archive.records()
    assert {r["url"].split("/")[-1] for r in records} == {"a.pdf", "b%20c.PDF?x=1"}
    assert all(r["landing_page"] == source.url and r["fetched_at"] and r["etag"] for r in records)
    second = fetch_listing(source, archive, client)
    assert second == []
    conditional = [h for _, path, h in Site.log if path.startswith("/files/") and "If-None-Match" in h]
    assert len(conditional) == 2
    assert sum(1 for r in archive.records() if r.get("not_modified")) == 2
    times = [t for t, _, _ in Site.log]
    assert min(b - a for a, b in itertools.pairwise(times)) >= 0.19
    assert not any(path.startswith("/news") for _, path, _ in Site.log)


def test_gathered_sources_ingest_like_any_folder(site, tmp_path):
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        f"sources:\n  - name: site\n    kind: listing\n    url: {site}/list.html\n"
        f"    min_interval: 0.05\n  - name: seed\n    kind: folder\n    path: {SAMPLES}\n",
        "utf-8",
    )
    paths = gather(sources, tmp_path / "archive")
    assert paths == [str(tmp_path / "archive"), str(SAMPLES)]
    outcomes = ingest(paths, tmp_path / "w.duckdb")
    statuses = [o.status for o in outcomes]
    # the two fetched files are samples too: loaded once from the archive, duplicates in the samples folder
    assert statuses.count("loaded") == 7 and statuses.count("duplicate") == 2
    index = [
        json.loads(line) for line in (tmp_path / "archive" / "index.jsonl").read_text("utf-8").splitlines()
    ]
    assert len(index) == 2
