"""Reconciliation: identities, table presence and narrative ↔ table checks as rows; never a silent fix."""

from __future__ import annotations

import random
from decimal import Decimal

import pandas as pd
import pytest
from helpers.corpus_cache import corpus, documents
from helpers.paths import SAMPLES, SEED_PDF, SHARED, require_shared

from juesuan.parse import parse_document
from juesuan.reconcile import checks_frame, reconcile, reconcile_document


@pytest.fixture(scope="module")
def seed_checks() -> pd.DataFrame:
    return reconcile_document(parse_document(SEED_PDF))


def test_seed_known_inconsistencies_are_failed_checks(seed_checks):
    failed = seed_checks[~seed_checks.passed]
    assert sorted(set(failed.check_id)) == ["N1", "N3", "N4", "N5"]
    # 决算数小于预算数 while the 三公 table prints 0 for both
    assert list(failed[failed.check_id == "N5"].subject) == ["three_public/决算数小于预算数"]
    n1 = failed[failed.check_id == "N1"].iloc[0]
    # 行政单位医疗 stated 13.55 万元; the table (its 210 项 summing to the 类) prints 8.13
    assert (n1.subject, n1.expected, n1.actual) == (
        "gpb_item.2101101",
        Decimal("81300.00"),
        Decimal("135500.00"),
    )
    assert n1.pages == [5, 29]
    # 住房保障支出（类）住房保障支出（款）住房公积金（项）: 2210201 belongs to 22102 住房改革支出
    assert list(failed[failed.check_id == "N4"].subject) == ["kuan_name.2210201"]
    placeholders = failed[failed.check_id == "N3"]
    assert len(placeholders) == 5 and all("增加/减少" in d or "持平" in d for d in placeholders.description)


def test_seed_consistent_figures_and_identities_pass(seed_checks):
    identities = seed_checks[seed_checks.check_id.str.match(r"^[IX]")]
    assert len(identities) > 300 and identities.passed.all()
    narrative = seed_checks[seed_checks.check_id.isin(["N1", "N2"])]
    assert len(narrative) > 60 and (narrative.passed.sum() == len(narrative) - 1)
    # the rounding tail is recorded, not hidden: 基本 173.11 + 项目 46.88 against 219.98
    tail = seed_checks[
        (seed_checks.check_id == "I7") & (seed_checks.subject == "expenditure/合计/total_expenditure")
    ]
    assert tail.iloc[0].difference == Decimal("-100.00") and tail.iloc[0].passed
    presence = seed_checks[seed_checks.check_id == "T1"]
    assert len(presence) == 13 and presence.passed.all()


def truth_frames(truth: dict) -> tuple[pd.DataFrame, pd.DataFrame, set[str], str]:
    """The first set of tables (the one the narrative speaks of) and the narrative, as the parser gives
    them."""
    facts = pd.DataFrame([f for f in truth["facts"] if f.get("table_scope", "") == ""])
    facts["amount_yuan"] = facts["amount_yuan"].map(Decimal)
    figures = pd.DataFrame(truth["narrative_figures"])
    for col in ("amount_yuan", "percent", "quantity"):
        figures[col] = figures[col].map(lambda v: None if v is None else Decimal(v))
    return (
        facts,
        figures,
        {t["table_code"] for t in truth["tables"] if t.get("table_scope", "") == ""},
        truth["documents"][0]["template_family"],
    )


@pytest.mark.corpus
def test_mutating_one_printed_number_is_detected_in_every_generated_document():
    """The truth facts equal the parser's (test_corpus); each document gets one random cell altered."""
    docs = documents(corpus(200, 0))
    clean_failures, undetected = [], []
    for k, (path, truth) in enumerate(docs):
        facts, figures, tables, family = truth_frames(truth)
        checks = reconcile(facts, figures, "doc", family, tables)
        if not checks.passed.all():
            clean_failures.append(path.name)
        rng = random.Random(k)
        i = rng.randrange(len(facts))
        unit = Decimal(10_000) if facts.loc[i, "source_unit"] == "万元" else Decimal(1)
        delta = Decimal(rng.choice((1, -1))) * Decimal(rng.randint(1, 99_999)) / 100
        mutated = facts.copy()
        mutated.loc[i, "amount_yuan"] += delta * unit
        if reconcile(mutated, figures, "doc", family, tables).passed.all():
            undetected.append((path.name, facts.loc[i, "table_code"], facts.loc[i, "row_label"]))
    assert clean_failures == []
    assert len(undetected) <= len(docs) // 100, undetected


