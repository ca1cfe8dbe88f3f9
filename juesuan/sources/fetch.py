"""HTTP for the sources: one polite client (httpx) that every source of a run shares.

* **Politeness.** A User-Agent naming the project; at least ``min_interval`` seconds between the end of one
  request to a site (scheme, host and port) and the start of the next, or robots.txt's ``Crawl-delay`` when
  that is longer (up to a minute); robots.txt read once per site and run (through this client) and obeyed:
  a URL it disallows is refused, never requested. A robots.txt answering 401/403 disallows the site, a 404
  (or other 4xx) allows it (as :mod:`urllib.robotparser` reads them); one that cannot be fetched (5xx, no
  connection) fails the request that needed it.
* **Retries** only for what may pass: a timeout, a connection refused or reset, a broken answer, a 5xx.
  Each request is tried at most ``tries`` times (3), waiting ``backoff`` × 1, 2, 4 … seconds between tries.
  A 4xx is final at once.
* **Untrusted links.** Redirects are followed one hop at a time (at most 5), each hop under the same rules
  as a link: http/https only, the allowed hosts only, robots.txt.
* **Size.** Bodies are streamed and stopped past the per-download cap (``max_bytes``, told by
  Content-Length before reading when the server gives it) and past the run's total (:class:`Budget`).
* **What a document is** (:meth:`PoliteClient.get_document`): bytes that start with ``%PDF-`` (within the
  first 1024 bytes, as PDF readers accept). Content-Type (``application/pdf``,
  ``application/octet-stream`` …) and the Content-Disposition file name are recorded beside the bytes, but
  they do not decide: an HTML page served as ``application/pdf`` is not a document, a PDF served as
  ``text/html`` or ``application/octet-stream`` is one. Anything else is answered "not a document" with its
  Content-Type, and its download stops after the first kilobyte.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import unquote, urljoin
from urllib.robotparser import RobotFileParser

import httpx

from juesuan import __version__
from juesuan.sources.links import normalise, site

log = logging.getLogger(__name__)

USER_AGENT = f"juesuan/{__version__} (public-disclosure archive; polite crawler)"
ROBOTS_AGENT = "juesuan"
PDF_MAGIC = b"%PDF-"
SNIFF = 1024  # bytes read before deciding whether an answer is a document
MAX_REDIRECTS = 5
ROBOTS_MAX_BYTES = 500_000
MAX_CRAWL_DELAY = 60.0  # a robots.txt Crawl-delay is obeyed up to a minute (a night has many sources)
REDIRECTS = (301, 302, 303, 307, 308)
T = TypeVar("T")


class Refused(Exception):
    """Not requested (or stopped) by a rule of ours: scheme, host, robots.txt, a size cap. ``got``: the
    answer's headers when the refusal is a property of that answer (its size), so that the next run can
    ask whether it changed."""

    def __init__(self, reason: str, got: Got | None = None):
        super().__init__(reason)
        self.reason = reason
        self.got = got


class Failed(Exception):
    """The request failed: a 4xx or 5xx answer, a timeout, no connection (after the retries due)."""

    def __init__(self, reason: str, status: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.status = status


class _Transient(Exception):
    def __init__(self, reason: str, status: int):
        super().__init__(reason)
        self.status = status


class _Redirect(Exception):
    def __init__(self, location: str):
        super().__init__(location)
        self.location = location


class Budget:
    """The bytes a run may download, all sources together (``max_total_bytes``)."""

    def __init__(self, total: int):
        self.total = total
        self.spent = 0

    def take(self, n: int) -> None:
        self.spent += n
        if self.spent > self.total:
            raise Refused(f"the run's max_total_bytes ({self.total}) is reached")


@dataclass(frozen=True)
class Policy:
    """One source's rules for its requests."""

    hosts: frozenset[str] | None  # None: any host (robots.txt itself)
    min_interval: float = 1.0
    timeout: float = 30.0
    max_bytes: int = 50_000_000
    ports: frozenset[int] | None = None  # None: any; else the listing's own port and the web's 80/443

    def allows(self, u: httpx.URL) -> bool:
        """An allowed host on an allowed port: an untrusted listing must not reach, say, h.gov.cn:6379."""
        port = u.port or (443 if u.scheme == "https" else 80)
        host_ok = self.hosts is None or u.host in self.hosts
        return host_ok and (self.ports is None or port in self.ports)


