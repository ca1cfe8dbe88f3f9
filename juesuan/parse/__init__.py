"""Tables, narrative figures and document identity from pages (pdf → parse)."""

from juesuan.parse.document import ParsedDocument, ParsedTable, parse_document

__all__ = ["ParsedDocument", "ParsedTable", "parse_document"]