def test_real_documents_pass_every_check_with_their_rounding_tails_recorded():
    real = require_shared(SHARED / "real")
    putuo = reconcile_document(parse_document(real / "sh_putuo_caizhengju_2024_final.pdf"))
    foshan = reconcile_document(parse_document(real / "foshan_guidaojiaotongju_2019_final.pdf"))
    # PT-CZJ's narrative, now read (its digits sit below the line), states two errors (DOMAIN.md §3.4):
    # 四 财政拨款收入支出总计 0.3 万元 (table 2,961.68) and 五(二) 一般公共服务支出 71.73% (71.65%)
    assert sorted(zip(putuo[~putuo.passed].check_id, putuo[~putuo.passed].subject, strict=True)) == [
        ("N1", "fiscal_grand_total"),
        ("N2", "gpb_class.201/share"),
    ]
    # FS19 p. 29 binds a small 项目名称 | 自评分数 table into its narrative: reported (U1), not an identity
    assert foshan[foshan.severity == "error"].passed.all()
    assert [(r.check_id, list(r.pages)) for r in foshan[~foshan.passed].itertuples()] == [("U1", [29])]
    # PT-CZJ 208 is 326.71 in the summary and 326.72 in 支出决算表 (DOMAIN.md §3.1): within tolerance
    x3 = putuo[(putuo.check_id == "X3") & putuo.subject.str.contains("/208/")].iloc[0]
    assert x3.difference == Decimal("-100.00") and x3.tolerance == Decimal("100.00")
    # FS19 income rows sum to 1668.15 against 本年收入合计 1668.14 (I1): a 0.01 tail
    i1 = foshan[foshan.check_id == "I1"].iloc[0]
    assert abs(i1.difference) == Decimal("100.00")
    # 国家信访局 2024: its five 类 rows sum to 14,572.54 against 本年支出合计 14,572.53 (I2), and the
    # 三公 决算数 items to 46.20 against 合计 46.21 (I16b): 0.01 tails its own footnote warns of, read by hand
    central = reconcile_document(parse_document(real / "guojia_xinfangju_2024_final.pdf"))
    assert central[central.severity == "error"].passed.all()
    # its 绩效自评表 (pp. 30-36) and an evaluation's score table (p. 48) hold amounts: reported, not loaded
    unread = sorted(p for r in central[~central.passed].itertuples() for p in r.pages if r.check_id == "U1")
    assert unread == [30, 32, 34, 35, 36, 48] and set(central[~central.passed].check_id) == {"U1"}
    for rule in ("I2", "I16b"):
        tail = central[central.check_id == rule].iloc[0]
        assert abs(tail.difference) == Decimal("100.00"), rule


def test_a_missing_table_is_a_failed_check():
    doc = parse_document(SAMPLES / "0003_mof9_2024.pdf")
    tables = {t.table_code for t in doc.tables} - {"three_public"}
    facts = doc.facts_frame()
    checks = reconcile(
        facts[facts.table_code != "three_public"],
        doc.figures_frame(),
        doc.document_id,
        doc.template_family,
        tables,
    )
    missing = checks[(checks.check_id == "T1") & ~checks.passed]
    assert list(missing.subject) == ["three_public"]


def test_year_on_year_statements_are_checked_against_the_previous_years_document(tmp_path):
    from juesuan.ingest import ingest
    from juesuan.warehouse.load import year_checks_for

    warehouse = tmp_path / "w.duckdb"
    # the later year first: its year checks appear when the earlier year arrives
    ingest([SAMPLES / "0001_sichuan13_2023.pdf"], warehouse)
    ingest([SAMPLES / "0000_sichuan13_2022.pdf"], warehouse)
    import duckdb

    con = duckdb.connect(str(warehouse))
    rows = con.execute(
        "SELECT check_id, subject, passed FROM checks WHERE check_id IN ('Y1', 'Y2')"
    ).fetchall()
    assert {s for c, s, _ in rows if c == "Y1"} == {
        "grand_total_change",
        "fiscal_grand_total_change",
        "gpb_expenditure_change",
        "three_public_actual_change",
        "running_cost_change",
    }
    assert all(passed for _, _, passed in rows)
    # had the 2022 document printed another 总计, the 2023 statement would disagree with it
    later = con.execute("SELECT document_id FROM documents WHERE fiscal_year = 2023").fetchone()[0]
    con.execute(
        "UPDATE facts SET amount_yuan = amount_yuan + 100000 WHERE fiscal_year = 2022 "
        "AND table_code = 'income_expenditure_summary' AND row_label = '总计'"
    )
    checks = year_checks_for(con, later)
    con.close()
    failed = checks[~checks.passed]
    assert set(failed.subject) == {"grand_total_change", "grand_total_change/percent"}
    assert failed[failed.check_id == "Y1"].iloc[0].difference == Decimal("100000.00")