@dataclass
class Got:
    """An answer: 200 or 304, from ``url`` (after redirects), with what identifies its version."""

    url: str
    status: int
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    filename: str | None = None  # Content-Disposition's
    size: int = 0
    body: bytes = b""  # a page's bytes
    sha256: str | None = None  # a document's
    temp: Path | None = None  # a document's bytes, until the archive takes them
    not_document: str | None = None  # why the answer is not a document


def over_max_bytes(cap: int) -> str:
    """The words of a size refusal (the next run asks again conditionally only under the same cap)."""
    return f"over max_bytes ({cap})"


def _describe(error: BaseException) -> str:
    text = str(error) or error.__class__.__name__
    return f"{error.__class__.__name__}: {text}" if not isinstance(error, _Transient) else text


def disposition_filename(response: httpx.Response) -> str | None:
    """The file name of Content-Disposition (``filename*=UTF-8''…`` first, then ``filename=``), its raw
    bytes read as UTF-8, else GB18030 (servers send GBK names unescaped)."""
    raw = next((v for k, v in response.headers.raw if k.lower() == b"content-disposition"), None)
    if raw is None:
        return None
    for encoding in ("utf-8", "gb18030", "latin-1"):
        try:
            value = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    m = re.search(r"filename\*\s*=\s*([\w-]+)'[^']*'([^;]+)", value, re.I)
    if m:
        try:
            return unquote(m.group(2).strip().strip('"'), encoding=m.group(1), errors="replace")
        except LookupError:
            pass
    m = re.search(r'filename\s*=\s*"([^"]*)"|filename\s*=\s*([^;]+)', value, re.I)
    if m:
        name = (m.group(1) if m.group(1) is not None else m.group(2)).strip()
        return unquote(name) if "%" in name else name
    return None


