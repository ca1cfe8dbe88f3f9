"""Finding which catalogue table a printed title names.

Titles come with ordinals (七、), labels (表3, 公开06表), years (2024年度), the body's name, quotes of any
form
or emitted out of reading order, and letter spacing. All of that is removed before matching the whole
remaining line against the catalogue's titles and aliases, longest first (DOMAIN.md §2.2).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import get_args

from juesuan.reference import load_catalogue
from juesuan.reference.catalogue import Kind

QUOTES = re.compile("[“”\"‘’'「」『』]")
PREFIX = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|\d+[、.．]|表\d+|公开\d+表|附表\d*[：:]?)+")
LABEL = re.compile(r"(?:公开\d{2}表|表\d+)$")
YEAR = re.compile(r"\d{4}年度?")
# a trailing parenthesis naming the set or the period: 收入支出决算总表（本级）, …决算表(2024年度)
QUALIFIER = re.compile(r"[（(]([^（）()]{1,16})[）)]$")
# a remark after the title: 西安's …明细表（按支出功能分类科目）-不含上年结转
REMARK = re.compile(r"[-－—]+[^-－—（）()]{1,10}(?=[)）]?$)")
SPACE = re.compile(r"\s+")


def normalize_title(text: str, department: str | None = None, keep_qualifier: bool = False) -> str:
    """The compared form of a title. ``keep_qualifier`` keeps a trailing parenthesis: budgets tell two
    tables apart by it (一般公共预算支出表（按功能分类） and …（按经济分类）)."""
    t = SPACE.sub("", unicodedata.normalize("NFKC", text))
    t = QUOTES.sub("", t)
    t = PREFIX.sub("", t)
    t = LABEL.sub("", t)
    t = REMARK.sub("", t) if not t.endswith("表") else t  # (…科目-不含上年结转) → (…科目)
    if not keep_qualifier:
        t = QUALIFIER.sub("", t)
    t = YEAR.sub("", t)
    if department:
        t = t.replace(SPACE.sub("", department), "")
    return t


def warm_up() -> None:
    """Index every kind of document's table titles, once (see :func:`juesuan.parse.warm_up`)."""
    for kind in get_args(Kind):
        _aliases(kind)


@cache
def _aliases(kind: str) -> list[tuple[str, str]]:
    """(compared title, table id) of the tables a document of ``kind`` prints, longest first; a title
    declared with its qualifier is compared with it."""
    cat = load_catalogue()
    pairs = {
        (normalize_title(title, keep_qualifier=True), t.id) for t in cat.tables_of(kind) for title in t.titles
    }
    return sorted(pairs, key=lambda p: (-len(p[0]), p[0]))


def qualifier(text: str) -> str | None:
    """The parenthesised words a title ends with (本级, 汇总, a unit's name), if any."""
    m = QUALIFIER.search(SPACE.sub("", unicodedata.normalize("NFKC", text)))
    return m.group(1) if m and not YEAR.fullmatch(m.group(1)) else None


def match_title(text: str, department: str | None = None, kind: str = "final") -> str | None:
    """The id of the table of a ``kind`` document (final, budget) a title line names, or None. The whole
    line must be the title (目录 entries and narrative headings such as …决算情况说明 do not match)."""
    whole = normalize_title(text, department, keep_qualifier=True)
    stripped = normalize_title(text, department)
    if not stripped.endswith("表") and not whole.endswith("表"):
        return None
    aliases = _aliases(kind)
    for t in dict.fromkeys((whole, stripped)):
        for alias, table_id in aliases:
            if t == alias:
                return table_id
    # a body name we did not know still prefixes the title: accept a longest-alias suffix
    for t in dict.fromkeys((whole, stripped)):
        for alias, table_id in aliases:
            if t.endswith(alias) and len(t) - len(alias) <= 20 and "部门决算" not in t[: len(t) - len(alias)]:
                return table_id
    return None
