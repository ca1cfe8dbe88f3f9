"""``make bench``: parse throughput against pdfplumber's bare ``extract_tables``, measured in one run.

Corpus: 30 generated documents (every family) plus ../shared/corpus/real when present. Each engine runs
over the whole corpus ``--repeat`` times (5, round-robin across engines) in a fresh process; the median
wall time gives pages/s and the process's peak RSS is reported. A 200-page document (generated documents
joined) gives the parser's peak RSS on a long file. ``--scale N`` (default 1000) generates N documents and
ingests them with 2 workers, sampling the memory (PSS) of the whole process tree and summing each stage's
CPU and wall seconds (parse, frames, validate, reconcile, load). The same 12 documents written by every
producer profile of the generator (plain, wps, charspacing, rotate90, cropbox, image_page, subset_fonts) give
the default engine's speed per producer against the plain set (``--only-producers`` runs just that), and
the real PDFs form a set of their own. Every engine's CPU seconds (its process and its parse workers) give
a per-core ratio beside the wall-clock one. ``--writer N`` (default 10,000) loads N documents through the
single writer alone (frames prepared once, no parsing; ``--only-writer`` runs just that) and compares the
load time per document (checkpoints included) over the last 1,000 with the first 1,000 of a fresh
warehouse loaded in alternation with them. Results go to bench/results.json and a short
table on stdout.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import platform
import resource
import shutil
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

    paths = generate_corpus(folder, 30, seed=42)
    if REAL.exists():
        paths += sorted(REAL.glob("*_final*.pdf"))
    return paths


def build_producers(folder: Path, count: int = 12) -> dict[str, list[Path]]:
    """The same ``count`` documents written by every producer profile (juesuan.synth.producers): the
    default engine's speed on WPS-style files is compared with the same documents as reportlab writes them."""
    from juesuan.synth.corpus import document_style, generate_document, plan_corpus, write
    from juesuan.synth.producers import PRODUCERS

    out: dict[str, list[Path]] = {}
    for producer in PRODUCERS:
        target = folder / producer
        out[producer] = [
            write(generate_document(plan, document_style(plan, producer)), target)
            for plan in plan_corpus(count, seed=11)
        ]
    return out


def measure_producers(sets: dict[str, list[Path]], repeat: int) -> list[dict]:
    """juesuan_parse (default engine) over each producer's set, round-robin across sets, median of runs."""
    runs: dict[str, list[dict]] = {p: [] for p in sets}
    for _ in range(repeat):
        for producer, paths in sets.items():
            out = subprocess.run(
                [sys.executable, __file__, "--child", "juesuan_parse", *map(str, paths)],
                check=True,
                capture_output=True,
                text=True,
            )
            runs[producer].append(json.loads(out.stdout.strip().splitlines()[-1]))
    plain = None
    results = []
    for producer, done in runs.items():
        seconds = statistics.median(r["seconds"] for r in done)
        pages_per_s = done[0]["pages"] / seconds
        plain = plain or pages_per_s  # "plain" comes first in PRODUCERS
        results.append(
            {
                "producer": producer,
                "pages": done[0]["pages"],
                "median_seconds": round(seconds, 3),
                "pages_per_s": round(pages_per_s, 2),
                "ratio_to_plain": round(pages_per_s / plain, 3),
                "runs": [round(r["seconds"], 3) for r in done],
            }
        )
    return results


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
    """Runs in a child process: one pass over the files; wall seconds, pages and peak RSS. Modules are
    imported before the clock starts (an interpreter's start-up is not throughput), for every engine."""
    import pdfplumber
    import pypdfium2  # noqa: F401

    import juesuan.ingest
    import juesuan.parse  # noqa: F401

    start, cpu_start = time.perf_counter(), _cpu()
    pages = 0
    if engine == "pdfplumber_extract_tables":
        for p in paths:
            with pdfplumber.open(p) as pdf:
                for page in pdf.pages:
                    page.extract_tables()
                    pages += 1
                    page.close()
    elif engine == "pypdfium2_chars":
        import pypdfium2 as pdfium

        for p in paths:
            pdf = pdfium.PdfDocument(p)
            for page in pdf:
                textpage = page.get_textpage()
                for i in range(textpage.count_chars()):
                    textpage.get_charbox(i, loose=True)
                textpage.get_text_range()
                pages += 1
            pdf.close()
    elif engine.startswith("juesuan_parse"):
        from juesuan.parse import parse_document

        pdf_engine = "pdfplumber" if engine.endswith("_pdfplumber") else "pdfium"
        for p in paths:
            pages += parse_document(p, engine=pdf_engine).page_count
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
            "cpu_seconds": _cpu() - cpu_start,
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
    return {
        "seconds": seconds,
        "cpu_seconds": _cpu() - cpu_start,
        "pages": pages,
        "peak_rss_mb": round(rss, 1),
    }


