"""Which engine reads a document (:func:`read_pages`), after refusing what is plainly not a PDF.

The engines live beside this module (``pdfium_engine``, ``plumber_engine``) and know nothing of each other's
dispatch; the page types are in ``page``.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterator
from pathlib import Path

from juesuan.faults import checkpoint
from juesuan.pdf import plumber_engine
from juesuan.pdf.page import Page, PdfProblem

ENGINES = ("pdfplumber", "pdfium")
DEFAULT_ENGINE = os.environ.get("JUESUAN_PDF_ENGINE", "pdfium")


def sniff(data: bytes, label: str) -> None:
    """Refuse what is plainly not a whole PDF before a PDF library tries (and perhaps repairs) it."""
    if not data:
        raise PdfProblem(label, "empty", "the file has 0 bytes")
    start = data.find(b"%PDF-", 0, 1024)
    if start < 0:
        head = data[:40].decode("utf-8", "replace").strip()
        kind = (
            " (an HTML page?)"
            if b"<html" in data[:1024].lower() or b"<!doctype" in data[:1024].lower()
            else ""
        )
        raise PdfProblem(label, "not_pdf", f"no %PDF- header; it starts with {head[:30]!r}{kind}")
    if b"%%EOF" not in data[-2048:]:
        raise PdfProblem(label, "truncated", f"{len(data)} bytes and no %%EOF at the end: cut short")


def warm_up() -> None:
    """Load what reading a first page loads: both engines' modules (pypdfium2 with them) and the codec of
    PDF text strings that start with a byte-order mark (UTF-16BE, ISO 32000 §7.9.2.2)."""
    from juesuan.pdf import pdfium_engine  # noqa: F401

    codecs.lookup("utf-16-be")


def read_pages(
    source: str | Path | bytes, name: str | None = None, engine: str | None = None
) -> Iterator[Page]:
    """Pages of a PDF, one at a time (a 500-page file is never held whole).

    ``engine`` picks who reads characters and ruling lines: ``pdfium`` (fast; pages it cannot vouch for
    fall back to pdfplumber) or ``pdfplumber``. Both give the same facts (tests/test_engines.py).
    """
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    label = name or (str(source) if not isinstance(source, bytes) else "<bytes>")
    engine = engine or DEFAULT_ENGINE
    if engine not in ENGINES:
        raise ValueError(f"unknown PDF engine {engine!r}; one of {', '.join(ENGINES)}")
    sniff(data, label)
    if engine == "pdfium":
        from juesuan.pdf import pdfium_engine  # pypdfium2 is loaded only when it reads

        pages = pdfium_engine.read(data, label)
    else:
        pages = plumber_engine.read(data, label)
    for page in pages:
        checkpoint("parse.page")
        yield page
