"""The ``juesuan`` command line (DESIGN.md §2). Commands arrive with their issues; each one here works.

Errors: one boundary (:class:`Boundary`, the command group) turns what a user can get wrong into one red
line ``error: …`` on standard error and an exit code (2 usage or input, 1 a failed operation, 3 the writer
lock); ``--debug`` prints the traceback as well.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
import traceback
import unicodedata
from collections.abc import Iterator
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup
from typer.exceptions import TyperException

from juesuan import __version__
from juesuan import paths as defaults

if TYPE_CHECKING:
    from juesuan.ingest import Outcome, Preparer


# piped output (make demo, CI logs) gets a wide table instead of rich's 80-column default
class _Console:
    """A rich ``Console`` made on first use. rich costs a sixth of a second to import, which ``juesuan
    query`` and ``juesuan --help`` (asked to start in under half a second) need not pay."""

    def __init__(self, **options: Any):
        self._options = options
        self._made: Any = None

    def __getattr__(self, name: str) -> Any:
        if self._made is None:
            from rich.console import Console

            self._made = Console(**self._options)
        return getattr(self._made, name)


def Table(*args: Any, **kwargs: Any) -> Any:  # rich's Table, imported when a table is made
    from rich.table import Table as RichTable

    return RichTable(*args, **kwargs)


console = _Console(width=None if sys.stdout.isatty() else 160)
# error lines are never wrapped: one error, one line, whatever the width
err_console = _Console(stderr=True, soft_wrap=True, highlight=False)
DEBUG = "juesuan.debug"  # ctx.meta key: --debug was given

# exit codes (README, "The warehouse, the extracts and the command line")
FAILED, USAGE, LOCKED = 1, 2, 3


# options several commands share, declared once
WarehouseOption = Annotated[Path, typer.Option(help="DuckDB file")]
SourcesOption = Annotated[Path, typer.Option(help="sources file (sources.yaml)")]
ExtractsOption = Annotated[Path, typer.Option(help="extracts folder (releases, latest)")]
ArchiveOption = Annotated[Path, typer.Option(help="where fetched files are kept")]
NotifyOption = Annotated[
    str | None, typer.Option(help="webhook for a night that needs a look (else $JUESUAN_NOTIFY_URL)")
]


class UserError(Exception):
    """An error to tell the user in one line, with its exit code (the cause, if any, is chained)."""

    def __init__(self, message: str, code: int = USAGE):
        super().__init__(message)
        self.code = code


def one_line(text: str) -> str:
    """A message on one line: DuckDB's own text and hint (``Did you mean "facts"?``) without the quoted
    statement and caret (``LINE 1: …``) that follow them; other line breaks become ``; ``."""
    joined = ""
    for line in str(text).splitlines():
        if line.startswith("LINE "):
            break
        if line := line.strip():
            joined += (" " if joined[-1:] in ".!?:" else "; ") + line if joined else line
    return joined or str(text).strip()


def explain(exc: BaseException) -> tuple[int, str]:
    """Exit code and message for an exception out of a command; unknown ones are a failed operation.

    The modules an exception may come from are looked up, not imported: an exception of a module that was
    never imported cannot have been raised, and the boundary must not fail on an import of its own."""
    db = sys.modules.get("juesuan.warehouse.db")
    duckdb = sys.modules.get("duckdb")
    page = sys.modules.get("juesuan.pdf.page")
    if isinstance(exc, UserError):
        return exc.code, one_line(str(exc))
    if db is not None and isinstance(exc, db.WarehouseLocked):
        return LOCKED, f"{one_line(str(exc))}; nothing was changed"
    if duckdb is not None and isinstance(exc, duckdb.Error):  # wrong SQL or values: usage; else failed
        wrong = isinstance(exc, duckdb.ProgrammingError | duckdb.DataError)
        return (USAGE if wrong else FAILED), one_line(str(exc))
    if page is not None and isinstance(exc, page.PdfProblem):
        return USAGE, str(exc)
    if isinstance(exc, OSError):  # a missing file or folder is the user's to fix; a full disk is not
        given = isinstance(exc, FileNotFoundError | IsADirectoryError | NotADirectoryError)
        message = f"{exc.filename}: {exc.strerror}" if exc.filename and exc.strerror else one_line(str(exc))
        return (USAGE if given else FAILED), message
    if isinstance(exc, ValueError):  # bad parameters, a declaration with mistakes (DeclarationError)
        return USAGE, one_line(str(exc))
    return FAILED, f"{type(exc).__name__}: {one_line(str(exc))} (an unexpected error: --debug shows where)"


def say_error(message: str) -> None:
    from rich.text import Text

    err_console.print(Text.assemble(("error:", "bold red"), " ", message))


class Boundary(TyperGroup):
    """The command group with the error boundary around every command (including its options: a bad
    ``--format`` is one line too)."""

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort):
            raise
        except TyperException as exc:  # usage: a bad option or argument, a missing one, a bad command
            if ctx.meta.get(DEBUG):
                traceback.print_exc(file=sys.stderr)
            where = getattr(exc, "ctx", None)  # a usage error knows its command
            hint = f" (see {where.command_path} --help)" if where is not None and exc.exit_code == 2 else ""
            say_error(one_line(exc.format_message()) + hint)
            raise typer.Exit(exc.exit_code) from None
        except Exception as exc:
            code, message = explain(exc)
            if ctx.meta.get(DEBUG):
                traceback.print_exc(file=sys.stderr)
            say_error(message)
            raise typer.Exit(code) from None


app = typer.Typer(
    cls=Boundary,
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,  # click's plain help: typer's rich help imports markdown and syntax modules
    pretty_exceptions_enable=False,  # the Boundary reports errors (--debug for the traceback)
    help="部门决算 disclosures → validated dataset.",
)


def page_count(path: Path, data: bytes | None = None) -> int:
    """Pages of a PDF, or :class:`PdfProblem` saying why it cannot be read (empty, not a PDF, truncated,
    encrypted, unreadable): the refusals an ingest records, as PDFium (the default engine) sees them."""
    import pypdfium2 as pdfium

    from juesuan.pdf import PdfProblem
    from juesuan.pdf.reader import sniff

    data = path.read_bytes() if data is None else data
    sniff(data, str(path))
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == pdfium.raw.FPDF_ERR_PASSWORD:
            raise PdfProblem(str(path), "encrypted", "a password is needed to open it") from exc
        raise PdfProblem(str(path), "unreadable", f"PDFium: {exc}") from exc
    try:
        return len(pdf)
    finally:
        pdf.close()


class Progress:
    """Documents as they are done: on a terminal a progress bar (n/N, the file at hand, counts by
    status); elsewhere (pipes, CI, cron) one plain line per document: status, file, facts or reason."""

    def __init__(self, verb: str, total: int | None = None):
        self.verb, self.total, self.done = verb, total, 0
        self.counts: dict[str, int] = {}
        self.bar = None
        self.task = None

    def __enter__(self) -> Progress:
        if console.is_terminal:
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as Bar

            self.bar = Bar(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.fields[counts]}"),
                TextColumn("{task.fields[file]}"),
                console=console,
                transient=True,
            )
            self.bar.__enter__()
            self.task = self.bar.add_task(self.verb, total=self.total, counts="", file="")
        return self

    def __exit__(self, *exc_info) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc_info)

    def set_total(self, total: int) -> None:
        self.total = total
        if self.bar is not None:
            self.bar.update(self.task, total=total)

    def working_on(self, path: str | Path) -> None:
        if self.bar is not None:
            self.bar.update(self.task, file=Path(path).name)

    def document(self, outcome: Outcome) -> None:
        self.done += 1
        self.counts[outcome.status] = self.counts.get(outcome.status, 0) + 1
        name = Path(outcome.path).name
        if self.bar is not None:
            counts = ", ".join(f"{n} {s}" for s, n in self.counts.items())
            self.bar.update(self.task, advance=1, counts=counts, file=name)
            return
        if outcome.reason:
            what = outcome.reason
        else:
            what = f"{outcome.facts} facts, {outcome.figures} figures"
            if outcome.superseded:
                what += f"; supersedes {', '.join(s[:12] for s in outcome.superseded)}"
        n = f"{self.done}/{self.total}" if self.total is not None else str(self.done)
        console.print(f"[{n}] {outcome.status} {name}: {what}", markup=False, highlight=False, soft_wrap=True)

    def watching(self, preparer: Preparer, count: bool = False) -> Preparer:
        """``preparer`` telling the bar which file it is reading now (and, with ``count``, how many)."""

        def watched(todo: list[tuple[str, str]]) -> Iterator:
            if count:
                self.set_total(len(todo))
            results = iter(preparer(todo))
            for path, _ in todo:
                self.working_on(path)
                prepared = next(results, None)
                if prepared is None:
                    return
                yield prepared

        return watched


def say_waiting(message: str) -> None:
    console.print(f"[yellow]{message}[/yellow]")


@app.command()
def inventory(
    paths: Annotated[list[Path] | None, typer.Argument(help="PDF files or folders")] = None,
) -> None:
    """List the PDFs an ingest of PATHS would read: identity, pages and (for generated ones) their truth;
    a file that cannot be read is listed with the reason an ingest would quarantine it for."""
    from juesuan.ingest import discover
    from juesuan.pdf import PdfProblem

    files = discover(paths or [defaults.SAMPLES])
    rows, bad = [], 0
    for f in files:
        data = f.read_bytes()
        dept = year = family = facts = figures = "-"
        problem = ""
        try:
            pages = str(page_count(f, data))
        except PdfProblem as exc:
            pages, problem = "-", exc.reason
            bad += 1
        truth_path = f.with_name(f.stem + ".truth.json")
        if truth_path.exists():
            try:
                truth = json.loads(truth_path.read_text("utf-8"))
                doc = truth["documents"][0]
                dept, year, family = doc["department_name"], str(doc["fiscal_year"]), doc["template_family"]
                facts, figures = str(len(truth["facts"])), str(len(truth["narrative_figures"]))
            except (ValueError, KeyError, IndexError, TypeError) as exc:
                problem = (problem + "; " if problem else "") + f"truth file unreadable ({exc})"
        row = [f.name, hashlib.sha256(data).hexdigest()[:12], f"{len(data) // 1024}", pages]
        rows.append([*row, dept, year, family, facts, figures, problem])
    title = f"{len(files)} PDFs to ingest" + (
        f" ({bad} unreadable: an ingest quarantines them)" if bad else ""
    )
    table = Table(title=title)
    columns = ("file", "document_id", "KiB", "pages", "department", "year", "family", "facts", "figures")
    for col in (*columns, "problem"):
        table.add_column(col, justify="right" if col in ("KiB", "pages", "facts", "figures") else "left")
    for row in rows:
        table.add_row(*row[:-1], f"[red]{row[-1]}[/red]" if row[-1] else "")
    console.print(table)


@app.command()
def synth(
    out: Annotated[Path, typer.Option(help="folder for PDFs and truth")],
    count: Annotated[int, typer.Option(help="number of documents")] = 10,
    seed: Annotated[int, typer.Option(help="same seed, same bytes")] = 0,
    inconsistencies: Annotated[int, typer.Option(help="deliberate inconsistencies per document")] = 0,
) -> None:
    """Generate a deterministic corpus of disclosures with exact ground truth (python -m juesuan.synth)."""
    from juesuan.synth.corpus import generate_corpus

    paths = generate_corpus(out, count, seed, inconsistencies)
    console.print(f"wrote {len(paths)} documents to {out}")


@app.command()
def parse(
    file: Annotated[Path, typer.Argument(help="a disclosure PDF")],
    facts_csv: Annotated[Path | None, typer.Option(help="write the facts as CSV here")] = None,
) -> None:
    """Parse one PDF and print its identity, tables and narrative figures (no warehouse involved)."""
    from juesuan.parse import parse_document

    doc = parse_document(file)
    console.print(doc.document_row())
    table = Table(
        title=f"{len(doc.tables)} tables, {len(doc.facts())} facts, {len(doc.figures)} narrative figures"
    )
    for col in ("table", "title", "pages", "unit", "facts", "empty"):
        table.add_column(col)
    for t in doc.tables:
        table.add_row(
            t.table_code,
            t.title,
            ",".join(map(str, t.pages)),
            t.unit,
            str(len(t.facts)),
            "yes" if t.empty else "",
        )
    console.print(table)
    for w in doc.warnings:
        console.print(f"[yellow]warning[/yellow] {w}")
    if facts_csv:
        doc.facts_frame().to_csv(facts_csv, index=False)
        console.print(f"wrote {facts_csv}")


@app.command()
def inspect(
    file: Annotated[Path, typer.Argument(help="a disclosure PDF")],
    page: Annotated[int, typer.Option(min=1, help="1-based page number")],
    out: Annotated[Path | None, typer.Option(help="PNG to write")] = None,
) -> None:
    """Draw what the parser found on one page (cells, measures, table grid) into a PNG."""
    from juesuan.parse.inspect import inspect_page

    pages = page_count(file)  # before the parse: a wrong page number is told at once
    if page > pages:
        raise UserError(f"{file}: page {page} out of 1..{pages}")
    target = out or defaults.INSPECT / f"{file.stem}_p{page}.png"
    console.print(f"wrote {inspect_page(file, page, target)}")


@app.command()
def ingest(
    paths: Annotated[
        list[Path] | None, typer.Argument(help=f"PDF files or folders (default {defaults.RAW}/)")
    ] = None,
    warehouse: WarehouseOption = defaults.WAREHOUSE,
    flow: Annotated[bool, typer.Option("--flow", help="run through the Prefect ingest flow")] = False,
    workers: Annotated[int, typer.Option(help="parse in N separate processes (time and memory limited)")] = 0,
    timeout: Annotated[
        float, typer.Option(help="seconds one document may take to parse (with --workers)")
    ] = 300,
    wait: Annotated[float, typer.Option(help="seconds to wait for another ingest's writer lock")] = 600,
    dask_address: Annotated[
        str | None,
        typer.Option(help="parse on this Dask cluster (tcp://HOST:PORT) through the Prefect flow"),
    ] = None,
) -> None:
    """Ingest PDFs into the warehouse; exit 1 when a file was quarantined, 3 when the warehouse was locked.
    On a terminal a progress bar; elsewhere one line per document as it is done."""
    from juesuan.ingest import discover, forked, in_process
    from juesuan.ingest import ingest as run
    from juesuan.reference.fields import IngestStatus

    files = discover(paths or [defaults.RAW])
    if flow or dask_address:
        from flows.ingest import run_ingest_flow

        counts = run_ingest_flow([str(f) for f in files], str(warehouse), dask_address, workers)["counts"]
        console.print(", ".join(f"{n} {s}" for s, n in counts.items()))
        raise typer.Exit(1 if counts[IngestStatus.QUARANTINED] else 0)
    from juesuan.warehouse.db import WarehouseLocked

    quarantine_dir = defaults.quarantine(warehouse).resolve()  # never inputs (as ingest itself skips them)
    total = sum(quarantine_dir not in f.resolve().parents for f in files)
    try:
        with Progress("ingesting", total) as progress:
            outcomes = run(
                files,
                warehouse,
                on_document=progress.document,
                workers=workers,
                timeout=timeout,
                wait=wait,
                on_wait=say_waiting,
                preparer=progress.watching(in_process if workers <= 0 else forked(workers, timeout)),
            )
    except WarehouseLocked as exc:
        raise UserError(f"not ingested: {exc}; nothing was changed", LOCKED) from exc
    table = Table(title=f"ingest into {warehouse}")
    for col in ("file", "status", "facts", "figures", "reason"):
        table.add_column(col)
    for o in outcomes:
        style = {IngestStatus.LOADED: "green", IngestStatus.QUARANTINED: "red"}.get(o.status, "")
        reason = o.reason or (f"supersedes {', '.join(s[:12] for s in o.superseded)}" if o.superseded else "")
        table.add_row(
            Path(o.path).name,
            f"[{style}]{o.status}[/{style}]" if style else o.status,
            str(o.facts),
            str(o.figures),
            reason,
        )
    console.print(table)
    counts = {s: sum(o.status == s for o in outcomes) for s in IngestStatus}
    console.print(", ".join(f"{n} {s}" for s, n in counts.items()))
    raise typer.Exit(1 if counts[IngestStatus.QUARANTINED] else 0)


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


# Not an allow-list (the read-only connection decides what runs): only to word the error of a write that
# DuckDB fails before its read-only check (an INSERT with the wrong number of values fails at binding).
WRITES = {"INSERT", "UPDATE", "DELETE", "MERGE_INTO", "ALTER", "DROP"}


@app.command()
def query(
    sql: Annotated[str, typer.Argument(help="SQL: anything a read-only connection runs")],
    warehouse: WarehouseOption = defaults.WAREHOUSE,
    format: Annotated[Format, typer.Option("--format", help="how to print the result")] = Format.table,
    release: Annotated[
        str | None,
        typer.Option(help="query a release's juesuan.duckdb instead: latest or a name (2026-01-31-2)"),
    ] = None,
    extracts: Annotated[Path, typer.Option(help="folder of releases/ and latest, for --release")] = (
        defaults.EXTRACTS
    ),
) -> None:
    """Run SQL on a read-only connection to the warehouse or to a release (--release): SELECT, FROM-first,
    PIVOT, DESCRIBE, SUMMARIZE, SET, CALL … run; a write is refused by DuckDB (exit 2)."""
    import duckdb

    from juesuan.warehouse import connect

    kinds = {s.type.name for s in duckdb.extract_statements(sql)}
    if not kinds:
        raise UserError("no SQL statement given")
    if release is None:
        con = connect(warehouse, read_only=True)
    else:  # a release's own file: the nightly writer never waits for it, nor it for the writer
        from juesuan.warehouse.export import release_database

        con = duckdb.connect(str(release_database(extracts, release)), read_only=True)
    try:
        cursor = con.execute(sql)
        columns = [d[0] for d in cursor.description or []]
        rows = cursor.fetchall() if columns else []  # DECIMAL stays Decimal (pandas would make it float)
    except duckdb.Error as exc:
        if "read-only mode" in str(exc):  # DuckDB's own refusal
            raise UserError(f"refused: {one_line(str(exc))}") from exc
        if writes := sorted(kinds & WRITES):  # DuckDB failed it earlier (binding) than its read-only check
            raise UserError(
                f"refused: {', '.join(writes)} on a read-only connection; DuckDB: {one_line(str(exc))}"
            ) from exc
        raise
    finally:
        con.close()
    if format is Format.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    elif format is Format.json:
        records = [dict(zip(columns, row, strict=True)) for row in rows]
        sys.stdout.write(json.dumps(records, ensure_ascii=False, default=str) + "\n")
    else:
        sys.stdout.write(plain_table(columns, rows))
        sys.stdout.write(f"{len(rows)} rows\n")


def plain_table(columns: list[str], rows: list[tuple]) -> str:
    """Rows under their column names, aligned in a terminal (CJK characters take two cells), numbers to
    the right: what ``query`` prints without importing rich."""
    texts = [[str(c) for c in columns]] + [["" if v is None else str(v) for v in row] for row in rows]
    numeric = [
        bool(rows) and all(isinstance(r[k], int | float | Decimal) or r[k] is None for r in rows)
        for k in range(len(columns))
    ]
    widths = [max(_cells(t[k]) for t in texts) for k in range(len(columns))]

    def line(values: list[str]) -> str:
        cells = []
        for k, v in enumerate(values):
            pad = " " * (widths[k] - _cells(v))
            cells.append(pad + v if numeric[k] and values is not texts[0] else v + pad)
        return "  ".join(cells).rstrip() + "\n"

    rule = "  ".join("─" * w for w in widths) + "\n"
    return line(texts[0]) + rule + "".join(line(t) for t in texts[1:])


def _cells(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


@app.command()
def export(
    out: ExtractsOption = defaults.EXTRACTS,
    warehouse: WarehouseOption = defaults.WAREHOUSE,
    keep: Annotated[
        int | None, typer.Option(min=1, help="releases to keep, newest first (default: export.KEEP, 14)")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="publish even when nothing changed")] = False,
) -> None:
    """Write Parquet (partitioned by fiscal_year) and CSV extracts, juesuan.duckdb, dictionary,
    datapackage.json, manifest: a new release only when the warehouse's content changed."""
    from juesuan.warehouse.export import KEEP
    from juesuan.warehouse.export import export as run

    result = run(warehouse, out, keep=KEEP if keep is None else keep, force=force)
    if result.new:
        console.print(f"wrote {result.path} (and {out / 'latest'})")
    else:
        console.print(f"unchanged: latest is {result.path}")
    if result.removed:
        console.print(f"removed {len(result.removed)} older: {', '.join(p.name for p in result.removed)}")


