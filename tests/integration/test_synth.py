"""The generator: deterministic, its committed samples current, inconsistencies on request, exact printing."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pdfplumber
import pytest
from helpers.paths import SAMPLES
from helpers.truthcheck import check_identities

from juesuan.synth.corpus import document_style, generate_document, plan_corpus
from juesuan.synth.printer import AmountPrinter
from juesuan.synth.producers import PRODUCERS
from juesuan.synth.samples import SAMPLE_COUNT, SAMPLE_PRODUCERS, SAMPLE_SEED, SAMPLE_VARIANTS
from juesuan.synth.style import Style


def run_cli(out: Path, hashseed: str) -> dict[str, bytes]:
    env = dict(os.environ, PYTHONHASHSEED=hashseed)
    subprocess.run(
        [sys.executable, "-m", "juesuan.synth", "--out", str(out), "--count", "3", "--seed", "7"],
        check=True,
        env=env,
        capture_output=True,
    )
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def test_same_arguments_give_the_same_bytes_in_different_processes(tmp_path):
    first = run_cli(tmp_path / "a", "1")
    second = run_cli(tmp_path / "b", "2")
    assert len(first) == 6
    assert first == second


PROFILES_SCRIPT = """
import hashlib
from juesuan.synth.corpus import document_style, generate_document, plan_corpus
from juesuan.synth.producers import PRODUCERS
plan = plan_corpus(2, 9)[1]
for producer in PRODUCERS:
    print(producer, hashlib.sha256(generate_document(plan, document_style(plan, producer)).pdf).hexdigest())
"""


def test_every_producer_profile_gives_the_same_bytes_in_different_processes():
    outputs = [
        subprocess.run(
            [sys.executable, "-c", PROFILES_SCRIPT],
            env=dict(os.environ, PYTHONHASHSEED=hashseed),
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        for hashseed in ("1", "2")
    ]
    assert outputs[0] == outputs[1]
    digests = dict(line.split() for line in outputs[0].splitlines())
    assert list(digests) == list(PRODUCERS) and len(set(digests.values())) == len(PRODUCERS)


def test_producer_profiles_are_drawn_only_when_asked():
    drawn = {generate_document(p).truth["style"]["producer"] for p in plan_corpus(6, 7, producers=False)}
    assert drawn == {"plain"}
    assert not SAMPLE_PRODUCERS  # the bundled demo set is written as reportlab writes it


def test_real_document_variants_are_drawn_only_when_asked():
    """Without variants (the committed samples) no central department and every new knob at its default;
    with them, every eighth pair is central and the knobs vary."""
    defaults = Style(family="mof9")
    knobs = ("code_word", "economic_code_word", "name_word", "contents", "table_sets", "basic_panes")
    plain = [document_style(p) for p in plan_corpus(32, 7, variants=False)]
    assert {s.family for s in plain} <= {"sichuan13", "mof9", "older8"}
    assert all(getattr(s, k) == getattr(defaults, k) for s in plain for k in knobs)
    assert all(s.three_public_layout != "transposed" and not s.optional_columns for s in plain)
    varied = [document_style(p) for p in plan_corpus(32, 7)]
    assert [s.family for s in varied].count("central9") == 4  # slots 7 and 15
    assert all(len({getattr(s, k) for s in varied}) > 1 for k in knobs)
    # the families' own draws do not move: the same plan draws the same first-family knobs
    for a, b in zip(plain, varied, strict=True):
        if b.family != "central9":
            assert (a.unit, a.zero, a.font, a.continuation) == (b.unit, b.zero, b.font, b.continuation)


def test_different_seeds_give_different_documents():
    a = generate_document(plan_corpus(1, 1)[0])
    b = generate_document(plan_corpus(1, 2)[0])
    assert a.pdf != b.pdf


def test_committed_generated_samples_are_what_the_generator_makes_now():
    for plan in plan_corpus(SAMPLE_COUNT, SAMPLE_SEED, producers=SAMPLE_PRODUCERS, variants=SAMPLE_VARIANTS):
        generated = generate_document(plan)
        committed = SAMPLES / f"{generated.name}.pdf"
        assert committed.read_bytes() == generated.pdf, f"{committed} is stale: run `make samples`"
        truth = json.loads(committed.with_name(f"{generated.name}.truth.json").read_text("utf-8"))
        assert truth == json.loads(json.dumps(generated.truth, ensure_ascii=False))


def test_samples_are_small_enough_to_commit():
    pdfs = list(SAMPLES.glob("*.pdf"))
    assert 1 <= len(pdfs) <= 10
    assert sum(p.stat().st_size for p in pdfs) <= 5 * 1024 * 1024


def test_requested_inconsistencies_are_recorded_and_show_in_the_document():
    found_kinds = set()
    for plan in plan_corpus(8, 11, inconsistencies=3):
        generated = generate_document(plan)
        records = generated.truth["inconsistencies"]
        assert len(records) == 3, records
        with pdfplumber.open(io.BytesIO(generated.pdf)) as pdf:
            text = "".join("".join((p.extract_text() or "").split()) for p in pdf.pages)
        for r in records:
            found_kinds.add(r["kind"])
            if r["kind"] == "table_cell":
                assert r["printed_yuan"] != r["consistent_yuan"]
                assert check_identities(generated.truth), "a misprinted cell must break an identity"
            elif r["kind"] == "narrative_amount":
                assert r["stated_yuan"] != r["table_yuan"]
                stated = Decimal(r["stated_yuan"]) / 10_000
                assert f"{stated:.2f}".rstrip("0").rstrip(".") in text
            else:
                assert "增加/减少0万元" in text
    assert found_kinds == {"table_cell", "narrative_amount", "placeholder"}


def test_documents_without_requested_inconsistencies_record_none():
    generated = generate_document(plan_corpus(1, 5)[0])
    assert generated.truth["inconsistencies"] == []
    assert check_identities(generated.truth) == []


@pytest.mark.parametrize(
    ("fen", "unit", "thousands", "zero", "text", "yuan"),
    [
        (1_234_567_890, "万元", False, "0.00", "1234.57", "12345700.00"),
        (1_234_567_890, "万元", True, "0.00", "1,234.57", "12345700.00"),
        (1_234_567_890, "元", True, "-", "12,345,678.90", "12345678.90"),
        (5_000, "万元", False, "blank", "0.01", "100.00"),  # 50 元 is 0.005 万元: half-up
        (4_999, "万元", False, "blank", "", "0.00"),
        (4_999, "万元", False, "-", "-", "0.00"),
        (0, "元", False, "0.00", "0.00", "0.00"),
    ],
)
def test_amounts_print_as_finance_systems_print_them(fen, unit, thousands, zero, text, yuan):
    printer = AmountPrinter(unit=unit, thousands=thousands, zero=zero)
    assert printer.text(fen) == text
    assert printer.amount_yuan(fen) == Decimal(yuan)
