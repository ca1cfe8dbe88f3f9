"""A generated corpus shared by the tests of one run (and kept between runs while the generator is unchanged).

Built once under data/processed/test-corpus/, keyed by the generator's source; concurrent pytest-xdist
workers take a file lock, so one builds (with two processes) while the others wait.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from juesuan.synth.corpus import DocumentPlan, generate_document, plan_corpus, write

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "data" / "processed" / "test-corpus"


def source_key() -> str:
    digest = hashlib.sha256()
    for folder in ("juesuan/synth", "juesuan/reference"):
        for path in sorted((ROOT / folder).glob("*")):
            if path.is_file():
                digest.update(path.name.encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _make(plan: DocumentPlan, out: Path) -> str:
    return write(generate_document(plan), out).name


def corpus(count: int, seed: int, inconsistencies: int = 0) -> Path:
    out = CACHE / f"n{count}-s{seed}-i{inconsistencies}-{source_key()}"
    done = out / ".complete"
    if done.exists():
        return out
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / f"{out.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            out.mkdir(parents=True, exist_ok=True)
            plans = plan_corpus(count, seed, inconsistencies)
            with ProcessPoolExecutor(max_workers=2) as pool:
                list(pool.map(_make, plans, [out] * len(plans), chunksize=4))
            done.write_text(json.dumps({"count": count, "seed": seed}))
    return out


def documents(folder: Path) -> list[tuple[Path, dict]]:
    return [
        (p, json.loads(p.with_name(p.stem + ".truth.json").read_text("utf-8")))
        for p in sorted(folder.glob("*.pdf"))
    ]
