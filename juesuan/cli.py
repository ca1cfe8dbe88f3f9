"""The ``juesuan`` command line (DESIGN.md §2). Commands arrive with their issues; each one here works."""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from juesuan import __version__
from juesuan import paths as defaults

app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="部门决算 disclosures → validated dataset."
)
# piped output (make demo, CI logs) gets a wide table instead of rich's 80-column default
console = Console(width=None if sys.stdout.isatty() else 160)


@app.command()
def inventory(
    paths: Annotated[list[Path] | None, typer.Argument(help="PDF files or folders")] = None,
) -> None:
    """List the PDFs an ingest of PATHS would read: identity, pages and (for generated ones) their truth."""
    from juesuan.ingest import discover

    try:
        files = discover(paths or [defaults.SAMPLES])
    except FileNotFoundError as exc:
        raise typer.BadParameter(str(exc)) from exc
    table = Table(title=f"{len(files)} PDFs to ingest")
    for col in ("file", "document_id", "KiB", "pages", "department", "year", "family", "facts", "figures"):
        table.add_column(col, justify="right" if col in ("KiB", "pages", "facts", "figures") else "left")
    import pdfplumber  # deferred: `juesuan --help` should not pay for it

    for f in files:
        data = f.read_bytes()
        with pdfplumber.open(f) as pdf:
            pages = len(pdf.pages)
        truth_path = f.with_name(f.stem + ".truth.json")
        dept = year = family = facts = figures = "-"
        if truth_path.exists():
            truth = json.loads(truth_path.read_text("utf-8"))
            doc = truth["documents"][0]
            dept, year, family = doc["department_name"], str(doc["fiscal_year"]), doc["template_family"]
            facts, figures = str(len(truth["facts"])), str(len(truth["narrative_figures"]))
        table.add_row(
            f.name,
            hashlib.sha256(data).hexdigest()[:12],
            f"{len(data) // 1024}",
            str(pages),
            dept,
            year,
            family,
            facts,
            figures,
        )
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
    page: Annotated[int, typer.Option(help="1-based page number")],
    out: Annotated[Path | None, typer.Option(help="PNG to write")] = None,
) -> None:
    """Draw what the parser found on one page (cells, measures, table grid) into a PNG."""
    from juesuan.parse.inspect import inspect_page

    target = out or defaults.INSPECT / f"{file.stem}_p{page}.png"
    console.print(f"wrote {inspect_page(file, page, target)}")


