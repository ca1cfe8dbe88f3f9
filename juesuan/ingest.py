"""Ingest: discover → parse → validate → reconcile → load, one document at a time, without Prefect.

One path for every run: :func:`ingest` decides what is new, hands the new files to a *preparer* (the
strategy that runs :func:`prepare` — in this process, in forked workers, or as Prefect tasks on threads or
a Dask cluster; see ``flows/ingest.py``) and loads what comes back through the single writer
:func:`store`. :func:`prepare` is the per-document work (pure: bytes in, frames and a verdict out; safe in
a worker process); every failure in it is a refusal with a reason, never an exception out of the run.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pandas as pd
from packaging.version import InvalidVersion, Version

from juesuan import paths as defaults
from juesuan import pool
from juesuan.faults import checkpoint
from juesuan.parse import ParsedDocument, parse_document
from juesuan.parse import warm_up as parse_warm_up
from juesuan.parse.document import PARSER_VERSION
from juesuan.pdf import PdfProblem
from juesuan.reasons import reason
from juesuan.reconcile import reconcile_document
from juesuan.reference.fields import DocumentStatus, IngestStatus, resource
from juesuan.warehouse import connect
from juesuan.warehouse.db import checkpoint_when_due, tune_for_loading
from juesuan.warehouse.load import (
    Frame,
    Incoming,
    Origin,
    arrow_schema,
    as_arrow,
    load_batch,
    originals,
    record_source,
)
from schemas import validate

log = logging.getLogger(__name__)
BATCH = 32  # documents per writer transaction
BATCH_SECONDS = 5.0  # the longest a prepared document waits for its batch to fill
# A preparer turns (path, document_id) pairs into Prepared documents, yielded in input order.
Preparer = Callable[[list[tuple[str, str]]], Iterator["Prepared"]]


@dataclass
class Prepared:
    """What one file became before touching the warehouse."""

    path: str
    document_id: str
    document: dict
    # the rows to load, as Arrow tables with the warehouse's columns (frames while being judged)
    facts: Frame = field(default_factory=pd.DataFrame)
    figures: Frame = field(default_factory=pd.DataFrame)
    checks: Frame = field(default_factory=pd.DataFrame)
    refusal: str | None = None  # why the file is quarantined, None when it can load
    seconds: dict[str, float] = field(default_factory=dict)  # wall: parse, frames, validate, reconcile
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds of this process, same stages

    def at(self, path: str) -> Prepared:
        """The same result for the same bytes found under ``path`` (a cached result names the file it
        was first prepared from)."""
        if path == self.path:
            return self
        document = dict(self.document, source_path=path) if self.document else self.document
        return dataclasses.replace(self, path=path, document=document)

    @property
    def n_facts(self) -> int:
        return len(self.facts)


@dataclass
class Outcome:
    path: str
    document_id: str
    status: str  # loaded | skipped | duplicate | quarantined
    reason: str | None = None
    facts: int = 0
    figures: int = 0
    superseded: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # wall: parse … reconcile, load, year_checks
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds, same stages


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """PDFs under the given files and folders (any depth), in a stable order; a missing path is an error."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found += sorted(q for q in p.rglob("*") if q.is_file() and q.suffix.lower() == ".pdf")
        elif p.is_file():
            found.append(p)
        else:
            raise FileNotFoundError(f"{p}: no such file or folder")
    return found


