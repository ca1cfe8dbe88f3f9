"""What a listing page links to: candidate documents, further pages of the listing, and the refusals.

A listing page is untrusted input. Its links are resolved against the page (``<base href>`` included),
stripped of fragments and percent-encoded (an IRI such as ``files/佛山市水务局2019年部门决算.pdf`` becomes
its UTF-8 escaped URL), then sorted by :func:`read_listing`:

* **Refused** (recorded with the reason, never requested): a scheme other than http/https (``file:``,
  ``ftp:``, ``data:`` …; ``mailto:``, ``javascript:`` and ``tel:`` links are not links to anything and are
  ignored), a URL that does not parse, and a candidate (below) on a host other than the listing's own and
  the source's ``allow_hosts``.
* **Candidates**, fetched and judged by what they answer (:mod:`juesuan.sources.fetch`), when one of:

  1. the path ends in ``.pdf`` or the query names a ``….pdf`` (``?file=a.pdf``), any case;
  2. the URL contains one of the download patterns, case-insensitive (``download``, ``attach``,
     ``fileId=``, ``.do?`` …: :data:`juesuan.sources.config.DOWNLOAD_PATTERNS`, or the file's own
     ``download_patterns``): a servlet such as ``download.do?fileId=5``;
  3. the link's text names a document: it contains 决算, 附件, 下载 or "pdf" (:data:`DOCUMENT_WORDS`).
     This is the bounded form of "any link of the site that answers a PDF": only links whose text says
     they are documents are tried, each one answered with HTML is recorded as not a document.

  Candidates are fetched at most ``max_documents`` per source per run; the others of the page (news,
  navigation, other sites' links) are neither fetched nor recorded.
* **Pages** of the same listing, on the listing's own host only: ``<a rel="next">`` / ``<link rel="next">``,
  a link whose text is 下一页, 下页, 后页, "next" (arrows and brackets aside), the numbered siblings of the
  page (``index.html`` → ``index_1.html``, ``index_2.html`` …, as TRS and most government CMSs name them),
  and the pages a TRS ``createPageHTML(count, current, "index", "html")`` script would write. At most
  ``max_pages`` pages are read (:mod:`juesuan.sources.listing`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import unquote, urljoin, urlsplit

import httpx

from juesuan.sources.config import DOWNLOAD_PATTERNS

DOCUMENT_WORDS = ("决算", "附件", "下载", "pdf")
NEXT_WORDS = ("下一页", "下页", "后页", "后一页", "next", "nextpage")
IGNORED_SCHEMES = ("mailto", "javascript", "tel", "sms")
_STRIP = re.compile(r"[\s>»›→\[\]【】<«‹(){}「」]+")
_TRS_PAGER = re.compile(
    r"createPageHTML\(\s*(\d+)\s*,\s*(\d+)\s*,\s*[\"']([^\"']+)[\"']\s*,\s*[\"']([^\"']+)[\"']"
)


@dataclass
class Anchor:
    href: str
    text: str = ""
    rel: str = ""


class _Anchors(HTMLParser):
    """``<a href>`` with their text and rel, ``<link rel=next>``, ``<iframe src>`` / ``<embed src>`` /
    ``<object data>`` (a document shown in the page), ``<base href>`` and the scripts' text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors: list[Anchor] = []
        self.base: str | None = None
        self.scripts: list[str] = []
        self._open: Anchor | None = None
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a":
            self._open = Anchor(a.get("href", "").strip(), "", a.get("rel", "").lower())
            if self._open.href:
                self.anchors.append(self._open)
            for attr in ("title", "download"):  # a title or a download name says what the link is too
                if a.get(attr):
                    self._open.text += f" {a[attr]} "
        elif tag in ("iframe", "embed") and a.get("src"):  # a document shown in the page
            self.anchors.append(Anchor(a["src"].strip()))
        elif tag == "object" and a.get("data"):
            self.anchors.append(Anchor(a["data"].strip()))
        elif tag == "link" and "next" in a.get("rel", "").lower().split() and a.get("href"):
            self.anchors.append(Anchor(a["href"].strip(), "", "next"))
        elif tag == "base" and a.get("href") and self.base is None:
            self.base = a["href"].strip()
        elif tag == "script":
            self._in_script = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._open = None
        elif tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)
        elif self._open is not None:
            self._open.text += data


@dataclass
class ListingPage:
    """What one listing page gives: candidate links (with their text), further pages, refused links."""

    candidates: list[tuple[str, str]] = field(default_factory=list)  # (url, link text)
    pages: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (url, reason)


def normalise(url: str) -> str:
    """The URL percent-encoded (IRIs as UTF-8) without its fragment: one spelling per resource."""
    return str(httpx.URL(url).copy_with(fragment=None))


