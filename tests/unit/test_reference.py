"""The reference data: the catalogue is complete and consistent; the code lists say what DOMAIN.md says."""

from __future__ import annotations

import re

import pytest

from juesuan.reference import economic_classes, function_classes, load_catalogue
from juesuan.reference.identity import department_id, normalize_name

DESIGN_TABLE_IDS = {
    "income_expenditure_summary",
    "income",
    "expenditure",
    "fiscal_summary",
    "fiscal_expenditure_detail",
    "gpb_expenditure",
    "gpb_expenditure_detail",
    "gpb_basic_expenditure",
    "gpb_project_expenditure",
    "three_public",
    "gov_fund",
    "state_capital",
    "state_capital_expenditure",
}


def test_catalogue_declares_every_table_id_of_the_contract_and_the_families_of_domain_md():
    cat = load_catalogue()
    assert {t.id for t in cat.tables_of("final")} == DESIGN_TABLE_IDS
    assert all(t.startswith("budget_") for t in set(cat.tables) - DESIGN_TABLE_IDS)
    assert len(cat.families["sichuan13"].tables) == 13
    assert len(cat.families["mof9"].tables) == 9
    assert len(cat.families["older8"].tables) == 8
    assert "state_capital" not in cat.families["older8"].tables


def test_every_measure_a_table_uses_is_declared_once_and_unique_within_the_table():
    cat = load_catalogue()
    for table in cat.tables.values():
        measures = table.measures()
        assert measures, table.id
        assert len(measures) == len(set(measures)), table.id
        assert set(measures) <= set(cat.measures), (table.id, set(measures) - set(cat.measures))


def test_no_title_or_alias_names_two_tables():
    cat = load_catalogue()
    owner: dict[str, str] = {}
    for table in cat.tables.values():
        for title in table.titles:
            assert owner.setdefault(title, table.id) == table.id, title


def test_identities_name_existing_tables_and_the_tolerance_follows_published_rounding():
    cat = load_catalogue()
    ids = [i.id for i in cat.identities]
    assert len(ids) == len(set(ids))
    for identity in cat.identities:
        assert set(identity.tables) <= set(cat.tables), identity.id
    from decimal import Decimal

    assert cat.tolerance(1) == Decimal("0.01")
    assert cat.tolerance(4) == Decimal("0.025")


def test_narrative_subjects_point_at_declared_tables_and_measures():
    cat = load_catalogue()
    for subject in cat.narrative_subjects.values():
        if subject.table:
            assert subject.table in cat.tables, subject.id
            assert subject.measure in cat.tables[subject.table].measures(), subject.id
    assert cat.subject("gpb_class.208").cell("gpb_class.208") == (
        "gpb_expenditure",
        "208",
        "total_expenditure",
    )


@pytest.mark.parametrize("scheme", ["function", "economic"])
def test_codes_nest_by_prefix_and_level_matches_length(scheme):
    classes = function_classes() if scheme == "function" else economic_classes()
    lengths = {"类": 3, "款": 5, "项": 7}
    for e in classes.entries:
        assert len(e.code) == lengths[e.level], e
        if e.parent_code:
            assert e.code.startswith(e.parent_code), e
            assert e.parent_code in classes, e
        else:
            assert e.level == "类", e


# Every functional item of the seed disclosure, with DOMAIN.md §4.1's verification status.
SEED_FUNCTION_CODES = [
    ("201", "一般公共服务支出", True),
    ("20137", "网信事务", False),
    ("2013701", "行政运行", False),
    ("2013704", "信息安全事务", False),
    ("2013750", "事业运行", False),
    ("2013799", "其他网信事务支出", False),
    ("208", "社会保障和就业支出", True),
    ("20805", "行政事业单位养老支出", True),
    ("2080505", "机关事业单位基本养老保险缴费支出", True),
    ("2080506", "机关事业单位职业年金缴费支出", True),
    ("210", "卫生健康支出", True),
    ("21011", "行政事业单位医疗", True),
    ("2101101", "行政单位医疗", True),
    ("2101102", "事业单位医疗", False),
    ("2101103", "公务员医疗补助", False),
    ("221", "住房保障支出", True),
    ("22102", "住房改革支出", True),
    ("2210201", "住房公积金", True),
    ("229", "其他支出", True),
]


