"""Narrative figures: what the 情况说明 states, each with its subject, sentence, section and page.

The running text of the narrative pages is split into sections at their headings (一、…); page numbers and
chart data labels (lines of bare numbers) are dropped, since they are not statements. Numbers a PDF draws on
their own baseline a few points below the line they belong to (PT-CZJ's Times New Roman digits) are put back
into the gaps they were printed in first.

Each section is then read number by number. A number is a statement when the words right before it name a
subject: the wordings are data (``narrative_subjects`` in the catalogue: ``says``), so a new document's
wording is a line of YAML, not a new regex here. What follows a 万元 amount says what its percent means
(``，占…的P%`` a share, ``，完成(年初)预算(A万元)的C%`` a completion, with the budget it states), and a
change clause (``比2023年度增加X万元，增长P%``, ``比年初预算数…``) states a change of the subject it names or
of the one just stated. Two shapes are read by code because their subject is spelled out in them: the
per-item paragraphs ``X（类）Y（款）Z（项）…年初预算为A万元，支出决算为B万元，完成…C%。决算数大于预算数…``
and the lists of economic items under 人员经费 / 公用经费.

A subject is a catalogue id; class and item subjects carry their code (``gpb_class.201``,
``gpb_item.2014001``, ``personnel_item.30101``), resolved from the printed names. Stated comparisons
(决算数大于/小于/等于预算数) and template leftovers are findings, not figures: reconciliation checks them.
"""

from __future__ import annotations

import re
from bisect import bisect_right, insort
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from functools import cache
from typing import get_args

from juesuan.parse.numbers import to_yuan
from juesuan.pdf import Line, Page
from juesuan.reference import economic_classes, function_classes, load_catalogue
from juesuan.reference.catalogue import Kind, NarrativeSubject, Saying

NARRATIVE_UNIT = load_catalogue().default_unit  # the unit narratives state amounts in (万元)
NUM = r"(-?\d[\d,]*(?:\.\d+)?)"
WAN = NUM + re.escape(NARRATIVE_UNIT)
PCT = NUM + r"[%％]"
PART = re.compile(r"^第[一二三四五六七八九十]+部分")
SECTION = re.compile(r"^[一二三四五六七八九十]+、\S{2,40}$")
PAGE_NUMBER = re.compile(r"^(?:-\s*\d+\s*-|\d{1,3}|第\d+页)$")
NUMBERS_ONLY = re.compile(r"^[\d.,%\s-]+$")
# what a PDF may draw on a baseline of its own: digits, percent signs, quotes (PT-CZJ)
OVERLAY = re.compile(r"^[\d.,%％“”\"':：\s-]+$")
BARE_NUMBER = re.compile(r"^\d[\d,]*(?:\.\d+)?$")
UNITS = "|".join(sorted(load_catalogue().units, key=len, reverse=True))  # 万元|亿元|元
UNIT_AFTER = re.compile(f"^(?:{UNITS}|辆|个|人|批|分|台|次|年|月|日)")
NOT_EXPLANATION = ("名词解释", "附件", "附表")

NUMBER = re.compile(r"(?<![\d.,])((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)")
CONNECTOR = r"(?:为|是|：|:)?"
# a change clause ending right before its amount: (与|比|较)<reference>(相比)，<subject named>(各)增加
CHANGE = re.compile(
    r"(?:(?:与|比|较)(?P<ref>[^，。；/]{0,14})(?:相比)?[，,]?)?(?P<named>[^，。；/与比较]{0,24}?)各?"
    r"(?P<dir>增加|减少|变化)$"
)
CHANGE_PERCENT = re.compile(r"[，,]?(?P<word>增长|下降|降低|减少)" + PCT)
# the subject is the one just stated: 支出决算为B万元 after 年初预算为A万元, 执行数为B万元 after 全年预算数
PRONOUN = re.compile(r"(?:(?:\d{4}年度?)?(?:支出)?决算数?|执行数)" + CONNECTOR + "$")
COMPLETION = re.compile(r"[，,]?(?:\d{4}年度?)?完成(?:年初|调整|全年)?预算数?(?:" + WAN + r")?的?" + PCT)
SHARE = re.compile(r"[，,]?占(?:比)?[^，。；\d]{0,24}?" + PCT)
COMPARISON = re.compile(
    r"决算数?(?:(?P<a>大于|小于|等于|持平于)预算数?|与预算数?(?:基本)?(?P<b>持平|相等|一致))"
)
ITEM = re.compile(
    r"\d+[.．、]([\u4e00-\u9fff]+?)（类）([\u4e00-\u9fff（）]+?)（款）([\u4e00-\u9fff（）]+?)（项）"
)
ITEM_BUDGET = re.compile(r"年初预算数?" + CONNECTOR + WAN)
ITEM_ACTUAL = re.compile(r"(?:支出)?决算数?" + CONNECTOR + WAN)
ITEM_COMPLETION = re.compile(r"[，,]?完成(?:年初预算|调整预算|预算)的?" + PCT)
# template leftovers: amount placeholders (N3) and a placeholder where the body's name belongs (D2)
PLACEHOLDER = re.compile(r"增加/减少|增长/下降|（或与预算数持平）|X{2,}")
BODY_PLACEHOLDER = re.compile(
    r"(?:[\u4e00-\u9fff]{0,8}?[省市区县])?X{2,}(?:(?:局|单位|部门|委员会|委|办公室|办|厅|中心|院|署|站|所)"
    r"|(?=\d{4}年|年度|部门决算))"
)


