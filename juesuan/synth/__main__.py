"""``python -m juesuan.synth --out DIR --count N --seed S``: a deterministic corpus with exact truth."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from juesuan.synth.corpus import generate_corpus


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m juesuan.synth", description=__doc__)
    parser.add_argument("--out", type=Path, required=True, help="folder for the PDFs and their .truth.json")
    parser.add_argument("--count", type=int, default=10, help="number of documents")
    parser.add_argument("--seed", type=int, default=0, help="same seed, same bytes")
    parser.add_argument(
        "--inconsistencies",
        type=int,
        default=0,
        help="deliberate inconsistencies per document, recorded in the truth",
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    paths = generate_corpus(args.out, args.count, args.seed, args.inconsistencies)
    print(f"wrote {len(paths)} documents to {args.out} in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
