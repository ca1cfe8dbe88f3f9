"""Tables, narrative figures and document identity from pages (pdf → parse)."""

from juesuan.parse.document import ParsedDocument, ParsedTable, parse_document

__all__ = ["ParsedDocument", "ParsedTable", "parse_document", "warm_up"]


def warm_up() -> None:
    """Build, in this process, what reading a first document builds on first use: the declarations, the
    vocabularies compiled from them, the classifications' name indexes, the PDF engines' modules.

    A process forked per document (:func:`juesuan.ingest.forked`) inherits them built instead of
    building them again and losing them when it exits; a test holds that preparing a document after
    this builds no cache of its own."""
    from juesuan import reference
    from juesuan.parse import narrative, tables, titles
    from juesuan.pdf import reader

    reference.warm_up()
    reader.warm_up()
    titles.warm_up()
    tables.warm_up()
    narrative.warm_up()
