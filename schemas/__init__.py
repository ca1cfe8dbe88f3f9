"""pandera schemas for the warehouse frames, generated from the field declarations (never typed here).

``validate(name, frame)`` checks types, code formats, allowed values, non-null fields and the primary key
lazily, so that every problem of a document is reported at once; it returns the list of problems (empty
when the frame is valid) rather than raising, because a failing document is quarantined with its reasons
while the others of the same run still load.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from juesuan.reference.fields import FieldSpec, resource


def _is_decimal(value: object) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or isinstance(value, Decimal)


def _all_text(series: pd.Series) -> bool:
    """Text or null throughout. A column check, not pandera's "string" dtype: that one answers value by
    value and costs ~1 ms a column, more than all other checks of a document together."""
    if isinstance(series.dtype, pd.StringDtype):
        return True
    return bool(series.dropna().map(lambda v: isinstance(v, str)).all())


def _column(field: FieldSpec) -> pa.Column:
    checks = []
    if field.type == "VARCHAR":
        checks.append(pa.Check(_all_text, error="not text"))
    if field.pattern:
        checks.append(pa.Check.str_matches(field.pattern))
    if field.enum:
        checks.append(pa.Check.isin(list(field.enum)))
    if field.type.startswith("DECIMAL"):
        checks.append(
            pa.Check(_is_decimal, element_wise=True, error="not an exact Decimal (floats are refused)")
        )
        return pa.Column(object, checks=checks, nullable=field.nullable, required=not field.nullable)
    # the pandas dtype of warehouse.yaml's types map; "object" (text, timestamps, lists) gets none of its own
    dtype = None if field.pandas_dtype == "object" else field.pandas_dtype
    return pa.Column(
        dtype, checks=checks, nullable=field.nullable, required=not field.nullable, coerce=dtype is not None
    )


@cache
def schema(name: str) -> pa.DataFrameSchema:
    spec = resource(name)
    key = [c for c in spec.primary_key]
    return pa.DataFrameSchema(
        {f.name: _column(f) for f in spec.fields if f.name not in ("ingested_at", "pages")},
        unique=key or None,
        strict=False,
        name=name,
    )


def validate(name: str, frame: pd.DataFrame) -> list[str]:
    """Every problem of the frame, as readable lines (empty: valid)."""
    if frame.empty:
        return []
    try:
        schema(name).validate(frame.reset_index(drop=True), lazy=True)
    except SchemaErrors as errors:
        cases = errors.failure_cases
        out = []
        for (column, check), group in cases.groupby(["column", "check"], dropna=False):
            examples = ", ".join(map(str, group["failure_case"].head(3).tolist()))
            out.append(f"{name}.{column}: {check} failed {len(group)}× (e.g. {examples})")
        return out
    return []
