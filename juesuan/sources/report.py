"""What a run of the sources did: :class:`Gathered`, one :class:`SourceReport` per source.

These are plain dataclasses (``dataclasses.asdict`` or :meth:`Gathered.to_dict` give JSON-ready dicts) so
that the nightly flow can put them in an artifact and the ``juesuan fetch`` command can print them
(:meth:`Gathered.lines`)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple

_ESCAPED_UTF8 = re.compile(r"(?:%[89a-fA-F][0-9a-fA-F])+")


def readable(url: str) -> str:
    """The URL with its escaped non-ASCII characters shown (an IRI: 佛山市…pdf for %E4%BD%9B…); ASCII
    escapes such as %20 stay, so the text is still the URL."""

    def decoded(m: re.Match[str]) -> str:
        try:
            return bytes.fromhex(m.group(0).replace("%", "")).decode("utf-8")
        except UnicodeDecodeError:
            return m.group(0)

    return _ESCAPED_UTF8.sub(decoded, url)


class Refusal(NamedTuple):
    """A URL and why it was not archived."""

    url: str
    reason: str


class FileRecord(NamedTuple):
    """A document of a listing: its URL, its file in the archive, and whether the bytes are new there.
    A 304 (not modified) and a 200 with bytes already archived are both ``new=False``."""

    url: str
    path: str
    new: bool


@dataclass
class SourceReport:
    """One source of a run.

    ``ok`` is False when the source as a whole failed (its listing page did not answer, answered 404, timed
    out, was refused by robots.txt, its URL is malformed; a folder that is not there): ``reason`` says why
    and nothing of it was fetched. A source that is ok may still have links that failed (``errors``).

    Counts, for a listing: ``fetched`` documents downloaded (200 answers that were PDFs), of which ``new``
    had bytes the archive did not have, and ``not_modified`` documents answered 304 to a conditional
    request. ``files`` lists every document the listing pointed to this run (fetched or not modified);
    ``refused`` the links refused by a rule (scheme, host, robots.txt, max_bytes, max_total_bytes,
    max_pages, max_documents), ``not_documents`` the answers that were not PDFs (an HTML page …),
    ``errors`` the links whose request failed (404, timeout …), each with its reason. ``pages`` are the
    listing pages read."""

    name: str
    kind: str  # folder | listing
    location: str = ""  # the folder's path or the listing's url, as sources.yaml gives it
    ok: bool = True
    reason: str | None = None
    fetched: int = 0
    new: int = 0
    not_modified: int = 0
    pages: list[str] = field(default_factory=list)
    files: list[FileRecord] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    not_documents: list[Refusal] = field(default_factory=list)
    errors: list[Refusal] = field(default_factory=list)
    bytes: int = 0  # downloaded for this source (pages and documents)
    seconds: float = 0.0

    @property
    def status(self) -> str:
        return "ok" if self.ok else "failed"

    def fail(self, reason: str) -> None:
        self.ok, self.reason = False, reason

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: files and refusals as dicts (``url``, ``path``, ``new`` / ``url``, ``reason``)."""
        out = asdict(self)
        for key in ("files", "refused", "not_documents", "errors"):
            out[key] = [item._asdict() for item in getattr(self, key)]
        return {**out, "status": self.status}

    def lines(self) -> list[str]:
        """One line for the source, then one per file (new, unchanged) and per link not archived (refused,
        not a document, failed), each with its reason; URLs shown as IRIs (:func:`readable`)."""
        if not self.ok:
            head = f"{self.name} ({self.kind}): failed: {self.reason}"
        elif self.kind == "folder":
            head = f"{self.name} (folder): ok: {self.location}"
        else:
            head = (
                f"{self.name} (listing): ok: {len(self.pages)} pages, {self.fetched} fetched, "
                f"{self.new} new, "
                f"{self.not_modified} not modified, {len(self.refused)} refused, "
                f"{len(self.not_documents)} not documents, {len(self.errors)} errors"
            )
        out = [head]
        for f in self.files:
            out.append(f"  {'new' if f.new else 'unchanged'}  {readable(f.url)} -> {f.path}")
        for label, items in (
            ("refused", self.refused),
            ("not a document", self.not_documents),
            ("failed", self.errors),
        ):
            out += [f"  {label}  {readable(r.url)}: {r.reason}" for r in items]
        return out


@dataclass
class Gathered:
    """A run of the sources: ``paths`` to ingest (every folder source that is there, and the archive when
    there are listing sources) and one report per source, in the file's order."""

    paths: list[str]
    sources: list[SourceReport]
    bytes: int = 0  # downloaded this run, all sources (counted against max_total_bytes)

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.sources)

    @property
    def failed(self) -> list[SourceReport]:
        return [s for s in self.sources if not s.ok]

    @property
    def new(self) -> int:
        return sum(s.new for s in self.sources)

    def lines(self) -> list[str]:
        return [line for s in self.sources for line in s.lines()]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: plain dicts, lists and scalars."""
        return {
            "ok": self.ok,
            "paths": list(self.paths),
            "bytes": self.bytes,
            "sources": [s.to_dict() for s in self.sources],
        }
