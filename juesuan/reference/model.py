"""The base of the declaration models: strict about keys (a misspelt key is an error, never a default) and
frozen (a declaration read once is shared by every step), with errors that name the file and the key."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, TypeVar

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError


class Declared(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DeclarationError(ValueError):
    """A reference file does not say what its models allow: every problem, each with its key path."""


def _text(value: Any) -> Any:
    """A code written bare in YAML (201, 30217) is the text "201": codes are never numbers."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Code = Annotated[str, BeforeValidator(_text)]

M = TypeVar("M", bound=BaseModel)
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built with it: 10x faster


def with_ids(entries: Any) -> Any:
    """A mapping of id → entry with the id put into each entry (``families``, ``tables`` …)."""
    if not isinstance(entries, dict):
        return entries
    out = {}
    for key, entry in entries.items():
        if isinstance(entry, dict) and "id" in entry:
            raise ValueError(f"{key}: the id is the key; remove `id: {entry['id']}`")
        out[key] = {**entry, "id": key} if isinstance(entry, dict) else entry
    return out


def read_yaml(path: Path | str, model: type[M], label: str | None = None) -> tuple[M, dict]:
    """The file validated as ``model``, and the raw mapping it was read from. A problem raises
    :class:`DeclarationError` naming the file (``label``, else the path) and the dotted path of each key."""
    path = Path(path)
    raw = yaml.load(path.read_text("utf-8"), Loader=SafeLoader)
    try:
        return model.model_validate(raw), raw
    except ValidationError as error:
        raise DeclarationError(describe(error, label or str(path))) from None


def describe(error: ValidationError, source: str) -> str:
    lines = []
    for e in error.errors():
        where = ".".join(str(p) for p in e["loc"]) or "(top)"
        unknown = e["type"] == "extra_forbidden"
        what = "unknown key (not declared by the model; misspelt?)" if unknown else e["msg"]
        lines.append(f"{source}: {where}: {what}")
    return "\n".join(lines)