@app.command()
def checks(
    document: Annotated[str | None, typer.Argument(help="a document id (or its first characters)")] = None,
    warehouse: WarehouseOption = defaults.WAREHOUSE,
    all_checks: Annotated[bool, typer.Option("--all", help="list passed checks too")] = False,
) -> None:
    """Reconciliation results: pass counts by rule, and every failed check with its page and place."""
    from juesuan.reference.fields import DocumentStatus
    from juesuan.warehouse import connect

    con = connect(warehouse, read_only=True)
    try:
        where = f"d.status = '{DocumentStatus.LOADED}'" + (" AND c.document_id LIKE ?" if document else "")
        params = [f"{document}%"] if document else []
        base = f"FROM checks c JOIN documents d USING (document_id) WHERE {where}"
        only_failed = "" if all_checks else "AND NOT c.passed"
        summary = con.execute(
            f"SELECT check_id, count(*), count(*) FILTER (WHERE NOT passed) {base} GROUP BY 1 ORDER BY 1",
            params,
        ).fetchall()
        listed = con.execute(
            "SELECT d.source_path, c.check_id, c.subject, c.expected, c.actual, c.difference, c.tolerance, "
            f"c.pages, c.passed, c.description {base} {only_failed} ORDER BY 1, 2, 3",
            params,
        ).fetchall()
    finally:
        con.close()
    table = Table(title="checks by rule")
    for col in ("rule", "applied", "failed"):
        table.add_column(col)
    for rule, n, failed in summary:
        table.add_row(rule, str(n), f"[red]{failed}[/red]" if failed else "0")
    console.print(table)
    detail = Table(title=("all" if all_checks else "failed") + " checks")
    for col in ("file", "rule", "where", "expected", "actual", "difference", "tolerance", "pages", "what"):
        detail.add_column(col)
    for path, rule, subject, exp, act, diff, tol, pages, passed, text in listed:
        detail.add_row(
            Path(path).name,
            rule if passed else f"[red]{rule}[/red]",
            subject,
            str(exp),
            str(act),
            str(diff),
            str(tol),
            ",".join(map(str, pages or [])),
            (text or "")[:60],
        )
    console.print(detail)
    raise typer.Exit(1 if any(not row[8] for row in listed) else 0)