class PoliteClient:
    """GETs shared by the sources of a run: pace per site, robots.txt, retries, redirects, size caps."""

    def __init__(
        self,
        *,
        tries: int = 3,
        backoff: float = 1.0,
        transport: httpx.BaseTransport | None = None,
    ):
        self.tries = max(1, tries)
        self.backoff = backoff
        self.http = httpx.Client(
            headers={"User-Agent": USER_AGENT}, follow_redirects=False, transport=transport
        )
        self._last: dict[str, float] = {}
        self._robots: dict[str, RobotFileParser] = {}

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- politeness ---------------------------------------------------------------------------------------
    def _pace(self, url: str, policy: Policy) -> None:
        key = site(url)
        interval = policy.min_interval
        robots = self._robots.get(key)
        if robots is not None:
            delay = float(robots.crawl_delay(ROBOTS_AGENT) or 0)
            interval = max(interval, min(delay, MAX_CRAWL_DELAY))
        wait = self._last.get(key, float("-inf")) + interval - time.monotonic()
        if wait > 0:
            time.sleep(wait)

    def robots(self, url: str, policy: Policy) -> RobotFileParser:
        """The site's robots.txt, fetched once per client (Failed when it cannot be read)."""
        key = site(url)
        if key in self._robots:
            return self._robots[key]
        u = httpx.URL(url)
        robots_url = str(u.copy_with(path="/robots.txt", query=None, fragment=None))
        parser = RobotFileParser(robots_url)
        own = Policy(frozenset({u.host}), policy.min_interval, policy.timeout, ROBOTS_MAX_BYTES)
        try:
            got = self._request(robots_url, {}, own, None, self._read_page, check_robots=False)
            parser.parse(got.body.decode("utf-8", errors="replace").splitlines())
        except Failed as error:
            if error.status in (401, 403):
                parser.disallow_all = True
            elif error.status is not None and 400 <= error.status < 500:
                parser.allow_all = True
            else:
                raise Failed(f"robots.txt: {error.reason}", error.status) from None
        except Refused:  # redirected elsewhere or too large: read as no robots.txt
            parser.allow_all = True
        self._robots[key] = parser
        return parser

    def check(self, url: str, policy: Policy) -> None:
        """Refused unless ``url`` is http(s), on an allowed host and allowed by the site's robots.txt."""
        try:
            u = httpx.URL(url)
        except httpx.InvalidURL as error:
            raise Refused(f"malformed URL: {error}") from None
        if u.scheme not in ("http", "https"):
            raise Refused(f"scheme {u.scheme or '(none)'}: only http and https are followed")
        if not u.host:
            raise Refused("malformed URL: no host")
        if policy.hosts is not None and u.host not in policy.hosts:
            raise Refused(f"host {u.host} is not allowed (allowed: {', '.join(sorted(policy.hosts))})")
        if not policy.allows(u):
            raise Refused(f"port {u.port} of {u.host} is not the listing's nor the web's (80, 443)")
        if not self.robots(url, policy).can_fetch(ROBOTS_AGENT, url):
            raise Refused("disallowed by robots.txt")

    # --- requests -----------------------------------------------------------------------------------------
    def _request(
        self,
        url: str,
        headers: dict[str, str],
        policy: Policy,
        budget: Budget | None,
        consume: Callable[[httpx.Response, Policy, Budget | None], Got],
        *,
        check_robots: bool = True,
    ) -> Got:
        """``consume(response)`` of the final 200 or 304 answer, redirects followed hop by hop."""
        if budget is not None and budget.spent >= budget.total:
            raise Refused(f"the run's max_total_bytes ({budget.total}) is reached: not requested")
        for hop in range(MAX_REDIRECTS + 1):
            if check_robots:
                try:
                    self.check(url, policy)
                except Refused as refusal:
                    if hop:
                        raise Refused(f"redirected to {url}: {refusal.reason}") from None
                    raise
            try:
                return self._tried(url, headers, policy, budget, consume)
            except _Redirect as redirect:
                try:
                    url = normalise(urljoin(url, redirect.location))
                except (httpx.InvalidURL, ValueError) as error:
                    raise Failed(f"redirect to a malformed URL {redirect.location!r}: {error}") from None
                if not check_robots:
                    u = httpx.URL(url)
                    if u.scheme not in ("http", "https") or not policy.allows(u):
                        raise Refused(f"redirected to {url}") from None
        raise Failed(f"more than {MAX_REDIRECTS} redirects")

    def _tried(
        self,
        url: str,
        headers: dict[str, str],
        policy: Policy,
        budget: Budget | None,
        consume: Callable[[httpx.Response, Policy, Budget | None], Got],
    ) -> Got:
        for attempt in range(1, self.tries + 1):
            try:
                return self._once(url, headers, policy, budget, consume)
            except (
                httpx.TimeoutException,
                httpx.NetworkError,
                httpx.RemoteProtocolError,
                _Transient,
            ) as error:
                status = error.status if isinstance(error, _Transient) else None
                if attempt == self.tries:
                    raise Failed(f"{_describe(error)} (tried {self.tries} times)", status) from None
                log.info("%s: %s; trying again", url, _describe(error))
                time.sleep(self.backoff * 2 ** (attempt - 1))
            except httpx.HTTPError as error:  # not transient: a decoding error, a local protocol error …
                raise Failed(_describe(error)) from None
        raise AssertionError("unreachable")

    def _once(
        self,
        url: str,
        headers: dict[str, str],
        policy: Policy,
        budget: Budget | None,
        consume: Callable[[httpx.Response, Policy, Budget | None], Got],
    ) -> Got:
        self._pace(url, policy)
        try:
            with self.http.stream("GET", url, headers=headers, timeout=policy.timeout) as response:
                code = response.status_code
                if code in REDIRECTS and response.headers.get("Location"):
                    raise _Redirect(response.headers["Location"])
                if code >= 500:
                    raise _Transient(f"HTTP {code} {response.reason_phrase}".strip(), code)
                if code >= 400 or code not in (200, 304):
                    raise Failed(f"HTTP {code} {response.reason_phrase}".strip(), code)
                return consume(response, policy, budget)
        finally:
            self._last[site(url)] = time.monotonic()

    # --- readers ------------------------------------------------------------------------------------------
    @staticmethod
    def _got(response: httpx.Response) -> Got:
        h = response.headers
        return Got(
            url=str(response.url),
            status=response.status_code,
            etag=h.get("ETag"),
            last_modified=h.get("Last-Modified"),
            content_type=h.get("Content-Type"),
            filename=disposition_filename(response),
        )

    @staticmethod
    def _announced(got: Got, response: httpx.Response, policy: Policy) -> None:
        length = response.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > policy.max_bytes:
            raise Refused(
                f"Content-Length {length} is {over_max_bytes(policy.max_bytes)}: not downloaded", got
            )

    @staticmethod
    def _counted(got: Got, chunk: bytes, policy: Policy, budget: Budget | None) -> None:
        got.size += len(chunk)
        if budget is not None:
            budget.take(len(chunk))
        if got.size > policy.max_bytes:
            raise Refused(f"{over_max_bytes(policy.max_bytes)}: download stopped at {got.size} bytes", got)

    def _read_page(self, response: httpx.Response, policy: Policy, budget: Budget | None) -> Got:
        got = self._got(response)
        if response.status_code == 304:
            return got
        self._announced(got, response, policy)
        parts: list[bytes] = []
        for chunk in response.iter_bytes():
            self._counted(got, chunk, policy, budget)
            parts.append(chunk)
        got.body = b"".join(parts)
        got.sha256 = hashlib.sha256(got.body).hexdigest()
        return got

    def get_page(self, url: str, policy: Policy, budget: Budget | None = None) -> Got:
        """A page's bytes (a listing), under the policy (Refused, Failed)."""
        return self._request(url, {}, policy, budget, self._read_page)

    def get_document(
        self,
        url: str,
        temp: Path,
        policy: Policy,
        budget: Budget | None = None,
        conditional: dict[str, str] | None = None,
    ) -> Got:
        """A 304, a document streamed into ``temp`` (with its SHA-256) or an answer that is not a document
        (``not_document`` says why; nothing kept). Refused, Failed as :meth:`get_page`."""

        def consume(response: httpx.Response, policy: Policy, budget: Budget | None) -> Got:
            got = self._got(response)
            if response.status_code == 304:
                return got
            self._announced(got, response, policy)
            digest = hashlib.sha256()
            head: bytearray | None = bytearray()  # the first bytes, until they say what the answer is
            with temp.open("wb") as out:
                for chunk in response.iter_bytes():
                    self._counted(got, chunk, policy, budget)
                    if head is not None:
                        head += chunk
                        if len(head) < SNIFF:
                            continue
                        if PDF_MAGIC not in head[:SNIFF]:
                            break  # not a document: read no further
                        chunk, head = bytes(head), None
                    digest.update(chunk)
                    out.write(chunk)
                if head is not None and len(head) < SNIFF and PDF_MAGIC in head:  # a short answer, whole
                    digest.update(head)
                    out.write(head)
                    head = None
            if head is not None:
                temp.unlink(missing_ok=True)
                kind = got.content_type or "no Content-Type"
                got.not_document = (
                    "an empty answer" if not got.size else f"not a PDF ({kind}; no %PDF- header)"
                )
                return got
            got.sha256 = digest.hexdigest()
            got.temp = temp
            return got

        return self._request(url, dict(conditional or {}), policy, budget, consume)
