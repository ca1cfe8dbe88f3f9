"""The hidden books of one department-year, in integer fen, from which every table and sentence derives.

A ledger is consistent by construction: the accounting identities of DOMAIN.md §3 hold exactly on the
fen amounts; only printing (rounding each cell to 0.01 万元) can make printed parts miss printed totals.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from juesuan.reference import economic_classes, function_classes

GENERAL, GOV_FUND, STATE_CAPITAL = "general", "gov_fund", "state_capital"
FUNDS = (GENERAL, GOV_FUND, STATE_CAPITAL)
OTHER_SOURCES = (
    "superior_subsidy_income",
    "business_income",
    "operating_income",
    "affiliate_remittance_income",
    "other_income",
)
PERSONNEL_CLASSES = ("301", "303")
PUBLIC_CLASSES = ("302", "310", "307", "399")
THREE_PUBLIC_ITEMS = ("outbound", "vehicle_purchase", "vehicle_operation", "reception")


@dataclass
class ItemLine:
    """One 功能分类 项 of the department: what it spent, from which money, and what it received."""

    code: str
    fund: str = GENERAL
    fiscal_basic: int = 0
    fiscal_project: int = 0
    other_basic: int = 0
    other_project: int = 0
    fiscal_income: int = 0
    other_income: dict[str, int] = field(default_factory=dict)
    fiscal_opening: int = 0  # the fund's carry-overs sit on the row that absorbed them
    fiscal_closing: int = 0

    @property
    def basic(self) -> int:
        return self.fiscal_basic + self.other_basic

    @property
    def project(self) -> int:
        return self.fiscal_project + self.other_project

    @property
    def expenditure(self) -> int:
        return self.basic + self.project

    @property
    def fiscal_expenditure(self) -> int:
        return self.fiscal_basic + self.fiscal_project

    @property
    def income(self) -> int:
        return self.fiscal_income + sum(self.other_income.values())


@dataclass(frozen=True)
class Department:
    name: str
    region: str
    unit_kind: str  # 行政 | 参公 | 事业
    main_class: str
    units: tuple[str, ...] = ()


@dataclass
class PreviousYear:
    """Last year's printed totals, as this year's narrative compares against them (in fen)."""

    grand_total: int
    fiscal_grand_total: int
    gpb_expenditure: int
    basic: int
    project: int
    three_public_actual: dict[str, int]
    running_cost: int


@dataclass
class OtherFacts:
    """Figures the narrative states that no table holds: procurement, assets, performance."""

    procurement_goods: int = 0
    procurement_works: int = 0
    procurement_services: int = 0
    sme_share: int = 100  # percent of procurement awarded to SMEs
    small_micro_share: int = 100
    vehicles_held: int = 0
    vehicles_bought: int = 0
    outbound_groups: int = 0
    outbound_people: int = 0
    reception_batches: int = 0
    reception_people: int = 0
    projects_evaluated: int = 0
    self_score: int = 90

    @property
    def procurement_total(self) -> int:
        return self.procurement_goods + self.procurement_works + self.procurement_services


@dataclass
class Ledger:
    department: Department
    year: int
    items: list[ItemLine]
    personnel: dict[str, int]
    public: dict[str, int]
    project_econ: dict[str, int]
    fund_project_econ: dict[str, int]
    fiscal_opening: dict[str, int]
    fiscal_closing: dict[str, int]
    nonfiscal_opening: int
    nonfiscal_closing: int
    three_public_budget: dict[str, int]
    three_public_actual: dict[str, int]
    previous: PreviousYear
    other: OtherFacts
    nonfiscal_used: int = 0
    surplus_distribution: int = 0
    budget_completion: dict[str, int] = field(default_factory=dict)  # 项 code -> adjusted budget (fen)
    # 会议费 and 培训费 beside the 三公 (…“三公”经费及会议费、培训费支出决算表): budget and actual, fen
    meeting_training_budget: dict[str, int] = field(default_factory=dict)  # meeting | training
    meeting_training_actual: dict[str, int] = field(default_factory=dict)

    # -- totals the tables print -------------------------------------------------------------------
    def fund_items(self, fund: str) -> list[ItemLine]:
        return [i for i in self.items if i.fund == fund]

    @property
    def total_income(self) -> int:
        return sum(i.income for i in self.items)

    @property
    def total_expenditure(self) -> int:
        return sum(i.expenditure for i in self.items)

    @property
    def opening(self) -> int:
        return sum(self.fiscal_opening.values()) + self.nonfiscal_opening

    @property
    def closing(self) -> int:
        return sum(self.fiscal_closing.values()) + self.nonfiscal_closing

    @property
    def grand_total(self) -> int:
        return self.total_income + self.nonfiscal_used + self.opening

    def fiscal_income(self, fund: str) -> int:
        return sum(i.fiscal_income for i in self.fund_items(fund))

    def fiscal_expenditure(self, fund: str) -> int:
        return sum(i.fiscal_expenditure for i in self.fund_items(fund))

    @property
    def fiscal_total_income(self) -> int:
        return sum(self.fiscal_income(f) for f in FUNDS)

    @property
    def fiscal_total_expenditure(self) -> int:
        return sum(self.fiscal_expenditure(f) for f in FUNDS)

    @property
    def fiscal_grand_total(self) -> int:
        return self.fiscal_total_income + sum(self.fiscal_opening.values())

    @property
    def gpb_basic(self) -> int:
        return sum(i.fiscal_basic for i in self.fund_items(GENERAL))

    @property
    def gpb_project(self) -> int:
        return sum(i.fiscal_project for i in self.fund_items(GENERAL))

    @property
    def basic(self) -> int:
        return sum(i.basic for i in self.items)

    @property
    def project(self) -> int:
        return sum(i.project for i in self.items)

    @property
    def running_cost(self) -> int:
        """机关运行经费: the narrative states it equal to 公用经费 (true in all three real documents)."""
        return sum(self.public.values())

    def income_by_source(self) -> dict[str, int]:
        out = {
            "general_budget_income": self.fiscal_income(GENERAL),
            "government_fund_income": self.fiscal_income(GOV_FUND),
            "state_capital_income": self.fiscal_income(STATE_CAPITAL),
        }
        for src in OTHER_SOURCES:
            out[src] = sum(i.other_income.get(src, 0) for i in self.items)
        return out

    def check(self) -> None:
        """The ledger's own invariants; a violation is a generator bug, never a planted inconsistency."""
        assert self.gpb_basic == sum(self.personnel.values()) + sum(self.public.values()), "basic != econ"
        assert self.gpb_project == sum(self.project_econ.values()), "project != econ"
        assert self.fiscal_expenditure(GOV_FUND) == sum(self.fund_project_econ.values()), "fund != econ"
        for fund in FUNDS:
            assert (
                self.fiscal_opening[fund] + self.fiscal_income(fund) - self.fiscal_expenditure(fund)
                == self.fiscal_closing[fund]
            ), f"fiscal carry-over of {fund}"
        other_in = sum(sum(i.other_income.values()) for i in self.items)
        other_out = sum(i.other_basic + i.other_project for i in self.items)
        assert (
            self.nonfiscal_opening + other_in + self.nonfiscal_used - other_out - self.surplus_distribution
            == (self.nonfiscal_closing)
        ), "non-fiscal carry-over"
        assert all(v >= 0 for i in self.items for v in (i.fiscal_income, *i.other_income.values()))
        assert min(self.fiscal_closing.values()) >= 0 and self.nonfiscal_closing >= 0


