"""The narrative of a generated document, with the truth of every figure it states.

Sentences follow the templates of DOMAIN.md §1.2 (Shanghai and Sichuan wording); amounts are the printed
table values in 万元, so a narrative figure agrees with its table cell unless a deliberate inconsistency
was requested, in which case the figure records the value the tables hold.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal

from juesuan.reference import economic_classes, function_classes, load_catalogue
from juesuan.synth.ledger import GENERAL, GOV_FUND, Ledger
from juesuan.synth.model import Figure, Paragraph
from juesuan.synth.printer import narrative_amount, percent, percent_text, wan
from juesuan.synth.style import Style
from juesuan.synth.tables import chinese_ordinal

SOURCE_NAMES = {
    "general_budget_income": "一般公共预算财政拨款收入",
    "government_fund_income": "政府性基金预算财政拨款收入",
    "state_capital_income": "国有资本经营预算财政拨款收入",
    "superior_subsidy_income": "上级补助收入",
    "business_income": "事业收入",
    "operating_income": "经营收入",
    "affiliate_remittance_income": "附属单位上缴收入",
    "other_income": "其他收入",
}
NARRATIVE_UNIT = load_catalogue().factor()  # yuan per 万元: narratives state amounts in the default unit


@dataclass
class Writer:
    """Accumulates one paragraph's text and the figures it states, with their offsets."""

    style: Style
    section: str
    falsify: dict[str, Decimal]
    text: str = ""
    figures: list[Figure] = field(default_factory=list)

    def t(self, s: str) -> Writer:
        self.text += s
        return self

    def amount(self, subject: str, value: Decimal) -> Figure:
        """State an amount in 万元 (``value`` is what the tables print, in 万元)."""
        stated = value
        fig = Figure(subject=subject, section=self.section)
        if subject in self.falsify:
            stated = self.falsify.pop(subject)
            fig.table_value = value * NARRATIVE_UNIT
        fig.amount_yuan = (stated * NARRATIVE_UNIT).quantize(Decimal("0.01"))
        fig.offset = len(self.text)
        self.text += narrative_amount(stated, self.style.narrative_trim)
        self.figures.append(fig)
        return fig

    def pct(self, fig: Figure, value: Decimal) -> None:
        fig.percent = value
        if fig.offset < 0:
            fig.offset = len(self.text)
        self.text += percent_text(value, self.style.narrative_trim) + "%"

    def count(self, subject: str, n: int) -> None:
        fig = Figure(subject=subject, section=self.section, quantity=Decimal(n), offset=len(self.text))
        self.text += str(n)
        self.figures.append(fig)

    def paragraph(self, kind: str = "body", chart: list[tuple[str, str]] | None = None) -> Paragraph:
        for fig in self.figures:
            start = max(self.text.rfind("。", 0, fig.offset), self.text.rfind("\n", 0, fig.offset)) + 1
            end = self.text.find("。", fig.offset)
            fig.text = self.text[start : end + 1 if end >= 0 else len(self.text)]
        return Paragraph(text=self.text, kind=kind, section=self.section, figures=self.figures, chart=chart)


