"""Independent checks of a generated document against its truth: what pdfplumber finds, and arithmetic.

Written apart from the generator on purpose: the truth says where a value is; these helpers read the PDF
there and re-add the published figures, so a generator bug shows up as a disagreement.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from decimal import Decimal

import pdfplumber

UNIT = {"元": Decimal(1), "万元": Decimal(10_000), "亿元": Decimal(100_000_000)}
WS = re.compile(r"\s+")


def squash(text: str) -> str:
    return WS.sub("", text)


def text_in_box(chars: list[dict], x0: float, top: float, x1: float, bottom: float) -> str:
    inside = [
        c
        for c in chars
        if c["x0"] >= x0 - 0.5
        and c["x1"] <= x1 + 0.5
        and c["top"] >= top - 0.5
        and c["bottom"] <= bottom + 0.5
    ]
    inside.sort(key=lambda c: (round(c["top"]), c["x0"]))
    return squash("".join(c["text"] for c in inside))


def text_in_row(chars: list[dict], edges: list[dict], top: float, bottom: float) -> str:
    """A table row's text read cell by cell: chars grouped by the ruling columns they fall between, so a
    name wrapped over two lines reads as one string."""
    import bisect

    verticals = sorted(
        {
            round(e["x0"], 1)
            for e in edges
            if e["orientation"] == "v" and e["top"] <= top + 1 and e["bottom"] >= bottom - 1
        }
    )
    inside = [c for c in chars if c["top"] >= top - 0.5 and c["bottom"] <= bottom + 0.5]
    inside.sort(key=lambda c: (bisect.bisect_right(verticals, c["x0"]), round(c["top"]), c["x0"]))
    return squash("".join(c["text"] for c in inside))


def number_forms(value: Decimal) -> set[str]:
    """How a narrative may print an amount or a percentage (trailing zeros dropped or not)."""
    fixed = f"{abs(value):.2f}"
    trimmed = fixed.rstrip("0").rstrip(".") if "." in fixed else fixed
    one = f"{abs(value):.1f}"
    return {fixed, trimmed, one, one.rstrip("0").rstrip(".")}


def check_against_pdf(pdf_bytes: bytes, truth: dict) -> list[str]:
    """Every page has text and no (cid:N) glyph, but the image-only pages the truth names, which have an
    image and no text; every fact's text is in its box, its row label in its row, its header path and title
    on its page; every narrative figure's number is on its page and its sentence in the document."""
    problems: list[str] = []
    image_pages = set(truth.get("image_pages", []))
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
        pages_chars = {}
        pages_text = {}
        pages_edges = {}
        footers = {}  # where a page's footer band starts: 40 pt above the visible page's bottom edge

        def page(n: int) -> tuple[list[dict], str]:
            if n not in pages_chars:
                p = pdf.pages[n - 1]
                pages_chars[n] = p.chars
                pages_edges[n] = p.edges
                pages_text[n] = squash("".join(c["text"] for c in p.chars))
                # boxes as pdfplumber measures them, the truth's convention; the CropBox (in those
                # coordinates) is the page as shown
                footers[n] = p.cropbox[3] - 40
            return pages_chars[n], pages_text[n]

        for n in range(1, len(pdf.pages) + 1):
            chars, text = page(n)
            if n in image_pages:
                if chars or not pdf.pages[n - 1].images:
                    problems.append(f"p{n}: an image-only page in the truth, but {len(chars)} characters")
                continue
            if "(cid:" in text:
                problems.append(f"p{n}: (cid:N) glyphs in the text layer")
            if not chars:
                problems.append(f"p{n}: no characters at all")
        for f in truth["facts"]:
            chars, text = page(f["page"])
            got = text_in_box(chars, f["x0"], f["top"], f["x1"], f["bottom"])
            if got != squash(f["raw_text"]):
                problems.append(
                    f"p{f['page']} {f['table_code']} {f['row_label']}/{f['column_label']}: "
                    f"box holds {got!r}, truth says {f['raw_text']!r}"
                )
            band = text_in_row(chars, pages_edges[f["page"]], f["top"], f["bottom"])
            if squash(f["row_label"].split("/")[-1]) not in band:
                problems.append(
                    f"p{f['page']} {f['table_code']}: row label {f['row_label']!r} not in its row"
                )
            if f["row_code"] and len(f["row_code"]) not in (3, 5, 7):
                problems.append(f"bad row_code {f['row_code']}")
            code_printed = f["table_code"] not in ("income_expenditure_summary", "fiscal_summary")
            if (
                code_printed
                and f["row_code"]
                and not (f["row_code"] in band or _split_code_in(f["row_code"], band))
            ):
                problems.append(f"p{f['page']} {f['table_code']}: code {f['row_code']} not in its row")
            for part in f["column_label"].split("/"):
                if part not in text:
                    problems.append(f"p{f['page']} {f['table_code']}: header {part!r} not on the page")
            if squash(f["table_title"]) not in text and not any(
                squash(f["table_title"]) in page(p)[1] for p in range(max(1, f["page"] - 3), f["page"])
            ):
                problems.append(f"p{f['page']}: title {f['table_title']!r} not on or before the page")
        # the running text without page-number footers, so a sentence over a page break reads whole
        full = "".join(
            squash("".join(c["text"] for c in page(n)[0] if c["bottom"] < footers[n]))
            for n in range(1, len(pdf.pages) + 1)
        )
        for fig in truth["narrative_figures"]:
            _, text = page(fig["page"])
            # a figure starts on its page; a percentage stated after its amount may run onto the next
            after = page(fig["page"] + 1)[1] if fig["page"] < len(pdf.pages) else ""
            for key in ("amount_yuan", "percent", "quantity"):
                if fig[key] is None:
                    continue
                value = Decimal(fig[key]) / (UNIT["万元"] if key == "amount_yuan" else 1)
                where = text + after if key == "percent" else text
                if not any(form in where for form in number_forms(value)):
                    problems.append(f"p{fig['page']} figure {fig['subject']} {key}={value} not on its page")
            if squash(fig["text"]) not in full:
                problems.append(f"figure {fig['subject']}: sentence not in the document: {fig['text'][:40]}")
    return problems