@app.command()
def ingest(
    paths: Annotated[
        list[Path] | None, typer.Argument(help=f"PDF files or folders (default {defaults.RAW}/)")
    ] = None,
    warehouse: Annotated[Path, typer.Option(help="DuckDB file")] = defaults.WAREHOUSE,
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
    """Ingest PDFs into the warehouse; exit 1 when a file was quarantined, 3 when the warehouse was locked."""
    from rich.progress import Progress

    from juesuan.ingest import discover
    from juesuan.ingest import ingest as run
    from juesuan.reference.fields import IngestStatus

    try:
        files = discover(paths or [defaults.RAW])
    except FileNotFoundError as exc:
        raise typer.BadParameter(str(exc)) from exc
    if flow or dask_address:
        from flows.ingest import run_ingest_flow

        counts = run_ingest_flow([str(f) for f in files], str(warehouse), dask_address, workers)["counts"]
        console.print(", ".join(f"{n} {s}" for s, n in counts.items()))
        raise typer.Exit(1 if counts[IngestStatus.QUARANTINED] else 0)
    from juesuan.warehouse.db import WarehouseLocked

    try:
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("ingesting", total=len(files))
            outcomes = run(
                files,
                warehouse,
                on_document=lambda _: progress.advance(task),
                workers=workers,
                timeout=timeout,
                wait=wait,
                on_wait=lambda m: console.print(f"[yellow]{m}[/yellow]"),
            )
    except WarehouseLocked as exc:
        console.print(f"[red]not ingested[/red]: {exc}; nothing was changed")
        raise typer.Exit(3) from exc
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


READ_ONLY_STATEMENTS = {"SELECT", "EXPLAIN", "PRAGMA"}


@app.command()
def query(
    sql: Annotated[str, typer.Argument(help="a read-only SQL statement")],
    warehouse: Annotated[Path, typer.Option(help="DuckDB file")] = defaults.WAREHOUSE,
    format: Annotated[str, typer.Option("--format", help="table, csv or json")] = "table",
    release: Annotated[
        str | None,
        typer.Option(help="query a release's juesuan.duckdb instead: latest or a name (2026-01-31-2)"),
    ] = None,
    extracts: Annotated[Path, typer.Option(help="folder of releases/ and latest, for --release")] = (
        defaults.EXTRACTS
    ),
) -> None:
    """Run a read-only query on the warehouse or on a release (--release); write statements are refused."""
    import duckdb

    from juesuan.warehouse import connect

    kinds = {s.type.name for s in duckdb.extract_statements(sql)}
    if not kinds or not kinds <= READ_ONLY_STATEMENTS:
        console.print(
            f"[red]refused[/red]: only read-only statements ({', '.join(sorted(kinds)) or 'none'} given)"
        )
        raise typer.Exit(2)
    if release is None:
        con = connect(warehouse, read_only=True)
    else:  # a release's own file: the nightly writer never waits for it, nor it for the writer
        from juesuan.warehouse.export import release_database

        try:
            con = duckdb.connect(str(release_database(extracts, release)), read_only=True)
        except FileNotFoundError as exc:
            console.print(str(exc), style="red", markup=False)
            raise typer.Exit(2) from exc
    try:
        cursor = con.execute(sql)
        columns = [d[0] for d in cursor.description]
        rows = cursor.fetchall()  # DECIMAL stays Decimal (a pandas frame would turn it into float)
    finally:
        con.close()
    if format == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    elif format == "json":
        records = [dict(zip(columns, row, strict=True)) for row in rows]
        sys.stdout.write(json.dumps(records, ensure_ascii=False, default=str) + "\n")
    else:
        table = Table()
        for col in columns:
            table.add_column(str(col))
        for row in rows:
            table.add_row(*("" if v is None else str(v) for v in row))
        console.print(table)
        console.print(f"{len(rows)} rows")


@app.command()
def export(
    out: Annotated[Path, typer.Option(help="folder for releases/ and latest")] = defaults.EXTRACTS,
    warehouse: Annotated[Path, typer.Option(help="DuckDB file")] = defaults.WAREHOUSE,
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
    warehouse: Annotated[Path, typer.Option(help="DuckDB file")] = defaults.WAREHOUSE,
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
    sources: Annotated[Path, typer.Option(help="sources file for the nightly flow")] = defaults.SOURCES,
    warehouse: Annotated[Path, typer.Option(help="DuckDB file")] = defaults.WAREHOUSE,
    out: Annotated[Path, typer.Option(help="extracts folder (releases, latest)")] = defaults.EXTRACTS,
    archive: Annotated[Path, typer.Option(help="where fetched files are kept")] = defaults.ARCHIVE,
    notify_url: Annotated[
        str | None, typer.Option(help="webhook for nights that need a look (else $JUESUAN_NOTIFY_URL)")
    ] = None,
    name: Annotated[str, typer.Option(help="deployment name")] = "juesuan-nightly",
) -> None:
    """Register and serve the nightly deployment (02:00 Asia/Shanghai) on the server at PREFECT_API_URL;
    paths are made absolute and the sources file is checked now."""
    import os

    if not os.environ.get("PREFECT_API_URL"):
        console.print(
            "[red]PREFECT_API_URL is not set[/red]: start a server (`make server`) and export "
            "PREFECT_API_URL=http://127.0.0.1:4200/api (an ephemeral server cannot fire schedules)"
        )
        raise typer.Exit(2)
    from flows.nightly import serve

    try:
        serve(name, str(sources), str(warehouse), str(out), str(archive), notify_url)
    except (FileNotFoundError, ValueError) as exc:
        console.print(f"[red]not scheduled[/red]: {exc}")
        raise typer.Exit(2) from exc


@app.command()
def nightly(
    sources: Annotated[Path, typer.Option(help="sources file")] = defaults.SOURCES,
    warehouse: Annotated[Path, typer.Option(help="DuckDB file")] = defaults.WAREHOUSE,
    out: Annotated[Path, typer.Option(help="extracts folder (releases, latest)")] = defaults.EXTRACTS,
    archive: Annotated[Path, typer.Option(help="where fetched files are kept")] = defaults.ARCHIVE,
    wait: Annotated[float, typer.Option(help="seconds to wait for the writer lock")] = 600,
    reprocess_limit: Annotated[
        int, typer.Option(help="documents an older parser read, re-read tonight")
    ] = 50,
    keep: Annotated[int, typer.Option(help="dated releases kept besides latest")] = 14,
    notify_url: Annotated[
        str | None, typer.Option(help="webhook for a night that needs a look (else $JUESUAN_NOTIFY_URL)")
    ] = None,
) -> None:
    """Run the nightly flow once, here (the flow the deployment runs): fetch, ingest, re-read, publish,
    report. Exit 0 all well, 1 a source failed or a file was refused, 3 the writer lock could not be had."""
    from flows.nightly import nightly_flow
    from juesuan.warehouse.db import WarehouseLocked

    try:
        report = nightly_flow(
            str(sources),
            str(warehouse),
            str(out),
            str(archive),
            None,
            wait,
            reprocess_limit,
            keep,
            notify_url,
        )
    except WarehouseLocked as exc:
        console.print(f"[red]the night stopped[/red]: {exc}; nothing was changed")
        raise typer.Exit(3) from exc
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
    warehouse: Annotated[Path, typer.Option(help="DuckDB file")] = defaults.WAREHOUSE,
    older_than: Annotated[
        str | None,
        typer.Option(help="re-read what a juesuan older than this parsed (default: this one)"),
    ] = None,
    quarantined: Annotated[
        bool, typer.Option("--quarantined/--loaded-only", help="also re-read refused documents")
    ] = True,
    limit: Annotated[int | None, typer.Option(help="at most this many documents")] = None,
    wait: Annotated[float, typer.Option(help="seconds to wait for another ingest's writer lock")] = 600,
) -> None:
    """Re-read documents an older parser read, from their files, other paths or quarantine copies; exit 1
    when one is refused, 3 when the warehouse was locked."""
    from juesuan.ingest import reprocess as run
    from juesuan.parse.document import PARSER_VERSION
    from juesuan.reference.fields import IngestStatus
    from juesuan.warehouse.db import WarehouseLocked

    try:
        outcomes = run(
            warehouse,
            older_than or PARSER_VERSION,
            quarantined,
            limit,
            wait=wait,
            on_wait=lambda m: console.print(f"[yellow]{m}[/yellow]"),
        )
    except WarehouseLocked as exc:
        console.print(f"[red]not reprocessed[/red]: {exc}; nothing was changed")
        raise typer.Exit(3) from exc
    for o in outcomes:
        console.print(f"{o.status}\t{o.document_id[:12]}\t{Path(o.path).name}\t{o.reason or ''}")
    counts = {s: sum(o.status == s for o in outcomes) for s in IngestStatus}
    console.print(f"{len(outcomes)} re-read: " + ", ".join(f"{n} {s}" for s, n in counts.items() if n))
    raise typer.Exit(1 if counts[IngestStatus.QUARANTINED] else 0)


