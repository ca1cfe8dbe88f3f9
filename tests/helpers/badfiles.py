"""A corpus of broken and hostile inputs, generated (nothing here is a stored file).

Each builder returns bytes; :func:`build` writes them all into a folder and returns what each file is meant
to become: its status and, for refusals, the reason code.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import json
import random
import zlib
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfgen.canvas import Canvas

import juesuan.synth.render as render
from juesuan.reference import load_catalogue
from juesuan.synth.corpus import DocumentPlan, Generated, generate_document, plan_corpus
from juesuan.synth.style import A4, FONTS


@dataclass(frozen=True)
class Expect:
    status: str  # loaded | quarantined | duplicate | superseded
    codes: tuple[str, ...] = ()  # acceptable reason codes for a refusal


def encrypted(plan: DocumentPlan, user_password: str) -> Generated:
    """A generated document written by reportlab with the standard security handler."""
    original = render.Canvas
    render.Canvas = functools.partial(
        Canvas, encrypt=StandardEncryption(user_password, ownerPassword="owner-secret", canPrint=1)
    )
    try:
        return generate_document(plan)
    finally:
        render.Canvas = original


def scanned(pdf: bytes, pages: int = 3) -> bytes:
    """The first pages rendered to images and nothing else: what a scanner produces."""
    source = pdfium.PdfDocument(pdf)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    for i in range(min(pages, len(source))):
        image = source[i].render(scale=1).to_pil()
        canvas.drawInlineImage(image, 0, 0, width=A4[0], height=A4[1])
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def without_unicode_maps(pdf: bytes) -> bytes:
    """The same file with its fonts' ToUnicode maps disconnected (same length: offsets stay valid)."""
    return pdf.replace(b"/ToUnicode", b"/ToUnicodX")


def text_pdf(lines_per_page: list[list[str]]) -> bytes:
    render.register_fonts()
    font = next(iter(FONTS))
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1)
    for lines in lines_per_page:
        canvas.setFont(font, 14)
        for k, line in enumerate(lines):
            canvas.drawString(72, A4[1] - 120 - 24 * k, line)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def budget() -> bytes:
    return text_pdf(
        [
            ["成都市青羊区某某局", "2025年部门预算", "二〇二五年二月"],
            ["第一部分 部门概况", "一、主要职能", "二、部门预算单位构成"],
        ]
    )


def without_tables(generated_doc: Generated, tables: set[str]) -> bytes:
    """The document with every page holding a cell of the given tables removed."""
    pages = {f["page"] for f in generated_doc.truth["facts"] if f["table_code"] in tables}
    pdf = pdfium.PdfDocument(generated_doc.pdf)
    for index in sorted(pages, reverse=True):
        pdf.del_page(index - 1)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def padded(generated_doc: Generated, total_pages: int) -> bytes:
    """The document followed by text-only attachment pages up to ``total_pages``."""
    pdf = pdfium.PdfDocument(generated_doc.pdf)
    extra = total_pages - len(pdf)
    filler = pdfium.PdfDocument(text_pdf([[f"附件 第{k + 1}页"] for k in range(extra)]))
    pdf.import_pages(filler)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def compression_bomb(gigabytes: float = 1.5) -> bytes:
    """A one-page PDF whose content stream inflates to ``gigabytes`` of blanks (~1.5 MB on disk)."""
    packer = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    parts = [packer.compress(chunk) for _ in range(int(gigabytes * 1024))]
    stream = b"".join(parts) + packer.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


ODD_NAMES = [
    "决算 2023（修订版）.pdf",
    "a  b   c.pdf",
    "weird #1 & 'quote' [x] $HOME;.pdf",
    "-starts-with-dash.pdf",
    "ümlaut–dash—é.PDF",
]


def build(folder: Path) -> dict[str, Expect]:
    """Write the corpus; returns file name → what it must become (documents of distinct department-years,
    so that only the re-published pair supersedes)."""
    load_catalogue()
    folder.mkdir(parents=True, exist_ok=True)
    plans = plan_corpus(7 + len(ODD_NAMES), seed=97)
    assert len({(p.department.name, p.year) for p in plans}) == len(plans)
    good, original, plain, partial, long_doc = (generate_document(p) for p in plans[:5])
    files: dict[str, bytes] = {}
    expect: dict[str, Expect] = {}
    truths: dict[str, Generated] = {}

    def put(name: str, data: bytes, outcome: Expect, truth: Generated | None = None) -> None:
        files[name] = data
        expect[name] = outcome
        if truth is not None:
            truths[name] = truth

    put("zero-bytes.pdf", b"", Expect("quarantined", ("empty",)))
    put("truncated.pdf", good.pdf[: len(good.pdf) // 2], Expect("quarantined", ("truncated",)))
    put("random.pdf", random.Random(7).randbytes(64_000), Expect("quarantined", ("not_pdf",)))
    put(
        "error page.pdf",
        b"<!DOCTYPE html><html><head><title>404 Not Found</title></head><body>nginx</body></html>",
        Expect("quarantined", ("not_pdf",)),
    )
    put("encrypted.pdf", encrypted(plans[5], "secret").pdf, Expect("quarantined", ("encrypted",)))
    opened = encrypted(plans[6], "")
    put("encrypted-empty-password.pdf", opened.pdf, Expect("loaded"), opened)
    put("scanned.pdf", scanned(plain.pdf), Expect("quarantined", ("needs_ocr",)))
    put("no-unicode-map.pdf", without_unicode_maps(plain.pdf), Expect("quarantined", ("needs_ocr",)))
    put("budget.pdf", budget(), Expect("quarantined", ("no_tables",)))  # a budget without its tables
    put("missing-tables.pdf", without_tables(partial, MISSING), Expect("loaded"))
    put(
        "bomb.pdf",
        compression_bomb(),
        # pdfminer's MemoryError, or PDFium aborting (SIGABRT) when an allocation fails under the limit
        Expect("quarantined", ("memory", "crashed")),
    )
    put("long-500-pages.pdf", padded(long_doc, 500), Expect("loaded"), long_doc)
    # the same bytes twice: name order reads "good copy.pdf" (' ' < '.') before "good.pdf"
    put("good copy.pdf", good.pdf, Expect("loaded"), good)
    put("good.pdf", good.pdf, Expect("duplicate"))
    # the same department and year published twice: the corrected file, read later, supersedes
    put("republished-1.pdf", original.pdf, Expect("superseded"))
    corrected = generate_document(dataclasses.replace(plans[1], inconsistencies=1))
    put("republished-2-corrected.pdf", corrected.pdf, Expect("loaded"))
    for name, plan in zip(ODD_NAMES, plans[7:], strict=True):
        doc = generate_document(plan)
        put(name, doc.pdf, Expect("loaded"), doc)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    (folder.parent / "fact-counts.json").write_text(
        json.dumps({name: len(doc.truth["facts"]) for name, doc in truths.items()}), encoding="utf-8"
    )
    (folder.parent / "missing-tables.json").write_text(
        json.dumps(len([f for f in partial.truth["facts"] if f["table_code"] not in MISSING])),
        encoding="utf-8",
    )
    return expect


MISSING = {"three_public", "gpb_basic_expenditure"}