@app.command()
def schedule(
    sources: SourcesOption = defaults.SOURCES,
    warehouse: WarehouseOption = defaults.WAREHOUSE,
    out: ExtractsOption = defaults.EXTRACTS,
    archive: ArchiveOption = defaults.ARCHIVE,
    notify_url: NotifyOption = None,
    name: Annotated[str, typer.Option(help="deployment name")] = "juesuan-nightly",
) -> None:
    """Register and serve the nightly deployment (02:00 Asia/Shanghai) on the server at PREFECT_API_URL;
    paths are made absolute and the sources file is checked now."""
    import os

    if not os.environ.get("PREFECT_API_URL"):
        raise UserError(
            "PREFECT_API_URL is not set: start a server (`make server`) and export "
            "PREFECT_API_URL=http://127.0.0.1:4200/api (an ephemeral server cannot fire schedules)"
        )
    from flows.nightly import serve

    try:
        serve(name, str(sources), str(warehouse), str(out), str(archive), notify_url)
    except (FileNotFoundError, ValueError) as exc:
        raise UserError(f"not scheduled: {explain(exc)[1]}") from exc


@app.command()
def nightly(
    sources: SourcesOption = defaults.SOURCES,
    warehouse: WarehouseOption = defaults.WAREHOUSE,
    out: ExtractsOption = defaults.EXTRACTS,
    archive: ArchiveOption = defaults.ARCHIVE,
    wait: Annotated[float, typer.Option(help="seconds to wait for the writer lock")] = 600,
    reprocess_limit: Annotated[
        int | None,
        typer.Option(help="documents an older parser read, re-read tonight (default: the flow's, 50)"),
    ] = None,
    keep: Annotated[
        int | None,
        typer.Option(min=1, help="dated releases kept, latest among them (default: export.KEEP, 14)"),
    ] = None,
    notify_url: NotifyOption = None,
) -> None:
    """Run the nightly flow once, here (the flow the deployment runs): fetch, ingest, re-read, publish,
    report. Exit 0 all well, 1 a source failed or a file was refused, 3 the writer lock could not be had."""
    from flows.nightly import nightly_flow
    from juesuan.warehouse.db import WarehouseLocked

    try:
        given = {"reprocess_limit": reprocess_limit, "keep": keep, "notify_url": notify_url}
        report = nightly_flow(
            str(sources),
            str(warehouse),
            str(out),
            str(archive),
            wait=wait,
            **{k: v for k, v in given.items() if v is not None},  # the flow's own defaults otherwise
        )
    except WarehouseLocked as exc:
        raise UserError(f"the night stopped: {exc}; nothing was changed", LOCKED) from exc
    except Exception as exc:  # the night stopped for another reason (the report says which): a failed night
        raise UserError(f"the night stopped: {type(exc).__name__}: {one_line(str(exc))}", FAILED) from exc
    for line in report["sources"]:
        state = "[green]ok[/green]" if line["ok"] else f"[red]failed[/red]: {line['reason']}"
        console.print(
            f"source {line['name']} ({line['kind']}): {state}, {line['fetched']} fetched, {line['new']} new"
        )
    console.print(", ".join(f"{n} {s}" for s, n in report["counts"].items()))
    for path, why in report["quarantined"]:
        console.print(f"[red]quarantined[/red] {Path(path).name}: {why}")
    if report["reprocessed"]:
        console.print("read again: " + ", ".join(f"{n} {s}" for s, n in report["reprocessed"].items()))
    release = report["release"]
    console.print(f"release: {release} ({'new' if report['release_new'] else 'unchanged'})")
    raise typer.Exit(report["exit_code"])