def _cpu() -> float:
    """CPU seconds (user + system) of this process and of its children that ended (parse workers)."""
    return sum(
        u.ru_utime + u.ru_stime
        for u in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    )


ENGINES = (
    "pdfplumber_extract_tables",  # the baseline
    "pypdfium2_chars",
    "juesuan_parse",  # PDFium engine, the default
    "juesuan_parse_pdfplumber",
    "juesuan_ingest_1",
    "juesuan_ingest_2",
)


def measure(engine: str, paths: list[Path], repeat: int) -> dict:
    return measure_all([engine], paths, repeat)[0]


def measure_all(engines: list[str], paths: list[Path], repeat: int) -> list[dict]:
    """Every engine ``repeat`` times, round-robin (engine A, B, C, A, B, C …), each run in a fresh process:
    a noisy minute on a shared machine then slows one run of every engine rather than all runs of one."""
    runs: dict[str, list[dict]] = {e: [] for e in engines}
    for _ in range(repeat):
        for engine in engines:
            out = subprocess.run(
                [sys.executable, __file__, "--child", engine, *map(str, paths)],
                check=True,
                capture_output=True,
                text=True,
            )
            runs[engine].append(json.loads(out.stdout.strip().splitlines()[-1]))
    results = []
    for engine, done in runs.items():
        seconds = statistics.median(r["seconds"] for r in done)
        cpu = statistics.median(r["cpu_seconds"] for r in done)
        pages = done[0]["pages"]
        results.append(
            {
                "engine": engine,
                "pages": pages,
                "documents": len(paths),
                "median_seconds": round(seconds, 3),
                "median_cpu_seconds": round(cpu, 3),
                "pages_per_cpu_s": round(pages / cpu, 2),
                "pages_per_s": round(pages / seconds, 2),
                "documents_per_s": round(len(paths) / seconds, 3),
                "peak_rss_mb": max(r["peak_rss_mb"] for r in done),
                "runs": [round(r["seconds"], 3) for r in done],
            }
        )
    return results


def _generate(args: tuple[int, int, str]) -> None:
    from juesuan.synth.corpus import generate_document, plan_corpus, write

    count, part, out = args
    for k, plan in enumerate(plan_corpus(count, seed=1000)):
        if k % 2 == part:
            write(generate_document(plan), Path(out))


