"""Stable identities shared by every step: department ids survive renaming of files and re-publication."""

from __future__ import annotations

import csv
import hashlib
import re
import unicodedata
from functools import cache
from importlib import resources

_SPACE = re.compile(r"\s+")


def normalize_name(text: str) -> str:
    """NFKC (full/half width, radical forms) and no whitespace: the form names are compared in."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


_REGION = re.compile(
    r"^(?:.{2,8}?(?:省|自治区))?(?:.{1,8}?(?:市|自治州|盟|地区))?(?:.{1,6}?(?:区|县|市|旗))?"
)


def region_of(name: str) -> str:
    """The administrative area a department's name starts with.

    攀枝花市东区电子政务建设服务中心 → 攀枝花市东区.

    Disclosures name their body with its area and rarely print the province, so the area in the name is the
    region the warehouse keys departments by; the parser and the generator both derive it this way.
    """
    text = normalize_name(name)
    match = _REGION.match(text)
    return match.group(0) if match else ""


# a set of tables printed for the body itself or for the body with its units: the same department
# (深圳市医疗保障局（本级） in its budget, 深圳市医疗保障局 in its final account)
_SET_QUALIFIER = re.compile(r"[(（](?:本级|汇总|部门汇总|单位汇总)[)）]$")


def canonical_name(name: str, aliases: dict[str, str] | None = None) -> str:
    """The name a department is keyed by: normalized, without a set qualifier, and a former name replaced
    by the current one (``department_aliases.csv``: a body renamed between its budget and its final
    account, or from one year to the next, keeps one id)."""
    text = _SET_QUALIFIER.sub("", normalize_name(name))
    table = department_aliases() if aliases is None else aliases
    return table.get(text, text)


@cache
def department_aliases() -> dict[str, str]:
    """Former name → current name, from ``department_aliases.csv`` (normalized)."""
    with resources.files("juesuan.reference").joinpath("department_aliases.csv").open(encoding="utf-8") as f:
        return {normalize_name(r["former_name"]): normalize_name(r["name"]) for r in csv.DictReader(f)}


def department_id(name: str, region: str, aliases: dict[str, str] | None = None) -> str:
    """16 hex digits from normalized region + canonical name: the same body gets the same id every year
    and in both its budget and its final account."""
    key = f"{normalize_name(region)}|{canonical_name(name, aliases)}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
