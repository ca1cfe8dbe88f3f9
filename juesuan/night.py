"""One night of operations, as the operator hears of it: what each source gave, what was loaded, refused or
read again, which checks failed, which release was published, and whether anyone needs to look.

Library code without Prefect: the nightly flow (flows/nightly.py) turns a :class:`NightReport` into a Prefect
artifact and, when something needs a look, posts it to a webhook (:func:`notify`); ``juesuan nightly`` takes
its exit code from it.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from juesuan.ingest import Outcome
from juesuan.reference.fields import IngestStatus
from juesuan.sources import Archive
from juesuan.warehouse.db import connect
from juesuan.warehouse.load import Origin

log = logging.getLogger(__name__)
NOTIFY_TIMEOUT = 10.0  # seconds: a slow receiver never holds the night


@dataclass
class SourceLine:
    """One source's night: ``ok`` false with ``reason`` when it could not be read at all."""

    name: str
    kind: str
    ok: bool = True
    reason: str | None = None
    fetched: int = 0
    new: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)  # (url, why): links not followed
    errors: list[tuple[str, str]] = field(default_factory=list)  # (url, why): documents that failed to come
    not_documents: list[tuple[str, str]] = field(default_factory=list)  # (url, what came instead)


@dataclass
class NightReport:
    started_at: str
    sources: list[SourceLine] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # ingest outcomes by status
    quarantined: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    reprocessed: dict[str, int] = field(default_factory=dict)
    failed_checks: list[tuple[str, str, int]] = field(default_factory=list)  # (document, rule, failed)
    release: str | None = None
    release_new: bool = False
    error: str | None = None  # the night failed (the writer lock, a crash): nothing after it ran
    locked: bool = False  # it failed because another process held the warehouse

    @property
    def failed_sources(self) -> list[SourceLine]:
        return [s for s in self.sources if not s.ok]

    @property
    def needs_a_look(self) -> bool:
        """The night stopped, a source or a document link failed, or a file was refused."""
        failed_links = any(s.errors for s in self.sources)
        return bool(self.error or self.failed_sources or failed_links or self.quarantined)

    @property
    def exit_code(self) -> int:
        """0 all well; 1 a file was refused or a source failed; 3 the writer lock could not be had."""
        if self.locked:
            return 3
        return 1 if self.needs_a_look else 0

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "needs_a_look": self.needs_a_look, "exit_code": self.exit_code}

    def table(self) -> list[dict[str, Any]]:
        """Per source: fetched, new, failed with its reason (the artifact's table)."""
        return [
            {
                "source": s.name,
                "kind": s.kind,
                "status": "ok" if s.ok else "failed",
                "fetched": s.fetched,
                "new": s.new,
                "refused": len(s.refused),
                "failed links": len(s.errors),
                "reason": s.reason or "",
            }
            for s in self.sources
        ]

    def markdown(self) -> str:
        state = "FAILED" if self.error else ("needs a look" if self.needs_a_look else "all well")
        lines = [f"# juesuan nightly {self.started_at}: {state}", ""]
        if self.error:
            lines += [f"**The night stopped:** {self.error}", ""]
        columns = ["source", "kind", "status", "fetched", "new", "refused", "failed links", "reason"]
        lines += ["## Sources", "", "| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
        lines += ["| " + " | ".join(str(r[c]) for c in columns) + " |" for r in self.table()]
        for title, attribute in (
            ("Document links that failed", "errors"),
            ("Links refused", "refused"),
            ("Links that answered no document", "not_documents"),
        ):
            listed = [(s.name, url, why) for s in self.sources for url, why in getattr(s, attribute)]
            if listed:
                lines += ["", f"{title}:", ""] + [f"- {n}: {url}: {why}" for n, url, why in listed]
        lines += ["", "## Documents", ""]
        lines.append(", ".join(f"{n} {s}" for s, n in self.counts.items()) or "nothing to ingest")
        if self.reprocessed:
            lines += [
                "",
                "Read again by this parser: " + ", ".join(f"{n} {s}" for s, n in self.reprocessed.items()),
            ]
        if self.quarantined:
            lines += ["", "### Quarantined", ""] + [f"- {Path(p).name}: {why}" for p, why in self.quarantined]
        if self.failed_checks:
            lines += ["", "### Failed checks of the documents loaded tonight", ""]
            lines += [f"- {doc[:12]} {rule}: {n}" for doc, rule, n in self.failed_checks]
        lines += ["", "## Release", ""]
        if self.release:
            lines.append(f"{'new release' if self.release_new else 'unchanged, latest is'} {self.release}")
        else:
            lines.append("none")
        return "\n".join(lines) + "\n"


def source_lines(reports: Iterable[Any]) -> list[SourceLine]:
    """The gatherer's per-source reports as lines of the night's report."""
    return [
        SourceLine(
            name=r.name,
            kind=r.kind,
            ok=r.ok,
            reason=r.reason,
            fetched=getattr(r, "fetched", 0),
            new=getattr(r, "new", 0),
            refused=[tuple(x) for x in getattr(r, "refused", [])],
            errors=[tuple(x) for x in getattr(r, "errors", [])],
            not_documents=[tuple(x) for x in getattr(r, "not_documents", [])],
        )
        for r in reports
    ]


def tally(outcomes: Iterable[Outcome]) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """Counts by status (every status, zeros included) and the refused files with their reasons."""
    outcomes = list(outcomes)
    counted = Counter(o.status for o in outcomes)
    counts = {s.value: counted.get(s, 0) for s in IngestStatus}
    refused = [(o.path, o.reason or "") for o in outcomes if o.status == IngestStatus.QUARANTINED]
    return counts, refused


def failed_checks(warehouse: str | Path, document_ids: Iterable[str]) -> list[tuple[str, str, int]]:
    """(document, rule, failed) for the given documents: what tonight's documents disagree with."""
    ids = sorted(set(document_ids))
    if not ids or not Path(warehouse).exists():
        return []
    con = connect(warehouse, read_only=True)
    try:
        return con.execute(
            "SELECT document_id, check_id, count(*) FROM checks WHERE NOT passed "
            f"AND document_id IN ({', '.join('?' * len(ids))}) GROUP BY ALL ORDER BY ALL",
            ids,
        ).fetchall()
    finally:
        con.close()


def origins_from(archive_root: str | Path) -> Callable[[str], list[Origin]]:
    """Where a file of the archive came from (its fetches), for the warehouse's document_sources; a file
    elsewhere (a folder source) has no origin."""
    archive = Archive(archive_root)
    root = Path(archive_root).resolve()

    def origins(path: str) -> list[Origin]:
        file = Path(path).resolve()
        if root not in file.parents:
            return []
        return [
            Origin(r.get("url"), r.get("landing_page"), _when(r.get("fetched_at")))
            for r in archive.provenance(file.stem)
        ]

    return origins


def _when(value: object) -> datetime | None:
    if isinstance(value, datetime) or value is None:
        return value
    moment = datetime.fromisoformat(str(value))
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def notify(url: str | None, report: NightReport) -> bool:
    """POST the report (JSON, with its markdown as ``text``) to ``url``; True if it was accepted. Never
    raises: a receiver that is down is logged, the night's outcome stands."""
    if not url:
        return False
    import httpx

    payload = {"text": report.markdown(), **report.as_dict()}
    try:
        response = httpx.post(url, json=payload, timeout=NOTIFY_TIMEOUT)
        response.raise_for_status()
    except Exception as exc:  # a malformed URL, a refused connection, a 500: the night's outcome stands
        log.warning("notification to %s failed: %s", url, exc)
        return False
    return True


def started() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