def test_document_names_its_year_and_body_consistently_and_a_mismatch_fails():
    from juesuan.reconcile.consistency import consistency_checks

    doc = parse_document(SAMPLES / "0004_older8_2019.pdf")
    checks = checks_frame(doc.document_id, consistency_checks(doc.identity, doc.mentions))
    assert set(checks.check_id) == {"D1", "D2"} and checks.passed.all()
    assert {"year:heading", "year:statement", "year:date"} <= set(checks.subject)
    # what a wrong cover would say
    doc.identity.fiscal_year, doc.identity.department_name = 2018, "佛山市交通运输局"
    wrong = checks_frame(doc.document_id, consistency_checks(doc.identity, doc.mentions))
    assert not wrong.passed.any()
    assert set(wrong[wrong.check_id == "D1"].difference) == {Decimal(1)}


def test_a_stated_comparison_passes_when_the_table_bears_it_out():
    doc = parse_document(SEED_PDF)
    facts = doc.facts_frame()
    budget = (facts.table_code == "three_public") & (facts.measure == "three_public_budget")
    facts.loc[budget, "amount_yuan"] = Decimal("10000.00")  # had the budget been 1 万元, 0 < 1 holds
    checks = reconcile(
        facts,
        doc.figures_frame(),
        doc.document_id,
        doc.template_family,
        {t.table_code for t in doc.tables},
        doc.findings,
    )
    assert checks[checks.check_id == "N5"].passed.tolist() == [True]


def test_a_stated_percent_is_checked_at_the_precision_it_was_printed_with_everywhere():
    from juesuan.reconcile.percent import at_stated_precision, stated_step

    # as parsed (N2, N7): the Decimal keeps its printed digits
    assert stated_step(Decimal("10.0")) == Decimal("0.1") and stated_step(Decimal("6")) == Decimal("1")
    assert stated_step(Decimal("71.65")) == Decimal("0.01")
    # as loaded (Y2 reads DECIMAL(9,4)): the sentence gives the printed form back, signs aside
    assert stated_step(Decimal("10.0000"), "收、支总计增加2.1万元，增长10.0%。") == Decimal("0.1")
    assert stated_step(Decimal("-16.1000"), "减少42.29万元，下降16.1%。") == Decimal("0.1")
    assert stated_step(Decimal("6.0000"), "增长6%") == Decimal("1")
    assert at_stated_precision(Decimal("0.10049"), Decimal("10.0")) == (Decimal("10.0"), Decimal("0.1"))
    assert at_stated_precision(Decimal("0.0786"), Decimal("7.9"), "占7.9%") == (
        Decimal("7.9"),
        Decimal("0.1"),
    )


def test_every_cell_a_check_names_is_a_printed_fact_and_a_narrative_check_names_its_declared_cell(tmp_path):
    """checks.cells: what a report crops and an analyst joins; a reference to no fact would be a lie."""
    import duckdb

    from juesuan.ingest import ingest
    from juesuan.reference import load_catalogue

    warehouse = tmp_path / "w.duckdb"
    ingest([SAMPLES / "0000_sichuan13_2022.pdf", SAMPLES / "0004_older8_2019.pdf"], warehouse)
    con = duckdb.connect(str(warehouse), read_only=True)
    dangling, total = con.execute(
        "WITH c AS (SELECT document_id, unnest(cells) AS cell FROM checks) "
        "SELECT count(*) FILTER (WHERE f.document_id IS NULL), count(*) FROM c LEFT JOIN facts f "
        "ON f.document_id = c.document_id AND f.table_scope = c.cell.table_scope "
        "AND f.table_code = c.cell.table_code AND coalesce(f.row_code, f.row_label) = c.cell.row_key "
        "AND f.measure = c.cell.measure AND f.page = c.cell.page"
    ).fetchone()
    n1 = con.execute(
        "SELECT subject, cells[1].table_code, cells[1].row_key, cells[1].measure FROM checks "
        "WHERE check_id = 'N1' AND len(cells) > 0"
    ).fetchall()
    sums = con.execute("SELECT min(len(cells)) FROM checks WHERE check_id IN ('I6', 'I8')").fetchone()[0]
    con.close()
    assert total > 1000 and dangling == 0
    cat = load_catalogue()
    assert n1 and all(cat.subject(s).cell(s) == (t, r, m) for s, t, r, m in n1)
    assert sums >= 2  # a total and at least one of its parts