@app.command()
def reprocess(
    warehouse: WarehouseOption = defaults.WAREHOUSE,
    older_than: Annotated[
        str | None,
        typer.Option(help="re-read what a juesuan older than this parsed (default: this one)"),
    ] = None,
    quarantined: Annotated[
        bool, typer.Option("--quarantined/--loaded-only", help="also re-read refused documents")
    ] = True,
    limit: Annotated[int | None, typer.Option(help="at most this many documents")] = None,
    timeout: Annotated[float, typer.Option(help="seconds one document may take to parse")] = 300,
    wait: Annotated[float, typer.Option(help="seconds to wait for another ingest's writer lock")] = 600,
) -> None:
    """Re-read documents an older parser read, from their files, other paths or quarantine copies; exit 1
    when one is refused, 3 when the warehouse was locked."""
    from juesuan.ingest import forked
    from juesuan.ingest import reprocess as run
    from juesuan.parse.document import PARSER_VERSION
    from juesuan.reference.fields import IngestStatus
    from juesuan.warehouse.db import WarehouseLocked

    try:
        with Progress("re-reading") as progress:
            outcomes = run(
                warehouse,
                older_than or PARSER_VERSION,
                quarantined,
                limit,
                on_document=progress.document,
                wait=wait,
                on_wait=say_waiting,
                preparer=progress.watching(forked(1, timeout), count=True),
            )
    except WarehouseLocked as exc:
        raise UserError(f"not reprocessed: {exc}; nothing was changed", LOCKED) from exc
    for o in outcomes:
        console.print(f"{o.status}\t{o.document_id[:12]}\t{Path(o.path).name}\t{o.reason or ''}")
    counts = {s: sum(o.status == s for o in outcomes) for s in IngestStatus}
    console.print(f"{len(outcomes)} re-read: " + ", ".join(f"{n} {s}" for s, n in counts.items() if n))
    raise typer.Exit(1 if counts[IngestStatus.QUARANTINED] else 0)


