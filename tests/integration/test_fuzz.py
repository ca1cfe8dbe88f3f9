"""Byte-mutation fuzzing: damaged copies of generated PDFs go through a real ingest (worker processes, time
and memory limits). Every file ends loaded or quarantined with a known reason; the run never crashes; and
no wrong number is loaded silently: a loaded fact that differs from the generator's truth (or is not in
it) belongs to a document with at least one failed check."""

from __future__ import annotations

import json
import random
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from helpers.paths import SAMPLES

from juesuan.ingest import ingest
from juesuan.reasons import REASONS, code_of

pytestmark = pytest.mark.corpus
SOURCES = ("0002_mof9_2023", "0004_older8_2019")
MUTANTS = 30


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One of: a few flipped bytes, a run overwritten with noise, a chunk removed, a chunk repeated."""
    out = bytearray(data)
    body = range(16, len(out) - 16)  # keep the %PDF header and the trailer's %%EOF
    kind = rng.choice(["flip", "noise", "delete", "repeat"])
    if kind == "flip":
        for _ in range(rng.randint(1, 16)):
            i = rng.choice(body)
            out[i] ^= 1 << rng.randrange(8)
    elif kind == "noise":
        i = rng.choice(body)
        out[i : i + 64] = rng.randbytes(64)
    elif kind == "delete":
        i = rng.choice(body)
        del out[i : i + rng.randint(1, 512)]
    else:
        i = rng.choice(body)
        out[i:i] = out[i : i + rng.randint(1, 512)]
    return bytes(out)


def truth_amounts(stem: str) -> dict[tuple, Decimal]:
    truth = json.loads((SAMPLES / f"{stem}.truth.json").read_text("utf-8"))
    return {
        (f["table_code"], f["row_code"], f["row_label"], f["column_label"]): Decimal(f["amount_yuan"])
        for f in truth["facts"]
    }


def test_mutated_pdfs_are_refused_or_loaded_with_their_errors_flagged(tmp_path):
    rng = random.Random(20261128)
    folder = tmp_path / "mutants"
    folder.mkdir()
    source_of: dict[str, str] = {}
    for k in range(MUTANTS):
        stem = SOURCES[k % len(SOURCES)]
        name = f"mutant-{k:02d}-{stem}.pdf"
        (folder / name).write_bytes(mutate((SAMPLES / f"{stem}.pdf").read_bytes(), rng))
        source_of[name] = stem
    warehouse = tmp_path / "w.duckdb"
    outcomes = ingest([folder], warehouse, workers=2, timeout=60, memory_mb=1024)
    assert len(outcomes) == MUTANTS
    con = duckdb.connect(str(warehouse), read_only=True)
    silent, tally = [], {"exact": 0, "flagged": 0, "quarantined": 0, "other": 0}
    for outcome in outcomes:
        name = Path(outcome.path).name
        if outcome.status == "quarantined":
            assert code_of(outcome.reason) in REASONS, (name, outcome.reason)
            tally["quarantined"] += 1
            continue
        if outcome.status != "loaded":  # a mutation that left the bytes a duplicate of another mutant
            tally["other"] += 1
            continue
        truth = truth_amounts(source_of[name])
        facts = con.execute(
            "SELECT table_code, row_code, row_label, column_label, amount_yuan FROM facts "
            "WHERE document_id = ?",
            [outcome.document_id],
        ).fetchall()
        wrong = [f for f in facts if truth.get(tuple(f[:4])) != f[4]]
        failed = con.execute(
            "SELECT count(*) FROM checks WHERE document_id = ? AND NOT passed", [outcome.document_id]
        ).fetchone()[0]
        if wrong and not failed:
            silent.append((name, wrong[:3]))
        tally["flagged" if wrong or failed else "exact"] += 1
    con.close()
    assert not silent, silent
    assert tally["quarantined"] + tally["flagged"] > 0, tally  # the mutations did damage something
