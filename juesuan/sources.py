"""Where disclosures come from: local folders and web listing pages, archived by content.

A listing page is fetched, its links to PDFs are followed with conditional requests (ETag /
Last-Modified remembered from the previous fetch) at a polite pace, and every new file is archived under its
SHA-256 with its source URL, landing page and fetch time (``archive/index.jsonl``). Decisions about what a
file is are left to the parser: URLs and file names are unreliable (DOMAIN.md §5.1).
"""

from __future__ import annotations

import hashlib
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import yaml

from juesuan import __version__

USER_AGENT = f"juesuan/{__version__} (public-disclosure archive; polite crawler)"


@dataclass(frozen=True)
class Source:
    name: str
    kind: str  # folder | listing
    path: str | None = None
    url: str | None = None
    min_interval: float = 1.0  # seconds between two requests to the site


def load_sources(path: str | Path) -> list[Source]:
    spec = yaml.safe_load(Path(path).read_text("utf-8")) or {}
    out = []
    for s in spec.get("sources", []):
        kind = s.get("kind", "folder")
        if kind not in ("folder", "listing"):
            raise ValueError(f"{path}: source {s.get('name')!r}: unknown kind {kind!r} (folder or listing)")
        out.append(
            Source(
                name=s["name"],
                kind=kind,
                path=s.get("path"),
                url=s.get("url"),
                min_interval=float(s.get("min_interval", 1.0)),
            )
        )
    return out


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)


def pdf_links(html: str, base: str) -> list[str]:
    """Absolute URLs of the PDF attachments linked from a listing page, in page order, once each."""
    parser = _Links()
    parser.feed(html)
    seen, out = set(), []
    for href in parser.links:
        url = urljoin(base, href.strip())
        if url.lower().split("?")[0].endswith(".pdf") and url not in seen:
            seen.add(url)
            out.append(url)
    return out


class Archive:
    """Files by content under ``root``; ``index.jsonl`` records every fetch of every URL."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.index = self.root / "index.jsonl"

    def records(self) -> list[dict]:
        if not self.index.exists():
            return []
        return [json.loads(line) for line in self.index.read_text("utf-8").splitlines() if line.strip()]

    def last(self, url: str) -> dict | None:
        found = [r for r in self.records() if r["url"] == url and r.get("sha256")]
        return found[-1] if found else None

    def path_of(self, sha256: str) -> Path:
        return self.root / sha256[:2] / f"{sha256}.pdf"

    def add(self, data: bytes, record: dict) -> tuple[Path, bool]:
        sha = hashlib.sha256(data).hexdigest()
        target = self.path_of(sha)
        new = not target.exists()
        if new:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(".part")
            tmp.write_bytes(data)
            tmp.replace(target)
        self.log(dict(record, sha256=sha, bytes=len(data), new_content=new))
        return target, new

    def log(self, record: dict) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        with self.index.open("a", encoding="utf-8") as f:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")


class PoliteClient:
    """GETs with a User-Agent, a timeout and at least ``min_interval`` seconds between requests."""

    def __init__(self, min_interval: float = 1.0, timeout: float = 30.0):
        self.min_interval = min_interval
        self.timeout = timeout
        self._last = 0.0

    def get(self, url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
        wait = self._last + self.min_interval - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as error:
            if error.code == 304:
                return 304, b"", dict(error.headers)
            raise
        finally:
            self._last = time.monotonic()


def fetch_listing(source: Source, archive: Archive, client: PoliteClient | None = None) -> list[Path]:
    """Archive the PDFs a listing page links to; returns the files whose content is new."""
    assert source.url, f"source {source.name}: a listing needs a url"
    client = client or PoliteClient(source.min_interval)
    status, body, headers = client.get(source.url)
    charset = "utf-8"
    if "charset=" in headers.get("Content-Type", ""):
        charset = headers["Content-Type"].split("charset=")[-1].split(";")[0].strip()
    new_files = []
    for url in pdf_links(body.decode(charset, errors="replace"), source.url):
        previous = archive.last(url)
        conditional = {}
        if previous and previous.get("etag"):
            conditional["If-None-Match"] = previous["etag"]
        if previous and previous.get("last_modified"):
            conditional["If-Modified-Since"] = previous["last_modified"]
        fetched_at = datetime.now(UTC).isoformat(timespec="seconds")
        try:
            status, data, headers = client.get(url, conditional)
        except (urllib.error.URLError, TimeoutError) as error:
            archive.log(
                {
                    "url": url,
                    "landing_page": source.url,
                    "source": source.name,
                    "fetched_at": fetched_at,
                    "error": str(error),
                }
            )
            continue
        if status == 304:
            archive.log(
                {
                    "url": url,
                    "landing_page": source.url,
                    "source": source.name,
                    "fetched_at": fetched_at,
                    "not_modified": True,
                }
            )
            continue
        path, new = archive.add(
            data,
            {
                "url": url,
                "landing_page": source.url,
                "source": source.name,
                "fetched_at": fetched_at,
                "etag": headers.get("ETag"),
                "last_modified": headers.get("Last-Modified"),
            },
        )
        if new:
            new_files.append(path)
    return new_files


def gather(sources_file: str | Path, archive_root: str | Path) -> list[str]:
    """Paths to ingest: every folder source, and the archive after fetching every listing source."""
    paths: list[str] = []
    archive = Archive(archive_root)
    archive.root.mkdir(parents=True, exist_ok=True)
    for source in load_sources(sources_file):
        if source.kind == "folder":
            paths.append(str(source.path))
        else:
            fetch_listing(source, archive)
            if str(archive.root) not in paths:
                paths.append(str(archive.root))
    return paths