@pytest.mark.parametrize(("code", "name", "verified"), SEED_FUNCTION_CODES)
def test_seed_function_codes_are_listed_with_domain_md_verification_status(code, name, verified):
    entry = function_classes().entry(code, 2023)
    assert entry is not None and entry.name == name
    assert entry.verified is verified


def test_renamed_codes_have_the_name_of_their_year():
    fc = function_classes()
    assert fc.name("20805", 2019) == "行政事业单位离退休"
    assert fc.name("20805", 2024) == "行政事业单位养老支出"
    assert fc.name("215", 2019) == "资源勘探信息等支出"
    assert fc.name("215", 2024) == "资源勘探工业信息等支出"
    assert "其他网信事务" in fc.names("2013799")


def test_seed_economic_items_have_the_template_names():
    ec = economic_classes()
    expected = {
        "30101": "基本工资",
        "30108": "机关事业单位基本养老保险缴费",
        "30113": "住房公积金",
        "30213": "维修（护）费",
        "30228": "工会经费",
        "30239": "其他交通费用",
        "31013": "公务用车购置",
    }
    for code, name in expected.items():
        assert ec.name(code, 2023) == name
    assert "其他交通费" in ec.names("30239")


def test_summary_class_sets_are_the_printed_lists_and_known_classes():
    cat = load_catalogue()
    sizes = {k: len(v) for k, v in cat.summary_class_sets.items()}
    assert sizes == {"classes22": 22, "classes24": 24, "classes26": 26}
    for codes in cat.summary_class_sets.values():
        for code in codes:
            assert function_classes().level(code) == "类" and code in function_classes()
    assert cat.summary_class_sets["classes24"][22] == "229"  # 二十三、其他支出 (TPL-SH)


def test_department_id_is_stable_under_width_and_whitespace():
    a = department_id("攀枝花市东区电子政务建设服务中心", "四川省攀枝花市东区")
    b = department_id(" 攀枝花市东区电子政务建设服务中心 ", "四川省 攀枝花市 东区")
    assert a == b and len(a) == 16
    assert department_id("攀枝花市西区电子政务建设服务中心", "四川省攀枝花市西区") != a
    assert normalize_name("（境）ＡＢ１") == "(境)AB1"


@pytest.mark.parametrize(
    ("file", "original", "misspelt", "where"),
    [
        (
            "catalogue.yaml",
            "    aliases: [部门收支决算总表",
            "    alias: [部门收支决算总表",
            "tables.income_expenditure_summary.alias",
        ),
        (
            "catalogue.yaml",
            "optional: true  # a column",
            "optinal: true  # a column",
            r"tables\.three_public\.columns\.\d+\.optinal",
        ),
        (
            "catalogue.yaml",
            "{re: '基本支出', unless:",
            "{re: '基本支出', unles:",
            "narrative_subjects.basic_expenditure.says.0.unles",
        ),
        ("catalogue.yaml", "\ndefault_unit: 万元", "\ndefault_units: 万元", "default_units"),
        (
            "warehouse.yaml",
            "    primary_key: [document_id]\n",
            "    primary_keys: [document_id]\n",
            "tables.documents.primary_keys",
        ),
        (
            "warehouse.yaml",
            "{name: page_count, type: INTEGER, description:",
            "{name: page_count, type: INTEGER, descripton:",
            r"tables\.documents\.fields\.\d+\.descripton",
        ),
    ],
)
def test_a_misspelt_key_in_a_declaration_is_refused_naming_the_file_and_the_key(
    tmp_path, file, original, misspelt, where
):
    from importlib import resources

    from juesuan.reference.catalogue import read_catalogue
    from juesuan.reference.fields import read_warehouse
    from juesuan.reference.model import DeclarationError

    text = resources.files("juesuan.reference").joinpath(file).read_text("utf-8")
    assert text.count(original) == 1, original
    copy = tmp_path / file
    read = read_catalogue if file == "catalogue.yaml" else read_warehouse
    copy.write_text(text, encoding="utf-8")
    read(copy)  # the copy as it is loads
    copy.write_text(text.replace(original, misspelt), encoding="utf-8")
    with pytest.raises(DeclarationError) as refused:
        read(copy)
    assert re.search(rf"^{re.escape(file)}: {where}: unknown key", str(refused.value), re.M), refused.value