@app.command()
def fetch(
    sources: Annotated[Path, typer.Argument(help="the sources file")] = defaults.SOURCES,
    archive: ArchiveOption = defaults.ARCHIVE,
) -> None:
    """Fetch the sources' listing pages into the archive and nothing else (no ingest): one line per
    source (ok or failed with the reason; pages, fetched, new) and per file (new, unchanged, refused,
    not a document, failed with the reason). Exit 1 if a source failed, 2 if the sources file is wrong."""
    from juesuan.sources import gather

    gathered = gather(sources, archive)  # a wrong or missing sources file: one line, exit 2 (Boundary)
    for line in gathered.lines():
        typer.echo(line)
    raise typer.Exit(0 if gathered.ok else 1)


@app.command()
def version() -> None:
    """Print the version."""
    console.print(__version__)


def print_version(given: bool) -> None:
    if given:
        console.print(__version__)
        raise typer.Exit()


@app.callback()
def options(
    ctx: typer.Context,
    verbose: Annotated[
        int,
        typer.Option(
            "--verbose",
            "-v",
            count=True,
            help="log to stderr: -v refusals and documents, -vv parser warnings",
        ),
    ] = 0,
    debug: Annotated[
        bool, typer.Option("--debug", help="print the traceback of an error besides its one line")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", is_eager=True, callback=print_version, help="print the version and stop"),
    ] = False,
) -> None:
    """Logging of the library (one logger per module) to standard error: errors only by default. An error
    is one line on standard error (exit 2 usage or input, 1 a failed operation, 3 the writer lock)."""
    import logging

    ctx.meta[DEBUG] = debug

    level = {0: logging.ERROR, 1: logging.INFO}.get(verbose, logging.DEBUG)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("juesuan").setLevel(level)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