@app.command()
def fetch(
    sources: Annotated[Path, typer.Argument(help="the sources file")] = defaults.SOURCES,
    archive: Annotated[Path, typer.Option(help="where fetched documents are archived")] = defaults.ARCHIVE,
) -> None:
    """Fetch the sources' listing pages into the archive and nothing else (no ingest): one line per
    source (ok or failed with the reason; pages, fetched, new) and per file (new, unchanged, refused,
    not a document, failed with the reason). Exit 1 if a source failed, 2 if the sources file is wrong."""
    from juesuan.reference.model import DeclarationError
    from juesuan.sources import gather

    try:
        gathered = gather(sources, archive)
    except (DeclarationError, FileNotFoundError) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    for line in gathered.lines():
        typer.echo(line)
    raise typer.Exit(0 if gathered.ok else 1)


@app.command()
def version() -> None:
    """Print the version."""
    console.print(__version__)


@app.callback()
def options(
    verbose: Annotated[
        int,
        typer.Option(
            "--verbose",
            "-v",
            count=True,
            help="log to stderr: -v refusals and documents, -vv parser warnings",
        ),
    ] = 0,
) -> None:
    """Logging of the library (one logger per module) to standard error: errors only by default."""
    import logging

    level = {0: logging.ERROR, 1: logging.INFO}.get(verbose, logging.DEBUG)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("juesuan").setLevel(level)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