def site(url: str) -> str:
    """scheme://host:port, the unit of politeness and of robots.txt."""
    u = httpx.URL(url)
    port = u.port or {"http": 80, "https": 443}.get(u.scheme, 0)
    return f"{u.scheme}://{u.host}:{port}"


def looks_like_document(url: str, text: str, patterns: tuple[str, ...]) -> bool:
    """Rules 1–3 of the module's docstring."""
    parts = urlsplit(url)
    path = unquote(parts.path).lower()
    if path.endswith(".pdf") or re.search(r"\.pdf(&|$)", unquote(parts.query).lower()):
        return True
    low = url.lower()
    if any(p.lower() in low for p in patterns if p):
        return True
    words = text.lower()
    return any(w in words for w in DOCUMENT_WORDS)


def _is_next(anchor: Anchor) -> bool:
    if "next" in anchor.rel.split():
        return True
    return _STRIP.sub("", anchor.text).lower() in NEXT_WORDS


def _numbered(url: str, page_url: str) -> int | None:
    """N when ``url`` is the page's numbered sibling (index.html → index_N.html, same folder and host)."""
    a, b = urlsplit(url), urlsplit(page_url)
    if a.netloc != b.netloc or a.query:
        return None
    folder, _, name = b.path.rpartition("/")
    name = name or "index.html"
    stem, dot, ext = name.partition(".")
    stem = re.sub(r"_\d+$", "", stem)
    m = re.fullmatch(re.escape(f"{folder}/{stem}_") + r"(\d+)" + re.escape(dot + ext), a.path)
    return int(m.group(1)) if m else None


def _trs_pages(scripts: list[str], page_url: str) -> list[str]:
    """The pages a TRS ``createPageHTML(count, current, prefix, ext)`` pager writes: prefix_1.ext …"""
    out = []
    for script in scripts:
        for m in _TRS_PAGER.finditer(script):
            count, prefix, ext = int(m.group(1)), m.group(3), m.group(4)
            out += [urljoin(page_url, f"{prefix}_{n}.{ext}") for n in range(1, min(count, 100))]
    return out


def read_listing(
    html: str, page_url: str, patterns: tuple[str, ...], allow_hosts: tuple[str, ...] = ()
) -> ListingPage:
    """The candidates, pages and refusals of one listing page (see the module's docstring), in page order,
    each URL once. ``page_url`` is the URL the page was read from (after redirects)."""
    parser = _Anchors()
    parser.feed(html)
    parser.close()
    base = urljoin(page_url, parser.base) if parser.base else page_url
    own_host = httpx.URL(page_url).host
    hosts = {own_host, *(h.lower() for h in allow_hosts)}
    out = ListingPage()
    seen: set[str] = {normalise(page_url)}
    numbered: list[tuple[int, str]] = []
    for anchor in parser.anchors:
        raw = urljoin(base, anchor.href)
        scheme = urlsplit(raw).scheme.lower()
        if scheme in IGNORED_SCHEMES or anchor.href.startswith("#"):
            continue
        if scheme not in ("http", "https"):
            if raw not in seen:
                seen.add(raw)
                out.refused.append(
                    (raw, f"scheme {scheme or '(none)'}: only http and https links are followed")
                )
            continue
        try:
            url = normalise(raw)
            host = httpx.URL(url).host
        except (httpx.InvalidURL, ValueError) as error:
            if raw not in seen:
                seen.add(raw)
                out.refused.append((raw, f"malformed URL: {error}"))
            continue
        if url in seen:
            continue
        n = _numbered(url, page_url)
        if host == own_host and (_is_next(anchor) or n is not None):
            seen.add(url)
            if n is not None:
                numbered.append((n, url))
            else:
                out.pages.append(url)
            continue
        if not looks_like_document(url, anchor.text, patterns):
            continue
        seen.add(url)
        if host not in hosts:
            out.refused.append((url, f"host {host} is not the listing's ({own_host}) nor in allow_hosts"))
            continue
        out.candidates.append((url, " ".join(anchor.text.split())))
    out.pages += [u for _, u in sorted(numbered)]
    for url in _trs_pages(parser.scripts, page_url):
        url = normalise(url)
        if url not in seen and httpx.URL(url).host == own_host:
            seen.add(url)
            out.pages.append(url)
    return out


def pdf_links(html: str, base: str, patterns: tuple[str, ...] = DOWNLOAD_PATTERNS) -> list[str]:
    """The candidate document URLs of a listing page, in page order, once each (the module's rules)."""
    return [url for url, _ in read_listing(html, base, patterns).candidates]