class FindingKind(StrEnum):
    PLACEHOLDER = "placeholder"  # a template leftover in the text (增加/减少 0 万元, XX)
    BODY_PLACEHOLDER = "body_placeholder"  # a placeholder where the body's name belongs (上海市XX局)
    COMPARISON = "comparison"  # 决算数大于/小于/等于预算数, said of a subject
    KUAN_NAME = "kuan_name"  # an item names a 款 its code does not belong to


@dataclass(frozen=True)
class Finding:
    """Something the text says that is not a figure: reconciliation decides whether it holds."""

    kind: FindingKind
    section: str
    text: str
    page: int
    subject: str = ""  # comparison: the subject compared (gpb_item.2010601); kuan_name: the item's code
    word: str = ""  # comparison: the word said (大于, 小于, 等于, 持平 …)


@dataclass
class NarrativeFigure:
    subject: str
    section: str
    text: str
    page: int
    amount_yuan: Decimal | None = None
    percent: Decimal | None = None
    quantity: Decimal | None = None

    def as_row(self) -> dict:
        return {
            "section": self.section,
            "text": self.text,
            "subject": self.subject,
            "amount_yuan": self.amount_yuan,
            "percent": self.percent,
            "quantity": self.quantity,
            "page": self.page,
        }


@dataclass
class Section:
    heading: str
    text: str
    offsets: list[int]  # start offset of each line in ``text``
    pages: list[int]  # page of each line
    heading_page: int = 0
    part: str = ""  # the 第N部分 heading the section is under

    @property
    def states_figures(self) -> bool:
        """The glossary and the attachments (performance reports restating budgets, 附表 titles) are not
        the explanation: their amounts are budgets and evaluation scores, not statements of the account."""
        return not any(word in self.part for word in NOT_EXPLANATION)

    def page_at(self, offset: int) -> int:
        return self.pages[max(0, bisect_right(self.offsets, offset) - 1)]

    def sentence_at(self, offset: int) -> str:
        start = self.text.rfind("。", 0, offset) + 1
        end = self.text.find("。", offset)
        return self.text[start : end + 1 if end >= 0 else len(self.text)]


# -- lines ---------------------------------------------------------------------------------------------


def _overlap(a: Line, b: Line) -> float:
    """How much of the shorter line's height the two share."""
    shared = min(a.bottom, b.bottom) - max(a.top, b.top)
    return shared / max(0.1, min(a.bottom - a.top, b.bottom - b.top))


