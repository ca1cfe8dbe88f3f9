"""A listing source: its pages read (pagination, bounded), its documents fetched into the archive.

Every outcome is a row of the archive's index and a line of the source's report; nothing here raises for
one source (:func:`fetch_listing` catches even the unexpected, with the exception named in the reason).
"""

from __future__ import annotations

import logging
import re
import time

import httpx

from juesuan.sources.archive import Archive
from juesuan.sources.config import DEFAULT_MAX_TOTAL_BYTES, Source
from juesuan.sources.fetch import Budget, Failed, Got, Policy, PoliteClient, Refused, over_max_bytes
from juesuan.sources.links import normalise, read_listing
from juesuan.sources.report import FileRecord, Refusal, SourceReport

log = logging.getLogger(__name__)

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w-]+)""", re.I)
_HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "text/xml", "application/xml")


def decode_page(body: bytes, content_type: str | None) -> str:
    """A page's text: the charset of Content-Type, else of its ``<meta>``, else UTF-8, else GB18030 (GB2312
    and GBK pages read as GB18030, their superset)."""
    declared = None
    if content_type and "charset=" in content_type.lower():
        declared = content_type.lower().split("charset=")[-1].split(";")[0].strip().strip("\"'")
    if not declared:
        m = _META_CHARSET.search(body[:4096])
        declared = m.group(1).decode("ascii").lower() if m else None
    if declared in ("gb2312", "gbk", "x-gbk", "gb_2312-80"):
        declared = "gb18030"
    for charset in (declared, "utf-8", "gb18030"):
        if not charset:
            continue
        try:
            return body.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("utf-8", errors="replace")


def _is_html(got: Got) -> bool:
    kind = (got.content_type or "").split(";")[0].strip().lower()
    return (not kind or kind in _HTML_TYPES) and not got.body.lstrip().startswith(b"%PDF-")


class _Run:
    """One listing source's run: the archive rows and the report, written together."""

    def __init__(self, source: Source, archive: Archive, client: PoliteClient, budget: Budget):
        self.source, self.archive, self.client, self.budget = source, archive, client, budget
        self.report = SourceReport(source.name, "listing", str(source.url))

    def row(self, url: str, status: str, landing: str | None, **fields: object) -> None:
        self.archive.log(
            {"url": url, "landing_page": landing, "source": self.source.name, "status": status, **fields}
        )

    def refuse(self, url: str, reason: str, landing: str | None) -> None:
        self.row(url, "refused", landing, reason=reason)
        self.report.refused.append(Refusal(url, reason))

    def error(self, url: str, error: Failed, landing: str | None) -> None:
        self.row(url, "failed", landing, reason=error.reason, http_status=error.status)
        self.report.errors.append(Refusal(url, error.reason))

    @staticmethod
    def answered(url: str, got: Got) -> dict[str, object]:
        """The columns an answer fills."""
        return {
            "final_url": got.url if got.url != url else None,
            "http_status": got.status,
            "etag": got.etag,
            "last_modified": got.last_modified,
            "content_type": got.content_type,
            "filename": got.filename,
        }

    def run(self) -> None:
        source, report = self.source, self.report
        assert source.url is not None
        try:
            first = normalise(source.url)
            u = httpx.URL(first)
        except (httpx.InvalidURL, ValueError) as error:
            report.fail(f"malformed url {source.url!r}: {error}")
            return
        if u.scheme not in ("http", "https") or not u.host:
            report.fail(f"url {source.url!r}: a listing is an http or https URL")
            return
        hosts = frozenset({u.host, *(h.lower() for h in source.allow_hosts)})
        ports = frozenset({u.port or (443 if u.scheme == "https" else 80), 80, 443})
        policy = Policy(hosts, source.min_interval, source.timeout, source.max_bytes, ports)
        documents: list[tuple[str, str]] = []  # (url, landing page)
        seen_documents: set[str] = set()
        queue, seen_pages, attempted = [first], {first}, 0
        while queue:
            url = queue.pop(0)
            # pages tried count, read or not: a pager announcing 100 pages that all fail costs max_pages
            if attempted >= source.max_pages:
                self.refuse(url, f"past max_pages ({source.max_pages}): page not read", None)
                continue
            attempted += 1
            try:
                got = self.client.get_page(url, policy, self.budget)
            except (Refused, Failed) as error:
                if url == first:
                    self.row(
                        url,
                        "refused" if isinstance(error, Refused) else "failed",
                        None,
                        reason=error.reason,
                        http_status=getattr(error, "status", None),
                    )
                    report.fail(f"{url}: {error.reason}")
                    return
                if isinstance(error, Refused):
                    self.refuse(url, error.reason, None)
                else:
                    self.error(url, error, None)
                continue
            report.bytes += got.size
            fields = {**self.answered(url, got), "sha256": got.sha256, "bytes": got.size}
            if not _is_html(got):
                reason = f"not an HTML page ({got.content_type or 'no Content-Type'})"
                self.row(url, "not_document", None, reason=reason, **fields)
                if url == first:
                    report.fail(f"{url}: {reason}")
                    return
                report.not_documents.append(Refusal(url, reason))
                continue
            self.row(url, "page", None, **fields)
            report.pages.append(url)
            page = read_listing(
                decode_page(got.body, got.content_type), got.url, source.patterns, tuple(hosts)
            )
            for link, reason in page.refused:
                if link not in seen_documents:
                    seen_documents.add(link)
                    self.refuse(link, reason, url)
            for link, _text in page.candidates:
                if link not in seen_documents:
                    seen_documents.add(link)
                    documents.append((link, url))
            for link in page.pages:
                if link not in seen_pages:
                    seen_pages.add(link)
                    queue.append(link)
        for i, (link, landing) in enumerate(documents):
            if i >= source.max_documents:
                self.refuse(link, f"past max_documents ({source.max_documents}): not fetched", landing)
            else:
                self.document(link, landing, policy)

    def document(self, url: str, landing: str, policy: Policy) -> None:
        report, archive = self.report, self.archive
        previous = archive.last(url)
        if (
            previous is not None
            and previous["status"] == "refused"
            and over_max_bytes(policy.max_bytes) not in (previous["reason"] or "")
        ):
            previous = None  # refused under another cap: ask again in full
        conditional = {}
        if previous and previous.get("etag"):
            conditional["If-None-Match"] = previous["etag"]
        if previous and previous.get("last_modified"):
            conditional["If-Modified-Since"] = previous["last_modified"]
        temp = archive.incoming()
        try:
            try:
                got = self.client.get_document(url, temp, policy, self.budget, conditional)
            except Refused as refusal:
                got = refusal.got
                if got is None:
                    self.refuse(url, refusal.reason, landing)
                else:  # refused for what it is: remembered with its validators
                    report.bytes += got.size
                    self.row(
                        url,
                        "refused",
                        landing,
                        reason=refusal.reason,
                        **self.answered(url, got),
                        bytes=got.size,
                    )
                    report.refused.append(Refusal(url, refusal.reason))
                return
            except Failed as failure:
                self.error(url, failure, landing)
                return
            report.bytes += got.size
            fields = self.answered(url, got)
            if got.status == 304:
                if not conditional or previous is None:
                    self.error(url, Failed("HTTP 304 to a request that was not conditional", 304), landing)
                    return
                fields["etag"] = got.etag or previous["etag"]
                fields["last_modified"] = got.last_modified or previous["last_modified"]
                if previous["status"] in ("not_document", "refused"):
                    reason = previous["reason"] or ""
                    if not reason.startswith("not modified since "):
                        reason = f"not modified since {previous['fetched_at']}: {reason}"
                    self.row(url, previous["status"], landing, reason=reason, **fields)
                    kept = report.not_documents if previous["status"] == "not_document" else report.refused
                    kept.append(Refusal(url, reason))
                    return
                sha = previous["sha256"]
                self.row(
                    url,
                    "not_modified",
                    landing,
                    sha256=sha,
                    bytes=previous["bytes"],
                    new_content=False,
                    **fields,
                )
                report.not_modified += 1
                report.files.append(FileRecord(url, str(archive.path_of(sha)), False))
                return
            if got.not_document or got.temp is None or got.sha256 is None:
                reason = got.not_document or "no document"
                self.row(url, "not_document", landing, reason=reason, bytes=got.size, **fields)
                report.not_documents.append(Refusal(url, reason))
                return
            path, new = archive.adopt(got.temp, got.sha256)
            self.row(url, "document", landing, sha256=got.sha256, bytes=got.size, new_content=new, **fields)
            report.fetched += 1
            report.new += int(new)
            report.files.append(FileRecord(url, str(path), new))
        finally:
            temp.unlink(missing_ok=True)


def fetch_listing(
    source: Source,
    archive: Archive,
    client: PoliteClient | None = None,
    budget: Budget | None = None,
) -> SourceReport:
    """Read a listing source's pages and archive the documents they link to (see :mod:`juesuan.sources`).
    Never raises: whatever goes wrong is in the report (``ok``/``reason``, ``refused``, ``errors`` …)."""
    started = time.monotonic()
    own = client is None
    client = client or PoliteClient()
    run = _Run(source, archive, client, budget or Budget(DEFAULT_MAX_TOTAL_BYTES))
    try:
        run.run()
    except Exception as error:  # a bug or an unforeseen answer must not end the night for the others
        log.exception("source %s: unexpected error", source.name)
        run.report.fail(f"unexpected error: {error.__class__.__name__}: {error}")
    finally:
        if own:
            client.close()
    run.report.seconds = round(time.monotonic() - started, 3)
    report = run.report
    if report.ok:
        log.info("source %s: %s", source.name, report.lines()[0])
    else:
        log.warning("source %s failed: %s", source.name, report.reason)
    return report
