"""A 200-document generated corpus held against pdfplumber, the parser, the warehouse and arithmetic.

Every page of every document has a text layer without (cid:N) glyphs, but the image-only pages the truth
names (``image_pages``); the parser finds every truth cell (exact amount, code, labels, measure, page and
box), no extra cell, every narrative figure and the document's identity; each document validates and loads
with exactly the parser's facts; for every fifth document every truth value and label is also found by plain
pdfplumber on the page the truth names; the printed tables satisfy the identities of DOMAIN.md §3 within
the published-rounding tolerance; the narrative agrees with the tables; and the corpus covers every
variation the generator promises, every producer profile (DOMAIN.md §5.4) among them.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from helpers.corpus_cache import corpus, documents
from helpers.parsecheck import compare_with_truth
from helpers.truthcheck import check_against_pdf, check_identities

from juesuan.ingest import judge, store
from juesuan.parse import parse_document
from juesuan.reference import department_id, load_catalogue, region_of
from juesuan.synth.producers import PRODUCERS
from juesuan.warehouse import connect

COUNT, SEED, CHUNKS = 200, 0, 10
pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def corpus_docs():
    return documents(corpus(COUNT, SEED))


def test_corpus_has_the_requested_size_and_unique_documents(corpus_docs):
    assert len(corpus_docs) == COUNT
    ids = {t["documents"][0]["document_id"] for _, t in corpus_docs}
    assert len(ids) == COUNT


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_parser_reads_exactly_the_truth_and_tables_add_up(corpus_docs, chunk, tmp_path):
    size = COUNT // CHUNKS
    con = connect(tmp_path / "w.duckdb")
    for k, (path, truth) in enumerate(corpus_docs[chunk * size : (chunk + 1) * size]):
        doc = parse_document(path)
        pages, images = truth["documents"][0]["page_count"], len(truth["image_pages"])
        layers = {"ok": pages - images, "empty": images} if images else {"ok": pages}
        assert doc.text_layers == layers, (path.name, doc.text_layers)  # image-only pages have no text
        problems = compare_with_truth(doc, truth)
        assert not problems, f"{path.name}: {len(problems)} problems, first {problems[:5]}"
        # validated and loaded: the warehouse holds exactly the parser's facts for the document
        outcome = store(con, judge(doc, str(path)), None)
        assert outcome.status == "loaded", (path.name, outcome.reason)
        loaded = con.execute(
            "SELECT count(*) FROM facts WHERE document_id = ?", [doc.document_id]
        ).fetchone()[0]
        assert loaded == len(doc.facts()) == len(truth["facts"])
        # reconciled: an unaltered generated document fails no check but P1 on its image-only pages
        failed = con.execute(
            "SELECT check_id, subject FROM checks WHERE document_id = ? AND NOT passed ORDER BY 2",
            [doc.document_id],
        ).fetchall()
        unreadable = sorted(("P1", f"page/{n}") for n in truth["image_pages"])
        assert failed == unreadable, (path.name, failed[:5])
        if k % 5 == 0:
            problems = check_against_pdf(path.read_bytes(), truth)
            assert not problems, f"{path.name}: {problems[:5]}"
        arithmetic = check_identities(truth)
        assert not arithmetic, f"{path.name}: {arithmetic[:5]}"


def test_narrative_figures_agree_with_the_table_cells_they_state(corpus_docs):
    catalogue = load_catalogue()
    checked = 0
    for path, truth in corpus_docs:
        unit = truth["documents"][0] and truth["facts"][0]["source_unit"]
        # the narrative speaks of the first set of tables (a second set, 本级 or a unit's, has its own books)
        cells = {
            (f["table_code"], f["row_code"] or f["row_label"], f["measure"]): Decimal(f["amount_yuan"])
            for f in truth["facts"]
            if f["table_scope"] == ""
        }
        first = [t for t in truth["tables"] if t["table_scope"] == ""]
        empty = {t["table_code"] for t in first if t["empty"]}
        present = {t["table_code"] for t in first}
        for fig in truth["narrative_figures"]:
            decl = catalogue.subject(fig["subject"])
            target = decl.cell(fig["subject"]) if decl else None
            if target is None or fig["amount_yuan"] is None:
                continue
            stated = Decimal(fig["amount_yuan"])
            if target[0] in empty or target[0] not in present:
                assert stated == 0, (path.name, fig)
                continue
            table_value = cells[target]
            # a 元 table is exact; the narrative rounds it to 0.01 万元
            allowed = Decimal(50) if unit == "元" else Decimal(0)
            assert abs(stated - table_value) <= allowed, (path.name, fig["subject"], stated, table_value)
            checked += 1
    assert checked > 20 * COUNT


def test_corpus_covers_every_variation_the_generator_promises(corpus_docs):
    styles = [t["style"] for _, t in corpus_docs]
    seen = {key: Counter(str(s[key]) for s in styles) for key in styles[0]}
    assert set(seen["family"]) == {f.id for f in load_catalogue().families.values() if f.kind == "final"}
    assert seen["family"]["central9"] >= 20, seen["family"]
    assert set(seen["function_code"]) == {"single", "split"}
    assert set(seen["economic_code"]) == {"single", "split"}
    assert set(seen["unit"]) == {"万元", "元"}
    assert set(seen["zero"]) == {"blank", "0.00", "-"}
    assert set(seen["thousands"]) == {"True", "False"}
    assert set(seen["continuation"]) == {"marker", "title", "title_total"}
    assert set(seen["font"]) == {"WenQuanYiZenHei", "WenQuanYiMicroHei", "ARPLUMingCN"}
    assert set(seen["three_public_layout"]) == {"paired", "blocks", "transposed"}
    assert set(seen["empty_style"]) == {"note", "zeros", "total_row"}
    assert set(seen["ruling"]) == {"lines", "rects"}
    assert {"公开NN表", "表N", "none"} == set(seen["table_label"])
    assert set(seen["producer"]) == set(PRODUCERS)  # DOMAIN.md §5.4: how real PDFs are written
    assert min(seen["producer"].values()) >= 10, seen["producer"]
    years = Counter(t["documents"][0]["fiscal_year"] for _, t in corpus_docs)
    assert set(years) == set(range(2019, 2025))
    features = Counter()
    for _, t in corpus_docs:
        features.update({k: v for k, v in t["features"].items() if v})
    for feature in (
        "tables_continued",
        "names_wrapped",
        "tables_empty_with_note",
        "tables_landscape",
        "charts",
        "glyphs_scaled",  # wps
        "runs_spaced",  # charspacing: justified lines, distributed header words
        "pages_rotated",  # rotate90
        "pages_cropped",  # cropbox
        "pages_media_shifted",
        "image_pages",  # image_page
        "fonts_type0",  # subset_fonts
        "fonts_without_tounicode",
        "empty_notes_wrapped",  # an empty table's blank 合计 line, its 说明 (…无数据) wrapped
    ):
        assert features[feature] > 10, feature
    continued_by_style = Counter(
        t["style"]["continuation"] for _, t in corpus_docs if t["features"].get("tables_continued")
    )
    assert all(continued_by_style[c] > 0 for c in ("marker", "title", "title_total"))
    portrait = sum(1 for _, t in corpus_docs if t["features"].get("tables_landscape", 0) < len(t["tables"]))
    assert portrait > 10
    departments = {t["documents"][0]["department_id"] for _, t in corpus_docs}
    assert len(departments) >= 50
    # the real-document variants (README "Real documents"), each in enough documents to matter
    assert min(seen["three_public_layout"].values()) >= 10, seen["three_public_layout"]
    assert seen["empty_style"]["total_row"] >= 5
    for key, values in (
        ("code_word", {"科目编码", "科目代码", "功能分类科目编码", "支出功能分类科目编码"}),
        ("economic_code_word", {"经济分类科目编码", "科目编码", "科目代码"}),
        ("name_word", {"科目名称", "名称", "项目"}),
        ("contents", {"plain", "leaders", "none"}),
        ("optional_columns", {"True", "False"}),
        ("group_headers", {"True", "False"}),
        ("basic_panes", {"2", "3"}),
        ("lineno_all_rows", {"True", "False"}),
        ("label_position", {"above", "below"}),
    ):
        assert set(seen[key]) == values, (key, seen[key])
        assert min(seen[key].values()) >= 10, (key, seen[key])
    assert seen["table_sets"]["2"] >= 5 and set(seen["second_set"]) == {"", "qualifier", "department"}
    central = [t for _, t in corpus_docs if t["style"]["family"] == "central9"]
    for t in central:  # central bodies name no region: the id is the parser's (region_of)
        d = t["documents"][0]
        assert d["region"] == region_of(d["department_name"]) == "", d
        assert d["department_id"] == department_id(d["department_name"], ""), d
        assert 2020 <= d["fiscal_year"] <= 2024
        assert t["style"]["basic_panes"] == 3 and t["style"]["table_label"] == "公开NN表"
        assert [x["table_code"] for x in t["tables"] if x["table_scope"] == ""] == list(
            load_catalogue().families["central9"].tables
        )
    central_cells = {(f["table_code"], f["column_label"]) for t in central for f in t["facts"]}
    assert ("gpb_basic_expenditure", "公用经费/决算数") in central_cells
    assert any(c == "state_capital_expenditure" for c, _ in central_cells)
    grouped = {
        f["column_label"]
        for _, t in corpus_docs
        for f in t["facts"]
        if f["table_code"] == "gpb_expenditure" and f["column_label"].startswith("本年支出/")
    }
    assert {"本年支出/基本支出", "本年支出/项目支出"} <= grouped
    facts = [(f, t) for _, t in corpus_docs for f in t["facts"] if f["table_code"] == "three_public"]
    transposed = [f for f, t in facts if t["style"]["three_public_layout"] == "transposed"]
    assert transposed and all(f["row_label"] == "" for f in transposed)
    assert {f["column_label"].rsplit("/", 1)[1] for f in transposed} == {"预算数", "决算数"}
    optional = {f["measure"] for f, t in facts if t["style"]["optional_columns"]}
    assert {"meeting_budget", "meeting_actual", "training_budget", "training_actual"} <= optional
    assert any(f["amount_yuan"] != "0.00" and f["measure"] == "meeting_actual" for f, _ in facts)
    titles = {f["table_title"] for f, t in facts if t["style"]["optional_columns"]}
    assert all("会议费、培训费" in title for title in titles)
    # a 目录 with dot leaders and page numbers lists every table; a second set of tables has its scope
    for _, t in corpus_docs:
        if t["style"]["contents"] == "leaders":
            assert set(t["contents"]["tables"]) == {x["table_code"] for x in t["tables"]}
    scopes = Counter(
        f["table_scope"] for _, t in corpus_docs if t["style"]["table_sets"] == 2 for f in t["facts"]
    )
    assert scopes["本级"] and any(s not in ("", "本级") for s in scopes), scopes
    classes = {
        f["row_code"]
        for _, t in corpus_docs
        for f in t["facts"]
        if f["table_code"] == "expenditure" and f["row_code"] and len(f["row_code"]) == 3
    }
    assert len(classes) >= 12
    # year pairs of one department: the second document's narrative compares with the first's totals
    years_by_department: dict[str, set[int]] = {}
    for _, t in corpus_docs:
        d = t["documents"][0]
        years_by_department.setdefault(d["department_id"], set()).add(d["fiscal_year"])
    consecutive = sum(1 for ys in years_by_department.values() if any(y + 1 in ys for y in ys))
    assert consecutive >= COUNT // 4
