"""Extracts for researchers: Parquet partitioned by fiscal_year and CSV, with a data dictionary, a
Frictionless ``datapackage.json`` (both from the field declarations) and a manifest of row counts and SHA-256.

Each release also holds ``report.html`` (the quality report) and ``index.html`` (the catalogue page).
Each export is a dated, immutable release folder (``releases/YYYY-MM-DD[-N]``); ``latest`` is a symlink
swapped atomically to the newest complete release, so readers never see a half-written extract.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

from juesuan import __version__
from juesuan.faults import checkpoint
from juesuan.reference.fields import frictionless_type, resource, schema_version
from juesuan.reference.views import load_views, view_descriptions
from juesuan.warehouse.db import CONTENT_TABLES, connect
from juesuan.warehouse.report import catalogue_page, quality_report

EXPORTED_VIEWS = load_views().exported  # views.yaml: every view but those with export: false


def _select(name: str) -> str:
    """Every exported relation carries fiscal_year (tables without it get their document's)."""
    if name in ("checks", "narrative_figures", "document_sources"):
        return f"SELECT t.*, d.fiscal_year FROM {name} t JOIN documents d USING (document_id)"
    return f"SELECT * FROM {name}"


def _release_dir(out: Path) -> Path:
    base = out / "releases" / datetime.now(UTC).strftime("%Y-%m-%d")
    candidate, n = base, 1
    while candidate.exists():
        n += 1
        candidate = base.with_name(f"{base.name}-{n}")
    return candidate


def export(warehouse: str | Path, out: str | Path) -> Path:
    """Write a release into ``releases/<date>[-N].partial``, rename it whole, then swap ``latest`` atomically:
    a crash at any point leaves the previous ``latest`` and every finished release intact. Exports run one
    at a time (the nightly flow's publish step), so a ``.partial`` left by a killed export is removed."""
    out = Path(out)
    for stale in (out / "releases").glob("*.partial"):
        shutil.rmtree(stale)
    release = _release_dir(out)
    staging = release.with_name(release.name + ".partial")
    staging.mkdir(parents=True)
    con = connect(warehouse, read_only=True)
    manifest = {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "juesuan": __version__,
        "schema_version": schema_version(),
        "resources": {},
    }
    try:
        for name in (*CONTENT_TABLES, *EXPORTED_VIEWS):
            query = _select(name)
            rows = con.execute(f"SELECT count(*) FROM ({query})").fetchone()[0]
            target = staging / name
            if rows:
                con.execute(
                    f"COPY ({query}) TO '{target}' (FORMAT PARQUET, PARTITION_BY (fiscal_year), "
                    "OVERWRITE_OR_IGNORE)"
                )
            else:
                # no rows: an empty file in the NULL partition keeps the columns readable, the layout uniform
                empty = target / "fiscal_year=__HIVE_DEFAULT_PARTITION__"
                empty.mkdir(parents=True)
                con.execute(
                    f"COPY (SELECT * EXCLUDE (fiscal_year) FROM ({query})) TO '{empty / 'empty.parquet'}' "
                    "(FORMAT PARQUET)"
                )
            csv_dir = staging / "csv"
            csv_dir.mkdir(exist_ok=True)
            con.execute(f"COPY ({query}) TO '{csv_dir / (name + '.csv')}' (HEADER, DELIMITER ',')")
            checkpoint("export.copy")
            columns = con.execute(f"DESCRIBE ({query})").fetchall()
            manifest["resources"][name] = {
                "rows": rows,
                "columns": [{"name": c[0], "type": c[1]} for c in columns],
                "files": _files(staging, target) + _files(staging, csv_dir / f"{name}.csv"),
            }
        quality_report(con, staging)
    finally:
        con.close()
    catalogue_page(manifest, staging)
    (staging / "dictionary.md").write_text(dictionary(manifest), encoding="utf-8")
    (staging / "datapackage.json").write_text(
        json.dumps(datapackage(manifest), ensure_ascii=False, indent=2), encoding="utf-8"
    )
    (staging / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    checkpoint("export.publish")
    staging.rename(release)
    checkpoint("export.link")
    latest = out / "latest"
    tmp_link = out / ".latest.tmp"
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    tmp_link.symlink_to(release.relative_to(out))
    os.replace(tmp_link, latest)
    return release


def _files(root: Path, target: Path) -> list[dict]:
    paths = sorted(target.rglob("*")) if target.is_dir() else [target]
    return [
        {
            "path": str(p.relative_to(root)),
            "bytes": p.stat().st_size,
            "sha256": hashlib.sha256(p.read_bytes()).hexdigest(),
        }
        for p in paths
        if p.is_file()
    ]


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
    return {
        "name": "juesuan",
        "title": "部门决算 final-account disclosures",
        "version": manifest["juesuan"],
        "created": manifest["created_at"],
        "resources": resources,
    }
