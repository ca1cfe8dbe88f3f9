"""The two page-reading engines give the same facts: PDFium (the default, fast) and pdfplumber.

On the committed samples and the real published PDFs the two readings are compared directly: every fact
(table, row, column, measure, amount, printed text, unit, page), every narrative figure and every check is
the same, and cell boxes agree to 0.01 pt (PDFium keeps coordinates as float32, so an edge printed at
517.605 can round to 517.60 with one engine and 517.61 with the other). On the 200-document generated
corpus each engine is held to the generator's truth cell by cell (PDFium in test_corpus.py, pdfplumber
here), which makes them identical there too.
"""

from __future__ import annotations

import pytest
from helpers.corpus_cache import corpus, documents
from helpers.parsecheck import compare_with_truth
from helpers.paths import SAMPLES, SHARED, require_shared

from juesuan.parse import ParsedDocument, parse_document
from juesuan.reconcile import reconcile_document

BOX = ["x0", "top", "x1", "bottom"]
COUNT, SEED, CHUNKS = 200, 0, 10


def differences(path) -> list[str]:
    """What differs between the two engines' reading of one document (empty when they agree)."""
    fast, plain = parse_document(path, engine="pdfium"), parse_document(path, engine="pdfplumber")
    problems = []
    if fast.identity != plain.identity or fast.text_layers != plain.text_layers:
        problems.append(f"identity/text layers: {fast.identity} {fast.text_layers} vs {plain.text_layers}")
    a, b = fast.facts_frame(), plain.facts_frame()
    if len(a) != len(b):
        problems.append(f"{len(a)} facts vs {len(b)}")
        return problems
    rest = [c for c in a.columns if c not in BOX]
    unequal = ~(a[rest].fillna("∅") == b[rest].fillna("∅")).all(axis=1)
    for i in a.index[unequal][:3]:
        problems.append(f"fact {i}: {a.loc[i, rest].to_dict()} vs {b.loc[i, rest].to_dict()}")
    drift = (a[BOX].astype(float) - b[BOX].astype(float)).abs().max().max() if len(a) else 0.0
    if drift > 0.0101:
        problems.append(f"a cell box differs by {drift:.4f} pt")
    for name, frame in (("figures", ParsedDocument.figures_frame), ("checks", reconcile_document)):
        fa, fb = frame(fast), frame(plain)
        fa, fb = (
            fa.drop(columns=[c for c in BOX if c in fa], errors="ignore"),
            fb.drop(columns=[c for c in BOX if c in fb], errors="ignore"),
        )
        if not fa.equals(fb):
            problems.append(f"{name} differ: {len(fa)} vs {len(fb)} rows")
    return problems


@pytest.mark.corpus
@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_the_pdfplumber_engine_reads_the_generated_corpus_exactly_too(chunk):
    """test_corpus.py holds the default (PDFium) engine to the truth of every generated document,
    cell by cell; the same comparison for the pdfplumber engine makes the two identical on the whole corpus
    without parsing everything twice here."""
    docs = documents(corpus(COUNT, SEED))
    size = COUNT // CHUNKS
    for path, truth in docs[chunk * size : (chunk + 1) * size]:
        problems = compare_with_truth(parse_document(path, engine="pdfplumber"), truth)
        assert not problems, f"{path.name}: {problems[:5]}"


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.pdf")), ids=lambda p: p.name)
def test_engines_agree_on_the_samples(path):
    assert not differences(path)


def test_engines_agree_on_the_real_pdfs():
    real = sorted(require_shared(SHARED / "real").glob("*.pdf"))
    found = {p.name: differences(p) for p in real}
    assert found == {p.name: [] for p in real}


def test_the_difference_check_sees_a_difference(monkeypatch):
    """A guard on the guard: an engine that drops one character is caught."""
    import juesuan.pdf.pdfium_engine as engine

    original = engine._chars

    def lossy(*args):
        chars, unmapped = original(*args)
        return [c for c in chars if c["text"] != "7"], unmapped

    monkeypatch.setattr(engine, "_chars", lossy)
    assert differences(SAMPLES / "0002_mof9_2023.pdf")


