"""Extracts for researchers: Parquet partitioned by fiscal_year (a relation without years or rows: one
file in ``fiscal_year=all``, never a null partition) and CSV (UTF-8 with a BOM), with a data dictionary, a
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

import fcntl
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
from juesuan.reference.fields import warehouse as warehouse_declaration
from juesuan.reference.release import release_declaration
from juesuan.reference.views import load_views, view_columns, view_descriptions
from juesuan.warehouse.db import CONTENT_TABLES
from juesuan.warehouse.layout import ALL_YEARS, PARTITION, partition_of
from juesuan.warehouse.report import catalogue_page, dictionary_page, quality_report
from juesuan.warehouse.views import view_sql

EXPORTED_VIEWS = load_views().exported  # views.yaml: every view but those with export: false
DATABASE = "juesuan.duckdb"  # in every release: its tables and every view, opened read-only by analysts
DATABASE_TABLES = (*CONTENT_TABLES, "function_classes", "economic_classes")
CODE_LISTS = ("function_classes", "economic_classes")
# The extracts: documents (loaded and superseded, with a year), facts of the current documents only, the
# other content tables, the code lists, then every exported view: facts_history (the superseded documents'
# cells), quarantine (the refused files), departments and the analyst views among them.
EXTRACTS = (*CONTENT_TABLES, *CODE_LISTS, *EXPORTED_VIEWS)
# Extracts that hold a part of a warehouse table: (the table whose field descriptions they take, their own
# description, descriptions of the columns they add).
DERIVED = {
    "facts": (
        "facts",
        "One row per printed table cell of the current documents (documents.status = 'loaded'): sum it "
        "without double counting; the cells of superseded files are in facts_history.",
        {},
    ),
    "documents": (
        "documents",
        "One row per loaded or superseded file (status says whether its rows are current), each with a "
        "fiscal year; the refused files are in quarantine.",
        {},
    ),
}
BOM = "\ufeff".encode()  # UTF-8 byte order mark: Excel and WPS on a Chinese Windows then read UTF-8
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
    """The query of extract ``name``, every row in one order (the same content gives the same bytes). The
    content tables carry fiscal_year (checks, narrative_figures and document_sources get their document's)
    and hold the rows of documents with a year that are not quarantined (those are in quarantine); facts
    holds the current documents' cells (the superseded ones' are the view facts_history)."""
    kept = "d.status <> 'quarantined' AND d.fiscal_year IS NOT NULL"
    if name in ("checks", "narrative_figures", "document_sources"):
        return (
            f"SELECT t.*, d.fiscal_year FROM {name} t JOIN documents d USING (document_id) "
            f"WHERE {kept} ORDER BY ALL"
        )
    if name == "documents":
        return f"SELECT * FROM documents d WHERE {kept} ORDER BY ALL"
    if name == "facts":
        return (
            "SELECT f.* FROM facts f JOIN documents d USING (document_id) "
            "WHERE d.status = 'loaded' ORDER BY ALL"
        )
    return f"SELECT * FROM {_ident(name)} ORDER BY ALL"


def content_hash(con: duckdb.DuckDBPyConnection, catalog: str = "warehouse") -> str:
    """The SHA-256 of what a release holds, computed in the warehouse (attached as ``catalog``) before
    anything is written: per table its columns, row count and the sum of its rows' hashes (independent of
    the rows' physical order), plus the views' SQL and the juesuan and schema versions."""
    parts: dict = {
        "juesuan": __version__,
        "schema_version": schema_version(),
        "views": view_sql(),
        "exported": list(EXTRACTS),
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
    """:func:`_export` while holding ``out/.export.lock``: a manual export during the nightly's publish waits
    for it instead of removing its ``.partial`` folder or taking the same release name."""
    Path(out).mkdir(parents=True, exist_ok=True)
    with open(Path(out) / ".export.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _export(warehouse, out, keep, force)


def _export(warehouse: str | Path, out: str | Path, keep: int, force: bool) -> Release:
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
        for name in EXTRACTS:
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
    name = staging.name.removesuffix(".partial")
    (staging / "dictionary.md").write_text(dictionary(manifest), encoding="utf-8")
    dictionary_page(dictionary_entries(manifest), manifest, staging)
    package = datapackage(manifest, name)
    (staging / "datapackage.json").write_text(
        json.dumps(package, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    (staging / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    catalogue_page(manifest, staging, package)  # last: it lists every file of the release with its SHA-256


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
    """One relation as Parquet and as CSV; its manifest entry.

    Every Parquet file of a release sits under a ``fiscal_year=…`` folder, so that every extract, and all
    of them at once, read alike with hive partitioning, and none under a null partition (pandas cannot
    unify a null partition with the others): a relation with fiscal_year and rows is partitioned by it
    (its query holds no row without a year: an error otherwise); one without fiscal_year (quarantine, the
    code lists, departments) or without rows is one file in ``fiscal_year=all``, the file without a
    fiscal_year column."""
    query = _select(name)
    columns = con.execute(f"DESCRIBE ({query})").fetchall()
    rows, yearless = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE {PARTITION} IS NULL) FROM ({query})"
        if any(c[0] == PARTITION for c in columns)
        else f"SELECT count(*), NULL FROM ({query})"
    ).fetchone()
    if yearless:
        raise ValueError(f"{name}: {yearless} rows without {PARTITION} would make a null partition")
    target = staging / name
    if rows and yearless is not None:
        con.execute(
            f"COPY ({query}) TO {_literal(target)} (FORMAT PARQUET, PARTITION_BY ({PARTITION}), "
            "OVERWRITE_OR_IGNORE)"
        )
    else:
        single = target / f"{PARTITION}={ALL_YEARS}"
        single.mkdir(parents=True)
        rest = f"SELECT * EXCLUDE ({PARTITION}) FROM ({query})" if yearless is not None else query
        con.execute(f"COPY ({rest}) TO {_literal(single / 'data_0.parquet')} (FORMAT PARQUET)")
    csv_dir = staging / "csv"
    csv_dir.mkdir(exist_ok=True)
    _write_csv(con, query, csv_dir / f"{name}.csv")
    return {
        "rows": rows,
        "columns": [{"name": c[0], "type": c[1]} for c in columns],
        "partitioned": bool(rows and yearless is not None),
        "files": _files(staging, target) + _files(staging, csv_dir / f"{name}.csv"),
    }


def _write_csv(con: duckdb.DuckDBPyConnection, query: str, path: Path) -> None:
    """CSV in UTF-8 with a byte order mark, so that Excel and WPS on a Chinese Windows (which otherwise
    read GBK) open it right; pandas (encoding="utf-8-sig"), DuckDB and polars skip the mark. DuckDB's COPY
    has no BOM option: it writes beside the target, then the mark and its bytes are streamed into the
    target."""
    raw = path.with_name(path.name + ".tmp")
    con.execute(f"COPY ({query}) TO {_literal(raw)} (FORMAT CSV, HEADER, DELIMITER ',')")
    with path.open("wb") as out, raw.open("rb") as src:
        out.write(BOM)
        shutil.copyfileobj(src, out, 1 << 20)
    raw.unlink()


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
    """(description, {column: description}) of a table (warehouse.yaml), an extract derived from one
    (``DERIVED``) or a view (views.yaml)."""
    if name in load_views().names:
        return view_descriptions(name)
    if name in DERIVED:
        table, description, added = DERIVED[name]
        return description, {**{f.name: f.description for f in resource(table).fields}, **added}
    spec = resource(name)
    return spec.description, {f.name: f.description for f in spec.fields}


def dictionary_entries(manifest: dict) -> list[dict]:
    """Every exported relation with its description, rows and columns, each column with its DuckDB type,
    description, constraints and unit (as in datapackage.json): what dictionary.md and dictionary.html
    show."""
    entries = []
    for name, res in manifest["resources"].items():
        description, _ = _descriptions(name)
        columns = [
            {
                "name": f["name"],
                "type": f["duckdbType"],
                "description": f["description"],
                "constraints": f.get("constraints", {}),
                "unit": f.get("unit"),
                "scale": f.get("unitScale"),
            }
            for f in _fields(name, res["columns"], parquet=False)
        ]
        kind = "view" if name in load_views().names else "table"
        entries.append(
            {"name": name, "kind": kind, "description": description, "rows": res["rows"], "columns": columns}
        )
    return entries


def dictionary(manifest: dict) -> str:
    lines = [
        "# juesuan data dictionary",
        "",
        f"Schema version {manifest['schema_version']}, juesuan {manifest['juesuan']}, "
        f"exported {manifest['created_at']}. Amounts are exact decimals in yuan (元). The same dictionary "
        "with an anchor per relation and column: dictionary.html.",
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
    for entry in dictionary_entries(manifest):
        lines += [
            f"## {entry['name']}",
            "",
            entry["description"],
            "",
            f"{entry['rows']} rows.",
            "",
            "| column | type | description |",
            "|---|---|---|",
        ]
        lines += [f"| {c['name']} | {c['type']} | {c['description']} |" for c in entry["columns"]]
        lines.append("")
    return "\n".join(lines)


OWN_DOCUMENTS = ("quarantine",)  # extracts of documents the documents extract does not hold: no foreign key
STANDARD = "https://datapackage.org/profiles/2.0/datapackage.json"


def _base_table(name: str) -> str | None:
    """The warehouse table (warehouse.yaml) whose fields an extract has: its own, the one a derived extract
    is a part of (``DERIVED``), or None for a view."""
    if name in DERIVED:
        return DERIVED[name][0]
    return name if name in warehouse_declaration().tables else None


def _json_list(duckdb_type: str) -> bool:
    """Whether DuckDB writes a list column into CSV as JSON: a list of numbers (``[2, 4, 17]``); text lists
    and structs it writes unquoted (``[佛山市水务局]``)."""
    return duckdb_type.removesuffix("[]") in (
        "INTEGER",
        "BIGINT",
        "SMALLINT",
        "DOUBLE",
    ) and duckdb_type.endswith("[]")


def _fields(name: str, columns: list[dict], parquet: bool) -> list[dict]:
    """Frictionless fields of one relation's columns: type, description, the declared constraints (required
    for nullable: false, enum, pattern) and the unit of a number that has one (release.yaml). A table's
    fields come from warehouse.yaml, a view's from views.yaml (its amount columns in yuan); the fiscal_year
    an extract adds to a table is its document's. A list column is ``any`` in Parquet (frictionless reads
    it as an array object its array type refuses) and, in CSV, a JSON array (a list of numbers) or DuckDB's
    text of a list (``string``: ``[佛山市水务局]``, a list of structs)."""
    declared = release_declaration()
    base = _base_table(name)
    specs = {f.name: f for f in resource(base).fields} if base else {}
    documents = {f.name: f for f in resource("documents").fields}
    measures = set() if base else {c.name for c in view_columns(name) if c.origin in ("measure", "pick")}
    _, descriptions = _descriptions(name)
    out = []
    for c in columns:
        spec = specs.get(c["name"])
        description = descriptions.get(c["name"], "")
        if base and not description and c["name"] in documents:  # added by the extract from documents
            description = f"{documents[c['name']].description} (its document's, added to the extract)"
            spec = None
        ftype = spec.frictionless_type if spec else frictionless_type(c["type"])
        if ftype == "array" and (parquet or not _json_list(c["type"])):
            ftype = "any" if parquet else "string"
        field: dict = {"name": c["name"], "type": ftype, "description": description, "duckdbType": c["type"]}
        if parquet and ftype == "integer" and (spec is None or spec.nullable):
            field["missingValues"] = ["", "nan"]  # pandas hands a null integer of Parquet over as NaN
        constraints: dict = {}
        if spec is not None:
            if not spec.nullable:
                constraints["required"] = True
                if ftype == "string":
                    field["missingValues"] = []  # '' is a value here (a blank cell's raw_text), not null
            if spec.enum:
                constraints["enum"] = list(spec.enum)
            if spec.pattern:
                constraints["pattern"] = spec.pattern
        if constraints:
            field["constraints"] = constraints
        if base:
            unit = declared.unit_of(base, c["name"]) if spec is not None else None
        else:
            unit = declared.view_unit(name, c["name"], amount=c["name"] in measures)
        if unit is not None:
            field["unit"] = unit
            field["unitScale"] = declared.units[unit].scale
        out.append(field)
    return out


def _keys(name: str, columns: list[dict]) -> dict:
    """primaryKey (warehouse.yaml; views declare none) and foreignKeys: every document_id names a row of
    documents (but in the extracts of refused files), and a document's superseded_by another."""
    names = {c["name"] for c in columns}
    keys: dict = {}
    base = _base_table(name)
    if base and (key := list(resource(base).primary_key)) and set(key) <= names:
        keys["primaryKey"] = key
    documents = {"resource": "documents", "fields": ["document_id"]}
    foreign = []
    if name == "documents":
        foreign.append({"fields": ["superseded_by"], "reference": {**documents, "resource": ""}})
    elif "document_id" in names and name not in OWN_DOCUMENTS:
        foreign.append({"fields": ["document_id"], "reference": documents})
    if foreign:
        keys["foreignKeys"] = foreign
    return keys


