"""Extracts for researchers: Parquet partitioned by fiscal_year and CSV, with a data dictionary, a
Frictionless ``datapackage.json`` (both from the field declarations), a manifest of row counts and SHA-256,
and ``juesuan.duckdb``: a read-only DuckDB copy of the release's tables with the analyst views.

Each release also holds ``report.html`` (the quality report) and ``index.html`` (the catalogue page).
Each export is a dated, immutable release folder (``releases/YYYY-MM-DD[-N]``); ``latest`` is a symlink
swapped atomically to the newest complete release, so readers never see a half-written extract.

A release is made only when the content changed: the content hash of the warehouse (every row of every
table the release copies, their columns, the views' SQL, the juesuan and schema versions) is recorded in
the manifest, and an export whose hash equals ``latest``'s writes nothing. The extracts are deterministic:
every exported query is ordered (``ORDER BY ALL``) and written by one thread, so the same warehouse gives
byte-identical Parquet and CSV files. The last ``keep`` releases are kept; older ones are removed after the
new one is linked (never the one ``latest`` points to).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from juesuan import __version__
from juesuan.faults import checkpoint
from juesuan.reference.fields import frictionless_type, resource, schema_version
from juesuan.reference.views import load_views, view_descriptions
from juesuan.warehouse.db import CONTENT_TABLES
from juesuan.warehouse.report import catalogue_page, quality_report
from juesuan.warehouse.views import view_sql

EXPORTED_VIEWS = load_views().exported  # views.yaml: every view but those with export: false
DATABASE = "juesuan.duckdb"  # in every release: its tables and every view, opened read-only by analysts
DATABASE_TABLES = (*CONTENT_TABLES, "function_classes", "economic_classes")
KEEP = 14  # dated releases kept (the one ``latest`` points to always is)
_RELEASE_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})(?:-(\d+))?")


@dataclass(frozen=True)
class Release:
    """What :func:`export` did. ``path`` is the release ``latest`` points to (``releases/<name>``); ``new`` is
    False when the warehouse's content equalled that release's and nothing was written; ``removed`` holds
    the releases retention deleted."""

    path: Path
    new: bool
    content_hash: str
    removed: tuple[Path, ...] = ()


def _literal(text: str | Path) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _select(name: str) -> str:
    """Every exported relation carries fiscal_year (tables without it get their document's); every row in
    one order, so that the same content gives the same bytes."""
    if name in ("checks", "narrative_figures", "document_sources"):
        return f"SELECT t.*, d.fiscal_year FROM {name} t JOIN documents d USING (document_id) ORDER BY ALL"
    return f"SELECT * FROM {name} ORDER BY ALL"


def content_hash(con: duckdb.DuckDBPyConnection, catalog: str = "warehouse") -> str:
    """The SHA-256 of what a release holds, computed in the warehouse (attached as ``catalog``) before
    anything is written: per table its columns, row count and the sum of its rows' hashes (independent of
    the rows' physical order), plus the views' SQL and the juesuan and schema versions."""
    parts: dict = {
        "juesuan": __version__,
        "schema_version": schema_version(),
        "views": view_sql(),
        "exported": [*CONTENT_TABLES, *EXPORTED_VIEWS],
        "tables": {},
    }
    for name in DATABASE_TABLES:
        columns = [(c[0], c[1]) for c in con.execute(f"DESCRIBE {catalog}.{name}").fetchall()]
        rows, total = con.execute(
            f"SELECT count(*), coalesce(sum(hash({', '.join(_ident(c) for c, _ in columns)})), 0)::VARCHAR "
            f"FROM {catalog}.{name}"
        ).fetchone()
        parts["tables"][name] = {"columns": columns, "rows": rows, "hash": total}
    return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def _order(path: Path) -> tuple[str, int]:
    day, n = _RELEASE_NAME.fullmatch(path.name).groups()
    return day, int(n or 1)


def releases(out: str | Path) -> list[Path]:
    """The complete releases under ``out/releases``, oldest first (``.partial`` and the like are not)."""
    folder = Path(out) / "releases"
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if p.is_dir() and _RELEASE_NAME.fullmatch(p.name)]
    return sorted(found, key=_order)


def latest(out: str | Path) -> Path | None:
    """The release ``out/latest`` points to (as ``out/releases/<name>``), or None."""
    link = Path(out) / "latest"
    if not link.is_symlink():
        return None
    target = Path(out) / "releases" / Path(os.readlink(link)).name
    return target if target.is_dir() else None


def _release_dir(out: Path) -> Path:
    """Today's next release name: after every release of the day, also those retention removed."""
    day = datetime.now(UTC).strftime("%Y-%m-%d")
    taken = [_order(p)[1] for p in releases(out) if _order(p)[0] == day]
    n = max(taken, default=0) + 1
    return out / "releases" / (day if n == 1 else f"{day}-{n}")


def release_database(out: str | Path, name: str = "latest") -> Path:
    """The ``juesuan.duckdb`` of release ``name`` under ``out``: ``latest``, a release name
    (``2026-01-31-2``) or the path of a release folder."""
    out = Path(out)
    if name == "latest":
        folder = latest(out)
    elif _RELEASE_NAME.fullmatch(name) and (out / "releases" / name).is_dir():
        folder = out / "releases" / name
    else:
        folder = Path(name) if Path(name).is_dir() else None
    if folder is None or not (folder / DATABASE).is_file():
        known = ", ".join(["latest", *(p.name for p in releases(out))])
        raise FileNotFoundError(f"no release {name!r} with a {DATABASE} under {out} (there are: {known})")
    return (folder / DATABASE).resolve()


def export(warehouse: str | Path, out: str | Path, keep: int = KEEP, force: bool = False) -> Release:
    """Write a release into ``releases/<date>[-N].partial``, rename it whole, then swap ``latest`` atomically:
    a crash at any point leaves the previous ``latest`` and every finished release intact. Exports run one
    at a time (the nightly flow's publish step), so a ``.partial`` left by a killed export is removed.

    When the warehouse's content hash equals the one ``latest``'s manifest records, nothing is written and
    the result says so (``new`` False) unless ``force``. Then the releases beyond the newest ``keep`` are
    removed, never the one ``latest`` points to."""
    if keep < 1:
        raise ValueError(f"keep must be at least 1 (the release latest points to), not {keep}")
    warehouse, out = Path(warehouse), Path(out)
    if not warehouse.exists():
        raise FileNotFoundError(f"{warehouse}: no warehouse there (run `juesuan ingest` first)")
    for stale in (*(out / "releases").glob("*.partial"), *(out / "releases").glob("*.removing")):
        shutil.rmtree(stale)
    # an in-memory connection with the warehouse attached read-only: the release's database is written
    # beside it, and the warehouse is let go as soon as its tables are copied
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH {_literal(warehouse)} AS warehouse (READ_ONLY)")
        digest = content_hash(con)
        current = latest(out)
        if current is not None and not force and _recorded_hash(current) == digest:
            return Release(current, False, digest, prune(out, keep))
        release = _release_dir(out)
        staging = release.with_name(release.name + ".partial")
        spill = staging / f"{DATABASE}.tmp"  # DuckDB's own default for the release's file, inside staging
        staging.mkdir(parents=True)
        con.execute(f"SET temp_directory = {_literal(spill)}")  # sorting a large table spills there
        _copy_database(con, staging / DATABASE)
    finally:
        con.close()
    checkpoint("export.copy")
    _write_extracts(staging, digest)
    shutil.rmtree(spill, ignore_errors=True)
    checkpoint("export.publish")
    staging.rename(release)
    checkpoint("export.link")
    link = out / "latest"
    tmp_link = out / ".latest.tmp"
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    tmp_link.symlink_to(release.relative_to(out))
    os.replace(tmp_link, link)
    return Release(release, True, digest, prune(out, keep))


def _write_extracts(staging: Path, digest: str) -> None:
    """From the release's database: Parquet and CSV of every exported relation, the quality report, the
    catalogue page, the dictionary, datapackage.json and the manifest, all into ``staging``."""
    manifest = {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "juesuan": __version__,
        "schema_version": schema_version(),
        "content_hash": digest,
        "resources": {},
    }
    con = duckdb.connect(str(staging / DATABASE), read_only=True)
    try:
        con.execute("SET threads = 1")  # one writer thread: rows in the query's order, files named alike
        for name in (*CONTENT_TABLES, *EXPORTED_VIEWS):
            manifest["resources"][name] = _extract(con, staging, name)
            checkpoint("export.copy")
        quality_report(con, staging)
        database = {
            "path": DATABASE,
            "tables": list(DATABASE_TABLES),
            "views": [
                r[0]
                for r in con.execute(
                    "SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY 1"
                ).fetchall()
            ],
        }
    finally:
        con.close()
    manifest["database"] = {**database, **_files(staging, staging / DATABASE)[0]}
    catalogue_page(manifest, staging)
    (staging / "dictionary.md").write_text(dictionary(manifest), encoding="utf-8")
    (staging / "datapackage.json").write_text(
        json.dumps(datapackage(manifest), ensure_ascii=False, indent=2), encoding="utf-8"
    )
    (staging / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
    )


def _recorded_hash(release: Path) -> str | None:
    try:
        return json.loads((release / "manifest.json").read_text("utf-8")).get("content_hash")
    except (OSError, ValueError):
        return None


def _copy_database(con: duckdb.DuckDBPyConnection, target: Path) -> None:
    """The release's own DuckDB file: copies of the warehouse's tables (so it needs nothing outside
    itself: moved or downloaded, it answers the same), the analyst views over them from their declaration,
    and the descriptions as comments. The warehouse is detached once the tables are copied."""
    con.execute(f"ATTACH {_literal(target)} AS snapshot")
    for name in DATABASE_TABLES:
        con.execute(f"CREATE TABLE snapshot.{name} AS SELECT * FROM warehouse.{name} ORDER BY ALL")
    con.execute("DETACH warehouse")
    con.execute("USE snapshot")
    con.execute(view_sql())  # views bind by name in their own database, wherever it is opened
    for name in DATABASE_TABLES:
        spec = resource(name)
        con.execute(f"COMMENT ON TABLE {name} IS {_literal(spec.description)}")
        have = {r[0] for r in con.execute(f"DESCRIBE {name}").fetchall()}
        for f in spec.fields:
            if f.name in have and f.description:
                con.execute(f"COMMENT ON COLUMN {name}.{_ident(f.name)} IS {_literal(f.description)}")
    con.execute("USE memory")
    con.execute("DETACH snapshot")  # checkpointed: one file, no write-ahead log


def _extract(con: duckdb.DuckDBPyConnection, staging: Path, name: str) -> dict:
    """One relation as Parquet partitioned by fiscal_year and as CSV; its manifest entry."""
    query = _select(name)
    rows = con.execute(f"SELECT count(*) FROM ({query})").fetchone()[0]
    target = staging / name
    if rows:
        con.execute(
            f"COPY ({query}) TO {_literal(target)} (FORMAT PARQUET, PARTITION_BY (fiscal_year), "
            "OVERWRITE_OR_IGNORE)"
        )
    else:
        # no rows: an empty file in the NULL partition keeps the columns readable, the layout uniform
        empty = target / "fiscal_year=__HIVE_DEFAULT_PARTITION__"
        empty.mkdir(parents=True)
        con.execute(
            f"COPY (SELECT * EXCLUDE (fiscal_year) FROM ({query})) TO {_literal(empty / 'empty.parquet')} "
            "(FORMAT PARQUET)"
        )
    csv_dir = staging / "csv"
    csv_dir.mkdir(exist_ok=True)
    con.execute(f"COPY ({query}) TO {_literal(csv_dir / (name + '.csv'))} (HEADER, DELIMITER ',')")
    columns = con.execute(f"DESCRIBE ({query})").fetchall()
    return {
        "rows": rows,
        "columns": [{"name": c[0], "type": c[1]} for c in columns],
        "files": _files(staging, target) + _files(staging, csv_dir / f"{name}.csv"),
    }


def prune(out: str | Path, keep: int = KEEP) -> tuple[Path, ...]:
    """Remove the releases older than the newest ``keep``, never the one ``latest`` points to. Each is
    renamed ``*.removing`` first (atomic), so a crash never leaves a half-deleted release that looks whole;
    the next export clears what is left."""
    out = Path(out)
    found = releases(out)
    current = latest(out)
    kept = {p.name for p in found[-keep:]} | ({current.name} if current else set())
    removed = []
    for old in found:
        if old.name in kept:
            continue
        doomed = old.with_name(old.name + ".removing")
        old.rename(doomed)
        checkpoint("export.prune")
        shutil.rmtree(doomed)
        removed.append(old)
    return tuple(removed)


def _files(root: Path, target: Path) -> list[dict]:
    paths = sorted(target.rglob("*")) if target.is_dir() else [target]
    return [
        {
            "path": str(p.relative_to(root)),
            "bytes": p.stat().st_size,
            "sha256": _sha256(p),
        }
        for p in paths
        if p.is_file()
    ]


def _sha256(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _descriptions(name: str) -> tuple[str, dict[str, str]]:
    """(description, {column: description}) of a table (warehouse.yaml) or a view (views.yaml)."""
    if name in load_views().names:
        return view_descriptions(name)
    spec = resource(name)
    return spec.description, {f.name: f.description for f in spec.fields}


def dictionary(manifest: dict) -> str:
    lines = [
        "# juesuan data dictionary",
        "",
        f"Schema version {manifest['schema_version']}, juesuan {manifest['juesuan']}, "
        f"exported {manifest['created_at']}. Amounts are exact decimals in yuan (元).",
        "",
    ]
    if database := manifest.get("database"):
        lines += [
            f"The same tables and views are in `{database['path']}`, a DuckDB database to open read-only "
            f'(`duckdb -readonly {database["path"]}`, or `juesuan query --release latest "SQL"`); its '
            "tables keep the warehouse's columns (no fiscal_year added) and carry these descriptions as "
            "comments.",
            "",
        ]
    for name, res in manifest["resources"].items():
        description, fields = _descriptions(name)
        lines += [
            f"## {name}",
            "",
            description,
            "",
            f"{res['rows']} rows.",
            "",
            "| column | type | description |",
            "|---|---|---|",
        ]
        lines += [f"| {c['name']} | {c['type']} | {fields.get(c['name'], '')} |" for c in res["columns"]]
        lines.append("")
    return "\n".join(lines)


def datapackage(manifest: dict) -> dict:
    resources = []
    for name, res in manifest["resources"].items():
        description, fields = _descriptions(name)
        schema_fields = []
        for c in res["columns"]:
            ftype = frictionless_type(c["type"])  # warehouse.yaml's types map
            schema_fields.append({"name": c["name"], "type": ftype, "description": fields.get(c["name"], "")})
        try:
            key = list(resource(name).primary_key)
        except KeyError:
            key = []
        resources.append(
            {
                "name": name,
                "path": f"csv/{name}.csv",
                "format": "csv",
                "description": description,
                "schema": {"fields": schema_fields, **({"primaryKey": key} if key else {})},
            }
        )
    package = {
        "name": "juesuan",
        "title": "部门决算 final-account disclosures",
        "version": manifest["juesuan"],
        "created": manifest["created_at"],
        "resources": resources,
    }
    if database := manifest.get("database"):
        # not a tabular resource: a custom property (Frictionless allows them) and a word in the description
        package["description"] = (
            f"The same tables and views are also in {database['path']}, a DuckDB database to open read-only."
        )
        package["database"] = {
            "path": database["path"],
            "format": "duckdb",
            "bytes": database["bytes"],
            "hash": f"sha256:{database['sha256']}",
        }
    return package