def run_scale(folder: str, workers: int) -> dict:
    """Runs in a child: ingest every PDF of ``folder`` while a thread samples the memory of the whole process
    tree (the writer and its parse workers); per-stage seconds come from the outcomes."""
    import threading

    import psutil

    from juesuan.ingest import ingest
    from juesuan.reference.fields import IngestStatus

    me = psutil.Process()
    peak = {"tree": 0, "writer": 0}
    done = threading.Event()

    def sample() -> None:
        # PSS, not RSS: forked workers share the writer's pages, and RSS would count them once per process
        while not done.wait(0.5):
            pss = 0
            for proc in [me, *me.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    pss += proc.memory_full_info().pss
            peak["tree"] = max(peak["tree"], pss)
            peak["writer"] = max(peak["writer"], me.memory_info().rss)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        outcomes = ingest([folder], Path(tmp) / "w.duckdb", workers=workers)
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    stages: dict[str, float] = {}
    cpu: dict[str, float] = {}
    for o in outcomes:
        for stage, value in o.seconds.items():
            stages[stage] = stages.get(stage, 0.0) + value
        for stage, value in o.cpu.items():
            cpu[stage] = cpu.get(stage, 0.0) + value
    loads = [o.seconds["load"] for o in outcomes if "load" in o.seconds]  # does loading slow as it grows?
    return {
        "documents": len(outcomes),
        "loaded": sum(o.status == IngestStatus.LOADED for o in outcomes),
        "workers": workers,
        "seconds": round(seconds, 1),
        "documents_per_s": round(len(outcomes) / seconds, 2),
        "peak_pss_mb_process_tree": round(peak["tree"] / 2**20, 1),
        "peak_rss_mb_writer": round(peak["writer"] / 2**20, 1),
        "load_ms_first_100": round(1000 * statistics.mean(loads[:100]), 1) if loads else None,
        "load_ms_last_100": round(1000 * statistics.mean(loads[-100:]), 1) if loads else None,
        "stage_seconds_wall": {k: round(v, 1) for k, v in stages.items()},
        "stage_seconds_cpu": {k: round(v, 1) for k, v in cpu.items()},
        "load_plus_validate_over_parse_cpu": round((cpu["load"] + cpu["validate"]) / cpu["parse"], 3),
        "load_plus_validate_over_parse_wall": round(
            (stages["load"] + stages["validate"]) / stages["parse"], 3
        ),
    }


def measure_scale(tmp: Path, count: int) -> dict:
    """Ingest ``count`` generated documents with 2 workers: memory and the cost of each stage."""
    from multiprocessing import Pool

    folder = tmp / f"scale-{count}"
    folder.mkdir()
    with Pool(2) as pool:
        pool.map(_generate, [(count, 0, str(folder)), (count, 1, str(folder))])
    out = subprocess.run(
        [sys.executable, __file__, "--scale-child", str(folder), "2"],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _variant(prepared, k: int, per_department: int = 4):
    """Document ``k`` of the writer test: a prepared document's frames under a new id, department
    (``k // per_department``) and year (2020 + ``k % per_department``), so that departments have
    consecutive years and the year ↔ year checks run as in a real warehouse."""
    import hashlib

    doc_id = hashlib.sha256(f"writer-bench-{k}".encode()).hexdigest()
    keys = {
        "document_id": doc_id,
        "department_id": hashlib.sha256(f"department-{k // per_department}".encode()).hexdigest()[:16],
        "fiscal_year": 2020 + k % per_department,
    }

    def moved(rows):  # the worker's Arrow rows, with this document's keys
        import pyarrow as pa

        for column, value in keys.items():
            at = rows.schema.get_field_index(column)
            if at >= 0:
                rows = rows.set_column(at, column, pa.array([value] * len(rows), rows.schema.field(at).type))
        return rows

    document = dict(prepared.document, **keys, source_path=f"/bench/{doc_id}.pdf")
    return dataclasses.replace(
        prepared,
        path=document["source_path"],
        document_id=doc_id,
        document=document,
        facts=moved(prepared.facts),
        figures=moved(prepared.figures),
        checks=moved(prepared.checks),
    )


class _TimedWriter:
    """One warehouse loaded batch by batch as an ingest loads it (``store_batch``, then the writer's
    checkpoint when due), with every document's wall and CPU seconds: its share of its batch, plus its
    share of the checkpoint that folded it into the file (spread over the documents since the one
    before), so that a window of documents costs what its documents cost, not whether a checkpoint
    happened to fall inside it."""

    def __init__(self, path: Path):
        from juesuan.warehouse import connect
        from juesuan.warehouse.db import tune_for_loading

        self.con = connect(path)
        tune_for_loading(self.con)
        self.wall: list[float] = []
        self.cpu: list[float] = []  # the writer is one thread (tune_for_loading): its CPU time is its work
        self.unfolded = 0  # documents since the last checkpoint
        self.checkpoints = 0

    def load(self, batch: list) -> None:
        from juesuan.ingest import store_batch

        start, start_cpu = time.perf_counter(), time.process_time()
        store_batch(self.con, batch, None)
        self.wall += [(time.perf_counter() - start) / len(batch)] * len(batch)
        self.cpu += [(time.process_time() - start_cpu) / len(batch)] * len(batch)
        self.unfolded += len(batch)
        self._fold()

    def close(self) -> None:
        """The last documents' checkpoint (whatever the log holds), then the connection."""
        self._fold(log_bytes=0)
        self.con.close()

    def _fold(self, log_bytes: int | None = None) -> None:
        """The writer's checkpoint when due (``log_bytes``: another threshold), its time shared among the
        documents it folded."""
        from juesuan.warehouse.db import LOG_CHECKPOINT_BYTES, checkpoint_when_due

        start, start_cpu = time.perf_counter(), time.process_time()
        folded = checkpoint_when_due(self.con, LOG_CHECKPOINT_BYTES if log_bytes is None else log_bytes)
        if not folded or not self.unfolded:
            return
        wall, cpu, n = time.perf_counter() - start, time.process_time() - start_cpu, self.unfolded
        for k in range(len(self.wall) - n, len(self.wall)):
            self.wall[k] += wall / n
            self.cpu[k] += cpu / n
        self.unfolded, self.checkpoints = 0, self.checkpoints + 1


def run_writer(count: int) -> dict:
    """Runs in a child: ``count`` documents through the single writer alone (frames prepared once from 8
    generated documents, no parsing), in the batches an ingest makes (``juesuan.ingest.BATCH`` documents
    per transaction), checkpoints included (:class:`_TimedWriter`).

    The last window's documents are loaded in alternation with the first window's documents loaded into a
    fresh warehouse: the two windows are timed side by side, under the same load of the machine, and
    their ratio is the paired one (this machine's speed drifts by 10–20 % over the minutes a sequential
    run takes: a sequential first-vs-last ratio measures the drift as much as the warehouse). The
    sequential ratio (the big warehouse's own first window against its last) is reported beside it."""
    from juesuan.ingest import BATCH, prepare
    from juesuan.synth.corpus import generate_corpus

    window = min(1000, max(1, count // 10))
    with tempfile.TemporaryDirectory() as tmp:
        bases = [prepare(p) for p in generate_corpus(Path(tmp) / "docs", 8, seed=5)]
        bases = [b for b in bases if b.refusal is None]

        def documents(first: int, stop: int) -> list:
            return [_variant(bases[k % len(bases)], k) for k in range(first, stop)]

        big, fresh = _TimedWriter(Path(tmp) / "w.duckdb"), _TimedWriter(Path(tmp) / "first.duckdb")
        try:
            tail = count - window
            for first in range(0, tail, BATCH):
                big.load(documents(first, min(tail, first + BATCH)))
            for turn, first in enumerate(range(0, window, BATCH)):
                stop = min(window, first + BATCH)
                pair = [(fresh, documents(first, stop)), (big, documents(tail + first, tail + stop))]
                for writer, batch in pair if turn % 2 == 0 else reversed(pair):
                    writer.load(batch)
        finally:
            big.close()
            fresh.close()
        size = (Path(tmp) / "w.duckdb").stat().st_size

    def ms(values: list[float]) -> float:
        return round(1000 * statistics.mean(values), 2)

    def ratio(last: list[float], first: list[float]) -> float:
        return round(statistics.mean(last) / statistics.mean(first), 3)

    last_wall, last_cpu = big.wall[-window:], big.cpu[-window:]
    return {
        "documents": count,
        "batch": BATCH,
        "facts_per_document": round(statistics.mean(len(b.facts) for b in bases)),
        "window": window,
        "checkpoints": big.checkpoints,
        # paired: the last window of the big warehouse against the first window of a fresh one, loaded
        # in alternation (the judge); sequential: the big warehouse's own first and last windows
        "load_ms_first": ms(fresh.wall),
        "load_ms_last": ms(last_wall),
        "last_over_first": ratio(last_wall, fresh.wall),
        "cpu_ms_first": ms(fresh.cpu),
        "cpu_ms_last": ms(last_cpu),
        "cpu_last_over_first": ratio(last_cpu, fresh.cpu),
        "sequential_load_ms_first": ms(big.wall[:window]),
        "sequential_last_over_first": ratio(last_wall, big.wall[:window]),
        "sequential_cpu_last_over_first": ratio(last_cpu, big.cpu[:window]),
        "seconds": round(sum(big.wall), 1),
        "warehouse_mb": round(size / 2**20, 1),
    }


def measure_writer(count: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--only-writer", "--writer", str(count)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure_startup(folder: Path, repeat: int = 7) -> dict:
    """Median wall seconds of ``juesuan --help`` and of ``juesuan query`` (a one-row SELECT on an empty
    warehouse) as a user runs them: whole processes, the installed entry point, ``repeat`` runs each."""
    from juesuan.warehouse import connect

    juesuan = str(Path(sys.executable).parent / "juesuan")
    warehouse = folder / "startup.duckdb"
    connect(warehouse).close()
    commands = {
        "help": [juesuan, "--help"],
        "query": [juesuan, "query", "--warehouse", str(warehouse), "SELECT count(*) FROM documents"],
    }
    seconds: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeat):  # round-robin, as the engines
        for name, command in commands.items():
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            seconds[name].append(time.perf_counter() - start)
    return {"runs": repeat, **{f"{name}_s": round(statistics.median(v), 3) for name, v in seconds.items()}}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs="+")
    parser.add_argument("--build", type=Path, help="(internal) build the corpus into this folder")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--scale", type=int, default=1000, help="documents for the memory run (0: skip)")
    parser.add_argument("--only-producers", action="store_true", help="measure the producer sets only")
    parser.add_argument(
        "--engines", help="comma-separated subset of the engines (the first is the baseline)", default=""
    )
    parser.add_argument("--scale-child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument(
        "--writer", type=int, default=10_000, help="documents for the writer-only test (0: skip)"
    )
    parser.add_argument("--only-writer", action="store_true", help="run the writer-only test alone")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_engine(args.child[0], args.child[1:])))
        return 0
    if args.only_writer:
        print(json.dumps(run_writer(args.writer)))
        return 0
    if args.scale_child:
        print(json.dumps(run_scale(args.scale_child[0], int(args.scale_child[1]))))
        return 0
    if args.build:
        corpus = build_corpus(args.build / "corpus")
        producers = {k: [str(p) for p in v] for k, v in build_producers(args.build / "producers").items()}
        if REAL.exists():  # the published PDFs, WPS's among them, beside the generated producers
            producers["real"] = [str(p) for p in sorted(REAL.glob("*_final*.pdf"))]
        print(
            json.dumps(
                {
                    "corpus": [str(p) for p in corpus],
                    "long": str(build_long(args.build)),
                    "producers": producers,
                }
            )
        )
        return 0
    if args.only_producers:
        with tempfile.TemporaryDirectory() as tmp:
            for r in measure_producers(build_producers(Path(tmp)), args.repeat):
                ratio = r["ratio_to_plain"]
                print(f"{r['producer']:14} {r['pages_per_s']:>9} pages/s {ratio:>6}× plain {r['runs']}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        # built in a child: peak RSS survives exec on Linux, so the measuring parent must stay small
        built = subprocess.run(
            [sys.executable, __file__, "--build", tmp], check=True, capture_output=True, text=True
        )
        paths = json.loads(built.stdout.strip().splitlines()[-1])
        corpus, long_pdf = [Path(p) for p in paths["corpus"]], Path(paths["long"])
        producer_sets = {k: [Path(p) for p in v] for k, v in paths["producers"].items()}
        engines = list(ENGINES)
        if shutil.which("pdftotext"):  # poppler-utils is optional
            engines.append("pdftotext_layout")
        if args.engines:
            engines = [e for e in args.engines.split(",") if e]
        results = measure_all(engines, corpus, args.repeat)
        producers = measure_producers(producer_sets, args.repeat)
        long_run = measure("juesuan_parse", [long_pdf], 1)
        scale = measure_scale(Path(tmp), args.scale) if args.scale else None
        writer = measure_writer(args.writer) if args.writer else None
        startup = measure_startup(Path(tmp))
    baseline, baseline_cpu = results[0]["pages_per_s"], results[0]["pages_per_cpu_s"]
    for r in results:
        r["ratio_to_extract_tables"] = round(r["pages_per_s"] / baseline, 3)
        r["cpu_ratio_to_extract_tables"] = round(r["pages_per_cpu_s"] / baseline_cpu, 3)
    report = {
        "machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count()},
        "corpus": {"documents": len(corpus), "pages": results[0]["pages"]},
        "results": results,
        "long_document": {
            "pages": long_run["pages"],
            "seconds": long_run["median_seconds"],
            "peak_rss_mb": long_run["peak_rss_mb"],
        },
        "producers": producers,
        "scale": scale,
        "writer": writer,
        "startup": startup,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"corpus: {len(corpus)} documents, {results[0]['pages']} pages; median of {args.repeat} runs each")
    print(
        f"{'engine':28} {'pages/s':>9} {'docs/s':>8} {'peak MB':>8} {'× extract_tables':>17} "
        f"{'× per CPU s':>12}"
    )
    for r in results:
        print(
            f"{r['engine']:28} {r['pages_per_s']:>9} {r['documents_per_s']:>8} {r['peak_rss_mb']:>8} "
            f"{r['ratio_to_extract_tables']:>17} {r['cpu_ratio_to_extract_tables']:>12}"
        )
    print(
        f"juesuan_parse on a {long_run['pages']}-page document: {long_run['median_seconds']} s, "
        f"peak RSS {long_run['peak_rss_mb']} MB"
    )
    print("juesuan_parse (default engine) on the same 12 documents as each producer writes them:")
    for r in producers:
        print(f"  {r['producer']:14} {r['pages_per_s']:>9} pages/s  {r['ratio_to_plain']:>6}× plain")
    by = {r["engine"]: r for r in results}
    if {"juesuan_ingest_1", "juesuan_ingest_2"} <= set(by):
        speedup = by["juesuan_ingest_2"]["pages_per_s"] / by["juesuan_ingest_1"]["pages_per_s"]
        print(f"2 workers / 1 worker: {speedup:.2f}×")
    if scale:
        print(
            f"{scale['documents']} documents, 2 workers: {scale['seconds']} s, peak memory "
            f"{scale['peak_pss_mb_process_tree']} MB (PSS, all processes), "
            f"{scale['peak_rss_mb_writer']} MB (RSS, writer)"
        )
        print(
            f"load + validate = {scale['load_plus_validate_over_parse_cpu']:.1%} of parse in CPU time "
            f"({scale['load_plus_validate_over_parse_wall']:.1%} in wall time); "
            f"CPU seconds by stage {scale['stage_seconds_cpu']}"
        )
    if writer:
        print(
            f"writer alone, {writer['documents']} documents in batches of {writer['batch']}: "
            f"{writer['load_ms_first']} ms a document over the first {writer['window']}, "
            f"{writer['load_ms_last']} ms over the last ({writer['last_over_first']}×); CPU "
            f"{writer['cpu_ms_first']} → {writer['cpu_ms_last']} ms ({writer['cpu_last_over_first']}×), "
            f"the two windows loaded side by side; loaded in sequence "
            f"{writer['sequential_last_over_first']}× (CPU {writer['sequential_cpu_last_over_first']}×)"
        )
    print(
        f"start-up (median of {startup['runs']}): --help {startup['help_s']} s, query {startup['query_s']} s"
    )
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