def _split_code_in(code: str, band: str) -> bool:
    return code[:3] in band and code[3:5] in band and code[5:7] in band


# -- arithmetic -------------------------------------------------------------------------------------------


def tolerance(unit: str, n_terms: int) -> Decimal:
    return max(Decimal("0.01"), Decimal("0.005") * (n_terms + 1)) * UNIT[unit]


class Books:
    """The facts of one document, indexed for re-adding."""

    def __init__(self, truth: dict):
        self.unit = truth["facts"][0]["source_unit"] if truth["facts"] else "万元"
        self.cells: dict[tuple, Decimal] = {}
        self.rows: dict[str, list[tuple]] = defaultdict(list)
        for f in truth["facts"]:
            key = (f["table_code"], f["row_code"] or f["row_label"], f["measure"])
            self.cells.setdefault(key, Decimal(f["amount_yuan"]))
            if (f["row_code"] or f["row_label"]) not in [r for r, _ in self.rows[f["table_code"]]]:
                self.rows[f["table_code"]].append((f["row_code"] or f["row_label"], f["row_code"]))
        self.problems: list[str] = []

    def get(self, table: str, row: str, measure: str) -> Decimal:
        return self.cells.get((table, row, measure), Decimal(0))

    def expect(self, name: str, total: Decimal, parts: list[Decimal]) -> None:
        gap = total - sum(parts, Decimal(0))
        if abs(gap) > tolerance(self.unit, len(parts)):
            self.problems.append(f"{name}: {total} vs Σ{len(parts)} = {sum(parts, Decimal(0))} (gap {gap})")

    def measures(self, table: str) -> set[str]:
        return {m for (t, _, m) in self.cells if t == table}

    def hierarchy(self, table: str) -> None:
        """合计 = Σ 类, 类 = Σ 款, 款 = Σ 项 (I8), per measure."""
        codes = [c for _, c in self.rows[table] if c]
        for m in self.measures(table):
            self.expect(
                f"{table} 合计 {m}",
                self.get(table, "合计", m),
                [self.get(table, c, m) for c in codes if len(c) == 3],
            )
            for parent in codes:
                kids = [c for c in codes if len(c) == len(parent) + 2 and c.startswith(parent)]
                if kids:
                    self.expect(
                        f"{table} {parent} {m}",
                        self.get(table, parent, m),
                        [self.get(table, k, m) for k in kids],
                    )

    def row_sum(self, table: str, total: str, parts: list[str]) -> None:
        for row, _ in self.rows[table]:
            self.expect(
                f"{table} {row} {total}",
                self.get(table, row, total),
                [self.get(table, row, p) for p in parts],
            )


def check_identities(truth: dict) -> list[str]:
    """The identities of DOMAIN.md §3 on the printed figures, with the published-rounding tolerance; each
    set of tables a document prints (汇总, 本级 …: the facts' table_scope) on its own."""
    scopes = sorted({f.get("table_scope", "") for f in truth["facts"]}) or [""]
    if len(scopes) == 1:
        return _check_identities(truth)
    problems = []
    for scope in scopes:
        part = {
            "facts": [f for f in truth["facts"] if f.get("table_scope", "") == scope],
            "tables": [t for t in truth["tables"] if t.get("table_scope", "") == scope],
        }
        problems += [f"{scope or '(first set)'}: {p}" for p in _check_identities(part)]
    return problems


