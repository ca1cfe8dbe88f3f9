"""Reading pages: text lines with boxes, ruled table grids, and what is wrong with a page's text layer.

One small interface (:class:`Page`, :class:`Grid`, in ``page``) so the engine can be swapped: PDFium
(``pdfium_engine``, the default) or pdfplumber (``plumber_engine``), both finding tables with pdfplumber's
algorithm (``surface``); ``reader`` picks one. A page whose text layer is missing or unmapped (``(cid:N)``
glyphs) is detected and, where pypdfium2 recovers its text, read through it; otherwise the document is
marked as needing OCR. Nothing here knows what a 决算 is.
"""

from juesuan.pdf.page import Grid, GridCell, Line, Page, PdfProblem, TextLayer
from juesuan.pdf.reader import read_pages

__all__ = ["Grid", "GridCell", "Line", "Page", "PdfProblem", "TextLayer", "read_pages"]