def _parquet_resources(relation: str, res: dict, description: str) -> list[dict]:
    """One resource per Parquet file (``facts-2023``: the fiscal_year=2023 file, ``quarantine-all``: the one
    file of an extract without years), its schema without fiscal_year (the files do not hold it)."""
    columns = [c for c in res["columns"] if c["name"] != PARTITION]
    parts = [f for f in res["files"] if f["path"].endswith(".parquet")]
    out = []
    for f in parts:
        folder = Path(f["path"]).parent.name
        value = partition_of(f["path"]) or ALL_YEARS
        year = int(value) if value.isdigit() else None
        name = f"{relation}-{value}"
        if sum(Path(p["path"]).parent.name == folder for p in parts) > 1:
            name += "-" + Path(f["path"]).stem.replace("_", "-")
        out.append(
            {
                "name": name,
                "type": "table",
                "path": f["path"],
                "format": "parquet",
                "mediatype": "application/vnd.apache.parquet",
                "description": f"{description} (Parquet, {PARTITION} {value})",
                # frictionless reads Parquet through pyarrow, not through its byte stream: it cannot measure
                # a Parquet file's bytes or hash, so they are said here (and in manifest.json) rather than
                # as the standard bytes and hash it would report as unverifiable
                "file": {"bytes": f["bytes"], "sha256": f["sha256"]},
                "partition": {PARTITION: year},
                "schema": {"fields": _fields(relation, columns, parquet=True), **_keys(relation, columns)},
            }
        )
    return out