# -- random ledgers -----------------------------------------------------------------------------------

BODIES: tuple[tuple[str, str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    # (body name, unit kind, main 款, basic 项, project 项)
    ("财政局", "行政", "20106", ("2010601", "2010650"), ("2010602", "2010607", "2010608")),
    ("人民政府办公室", "行政", "20103", ("2010301", "2010350"), ("2010302", "2010399")),
    ("电子政务建设服务中心", "参公", "20137", ("2013701", "2013750"), ("2013704", "2013799")),
    ("公安分局", "行政", "20402", ("2040201",), ("2040202", "2040299")),
    ("教育局", "行政", "20501", ("2050101",), ("2050102",)),
    ("第一中学", "事业", "20502", ("2050204",), ("2050204",)),
    ("科学技术局", "行政", "20601", ("2060101",), ("2060102",)),
    ("文化广播电视和旅游局", "行政", "20701", ("2070101",), ("2070102", "2070109", "2079999")),
    ("民政局", "行政", "20802", ("2080201",), ("2080208", "2080801")),
    ("生态环境局", "行政", "21101", ("2110101",), ("2110102",)),
    ("综合行政执法局", "行政", "21201", ("2120101",), ("2120102", "2120104")),
    ("农业农村局", "行政", "21301", ("2130101", "2130104"), ("2130199",)),
    ("水务局", "行政", "21303", ("2130301",), ("2130306",)),
    ("轨道交通局", "行政", "21401", ("2140101",), ("2140102", "2140199")),
    ("自然资源局", "行政", "22001", ("2200101", "2200150"), ()),
    ("应急管理局", "行政", "22401", ("2240101",), ("2240102",)),
)
# central departments (中央部门, the central9 family): names without a region, so region_of gives ''
CENTRAL_BODIES: tuple[tuple[str, str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("国家信访局", "行政", "20140", ("2014001", "2014003"), ("2014004", "2014099", "2014002")),
    ("财政部", "行政", "20106", ("2010601", "2010650"), ("2010602", "2010607", "2010608")),
    ("国务院办公厅", "行政", "20103", ("2010301", "2010350"), ("2010302", "2010399")),
    ("国家互联网信息办公室", "参公", "20137", ("2013701", "2013750"), ("2013704", "2013799")),
    ("公安部", "行政", "20402", ("2040201",), ("2040202", "2040299")),
    ("教育部", "行政", "20501", ("2050101",), ("2050102",)),
    ("科学技术部", "行政", "20601", ("2060101",), ("2060102",)),
    ("文化和旅游部", "行政", "20701", ("2070101",), ("2070102", "2070109", "2079999")),
    ("民政部", "行政", "20802", ("2080201",), ("2080208", "2080801")),
    ("生态环境部", "行政", "21101", ("2110101",), ("2110102",)),
    ("住房和城乡建设部", "行政", "21201", ("2120101",), ("2120102", "2120104")),
    ("农业农村部", "行政", "21301", ("2130101", "2130104"), ("2130199",)),
    ("水利部", "行政", "21303", ("2130301",), ("2130306",)),
    ("交通运输部", "行政", "21401", ("2140101",), ("2140102", "2140199")),
    ("自然资源部", "行政", "22001", ("2200101", "2200150"), ()),
    ("应急管理部", "行政", "22401", ("2240101",), ("2240102",)),
)
# subordinate units whose own set of tables a central document may print after its 汇总 set
UNIT_SUFFIXES = ("机关服务中心", "信息中心", "培训中心")
GOV_FUND_ITEMS = ("2120801", "2120803", "2296002")


def _yuan(rng: random.Random, low: float, high: float) -> int:
    """A random amount in fen with cents, as accounting systems hold it."""
    return int(rng.uniform(low, high) * 100)


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """Split fen into positive parts (uneven, as real ledgers are)."""
    if parts <= 1:
        return [total]
    weights = [rng.uniform(0.2, 1.0) for _ in range(parts)]
    s = sum(weights)
    out = [int(total * w / s) for w in weights]
    out[0] += total - sum(out)
    return out


def random_personnel(rng: random.Random, staff: int, unit_kind: str) -> dict[str, int]:
    wage = _yuan(rng, 30_000, 55_000) * staff
    allowance = _yuan(rng, 25_000, 45_000) * staff
    out = {"30101": wage, "30102": allowance, "30103": _yuan(rng, 5_000, 15_000) * staff}
    if unit_kind == "事业" or rng.random() < 0.4:
        out["30107"] = _yuan(rng, 10_000, 30_000) * staff
    base = wage + allowance
    out["30108"] = base * 16 // 100
    out["30109"] = base * 8 // 100
    out["30110"] = base * rng.randint(6, 9) // 100
    if unit_kind != "事业":
        out["30111"] = base * rng.randint(3, 5) // 100
    out["30112"] = base * rng.randint(1, 8) // 1000
    out["30113"] = base * 12 // 100
    if rng.random() < 0.5:
        out["30199"] = _yuan(rng, 1_000, 6_000) * staff
    if rng.random() < 0.3:
        out["30302"] = _yuan(rng, 20_000, 60_000) * rng.randint(1, 5)
    if rng.random() < 0.3:
        out["30305"] = _yuan(rng, 2_000, 20_000)
    return out


PUBLIC_POOL = (
    "30201",
    "30202",
    "30205",
    "30206",
    "30207",
    "30209",
    "30211",
    "30213",
    "30215",
    "30216",
    "30226",
    "30227",
    "30228",
    "30229",
    "30239",
    "30299",
)


def random_public(rng: random.Random, staff: int, three_public: dict[str, int]) -> dict[str, int]:
    out = {
        code: _yuan(rng, 300, 6_000) * max(1, staff // 3)
        for code in rng.sample(PUBLIC_POOL, rng.randint(4, 11))
    }
    # 三公 actuals paid from basic money show up as their economic 款 (DOMAIN §3.3 X7).
    for econ, item in (("30212", "outbound"), ("30217", "reception"), ("30231", "vehicle_operation")):
        if three_public.get(item):
            out[econ] = three_public[item]
    if rng.random() < 0.2:
        out["31002"] = _yuan(rng, 3_000, 40_000)
    return out


PROJECT_ECON_POOL = ("30213", "30214", "30226", "30227", "30299", "30218", "31002", "31007", "30211", "30202")


def random_three_public(rng: random.Random, staff: int) -> tuple[dict[str, int], dict[str, int]]:
    if rng.random() < 0.35:
        return dict.fromkeys(THREE_PUBLIC_ITEMS, 0), dict.fromkeys(THREE_PUBLIC_ITEMS, 0)
    budget = {
        "outbound": _yuan(rng, 10_000, 80_000) if rng.random() < 0.2 else 0,
        "vehicle_purchase": _yuan(rng, 100_000, 250_000) if rng.random() < 0.15 else 0,
        "vehicle_operation": _yuan(rng, 10_000, 30_000) * max(1, staff // 20) if rng.random() < 0.6 else 0,
        "reception": _yuan(rng, 2_000, 30_000) if rng.random() < 0.8 else 0,
    }
    actual = {k: int(v * rng.uniform(0.5, 1.0)) for k, v in budget.items()}
    return budget, actual


def random_ledger(rng: random.Random, department: Department, year: int, body: tuple) -> Ledger:
    """A consistent ledger for ``department`` in ``year`` (``body`` is its BODIES entry)."""
    fc = function_classes()
    _, unit_kind, _, basic_codes, project_codes = body
    staff = rng.randint(4, 90)
    tp_budget, tp_actual = random_three_public(rng, staff)
    personnel = random_personnel(rng, staff, unit_kind)
    public = random_public(rng, staff, tp_actual)

    items: dict[str, ItemLine] = {}

    def item(code: str, fund: str = GENERAL) -> ItemLine:
        if code not in items:
            assert fc.entry(code, year) is not None, code
            items[code] = ItemLine(code=code, fund=fund)
        return items[code]

    # Social-security 项 carry exactly the matching contributions (PT-CZJ: 2080505 = 30108 and so on).
    item("2080505").fiscal_basic += personnel["30108"]
    item("2080506").fiscal_basic += personnel["30109"]
    item("2101102" if unit_kind == "事业" else "2101101").fiscal_basic += personnel["30110"]
    if "30111" in personnel:
        item("2101103").fiscal_basic += personnel["30111"]
    item("2210201").fiscal_basic += personnel["30113"]
    assigned = sum(i.fiscal_basic for i in items.values())
    remaining = sum(personnel.values()) + sum(public.values()) - assigned
    valid_basic = [c for c in basic_codes if fc.entry(c, year) and fc.entry(c, year).valid_in(year)]
    for code, amount in zip(valid_basic, _split(rng, remaining, len(valid_basic)), strict=True):
        item(code).fiscal_basic += amount

    # Project money: a multiple of basic, spread over the department's project 项 (some have none).
    project_total = int((sum(personnel.values()) + sum(public.values())) * rng.uniform(0.05, 2.5))
    valid_project = [c for c in project_codes if fc.entry(c, year) and fc.entry(c, year).valid_in(year)]
    if rng.random() < 0.1 or not valid_project:
        project_total, valid_project = 0, []
    if tp_actual["vehicle_purchase"]:
        project_total += tp_actual["vehicle_purchase"]
        valid_project = valid_project or ["2299901"]
    if valid_project:
        chosen = rng.sample(valid_project, rng.randint(1, len(valid_project)))
        for code, amount in zip(chosen, _split(rng, project_total, len(chosen)), strict=True):
            item(code).fiscal_project += amount
    project_econ: dict[str, int] = {}
    if project_total:
        rest = project_total - tp_actual["vehicle_purchase"]
        econ_codes = rng.sample(PROJECT_ECON_POOL, rng.randint(1, 4))
        for code, amount in zip(econ_codes, _split(rng, rest, len(econ_codes)), strict=True):
            project_econ[code] = project_econ.get(code, 0) + amount
        if tp_actual["vehicle_purchase"]:
            project_econ["31013"] = tp_actual["vehicle_purchase"]

    # Government-fund money for some bodies (land, lottery): project spending only.
    fund_project_econ: dict[str, int] = {}
    if rng.random() < 0.25:
        codes = rng.sample(GOV_FUND_ITEMS, rng.randint(1, 2))
        for code in codes:
            amount = _yuan(rng, 50_000, 3_000_000)
            item(code, GOV_FUND).fiscal_project += amount
            econ = rng.choice(("30227", "31005", "39999" if year <= 2019 else "30299"))
            fund_project_econ[econ] = fund_project_econ.get(econ, 0) + amount

    # Non-fiscal money: public institutions earn 事业收入; others sometimes bank interest (其他收入).
    if unit_kind == "事业" or rng.random() < 0.15:
        target = rng.choice(list(items.values()))
        amount = _yuan(rng, 5_000, 800_000)
        if unit_kind == "事业":
            target.other_basic += amount // 2
            target.other_project += amount - amount // 2
            target.other_income["business_income"] = amount
        else:
            target.other_basic += amount
            target.other_income["other_income"] = amount

    for line in items.values():
        line.fiscal_income = line.fiscal_expenditure

    # Carry-overs: opening and closing balances per fund; the difference lands on the largest row.
    fiscal_opening, fiscal_closing = {}, {}
    for fund in FUNDS:
        lines = [i for i in items.values() if i.fund == fund]
        opening = _yuan(rng, 0, 200_000) if lines and rng.random() < 0.6 else 0
        closing = _yuan(rng, 0, 200_000) if lines and rng.random() < 0.6 else 0
        if lines:
            biggest = max(lines, key=lambda i: i.fiscal_income)
            delta = closing - opening
            if biggest.fiscal_income + delta < 0:
                closing = opening - biggest.fiscal_income
                delta = closing - opening
            biggest.fiscal_income += delta
            biggest.fiscal_opening, biggest.fiscal_closing = opening, closing
        fiscal_opening[fund], fiscal_closing[fund] = opening, closing
    nonfiscal_opening = nonfiscal_closing = 0
    earners = [i for i in items.values() if i.other_income]
    if earners and rng.random() < 0.5:
        nonfiscal_opening = _yuan(rng, 0, 100_000)
        nonfiscal_closing = nonfiscal_opening + _yuan(rng, 0, 50_000)
        src = next(iter(earners[0].other_income))
        earners[0].other_income[src] += nonfiscal_closing - nonfiscal_opening

    ordered = sorted(items.values(), key=lambda i: i.code)
    ledger = Ledger(
        department=department,
        year=year,
        items=ordered,
        personnel=personnel,
        public=public,
        project_econ=project_econ,
        fund_project_econ=fund_project_econ,
        fiscal_opening=fiscal_opening,
        fiscal_closing=fiscal_closing,
        nonfiscal_opening=nonfiscal_opening,
        nonfiscal_closing=nonfiscal_closing,
        three_public_budget=tp_budget,
        three_public_actual=tp_actual,
        previous=PreviousYear(0, 0, 0, 0, 0, {}, 0),
        other=OtherFacts(),
    )
    ledger.budget_completion = {
        i.code: int(i.fiscal_expenditure / rng.choice((1.0, 1.0, 0.98, 0.9, 0.85)))
        for i in ordered
        if i.fund == GENERAL
    }
    goods = _yuan(rng, 0, 200_000) if rng.random() < 0.7 else 0
    services = _yuan(rng, 0, 300_000) if rng.random() < 0.5 else 0
    ledger.other = OtherFacts(
        procurement_goods=goods,
        procurement_works=_yuan(rng, 100_000, 900_000) if rng.random() < 0.1 else 0,
        procurement_services=services,
        sme_share=rng.choice((100, 100, 95, 80)),
        small_micro_share=rng.choice((100, 90, 70)),
        vehicles_held=rng.randint(0, 6) if tp_actual["vehicle_operation"] else 0,
        vehicles_bought=1 if tp_actual["vehicle_purchase"] else 0,
        outbound_groups=rng.randint(1, 2) if tp_actual["outbound"] else 0,
        outbound_people=rng.randint(2, 6) if tp_actual["outbound"] else 0,
        reception_batches=rng.randint(1, 40) if tp_actual["reception"] else 0,
        reception_people=rng.randint(5, 300) if tp_actual["reception"] else 0,
        projects_evaluated=len([i for i in ordered if i.fiscal_project]),
        self_score=rng.randint(85, 100),
    )
    # the fiscal 会议费 and 培训费 actually spent are the basic 30215 and 30216; drawn last, so that adding
    # them changed no earlier draw
    actual = {"meeting": public.get("30215", 0), "training": public.get("30216", 0)}
    ledger.meeting_training_actual = actual
    ledger.meeting_training_budget = {
        k: int(v / rng.uniform(0.6, 1.0)) if v else (_yuan(rng, 1_000, 20_000) if rng.random() < 0.2 else 0)
        for k, v in actual.items()
    }
    ledger.check()
    return ledger


def econ_name(code: str, year: int) -> str:
    return economic_classes().name(code, year) or code
