"""How a release lays out its Parquet extracts, declared once for the writer (export) and the pages that
read the layout back (report)."""

PARTITION = "fiscal_year"  # the Parquet extracts are partitioned by it: the files do not hold the column
ALL_YEARS = "all"  # the partition of an extract without fiscal_year (or without rows): never a null one


def partition_of(path: str) -> str | None:
    """The partition value a file sits under (``facts/fiscal_year=2023/data_0.parquet`` → ``2023``)."""
    marker = f"{PARTITION}="
    return path.split(marker, 1)[1].split("/", 1)[0] if marker in path else None
