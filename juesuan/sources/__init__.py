"""Where disclosures come from: local folders and web listing pages, archived by content.

:func:`gather` reads ``sources.yaml`` (:mod:`~juesuan.sources.config`, strict) and runs every source in turn,
each on its own: a folder that is missing, a listing that answers 404, a dead host, a timeout or a malformed
URL fails that source, with the reason in its :class:`SourceReport`, and the others go on; ``gather`` raises
only when the sources file itself is missing or wrong (:class:`~juesuan.reference.model.DeclarationError`).

A listing source (:mod:`~juesuan.sources.listing`): its page is read, with its further pages
(pagination, at most ``max_pages``); the links that look like documents (:mod:`~juesuan.sources.links`:
.pdf, a download servlet, a link text naming a document) are fetched through one polite client
(:mod:`~juesuan.sources.fetch`: httpx, robots.txt, ``min_interval`` per site, retries with backoff for
transient failures only, conditional requests with the ETag / Last-Modified of the URL's previous fetch,
size caps per download and per run), and every answer whose bytes are a PDF is archived under its SHA-256
(:mod:`~juesuan.sources.archive`, with an indexed record of every fetch: ``index.sqlite``). Links on other
hosts, other schemes (``file:``, ``ftp:``), disallowed by robots.txt or past a cap are refused with their
reason, never read. Decisions about what a document is beyond "a PDF" are left to the parser: URLs and file
names are unreliable (DOMAIN.md §5.1).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from juesuan.sources.archive import Archive
from juesuan.sources.config import DOWNLOAD_PATTERNS, Source, SourcesFile, load_sources, read_sources
from juesuan.sources.fetch import USER_AGENT, Budget, Policy, PoliteClient
from juesuan.sources.links import pdf_links, read_listing
from juesuan.sources.listing import fetch_listing
from juesuan.sources.report import FileRecord, Gathered, Refusal, SourceReport

__all__ = [
    "DOWNLOAD_PATTERNS",
    "USER_AGENT",
    "Archive",
    "Budget",
    "FileRecord",
    "Gathered",
    "Policy",
    "PoliteClient",
    "Refusal",
    "Source",
    "SourceReport",
    "SourcesFile",
    "fetch_listing",
    "gather",
    "load_sources",
    "pdf_links",
    "read_listing",
    "read_sources",
]

log = logging.getLogger(__name__)


def folder_report(source: Source) -> SourceReport:
    """A folder source is ok when its path is there (a folder or one file)."""
    report = SourceReport(source.name, "folder", str(source.path))
    if not Path(str(source.path)).exists():
        report.fail(f"no such folder or file: {source.path}")
        log.warning("source %s failed: %s", source.name, report.reason)
    return report


def gather(
    sources_file: str | Path,
    archive_root: str | Path,
    *,
    client: PoliteClient | None = None,
    tries: int = 3,
    backoff: float = 1.0,
) -> Gathered:
    """Run every source of ``sources_file``; the paths to ingest and a report per source.

    ``paths``: each folder source that is there, as written, and ``archive_root`` once, at the place of the
    first listing source, when there is one (the whole archive: the ingest skips what it already has).
    ``tries`` and ``backoff`` shape the retries of transient failures (see :mod:`~juesuan.sources.fetch`)."""
    spec = read_sources(sources_file)
    started = time.monotonic()
    archive = Archive(archive_root)
    budget = Budget(spec.max_total_bytes)
    own = client is None
    client = client or PoliteClient(tries=tries, backoff=backoff)
    paths: list[str] = []
    reports: list[SourceReport] = []
    try:
        for source in spec.sources:
            if source.kind == "folder":
                report = folder_report(source)
                if report.ok:
                    paths.append(str(source.path))
            else:
                report = fetch_listing(source, archive, client, budget)
                archive.root.mkdir(parents=True, exist_ok=True)
                if str(archive.root) not in paths:
                    paths.append(str(archive.root))
            reports.append(report)
    finally:
        archive.close()
        if own:
            client.close()
    gathered = Gathered(paths, reports, budget.spent)
    log.info(
        "gathered %d sources (%d failed), %d new documents, %d bytes in %.1f s",
        len(reports),
        len(gathered.failed),
        gathered.new,
        budget.spent,
        time.monotonic() - started,
    )
    return gathered
