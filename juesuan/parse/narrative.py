"""Narrative figures: what the 情况说明 states, each with its subject, sentence, section and page.

The running text of the narrative pages is split into sections at their headings (一、…, （一）…); page
numbers and chart data labels (lines of bare numbers) are dropped, since they are not statements. Each
section is then searched with the statement patterns of DOMAIN.md §1.2, in Shanghai and Sichuan wording.
A subject is a catalogue id (``narrative_subjects``); class and item subjects carry their code
(``gpb_class.201``, ``gpb_item.2013701``, ``personnel_item.30101``), resolved from the printed names.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from juesuan.pdf import Page
from juesuan.reference import economic_classes, function_classes

NUM = r"(-?\d[\d,]*(?:\.\d+)?)"
WAN = NUM + r"万元"
PCT = NUM + r"%"
PART = re.compile(r"^第[一二三四五六七八九十]+部分")
SECTION = re.compile(r"^[一二三四五六七八九十]+、\S{2,40}$")
SUBSECTION = re.compile(r"^（[一二三四五六七八九十]+）\S{2,40}$")
PAGE_NUMBER = re.compile(r"^(?:-\s*\d+\s*-|\d{1,3}|第\d+页)$")
NUMBERS_ONLY = re.compile(r"^[\d.,%\s-]+$")
TEN_THOUSAND = Decimal(10_000)
SOURCES = {
    "一般公共预算财政拨款收入": "general_budget_income",
    "政府性基金预算财政拨款收入": "government_fund_income",
    "国有资本经营预算财政拨款收入": "state_capital_income",
    "上级补助收入": "superior_subsidy_income",
    "事业收入": "business_income",
    "经营收入": "operating_income",
    "附属单位上缴收入": "affiliate_remittance_income",
    "其他收入": "other_income",
}


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

    def page_at(self, offset: int) -> int:
        return self.pages[max(0, bisect_right(self.offsets, offset) - 1)]

    def sentence_at(self, offset: int) -> str:
        start = self.text.rfind("。", 0, offset) + 1
        end = self.text.find("。", offset)
        return self.text[start : end + 1 if end >= 0 else len(self.text)]


def sections(pages: list[Page]) -> list[Section]:
    out: list[Section] = []
    current = Section("", "", [], [])
    for page in pages:
        for line in page.lines:
            text = line.squashed
            if not text or PAGE_NUMBER.match(line.text.strip()) or NUMBERS_ONLY.match(line.text):
                continue
            if PART.match(text) or (SECTION.match(text) and "。" not in text):
                if current.text:
                    out.append(current)
                current = Section(text, "", [], [])
                continue
            current.offsets.append(len(current.text))
            current.pages.append(page.number)
            current.text += text
    if current.text:
        out.append(current)
    return out


def wan(text: str) -> Decimal:
    return (Decimal(text.replace(",", "")) * TEN_THOUSAND).quantize(Decimal("0.01"))


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


# -- patterns ------------------------------------------------------------------------------------------

Emit = Callable[[str, int, Decimal | None, Decimal | None, Decimal | None], None]


def _sign(word: str) -> int:
    return -1 if word in ("减少", "下降") else 1


CHANGE = r"(增加|减少)" + WAN + r"，?(?:(增长|下降)" + PCT + ")?"


def scan(section: Section, emit: Emit) -> None:
    t, heading = section.text, section.heading

    def each(pattern: str, handler: Callable[[re.Match], None]) -> None:
        for m in re.finditer(pattern, t):
            handler(m)

    def amount(subject: str, group: int = 1, pct: int | None = None) -> Callable[[re.Match], None]:
        def handle(m: re.Match) -> None:
            emit(subject, m.start(group), wan(m.group(group)), num(m.group(pct)) if pct else None, None)

        return handle

    def change(subject: str, offset_group: int = 2) -> Callable[[re.Match], None]:
        def handle(m: re.Match) -> None:
            sign = _sign(m.group(offset_group - 1))
            pct = num(m.group(offset_group + 2)) * sign if m.group(offset_group + 2) else None
            emit(subject, m.start(offset_group), wan(m.group(offset_group)) * sign, pct, None)

        return handle

    def count(subject: str) -> Callable[[re.Match], None]:
        def handle(m: re.Match) -> None:
            emit(subject, m.start(1), None, None, num(m.group(1)))

        return handle

    # 一 / 四: totals and their change
    each(r"(?<!拨款)收、支总计均为" + WAN, amount("grand_total"))
    each(r"(?<!拨款)收、支总计" + CHANGE, change("grand_total_change"))
    each(r"财政拨款收、支总计均为" + WAN, amount("fiscal_grand_total"))
    each(r"财政拨款收、支总计" + CHANGE, change("fiscal_grand_total_change"))
    # 二 / 三
    each(r"本年收入合计" + WAN, amount("total_income"))
    each(r"本年支出合计" + WAN, amount("total_expenditure"))
    if "收入决算" in heading:
        names = "|".join(SOURCES)
        for m in re.finditer(rf"(?<![\u4e00-\u9fff])?({names})" + WAN + r"，占" + PCT, t):
            emit(f"income.{SOURCES[m.group(1)]}", m.start(2), wan(m.group(2)), num(m.group(3)), None)
    if "支出决算情况" in heading and "一般公共预算" not in heading and "基本支出" not in heading:
        each(r"基本支出" + WAN + r"，占" + PCT, amount("basic_expenditure", 1, 2))
        each(r"项目支出" + WAN + r"，占" + PCT, amount("project_expenditure", 1, 2))
    # 五
    each(r"一般公共预算财政拨款支出" + WAN + r"，占本年支出合计的" + PCT, amount("gpb_expenditure", 1, 2))
    each(r"一般公共预算财政拨款支出" + WAN + r"，主要用于", amount("gpb_expenditure"))
    each(r"一般公共预算财政拨款支出" + CHANGE, change("gpb_expenditure_change"))
    each(
        r"一般公共预算(?:财政拨款)?支出决算数?为" + WAN + r"，完成(?:调整)?预算的?" + PCT,
        amount("gpb_expenditure_completion", 1, 2),
    )
    if "一般公共预算财政拨款支出决算" in heading and "基本支出" not in heading:
        structure = t.find("主要用于")
        if structure >= 0:
            end = t.find("。", structure)
            part = t[structure:end]
            for m in re.finditer(r"([\u4e00-\u9fff]+?)" + WAN + r"，占" + PCT, part):
                name = m.group(1).lstrip("：:；;、")
                code = function_code(name)
                if code:
                    emit(f"gpb_class.{code}", structure + m.start(2), wan(m.group(2)), num(m.group(3)), None)
        item = (
            r"\d+[.．、]([\u4e00-\u9fff]+?)（类）([\u4e00-\u9fff（）]+?)（款）([\u4e00-\u9fff（）]+?)（项）[:：]"
            r"(?:年初预算为" + WAN + r"，)?支出决算为" + WAN + r"，完成(?:调整预算|年初预算的|预算的)" + PCT
        )
        for m in re.finditer(item, t):
            code = function_code(m.group(1), m.group(2), m.group(3))
            if code is None:
                continue
            if not _names_match(m.group(2), code[:5]):
                # seed: 住房保障支出（类）住房保障支出（款）住房公积金（项）, but 2210201's 款 is 住房改革支出
                emit(f"finding:kuan_name.{code}", m.start(2), None, None, None)
            if m.group(4):
                emit(f"gpb_item_budget.{code}", m.start(4), wan(m.group(4)), None, None)
            emit(f"gpb_item.{code}", m.start(5), wan(m.group(5)), num(m.group(6)), None)
    # 六
    if "基本支出决算" in heading:
        each(r"基本支出" + WAN + r"，其中", amount("gpb_basic_expenditure"))
        personnel = t.find("人员经费")
        public = t.find("公用经费", personnel + 1 if personnel >= 0 else 0)
        for subject, start, end in (("personnel", personnel, public), ("public", public, len(t))):
            if start < 0:
                continue
            m = re.match(r"(?:人员|公用)经费" + WAN, t[start:])
            if m:
                emit(f"{subject}_expenditure", start + m.start(1), wan(m.group(1)), None, None)
            for m in re.finditer(r"([\u4e00-\u9fff（）()]+?)" + WAN, t[start:end]):
                name = m.group(1).split("：")[-1].split("、")[-1].lstrip("，；")
                code = _economic_by_name().get(name)
                if code and len(code) == 5:
                    emit(f"{subject}_item.{code}", start + m.start(2), wan(m.group(2)), None, None)
    # 七 三公
    if "三公" in heading:
        # 决算数小于预算数: a comparison the tables can confirm or refute (reconcile N5)
        for m in re.finditer(r"决算数(大于|小于|等于|持平于)预算数", t):
            emit(f"finding:compare.three_public.{m.group(1)}", m.start(), None, None, None)
        each(r"“三公”经费财政拨款支出预算为" + WAN, amount("three_public_budget"))
        each(
            r"“三公”经费财政拨款支出(?:预算为" + NUM + r"万元，支出)?决算为" + WAN + r"，完成预算的?" + PCT,
            lambda m: emit("three_public_actual", m.start(2), wan(m.group(2)), num(m.group(3)), None),
        )
        each(r"较上年度" + CHANGE, change("three_public_actual_change"))
        each(r"因公出国（境）费支出决算" + WAN + r"，占" + PCT, amount("outbound_actual", 1, 2))
        each(r"公务用车购置及运行维护费支出决算" + WAN + r"，占" + PCT, amount("vehicle_total_actual", 1, 2))
        each(r"公务接待费支出决算" + WAN + r"，占" + PCT, amount("reception_actual", 1, 2))
        each(r"因公出国（境）团组" + NUM + r"[个次]", count("outbound_groups"))
        each(r"出国（境）" + NUM + r"人", count("outbound_people"))
        each(r"公务用车购置(?:费|支出)" + WAN, amount("vehicle_purchase_actual"))
        each(r"购置(?:车辆|公务用车)" + NUM + r"辆", count("vehicles_bought"))
        each(r"公务用车运行维护费(?:支出)?" + WAN, amount("vehicle_operation_actual"))
        each(r"公务用车保有量" + NUM + r"辆", count("vehicles_held"))
        each(r"单位共有公务用车" + NUM + r"辆", count("vehicles_held"))
        each(
            r"国内公务接待" + NUM + r"批次，" + NUM + r"人次",
            lambda m: (
                count("reception_batches")(m),
                emit("reception_people", m.start(2), None, None, num(m.group(2))),
            ),
        )
    # 八 / 九
    each(r"政府性基金预算财政拨款支出" + WAN, amount("gov_fund_expenditure"))
    each(r"国有资本经营预算财政拨款支出" + WAN, amount("state_capital_expenditure"))
    # 十 其他重要事项
    each(r"机关运行经费支出" + WAN, amount("running_cost"))
    each(r"机关运行经费支出" + NUM + r"万元，比\d{4}年度?" + CHANGE, change("running_cost_change", 3))
    each(r"政府采购支出总额" + WAN, amount("procurement_total"))
    each(r"政府采购货物支出" + WAN, amount("procurement_goods"))
    each(r"政府采购工程支出" + WAN, amount("procurement_works"))
    each(r"政府采购服务支出" + WAN, amount("procurement_services"))
    each(r"授予中小企业合同金额" + WAN + r"，占政府采购支出总额的" + PCT, amount("procurement_sme", 1, 2))
    each(r"共有车辆" + NUM + r"辆", count("vehicles_held_total"))
    each(r"\d{4}年度" + NUM + r"个项目开展了绩效自评", count("projects_evaluated"))
    each(r"部门整体(?:（[^）]{0,20}）)?绩效自评得分为" + NUM + r"分", count("performance_score"))


PLACEHOLDER = re.compile(r"增加/减少|增长/下降|（或与预算数持平）|X{2,}")


def read_narrative(
    pages: list[Page], identity: object = None
) -> tuple[list[NarrativeFigure], list[NarrativeFigure]]:
    """Every figure the narrative pages state, in reading order; and the template placeholders left in
    (增加/减少 0 万元, XX局), which are findings rather than figures."""
    del identity
    figures: list[NarrativeFigure] = []
    placeholders: list[NarrativeFigure] = []
    for section in sections(pages):
        for m in PLACEHOLDER.finditer(section.text):
            text = section.sentence_at(m.start())
            if not placeholders or placeholders[-1].text != text:
                placeholders.append(
                    NarrativeFigure("placeholder", section.heading, text, section.page_at(m.start()))
                )

        def emit(
            subject: str,
            offset: int,
            amount: Decimal | None,
            pct: Decimal | None,
            qty: Decimal | None,
            section: Section = section,
        ) -> None:
            # findings (a wrong 款 name) are not figures: they go with the placeholders
            (placeholders if subject.startswith("finding:") else figures).append(
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

        scan(section, emit)
    return figures, placeholders