def _check_identities(truth: dict) -> list[str]:
    b = Books(truth)
    tables = {t["table_code"]: t for t in truth["tables"]}
    s, inc, exp = "income_expenditure_summary", "income", "expenditure"
    for t in ("income", "expenditure", "gpb_expenditure", "gov_fund", "state_capital"):
        if t in tables and not tables[t]["empty"]:
            b.hierarchy(t)
    b.row_sum(
        inc,
        "total_income",
        [
            "fiscal_appropriation_income",
            "superior_subsidy_income",
            "business_income",
            "operating_income",
            "affiliate_remittance_income",
            "other_income",
        ],
    )
    b.row_sum(
        exp,
        "total_expenditure",
        [
            "basic_expenditure",
            "project_expenditure",
            "remittance_to_superior",
            "operating_expenditure",
            "subsidy_to_affiliates",
        ],
    )
    b.row_sum("gpb_expenditure", "total_expenditure", ["basic_expenditure", "project_expenditure"])
    # summary (I1-I5, X1, X3)
    left = [r for r, _ in b.rows[s] if (s, r, "income_amount") in b.cells]
    right_classes = [c for _, c in b.rows[s] if c]
    footer_in = {
        "本年收入合计",
        "总计",
        "年初结转和结余",
        "使用非财政拨款结余",
        "使用非财政拨款结余（含专用结余）",
        "用事业基金弥补收支差额",
    }
    b.expect(
        "I1",
        b.get(s, "本年收入合计", "income_amount"),
        [b.get(s, r, "income_amount") for r in left if r not in footer_in],
    )
    b.expect(
        "I2",
        b.get(s, "本年支出合计", "expenditure_amount"),
        [b.get(s, c, "expenditure_amount") for c in right_classes],
    )
    used = next((b.get(s, r, "income_amount") for r in left if r.startswith(("使用", "用事业"))), Decimal(0))
    b.expect(
        "I3",
        b.get(s, "总计", "income_amount"),
        [b.get(s, "本年收入合计", "income_amount"), used, b.get(s, "年初结转和结余", "income_amount")],
    )
    b.expect(
        "I4",
        b.get(s, "总计", "expenditure_amount"),
        [
            b.get(s, "本年支出合计", "expenditure_amount"),
            b.get(s, "结余分配", "expenditure_amount"),
            b.get(s, "年末结转和结余", "expenditure_amount"),
        ],
    )
    b.expect("I5", b.get(s, "总计", "income_amount"), [b.get(s, "总计", "expenditure_amount")])
    b.expect("X1 income", b.get(s, "本年收入合计", "income_amount"), [b.get(inc, "合计", "total_income")])
    b.expect(
        "X1 expenditure",
        b.get(s, "本年支出合计", "expenditure_amount"),
        [b.get(exp, "合计", "total_expenditure")],
    )
    for c in right_classes:
        b.expect(f"X3 {c}", b.get(s, c, "expenditure_amount"), [b.get(exp, c, "total_expenditure")])
    # fiscal summary (I9-I11, X4)
    f = "fiscal_summary"
    for c in [c for _, c in b.rows[f] if c]:
        b.expect(
            f"I10 {c}",
            b.get(f, c, "fiscal_total"),
            [b.get(f, c, m) for m in ("general_budget", "government_fund", "state_capital")],
        )
        b.expect(f"X4 {c}", b.get(f, c, "general_budget"), [b.get("gpb_expenditure", c, "total_expenditure")])
    b.expect(
        "I11",
        b.get(f, "总计", "income_amount"),
        [b.get(f, "本年收入合计", "income_amount"), b.get(f, "年初财政拨款结转和结余", "income_amount")],
    )
    b.expect("I11 sides", b.get(f, "总计", "income_amount"), [b.get(f, "总计", "fiscal_total")])
    # basic expenditure (I13, I14)
    g = "gpb_basic_expenditure"
    personnel = b.get(g, "人员经费合计", "personnel_expenditure")
    public = b.get(g, "公用经费合计", "public_expenditure")
    b.expect("I13", b.get("gpb_expenditure", "合计", "basic_expenditure"), [personnel, public])
    b.expect("I14 personnel", personnel, [b.get(g, c, "personnel_expenditure") for c in ("301", "303")])
    b.expect("I14 public", public, [b.get(g, c, "public_expenditure") for c in ("302", "310", "307", "399")])
    # three_public (I16)
    t = "three_public"
    for phase in ("budget", "actual"):
        b.expect(
            f"I16 {phase}",
            b.get(t, "", f"three_public_{phase}"),
            [b.get(t, "", f"{k}_{phase}") for k in ("outbound", "vehicle_total", "reception")],
        )
        b.expect(
            f"I16 vehicles {phase}",
            b.get(t, "", f"vehicle_total_{phase}"),
            [b.get(t, "", f"vehicle_{k}_{phase}") for k in ("purchase", "operation")],
        )
    return b.problems