def datapackage(manifest: dict, release: str | None = None) -> dict:
    """The release as a Frictionless data package (Data Package v2), built and checked by the frictionless
    library: per relation a CSV resource (named as the relation, with its bytes and SHA-256) and a Parquet
    resource per file; the fields' descriptions, types, constraints and units, primary and foreign keys;
    the licence, citation and sources of release.yaml. ``frictionless validate datapackage.json`` checks
    every file against it (tests/integration/test_datapackage.py)."""
    import frictionless

    declared = release_declaration()
    name = release or manifest["created_at"][:10]
    resources = []
    for relation, res in manifest["resources"].items():
        description, _ = _descriptions(relation)
        csv = next((f for f in res["files"] if f["path"] == f"csv/{relation}.csv"), None)
        resources.append(
            {
                "name": relation,
                "type": "table",
                "path": f"csv/{relation}.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",  # with a byte order mark, which frictionless reads as utf-8-sig
                "description": description,
                **({"bytes": csv["bytes"], "hash": f"sha256:{csv['sha256']}"} if csv else {}),
                "schema": {
                    "fields": _fields(relation, res["columns"], parquet=False),
                    **_keys(relation, res["columns"]),
                },
            }
        )
        resources += _parquet_resources(relation, res, description)
    descriptor = {
        "$schema": STANDARD,
        "name": declared.name,
        "title": declared.title,
        "description": declared.description,
        "version": manifest["juesuan"],
        "created": manifest["created_at"],
        "licenses": [declared.licence.model_dump()],
        "sources": [s.model_dump() for s in declared.sources],
        "citation": declared.cite(name, manifest["juesuan"], manifest["created_at"]),
        "release": name,
        "schemaVersion": manifest["schema_version"],
        **({"contentHash": manifest["content_hash"]} if "content_hash" in manifest else {}),
        "resources": resources,
    }
    if database := manifest.get("database"):
        # not a tabular resource: a custom property (Frictionless allows them) and a word in the description
        descriptor["description"] += (
            f" The same tables and views are also in {database['path']}, a DuckDB database to open read-only."
        )
        descriptor["database"] = {
            "path": database["path"],
            "format": "duckdb",
            "bytes": database["bytes"],
            "hash": f"sha256:{database['sha256']}",
        }
    # built by the library: a descriptor it does not accept raises here, at export, not at a reader's
    return frictionless.Package.from_descriptor(descriptor).to_descriptor()
