"""Questions the tests ask of a warehouse."""

from __future__ import annotations


def facts_per_source(con, where: str = "TRUE") -> dict[str, int]:
    """Facts loaded per document, keyed by the path the document was read from."""
    return dict(
        con.execute(
            "SELECT d.source_path, count(f.document_id) FROM documents d "
            f"LEFT JOIN facts f USING (document_id) WHERE {where} GROUP BY 1"
        ).fetchall()
    )