class NarrativeBuilder:
    def __init__(
        self,
        ledger: Ledger,
        style: Style,
        rng: random.Random,
        falsify: dict[str, Decimal] | None = None,
        placeholder: bool = False,
    ):
        self.L = ledger
        self.style = style
        self.rng = rng
        self.falsify = dict(falsify or {})
        self.placeholder = placeholder
        self.year = ledger.year
        self.name = ledger.department.name
        self.places = style.percent_places
        self.fc = function_classes()
        self.ec = economic_classes()
        # the MoF wording (年初预算为A万元，支出决算为B万元，完成年初预算的C%): Shanghai and central bodies
        self.shanghai = style.family in ("mof9", "central9")
        self.central = style.family == "central9"

    # -- helpers ---------------------------------------------------------------------------------------
    def w(self, section: str) -> Writer:
        return Writer(self.style, section, self.falsify)

    def change(self, w: Writer, subject: str, current: Decimal, previous: Decimal) -> None:
        """增加/减少 D 万元，增长/下降 P% against last year (or the template placeholder, left in)."""
        if self.placeholder:
            self.placeholder = False
            w.figures.append(Figure(subject=f"{subject}_placeholder", section=w.section, offset=len(w.text)))
            w.t("增加/减少 0 万元，增长/下降 0%")
            return
        diff = current - previous
        pct = percent(abs(diff), previous, self.places) if previous else Decimal(0)
        if diff == 0:
            w.t("持平")
            return
        w.t("增加" if diff > 0 else "减少")
        fig = w.amount(f"{subject}_change", abs(diff))
        fig.amount_yuan = fig.amount_yuan if diff > 0 else -fig.amount_yuan
        w.t(" 万元，" + ("增长" if diff > 0 else "下降"))
        w.pct(fig, pct)
        fig.percent = pct if diff > 0 else -pct

    @staticmethod
    def heading(text: str, kind: str) -> Paragraph:
        return Paragraph(text=text, kind=kind)

    # -- parts ------------------------------------------------------------------------------------------
    def overview(self, part: str) -> list[Paragraph]:
        units = self.L.department.units or (self.name,)
        sichuan_words = self.style.family == "sichuan13" or self.central  # 部门职责, 机构设置
        title = {"sichuan13": "部门概况", "central9": f"{self.name}概况"}.get(self.style.family, "概况")
        out = [
            self.heading(f"{part} {title}", "part"),
            self.heading("一、部门职责" if sichuan_words else "一、主要职能", "section"),
            Paragraph(
                text=f"{self.name}贯彻落实党中央、国务院和省市关于本领域工作的方针政策和决策部署，"
                "负责本行政区域内相关工作的统筹规划、组织实施和监督管理，完成上级交办的其他任务。"
            ),
            self.heading("二、机构设置" if sichuan_words else "二、部门决算单位构成", "section"),
        ]
        listing = "、".join(units)
        out.append(Paragraph(text=f"纳入{self.name}{self.year}年度部门决算编制范围的单位包括：{listing}。"))
        return out

    def explanation(self, part: str) -> list[Paragraph]:
        L, y = self.L, self.year
        n = 0

        def sec(title: str) -> tuple[str, Paragraph]:
            nonlocal n
            n += 1
            head = f"{chinese_ordinal(n)}、{title}"
            return head, self.heading(head, "section")

        body = self.name if self.central else ""
        out = [self.heading(f"{part} {body}{y}年度部门决算情况说明", "part")]
        charts = self.style.charts

        # 一、收入支出决算总体情况说明
        s, h = sec("收入支出决算总体情况说明")
        out.append(h)
        w = self.w(s)
        total = wan(L.grand_total)
        w.t(f"{y}年度收、支总计均为")
        w.amount("grand_total", total)
        w.t(f"万元。与{y - 1}年度相比，收、支总计")
        self.change(w, "grand_total", total, wan(L.previous.grand_total))
        w.t("。主要变动原因是业务工作量变化，相关支出相应调整。")
        out.append(
            w.paragraph(
                chart=[(f"{y - 1}年", f"{wan(L.previous.grand_total)}"), (f"{y}年", f"{total}")]
                if charts
                else None
            )
        )

        # 二、收入决算情况说明
        s, h = sec("收入决算情况说明")
        out.append(h)
        w = self.w(s)
        income_total = wan(L.total_income)
        w.t(f"{y}年度本年收入合计")
        w.amount("total_income", income_total)
        w.t("万元，其中：")
        parts = []
        for key, fen in L.income_by_source().items():
            if fen:
                parts.append((key, wan(fen)))
        for i, (key, value) in enumerate(parts):
            w.t(("；" if i else "") + SOURCE_NAMES[key])
            fig = w.amount(f"income.{key}", value)
            w.t("万元，占")
            w.pct(fig, percent(value, income_total, self.places))
        w.t("。")
        out.append(w.paragraph(chart=[(SOURCE_NAMES[k][:6], f"{v}") for k, v in parts] if charts else None))

        # 三、支出决算情况说明
        s, h = sec("支出决算情况说明")
        out.append(h)
        w = self.w(s)
        exp_total = wan(L.total_expenditure)
        w.t(f"{y}年度本年支出合计")
        w.amount("total_expenditure", exp_total)
        w.t("万元，其中：基本支出")
        basic = wan(L.basic)
        fig = w.amount("basic_expenditure", basic)
        w.t("万元，占")
        w.pct(fig, percent(basic, exp_total, self.places))
        project = wan(L.project)
        if project:
            w.t("；项目支出")
            fig = w.amount("project_expenditure", project)
            w.t("万元，占")
            w.pct(fig, percent(project, exp_total, self.places))
        w.t("。")
        out.append(
            w.paragraph(chart=[("基本支出", f"{basic}"), ("项目支出", f"{project}")] if charts else None)
        )

        # 四、财政拨款收入支出决算总体情况说明
        s, h = sec("财政拨款收入支出决算总体情况说明")
        out.append(h)
        w = self.w(s)
        fiscal = wan(L.fiscal_grand_total)
        w.t(f"{y}年度财政拨款收、支总计均为")
        w.amount("fiscal_grand_total", fiscal)
        w.t(f"万元。与{y - 1}年度相比，财政拨款收、支总计")
        self.change(w, "fiscal_grand_total", fiscal, wan(L.previous.fiscal_grand_total))
        w.t("。")
        out.append(w.paragraph())

        out += self.gpb_sections(sec)
        out += self.basic_section(sec)
        out += self.three_public_section(sec)
        out += self.fund_sections(sec)
        out += self.other_section(sec)
        return out

    def gpb_sections(self, sec) -> list[Paragraph]:
        L, y = self.L, self.year
        out = []
        s, h = sec("一般公共预算财政拨款支出决算情况说明")
        out.append(h)
        gpb_items = [i for i in L.fund_items(GENERAL) if i.fiscal_expenditure]
        gpb = wan(sum(i.fiscal_expenditure for i in gpb_items))
        out.append(self.heading("（一）一般公共预算财政拨款支出决算总体情况", "subsection"))
        w = self.w(s)
        w.t(f"{y}年度一般公共预算财政拨款支出")
        fig = w.amount("gpb_expenditure", gpb)
        w.t("万元，占本年支出合计的")
        w.pct(fig, percent(gpb, wan(L.total_expenditure), self.places))
        w.t(f"。与{y - 1}年度相比，一般公共预算财政拨款支出")
        self.change(w, "gpb_expenditure", gpb, wan(L.previous.gpb_expenditure))
        w.t("。")
        out.append(w.paragraph())

        out.append(self.heading("（二）一般公共预算财政拨款支出决算结构情况", "subsection"))
        w = self.w(s)
        w.t(f"{y}年度一般公共预算财政拨款支出")
        w.amount("gpb_expenditure", gpb)
        w.t("万元，主要用于以下方面：")
        by_class: dict[str, int] = {}
        for i in gpb_items:
            by_class[i.code[:3]] = by_class.get(i.code[:3], 0) + i.fiscal_expenditure
        bars = []
        for k, (code, fen) in enumerate(sorted(by_class.items())):
            w.t(("；" if k else "") + (self.fc.name(code, y) or code))
            value = wan(fen)
            fig = w.amount(f"gpb_class.{code}", value)
            w.t("万元，占")
            w.pct(fig, percent(value, gpb, self.places))
            bars.append((self.fc.name(code, y) or code, f"{value}"))
        w.t("。")
        out.append(w.paragraph(chart=bars if self.style.charts else None))

        out.append(self.heading("（三）一般公共预算财政拨款支出决算具体情况", "subsection"))
        for k, item in enumerate(gpb_items):
            w = self.w(s)
            cls, kuan = self.fc.name(item.code[:3], y) or "", self.fc.name(item.code[:5], y) or ""
            name = self.fc.name(item.code, y) or ""
            w.t(f"{k + 1}.{cls.removesuffix('支出')}（类）{kuan}（款）{name}（项）：")
            actual = wan(item.fiscal_expenditure)
            budget = wan(L.budget_completion.get(item.code, item.fiscal_expenditure))
            if self.shanghai:
                w.t("年初预算为")
                w.amount(f"gpb_item_budget.{item.code}", budget)
                w.t("万元，支出决算为")
                fig = w.amount(f"gpb_item.{item.code}", actual)
                w.t("万元，完成年初预算的")
            else:
                w.t("支出决算为")
                fig = w.amount(f"gpb_item.{item.code}", actual)
                w.t("万元，完成调整预算")
            w.pct(fig, percent(actual, budget, 0 if not self.shanghai else self.places))
            w.t("。")
            out.append(w.paragraph())
        return out

    def basic_section(self, sec) -> list[Paragraph]:
        L, y = self.L, self.year
        s, h = sec("一般公共预算财政拨款基本支出决算情况说明")
        w = self.w(s)
        personnel, public = wan(sum(L.personnel.values())), wan(sum(L.public.values()))
        w.t(f"{y}年度一般公共预算财政拨款基本支出")
        w.amount("gpb_basic_expenditure", wan(L.gpb_basic))
        w.t("万元，其中：人员经费")
        w.amount("personnel_expenditure", personnel)
        w.t("万元，主要包括：")
        self.econ_items(w, "personnel_item", L.personnel, y)
        w.t("；公用经费")
        w.amount("public_expenditure", public)
        w.t("万元，主要包括：")
        self.econ_items(w, "public_item", L.public, y)
        w.t("。")
        return [h, w.paragraph()]

    def econ_items(self, w: Writer, prefix: str, amounts: dict[str, int], y: int) -> None:
        shown = [(c, v) for c, v in sorted(amounts.items()) if v]
        for k, (code, fen) in enumerate(shown):
            w.t(("、" if k else "") + (self.ec.name(code, y) or code))
            if not self.shanghai:
                w.amount(f"{prefix}.{code}", wan(fen))
                w.t("万元")

    def three_public_section(self, sec) -> list[Paragraph]:
        L, y = self.L, self.year
        s, h = sec("财政拨款“三公”经费支出决算情况说明")
        out = [h]
        b, a = L.three_public_budget, L.three_public_actual
        total_b, total_a = wan(sum(b.values())), wan(sum(a.values()))
        if self.shanghai and total_a == 0 and total_b == 0:
            out.append(Paragraph(text=f"{self.name}{y}年度无“三公”经费财政拨款支出。", section=s))
            return out
        w = self.w(s)
        w.t(f"{y}年度“三公”经费财政拨款支出预算为")
        w.amount("three_public_budget", total_b)
        w.t("万元，支出决算为")
        fig = w.amount("three_public_actual", total_a)
        w.t("万元，完成预算的")
        w.pct(fig, percent(total_a, total_b, 0) if total_b else Decimal(0))
        w.t("。较上年度")
        self.change(w, "three_public_actual", total_a, wan(sum(L.previous.three_public_actual.values())))
        w.t("。")
        out.append(w.paragraph())
        w = self.w(s)
        w.t(f"{y}年度“三公”经费财政拨款支出决算中，因公出国（境）费支出决算")
        out_a = wan(a["outbound"])
        fig = w.amount("outbound_actual", out_a)
        w.t("万元，占")
        w.pct(fig, percent(out_a, total_a, self.places) if total_a else Decimal(0))
        w.t("；公务用车购置及运行维护费支出决算")
        veh = wan(a["vehicle_purchase"] + a["vehicle_operation"])
        fig = w.amount("vehicle_total_actual", veh)
        w.t("万元，占")
        w.pct(fig, percent(veh, total_a, self.places) if total_a else Decimal(0))
        w.t("；公务接待费支出决算")
        rec = wan(a["reception"])
        fig = w.amount("reception_actual", rec)
        w.t("万元，占")
        w.pct(fig, percent(rec, total_a, self.places) if total_a else Decimal(0))
        w.t("。全年安排因公出国（境）团组")
        w.count("outbound_groups", L.other.outbound_groups)
        w.t("个，出国（境）")
        w.count("outbound_people", L.other.outbound_people)
        w.t("人次。公务用车购置费")
        w.amount("vehicle_purchase_actual", wan(a["vehicle_purchase"]))
        w.t("万元，购置车辆")
        w.count("vehicles_bought", L.other.vehicles_bought)
        w.t("辆；公务用车运行维护费")
        w.amount("vehicle_operation_actual", wan(a["vehicle_operation"]))
        w.t(f"万元，截至{y}年12月31日，公务用车保有量")
        w.count("vehicles_held", L.other.vehicles_held)
        w.t("辆。国内公务接待")
        w.count("reception_batches", L.other.reception_batches)
        w.t("批次，")
        w.count("reception_people", L.other.reception_people)
        w.t("人次。")
        out.append(w.paragraph())
        return out

    def fund_sections(self, sec) -> list[Paragraph]:
        L, y = self.L, self.year
        out = []
        for title, fund, subject, what in (
            ("政府性基金预算支出决算情况说明", GOV_FUND, "gov_fund_expenditure", "政府性基金预算财政拨款"),
            (
                "国有资本经营预算支出决算情况说明",
                "state_capital",
                "state_capital_expenditure",
                "国有资本经营预算财政拨款",
            ),
        ):
            s, h = sec(title)
            out.append(h)
            fen = L.fiscal_expenditure(fund)
            w = self.w(s)
            if fen == 0 and self.shanghai:
                w.t(f"{self.name}{y}年度无{what}收入和支出。")
            else:
                w.t(f"{y}年度{what}支出")
                w.amount(subject, wan(fen))
                w.t("万元。")
            out.append(w.paragraph())
        return out

    def other_section(self, sec) -> list[Paragraph]:
        L, y = self.L, self.year
        s, h = sec("其他重要事项的情况说明")
        out = [h, self.heading("（一）机关运行经费支出情况", "subsection")]
        w = self.w(s)
        running = wan(L.running_cost)
        w.t(f"{y}年度，{self.name}机关运行经费支出")
        w.amount("running_cost", running)
        w.t(f"万元，比{y - 1}年度")
        self.change(w, "running_cost", running, wan(L.previous.running_cost))
        w.t("。")
        out.append(w.paragraph())
        out.append(self.heading("（二）政府采购支出情况", "subsection"))
        o = L.other
        w = self.w(s)
        total = wan(o.procurement_total)
        w.t(f"{y}年度，{self.name}政府采购支出总额")
        w.amount("procurement_total", total)
        w.t("万元，其中：政府采购货物支出")
        w.amount("procurement_goods", wan(o.procurement_goods))
        w.t("万元、政府采购工程支出")
        w.amount("procurement_works", wan(o.procurement_works))
        w.t("万元、政府采购服务支出")
        w.amount("procurement_services", wan(o.procurement_services))
        w.t("万元。授予中小企业合同金额")
        sme = (total * o.sme_share / 100).quantize(Decimal("0.01"))
        fig = w.amount("procurement_sme", sme)
        w.t("万元，占政府采购支出总额的")
        w.pct(fig, percent(sme, total, 0) if total else Decimal(0))
        w.t("。")
        out.append(w.paragraph())
        out.append(self.heading("（三）国有资产占用情况", "subsection"))
        w = self.w(s)
        w.t(f"截至{y}年12月31日，{self.name}共有车辆")
        w.count("vehicles_held_total", o.vehicles_held)
        w.t("辆。单价100万元以上设备（不含车辆）0台（套）。")
        out.append(w.paragraph())
        out.append(self.heading("（四）预算绩效管理情况", "subsection"))
        w = self.w(s)
        w.t(f"本部门对{y}年度")
        w.count("projects_evaluated", o.projects_evaluated)
        w.t("个项目开展了绩效自评，部门整体绩效自评得分为")
        w.count("performance_score", o.self_score)
        w.t("分。")
        out.append(w.paragraph())
        return out

    def glossary(self, part: str) -> list[Paragraph]:
        return [
            self.heading(f"{part} 名词解释", "part"),
            Paragraph(text="1.财政拨款收入：指单位从同级财政部门取得的财政预算资金。"),
            Paragraph(text="2.基本支出：指为保障机构正常运转、完成日常工作任务而发生的人员支出和公用支出。"),
            Paragraph(text="3.项目支出：指在基本支出之外为完成特定行政任务和事业发展目标所发生的支出。"),
            Paragraph(
                text="4.“三公”经费：指部门用财政拨款安排的因公出国（境）费、公务用车购置及运行维护费和公务接待费。"
            ),
            Paragraph(
                text="5.机关运行经费：为保障行政单位（含参照公务员法管理的事业单位）运行用于购买货物和服务的各项资金。"
            ),
        ]
