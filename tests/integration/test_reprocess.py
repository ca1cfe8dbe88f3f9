"""Reading again what an older parser read (`juesuan reprocess`, the nightly's re-read): publication order
decides what is current whatever order documents are read again in; a current document the new parser
refuses hands its place back; documents whose bytes are gone never crowd out the others."""

from __future__ import annotations

import dataclasses
import shutil

import duckdb
import pypdfium2 as pdfium
from helpers.paths import SAMPLES

from juesuan.ingest import in_process, ingest, reprocess

SOURCE = SAMPLES / "0003_mof9_2024.pdf"
OLD = "juesuan-0.0.1"


def _statuses(warehouse) -> dict[str, tuple[str, str | None]]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute("SELECT source_path, status, superseded_by FROM documents").fetchall()
        return {path.rsplit("/", 1)[-1]: (status, by) for path, status, by in rows}
    finally:
        con.close()


def _age(warehouse) -> None:
    con = duckdb.connect(str(warehouse))
    con.execute(f"UPDATE documents SET parser_version = '{OLD}'")
    con.close()


def _refusing(name: str):
    """A preparer that refuses one file, as a stricter (or an older, buggier) parser would."""

    def run(todo):
        for prepared in in_process(todo):
            if prepared.path.endswith(name):
                prepared = dataclasses.replace(prepared, refusal="invalid: read differently")
            yield prepared

    return run


def test_an_older_publication_refused_then_read_again_stays_history(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a old.pdf").write_bytes(SOURCE.read_bytes())
    pdfium.PdfDocument(SOURCE).save(folder / "b new.pdf")  # a re-publication: new bytes, same accounts
    warehouse = tmp_path / "w.duckdb"
    ingest([folder / "a old.pdf"], warehouse, preparer=_refusing("a old.pdf"))  # refused by the old parser
    ingest([folder / "b new.pdf"], warehouse)
    _age(warehouse)
    outcomes = reprocess(warehouse, preparer=in_process)  # the new parser reads both
    assert sorted(o.status for o in outcomes) == ["loaded", "loaded"]
    new_id = next(o.document_id for o in outcomes if o.path.endswith("b new.pdf"))
    assert _statuses(warehouse) == {"a old.pdf": ("superseded", new_id), "b new.pdf": ("loaded", None)}


def test_a_current_document_refused_when_read_again_hands_its_place_back(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a old.pdf").write_bytes(SOURCE.read_bytes())
    pdfium.PdfDocument(SOURCE).save(folder / "b new.pdf")
    warehouse = tmp_path / "w.duckdb"
    ingest([folder / "a old.pdf"], warehouse)
    ingest([folder / "b new.pdf"], warehouse)
    _age(warehouse)

    reprocess(warehouse, preparer=_refusing("b new.pdf"))
    now = _statuses(warehouse)
    assert now["b new.pdf"][0] == "quarantined"
    assert now["a old.pdf"] == ("loaded", None)  # current again: its department and year still answer
    con = duckdb.connect(str(warehouse), read_only=True)
    facts = con.execute("SELECT count(*) FROM current_facts").fetchone()[0]
    con.close()
    assert facts > 0


def test_documents_whose_bytes_are_gone_do_not_count_toward_the_limit(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    names = ["0000_sichuan13_2022.pdf", "0002_mof9_2023.pdf", "0004_older8_2019.pdf"]
    for name in names:
        shutil.copy(SAMPLES / name, folder)
    warehouse = tmp_path / "w.duckdb"
    ingest([folder], warehouse)
    _age(warehouse)
    (folder / names[0]).unlink()  # read first (oldest), its bytes nowhere now
    outcomes = reprocess(warehouse, limit=1, preparer=in_process)
    read = [o for o in outcomes if o.status == "loaded"]
    gone = [o for o in outcomes if o.status == "skipped"]
    assert len(read) == 1 and len(gone) == 1 and gone[0].path.endswith(names[0])
