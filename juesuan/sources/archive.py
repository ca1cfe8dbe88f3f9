"""The archive: fetched documents by content, and every fetch of every URL in an indexed store.

Files live at ``<root>/<sha256[:2]>/<sha256>.pdf`` (the SHA-256 of the bytes, which is also the warehouse's
``document_id``). ``<root>/index.sqlite`` (stdlib sqlite3, WAL) holds one row per fetch or refusal:

======================  ==================================================================================
column                  meaning
======================  ==================================================================================
id                      order of the fetches
url                     the link as followed (percent-encoded); the final URL is ``final_url``
final_url               where the answer came from after redirects (NULL when the same or none)
landing_page            the listing page the link was found on (NULL for a listing page itself)
source                  the source's name in sources.yaml
fetched_at              UTC, ISO 8601, seconds
status                  ``page`` a listing page read; ``document`` a PDF archived; ``not_modified`` a 304
                        (sha256: the bytes it confirms); ``not_document`` an answer that is not a PDF;
                        ``refused`` a rule of ours (scheme, host, robots.txt, size, pages); ``failed`` the
                        request failed (HTTP 4xx/5xx, timeout, connection)
http_status             200, 304, 404 … when there was an answer
etag, last_modified     the answer's validators, sent back (If-None-Match, If-Modified-Since) next time
content_type, filename  Content-Type and Content-Disposition's file name
sha256, bytes           the content (documents, 304s and pages)
new_content             1 when these bytes were not in the archive before this fetch
reason                  why: the refusal, the failure, what a not-document answered
======================  ==================================================================================

Indexes on ``url`` and ``sha256``: a URL's last state and a document's provenance are lookups, whatever the
archive's age. An ``index.jsonl`` of an older archive is imported on first open and kept as
``index.jsonl.imported``.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS fetches (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    final_url TEXT,
    landing_page TEXT,
    source TEXT,
    fetched_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN
        ('page', 'document', 'not_modified', 'not_document', 'refused', 'failed')),
    http_status INTEGER,
    etag TEXT,
    last_modified TEXT,
    content_type TEXT,
    filename TEXT,
    sha256 TEXT,
    bytes INTEGER,
    new_content INTEGER,
    reason TEXT
);
CREATE INDEX IF NOT EXISTS fetches_url ON fetches (url, id);
CREATE INDEX IF NOT EXISTS fetches_sha256 ON fetches (sha256);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""
COLUMNS = (
    "url",
    "final_url",
    "landing_page",
    "source",
    "fetched_at",
    "status",
    "http_status",
    "etag",
    "last_modified",
    "content_type",
    "filename",
    "sha256",
    "bytes",
    "new_content",
    "reason",
)
STATUSES = ("page", "document", "not_modified", "not_document", "refused", "failed")
SCHEMA_VERSION = "1"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _from_jsonl(record: dict[str, Any]) -> dict[str, Any]:
    """A line of the old ``index.jsonl`` as a row."""
    if record.get("not_modified"):
        status = "not_modified"
    elif record.get("error"):
        status = "failed"
    elif record.get("sha256"):
        status = "document"
    else:
        status = "failed"
    new = record.get("new_content")
    return {
        **{k: record.get(k) for k in COLUMNS},
        "status": status,
        "reason": record.get("error"),
        "new_content": None if new is None else int(bool(new)),
        "fetched_at": record.get("fetched_at") or now(),
    }


class Archive:
    """Documents by content under ``root`` and the index of every fetch (``index.sqlite``)."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.index = self.root / "index.sqlite"
        self._db: sqlite3.Connection | None = None
        self._opening = threading.Lock()

    # --- the store ----------------------------------------------------------------------------------------
    @property
    def db(self) -> sqlite3.Connection:
        """The index, opened on first use. The connection may be used from any thread (the flow's tasks run
        on threads; sqlite3 serialises calls on one connection)."""
        with self._opening:
            if self._db is None:
                self._open()
        assert self._db is not None
        return self._db

    def _open(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.index, timeout=60, isolation_level=None, check_same_thread=False)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")  # durable at each checkpoint; never corrupt under WAL
        db.executescript(SCHEMA)
        db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])
        self._db = db
        self._import_jsonl()

    def _import_jsonl(self) -> None:
        old = self.root / "index.jsonl"
        if not old.exists():
            return
        db = self._db
        assert db is not None
        db.execute("BEGIN IMMEDIATE")
        try:
            if db.execute("SELECT 1 FROM meta WHERE key = 'imported_jsonl'").fetchone() is None:
                rows, unreadable = [], 0
                for line in old.read_text("utf-8", errors="replace").splitlines():
                    try:
                        rows.append(_from_jsonl(json.loads(line)))
                    except (ValueError, TypeError, AttributeError):  # a line cut short by a crash
                        unreadable += bool(line.strip())
                db.executemany(self._insert, [[r[c] for c in COLUMNS] for r in rows])
                note = f"{len(rows)} rows, {unreadable} unreadable lines, {now()}"
                db.execute("INSERT INTO meta VALUES ('imported_jsonl', ?)", [note])
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        old.replace(old.with_name("index.jsonl.imported"))

    _insert = f"INSERT INTO fetches ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def log(self, record: dict[str, Any]) -> dict[str, Any]:
        """One row (a fetch, a refusal); ``fetched_at`` now unless given. Returns the row as stored."""
        row = {c: record.get(c) for c in COLUMNS}
        row["fetched_at"] = row["fetched_at"] or now()
        if row["status"] not in STATUSES:
            raise ValueError(f"status {row['status']!r} is none of {STATUSES}")
        if row["new_content"] is not None:
            row["new_content"] = int(bool(row["new_content"]))
        self.db.execute(self._insert, [row[c] for c in COLUMNS])
        return row

    def records(self, url: str | None = None) -> list[dict[str, Any]]:
        """Every row (of one URL), in fetch order."""
        where, args = ("WHERE url = ?", [url]) if url is not None else ("", [])
        rows = self.db.execute(f"SELECT * FROM fetches {where} ORDER BY id", args).fetchall()
        return [dict(r) for r in rows]

    def last(self, url: str) -> dict[str, Any] | None:
        """The URL's last answer that can be asked again conditionally: a document whose bytes are still
        in the archive (or the 304 that confirmed them), an answer that was not a document, or one refused
        for what it was (its size: ``http_status`` recorded)."""
        row = self.db.execute(
            "SELECT * FROM fetches WHERE url = ? AND (status IN ('document', 'not_modified', 'not_document') "
            "OR (status = 'refused' AND http_status IS NOT NULL)) ORDER BY id DESC LIMIT 1",
            [url],
        ).fetchone()
        if row is None:
            return None
        if row["status"] in ("document", "not_modified") and not (
            row["sha256"] and self.path_of(row["sha256"]).exists()
        ):
            return None
        return dict(row)

    def provenance(self, sha256: str) -> list[dict[str, Any]]:
        """Every fetch that downloaded these bytes (status ``document``), oldest first: url, final_url,
        landing_page, source, fetched_at, filename (Content-Disposition's). 304s that later confirmed the
        same bytes are not repeated here (see :meth:`records`)."""
        rows = self.db.execute(
            "SELECT url, final_url, landing_page, source, fetched_at, filename FROM fetches "
            "WHERE sha256 = ? AND status = 'document' ORDER BY id",
            [sha256],
        ).fetchall()
        return [dict(r) for r in rows]

    # --- the files ----------------------------------------------------------------------------------------
    def path_of(self, sha256: str) -> Path:
        return self.root / sha256[:2] / f"{sha256}.pdf"

    def incoming(self) -> Path:
        """A fresh temporary file for a download (not ``.pdf``: never picked up as a document)."""
        folder = self.root / ".incoming"
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{uuid.uuid4().hex}.download"

    def adopt(self, temp: Path, sha256: str) -> tuple[Path, bool]:
        """Move a downloaded file into place under its SHA-256; ``new`` when those bytes were not there."""
        target = self.path_of(sha256)
        if target.exists():
            temp.unlink(missing_ok=True)
            return target, False
        target.parent.mkdir(parents=True, exist_ok=True)
        with temp.open("rb") as f:
            os.fsync(f.fileno())
        temp.replace(target)
        return target, True

    def add(self, data: bytes, record: dict[str, Any]) -> tuple[Path, bool]:
        """Archive ``data`` and log it as a ``document`` fetch (``record`` gives url, source …)."""
        sha = hashlib.sha256(data).hexdigest()
        temp = self.incoming()
        temp.write_bytes(data)
        path, new = self.adopt(temp, sha)
        self.log({"status": "document", **record, "sha256": sha, "bytes": len(data), "new_content": new})
        return path, new