def test_declarations_are_frozen_and_checked_across_sections(tmp_path):
    from importlib import resources

    from pydantic import ValidationError

    from juesuan.reference.catalogue import read_catalogue
    from juesuan.reference.model import DeclarationError

    cat = load_catalogue()
    with pytest.raises(ValidationError):
        cat.tables["income"].title = "x"  # type: ignore[misc]
    text = resources.files("juesuan.reference").joinpath("catalogue.yaml").read_text("utf-8")
    for original, broken, said in [
        (
            "{labels: [预算数], measure: three_public_budget}",
            "{labels: [预算数], measure: three_public_budgt}",
            "no measure three_public_budgt",
        ),
        (
            'severity: warning, a: [gpb_basic_expenditure, "30217"',
            'severity: warn, a: [gpb_basic_expenditure, "30217"',
            "'warn' is not a severity",
        ),
        (
            "{kind: row_sum, table: gpb_expenditure, total: total_expenditure, parts",
            "{kind: row_summ, table: gpb_expenditure, total: total_expenditure, parts",
            "'row_summ' found using 'kind'",
        ),
        (  # a check's id follows from its identity and place: writing one is refused
            "{kind: row_sum, table: gpb_expenditure, total: total_expenditure, parts",
            "{id: I12, kind: row_sum, table: gpb_expenditure, total: total_expenditure, parts",
            "the id follows from the identity",
        ),
        (  # an identity documented and never checked is refused
            "≥ 0\n    checks:\n      - {kind: at_most, severity: warning, "
            "a: [fiscal_summary, 本年支出合计, fiscal_total], b: [expenditure, 合计, total_expenditure]}\n",
            "≥ 0\n",
            "X9: checks \\(what applies it\\) or same_as",
        ),
    ]:
        assert text.count(original) == 1, original
        copy = tmp_path / "catalogue.yaml"
        copy.write_text(text.replace(original, broken), encoding="utf-8")
        with pytest.raises(DeclarationError, match=said):
            read_catalogue(copy)


def test_enums_and_dtypes_come_from_the_declarations():
    import schemas
    from juesuan.reference.fields import DocumentStatus, IngestStatus, Severity, frictionless_type, resource

    cat = load_catalogue()
    assert resource("facts").fields[resource("facts").columns.index("source_unit")].enum == tuple(cat.units)
    status = resource("documents").fields[resource("documents").columns.index("status")]
    assert status.enum == tuple(DocumentStatus) == ("loaded", "quarantined", "superseded")
    assert {s.value for s in IngestStatus} == {"loaded", "skipped", "duplicate", "quarantined"}
    assert IngestStatus.QUARANTINED == "quarantined" and {"loaded": 1}[IngestStatus.LOADED] == 1
    severity = resource("checks").fields[resource("checks").columns.index("severity")]
    assert severity.enum == tuple(Severity)
    assert {r.severity for r in cat.rules} <= {None, *Severity}
    assert frictionless_type("DECIMAL(38,2)") == "number" and frictionless_type("VARCHAR[]") == "array"
    assert frictionless_type("BIGINT") == "integer" and frictionless_type("HUGEINT") == "string"
    assert str(schemas.schema("facts").columns["page"].dtype) == "Int64"
    assert str(schemas.schema("checks").columns["passed"].dtype) == "boolean"
    assert cat.factor("万元") == 10_000 and cat.factor() == cat.factor(cat.default_unit)
    from decimal import Decimal

    assert cat.from_yuan(Decimal("29400450.00")) == Decimal("2940.05")
    assert cat.to_yuan(Decimal("2940.05")) == Decimal("29400500.00")
