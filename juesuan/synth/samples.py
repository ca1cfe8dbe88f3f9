"""The committed demo set: six generated disclosures, a department pair in each region kind.

Sichuan (13 tables) over two years, Shanghai (MoF-style 9) over two years, and Guangdong 2019 (older 8) with
its 2020 successor (MoF-style 9): every template family, and year-on-year pairs for cross-year queries.
``python -m juesuan.synth.samples --out data/raw/samples``
"""

from __future__ import annotations

import argparse
from pathlib import Path

from juesuan.synth.corpus import generate_corpus

SAMPLE_SEED = 2026
SAMPLE_COUNT = 6
SAMPLE_PRODUCERS = False  # the demo set is written as reportlab writes it (producer profiles: tests)
SAMPLE_VARIANTS = False  # and in the first families' layouts (central9 and the real-document variants: tests)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m juesuan.synth.samples", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    for path in generate_corpus(
        args.out, SAMPLE_COUNT, SAMPLE_SEED, producers=SAMPLE_PRODUCERS, variants=SAMPLE_VARIANTS
    ):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
