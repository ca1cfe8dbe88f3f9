"""Stable identities shared by every step: department ids survive renaming of files and re-publication."""

from __future__ import annotations

import hashlib
import re
import unicodedata

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


def department_id(name: str, region: str) -> str:
    """16 hex digits from normalized region + name: the same body gets the same id every year."""
    key = f"{normalize_name(region)}|{normalize_name(name)}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