def document_id(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _bare(path: str, doc_id: str) -> dict:
    return {"document_id": doc_id, "source_path": path, "parser_version": PARSER_VERSION}


class Laps:
    """Wall and CPU seconds per stage. CPU time is what a stage costs; wall time also counts waiting for a
    core that another process holds (two workers and a writer on two cores)."""

    def __init__(self, wall: dict[str, float] | None = None, cpu: dict[str, float] | None = None):
        self.wall, self.cpu = dict(wall or {}), dict(cpu or {})
        self.restart()

    def restart(self) -> None:
        self._wall, self._cpu = time.perf_counter(), time.process_time()

    def lap(self, stage: str, minus: tuple[float, float] = (0.0, 0.0)) -> None:
        """Charge the time since the last lap to ``stage`` (less ``minus``, wall and CPU, spent elsewhere)."""
        wall, cpu = time.perf_counter(), time.process_time()
        self.wall[stage] = self.wall.get(stage, 0.0) + wall - self._wall - minus[0]
        self.cpu[stage] = self.cpu.get(stage, 0.0) + cpu - self._cpu - minus[1]
        self._wall, self._cpu = wall, cpu


def prepare(path: str | Path) -> Prepared:
    """Parse and validate one file; every refusal says why (never raises for a bad file)."""
    path = str(path)
    data = Path(path).read_bytes()
    doc_id = hashlib.sha256(data).hexdigest()
    laps = Laps()
    try:
        doc = parse_document(data, name=Path(path).name)
    except PdfProblem as problem:
        return Prepared(path, doc_id, _bare(path, doc_id), refusal=problem.reason)
    except Exception as exc:  # a bad file must not stop the run, even without worker processes
        return Prepared(path, doc_id, _bare(path, doc_id), refusal=_unexpected(exc))
    laps.lap("parse")
    for warning in doc.warnings:
        log.debug("%s: %s", Path(path).name, warning)
    try:
        return judge(doc, path, laps)
    except Exception as exc:  # frames, validation and reconciliation sit inside the same boundary
        return Prepared(path, doc_id, _bare(path, doc_id), refusal=_unexpected(exc))


def _unexpected(exc: BaseException) -> str:
    """The refusal for an exception out of the PDF libraries: memory if a MemoryError is behind it (PDF
    libraries wrap it in their own exception types), else the exception named."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, MemoryError):
            return reason("memory", f"parsing exceeded the memory limit ({type(exc).__name__})")
        seen = seen.__cause__ or seen.__context__
    return reason("parser_error", f"{type(exc).__name__}: {str(exc)[:200]}")


def judge(doc: ParsedDocument, path: str, laps: Laps | None = None) -> Prepared:
    """A parsed document's verdict: the frames to load, or why it is refused."""
    laps = laps or Laps()
    doc_id = doc.document_id
    row = dict(doc.document_row(), source_path=path)
    why = None
    if doc.identity.is_template:
        why = reason("template", "XX placeholders, not a department's accounts")
    elif doc.needs_ocr:
        why = reason("needs_ocr", f"no table read and pages without usable text: {doc.text_layers}")
    elif doc.tables_unreadable:
        why = reason("text_only", f"tables not read (pages by text layer: {doc.text_layers})")
    elif doc.identity.doc_kind is None:
        why = reason("not_final_account", "no 'YYYY年度部门决算' or '…部门预算' on its cover")
    elif not doc.tables:
        what = "决算" if doc.identity.doc_kind == "final" else "预算 (budget)"
        why = reason("no_tables", f"no {what} table found (narrative only; tables published apart?)")
    elif doc.identity.fiscal_year is None or doc.identity.department_name is None:
        why = reason("no_identity", "department or fiscal year not found on the cover")
    if why:
        return Prepared(path, doc_id, row, refusal=why)
    laps.restart()
    facts, figures = doc.facts_frame(), doc.figures_frame()
    laps.lap("frames")
    problems = (
        validate("documents", pd.DataFrame([dict(row, status=DocumentStatus.LOADED)]))
        + validate("facts", facts)
        + (validate("narrative_figures", figures))
    )
    laps.lap("validate")
    checkpoint("validate")
    if problems:
        why = reason("invalid", "; ".join(problems))
        return Prepared(path, doc_id, row, facts, figures, refusal=why, seconds=laps.wall, cpu=laps.cpu)
    checks = reconcile_document(doc, facts, figures)
    laps.lap("reconcile")
    problems = validate("checks", checks) if not checks.empty else []
    laps.lap("validate")
    if problems:
        why = reason("invalid", "; ".join(problems))
        return Prepared(path, doc_id, row, facts, figures, refusal=why, seconds=laps.wall, cpu=laps.cpu)
    # the writer's rows, made here in the worker: the single writer then only concatenates them
    tables = [as_arrow(name, frame) for name, frame in (("facts", facts), ("narrative_figures", figures))]
    tables.append(as_arrow("checks", checks))
    laps.lap("frames")
    return Prepared(path, doc_id, row, *tables, seconds=laps.wall, cpu=laps.cpu)


def store(
    con,
    prepared: Prepared,
    quarantine_dir: Path | None,
    origins: Iterable[Origin] = (),
    replace: bool = False,
) -> Outcome:
    """Load a prepared document or record its refusal (the file is copied to the quarantine folder).
    ``replace``: the document is read again (see :func:`reprocess`)."""
    return store_batch(con, [prepared], quarantine_dir, lambda path: origins, replace)[0]


def store_batch(
    con,
    batch: list[Prepared],
    quarantine_dir: Path | None,
    origins: Callable[[str], Iterable[Origin]] = lambda path: (),
    replace: bool = False,
) -> list[Outcome]:
    """Load prepared documents and record refusals in one transaction (refused files are copied to the
    quarantine folder once it committed). If the batch fails, each document is stored alone, so a
    document the warehouse will not take is refused by itself (``load_failed``) and the others load.

    The batch's loading time is shared evenly among its documents in their outcomes."""
    items = [
        Incoming(p.document, p.facts, p.figures, p.checks, tuple(origins(p.path)), p.refusal) for p in batch
    ]
    laps = Laps()
    inside: dict[str, float] = {}
    try:
        results = load_batch(con, items, inside, replace)
    except Exception as exc:
        if len(batch) > 1:
            log.warning("a batch of %d documents failed to load (%s): each goes alone", len(batch), exc)
            return [o for p in batch for o in store_batch(con, [p], quarantine_dir, origins, replace)]
        prepared = batch[0]
        why = reason("load_failed", f"{type(exc).__name__}: {str(exc)[:200]}")
        failed = dataclasses.replace(prepared, refusal=why)
        return store_batch(con, [failed], quarantine_dir, origins, replace)
    year_checks = (inside.get("year_checks", 0.0), inside.get("year_checks_cpu", 0.0))
    laps.lap("load", minus=year_checks)  # the year ↔ year checks are reconciliation, run inside the load
    share = 1 / max(1, sum(p.refusal is None for p in batch))
    return [
        _outcome(p, status, superseded, quarantine_dir, laps, year_checks, share)
        for p, (status, superseded) in zip(batch, results, strict=True)
    ]


def _outcome(
    prepared: Prepared,
    status: str,
    superseded: list[str],
    quarantine_dir: Path | None,
    laps: Laps,
    year_checks: tuple[float, float],
    share: float,
) -> Outcome:
    if prepared.refusal:
        log.warning("quarantined %s: %s", prepared.path, prepared.refusal)
        copy = quarantine_dir / f"{prepared.document_id}.pdf" if quarantine_dir is not None else None
        recorded = status == IngestStatus.QUARANTINED
        if copy is not None and recorded and not copy.exists() and Path(prepared.path).exists():
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(prepared.path, copy)
        return Outcome(prepared.path, prepared.document_id, IngestStatus.QUARANTINED, prepared.refusal)
    wall, cpu = dict(prepared.seconds), dict(prepared.cpu)
    wall["load"], cpu["load"] = laps.wall["load"] * share, laps.cpu["load"] * share
    wall["year_checks"], cpu["year_checks"] = year_checks[0] * share, year_checks[1] * share
    log.info("%s %s: %d facts", status, prepared.path, prepared.n_facts)
    log.debug("%s seconds by stage: %s", prepared.path, {k: round(v, 3) for k, v in wall.items()})
    return Outcome(
        prepared.path,
        prepared.document_id,
        status,
        None,
        prepared.n_facts,
        len(prepared.figures),
        superseded,
        wall,
        cpu,
    )


def warm_up() -> None:
    """Build, before forking, what every document's preparation builds on first use: the parser's
    vocabularies (:func:`juesuan.parse.warm_up`), the validation schemas, each run once (pandera's first
    validation of a schema costs ~0.3 s), and the Arrow schemas the rows travel in. Every forked child
    would otherwise build them again, and lose them when it exits."""
    parse_warm_up()
    samples = {"VARCHAR": "x", "INTEGER": 1, "BIGINT": 1, "DOUBLE": 1.0, "BOOLEAN": True}
    for name in ("documents", "facts", "narrative_figures", "checks"):
        row = {}
        for f in resource(name).fields:
            row[f.name] = Decimal(1) if f.type.startswith("DECIMAL") else samples.get(f.type)
        validate(name, pd.DataFrame([row]))
        arrow_schema(name)


def _prepare_isolated(job: tuple[str, str]) -> Prepared:
    """prepare() in a limited child: a MemoryError while validating or reconciling is a refusal too."""
    path, _ = job
    try:
        return prepare(path)
    except MemoryError as exc:
        doc_id = document_id(path)
        return Prepared(path, doc_id, _bare(path, doc_id), refusal=_unexpected(exc))


def in_process(todo: list[tuple[str, str]]) -> Iterator[Prepared]:
    """The simplest preparer: every document in this process, one after the other."""
    return (prepare(path) for path, _ in todo)


def forked(workers: int, timeout: float = 300.0, memory_mb: int = 3072) -> Preparer:
    """A preparer that parses each document in its own forked process (at most ``workers`` at a time)
    under a time limit (``timeout`` seconds) and a memory limit (``memory_mb``)."""

    def run(todo: list[tuple[str, str]]) -> Iterator[Prepared]:
        return _parallel(todo, workers, timeout, memory_mb)

    return run


def ingest(
    paths: Iterable[str | Path],
    warehouse: str | Path = defaults.WAREHOUSE,
    on_document: Callable[[Outcome], None] | None = None,
    workers: int = 0,
    timeout: float = 300.0,
    memory_mb: int = 3072,
    wait: float = 0.0,
    on_wait: Callable[[str], None] | None = None,
    preparer: Preparer | None = None,
    origins: Callable[[str], Iterable[Origin]] | None = None,
    batch_size: int = BATCH,
) -> list[Outcome]:
    """Ingest files, streamed: one writer, documents loaded in order, up to ``batch_size`` documents per
    transaction (fewer when the parsers are slow: a batch waits at most ``BATCH_SECONDS`` for more).

    ``preparer`` says where documents are parsed; by default ``workers=0`` parses in this process and
    ``workers=N`` in N forked processes, each document under a time limit (``timeout`` seconds) and a
    memory limit (``memory_mb``), at most 4N documents ahead of the writer (a long document at the head of
    the line does not idle the other workers), so that no single file can stall or kill the run and memory
    stays flat as the corpus grows. The Prefect flow passes its own preparer (tasks on threads or Dask) and
    gets the same warehouse: duplicates, document sources, the writer-lock wait and quarantine alike.
    ``origins`` tells where a fetched file came from (URL, listing page, time: the nightly run's archive).
    """
    origins = origins or (lambda path: ())
    if preparer is None:
        preparer = in_process if workers <= 0 else forked(workers, timeout, memory_mb)
    warehouse = Path(warehouse)
    quarantine_dir = defaults.quarantine(warehouse)
    # the quarantine's copies are never inputs, even when the warehouse sits inside an input folder; paths
    # are recorded absolute, so that a report or a reprocess finds the file from any working directory
    files = [f.resolve() for f in discover(paths) if quarantine_dir.resolve() not in f.resolve().parents]
    con = connect(warehouse, wait=wait, on_wait=on_wait)
    tune_for_loading(con)
    outcomes: list[Outcome] = []

    def record(outcome: Outcome) -> None:
        outcomes.append(outcome)
        if on_document:
            on_document(outcome)

    try:
        todo: list[tuple[str, str]] = []
        first_in_run: set[str] = set()
        repeats: list[tuple[str, str]] = []
        hashed: list[tuple[str, str | OSError]] = []
        for path in map(str, files):
            try:
                hashed.append((path, document_id(path)))
            except OSError as exc:  # gone since it was listed, or not ours to read: the others go on
                hashed.append((path, exc))
        known = originals(con, (doc_id for _, doc_id in hashed if isinstance(doc_id, str)))
        for path, doc_id in hashed:
            if isinstance(doc_id, OSError):
                why = reason("unreadable", f"{type(doc_id).__name__}: {doc_id.strerror or doc_id}")
                record(Outcome(path, "", IngestStatus.QUARANTINED, why))
            elif doc_id in known:
                record(_seen_before(con, path, doc_id, *known[doc_id], origins(path)))
            elif doc_id in first_in_run:
                repeats.append((path, doc_id))  # answered once the first copy is stored
            else:
                first_in_run.add(doc_id)
                todo.append((path, doc_id))
        for batch in _batches(preparer(todo), batch_size, BATCH_SECONDS):
            for outcome in store_batch(con, batch, quarantine_dir, origins):
                record(outcome)
            checkpoint_when_due(con)
        stored = originals(con, (doc_id for _, doc_id in repeats))
        for path, doc_id in repeats:
            record(_seen_before(con, path, doc_id, *stored[doc_id], origins(path)))
    finally:
        con.close()
    return outcomes


def _batches(prepared: Iterator[Prepared], size: int, seconds: float) -> Iterator[list[Prepared]]:
    """Consecutive prepared documents, ``size`` at a time, or fewer once the first of them has waited
    ``seconds`` (checked as each document arrives: a slow parser delays its batch, never reorders it)."""
    batch: list[Prepared] = []
    started = 0.0
    for item in prepared:
        if not batch:
            started = time.monotonic()
        batch.append(item)
        if len(batch) >= max(1, size) or time.monotonic() - started >= seconds:
            yield batch
            batch = []
    if batch:
        yield batch


def _version(parser_version: str | None) -> Version:
    """``juesuan-0.9.1`` → 0.9.1 (an unknown or missing version is older than any)."""
    try:
        return Version((parser_version or "").removeprefix("juesuan-"))
    except InvalidVersion:
        return Version("0")


def stale(
    con, older_than: str = PARSER_VERSION, quarantined: bool = True, limit: int | None = None
) -> list[tuple[str, str, str]]:
    """(document_id, status, source_path) of the current and refused documents parsed by a juesuan older
    than ``older_than``, oldest reading first; superseded history is left as it was read."""
    statuses = [DocumentStatus.LOADED, *([DocumentStatus.QUARANTINED] if quarantined else [])]
    rows = con.execute(
        "SELECT document_id, status, source_path, parser_version FROM documents "
        f"WHERE status IN ({', '.join('?' * len(statuses))}) ORDER BY ingested_at, document_id",
        statuses,
    ).fetchall()
    found = [(d, st, src) for d, st, src, v in rows if _version(v) < _version(older_than)]
    return found[:limit] if limit is not None else found


def _readable_copy(con, doc_id: str, source_path: str, quarantine_dir: Path) -> str | None:
    """A file holding the document's bytes: where it was read, any other path it was seen under, or its
    quarantine copy (checked by content: a path may hold other bytes by now)."""
    seen = con.execute(
        "SELECT DISTINCT source_path FROM document_sources WHERE document_id = ? ORDER BY 1", [doc_id]
    ).fetchall()
    paths = [source_path, *(r[0] for r in seen), str(quarantine_dir / f"{doc_id}.pdf")]
    return next((p for p in paths if Path(p).is_file() and document_id(p) == doc_id), None)


def reprocess(
    warehouse: str | Path = defaults.WAREHOUSE,
    older_than: str = PARSER_VERSION,
    quarantined: bool = True,
    limit: int | None = None,
    on_document: Callable[[Outcome], None] | None = None,
    wait: float = 0.0,
    on_wait: Callable[[str], None] | None = None,
    preparer: Preparer | None = None,
    timeout: float = 300.0,
    memory_mb: int = 3072,
) -> list[Outcome]:
    """Read again, with this parser, the documents an older one read (loaded, and refused unless
    ``quarantined`` is off), at most ``limit``: a parser upgrade reaches documents already seen. Each is
    replaced in one transaction (or refused again, with the new reason); one whose bytes are nowhere to be
    found any more stays as it was, reported as skipped (it does not count toward ``limit``). Each is read
    in a child process under ``timeout`` seconds and ``memory_mb`` (the refused include files that hung or
    exploded), one at a time: the writer holds the lock meanwhile."""
    preparer = preparer or forked(1, timeout, memory_mb)
    warehouse = Path(warehouse)
    quarantine_dir = defaults.quarantine(warehouse)
    con = connect(warehouse, wait=wait, on_wait=on_wait)
    tune_for_loading(con)
    outcomes: list[Outcome] = []
    try:
        todo, recorded_as = [], {}
        for doc_id, _, source_path in stale(con, older_than, quarantined):
            if limit is not None and len(todo) >= limit:
                break
            path = _readable_copy(con, doc_id, source_path, quarantine_dir)
            if path is None:
                outcomes.append(
                    Outcome(source_path, doc_id, IngestStatus.SKIPPED, "its bytes are nowhere now")
                )
                continue
            todo.append((path, doc_id))
            recorded_as[doc_id] = source_path
        for prepared in preparer(todo):
            # the document keeps the path it was first read from, whichever copy was read now
            outcome = store(con, prepared.at(recorded_as[prepared.document_id]), quarantine_dir, replace=True)
            outcomes.append(outcome)
            if on_document:
                on_document(outcome)
            checkpoint_when_due(con)
    finally:
        con.close()
    return outcomes


def _seen_before(
    con, path: str, doc_id: str, original_path: str, status: str, origins: Iterable[Origin] = ()
) -> Outcome:
    """The same bytes again: under the same path nothing happens; under another name the path is recorded
    as a source of the original document and the outcome points at it."""
    if path == original_path:
        record_source(con, doc_id, path, origins)  # fetched again from another URL: that is provenance too
        return Outcome(path, doc_id, IngestStatus.SKIPPED, f"already in the warehouse ({status})")
    record_source(con, doc_id, path, origins)
    return Outcome(path, doc_id, IngestStatus.DUPLICATE, f"same bytes as {original_path} ({status})")


def prepare_isolated(path: str | Path, timeout: float = 300.0, memory_mb: int = 3072) -> Prepared:
    """:func:`prepare` in a child process under the time and memory limits (for callers that run
    documents on threads, such as the Prefect flow: the child comes from a fork server, not from a fork
    of a multi-threaded process)."""
    path = str(path)
    return next(_parallel([(path, document_id(path))], 1, timeout, memory_mb, method="forkserver"))


def _parallel(
    todo: list[tuple[str, str]], workers: int, timeout: float, memory_mb: int, method: str = "fork"
) -> Iterator[Prepared]:
    """Prepared documents in input order, each parsed in its own child process (:func:`juesuan.pool.run`:
    at most ``workers`` at a time, at most 4 × ``workers`` ahead of the writer)."""
    if method == "fork":
        warm_up()  # the pool's relay, and every child it forks, inherit them instead of building their own
    # (a fork server's children come from the server, which preloads this module: warming here is moot)
    yield from pool.run(_prepare_isolated, todo, _failed, workers, timeout, memory_mb, method)


def _failed(job: tuple[str, str], failure: pool.Failure) -> Prepared:
    path, doc_id = job
    if failure.kind == "timeout":
        why = reason("timeout", f"parsing took longer than {failure.timeout:.0f} s")
    else:
        why = reason("crashed", f"the parsing process died ({failure.cause})")
    return Prepared(path, doc_id, _bare(path, doc_id), refusal=why)