def test_an_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="unknown PDF engine"):
        parse_document(SAMPLES / "0002_mof9_2023.pdf", engine="ocr")


def turned(source, pages: list[int]) -> bytes:
    """The PDF with the given landscape pages re-made the way many printers emit them: a portrait MediaBox,
    the content drawn turned a quarter, and ``/Rotate 90`` so that it displays upright again."""
    import io

    import pypdfium2 as pdfium

    src = pdfium.PdfDocument(source)
    out = pdfium.PdfDocument.new()
    for i in range(len(src)):
        width, height = src[i].get_size()
        if i + 1 not in pages:
            out.import_pages(src, [i])
            continue
        page = out.new_page(height, width)
        drawn = src.page_as_xobject(i, out).as_pageobject()
        drawn.set_matrix(pdfium.PdfMatrix().rotate(90, ccw=True).translate(height, 0))
        page.insert_obj(drawn)
        page.gen_content()
        page.set_rotation(90)
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def test_pages_turned_with_rotate_90_read_as_the_originals_with_both_engines():
    # 国家信访局's nine landscape table pages (7-15) as /Rotate 90 portrait pages
    path = require_shared(SHARED / "real" / "guojia_xinfangju_2024_final.pdf")
    original = parse_document(path).facts_frame()
    data = turned(path, list(range(7, 16)))
    for engine in ("pdfium", "pdfplumber"):
        facts = parse_document(data, name="turned.pdf", engine=engine).facts_frame()
        rest = [c for c in original.columns if c not in [*BOX, "document_id"]]
        assert facts[rest].equals(original[rest]), engine
        drift = (facts[BOX].astype(float) - original[BOX].astype(float)).abs().max().max()
        assert drift <= 0.0101, (engine, drift)


def moved(source, media: tuple[float, float], crop: bool) -> bytes:
    """The PDF with every page drawn 50 pt right and 40 pt up on a larger MediaBox (``crop``: a CropBox
    frames the original area) or on a MediaBox whose origin is ``media`` instead of (0, 0)."""
    import io

    import pypdfium2 as pdfium

    src = pdfium.PdfDocument(source)
    out = pdfium.PdfDocument.new()
    for i in range(len(src)):
        width, height = src[i].get_size()
        page = out.new_page(width + 100, height + 80)
        drawn = src.page_as_xobject(i, out).as_pageobject()
        drawn.set_matrix(pdfium.PdfMatrix().translate(50, 40))
        page.insert_obj(drawn)
        page.gen_content()
        if crop:
            page.set_cropbox(50, 40, 50 + width, 40 + height)
        else:
            page.set_mediabox(media[0], media[1], media[0] + width, media[1] + height)
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("crop", "shift"), [(True, (50, 40)), (False, (50, -40))], ids=["cropbox", "mediabox"]
)
def test_pages_with_a_cropbox_or_a_mediabox_off_the_origin_read_as_the_originals(crop, shift):
    # pdfplumber keeps user-space x and measures top from the MediaBox's height; PDFium must do the same
    path = require_shared(SHARED / "real" / "guojia_xinfangju_2024_final.pdf")
    original = parse_document(path).facts_frame()
    data = moved(path, (50, 40), crop)
    for engine in ("pdfium", "pdfplumber"):
        facts = parse_document(data, name="moved.pdf", engine=engine).facts_frame()
        rest = [c for c in original.columns if c not in [*BOX, "document_id"]]
        assert facts[rest].equals(original[rest]), engine
        dx = (facts[["x0", "x1"]].astype(float) - original[["x0", "x1"]].astype(float) - shift[0]).abs()
        dy = (
            facts[["top", "bottom"]].astype(float) - original[["top", "bottom"]].astype(float) - shift[1]
        ).abs()
        assert dx.max().max() <= 0.0101 and dy.max().max() <= 0.0101, engine
