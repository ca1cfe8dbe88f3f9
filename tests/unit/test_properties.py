"""Property-based tests (hypothesis) for the small parsers every fact goes through: printed amounts, units,
classification codes and column headers."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from juesuan.parse.document import UNIT
from juesuan.parse.numbers import UNIT_FACTORS, parse_amount, to_yuan
from juesuan.parse.tables import CODE, class_code, match_measure, norm
from juesuan.reference import load_catalogue
from juesuan.reference.classes import function_classes

CATALOGUE = load_catalogue()
cents = st.integers(min_value=-(10**14), max_value=10**14)
FULLWIDTH = str.maketrans("0123456789,.-()", "０１２３４５６７８９，．－（）")


def printed(value: Decimal, commas: bool, parentheses: bool) -> str:
    """How a table prints an amount: optional thousands separators, negatives as -x or (x)."""
    body = f"{abs(value):,.2f}" if commas else f"{abs(value):.2f}"
    if value < 0:
        return f"({body})" if parentheses else f"-{body}"
    return body


@given(cents, st.booleans(), st.booleans(), st.booleans(), st.sampled_from(["", " ", "  ", "\u3000"]))
def test_any_printed_amount_reads_back_exactly(cents_value, commas, parentheses, fullwidth, pad):
    value = Decimal(cents_value).scaleb(-2)
    text = printed(value, commas, parentheses)
    if fullwidth:
        text = text.translate(FULLWIDTH)
    amount = parse_amount(pad + text + pad)
    assert amount.value == value
    assert amount.kind == ("zero" if value == 0 else "number")


@given(st.text(alphabet="-—–－/ ", min_size=1).filter(lambda t: t.strip()))
def test_dashes_are_zero_but_remembered_as_dashes(text):
    amount = parse_amount(text)
    assert (amount.value, amount.kind) == (Decimal(0), "dash")


@given(st.text(alphabet=" \u3000\t", max_size=4))
def test_blank_is_zero_but_remembered_as_blank(text):
    assert parse_amount(text).kind == "blank"


@given(st.text(max_size=30))
def test_arbitrary_text_never_raises_and_numbers_only_come_from_digits(text):
    amount = parse_amount(text)
    if amount.kind == "number":
        assert any(unicodedata.normalize("NFKC", ch).isdigit() for ch in text)
    if amount.value is None:
        assert amount.kind == "text"


@given(cents, st.sampled_from(sorted(UNIT_FACTORS)))
def test_units_scale_exactly_to_yuan(cents_value, unit):
    value = Decimal(cents_value).scaleb(-2)
    assert to_yuan(value, unit) == value * UNIT_FACTORS[unit]
    assert to_yuan(value, "万元") == to_yuan(value * 10000, "元")


@given(
    st.sampled_from(sorted(UNIT_FACTORS)),
    st.sampled_from(["单位：", "单位:", "单位： ", "金额单位："]),
    st.text(alphabet="编制部门某局（）", max_size=8),
)
def test_the_unit_line_is_read_whatever_surrounds_it(unit, prefix, before):
    match = UNIT.search(norm(before + prefix + unit))
    assert match is not None and match.group(1) == unit


@given(st.sampled_from(function_classes().entries), st.sampled_from(["", " ", "\u3000"]))
def test_every_function_class_code_is_a_code_and_its_name_finds_it(entry, pad):
    assert CODE.match(entry.code)
    if len(entry.code) == 3:  # 类 rows printed without a code are found by name
        year = entry.valid_from if entry.valid_to is None else entry.valid_to
        assert class_code(pad + entry.name + pad, year) == entry.code


@given(st.text(alphabet="0123456789", min_size=1, max_size=9))
def test_codes_have_three_five_or_seven_digits(text):
    assert bool(CODE.match(text)) == (len(text) in (3, 5, 7))


LEAVES = [
    (spec.id, tree, nodes, leaf)
    for spec in CATALOGUE.tables.values()
    for tree in spec.columns
    for nodes, leaf in tree.leaves()
    if leaf.measure
]


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=300)
@given(st.sampled_from(LEAVES), st.randoms(use_true_random=False), st.sampled_from(["", " ", "\u3000", "\n"]))
def test_a_header_path_finds_its_measure_in_any_order_and_spacing(case, rng, space):
    table_id, _, nodes, leaf = case
    spec = CATALOGUE.tables[table_id]
    labels = [rng.choice(node.labels) for node in nodes]
    rng.shuffle(labels)
    path = [norm(space.join(label)) for label in labels]
    assert match_measure(spec.columns, path, 2024) == leaf.measure
