"""Stable identities shared by every step: department ids survive renaming of files and re-publication."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_SPACE = re.compile(r"\s+")


def normalize_name(text: str) -> str:
    """NFKC (full/half width, radical forms) and no whitespace: the form names are compared in."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def department_id(name: str, region: str) -> str:
    """16 hex digits from normalized region + name: the same body gets the same id every year."""
    key = f"{normalize_name(region)}|{normalize_name(name)}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
