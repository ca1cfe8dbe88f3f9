"""``sources.yaml``: where disclosures come from and the limits of the nightly fetch, read strictly.

A misspelt or unknown key is an error naming the file and the key's path (``sources.2.max_page: unknown
key``), never a silently ignored setting. The file's own comments document every key; in short::

    max_total_bytes: 2000000000      # optional: bytes downloaded per night, all sources together
    download_patterns: [download, …] # optional: URL fragments that mark a link as a download
    sources:
      - name: samples                # unique
        kind: folder                 # a folder of PDFs (any depth), ingested as it is
        path: data/raw/samples
      - name: foshan-water
        kind: listing                # a web page linking to disclosures, fetched into the archive
        url: https://example.gov.cn/zwgk/jsgk/index.html
        min_interval: 1.0            # seconds between two requests to the same site (at least robots'
                                     # Crawl-delay)
        max_pages: 5                 # listing pages followed through pagination, the first included
        max_documents: 200           # links fetched per night from this source
        max_bytes: 50000000          # per download, streamed and stopped past it
        timeout: 30                  # seconds per request
        allow_hosts: [files.example.gov.cn]   # hosts besides the listing's own that links may lead to
        download_patterns: [...]     # this source's own list, instead of the top-level one

A listing's URL is checked when it is fetched, not here: a malformed or unreachable URL fails that source
alone (see :func:`juesuan.sources.gather`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import Field, ValidationError, model_validator

from juesuan.reference.model import DeclarationError, Declared, SafeLoader, describe

MB = 1_000_000
DEFAULT_MAX_BYTES = 50 * MB
DEFAULT_MAX_TOTAL_BYTES = 2_000 * MB
# A link is a download when its URL contains one of these (case-insensitive): document servlets and
# attachment handlers that do not end in .pdf (download.do?fileId=5, /attach/…, getFile.jsp?id=…)
DOWNLOAD_PATTERNS = ("download", "attach", "fileid=", ".do?", "getfile", "showfile", "filedown")


class Source(Declared):
    """One entry of ``sources:``. ``kind: folder`` needs ``path``; ``kind: listing`` needs ``url``."""

    name: str = Field(min_length=1)
    kind: Literal["folder", "listing"] = "folder"
    path: str | None = None
    url: str | None = None
    min_interval: float = Field(1.0, ge=0)  # seconds between two requests to the same site
    max_pages: int = Field(5, ge=1)  # listing pages read, the first one included
    max_documents: int = Field(200, ge=0)  # candidate links fetched per run
    max_bytes: int = Field(DEFAULT_MAX_BYTES, gt=0)  # per download
    timeout: float = Field(30.0, gt=0)  # seconds per request
    allow_hosts: tuple[str, ...] = ()  # hosts besides the listing's own
    download_patterns: tuple[str, ...] | None = None  # None: the file's top-level list

    @model_validator(mode="after")
    def _kind_needs(self) -> Source:
        if self.kind == "folder" and not self.path:
            raise ValueError(f"source {self.name!r}: kind folder needs a path")
        if self.kind == "listing" and not self.url:
            raise ValueError(f"source {self.name!r}: kind listing needs a url")
        if self.kind == "folder" and self.url:
            raise ValueError(f"source {self.name!r}: kind folder takes a path, not a url")
        if self.kind == "listing" and self.path:
            raise ValueError(f"source {self.name!r}: kind listing takes a url, not a path")
        return self

    @property
    def patterns(self) -> tuple[str, ...]:
        return DOWNLOAD_PATTERNS if self.download_patterns is None else self.download_patterns


class SourcesFile(Declared):
    """The whole of ``sources.yaml``."""

    max_total_bytes: int = Field(DEFAULT_MAX_TOTAL_BYTES, gt=0)  # downloaded per run, all sources
    download_patterns: tuple[str, ...] = DOWNLOAD_PATTERNS
    sources: tuple[Source, ...] = ()

    @model_validator(mode="after")
    def _resolved(self) -> SourcesFile:
        names = [s.name for s in self.sources]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"source names must be unique: {', '.join(twice)}")
        # each listing carries the list it uses, so a Source is complete on its own
        resolved = tuple(
            s
            if s.download_patterns is not None
            else s.model_copy(update={"download_patterns": self.download_patterns})
            for s in self.sources
        )
        object.__setattr__(self, "sources", resolved)
        return self


def read_sources(path: str | Path) -> SourcesFile:
    """The sources file validated; :class:`DeclarationError` names the file and each wrong key. A folder
    ``path`` written relative is resolved against the file's own folder."""
    path = Path(path)
    try:
        raw = yaml.load(path.read_text("utf-8"), Loader=SafeLoader)
    except yaml.YAMLError as error:
        raise DeclarationError(f"{path}: not YAML: {error}") from None
    try:
        read = SourcesFile.model_validate(raw if raw is not None else {})
    except ValidationError as error:
        raise DeclarationError(describe(error, str(path))) from None
    # a folder written relative is relative to the file, not to wherever the night was started
    here = path.resolve().parent
    folders = [
        s.model_copy(update={"path": str(here / s.path)}) if s.path and not Path(s.path).is_absolute() else s
        for s in read.sources
    ]
    return read.model_copy(update={"sources": tuple(folders) if isinstance(read.sources, tuple) else folders})


def load_sources(path: str | Path) -> list[Source]:
    """The sources of the file, in order (see :func:`read_sources` for the file's own limits)."""
    return list(read_sources(path).sources)