def _fill(band: list[Line], overlays: list[Line]) -> str | None:
    """The band's text with the overlay tokens put back in its gaps, in order; None when they do not fit.

    A token drawn left of the band starts it (PT-CZJ's item numbers ``1``, ``2``…), one drawn right of it
    ends it; the others fill the gaps the band's text left for them, one token a gap."""
    x0, x1 = min(ln.x0 for ln in band), max(ln.x1 for ln in band)
    prefix: list[str] = []
    suffix: list[str] = []
    middle: list[str] = []
    for ov in sorted(overlays, key=lambda ln: ln.x0):
        tokens = ov.text.split()
        if ov.x1 <= x0 + 1:
            prefix += tokens
            continue
        if ov.x0 >= x1 - 1:
            suffix += tokens
            continue
        if ov.x0 < x0 - 1 and tokens:
            prefix.append(tokens.pop(0))
        if ov.x1 > x1 + 1 and tokens:
            suffix.insert(0, tokens.pop())
        middle += tokens
    pieces = re.split(r"\s+", " ".join(ln.text.strip() for ln in sorted(band, key=lambda ln: ln.x0)))
    gaps = list(range(1, len(pieces)))
    if len(gaps) != len(middle) and middle and all(BARE_NUMBER.match(t) for t in middle):
        # more gaps than numbers (pdfplumber also leaves one before a 。): the numbers go where a unit follows
        gaps = [k for k in gaps if UNIT_AFTER.match(pieces[k])]
    if len(gaps) != len(middle):
        return None
    fill = dict(zip(gaps, middle, strict=True))
    text = pieces[0] + "".join(fill.get(k, "") + pieces[k] for k in range(1, len(pieces)))
    return "".join(prefix) + text + "".join(suffix)


def inline_overlays(lines: list[Line]) -> list[Line]:
    """Lines with the numbers drawn a few points below them (their own baseline, so pdfplumber makes them a
    line of their own: ``本年收入合计 万元，其中…`` / ``2946.25 2940.05 99.79%``) put back where they were
    printed. A band is the text line an overlay shares most of its height with, plus the pieces of that line
    split by the gaps (side by side at the same height). Lines whose tokens do not fit are left alone."""
    overlay = [bool(ln.text.strip()) and bool(OVERLAY.match(ln.text)) for ln in lines]
    if not any(overlay):
        return lines
    texts = [i for i, o in enumerate(overlay) if not o]
    anchors: dict[int, list[int]] = {}
    for i, is_overlay in enumerate(overlay):
        if not is_overlay or not texts:
            continue
        best = max(texts, key=lambda k: _overlap(lines[i], lines[k]))
        if _overlap(lines[i], lines[best]) >= 0.5:
            anchors.setdefault(best, []).append(i)
    replaced: dict[int, Line] = {}
    dropped: set[int] = set()
    for anchor, ovs in anchors.items():
        a = lines[anchor]
        band = [anchor] + [
            k
            for k in texts
            if k != anchor
            and k not in anchors
            and _overlap(a, lines[k]) >= 0.5
            and (lines[k].x1 <= a.x0 or lines[k].x0 >= a.x1)
        ]
        if any(k in dropped or k in replaced for k in band):
            continue
        members = [lines[k] for k in band] + [lines[o] for o in ovs]
        text = _fill([lines[k] for k in band], [lines[o] for o in ovs])
        if text is None:
            continue
        replaced[min(band)] = Line(
            text,
            min(ln.x0 for ln in members),
            min(ln.top for ln in members),
            max(ln.x1 for ln in members),
            max(ln.bottom for ln in members),
        )
        dropped.update(k for k in band if k != min(band))
        dropped.update(ovs)
    return [replaced.get(i, ln) for i, ln in enumerate(lines) if i not in dropped]


def sections(pages: list[Page]) -> list[Section]:
    out: list[Section] = []
    current = Section("", "", [], [])
    part = ""
    for page in pages:
        for line in inline_overlays(page.lines):
            text = line.squashed
            if not text or PAGE_NUMBER.match(line.text.strip()) or NUMBERS_ONLY.match(line.text):
                continue
            if PART.match(text) or (SECTION.match(text) and "。" not in text):
                if current.text:
                    out.append(current)
                part = text if PART.match(text) else part
                current = Section(text, "", [], [], page.number, part)
                continue
            current.offsets.append(len(current.text))
            current.pages.append(page.number)
            current.text += text
    if current.text:
        out.append(current)
    return out


def wan(text: str) -> Decimal:
    """An amount as the narrative states it (in its unit, 万元) in yuan."""
    return to_yuan(num(text), NARRATIVE_UNIT)


