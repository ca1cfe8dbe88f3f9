"""``make bench``: parse throughput against pdfplumber's bare ``extract_tables``, measured in one run.

Corpus: 12 generated documents (every family) plus ../shared/corpus/real when present. Each engine runs
over the whole corpus ``--repeat`` times in a fresh process; the median wall time gives pages/s and the
process's peak RSS is reported. A 200-page document (generated documents joined) gives the parser's peak
RSS on a long file. Results go to bench/results.json and a short table on stdout.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "corpus" / "real"


def build_corpus(folder: Path) -> list[Path]:
    from juesuan.synth.corpus import generate_corpus

    paths = generate_corpus(folder, 12, seed=42)
    if REAL.exists():
        paths += sorted(REAL.glob("*_final*.pdf"))
    return paths


def build_long(folder: Path, pages: int = 200) -> Path:
    """One long PDF made by joining generated documents (pypdfium2 copies pages losslessly)."""
    import pypdfium2 as pdfium

    from juesuan.synth.corpus import generate_document, plan_corpus

    out = pdfium.PdfDocument.new()
    for plan in plan_corpus(20, seed=7):
        if len(out) >= pages:
            break
        src = pdfium.PdfDocument(generate_document(plan).pdf)
        out.import_pages(src, list(range(min(len(src), pages - len(out)))))
    path = folder / "long_200_pages.pdf"
    out.save(path)
    return path


def _page_count(path: str) -> int:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    try:
        return len(pdf)
    finally:
        pdf.close()


def run_engine(engine: str, paths: list[str]) -> dict:
    """Runs in a child process: one pass over the files; wall seconds, pages and peak RSS."""
    import pdfplumber

    start = time.perf_counter()
    pages = 0
    if engine == "pdfplumber_extract_tables":
        for p in paths:
            with pdfplumber.open(p) as pdf:
                for page in pdf.pages:
                    page.extract_tables()
                    pages += 1
                    page.close()
    elif engine == "juesuan_parse":
        from juesuan.parse import parse_document

        for p in paths:
            pages += parse_document(p).page_count
    elif engine.startswith("juesuan_ingest_"):
        from juesuan.ingest import ingest

        with tempfile.TemporaryDirectory() as tmp:
            ingest(paths, Path(tmp) / "w.duckdb", workers=int(engine.rsplit("_", 1)[1]))
        seconds = time.perf_counter() - start
        rss = max(
            resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
        )
        return {
            "seconds": seconds,
            "pages": sum(_page_count(p) for p in paths),
            "peak_rss_mb": round(rss / 1024, 1),
        }
    elif engine == "pdftotext_layout":
        for p in paths:
            subprocess.run(["pdftotext", "-layout", p, "-"], check=True, capture_output=True)
            with pdfplumber.open(p) as pdf:
                pages += len(pdf.pages)
    seconds = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "pages": pages, "peak_rss_mb": round(rss, 1)}


def measure(engine: str, paths: list[Path], repeat: int) -> dict:
    runs = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, __file__, "--child", engine, *map(str, paths)],
            check=True,
            capture_output=True,
            text=True,
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    seconds = statistics.median(r["seconds"] for r in runs)
    pages = runs[0]["pages"]
    return {
        "engine": engine,
        "pages": pages,
        "documents": len(paths),
        "median_seconds": round(seconds, 3),
        "pages_per_s": round(pages / seconds, 2),
        "documents_per_s": round(len(paths) / seconds, 3),
        "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
        "runs": [round(r["seconds"], 3) for r in runs],
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs="+")
    parser.add_argument("--build", type=Path, help="(internal) build the corpus into this folder")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_engine(args.child[0], args.child[1:])))
        return 0
    if args.build:
        corpus = build_corpus(args.build / "corpus")
        print(json.dumps({"corpus": [str(p) for p in corpus], "long": str(build_long(args.build))}))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        # built in a child: peak RSS survives exec on Linux, so the measuring parent must stay small
        built = subprocess.run(
            [sys.executable, __file__, "--build", tmp], check=True, capture_output=True, text=True
        )
        paths = json.loads(built.stdout.strip().splitlines()[-1])
        corpus, long_pdf = [Path(p) for p in paths["corpus"]], Path(paths["long"])
        engines = ("pdfplumber_extract_tables", "juesuan_parse", "juesuan_ingest_1", "juesuan_ingest_2")
        results = [measure(e, corpus, args.repeat) for e in engines]
        with contextlib.suppress(subprocess.CalledProcessError, FileNotFoundError):  # poppler is optional
            results.append(measure("pdftotext_layout", corpus, args.repeat))
        long_run = measure("juesuan_parse", [long_pdf], 1)
    baseline = results[0]["pages_per_s"]
    for r in results:
        r["ratio_to_extract_tables"] = round(r["pages_per_s"] / baseline, 3)
    report = {
        "machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count()},
        "corpus": {"documents": len(corpus), "pages": results[0]["pages"]},
        "results": results,
        "long_document": {
            "pages": long_run["pages"],
            "seconds": long_run["median_seconds"],
            "peak_rss_mb": long_run["peak_rss_mb"],
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"corpus: {len(corpus)} documents, {results[0]['pages']} pages; median of {args.repeat} runs each")
    print(f"{'engine':28} {'pages/s':>9} {'docs/s':>8} {'peak MB':>8} {'× extract_tables':>17}")
    for r in results:
        print(
            f"{r['engine']:28} {r['pages_per_s']:>9} {r['documents_per_s']:>8} {r['peak_rss_mb']:>8} "
            f"{r['ratio_to_extract_tables']:>17}"
        )
    print(
        f"juesuan_parse on a {long_run['pages']}-page document: {long_run['median_seconds']} s, "
        f"peak RSS {long_run['peak_rss_mb']} MB"
    )
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
