"""Questions the tests ask of a warehouse."""

from __future__ import annotations

from pathlib import Path

import duckdb

from juesuan.warehouse.db import CONTENT_TABLES


def facts_per_source(con, where: str = "TRUE") -> dict[str, int]:
    """Facts loaded per document, keyed by the path the document was read from."""
    return dict(
        con.execute(
            "SELECT d.source_path, count(f.document_id) FROM documents d "
            f"LEFT JOIN facts f USING (document_id) WHERE {where} GROUP BY 1"
        ).fetchall()
    )


def fingerprint(path: Path) -> dict[str, tuple]:
    """Rows and a content hash of every warehouse table (load times and load order left out): equal
    fingerprints, the same warehouse content."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        out = {}
        for t in CONTENT_TABLES:
            cols = [
                c[0]
                for c in con.execute(f"DESCRIBE {t}").fetchall()
                if c[0] not in ("ingested_at", "seen_at", "load_order")
            ]
            out[t] = con.execute(
                f"SELECT count(*), coalesce(sum(hash({', '.join(cols)})), 0) FROM {t}"
            ).fetchone()
        return out
    finally:
        con.close()