def num(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


# -- name resolution --------------------------------------------------------------------------------------


@cache
def _function_by_name() -> dict[str, list[str]]:
    fc = function_classes()
    out: dict[str, list[str]] = {}
    for e in fc.entries:
        for name in fc.names(e.code) | {e.name}:
            for variant in {name, name.removesuffix("支出")}:
                out.setdefault(variant, []).append(e.code)
    return out


def function_code(class_name: str, kuan_name: str | None = None, item_name: str | None = None) -> str | None:
    """The code of 类 [款 [项]] printed by name (一般公共服务（类）网信事务（款）行政运行（项）)."""
    by_name = _function_by_name()
    classes = [c for c in by_name.get(class_name, []) if len(c) == 3]
    if not classes:
        return None
    code = classes[0]
    for name, length in ((kuan_name, 5), (item_name, 7)):
        if name is None:
            return code
        candidates = [c for c in by_name.get(name, []) if len(c) == length and c.startswith(code)]
        if not candidates:
            # narratives name the 款 wrongly at times (seed: 住房保障支出（款）): try any 款 of the 类
            if length == 5:
                kids = {c[:5] for c in by_name.get(item_name or "", []) if len(c) == 7 and c.startswith(code)}
                if len(kids) == 1:
                    code = kids.pop()
                    continue
            return None
        code = candidates[0]
    return code


def _names_match(printed: str, code: str) -> bool:
    names = function_classes().names(code)
    return printed in names or printed in {n.removesuffix("支出") for n in names}


@cache
def _economic_by_name() -> dict[str, str]:
    ec = economic_classes()
    out = {}
    for e in ec.entries:
        for name in ec.names(e.code) | {e.name}:
            out.setdefault(name, e.code)
    return out


# -- the vocabulary (catalogue narrative_subjects: says) ---------------------------------------------------


@dataclass(frozen=True)
class Wording:
    """One way documents name a subject right before its number."""

    subject: str
    kind: str  # amount | count | percent
    pattern: re.Pattern[str]  # matches a text ending where the number starts
    whole: re.Pattern[str]  # the same, for a subject named in a change clause (fullmatch)
    where: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    unit: re.Pattern[str] | None = None
    after: re.Pattern[str] | None = None
    names: dict[str, str] | None = None  # a family of counts, or the 类 names → codes

    def applies(self, heading: str) -> bool:
        return (not self.where or any(w in heading for w in self.where)) and not any(
            w in heading for w in self.unless
        )

    def subject_of(self, m: re.Match) -> str | None:
        if self.names is None:
            return self.subject
        name = m.group("name")
        return f"{self.subject}.{self.names[name]}" if name in self.names else None


@dataclass(frozen=True)
class Vocabulary:
    wordings: tuple[Wording, ...]
    decl: dict[str, NarrativeSubject] = field(repr=False)

    def of(self, subject: str) -> NarrativeSubject:
        """The catalogue entry of a subject (``gpb_item.2014001`` → ``gpb_item``); an empty one if none."""
        return self.decl.get(subject) or self.decl.get(subject.split(".", 1)[0]) or UNDECLARED


UNDECLARED = NarrativeSubject(id="")


@cache
def _class_names() -> dict[str, str]:
    """Every printed name of a 类 (with and without 支出) → its code."""
    fc = function_classes()
    out: dict[str, str] = {}
    for e in fc.entries:
        if e.level == "类":
            for name in fc.names(e.code) | {e.name}:
                out.setdefault(name, e.code)
                out.setdefault(name.removesuffix("支出"), e.code)
    return out


def _alternation(names: Iterable[str]) -> str:
    return "|".join(re.escape(n) for n in sorted(set(names), key=len, reverse=True))


def warm_up() -> None:
    """Compile every kind of document's wordings and index the classifications' names, once (see
    :func:`juesuan.parse.warm_up`)."""
    for kind in get_args(Kind):
        vocabulary(kind)
    _function_by_name()
    _economic_by_name()


@cache
def vocabulary(doc_kind: str = "final") -> Vocabulary:
    """The wordings of the subjects a ``doc_kind`` document (final, budget) states."""
    decl = load_catalogue().narrative_subjects
    wordings = []
    for subject, entry in decl.items():
        if entry.doc_kind != doc_kind:
            continue
        unit = re.compile(entry.unit) if entry.unit is not None else None
        kind = entry.kind or ("count" if unit else "amount")
        says = list(entry.says)
        names = dict(entry.names)
        if names:
            says.append(Saying(re="@names"))
        for say in says:
            label, mapping = say.re, None
            if label == "@classes":
                mapping = _class_names()
                label = rf"(?P<name>{_alternation(mapping)})(?:支出)?(?:（类）)?(?:支出)?"
            elif label == "@names":
                mapping = names
                label = rf"(?P<name>{_alternation(names)})"
            wordings.append(
                Wording(
                    subject=subject,
                    kind=kind,
                    pattern=re.compile(f"(?:{label}){CONNECTOR}$"),
                    whole=re.compile(f"(?:{label}){CONNECTOR}"),
                    where=say.where,
                    unless=say.unless,
                    unit=unit,
                    after=re.compile(say.after) if say.after is not None else None,
                    names=mapping,
                )
            )
    return Vocabulary(tuple(wordings), decl)


# -- reading one section -------------------------------------------------------------------------------

Emit = Callable[[str, int, Decimal | None, Decimal | None, Decimal | None], None]
Find = Callable[[FindingKind, int, str, str], None]


def _change_subject(subject: str, suffix: str) -> str:
    """``income.other_income`` → ``income.other_income_change``; ``expenditure_class.201`` →
    ``expenditure_class_change.201``; a completion states its base subject's change."""
    base, _, code = subject.rpartition(".")
    if base and code.isdigit():
        return f"{base}{suffix}.{code}"
    return subject.removesuffix("_completion") + suffix


class Reader:
    """Reads one section: every number in it once, by the first reading that claims it."""

    def __init__(self, section: Section, emit: Emit, find: Find, doc_kind: str = "final"):
        self.t, self.heading = section.text, section.heading
        self.section = section
        self._emit = emit
        self._find = find
        self.claimed: set[int] = set()
        self.stated: list[tuple[int, str]] = []  # (offset, subject) of every figure, in text order
        self.compared: set[int] = set()  # comparison phrases an item paragraph has read
        self.vocab = vocabulary(doc_kind)

    def emit(
        self,
        subject: str,
        offset: int,
        amount: Decimal | None = None,
        pct: Decimal | None = None,
        qty: Decimal | None = None,
    ) -> None:
        self.claimed.add(offset)
        insort(self.stated, (offset, subject))
        self._emit(subject, offset, amount, pct, qty)

    def find(self, kind: FindingKind, offset: int, subject: str = "", word: str = "") -> None:
        self.claimed.add(offset)
        self._find(kind, offset, subject, word)

    def sentence_start(self, offset: int, back: int = 0) -> int:
        """Where the sentence holding ``offset`` starts (``back``: that many sentences earlier)."""
        start = self.t.rfind("。", 0, offset) + 1
        for _ in range(back):
            if start <= 0:
                break
            start = self.t.rfind("。", 0, start - 1) + 1
        return start

    def last_stated(self, offset: int, since: int, accept: Callable[[str], bool]) -> str | None:
        for at, subject in reversed(self.stated[: bisect_right(self.stated, (offset, ""))]):
            if at < since:
                return None
            if at < offset and accept(subject):
                return subject
        return None

    def read(self) -> None:
        if "一般公共预算财政拨款支出决算" in self.heading and "基本支出" not in self.heading:
            self.items()
        if "基本支出决算" in self.heading:
            self.economic_items()
        for m in NUMBER.finditer(self.t):
            if m.start(1) not in self.claimed:
                self.number(m)
        self.comparisons()

    # the per-item paragraphs of 五（三）
    def items(self) -> None:
        t = self.t
        heads = list(ITEM.finditer(t))
        for k, head in enumerate(heads):
            end = heads[k + 1].start() if k + 1 < len(heads) else len(t)
            code = function_code(head.group(1), head.group(2), head.group(3))
            if code is None:
                continue
            if not _names_match(head.group(2), code[:5]):
                # seed: 住房保障支出（类）住房保障支出（款）住房公积金（项）, but 2210201's 款 is 住房改革支出
                self.find(FindingKind.KUAN_NAME, head.start(2), code)
            actual = ITEM_ACTUAL.search(t, head.end(), end)
            if actual is None:
                continue
            budget = ITEM_BUDGET.search(t, head.end(), actual.start())
            if budget:
                self.emit(f"gpb_item_budget.{code}", budget.start(1), wan(budget.group(1)))
            done = ITEM_COMPLETION.match(t, actual.end(), end)
            if done:
                self.claimed.add(done.start(1))
            self.emit(
                f"gpb_item.{code}",
                actual.start(1),
                wan(actual.group(1)),
                num(done.group(1)) if done else None,
            )
            said = COMPARISON.search(t, (done or actual).end(), end)
            if said:
                self.compared.add(said.start())
                word = said.group("a") or said.group("b")
                self.find(FindingKind.COMPARISON, said.start(), f"gpb_item.{code}", word)

    # 六: 人员经费 X万元，主要包括：基本工资 A万元、…；公用经费 …
    def economic_items(self) -> None:
        t = self.t
        personnel = t.find("人员经费")
        public = t.find("公用经费", personnel + 1 if personnel >= 0 else 0)
        for subject, start, end in (("personnel", personnel, public), ("public", public, len(t))):
            if start < 0:
                continue
            m = re.match(r"(?:人员|公用)经费" + WAN, t[start:])
            if m:
                self.emit(f"{subject}_expenditure", start + m.start(1), wan(m.group(1)))
            for m in re.finditer(r"([\u4e00-\u9fff（）()]+?)" + WAN, t[start:end]):
                name = m.group(1).split("：")[-1].split("、")[-1].lstrip("，；")
                code = _economic_by_name().get(name)
                if code and len(code) == 5:
                    self.emit(f"{subject}_item.{code}", start + m.start(2), wan(m.group(2)))

    def wording(self, kind: str, before: str, rest: str) -> tuple[str, int] | None:
        """The subject the words before a number name (longest wording wins) and the wording's length."""
        best: tuple[str, int] | None = None
        for w in self.vocab.wordings:
            if w.kind != kind or not w.applies(self.heading):
                continue
            m = w.pattern.search(before)
            if m is None or (best and len(m.group(0)) <= best[1]):
                continue
            if w.unit is not None:
                unit = w.unit.match(rest)
                if unit is None or (w.after and not w.after.match(rest, unit.end())):
                    continue
            subject = w.subject_of(m)
            if subject:
                best = (subject, len(m.group(0)))
        return best

    def named(self, words: str) -> str | None:
        """The subject a change clause names (收、支总计各增加…)."""
        best: tuple[str, int] | None = None
        for w in self.vocab.wordings:
            if w.kind == "amount" and w.applies(self.heading):
                m = w.whole.fullmatch(words)
                if m and (best is None or len(words) > best[1]):
                    subject = w.subject_of(m)
                    if subject:
                        best = (subject, len(words))
        return best[0] if best else None

    def number(self, m: re.Match) -> None:
        t, start, end = self.t, m.start(1), m.end(1)
        before = t[max(0, start - 80) : start]
        rest = t[end : end + 40]
        value = m.group(1)
        if rest.startswith(NARRATIVE_UNIT):
            self.amount(start, end + len(NARRATIVE_UNIT), value, before)
        elif rest[:1] in ("%", "％"):
            found = self.wording("percent", before, rest)
            if found:
                self.emit(found[0], start, None, num(value))
        else:
            found = self.wording("count", before, rest)
            if found:
                self.emit(found[0], start, None, None, num(value))

    def amount(self, start: int, end: int, value: str, before: str) -> None:
        change = CHANGE.search(before)
        if change and (change.group("ref") is not None or change.group("named")):
            self.change(start, end, value, change)
            return
        found = self.wording("amount", before, "")
        subject = found[0] if found else None
        if subject is None and PRONOUN.search(before):
            owner = self.last_stated(
                start, self.sentence_start(start), lambda s: self.vocab.of(s).actual is not None
            )
            subject = self.vocab.of(owner).actual if owner else None
        if subject is None:
            return
        decl = self.vocab.of(subject)
        pct = None
        done = COMPLETION.match(self.t, end)
        share = None if done else SHARE.match(self.t, end)
        if done:
            self.claimed.add(done.start(2))
            completion = decl.completion or (
                subject if (decl.percent or "").startswith("completion") else None
            )
            if completion:
                subject, decl = completion, self.vocab.of(completion)
                pct = num(done.group(2))
        elif share:
            self.claimed.add(share.start(1))
            if (decl.percent or "").startswith("share"):
                pct = num(share.group(1))
        self.emit(subject, start, wan(value), pct)
        if done and done.group(1) is not None and decl.budget:
            self.emit(decl.budget, done.start(1), wan(done.group(1)))

    def change(self, start: int, end: int, value: str, m: re.Match) -> None:
        """比2023年度决算数增加X万元，增长P% (against the previous year) or 比年初预算数增加 (the budget)."""
        if m.group("named"):
            subject = self.named(m.group("named"))
        else:
            subject = self.last_stated(
                start,
                self.sentence_start(start, back=1),
                lambda s: (
                    not s.endswith(("_change", "_vs_budget"))
                    and "_change." not in s
                    and self.vocab.of(s).actual is None
                    and self.vocab.of(s).unit is None
                    and self.vocab.of(s).kind != "percent"
                ),
            )
        if subject is None:
            return
        suffix = "_vs_budget" if "预算" in (m.group("ref") or "") else "_change"
        pct_m = CHANGE_PERCENT.match(self.t, end)
        word = m.group("dir")
        if word == "变化":
            sign = -1 if pct_m and pct_m.group("word") in ("下降", "降低", "减少") else 1
        else:
            sign = -1 if word == "减少" else 1
        pct = None
        if pct_m:
            self.claimed.add(pct_m.start(2))
            pct = num(pct_m.group(2)) * sign
        self.emit(_change_subject(subject, suffix), start, wan(value) * sign, pct)

    def comparisons(self) -> None:
        """决算数大于/小于/等于预算数 said of the total or of “三公” (items read their own)."""
        seen: set[tuple[str, str]] = set()
        for m in COMPARISON.finditer(self.t):
            if m.start() in self.compared:
                continue
            said_of = self.t[self.sentence_start(m.start()) : m.start()]
            if "三公" in said_of:
                subject: str | None = "three_public_actual"
            else:
                subject = self.last_stated(
                    m.start(),
                    0,
                    lambda s: self.vocab.of(s).budget is not None and not s.startswith("gpb_item."),
                )
            if subject is None:
                continue
            said = (subject, m.group("a") or m.group("b"))
            if said not in seen:
                seen.add(said)
                self.find(FindingKind.COMPARISON, m.start(), *said)


def scan(section: Section, emit: Emit, find: Find, doc_kind: str = "final") -> None:
    Reader(section, emit, find, doc_kind).read()


def _leftovers(section: Section) -> Iterable[Finding]:
    """Template placeholders left in the section: a body placeholder where one stands for the body's name
    (上海市XX局, XXX年度…), a placeholder otherwise."""
    body, other = FindingKind.BODY_PLACEHOLDER, FindingKind.PLACEHOLDER
    if BODY_PLACEHOLDER.search(section.heading):
        yield Finding(body, section.heading, section.heading, section.heading_page)
    body_spans = [(m.start(), m.end()) for m in BODY_PLACEHOLDER.finditer(section.text)]
    for start, _ in body_spans:
        yield Finding(body, section.heading, section.sentence_at(start), section.page_at(start))
    for m in PLACEHOLDER.finditer(section.text):
        if any(a <= m.start() < b for a, b in body_spans):
            continue
        yield Finding(other, section.heading, section.sentence_at(m.start()), section.page_at(m.start()))


def read_narrative(pages: list[Page], doc_kind: str = "final") -> tuple[list[NarrativeFigure], list[Finding]]:
    """Every figure the narrative pages state, in reading order; and the findings in the text itself:
    template placeholders left in (增加/减少 0 万元, XX局), stated comparisons, wrong 款 names."""
    figures: list[NarrativeFigure] = []
    findings: list[Finding] = []
    for section in sections(pages):
        for leftover in _leftovers(section):
            if not any((f.kind, f.text) == (leftover.kind, leftover.text) for f in findings[-3:]):
                findings.append(leftover)

        def emit(
            subject: str,
            offset: int,
            amount: Decimal | None,
            pct: Decimal | None,
            qty: Decimal | None,
            section: Section = section,
        ) -> None:
            figures.append(
                NarrativeFigure(
                    subject=subject,
                    section=section.heading,
                    text=section.sentence_at(offset),
                    page=section.page_at(offset),
                    amount_yuan=amount,
                    percent=pct,
                    quantity=qty,
                )
            )

        def find(kind: FindingKind, offset: int, subject: str, word: str, section: Section = section) -> None:
            findings.append(
                Finding(
                    kind, section.heading, section.sentence_at(offset), section.page_at(offset), subject, word
                )
            )

        if section.states_figures:
            scan(section, emit, find, doc_kind)
    return figures, findings
